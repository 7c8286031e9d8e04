"""Reading and writing a view's elements in its root's storage: the two kernels behind storage sharing.

A root tensor's value, in C order, is the storage; a view reads the storage elements its `Layout` names
(`read_strided`, an as_strided gather) and a write through it scatters new values there
(`write_strided`). Both are pure jax functions run through `_dispatch.run`, so the read records
`AsStridedBackward0` and the write `CopySlices`, the nodes torch gives them. The layout's shape and
strides are static; its offset is a dynamic argument, so `x[i]` for every i shares one compilation.
"""
import jax
import jax.numpy as jnp
import numpy as np


def static(layout):
    """The static keyword arguments of `read_strided`/`write_strided` for a view of this layout."""
    return {"shape": layout.shape, "strides": layout.strides, "components": layout.components}


def _flat(root, components):
    return (jnp.stack([root.real, root.imag], -1) if components else root).reshape(-1)


def positions(offset, shape, strides):
    """The storage position of every element of a view with this offset, shape and strides."""
    pos = jnp.asarray(offset, np.int64)
    for d, (size, stride) in enumerate(zip(shape, strides)):
        pos = pos + (jnp.arange(size, dtype=np.int64) * stride).reshape((size,) + (1,) * (len(shape) - d - 1))
    return jnp.broadcast_to(pos, shape)


def read_strided(root, offset, *, shape, strides, components):
    return _flat(root, components)[positions(offset, shape, strides)]


@jax.custom_vjp
def put(x, positions, values):
    """x with values (shaped like positions) written at flat positions.

    Gradients as torch's: x gets none where overwritten; each value gets the gradient of every position it
    was written to, repeated positions included (jax's own scatter credits only one of the repeats).
    """
    return x.reshape(-1).at[positions.reshape(-1)].set(values.reshape(-1)).reshape(x.shape)


def _put_fwd(x, positions, values):
    return put(x, positions, values), positions


def _put_bwd(positions, grad):
    flat = grad.reshape(-1)
    return flat.at[positions.reshape(-1)].set(0).reshape(grad.shape), None, flat[positions]


put.defvjp(_put_fwd, _put_bwd)


def write_strided(root, value, offset, *, shape, strides, components):
    """root with `value` written where a view of this layout reads."""
    flat = _flat(root, components)
    flat = put(flat, positions(offset, shape, strides), value.astype(flat.dtype))
    if components:
        pairs = flat.reshape(root.shape + (2,))
        return jax.lax.complex(pairs[..., 0], pairs[..., 1]).astype(root.dtype)
    return flat.reshape(root.shape)


class UntypedStorage:
    """What `Tensor.untyped_storage()` returns: enough to compare storages and read their size.

    Differs from torch: `data_ptr()` is a stand-in address (the owning tensor's id), not device memory.
    """

    def __init__(self, owner):
        self._owner = owner

    def data_ptr(self):
        return id(self._owner)

    def nbytes(self):
        value = self._owner._value
        return value.size * value.dtype.itemsize

    size = nbytes
    __len__ = nbytes

    def element_size(self):
        return 1

    @property
    def device(self):
        return self._owner.device
