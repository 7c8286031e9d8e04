"""jtorch: the PyTorch API, computed by JAX. `import jtorch as torch`."""
from . import _methods  # noqa: F401  (binds the ops to Tensor)
from . import autograd, backends, cuda, distributions, nn, random, return_types, utils
from . import optim
from . import fft, linalg, special
from ._ops.assemble import (addr, block_diag, broadcast_shapes, cartesian_prod, combinations, diag_embed, diagflat,
                            fill, kron, meshgrid, tril_indices, triu_indices, vdot)
from ._ops.decomposition import (cholesky, cholesky_inverse, cholesky_solve, cross, det, inverse, logdet, matrix_exp,
                                 matrix_power, pinverse, qr, slogdet, svd, triangular_solve)
from ._ops.decomposition import lu, lu_solve_legacy as lu_solve, lu_unpack, ormqr
from ._ops.copies import (alias_copy, as_strided_copy, diagonal_copy, expand_copy, narrow_copy, permute_copy,
                          split_with_sizes_copy, squeeze_copy, t_copy, transpose_copy, unbind_copy, unfold_copy,
                          unsqueeze_copy, view_copy)
from ._ops.pointwise import (angle, bitwise_left_shift, bitwise_right_shift, conj, conj_physical, frexp, gcd,
                             heaviside, isreal, lcm, ldexp, logaddexp2, nextafter, polar, positive, resolve_conj,
                             resolve_neg)
from ._ops.special import i0, igamma, igammac, logit, mvlgamma, polygamma, sinc
from ._ops.statistics import (aminmax, bincount, bucketize, corrcoef, cov, cummax, cummin, cumulative_trapezoid, diff,
                              dist, histc, isin, msort, nanquantile, quantile, renorm, searchsorted, trapezoid, trapz)
from ._ops.statistics import cdist, gradient, histogram, unique_consecutive
from ._ops.assemble import constant_pad_nd, unravel_index
from ._ops.creation import empty_permuted, empty_strided
from ._methods import zero_
from ._memory_format import (channels_last, channels_last_3d, contiguous_format, layout, memory_format,
                             preserve_format, strided)
from ._ops.random import (bernoulli, multinomial, normal, rand, rand_like, randint, randint_like, randn, randn_like,
                          randperm)
from .random import (Generator, default_generator, get_rng_state, initial_seed, manual_seed, seed, set_rng_state)
from ._device import device
from ._dtype import (bfloat16, complex64, complex128, dtype, float16, float32, float64, get_default_dtype,
                     int8, int16, int32, int64, promote_types, set_default_dtype, uint8)
from ._dtype import bool_ as bool  # noqa: A001
from ._dtype import can_cast, result_type
from ._format import set_printoptions
from ._ops.creation import (arange, as_tensor, asarray, complex, empty, empty_like, eye, from_numpy, full,
                            full_like, linspace, logspace, ones, ones_like, scalar_tensor, tensor, zeros,
                            zeros_like, clone)
from ._ops.indexing import (argwhere, gather, index_add, index_copy, index_fill, index_put, index_put_, index_select,
                            masked_fill, masked_scatter, masked_select, nonzero, put, scatter, scatter_add,
                            scatter_reduce, take, take_along_dim)
from ._ops.linalg import (addbmm, addmm, addmv, baddbmm, bmm, diag, dot, einsum, ger, inner, matmul, mm, mv, outer,
                          tensordot, trace, tril, triu)
from ._ops.pointwise import (abs, absolute, acos, acosh, add, addcdiv, addcmul, allclose, arccos, arcsin,
                             arctan, arctan2, asin, asinh, atan, atan2, atanh, bitwise_and, bitwise_not,
                             bitwise_or, bitwise_xor, ceil, clamp, clamp_max, clamp_min, clip, copysign, cos,
                             cosh, deg2rad, digamma, div, divide, eq, equal, erf, erfc, erfinv, exp, exp2, expm1,
                             fix, float_power, floor, floor_divide, fmax, fmin, fmod, frac, ge, greater,
                             greater_equal, gt, hypot, isclose, isfinite, isinf, isnan, isneginf, isposinf, le,
                             lerp, less, less_equal, lgamma, log, log1p, log2, log10, logaddexp, logical_and,
                             logical_not, logical_or, logical_xor, lt, maximum, minimum, mul, multiply,
                             nan_to_num, ne, neg, negative, not_equal, pow, rad2deg, reciprocal, relu, remainder,
                             round, rsqrt, rsub, sgn, sigmoid, sign, signbit, sin, sinh, sqrt, square, sub,
                             subtract, tan, tanh, true_divide, trunc, where, xlogy)
from ._ops.reduction import (all, amax, amin, any, argmax, argmin, argsort, count_nonzero, cumprod, cumsum, kthvalue,
                             logcumsumexp, logsumexp, max, mean, median, min, mode, nanmean, nanmedian, nansum, norm,
                             prod, sort, std, std_mean, sum, topk, unique, var, var_mean)
from ._ops.shape import (adjoint, as_strided, as_strided_scatter, atleast_1d, atleast_2d, atleast_3d,
                         broadcast_tensors, broadcast_to, cat, chunk, column_stack, concat, concatenate, diagonal,
                         diagonal_scatter, dsplit, dstack, flatten, flip, fliplr, flipud, hsplit, hstack, imag,
                         moveaxis, movedim, narrow, permute, ravel, real, repeat_interleave, reshape, roll, rot90,
                         row_stack, select, select_scatter, slice_scatter, split, split_with_sizes, squeeze, stack,
                         swapaxes, swapdims, t, tensor_split, tile, transpose, unbind, unflatten,
                         unsafe_chunk, unsafe_split, unsqueeze, view_as_complex, view_as_real, vsplit, vstack)
from .nn.functional import (adaptive_avg_pool1d, adaptive_max_pool1d, avg_pool1d, batch_norm, conv1d, conv2d,
                            conv3d, conv_transpose1d, conv_transpose2d, dropout, embedding, layer_norm, log_softmax,
                            max_pool1d, max_pool2d, relu_, softmax)
from ._tensor import Size, Tensor, is_complex, is_floating_point, is_tensor, numel
from .serialization import load, save
from .autograd.grad_mode import (enable_grad, inference_mode, is_grad_enabled, is_inference_mode_enabled,
                                 no_grad, set_grad_enabled)

half, float, double = float16, float32, float64  # noqa: A001
short, int, long = int16, int32, int64  # noqa: A001
cfloat, cdouble = complex64, complex128

