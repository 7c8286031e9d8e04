"""Ops that assemble new tensors from the entries of others: block_diag, cartesian_prod, combinations, meshgrid,
diag_embed, diagflat, kron, the triangle index lists, and the rank-1 products vdot and addr.

None of these are views in torch either: each result is a fresh tensor.
"""
import itertools

import jax.numpy as jnp
import numpy as np

from .. import _dtype
from .._dispatch import run
from .._tensor import Size, Tensor
from ._common import broadcast_shapes as _broadcast_shapes, dtype_name, shape_arg, wrap_dim
from .creation import tensor as _tensor
from .linalg import _HIGHEST, _no_bool


def _block_diag(*xs, dtype):
    mats = [x.astype(dtype).reshape((1, -1)) if x.ndim < 2 else x.astype(dtype) for x in xs]
    rows = sum(m.shape[0] for m in mats)
    cols = sum(m.shape[1] for m in mats)
    out = jnp.zeros((rows, cols), dtype)
    r = c = 0
    for m in mats:
        out = out.at[r:r + m.shape[0], c:c + m.shape[1]].set(m)
        r, c = r + m.shape[0], c + m.shape[1]
    return out


def block_diag(*tensors):
    for i, t in enumerate(tensors):
        if t.ndim > 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer dimensions. Input {i} has "
                               f"{t.ndim} dimensions")
    dtype = _dtype.result_type(*tensors) if tensors else _dtype.get_default_dtype()
    return run(_block_diag, "BlockDiagBackward0", *tensors, dtype=dtype._np)


def _cartesian_prod(*xs):
    grids = jnp.meshgrid(*xs, indexing="ij")
    return jnp.stack([g.reshape(-1) for g in grids], axis=1) if len(xs) > 1 else xs[0]


def cartesian_prod(*tensors):
    for t in tensors:
        if t.ndim != 1:
            raise RuntimeError(f"Expect a 1D vector, but got shape {list(t.shape)}")
    dtype = _dtype.result_type(*tensors)
    return run(_cartesian_prod, "StackBackward0", *[t.to(dtype) for t in tensors])


def _combinations(x, *, r, with_replacement):
    pick = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    index = np.array(list(pick(range(x.shape[0]), r)), dtype=np.int64).reshape(-1, r)
    return x[index]


def combinations(input, r=2, with_replacement=False):
    if input.ndim != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(input.shape)}")
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return _tensor([], dtype=input.dtype)
    return run(_combinations, "IndexBackward0", input, r=int(r), with_replacement=with_replacement)


def _meshgrid(*xs, indexing):
    return tuple(jnp.meshgrid(*xs, indexing=indexing))


def meshgrid(*tensors, indexing=None):
    """Grids as separate tensors (torch returns expanded views)."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if not tensors:
        raise RuntimeError("torch.meshgrid: Expected at least one tensor.")
    for t in tensors:
        if t.ndim > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: {t}")
    if len({t.dtype for t in tensors}) > 1:
        raise RuntimeError("torch.meshgrid: Expected all tensors in the tensor list to have the same dtype.")
    if indexing not in (None, "ij", "xy"):
        raise RuntimeError(f"torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but received: {indexing}")
    flat = [t.reshape(-1) for t in tensors]
    return run(_meshgrid, "ExpandBackward0", *flat, indexing=indexing or "ij")


def _diag_embed(x, *, offset, axis1, axis2):
    n = x.shape[-1] + abs(offset)
    rows = jnp.arange(x.shape[-1]) + max(-offset, 0)
    cols = jnp.arange(x.shape[-1]) + max(offset, 0)
    out = jnp.zeros(x.shape[:-1] + (n, n), x.dtype).at[..., rows, cols].set(x)
    return jnp.moveaxis(out, (-2, -1), (axis1, axis2))


def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    ndim = input.ndim + 1
    axis1, axis2 = wrap_dim(dim1, ndim), wrap_dim(dim2, ndim)
    if axis1 == axis2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    if axis1 > axis2:
        axis1, axis2, offset = axis2, axis1, -offset
    return run(_diag_embed, "DiagEmbedBackward0", input, offset=int(offset), axis1=axis1, axis2=axis2)


def diagflat(input, offset=0):
    return diag_embed(input.reshape(-1), offset)


def _kron(a, b, *, dtype):
    compute = jnp.uint8 if dtype == jnp.bool_ else dtype
    return jnp.kron(a.astype(compute), b.astype(compute)).astype(dtype)


def kron(input, other, *, out=None):
    dtype = _dtype.result_type(input, other)
    return run(_kron, "KronBackward0", input, other, dtype=dtype._np)


def _vdot(a, b):
    return jnp.vdot(a, b, precision=_HIGHEST)


def vdot(input, other, *, out=None):
    if input.ndim != 1 or other.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input.ndim}D and {other.ndim}D tensors")
    if input.dtype is not other.dtype:
        raise RuntimeError(f"vdot : expected both vectors to have same dtype, but found {dtype_name(input.dtype)} "
                           f"and {dtype_name(other.dtype)}")
    if input.shape[0] != other.shape[0]:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{input.shape[0]}] and src "
                           f"[{other.shape[0]}] to have the same number of elements, but got {input.shape[0]} and "
                           f"{other.shape[0]} elements respectively")
    _no_bool("dot", input.dtype)
    return run(_vdot, "DotBackward0", input, other)


def _addr(x, a, b, beta, alpha, *, dtype, ignore_input):
    outer = jnp.outer(a.astype(dtype), b.astype(dtype))
    if dtype == jnp.bool_:
        return (jnp.asarray(beta, bool) & x) | (jnp.asarray(alpha, bool) & outer)
    product = jnp.asarray(alpha, dtype) * outer
    return product if ignore_input else jnp.asarray(beta, dtype) * x.astype(dtype) + product


def addr(input, vec1, vec2, *, beta=1, alpha=1, out=None):
    """beta * input + alpha * outer(vec1, vec2); beta=0 ignores input (NaN included), as torch's."""
    if vec1.ndim != 1 or vec2.ndim != 1:
        raise RuntimeError(f"addr: Expected 1-D argument vec1, but got {vec1.ndim}-D")
    dtype = _dtype.result_type(input, vec1, vec2)
    if dtype is _dtype.bool_:
        if isinstance(beta, float) or isinstance(alpha, float):
            raise RuntimeError("Boolean beta only supported for Boolean results.")
    elif not (dtype.is_floating_point or dtype.is_complex) and (isinstance(beta, float) or isinstance(alpha, float)):
        raise RuntimeError("For integral input tensors, argument beta must not be a floating point number.")
    shape = _broadcast_shapes(tuple(input.shape), (vec1.shape[0], vec2.shape[0]))
    if shape != (vec1.shape[0], vec2.shape[0]):
        raise RuntimeError(f"The expanded size of the tensor ({vec2.shape[0]}) must match the existing size")
    return run(_addr, "AddrBackward0", input, vec1, vec2, beta, alpha, dtype=dtype._np, ignore_input=beta == 0)


def _triangle_indices(row, col, offset, lower):
    r, c = np.indices((row, col))
    keep = (c - r <= offset) if lower else (c - r >= offset)
    return np.stack([r[keep], c[keep]])


def tril_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    return _tensor(_triangle_indices(row, col, offset, True), dtype=dtype or _dtype.int64, device=device)


def triu_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    return _tensor(_triangle_indices(row, col, offset, False), dtype=dtype or _dtype.int64, device=device)


def broadcast_shapes(*shapes):
    """torch.broadcast_shapes: the broadcast of int sizes and sequences, as a Size."""
    return Size(_broadcast_shapes(*((s,) if isinstance(s, int) else tuple(shape_arg((s,))) for s in shapes)))


def fill(input, value):
    """A new tensor of input's shape and dtype filled with value (torch.fill, not in place)."""
    if isinstance(value, Tensor) and value.ndim:
        raise RuntimeError(f"fill only supports 0-dimension value tensor but got tensor with {value.ndim} "
                           "dimensions.")
    return run(_fill, "FillBackward0", input, value)


def _fill(x, value):
    return jnp.full(x.shape, value, x.dtype)


def constant_pad_nd(input, pad, value=0):
    """torch.constant_pad_nd: F.pad in constant mode."""
    from ..nn.functional import pad as _pad
    return _pad(input, pad, "constant", value)


def _unravel(x, *, shape):
    out = []
    for size in reversed(shape):
        out.append(x % size)
        x = x // size
    return tuple(reversed(out))


def unravel_index(indices, shape):
    """The coordinates of flat `indices` in a tensor of `shape`, one int64 tensor per dim."""
    if indices.dtype.is_floating_point or indices.dtype.is_complex or indices.dtype is _dtype.bool_:
        raise TypeError(f"expected 'indices' to be integer dtype, but got {indices.dtype}")
    shape = (shape,) if isinstance(shape, int) else tuple(int(s) for s in shape)
    if any(s < 0 for s in shape):
        raise ValueError("'shape' cannot have negative values, but got " + str(shape))
    numel = int(np.prod(shape))
    if indices.numel() and (int(indices.min()) < -numel or int(indices.max()) >= numel):
        raise RuntimeError("'indices' must be in range [-{0}, {1})".format(numel, numel))
    return run(_unravel, "NotImplemented", indices.to(_dtype.int64) % max(numel, 1), shape=shape)
