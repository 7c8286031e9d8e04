"""Tensor: a jax array plus autograd state; methods are bound to the ops in `_ops`.

Storage sharing. A tensor either owns its value (`_value`, an immutable jax.Array, whose C order is the
storage) or views a root tensor's storage through a `_layout.Layout`: the view ops (view, slicing,
transpose, expand, diagonal, unbind, ...) and `detach()`/`.data` return such views. Every write goes
to the root: an in-place op on a view computes out of place, then scatters its result into the root
(`CopySlices` under autograd, as torch records it) and bumps the version that root and views share. The
root's live views then drop their cached value and read it again, lazily, on their next use
(`AsStridedBackward0` when the root requires grad, torch's node for a view whose base changed).
"""
import weakref

import jax
import numpy as np

from . import _device, _dtype, _layout, _storage
from . import _dispatch
from ._dispatch import _jitted, run
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
    _output_nr = 0
    _hooks = None
    _accumulator = None
    _grad_edge = None       # `_edge()`'s result, cached; dropped whenever the history changes (`_set_history`)
    _retains_grad = False
    _root = None            # the tensor owning the storage this one views; None when it owns its value
    _layout = None          # where a view's elements sit in its root's storage
    _view_kind = None       # 'view', 'multi', 'no_grad' or 'alias' (see `_share`)
    _multi_creator = None   # 'Unbind' or 'Split' for outputs of functions returning several views
    _views = None           # a root's live views: {id: weakref}
    _writes = 0             # a root's version counter, shared by its views as `_version`
    _own_version = False    # `.data` aliases count their writes apart, as in torch
    grad = None

    # ---- state ----
    @property
    def shape(self):
        return Size(self._value.aval.shape)

    def size(self, dim=None):
        shape = self._value.aval.shape
        if dim is None:
            return Size(shape)
        return shape[_wrap_dim(dim, len(shape))]

    @property
    def ndim(self):
        return len(self._value.aval.shape)

    def dim(self):
        return len(self._value.aval.shape)

    ndimension = dim

    def numel(self):
        return int(self._value.size)

    nelement = numel

    @property
    def dtype(self):
        return _dtype._FROM_NP[self._value.aval.dtype]

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
        if requires_grad and not _dispatch._inexact(self._value):
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
        """Like detach(), but with a version counter of its own, as in torch."""
        alias = self.detach()
        alias._own_version = True
        return alias

    @data.setter
    def data(self, other):
        """self starts sharing other's memory, keeping its own history; self's old views keep the old memory."""
        if self._root is None and self._views:
            self._hand_over_storage()
        elif self._root is not None:
            self._unshare()
        self._share(other._storage_owner(), other._layout_in_storage(), "alias")
        self._value = other._value

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
        if self.ndim == 0:
            return format(self.item(), spec)
        return object.__format__(repr(self), spec)

    # ---- autograd ----
    def _edge(self):
        """Where a gradient for this tensor goes: (producing node, output index). Hot paths read the cached
        `_grad_edge` first."""
        node = self._grad_fn
        if node is not None:
            edge = (node, self._output_nr)
        else:
            acc = self._accumulator
            if acc is None:
                acc = self._accumulator = AccumulateGrad(self)
            edge = (acc, 0)
        self._grad_edge = edge
        return edge

    def _set_history(self, node, output_nr=0):
        """Make this tensor output `output_nr` of graph node `node` (None: no history)."""
        self._grad_fn, self._output_nr = node, output_nr
        self.__dict__.pop("_grad_edge", None)

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
        alias = wrap(self._value)
        alias._share(self._storage_owner(), self._layout_in_storage(), "alias")
        return alias

    def detach_(self):
        if self._view_kind in _AUTOGRAD_VIEWS:
            raise RuntimeError("Can't detach views in-place. Use detach() instead. If you are using "
                               "DistributedDataParallel (DDP) for training, and gradient_as_bucket_view is set as "
                               "True, gradients are views of DDP buckets, and hence detach_() cannot be called on "
                               "these gradients. To fix this error, please refer to the Optimizer.zero_grad() "
                               "function in torch/optim/optimizer.py as the solution.")
        self._set_history(None)
        self._requires_grad = False
        return self

    # ---- storage: views share their root's value ----
    def __getattr__(self, name):
        """A view whose root was written since it last read recomputes `_value` and `_grad_fn` on first use."""
        if name == "_grad_fn" and self._root is None:
            return None
        if name in ("_value", "_grad_fn") and self._root is not None:
            self._refresh()
            return self.__dict__[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    @property
    def _version(self):
        return self._version_owner()._writes

    def _version_owner(self):
        return self if self._root is None or self._own_version else self._root

    @property
    def _base(self):
        return self._root if self._view_kind in _AUTOGRAD_VIEWS else None

    def _is_view(self):
        return self._view_kind in _AUTOGRAD_VIEWS

    def _storage_owner(self):
        return self if self._root is None else self._root

    def _layout_in_storage(self):
        return _layout.contiguous(self._value.shape) if self._root is None else self._layout

    def stride(self, dim=None):
        strides = self._layout_in_storage().strides
        return strides if dim is None else strides[_wrap_dim(dim, self.ndim)]

    def storage_offset(self):
        return self._layout_in_storage().offset

    def is_contiguous(self, memory_format=None):
        return self._root is None or _layout.is_contiguous(self._layout)

    def data_ptr(self):
        """A stand-in address: equal for tensors that share storage at the same offset, as torch's is."""
        return self.untyped_storage().data_ptr() + self.storage_offset() * self.element_size()

    def untyped_storage(self):
        return _storage.UntypedStorage(self._storage_owner())

    def is_set_to(self, tensor):
        return (self._storage_owner() is tensor._storage_owner() and self.dtype is tensor.dtype
                and self._layout_in_storage() == tensor._layout_in_storage())

    def is_same_size(self, other):
        return self.shape == other.shape

    def _as_view_of(self, base, layout, creator=None):
        """Mark this op result as a view of base's storage at `layout`; `creator` names a function returning
        several views ('Unbind', 'Split', ...), whose outputs torch refuses to modify in place under autograd."""
        kind = base._view_kind
        if kind != "alias" and kind != "no_grad":
            if base._requires_grad and not grad_mode._State.enabled:
                kind = "no_grad"
            else:
                kind = "multi" if creator else "view"
        self._share(base._storage_owner(), layout, kind)
        if kind == "no_grad":
            self._requires_grad = True
        if creator:
            self._multi_creator = creator
        return self

    def _share(self, root, layout, kind):
        """Make this tensor read `layout` of root's storage; kind: 'view' (torch's views), 'multi' (an output
        of unbind/split/chunk), 'no_grad' (a view made in no_grad mode of a root that requires grad) or
        'alias' (detach, .data: shares memory, not history)."""
        self._root = root
        self._layout = layout
        self._view_kind = kind
        views = root._views
        if views is None:
            views = root._views = {}
        key = id(self)
        views[key] = weakref.ref(self, lambda _, key=key, views=views: views.pop(key, None))

    def _refresh(self):
        """Read this view's elements from its root; an autograd view of a root that requires grad records
        `AsStridedBackward0` (in any grad mode, so history made under no_grad is not lost later)."""
        root, layout = self._root, self._layout
        tracked = self._view_kind in _TRACKED and root._requires_grad
        if not tracked and self._covers_root():
            self._value = root._value
        else:
            with grad_mode.set_grad_enabled(tracked):
                out = run(_storage.read_strided, "AsStridedBackward0", root, layout.offset, **_storage.static(layout))
            self._value = out._value
            if tracked:
                self._set_history(out._grad_fn)
        if self._view_kind != "alias" and "_grad_fn" not in self.__dict__:
            self._set_history(None)

    def _written_root(self, array):
        """The root's value after writing `array` through this view (no history)."""
        if self._covers_root():
            return array
        layout = self._layout
        return _jitted(_storage.write_strided, tuple(_storage.static(layout).items()))(self._root._value, array,
                                                                                     layout.offset)

    def _covers_root(self):
        """Whether this view reads all of its root's storage in order (it then equals the root's value)."""
        return self._layout == _layout.contiguous(self._root._value.shape)

    # ---- in-place machinery ----
    def _check_inplace(self):
        if self._root is not None:
            self._check_view_write()
        if self._requires_grad and self._grad_fn is None and grad_mode._State.enabled:
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")

    def _check_view_write(self):
        kind = self._view_kind
        if _layout.overlaps(self._layout):
            raise RuntimeError("unsupported operation: more than one element of the written-to tensor refers to a "
                               "single memory location. Please clone() the tensor before performing the operation.")
        if kind == "alias" or not grad_mode._State.enabled or not self._requires_grad:
            return
        if kind == "no_grad":
            raise RuntimeError(
                "A view was created in no_grad mode and is being modified inplace with grad mode enabled. Given "
                "that this use case is ambiguous and error-prone, it is forbidden. You can clarify your code by "
                "moving both the view and the inplace either both inside the no_grad block (if you don't want the "
                "inplace to be tracked) or both outside (if you want the inplace to be tracked).")
        if kind == "multi":
            raise RuntimeError(
                f"Output {self._output_nr} of {self._multi_creator} is a view and is being modified inplace. This "
                "view is the output of a function that returns multiple views. Such functions do not allow the "
                "output views to be modified inplace. You should replace the inplace operation by an out-of-place "
                "one.")
        if self._root._grad_fn is None and self._root._requires_grad:
            raise RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place operation.")

    def _assign(self, result):
        """Make `result` (same shape and dtype) this tensor's value and history: the end of every in-place op.
        Through a view it is a write into the root (`CopySlices` when recorded)."""
        root = self._root
        if root is not None and self._view_kind != "alias":
            layout = self._layout
            root._assign(run(_storage.write_strided, "CopySlices", root, result, layout.offset,
                             **_storage.static(layout)))
            if not root._requires_grad:
                self._value = result._value
            return self
        if result._grad_fn is not None:
            self._set_history(result._grad_fn, result._output_nr)
            self._requires_grad = True
        if root is None:
            self._store(result._value)
        else:
            root._store(self._written_root(result._value))
            self._value = result._value
        self._version_owner()._writes += 1
        return self

    def _inplace_set(self, array):
        """Overwrite the value outside autograd (samplers, optimizers, `.grad` accumulation)."""
        self._write(array)
        return self

    def _write(self, array):
        """Store a new value in this tensor's memory without history; a new shape ends a view's sharing."""
        root = self._root
        if root is None:
            self._store(array)
        elif array.shape != self._layout.shape:
            self._unshare()
            self._store(array)
        else:
            root._store(self._written_root(array))
            if self._view_kind == "alias" or not root._requires_grad:
                self._value = array
        self._version_owner()._writes += 1

    def _reshape_in_place(self, result):
        """squeeze_, t_, ...: self takes `result`, a view of self with the new shape. A root whose other views
        are alive hands its storage to a hidden owner first, so they keep sharing memory with it."""
        if self._root is None:
            if all(ref() is None or ref() is result for ref in self._views.values()):
                self._views = None
                self._store(result._value)
                self._set_history(result._grad_fn, result._output_nr)
                return self
            self._hand_over_storage()
        else:
            self._unshare()
        self._share(result._root, result._layout, result._view_kind)
        self._value = result._value
        self._set_history(result._grad_fn, result._output_nr)
        return self

    def _store(self, array):
        """A root's new value: its views re-read it (or, when the shape changes, keep the old storage)."""
        if self._views:
            if array.shape != self._value.shape:
                self._hand_over_storage()
            else:
                requires_grad = self._requires_grad
                for ref in list(self._views.values()):
                    view = ref()
                    if view is not None:
                        view.__dict__.pop("_value", None)
                        if view._view_kind != "alias":
                            view.__dict__.pop("_grad_fn", None)
                            view.__dict__.pop("_grad_edge", None)
                            view._requires_grad = requires_grad
        self._value = array

    def _hand_over_storage(self):
        """Move this root's value, history and views to a new hidden root."""
        owner = wrap(self._value, self._grad_fn, self._output_nr)
        owner._requires_grad = self._requires_grad
        owner._writes = self._writes
        owner._views, self._views = self._views, None
        for ref in owner._views.values():
            view = ref()
            if view is not None:
                view._root = owner

    def _unshare(self):
        """Stop viewing the root (after taking the value to keep)."""
        value, writes = self._value, self._root._writes
        self._root._views.pop(id(self), None)
        for name in ("_root", "_layout", "_view_kind", "_multi_creator"):
            self.__dict__.pop(name, None)
        self._value, self._writes = value, writes


_TRACKED = frozenset({"view", "multi"})
_AUTOGRAD_VIEWS = frozenset({"view", "multi", "no_grad"})


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
    t._grad_fn = node
    if node is not None:
        t._requires_grad = True
        t._grad_edge = (node, output_nr)
        if output_nr:
            t._output_nr = output_nr
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


_dispatch.Tensor = Tensor
_dispatch.wrap = wrap
_bridge.wrap = wrap
_bridge.value = _value_of
_bridge.accumulate = _accumulate
