"""Elementwise ops: arithmetic, math functions, comparisons, logical and bitwise ops.

Every op promotes its inputs with torch's rules (`_dtype.result_type`), checks
broadcasting in Python (torch's RuntimeError), and runs as one dispatch.
"""
import functools
import re

import jax
import jax.numpy as jnp
import numpy as np
from jax import lax

from .. import _dtype
from .._dispatch import bound, planned, planned_unary, run
from .._tensor import Tensor
from ._common import check_broadcast, dtype_name, float_result, promoted
from .nn import clamp_grad0


def write_out(result, out):
    """Honour torch's `out=`: copy the result into `out` (cast to its dtype) and return it."""
    if out is None:
        return result
    if result._grad_fn is not None:
        op_name = re.sub(r"Backward\d*$", "", type(result._grad_fn).__name__).lower()
        raise RuntimeError(f"{op_name}(): functions with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad.")
    if not _dtype.can_cast(result.dtype, out.dtype):
        raise RuntimeError(f"result type {dtype_name(result.dtype)} can't be cast to the desired output type "
                           f"{dtype_name(out.dtype)}")
    out._check_inplace()
    return out._assign(result if result.dtype is out.dtype else result.to(out.dtype))


_HALF = frozenset(np.dtype(d) for d in (np.float16, jnp.bfloat16))


def _opmath(kernel):
    """Half-precision ops compute in float32 (Python scalars included) and round once, as torch's CPU kernels do."""
    @functools.wraps(kernel)
    def compute(*args, dtype, **static):
        if dtype in _HALF:
            out = kernel(*args, dtype=np.dtype(np.float32), **static)
            return out.astype(dtype) if out.dtype == np.float32 else out
        return kernel(*args, dtype=dtype, **static)
    return compute


def _as(x, dtype):
    return jnp.asarray(x, dtype)


# ---- unary -------------------------------------------------------------------------------------------

def _unary(jfn, grad_name, floating):
    """A unary op; floating ops compute integer inputs in the default float dtype."""
    @_opmath
    def compute(x, *, dtype):
        return jfn(x.astype(dtype))

    @planned_unary
    def kernel(input):
        return bound(compute, grad_name, dtype=(float_result(input.dtype) if floating else input.dtype)._np)

    def op(input, *, out=None):
        return write_out(kernel(input), out)
    return op


def _integer_identity(jfn):
    """Rounding functions leave integers unchanged, as torch's do."""
    return lambda x: jfn(x) if jnp.issubdtype(x.dtype, jnp.inexact) else x


def _frac(x):
    return x - jnp.trunc(x)


def _sign(x):
    """torch's sign: 0 for NaN and for both zeros; x / |x| for complex (sgn)."""
    if jnp.iscomplexobj(x):
        return jnp.where(x == 0, 0, x / jnp.abs(x)).astype(x.dtype)
    if x.dtype == jnp.bool_:
        return x
    return (x > 0).astype(x.dtype) - (x < 0).astype(x.dtype)


exp = _unary(jnp.exp, "ExpBackward0", floating=True)
exp2 = _unary(jnp.exp2, "Exp2Backward0", floating=True)
expm1 = _unary(jnp.expm1, "Expm1Backward0", floating=True)
log = _unary(jnp.log, "LogBackward0", floating=True)
log2 = _unary(jnp.log2, "Log2Backward0", floating=True)
log10 = _unary(jnp.log10, "Log10Backward0", floating=True)
log1p = _unary(jnp.log1p, "Log1PBackward0", floating=True)
sqrt = _unary(jnp.sqrt, "SqrtBackward0", floating=True)
rsqrt = _unary(lax.rsqrt, "RsqrtBackward0", floating=True)
sin = _unary(jnp.sin, "SinBackward0", floating=True)
cos = _unary(jnp.cos, "CosBackward0", floating=True)
tan = _unary(jnp.tan, "TanBackward0", floating=True)
asin = _unary(jnp.arcsin, "AsinBackward0", floating=True)
acos = _unary(jnp.arccos, "AcosBackward0", floating=True)
atan = _unary(jnp.arctan, "AtanBackward0", floating=True)
sinh = _unary(jnp.sinh, "SinhBackward0", floating=True)
cosh = _unary(jnp.cosh, "CoshBackward0", floating=True)
tanh = _unary(jnp.tanh, "TanhBackward0", floating=True)
asinh = _unary(jnp.arcsinh, "AsinhBackward0", floating=True)
acosh = _unary(jnp.arccosh, "AcoshBackward0", floating=True)
atanh = _unary(jnp.arctanh, "AtanhBackward0", floating=True)
sigmoid = _unary(jax.nn.sigmoid, "SigmoidBackward0", floating=True)
erf = _unary(jax.scipy.special.erf, "ErfBackward0", floating=True)
erfc = _unary(jax.scipy.special.erfc, "ErfcBackward0", floating=True)
erfinv = _unary(jax.scipy.special.erfinv, "ErfinvBackward0", floating=True)
reciprocal = _unary(jnp.reciprocal, "ReciprocalBackward0", floating=True)
lgamma = _unary(jax.scipy.special.gammaln, "LgammaBackward0", floating=True)
digamma = _unary(lambda x: jnp.where(x == 0, jnp.copysign(jnp.inf, -x), jax.scipy.special.digamma(x)),
                 "DigammaBackward0", floating=True)  # torch: -inf at +0, inf at -0
deg2rad = _unary(jnp.deg2rad, "Deg2RadBackward0", floating=True)
rad2deg = _unary(jnp.rad2deg, "Rad2DegBackward0", floating=True)
abs = _unary(jnp.abs, "AbsBackward0", floating=False)
square = _unary(lambda x: jnp.square(x.astype(jnp.int64) if x.dtype == jnp.bool_ else x), "PowBackward0",
                floating=False)  # bool squares to int64, as torch's pow(x, 2)
sign = _unary(_sign, "SignBackward0", floating=False)
sgn = _unary(_sign, "SgnBackward0", floating=False)
floor = _unary(_integer_identity(jnp.floor), "FloorBackward0", floating=False)
ceil = _unary(_integer_identity(jnp.ceil), "CeilBackward0", floating=False)
trunc = _unary(_integer_identity(jnp.trunc), "TruncBackward0", floating=False)
frac = _unary(_frac, "FracBackward0", floating=False)
fix = trunc
absolute = abs
arcsin, arccos, arctan = asin, acos, atan


_relu = bound(clamp_grad0, "ReluBackward0", low=0, high=None)


def relu(input, *, out=None):
    """max(x, 0), keeping NaN and -0.0; the gradient is 0 at x <= 0, as torch's."""
    return write_out(_relu.unary(input), out)


def _neg(x):
    return -x


def neg(input, *, out=None):
    if input.dtype is _dtype.bool_:
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If you are trying to "
                           "invert a mask, use the `~` or `logical_not()` operator instead.")
    return write_out(run(_neg, "NegBackward0", input), out)


negative = neg


def _round(x, *, decimals):
    if not jnp.issubdtype(x.dtype, jnp.inexact):
        return x
    if decimals == 0:
        return jnp.round(x)
    scale = 10.0 ** decimals
    return jnp.round(x * scale) / scale


def round(input, *, decimals=0, out=None):
    """Half to even, as torch's."""
    return write_out(run(_round, "RoundBackward0" if decimals == 0 else "RoundBackward1", input,
                         decimals=decimals), out)


# ---- binary ------------------------------------------------------------------------------------------

def require_tensor(op_name, other):
    """torch's TypeError for ops whose second operand must be a Tensor (no Python scalar overload)."""
    if not isinstance(other, Tensor):
        raise TypeError(f"{op_name}(): argument 'other' (position 2) must be Tensor, not {type(other).__name__}")


def _binary(jfn, grad_name, result=lambda d: d, tensor_only=None):
    """A binary op computing in torch's promoted dtype (then mapped by `result`).

    tensor_only: the op's name when torch accepts no Python scalar as `other`.
    """
    @_opmath
    def compute(a, b, *, dtype):
        return jfn(_as(a, dtype), _as(b, dtype))

    @planned
    def kernel(input, other):
        return bound(compute, grad_name, dtype=result(promoted(input, other))._np)

    def op(input, other, *, out=None):
        if tensor_only:
            require_tensor(tensor_only, other)
        return write_out(kernel(input, other), out)
    op.direct = None if tensor_only else kernel
    return op


def _bool_result(_):
    return _dtype.bool_


def _logical(jfn, name):
    def compute(a, b):
        return jfn(jnp.asarray(a).astype(bool), jnp.asarray(b).astype(bool))

    def op(input, other, *, out=None):
        require_tensor(name, other)
        check_broadcast(input, other)
        return write_out(run(compute, "LogicalBackward", input, other), out)
    return op


def _comparison(jfn):
    """Compares in the promoted dtype; the result is bool."""
    def compute(a, b, *, dtype):
        return jfn(_as(a, dtype), _as(b, dtype))

    @planned
    def kernel(input, other):
        return bound(compute, "ComparisonBackward", dtype=promoted(input, other)._np)

    def op(input, other, *, out=None):
        return write_out(kernel(input, other), out)
    op.direct = kernel
    return op


def _bitwise(jfn, name):
    def compute(a, b, *, dtype):
        return jfn(_as(a, dtype), _as(b, dtype))

    def op(input, other, *, out=None):
        dtype = promoted(input, other)
        if dtype.is_floating_point or dtype.is_complex:
            raise NotImplementedError(f'"{name}_cpu" not implemented for \'{dtype_name(dtype)}\'')
        return write_out(run(compute, "BitwiseBackward", input, other, dtype=dtype._np), out)
    return op


eq = _comparison(jnp.equal)
ne = _comparison(jnp.not_equal)
lt = _comparison(jnp.less)
le = _comparison(jnp.less_equal)
gt = _comparison(jnp.greater)
ge = _comparison(jnp.greater_equal)
greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne
logical_and = _logical(jnp.logical_and, "logical_and")
logical_or = _logical(jnp.logical_or, "logical_or")
logical_xor = _logical(jnp.logical_xor, "logical_xor")
bitwise_and = _bitwise(jnp.bitwise_and, "bitwise_and")
bitwise_or = _bitwise(jnp.bitwise_or, "bitwise_or")
bitwise_xor = _bitwise(jnp.bitwise_xor, "bitwise_xor")
mul = _binary(jnp.multiply, "MulBackward0")
multiply = mul
maximum = _binary(jnp.maximum, "MaximumBackward0", tensor_only="maximum")
minimum = _binary(jnp.minimum, "MinimumBackward0", tensor_only="minimum")
fmax = _binary(jnp.fmax, "FmaxBackward0", tensor_only="fmax")
fmin = _binary(jnp.fmin, "FminBackward0", tensor_only="fmin")
remainder = _binary(jnp.remainder, "RemainderBackward0")
fmod = _binary(jnp.fmod, "FmodBackward0")
atan2 = _binary(jnp.arctan2, "Atan2Backward0", float_result, tensor_only="atan2")
arctan2 = atan2
hypot = _binary(jnp.hypot, "HypotBackward0", tensor_only="hypot")
logaddexp = _binary(jnp.logaddexp, "LogaddexpBackward0", tensor_only="logaddexp")
copysign = _binary(jnp.copysign, "CopysignBackward0", float_result)
xlogy = _binary(jax.scipy.special.xlogy, "XlogyBackward0", float_result)


@_opmath
def _add(a, b, *, dtype):
    return _as(a, dtype) + _as(b, dtype)


@_opmath
def _add_scaled(a, b, alpha, *, dtype):
    return _as(a, dtype) + _as(alpha, dtype) * _as(b, dtype)


@_opmath
def _sub(a, b, *, dtype):
    return _as(a, dtype) - _as(b, dtype)


@_opmath
def _sub_scaled(a, b, alpha, *, dtype):
    return _as(a, dtype) - _as(alpha, dtype) * _as(b, dtype)


def _with_alpha(kernel, scaled_kernel, name):
    """add/sub: `alpha` scales other; the default alpha=1 compiles without the multiply."""
    @planned
    def unscaled(input, other):
        return bound(kernel, name, dtype=promoted(input, other)._np)

    def op(input, other, *, alpha=1, out=None):
        if alpha == 1:
            return write_out(unscaled(input, other), out)
        dtype = promoted(input, other)
        _check_alpha(dtype, alpha)
        return write_out(run(scaled_kernel, name, input, other, alpha, dtype=dtype._np), out)
    op.direct = unscaled
    return op


def _check_alpha(dtype, alpha):
    if isinstance(alpha, float) and not (dtype.is_floating_point or dtype.is_complex):
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating point number.")
    if isinstance(alpha, bool) and dtype is not _dtype.bool_:
        raise RuntimeError("Boolean alpha only supported for Boolean results.")


add = _with_alpha(_add, _add_scaled, "AddBackward0")
_sub_op = _with_alpha(_sub, _sub_scaled, "SubBackward0")


def _is_bool(x):
    return x.dtype is _dtype.bool_ if isinstance(x, Tensor) else isinstance(x, bool)


def sub(input, other, *, alpha=1, out=None):
    if _is_bool(input) and _is_bool(other):
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. "
                           "Use the `^` or `logical_xor()` operator instead.")
    if _is_bool(input) or _is_bool(other):
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying "
                           "to invert a mask, use the `~` or `logical_not()` operator instead.")
    return _sub_op(input, other, alpha=alpha, out=out)


subtract = sub


def rsub(input, other, *, alpha=1):
    return sub(other, input, alpha=alpha)


@_opmath
def _true_div(a, b, *, dtype):
    return _as(a, dtype) / _as(b, dtype)


@_opmath
def _trunc_div(a, b, *, dtype):
    a, b = _as(a, dtype), _as(b, dtype)
    return jnp.trunc(a / b) if jnp.issubdtype(a.dtype, jnp.inexact) else lax.div(a, b)


@_opmath
def _floor_div(a, b, *, dtype):
    return jnp.floor_divide(_as(a, dtype), _as(b, dtype))


def div(input, other, *, rounding_mode=None, out=None):
    """True division promotes integers to the default float; 'trunc' and 'floor' keep the dtype."""
    dtype = promoted(input, other)
    if rounding_mode is None:
        return write_out(run(_true_div, "DivBackward0", input, other, dtype=float_result(dtype)._np), out)
    kernels = {"trunc": _trunc_div, "floor": _floor_div}
    if rounding_mode not in kernels:
        raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
                         f"'{rounding_mode}'")
    return write_out(run(kernels[rounding_mode], "DivBackward1", input, other, dtype=dtype._np), out)


divide = true_divide = div


def floor_divide(input, other, *, out=None):
    return div(input, other, rounding_mode="floor", out=out)


@_opmath
def _pow(a, b, *, dtype):
    return jnp.power(_as(a, dtype), _as(b, dtype))


def pow(input, exponent, *, out=None):
    dtype = _dtype.result_type(input, exponent)
    if (not (dtype.is_floating_point or dtype.is_complex) and isinstance(exponent, int)
            and not isinstance(exponent, bool) and exponent < 0):
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    check_broadcast(input, exponent)
    name = "PowBackward1" if isinstance(exponent, Tensor) and isinstance(input, Tensor) else (
        "PowBackward0" if isinstance(input, Tensor) else "PowBackward2")
    return write_out(run(_pow, name, input, exponent, dtype=dtype._np), out)


def float_power(input, exponent, *, out=None):
    dtype = _dtype.complex128 if _dtype.result_type(input, exponent).is_complex else _dtype.float64
    return write_out(run(_pow, "PowBackward1", input, exponent, dtype=dtype._np), out)


def _clamp(x, lo, hi, *, dtype):
    x = x.astype(dtype)
    out = x
    if lo is not None:
        out = jnp.where(x < lo, _as(lo, dtype), out)
    if hi is not None:
        out = jnp.where(out > hi, _as(hi, dtype), out)
    if jnp.issubdtype(x.dtype, jnp.inexact):
        out = jnp.where(jnp.isnan(x), lax.stop_gradient(x), out)
    return out


def clamp(input, min=None, max=None, *, out=None):
    """Gradient passes where min <= x <= max (inclusive), as torch's; min > max gives max."""
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    dtype = _dtype.result_type(input, min, max)
    check_broadcast(input, min, max)
    tensor_bounds = isinstance(min, Tensor) or isinstance(max, Tensor)
    return write_out(run(_clamp, "ClampBackward0" if tensor_bounds else "ClampBackward1", input, min, max,
                         dtype=dtype._np), out)


clip = clamp


def clamp_min(input, min):
    return clamp(input, min=min)


def clamp_max(input, max):
    return clamp(input, max=max)


def _where(cond, a, b, *, dtype):
    return jnp.where(cond, _as(a, dtype), _as(b, dtype))


def where(condition, input=None, other=None, *, out=None):
    if input is None and other is None:
        from .indexing import nonzero
        return nonzero(condition, as_tuple=True)
    if condition.dtype not in (_dtype.bool_, _dtype.uint8):
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor with dtype "
                           f"{dtype_name(condition.dtype)}")
    dtype = _dtype.result_type(input, other)
    check_broadcast(condition, input, other)
    return write_out(run(_where, "WhereBackward0", condition, input, other, dtype=dtype._np), out)


@_opmath
def _lerp(a, b, w, *, dtype):
    a, b = a.astype(dtype), b.astype(dtype)
    return a + _as(w, dtype) * (b - a)


def lerp(input, end, weight, *, out=None):
    check_broadcast(input, end, weight)
    return write_out(run(_lerp, "LerpBackward0", input, end, weight, dtype=input.dtype._np), out)


@_opmath
def _addcmul(x, a, b, value, *, dtype):
    return x.astype(dtype) + _as(value, dtype) * a.astype(dtype) * b.astype(dtype)


@_opmath
def _addcdiv(x, a, b, value, *, dtype):
    return x.astype(dtype) + _as(value, dtype) * (a.astype(dtype) / b.astype(dtype))


def addcmul(input, tensor1, tensor2, *, value=1, out=None):
    check_broadcast(input, tensor1, tensor2)
    dtype = _dtype.result_type(input, tensor1, tensor2)
    return write_out(run(_addcmul, "AddcmulBackward0", input, tensor1, tensor2, value, dtype=dtype._np), out)


def addcdiv(input, tensor1, tensor2, *, value=1, out=None):
    check_broadcast(input, tensor1, tensor2)
    dtype = _dtype.result_type(input, tensor1, tensor2)
    if not (dtype.is_floating_point or dtype.is_complex):
        raise RuntimeError("Integer division with addcdiv is no longer supported, and in a future release "
                           "addcdiv will perform a true division of tensor1 and tensor2.")
    return write_out(run(_addcdiv, "AddcdivBackward0", input, tensor1, tensor2, value, dtype=dtype._np), out)


# ---- predicates and logical unary ops ---------------------------------------------------------------------

def _predicate(jfn):
    def op(input):
        return run(jfn, "PredicateBackward", input)
    return op


isnan = _predicate(jnp.isnan)
isinf = _predicate(jnp.isinf)
isfinite = _predicate(jnp.isfinite)
isposinf = _predicate(jnp.isposinf)
isneginf = _predicate(jnp.isneginf)
signbit = _predicate(jnp.signbit)
logical_not = _predicate(jnp.logical_not)


def _bitwise_not(x):
    return jnp.logical_not(x) if x.dtype == jnp.bool_ else jnp.invert(x)


def bitwise_not(input, *, out=None):
    if input.dtype.is_floating_point or input.dtype.is_complex:
        raise NotImplementedError(f"\"bitwise_not_cpu\" not implemented for '{dtype_name(input.dtype)}'")
    return write_out(run(_bitwise_not, "BitwiseBackward", input), out)


def _isclose(a, b, rtol, atol, *, equal_nan, dtype):
    a, b = _as(a, dtype), _as(b, dtype)
    if dtype == jnp.bool_:
        return a == b
    close = (a == b) | (jnp.abs(a - b) <= atol + rtol * jnp.abs(b))
    return close | (jnp.isnan(a) & jnp.isnan(b)) if equal_nan else close


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    if input.dtype is not other.dtype:
        raise RuntimeError(f"{input.dtype} did not match {other.dtype}")
    check_broadcast(input, other)
    return run(_isclose, "PredicateBackward", input, other, rtol, atol, equal_nan=equal_nan, dtype=input.dtype._np)


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return bool(isclose(input, other, rtol, atol, equal_nan).all())


def equal(input, other):
    """True when both have the same shape and elements (Python bool)."""
    return input.shape == other.shape and bool(eq(input, other).all())


def _nan_to_num(x, nan, posinf, neginf):
    return jnp.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)


def nan_to_num(input, nan=0.0, posinf=None, neginf=None, *, out=None):
    return write_out(run(_nan_to_num, "NanToNumBackward0", input, nan, posinf, neginf), out)


# ---- more binary ops: exponent and bit manipulation, number theory --------------------------------------------

def _heaviside(a, b):
    return jnp.where(a == 0, b, (a > 0).astype(a.dtype))


def heaviside(input, values, *, out=None):
    require_tensor("heaviside", values)
    if input.dtype is not values.dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes")
    check_broadcast(input, values)
    return write_out(run(_heaviside, "HeavisideBackward0", input, values), out)


def _ldexp(a, b):
    return a * jnp.exp2(b)


logaddexp2 = _binary(jnp.logaddexp2, "Logaddexp2Backward0", tensor_only="logaddexp2")
ldexp = _binary(_ldexp, "MulBackward0", float_result, tensor_only="ldexp")
nextafter = _binary(lambda a, b: jnp.nextafter(lax.stop_gradient(a), lax.stop_gradient(b)), "NextafterBackward0",
                    tensor_only="nextafter")  # not differentiable: zero gradients
gcd = _bitwise(jnp.gcd, "gcd")
lcm = _bitwise(jnp.lcm, "lcm")


def _shift(left):
    """torch's shifts: amounts past the bit width give 0 (or -1 for a right shift of a negative)."""
    def compute(a, b):
        bits = jnp.iinfo(a.dtype).bits if a.dtype != jnp.bool_ else 8
        out_of_range = (b < 0) | (b >= bits)
        b = jnp.where(out_of_range, 0, b)
        if left:
            return jnp.where(out_of_range, 0, jnp.left_shift(a, b))
        return jnp.where(out_of_range, jnp.where(a < 0, -1, 0).astype(a.dtype), jnp.right_shift(a, b))
    return compute


bitwise_left_shift = _bitwise(_shift(left=True), "lshift")
bitwise_right_shift = _bitwise(_shift(left=False), "rshift")


# ---- complex parts and sign views of real tensors -----------------------------------------------------------------

def _angle(x):
    if jnp.iscomplexobj(x):
        return jnp.angle(x)
    return jnp.where(jnp.isnan(x), x, jnp.where(x < 0, jnp.pi, 0).astype(x.dtype))


angle = _unary(_angle, "AngleBackward0", floating=True)


def _frexp(x):
    return jnp.frexp(x)


def frexp(input, *, out=None):
    if not input.dtype.is_floating_point:
        raise RuntimeError("torch.frexp() only supports floating-point dtypes")
    return run(_frexp, "FrexpBackward0", input)


def positive(input):
    if input.dtype is _dtype.bool_:
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


def _conj(x):
    return jnp.conj(x)


def conj_physical(input, *, out=None):
    return write_out(run(_conj, "ConjPhysicalBackward0", input), out)


def conj(input):
    """Differs from torch: a complex input is conjugated eagerly (torch sets a lazy conjugate bit)."""
    return conj_physical(input) if input.dtype.is_complex else input


def resolve_conj(input):
    return input


resolve_neg = resolve_conj


def _isreal(x):
    return jnp.imag(x) == 0 if jnp.iscomplexobj(x) else jnp.ones(x.shape, bool)


def isreal(input):
    return run(_isreal, "PredicateBackward", input)


def _polar(r, theta):
    return lax.complex(r * jnp.cos(theta), r * jnp.sin(theta))


def polar(abs, angle, *, out=None):
    if abs.dtype is not angle.dtype or not abs.dtype.is_floating_point:
        raise RuntimeError(f"Expected both inputs to be Half, Float or Double tensors but got "
                           f"{dtype_name(abs.dtype)} and {dtype_name(angle.dtype)}")
    check_broadcast(abs, angle)
    return write_out(run(_polar, "PolarBackward0", abs, angle), out)
