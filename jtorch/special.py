"""torch.special: re-exports of the special functions and their aliases."""
from ._ops.pointwise import (digamma, erf, erfc, erfinv, exp2, expm1, log1p, round, sigmoid as expit,  # noqa: F401
                             xlogy)
from ._ops.pointwise import digamma as psi, lgamma as gammaln  # noqa: F401
from ._ops.reduction import logsumexp  # noqa: F401
from ._ops.special import (bessel_j0, bessel_j1, chebyshev_polynomial_t, chebyshev_polynomial_u,  # noqa: F401
                           chebyshev_polynomial_v, chebyshev_polynomial_w, entr, erfcx, gammainc, gammaincc,
                           hermite_polynomial_h, hermite_polynomial_he, i0, i0e, i1, i1e, laguerre_polynomial_l,
                           legendre_polynomial_p, log_ndtr, logit, modified_bessel_i0, modified_bessel_i1,
                           modified_bessel_k0, modified_bessel_k1, multigammaln, ndtr, ndtri, polygamma,
                           scaled_modified_bessel_k0, scaled_modified_bessel_k1, shifted_chebyshev_polynomial_t,
                           shifted_chebyshev_polynomial_u, shifted_chebyshev_polynomial_v,
                           shifted_chebyshev_polynomial_w, sinc, spherical_bessel_j0, xlog1py, zeta)
from .nn.functional import log_softmax, softmax  # noqa: F401
