"""Indexing: __getitem__/__setitem__, gather/scatter, index_select/add/copy/fill, masked ops, nonzero, take.

Index values are checked against the sizes before dispatch (torch raises
IndexError where JAX would clamp). Bool masks become integer indices on the
host: the result's shape depends on the mask's values.
"""
import functools

import jax
import jax.numpy as jnp
import numpy as np

from .. import _dtype
from .._dispatch import run
from .._tensor import Tensor, from_array
from ._common import check_broadcast, dtype_name, wrap_dim

_INT_TYPES = (int, np.integer)


def _host_indices(t):
    return np.asarray(t._value)


def check_bounds(indices, size, dim, error=IndexError):
    """Raise torch's error when an index in the numpy array `indices` is outside [-size, size)."""
    if indices.size:
        bad = indices[(indices >= size) | (indices < -size)]
        if bad.size:
            raise error(f"index {bad.flat[0]} is out of bounds for dimension {dim} with size {size}")


def _as_index(item):
    """Lists, tuples of ints and numpy arrays used as indices become tensors, as in torch."""
    if isinstance(item, (list, np.ndarray)) or (isinstance(item, tuple) and item and
                                                 all(isinstance(i, _INT_TYPES) for i in item)):
        arr = np.asarray(item)
        if arr.dtype.kind not in "iub":
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        return from_array(arr.astype(np.int64) if arr.dtype.kind in "iu" else arr)
    return item


def parse_index(x, index):
    """Static spec plus index arrays for `x[index]`.

    spec tokens: ('int', i), ('slice', start, stop, step), ('none',), ('bool', b), ('array', k) for the
    k-th array.
    Ellipsis is expanded into full slices; bool masks into their nonzero index arrays.
    """
    if not isinstance(index, tuple):
        index = (index,)
    items = [_as_index(i) for i in index]
    items = [bool(i) if isinstance(i, Tensor) and i.ndim == 0 and i.dtype is _dtype.bool_ else i for i in items]
    consumed = 0
    for it in items:
        if isinstance(it, Tensor) and it.dtype in (_dtype.bool_, _dtype.uint8):
            consumed += it.ndim
        elif it is not None and it is not Ellipsis and not isinstance(it, bool):
            consumed += 1
    if consumed > x.ndim:
        raise IndexError(f"too many indices for tensor of dimension {x.ndim}")
    if sum(it is Ellipsis for it in items) > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    spec, arrays = [], []
    dim = 0
    shape = x.shape
    for it in items:
        if it is Ellipsis:
            for _ in range(x.ndim - consumed):
                spec.append(("slice", None, None, None))
                dim += 1
        elif it is None:
            spec.append(("none",))
        elif isinstance(it, bool):
            spec.append(("bool", it))
        elif isinstance(it, _INT_TYPES):
            n = shape[dim]
            if not -n <= it < n:
                raise IndexError(f"index {it} is out of bounds for dimension {dim} with size {n}")
            spec.append(("int", int(it) % n))
            dim += 1
        elif isinstance(it, slice):
            start, stop, step = (_slice_int(v) for v in (it.start, it.stop, it.step))
            if step is not None and step <= 0:
                raise ValueError("step must be greater than zero")
            spec.append(("slice", start, stop, step))
            dim += 1
        elif isinstance(it, Tensor):
            if it.dtype in (_dtype.bool_, _dtype.uint8):
                mask = _host_indices(it).astype(bool)
                for k in range(mask.ndim):
                    if mask.shape[k] != shape[dim + k]:
                        raise IndexError(f"The shape of the mask {list(mask.shape)} at index {k} does not match "
                                         f"the shape of the indexed tensor {list(shape)} at index {dim + k}")
                for idx in np.nonzero(mask):
                    spec.append(("array", len(arrays)))
                    arrays.append(idx)
                dim += mask.ndim
            elif it.dtype.is_floating_point or it.dtype.is_complex:
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
            else:
                check_bounds(_host_indices(it), shape[dim], dim)
                spec.append(("array", len(arrays)))
                arrays.append(it)
                dim += 1
        else:
            raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are "
                             "valid indices (got " + type(it).__name__ + ")")
    return tuple(spec), arrays


def _slice_int(v):
    if v is None or isinstance(v, _INT_TYPES):
        return v
    if isinstance(v, Tensor):
        return int(v)
    return v.__index__()


def _build(spec, arrays):
    index = []
    for token in spec:
        kind = token[0]
        if kind == "int":
            index.append(token[1])
        elif kind == "slice":
            index.append(slice(*token[1:]))
        elif kind == "none":
            index.append(None)
        elif kind == "bool":
            index.append(token[1])
        else:
            index.append(arrays[token[1]])
    return tuple(index)


def _getitem(x, *arrays, spec):
    return x[_build(spec, arrays)]


def _grad_name(spec):
    kinds = {t[0] for t in spec}
    if "array" in kinds or "bool" in kinds:
        return "IndexBackward0"
    if "int" in kinds:
        return "SelectBackward0"
    if "slice" in kinds and any(t[1:] != (None, None, None) for t in spec if t[0] == "slice"):
        return "SliceBackward0"
    return "UnsqueezeBackward0" if "none" in kinds else "AliasBackward0"


def getitem(x, index):
    if x.ndim == 0 and isinstance(index, _INT_TYPES):
        raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in "
                         "C++ to convert a 0-dim tensor to a number")
    spec, arrays = parse_index(x, index)
    return run(_getitem, _grad_name(spec), x, *arrays, spec=spec)


@functools.lru_cache(maxsize=1024)
def _indexed_shape(x_shape, x_dtype, spec, array_shapes):
    arrays = [jax.ShapeDtypeStruct(s, np.int64) for s in array_shapes]
    return jax.eval_shape(lambda x, *a: _getitem(x, *a, spec=spec),
                          jax.ShapeDtypeStruct(x_shape, x_dtype), *arrays).shape


def _setitem(x, value, *arrays, spec):
    return x.at[_build(spec, arrays)].set(jnp.asarray(value, x.dtype))


def setitem(x, index, value):
    """x[index] = value, written into x (value is cast to x's dtype)."""
    x._check_inplace()
    spec, arrays = parse_index(x, index)
    target = _indexed_shape(x._value.shape, x._value.dtype, spec, tuple(np.shape(a._value if isinstance(a, Tensor)
                                                                                else a) for a in arrays))
    if isinstance(value, Tensor):
        try:
            np.broadcast_shapes(value._value.shape, target)
        except ValueError:
            raise RuntimeError(f"shape mismatch: value tensor of shape {list(value.shape)} cannot be broadcast to "
                               f"indexing result of shape {list(target)}") from None
        if len(value.shape) > len(target):
            value = value.reshape(target)
    elif isinstance(value, (list, tuple, np.ndarray)):
        from .creation import tensor
        return setitem(x, index, tensor(value, dtype=x.dtype))
    name = "IndexPutBackward0" if arrays else "CopySlices"
    return x._assign(run(_setitem, name, x, value, *arrays, spec=spec))


# ---- gather / scatter ------------------------------------------------------------------------------------

def _check_index_tensor(op, index):
    if index.dtype is not _dtype.int64:
        raise RuntimeError(f"{op}(): Expected dtype int64 for index")


def _grid(index, axis):
    """Full coordinates for take/put along `axis` with index's shape."""
    coords = list(jnp.indices(index.shape, sparse=True))
    coords[axis] = index
    return tuple(coords)


def _gather(x, index, *, axis):
    return x[_grid(index, axis)]


def gather(input, dim, index, *, sparse_grad=False, out=None):
    _check_index_tensor("gather", index)
    axis = wrap_dim(dim, input.ndim)
    if index.ndim != input.ndim and index.numel():
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    for d in range(index.ndim):
        if d != axis and index.shape[d] > input.shape[d]:
            raise RuntimeError(f"Size does not match at dimension {d} expected index {list(index.shape)} to be "
                               f"no larger than self {list(input.shape)} apart from dimension {axis}")
    check_bounds(_host_indices(index), input.shape[axis] if input.ndim else 1, axis, RuntimeError)
    from .pointwise import write_out
    return write_out(run(_gather, "GatherBackward0", input, index, axis=axis), out)


def _scatter(x, index, src, *, axis, reduce):
    coords = _grid(index, axis)
    if isinstance(src, jax.Array) and src.ndim:
        src = src[tuple(slice(0, s) for s in index.shape)]
    src = jnp.asarray(src, x.dtype)
    ref = x.at[coords]
    if reduce == "add":
        return ref.add(src)
    if reduce == "multiply":
        return ref.multiply(src)
    return ref.set(src)


def _scatter_checks(op, input, dim, index, src):
    _check_index_tensor(op, index)
    axis = wrap_dim(dim, input.ndim)
    if index.ndim != input.ndim and index.numel():
        raise RuntimeError("Index tensor must have the same number of dimensions as self tensor")
    if isinstance(src, Tensor) and src.dtype is not input.dtype:
        raise RuntimeError(f"{op}(): Expected self.dtype to be equal to src.dtype")
    check_bounds(_host_indices(index), input.shape[axis] if input.ndim else 1, axis, RuntimeError)
    return axis


def scatter(input, dim, index, src=None, value=None, *, reduce=None):
    """scatter(dim, index, src) or scatter(dim, index, value); reduce='add'|'multiply'."""
    src = value if src is None else src
    axis = _scatter_checks("scatter", input, dim, index, src)
    if reduce not in (None, "add", "multiply"):
        raise RuntimeError("reduce argument must be either add or multiply.")
    return run(_scatter, "ScatterBackward0" if isinstance(src, Tensor) else "ScatterBackward1", input, index, src,
               axis=axis, reduce=reduce)


def scatter_add(input, dim, index, src):
    axis = _scatter_checks("scatter_add", input, dim, index, src)
    return run(_scatter, "ScatterAddBackward0", input, index, src, axis=axis, reduce="add")


def _scatter_reduce(x, index, src, *, axis, reduce, include_self):
    coords = _grid(index, axis)
    src = src[tuple(slice(0, s) for s in index.shape)]
    if reduce == "mean":
        total = (x if include_self else jnp.zeros_like(x)).at[coords].add(src)
        count = jnp.full(x.shape, 1 if include_self else 0, x.dtype).at[coords].add(1)
        out = total / jnp.maximum(count, 1) if jnp.issubdtype(x.dtype, jnp.inexact) else \
            jnp.floor_divide(total, jnp.maximum(count, 1))
        return jnp.where(count == 0, x, out)
    ops = {"sum": ("add", 0), "prod": ("multiply", 1), "amax": ("max", None), "amin": ("min", None)}
    method, identity = ops[reduce]
    base = x
    if not include_self:
        touched = jnp.zeros(x.shape, bool).at[coords].set(True)
        fill = identity if identity is not None else (
            jnp.finfo(x.dtype).min if reduce == "amax" else jnp.finfo(x.dtype).max) if jnp.issubdtype(
            x.dtype, jnp.inexact) else (jnp.iinfo(x.dtype).min if reduce == "amax" else jnp.iinfo(x.dtype).max)
        base = jnp.where(touched, jnp.asarray(fill, x.dtype), x)
    return getattr(base.at[coords], method)(src)


def scatter_reduce(input, dim, index, src, reduce, *, include_self=True):
    axis = _scatter_checks("scatter_reduce", input, dim, index, src)
    if reduce not in ("sum", "prod", "mean", "amax", "amin"):
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}")
    return run(_scatter_reduce, "ScatterReduceBackward0", input, index, src, axis=axis, reduce=reduce,
               include_self=include_self)


# ---- index_* ---------------------------------------------------------------------------------------------

def _index_checks(op, input, dim, index):
    if index.dtype not in (_dtype.int64, _dtype.int32):
        raise RuntimeError(f"{op}(): Expected dtype int32/int64 for index")
    if index.ndim > 1:
        raise IndexError(f"{op}(): Index is supposed to be a vector")
    axis = wrap_dim(dim, input.ndim) if input.ndim else 0
    size = input.shape[axis] if input.ndim else 1
    idx = _host_indices(index)
    if idx.size and (idx.max() >= size or idx.min() < -size):
        raise IndexError("index out of range in self")
    return axis


def _index_select(x, index, *, axis):
    return jnp.take(x, index.reshape(-1), axis=axis) if x.ndim else x[index.reshape(-1)].reshape(())


def index_select(input, dim, index, *, out=None):
    axis = _index_checks("index_select", input, dim, index)
    from .pointwise import write_out
    return write_out(run(_index_select, "IndexSelectBackward0", input, index, axis=axis), out)


def _index_update(x, index, src, alpha, *, axis, mode):
    coords = [slice(None)] * x.ndim
    coords[axis] = index.reshape(-1)
    ref = x.at[tuple(coords)]
    if mode == "add":
        src = jnp.asarray(src, x.dtype)
        return ref.add(src if alpha is None else src * jnp.asarray(alpha, x.dtype))
    return ref.set(jnp.asarray(src, x.dtype))


def index_add(input, dim, index, source, *, alpha=1):
    axis = _index_checks("index_add", input, dim, index)
    return run(_index_update, "IndexAddBackward0", input, index, source, None if alpha == 1 else alpha, axis=axis,
               mode="add")


def index_copy(input, dim, index, source):
    axis = _index_checks("index_copy", input, dim, index)
    return run(_index_update, "IndexCopyBackward0", input, index, source, None, axis=axis, mode="copy")


def index_fill(input, dim, index, value):
    axis = _index_checks("index_fill", input, dim, index)
    return run(_index_update, "IndexFillBackward0", input, index, value, None, axis=axis, mode="fill")


# ---- masks -----------------------------------------------------------------------------------------------

def _masked_fill(x, mask, value):
    return jnp.where(mask, jnp.asarray(value, x.dtype), x)


def masked_fill(input, mask, value):
    if mask.dtype is not _dtype.bool_:
        raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype "
                           f"{dtype_name(mask.dtype).lower()}")
    if isinstance(value, Tensor) and value.ndim:
        raise RuntimeError(f"masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                           f"{value.ndim} dimension(s).")
    check_broadcast(input, mask)
    return run(_masked_fill, "MaskedFillBackward0", input, mask, value)


def masked_select(input, mask):
    check_broadcast(input, mask)
    shape = np.broadcast_shapes(input.shape, mask.shape)
    return getitem(input.expand(shape), mask.expand(shape))


def nonzero(input, *, as_tuple=False):
    idx = np.nonzero(np.atleast_1d(_host_indices(input)))
    if as_tuple:
        return tuple(from_array(i.astype(np.int64), device=input.device) for i in idx)
    return from_array(np.stack(idx, axis=1).astype(np.int64).reshape(-1, max(input.ndim, 1) if input.ndim else 0),
                      device=input.device)


def argwhere(input):
    return nonzero(input)


def _take(x, index):
    return x.reshape(-1)[index]


def take(input, index):
    check_bounds(_host_indices(index), input.numel(), 0)
    return run(_take, "TakeBackward0", input, index)
