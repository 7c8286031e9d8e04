"""Compat tests for the shape family: each test runs the same expression under torch and jtorch.

Results must agree in values, shape and dtype; for floating inputs the gradients of every
differentiable output (random upstream gradients) must agree; bad arguments raise torch's exception type.
"""
import pytest
import torch

import jtorch
from conftest import assert_raises_like, assert_same, assert_same_grads, to_jt

DTYPES = [torch.float32, torch.float64, torch.int64, torch.bool]


def make(shape, dtype=torch.float32):
    if dtype.is_floating_point:
        return torch.randn(shape, dtype=dtype)
    if dtype is torch.bool:
        return torch.randint(0, 2, shape).bool()
    return torch.randint(-9, 10, shape, dtype=dtype)


def _tensors(result):
    """The tensors in a result, nested tuples and lists flattened."""
    if isinstance(result, (tuple, list)):
        return [t for r in result for t in _tensors(r)]
    return [result] if isinstance(result, (torch.Tensor, jtorch.Tensor)) else []


def _leaf(arg, grad):
    """A fresh copy of a torch argument (or list of them) whose floating tensors require grad when `grad`."""
    if isinstance(arg, list):
        return [_leaf(a, grad) for a in arg]
    if isinstance(arg, torch.Tensor):
        return arg.detach().requires_grad_(grad and arg.is_floating_point())
    return arg


def check(fn, *args, grad=True):
    """fn(module, *args) agrees under torch and jtorch, and so do the input grads of every floating output.

    Tensor arguments may be nested in lists (cat, stack...); floating ones require grad unless grad=False.
    """
    t_args = [_leaf(a, grad) for a in args]
    j_args = [to_jt(a) for a in t_args]
    expected = fn(torch, *t_args)
    got = fn(jtorch, *j_args)
    assert_same(got, expected)
    assert [o.requires_grad for o in _tensors(got)] == [o.requires_grad for o in _tensors(expected)]
    outs = [(o_t, o_j) for o_t, o_j in zip(_tensors(expected), _tensors(got)) if o_t.requires_grad]
    for o_t, o_j in outs:
        g = torch.randn(o_t.shape, dtype=o_t.dtype)
        o_t.backward(g, retain_graph=True)
        o_j.backward(to_jt(g), retain_graph=True)
    if outs:
        assert_same_grads([a for a in _tensors(j_args) if a.requires_grad],
                          [a for a in _tensors(t_args) if a.requires_grad])


def raises(fn, *args):
    """fn(module, *args) raises under torch, and jtorch raises the same exception type."""
    assert_raises_like(lambda: fn(torch, *args), lambda: fn(jtorch, *[to_jt(a) for a in args]))


@pytest.mark.parametrize("dtype", DTYPES[1:])
def test_dtypes_kept(dtype):
    """Every shape op keeps its input's dtype (float32, tested everywhere else, aside); float64 gradients flow."""
    check(lambda m, x: (x.reshape(4, 6), x.narrow(0, 1, 1).expand(3, 3, 4), x.repeat(1, 2, 1),
                        x.repeat_interleave(m.tensor([1, 0, 2]), 1), x.split(3, 2), x.unbind(1), x.flip(0, 2),
                        x.roll(1, 1), x.diagonal(0, 1, 2), m.cat([x, x], 1), m.stack([x, x], 3)),
          make((2, 3, 4), dtype))


# ---- view / reshape / flatten ----------------------------------------------------------------------------

RESHAPES = [((6,), (2, 3)), ((2, 3), (-1,)), ((2, 3), (3, -1)), ((2, 3, 4), (4, -1, 2)), ((), (1, 1)),
            ((1,), ()), ((0, 3), (-1, 3)), ((0, 3), (3, 0, 5))]


@pytest.mark.parametrize("shape,target", RESHAPES)
def test_view_reshape(shape, target):
    check(lambda m, x: (x.view(target), x.reshape(target), m.reshape(x, target)), make(shape))
    if target:
        check(lambda m, x: (x.view(*target), x.reshape(*target)), make(shape))


def test_view_reshape_sequences_and_as():
    check(lambda m, x, y: (x.view([3, 2]), x.reshape(torch.Size([1, 6]) if m is torch else m.Size([1, 6])),
                           x.view(m.tensor(3), 2), x.view_as(y), x.reshape_as(y)),
          make((2, 3)), make((3, 2), torch.int64))


@pytest.mark.parametrize("shape,target", [((2, 3), (-1, -1)), ((2, 3), (4, 2)), ((2, 3), (-2, 3)), ((2, 3), (7,)),
                                          ((2, 3), (-1, 0)), ((0, 3), (-1, 0)), ((0, 3), (-1, -1)), ((2, 3), ()),
                                          ((2, 3), (2.0, 3))])
def test_view_reshape_errors(shape, target):
    raises(lambda m, x: x.view(*target), make(shape))
    raises(lambda m, x: x.reshape(*target), make(shape))


@pytest.mark.parametrize("src,dst", [(torch.float32, torch.int32), (torch.int64, torch.float64),
                                     (torch.float32, torch.int16), (torch.int16, torch.float32),
                                     (torch.int64, torch.uint8), (torch.bool, torch.uint8)])
def test_view_dtype(src, dst):
    check(lambda m, x: x.view(getattr(m, str(dst)[6:])), make((3, 4), src))


@pytest.mark.parametrize("shape,dst", [((3, 3), torch.float32), ((), torch.int8), ((), torch.float64)])
def test_view_dtype_errors(shape, dst):
    raises(lambda m, x: x.view(getattr(m, str(dst)[6:])), make(shape, torch.int16))


@pytest.mark.parametrize("shape,start,end", [((2, 3, 4), 0, -1), ((2, 3, 4), 1, 2), ((2, 3, 4), -2, -1),
                                             ((2, 3, 4), 1, 1), ((), 0, -1), ((5,), 0, 0), ((2, 0, 3), 0, 1)])
def test_flatten(shape, start, end):
    check(lambda m, x: (x.flatten(start, end), m.flatten(x, start_dim=start, end_dim=end)), make(shape))


@pytest.mark.parametrize("shape,start,end", [((2, 3, 4), 2, 1), ((2, 3), 0, 2), ((), 1, 0)])
def test_flatten_errors(shape, start, end):
    raises(lambda m, x: x.flatten(start, end), make(shape))


@pytest.mark.parametrize("dim,sizes", [(1, (2, 6)), (-2, (3, -1)), (0, (1, 2)), (1, (12,)), (2, (1, 4, 1))])
def test_unflatten(dim, sizes):
    check(lambda m, x: (x.unflatten(dim, sizes), m.unflatten(x, dim, list(sizes))), make((2, 12, 4)))


@pytest.mark.parametrize("dim,sizes", [(1, (5, 3)), (1, (-1, -1)), (3, (1, 4)), (1, ())])
def test_unflatten_errors(dim, sizes):
    raises(lambda m, x: x.unflatten(dim, sizes), make((2, 12, 4)))


# ---- squeeze / unsqueeze / transpose / permute -------------------------------------------------------------

@pytest.mark.parametrize("shape,dim", [((1, 3, 1, 2), None), ((1, 3, 1, 2), 0), ((1, 3, 1, 2), -2),
                                       ((1, 3, 1, 2), 1), ((1, 3, 1, 2), (0, 2)), ((1, 3, 1, 2), (1, -2)),
                                       ((1, 3, 1, 2), ()), ((), None), ((), 0), ((), -1), ((), (0,)),
                                       ((1, 1), None)])
def test_squeeze(shape, dim):
    args = () if dim is None else (dim,)
    check(lambda m, x: (x.squeeze(*args), m.squeeze(x, *args)), make(shape))


@pytest.mark.parametrize("shape,dim", [((1, 3), 2), ((1, 3), (0, 0)), ((), 1), ((1, 3), -3)])
def test_squeeze_errors(shape, dim):
    raises(lambda m, x: x.squeeze(dim), make(shape))


@pytest.mark.parametrize("shape,dim", [((2, 3), 0), ((2, 3), 2), ((2, 3), -1), ((2, 3), -3), ((), 0), ((), -1)])
def test_unsqueeze(shape, dim):
    check(lambda m, x: (x.unsqueeze(dim), m.unsqueeze(x, dim)), make(shape))


@pytest.mark.parametrize("shape,dim", [((2, 3), 3), ((2, 3), -4), ((), 1)])
def test_unsqueeze_errors(shape, dim):
    raises(lambda m, x: x.unsqueeze(dim), make(shape))


def test_inplace_reshapes():
    def fn(m, x):
        y = x.clone()
        return (y.unsqueeze_(0).clone(), y.squeeze_().clone(), y.t_().clone(), y.transpose_(0, 1).clone(),
                y.unsqueeze_(-1).squeeze_(2).clone(), y.swapaxes_(0, 1))
    check(fn, make((2, 3)))


@pytest.mark.parametrize("shape,d0,d1", [((2, 3, 4), 0, 2), ((2, 3, 4), -1, 1), ((2, 3), 1, 1), ((), 0, -1),
                                         ((5,), 0, -1)])
def test_transpose(shape, d0, d1):
    check(lambda m, x: (x.transpose(d0, d1), m.transpose(x, d0, d1), x.swapaxes(d0, d1), m.swapdims(x, d0, d1)),
          make(shape))


@pytest.mark.parametrize("shape,d0,d1", [((2, 3), 0, 2), ((), 0, 1), ((2, 3), -3, 0)])
def test_transpose_errors(shape, d0, d1):
    raises(lambda m, x: x.transpose(d0, d1), make(shape))


@pytest.mark.parametrize("dims", [(2, 0, 1), (-1, 0, 1), (0, 1, 2)])
def test_permute(dims):
    check(lambda m, x: (x.permute(*dims), x.permute(dims), x.permute(list(dims)), m.permute(x, dims)),
          make((2, 3, 4)))


@pytest.mark.parametrize("dims", [(0, 1), (0, 1, 1), (0, 1, 3), (0, 1, 2, 3)])
def test_permute_errors(dims):
    raises(lambda m, x: x.permute(dims), make((2, 3, 4)))


@pytest.mark.filterwarnings("ignore:The use of `x.T`", "ignore:Tensor.T is deprecated")
@pytest.mark.parametrize("shape", [(), (3,), (2, 3), (0, 2)])
def test_t(shape):
    check(lambda m, x: (x.t(), m.t(x), x.T), make(shape, torch.int64))
    check(lambda m, x: (x.t(), m.t(x), x.T), make(shape))


def test_t_errors():
    raises(lambda m, x: x.t(), make((2, 3, 4)))
    raises(lambda m, x: m.t(x), make((2, 3, 4)))
    raises(lambda m, x: x.mT, make((3,)))


@pytest.mark.filterwarnings("ignore:The use of `x.T`", "ignore:Tensor.T is deprecated")
@pytest.mark.parametrize("shape", [(2, 3), (2, 3, 4), (1, 2, 3, 4), ()])
def test_T_mT(shape):
    check(lambda m, x: x.T, make(shape))
    if shape:
        check(lambda m, x: x.mT, make(shape))


def test_T_mT_warnings():
    """torch warns that x.T on other than 2-D and x.mT on 0-D are deprecated."""
    with pytest.warns(UserWarning, match="x.T"):
        to_jt(make((2, 3, 4))).T
    with pytest.warns(UserWarning, match="T is deprecated on 0-D"):
        to_jt(make(())).T
    with pytest.warns(UserWarning, match="mT is deprecated on 0-D"):
        check(lambda m, x: x.mT, make(()))


@pytest.mark.parametrize("src,dst", [(0, 2), (-1, 0), ((0, 1), (2, 0)), ([2, 0], [0, 1]), (1, 1), ((), ())])
def test_movedim(src, dst):
    check(lambda m, x: (x.movedim(src, dst), m.movedim(x, src, dst), m.moveaxis(x, src, dst)), make((2, 3, 4)))


@pytest.mark.parametrize("src,dst", [((0, 1), (2,)), (3, 0), ((0, 0), (1, 2)), ((0, 1), (1, 1))])
def test_movedim_errors(src, dst):
    raises(lambda m, x: x.movedim(src, dst), make((2, 3, 4)))


def test_contiguous():
    check(lambda m, x: (x.contiguous(), x.t().contiguous()), make((2, 3)))


# ---- expand / repeat ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("shape,sizes", [((3, 1), (3, 4)), ((3, 1), (-1, 4)), ((3, 1), (2, 3, 4)),
                                         ((3, 1), (2, -1, -1)), ((), (2, 3)), ((1,), (0,)), ((3, 1), (0, 3, 1)),
                                         ((2, 1), (torch.Size([2, 5]),))])
def test_expand(shape, sizes):
    check(lambda m, x: (x.expand(*sizes), x.expand(list(sizes) if isinstance(sizes[0], int) else sizes[0])),
          make(shape))


@pytest.mark.parametrize("shape,sizes", [((3, 1), (4, 4)), ((3, 1), (3,)), ((3, 1), (-1, 3, 1)), ((3, 1), (3, -2)),
                                         ((3, 2), (3, 1))])
def test_expand_errors(shape, sizes):
    raises(lambda m, x: x.expand(*sizes), make(shape))


def test_expand_as_broadcast_to():
    check(lambda m, x, y: (x.expand_as(y), m.broadcast_to(x, (2, 3, 4)), x.broadcast_to((2, -1, 4))),
          make((3, 1)), make((2, 3, 4)))
    raises(lambda m, x: m.broadcast_to(x, (2, 2)), make((3, 1)))


@pytest.mark.parametrize("shapes", [[(3, 1), (1, 4)], [(2, 1, 3), (3,), ()], [(0, 1), (1, 5)], [(2,)]])
def test_broadcast_tensors(shapes):
    check(lambda m, *xs: m.broadcast_tensors(*xs), *[make(s) for s in shapes[:-1]],
          make(shapes[-1], torch.int64))


def test_broadcast_tensors_errors():
    raises(lambda m, x, y: m.broadcast_tensors(x, y), make((2, 3)), make((4,)))


@pytest.mark.parametrize("shape,reps", [((2, 3), (2, 2)), ((2, 3), (3, 1, 2)), ((), (3,)), ((3,), (0, 2)),
                                        ((2, 3), (torch.Size([1, 2]),))])
def test_repeat(shape, reps):
    check(lambda m, x: (x.repeat(*reps), x.repeat(list(reps) if isinstance(reps[0], int) else reps[0])),
          make(shape))


@pytest.mark.parametrize("shape,reps", [((2, 3), (2,)), ((2, 3), (2, -1)), ((), (-1,)), ((2,), ()), ((), ())])
def test_repeat_errors(shape, reps):
    raises(lambda m, x: x.repeat(*reps), make(shape))


@pytest.mark.parametrize("shape,reps", [((2, 3), (2,)), ((2, 3), (2, 2)), ((2,), (2, 1, 3)), ((), (2,)),
                                        ((2, 3), ())])
def test_tile(shape, reps):
    check(lambda m, x: (x.tile(reps), m.tile(x, reps)), make(shape))


def test_tile_errors():
    raises(lambda m, x: x.tile((2, -1)), make((2, 3)))


@pytest.mark.parametrize("shape,repeats,dim", [((2, 3), 2, None), ((2, 3), 2, 1), ((2, 3), 3, -2), ((), 3, None),
                                               ((2, 3), [1, 0, 2], 1), ((4,), [1, 2, 0, 3], 0), ((2, 3), [3], 0),
                                               ((2, 3), [2, 1], 0), ((3,), [2, 1, 0], None), ((2, 0), 2, 1),
                                               ((), [4], None), ((2, 3), 0, 0)])
def test_repeat_interleave(shape, repeats, dim):
    reps = torch.tensor(repeats) if isinstance(repeats, list) else repeats
    check(lambda m, x, r: (x.repeat_interleave(r, dim), m.repeat_interleave(x, r, dim=dim)), make(shape),
          reps)


def test_repeat_interleave_repeats_only():
    check(lambda m, r: m.repeat_interleave(r), torch.tensor([2, 0, 3], dtype=torch.int32))
    check(lambda m, r: m.repeat_interleave(r, output_size=5), torch.tensor([2, 0, 3]))
    check(lambda m, x, r: m.repeat_interleave(x, r, dim=0, output_size=3), make((2, 3)), torch.tensor([1, 2]))
    for repeats in (torch.tensor(2), torch.tensor([2, -1]), torch.tensor([1.0]), torch.tensor([True])):
        raises(lambda m, r: m.repeat_interleave(r), repeats)
    raises(lambda m, r: m.repeat_interleave(r, output_size=4), torch.tensor([2, 1]))


@pytest.mark.parametrize("repeats,dim", [([1, 2], 1), (-1, 0), ([-1, 2, 1], 1), ([[1, 2]], 0), (2, 2),
                                         ([1.0, 2.0], 0)])
def test_repeat_interleave_errors(repeats, dim):
    reps = torch.tensor(repeats) if isinstance(repeats, list) else repeats
    raises(lambda m, x, r: x.repeat_interleave(r, dim), make((2, 3)), reps)


# ---- cat / stack -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtypes", [(torch.float32, torch.float32), (torch.int64, torch.float32),
                                    (torch.bool, torch.int64), (torch.float32, torch.float64),
                                    (torch.int32, torch.bool, torch.int64), (torch.bool, torch.bool)])
@pytest.mark.parametrize("dim", [0, -1])
def test_cat_promotes(dtypes, dim):
    xs = [make((2, 3), d) for d in dtypes]
    check(lambda m, xs: (m.cat(xs, dim), m.concat(xs, dim=dim), m.concatenate(tuple(xs), dim)), xs)


@pytest.mark.parametrize("shapes,dim", [([(2, 3), (0,), (4, 3)], 0), ([(0,), (2, 3)], 1), ([(0,), (0,)], 0),
                                        ([(2, 3), (0,)], -1), ([(1, 3), (0, 3), (2, 3)], 0), ([(2, 0), (2, 3)], 1),
                                        ([(2, 3)], 1), ([(0,), (3,), (0,)], 0)])
def test_cat_skips_empty_1d(shapes, dim):
    check(lambda m, xs: m.cat(xs, dim), [make(s) for s in shapes])


def test_cat_empty_1d_promotes():
    check(lambda m, xs: m.cat(xs), [make((0,), torch.float64), make((2, 3), torch.int64)])


@pytest.mark.parametrize("shapes,dim", [([(2, 3), (2, 4)], 0), ([(2, 3), (3,)], 0), ([(), ()], 0), ([(2,), ()], 0),
                                        ([(2, 3), (2, 3)], 2), ([(2, 3), (2, 3)], -3), ([(2, 3), (2, 3, 1)], 0),
                                        ([(0, 3), (2, 4)], 0), ([(0,), (2, 3)], 2)])
def test_cat_errors(shapes, dim):
    raises(lambda m, xs: m.cat(xs, dim), [make(s) for s in shapes])


def test_cat_argument_errors():
    raises(lambda m: m.cat([]))
    raises(lambda m, x: m.cat([x, 1.0]), make((2,)))
    raises(lambda m, x: m.cat(x), make((2,)))


def test_cat_out():
    def fn(m, x, y):
        out = m.empty(0, dtype=m.float64)
        r = m.cat([x, y], out=out)
        return r, out
    check(fn, make((2, 3), torch.int64), make((1, 3), torch.bool))


@pytest.mark.parametrize("dtypes", [(torch.float32, torch.float32), (torch.int64, torch.float64),
                                    (torch.bool, torch.bool)])
@pytest.mark.parametrize("shape,dim", [((2, 3), 0), ((2, 3), 2), ((2, 3), -1), ((), 0), ((), -1), ((0, 2), 1)])
def test_stack(shape, dim, dtypes):
    check(lambda m, xs: (m.stack(xs, dim), m.stack(tuple(xs), dim=dim)), [make(shape, d) for d in dtypes])


@pytest.mark.parametrize("shapes,dim", [([(2, 3), (3, 2)], 0), ([(2, 3), (2, 3)], 3), ([(2, 3), (2, 3)], -4),
                                        ([], 0), ([(2,), ()], 0)])
def test_stack_errors(shapes, dim):
    raises(lambda m, xs: m.stack(xs, dim), [make(s) for s in shapes])


@pytest.mark.parametrize("op", ["hstack", "vstack", "dstack", "column_stack"])
@pytest.mark.parametrize("shapes", [[(), ()], [(3,), (3,)], [(2, 3), (2, 3)], [(2, 3, 4), (2, 3, 4)]])
def test_stacks(op, shapes):
    check(lambda m, xs: getattr(m, op)(xs), [make(shapes[0], torch.int64), make(shapes[1])])


def test_stacks_mixed_ranks():
    check(lambda m, xs: (m.column_stack(xs), m.hstack(tuple(xs[1:] * 2)), m.row_stack(xs[1:])),
          [make((3,)), make((3, 2))])


@pytest.mark.parametrize("op,shapes", [("hstack", [(3,), (3, 2)]), ("vstack", [(2, 3), (2, 1)]),
                                       ("dstack", [(2, 3), (3, 3)]), ("column_stack", [(3,), (2, 1)])])
def test_stacks_errors(op, shapes):
    raises(lambda m, xs: getattr(m, op)(xs), [make(s) for s in shapes])


def test_stacks_empty_errors():
    for op in ("hstack", "vstack", "dstack", "column_stack"):
        raises(lambda m: getattr(m, op)([]))


def test_atleast():
    """One tensor gives one tensor (itself when it has the dims already); several, or a sequence, a tuple."""
    check(lambda m, x, y, z: (m.atleast_1d(x), m.atleast_1d(y), m.atleast_2d(x), m.atleast_2d(y, z),
                              m.atleast_3d([x, y, z]), m.atleast_3d(z), m.atleast_1d(z) is z),
          make(()), make((3,)), make((2, 3)))


# ---- split / chunk / unbind --------------------------------------------------------------------------------

@pytest.mark.parametrize("shape,size,dim", [((5, 2), 2, 0), ((5, 2), 5, 0), ((5, 2), 7, 0), ((5, 2), 1, 1),
                                            ((5, 2), [2, 3], 0), ((5, 2), [5, 0], 0), ((5, 2), (1, 1), -1),
                                            ((0, 2), 0, 0), ((0, 2), 3, 0), ((5, 2), [0, 0, 5], 0)])
def test_split(shape, size, dim):
    check(lambda m, x: (x.split(size, dim), m.split(x, size, dim=dim)), make(shape))


@pytest.mark.parametrize("size,dim", [(0, 0), (-1, 0), ([2, 2], 0), ([6, -1], 0), (2, 2)])
def test_split_errors(size, dim):
    raises(lambda m, x: x.split(size, dim), make((5, 2)))


def test_split_0dim_error():
    raises(lambda m, x: x.split(1), make(()))


@pytest.mark.parametrize("sizes,dim", [([2, 3], 0), ([1, 1], 1), ([5], -2), ([0, 5, 0], 0)])
def test_split_with_sizes(sizes, dim):
    check(lambda m, x: (x.split_with_sizes(sizes, dim), m.split_with_sizes(x, sizes, dim)), make((5, 2)))


@pytest.mark.parametrize("sizes,dim", [([2, 2], 0), ([6, -1], 0), ([1, 1], 2)])
def test_split_with_sizes_errors(sizes, dim):
    raises(lambda m, x: x.split_with_sizes(sizes, dim), make((5, 2)))


@pytest.mark.parametrize("shape,chunks,dim", [((5, 2), 2, 0), ((5, 2), 3, 0), ((5, 2), 5, 0), ((5, 2), 7, 0),
                                              ((5, 2), 4, 0), ((6, 2), 4, 0), ((5, 2), 3, -1), ((0, 2), 3, 0),
                                              ((2, 0), 2, 1), ((10,), 4, 0)])
def test_chunk(shape, chunks, dim):
    check(lambda m, x: (x.chunk(chunks, dim), m.chunk(x, chunks, dim=dim)), make(shape))


@pytest.mark.parametrize("shape,chunks,dim", [((5, 2), 0, 0), ((5, 2), -1, 0), ((5, 2), 2, 2), ((), 1, 0)])
def test_chunk_errors(shape, chunks, dim):
    raises(lambda m, x: x.chunk(chunks, dim), make(shape))


@pytest.mark.parametrize("arg,dim", [(3, 0), (2, 0), (7, 0), (1, 1), ([1, 3], 0), ([3, 1], 0), ([-2, 10], 0),
                                     ((0, 2, 2), 0), ([], 0), ([1], -1), ("t3", 0), ("t[1, 4]", 0)])
def test_tensor_split(arg, dim):
    if arg == "t3":
        arg = torch.tensor(3)
    elif arg == "t[1, 4]":
        arg = torch.tensor([1, 4])
    check(lambda m, x, a: (x.tensor_split(a, dim), m.tensor_split(x, a, dim=dim)), make((5, 2)), arg)


def test_tensor_split_keywords():
    check(lambda m, x: (m.tensor_split(x, sections=2), m.tensor_split(x, indices=[1], dim=1)), make((5, 2)))


@pytest.mark.parametrize("arg,dim", [(0, 0), (2, 2), ("t[[1]]", 0), ("t[1.0]", 0)])
def test_tensor_split_errors(arg, dim):
    if isinstance(arg, str):
        arg = torch.tensor([[1]]) if arg == "t[[1]]" else torch.tensor([1.0])
    raises(lambda m, x, a: x.tensor_split(a, dim), make((5, 2)), arg)
    raises(lambda m, x: m.tensor_split(x, 2), make(()))


@pytest.mark.parametrize("shape,dim", [((3, 2), 0), ((3, 2), 1), ((3, 2), -1), ((0, 2), 1), ((1,), 0)])
def test_unbind(shape, dim):
    check(lambda m, x: (x.unbind(dim), m.unbind(x, dim), tuple(x) if dim == 0 else ()), make(shape))


def test_unbind_errors():
    raises(lambda m, x: x.unbind(2), make((3, 2)))
    raises(lambda m, x: x.unbind(0), make(()))


# ---- narrow / select / flip / roll / diagonal --------------------------------------------------------------

@pytest.mark.parametrize("dim,start,length", [(0, 1, 2), (1, -2, 2), (0, 0, 0), (0, 4, 0), (-1, -3, 3),
                                              (0, "t1", 2)])
def test_narrow(dim, start, length):
    def fn(m, x):
        s = m.tensor(1) if start == "t1" else start
        return x.narrow(dim, s, length), m.narrow(x, dim, s, length)
    check(fn, make((4, 3)))


@pytest.mark.parametrize("dim,start,length", [(0, 5, 0), (0, -5, 1), (0, 3, 2), (2, 0, 1), (0, 0, -1)])
def test_narrow_errors(dim, start, length):
    raises(lambda m, x: x.narrow(dim, start, length), make((4, 3)))


@pytest.mark.parametrize("shape,dim,index", [((4, 3), 0, 1), ((4, 3), 1, -1), ((4, 3), -1, 2), ((4,), 0, -4)])
def test_select(shape, dim, index):
    check(lambda m, x: (x.select(dim, index), m.select(x, dim, index)), make(shape))


@pytest.mark.parametrize("shape,dim,index", [((4, 3), 0, 4), ((4, 3), 1, -4), ((4, 3), 2, 0), ((), 0, 0)])
def test_select_errors(shape, dim, index):
    raises(lambda m, x: x.select(dim, index), make(shape))


@pytest.mark.parametrize("dims", [(0,), (1, 2), (-1, 0), (), [2]])
def test_flip(dims):
    def fn(m, x):
        varargs = x.flip(*dims) if dims else x.flip(())
        return m.flip(x, dims), x.flip(dims), varargs
    check(fn, make((2, 3, 4)))


def test_flip_0dim_and_errors():
    check(lambda m, x: (x.flip(0), m.flip(x, (-1,))), make(()))
    raises(lambda m, x: x.flip(0, 0), make((2, 3)))
    raises(lambda m, x: x.flip(2), make((2, 3)))


@pytest.mark.parametrize("shape", [(2, 3), (2, 3, 4), (3,), ()])
def test_fliplr_flipud(shape):
    for op in ("fliplr", "flipud"):
        fn = lambda m, x: (getattr(m, op)(x), getattr(x, op)())  # noqa: E731
        if len(shape) < (2 if op == "fliplr" else 1):
            raises(fn, make(shape))
        else:
            check(fn, make(shape))


@pytest.mark.parametrize("shifts,dims", [(-7, None), (2, 0), ((1, -2), (0, 1)), (5, -1), ((1, 1), (1, 1)),
                                         ([3], [1])])
def test_roll(shifts, dims):
    args = (shifts,) if dims is None else (shifts, dims)
    check(lambda m, x: (x.roll(*args), m.roll(x, *args)), make((3, 4)))


def test_roll_edge_cases():
    check(lambda m, x: x.roll(2), make(()))
    check(lambda m, x: (x.roll(2), x.roll(1, 0)), make((0, 2)))
    raises(lambda m, x: x.roll(1, 0), make(()))
    raises(lambda m, x: x.roll((1, 2), 0), make((3, 4)))
    raises(lambda m, x: x.roll(1, 2), make((3, 4)))
    raises(lambda m, x: x.roll((1, 2)), make((3, 4)))


@pytest.mark.parametrize("offset,d1,d2", [(0, 0, 1), (-1, 0, 1), (5, 0, 1), (-2, -1, 0), (1, 2, 1)])
def test_diagonal(offset, d1, d2):
    check(lambda m, x: (x.diagonal(offset, d1, d2), m.diagonal(x, offset=offset, dim1=d1, dim2=d2)),
          make((3, 4, 5)))


def test_diagonal_errors():
    raises(lambda m, x: x.diagonal(0, 0, 0), make((3, 4)))
    raises(lambda m, x: x.diagonal(0, 0, 2), make((3, 4)))
    raises(lambda m, x: x.diagonal(), make((3,)))

