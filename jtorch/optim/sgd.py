"""SGD with momentum, dampening, Nesterov, weight decay and maximize: torch's single-tensor formulas."""
from .optimizer import Optimizer, scalar


class SGD(Optimizer):
    """torch.optim.SGD."""

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *, maximize=False,
                 foreach=None, differentiable=False, fused=None):
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening, "weight_decay": weight_decay,
                    "nesterov": nesterov, "maximize": maximize, "foreach": foreach,
                    "differentiable": differentiable, "fused": fused}
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)

    def _keeps_state(self, group):
        return group["momentum"] != 0

    def _flags(self, group):
        return group["momentum"] != 0, group["nesterov"], group["maximize"], group["weight_decay"] != 0

    def _hyper(self, group):
        return {k: float(group[k]) for k in ("lr", "momentum", "dampening", "weight_decay")}

    @staticmethod
    def _update(param, grad, state, h, flags):
        use_momentum, nesterov, maximize, decay = flags
        dt = param.dtype
        if maximize:
            grad = -grad
        if decay:
            grad = grad + scalar(h["weight_decay"], dt) * param
        new_state = {}
        if use_momentum:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = grad
            else:
                buf = buf * scalar(h["momentum"], dt) + scalar(1 - h["dampening"], dt) * grad
            new_state["momentum_buffer"] = buf
            grad = grad + scalar(h["momentum"], dt) * buf if nesterov else buf
        return param + scalar(-h["lr"], dt) * grad, new_state
