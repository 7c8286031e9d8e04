"""Functional forms of the vision layers: interpolate (and the deprecated upsample*), pixel_shuffle,
pixel_unshuffle, fold and unfold.

Each function checks its arguments with torch's errors and runs one kernel of `jtorch._ops.vision` as one
dispatch.
"""
import math
import numbers
import warnings

from .. import _dtype
from .._dispatch import run
from .._ops import nn as nn_kernels
from .._ops import vision as kernels
from .._ops._common import dtype_name
from ._functional_layers import _adaptive_divisors, _adaptive_plans, _tuple, adaptive_avg_pool1d, adaptive_avg_pool2d

__all__ = ["interpolate", "upsample", "upsample_nearest", "upsample_bilinear", "pixel_shuffle", "pixel_unshuffle",
           "fold", "unfold"]

_INTERPOLATING = ("linear", "bilinear", "bicubic", "trilinear")
_MODES = "nearest | linear | bilinear | bicubic | trilinear | lanczos | area | nearest-exact"
# mode -> (the input rank it needs, its kernel, torch's name for the op)
_RESAMPLERS = {"linear": (3, "linear", "Linear1D"), "bilinear": (4, "linear", "Bilinear2D"),
               "bicubic": (4, "cubic", "Bicubic2D"), "trilinear": (5, "linear", "Trilinear3D")}
_AXES = ("D", "H", "W")


def _spatial_dims_mismatch(input, other, given, expected_format):
    """torch's ValueError for a size or scale_factor whose length is not input's number of spatial dims."""
    return ValueError(
        f"Input and {other} must have the same number of spatial dimensions, but got input with spatial dimensions "
        f"of {list(input.shape[2:])} and {given}. Please provide input tensor in (N, C, d1, d2, ...,dK) format and "
        f"{expected_format} format.")


def _output_size(input, size, scale_factor, dim):
    """(output sizes or None, scale factors or None) as torch's interpolate reads size / scale_factor."""
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        if isinstance(size, (list, tuple)):
            if len(size) != dim:
                raise _spatial_dims_mismatch(input, "output", f"output size of {size}",
                                             "output size in (o1, o2, ...,oK)")
            if not all(isinstance(s, numbers.Integral) for s in size):
                raise TypeError("expected size to be one of int or Tuple[int] or Tuple[int, int] or Tuple[int, int, "
                                f"int], but got size with types {[type(s) for s in size]}")
            return [int(s) for s in size], None
        return [int(size)] * dim, None
    if scale_factor is None:
        raise ValueError("either size or scale_factor should be defined")
    if isinstance(scale_factor, (list, tuple)):
        if len(scale_factor) != dim:
            raise _spatial_dims_mismatch(input, "scale_factor", f"scale_factor of shape {scale_factor}",
                                         "scale_factor in (s1, s2, ...,sK)")
        return None, [float(s) for s in scale_factor]
    return None, [float(scale_factor)] * dim


def _check_sizes(input, out_sizes):
    sizes = input.shape[2:]
    if all(n > 0 for n in sizes) and all(o > 0 for o in out_sizes):
        return
    names = _AXES[len(_AXES) - len(sizes):]

    def shown(values):
        return ", ".join(f"{a}: {v}" for a, v in zip(names, values))
    raise RuntimeError(f"Input and output sizes should be greater than 0, but got input ({shown(sizes)}) output "
                       f"({shown(out_sizes)})")


def _check_floating(input, op):
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f'"{op}" not implemented for \'{dtype_name(input.dtype)}\'')


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Resamples (N, C, *spatial) with 1-3 spatial dims to `size`, or to floor(in * scale_factor).

    Index and weight formulas are torch's CPU ones (a given scale_factor, unless recomputed, sets the source
    spacing as in torch); values and gradients agree to float rounding. Differs from torch: antialias=True is
    not supported (NotImplementedError).
    """
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating modes: "
                             "linear | bilinear | bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    dim = input.ndim - 2
    out_sizes, scales = _output_size(input, size, scale_factor, dim)
    if recompute_scale_factor and size is not None:
        raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    if mode == "area" and out_sizes is None:
        recompute_scale_factor = True
    if recompute_scale_factor:
        out_sizes, scales = [math.floor(n * s) for n, s in zip(input.shape[2:], scales)], None
    if antialias:
        if not (mode in ("bilinear", "bicubic", "lanczos") and input.ndim == 4):
            raise ValueError("Anti-alias option is restricted to bilinear, bicubic, and lanczos modes and requires "
                             "a 4-D tensor as input")
        raise NotImplementedError("jtorch does not support antialias=True in interpolate")
    if input.ndim not in (3, 4, 5) or mode not in ("nearest", "nearest-exact", "area") + _INTERPOLATING:
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.ndim}D) for "
                                  f"the modes: {_MODES} (got {mode})")
    if out_sizes is None:
        out_sizes = [int(n * s) for n, s in zip(input.shape[2:], scales)]
    if mode == "area":
        return _area(input, out_sizes)
    if mode in _RESAMPLERS:
        rank, kind, name = _RESAMPLERS[mode]
        if input.ndim != rank:
            raise NotImplementedError(f"Got {input.ndim}D input, but {mode} mode needs {rank}D input")
        _check_floating(input, f"upsample_{mode}{dim}d")
    else:
        kind, align_corners = mode, False
        name = ("NearestExact" if mode == "nearest-exact" else "Nearest") + f"{dim}D"
        if not (input.dtype.is_floating_point or input.dtype is _dtype.uint8):
            raise NotImplementedError(f'"upsample_nearest{dim}d" not implemented for \'{dtype_name(input.dtype)}\'')
    _check_sizes(input, out_sizes)
    scales = scales or [None] * dim
    plans = tuple((kind, n, o, bool(align_corners), s) for n, o, s in zip(input.shape[2:], out_sizes, scales))
    return run(kernels.interpolate, f"Upsample{name}Backward0", input, plans=plans)


def _area(input, out_sizes):
    """'area' mode: adaptive average pooling to the output size (3-d inputs included)."""
    if input.ndim == 3:
        return adaptive_avg_pool1d(input, out_sizes)
    if input.ndim == 4:
        return adaptive_avg_pool2d(input, out_sizes)
    _check_floating(input, "adaptive_avg_pool3d_cpu")
    plans = _adaptive_plans(input, out_sizes, 3, "adaptive_avg_pool3d")
    return run(nn_kernels.avg_pool, "AdaptiveAvgPool3DBackward0", input, plans=plans,
               divisors=_adaptive_divisors(plans))


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    """Deprecated alias of interpolate (with torch's warning)."""
    warnings.warn("`nn.functional.upsample` is deprecated. Use `nn.functional.interpolate` instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    """Deprecated: interpolate(..., mode='nearest') (with torch's warning)."""
    warnings.warn("`nn.functional.upsample_nearest` is deprecated. Use `nn.functional.interpolate` instead.",
                  stacklevel=2)
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    """Deprecated: interpolate(..., mode='bilinear', align_corners=True) (with torch's warning)."""
    warnings.warn("`nn.functional.upsample_bilinear` is deprecated. Use `nn.functional.interpolate` instead.",
                  stacklevel=2)
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


# ---- pixel shuffle ----------------------------------------------------------------------------------------

def _check_shuffle(input, factor, name, noun):
    if input.ndim < 3:
        raise RuntimeError(f"{name} expects input to have at least 3 dimensions, but got input with {input.ndim} "
                           "dimension(s)")
    if factor <= 0:
        raise RuntimeError(f"{name} expects a positive {noun}, but got {factor}")


def pixel_shuffle(input, upscale_factor):
    """(*, C * r^2, H, W) -> (*, C, H * r, W * r)."""
    r = upscale_factor
    _check_shuffle(input, r, "pixel_shuffle", "upscale_factor")
    if input.shape[-3] % (r * r):
        raise RuntimeError("pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of "
                           f"upscale_factor, but input.size(-3)={input.shape[-3]} is not divisible by {r * r}")
    return run(kernels.pixel_shuffle, "PixelShuffleBackward0", input, factor=int(r))


def pixel_unshuffle(input, downscale_factor):
    """(*, C, H * r, W * r) -> (*, C * r^2, H, W)."""
    r = downscale_factor
    _check_shuffle(input, r, "pixel_unshuffle", "downscale_factor")
    for axis, noun in ((-2, "height"), (-1, "width")):
        if input.shape[axis] % r:
            raise RuntimeError(f"pixel_unshuffle expects {noun} to be divisible by downscale_factor, but "
                               f"input.size({axis})={input.shape[axis]} is not divisible by {r}")
    return run(kernels.pixel_unshuffle, "PixelUnshuffleBackward0", input, factor=int(r))


# ---- fold / unfold ------------------------------------------------------------------------------------------

def _block_params(kernel_size, dilation, padding, stride):
    """The 2-tuples of the sliding-block arguments after torch's checks."""
    kernel, dilation, padding, stride = (tuple(int(v) for v in _tuple(a, 2))
                                         for a in (kernel_size, dilation, padding, stride))
    for name, values, low in (("kernel size", kernel, 1), ("stride", stride, 1), ("dilation", dilation, 1)):
        if any(v < low for v in values):
            label = name.split()[0]
            raise RuntimeError(f"{name} should be greater than zero, but got {label}_height: {values[0]} "
                               f"{label}_width: {values[1]}")
    if any(p < 0 for p in padding):
        raise RuntimeError(f"padding should be non-negative, but got pad_height: {padding[0]} pad_width: "
                           f"{padding[1]}")
    return kernel, dilation, padding, stride


def _blocks(sizes, kernel, dilation, padding, stride):
    return tuple((n + 2 * p - (d * (k - 1) + 1)) // s + 1
                 for n, k, d, p, s in zip(sizes, kernel, dilation, padding, stride))


def _describe(kernel, dilation, padding, stride):
    return f"kernel_size={kernel}, dilation={dilation}, padding={padding}, stride={stride}"


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """im2col: (N, C, H, W) or (C, H, W) -> (N, C * kh * kw, L) or (C * kh * kw, L), L the number of blocks."""
    kernel, dilation, padding, stride = _block_params(kernel_size, dilation, padding, stride)
    if input.ndim < 3:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-max(input.ndim, 1)}, "
                         f"{max(input.ndim, 1) - 1}], but got 2)")
    if input.ndim > 4 or 0 in input.shape[-3:]:
        raise RuntimeError("Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and other non-zero "
                           f"dimensions for input, but got: {list(input.shape)}")
    blocks = _blocks(input.shape[-2:], kernel, dilation, padding, stride)
    if any(b < 1 for b in blocks):
        raise RuntimeError(f"Given input with spatial size {tuple(input.shape[-2:])}, kernel_size={kernel}, "
                           f"dilation={dilation}, padding={padding}, calculated shape of the array of sliding "
                           f"blocks as {blocks}, but its components must be at least one.")
    return run(kernels.unfold, "Im2ColBackward0", input, kernel=kernel, dilation=dilation, padding=padding,
               stride=stride, blocks=blocks, batched=input.ndim == 4)


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """col2im: (N, C * kh * kw, L) or (C * kh * kw, L) -> (N, C, *output_size) or (C, *output_size), summing
    overlapping blocks."""
    output_size = tuple(int(v) for v in _tuple(output_size, 2))
    kernel, dilation, padding, stride = _block_params(kernel_size, dilation, padding, stride)
    if input.ndim not in (2, 3) or 0 in input.shape[-2:]:
        raise RuntimeError("Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch size and non-zero "
                           f"dimensions for input, but got: {list(input.shape)}")
    k = math.prod(kernel)
    if input.shape[-2] % k:
        raise RuntimeError("Expected size of input's dimension 1 to be divisible by the product of kernel_size, but "
                           f"got input.size(1)={input.shape[-2]} and kernel_size={kernel}")
    blocks = _blocks(output_size, kernel, dilation, padding, stride)
    if any(b < 1 for b in blocks):
        raise RuntimeError(f"Given output_size={output_size}, {_describe(kernel, dilation, padding, stride)}, "
                           f"calculated shape of the array of sliding blocks as {blocks}, but its components must "
                           "be at least one.")
    if input.shape[-1] != math.prod(blocks):
        raise RuntimeError(f"Given output_size={output_size}, {_describe(kernel, dilation, padding, stride)}, "
                           "expected size of input's dimension 2 to match the calculated number of sliding blocks "
                           f"{blocks[0]} * {blocks[1]} = {math.prod(blocks)}, but got input.size(2)={input.shape[-1]}.")
    return run(kernels.fold, "Col2ImBackward0", input, output_size=output_size, kernel=kernel, dilation=dilation,
               padding=padding, stride=stride, blocks=blocks, batched=input.ndim == 3)
