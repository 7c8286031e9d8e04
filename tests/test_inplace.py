"""In-place ops: torch's dtype and broadcasting rules, leaf errors, history rebasing, versions, no_grad updates."""
import pytest
import torch

import jtorch
from conftest import assert_raises_like, assert_same, to_jt

torch.manual_seed(0)
X = torch.randn(3, 4)
Y = torch.randn(3, 4)


def run_both(fn, *tensors):
    """fn(lib, *copies) under both libraries; returns (torch_result, jtorch_result)."""
    return fn(torch, *[t.clone() for t in tensors]), fn(jtorch, *[to_jt(t) for t in tensors])


@pytest.mark.parametrize("method,args", [
    ("add_", (2.5,)), ("sub_", (1,)), ("mul_", (3,)), ("div_", (2,)), ("pow_", (2,)), ("clamp_", (-0.5, 0.5)),
    ("neg_", ()), ("abs_", ()), ("exp_", ()), ("sigmoid_", ()), ("tanh_", ()), ("relu_", ()), ("floor_", ()),
    ("sqrt_", ()), ("fill_", (1.25,)), ("zero_", ()), ("clamp_min_", (0.0,)), ("round_", ()),
    ("masked_fill_", ("mask", 0.0)), ("lerp_", ("other", 0.3)), ("addcmul_", ("other", "other")),
])
def test_float_inplace_methods_write_self(method, args):
    def fn(lib, x, y):
        resolved = [(x > 0) if a == "mask" else y if a == "other" else a for a in args]
        out = getattr(x, method)(*resolved)
        assert out is x
        return x
    t, j = run_both(fn, X.abs() if method == "sqrt_" else X, Y)
    assert_same(j, t)


@pytest.mark.parametrize("expr", [
    lambda x, y: x.__iadd__(y), lambda x, y: x.__isub__(2), lambda x, y: x.__imul__(y),
    lambda x, y: x.__itruediv__(4), lambda x, y: x.__ipow__(2), lambda x, y: x.__ifloordiv__(y.abs() + 1),
    lambda x, y: x.__imod__(2),
])
def test_augmented_assignment(expr):
    t, j = run_both(lambda lib, x, y: expr(x, y), X, Y)
    assert_same(j, t)


def test_inplace_keeps_dtype_and_refuses_downcast():
    t, j = run_both(lambda lib, x: x.add_(True), torch.tensor([1, 2]))
    assert_same(j, t)
    t, j = run_both(lambda lib, x: x.mul_(2.5), torch.tensor([1.0, 2.0], dtype=torch.float16))
    assert_same(j, t)
    t, j = run_both(lambda lib, x, y: x.add_(y), torch.tensor([1.0, 2.0]), torch.tensor([1.0, 2.0],
                                                                                        dtype=torch.float64))
    assert_same(j, t)
    ints, floats = torch.tensor([1, 2]), torch.tensor([0.5, 0.5])
    assert_raises_like(lambda: ints.clone().add_(1.5), lambda: to_jt(ints).add_(1.5))
    assert_raises_like(lambda: ints.clone().add_(floats), lambda: to_jt(ints).add_(to_jt(floats)))
    assert_raises_like(lambda: ints.clone().div_(2), lambda: to_jt(ints).div_(2))
    assert_raises_like(lambda: torch.tensor([True]).add_(1), lambda: jtorch.tensor([True]).add_(1))


def test_inplace_broadcasting_may_not_grow_self():
    small, big = torch.ones(4), torch.ones(3, 4)
    t, j = run_both(lambda lib, a, b: a.add_(b), big, small)
    assert_same(j, t)
    assert_raises_like(lambda: small.clone().add_(big), lambda: to_jt(small).add_(to_jt(big)))


def test_inplace_on_leaf_requiring_grad_raises_but_no_grad_allows():
    t, j = torch.ones(3, requires_grad=True), jtorch.ones(3, requires_grad=True)
    assert_raises_like(lambda: t.add_(1), lambda: j.add_(1))
    assert_raises_like(lambda: t.zero_(), lambda: j.zero_())
    assert_raises_like(lambda: t.__setitem__(0, 2.0), lambda: j.__setitem__(0, 2.0))
    with torch.no_grad():
        t.mul_(2).add_(1)
    with jtorch.no_grad():
        j.mul_(2).add_(1)
    assert_same(j, t)
    assert j.is_leaf and j.requires_grad and j.grad_fn is None


def test_handwritten_sgd_step_in_no_grad():
    def train(lib, w, x):
        w = w.clone().requires_grad_()
        losses = []
        for _ in range(3):
            loss = ((x @ w) ** 2).mean()
            loss.backward()
            with lib.no_grad():
                w -= 0.1 * w.grad
                w.grad.zero_()
            losses.append(loss.item())
        return w.detach(), losses
    (wt, lt), (wj, lj) = run_both(train, torch.randn(4, 2), torch.randn(5, 4))
    assert_same(wj, wt)
    assert lj == pytest.approx(lt, rel=1e-5)


def test_inplace_on_non_leaf_rebases_history():
    def fn(lib, a):
        a = a.clone().requires_grad_()
        b = a * 2
        b.add_(1)
        b.mul_(a)
        b.div_(3)
        name = b.grad_fn.name()
        b.sum().backward()
        return a.grad, name
    (gt, nt), (gj, nj) = run_both(fn, X)
    assert_same(gj, gt)
    assert nj == nt


def test_inplace_with_grad_operand_and_setitem_gradients():
    def fn(lib, a, v):
        a = a.clone().requires_grad_()
        v = v.clone().requires_grad_()
        b = a * 1
        b[0] = v[0] * 3
        b[1:, 2] = 0
        b.sum().backward()
        return a.grad, v.grad, b.grad_fn.name()
    (at, vt, nt), (aj, vj, nj) = run_both(fn, X, Y)
    assert_same(aj, at)
    assert_same(vj, vt)
    assert nj == nt


def test_copy_fill_zero_gradients():
    def fn(lib, a, s):
        a = a.clone().requires_grad_()
        s = s.clone().requires_grad_()
        b = a * 1
        b.copy_(s * 2)
        c = a * 1
        c.fill_(3.0)
        d = a * 3
        d.zero_()
        (b.sum() + c.sum() + d.sum()).backward()
        return a.grad, s.grad
    (at, st), (aj, sj) = run_both(fn, X, Y)
    assert_same(aj, at)
    assert_same(sj, st)


def test_copy_broadcasts_and_casts():
    t, j = run_both(lambda lib, a, b: a.copy_(b), torch.zeros(3, 4, dtype=torch.int64), Y[0] * 10)
    assert_same(j, t)
    assert_raises_like(lambda: torch.zeros(2).copy_(torch.ones(3)), lambda: jtorch.zeros(2).copy_(jtorch.ones(3)))


def test_version_counter_bumps():
    t, j = torch.zeros(3), jtorch.zeros(3)
    for x in (t, j):
        x.add_(1)
        x[0] = 5
        x.zero_()
    assert j._version == t._version


def test_reshape_inplace_variants():
    for method, args in [("unsqueeze_", (0,)), ("squeeze_", ()), ("t_", ()), ("transpose_", (0, 1))]:
        t, j = run_both(lambda lib, x: getattr(x, method)(*args), X[:1])
        assert_same(j, t)


def test_out_of_place_result_unaffected_by_later_inplace():
    t, j = run_both(lambda lib, x: (lambda y: (x.add_(1), y)[1])(x * 2), X)
    assert_same(j, t)


def test_detach_and_data_share_memory_with_their_base():
    def fn(lib, x):
        p = lib.nn.Parameter(x.clone())
        p.data.mul_(0.5)
        d = x.detach()
        d[0] = 7.0
        alias = x.detach()
        x.add_(1)
        both = alias.detach()
        both.zero_()
        model = lib.nn.Linear(4, 2)
        state = model.state_dict()
        with lib.no_grad():
            model.weight.fill_(3.0)
        return p.detach().clone(), x.clone(), alias.clone(), state["weight"].clone(), x._version
    t, j = run_both(fn, X[0])
    assert_same(j[:4], t[:4])
    assert j[4] == t[4]


def test_optimizer_updates_reach_data_aliases():
    def fn(lib, x):
        p = lib.nn.Parameter(x.clone())
        alias = p.data
        opt = lib.optim.SGD([p], lr=0.1)
        (p * p).sum().backward()
        opt.step()
        return alias.clone()
    t, j = run_both(fn, X[0])
    assert_same(j, t)


def test_shape_changing_inplace_on_alias_leaves_base_alone():
    t, j = run_both(lambda lib, x: (x.detach().t_(), x)[1], X)
    assert_same(j, t)


@pytest.mark.parametrize("dtype,exponent", [
    (torch.float32, 2), (torch.complex64, 2), (torch.int64, 2), (torch.float64, "complex"), (torch.float64, 2),
    (torch.complex128, 0.5),
])
def test_float_power_inplace_needs_a_double_base(dtype, exponent):
    """float_power_ writes only into the double (complex double) dtype its result has, with torch's message."""
    base = torch.tensor([1.5, 2.0]).to(dtype)

    def fn(lib, x):
        e = lib.ones(2, dtype=lib.complex64) if exponent == "complex" else exponent
        try:
            return x.float_power_(e)
        except RuntimeError as error:
            return str(error)
    expected, got = fn(torch, base.clone()), fn(jtorch, to_jt(base))
    if isinstance(expected, str):
        assert got == expected
    else:
        assert_same(got, expected)
