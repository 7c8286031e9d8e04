"""torch.linalg: re-exports of the matrix functions."""
from ._ops.decomposition import (cholesky_ex, cond, det, eig, eigh, eigvals, eigvalsh,  # noqa: F401
                                 householder_product, inv, inv_ex, lstsq, lu_factor, lu_factor_ex, lu_solve,
                                 matrix_exp, matrix_norm, matrix_power, matrix_rank, multi_dot, pinv, slogdet, solve,
                                 solve_ex, solve_triangular, svdvals, tensorinv, tensorsolve, vander, vecdot,
                                 vector_norm)
from ._ops.decomposition import (linalg_cholesky as cholesky, linalg_cross as cross,  # noqa: F401
                                 linalg_diagonal as diagonal, linalg_lu as lu, linalg_norm as norm, linalg_qr as qr,
                                 linalg_svd as svd)
from ._ops.linalg import matmul  # noqa: F401
