"""Binds the ops to Tensor: methods, in-place `_` variants, operators, and the legacy constructor.

An in-place variant computes its op out of place and hands the result to
`Tensor._assign` after torch's checks: a leaf that requires grad is refused,
the result must keep self's shape (broadcasting may not grow self) and may
not need a dtype category self cannot hold (no float into int).
"""
import jax.numpy as jnp
import numpy as np

from . import _dtype
from ._dispatch import run
from ._ops import assemble, creation, decomposition, indexing, linalg, pointwise, random, reduction, shape
from ._ops import copies, special, statistics
from ._ops._common import dtype_name
from ._tensor import Tensor
from .nn import functional as F

_NUMBER = (int, float, complex, bool, np.number, np.bool_)
_OPERANDS = (Tensor,) + _NUMBER


def _prepare_inplace(self, result):
    """result cast to self's dtype after torch's checks for writing it into self."""
    if result.shape != self.shape:
        raise RuntimeError(f"output with shape {list(self.shape)} doesn't match the broadcast shape "
                           f"{list(result.shape)}")
    if result.dtype is not self.dtype:
        if not _dtype.can_cast(result.dtype, self.dtype):
            raise RuntimeError(f"result type {dtype_name(result.dtype)} can't be cast to the desired output type "
                               f"{dtype_name(self.dtype)}")
        result = creation.to(result, self.dtype)
    return result


def _inplace(op):
    def method(self, *args, **kwargs):
        self._check_inplace()
        return self._assign(_prepare_inplace(self, op(self, *args, **kwargs)))
    return method


def _float_power_into_self(self, exponent):
    """float_power_: torch writes the double (or complex double) result only into a tensor of that dtype."""
    result = pointwise.float_power(self, exponent)
    if result.dtype is not self.dtype:
        raise RuntimeError(f"the base given to float_power_ has dtype {dtype_name(self.dtype)} but the operation's "
                           f"result requires dtype {dtype_name(result.dtype)}")
    return result


def _inplace_reshape(op):
    """squeeze_, t_, ...: self takes the op's result, a view of self with the new shape."""
    def method(self, *args, **kwargs):
        self._check_inplace()
        return self._reshape_in_place(op(self, *args, **kwargs))
    return method


def _operator(op, reflected=False):
    """A binary dunder: NotImplemented for operands torch would not accept, so Python can try the other side.
    Calls the op's keyword-free form (`op.direct`, a memoised plan) where it has one."""
    call = getattr(op, "direct", None) or op

    def method(self, other):
        if not isinstance(other, _OPERANDS):
            return NotImplemented
        return call(other, self) if reflected else call(self, other)
    return method


def _inplace_operator(op):
    inplace = _inplace(op)

    def method(self, other):
        if not isinstance(other, _OPERANDS):
            return NotImplemented
        return inplace(self, other)
    return method


# ---- whole-tensor writes ----------------------------------------------------------------------------------

def _filled(x, value):
    return jnp.full(x.shape, value, x.dtype)


def _copied(x, src):
    return jnp.broadcast_to(src.astype(x.dtype), x.shape)


def fill_(self, value):
    if isinstance(value, Tensor) and value.ndim:
        raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with {value.ndim} "
                           "dimensions.")
    self._check_inplace()
    return self._assign(run(_filled, "FillBackward0", self, value))


def zero_(self):
    self._check_inplace()
    return self._assign(run(_filled, "ZeroBackward0", self, 0))


def copy_(self, src, non_blocking=False):
    """Write src (broadcast, cast to self's dtype, moved to self's device) into self."""
    from ._ops._common import broadcast_shapes
    if broadcast_shapes(src.shape, self.shape) != tuple(self.shape):
        raise RuntimeError(f"output with shape {list(self.shape)} doesn't match the broadcast shape "
                           f"{list(broadcast_shapes(src.shape, self.shape))}")
    self._check_inplace()
    if src.device != self.device:
        src = creation.to(src, self.device)
    return self._assign(run(_copied, "CopyBackward0", self, src))


def _invert(self):
    if self.dtype.is_floating_point or self.dtype.is_complex:
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type tensors")
    return pointwise.bitwise_not(self)


def _legacy_new(cls, *args, **kwargs):
    """torch.Tensor(data) / torch.Tensor(*sizes): float tensors of the default dtype."""
    if cls is not Tensor:
        return object.__new__(cls)
    if len(args) == 1 and not isinstance(args[0], int):
        return creation.tensor(args[0], dtype=_dtype.get_default_dtype())
    return creation.zeros(*args)


_METHODS = {
    **{name: getattr(pointwise, name) for name in (
        "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "rsqrt", "sin", "cos", "tan", "asin",
        "acos", "atan", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "sigmoid",
        "erf", "erfc", "erfinv", "reciprocal", "lgamma", "digamma", "deg2rad", "rad2deg", "abs", "absolute",
        "square", "sign", "sgn", "floor", "ceil", "trunc", "fix", "frac", "relu", "neg", "negative", "round",
        "eq", "ne", "lt", "le", "gt", "ge", "greater", "greater_equal", "less", "less_equal", "not_equal",
        "logical_and", "logical_or", "logical_xor", "logical_not", "bitwise_and", "bitwise_or", "bitwise_xor",
        "bitwise_not", "mul", "multiply", "maximum", "minimum", "fmax", "fmin", "remainder", "fmod", "atan2",
        "arctan2", "hypot", "logaddexp", "copysign", "xlogy", "add", "sub", "subtract", "div", "divide",
        "true_divide", "floor_divide", "pow", "float_power", "clamp", "clip", "clamp_min", "clamp_max", "lerp",
        "addcmul", "addcdiv", "isnan", "isinf", "isfinite", "isposinf", "isneginf", "signbit", "isclose",
        "allclose", "equal", "nan_to_num")},
    **{name: getattr(reduction, name) for name in (
        "sum", "nansum", "prod", "mean", "nanmean", "max", "min", "amax", "amin", "argmax", "argmin", "var",
        "std", "norm", "all", "any", "logsumexp", "cumsum", "cumprod", "logcumsumexp", "count_nonzero", "sort",
        "argsort", "topk", "kthvalue", "median", "nanmedian", "mode", "unique")},
    **{name: getattr(shape, name) for name in (
        "view", "view_as", "reshape", "reshape_as", "flatten", "unflatten", "squeeze", "unsqueeze", "permute",
        "transpose", "swapaxes", "swapdims", "t", "movedim", "moveaxis", "expand", "expand_as", "broadcast_to",
        "repeat", "tile", "split", "split_with_sizes", "chunk", "tensor_split", "unbind", "narrow", "select",
        "fliplr", "flipud", "roll", "diagonal", "contiguous", "repeat_interleave", "unfold", "as_strided", "adjoint", "as_strided_scatter", "diagonal_scatter", "dsplit",
        "hsplit", "ravel", "rot90", "select_scatter", "slice_scatter", "unsafe_chunk", "unsafe_split", "vsplit")},
    **{name: getattr(indexing, name) for name in (
        "gather", "scatter", "scatter_add", "scatter_reduce", "index_select", "index_add", "index_copy",
        "index_fill", "masked_fill", "masked_select", "nonzero", "argwhere", "take", "take_along_dim", "put", "put_",
        "index_put", "index_put_", "masked_scatter", "masked_scatter_")},
    **{name: getattr(linalg, name) for name in (
        "matmul", "mm", "bmm", "mv", "dot", "outer", "ger", "inner", "addmm", "addmv", "baddbmm", "addbmm", "tril",
        "triu", "diag", "trace")},
    **{name: getattr(creation, name) for name in ("to", "clone", "type_as")},
    **{name: getattr(pointwise, name) for name in (
        "angle", "bitwise_left_shift", "bitwise_right_shift", "conj", "conj_physical", "frexp", "gcd", "heaviside",
        "isreal", "lcm", "ldexp", "logaddexp2", "nextafter", "positive", "resolve_conj", "resolve_neg")},
    **{name: getattr(special, name) for name in ("i0", "igamma", "igammac", "logit", "mvlgamma", "sinc")},
    **{name: getattr(statistics, name) for name in (
        "aminmax", "bincount", "corrcoef", "cov", "cummax", "cummin", "diff", "dist", "histc", "msort",
        "nanquantile", "quantile", "renorm", "unique_consecutive", "histogram")},
    **{name: getattr(assemble, name) for name in ("addr", "diag_embed", "diagflat", "kron", "vdot")},
    **{name: getattr(decomposition, name) for name in (
        "cholesky", "cholesky_inverse", "cholesky_solve", "cross", "det", "inverse", "logdet", "matrix_exp",
        "matrix_power", "pinverse", "qr", "slogdet", "svd", "triangular_solve", "lu", "ormqr")},
    "lu_solve": decomposition.lu_solve_legacy,
    "narrow_copy": copies.narrow_copy,
    "sum_to_size": statistics.sum_to_size,
    "new_empty_strided": creation.new_factory(creation.empty_strided),
    "polygamma": lambda self, n: special.polygamma(n, self),
    **{name: getattr(random, name) for name in (
        "uniform_", "normal_", "random_", "bernoulli_", "exponential_", "geometric_", "log_normal_", "cauchy_",
        "bernoulli", "multinomial")},
    "type": creation.type_,
    "float": creation._cast_method(_dtype.float32), "double": creation._cast_method(_dtype.float64),
    "half": creation._cast_method(_dtype.float16), "bfloat16": creation._cast_method(_dtype.bfloat16),
    "long": creation._cast_method(_dtype.int64), "int": creation._cast_method(_dtype.int32),
    "short": creation._cast_method(_dtype.int16), "char": creation._cast_method(_dtype.int8),
    "byte": creation._cast_method(_dtype.uint8), "bool": creation._cast_method(_dtype.bool_),
    "cfloat": creation._cast_method(_dtype.complex64), "cdouble": creation._cast_method(_dtype.complex128),
    "new_zeros": creation.new_factory(creation.zeros), "new_ones": creation.new_factory(creation.ones),
    "new_empty": creation.new_factory(creation.empty), "new_full": creation.new_factory(creation.full),
    "new_tensor": creation.new_factory(creation.tensor),
    "cpu": lambda self: creation.to(self, "cpu"),
    "cuda": lambda self, device=None, non_blocking=False: creation.to(self, "cuda" if device is None else device),
    "flip": lambda self, *dims, **kwargs: shape.flip(self, kwargs["dims"] if "dims" in kwargs else dims[0]
                                                     if len(dims) == 1 and not isinstance(dims[0], int) else dims),
    "where": lambda self, condition, other: pointwise.where(condition, self, other),
    "softmax": lambda self, dim, dtype=None: F.softmax(self, dim, dtype=dtype),
    "log_softmax": lambda self, dim, dtype=None: F.log_softmax(self, dim, dtype=dtype),
    "fill_": fill_, "zero_": zero_, "copy_": copy_,
    "__getitem__": indexing.getitem, "__setitem__": indexing.setitem,
    "__neg__": pointwise.neg, "__pos__": lambda self: self, "__abs__": pointwise.abs,
    "__invert__": _invert,
    "__matmul__": _operator(linalg.matmul), "__rmatmul__": _operator(linalg.matmul, reflected=True),
}

_BINARY_OPERATORS = {
    "add": pointwise.add, "sub": pointwise.sub, "mul": pointwise.mul, "truediv": pointwise.div,
    "floordiv": pointwise.floor_divide, "mod": pointwise.remainder, "pow": pointwise.pow,
    "and": pointwise.bitwise_and, "or": pointwise.bitwise_or, "xor": pointwise.bitwise_xor,
}
_COMPARISONS = {"eq": pointwise.eq, "ne": pointwise.ne, "lt": pointwise.lt, "le": pointwise.le,
                "gt": pointwise.gt, "ge": pointwise.ge}

_INPLACE = (
    "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "rsqrt", "sin", "cos", "tan", "asin", "acos",
    "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "sigmoid", "erf", "erfc", "erfinv", "reciprocal",
    "lgamma", "digamma", "deg2rad", "rad2deg", "abs", "absolute", "square", "sign", "sgn", "floor", "ceil", "trunc",
    "fix", "frac", "relu", "neg", "negative", "round", "eq", "ne", "lt", "le", "gt", "ge", "logical_and",
    "logical_or", "logical_xor", "logical_not", "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not", "mul",
    "multiply", "fmod", "remainder", "atan2", "hypot", "copysign", "xlogy", "add", "sub", "subtract", "div", "divide",
    "true_divide", "floor_divide", "pow", "clamp", "clip", "clamp_min", "clamp_max", "lerp", "addcmul",
    "addcdiv", "nan_to_num", "tril", "triu", "cumsum", "cumprod", "scatter", "scatter_add", "scatter_reduce",
    "index_add", "index_copy", "index_fill", "masked_fill", "addmm", "addmv", "baddbmm", "addbmm",
    "bitwise_left_shift", "bitwise_right_shift", "conj_physical", "gcd", "heaviside", "lcm", "ldexp", "nextafter",
    "i0", "igamma", "igammac", "logit", "mvlgamma", "sinc", "polygamma", "renorm", "addr",
)
_INPLACE_RESHAPES = ("squeeze", "unsqueeze", "t", "transpose", "swapaxes", "swapdims", "as_strided")


def bind():
    for name, fn in _METHODS.items():
        setattr(Tensor, name, fn)
    for name in _INPLACE:
        setattr(Tensor, name + "_", _inplace(_METHODS[name]))
    Tensor.float_power_ = _inplace(_float_power_into_self)
    for name in _INPLACE_RESHAPES:
        setattr(Tensor, name + "_", _inplace_reshape(_METHODS[name]))
    for name, op in _BINARY_OPERATORS.items():
        setattr(Tensor, f"__{name}__", _operator(op))
        setattr(Tensor, f"__r{name}__", _operator(op, reflected=True))
        setattr(Tensor, f"__i{name}__", _inplace_operator(op))
    for name, op in _COMPARISONS.items():
        setattr(Tensor, f"__{name}__", _operator(op))
    Tensor.__hash__ = object.__hash__
    Tensor.T = property(shape.adjoint_T)
    Tensor.mT = property(shape.mT)
    Tensor.H = property(shape.adjoint_H)
    Tensor.mH = property(shape.adjoint_mH)
    Tensor.real = property(shape.real)
    Tensor.imag = property(shape.imag)
    Tensor.__new__ = _legacy_new
    Tensor.__init__ = lambda self, *args, **kwargs: None


bind()
