"""Creation ops (tensor, zeros, arange, linspace, eye, *_like...) and copies (to, clone, type conversions)."""
import math

import jax
import jax.numpy as jnp
import numpy as np

from .. import _device, _dtype
from .._dispatch import run
from .._tensor import Tensor, from_array, wrap
from ._common import shape_arg

_PY_KIND = {"b": _dtype.bool_, "i": _dtype.int64, "u": _dtype.int64}


def _infer_dtype(data, arr):
    """torch's dtype for Python data: bools -> bool, ints -> int64, floats -> default, complex -> default complex."""
    if isinstance(data, np.ndarray) or isinstance(data, np.generic):
        return _dtype.from_numpy_dtype(arr.dtype)
    kind = arr.dtype.kind
    if kind == "f":
        return _dtype.get_default_dtype()
    if kind == "c":
        return _dtype.default_complex_dtype()
    if kind in _PY_KIND:
        return _PY_KIND[kind]
    raise TypeError(f"Could not infer dtype of {type(data).__name__}")


def _to_numpy(data):
    if isinstance(data, Tensor):
        return np.asarray(data._value)
    if isinstance(data, (list, tuple)) and any(isinstance(d, (Tensor, list, tuple)) for d in data):
        parts = [_to_numpy(d) for d in data]
        if any(isinstance(d, Tensor) for d in data):
            common = _dtype.result_type(*[d for d in data if isinstance(d, Tensor)])
            return np.stack([p.astype(common._np) for p in parts]) if parts else np.zeros((0,))
        try:
            return np.asarray(parts)
        except ValueError:
            raise ValueError(f"expected sequence of length {len(parts[0])} at dim 1 (got {len(parts[-1])})") from None
    try:
        arr = np.asarray(data)
    except ValueError as e:
        raise ValueError(str(e)) from None
    if arr.dtype == object:
        raise TypeError(f"Could not infer dtype of {type(data).__name__}")
    return arr


def _place(array, dtype, device, requires_grad):
    return from_array(np.asarray(array, dtype=dtype._np) if not isinstance(array, jax.Array) else
                      array.astype(dtype._np), requires_grad=requires_grad, device=device)


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new leaf tensor copying `data` (nested sequences, numpy arrays, scalars, Tensors)."""
    arr = _to_numpy(data)
    if dtype is None:
        dtype = data.dtype if isinstance(data, Tensor) else (
            _dtype.from_numpy_dtype(arr.dtype) if _has_tensor(data) else _infer_dtype(data, arr))
    return _place(arr, dtype, device, requires_grad)


def _has_tensor(data):
    return isinstance(data, (list, tuple)) and any(isinstance(d, Tensor) or _has_tensor(d) for d in data)


def as_tensor(data, dtype=None, device=None):
    if isinstance(data, Tensor):
        return data.to(device=device, dtype=dtype) if (dtype or device) else data
    return tensor(data, dtype=dtype, device=device)


asarray = as_tensor


def from_numpy(ndarray):
    """Differs from torch: the tensor holds a copy; later writes to the array are not seen."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    return _place(ndarray, _dtype.from_numpy_dtype(ndarray.dtype), None, False)


def _fill(shape, value, dtype, device, requires_grad):
    jdev = _device.default_jax_device() if device is None else _device.to_jax(device)
    t = wrap(jnp.full(shape, value, dtype._np, device=jdev))
    return t.requires_grad_(True) if requires_grad else t


def zeros(*size, out=None, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False):
    return _fill(shape_arg(size), 0, dtype or _dtype.get_default_dtype(), device, requires_grad)


def ones(*size, out=None, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False):
    return _fill(shape_arg(size), 1, dtype or _dtype.get_default_dtype(), device, requires_grad)


def empty(*size, out=None, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False,
          memory_format=None):
    """Differs from torch: the memory is zero-filled, not uninitialised."""
    return zeros(*size, dtype=dtype, device=device, requires_grad=requires_grad)


def full(size, fill_value, *, out=None, dtype=None, device=None, requires_grad=False, layout=None,
         pin_memory=False):
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    dtype = dtype or _dtype.scalar_dtype(fill_value)
    return _fill(shape_arg((size,)), fill_value, dtype, device, requires_grad)


def _like(fn):
    def like(input, *args, dtype=None, device=None, requires_grad=False, layout=None, memory_format=None,
             pin_memory=False):
        return fn(input.shape, *args, dtype=dtype or input.dtype, device=device or input.device,
                  requires_grad=requires_grad)
    like.__name__ = fn.__name__ + "_like"
    return like


zeros_like = _like(zeros)
ones_like = _like(ones)
empty_like = _like(empty)
full_like = _like(full)


def scalar_tensor(s, *, dtype=None, device=None, requires_grad=False):
    return full((), s, dtype=dtype or _dtype.get_default_dtype(), device=device, requires_grad=requires_grad)


def arange(start, end=None, step=1, *, out=None, dtype=None, device=None, requires_grad=False, layout=None,
           pin_memory=False):
    """Values start + i*step computed in float64 (torch's CPU accumulation), then cast to `dtype`."""
    if end is None:
        start, end = 0, start
    start, end, step = (v.item() if isinstance(v, Tensor) else v for v in (start, end, step))
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError("upper bound and larger bound inconsistent with step sign")
    if dtype is None:
        floating = any(isinstance(v, float) for v in (start, end, step))
        dtype = _dtype.get_default_dtype() if floating else _dtype.int64
    n = max(math.ceil((end - start) / step), 0)
    values = start + np.arange(n, dtype=np.float64) * step if dtype.is_floating_point else \
        start + np.arange(n, dtype=np.int64) * step
    return _place(values, dtype, device, requires_grad)


def linspace(start, end, steps, *, out=None, dtype=None, device=None, requires_grad=False, layout=None):
    """torch's two-sided formula: the first half counts up from start, the second down from end."""
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    dtype = dtype or _dtype.get_default_dtype()
    compute = dtype._np if dtype.is_floating_point else np.float64
    start, end = (v.item() if isinstance(v, Tensor) else v for v in (start, end))
    if steps == 1:
        values = np.asarray([start], compute)
    else:
        step = (np.asarray(end, compute) - np.asarray(start, compute)) / np.asarray(steps - 1, compute)
        i = np.arange(steps)
        half = steps // 2
        values = np.where(i < half, np.asarray(start, compute) + step * i.astype(compute),
                          np.asarray(end, compute) - step * (steps - 1 - i).astype(compute))
    return _place(values.astype(compute), dtype, device, requires_grad)


def logspace(start, end, steps, base=10.0, *, dtype=None, device=None, requires_grad=False):
    lin = linspace(start, end, steps, dtype=_dtype.float64)
    dtype = dtype or _dtype.get_default_dtype()
    return _place(np.power(base, np.asarray(lin._value)), dtype, device, requires_grad)


def eye(n, m=None, *, out=None, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False):
    if n < 0 or (m is not None and m < 0):
        raise RuntimeError(f"n must be greater or equal to 0, got {n if n < 0 else m}")
    return _place(np.eye(n, n if m is None else m), dtype or _dtype.get_default_dtype(), device, requires_grad)


def complex(real, imag):
    return run(_complex, "ComplexBackward0", real, imag)


def _complex(re, im):
    return jax.lax.complex(re, im)


# ---- copies and conversions ------------------------------------------------------------------------------

def _convert(x, *, dtype):
    """Floats going to narrow integers pass through int64, so out-of-range values wrap as torch's CPU casts do."""
    if jnp.issubdtype(x.dtype, jnp.inexact) and jnp.issubdtype(dtype, jnp.integer) and np.dtype(dtype).itemsize < 4:
        x = x.real.astype(np.int64) if jnp.iscomplexobj(x) else x.astype(np.int64)
    return x.astype(dtype)


def _to_device(x, *, device):
    return jax.device_put(x, device)


def _parse_to(args, kwargs):
    """Tensor.to(dtype) / to(device, dtype) / to(tensor) / to(dtype=, device=); positional bools after them
    are non_blocking and copy. Returns (device, dtype, copy)."""
    device = kwargs.get("device")
    dtype = kwargs.get("dtype")
    flags = [a for a in args if isinstance(a, bool)]
    for a in args:
        if isinstance(a, bool):
            continue
        if isinstance(a, _dtype.dtype):
            dtype = a
        elif isinstance(a, Tensor):
            dtype, device = a.dtype, a.device
        elif isinstance(a, (str, _device.device, int)):
            device = a
        elif a is not None:
            raise TypeError(f"to() received an invalid combination of arguments - got ({type(a).__name__})")
    return (None if device is None else _device.device(device)), dtype, len(flags) > 1 and flags[1]


def to(input, *args, non_blocking=False, copy=False, memory_format=None, **kwargs):
    device, dtype, copy_flag = _parse_to(args, kwargs)
    copy = copy or copy_flag
    out = input
    if dtype is not None and (dtype is not input.dtype or copy):
        out = run(_convert, "ToCopyBackward0", out, dtype=dtype._np)
    if device is not None and (device != input.device or copy):
        out = run(_to_device, "ToCopyBackward0", out, device=_device.to_jax(device))
    return out


def _copy(x):
    return jnp.array(x, copy=True)


def clone(input, *, memory_format=None):
    return run(_copy, "CloneBackward0", input)


def _cast_method(dtype):
    def method(self, memory_format=None):
        return to(self, dtype)
    return method


def type_as(input, other):
    return to(input, other.dtype)


def type_(input, dtype=None, non_blocking=False):
    """Tensor.type(): with no argument, torch's legacy type string ('torch.FloatTensor')."""
    if dtype is None:
        return _LEGACY_NAMES[input.dtype]
    if isinstance(dtype, str):
        dtype = {v: k for k, v in _LEGACY_NAMES.items()}[dtype]
    return to(input, dtype)


_LEGACY_NAMES = {
    _dtype.float32: "torch.FloatTensor", _dtype.float64: "torch.DoubleTensor", _dtype.float16: "torch.HalfTensor",
    _dtype.bfloat16: "torch.BFloat16Tensor", _dtype.int64: "torch.LongTensor", _dtype.int32: "torch.IntTensor",
    _dtype.int16: "torch.ShortTensor", _dtype.int8: "torch.CharTensor", _dtype.uint8: "torch.ByteTensor",
    _dtype.bool_: "torch.BoolTensor", _dtype.complex64: "torch.ComplexFloatTensor",
    _dtype.complex128: "torch.ComplexDoubleTensor",
}


def new_factory(fn):
    """Tensor.new_zeros/new_ones/new_full/new_empty/new_tensor: dtype and device default to self's."""
    def method(self, *args, dtype=None, device=None, requires_grad=False, **kwargs):
        return fn(*args, dtype=dtype or self.dtype, device=device or self.device, requires_grad=requires_grad,
                  **kwargs)
    return method


def empty_strided(size, stride, *, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False):
    """Differs from torch: the strides are not kept (every jtorch value is contiguous) and the memory is
    zero-filled."""
    return empty(tuple(size), dtype=dtype, device=device, requires_grad=requires_grad)


def empty_permuted(size, physical_layout, *, dtype=None, device=None, requires_grad=False, layout=None,
                   pin_memory=False):
    """Differs from torch: the physical layout is not kept and the memory is zero-filled."""
    return empty(tuple(size), dtype=dtype, device=device, requires_grad=requires_grad)
