"""Functional forms of the losses: torch's argument checks, then one dispatch of a kernel in `_ops.loss`.

Differs from torch: losses that torch bounds-checks on the host (class targets
of nll_loss/cross_entropy, the [0, 1] range of binary_cross_entropy) wait for
their result to raise torch's error, so each such call synchronizes with the device.
"""
import warnings

import numpy as np

from .. import _dtype
from .._dispatch import run
from .._ops import loss as kernels
from .._ops._common import broadcast_shapes, dtype_name
from ..autograd.grad_mode import is_grad_enabled

__all__ = ["binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy", "huber_loss", "kl_div",
           "l1_loss", "mse_loss", "nll_loss", "smooth_l1_loss"]

_REDUCTIONS = ("none", "mean", "sum")


# ---- argument handling ---------------------------------------------------------------------------------

def legacy_reduction(size_average, reduce):
    """torch's mapping of the deprecated size_average/reduce flags to a reduction string, with its warning."""
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    reduction = "mean" if size_average and reduce else "sum" if reduce else "none"
    warnings.warn(f"size_average and reduce args will be deprecated, please use reduction='{reduction}' instead.",
                  stacklevel=3)
    return reduction


def _legacy(size_average, reduce, reduction):
    """`reduction`, unless the deprecated flags are given: then what they mean (with torch's warning)."""
    if size_average is not None or reduce is not None:
        return legacy_reduction(size_average, reduce)
    return reduction


def _valid(reduction):
    """torch's reduction enum check; 'elementwise_mean' is a deprecated 'mean'."""
    if reduction == "elementwise_mean":
        warnings.warn("reduction='elementwise_mean' is deprecated. Please use reduction='mean' instead.",
                      stacklevel=3)
        return "mean"
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def _reduction(size_average, reduce, reduction):
    return _valid(_legacy(size_average, reduce, reduction))


def _valid_weighted(reduction):
    """The check of torch's Python-side weighted mse/l1/huber reductions."""
    if reduction not in _REDUCTIONS:
        raise ValueError(f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', 'sum'.")
    return reduction


def _warn_size(input, target):
    if target.shape != input.shape:
        warnings.warn(f"Using a target size ({target.shape}) that is different to the input size ({input.shape}). "
                      "This will likely lead to incorrect results due to broadcasting. Please ensure they have "
                      "the same size.", stacklevel=3)


def _check_same_size(input, weight):
    if weight is not None and weight.shape != input.shape:
        raise ValueError("Weights and input must have the same size.")


def _require_floating(kernel_name, dtype):
    if not dtype.is_floating_point:
        raise NotImplementedError(f'"{kernel_name}" not implemented for \'{dtype_name(dtype)}\'')


def _fits(a, b, out_shape):
    """torch's RuntimeError unless shapes a and b broadcast to exactly `out_shape` (an in-place result's)."""
    full = broadcast_shapes(tuple(a), tuple(b))
    if full != tuple(out_shape):
        raise RuntimeError(f"output with shape {list(out_shape)} doesn't match the broadcast shape {list(full)}")


def _constant(tensor, function, argument):
    """`tensor` outside autograd, or torch's error when it requires grad where torch has no derivative."""
    if tensor is None:
        return None
    if tensor.requires_grad and is_grad_enabled():
        raise RuntimeError(f"The function '{function}' is not differentiable with respect to argument "
                           f"'{argument}'. This input cannot have requires_grad True.")
    return tensor.detach()


def _checked(result, *errors):
    """Loss of a `(loss, check)` kernel result; raises errors[i] (type, message) for the first set check[i]."""
    loss, check = result
    flags = np.asarray(check._value)
    for flag, (kind, message) in zip(flags, errors):
        if flag:
            raise kind(message.format(*flags))
    return loss


# ---- regression losses ---------------------------------------------------------------------------------

_WEIGHTED_GRAD = {"none": "MulBackward0", "sum": "SumBackward0", "mean": "DivBackward0"}


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean squared error, broadcasting target against input (with torch's UserWarning when sizes differ)."""
    _warn_size(input, target)
    reduction = _legacy(size_average, reduce, reduction)
    broadcast_shapes(tuple(input.shape), tuple(target.shape))
    dtype = _dtype.result_type(input, target)
    if weight is None:
        reduction = _valid(reduction)
        _require_floating("mse_cpu", dtype)
        return run(kernels.mse, "MseLossBackward0", input, target, None, dtype=dtype._np, reduction=reduction)
    _check_same_size(input, weight)
    reduction = _valid_weighted(reduction)
    return run(kernels.mse, _WEIGHTED_GRAD[reduction], input, target, weight, dtype=dtype._np, reduction=reduction)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean absolute error, broadcasting target against input (with torch's UserWarning when sizes differ)."""
    _warn_size(input, target)
    return _l1(input, target, _legacy(size_average, reduce, reduction), weight)


def _l1(input, target, reduction, weight):
    broadcast_shapes(tuple(input.shape), tuple(target.shape))
    dtype = _dtype.result_type(input, target)
    if dtype is _dtype.bool_:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or "
                           "`logical_xor()` operator instead.")
    if weight is not None:
        _check_same_size(input, weight)
        reduction = _valid_weighted(reduction)
        return run(kernels.l1, _WEIGHTED_GRAD[reduction], input, target, weight, dtype=dtype._np,
                   reduction=reduction)
    reduction = _valid(reduction)
    if reduction == "mean" and not dtype.is_floating_point:
        raise RuntimeError("mean(): could not infer output dtype. Input dtype must be either a floating point or "
                           f"complex dtype. Got: {dtype_name(dtype)}")
    grad = {"none": "AbsBackward0", "sum": "SumBackward0", "mean": "MeanBackward0"}[reduction]
    return run(kernels.l1, grad, input, target, None, dtype=dtype._np, reduction=reduction)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """Smooth L1; beta=0 is l1_loss, as in torch."""
    _warn_size(input, target)
    reduction = _legacy(size_average, reduce, reduction)
    if beta == 0.0:
        return _l1(input, target, reduction, None)
    broadcast_shapes(tuple(input.shape), tuple(target.shape))
    reduction = _valid(reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    dtype = _dtype.result_type(input, target)
    _require_floating("smooth_l1_cpu", dtype)
    return run(kernels.smooth_l1, "SmoothL1LossBackward0", input, target, dtype=dtype._np, reduction=reduction,
               beta=float(beta))


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """Huber loss; the result has input's dtype (computed in the promoted dtype), as torch's."""
    _warn_size(input, target)
    broadcast_shapes(tuple(input.shape), tuple(target.shape))
    if weight is None:
        reduction = _valid(reduction)
        grad = "HuberLossBackward0"
    else:
        _check_same_size(input, weight)
        reduction = _valid_weighted(reduction)
        grad = {"none": "MulBackward0", "sum": "SumBackward0", "mean": "MeanBackward0"}[reduction]
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    dtype = _dtype.result_type(input, target)
    if not _dtype.can_cast(dtype, input.dtype):
        raise RuntimeError(f"result type {dtype_name(dtype)} can't be cast to the desired output type "
                           f"{dtype_name(input.dtype)}")
    _require_floating("huber_cpu", dtype)
    return run(kernels.huber, grad, input, target, weight, dtype=dtype._np, out_dtype=input.dtype._np,
               reduction=reduction, delta=float(delta))


# ---- binary and distribution losses --------------------------------------------------------------------

def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    """Binary cross entropy of probabilities; logs clamped at -100 and torch's gradient formulas."""
    reduction = _reduction(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(f"Using a target size ({target.shape}) that is different to the input size "
                         f"({input.shape}) is deprecated. Please ensure they have the same size.")
    if weight is not None:
        _fits(target.shape, weight.shape, target.shape)
    if target.dtype is not input.dtype:
        raise RuntimeError(f"Found dtype {dtype_name(target.dtype)} but expected {dtype_name(input.dtype)}")
    _require_floating("binary_cross_entropy", input.dtype)
    weight = _constant(weight, "binary_cross_entropy", "weight")
    return _checked(run(kernels.bce, "BinaryCrossEntropyBackward0", input, target, weight, reduction=reduction),
                    (RuntimeError, "all elements of input should be between 0 and 1"),
                    (RuntimeError, "all elements of target should be between 0 and 1"))


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None, reduction="mean",
                                     pos_weight=None):
    """BCE on logits through log-sigmoid (stable); the result has target's dtype, as torch's."""
    reduction = _reduction(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(f"Target size ({target.shape}) must be the same as input size ({input.shape})")
    weight = _constant(weight, "binary_cross_entropy_with_logits", "weight")
    pos_weight = _constant(pos_weight, "binary_cross_entropy_with_logits", "pos_weight")
    _require_floating("log_sigmoid_cpu", input.dtype)
    dtype = _dtype.promote_types(input.dtype, target.dtype)
    if not _dtype.can_cast(dtype, target.dtype):
        raise RuntimeError(f"result type {dtype_name(dtype)} can't be cast to the desired output type "
                           f"{dtype_name(target.dtype)}")
    if pos_weight is not None:
        _fits(pos_weight.shape, input.shape, input.shape)
    if weight is not None:
        _fits(input.shape, weight.shape, input.shape)
    return run(kernels.bce_with_logits, "BinaryCrossEntropyWithLogitsBackward0", input, target, weight, pos_weight,
               reduction=reduction)


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """Pointwise KL divergence with input in log space; 'batchmean' divides the sum by the batch size."""
    if size_average is not None or reduce is not None:
        mode = legacy_reduction(size_average, reduce)
    elif reduction == "batchmean":
        mode = "sum"
    else:
        if reduction == "mean":
            warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the support size."
                          "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
                          "'mean' will be changed to behave the same as 'batchmean' in the next major release.",
                          stacklevel=2)
        mode = _valid(reduction)
    divisor = input.shape[0] if reduction == "batchmean" and input.ndim else None
    if input.dtype.is_complex or target.dtype.is_complex:
        raise RuntimeError("kl_div: Complex inputs not supported.")
    if not (input.dtype.is_floating_point and target.dtype.is_floating_point):
        raise RuntimeError("kl_div: Integral inputs not supported.")
    broadcast_shapes(tuple(target.shape), tuple(input.shape))
    if divisor is not None:
        grad = "DivBackward0"
    elif mode == "none":
        grad = "MulBackward0" if log_target else "SubBackward0"
    else:
        grad = {"sum": "SumBackward0", "mean": "MeanBackward0"}[mode]
    dtype = _dtype.result_type(input, target)
    return run(kernels.kl_div, grad, input, target, dtype=dtype._np, reduction=mode, log_target=bool(log_target),
               divisor=divisor)


# ---- classification losses -----------------------------------------------------------------------------

def _n_classes(input):
    return input.shape[1 if input.ndim > 1 else 0]


def _require_floating_logits(input):
    """torch's error from log_softmax over the class axis of a non-float input."""
    _require_floating("log_softmax_lastdim_kernel_impl" if input.ndim <= 2 else "log_softmax_kernel_impl",
                      input.dtype)


def _check_class_target(input, target, weight):
    """torch's shape and dtype checks of (input, class-index target, weight), in torch's order."""
    ndim = input.ndim
    if ndim < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {ndim})")
    n_classes = _n_classes(input)
    target_batch = target.shape[0] if target.ndim else 0
    if ndim != 1 and input.shape[0] != target_batch:
        raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target batch_size "
                         f"({target_batch}).")
    if ndim == 1 and target.ndim == 1 and target.shape[0] != 1:
        raise ValueError(f"For 1D input, 1D target must have size 1, but got target size: {target.shape[0]}")
    if ndim <= 2:
        if target.ndim > 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        if weight is not None and (weight.ndim != 1 or weight.shape[0] != n_classes):
            raise RuntimeError(f"weight tensor should be defined either for all {n_classes} classes or no classes "
                               f"but got weight tensor of shape: {list(weight.shape)}")
    else:
        _check_spatial_target(input, target, weight, n_classes)
    if target.dtype not in (_dtype.int64, _dtype.uint8):
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {dtype_name(target.dtype)}")
    if weight is not None and weight.dtype is not input.dtype:
        raise RuntimeError(f"expected scalar type {dtype_name(input.dtype)} but found {dtype_name(weight.dtype)}")


def _check_spatial_target(input, target, weight, n_classes):
    """torch's nll_loss2d checks; inputs of 3 or more than 4 dims are first checked against their target size."""
    spatial_match = target.shape[1:] == input.shape[2:]
    if input.ndim != 4 and not spatial_match:
        raise RuntimeError(f"Expected target size {[input.shape[0], *input.shape[2:]]}, got {list(target.shape)}")
    if input.ndim == 4 and target.ndim != 3:
        raise RuntimeError("only batches of spatial targets supported (3D tensors) but got targets of dimension: "
                           f"{target.ndim}")
    if weight is not None and weight.numel() != n_classes:
        raise RuntimeError("weight tensor should be defined either for all or no classes")
    if not spatial_match:
        raise RuntimeError(f"size mismatch (got input: {list(input.shape)} , target: {list(target.shape)}")


def _nll_grad_name(ndim, reduction):
    """torch's nll_loss_nd: 1-2D inputs use nll_loss, others nll_loss2d (viewed back when unreduced)."""
    if ndim <= 2:
        return "NllLossBackward0"
    if ndim == 4 or reduction != "none":
        return "NllLoss2DBackward0"
    return "ViewBackward0"


def _class_loss(input, target, weight, ignore_index, reduction, logits, smoothing):
    """nll_loss, or cross_entropy (`logits`) with class-index targets, as one dispatch."""
    _check_class_target(input, target, weight)
    if not logits:
        _require_floating("nll_loss_out_frame" if input.ndim <= 2 else "nll_loss2d_forward_out_frame",
                          input.dtype)
    if smoothing and reduction == "none" and input.ndim == 1 and target.ndim == 1:
        raise RuntimeError("output with shape [] doesn't match the broadcast shape [1]")
    weight = _constant(weight, "nll_loss_forward", "weight")
    grad = "AddBackward0" if smoothing else _nll_grad_name(input.ndim, reduction)
    _check_class_bounds(target, input.shape[1] if input.ndim > 1 else input.shape[0], int(ignore_index))
    return run(kernels.nll, grad, input, target, weight, ignore_index=int(ignore_index), reduction=reduction,
               logits=logits, smoothing=smoothing)


def _check_class_bounds(target, n_classes, ignore_index):
    """torch's IndexError for a class index outside [0, C), read from the targets on the host before dispatch
    (the targets are usually ready; waiting for the loss itself would stall the step)."""
    t = np.asarray(target._value)
    bad = t[(t != ignore_index) & ((t < 0) | (t >= n_classes))]
    if bad.size:
        raise IndexError(f"Target {bad.flat[0]} is out of bounds.")


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
    """Negative log-likelihood of log-probabilities input (N, C, d1, ...) or (C,) at class-index targets."""
    reduction = _reduction(size_average, reduce, reduction)
    return _class_loss(input, target, weight, ignore_index, reduction, logits=False, smoothing=0.0)


def _check_label_smoothing(label_smoothing):
    if label_smoothing > 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing:g}")


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean",
                  label_smoothing=0.0):
    """log_softmax over the class axis and nll_loss in one dispatch; a target of input's shape holds
    class probabilities. Negative label_smoothing means none, as in torch."""
    reduction = _reduction(size_average, reduce, reduction)
    smoothing = float(label_smoothing) if label_smoothing > 0 else 0.0
    if target.shape == input.shape:
        return _soft_cross_entropy(input, target, weight, ignore_index, reduction, smoothing)
    _check_label_smoothing(smoothing)
    _require_floating_logits(input)
    return _class_loss(input, target, weight, ignore_index, reduction, logits=True, smoothing=smoothing)


def _soft_cross_entropy(input, target, weight, ignore_index, reduction, smoothing):
    """cross_entropy with class-probability targets (input's shape); the weight is differentiable here."""
    if not target.dtype.is_floating_point:
        raise RuntimeError(f"Expected floating point type for target with class probabilities, got "
                           f"{dtype_name(target.dtype)}")
    if ignore_index >= 0:
        raise RuntimeError("ignore_index is not supported for floating point target")
    if input.ndim == 0:
        raise IndexError("Dimension specified as 1 but tensor has no dimensions")
    n_classes = _n_classes(input)
    if weight is not None and (weight.ndim != 1 or weight.shape[0] != n_classes):
        raise RuntimeError(f"cross_entropy: weight tensor should be defined either for all {n_classes} classes or "
                           f"no classes but got weight tensor of shape: {list(weight.shape)}")
    _check_label_smoothing(smoothing)
    _require_floating_logits(input)
    grad = "DivBackward1" if reduction == "mean" and input.numel() else "NegBackward0"
    return run(kernels.soft_cross_entropy, grad, input, target, weight, reduction=reduction, smoothing=smoothing)
