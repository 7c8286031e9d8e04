"""Autograd graph nodes and the backward engine.

A `Node` is recorded per differentiable op. It holds the op's pure function
and inputs (`_saved`, from which its backward is one jitted vjp dispatch, or
a recorded op for create_graph) and one edge per differentiable input --
`(node, output_nr)` of the producer, or the leaf's `AccumulateGrad`. Each
node's class is named as torch names it (`AddBackward0`).
"""
import heapq
import itertools
import jax
import jax.numpy as jnp

_counter = itertools.count()
_QUALIFIED_NAMES = {"CopySlices": "torch::autograd::CopySlices", "AccumulateGrad": "torch::autograd::AccumulateGrad"}
_classes = {}


class Node:
    """A recorded op: `grad_fn` of the tensors it produced."""

    __slots__ = ("_edges", "_out_meta", "_saved", "_pre_hooks", "_hooks", "_seq", "__weakref__")

    def __init__(self, edges, out_meta, saved):
        """out_meta: (shape, dtype) of each differentiable output, or None for a single output."""
        self._edges = edges
        self._out_meta = out_meta
        self._saved = saved
        self._pre_hooks = None
        self._hooks = None
        self._seq = next(_counter)

    def name(self):
        cls = type(self).__name__
        return _QUALIFIED_NAMES.get(cls, cls)

    @property
    def next_functions(self):
        return tuple(self._edges)

    def register_hook(self, fn):
        """fn(grad_inputs, grad_outputs) after this node ran; may return new grad_inputs."""
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(fn)
        return _RemovableHandle(self._hooks, fn)

    def register_prehook(self, fn):
        """fn(grad_outputs) before this node runs; may return new grad_outputs."""
        return self._add_pre_hook(None, fn)

    def _add_pre_hook(self, output_nr, fn, last=False):
        """Hooks run in registration order, except that `last` ones (retain_grad) run after all others."""
        return add_hook(self._ensure_pre_hooks(), output_nr, fn, last)

    def _ensure_pre_hooks(self):
        if self._pre_hooks is None:
            self._pre_hooks = []
        return self._pre_hooks

    def __repr__(self):
        return f"<{self.name()} object at {hex(id(self))}>"

    def _apply(self, grads, create_graph):
        if self._saved is None:
            raise RuntimeError(
                "Trying to backward through the graph a second time (or directly access saved tensors after "
                "they have already been freed). Saved intermediate values of the graph are freed when you call "
                ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
                "graph a second time or if you need to access saved tensors after calling backward.")
        if self._out_meta is not None:
            grads = [g if g is not None else _zeros(m, create_graph) for g, m in zip(grads, self._out_meta)]
        if create_graph:
            return _bridge.replay(self, grads)
        return _bridge.backward(self, grads)

    def _release(self):
        self._saved = None


class AccumulateGrad(Node):
    """Sink of a leaf tensor that requires grad: adds incoming gradients into `.grad`."""

    __slots__ = ("variable",)

    def __init__(self, variable):
        self._edges = ()
        self._out_meta = None
        self._saved = None
        self._hooks = None
        self._seq = next(_counter)
        self.variable = variable

    @property
    def _pre_hooks(self):
        """A leaf's tensor hooks live on the tensor, which outlives this node."""
        return self.variable._hooks

    def _release(self):
        pass


def node_class(name):
    """The Node subclass named `name` (one class per torch backward name)."""
    cls = _classes.get(name)
    if cls is None:
        cls = _classes[name] = type(name, (Node,), {"__slots__": ()})
    return cls


def add_hook(hooks, output_nr, fn, last):
    entry = (output_nr, fn, last)
    if last:
        hooks.append(entry)
    else:
        first_last = next((i for i, e in enumerate(hooks) if e[2]), len(hooks))
        hooks.insert(first_last, entry)
    return _RemovableHandle(hooks, entry)


class _RemovableHandle:
    def __init__(self, container, entry):
        self._container = container
        self._entry = entry

    def remove(self):
        if self._entry in self._container:
            self._container.remove(self._entry)


_add = jax.jit(lambda a, b: a + b)


def _zeros(meta, create_graph):
    shape, dtype = meta
    z = jnp.zeros(shape, dtype)
    return _bridge.wrap(z) if create_graph else z


class _bridge:
    """Filled in by jtorch._tensor and jtorch._dispatch, which import this module."""
    wrap = None
    value = None
    accumulate = None
    backward = None
    replay = None


def _collect(roots):
    """Dependency counts (number of incoming edges) of every node reachable from roots."""
    deps = {}
    seen = set(roots)
    stack = list(seen)
    while stack:
        node = stack.pop()
        for child, _ in node._edges:
            if child is None:
                continue
            deps[child] = deps.get(child, 0) + 1
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return deps, seen


def _needed(nodes, targets):
    """Nodes from which some target node is reachable (the only ones worth running); iterative, so deep
    graphs do not hit Python's recursion limit."""
    parents = {}
    for node in nodes:
        for child, _ in node._edges:
            if child is not None:
                parents.setdefault(child, []).append(node)
    needed = {t for t in targets if t in nodes}
    stack = list(needed)
    while stack:
        for parent in parents.get(stack.pop(), ()):
            if parent not in needed:
                needed.add(parent)
                stack.append(parent)
    return needed


def _run_pre_hooks(node, grads):
    for output_nr, fn, _ in list(node._pre_hooks):
        if output_nr is None:
            new = fn(tuple(grads))
            if new is not None:
                grads = list(new)
            continue
        g = grads[output_nr]
        if g is None:
            continue
        new = fn(_bridge.wrap(g))
        if new is not None:
            grads[output_nr] = _bridge.value(new)
    return grads


def run_backward(roots, retain_graph, create_graph, capture=None, accumulate=True):
    """Propagate gradients from `roots` [(node, output_nr, grad)] through the graph.

    capture: {(node, output_nr): slot index} whose total incoming gradient is
    returned in a list (autograd.grad); with accumulate=False no leaf `.grad`
    is written and only nodes leading to a captured key run.
    """
    root_nodes = [r[0] for r in roots]
    deps, nodes = _collect(root_nodes)
    buffers = {}
    for node, nr, grad in roots:
        _add_grad(buffers, node, nr, grad)
    needed = None
    if capture is not None and not accumulate:
        needed = _needed(nodes, {k[0] for k in capture})
    captured = [None] * (len(capture) if capture else 0)
    heap = [(-n._seq, id(n), n) for n in set(root_nodes) if deps.get(n, 0) == 0]
    heapq.heapify(heap)
    while heap:
        _, _, node = heapq.heappop(heap)
        grads = buffers.pop(node)
        if node._pre_hooks:
            grads = _run_pre_hooks(node, grads)
        if capture:
            for nr, g in enumerate(grads):
                slot = capture.get((node, nr))
                if slot is not None:
                    captured[slot] = g
        if needed is not None and node not in needed:
            results = ()
        elif isinstance(node, AccumulateGrad):
            if accumulate:
                _bridge.accumulate(node.variable, grads[0], create_graph)
            results = ()
        else:
            results = node._apply(grads, create_graph)
            if node._hooks:
                results = _run_post_hooks(node, results, grads)
            if not retain_graph:
                node._release()
        for (child, nr), g in zip(node._edges, results):
            if child is None:
                continue
            if g is not None:
                _add_grad(buffers, child, nr, g)
            deps[child] -= 1
            if deps[child] == 0:
                if child in buffers:
                    heapq.heappush(heap, (-child._seq, id(child), child))
                else:
                    _skip(child, deps, buffers, heap)
    return captured


def _skip(node, deps, buffers, heap):
    """A node that received no gradient at all: release its children's dependency counts."""
    stack = [node]
    while stack:
        n = stack.pop()
        for child, _ in n._edges:
            if child is None:
                continue
            deps[child] -= 1
            if deps[child] == 0:
                if child in buffers:
                    heapq.heappush(heap, (-child._seq, id(child), child))
                else:
                    stack.append(child)


def _run_post_hooks(node, results, grads):
    wrap = _bridge.wrap
    for fn in node._hooks:
        new = fn(tuple(wrap(r) for r in results), tuple(wrap(g) for g in grads))
        if new is not None:
            results = tuple(_bridge.value(r) for r in new)
    return results


def _add_grad(buffers, node, nr, grad):
    slots = buffers.get(node)
    if slots is None:
        slots = buffers[node] = [None] * (1 if node._out_meta is None else len(node._out_meta))
    prev = slots[nr]
    if prev is None:
        slots[nr] = grad
    else:
        slots[nr] = _add(prev, grad) if isinstance(prev, jax.Array) else prev + grad
