"""More layers and losses against torch: embeddings and bags, group/instance/RMS/local-response norms, channel
and alpha dropout, interpolation, pixel shuffle, fold/unfold, the remaining activations, distances, margin
and likelihood losses and CTC. Each test runs torch and jtorch on the same input and compares values,
gradients (inputs and parameters), seeded initialisation, reprs and exception types."""
import warnings

import numpy as np
import pytest
import torch

import jtorch
from conftest import assert_raises_like, assert_same, assert_same_state, compare, run_both, seeded, to_jt


def F(m):
    return m.nn.functional


def dt(m, name):
    return getattr(m, name)


# ---- construction: seeded init, parameter names, repr ----------------------------------------------------------

MODULES = [
    lambda nn: nn.Embedding(10, 3, padding_idx=-2, max_norm=1.5, scale_grad_by_freq=True),
    lambda nn: nn.EmbeddingBag(10, 3, mode="max", padding_idx=2),
    lambda nn: nn.EmbeddingBag(6, 2, max_norm=2.0, norm_type=1.0, scale_grad_by_freq=True, mode="sum"),
    lambda nn: nn.GroupNorm(2, 4),
    lambda nn: nn.GroupNorm(3, 6, eps=1e-3, affine=False),
    lambda nn: nn.InstanceNorm1d(3),
    lambda nn: nn.InstanceNorm2d(3, affine=True, track_running_stats=True),
    lambda nn: nn.InstanceNorm3d(2, momentum=None, bias=False, affine=True),
    lambda nn: nn.RMSNorm([2, 4]),
    lambda nn: nn.RMSNorm(4, eps=1e-3, elementwise_affine=False),
    lambda nn: nn.LocalResponseNorm(3, alpha=1e-3, beta=0.5, k=2.0),
    lambda nn: nn.Dropout1d(0.3),
    lambda nn: nn.Dropout2d(),
    lambda nn: nn.Dropout3d(0.2, inplace=True),
    lambda nn: nn.AlphaDropout(0.2),
    lambda nn: nn.FeatureAlphaDropout(),
    lambda nn: nn.Upsample(scale_factor=2, mode="bilinear"),
    lambda nn: nn.Upsample(size=(3, 4), mode="nearest-exact"),
    lambda nn: nn.Upsample(scale_factor=(1.5, 2), mode="bicubic", align_corners=True),
    lambda nn: nn.UpsamplingNearest2d(scale_factor=2),
    lambda nn: nn.UpsamplingBilinear2d(size=5),
    lambda nn: nn.PixelShuffle(2),
    lambda nn: nn.PixelUnshuffle(3),
    lambda nn: nn.Fold(4, 2),
    lambda nn: nn.Unfold((2, 3), dilation=2, padding=1, stride=2),
    lambda nn: nn.PReLU(),
    lambda nn: nn.PReLU(3, init=0.1),
    lambda nn: nn.RReLU(0.1, 0.3, inplace=True),
    lambda nn: nn.Hardtanh(-2.0, 2.0),
    lambda nn: nn.Hardswish(),
    lambda nn: nn.Hardsigmoid(inplace=True),
    lambda nn: nn.Threshold(0.1, 20),
    lambda nn: nn.Softshrink(0.3),
    lambda nn: nn.Hardshrink(),
    lambda nn: nn.CosineSimilarity(dim=0),
    lambda nn: nn.PairwiseDistance(p=1, keepdim=True),
    lambda nn: nn.MarginRankingLoss(0.5),
    lambda nn: nn.HingeEmbeddingLoss(reduction="sum"),
    lambda nn: nn.CosineEmbeddingLoss(margin=0.2),
    lambda nn: nn.TripletMarginLoss(p=1, swap=True),
    lambda nn: nn.SoftMarginLoss(),
    lambda nn: nn.MultiLabelSoftMarginLoss(),
    lambda nn: nn.MultiLabelMarginLoss(reduction="none"),
    lambda nn: nn.MultiMarginLoss(p=2, margin=0.5),
    lambda nn: nn.PoissonNLLLoss(log_input=False, full=True),
    lambda nn: nn.GaussianNLLLoss(full=True, eps=1e-3),
    lambda nn: nn.CTCLoss(blank=1, zero_infinity=True),
]


@pytest.mark.parametrize("build", MODULES)
def test_construction_matches_torch(build):
    """Same seed, same parameters and buffers (names, order, values), same repr."""
    t_module, j_module = seeded(build, seed=3)
    assert repr(j_module) == repr(t_module)
    assert [n for n, _ in j_module.named_parameters()] == [n for n, _ in t_module.named_parameters()]
    assert_same_state(j_module, t_module)


def test_module_constructor_errors():
    for build in (lambda nn: nn.GroupNorm(3, 4), lambda nn: nn.EmbeddingBag(3, 2, padding_idx=3),
                  lambda nn: nn.MultiMarginLoss(p=3), lambda nn: nn.TripletMarginLoss(margin=0),
                  lambda nn: nn.Embedding.from_pretrained(torch.ones(3) if nn is torch.nn else jtorch.ones(3))):
        assert_raises_like(lambda: build(torch.nn), lambda: build(jtorch.nn))


# ---- embeddings -------------------------------------------------------------------------------------------

def test_embedding_padding_max_norm_and_frequency_scaling():
    """padding_idx gets no gradient, max_norm renormalises the looked-up rows in place, scale_grad_by_freq
    divides by each index's count."""
    t_module, j_module = seeded(lambda nn: nn.Embedding(8, 4, padding_idx=1, max_norm=1.0, norm_type=3.0,
                                                         scale_grad_by_freq=True))
    index = torch.tensor([[1, 3, 3, 0], [7, 3, 1, 0]])
    run_both(t_module, j_module, index)
    assert_same_state(j_module, t_module)


def test_embedding_from_pretrained_freezes():
    weight = torch.randn(5, 3)
    t_module = torch.nn.Embedding.from_pretrained(weight, padding_idx=0)
    j_module = jtorch.nn.Embedding.from_pretrained(to_jt(weight), padding_idx=0)
    assert not j_module.weight.requires_grad and repr(j_module) == repr(t_module)
    assert_same(j_module(to_jt(torch.tensor([0, 4]))), t_module(torch.tensor([0, 4])))
    t_bag = torch.nn.EmbeddingBag.from_pretrained(weight, freeze=False, mode="sum")
    j_bag = jtorch.nn.EmbeddingBag.from_pretrained(to_jt(weight), freeze=False, mode="sum")
    assert j_bag.weight.requires_grad
    run_both(t_bag, j_bag, torch.tensor([[0, 4], [2, 2]]))


BAGS = [
    dict(mode="mean"),
    dict(mode="sum", per_sample_weights=True),
    dict(mode="max"),
    dict(mode="mean", padding_idx=2),
    dict(mode="max", padding_idx=3),
    dict(mode="sum", include_last_offset=True),
    dict(mode="mean", scale_grad_by_freq=True, max_norm=0.5),
]


@pytest.mark.parametrize("options", BAGS)
def test_embedding_bag_matches_torch(options):
    """Bags from offsets (with an empty bag, repeated indices and tied rows) and from a 2-d input."""
    options = dict(options)
    weighted = options.pop("per_sample_weights", False)
    last = options.get("include_last_offset", False)
    torch.manual_seed(0)
    weight = torch.randn(6, 3)
    weight[4] = weight[5]
    index = torch.tensor([2, 3, 3, 2, 5, 4, 1, 0])
    offsets = torch.tensor([0, 3, 3, 6] + ([8] if last else []))
    samples = torch.rand(8) if weighted else None
    compare(lambda m, w, i, o, s: F(m).embedding_bag(i, w, o, per_sample_weights=s, **options), weight, index,
            offsets, samples, grad=True)
    if options["mode"] in ("sum", "max") and not options.get("padding_idx") and not last:
        compare(lambda m, w, i, s: F(m).embedding_bag(i, w, per_sample_weights=s, **options), weight,
                index.view(2, 4), None if samples is None else samples.view(2, 4), grad=True)


def test_embedding_bag_int32_indices_and_module():
    t_module, j_module = seeded(lambda nn: nn.EmbeddingBag(7, 2, mode="sum", padding_idx=0))
    run_both(t_module, j_module, torch.tensor([0, 1, 6, 6], dtype=torch.int32), torch.tensor([0, 2],
                                                                                               dtype=torch.int32))


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_embedding_bag_without_indices_or_bags(mode):
    """No indices: every bag is empty (zeros); a single offset with include_last_offset: no bags. torch's
    backward (and its max mode without bags) can crash here, so only the forward is compared with torch and the
    gradient checked to be zero."""
    weight = torch.randn(5, 3)
    compare(lambda m, w, i, o: F(m).embedding_bag(i, w, o, mode=mode), weight,
            torch.tensor([], dtype=torch.long), torch.tensor([0, 0]))
    if mode != "max":
        compare(lambda m, w, i, o: F(m).embedding_bag(i, w, o, mode=mode, include_last_offset=True), weight,
                torch.tensor([1, 2]), torch.tensor([0]))
    w = to_jt(weight, requires_grad=True)
    F(jtorch).embedding_bag(jtorch.tensor([1, 2]), w, jtorch.tensor([0]), mode=mode, include_last_offset=True
                            ).sum().backward()
    assert_same(w.grad, torch.zeros(5, 3))


EMBEDDING_ERRORS = [
    lambda m, w: F(m).embedding_bag(m.tensor([1, 2]), w, m.tensor([1])),
    lambda m, w: F(m).embedding_bag(m.tensor([1, 2]), w, m.tensor([0, 3])),
    lambda m, w: F(m).embedding_bag(m.tensor([1, 9]), w, m.tensor([0])),
    lambda m, w: F(m).embedding_bag(m.tensor([1, 2]), w),
    lambda m, w: F(m).embedding_bag(m.tensor([[1, 2]]), w, m.tensor([0])),
    lambda m, w: F(m).embedding_bag(m.tensor([1, 2]), w, m.tensor([0]), mode="max", scale_grad_by_freq=True),
    lambda m, w: F(m).embedding_bag(m.tensor([1, 2]), w, m.tensor([0]), per_sample_weights=m.ones(2)),
    lambda m, w: F(m).embedding_bag(m.tensor([1, 2]), w, m.tensor([0]), mode="sum", per_sample_weights=m.ones(3)),
    lambda m, w: F(m).embedding_bag(m.tensor([1, 2]), w, m.tensor([0]), mode="avg"),
    lambda m, w: F(m).embedding_bag(m.tensor([1, 2]), w, m.tensor([0]), padding_idx=5),
    lambda m, w: F(m).embedding_bag(m.tensor([1., 2.]), w, m.tensor([0])),
    lambda m, w: F(m).embedding(m.tensor([5]), w),
]


@pytest.mark.parametrize("call", EMBEDDING_ERRORS)
def test_embedding_errors(call):
    weight = torch.randn(5, 2)
    assert_raises_like(lambda: call(torch, weight), lambda: call(jtorch, to_jt(weight)))


# ---- normalization ------------------------------------------------------------------------------------------

NORMS = [
    (lambda m, x, w, b: F(m).group_norm(x, 2, w, b, eps=1e-3), (3, 4, 5)),
    (lambda m, x, w, b: F(m).group_norm(x, 4, w, None), (2, 4, 3, 2)),
    (lambda m, x, w, b: F(m).group_norm(x, 1), (2, 4)),
    (lambda m, x, w, b: F(m).instance_norm(x, weight=w, bias=b), (2, 4, 5)),
    (lambda m, x, w, b: F(m).instance_norm(x), (2, 4, 3, 3)),
    (lambda m, x, w, b: F(m).rms_norm(x, (5,)), (3, 4, 5)),
    (lambda m, x, w, b: F(m).rms_norm(x, (2,)), (3, 4, 2, 2)),
    (lambda m, x, w, b: F(m).rms_norm(x, (4, 5), w[:, None].expand(4, 5), eps=1e-2), (3, 4, 5)),
    (lambda m, x, w, b: F(m).local_response_norm(x, 3), (2, 4, 5)),
    (lambda m, x, w, b: F(m).local_response_norm(x, 2, alpha=0.1, beta=0.6, k=1.5), (2, 4, 3, 2)),
    (lambda m, x, w, b: F(m).local_response_norm(x, 4), (1, 5, 2, 2, 2)),
]


@pytest.mark.parametrize("call, shape", NORMS)
def test_norm_functions(call, shape):
    """Values and gradients of input, weight and bias (3-dim inputs in float64); rms_norm's default eps is the
    dtype's epsilon."""
    torch.manual_seed(1)
    dtype = torch.float64 if len(shape) == 3 else torch.float32
    compare(call, torch.randn(shape, dtype=dtype) * 3 + 1, torch.rand(4, dtype=dtype) + 0.5,
            torch.randn(4, dtype=dtype), grad=True)


@pytest.mark.parametrize("build, shape", [
    (lambda nn: nn.InstanceNorm1d(3, affine=True, track_running_stats=True, momentum=0.3), (2, 3, 5)),
    (lambda nn: nn.InstanceNorm2d(3, track_running_stats=True, momentum=None), (3, 4, 4)),
    (lambda nn: nn.InstanceNorm3d(2, affine=True), (2, 2, 2, 3, 2)),
    (lambda nn: nn.GroupNorm(2, 4), (3, 4, 2, 2)),
    (lambda nn: nn.RMSNorm((3,)), (2, 5, 3)),
    (lambda nn: nn.BatchNorm3d(3), (2, 3, 2, 3, 2)),
])
def test_norm_modules_train_and_eval(build, shape):
    """Training updates the running stats as torch (instance norm: the batch average of the per-instance
    updates); eval mode uses them."""
    t_module, j_module = seeded(build)
    torch.manual_seed(2)
    for _ in range(2):
        run_both(t_module, j_module, torch.randn(shape) * 2 + 1, rtol=1e-5, atol=1e-5)
    assert_same_state(j_module, t_module)
    t_module.eval()
    j_module.eval()
    run_both(t_module, j_module, torch.randn(shape), rtol=1e-5, atol=1e-5)


NORM_ERRORS = [
    lambda m, x: F(m).group_norm(x, 3),
    lambda m, x: F(m).group_norm(x[0, 0], 1),
    lambda m, x: F(m).group_norm(x[:1, :2, :1], 2),
    lambda m, x: F(m).group_norm(x, 2, m.ones(3)),
    lambda m, x: F(m).group_norm(x.long(), 2),
    lambda m, x: F(m).instance_norm(x[:, :, :1]),
    lambda m, x: F(m).instance_norm(x, use_input_stats=False),
    lambda m, x: F(m).instance_norm(x, m.zeros(3), m.ones(3)),
    lambda m, x: F(m).rms_norm(x, (4,)),
    lambda m, x: F(m).rms_norm(x, 5),
    lambda m, x: F(m).rms_norm(x, (5,), m.ones(4)),
    lambda m, x: F(m).local_response_norm(x[0], 2),
    lambda m, x: m.nn.InstanceNorm1d(3, affine=True)(x),
    lambda m, x: m.nn.InstanceNorm2d(4)(x[0]),
    lambda m, x: m.nn.BatchNorm3d(4)(x),
]


@pytest.mark.parametrize("call", NORM_ERRORS)
def test_norm_errors(call):
    x = torch.randn(2, 4, 5)
    assert_raises_like(lambda: call(torch, x), lambda: call(jtorch, to_jt(x)))


# ---- dropout ------------------------------------------------------------------------------------------------

DROPOUTS = [
    (lambda m, x: F(m).dropout1d(x, 0.4), (3, 5, 4)),
    (lambda m, x: F(m).dropout1d(x, 0.5, inplace=True), (6, 3)),
    (lambda m, x: F(m).dropout2d(x, 0.3), (2, 6, 3, 3)),
    (lambda m, x: F(m).dropout3d(x, 0.6), (2, 3, 2, 2, 2)),
    (lambda m, x: F(m).dropout3d(x, 0.5), (4, 2, 2, 2)),
    (lambda m, x: F(m).alpha_dropout(x, 0.3, training=True), (4, 7)),
    (lambda m, x: F(m).feature_alpha_dropout(x, 0.4, training=True), (3, 4, 3)),
    (lambda m, x: F(m).alpha_dropout(x, 1.0, training=True), (3, 2)),
    (lambda m, x: F(m).dropout2d(x, 1.0), (2, 2, 2, 2)),
    (lambda m, x: F(m).feature_alpha_dropout(x, 0.5), (2, 3)),
    (lambda m, x: m.nn.Dropout2d(0.5)(x), (3, 4, 2, 2)),
    (lambda m, x: m.nn.AlphaDropout(0.25)(x), (5, 3)),
    (lambda m, x: m.nn.FeatureAlphaDropout(0.25)(x), (5, 3, 2)),
]


@pytest.mark.parametrize("call, shape", DROPOUTS)
def test_dropout_variants_match_torch_stream(call, shape):
    """Same seed: same dropped channels/elements, same scaling, same gradient, and the generator left in the
    same state (the next draw matches). 2-dim inputs are float64."""
    x = torch.randn(shape, dtype=torch.float64 if len(shape) == 2 else torch.float32) + 0.1

    def seeded_call(m, x):
        m.manual_seed(7)
        out = call(m, x * 1)
        return out, m.rand(2)
    compare(seeded_call, x, grad=True)


def test_dropout_variants_identity_and_warnings():
    x = jtorch.randn(2, 3, 4)
    batch = x[None]
    assert jtorch.nn.functional.dropout2d(batch, 0.5, training=False) is batch
    assert jtorch.nn.functional.alpha_dropout(x, 0.5) is x
    assert jtorch.nn.functional.dropout1d(x, 0.0) is x
    assert jtorch.nn.functional.dropout3d(batch, 0.5, training=False, inplace=True) is batch
    for m, value in ((torch, torch.randn(2, 3)), (jtorch, x[0])):
        with pytest.warns(UserWarning, match="dropout2d: Received a 2-D input"):
            m.nn.functional.dropout2d(value, 0.5, training=False)
        with pytest.warns(UserWarning, match="Received a 3D input to dropout2d"):
            m.nn.functional.dropout2d(value[None], 0.5, training=False)


@pytest.mark.parametrize("call", [
    lambda m, x: F(m).dropout1d(x, 1.5),
    lambda m, x: F(m).dropout1d(x[0, 0], 0.5),
    lambda m, x: F(m).alpha_dropout(x, -0.1),
    lambda m, x: F(m).feature_alpha_dropout(x[0, 0], 0.5, training=True),
    lambda m, x: m.nn.Dropout3d(2.0),
])
def test_dropout_errors(call):
    x = torch.randn(2, 3, 4)
    assert_raises_like(lambda: call(torch, x), lambda: call(jtorch, to_jt(x)))


# ---- interpolation -------------------------------------------------------------------------------------------

INTERPOLATIONS = [
    ((2, 3, 5), dict(scale_factor=2)),
    ((2, 3, 5), dict(size=7, mode="nearest")),
    ((2, 3, 7), dict(scale_factor=0.6, mode="nearest-exact")),
    ((2, 3, 5), dict(size=8, mode="linear")),
    ((2, 3, 5), dict(scale_factor=1.7, mode="linear", align_corners=True)),
    ((2, 3, 6), dict(size=4, mode="area")),
    ((1, 2, 5, 4), dict(size=(7, 3), mode="nearest")),
    ((1, 2, 5, 4), dict(scale_factor=(1.7, 2.5), mode="nearest-exact")),
    ((1, 2, 5, 4), dict(scale_factor=1.7, mode="bilinear")),
    ((1, 2, 5, 4), dict(scale_factor=1.7, mode="bilinear", recompute_scale_factor=True)),
    ((1, 2, 5, 4), dict(size=(3, 7), mode="bilinear", align_corners=True)),
    ((1, 2, 5, 4), dict(size=(1, 1), mode="bilinear", align_corners=True)),
    ((1, 2, 5, 4), dict(scale_factor=2.3, mode="bicubic")),
    ((1, 2, 5, 4), dict(size=(4, 9), mode="bicubic", align_corners=True)),
    ((1, 2, 6, 5), dict(scale_factor=0.5, mode="area")),
    ((1, 2, 3, 4, 2), dict(scale_factor=(2, 0.5, 1.5), mode="nearest")),
    ((1, 2, 3, 4, 2), dict(size=(4, 3, 5), mode="trilinear")),
    ((1, 2, 3, 4, 2), dict(scale_factor=1.6, mode="trilinear", align_corners=True)),
    ((1, 2, 4, 4, 6), dict(size=(2, 3, 4), mode="area")),
]


@pytest.mark.parametrize("shape, options", INTERPOLATIONS)
def test_interpolate_matches_torch(shape, options):
    """torch's index and weight formulas: values and gradients to float rounding."""
    torch.manual_seed(4)
    compare(lambda m, x: F(m).interpolate(x, **options), torch.randn(shape), grad=True, rtol=1e-5, atol=1e-5)


def test_interpolate_nearest_uint8_and_upsample_modules():
    x = torch.randint(0, 255, (1, 2, 3, 3), dtype=torch.uint8)
    compare(lambda m, x: F(m).interpolate(x, scale_factor=1.5), x)
    y = torch.randn(2, 3, 4, 5)
    for build in (lambda nn: nn.UpsamplingBilinear2d(scale_factor=2), lambda nn: nn.UpsamplingNearest2d(size=7),
                  lambda nn: nn.Upsample(scale_factor=(0.5, 1.5), mode="bicubic")):
        run_both(*seeded(build), y, rtol=1e-5, atol=1e-5)


def test_deprecated_upsample_functions_warn_and_match():
    x = torch.randn(1, 2, 3, 3)
    for name, options in (("upsample", dict(scale_factor=2, mode="bilinear")), ("upsample_nearest", dict(size=5)),
                          ("upsample_bilinear", dict(scale_factor=1.5))):
        for m in (torch, jtorch):
            with pytest.warns(UserWarning, match=f"nn.functional.{name}` is deprecated"):
                getattr(F(m), name)(to_jt(x) if m is jtorch else x, **options)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compare(lambda m, x: getattr(F(m), name)(x, **options), x)


INTERPOLATION_ERRORS = [
    lambda m, x: F(m).interpolate(x, size=0),
    lambda m, x: F(m).interpolate(x, scale_factor=0.1),
    lambda m, x: F(m).interpolate(x, size=(2, 2.0)),
    lambda m, x: F(m).interpolate(x, size=(2, 2, 2)),
    lambda m, x: F(m).interpolate(x, scale_factor=(2, 2, 2)),
    lambda m, x: F(m).interpolate(x, size=2, scale_factor=2),
    lambda m, x: F(m).interpolate(x),
    lambda m, x: F(m).interpolate(x, size=3, align_corners=True),
    lambda m, x: F(m).interpolate(x, size=3, mode="linear"),
    lambda m, x: F(m).interpolate(x, size=3, mode="trilinear"),
    lambda m, x: F(m).interpolate(x[0], size=3, mode="bilinear"),
    lambda m, x: F(m).interpolate(x, size=3, mode="cubic"),
    lambda m, x: F(m).interpolate(x[0, 0], size=3),
    lambda m, x: F(m).interpolate(x, size=3, recompute_scale_factor=True),
    lambda m, x: F(m).interpolate(x.long(), size=3, mode="bilinear"),
    lambda m, x: F(m).interpolate(x, size=3, mode="nearest", antialias=True),
]


@pytest.mark.parametrize("call", INTERPOLATION_ERRORS)
def test_interpolate_errors(call):
    x = torch.randn(1, 2, 3, 3)
    assert_raises_like(lambda: call(torch, x), lambda: call(jtorch, to_jt(x)))


# ---- pixel shuffle, fold, unfold --------------------------------------------------------------------------------

SHUFFLES = [
    (lambda m, x: F(m).pixel_shuffle(x, 2), (2, 8, 3, 2)),
    (lambda m, x: F(m).pixel_shuffle(x, 3), (2, 1, 9, 2, 1)),
    (lambda m, x: F(m).pixel_unshuffle(x, 2), (3, 4, 6)),
    (lambda m, x: F(m).unfold(x, 2), (2, 3, 4, 5)),
    (lambda m, x: F(m).unfold(x, (2, 3), dilation=(2, 1), padding=1, stride=(1, 2)), (2, 2, 5, 6)),
    (lambda m, x: F(m).unfold(x, 3, padding=1), (2, 4, 3)),
    (lambda m, x: F(m).fold(x, (4, 5), 2), (2, 12, 12)),
    (lambda m, x: F(m).fold(x, 5, (2, 3), dilation=(2, 1), padding=1, stride=2), (1, 6, 9)),
    (lambda m, x: F(m).fold(x, (3, 3), 2, padding=1), (8, 16)),
]


@pytest.mark.parametrize("call, shape", SHUFFLES)
def test_shuffle_fold_unfold(call, shape):
    torch.manual_seed(5)
    compare(call, torch.randn(shape), grad=True)


@pytest.mark.parametrize("call", [
    lambda m, x: F(m).pixel_shuffle(x, 3),
    lambda m, x: F(m).pixel_shuffle(x[0, 0], 2),
    lambda m, x: F(m).pixel_shuffle(x, 0),
    lambda m, x: F(m).pixel_unshuffle(x, 4),
    lambda m, x: F(m).unfold(x[0, 0], 2),
    lambda m, x: F(m).unfold(x, 7),
    lambda m, x: F(m).unfold(x, 0),
    lambda m, x: F(m).fold(x[0], 4, 3),
    lambda m, x: F(m).fold(x[0, :, :, 0], 4, 2),
    lambda m, x: F(m).fold(x[0, :, :, :3], (2, 4), 2),
    lambda m, x: F(m).fold(x[..., 0], 3, 2, stride=0),
])
def test_shuffle_fold_errors(call):
    x = torch.randn(2, 4, 6, 6)
    assert_raises_like(lambda: call(torch, x), lambda: call(jtorch, to_jt(x)))


# ---- activations ------------------------------------------------------------------------------------------------

EDGES = [-5.0, -3.0, -1.0, -0.5, -0.2, 0.0, 0.2, 0.5, 1.0, 3.0, 6.0]

ACTIVATIONS = [
    lambda m, x: F(m).hardswish(x),
    lambda m, x: F(m).hardsigmoid(x),
    lambda m, x: F(m).threshold(x, 0.5, -2.0),
    lambda m, x: F(m).softshrink(x, 0.5),
    lambda m, x: F(m).hardshrink(x, 0.5),
    lambda m, x: F(m).hardtanh(x, -1.0, 3.0),
    lambda m, x: F(m).rrelu(x, 0.1, 0.4),
    lambda m, x: F(m).prelu(x, m.tensor([0.3], dtype=x.dtype)),
    lambda m, x: m.nn.Hardswish()(x * 1),
    lambda m, x: m.nn.Threshold(-0.2, 7.0, inplace=True)(x * 1),
    lambda m, x: m.nn.Hardsigmoid(inplace=True)(x * 1),
    lambda m, x: F(m).rrelu(x * 1, training=False, inplace=True),
]


@pytest.mark.parametrize("call", ACTIVATIONS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_activations_at_edges(call, dtype):
    """Values and gradients, including the kink points where torch's backward picks a side."""
    compare(call, torch.tensor(EDGES, dtype=getattr(torch, dtype)), grad=True)


def test_threshold_keeps_integer_dtype():
    compare(lambda m, x: F(m).threshold(x, 1, 7), torch.tensor([0, 1, 2, 3]))


@pytest.mark.parametrize("shape", [(4, 3, 2), (5, 3), (3,)])
def test_prelu_module_per_channel(shape):
    build = (lambda nn: nn.PReLU(3, init=0.2)) if len(shape) > 1 else (lambda nn: nn.PReLU())
    torch.manual_seed(6)
    run_both(*seeded(build), torch.randn(shape))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_rrelu_training_matches_torch_stream(dtype):
    """One uniform double per non-positive element, in order, from the default generator."""
    x = torch.randn(4, 6, dtype=getattr(torch, dtype))

    def call(m, x):
        m.manual_seed(11)
        out = m.nn.RReLU(0.05, 0.6)(x)
        return out, m.rand(3)
    compare(call, x, grad=True)


@pytest.mark.parametrize("call", [
    lambda m, x: F(m).softshrink(x, -1.0),
    lambda m, x: F(m).softshrink(x.long(), 0.5),
    lambda m, x: F(m).hardswish(x.long()),
    lambda m, x: F(m).rrelu(x, 0.5, 0.1),
    lambda m, x: F(m).prelu(x, m.ones(2)),
    lambda m, x: F(m).prelu(x, m.ones(1, 3)),
    lambda m, x: F(m).prelu(x, m.ones(3, dtype=m.float64)),
    lambda m, x: F(m).prelu(x[0, 0], m.ones(3)),
])
def test_activation_errors(call):
    x = torch.randn(2, 3)
    assert_raises_like(lambda: call(torch, x), lambda: call(jtorch, to_jt(x)))


# ---- distances --------------------------------------------------------------------------------------------------

DISTANCES = [
    (lambda m, a, b: F(m).cosine_similarity(a, b), (4, 3), (4, 3)),
    (lambda m, a, b: F(m).cosine_similarity(a, b, dim=-1, eps=0.5), (4, 3), (3,)),
    (lambda m, a, b: F(m).cosine_similarity(a * 0, b, dim=0), (4, 3), (4, 3)),
    (lambda m, a, b: m.nn.CosineSimilarity(dim=1)(a, b), (2, 5, 3), (2, 1, 3)),
    (lambda m, a, b: F(m).pairwise_distance(a, b), (4, 3), (4, 3)),
    (lambda m, a, b: F(m).pairwise_distance(a, b, p=1, keepdim=True), (4, 3), (3,)),
    (lambda m, a, b: F(m).pairwise_distance(a, b, p=3.0, eps=0.0), (2, 4, 3), (2, 4, 3)),
    (lambda m, a, b: F(m).pairwise_distance(a, b, p=float("inf")), (4, 3), (4, 3)),
    (lambda m, a, b: F(m).pairwise_distance(a, a, eps=0.0), (4, 3), (4, 3)),
    (lambda m, a, b: m.nn.PairwiseDistance(p=0.5)(a, b), (5,), (5,)),
]


@pytest.mark.parametrize("call, shape1, shape2", DISTANCES)
def test_distances(call, shape1, shape2):
    """Norm gradients are torch's (zero at a zero norm); eps clamps the norms without blocking gradients."""
    torch.manual_seed(8)
    compare(call, torch.randn(shape1), torch.randn(shape2), grad=True)


@pytest.mark.parametrize("call", [
    lambda m, a, b: F(m).cosine_similarity(a, b[:2]),
    lambda m, a, b: F(m).cosine_similarity(a.long(), b.long()),
    lambda m, a, b: F(m).cosine_similarity(a, b, dim=2),
    lambda m, a, b: F(m).pairwise_distance(a, b[:2]),
])
def test_distance_errors(call):
    a, b = torch.randn(3, 4), torch.randn(3, 4)
    assert_raises_like(lambda: call(torch, a, b), lambda: call(jtorch, to_jt(a), to_jt(b)))


# ---- margin and likelihood losses ----------------------------------------------------------------------------------

def _signs(*shape):
    return (torch.randint(0, 2, shape) * 2 - 1).float()


def _loss_cases():
    torch.manual_seed(9)
    x, y, z = torch.randn(4, 5), torch.randn(4, 5), torch.randn(4, 5)
    x[0, 0] = y[0, 0] + 1.0
    labels = torch.tensor([[3, 0, -1, 1, 2], [1, 2, 3, 4, 0], [-1, 1, 1, 1, 1], [4, 4, -1, 0, 0]])
    classes = torch.tensor([1, 0, 4, 4])
    return [
        (lambda m, a, b, t, r: F(m).margin_ranking_loss(a, b, t, margin=0.1, reduction=r), x[:, 0], y[:, 0],
         _signs(4)),
        (lambda m, a, b, t, r: F(m).margin_ranking_loss(a, b, t, reduction=r), x[0, :1], x[0, :1] - 0.0,
         torch.tensor([1.0])),
        (lambda m, a, t, r: F(m).hinge_embedding_loss(a, t, margin=0.8, reduction=r), x, _signs(4, 5)),
        (lambda m, a, b, t, r: F(m).cosine_embedding_loss(a, b, t, margin=0.1, reduction=r), x, y, _signs(4)),
        (lambda m, a, b, t, r: F(m).cosine_embedding_loss(a, b, t, reduction=r), x[0], y[0], torch.tensor(-1.0)),
        (lambda m, a, p, n, r: F(m).triplet_margin_loss(a, p, n, reduction=r), x, y, z),
        (lambda m, a, p, n, r: F(m).triplet_margin_loss(a, p, n, margin=0.5, p=1, swap=True, reduction=r), x, y,
         z),
        (lambda m, a, p, n, r: F(m).triplet_margin_loss(a, p, n, p=3, eps=0.0, reduction=r), x[0], y[0], z[0]),
        (lambda m, a, t, r: F(m).soft_margin_loss(a, t, reduction=r), x, _signs(4, 5).long()),
        (lambda m, a, t, r: F(m).multilabel_soft_margin_loss(a, t, reduction=r), x, torch.rand(4, 5)),
        (lambda m, a, t, w, r: F(m).multilabel_soft_margin_loss(a, t, weight=w, reduction=r), x, torch.rand(4, 5),
         torch.rand(5)),
        (lambda m, a, t, r: F(m).multilabel_margin_loss(a, t, reduction=r), x, labels),
        (lambda m, a, t, r: F(m).multilabel_margin_loss(a, t, reduction=r), x[1], labels[0]),
        (lambda m, a, t, r: F(m).multi_margin_loss(a, t, reduction=r), x, classes),
        (lambda m, a, t, w, r: F(m).multi_margin_loss(a, t, p=2, margin=0.7, weight=w.detach(), reduction=r), x,
         classes, torch.rand(5)),
        (lambda m, a, t, r: F(m).multi_margin_loss(a, t, reduction=r), x[2], classes[0]),
        (lambda m, a, t, r: F(m).poisson_nll_loss(a, t, reduction=r), x, torch.rand(4, 5) * 3),
        (lambda m, a, t, r: F(m).poisson_nll_loss(a, t, log_input=False, full=True, eps=1e-3, reduction=r),
         x.abs(), torch.rand(4, 5) * 3 + 0.5),
        (lambda m, a, t, v, r: F(m).gaussian_nll_loss(a, t, v, reduction=r), x, y, torch.rand(4, 5)),
        (lambda m, a, t, v, r: F(m).gaussian_nll_loss(a, t, v, full=True, eps=0.3, reduction=r), x, y,
         torch.rand(4, 1)),
        (lambda m, a, t, v, r: F(m).gaussian_nll_loss(a, t, v, reduction=r), x, y, torch.rand(4)),
        (lambda m, a, t, r: F(m).gaussian_nll_loss(a, t, 0.5, reduction=r), x, y),
    ]


LOSSES = _loss_cases()


@pytest.mark.parametrize("case", range(len(LOSSES)))
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_margin_and_likelihood_losses(case, reduction):
    """Values and gradients of every floating argument (weights and variances included)."""
    call, *args = LOSSES[case]
    compare(lambda m, *a: call(m, *a, reduction), *args, grad=True)


@pytest.mark.parametrize("build, inputs", [
    (lambda nn: nn.MarginRankingLoss(0.3), (torch.randn(5), torch.randn(5), _signs(5))),
    (lambda nn: nn.CosineEmbeddingLoss(reduction="sum"), (torch.randn(3, 4), torch.randn(3, 4), _signs(3))),
    (lambda nn: nn.TripletMarginLoss(margin=2.0), (torch.randn(3, 4), torch.randn(3, 4), torch.randn(3, 4))),
    (lambda nn: nn.MultiLabelSoftMarginLoss(), (torch.randn(3, 4), torch.rand(3, 4))),
    (lambda nn: nn.PoissonNLLLoss(), (torch.randn(3, 4), torch.rand(3, 4))),
    (lambda nn: nn.GaussianNLLLoss(), (torch.randn(3, 4), torch.randn(3, 4), torch.rand(3, 4))),
    (lambda nn: nn.SoftMarginLoss(reduction="none"), (torch.randn(3, 4), _signs(3, 4).long())),
])
def test_loss_modules(build, inputs):
    run_both(*seeded(build), *inputs)


LOSS_ERRORS = [
    lambda m, x, y: F(m).margin_ranking_loss(x, y, x[:, 0]),
    lambda m, x, y: F(m).margin_ranking_loss(x, y, y, reduction="avg"),
    lambda m, x, y: F(m).cosine_embedding_loss(x, y, m.ones(4, 1)),
    lambda m, x, y: F(m).cosine_embedding_loss(x, y, m.tensor(1.0)),
    lambda m, x, y: F(m).triplet_margin_loss(x, y, y, margin=0.0),
    lambda m, x, y: F(m).triplet_margin_loss(x, y[0], y),
    lambda m, x, y: F(m).soft_margin_loss(x, y[:, :3]),
    lambda m, x, y: F(m).soft_margin_loss(x, y.requires_grad_()),
    lambda m, x, y: F(m).multi_margin_loss(x, m.tensor([0, 1, 2, 3]), weight=m.ones(5, requires_grad=True)),
    lambda m, x, y: F(m).multilabel_soft_margin_loss(x, y, reduction="avg"),
    lambda m, x, y: F(m).multilabel_margin_loss(x, y),
    lambda m, x, y: F(m).multilabel_margin_loss(x, m.full((4, 5), 5)),
    lambda m, x, y: F(m).multilabel_margin_loss(x, m.zeros(3, 5, dtype=m.long)),
    lambda m, x, y: F(m).multilabel_margin_loss(x[None], m.zeros(1, 4, 5, dtype=m.long)),
    lambda m, x, y: F(m).multi_margin_loss(x, m.tensor([0, 1, 2, 5])),
    lambda m, x, y: F(m).multi_margin_loss(x, m.tensor([0, 1])),
    lambda m, x, y: F(m).multi_margin_loss(x, m.tensor([0, 1, 2, 3]), p=3),
    lambda m, x, y: F(m).multi_margin_loss(x, m.tensor([0, 1, 2, 3]), weight=m.ones(4)),
    lambda m, x, y: F(m).multi_margin_loss(x, m.tensor([0., 1, 2, 3])),
    lambda m, x, y: F(m).poisson_nll_loss(x, y, reduction="avg"),
    lambda m, x, y: F(m).gaussian_nll_loss(x, y, -m.ones(4, 5)),
    lambda m, x, y: F(m).gaussian_nll_loss(x, y, -1.0),
    lambda m, x, y: F(m).gaussian_nll_loss(x, y, m.ones(3, 5)),
    lambda m, x, y: F(m).gaussian_nll_loss(x, y, m.ones(4, 5), reduction="avg"),
]


@pytest.mark.parametrize("call", LOSS_ERRORS)
def test_loss_errors(call):
    x, y = torch.randn(4, 5), torch.randn(4, 5)
    assert_raises_like(lambda: call(torch, x, y), lambda: call(jtorch, to_jt(x), to_jt(y)))


# ---- CTC --------------------------------------------------------------------------------------------------------

def _ctc_inputs(dtype=torch.float32):
    torch.manual_seed(10)
    steps, batch, classes, width = 7, 4, 5, 4
    log_probs = torch.randn(steps, batch, classes, dtype=dtype).log_softmax(2)
    targets = torch.randint(1, classes, (batch, width))
    targets[1, 1] = targets[1, 0]
    input_lengths = torch.tensor([7, 6, 3, 5])
    target_lengths = torch.tensor([4, 3, 0, 2])
    return log_probs, targets, input_lengths, target_lengths


@pytest.mark.parametrize("layout, reduction", [("padded", "mean"), ("concatenated", "sum"), ("int32 lists", "none")])
def test_ctc_loss(layout, reduction):
    """Padded and concatenated targets, tensor or list lengths; gradients are torch's (exp(log_probs) - gamma,
    zero past each input length)."""
    log_probs, targets, input_lengths, target_lengths = _ctc_inputs()
    if layout == "concatenated":
        targets = torch.cat([row[:n] for row, n in zip(targets, target_lengths)])
    if layout == "int32 lists":
        targets, input_lengths, target_lengths = targets.int(), input_lengths.tolist(), target_lengths.tolist()
    compare(lambda m, lp, t, il, tl: F(m).ctc_loss(lp, t, il, tl, reduction=reduction), log_probs, targets,
            input_lengths, target_lengths, grad=True, rtol=1e-5, atol=1e-5)


def test_ctc_loss_unbatched_float64_blank_and_zero_infinity():
    log_probs, targets, input_lengths, target_lengths = _ctc_inputs(torch.float64)
    compare(lambda m, lp, t: F(m).ctc_loss(lp, t, m.tensor(7), m.tensor(3), blank=4), log_probs[:, 0],
            targets[0, :3] % 4, grad=True)
    impossible = torch.tensor([2, 5, 3, 5])
    repeated = torch.full((4, 4), 2)
    compare(lambda m, lp, t, il, tl: F(m).ctc_loss(lp, t, il, tl, reduction="none"), log_probs, repeated,
            impossible, target_lengths)
    compare(lambda m, lp, t, il, tl: m.nn.CTCLoss(zero_infinity=True)(lp, t, il, tl), log_probs, repeated,
            impossible, target_lengths, grad=True)


CTC_ERRORS = [
    lambda m, lp, t, il, tl: F(m).ctc_loss(lp, t, il, tl, blank=5),
    lambda m, lp, t, il, tl: F(m).ctc_loss(lp, t, il + 1, tl),
    lambda m, lp, t, il, tl: F(m).ctc_loss(lp, t, il[:3], tl),
    lambda m, lp, t, il, tl: F(m).ctc_loss(lp, t, il, tl[:3]),
    lambda m, lp, t, il, tl: F(m).ctc_loss(lp, t[:, :2], il, tl),
    lambda m, lp, t, il, tl: F(m).ctc_loss(lp, t.reshape(-1)[:5], il, tl),
    lambda m, lp, t, il, tl: F(m).ctc_loss(lp, t, il * 0 - 1, tl),
    lambda m, lp, t, il, tl: F(m).ctc_loss(lp, t, il.float(), tl),
    lambda m, lp, t, il, tl: F(m).ctc_loss(lp, t, il, tl, reduction="avg"),
    lambda m, lp, t, il, tl: F(m).ctc_loss(lp, t, tuple(il.tolist()), tl),
]


@pytest.mark.parametrize("call", CTC_ERRORS)
def test_ctc_errors(call):
    args = _ctc_inputs()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert_raises_like(lambda: call(torch, *args), lambda: call(jtorch, *to_jt(args)))


def test_ctc_matches_brute_force_probability():
    """The CTC likelihood is the total probability of the alignments that collapse to the target."""
    torch.manual_seed(12)
    log_probs = torch.randn(4, 1, 3, dtype=torch.float64).log_softmax(2)
    target = [1, 2]
    total = 0.0
    for path in np.ndindex(3, 3, 3, 3):
        collapsed = [c for i, c in enumerate(path) if c != 0 and (i == 0 or c != path[i - 1])]
        if collapsed == target:
            total += float(np.exp(sum(log_probs[t, 0, c].item() for t, c in enumerate(path))))
    got = jtorch.nn.functional.ctc_loss(to_jt(log_probs), jtorch.tensor([target]), [4], [2], reduction="sum")
    assert got.item() == pytest.approx(-np.log(total), rel=1e-12)


# ---- padding modules and autograd node names ---------------------------------------------------------------------

@pytest.mark.parametrize("build, shape", [
    (lambda nn: nn.ZeroPad1d((1, 2)), (2, 3, 4)),
    (lambda nn: nn.ZeroPad2d((1, 0, 2, -1)), (2, 3, 4)),
    (lambda nn: nn.ConstantPad1d(2, 3.5), (3, 4)),
    (lambda nn: nn.ConstantPad2d((0, 1, 2, 0), -1.0), (1, 2, 3, 3)),
    (lambda nn: nn.ReflectionPad1d((2, 1)), (2, 3, 4)),
    (lambda nn: nn.ReflectionPad2d(1), (1, 2, 3, 3)),
    (lambda nn: nn.ReplicationPad1d((0, 3)), (3, 4)),
    (lambda nn: nn.ReplicationPad2d((1, 2, 0, 1)), (1, 2, 3, 3)),
])
def test_padding_modules(build, shape):
    t_module, j_module = seeded(build)
    assert repr(j_module) == repr(t_module)
    run_both(t_module, j_module, torch.randn(shape))


GRAD_NAMES = [
    lambda m, x: F(m).interpolate(x, scale_factor=2, mode="bicubic"),
    lambda m, x: F(m).interpolate(x, size=3, mode="nearest-exact"),
    lambda m, x: F(m).pixel_unshuffle(x, 2),
    lambda m, x: F(m).unfold(x, 2),
    lambda m, x: F(m).group_norm(x, 2),
    lambda m, x: F(m).instance_norm(x),
    lambda m, x: F(m).local_response_norm(x, 2),
    lambda m, x: F(m).prelu(x, m.ones(1, dtype=x.dtype)),
    lambda m, x: F(m).hardswish(x),
    lambda m, x: F(m).softshrink(x),
    lambda m, x: F(m).cosine_similarity(x, x * 2),
    lambda m, x: F(m).pairwise_distance(x, x * 2),
    lambda m, x: F(m).alpha_dropout(x, 0.2, training=True),
    lambda m, x: F(m).poisson_nll_loss(x, x.detach().abs(), reduction="none"),
    lambda m, x: F(m).triplet_margin_loss(x, x * 2, x * 3, reduction="none"),
    lambda m, x: F(m).soft_margin_loss(x, x.detach().sign()),
]


@pytest.mark.parametrize("call", GRAD_NAMES)
def test_grad_fn_names(call):
    x = torch.randn(2, 4, 4, 4, requires_grad=True)
    assert call(jtorch, to_jt(x)).grad_fn.name() == call(torch, x).grad_fn.name()
