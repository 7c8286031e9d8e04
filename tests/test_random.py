"""jtorch's random streams against torch's CPU generator (torch is the oracle).

Each test seeds torch and jtorch identically, runs the same call in both and
requires bit-identical values and generator states.  One exception: float64
results of more than 64 elements from samplers built on double-precision
log/log1p/exp/tan (randn and normal_, exponential_, log_normal_, cauchy_) may
carry a one-ulp error from those functions (then scaled by std/sigma and
shifted by the mean), because jtorch evaluates them with numpy's vectorised
implementations where torch calls glibc per element (see jtorch/random.py);
those tests pass `scale` and allow 4 ulps of (|value| + scale).
"""
import ml_dtypes
import numpy as np
import pytest
import torch

import jtorch

SIZES = [1, 15, 16, 17, 1000, (3, 7), (4, 5, 6)]
FLOATS = ["float32", "float64", "float16", "bfloat16"]
INTS = ["int64", "int32", "int16", "int8", "uint8"]


def host(t):
    """A torch or jtorch tensor as a numpy array in its own dtype."""
    if isinstance(t, torch.Tensor):
        if t.dtype == torch.bfloat16:
            return t.view(torch.int16).numpy().view(ml_dtypes.bfloat16)
        return t.detach().numpy()
    return np.asarray(t._value)


def assert_same(ours, theirs, scale=None):
    """Bit-identical, or for float64 with a `scale`: within 4 ulps of (|theirs| + scale)."""
    a, b = host(ours), host(theirs)
    assert a.shape == b.shape and a.dtype == b.dtype
    if scale is None or a.dtype != np.float64:
        np.testing.assert_array_equal(a, b)
    else:
        bound = 4 * np.finfo(np.float64).eps * (np.abs(b) + scale)
        np.testing.assert_array_less(np.abs(a - b), bound + 1e-300)


def assert_same_state():
    np.testing.assert_array_equal(host(jtorch.get_rng_state()), host(torch.get_rng_state()))


def both(name):
    return getattr(jtorch, name), getattr(torch, name)


def shape_of(size):
    return (size,) if isinstance(size, int) else size


@pytest.fixture(autouse=True)
def seeded():
    jtorch.manual_seed(1234)
    torch.manual_seed(1234)
    yield
    assert_same_state()


def compare(call, scale=None):
    """Run `call(module)` with jtorch and with torch and compare the results."""
    assert_same(call(jtorch), call(torch), scale)


def compare_each(calls):
    """Like `compare`, for a call returning a list of tensors (drawn in order)."""
    ours, theirs = calls(jtorch), calls(torch)
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs):
        assert_same(a, b)


# ------------------------------------------------------------------ factories

@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("dtype", FLOATS)
def test_rand(dtype, size):
    compare(lambda m: m.rand(shape_of(size), dtype=getattr(m, dtype)))


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("dtype", FLOATS)
def test_randn(dtype, size):
    """Box-Muller in blocks of 16 (float32: torch's AVX2 kernel) or, below 16
    elements, the scalar path whose second normal is cached."""
    compare(lambda m: m.randn(*shape_of(size), dtype=getattr(m, dtype)), scale=1.0)


def test_randn_scalar_path_caches_second_normal():
    compare_each(lambda m: [m.randn(3), m.randn(5, dtype=m.float64), m.randn(1), m.randn(16), m.randn(2)])


@pytest.mark.parametrize("size", [262_144, 300_017])
def test_float32_normal_over_several_kernel_chunks(size):
    """Float32 normals are transformed a chunk at a time, each chunk while the
    next is drawn; a partial last block is redrawn after them all."""
    compare_each(lambda m: [m.randn(size), m.empty(size).normal_(0.3, 1.7)])


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("dtype", ["int64", "int32", "float32", "float64", "uint8"])
def test_randint(dtype, size):
    compare(lambda m: m.randint(-3 if dtype != "uint8" else 3, 100, shape_of(size), dtype=getattr(m, dtype)))


@pytest.mark.parametrize("dtype", INTS + ["float16", "bfloat16"])
def test_randint_high_only(dtype):
    compare(lambda m: m.randint(50, (4, 5), dtype=getattr(m, dtype)))


def test_randint_bool():
    compare(lambda m: m.randint(0, 2, (40,), dtype=m.bool))


@pytest.mark.parametrize("low, high", [(0, (1 << 28) - 1), (0, 1 << 28), (-(1 << 40), 1 << 40),
                                       (-(1 << 63), (1 << 63) - 1)])
def test_randint_wide_ranges_draw_64_bits(low, high):
    compare(lambda m: m.randint(low, high, (9,)))


@pytest.mark.parametrize("n", [0, 1, 2, 15, 16, 17, 1000, 65_536, 100_000, 300_000])
def test_randperm(n):
    compare(lambda m: m.randperm(n))


@pytest.mark.parametrize("dtype", ["int32", "int16", "float32", "float64", "float16"])
def test_randperm_dtypes(dtype):
    compare(lambda m: m.randperm(300, dtype=getattr(m, dtype)))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_like_factories(dtype):
    def run(m):
        base = m.zeros(4, 6, dtype=getattr(m, dtype))
        return m.stack([m.rand_like(base), m.randn_like(base), m.randint_like(base, 9),
                        m.randint_like(base, -4, 4)])
    compare(run, scale=1.0)


# ---------------------------------------------------------------- normal()

def test_normal_float_float_size():
    compare(lambda m: m.normal(2.0, 3.0, size=(5, 4)))


def test_normal_tensor_mean():
    compare(lambda m: m.normal(m.arange(20.0).reshape(4, 5), 0.5))


def test_normal_tensor_std():
    compare(lambda m: m.normal(1.5, m.arange(1.0, 21.0).reshape(4, 5)))


def test_normal_tensor_tensor_broadcasts():
    compare(lambda m: m.normal(m.zeros(2, 3), m.arange(1.0, 4.0)))


# --------------------------------------------------------- in-place samplers

def fill(m, shape, dtype, method, *args, **kwargs):
    t = m.zeros(shape, dtype=getattr(m, dtype))
    out = getattr(t, method)(*args, **kwargs)
    assert out is t
    return t


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("dtype", FLOATS)
def test_uniform_(dtype, size):
    compare(lambda m: fill(m, shape_of(size), dtype, "uniform_", -1.25, 2.5))


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("dtype", FLOATS)
def test_normal_(dtype, size):
    compare(lambda m: fill(m, shape_of(size), dtype, "normal_", 0.3, 1.7), scale=1.7)


@pytest.mark.parametrize("size", [1, 17, (4, 5, 6)])
@pytest.mark.parametrize("dtype", INTS + ["bool"] + FLOATS)
def test_random_no_arguments(dtype, size):
    compare(lambda m: fill(m, shape_of(size), dtype, "random_"))


@pytest.mark.parametrize("dtype", INTS + FLOATS)
@pytest.mark.parametrize("bounds", [(7,), (2, 9), (3, None)])
def test_random_bounds(dtype, bounds):
    compare(lambda m: fill(m, (33,), dtype, "random_", *bounds))


@pytest.mark.parametrize("dtype", ["int64", "float64", "float32"])
def test_random_full_int64_range(dtype):
    compare(lambda m: fill(m, (33,), dtype, "random_", -(1 << 63), None))


@pytest.mark.parametrize("dtype", FLOATS + ["int64", "bool"])
def test_bernoulli_scalar_p(dtype):
    compare(lambda m: fill(m, (5, 7), dtype, "bernoulli_", 0.3))


@pytest.mark.parametrize("p_dtype", ["float32", "float64"])
def test_bernoulli_tensor_p(p_dtype):
    probs = np.random.default_rng(0).random((6, 7))

    def run(m):
        p = m.tensor(probs, dtype=getattr(m, p_dtype))
        return m.stack([m.bernoulli(p), m.bernoulli(p, 0.25), m.zeros(6, 7).bernoulli_(p),
                        m.zeros(6, 7).bernoulli_(p[0])])
    compare(run)


@pytest.mark.parametrize("size", [1, 17, (4, 5, 6)])
@pytest.mark.parametrize("dtype", FLOATS)
def test_exponential_(dtype, size):
    compare(lambda m: fill(m, shape_of(size), dtype, "exponential_", 2.5), scale=0.0)


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
def test_geometric_(dtype):
    compare(lambda m: fill(m, (200,), dtype, "geometric_", 0.2))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_log_normal_(dtype):
    compare(lambda m: fill(m, (201,), dtype, "log_normal_", 0.5, 0.75), scale=0.0)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_cauchy_(dtype):
    compare(lambda m: fill(m, (200,), dtype, "cauchy_", 0.5, 2.0), scale=2.0)


# --------------------------------------------------------------- multinomial

@pytest.mark.parametrize("replacement", [False, True])
@pytest.mark.parametrize("num_samples", [1, 3, 8])
@pytest.mark.parametrize("rows", [(), (5,)])
def test_multinomial(rows, num_samples, replacement):
    weights = np.random.default_rng(1).random(rows + (8,)).astype(np.float32)
    compare(lambda m: m.multinomial(m.tensor(weights), num_samples, replacement))


def test_multinomial_method_float64_many_samples():
    weights = np.random.default_rng(2).random((3, 50))
    compare(lambda m: m.tensor(weights).multinomial(200, replacement=True))


# ------------------------------------------------------- streams and states

def test_mixed_sequence_stays_in_step():
    compare_each(lambda m: [
        m.rand(5), m.randn(17), m.randint(0, 10, (3,)), m.randperm(20), m.randn(3), m.zeros(7).normal_(),
        m.zeros(4, dtype=m.int64).random_(), m.randn(2, dtype=m.float64),
        m.zeros(20, dtype=m.float16).normal_(),
        m.randint(0, 1 << 30, (5,)), m.rand(3, dtype=m.float64), m.zeros(5).bernoulli_(0.5),
        m.multinomial(m.ones(6), 4), m.zeros(3).exponential_()])


def test_state_is_torch_layout_with_cached_normal():
    jtorch.randn(3)
    torch.randn(3)
    state = jtorch.get_rng_state()
    assert state.dtype == jtorch.uint8 and tuple(state.shape) == (5056,)
    assert_same_state()


def test_state_round_trip_and_exchange():
    jtorch.randn(5)
    torch.randn(5)
    saved = jtorch.get_rng_state()
    first = jtorch.rand(10)
    jtorch.set_rng_state(saved)
    assert_same(jtorch.rand(10), first)
    jtorch.set_rng_state(jtorch.tensor(host(torch.get_rng_state())))
    assert_same(jtorch.randn(5), torch.randn(5))
    torch.set_rng_state(torch.from_numpy(host(jtorch.get_rng_state()).copy()))
    assert_same(jtorch.randn(5), torch.randn(5))


def test_fork_rng_restores_default_state():
    before = host(jtorch.get_rng_state()).copy()
    with jtorch.random.fork_rng():
        jtorch.randn(100)
    np.testing.assert_array_equal(host(jtorch.get_rng_state()), before)


@pytest.mark.parametrize("seed", [0, 7, -1, 2**32 + 5, 2**63, 2**64 - 1, -(2**63)])
def test_seeds(seed):
    ours, theirs = jtorch.Generator().manual_seed(seed), torch.Generator().manual_seed(seed)
    assert ours.initial_seed() == theirs.initial_seed()
    compare(lambda m: m.rand(4, generator=ours if m is jtorch else theirs))
    np.testing.assert_array_equal(host(ours.get_state()), host(theirs.get_state()))


def test_generator_objects():
    ours, theirs = jtorch.Generator(), torch.Generator()
    assert ours.initial_seed() == theirs.initial_seed()
    assert str(ours.device) == "cpu"
    assert ours.manual_seed(3) is ours
    theirs.manual_seed(3)
    compare(lambda m: m.randn(20, generator=ours if m is jtorch else theirs))
    compare(lambda m: m.randperm(9, generator=ours if m is jtorch else theirs))
    ours.set_state(theirs.get_state())
    compare(lambda m: m.zeros(6).exponential_(generator=ours if m is jtorch else theirs))
    assert jtorch.Generator().seed() != jtorch.Generator().seed()


def test_module_seed_functions():
    assert jtorch.manual_seed(5) is jtorch.default_generator
    assert jtorch.initial_seed() == 5
    fresh = jtorch.seed()
    assert 0 <= fresh < 2**53 and jtorch.initial_seed() == fresh
    jtorch.manual_seed(1234)


def test_factory_keywords():
    t = jtorch.rand(2, 3, requires_grad=True)
    torch.rand(2, 3)
    assert t.requires_grad and t.is_leaf
    out = jtorch.zeros(1)
    assert jtorch.randn(4, out=out) is out
    torch.randn(4)
    assert tuple(out.shape) == (4,)


# -------------------------------------------------------------------- errors

@pytest.mark.parametrize("call, error", [
    (lambda m: m.randint(5, 3, (2,)), RuntimeError),
    (lambda m: m.randint(5), TypeError),
    (lambda m: m.randn(-1), RuntimeError),
    (lambda m: m.randperm(-1), RuntimeError),
    (lambda m: m.randperm(3000, dtype=m.float16), RuntimeError),
    (lambda m: m.rand(2, dtype=m.int64), NotImplementedError),
    (lambda m: m.randn(2, dtype=m.int64), NotImplementedError),
    (lambda m: m.zeros(2).normal_(0, -1), RuntimeError),
    (lambda m: m.zeros(2).uniform_(1, 0), RuntimeError),
    (lambda m: m.zeros(2, dtype=m.int8).random_(0, 300), RuntimeError),
    (lambda m: m.zeros(2, dtype=m.int64).exponential_(), RuntimeError),
    (lambda m: m.zeros(2).exponential_(-1), RuntimeError),
    (lambda m: m.zeros(2).geometric_(1.0), RuntimeError),
    (lambda m: m.zeros(2).bernoulli_(1.5), RuntimeError),
    (lambda m: m.bernoulli(m.tensor([1.5])), RuntimeError),
    (lambda m: m.multinomial(m.tensor([0.0, 0.0]), 1), RuntimeError),
    (lambda m: m.multinomial(m.tensor([1.0, 1.0]), 3), RuntimeError),
    (lambda m: m.multinomial(m.tensor([1, 2]), 1), RuntimeError),
    (lambda m: m.normal(m.zeros(2), m.tensor([-1.0, 1.0])), RuntimeError),
    (lambda m: m.normal(0.0, 1.0), TypeError),
    (lambda m: m.rand(2, generator=5), TypeError),
    (lambda m: m.Generator().manual_seed(2**64), ValueError),
    (lambda m: m.Generator().manual_seed(1.5), RuntimeError),
    (lambda m: m.zeros(2, requires_grad=True).normal_(), RuntimeError),
])
def test_errors_match_torch(call, error):
    for module in (torch, jtorch):
        with pytest.raises(error):
            call(module)


# ------------------------------------------------------------------- dropout

@pytest.mark.parametrize("n, p", [(1, 0.5), (100, 0.5), (1000, 0.1), (257, 0.9), (10, 0.0), (10, 1.0)])
def test_dropout_mask_matches_torch_cpu(n, p):
    """torch's CPU dropout draws `bernoulli_(1 - p)` on the default generator
    (the portable kernel; an MKL build on an Intel CPU draws differently)."""
    if torch.backends.mkl.is_available() and "intel" in _cpu_vendor():
        pytest.skip("torch uses MKL's bernoulli on Intel CPUs")
    kept = torch.nn.functional.dropout(torch.ones(n), p).numpy() != 0
    np.testing.assert_array_equal(jtorch.random.dropout_mask((n,), p), kept)
    assert_same(jtorch.rand(3), torch.rand(3))


def test_dropout2d_mask_is_per_channel():
    kept = torch.nn.functional.dropout2d(torch.ones(2, 3, 4, 4), 0.5)[:, :, 0, 0].numpy() != 0
    np.testing.assert_array_equal(jtorch.random.dropout_mask((2, 3, 1, 1), 0.5)[:, :, 0, 0], kept)


def _cpu_vendor():
    try:
        with open("/proc/cpuinfo") as info:
            return next((line for line in info if line.startswith("vendor_id")), "").lower()
    except OSError:
        return ""


def test_scalar_float_fma_is_exact():
    """The emulated fused multiply-add rounds once (checked on hard cases)."""
    from jtorch.random import _fma64
    from fractions import Fraction
    rng = np.random.default_rng(3)
    a, b = rng.random(2000), rng.random(2000)
    c = -(a * b) + rng.standard_normal(2000) * 1e-17
    got = _fma64(a, b, c)
    want = [float(Fraction(x) * Fraction(y) + Fraction(z)) for x, y, z in zip(a, b, c)]
    np.testing.assert_array_equal(got, want)


def test_avx_normal_math_rounds_exactly_for_every_uniform():
    """The float32 normal kernel's log and sincos round each FMA from its
    float64 sum; over all 2**24 uniforms that equals exactly rounded FMAs."""
    import jax
    from jtorch.random import _TWO_PI, _avx_log, _avx_sincos, _exact_fma32

    def parts(u, **fma):
        return (_avx_log(np.float32(1) - u, **fma), *_avx_sincos(np.float32(_TWO_PI) * u, **fma))

    ours, exact = jax.jit(parts), jax.jit(lambda u: parts(u, fma=_exact_fma32))
    for u in np.arange(1 << 24, dtype=np.float32).reshape(16, -1) * np.float32(2.0 ** -24):
        for got, want in zip(ours(u), exact(u)):
            np.testing.assert_array_equal(np.asarray(got).view(np.int32), np.asarray(want).view(np.int32))


def test_stable_order_matches_stable_argsort():
    """randperm's radix argsort, over key ranges taking each of its paths."""
    from jtorch.random import _stable_order
    rng = np.random.default_rng(5)
    for bound in [1, 300, 1 << 16, (1 << 16) + 1, 1 << 24, (1 << 24) + 1, 1 << 32, (1 << 32) + 1]:
        keys = rng.integers(0, bound, 5000)
        np.testing.assert_array_equal(_stable_order(keys, bound), np.argsort(keys, kind="stable"))
