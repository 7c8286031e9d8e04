"""Matrix functions built on decompositions: inverse, determinants, solves, Cholesky, QR, SVD, eigen-
decompositions, least squares, pseudo-inverse, rank, norms and condition numbers, matrix power/exponential.

All take batches of matrices in the last two dims and compute with LAPACK through jax. Differs from torch:
singular (or not positive-definite) inputs give inf/NaN values from the plain functions rather than
torch's LinAlgError; the `_ex` variants report `info` as torch's do.
"""
import collections
import math

import jax
import jax.numpy as jnp
import jax.scipy.linalg as jsl

from .. import _dtype
from .._dispatch import run
from ._common import dtype_name, wrap_dim
from .creation import zeros
from .linalg import _HIGHEST
from .reduction import _axes, _vector_norm

LSTSQ = collections.namedtuple("lstsq", ["solution", "residuals", "rank", "singular_values"])
_FLOAT_ERROR = "{}: Expected a floating point or complex tensor as input. Got {}"


def _floating(name, *tensors):
    for t in tensors:
        if not (t.dtype.is_floating_point or t.dtype.is_complex):
            raise RuntimeError(_FLOAT_ERROR.format(name, dtype_name(t.dtype)))


def _square(name, input, what="A"):
    _floating(name, input)
    if input.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor {what} must have at least 2 dimensions.")
    if input.shape[-1] != input.shape[-2]:
        raise RuntimeError(f"{name}: {what} must be batches of square matrices, but they are "
                           f"{input.shape[-2]} by {input.shape[-1]} matrices")


def _matrix(name, input):
    _floating(name, input)
    if input.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor A must have at least 2 dimensions.")


def _empty(dtype):
    return zeros(0, dtype=dtype)


def _mT(x):
    return jnp.swapaxes(x, -1, -2)


# ---- inverse, determinants ----------------------------------------------------------------------------------

def _inv(a):
    return jnp.linalg.inv(a)


def _inv_ex(a):
    inverse = jnp.linalg.inv(a)
    return inverse, _info(inverse)


def _info(x):
    """LAPACK-like info: 0 where the batch result is finite, else 1."""
    return jnp.where(jnp.all(jnp.isfinite(x), axis=(-2, -1)), 0, 1).astype(jnp.int32)


def inv(A, *, out=None):
    _square("linalg.inv", A)
    return run(_inv, "LinalgInvExBackward0", A)


inverse = inv


def inv_ex(A, *, check_errors=False, out=None):
    _square("linalg.inv_ex", A)
    return run(_inv_ex, "LinalgInvExBackward0", A)


def _det(a):
    if a.shape[-1] == 0:
        return jnp.ones(a.shape[:-2], a.dtype)
    return jnp.linalg.det(a)


def det(A, *, out=None):
    _square("linalg.det", A)
    return run(_det, "LinalgDetBackward0", A)


def _slogdet(a):
    return tuple(jnp.linalg.slogdet(a))


def slogdet(A, *, out=None):
    _square("linalg.slogdet", A)
    return run(_slogdet, "LinalgSlogdetBackward0", A)


def _logdet(a):
    sign, logabs = jnp.linalg.slogdet(a)
    return jnp.where(sign < 0, jnp.nan, jnp.where(sign == 0, -jnp.inf, logabs))


def logdet(input):
    """log(det(input)): NaN for a negative determinant, -inf for zero."""
    _square("linalg.slogdet", input)
    return run(_logdet, "LogdetBackward0", input)


# ---- solves -------------------------------------------------------------------------------------------------

def _solve(a, b, *, left, vector):
    if not left:
        return _mT(_solve(_mT(a), _mT(b), left=True, vector=False))
    if vector:
        return jnp.linalg.solve(a, b[..., None])[..., 0]
    return jnp.linalg.solve(a, jnp.broadcast_to(b, jnp.broadcast_shapes(a.shape[:-2], b.shape[:-2]) + b.shape[-2:]))


def _solve_ex(a, b, *, left, vector):
    x = _solve(a, b, left=left, vector=vector)
    return x, _info(jnp.linalg.inv(a))


def _is_vector_rhs(A, B):
    """torch treats B as a batch of vectors when B.ndim == 1 or B's shape is A's batch shape plus n."""
    return B.ndim == 1 or (B.ndim == A.ndim - 1 and tuple(B.shape) == tuple(A.shape[:-1]))


def solve(A, B, *, left=True, out=None):
    _square("linalg.solve", A)
    _floating("linalg.solve", B)
    return run(_solve, "LinalgSolveExBackward0", A, B, left=left, vector=_is_vector_rhs(A, B))


def solve_ex(A, B, *, left=True, check_errors=False, out=None):
    _square("linalg.solve_ex", A)
    return run(_solve_ex, "LinalgSolveExBackward0", A, B, left=left, vector=_is_vector_rhs(A, B))


def _solve_triangular(a, b, *, upper, left, unitriangular):
    if not left:
        return _mT(_solve_triangular(_mT(a), _mT(b), upper=not upper, left=True, unitriangular=unitriangular))
    shape = jnp.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    return jsl.solve_triangular(jnp.broadcast_to(a, shape + a.shape[-2:]), jnp.broadcast_to(b, shape + b.shape[-2:]),
                                lower=not upper, unit_diagonal=unitriangular)


def solve_triangular(A, B, *, upper, left=True, unitriangular=False, out=None):
    _square("linalg.solve_triangular", A)
    return run(_solve_triangular, "LinalgSolveTriangularBackward0", A, B, upper=upper, left=left,
               unitriangular=unitriangular)


def triangular_solve(b, A, upper=True, transpose=False, unitriangular=False, *, out=None):
    """torch.triangular_solve: (solution, copy of A)."""
    if transpose:
        A_used, upper = A.mT, not upper
    else:
        A_used = A
    x = run(_solve_triangular, "TriangularSolveBackward0", A_used, b, upper=upper, left=True,
            unitriangular=unitriangular)
    return x, A.clone()


# ---- Cholesky --------------------------------------------------------------------------------------------------

def _cholesky(a, *, upper):
    factor = jnp.linalg.cholesky(a)
    return jnp.conj(_mT(factor)) if upper else factor


def _cholesky_ex(a, *, upper):
    factor = _cholesky(a, upper=upper)
    return jnp.nan_to_num(factor), _info(factor)


def linalg_cholesky(A, *, upper=False, out=None):
    _square("linalg.cholesky", A)
    return run(_cholesky, "LinalgCholeskyExBackward0", A, upper=upper)


def cholesky_ex(A, *, upper=False, check_errors=False, out=None):
    _square("linalg.cholesky_ex", A)
    return run(_cholesky_ex, "LinalgCholeskyExBackward0", A, upper=upper)


def cholesky(input, upper=False, *, out=None):
    """torch.cholesky (upper is positional here, as torch's deprecated function)."""
    _square("cholesky", input)
    return run(_cholesky, "CholeskyBackward0", input, upper=upper)


def _cholesky_solve(b, factor, *, upper):
    lower = _mT(jnp.conj(factor)) if upper else factor
    shape = jnp.broadcast_shapes(b.shape[:-2], factor.shape[:-2])
    lower = jnp.broadcast_to(lower, shape + lower.shape[-2:])
    y = jsl.solve_triangular(lower, jnp.broadcast_to(b, shape + b.shape[-2:]), lower=True)
    return jsl.solve_triangular(lower, y, lower=True, trans="C")


def cholesky_solve(input, input2, upper=False, *, out=None):
    return run(_cholesky_solve, "CholeskySolveBackward0", input, input2, upper=upper)


def _cholesky_inverse(factor, *, upper):
    eye = jnp.broadcast_to(jnp.eye(factor.shape[-1], dtype=factor.dtype), factor.shape)
    return _cholesky_solve(eye, factor, upper=upper)


def cholesky_inverse(input, upper=False, *, out=None):
    return run(_cholesky_inverse, "CholeskyInverseBackward0", input, upper=upper)


# ---- QR, SVD, eigen ----------------------------------------------------------------------------------------------

def _qr(a, *, mode):
    if mode == "r":
        return jnp.zeros((0,), a.dtype), jnp.linalg.qr(a, mode="r")
    return tuple(jnp.linalg.qr(a, mode=mode))


def linalg_qr(A, mode="reduced", *, out=None):
    _matrix("linalg.qr", A)
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of 'reduced' (default), 'r', "
                           "or 'complete'")
    return run(_qr, "LinalgQrBackward0", A, mode=mode)


def qr(input, some=True, *, out=None):
    _matrix("qr", input)
    return run(_qr, "LinalgQrBackward0", input, mode="reduced" if some else "complete")


def _svd(a, *, full_matrices):
    u, s, vh = jnp.linalg.svd(a, full_matrices=full_matrices)
    return u, s, vh


def linalg_svd(A, full_matrices=True, *, driver=None, out=None):
    """Singular vectors are LAPACK's (gesdd), as torch's on CPU; their signs are not unique in either."""
    _matrix("linalg.svd", A)
    return run(_svd, "LinalgSvdBackward0", A, full_matrices=full_matrices)


def _svd_v(a, *, some, compute_uv):
    if not compute_uv:
        s = jnp.linalg.svd(a, compute_uv=False)
        m, n = a.shape[-2:]
        shape = a.shape[:-2]
        return jnp.zeros(shape + (m, m if not some else min(m, n)), a.dtype), s, jnp.zeros(
            shape + (n, n if not some else min(m, n)), a.dtype)
    u, s, vh = jnp.linalg.svd(a, full_matrices=not some)
    return u, s, jnp.conj(_mT(vh))


def svd(input, some=True, compute_uv=True, *, out=None):
    """torch.svd: (U, S, V) with V not transposed."""
    _matrix("svd", input)
    return run(_svd_v, "LinalgSvdBackward0", input, some=some, compute_uv=compute_uv)


def _svdvals(a):
    return jnp.linalg.svd(a, compute_uv=False)


def svdvals(A, *, driver=None, out=None):
    _matrix("linalg.svdvals", A)
    return run(_svdvals, "LinalgSvdBackward0", A)


def _hermitian_from(a, upper):
    """The Hermitian matrix torch reads from one triangle of a; gradients flow to all of a, as torch's do."""
    part = jnp.triu(a) if upper else jnp.tril(a)
    strict = jnp.triu(a, 1) if upper else jnp.tril(a, -1)
    hermitian = part + jnp.conj(_mT(strict))
    if jnp.iscomplexobj(a):
        hermitian = hermitian - 1j * jnp.imag(jnp.diagonal(a, axis1=-2, axis2=-1))[..., None] * jnp.eye(a.shape[-1])
    return jax.lax.stop_gradient(hermitian) + a - jax.lax.stop_gradient(a)


def _eigh(a, *, upper):
    w, v = jnp.linalg.eigh(_hermitian_from(a, upper), symmetrize_input=False)
    return w, v


def _eigvalsh(a, *, upper):
    return _eigh(a, upper=upper)[0]


def _uplo(UPLO):
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    return UPLO == "U"


def eigh(A, UPLO="L", *, out=None):
    """Reads only the UPLO triangle, as torch's."""
    _square("linalg.eigh", A)
    return run(_eigh, "LinalgEighBackward0", A, upper=_uplo(UPLO))


def eigvalsh(A, UPLO="L", *, out=None):
    _square("linalg.eigvalsh", A)
    return run(_eigvalsh, "LinalgEighBackward0", A, upper=_uplo(UPLO))


def _eig(a):
    return tuple(jnp.linalg.eig(a))


def eig(A, *, out=None):
    """Eigenvectors are normalised as LAPACK's geev; complex results, as torch's."""
    _square("linalg.eig", A)
    return run(_eig, "LinalgEigBackward0", A)


def _eigvals(a):
    return jnp.linalg.eigvals(a)


def eigvals(A, *, out=None):
    _square("linalg.eigvals", A)
    return run(_eigvals, "LinalgEigBackward0", A)


# ---- least squares, pseudo-inverse, rank ---------------------------------------------------------------------

def _pinv(a, atol, rtol, *, hermitian):
    if hermitian:
        w, v = _eigh(a, upper=False)
        s = jnp.abs(w)
        smax = jnp.max(s, axis=-1, keepdims=True, initial=0.0)
        tol = _tolerance(s, smax, atol, rtol, a.shape)
        inv_w = jnp.where(s > tol, 1 / jnp.where(s > tol, w, 1), 0)
        return jnp.matmul(v * inv_w[..., None, :], jnp.conj(_mT(v)), precision=_HIGHEST)
    u, s, vh = jnp.linalg.svd(a, full_matrices=False)
    smax = jnp.max(s, axis=-1, keepdims=True, initial=0.0)
    tol = _tolerance(s, smax, atol, rtol, a.shape)
    inv_s = jnp.where(s > tol, 1 / jnp.where(s > tol, s, 1), 0)
    return jnp.matmul(jnp.conj(_mT(vh)) * inv_s[..., None, :], jnp.conj(_mT(u)), precision=_HIGHEST)


def _tolerance(s, smax, atol, rtol, shape):
    """torch's cut-off max(atol, rtol * smax), with rtol defaulting to eps * max(m, n) when atol is unset."""
    eps = jnp.finfo(s.dtype).eps
    if rtol is None:
        rtol = eps * max(shape[-2:]) if atol is None else 0.0
    if atol is None:
        atol = 0.0
    return jnp.maximum(jnp.asarray(atol, s.dtype)[..., None] if jnp.ndim(atol) else atol,
                       (jnp.asarray(rtol, s.dtype)[..., None] if jnp.ndim(rtol) else rtol) * smax)


def pinv(A, *, atol=None, rtol=None, hermitian=False, out=None):
    _matrix("linalg.pinv", A)
    return run(_pinv, "LinalgPinvBackward0", A, atol, rtol, hermitian=hermitian)


def pinverse(input, rcond=1e-15):
    return pinv(input, rtol=rcond)


def _matrix_rank(a, atol, rtol, *, hermitian):
    s = jnp.abs(_eigh(a, upper=False)[0]) if hermitian else jnp.linalg.svd(a, compute_uv=False)
    smax = jnp.max(s, axis=-1, keepdims=True, initial=0.0)
    return jnp.sum(s > _tolerance(s, smax, atol, rtol, a.shape), axis=-1).astype(jnp.int64)


def matrix_rank(A, tol=None, hermitian=False, *, atol=None, rtol=None, out=None):
    _matrix("linalg.matrix_rank", A)
    if tol is not None:
        atol, rtol = tol, 0.0
    return run(_matrix_rank, "NotImplemented", A, atol, rtol, hermitian=hermitian)


def _lstsq(a, b, rcond, *, vector):
    if vector:
        b = b[..., None]
    shape = jnp.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    a, b = jnp.broadcast_to(a, shape + a.shape[-2:]), jnp.broadcast_to(b, shape + b.shape[-2:])
    solution = jnp.matmul(_pinv(a, None, rcond, hermitian=False), b, precision=_HIGHEST)
    return solution[..., 0] if vector else solution, jnp.zeros((0,), jnp.abs(solution).dtype)


def lstsq(A, B, rcond=None, *, driver=None):
    """(solution, residuals, rank, singular_values); computed by the pseudo-inverse, so the last three are empty
    as torch's default CPU driver ('gelsy') leaves them."""
    _matrix("linalg.lstsq", A)
    solution, residuals = run(_lstsq, "LinalgLstsqBackward0", A, B, rcond, vector=B.ndim == A.ndim - 1)
    return LSTSQ(solution, residuals, _empty(_dtype.int64), _empty(residuals.dtype).detach())


# ---- norms, condition number -------------------------------------------------------------------------------------

def _norm_dtype(name, input, dtype):
    _floating(name, input)
    return (dtype or input.dtype)._np


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None, out=None):
    d = _norm_dtype("linalg.vector_norm", x, dtype)
    if x.dtype.is_complex:
        d = {"complex64": "float32", "complex128": "float64"}.get(str(x.dtype).replace("torch.", ""), d)
    if isinstance(dim, int):
        dim = (dim,)
    return run(_vector_norm, "LinalgVectorNormBackward0", x, p=float(ord), axes=_axes(x, dim), keepdim=keepdim,
               dtype=d)


def _matrix_norm(x, *, ord, axes, keepdim, dtype):
    x = x.astype(dtype)
    if ord in ("fro", "nuc", 2, -2):
        y = jnp.moveaxis(x, axes, (-2, -1))
        if ord == "fro":
            out = jnp.sqrt(jnp.sum(jnp.abs(y) ** 2, axis=(-2, -1)))
        else:
            s = jnp.linalg.svd(y, compute_uv=False)
            out = jnp.sum(s, -1) if ord == "nuc" else jnp.max(s, -1) if ord == 2 else jnp.min(s, -1)
        return jnp.expand_dims(out, axes) if keepdim else out
    rows, cols = axes
    summed, reduced = (rows, cols) if abs(ord) == 1 else (cols, rows)
    sums = jnp.sum(jnp.abs(x), axis=summed, keepdims=True)
    out = jnp.max(sums, axis=reduced, keepdims=True) if ord > 0 else jnp.min(sums, axis=reduced, keepdims=True)
    return out if keepdim else jnp.squeeze(out, axes)


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None, out=None):
    d = _norm_dtype("linalg.matrix_norm", A, dtype)
    if ord not in ("fro", "nuc", 1, -1, 2, -2, float("inf"), float("-inf")):
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    axes = tuple(wrap_dim(d_, A.ndim) for d_ in dim)
    if len(axes) != 2 or axes[0] == axes[1]:
        raise RuntimeError("linalg.matrix_norm: dims must be different. Got " + f"({dim[0]}, {dim[1]})")
    ord = ord if isinstance(ord, str) else float(ord) if abs(ord) == float("inf") else int(ord)
    return run(_matrix_norm, "LinalgMatrixNormBackward0", A, ord=ord, axes=axes, keepdim=keepdim, dtype=d)


def linalg_norm(A, ord=None, dim=None, keepdim=False, *, dtype=None, out=None):
    """A matrix norm when ord is a string or dim has two entries (or A is 2-D with ord set), else a vector norm."""
    if isinstance(dim, int):
        dim = (dim,)
    if isinstance(ord, str) or (dim is not None and len(dim) == 2) or (dim is None and ord is not None
                                                                       and A.ndim == 2):
        return matrix_norm(A, "fro" if ord is None else ord, (-2, -1) if dim is None else dim, keepdim,
                           dtype=dtype)
    if dim is None and ord is not None and A.ndim != 1:
        raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. "
                           f"Got {A.ndim}D.")
    return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype)


def cond(A, p=None, *, out=None):
    """||A|| * ||A^-1|| (the ratio of extreme singular values for p in None, 2, -2)."""
    _matrix("linalg.cond", A)
    if p in (None, 2, -2):
        s = svdvals(A)
        big, small = s.amax(-1), s.amin(-1)
        return big / small if p != -2 else small / big
    return matrix_norm(A, p) * matrix_norm(inv(A), p)


# ---- matrix power and exponential, products ------------------------------------------------------------------

def _matrix_power(a, *, n):
    if n < 0:
        a, n = jnp.linalg.inv(a), -n
    return jnp.linalg.matrix_power(a, n)


def matrix_power(A, n, *, out=None):
    if A.ndim < 2 or A.shape[-1] != A.shape[-2]:
        raise RuntimeError("linalg.matrix_power: A must be batches of square matrices, but they are "
                           f"{A.shape[-2] if A.ndim > 1 else ''} by {A.shape[-1]} matrices")
    if n < 0:
        _floating("linalg.matrix_power", A)
    return run(_matrix_power, "LinalgMatrixPowerBackward0", A, n=int(n))


def _matrix_exp(a):
    return jsl.expm(a)


def matrix_exp(A):
    _square("linalg.matrix_exp", A)
    return run(_matrix_exp, "LinalgMatrixExpBackward0", A)


def _multi_dot(*xs):
    first, last = xs[0].ndim == 1, xs[-1].ndim == 1
    out = jnp.linalg.multi_dot(xs, precision=_HIGHEST)
    return out if not (first and last) else out.reshape(())


def multi_dot(tensors, *, out=None):
    if len(tensors) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(tensors)}")
    return run(_multi_dot, "MmBackward0", *tensors)


def _cross(a, b, *, axis):
    a, b = jnp.broadcast_arrays(a, b)
    return jnp.cross(a, b, axis=axis)


def linalg_cross(input, other, *, dim=-1, out=None):
    if input.ndim != other.ndim:
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    axis = wrap_dim(dim, max(input.ndim, other.ndim))
    if input.shape[axis] != 3 or other.shape[axis] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got {input.shape[axis]} and "
                           f"{other.shape[axis]}")
    dtype = _dtype.result_type(input, other)
    return run(_cross, "LinalgCrossBackward0", input.to(dtype), other.to(dtype), axis=axis)


def cross(input, other, dim=None, *, out=None):
    """torch.cross: dim defaults to -1 (torch's current default)."""
    return linalg_cross(input, other, dim=-1 if dim is None else dim)


def _vecdot(x, y, *, axis):
    return jnp.sum(jnp.conj(x) * y, axis=axis)


def vecdot(x, y, *, dim=-1, out=None):
    if x.dtype is not y.dtype:
        raise RuntimeError(f"linalg.vecdot: Expected x and y to have the same dtype, but found x of type "
                           f"{dtype_name(x.dtype)} and y of type {dtype_name(y.dtype)} instead")
    return run(_vecdot, "LinalgVecdotBackward0", x, y, axis=dim)


def linalg_diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    return A.diagonal(offset, dim1, dim2)


def _vander(x, *, n):
    return jnp.power(x[..., None], jnp.arange(n, dtype=jnp.int64).astype(x.dtype))


def vander(x, N=None):
    """linalg.vander: increasing powers x**0 ... x**(N-1) in the last dim."""
    if N is not None and N <= 1:
        raise RuntimeError("N must be greater than 1.")
    dtype = _dtype.int64 if x.dtype is _dtype.bool_ else x.dtype
    x = x.reshape(-1) if x.ndim == 0 else x
    return run(_vander, "PowBackward1", x.to(dtype), n=x.shape[-1] if N is None else int(N))


def _householder_product(a, tau):
    """The first n columns of H_1 ... H_k, H_i = I - tau_i v_i v_i^H (v_i: column i below the diagonal, 1 on
    it), multiplied out so that jax differentiates it."""
    m, n = a.shape[-2:]
    q = jnp.broadcast_to(jnp.eye(m, dtype=a.dtype), a.shape[:-2] + (m, m))
    rows = jnp.arange(m)
    for i in range(tau.shape[-1]):
        v = jnp.where(rows > i, a[..., :, i], jnp.where(rows == i, 1, 0).astype(a.dtype))
        qv = jnp.einsum("...ij,...j->...i", q, v, precision=_HIGHEST)
        q = q - tau[..., i, None, None] * qv[..., :, None] * jnp.conj(v)[..., None, :]
    return q[..., :, :n]


def householder_product(A, tau, *, out=None):
    _matrix("linalg.householder_product", A)
    return run(_householder_product, "LinalgHouseholderProductBackward0", A, tau)


# ---- LU -----------------------------------------------------------------------------------------------------------

def _batched(a, b):
    """a and b broadcast over their batch dims (the last two dims are each one's own)."""
    shape = jnp.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    return jnp.broadcast_to(a, shape + a.shape[-2:]), jnp.broadcast_to(b, shape + b.shape[-2:])


def _lu_factor(a):
    lu, pivots, _ = jax.lax.linalg.lu(a)
    return lu, pivots + 1


def _lu_factor_ex(a):
    lu, pivots = _lu_factor(a)
    return lu, pivots, _info(jnp.where(jnp.diagonal(lu, axis1=-2, axis2=-1)[..., None] == 0, jnp.nan, 0))


def _permutation(pivots, m):
    """The row order perm with A[perm] = L U, from LAPACK's 1-based sequential row swaps."""
    perm = jnp.broadcast_to(jnp.arange(m, dtype=jnp.int32), pivots.shape[:-1] + (m,))
    rows = jnp.arange(m)
    for i in range(pivots.shape[-1]):
        j = pivots[..., i, None] - 1
        pi, pj = perm[..., i, None], jnp.take_along_axis(perm, j, axis=-1)
        perm = jnp.where(rows == i, pj, jnp.where(rows == j, pi, perm))
    return perm


def _unpack(lu, pivots, *, unpack_data, unpack_pivots):
    m, n = lu.shape[-2:]
    k = min(m, n)
    if unpack_pivots:
        perm = _permutation(pivots, m)
        p = _mT(jax.nn.one_hot(perm, m, dtype=lu.dtype))
    else:
        p = jnp.zeros((0,), lu.dtype)
    if not unpack_data:
        return p, jnp.zeros((0,), lu.dtype), jnp.zeros((0,), lu.dtype)
    lower = jnp.tril(lu[..., :, :k], -1) + jnp.eye(m, k, dtype=lu.dtype)
    return p, lower, jnp.triu(lu[..., :k, :])


def _lu(a):
    lu, pivots = _lu_factor(a)
    return _unpack(lu, pivots, unpack_data=True, unpack_pivots=True)


def lu_factor(A, *, pivot=True, out=None):
    _matrix("linalg.lu_factor", A)
    return run(_lu_factor, "LinalgLuFactorExBackward0", A)


def lu_factor_ex(A, *, pivot=True, check_errors=False, out=None):
    _matrix("linalg.lu_factor_ex", A)
    return run(_lu_factor_ex, "LinalgLuFactorExBackward0", A)


def linalg_lu(A, *, pivot=True, out=None):
    _matrix("linalg.lu", A)
    p, lower, upper = run(_lu, "LinalgLuBackward0", A)
    return p.detach(), lower, upper


def lu(A, pivot=True, get_infos=False, out=None):
    """torch.lu: (LU, pivots) or, with get_infos, (LU, pivots, infos)."""
    return lu_factor_ex(A) if get_infos else lu_factor(A)


def lu_unpack(LU_data, LU_pivots, unpack_data=True, unpack_pivots=True, *, out=None):
    p, lower, upper = run(_unpack, "LuUnpackBackward0", LU_data, LU_pivots, unpack_data=unpack_data,
                          unpack_pivots=unpack_pivots)
    return p.detach(), lower, upper


def _lu_solve(lu, pivots, b, *, left, adjoint):
    if not left:
        conj = jnp.conj if adjoint else (lambda x: x)
        return conj(_mT(_lu_solve_left(lu, pivots, conj(_mT(b)), transpose=not adjoint, conjugate=False)))
    return _lu_solve_left(lu, pivots, b, transpose=adjoint, conjugate=adjoint)


def _lu_solve_left(lu, pivots, b, *, transpose, conjugate):
    """X with A X = B, or A^T X = B (A^H X = B when conjugate), for A = P L U."""
    perm = _permutation(pivots, lu.shape[-1])
    lu, b = _batched(lu, b)
    perm = jnp.broadcast_to(perm, b.shape[:-2] + perm.shape[-1:])
    if not transpose:
        y = jnp.take_along_axis(b, perm[..., None], axis=-2)
        y = jsl.solve_triangular(lu, y, lower=True, unit_diagonal=True)
        return jsl.solve_triangular(lu, y, lower=False)
    trans = "C" if conjugate else "T"
    y = jsl.solve_triangular(lu, b, lower=False, trans=trans)
    y = jsl.solve_triangular(lu, y, lower=True, unit_diagonal=True, trans=trans)
    return jnp.take_along_axis(y, jnp.argsort(perm, axis=-1)[..., None], axis=-2)


def lu_solve(LU, pivots, B, *, left=True, adjoint=False, out=None):
    """linalg.lu_solve; torch.lu_solve(b, LU_data, LU_pivots) is `lu_solve_legacy`."""
    return run(_lu_solve, "LinalgLuSolveBackward0", LU, pivots, B, left=left, adjoint=adjoint)


def lu_solve_legacy(b, LU_data, LU_pivots, *, out=None):
    return lu_solve(LU_data, LU_pivots, b)


# ---- tensor inverse and solve -----------------------------------------------------------------------------------

def tensorinv(A, ind=2, *, out=None):
    """The inverse of A seen as a matrix of its first `ind` dims by the rest."""
    if ind <= 0:
        raise RuntimeError(f"Expected a strictly positive integer for 'ind', but got {ind}")
    rows, cols = A.shape[:ind], A.shape[ind:]
    return inv(A.reshape(math.prod(rows), math.prod(cols))).reshape(tuple(cols) + tuple(rows))


def tensorsolve(A, B, dims=None, *, out=None):
    """X with tensordot(A, X, X.ndim) = B."""
    if dims is not None:
        moved = [wrap_dim(d, A.ndim) for d in dims]
        A = A.permute([d for d in range(A.ndim) if d not in moved] + moved)
    cols = A.shape[B.ndim:]
    return solve(A.reshape(B.numel(), math.prod(cols)), B.reshape(-1)).reshape(tuple(cols))


# ---- products with Q of LAPACK's compact Householder form -----------------------------------------------

def _ormqr(a, tau, c, *, left, transpose):
    m = a.shape[-2]
    square = jnp.concatenate([a, jnp.zeros(a.shape[:-1] + (m - a.shape[-1],), a.dtype)], axis=-1) \
        if a.shape[-1] < m else a[..., :, :m]
    q = _householder_product(square, tau)
    if transpose:
        q = jnp.conj(_mT(q))
    return jnp.matmul(q, c, precision=_HIGHEST) if left else jnp.matmul(c, q, precision=_HIGHEST)


def ormqr(input, tau, other, left=True, transpose=False, *, out=None):
    """other multiplied by Q (Q^H with transpose) of geqrf's compact form, from the left or the right."""
    return run(_ormqr, "OrmqrBackward0", input, tau, other, left=left, transpose=transpose)
