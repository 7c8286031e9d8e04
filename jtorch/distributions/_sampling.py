"""Gamma and Dirichlet sampling with implicit reparameterisation gradients.

`standard_gamma` and `sample_dirichlet` are torch's `_standard_gamma` and
`_sample_dirichlet`: Marsaglia and Tsang's rejection sampler (with torch's
boost for alpha < 1), run element by element on the host, drawing 53-bit
uniforms and cached Box-Muller double normals from the generator in the same
order and with the same arithmetic as torch's CPU kernel, so the same seed
gives the same samples (about 100 us per sample: a Python loop).

Their gradients with respect to the concentration are torch's implicit
reparameterisation approximations (`_standard_gamma_grad`, `_dirichlet_grad`),
evaluated in float64 with jax.

Differs from torch: torch computes a few series terms of `_dirichlet_grad` in
float32 for float32 input, so float32 Dirichlet and Beta gradients can differ
from torch's in the last few ulps; and torch sums a Dirichlet's gammas in a
vectorised order, so float64 Dirichlet samples with 16 or more categories can
differ from torch's in the last bit.
"""
import math

import jax
import jax.numpy as jnp
import numpy as np

from .. import random as _random
from .._dispatch import run
from .._ops._common import dtype_name
from .._tensor import from_array

_F32 = np.dtype(np.float32)
_THIRD32 = float(np.float32(1) / np.float32(3))  # torch's `1.0f / 3.0f`
_SQUEEZE32 = float(np.float32(0.0331))  # torch's `0.0331f`


def _one_gamma(alpha, gen, single):
    """One draw of torch's `sample_gamma`; `single` follows its float32 (scalar_t = float) arithmetic."""
    scale = 1.0
    if alpha < 1:
        if alpha == 0:
            return 0.0
        exponent = float(np.float32(1) / np.float32(alpha)) if single else 1.0 / alpha
        scale *= math.pow(1 - float(gen._unit_double(1)[0]), exponent)
        alpha = float(np.float32(alpha) + np.float32(1)) if single else alpha + 1.0
    d = float(np.float32(alpha) - np.float32(_THIRD32)) if single else alpha - _THIRD32
    c = 1.0 / math.sqrt(9.0 * d)
    while True:
        x = float(gen._standard_normals(1)[0])
        y = 1.0 + c * x
        while y <= 0:
            x = float(gen._standard_normals(1)[0])
            y = 1.0 + c * x
        v = y * y * y
        u = 1 - float(gen._unit_double(1)[0])
        xx = x * x
        if u < 1.0 - _SQUEEZE32 * xx * xx or math.log(u) < 0.5 * xx + d * (1.0 - v + math.log(v)):
            return scale * d * v


def _gammas(alphas, single, gen):
    return np.array([_one_gamma(float(a), gen, single) for a in alphas.ravel()], np.float64).reshape(alphas.shape)


def _host_floats(tensor, kernel):
    if not tensor.dtype.is_floating_point or tensor.dtype._np.itemsize < 4:
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{dtype_name(tensor.dtype)}'")
    return np.asarray(tensor._value)


def _generator(generator):
    return _random.default_generator if generator is None else generator


def _standard_gamma_grad(alpha, x):
    """torch's `standard_gamma_grad_one`: -(d/d alpha cdf(x; alpha)) / pdf(x; alpha), in float64."""
    dtype = x.dtype
    alpha, x = alpha.astype(jnp.float64), x.astype(jnp.float64)
    small_x = _gamma_grad_small_x(alpha, x)
    large_alpha = _gamma_grad_large_alpha(alpha, x)
    rational = _gamma_grad_rational(alpha, x)
    out = jnp.where(x < 0.8, small_x, jnp.where(alpha > 8.0, large_alpha, rational))
    return out.astype(dtype)


def _gamma_grad_small_x(alpha, x):
    """Taylor series of the gamma cdf for small x (NaN becomes 0)."""
    numer = jnp.ones_like(x)
    denom = alpha
    series1 = numer / denom
    series2 = numer / (denom * denom)
    for i in range(1, 6):
        numer = numer * (-x / i)
        denom = denom + 1
        series1 = series1 + numer / denom
        series2 = series2 + numer / (denom * denom)
    pow_x_alpha = jnp.power(x, alpha)
    pdf = jnp.power(x, alpha - 1) * jnp.exp(-x)
    cdf = pow_x_alpha * series1
    cdf_alpha = (jnp.log(x) - _digamma(alpha)) * cdf - pow_x_alpha * series2
    result = -cdf_alpha / pdf
    return jnp.where(jnp.isnan(result), 0.0, result)


def _gamma_grad_large_alpha(alpha, x):
    """Rice saddle point expansion for alpha > 8."""
    near_numer1 = 1 + 24 * alpha * (1 + 12 * alpha)
    near_numer2 = 1440 * (alpha * alpha) + 6 * x * (53 - 120 * x) - 65 * x * x / alpha + alpha * (107 + 3600 * x)
    near = near_numer1 * near_numer2 / (1244160 * (alpha * alpha) * (alpha * alpha))
    denom = jnp.sqrt(8 * alpha)
    term2 = denom / (alpha - x)
    term3 = jnp.power(x - alpha - alpha * jnp.log(x / alpha), -1.5)
    term23 = jnp.where(x < alpha, term2 - term3, term2 + term3)
    term1 = jnp.log(x / alpha) * term23 - jnp.sqrt(2 / alpha) * (alpha + x) / ((alpha - x) * (alpha - x))
    stirling = 1 + 1 / (12 * alpha) * (1 + 1 / (24 * alpha))
    far = -stirling * (x * term1) / denom
    return jnp.where((0.9 * alpha <= x) & (x <= 1.1 * alpha), near, far)


_GAMMA_COEFFICIENTS = np.array([
    [0.16009398, -0.094634809, 0.025146376, -0.0030648343, 1, 0.32668115, 0.10406089, 0.0014179084],
    [0.53487893, 0.1298071, 0.065735949, -0.0015649758, 0.16639465, 0.020070113, -0.0035938915, -0.00058392623],
    [0.040121004, -0.0065914022, -0.0026286047, -0.0013441777, 0.017050642, -0.0021309326, 0.00085092367,
     -1.5247877e-07]])


def _gamma_grad_rational(alpha, x):
    """Bivariate rational approximation in log(x / alpha) and log(alpha)."""
    u = jnp.log(x / alpha)[..., None]
    v = jnp.log(alpha)
    c = _GAMMA_COEFFICIENTS
    coef = c[0] + u * (c[1] + u * c[2])
    p = coef[..., 0] + v * (coef[..., 1] + v * (coef[..., 2] + v * coef[..., 3]))
    q = coef[..., 4] + v * (coef[..., 5] + v * (coef[..., 6] + v * coef[..., 7]))
    return jnp.exp(p / q)


_DIGAMMA_ASYMPTOTIC = (8.33333333333333333333E-2, -2.10927960927960927961E-2, 7.57575757575757575758E-3,
                       -4.16666666666666666667E-3, 3.96825396825396825397E-3, -8.33333333333333333333E-3,
                       8.33333333333333333333E-2)
_PSI_10 = 2.25175258906672110764


def _digamma(x):
    """torch's `digamma_one` for x > 0: recurrence up to 10, then the asymptotic series."""
    result = jnp.zeros_like(x)
    for _ in range(10):
        below = x < 10
        result = jnp.where(below, result - 1 / x, result)
        x = jnp.where(below, x + 1, x)
    z = 1.0 / (x * x)
    poly = jnp.zeros_like(x)
    for coefficient in _DIGAMMA_ASYMPTOTIC:
        poly = poly * z + coefficient
    y = jnp.where(x < 1.0e17, z * poly, 0.0)
    return jnp.where(x == 10, result + _PSI_10, result + jnp.log(x) - 0.5 / x - y)


def _reparameterised(param_grad):
    """`(param, sample) -> sample` whose gradient to param is `param_grad(param, sample, grad)` (the implicit
    reparameterisation gradient) and to sample is zero."""
    @jax.custom_vjp
    def reparameterised(param, sample):
        return sample

    def forward(param, sample):
        return sample, (param, sample)

    def backward(saved, grad):
        param, sample = saved
        return param_grad(param, sample, grad), jnp.zeros_like(sample)

    reparameterised.defvjp(forward, backward)
    return reparameterised


def _gamma_param_grad(alpha, sample, grad):
    return grad * _standard_gamma_grad(alpha, sample)


_reparameterised_gamma = _reparameterised(_gamma_param_grad)


def standard_gamma(alpha, generator=None):
    """`torch._standard_gamma`: Gamma(alpha, 1) samples, at least the dtype's smallest normal number, with the
    implicit reparameterisation gradient to `alpha`."""
    values = _host_floats(alpha, "gamma_cpu")
    dtype = values.dtype
    samples = _gammas(values, dtype == _F32, _generator(generator)).astype(dtype)
    samples = np.maximum(samples, np.finfo(dtype).tiny)
    sample = from_array(samples, device=alpha.device)
    return run(_reparameterised_gamma, "StandardGammaBackward0", alpha, sample)


def sample_dirichlet(concentration, generator=None):
    """`torch._sample_dirichlet`: float64 gammas normalised over the last dim, clamped into
    [smallest normal, largest value below 1], with the implicit reparameterisation gradient."""
    values = _host_floats(concentration, "dirichlet")
    dtype = values.dtype
    gammas = np.maximum(_gammas(values, False, _generator(generator)), np.finfo(np.float64).tiny)
    ratios = (gammas / gammas.sum(-1, keepdims=True)).astype(dtype)
    ratios = np.minimum(np.nextafter(dtype.type(1), dtype.type(0)), np.maximum(np.finfo(dtype).tiny, ratios))
    sample = from_array(ratios, device=concentration.device)
    return run(_reparameterised_dirichlet, "_DirichletBackward", concentration, sample)


def _dirichlet_param_grad(concentration, x, grad):
    total = jnp.broadcast_to(concentration.sum(-1, keepdims=True), concentration.shape)
    local = _dirichlet_grad(x, concentration, total)
    return local * (grad - (x * grad).sum(-1, keepdims=True))


_reparameterised_dirichlet = _reparameterised(_dirichlet_param_grad)


def _dirichlet_grad(x, alpha, total):
    """torch's `dirichlet_grad_one`: the Beta(alpha, total - alpha) reparameterisation gradient over (1 - x)."""
    dtype = x.dtype
    x, alpha, total = (a.astype(jnp.float64) for a in (x, alpha, total))
    beta = total - alpha
    boundary = total * x * (1 - x)
    near_zero = _beta_grad_alpha_small(x, alpha, beta)
    near_one = -_beta_grad_beta_small(1 - x, beta, alpha)
    mid = _beta_grad_alpha_mid(x, alpha, beta)
    rational = _dirichlet_grad_rational(x, alpha, total, beta)
    out = jnp.where((x <= 0.5) & (boundary < 2.5), near_zero,
                    jnp.where((x >= 0.5) & (boundary < 0.75), near_one,
                              jnp.where((alpha > 6) & (beta > 6), mid, rational)))
    return out.astype(dtype)


def _beta_grad_alpha_small(x, alpha, beta):
    factor = _digamma(alpha) - _digamma(alpha + beta) - jnp.log(x)
    numer = jnp.ones_like(x)
    series = numer / alpha * (factor + 1 / alpha)
    for i in range(1, 11):
        numer = numer * ((i - beta) * x / i)
        denom = alpha + i
        series = series + numer / denom * (factor + 1 / denom)
    result = x * jnp.power(1 - x, -beta) * series
    return jnp.where(jnp.isnan(result), 0.0, result)


def _beta_grad_beta_small(x, alpha, beta):
    factor = _digamma(alpha + beta) - _digamma(beta)
    numer = jnp.ones_like(x)
    betas = jnp.ones_like(x)
    dbetas = jnp.zeros_like(x)
    series = factor / alpha
    for i in range(1, 9):
        numer = numer * (-x / i)
        dbetas = dbetas * (beta - i) + betas
        betas = betas * (beta - i)
        series = series + numer / (alpha + i) * (dbetas + factor * betas)
    result = -jnp.power(1 - x, 1 - beta) * series
    return jnp.where(jnp.isnan(result), 0.0, result)


def _beta_grad_alpha_mid(x, alpha, beta):
    total = alpha + beta
    mean = alpha / total
    std = jnp.sqrt(alpha * beta / (total + 1)) / total
    poly = 47 * x * (beta * beta) * (beta * beta) + alpha * (
        (43 + 20 * (16 + 27 * beta) * x) * (beta * beta) * beta + alpha * (
            3 * (59 + 180 * beta - 90 * x) * (beta * beta) + alpha * (
                (453 + 1620 * beta * (1 - x) - 455 * x) * beta + alpha * (
                    8 * (1 - x) * (135 * beta - 11)))))
    prefactor_num = (1 + 12 * alpha) * (1 + 12 * beta) / (total * total)
    prefactor_den = 12960 * alpha * alpha * alpha * beta * beta * (1 + 12 * total)
    near_mean = prefactor_num / (1 - x) * poly / prefactor_den
    prefactor = -x / jnp.sqrt(2 * alpha * beta / total)
    stirling = ((1 + 1 / (12 * alpha) + 1 / (288 * alpha * alpha))
                * (1 + 1 / (12 * beta) + 1 / (288 * beta * beta))
                / (1 + 1 / (12 * total) + 1 / (288 * total * total)))
    term1_num = 2 * (alpha * alpha) * (x - 1) + alpha * beta * (x - 1) - x * (beta * beta)
    axbx = alpha * (x - 1) + beta * x
    term1_den = jnp.sqrt(2 * alpha / beta) * jnp.power(total, 1.5) * axbx * axbx
    term1 = term1_num / term1_den
    term2 = 0.5 * jnp.log(alpha / (total * x))
    term3 = jnp.sqrt(8 * alpha * beta / total) / (beta * x + alpha * (x - 1))
    term4_base = beta * jnp.log(beta / (total * (1 - x))) + alpha * jnp.log(alpha / (total * x))
    term4 = jnp.power(term4_base, -1.5)
    term1234 = term1 + term2 * (term3 + jnp.where(x < mean, term4, -term4))
    away = stirling * prefactor * term1234
    return jnp.where((mean - 0.1 * std <= x) & (x <= mean + 0.1 * std), near_mean, away)


_DIRICHLET_COEFFICIENTS = np.array([
    [[[1.003668233, -0.01061107488, -0.0657888334, 0.01201642863],
      [0.6336835991, -0.3557432599, 0.05486251648, -0.001465281033],
      [-0.03276231906, 0.004474107445, 0.002429354597, -0.0001557569013]],
     [[0.221950385, -0.3187676331, 0.01799915743, 0.01074823814],
      [-0.2951249643, 0.06219954479, 0.01535556598, 0.001550077057],
      [0.02155310298, 0.004170831599, 0.001292462449, 6.976601077e-05]],
     [[-0.05980841433, 0.008441916499, 0.01085618172, 0.002319392565],
      [0.02911413504, 0.01400243777, -0.002721828457, 0.000751041181],
      [0.005900514878, -0.001936558688, -9.495446725e-06, 5.385558597e-05]]],
    [[[1, -0.02924021934, -0.04438342661, 0.007285809825],
      [0.6357567472, -0.3473456711, 0.05454656494, -0.002407477521],
      [-0.03301322327, 0.004845219414, 0.00231480583, -0.0002307248149]],
     [[0.5925320577, -0.1757678135, 0.01505928619, 0.000564515273],
      [0.1014815858, -0.06589186703, 0.01272886114, -0.0007316646956],
      [-0.007258481865, 0.001096195486, 0.0003934994223, -4.12701925e-05]],
     [[0.06469649321, -0.0236701437, 0.002902096474, -5.896963079e-05],
      [0.001925008108, -0.002869809258, 0.0008000589141, -6.063713228e-05],
      [-0.0003477407336, 6.959756487e-05, 1.097287507e-05, -1.650964693e-06]]]])


def _dirichlet_grad_rational(x, alpha, total, beta):
    """A rational correction, in log(x), log(alpha / x) and log(total), to an analytic approximation."""
    u = jnp.log(x)
    a = jnp.log(alpha) - u
    b = jnp.log(total) - a
    p = jnp.zeros_like(x)
    q = jnp.zeros_like(x)
    for i, pow_u in enumerate((1.0, u, u * u)):
        for j, pow_a in enumerate((1.0, a, a * a)):
            ua = pow_u * pow_a
            cp, cq = _DIRICHLET_COEFFICIENTS[0, i, j], _DIRICHLET_COEFFICIENTS[1, i, j]
            p = p + ua * (cp[0] + b * (cp[1] + b * (cp[2] + b * cp[3])))
            q = q + ua * (cq[0] + b * (cq[1] + b * (cq[2] + b * cq[3])))
    approx = x * (_digamma(total) - _digamma(alpha)) / beta
    return p / q * approx
