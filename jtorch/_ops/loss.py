"""Pure jax kernels of the losses: each computes a whole loss, weights and reduction included.

Every kernel takes its arrays positionally (an absent weight is None) and its
options as static keywords, and is run by `jtorch.nn.functional` as one
dispatch. Kernels that torch bounds-checks return `(loss, check)`, `check` an
int64 array the caller inspects to raise torch's error.
"""
import jax
import jax.numpy as jnp
import numpy as np
from jax.scipy.special import xlogy

_BCE_EPSILON = float(np.float32(1e-12))  # torch's float constant, also used for float64


def reduce(loss, reduction, total=None):
    """'none': loss; 'sum': its sum; 'mean': the sum over `total` (default: the mean over elements)."""
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    if total is None:
        return loss.mean()
    return loss.sum() / total


def _weighted(loss, weight, reduction, mean_by_weight, in_place=False):
    """Multiply by `weight` (if any) and reduce; a weighted mean divides by the weight sum if `mean_by_weight`.

    in_place: the product keeps loss's dtype, as torch's `loss.mul_(weight)`.
    """
    if weight is None:
        return reduce(loss, reduction)
    loss = (loss * weight).astype(loss.dtype) if in_place else loss * weight
    return reduce(loss, reduction, weight.sum() if mean_by_weight else None)


def _difference(x, y, dtype):
    return x.astype(dtype) - y.astype(dtype)


def mse(x, y, weight, *, dtype, reduction):
    """(x - y)^2, broadcast; a weighted mean divides by the weight sum."""
    d = _difference(x, y, dtype)
    return _weighted(d * d, weight, reduction, mean_by_weight=True)


def l1(x, y, weight, *, dtype, reduction):
    """|x - y|, broadcast; a weighted mean divides by the weight sum."""
    return _weighted(jnp.abs(_difference(x, y, dtype)), weight, reduction, mean_by_weight=True)


def smooth_l1(x, y, *, dtype, reduction, beta):
    """0.5 d^2 / beta where |d| < beta, else |d| - beta / 2 (beta > 0)."""
    d = _difference(x, y, dtype)
    z = jnp.abs(d)
    return reduce(jnp.where(z < beta, 0.5 * d * d / beta, z - 0.5 * beta), reduction)


def huber(x, y, weight, *, dtype, out_dtype, reduction, delta):
    """0.5 d^2 where |d| < delta, else delta (|d| - delta / 2); computed in `dtype`, stored in `out_dtype`."""
    d = _difference(x, y, dtype)
    z = jnp.abs(d)
    loss = jnp.where(z < delta, 0.5 * d * d, delta * (z - 0.5 * delta)).astype(out_dtype)
    return _weighted(loss, weight, reduction, mean_by_weight=False)


@jax.custom_vjp
def _bce_terms(x, t):
    """Elementwise BCE with both logs clamped at -100, as torch's."""
    return (t - 1) * jnp.maximum(jnp.log1p(-x), -100) - t * jnp.maximum(jnp.log(x), -100)


def _bce_terms_fwd(x, t):
    return _bce_terms(x, t), (x, t)


def _bce_terms_bwd(saved, g):
    """torch's formulas: (x - t) / max(x (1 - x), 1e-12) for x, -logit(x) for t (finite where x is 0 or 1)."""
    x, t = saved
    return g * (x - t) / jnp.maximum((1 - x) * x, _BCE_EPSILON), -g * jnp.log(x / (1 - x))


_bce_terms.defvjp(_bce_terms_fwd, _bce_terms_bwd)


def _outside_unit(a):
    return ~((a >= 0) & (a <= 1)).all()


def bce(x, t, weight, *, reduction):
    """(loss, check): check = [input outside [0, 1], target outside [0, 1]] (NaN counts as outside)."""
    loss = _weighted(_bce_terms(x, t), weight, reduction, mean_by_weight=False, in_place=True)
    return loss, jnp.stack([_outside_unit(x), _outside_unit(t)]).astype(jnp.int64)


def bce_with_logits(x, t, weight, pos_weight, *, reduction):
    """(1 - t) x - (1 + (pos_weight - 1) t) log_sigmoid(x), times weight; stable for large |x|.

    Dtypes follow torch's in-place steps: log_sigmoid in x's dtype, the loss in t's.
    """
    log_sig = jax.nn.log_sigmoid(x)
    if pos_weight is not None:
        log_sig = (log_sig * ((pos_weight - 1) * t + 1)).astype(x.dtype)
    loss = (((1 - t) * x).astype(t.dtype) - log_sig).astype(t.dtype)
    return _weighted(loss, weight, reduction, mean_by_weight=False, in_place=True)


def kl_div(x, t, *, dtype, reduction, log_target, divisor):
    """Pointwise KL term t (log t - x) (or e^t (t - x) for log targets), reduced, then divided by `divisor`."""
    x, t = x.astype(dtype), t.astype(dtype)
    loss = jnp.exp(t) * (t - x) if log_target else xlogy(t, t) - t * x
    out = reduce(loss, reduction)
    return out if divisor is None else out / divisor


def _class_axis(x):
    return 0 if x.ndim == 1 else 1


def _class_shape(x):
    """Shape that broadcasts a per-class vector along the class axis of x."""
    return (-1,) + (1,) * (x.ndim - 1 - _class_axis(x))


def nll(x, target, weight, *, ignore_index, reduction, logits, smoothing):
    """Negative log-likelihood over class axis 1 (axis 0 for an unbatched (C,) input).

    logits: x holds logits (cross_entropy: log_softmax first), else log-probabilities.
    smoothing: torch's label smoothing, mixing in the mean of -weight * log p over classes.
    A weighted mean divides by the summed weights of the non-ignored targets (NaN when there are none);
    ignored targets contribute 0 to the loss and to the gradient. Out-of-range targets are checked by the caller.
    """
    axis = _class_axis(x)
    logp = jax.nn.log_softmax(x, axis=axis) if logits else x
    n_classes = x.shape[axis]
    target = target.astype(jnp.int64).reshape(target.shape if x.ndim > 1 else ())
    valid = target != ignore_index
    safe = jnp.where(valid & (target >= 0) & (target < n_classes), target, 0)
    picked = jnp.take_along_axis(logp, jnp.expand_dims(safe, axis), axis=axis).squeeze(axis)
    w = jnp.where(valid, 1 if weight is None else weight[safe], 0).astype(x.dtype)
    loss = jnp.where(valid, -w * picked, 0)
    if smoothing:
        per_class = logp if weight is None else logp * weight.reshape(_class_shape(x))
        smooth = jnp.where(valid, -per_class.sum(axis), 0)
        loss = (1 - smoothing) * loss + smoothing / n_classes * smooth
    return reduce(loss, reduction, w.sum())


def soft_cross_entropy(x, target, weight, *, reduction, smoothing):
    """Cross entropy with class-probability targets of x's shape; 'mean' divides by numel / n_classes."""
    axis = _class_axis(x)
    logp = jax.nn.log_softmax(x, axis=axis)
    if smoothing:
        target = target * (1 - smoothing) + smoothing / x.shape[axis]
    terms = logp * target
    if weight is not None:
        terms = terms * weight.reshape(_class_shape(x))
    return reduce(-terms.sum(axis), reduction)
