"""jtorch.optim optimizers and nn.utils gradient clipping against real torch (same params, same gradients)."""
import warnings

import pytest
import torch

import jtorch
from jtorch.optim.optimizer import _jitted_update

from conftest import assert_raises_like, assert_same, to_jt

SHAPES = [(5, 4), (4,), ()]
TOL = {torch.float32: (1e-6, 1e-6), torch.float64: (1e-12, 1e-12), torch.complex64: (1e-6, 1e-6)}

CASES = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9)),
    ("SGD", dict(lr=0.1, momentum=0.9, dampening=0.3)),
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True)),
    ("SGD", dict(lr=0.1, weight_decay=0.1)),
    ("SGD", dict(lr=0.1, maximize=True)),
    ("SGD", dict(lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.01, maximize=True)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, weight_decay=0.1)),
    ("Adam", dict(lr=0.01, amsgrad=True)),
    ("Adam", dict(lr=0.01, maximize=True)),
    ("Adam", dict(lr=0.02, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.05, amsgrad=True, maximize=True)),
    ("Adam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.01, weight_decay=0.1, amsgrad=True)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, centered=True)),
    ("RMSprop", dict(lr=0.01, momentum=0.9)),
    ("RMSprop", dict(lr=0.01, alpha=0.9, maximize=True)),
    ("RMSprop", dict(lr=0.01, centered=True, momentum=0.5, weight_decay=0.1)),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.1)),
    ("Adagrad", dict(lr=0.1, weight_decay=0.1, maximize=True)),
    ("Adagrad", dict(lr=0.1, initial_accumulator_value=0.1, eps=1e-6)),
]


def _ids(case):
    name, kwargs = case
    return name + "-" + "-".join(f"{k}={v}" for k, v in kwargs.items())


def make_params(dtype=torch.float32, shapes=SHAPES, seed=0):
    """Identical leaf parameters in both libraries."""
    torch.manual_seed(seed)
    tparams = [torch.randn(s, dtype=dtype).requires_grad_() for s in shapes]
    return tparams, [jtorch.nn.Parameter(to_jt(p.detach())) for p in tparams]


def set_grads(tparams, jparams, skip=()):
    """Give both libraries the same fresh random gradients (params at indices in `skip` get none)."""
    for i, (t, j) in enumerate(zip(tparams, jparams)):
        if i in skip:
            t.grad = j.grad = None
            continue
        g = torch.randn(t.shape, dtype=t.dtype)
        t.grad = g
        j.grad = to_jt(g)


def assert_state_same(jopt, topt, tparams, jparams):
    """Parameters and per-parameter state equal torch's: same keys in the same order, same values and dtypes."""
    rtol, atol = TOL[tparams[0].dtype]
    for t, j in zip(tparams, jparams):
        assert_same(j.detach(), t.detach(), rtol, atol)
        tstate = topt.state.get(t, {})
        jstate = jopt.state.get(j, {})
        assert list(jstate) == list(tstate)
        for key, value in tstate.items():
            assert_same(jstate[key], value, rtol, atol)
    assert len(jopt.state) == len(topt.state)


def run_steps(topt, jopt, tparams, jparams, steps, skip=lambda step: ()):
    for step in range(steps):
        set_grads(tparams, jparams, skip(step))
        topt.step()
        jopt.step()
        assert_state_same(jopt, topt, tparams, jparams)


@pytest.mark.parametrize("case", CASES, ids=_ids)
def test_steps_match_torch(case):
    name, kwargs = case
    tparams, jparams = make_params()
    topt, jopt = getattr(torch.optim, name)(tparams, **kwargs), getattr(jtorch.optim, name)(jparams, **kwargs)
    run_steps(topt, jopt, tparams, jparams, 6)


@pytest.mark.parametrize("name,kwargs", [
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.1)),
    ("Adam", dict(lr=0.01, amsgrad=True, weight_decay=0.1)),
    ("AdamW", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, centered=True, momentum=0.9)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.05)),
])
def test_float64_steps_match_torch(name, kwargs):
    tparams, jparams = make_params(torch.float64)
    topt, jopt = getattr(torch.optim, name)(tparams, **kwargs), getattr(jtorch.optim, name)(jparams, **kwargs)
    run_steps(topt, jopt, tparams, jparams, 5)


@pytest.mark.parametrize("name,kwargs", [
    ("SGD", dict(lr=0.1, momentum=0.9)),
    ("Adam", dict(lr=0.01, amsgrad=True)),
    ("RMSprop", dict(lr=0.01, centered=True)),
    ("Adagrad", dict(lr=0.1)),
])
def test_complex_params_match_torch(name, kwargs):
    torch.manual_seed(0)
    tparams = [torch.randn(3, 2, dtype=torch.complex64).requires_grad_()]
    jparams = [jtorch.nn.Parameter(to_jt(tparams[0].detach()))]
    topt, jopt = getattr(torch.optim, name)(tparams, **kwargs), getattr(jtorch.optim, name)(jparams, **kwargs)
    run_steps(topt, jopt, tparams, jparams, 4)


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16])
@pytest.mark.parametrize("name,kwargs", [("SGD", dict(lr=0.1, momentum=0.9, weight_decay=0.1)), ("Adam", {}),
                                         ("Adagrad", dict(lr=0.01))])
def test_half_precision_params(name, kwargs, dtype):
    """16-bit params: computed in float32 and rounded once per step (torch rounds after every kernel)."""
    torch.manual_seed(0)
    tparams = [torch.randn(s).to(dtype).requires_grad_() for s in SHAPES]
    jparams = [jtorch.nn.Parameter(to_jt(p.detach())) for p in tparams]
    topt, jopt = getattr(torch.optim, name)(tparams, **kwargs), getattr(jtorch.optim, name)(jparams, **kwargs)
    tol = 3 * torch.finfo(dtype).eps
    for _ in range(4):
        set_grads(tparams, jparams)
        topt.step()
        jopt.step()
        for t, j in zip(tparams, jparams):
            assert_same(j.detach(), t.detach(), tol, tol)
            for key, value in topt.state[t].items():
                assert_same(jopt.state[j][key], value, tol, tol)


def test_mlp_training_matches_torch():
    """Gradients from each library's own autograd, through SGD with Nesterov momentum and Adam."""
    torch.manual_seed(0)
    x, y = torch.randn(16, 5), torch.randn(16, 1)
    tparams = [torch.randn(5, 8).requires_grad_(), torch.zeros(8).requires_grad_(), torch.randn(8, 1).requires_grad_()]
    jparams = [jtorch.nn.Parameter(to_jt(p.detach())) for p in tparams]

    def loss_fn(lib, params, x, y):
        w1, b1, w2 = params
        return ((lib.tanh(x @ w1 + b1) @ w2 - y) ** 2).mean()

    topts = [torch.optim.SGD(tparams[:2], lr=0.1, momentum=0.9, nesterov=True),
             torch.optim.Adam(tparams[2:], lr=0.01, amsgrad=True)]
    jopts = [jtorch.optim.SGD(jparams[:2], lr=0.1, momentum=0.9, nesterov=True),
             jtorch.optim.Adam(jparams[2:], lr=0.01, amsgrad=True)]
    for _ in range(5):
        tloss, jloss = loss_fn(torch, tparams, x, y), loss_fn(jtorch, jparams, to_jt(x), to_jt(y))
        assert_same(jloss, tloss.detach(), rtol=1e-5, atol=1e-6)
        for topt, jopt in zip(topts, jopts):
            topt.zero_grad()
            jopt.zero_grad()
        tloss.backward()
        jloss.backward()
        for topt, jopt in zip(topts, jopts):
            topt.step()
            jopt.step()
        for t, j in zip(tparams, jparams):
            assert_same(j.detach(), t.detach(), rtol=1e-5, atol=1e-6)


def test_param_groups_with_different_lr():
    tparams, jparams = make_params()

    def groups(params):
        return [{"params": params[:2]}, {"params": params[2:], "lr": 0.5, "momentum": 0.5}]

    topt = torch.optim.SGD(groups(tparams), lr=0.1, momentum=0.9)
    jopt = jtorch.optim.SGD(groups(jparams), lr=0.1, momentum=0.9)
    assert jopt.param_groups[1]["lr"] == 0.5 and jopt.param_groups[1]["dampening"] == 0
    run_steps(topt, jopt, tparams, jparams, 4)
    tparams, jparams = make_params(seed=1)
    topt = torch.optim.Adam(groups(tparams), lr=0.01)
    jopt = jtorch.optim.Adam(groups(jparams), lr=0.01)
    run_steps(topt, jopt, tparams, jparams, 4)


@pytest.mark.parametrize("name,kwargs", [("SGD", dict(lr=0.1)), ("SGD", dict(lr=0.1, momentum=0.9)),
                                         ("Adam", dict(lr=0.01)), ("Adagrad", dict(lr=0.1))])
def test_params_without_grad_are_skipped(name, kwargs):
    """Param 0 never gets a gradient; param 1 only from the third step on (its step count lags)."""
    tparams, jparams = make_params()
    topt, jopt = getattr(torch.optim, name)(tparams, **kwargs), getattr(jtorch.optim, name)(jparams, **kwargs)
    run_steps(topt, jopt, tparams, jparams, 5, skip=lambda step: (0, 1) if step < 2 else (0,))
    assert list(jopt.state_dict()["state"]) == list(topt.state_dict()["state"])


def test_step_keeps_parameter_identity():
    tparams, jparams = make_params()
    opt = jtorch.optim.Adam(jparams, lr=0.1)
    set_grads(tparams, jparams)
    before = [(id(p), p._version) for p in jparams]
    opt.step()
    for p, (ident, version) in zip(jparams, before):
        assert id(p) == ident and p.is_leaf and p.requires_grad and p.grad_fn is None
        assert p._version > version
    assert all(p is q for p, q in zip(opt.param_groups[0]["params"], jparams))


def test_closure():
    tparams, jparams = make_params()

    def closure(params, opt):
        def fn():
            opt.zero_grad()
            loss = sum((p * p).sum() for p in params)
            loss.backward()
            return loss
        return fn

    topt, jopt = torch.optim.SGD(tparams, lr=0.1), jtorch.optim.SGD(jparams, lr=0.1)
    with torch.no_grad(), jtorch.no_grad():
        tloss, jloss = topt.step(closure(tparams, topt)), jopt.step(closure(jparams, jopt))
    assert_same(jloss, tloss)
    assert_state_same(jopt, topt, tparams, jparams)


@pytest.mark.parametrize("set_to_none", [True, False])
def test_zero_grad(set_to_none):
    tparams, jparams = make_params()
    topt, jopt = torch.optim.SGD(tparams, lr=0.1), jtorch.optim.SGD(jparams, lr=0.1)
    set_grads(tparams, jparams, skip=(1,))
    jgrad = jparams[0].grad
    topt.zero_grad(set_to_none=set_to_none)
    jopt.zero_grad(set_to_none=set_to_none)
    for t, j in zip(tparams, jparams):
        if t.grad is None:
            assert j.grad is None
        else:
            assert_same(j.grad, t.grad)
    if not set_to_none:
        assert jparams[0].grad is jgrad


def _torch_dict_to_jt(state_dict):
    return {"state": {k: to_jt(v) for k, v in state_dict["state"].items()}, "param_groups": state_dict["param_groups"]}


def _assert_state_dict_same(jsd, tsd):
    assert jsd["param_groups"] == tsd["param_groups"]
    assert list(jsd["state"]) == list(tsd["state"])
    for k, tstate in tsd["state"].items():
        assert list(jsd["state"][k]) == list(tstate)
        for key, value in tstate.items():
            assert_same(jsd["state"][k][key], value, *TOL[torch.float32])


@pytest.mark.parametrize("name,kwargs", [("SGD", dict(lr=0.1, momentum=0.9)), ("Adam", dict(lr=0.01, amsgrad=True)),
                                         ("RMSprop", dict(lr=0.01, centered=True, momentum=0.9)),
                                         ("Adagrad", dict(lr=0.1))])
def test_state_dict_round_trip(name, kwargs):
    tparams, jparams = make_params()

    def groups(params):
        return [{"params": params[:1]}, {"params": params[1:], "lr": 0.05}]

    topt = getattr(torch.optim, name)(groups(tparams), **kwargs)
    jopt = getattr(jtorch.optim, name)(groups(jparams), **kwargs)
    run_steps(topt, jopt, tparams, jparams, 3)
    tsd, jsd = topt.state_dict(), jopt.state_dict()
    _assert_state_dict_same(jsd, tsd)
    if "step" in tsd["state"][0]:
        assert jsd["state"][0]["step"].dtype == jtorch.float32 and jsd["state"][0]["step"].ndim == 0

    # a torch-shaped dict loaded into a fresh jtorch optimizer continues exactly as torch continues
    fresh = [jtorch.nn.Parameter(to_jt(t.detach())) for t in tparams]
    loaded = getattr(jtorch.optim, name)(groups(fresh), **kwargs)
    loaded.load_state_dict(_torch_dict_to_jt(tsd))
    _assert_state_dict_same(loaded.state_dict(), tsd)
    run_steps(topt, loaded, tparams, fresh, 3)

    # jtorch's own state_dict round trips too
    again = [jtorch.nn.Parameter(to_jt(t.detach())) for t in tparams]
    reloaded = getattr(jtorch.optim, name)(groups(again), **kwargs)
    reloaded.load_state_dict(loaded.state_dict())
    run_steps(topt, reloaded, tparams, again, 2)


def test_load_state_dict_errors():
    tparams, jparams = make_params()
    topt, jopt = torch.optim.SGD(tparams, lr=0.1), jtorch.optim.SGD(jparams, lr=0.1)
    tsd, jsd = topt.state_dict(), jopt.state_dict()
    for make in (lambda lib, p: lib.optim.SGD([{"params": p[:1]}, {"params": p[1:]}], lr=0.1),
                 lambda lib, p: lib.optim.SGD(p[:2], lr=0.1)):
        assert_raises_like(lambda: make(torch, tparams).load_state_dict(tsd),
                           lambda: make(jtorch, jparams).load_state_dict(jsd))


@pytest.mark.parametrize("name,kwargs", [("SGD", dict(lr=0.1, momentum=0.9)), ("Adam", {}), ("AdamW", {}),
                                         ("RMSprop", dict(centered=True)), ("Adagrad", dict(lr_decay=0.1))])
def test_repr(name, kwargs):
    tparams, jparams = make_params()

    def groups(params):
        return [{"params": params[:1]}, {"params": params[1:], "lr": 0.5}]

    topt = getattr(torch.optim, name)(groups(tparams), **kwargs)
    jopt = getattr(jtorch.optim, name)(groups(jparams), **kwargs)
    assert repr(jopt) == repr(topt)
    assert jopt.defaults == topt.defaults
    torch.optim.lr_scheduler.StepLR(topt, 2)
    jtorch.optim.lr_scheduler.StepLR(jopt, 2)
    assert repr(jopt) == repr(topt)


def test_constructor_errors():
    tparams, jparams = make_params()
    cases = [
        lambda lib, p: lib.optim.SGD([], lr=0.1),
        lambda lib, p: lib.optim.SGD(p[0], lr=0.1),
        lambda lib, p: lib.optim.SGD([p[0], 1], lr=0.1),
        lambda lib, p: lib.optim.SGD([{"params": p[:2]}, {"params": p[1:]}], lr=0.1),
        lambda lib, p: lib.optim.SGD(p, lr=-0.1),
        lambda lib, p: lib.optim.SGD(p, lr=0.1, nesterov=True),
        lambda lib, p: lib.optim.SGD(p, lr=0.1, momentum=-1),
        lambda lib, p: lib.optim.Adam(p, betas=(1.0, 0.9)),
        lambda lib, p: lib.optim.Adam(p, eps=-1.0),
        lambda lib, p: lib.optim.RMSprop(p, alpha=-1.0),
        lambda lib, p: lib.optim.Adagrad(p, lr_decay=-1.0),
        lambda lib, p: lib.optim.SGD([p[0] * 2], lr=0.1),
        lambda lib, p: lib.optim.SGD([{"params": {p[0]}}], lr=0.1),
    ]
    for make in cases:
        assert_raises_like(lambda: make(torch, tparams), lambda: make(jtorch, jparams))
    with pytest.raises(TypeError, match="but one of the params is int"):
        jtorch.optim.SGD([jparams[0], 1], lr=0.1)
    with pytest.raises(ValueError, match="optimizer got an empty parameter list"):
        jtorch.optim.SGD([], lr=0.1)


def test_add_param_group():
    tparams, jparams = make_params()
    topt, jopt = torch.optim.Adam(tparams[:1], lr=0.01), jtorch.optim.Adam(jparams[:1], lr=0.01)
    topt.add_param_group({"params": tparams[1:], "lr": 0.1, "amsgrad": True})
    jopt.add_param_group({"params": jparams[1:], "lr": 0.1, "amsgrad": True})
    assert repr(jopt) == repr(topt)
    run_steps(topt, jopt, tparams, jparams, 3)
    assert_raises_like(lambda: topt.add_param_group({"params": tparams[2]}),
                       lambda: jopt.add_param_group({"params": jparams[2]}))


def test_changing_lr_does_not_recompile():
    tparams, jparams = make_params(shapes=[(3, 7), (7,)])
    opt = jtorch.optim.SGD(jparams, lr=0.1, momentum=0.9)
    sched = jtorch.optim.lr_scheduler.ExponentialLR(opt, 0.5)
    topt = torch.optim.SGD(tparams, lr=0.1, momentum=0.9)
    tsched = torch.optim.lr_scheduler.ExponentialLR(topt, 0.5)
    for _ in range(2):  # the first step has no momentum buffer yet: a second trace
        set_grads(tparams, jparams)
        opt.step(), topt.step()
    compiled = _jitted_update._cache_size()
    for _ in range(4):
        sched.step(), tsched.step()
        opt.param_groups[0]["momentum"] = topt.param_groups[0]["momentum"] = 0.5 + 0.1 * sched.last_epoch
        set_grads(tparams, jparams)
        opt.step(), topt.step()
    assert _jitted_update._cache_size() == compiled
    assert_state_same(opt, topt, tparams, jparams)
    opt.param_groups[0]["nesterov"] = True  # a flag is static: one new compilation
    set_grads(tparams, jparams)
    opt.step()
    assert _jitted_update._cache_size() == compiled + 1


# ---- gradient clipping ----
def _grads_pair(dtypes=(torch.float32, torch.float32, torch.float32), scale=1.0):
    torch.manual_seed(3)
    tparams = [torch.randn(s, dtype=d).requires_grad_() for s, d in zip(SHAPES, dtypes)]
    jparams = [jtorch.nn.Parameter(to_jt(p.detach())) for p in tparams]
    for t, j in zip(tparams, jparams):
        g = torch.randn(t.shape, dtype=t.dtype) * scale
        t.grad, j.grad = g, to_jt(g)
    return tparams, jparams


@pytest.mark.parametrize("norm_type", [2.0, 1, float("inf"), 3.0, 0.5])
@pytest.mark.parametrize("max_norm", [0.5, 100.0])
def test_clip_grad_norm(norm_type, max_norm):
    tparams, jparams = _grads_pair()
    tnorm = torch.nn.utils.clip_grad_norm_(tparams, max_norm, norm_type)
    jnorm = jtorch.nn.utils.clip_grad_norm_(jparams, max_norm, norm_type)
    assert_same(jnorm, tnorm, rtol=1e-6)
    for t, j in zip(tparams, jparams):
        assert_same(j.grad, t.grad, rtol=1e-6, atol=1e-7)


def test_clip_grad_norm_cases():
    tparams, jparams = _grads_pair((torch.float32, torch.float64, torch.float32))
    tnorm = torch.nn.utils.clip_grad_norm_(iter(tparams), 0.3)
    jnorm = jtorch.nn.utils.clip_grad_norm_(iter(jparams), 0.3)
    assert_same(jnorm, tnorm, rtol=1e-6)
    for t, j in zip(tparams, jparams):
        assert_same(j.grad, t.grad, rtol=1e-6, atol=1e-7)
    # a single tensor, and parameters without grads
    tparams, jparams = _grads_pair()
    assert_same(jtorch.nn.utils.clip_grad_norm_(jparams[0], 1.0), torch.nn.utils.clip_grad_norm_(tparams[0], 1.0))
    assert_same(jtorch.nn.utils.clip_grad_norm_([jtorch.zeros(2)], 1.0),
                torch.nn.utils.clip_grad_norm_([torch.zeros(2)], 1.0))
    # a non-finite norm: torch raises only when asked, and then leaves the gradients alone
    tparams, jparams = _grads_pair()
    tparams[1].grad[0] = float("inf")
    jparams[1].grad = to_jt(tparams[1].grad)
    assert_raises_like(lambda: torch.nn.utils.clip_grad_norm_(tparams, 1.0, error_if_nonfinite=True),
                       lambda: jtorch.nn.utils.clip_grad_norm_(jparams, 1.0, error_if_nonfinite=True))
    for t, j in zip(tparams, jparams):
        assert_same(j.grad, t.grad)
    assert_same(jtorch.nn.utils.clip_grad_norm_(jparams, 1.0), torch.nn.utils.clip_grad_norm_(tparams, 1.0))
    for t, j in zip(tparams, jparams):
        assert_same(j.grad, t.grad)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert_same(jtorch.nn.utils.clip_grad_norm(jparams[:1], 1.0), torch.nn.utils.clip_grad_norm(tparams[:1], 1.0))


def test_clip_grad_value():
    tparams, jparams = _grads_pair((torch.float32, torch.float64, torch.float32))
    tparams[0].grad[0, 0] = float("nan")
    jparams[0].grad = to_jt(tparams[0].grad)
    grads = [p.grad for p in jparams]
    assert torch.nn.utils.clip_grad_value_(tparams, 0.5) is None
    assert jtorch.nn.utils.clip_grad_value_(jparams, 0.5) is None
    for t, j, g in zip(tparams, jparams, grads):
        assert j.grad is g
        assert_same(j.grad, t.grad)
    torch.nn.utils.clip_grad_value_(tparams[1], 0.1)
    jtorch.nn.utils.clip_grad_value_(jparams[1], 0.1)
    assert_same(jparams[1].grad, tparams[1].grad)
