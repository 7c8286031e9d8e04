"""More functional layers: the 3-d pools and transposed convolution, max_unpool, channel_shuffle, pdist and
linear_cross_entropy.

They reuse the n-d machinery of `_functional_layers` (one kernel per call).
"""
import math

import jax.numpy as jnp
from jax import lax

from .._dispatch import run
from ._functional_losses import cross_entropy
from ._functional_layers import (_adaptive_avg, _adaptive_max, _adaptive_plans, _avg_pool, _check_float,
                                 _check_pool_input, _conv_transpose, _max_pool, _tuple)

__all__ = ["adaptive_avg_pool3d", "adaptive_max_pool3d", "adaptive_max_pool3d_with_indices", "avg_pool3d",
           "linear_cross_entropy",
           "channel_shuffle", "conv_transpose3d", "max_pool3d", "max_pool3d_with_indices", "max_unpool1d",
           "max_unpool2d", "max_unpool3d", "pdist"]


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """input (N, C_in, D, H, W) or (C_in, D, H, W), weight (C_in, C_out / groups, kD, kH, kW)."""
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups, dilation, 3)


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """(N, C, D, H, W) or (C, D, H, W); indices are flat D*H*W positions, as torch's."""
    return _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, 3,
                     "MaxPool3DWithIndicesBackward0")


def max_pool3d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=False):
    return max_pool3d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    _check_pool_input(input, 3)
    return _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, 3,
                     "AvgPool3DBackward0")


def adaptive_avg_pool3d(input, output_size):
    _check_float(input, "adaptive_avg_pool3d_cpu")
    return _adaptive_avg(input, _adaptive_plans(input, output_size, 3, "adaptive_avg_pool3d"),
                         "AdaptiveAvgPool3DBackward0")


def adaptive_max_pool3d(input, output_size, return_indices=False):
    return _adaptive_max(input, output_size, return_indices, 3, "AdaptiveMaxPool3DBackward0")


def adaptive_max_pool3d_with_indices(input, output_size, return_indices=False):
    return adaptive_max_pool3d(input, output_size, True)


def _channel_shuffle(x, *, groups):
    n, c = x.shape[:2]
    rest = x.shape[2:]
    return x.reshape((n, groups, c // groups) + rest).swapaxes(1, 2).reshape(x.shape)


def channel_shuffle(input, groups):
    if groups <= 0:
        raise RuntimeError(f"Number of groups to divide channels in must be positive. Value of groups:{groups}")
    if input.shape[1] % groups:
        raise RuntimeError(f"Number of channels must be divisible by groups. Got {input.shape[1]} channels and "
                           f"{groups} groups.")
    return run(_channel_shuffle, "ChannelShuffleBackward0", input, groups=int(groups))


def _pdist(x, *, p):
    i, j = jnp.triu_indices(x.shape[0], 1)
    diff = jnp.abs(x[i] - x[j])
    if p == 0:
        return jnp.sum(diff != 0, axis=-1).astype(x.dtype)
    if p == float("inf"):
        return jnp.max(diff, axis=-1, initial=0)
    safe = jnp.where(diff == 0, 1, diff)
    total = jnp.sum(jnp.where(diff == 0, 0, safe ** p), axis=-1)
    return jnp.where(total == 0, 0, jnp.where(total == 0, 1, total) ** (1 / p))


def pdist(input, p=2):
    """The p-norm distances between the rows of a 2-D input, in row-pair order (i < j)."""
    if input.ndim != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.ndim}D")
    if p < 0:
        raise RuntimeError("pdist only supports non-negative p values")
    return run(_pdist, "PdistBackward0", input, p=float(p))


def _max_unpool(x, idx, *, spatial):
    lead = x.shape[:x.ndim - len(spatial)]
    rows = math.prod(lead)
    values, flat = x.reshape(rows, -1), idx.reshape(rows, -1)
    at = jnp.zeros((rows, math.prod(spatial)), x.dtype).at[jnp.arange(rows)[:, None], flat]
    # set the values; the added zero routes every input its position's gradient, duplicates included, as torch's
    out = at.set(lax.stop_gradient(values)) + at.add(values - lax.stop_gradient(values))
    return out.reshape(lead + spatial)


def _unpool(input, indices, kernel_size, stride, padding, output_size, nd):
    kernel = _tuple(kernel_size, nd)
    stride = kernel if stride is None else _tuple(stride, nd)
    padding = _tuple(padding, nd)
    if output_size is None:
        spatial = tuple((n - 1) * s - 2 * p + k for n, s, p, k in zip(input.shape[-nd:], stride, padding, kernel))
    else:
        spatial = tuple(int(n) for n in tuple(output_size)[-nd:])
    if tuple(indices.shape) != tuple(input.shape):
        raise RuntimeError(f"Expected shape of indices to be same as that of the input tensor "
                           f"({list(input.shape)}) but got indices tensor with shape: {list(indices.shape)}")
    return run(_max_unpool, f"MaxUnpool{nd}DBackward0", input, indices, spatial=spatial)


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Scatters input into zeros at the flat positions `indices` (max_pool1d's); duplicates keep one value."""
    return _unpool(input, indices, kernel_size, stride, padding, output_size, 1)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    return _unpool(input, indices, kernel_size, stride, padding, output_size, 2)


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    return _unpool(input, indices, kernel_size, stride, padding, output_size, 3)


def linear_cross_entropy(input, linear_weight, target, *, linear_bias=None, weight=None, reduction="mean",
                         ignore_index=None, label_smoothing=0.0, options=None):
    """cross_entropy(linear(input, linear_weight) + linear_bias, target); a weight of shape (C, d_1..d_K, in)
    gives K-dimensional logits. Differs from torch: `options` (chunking) is accepted and ignored."""
    classes = tuple(linear_weight.shape[:-1])
    logits = input.matmul(linear_weight.reshape(-1, linear_weight.shape[-1]).mT)
    logits = logits.reshape(tuple(input.shape[:-1]) + classes)
    if linear_bias is not None:
        logits = logits + linear_bias
    return cross_entropy(logits, target, weight, ignore_index=-100 if ignore_index is None else ignore_index,
                         reduction=reduction, label_smoothing=label_smoothing)
