"""nn.init against torch.nn.init: same seed, same values (same generator consumption), in place, under no_grad."""
import math
import warnings

import pytest
import torch

import jtorch
from conftest import assert_raises_like, assert_same

EXACT = dict(rtol=0, atol=0)

CASES = [
    ("uniform_", (3, 5), {}, EXACT),
    ("uniform_", (40,), dict(a=-2.0, b=0.5), EXACT),
    ("normal_", (4, 20), dict(mean=1.0, std=2.0), EXACT),
    ("normal_", (7,), {}, EXACT),
    ("constant_", (3, 2), dict(val=2.5), EXACT),
    ("ones_", (2, 3), {}, EXACT),
    ("zeros_", (2, 3), {}, EXACT),
    ("eye_", (3, 5), {}, EXACT),
    ("dirac_", (4, 2, 3, 3), {}, EXACT),
    ("dirac_", (6, 3, 5), dict(groups=2), EXACT),
    ("dirac_", (2, 2, 3, 2, 3), {}, EXACT),
    ("xavier_uniform_", (8, 3, 3), {}, EXACT),
    ("xavier_uniform_", (5, 4), dict(gain=math.sqrt(2)), EXACT),
    ("xavier_normal_", (30, 6), dict(gain=2.0), EXACT),
    ("kaiming_uniform_", (16, 3, 3, 3), dict(a=math.sqrt(5)), EXACT),
    ("kaiming_uniform_", (6, 4), dict(mode="fan_out", nonlinearity="relu"), EXACT),
    ("kaiming_normal_", (20, 10), dict(mode="fan_out", nonlinearity="relu"), EXACT),
    ("kaiming_normal_", (5, 4), dict(a=0.2), EXACT),
    ("trunc_normal_", (50, 40), {}, {}),
    ("trunc_normal_", (30, 7), dict(mean=0.0, std=1.0, a=1.0, b=1.5), EXACT),
    ("trunc_normal_", (30, 7), dict(mean=0.5, std=0.02, a=-2.0, b=2.0), {}),
    ("orthogonal_", (6, 4), {}, {}),
    ("orthogonal_", (3, 8), dict(gain=2.0), {}),
    ("orthogonal_", (4, 2, 3), {}, {}),
]


@pytest.mark.parametrize("name,shape,kw,tol", CASES)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_init_values_match_torch_for_the_same_seed(name, shape, kw, tol, dtype):
    """Values equal torch's and the generator ends in the same state (the next draw matches).

    trunc_normal_'s normal redraws and orthogonal_'s QR agree to rounding: float64 normals can be one ulp
    off (see jtorch.random) and the LAPACK QR builds differ in the last bits."""
    torch.manual_seed(0)
    jtorch.random.manual_seed(0)
    expected = torch.empty(shape, dtype=dtype).requires_grad_()
    got = jtorch.empty(shape, dtype=getattr(jtorch, str(dtype)[6:])).requires_grad_()
    result_t = getattr(torch.nn.init, name)(expected, **kw)
    result_j = getattr(jtorch.nn.init, name)(got, **kw)
    assert result_j is got and result_t is expected
    assert got.requires_grad and got.is_leaf
    assert_same(got, expected, **tol)
    assert_same(jtorch.rand(3), torch.rand(3), **EXACT)


def test_generator_argument_draws_from_that_generator():
    t_gen, j_gen = torch.Generator().manual_seed(7), jtorch.Generator().manual_seed(7)
    for name in ("uniform_", "normal_", "xavier_uniform_", "kaiming_normal_", "trunc_normal_"):
        expected = getattr(torch.nn.init, name)(torch.empty(4, 5), generator=t_gen)
        got = getattr(jtorch.nn.init, name)(jtorch.empty(4, 5), generator=j_gen)
        assert_same(got, expected, **EXACT)


def test_init_of_parameters_keeps_them_leaves():
    p = jtorch.nn.Parameter(jtorch.empty(3, 4))
    jtorch.nn.init.kaiming_uniform_(p, a=math.sqrt(5))
    jtorch.nn.init.zeros_(p)
    assert p.is_leaf and p.requires_grad and p._version > 0


@pytest.mark.parametrize("nonlinearity,param", [
    ("linear", None), ("conv2d", None), ("conv_transpose3d", None), ("sigmoid", None), ("tanh", None),
    ("relu", None), ("leaky_relu", None), ("leaky_relu", 0.2), ("leaky_relu", 1), ("selu", None),
])
def test_calculate_gain(nonlinearity, param):
    assert jtorch.nn.init.calculate_gain(nonlinearity, param) == torch.nn.init.calculate_gain(nonlinearity, param)


@pytest.mark.parametrize("shape", [(3, 4), (5, 2, 3), (6, 3, 2, 2), (2, 3, 1, 2, 2)])
def test_fan_in_and_fan_out(shape):
    assert jtorch.nn.init._calculate_fan_in_and_fan_out(jtorch.empty(shape)) == \
        torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))


@pytest.mark.parametrize("call", [
    lambda m: m.nn.init.calculate_gain("foo"),
    lambda m: m.nn.init.calculate_gain("leaky_relu", "x"),
    lambda m: m.nn.init._calculate_fan_in_and_fan_out(m.empty(3)),
    lambda m: m.nn.init.kaiming_uniform_(m.empty(3, 4), mode="fan_avg"),
    lambda m: m.nn.init.xavier_normal_(m.empty(4)),
    lambda m: m.nn.init.eye_(m.empty(2, 2, 2)),
    lambda m: m.nn.init.dirac_(m.empty(3, 3)),
    lambda m: m.nn.init.dirac_(m.empty(3, 2, 3), groups=2),
    lambda m: m.nn.init.orthogonal_(m.empty(3)),
])
def test_init_errors(call):
    assert_raises_like(lambda: call(torch), lambda: call(jtorch))


def test_zero_element_tensors_warn_and_stay_unchanged():
    for name in ("kaiming_uniform_", "kaiming_normal_"):
        with pytest.warns(UserWarning, match="Initializing zero-element tensors is a no-op"):
            assert getattr(jtorch.nn.init, name)(jtorch.empty(0, 3)).shape == (0, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert jtorch.nn.init.orthogonal_(jtorch.empty(0, 3)).shape == (0, 3)
