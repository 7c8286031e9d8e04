"""The single path every op takes.

`run(fn, name, *args, **static)` executes the pure jax function
`fn(*arrays, **static)`: Tensors are unwrapped to their arrays, Python
scalars pass through as (weakly typed) dynamic jit arguments, keyword
arguments are static and must be hashable. `fn`, `static` and `name` bind
once into a cached `Op` holding the `jax.jit` of fn; calling it runs one
dispatch and, when grad mode is on and an input requires grad, records a
graph node named `name` holding fn and its inputs, whose backward runs one
cached `jax.jit` of fn's vjp. Hot ops skip `run`'s argument handling: they
keep their Op per operand signature (`planned`, `planned_unary`). Heavy
kernels marked `saves_residuals` (a whole recurrent layer) instead run
forward as one jit of `jax.vjp`, keep its residuals in the node, and
backward applies them without a second forward. jit specialises on shapes
and dtypes.
"""
import functools

import jax
import jax.numpy as jnp
import numpy as np

from . import _dtype
from .autograd.grad_mode import _State
from .autograd.graph import _bridge, node_class

_jit_cache = {}
Tensor = None  # jtorch._tensor (which imports this module) fills these in
wrap = None


def _bind(fn, static):
    return functools.partial(fn, **dict(static)) if static else fn


def _jitted(fn, static):
    key = (fn, static)
    jitted = _jit_cache.get(key)
    if jitted is None:
        jitted = _jit_cache[key] = jax.jit(_bind(fn, static))
    return jitted


class Op:
    """A kernel bound to its static arguments and grad name; calling it with Tensors and Python scalars
    runs one dispatch (see `run`)."""

    __slots__ = ("fn", "static", "jitted", "node_class", "saves_residuals", "backward_jits")

    def __init__(self, fn, name, static):
        self.fn, self.static, self.node_class = fn, static, node_class(name)
        self.jitted = _jitted(fn, static)
        self.saves_residuals = fn in _RESIDUAL_KERNELS
        self.backward_jits = {}

    def __call__(self, *args):
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
            return self.record(tuple(arrays), diff, tuple(args[i]._grad_edge or args[i]._edge() for i in diff))
        return _wrap_outputs(self.jitted(*arrays))

    def unary(self, x):
        """`self(x)` for one Tensor: the hot path of elementwise ops and reductions."""
        value = x._value
        if x._requires_grad and _State.enabled:
            return self.record((value,), (0,), (x._grad_edge or x._edge(),))
        return _wrap_outputs(self.jitted(value))

    def record(self, arrays, diff, edges):
        """Run forward (one plain jit dispatch) and attach a graph node, holding the op's inputs, to its
        inexact outputs. The node's backward derives the vjp from those inputs in one jitted call, where XLA
        keeps only the forward work the gradient needs (none for matmul or conv, the cheap elementwise part
        for exp or softmax)."""
        if self.saves_residuals:
            out, residuals = _forward_with_residuals(self.fn, self.static, diff, arrays)
            saved = (self, arrays, diff, residuals)
        else:
            out = self.jitted(*arrays)
            saved = (self, arrays, diff, None)
        if type(out) is not tuple:
            if out.aval.dtype.kind in _INEXACT_KINDS:
                return wrap(out, self.node_class(edges, None, saved))
            return wrap(out)
        meta = tuple((o.shape, o.dtype) for o in out if _inexact(o))
        if not meta:
            return _wrap_outputs(out)
        node = self.node_class(edges, meta, saved)
        tensors = []
        nr = 0
        for o in out:
            if _inexact(o):
                tensors.append(wrap(o, node, nr))
                nr += 1
            else:
                tensors.append(wrap(o))
        return tuple(tensors)


_ops = {}


def _bound(fn, name, static):
    key = (fn, name, static)
    op = _ops.get(key)
    if op is None:
        op = _ops[key] = Op(fn, name, static)
    return op


def bound(fn, name, **static):
    """The cached Op running `fn` with keyword arguments `static`, recorded as `name`."""
    return _bound(fn, name, tuple(static.items()))


def run(fn, name, *args, **static):
    """Run `fn` on `args`, recording a `name` node when a Tensor input requires grad."""
    op = _bound(fn, name, tuple(static.items()))
    if len(args) == 1 and isinstance(args[0], Tensor):
        return op.unary(args[0])
    return op(*args)


def planned(plan):
    """The binary op `plan(input, other) -> Op` (type promotion, broadcast checks, binding static arguments)
    runs, with its plan memoised on the operands' signatures -- a Tensor's shape and dtype, a Python scalar's
    type --, so its Python work runs once per signature. A plan may return instead a function of
    (input, other), called every time, where the Op depends on more than the signatures."""
    plans = _plan_cache()

    def call(a, b):
        if isinstance(a, Tensor):
            va = a._value
            key_a, a_grad = va.aval, a._requires_grad
        else:
            va, key_a, a_grad = a, type(a), False
        if isinstance(b, Tensor):
            vb = b._value
            key_b, b_grad = vb.aval, b._requires_grad
        else:
            vb, key_b, b_grad = b, type(b), False
        key = (key_a, key_b)
        op = plans.get(key) or _plan(plans, key, plan, a, b)
        if type(op) is not Op:
            return op(a, b)
        if (a_grad or b_grad) and _State.enabled:
            if a_grad and b_grad:
                return op.record((va, vb), (0, 1), (a._grad_edge or a._edge(), b._grad_edge or b._edge()))
            if a_grad:
                return op.record((va, vb), (0,), (a._grad_edge or a._edge(),))
            return op.record((va, vb), (1,), (b._grad_edge or b._edge(),))
        return _wrap_outputs(op.jitted(va, vb))
    return call


def planned_unary(plan):
    """The op `plan(input, *options) -> Op` on one Tensor runs, with its plan memoised on input's shape and
    dtype and the options' values (unhashable options, such as a list of dims, plan every call)."""
    plans = _plan_cache()

    def call(input, *options):
        key = (input._value.aval, options)
        try:
            op = plans.get(key)
        except TypeError:
            op = plan(input, *options)
        return (op or _plan(plans, key, plan, input, *options)).unary(input)
    return call


def _plan_cache():
    """A {signature: Op} cache, emptied when the default dtype changes (plans depend on it)."""
    plans = {}
    _dtype.default_dependents.append(plans)
    return plans


def _plan(plans, key, plan, *args):
    op = plans[key] = plan(*args)
    return op


def _wrap_outputs(out):
    if type(out) is tuple:
        return tuple(wrap(o) for o in out)
    return wrap(out)


def _inexact(array):
    return array.aval.dtype.kind in _INEXACT_KINDS


_INEXACT_KINDS = "fcV"  # V: bfloat16, the only non-numpy dtype a Tensor holds


_RESIDUAL_KERNELS = set()


def saves_residuals(kernel):
    """Mark a heavy kernel (a whole recurrent layer) whose recorded node keeps its forward's residuals, so its
    backward applies them instead of running the forward again: more memory held, one forward saved."""
    _RESIDUAL_KERNELS.add(kernel)
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
            return tuple(o for o in (out if isinstance(out, tuple) else (out,)) if _inexact(o)), out
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
        return tuple(o for o in (out if isinstance(out, tuple) else (out,)) if _inexact(o))

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
    op, arrays, diff, residuals = node._saved
    if residuals is not None:
        return _apply_residuals(residuals[0], residuals[1], tuple(grads))
    key = (diff, len(arrays))
    jitted = op.backward_jits.get(key)
    if jitted is None:
        jitted = op.backward_jits[key] = _backward_jit(op.fn, op.static, *key)
    return jitted(*arrays, *grads)


def replay(node, grads):
    """Dispatch node's backward as a recorded op (create_graph=True): higher-order grads."""
    op, arrays, diff, _ = node._saved
    backward_op = _backward_fn(op.fn, op.static, diff, len(arrays))
    args = list(arrays) + [g._value for g in grads]
    grads_diff = [i for i, g in enumerate(grads) if isinstance(g, Tensor) and g._requires_grad]
    all_diff = diff + tuple(len(arrays) + i for i in grads_diff)
    edges = list(node._edges) + [grads[i]._edge() for i in grads_diff]
    return _bound(backward_op, node.name(), ()).record(args, all_diff, edges)


_bridge.backward = backward
_bridge.replay = replay
