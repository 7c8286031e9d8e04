"""PyTorch-compatible CPU random streams, computed on the host with numpy.

``Generator`` reproduces ``torch.Generator('cpu')``: an mt19937 engine
(numpy's ``MT19937`` emits the same 32-bit words as torch's for a seed) plus
the cached Box-Muller normal that torch keeps between calls.  Its
``_sample_*`` methods turn the word stream into numpy arrays exactly as
torch 2.13's CPU kernels do, consuming the same number of words, so a mix of
jtorch and torch calls stays in step.  The float arithmetic that torch's
kernels do with fused multiply-adds runs as small jitted jax functions on the
host CPU, with exactly emulated FMAs.

Where jtorch differs from torch:

* Samplers built on double-precision ``log``/``log1p``/``exp``/``tan``
  (``normal_``/``randn``, ``exponential_``, ``log_normal_``, ``cauchy_``,
  ``geometric_``) call glibc per element, as torch does, only for up to 64
  values; larger arrays use numpy's vectorised functions, which sometimes
  differ from glibc's by one ulp.  Float64 results of more than 64 elements
  can therefore carry that one-ulp error (about 6% of ``exponential_``
  values, 0.2% of ``randn``), while float32/float16/bfloat16 results (the
  double value rounded) are identical.
* Float32 ``normal_`` on 16 or more elements reproduces torch's AVX2 kernel
  (the one torch uses on x86 CPUs with AVX2, including AVX-512 ones).
* ``bernoulli_(p)`` with a float ``p`` (and so dropout) follows torch's
  portable kernel; torch built with MKL running on an Intel CPU uses MKL's
  generator for it instead, which jtorch does not reproduce.
* ``normal_`` follows torch's path for contiguous tensors.
"""
import contextlib
import functools
import math
import os
import warnings

import jax
import jax.numpy as jnp
import ml_dtypes
import numpy as np
from jax import lax

from . import _dtype  # also turns on jax's float64 and int64
from ._device import device as _device
from ._tensor import from_array

__all__ = [
    "Generator", "default_generator", "manual_seed", "seed", "initial_seed",
    "get_rng_state", "set_rng_state", "fork_rng", "dropout_mask", "dropout_scale",
]

_F16 = np.dtype(np.float16)
_BF16 = np.dtype(ml_dtypes.bfloat16)
_F32 = np.dtype(np.float32)
_F64 = np.dtype(np.float64)
_REDUCED_FLOATS = (_F16, _BF16)

# Mantissa digits (std::numeric_limits<T>::digits) of each floating dtype.
_DIGITS = {_F16: 11, _BF16: 8, _F32: 24, _F64: 53}

# The C++ type names torch prints in its bound-check messages.
_CPP_NAMES = {
    np.dtype(np.bool_): "bool", np.dtype(np.uint8): "unsigned char",
    np.dtype(np.int8): "signed char", np.dtype(np.int16): "short int",
    np.dtype(np.int32): "int", np.dtype(np.int64): "long int",
    _F16: "c10::Half", _BF16: "c10::BFloat16", _F32: "float", _F64: "double",
}

_DEFAULT_SEED = 67280421310721  # the seed of a new torch.Generator()
_STATE_SIZE = 5056  # sizeof(CPUGeneratorImplState)
_MT_N = 624
_MASK32 = np.uint64(0xFFFFFFFF)
_RANDPERM_INSIDE_OUT = 0xFFFFFFFF // 20  # torch switches algorithms here
_EXACT_LIBM_SIZE = 64
_CPU = jax.devices("cpu")[0]
_KERNEL_CHUNK = 1 << 20
_KERNEL_BUCKETS = (1 << 8, 1 << 12, 1 << 16, 1 << 18, 1 << 19, _KERNEL_CHUNK)
# Blocks of 16 per call of the normal kernel (so 512 .. 2**18 elements).
_NORMAL_CHUNK = 1 << 14
_NORMAL_BUCKETS = (1 << 5, 1 << 9, 1 << 12, 1 << 13, _NORMAL_CHUNK)
_TWO_PI = 2.0 * math.pi
_INT64_MIN = -(1 << 63)
_INT64_MAX = (1 << 63) - 1

# Byte offsets of the fields of torch's CPUGeneratorImplState.
_OFF_SEED, _OFF_LEFT, _OFF_SEEDED, _OFF_NEXT, _OFF_KEY = 0, 8, 12, 16, 24
_OFF_NORMAL_Y, _OFF_NORMAL_VALID = 5024, 5040
_OFF_FLOAT_NORMAL, _OFF_FLOAT_NORMAL_VALID = 5048, 5052


# ---------------------------------------------------------------- arithmetic
#
# torch's compiled kernels fuse some multiply-adds into FMAs.  numpy has no
# FMA, so the float kernels below run as jitted jax functions on the host CPU
# and build exact FMAs from float64 arithmetic (exact products, error-free
# sums, rounding to odd), which stays exact whether or not XLA itself fuses.

def _two_sum(a, b):
    """Error-free sum: ``s + err == a + b`` exactly."""
    s = a + b
    bv = s - a
    return s, (a - (s - bv)) + (b - bv)


def _round_to_odd(value, err):
    """Rounds ``value + err`` (``value`` its nearest double) to odd."""
    bits = lax.bitcast_convert_type(value, jnp.int64)
    step = jnp.where((err > 0) == (value > 0), 1, -1)
    fixed = lax.bitcast_convert_type(bits + step, jnp.float64)
    return jnp.where((err != 0) & ((bits & 1) == 0), fixed, value)


def _split(a):
    t = a * 134217729.0  # 2**27 + 1
    hi = t - (t - a)
    return hi, a - hi


def _exact_fma64(a, b, c):
    """Correctly rounded float64 ``a * b + c`` (Dekker product, Boldo-Melquiond sum)."""
    prod = a * b
    a_hi, a_lo = _split(a)
    b_hi, b_lo = _split(b)
    prod_err = ((a_hi * b_hi - prod) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo
    high, low = _two_sum(c, prod)
    exact = high + _round_to_odd(*_two_sum(low, prod_err))
    return jnp.where(jnp.isfinite(exact), exact, prod + c)


def _exact_fma32(a, b, c):
    """Correctly rounded float32 ``a * b + c``: the product is exact in float64
    and the float64 sum is rounded to odd before rounding to float32."""
    a, b, c = (jnp.asarray(x, jnp.float32).astype(jnp.float64) for x in (a, b, c))
    return _round_to_odd(*_two_sum(a * b, c)).astype(jnp.float32)


def _fma32_rounded_twice(a, b, c):
    """Float32 ``a * b + c`` from the float64 sum of the exact product: the
    correctly rounded FMA unless that sum is inexact and lies on a float32
    rounding midpoint, which cannot happen for ``c = 0`` and does not for
    the inputs of the normal kernel's log and sincos (tests try them all)."""
    a, b, c = (jnp.asarray(x, jnp.float32).astype(jnp.float64) for x in (a, b, c))
    return (a * b + c).astype(jnp.float32)


def _host_kernel(kernel, arrays, scalars=()):
    """Runs an elementwise jitted ``kernel(*arrays, *scalars)`` on the CPU over
    equal-length 1-D numpy arrays, in chunks padded to a few sizes (so it
    compiles a handful of times); returns its outputs as numpy arrays."""
    count = arrays[0].size
    scalars = [jax.device_put(x, _CPU) for x in scalars]
    chunks = []
    for start in range(0, max(count, 1), _KERNEL_CHUNK):
        pieces = [array[start:start + _KERNEL_CHUNK] for array in arrays]
        size = pieces[0].size
        padding = _bucket(size, _KERNEL_BUCKETS) - size
        inputs = [jax.device_put(np.pad(piece, (0, padding)) if padding else piece, _CPU)
                  for piece in pieces]
        chunks.append([np.asarray(output)[:size] for output in kernel(*inputs, *scalars)])
    if len(chunks) == 1:
        return chunks[0]
    return [np.concatenate(parts) for parts in zip(*chunks)]


def _bucket(size, buckets):
    return next(bucket for bucket in buckets if bucket >= size)


_fma64_kernel = jax.jit(lambda a, b, c: (_exact_fma64(a, b, c),))
_fma32_kernel = jax.jit(lambda a, b, c: (_exact_fma32(a, b, c),))


def _fma64(a, b, c):
    """Correctly rounded float64 ``a * b + c`` for numpy arrays and scalars."""
    a, b, c = np.broadcast_arrays(*(np.asarray(x, _F64) for x in (a, b, c)))
    (out,) = _host_kernel(_fma64_kernel, [x.ravel() for x in (a, b, c)])
    return out.reshape(a.shape)


def _fma32(a, b, c):
    """Correctly rounded float32 ``a * b + c`` for numpy arrays and scalars."""
    a, b, c = np.broadcast_arrays(*(np.asarray(x, _F32) for x in (a, b, c)))
    (out,) = _host_kernel(_fma32_kernel, [x.ravel() for x in (a, b, c)])
    return out.reshape(a.shape)


def _libm(name, values):
    """A double-precision math function over an array: glibc's own results
    (what torch calls per element) for small arrays, numpy's vectorised
    version (at most one ulp away) for larger ones."""
    values = np.asarray(values, _F64)
    if values.size <= _EXACT_LIBM_SIZE:
        return np.frompyfunc(getattr(math, name), 1, 1)(values).astype(_F64)
    return getattr(np, name)(values)


def _cast(values, dtype):
    """``static_cast`` to ``dtype``; half and bfloat16 go through float as in c10."""
    if dtype in _REDUCED_FLOATS:
        values = values.astype(_F32)
    return values.astype(dtype, copy=False)


# ------------------------------------------------ torch's AVX2 float32 math

def _avx_log(x, fma=_fma32_rounded_twice):
    """Cephes logf as in torch's avx_mathfun.h ``log256_ps`` (x > 0), with the
    multiply-adds GCC fuses into FMAs.  The default ``fma`` is exact for
    ``x = 1 - u``, u any 24-bit uniform (tests check all of them)."""
    f = np.float32
    bits = lax.bitcast_convert_type(jnp.maximum(x, f(np.finfo(np.float32).tiny)), jnp.int32)
    exponent = ((bits >> 23) - 0x7F).astype(jnp.float32) + f(1)
    x = lax.bitcast_convert_type((bits & ~0x7F800000) | 0x3F000000, jnp.float32)
    small = x < f(0.707106781186547524)
    exponent = exponent - small.astype(jnp.float32)
    x = (x - f(1)) + jnp.where(small, x, f(0))
    z = x * x
    y = f(7.0376836292e-2)
    for coef in (-1.1514610310e-1, 1.1676998740e-1, -1.2420140846e-1,
                 1.4249322787e-1, -1.6668057665e-1, 2.0000714765e-1,
                 -2.4999993993e-1, 3.3333331174e-1):
        y = fma(y, x, f(coef))
    y = fma(y * x, z, exponent * f(-2.12194440e-4))
    y = y - z * f(0.5)
    return fma(exponent, f(0.693359375), x + y)


def _avx_sincos(x, fma=_fma32_rounded_twice):
    """Cephes sinf/cosf as in torch's avx_mathfun.h ``sincos256_ps`` (x >= 0),
    with GCC's FMA contractions.  The default ``fma`` is exact for
    ``x = 2 pi u``, u any 24-bit uniform (tests check all of them)."""
    f = np.float32
    octant = ((x * f(1.27323954473516)).astype(jnp.int32) + 1) & ~1
    y = octant.astype(jnp.float32)
    for part in (-0.78515625, -2.4187564849853515625e-4, -3.77489497744594108e-8):
        x = fma(y, f(part), x)
    sin_negative = (octant & 4) != 0
    cos_negative = (~(octant - 2) & 4) != 0
    use_sin_poly = (octant & 2) == 0
    z = x * x
    cos_poly = fma(f(2.443315711809948e-5), z, f(-1.388731625493765e-3))
    cos_poly = fma(cos_poly, z, f(4.166664568298827e-2))
    cos_poly = fma(cos_poly * z, z, -(z * f(0.5))) + f(1)
    sin_poly = fma(f(-1.9515295891e-4), z, f(8.3321608736e-3))
    sin_poly = fma(sin_poly, z, f(-1.6666654611e-1))
    sin_poly = fma(sin_poly * z, x, x)
    sin_part = jnp.where(use_sin_poly, sin_poly, f(0))
    cos_part = jnp.where(use_sin_poly, f(0), cos_poly)
    sin = cos_part + sin_part
    cos = (cos_poly - cos_part) + (sin_poly - sin_part)
    return jnp.where(sin_negative, -sin, sin), jnp.where(cos_negative, -cos, cos)


@functools.partial(jax.jit, static_argnames="fma")
def _normal_fill_kernel(first, second, mean, std, fma):
    """torch's AVX2 ``NormalFill16<float>``: ``first``/``second`` hold the words
    of the first and last 8 uniforms of each block of 16; returns the two
    output halves, ``fma(normal, std, mean)``, as the real and imaginary
    parts of one array (so that one fused loop computes both)."""
    radius = jnp.sqrt(np.float32(-2.0) * _avx_log(np.float32(1.0) - _unit_floats(first)))
    sin, cos = _avx_sincos(np.float32(_TWO_PI) * _unit_floats(second))
    return lax.complex(fma(radius * cos, std, mean), fma(radius * sin, std, mean))


def _unit_floats(words):
    """Uniform floats from uint32 words as in ``Generator._unit_float``."""
    return (words & 0xFFFFFF).astype(jnp.int32).astype(jnp.float32) * np.float32(2.0 ** -24)


# ------------------------------------------------------------------- checks

def _check_float(dtype, kernel):
    if dtype not in _DIGITS:
        raise NotImplementedError(
            f'"{kernel}" not implemented for \'{_torch_type_name(dtype)}\'')


def _torch_type_name(dtype):
    names = {"bool": "Bool", "uint8": "Byte", "int8": "Char", "int16": "Short",
             "int32": "Int", "int64": "Long", "float16": "Half",
             "bfloat16": "BFloat16", "float32": "Float", "float64": "Double"}
    return names.get(np.dtype(dtype).name, str(dtype))


def _dtype_limits(dtype):
    if dtype == np.bool_:
        return 0, 1
    if dtype in _DIGITS:
        info = ml_dtypes.finfo(dtype)
        return float(info.min), float(info.max)
    info = np.iinfo(dtype)
    return int(info.min), int(info.max)


def _check_bound(value, name, dtype):
    low, high = _dtype_limits(dtype)
    if not low <= value <= high:
        raise RuntimeError(f"{name} is out of bounds for {_CPP_NAMES[dtype]}")


def _to_float_int(value, dtype):
    """``static_cast<int64_t>(static_cast<scalar_t>(value))`` for an integer
    (x86 turns a non-finite result into INT64_MIN)."""
    rounded = float(_cast(np.array(value, np.int64), dtype))
    return int(rounded) if math.isfinite(rounded) else _INT64_MIN


def _update_from(low, dtype):
    """Moves ``low`` up to the next integer representable in ``dtype``."""
    low_plus_1 = _to_float_int(low + 1, dtype)
    if low_plus_1 < low:
        shift = abs(low + 1).bit_length() - 1 - _DIGITS[dtype] + 1
        low = low_plus_1 + (1 << shift)
    return low


def _update_to(high, dtype):
    """Moves ``high`` down so that ``high - 1`` survives the cast to ``dtype``."""
    high_minus_1 = _to_float_int(high - 1, dtype)
    if high_minus_1 >= high:
        shift = abs(high - 1).bit_length() - 1 - _DIGITS[dtype] + 1
        high = high_minus_1 - (1 << shift)
    return high


def _check_from_to(low, high_inclusive, dtype):
    _check_bound(low, "from", dtype)
    _check_bound(high_inclusive, "to - 1", dtype)
    if dtype in _DIGITS:
        digits = _DIGITS[dtype]
        for value, name in ((low, "from"), (high_inclusive, "to - 1")):
            if abs(value) > (1 << digits):
                warnings.warn(
                    f"{name} is out of bounds [-(2^{digits}), 2^{digits}]. Due to "
                    f"precision limitations {_CPP_NAMES[dtype]} can support discrete "
                    "uniform distribution only within this range. This warning will "
                    "become an error in version 1.7 release, please fix the code in "
                    "advance", UserWarning, stacklevel=4)


def _numel(shape):
    return math.prod(shape)


# ---------------------------------------------------------------- Generator

class Generator:
    """A CPU generator whose streams equal ``torch.Generator('cpu')``'s.

    ``device`` is accepted for signature compatibility; the stream is always
    drawn on the host (torch's CPU algorithm) and results are moved to the
    requested device afterwards.
    """

    def __init__(self, device="cpu"):
        self.device = _device(device)
        self._bits = np.random.MT19937()
        self.manual_seed(_DEFAULT_SEED)

    def __repr__(self):
        return f"<jtorch.Generator object at {id(self):#x}>"

    # ------------------------------------------------------- seeding & state

    def manual_seed(self, seed):
        """Seeds like torch: any int in [-2**63, 2**64); negatives wrap to uint64."""
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
            raise RuntimeError(
                f"manual_seed expected a long, but got {type(seed).__name__}")
        seed = int(seed)
        if not _INT64_MIN <= seed < (1 << 64):
            raise ValueError("Overflow when unpacking long long")
        self._seed = seed % (1 << 64)
        legacy = np.random.RandomState(self._seed & 0xFFFFFFFF)
        self._bits.state = legacy.get_state(legacy=False)
        self._fresh = True
        self._next_normal = None
        self._next_float_normal = None
        return self

    def seed(self):
        """Reseeds from the OS with a 53-bit number, as torch does, and returns it."""
        value = int.from_bytes(os.urandom(8), "little") & ((1 << 53) - 1)
        self.manual_seed(value)
        return value

    def initial_seed(self):
        return self._seed

    def get_state(self):
        """The state as a uint8 Tensor in torch's byte layout (interchangeable
        with ``torch.Generator.get_state()``)."""
        return from_array(self._state_bytes())

    def set_state(self, new_state):
        """Restores a state from ``get_state`` here or from torch."""
        raw = _state_array(new_state)
        key = raw[_OFF_KEY:_OFF_KEY + 8 * _MT_N].view("<u8")
        left = int(raw[_OFF_LEFT:_OFF_LEFT + 4].view("<i4")[0])
        seeded = int(raw[_OFF_SEEDED:_OFF_SEEDED + 4].view("<i4")[0])
        nxt = int(raw[_OFF_NEXT:_OFF_NEXT + 8].view("<u8")[0])
        if not (seeded and 0 < left <= _MT_N and nxt <= _MT_N):
            raise RuntimeError("Invalid mt19937 state")
        self._bits.state = {"bit_generator": "MT19937", "state": {
            "key": (key & _MASK32).astype(np.uint32), "pos": _MT_N + 1 - left}}
        self._seed = int(raw[_OFF_SEED:_OFF_SEED + 8].view("<u8")[0])
        self._fresh = left == 1 and nxt == 0
        self._next_normal = _cached(raw, _OFF_NORMAL_VALID, 4, _OFF_NORMAL_Y, "<f8")
        self._next_float_normal = _cached(
            raw, _OFF_FLOAT_NORMAL_VALID, 1, _OFF_FLOAT_NORMAL, "<f4")
        return self

    def _state_bytes(self):
        state = self._bits.state["state"]
        pos = int(state["pos"])
        raw = np.zeros(_STATE_SIZE, np.uint8)
        raw[_OFF_SEED:_OFF_SEED + 8] = np.array([self._seed], "<u8").view(np.uint8)
        header = np.array([_MT_N + 1 - pos, 1], "<i4")
        raw[_OFF_LEFT:_OFF_LEFT + 8] = header.view(np.uint8)
        nxt = 0 if self._fresh else pos
        raw[_OFF_NEXT:_OFF_NEXT + 8] = np.array([nxt], "<u8").view(np.uint8)
        key = np.asarray(state["key"], "<u8")
        raw[_OFF_KEY:_OFF_KEY + 8 * _MT_N] = key.view(np.uint8)
        if self._next_normal is not None:
            raw[_OFF_NORMAL_Y:_OFF_NORMAL_Y + 8] = np.array(
                [self._next_normal], "<f8").view(np.uint8)
            raw[_OFF_NORMAL_VALID] = 1
        if self._next_float_normal is not None:
            raw[_OFF_FLOAT_NORMAL:_OFF_FLOAT_NORMAL + 4] = np.array(
                [self._next_float_normal], "<f4").view(np.uint8)
            raw[_OFF_FLOAT_NORMAL_VALID] = 1
        return raw

    # ------------------------------------------------------------ raw words

    def _random32(self, count):
        """``count`` 32-bit words (torch's ``random()``), as uint64."""
        if count:
            self._fresh = False
        return self._bits.random_raw(count)

    def _random64(self, count):
        """``count`` 64-bit draws (torch's ``random64()``: high word first)."""
        words = self._random32(2 * count)
        return (words[0::2] << np.uint64(32)) | words[1::2]

    def _unit_float(self, count):
        """torch's ``uniform_real_distribution<float>(0, 1)``: 24 bits * 2**-24."""
        words = self._random32(count) & np.uint64(0xFFFFFF)
        return words.astype(_F32) * np.float32(2.0 ** -24)

    def _unit_double(self, count):
        """torch's ``uniform_real_distribution<double>(0, 1)``: 53 bits * 2**-53."""
        words = self._random64(count) & np.uint64((1 << 53) - 1)
        return words.astype(_F64) * 2.0 ** -53

    # ------------------------------------------------------------- samplers

    def _sample_uniform(self, shape, dtype, low=0.0, high=1.0):
        """``uniform_(low, high)``; float64 draws 64 bits, others 32 (24 used)."""
        dtype = np.dtype(dtype)
        _check_float(dtype, "check_uniform_bounds")
        lowest, highest = _dtype_limits(dtype)
        _check_bound(low, "from", dtype)
        _check_bound(high, "to", dtype)
        if low > high:
            raise RuntimeError(
                f"uniform_ expects to return a [from, to) range, but found "
                f"from={low:g} > to={high:g}")
        if high - low > highest:
            raise RuntimeError(
                f"uniform_ expects to-from <= std::numeric_limits<"
                f"{_torch_type_name(dtype)}>::max(), but found to={high:g} and "
                f"from={low:g} which result in to-from to exceed the limit")
        count = _numel(shape)
        if dtype == _F64:
            values = self._unit_double(count)
            scale = _fma64
        else:
            values = self._unit_float(count)
            scale = _fma32
            low, high = np.float32(low), np.float32(high)
        if (low, high) != (0, 1):
            values = scale(values, high - low, low)
        values = _cast(values, dtype)
        high_t, low_t = _cast(np.array([high, low]), dtype)
        return np.where(values == high_t, low_t, values).reshape(shape)

    def _sample_normal(self, shape, dtype, mean=0.0, std=1.0):
        """``normal_(mean, std)``: Box-Muller in blocks of 16 for 16 or more
        elements, else torch's scalar path with its cached second normal."""
        dtype = np.dtype(dtype)
        _check_float(dtype, "normal_kernel_cpu")
        if std < 0:
            raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")
        count = _numel(shape)
        if count == 0:
            return np.empty(shape, dtype)
        if count >= 16:
            values = self._normal_blocks(count, dtype, mean, std)
        else:
            values = _cast(self._fma_normals(count, mean, std), dtype)
        return values.reshape(shape)

    def _normal_blocks(self, count, dtype, mean, std):
        """torch's ``normal_fill``: uniforms transformed 16 at a time; a
        partial last block is redrawn over the final 16 elements."""
        blocks, rest = divmod(count, 16)
        # float/double fill all `count` uniforms before redrawing the last
        # block; half/bfloat16 draw only whole blocks.
        drawn = blocks * 16 if dtype in _REDUCED_FLOATS else count
        if dtype == _F64:
            draw, transform = self._unit_double, _box_muller_double
        else:
            draw, transform = self._random32, _box_muller_avx
        values = transform(draw, blocks, mean, std)
        draw(drawn - blocks * 16)  # the partial block's uniforms, then overwritten
        if rest:
            values = np.concatenate([values[:count - 16], transform(draw, 1, mean, std)])
        return _cast(values, dtype)

    def _fma_normals(self, count, mean, std):
        """``count`` float64 normals from torch's scalar ``normal_distribution
        <double>``, ``fma(z, std, mean)`` as torch's compiled code does."""
        return _fma64(self._standard_normals(count), std, mean)

    def _standard_normals(self, count):
        """Box-Muller pairs (cos first, sin cached for the next call)."""
        cached = [] if self._next_normal is None else [self._next_normal]
        self._next_normal = None
        pairs = max(0, -(-(count - len(cached)) // 2))
        uniforms = self._unit_double(2 * pairs).reshape(pairs, 2)
        radius = np.sqrt(-2.0 * _libm("log1p", -uniforms[:, 1]))
        theta = _TWO_PI * uniforms[:, 0]
        normals = np.stack([radius * _libm("cos", theta), radius * _libm("sin", theta)], 1)
        stream = np.concatenate([cached, normals.ravel()])
        if stream.size > count:
            self._next_normal = float(stream[count])
        return stream[:count]

    def _sample_random(self, shape, dtype):
        """``random_()``: [0, 2**mantissa] for floats, [0, max] for integers."""
        dtype = np.dtype(dtype)
        count = _numel(shape)
        if dtype == np.bool_:
            return (self._random32(count) & np.uint64(1)).astype(bool).reshape(shape)
        if dtype in (_F64, np.dtype(np.int64)):
            words = self._random64(count)
        else:
            words = self._random32(count)
        if dtype in _DIGITS:
            modulus = (1 << _DIGITS[dtype]) + 1
        else:
            modulus = int(np.iinfo(dtype).max) + 1
        return _cast((words % np.uint64(modulus)).astype(np.int64), dtype).reshape(shape)

    def _sample_random_from_to(self, shape, dtype, low, high=None):
        """``random_(low, high)`` (``high=None``: up to the dtype's maximum)."""
        dtype = np.dtype(dtype)
        low = int(low)
        if high is None and low == _INT64_MIN:
            return self._random_full_range(shape, dtype)
        if high is None:
            if dtype in _DIGITS:
                high_inclusive = min(1 << _DIGITS[dtype], _INT64_MAX)
                low = _update_from(low, dtype)
                if low >= high_inclusive:
                    raise RuntimeError(
                        "random_ expects 'from' casted to dtype to be less than or "
                        f"equal to 'to_inc' casted to dtype, but got from={low} > "
                        f"to_inc={high_inclusive}")
            else:
                high_inclusive = _dtype_limits(dtype)[1]
        else:
            high = int(high)
            if low >= high:
                raise RuntimeError(
                    "random_ expects 'from' to be less than 'to', but got "
                    f"from={low} >= to={high}")
            if dtype in _DIGITS:
                low, high = _update_from(low, dtype), _update_to(high, dtype)
                if low >= high:
                    raise RuntimeError(
                        "random_ expects 'from' casted to dtype to be less than "
                        f"'to' casted to dtype, but got from={low} >= to={high}")
            high_inclusive = high - 1
        _check_from_to(low, high_inclusive, dtype)
        return self._random_range(shape, dtype, high_inclusive - low + 1, low)

    def _random_range(self, shape, dtype, span, low):
        """``(word % span) + low``; 64-bit words once ``span >= 2**28``."""
        count = _numel(shape)
        words = self._random64(count) if span >= 1 << 28 else self._random32(count)
        offsets = words % np.uint64(span)
        values = (offsets + np.uint64(low % (1 << 64))).view(np.int64)
        return _cast(values, dtype).reshape(shape)

    def _random_full_range(self, shape, dtype):
        if dtype not in (np.dtype(np.int64), _F64, _F32, _BF16):
            raise RuntimeError("random_full_64_bits_range_kernel_cpu handles only "
                               "int64, double, float and bfloat16")
        values = self._random64(_numel(shape)).view(np.int64)
        return _cast(values, dtype).reshape(shape)

    def _sample_randperm(self, n):
        """``randperm(n)`` as int64: torch's in-place Fisher-Yates with 32-bit
        draws, or its inside-out variant with 64-bit draws for huge ``n``."""
        positions = np.arange(n, dtype=np.int64)
        if n < _RANDPERM_INSIDE_OUT:
            remaining = n - positions[:-1]
            offsets = self._random32(remaining.size) % remaining.astype(np.uint64)
            return _forward_shuffle(positions, offsets.astype(np.int64))
        picks = self._random64(n) % (positions + 1).astype(np.uint64)
        return _inside_out_shuffle(positions, picks.astype(np.int64))

    def _sample_bernoulli(self, shape, dtype, p):
        """``bernoulli_(p)``: a float ``p`` or a float64 array compares a 53-bit
        uniform; a float32/16 array compares a 24-bit one."""
        dtype = np.dtype(dtype)
        count = _numel(shape)
        if isinstance(p, np.ndarray):
            probs = np.broadcast_to(p, shape).ravel()
            if probs.dtype == _F64:
                hits = self._unit_double(count) < probs
            else:
                hits = self._unit_float(count) < probs.astype(_F32)
        else:
            if not 0 <= p <= 1:
                raise RuntimeError(
                    f"bernoulli_ expects p to be in [0, 1], but got p={p:g}")
            hits = self._unit_double(count) < p
        return hits.astype(dtype).reshape(shape)

    def _sample_exponential(self, shape, dtype, lambd=1.0):
        """``exponential_(lambd)``: ``-1/lambd * log1p(-u)`` in double."""
        dtype = np.dtype(dtype)
        if dtype not in _DIGITS:
            raise RuntimeError(
                "Exponential distribution is a continuous probability distribution. "
                f"dtype must be a floating point but you specified {_torch_type_name(dtype)}")
        if lambd <= 0:
            raise RuntimeError(
                f"exponential_ expects lambda > 0.0, but found lambda={lambd:g}")
        uniforms = self._unit_double(_numel(shape))
        return _cast((-1.0 / lambd) * _libm("log1p", -uniforms), dtype).reshape(shape)

    def _sample_geometric(self, shape, dtype, p):
        """``geometric_(p)``: ``ceil(log(u) / log1p(-p))`` in double."""
        dtype = np.dtype(dtype)
        if not 0 < p < 1:
            raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={p:g}")
        uniforms = self._unit_double(_numel(shape))
        with np.errstate(divide="ignore"):
            values = np.ceil(_libm("log", uniforms) / math.log1p(-p))
        return _cast(values, dtype).reshape(shape)

    def _sample_log_normal(self, shape, dtype, mean=1.0, std=2.0):
        """``log_normal_(mean, std)``: ``exp`` of torch's scalar normal path."""
        dtype = np.dtype(dtype)
        _check_float(dtype, "log_normal_cpu")
        if std <= 0:
            raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={std:g}")
        values = _libm("exp", self._fma_normals(_numel(shape), mean, std))
        return _cast(values, dtype).reshape(shape)

    def _sample_cauchy(self, shape, dtype, median=0.0, sigma=1.0):
        """``cauchy_(median, sigma)``: ``median + sigma * tan(pi * (u - 0.5))``."""
        dtype = np.dtype(dtype)
        _check_float(dtype, "cauchy_cpu")
        uniforms = self._unit_double(_numel(shape))
        values = _fma64(sigma, _libm("tan", math.pi * (uniforms - 0.5)), median)
        return _cast(values, dtype).reshape(shape)

    def _sample_multinomial(self, probs, num_samples, replacement=False):
        """``multinomial`` on a 1-D or 2-D float array of weights (int64 result)."""
        probs = np.asarray(probs)
        rows = probs.reshape(-1, probs.shape[-1])
        categories = rows.shape[1]
        if num_samples <= 0:
            raise RuntimeError("cannot sample n_sample <= 0 samples")
        if not replacement and num_samples > categories:
            raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) "
                               "samples without replacement")
        if not replacement or num_samples == 1:
            result = self._multinomial_exponential(rows, num_samples)
        else:
            result = self._multinomial_inverse_cdf(rows, num_samples)
        return result.reshape(probs.shape[:-1] + (num_samples,))

    def _multinomial_exponential(self, rows, num_samples):
        """torch's fast path: top-k of ``p / q`` with ``q ~ Exp(1)``."""
        if not (np.all(rows >= 0) and np.all(np.isfinite(rows))):
            raise RuntimeError(
                "probability tensor contains either `inf`, `nan` or element < 0")
        if np.any(rows.sum(1) == 0):
            raise RuntimeError(
                "invalid multinomial distribution (sum of probabilities <= 0)")
        noise = self._sample_exponential(rows.shape, rows.dtype)
        with np.errstate(divide="ignore"):
            keys = rows / noise
        order = np.argsort(-keys.astype(_F64), axis=1, kind="stable")
        return order[:, :num_samples]

    def _multinomial_inverse_cdf(self, rows, num_samples):
        """torch's with-replacement kernel: a sequential cumulative sum per row,
        normalised, searched with a 53-bit uniform per sample."""
        if np.any(rows < 0):
            raise RuntimeError(
                "invalid multinomial distribution (encountering probability entry < 0)")
        if not np.all(np.isfinite(rows)):
            raise RuntimeError("invalid multinomial distribution "
                               "(encountering probability entry = infinity or NaN)")
        acc = _F64 if rows.dtype == _F64 else _F32
        cumulative = np.cumsum(rows.astype(acc), axis=1)
        if np.any(cumulative[:, -1] <= 0):
            raise RuntimeError(
                "invalid multinomial distribution (sum of probabilities <= 0)")
        cumulative = (cumulative / cumulative[:, -1:]).astype(_F64)
        cumulative[:, -1] = 1
        draws = self._unit_double(rows.shape[0] * num_samples)
        return _binary_search(cumulative, draws.reshape(rows.shape[0], num_samples))


def _binary_search(cumulative, draws):
    """torch's bisection per draw: the first slot whose cumulative mass is
    not below the draw (the same steps, so also on non-monotone input)."""
    row = np.arange(cumulative.shape[0])[:, None]
    left = np.zeros(draws.shape, np.int64)
    right = np.full(draws.shape, cumulative.shape[1], np.int64)
    while np.any(left < right):
        active = left < right
        middle = left + (right - left) // 2
        below = cumulative[row, np.minimum(middle, cumulative.shape[1] - 1)] < draws
        left = np.where(active & below, middle + 1, left)
        right = np.where(active & ~below, middle, right)
    return left


def _cached(raw, valid_offset, valid_size, value_offset, fmt):
    valid = raw[valid_offset:valid_offset + valid_size].any()
    if not valid:
        return None
    size = np.dtype(fmt).itemsize
    return float(raw[value_offset:value_offset + size].view(fmt)[0])


def _state_array(state):
    array = state.numpy() if hasattr(state, "numpy") else state
    array = np.asarray(array)
    if array.dtype != np.uint8:
        raise RuntimeError(
            f"expected a torch.ByteTensor, but got {_torch_type_name(array.dtype)}")
    if array.size != _STATE_SIZE:
        raise RuntimeError(
            f"Expected a CPUGeneratorImplState of size {_STATE_SIZE} but found "
            f"the input RNG state size to be {array.size}")
    return np.ascontiguousarray(array.ravel())


def _box_muller_double(draw, blocks, mean, std):
    """torch's generic ``NormalFill16<double>`` over ``blocks`` blocks of 16
    uniforms from ``draw``."""
    uniforms = draw(16 * blocks).reshape(-1, 2, 8)
    radius = np.sqrt(-2.0 * _libm("log", 1.0 - uniforms[:, 0]))
    theta = _TWO_PI * uniforms[:, 1]
    pair = np.stack([radius * _libm("cos", theta), radius * _libm("sin", theta)], 1)
    return _fma64(pair, std, mean).ravel()


def _box_muller_avx(draw, blocks, mean, std):
    """torch's AVX2 ``NormalFill16<float>`` over ``blocks`` blocks of 16 words
    from ``draw``, taken a chunk at a time so that each chunk's kernel runs
    while the next chunk is drawn."""
    scalars = [jax.device_put(np.float32(x), _CPU) for x in (mean, std)]
    # With a zero mean the float64 sum is exact, so rounding it once is the FMA.
    fma = _exact_fma32 if mean else _fma32_rounded_twice
    running = []
    for start in range(0, blocks, _NORMAL_CHUNK):
        size = min(_NORMAL_CHUNK, blocks - start)
        halves = np.zeros((2, _bucket(size, _NORMAL_BUCKETS), 8), np.uint32)
        halves[:, :size] = draw(16 * size).reshape(size, 2, 8).transpose(1, 0, 2)
        inputs = [jax.device_put(half, _CPU) for half in halves]
        running.append((start, size, _normal_fill_kernel(*inputs, *scalars, fma)))
    normals = np.empty((blocks, 2, 8), _F32)
    for start, size, pending in running:
        pairs = np.asarray(pending)[:size]
        normals[start:start + size, 0] = pairs.real
        normals[start:start + size, 1] = pairs.imag
    return normals.ravel()


def _stable_order(keys, bound):
    """``argsort(keys, kind='stable')`` for keys in [0, bound): numpy's radix
    sort (8 and 16-bit keys) on the bits below the top 16, then on those."""
    if bound > 1 << 32:
        return np.argsort(keys, kind="stable")
    shift = max(0, (bound - 1).bit_length() - 16)
    if not shift:
        return np.argsort(keys.astype(np.uint16), kind="stable")
    low = (keys & ((1 << shift) - 1)).astype(np.uint8 if shift <= 8 else np.uint16)
    order = np.argsort(low, kind="stable")
    return order[np.argsort((keys[order] >> shift).astype(np.uint16), kind="stable")]


def _group_links(groups, count):
    """For items labelled with ``groups`` (in [0, count)): each item's previous
    item in its group (-1 if none) and each group's last item (-1 if empty)."""
    order = _stable_order(groups, count)
    ordered = groups[order]
    same = ordered[1:] == ordered[:-1]
    previous = np.empty(groups.size, np.int64)
    previous[order[:1]] = -1
    previous[order[1:]] = np.where(same, order[:-1], -1)
    ends = np.append(np.flatnonzero(~same), groups.size - 1)
    last = np.full(count, -1, np.int64)
    last[ordered[ends]] = order[ends]
    return previous, last


def _roots(parents):
    """The root each item reaches through ``parents`` (a root is its own
    parent), by pointer jumping."""
    while True:
        grand = parents[parents]
        if np.array_equal(grand, parents):
            return parents
        parents = grand


def _forward_shuffle(positions, offsets):
    """``a = arange(n)`` after swapping ``a[i]`` and ``a[i + offsets[i]]`` for
    i = 0 .. n-2 in order, without a Python loop.

    Step i leaves a[i] final, holding what its target t = i + offsets[i]
    held then: what the latest earlier step targeting t moved there, else t.
    A step moves to its target what its own position held then: likewise,
    what the latest earlier step targeting that position moved there, else
    the position's own value, and so on down a chain (``carried``).
    """
    n = positions.size
    if n == 0:
        return positions
    targets = positions.copy()
    targets[:-1] += offsets
    # For each position p, the latest step before step p that targets p
    # (none after it can), or p - n where there is none.
    latest = positions - n
    np.maximum.at(latest, targets, positions - n * (targets == positions))
    carried = _roots(latest + n * (latest < 0))
    order = _stable_order(targets, n)
    swapped_in = targets[order]
    after_same_target = swapped_in[1:] == swapped_in[:-1]
    # np.where as arithmetic: a random mask makes np.where slow.
    swapped_in[1:] += (carried[order[:-1]] - swapped_in[1:]) * after_same_target
    result = np.empty_like(positions)
    result[order] = swapped_in
    return result


def _inside_out_shuffle(positions, picks):
    """``a`` after ``a[i] = a[picks[i]]; a[picks[i]] = i`` for i = 0 .. n-1
    (``picks[i] <= i``), without a Python loop.

    a[p] ends as the last later i that picked p, else as the value step p
    copied: the i of the previous step that picked the same cell, else what
    that cell's own step copied.
    """
    n = positions.size
    self_pick = picks == positions
    previous, last = _group_links(np.where(self_pick, n, picks), n + 1)
    copied_index = (previous >= 0) & ~self_pick
    links = np.where(self_pick | copied_index, -1, picks)
    written = np.where(copied_index, previous, positions)[
        _roots(np.where(links >= 0, links, positions))]
    return np.where(last[:n] >= 0, last[:n], written)


# ------------------------------------------------------- module-level API

default_generator = Generator()
default_generator.seed()


def manual_seed(seed):
    """Seeds the default generator (``torch.manual_seed``: ``int(seed)``); returns it."""
    return default_generator.manual_seed(int(seed))


def seed():
    """Seeds the default generator nondeterministically; returns the seed."""
    return default_generator.seed()


def initial_seed():
    return default_generator.initial_seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(new_state):
    default_generator.set_state(new_state)


@contextlib.contextmanager
def fork_rng(devices=None, enabled=True, _caller="fork_rng",
             _devices_kw="devices", device_type="cuda"):
    """Saves the default generator's state and restores it on exit.

    Only the host generator exists in jtorch, so ``devices`` and
    ``device_type`` are accepted and ignored.
    """
    if not enabled:
        yield
        return
    state = default_generator._state_bytes()
    try:
        yield
    finally:
        default_generator.set_state(state)


def dropout_mask(shape, p, generator=None, order=None):
    """The keep-mask (bool numpy array) that torch's CPU ``F.dropout(x, p)``
    draws in training mode: ``empty_like(x).bernoulli_(1 - p)``, nothing for
    p == 0 or p == 1.  For ``dropout2d``/``dropout3d`` pass the noise shape
    ``(N, C, 1, ...)``.  Kept elements are then scaled by
    ``dropout_scale(p, dtype)``.
    ``order`` (dims outermost first in memory) draws the mask in the memory
    order of a permuted view, as ``empty_like`` of such a view does."""
    if p in (0, 1):
        return np.full(tuple(shape), p == 0)
    generator = default_generator if generator is None else generator
    if order is None:
        return generator._sample_bernoulli(tuple(shape), np.bool_, 1.0 - p)
    drawn = generator._sample_bernoulli(tuple(shape[d] for d in order), np.bool_, 1.0 - p)
    return np.transpose(drawn, np.argsort(order))


def dropout_scale(p, dtype):
    """The factor ``1 / (1 - p)`` that torch's CPU dropout multiplies kept
    elements of a ``dtype`` tensor by, computed as torch does: in float64 for
    float64 tensors, else in float32; 0 for p == 1."""
    compute = np.float64 if dtype is _dtype.float64 else np.float32
    return compute(1) / compute(1 - p) if p < 1 else compute(0)
