"""Tensor repr/str against torch's for common dtypes, sizes and autograd suffixes."""
import pytest
import torch

import jtorch
from conftest import to_jt

torch.manual_seed(0)

CASES = [
    lambda m: m.tensor([1.0, 2.0, 3.0]), lambda m: m.tensor([1.5, -2.25, 3.125]), lambda m: m.tensor(3.5),
    lambda m: m.tensor(7), lambda m: m.tensor([True, False]), lambda m: m.tensor([[1, 2], [30, -400]]),
    lambda m: m.tensor([1e-5, 1.0]), lambda m: m.tensor([1e5, 1.0]), lambda m: m.tensor([1e9, 2.0]),
    lambda m: m.tensor([float("nan"), float("inf"), -float("inf"), 1.0]), lambda m: m.tensor([0.0, 0.0]),
    lambda m: m.zeros(0), lambda m: m.zeros(2, 0), lambda m: m.zeros(0, dtype=m.int64),
    lambda m: m.arange(2000), lambda m: m.arange(1200.0).reshape(30, 40) / 7, lambda m: m.arange(30.0) / 3,
    lambda m: m.ones(2, 3, 4), lambda m: m.tensor([1, 2], dtype=m.int32), lambda m: m.tensor([1.0], dtype=m.float64),
    lambda m: m.tensor([1.5, 2.5], dtype=m.float16), lambda m: m.tensor([1.5, 2.5], dtype=m.bfloat16),
    lambda m: m.tensor([1 + 2j, -3.5 - 1j]), lambda m: m.tensor([123456.0, 0.001]),
    lambda m: m.ones(2, requires_grad=True), lambda m: m.ones(2, requires_grad=True) * 2,
    lambda m: (m.ones(2, requires_grad=True) * 2).sum(), lambda m: m.tensor([[1e-8, 1.0], [3.0, 4.0]]),
    lambda m: m.tensor([-1.0, 100.5]), lambda m: m.arange(1000.0).reshape(10, 10, 10),
]


@pytest.mark.parametrize("make", CASES)
def test_repr_matches_torch(make):
    assert repr(make(jtorch)) == repr(make(torch))
    assert str(make(jtorch)) == str(make(torch))


def test_random_values_and_print_options():
    x = torch.randn(6, 7)
    assert repr(to_jt(x)) == repr(x)
    try:
        torch.set_printoptions(precision=2, linewidth=50)
        jtorch.set_printoptions(precision=2, linewidth=50)
        assert repr(to_jt(x)) == repr(x)
        torch.set_printoptions(profile="short")
        jtorch.set_printoptions(profile="short")
        assert repr(to_jt(x)) == repr(x)
        torch.set_printoptions(sci_mode=True)
        jtorch.set_printoptions(sci_mode=True)
        assert repr(to_jt(x)) == repr(x)
    finally:
        torch.set_printoptions(profile="default", sci_mode=None)
        jtorch.set_printoptions(profile="default", sci_mode=None)


def test_dtype_size_device_reprs():
    assert repr(jtorch.float32) == repr(torch.float32) and repr(jtorch.bool) == repr(torch.bool)
    assert repr(jtorch.Size([2, 3])) == repr(torch.Size([2, 3]))
    assert repr(jtorch.device("cpu")) == repr(torch.device("cpu"))
    assert f"{jtorch.tensor(2.5):.3f}" == f"{torch.tensor(2.5):.3f}"
