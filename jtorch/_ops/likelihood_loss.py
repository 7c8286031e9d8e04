"""Pure jax kernels of the likelihood losses: Poisson and Gaussian negative log-likelihood, and CTC.

CTC runs the forward (alpha) recursion as one `lax.scan` over time in log space. Its gradient is torch's:
torch's CTC backward returns exp(log_probs) - gamma (the gradient with respect to the logits under a
log_softmax) rather than -gamma, and jtorch reproduces that.
"""
import functools
import math

import jax
import jax.numpy as jnp
from jax import lax

from .loss import reduce


def poisson_nll(x, target, eps, *, log_input, full, reduction):
    """exp(x) - target * x (log_input) or x - target * log(x + eps); `full` adds Stirling's term where
    target > 1."""
    loss = jnp.exp(x) - target * x if log_input else x - target * jnp.log(x + eps)
    if full:
        stirling = target * jnp.log(target) - target + 0.5 * jnp.log(2 * math.pi * target)
        loss = loss + jnp.where(target <= 1, jnp.zeros((), stirling.dtype), stirling)
    return reduce(loss, reduction)


def gaussian_nll(x, target, var, eps, *, full, expand_var, reduction):
    """0.5 * (log(var) + (x - target)^2 / var) (+ 0.5 log(2 pi) when full), var clamped to at least eps
    without changing its gradient (torch clamps under no_grad); expand_var appends a trailing dim to var."""
    if expand_var:
        var = var[..., None]
    clamped = lax.stop_gradient(jnp.maximum(var, eps)) + (var - lax.stop_gradient(var))
    loss = 0.5 * (jnp.log(clamped) + (x - target) ** 2 / clamped)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return reduce(loss, reduction)


# ---- CTC ------------------------------------------------------------------------------------------------------

def _logsumexp(*terms):
    """log(sum(exp(terms))) elementwise, -inf (with zero gradients) where every term is -inf."""
    top = lax.stop_gradient(functools.reduce(jnp.maximum, terms))
    top = jnp.where(jnp.isfinite(top), top, 0)
    total = sum(jnp.exp(t - top) for t in terms)
    positive = total > 0
    return jnp.where(positive, top + jnp.log(jnp.where(positive, total, 1)), -jnp.inf)


def _shift(a, k):
    """a moved k states to the right along the last axis, -inf filling the first k."""
    return jnp.pad(a, ((0, 0), (k, 0)), constant_values=-jnp.inf)[:, :a.shape[1]]


def _ctc_nll(log_probs, labels, input_lengths, target_lengths, blank):
    """Negative log-likelihoods (N) of the label rows (N, S) (the first target_length of each are used) under
    log_probs (T, N, C), from the alpha recursion over the blank-interleaved labels."""
    steps, batch, _ = log_probs.shape
    states = 2 * labels.shape[1] + 1
    extended = jnp.full((batch, states), blank, labels.dtype).at[:, 1::2].set(labels)
    skip = jnp.zeros((batch, states), bool).at[:, 3::2].set(labels[:, 1:] != labels[:, :-1])

    def emissions(t):
        return jnp.take_along_axis(log_probs[t], extended, axis=1)

    starts = jnp.arange(states) < jnp.where(target_lengths > 0, 2, 1)[:, None]
    alpha = jnp.where(starts, emissions(0), -jnp.inf)

    def step(alpha, t):
        moved = _logsumexp(alpha, _shift(alpha, 1), jnp.where(skip, _shift(alpha, 2), -jnp.inf)) + emissions(t)
        return jnp.where((t < input_lengths)[:, None], moved, alpha), None

    alpha, _ = lax.scan(step, alpha, jnp.arange(1, steps))
    last = jnp.take_along_axis(alpha, 2 * target_lengths[:, None], axis=1)[:, 0]
    before = jnp.take_along_axis(alpha, jnp.maximum(2 * target_lengths - 1, 0)[:, None], axis=1)[:, 0]
    nll = -_logsumexp(last, jnp.where(target_lengths > 0, before, -jnp.inf))
    empty = jnp.where(target_lengths == 0, jnp.zeros((), nll.dtype), jnp.inf)
    return jnp.where(input_lengths == 0, empty, nll)


@functools.partial(jax.custom_vjp, nondiff_argnums=(4, 5))
def _ctc(log_probs, labels, input_lengths, target_lengths, blank, zero_infinity):
    nll = _ctc_nll(log_probs, labels, input_lengths, target_lengths, blank)
    return jnp.where(jnp.isinf(nll), 0, nll).astype(nll.dtype) if zero_infinity else nll


def _ctc_fwd(log_probs, labels, input_lengths, target_lengths, blank, zero_infinity):
    out = _ctc(log_probs, labels, input_lengths, target_lengths, blank, zero_infinity)
    return out, (log_probs, labels, input_lengths, target_lengths)


def _ctc_bwd(blank, zero_infinity, saved, grad):
    """torch's gradient: (exp(log_probs) - gamma) * grad for t < input_length, 0 after; zero for infinite
    losses under zero_infinity."""
    log_probs, labels, input_lengths, target_lengths = saved
    nll, vjp = jax.vjp(lambda lp: _ctc_nll(lp, labels, input_lengths, target_lengths, blank), log_probs)
    if zero_infinity:
        grad = jnp.where(jnp.isinf(nll), 0, grad).astype(grad.dtype)
    active = jnp.arange(log_probs.shape[0])[:, None] < input_lengths[None, :]
    occupancy, = vjp(grad)
    return occupancy + jnp.exp(log_probs) * jnp.where(active, grad, 0)[..., None], None, None, None


_ctc.defvjp(_ctc_fwd, _ctc_bwd)


def ctc(log_probs, targets, label_index, input_lengths, target_lengths, *, blank, reduction, zero_infinity,
        batched):
    """CTC loss of log_probs (T, N, C) (or (T, C) unbatched); the labels of sample n are
    targets.reshape(-1)[label_index[n, :target_lengths[n]]]. 'mean' divides each loss by its target length
    (at least 1) before averaging over the batch."""
    if not batched:
        log_probs = log_probs[:, None]
    classes = log_probs.shape[2]
    labels = jnp.take(targets.reshape(-1), label_index).astype(jnp.int32)
    listed = jnp.arange(label_index.shape[1]) < target_lengths[:, None]
    labels = jnp.where(listed, jnp.clip(labels, 0, classes - 1), blank)
    nll = _ctc(log_probs, labels, input_lengths, target_lengths, blank, zero_infinity)
    if reduction == "mean":
        return jnp.mean(nll / jnp.maximum(target_lengths, 1).astype(nll.dtype))
    if reduction == "sum":
        return nll.sum()
    return nll if batched else nll[0]
