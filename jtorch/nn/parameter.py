"""Parameter: a leaf Tensor that Modules register as a parameter."""
from .._ops.creation import empty
from .._tensor import Tensor


class Parameter(Tensor):
    """torch.nn.Parameter(data=None, requires_grad=True). Holds data's value (not a copy)."""

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            data = empty(0)
        param = object.__new__(cls)
        param._value = data._value
        param._grad_fn = None
        param.requires_grad_(requires_grad)
        return param

    def __init__(self, data=None, requires_grad=True):
        pass

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    def __reduce_ex__(self, protocol):
        return (_rebuild_parameter, (self.detach(), self.requires_grad))

    def __deepcopy__(self, memo):
        if id(self) not in memo:
            memo[id(self)] = Parameter(self.detach().clone(), self.requires_grad)
        return memo[id(self)]


def _rebuild_parameter(data, requires_grad):
    return Parameter(data, requires_grad)
