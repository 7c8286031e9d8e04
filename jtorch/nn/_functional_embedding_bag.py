"""F.embedding_bag: torch's argument checks (indices and offsets are read on the host, as torch's CPU kernel
reads them), then one dispatch of `jtorch._ops.embedding_bag`."""
import warnings

import numpy as np

from .. import _dtype
from .._dispatch import run
from .._ops import embedding_bag as kernels
from .._ops import nn as nn_kernels
from .._ops.creation import arange
from .._ops._common import dtype_name
from ..autograd.grad_mode import no_grad

__all__ = ["embedding_bag"]

_INDEX_TYPES = (_dtype.int64, _dtype.int32)


def _padding_index(padding_idx, num_embeddings):
    if padding_idx is None:
        return None
    if not -num_embeddings <= padding_idx < num_embeddings:
        raise RuntimeError(f"padding_idx must be within the number of embeddings, -{num_embeddings} through "
                           f"{num_embeddings - 1}, but got {padding_idx}")
    return padding_idx % num_embeddings


def _check_type(t, argument):
    if t.dtype not in _INDEX_TYPES:
        raise RuntimeError(f"Expected tensor for argument #1 '{argument}' to have one of the following scalar types: "
                           f"Long, Int; but got torch.{dtype_name(t.dtype)}Tensor instead (while checking arguments "
                           "for embedding_bag)")


def _check_values(indices, offsets, num_embeddings):
    """torch's checks of the index and offset values."""
    index = np.asarray(indices._value)
    bad = np.flatnonzero((index < 0) | (index >= num_embeddings))
    if bad.size:
        raise RuntimeError(f"Index {bad[0]} of input takes value {index[bad[0]]} which is not in the valid range "
                           f"[0, {num_embeddings})")
    starts = np.asarray(offsets._value)
    if starts.size and starts[0] != 0:
        raise RuntimeError("offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start from "
                           f"position 0. However, got {starts[0]}")
    if starts.size and starts[-1] > index.size:
        raise RuntimeError(f"offsets[-1] can not be greater than input's length {index.size} but got offsets[-1] "
                           f"of {starts[-1]}")
    if np.any(np.diff(starts) < 0):
        raise RuntimeError("Expected i < index_size to be true, but got false.")


def _bags(input, offsets, per_sample_weights, include_last_offset):
    """(1-d indices, offsets, per-sample weights, include_last_offset) from torch's 1-d or 2-d input forms."""
    if input.ndim == 2:
        if offsets is not None:
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated is a mini-batch of "
                             f"fixed length sequences. However, found offsets of type {type(offsets)}")
        starts = arange(0, input.numel(), input.shape[1], dtype=input.dtype)
        weights = None if per_sample_weights is None else per_sample_weights.reshape(-1)
        return input.reshape(-1), starts, weights, False
    if input.ndim == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.ndim != 1:
            raise ValueError("offsets has to be a 1D Tensor")
        return input, offsets, per_sample_weights, include_last_offset
    raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension {input.ndim}")


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2, scale_grad_by_freq=False, mode="mean",
                  sparse=False, per_sample_weights=None, include_last_offset=False, padding_idx=None):
    """Sums, means or maxima of the rows of weight (num_embeddings, dim) over bags of indices -> (bags, dim).

    input is 1-d with offsets (the start of each bag; with include_last_offset one more entry ends the last
    bag) or 2-d (each row a bag). per_sample_weights (input's shape) scale the rows in mode 'sum'. Rows at
    padding_idx are left out. Differs from torch: sparse=True still gives a dense gradient.
    """
    if weight.dtype in _INDEX_TYPES and input.dtype.is_floating_point:
        warnings.warn("Argument order of nn.functional.embedding_bag was changed. Usage `embedding_bag(weight, "
                      "input, ...)` is deprecated, and should now be `embedding_bag(input, weight, ...)`.",
                      stacklevel=2)
        weight, input = input, weight
    if per_sample_weights is not None and input.shape != per_sample_weights.shape:
        raise ValueError(f"embedding_bag: If per_sample_weights ({per_sample_weights.shape}) is not None, then it "
                         f"must have the same shape as the input ({input.shape})")
    if weight.ndim != 2:
        raise ValueError(f"weight has to be a 2D Tensor, but got Tensor of dimension {weight.ndim}")
    input, offsets, per_sample_weights, include_last_offset = _bags(input, offsets, per_sample_weights,
                                                                    include_last_offset)
    if mode not in ("sum", "mean", "max"):
        raise ValueError("mode has to be one of sum, mean or max")
    if mode == "max" and scale_grad_by_freq:
        raise ValueError("max mode does not support scaling the gradient by the frequency")
    if mode == "max" and sparse:
        raise ValueError("max mode does not support sparse weights")
    _check_type(input, "indices")
    _check_type(offsets, "offsets")
    if max_norm is not None:
        with no_grad():
            renormed = run(nn_kernels.embedding_renorm, "EmbeddingRenormBackward0", weight, input, max_norm,
                           norm_type=float(norm_type))
        weight._inplace_set(renormed._value)
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError("embedding_bag: per_sample_weights was not None. per_sample_weights is only "
                                  f"supported for mode='sum' (got mode='{mode}'). Please open a feature request on "
                                  "GitHub.")
    if per_sample_weights is not None and per_sample_weights.dtype is not weight.dtype:
        raise RuntimeError("Expected tensor for argument #1 'weight' to have the same type as tensor for argument #1 "
                           f"'per_sample_weights'; but type torch.{dtype_name(weight.dtype)}Tensor does not equal "
                           f"torch.{dtype_name(per_sample_weights.dtype)}Tensor (while checking arguments for "
                           "embedding_bag)")
    padding_idx = _padding_index(padding_idx, weight.shape[0])
    _check_values(input, offsets, weight.shape[0])
    num_bags = offsets.shape[0] - 1 if include_last_offset else offsets.shape[0]
    return run(kernels.embedding_bag, "EmbeddingBagBackward0", weight, input, offsets, per_sample_weights,
               mode=mode, num_bags=max(num_bags, 0), padding_idx=padding_idx,
               scale_grad_by_freq=bool(scale_grad_by_freq))
