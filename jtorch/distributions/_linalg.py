"""The matrix ops MultivariateNormal needs, each one dispatched jax function.

They stand in for `linalg.cholesky`, `linalg.cholesky_ex(...).info == 0`,
`linalg.solve_triangular(upper=False)` (with broadcast batch dims) and
`cholesky_inverse`, and fuse the two compositions torch's
multivariate_normal.py builds from them (`_batch_mahalanobis`,
`_precision_to_scale_tril`); a public jtorch.linalg with torch's errors can
replace the first four.

Differs from torch: a failed factorisation raises RuntimeError (torch raises
`torch.linalg.LinAlgError`, a RuntimeError subclass) without naming the order
of the failing leading minor.
"""
import jax
import jax.numpy as jnp
import numpy as np

from .._dispatch import run

_NOT_POSITIVE_DEFINITE = ("linalg.cholesky: The factorization could not be completed because the input is not "
                          "positive-definite.")


def _broadcast_batches(a, b, b_core):
    """`a` (..., n, n) and `b` (..., *b_core dims) broadcast over their batch dims."""
    batch = jnp.broadcast_shapes(a.shape[:-2], b.shape[:b.ndim - b_core])
    return jnp.broadcast_to(a, batch + a.shape[-2:]), jnp.broadcast_to(b, batch + b.shape[b.ndim - b_core:])


def _lower_solve(a, b):
    """`a^-1 b` for lower-triangular `a` (..., n, n) and matrices `b` (..., n, k)."""
    a, b = _broadcast_batches(a, b, 2)
    return jax.lax.linalg.triangular_solve(a, b, left_side=True, lower=True)


def _checked(factor):
    if not bool(np.all(np.isfinite(np.asarray(factor._value)))):
        raise RuntimeError(_NOT_POSITIVE_DEFINITE)
    return factor


def _cholesky(a):
    return jnp.linalg.cholesky(a)


def cholesky(a):
    """The lower Cholesky factor of a (batch of) positive-definite matrices."""
    return _checked(run(_cholesky, "LinalgCholeskyExBackward0", a))


def _cholesky_finite(a):
    return jnp.isfinite(jnp.linalg.cholesky(a)).all((-2, -1))


def cholesky_succeeds(a):
    """Bool tensor over the batch: whether each matrix has a Cholesky factor (`cholesky_ex(a).info == 0`)."""
    return run(_cholesky_finite, "LinalgCholeskyExBackward0", a)


def solve_triangular(a, b):
    """`linalg.solve_triangular(a, b, upper=False)`: batch dims broadcast."""
    return run(_lower_solve, "LinalgSolveTriangularBackward0", a, b)


def _cholesky_inverse(factor):
    eye = jnp.broadcast_to(jnp.eye(factor.shape[-1], dtype=factor.dtype), factor.shape)
    return jax.scipy.linalg.cho_solve((factor, True), eye)


def cholesky_inverse(factor):
    """`(L L^T)^-1` from the lower Cholesky factor `L`."""
    return run(_cholesky_inverse, "CholeskyInverseBackward0", factor)


def _mahalanobis(factor, x):
    return jnp.square(_lower_solve(factor, x[..., None])[..., 0]).sum(-1)


def mahalanobis(factor, x):
    """The squared Mahalanobis distance `|L^-1 x|^2` over the last dim of `x` (torch's `_batch_mahalanobis`)."""
    return run(_mahalanobis, "BatchMahalanobisBackward0", factor, x)


def _precision_to_scale_tril(precision):
    flipped = jnp.linalg.cholesky(jnp.flip(precision, (-2, -1)))
    inverse_factor = jnp.swapaxes(jnp.flip(flipped, (-2, -1)), -2, -1)
    eye = jnp.broadcast_to(jnp.eye(precision.shape[-1], dtype=precision.dtype), precision.shape)
    return jax.lax.linalg.triangular_solve(inverse_factor, eye, left_side=True, lower=True)


def precision_to_scale_tril(precision):
    """The lower Cholesky factor of `precision^-1`, computed without inverting `precision` (as torch does)."""
    return _checked(run(_precision_to_scale_tril, "PrecisionToScaleTrilBackward0", precision))
