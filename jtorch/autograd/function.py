"""torch.autograd.Function: user-defined forward/backward pairs recorded in the graph."""
import jax.numpy as jnp

from .grad_mode import _State, no_grad, set_grad_enabled
from .graph import Node, _bridge


class FunctionCtx:
    """The `ctx` passed to forward and backward."""

    def __init__(self):
        self.saved_tensors = ()
        self.needs_input_grad = ()
        self.materialize_grads = True
        self._non_differentiable = set()
        self._dirty = set()

    def save_for_backward(self, *tensors):
        self.saved_tensors = tensors

    def mark_non_differentiable(self, *tensors):
        self._non_differentiable.update(id(t) for t in tensors)

    def mark_dirty(self, *tensors):
        self._dirty.update(id(t) for t in tensors)

    def set_materialize_grads(self, value):
        self.materialize_grads = value


class _FunctionNode(Node):
    """Runs the user's backward with Tensors in and out."""

    __slots__ = ("_function", "_ctx", "_input_positions")

    def _apply(self, grads, create_graph):
        if self._saved is None:
            return super()._apply(grads, create_graph)
        wrap = _bridge.wrap
        tensors = [None if g is None else (g if create_graph else wrap(g)) for g in grads]
        if self._ctx.materialize_grads:
            tensors = [wrap(jnp.zeros(shape, dtype)) if t is None else t
                       for t, (shape, dtype) in zip(tensors, self._out_meta)]
        with set_grad_enabled(create_graph):
            result = self._function.backward(self._ctx, *tensors)
        result = result if isinstance(result, tuple) else (result,)
        picked = [result[i] if i < len(result) else None for i in self._input_positions]
        return tuple(picked) if create_graph else tuple(None if g is None else g._value for g in picked)

    def _release(self):
        self._saved = None
        self._ctx = None


_NODE_CLASSES = {}


def _node_class(name):
    cls = _NODE_CLASSES.get(name)
    if cls is None:
        cls = _NODE_CLASSES[name] = type(name, (_FunctionNode,), {"__slots__": ()})
    return cls


class Function:
    """Subclass with static `forward(ctx, *args)` and `backward(ctx, *grad_outputs)`; call `.apply(*args)`."""

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for your custom "
                                  "autograd.Function to use it with backward mode AD.")

    @classmethod
    def apply(cls, *args, **kwargs):
        from .._tensor import Tensor, wrap
        ctx = FunctionCtx()
        ctx.needs_input_grad = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
        with no_grad():
            outputs = cls.forward(ctx, *args, **kwargs)
        positions = [i for i, a in enumerate(args) if isinstance(a, Tensor) and a._requires_grad]
        if not (_State.enabled and positions):
            return outputs
        single = not isinstance(outputs, tuple)
        outs = (outputs,) if single else outputs
        differentiable = [isinstance(o, Tensor) and id(o) not in ctx._non_differentiable
                          and (o.is_floating_point() or o.is_complex()) for o in outs]
        meta = tuple((o.shape, o._value.dtype) for o, d in zip(outs, differentiable) if d)
        node = _node_class(cls.__name__ + "Backward")([args[i]._edge() for i in positions], meta, True)
        node._function, node._ctx, node._input_positions = cls, ctx, positions
        results = []
        nr = 0
        for o, d in zip(outs, differentiable):
            if not d:
                results.append(o)
                continue
            if id(o) in ctx._dirty:
                o._set_history(node, nr)
                o._requires_grad = True
                results.append(o)
            else:
                results.append(wrap(o._value, node, nr))
            nr += 1
        return results[0] if single else tuple(results)


def once_differentiable(fn):
    """Accepted for compatibility: backward is recorded only when create_graph asks for it."""
    return fn
