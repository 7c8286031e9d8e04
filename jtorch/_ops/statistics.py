"""Statistics over values: quantiles, histograms and counts, searching sorted sequences, membership, running
extrema, differences and trapezoidal integrals, covariance and correlation, distances.

Ops whose output size depends on the data (bincount) read that size back to the host first.
"""
import math

import jax.numpy as jnp
from jax import lax

from .. import _dtype
from .._dispatch import run
from .._tensor import Tensor
from ._common import dtype_name, float_result, wrap_dim
from .reduction import RETURN_TYPES, _ReturnType, amax, amin, norm, sort


def _return_type(name, first="values", second="indices"):
    """A torch.return_types pair named `name` with fields (first, second)."""
    def __repr__(self):
        return f"torch.return_types.{name}(\n{first}={self[0]!r},\n{second}={self[1]!r})"
    RETURN_TYPES[name] = type(name, (_ReturnType,), {
        "__slots__": (), "__module__": "torch.return_types", "__repr__": __repr__,
        first: property(lambda self: self[0]), second: property(lambda self: self[1])})


_return_type("cummax")
_return_type("cummin")
_return_type("aminmax", "min", "max")
_return_type("histogram", "hist", "bin_edges")


# ---- quantiles -------------------------------------------------------------------------------------------------

def _quantile(x, q, *, axis, keepdim, method, ignore_nan):
    if ignore_nan:
        return jnp.nanquantile(x, q, axis=axis, method=method, keepdims=keepdim)
    out = jnp.quantile(x, q, axis=axis, method=method, keepdims=keepdim)
    return jnp.where(jnp.any(jnp.isnan(x), axis=axis, keepdims=keepdim), jnp.nan, out)


def _quantile_op(name, input, q, dim, keepdim, interpolation, ignore_nan):
    if not input.dtype.is_floating_point:
        raise RuntimeError(f"{name}() input tensor must be either float or double dtype")
    if isinstance(q, Tensor):
        if q.dtype is not input.dtype:
            raise RuntimeError(f"{name}() q tensor must be same dtype as the input tensor")
        if q.ndim > 1:
            raise RuntimeError(f"{name}() q must be a scalar or 1D tensor")
    elif not 0 <= q <= 1:
        raise RuntimeError(f"{name}() q must be in the range [0, 1] but got {q}")
    if interpolation not in ("linear", "lower", "higher", "midpoint", "nearest"):
        raise RuntimeError(f"{name}() interpolation must be one of linear, lower, higher, midpoint or nearest. "
                           f"Got {interpolation}")
    if dim is None or input.ndim == 0:
        out = run(_quantile, "QuantileBackward0", input.reshape(-1), q, axis=0, keepdim=False,
                  method=interpolation, ignore_nan=ignore_nan)
        return out.reshape(tuple(out.shape) + (1,) * input.ndim) if keepdim else out
    return run(_quantile, "QuantileBackward0", input, q, axis=wrap_dim(dim, input.ndim), keepdim=keepdim,
               method=interpolation, ignore_nan=ignore_nan)


def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    """NaN where the reduced slice holds a NaN, as torch's."""
    return _quantile_op("quantile", input, q, dim, keepdim, interpolation, False)


def nanquantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    return _quantile_op("nanquantile", input, q, dim, keepdim, interpolation, True)


# ---- histograms and counts ---------------------------------------------------------------------------------

def _histc(x, *, bins, low, high):
    x = x.reshape(-1)
    if low == high:
        lo, hi = (jnp.min(x, initial=jnp.inf), jnp.max(x, initial=-jnp.inf)) if x.size else (0.0, 0.0)
    else:
        lo, hi = jnp.asarray(low, x.dtype), jnp.asarray(high, x.dtype)
    lo, hi = jnp.where(lo == hi, lo - 1, lo), jnp.where(lo == hi, hi + 1, hi)
    inside = (x >= lo) & (x <= hi)
    idx = jnp.clip(((x - lo) * bins / (hi - lo)).astype(jnp.int64), 0, bins - 1)
    return jnp.zeros(bins, x.dtype).at[idx].add(inside.astype(x.dtype))


def histc(input, bins=100, min=0, max=0, *, out=None):
    if not input.dtype.is_floating_point:
        raise NotImplementedError(f"\"histogram_cpu\" not implemented for '{dtype_name(input.dtype)}'")
    if bins <= 0:
        raise RuntimeError(f"torch.histc(): bins must be > 0, but got {bins} for dimension 0")
    if min > max:
        raise RuntimeError("torch.histc(): max must be larger than min")
    return run(_histc, "NotImplemented", input, bins=int(bins), low=float(min), high=float(max))


def _bincount(x, w, *, length, dtype):
    weights = jnp.ones(x.shape, dtype) if w is None else w.astype(dtype)
    return jnp.zeros(length, dtype).at[x].add(weights)


def bincount(input, weights=None, minlength=0):
    """Counts of each value in a 1-D non-negative integer tensor; the length is read back to the host."""
    if input.ndim != 1 or input.dtype.is_floating_point or input.dtype.is_complex or input.dtype is _dtype.bool_:
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    if weights is not None and tuple(weights.shape) != tuple(input.shape):
        raise RuntimeError("weights should be 1-d and have the same length as input")
    if input.numel() and int(input.min()) < 0:
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    length = max(int(input.max()) + 1 if input.numel() else 0, minlength)
    if weights is None:
        dtype = _dtype.int64
    else:
        dtype = weights.dtype if weights.dtype in (_dtype.float32, _dtype.float64) else _dtype.float64
    return run(_bincount, "NotImplemented", input, weights, length=length, dtype=dtype._np)


# ---- sorted sequences and membership -----------------------------------------------------------------------------

def _searchsorted(seq, values, sorter, *, right, dtype, scalar):
    if sorter is not None:
        seq = jnp.take_along_axis(seq, sorter, axis=-1)
    v = jnp.asarray(values)
    if seq.ndim == 1:
        flat = v.reshape(-1)
        out = jnp.searchsorted(seq, flat, side="right" if right else "left").reshape(v.shape)
    else:
        below = (seq[..., None, :] <= v[..., :, None]) if right else (seq[..., None, :] < v[..., :, None])
        out = jnp.sum(below, axis=-1)
    return out.astype(dtype)


def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None, sorter=None, out=None):
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but got {side}")
        if right and side == "left":
            raise RuntimeError("torch.searchsorted(): side and right can't be set to opposites, got side of left "
                               "while right was True")
        right = side == "right"
    scalar = not isinstance(input, Tensor)
    if not scalar and sorted_sequence.ndim > 1 and tuple(sorted_sequence.shape[:-1]) != tuple(input.shape[:-1]):
        raise RuntimeError("torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
                           "dimensions of boundaries tensor and input value tensor must match, but we got "
                           f"boundaries tensor {list(sorted_sequence.shape)} and input value tensor "
                           f"{list(input.shape)}")
    dtype = _dtype.int32 if out_int32 else _dtype.int64
    return run(_searchsorted, "NotImplemented", sorted_sequence, input, sorter, right=right, dtype=dtype._np,
               scalar=scalar)


def bucketize(input, boundaries, *, out_int32=False, right=False, out=None):
    if boundaries.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim({boundaries.ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)


def _isin(x, test, *, invert, dtype):
    x, test = jnp.asarray(x, dtype), jnp.asarray(test, dtype).reshape(-1)
    found = jnp.any(x[..., None] == test, axis=-1) if test.size else jnp.zeros(x.shape, bool)
    return ~found if invert else found


def isin(elements, test_elements, *, assume_unique=False, invert=False):
    dtype = _dtype.result_type(elements, test_elements)
    return run(_isin, "NotImplemented", elements, test_elements, invert=invert, dtype=dtype._np)


# ---- running extrema ---------------------------------------------------------------------------------------------

def _cumulative_extreme(x, *, axis, largest):
    """(values, indices) of the running max/min along axis; ties and NaN take the later index, as torch's."""
    if x.ndim == 0:
        return x, jnp.zeros((), jnp.int64)
    idx = lax.broadcasted_iota(jnp.int64, x.shape, axis)
    inexact = jnp.issubdtype(x.dtype, jnp.inexact)

    def combine(a, b):
        (va, ia), (vb, ib) = a, b
        better = vb >= va if largest else vb <= va
        if inexact:
            better = jnp.isnan(vb) | (~jnp.isnan(va) & better)
        return jnp.where(better, vb, va), jnp.where(better, ib, ia)

    _, indices = lax.associative_scan(combine, (x, idx), axis=axis)
    return jnp.take_along_axis(x, indices, axis=axis), indices


def _cum_extreme_op(name, input, dim, largest):
    axis = wrap_dim(dim, input.ndim)
    values, indices = run(_cumulative_extreme, f"Cum{name[3:]}Backward0", input, axis=axis, largest=largest)
    return RETURN_TYPES[name](values, indices)


def cummax(input, dim, *, out=None):
    return _cum_extreme_op("cummax", input, dim, True)


def cummin(input, dim, *, out=None):
    return _cum_extreme_op("cummin", input, dim, False)


def aminmax(input, *, dim=None, keepdim=False, out=None):
    kwargs = {} if dim is None else {"dim": dim}
    return RETURN_TYPES["aminmax"](amin(input, keepdim=keepdim, **kwargs), amax(input, keepdim=keepdim, **kwargs))


def msort(input, *, out=None):
    return sort(input, dim=0).values


# ---- differences and integrals -------------------------------------------------------------------------------

def _diff(x, prepend, append, *, n, axis):
    if x.dtype == jnp.bool_:
        parts = [p for p in (prepend, x, append) if p is not None]
        y = jnp.concatenate(parts, axis=axis)
        for _ in range(n):
            y = lax.slice_in_dim(y, 1, None, axis=axis) ^ lax.slice_in_dim(y, 0, -1, axis=axis)
        return y
    return jnp.diff(x, n=n, axis=axis, prepend=prepend, append=append)


def diff(input, n=1, dim=-1, prepend=None, append=None, *, out=None):
    if input.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    axis = wrap_dim(dim, input.ndim)
    return run(_diff, "NotImplemented", input, prepend, append, n=int(n), axis=axis)


def _trapezoid(y, x, dx, *, axis, cumulative, dtype):
    y = y.astype(dtype)
    lo, hi = lax.slice_in_dim(y, 0, -1, axis=axis), lax.slice_in_dim(y, 1, None, axis=axis)
    if x is None:
        spacing = jnp.asarray(dx, dtype)
    else:
        x = jnp.asarray(x, dtype)
        if x.ndim == 1:
            spacing = jnp.diff(x).reshape((-1,) + (1,) * (y.ndim - 1 - axis))
        else:
            spacing = jnp.diff(x, axis=axis - y.ndim + x.ndim if x.ndim < y.ndim else axis)
    areas = spacing * (lo + hi) / 2
    return jnp.cumsum(areas, axis=axis) if cumulative else jnp.sum(areas, axis=axis)


def _integral(y, x, dx, dim, cumulative):
    axis = wrap_dim(dim, y.ndim)
    dtype = float_result(_dtype.result_type(y, x) if isinstance(x, Tensor) else y.dtype)
    return run(_trapezoid, "NotImplemented", y, x, 1 if dx is None else dx, axis=axis, cumulative=cumulative,
               dtype=dtype._np)


def trapezoid(y, x=None, *, dx=None, dim=-1):
    return _integral(y, x, dx, dim, False)


def trapz(y, x=None, *, dx=None, dim=-1):
    return _integral(y, x, dx, dim, False)


def cumulative_trapezoid(y, x=None, *, dx=None, dim=-1):
    return _integral(y, x, dx, dim, True)


# ---- covariance, correlation, distances ------------------------------------------------------------------------

def _cov(x, fweights, aweights, *, correction, dtype):
    x = jnp.atleast_2d(x.astype(dtype))
    return jnp.cov(x, ddof=correction, fweights=fweights, aweights=aweights).astype(dtype)


def cov(input, *, correction=1, fweights=None, aweights=None):
    if input.ndim > 2:
        raise ValueError(f"cov(): expected input to have two or fewer dimensions but got an input with "
                         f"{input.ndim} dimensions")
    dtype = float_result(input.dtype)
    return run(_cov, "NotImplemented", input, fweights, aweights, correction=int(correction), dtype=dtype._np)


def _corrcoef(x, *, dtype):
    c = _cov(x, None, None, correction=1, dtype=dtype)
    if c.ndim == 0:
        return c / c
    d = jnp.sqrt(jnp.diagonal(c))
    return jnp.clip(c / d[:, None] / d[None, :], -1, 1)


def corrcoef(input):
    if input.ndim > 2:
        raise ValueError(f"corrcoef(): expected input to have two or fewer dimensions but got an input with "
                         f"{input.ndim} dimensions")
    return run(_corrcoef, "NotImplemented", input, dtype=float_result(input.dtype)._np)


def dist(input, other, p=2):
    """||input - other||_p over all elements."""
    return norm(input - other, p)


def _renorm(x, *, p, axis, maxnorm):
    axes = tuple(a for a in range(x.ndim) if a != axis)
    if p == math.inf:
        norms = jnp.max(jnp.abs(x), axis=axes, keepdims=True)
    else:
        norms = jnp.sum(jnp.abs(x) ** p, axis=axes, keepdims=True) ** (1 / p)
    return x * jnp.where(norms > maxnorm, maxnorm / (norms + 1e-7), 1.0).astype(x.dtype)


def renorm(input, p, dim, maxnorm, *, out=None):
    """Each slice along dim whose p-norm exceeds maxnorm scaled to norm maxnorm."""
    if p <= 0:
        raise RuntimeError("renorm: non-positive-norm not supported")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm}")
    return run(_renorm, "RenormBackward0", input, p=float(p), axis=wrap_dim(dim, input.ndim),
               maxnorm=float(maxnorm))


def _cdist(x1, x2, *, p):
    diff = jnp.abs(x1[..., :, None, :] - x2[..., None, :, :])
    if p == 0:
        return jnp.sum(diff != 0, axis=-1).astype(diff.dtype)
    if p == math.inf:
        return jnp.max(diff, axis=-1, initial=0)
    nonzero = diff != 0
    total = jnp.sum(jnp.where(nonzero, jnp.where(nonzero, diff, 1) ** p, 0), axis=-1)
    return jnp.where(total == 0, 0, jnp.where(total == 0, 1, total) ** (1 / p))


def cdist(x1, x2, p=2.0, compute_mode="use_mm_for_euclid_dist_if_necessary"):
    """p-norm distances between the rows of x1 (*, P, M) and x2 (*, R, M); computed directly for every p (torch
    may use a matmul form for p=2, equal up to rounding)."""
    if x1.ndim < 2 or x2.ndim < 2:
        raise RuntimeError(f"cdist only supports at least 2D tensors, X1 got: {x1.ndim}D")
    if x1.shape[-1] != x2.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: {x1.shape[-1]} X2: "
                           f"{x2.shape[-1]}")
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    return run(_cdist, "CdistBackward0", x1, x2, p=float(p))


# ---- consecutive runs ---------------------------------------------------------------------------------------------

def _unique_consecutive(x, *, axis):
    rows = x.reshape(-1, 1) if axis is None else jnp.moveaxis(x, axis, 0).reshape(x.shape[axis], -1)
    n = rows.shape[0]
    starts = jnp.ones(n, bool).at[1:].set(jnp.any(rows[1:] != rows[:-1], axis=1))
    ids = jnp.cumsum(starts) - 1
    values = jnp.zeros_like(rows).at[ids].set(rows)
    counts = jnp.zeros(n, jnp.int64).at[ids].add(1)
    if axis is None:
        return values.reshape(-1), ids.reshape(x.shape), counts, jnp.sum(starts)
    moved = jnp.moveaxis(x, axis, 0).shape
    return jnp.moveaxis(values.reshape(moved), 0, axis), ids, counts, jnp.sum(starts)


def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    """Drops all but the first of each run of equal values (or slices along dim); the number of runs is read
    back to the host."""
    axis = None if dim is None else wrap_dim(dim, input.ndim)
    values, inverse, counts, count = run(_unique_consecutive, "", input.detach(), axis=axis)
    count = int(count)
    values = values.narrow(axis or 0, 0, count)
    extras = (inverse.to(_dtype.int64),) * return_inverse + (counts[:count],) * return_counts
    return (values,) + extras if extras else values


# ---- histogram with edges ---------------------------------------------------------------------------------------

def _histogram(x, edges, weight, *, density):
    x = x.reshape(-1)
    bins = edges.shape[0] - 1
    idx = jnp.searchsorted(edges, x, side="right") - 1
    idx = jnp.where(x == edges[-1], bins - 1, idx)
    inside = (x >= edges[0]) & (x <= edges[-1])
    counts = jnp.ones_like(x) if weight is None else weight.reshape(-1).astype(x.dtype)
    hist = jnp.zeros(bins, x.dtype).at[jnp.clip(idx, 0, bins - 1)].add(jnp.where(inside, counts, 0))
    if density:
        hist = hist / (jnp.sum(hist) * jnp.diff(edges))
    return hist


def _uniform_edges(x, *, bins, low, high):
    if low is None:
        low, high = (jnp.min(x), jnp.max(x)) if x.size else (jnp.zeros((), x.dtype), jnp.zeros((), x.dtype))
    low, high = jnp.asarray(low, x.dtype), jnp.asarray(high, x.dtype)
    low, high = jnp.where(low == high, low - 0.5, low), jnp.where(low == high, high + 0.5, high)
    return jnp.linspace(low, high, bins + 1).astype(x.dtype)


def histogram(input, bins, *, range=None, weight=None, density=False, out=None):
    """(hist, bin_edges); `bins` a count of equal bins over `range` (the data's extent by default) or the
    edges themselves."""
    if not input.dtype.is_floating_point:
        raise RuntimeError(f"torch.histogram: input tensor and bins tensors should have the same dtype, but got "
                           f"input {dtype_name(input.dtype)} and bins {dtype_name(input.dtype)}")
    if isinstance(bins, Tensor):
        edges = bins
    else:
        low, high = (None, None) if range is None else (float(range[0]), float(range[1]))
        if low is not None and low > high:
            raise ValueError("max must be larger than min")
        edges = run(_uniform_edges, "NotImplemented", input, bins=int(bins), low=low, high=high)
    hist = run(_histogram, "NotImplemented", input, edges, weight, density=density)
    return RETURN_TYPES["histogram"](hist, edges)


def sum_to_size(input, *size):
    """Tensor.sum_to_size: sums the dims that broadcasting would expand to reach input's shape."""
    size = tuple(size[0]) if len(size) == 1 and not isinstance(size[0], int) else tuple(size)
    lead = input.ndim - len(size)
    if lead < 0:
        raise RuntimeError(f"size {{{', '.join(map(str, size))}}} is not expandable to size "
                           f"{{{', '.join(map(str, input.shape))}}}.")
    dims = tuple(range(lead)) + tuple(lead + i for i, s in enumerate(size) if s == 1 and input.shape[lead + i] != 1)
    out = input.sum(dims, keepdim=True) if dims else input
    return out.reshape(size)


# ---- numerical gradient ---------------------------------------------------------------------------------------

def _along_axis(f, axis, start, stop):
    return lax.slice_in_dim(f, start, stop if stop is not None else f.shape[axis], axis=axis)


def _gradient_1d(f, h, *, axis, edge_order):
    """Second-order central differences inside, one-sided differences of `edge_order` at the ends; h a
    spacing (scalar) or the coordinates along axis (1-D)."""
    def part(a, b):
        return _along_axis(f, axis, a, b)

    shape = [1] * f.ndim
    shape[axis] = -1
    if jnp.ndim(h) == 0:
        inner = (part(2, None) - part(0, -2)) / (2 * h)
        if edge_order == 1:
            first, last = (part(1, 2) - part(0, 1)) / h, (part(-1, None) - part(-2, -1)) / h
        else:
            first = (-1.5 * part(0, 1) + 2 * part(1, 2) - 0.5 * part(2, 3)) / h
            last = (0.5 * part(-3, -2) - 2 * part(-2, -1) + 1.5 * part(-1, None)) / h
        return jnp.concatenate([first, inner, last], axis=axis)
    dx = jnp.diff(h)
    hl, hr = dx[:-1].reshape(shape), dx[1:].reshape(shape)
    inner = (-hr / (hl * (hl + hr)) * part(0, -2) + (hr - hl) / (hl * hr) * part(1, -1)
             + hl / (hr * (hl + hr)) * part(2, None))
    if edge_order == 1:
        first, last = (part(1, 2) - part(0, 1)) / dx[0], (part(-1, None) - part(-2, -1)) / dx[-1]
    else:
        d1, d2 = dx[0], dx[1]
        first = (-(2 * d1 + d2) / (d1 * (d1 + d2)) * part(0, 1) + (d1 + d2) / (d1 * d2) * part(1, 2)
                 - d1 / (d2 * (d1 + d2)) * part(2, 3))
        d1, d2 = dx[-2], dx[-1]
        last = (d2 / (d1 * (d1 + d2)) * part(-3, -2) - (d1 + d2) / (d1 * d2) * part(-2, -1)
                + (2 * d2 + d1) / (d2 * (d1 + d2)) * part(-1, None))
    return jnp.concatenate([first, inner, last], axis=axis)


def _gradient(f, *spacings, axes, edge_order, dtype):
    f = f.astype(dtype)
    return tuple(_gradient_1d(f, jnp.asarray(h, dtype), axis=a, edge_order=edge_order)
                 for a, h in zip(axes, spacings))


def gradient(input, *, spacing=1, dim=None, edge_order=1):
    """torch.gradient: one tensor per dim of `dim` (all by default); spacing a number, one per dim, or the
    coordinates along each dim."""
    axes = tuple(range(input.ndim)) if dim is None else (wrap_dim(dim, input.ndim),) if isinstance(dim, int) \
        else tuple(wrap_dim(d, input.ndim) for d in dim)
    if spacing is None:
        spacing = 1
    spacings = tuple(spacing) if isinstance(spacing, (list, tuple)) else (spacing,) * len(axes)
    if len(spacings) != len(axes):
        raise RuntimeError(f"torch.gradient expected spacing to be unspecified, a scalar, or a list of length "
                           f"equal to 'self.dim() = {input.ndim}', since dim argument was not given, but got a "
                           f"list of length {len(spacings)}")
    if edge_order not in (1, 2):
        raise RuntimeError("torch.gradient only supports edge_order=1 and edge_order=2.")
    for a in axes:
        if input.shape[a] < edge_order + 1:
            raise RuntimeError("torch.gradient expected each dimension size to be at least edge_order+1")
    dtype = float_result(input.dtype)
    return run(_gradient, "NotImplemented", input, *spacings, axes=axes, edge_order=int(edge_order),
               dtype=dtype._np)
