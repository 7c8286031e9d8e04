"""Pure jax kernels of the normalization layers beyond batch and layer norm: group, instance, RMS and local
response normalization."""
import jax.numpy as jnp
from jax import lax

from .nn import _channel_view, batch_norm_eval, batch_norm_train


def group_norm(x, w, b, *, groups, eps):
    """x (N, C, *) normalised over each group of C / groups channels and the spatial dims (biased variance),
    then scaled and shifted per channel."""
    grouped = x.reshape(x.shape[0], groups, -1)
    mean = jnp.mean(grouped, axis=2, keepdims=True)
    var = jnp.mean(jnp.square(grouped - mean), axis=2, keepdims=True)
    out = ((grouped - mean) * lax.rsqrt(var + eps)).reshape(x.shape)
    if w is not None:
        out = out * _channel_view(w, x.ndim)
    return out if b is None else out + _channel_view(b, x.ndim)


def _per_instance(v, n):
    return None if v is None else jnp.tile(v, n)


def instance_norm(x, running_mean, running_var, w, b, momentum, *, eps, use_input_stats):
    """Batch norm of x (N, C, *) viewed as (1, N * C, *), as torch computes instance norm; with running stats
    and input statistics, also returns the new running stats (the batch average of the per-instance updates)."""
    n, c = x.shape[:2]
    flat = x.reshape((1, n * c) + x.shape[2:])
    stats = (_per_instance(running_mean, n), _per_instance(running_var, n))
    affine = (_per_instance(w, n), _per_instance(b, n))
    if not use_input_stats:
        return batch_norm_eval(flat, *stats, *affine, eps=eps).reshape(x.shape)
    if running_mean is None:
        return batch_norm_train(flat, None, None, *affine, momentum, eps=eps).reshape(x.shape)
    out, new_mean, new_var = batch_norm_train(flat, *stats, *affine, momentum, eps=eps)
    return out.reshape(x.shape), new_mean.reshape(n, c).mean(0), new_var.reshape(n, c).mean(0)


def rms_norm(x, w, *, dims, eps):
    """x * rsqrt(mean(x^2 over the trailing `dims` dims) + eps) * w, computed in float for reduced floats."""
    compute = jnp.promote_types(x.dtype, jnp.float32)
    xc = x.astype(compute)
    axes = tuple(range(x.ndim - dims, x.ndim))
    out = (xc * lax.rsqrt(jnp.mean(xc * xc, axis=axes, keepdims=True) + eps)).astype(x.dtype)
    return out if w is None else out * w


def local_response_norm(x, *, size, alpha, beta, k):
    """x / (k + alpha * mean of x^2 over a window of `size` channels)^beta; the window is zero-padded by
    size // 2 before and (size - 1) // 2 after, and always divided by size (torch's avg_pool form)."""
    squares = x * x
    widths = [(0, 0)] * x.ndim
    widths[1] = (size // 2, (size - 1) // 2)
    padded = jnp.pad(squares, widths)
    channels = x.shape[1]
    window = sum(lax.slice_in_dim(padded, i, i + channels, axis=1) for i in range(size))
    return x / (window / size * alpha + k) ** beta
