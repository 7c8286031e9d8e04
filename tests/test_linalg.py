"""Matrix products against torch: values, dtypes, shapes, gradients, grad_fn names, errors and their messages."""
import pytest
import torch

import jtorch
from conftest import to_jt
from test_reduction import check, check_double_backward, make

NAN = float("nan")


def same_error(fn, *args):
    """fn raises under torch and jtorch with the same exception type and message."""
    with pytest.raises(Exception) as expected:
        fn(torch, *args)
    with pytest.raises(type(expected.value)) as got:
        fn(jtorch, *to_jt(list(args)))
    assert str(got.value) == str(expected.value)


def operands(*shapes, dtype=torch.float32):
    return [make(s, dtype, seed=i) for i, s in enumerate(shapes)]


# ---- matmul -----------------------------------------------------------------------------------------------

MATMUL_SHAPES = [
    ((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)), ((2, 2, 3), (2, 3, 4)), ((2, 2, 3), (3, 4)),
    ((2, 2, 3), (3,)), ((3,), (2, 3, 4)), ((2, 3), (2, 3, 4)), ((1, 3), (2, 3, 4)), ((2, 1, 2, 3), (5, 3, 4)),
    ((2, 0), (0, 3)), ((0, 2, 3), (3, 4)), ((0,), (0,)),
]


@pytest.mark.parametrize("shapes", MATMUL_SHAPES, ids=str)
def test_matmul_shapes(shapes):
    """dot/mv/mm/batched by the operands' dims, broadcasting batch dims; grad_fn named by torch's route."""
    check(lambda m, a, b: m.matmul(a, b), *operands(*shapes))


@pytest.mark.parametrize("dtype", [torch.float64, torch.int64, torch.int32, torch.bool], ids=str)
@pytest.mark.parametrize("shapes", MATMUL_SHAPES[:6], ids=str)
def test_matmul_dtypes(shapes, dtype):
    """Integer products keep their dtype; bool products raise NotImplementedError; the operator and method."""
    check(lambda m, a, b: (a @ b, a.matmul(b)), *operands(*shapes, dtype=dtype), grad=False)


@pytest.mark.parametrize("shapes", [
    ((2, 3), (4, 4)), ((3,), (4,)), ((2, 3), (4,)), ((3,), (4, 2)), ((2, 2, 3), (2, 4, 4)), ((2, 2, 3), (4, 4)),
    ((2, 2, 3), (4,)), ((3,), (2, 4, 4)), ((3,), (2, 1, 4)), ((2, 3), (5, 4, 4)), ((2, 2, 3), (3, 4, 4)),
    ((2, 3, 1, 2, 3), (5, 4, 4)), ((), (3,)), ((3,), ()),
])
@pytest.mark.parametrize("requires_grad", [False, True])
def test_matmul_shape_errors(shapes, requires_grad):
    """RuntimeError with torch's message, which depends on whether torch folds the batch into one mm."""
    a, b = operands(*shapes)
    same_error(lambda m, x, y: x.requires_grad_(requires_grad) @ y, a, b)


@pytest.mark.parametrize("shapes", MATMUL_SHAPES[:9], ids=str)
def test_matmul_dtype_mismatch(shapes):
    """No promotion: mixed dtypes are a RuntimeError (message by route)."""
    a, b = operands(*shapes)
    same_error(lambda m, x, y: m.matmul(x, y.double()), a, b)
    same_error(lambda m, x, y: m.matmul(x.long(), y), a, b)


def test_matmul_only_right_requires_grad():
    """torch folds a 2-D left operand only when it requires grad; the grad_fn name follows."""
    for shapes in (((2, 3), (2, 3, 4)), ((3,), (2, 3, 4))):
        a, b = operands(*shapes)
        check(lambda m, x, y: x.detach() @ y, a, b)


@pytest.mark.parametrize("fn", [
    lambda m, a, b: m.mm(a, b), lambda m, a, b: m.matmul(a, b), lambda m, a, b: m.matmul(a[0], b),
    lambda m, a, b: m.mv(a, b[:, 0]), lambda m, a, b: m.bmm(a[None], b[None]), lambda m, a, b: m.dot(a[0], b[:, 0]),
    lambda m, a, b: m.tensordot(a, b, 1), lambda m, a, b: m.einsum("ij,jk->ik", a, b),
    lambda m, a, b: m.addmv(a[:, 0], a, b[:, 0]),
])
def test_empty_bool_products(fn):
    """torch runs no kernel for empty operands, so empty bool products give False where others raise."""
    check(fn, torch.zeros(2, 0, dtype=torch.bool), torch.zeros(0, 3, dtype=torch.bool))


def test_matmul_out():
    def fn(m, a, b):
        out = m.zeros(2, 4)
        assert m.matmul(a, b, out=out) is out
        return out
    check(fn, *operands((2, 3), (3, 4)), grad=False)


# ---- mm, bmm, mv, dot, outer, inner ------------------------------------------------------------------------

PRODUCTS = {
    "mm": ((2, 3), (3, 4)), "bmm": ((2, 2, 3), (2, 3, 4)), "mv": ((2, 3), (3,)), "dot": ((3,), (3,)),
    "outer": ((3,), (2,)), "ger": ((3,), (2,)), "inner": ((2, 3), (4, 3)),
}


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.int64, torch.bool], ids=str)
@pytest.mark.parametrize("name", PRODUCTS)
def test_products(name, dtype):
    """Functions and methods; gradients compared in float32."""
    check(lambda m, a, b: getattr(m, name)(a, b), *operands(*PRODUCTS[name], dtype=dtype),
          grad=dtype is torch.float32)
    check(lambda m, a, b: getattr(a, name)(b), *operands(*PRODUCTS[name], dtype=dtype), grad=False)


@pytest.mark.parametrize("fn", [
    lambda m, a, b: m.outer(a, b.double()), lambda m, a, b: m.outer(a.long(), b), lambda m, a, b: m.inner(a, b[0]),
    lambda m, a, b: m.inner(a[0], b), lambda m, a, b: m.dot(a, a), lambda m, a, b: m.mv(a.view(1, 3), a),
])
def test_products_promotion_and_scalars(fn):
    """outer promotes like mul; inner with a 0-d operand is a product."""
    check(fn, *operands((3,), (2,)))


@pytest.mark.parametrize("fn", [
    lambda m, a, b: m.mm(a, b), lambda m, a, b: m.mm(a[0], b), lambda m, a, b: m.mm(a, b[0]),
    lambda m, a, b: m.mm(a, b.double()), lambda m, a, b: m.bmm(a, b), lambda m, a, b: m.bmm(a.unsqueeze(0), b),
    lambda m, a, b: m.bmm(a.unsqueeze(0), b.unsqueeze(0).double()), lambda m, a, b: m.mv(a, b),
    lambda m, a, b: m.mv(a, b[0]), lambda m, a, b: m.mv(a[0], a[0]), lambda m, a, b: m.mv(a, a[0].double()),
    lambda m, a, b: m.dot(a, b), lambda m, a, b: m.dot(a[0], b[0]), lambda m, a, b: m.dot(a[0], a[0].double()),
    lambda m, a, b: m.outer(a, b[0]), lambda m, a, b: m.inner(a, b),
    lambda m, a, b: m.bmm(a.unsqueeze(0).expand(2, 2, 3), b.unsqueeze(0).expand(3, 4, 4)),
])
def test_product_errors(fn):
    same_error(fn, *operands((2, 3), (4, 4)))


# ---- beta * input + alpha * product -------------------------------------------------------------------------

ADDS = {
    "addmm": ((2, 4), (2, 3), (3, 4)), "addmv": ((2,), (2, 3), (3,)),
    "baddbmm": ((2, 2, 4), (2, 2, 3), (2, 3, 4)), "addbmm": ((2, 4), (5, 2, 3), (5, 3, 4)),
}
SCALARS = [{}, {"beta": 0.5, "alpha": 2}, {"beta": 0}, {"alpha": 0}, {"beta": 2, "alpha": -1.5}]


@pytest.mark.parametrize("kw", SCALARS, ids=str)
@pytest.mark.parametrize("name", ADDS)
def test_scaled_products(name, kw):
    """beta * input + alpha * product; input broadcasts to the product's shape; grads of all three."""
    check(lambda m, i, p, q: getattr(m, name)(i, p, q, **kw), *operands(*ADDS[name]))


@pytest.mark.parametrize("name", ADDS)
def test_beta_zero_ignores_nan_input(name):
    """beta=0 ignores input, NaN included; its gradient is zero."""
    x, a, b = operands(*ADDS[name])
    check(lambda m, i, p, q: getattr(m, name)(i, p, q, beta=0), torch.full_like(x, NAN), a, b)


@pytest.mark.parametrize("kw", [{}, {"beta": 0.5}, {"alpha": 0.5}, {"beta": 2.7, "alpha": -1.5}, {"alpha": 1j}],
                         ids=str)
@pytest.mark.parametrize("name", ADDS)
def test_scaled_products_integers(name, kw):
    """Integer tensors truncate float alpha/beta (beta=0.5 becomes 0 and ignores input); complex raises."""
    check(lambda m, i, p, q: getattr(m, name)(i, p, q, **kw), *operands(*ADDS[name], dtype=torch.int64))


@pytest.mark.parametrize("name", ADDS)
def test_scaled_products_methods(name):
    x, a, b = operands(*ADDS[name])
    check(lambda m, i, p, q: getattr(i.clone(), name + "_")(p, q, beta=0.5, alpha=2), x, a, b)
    check(lambda m, i, p, q: getattr(i, name)(p, q, alpha=2), x, a, b, grad=False)


F, D, B = torch.float32, torch.float64, torch.bool
ADD_ERRORS = [
    ("addmm", (3,), (2, 3), (3, 4)), ("addmm", (1, 2, 4), (2, 3), (3, 4)), ("addmm", (2, 4), (2, 3), (4, 4)),
    ("addmm", ((2, 4), D), (2, 3), (3, 4)), ("addmm", (2, 4), (2, 3), ((3, 4), D)),
    ("addmm", (2, 4), ((2, 3), D), (3, 4)), ("addmm", (2, 4), ((2, 3), D), (4, 4)),
    ("addmm", ((3,), D), (2, 3), (3, 4)), ("addmm", (2, 4), (1, 2, 3), (3, 4)), ("addmm", (2, 4), (2, 3), (3,)),
    ("addmm", ((2, 4), B), ((2, 3), B), ((3, 4), B)), ("addmm", ((2, 4), B), ((2, 3), B), ((4, 4), B)),
    ("addmv", (1, 2), (2, 3), (3,)), ("addmv", (2,), (2, 3), (4,)), ("addmv", (3,), (2, 3), (3,)),
    ("addmv", ((2,), D), (2, 3), (3,)), ("addmv", (2,), (2, 3), ((3,), D)), ("addmv", (2,), ((2, 3), D), (3,)),
    ("addmv", (2,), (2, 3), ((4,), D)), ("addmv", (2,), (3,), (3,)), ("addmv", ((2,), B), ((2, 3), B), ((3,), B)),
    ("baddbmm", (3, 2, 4), (2, 2, 3), (2, 3, 4)), ("baddbmm", (1, 2, 2, 4), (2, 2, 3), (2, 3, 4)),
    ("baddbmm", (2, 2, 4), (2, 2, 3), (2, 4, 4)), ("baddbmm", (2, 2, 4), (2, 2, 3), (3, 3, 4)),
    ("baddbmm", ((2, 2, 4), D), (2, 2, 3), (2, 3, 4)), ("baddbmm", (2, 2, 4), (2, 2, 3), ((2, 3, 4), D)),
    ("baddbmm", ((2, 2, 4), D), (2, 2, 3), (2, 4, 4)), ("baddbmm", (2, 4), (2, 3), (3, 4)),
    ("baddbmm", (2, 4), (1, 2, 2, 3), (2, 3, 4)), ("baddbmm", ((2, 2, 4), B), ((2, 2, 3), B), ((2, 3, 4), B)),
    ("addbmm", (2, 4), (5, 2, 3), (4, 3, 4)), ("addbmm", (2, 4), (5, 2, 3), (5, 4, 4)),
    ("addbmm", (3, 4), (5, 2, 3), (5, 3, 4)), ("addbmm", ((2, 4), D), (5, 2, 3), (5, 3, 4)),
    ("addbmm", (2, 4), ((5, 2, 3), D), (5, 3, 4)), ("addbmm", (2, 4), (5, 2, 3), ((5, 3, 4), D)),
    ("addbmm", ((2, 4), D), (5, 2, 3), (5, 4, 4)), ("addbmm", (2, 4), (2, 3), (3, 4)),
    ("addbmm", ((2, 4), B), ((5, 2, 3), B), ((5, 3, 4), B)),
]


@pytest.mark.parametrize("name, x, a, b", ADD_ERRORS, ids=str)
def test_scaled_product_errors(name, x, a, b):
    """Dimension, shape, dtype and expand errors in torch's order, with its exception types and messages."""
    specs = [s if isinstance(s[0], tuple) else (s, F) for s in (x, a, b)]
    same_error(lambda m, *xs: getattr(m, name)(*xs), *(make(shape, dtype) for shape, dtype in specs))


def test_scaled_product_broadcast_input():
    check(lambda m, x, a, b: m.addmm(x, a, b), *operands((), (2, 3), (3, 4)))
    check(lambda m, x, a, b: m.addmm(x, a, b, beta=0.5), *operands((2, 1), (2, 3), (3, 4)))
    check(lambda m, x, a, b: m.addmv(x, a, b), *operands((1,), (2, 3), (3,)))
    check(lambda m, x, a, b: m.baddbmm(x, a, b), *operands((4,), (2, 2, 3), (2, 3, 4)))


# ---- einsum -----------------------------------------------------------------------------------------------

EINSUMS = [
    ("ij,jk->ik", [(2, 3), (3, 4)]), ("ij,jk", [(2, 3), (3, 4)]), ("ii", [(3, 3)]), ("ii->i", [(3, 3)]),
    ("...ij->...ji", [(2, 3, 4)]), ("i...j", [(2, 3, 4)]), ("bn,anm,bm->ba", [(2, 3), (4, 3, 5), (2, 5)]),
    ("i,j->ij", [(2,), (3,)]), ("ij->", [(2, 3)]), ("ij, jk -> ik", [(2, 3), (3, 4)]), ("bA", [(2, 3)]),
    ("bij,bjk->bik", [(2, 2, 3), (2, 3, 4)]), ("ij,kj->", [(2, 3), (4, 3)]), ("ij,ij->", [(2, 3), (2, 3)]),
    ("i,i->i", [(3,), (3,)]), ("ij,j->", [(2, 3), (3,)]), ("ij,jk->ik", [(2, 1), (3, 4)]), ("ij,->ij", [(2, 3), ()]),
    ("...ij->ij", [(4, 2, 3)]), ("ij,jk->ik", [(2, 0), (0, 3)]),
]


@pytest.mark.parametrize("equation, shapes", EINSUMS, ids=str)
def test_einsum(equation, shapes):
    """Explicit, implicit (alphabetical output, A-Z before a-z), ellipsis, size-1 broadcast, spaces.
    Differs from torch: grad_fn is EinsumBackward0, so names are not compared."""
    check(lambda m, *xs: m.einsum(equation, *xs), *operands(*shapes), names=False)


@pytest.mark.parametrize("dtype", [torch.int32, torch.bool], ids=str)
@pytest.mark.parametrize("equation, shapes", [
    ("ij,jk->ik", [(2, 3), (3, 4)]), ("ii", [(3, 3)]), ("ii->i", [(3, 3)]), ("i,j->ij", [(2,), (3,)]),
    ("ij->", [(2, 3)]), ("bij,bjk->bik", [(2, 2, 3), (2, 3, 4)]), ("ij,kj->", [(2, 3), (4, 3)]),
    ("ij,ij->", [(2, 3), (2, 3)]), ("i,i->i", [(3,), (3,)]), ("ij,j->", [(2, 3), (3,)]),
    ("ij,jk->ik", [(2, 1), (3, 4)]), ("...ij->ij", [(4, 2, 3)]), ("ij,jk->ik", [(2, 0), (0, 3)]),
], ids=str)
def test_einsum_integer_dtypes(equation, shapes, dtype):
    """Integer and bool dtypes follow torch's route: dims summed early become int64, bmm needs equal dtypes
    and no bools, multiplication promotes."""
    check(lambda m, *xs: m.einsum(equation, *xs), *operands(*shapes, dtype=dtype))


def test_einsum_operand_forms():
    a, b = operands((2, 3), (3, 4))
    check(lambda m, x, y: m.einsum("ij,jk->ik", [x, y]), a, b, names=False)
    check(lambda m, x, y: m.einsum(x, [0, 1], y, [1, 2], [0, 2]), a, b, names=False)
    check(lambda m, x, y: m.einsum(x, [0, 1], y, [1, 2]), a, b, names=False)
    check(lambda m, x, y: m.einsum(x, [26, 0]), a, b, names=False)
    check(lambda m, x: m.einsum(x, [..., 0, 1], [..., 1, 0]), make((2, 3, 4)), names=False)


@pytest.mark.parametrize("fn", [
    lambda m, a, b: m.einsum("ij,jk->ik", a, a), lambda m, a, b: m.einsum("ij,jk->ik", a),
    lambda m, a, b: m.einsum("ij->i", a, b), lambda m, a, b: m.einsum("ijk->i", a),
    lambda m, a, b: m.einsum("ijk...->i", a), lambda m, a, b: m.einsum("i1,jk->ik", a, b),
    lambda m, a, b: m.einsum("ij->ii", a), lambda m, a, b: m.einsum("ij->k", a),
    lambda m, a, b: m.einsum("ij,jk->ik", a, b.double()), lambda m, a, b: m.einsum(a, [0, 52]),
    lambda m, a, b: m.einsum("ij,j->", a.int(), b[0].int()), lambda m, a, b: m.einsum("ij,ij->", a.bool(), a.bool()),
    lambda m, a, b: m.einsum("ii", a), lambda m, a, b: m.einsum("...i,...i->...", a, b.T),
])
def test_einsum_errors(fn):
    same_error(fn, *operands((2, 3), (3, 4)))


# ---- tensordot ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [torch.float32, torch.int64, torch.bool], ids=str)
@pytest.mark.parametrize("dims, shapes", [
    (2, [(2, 3, 4), (3, 4, 5)]), (1, [(2, 3, 4), (4, 5)]), (0, [(2, 3), (4,)]),
    (([1, 2], [1, 0]), [(2, 3, 4), (4, 3, 5)]), (([-1], [-2]), [(2, 3), (3, 4)]),
    (torch.tensor([[1], [1]]), [(2, 3, 4), (4, 3, 5)]), (torch.tensor(1), [(2, 3), (3, 4)]),
    (([1], [0]), [(2, 1), (3, 4)]), ([[0, 1], [1, 0]], [(2, 3), (3, 2)]),
], ids=str)
def test_tensordot(dims, shapes, dtype):
    """dims as an int, two lists, or a Tensor; a size-1 contracted dim is summed out of the other operand;
    bools contract only fully."""
    check(lambda m, a, b: m.tensordot(a, b, to_jt(dims) if m is jtorch else dims), *operands(*shapes, dtype=dtype))


@pytest.mark.parametrize("dims", [-1, 3, (1, 1), ([1], [0, 1]), ([1], [1])], ids=str)
def test_tensordot_errors(dims):
    same_error(lambda m, a, b: m.tensordot(a, b, dims), *operands((2, 3), (3, 4)))
    same_error(lambda m, a, b: m.tensordot(a, b.double(), 1), *operands((2, 3), (3, 4)))


def test_double_backward():
    check_double_backward(lambda m, x: m.addmm(x[:, :3], x, x.T[:, :3], beta=0.5), make((3, 4)))
