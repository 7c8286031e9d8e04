"""Adam (and AdamW's decoupled weight decay): torch's single-tensor formulas, bias corrections in float64."""
import jax.numpy as jnp

from .._ops.creation import zeros_like
from .optimizer import Optimizer, lerp, scalar, step_tensor


class Adam(Optimizer):
    """torch.optim.Adam. Differs from torch: betas and lr must be numbers, not Tensors."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
                 foreach=None, maximize=False, capturable=False, differentiable=False, fused=None,
                 decoupled_weight_decay=False):
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "betas": tuple(betas), "eps": eps, "weight_decay": weight_decay, "amsgrad": amsgrad,
                    "maximize": maximize, "foreach": foreach, "capturable": capturable,
                    "differentiable": differentiable, "fused": fused,
                    "decoupled_weight_decay": decoupled_weight_decay}
        super().__init__(params, defaults)

    def _init_state(self, param, group):
        state = {"step": step_tensor(param), "exp_avg": zeros_like(param), "exp_avg_sq": zeros_like(param)}
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = zeros_like(param)
        return state

    def _flags(self, group):
        return group["amsgrad"], group["maximize"], group["weight_decay"] != 0, group["decoupled_weight_decay"]

    def _hyper(self, group):
        beta1, beta2 = group["betas"]
        return {"lr": float(group["lr"]), "beta1": float(beta1), "beta2": float(beta2), "eps": float(group["eps"]),
                "weight_decay": float(group["weight_decay"])}

    @staticmethod
    def _update(param, grad, state, h, flags):
        amsgrad, maximize, decay, decoupled = flags
        dt = param.dtype
        if maximize:
            grad = -grad
        step = state["step"] + 1
        if decay and decoupled:
            param = param * scalar(1 - h["lr"] * h["weight_decay"], dt)
        elif decay:
            grad = grad + scalar(h["weight_decay"], dt) * param
        exp_avg = lerp(state["exp_avg"], grad, 1 - h["beta1"])
        exp_avg_sq = state["exp_avg_sq"] * scalar(h["beta2"], dt) + scalar(1 - h["beta2"], dt) * grad * grad
        new_state = {"step": step, "exp_avg": exp_avg, "exp_avg_sq": exp_avg_sq}
        t = step.astype(jnp.float64)
        step_size = h["lr"] / (1 - h["beta1"] ** t)
        bias_correction2_sqrt = (1 - h["beta2"] ** t) ** 0.5
        second_moment = exp_avg_sq
        if amsgrad:
            second_moment = new_state["max_exp_avg_sq"] = jnp.maximum(state["max_exp_avg_sq"], exp_avg_sq)
        denom = jnp.sqrt(second_moment) / scalar(bias_correction2_sqrt, dt) + scalar(h["eps"], dt)
        return param + scalar(-step_size, dt) * exp_avg / denom, new_state
