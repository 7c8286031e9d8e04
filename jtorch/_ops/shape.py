"""Shape ops: view/reshape, squeeze/unsqueeze, transpose/permute, expand/repeat, cat/stack,
split/chunk/unbind, narrow/select, flip, roll, movedim, diagonal and friends.

Each computes its result in one dispatch. The ops that are views in torch also mark
their result as a view of the input's storage (`_viewing`, with the layout torch
gives it), so writes through either are seen by both. Sizes and dims are checked on
the host first, so bad arguments raise torch's exception types and messages.
"""
import math
import operator
import warnings

import jax.numpy as jnp
import numpy as np
from jax import lax

from .. import _dtype, _layout, _storage
from .._dispatch import run
from ..autograd.grad_mode import is_grad_enabled, set_grad_enabled
from .._tensor import Tensor
from ._common import broadcast_shapes, dtype_name, wrap_dim, wrap_dims


# ---- argument helpers ---------------------------------------------------------------------------------------

def size_arg(sizes, op):
    """Sizes given as varargs or as one sequence (tuple, list, Size) -> tuple of ints (negatives kept)."""
    if not sizes:
        raise TypeError(f"{op}() missing 1 required positional arguments: \"size\"")
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
        sizes = sizes[0]
    try:
        return tuple(operator.index(s) for s in sizes)
    except TypeError:
        raise TypeError(f"{op}(): argument 'size' must be tuple of ints, but got {list(sizes)}") from None


def _ints(value):
    """An int or a sequence of ints -> tuple of ints."""
    return (operator.index(value),) if not isinstance(value, (tuple, list)) else tuple(map(operator.index, value))


def _dim_of(input, dim):
    """wrap_dim for ops that have no 0-dim form: torch's IndexError on a 0-dim input."""
    if input.ndim == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    return wrap_dim(dim, input.ndim)


def _check_nonnegative(shape):
    if any(s < 0 for s in shape):
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(shape)}: {list(shape)}")


def legacy_type(t):
    """torch's legacy tensor type name used in error messages (torch.FloatTensor...)."""
    return f"torch.{dtype_name(t.dtype)}Tensor"


def _viewing(out, input, layout_of, *args, creator=None):
    """`out`, computed from input, as a view of input's storage at `layout_of(input's layout, *args)`."""
    return out._as_view_of(input, layout_of(input._layout_in_storage(), *args), creator)


# ---- view / reshape -----------------------------------------------------------------------------------------

def infer_shape(shape, numel, error=None):
    """Resolve one -1 in `shape` for `numel` elements; torch's errors (`error`: the size-mismatch message)."""
    unknown, known = None, 1
    for i, s in enumerate(shape):
        if s == -1:
            if unknown is not None:
                raise RuntimeError("only one dimension can be inferred")
            unknown = i
        elif s >= 0:
            known *= s
        else:
            raise RuntimeError(f"invalid shape dimension {s} at index {i} of shape {list(shape)}")
    if numel == known and unknown is None:
        return tuple(shape)
    if unknown is not None and (numel == known or (known > 0 and numel % known == 0)):
        if known == 0:
            raise RuntimeError(f"cannot reshape tensor of 0 elements into shape {list(shape)} because the "
                               "unspecified dimension size -1 can be any value and is ambiguous")
        return tuple(shape[:unknown]) + (numel // known,) + tuple(shape[unknown + 1:])
    raise RuntimeError(error or f"shape '{list(shape)}' is invalid for input of size {numel}")


def _reshape(x, *, shape):
    return jnp.reshape(x, shape)


def reshape(input, *shape):
    """A view when torch's `view` could give one, else a copy."""
    shape = infer_shape(size_arg(shape, "reshape"), input.numel())
    layout = _layout.viewed(input._layout_in_storage(), shape)
    if layout is None:
        return run(_reshape, "UnsafeViewBackward0", input, shape=shape)
    return run(_reshape, "ViewBackward0", input, shape=shape)._as_view_of(input, layout)


def view(input, *shape):
    """view(*shape) or view(dtype); a dtype view's result is detached, as in torch."""
    if len(shape) == 1 and isinstance(shape[0], _dtype.dtype):
        return _view_dtype(input, shape[0])
    shape = infer_shape(size_arg(shape, "view"), input.numel())
    layout = _layout.viewed(input._layout_in_storage(), shape)
    if layout is None:
        raise RuntimeError("view size is not compatible with input tensor's size and stride (at least one dimension "
                           "spans across two contiguous subspaces). Use .reshape(...) instead.")
    return run(_reshape, "ViewBackward0", input, shape=shape)._as_view_of(input, layout)


def _bitcast(x, *, dtype):
    """x's bytes read as `dtype`; the last dim scales by the ratio of item sizes (bool is read as uint8)."""
    src = x.astype(np.uint8) if x.dtype == np.bool_ else x
    dst = np.dtype(np.uint8) if dtype == np.bool_ else dtype
    if dst.itemsize > src.dtype.itemsize:
        ratio = dst.itemsize // src.dtype.itemsize
        src = src.reshape(src.shape[:-1] + (src.shape[-1] // ratio, ratio))
    out = lax.bitcast_convert_type(src, dst)
    if dst.itemsize < src.dtype.itemsize:
        out = out.reshape(out.shape[:-2] + (-1,))
    return out != 0 if dtype == np.bool_ else out


def _view_dtype(input, dtype):
    src, dst = input.dtype.itemsize, dtype.itemsize
    names = f"{dtype_name(input.dtype)} as {dtype_name(dtype)} (different element sizes)"
    if src != dst:
        if input.ndim == 0:
            raise RuntimeError(f"self.dim() cannot be 0 to view {names}")
        if dst > src and input.shape[-1] % (dst // src):
            raise RuntimeError(f"self.size(-1) must be divisible by {dst // src} to view {names}, but got "
                               f"{input.shape[-1]}")
    return run(_bitcast, "ViewBackward0", input.detach(), dtype=dtype._np)


def view_as(input, other):
    return view(input, other.shape)


def reshape_as(input, other):
    return reshape(input, other.shape)


def flatten(input, start_dim=0, end_dim=-1):
    start, end = wrap_dim(start_dim, input.ndim), wrap_dim(end_dim, input.ndim)
    if start > end:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if input.ndim == 0:
        return reshape(input, 1)
    if start == end:
        return input
    shape = input.shape
    return reshape(input, shape[:start] + (math.prod(shape[start:end + 1]),) + shape[end + 1:])


def unflatten(input, dim, sizes):
    if input.ndim == 0:
        raise RuntimeError(f"unflatten got an unexpected error:\nDimension specified as {dim} but tensor has no "
                           "dimensions")
    dim = wrap_dim(dim, input.ndim)
    sizes = _ints(sizes)
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    sizes = infer_shape(sizes, input.shape[dim], f"unflatten: Provided sizes {list(sizes)} don't multiply up to "
                                                 f"the size of dim {dim} ({input.shape[dim]}) in the input tensor")
    return reshape(input, input.shape[:dim] + sizes + input.shape[dim + 1:])


def squeeze(input, dim=None):
    if dim is None:
        shape = tuple(s for s in input.shape if s != 1)
        name = "SqueezeBackward0"
    else:
        dims = wrap_dims(dim, input.ndim)
        shape = tuple(s for i, s in enumerate(input.shape) if not (i in dims and s == 1))
        name = "SqueezeBackward1" if isinstance(dim, int) else "SqueezeBackward2"
    dropped = tuple(i for i, s in enumerate(input.shape) if s == 1 and (dim is None or i in dims))
    return _viewing(run(_reshape, name, input, shape=shape), input, _layout.squeezed, dropped)


def unsqueeze(input, dim):
    dim = wrap_dim(dim, input.ndim + 1)
    shape = input.shape
    return _viewing(run(_reshape, "UnsqueezeBackward0", input, shape=shape[:dim] + (1,) + shape[dim:]), input,
                    _layout.unsqueezed, dim)


# ---- transpose / permute / movedim --------------------------------------------------------------------------

def _permute(x, *, axes):
    return jnp.transpose(x, axes)


def _permuted(input, name, axes):
    return _viewing(run(_permute, name, input, axes=axes), input, _layout.permuted, axes)


def permute(input, *dims):
    dims = size_arg(dims, "permute")
    if len(dims) != input.ndim:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does not match the "
                           f"length of the desired ordering of dimensions i.e. input.dim() = {input.ndim} is not "
                           f"equal to len(dims) = {len(dims)}")
    axes = tuple(wrap_dim(d, input.ndim) for d in dims)
    if len(set(axes)) != len(axes):
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return _permuted(input, "PermuteBackward0", axes)


def _swapped(ndim, dim0, dim1):
    a, b = wrap_dim(dim0, ndim), wrap_dim(dim1, ndim)
    axes = list(range(ndim))
    if ndim:
        axes[a], axes[b] = axes[b], axes[a]
    return tuple(axes)


def transpose(input, dim0, dim1):
    return _permuted(input, "TransposeBackward0", _swapped(input.ndim, dim0, dim1))


swapaxes = swapdims = transpose


def t(input):
    if input.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {input.ndim}D")
    return _permuted(input, "TBackward0", tuple(reversed(range(input.ndim))))


def adjoint_T(input):
    """Tensor.T: all dims reversed, with torch's deprecation warnings when ndim is not 2."""
    if input.ndim == 0:
        warnings.warn("Tensor.T is deprecated on 0-D tensors. This function is the identity in these cases.",
                      UserWarning, stacklevel=2)
    elif input.ndim != 2:
        warnings.warn("The use of `x.T` on tensors of dimension other than 2 to reverse their shape is deprecated "
                      "and it will throw an error in a future release. Consider `x.mT` to transpose batches of "
                      "matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` to reverse the dimensions of a "
                      "tensor.", UserWarning, stacklevel=2)
    return _permuted(input, "PermuteBackward0", tuple(reversed(range(input.ndim))))


def mT(input):
    """Tensor.mT: the last two dims swapped; the identity (with torch's warning) on a 0-dim tensor."""
    if input.ndim == 0:
        warnings.warn("Tensor.mT is deprecated on 0-D tensors. This function is the identity in these cases.",
                      UserWarning, stacklevel=2)
        return _permuted(input, "AliasBackward0", ())
    if input.ndim < 2:
        raise RuntimeError("tensor.mT is only supported on matrices or batches of matrices. Got 1-D tensor.")
    return transpose(input, -2, -1)


def _unique_dims(dims, ndim, name):
    wrapped = [wrap_dim(d, ndim) for d in dims]
    if len(set(wrapped)) != len(wrapped):
        raise RuntimeError(f"movedim: repeated dim in `{name}` ({list(dims)})")
    return wrapped


def movedim(input, source, destination):
    src, dst = _ints(source), _ints(destination)
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({list(src)} dims) should "
                           f"contain the same number of dims as destination ({list(dst)} dims)")
    n = input.ndim
    src, dst = _unique_dims(src, n, "source"), _unique_dims(dst, n, "destination")
    rest = iter(d for d in range(n) if d not in src)
    moved = dict(zip(dst, src))
    axes = tuple(moved[d] if d in moved else next(rest) for d in range(n))
    return _permuted(input, "PermuteBackward0", axes)


moveaxis = movedim


def contiguous(input, memory_format=None):
    """input itself when contiguous, as in torch; else a contiguous copy."""
    if input.is_contiguous():
        return input
    return run(_reshape, "CloneBackward0", input, shape=tuple(input.shape))


# ---- expand / repeat ----------------------------------------------------------------------------------------

def _broadcast_to(x, *, shape):
    return jnp.broadcast_to(x, shape)


def _expanded_shape(input, sizes):
    if len(sizes) < input.ndim:
        raise RuntimeError(f"expand({legacy_type(input)}{{{list(input.shape)}}}, size={list(sizes)}): the number "
                           f"of sizes provided ({len(sizes)}) must be greater or equal to the number of dimensions "
                           f"in the tensor ({input.ndim})")
    lead = len(sizes) - input.ndim
    shape = list(sizes)
    for i in range(lead):
        if sizes[i] == -1:
            raise RuntimeError(f"The expanded size of the tensor (-1) isn't allowed in a leading, non-existing "
                               f"dimension {i}")
    for i, cur in enumerate(input.shape, lead):
        if sizes[i] == -1:
            shape[i] = cur
        elif cur != 1 and sizes[i] != cur:
            raise RuntimeError(f"The expanded size of the tensor ({sizes[i]}) must match the existing size ({cur}) "
                               f"at non-singleton dimension {i}.  Target sizes: {list(sizes)}.  Tensor sizes: "
                               f"{list(input.shape)}")
    if any(s < 0 for s in shape):
        raise RuntimeError("numel: integer multiplication overflow")
    return tuple(shape)


def expand(input, *sizes):
    shape = _expanded_shape(input, size_arg(sizes, "expand"))
    return _viewing(run(_broadcast_to, "ExpandBackward0", input, shape=shape), input, _layout.expanded, shape)


def expand_as(input, other):
    return expand(input, other.shape)


def broadcast_to(input, size):
    return expand(input, size)


def _broadcast_all(*xs, shape):
    return tuple(jnp.broadcast_to(x, shape) for x in xs)


def broadcast_tensors(*tensors):
    shape = broadcast_shapes(*(t._value.shape for t in tensors))
    return run(_broadcast_all, "ExpandBackward0", *tensors, shape=shape)


def _tile(x, *, reps):
    return jnp.tile(x, reps)


def repeat(input, *sizes):
    reps = size_arg(sizes, "repeat")
    if len(reps) < input.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of dimensions of "
                           "tensor")
    padded = (1,) * (len(reps) - input.ndim) + tuple(input.shape)
    _check_nonnegative(tuple(s * r for s, r in zip(padded, reps)))
    return run(_tile, "RepeatBackward0", input, reps=reps)


def tile(input, dims):
    dims = _ints(dims)
    return repeat(input, (1,) * (input.ndim - len(dims)) + dims)


def _repeat_interleave(x, repeats, *, axis, total):
    if axis is None:
        x, axis = x.reshape(-1), 0
    return jnp.repeat(x, jnp.reshape(repeats, -1), axis=axis, total_repeat_length=total)


def _repeated_indices(repeats, *, total):
    return jnp.repeat(jnp.arange(repeats.shape[0], dtype=repeats.dtype), repeats, total_repeat_length=total)


def _repeat_total(repeats, size, axis, output_size):
    """The output length for a repeats tensor (0-dim or 1-D, int32/int64, non-negative): one host sync."""
    if repeats.dtype not in (_dtype.int32, _dtype.int64):
        raise NotImplementedError(f"\"repeat_interleave_cpu\" not implemented for '{dtype_name(repeats.dtype)}'")
    if repeats.ndim > 1:
        raise RuntimeError("repeats must be 0-dim or 1-dim tensor")
    counts = np.asarray(repeats._value).reshape(-1)
    if counts.size not in (1, size):
        raise RuntimeError(f"repeats must have the same size as input along dim, but got repeats.size(0) = "
                           f"{counts.size} and input.size({axis}) = {size}")
    if (counts < 0).any():
        raise RuntimeError("repeats can not be negative")
    total = int(counts.sum()) * (size if counts.size == 1 else 1)
    if output_size is not None and output_size != total:
        raise RuntimeError("allocated size does not match required size")
    return total


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Each slice of input along dim (of the flattened input when dim is None) repeated `repeats` times.

    `repeat_interleave(repeats)` alone repeats the indices 0..len(repeats)-1.
    """
    if repeats is None:
        if input.ndim != 1:
            raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
        total = _repeat_total(input, input.shape[0], 0, output_size)
        return run(_repeated_indices, "RepeatInterleaveBackward0", input, total=total)
    axis = None if dim is None else _dim_of(input, dim)
    size = input.numel() if axis is None else input.shape[axis]
    if isinstance(repeats, Tensor):
        total = _repeat_total(repeats, size, axis or 0, output_size)
    elif repeats < 0:
        raise RuntimeError("Repeats must be non-negative")
    else:
        total = size * repeats
    name = "IndexSelectBackward0" if isinstance(repeats, Tensor) else "ViewBackward0"
    return run(_repeat_interleave, name, input, repeats, axis=axis, total=total)


# ---- cat / stack --------------------------------------------------------------------------------------------

def _tensor_list(tensors, op):
    """torch's TypeErrors for a cat/stack argument that is not a sequence of Tensors."""
    if isinstance(tensors, Tensor):
        raise TypeError(f"{op}(): argument 'tensors' (position 1) must be tuple of Tensors, not Tensor")
    tensors = list(tensors)
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got {type(t).__name__}")
    return tensors


def _list_dtype(tensors):
    """cat/stack promote all inputs alike: a zero-dim input ranks as a dimensioned one."""
    out = tensors[0].dtype
    for t in tensors[1:]:
        out = _dtype.promote_types(out, t.dtype)
    return out


def _cat(*xs, axis, dtype, shapes, keep):
    return jnp.concatenate([x.reshape(shape).astype(dtype) for x, shape, k in zip(xs, shapes, keep) if k], axis=axis)


def _concatenate(tensors, shapes, dim, out=None):
    """One dispatch concatenating the tensors, each first reshaped to its entry of `shapes`, with torch.cat's
    checks and its legacy rule: 1-D empty inputs are skipped (but still promote)."""
    for i, shape in enumerate(shapes):
        if not shape:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
    keep = tuple(shape != (0,) for shape in shapes)
    kept = [shape for shape, k in zip(shapes, keep) if k]
    if kept:
        axis = wrap_dim(dim, len(kept[0]))
        for i, shape in enumerate(shapes):
            if keep[i]:
                _check_cat_sizes(kept[0], shape, i, axis)
    else:
        axis, keep = 0, (True,) * len(shapes)
    from .pointwise import write_out
    result = run(_cat, "CatBackward0", *tensors, axis=axis, dtype=_list_dtype(tensors)._np, shapes=tuple(shapes),
                 keep=keep)
    return write_out(result, out)


def _check_cat_sizes(ref, shape, i, axis):
    if len(shape) != len(ref):
        raise RuntimeError(f"Tensors must have same number of dimensions: got {len(ref)} and {len(shape)}")
    for d in range(len(ref)):
        if d != axis and shape[d] != ref[d]:
            raise RuntimeError(f"Sizes of tensors must match except in dimension {axis}. Expected size {ref[d]} but "
                               f"got size {shape[d]} for tensor number {i} in the list.")


def cat(tensors, dim=0, *, out=None):
    tensors = _tensor_list(tensors, "cat")
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    return _concatenate(tensors, [tuple(t.shape) for t in tensors], dim, out)


concat = concatenate = cat


def _stack(*xs, axis, dtype):
    return jnp.stack([x.astype(dtype) for x in xs], axis=axis)


def stack(tensors, dim=0, *, out=None):
    tensors = _tensor_list(tensors, "stack")
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    axis = wrap_dim(dim, tensors[0].ndim + 1)
    for i, t in enumerate(tensors[1:], 1):
        if t.shape != tensors[0].shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(tensors[0].shape)} at "
                               f"entry 0 and {list(t.shape)} at entry {i}")
    from .pointwise import write_out
    return write_out(run(_stack, "StackBackward0", *tensors, axis=axis, dtype=_list_dtype(tensors)._np), out)


def _at_least(shape, ndim):
    """numpy's atleast_{1,2,3}d shapes: () -> (1,)*ndim, (n,) -> (1, n)[, 1], (m, n) -> (m, n, 1)."""
    if len(shape) >= ndim:
        return shape
    if not shape:
        return (1,) * ndim
    return ((1,) + shape + (1,))[:ndim] if len(shape) == 1 else shape + (1,)


def _stacked(op, tensors, raised, dim):
    """hstack & co: one concatenation of the tensors, each reshaped to raised(shape), along dim (an int, or a
    function of the first raised shape)."""
    tensors = _tensor_list(tensors, op)
    if not tensors:
        raise RuntimeError(f"{op} expects a non-empty TensorList")
    shapes = [raised(tuple(t.shape)) for t in tensors]
    return _concatenate(tensors, shapes, dim(shapes[0]) if callable(dim) else dim)


def hstack(tensors):
    return _stacked("hstack", tensors, lambda shape: _at_least(shape, 1), lambda shape: 0 if len(shape) == 1 else 1)


def vstack(tensors):
    return _stacked("vstack", tensors, lambda shape: _at_least(shape, 2), 0)


row_stack = vstack


def dstack(tensors):
    return _stacked("dstack", tensors, lambda shape: _at_least(shape, 3), 2)


def column_stack(tensors):
    """hstack of the tensors with 0-dim and 1-D ones as columns."""
    return _stacked("column_stack", tensors, lambda shape: (math.prod(shape), 1) if len(shape) <= 1 else shape, 1)


def _atleast(tensors, ndim):
    """atleast_{1,2,3}d: one tensor gives one tensor; several (or a sequence) give a tuple."""
    single = len(tensors) == 1 and isinstance(tensors[0], Tensor)
    tensors = tuple(tensors[0]) if len(tensors) == 1 and not single else tensors
    out = tuple(t if t.ndim >= ndim else reshape(t, _at_least(tuple(t.shape), ndim)) for t in tensors)
    return out[0] if single else out


def atleast_1d(*tensors):
    return _atleast(tensors, 1)


def atleast_2d(*tensors):
    return _atleast(tensors, 2)


def atleast_3d(*tensors):
    return _atleast(tensors, 3)


# ---- split / chunk / unbind ---------------------------------------------------------------------------------

def _slices(x, *, axis, bounds):
    return tuple(lax.slice_in_dim(x, start, stop, axis=axis) for start, stop in bounds)


def _split_at(input, sizes, axis, name, creator=None):
    """One dispatch cutting input along axis into consecutive pieces of `sizes`, views of input."""
    stops = np.cumsum((0,) + tuple(sizes)).tolist()
    return _pieces(input, axis, tuple(zip(stops, stops[1:])), name, creator)


def _pieces(input, axis, bounds, name, creator=None):
    """input cut along axis at `bounds` ((start, stop) pairs) in one dispatch; each piece a view of input."""
    return tuple(_viewing(piece, input, _layout.sliced, axis, start, stop, 1, creator=creator)
                 for piece, (start, stop) in zip(run(_slices, name, input, axis=axis, bounds=bounds), bounds))


def _split_with_sizes(input, sizes, axis):
    n = input.shape[axis]
    if sum(sizes) != n or any(s < 0 for s in sizes):
        raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's size at "
                           f"dimension {axis}), but got split_sizes={list(sizes)}")
    return _split_at(input, sizes, axis, "SplitWithSizesBackward0", "SplitWithSizes")


def _even_sizes(n, size, count):
    """`count` pieces of `size`, the last one trimmed so they cover exactly n."""
    return [size] * (count - 1) + [n - size * (count - 1)] if count else []


def _split_size(value):
    """split's size argument: an int, a one-element Tensor, or a sequence of ints (TypeError otherwise)."""
    if isinstance(value, Tensor):
        if value.numel() != 1:
            raise TypeError("split_with_sizes(): argument 'split_sizes' (position 2) must be tuple of ints, not "
                            "Tensor")
        return operator.index(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    try:
        return [operator.index(s) for s in value]
    except TypeError:
        raise TypeError(f"split_with_sizes(): argument 'split_sizes' (position 2) must be tuple of ints, not "
                        f"{type(value).__name__}") from None


def split(tensor, split_size_or_sections, dim=0):
    if tensor.ndim == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    axis = wrap_dim(dim, tensor.ndim)
    size = _split_size(split_size_or_sections)
    if isinstance(size, list):
        return _split_with_sizes(tensor, size, axis)
    n = tensor.shape[axis]
    if size < 0:
        raise RuntimeError(f"split expects split_size be non-negative, but got split_size={size}")
    if size == 0 and n:
        raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension size of {n}")
    count = max(-(-n // size), 1) if size else 1
    return _split_at(tensor, _even_sizes(n, size, count), axis, "SplitBackward0", "Split")


def split_with_sizes(input, split_sizes, dim=0):
    if input.ndim == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    return _split_with_sizes(input, [operator.index(s) for s in split_sizes], wrap_dim(dim, input.ndim))


def chunk(input, chunks, dim=0):
    if input.ndim == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    axis = wrap_dim(dim, input.ndim)
    n = input.shape[axis]
    if n == 0:
        return _split_at(input, [0] * chunks, axis, "SplitWithSizesBackward0", "SplitWithSizes")
    return split(input, -(-n // chunks), axis)


def _tensor_split_arg(value):
    """tensor_split's sections (int) or indices (list), from an int, a sequence or a 0-dim / 1-D long Tensor."""
    if isinstance(value, Tensor):
        if value.ndim > 1:
            raise RuntimeError(f"tensor_split expected tensor_indices_or_sections to be a zero-dimensional or "
                               f"one-dimensional tensor, but got a tensor with {value.ndim} dims")
        if value.dtype is not _dtype.int64:
            raise RuntimeError(f"tensor_split expected tensor_indices_or_sections to have dtype of long, but got "
                               f"{dtype_name(value.dtype)}")
        return value.item() if value.ndim == 0 else value.tolist()
    try:
        return _ints(value)[0] if not isinstance(value, (tuple, list)) else list(_ints(value))
    except TypeError:
        raise TypeError(f"tensor_split() received an invalid combination of arguments - got "
                        f"({type(value).__name__})") from None


def _clamped_slice(start, stop, n):
    """torch's slice bounds: negatives count from the end, then clamp to [0, n] with stop >= start."""
    start = min(max(start + n if start < 0 else start, 0), n)
    stop = min(max(stop + n if stop < 0 else stop, 0), n)
    return start, max(stop, start)


def tensor_split(input, indices_or_sections=None, dim=0, *, sections=None, indices=None):
    """tensor_split(sections | indices | tensor, dim); pieces are torch's slices, negative indices included."""
    arg = next((a for a in (indices_or_sections, sections, indices) if a is not None), None)
    if arg is None:
        raise TypeError("tensor_split() missing required argument 'indices_or_sections'")
    if input.ndim == 0:
        raise RuntimeError("tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims")
    arg = _tensor_split_arg(arg)
    axis = wrap_dim(dim, input.ndim)
    n = input.shape[axis]
    if isinstance(arg, list):
        edges = [0] + arg + [n]
        bounds = tuple(_clamped_slice(a, b, n) for a, b in zip(edges, edges[1:]))
        return _pieces(input, axis, bounds, "SliceBackward0")
    if arg <= 0:
        raise RuntimeError(f"number of sections must be larger than 0, got {arg}")
    base, extra = divmod(n, arg)
    return _split_at(input, [base + 1] * extra + [base] * (arg - extra), axis, "SplitWithSizesBackward0")


def _unbind(x, *, axis):
    return tuple(jnp.moveaxis(x, axis, 0))


def unbind(input, dim=0):
    axis = _dim_of(input, dim)
    return tuple(_viewing(out, input, _layout.selected, axis, i, creator="Unbind")
                 for i, out in enumerate(run(_unbind, "UnbindBackward0", input, axis=axis)))


# ---- narrow / select / flip / roll / diagonal ---------------------------------------------------------------

def _int_scalar(value, name):
    if isinstance(value, Tensor) and (value.ndim or value.is_floating_point() or value.is_complex()):
        raise RuntimeError(f"{name} must be an 0-dim integral Tensor.")
    return operator.index(value)


def narrow(input, dim, start, length):
    if input.ndim == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    axis = wrap_dim(dim, input.ndim)
    n = input.shape[axis]
    start = _int_scalar(start, "start")
    if not -n <= start <= n:
        raise IndexError(f"start out of range (expected to be in range of [{-n}, {n}], but got {start})")
    start += n if start < 0 else 0
    if start + length > n:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({n}).")
    out, = _pieces(input, axis, ((start, start + length),), "SliceBackward0")
    return out


def _select(x, *, axis, index):
    return lax.index_in_dim(x, index, axis, keepdims=False)


def select(input, dim, index):
    if input.ndim == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    axis = wrap_dim(dim, input.ndim)
    n = input.shape[axis]
    index = operator.index(index)
    if not -n <= index < n:
        raise IndexError(f"select(): index {index} out of range for tensor of size {list(input.shape)} at "
                         f"dimension {axis}")
    return _viewing(run(_select, "SelectBackward0", input, axis=axis, index=index % n), input, _layout.selected,
                    axis, index % n)


def _flip(x, *, axes):
    return jnp.flip(x, axes)


def flip(input, dims):
    axes = wrap_dims(dims, input.ndim)
    return run(_flip, "FlipBackward0", input, axes=axes if input.ndim else ())


def fliplr(input):
    if input.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return flip(input, (1,))


def flipud(input):
    if input.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return flip(input, (0,))


def _roll(x, *, shifts, axes):
    if not axes:
        return jnp.roll(x.reshape(-1), shifts).reshape(x.shape)
    return jnp.roll(x, shifts, axes)


def roll(input, shifts, dims=None):
    """Rolls along dims (repeated dims roll repeatedly); with no dims, rolls the flattened tensor."""
    shifts = _ints(shifts)
    dims = () if dims is None else _ints(dims)
    if not shifts:
        raise RuntimeError("`shifts` required")
    if dims or len(shifts) != 1:
        if len(shifts) != len(dims):
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:{len(dims)}")
        return run(_roll, "RollBackward0", input, shifts=shifts, axes=tuple(_dim_of(input, d) for d in dims))
    return run(_roll, "RollBackward0", input, shifts=shifts[0], axes=())


def _diagonal(x, *, offset, axis1, axis2):
    return jnp.diagonal(x, offset, axis1, axis2)


def diagonal(input, offset=0, dim1=0, dim2=1):
    axis1, axis2 = wrap_dim(dim1, input.ndim), wrap_dim(dim2, input.ndim)
    if axis1 == axis2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return _viewing(run(_diagonal, "DiagonalBackward0", input, offset=offset, axis1=axis1, axis2=axis2), input,
                    _layout.diagonal, offset, axis1, axis2)


# ---- unfold / as_strided: views by layout alone -------------------------------------------------------------

def _read(x, offset, *, shape, strides):
    return _storage.read_strided(x, offset, shape=shape, strides=strides, components=False)


def unfold(input, dimension, size, step):
    """Tensor.unfold: every window of `size` elements along `dimension`, `step` apart, as a new last dim."""
    axis = wrap_dim(dimension, input.ndim)
    n = input.shape[axis] if input.ndim else 1
    if size > n:
        raise RuntimeError(f"maximum size for tensor at dimension {axis} is {n} but size is {size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    own = _layout.unfolded(_layout.contiguous(input.shape), axis, size, step)
    out = run(_read, "UnfoldBackward0", input, 0, shape=own.shape, strides=own.strides)
    return _viewing(out, input, _layout.unfolded, axis, size, step)


def as_strided(input, size, stride, storage_offset=None):
    """A view of input's storage with the given sizes, strides and offset (default: input's own offset)."""
    size, stride = _ints(size), _ints(stride)
    offset = input.storage_offset() if storage_offset is None else operator.index(storage_offset)
    if len(size) != len(stride):
        raise RuntimeError("mismatch in length of strides and shape")
    if offset < 0:
        raise RuntimeError(f"Tensor: invalid storage offset {offset}")
    root = input._storage_owner()
    needed = 1 + offset + sum((n - 1) * s for n, s in zip(size, stride)) if all(size) else 0
    if needed > root.numel():
        item = input.element_size()
        raise RuntimeError(f"setStorage: sizes {list(size)}, strides {list(stride)}, storage offset {offset}, and "
                           f"itemsize {item} requiring a storage size of {needed * item} are out of bounds for "
                           f"storage of size {root.numel() * item}")
    with set_grad_enabled(is_grad_enabled() and input._view_kind not in ("alias", "no_grad")):
        out = run(_read, "AsStridedBackward0", root, offset, shape=size, strides=stride)
    return out._as_view_of(input, _layout.Layout(size, stride, offset))


# ---- complex parts ------------------------------------------------------------------------------------------

def _component(x, *, part):
    return jnp.real(x) if part == 0 else jnp.imag(x)


def real(input):
    """The real part: a view of a complex input's storage; a real input itself, as in torch."""
    if not input.dtype.is_complex:
        return input
    return _viewing(run(_component, "RealBackward0", input, part=0), input, _layout.component, 0)


def imag(input):
    """The imaginary part: a view of a complex input's storage."""
    if not input.dtype.is_complex:
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
    return _viewing(run(_component, "ImagBackward0", input, part=1), input, _layout.component, 1)


def _as_real(x):
    return jnp.stack([jnp.real(x), jnp.imag(x)], -1)


def _pairs(layout):
    parts = _layout.component(layout, 0)
    return _layout.Layout(parts.shape + (2,), parts.strides + (1,), parts.offset, True)


def view_as_real(input):
    """A complex tensor's storage read as (..., 2) real and imaginary parts: a view."""
    if not input.dtype.is_complex:
        raise RuntimeError("view_as_real is only supported for complex tensors")
    return _viewing(run(_as_real, "ViewAsRealBackward0", input), input, _pairs)


def _as_complex(x):
    return lax.complex(x[..., 0], x[..., 1])


def view_as_complex(input):
    """(..., 2) real and imaginary parts as a complex tensor. Differs from torch: a copy, not a view."""
    if input.dtype not in (_dtype.float32, _dtype.float64):
        raise RuntimeError(f"view_as_complex is only supported for float and double tensors, but got a tensor of "
                           f"scalar type: {dtype_name(input.dtype).capitalize()}")
    if input.ndim == 0 or input.shape[-1] != 2:
        raise RuntimeError("Tensor must have a last dimension of size 2")
    if input.stride(-1) != 1:
        raise RuntimeError("Tensor must have a last dimension with stride 1")
    return run(_as_complex, "ViewAsComplexBackward0", input)


def adjoint(input):
    """The conjugate transpose of the last two dims (a view for real tensors; complex ones are conjugated
    eagerly, see `conj`)."""
    out = transpose(input, -2, -1)
    return out.conj() if input.dtype.is_complex else out


def adjoint_H(input):
    """Tensor.H: the conjugate transpose of a matrix."""
    if input.ndim != 2:
        hint = " For batches of matrices, consider using tensor.mH" if input.ndim > 2 else ""
        raise RuntimeError(f"tensor.H is only supported on matrices (2-D tensors). Got {input.ndim}-D tensor.{hint}")
    return adjoint(input)


def adjoint_mH(input):
    """Tensor.mH: the conjugate transpose of the last two dims."""
    if input.ndim < 2:
        raise RuntimeError(f"tensor.mH is only supported on matrices or batches of matrices. Got {input.ndim}-D "
                           "tensor.")
    return adjoint(input)


# ---- split along a fixed dim, rotations ---------------------------------------------------------------------

def _directional_split(name, axis, least):
    def split_op(input, indices_or_sections):
        if input.ndim < least:
            raise RuntimeError(f"torch.{name} requires a tensor with at least {least} dimension, but got a tensor "
                               f"with {input.ndim} dimensions!")
        dim = 0 if name == "hsplit" and input.ndim == 1 else axis
        if isinstance(indices_or_sections, int) and input.shape[dim] % max(indices_or_sections, 1):
            raise RuntimeError(f"torch.{name} attempted to split along dimension {dim}, but the size of the "
                               f"dimension {input.shape[dim]} is not divisible by the split_size "
                               f"{indices_or_sections}!")
        return tensor_split(input, indices_or_sections, dim)
    split_op.__name__ = name
    split_op.__doc__ = f"torch.{name}: tensor_split along dim {axis}; int sections must divide the dim evenly."
    return split_op


hsplit = _directional_split("hsplit", 1, 1)
vsplit = _directional_split("vsplit", 0, 2)
dsplit = _directional_split("dsplit", 2, 3)


def _plain_views(pieces):
    """Outputs of split/chunk without torch's multi-view in-place check (its unsafe_ variants)."""
    for piece in pieces:
        if piece._view_kind == "multi":
            piece._view_kind = "view"
    return pieces


def unsafe_split(tensor, split_size_or_sections, dim=0):
    return _plain_views(split(tensor, split_size_or_sections, dim))


def unsafe_chunk(input, chunks, dim=0):
    return _plain_views(chunk(input, chunks, dim))


def ravel(input):
    """The flattened tensor: a view when contiguous, else a copy, as torch."""
    return reshape(input, -1)


def rot90(input, k=1, dims=(0, 1)):
    """Rotates by 90 degrees k times in the plane of dims, from the first towards the second."""
    dims = _ints(dims)
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if input.ndim < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {input.ndim}")
    d0, d1 = wrap_dim(dims[0], input.ndim), wrap_dim(dims[1], input.ndim)
    if d0 == d1:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {d0} and dim1 = {d1}")
    k %= 4
    if k == 1:
        return transpose(flip(input, (d1,)), d0, d1).contiguous()
    if k == 2:
        return flip(input, (d0, d1))
    if k == 3:
        return transpose(flip(input, (d0,)), d0, d1).contiguous()
    return input.clone()


# ---- *_scatter: a copy of input with src written where a view would read ------------------------------------

def _write(x, src, offset, *, shape, strides):
    return _storage.write_strided(x, src, offset, shape=shape, strides=strides, components=False)


def _scattered(input, src, layout, name):
    if tuple(src.shape) != tuple(layout.shape):
        raise RuntimeError(f"expected src to have a size equal to the slice of self. src size = {list(src.shape)}, "
                           f"slice size = {list(layout.shape)}")
    return run(_write, name, input, src, layout.offset, shape=layout.shape, strides=layout.strides)


def select_scatter(input, src, dim, index):
    axis = _dim_of(input, dim)
    index = operator.index(index)
    n = input.shape[axis]
    if not -n <= index < n:
        raise IndexError(f"select(): index {index} out of range for tensor of size {list(input.shape)} at "
                         f"dimension {axis}")
    layout = _layout.selected(_layout.contiguous(tuple(input.shape)), axis, index % n)
    return _scattered(input, src, layout, "SelectScatterBackward0")


def slice_scatter(input, src, dim=0, start=None, end=None, step=1):
    axis = _dim_of(input, dim)
    if step <= 0:
        raise RuntimeError("slice step must be positive")
    start, stop, step = slice(start, end, step).indices(input.shape[axis])
    layout = _layout.sliced(_layout.contiguous(tuple(input.shape)), axis, start, max(stop, start), step)
    return _scattered(input, src, layout, "SliceScatterBackward0")


def diagonal_scatter(input, src, offset=0, dim1=0, dim2=1):
    axis1, axis2 = wrap_dim(dim1, input.ndim), wrap_dim(dim2, input.ndim)
    if axis1 == axis2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    layout = _layout.diagonal(_layout.contiguous(tuple(input.shape)), offset, axis1, axis2)
    return _scattered(input, src, layout, "DiagonalScatterBackward0")


def as_strided_scatter(input, src, size, stride, storage_offset=None):
    offset = 0 if storage_offset is None else operator.index(storage_offset)
    layout = _layout.Layout(_ints(size), _ints(stride), offset)
    return _scattered(input, src, layout, "AsStridedScatterBackward0")
