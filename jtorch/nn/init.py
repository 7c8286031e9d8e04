"""torch.nn.init: in-place initialisers that draw from jtorch's generator exactly as torch's draw from its own.

Every function runs under no_grad, writes into `tensor` and returns it. With the same seed they consume the
generator as torch does (same calls on same-shaped tensors), so they give torch's values.
"""
import math
import warnings

import jax.numpy as jnp

from .._ops import creation
from .._ops import random as _random
from .._ops.pointwise import where
from ..autograd.grad_mode import no_grad

__all__ = [
    "calculate_gain", "uniform_", "normal_", "trunc_normal_", "constant_", "ones_", "zeros_", "eye_", "dirac_",
    "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_", "orthogonal_",
]

_LINEAR = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d")


def calculate_gain(nonlinearity, param=None):
    """The recommended gain for a nonlinearity (torch's table; leaky_relu takes its negative slope)."""
    if nonlinearity in _LINEAR or nonlinearity == "sigmoid":
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif not isinstance(param, bool) and isinstance(param, int) or isinstance(param, float):
            slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _calculate_fan_in_and_fan_out(tensor):
    """(fan_in, fan_out): size(1) and size(0) times the receptive field (the product of dims 2 and up)."""
    if tensor.dim() < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions")
    receptive = math.prod(tensor.shape[2:])
    return tensor.size(1) * receptive, tensor.size(0) * receptive


def _calculate_correct_fan(tensor, mode):
    mode = mode.lower()
    valid = ["fan_in", "fan_out"]
    if mode not in valid:
        raise ValueError(f"Mode {mode} not supported, please use one of {valid}")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def uniform_(tensor, a=0.0, b=1.0, generator=None):
    """Fills with U(a, b)."""
    with no_grad():
        return _random.uniform_(tensor, a, b, generator=generator)


def normal_(tensor, mean=0.0, std=1.0, generator=None):
    """Fills with N(mean, std^2)."""
    with no_grad():
        return _random.normal_(tensor, mean, std, generator=generator)


def constant_(tensor, val):
    with no_grad():
        return tensor.fill_(val)


def ones_(tensor):
    return constant_(tensor, 1.0)


def zeros_(tensor):
    with no_grad():
        return tensor.zero_()


def _set_value(tensor, array):
    """Writes an array of tensor's size into tensor, in place and outside autograd (as no_grad would)."""
    return tensor._inplace_set(jnp.asarray(array, tensor.dtype._np).reshape(tensor.shape))


def eye_(tensor):
    """The identity matrix (2-dim tensors only)."""
    if tensor.ndim != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    return _set_value(tensor, jnp.eye(*tensor.shape))


def dirac_(tensor, groups=1):
    """The Dirac delta of a 3-, 4- or 5-dim conv weight: identity per group at the kernel's centre."""
    dims = tensor.ndim
    if dims not in (3, 4, 5):
        raise ValueError("Only tensors with 3, 4, or 5 dimensions are supported")
    if tensor.size(0) % groups:
        raise ValueError("dim 0 must be divisible by groups")
    per_group = tensor.size(0) // groups
    depth = min(per_group, tensor.size(1))
    centre = tuple(n // 2 for n in tensor.shape[2:])
    value = jnp.zeros(tensor.shape)
    for g in range(groups):
        for d in range(depth):
            value = value.at[(g * per_group + d, d) + centre].set(1)
    return _set_value(tensor, value)


def xavier_uniform_(tensor, gain=1.0, generator=None):
    """U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(tensor, gain=1.0, generator=None):
    """N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out))."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / float(fan_in + fan_out)), generator)


def _kaiming_std(tensor, a, mode, nonlinearity):
    return calculate_gain(nonlinearity, a) / math.sqrt(_calculate_correct_fan(tensor, mode))


def _empty_warning(tensor):
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=3)
        return True
    return False


def kaiming_uniform_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """U(-bound, bound) with bound = gain * sqrt(3 / fan) (He initialisation)."""
    if _empty_warning(tensor):
        return tensor
    bound = math.sqrt(3.0) * _kaiming_std(tensor, a, mode, nonlinearity)
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """N(0, std^2) with std = gain / sqrt(fan) (He initialisation)."""
    if _empty_warning(tensor):
        return tensor
    return normal_(tensor, 0, _kaiming_std(tensor, a, mode, nonlinearity), generator)


def _norm_cdf(x):
    return (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0


def trunc_normal_(tensor, mean=0.0, std=1.0, a=-2.0, b=2.0, generator=None):
    """N(mean, std^2) truncated to [a, b], by torch 2.13's rejection sampling: redrawn normals while more than
    30% of the mass lies in [a, b], else uniform proposals on [a, b] accepted against the density."""
    if mean < a - 2 * std or mean > b + 2 * std:
        warnings.warn("mean is more than 2 std from [a, b] in nn.init.trunc_normal_. The distribution of values "
                      "may be incorrect.", stacklevel=2)
    with no_grad():
        if _norm_cdf((b - mean) / std) - _norm_cdf((a - mean) / std) > 0.3:
            _truncate_normals(tensor, mean, std, a, b, generator)
        else:
            _truncate_uniforms(tensor, mean, std, a, b, generator)
    return tensor


def _truncate_normals(tensor, mean, std, a, b, generator):
    low = creation.tensor(a, dtype=tensor.dtype).item()
    high = creation.tensor(b, dtype=tensor.dtype).item()
    result = _random.normal_(tensor, mean, std, generator=generator)
    while True:
        outside = (result < low) | (result > high)
        if not outside.any():
            break
        redrawn = _random.normal_(creation.empty_like(result), mean, std, generator=generator)
        result = where(outside, redrawn, result)
    tensor.copy_(result)


def _log_density_excess(candidates, mean, std, log_peak):
    """candidates replaced by -((x - mean) / std)^2 / 2 - log_peak, with torch's sequence of in-place ops."""
    return candidates.sub_(mean).div_(std).pow_(2).mul_(-0.5).sub_(log_peak)


def _truncate_uniforms(tensor, mean, std, a, b, generator):
    mode = max(a, min(mean, b))
    log_peak = -0.5 * ((mode - mean) / std) ** 2
    accept = creation.empty_like(tensor)
    _random.uniform_(tensor, a, b, generator=generator)
    candidates = _log_density_excess(tensor.clone(), mean, std, log_peak)
    pending = _random.uniform_(accept, generator=generator).log_().gt(candidates)
    result = tensor
    while pending.any():
        _random.uniform_(candidates, a, b, generator=generator)
        result = where(pending, candidates, result)
        _log_density_excess(candidates, mean, std, log_peak)
        pending = where(pending, _random.uniform_(accept, generator=generator).log_().gt(candidates), pending)
    tensor.copy_(result)


def orthogonal_(tensor, gain=1, generator=None):
    """A (semi-)orthogonal matrix from the QR decomposition of a normal matrix (flattened beyond dim 0),
    signs fixed by R's diagonal, times gain."""
    if tensor.ndim < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    if tensor.numel() == 0:
        return tensor
    rows = tensor.size(0)
    cols = tensor.numel() // rows
    with no_grad():
        flat = _random.normal_(creation.empty((rows, cols), dtype=tensor.dtype), 0, 1, generator=generator)
        matrix = flat._value.T if rows < cols else flat._value
        q, r = jnp.linalg.qr(matrix)
        q = q * jnp.sign(jnp.diagonal(r))
        _set_value(tensor, q.T if rows < cols else q)
        return tensor.mul_(gain)

