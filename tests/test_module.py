"""nn.Module behaviour against torch.nn.Module: registration, traversal, state_dict, hooks, repr, containers."""
import collections

import pytest
import torch

import jtorch
from conftest import assert_raises_like, assert_same, to_jt


def make_net(lib):
    nn = lib.nn

    class Leaf(nn.Module):
        def __init__(self, n):
            super().__init__()
            self.weight = nn.Parameter(lib.ones(n, n) * n)
            self.bias = nn.Parameter(lib.zeros(n))
            self.register_buffer("running", lib.zeros(n))
            self.register_buffer("scratch", lib.ones(1), persistent=False)
            self.n = n

        def forward(self, x):
            return x @ self.weight + self.bias

        def extra_repr(self):
            return f"n={self.n}"

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.first = Leaf(2)
            self.body = nn.Sequential(Leaf(2), nn.Identity(), collections_dict(nn, Leaf))
            self.heads = nn.ModuleList([Leaf(2), Leaf(2), Leaf(3)])
            self.table = nn.ModuleDict({"b": nn.Flatten(), "a": nn.Unflatten(1, (2, 1))})
            self.extra = nn.ParameterList([nn.Parameter(lib.ones(2)), lib.zeros(3)])
            self.named = nn.ParameterDict({"p": nn.Parameter(lib.ones(1))})
            self.shared = self.first
            self.scale = nn.Parameter(lib.tensor(2.0))

        def forward(self, x):
            return self.body(self.first(x)) * self.scale

    return Net()


def collections_dict(nn, Leaf):
    return nn.Sequential(collections.OrderedDict([("inner", Leaf(2)), ("act", nn.Identity())]))


def test_repr_matches_torch():
    assert repr(make_net(jtorch)) == repr(make_net(torch))


def test_traversal_orders_and_names_match_torch():
    t, j = make_net(torch), make_net(jtorch)
    assert [n for n, _ in j.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert [n for n, _ in j.named_buffers()] == [n for n, _ in t.named_buffers()]
    assert [n for n, _ in j.named_modules()] == [n for n, _ in t.named_modules()]
    assert [n for n, _ in j.named_children()] == [n for n, _ in t.named_children()]
    assert len(list(j.parameters())) == len(list(t.parameters()))
    assert len(list(j.parameters(recurse=False))) == len(list(t.parameters(recurse=False)))
    assert [n for n, _ in j.named_parameters(remove_duplicate=False)] == \
        [n for n, _ in t.named_parameters(remove_duplicate=False)]
    assert [n for n, _ in j.named_parameters(prefix="m")] == [n for n, _ in t.named_parameters(prefix="m")]
    assert j.get_submodule("body.2.inner").n == 2 and j.get_parameter("first.bias").shape == (2,)


def test_state_dict_keys_values_and_metadata():
    t, j = make_net(torch), make_net(jtorch)
    sd_t, sd_j = t.state_dict(), j.state_dict()
    assert list(sd_j.keys()) == list(sd_t.keys())
    assert isinstance(sd_j, collections.OrderedDict)
    assert dict(sd_j._metadata) == dict(sd_t._metadata)
    for k in sd_t:
        assert_same(sd_j[k], sd_t[k])
        assert not sd_j[k].requires_grad
    assert list(j.state_dict(prefix="x.").keys()) == list(t.state_dict(prefix="x.").keys())
    assert j.state_dict(keep_vars=True)["scale"].requires_grad


def test_load_state_dict_round_trip_and_errors():
    t, j = make_net(torch), make_net(jtorch)
    source = {k: v * 3 + 1 for k, v in t.state_dict().items()}
    result_t = t.load_state_dict(source)
    result_j = j.load_state_dict({k: to_jt(v) for k, v in source.items()})
    assert tuple(result_j) == tuple(result_t) == ([], [])
    for k, v in t.state_dict().items():
        assert_same(j.state_dict()[k], v)
    bad = dict(source)
    bad["first.weight"] = torch.ones(3, 3)
    del bad["scale"]
    bad["ghost"] = torch.ones(1)
    with pytest.raises(RuntimeError) as et:
        make_net(torch).load_state_dict(bad)
    with pytest.raises(RuntimeError) as ej:
        make_net(jtorch).load_state_dict({k: to_jt(v) for k, v in bad.items()})
    assert str(ej.value) == str(et.value)
    del bad["first.weight"]
    rt = make_net(torch).load_state_dict(bad, strict=False)
    rj = make_net(jtorch).load_state_dict({k: to_jt(v) for k, v in bad.items()}, strict=False)
    assert rj.missing_keys == rt.missing_keys and rj.unexpected_keys == rt.unexpected_keys


def test_load_keeps_parameter_identity():
    j = make_net(jtorch)
    w = j.first.weight
    j.load_state_dict({k: v + 1 for k, v in j.state_dict().items()})
    assert j.first.weight is w and w.requires_grad and w.is_leaf


def test_registration_errors():
    for lib in (torch, jtorch):
        m = lib.nn.Module()
        m.p = lib.nn.Parameter(lib.ones(1))
    tm, jm = torch.nn.Module(), jtorch.nn.Module()
    tm.p, jm.p = torch.nn.Parameter(torch.ones(1)), jtorch.nn.Parameter(jtorch.ones(1))
    assert_raises_like(lambda: setattr(tm, "p", torch.ones(1)), lambda: setattr(jm, "p", jtorch.ones(1)))
    assert_raises_like(lambda: tm.register_buffer("a.b", None), lambda: jm.register_buffer("a.b", None))
    assert_raises_like(lambda: tm.register_buffer("x", 3), lambda: jm.register_buffer("x", 3))
    assert_raises_like(lambda: tm.add_module("m", 3), lambda: jm.add_module("m", 3))
    assert_raises_like(lambda: tm.missing, lambda: jm.missing)
    assert_raises_like(lambda: tm(), lambda: jm())

    class Early(jtorch.nn.Module):
        def __init__(self):
            self.p = jtorch.nn.Parameter(jtorch.ones(1))

    class EarlyT(torch.nn.Module):
        def __init__(self):
            self.p = torch.nn.Parameter(torch.ones(1))
    assert_raises_like(EarlyT, Early)


def test_attribute_reassignment_moves_between_stores():
    j = jtorch.nn.Module()
    j.x = jtorch.nn.Parameter(jtorch.ones(1))
    j.x = None
    assert "x" in j._parameters and j.x is None
    j.m = jtorch.nn.Identity()
    del j.m
    assert "m" not in j._modules
    j.register_buffer("b", jtorch.ones(2))
    j.b = jtorch.zeros(2)
    assert j.b.tolist() == [0.0, 0.0] and "b" in j._buffers


def test_train_eval_zero_grad_requires_grad_apply():
    j = make_net(jtorch)
    assert j.training and j.body[0].training
    j.eval()
    assert not j.training and not j.body[2].inner.training
    j.train()
    assert j.heads[2].training
    out = j(jtorch.ones(1, 2)).sum()
    out.backward()
    assert j.first.weight.grad is not None
    j.zero_grad()
    assert j.first.weight.grad is None
    j(jtorch.ones(1, 2)).sum().backward()
    j.zero_grad(set_to_none=False)
    assert j.first.weight.grad.tolist() == [[0.0, 0.0], [0.0, 0.0]]
    j.requires_grad_(False)
    assert not any(p.requires_grad for p in j.parameters())
    seen = []
    j.apply(lambda m: seen.append(type(m).__name__))
    assert seen[-1] == "Net" and seen[0] == "Leaf"


def test_forward_output_and_gradients_match_torch():
    t, j = make_net(torch), make_net(jtorch)
    x = torch.randn(4, 2)
    ot, oj = t(x), j(to_jt(x))
    assert_same(oj, ot)
    ot.pow(2).sum().backward()
    oj.pow(2).sum().backward()
    for (name, pt), (_, pj) in zip(t.named_parameters(), j.named_parameters()):
        if pt.grad is None:
            assert pj.grad is None, name
        else:
            assert_same(pj.grad, pt.grad)


def test_to_dtype_and_device_conversions():
    t, j = make_net(torch), make_net(jtorch)
    t.double()
    j.double()
    assert [str(p.dtype) for p in j.parameters()] == [str(p.dtype) for p in t.parameters()]
    w = j.first.weight
    j.to(jtorch.float16)
    assert j.first.weight is w and str(w.dtype) == "torch.float16"
    j.to("cpu").float()
    assert str(w.dtype) == "torch.float32" and j.cpu() is j
    assert_raises_like(lambda: t.to(torch.int64), lambda: j.to(jtorch.int64))


def test_forward_hooks():
    calls = {}
    outputs = {}
    for lib in (torch, jtorch):
        net = make_net(lib)
        log = calls.setdefault(lib.__name__, [])
        h1 = net.first.register_forward_pre_hook(lambda m, args: (args[0] * 2,))
        net.first.register_forward_hook(lambda m, args, out: out + 1)
        net.body.register_forward_pre_hook(lambda m, args, kwargs: log.append(len(args)) or None,
                                           with_kwargs=True)
        net.first.register_forward_hook(lambda m, args, out: log.append("first"), prepend=True)
        outputs[lib.__name__] = net(lib.ones(1, 2))
        h1.remove()
        outputs[lib.__name__ + "2"] = net(lib.ones(1, 2))
    assert calls["torch"] == calls["jtorch"]
    assert_same(outputs["jtorch"], outputs["torch"])
    assert_same(outputs["jtorch2"], outputs["torch2"])


def test_sequential_and_modulelist_operations():
    for lib in (torch, jtorch):
        seq = lib.nn.Sequential(lib.nn.Identity(), lib.nn.Flatten(), lib.nn.Identity())
        seq.append(lib.nn.Unflatten(1, (2, 2)))
        del seq[0]
        seq.insert(1, lib.nn.Identity())
        assert [type(m).__name__ for m in seq] == ["Flatten", "Identity", "Identity", "Unflatten"]
        assert type(seq[1:3]).__name__ == "Sequential" and len(seq[1:3]) == 2
        assert tuple(seq(lib.ones(3, 4)).shape) == (3, 2, 2)
        ml = lib.nn.ModuleList([lib.nn.Identity()])
        ml += [lib.nn.Flatten()]
        ml.insert(0, lib.nn.Identity())
        assert [type(m).__name__ for m in ml] == ["Identity", "Identity", "Flatten"] and len(ml[:2]) == 2
    assert repr(jtorch.nn.Sequential(jtorch.nn.Identity())[0:1]) == repr(torch.nn.Sequential(torch.nn.Identity())[0:1])


def test_parameter_repr_and_identity():
    p_t, p_j = torch.nn.Parameter(torch.ones(2)), jtorch.nn.Parameter(jtorch.ones(2))
    assert repr(p_j) == repr(p_t) and str(p_j) == str(p_t)
    assert isinstance(p_j, jtorch.Tensor) and p_j.is_leaf and p_j.requires_grad
    assert not jtorch.nn.Parameter(jtorch.ones(1), requires_grad=False).requires_grad
    assert type(p_j * 2) is jtorch.Tensor
