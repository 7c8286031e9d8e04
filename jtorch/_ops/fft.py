"""Discrete Fourier transforms: torch.fft's fft/ifft/rfft/irfft/hfft/ihfft in 1, 2 and n dims, and the shifts.

Real (and integer or bool) inputs compute in the default float dtype's complex counterpart, as torch's do.
The Hermitian transforms are the real ones of the conjugate with the normalisation swapped.
"""
import jax.numpy as jnp

from .. import _dtype
from .._dispatch import run
from ._common import wrap_dim, wrap_dims

_COMPLEX = {"float32": _dtype.complex64, "float64": _dtype.complex128, "float16": _dtype.complex64,
            "bfloat16": _dtype.complex64}
_SWAPPED = {"backward": "forward", "forward": "backward", "ortho": "ortho"}


def _complex_dtype(input):
    if input.dtype.is_complex:
        return input.dtype
    floating = input.dtype if input.dtype.is_floating_point else _dtype.get_default_dtype()
    return _COMPLEX[floating._name]


def _real_dtype(input, name):
    if input.dtype.is_complex:
        raise RuntimeError(f"{name} expects a real input tensor, but got {str(input.dtype).replace('torch.', '')}")
    return input.dtype if input.dtype.is_floating_point else _dtype.get_default_dtype()


def _norm(norm):
    if norm not in (None, "backward", "forward", "ortho"):
        raise ValueError(f"Invalid normalization mode: {norm}")
    return norm or "backward"


def _transform(x, *, kind, s, axes, norm, dtype, conj_in, conj_out):
    x = x.astype(dtype)
    if conj_in:
        x = jnp.conj(x)
    out = getattr(jnp.fft, kind)(x, s=s, axes=axes, norm=norm)
    return jnp.conj(out) if conj_out else out


def _signal(input, s, dim):
    """(s, axes) as static tuples; dim None means all dims (the last len(s) when s is given)."""
    if s is not None:
        s = (s,) if isinstance(s, int) else tuple(int(v) for v in s)
    if dim is None:
        axes = tuple(range(input.ndim)) if s is None else tuple(range(input.ndim - len(s), input.ndim))
    elif isinstance(dim, int):
        axes = (wrap_dim(dim, input.ndim),)
    else:
        axes = tuple(wrap_dim(d, input.ndim) for d in dim)
        if len(set(axes)) != len(axes):
            raise RuntimeError("FFT dims must be unique")
    if s is not None:
        if len(s) != len(axes):
            raise RuntimeError("When given, dim and shape arguments must have the same length")
        s = tuple(input.shape[a] if v == -1 else v for a, v in zip(axes, s))
    return s, axes


def _op(kind, grad_name, real_input=False, hermitian=None):
    """A transform; `hermitian` ('in' or 'out') conjugates around the real transform with the norm swapped."""
    def op(input, s=None, dim=None, norm=None):
        norm = _norm(norm)
        dtype = _real_dtype(input, kind) if real_input else _complex_dtype(input)
        s, axes = _signal(input, s, dim)
        if hermitian:
            norm = _SWAPPED[norm]
        return run(_transform, grad_name, input, kind=kind, s=s, axes=axes, norm=norm, dtype=dtype._np,
                   conj_in=hermitian == "in", conj_out=hermitian == "out")
    return op


def _one_dim(nd_op):
    def op(input, n=None, dim=-1, norm=None):
        return nd_op(input, None if n is None else (n,), (dim,), norm)
    return op


def _two_dim(nd_op):
    def op(input, s=None, dim=(-2, -1), norm=None):
        return nd_op(input, s, dim, norm)
    return op


fftn = _op("fftn", "FftC2CBackward0")
ifftn = _op("ifftn", "FftC2CBackward0")
rfftn = _op("rfftn", "FftR2CBackward0", real_input=True)
irfftn = _op("irfftn", "FftC2RBackward0")
hfftn = _op("irfftn", "FftC2RBackward0", hermitian="in")
ihfftn = _op("rfftn", "FftR2CBackward0", real_input=True, hermitian="out")
fft, ifft, rfft, irfft, hfft, ihfft = map(_one_dim, (fftn, ifftn, rfftn, irfftn, hfftn, ihfftn))
fft2, ifft2, rfft2, irfft2, hfft2, ihfft2 = map(_two_dim, (fftn, ifftn, rfftn, irfftn, hfftn, ihfftn))


def _shift(x, *, axes, inverse):
    return jnp.fft.ifftshift(x, axes) if inverse else jnp.fft.fftshift(x, axes)


def fftshift(input, dim=None):
    axes = tuple(range(input.ndim)) if dim is None else wrap_dims(dim, input.ndim)
    return run(_shift, "RollBackward0", input, axes=axes, inverse=False)


def ifftshift(input, dim=None):
    axes = tuple(range(input.ndim)) if dim is None else wrap_dims(dim, input.ndim)
    return run(_shift, "RollBackward0", input, axes=axes, inverse=True)
