"""Functional forms of prelu, rrelu, hardswish, hardsigmoid, threshold, softshrink and hardshrink: torch's
argument checks, then one dispatch of a kernel in `jtorch._ops.activation`."""
import numpy as np

from .. import _dtype
from .. import random as _random
from .._dispatch import run
from .._ops import activation as kernels
from .._ops import nn as nn_kernels
from .._ops._common import dtype_name
from ._functional_layers import _check_float, _inplace

__all__ = ["prelu", "rrelu", "rrelu_", "hardswish", "hardsigmoid", "threshold", "threshold_", "softshrink",
           "hardshrink"]


def prelu(input, weight):
    """max(0, x) + weight * min(0, x), weight (1) or (C) applied along dim 1."""
    if input.dtype is not weight.dtype:
        raise RuntimeError(f"prelu: Type promoting not supported. Got {dtype_name(input.dtype)} and "
                           f"{dtype_name(weight.dtype)}")
    if weight.numel() != 1:
        if input.ndim == 0:
            raise RuntimeError("Not allow zero-dim input tensor.")
        channels = input.shape[1] if input.ndim > 1 else 1
        if channels != weight.numel():
            raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found parameter numbers = "
                               f"{weight.numel()} and channel size = {channels}.")
    if weight.ndim > 1:
        raise RuntimeError(f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim = {weight.ndim}")
    return run(kernels.prelu, "PreluKernelBackward0", input, weight)


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    """Randomized leaky ReLU. In training, each element x <= 0 is multiplied by a slope drawn uniformly from
    [lower, upper) from the default generator, one double per such element in order, as torch's CPU kernel
    (so the input is read on the host); otherwise the slope is (lower + upper) / 2."""
    if lower > upper:
        raise RuntimeError("Lower bound should be less than or equal to the upper bound")
    _check_float(input, "leaky_relu_cpu")
    if not training:
        result = run(nn_kernels.leaky_relu, "RreluWithNoiseBackward0", input, (lower + upper) / 2)
        return _inplace(input, result, inplace)
    compute = np.float64 if input.dtype is _dtype.float64 else np.float32
    negative = np.asarray(input._value) <= 0
    low, high = float(compute(lower)), float(compute(upper))
    draws = _random.default_generator._unit_double(int(negative.sum())) * (high - low) + low
    noise = np.ones(negative.shape, compute)
    noise[negative] = draws.astype(compute)
    result = run(kernels.scale_by_noise, "RreluWithNoiseBackward0", input, noise.astype(input.dtype._np))
    return _inplace(input, result, inplace)


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False):
    return rrelu(input, lower, upper, training, inplace=True)


def hardswish(input, inplace=False):
    """x * relu6(x + 3) / 6."""
    _check_float(input, "hardswish_cpu")
    return _inplace(input, run(kernels.hardswish, "HardswishBackward0", input), inplace)


def hardsigmoid(input, inplace=False):
    """relu6(x + 3) / 6."""
    _check_float(input, "hardsigmoid_cpu")
    return _inplace(input, run(kernels.hardsigmoid, "HardsigmoidBackward0", input), inplace)


def _threshold(input, threshold, value, inplace=False):
    """value where input <= threshold, else input."""
    return _inplace(input, run(kernels.threshold, "ThresholdBackward0", input, threshold, value), inplace)


threshold = _threshold


def threshold_(input, threshold, value):
    return _threshold(input, threshold, value, inplace=True)


def softshrink(input, lambd=0.5):
    """x - lambd above lambd, x + lambd below -lambd, 0 between."""
    _check_float(input, "softshrink_check")
    if lambd < 0:
        limit = float(np.finfo(input.dtype._np).max)
        raise RuntimeError(f"lambda must be in range [0, {limit:g}] for input dtype {dtype_name(input.dtype)}, but "
                           f"found {lambd:g}")
    return run(kernels.softshrink, "SoftshrinkBackward0", input, lambd)


def hardshrink(input, lambd=0.5):
    """0 where -lambd <= x <= lambd, else x."""
    _check_float(input, "hardshrink_cpu")
    return run(kernels.hardshrink, "HardshrinkBackward0", input, lambd)
