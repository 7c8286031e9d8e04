"""Channel-wise and alpha dropout: dropout1d/2d/3d, alpha_dropout and feature_alpha_dropout.

The noise comes from jtorch's generator with torch's CPU stream, as in F.dropout: one `bernoulli_(1 - p)` draw
per element of the noise tensor, which has input's shape (alpha_dropout) or (N, C, 1, ...) (the feature
variants), so the same seed drops the same elements or channels as torch (see `jtorch.random`).
"""
import math
import warnings

from .. import random as _random
from .._dispatch import run
from .._ops import nn as kernels
from ._functional_layers import _inplace

__all__ = ["dropout1d", "dropout2d", "dropout3d", "alpha_dropout", "feature_alpha_dropout"]

_SELU_ALPHA = 1.7580993408473766  # -SELU's negative saturation value, torch's constant


def _check_p(p):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _noise_shape(input, feature, batched):
    """The shape of torch's noise tensor: input's, or (N, C, 1, ...) for feature dropout ((C, 1, ...) for an
    unbatched input, which torch treats as a batch of one)."""
    if not feature:
        return tuple(input.shape)
    if not batched:
        return (input.shape[0],) + (1,) * (input.ndim - 1)
    if input.ndim < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    return tuple(input.shape[:2]) + (1,) * (input.ndim - 2)


def _warn_unexpected_rank(name, ndim, spatial_dims):
    """torch's deprecation warning, at the caller of `name`, for an input that is not (N, C, *spatial) or
    (C, *spatial)."""
    warnings.warn(f"{name}: Received a {ndim}-D input to {name}, which is deprecated and will result in an error "
                  "in a future release. To retain the behavior and silence this warning, please use dropout instead. "
                  f"Note that {name} exists to provide channel-wise dropout on inputs with {spatial_dims} spatial "
                  "dimensions, a channel dimension, and an optional batch dimension (i.e. "
                  f"{spatial_dims + 1}D or {spatial_dims + 2}D inputs).", stacklevel=3)


def _dropout(input, p, training, inplace, feature, alpha, batched=True):
    """torch's _dropout_impl: identity when not training, p == 0 or input is empty; zero when p == 1."""
    if not training or p == 0 or input.numel() == 0:
        return input
    keep = _random.dropout_mask(_noise_shape(input, feature, batched), p)
    if p == 1 or not alpha:
        scale = _random.dropout_scale(p, input.dtype)
        return _inplace(input, run(kernels.dropout, "MulBackward0", input, keep, scale), inplace)
    a = 1.0 / math.sqrt((_SELU_ALPHA * _SELU_ALPHA * p + 1) * (1 - p))
    result = run(kernels.alpha_dropout, "AddBackward0", input, keep, a, _SELU_ALPHA * a, _SELU_ALPHA * a * p)
    return _inplace(input, result, inplace)


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Zeroes whole channels of (N, C, L) or (C, L) with probability p, scaling the rest by 1 / (1 - p)."""
    _check_p(p)
    if input.ndim not in (2, 3):
        raise RuntimeError(f"dropout1d: Expected 2D or 3D input, but received a {input.ndim}D input. Note that "
                           "dropout1d exists to provide channel-wise dropout on inputs with 1 spatial dimension, a "
                           "channel dimension, and an optional batch dimension (i.e. 2D or 3D inputs).")
    return _dropout(input, p, training, inplace, True, False, batched=input.ndim == 3)


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Zeroes whole channels of (N, C, H, W) with probability p; a 3-dim input is read as (N, C, L), with
    torch's warnings."""
    _check_p(p)
    if input.ndim not in (3, 4):
        _warn_unexpected_rank("dropout2d", input.ndim, 2)
    if input.ndim == 3:
        warnings.warn("dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout "
                      "behavior is desired - input is interpreted as shape (N, C, L), where C is the channel dim. "
                      "This behavior will change in a future release to interpret the input as one without a batch "
                      "dimension, i.e. shape (C, H, W). To maintain the 1D channel-wise dropout behavior, please "
                      "switch to using dropout1d instead.", stacklevel=2)
    return _dropout(input, p, training, inplace, True, False)


def dropout3d(input, p=0.5, training=True, inplace=False):
    """Zeroes whole channels of (N, C, D, H, W) or (C, D, H, W) with probability p."""
    _check_p(p)
    if input.ndim not in (4, 5):
        _warn_unexpected_rank("dropout3d", input.ndim, 3)
    return _dropout(input, p, training, inplace, True, False, batched=input.ndim == 5)


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Dropout that keeps SELU's mean and variance: dropped elements become -alpha' and all are rescaled."""
    _check_p(p)
    return _dropout(input, p, training, inplace, False, True)


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    """alpha_dropout of whole channels of (N, C, *)."""
    _check_p(p)
    return _dropout(input, p, training, inplace, True, True)
