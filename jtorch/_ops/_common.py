"""Argument handling shared by the op families: dims, shapes, dtypes, broadcasting."""
import functools

from .. import _dtype
from .._tensor import Tensor, _wrap_dim

wrap_dim = _wrap_dim


def wrap_dims(dims, ndim):
    """Normalize an int or sequence of dims (negative allowed) to a sorted tuple; torch's errors."""
    if isinstance(dims, int):
        dims = (dims,)
    out = tuple(sorted(wrap_dim(d, ndim) for d in dims))
    if len(set(out)) != len(out):
        raise RuntimeError(f"dim {out[0]} appears multiple times in the list of dims")
    return out


def shape_arg(size):
    """Sizes given as varargs ints, one sequence, or a Size -> tuple of ints."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    out = tuple(int(s) for s in size)
    for s in out:
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {list(out)}")
    return out


@functools.lru_cache(maxsize=4096)
def broadcast_shapes(*shapes):
    """Broadcast shape, or torch's RuntimeError naming the mismatching sizes."""
    ndim = max(len(s) for s in shapes)
    out = []
    for i in range(ndim):
        size = 1
        for k, s in enumerate(shapes):
            d = s[len(s) - ndim + i] if len(s) - ndim + i >= 0 else 1
            if d != 1:
                if size != 1 and d != size:
                    a, b = (shapes[0], shapes[k]) if k else (shapes[0], shapes[1])
                    da = a[len(a) - ndim + i] if len(a) - ndim + i >= 0 else 1
                    db = b[len(b) - ndim + i] if len(b) - ndim + i >= 0 else 1
                    raise RuntimeError(
                        f"The size of tensor a ({da}) must match the size of tensor b ({db}) at non-singleton "
                        f"dimension {i}")
                size = d
        out.append(size)
    return tuple(out)


def check_broadcast(*xs):
    """torch's RuntimeError when the Tensor operands' shapes do not broadcast."""
    first = None
    for x in xs:
        if isinstance(x, Tensor):
            shape = x._value.shape
            if first is None:
                first = shape
            elif shape != first:
                broadcast_shapes(*[y._value.shape for y in xs if isinstance(y, Tensor)])
                return


def promoted(input, other):
    """torch's result dtype of a binary op (`_dtype.result_type`), after checking that its operands
    broadcast."""
    check_broadcast(input, other)
    return _dtype.result_type(input, other)


def np_dtype(dtype):
    """The numpy dtype of a torch dtype (or None)."""
    return None if dtype is None else dtype._np


def float_result(dtype):
    """The dtype a floating-only op (exp, sqrt, mean...) gives: ints and bools become the default float."""
    return dtype if dtype.is_floating_point or dtype.is_complex else _dtype.get_default_dtype()


def dtype_name(d):
    """torch's C++ scalar type name used in error messages (Float, Long...)."""
    return _CPP_NAMES[d._name]


_CPP_NAMES = {
    "bool": "Bool", "uint8": "Byte", "int8": "Char", "int16": "Short", "int32": "Int", "int64": "Long",
    "float16": "Half", "bfloat16": "BFloat16", "float32": "Float", "float64": "Double",
    "complex64": "ComplexFloat", "complex128": "ComplexDouble",
}
