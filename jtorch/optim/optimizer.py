"""Optimizer: torch's public face (param_groups, state, state_dict) over one jitted update per step.

Every optimizer describes its update as a pure jax function of one
parameter, its gradient, its state arrays, the group's hyperparameters
(dynamic values) and the group's flags (static). `Optimizer.step` gathers
all parameters that have a gradient, runs that function for all of them in
ONE cached `jax.jit` call, and writes the results back in place, so params
and state tensors keep their identity. Changing a hyperparameter such as
`lr` between steps does not recompile; changing a flag (amsgrad, nesterov,
whether weight_decay is 0...) does.

Differs from torch: `differentiable=True` is not supported; `foreach`,
`fused` and `capturable` are accepted and stored but change nothing; a
Tensor `lr` is read as a Python float; all parameters of a step must be on
one device; the 'step' state tensor lives on its parameter's device (torch
keeps it on the cpu).
"""
import collections
import copy
import itertools
import warnings

import jax
import jax.numpy as jnp
from jax import lax

from .. import _dtype
from .._ops.creation import zeros
from .._tensor import Tensor, wrap
from ..autograd.grad_mode import enable_grad


class _RequiredParameter:
    """A default that every parameter group must set."""

    def __repr__(self):
        return "<required parameter>"


required = _RequiredParameter()


def _typename(obj):
    """torch.typename."""
    if isinstance(obj, Tensor):
        return obj.type()
    module = getattr(obj, "__module__", "") or ""
    qualname = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None)
    if qualname is None:
        module, qualname = type(obj).__module__ or "", type(obj).__qualname__
    return qualname if module in ("", "builtins") else f"{module}.{qualname}"


def _scalar_dtype():
    """The dtype of the 'step' state tensor: float64 under a float64 default dtype, else float32 (as torch)."""
    return _dtype.float64 if _dtype.get_default_dtype() is _dtype.float64 else _dtype.float32


def step_tensor(param):
    """A zero 'step' state tensor for `param`."""
    return zeros((), dtype=_scalar_dtype(), device=param.device)


def scalar(value, dtype):
    """A Python-float hyperparameter (float64) as the scalar torch passes to a kernel of `dtype`."""
    return lax.convert_element_type(value, dtype)


def lerp(start, end, weight):
    """torch's lerp with a scalar weight: the formula depends on |weight| < 0.5."""
    w = scalar(weight, start.dtype)
    return jnp.where(jnp.abs(w) < 0.5, start + w * (end - start), end - (end - start) * (1 - w))


def _compute_views(dtype):
    """(to, back): how torch computes on a parameter of `dtype`: complex as real views (..., 2), 16-bit floats in
    float32 (its opmath type; torch rounds after every kernel, jtorch once per step)."""
    if jnp.issubdtype(dtype, jnp.complexfloating):
        return (lambda x: jnp.stack([x.real, x.imag], axis=-1)), (lambda x: lax.complex(x[..., 0], x[..., 1]))
    if jnp.finfo(dtype).bits == 16:
        return (lambda x: x.astype(jnp.float32)), (lambda x: x.astype(dtype))
    return None, None


def _update_one(update, param, grad, state, hyper, flags):
    """`update` on one parameter; every state entry but 'step' is shaped like the parameter."""
    to, back = _compute_views(param.dtype)
    if to is None:
        return update(param, grad, state, hyper, flags)
    state = {k: v if k == "step" else to(v) for k, v in state.items()}
    new_param, new_state = update(to(param), to(grad), state, hyper, flags)
    return back(new_param), {k: v if k == "step" else back(v) for k, v in new_state.items()}


def _update_all(update, flags, params, grads, states, hypers):
    """Pure: `update` applied to every parameter of every group -> (new params, new states), nested by group."""
    new_params, new_states = [], []
    for group_flags, hyper, ps, gs, ss in zip(flags, hypers, params, grads, states):
        results = [_update_one(update, p, g, s, hyper, group_flags) for p, g, s in zip(ps, gs, ss)]
        new_params.append([r[0] for r in results])
        new_states.append([r[1] for r in results])
    return new_params, new_states


_jitted_update = jax.jit(_update_all, static_argnums=(0, 1))


class Optimizer:
    """torch.optim.Optimizer. Subclasses define `_update` (a pure per-parameter staticmethod
    (param, grad, state, hyper, flags) -> (param, state)), `_hyper(group)` (dict of Python floats),
    `_flags(group)` (hashable) and, when they keep state, `_init_state(param, group)`."""

    def __init__(self, params, defaults):
        if defaults.get("differentiable"):
            raise NotImplementedError("jtorch optimizers do not support differentiable=True")
        self.defaults = defaults
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of Tensors or dicts, "
                            "but got " + _typename(params))
        self.state = collections.defaultdict(dict)
        self.param_groups = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for param_group in param_groups:
            self.add_param_group(param_group)

    def __getstate__(self):
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state):
        self.__dict__.update(state)

    def __repr__(self):
        text = type(self).__name__ + " ("
        for i, group in enumerate(self.param_groups):
            text += f"\nParameter Group {i}\n"
            for key in sorted(group):
                if key != "params":
                    text += f"    {key}: {group[key]}\n"
        return text + ")"

    # ---- parameter groups ----
    def add_param_group(self, param_group):
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, but the ordering "
                            "of tensors in sets will change between runs. Please use a list instead.")
        params = list(params)
        names = [p[0] for p in params if isinstance(p, tuple)]
        param_group["params"] = [p[1] if isinstance(p, tuple) else p for p in params]
        if names:
            if len(names) != len(params):
                raise ValueError("all optimizer params should be with/without names. Some param names are missing")
            param_group["param_names"] = names
        for param in param_group["params"]:
            if not isinstance(param, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is " + _typename(param))
            if not (param.is_leaf or param.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(f"parameter group didn't specify a value of required optimization parameter {name}")
            param_group.setdefault(name, default)
        params = param_group["params"]
        if len(params) != len(set(params)):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; in future, this will "
                          "cause an error; see github.com/pytorch/pytorch/issues/40967 for more information",
                          stacklevel=3)
        param_set = set()
        for group in self.param_groups:
            param_set.update(group["params"])
            if ("param_names" in param_group) != ("param_names" in group):
                which = "with names" if "param_names" in param_group else "without names"
                raise ValueError("all optimizer param groups should be with/without names. "
                                 f"cannot add param group {which} to the optimizer")
        if not param_set.isdisjoint(params):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    def zero_grad(self, set_to_none=True):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none:
                    p.grad = None
                    continue
                if p.grad.grad_fn is not None:
                    p.grad.detach_()
                else:
                    p.grad.requires_grad_(False)
                p.grad.zero_()

    # ---- the update ----
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        self._apply_update()
        return loss

    def _keeps_state(self, group):
        """Whether the group's parameters get an entry in `state` (SGD without momentum keeps none)."""
        return True

    def _init_state(self, param, group):
        """The state of a parameter at its first step, in torch's key order."""
        return {}

    def _state_of(self, param, group):
        if not self._keeps_state(group):
            return None
        state = self.state[param]
        if not state:
            state.update(self._init_state(param, group))
        return state

    def _apply_update(self):
        """Run the jitted update over every parameter with a gradient, then write the results back in place."""
        groups = [(g, [p for p in g["params"] if p.grad is not None]) for g in self.param_groups]
        if not any(ps for _, ps in groups):
            return
        states = [[self._state_of(p, g) for p in ps] for g, ps in groups]
        new_params, new_states = _jitted_update(
            self._update, tuple(self._flags(g) for g, _ in groups),
            [[p._value for p in ps] for _, ps in groups],
            [[p.grad._value for p in ps] for _, ps in groups],
            [[{k: v._value for k, v in (s or {}).items()} for s in ss] for ss in states],
            [self._hyper(g) for g, _ in groups])
        for (_, ps), ss, new_ps, new_ss in zip(groups, states, new_params, new_states):
            for p, state, value, new_state in zip(ps, ss, new_ps, new_ss):
                p._inplace_set(value)
                for key, v in new_state.items():
                    if key in state:
                        state[key]._inplace_set(v)
                    else:
                        state[key] = wrap(v)

    # ---- state_dict ----
    def state_dict(self):
        """torch's layout: state keyed by parameter index, param_groups with 'params' as index lists."""
        index = {}
        start = 0

        def pack_group(group):
            nonlocal start
            packed = {k: v for k, v in group.items() if k != "params"}
            index.update({id(p): i for i, p in enumerate(group["params"], start) if id(p) not in index})
            packed["params"] = [index[id(p)] for p in group["params"]]
            start += len(packed["params"])
            return packed

        param_groups = [pack_group(g) for g in self.param_groups]
        state = {(index[id(k)] if isinstance(k, Tensor) else k): v for k, v in self.state.items()}
        return {"state": state, "param_groups": param_groups}

    def load_state_dict(self, state_dict):
        """Tensors are moved to their parameter's device (and floating ones, except 'step', to its dtype)."""
        groups = self.param_groups
        saved_groups = copy.deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match the size of "
                             "optimizer's group")
        id_map = dict(zip(itertools.chain.from_iterable(g["params"] for g in saved_groups),
                          itertools.chain.from_iterable(g["params"] for g in groups)))
        state = collections.defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                state[id_map[k]] = _cast(id_map[k], v)
            else:
                state[k] = v
        for group, new_group in zip(groups, saved_groups):
            new_group["params"] = group["params"]
            if "param_names" in group and "param_names" not in new_group:
                new_group["param_names"] = group["param_names"]
        self.__setstate__({"state": state, "param_groups": saved_groups})


def _cast(param, value, key=None):
    """A loaded state value for `param`: tensors on param's device, floating ones (not 'step') in its dtype."""
    if isinstance(value, Tensor):
        if key != "step" and param.is_floating_point():
            return value.to(dtype=param.dtype, device=param.device)
        return value.to(device=param.device)
    if isinstance(value, dict):
        return {k: _cast(param, v, k) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_cast(param, v) for v in value)
    return value
