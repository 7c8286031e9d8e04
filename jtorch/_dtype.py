"""torch dtypes, torch's type-promotion rules and the default dtype.

A `dtype` wraps the numpy/jax dtype that holds its values. Promotion follows
torch's lattice (bool < integer < floating < complex), not numpy's: an integer
tensor combined with float16 stays float16, and float16 with bfloat16 gives
float32.
"""
import jax
import jax.numpy as jnp
import numpy as np

jax.config.update("jax_enable_x64", True)

_BOOL, _INT, _FLOAT, _COMPLEX = range(4)


class dtype:
    """A torch scalar type. `repr` prints as torch's (`torch.float32`)."""

    __slots__ = ("_name", "_np", "_category", "itemsize", "is_signed")

    def __init__(self, name, np_dtype, category):
        self._name = name
        self._np = np.dtype(np_dtype)
        self._category = category
        self.itemsize = self._np.itemsize
        self.is_signed = name not in ("bool", "uint8")

    @property
    def is_floating_point(self):
        return self._category == _FLOAT

    @property
    def is_complex(self):
        return self._category == _COMPLEX

    def to_real(self):
        return {complex64: float32, complex128: float64}.get(self, self)

    def to_complex(self):
        return {float64: complex128}.get(self, complex64) if self._category == _FLOAT else self

    def __repr__(self):
        return f"torch.{self._name}"

    def __reduce__(self):
        return (_by_name, (self._name,))


def _by_name(name):
    return _NAMES[name]


bool_ = dtype("bool", np.bool_, _BOOL)
uint8 = dtype("uint8", np.uint8, _INT)
int8 = dtype("int8", np.int8, _INT)
int16 = dtype("int16", np.int16, _INT)
int32 = dtype("int32", np.int32, _INT)
int64 = dtype("int64", np.int64, _INT)
float16 = dtype("float16", np.float16, _FLOAT)
bfloat16 = dtype("bfloat16", jnp.bfloat16, _FLOAT)
float32 = dtype("float32", np.float32, _FLOAT)
float64 = dtype("float64", np.float64, _FLOAT)
complex64 = dtype("complex64", np.complex64, _COMPLEX)
complex128 = dtype("complex128", np.complex128, _COMPLEX)

_ALL = (bool_, uint8, int8, int16, int32, int64, float16, bfloat16, float32, float64, complex64, complex128)
_NAMES = {d._name: d for d in _ALL}
_FROM_NP = {d._np: d for d in _ALL}


def from_numpy_dtype(np_dtype):
    """The torch dtype holding values of a numpy/jax dtype."""
    try:
        return _FROM_NP[np.dtype(np_dtype)]
    except KeyError:
        raise TypeError(f"can't convert np.ndarray of type {np.dtype(np_dtype)}. The only supported types are: "
                        "float64, float32, float16, complex64, complex128, int64, int32, int16, int8, uint8, "
                        "and bool.") from None


_default = [float32]
default_dependents = []  # caches computed under the default dtype: cleared when it changes


def get_default_dtype():
    return _default[0]


def set_default_dtype(d):
    if d not in (float16, bfloat16, float32, float64):
        raise TypeError("only floating-point types are supported as the default type")
    if d is not _default[0]:
        _default[0] = d
        for cache in default_dependents:
            cache.clear()


def default_complex_dtype():
    return complex128 if _default[0] is float64 else complex64


def promote_types(a, b):
    """torch.promote_types: the smallest dtype both `a` and `b` convert to safely."""
    if a is b:
        return a
    ca, cb = a._category, b._category
    if ca != cb:
        lo, hi = (a, b) if ca < cb else (b, a)
        if lo is bool_:
            return hi
        if hi._category == _COMPLEX and lo._category == _FLOAT:
            return complex128 if lo is float64 or hi is complex128 else complex64
        return hi
    if ca == _INT:
        if a is uint8 or b is uint8:
            other = b if a is uint8 else a
            return int16 if other is int8 else other
        return a if a.itemsize > b.itemsize else b
    if {a, b} == {float16, bfloat16}:
        return float32
    return a if a.itemsize > b.itemsize else b


def scalar_dtype(value):
    """The dtype torch gives a Python scalar when it enters an op ("wrapped number")."""
    if isinstance(value, (bool, np.bool_)):
        return bool_
    if isinstance(value, (int, np.integer)):
        return int64
    if isinstance(value, (float, np.floating)):
        return get_default_dtype()
    if isinstance(value, (complex, np.complexfloating)):
        return default_complex_dtype()
    raise TypeError(f"unsupported scalar type {type(value).__name__}")


def _combine_categories(higher, lower):
    """torch's rule for joining a higher-priority result with a lower-priority one."""
    if higher is None:
        return lower
    if lower is None:
        return higher
    if higher.is_complex:
        return higher
    if lower.is_complex:
        return higher.to_complex() if higher.is_floating_point else lower
    if higher.is_floating_point:
        return higher
    if higher is bool_ or lower.is_floating_point:
        return promote_types(higher, lower)
    return higher


def result_type(*operands):
    """torch.result_type over Tensors and Python scalars.

    Dimensioned tensors outrank zero-dim tensors, which outrank Python scalars;
    a lower rank only matters when it lifts the category (int -> float -> complex).
    """
    dim = zero = wrapped = None
    for x in operands:
        value = getattr(x, "_value", None)
        if value is not None:
            d = _FROM_NP[value.dtype]
            if value.ndim:
                dim = d if dim is None or dim is d else promote_types(dim, d)
            else:
                zero = d if zero is None else promote_types(zero, d)
        elif isinstance(x, dtype):
            dim = x if dim is None else promote_types(dim, x)
        elif x is not None:
            s = scalar_dtype(x)
            wrapped = s if wrapped is None else promote_types(wrapped, s)
    if zero is None and wrapped is None:
        return dim
    return _combine_categories(dim, _combine_categories(zero, wrapped))


def can_cast(src, dst):
    """torch.can_cast: may a value of `src` be written into `dst` (no category downcast)."""
    return src._category <= dst._category
