"""Elementwise ops against torch: values, dtypes, gradients, operators, errors."""
import math

import pytest
import torch

import jtorch
from conftest import assert_raises_like, assert_same, compare, compare_or_raise, to_jt

torch.manual_seed(0)
X = torch.randn(3, 4)
POS = torch.rand(3, 4) + 0.1
UNIT = torch.rand(3, 4) * 1.8 - 0.9
INTS = torch.tensor([[-3, -1, 0, 2], [5, 7, -8, 1], [4, 0, 3, -2]])
BOOLS = torch.tensor([[True, False, True, False]] * 3)
SPECIAL = torch.tensor([0.0, -0.0, 1.5, -2.5, 0.5, -0.5, 2.5, float("inf"), float("-inf"), float("nan")])

UNARY_ANY = ["exp", "expm1", "sin", "cos", "tan", "atan", "sinh", "cosh", "tanh", "asinh", "sigmoid", "erf",
             "erfc", "abs", "neg", "sign", "sgn", "floor", "ceil", "trunc", "frac", "round", "square", "relu",
             "exp2", "deg2rad", "rad2deg", "reciprocal"]
UNARY_POS = ["log", "log2", "log10", "log1p", "sqrt", "rsqrt", "lgamma", "digamma", "acosh"]
UNARY_UNIT = ["asin", "acos", "atanh", "erfinv"]


def _input_for(name):
    if name in UNARY_POS:
        return POS + (1.0 if name == "acosh" else 0.0)
    return UNIT if name in UNARY_UNIT else X


@pytest.mark.parametrize("name", UNARY_ANY + UNARY_POS + UNARY_UNIT)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_unary_float_values_and_grads(name, dtype):
    x = _input_for(name).to(getattr(torch, dtype))
    rtol = 1e-4 if name in ("lgamma", "digamma", "erfinv") else None
    compare(lambda m, a: getattr(m, name)(a), x, grad=name not in ("sign", "sgn", "round", "floor", "ceil",
                                                                    "trunc"), rtol=rtol, atol=1e-5)
    compare(lambda m, a: getattr(a, name)(), x, rtol=rtol, atol=1e-5)


@pytest.mark.parametrize("name", ["exp", "log", "sqrt", "sin", "sigmoid", "tanh", "abs", "neg", "sign", "floor",
                                  "round", "square", "reciprocal", "relu", "trunc"])
def test_unary_integer_inputs(name):
    compare(lambda m, a: getattr(m, name)(a), INTS.abs() + 1 if name in ("log", "sqrt") else INTS, atol=1e-6)


@pytest.mark.parametrize("name", ["exp", "log", "sqrt", "abs", "sign", "floor", "round", "sigmoid", "tanh",
                                  "reciprocal", "frac", "trunc"])
def test_unary_special_values(name):
    compare(lambda m, a: getattr(m, name)(a), SPECIAL)


def test_round_decimals_and_half_to_even():
    compare(lambda m, a: m.round(a, decimals=2), X * 10)
    compare(lambda m, a: m.round(a), torch.tensor([0.5, 1.5, 2.5, -0.5, -1.5]))


def test_neg_bool_raises():
    assert_raises_like(lambda: -BOOLS, lambda: -to_jt(BOOLS))


BINARY = ["add", "sub", "mul", "div", "maximum", "minimum", "fmax", "fmin", "remainder", "fmod", "atan2", "pow",
          "hypot", "logaddexp", "copysign", "floor_divide", "xlogy"]


@pytest.mark.parametrize("name", BINARY)
@pytest.mark.parametrize("shapes", [((3, 4), (3, 4)), ((3, 4), (4,)), ((3, 1), (1, 4)), ((), (2, 3))])
def test_binary_float_broadcast_and_grads(name, shapes):
    a = torch.randn(shapes[0])
    b = torch.randn(shapes[1])
    if name in ("pow", "xlogy"):
        a = a.abs() + 0.5
    grad = name not in ("floor_divide", "remainder", "fmod")
    compare(lambda m, x, y: getattr(m, name)(x, y), a, b, grad=grad, atol=1e-5)


@pytest.mark.parametrize("name", ["add", "sub", "mul", "div", "maximum", "minimum", "remainder", "fmod",
                                  "floor_divide", "pow", "eq", "lt", "ge", "bitwise_and", "bitwise_xor"])
@pytest.mark.parametrize("other", ["int_tensor", "int32_tensor", "int", "float", "bool"])
def test_binary_integer_and_scalar_promotion(name, other):
    a = INTS.abs() if name in ("remainder", "fmod", "floor_divide", "pow") else INTS
    b = {"int_tensor": INTS[0].abs() + 1, "int32_tensor": (INTS[1].abs() + 1).int(), "int": 3, "float": 2.5,
         "bool": True}[other]
    compare_or_raise(lambda m, x, y: getattr(m, name)(x, y), a, b)


@pytest.mark.parametrize("mode", [None, "trunc", "floor"])
@pytest.mark.parametrize("kind", ["float", "int"])
def test_div_rounding_modes(mode, kind):
    a = torch.tensor([7, -7, 7, -7, 0, 9]) if kind == "int" else torch.tensor([7.5, -7.5, 7.0, -7.0, 0.0, 2.25])
    b = torch.tensor([2, 2, -2, -2, 3, 4]) if kind == "int" else torch.tensor([2.0, 2.0, -2.0, -2.0, 3.0, -0.5])
    compare(lambda m, x, y: m.div(x, y, rounding_mode=mode), a, b)
    compare(lambda m, x: x.div(3, rounding_mode=mode), a)
    assert_raises_like(lambda: torch.div(a, b, rounding_mode="x"), lambda: jtorch.div(to_jt(a), to_jt(b),
                                                                                         rounding_mode="x"))


def test_operators_match_functions():
    a, b = X, POS
    for expr in [lambda x, y: x + y, lambda x, y: x - y, lambda x, y: x * y, lambda x, y: x / y,
                 lambda x, y: x // y, lambda x, y: x % y, lambda x, y: y ** x, lambda x, y: x @ y.T,
                 lambda x, y: -x, lambda x, y: +x, lambda x, y: abs(x), lambda x, y: 2 + x, lambda x, y: 2 - x,
                 lambda x, y: 2 * x, lambda x, y: 2 / y, lambda x, y: 2 ** x, lambda x, y: x ** 2,
                 lambda x, y: 7 // y, lambda x, y: 7 % y, lambda x, y: x < y, lambda x, y: x == y,
                 lambda x, y: x != 0.5, lambda x, y: 1 >= x, lambda x, y: (x > 0) & (y > 0.5),
                 lambda x, y: (x > 0) | (y > 0.5), lambda x, y: (x > 0) ^ (y > 0.5), lambda x, y: ~(x > 0)]:
        assert_same(expr(to_jt(a), to_jt(b)), expr(a, b))


def test_integer_operators():
    for expr in [lambda x: x // 2, lambda x: x % 3, lambda x: -x, lambda x: ~x, lambda x: x & 6, lambda x: x | 1,
                 lambda x: x ** 2, lambda x: x / 2, lambda x: 2 ** x.abs(), lambda x: x * True]:
        assert_same(expr(to_jt(INTS)), expr(INTS))
    assert_raises_like(lambda: INTS ** -1, lambda: to_jt(INTS) ** -1)
    assert_raises_like(lambda: BOOLS - BOOLS, lambda: to_jt(BOOLS) - to_jt(BOOLS))


def test_add_sub_alpha():
    compare(lambda m, x, y: m.add(x, y, alpha=2.5), X, POS, grad=True)
    compare(lambda m, x, y: m.sub(x, y, alpha=-3), X, POS, grad=True)
    compare(lambda m, x, y: x.add(y, alpha=2), INTS, INTS)
    assert_raises_like(lambda: INTS.add(INTS, alpha=1.5), lambda: to_jt(INTS).add(to_jt(INTS), alpha=1.5))


def test_broadcast_error_names_shapes():
    with pytest.raises(RuntimeError) as expected:
        torch.ones(2, 3) + torch.ones(4)
    with pytest.raises(RuntimeError) as got:
        jtorch.ones(2, 3) + jtorch.ones(4)
    assert str(got.value) == str(expected.value)


@pytest.mark.parametrize("kwargs", [dict(min=-0.5), dict(max=0.3), dict(min=-0.5, max=0.5), dict(min=0.5, max=-0.5)])
def test_clamp_scalar_bounds_and_boundary_gradient(kwargs):
    x = torch.tensor([-1.0, -0.5, 0.0, 0.3, 0.5, 2.0, float("nan")])
    compare(lambda m, a: m.clamp(a, **kwargs), x, grad=True)
    compare(lambda m, a: a.clip(**kwargs), x)


def test_clamp_tensor_bounds_and_int():
    lo, hi = torch.full((3, 4), -0.3), torch.full((4,), 0.4)
    compare(lambda m, a, b, c: m.clamp(a, b, c), X, lo, hi, grad=True)
    compare(lambda m, a: m.clamp(a, min=-2, max=3), INTS)
    compare(lambda m, a: m.clamp(a, min=0.5), INTS)
    compare(lambda m, a: a.clamp_min(0.1).clamp_max(0.2), X)
    assert_raises_like(lambda: torch.clamp(X), lambda: jtorch.clamp(to_jt(X)))


def test_where():
    cond = X > 0
    compare(lambda m, c, a, b: m.where(c, a, b), cond, X, POS, grad=True)
    compare(lambda m, c, a: m.where(c, a, 0.0), cond, X, grad=True)
    compare(lambda m, c, a: m.where(c, a, 2), cond, INTS)
    compare(lambda m, c, a: m.where(c, 1.5, a), cond, INTS)
    compare(lambda m, c: m.where(c), cond)
    assert_raises_like(lambda: torch.where(INTS, X, X), lambda: jtorch.where(to_jt(INTS), to_jt(X), to_jt(X)))


@pytest.mark.parametrize("name", ["eq", "ne", "lt", "le", "gt", "ge", "logical_and", "logical_or", "logical_xor"])
def test_comparisons_and_logical(name):
    compare(lambda m, a, b: getattr(m, name)(a, b), X, X.flip(0))
    compare(lambda m, a, b: getattr(m, name)(a, b), INTS, X)
    compare_or_raise(lambda m, a: getattr(m, name)(a, 0), INTS)


def test_predicates_and_closeness():
    for name in ["isnan", "isinf", "isfinite", "isposinf", "isneginf", "signbit", "logical_not"]:
        compare(lambda m, a: getattr(m, name)(a), SPECIAL)
    compare(lambda m, a, b: m.isclose(a, b), SPECIAL, SPECIAL + 1e-9)
    compare(lambda m, a, b: m.isclose(a, b, equal_nan=True), SPECIAL, SPECIAL)
    assert jtorch.allclose(to_jt(X), to_jt(X + 1e-9)) == torch.allclose(X, X + 1e-9)
    assert jtorch.equal(to_jt(X), to_jt(X)) and not jtorch.equal(to_jt(X), to_jt(X + 1))
    compare(lambda m, a: m.nan_to_num(a), SPECIAL)
    compare(lambda m, a: m.nan_to_num(a, nan=1.0, posinf=2.0, neginf=-2.0), SPECIAL)


def test_ternary_and_misc_ops():
    compare(lambda m, a, b, c: m.addcmul(a, b, c, value=0.5), X, POS, UNIT, grad=True)
    compare(lambda m, a, b, c: m.addcdiv(a, b, c, value=2), X, UNIT, POS, grad=True)
    compare(lambda m, a, b: m.lerp(a, b, 0.3), X, POS, grad=True)
    compare(lambda m, a, b, w: m.lerp(a, b, w), X, POS, UNIT.abs(), grad=True)
    compare(lambda m, a: m.float_power(a, 2), INTS)
    compare(lambda m, a: m.rsub(a, 1.5), X, grad=True)


def test_pow_special_cases_and_gradients():
    compare(lambda m, a: a ** 0.5, POS, grad=True)
    compare(lambda m, a: 2.0 ** a, X, grad=True)
    compare(lambda m, a, b: a ** b, POS, X, grad=True)
    compare(lambda m, a: m.pow(a, 3), torch.tensor([0.0, -1.0, 2.0]), grad=True)
    compare(lambda m, a: m.pow(a, 0), torch.tensor([0.0, float("nan")]))


@pytest.mark.parametrize("op", ["maximum", "minimum"])
def test_tie_gradients_split_evenly(op):
    a = torch.tensor([1.0, 2.0, 3.0])
    b = torch.tensor([1.0, 0.0, 3.0])
    compare(lambda m, x, y: getattr(m, op)(x, y), a, b, grad=True)


def test_reduced_precision_dtypes():
    for dtype in ["float16", "bfloat16"]:
        x = X.to(getattr(torch, dtype))
        compare(lambda m, a: (a * 2 + 1).exp(), x)
        compare(lambda m, a: a / 3, x)
        compare(lambda m, a: a + 1.5, x)


def test_out_argument():
    out_t, out_j = torch.empty(3, 4), jtorch.empty(3, 4)
    torch.add(X, POS, out=out_t)
    jtorch.add(to_jt(X), to_jt(POS), out=out_j)
    assert_same(out_j, out_t)
    torch.exp(X, out=out_t)
    jtorch.exp(to_jt(X), out=out_j)
    assert_same(out_j, out_t)


def test_math_constants_pass_through_as_scalars():
    compare(lambda m, a: a * math.pi + math.e, X, grad=True)
