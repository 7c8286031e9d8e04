"""Functional likelihood losses: poisson_nll_loss, gaussian_nll_loss and ctc_loss, each torch's argument
checks and one dispatch of a kernel in `jtorch._ops.likelihood_loss`.

Differs from torch: gaussian_nll_loss reads var and ctc_loss its lengths on the host (torch does too), so
those calls synchronize with the device. ctc_loss with concatenated 1-d targets compiles one program per
power of two of the longest target, not per batch.
"""
import numpy as np

from .._dispatch import run
from .._ops import likelihood_loss as kernels
from .._ops._common import broadcast_shapes
from .._tensor import Tensor
from ._functional_losses import _valid, legacy_reduction

__all__ = ["poisson_nll_loss", "gaussian_nll_loss", "ctc_loss"]

_REDUCED_GRAD = {"mean": "MeanBackward0", "sum": "SumBackward0"}
_CHECKED = "(while checking arguments for ctc_loss_allocate_outputs)"


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8, reduce=None,
                     reduction="mean"):
    """exp(input) - target * input (log_input) or input - target * log(input + eps); full adds the Stirling
    approximation of log(target!) where target > 1."""
    if size_average is not None or reduce is not None:
        reduction = legacy_reduction(size_average, reduce)
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    broadcast_shapes(tuple(input.shape), tuple(target.shape))
    grad = _REDUCED_GRAD.get(reduction, "AddBackward0" if full else "SubBackward0")
    return run(kernels.poisson_nll, grad, input, target, eps, log_input=bool(log_input), full=bool(full),
               reduction=reduction)


def _var_layout(input, var):
    """Whether var needs a trailing dim to broadcast (one dim short of input), after torch's size checks."""
    if var.shape == input.shape:
        return False
    if tuple(input.shape[:-1]) == tuple(var.shape):
        return True
    if input.ndim == var.ndim and sum(v for i, v in zip(input.shape, var.shape) if i != v) == 1:
        return False
    raise ValueError("var is of incorrect size")


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    """0.5 * (log(max(var, eps)) + (input - target)^2 / max(var, eps)) (+ 0.5 log(2 pi) when full). var is a
    float, input's shape, input's shape without its last dim, or input's shape with one dim of size 1."""
    if isinstance(var, float):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        expand = False
    elif not isinstance(var, Tensor):
        raise TypeError(f"any(): argument 'input' (position 1) must be Tensor, not {type(var).__name__}")
    else:
        if np.any(np.asarray(var._value) < 0):
            raise ValueError("var has negative entry/entries")
        expand = _var_layout(input, var)
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not valid")
    grad = _REDUCED_GRAD.get(reduction, "AddBackward0" if full else "MulBackward0")
    return run(kernels.gaussian_nll, grad, input, target, var, eps, full=bool(full), expand_var=expand,
               reduction=reduction)


# ---- CTC ------------------------------------------------------------------------------------------------------

def _lengths(lengths, name):
    """A tensor or sequence of lengths as an int64 numpy array (read on the host, as torch does)."""
    if isinstance(lengths, Tensor):
        if lengths.dtype.is_floating_point or lengths.dtype.is_complex:
            raise RuntimeError(f"{name} must be integral")
        return np.asarray(lengths._value).astype(np.int64).reshape(-1)
    return np.asarray(lengths, dtype=np.int64).reshape(-1)


def _check_lengths(input_lengths, target_lengths, batch, steps):
    for name, values in (("input_lengths", input_lengths), ("target_lengths", target_lengths)):
        if values.size != batch:
            raise RuntimeError(f"{name} must be of size batch_size")
    for name, values in (("input_lengths", input_lengths), ("target_lengths", target_lengths)):
        if values.size and values.min() < 0:
            raise RuntimeError(f"Expected {name} to have value at least 0, but got value {values.min()} {_CHECKED}")
    if input_lengths.size and input_lengths.max() > steps:
        raise RuntimeError(f"Expected input_lengths to have value at most {steps}, but got value "
                           f"{input_lengths.max()} {_CHECKED}")


def _label_index(targets_shape, target_lengths, batched):
    """(N, S) positions into the flattened targets of each sample's labels: padded (N, S) targets, or
    concatenated 1-d targets (also those of an unbatched input; S then the next power of two of the longest
    target)."""
    longest = int(target_lengths.max(initial=0))
    if batched and len(targets_shape) == 2:
        width = targets_shape[-1]
        if longest > width:
            raise RuntimeError(f"Expected tensor to have size at least {longest} at dimension 1, but got size "
                               f"{width} for argument #2 'targets' {_CHECKED}")
        return np.arange(len(target_lengths))[:, None] * width + np.arange(width)
    total = int(target_lengths.sum())
    if targets_shape[0] != total:
        raise RuntimeError(f"Expected tensor to have size {total} at dimension 0, but got size {targets_shape[0]} "
                           f"for argument #2 'targets' {_CHECKED}")
    width = min(1 << max(longest - 1, 0).bit_length(), total) if longest else 0
    starts = np.cumsum(target_lengths) - target_lengths
    return np.minimum(starts[:, None] + np.arange(width), max(total - 1, 0))


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean", zero_infinity=False):
    """Connectionist temporal classification loss of log_probs (T, N, C) (or (T, C)) against targets, padded
    (N, S) or concatenated (sum(target_lengths)). 'mean' divides each loss by its target length; zero_infinity
    zeroes infinite losses and their gradients. The gradient is torch's (see `jtorch._ops.likelihood_loss`)."""
    reduction = _valid(reduction)
    if isinstance(input_lengths, Tensor) != isinstance(target_lengths, Tensor):
        raise TypeError("ctc_loss() received an invalid combination of arguments: input_lengths and target_lengths "
                        "must both be Tensors or both be tuples of ints")
    batched = log_probs.ndim == 3
    if log_probs.ndim not in (2, 3):
        raise RuntimeError(f"ctc_loss(): expected log_probs of 2 or 3 dims, but got {log_probs.ndim}")
    steps, classes = log_probs.shape[0], log_probs.shape[-1]
    batch = log_probs.shape[1] if batched else 1
    if not 0 <= blank < classes:
        raise RuntimeError("blank must be in label range")
    input_lengths = _lengths(input_lengths, "input_lengths")
    target_lengths = _lengths(target_lengths, "target_lengths")
    _check_lengths(input_lengths, target_lengths, batch, steps)
    label_index = _label_index(tuple(targets.shape), target_lengths, batched)
    grad = _REDUCED_GRAD.get(reduction, "CtcLossBackward0")
    return run(kernels.ctc, grad, log_probs, targets, label_index, input_lengths, target_lengths, blank=int(blank),
               reduction=reduction, zero_infinity=bool(zero_infinity), batched=batched)
