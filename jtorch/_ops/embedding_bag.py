"""Pure jax kernel of embedding_bag: sums, means or maxima of embedding rows over bags given by offsets."""
import jax
import jax.numpy as jnp
from jax import lax

from .nn import _scale_grad


def embedding_bag(w, indices, offsets, per_sample_weights, *, mode, num_bags, padding_idx, scale_grad_by_freq):
    """(num_bags, dim) reductions of the rows of w at the 1-d `indices`; bag b holds positions
    [offsets[b], offsets[b + 1]) (the last bag runs to the end, or to offsets[num_bags] when offsets has one
    more entry). Rows at padding_idx are left out (and not counted by 'mean'); empty bags give zeros. 'max'
    takes per column the first maximal row, where the gradient goes, as torch. scale_grad_by_freq scales the
    gradient as torch's CPU backward does (see _frequency_scale)."""
    if num_bags == 0:
        return jnp.zeros((0, w.shape[1]), w.dtype)
    length = indices.shape[0]
    position = jnp.arange(length)
    bag = jnp.searchsorted(offsets.astype(indices.dtype), position.astype(indices.dtype), side="right") - 1
    valid = bag < num_bags
    if padding_idx is not None:
        valid = valid & (indices != padding_idx)
    rows = jnp.take(w, indices, axis=0, mode="clip")
    if scale_grad_by_freq:
        rows = _scale_grad(rows, _frequency_scale(indices, w.shape[0]))
    if per_sample_weights is not None:
        rows = rows * per_sample_weights[:, None]
    bag = jnp.where(valid, bag, num_bags)
    if mode == "max":
        return _bag_max(rows, valid, bag, num_bags)
    total = jax.ops.segment_sum(jnp.where(valid[:, None], rows, 0), bag, num_segments=num_bags)
    if mode == "sum":
        return total
    count = jax.ops.segment_sum(valid.astype(w.dtype), bag, num_segments=num_bags)
    return total / jnp.maximum(count, 1)[:, None]


def _frequency_scale(indices, num):
    """The gradient scale of each position under scale_grad_by_freq, as torch's CPU embedding_bag backward
    computes it: the k-th smallest distinct index is divided by the count of the k-th smallest index (sorted
    with repeats), which is its own count only when no smaller index repeats."""
    counts = jnp.bincount(indices, length=num)
    ordered = jnp.sort(indices)
    distinct = jnp.cumsum(jnp.concatenate([jnp.ones(1, bool), ordered[1:] != ordered[:-1]])) - 1
    return 1 / counts[ordered[distinct[jnp.searchsorted(ordered, indices)]]]


def _bag_max(rows, valid, bag, num_bags):
    """Per bag and column, the row value at the first position holding the maximum (0 for empty bags)."""
    length = rows.shape[0]
    masked = jnp.where(valid[:, None], lax.stop_gradient(rows), -jnp.inf)
    best = jax.ops.segment_max(masked, bag, num_segments=num_bags)
    position = jnp.broadcast_to(jnp.arange(length)[:, None], rows.shape)
    hit = valid[:, None] & (masked == best[jnp.minimum(bag, num_bags - 1)])
    first = jax.ops.segment_min(jnp.where(hit, position, length), bag, num_segments=num_bags)
    padded = jnp.concatenate([rows, jnp.zeros((1, rows.shape[1]), rows.dtype)])
    return jnp.take_along_axis(padded, jnp.minimum(first, length), axis=0)
