"""Attention and transformers against torch: F.scaled_dot_product_attention, F.multi_head_attention_forward,
nn.MultiheadAttention, the Transformer encoder/decoder layers and stacks, and nn.Transformer.

Modules are built under the same seed in both libraries (their initial parameters must agree), then
jtorch's loads torch's state_dict, and outputs plus input and parameter gradients are compared."""
import warnings

import pytest
import torch

import jtorch
from conftest import assert_raises_like, assert_same, assert_same_grads, assert_same_state, seeded, to_jt

TOL = dict(rtol=1e-4, atol=1e-5)


def loaded(build):
    """Seeded modules whose initial states agree exactly; jtorch's then loads torch's state_dict."""
    t_module, j_module = seeded(build)
    assert_same_state(j_module, t_module, rtol=0, atol=0)
    j_module.load_state_dict(to_jt(t_module.state_dict()))
    return t_module, j_module


def leaves(*tensors):
    """Float torch tensors as fresh leaves requiring grad, others unchanged, with their jtorch copies."""
    t = [x.detach().requires_grad_(x.is_floating_point()) if isinstance(x, torch.Tensor) else x for x in tensors]
    return t, [to_jt(x) for x in t]


COTANGENTS = torch.Generator().manual_seed(0)


def backward_both(expected, got):
    """Backpropagate the same random cotangents through every tensor output of both results (drawn from their
    own generator, so the default generators stay in step)."""
    outs_t = [o for o in (expected if isinstance(expected, tuple) else (expected,)) if o is not None]
    outs_j = [o for o in (got if isinstance(got, tuple) else (got,)) if o is not None]
    cotangents = [torch.randn(o.shape, generator=COTANGENTS) for o in outs_t]
    sum((o * c).sum() for o, c in zip(outs_t, cotangents)).backward()
    sum((o * to_jt(c)).sum() for o, c in zip(outs_j, cotangents)).backward()


def check_module(t_module, j_module, *inputs, grad=True, **kwargs):
    """Call both modules on the same inputs (keyword tensors too) and compare outputs and all gradients."""
    keys = list(kwargs)
    t_args, j_args = leaves(*inputs, *kwargs.values())
    n = len(inputs)
    expected = t_module(*t_args[:n], **dict(zip(keys, t_args[n:])))
    got = j_module(*j_args[:n], **dict(zip(keys, j_args[n:])))
    assert_same(got, expected, **TOL)
    if grad:
        backward_both(expected, got)
        tensors = [(j, t) for j, t in zip(j_args, t_args) if isinstance(t, torch.Tensor) and t.requires_grad]
        assert_same_grads([j for j, _ in tensors], [t for _, t in tensors], **TOL)
        assert_same_grads(list(j_module.parameters()), list(t_module.parameters()), **TOL)
    return got, expected


# ---- scaled_dot_product_attention -------------------------------------------------------------------------------

def sdpa(m):
    return m.nn.functional.scaled_dot_product_attention


# (keyword arguments, key/value (batch, heads, length)); the query is (2, 3, 4, 8)
SDPA_CASES = {
    "plain": (dict(), (2, 3, 5)),
    "bool-broadcast": (dict(attn_mask=torch.rand(4, 5) > 0.4), (2, 3, 5)),
    "float-4d": (dict(attn_mask=torch.randn(2, 1, 4, 5)), (2, 3, 5)),
    "causal-wide-gqa-scale": (dict(is_causal=True, enable_gqa=True, scale=0.3), (2, 1, 7)),
    "negative-scale-batch-broadcast": (dict(scale=-0.5), (1, 1, 5)),
}


@pytest.mark.parametrize("case", list(SDPA_CASES))
def test_sdpa_matches_torch(case):
    """Outputs and gradients (query, key, value, float mask) for mask kinds, causal, scale and broadcasting."""
    kwargs, kv_shape = dict(SDPA_CASES[case][0]), SDPA_CASES[case][1]
    q, k, v = torch.randn(2, 3, 4, 8), torch.randn(*kv_shape, 8), torch.randn(*kv_shape, 6)
    mask = kwargs.pop("attn_mask", None)
    (q, k, v, mask), (qj, kj, vj, mask_j) = leaves(q, k, v, mask)
    expected = sdpa(torch)(q, k, v, mask, **kwargs)
    got = sdpa(jtorch)(qj, kj, vj, mask_j, **kwargs)
    assert_same(got, expected, **TOL)
    backward_both(expected, got)
    tensors = [(j, t) for j, t in ((qj, q), (kj, k), (vj, v), (mask_j, mask)) if t is not None and t.requires_grad]
    assert_same_grads([j for j, _ in tensors], [t for _, t in tensors], **TOL)
    assert type(got.grad_fn).__name__ == type(expected.grad_fn).__name__


def test_sdpa_rows_attending_nowhere_are_zero_and_half_precision():
    q, k, v = torch.randn(3, 4, 8), torch.randn(3, 5, 8), torch.randn(3, 5, 8)
    mask = torch.rand(4, 5) > 0.5
    mask[1] = False
    (q, k, v), (qj, kj, vj) = leaves(q, k, v)
    expected, got = sdpa(torch)(q, k, v, mask), sdpa(jtorch)(qj, kj, vj, to_jt(mask))
    assert_same(got, expected, **TOL)
    assert not got[:, 1].detach().abs().sum().item()
    backward_both(expected, got)
    assert_same_grads([qj, kj, vj], [q, k, v], **TOL)
    half = [x.detach().to(torch.bfloat16) for x in (q, k, v)]
    assert_same(sdpa(jtorch)(*to_jt(half)), sdpa(torch)(*half), rtol=2e-2, atol=2e-2)


@pytest.mark.parametrize("p", [0.3, 1.0])
def test_sdpa_dropout_reproduces_torch_stream(p):
    """dropout_p > 0: torch's math path drops the probabilities with bernoulli_(1 - p) from the default
    generator; the same seed drops the same ones, and the generator ends in the same state."""
    q, k, v = torch.randn(2, 2, 4, 8), torch.randn(2, 2, 6, 8), torch.randn(2, 2, 6, 8)
    (q, k, v), (qj, kj, vj) = leaves(q, k, v)
    torch.manual_seed(5)
    jtorch.random.manual_seed(5)
    expected, got = sdpa(torch)(q, k, v, dropout_p=p), sdpa(jtorch)(qj, kj, vj, dropout_p=p)
    assert_same(got, expected, **TOL)
    assert_same(jtorch.rand(3), torch.rand(3), rtol=0, atol=0)
    backward_both(expected, got)
    assert_same_grads([qj, kj, vj], [q, k, v], **TOL)


SDPA_ERRORS = [
    lambda m, q, k, v: sdpa(m)(q, k, v, attn_mask=m.ones(4, 5, dtype=m.bool), is_causal=True),
    lambda m, q, k, v: sdpa(m)(q, k.double(), v),
    lambda m, q, k, v: sdpa(m)(q[0, 0, 0], k[0, 0, 0], v[0, 0, 0]),
    lambda m, q, k, v: sdpa(m)(q, k, v, attn_mask=m.zeros(4, 5, dtype=m.int64)),
    lambda m, q, k, v: sdpa(m)(q, k, v, attn_mask=m.zeros(4, 5, dtype=m.float64)),
    lambda m, q, k, v: sdpa(m)(q, k, v, attn_mask=m.zeros(3, 5)),
    lambda m, q, k, v: sdpa(m)(q, k, v, attn_mask=m.zeros(1, 2, 3, 4, 5)),
    lambda m, q, k, v: sdpa(m)(q, k, v, attn_mask=m.zeros(5)),
    lambda m, q, k, v: sdpa(m)(q, k[..., :7], v),
    lambda m, q, k, v: sdpa(m)(q, k, v[:, :, :4]),
    lambda m, q, k, v: sdpa(m)(q, k[:, :2], v[:, :2], enable_gqa=True),
    lambda m, q, k, v: sdpa(m)(q, k, v, dropout_p=1.5),
    lambda m, q, k, v: sdpa(m)(q, k, v, is_causal=1),
    lambda m, q, k, v: sdpa(m)(q, k, v, 0.5),
    lambda m, q, k, v: sdpa(m)(q.int(), k.int(), v.int()),
]


def test_sdpa_errors_match_torch():
    args = torch.randn(2, 3, 4, 8), torch.randn(2, 3, 5, 8), torch.randn(2, 3, 5, 6)
    for call in SDPA_ERRORS:
        assert_raises_like(lambda: call(torch, *args), lambda: call(jtorch, *to_jt(args)))


# ---- MultiheadAttention -----------------------------------------------------------------------------------------

MHA_BUILDS = {
    "default": dict(),
    "kdim-vdim-bias-kv": dict(kdim=6, vdim=3, add_bias_kv=True, batch_first=True),
    "zero-attn-no-bias": dict(bias=False, add_zero_attn=True),
    "all-extras": dict(add_bias_kv=True, add_zero_attn=True, kdim=5),
}


@pytest.mark.parametrize("name", list(MHA_BUILDS))
def test_mha_parameters_and_init_match_torch(name):
    t_module, j_module = seeded(lambda nn: nn.MultiheadAttention(8, 2, **MHA_BUILDS[name]))
    assert [n for n, _ in j_module.named_parameters()] == [n for n, _ in t_module.named_parameters()]
    assert_same_state(j_module, t_module, rtol=0, atol=0)
    assert repr(j_module) == repr(t_module)
    assert_same(jtorch.rand(3), torch.rand(3), rtol=0, atol=0)


def bool_padding(batch, length):
    mask = torch.zeros(batch, length, dtype=torch.bool)
    mask[0, -2:] = True
    return mask


# (constructor kwargs, unbatched, forward kwargs); seq-first shapes (L=4, S=5, N=3) unless batch_first
MHA_CASES = {
    "weights-averaged-dropout": (dict(dropout=0.4), False, dict()),
    "bool-masks-batch-first-dropout": (dict(batch_first=True, dropout=0.4), False,
                                       dict(key_padding_mask=bool_padding(3, 5), attn_mask=torch.rand(4, 5) > 0.8,
                                            need_weights=False)),
    "float-masks-per-head-weights": (dict(), False,
                                     dict(key_padding_mask=torch.randn(3, 5), attn_mask=torch.randn(6, 4, 5),
                                          average_attn_weights=False)),
    "kdim-vdim-bias-kv-zero-attn": (dict(kdim=6, vdim=3, add_bias_kv=True, add_zero_attn=True), False,
                                    dict(key_padding_mask=bool_padding(3, 5), attn_mask=torch.rand(4, 5) > 0.8)),
    "unbatched-no-bias-zero-attn": (dict(bias=False, add_zero_attn=True), True,
                                    dict(attn_mask=torch.rand(2, 4, 5) > 0.8, need_weights=False)),
    "unbatched-batch-first-weights": (dict(batch_first=True), True,
                                      dict(key_padding_mask=torch.tensor([0, 0, 0, 1, 0]) > 0)),
}


def mha_inputs(kdim, vdim, unbatched, batch_first):
    shapes = [(4, 3, 8), (5, 3, kdim), (5, 3, vdim)]
    if unbatched:
        shapes = [(s[0], s[2]) for s in shapes]
    elif batch_first:
        shapes = [(s[1], s[0], s[2]) for s in shapes]
    return [torch.randn(s) for s in shapes]


@pytest.mark.parametrize("name", list(MHA_CASES))
def test_mha_forward_backward_matches_torch(name):
    """Outputs, weights and gradients; with dropout the same seed drops the same attention weights (torch's
    dropout stream) and leaves the generators in the same state."""
    build, unbatched, kwargs = MHA_CASES[name]
    t_module, j_module = loaded(lambda nn: nn.MultiheadAttention(8, 2, **build))
    inputs = mha_inputs(build.get("kdim", 8), build.get("vdim", 8), unbatched, build.get("batch_first", False))
    torch.manual_seed(7)
    jtorch.random.manual_seed(7)
    got, expected = check_module(t_module, j_module, *inputs, **kwargs)
    assert (got[1] is None) == (expected[1] is None)
    assert type(got[0].grad_fn).__name__ == type(expected[0].grad_fn).__name__
    assert_same(jtorch.rand(3), torch.rand(3), rtol=0, atol=0)


def test_mha_eval_without_grad_matches_torch_fast_path():
    """In eval mode without grad torch takes its fused fast path; jtorch's general path gives its results."""
    t_module, j_module = loaded(lambda nn: nn.MultiheadAttention(8, 2, batch_first=True, dropout=0.5))
    t_module.eval()
    j_module.eval()
    x, padding = torch.randn(3, 5, 8), bool_padding(3, 5)
    with torch.no_grad(), jtorch.no_grad():
        xj = to_jt(x)
        assert_same(j_module(xj, xj, xj, key_padding_mask=to_jt(padding)),
                    t_module(x, x, x, key_padding_mask=padding), **TOL)


def test_multi_head_attention_forward_functional():
    """The functional form with separate projection weights and static keys/values."""
    torch.manual_seed(0)
    weights = [torch.randn(8, 8) * 0.3 for _ in range(4)] + [torch.randn(24) * 0.1, torch.randn(8) * 0.1]
    q, k, v = torch.randn(4, 3, 8), torch.randn(5, 3, 8), torch.randn(5, 3, 8)
    static_k, static_v = torch.randn(6, 7, 4), torch.randn(6, 7, 4)

    def call(m, q, k, v, wq, wk, wv, wo, b_in, b_out, static_k, static_v):
        return m.nn.functional.multi_head_attention_forward(
            q, k, v, 8, 2, None, b_in, None, None, False, 0.0, wo, b_out, use_separate_proj_weight=True,
            q_proj_weight=wq, k_proj_weight=wk, v_proj_weight=wv, static_k=static_k, static_v=static_v,
            key_padding_mask=m.zeros(3, 7))
    t_args, j_args = leaves(q, k, v, *weights, static_k, static_v)
    expected, got = call(torch, *t_args), call(jtorch, *j_args)
    assert_same(got, expected, **TOL)
    backward_both(expected, got)
    assert_same_grads(j_args, t_args, **TOL)


MHA_ERRORS = [
    lambda m, x: m.nn.MultiheadAttention(8, 3),
    lambda m, x: m.nn.MultiheadAttention(0, 2),
    lambda m, x: m.nn.MultiheadAttention(8, 2)(x, x, x, attn_mask=m.zeros(5, 5, dtype=m.int64)),
    lambda m, x: m.nn.MultiheadAttention(8, 2)(x, x, x, attn_mask=m.zeros(5, 4)),
    lambda m, x: m.nn.MultiheadAttention(8, 2)(x, x, x, attn_mask=m.zeros(5, 5, 5)),
    lambda m, x: m.nn.MultiheadAttention(8, 2)(x, x, x, attn_mask=m.zeros(5)),
    lambda m, x: m.nn.MultiheadAttention(8, 2)(x, x, x, attn_mask=m.zeros(5, 5, dtype=m.float64)),
    lambda m, x: m.nn.MultiheadAttention(8, 2)(x, x, x, key_padding_mask=m.zeros(3, 4)),
    lambda m, x: m.nn.MultiheadAttention(8, 2)(x, x, x, key_padding_mask=m.zeros(2, 5)),
    lambda m, x: m.nn.MultiheadAttention(8, 2)(x, x, x, is_causal=True),
    lambda m, x: m.nn.MultiheadAttention(8, 2)(x, x[:4], x),
    lambda m, x: m.nn.MultiheadAttention(8, 2)(x[..., :6], x[..., :6], x[..., :6]),
    lambda m, x: m.nn.MultiheadAttention(8, 2)(x[0, 0], x[0, 0], x[0, 0]),
    lambda m, x: m.nn.MultiheadAttention(8, 2)(x[:, 0], x, x),
    lambda m, x: m.nn.MultiheadAttention(8, 2)(x[:, 0], x[:, 0], x[:, 0], attn_mask=m.zeros(3, 5, 5)),
    lambda m, x: m.nn.MultiheadAttention(8, 2, kdim=4, vdim=6)(x, x[:4, :, :4], x[..., :6]),
    lambda m, x: m.nn.MultiheadAttention(8, 2, dropout=1.5)(x, x, x),
    lambda m, x: m.nn.MultiheadAttention(8, 2, dropout=1.5)(x, x, x, need_weights=False),
]


def test_mha_errors_and_mask_warning_match_torch():
    x = torch.randn(5, 3, 8)
    for call in MHA_ERRORS:
        assert_raises_like(lambda: call(torch, x), lambda: call(jtorch, to_jt(x)))
    for m, xs in ((torch, x), (jtorch, to_jt(x))):
        with pytest.warns(UserWarning, match="mismatched key_padding_mask and attn_mask"):
            m.nn.MultiheadAttention(8, 2)(xs, xs, xs, key_padding_mask=m.zeros(3, 5, dtype=m.bool),
                                          attn_mask=m.zeros(5, 5))


# ---- transformer layers and stacks ------------------------------------------------------------------------------

# Layers and stacks share the shapes d_model 8, 2 heads, feed-forward 16, source length 5, target length 4, batch 3.
LAYER_CASES = {
    "post-norm-callable-dropout": dict(activation=lambda x: x.tanh(), dropout=0.3),
    "batch-first-pre-norm-gelu-dropout": dict(batch_first=True, norm_first=True, activation="gelu", dropout=0.3),
    "module-activation-no-bias": dict(activation="module", bias=False, layer_norm_eps=1e-3),
}


def layer_build(kind, case):
    def build(nn):
        kwargs = dict(LAYER_CASES[case])
        if kwargs.get("activation") == "module":
            kwargs["activation"] = nn.GELU()
        return getattr(nn, kind)(8, 2, dim_feedforward=16, dropout=kwargs.pop("dropout", 0.0), **kwargs)
    return build


def seq(length, batch_first):
    return torch.randn((3, length, 8) if batch_first else (length, 3, 8))


@pytest.mark.parametrize("case", list(LAYER_CASES))
def test_encoder_layer_matches_torch(case):
    """Same-seed init, repr, then outputs and gradients with masks (and torch's dropout stream)."""
    t_module, j_module = loaded(layer_build("TransformerEncoderLayer", case))
    assert repr(j_module) == repr(t_module)
    src, src_mask = seq(5, LAYER_CASES[case].get("batch_first", False)), torch.rand(5, 5) > 0.8
    torch.manual_seed(1)
    jtorch.random.manual_seed(1)
    check_module(t_module, j_module, src, src_mask=src_mask, src_key_padding_mask=bool_padding(3, 5))


@pytest.mark.parametrize("case", list(LAYER_CASES))
def test_decoder_layer_matches_torch(case):
    t_module, j_module = loaded(layer_build("TransformerDecoderLayer", case))
    batch_first = LAYER_CASES[case].get("batch_first", False)
    tgt, memory = seq(4, batch_first), seq(5, batch_first)
    torch.manual_seed(2)
    jtorch.random.manual_seed(2)
    check_module(t_module, j_module, tgt, memory, tgt_mask=torch.nn.Transformer.generate_square_subsequent_mask(4),
                 memory_key_padding_mask=bool_padding(3, 5), tgt_is_causal=True)


@pytest.mark.filterwarnings("ignore:The PyTorch API of nested tensors")
def test_encoder_eval_nested_path_zeroes_padding():
    """In eval mode without grad, torch's encoder runs on a nested tensor: padded outputs are 0 before norm."""
    t_module, j_module = loaded(lambda nn: nn.TransformerEncoder(
        nn.TransformerEncoderLayer(8, 2, 16, batch_first=True), 2))
    t_module.eval()
    j_module.eval()
    src = seq(5, True)
    padding = bool_padding(3, 5)
    padding[2, -1] = True
    with torch.no_grad(), jtorch.no_grad():
        got = j_module(to_jt(src), src_key_padding_mask=to_jt(padding))
        expected = t_module(src, src_key_padding_mask=padding)
    assert_same(got, expected, **TOL)
    assert not got[0, -2:].abs().sum().item()
    check_module(t_module, j_module, src, src_key_padding_mask=padding)


def test_encoder_nested_tensor_warning_and_activation_error():
    for m in (torch, jtorch):
        with pytest.warns(UserWarning, match="batch_first was not True"):
            m.nn.TransformerEncoder(m.nn.TransformerEncoderLayer(8, 2, 16), 1)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            m.nn.TransformerEncoder(m.nn.TransformerEncoderLayer(8, 2, 16), 1, enable_nested_tensor=False)
    assert_raises_like(lambda: torch.nn.TransformerEncoderLayer(8, 2, activation="tanh"),
                       lambda: jtorch.nn.TransformerEncoderLayer(8, 2, activation="tanh"))


def test_transformer_init_forward_and_mask():
    """nn.Transformer re-initialises >1-dim parameters with xavier_uniform_, as torch."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t_module, j_module = loaded(lambda nn: nn.Transformer(8, 2, 2, 1, 16, dropout=0.0, batch_first=True))
    assert_same(jtorch.rand(3), torch.rand(3), rtol=0, atol=0)
    assert_same(jtorch.nn.Transformer.generate_square_subsequent_mask(4),
                torch.nn.Transformer.generate_square_subsequent_mask(4), rtol=0, atol=0)
    src, tgt = seq(5, True), seq(4, True)
    tgt_mask = torch.nn.Transformer.generate_square_subsequent_mask(4)
    check_module(t_module, j_module, src, tgt, tgt_mask=tgt_mask, src_key_padding_mask=bool_padding(3, 5),
                 memory_key_padding_mask=bool_padding(3, 5))
    t_module.eval()
    j_module.eval()
    check_module(t_module, j_module, src, tgt, tgt_mask=tgt_mask, grad=False)
    assert_raises_like(lambda: t_module(src, tgt[:1]), lambda: j_module(to_jt(src), to_jt(tgt[:1])))


def test_tiny_transformer_classifier_trains_like_torch():
    """A few Adam steps of an embedding + encoder stack + linear classifier, with dropout, a causal mask (which
    the encoder detects) and a padding mask, give torch's losses and parameters. The stack deep-copies its
    layer, so both layers start equal."""
    def build(nn):
        class Classifier(nn.Module):
            def __init__(self):
                super().__init__()
                self.embed = nn.Embedding(11, 8)
                self.encoder = nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16, dropout=0.1), 2,
                                                     norm=nn.LayerNorm(8), enable_nested_tensor=False)
                self.head = nn.Linear(8, 3)

            def forward(self, tokens, mask, padding):
                return self.head(self.encoder(self.embed(tokens.t()), mask, padding).mean(0))
        return Classifier()
    t_model, j_model = loaded(build)
    assert_same(j_model.state_dict()["encoder.layers.1.linear1.weight"],
                t_model.state_dict()["encoder.layers.0.linear1.weight"], rtol=0, atol=0)
    padding = torch.zeros(3, 5)
    padding[0, -2:] = float("-inf")
    batch = (torch.randint(0, 11, (3, 5)), torch.nn.Transformer.generate_square_subsequent_mask(5), padding,
             torch.randint(0, 3, (3,)))
    losses = {}
    for m, model in ((torch, t_model), (jtorch, j_model)):
        m.manual_seed(3)
        optimizer = m.optim.Adam(model.parameters(), lr=1e-2)
        tokens, mask, padding, labels = to_jt(batch) if m is jtorch else batch
        losses[m] = []
        for _ in range(3):
            optimizer.zero_grad()
            loss = m.nn.functional.cross_entropy(model(tokens, mask, padding), labels)
            loss.backward()
            optimizer.step()
            losses[m].append(loss.item())
    assert losses[jtorch] == pytest.approx(losses[torch], rel=1e-5, abs=1e-6)
    for name, value in t_model.state_dict().items():
        got = j_model.state_dict()[name]
        if name.endswith("in_proj_bias"):
            # The key bias shifts every score of a query equally, so softmax cancels it: its gradient is
            # rounding noise, which Adam scales up to lr-sized steps of arbitrary sign in both libraries.
            got, value = jtorch.cat([got[:8], got[16:]]), torch.cat([value[:8], value[16:]])
        assert_same(got, value, **TOL)
