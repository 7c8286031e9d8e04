"""Tensor: a jax array plus autograd state; methods are bound to the ops in `_ops`.

A Tensor owns its value (`_value`, an immutable jax.Array), or aliases a base
tensor's memory: `detach()` and `.data` return aliases that share the base's
value. Every write goes through `_write`: a write to a base replaces its value
and refreshes its live aliases; a write to an alias is a write to its base.
In-place ops compute out of place and end in `_assign`, which writes the value
and adopts the result's autograd history. Only whole-tensor aliases exist so
far; strided views (slices, transposes, ...) are still copies.
"""
import weakref

import jax
import numpy as np

from . import _device, _dtype
from ._dispatch import _Types
from .autograd import grad_mode
from .autograd.graph import AccumulateGrad, _bridge, add_hook

_new = object.__new__


class Size(tuple):
    """torch.Size: a tuple of ints."""

    def __repr__(self):
        return f"torch.Size({list(self)})"

    __str__ = __repr__

    def numel(self):
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, item):
        out = tuple.__getitem__(self, item)
        return Size(out) if isinstance(item, slice) else out

    def __add__(self, other):
        return Size(tuple.__add__(self, tuple(other)))

    def __radd__(self, other):
        return Size(tuple(other) + tuple(self))


class Tensor:
    """A torch.Tensor computed by JAX.

    Differs from torch: `numpy()` returns a read-only view of the value, not
    memory shared for writing.
    """

    __array_priority__ = 1000
    _requires_grad = False
    _grad_fn = None
    _output_nr = 0
    _version = 0
    _hooks = None
    _accumulator = None
    _retains_grad = False
    _alias_of = None
    _aliases = None
    grad = None

    # ---- state ----
    @property
    def shape(self):
        return Size(self._value.shape)

    def size(self, dim=None):
        if dim is None:
            return Size(self._value.shape)
        return self._value.shape[_wrap_dim(dim, self.ndim)]

    @property
    def ndim(self):
        return self._value.ndim

    def dim(self):
        return self._value.ndim

    ndimension = dim

    def numel(self):
        return int(self._value.size)

    nelement = numel

    @property
    def dtype(self):
        return _dtype._FROM_NP[self._value.dtype]

    def element_size(self):
        return self._value.dtype.itemsize

    @property
    def device(self):
        return _device.from_jax(self._value.device)

    @property
    def is_cuda(self):
        return self.device.type == "cuda"

    def is_floating_point(self):
        return self.dtype.is_floating_point

    def is_complex(self):
        return self.dtype.is_complex

    @property
    def requires_grad(self):
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value):
        self.requires_grad_(value)

    def requires_grad_(self, requires_grad=True):
        if self._grad_fn is not None:
            if not requires_grad:
                raise RuntimeError(
                    "you can only change requires_grad flags of leaf variables. If you want to use a computed "
                    "variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach().")
            return self
        if requires_grad and self._value.dtype not in _INEXACT:
            raise RuntimeError("only Tensors of floating point and complex dtype can require gradients")
        self._requires_grad = bool(requires_grad)
        return self

    @property
    def grad_fn(self):
        return self._grad_fn

    @property
    def is_leaf(self):
        return self._grad_fn is None

    @property
    def data(self):
        return self.detach()

    @data.setter
    def data(self, other):
        """Differs from torch: self takes other's current value but does not start sharing its memory."""
        self._write(other._value)

    # ---- conversion to Python / numpy ----
    def item(self):
        if self._value.size != 1:
            raise RuntimeError(f"a Tensor with {self._value.size} elements cannot be converted to Scalar")
        return _host(self._value).item()

    def tolist(self):
        return _host(self._value).tolist()

    def numpy(self, *, force=False):
        if self._requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")
        return np.asarray(self._value)

    def __array__(self, dtype=None, copy=None):
        arr = np.asarray(self._value)
        return arr if dtype is None else arr.astype(dtype)

    def __len__(self):
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._value.shape[0]

    def __iter__(self):
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __bool__(self):
        if self._value.size != 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return bool(self.item())

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __complex__(self):
        return complex(self.item())

    def __index__(self):
        if self.dtype.is_floating_point or self.dtype.is_complex or self._value.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    __hash__ = object.__hash__

    def __reduce_ex__(self, protocol):
        from .serialization import reduce_tensor
        return reduce_tensor(self, protocol)

    def __deepcopy__(self, memo):
        from .serialization import deepcopy_tensor
        return deepcopy_tensor(self, memo)

    def __repr__(self):
        from ._format import format_tensor
        return format_tensor(self)

    def __str__(self):
        return self.__repr__()

    def __format__(self, spec):
        if self.ndim == 0 and spec:
            return format(self.item(), spec)
        return object.__format__(repr(self), spec)

    # ---- autograd ----
    def _edge(self):
        """Where a gradient for this tensor goes: (producing node, output index)."""
        if self._grad_fn is not None:
            return (self._grad_fn, self._output_nr)
        acc = self._accumulator
        if acc is None:
            acc = self._accumulator = AccumulateGrad(self)
        return (acc, 0)

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        from .autograd.api import backward
        backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def register_hook(self, hook):
        """hook(grad) -> Tensor or None, called with this tensor's gradient."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self._grad_fn is not None:
            return self._grad_fn._add_pre_hook(self._output_nr, hook)
        if self._hooks is None:
            self._hooks = []
        return add_hook(self._hooks, 0, hook, False)

    def retain_grad(self):
        if not self._requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self._grad_fn is None or self._retains_grad:
            return
        self._retains_grad = True
        ref = weakref.ref(self)

        def keep(grad):
            t = ref()
            if t is not None:
                t.grad = grad.detach() if t.grad is None else t.grad + grad.detach()
        self._grad_fn._add_pre_hook(self._output_nr, keep, last=True)

    @property
    def retains_grad(self):
        return self._retains_grad

    def detach(self):
        """A tensor without history that shares this tensor's memory: writes to either are seen by both."""
        base = self if self._alias_of is None else self._alias_of
        alias = wrap(base._value)
        alias._alias_of = base
        alias._version = base._version
        if base._aliases is None:
            base._aliases = {}
        base._aliases[id(alias)] = weakref.ref(alias, lambda _, key=id(alias), aliases=base._aliases:
                                               aliases.pop(key, None))
        return alias

    def detach_(self):
        self._grad_fn = None
        self._requires_grad = False
        return self

    # ---- in-place machinery ----
    def _check_inplace(self):
        if self._requires_grad and self._grad_fn is None and grad_mode._State.enabled:
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")

    def _assign(self, result):
        """Make `result` (same shape and dtype) this tensor's value and history: the end of every in-place op."""
        self._write(result._value)
        if result._grad_fn is not None:
            self._grad_fn = result._grad_fn
            self._output_nr = result._output_nr
            self._requires_grad = True
        return self

    def _inplace_set(self, array):
        """Overwrite the value outside autograd (samplers, optimizers, `.grad` accumulation)."""
        self._write(array)
        return self

    def _unalias(self):
        """An alias whose shape changes in place (t_, squeeze_, ...) stops sharing (torch would restride)."""
        self._alias_of._aliases.pop(id(self), None)
        self._alias_of = None

    def _write(self, array):
        """Store a new value in this tensor's memory, bumping the version every sharer sees."""
        base = self._alias_of
        if base is not None and array.shape == base._value.shape:
            base._write(array)
            return
        if base is not None:
            self._unalias()
        self._value = array
        self._version += 1
        if self._aliases:
            for ref in list(self._aliases.values()):
                alias = ref()
                if alias is not None:
                    alias._value = array
                    alias._version = self._version


_INEXACT = frozenset(np.dtype(d._np) for d in _dtype._ALL if d.is_floating_point or d.is_complex)


def _host(array):
    arr = np.asarray(array)
    return arr.astype(np.float32) if arr.dtype == _dtype.bfloat16._np else arr


def _wrap_dim(dim, ndim):
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})")
    return dim % n


def wrap(value, node=None, output_nr=0):
    """A Tensor holding jax array `value`, optionally produced by graph node `node`."""
    t = _new(Tensor)
    t._value = value
    if node is not None:
        t._grad_fn = node
        t._output_nr = output_nr
        t._requires_grad = True
    return t


def from_array(array, requires_grad=False, device=None):
    """A leaf Tensor from a numpy or jax array, placed on `device` (default: cpu)."""
    jdev = _device.default_jax_device() if device is None else _device.to_jax(device)
    t = wrap(jax.device_put(array, jdev))
    if requires_grad:
        t.requires_grad_(True)
    return t


def _accumulate(variable, grad, create_graph):
    if create_graph:
        variable.grad = grad if variable.grad is None else variable.grad + grad
    elif variable.grad is None:
        variable.grad = wrap(grad)
    else:
        variable.grad._inplace_set(_accumulate_add(variable.grad._value, grad))


_accumulate_add = jax.jit(lambda a, b: a + b)


def is_tensor(obj):
    return isinstance(obj, Tensor)


def numel(input):
    return input.numel()


def is_floating_point(input):
    return input.is_floating_point()


def is_complex(input):
    return input.is_complex()


def _value_of(t):
    return t._value if isinstance(t, Tensor) else t


_Types.Tensor = Tensor
_Types.wrap = wrap
_bridge.wrap = wrap
_bridge.value = _value_of
_bridge.accumulate = _accumulate
