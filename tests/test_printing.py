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
    assert f"{jtorch.tensor(-1.0)} {jtorch.tensor(3)} {jtorch.ones(2)}" == f"{torch.tensor(-1.0)} {torch.tensor(3)} {torch.ones(2)}"


_DTYPES = [torch.float32, torch.float64, torch.float16, torch.bfloat16, torch.int8, torch.uint8, torch.int16,
           torch.int32, torch.int64, torch.bool, torch.complex64, torch.complex128]
_SHAPES = [(), (1,), (5,), (3, 4), (2, 3, 4), (1001,), (40, 40), (2, 0, 3), (3, 1001)]
_SCALES = [1.0, 1e-6, 1e6, 123.456, 1e12, 0.0]


@pytest.mark.parametrize("dtype", _DTYPES, ids=str)
def test_repr_sweep_of_sizes_and_magnitudes(dtype):
    """Every size (summarised or not, empty, wrapped) and magnitude (fixed, scientific, integral) prints as
    torch prints it."""
    gen = torch.Generator().manual_seed(1)
    for shape in _SHAPES:
        for scale in _SCALES:
            x = torch.randn(shape, dtype=torch.float64, generator=gen) * scale
            if dtype.is_complex:
                x = torch.complex(x, x * 0.5)
            x = (x.abs() % 256).to(dtype) if dtype == torch.uint8 else x.to(dtype)
            assert repr(to_jt(x)) == repr(x), (shape, scale)


@pytest.mark.parametrize("values", [[float("nan"), 1.5], [float("inf"), -float("inf")], [1e-300, 1.0], [-0.0, 0.0],
                                    [1.0, 1e16], [0.1, 0.25, 1e-4]])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.float16])
def test_repr_special_values(values, dtype):
    x = torch.tensor(values, dtype=dtype)
    assert repr(to_jt(x)) == repr(x)


def test_parameter_repr_and_profiles():
    p = torch.nn.Parameter(torch.randn(2, 3))
    assert repr(jtorch.nn.Parameter(to_jt(p.detach()))) == repr(p)
    x = torch.randn(30, 50)
    try:
        for options in (dict(profile="full"), dict(profile="short"), dict(threshold=5, edgeitems=1)):
            torch.set_printoptions(**options)
            jtorch.set_printoptions(**options)
            assert repr(to_jt(x)) == repr(x), options
            assert repr(to_jt(x[:4, :5].reshape(4, 5, 1))) == repr(x[:4, :5].reshape(4, 5, 1)), options
    finally:
        torch.set_printoptions(profile="default")
        jtorch.set_printoptions(profile="default")
