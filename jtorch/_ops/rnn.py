"""Pure jax kernels of the recurrent layers and of packed sequences.

A recurrent stack (every layer and direction of an RNN, LSTM or GRU) is one kernel: each layer projects its
whole input with W_ih in one matmul, as torch's CPU implementation does, then runs one `lax.scan` over time
with both directions batched in it (the backward one reading time reversed). Packed input arrives as its flat
data plus a (T, B) table of data rows (`rows`, the data length where a sequence has ended); the scan then keeps
each sequence's state once it has ended, so the final states are those of each sequence's last step.
"""
import jax
import jax.numpy as jnp
from jax import lax

from .._dispatch import saves_residuals
from .nn import dropout, linear


def _rnn_tanh(state, xw, w_hh, b_hh, w_hr):
    return (jnp.tanh(linear(state[0], w_hh, b_hh) + xw),)


def _rnn_relu(state, xw, w_hh, b_hh, w_hr):
    return (jax.nn.relu(linear(state[0], w_hh, b_hh) + xw),)


def _lstm(state, xw, w_hh, b_hh, w_hr):
    h, c = state
    i, f, g, o = jnp.split(linear(h, w_hh, b_hh) + xw, 4, axis=-1)
    c = jax.nn.sigmoid(f) * c + jax.nn.sigmoid(i) * jnp.tanh(g)
    h = jax.nn.sigmoid(o) * jnp.tanh(c)
    return (h if w_hr is None else linear(h, w_hr, None), c)


def _gru(state, xw, w_hh, b_hh, w_hr):
    h = state[0]
    x_reset, x_update, x_new = jnp.split(xw, 3, axis=-1)
    h_reset, h_update, h_new = jnp.split(linear(h, w_hh, b_hh), 3, axis=-1)
    reset = jax.nn.sigmoid(h_reset + x_reset)
    update = jax.nn.sigmoid(h_update + x_update)
    new = jnp.tanh(x_new + h_new * reset)
    return ((h - new) * update + new,)


CELLS = {"RNN_TANH": _rnn_tanh, "RNN_RELU": _rnn_relu, "LSTM": _lstm, "GRU": _gru}


def cell(x, h, c, w_ih, w_hh, b_ih, b_hh, *, mode):
    """One step of an RNNCell/LSTMCell/GRUCell: x (B, in) or (in); h, c (B, H) or (H), None for zeros.
    Returns h' (or (h', c') for LSTM) with x's batching."""
    hidden = w_hh.shape[1]
    zeros = jnp.zeros(x.shape[:-1] + (hidden,), x.dtype)
    state = (zeros if h is None else h,) + ((zeros if c is None else c,) if mode == "LSTM" else ())
    out = CELLS[mode](state, linear(x, w_ih, b_ih), w_hh, b_hh, None)
    return out if mode == "LSTM" else out[0]


def _scan_cell(cell_fn, state, xw, alive, w_hh, b_hh, w_hr):
    """lax.scan of cell_fn over time (xw's first axis); where `alive` is False a sequence keeps its state.
    -> (final state, outputs h stacked over time)."""
    def step(carry, inputs):
        xw_t, alive_t = inputs
        new = cell_fn(carry, xw_t, w_hh, b_hh, w_hr)
        if alive_t is not None:
            new = tuple(jnp.where(alive_t[..., None], n, old) for n, old in zip(new, carry))
        return new, new[0]

    return lax.scan(step, state, (xw, alive))


def _layer(step_fn, x, state, weights, alive):
    """All directions of one layer over x (T, B, in) as one scan: state (h, or h and c) each (D, B, H), weights
    per direction. Two directions run batched (vmap), the backward one reading time reversed.
    -> (output (T, B, D * H), final state)."""
    xw = [linear(x, w[0], w[2]) for w in weights]
    if len(weights) == 1:
        _, w_hh, _, b_hh, w_hr = weights[0]
        final, out = _scan_cell(step_fn, tuple(s[0] for s in state), xw[0], alive, w_hh, b_hh, w_hr)
        return out, tuple(s[None] for s in final)
    forward, backward = weights
    w_hh, b_hh, w_hr = (None if forward[i] is None else jnp.stack([forward[i], backward[i]]) for i in (1, 3, 4))
    in_time = lambda forward, backward: jnp.stack([forward, jnp.flip(backward, 0)], axis=1)  # noqa: E731
    final, out = _scan_cell(jax.vmap(step_fn), state, in_time(*xw), None if alive is None else in_time(alive, alive),
                            w_hh, b_hh, w_hr)
    return jnp.concatenate([out[:, 0], jnp.flip(out[:, 1], 0)], axis=-1), final


def _layer_weights(flat, has_bias, has_proj):
    """(w_ih, w_hh, b_ih, b_hh, w_hr) per layer and direction, from torch's flat weight order."""
    per = 2 + 2 * has_bias + has_proj
    groups = []
    for k in range(0, len(flat), per):
        w = flat[k:k + per]
        biases = (w[2], w[3]) if has_bias else (None, None)
        groups.append((w[0], w[1]) + biases + ((w[-1],) if has_proj else (None,)))
    return groups


def _padded(data, rows):
    """Packed data (N, F) -> (T, B, F) through the row table, zeros where sequences have ended."""
    return jnp.concatenate([data, jnp.zeros((1,) + data.shape[1:], data.dtype)])[rows]


def _packed(padded, rows, n):
    """(T, B, F) -> the packed data (N, F): the entries whose row is a data row, in time-major order."""
    flat = padded.reshape((-1,) + padded.shape[2:])
    return flat[jnp.flatnonzero(rows.reshape(-1) < n, size=n)]


def pad_rows_to(data, *, rows):
    """data (N, *) with zero rows appended to make `rows` rows."""
    return jnp.pad(data, ((0, rows - data.shape[0]),) + ((0, 0),) * (data.ndim - 1))


def leading_rows(x, *, n):
    """The first n rows of x."""
    return x[:n]


@saves_residuals
def recurrent(x, h0, c0, rows, sorted_indices, unsorted_indices, dropout_scale, *tensors, mode, num_layers,
              bidirectional, batch_first, has_bias, has_proj):
    """A whole RNN/LSTM/GRU stack: returns (output, h_n) or, for LSTM, (output, h_n, c_n).

    x: (T, B, in) ((B, T, in) when batch_first), (T, in) unbatched, or packed data (N, in) with `rows` (T, B).
    h0, c0: (layers * directions, B, H) ((L*D, H) unbatched) or None for zeros; for packed input they are in
    the caller's batch order and `sorted_indices`/`unsorted_indices` permute them in and the final states
    out. `tensors`: the flat weights in torch's order, then one dropout keep-mask per gap between layers,
    shaped like the gap's activations ((T, B, D*H) or packed (N, D*H)), applied with `dropout_scale`.
    """
    directions = 2 if bidirectional else 1
    n_weights = len(tensors) - (num_layers - 1 if dropout_scale is not None else 0)
    weights = _layer_weights(tensors[:n_weights], has_bias, has_proj)
    masks = tensors[n_weights:]
    packed = rows is not None
    unbatched = not packed and x.ndim == 2
    if unbatched:
        x = x[:, None]
        h0, c0 = (None if s is None else s[:, None] for s in (h0, c0))
    elif batch_first and not packed:
        x = jnp.swapaxes(x, 0, 1)
    batch = rows.shape[1] if packed else x.shape[1]
    out_size = weights[0][1].shape[1]
    hidden_size = weights[0][0].shape[0] // {"LSTM": 4, "GRU": 3}.get(mode, 1)

    def initial(s, size):
        if s is None:
            return jnp.zeros((num_layers * directions, batch, size), x.dtype)
        return s if sorted_indices is None else s[:, sorted_indices]

    h0 = initial(h0, out_size)
    c0 = initial(c0, hidden_size) if mode == "LSTM" else None
    alive = rows < x.shape[0] if packed else None
    layer_input = x
    finals = []
    for layer in range(num_layers):
        if layer and masks:
            layer_input = dropout(layer_input, masks[layer - 1], dropout_scale)
        seq = _padded(layer_input, rows) if packed else layer_input
        span = slice(layer * directions, (layer + 1) * directions)
        state = (h0[span],) + ((c0[span],) if c0 is not None else ())
        layer_input, final = _layer(CELLS[mode], seq, state, weights[span], alive)
        finals.append(final)
        if packed:
            layer_input = _packed(layer_input, rows, x.shape[0])
    states = [jnp.concatenate(s) for s in zip(*finals)]
    if unsorted_indices is not None:
        states = [s[:, unsorted_indices] for s in states]
    if unbatched:
        layer_input = layer_input[:, 0]
        states = [s[:, 0] for s in states]
    elif batch_first and not packed:
        layer_input = jnp.swapaxes(layer_input, 0, 1)
    return (layer_input, *states)


def take_rows(x, index):
    """Rows of x flattened over its first two dims: x (A, B, *) -> (len(index), *) (packing a padded batch)."""
    return x.reshape((-1,) + x.shape[2:])[index]


def pad_rows(data, index, padding_value, *, shape):
    """data (N, *) -> `shape` (A, B, *): entry (a, b) is data[index[a, b]], padding_value where index == N."""
    fill = jnp.full((1,) + data.shape[1:], padding_value, data.dtype)
    return jnp.concatenate([data, fill])[index].reshape(shape)


def pad_to_length(padding_value, sequence, *, length, dtype, trailing, left):
    """One sequence (L, *) as `dtype`, broadcast to (L, *trailing) and padded at the end (or the start when
    `left`) with padding_value to `length` steps."""
    sequence = jnp.broadcast_to(sequence.astype(dtype), sequence.shape[:1] + trailing)
    fill = jnp.full((length - sequence.shape[0],) + trailing, padding_value, dtype)
    return jnp.concatenate((fill, sequence) if left else (sequence, fill))


def stack_sequences(*padded, batch_first):
    """Equal-length sequences (T, *) stacked into (T, B, *) ((B, T, *) when batch_first)."""
    return jnp.stack(padded, axis=0 if batch_first else 1)
