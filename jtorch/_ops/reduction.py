"""Reductions: sum, mean, prod, max/min (values and indices), arg*, a*, std/var, norm, all/any,
logsumexp, and the cumulative ops."""
import collections

import jax
import jax.numpy as jnp

from .. import _dtype
from .._dispatch import run
from .._tensor import Tensor
from ._common import dtype_name, wrap_dim, wrap_dims
from .pointwise import write_out

_IntegerAccumulate = (_dtype.bool_, _dtype.uint8, _dtype.int8, _dtype.int16, _dtype.int32, _dtype.int64)


def _axes(input, dim):
    """None (all dims) or a sorted tuple of wrapped dims; [] and () mean all dims, as torch's."""
    if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0):
        return None
    return wrap_dims(dim, input.ndim)


def _accumulate_dtype(input, dtype):
    """sum/prod/cumsum: integers and bools accumulate in int64 unless `dtype` says otherwise."""
    if dtype is not None:
        return dtype
    return _dtype.int64 if input.dtype in _IntegerAccumulate else input.dtype


def _sum(x, *, axes, keepdim, dtype):
    return jnp.sum(x.astype(dtype), axis=axes, keepdims=keepdim)


def sum(input, dim=None, keepdim=False, *, dtype=None, out=None):
    axes = _axes(input, dim)
    name = "SumBackward0" if axes is None and not keepdim and dim is None else "SumBackward1"
    return write_out(run(_sum, name, input, axes=axes, keepdim=keepdim,
                         dtype=_accumulate_dtype(input, dtype)._np), out)


def nansum(input, dim=None, keepdim=False, *, dtype=None):
    return sum(where_nan(input, 0), dim, keepdim, dtype=dtype)


def _prod(x, *, axes, keepdim, dtype):
    return jnp.prod(x.astype(dtype), axis=axes, keepdims=keepdim)


def prod(input, dim=None, keepdim=False, *, dtype=None):
    axes = None if dim is None else (wrap_dim(dim, input.ndim),)
    return run(_prod, "ProdBackward0" if dim is None else "ProdBackward1", input, axes=axes, keepdim=keepdim,
               dtype=_accumulate_dtype(input, dtype)._np)


def _mean(x, *, axes, keepdim, dtype):
    return jnp.mean(x.astype(dtype), axis=axes, keepdims=keepdim)


def _require_floating(op_name, input, dtype):
    d = dtype or input.dtype
    if not (d.is_floating_point or d.is_complex):
        raise RuntimeError(f"{op_name}(): could not infer output dtype. Input dtype must be either a floating "
                           f"point or complex dtype. Got: {dtype_name(d)}")
    return d


def mean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    d = _require_floating("mean", input, dtype)
    axes = _axes(input, dim)
    name = "MeanBackward0" if dim is None else "MeanBackward1"
    return write_out(run(_mean, name, input, axes=axes, keepdim=keepdim, dtype=d._np), out)


def nanmean(input, dim=None, keepdim=False, *, dtype=None):
    d = _require_floating("nanmean", input, dtype)
    return run(_nanmean, "NanmeanBackward0", input, axes=_axes(input, dim), keepdim=keepdim, dtype=d._np)


def _nanmean(x, *, axes, keepdim, dtype):
    return jnp.nanmean(x.astype(dtype), axis=axes, keepdims=keepdim)


def _where_nan(x, value):
    return jnp.where(jnp.isnan(x), jnp.asarray(value, x.dtype), x)


def where_nan(input, value):
    return run(_where_nan, "WhereBackward0", input, value)


# ---- max / min -------------------------------------------------------------------------------------------

def _amax(x, *, axes, keepdim):
    return jnp.max(x, axis=axes, keepdims=keepdim)


def _amin(x, *, axes, keepdim):
    return jnp.min(x, axis=axes, keepdims=keepdim)


def _check_nonempty(input, name, axes):
    """torch refuses to reduce a zero-size dimension with an identity-less reduction."""
    for axis in range(input.ndim) if axes is None else axes:
        if input.shape[axis] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {axis} to have non-zero size.")


def amax(input, dim=(), keepdim=False, *, out=None):
    """Gradient is shared evenly between tied maxima, as torch's."""
    axes = _axes(input, dim)
    _check_nonempty(input, "amax", axes)
    return write_out(run(_amax, "AmaxBackward0", input, axes=axes, keepdim=keepdim), out)


def amin(input, dim=(), keepdim=False, *, out=None):
    axes = _axes(input, dim)
    _check_nonempty(input, "amin", axes)
    return write_out(run(_amin, "AminBackward0", input, axes=axes, keepdim=keepdim), out)


def _arg_select(x, *, axis, keepdim, largest):
    """(values, indices) along `axis`; the gradient flows only to the selected index."""
    idx = jnp.argmax(x, axis=axis) if largest else jnp.argmin(x, axis=axis)
    values = jnp.take_along_axis(x, jnp.expand_dims(idx, axis), axis=axis)
    if not keepdim:
        values = jnp.squeeze(values, axis)
    else:
        idx = jnp.expand_dims(idx, axis)
    return values, idx.astype(jnp.int64)


def _return_type(name):
    cls = collections.namedtuple(name, ["values", "indices"])
    cls.__module__ = "torch.return_types"
    return cls


_RETURN_TYPES = {name: _return_type(name) for name in ("max", "min", "sort", "topk", "kthvalue", "median", "mode",
                                                        "cummax", "cummin")}


def _max_min(input, dim, keepdim, other, largest, out):
    name = "max" if largest else "min"
    if isinstance(dim, Tensor):
        other, dim = dim, None
    if other is not None:
        from .pointwise import maximum, minimum
        return (maximum if largest else minimum)(input, other, out=out)
    if dim is None:
        if input.numel() == 0:
            raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
                               "Specify the reduction dim with the 'dim' argument.")
        return run(_amax if largest else _amin, "MaxBackward1" if largest else "MinBackward1", input, axes=None,
                   keepdim=False)
    axis = wrap_dim(dim, input.ndim)
    if input.ndim and input.shape[axis] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {axis} to have non-zero size.")
    if input.ndim == 0:
        values, indices = input.clone(), run(jnp.zeros_like, "", input).long()
    else:
        values, indices = run(_arg_select, "MaxBackward0" if largest else "MinBackward0", input, axis=axis,
                              keepdim=keepdim, largest=largest)
    return _RETURN_TYPES[name](values, indices)


def max(input, dim=None, keepdim=False, *, other=None, out=None):
    """max(), max(dim, keepdim) -> (values, indices), max(other) elementwise."""
    return _max_min(input, dim, keepdim, other, True, out)


def min(input, dim=None, keepdim=False, *, other=None, out=None):
    return _max_min(input, dim, keepdim, other, False, out)


def _argext(x, *, axis, keepdim, largest):
    if axis is None:
        x = x.reshape(-1)
        idx = jnp.argmax(x) if largest else jnp.argmin(x)
        return idx.astype(jnp.int64).reshape((1,) * 0)
    idx = jnp.argmax(x, axis=axis, keepdims=keepdim) if largest else jnp.argmin(x, axis=axis, keepdims=keepdim)
    return idx.astype(jnp.int64)


def _argext_op(input, dim, keepdim, largest):
    if input.numel() == 0:
        name = "argmax" if largest else "argmin"
        raise IndexError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0.")
    axis = None if dim is None or input.ndim == 0 else wrap_dim(dim, input.ndim)
    out = run(_argext, "", input, axis=axis, keepdim=keepdim and axis is not None, largest=largest)
    if dim is None and keepdim:
        out = out.reshape((1,) * input.ndim)
    return out


def argmax(input, dim=None, keepdim=False):
    return _argext_op(input, dim, keepdim, True)


def argmin(input, dim=None, keepdim=False):
    return _argext_op(input, dim, keepdim, False)


# ---- statistics ------------------------------------------------------------------------------------------

def _var(x, *, axes, correction, keepdim):
    return jnp.var(x, axis=axes, ddof=correction, keepdims=keepdim)


def _std(x, *, axes, correction, keepdim):
    return jnp.sqrt(_var(x, axes=axes, correction=correction, keepdim=keepdim))


def _correction(unbiased, correction):
    if correction is not None:
        return correction
    return 1 if unbiased is None or unbiased else 0


def _stat(fn, op_name, input, dim, unbiased, keepdim, correction):
    if isinstance(dim, bool):
        unbiased, dim = dim, None
    _require_floating(op_name, input, None)
    return run(fn, op_name.capitalize() + "Backward0", input, axes=_axes(input, dim), correction=_correction(unbiased, correction),
               keepdim=keepdim)


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """var(dim, unbiased, keepdim) or var(dim, correction=, keepdim=); a bool first argument means unbiased."""
    return _stat(_var, "var", input, dim, unbiased, keepdim, correction)


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    return _stat(_std, "std", input, dim, unbiased, keepdim, correction)


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    return var(input, dim, unbiased, keepdim, correction=correction), mean(input, dim, keepdim)


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    return std(input, dim, unbiased, keepdim, correction=correction), mean(input, dim, keepdim)


def _norm(x, *, p, axes, keepdim, dtype):
    x = jnp.abs(x.astype(dtype))
    if p == float("inf"):
        return jnp.max(x, axis=axes, keepdims=keepdim)
    if p == float("-inf"):
        return jnp.min(x, axis=axes, keepdims=keepdim)
    if p == 0:
        return jnp.sum((x != 0).astype(x.dtype), axis=axes, keepdims=keepdim)
    if p == 1:
        return jnp.sum(x, axis=axes, keepdims=keepdim)
    if p == 2:
        return _safe_sqrt(jnp.sum(x * x, axis=axes, keepdims=keepdim))
    return jnp.sum(x ** p, axis=axes, keepdims=keepdim) ** (1.0 / p)


@jax.custom_jvp
def _safe_sqrt(s):
    return jnp.sqrt(s)


@_safe_sqrt.defjvp
def _safe_sqrt_jvp(primals, tangents):
    """d sqrt(s) with a zero (not NaN) derivative at s == 0: torch's norm gradient at 0 is 0."""
    (s,), (ds,) = primals, tangents
    y = jnp.sqrt(s)
    return y, jnp.where(y == 0, 0.0, ds / (2 * jnp.where(y == 0, 1.0, y))).astype(y.dtype)


def norm(input, p="fro", dim=None, keepdim=False, dtype=None):
    """Vector p-norm over `dim` (all dims by default); 'fro' is the 2-norm of the flattened dims."""
    if p == "fro" or p is None:
        p = 2
    if p == "nuc":
        raise NotImplementedError("nuclear norm is provided by jtorch.linalg.matrix_norm")
    d = _require_floating("linalg.vector_norm", input, dtype)
    out_dtype = d.to_real() if d.is_complex else d
    return run(_norm, "NormBackward1", input, p=float(p), axes=_axes(input, dim), keepdim=keepdim,
               dtype=out_dtype._np if not d.is_complex else d._np)


def _all(x, *, axes, keepdim):
    return jnp.all(x.astype(bool), axis=axes, keepdims=keepdim)


def _any(x, *, axes, keepdim):
    return jnp.any(x.astype(bool), axis=axes, keepdims=keepdim)


def _bool_reduction(fn, input, dim, keepdim):
    out = run(fn, "", input, axes=_axes(input, dim), keepdim=keepdim)
    return out.to(_dtype.uint8) if input.dtype is _dtype.uint8 else out


def all(input, dim=None, keepdim=False):
    return _bool_reduction(_all, input, dim, keepdim)


def any(input, dim=None, keepdim=False):
    return _bool_reduction(_any, input, dim, keepdim)


def _logsumexp(x, *, axes, keepdim, dtype):
    return jax.nn.logsumexp(x.astype(dtype), axis=axes, keepdims=keepdim)


def logsumexp(input, dim, keepdim=False):
    dtype = input.dtype if input.dtype.is_floating_point else _dtype.get_default_dtype()
    return run(_logsumexp, "LogsumexpBackward0", input, axes=_axes(input, dim), keepdim=keepdim, dtype=dtype._np)


def count_nonzero(input, dim=None):
    return run(_count_nonzero, "", input, axes=_axes(input, dim))


def _count_nonzero(x, *, axes):
    return jnp.sum(x != 0, axis=axes).astype(jnp.int64)


# ---- cumulative ------------------------------------------------------------------------------------------

def _cumsum(x, *, axis, dtype):
    return jnp.cumsum(x.astype(dtype), axis=axis).reshape(x.shape)


def _cumprod(x, *, axis, dtype):
    return jnp.cumprod(x.astype(dtype), axis=axis).reshape(x.shape)


def _cumulative_axis(input, dim):
    wrap_dim(dim, input.ndim)
    return dim % input.ndim if input.ndim else None


def cumsum(input, dim, *, dtype=None, out=None):
    axis = _cumulative_axis(input, dim)
    return write_out(run(_cumsum, "CumsumBackward0", input, axis=axis, dtype=_accumulate_dtype(input, dtype)._np),
                     out)


def cumprod(input, dim, *, dtype=None, out=None):
    axis = _cumulative_axis(input, dim)
    return write_out(run(_cumprod, "CumprodBackward0", input, axis=axis,
                         dtype=_accumulate_dtype(input, dtype)._np), out)


def _logcumsumexp(x, *, axis):
    return jax.lax.cumlogsumexp(x, axis=axis)


def logcumsumexp(input, dim):
    return run(_logcumsumexp, "LogcumsumexpBackward0", input, axis=wrap_dim(dim, input.ndim) if input.ndim else 0)
