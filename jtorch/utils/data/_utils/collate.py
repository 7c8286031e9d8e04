"""default_collate / default_convert: samples -> batches, with torch's type rules and extension map.

Batches are built on the host: samples that are CPU tensors (outside autograd), numpy arrays or Python numbers
are stacked with numpy and moved to the device in one transfer per output tensor.
"""
import collections
import collections.abc
import copy
import re

import numpy as np

from ...._ops.creation import as_tensor, from_numpy, tensor
from ...._ops.shape import stack
from ...._tensor import Tensor, from_array
from .... import _dtype

__all__ = ["collate", "default_collate", "default_convert", "default_collate_fn_map", "collate_tensor_fn",
           "collate_numpy_array_fn", "collate_numpy_scalar_fn", "collate_float_fn", "collate_int_fn",
           "collate_str_fn"]

np_str_obj_array_pattern = re.compile(r"[SaUO]")
default_collate_err_msg_format = ("default_collate: batch must contain tensors, numpy arrays, numbers, dicts or "
                                  "lists; found {}")


def _rebuild_like(elem, values):
    """A container of `elem`'s type holding `values` (a dict for mappings, a list for sequences), as torch builds
    it: a copy of a mutable container, the type called on the values otherwise, a plain dict/list if that fails."""
    try:
        if isinstance(elem, collections.abc.MutableMapping):
            clone = copy.copy(elem)
            clone.update(values)
            return clone
        if isinstance(elem, collections.abc.MutableSequence):
            clone = copy.copy(elem)
            for i, value in enumerate(values):
                clone[i] = value
            return clone
        return type(elem)(values)
    except TypeError:
        return dict(values) if isinstance(elem, collections.abc.Mapping) else list(values)


def default_convert(data):
    """Turns numpy arrays and numpy scalars (also inside mappings, namedtuples and sequences) into tensors."""
    if isinstance(data, Tensor):
        return data
    elem_type = type(data)
    if elem_type.__module__ == "numpy" and elem_type.__name__ not in ("str_", "string_"):
        if elem_type.__name__ == "ndarray" and np_str_obj_array_pattern.search(data.dtype.str) is not None:
            return data
        return as_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        return _rebuild_like(data, {key: default_convert(data[key]) for key in data})
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return elem_type(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        return _rebuild_like(data, [default_convert(d) for d in data])
    return data


def collate(batch, *, collate_fn_map=None):
    """Collates `batch` with the function `collate_fn_map` gives for its elements' type (exact type first, then
    the first key the element is an instance of), recursing into mappings, namedtuples and sequences."""
    elem = batch[0]
    elem_type = type(elem)
    if collate_fn_map is not None:
        if elem_type in collate_fn_map:
            return collate_fn_map[elem_type](batch, collate_fn_map=collate_fn_map)
        for collate_type in collate_fn_map:
            if isinstance(elem, collate_type):
                return collate_fn_map[collate_type](batch, collate_fn_map=collate_fn_map)
    if isinstance(elem, collections.abc.Mapping):
        return _rebuild_like(elem, {key: collate([d[key] for d in batch], collate_fn_map=collate_fn_map)
                                    for key in elem})
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):
        return elem_type(*(collate(samples, collate_fn_map=collate_fn_map) for samples in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        elem_size = len(elem)
        if not all(len(e) == elem_size for e in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        collated = [collate(samples, collate_fn_map=collate_fn_map) for samples in zip(*batch)]
        return collated if isinstance(elem, tuple) else _rebuild_like(elem, collated)
    raise TypeError(default_collate_err_msg_format.format(elem_type))


def _stackable_on_host(arrays):
    first = arrays[0]
    return all(a.shape == first.shape and a.dtype == first.dtype for a in arrays)


def collate_tensor_fn(batch, *, collate_fn_map=None):
    """`stack(batch)`. CPU tensors outside autograd are stacked on the host and moved once."""
    if all(t.device.type == "cpu" and not t.requires_grad for t in batch) and _stackable_on_host(batch):
        return from_array(np.stack([np.asarray(t) for t in batch]))
    return stack(batch, 0)


def collate_numpy_array_fn(batch, *, collate_fn_map=None):
    """numpy arrays of one shape and dtype are stacked on the host; others go through tensors as in torch."""
    elem = batch[0]
    if np_str_obj_array_pattern.search(elem.dtype.str) is not None:
        raise TypeError(default_collate_err_msg_format.format(elem.dtype))
    if _stackable_on_host(batch):
        return from_numpy(np.stack(batch))
    return collate([as_tensor(b) for b in batch], collate_fn_map=collate_fn_map)


def collate_numpy_scalar_fn(batch, *, collate_fn_map=None):
    """numpy scalars keep their numpy dtype, as torch.as_tensor gives."""
    return from_numpy(np.asarray(batch))


def collate_float_fn(batch, *, collate_fn_map=None):
    return tensor(batch, dtype=_dtype.float64)


def collate_int_fn(batch, *, collate_fn_map=None):
    return tensor(batch)


def collate_str_fn(batch, *, collate_fn_map=None):
    return batch


default_collate_fn_map = {
    Tensor: collate_tensor_fn,
    np.ndarray: collate_numpy_array_fn,
    (np.bool_, np.number, np.object_): collate_numpy_scalar_fn,
    float: collate_float_fn,
    int: collate_int_fn,
    str: collate_str_fn,
    bytes: collate_str_fn,
}


def default_collate(batch):
    """Stacks a batch of samples: tensors/arrays/numbers -> one tensor with a leading batch dimension (int ->
    int64, float -> float64), str/bytes -> list, mappings/namedtuples/sequences collated per field."""
    return collate(batch, collate_fn_map=default_collate_fn_map)
