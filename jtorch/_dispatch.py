"""The single path every op takes.

`run(fn, name, *args, **static)` executes the pure jax function
`fn(*arrays, **static)`: Tensors are unwrapped to their arrays, Python
scalars pass through as (weakly typed) dynamic jit arguments, keyword
arguments are static and must be hashable. When grad mode is on and an
input requires grad, one cached `jax.jit` of `jax.vjp(fn)` returns the
outputs and the vjp closure, and a graph node named `name` records it;
otherwise one cached `jax.jit(fn)` runs. Caches are keyed by
(fn, static args, differentiable positions); jit specialises on shapes
and dtypes.
"""
import functools

import jax
import jax.numpy as jnp
import numpy as np

from .autograd.grad_mode import _State
from .autograd.graph import _bridge, node_class

INEXACT = frozenset(np.dtype(d) for d in ("float16", jnp.bfloat16, "float32", "float64", "complex64", "complex128"))

_jit_cache = {}
_vjp_cache = {}


class _Types:
    """Filled in by jtorch._tensor (which imports this module)."""
    Tensor = None
    wrap = None


def _bind(fn, static):
    return functools.partial(fn, **dict(static)) if static else fn


def run(fn, name, *args, **static):
    """Run `fn` on `args`, recording a `name` node when a Tensor input requires grad."""
    Tensor = _Types.Tensor
    static = tuple(static.items())
    arrays = []
    diff = ()
    record_grad = _State.enabled
    for i, a in enumerate(args):
        if isinstance(a, Tensor):
            if record_grad and a._requires_grad:
                diff += (i,)
            arrays.append(a._value)
        else:
            arrays.append(a)
    if diff:
        return record(fn, static, name, arrays, diff, [args[i]._edge() for i in diff])
    key = (fn, static)
    jitted = _jit_cache.get(key)
    if jitted is None:
        jitted = _jit_cache[key] = jax.jit(_bind(fn, static))
    return _wrap_all(jitted(*arrays))


def _wrap_all(out):
    wrap = _Types.wrap
    if isinstance(out, tuple):
        return tuple(wrap(o) for o in out)
    return wrap(out)


def _vjp_traced(f, xs, diff):
    """(outputs, vjp) of f at xs, differentiating the positions in `diff` and only inexact outputs."""
    def differentiable_part(*d):
        full = list(xs)
        for i, v in zip(diff, d):
            full[i] = v
        out = f(*full)
        outs = out if isinstance(out, tuple) else (out,)
        return tuple(o for o in outs if o.dtype in INEXACT), out

    _, vjp, out = jax.vjp(differentiable_part, *(xs[i] for i in diff), has_aux=True)
    return out, vjp


def _vjp_jit(fn, static, diff):
    key = (fn, static, diff)
    jitted = _vjp_cache.get(key)
    if jitted is None:
        f = _bind(fn, static)
        jitted = _vjp_cache[key] = jax.jit(lambda *xs: _vjp_traced(f, xs, diff))
    return jitted


def record(fn, static, name, arrays, diff, edges):
    """Run fn with its vjp in one dispatch; attach a graph node to its inexact outputs."""
    out, vjp = _vjp_jit(fn, static, diff)(*arrays)
    wrap = _Types.wrap
    if not isinstance(out, tuple):
        if out.dtype not in INEXACT:
            return wrap(out)
        return wrap(out, node_class(name)(vjp, edges, None, (fn, static, arrays, diff)), 0)
    meta = tuple((o.shape, o.dtype) for o in out if o.dtype in INEXACT)
    if not meta:
        return _wrap_all(out)
    node = node_class(name)(vjp, edges, meta, (fn, static, arrays, diff))
    tensors = []
    nr = 0
    for o in out:
        if o.dtype in INEXACT:
            tensors.append(wrap(o, node, nr))
            nr += 1
        else:
            tensors.append(wrap(o))
    return tuple(tensors)


@functools.lru_cache(maxsize=None)
def _backward_fn(fn, static, diff, n_inputs):
    """Pure function (*inputs, *cotangents) -> input gradients: the backward as an op."""
    f = _bind(fn, static)

    def backward(*args):
        _, vjp = _vjp_traced(f, args[:n_inputs], diff)
        return tuple(vjp(tuple(args[n_inputs:])))
    return backward


def replay(node, grads):
    """Dispatch node's backward as a recorded op (create_graph=True): higher-order grads."""
    fn, static, arrays, diff = node._replay
    backward = _backward_fn(fn, static, diff, len(arrays))
    Tensor = _Types.Tensor
    args = list(arrays) + [g._value for g in grads]
    grads_diff = [i for i, g in enumerate(grads) if isinstance(g, Tensor) and g._requires_grad]
    all_diff = diff + tuple(len(arrays) + i for i in grads_diff)
    edges = list(node._edges) + [grads[i]._edge() for i in grads_diff]
    return record(backward, (), node.name(), args, all_diff, edges)


_bridge.replay = replay
