"""Shared compat helpers: convert between torch and jtorch, compare results the way tests specify them.

A compat test runs the same expression under real torch and under jtorch, in
the same test, and asserts `assert_same(jtorch_result, torch_result)`.
"""
import numpy as np
import pytest
import torch

import jtorch

_TOL = {  # (rtol, atol) per dtype name
    "float16": (1e-3, 1e-3), "bfloat16": (1e-2, 1e-2), "float32": (1e-5, 1e-6), "float64": (1e-12, 1e-12),
    "complex64": (1e-5, 1e-6), "complex128": (1e-12, 1e-12),
}


def dtype_name(d):
    return str(d).replace("torch.", "")


def to_jt(x, requires_grad=None):
    """A jtorch tensor with the same values and dtype as torch tensor `x` (other values pass through)."""
    if isinstance(x, torch.Tensor):
        arr = x.detach().cpu()
        name = dtype_name(arr.dtype)
        if name == "bfloat16":
            out = jtorch.tensor(arr.float().numpy()).to(jtorch.bfloat16)
        else:
            out = jtorch.from_numpy(arr.numpy().copy())
        rg = x.requires_grad if requires_grad is None else requires_grad
        return out.requires_grad_(True) if rg else out
    if isinstance(x, (list, tuple)):
        return type(x)(to_jt(v, requires_grad) for v in x)
    if isinstance(x, dict):
        return {k: to_jt(v, requires_grad) for k, v in x.items()}
    if isinstance(x, torch.dtype):
        return getattr(jtorch, dtype_name(x))
    return x


def to_numpy(x):
    if isinstance(x, torch.Tensor):
        x = x.detach()
        return (x.float() if x.dtype == torch.bfloat16 else x).numpy()
    if isinstance(x, jtorch.Tensor):
        x = x.detach()
        return (x.float() if x.dtype == jtorch.bfloat16 else x).numpy()
    return np.asarray(x)


def assert_same(got, expected, rtol=None, atol=None, check_dtype=True):
    """jtorch result `got` equals torch result `expected`: type, shape, dtype and values (NaN == NaN)."""
    if isinstance(expected, (tuple, list)):
        assert isinstance(got, (tuple, list)), f"expected a sequence, got {type(got).__name__}"
        assert len(got) == len(expected)
        for g, e in zip(got, expected):
            assert_same(g, e, rtol, atol, check_dtype)
        return
    if not isinstance(expected, torch.Tensor):
        if isinstance(expected, float) and np.isnan(expected):
            assert np.isnan(got)
        else:
            assert got == pytest.approx(expected, rel=rtol or 1e-6, abs=atol or 1e-9), (got, expected)
            assert type(got) is type(expected), (type(got), type(expected))
        return
    assert isinstance(got, jtorch.Tensor), f"expected a jtorch.Tensor, got {type(got).__name__}"
    assert tuple(got.shape) == tuple(expected.shape), f"shape {tuple(got.shape)} != {tuple(expected.shape)}"
    if check_dtype:
        assert dtype_name(got.dtype) == dtype_name(expected.dtype), f"dtype {got.dtype} != {expected.dtype}"
    name = dtype_name(expected.dtype)
    r, a = _TOL.get(name, (0, 0))
    np.testing.assert_allclose(to_numpy(got), to_numpy(expected), rtol=rtol if rtol is not None else r,
                               atol=atol if atol is not None else a, equal_nan=True)


def assert_same_grads(jt_tensors, torch_tensors, rtol=None, atol=None):
    for j, t in zip(jt_tensors, torch_tensors):
        if t.grad is None:
            assert j.grad is None
        else:
            assert j.grad is not None, "jtorch produced no gradient where torch did"
            assert_same(j.grad, t.grad, rtol, atol)


def assert_raises_like(fn_torch, fn_jt):
    """Both raise, and jtorch raises the exception type torch raises."""
    with pytest.raises(Exception) as expected:
        fn_torch()
    with pytest.raises(type(expected.value)):
        fn_jt()


def compare(fn, *torch_args, grad=False, rtol=None, atol=None, **kwargs):
    """Run fn(module, *args) under torch and jtorch and compare outputs (and input grads when grad=True)."""
    torch_args = [a.detach().requires_grad_(grad and a.is_floating_point()) if isinstance(a, torch.Tensor) else a
                  for a in torch_args]
    jt_args = [to_jt(a) for a in torch_args]
    expected = fn(torch, *torch_args, **kwargs)
    got = fn(jtorch, *jt_args, **kwargs)
    assert_same(got, expected, rtol, atol)
    if grad:
        out_t = expected[0] if isinstance(expected, tuple) else expected
        out_j = got[0] if isinstance(got, tuple) else got
        g = torch.randn(out_t.shape, dtype=out_t.dtype) if out_t.is_floating_point() else None
        out_t.backward(g)
        out_j.backward(to_jt(g))
        tensors_t = [a for a in torch_args if isinstance(a, torch.Tensor) and a.requires_grad]
        tensors_j = [a for a in jt_args if isinstance(a, jtorch.Tensor) and a.requires_grad]
        assert_same_grads(tensors_j, tensors_t, rtol, atol)
    return got, expected


def compare_or_raise(fn, *torch_args, **kwargs):
    """Like `compare`, but where torch raises, jtorch must raise the same exception type."""
    try:
        fn(torch, *torch_args)
    except Exception as e:
        with pytest.raises(type(e)):
            fn(jtorch, *[to_jt(a) for a in torch_args])
        return None
    return compare(fn, *torch_args, **kwargs)


def seeded(build, seed=0):
    """build(torch.nn) and build(jtorch.nn) after the same manual_seed: (torch module, jtorch module)."""
    torch.manual_seed(seed)
    expected = build(torch.nn)
    jtorch.random.manual_seed(seed)
    return expected, build(jtorch.nn)


def assert_same_state(j_module, t_module, **tol):
    """jtorch module's state_dict has torch's keys, in torch's order, and equal values."""
    t_state, j_state = t_module.state_dict(), j_module.state_dict()
    assert list(j_state) == list(t_state)
    for key, value in t_state.items():
        assert_same(j_state[key], value, **tol)


def run_both(t_module, j_module, *inputs, grad=True, **tol):
    """Forward both modules on the same inputs (non-tensors pass through) and compare outputs, then input and
    parameter gradients; a tuple output is differentiated through its first element."""
    t_inputs = [x.detach().requires_grad_(grad and x.is_floating_point()) if isinstance(x, torch.Tensor) else x
                for x in inputs]
    j_inputs = [to_jt(x) for x in t_inputs]
    expected, got = t_module(*t_inputs), j_module(*j_inputs)
    assert_same(got, expected, **tol)
    if grad:
        out_t, out_j = (expected[0], got[0]) if isinstance(expected, tuple) else (expected, got)
        cotangent = torch.randn(out_t.shape, dtype=out_t.dtype)
        out_t.backward(cotangent)
        out_j.backward(to_jt(cotangent))
        tensors = [(j, t) for j, t in zip(j_inputs, t_inputs) if isinstance(t, torch.Tensor)]
        assert_same_grads([j for j, _ in tensors], [t for _, t in tensors], **tol)
        assert_same_grads(list(j_module.parameters()), list(t_module.parameters()), **tol)
    return got, expected


def pytest_terminal_summary(terminalreporter):
    """The OpInfo suite's summary line (tests/test_opinfo.py records each case as an "opinfo" property:
    op id, forward passed, gradient passed or None where not differentiable); works under xdist."""
    forward, gradient = {}, {}
    for reports in terminalreporter.stats.values():
        for report in reports:
            if getattr(report, "when", None) != "call":
                continue
            for name, value in getattr(report, "user_properties", ()):
                if name == "opinfo":
                    op_id, fwd, grad = value
                    forward[op_id] = forward.get(op_id, True) and fwd
                    if grad is not None:
                        gradient[op_id] = gradient.get(op_id, True) and grad
    if forward:
        terminalreporter.write_line(f"OpInfo summary: forward {sum(forward.values())}/{len(forward)} ops passing, "
                                    f"gradient {sum(gradient.values())}/{len(gradient)} ops passing")
