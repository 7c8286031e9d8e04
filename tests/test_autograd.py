"""The autograd engine against torch: backward, accumulation, retain_graph, autograd.grad, create_graph,
hooks, grad modes, detach, requires_grad rules and grad_fn names."""
import pytest
import torch

import jtorch
from conftest import assert_raises_like, assert_same, to_jt


def leaves(lib, *shapes, seed=0):
    g = torch.Generator().manual_seed(seed)
    values = [torch.randn(s, generator=g) for s in shapes]
    if lib is torch:
        return [v.clone().requires_grad_() for v in values]
    return [to_jt(v).requires_grad_() for v in values]


def both(fn, *shapes):
    """Run fn(lib, *leaves) for torch and jtorch; return (torch leaves, jtorch leaves, outputs)."""
    lt, lj = leaves(torch, *shapes), leaves(jtorch, *shapes)
    return lt, lj, fn(torch, *lt), fn(jtorch, *lj)


def check_grads(lt, lj):
    for t, j in zip(lt, lj):
        assert (t.grad is None) == (j.grad is None)
        if t.grad is not None:
            assert_same(j.grad, t.grad)


def mlp(lib, x, w1, b1, w2):
    h = (x @ w1 + b1).tanh()
    return (h @ w2).sigmoid().mean()


def test_backward_through_a_small_network():
    lt, lj, ot, oj = both(mlp, (4, 3), (3, 5), (5,), (5, 2))
    ot.backward()
    oj.backward()
    assert_same(oj, ot)
    check_grads(lt, lj)


def test_gradients_accumulate_across_backward_calls():
    lt, lj, _, _ = both(lambda lib, a: None, (3,))
    for _ in range(2):
        (lt[0] * lt[0]).sum().backward()
        (lj[0] * lj[0]).sum().backward()
    check_grads(lt, lj)


def test_shared_subexpression_sums_gradients():
    def f(lib, a, b):
        c = a * b
        return (c * c + c.exp() + c).sum()
    lt, lj, ot, oj = both(f, (2, 3), (2, 3))
    ot.backward()
    oj.backward()
    check_grads(lt, lj)


def test_backward_with_gradient_argument_and_errors():
    lt, lj, ot, oj = both(lambda lib, a: a * 3, (2, 2))
    g = torch.randn(2, 2)
    ot.backward(g)
    oj.backward(to_jt(g))
    check_grads(lt, lj)
    lt, lj, ot, oj = both(lambda lib, a: a * 3, (2, 2))
    assert_raises_like(lambda: ot.backward(), lambda: oj.backward())
    assert_raises_like(lambda: ot.backward(torch.ones(3)), lambda: oj.backward(jtorch.ones(3)))
    assert_raises_like(lambda: torch.ones(2).sum().backward(), lambda: jtorch.ones(2).sum().backward())


def test_second_backward_needs_retain_graph():
    lt, lj, ot, oj = both(lambda lib, a: (a.exp() * a).sum(), (3,))
    ot.backward(retain_graph=True)
    oj.backward(retain_graph=True)
    ot.backward()
    oj.backward()
    check_grads(lt, lj)
    assert_raises_like(lambda: ot.backward(), lambda: oj.backward())


def test_autograd_grad_options():
    lt, lj, ot, oj = both(lambda lib, a, b: (a * b).sum() + a.sum(), (3,), (3,))
    gt = torch.autograd.grad(ot, lt, retain_graph=True)
    gj = jtorch.autograd.grad(oj, lj, retain_graph=True)
    assert_same(gj, gt)
    assert lj[0].grad is None
    gt = torch.autograd.grad(ot, [lt[0]], grad_outputs=torch.tensor(2.0))
    gj = jtorch.autograd.grad(oj, [lj[0]], grad_outputs=jtorch.tensor(2.0))
    assert_same(gj, gt)
    unused_t, unused_j = torch.ones(2, requires_grad=True), jtorch.ones(2, requires_grad=True)
    lt, lj, ot, oj = both(lambda lib, a: (a * 2).sum(), (3,))
    assert_raises_like(lambda: torch.autograd.grad(ot, [lt[0], unused_t], retain_graph=True),
                       lambda: jtorch.autograd.grad(oj, [lj[0], unused_j], retain_graph=True))
    gt = torch.autograd.grad(ot, [lt[0], unused_t], allow_unused=True)
    gj = jtorch.autograd.grad(oj, [lj[0], unused_j], allow_unused=True)
    assert gj[1] is None and gt[1] is None
    assert_same(gj[0], gt[0])


def test_grad_of_intermediate_tensor():
    def f(lib, a):
        h = a.sin()
        return h, (h * h).sum()
    lt, lj, (ht, ot), (hj, oj) = both(f, (4,))
    assert_same(jtorch.autograd.grad(oj, hj)[0], torch.autograd.grad(ot, ht)[0])


@pytest.mark.parametrize("fn", [
    lambda lib, a: (a ** 3).sum(),
    lambda lib, a: (a.sin() * a.exp()).sum(),
    lambda lib, a: (a.tanh() @ a.T.sigmoid()).sum() if a.ndim == 2 else a.sum(),
    lambda lib, a: lib.logsumexp(a, 0).sum(),
])
def test_double_backward_with_create_graph(fn):
    lt, lj, ot, oj = both(fn, (3, 3))
    (gt,) = torch.autograd.grad(ot, lt, create_graph=True)
    (gj,) = jtorch.autograd.grad(oj, lj, create_graph=True)
    assert_same(gj, gt)
    assert gj.requires_grad
    (ht,) = torch.autograd.grad(gt.sum(), lt)
    (hj,) = jtorch.autograd.grad(gj.sum(), lj)
    assert_same(hj, ht, rtol=1e-4, atol=1e-5)


def test_create_graph_backward_accumulates_differentiable_grad():
    lt, lj, ot, oj = both(lambda lib, a: (a ** 3).sum(), (3,))
    ot.backward(create_graph=True)
    oj.backward(create_graph=True)
    assert oj.requires_grad and lj[0].grad.requires_grad == lt[0].grad.requires_grad
    gt, gj = lt[0].grad, lj[0].grad
    lt[0].grad, lj[0].grad = None, None
    gt.sum().backward()
    gj.sum().backward()
    check_grads(lt, lj)


def test_tensor_hooks_and_retain_grad():
    calls = {"torch": [], "jtorch": []}

    def f(lib, a):
        key = "torch" if lib is torch else "jtorch"
        h = a * 2
        h.retain_grad()
        h.register_hook(lambda g: calls[key].append(1) or g * 10)
        a.register_hook(lambda g: g + 1)
        return h, (h * h).sum()
    lt, lj, (ht, ot), (hj, oj) = both(f, (3,))
    ot.backward()
    oj.backward()
    assert_same(hj.grad, ht.grad)
    check_grads(lt, lj)
    assert calls["torch"] == calls["jtorch"] == [1]


def test_hook_handle_remove():
    a = jtorch.ones(2, requires_grad=True)
    handle = a.register_hook(lambda g: g * 100)
    handle.remove()
    (a * 3).sum().backward()
    assert a.grad.tolist() == [3.0, 3.0]


def test_grad_modes():
    a = jtorch.ones(2, requires_grad=True)
    with jtorch.no_grad():
        assert not (a * 2).requires_grad and not jtorch.is_grad_enabled()
        with jtorch.enable_grad():
            assert (a * 2).requires_grad
    assert jtorch.is_grad_enabled()
    with jtorch.set_grad_enabled(False):
        assert not (a * 2).requires_grad
    assert (a * 2).requires_grad
    jtorch.set_grad_enabled(False)
    assert not jtorch.is_grad_enabled()
    jtorch.set_grad_enabled(True)
    with jtorch.inference_mode():
        assert not (a * 2).requires_grad and jtorch.is_inference_mode_enabled()

    @jtorch.no_grad()
    def f():
        return (a * 2).requires_grad

    @jtorch.no_grad
    def g():
        return (a * 2).requires_grad

    @jtorch.inference_mode()
    def h():
        return (a * 2).requires_grad

    assert not f() and not g() and not h() and jtorch.is_grad_enabled()


def test_detach_and_requires_grad_rules():
    t, j = torch.ones(2, requires_grad=True), jtorch.ones(2, requires_grad=True)
    dt, dj = (t * 2).detach(), (j * 2).detach()
    assert dj.requires_grad == dt.requires_grad and dj.is_leaf == dt.is_leaf
    yt, yj = t * 2, j * 2
    assert_raises_like(lambda: yt.requires_grad_(False), lambda: yj.requires_grad_(False))
    yt.detach_()
    yj.detach_()
    assert yj.requires_grad == yt.requires_grad and yj.grad_fn is None
    assert_raises_like(lambda: torch.ones(2, dtype=torch.int64).requires_grad_(),
                       lambda: jtorch.ones(2, dtype=jtorch.int64).requires_grad_())
    assert_raises_like(lambda: torch.tensor([1, 2], requires_grad=True),
                       lambda: jtorch.tensor([1, 2], requires_grad=True))
    assert not (j > 0).requires_grad and (j > 0).grad_fn is None
    assert j.argmax().grad_fn is None


@pytest.mark.parametrize("expr", [
    lambda a, b: a + b, lambda a, b: a - b, lambda a, b: a * b, lambda a, b: a / b, lambda a, b: a ** 2,
    lambda a, b: a.sum(), lambda a, b: a.sum(0), lambda a, b: a.mean(), lambda a, b: -a, lambda a, b: a.exp(),
    lambda a, b: a.log(), lambda a, b: a.tanh(), lambda a, b: a.sigmoid(), lambda a, b: a.relu(),
    lambda a, b: a @ b.T, lambda a, b: a.view(-1), lambda a, b: a.reshape(3, 2), lambda a, b: a.t(),
    lambda a, b: a.permute(1, 0), lambda a, b: a.transpose(0, 1), lambda a, b: a.unsqueeze(0),
    lambda a, b: a[0], lambda a, b: a[:, 1:], lambda a, b: a.abs(), lambda a, b: a.sqrt(),
    lambda a, b: a.expand(2, 2, 3), lambda a, b: a.clone(),
    lambda a, b: a.double(), lambda a, b: a.max(), lambda a, b: a.max(0)[0], lambda a, b: a.clamp(0, 1),
    lambda a, b: a.flatten(), lambda a, b: a.squeeze(), lambda a, b: a.pow(b), lambda a, b: 2 ** a,
    lambda a, b: a.where(a > 0, b), lambda a, b: a.cumsum(0), lambda a, b: a.std(), lambda a, b: a.var(0),
])
def test_grad_fn_names_match_torch(expr):
    a_t, b_t = torch.rand(2, 3, requires_grad=True), torch.rand(2, 3, requires_grad=True)
    a_j, b_j = to_jt(a_t), to_jt(b_t)
    out_t, out_j = expr(a_t, b_t), expr(a_j, b_j)
    assert type(out_j.grad_fn).__name__ == type(out_t.grad_fn).__name__
    assert out_j.grad_fn.name() == out_t.grad_fn.name()


def test_next_functions_reach_accumulate_grad():
    a = jtorch.ones(2, requires_grad=True)
    out = (a * 2).sum()
    mul, _ = out.grad_fn.next_functions[0]
    acc, _ = mul.next_functions[0]
    assert type(acc).__name__ == "AccumulateGrad" and acc.variable is a


def test_backward_inputs_argument():
    lt, lj, ot, oj = both(lambda lib, a, b: (a * b).sum(), (3,), (3,))
    ot.backward(inputs=[lt[0]])
    oj.backward(inputs=[lj[0]])
    check_grads(lt, lj)


def make_functions(lib):
    class Cube(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, scale):
            ctx.save_for_backward(x)
            ctx.scale = scale
            return x ** 3 * scale

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * 3 * x ** 2 * ctx.scale, None

    class SplitSigns(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.clamp(min=0), x.clamp(max=0)

        @staticmethod
        def backward(ctx, grad_pos, grad_neg):
            (x,) = ctx.saved_tensors
            return lib.where(x > 0, grad_pos, grad_neg)
    return Cube, SplitSigns


def test_custom_autograd_function():
    def f(lib, a, b):
        cube, split = make_functions(lib)
        pos, neg = split.apply(b)
        return (cube.apply(a, 2.0).sum() + (pos * 3).sum() + neg.sum())
    lt, lj, ot, oj = both(f, (3,), (4,))
    assert_same(oj, ot)
    assert type(oj.grad_fn.next_functions[0][0]).__name__ == "AddBackward0"
    ot.backward()
    oj.backward()
    check_grads(lt, lj)


def test_custom_function_double_backward_and_errors():
    def f(lib, a):
        cube, _ = make_functions(lib)
        return cube.apply(a, 1.5).sum()
    lt, lj, ot, oj = both(f, (3,))
    (gt,) = torch.autograd.grad(ot, lt, create_graph=True)
    (gj,) = jtorch.autograd.grad(oj, lj, create_graph=True)
    assert_same(gj, gt)
    assert_same(jtorch.autograd.grad(gj.sum(), lj)[0], torch.autograd.grad(gt.sum(), lt)[0])
    lt, lj, ot, oj = both(f, (3,))
    ot.backward()
    oj.backward()
    assert_raises_like(lambda: ot.backward(), lambda: oj.backward())
    assert type(oj.grad_fn.next_functions[0][0]).__name__ == type(ot.grad_fn.next_functions[0][0]).__name__


def test_deep_graphs_do_not_hit_the_recursion_limit():
    def chain(lib, a):
        for _ in range(1500):
            a = a * 1.0001
        return a.sum()
    lt, lj, ot, oj = both(chain, (3,))
    assert_same(jtorch.autograd.grad(oj, lj[0])[0], torch.autograd.grad(ot, lt[0])[0], rtol=1e-5)
    lt, lj, ot, oj = both(chain, (3,))
    ot.backward()
    oj.backward()
    check_grads(lt, lj)
