"""Storage sharing as torch does it: views, writes through them, versions, layouts and autograd through
mutation. Every test runs the same program under torch and jtorch and compares what it returns."""
import pytest
import torch

import jtorch
from conftest import assert_raises_like, assert_same


def both(program):
    """program(module) under torch and jtorch; the results must match."""
    expected = program(torch)
    got = program(jtorch)
    assert_same(got, expected)
    return got, expected


def base(m):
    return m.arange(24.).reshape(2, 3, 4)


VIEWS = {
    "view": lambda x: x.view(6, 4),
    "view_as": lambda x: x.view_as(x.new_empty(4, 6)),
    "reshape": lambda x: x.reshape(-1),
    "flatten": lambda x: x.flatten(1),
    "unflatten": lambda x: x.unflatten(2, (2, 2)),
    "int": lambda x: x[1],
    "slices": lambda x: x[:, 1:3],
    "step": lambda x: x[..., ::2],
    "none": lambda x: x[..., None],
    "mixed": lambda x: x[1, None, ::2, 1:],
    "select": lambda x: x.select(2, 1),
    "narrow": lambda x: x.narrow(1, 1, 2),
    "squeeze": lambda x: x[:, :1].squeeze(1),
    "unsqueeze": lambda x: x.unsqueeze(1),
    "transpose": lambda x: x.transpose(0, 2),
    "t": lambda x: x[0].t(),
    "T": lambda x: x[0].T,
    "mT": lambda x: x.mT,
    "permute": lambda x: x.permute(2, 0, 1),
    "movedim": lambda x: x.movedim(0, -1),
    "split": lambda x: x.split(2, dim=2)[1],
    "chunk": lambda x: x.chunk(3, dim=1)[2],
    "unbind": lambda x: x.unbind(1)[1],
    "tensor_split": lambda x: x.tensor_split([1], dim=2)[1],
    "diagonal": lambda x: x.diagonal(1, 1, 2),
    "unfold": lambda x: x.unfold(2, 2, 2),
    "as_strided": lambda x: x.as_strided((3, 2), (4, 2), 1),
    "detach": lambda x: x.detach(),
    "data": lambda x: x.data,
    "chain": lambda x: x[1].t()[1:].unsqueeze(0).select(2, 1),
}

WRITES = {
    "add_": lambda v: v.add_(100),
    "mul_": lambda v: v.mul_(-1),
    "setitem": lambda v: v.__setitem__(..., 7),
    "copy_": lambda v: v.copy_(v.new_ones(v.shape[-1:]) * 5),
    "zero_": lambda v: v.zero_(),
    "fill_": lambda v: v.fill_(3),
    "iadd": lambda v: v.__iadd__(1),
    "clamp_": lambda v: v.clamp_(3, 9),
}


@pytest.mark.parametrize("view", VIEWS)
def test_view_layout_and_values(view):
    def program(m):
        v = VIEWS[view](base(m))
        return v, v.stride(), v.storage_offset(), v.is_contiguous(), v._is_view()
    both(program)


@pytest.mark.parametrize("write", WRITES)
@pytest.mark.parametrize("view", VIEWS)
def test_write_through_view_reaches_base_and_other_views(view, write):
    def program(m):
        x = base(m)
        other = x[1, 1]
        v = VIEWS[view](x)
        WRITES[write](v)
        return x, v, other, x._version, v._version
    both(program)


@pytest.mark.parametrize("view", VIEWS)
def test_write_to_base_is_seen_by_view(view):
    def program(m):
        x = base(m)
        v = VIEWS[view](x)
        x.mul_(2)
        x[0, 0] = -1
        return v, v._version
    both(program)


def test_writes_through_two_views_of_one_base():
    def program(m):
        x = m.zeros(4, 4)
        row, col = x[1], x[:, 2]
        row += 1
        col.mul_(5)
        x.t()[3].fill_(-2)
        return x, row, col
    both(program)


@pytest.mark.parametrize("op", [
    lambda x: x.clone(), lambda x: x.t().contiguous(), lambda x: x.t().reshape(-1), lambda x: x[[0, 1]],
    lambda x: x[x > 2], lambda x: x.flip(0), lambda x: x + 0, lambda x: x.repeat(1, 1),
])
def test_copies_do_not_alias(op):
    def program(m):
        x = m.arange(6.).reshape(2, 3)
        c = op(x)
        c.add_(100)
        return x, c._is_view()
    both(program)


def test_contiguous_returns_self_and_flatten_of_1d_is_self():
    def program(m):
        x = m.arange(6.)
        y = x.reshape(2, 3)
        return y.contiguous() is y, x.flatten() is x, y.t().contiguous() is y.t(), y.flatten()._base is x
    both(program)


def test_view_of_non_contiguous_raises_and_reshape_copies():
    assert_raises_like(lambda: torch.ones(3, 4).t().view(-1), lambda: jtorch.ones(3, 4).t().view(-1))

    def program(m):
        x = m.arange(12.).reshape(3, 4)
        a = x.t().reshape(12)
        b = x[:, :2].reshape(6)
        c = x.t().unsqueeze(0).reshape(4, 3)
        return a._is_view(), b._is_view(), c._is_view(), x.t().view(4, 1, 3).stride()
    both(program)


def test_advanced_index_writes():
    def program(m):
        x = m.arange(12.).reshape(3, 4)
        x[x > 8] = 0
        x[m.tensor([0, 2])] += 10
        x[1, [0, 3]] *= -1
        r = x[0]
        r[m.tensor([1, 1, 2])] = 5
        return x, r
    both(program)


def test_expanded_view_refuses_writes():
    def fails(m):
        m.zeros(3, 1).expand(3, 4).add_(1)
    assert_raises_like(lambda: fails(torch), lambda: fails(jtorch))


def test_versions_and_data_ptrs():
    def program(m):
        x = m.zeros(3, 4)
        v, d = x[1], x.detach()
        versions = [x._version]
        x.add_(1)
        versions.append(v._version)
        v.zero_()
        versions.append(d._version)
        d[0, 0] = 3
        versions.append(x._version)
        y = x + 1
        same = [x.data_ptr() == d.data_ptr(), v.data_ptr() - x.data_ptr(), x[:, 1].data_ptr() - x.data_ptr(),
                x.untyped_storage().data_ptr() == v.untyped_storage().data_ptr(),
                y.untyped_storage().data_ptr() == x.untyped_storage().data_ptr(),
                x.untyped_storage().nbytes(), x.is_set_to(d), x.is_set_to(v), v.is_set_to(x[1]),
                x.is_same_size(y), x.is_same_size(v)]
        return versions, same
    both(program)


def test_inplace_reshapes_keep_sharing():
    def program(m):
        x = m.arange(6.).reshape(2, 3)
        v = x[0]
        x.t_()
        x[2, 1] = -1
        u = x.unsqueeze_(0)
        u.squeeze_(0)
        return x, v, u is x, x.stride()
    both(program)


def test_data_assignment_shares_the_new_memory():
    def program(m):
        p = m.nn.Parameter(m.zeros(3))
        new = m.ones(3)
        p.data = new
        new.add_(1)
        p.data.mul_(3)
        return p.detach().clone(), new, p.is_leaf, p.requires_grad
    both(program)


# ---- autograd through mutation --------------------------------------------------------------------------------

def _grad_fn_name(t):
    return None if t.grad_fn is None else type(t.grad_fn).__name__


def test_inplace_on_view_rebases_history_and_routes_gradients():
    def program(m):
        m.manual_seed(0)
        x = m.randn(3, 4, requires_grad=True)
        w = m.randn(4, requires_grad=True)
        y = x.clone()
        row = y[1]
        row.mul_(w)
        y[:, 0] = w[:3] * 2
        col = y[:, 3]
        y.exp_()
        loss = (y * m.arange(12.).reshape(3, 4)).sum() + col.sum() * 3 + row.pow(2).sum()
        loss.backward()
        names = [_grad_fn_name(t) for t in (y, row, col)]
        return x.grad, w.grad, names, row.requires_grad
    both(program)


def test_inplace_on_view_of_tensor_without_grad_gains_history():
    def program(m):
        m.manual_seed(1)
        w = m.randn(2, requires_grad=True)
        y = m.zeros(2, 3)
        v = y[:, 1]
        v.copy_(w)
        (y * y).sum().backward()
        return w.grad, _grad_fn_name(y), y.requires_grad, v.requires_grad, _grad_fn_name(v)
    both(program)


def test_unbind_outputs_read_gradients_through_the_base():
    def program(m):
        m.manual_seed(2)
        x = m.randn(3, 2, requires_grad=True)
        a, b, c = (x * 1).unbind(0)
        (a * 2 + b * c).sum().backward()
        return x.grad
    both(program)


def test_base_modified_after_view_regenerates_view_history():
    def program(m):
        x = m.ones(2, 3, requires_grad=True)
        y = x * 2
        v = y[0]
        y.mul_(3)
        v.sum().backward()
        return x.grad, _grad_fn_name(v), v
    both(program)


def test_no_grad_updates_keep_parameters_leaves():
    def program(m):
        m.manual_seed(3)
        w = m.randn(3, 2, requires_grad=True)
        (w * w).sum().backward()
        with m.no_grad():
            w -= 0.1 * w.grad
            w[0] -= 1
            w.data.mul_(0.5)
            w.t()[1].add_(2)
        return w.detach().clone(), w.is_leaf, w.requires_grad, w.grad_fn, w._version
    both(program)


ERRORS = {
    "leaf": lambda m: m.ones(3, requires_grad=True).add_(1),
    "view of leaf": lambda m: m.ones(3, requires_grad=True)[:2].add_(1),
    "setitem on view of leaf": lambda m: m.ones(2, 3, requires_grad=True)[0].__setitem__(0, 1.0),
    "view made in no_grad": lambda m: _no_grad_view(m).mul_(2),
    "unbind output": lambda m: (m.ones(2, 3, requires_grad=True) * 1).unbind(0)[1].mul_(2),
    "split output": lambda m: (m.ones(4, requires_grad=True) * 1).split(2)[0].zero_(),
    "chunk output": lambda m: (m.ones(4, requires_grad=True) * 1).chunk(2)[1].fill_(1),
    "detach_ of view": lambda m: m.ones(3, 2)[0].detach_(),
    "expanded": lambda m: m.zeros(1, 3).expand(2, 3).mul_(2),
    "view dtype mismatch": lambda m: m.ones(4).view(3),
}


def _no_grad_view(m):
    y = m.ones(3, requires_grad=True) * 1
    with m.no_grad():
        return y[:2]


@pytest.mark.parametrize("case", ERRORS)
def test_errors_as_torch(case):
    with pytest.raises(Exception) as expected:
        ERRORS[case](torch)
    with pytest.raises(type(expected.value)) as got:
        ERRORS[case](jtorch)
    assert str(got.value) == str(expected.value)


def test_allowed_inplace_on_multi_output_views_without_grad():
    def program(m):
        x = m.arange(6.)
        a, b = x.split(3)
        a.mul_(2)
        for row in x.view(2, 3).unbind(0):
            row.add_(1)
        return x
    both(program)


def test_complex_unfold_chain_gradients():
    def program(m):
        m.manual_seed(4)
        x = m.randn(8, requires_grad=True)
        y = x * 1
        windows = y.unfold(0, 3, 2)
        windows[:, 0] = 0
        (y.pow(2) * m.arange(8.)).sum().backward()
        return x.grad, y
    both(program)


@pytest.mark.parametrize("view", [lambda c: c.real, lambda c: c.imag,
                                  lambda c: (torch if isinstance(c, torch.Tensor) else jtorch).view_as_real(c),
                                  lambda c: c.imag[1:, ::2], lambda c: c.t().real])
def test_complex_part_views_write_through(view):
    def program(m):
        c = m.complex(m.arange(6.).reshape(2, 3), -m.arange(6.).reshape(2, 3))
        v = view(c)
        v.mul_(10)
        c[0, 0] = 5
        return c, v, v.stride(), v.storage_offset(), v._is_view()
    both(program)


def test_real_of_a_real_tensor_is_itself_and_imag_raises():
    def program(m):
        x = m.ones(3)
        return x.real is x
    both(program)
    assert_raises_like(lambda: torch.ones(3).imag, lambda: jtorch.ones(3).imag)
