"""Functional distances: cosine_similarity and pairwise_distance, each one dispatch of a kernel in
`jtorch._ops.distance`."""
from .. import _dtype
from .._dispatch import run
from .._ops import distance as kernels
from .._ops._common import broadcast_shapes, dtype_name, wrap_dim

__all__ = ["cosine_similarity", "pairwise_distance"]


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """Cosine of the angle between x1 and x2 (broadcast) along dim; each norm is clamped to at least eps
    (its gradient still the unclamped norm's, as torch's)."""
    dtype = _dtype.result_type(x1, x2)
    if not dtype.is_floating_point:
        raise RuntimeError(f"expected common dtype to be floating point, yet common dtype is {dtype_name(dtype)}")
    shape = broadcast_shapes(tuple(x1.shape), tuple(x2.shape))
    axis = wrap_dim(dim, len(shape))
    return run(kernels.cosine_similarity, "SumBackward1", x1, x2, eps, axis=axis, dtype=dtype._np)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """||x1 - x2 + eps||_p over the last dim of the broadcast shape."""
    broadcast_shapes(tuple(x1.shape), tuple(x2.shape))
    return run(kernels.pairwise_distance, "NormBackward1", x1, x2, eps, p=float(p), keepdim=bool(keepdim))
