"""Functional margin and embedding losses: torch's argument checks, then one dispatch of a kernel in
`jtorch._ops.margin_loss`.

Differs from torch: multilabel_margin_loss and multi_margin_loss read their class targets on the host to
raise torch's out-of-range errors, so each call synchronizes with the device.
"""
import numpy as np

from .. import _dtype
from .._dispatch import run
from .._ops import margin_loss as kernels
from .._ops._common import broadcast_shapes, dtype_name
from ._functional_losses import _constant, _reduction, legacy_reduction

__all__ = ["margin_ranking_loss", "hinge_embedding_loss", "cosine_embedding_loss", "triplet_margin_loss",
           "soft_margin_loss", "multilabel_soft_margin_loss", "multilabel_margin_loss", "multi_margin_loss"]

_REDUCED_GRAD = {"mean": "MeanBackward0", "sum": "SumBackward0"}


def _grad_name(reduction, unreduced):
    return _REDUCED_GRAD.get(reduction, unreduced)


def margin_ranking_loss(input1, input2, target, margin=0, size_average=None, reduce=None, reduction="mean"):
    """max(0, -target * (input1 - input2) + margin); all three of the same number of dims."""
    reduction = _reduction(size_average, reduce, reduction)
    if input1.ndim != input2.ndim or input1.ndim != target.ndim:
        raise RuntimeError(f"margin_ranking_loss : All input tensors should have same dimension but got sizes: "
                           f"input1: {input1.shape}, input2: {input2.shape}, target: {target.shape} ")
    broadcast_shapes(tuple(input1.shape), tuple(input2.shape), tuple(target.shape))
    return run(kernels.margin_ranking, _grad_name(reduction, "ClampMinBackward0"), input1, input2, target, margin,
               reduction=reduction)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None, reduction="mean"):
    """input where target is 1, max(0, margin - input) where target is -1 (no gradient for target, as torch)."""
    reduction = _reduction(size_average, reduce, reduction)
    broadcast_shapes(tuple(input.shape), tuple(target.shape))
    return run(kernels.hinge_embedding, _grad_name(reduction, "AddBackward0"), input, target.detach(), margin,
               reduction=reduction)


def cosine_embedding_loss(input1, input2, target, margin=0, size_average=None, reduce=None, reduction="mean"):
    """1 - cos(input1, input2) where target is 1, max(0, cos - margin) where it is -1; inputs (N, D) with
    target (N), or (D) with a 0-dim target."""
    reduction = _reduction(size_average, reduce, reduction)
    if target.ndim not in (0, 1):
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    expected = 2 if target.ndim == 1 else 1
    if input1.ndim != expected or input2.ndim != expected:
        raise RuntimeError(f"{target.ndim}D target tensor expects {expected}D input tensors, but found inputs with "
                           f"sizes {list(input1.shape)} and {list(input2.shape)}.")
    broadcast_shapes(tuple(input1.shape), tuple(input2.shape))
    broadcast_shapes(tuple(input1.shape[:-1]), tuple(target.shape))
    return run(kernels.cosine_embedding, _grad_name(reduction, "AddBackward0"), input1, input2, target.detach(),
               margin,
               reduction=reduction)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False, size_average=None,
                        reduce=None, reduction="mean"):
    """max(0, margin + ||a - p + eps||_p - ||a - n + eps||_p) over the last dim; swap uses the smaller of the
    anchor-negative and positive-negative distances."""
    reduction = _reduction(size_average, reduce, reduction)
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    if not anchor.ndim == positive.ndim == negative.ndim:
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have the same number of "
                           f"dimensions, but got: anchor {anchor.ndim}D, positive {positive.ndim}D, and negative "
                           f"{negative.ndim}D inputs")
    broadcast_shapes(tuple(anchor.shape), tuple(positive.shape), tuple(negative.shape))
    return run(kernels.triplet_margin, _grad_name(reduction, "ClampMinBackward0"), anchor, positive, negative,
               margin, eps, p=float(p), swap=bool(swap), reduction=reduction)


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """log(1 + exp(-target * input)), target broadcast against input."""
    reduction = _reduction(size_average, reduce, reduction)
    broadcast_shapes(tuple(input.shape), tuple(target.shape))
    target = _constant(target, "soft_margin_loss", "target")
    return run(kernels.soft_margin, "SoftMarginLossBackward0", input, target, reduction=reduction)


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    """Per-class binary cross entropy on logits, averaged over classes (the last dim): (N, C) -> (N)."""
    if size_average is not None or reduce is not None:
        reduction = legacy_reduction(size_average, reduce)
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not valid")
    broadcast_shapes(tuple(input.shape), tuple(target.shape))
    return run(kernels.multilabel_soft_margin, _grad_name(reduction, "DivBackward0"), input, target, weight,
               reduction=reduction)


def _check_class_input(input):
    if input.ndim not in (1, 2) or input.shape[-1] == 0:
        raise RuntimeError("Expected non-empty vector or matrix with optional 0-dim batch size, but got: "
                           f"{list(input.shape)}")


def _check_long(target):
    if target.dtype is not _dtype.int64:
        raise RuntimeError(f"expected scalar type Long but found {dtype_name(target.dtype)}")


def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """input (C) or (N, C), target int64 of input's shape listing each row's classes, ended by -1."""
    reduction = _reduction(size_average, reduce, reduction)
    _check_class_input(input)
    _check_long(target)
    if target.shape != input.shape:
        raise RuntimeError(f"inconsistent target size: {list(target.shape)} for input of size: "
                           f"{list(input.shape)}")
    classes = np.asarray(target._value)
    if np.any((classes < -1) | (classes >= input.shape[-1])):
        raise RuntimeError("argument #2 'target' is out of range")
    return run(kernels.multilabel_margin, "MultilabelMarginLossBackward0", input, target, reduction=reduction)


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None, reduce=None,
                      reduction="mean"):
    """input (C) or (N, C), int64 class target () or (N): the hinge (p = 1) or squared hinge (p = 2) of every
    other class's margin, times weight[target], averaged over classes."""
    reduction = _reduction(size_average, reduce, reduction)
    if p not in (1, 2):
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.ndim != 1:
        raise ValueError("weight must be one-dimensional")
    _check_class_input(input)
    _check_long(target)
    classes = input.shape[-1]
    batch = input.shape[0] if input.ndim == 2 else 1
    if target.numel() != batch or target.ndim > 1:
        raise RuntimeError(f"multi_margin_loss: target tensor should be 1-D with size equal to the number of input "
                           f"samples (batch size). Expected target size [{batch}], but got {list(target.shape)}. "
                           f"Input has shape {list(input.shape)}.")
    if weight is not None and weight.numel() != classes:
        raise RuntimeError(f"inconsistent weight size, expected {classes} but got {list(weight.shape)}")
    weight = _constant(weight, "multi_margin_loss", "weight")
    values = np.asarray(target._value)
    if np.any((values < 0) | (values >= classes)):
        raise RuntimeError("target out of range")
    return run(kernels.multi_margin, "MultiMarginLossBackward0", input, target, weight,
               margin, p=int(p), reduction=reduction)
