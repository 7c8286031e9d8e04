"""Recurrent layers and nn.utils.rnn against torch: seeded parameters (names, shapes, order, values), repr,
forward outputs, final states and input/state/parameter gradients of RNN/LSTM/GRU and their cells for each
option, inter-layer dropout drawing torch's masks, PackedSequence input, the packing utilities, torch's errors,
and a short training loop giving torch's losses."""
import warnings

import pytest
import torch
import torch.nn.utils.rnn as trnn

import jtorch
import jtorch.nn.utils.rnn as jrnn
from conftest import assert_same, to_jt

TOL = dict(rtol=1e-5, atol=1e-5)


def nn_of(lib):
    return torch.nn if lib is torch else jtorch.nn


def seeded(name, *args, seed=0, **kwargs):
    """torch.nn.<name>(*args, **kwargs) and jtorch.nn.<name>(...), each built right after manual_seed(seed)."""
    torch.manual_seed(seed)
    expected = getattr(torch.nn, name)(*args, **kwargs)
    jtorch.manual_seed(seed)
    return expected, getattr(jtorch.nn, name)(*args, **to_jt(kwargs))


def leaf(x):
    return x.detach().requires_grad_(True)


def flat(out):
    """The tensors of a (nested) module output, PackedSequences by their data."""
    if isinstance(out, (trnn.PackedSequence, jrnn.PackedSequence)):
        return [out.data]
    if isinstance(out, (tuple, list)):
        return [t for o in out for t in flat(o)]
    return [out]


def assert_same_packed(got, expected):
    assert type(got).__name__ == "PackedSequence" and got._fields == expected._fields
    for g, e in zip(got, expected):
        assert (g is None) == (e is None)
        if e is not None:
            assert_same(g, e)


def check_forward_backward(t_module, j_module, t_inputs, **tol):
    """Both modules on the same inputs (Tensors, tuples of them, or None): outputs equal, then the gradients
    of every input and parameter for random cotangents on every output."""
    tol = tol or TOL
    j_inputs = [to_jt(x) for x in t_inputs]
    expected, got = t_module(*t_inputs), j_module(*j_inputs)
    t_out, j_out = flat(expected), flat(got)
    assert_same(j_out, t_out, **tol)
    t_out, j_out = zip(*[(t, j) for t, j in zip(t_out, j_out) if t.is_floating_point()])
    cotangents = [torch.randn(o.shape, dtype=o.dtype) for o in t_out]
    torch.autograd.backward(t_out, cotangents)
    jtorch.autograd.backward(j_out, [to_jt(c) for c in cotangents])
    t_leaves, j_leaves = ([t for t in flat(inputs) if t is not None] for inputs in (t_inputs, j_inputs))
    assert_same([j.grad for j in j_leaves], [t.grad for t in t_leaves], **tol)
    t_params, j_params = dict(t_module.named_parameters()), dict(j_module.named_parameters())
    assert list(j_params) == list(t_params)
    assert_same([p.grad for p in j_params.values()], [p.grad for p in t_params.values()], **tol)
    return got, expected


LAYERS = [  # (name, args, kwargs, unbatched)
    ("RNN", (3, 5), {}, False),
    ("RNN", (3, 4, 2, "relu"), dict(batch_first=True, bidirectional=True), False),
    ("GRU", (3, 5), dict(num_layers=2, bias=False), False),
    ("GRU", (4, 3), dict(bidirectional=True, batch_first=True), True),
    ("LSTM", (3, 5), {}, False),
    ("LSTM", (3, 4), dict(num_layers=3, bidirectional=True, batch_first=True, dtype=torch.float64), False),
    ("LSTM", (3, 6), dict(proj_size=2, num_layers=2, bidirectional=True, bias=False), True),
]


@pytest.mark.parametrize("name,args,kwargs,unbatched", LAYERS)
def test_seeded_parameters_repr_and_layout(name, args, kwargs, unbatched):
    """manual_seed(s) then the constructor gives torch's parameters: names, order, shapes, values, repr,
    all_weights and the flat weight names."""
    expected, got = seeded(name, *args, seed=3, **kwargs)
    t_state, j_state = expected.state_dict(), got.state_dict()
    assert list(j_state) == list(t_state)
    assert_same(list(j_state.values()), list(t_state.values()), rtol=0, atol=0)
    assert repr(got) == repr(expected)
    assert got._flat_weights_names == expected._flat_weights_names
    assert [[tuple(w.shape) for w in ws] for ws in got.all_weights] == \
        [[tuple(w.shape) for w in ws] for ws in expected.all_weights]
    assert got.flatten_parameters() is None


@pytest.mark.parametrize("name,args,kwargs,unbatched", LAYERS)
def test_forward_backward_with_torch_state_dict(name, args, kwargs, unbatched):
    """torch's state_dict loads into jtorch; with initial states given, outputs, final states and all
    gradients (input, initial states, parameters) equal torch's (float64: to double precision), for batched
    input or unbatched (T, in) input with (L*D, H) states."""
    t_module = getattr(torch.nn, name)(*args, **kwargs)
    j_module = getattr(jtorch.nn, name)(*args, **to_jt(kwargs))
    j_module.load_state_dict(to_jt(t_module.state_dict()))
    dtype = kwargs.get("dtype", torch.float32)
    batch = () if unbatched else (2,)
    x = leaf(torch.randn(*batch, 6, args[0], dtype=dtype))
    if not kwargs.get("batch_first"):
        x = leaf(x.transpose(0, -2))
    layers = kwargs.get("num_layers", args[2] if len(args) > 2 else 1) * (2 if kwargs.get("bidirectional") else 1)
    h0 = leaf(torch.randn(layers, *batch, kwargs.get("proj_size") or args[1], dtype=dtype))
    state = (h0, leaf(torch.randn(layers, *batch, args[1], dtype=dtype))) if name == "LSTM" else h0
    tol = dict(rtol=1e-10, atol=1e-12) if dtype is torch.float64 else TOL
    got, _ = check_forward_backward(t_module, j_module, [x, state], **tol)
    outputs = flat(got)
    assert all(o.grad_fn is outputs[0].grad_fn for o in outputs)  # the whole stack is one dispatch


@pytest.mark.parametrize("name,kwargs", [("LSTM", dict(bidirectional=True, batch_first=True)),
                                         ("GRU", dict(num_layers=3)), ("RNN", dict(dropout=1.0))])
def test_dropout_between_layers_draws_torch_masks(name, kwargs):
    """In training, dropout after every layer but the last consumes the default generator as torch's CPU
    implementation does, so the same seed drops the same activations; eval mode applies no dropout."""
    kwargs = dict(dict(num_layers=2, dropout=0.4), **kwargs)
    t_module, j_module = seeded(name, 3, 4, **kwargs)
    x = leaf(torch.randn(5, 2, 3))
    torch.manual_seed(7)
    jtorch.manual_seed(7)
    assert_same(j_module(to_jt(x))[0], t_module(x)[0], **TOL)
    assert_same(jtorch.rand(3), torch.rand(3))
    torch.manual_seed(7)
    jtorch.manual_seed(7)
    check_forward_backward(t_module, j_module, [x])
    t_module.eval()
    j_module.eval()
    assert_same(j_module(to_jt(x))[0], t_module(x)[0], **TOL)


def test_dropout_warning_and_repr():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        module = jtorch.nn.GRU(3, 4, dropout=0.2)
    assert [str(w.message) for w in caught] == [
        "dropout option adds dropout after all but last recurrent layer, so non-zero dropout expects num_layers "
        "greater than 1, but got dropout=0.2 and num_layers=1"]
    assert repr(module) == "GRU(3, 4, dropout=0.2)"


# ---- packed sequences -------------------------------------------------------------------------------------

@pytest.mark.parametrize("batch_first,enforce_sorted,lengths", [(False, True, [5, 3, 3, 1]),
                                                                (True, False, [2, 5, 1, 5]),
                                                                (False, False, torch.tensor([3, 1, 4, 2]))])
def test_pack_pad_round_trip(batch_first, enforce_sorted, lengths):
    """pack_padded_sequence gives torch's data, batch_sizes and indices (ties in sorted order as torch);
    pad_packed_sequence restores the padded batch (total_length, padding_value) and lengths; gradients flow."""
    x = leaf(torch.randn((4, 5, 2) if batch_first else (5, 4, 2)))
    xj = to_jt(x)
    expected = trnn.pack_padded_sequence(x, lengths, batch_first=batch_first, enforce_sorted=enforce_sorted)
    got = jrnn.pack_padded_sequence(xj, to_jt(lengths), batch_first=batch_first, enforce_sorted=enforce_sorted)
    assert_same_packed(got, expected)
    t_pad, t_len = trnn.pad_packed_sequence(expected, batch_first, padding_value=-2.0, total_length=7)
    j_pad, j_len = jrnn.pad_packed_sequence(got, batch_first, padding_value=-2.0, total_length=7)
    assert_same([j_pad, j_len], [t_pad, t_len])
    cotangent = torch.randn(t_pad.shape)
    (t_pad * cotangent).sum().backward()
    (j_pad * to_jt(cotangent)).sum().backward()
    assert_same(xj.grad, x.grad)


def test_pad_sequence_and_pack_sequence():
    """pad_sequence pads right or left, time- or batch-major, in the first sequence's dtype; pack_sequence,
    unpack_sequence and unpad_sequence as torch."""
    seqs = [leaf(torch.randn(n, 2)) for n in (2, 4, 1)]
    jseqs = [to_jt(s) for s in seqs]
    for kwargs in (dict(), dict(batch_first=True, padding_value=1.5, padding_side="left")):
        expected, got = trnn.pad_sequence(seqs, **kwargs), jrnn.pad_sequence(jseqs, **kwargs)
        assert_same(got, expected)
    cotangent = torch.randn(expected.shape)
    (expected * cotangent).sum().backward()
    (got * to_jt(cotangent)).sum().backward()
    assert_same([s.grad for s in jseqs], [s.grad for s in seqs])
    mixed = [torch.ones(3, 2), torch.arange(2.0).reshape(2, 1), torch.ones(1, 2, dtype=torch.float64)]
    assert_same(jrnn.pad_sequence(to_jt(mixed)), trnn.pad_sequence(mixed))
    ints = [torch.tensor([1, 2]), torch.tensor([3])]
    assert_same(jrnn.pad_sequence(to_jt(ints), padding_value=2.7), trnn.pad_sequence(ints, padding_value=2.7))
    assert_same(jrnn.pad_sequence(to_jt(torch.arange(6.0).reshape(2, 3))),
                trnn.pad_sequence(torch.arange(6.0).reshape(2, 3)))
    expected = trnn.pack_sequence(seqs, enforce_sorted=False)
    got = jrnn.pack_sequence(jseqs, enforce_sorted=False)
    assert_same_packed(got, expected)
    assert_same(jrnn.unpack_sequence(got), trnn.unpack_sequence(expected))
    padded = torch.randn(4, 3, 2)
    assert_same(jrnn.unpad_sequence(to_jt(padded), to_jt(torch.tensor([4, 1, 2]))),
                trnn.unpad_sequence(padded.clone(), torch.tensor([4, 1, 2])))
    converted = got.to(jtorch.float64)
    assert converted.data.dtype is jtorch.float64 and got.to(jtorch.float32) is got
    assert_same_packed(converted, expected.double())


@pytest.mark.parametrize("name,kwargs", [("LSTM", dict(num_layers=2, bidirectional=True, proj_size=2, dropout=0.3)),
                                         ("GRU", dict(bidirectional=True))])
def test_packed_input(name, kwargs):
    """A PackedSequence (unsorted lengths) runs through the stack: the packed output, and final states taken
    at each sequence's last step in the original batch order, and all gradients equal torch's; dropout
    masks are drawn on the packed activations as torch does."""
    t_module, j_module = seeded(name, 3, 4, **kwargs)
    x = leaf(torch.randn(6, 4, 3))
    layers = kwargs.get("num_layers", 1) * (2 if kwargs.get("bidirectional") else 1)
    h0 = leaf(torch.randn(layers, 4, kwargs.get("proj_size", 4)))
    state = (h0, leaf(torch.randn(layers, 4, 4))) if name == "LSTM" else h0

    class Packed:  # packs inside the forward, so the gradient reaches the padded input
        def __init__(self, module, lib):
            self.module, self.lib = module, lib

        def __call__(self, x, state):
            rnn = trnn if self.lib is torch else jrnn
            packed = rnn.pack_padded_sequence(x, [3, 6, 1, 4], enforce_sorted=False)
            out, final = self.module(packed, state)
            return rnn.pad_packed_sequence(out)[0], out.batch_sizes, out.unsorted_indices, final

        def named_parameters(self):
            return self.module.named_parameters()

    torch.manual_seed(5)
    jtorch.manual_seed(5)
    check_forward_backward(Packed(t_module, torch), Packed(j_module, jtorch), [x, state])


# ---- cells ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name,kwargs,batch", [("RNNCell", {}, 3), ("RNNCell", dict(nonlinearity="relu"), None),
                                               ("LSTMCell", {}, 3), ("LSTMCell", dict(bias=False), None),
                                               ("GRUCell", {}, 3), ("GRUCell", dict(bias=False), None)])
def test_cells(name, kwargs, batch):
    """Cells: seeded parameters and repr, and one step with gradients: batched from zero states, or 1-D
    with given states."""
    t_cell, j_cell = seeded(name, 4, 5, **kwargs)
    assert repr(j_cell) == repr(t_cell)
    assert_same(list(j_cell.state_dict().values()), list(t_cell.state_dict().values()), rtol=0, atol=0)
    if batch is not None:
        check_forward_backward(t_cell, j_cell, [leaf(torch.randn(batch, 4))])
        return
    h = leaf(torch.randn(5))
    state = (h, leaf(torch.randn(5))) if name == "LSTMCell" else h
    check_forward_backward(t_cell, j_cell, [leaf(torch.randn(4)), state])


# ---- errors -----------------------------------------------------------------------------------------------

def _lstm_hx(lib, shapes):
    return tuple(lib.zeros(s) for s in shapes)


ERRORS = [
    lambda lib: nn_of(lib).LSTM(3, 4)(lib.randn(5, 2, 4)),
    lambda lib: nn_of(lib).LSTM(3, 4)(lib.randn(5, 2, 2, 3)),
    lambda lib: nn_of(lib).LSTM(3, 4)(lib.randn(5, 2, 3), _lstm_hx(lib, [(1, 3, 4), (1, 3, 4)])),
    lambda lib: nn_of(lib).LSTM(3, 4)(lib.randn(5, 2, 3), _lstm_hx(lib, [(1, 2, 4), (2, 2, 4)])),
    lambda lib: nn_of(lib).LSTM(3, 4)(lib.randn(5, 2, 3), _lstm_hx(lib, [(2, 4), (1, 2, 4)])),
    lambda lib: nn_of(lib).LSTM(3, 4)(lib.randn(5, 3), _lstm_hx(lib, [(1, 4), (1, 1, 4)])),
    lambda lib: nn_of(lib).GRU(3, 4)(lib.randn(5, 2, 3), lib.zeros(1, 4, 4)),
    lambda lib: nn_of(lib).GRU(3, 4, batch_first=True)(lib.randn(5, 2, 3), lib.zeros(1, 2, 4)),
    lambda lib: nn_of(lib).RNN(3, 4, num_layers=2)(lib.randn(5, 3), lib.zeros(1, 4)),
    lambda lib: nn_of(lib).RNN(3, 4)(lib.randn(5, 2, 3), lib.zeros(2, 4)),
    lambda lib: nn_of(lib).RNN(3, 4)(lib.randn(5, 3), lib.zeros(1, 2, 4)),
    lambda lib: nn_of(lib).RNN(3, 4)(lib.randn(3)),
    lambda lib: nn_of(lib).GRU(3, 4)(lib.randn(5, 2, 3, dtype=lib.float64)),
    lambda lib: nn_of(lib).LSTMCell(3, 4)(lib.randn(2, 3), _lstm_hx(lib, [(3, 4), (2, 4)])),
    lambda lib: nn_of(lib).LSTMCell(3, 4)(lib.randn(2, 3), _lstm_hx(lib, [(2, 4), (2, 5)])),
    lambda lib: nn_of(lib).GRUCell(3, 4)(lib.randn(2, 5)),
    lambda lib: nn_of(lib).GRUCell(3, 4)(lib.randn(3), lib.zeros(1, 4)),
    lambda lib: nn_of(lib).GRUCell(3, 4)(lib.randn(2, 3, 3)),
    lambda lib: nn_of(lib).RNNCell(3, 4)(lib.randn(2, 3), lib.zeros(2, 4, 1)),
    lambda lib: nn_of(lib).RNNCell(3, 4)(lib.randn(2, 3, dtype=lib.float64)),
    lambda lib: nn_of(lib).RNNCell(3, 4, nonlinearity="sigmoid")(lib.randn(2, 3)),
    lambda lib: nn_of(lib).RNN(3, 4, nonlinearity="sigmoid"),
    lambda lib: nn_of(lib).GRU(3, 4, proj_size=2),
    lambda lib: nn_of(lib).LSTM(3, 4, proj_size=4),
    lambda lib: nn_of(lib).LSTM(3, 4, dropout=1.5),
    lambda lib: nn_of(lib).LSTM(3, 4, bias=1),
    lambda lib: nn_of(lib).LSTM(3.0, 4),
    lambda lib: nn_of(lib).LSTM(3, 0),
    lambda lib: nn_of(lib).LSTM(3, 2, num_layers=0),
    lambda lib: (trnn if lib is torch else jrnn).pad_sequence([]),
    lambda lib: (trnn if lib is torch else jrnn).pad_sequence(5),
    lambda lib: (trnn if lib is torch else jrnn).pad_sequence([lib.ones(2)], padding_side="middle"),
    lambda lib: (trnn if lib is torch else jrnn).pad_sequence([lib.ones(2, 2), lib.ones(3, 3)]),
    lambda lib: (trnn if lib is torch else jrnn).pad_sequence([lib.ones(3, 1), lib.ones(2, 2)]),
    lambda lib: (trnn if lib is torch else jrnn).pack_padded_sequence(lib.randn(5, 3, 2), [5, 3, 4]),
    lambda lib: (trnn if lib is torch else jrnn).pack_padded_sequence(lib.randn(5, 3, 2), [5, 3, 0],
                                                                       enforce_sorted=False),
    lambda lib: (trnn if lib is torch else jrnn).pack_padded_sequence(lib.randn(5, 3, 2), [5, 3]),
    lambda lib: (trnn if lib is torch else jrnn).pack_padded_sequence(lib.randn(5, 3, 2), lib.tensor([[5, 3, 2]])),
    lambda lib: (trnn if lib is torch else jrnn).pack_padded_sequence(lib.randn(0, 3, 2), [0, 0, 0]),
    lambda lib: (trnn if lib is torch else jrnn).pack_padded_sequence(lib.randn(3), [1, 1, 1]),
    lambda lib: (trnn if lib is torch else jrnn).pad_packed_sequence(
        (trnn if lib is torch else jrnn).pack_sequence([lib.ones(3), lib.ones(2)]), total_length=2),
]


@pytest.mark.parametrize("make", ERRORS)
def test_errors_as_torch(make):
    """Bad configurations, inputs and states raise torch's exception type with torch's message."""
    with pytest.raises(Exception) as expected:
        make(torch)
    with pytest.raises(type(expected.value)) as got:
        make(jtorch)
    assert str(got.value) == str(expected.value)


def test_lengths_beyond_input_raise():
    """torch reads past the input for a length above T; jtorch raises a RuntimeError instead."""
    with pytest.raises(RuntimeError):
        jrnn.pack_padded_sequence(jtorch.randn(5, 3, 2), [6, 3, 2])


# ---- training ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("optimizer", ["SGD", "Adam"])
def test_training_loop_matches_torch(optimizer):
    """A few steps of a seeded LSTM + Linear regressor with SGD or Adam give torch's losses."""
    def train(lib):
        lib.manual_seed(0)
        nn = nn_of(lib)
        lstm, head = nn.LSTM(3, 8, num_layers=2, batch_first=True), nn.Linear(8, 1)
        params = list(lstm.parameters()) + list(head.parameters())
        opt = getattr(lib.optim, optimizer)(params, lr=0.05)
        x, y = lib.randn(4, 6, 3), lib.randn(4, 1)
        losses = []
        for _ in range(4):
            opt.zero_grad()
            out, _ = lstm(x)
            loss = ((head(out[:, -1]) - y) ** 2).mean()
            loss.backward()
            opt.step()
            losses.append(loss.item())
        return losses

    assert train(jtorch) == pytest.approx(train(torch), rel=1e-5, abs=1e-6)


def test_packed_batches_of_one_bucket_share_one_compiled_stack(monkeypatch):
    """Packed batches of one batch size whose longest lengths round up to the same number of steps (5 and 6
    to 6) but whose total lengths differ reuse one compiled stack (the kernel is traced once), and each
    still gives torch's outputs and final states."""
    import jtorch._ops.rnn as kernels
    traces = []

    def counted(*args, **kwargs):
        traces.append(1)
        return recurrent(*args, **kwargs)
    recurrent = kernels.recurrent
    monkeypatch.setattr(kernels, "recurrent", counted)
    t_module, j_module = seeded("LSTM", 3, 4, bidirectional=True)
    for lengths in ([5, 3, 2], [5, 5, 1], [2, 6, 4], [6, 6, 6]):
        x = torch.randn(6, 3, 3)
        expected = t_module(trnn.pack_padded_sequence(x, lengths, enforce_sorted=False))
        with jtorch.no_grad():
            got = j_module(jrnn.pack_padded_sequence(to_jt(x), lengths, enforce_sorted=False))
        assert_same(flat(got), flat(expected), **TOL)
    assert len(traces) == 1


def test_pad_sequence_compiles_per_length_not_per_batch(monkeypatch):
    """Batches of sequences with the same longest length but different lengths stack with one compiled
    stack and pad each sequence with code compiled per (length, longest), and equal torch's."""
    import jtorch._ops.rnn as kernels
    traces = []

    def counted(*args, **kwargs):
        traces.append(len(args))
        return stack(*args, **kwargs)
    stack = kernels.stack_sequences
    monkeypatch.setattr(kernels, "stack_sequences", counted)
    for lengths in ([4, 2, 3], [3, 4, 1], [4, 4, 2]):
        seqs = [torch.randn(n, 2) for n in lengths]
        assert_same(jrnn.pad_sequence(to_jt(seqs), batch_first=True), trnn.pad_sequence(seqs, batch_first=True))
    assert traces == [3]
