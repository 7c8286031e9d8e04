"""Shape ops: view/reshape, squeeze/unsqueeze, transpose/permute, expand/repeat, cat/stack,
split/chunk/unbind, narrow/select, flip, movedim and friends.

Each returns a new tensor computed by one dispatch (storage-sharing views are a
separate concern of the Tensor).
"""
import itertools
import math

import jax.numpy as jnp
from jax import lax

from .. import _dtype
from .._dispatch import run
from .._tensor import Tensor
from ._common import shape_arg, wrap_dim, wrap_dims


def infer_shape(shape, numel):
    """Resolve one -1 in `shape` for a tensor of `numel` elements (torch's errors)."""
    shape = tuple(shape)
    unknown = [i for i, s in enumerate(shape) if s == -1]
    if len(unknown) > 1:
        raise RuntimeError("only one dimension can be inferred")
    for s in shape:
        if s < -1:
            raise RuntimeError(f"invalid shape dimension {s}")
    known = math.prod(s for s in shape if s != -1)
    if unknown:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        shape = shape[:unknown[0]] + (numel // known,) + shape[unknown[0] + 1:]
    elif known != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return shape


def _reshape(x, *, shape):
    return jnp.reshape(x, shape)


def reshape(input, *shape):
    shape = infer_shape(shape_arg(shape) if shape and not isinstance(shape[0], int) else shape, input.numel())
    return run(_reshape, "ViewBackward0", input, shape=shape)


def view(input, *shape):
    if len(shape) == 1 and isinstance(shape[0], _dtype.dtype):
        return _view_dtype(input, shape[0])
    return reshape(input, *shape)


def _bitcast(x, *, dtype):
    return lax.bitcast_convert_type(x, dtype)


def _view_dtype(input, dtype):
    if dtype.itemsize != input.dtype.itemsize:
        raise RuntimeError("jtorch: view(dtype) between dtypes of different sizes is not supported")
    return run(_bitcast, "ViewBackward0", input, dtype=dtype._np)


def view_as(input, other):
    return reshape(input, other.shape)


def reshape_as(input, other):
    return reshape(input, other.shape)


def flatten(input, start_dim=0, end_dim=-1):
    if input.ndim == 0:
        return reshape(input, (1,))
    start, end = wrap_dim(start_dim, input.ndim), wrap_dim(end_dim, input.ndim)
    if start > end:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    shape = input.shape
    return reshape(input, shape[:start] + (math.prod(shape[start:end + 1]),) + shape[end + 1:])


def unflatten(input, dim, sizes):
    dim = wrap_dim(dim, input.ndim)
    sizes = infer_shape(tuple(sizes), input.shape[dim])
    return reshape(input, input.shape[:dim] + sizes + input.shape[dim + 1:])


def squeeze(input, dim=None):
    if dim is None:
        shape = tuple(s for s in input.shape if s != 1)
        name = "SqueezeBackward0"
    else:
        dims = wrap_dims(dim, input.ndim) if input.ndim else ()
        shape = tuple(s for i, s in enumerate(input.shape) if not (i in dims and s == 1))
        name = "SqueezeBackward1" if isinstance(dim, int) else "SqueezeBackward2"
    return run(_reshape, name, input, shape=shape)


def unsqueeze(input, dim):
    dim = wrap_dim(dim, input.ndim + 1)
    shape = input.shape
    return run(_reshape, "UnsqueezeBackward0", input, shape=shape[:dim] + (1,) + shape[dim:])


def _permute(x, *, axes):
    return jnp.transpose(x, axes)


def permute(input, *dims):
    dims = dims[0] if len(dims) == 1 and isinstance(dims[0], (tuple, list)) else dims
    if len(dims) != input.ndim:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does not match the "
                           f"length of the desired ordering of dimensions i.e. input.dim() = {input.ndim} is not "
                           f"equal to len(dims) = {len(dims)}")
    axes = tuple(wrap_dim(d, input.ndim) for d in dims)
    if len(set(axes)) != len(axes):
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return run(_permute, "PermuteBackward0", input, axes=axes)


def transpose(input, dim0, dim1):
    n = input.ndim
    if n == 0:
        wrap_dim(dim0, 0)
        wrap_dim(dim1, 0)
        return run(_permute, "TransposeBackward0", input, axes=())
    axes = list(range(n))
    a, b = wrap_dim(dim0, n), wrap_dim(dim1, n)
    axes[a], axes[b] = axes[b], axes[a]
    return run(_permute, "TransposeBackward0", input, axes=tuple(axes))


swapaxes = swapdims = transpose


def t(input):
    if input.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {input.ndim}D")
    return run(_permute, "TBackward0", input, axes=tuple(reversed(range(input.ndim))))


def adjoint_T(input):
    """Tensor.T: all dims reversed (torch deprecates it for ndim != 2 but still does this)."""
    return run(_permute, "PermuteBackward0", input, axes=tuple(reversed(range(input.ndim))))


def mT(input):
    if input.ndim < 2:
        raise RuntimeError("tensor.mT is only supported on matrices or batches of matrices. Got 1-D tensor.")
    return transpose(input, -2, -1)


def movedim(input, source, destination):
    src = (source,) if isinstance(source, int) else tuple(source)
    dst = (destination,) if isinstance(destination, int) else tuple(destination)
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({list(src)} dims) should "
                           f"contain the same number of dims as destination ({list(dst)} dims)")
    n = input.ndim
    src = [wrap_dim(d, n) for d in src]
    dst = [wrap_dim(d, n) for d in dst]
    order = [d for d in range(n) if d not in src]
    axes = [None] * n
    for s, d in zip(src, dst):
        axes[d] = s
    rest = iter(order)
    axes = tuple(a if a is not None else next(rest) for a in axes)
    return run(_permute, "PermuteBackward0", input, axes=axes)


moveaxis = movedim


def _broadcast_to(x, *, shape):
    return jnp.broadcast_to(x, shape)


def expand(input, *sizes):
    sizes = shape_arg(sizes) if not all(isinstance(s, int) for s in sizes) else tuple(sizes)
    if len(sizes) < input.ndim:
        raise RuntimeError(f"expand(torch.FloatTensor{{{list(input.shape)}}}, size={list(sizes)}): the number of "
                           f"sizes provided ({len(sizes)}) must be greater or equal to the number of dimensions "
                           f"in the tensor ({input.ndim})")
    lead = len(sizes) - input.ndim
    shape = []
    for i, s in enumerate(sizes):
        if i < lead:
            if s < 0:
                raise RuntimeError(f"The expanded size of the tensor ({s}) isn't allowed in a leading, "
                                   "non-existing dimension 0")
            shape.append(s)
            continue
        cur = input.shape[i - lead]
        if s == -1:
            s = cur
        elif cur != 1 and s != cur:
            raise RuntimeError(f"The expanded size of the tensor ({s}) must match the existing size ({cur}) at "
                               f"non-singleton dimension {i}.  Target sizes: {list(sizes)}.  Tensor sizes: "
                               f"{list(input.shape)}")
        shape.append(s)
    return run(_broadcast_to, "ExpandBackward0", input, shape=tuple(shape))


def expand_as(input, other):
    return expand(input, other.shape)


def broadcast_to(input, size):
    return expand(input, size)


def broadcast_tensors(*tensors):
    from ._common import broadcast_shapes
    shape = broadcast_shapes(*(t._value.shape for t in tensors))
    return tuple(expand(t, shape) for t in tensors)


def _tile(x, *, reps):
    return jnp.tile(x, reps)


def repeat(input, *sizes):
    sizes = shape_arg(sizes)
    if len(sizes) < input.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of dimensions of "
                           "tensor")
    return run(_tile, "RepeatBackward0", input, reps=sizes)


def tile(input, dims):
    dims = tuple(dims)
    return repeat(input, (1,) * (input.ndim - len(dims)) + dims)


def _cat(*xs, axis, dtype):
    return jnp.concatenate([x.astype(dtype) for x in xs], axis=axis)


def cat(tensors, dim=0, *, out=None):
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("torch.cat(): expected a non-empty list of Tensors")
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got {type(t).__name__}")
    dtype = _dtype.result_type(*[_Dimmed(t) for t in tensors])
    kept = [t for t in tensors if not (t.ndim == 1 and t.shape[0] == 0)] or tensors[:1]
    ref = kept[0]
    if ref.ndim == 0:
        raise RuntimeError("zero-dimensional tensor (at position 0) cannot be concatenated")
    axis = wrap_dim(dim, ref.ndim)
    for i, t in enumerate(kept):
        if t.ndim != ref.ndim:
            raise RuntimeError(f"Tensors must have same number of dimensions: got {ref.ndim} and {t.ndim}")
        for d in range(ref.ndim):
            if d != axis and t.shape[d] != ref.shape[d]:
                raise RuntimeError(f"Sizes of tensors must match except in dimension {axis}. Expected size "
                                   f"{ref.shape[d]} but got size {t.shape[d]} for tensor number {i} in the list.")
    from .pointwise import write_out
    return write_out(run(_cat, "CatBackward0", *kept, axis=axis, dtype=dtype._np), out)


concat = concatenate = cat


class _Dimmed:
    """cat promotes as if every input had dimensions (zero-dim rank does not apply)."""

    def __init__(self, t):
        self.dtype, self.ndim = t.dtype, 1


def _stack(*xs, axis, dtype):
    return jnp.stack([x.astype(dtype) for x in xs], axis=axis)


def stack(tensors, dim=0, *, out=None):
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    for i, t in enumerate(tensors[1:], 1):
        if t.shape != tensors[0].shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(tensors[0].shape)} at "
                               f"entry 0 and {list(t.shape)} at entry {i}")
    axis = wrap_dim(dim, tensors[0].ndim + 1)
    dtype = _dtype.result_type(*[_Dimmed(t) for t in tensors])
    from .pointwise import write_out
    return write_out(run(_stack, "StackBackward0", *tensors, axis=axis, dtype=dtype._np), out)


def hstack(tensors):
    tensors = [atleast_1d(t) for t in tensors]
    return cat(tensors, 0 if tensors[0].ndim == 1 else 1)


def vstack(tensors):
    return cat([atleast_2d(t) for t in tensors], 0)


row_stack = vstack


def dstack(tensors):
    return cat([atleast_3d(t) for t in tensors], 2)


def column_stack(tensors):
    return hstack([t.reshape(-1, 1) if t.ndim <= 1 else t for t in tensors])


def atleast_1d(t):
    return t.reshape(1) if t.ndim == 0 else t


def atleast_2d(t):
    return t.reshape(1, -1) if t.ndim < 2 else t


def atleast_3d(t):
    if t.ndim == 0:
        return t.reshape(1, 1, 1)
    if t.ndim == 1:
        return t.reshape(1, -1, 1)
    return t.unsqueeze(-1) if t.ndim == 2 else t


def _split(x, *, bounds, axis):
    return tuple(jnp.split(x, bounds, axis=axis))


def _split_sizes(input, sizes, axis, name):
    if sum(sizes) != input.shape[axis] or any(s < 0 for s in sizes):
        raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {input.shape[axis]} (input "
                           f"tensor's size at dimension {axis}), but got split_sizes={list(sizes)}")
    bounds = tuple(itertools.accumulate(sizes[:-1]))
    return run(_split, name, input, bounds=bounds, axis=axis)


def split(tensor, split_size_or_sections, dim=0):
    if tensor.ndim == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    axis = wrap_dim(dim, tensor.ndim)
    n = tensor.shape[axis]
    if isinstance(split_size_or_sections, int):
        size = split_size_or_sections
        if size <= 0 and not (size == 0 and n == 0):
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension size of {n}")
        sizes = [size] * (n // size) + ([n % size] if n % size else []) if size else [0]
        return _split_sizes(tensor, sizes, axis, "SplitBackward0")
    return _split_sizes(tensor, list(split_size_or_sections), axis, "SplitWithSizesBackward0")


def split_with_sizes(input, split_sizes, dim=0):
    return _split_sizes(input, list(split_sizes), wrap_dim(dim, input.ndim), "SplitWithSizesBackward0")


def chunk(input, chunks, dim=0):
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    axis = wrap_dim(dim, input.ndim)
    n = input.shape[axis]
    return split(input, -(-n // chunks) if n else 0, axis)


def tensor_split(input, indices_or_sections, dim=0):
    axis = wrap_dim(dim, input.ndim)
    n = input.shape[axis]
    if isinstance(indices_or_sections, int):
        k = indices_or_sections
        if k <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {k}")
        base, extra = divmod(n, k)
        sizes = [base + 1] * extra + [base] * (k - extra)
    else:
        idx = [min(max(int(i), 0), n) for i in indices_or_sections]
        edges = [0] + idx + [n]
        sizes = [max(b - a, 0) for a, b in zip(edges, edges[1:])]
    return _split_sizes(input, sizes, axis, "SplitWithSizesBackward0")


def _unbind(x, *, axis):
    return tuple(jnp.moveaxis(x, axis, 0))


def unbind(input, dim=0):
    return run(_unbind, "UnbindBackward0", input, axis=wrap_dim(dim, input.ndim))


def _slice(x, *, axis, start, stop, step):
    index = [slice(None)] * x.ndim
    index[axis] = slice(start, stop, step)
    return x[tuple(index)]


def narrow(input, dim, start, length):
    axis = wrap_dim(dim, input.ndim)
    n = input.shape[axis]
    start = int(start)
    if not -n <= start <= n:
        raise IndexError(f"start out of range (expected to be in range of [{-n}, {n}], but got {start})")
    start %= n if n else 1
    if start + length > n:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({n}).")
    return run(_slice, "SliceBackward0", input, axis=axis, start=start, stop=start + length, step=1)


def _select(x, *, axis, index):
    return jnp.take(x, index, axis=axis)


def select(input, dim, index):
    if input.ndim == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    axis = wrap_dim(dim, input.ndim)
    n = input.shape[axis]
    if not -n <= index < n:
        raise IndexError(f"select(): index {index} out of range for tensor of size {list(input.shape)} at "
                         f"dimension {axis}")
    return run(_select, "SelectBackward0", input, axis=axis, index=index % n)


def _flip(x, *, axes):
    return jnp.flip(x, axes)


def flip(input, dims):
    return run(_flip, "FlipBackward0", input, axes=wrap_dims(dims, input.ndim) if input.ndim else ())


def fliplr(input):
    return flip(input, (1,))


def flipud(input):
    return flip(input, (0,))


def _roll(x, *, shifts, axes):
    if axes is None:
        return jnp.roll(x.reshape(-1), shifts).reshape(x.shape)
    return jnp.roll(x, shifts, axes)


def roll(input, shifts, dims=None):
    shifts = (shifts,) if isinstance(shifts, int) else tuple(shifts)
    axes = None if dims is None else tuple(wrap_dim(d, input.ndim) for d in ((dims,) if isinstance(dims, int)
                                                                              else dims))
    return run(_roll, "RollBackward0", input, shifts=shifts if axes is not None else shifts[0], axes=axes)


def _diagonal(x, *, offset, axis1, axis2):
    return jnp.diagonal(x, offset, axis1, axis2)


def diagonal(input, offset=0, dim1=0, dim2=1):
    return run(_diagonal, "DiagonalBackward0", input, offset=offset, axis1=wrap_dim(dim1, input.ndim),
               axis2=wrap_dim(dim2, input.ndim))


def contiguous(input, memory_format=None):
    return input
