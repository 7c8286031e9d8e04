"""Strided-layout bookkeeping: the strides and storage offset torch would give each view.

jtorch values are logical jax arrays, so strides are metadata only: they decide whether `view` is
legal, whether `reshape` aliases or copies, and what `stride()`, `storage_offset()`,
`is_contiguous()` and `data_ptr()` report.
"""
import math


def contiguous_strides(shape):
    strides = []
    acc = 1
    for size in reversed(shape):
        strides.append(acc)
        acc *= max(size, 1)
    return tuple(reversed(strides))


def is_contiguous(shape, strides):
    """torch's rule: dims of size 1 may have any stride; empty tensors are contiguous."""
    if math.prod(shape) == 0:
        return True
    expected = 1
    for size, stride in zip(reversed(shape), reversed(strides)):
        if size != 1:
            if stride != expected:
                return False
            expected *= size
    return True


def view_strides(shape, strides, new_shape):
    """Strides of `new_shape` viewing a (shape, strides) layout, or None when no view exists."""
    if math.prod(shape) == 0:
        return tuple(strides) if tuple(shape) == tuple(new_shape) else contiguous_strides(new_shape)
    if not shape:
        return (1,) * len(new_shape)
    new_strides = [0] * len(new_shape)
    view_d = len(new_shape) - 1
    chunk_stride = strides[-1]
    chunk_numel = view_numel = 1
    for d in range(len(shape) - 1, -1, -1):
        chunk_numel *= shape[d]
        chunk_ends = d == 0 or (shape[d - 1] != 1 and strides[d - 1] != chunk_numel * chunk_stride)
        if not chunk_ends:
            continue
        while view_d >= 0 and (view_numel < chunk_numel or new_shape[view_d] == 1):
            new_strides[view_d] = view_numel * chunk_stride
            view_numel *= new_shape[view_d]
            view_d -= 1
        if view_numel != chunk_numel:
            return None
        if d > 0:
            chunk_stride = strides[d - 1]
            chunk_numel = view_numel = 1
    return tuple(new_strides) if view_d == -1 else None


def permuted(strides, axes):
    return tuple(strides[a] for a in axes)


def sliced(shape, strides, offset, axis, start, stop, step):
    """Layout of x[..., start:stop:step, ...] along `axis` (start/stop already clamped, step > 0)."""
    size = max(0, -(-(stop - start) // step))
    new_shape = shape[:axis] + (size,) + shape[axis + 1:]
    new_strides = strides[:axis] + (strides[axis] * step,) + strides[axis + 1:]
    return new_shape, new_strides, offset + start * strides[axis]


def selected(shape, strides, offset, axis, index):
    return shape[:axis] + shape[axis + 1:], strides[:axis] + strides[axis + 1:], offset + index * strides[axis]


def unsqueezed(shape, strides, axis):
    stride = 1 if axis >= len(shape) else shape[axis] * strides[axis]
    return shape[:axis] + (1,) + shape[axis:], strides[:axis] + (stride,) + strides[axis:]


def expanded(shape, strides, new_shape):
    lead = len(new_shape) - len(shape)
    out = [0] * lead
    for size, stride, new in zip(shape, strides, new_shape[lead:]):
        out.append(stride if size == new else 0)
    return tuple(out)


def diagonal(shape, strides, offset, diag_offset, axis1, axis2):
    if diag_offset >= 0:
        size = max(0, min(shape[axis1], shape[axis2] - diag_offset))
        offset += diag_offset * strides[axis2] if size else 0
    else:
        size = max(0, min(shape[axis1] + diag_offset, shape[axis2]))
        offset -= diag_offset * strides[axis1] if size else 0
    keep = [d for d in range(len(shape)) if d not in (axis1, axis2)]
    return (tuple(shape[d] for d in keep) + (size,), tuple(strides[d] for d in keep) +
            (strides[axis1] + strides[axis2],), offset)


def unfolded(shape, strides, axis, size, step):
    count = (shape[axis] - size) // step + 1 if shape else 1
    if not shape:
        return (size,), (1,)
    return (shape[:axis] + (count,) + shape[axis + 1:] + (size,),
            strides[:axis] + (strides[axis] * step,) + strides[axis + 1:] + (strides[axis],))
