"""Matrix products: matmul, mm, bmm, mv, dot, outer, inner, addmm, addmv, baddbmm, addbmm, einsum, tensordot.

Operands must share a dtype: torch does not promote here, except in outer, inner with a 0-d operand and the
multiplications einsum decomposes into. Bool products raise torch's NotImplementedError (unless an operand is
empty). Products run at full float32 precision on every backend, as torch's default (no TF32); float16 and
bfloat16 accumulate in float32. Checks follow the route torch takes, so errors carry its messages.
"""
import math
import string

import jax.numpy as jnp
from jax import lax

from .. import _dtype
from .._dispatch import bound, planned, run
from .._tensor import Tensor
from ._common import broadcast_shapes, dtype_name, wrap_dim
from .pointwise import mul, write_out

_HIGHEST = lax.Precision.HIGHEST
_C_NAMES = {"bool": "bool", "uint8": "unsigned char", "int8": "signed char", "int16": "short int", "int32": "int",
            "int64": "long int", "float16": "c10::Half", "bfloat16": "c10::BFloat16", "float32": "float",
            "float64": "double", "complex64": "c10::complex<float>", "complex128": "c10::complex<double>"}


def _c_name(d):
    """The C++ type name torch prints in some dtype errors."""
    return _C_NAMES[d._name]


def _no_bool(kernel, dtype, empty=False):
    """torch has no bool kernel; it runs none (so raises nothing) for products of empty operands."""
    if dtype is _dtype.bool_ and not empty:
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")


def _empty(*tensors):
    return any(t.numel() == 0 for t in tensors)


def _dims(*shape):
    return "x".join(map(str, shape))


# ---- the checks of torch's mm, mv and bmm kernels (shapes given, so folded operands check the same way) ----

def _check_mm(a_shape, b_shape, a_dtype, b_dtype):
    if a_shape[1] != b_shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({_dims(*a_shape)} and {_dims(*b_shape)})")
    if a_dtype is not b_dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {_c_name(a_dtype)} != "
                           f"{_c_name(b_dtype)}")


def _check_mv(mat_shape, vec_size, dtypes, input_size=None):
    """addmv's checks: `dtypes` of (input, mat, vec), where mv's input is its vector; addmv passes the size of
    its input, which must be 1 or the number of rows."""
    rows = mat_shape[0] if input_size is None else input_size
    if mat_shape[1] != vec_size or rows not in (1, mat_shape[0]):
        raise RuntimeError(f"size mismatch, got input ({rows}), mat ({_dims(*mat_shape)}), vec ({vec_size})")
    if len(set(dtypes)) > 1:
        raise RuntimeError("addmv input tensors must have the same dtype, but got {}, {}, and {}".format(
            *map(dtype_name, dtypes)))


def _check_bmm(a_shape, b_shape, a_dtype, b_dtype):
    if b_shape[:2] != (a_shape[0], a_shape[2]):
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{a_shape[0]}, {a_shape[2]}] but got: [{b_shape[0]}, {b_shape[1]}].")
    if a_dtype is not b_dtype:
        raise RuntimeError(f"expected scalar type {dtype_name(a_dtype)} but found {dtype_name(b_dtype)}")


def _require_dim(t, ndim, message):
    if t.ndim != ndim:
        raise RuntimeError(message)


# ---- products ---------------------------------------------------------------------------------------------

def _matmul(a, b):
    return jnp.matmul(a, b, precision=_HIGHEST)


def _product(check):
    """A product op running `_matmul`; `check(input, other)` raises torch's errors and names the grad_fn (None
    where the name depends on more than the operands' shapes and dtypes). Memoised on their signature."""
    @planned
    def kernel(input, other):
        name = check(input, other)
        return _named_at_call if name is None else bound(_matmul, name)

    def op(input, other, *, out=None):
        return write_out(kernel(input, other), out)
    op.direct = kernel
    return op


def _named_at_call(input, other):
    """The product whose grad_fn name torch picks by whether the left operand requires grad."""
    return bound(_matmul, _check_batched(input, other))(input, other)


def _check_mm_operands(input, mat2):
    _require_dim(input, 2, "self must be a matrix")
    _require_dim(mat2, 2, "mat2 must be a matrix")
    _check_mm(input.shape, mat2.shape, input.dtype, mat2.dtype)
    _no_bool("addmm_impl_cpu_", input.dtype, _empty(input, mat2))
    return "MmBackward0"


def _check_bmm_operands(input, mat2):
    _require_dim(input, 3, "batch1 must be a 3D tensor")
    _require_dim(mat2, 3, "batch2 must be a 3D tensor")
    _check_bmm(input.shape, mat2.shape, input.dtype, mat2.dtype)
    _no_bool("bmm", input.dtype, _empty(input, mat2))
    return "BmmBackward0"


def _check_mv_operands(input, vec):
    if input.ndim != 2 or vec.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {input.ndim}, {vec.ndim}")
    _check_mv(input.shape, vec.shape[0], (vec.dtype, input.dtype, vec.dtype))
    _no_bool("addmv_impl_cpu", input.dtype, _empty(input, vec))
    return "MvBackward0"


def _check_dot_operands(input, tensor):
    if input.ndim != 1 or tensor.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input.ndim}D and {tensor.ndim}D tensors")
    if input.dtype is not tensor.dtype:
        raise RuntimeError(f"dot : expected both vectors to have same dtype, but found {dtype_name(input.dtype)} "
                           f"and {dtype_name(tensor.dtype)}")
    n, m = input.shape[0], tensor.shape[0]
    if n != m:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{n}] and src [{m}] to have the same number "
                           f"of elements, but got {n} and {m} elements respectively")
    _no_bool("dot", input.dtype)
    return "DotBackward0"


mm = _product(_check_mm_operands)
bmm = _product(_check_bmm_operands)
mv = _product(_check_mv_operands)
dot = _product(_check_dot_operands)


def _check_batched(a, b):
    """torch's checks for matmul with a batched (>2-D) operand, by the route it takes; its grad_fn name.

    torch folds a batched left operand into one mm/mv; a batched right one only when the left requires grad
    or folding needs no copy (contiguous operands assumed); otherwise it broadcasts the batch dims for bmm."""
    if a.ndim >= 3 and b.ndim <= 2:
        rows = (math.prod(a.shape[:-1]), a.shape[-1])
        if b.ndim == 1:
            _check_mv(rows, b.shape[0], (b.dtype, a.dtype, b.dtype))
            _no_bool("addmv_impl_cpu", a.dtype, _empty(a, b))
        else:
            _check_mm(rows, b.shape, a.dtype, b.dtype)
            _no_bool("addmm_impl_cpu_", a.dtype, _empty(a, b))
        return "UnsafeViewBackward0"
    if b.ndim >= 3 and a.ndim <= 2 and (a.requires_grad or a.ndim == 1 and (b.numel() == 0 or b.shape[-2] == 1)):
        p, q = b.shape[-2:]
        rows = (math.prod(b.shape[:-2]) * q, p)
        if a.ndim == 1:
            _check_mv(rows, a.shape[0], (a.dtype, b.dtype, a.dtype))
            _no_bool("addmv_impl_cpu", a.dtype, _empty(a, b))
            return "UnsafeViewBackward0"
        _check_mm(rows, a.shape[::-1], b.dtype, a.dtype)
        _no_bool("addmm_impl_cpu_", a.dtype, _empty(a, b))
        return "TransposeBackward0" if a.shape[0] == 1 else "CloneBackward0"
    size = math.prod(broadcast_shapes(a.shape[:-2], b.shape[:-2]))
    n = a.shape[-2] if a.ndim > 1 else 1
    p = b.shape[-1] if b.ndim > 1 else 1
    k_b = b.shape[-2] if b.ndim > 1 else b.shape[0]
    _check_bmm((size, n, a.shape[-1]), (size, k_b, p), a.dtype, b.dtype)
    _no_bool("bmm", a.dtype, _empty(a, b))
    return "UnsafeViewBackward0"


def _check_matmul_operands(input, other):
    """dot, mv, mm or a batched product by the operands' dims; None for a batched right operand with a left one
    up to 2-D, where torch's route (so the grad_fn name) depends on whether the left operand requires grad."""
    if input.ndim == 0 or other.ndim == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {input.ndim}D and "
                           f"{other.ndim}D")
    route = {(1, 1): _check_dot_operands, (2, 1): _check_mv_operands, (2, 2): _check_mm_operands}.get(
        (input.ndim, other.ndim))
    if route is not None:
        return route(input, other)
    if input.ndim == 1 and other.ndim == 2:
        _check_mm((1, input.shape[0]), other.shape, input.dtype, other.dtype)
        _no_bool("addmm_impl_cpu_", input.dtype, _empty(input, other))
        return "SqueezeBackward4"
    if other.ndim >= 3 and input.ndim <= 2:
        return None
    return _check_batched(input, other)


matmul = _product(_check_matmul_operands)
matmul.__doc__ = """torch.matmul: dot, mv, mm, or broadcast batched matmul, by the operands' dims, in one dispatch.

grad_fn names follow torch's route for contiguous operands; torch's special case of a left operand with
leading size-1 batch dims is not reproduced in the name."""


# ---- beta * input + alpha * product --------------------------------------------------------------------

def _addmm(x, a, b, beta, alpha, *, ignore_input):
    """float16/bfloat16 combine in float32 and round once, as torch's gemm."""
    acc = jnp.float32 if a.dtype in (jnp.float16, jnp.bfloat16) else a.dtype
    prod = jnp.matmul(a, b, precision=_HIGHEST, preferred_element_type=acc)
    if alpha is not None:
        prod = prod * jnp.asarray(alpha, acc)
    if ignore_input:
        out = jnp.broadcast_to(prod, jnp.broadcast_shapes(x.shape, prod.shape))
    elif beta is None:
        out = x.astype(acc) + prod
    else:
        out = jnp.asarray(beta, acc) * x.astype(acc) + prod
    return out.astype(a.dtype)


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
                           f"tensor ({input.ndim})")
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
    _check_addmm_dtypes(input, mat1, mat2)
    _check_mm(mat1.shape, mat2.shape, mat1.dtype, mat2.dtype)
    _check_expand(input, (mat1.shape[0], mat2.shape[1]))
    _no_bool("addmm_impl_cpu_", mat1.dtype)
    return _scaled_product("AddmmBackward0", input, mat1, mat2, beta, alpha, out)


def _check_addmm_dtypes(input, mat1, mat2):
    for names, a in (("self", input), ("mat1", mat1)):
        if a.dtype is not mat2.dtype:
            raise RuntimeError(f"{names} and mat2 must have the same dtype, but got {dtype_name(a.dtype)} and "
                               f"{dtype_name(mat2.dtype)}")


def addmv(input, mat, vec, *, beta=1, alpha=1, out=None):
    if input.ndim > 1 or mat.ndim != 2 or vec.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {input.ndim}, {mat.ndim}, {vec.ndim}")
    _check_mv(mat.shape, vec.shape[0], (input.dtype, mat.dtype, vec.dtype), input.shape[0] if input.ndim else 1)
    _no_bool("addmv_impl_cpu", mat.dtype, _empty(mat, vec))
    return _scaled_product("AddmvBackward0", input, mat, vec, beta, alpha, out)


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    for t in (batch1, batch2):
        wrap_dim(2, t.ndim)
    _require_dim(batch1, 3, "batch1 must be a 3D tensor")
    _require_dim(batch2, 3, "batch2 must be a 3D tensor")
    if input.dtype is not batch1.dtype:
        raise RuntimeError(f"Input dtypes must be the same, got: input {_c_name(input.dtype)}, batch1: "
                           f"{_c_name(batch1.dtype)}, batch2: {_c_name(batch2.dtype)}")
    _check_bmm(batch1.shape, batch2.shape, batch1.dtype, batch2.dtype)
    _check_expand(input, (batch1.shape[0], batch1.shape[1], batch2.shape[2]))
    _no_bool("baddbmm", batch1.dtype)
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
    _check_addmm_dtypes(input, batch1, batch2)
    _check_expand(input, (batch1.shape[1], batch2.shape[2]))
    _no_bool("addmm_impl_cpu_", batch1.dtype)
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
    if a.dtype == jnp.bool_:
        return _tensordot(a.astype(jnp.int64), b.astype(jnp.int64), axes=axes).astype(jnp.bool_)
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
    for position, name, d in ((3, "dims_self", dims_a), (4, "dims_other", dims_b)):
        if isinstance(d, int):
            raise TypeError(f"tensordot(): argument '{name}' (position {position}) must be tuple of ints, not int")
    if len(dims_a) != len(dims_b):
        raise RuntimeError("both dimension lists should have same length")
    return tuple(wrap_dim(d, a.ndim) for d in dims_a), tuple(wrap_dim(d, b.ndim) for d in dims_b)


def tensordot(a, b, dims=2, out=None):
    """Contract dims of a with dims of b: an int (last of a with first of b), a pair of lists, or a Tensor.
    Bools only contract fully, as torch's."""
    dims_a, dims_b = _contraction_dims(a, b, dims)
    for da, db in zip(dims_a, dims_b):
        sa, sb = a.shape[da], b.shape[db]
        if sa != sb and 1 not in (sa, sb):
            raise RuntimeError(f"contracted dimensions need to match, but first has size {sa} in dim {da} and "
                               f"second has size {sb} in dim {db}")
    if a.dtype is not b.dtype:
        raise RuntimeError("both inputs should have same dtype")
    if len(dims_a) < a.ndim or len(dims_b) < b.ndim:
        _no_bool("addmm_impl_cpu_", a.dtype, _empty(a, b))
    return write_out(run(_tensordot, "ViewBackward0", a, b, axes=(dims_a, dims_b)), out)


def inner(input, other, *, out=None):
    """Sum over the last dims (a product when either is 0-d)."""
    if input.ndim == 0 or other.ndim == 0:
        return mul(input, other, out=out)
    if input.shape[-1] != other.shape[-1]:
        raise RuntimeError(f"inner() the last dimension must match on both input tensors but got shapes "
                           f"{list(input.shape)} and {list(other.shape)}")
    return tensordot(input, other, ([-1], [-1]), out=out)




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
        _check_sizes(i, term, op, sizes)
    if not arrow:
        used = lhs.replace("...", "")
        rhs = ("..." if "..." in lhs else "") + "".join(c for c in _LETTERS if used.count(c) == 1)
    for c in rhs.replace("...", ""):
        if rhs.count(c) > 1:
            raise RuntimeError(f"einsum(): output subscript {c} appears more than once in the output")
        if c not in lhs:
            raise RuntimeError(f"einsum(): output subscript {c} does not appear in the equation for any input "
                               "operand")
    return lhs + "->" + rhs, terms, rhs


def _labels(term, op):
    """The label of each dim of an operand: its letter, or ('...', distance from the ellipsis' end)."""
    head, ellipsis, tail = term.partition("...")
    middle = op.ndim - len(head) - len(tail) if ellipsis else 0
    return list(head) + [("...", k) for k in range(middle, 0, -1)] + list(tail)


def _dim_labels(term, op):
    """{label: size} of an operand's dims."""
    return dict(zip(_labels(term, op), op.shape))


def _check_sizes(i, term, op, sizes):
    """torch's size checks for operand i: repeated letters take a diagonal, other sizes broadcast with the
    sizes other than 1 seen so far (updated in `sizes`)."""
    first = {}
    for dim, (label, size) in enumerate(zip(_labels(term, op), op.shape)):
        if label in first:
            if size != op.shape[first[label]]:
                raise RuntimeError(f"einsum(): subscript {label} is repeated for operand {i} but the sizes don't "
                                   f"match, {size} != {op.shape[first[label]]}")
            continue
        first[label] = dim
        seen = sizes.get(label, 1)
        if size != 1 and seen not in (1, size):
            raise RuntimeError(f"einsum(): subscript {label} has size {size} for operand {i} which does not "
                               f"broadcast with previously seen size {seen}" if isinstance(label, str) else
                               f"einsum(): dimension {dim} covered by ellipsis in operand {i}has size {size} which "
                               f"does not broadcast with previously seen ellipsis with size {seen} for the "
                               "respective dimension")
        if size != 1:
            sizes[label] = size


def _summed(dtype):
    return dtype if dtype.is_floating_point or dtype.is_complex else _dtype.int64


def _einsum_dtype(terms, rhs, operands):
    """The result dtype (or the error) of torch's einsum route, followed on sizes and dtypes: operands are
    combined left to right; a dim left only in one of the pair is summed first (integers and bools become
    int64), a dim shared by both with no later use is contracted by bmm (equal dtypes, no bools), otherwise
    the pair is multiplied (promoting). A single operand with dims to drop is summed.

    Differs from torch with 3+ operands of mixed integer dtypes when opt_einsum is installed, which reorders
    torch's contractions."""
    ops = [(_dim_labels(term, op), op.dtype) for term, op in zip(terms, operands)]
    kept = set(rhs.replace("...", "")) | ({c for dims, _ in ops for c in dims if c[0] == "..."} if "..." in rhs
                                          else set())
    contracted = {c for dims, _ in ops for c in dims if c not in kept}
    counts = {c: sum(dims.get(c, 1) != 1 for dims, _ in ops) for c in contracted}
    if len(ops) == 1:
        return _summed(ops[0][1]) if contracted else ops[0][1]
    while len(ops) > 1:
        (a, a_dtype), (b, b_dtype) = ops[:2]
        a, b, bmm = dict(a), dict(b), False
        empty = 0 in a.values() or 0 in b.values()
        for c in contracted:
            if a.get(c, 1) != 1 and b.get(c, 1) != 1:
                counts[c] -= 1
                if counts[c] == 1:
                    counts[c], bmm = 0, True
                    a[c] = b[c] = 1
            elif counts[c] == 1 and a.get(c, 1) != 1:
                counts[c], a[c], a_dtype = 0, 1, _summed(a_dtype)
            elif counts[c] == 1 and b.get(c, 1) != 1:
                counts[c], b[c], b_dtype = 0, 1, _summed(b_dtype)
        if bmm:
            _no_bool("bmm", a_dtype, empty)
            _check_bmm((1, 1, 1), (1, 1, 1), a_dtype, b_dtype)
            dtype = a_dtype
        else:
            dtype = _dtype.promote_types(a_dtype, b_dtype)
        ops = [({c: max(a.get(c, 1), b.get(c, 1)) for c in a.keys() | b.keys()}, dtype)] + ops[2:]
    return ops[0][1]


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
    result = _einsum_dtype(terms, rhs, operands)
    compute = _dtype.int64 if result is _dtype.bool_ else result
    return run(_einsum, "EinsumBackward0", *operands, equation=equation, dtype=compute._np, out_dtype=result._np)


# ---- triangular and diagonal parts ---------------------------------------------------------------------------

def _tri(x, *, k, lower):
    return jnp.tril(x, k) if lower else jnp.triu(x, k)


def _require_matrix(op, input):
    if input.ndim < 2:
        raise RuntimeError(f"{op}: input tensor must have at least 2 dimensions")


def tril(input, diagonal=0, *, out=None):
    """The lower triangle of the last two dims (elements above `diagonal` zeroed)."""
    _require_matrix("tril", input)
    return write_out(run(_tri, "TrilBackward0", input, k=int(diagonal), lower=True), out)


def triu(input, diagonal=0, *, out=None):
    """The upper triangle of the last two dims (elements below `diagonal` zeroed)."""
    _require_matrix("triu", input)
    return write_out(run(_tri, "TriuBackward0", input, k=int(diagonal), lower=False), out)


def _diag(x, *, k):
    return jnp.diag(x, k)


def diag(input, diagonal=0, *, out=None):
    """1-D input: a matrix with it on `diagonal`; 2-D input: that diagonal as a vector."""
    if input.ndim not in (1, 2):
        raise RuntimeError("diag(): Supports 1D or 2D tensors. Got " + f"{input.ndim}D")
    return write_out(run(_diag, "DiagEmbedBackward0" if input.ndim == 1 else "DiagonalBackward0", input,
                         k=int(diagonal)), out)


def _trace(x, *, dtype):
    return jnp.trace(x).astype(dtype)


def trace(input):
    """Sum of the main diagonal of a 2-D tensor; integers accumulate in int64, as torch's."""
    if input.ndim != 2:
        raise RuntimeError("trace: expected a matrix, but got tensor with dim " + str(input.ndim))
    integral = not (input.dtype.is_floating_point or input.dtype.is_complex)
    return run(_trace, "TraceBackward0", input, dtype=(_dtype.int64 if integral else input.dtype)._np)
