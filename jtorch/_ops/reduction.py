"""Reductions: sum, mean, prod, max/min, arg*, a*, std/var, norm, all/any, logsumexp, the cumulative ops,
and the order statistics (sort, argsort, topk, kthvalue, median, mode, unique).

Each op validates its arguments in Python (torch's exceptions) and runs as one dispatch. Order statistics
sort stably (NaN largest), so among ties they return the first index in ascending order; torch's CPU kernels
leave the index among ties unspecified and differ from that on long rows.
"""
import functools
import math

import jax
import jax.numpy as jnp
from jax import lax

from .. import _dtype
from .._dispatch import bound, planned_unary, run
from .._tensor import Tensor
from ._common import dtype_name, float_result, wrap_dim, wrap_dims
from .pointwise import maximum, minimum, write_out

# ---- arguments ---------------------------------------------------------------------------------------------

def _axes(input, dim, empty=None):
    """None (all dims) or a sorted tuple of wrapped dims; () for 0-d. [] and () give `empty`: all dims (None),
    except for all/any, which reduce no dim."""
    if dim is None:
        return None
    if isinstance(dim, (tuple, list)) and len(dim) == 0:
        return empty
    axes = wrap_dims(dim, input.ndim)
    return axes if input.ndim else ()


def _axis(input, dim):
    """A single wrapped dim, or None for a 0-d input (which kernels treat as one element)."""
    if not isinstance(dim, int):
        raise TypeError(f"argument 'dim' must be int, not {type(dim).__name__}")
    axis = wrap_dim(dim, input.ndim)
    return axis if input.ndim else None


def _along(x, axis):
    """(x as at least 1-D, axis): kernels see a 0-d input as a 1-element vector."""
    return (x.reshape(1), 0) if axis is None else (x, axis)


def _accumulate_dtype(input, dtype):
    """sum/prod/cumsum: integers and bools accumulate in int64 unless `dtype` says otherwise."""
    if dtype is not None:
        return dtype
    return input.dtype if input.dtype.is_floating_point or input.dtype.is_complex else _dtype.int64


def _require_floating(input, dtype, message):
    d = dtype or input.dtype
    if not (d.is_floating_point or d.is_complex):
        raise RuntimeError(message.format(dtype_name(d)))
    return d


def _check_reducible(name, input, axes, empty_error=RuntimeError):
    """torch refuses identity-less reductions (max, argmax...) over zero-size dims; axes: None (all dims), an
    int or a tuple."""
    if axes is None and input.numel() == 0:
        message = f"{name}(): Expected reduction dim to be specified for input.numel() == 0."
        if empty_error is RuntimeError:
            message += " Specify the reduction dim with the 'dim' argument."
        raise empty_error(message)
    for axis in (axes,) if isinstance(axes, int) else axes or ():
        if input.shape[axis] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {axis} to have non-zero size.")


def _not_bool(name, input, error=RuntimeError, message="{name}(): does not support bool input"):
    if input.dtype is _dtype.bool_:
        raise error(message.format(name=name))


# ---- plain reductions: one kernel -----------------------------------------------------------------------

def _reduce(x, *, op, axes, keepdim, dtype=None):
    """op over `axes` of x cast to `dtype` (None: as is); the result keeps `dtype`."""
    if dtype is not None:
        x = x.astype(dtype)
    out = op(x, axis=axes, keepdims=keepdim)
    return out if dtype is None else out.astype(dtype)


def _logical(op):
    """all/any: bool results, except uint8 inputs give uint8 (torch's legacy rule)."""
    def reduce(x, axis, keepdims):
        return op(x, axis=axis, keepdims=keepdims).astype(jnp.uint8 if x.dtype == jnp.uint8 else jnp.bool_)
    return reduce


_all = _logical(jnp.all)
_any = _logical(jnp.any)


def _count_nonzero(x, axis, keepdims):
    return jnp.count_nonzero(x, axis=axis, keepdims=keepdims).astype(jnp.int64)


def _reduction(op, name, input, dim, keepdim, dtype, out, empty=None):
    return write_out(run(_reduce, name, input, op=op, axes=_axes(input, dim, empty), keepdim=keepdim,
                         dtype=None if dtype is None else dtype._np), out)


def _reduction_kernel(op, name_without_dim, name_with_dim, result_dtype):
    """sum/mean on (input, dim, keepdim, dtype): their Python work (dims, dtype, checks) memoised on input's
    signature and the options."""
    @planned_unary
    def kernel(input, dim, keepdim, dtype):
        name = name_without_dim if dim is None and not keepdim else name_with_dim
        return bound(_reduce, name, op=op, axes=_axes(input, dim), keepdim=keepdim,
                     dtype=result_dtype(input, dtype)._np)
    return kernel


_sum = _reduction_kernel(jnp.sum, "SumBackward0", "SumBackward1", _accumulate_dtype)


def sum(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Differs from torch: `torch.sum(x, None)` is named SumBackward0 here (as `x.sum()`), not SumBackward1."""
    return write_out(_sum(input, dim, keepdim, dtype), out)


def nansum(input, dim=None, keepdim=False, *, dtype=None, out=None):
    return _reduction(jnp.nansum, "NansumBackward0", input, dim, keepdim, _accumulate_dtype(input, dtype), out)


def prod(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """dim is one int (torch has no tuple form); the gradient is exact with zeros in the input."""
    if dim is None:
        if keepdim:
            raise TypeError("prod(): keepdim requires an int dim")
        axes, name = None, "ProdBackward0"
    else:
        axes, name = _axis(input, dim), "ProdBackward1"
        axes = () if axes is None else (axes,)
    return write_out(run(_reduce, name, input, op=jnp.prod, axes=axes, keepdim=keepdim,
                         dtype=_accumulate_dtype(input, dtype)._np), out)


def _mean_dtype(input, dtype):
    kind = "Input" if dtype is None else "Optional"
    return _require_floating(input, dtype, "mean(): could not infer output dtype. " + kind +
                             " dtype must be either a floating point or complex dtype. Got: {}")


_mean = _reduction_kernel(jnp.mean, "MeanBackward0", "MeanBackward1", _mean_dtype)


def mean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Differs from torch: `torch.mean(x, None)` is named MeanBackward0 here (as `x.mean()`)."""
    return write_out(_mean(input, dim, keepdim, dtype), out)


def nanmean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Named DivBackward0 as torch's (its nanmean is nansum / count)."""
    _require_floating(input, None, "nanmean(): expected input to have floating point or complex dtype but got {}")
    return _reduction(jnp.nanmean, "DivBackward0", input, dim, keepdim, dtype or input.dtype, out)


def amax(input, dim=(), keepdim=False, *, out=None):
    """Gradient shared evenly between tied maxima, as torch's."""
    axes = _axes(input, dim)
    _check_reducible("amax", input, axes)
    return write_out(run(_reduce, "AmaxBackward0", input, op=_amax, axes=axes, keepdim=keepdim), out)


def amin(input, dim=(), keepdim=False, *, out=None):
    axes = _axes(input, dim)
    _check_reducible("amin", input, axes)
    return write_out(run(_reduce, "AminBackward0", input, op=_amin, axes=axes, keepdim=keepdim), out)


def all(input, dim=None, keepdim=False, *, out=None):
    """dim=() reduces no dim (only tests each element), as torch's."""
    return _reduction(_all, "", input, dim, keepdim, None, out, empty=())


def any(input, dim=None, keepdim=False, *, out=None):
    return _reduction(_any, "", input, dim, keepdim, None, out, empty=())


def count_nonzero(input, dim=None):
    return _reduction(_count_nonzero, "", input, dim, False, None, None)


@functools.partial(jax.custom_jvp, nondiff_argnums=(1, 2))
def _logsumexp(x, axis, keepdims):
    return jax.nn.logsumexp(x, axis=axis, keepdims=keepdims)


@_logsumexp.defjvp
def _logsumexp_jvp(axis, keepdims, primals, tangents):
    """torch's backward, exp(x - result): exact softmax except where rounding makes result == max(x)."""
    (x,), (dx,) = primals, tangents
    out = _logsumexp(x, axis, keepdims)
    kept = out if keepdims else jnp.expand_dims(out, tuple(range(x.ndim)) if axis is None else axis)
    return out, jnp.sum(jnp.exp(x - kept) * dx, axis=axis, keepdims=keepdims)


def logsumexp(input, dim, keepdim=False, *, out=None):
    """Integer and bool inputs give the default float dtype; the gradient is torch's exp(x - result)."""
    return _reduction(_logsumexp, "LogsumexpBackward0", input, dim, keepdim, float_result(input.dtype), out)


# ---- max / min and their indices ---------------------------------------------------------------------------

@functools.partial(jax.custom_vjp, nondiff_argnums=(1, 2, 3))
def _shared_extreme(x, op, axis, keepdims):
    return op(x, axis=axis, keepdims=keepdims)


def _shared_extreme_fwd(x, op, axis, keepdims):
    out = op(x, axis=axis, keepdims=keepdims)
    return out, (x, out)


def _shared_extreme_bwd(op, axis, keepdims, saved, grad):
    """torch's amax/amin backward: grad split evenly between the elements equal to the result; NaN everywhere
    when the result is NaN (no element equals it). Written out so XLA cannot fold 0/0 * 0 into 0."""
    x, out = saved
    axes = tuple(range(x.ndim)) if axis is None else axis
    if not keepdims:
        out, grad = jnp.expand_dims(out, axes), jnp.expand_dims(grad, axes)
    mask = x == out
    count = jnp.sum(mask, axis=axes, keepdims=True)
    share = jnp.where(mask, grad / count, 0)
    return (jnp.where(count == 0, jnp.nan, share).astype(x.dtype),)


_shared_extreme.defvjp(_shared_extreme_fwd, _shared_extreme_bwd)


def _amax(x, axis, keepdims):
    if jnp.issubdtype(x.dtype, jnp.inexact):
        return _shared_extreme(x, jnp.max, axis, keepdims)
    return jnp.max(x, axis=axis, keepdims=keepdims)


def _amin(x, axis, keepdims):
    if jnp.issubdtype(x.dtype, jnp.inexact):
        return _shared_extreme(x, jnp.min, axis, keepdims)
    return jnp.min(x, axis=axis, keepdims=keepdims)


@jax.custom_jvp
def _evenly(x, value):
    """`value` (a reduction of x) with torch's evenly_distribute_backward: the gradient is split between the
    elements equal to value, or between the NaNs when value is NaN."""
    return value


@_evenly.defjvp
def _evenly_jvp(primals, tangents):
    x, value = primals
    mask = jnp.where(jnp.isnan(value), jnp.isnan(x), x == value)
    share = jnp.sum(jnp.where(mask, tangents[0], 0)) / jnp.sum(mask)
    return value, share.astype(value.dtype)


def _evenly_shared(x, value):
    return _evenly(x, lax.stop_gradient(value)) if jnp.issubdtype(x.dtype, jnp.inexact) else value


def _extreme(x, *, largest):
    return _evenly_shared(x, jnp.max(x) if largest else jnp.min(x))


def _extreme_at(x, *, axis, keepdim, largest):
    """(values, indices) along `axis`, first index of the extreme (NaN counts as extreme); the gradient goes to
    that index."""
    y, axis = _along(x, axis)
    find = jnp.argmax if largest else jnp.argmin
    idx = find(y, axis=axis, keepdims=True)
    return _index_result(y, idx, axis, keepdim and x.ndim > 0)


def _index_result(y, idx, axis, keepdim):
    """(y at idx along axis, idx as int64), squeezing `axis` unless keepdim."""
    values = jnp.take_along_axis(y, idx, axis=axis)
    if not keepdim:
        values, idx = jnp.squeeze(values, axis), jnp.squeeze(idx, axis)
    return values, idx.astype(jnp.int64)


class _ReturnType(tuple):
    """torch.return_types.*: a (values, indices) tuple with named fields and torch's repr."""
    __slots__ = ()
    values = property(lambda self: self[0])
    indices = property(lambda self: self[1])

    def __new__(cls, values, indices):
        return tuple.__new__(cls, (values, indices))

    def __repr__(self):
        return f"torch.return_types.{type(self).__name__}(\nvalues={self[0]!r},\nindices={self[1]!r})"


RETURN_TYPES = {name: type(name, (_ReturnType,), {"__slots__": (), "__module__": "torch.return_types"})
                for name in ("max", "min", "sort", "topk", "kthvalue", "median", "nanmedian", "mode")}


def _named(name, values_indices, out=None):
    if out is not None:
        values_indices = tuple(write_out(r, o) for r, o in zip(values_indices, out))
    return RETURN_TYPES[name](*values_indices)


def _max_min(name, largest, input, dim, keepdim, other, out):
    if isinstance(dim, Tensor):
        other, dim = dim, None
    if other is not None:
        return (maximum if largest else minimum)(input, other, out=out)
    grad_name = ("MaxBackward" if largest else "MinBackward") + ("1" if dim is None else "0")
    if dim is None:
        _check_reducible(name, input, None)
        return write_out(run(_extreme, grad_name, input, largest=largest), out)
    axis = _axis(input, dim)
    _check_reducible(name, input, axis)
    return _named(name, run(_extreme_at, grad_name, input, axis=axis, keepdim=keepdim, largest=largest), out)


def max(input, dim=None, keepdim=False, *, other=None, out=None):
    """max() -> value; max(dim, keepdim) -> (values, indices); max(other) elementwise.

    max() shares the gradient evenly between ties (or NaNs); max(dim) sends it to the returned index."""
    return _max_min("max", True, input, dim, keepdim, other, out)


def min(input, dim=None, keepdim=False, *, other=None, out=None):
    return _max_min("min", False, input, dim, keepdim, other, out)


def _arg_extreme(x, *, axis, keepdim, largest):
    find = jnp.argmax if largest else jnp.argmin
    if axis is None:
        idx = find(x.reshape(-1))
        return idx.reshape((1,) * x.ndim if keepdim else ()).astype(jnp.int64)
    return find(x, axis=axis, keepdims=keepdim).astype(jnp.int64)


def _arg_op(name, largest, input, dim, keepdim, out):
    _not_bool(name, input)
    axis = None if dim is None else _axis(input, dim)
    _check_reducible(name, input, axis, IndexError)
    return write_out(run(_arg_extreme, "", input, axis=axis, keepdim=keepdim, largest=largest), out)


def argmax(input, dim=None, keepdim=False, *, out=None):
    """Index of the first maximum (or first NaN); dim=None indexes the flattened input."""
    return _arg_op("argmax", True, input, dim, keepdim, out)


def argmin(input, dim=None, keepdim=False, *, out=None):
    return _arg_op("argmin", False, input, dim, keepdim, out)


# ---- statistics ------------------------------------------------------------------------------------------

@jax.custom_jvp
def _safe_sqrt(s):
    return jnp.sqrt(s)


@_safe_sqrt.defjvp
def _safe_sqrt_jvp(primals, tangents):
    """d sqrt(s) with a zero (not infinite) derivative at s == 0, as torch's std backward."""
    (s,), (ds,) = primals, tangents
    y = jnp.sqrt(s)
    return y, jnp.where(y == 0, 0, ds / (2 * jnp.where(y == 0, 1, y))).astype(y.dtype)


def _moments(x, *, axes, correction, keepdim, root, with_mean):
    """var (std when `root`); (it, mean) when `with_mean`. As torch's, the value divides by max(0, N - correction)
    and the gradient by N - correction."""
    mean = jnp.mean(x, axis=axes, keepdims=True)
    dev = x - mean
    divisor = math.prod(x.shape[a] for a in (range(x.ndim) if axes is None else axes)) - correction
    squares = jnp.sum(jnp.real(dev * jnp.conj(dev)), axis=axes, keepdims=keepdim)
    var = squares / divisor
    if divisor < 0:
        var = var + lax.stop_gradient(squares / 0 - var)
    out = _safe_sqrt(var) if root else var
    return (out, mean if keepdim else jnp.squeeze(mean, axes)) if with_mean else out


def _statistic(name, input, dim, unbiased, keepdim, correction, root, with_mean):
    if isinstance(dim, bool):
        unbiased, dim = dim, None
    if unbiased is not None and correction is not None:
        raise TypeError(f"{name}(): pass either unbiased or correction, not both")
    _require_floating(input, None, ("std and var" if not with_mean else name) +
                      " only support floating point and complex dtypes")
    if correction is None:
        correction = 0 if unbiased is False else 1
    grad_name = {"var": "VarBackward0", "std": "StdBackward0", "var_mean": "VarMeanBackward0",
                 "std_mean": "StdMeanBackward0"}[name]
    return run(_moments, grad_name, input, axes=_axes(input, dim), correction=correction, keepdim=keepdim,
               root=root, with_mean=with_mean)


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """var(dim, unbiased, keepdim) or var(dim, correction=, keepdim=); a bool second argument means unbiased.
    N - correction <= 0 gives inf or NaN, as torch's (without its warning)."""
    return write_out(_statistic("var", input, dim, unbiased, keepdim, correction, False, False), out)


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """Gradient 0 where std is 0, as torch's."""
    return write_out(_statistic("std", input, dim, unbiased, keepdim, correction, True, False), out)


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    return _statistic("var_mean", input, dim, unbiased, keepdim, correction, False, True)


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    return _statistic("std_mean", input, dim, unbiased, keepdim, correction, True, True)


# ---- norms ------------------------------------------------------------------------------------------------

@functools.partial(jax.custom_jvp, nondiff_argnums=(1, 2, 3))
def _p_norm(x, p, axes, keepdim):
    a = jnp.abs(x)
    if p == 2:
        return jnp.sqrt(jnp.sum(a * a, axis=axes, keepdims=keepdim))
    return jnp.sum(a ** p, axis=axes, keepdims=keepdim) ** (1 / p)


@_p_norm.defjvp
def _p_norm_jvp(p, axes, keepdim, primals, tangents):
    """torch's norm_backward: zero gradient at zero entries (p < 1) and at zero norms (p >= 1)."""
    (x,), (dx,) = primals, tangents
    norm = _p_norm(x, p, axes, keepdim)
    slope = jnp.sign(x) * jnp.abs(x) ** (p - 1)
    if p < 1:
        slope, scale = jnp.where(x == 0, 0, slope), norm ** (1 - p)
    else:
        scale = jnp.where(norm == 0, 0, 1 / jnp.where(norm == 0, 1, norm ** (p - 1)))
    return norm, (jnp.sum(jnp.real(slope * dx), axis=axes, keepdims=keepdim) * scale).astype(norm.dtype)


def _magnitude(x):
    """|x| with the derivative sgn(x), 0 at 0 (as torch's norm backward); jnp.abs has 1 at 0."""
    return jnp.abs(x) if jnp.iscomplexobj(x) else x * lax.stop_gradient(jnp.sign(x))


def _vector_norm(x, *, p, axes, keepdim, dtype):
    x = x.astype(dtype)
    if p in (float("inf"), float("-inf")):
        a = _magnitude(x)
        return jnp.max(a, axis=axes, keepdims=keepdim) if p > 0 else jnp.min(a, axis=axes, keepdims=keepdim)
    if p == 0:
        return jnp.sum(x != 0, axis=axes, keepdims=keepdim).astype(jnp.abs(x).dtype)
    return _p_norm(x, p, axes, keepdim)


def normalized(x, eps, *, p, axis):
    """x / max(||x||_p along axis, eps), with torch's norm gradient (0 at a zero norm): F.normalize."""
    return x / jnp.maximum(_vector_norm(x, p=p, axes=(axis,), keepdim=True, dtype=x.dtype), eps)


def _nuclear_norm(x, *, axes, keepdim, dtype):
    y = jnp.moveaxis(x.astype(dtype), axes, (-2, -1))
    out = jnp.sum(jnp.linalg.svd(y, compute_uv=False), axis=-1)
    return jnp.expand_dims(out, axes) if keepdim else out


def _matrix_dims(input, dim):
    dims = tuple(range(input.ndim)) if dim is None else (dim,) if isinstance(dim, int) else tuple(dim)
    if len(dims) != 2:
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {' '.join(map(str, dims))}")
    return wrap_dims(dims, input.ndim)


def norm(input, p="fro", dim=None, keepdim=False, out=None, dtype=None):
    """Vector p-norm over `dim` (all dims by default); 'fro' is the 2-norm over at most 2 dims, 'nuc' the
    nuclear norm over 2 dims. Differs from torch: p=0 gives a zero gradient where torch gives none."""
    d = _require_floating(input, None, "linalg.vector_norm: Expected a floating point or complex tensor as input. "
                                       "Got {}")
    if dtype is not None and _dtype.promote_types(d, dtype) is not dtype:
        raise RuntimeError(f"linalg.vector_norm: the dtype of the input ({dtype_name(d)}) should be convertible "
                           f"without narrowing to the specified dtype ({dtype_name(dtype)})")
    d = dtype or d
    if p == "nuc":
        return write_out(run(_nuclear_norm, "SumBackward1", input, axes=_matrix_dims(input, dim), keepdim=keepdim,
                             dtype=d._np), out)
    if isinstance(p, str):
        if p != "fro":
            raise RuntimeError(f"linalg.matrix_norm: Order {p} not supported.")
        if dim is not None and not isinstance(dim, int) and len(dim) > 2:
            _matrix_dims(input, dim)
        p = 2
    axes = _axes(input, dim)
    if p < 0 or p == float("inf"):
        if 0 in (input.shape[a] for a in (range(input.ndim) if axes is None else axes)):
            raise RuntimeError(f"linalg.vector_norm cannot compute the {p:g} norm on an empty tensor because the "
                               "operation does not have an identity")
    return write_out(run(_vector_norm, "LinalgVectorNormBackward0", input, p=float(p), axes=axes,
                         keepdim=keepdim, dtype=d._np), out)


# ---- cumulative ------------------------------------------------------------------------------------------

def _cumulative(x, *, op, axis, dtype):
    """op along axis in `dtype`; float16/bfloat16 accumulate in float32, as torch's."""
    y, axis = _along(x.astype(_accumulator(dtype)), axis)
    return op(y, axis=axis).reshape(x.shape).astype(dtype)


def _accumulator(dtype):
    return jnp.float32 if dtype in (jnp.float16, jnp.bfloat16) else dtype


def _cumulative_op(op, name, input, dim, dtype, out):
    return write_out(run(_cumulative, name, input, op=op, axis=_axis(input, dim), dtype=dtype._np), out)


def cumsum(input, dim, *, dtype=None, out=None):
    return _cumulative_op(jnp.cumsum, "CumsumBackward0", input, dim, _accumulate_dtype(input, dtype), out)


def cumprod(input, dim, *, dtype=None, out=None):
    """Gradient exact with zeros in the input."""
    return _cumulative_op(jnp.cumprod, "CumprodBackward0", input, dim, _accumulate_dtype(input, dtype), out)


def logcumsumexp(input, dim, *, out=None):
    if not (input.dtype.is_floating_point or input.dtype.is_complex):
        raise NotImplementedError(f"\"logcumsumexp_out_cpu\" not implemented for '{dtype_name(input.dtype)}'")
    return _cumulative_op(lax.cumlogsumexp, "LogcumsumexpBackward0", input, dim, input.dtype, out)


# ---- order statistics ------------------------------------------------------------------------------------

def _sorted(y, axis, descending):
    """(values, indices) of a stable sort along axis; NaN sorts as the largest value."""
    idx = jnp.argsort(y, axis=axis, stable=True, descending=descending)
    return jnp.take_along_axis(y, idx, axis=axis), idx


def _sort(x, *, axis, descending):
    values, idx = _sorted(*_along(x, axis), descending)
    return values.reshape(x.shape), idx.astype(jnp.int64).reshape(x.shape)


def _argsort(x, *, axis, descending):
    return _sort(x, axis=axis, descending=descending)[1]


def sort(input, dim=-1, descending=False, *, stable=None, out=None):
    """Always stable: ties keep their input order (torch's unstable CPU sort may order long rows otherwise).
    Named SortBackward1 when `stable` is given, as torch's overload."""
    name = "SortBackward0" if stable is None else "SortBackward1"
    return _named("sort", run(_sort, name, input, axis=_axis(input, dim), descending=descending), out)


def argsort(input, dim=-1, descending=False, *, stable=None):
    """Always stable, as sort."""
    return run(_argsort, "", input, axis=_axis(input, dim), descending=descending)


def _topk(x, *, k, axis, largest):
    y, ax = _along(x, axis)
    values, idx = (lax.slice_in_dim(a, 0, k, axis=ax) for a in _sorted(y, ax, largest))
    shape = x.shape if axis is None else values.shape
    return values.reshape(shape), idx.astype(jnp.int64).reshape(shape)


def topk(input, k, dim=-1, largest=True, sorted=True, *, out=None):
    """Always sorted, and ties in input order (torch leaves both unspecified for sorted=False and ties)."""
    axis = _axis(input, dim)
    size = 1 if axis is None else input.shape[axis]
    if not 0 <= k <= size:
        raise RuntimeError("selected index k out of range")
    _not_bool("topk", input, message="topk does not support bool dtypes on CPU")
    if axis is None:
        k = 1
    return _named("topk", run(_topk, "TopkBackward0", input, k=k, axis=axis, largest=largest), out)


def _kthvalue(x, *, k, axis, keepdim):
    y, axis = _along(x, axis)
    _, idx = _sorted(y, axis, False)
    return _index_result(y, lax.slice_in_dim(idx, k - 1, k, axis=axis), axis, keepdim and x.ndim > 0)


def _not_implemented_for_bool(kernel, input):
    _not_bool(kernel, input, NotImplementedError, "\"{name}\" not implemented for 'Bool'")


def kthvalue(input, k, dim=-1, keepdim=False, *, out=None):
    """k-th smallest (1-based) along dim; NaN counts as the largest value."""
    axis = _axis(input, dim)
    _check_reducible("kthvalue", input, axis)
    if not 1 <= k <= (1 if axis is None else input.shape[axis]):
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {axis or 0}")
    _not_implemented_for_bool("kthvalue_cpu", input)
    return _named("kthvalue", run(_kthvalue, "KthvalueBackward0", input, k=k, axis=axis, keepdim=keepdim), out)


def _median_at(x, *, axis, keepdim, ignore_nan):
    """(values, indices) of the lower median along axis: NaN if the row has one (its first NaN), or the median
    of the non-NaN values when `ignore_nan`."""
    y, axis = _along(x, axis)
    values, idx = _sorted(y, axis, False)
    n = y.shape[axis]
    nans = jnp.sum(jnp.isnan(values), axis=axis, keepdims=True) if jnp.issubdtype(y.dtype, jnp.inexact) else 0
    if ignore_nan:
        pos = jnp.maximum((n - nans - 1) // 2, 0)
    else:
        pos = jnp.where(nans > 0, n - nans, (n - 1) // 2)
    pos = jnp.broadcast_to(pos, values.shape[:axis] + (1,) + values.shape[axis + 1:])
    return _index_result(y, jnp.take_along_axis(idx, pos, axis=axis), axis, keepdim and x.ndim > 0)


def _median(x, *, ignore_nan):
    if x.size == 0:
        return jnp.full((), jnp.nan).astype(x.dtype)
    flat = x.reshape(-1)
    value, _ = _median_at(flat, axis=0, keepdim=False, ignore_nan=ignore_nan)
    return _evenly_shared(flat, value)


def _median_op(name, ignore_nan, input, dim, keepdim, out):
    _not_implemented_for_bool("median_cpu" if dim is None else "median_out", input)
    grad_name = ("NanmedianBackward" if ignore_nan else "MedianBackward") + ("0" if dim is None else "1")
    if dim is None:
        return write_out(run(_median, grad_name, input, ignore_nan=ignore_nan), out)
    axis = _axis(input, dim)
    _check_reducible(name, input, axis)
    return _named(name, run(_median_at, grad_name, input, axis=axis, keepdim=keepdim, ignore_nan=ignore_nan),
                  out)


def median(input, dim=None, keepdim=False, *, out=None):
    """The lower median; NaN if there is one. median() shares the gradient evenly between ties, median(dim)
    sends it to the returned index."""
    return _median_op("median", False, input, dim, keepdim, out)


def nanmedian(input, dim=None, keepdim=False, *, out=None):
    """median ignoring NaNs."""
    return _median_op("nanmedian", True, input, dim, keepdim, out)


def _mode(x, *, axis, keepdim):
    """Most frequent value along axis (the smallest among equally frequent ones) and its last index."""
    y, axis = _along(x, axis)
    y = jnp.moveaxis(y, axis, -1)
    values, order = _sorted(y, -1, False)
    pos = jnp.arange(y.shape[-1])
    starts = jnp.ones(y.shape, bool).at[..., 1:].set(values[..., 1:] != values[..., :-1])
    run_length = pos - lax.cummax(jnp.where(starts, pos, 0), axis=y.ndim - 1) + 1
    best = jnp.argmax(run_length, axis=-1, keepdims=True)
    out = _index_result(y, jnp.take_along_axis(order, best, axis=-1), y.ndim - 1, True)
    out = tuple(jnp.moveaxis(o, -1, axis) for o in out)
    return out if keepdim and x.ndim else tuple(jnp.squeeze(o, axis) for o in out)


def mode(input, dim=-1, keepdim=False, *, out=None):
    """Differs from torch on long rows with ties, where torch's CPU kernel picks an unspecified index."""
    axis = _axis(input, dim)
    _check_reducible("mode", input, axis)
    return _named("mode", run(_mode, "ModeBackward0", input, axis=axis, keepdim=keepdim), out)


def _unique(x, *, axis):
    """Padded unique values (or slices along axis), inverse indices, padded counts, and the number of uniques."""
    rows = x.reshape(-1, 1) if axis is None else jnp.moveaxis(x, axis, 0)
    rows = rows.reshape(rows.shape[0], math.prod(rows.shape[1:]))
    n = rows.shape[0]
    order = jnp.lexsort(tuple(rows[:, j] for j in reversed(range(rows.shape[1])))) if rows.shape[1] else \
        jnp.arange(n)
    ranked = rows[order]
    starts = jnp.ones(n, bool).at[1:].set(jnp.any(ranked[1:] != ranked[:-1], axis=1))
    ids = jnp.cumsum(starts) - 1
    values = jnp.zeros_like(ranked).at[ids].set(ranked)
    inverse = jnp.zeros(n, jnp.int64).at[order].set(ids)
    counts = jnp.zeros(n, jnp.int64).at[ids].add(1)
    if axis is None:
        return values.reshape(-1), inverse.reshape(x.shape), counts, jnp.sum(starts)
    moved = jnp.moveaxis(x, axis, 0).shape
    return jnp.moveaxis(values.reshape(moved), 0, axis), inverse, counts, jnp.sum(starts)


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """Sorted unique values (or slices along dim; sorted=False sorts too, as torch's CPU kernel); each NaN is
    its own value, as torch's.

    The number of uniques is read back to the host (the output shape depends on it). Differs from torch:
    the outputs never require grad (torch's require grad but cannot be differentiated)."""
    axis = None if dim is None else wrap_dim(dim, input.ndim)
    if axis is not None and 0 in input.shape[:axis] + input.shape[axis + 1:]:
        raise RuntimeError("There are 0 sized dimensions, and they aren't selected, so unique cannot be applied")
    values, inverse, counts, count = run(_unique, "", input.detach(), axis=axis)
    count = int(count)
    values = values.narrow(axis or 0, 0, count)
    extras = (inverse,) * return_inverse + (counts[:count],) * return_counts
    return (values,) + extras if extras else values
