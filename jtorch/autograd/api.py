"""torch.autograd.backward and torch.autograd.grad on top of the graph engine."""
import functools

import jax.numpy as jnp

from . import grad_mode
from .graph import run_backward


@functools.lru_cache(maxsize=64)
def _ones(shape, dtype):
    """The implicit gradient of a one-element output (jax arrays are immutable, so one serves every call)."""
    return jnp.ones(shape, dtype)


def _as_tuple(x):
    if x is None:
        return ()
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _root_grads(outputs, grad_outputs, create_graph):
    from .._tensor import Tensor, wrap
    grad_outputs = _as_tuple(grad_outputs) or (None,) * len(outputs)
    if len(grad_outputs) != len(outputs):
        raise RuntimeError(f"got {len(grad_outputs)} tensors and {len(outputs)} gradients")
    roots = []
    for i, (out, g) in enumerate(zip(outputs, grad_outputs)):
        if not out._requires_grad:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have a grad_fn")
        if g is None:
            if out.numel() != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            g = wrap(_ones(tuple(out.shape), out._value.dtype))
        elif not isinstance(g, Tensor):
            raise TypeError(f"gradients can be either Tensors or None, but got {type(g).__name__}")
        elif tuple(g.shape) != tuple(out.shape):
            raise RuntimeError(
                f"Mismatch in shape: grad_output[{i}] has a shape of {g.shape} and output[{i}] has a shape "
                f"of {out.shape}.")
        if g.dtype is not out.dtype:
            g = g.to(out.dtype)
        node, nr = out._edge()
        roots.append((node, nr, g if create_graph else g._value))
    return roots


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """Accumulate d(tensors)/d(leaves) into the leaves' `.grad` (or only into `inputs`)."""
    tensors = _as_tuple(tensors)
    if retain_graph is None:
        retain_graph = create_graph
    with grad_mode.set_grad_enabled(create_graph):
        roots = _root_grads(tensors, grad_tensors, create_graph)
        inputs = _as_tuple(inputs)
        if not inputs:
            run_backward(roots, retain_graph, create_graph)
            return
        capture = {t._edge(): i for i, t in enumerate(inputs)}
        grads = run_backward(roots, retain_graph, create_graph, capture=capture, accumulate=False)
        from .._tensor import _accumulate
        for t, g in zip(inputs, grads):
            if g is not None:
                _accumulate(t, g, create_graph)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, only_inputs=True,
         allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """The gradients of `outputs` with respect to `inputs`, without touching any `.grad`."""
    from .._tensor import Tensor, wrap
    outputs = _as_tuple(outputs)
    inputs = _as_tuple(inputs)
    if retain_graph is None:
        retain_graph = create_graph
    for t in inputs:
        if not t._requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    with grad_mode.set_grad_enabled(create_graph):
        roots = _root_grads(outputs, grad_outputs, create_graph)
        capture = {t._edge(): i for i, t in enumerate(inputs)}
        grads = run_backward(roots, retain_graph, create_graph, capture=capture, accumulate=False)
    result = []
    for t, g in zip(inputs, grads):
        if g is None:
            if materialize_grads:
                g = jnp.zeros(t.shape, t._value.dtype)
            elif not allow_unused:
                raise RuntimeError(
                    "One of the differentiated Tensors appears to not have been used in the graph. "
                    "Set allow_unused=True if this is the desired behavior.")
            else:
                result.append(None)
                continue
        result.append(g if create_graph and isinstance(g, Tensor) else wrap(g))
    return tuple(result)
