"""Compat tests for indexing: x[index], x[index] = value, gather/scatter, index_*, masked ops, nonzero, take.

Each test runs the same expression under torch and jtorch (`check` from test_shape): values, shapes, dtypes,
the gradients of floating inputs (duplicate indices accumulate), and torch's exception types.
"""
import numpy as np
import pytest
import torch

import jtorch
from conftest import assert_raises_like, to_jt
from test_shape import check, make, raises

DTYPES = [torch.float32, torch.int64, torch.bool]  # float64 shares float32's code path: see test_float64

_RNG = np.random.RandomState(0)
MASK3 = _RNG.rand(4, 5, 6) > 0.5
MASK2 = _RNG.rand(4, 5) > 0.5
MASK1 = np.array([True, False, True, True, False, True])


def _t(value, dtype=None):
    """An index builder: the same tensor under either module."""
    return lambda m: m.tensor(value, dtype=getattr(m, dtype) if dtype else None)


def _build(index, m):
    """The index for module m: builders called, tuples built item by item."""
    if isinstance(index, tuple):
        return tuple(_build(i, m) for i in index)
    return index(m) if callable(index) else index


def _get(index):
    return lambda m, x: x[_build(index, m)]


S = slice(None)
GETITEMS = [
    -1, (1, -2), slice(None, None, 2), slice(-3, -1), slice(1, 100), slice(3, 1), (S, S, slice(-2, None, 3)),
    (S, None), (None, Ellipsis, None), (Ellipsis, 1), True, False, (None, True, Ellipsis, False), _t(MASK3), _t(MASK2),
    (S, _t(MASK2[0])), _t(np.zeros((4, 5), bool)), _t(False), _t([0, 2, -1]), _t([[0, 1], [3, -4]]), _t([0, 0, 2]),
    _t([1, 3], "int32"), _t(-1), [0, 2], [True, False, True, True], [], ([0, 1], [1, 2]), (_t([0, 1]), S, _t([1, 2])),
    (S, _t([0, 1]), _t([[1], [2]])), (1, S, _t([0, 1])), (_t(1), S, _t([0, 1])), (_t([0, 1]), 1, _t([1, 2])),
    (None, _t([0, 0, 1, 2]), S, _t(MASK1)), (True, _t([1, 2])), (_t([[0], [1]]), S, 2), (_t([2]), _t(MASK2[0])),
    _t(np.array([1, 0, 1, 1], np.uint8)), (_t([1, 2]), None, _t([0, 1])), (Ellipsis, Ellipsis), (Ellipsis, 0, Ellipsis),
]


@pytest.mark.filterwarnings("ignore:indexing with dtype torch.uint8")
@pytest.mark.parametrize("index", GETITEMS, ids=range(len(GETITEMS)))
def test_getitem(index):
    check(_get(index), make((4, 5, 6)))


@pytest.mark.parametrize("dtype", [torch.float64, torch.int64, torch.bool])
@pytest.mark.parametrize("index", [(1, slice(None, None, 2)), _t(MASK2), (_t([0, 0, 2]), S, _t([1, 2, 3]))],
                         ids=["basic", "mask", "advanced"])
def test_getitem_dtypes(index, dtype):
    check(_get(index), make((4, 5, 6), dtype))


@pytest.mark.filterwarnings("ignore:Using a non-tuple sequence")
@pytest.mark.parametrize("index", [[[0, 1], [1, 0]], [S, [1, 2]], [None, 0], [0, _t([1, 2])]])
def test_getitem_sequence_as_tuple(index):
    """torch still reads a list holding sequences (or slices, None, tensors) as a tuple, with a warning."""
    check(lambda m, x: x[[_build(i, m) for i in index]], make((4, 5, 6)))
    with pytest.warns(UserWarning, match="non-tuple sequence"):
        to_jt(make((4, 5, 6)))[[_build(i, jtorch) for i in index]]


def test_getitem_uint8_mask_warns():
    with pytest.warns(UserWarning, match="indexing with dtype torch.uint8"):
        to_jt(make((4, 5, 6)))[jtorch.tensor([1, 0, 1, 1], dtype=jtorch.uint8)]


def test_getitem_zero_dim():
    check(lambda m, x: (x[None], x[...], x[True], x[None, False], x[()]), make(()))
    raises(lambda m, x: x[0], make(()))


@pytest.mark.parametrize("index", [
    4, -5, (S, 5), (0, 0, 0, 0), (Ellipsis, 0, Ellipsis, 1), (Ellipsis, Ellipsis, True), slice(None, None, 0),
    slice(None, None, -1), 1.0, _t([4]), _t([0, -5]), (0, 1, _t([0, 6])), _t([0.0]), _t(1.0), _t([1], "int8"),
    _t(MASK1), (S, _t(MASK2)), (None, _t([0, 0]), S, _t(MASK1)), (False, _t([0, 1]))])
def test_getitem_errors(index):
    raises(_get(index), make((4, 5, 6)))


# ---- x[index] = value ---------------------------------------------------------------------------------------

def _set(index):
    """y = x.clone(); y[index] = value."""
    def fn(m, x, value):
        y = x.clone()
        y[_build(index, m)] = value
        return y
    return fn


SETITEMS = [
    (1, 5.0), ((1, 2), -1.5), ((slice(1, 3),), make((5,))), (slice(None, None, 2), make((1, 5))),
    ((S, slice(1, None, 2)), make((4, 1))), (_t(MASK2), make((int(MASK2.sum()),))), (_t(MASK2[:, 0]), make((5,))),
    (_t([0, 2]), make((2, 5))), (_t([[0], [2]]), make((1, 5))), (_t([1, -1]), 3),
    ((Ellipsis, _t([0, -1])), make((4, 2))), ((None, 1), make((5,))), (True, make((5,))), (False, 7.0),
    ((_t([0, 2]), _t([1, 4])), make(())), (_t(2), make((5,))), ((_t([1, 2]), slice(0, 2)), make((2, 1))),
    (_t([0, 0]), make((5,))),
]


@pytest.mark.parametrize("index,value", SETITEMS, ids=range(len(SETITEMS)))
def test_setitem(index, value):
    """Both the written tensor and the value get gradients (overwritten elements get none)."""
    check(_set(index), make((4, 5)), value)


@pytest.mark.parametrize("dtype", [torch.float64, torch.int64, torch.bool])
@pytest.mark.parametrize("index,value", [(slice(1, 3), -2.7), (_t(MASK2), True), (_t([0, 3]), 1.5)])
def test_setitem_scalar_cast(index, value, dtype):
    """A number is cast to the target's dtype (floats truncate toward zero into integers)."""
    check(_set(index), make((4, 5), dtype), value)


@pytest.mark.parametrize("dtype", [torch.float64, torch.int64, torch.bool])
def test_setitem_basic_index_casts_tensor(dtype):
    """Basic indexing copies a value tensor of any dtype into the target's dtype."""
    check(_set((slice(1, 3), 2)), make((4, 5)), make((), dtype), grad=False)
    check(_set(1), make((4, 5), torch.int64), make((5,), dtype))


@pytest.mark.parametrize("index,value", [(_t(MASK2), make((), torch.int64)), ((S, _t(MASK2[0])), make((1,))),
                                         ((1, _t(MASK2[0])), make((1, 1)))])
def test_setitem_one_value_through_a_mask(index, value):
    """One element written through a lone bool mask is a masked_fill: it casts, and gets every position's grad."""
    check(_set(index), make((4, 5)), value)
    check(_set(index), make((4, 5)), value.double(), grad=False)


@pytest.mark.parametrize("index,value", [
    ((S, slice(1, 3)), make((3,))), (1, make((2, 5))), (_t(MASK2), make((3,))), (_t([0, 1]), make((3, 5))),
    (_t([0, 1]), make((2, 5), torch.float64)), (_t([0, 1]), make((), torch.int64)), (4, 1.0), (_t([0, 4]), 1.0),
    (1, [1.0] * 5), (1, "a"), (1, None), (1, 1 + 2j), (slice(None, None, -1), 0.0)])
def test_setitem_errors(index, value):
    raises(_set(index), make((4, 5)), value)


def test_setitem_leaf_requiring_grad_errors():
    def fn(m, x):
        x[0] = 1.0
    assert_raises_like(lambda: fn(torch, make((3,)).requires_grad_()),
                       lambda: fn(jtorch, to_jt(make((3,))).requires_grad_()))


def test_setitem_value_requires_grad():
    """Writing a value that requires grad into a plain tensor makes it require grad."""
    def fn(m, v):
        y = m.zeros(4, 5)
        y[1:3, _build(_t([0, 4]), m)] = v
        y[0] = v[0, 0] * 2
        return y
    check(fn, make((2, 2)))


@pytest.mark.parametrize("index,op", [(_t([0, 0, 2]), "add"), (_t(MASK2), "mul"), ((slice(1, None), S), "sub"),
                                      ((_t([1, 3]), _t([0, 0])), "add"), (1, "truediv")])
def test_augmented_assignment(index, op):
    """x[i] += v reads x[i], updates it in place and writes it back (repeated indices are written once)."""
    def fn(m, x, v):
        y = x.clone()
        idx = _build(index, m)
        y[idx] = getattr(y[idx], f"__i{op}__")(v)
        return y
    check(fn, make((4, 5)), make(()))


# ---- gather / scatter ---------------------------------------------------------------------------------------

def _random_index(shape, high):
    """Random indices in [0, high) (repeats likely)."""
    return torch.randint(0, high, shape)


def _unique_index(shape, dim, high):
    """Indices in [0, high), distinct along dim (scatter writes are then deterministic)."""
    full = list(shape)
    full[dim] = high
    return torch.rand(full).argsort(dim).narrow(dim, 0, shape[dim])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("dim,index_shape", [(0, (2, 4, 3)), (1, (3, 6, 5)), (-1, (1, 2, 7)), (2, (3, 4, 0))])
def test_gather(dim, index_shape, dtype):
    check(lambda m, x, i: (x.gather(dim, i), m.gather(x, dim, i)), make((3, 4, 5), dtype),
          _random_index(index_shape, (3, 4, 5)[dim]))


def test_gather_edge_cases():
    check(lambda m, x, i: (x.gather(0, i), x.gather(-1, i.reshape(1))), make(()), torch.tensor(0))
    check(lambda m, x, i: (x.gather(1, i), x.gather(0, i[:0].reshape(-1))), make((3, 4)),
          _random_index((2, 3), 4).int())


@pytest.mark.parametrize("dim,index", [(1, torch.tensor([[0.0]])), (1, torch.tensor([0])), (1, torch.tensor([[4]])),
                                       (1, torch.tensor([[-1]])), (1, torch.zeros(4, 2, dtype=torch.long)),
                                       (2, torch.tensor([[0]])), (1, torch.tensor([[0]], dtype=torch.int16))])
def test_gather_errors(dim, index):
    raises(lambda m, x, i: x.gather(dim, i), make((3, 4)), index)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("dim,index_shape", [(0, (2, 4, 3)), (1, (3, 2, 5)), (-1, (1, 4, 5)), (2, (3, 4, 0))])
def test_scatter_src(dim, index_shape, dtype):
    index = _unique_index(index_shape, dim % 3, (3, 4, 5)[dim])
    check(lambda m, x, i, s: (x.scatter(dim, i, s), m.scatter(x, dim, i, src=s)), make((3, 4, 5), dtype), index,
          make(index_shape, dtype))


def test_scatter_src_larger_than_index():
    """Only the leading index-shaped block of src is used (torch cannot differentiate this case)."""
    check(lambda m, x, i, s: (x.scatter(0, i, s), x.scatter_add(1, i, s)), make((3, 4)), _unique_index((2, 3), 0, 3),
          make((3, 5)), grad=False)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("value", [2.5, -1, True])
def test_scatter_value(value, dtype):
    index = _unique_index((2, 4), 0, 3)
    check(lambda m, x, i: (x.scatter(0, i, value), m.scatter(x, 0, i, value=value)), make((3, 4), dtype), index)


@pytest.mark.filterwarnings("ignore:The reduce argument of torch.scatter")
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("reduce", ["add", "multiply"])
def test_scatter_reduce_argument(reduce, dtype):
    """torch has no gradient for scatter(..., reduce=): values only."""
    index = _random_index((3, 4), 3)
    check(lambda m, x, i, s: (x.scatter(0, i, s, reduce=reduce), x.scatter(1, i, 2, reduce=reduce)),
          make((3, 4), dtype), index, make((3, 4), dtype), grad=False)


def test_scatter_reduce_argument_warns():
    with pytest.warns(UserWarning, match="reduce argument of torch.scatter"):
        to_jt(make((3,))).scatter(0, jtorch.tensor([0]), to_jt(make((1,))), reduce="add")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("dim,index_shape", [(0, (5, 4)), (1, (2, 6)), (-1, (3, 3))])
def test_scatter_add(dim, index_shape, dtype):
    """Repeated indices accumulate."""
    check(lambda m, x, i, s: (x.scatter_add(dim, i, s), m.scatter_add(x, dim, i, s)), make((3, 4), dtype),
          _random_index(index_shape, (3, 4)[dim]), make(index_shape, dtype))


@pytest.mark.parametrize("include_self", [True, False])
@pytest.mark.parametrize("reduce", ["sum", "prod", "mean", "amax", "amin"])
def test_scatter_reduce(reduce, include_self):
    """Repeated indices reduce together; prod's gradient copes with zero factors."""
    src = make((5, 4))
    src[0, 0] = src[1, 1] = src[2, 1] = 0
    check(lambda m, x, i, s: m.scatter_reduce(x, 0, i, s, reduce=reduce, include_self=include_self), make((3, 4)),
          _random_index((5, 4), 3), src)


@pytest.mark.parametrize("dtype", [torch.int64, torch.bool])
def test_scatter_reduce_int_bool(dtype):
    """Integer means round down; bools sum as `or` and multiply as `and`."""
    reduces = ("sum", "prod", "amax", "amin") + (("mean",) if dtype is torch.int64 else ())
    check(lambda m, x, i, s: [x.scatter_reduce(1, i, s, r, include_self=b) for r in reduces for b in (True, False)],
          make((3, 4), dtype), _random_index((3, 5), 4), make((3, 5), dtype))


@pytest.mark.parametrize("op", ["scatter", "scatter_add", "scatter_reduce"])
@pytest.mark.parametrize("index,src", [(torch.tensor([[0.0]]), make((1, 1))), (torch.tensor([[3]]), make((1, 1))),
                                       (torch.tensor([[-1]]), make((1, 1))), (torch.tensor([0]), make((1,))),
                                       (torch.zeros(1, 5, dtype=torch.long), make((1, 5))),
                                       (torch.zeros(2, 2, dtype=torch.long), make((1, 1))),
                                       (torch.tensor([[0]]), make((1, 1), torch.float64))])
def test_scatter_errors(op, index, src):
    extra = ("sum",) if op == "scatter_reduce" else ()
    raises(lambda m, x, i, s: getattr(x, op)(0, i, s, *extra), make((3, 4)), index, src)


def test_scatter_reduce_argument_errors():
    raises(lambda m, x, i: x.scatter(0, i, 1.0, reduce="mean"), make((3, 4)), torch.tensor([[0]]))
    raises(lambda m, x, i: x.scatter_reduce(0, i, x, "add"), make((3, 4)), torch.tensor([[0], [1]]))
    raises(lambda m, x, i: x.scatter_reduce(0, i, x, "mean"), make((3, 4), torch.bool), torch.tensor([[0], [1]]))


def test_scatter_reduce_max_min_aliases():
    """torch cannot differentiate through the aliases: values only."""
    check(lambda m, x, i: (x.scatter_reduce(0, i, -x, "max"), x.scatter_reduce(1, i, -x, "min", include_self=False)),
          make((3, 4)), torch.tensor([[0, 2], [1, 0]]), grad=False)


# ---- index_select / index_add / index_copy / index_fill -----------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("dim,index", [(0, [2, 0, 2]), (1, [3]), (-1, []), (1, 1)])
def test_index_select(dim, index, dtype):
    check(lambda m, x, i: (x.index_select(dim, i), m.index_select(x, dim, i), x.index_select(dim, i.int())),
          make((3, 4), dtype), torch.tensor(index, dtype=torch.long))


def test_index_select_zero_dim():
    check(lambda m, x, i: x.index_select(0, i), make(()), torch.tensor([0]))


@pytest.mark.parametrize("index", [[-1], [3], [[0]], [0.0]])
def test_index_select_errors(index):
    raises(lambda m, x, i: x.index_select(0, i), make((3, 4)), torch.tensor(index))


@pytest.mark.parametrize("dtype", DTYPES[:2])
@pytest.mark.parametrize("dim,index,alpha", [(0, [2, 0, 2], 1), (1, [3, 3], 2), (-1, [1], -1.5), (0, 1, 2.5)])
def test_index_add(dim, index, alpha, dtype):
    """Repeated indices accumulate; alpha is cast to the input's dtype (truncated for integers)."""
    x = make((3, 4), dtype)
    source = make(x.index_select(dim, torch.tensor(index).reshape(-1)).shape, dtype)
    check(lambda m, x, i, s: m.index_add(x, dim, i, s, alpha=alpha), x, torch.tensor(index, dtype=torch.int32), source)


def test_index_add_bool():
    check(lambda m, x, i, s: x.index_add(0, i, s), make((3, 4), torch.bool), torch.tensor([0, 0]),
          make((2, 4), torch.bool))


@pytest.mark.parametrize("index,source", [([-1], (1, 4)), ([3], (1, 4)), ([[0]], (1, 4)), ([0.0], (1, 4)),
                                          ([0, 1], (3, 4)), ([0], (1, 5)), ([0], (4,)),
                                          ([0], make((1, 4), torch.float64))])
def test_index_add_errors(index, source):
    source = source if isinstance(source, torch.Tensor) else make(source)
    raises(lambda m, x, i, s: x.index_add(0, i, s), make((3, 4)), torch.tensor(index), source)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("dim,index", [(0, [2, 0]), (1, [3, 1, 0]), (-1, 2)])
def test_index_copy(dim, index, dtype):
    x = make((3, 4), dtype)
    source = make(x.index_select(dim, torch.tensor(index).reshape(-1)).shape, dtype)
    check(lambda m, x, i, s: (x.index_copy(dim, i, s), m.index_copy(x, dim, i, s)), x, torch.tensor(index), source)


@pytest.mark.parametrize("index,source", [([-1], (1, 4)), ([3], (1, 4)), ([[0]], (1, 4)), ([0, 1], (3, 4)),
                                          ([0], (1, 5)), ([0], (4,)), (torch.tensor([0], dtype=torch.int32), (1, 4)),
                                          ([0], make((1, 4), torch.float64))])
def test_index_copy_errors(index, source):
    source = source if isinstance(source, torch.Tensor) else make(source)
    raises(lambda m, x, i, s: x.index_copy(0, i, s), make((3, 4)), torch.as_tensor(index), source)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("dim,index,value", [(0, [2, 0], 1.5), (1, [-1, 1], -2.7), (1, 3, True), (0, [], 2)])
def test_index_fill(dim, index, value, dtype):
    check(lambda m, x, i: (x.index_fill(dim, i, value), m.index_fill(x, dim, i, value)), make((3, 4), dtype),
          torch.tensor(index, dtype=torch.long))


def test_index_fill_tensor_value():
    """A 0-dim value tensor gets the gradient of every filled element."""
    check(lambda m, x, i, v: x.index_fill(1, i, v), make((3, 4)), torch.tensor([0, 2]), make(()))


@pytest.mark.parametrize("index,value", [([3], 1.0), ([-4], 1.0), ([[0]], 1.0), ([0.0], 1.0), ([0], make((1,))),
                                         (torch.tensor([0], dtype=torch.int32), 1.0)])
def test_index_fill_errors(index, value):
    raises(lambda m, x, i, v: x.index_fill(0, i, v), make((3, 4)), torch.as_tensor(index), value)


# ---- masked_fill / masked_select ----------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("mask_shape,value", [((3, 4), 1.5), ((4,), -2.7), ((3, 1), True), ((2, 3, 4), 0)])
def test_masked_fill(mask_shape, value, dtype):
    """Input and mask broadcast together (the result may be larger than the input)."""
    check(lambda m, x, mask: (x.masked_fill(mask, value), m.masked_fill(x, mask, value)), make((3, 4), dtype),
          make(mask_shape, torch.bool))


@pytest.mark.parametrize("value_dtype", [torch.float32, torch.int64])
def test_masked_fill_tensor_value(value_dtype):
    check(lambda m, x, mask, v: x.masked_fill(mask, v), make((3, 4)), make((3, 4), torch.bool), make((), value_dtype))


def test_masked_fill_errors():
    raises(lambda m, x, mask: x.masked_fill(mask, 1.0), make((3, 4)), make((3, 4), torch.int64))
    raises(lambda m, x, mask: x.masked_fill(mask, 1.0), make((3, 4)), make((2, 4), torch.bool))
    raises(lambda m, x, mask, v: x.masked_fill(mask, v), make((3, 4)), make((3, 4), torch.bool), make((1,)))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,mask_shape", [((3, 4), (3, 4)), ((4,), (3, 4)), ((), ()), ((3, 1), (1, 4))])
def test_masked_select(shape, mask_shape, dtype):
    check(lambda m, x, mask: (x.masked_select(mask), m.masked_select(x, mask)), make(shape, dtype),
          make(mask_shape, torch.bool))


def test_masked_select_errors():
    raises(lambda m, x, mask: x.masked_select(mask), make((3, 4)), torch.ones(3, 4, dtype=torch.uint8))
    raises(lambda m, x, mask: x.masked_select(mask), make((3, 4)), make((2, 4), torch.bool))


# ---- nonzero / argwhere / where / take ----------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(3, 4), (), (0, 3), (2, 1, 3)])
def test_nonzero(shape, dtype):
    x = make(shape, dtype)
    if dtype is not torch.bool:
        x = x * (torch.rand(shape) > 0.5)
    check(lambda m, x: (x.nonzero(), m.nonzero(x, as_tuple=True), x.nonzero(as_tuple=False), m.argwhere(x),
                        x.argwhere(), m.where(x)), x, grad=False)


def test_nonzero_zero_dim_false():
    check(lambda m, x: (m.nonzero(x), m.nonzero(x, as_tuple=True), m.where(x)), torch.tensor(0.0))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape,index", [((3, 4), [[1, 2], [-12, 11]]), ((), [0, -1, -1]), ((3, 4), [])])
def test_take(shape, index, dtype):
    """Repeated indices accumulate gradients."""
    check(lambda m, x, i: (x.take(i), m.take(x, i)), make(shape, dtype), torch.tensor(index, dtype=torch.long))


@pytest.mark.parametrize("index", [torch.tensor([12]), torch.tensor([-13]), torch.tensor([0], dtype=torch.int32),
                                   torch.tensor([0.0])])
def test_take_errors(index):
    raises(lambda m, x, i: x.take(i), make((3, 4)), index)


# ---- in-place variants --------------------------------------------------------------------------------------

def test_inplace_variants():
    def fn(m, x, i, s, s3, mask):
        y = x.clone()
        return (x.clone().scatter_(0, i, s), x.clone().scatter_(1, i[:, :2], 2), x.clone().scatter_add_(0, i, s),
                x.clone().scatter_reduce_(0, i, s, "amax", include_self=False),
                x.clone().index_add_(1, m.tensor([0, 0, 3]), s3, alpha=2),
                x.clone().index_copy_(0, m.tensor([2]), s[:1]), x.clone().index_fill_(1, m.tensor([-1, 1]), -1),
                y.masked_fill_(mask, 5), y)
    check(fn, make((3, 4)), _unique_index((2, 4), 0, 3), make((2, 4)), make((3, 3)), make((4,), torch.bool))


def test_inplace_errors():
    """In-place results keep self's shape and dtype."""
    raises(lambda m, x, mask: x.masked_fill_(mask, 1.0), make((3,)), make((2, 3), torch.bool))
    raises(lambda m, x: x.index_fill_(0, m.tensor([0]), 1.0), make((3,)).requires_grad_())


def test_float64():
    """float64 inputs keep their dtype and get float64 gradients through every indexing op."""
    def fn(m, x, v, s):
        y = x.clone()
        y[m.tensor([0, 2, 1]), 1:] = v
        i = m.tensor([[0, 2, 1, 0, 2], [1, 1, 0, 2, 0]])
        return (y[m.tensor(MASK2[:3])], x.gather(0, i), x.scatter(0, m.tensor([[0, 2, 1], [1, 0, 2]]), s[:, :3]),
                x.scatter_add(0, i, s), x.scatter_reduce(0, i, s, "prod"), x.index_select(1, i[0]),
                x.index_add(0, i[1, :2], s), x.index_copy(0, m.tensor([2, 0]), s), x.index_fill(1, i[0], v[0, 0]),
                x.masked_fill(m.tensor(MASK1[:5]), v[0, 1]), x.masked_select(m.tensor(MASK2[:3])), x.take(i))
    check(fn, make((3, 5), torch.float64), make((3, 4), torch.float64), make((2, 5), torch.float64))
