"""Reductions and order statistics against torch: values, dtypes, shapes, gradients, grad_fn names, errors."""
import pytest
import torch

import jtorch
from conftest import assert_same, compare, compare_or_raise, to_jt

DTYPES = [torch.float32, torch.float64, torch.int64, torch.bool]
NAN, INF = float("nan"), float("inf")
pytestmark = pytest.mark.filterwarnings("ignore:(std|var)\\(\\)")  # torch warns when N - correction <= 0


def make(shape, dtype=torch.float32, seed=0, distinct=False):
    """Random test data; `distinct` values leave no ties (so indices are well defined)."""
    g = torch.Generator().manual_seed(seed)
    if dtype is torch.bool:
        return torch.randint(0, 2, shape, generator=g).bool()
    if distinct:
        n = torch.Size(shape).numel()
        return (torch.randperm(n, generator=g).reshape(shape) - n // 2).to(dtype)
    if dtype.is_floating_point:
        return torch.randn(shape, generator=g, dtype=dtype)
    return torch.randint(-4, 5, shape, generator=g, dtype=dtype)


def _tensors(out):
    return list(out) if isinstance(out, tuple) else [out]


def check(fn, *args, grad=True, names=True, **tol):
    """fn(torch, *args) against fn(jtorch, *args): the same exception type, or the same outputs (type name,
    shape, dtype, values), input gradients when the first output is floating, and grad_fn names."""
    try:
        expected = fn(torch, *(a.detach().requires_grad_(a.is_floating_point()) if isinstance(a, torch.Tensor)
                               else a for a in args))
    except Exception:
        return compare_or_raise(fn, *args)
    grad = grad and _tensors(expected)[0].requires_grad
    got, expected = compare(fn, *args, grad=grad, **tol)
    assert type(got).__name__ == type(expected).__name__
    if grad and names:
        for g, e in zip(_tensors(got), _tensors(expected)):
            assert type(g.grad_fn).__name__ == type(e.grad_fn).__name__
    return got, expected


def grads_of(fn, data):
    """(jtorch grad, torch grad) of fn(module, x).sum() at `data`."""
    out = []
    for module, x in ((jtorch, to_jt(data).requires_grad_()), (torch, data.clone().requires_grad_())):
        y = fn(module, x)
        (y[0] if isinstance(y, tuple) else y).sum().backward()
        out.append(x.grad)
    return out


def check_double_backward(fn, data):
    """d/dx sum((d/dx sum(fn(x)^2))^3), through create_graph=True, against torch."""
    def second(module, x):
        g, = module.autograd.grad((fn(module, x) ** 2).sum(), x, create_graph=True)
        return module.autograd.grad((g ** 3).sum(), x)[0]
    assert_same(second(jtorch, to_jt(data).requires_grad_()), second(torch, data.clone().requires_grad_()),
                rtol=1e-4, atol=1e-5)


# ---- plain reductions over dims -----------------------------------------------------------------------------

REDUCTIONS = ["sum", "nansum", "mean", "nanmean", "amax", "amin", "logsumexp", "std", "var", "norm", "all", "any",
              "count_nonzero", "var_mean", "std_mean"]
DIMS = [{}, {"dim": -2, "keepdim": True}, {"dim": (0, -1)}, {"dim": ()}]


def _no_keepdim(name, kw):
    return {k: v for k, v in kw.items() if k != "keepdim"} if name == "count_nonzero" else kw


@pytest.mark.parametrize("kw", DIMS, ids=str)
@pytest.mark.parametrize("name", REDUCTIONS)
def test_reduction_dims(name, kw):
    """dim absent, a negative int, a tuple with a negative dim, or () (all dims; no dim for all/any); keepdim.

    torch's std/var backward is wrong for dim=() (it divides by N - correction with N = 1), so those
    gradients are not compared; torch's logsumexp fails for dim=() with a broadcast error."""
    if name == "logsumexp" and kw.get("dim") == ():
        kw = {"dim": (0, 1, 2)}
    grad = not (name in ("std", "var", "std_mean", "var_mean") and kw.get("dim") == ())
    check(lambda m, x: getattr(m, name)(x, **_no_keepdim(name, kw)), make((2, 3, 4)), grad=grad)


@pytest.mark.parametrize("dtype", DTYPES[1:], ids=str)
@pytest.mark.parametrize("name", REDUCTIONS + ["prod"])
def test_reduction_dtypes(name, dtype):
    """Result dtypes (ints accumulate in int64, mean/std of ints raise, logsumexp of ints is float, all/any
    give bool) and values; gradients are compared in float32 (test_reduction_dims)."""
    check(lambda m, x: getattr(m, name)(x, 1), make((3, 4), dtype), grad=False)


@pytest.mark.parametrize("kw", [{}, {"dim": 1}, {"dim": -1, "keepdim": True}, {"dim": (0, 1)}], ids=str)
def test_prod(kw):
    """prod takes one int dim (a tuple is a TypeError); its gradient is exact with zeros in the input."""
    x = make((3, 4))
    check(lambda m, a: m.prod(a, **kw), x)
    check(lambda m, a: a.prod(**kw), x * (torch.arange(12).reshape(3, 4) % 5 != 0))


def test_prod_gradient_with_zeros():
    for data in ([2.0, 0.0, 3.0, 4.0], [2.0, 0.0, 3.0, 0.0], [[0.0, 2.0], [3.0, 4.0]]):
        check(lambda m, a: m.prod(a), torch.tensor(data))


@pytest.mark.parametrize("case", [
    lambda m, x: m.sum(x.long(), dtype=m.float64),
    lambda m, x: m.sum(x, 1, dtype=m.int64),
    lambda m, x: m.sum(x, dtype=m.bool),
    lambda m, x: m.nansum(x.int(), 0, dtype=m.float32),
    lambda m, x: m.mean(x, 1, dtype=m.float64),
    lambda m, x: m.mean(x.long(), dtype=m.float64),
    lambda m, x: m.mean(x.long(), dtype=m.int64),
    lambda m, x: m.nanmean(x.long(), dtype=m.float32),
    lambda m, x: m.prod(x.bool(), 1, dtype=m.float64),
    lambda m, x: m.prod(x, dtype=m.int64),
    lambda m, x: m.cumsum(x.int(), 1, dtype=m.float64),
    lambda m, x: m.cumprod(x.bool(), 0),
    lambda m, x: m.cumsum(x.to(m.int32), 1),
    lambda m, x: m.sum(x.to(m.int32)),
])
def test_dtype_argument(case):
    """dtype= casts the input first; integer accumulation is int64; mean refuses an integer result dtype."""
    check(case, make((3, 4)) * 3)


def test_methods():
    check(lambda m, a: (a.sum(0), a.mean(), a.nansum(1), a.amax(1), a.logsumexp(0), a.std(1), a.var(),
                        a.norm(), a.prod(0), a.all(), a.any(1), a.count_nonzero(), a.nanmean(0)), make((3, 4)),
          grad=False)


def test_out():
    def fn(m, x):
        out = m.zeros(4)
        assert m.sum(x, 0, out=out) is out
        values, indices = m.zeros(3), m.zeros(3, dtype=m.int64)
        m.max(x, 1, out=(values, indices))
        return out, values, indices
    check(fn, make((3, 4)), grad=False)


@pytest.mark.parametrize("fn", [
    lambda m, x: m.sum(x, 2), lambda m, x: m.sum(x, (0, 0)), lambda m, x: m.sum(x, (1, -1)),
    lambda m, x: m.mean(x.long()), lambda m, x: m.mean(x.bool()), lambda m, x: m.std(x.long()),
    lambda m, x: m.var_mean(x.long()), lambda m, x: m.std_mean(x.int()), lambda m, x: m.nanmean(x.long()),
    lambda m, x: m.logcumsumexp(x.long(), 0), lambda m, x: m.logcumsumexp(x.bool(), 0),
    lambda m, x: m.cumsum(x, None), lambda m, x: m.logsumexp(x), lambda m, x: m.var(x, 0, True, correction=1),
    lambda m, x: m.count_nonzero(x, 0, keepdim=True), lambda m, x: m.prod(x, (0, 1)), lambda m, x: m.amax(x, 2),
    lambda m, x: m.argmax(x, -3), lambda m, x: m.max(x, 2), lambda m, x: m.cumsum(x, 2),
])
def test_reduction_errors(fn):
    check(fn, make((2, 3)))


# ---- max / min and indices -------------------------------------------------------------------------------

EXTREMES = [
    lambda m, x: m.max(x),
    lambda m, x: m.min(x),
    lambda m, x: m.max(x, 1),
    lambda m, x: m.min(x, -1, keepdim=True),
    lambda m, x: x.max(dim=0),
    lambda m, x: x.min(0, True),
    lambda m, x: m.argmax(x),
    lambda m, x: m.argmin(x, 1),
    lambda m, x: x.argmax(0, keepdim=True),
    lambda m, x: m.argmin(x, keepdim=True),
    lambda m, x: m.amax(x, (0, 1)),
    lambda m, x: x.amin(1, keepdim=True),
]


@pytest.mark.parametrize("dtype", [torch.float32, torch.int64, torch.bool], ids=str)
@pytest.mark.parametrize("case", range(len(EXTREMES)))
def test_max_min(case, dtype):
    """max()/min() give a value, max(dim) a torch.return_types.max (values, indices); argmax of bool raises."""
    check(EXTREMES[case], make((3, 4), dtype, distinct=True))


def test_max_min_elementwise():
    a, b = make((3, 4)), make((3, 4), seed=1)
    check(lambda m, x, y: m.max(x, y), a, b)
    check(lambda m, x, y: x.min(y), a, b)
    check(lambda m, x, y: m.max(x, other=y), a, b)


TIES = torch.tensor([[3.0, 1.0, 3.0], [2.0, 2.0, 0.0]])


@pytest.mark.parametrize("fn", [
    lambda m, x: m.max(x), lambda m, x: x.min(), lambda m, x: m.max(x, 1), lambda m, x: x.min(1),
    lambda m, x: m.amax(x, 1), lambda m, x: m.amin(x), lambda m, x: m.amax(x), lambda m, x: x.argmax(1),
    lambda m, x: m.norm(x, INF, 1), lambda m, x: m.norm(-x, -INF), lambda m, x: m.median(x),
    lambda m, x: m.nanmedian(x), lambda m, x: m.argmin(x, 0),
])
def test_ties(fn):
    """Ties: max(dim) returns (and sends the gradient to) the first index; max(), amax and median() share
    the gradient evenly."""
    check(fn, TIES)


@pytest.mark.parametrize("fn", [
    lambda m, x: m.max(x), lambda m, x: m.min(x, 0), lambda m, x: m.argmax(x), lambda m, x: m.amax(x),
    lambda m, x: m.median(x), lambda m, x: m.median(x, 0), lambda m, x: m.nanmedian(x),
    lambda m, x: m.nanmedian(x, 0), lambda m, x: m.sort(x, descending=True), lambda m, x: m.topk(x, 3),
    lambda m, x: m.kthvalue(x, 4), lambda m, x: m.nansum(x), lambda m, x: m.nanmean(x),
])
def test_nan(fn):
    """NaN propagates through max/min/median (at the first NaN's index) and sorts as the largest value."""
    check(fn, torch.tensor([1.0, NAN, 3.0, -2.0, NAN]))


@pytest.mark.parametrize("fn", [
    lambda m, x: m.max(x), lambda m, x: m.max(x, 1), lambda m, x: m.max(x, 0), lambda m, x: m.amax(x),
    lambda m, x: m.amax(x, 0), lambda m, x: m.amin(x, 1), lambda m, x: m.argmax(x), lambda m, x: m.argmin(x, 1),
    lambda m, x: m.argmax(x, 0), lambda m, x: m.sum(x, 0), lambda m, x: m.prod(x, 0), lambda m, x: m.mean(x),
    lambda m, x: m.mean(x, 0), lambda m, x: m.std(x, 0), lambda m, x: m.norm(x), lambda m, x: m.norm(x, INF),
    lambda m, x: m.norm(x, -1, 1), lambda m, x: m.norm(x, INF, 1), lambda m, x: m.logsumexp(x, 0),
    lambda m, x: m.logsumexp(x, 1), lambda m, x: m.all(x, 0), lambda m, x: m.any(x),
    lambda m, x: m.cumsum(x, 0), lambda m, x: m.median(x), lambda m, x: m.median(x, 1),
    lambda m, x: m.median(x, 0), lambda m, x: m.mode(x, 0), lambda m, x: m.sort(x, 0), lambda m, x: m.topk(x, 0),
    lambda m, x: m.kthvalue(x, 1, 0), lambda m, x: m.count_nonzero(x, 0),
])
def test_empty(fn):
    """Zero-size inputs: identity-less reductions over an empty dim raise (IndexError with a dim,
    RuntimeError without); sum/prod give their identity, mean/median NaN."""
    check(fn, torch.zeros(0, 3))


@pytest.mark.parametrize("fn", [
    lambda m, x: m.sum(x, 0), lambda m, x: x.sum(-1, keepdim=True), lambda m, x: m.mean(x, 0),
    lambda m, x: m.prod(x, 0), lambda m, x: m.max(x, 0, keepdim=True), lambda m, x: m.max(x),
    lambda m, x: m.argmax(x, 0, keepdim=True), lambda m, x: m.amax(x, 0), lambda m, x: m.std(x),
    lambda m, x: m.var(x, 0, correction=0), lambda m, x: m.norm(x), lambda m, x: m.logsumexp(x, 0),
    lambda m, x: m.cumsum(x, 0), lambda m, x: m.sort(x), lambda m, x: m.topk(x, 0), lambda m, x: m.kthvalue(x, 1),
    lambda m, x: m.median(x), lambda m, x: m.median(x, 0), lambda m, x: m.mode(x, 0), lambda m, x: m.all(x, 0),
    lambda m, x: m.sum(x, 1), lambda m, x: m.max(x, 1),
])
def test_zero_dim(fn):
    """0-d inputs reduce over dim 0 or -1 as over one element (keepdim keeps 0-d); dim 1 is an IndexError."""
    check(fn, torch.tensor(1.5))


# ---- statistics ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("fn", [
    lambda m, x: m.var(x, 1, False), lambda m, x: m.std(x, False), lambda m, x: x.var(1, True, True),
    lambda m, x: m.std(x, dim=(0, 1), correction=0), lambda m, x: m.var(x, 0, correction=1.5),
    lambda m, x: m.std(x, 1, correction=4), lambda m, x: m.var(x, 1, correction=6),
    lambda m, x: m.var_mean(x, 1, keepdim=True), lambda m, x: m.std_mean(x, 0, False),
    lambda m, x: m.var_mean(x, correction=0), lambda m, x: m.std_mean(x, False),
    lambda m, x: m.std(x[:, :1], 1), lambda m, x: m.std(x * 0 + 1, 1), lambda m, x: m.std_mean(x * 0, 0),
])
def test_std_var(fn):
    """unbiased as a bool (also as the only argument), correction=, N - correction <= 0 (inf/NaN), and the
    zero gradient of std where it is 0."""
    check(fn, make((3, 4)))


# ---- norms ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kw", [{}, {"dim": (0, -1), "keepdim": True}], ids=str)
@pytest.mark.parametrize("p", [2, 1, INF, -INF, 3, 2.5, 0.5, -1, "fro"])
def test_norm(p, kw):
    check(lambda m, x: m.norm(x, p, **kw), make((2, 3, 4)))


@pytest.mark.parametrize("p", [2, 1, INF, 0.5, "fro"])
def test_norm_method_float64(p):
    check(lambda m, x: x.norm(p=p, dim=1, keepdim=True), make((2, 3, 4), torch.float64))


@pytest.mark.parametrize("p", [2, 1, 3, 0.5, -1, INF])
def test_norm_gradient_at_zeros(p):
    """torch's norm backward: zero gradient at a zero norm and at zero entries."""
    check(lambda m, x: m.norm(x, p), torch.tensor([0.0, 0.0]))
    check(lambda m, x: m.norm(x, p, 1), torch.tensor([[0.0, -1.0, 3.0], [0.0, 0.0, 0.0]]))


def test_norm_zero_order():
    """p=0 counts nonzeros. Differs from torch: the gradient is zero where torch gives none."""
    check(lambda m, x: m.norm(x, 0, 1), make((3, 4)), grad=False)
    got, expected = grads_of(lambda m, x: m.norm(x, 0), torch.tensor([0.0, 2.0]))
    assert expected is None and got.tolist() == [0.0, 0.0]


@pytest.mark.parametrize("fn", [
    lambda m, x: m.norm(x, "nuc"), lambda m, x: m.norm(x[0], "nuc"), lambda m, x: m.norm(x, "nuc", (0, 2)),
    lambda m, x: m.norm(x, "nuc", 1), lambda m, x: m.norm(x, "fro", (0, 1, 2)), lambda m, x: m.norm(x, "bad"),
    lambda m, x: m.norm(x.long()), lambda m, x: m.norm(x, dtype=m.float64),
    lambda m, x: m.norm(x, 1, 0, True, dtype=m.float64), lambda m, x: m.norm(x.double(), dtype=m.float32),
    lambda m, x: m.norm(x.long(), dtype=m.float64),
])
def test_norm_variants_and_errors(fn):
    """'nuc' (2 dims), 'fro' over at most 2 dims, dtype= (no narrowing), integer inputs raise."""
    check(fn, make((2, 3, 4)))
    check(lambda m, x: m.norm(x.half(), dtype=m.float32), make((2, 3, 4)), rtol=1e-3, atol=1e-3)


# ---- logsumexp and cumulative ops -------------------------------------------------------------------------

@pytest.mark.parametrize("data", [[1.0, 2.0, 3.0], [INF, 1.0], [-INF, -INF], [-INF, 0.0], [1e30, 1e30]])
def test_logsumexp_extremes(data):
    check(lambda m, x: m.logsumexp(x, 0), torch.tensor(data))


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("dim", [0, -1])
@pytest.mark.parametrize("name", ["cumsum", "cumprod", "logcumsumexp"])
def test_cumulative(name, dim, dtype):
    """Integer and bool inputs accumulate in int64; logcumsumexp of integers raises NotImplementedError."""
    check(lambda m, x: getattr(m, name)(x, dim), make((3, 4), dtype), grad=dtype is torch.float32)


@pytest.mark.parametrize("data", [[2.0, 0.0, 3.0, 0.0, 5.0], [0.0, -2.0, 3.0], [1.0, 2.0, 0.0]])
def test_cumprod_gradient_with_zeros(data):
    check(lambda m, x: m.cumprod(x, 0), torch.tensor(data))


def test_logcumsumexp_infinities():
    check(lambda m, x: m.logcumsumexp(x, 0), torch.tensor([0.5, -INF, 1.0, -INF]))


def test_cumulative_inplace():
    for name in ("cumsum_", "cumprod_"):
        check(lambda m, x: getattr(x.clone(), name)(1), make((3, 4)))


# ---- order statistics -------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [torch.float32, torch.int64, torch.bool], ids=str)
@pytest.mark.parametrize("fn", [
    lambda m, x: m.sort(x), lambda m, x: x.sort(0, descending=True), lambda m, x: x.argsort(descending=True),
    lambda m, x: m.topk(x, 2), lambda m, x: x.topk(3, 0, largest=False), lambda m, x: x.kthvalue(1, 0, True),
    lambda m, x: m.median(x), lambda m, x: x.median(-1, True), lambda m, x: m.nanmedian(x, 0),
    lambda m, x: x.mode(0, True),
])
def test_order_statistics(fn, dtype):
    """Values, indices, grads and names of sort/argsort/topk/kthvalue/median/nanmedian/mode on distinct
    values (bool: which of these torch supports)."""
    check(fn, make((3, 4), dtype, distinct=True))


def test_sort_ties_are_stable():
    x = torch.tensor([[3.0, 1.0, 3.0, 2.0, 1.0, 3.0], [0.0, 0.0, 1.0, 1.0, 0.0, 1.0]])
    for descending in (False, True):
        check(lambda m, a: m.sort(a, stable=True, descending=descending), x)
        check(lambda m, a: m.argsort(a, descending=descending, stable=True), x)


def test_topk_unsorted_selects_the_same_values():
    """sorted=False: torch leaves the order unspecified; the selected set matches."""
    x = make((3, 8), distinct=True)
    got, expected = (m.topk(to_jt(x) if m is jtorch else x, 4, sorted=False) for m in (jtorch, torch))
    assert_same(jtorch.sort(got.values).values, torch.sort(expected.values).values)


@pytest.mark.parametrize("fn", [
    lambda m, x: m.topk(x, 5), lambda m, x: m.topk(x, -1), lambda m, x: m.kthvalue(x, 0),
    lambda m, x: m.kthvalue(x, 5), lambda m, x: m.sort(x, 2), lambda m, x: m.topk(x.bool(), 1),
    lambda m, x: m.kthvalue(x.bool(), 1), lambda m, x: m.median(x.bool()), lambda m, x: m.median(x.bool(), 0),
    lambda m, x: m.sort(x, stable=True, dim=0),
])
def test_order_statistics_errors(fn):
    check(fn, make((3, 4)))


def test_mode_counts():
    """The most frequent value, the smallest among equally frequent ones, at its last index."""
    check(lambda m, x: m.mode(x, 1), torch.tensor([[1, 2, 2, 1, 3], [3, 3, 1, 1, 0], [4, 4, 4, 0, 4]]))
    check(lambda m, x: m.mode(x, 0), torch.tensor([[1.0, 2.0], [2.0, 2.0], [1.0, 5.0], [3.0, 5.0]]))


def test_return_type_repr():
    x = torch.tensor([[1, 5, 2], [7, 0, 3]])
    for fn in (lambda m, a: m.max(a, 1), lambda m, a: m.sort(a), lambda m, a: m.topk(a, 1),
               lambda m, a: m.median(a, 0), lambda m, a: m.mode(a)):
        got, expected = fn(jtorch, to_jt(x)), fn(torch, x)
        assert repr(got) == repr(expected)
        assert (got.values.tolist(), got.indices.tolist()) == (expected.values.tolist(), expected.indices.tolist())


UNIQUE_DATA = [[[3.0, 1.0, 3.0], [2.0, 1.0, 0.0], [3.0, 1.0, 3.0]], [[1, 2], [2, 1], [1, 2]],
               [[True, False, True]], torch.zeros(0, 2), torch.zeros(2, 0, 3)]


@pytest.mark.parametrize("kw", [{}, {"return_inverse": True, "return_counts": True, "sorted": False},
                                {"dim": 0, "return_inverse": True, "return_counts": True}, {"dim": -1}], ids=str)
@pytest.mark.parametrize("data", range(len(UNIQUE_DATA)))
def test_unique(data, kw):
    """Sorted uniques (sorted=False sorts too, as torch's CPU kernel), inverse indices and counts; unique
    slices along dim (an unselected zero-size dim is an error)."""
    check(lambda m, a: m.unique(a, **kw), torch.as_tensor(UNIQUE_DATA[data]), grad=False)


@pytest.mark.parametrize("x", [torch.tensor([NAN, 1.0, NAN, 1.0, -0.5]), torch.tensor(2.5)], ids=str)
def test_unique_nan_and_zero_dim(x):
    """Each NaN is its own value; a 0-d input gives one value, a 0-d inverse and one count."""
    check(lambda m, a: a.unique(return_inverse=True, return_counts=True), x, grad=False)


@pytest.mark.parametrize("fn", [
    lambda m, x: m.norm(x, 3, 1), lambda m, x: m.std(x, 1), lambda m, x: m.max(x), lambda m, x: m.logsumexp(x, 1),
])
def test_double_backward(fn):
    """Second derivatives through the custom gradients (create_graph=True)."""
    check_double_backward(fn, make((3, 4)))
