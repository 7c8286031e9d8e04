"""Adagrad (lr_decay, weight decay, initial accumulator, eps, maximize): torch's single-tensor formulas."""
import jax.numpy as jnp

from .._ops.creation import full_like
from .optimizer import Optimizer, scalar, step_tensor


class Adagrad(Optimizer):
    """torch.optim.Adagrad: like torch, the state of every parameter is created by the constructor."""

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10,
                 foreach=None, *, maximize=False, differentiable=False, fused=None):
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= lr_decay:
            raise ValueError(f"Invalid lr_decay value: {lr_decay}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= initial_accumulator_value:
            raise ValueError(f"Invalid initial_accumulator_value value: {initial_accumulator_value}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        defaults = {"lr": lr, "lr_decay": lr_decay, "eps": eps, "weight_decay": weight_decay,
                    "initial_accumulator_value": initial_accumulator_value, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable, "fused": fused}
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                self._state_of(p, group)

    def _init_state(self, param, group):
        value = self.defaults["initial_accumulator_value"]
        if param.is_complex():
            value = complex(value, value)
        return {"step": step_tensor(param), "sum": full_like(param, value)}

    def _flags(self, group):
        return group["maximize"], group["weight_decay"] != 0

    def _hyper(self, group):
        return {k: float(group[k]) for k in ("lr", "lr_decay", "eps", "weight_decay")}

    @staticmethod
    def _update(param, grad, state, h, flags):
        maximize, decay = flags
        dt = param.dtype
        step = state["step"] + 1
        if maximize:
            grad = -grad
        if decay:
            grad = grad + scalar(h["weight_decay"], dt) * param
        clr = h["lr"] / (1 + (step.astype(jnp.float64) - 1) * h["lr_decay"])
        state_sum = state["sum"] + grad * grad
        std = jnp.sqrt(state_sum) + scalar(h["eps"], dt)
        return param + scalar(-clr, dt) * grad / std, {"step": step, "sum": state_sum}
