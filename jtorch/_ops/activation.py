"""Pure jax kernels of the activations beyond those in `_ops.nn`: prelu, rrelu, hardswish, hardsigmoid,
threshold, softshrink and hardshrink, with torch's values (signs of zero, NaN) and backward formulas."""
import jax
import jax.numpy as jnp
import numpy as np


def _with_backward(forward, backward):
    """forward(x, *params) whose gradient for the cotangent t is backward(t, x, *params) (torch's formula)."""
    f = jax.custom_jvp(forward)

    @f.defjvp
    def _jvp(primals, tangents):
        return f(*primals), backward(tangents[0], *primals).astype(tangents[0].dtype)
    return f


def prelu(x, w):
    """max(0, x) + w * min(0, x); w (1) or (C) broadcast along dim 1."""
    shape = [1] * x.ndim
    if x.ndim > 1:
        shape[1] = w.size
    return jnp.where(x > 0, x, w.reshape(shape) * x)


def scale_by_noise(x, noise):
    """x * noise (rrelu in training: the noise holds the sampled slopes where x <= 0 and 1 elsewhere)."""
    return x * noise


def _hardswish(x):
    return x * jnp.minimum(jnp.maximum(x + 3, 0), 6) / 6


def _hardswish_backward(t, x):
    return jnp.where(x <= -3, 0, jnp.where(x < 3, t * (x / 3 + jnp.asarray(0.5, x.dtype)), t))


hardswish = _with_backward(_hardswish, _hardswish_backward)


def _hardsigmoid(x):
    return jnp.minimum(jnp.maximum(x + 3, 0), 6) / 6


_ONE_SIXTH = float(np.float32(1 / 6))  # torch's backward uses the float constant for every dtype


def _hardsigmoid_backward(t, x):
    return jnp.where((x > -3) & (x < 3), t * jnp.asarray(_ONE_SIXTH, t.dtype), 0)


hardsigmoid = _with_backward(_hardsigmoid, _hardsigmoid_backward)


def threshold(x, limit, value):
    """value where x <= threshold, else x (NaN kept); value cast to x's dtype."""
    return jnp.where(x <= limit, jnp.asarray(value).astype(x.dtype), x)


def _softshrink(x, lambd):
    lambd = jnp.asarray(lambd, x.dtype)
    return jnp.where(x > lambd, x - lambd, jnp.where(x < -lambd, x + lambd, x * 0))


def _softshrink_backward(t, x, lambd):
    return jnp.where((x >= -lambd) & (x <= lambd), 0, t)


softshrink = _with_backward(_softshrink, _softshrink_backward)


def hardshrink(x, lambd):
    """0 where -lambd <= x <= lambd, else x."""
    return jnp.where((x >= -lambd) & (x <= lambd), jnp.zeros((), x.dtype), x)
