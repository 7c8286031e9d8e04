"""Functional forms of group, instance, RMS and local response normalization: torch's argument checks, then
one dispatch of a kernel in `jtorch._ops.norm`."""
import numbers

import numpy as np

from .._dispatch import run
from .._ops import norm as kernels
from .._ops._common import dtype_name

__all__ = ["group_norm", "instance_norm", "rms_norm", "local_response_norm"]


def _check_implemented(input, kernel):
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f'"{kernel}" not implemented for \'{dtype_name(input.dtype)}\'')


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """input (N, C, *) normalised over groups of C / num_groups channels; weight and bias (C)."""
    if input.ndim < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received {input.ndim}")
    n, c = input.shape[:2]
    sizes = [n * c // num_groups, num_groups] + list(input.shape[2:])
    if sizes[0] * int(np.prod(sizes[2:])) == 1:
        raise ValueError(f"Expected more than 1 value per channel when training, got input size {sizes}")
    if c % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by num_groups, but got input of "
                           f"shape {list(input.shape)} and num_groups={num_groups}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and (t.ndim != 1 or t.numel() != c):
            raise RuntimeError(f"Expected {name} to be a vector of size equal to the number of channels in input, "
                               f"but got {name} of shape {list(t.shape)} and input of shape {list(input.shape)}")
    _check_implemented(input, "GroupNormKernelImpl")
    return run(kernels.group_norm, "NativeGroupNormBackward0", input, weight, bias, groups=int(num_groups),
               eps=float(eps))


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None, use_input_stats=True,
                  momentum=0.1, eps=1e-5):
    """input (N, C, *) normalised per sample and channel. With use_input_stats and running stats, these are
    updated in place with the batch average of the per-instance momentum updates (unbiased variance), as torch;
    without use_input_stats the running stats normalise."""
    if use_input_stats and int(np.prod(input.shape[2:])) == 1:
        raise ValueError(f"Expected more than 1 spatial element when training, got input size "
                         f"torch.Size({list(input.shape)})")
    if not use_input_stats and (running_mean is None or running_var is None):
        raise RuntimeError("Expected running_mean and running_var to be defined when use_input_stats is false")
    n, c = input.shape[:2]
    for name, t in (("running_mean", running_mean), ("running_var", running_var), ("weight", weight),
                    ("bias", bias)):
        if t is not None and t.numel() * n != n * c:
            raise RuntimeError(f"{name} should contain {n * c} elements not {t.numel() * n}")
    updates = use_input_stats and running_mean is not None
    result = run(kernels.instance_norm, "ViewBackward0", input, running_mean, running_var, weight, bias,
                 momentum, eps=float(eps), use_input_stats=bool(use_input_stats))
    if not updates:
        return result
    out, new_mean, new_var = result
    running_mean._inplace_set(new_mean._value)
    running_var._inplace_set(new_var._value)
    return out


def _machine_epsilon(dtype):
    """torch's default rms_norm eps: the epsilon of the dtype the op computes in (float for reduced floats)."""
    return float(np.finfo(np.float64 if dtype.itemsize == 8 else np.float32).eps)


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """input / sqrt(mean(input^2 over the trailing dims normalized_shape) + eps) * weight; eps=None uses the
    machine epsilon of input's (float-promoted) dtype, as torch."""
    if isinstance(normalized_shape, numbers.Integral):
        raise TypeError("rms_norm(): argument 'normalized_shape' (position 2) must be tuple of ints, not "
                        f"{type(normalized_shape).__name__}")
    shape = tuple(normalized_shape)
    if not shape or input.ndim < len(shape) or tuple(input.shape[input.ndim - len(shape):]) != shape:
        raise RuntimeError(f"Given normalized_shape={list(shape)}, expected input with shape "
                           f"[*{', '.join(map(str, shape))}], but got input of size{list(input.shape)}")
    if weight is not None and tuple(weight.shape) != shape:
        raise RuntimeError(f"Expected weight to be of same shape as normalized_shape, but got weight of shape "
                           f"{list(weight.shape)} and normalized_shape = {list(shape)}")
    _check_implemented(input, "rms_norm")
    eps = _machine_epsilon(input.dtype) if eps is None else float(eps)
    return run(kernels.rms_norm, "MulBackward0", input, weight, dims=len(shape), eps=eps)


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """input (N, C, *) divided by (k + alpha * mean of squares over `size` neighbouring channels)^beta."""
    if input.ndim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality                          input (got {input.ndim} "
                         "dimensions)")
    if input.numel() == 0:
        return input
    return run(kernels.local_response_norm, "DivBackward0", input, size=int(size), alpha=float(alpha),
               beta=float(beta), k=float(k))
