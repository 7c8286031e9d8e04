"""tril/triu/diag/trace and F.one_hot/normalize/softplus against torch."""
import pytest
import torch

import jtorch
from conftest import assert_raises_like, compare, compare_or_raise, to_jt

torch.manual_seed(0)
M = torch.randn(3, 4)
B = torch.randn(2, 4, 4)


@pytest.mark.parametrize("k", [-2, -1, 0, 1, 3])
@pytest.mark.parametrize("name", ["tril", "triu"])
def test_triangles(name, k):
    compare(lambda m, x: getattr(m, name)(x, k), M, grad=True)
    compare(lambda m, x: getattr(x, name)(k), B, grad=True)
    compare(lambda m, x: getattr(m, name)(x, k), (M * 10).long())
    compare(lambda m, x: getattr(x.clone(), name + "_")(k), M)
    compare_or_raise(lambda m, x: getattr(m, name)(x), M[0])


@pytest.mark.parametrize("k", [-1, 0, 2])
def test_diag_and_trace(k):
    compare(lambda m, x: m.diag(x, k), M, grad=True)
    compare(lambda m, x: m.diag(x, k), M[0], grad=True)
    compare(lambda m, x: x.trace(), M, grad=True)
    compare(lambda m, x: m.trace(x), torch.arange(9, dtype=torch.int32).reshape(3, 3))
    compare_or_raise(lambda m, x: m.diag(x), B)
    compare_or_raise(lambda m, x: m.trace(x), B)


def test_one_hot():
    labels = torch.tensor([[0, 2], [3, 1]])
    compare(lambda m, x: m.nn.functional.one_hot(x), labels)
    compare(lambda m, x: m.nn.functional.one_hot(x, 6), labels)
    for bad in ([[0, 7]], [[-1, 0]]):
        t = torch.tensor(bad)
        assert_raises_like(lambda: torch.nn.functional.one_hot(t, 5), lambda: jtorch.nn.functional.one_hot(to_jt(t), 5))
    f = torch.tensor([0.0])
    assert_raises_like(lambda: torch.nn.functional.one_hot(f), lambda: jtorch.nn.functional.one_hot(to_jt(f)))


@pytest.mark.parametrize("kwargs", [{}, {"p": 1}, {"dim": 0}, {"p": 3.0, "dim": -1}])
def test_normalize(kwargs):
    x = torch.randn(4, 5)
    x[1] = 0
    compare(lambda m, a: m.nn.functional.normalize(a, **kwargs), x, grad=True)


@pytest.mark.parametrize("kwargs", [{}, {"beta": 2.0}, {"beta": 0.5, "threshold": 1.0}])
def test_softplus(kwargs):
    x = torch.tensor([-30.0, -2.0, 0.0, 0.5, 3.0, 19.0, 25.0])
    compare(lambda m, a: m.nn.functional.softplus(a, **kwargs), x, grad=True)
    compare(lambda m, a: m.nn.functional.softplus(a, **kwargs), x.double(), grad=True)


ACT_INPUT = torch.tensor([-25.0, -3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 3.0, 25.0])


@pytest.mark.parametrize("fn", [
    lambda F, x: F.selu(x), lambda F, x: F.celu(x), lambda F, x: F.celu(x, alpha=0.5), lambda F, x: F.mish(x),
    lambda F, x: F.softsign(x), lambda F, x: F.logsigmoid(x), lambda F, x: F.tanhshrink(x),
    lambda F, x: F.softmin(x, dim=0), lambda F, x: F.glu(x.reshape(3, 3)[:, :2], dim=1),
])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_smooth_activations(fn, dtype):
    compare(lambda m, x: fn(m.nn.functional, x), ACT_INPUT.to(dtype), grad=True, atol=1e-6)


def test_activation_errors():
    compare_or_raise(lambda m, x: m.nn.functional.glu(x), torch.ones(3))
    compare_or_raise(lambda m, x: m.nn.functional.selu(x), torch.ones(3, dtype=torch.int64))


@pytest.mark.parametrize("make", [
    lambda nn: nn.SELU(), lambda nn: nn.SELU(inplace=True), lambda nn: nn.CELU(), lambda nn: nn.CELU(0.5, True),
    lambda nn: nn.Mish(), lambda nn: nn.Softsign(), lambda nn: nn.LogSigmoid(), lambda nn: nn.Tanhshrink(),
    lambda nn: nn.GLU(), lambda nn: nn.GLU(0), lambda nn: nn.Softmin(1), lambda nn: nn.Softplus(),
    lambda nn: nn.Softplus(2, 10),
])
def test_activation_modules(make):
    assert repr(make(jtorch.nn)) == repr(make(torch.nn))
    x = torch.randn(4, 6)
    compare(lambda m, a: make(m.nn)(a * 1), x, grad=True, atol=1e-6)
