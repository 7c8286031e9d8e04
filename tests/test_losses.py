"""Losses against torch: values, dtypes, reductions, input/target/weight gradients, grad_fn names, warnings,
errors, and the loss modules' constructors, attributes, buffers and reprs."""
import warnings

import pytest
import torch

import jtorch
import jtorch.nn._functional_losses as losses
from conftest import assert_same, to_jt

REDUCTIONS = ["none", "mean", "sum"]


def make(shape, dtype=torch.float32, seed=0, low=None, high=None):
    """Random floats: normal, or uniform in [low, high]."""
    g = torch.Generator().manual_seed(seed)
    if low is None:
        return torch.randn(shape, generator=g, dtype=dtype)
    return low + (high - low) * torch.rand(shape, generator=g, dtype=dtype)


def classes(shape, n_classes, seed=1, ignore=None):
    """Random class-index targets; every third one set to `ignore` when given."""
    t = torch.randint(0, n_classes, shape, generator=torch.Generator().manual_seed(seed))
    if ignore is not None:
        t.view(-1)[::3] = ignore
    return t


def check_loss(name, *args, grad=("input",), rtol=None, atol=None, **kwargs):
    """F.<name>(*args, **kwargs) under torch and jtorch: same value, dtype and shape; then the same grad_fn name
    and the same gradients w.r.t. the arguments named in `grad` ("input", "target" or a keyword)."""
    names = ("input", "target") + tuple(kwargs)
    t_args = [a.detach().clone().requires_grad_(n in grad) if isinstance(a, torch.Tensor) else a
              for n, a in zip(names, args + tuple(kwargs.values()))]
    j_args = to_jt(t_args)
    n = len(args)
    expected = getattr(torch.nn.functional, name)(*t_args[:n], **dict(zip(names[n:], t_args[n:])))
    got = getattr(jtorch.nn.functional, name)(*j_args[:n], **dict(zip(names[n:], j_args[n:])))
    assert_same(got, expected, rtol, atol)
    if grad:
        assert got.grad_fn.name() == expected.grad_fn.name()
        g = torch.randn(expected.shape, dtype=expected.dtype, generator=torch.Generator().manual_seed(2))
        expected.backward(g)
        got.backward(to_jt(g))
        for t, j in zip(t_args, j_args):
            if isinstance(t, torch.Tensor) and t.requires_grad:
                assert_same(j.grad, t.grad, rtol, atol)
    return got, expected


# ---- regression losses -------------------------------------------------------------------------------------

# Each reduction once, in float32 or float64 (each case compiles; this keeps them few).
REDUCTION_DTYPES = [("none", torch.float64), ("mean", torch.float32), ("sum", torch.float64)]
REGRESSION = [("mse_loss", {}), ("l1_loss", {}), ("smooth_l1_loss", {}), ("smooth_l1_loss", {"beta": 0.5}),
              ("smooth_l1_loss", {"beta": 0.0}), ("huber_loss", {}), ("huber_loss", {"delta": 0.3})]


def _ids(value):
    return str(value).replace("torch.", "")


@pytest.mark.parametrize("reduction,dtype", REDUCTION_DTYPES, ids=_ids)
@pytest.mark.parametrize("name,options", REGRESSION, ids=_ids)
def test_regression_losses(name, options, reduction, dtype):
    """Values and gradients w.r.t. input and target; both branches of smooth L1 and Huber are hit."""
    check_loss(name, make((4, 5), dtype), make((4, 5), dtype, seed=3), grad=("input", "target"),
               reduction=reduction, **options)


@pytest.mark.parametrize("name,reduction", [("mse_loss", "mean"), ("mse_loss", "none"), ("l1_loss", "mean"),
                                            ("l1_loss", "sum"), ("huber_loss", "mean"), ("huber_loss", "sum")])
def test_regression_weight(name, reduction):
    """torch 2.13's elementwise weight: mse/l1 mean divides by the weight sum, huber's by the element count;
    the weight gets a gradient."""
    check_loss(name, make((3, 4)), make((3, 4), seed=3), grad=("input", "target", "weight"), reduction=reduction,
               weight=make((3, 4), seed=4, low=0.1, high=2.0))


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss"])
def test_regression_broadcast_warns(name):
    """A target of another size broadcasts (either way), with torch's UserWarning."""
    with pytest.warns(UserWarning, match=r"Using a target size \(torch.Size\(\[4\]\)\) that is different to "
                                         r"the input size \(torch.Size\(\[3, 4\]\)\)"):
        check_loss(name, make((3, 4)), make((4,), seed=3), grad=("input", "target"))
    with pytest.warns(UserWarning):
        check_loss(name, make((4,)), make((3, 4), seed=3), grad=(), reduction="none")


def test_regression_mixed_dtypes():
    """mse/l1/smooth_l1 promote; huber keeps input's dtype; integer targets count as floats."""
    x32, x64 = make((3, 4)), make((3, 4), torch.float64, seed=3)
    ints = torch.randint(-2, 3, (3, 4))
    for name in ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss"]:
        grad = () if name == "huber_loss" else ("input", "target")  # torch's huber backward fails on mixed dtypes
        check_loss(name, x32, x64, grad=grad)
        check_loss(name, x64, x32, grad=())
        check_loss(name, x32, ints, grad=())  # torch's backward fails on integer targets
    check_loss("l1_loss", ints, ints, grad=(), reduction="sum")


def test_empty_mean_is_nan():
    check_loss("mse_loss", torch.zeros(0), torch.zeros(0))
    check_loss("cross_entropy", torch.zeros(0, 3), torch.zeros(0, dtype=torch.long))
    check_loss("cross_entropy", torch.zeros(0, 3), torch.zeros(0, 3), grad=("input", "target"))


# ---- binary and distribution losses -------------------------------------------------------------------------

@pytest.mark.parametrize("reduction,dtype", REDUCTION_DTYPES, ids=_ids)
def test_binary_cross_entropy(reduction, dtype):
    """Including inputs of exactly 0 and 1 (logs clamped at -100, torch's gradient formulas); with and without
    a weight broadcast over rows."""
    x = make((4, 5), dtype, low=0.02, high=0.98)
    x[0, :3] = torch.tensor([0.0, 1.0, 1.0], dtype=dtype)
    t = make((4, 5), dtype, seed=3, low=0.0, high=1.0)
    t[0, :3] = torch.tensor([0.0, 1.0, 0.3], dtype=dtype)
    check_loss("binary_cross_entropy", x, t, grad=("input", "target"), reduction=reduction)
    check_loss("binary_cross_entropy", x, t, grad=("input", "target"), reduction=reduction,
               weight=make((5,), dtype, seed=4, low=0.0, high=2.0))


@pytest.mark.parametrize("reduction,dtype", REDUCTION_DTYPES, ids=_ids)
def test_binary_cross_entropy_with_logits(reduction, dtype):
    """Stable for large logits; weight and pos_weight broadcast (per row, per class, or one value)."""
    x = make((4, 5), dtype) * 3
    x[0, :4] = torch.tensor([200.0, -200.0, 40.0, -40.0], dtype=dtype)
    t = make((4, 5), dtype, seed=3, low=0.0, high=1.0)
    bce = "binary_cross_entropy_with_logits"
    check_loss(bce, x, t, grad=("input", "target"), reduction=reduction)
    pos_weight = torch.tensor([2.5], dtype=dtype) if reduction == "sum" else make((5,), dtype, seed=5, low=0.5,
                                                                                  high=3.0)
    check_loss(bce, x, t, grad=("input", "target"), reduction=reduction,
               weight=make((4, 1), dtype, seed=4, low=0.0, high=2.0), pos_weight=pos_weight)


def test_binary_losses_mixed_dtypes():
    """bce_with_logits takes target's dtype; bce casts a float64 weight to input's dtype."""
    x, t = make((3, 4)), make((3, 4), torch.float64, seed=3, low=0.0, high=1.0)
    check_loss("binary_cross_entropy_with_logits", x, t, grad=("input", "target"), rtol=1e-6)
    check_loss("binary_cross_entropy_with_logits", x.double(), t.float(), grad=("input", "target"), rtol=1e-6,
               atol=1e-7, pos_weight=torch.ones(4, dtype=torch.float64) * 2)
    check_loss("binary_cross_entropy", x.sigmoid(), t.float(), weight=torch.rand(4, dtype=torch.float64))


@pytest.mark.parametrize("log_target", [False, True])
@pytest.mark.parametrize("reduction,dtype", [("none", torch.float32), ("mean", torch.float64),
                                             ("sum", torch.float32), ("batchmean", torch.float64)], ids=_ids)
def test_kl_div(reduction, dtype, log_target):
    """Input in log space; target probabilities (or log-probabilities); gradients w.r.t. both."""
    x = make((3, 5), dtype).log_softmax(1)
    t = make((3, 5), dtype, seed=3).softmax(1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_loss("kl_div", x, t.log() if log_target else t, grad=("input", "target"), reduction=reduction,
                   log_target=log_target)


def test_kl_div_cases():
    """Zero targets contribute 0; a broadcast target; 'batchmean' of a 0-dim input is a sum; 'mean' warns."""
    x, t = make((3, 5)).log_softmax(1), make((3, 5), seed=3).softmax(1)
    t[0, :2] = 0
    check_loss("kl_div", x, t, reduction="sum")
    check_loss("kl_div", x, t[0], grad=("input", "target"), reduction="batchmean")
    check_loss("kl_div", x[0, 0], t[1, 1], reduction="batchmean")
    for lib in (torch, jtorch):
        with pytest.warns(UserWarning, match="'batchmean' divides only by the batch size"):
            lib.nn.functional.kl_div(to_jt(x) if lib is jtorch else x, to_jt(t) if lib is jtorch else t)


# ---- classification losses ---------------------------------------------------------------------------------

SHAPES = [(4,), (6, 4), (6, 4, 3), (2, 4, 3, 2), (2, 4, 2, 2, 2)]
CLASS_OPTIONS = [{}, {"weight": True, "ignore_index": 1}, {"weight": True, "label_smoothing": 0.2},
                 {"label_smoothing": 0.3, "ignore_index": 2}]
# Each shape with each reduction, the options rotating so that each option meets each reduction.
CLASS_CASES = [(shape, CLASS_OPTIONS[(i + j) % 4], reduction) for i, shape in enumerate(SHAPES)
               for j, reduction in enumerate(REDUCTIONS)]


def class_case(shape, options, dtype=torch.float32):
    """(input, target, keyword arguments): targets include ignore_index (or -100) where the options ignore."""
    n_classes = shape[1] if len(shape) > 1 else shape[0]
    target_shape = (shape[0],) + shape[2:] if len(shape) > 1 else ()
    ignore = options.get("ignore_index", -100)
    target = classes(target_shape, n_classes, ignore=ignore if target_shape else None)
    kwargs = {k: v for k, v in options.items() if k != "weight"}
    if options.get("weight"):
        kwargs["weight"] = make((n_classes,), dtype, seed=4, low=0.2, high=2.0)
    return make(shape, dtype), target, kwargs


@pytest.mark.parametrize("shape,options,reduction", CLASS_CASES, ids=_ids)
def test_cross_entropy_class_targets(shape, options, reduction):
    """N-d inputs (N, C, d1, ...) and unbatched (C,); weighted mean divides by the weights of kept targets;
    grad_fn NllLossBackward0 / NllLoss2DBackward0 / ViewBackward0 / AddBackward0 as torch's."""
    x, t, kwargs = class_case(shape, options)
    check_loss("cross_entropy", x, t, reduction=reduction, **kwargs)


@pytest.mark.parametrize("options,reduction", zip(CLASS_OPTIONS[1:], REDUCTIONS), ids=_ids)
def test_cross_entropy_float64(options, reduction):
    x, t, kwargs = class_case((6, 4), options, torch.float64)
    check_loss("cross_entropy", x, t, reduction=reduction, **kwargs)


@pytest.mark.parametrize("shape,reduction,dtype", [((4,), "none", torch.float32), ((6, 4), "mean", torch.float64),
                                                   ((6, 4), "sum", torch.float32),
                                                   ((2, 4, 3, 2), "mean", torch.float32),
                                                   ((2, 4, 3), "none", torch.float64)], ids=_ids)
def test_nll_loss(shape, reduction, dtype):
    x, t, kwargs = class_case(shape, CLASS_OPTIONS[1], dtype)
    check_loss("nll_loss", x.log_softmax(0 if len(shape) == 1 else 1), t, reduction=reduction, **kwargs)


def test_class_target_variants():
    """uint8 targets; a (1,) target for a (C,) input; a huge ignore_index; an ignored out-of-range class;
    negative label_smoothing means none."""
    x = make((6, 4))
    t = classes((6,), 4)
    check_loss("cross_entropy", x, t.to(torch.uint8))
    check_loss("cross_entropy", x[0], t[:1], reduction="none", grad=())  # torch's backward fails here
    check_loss("cross_entropy", x, t, ignore_index=10 ** 12)
    check_loss("cross_entropy", x, torch.tensor([0, 1, 9, 3, 1, 2]), ignore_index=9)
    check_loss("cross_entropy", x, t, label_smoothing=-0.5)


@pytest.mark.parametrize("name,shape,options,reduction", [
    ("cross_entropy", (5, 3), {"weight": True}, "mean"), ("cross_entropy", (5, 3), {"weight": True}, "sum"),
    ("cross_entropy", (5, 3), {}, "none"), ("cross_entropy", (5, 3), {"label_smoothing": 0.2}, "mean"),
    ("cross_entropy", (5, 3), {"weight": True, "label_smoothing": 0.1}, "mean"),
    ("cross_entropy", (3,), {}, "mean"), ("nll_loss", (2, 3, 2), {"weight": True}, "mean")], ids=_ids)
def test_all_targets_ignored(name, shape, options, reduction):
    """mean over no kept target is nan as torch's; sum is 0; ignored targets get zero gradient."""
    x, _, kwargs = class_case(shape, options)
    t = torch.full(shape[:1] + shape[2:] if len(shape) > 1 else (), -100)
    check_loss(name, x, t, reduction=reduction, **kwargs)


@pytest.mark.parametrize("shape,reduction,options", [
    ((4,), "mean", {}), ((6, 4), "none", {}), ((2, 4, 3), "sum", {}),
    ((4,), "sum", {"weight": True}), ((6, 4), "mean", {"weight": True}), ((2, 4, 3), "none", {"weight": True}),
    ((6, 4), "sum", {"float64": True}), ((2, 4, 3), "mean", {"float64": True})], ids=_ids)
def test_cross_entropy_probability_targets(shape, reduction, options):
    """Targets of input's shape are class probabilities; weight with label smoothing; gradients w.r.t. input,
    target and weight (differentiable here, unlike with class indices); float64 targets promote."""
    axis = 0 if len(shape) == 1 else 1
    x, t = make(shape), make(shape, seed=3).softmax(axis)
    if options.get("float64"):
        check_loss("cross_entropy", x, t.double(), grad=("input", "target"), reduction=reduction, rtol=1e-6)
    elif options.get("weight"):
        check_loss("cross_entropy", x, t, grad=("input", "target", "weight"), reduction=reduction,
                   weight=make((shape[axis],), seed=4, low=0.2, high=2.0), label_smoothing=0.25)
    else:
        check_loss("cross_entropy", x, t, grad=("input", "target"), reduction=reduction)


def test_double_backward():
    """create_graph through cross_entropy and binary_cross_entropy (torch's gradient formula) gives torch's
    second derivatives."""
    x, t = make((5, 4)), torch.tensor([0, 1, 2, 3, -100])
    p, q = make((5, 4), low=0.05, high=0.95), make((5, 4), seed=3, low=0.0, high=1.0)
    for name, a, b in [("cross_entropy", x, t), ("binary_cross_entropy", p, q)]:
        results = []
        for lib, (ai, bi) in ((torch, (a.clone().requires_grad_(), b)), (jtorch, (to_jt(a, True), to_jt(b)))):
            g, = lib.autograd.grad(getattr(lib.nn.functional, name)(ai, bi), ai, create_graph=True)
            (g * g).sum().backward()
            results.append(ai.grad)
        assert_same(results[1], results[0], rtol=1e-4, atol=1e-6)


# ---- legacy arguments, warnings, one dispatch -------------------------------------------------------------

@pytest.mark.parametrize("size_average,reduce", [(False, None), (None, False), (True, True), (False, True)])
def test_legacy_reduction_arguments(size_average, reduce):
    x, t = make((6, 4)), classes((6,), 4)
    with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated"):
        check_loss("cross_entropy", x, t, size_average=size_average, reduce=reduce, reduction="invalid")
    with pytest.warns(UserWarning):
        check_loss("mse_loss", x, x * 2, size_average=size_average, reduce=reduce)
    with pytest.warns(UserWarning):
        check_loss("kl_div", x, x.softmax(1), size_average=size_average, reduce=reduce, reduction="batchmean")


def test_elementwise_mean_is_deprecated_mean():
    with pytest.warns(UserWarning, match="elementwise_mean"):
        check_loss("l1_loss", make((3,)), make((3,), seed=3), reduction="elementwise_mean")


def test_each_loss_is_one_dispatch(monkeypatch):
    calls = []
    real_run = losses.run

    def counting_run(*args, **kwargs):
        calls.append(args[0].__name__)
        return real_run(*args, **kwargs)
    monkeypatch.setattr(losses, "run", counting_run)
    F = jtorch.nn.functional
    x = jtorch.randn(6, 4, requires_grad=True)
    p = jtorch.rand(6, 4, requires_grad=True)
    t = jtorch.tensor([0, 1, 2, 3, 1, -100])
    w = jtorch.rand(4)
    for loss in [F.cross_entropy(x, t, weight=w, label_smoothing=0.1), F.cross_entropy(x, p), F.nll_loss(x, t),
                 F.mse_loss(x, p), F.l1_loss(x, p), F.smooth_l1_loss(x, p), F.huber_loss(x, p),
                 F.binary_cross_entropy(p, p), F.binary_cross_entropy_with_logits(x, p, pos_weight=w),
                 F.kl_div(x, p, reduction="batchmean")]:
        assert loss.requires_grad
    assert len(calls) == 10


def test_functional_all_lists_the_losses():
    names = {"cross_entropy", "nll_loss", "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss",
             "binary_cross_entropy", "binary_cross_entropy_with_logits", "kl_div"}
    assert names <= set(losses.__all__)
    assert all(getattr(jtorch.nn.functional, n) is getattr(losses, n) for n in losses.__all__)


# ---- errors -----------------------------------------------------------------------------------------------

def _args(lib, spec):
    """Tensors of `lib` from specs: ("randn"|"rand", shape[, dtype]), ("tensor", data[, dtype]),
    ("full", shape, dtype, value); anything else passes through."""
    if isinstance(spec, tuple) and spec and spec[0] in ("randn", "rand", "tensor", "full"):
        kind, data, *rest = spec
        dtype = getattr(lib, rest[0]) if rest else None
        if kind == "tensor":
            return lib.tensor(data, dtype=dtype)
        if kind == "full":
            return lib.full(data, rest[1], dtype=dtype)
        return getattr(lib, kind)(*data, dtype=dtype)
    return spec


R, P = ("randn", (5, 4)), ("rand", (5, 4))
ERRORS = [
    # (function, positional specs, keyword specs, same message)
    ("cross_entropy", [R, ("tensor", [0, 1, 10, 3, 1])], {}, True),
    ("cross_entropy", [R, ("tensor", [0, 1, -1, 3, 1])], {}, True),
    ("cross_entropy", [("randn", (2, 4, 3, 3)), ("full", (2, 3, 3), "int64", 7)], {}, True),
    ("cross_entropy", [("randn", (2, 4, 3)), ("full", (2, 3), "int64", 4)], {"label_smoothing": 0.1}, True),
    ("cross_entropy", [("randn", (4,)), ("tensor", 9)], {}, True),
    ("nll_loss", [R, ("tensor", [0, 1, 4, 3, 1])], {"reduction": "none"}, True),
    ("cross_entropy", [R, ("tensor", [0, 1, 2])], {}, True),
    ("cross_entropy", [R, ("tensor", [[0, 1]] * 5)], {}, True),
    ("cross_entropy", [R, ("rand", (5, 3))], {}, True),
    ("cross_entropy", [R, ("rand", (5,))], {}, True),
    ("cross_entropy", [R, ("tensor", [0, 1, 2, 3, 1], "int32")], {}, True),
    ("cross_entropy", [R, ("tensor", 1)], {}, True),
    ("cross_entropy", [("randn", (4,)), ("tensor", [1, 2])], {}, True),
    ("cross_entropy", [("randn", (4,)), ("tensor", [1])], {"label_smoothing": 0.1, "reduction": "none"}, True),
    ("cross_entropy", [("randn", (2, 4, 3)), ("tensor", [[0] * 4] * 2)], {}, True),
    ("cross_entropy", [("randn", (2, 4, 3, 3)), ("full", (2, 3, 4), "int64", 0)], {}, True),
    ("cross_entropy", [("randn", (2, 4, 3, 3)), ("full", (2, 3), "int64", 0)], {}, True),
    ("cross_entropy", [R, ("tensor", [0, 1, 2, 3, 1])], {"weight": ("rand", (3,))}, True),
    ("cross_entropy", [("randn", (2, 4, 3)), ("full", (2, 3), "int64", 0)], {"weight": ("rand", (3,))}, True),
    ("cross_entropy", [R, ("tensor", [0, 1, 2, 3, 1])], {"weight": ("rand", (4,), "float64")}, True),
    ("cross_entropy", [R, ("tensor", [0, 1, 2, 3, 1])], {"label_smoothing": 1.5}, True),
    ("cross_entropy", [R, ("tensor", [0, 1, 2, 3, 1])], {"reduction": "average"}, True),
    ("cross_entropy", [("tensor", [[1, 2]] * 5), ("tensor", [0, 1, 0, 1, 0])], {}, True),
    ("cross_entropy", [("tensor", 1.0), ("tensor", 0)], {}, True),
    ("cross_entropy", [R, ("tensor", [[0] * 4] * 5)], {}, True),
    ("cross_entropy", [R, P], {"ignore_index": 1}, True),
    ("cross_entropy", [R, P], {"weight": ("rand", (3,))}, True),
    ("cross_entropy", [R, P], {"label_smoothing": 1.5}, True),
    ("nll_loss", [("tensor", 1.0), ("tensor", 0)], {}, True),
    ("nll_loss", [R, ("rand", (5,))], {}, True),
    ("nll_loss", [("tensor", [[1, 2]] * 5), ("tensor", [0, 1, 0, 1, 0])], {}, True),
    ("mse_loss", [R, ("randn", (5, 3))], {}, True),
    ("mse_loss", [("tensor", [1, 2]), ("tensor", [1, 3])], {}, True),
    ("mse_loss", [R, R], {"reduction": "average"}, True),
    ("mse_loss", [R, R], {"weight": ("rand", (4,))}, True),
    ("mse_loss", [R, R], {"weight": ("rand", (5, 4)), "reduction": "average"}, True),
    ("l1_loss", [("tensor", [1, 2]), ("tensor", [1, 3])], {}, True),
    ("l1_loss", [("tensor", [True]), ("tensor", [False])], {"reduction": "sum"}, True),
    ("smooth_l1_loss", [R, R], {"beta": -1.0}, True),
    ("smooth_l1_loss", [("tensor", [1, 2]), ("tensor", [1, 3])], {}, True),
    ("huber_loss", [R, R], {"delta": 0.0}, True),
    ("huber_loss", [("tensor", [1, 2]), ("tensor", [1.0, 3.0])], {}, True),
    ("huber_loss", [("tensor", [1, 2]), ("tensor", [1, 3])], {}, True),
    ("binary_cross_entropy", [P, ("rand", (4,))], {}, True),
    ("binary_cross_entropy", [R, P], {}, True),
    ("binary_cross_entropy", [P, R], {}, True),
    ("binary_cross_entropy", [("tensor", [float("nan")]), ("tensor", [0.5])], {}, True),
    ("binary_cross_entropy", [P, ("rand", (5, 4), "float64")], {}, True),
    ("binary_cross_entropy", [("tensor", [1, 0]), ("tensor", [1, 0])], {}, True),
    ("binary_cross_entropy", [P, P], {"weight": ("rand", (5,))}, False),
    ("binary_cross_entropy", [P, P], {"weight": ("rand", (2, 5, 4))}, True),
    ("binary_cross_entropy_with_logits", [R, ("rand", (4,))], {}, True),
    ("binary_cross_entropy_with_logits", [R, ("tensor", [[0, 1, 0, 1]] * 5)], {}, True),
    ("binary_cross_entropy_with_logits", [("tensor", [[0, 1, 0, 1]] * 5), P], {}, True),
    ("binary_cross_entropy_with_logits", [R, P], {"pos_weight": ("rand", (5,))}, True),
    ("binary_cross_entropy_with_logits", [R, P], {"pos_weight": ("rand", (2, 5, 4))}, True),
    ("binary_cross_entropy_with_logits", [R, P], {"weight": ("rand", (5,))}, True),
    ("binary_cross_entropy_with_logits", [R, P], {"weight": ("rand", (2, 5, 4))}, True),
    ("kl_div", [R, ("tensor", [[0, 1, 0, 1]] * 5)], {"reduction": "sum"}, True),
    ("kl_div", [R, ("rand", (5,))], {"reduction": "sum"}, True),
    ("kl_div", [R, P], {"reduction": "average"}, True),
]


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("name,args,kwargs,same_message", ERRORS, ids=lambda v: str(v)[:40])
def test_errors(name, args, kwargs, same_message):
    """The exception type torch raises (IndexError for an out-of-range class, ValueError for batch size
    mismatches, RuntimeError for bad target shapes and dtypes...), with torch's message."""
    with pytest.raises(Exception) as expected:
        getattr(torch.nn.functional, name)(*[_args(torch, a) for a in args],
                                            **{k: _args(torch, v) for k, v in kwargs.items()})
    with pytest.raises(type(expected.value)) as got:
        getattr(jtorch.nn.functional, name)(*[_args(jtorch, a) for a in args],
                                             **{k: _args(jtorch, v) for k, v in kwargs.items()})
    if same_message:
        assert str(got.value) == str(expected.value)


@pytest.mark.parametrize("name,kwargs", [("nll_loss", {}), ("cross_entropy", {}),
                                         ("cross_entropy", {"label_smoothing": 0.1})])
def test_class_weight_requiring_grad_raises(name, kwargs):
    """torch has no derivative for a class weight with class-index targets: RuntimeError, but not under no_grad."""
    x, t, w = make((5, 4)), classes((5,), 4), make((4,), seed=4, low=0.1, high=1.0)
    for lib in (torch, jtorch):
        xs, ts, ws = (x, t, w.requires_grad_()) if lib is torch else (to_jt(x), to_jt(t), to_jt(w))
        with pytest.raises(RuntimeError, match="'nll_loss_forward' is not differentiable with respect to argument "
                                               "'weight'"):
            getattr(lib.nn.functional, name)(xs, ts, weight=ws, **kwargs)
        with lib.no_grad():
            getattr(lib.nn.functional, name)(xs, ts, weight=ws, **kwargs)


def test_binary_weights_requiring_grad_raise():
    x, t = make((3, 4), low=0.1, high=0.9), make((3, 4), seed=3, low=0.0, high=1.0)
    for lib in (torch, jtorch):
        F = lib.nn.functional
        xs, ts = (x, t) if lib is torch else (to_jt(x), to_jt(t))
        w = lib.ones(4, requires_grad=True)
        with pytest.raises(RuntimeError, match="'binary_cross_entropy' is not differentiable with respect to "
                                               "argument 'weight'"):
            F.binary_cross_entropy(xs, ts, weight=w)
        with pytest.raises(RuntimeError, match="argument 'pos_weight'"):
            F.binary_cross_entropy_with_logits(xs, ts, pos_weight=w)


# ---- modules ----------------------------------------------------------------------------------------------

MODULES = ["L1Loss", "MSELoss", "SmoothL1Loss", "HuberLoss", "KLDivLoss", "BCELoss", "BCEWithLogitsLoss", "NLLLoss",
           "CrossEntropyLoss"]
ATTRIBUTES = ["reduction", "beta", "delta", "log_target", "ignore_index", "label_smoothing"]


def _public_state(module):
    state = {a: getattr(module, a) for a in ATTRIBUTES if hasattr(module, a)}
    buffers = {name: (b is None) for name, b in module._buffers.items()}
    return state, buffers, list(module.state_dict()), repr(module), module.training


@pytest.mark.parametrize("name", MODULES)
def test_module_defaults(name):
    assert _public_state(getattr(jtorch.nn, name)()) == _public_state(getattr(torch.nn, name)())


@pytest.mark.parametrize("name,kwargs", [
    ("CrossEntropyLoss", {"weight": ("rand", (4,)), "ignore_index": 1, "reduction": "sum", "label_smoothing": 0.1}),
    ("NLLLoss", {"weight": ("rand", (4,)), "ignore_index": 3}),
    ("BCELoss", {"weight": ("rand", (4,)), "reduction": "none"}),
    ("BCEWithLogitsLoss", {"weight": ("rand", (4,)), "pos_weight": ("rand", (4,))}),
    ("BCEWithLogitsLoss", {"pos_weight": ("rand", (4,))}),
    ("SmoothL1Loss", {"beta": 0.5, "reduction": "sum"}),
    ("HuberLoss", {"delta": 2}),
    ("KLDivLoss", {"reduction": "batchmean", "log_target": True}),
    ("CrossEntropyLoss", {"size_average": False}),
    ("MSELoss", {"reduce": False}),
    ("L1Loss", {"size_average": True, "reduce": True}),
])
def test_module_options(name, kwargs):
    """Attributes, buffers (weight, pos_weight: state_dict keys), repr; legacy flags set `reduction`."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = getattr(torch.nn, name)(**{k: _args(torch, v) for k, v in kwargs.items()})
        got = getattr(jtorch.nn, name)(**{k: _args(jtorch, v) for k, v in kwargs.items()})
    assert _public_state(got) == _public_state(expected)


def test_module_legacy_flags_warn():
    for lib in (torch, jtorch):
        with pytest.warns(UserWarning, match="please use reduction='sum' instead"):
            lib.nn.CrossEntropyLoss(size_average=False)


def test_huber_loss_delta_type():
    for lib in (torch, jtorch):
        with pytest.raises(TypeError, match="delta must be a float or int"):
            lib.nn.HuberLoss(delta="1")


def test_modules_forward_and_load_state_dict():
    """Modules compute their functional form with their buffers; weights load through state_dict."""
    x, t = make((6, 4)), classes((6,), 4)
    p = make((6, 4), seed=3, low=0.0, high=1.0)
    w, pw = make((4,), seed=4, low=0.2, high=2.0), make((4,), seed=5, low=0.5, high=2.0)
    cases = [("CrossEntropyLoss", {"weight": w, "label_smoothing": 0.1}, x, t),
             ("NLLLoss", {"weight": w, "reduction": "sum"}, x.log_softmax(1), t),
             ("BCEWithLogitsLoss", {"pos_weight": pw}, x, p), ("BCELoss", {"weight": w}, p, p.flip(0)),
             ("KLDivLoss", {"reduction": "batchmean"}, x.log_softmax(1), p.softmax(1)),
             ("HuberLoss", {"delta": 0.5}, x, p), ("SmoothL1Loss", {"beta": 0.5}, x, p), ("MSELoss", {}, x, p),
             ("L1Loss", {"reduction": "none"}, x, p)]
    for name, kwargs, a, b in cases:
        module = getattr(torch.nn, name)(**kwargs)
        expected = module(a.clone().requires_grad_(), b)
        got = getattr(jtorch.nn, name)(**to_jt(kwargs))(to_jt(a, requires_grad=True), to_jt(b))
        assert_same(got, expected)
        assert got.grad_fn.name() == expected.grad_fn.name()
    fresh = jtorch.nn.BCEWithLogitsLoss(pos_weight=jtorch.zeros(4))
    fresh.load_state_dict(to_jt(torch.nn.BCEWithLogitsLoss(pos_weight=pw).state_dict()))
    assert_same(fresh.pos_weight, pw)
