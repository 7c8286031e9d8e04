"""Matrix products: matmul, mm, bmm, mv, dot, outer, inner, addmm, addmv, baddbmm, addbmm, einsum, tensordot.

Operands must share a dtype (torch does not promote here, except outer/inner with a 0-d operand); bool
products raise torch's NotImplementedError. Products run at full float32 precision on every backend, as
torch's default (no TF32). Shape checks follow the route torch's matmul takes, so errors carry its messages.
"""
import math
import string

import jax.numpy as jnp
from jax import lax

from .. import _dtype
from .._dispatch import run
from .._tensor import Tensor
from ._common import broadcast_shapes, dtype_name, wrap_dim
from .pointwise import mul, write_out

_HIGHEST = lax.Precision.HIGHEST
_C_NAMES = {"int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char",
            "uint8": "unsigned char", "float16": "c10::Half", "bfloat16": "c10::BFloat16"}


def _c_name(d):
    """The C++ type name torch prints in mm's dtype error."""
    return _C_NAMES.get(d._name, d._name.replace("float32", "float").replace("float64", "double"))


def _no_bool(kernel, t):
    if t.dtype is _dtype.bool_:
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")


def _dims(*shape):
    return "x".join(map(str, shape))


# ---- the checks of torch's mm, mv and bmm kernels (shapes given, so folded operands check the same way) ----

def _check_mm(a_shape, b_shape, a_dtype, b_dtype):
    if a_shape[1] != b_shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({_dims(*a_shape)} and {_dims(*b_shape)})")
    if a_dtype is not b_dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {_c_name(a_dtype)} != "
                           f"{_c_name(b_dtype)}")


def _check_mv(mat_shape, vec_size, mat_dtype, vec_dtype, input_size=None):
    """mv's checks; addmv passes the size of its input vector, which must be 1 or the number of rows."""
    if mat_dtype is not vec_dtype:
        _addmv_dtype_error(vec_dtype, mat_dtype, vec_dtype)
    rows = mat_shape[0] if input_size is None else input_size
    if mat_shape[1] != vec_size or rows not in (1, mat_shape[0]):
        raise RuntimeError(f"size mismatch, got input ({rows}), mat ({_dims(*mat_shape)}), vec ({vec_size})")


def _addmv_dtype_error(*dtypes):
    raise RuntimeError("addmv input tensors must have the same dtype, but got {}, {}, and {}".format(
        *map(dtype_name, dtypes)))


def _check_bmm(a_shape, b_shape, a_dtype, b_dtype):
    if a_dtype is not b_dtype:
        raise RuntimeError(f"expected scalar type {dtype_name(a_dtype)} but found {dtype_name(b_dtype)}")
    if b_shape[:2] != (a_shape[0], a_shape[2]):
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{a_shape[0]}, {a_shape[2]}] but got: [{b_shape[0]}, {b_shape[1]}].")


def _require_dim(t, ndim, message):
    if t.ndim != ndim:
        raise RuntimeError(message)


# ---- products ---------------------------------------------------------------------------------------------

def _matmul(a, b):
    return jnp.matmul(a, b, precision=_HIGHEST)


def mm(input, mat2, *, out=None):
    _require_dim(input, 2, "self must be a matrix")
    _require_dim(mat2, 2, "mat2 must be a matrix")
    _check_mm(input.shape, mat2.shape, input.dtype, mat2.dtype)
    _no_bool("addmm_impl_cpu_", input)
    return write_out(run(_matmul, "MmBackward0", input, mat2), out)


def bmm(input, mat2, *, out=None):
    _require_dim(input, 3, "batch1 must be a 3D tensor")
    _require_dim(mat2, 3, "batch2 must be a 3D tensor")
    _check_bmm(input.shape, mat2.shape, input.dtype, mat2.dtype)
    _no_bool("bmm", input)
    return write_out(run(_matmul, "BmmBackward0", input, mat2), out)


def mv(input, vec, *, out=None):
    if input.ndim != 2 or vec.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {input.ndim}, {vec.ndim}")
    _check_mv(input.shape, vec.shape[0], input.dtype, vec.dtype)
    _no_bool("addmv_impl_cpu", input)
    return write_out(run(_matmul, "MvBackward0", input, vec), out)


def dot(input, tensor, *, out=None):
    if input.ndim != 1 or tensor.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input.ndim}D and {tensor.ndim}D tensors")
    if input.dtype is not tensor.dtype:
        raise RuntimeError(f"dot : expected both vectors to have same dtype, but found {dtype_name(input.dtype)} "
                           f"and {dtype_name(tensor.dtype)}")
    n, m = input.shape[0], tensor.shape[0]
    if n != m:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{n}] and src [{m}] to have the same number "
                           f"of elements, but got {n} and {m} elements respectively")
    _no_bool("dot", input)
    return write_out(run(_matmul, "DotBackward0", input, tensor), out)


def _folds(a, b):
    """Whether torch's matmul folds the batched operand into one mm/mv (contiguous operands, no out=)."""
    if a.ndim >= 3 and b.ndim <= 2:
        return True
    if b.ndim >= 3 and a.ndim <= 2:
        return a.requires_grad or (a.ndim == 1 and (b.numel() == 0 or b.shape[-2] == 1))
    return False


def _check_batched(a, b):
    """torch's checks for matmul with a batched (>2-D) operand, by the route it takes; its grad_fn name."""
    if _folds(a, b) and a.ndim >= 3:
        rows = (math.prod(a.shape[:-1]), a.shape[-1])
        if b.ndim == 1:
            _check_mv(rows, b.shape[0], a.dtype, b.dtype)
            _no_bool("addmv_impl_cpu", a)
        else:
            _check_mm(rows, b.shape, a.dtype, b.dtype)
            _no_bool("addmm_impl_cpu_", a)
        return "UnsafeViewBackward0"
    if _folds(a, b):
        p, q = b.shape[-2:]
        rows = (math.prod(b.shape[:-2]) * q, p)
        if a.ndim == 1:
            _check_mv(rows, a.shape[0], b.dtype, a.dtype)
            _no_bool("addmv_impl_cpu", a)
            return "UnsafeViewBackward0"
        _check_mm(rows, a.shape[::-1], b.dtype, a.dtype)
        _no_bool("addmm_impl_cpu_", a)
        return "TransposeBackward0" if a.shape[0] == 1 else "CloneBackward0"
    size = math.prod(broadcast_shapes(a.shape[:-2], b.shape[:-2]))
    n = a.shape[-2] if a.ndim > 1 else 1
    p = b.shape[-1] if b.ndim > 1 else 1
    k_b = b.shape[-2] if b.ndim > 1 else b.shape[0]
    _check_bmm((size, n, a.shape[-1]), (size, k_b, p), a.dtype, b.dtype)
    _no_bool("bmm", a)
    return "UnsafeViewBackward0"


def matmul(input, other, *, out=None):
    """torch.matmul: dot, mv, mm, or broadcast batched matmul, by the operands' dims, in one dispatch.

    grad_fn names follow torch's route for contiguous operands; torch's special case of a left operand with
    leading size-1 batch dims is not reproduced in the name."""
    if input.ndim == 0 or other.ndim == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {input.ndim}D and "
                           f"{other.ndim}D")
    route = {(1, 1): dot, (2, 1): mv, (2, 2): mm}.get((input.ndim, other.ndim))
    if route is not None:
        return route(input, other, out=out)
    if input.ndim == 1 and other.ndim == 2:
        _check_mm((1, input.shape[0]), other.shape, input.dtype, other.dtype)
        _no_bool("addmm_impl_cpu_", input)
        name = "SqueezeBackward4"
    else:
        name = _check_batched(input, other)
    return write_out(run(_matmul, name, input, other), out)


# ---- beta * input + alpha * product --------------------------------------------------------------------

def _addmm(x, a, b, beta, alpha, *, ignore_input):
    prod = jnp.matmul(a, b, precision=_HIGHEST)
    if alpha is not None:
        prod = prod * jnp.asarray(alpha, prod.dtype)
    if ignore_input:
        return jnp.broadcast_to(prod, jnp.broadcast_shapes(x.shape, prod.shape))
    if beta is None:
        return x + prod
    return jnp.asarray(beta, prod.dtype) * x + prod


def _addbmm(x, a, b, beta, alpha, *, ignore_input):
    """The sum over the batch of a[i] @ b[i] is one matmul of the batch laid side by side."""
    return _addmm(x, a.transpose(1, 0, 2).reshape(a.shape[1], -1), b.reshape(-1, b.shape[2]), beta, alpha,
                  ignore_input=ignore_input)


def _scalar(value, dtype):
    """alpha/beta as torch uses them: truncated to an integer for integral tensors."""
    if dtype.is_floating_point or dtype.is_complex:
        return value
    if isinstance(value, complex):
        raise RuntimeError("value cannot be converted to type int64_t without overflow")
    return int(value)


def _check_expand(input, shape):
    """input must expand to `shape` (torch's expand errors)."""
    if input.ndim > len(shape):
        raise RuntimeError(f"expand({input.type()}{{{list(input.shape)}}}, size={list(shape)}): the number of sizes "
                           f"provided ({len(shape)}) must be greater or equal to the number of dimensions in the "
                           "tensor")
    for i, (s, target) in enumerate(zip(input.shape[::-1], shape[::-1])):
        if s not in (1, target):
            dim = len(shape) - 1 - i
            raise RuntimeError(f"The expanded size of the tensor ({target}) must match the existing size ({s}) at "
                               f"non-singleton dimension {dim}.  Target sizes: {list(shape)}.  Tensor sizes: "
                               f"{list(input.shape)}")


def _scaled_product(name, input, a, b, beta, alpha, out, kernel=_addmm):
    """beta * input + alpha * product; the defaults (1) compile without multiplies; beta=0 ignores input."""
    beta, alpha = _scalar(beta, a.dtype), _scalar(alpha, a.dtype)
    return write_out(run(kernel, name, input, a, b, None if beta == 1 else beta, None if alpha == 1 else alpha,
                         ignore_input=beta == 0), out)


def addmm(input, mat1, mat2, *, beta=1, alpha=1, out=None):
    """beta * input + alpha * (mat1 @ mat2); beta=0 ignores input (even NaNs), as torch's."""
    _require_dim(mat1, 2, f"mat1 must be a matrix, got {mat1.ndim}-D tensor")
    _require_dim(mat2, 2, f"mat2 must be a matrix, got {mat2.ndim}-D tensor")
    _check_mm(mat1.shape, mat2.shape, mat1.dtype, mat2.dtype)
    _check_same_input("self and mat2 must have the same dtype, but got {} and {}", input, mat2)
    _check_expand(input, (mat1.shape[0], mat2.shape[1]))
    _no_bool("addmm_impl_cpu_", mat1)
    return _scaled_product("AddmmBackward0", input, mat1, mat2, beta, alpha, out)


def _check_same_input(message, input, operand):
    if input.dtype is not operand.dtype:
        raise RuntimeError(message.format(dtype_name(input.dtype), dtype_name(operand.dtype)))


def addmv(input, mat, vec, *, beta=1, alpha=1, out=None):
    if input.ndim > 1 or mat.ndim != 2 or vec.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {input.ndim}, {mat.ndim}, {vec.ndim}")
    if len({input.dtype, mat.dtype, vec.dtype}) > 1:
        _addmv_dtype_error(input.dtype, mat.dtype, vec.dtype)
    _check_mv(mat.shape, vec.shape[0], mat.dtype, vec.dtype, input.shape[0] if input.ndim else 1)
    _no_bool("addmv_impl_cpu", mat)
    return _scaled_product("AddmvBackward0", input, mat, vec, beta, alpha, out)


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    for t in (batch1, batch2):
        wrap_dim(2, t.ndim)
    _require_dim(batch1, 3, "batch1 must be a 3D tensor")
    _require_dim(batch2, 3, "batch2 must be a 3D tensor")
    if len({input.dtype, batch1.dtype, batch2.dtype}) > 1:
        raise RuntimeError(f"Input dtypes must be the same, got: input {_c_name(input.dtype)}, batch1: "
                           f"{_c_name(batch1.dtype)}, batch2: {_c_name(batch2.dtype)}")
    _check_bmm(batch1.shape, batch2.shape, batch1.dtype, batch2.dtype)
    _check_expand(input, (batch1.shape[0], batch1.shape[1], batch2.shape[2]))
    _no_bool("baddbmm", batch1)
    return _scaled_product("BaddbmmBackward0", input, batch1, batch2, beta, alpha, out)


def addbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    """beta * input + alpha * sum_i batch1[i] @ batch2[i]."""
    for t in (batch1, batch2):
        wrap_dim(2, t.ndim)
    _require_dim(batch1, 3, "batch1 must be a 3D tensor")
    _require_dim(batch2, 3, "batch2 must be a 3D tensor")
    if batch1.shape[0] != batch2.shape[0]:
        raise RuntimeError(f"batch1 and batch2 must have same number of batches, got {batch1.shape[0]} and "
                           f"{batch2.shape[0]}")
    if batch1.shape[2] != batch2.shape[1]:
        raise RuntimeError(f"Incompatible matrix sizes for bmm ({_dims(*batch1.shape[1:])} and "
                           f"{_dims(*batch2.shape[1:])})")
    _check_same_input("self and mat2 must have the same dtype, but got {} and {}", input, batch2)
    _check_mm(batch1.shape[1:], batch2.shape[1:], batch1.dtype, batch2.dtype)
    _check_expand(input, (batch1.shape[1], batch2.shape[2]))
    _no_bool("addmm_impl_cpu_", batch1)
    return _scaled_product("AddbmmBackward0", input, batch1, batch2, beta, alpha, out, _addbmm)


# ---- outer, inner, tensordot ------------------------------------------------------------------------------

def _outer(a, b, *, dtype):
    return a.astype(dtype)[:, None] * b.astype(dtype)[None, :]


def outer(input, vec2, *, out=None):
    """Promotes like multiplication (named MulBackward0, as torch's outer is a broadcast mul)."""
    for name, t in (("self", input), ("vec2", vec2)):
        if t.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {t.ndim}-D")
    dtype = _dtype.result_type(input, vec2)
    return write_out(run(_outer, "MulBackward0", input, vec2, dtype=dtype._np), out)


ger = outer


def _tensordot(a, b, *, axes):
    """jnp.tensordot, after torch's rule that a size-1 contracted dim is summed out of the other operand."""
    for da, db in zip(*axes):
        if a.shape[da] != b.shape[db]:
            if b.shape[db] == 1:
                a = jnp.sum(a, axis=da, keepdims=True, dtype=a.dtype)
            else:
                b = jnp.sum(b, axis=db, keepdims=True, dtype=b.dtype)
    return jnp.tensordot(a, b, axes, precision=_HIGHEST)


def _contraction_dims(a, b, dims):
    if isinstance(dims, Tensor):
        dims = dims.item() if dims.numel() == 1 else dims.tolist()
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > a.ndim or dims > b.ndim:
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims}")
        return tuple(range(a.ndim - dims, a.ndim)), tuple(range(dims))
    dims_a, dims_b = dims
    for name, d in (("dims_self", dims_a), ("dims_other", dims_b)):
        if isinstance(d, int):
            raise TypeError(f"tensordot(): argument '{name}' must be tuple of ints, not int")
    if len(dims_a) != len(dims_b):
        raise RuntimeError("both dimension lists should have same length")
    return tuple(wrap_dim(d, a.ndim) for d in dims_a), tuple(wrap_dim(d, b.ndim) for d in dims_b)


def tensordot(a, b, dims=2, out=None):
    """Contract dims of a with dims of b: an int (last of a with first of b), a pair of lists, or a Tensor."""
    dims_a, dims_b = _contraction_dims(a, b, dims)
    for da, db in zip(dims_a, dims_b):
        sa, sb = a.shape[da], b.shape[db]
        if sa != sb and 1 not in (sa, sb):
            raise RuntimeError(f"contracted dimensions need to match, but first has size {sa} in dim {da} and "
                               f"second has size {sb} in dim {db}")
    if a.dtype is not b.dtype:
        raise RuntimeError("both inputs should have same dtype")
    _no_bool("addmm_impl_cpu_", a)
    return write_out(run(_tensordot, "ViewBackward0", a, b, axes=(dims_a, dims_b)), out)


def inner(input, other, *, out=None):
    """Sum over the last dims (a product when either is 0-d)."""
    if input.ndim == 0 or other.ndim == 0:
        return mul(input, other, out=out)
    if input.shape[-1] != other.shape[-1]:
        raise RuntimeError(f"inner() the last dimension must match on both input tensors but got shapes "
                           f"{list(input.shape)} and {list(other.shape)}")
    return tensordot(input, other, ([-1], [-1]), out=out)


inner_product = inner


# ---- einsum -----------------------------------------------------------------------------------------------

_LETTERS = string.ascii_uppercase + string.ascii_lowercase


def _einsum(*xs, equation, dtype, out_dtype):
    return jnp.einsum(equation, *(x.astype(dtype) for x in xs), precision=_HIGHEST).astype(out_dtype)


def _sublist_equation(args):
    """einsum(op0, sublist0, op1, sublist1, ..., [out_sublist]) -> (equation, operands); ints 0-51 are A-Za-z."""
    def term(sublist):
        if any(s is not Ellipsis and not 0 <= s < len(_LETTERS) for s in sublist):
            raise ValueError("einsum(): subscript in subscript list is not within the valid range [0, 52)")
        return "".join("..." if s is Ellipsis else _LETTERS[s] for s in sublist)
    pairs = len(args) // 2
    equation = ",".join(term(s) for s in args[1:2 * pairs:2])
    if len(args) % 2:
        equation += "->" + term(args[-1])
    return equation, args[0:2 * pairs:2]


def _parse_equation(equation, operands):
    """Validate an equation as torch does; (explicit equation, terms, output term).

    The implicit output is '...' (if used) and then the letters used once, in alphabetical order (A-Z, a-z)."""
    equation = equation.replace(" ", "")
    lhs, arrow, rhs = equation.partition("->")
    terms = lhs.split(",")
    if len(terms) != len(operands):
        raise RuntimeError("einsum(): " + ("fewer" if len(terms) > len(operands) else "more") +
                           " operands were provided than specified in the equation")
    for i, c in enumerate(equation):
        if c not in _LETTERS and c not in ".,->":
            raise RuntimeError(f"einsum(): invalid subscript given at index {i} in the equation string, "
                               "subscripts must be in [a-zA-Z]")
    sizes = {}
    for i, (term, op) in enumerate(zip(terms, operands)):
        letters = term.replace("...", "")
        if "..." not in term and len(letters) != op.ndim:
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({len(letters)}) does not match "
                               f"the number of dimensions ({op.ndim}) for operand {i} and no ellipsis was given")
        if len(letters) > op.ndim:
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({len(letters)}) is more than "
                               f"the number of dimensions ({op.ndim}) for operand {i}")
        head, _, tail = term.partition("...")
        for c, size in zip(head + tail, op.shape[:len(head)] + op.shape[op.ndim - len(tail):]):
            seen = sizes.setdefault(c, size)
            if size != seen and 1 not in (size, seen):
                raise RuntimeError(f"einsum(): subscript {c} has size {size} for operand {i} which does not "
                                   f"broadcast with previously seen size {seen}")
            sizes[c] = seen if size == 1 else size
    if not arrow:
        used = lhs.replace("...", "")
        rhs = ("..." if "..." in lhs else "") + "".join(c for c in _LETTERS if used.count(c) == 1)
    for c in rhs.replace("...", ""):
        if rhs.count(c) > 1:
            raise RuntimeError(f"einsum(): output subscript {c} appears more than once in the output")
        if c not in sizes:
            raise RuntimeError(f"einsum(): output subscript {c} does not appear in the equation for any input "
                               "operand")
    return lhs + "->" + rhs, terms, rhs


def _dim_labels(term, op):
    """{label: size} of an operand's dims; ellipsis dims are labelled by their distance from its end."""
    head, ellipsis, tail = term.partition("...")
    middle = op.ndim - len(head) - len(tail) if ellipsis else 0
    return dict(zip(list(head) + [("...", k) for k in range(middle, 0, -1)] + list(tail), op.shape))


def _einsum_dtypes(terms, rhs, operands):
    """(compute dtype, result dtype) by torch's route: a dim outside the output that is size 1, or that no
    other operand has with a size other than 1, is summed first (integers and bools then become int64); the
    remaining contractions use bmm, which needs equal dtypes and no bools."""
    labels = [_dim_labels(term, op) for term, op in zip(terms, operands)]
    kept = set(rhs.replace("...", "")) | ({c for dims in labels for c in dims if c[0] == "..."} if "..." in rhs else
                                          set())
    dtypes = []
    for i, (dims, op) in enumerate(zip(labels, operands)):
        summed = any(c not in kept and (size == 1 or all(other.get(c, 1) == 1 for other in labels[:i] + labels[i + 1:]))
                     for c, size in dims.items())
        integral = not (op.dtype.is_floating_point or op.dtype.is_complex)
        dtypes.append(_dtype.int64 if summed and integral else op.dtype)
    for d in dtypes[1:]:
        if d is not dtypes[0]:
            raise RuntimeError(f"expected scalar type {dtype_name(dtypes[0])} but found {dtype_name(d)}")
    result = dtypes[0]
    contracted = any(c not in kept and sum(dims.get(c, 1) != 1 for dims in labels) > 1 for dims in labels for c in dims)
    if result is _dtype.bool_ and contracted:
        raise NotImplementedError("\"bmm\" not implemented for 'Bool'")
    compute = _dtype.int64 if result is _dtype.bool_ else result
    return compute, result


def einsum(*args):
    """einsum(equation, *operands), einsum(equation, [operands]) or the sublist form.

    Differs from torch: grad_fn is named EinsumBackward0 (torch names the last op of its decomposition)."""
    if isinstance(args[0], str):
        equation, operands = args[0], args[1:]
        if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
            operands = tuple(operands[0])
    else:
        equation, operands = _sublist_equation(args)
    for i, t in enumerate(operands):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 1, but got {type(t).__name__}")
    equation, terms, rhs = _parse_equation(equation, operands)
    compute, result = _einsum_dtypes(terms, rhs, operands)
    return run(_einsum, "EinsumBackward0", *operands, equation=equation, dtype=compute._np, out_dtype=result._np)
