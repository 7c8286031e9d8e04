"""Special functions: Bessel and gamma-family functions, error-function relatives, orthogonal polynomials.

Unary and binary ones reuse pointwise's factories (torch's promotion: integer inputs compute in the default
float dtype). Differs from torch: values come from XLA's (or jax.scipy's) algorithms, equal to torch's to a few
ulp rather than bit for bit.
"""
import functools
import math

import jax
import jax.numpy as jnp
import jax.scipy.special as jss
from jax import lax

from .. import _dtype
from .._dispatch import run
from ._common import check_broadcast, float_result
from .pointwise import _binary, _unary, write_out

i0 = _unary(jss.i0, "I0Backward0", floating=True)
i0e = _unary(jss.i0e, "SpecialI0EBackward0", floating=True)
i1 = _unary(jss.i1, "SpecialI1Backward0", floating=True)
i1e = _unary(jss.i1e, "SpecialI1EBackward0", floating=True)
ndtr = _unary(jss.ndtr, "SpecialNdtrBackward0", floating=True)
ndtri = _unary(jss.ndtri, "SpecialNdtriBackward0", floating=True)
log_ndtr = _unary(jss.log_ndtr, "SpecialLogNdtrBackward0", floating=True)
erfcx = _unary(jss.erfcx, "SpecialErfcxBackward0", floating=True)
entr = _unary(jss.entr, "SpecialEntrBackward0", floating=True)
sinc = _unary(jnp.sinc, "SincBackward0", floating=True)
spherical_bessel_j0 = _unary(lambda x: jnp.where(x == 0, jnp.ones_like(x), jnp.sin(x) / jnp.where(x == 0, 1, x)),
                             "SpecialSphericalBesselJ0Backward0", floating=True)
xlog1py = _binary(jss.xlog1py, "SpecialXlog1PyBackward0", float_result)
zeta = _binary(jss.zeta, "SpecialZetaBackward0", float_result)
igamma = _binary(jss.gammainc, "IgammaBackward0", float_result, tensor_only="igamma")
igammac = _binary(jss.gammaincc, "IgammacBackward0", float_result, tensor_only="igammac")
gammainc, gammaincc = igamma, igammac
modified_bessel_i0, modified_bessel_i1 = i0, i1


def _logit(x, eps, *, dtype):
    x = x.astype(dtype)
    if eps is not None:
        x = jnp.clip(x, eps, 1 - eps)
    return jnp.log(x / (1 - x))


def logit(input, eps=None, *, out=None):
    """log(x / (1 - x)), with x clamped to [eps, 1 - eps] when eps is given."""
    return write_out(run(_logit, "LogitBackward0", input, eps, dtype=float_result(input.dtype)._np), out)


@functools.partial(jax.custom_jvp, nondiff_argnums=(0,))
def _polygamma_of(n, x):
    """psi^(n)(x) for n >= 1, also at negative x (where jax.scipy's is wrong): shifted up to x + k >= 1 with
    psi^(n)(x) = psi^(n)(x + k) - (-1)^n n! sum_{j<k} (x + j)^-(n+1)."""
    steps = jnp.where(x < 1, jnp.ceil(1 - x), 0)

    def add_term(state):
        j, total = state
        return j + 1, total + jnp.where(j < steps, (x + j) ** -(n + 1), 0)

    _, total = lax.while_loop(lambda state: state[0] < jnp.max(steps, initial=0), add_term,
                              (jnp.zeros((), x.dtype), jnp.zeros_like(x)))
    return jss.polygamma(n, x + steps) - (-1) ** n * math.factorial(n) * total


@_polygamma_of.defjvp
def _polygamma_jvp(n, primals, tangents):
    (x,), (dx,) = primals, tangents
    return _polygamma_of(n, x), _polygamma_of(n + 1, x) * dx


def _polygamma(x, *, n, dtype):
    x = x.astype(dtype)
    return jss.digamma(x) if n == 0 else _polygamma_of(n, x)


def polygamma(n, input, *, out=None):
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    return write_out(run(_polygamma, "PolygammaBackward0", input, n=int(n),
                         dtype=float_result(input.dtype)._np), out)


def _mvlgamma(x, *, p, dtype):
    return jss.multigammaln(x.astype(dtype), p)


def mvlgamma(input, p, *, out=None):
    """The multivariate log-gamma of dimension p; torch's RuntimeError for elements <= (p - 1) / 2."""
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    if bool((input <= (p - 1) / 2).any()):
        raise RuntimeError("All elements must be greater than (p-1)/2")
    return write_out(run(_mvlgamma, "MvlgammaBackward0", input, p=int(p), dtype=float_result(input.dtype)._np),
                     out)


multigammaln = mvlgamma


# ---- orthogonal polynomials: p(x, n) by their three-term recurrences ----------------------------------------

def _recurrence(first, step):
    """p_n(x) elementwise for integer-valued n (negative n gives 0), with p_0 = 1, p_1 = first(x) and
    p_{k+1} = step(k, x, p_k, p_{k-1}); runs to the largest n in the tensor."""
    def compute(x, n, *, dtype):
        x, n = jnp.asarray(x, dtype), jnp.asarray(n, dtype)
        x, n = jnp.broadcast_arrays(x, n)
        n = jnp.floor(n)
        p1 = first(x)

        def body(state):
            k, prev, cur, out = state
            nxt = step(k, x, cur, prev)
            return k + 1, cur, nxt, jnp.where(n == k + 1, nxt, out)

        out = jnp.where(n == 0, jnp.ones_like(x), jnp.where(n == 1, p1, jnp.zeros_like(x)))
        limit = jnp.max(n, initial=1)
        state = (jnp.asarray(1, dtype), jnp.ones_like(x), p1, out)
        return lax.while_loop(lambda s: s[0] < limit, body, state)[3]
    return compute


def _chebyshev(k, x, cur, prev):
    return 2 * x * cur - prev


def _shifted(first):
    return lambda x: first(2 * x - 1)


def _shifted_step(k, x, cur, prev):
    return _chebyshev(k, 2 * x - 1, cur, prev)


def _polynomial(first, step):
    """An op p(input, n); differs from torch in the last ulps (torch switches to trigonometric forms)."""
    kernel = _recurrence(first, step)

    def op(input, n, *, out=None):
        dtype = float_result(_dtype.result_type(input, n))
        check_broadcast(input, n)
        return write_out(run(kernel, "NotImplemented", input, n, dtype=dtype._np), out)
    return op


chebyshev_polynomial_t = _polynomial(lambda x: x, _chebyshev)
chebyshev_polynomial_u = _polynomial(lambda x: 2 * x, _chebyshev)
chebyshev_polynomial_v = _polynomial(lambda x: 2 * x - 1, _chebyshev)
chebyshev_polynomial_w = _polynomial(lambda x: 2 * x + 1, _chebyshev)
shifted_chebyshev_polynomial_t = _polynomial(_shifted(lambda x: x), _shifted_step)
shifted_chebyshev_polynomial_u = _polynomial(_shifted(lambda x: 2 * x), _shifted_step)
shifted_chebyshev_polynomial_v = _polynomial(_shifted(lambda x: 2 * x - 1), _shifted_step)
shifted_chebyshev_polynomial_w = _polynomial(_shifted(lambda x: 2 * x + 1), _shifted_step)
hermite_polynomial_h = _polynomial(lambda x: 2 * x, lambda k, x, cur, prev: 2 * x * cur - 2 * k * prev)
hermite_polynomial_he = _polynomial(lambda x: x, lambda k, x, cur, prev: x * cur - k * prev)
laguerre_polynomial_l = _polynomial(lambda x: 1 - x,
                                    lambda k, x, cur, prev: ((2 * k + 1 - x) * cur - k * prev) / (k + 1))
legendre_polynomial_p = _polynomial(lambda x: x, lambda k, x, cur, prev: ((2 * k + 1) * x * cur - k * prev) / (k + 1))


# ---- Bessel functions of the first kind and modified of the second kind ----------------------------------------

_BESSEL_NODES = 128  # trapezoid points over one period: exact to rounding for |x| below ~100
_ASYMPTOTIC_FROM = 50.0


def _hankel_terms(nu, x, count=6):
    """The asymptotic series sum_k a_k(nu) / x^k with a_k = prod_j (4 nu^2 - (2j - 1)^2) / (k! 8^k)."""
    mu = 4.0 * nu * nu
    term, total = jnp.ones_like(x), jnp.ones_like(x)
    for k in range(1, count):
        term = term * (mu - (2 * k - 1) ** 2) / (k * 8 * x)
        total = total + term
    return total


def _bessel_j(n):
    """J_n(x) = (1 / 2 pi) * integral over a period of cos(n t - x sin t): the trapezoid rule on a periodic
    integrand; Hankel's expansion for |x| >= 50."""
    def compute(x):
        a = jnp.abs(x)
        t = jnp.arange(_BESSEL_NODES, dtype=x.dtype) * (2 * jnp.pi / _BESSEL_NODES)
        near = jnp.mean(jnp.cos(n * t - jnp.minimum(a, _ASYMPTOTIC_FROM)[..., None] * jnp.sin(t)), axis=-1)
        big = jnp.maximum(a, _ASYMPTOTIC_FROM)
        phase = big - (2 * n + 1) * jnp.pi / 4
        plus = _hankel_terms(n, 1j * big.astype(jnp.result_type(x, jnp.complex64)))
        far = jnp.sqrt(2 / (jnp.pi * big)) * (jnp.real(plus) * jnp.cos(phase) + jnp.imag(plus) * jnp.sin(phase))
        out = jnp.where(a < _ASYMPTOTIC_FROM, near, far.astype(x.dtype))
        return out if n % 2 == 0 else jnp.sign(x) * out
    return compute


def _scaled_bessel_k(nu):
    """exp(x) K_nu(x) = integral over t >= 0 of exp(-x (cosh t - 1)) cosh(nu t): the trapezoid rule (step 1/20
    to t = 30); the asymptotic series for x >= 50; inf at 0, NaN below."""
    def compute(x):
        pos = jnp.where(x > 0, x, 1)
        h = 0.05
        t = jnp.arange(0, 30, h, dtype=x.dtype)
        weights = jnp.ones_like(t).at[0].set(0.5) * h
        f = jnp.exp(-jnp.minimum(pos, _ASYMPTOTIC_FROM)[..., None] * (jnp.cosh(t) - 1)) * jnp.cosh(nu * t)
        near = jnp.sum(f * weights, axis=-1)
        big = jnp.maximum(pos, _ASYMPTOTIC_FROM)
        far = jnp.sqrt(jnp.pi / (2 * big)) * _hankel_terms(nu, big)
        out = jnp.where(pos < _ASYMPTOTIC_FROM, near, far)
        return jnp.where(x > 0, out, jnp.where(x == 0, jnp.inf, jnp.nan)).astype(x.dtype)
    return compute


def _unscaled(scaled):
    return lambda x: scaled(x) * jnp.exp(-jnp.where(x > 0, x, 0))


bessel_j0 = _unary(_bessel_j(0), "SpecialBesselJ0Backward0", floating=True)
bessel_j1 = _unary(_bessel_j(1), "SpecialBesselJ1Backward0", floating=True)
scaled_modified_bessel_k0 = _unary(_scaled_bessel_k(0), "SpecialScaledModifiedBesselK0Backward0", floating=True)
scaled_modified_bessel_k1 = _unary(_scaled_bessel_k(1), "SpecialScaledModifiedBesselK1Backward0", floating=True)
modified_bessel_k0 = _unary(_unscaled(_scaled_bessel_k(0)), "SpecialModifiedBesselK0Backward0", floating=True)
modified_bessel_k1 = _unary(_unscaled(_scaled_bessel_k(1)), "SpecialModifiedBesselK1Backward0", floating=True)
