"""Pure jax kernels of the vision layers: interpolation (upsampling), pixel shuffle and fold/unfold.

Interpolation is separable: each spatial dim has a plan ``(mode, in_size, out_size, align_corners, scale)``
from which the source indices and weights of every output position are computed on the host at trace time
with torch's CPU index formulas (in torch's float arithmetic), so one output is a weighted sum of gathered
input slices per dim and the gradient is that map's adjoint, as torch's backward kernels compute it.
"""
import math

import jax.numpy as jnp
import numpy as np
from jax import lax

_CUBIC_A = -0.75


def _opmath(dtype):
    """The dtype torch computes indices and weights in: double for float64, else float."""
    return np.float64 if np.dtype(dtype) == np.float64 else np.float32


def _scale_value(scale, in_size, out_size, ftype):
    """torch's compute_scales_value: 1 / scale when a positive scale factor was given, else in / out."""
    if scale is not None and scale > 0:
        return ftype(1.0 / scale)
    return ftype(in_size) / ftype(out_size)


def _area_scale(in_size, out_size, align_corners, scale, ftype):
    """torch's area_pixel_compute_scale."""
    if align_corners:
        return ftype(in_size - 1) / ftype(out_size - 1) if out_size > 1 else ftype(0)
    return _scale_value(scale, in_size, out_size, ftype)


def _source_index(scale, out_size, align_corners, cubic, ftype):
    """torch's area_pixel_compute_source_index for every output position (clamped at 0 unless cubic)."""
    dst = np.arange(out_size).astype(ftype)
    if align_corners:
        return scale * dst
    src = scale * (dst + ftype(0.5)) - ftype(0.5)
    return src if cubic else np.maximum(src, ftype(0))


def _floor_and_fraction(real, in_size, ftype):
    """torch's guard_index_and_lambda: (min(floor(real), in - 1), clamp(real - index, 0, 1))."""
    index = np.minimum(np.floor(real.astype(np.float32)).astype(np.int64), in_size - 1)
    return index, np.clip(real - index.astype(ftype), ftype(0), ftype(1))


def _nearest(in_size, out_size, scale, exact):
    """Source indices of 'nearest' (floor(i * s), with torch's shortcuts for sizes 1x and 2x) or
    'nearest-exact' (floor((i + 0.5) * s)), computed in float as torch's."""
    dst = np.arange(out_size)
    if not exact and out_size == in_size:
        return dst
    if not exact and out_size == 2 * in_size:
        return dst >> 1
    s = _scale_value(scale, in_size, out_size, np.float32)
    src = (dst + 0.5) * np.float64(s) if exact else dst.astype(np.float32) * s
    return np.minimum(np.floor(src.astype(np.float32)).astype(np.int64), in_size - 1)


def _cubic_weights(t, ftype):
    """torch's get_cubic_upsample_coefficients (A = -0.75) for fractions t: 4 rows."""
    a = ftype(_CUBIC_A)
    one = ftype(1)

    def near(x):
        return ((a + 2) * x - (a + 3)) * x * x + one

    def far(x):
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
    return np.stack([far(t + one), near(t), near(one - t), far(one - t + one)])


def interpolation_taps(plan, dtype):
    """(indices (K, out), weights (K, out) or None) of one dim's plan: output o = sum_k w[k, o] x[idx[k, o]]."""
    mode, in_size, out_size, align_corners, scale = plan
    if mode in ("nearest", "nearest-exact"):
        return _nearest(in_size, out_size, scale, mode == "nearest-exact")[None], None
    ftype = _opmath(dtype)
    ratio = _area_scale(in_size, out_size, align_corners, scale, ftype)
    if mode == "cubic":
        real = _source_index(ratio, out_size, align_corners, True, ftype)
        index, t = _floor_and_fraction(real, in_size, ftype)
        taps = np.clip(index[None] + np.arange(-1, 3)[:, None], 0, in_size - 1)
        return taps, _cubic_weights(t, ftype)
    if out_size == in_size:
        index = np.arange(out_size)
        return np.stack([index, index]), np.stack([np.ones(out_size, ftype), np.zeros(out_size, ftype)])
    real = _source_index(ratio, out_size, align_corners, False, ftype)
    index, lam = _floor_and_fraction(real, in_size, ftype)
    upper = index + (index < in_size - 1)
    return np.stack([index, upper]), np.stack([ftype(1) - lam, lam])


def interpolate(x, *, plans):
    """Resample the trailing len(plans) dims of x, one dim at a time (last first)."""
    lead = x.ndim - len(plans)
    for dim in reversed(range(len(plans))):
        axis = lead + dim
        index, weights = interpolation_taps(plans[dim], x.dtype)
        if weights is None:
            x = jnp.take(x, index[0], axis=axis)
            continue
        shape = (-1,) + (1,) * (x.ndim - axis - 1)
        terms = [jnp.take(x, row, axis=axis) * jnp.asarray(w.reshape(shape), x.dtype)
                 for row, w in zip(index, weights)]
        x = terms[0]
        for term in terms[1:]:
            x = x + term
    return x


# ---- pixel shuffle ----------------------------------------------------------------------------------------

def pixel_shuffle(x, *, factor):
    """(*, C * r^2, H, W) -> (*, C, H * r, W * r): out[c, h r + i, w r + j] = in[c r^2 + i r + j, h, w]."""
    *batch, c, h, w = x.shape
    channels = c // (factor * factor)
    y = x.reshape(tuple(batch) + (channels, factor, factor, h, w))
    n = len(batch)
    y = y.transpose(tuple(range(n)) + (n, n + 3, n + 1, n + 4, n + 2))
    return y.reshape(tuple(batch) + (channels, h * factor, w * factor))


def pixel_unshuffle(x, *, factor):
    """(*, C, H * r, W * r) -> (*, C * r^2, H, W), the inverse of pixel_shuffle."""
    *batch, c, h, w = x.shape
    oh, ow = h // factor, w // factor
    y = x.reshape(tuple(batch) + (c, oh, factor, ow, factor))
    n = len(batch)
    y = y.transpose(tuple(range(n)) + (n, n + 2, n + 4, n + 1, n + 3))
    return y.reshape(tuple(batch) + (c * factor * factor, oh, ow))


# ---- fold / unfold ------------------------------------------------------------------------------------------

def _block_slices(kernel, dilation, stride, blocks):
    """For each kernel offset (row-major), the (start, stop, step) per spatial dim of the input positions it
    visits in the padded input."""
    offsets = np.ndindex(*kernel)
    return [tuple((i * d, i * d + (b - 1) * s + 1, s) for i, d, s, b in zip(offset, dilation, stride, blocks))
            for offset in offsets]


def unfold(x, *, kernel, dilation, padding, stride, blocks, batched):
    """im2col: (N, C, H, W) -> (N, C * kh * kw, L), rows ordered (channel, kernel row, kernel col); an
    unbatched (C, H, W) gives (C * kh * kw, L)."""
    if not batched:
        return unfold(x[None], kernel=kernel, dilation=dilation, padding=padding, stride=stride, blocks=blocks,
                      batched=True)[0]
    xp = jnp.pad(x, ((0, 0), (0, 0)) + tuple((p, p) for p in padding))
    patches = [xp[(slice(None), slice(None)) + tuple(slice(*s) for s in spans)]
               for spans in _block_slices(kernel, dilation, stride, blocks)]
    n, c = x.shape[:2]
    return jnp.stack(patches, axis=2).reshape(n, c * math.prod(kernel), math.prod(blocks))


def fold(cols, *, output_size, kernel, dilation, padding, stride, blocks, batched):
    """col2im, the adjoint of unfold: (N, C * kh * kw, L) -> (N, C, *output_size), overlapping blocks summed;
    an unbatched (C * kh * kw, L) gives (C, *output_size)."""
    if not batched:
        return fold(cols[None], output_size=output_size, kernel=kernel, dilation=dilation, padding=padding,
                    stride=stride, blocks=blocks, batched=True)[0]
    n = cols.shape[0]
    k = math.prod(kernel)
    c = cols.shape[1] // k
    cols = cols.reshape((n, c, k) + tuple(blocks))
    padded = tuple(o + 2 * p for o, p in zip(output_size, padding))
    out = jnp.zeros((n, c) + padded, cols.dtype)
    for index, spans in enumerate(_block_slices(kernel, dilation, stride, blocks)):
        out = out.at[(slice(None), slice(None)) + tuple(slice(*s) for s in spans)].add(cols[:, :, index])
    return lax.slice(out, (0, 0) + tuple(padding), (n, c) + tuple(p + o for p, o in zip(padding, output_size)))
