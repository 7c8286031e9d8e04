"""clip_grad_norm_ and clip_grad_value_: one jitted call over all gradients, written back in place.

Differs from torch: `foreach` is accepted and ignored; all gradients must be on one device.
"""
import functools
import types
import warnings

import jax
import jax.numpy as jnp

from ..._ops.creation import tensor
from ..._tensor import Tensor, wrap


def _vector_norm(x, p):
    """torch.linalg.vector_norm of all elements of x (real, floating)."""
    a = jnp.abs(x)
    if p == float("inf"):
        return jnp.max(a)
    if p == float("-inf"):
        return jnp.min(a)
    if p == 0:
        return jnp.sum(x != 0).astype(a.dtype)
    if p == 1:
        return jnp.sum(a)
    if p == 2:
        return jnp.sqrt(jnp.sum(a * a))
    return jnp.sum(a ** p) ** (1.0 / p)


@functools.partial(jax.jit, static_argnums=2)
def _norm_and_clip(grads, max_norm, norm_type):
    """(total norm of the per-gradient norms, gradients scaled by min(max_norm / (total + 1e-6), 1)).

    Like torch, each gradient's norm is in its own dtype and the coefficient is reciprocal(total + 1e-6) * max_norm.
    """
    total = _vector_norm(jnp.stack([_vector_norm(g, norm_type) for g in grads]), norm_type)
    coef = jnp.minimum(1 / (total + jnp.asarray(1e-6, total.dtype)) * max_norm.astype(total.dtype), 1.0)
    return total, [g * coef.astype(g.dtype) for g in grads]


@jax.jit
def _clamp_all(grads, clip_value):
    return [jnp.minimum(jnp.maximum(g, -clip_value.astype(g.dtype)), clip_value.astype(g.dtype)) for g in grads]


def _grads_of(parameters):
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p.grad for p in parameters if p.grad is not None]


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Scale the gradients so that their joint norm is at most max_norm; returns that norm (before clipping)."""
    if not isinstance(parameters, Tensor):
        is_generator = isinstance(parameters, types.GeneratorType)
        parameters = list(parameters)
        if is_generator and len(parameters) == 0:
            warnings.warn("`parameters` is an empty generator, no gradient clipping will occur.", stacklevel=2)
    grads = _grads_of(parameters)
    if not grads:
        return tensor(0.0)
    total, clipped = _norm_and_clip([g._value for g in grads], float(max_norm), float(norm_type))
    if error_if_nonfinite and not bool(jnp.isfinite(total)):
        raise RuntimeError(
            f"The total norm of order {float(norm_type)} for gradients from `parameters` is non-finite, so it "
            "cannot be clipped. To disable this error and scale the gradients by the non-finite norm anyway, set "
            "`error_if_nonfinite=False`")
    for g, value in zip(grads, clipped):
        g._inplace_set(value)
    return wrap(total)


def clip_grad_norm(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Deprecated alias of clip_grad_norm_."""
    warnings.warn("`torch.nn.utils.clip_grad_norm` is now deprecated in favor of `torch.nn.utils.clip_grad_norm_`.",
                  FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp every gradient to [-clip_value, clip_value] in place."""
    grads = _grads_of(parameters)
    if grads:
        for g, value in zip(grads, _clamp_all([g._value for g in grads], float(clip_value))):
            g._inplace_set(value)
