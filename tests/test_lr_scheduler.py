"""jtorch.optim.lr_scheduler against real torch: the learning rates are Python floats and must be equal."""
import warnings

import pytest
import torch

import jtorch

from conftest import assert_same, to_jt

SCHEDULERS = [
    ("StepLR", dict(step_size=3, gamma=0.5)),
    ("MultiStepLR", dict(milestones=[2, 5, 5, 9], gamma=0.3)),
    ("ExponentialLR", dict(gamma=0.9)),
    ("CosineAnnealingLR", dict(T_max=5, eta_min=0.01)),
    ("CosineAnnealingLR", dict(T_max=7)),
    ("LinearLR", dict(start_factor=0.25, total_iters=6)),
    ("LinearLR", dict(start_factor=0.5, end_factor=0.1, total_iters=4)),
    ("LambdaLR", dict(lr_lambda=lambda epoch: 0.95 ** epoch)),
]


def _ids(case):
    return case[0] + "-" + "-".join(f"{k}={v}" for k, v in case[1].items() if k != "lr_lambda")


def make_optimizers(lr=0.1):
    """Two SGD optimizers (torch, jtorch) on equal params, two groups with different learning rates."""
    torch.manual_seed(0)
    tparams = [torch.randn(3, 2).requires_grad_(), torch.randn(2).requires_grad_()]
    jparams = [jtorch.nn.Parameter(to_jt(p.detach())) for p in tparams]

    def groups(params):
        return [{"params": params[:1]}, {"params": params[1:], "lr": lr / 2}]

    return (torch.optim.SGD(groups(tparams), lr=lr, momentum=0.9),
            jtorch.optim.SGD(groups(jparams), lr=lr, momentum=0.9), tparams, jparams)


def make_scheduler(lib, case, optimizer):
    name, kwargs = case
    return getattr(lib.optim.lr_scheduler, name)(optimizer, **kwargs)


def make_schedulers(case, topt, jopt):
    return make_scheduler(torch, case, topt), make_scheduler(jtorch, case, jopt)


def assert_lrs_equal(jsched, tsched):
    assert jsched.get_last_lr() == tsched.get_last_lr()
    assert [g["lr"] for g in jsched.optimizer.param_groups] == [g["lr"] for g in tsched.optimizer.param_groups]
    assert jsched.last_epoch == tsched.last_epoch


def step_both(pairs, n):
    for _ in range(n):
        for topt, jopt in {(t.optimizer, j.optimizer) for t, j in pairs}:
            topt.step()
            jopt.step()
        for tsched, jsched in pairs:
            tsched.step()
            jsched.step()
            assert_lrs_equal(jsched, tsched)


@pytest.mark.parametrize("case", SCHEDULERS, ids=_ids)
def test_lr_sequence_matches_torch(case):
    topt, jopt, _, _ = make_optimizers()
    tsched, jsched = make_schedulers(case, topt, jopt)
    assert_lrs_equal(jsched, tsched)
    assert jsched.base_lrs == tsched.base_lrs
    assert [g["initial_lr"] for g in jopt.param_groups] == [g["initial_lr"] for g in topt.param_groups]
    step_both([(tsched, jsched)], 15)


@pytest.mark.parametrize("case", SCHEDULERS, ids=_ids)
def test_state_dict_and_resume(case):
    topt, jopt, _, _ = make_optimizers()
    tsched, jsched = make_schedulers(case, topt, jopt)
    step_both([(tsched, jsched)], 4)
    tsd, jsd = tsched.state_dict(), jsched.state_dict()
    assert list(jsd) == list(tsd)
    assert jsd == tsd
    # a new scheduler on a new optimizer resumes from torch's state_dict and continues as torch does
    _, jopt2, _, _ = make_optimizers()
    jsched2 = make_scheduler(jtorch, case, jopt2)
    jsched2.load_state_dict(tsd)
    for group, lr in zip(jopt2.param_groups, tsched.get_last_lr()):
        group["lr"] = lr
    step_both([(tsched, jsched2)], 5)


def test_chained_schedulers_with_training():
    """Two schedulers on one optimizer, stepping real updates: params, lrs and momentum buffers match."""
    topt, jopt, tparams, jparams = make_optimizers()
    pairs = [(torch.optim.lr_scheduler.ExponentialLR(topt, 0.9), jtorch.optim.lr_scheduler.ExponentialLR(jopt, 0.9)),
             (torch.optim.lr_scheduler.MultiStepLR(topt, [3, 6], 0.5),
              jtorch.optim.lr_scheduler.MultiStepLR(jopt, [3, 6], 0.5))]
    for _ in range(8):
        for t, j in zip(tparams, jparams):
            g = torch.randn(t.shape)
            t.grad, j.grad = g, to_jt(g)
        topt.step()
        jopt.step()
        for tsched, jsched in pairs:
            tsched.step()
            jsched.step()
            assert_lrs_equal(jsched, tsched)
        for t, j in zip(tparams, jparams):
            assert_same(j.detach(), t.detach(), rtol=1e-6, atol=1e-6)
            assert_same(jopt.state[j]["momentum_buffer"], topt.state[t]["momentum_buffer"], rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name,kwargs", [("StepLR", dict(step_size=3, gamma=0.5)),
                                         ("MultiStepLR", dict(milestones=[2, 4], gamma=0.3)),
                                         ("ExponentialLR", dict(gamma=0.9)),
                                         ("CosineAnnealingLR", dict(T_max=5, eta_min=0.01)),
                                         ("LinearLR", dict(start_factor=0.25, total_iters=6))])
def test_step_with_epoch_uses_closed_form(name, kwargs):
    topt, jopt, _, _ = make_optimizers()
    tsched, jsched = make_schedulers((name, kwargs), topt, jopt)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for epoch in (3, 7, 1, 10):
            tsched.step(epoch)
            jsched.step(epoch)
            assert_lrs_equal(jsched, tsched)


def test_warnings_match_torch():
    def record(lib, optimizer_first):
        opt = lib.optim.SGD([lib.zeros(1, requires_grad=True)], lr=0.1)
        sched = lib.optim.lr_scheduler.StepLR(opt, 2)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            if optimizer_first:
                opt.step()
            sched.step()
            sched.get_lr()
        return [(w.category, str(w.message)) for w in caught]

    for optimizer_first in (True, False):
        assert record(jtorch, optimizer_first) == record(torch, optimizer_first)


def test_resume_needs_initial_lr():
    topt, jopt, _, _ = make_optimizers()
    with pytest.raises(KeyError):
        torch.optim.lr_scheduler.StepLR(topt, 2, last_epoch=3)
    with pytest.raises(KeyError, match="initial_lr"):
        jtorch.optim.lr_scheduler.StepLR(jopt, 2, last_epoch=3)
    with pytest.raises(TypeError, match="is not an Optimizer"):
        jtorch.optim.lr_scheduler.StepLR(object(), 2)


def test_lambda_lr_with_callable_objects():
    class Decay:
        def __init__(self, rate):
            self.rate = rate

        def __call__(self, epoch):
            return self.rate ** epoch

    topt, jopt, _, _ = make_optimizers()
    tsched = torch.optim.lr_scheduler.LambdaLR(topt, [Decay(0.9), lambda e: 1.0 / (e + 1)])
    jsched = jtorch.optim.lr_scheduler.LambdaLR(jopt, [Decay(0.9), lambda e: 1.0 / (e + 1)])
    step_both([(tsched, jsched)], 3)
    assert jsched.state_dict() == tsched.state_dict()
    jsched.lr_lambdas[0].rate = 0.5
    jsched.load_state_dict(tsched.state_dict())
    assert jsched.lr_lambdas[0].rate == 0.9


PLATEAU = [
    dict(),
    dict(mode="max", factor=0.5, patience=1),
    dict(patience=2, threshold=0.1, threshold_mode="abs", cooldown=2),
    dict(mode="max", patience=0, threshold_mode="abs", min_lr=[0.02, 0.004], factor=0.3),
    dict(patience=1, min_lr=0.01, eps=1e-3, cooldown=1),
]
METRICS = [1.0, 0.9, 0.95, 0.95, 0.96, 0.89, 0.9, 0.9, 0.91, 0.7, 0.71, 0.72, 0.73, 0.74, 0.5, 0.6, 0.6, 0.6,
           0.6, 0.6, 0.6, 0.6, 0.6, 0.6]


@pytest.mark.parametrize("kwargs", PLATEAU, ids=lambda kw: "-".join(f"{k}={v}" for k, v in kw.items()) or "default")
def test_reduce_lr_on_plateau(kwargs):
    topt, jopt, _, _ = make_optimizers()
    tsched = torch.optim.lr_scheduler.ReduceLROnPlateau(topt, **kwargs)
    jsched = jtorch.optim.lr_scheduler.ReduceLROnPlateau(jopt, **kwargs)
    for i, metric in enumerate(METRICS):
        tsched.step(torch.tensor(metric) if i % 2 else metric)
        jsched.step(jtorch.tensor(metric) if i % 2 else metric)
        assert_lrs_equal(jsched, tsched)
        assert (jsched.best, jsched.num_bad_epochs, jsched.cooldown_counter) == \
            (tsched.best, tsched.num_bad_epochs, tsched.cooldown_counter)
    tsd, jsd = tsched.state_dict(), jsched.state_dict()
    assert list(jsd) == list(tsd) and jsd == tsd
    _, jopt2, _, _ = make_optimizers()
    resumed = jtorch.optim.lr_scheduler.ReduceLROnPlateau(jopt2)
    resumed.load_state_dict(tsd)
    for group, lr in zip(jopt2.param_groups, tsched.get_last_lr()):
        group["lr"] = lr
    for metric in METRICS[:8]:
        tsched.step(metric)
        resumed.step(metric)
        assert_lrs_equal(resumed, tsched)


def test_reduce_lr_on_plateau_errors():
    _, jopt, _, _ = make_optimizers()
    for kwargs in (dict(factor=1.0), dict(mode="mid"), dict(threshold_mode="x"), dict(min_lr=[0.1])):
        with pytest.raises(ValueError):
            jtorch.optim.lr_scheduler.ReduceLROnPlateau(jopt, **kwargs)
