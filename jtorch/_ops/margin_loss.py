"""Pure jax kernels of the margin and embedding losses: margin ranking, hinge embedding, cosine embedding,
triplet margin, soft margin, multi-label soft margin, multi-label margin and multi-class margin.

Each computes the whole loss with its reduction; hinges pass the gradient where torch's do (`clamp_min`
at and above 0, the multi-margin losses strictly above 0).
"""
import jax.numpy as jnp
from jax import lax

from .distance import pairwise_distance
from .loss import reduce
from .nn import logsigmoid

_COSINE_EPSILON = 1e-12


def _clamp_min0(z):
    """max(z, 0) as torch's clamp_min: NaN kept, gradient where z >= 0."""
    return jnp.where(z >= 0, z, lax.stop_gradient(jnp.where(z < 0, jnp.zeros((), z.dtype), z)))


def margin_ranking(x1, x2, target, margin, *, reduction):
    """max(0, -target * (x1 - x2) + margin)."""
    return reduce(_clamp_min0(-target * (x1 - x2) + margin), reduction)


def hinge_embedding(x, target, margin, *, reduction):
    """x where target == 1, max(0, margin - x) where target == -1 (other targets: the sum of both)."""
    zero = jnp.zeros((), x.dtype)
    loss = jnp.where(target != 1, _clamp_min0(margin - x), zero) + jnp.where(target != -1, x, zero)
    return reduce(loss, reduction)


def cosine_embedding(x1, x2, target, margin, *, reduction):
    """1 - cos(x1, x2) where target == 1, max(0, cos - margin) where target == -1; cos along the last dim
    with torch's 1e-12 added to each squared magnitude."""
    axis = target.ndim
    dot = jnp.sum(x1 * x2, axis)
    magnitude1 = jnp.sum(x1 * x1, axis) + _COSINE_EPSILON
    magnitude2 = jnp.sum(x2 * x2, axis) + _COSINE_EPSILON
    cos = dot / jnp.sqrt(magnitude1 * magnitude2)
    zero = jnp.zeros((), cos.dtype)
    loss = jnp.where(target == 1, 1 - cos, zero) + jnp.where(target == -1, _clamp_min0(cos - margin), zero)
    return reduce(loss, reduction)


def triplet_margin(anchor, positive, negative, margin, eps, *, p, swap, reduction):
    """max(0, margin + d(anchor, positive) - d(anchor, negative)), d the pairwise p-norm distance; with swap
    the negative distance is the smaller of d(anchor, negative) and d(positive, negative)."""
    def distance(a, b):
        return pairwise_distance(a, b, eps, p=p, keepdim=False)
    far = distance(anchor, negative)
    if swap:
        far = jnp.minimum(far, distance(positive, negative))
    return reduce(_clamp_min0(margin + distance(anchor, positive) - far), reduction)


def soft_margin(x, target, *, reduction):
    """log(1 + exp(-target * x))."""
    return reduce(jnp.log1p(jnp.exp(-x * target)), reduction)


def multilabel_soft_margin(x, target, weight, *, reduction):
    """Binary cross entropy of sigmoid(x) per class, averaged over the last (class) dim."""
    loss = -(target * logsigmoid(x) + (1 - target) * logsigmoid(-x))
    if weight is not None:
        loss = loss * weight
    return reduce(loss.sum(-1) / x.shape[-1], reduction)


def multilabel_margin(x, target, *, reduction):
    """sum over targets j and non-targets i of max(0, 1 - (x[j] - x[i])) / C; the targets of a row are its
    entries before the first -1."""
    listed = jnp.cumprod(target != -1, axis=-1).astype(bool)
    classes = jnp.arange(x.shape[-1])
    is_target = jnp.any(listed[..., :, None] & (target[..., :, None] == classes), axis=-2)
    at_target = jnp.take_along_axis(x, jnp.maximum(target, 0), axis=-1)
    z = 1 - at_target[..., :, None] + x[..., None, :]
    counted = listed[..., :, None] & ~is_target[..., None, :] & (z > 0)
    loss = jnp.sum(jnp.where(counted, z, 0), axis=(-2, -1)) / x.shape[-1]
    return reduce(loss, reduction)


def multi_margin(x, target, weight, margin, *, p, reduction):
    """sum over classes i != target of max(0, margin - x[target] + x[i])^p (times weight[target]) / C."""
    target = target.reshape(x.shape[:-1])
    at_target = jnp.take_along_axis(x, target[..., None], axis=-1)
    z = margin - at_target + x
    counted = (jnp.arange(x.shape[-1]) != target[..., None]) & (z > 0)
    hinge = z if p == 1 else z * z
    if weight is not None:
        hinge = hinge * weight[target][..., None]
    return reduce(jnp.sum(jnp.where(counted, hinge, 0), axis=-1) / x.shape[-1], reduction)
