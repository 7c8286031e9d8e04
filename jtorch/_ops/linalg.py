"""Matrix products: matmul, mm, bmm, mv, dot, outer, addmm, addmv, baddbmm, einsum, tensordot."""
import jax.numpy as jnp

from .. import _dtype
from .._dispatch import run
from .._tensor import Tensor
from ._common import dtype_name
from .pointwise import write_out


def _same_dtype(op, a, b):
    if a.dtype is not b.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {a.dtype} != {b.dtype}"
                           if op in ("mm", "addmm", "matmul") else
                           f"expected scalar type {dtype_name(a.dtype)} but found {dtype_name(b.dtype)}")


def _matmul(a, b):
    return jnp.matmul(a, b)


def _mismatch(a, b):
    return RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({a.shape[0]}x{a.shape[1]} and "
                        f"{b.shape[0]}x{b.shape[1]})")


def mm(input, mat2, *, out=None):
    if input.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if mat2.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    _same_dtype("mm", input, mat2)
    if input.shape[1] != mat2.shape[0]:
        raise _mismatch(input, mat2)
    return write_out(run(_matmul, "MmBackward0", input, mat2), out)


def bmm(input, mat2, *, out=None):
    if input.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if mat2.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    _same_dtype("bmm", input, mat2)
    if input.shape[0] != mat2.shape[0] or input.shape[2] != mat2.shape[1]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{input.shape[0]}, {input.shape[2]}] but got: [{mat2.shape[0]}, {mat2.shape[1]}].")
    return write_out(run(_matmul, "BmmBackward0", input, mat2), out)


def mv(input, vec, *, out=None):
    if input.ndim != 2 or vec.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {vec.ndim}, {input.ndim}, {vec.ndim}")
    if input.shape[1] != vec.shape[0]:
        raise RuntimeError(f"size mismatch, got input ({input.shape[0]}), mat ({input.shape[0]}x{input.shape[1]}),"
                           f" vec ({vec.shape[0]})")
    _same_dtype("mv", input, vec)
    return write_out(run(_matmul, "MvBackward0", input, vec), out)


def dot(input, tensor, *, out=None):
    if input.ndim != 1 or tensor.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input.ndim}D and {tensor.ndim}D tensors")
    if input.shape[0] != tensor.shape[0]:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{input.shape[0]}] and src "
                           f"[{tensor.shape[0]}] to have the same number of elements, but got {input.shape[0]} and "
                           f"{tensor.shape[0]} elements respectively")
    _same_dtype("dot", input, tensor)
    return write_out(run(_matmul, "DotBackward0", input, tensor), out)


inner_product = dot


def matmul(input, other, *, out=None):
    """torch.matmul: dot, mv, mm, or broadcast batched matmul, by the operands' dims."""
    if input.ndim == 0 or other.ndim == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {input.ndim}D and "
                           f"{other.ndim}D")
    if input.ndim == 1 and other.ndim == 1:
        return dot(input, other, out=out)
    if input.ndim == 2 and other.ndim == 2:
        return mm(input, other, out=out)
    if input.ndim == 2 and other.ndim == 1:
        return mv(input, other, out=out)
    k_left = input.shape[-1]
    k_right = other.shape[-2] if other.ndim > 1 else other.shape[0]
    if k_left != k_right:
        a = input.reshape(-1, k_left) if input.ndim > 1 else input.reshape(1, -1)
        b = other if other.ndim > 1 else other.reshape(-1, 1)
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({a.shape[0]}x{a.shape[1]} and "
                           f"{b.shape[-2]}x{b.shape[-1]})" if other.ndim <= 2 else
                           f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{other.shape[0]}, {k_left}] but got: [{other.shape[0]}, {k_right}].")
    _same_dtype("matmul", input, other)
    from ._common import broadcast_shapes
    if input.ndim > 2 and other.ndim > 2:
        broadcast_shapes(input.shape[:-2], other.shape[:-2])
    name = "BmmBackward0" if input.ndim == other.ndim == 3 else "UnsafeViewBackward0"
    return write_out(run(_matmul, name, input, other), out)


def _addmm(x, a, b, beta, alpha, *, ignore_input):
    prod = jnp.matmul(a, b)
    if alpha is not None:
        prod = prod * jnp.asarray(alpha, prod.dtype)
    if ignore_input:
        return jnp.broadcast_to(prod, jnp.broadcast_shapes(x.shape, prod.shape))
    if beta is None:
        return x + prod
    return jnp.asarray(beta, prod.dtype) * x + prod


def _scaled_product(name, input, a, b, beta, alpha, out, kernel=_addmm):
    """beta * input + alpha * product; the defaults (1) compile without multiplies, beta=0 ignores input."""
    return write_out(run(kernel, name, input, a, b, None if beta == 1 else beta, None if alpha == 1 else alpha,
                         ignore_input=beta == 0), out)


def addmm(input, mat1, mat2, *, beta=1, alpha=1, out=None):
    """beta * input + alpha * (mat1 @ mat2); beta=0 ignores input (even NaNs), as torch's."""
    if mat1.ndim != 2 or mat2.ndim != 2:
        raise RuntimeError(f"mat1 must be a matrix, got {mat1.ndim}-D tensor" if mat1.ndim != 2 else
                           f"mat2 must be a matrix, got {mat2.ndim}-D tensor")
    if mat1.shape[1] != mat2.shape[0]:
        raise _mismatch(mat1, mat2)
    _same_dtype("addmm", mat1, mat2)
    from ._common import broadcast_shapes
    broadcast_shapes(input.shape, (mat1.shape[0], mat2.shape[1]))
    return _scaled_product("AddmmBackward0", input, mat1, mat2, beta, alpha, out)


def addmv(input, mat, vec, *, beta=1, alpha=1, out=None):
    return _scaled_product("AddmvBackward0", input, mat, vec, beta, alpha, out)


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    return _scaled_product("BaddbmmBackward0", input, batch1, batch2, beta, alpha, out)


def addbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    return _scaled_product("AddbmmBackward0", input, batch1, batch2, beta, alpha, out, _addbmm)


def _addbmm(x, a, b, beta, alpha, *, ignore_input):
    """Sum over the batch of a[i] @ b[i] is one matmul of the batch laid side by side."""
    return _addmm(x, a.transpose(1, 0, 2).reshape(a.shape[1], -1), b.reshape(-1, b.shape[2]), beta, alpha,
                  ignore_input=ignore_input)


def _outer(a, b):
    return jnp.outer(a, b)


def outer(input, vec2):
    dtype = _dtype.result_type(input, vec2)
    return run(_outer, "OuterBackward0", input.to(dtype), vec2.to(dtype))


ger = outer


def _einsum(*xs, equation):
    return jnp.einsum(equation, *xs)


def einsum(equation, *operands):
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    for t in operands:
        if not isinstance(t, Tensor):
            raise TypeError("einsum(): operands must be Tensors")
    return run(_einsum, "EinsumBackward0", *operands, equation=equation.replace(" ", ""))


def _tensordot(a, b, *, axes):
    return jnp.tensordot(a, b, axes)


def tensordot(a, b, dims=2):
    axes = dims if isinstance(dims, int) else tuple(tuple(d) if not isinstance(d, int) else (d,) for d in dims)
    return run(_tensordot, "TensordotBackward0", a, b, axes=axes)
