"""RMSprop (alpha, eps, weight decay, momentum, centered, maximize): torch's single-tensor formulas."""
import jax.numpy as jnp

from .._ops.creation import zeros_like
from .optimizer import Optimizer, lerp, scalar, step_tensor


class RMSprop(Optimizer):
    """torch.optim.RMSprop."""

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= momentum:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= alpha:
            raise ValueError(f"Invalid alpha value: {alpha}")
        defaults = {"lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps, "centered": centered,
                    "weight_decay": weight_decay, "capturable": capturable, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable}
        super().__init__(params, defaults)

    def _init_state(self, param, group):
        state = {"step": step_tensor(param), "square_avg": zeros_like(param)}
        if group["momentum"] > 0:
            state["momentum_buffer"] = zeros_like(param)
        if group["centered"]:
            state["grad_avg"] = zeros_like(param)
        return state

    def _flags(self, group):
        return group["momentum"] > 0, group["centered"], group["maximize"], group["weight_decay"] != 0

    def _hyper(self, group):
        return {k: float(group[k]) for k in ("lr", "alpha", "eps", "weight_decay", "momentum")}

    @staticmethod
    def _update(param, grad, state, h, flags):
        use_momentum, centered, maximize, decay = flags
        dt = param.dtype
        if maximize:
            grad = -grad
        new_state = {"step": state["step"] + 1}
        if decay:
            grad = grad + scalar(h["weight_decay"], dt) * param
        square_avg = new_state["square_avg"] = (state["square_avg"] * scalar(h["alpha"], dt)
                                                + scalar(1 - h["alpha"], dt) * grad * grad)
        if centered:
            grad_avg = new_state["grad_avg"] = lerp(state["grad_avg"], grad, 1 - h["alpha"])
            avg = jnp.sqrt(square_avg - grad_avg * grad_avg)
        else:
            avg = jnp.sqrt(square_avg)
        avg = avg + scalar(h["eps"], dt)
        if use_momentum:
            buf = new_state["momentum_buffer"] = state["momentum_buffer"] * scalar(h["momentum"], dt) + grad / avg
            return param + scalar(-h["lr"], dt) * buf, new_state
        return param + scalar(-h["lr"], dt) * grad / avg, new_state
