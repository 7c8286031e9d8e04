"""Helpers shared by the distributions (torch.distributions.utils)."""
import functools

import jax.numpy as jnp

from .. import _dtype
from .._ops import creation, pointwise, random
from .._ops._common import broadcast_shapes
from .._tensor import Tensor
from ..autograd.grad_mode import enable_grad
from ..nn import functional as F

euler_constant = 0.57721566490153286060

__all__ = ["broadcast_all", "logits_to_probs", "clamp_probs", "probs_to_logits", "lazy_property"]

_NUMBER = (int, float, bool)


def finfo(dtype):
    """The numpy `finfo` of a floating jtorch dtype (what torch.finfo reports)."""
    return jnp.finfo(dtype._np)


def broadcast_all(*values):
    """Tensors broadcast to a common shape; numbers become tensors of the first tensor's dtype and device
    (the default dtype when all are numbers)."""
    if not all(isinstance(v, Tensor) or isinstance(v, _NUMBER) for v in values):
        raise ValueError("Input arguments must all be instances of Number, torch.Tensor or objects implementing "
                         "__torch_function__.")
    like = next((v for v in values if isinstance(v, Tensor)), None)
    options = {"dtype": _dtype.get_default_dtype()} if like is None else {"dtype": like.dtype, "device": like.device}
    tensors = [v if isinstance(v, Tensor) else creation.tensor(v, **options) for v in values]
    common = broadcast_shapes(*(tuple(t.shape) for t in tensors))
    # expanded one by one (not one broadcast_tensors node), so a parameter an expression does not use gets no
    # gradient, as in torch
    return tuple(t if tuple(t.shape) == common else t.expand(common) for t in tensors)


def shown(value):
    """What torch's f-strings print for `value`: a 0-dim tensor as its number (torch's Tensor.__format__)."""
    return value.item() if isinstance(value, Tensor) and value.dim() == 0 else value


def _standard_normal(sample_shape, dtype, device):
    """`empty(shape).normal_()`: standard normals from the default generator."""
    return random.randn(sample_shape, dtype=dtype, device=device)


def _sum_rightmost(value, dim):
    """Sums out the `dim` rightmost dimensions."""
    if dim == 0:
        return value
    return value.reshape(value.shape[:-dim] + (-1,)).sum(-1)


def logits_to_probs(logits, is_binary=False):
    if is_binary:
        return pointwise.sigmoid(logits)
    return F.softmax(logits, dim=-1)


def clamp_probs(probs):
    """Probabilities clamped to [eps, 1 - eps] for the dtype's machine epsilon."""
    eps = float(finfo(probs.dtype).eps)
    return probs.clamp(min=eps, max=1 - eps)


def probs_to_logits(probs, is_binary=False):
    clamped = clamp_probs(probs)
    if is_binary:
        return pointwise.log(clamped) - pointwise.log1p(-clamped)
    return pointwise.log(clamped)


class lazy_property:
    """A property computed (with grad enabled) on first access and then stored on the instance."""

    def __init__(self, wrapped):
        self.wrapped = wrapped
        functools.update_wrapper(self, wrapped)

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        with enable_grad():
            value = self.wrapped(instance)
        setattr(instance, self.wrapped.__name__, value)
        return value
