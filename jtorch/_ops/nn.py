"""Pure jax kernels of the nn layers: linear, convolution, pooling, normalization, activations, dropout,
embedding and padding.

Each kernel is a function of arrays plus static keyword arguments; `jtorch.nn.functional` checks the
arguments as torch does and runs one kernel per call through `_dispatch.run`. Spatial arguments arrive
normalised: one (low, high) pair or one pooling plan per spatial dim, in dim order.
"""
import functools
import math

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

_CONV_DIMS = {1: ("NCH", "OIH", "NCH"), 2: ("NCHW", "OIHW", "NCHW"), 3: ("NCDHW", "OIDHW", "NCDHW")}
_PAD_MODES = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def _is_float(x):
    return jnp.issubdtype(x.dtype, jnp.inexact)


def _channel_view(v, ndim):
    """A per-channel vector shaped to broadcast against (N, C, *spatial) of `ndim` dims."""
    return v.reshape((-1,) + (1,) * (ndim - 2))


# ---- linear ---------------------------------------------------------------------------------------------

def linear(x, w, b):
    """x (*, in) @ w(out, in).T + b(out)."""
    y = jnp.matmul(x, w.T)
    return y if b is None else y + b


def bilinear(x1, x2, w, b):
    """y[..., o] = x1 @ w[o] @ x2 + b[o]; x1 (*, in1), x2 (*, in2), w (out, in1, in2)."""
    y = jnp.einsum("...i,oij,...j->...o", x1, w, x2)
    return y if b is None else y + b


# ---- padding ----------------------------------------------------------------------------------------------

def pad(x, value, *, pads, mode):
    """Pad the trailing len(pads) dims by (low, high) pairs; negative amounts crop first, as torch does.

    mode: 'constant' (with value), 'reflect', 'replicate' or 'circular'.
    """
    lead = x.ndim - len(pads)
    starts = [0] * lead + [max(-lo, 0) for lo, _ in pads]
    limits = list(x.shape[:lead]) + [n - max(-hi, 0) for n, (_, hi) in zip(x.shape[lead:], pads)]
    x = lax.slice(x, starts, limits)
    widths = [(0, 0)] * lead + [(max(lo, 0), max(hi, 0)) for lo, hi in pads]
    if mode == "constant":
        return jnp.pad(x, widths, constant_values=jnp.asarray(value, x.dtype))
    return jnp.pad(x, widths, mode=_PAD_MODES[mode])


# ---- convolution ------------------------------------------------------------------------------------------

def _with_batch(kernel, x, batched):
    """Run kernel on a batched view of x ((C, *spatial) inputs gain and lose a batch dim of 1)."""
    return kernel(x) if batched else kernel(x[None])[0]


def conv(x, w, b, *, stride, padding, dilation, groups, padding_mode, batched):
    """N-d convolution (cross-correlation): x (N, C_in, *), w (C_out, C_in / groups, *k), b (C_out).

    padding: (low, high) per spatial dim; padding_mode other than 'zeros' pads x with that mode first.
    """
    def convolve(x):
        pads = padding
        if padding_mode != "zeros":
            x = pad(x, 0, pads=padding, mode=padding_mode)
            pads = ((0, 0),) * len(padding)
        y = lax.conv_general_dilated(x, w, stride, pads, rhs_dilation=dilation, feature_group_count=groups,
                                     dimension_numbers=_CONV_DIMS[len(stride)])
        return y if b is None else y + _channel_view(b, y.ndim)
    return _with_batch(convolve, x, batched)


def conv_transpose(x, w, b, *, stride, padding, output_padding, dilation, groups, batched):
    """N-d transposed convolution: x (N, C_in, *), w (C_in, C_out / groups, *k), b (C_out).

    Computed as the convolution of the stride-dilated input with the flipped, group-transposed kernel.
    """
    nd = len(stride)
    c_in, c_out_g = w.shape[:2]
    k = w.shape[2:]
    kernel = w.reshape((groups, c_in // groups, c_out_g) + k).swapaxes(1, 2)
    kernel = jnp.flip(kernel.reshape((groups * c_out_g, c_in // groups) + k), tuple(range(2, 2 + nd)))
    pads = [(d * (n - 1) - p, d * (n - 1) - p + op) for n, p, op, d in zip(k, padding, output_padding, dilation)]

    def convolve(x):
        y = lax.conv_general_dilated(x, kernel, (1,) * nd, pads, lhs_dilation=stride, rhs_dilation=dilation,
                                     feature_group_count=groups, dimension_numbers=_CONV_DIMS[nd])
        return y if b is None else y + _channel_view(b, y.ndim)
    return _with_batch(convolve, x, batched)


# ---- pooling ----------------------------------------------------------------------------------------------
#
# A pooling plan describes one spatial dim: ("window", size, out, kernel, stride, padding, dilation) or
# ("adaptive", size, out). The window of output o holds "slots" j = 0..K-1; slot j of all outputs is one
# strided slice (or gather) of the input, so a pool is a reduction over K slices per dim, one dim after the
# other (last dim first). Slots outside the input hold `fill` and are marked invalid.

def _slot_positions(plan):
    """(positions (K, out) into the input dim, validity (K, out)) of each slot of each window."""
    kind, size, out = plan[:3]
    o = np.arange(out)
    if kind == "window":
        k, s, p, d = plan[3:]
        pos = o[None] * s - p + np.arange(k)[:, None] * d
        return pos, (pos >= 0) & (pos < size)
    starts, ends = (o * size) // out, -((-(o + 1) * size) // out)
    pos = starts[None] + np.arange((ends - starts).max(initial=1))[:, None]
    return pos, pos < ends[None]


def _is_tiling(plan):
    """Whether the windows tile the start of the dim (kernel == stride, no padding or dilation): a reshape."""
    kind, size, out = plan[:3]
    return kind == "window" and plan[3:] == (plan[4], plan[4], 0, 1) and out * plan[3] <= size


def _slots(x, axis, plan, fill):
    """The K slot arrays of `x` along `axis` (each with `out` entries there), invalid entries set to fill."""
    pos, valid = _slot_positions(plan)
    if _is_tiling(plan):
        out, k = plan[2:4]
        tiles = lax.slice_in_dim(x, 0, out * k, axis=axis).reshape(x.shape[:axis] + (out, k) + x.shape[axis + 1:])
        slots = [lax.index_in_dim(tiles, j, axis + 1, keepdims=False) for j in range(k)]
    elif plan[0] == "window":
        size, out, k, s, p, d = plan[1:]
        high = max(0, (out - 1) * s + (k - 1) * d + 1 - size - p)
        widths = [(0, 0, 0)] * x.ndim
        widths[axis] = (p, high, 0)
        xp = lax.pad(x, jnp.asarray(fill, x.dtype), widths) if p or high else x
        slots = [lax.slice_in_dim(xp, j * d, j * d + (out - 1) * s + 1, s, axis) for j in range(k)]
    else:
        slots = [jnp.take(x, np.minimum(row, plan[1] - 1), axis) for row in pos]
    masks = [_axis_mask(v, x.ndim, axis) for v in valid]
    return [a if m is None else jnp.where(m, a, jnp.asarray(fill, x.dtype)) for a, m in zip(slots, masks)], masks


def _axis_mask(valid, ndim, axis):
    """A validity row shaped to broadcast along `axis` of an ndim array; None when all valid."""
    return None if valid.all() else valid.reshape((-1,) + (1,) * (ndim - axis - 1))


def _tree(items, combine):
    """Reduce items pairwise, always combining an earlier item with a later one."""
    while len(items) > 1:
        merged = [combine(items[i], items[i + 1]) for i in range(0, len(items) - 1, 2)]
        items = merged + items[len(items) - len(items) % 2:]
    return items[0]


def _lowest(dtype):
    return -np.inf if jnp.issubdtype(dtype, jnp.inexact) else np.iinfo(dtype).min


def _later_wins(a, b):
    """torch's max-pool scan: a later value replaces the current one if greater or NaN; invalid never wins.

    Items are (value, validity mask or None, flat index or None); the rule is associative, so a tree of
    combines picks the element torch's row-major scan picks: the first maximum, or the last NaN.
    """
    va, ma, ia = a
    vb, mb, ib = b
    take = vb > va
    if _is_float(vb):
        take = take | jnp.isnan(vb)
    if ma is not None:
        take = take | ~ma
    if mb is not None:
        take = take & mb
    mask = None if ma is None or mb is None else ma | mb
    return jnp.where(take, vb, va), mask, None if ia is None else jnp.where(take, ib, ia)


def max_pool(x, *, plans, with_indices):
    """Max over the windows of the trailing len(plans) dims; with_indices also returns the int64 flat index
    (row-major over those dims) of the element each maximum came from."""
    lead = x.ndim - len(plans)
    fill = _lowest(x.dtype)
    index = None
    inner = 1
    for dim in reversed(range(len(plans))):
        axis = lead + dim
        values, masks = _slots(x, axis, plans[dim], fill)
        indices = [None] * len(values)
        if with_indices:
            pos = _slot_positions(plans[dim])[0] * inner
            carried = [0] * len(values) if index is None else _slots(index, axis, plans[dim], 0)[0]
            indices = [c + p.reshape((-1,) + (1,) * (x.ndim - axis - 1)) for c, p in zip(carried, pos)]
        x, _, index = _tree(list(zip(values, masks, indices)), _later_wins)
        if with_indices:
            index = jnp.broadcast_to(index, x.shape)
        inner *= plans[dim][1]
    if not with_indices:
        return x
    return x, index.astype(jnp.int64)


def avg_pool(x, *, plans, divisors):
    """Window sums of the trailing len(plans) dims divided by each divisor in turn (torch's rounding:
    avg_pool divides once by the window count, adaptive pooling once per dim); integers divide truncating."""
    lead = x.ndim - len(plans)
    for dim in reversed(range(len(plans))):
        x = _tree(_slots(x, lead + dim, plans[dim], 0)[0], jnp.add)
    for divisor in divisors:
        d = np.asarray(divisor)
        x = x / d.astype(x.dtype) if _is_float(x) else lax.div(x, jnp.broadcast_to(d.astype(x.dtype), x.shape))
    return x


# ---- activations -----------------------------------------------------------------------------------------

def clamp_grad0(x, *, low, high):
    """clamp(x, low, high) (high None for relu) with torch's gradients: zero at and beyond the bounds; at NaN
    one for relu and zero for hardtanh (torch's vectorised kernels). Values keep x's sign of zero."""
    clamped = jnp.where(x < low, jnp.asarray(low, x.dtype), x)
    if high is None:
        outside = x <= low
    else:
        clamped = jnp.where(x > high, jnp.asarray(high, x.dtype), clamped)
        outside = ~((x > low) & (x < high))
    return jnp.where(outside, lax.stop_gradient(clamped), x)


def leaky_relu(x, slope):
    return jnp.where(x > 0, x, x * slope)


@functools.partial(jax.custom_jvp, nondiff_argnums=(1,))
def elu(x, alpha):
    negative = jnp.where(x <= 0, x, 0)
    return jnp.where(x <= 0, alpha * jnp.expm1(negative), x)


@elu.defjvp
def _elu_jvp(alpha, primals, tangents):
    """torch's backward: dy * alpha * exp(x) where x <= 0, else dy."""
    (x,), (t,) = primals, tangents
    return elu(x, alpha), jnp.where(x <= 0, t * alpha * jnp.exp(jnp.where(x <= 0, x, 0)), t)


_GELU_BETA = math.sqrt(2) * (2 / math.sqrt(math.pi)) * 0.5
_GELU_KAPPA = 0.044715


def _const(value, x):
    """A constant in x's dtype, as torch's kernels cast their double constants."""
    return jnp.asarray(value, x.dtype)


@jax.custom_jvp
def _gelu_erf(x):
    return x * 0.5 * (1 + jax.scipy.special.erf(x * _const(math.sqrt(0.5), x)))


@_gelu_erf.defjvp
def _gelu_erf_jvp(primals, tangents):
    """torch's backward: dy * (cdf + x * pdf)."""
    (x,), (t,) = primals, tangents
    cdf = 0.5 * (1 + jax.scipy.special.erf(x * _const(math.sqrt(0.5), x)))
    pdf = jnp.exp(-0.5 * x * x) * _const(2 / math.sqrt(math.pi) * math.sqrt(0.5) * 0.5, x)
    return _gelu_erf(x), t * (cdf + x * pdf)


@jax.custom_jvp
def _gelu_tanh(x):
    inner = _const(_GELU_BETA, x) * (x + _const(_GELU_KAPPA, x) * (x * x * x))
    return 0.5 * x * (1 + jnp.tanh(inner))


@_gelu_tanh.defjvp
def _gelu_tanh_jvp(primals, tangents):
    """torch's backward: dy * (left' + right') of 0.5x * (1 + tanh(inner)), in its order of operations."""
    (x,), (t,) = primals, tangents
    beta, kappa = _const(_GELU_BETA, x), _const(_GELU_KAPPA, x)
    x_sq = x * x
    tanh_inner = jnp.tanh(beta * (x + kappa * (x_sq * x)))
    left_derivative = 0.5 * (1 + tanh_inner)
    inner_derivative = beta * (1 + _const(3, x) * kappa * x_sq)
    right_derivative = 0.5 * x * (1 - tanh_inner * tanh_inner) * inner_derivative
    return _gelu_tanh(x), t * (left_derivative + right_derivative)


def gelu(x, *, approximate):
    return _gelu_tanh(x) if approximate == "tanh" else _gelu_erf(x)


@jax.custom_jvp
def silu(x):
    return x / (1 + jnp.exp(-x))


@silu.defjvp
def _silu_jvp(primals, tangents):
    """torch's backward: dy * s * (1 + x * (1 - s)), s = 1 / (1 + exp(-x))."""
    (x,), (t,) = primals, tangents
    s = 1 / (1 + jnp.exp(-x))
    return silu(x), t * (s * (1 + x * (1 - s)))


def _over_dim(fn, x, dim, dtype):
    """fn(x cast to dtype, dim), a 0-dim x treated as one element."""
    x = x.astype(dtype)
    return fn(x.reshape(1), 0).reshape(()) if x.ndim == 0 else fn(x, dim)


def _softmax(x, dim):
    e = jnp.exp(x - lax.stop_gradient(jnp.max(x, dim, keepdims=True)))
    return e / jnp.sum(e, dim, keepdims=True)


def _log_softmax(x, dim):
    shifted = x - lax.stop_gradient(jnp.max(x, dim, keepdims=True))
    return shifted - jnp.log(jnp.sum(jnp.exp(shifted), dim, keepdims=True))


def softmax(x, *, dim, dtype):
    return _over_dim(_softmax, x, dim, dtype)


def log_softmax(x, *, dim, dtype):
    return _over_dim(_log_softmax, x, dim, dtype)


# ---- dropout, normalization, embedding --------------------------------------------------------------------

def dropout(x, keep, scale):
    """x * (keep / (1 - p)), the scale computed in x's dtype as torch's noise tensor is."""
    return x * jnp.where(keep, jnp.asarray(scale, x.dtype), jnp.zeros((), x.dtype))


def alpha_dropout(x, keep, a, alpha_a, alpha_a_p):
    """x * (noise * a) + ((noise - 1) * alpha_a + alpha_a_p), noise = keep as 0/1 in x's dtype (torch's steps)."""
    noise = keep.astype(x.dtype)
    return x * (noise * a) + ((noise - 1) * alpha_a + alpha_a_p)


def _normalize(x, mean, var, w, b, eps):
    out = (x - mean) * (1 / jnp.sqrt(var + eps))
    if w is not None:
        out = out * w
    return out if b is None else out + b


def _channels(v, ndim):
    return None if v is None else _channel_view(v, ndim)


def batch_norm_train(x, running_mean, running_var, w, b, momentum, *, eps):
    """Normalise x (N, C, *) with its batch statistics over all dims but C; returns (out, new running mean,
    new running var) with torch's update: the running var takes the unbiased batch variance."""
    axes = (0,) + tuple(range(2, x.ndim))
    count = x.size // x.shape[1]
    mean = jnp.mean(x, axes, keepdims=True)
    sq_sum = jnp.sum(jnp.square(x - mean), axes, keepdims=True)
    out = _normalize(x, mean, sq_sum / count, _channels(w, x.ndim), _channels(b, x.ndim), eps)
    if running_mean is None:
        return out
    mean, sq_sum = lax.stop_gradient(mean.reshape(-1)), lax.stop_gradient(sq_sum.reshape(-1))
    new_mean = (1 - momentum) * running_mean + momentum * mean
    new_var = (1 - momentum) * running_var + momentum * (sq_sum / max(count - 1, 1))
    return out, new_mean.astype(running_mean.dtype), new_var.astype(running_var.dtype)


def batch_norm_eval(x, running_mean, running_var, w, b, *, eps):
    """Normalise x (N, C, *) with the running statistics."""
    return _normalize(x, _channels(running_mean, x.ndim), _channels(running_var, x.ndim), _channels(w, x.ndim),
                      _channels(b, x.ndim), eps)


def layer_norm(x, w, b, *, dims, eps):
    """Normalise over the trailing `dims` dims (biased variance), then scale by w and shift by b."""
    axes = tuple(range(x.ndim - dims, x.ndim))
    mean = jnp.mean(x, axes, keepdims=True)
    var = jnp.mean(jnp.square(x - mean), axes, keepdims=True)
    return _normalize(x, mean, var, w, b, eps)


@jax.custom_vjp
def _scale_grad(x, scale):
    return x


def _scale_grad_fwd(x, scale):
    return x, scale


def _scale_grad_bwd(scale, g):
    return g * scale[..., None].astype(g.dtype), None


_scale_grad.defvjp(_scale_grad_fwd, _scale_grad_bwd)


def embedding(w, indices, *, padding_idx, scale_grad_by_freq):
    """Rows of w (num, dim) at integer indices (*) -> (*, dim), and whether any index is out of range.

    The gradient skips padding_idx and, with scale_grad_by_freq, divides by each index's count, as torch's.
    """
    num = w.shape[0]
    out_of_range = jnp.any((indices < 0) | (indices >= num))
    out = jnp.take(w, indices, axis=0, mode="clip")
    if padding_idx is None and not scale_grad_by_freq:
        return out, out_of_range
    scale = jnp.ones(indices.shape, w.dtype)
    if scale_grad_by_freq:
        scale = scale / jnp.bincount(indices.reshape(-1), length=num)[indices]
    if padding_idx is not None:
        scale = jnp.where(indices == padding_idx, 0, scale)
    return _scale_grad(out, scale), out_of_range


def embedding_renorm(w, indices, max_norm, *, norm_type):
    """w with the rows at indices rescaled to norm max_norm where their norm exceeds it (torch's
    embedding_renorm_: scale max_norm / (norm + 1e-7))."""
    rows = jnp.zeros(w.shape[0], bool).at[indices.reshape(-1)].set(True)
    norms = jnp.sum(jnp.abs(w) ** norm_type, axis=1) ** (1.0 / norm_type)
    scale = jnp.where(rows & (norms > max_norm), max_norm / (norms + 1e-7), 1.0)
    return w * scale[:, None].astype(w.dtype)


def one_hot(x, *, num_classes):
    return (x[..., None] == jnp.arange(num_classes)).astype(jnp.int64)


def softplus(x, beta, threshold):
    """log(1 + exp(beta x)) / beta, linear above threshold (torch's formula and switch point)."""
    scaled = x * beta
    return jnp.where(scaled > threshold, x, jnp.log1p(jnp.exp(jnp.minimum(scaled, threshold))) / beta)



_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(x):
    return _SELU_SCALE * elu(x, _SELU_ALPHA)


def celu(x, alpha):
    return alpha * elu(x / alpha, 1.0)


def mish(x):
    return x * jnp.tanh(jax.nn.softplus(x))


def softsign(x):
    return x / (1 + jnp.abs(x))


def logsigmoid(x):
    return -jax.nn.softplus(-x)


def tanhshrink(x):
    return x - jnp.tanh(x)


def glu(x, *, axis):
    a, b = jnp.split(x, 2, axis=axis)
    return a * jax.nn.sigmoid(b)
