"""Pure jax kernels of the distance functions: cosine similarity and pairwise (p-norm) distance, with torch's
norm gradients (zero at a zero norm)."""
import jax.numpy as jnp
from jax import lax

from .reduction import _vector_norm


def _clamped_norm(x, eps, axis):
    """max(||x||_2 along axis, eps) whose gradient is the unclamped norm's (torch clamps under no_grad)."""
    norm = _vector_norm(x, p=2, axes=(axis,), keepdim=True, dtype=x.dtype)
    return lax.stop_gradient(jnp.maximum(norm, eps)) + (norm - lax.stop_gradient(norm))


def cosine_similarity(x1, x2, eps, *, axis, dtype):
    """sum((x1 / max(||x1||, eps)) * (x2 / max(||x2||, eps))) along axis, after broadcasting x1 and x2."""
    x1, x2 = jnp.broadcast_arrays(x1.astype(dtype), x2.astype(dtype))
    if x1.ndim == 0:
        x1, x2 = x1.reshape(1), x2.reshape(1)
    return jnp.sum((x1 / _clamped_norm(x1, eps, axis)) * (x2 / _clamped_norm(x2, eps, axis)), axis=axis)


def pairwise_distance(x1, x2, eps, *, p, keepdim):
    """||x1 - x2 + eps||_p over the last dim of the broadcast shape (a 0-dim difference is one element)."""
    diff = x1 - x2 + eps
    if diff.ndim == 0:
        return _vector_norm(diff.reshape(1), p=p, axes=(0,), keepdim=False, dtype=diff.dtype)
    return _vector_norm(diff, p=p, axes=(diff.ndim - 1,), keepdim=keepdim, dtype=diff.dtype)
