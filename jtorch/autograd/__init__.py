"""torch.autograd: backward, grad, grad modes and graph nodes."""
from .api import backward, grad
from .function import Function, FunctionCtx, once_differentiable
from .grad_mode import enable_grad, inference_mode, no_grad, set_grad_enabled
from .graph import Node

__all__ = ["backward", "grad", "Function", "FunctionCtx", "once_differentiable", "enable_grad", "inference_mode",
           "no_grad", "set_grad_enabled", "Node"]
