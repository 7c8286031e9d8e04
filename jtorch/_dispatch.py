"""The single path every op takes.

`run(fn, name, *args, **static)` executes the pure jax function
`fn(*arrays, **static)`: Tensors are unwrapped to their arrays, Python
scalars pass through as (weakly typed) dynamic jit arguments, keyword
arguments are static and must be hashable. One cached `jax.jit(fn)` runs
the op; when grad mode is on and an input requires grad, a graph node
named `name` records fn and its inputs, and backward runs one cached
`jax.jit` of fn's vjp. Heavy kernels marked `saves_residuals` (a whole
recurrent layer) instead run forward as one jit of `jax.vjp`, keep its
residuals in the node, and backward applies them without a second forward. Caches are keyed by (fn, static args,
differentiable positions); jit specialises on shapes and dtypes.
"""
import functools

import jax
import jax.numpy as jnp
import numpy as np

from .autograd.grad_mode import _State
from .autograd.graph import _bridge, node_class

INEXACT = frozenset(np.dtype(d) for d in ("float16", jnp.bfloat16, "float32", "float64", "complex64", "complex128"))

_jit_cache = {}


class _Types:
    """Filled in by jtorch._tensor (which imports this module)."""
    Tensor = None
    wrap = None


def _bind(fn, static):
    return functools.partial(fn, **dict(static)) if static else fn


def _jitted(fn, static):
    key = (fn, static)
    jitted = _jit_cache.get(key)
    if jitted is None:
        jitted = _jit_cache[key] = jax.jit(_bind(fn, static))
    return jitted


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
    return _wrap_all(_jitted(fn, static)(*arrays))


def _wrap_all(out):
    wrap = _Types.wrap
    if isinstance(out, tuple):
        return tuple(wrap(o) for o in out)
    return wrap(out)


def record(fn, static, name, arrays, diff, edges):
    """Run fn forward (one plain jit dispatch) and attach a graph node, holding fn's inputs, to its inexact
    outputs. The node's backward derives the vjp from those inputs in one jitted call, where XLA keeps only
    the forward work the gradient needs (none for matmul or conv, the cheap elementwise part for exp or
    softmax)."""
    if getattr(fn, "saves_residuals", False):
        out, residuals = _forward_with_residuals(fn, static, diff, arrays)
    else:
        out, residuals = _jitted(fn, static)(*arrays), None
    wrap = _Types.wrap
    saved = (fn, static, arrays, diff, residuals)
    if not isinstance(out, tuple):
        if out.dtype not in INEXACT:
            return wrap(out)
        return wrap(out, node_class(name)(edges, None, saved), 0)
    meta = tuple((o.shape, o.dtype) for o in out if o.dtype in INEXACT)
    if not meta:
        return _wrap_all(out)
    node = node_class(name)(edges, meta, saved)
    tensors = []
    nr = 0
    for o in out:
        if o.dtype in INEXACT:
            tensors.append(wrap(o, node, nr))
            nr += 1
        else:
            tensors.append(wrap(o))
    return tuple(tensors)


def saves_residuals(kernel):
    """Mark a heavy kernel (a whole recurrent layer) whose recorded node keeps its forward's residuals, so its
    backward applies them instead of running the forward again: more memory held, one forward saved."""
    kernel.saves_residuals = True
    return kernel


@functools.lru_cache(maxsize=None)
def _residual_forward(fn, static, diff):
    """(jit of inputs -> (fn's outputs, the leaves of its vjp), {input signature: the vjp's tree structure})."""
    f = _bind(fn, static)
    structures = {}

    def forward(*xs):
        def split(*d):
            full = list(xs)
            for i, v in zip(diff, d):
                full[i] = v
            out = f(*full)
            return tuple(o for o in (out if isinstance(out, tuple) else (out,)) if o.dtype in INEXACT), out
        _, vjp, out = jax.vjp(split, *(xs[i] for i in diff), has_aux=True)
        leaves, structures[_signature(xs)] = jax.tree_util.tree_flatten(vjp)
        return out, leaves
    return jax.jit(forward), structures


def _signature(xs):
    return tuple((np.shape(x), jnp.result_type(x)) for x in xs)


def _forward_with_residuals(fn, static, diff, arrays):
    forward, structures = _residual_forward(fn, static, diff)
    out, leaves = forward(*arrays)
    return out, (structures[_signature(arrays)], leaves)


@functools.partial(jax.jit, static_argnums=0)
def _apply_residuals(structure, leaves, grads):
    return tuple(jax.tree_util.tree_unflatten(structure, leaves)(tuple(grads)))


def _vjp_traced(f, xs, diff):
    """The vjp of f at xs, differentiating the positions in `diff` and only f's inexact outputs."""
    def differentiable_part(*d):
        full = list(xs)
        for i, v in zip(diff, d):
            full[i] = v
        out = f(*full)
        return tuple(o for o in (out if isinstance(out, tuple) else (out,)) if o.dtype in INEXACT)

    return jax.vjp(differentiable_part, *(xs[i] for i in diff))[1]


@functools.lru_cache(maxsize=None)
def _backward_fn(fn, static, diff, n_inputs):
    """Pure function (*inputs, *cotangents) -> gradients of the inputs in `diff`: the backward as an op."""
    f = _bind(fn, static)

    def backward(*args):
        return tuple(_vjp_traced(f, args[:n_inputs], diff)(tuple(args[n_inputs:])))
    return backward


@functools.lru_cache(maxsize=None)
def _backward_jit(fn, static, diff, n_inputs):
    return jax.jit(_backward_fn(fn, static, diff, n_inputs))


def backward(node, grads):
    """Gradients of node's differentiable inputs for `grads` of its outputs (one jitted dispatch)."""
    fn, static, arrays, diff, residuals = node._saved
    if residuals is not None:
        return _apply_residuals(residuals[0], residuals[1], tuple(grads))
    return _backward_jit(fn, static, diff, len(arrays))(*arrays, *grads)


def replay(node, grads):
    """Dispatch node's backward as a recorded op (create_graph=True): higher-order grads."""
    fn, static, arrays, diff, _ = node._saved
    backward_op = _backward_fn(fn, static, diff, len(arrays))
    Tensor = _Types.Tensor
    args = list(arrays) + [g._value for g in grads]
    grads_diff = [i for i, g in enumerate(grads) if isinstance(g, Tensor) and g._requires_grad]
    all_diff = diff + tuple(len(arrays) + i for i in grads_diff)
    edges = list(node._edges) + [grads[i]._edge() for i in grads_diff]
    return record(backward_op, (), node.name(), args, all_diff, edges)


_bridge.backward = backward
_bridge.replay = replay
