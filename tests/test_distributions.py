"""jtorch.distributions against torch.distributions (torch is the oracle).

Each test builds the same distribution from the same parameters in torch and
in jtorch and compares: samples drawn after the same seed (bit-identical, with
the generators left in step), log_prob / entropy / moments / cdf / KL values
and their gradients to the parameters, and the exceptions of invalid input.
Numeric tests share one parameter shape (3,) in float64 so that the file
compiles few distinct jax ops; float32 is covered by the sampling tests.
"""
import numpy as np
import pytest
import torch

import jtorch
from conftest import assert_same, assert_same_grads, to_jt

SEED = 7
F64 = torch.float64
# float64 gradients through digamma's derivative (lgamma'', digamma') are only good to ~1e-9 in jax
GAMMA_TOL = {"rtol": 1e-8, "atol": 1e-9}


def params(*kinds, shape=(3,), dtype=F64, seed=0):
    """Fixed torch tensors of `shape`: 'real', 'positive' (>= 0.5) or 'unit' (in (0, 1)) values."""
    gen = torch.Generator().manual_seed(seed)
    out = []
    for kind in kinds:
        x = torch.randn(shape, generator=gen, dtype=dtype)
        out.append({"real": x, "positive": x.abs() + 0.5, "unit": torch.sigmoid(x)}[kind])
    return out


def on(lib, value):
    """`value` (torch tensors, or lists or dicts of them) as `lib` tensors."""
    return to_jt(value) if lib is jtorch else value


def leaves(tensors):
    """torch leaves requiring grad, and their jtorch twins."""
    t = [x.detach().clone().requires_grad_(True) for x in tensors]
    return t, [to_jt(x) for x in t]


def assert_grads(jt_leaves, torch_leaves, rtol=None, atol=None):
    assert any(t.grad is not None for t in torch_leaves)
    assert_same_grads(jt_leaves, torch_leaves, rtol, atol)


def exact(j, t):
    assert_same(j, t, rtol=0, atol=0)


def sample_both(make, method="sample", shape=(5,)):
    """`make(lib).method(shape)` in both libraries after the same seed; checks the generators stay in step."""
    out = []
    for lib in (torch, jtorch):
        lib.manual_seed(SEED)
        value = getattr(make(lib), method)(shape)
        out.append((value, lib.rand(3)))
    (t_value, t_next), (j_value, j_next) = out
    exact(j_next, t_next)
    return j_value, t_value


# ------------------------------------------------------------------------- sampling streams

def test_normal_and_uniform_streams():
    loc, scale = params("real", "positive", dtype=torch.float32)
    for method in ("sample", "rsample"):
        exact(*sample_both(lambda lib: lib.distributions.Normal(*on(lib, [loc, scale])), method, (4,)))
        exact(*sample_both(lambda lib: lib.distributions.Uniform(*on(lib, [loc, loc + scale])), method, (4,)))
    exact(*sample_both(lambda lib: lib.distributions.Normal(0.0, 1.0), "sample", (20,)))
    exact(*sample_both(lambda lib: lib.distributions.Normal(1.5, 2.0), "rsample", ()))


@pytest.mark.parametrize("kind", ["probs", "logits"])
def test_categorical_and_bernoulli_streams(kind):
    (p,) = params("unit", shape=(3, 5), dtype=torch.float32)
    arg = {kind: p if kind == "probs" else p.log()}
    exact(*sample_both(lambda lib: lib.distributions.Categorical(**on(lib, arg)), shape=(4, 2)))
    exact(*sample_both(lambda lib: lib.distributions.OneHotCategorical(**on(lib, arg))))
    arg = {kind: p if kind == "probs" else p.logit()}
    exact(*sample_both(lambda lib: lib.distributions.Bernoulli(**on(lib, arg)), shape=(2,)))


def test_multivariate_normal_stream():
    loc, raw = params("real", "real", shape=(3, 3), dtype=torch.float32)
    cov = raw @ raw.T + torch.eye(3)
    for key, matrix in (("covariance_matrix", cov), ("scale_tril", torch.linalg.cholesky(cov)),
                        ("precision_matrix", torch.linalg.inv(cov))):
        j, t = sample_both(lambda lib: lib.distributions.MultivariateNormal(on(lib, loc), **{key: on(lib, matrix)}),
                           "rsample", (2,))
        assert_same(j, t, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_gamma_dirichlet_beta_streams_are_torchs(dtype):
    """torch's _standard_gamma / _sample_dirichlet streams: alpha < 1 boosted, Marsaglia-Tsang rejection,
    normals cached between draws; Dirichlet normalises float64 gammas."""
    concentration = torch.tensor([0.05, 0.3, 1.0, 2.5, 7.0, 100.0], dtype=dtype)
    rate = torch.tensor([1.0, 2.0, 0.5, 1.0, 3.0, 1.0], dtype=dtype)
    exact(*sample_both(lambda lib: lib.distributions.Gamma(*on(lib, [concentration, rate])), shape=(7,)))
    c = concentration.reshape(2, 3)
    exact(*sample_both(lambda lib: lib.distributions.Dirichlet(on(lib, c))))
    exact(*sample_both(lambda lib: lib.distributions.Beta(*on(lib, [c[0], c[1]])), shape=(3,)))
    exact(*sample_both(lambda lib: lib.distributions.Beta(0.5, 2.0), shape=(6,)))


def test_gamma_sampler_distribution():
    """Beyond matching torch's draws: the samples have Gamma's mean and variance."""
    jtorch.manual_seed(0)
    x = jtorch.distributions.Gamma(jtorch.tensor([0.4, 3.0]), jtorch.tensor([1.0, 2.0])).sample((4000,)).numpy()
    np.testing.assert_allclose(x.mean(0), [0.4, 1.5], rtol=0.08)
    np.testing.assert_allclose(x.var(0), [0.4, 0.75], rtol=0.15)


def test_independent():
    loc, scale, value = params("real", "positive", "real", shape=(2, 3))

    def make(lib):
        return lib.distributions.Independent(lib.distributions.Normal(*on(lib, [loc, scale])), 1)
    exact(*sample_both(make, "rsample", (2,)))
    t, j = make(torch), make(jtorch)
    assert (j.batch_shape, j.event_shape) == (t.batch_shape, t.event_shape)
    assert repr(j) == repr(t)
    assert_same(j.log_prob(to_jt(value)), t.log_prob(value))
    assert_same(j.entropy(), t.entropy())
    with pytest.raises(NotImplementedError):
        jtorch.distributions.Independent(jtorch.distributions.Bernoulli(to_jt(scale / 3)), 1).enumerate_support()


# ------------------------------------------------------------------------- rsample gradients

def _rsample_grads(make, tensors, shape=(4,), rtol=None, atol=None):
    t_leaves, j_leaves = leaves(tensors)
    outs = []
    for lib, ls in ((torch, t_leaves), (jtorch, j_leaves)):
        lib.manual_seed(SEED)
        value = make(lib, *ls).rsample(shape)
        (value * value.detach().sin()).sum().backward()
        outs.append(value)
    assert_same(outs[1], outs[0], rtol, atol)
    assert_grads(j_leaves, t_leaves, rtol, atol)


def test_rsample_gradients_location_scale():
    loc, scale = params("real", "positive")
    _rsample_grads(lambda lib, a, b: lib.distributions.Normal(a, b), [loc, scale])
    _rsample_grads(lambda lib, a, b: lib.distributions.Uniform(a, a + b), [loc, scale])
    raw, = params("real", shape=(3, 3))
    cov = raw @ raw.T + torch.eye(3, dtype=F64)
    _rsample_grads(lambda lib, a, c: lib.distributions.MultivariateNormal(a, covariance_matrix=c), [loc, cov],
                   rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_rsample_gradients_gamma_family(dtype):
    """torch's implicit reparameterisation gradients (_standard_gamma_grad, _dirichlet_grad) over their
    series, saddle-point and rational branches."""
    tol = {} if dtype == torch.float32 else {"rtol": 1e-9, "atol": 1e-10}
    conc = torch.tensor([[0.1, 0.7, 1.5], [4.0, 12.0, 60.0]], dtype=dtype)
    rate = torch.tensor([[1.0, 0.5, 2.0], [1.0, 3.0, 0.2]], dtype=dtype)
    _rsample_grads(lambda lib, c, r: lib.distributions.Gamma(c, r), [conc, rate], **tol)
    if dtype == torch.float64:
        dirichlet = torch.tensor([[0.3, 0.8, 2.0], [7.0, 8.0, 9.0]], dtype=dtype)
        _rsample_grads(lambda lib, c: lib.distributions.Dirichlet(c), [dirichlet], **tol)
        _rsample_grads(lambda lib, a, b: lib.distributions.Beta(a, b), [conc, rate * 3], **tol)


# ------------------------------------------------------------------------- scoring

def _score(make, tensors, value, methods=("log_prob", "entropy"), rtol=None, atol=None):
    """Each method's value (log_prob(value), entropy(), ...) and its gradients to the parameters."""
    for method in methods:
        t_leaves, j_leaves = leaves(tensors)
        args = () if method == "entropy" else (value,)
        t_out = getattr(make(torch, *t_leaves), method)(*args)
        j_out = getattr(make(jtorch, *j_leaves), method)(*to_jt(args))
        assert_same(j_out, t_out, rtol, atol)
        t_out.sum().backward()
        j_out.sum().backward()
        assert_grads(j_leaves, t_leaves, rtol, atol)


def _moments(make, tensors, names=("mean", "variance", "stddev", "mode"), rtol=None, atol=None):
    t_dist, j_dist = make(torch, *tensors), make(jtorch, *to_jt(tensors))
    for name in names:
        assert_same(getattr(j_dist, name), getattr(t_dist, name), rtol, atol)
    assert (j_dist.batch_shape, j_dist.event_shape) == (t_dist.batch_shape, t_dist.event_shape)
    return t_dist, j_dist


def test_normal_scoring():
    loc, scale, value = params("real", "positive", "real")
    make = lambda lib, a, b: lib.distributions.Normal(a, b)  # noqa: E731
    _score(make, [loc, scale], value, methods=("log_prob", "entropy", "cdf"))
    _score(make, [loc, scale], torch.sigmoid(value), methods=("icdf",))
    _moments(make, [loc, scale])


def test_uniform_scoring():
    low, width, u = params("real", "positive", "unit")
    make = lambda lib, a, w: lib.distributions.Uniform(a, a + w, validate_args=False)  # noqa: E731
    _score(make, [low, width], low + width * u, methods=("log_prob", "entropy", "cdf"))
    _score(make, [low, width], low - u, methods=("log_prob",))  # -inf outside [low, high)
    _score(make, [low, width], u, methods=("icdf",))
    _moments(make, [low, width])


@pytest.mark.parametrize("kind", ["probs", "logits"])
def test_categorical_scoring(kind):
    (p,) = params("unit", shape=(2, 3))
    p[0, 1] = 0.0  # a zero probability: -inf logit, entropy still finite
    raw = p if kind == "probs" else p.log().clamp(min=-30)
    make = lambda lib, x: lib.distributions.Categorical(**{kind: x})  # noqa: E731
    _score(make, [raw], torch.tensor([[0, 2], [2, 1], [2, 2]]))
    t, j = _moments(make, [raw], names=("mean", "variance", "mode", "probs", "logits"))
    exact(j.enumerate_support(), t.enumerate_support())
    exact(j.enumerate_support(expand=False), t.enumerate_support(expand=False))
    assert_same(j.perplexity(), t.perplexity())


def test_one_hot_categorical_scoring():
    (p,) = params("unit", shape=(2, 3))
    make = lambda lib, x: lib.distributions.OneHotCategorical(probs=x)  # noqa: E731
    _score(make, [p], torch.nn.functional.one_hot(torch.tensor([[0, 2], [2, 1]]), 3).to(F64))
    t, j = _moments(make, [p])
    exact(j.enumerate_support(), t.enumerate_support())


@pytest.mark.parametrize("kind", ["probs", "logits"])
def test_bernoulli_scoring(kind):
    (p,) = params("unit")
    p[2] = 0.5  # mode is NaN there
    raw = p if kind == "probs" else p.logit()
    make = lambda lib, x: lib.distributions.Bernoulli(**{kind: x})  # noqa: E731
    _score(make, [raw], torch.tensor([0.0, 1.0, 1.0], dtype=F64))
    t, j = _moments(make, [raw], names=("mean", "variance", "mode", "probs", "logits"))
    exact(j.enumerate_support(), t.enumerate_support())


def test_gamma_scoring():
    conc, rate, x = params("positive", "positive", "positive")
    make = lambda lib, c, r: lib.distributions.Gamma(c, r)  # noqa: E731
    _score(make, [conc, rate], x, **GAMMA_TOL)
    t, j = _moments(make, [conc, rate])
    zero = torch.zeros(3, dtype=F64)
    assert_same(j.log_prob(to_jt(zero)), t.log_prob(zero))
    assert_same(j.cdf(to_jt(x)), t.cdf(x), rtol=1e-9)


def test_beta_scoring():
    a, b, u = params("positive", "positive", "unit")
    make = lambda lib, x, y: lib.distributions.Beta(x, y)  # noqa: E731
    _score(make, [a, b], u, **GAMMA_TOL)
    _moments(make, [a, b], names=("mean", "variance", "stddev", "mode", "concentration1", "concentration0"))


def test_dirichlet_scoring():
    a, b, c = params("positive", "positive", "positive")
    concentration = torch.stack([a, b, c * 0.4])
    make = lambda lib, x: lib.distributions.Dirichlet(x)  # noqa: E731
    _score(make, [concentration], torch.softmax(torch.stack([a, b, c]), -1), **GAMMA_TOL)
    _moments(make, [concentration], names=("mean", "variance", "mode"))


def test_multivariate_normal_scoring():
    loc, raw, value = params("real", "real", "real", shape=(3, 3))
    cov = raw @ raw.T + torch.eye(3, dtype=F64)
    for key, matrix in (("covariance_matrix", cov), ("scale_tril", torch.linalg.cholesky(cov)),
                        ("precision_matrix", torch.linalg.inv(cov))):
        make = lambda lib, a, m: lib.distributions.MultivariateNormal(a, **{key: m})  # noqa: E731
        _score(make, [loc[0], matrix], value)
        _moments(make, [loc, matrix], names=("mean", "variance", "stddev", "mode", "covariance_matrix",
                                             "precision_matrix", "scale_tril"), rtol=1e-10, atol=1e-12)


def test_exponential_family_bregman_entropy():
    """The base class entropy (autograd through the log normalizer) equals torch's."""
    loc, scale = params("real", "positive")
    t = torch.distributions.ExponentialFamily.entropy(torch.distributions.Normal(loc, scale))
    j = jtorch.distributions.ExponentialFamily.entropy(jtorch.distributions.Normal(*to_jt([loc, scale])))
    assert_same(j, t)


# ------------------------------------------------------------------------- policy gradient

def test_policy_gradient_backprop_matches_torch():
    """dist = Categorical(logits=net(x)); a = dist.sample(); loss = -(log_prob(a) * R).mean() - entropy bonus."""
    grads, actions = [], []
    for lib in (torch, jtorch):
        lib.manual_seed(3)
        net = lib.nn.Linear(4, 3)
        dist = lib.distributions.Categorical(logits=net(lib.randn(6, 4)))
        action = dist.sample()
        loss = -(dist.log_prob(action) * lib.randn(6)).mean() - 0.01 * dist.entropy().mean()
        loss.backward()
        actions.append(action)
        grads.append([p.grad for p in net.parameters()])
    exact(actions[1], actions[0])
    for j, t in zip(grads[1], grads[0]):
        assert_same(j, t)


# ------------------------------------------------------------------------- KL divergence

def _kl(make_p, make_q, p_tensors, q_tensors, rtol=None, atol=None):
    """KL values and gradients (through the finite entries) to both distributions' parameters."""
    t_p, j_p = leaves(p_tensors)
    t_q, j_q = leaves(q_tensors)
    t = torch.distributions.kl_divergence(make_p(torch, *t_p), make_q(torch, *t_q))
    j = jtorch.distributions.kl_divergence(make_p(jtorch, *j_p), make_q(jtorch, *j_q))
    assert_same(j, t, rtol, atol)
    assert j.requires_grad == t.requires_grad
    if t.requires_grad:
        finite = torch.isfinite(t)
        torch.where(finite, t, 0).sum().backward()
        jtorch.where(to_jt(finite), j, 0).sum().backward()
        assert_grads(j_p + j_q, t_p + t_q, rtol, atol)


NORMAL = lambda lib, x, y: lib.distributions.Normal(x, y)  # noqa: E731
GAMMA = lambda lib, x, y: lib.distributions.Gamma(x, y)  # noqa: E731
BETA = lambda lib, x, y: lib.distributions.Beta(x, y)  # noqa: E731
UNIFORM = lambda lib, x, y: lib.distributions.Uniform(x, x + y)  # noqa: E731


def test_kl_continuous_same_family():
    a, b, c, d = params("positive", "positive", "positive", "positive")
    for make in (NORMAL, GAMMA, BETA):
        _kl(make, make, [a, b], [c, d], **GAMMA_TOL)
    _kl(UNIFORM, UNIFORM, [a, b], [a - 0.1, b + 0.2])
    _kl(UNIFORM, UNIFORM, [a, b], [c, d])  # infinite where q does not cover p
    dirichlet = lambda lib, x: lib.distributions.Dirichlet(x)  # noqa: E731
    _kl(dirichlet, dirichlet, [torch.stack([a, b])], [torch.stack([c, d])], **GAMMA_TOL)
    independent = lambda lib, x, y: lib.distributions.Independent(NORMAL(lib, x, y), 1)  # noqa: E731
    _kl(independent, independent, [a, b], [c, d])


def test_kl_discrete():
    p, q = params("unit", "unit", shape=(2, 3))
    p[0, 0] = 0.0
    q[1, 2] = 0.0
    for name in ("Categorical", "OneHotCategorical"):
        make = lambda lib, x: getattr(lib.distributions, name)(probs=x)  # noqa: E731
        _kl(make, make, [p], [q])
    logits = lambda lib, x: lib.distributions.Categorical(logits=x)  # noqa: E731
    _kl(logits, logits, [p.clamp(min=0.1).log()], [q.clamp(min=0.1).log()])
    q[0, 1] = 1.0
    bernoulli = lambda lib, x: lib.distributions.Bernoulli(probs=x)  # noqa: E731
    _kl(bernoulli, bernoulli, [p], [q])


def test_kl_multivariate_normal():
    loc1, loc2, r1, r2 = params("real", "real", "real", "real", shape=(3, 3))
    eye = torch.eye(3, dtype=F64)
    cov1, cov2 = r1 @ r1.mT + eye, r2 @ r2.mT + eye
    make = lambda lib, x, c: lib.distributions.MultivariateNormal(x, covariance_matrix=c)  # noqa: E731
    _kl(make, make, [loc1, cov1], [loc2[0], cov2], rtol=1e-10, atol=1e-12)
    _kl(make, make, [loc2[0], cov2], [loc1, cov1], rtol=1e-10, atol=1e-12)
    messages = []
    for lib in (torch, jtorch):
        with pytest.raises(ValueError) as error:
            lib.distributions.kl_divergence(make(lib, *on(lib, [loc1[0], cov1])),
                                            make(lib, *on(lib, [loc1[0, :2], cov1[:2, :2]])))
        messages.append(str(error.value))
    assert messages[1] == messages[0]


def test_kl_cross_family():
    a, b, u = params("positive", "positive", "unit")
    inside_unit = lambda lib, x, y: lib.distributions.Uniform(x * 0.5, x * 0.5 + y * 0.1)  # noqa: E731
    pairs = [(BETA, GAMMA), (BETA, NORMAL), (BETA, UNIFORM), (GAMMA, NORMAL), (GAMMA, BETA), (GAMMA, UNIFORM),
             (NORMAL, BETA), (NORMAL, GAMMA), (NORMAL, UNIFORM), (UNIFORM, NORMAL), (UNIFORM, GAMMA),
             (UNIFORM, BETA)]
    for make_p, make_q in pairs:
        _kl(make_p, make_q, [a, b], [a + 0.5, b], **GAMMA_TOL)
    _kl(inside_unit, BETA, [u, b], [a, b], **GAMMA_TOL)
    _kl(BETA, UNIFORM, [a, b], [a - 2, b + 4], **GAMMA_TOL)


def test_register_kl_dispatch_and_missing_pair():
    """A registration for a subclass pair wins; an unregistered pair raises NotImplementedError."""
    results = []
    for lib in (torch, jtorch):
        class MyNormal(lib.distributions.Normal):
            pass

        @lib.distributions.register_kl(MyNormal, lib.distributions.Normal)
        def _kl_mine(p, q):
            return p.loc * 0 + 42.0

        p, q = MyNormal(lib.tensor([0.0]), lib.tensor([1.0])), lib.distributions.Normal(0.0, 2.0)
        results.append((lib.distributions.kl_divergence(p, q), lib.distributions.kl_divergence(q, p)))
        with pytest.raises(NotImplementedError):
            lib.distributions.kl_divergence(lib.distributions.Bernoulli(0.3),
                                            lib.distributions.Categorical(lib.tensor([0.5, 0.5])))
    assert_same(results[1], results[0])


# ------------------------------------------------------------------------- validation and shapes

INVALID = [
    ("Normal", lambda lib: ((lib.tensor([0.0, 1.0]), lib.tensor([1.0, -1.0])), {})),
    ("Normal", lambda lib: ((0.0, float("nan")), {})),
    ("Normal", lambda lib: (("a", 1.0), {})),
    ("Uniform", lambda lib: ((lib.tensor([2.0]), lib.tensor([1.0])), {})),
    ("Categorical", lambda lib: ((lib.tensor([0.5, -0.5]),), {})),
    ("Categorical", lambda lib: ((), {"probs": lib.tensor([0.5]), "logits": lib.tensor([0.5])})),
    ("Categorical", lambda lib: ((), {"probs": lib.tensor(0.5)})),
    ("Bernoulli", lambda lib: ((lib.tensor([1.5]),), {})),
    ("Bernoulli", lambda lib: ((), {})),
    ("Gamma", lambda lib: ((lib.tensor([0.0]), lib.tensor([1.0])), {})),
    ("Beta", lambda lib: ((lib.tensor([1.0]), lib.tensor([-1.0])), {})),
    ("Dirichlet", lambda lib: ((lib.tensor([1.0, 0.0]),), {})),
    ("Dirichlet", lambda lib: ((lib.tensor(1.0),), {})),
    ("MultivariateNormal", lambda lib: ((lib.zeros(2), lib.tensor([[1.0, 2.0], [2.0, 1.0]])), {})),
    ("MultivariateNormal", lambda lib: ((lib.zeros(2), lib.tensor([[1.0, 2.0], [0.0, 1.0]])), {})),
    ("MultivariateNormal", lambda lib: ((lib.zeros(2),), {"scale_tril": lib.tensor([[1.0, 1.0], [0.0, 1.0]])})),
    ("MultivariateNormal", lambda lib: ((lib.zeros(2),), {"covariance_matrix": lib.eye(2),
                                                          "scale_tril": lib.eye(2)})),
    ("MultivariateNormal", lambda lib: ((lib.tensor(0.0), lib.eye(2)), {})),
    ("MultivariateNormal", lambda lib: ((lib.zeros(2), lib.zeros(2)), {})),
    ("Independent", lambda lib: ((lib.distributions.Normal(0.0, 1.0), 1), {})),
]


@pytest.mark.parametrize("name,make", INVALID)
def test_invalid_parameters_raise_like_torch(name, make):
    def build(lib):
        args, kwargs = make(lib)
        return getattr(lib.distributions, name)(*args, **kwargs)
    with pytest.raises(Exception) as expected:
        build(torch)
    with pytest.raises(type(expected.value)) as got:
        build(jtorch)
    if "Expected parameter" in str(expected.value):
        assert str(got.value) == str(expected.value)


def test_not_positive_definite_without_validation_raises_runtime_error():
    for lib in (torch, jtorch):
        with pytest.raises(RuntimeError):
            lib.distributions.MultivariateNormal(lib.zeros(2), lib.tensor([[1.0, 2.0], [2.0, 1.0]]),
                                                 validate_args=False)


OUTSIDE = [
    ("Normal", (0.0, 1.0), float("nan")),
    ("Uniform", (0.0, 1.0), 1.5),
    ("Gamma", (2.0, 1.0), -1.0),
    ("Beta", (2.0, 1.0), 1.5),
    ("Bernoulli", (0.3,), 0.5),
    ("Categorical", ([0.2, 0.8],), 2),
    ("Dirichlet", ([1.0, 2.0],), [0.7, 0.7]),
    ("OneHotCategorical", ([0.2, 0.8],), [1.0, 1.0]),
]


@pytest.mark.parametrize("name,args,value", OUTSIDE)
def test_log_prob_outside_support_raises_like_torch(name, args, value):
    def run(lib):
        dist = getattr(lib.distributions, name)(*[lib.tensor(a) if isinstance(a, list) else a for a in args])
        return dist.log_prob(lib.tensor(value))
    with pytest.raises(ValueError) as expected:
        run(torch)
    with pytest.raises(ValueError) as got:
        run(jtorch)
    assert str(got.value) == str(expected.value)


def test_log_prob_shape_errors_and_non_tensor():
    for lib in (torch, jtorch):
        dist = lib.distributions.Normal(lib.zeros(3), lib.ones(3))
        with pytest.raises(ValueError, match="not broadcastable"):
            dist.log_prob(lib.zeros(4))
        with pytest.raises(ValueError, match="must be a Tensor"):
            dist.log_prob(0.5)
        mvn = lib.distributions.MultivariateNormal(lib.zeros(3), lib.eye(3))
        with pytest.raises(ValueError, match="right-most size"):
            mvn.log_prob(lib.zeros(2))


def test_validation_switches():
    """validate_args=False skips the checks; set_default_validate_args changes the default."""
    for lib in (torch, jtorch):
        D = lib.distributions
        D.Normal(0.0, -1.0, validate_args=False)
        assert D.Normal(0.0, 1.0, validate_args=False).log_prob(lib.tensor(float("nan"))).isnan()
        D.Distribution.set_default_validate_args(False)
        try:
            D.Normal(0.0, -1.0)
        finally:
            D.Distribution.set_default_validate_args(True)
        with pytest.raises(ValueError):
            D.Normal(0.0, -1.0)
        with pytest.raises(ValueError):
            D.Distribution.set_default_validate_args(1.5)


def test_expand_repr_support_and_flags():
    loc, scale, p = params("real", "positive", "unit", dtype=torch.float32)
    makers = [
        lambda lib, a, b, c: lib.distributions.Normal(a, b),
        lambda lib, a, b, c: lib.distributions.Uniform(a, a + b),
        lambda lib, a, b, c: lib.distributions.Gamma(b, b),
        lambda lib, a, b, c: lib.distributions.Beta(b, c),
        lambda lib, a, b, c: lib.distributions.Bernoulli(c),
        lambda lib, a, b, c: lib.distributions.Categorical(c),
        lambda lib, a, b, c: lib.distributions.OneHotCategorical(c),
        lambda lib, a, b, c: lib.distributions.Dirichlet(b),
        lambda lib, a, b, c: lib.distributions.MultivariateNormal(a, scale_tril=lib.diag(b)),
        lambda lib, a, b, c: lib.distributions.Independent(lib.distributions.Normal(a, b), 1),
    ]
    for make in makers:
        t, j = make(torch, loc, scale, p), make(jtorch, *to_jt([loc, scale, p]))
        t, j = t.expand((2,) + t.batch_shape), j.expand((2,) + j.batch_shape)
        assert (j.batch_shape, j.event_shape) == (t.batch_shape, t.event_shape)
        assert repr(j) == repr(t)
        assert (j.has_rsample, j.has_enumerate_support) == (t.has_rsample, t.has_enumerate_support)
        assert repr(j.support) == repr(t.support)
        assert (j.support.is_discrete, j.support.event_dim) == (t.support.is_discrete, t.support.event_dim)
        exact(*sample_both(lambda lib: j if lib is jtorch else t, shape=(2,)))
    assert repr(jtorch.distributions.Normal(0.0, 1.0)) == repr(torch.distributions.Normal(0.0, 1.0))


def test_constraints():
    C, JC = torch.distributions.constraints, jtorch.distributions.constraints
    x = torch.tensor([[-1.0, 0.0, 0.5, 1.0], [2.0, 3.0, float("nan"), 0.2]])
    checks = [("real", ()), ("positive", ()), ("nonnegative", ()), ("unit_interval", ()), ("boolean", ()),
              ("simplex", ()), ("real_vector", ()), ("nonnegative_integer", ()), ("positive_integer", ()),
              ("one_hot", ()), ("greater_than", (0.2,)), ("greater_than_eq", (0.2,)), ("less_than", (1.0,)),
              ("interval", (0.0, 2.0)), ("half_open_interval", (0.0, 2.0)), ("integer_interval", (0, 2))]
    for name, args in checks:
        t_c, j_c = getattr(C, name), getattr(JC, name)
        if args:
            t_c, j_c = t_c(*args), j_c(*args)
        exact(j_c.check(to_jt(x)), t_c.check(x))
        assert repr(j_c) == repr(t_c)
        assert (j_c.is_discrete, j_c.event_dim) == (t_c.is_discrete, t_c.event_dim)
    m = torch.tensor([[[2.0, 0.5], [0.5, 1.0]], [[1.0, 2.0], [2.0, 1.0]], [[1.0, 0.0], [3.0, -1.0]]])
    for name in ("lower_triangular", "lower_cholesky", "square", "symmetric", "positive_definite"):
        exact(getattr(JC, name).check(to_jt(m)), getattr(C, name).check(m))
    assert JC.is_dependent(JC.dependent) and not JC.is_dependent(JC.real)
    with pytest.raises(ValueError):
        JC.dependent.check(to_jt(x))
