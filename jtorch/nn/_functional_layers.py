"""Functional forms of the layers: linear, convolution, pooling, activations, normalization, dropout, embedding
and padding.

Each function checks its arguments with torch's errors and runs one kernel of `jtorch._ops.nn` as one
dispatch. Where jtorch differs from torch, the function's docstring says so.
"""
import collections.abc
import functools
import math
import numbers
import warnings

import numpy as np

from .. import _dtype, _layout
from .. import random as _random
from .._dispatch import run
from .._ops import nn as kernels
from .._ops import pointwise, reduction
from .._ops._common import dtype_name, wrap_dim
from ..autograd.grad_mode import no_grad

__all__ = [
    "selu", "celu", "mish", "softsign", "logsigmoid", "tanhshrink", "glu", "softmin", "softplus", "normalize",
    "one_hot", "linear", "bilinear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
    "max_pool1d", "max_pool2d", "max_pool1d_with_indices", "max_pool2d_with_indices", "avg_pool1d", "avg_pool2d",
    "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_max_pool1d", "adaptive_max_pool2d",
    "adaptive_max_pool1d_with_indices", "adaptive_max_pool2d_with_indices",
    "relu", "relu_", "relu6", "hardtanh", "hardtanh_", "leaky_relu", "leaky_relu_", "elu", "elu_", "gelu", "silu",
    "sigmoid", "tanh", "softmax", "log_softmax", "dropout", "batch_norm", "layer_norm", "embedding", "pad",
]


def _tuple(value, n):
    """An int, or a sequence of 1 or n ints, as an n-tuple (torch's expansion of int-list arguments)."""
    if isinstance(value, collections.abc.Iterable):
        value = tuple(value)
        return value * n if len(value) == 1 else value
    return (value,) * n


def _shape(sizes):
    return " x ".join(str(s) for s in sizes)


def _check_float(input, kernel):
    """torch's NotImplementedError for a floating-only kernel given an integer or bool tensor."""
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f'"{kernel}" not implemented for \'{dtype_name(input.dtype)}\'')


def _inplace(input, result, inplace):
    """result, or input overwritten with result (and its history) when inplace, as torch's `op_` variants."""
    if not inplace:
        return result
    input._check_inplace()
    return input._assign(result)


# ---- linear -----------------------------------------------------------------------------------------------

def linear(input, weight, bias=None):
    """y = input @ weight.T + bias: input (*, in), weight (out, in), bias (out) -> (*, out)."""
    if input.ndim == 0 or weight.ndim == 0:
        raise RuntimeError(f"both arguments to linear need to be at least 1D, but they are {input.ndim}D and "
                           f"{weight.ndim}D")
    if input.shape[-1] != weight.shape[-1]:
        rows = math.prod(input.shape[:-1])
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{input.shape[-1]} and "
                           f"{weight.shape[-1]}x{weight.shape[0] if weight.ndim > 1 else 1})")
    if input.dtype is not weight.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {dtype_name(input.dtype).lower()} "
                           f"!= {dtype_name(weight.dtype).lower()}")
    if bias is not None and bias.dtype is not weight.dtype:
        raise RuntimeError(f"self and mat2 must have the same dtype, but got {dtype_name(bias.dtype)} and "
                           f"{dtype_name(weight.dtype)}")
    if bias is not None and bias.shape and bias.shape[-1] not in (1, weight.shape[0]):
        raise RuntimeError(f"The expanded size of the tensor ({weight.shape[0]}) must match the existing size "
                           f"({bias.shape[-1]}) at non-singleton dimension {max(input.ndim - 1, 0)}.  Target sizes: "
                           f"{list(input.shape[:-1]) + [weight.shape[0]]}.  Tensor sizes: {list(bias.shape)}")
    return run(kernels.linear, _linear_grad_name(input.ndim, bias is not None), input, weight, bias)


def _linear_grad_name(ndim, has_bias):
    if ndim == 2:
        return "AddmmBackward0" if has_bias else "MmBackward0"
    if ndim == 1:
        return "ViewBackward0" if has_bias else "SqueezeBackward4"
    return "ViewBackward0" if has_bias else "UnsafeViewBackward0"


def bilinear(input1, input2, weight, bias=None):
    """y = input1 @ weight[o] @ input2 + bias[o]: input1 (*, in1), input2 (*, in2), weight (out, in1, in2)."""
    if input1.shape[:-1] != input2.shape[:-1]:
        raise RuntimeError(f"bilinear(): input batch dimensions do not match: got {list(input1.shape[:-1])} and "
                           f"{list(input2.shape[:-1])}")
    if weight.ndim != 3 or input1.shape[-1] != weight.shape[1] or input2.shape[-1] != weight.shape[2]:
        raise RuntimeError(f"bilinear(): input sizes {input1.shape[-1]} and {input2.shape[-1]} do not match "
                           f"weight of size {list(weight.shape)}")
    return run(kernels.bilinear, "ViewBackward0", input1, input2, weight, bias)


# ---- convolution ------------------------------------------------------------------------------------------

def _meta(t):
    """(shape, dtype) of a tensor, or None: the hashable facts argument checks depend on."""
    return None if t is None else (tuple(t.shape), t.dtype)


def _key(value):
    """A hashable form of an int-list argument."""
    return tuple(value) if isinstance(value, list) else value


def _conv_param(value, nd, name):
    out = _tuple(value, nd)
    if len(out) != nd:
        raise RuntimeError(f"expected {name} to be a single integer value or a list of {nd} values to match the "
                           f"convolution dimensions, but got {name}={list(out)}")
    return tuple(int(v) for v in out)


def _conv_padding(padding, kernel, stride, dilation, nd):
    """(low, high) per spatial dim from an int, a tuple, 'valid' or 'same' (extra padding goes high)."""
    if isinstance(padding, str):
        if padding == "valid":
            return ((0, 0),) * nd
        if padding != "same":
            raise RuntimeError(f"Invalid padding string: '{padding}'")
        if any(s != 1 for s in stride):
            raise RuntimeError("padding='same' is not supported for strided convolutions")
        totals = [d * (k - 1) for d, k in zip(dilation, kernel)]
        return tuple((t // 2, t - t // 2) for t in totals)
    padding = _conv_param(padding, nd, "padding")
    if any(p < 0 for p in padding):
        raise RuntimeError("negative padding is not supported")
    return tuple((p, p) for p in padding)


def _check_conv(input, weight, bias, stride, dilation, groups, nd, name, channels, bias_size):
    """torch's checks shared by convolutions and transposed convolutions, on (shape, dtype) pairs."""
    (in_shape, in_dtype), (w_shape, w_dtype) = input, weight
    if len(in_shape) not in (nd + 1, nd + 2):
        raise RuntimeError(f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {name}, but got input "
                           f"of size: {list(in_shape)}")
    if len(w_shape) != nd + 2:
        raise RuntimeError(f"Expected {nd + 2}-dimensional weight for {name}, but got weight of size "
                           f"{list(w_shape)}")
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError("dilation should be greater than zero")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    if w_shape[0] % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, but "
                           f"got weight of size [{list(w_shape)}] instead")
    expected = channels(w_shape)
    if in_shape[-nd - 1] != expected:
        batched = list(in_shape) if len(in_shape) == nd + 2 else [1] + list(in_shape)
        transposed = "transposed=1" if name.startswith("conv_transpose") else f"groups={groups}"
        raise RuntimeError(f"Given {transposed}, weight of size {list(w_shape)}, expected input{batched} to have "
                           f"{expected} channels, but got {in_shape[-nd - 1]} channels instead")
    if bias is not None and (len(bias[0]) != 1 or bias[0][0] != bias_size(w_shape)):
        raise RuntimeError(f"Given weight of size {list(w_shape)}, expected bias to be 1-dimensional with "
                           f"{bias_size(w_shape)} elements, but got bias of size {list(bias[0])} instead")
    if in_dtype is not w_dtype:
        raise RuntimeError(f"expected scalar type {dtype_name(in_dtype)} but found {dtype_name(w_dtype)}")
    if bias is not None and bias[1] is not in_dtype:
        raise RuntimeError(f"Input type ({dtype_name(in_dtype).lower()}) and bias type "
                           f"({dtype_name(bias[1]).lower()}) should be the same")


@functools.lru_cache(maxsize=1024)
def _conv_config(nd, input, weight, bias, stride, padding, dilation, groups):
    """(stride, (low, high) padding pairs, dilation) of conv{nd}d after torch's checks; arguments are
    (shape, dtype) pairs and hashable forms of the int-list arguments."""
    stride, dilation = _conv_param(stride, nd, "stride"), _conv_param(dilation, nd, "dilation")
    _check_conv(input, weight, bias, stride, dilation, groups, nd, f"conv{nd}d",
                lambda w: w[1] * groups, lambda w: w[0])
    kernel = weight[0][2:]
    pads = _conv_padding(padding, kernel, stride, dilation, nd)
    padded = [n + lo + hi for n, (lo, hi) in zip(input[0][-nd:], pads)]
    dilated = [d * (k - 1) + 1 for d, k in zip(dilation, kernel)]
    if any(p < k for p, k in zip(padded, dilated)):
        raise RuntimeError(f"Calculated padded input size per channel: ({_shape(padded)}). Kernel size: "
                           f"({_shape(dilated)}). Kernel size can't be greater than actual input size")
    return stride, pads, dilation


def _convolution(input, weight, bias, stride, padding, dilation, groups, nd, padding_mode="zeros"):
    """conv{nd}d; padding_mode (as Conv modules pass it) pads with that mode inside the same dispatch."""
    stride, pads, dilation = _conv_config(nd, _meta(input), _meta(weight), _meta(bias), _key(stride), _key(padding),
                                          _key(dilation), groups)
    return run(kernels.conv, "ConvolutionBackward0", input, weight, bias, stride=stride, padding=pads,
               dilation=dilation, groups=groups, padding_mode=padding_mode, batched=input.ndim == nd + 2)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """input (N, C_in, L) or (C_in, L), weight (C_out, C_in / groups, k); padding int, tuple, 'valid', 'same'."""
    return _convolution(input, weight, bias, stride, padding, dilation, groups, 1)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """input (N, C_in, H, W) or (C_in, H, W), weight (C_out, C_in / groups, kH, kW)."""
    return _convolution(input, weight, bias, stride, padding, dilation, groups, 2)


def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """input (N, C_in, D, H, W) or (C_in, D, H, W), weight (C_out, C_in / groups, kD, kH, kW)."""
    return _convolution(input, weight, bias, stride, padding, dilation, groups, 3)


@functools.lru_cache(maxsize=1024)
def _conv_transpose_config(nd, input, weight, bias, stride, padding, output_padding, groups, dilation):
    """(stride, padding, output_padding, dilation) of conv_transpose{nd}d after torch's checks."""
    stride, dilation = _conv_param(stride, nd, "stride"), _conv_param(dilation, nd, "dilation")
    padding, output_padding = _conv_param(padding, nd, "padding"), _conv_param(output_padding, nd, "output_padding")
    _check_conv(input, weight, bias, stride, dilation, groups, nd, f"conv_transpose{nd}d", lambda w: w[0],
                lambda w: w[1] * groups)
    if any(p < 0 for p in padding + output_padding):
        raise RuntimeError("negative padding is not supported")
    if any(op >= s and op >= d for op, s, d in zip(output_padding, stride, dilation)):
        raise RuntimeError("output padding must be smaller than either stride or dilation, but got "
                           f"output_padding={list(output_padding)} stride={list(stride)} dilation={list(dilation)}")
    sizes = [(n - 1) * s - 2 * p + d * (k - 1) + op + 1 for n, s, p, d, k, op in
             zip(input[0][-nd:], stride, padding, dilation, weight[0][2:], output_padding)]
    if any(n < 1 for n in sizes):
        raise RuntimeError(f"Given input size per channel: ({_shape(input[0][-nd:])}). Calculated output size per "
                           f"channel: ({_shape(sizes)}). Output size is too small")
    return stride, padding, output_padding, dilation


def _conv_transpose(input, weight, bias, stride, padding, output_padding, groups, dilation, nd):
    stride, padding, output_padding, dilation = _conv_transpose_config(
        nd, _meta(input), _meta(weight), _meta(bias), _key(stride), _key(padding), _key(output_padding), groups,
        _key(dilation))
    return run(kernels.conv_transpose, "ConvolutionBackward0", input, weight, bias, stride=stride, padding=padding,
               output_padding=output_padding, dilation=dilation, groups=groups, batched=input.ndim == nd + 2)


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """input (N, C_in, L) or (C_in, L), weight (C_in, C_out / groups, k)."""
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups, dilation, 1)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """input (N, C_in, H, W) or (C_in, H, W), weight (C_in, C_out / groups, kH, kW)."""
    return _conv_transpose(input, weight, bias, stride, padding, output_padding, groups, dilation, 2)


# ---- pooling ----------------------------------------------------------------------------------------------

def _pool_out(size, k, s, p, d, ceil_mode):
    """torch's pooling output size; in ceil mode the last window must start inside the input or left padding."""
    out = (size + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)) // s + 1
    if ceil_mode and (out - 1) * s >= size + p:
        out -= 1
    return out


def _pool_params(kernel_size, stride, padding, dilation, nd):
    kernel = _tuple(kernel_size, nd)
    stride = kernel if stride is None or (isinstance(stride, (tuple, list)) and not stride) else _tuple(stride, nd)
    return kernel, stride, _tuple(padding, nd), _tuple(dilation, nd)


@functools.lru_cache(maxsize=1024)
def _window_plans(shape, kernel_size, stride, padding, dilation, ceil_mode, nd):
    """Pooling plans of the trailing nd dims of an input of `shape`, after torch's checks (int-list arguments
    in hashable form)."""
    kernel, stride, padding, dilation = _pool_params(kernel_size, stride, padding, dilation, nd)
    if any(k <= 0 for k in kernel):
        raise RuntimeError(f"kernel size should be greater than zero, but got kernel_size={list(kernel)}")
    if any(s <= 0 for s in stride):
        raise RuntimeError("stride should not be zero" if 0 in stride else
                           f"stride should be greater than zero, but got stride={list(stride)}")
    if any(d <= 0 for d in dilation):
        raise RuntimeError(f"dilation should be greater than zero, but got dilation={list(dilation)}")
    for k, p, d in zip(kernel, padding, dilation):
        if p < 0:
            raise RuntimeError(f"pad must be non-negative, but got pad: {p}")
        if p > ((k - 1) * d + 1) // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got pad={p}, "
                               f"kernel_size={k} and dilation={d}")
    sizes = shape[-nd:]
    outs = [_pool_out(n, *args, ceil_mode) for n, *args in zip(sizes, kernel, stride, padding, dilation)]
    if any(o < 1 for o in outs):
        planes = shape[-nd - 1]
        raise RuntimeError(f"Given input size: ({'x'.join(map(str, (planes,) + sizes))}). Calculated output size: "
                           f"({'x'.join(map(str, [planes] + outs))}). Output size is too small")
    return tuple(("window", n, o, k, s, p, d) for n, o, k, s, p, d in zip(sizes, outs, kernel, stride, padding,
                                                                        dilation))


def _check_pool_input(input, nd):
    if input.ndim not in (nd + 1, nd + 2) or 0 in input.shape[1:]:
        raise RuntimeError(f"non-empty {nd + 1}D or {nd + 2}D (batch mode) tensor expected for input")


def _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, nd, grad_name):
    _check_pool_input(input, nd)
    plans = _window_plans(tuple(input.shape), _key(kernel_size), _key(stride), _key(padding), _key(dilation),
                          bool(ceil_mode), nd)
    return run(kernels.max_pool, grad_name, input, plans=plans, with_indices=bool(return_indices))


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """(N, C, L) or (C, L); a gradient goes to the element torch picks: the first maximum in the window, or
    its last NaN. Returns (output, int64 indices) with return_indices."""
    if not return_indices:
        _check_float(input, "max_pool1d_impl")
    return _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, 1, "SqueezeBackward1")


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """(N, C, H, W) or (C, H, W); a gradient goes to the element torch picks: the first maximum in the
    window's row-major scan, or its last NaN. Returns (output, int64 flat H*W indices) with return_indices."""
    return _max_pool(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, 2,
                     "MaxPool2DWithIndicesBackward0")


def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=False):
    return max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=False):
    return max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


@functools.lru_cache(maxsize=256)
def _avg_divisor(plans, count_include_pad, divisor_override):
    """torch's avg_pool divisor per output position: the window size clipped to the padded input, or the
    number of input elements in it (never zero), or divisor_override."""
    if divisor_override is not None:
        return divisor_override
    total = np.ones((), np.int64)
    for _, size, out, k, s, p, _ in plans:
        start = np.arange(out) * s - p
        end = np.minimum(start + k, size + p)
        counted = end - start if count_include_pad else np.minimum(end, size) - np.maximum(start, 0)
        total = np.multiply.outer(total, np.maximum(counted, 1))
    return _nested(total)


def _nested(array):
    return array.tolist() if array.ndim == 0 else tuple(_nested(a) for a in array)


def _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, nd,
              grad_name):
    if divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    plans = _window_plans(tuple(input.shape), _key(kernel_size), _key(stride), _key(padding), 1, bool(ceil_mode),
                          nd)
    divisor = _avg_divisor(plans, bool(count_include_pad), divisor_override)
    return run(kernels.avg_pool, grad_name, input, plans=plans, divisors=(divisor,))


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """(N, C, L) or (C, L) -> window means; integer inputs divide truncating, as torch's."""
    if input.ndim not in (2, 3):
        raise RuntimeError(f"Expected 2 to 3 dimensions, but got {input.ndim}-dimensional tensor for argument #1 "
                           "'self' (while checking arguments for avg_pool1d)")
    return _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad, None, 1, "SqueezeBackward1")


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """(N, C, H, W) or (C, H, W) -> window means. Sums pairwise where torch sums each window in scan order
    (the last bit of float results can differ); integer inputs divide truncating, as torch's."""
    _check_pool_input(input, 2)
    return _avg_pool(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, 2,
                     "AvgPool2DBackward0")


def _adaptive_plans(input, output_size, nd, name):
    """Adaptive pooling plans of the trailing nd dims (None in output_size keeps that input size); an output
    size dividing the input size gives equal windows, planned as a tiling."""
    if input.ndim not in (nd + 1, nd + 2):
        if nd == 1:
            raise RuntimeError(f"Expected 2 to 3 dimensions, but got {input.ndim}-dimensional tensor for argument "
                               f"#1 'self' (while checking arguments for {name})")
        raise RuntimeError(f"{name}(): Expected {nd + 1}D or {nd + 2}D tensor, but got {list(input.shape)}")
    sizes = input.shape[-nd:]
    outs = tuple(n if o is None else int(o) for n, o in zip(sizes, _tuple(output_size, nd)))
    if any(o < 0 for o in outs):
        raise RuntimeError(f"{name}: elements of output_size must be greater than or equal to 0 but received "
                           f"{list(outs)}")
    return tuple(("window", n, o, n // o, n // o, 0, 1) if o and n % o == 0 else ("adaptive", n, o)
                 for n, o in zip(sizes, outs))


def adaptive_avg_pool1d(input, output_size):
    """(N, C, L) or (C, L) -> (..., output_size): means over windows [floor(i*L/out), ceil((i+1)*L/out))."""
    _check_float(input, "adaptive_avg_pool2d")
    return _adaptive_avg(input, _adaptive_plans(input, output_size, 1, "adaptive_avg_pool1d"), "SqueezeBackward1")


def adaptive_avg_pool2d(input, output_size):
    """(N, C, H, W) or (C, H, W) -> (..., *output_size); an output of (1, 1) is the mean, as torch's."""
    _check_float(input, "adaptive_avg_pool2d")
    plans = _adaptive_plans(input, output_size, 2, "adaptive_avg_pool2d")
    mean = all(p[2] == 1 for p in plans)
    return _adaptive_avg(input, plans, "MeanBackward1" if mean else "AdaptiveAvgPool2DBackward0")


def _adaptive_avg(input, plans, grad_name):
    """Window sums divided by the window length of each dim in turn (torch's `sum / kh / kw`)."""
    return run(kernels.avg_pool, grad_name, input, plans=plans, divisors=_adaptive_divisors(plans))


@functools.lru_cache(maxsize=256)
def _adaptive_divisors(plans):
    """The window lengths of each dim, shaped to broadcast against the output's trailing dims."""
    divisors = []
    for dim, (_, size, out, *_) in enumerate(plans):
        o = np.arange(out)
        lengths = -((-(o + 1) * size) // out) - (o * size) // out
        divisors.append(_nested(lengths.reshape((-1,) + (1,) * (len(plans) - dim - 1))))
    return tuple(divisors)


def _adaptive_max(input, output_size, return_indices, nd, grad_name):
    name = f"adaptive_max_pool{nd}d"
    _check_float(input, name)
    plans = _adaptive_plans(input, output_size, nd, name)
    return run(kernels.max_pool, grad_name, input, plans=plans, with_indices=bool(return_indices))


def adaptive_max_pool1d(input, output_size, return_indices=False):
    """(N, C, L) or (C, L); ties and NaNs pick the element torch picks, as in max_pool1d."""
    return _adaptive_max(input, output_size, return_indices, 1, "SqueezeBackward1")


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """(N, C, H, W) or (C, H, W); ties and NaNs pick the element torch picks, as in max_pool2d."""
    return _adaptive_max(input, output_size, return_indices, 2, "AdaptiveMaxPool2DBackward0")


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=False):
    return adaptive_max_pool1d(input, output_size, True)


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=False):
    return adaptive_max_pool2d(input, output_size, True)


# ---- activations ------------------------------------------------------------------------------------------

def relu(input, inplace=False):
    """max(x, 0), keeping NaN and -0.0; the gradient is 0 at x <= 0 and passes at NaN, as torch's."""
    return _inplace(input, pointwise.relu(input), inplace)


def relu_(input):
    return relu(input, inplace=True)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """clamp(x, min_val, max_val); the gradient is 0 at and beyond the bounds and at NaN, as torch's."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    result = run(kernels.clamp_grad0, "HardtanhBackward0", input, low=min_val, high=max_val)
    return _inplace(input, result, inplace)


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    return hardtanh(input, min_val, max_val, inplace=True)


def relu6(input, inplace=False):
    return hardtanh(input, 0.0, 6.0, inplace)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    _check_float(input, "leaky_relu_cpu")
    return _inplace(input, run(kernels.leaky_relu, "LeakyReluBackward0", input, negative_slope), inplace)


def leaky_relu_(input, negative_slope=0.01):
    return leaky_relu(input, negative_slope, inplace=True)


def elu(input, alpha=1.0, inplace=False):
    _check_float(input, "elu_cpu")
    return _inplace(input, run(kernels.elu, "EluBackward0", input, alpha=alpha), inplace)


def elu_(input, alpha=1.0):
    return elu(input, alpha, inplace=True)


def gelu(input, approximate="none"):
    """approximate='none' (erf form) or 'tanh'; gradients use torch's backward formulas.

    Differs from torch: gelu(inf) is inf where torch's vectorised CPU kernel gives nan; with 'tanh', float32
    gradients below x = -4 can differ by ~1e-6 (XLA's tanh saturates a few ulps earlier than torch's).
    """
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    _check_float(input, "GeluKernelImpl")
    return run(kernels.gelu, "GeluBackward0", input, approximate=approximate)


def silu(input, inplace=False):
    _check_float(input, "silu_cpu")
    return _inplace(input, run(kernels.silu, "SiluBackward0", input), inplace)


def sigmoid(input):
    return pointwise.sigmoid(input)


def tanh(input):
    return pointwise.tanh(input)


def _softmax_dim(name, ndim, stacklevel):
    """torch's deprecated implicit dim: 0 for 0-, 1- and 3-dim inputs, else 1."""
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to include dim=X "
                  "as an argument.", stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


def _softmax_like(kernel, name, grad_name, input, dim, stacklevel, dtype):
    if dim is None:
        dim = _softmax_dim(name, input.ndim, stacklevel + 1)
    dim = wrap_dim(dim, input.ndim)
    target = input.dtype if dtype is None else dtype
    if not target.is_floating_point:
        last = "lastdim_" if dim == max(input.ndim - 1, 0) else ""
        raise NotImplementedError(f'"{name}_{last}kernel_impl" not implemented for \'{dtype_name(target)}\'')
    return run(kernel, grad_name, input, dim=dim, dtype=target._np)


def selu(input, inplace=False):
    """scale * elu(x, alpha) with torch's SELU constants."""
    _check_float(input, "elu_cpu")
    return _inplace(input, run(kernels.selu, "EluBackward0", input), inplace)


def celu(input, alpha=1.0, inplace=False):
    """max(0, x) + min(0, alpha * (exp(x / alpha) - 1))."""
    _check_float(input, "elu_cpu")
    return _inplace(input, run(kernels.celu, "EluBackward0", input, alpha), inplace)


def mish(input, inplace=False):
    return _inplace(input, run(kernels.mish, "MishBackward0", input), inplace)


def _as_default_float(input):
    """Integer input as the default float dtype: torch composes these activations of ops that promote so."""
    if input.dtype.is_floating_point or input.dtype.is_complex or input.dtype is _dtype.bool_:
        return input
    return input.to(_dtype.get_default_dtype())


def softsign(input):
    return run(kernels.softsign, "DivBackward0", _as_default_float(input))


def logsigmoid(input):
    _check_float(input, "log_sigmoid_forward")
    return run(kernels.logsigmoid, "LogSigmoidBackward0", input)


def tanhshrink(input):
    return run(kernels.tanhshrink, "SubBackward0", _as_default_float(input))


def glu(input, dim=-1):
    """a * sigmoid(b) for the two halves a, b of `dim` (which must have even size)."""
    if input.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    axis = wrap_dim(dim, input.ndim)
    if input.shape[axis] % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {axis} is size {input.shape[axis]}")
    return run(kernels.glu, "GluBackward0", input, axis=axis)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """softmax(-input) along dim."""
    return softmax(pointwise.neg(input), dim, _stacklevel, dtype)


def softplus(input, beta=1.0, threshold=20.0):
    """log(1 + exp(beta * x)) / beta; x itself where beta * x > threshold."""
    _check_float(input, "softplus_cpu")
    return run(kernels.softplus, "SoftplusBackward0", input, beta, threshold)


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """input / max(||input||_p over dim, eps) (torch computes the norm with vector_norm, as here)."""
    return pointwise.write_out(run(reduction.normalized, "DivBackward0", input, eps, p=float(p),
                                   axis=wrap_dim(dim, input.ndim)), out)


def one_hot(tensor, num_classes=-1):
    """(*) int64 class indices -> (*, num_classes) int64; num_classes=-1 uses max + 1."""
    if tensor.dtype is not _dtype.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    values = np.asarray(tensor._value)
    if values.size and values.min() < 0:
        raise RuntimeError("Class values must be non-negative.")
    if num_classes == -1:
        if not values.size:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(values.max()) + 1
    elif values.size and values.max() >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    return run(kernels.one_hot, "", tensor, num_classes=int(num_classes))


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """exp(x) / sum(exp(x)) along dim (computed in dtype when given); dim=None uses torch's implicit choice."""
    return _softmax_like(kernels.softmax, "softmax", "SoftmaxBackward0", input, dim, _stacklevel, dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """x - logsumexp(x) along dim (computed in dtype when given); dim=None uses torch's implicit choice."""
    return _softmax_like(kernels.log_softmax, "log_softmax", "LogSoftmaxBackward0", input, dim, _stacklevel, dtype)


# ---- dropout ------------------------------------------------------------------------------------------------

def dropout(input, p=0.5, training=True, inplace=False):
    """Zeroes elements with probability p and scales the rest by 1 / (1 - p) in training mode.

    The keep-mask comes from jtorch's generator with torch's CPU stream (`bernoulli_(1 - p)` on a tensor of
    input's shape), so the same seed drops the same elements as torch on CPUs where torch does not use MKL's
    generator for it (see `jtorch.random`). Returns input itself when not training or p == 0, as torch.
    """
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0 or input.numel() == 0:
        return input
    if not input.dtype.is_floating_point:
        raise RuntimeError(f"result type Float can't be cast to the desired output type {dtype_name(input.dtype)}")
    keep = _random.dropout_mask(input.shape, p, order=_layout.memory_order(input._layout_in_storage()))
    scale = _random.dropout_scale(p, input.dtype)
    return _inplace(input, run(kernels.dropout, "MulBackward0", input, keep, scale), inplace)


# ---- normalization -----------------------------------------------------------------------------------------

def _check_channels(channels, **tensors):
    for name, t in tensors.items():
        if t is not None and t.numel() != channels:
            raise RuntimeError(f"{name} should contain {channels} elements not {t.numel()}")


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
    """input (N, C, *) normalised per channel. In training, batch statistics (biased variance) normalise and,
    when running stats are given, update them in place with momentum (the running var takes the unbiased
    batch variance); otherwise the running statistics normalise."""
    if training:
        sizes = input.shape
        if sizes[0] * math.prod(sizes[2:]) == 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input size {sizes}")
        if eps <= 0.0:
            raise ValueError(f"batch_norm eps must be positive during training, but got {eps}")
    elif eps < 0.0:
        raise ValueError(f"batch_norm eps must be non-negative, but got {eps}")
    _check_channels(input.shape[1] if input.ndim > 1 else 0, running_mean=running_mean, running_var=running_var,
                    weight=weight, bias=bias)
    if not training:
        if running_mean is None or running_var is None:
            missing = "running_mean" if running_mean is None else "running_var"
            raise RuntimeError(f"{missing} must be defined in evaluation mode")
        return run(kernels.batch_norm_eval, "NativeBatchNormBackward0", input, running_mean, running_var, weight,
                   bias, eps=eps)
    if running_mean is None:
        return run(kernels.batch_norm_train, "NativeBatchNormBackward0", input, None, None, weight, bias, momentum,
                   eps=eps)
    out, new_mean, new_var = run(kernels.batch_norm_train, "NativeBatchNormBackward0", input, running_mean,
                                 running_var, weight, bias, momentum, eps=eps)
    running_mean._inplace_set(new_mean._value)
    running_var._inplace_set(new_var._value)
    return out


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Normalises over the trailing dims normalized_shape (biased variance), then weight * x + bias."""
    if isinstance(normalized_shape, numbers.Integral):
        raise TypeError("layer_norm(): argument 'normalized_shape' (position 2) must be tuple of ints, not "
                        f"{type(normalized_shape).__name__}")
    shape = tuple(normalized_shape)
    if not shape or tuple(input.shape[input.ndim - len(shape):]) != shape or input.ndim < len(shape):
        raise RuntimeError(f"Given normalized_shape={list(shape)}, expected input with shape "
                           f"[*, {', '.join(map(str, shape))}], but got input of size{list(input.shape)}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and tuple(t.shape) != shape:
            raise RuntimeError(f"Expected {name} to be of same shape as normalized_shape, but got {name} of shape "
                               f"{list(t.shape)} and normalized_shape = {list(shape)}")
    return run(kernels.layer_norm, "NativeLayerNormBackward0", input, weight, bias, dims=len(shape), eps=eps)


# ---- embedding and padding -----------------------------------------------------------------------------------

def _padding_index(padding_idx, num_embeddings):
    """padding_idx wrapped into [0, num_embeddings), or None; torch's AssertionError when out of range."""
    if padding_idx is None:
        return None
    if not -num_embeddings <= padding_idx < num_embeddings:
        raise AssertionError("Padding_idx must be within num_embeddings")
    return padding_idx % num_embeddings


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
              sparse=False):
    """weight rows at the integer indices input (*) -> (*, embedding_dim).

    padding_idx rows get no gradient; max_norm renormalises the looked-up rows of weight in place first.
    Differs from torch: sparse=True still gives a dense gradient.
    """
    padding_idx = _padding_index(padding_idx, weight.shape[0])
    if input.dtype not in (_dtype.int64, _dtype.int32):
        raise RuntimeError("Expected tensor for argument #1 'indices' to have one of the following scalar types: "
                           f"Long, Int; but got torch.{dtype_name(input.dtype)}Tensor instead (while checking "
                           "arguments for embedding)")
    if max_norm is not None:
        with no_grad():
            renormed = run(kernels.embedding_renorm, "EmbeddingRenormBackward0", weight, input, max_norm,
                           norm_type=float(norm_type))
        weight._inplace_set(renormed._value)
    out, out_of_range = run(kernels.embedding, "EmbeddingBackward0", weight, input, padding_idx=padding_idx,
                            scale_grad_by_freq=bool(scale_grad_by_freq))
    if out_of_range:
        raise IndexError("index out of range in self")
    return out


_PAD_GRAD_NAMES = {"reflect": "ReflectionPad{}DBackward0", "replicate": "ReplicationPad{}DBackward0",
                   "circular": "CopySlices"}


def pad(input, pad, mode="constant", value=None):
    """Pads the last len(pad) // 2 dims; pad lists (low, high) pairs from the last dim backwards and negative
    amounts crop. mode: 'constant' (value, default 0), 'reflect', 'replicate' or 'circular'."""
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    count = len(pad) // 2
    if count > input.ndim:
        raise RuntimeError(f"Padding length should be less than or equal to two times the input dimension but got "
                           f"padding length {len(pad)} and input of dimension {input.ndim}")
    pairs = tuple((int(pad[2 * i]), int(pad[2 * i + 1])) for i in reversed(range(count)))
    sizes = input.shape[input.ndim - count:]
    if mode == "constant":
        out = [n + lo + hi for n, (lo, hi) in zip(sizes, pairs)]
        if any(n < 0 for n in out):
            raise RuntimeError(f"The input size {list(sizes)}, plus negative padding {list(pad)} resulted in a "
                               f"negative output size, which is invalid. Check dimension of your input.")
        return run(kernels.pad, "ConstantPadNdBackward0", input, 0 if value is None else value, pads=pairs,
                   mode=mode)
    if mode not in _PAD_GRAD_NAMES:
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    if count not in (1, 2, 3) or input.ndim not in (count + 1, count + 2):
        raise NotImplementedError(
            f"Padding size {len(pad)} is not supported for {input.ndim}D input tensor.\nSupported combinations "
            "for non-constant padding:\n  - 2D or 3D input: padding size = 2 (pads last dimension)\n  - 3D or 4D "
            "input: padding size = 4 (pads last 2 dimensions)\n  - 4D or 5D input: padding size = 6 (pads last 3 "
            "dimensions)")
    _check_pad_sizes(input, pairs, mode)
    return run(kernels.pad, _PAD_GRAD_NAMES[mode].format(count), input, 0, pads=pairs, mode=mode)


def _check_pad_sizes(input, pairs, mode):
    count = len(pairs)
    for i, (n, (lo, hi)) in enumerate(zip(input.shape[input.ndim - count:], pairs)):
        if mode == "reflect" and (lo >= n or hi >= n):
            raise RuntimeError(f"Argument #4: Padding size should be less than the corresponding input dimension, "
                               f"but got: padding ({lo}, {hi}) at dimension {input.ndim - count + i} of input "
                               f"{list(input.shape)}")
        if mode == "circular" and (lo > n or hi > n):
            raise RuntimeError("Padding value causes wrapping around more than once.")
        if mode == "replicate" and n == 0:
            raise RuntimeError(f"Expected the padded dimension to be non-empty, but got input {list(input.shape)}")
