"""Indexing: __getitem__/__setitem__, gather/scatter, index_select/add/copy/fill, masked ops, nonzero, take.

Index values are checked against the sizes on the host before dispatch (torch
raises where JAX would clamp or wrap). Bool masks become integer indices on the
host: the result's shape depends on the mask's values.
"""
import functools
import warnings

import jax
import jax.numpy as jnp
import numpy as np

from .. import _dtype, _layout
from .._dispatch import run
from .._storage import put as put_at
from .._tensor import Tensor, from_array
from ._common import broadcast_shapes, check_broadcast, dtype_name, wrap_dim
from .shape import legacy_type

_INT_TYPES = (int, np.integer)
_INDEX_DTYPES = (_dtype.int32, _dtype.int64)


def _host(t):
    return np.asarray(t._value)


def _value(a):
    """The array of an index Tensor or of a host index array."""
    return a._value if isinstance(a, Tensor) else a


def _first_outside(index, low, high):
    """The first value of an index Tensor outside [low, high), or None (a host sync)."""
    values = _host(index)
    bad = values[(values < low) | (values >= high)]
    return bad.flat[0] if bad.size else None


def check_bounds(index, size, dim, error=IndexError, negative=True):
    """torch's error when a value of an index Tensor is outside [-size, size) ([0, size) when not `negative`)."""
    bad = _first_outside(index, -size if negative else 0, size)
    if bad is not None:
        raise error(f"index {bad} is out of bounds for dimension {dim} with size {size}")


def _size(input, axis):
    """input's size along axis, a 0-dim input counting as one element."""
    return input.shape[axis] if input.ndim else 1


# ---- parsing x[index] ---------------------------------------------------------------------------------------

def _as_tuple(index):
    """torch (like old numpy) reads a short list holding slices, None, Ellipsis, sequences or tensors as a tuple."""
    if isinstance(index, tuple):
        return index
    if isinstance(index, list) and len(index) < 32 and any(
            isinstance(i, (slice, list, tuple, Tensor)) or i is None or i is Ellipsis for i in index):
        warnings.warn("Using a non-tuple sequence for multidimensional indexing is deprecated and will be changed "
                      "in pytorch 2.9; use x[tuple(seq)] instead of x[seq]. In pytorch 2.9 this will be interpreted "
                      "as tensor index, x[torch.tensor(seq)], which will result either in an error or a different "
                      "result", UserWarning, stacklevel=4)
        return tuple(index)
    return (index,)


def _bad_index_dtype():
    return IndexError("tensors used as indices must be long, int, byte or bool tensors")


def _item(it):
    """One index item normalized: Python bool/int, slice, None, Ellipsis, or a 1+-dim index Tensor.

    A 0-dim integer tensor acts as an int and a 0-dim bool tensor as a Python bool, as in torch.
    """
    if it is None or it is Ellipsis or isinstance(it, slice):
        return it
    if isinstance(it, (bool, np.bool_)):
        return bool(it)
    if isinstance(it, _INT_TYPES):
        return int(it)
    if isinstance(it, (list, tuple, np.ndarray)):
        arr = np.asarray(it)
        if arr.size == 0:
            arr = arr.astype(np.int64)
        if arr.dtype.kind not in "iub":
            raise _bad_index_dtype()
        return _item(from_array(arr if arr.dtype.kind == "b" else arr.astype(np.int64)))
    if isinstance(it, Tensor):
        if it.dtype not in (_dtype.bool_, _dtype.uint8, _dtype.int32, _dtype.int64):
            raise _bad_index_dtype()
        if it.ndim == 0:
            return bool(it.item()) if it.dtype in (_dtype.bool_, _dtype.uint8) else int(it.item())
        return it
    raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid "
                     f"indices (got {type(it).__name__})")


def _is_mask(it):
    return isinstance(it, Tensor) and it.dtype in (_dtype.bool_, _dtype.uint8)


def _dims_used(it):
    if _is_mask(it):
        return it.ndim
    return 0 if it is None or it is Ellipsis or isinstance(it, bool) else 1


def _slice_bound(v):
    return v if v is None else int(v) if isinstance(v, Tensor) else v.__index__()


def _mask_indices(mask, shape, dim):
    """The nonzero index arrays of a bool (or deprecated uint8) mask covering shape[dim:dim + mask.ndim]."""
    if mask.dtype is _dtype.uint8:
        warnings.warn("indexing with dtype torch.uint8 is now deprecated, please use a dtype torch.bool instead.",
                      UserWarning, stacklevel=5)
    for k, size in enumerate(mask.shape):
        if size != shape[dim + k]:
            raise IndexError(f"The shape of the mask {list(mask.shape)} at index {k} does not match the shape of "
                             f"the indexed tensor {list(shape)} at index {dim + k}")
    return np.nonzero(_host(mask))


def parse_index(x, index):
    """A static spec, the index arrays for `x[index]`, and its one bool mask when that is its only tensor index.

    spec: ('int', k) and ('array', k) for the (dynamic) index in arrays[k], ('slice', start, stop, step),
    ('none',), ('bool', b).
    Ellipsis is expanded into full slices (as in torch, a second one only covers dims left over); bool masks
    into their nonzero index arrays.
    """
    items = [_item(i) for i in _as_tuple(index)]
    used = sum(_dims_used(it) for it in items)
    if used > x.ndim:
        if x.ndim == 0 and isinstance(items[0], int) and not isinstance(items[0], bool):
            raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` "
                             "in C++ to convert a 0-dim tensor to a number")
        raise IndexError(f"too many indices for tensor of dimension {x.ndim}")
    tensors = [it for it in items if isinstance(it, (Tensor, bool))]
    lone_mask = tensors[0] if len(tensors) == 1 and _is_mask(tensors[0]) else None
    spec, arrays, dim = [], [], 0
    for it in items:
        dim += _parse_item(it, x, dim, x.ndim - used, spec, arrays)
    _check_broadcastable(spec, arrays)
    return tuple(spec), arrays, lone_mask


def _parse_item(it, x, dim, free, spec, arrays):
    """Appends item `it` (at dim `dim`) to spec/arrays; returns the dims it uses.

    An Ellipsis uses the `free` dims; as in torch, a second one leaves later items beyond the last dim.
    """
    if it is Ellipsis:
        spec += [("slice", None, None, None)] * max(min(free, x.ndim - dim), 0)
        return free
    if dim > x.ndim or (dim == x.ndim and not (it is None or isinstance(it, (bool, int)))):
        raise IndexError(f"Dimension out of range (expected to be in range of [{-x.ndim - 1}, {x.ndim}], but got "
                         f"{dim})")
    if it is None or isinstance(it, bool):
        spec.append(("none",) if it is None else ("bool", it))
        return 0
    if isinstance(it, int):
        n = x.shape[dim] if dim < x.ndim else 0
        if not -n <= it < n:
            raise IndexError(f"index {it} is out of bounds for dimension {dim} with size {n}")
        spec.append(("int", len(arrays)))
        arrays.append(it % n)
        return 1
    if isinstance(it, slice):
        start, stop, step = (_slice_bound(v) for v in (it.start, it.stop, it.step))
        if step == 0:
            raise ValueError("slice step cannot be zero")
        if step is not None and step < 0:
            raise ValueError("step must be greater than zero")
        spec.append(("slice", start, stop, step))
        return 1
    if _is_mask(it):
        found = _mask_indices(it, x.shape, dim)
    else:
        check_bounds(it, x.shape[dim], dim)
        found = [it]
    for idx in found:
        spec.append(("array", len(arrays)))
        arrays.append(idx)
    return _dims_used(it)


def _check_broadcastable(spec, arrays):
    """torch's IndexError when the advanced indices (a Python bool counting as one of shape [1] or [0]) do not
    broadcast together."""
    shapes = [(int(t[1]),) if t[0] == "bool" else tuple(np.shape(_value(arrays[t[1]])))
              for t in spec if t[0] in ("bool", "array")]
    try:
        np.broadcast_shapes(*shapes)
    except ValueError:
        raise IndexError("shape mismatch: indexing tensors could not be broadcast together with shapes "
                         + ", ".join(str(list(s)) for s in shapes)) from None


def _index(x, arrays, spec):
    """x[spec] as torch reads it: ints, slices and None first (basic indexing), then all advanced indices
    together (numpy's rule: their dims go first when a slice separates them). A Python bool is a new dim
    indexed by [0] or [], as torch does."""
    basic, advanced = [], []
    for kind, *args in spec:
        if kind == "int":
            basic.append(arrays[args[0]])
            continue
        basic.append(slice(*args) if kind == "slice" else slice(None) if kind == "array" else None)
        advanced.append(arrays[args[0]] if kind == "array" else
                        jnp.zeros(int(args[0]), np.int64) if kind == "bool" else slice(None))
    x = x[tuple(basic)]
    return x[tuple(advanced)] if any(not isinstance(a, slice) for a in advanced) else x


def _getitem(x, *arrays, spec):
    return _index(x, arrays, spec)


def _grad_name(spec):
    kinds = {t[0] for t in spec}
    if "array" in kinds or "bool" in kinds:
        return "IndexBackward0"
    if "int" in kinds:
        return "SelectBackward0"
    if any(t[1:] != (None, None, None) for t in spec if t[0] == "slice"):
        return "SliceBackward0"
    return "UnsqueezeBackward0" if "none" in kinds else "AliasBackward0"


def _basic_layout(layout, spec, arrays):
    """The layout of x[spec] for basic indices (ints, slices, None): a view of x's storage."""
    dim = 0
    for kind, *args in spec:
        if kind == "int":
            layout = _layout.selected(layout, dim, arrays[args[0]])
        elif kind == "none":
            layout = _layout.unsqueezed(layout, dim)
            dim += 1
        else:
            start, stop, step = slice(*args).indices(layout.shape[dim])
            layout = _layout.sliced(layout, dim, start, max(stop, start), step)
            dim += 1
    return layout


def getitem(x, index):
    """x[index]: a view of x for basic indices (ints, slices, None, Ellipsis), a copy with advanced ones."""
    spec, arrays, _ = parse_index(x, index)
    out = run(_getitem, _grad_name(spec), x, *arrays, spec=spec)
    if any(t[0] in ("array", "bool") for t in spec):
        return out
    return out._as_view_of(x, _basic_layout(x._layout_in_storage(), spec, arrays))


# ---- x[index] = value ---------------------------------------------------------------------------------------

@functools.lru_cache(maxsize=1024)
def _indexed_shape(x_shape, spec, array_shapes):
    arrays = [jax.ShapeDtypeStruct(s, np.int64) for s in array_shapes]
    return jax.eval_shape(lambda x, *a: _index(x, a, spec), jax.ShapeDtypeStruct(x_shape, np.int64), *arrays).shape


def _positions(shape):
    """The flat position of every element of an array of `shape`."""
    return jnp.arange(np.prod(shape, dtype=np.int64)).reshape(shape)


def _fit(value, shape):
    """value with torch's leading size-1 dims dropped, broadcast to shape."""
    if value.ndim > len(shape):
        value = value.reshape(value.shape[value.ndim - len(shape):])
    return jnp.broadcast_to(value, shape)


def _setitem(x, value, *arrays, spec):
    """Writes value where x[spec] reads: a slice update for basic indices, else one scatter at the flat
    positions that x[spec] reads."""
    value = jnp.asarray(value).astype(x.dtype)
    if any(t[0] in ("array", "bool") for t in spec):
        positions = _index(_positions(x.shape), arrays, spec)
        return put_at(x, positions, _fit(value, positions.shape))
    selected = tuple(arrays[t[1]] if t[0] == "int" else slice(*t[1:]) for t in spec if t[0] != "none")
    value = _fit(value, _index(x, arrays, spec).shape)
    return x.at[selected].set(value.reshape(x[selected].shape))


_NUMBERS = (bool, float, complex, np.number, np.bool_) + _INT_TYPES


def _fits(shape, target):
    """Whether a value of `shape` can be written at an indexing result of `target` shape: torch drops the
    value's leading size-1 dims, then broadcasts it."""
    while len(shape) > len(target) and shape[0] == 1:
        shape = shape[1:]
    try:
        return np.broadcast_shapes(shape, target) == tuple(target)
    except ValueError:
        return False


def _check_value(x, value, advanced, lone_mask, target):
    """torch's errors for a value that cannot be written at x[index] (shape `target`).

    With advanced indices a value tensor's dtype must be x's, except that one element written through a lone
    bool mask is a masked_fill (which casts), as in torch.
    """
    if isinstance(value, Tensor):
        if lone_mask is not None and value.numel() == 1:
            if lone_mask.dtype is _dtype.uint8:
                raise RuntimeError("masked_fill_ only supports boolean masks, but got mask with dtype unsigned char")
        elif advanced and value.dtype is not x.dtype:
            raise RuntimeError(f"Index put requires the source and destination dtypes match, got "
                               f"{dtype_name(x.dtype)} for the destination and {dtype_name(value.dtype)} for the "
                               "source.")
        if not _fits(tuple(value.shape), target):
            raise RuntimeError(f"shape mismatch: value tensor of shape {list(value.shape)} cannot be broadcast to "
                               f"indexing result of shape {list(target)}")
    elif not isinstance(value, _NUMBERS):
        raise TypeError(f"can't assign a {type(value).__name__} to a {legacy_type(x)}")
    elif isinstance(value, (complex, np.complexfloating)) and not x.dtype.is_complex:
        raise RuntimeError(f"value cannot be converted to type {x.dtype._np.name} without overflow")


def setitem(x, index, value):
    """x[index] = value, written into x (value is cast to x's dtype, except with advanced indices, as in torch)."""
    spec, arrays, lone_mask = parse_index(x, index)
    array_shapes = tuple(np.shape(_value(a)) for a in arrays)
    advanced = any(t[0] in ("array", "bool") for t in spec)
    _check_value(x, value, advanced, lone_mask, _indexed_shape(tuple(x.shape), spec, array_shapes))
    x._check_inplace()
    name = "IndexPutBackward0" if advanced else "CopySlices"
    return x._assign(run(_setitem, name, x, value, *arrays, spec=spec))


# ---- gather / scatter ---------------------------------------------------------------------------------------

def _require_index_dtype(op, index, dtypes=_INDEX_DTYPES, error=RuntimeError, message=None):
    if index.dtype not in dtypes:
        raise error(message or f"{op}(): Expected dtype int32/int64 for index")


def _grid(index, axis):
    """Coordinates that pair each element of index with its own position, except along axis."""
    coords = list(jnp.indices(index.shape, sparse=True))
    coords[axis] = index
    return tuple(coords)


def _at_least_1d(*arrays):
    return [a.reshape(a.shape or (1,)) for a in arrays]


def _gather(x, index, *, axis):
    x1, index1 = _at_least_1d(x, index)
    return x1[_grid(index1, axis)].reshape(index.shape)


def _gather_scatter_checks(op, input, dim, index, src=None):
    """torch's checks shared by gather and the scatter family: index dtype, ranks, sizes, bounds."""
    _require_index_dtype(op, index)
    axis = wrap_dim(dim, input.ndim)
    if not index.numel():
        return axis
    rank = max(input.ndim, 1)
    if max(index.ndim, 1) != rank:
        raise RuntimeError(f"Index tensor must have the same number of dimensions as "
                           f"{'input' if op == 'gather' else 'self'} tensor")
    if isinstance(src, Tensor) and max(src.ndim, 1) != rank:
        raise RuntimeError("Index tensor must have the same number of dimensions as src tensor")
    _check_index_sizes(op, input, axis, index, src)
    check_bounds(index, _size(input, axis), axis, RuntimeError, negative=False)
    return axis


def _check_index_sizes(op, input, axis, index, src):
    """index may not be larger than input apart from dim axis (nor, for scatters, than a src tensor)."""
    index_shape, self_shape = index.shape or (1,), input.shape or (1,)
    over = [d for d in range(len(index_shape)) if d != axis and index_shape[d] > self_shape[d]]
    if op == "gather":
        if over:
            raise RuntimeError(f"Size does not match at dimension {over[0]} expected index {list(index.shape)} to "
                               f"be no larger than self {list(input.shape)} apart from dimension {axis}")
        return
    message = (f"Expected index {list(index.shape)} to be no larger than self {list(input.shape)} apart from "
               f"dimension {axis}")
    if isinstance(src, Tensor):
        if over or any(i > s for i, s in zip(index_shape, src.shape or (1,))):
            raise RuntimeError(f"{message} and to be no larger size than src {list(src.shape)}")
    elif over:
        raise RuntimeError(message)


def gather(input, dim, index, *, sparse_grad=False, out=None):
    axis = _gather_scatter_checks("gather", input, dim, index)
    from .pointwise import write_out
    return write_out(run(_gather, "GatherBackward0", input, index, axis=axis), out)


def _others(v, zeros, nonzero):
    """For each factor v of a group: the product of the group's other factors (zeros counted apart)."""
    is_zero = v == 0
    return jnp.where(zeros - is_zero > 0, 0, nonzero / jnp.where(is_zero, 1, v))


@functools.partial(jax.custom_vjp, nondiff_argnums=(3,))
def _multiply_at(x, index, src, axis):
    """x with src multiplied in at the scatter positions; its gradient allows repeated indices (jax's does not)."""
    return x.at[_grid(index, axis)].multiply(src)


def _multiply_at_fwd(x, index, src, axis):
    return _multiply_at(x, index, src, axis), (x, index, src)


def _multiply_at_bwd(axis, saved, grad):
    x, index, src = saved
    coords = _grid(index, axis)
    zeros = (x == 0).astype(x.dtype).at[coords].add((src == 0).astype(x.dtype))
    nonzero = jnp.where(x == 0, 1, x).at[coords].multiply(jnp.where(src == 0, 1, src))
    return grad * _others(x, zeros, nonzero), None, grad[coords] * _others(src, zeros[coords], nonzero[coords])


_multiply_at.defvjp(_multiply_at_fwd, _multiply_at_bwd)


def _scatter_into(x, index, src, axis, method):
    """x.at[positions].<method>(src): the 0-dim case reshaped, src cut to index's shape and cast to x's dtype
    (bools add as `or`, multiply as `and`)."""
    x1, index1 = _at_least_1d(x, index)
    src = jnp.asarray(src)
    if src.ndim:
        src = src[tuple(slice(0, s) for s in index1.shape)]
    src = jnp.broadcast_to(src.astype(x.dtype), index1.shape)
    if x.dtype == np.bool_:
        method = {"add": "max", "multiply": "min"}.get(method, method)
    if method == "set":
        out = put_at(x1, _positions(x1.shape)[_grid(index1, axis)], src)
    elif method == "multiply":
        out = _multiply_at(x1, index1, src, axis)
    else:
        out = getattr(x1.at[_grid(index1, axis)], method)(src)
    return out.reshape(x.shape)


def _scatter(x, index, src, *, axis, reduce):
    return _scatter_into(x, index, src, axis, reduce or "set")


def scatter(input, dim, index, src=None, value=None, *, reduce=None):
    """scatter(dim, index, src) or scatter(dim, index, value); reduce='add'|'multiply'.

    Differs from torch: with `reduce`, torch cannot differentiate; jtorch gives the gradient.
    """
    src = value if src is None else src
    if isinstance(src, Tensor) and src.dtype is not input.dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    axis = _gather_scatter_checks("scatter", input, dim, index, src)
    if reduce not in (None, "add", "multiply"):
        raise RuntimeError("reduce argument must be either add or multiply.")
    if reduce is not None and isinstance(src, Tensor):
        warnings.warn("The reduce argument of torch.scatter with Tensor src is deprecated and will be removed in a "
                      "future PyTorch release. Use torch.scatter_reduce instead for more reduction options.",
                      UserWarning, stacklevel=2)
    name = "ScatterBackward0" if isinstance(src, Tensor) else "ScatterBackward1"
    return run(_scatter, name, input, index, src, axis=axis, reduce=reduce)


def scatter_add(input, dim, index, src):
    if src.dtype is not input.dtype:
        raise RuntimeError("scatter_add(): Expected self.dtype to be equal to src.dtype")
    axis = _gather_scatter_checks("scatter_add", input, dim, index, src)
    return run(_scatter, "ScatterAddBackward0", input, index, src, axis=axis, reduce="add")


_REDUCE_METHODS = {"sum": "add", "prod": "multiply", "amax": "max", "amin": "min"}
_REDUCE_ALIASES = {"max": "amax", "min": "amin"}


def _identity(dtype, reduce):
    """The value that leaves a `reduce` unchanged: 0, 1, or dtype's lowest / highest value."""
    if reduce in ("sum", "prod"):
        return int(reduce == "prod")
    if dtype == np.bool_:
        return reduce == "amin"
    if jnp.issubdtype(dtype, jnp.inexact):
        return -np.inf if reduce == "amax" else np.inf
    info = jnp.iinfo(dtype)
    return info.min if reduce == "amax" else info.max


def _scatter_reduce(x, index, src, *, axis, reduce, include_self):
    x1, index1 = _at_least_1d(x, index)
    touched = _scatter_into(jnp.zeros(x1.shape, bool), index1, True, axis, "set")
    if reduce == "mean":
        total = _scatter_into(x1 if include_self else jnp.where(touched, 0, x1), index1, src, axis, "add")
        count = _scatter_into(jnp.full(x1.shape, int(include_self), x1.dtype), index1, 1, axis, "add")
        safe = jnp.maximum(count, 1)
        out = total / safe if jnp.issubdtype(x.dtype, jnp.inexact) else jnp.floor_divide(total, safe)
        return jnp.where(count == 0, x1, out).reshape(x.shape)
    if not include_self:
        x1 = jnp.where(touched, jnp.asarray(_identity(x.dtype, reduce)).astype(x.dtype), x1)
    return _scatter_into(x1, index1, src, axis, _REDUCE_METHODS[reduce]).reshape(x.shape)


def scatter_reduce(input, dim, index, src, reduce, *, include_self=True):
    """scatter_reduce with sum, prod, mean, amax (or max), amin (or min); integer means round down, as in torch."""
    if src.dtype is not input.dtype:
        raise RuntimeError("scatter_reduce(): Expected self.dtype to be equal to src.dtype")
    axis = _gather_scatter_checks("scatter_reduce", input, dim, index, src)
    if reduce not in ("sum", "prod", "mean", "amax", "amin", "max", "min"):
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}")
    reduce = _REDUCE_ALIASES.get(reduce, reduce)
    if reduce == "mean" and input.dtype is _dtype.bool_:
        raise NotImplementedError("\"scatter_gather_tensor_cpu_reduce_mean\" not implemented for 'Bool'")
    return run(_scatter_reduce, "ScatterReduceBackward0", input, index, src, axis=axis, reduce=reduce,
               include_self=include_self)


# ---- index_* ------------------------------------------------------------------------------------------------

def _index_axis(input, dim, index, error, message):
    """The wrapped dim, after torch's check that index is a vector or a scalar."""
    if index.ndim > 1:
        raise error(message)
    return wrap_dim(dim, input.ndim)


def _index_select(x, index, *, axis):
    if x.ndim == 0:
        return x
    return jnp.take(x, index.reshape(-1), axis=axis)


def index_select(input, dim, index, *, out=None):
    _require_index_dtype("index_select", index, message="index_select(): Expected dtype int32 or int64 for index")
    axis = _index_axis(input, dim, index, IndexError, "index_select(): Index is supposed to be a vector")
    if _first_outside(index, 0, _size(input, axis)) is not None:
        raise IndexError("index out of range in self")
    from .pointwise import write_out
    return write_out(run(_index_select, "IndexSelectBackward0", input, index, axis=axis), out)


def _index_update(x, index, src, alpha, *, axis, mode):
    """x with src added ('add', scaled by alpha) or written ('copy', or a scalar for 'fill') at index along axis.

    A filled value gets the gradient of each filled position once, even when repeated (as in torch).
    """
    x1, src, index = x.reshape(x.shape or (1,)), jnp.asarray(src).astype(x.dtype), index.reshape(-1)
    if mode == "copy":
        positions = jnp.take(_positions(x1.shape), index, axis)
        return put_at(x1, positions, src.reshape(positions.shape)).reshape(x.shape)
    coords = [slice(None)] * x1.ndim
    coords[axis] = index
    ref = x1.at[tuple(coords)]
    if mode == "fill":
        return ref.set(src).reshape(x.shape)
    src = src.reshape(src.shape or (1,))
    if alpha is not None:
        src = src * jnp.asarray(alpha).astype(x.dtype)
    return (ref.max(src) if x.dtype == np.bool_ else ref.add(src)).reshape(x.shape)


def _check_source(op, input, axis, index, source, error):
    """index_add/index_copy: one source slice per index, matching input's other sizes and dtype."""
    src_size = source.shape[axis] if source.ndim > axis else 1
    if index.numel() != src_size:
        raise error(f"{op}(): Number of indices ({index.numel()}) should be equal to source.size(dim) "
                    f"({src_size})")
    if source.ndim != input.ndim or any(s != t for d, (s, t) in enumerate(zip(source.shape, input.shape))
                                        if d != axis):
        raise RuntimeError(f"source tensor shape must match self tensor shape, excluding the specified dimension. "
                           f"Got self.shape = {list(input.shape)} source.shape = {list(source.shape)}")


def index_add(input, dim, index, source, *, alpha=1):
    """input with alpha * source added at index along dim (repeated indices accumulate)."""
    _require_index_dtype("index_add_", index, message=f"index_add_(): Expected dtype int32/int64 for index but "
                                                      f"got: {dtype_name(index.dtype)}")
    axis = _index_axis(input, dim, index, IndexError, f"index_add_(): Index is supposed to be a vector, but got dim: "
                                                       f"{index.ndim} with type: {dtype_name(index.dtype)} and size: "
                                                       f"{list(index.shape)}")
    _check_source("index_add_", input, axis, index, source, RuntimeError)
    if source.dtype is not input.dtype:
        raise RuntimeError(f"index_add_(): self ({dtype_name(input.dtype)}) and source ({dtype_name(source.dtype)}) "
                           "must have the same scalar type")
    check_bounds(index, _size(input, axis), axis, RuntimeError, negative=False)
    return run(_index_update, "IndexAddBackward0", input, index, source, None if alpha == 1 else alpha, axis=axis,
               mode="add")


def index_copy(input, dim, index, source):
    _require_index_dtype("index_copy_", index, (_dtype.int64,), message=f"index_copy_(): Expected a long tensor for "
                                                                        f"index, but got {dtype_name(index.dtype)}")
    axis = _index_axis(input, dim, index, IndexError, f"index_copy_(): Index should have dimension 1 or 0 (got "
                                                       f"{index.ndim})")
    if source.ndim and input.ndim and source.ndim != input.ndim:
        raise IndexError(f"index_copy_(): When source and destination are not scalars, their dimensionality must "
                         f"match. Source dimensionality ({source.ndim}), destination dimensionality ({input.ndim})")
    _check_source("index_copy_", input, axis, index, source, IndexError)
    if source.dtype is not input.dtype:
        raise RuntimeError(f"index_copy_(): self and source expected to have the same dtype, but got (self) "
                           f"{dtype_name(input.dtype)} and (source) {dtype_name(source.dtype)}")
    bad = _first_outside(index, 0, _size(input, axis))
    if bad is not None:
        raise IndexError(f"index_copy_(): index {bad} is out of bounds for dimension {axis} with size "
                         f"{_size(input, axis)}")
    return run(_index_update, "IndexCopyBackward0", input, index, source, None, axis=axis, mode="copy")


def index_fill(input, dim, index, value):
    """input with value written at index along dim (negative indices count from the end)."""
    _require_index_dtype("index_fill_", index, (_dtype.int64,), IndexError,
                         "index_fill_(): Expected dtype int64 for index.")
    axis = _index_axis(input, dim, index, RuntimeError, "Index has to be a vector/scalar")
    if isinstance(value, Tensor) and value.ndim:
        raise RuntimeError(f"index_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                           f"{value.ndim} dimension(s).")
    check_bounds(index, _size(input, axis), axis)
    name = "IndexFillBackward1" if isinstance(value, Tensor) else "IndexFillBackward0"
    return run(_index_update, name, input, index, value, None, axis=axis, mode="fill")


# ---- masks --------------------------------------------------------------------------------------------------

def _masked_fill(x, mask, value):
    return jnp.where(mask, jnp.asarray(value).astype(x.dtype), x)


def masked_fill(input, mask, value):
    """input with value where mask is True; input and mask broadcast together."""
    if mask.dtype is not _dtype.bool_:
        raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype "
                           f"{dtype_name(mask.dtype).lower()}")
    if isinstance(value, Tensor) and value.ndim:
        raise RuntimeError(f"masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                           f"{value.ndim} dimension(s).")
    check_broadcast(input, mask)
    name = "MaskedFillBackward1" if isinstance(value, Tensor) else "MaskedFillBackward0"
    return run(_masked_fill, name, input, mask, value)


def _masked_select(x, *indices, shape):
    return jnp.broadcast_to(x, shape)[indices]


def masked_select(input, mask):
    """The elements of input (broadcast with mask) where mask is True, as a 1-D tensor."""
    if mask.dtype is not _dtype.bool_:
        raise RuntimeError("masked_select: expected BoolTensor for mask")
    shape = broadcast_shapes(tuple(input.shape), tuple(mask.shape)) or (1,)
    indices = np.nonzero(np.broadcast_to(_host(mask), shape))
    return run(_masked_select, "MaskedSelectBackward0", input, *indices, shape=shape)


def nonzero(input, *, as_tuple=False):
    """Indices of the nonzero elements (a host computation: the result's size depends on the values)."""
    arr = _host(input)
    if as_tuple:
        return tuple(from_array(i.astype(np.int64), device=input.device) for i in np.nonzero(np.atleast_1d(arr)))
    return from_array(np.argwhere(arr).astype(np.int64), device=input.device)


def argwhere(input):
    return nonzero(input)


def _take(x, index):
    return x.reshape(-1)[index]


def take(input, index):
    if index.dtype is not _dtype.int64:
        raise RuntimeError(f"take(): Expected a long tensor for index, but got {dtype_name(index.dtype)}")
    n = input.numel()
    bad = _first_outside(index, -n, n)
    if bad is not None:
        raise IndexError(f"out of range: tried to access index {bad} on a tensor of {n} elements.")
    return run(_take, "TakeBackward0", input, index)


# ---- take_along_dim / put / index_put / masked_scatter ------------------------------------------------------

def _scalar_type(t):
    return legacy_type(t)[len("torch."):-len("Tensor")]


def take_along_dim(input, indices, dim=None):
    """input's values at `indices` along dim, the other dims broadcast together (flattened when dim is None)."""
    if indices.dtype is not _dtype.int64:
        raise RuntimeError(f"torch.take_along_dim(): dtype of indices should be Long but got {_scalar_type(indices)}")
    if dim is None:
        return gather(input.reshape(-1), 0, indices.reshape(-1))
    axis = wrap_dim(dim, input.ndim)
    if input.ndim != indices.ndim:
        raise RuntimeError(f"torch.take_along_dim(): input and indices should have the same number of dimensions, "
                           f"but got {input.ndim} dimensions for input, and {indices.ndim} dimensions for indices")
    common = list(broadcast_shapes(input.shape[:axis] + (1,) + input.shape[axis + 1:],
                                   indices.shape[:axis] + (1,) + indices.shape[axis + 1:]))
    input = input.expand(common[:axis] + [input.shape[axis]] + common[axis + 1:])
    indices = indices.expand(common[:axis] + [indices.shape[axis]] + common[axis + 1:])
    return gather(input, axis, indices)


def _put_values(x, index, source, *, accumulate):
    positions = jnp.where(index < 0, index + x.size, index)
    if accumulate:
        return _added_at(x, positions, source)
    return put_at(x, positions, source.reshape(positions.shape).astype(x.dtype))


def _added_at(x, positions, values):
    """x with values (cast to x's dtype, shaped like positions) added at flat positions; bool adds as logical or."""
    flat, values = x.reshape(-1).at[positions.reshape(-1)], values.reshape(-1).astype(x.dtype)
    return (flat.max(values) if x.dtype == np.bool_ else flat.add(values)).reshape(x.shape)


def _put_op(input, index, source, accumulate):
    _require_index_dtype("put", index, (_dtype.int64,), message="put_(): Expected a long tensor for index, but got "
                                                                f"{_scalar_type(index)}")
    if index.numel() != source.numel():
        raise IndexError(f"put_(): Expected source and index to have the same number of elements, but got "
                         f"source.numel() = {source.numel()}, index.numel() = {index.numel()}")
    n = input.numel()
    bad = _first_outside(index, -n, n)
    if bad is not None:
        raise IndexError(f"out of range: tried to access index {bad} on a tensor of {n} elements.")
    return run(_put_values, "PutBackward0", input, index, source, accumulate=bool(accumulate))


def put(input, index, source, accumulate=False):
    """A copy of input with `source` written (or added) at the flat positions `index`."""
    return _put_op(input, index, source, accumulate)


def put_(input, index, source, accumulate=False):
    input._check_inplace()
    return input._assign(_put_op(input, index, source, accumulate))


def _index_put_values(x, value, *arrays, spec, accumulate):
    if not accumulate:
        return _setitem(x, value, *arrays, spec=spec)
    positions = _index(_positions(x.shape), arrays, spec)
    return _added_at(x, positions, _fit(jnp.asarray(value), positions.shape))


def _index_put_op(input, indices, values, accumulate):
    spec, arrays, _ = parse_index(input, tuple(indices))
    array_shapes = tuple(np.shape(_value(a)) for a in arrays)
    _check_value(input, values, True, None, _indexed_shape(tuple(input.shape), spec, array_shapes))
    return run(_index_put_values, "IndexPutBackward0", input, values, *arrays, spec=spec, accumulate=bool(accumulate))


def index_put(input, indices, values, accumulate=False):
    """A copy of input with values written (or, with accumulate, added) at input[indices]."""
    return _index_put_op(input, indices, values, accumulate)


def index_put_(input, indices, values, accumulate=False):
    input._check_inplace()
    return input._assign(_index_put_op(input, indices, values, accumulate))


def _masked_scatter(x, mask, source):
    mask = jnp.broadcast_to(mask, x.shape).reshape(-1)
    order = jnp.clip(jnp.cumsum(mask) - 1, 0, max(source.size - 1, 0))
    return jnp.where(mask, source.reshape(-1)[order].astype(x.dtype), x.reshape(-1)).reshape(x.shape)


def _masked_scatter_op(input, mask, source):
    if mask.dtype is not _dtype.bool_:
        raise RuntimeError(f"masked_scatter_ only supports boolean masks, but got mask with dtype "
                           f"{dtype_name(mask.dtype)}")
    check_broadcast(input, mask)
    if input.dtype is not source.dtype:
        raise RuntimeError(f"masked_scatter: expected self and source to have same dtypes but got "
                           f"{_scalar_type(input)} and {_scalar_type(source)}")
    if int(np.count_nonzero(np.broadcast_to(_host(mask), tuple(input.shape)))) > source.numel():
        raise RuntimeError("Number of elements of source < number of ones in mask")
    return run(_masked_scatter, "MaskedScatterBackward0", input, mask, source)


def masked_scatter(input, mask, source):
    """A copy of input with source's leading elements written, in order, where mask (broadcast) is True."""
    return _masked_scatter_op(input, mask, source)


def masked_scatter_(input, mask, source):
    input._check_inplace()
    return input._assign(_masked_scatter_op(input, mask, source))
