"""Strided-layout arithmetic: the sizes, strides and storage offset torch gives each view.

A view's `Layout` says which elements of its root's storage (the root's value in C order) it reads:
element `i` of the view is storage element `offset + sum(i[d] * strides[d])`. It decides whether `view`
is legal, whether `reshape` aliases or copies, where writes through the view land, and what `stride()`,
`storage_offset()`, `is_contiguous()` and `data_ptr()` report. A layout with `components` set counts in
real numbers inside a complex storage (the layouts of `real` and `imag`).
"""
import functools
import math
from typing import NamedTuple


class Layout(NamedTuple):
    shape: tuple
    strides: tuple
    offset: int = 0
    components: bool = False


def _with(layout, shape, strides, offset=None):
    return Layout(shape, strides, layout.offset if offset is None else offset, layout.components)


def contiguous_strides(shape):
    strides = []
    acc = 1
    for size in reversed(shape):
        strides.append(acc)
        acc *= max(size, 1)
    return tuple(reversed(strides))


@functools.lru_cache(maxsize=4096)
def contiguous(shape):
    """The layout of a tensor that owns its storage (shape: a tuple)."""
    return Layout(tuple(shape), contiguous_strides(shape))


def is_contiguous(layout):
    """torch's rule: dims of size 1 may have any stride; empty tensors are contiguous."""
    if math.prod(layout.shape) == 0:
        return True
    expected = 1
    for size, stride in zip(reversed(layout.shape), reversed(layout.strides)):
        if size != 1:
            if stride != expected:
                return False
            expected *= size
    return True


def memory_order(layout):
    """The dims from outermost to innermost in memory when the layout is dense and non-overlapping (what torch's
    `empty_like` copies), else None."""
    order = sorted(range(len(layout.shape)), key=lambda d: -layout.strides[d])
    expected = 1
    for d in reversed(order):
        if layout.shape[d] != 1 and layout.strides[d] != expected:
            return None
        expected *= layout.shape[d]
    return tuple(order)


def overlaps(layout):
    """Whether two elements surely share memory (torch refuses writes then): a stride-0 dim of size > 1."""
    return any(stride == 0 and size > 1 for size, stride in zip(layout.shape, layout.strides))


@functools.lru_cache(maxsize=4096)
def viewed(layout, new_shape):
    """`new_shape` viewing the layout's elements in the same order, or None when torch's `view` would refuse."""
    shape, strides = layout.shape, layout.strides
    new_shape = tuple(new_shape)
    if math.prod(shape) == 0:
        new = strides if shape == new_shape else contiguous_strides(new_shape)
        return _with(layout, shape=new_shape, strides=tuple(new))
    if not shape:
        return _with(layout, shape=new_shape, strides=(1,) * len(new_shape))
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
    return _with(layout, shape=new_shape, strides=tuple(new_strides)) if view_d == -1 else None


@functools.lru_cache(maxsize=4096)
def permuted(layout, axes):
    return _with(layout, shape=tuple(layout.shape[a] for a in axes), strides=tuple(layout.strides[a] for a in axes))


def sliced(layout, axis, start, stop, step):
    """x[..., start:stop:step, ...] along `axis` (start and stop already clamped, step > 0)."""
    size = max(0, -(-(stop - start) // step))
    shape, strides = layout.shape, layout.strides
    return _with(layout, shape=shape[:axis] + (size,) + shape[axis + 1:],
                           strides=strides[:axis] + (strides[axis] * step,) + strides[axis + 1:],
                           offset=layout.offset + start * strides[axis])


def selected(layout, axis, index):
    shape, strides = layout.shape, layout.strides
    return _with(layout, shape=shape[:axis] + shape[axis + 1:], strides=strides[:axis] + strides[axis + 1:],
                           offset=layout.offset + index * strides[axis])


def unsqueezed(layout, axis):
    shape, strides = layout.shape, layout.strides
    stride = 1 if axis >= len(shape) else shape[axis] * strides[axis]
    return _with(layout, shape=shape[:axis] + (1,) + shape[axis:], strides=strides[:axis] + (stride,) + strides[axis:])


def squeezed(layout, axes):
    keep = [d for d in range(len(layout.shape)) if d not in axes]
    return _with(layout, shape=tuple(layout.shape[d] for d in keep), strides=tuple(layout.strides[d] for d in keep))


def expanded(layout, new_shape):
    lead = len(new_shape) - len(layout.shape)
    strides = [0] * lead
    for size, stride, new in zip(layout.shape, layout.strides, new_shape[lead:]):
        strides.append(stride if size == new else 0)
    return _with(layout, shape=tuple(new_shape), strides=tuple(strides))


def diagonal(layout, diag_offset, axis1, axis2):
    shape, strides, offset = layout.shape, layout.strides, layout.offset
    if diag_offset >= 0:
        size = max(0, min(shape[axis1], shape[axis2] - diag_offset))
        offset += diag_offset * strides[axis2] if size else 0
    else:
        size = max(0, min(shape[axis1] + diag_offset, shape[axis2]))
        offset -= diag_offset * strides[axis1] if size else 0
    keep = [d for d in range(len(shape)) if d not in (axis1, axis2)]
    return _with(layout, shape=tuple(shape[d] for d in keep) + (size,),
                           strides=tuple(strides[d] for d in keep) + (strides[axis1] + strides[axis2],),
                           offset=offset)


def unfolded(layout, axis, size, step):
    shape, strides = layout.shape, layout.strides
    if not shape:
        return _with(layout, shape=(size,), strides=(1,))
    count = (shape[axis] - size) // step + 1
    return _with(layout, shape=shape[:axis] + (count,) + shape[axis + 1:] + (size,),
                           strides=strides[:axis] + (strides[axis] * step,) + strides[axis + 1:] + (strides[axis],))


def component(layout, part):
    """The real (part 0) or imaginary (part 1) numbers of a complex layout, counted in reals."""
    return Layout(layout.shape, tuple(2 * s for s in layout.strides), 2 * layout.offset + part, True)
