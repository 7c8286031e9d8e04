"""torch.nn.utils.rnn: PackedSequence and padding/packing of variable-length sequences.

Packing and unpacking are each one gather dispatch; the index tables are built on the host from the lengths
(which torch also keeps on the CPU).
"""
import collections
import collections.abc

import numpy as np

from ... import _dtype
from ..._dispatch import run
from ..._ops import rnn as kernels
from ..._ops._common import wrap_dim
from ..._ops.creation import from_numpy
from ..._tensor import Tensor

__all__ = ["PackedSequence", "invert_permutation", "pack_padded_sequence", "pad_packed_sequence", "pad_sequence",
           "unpad_sequence", "pack_sequence", "unpack_sequence"]

PackedSequence_ = collections.namedtuple("PackedSequence_", ["data", "batch_sizes", "sorted_indices",
                                                             "unsorted_indices"])


def _bind(optional, fn):
    return None if optional is None else fn(optional)


class PackedSequence(PackedSequence_):
    """A batch of variable-length sequences packed time-major: `data` (sum of lengths, *) holds step t of
    the `batch_sizes[t]` sequences still running; `sorted_indices` orders the original batch by decreasing
    length and `unsorted_indices` undoes it (None when the batch was given sorted)."""
    __slots__ = ()

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is not None:
            if batch_sizes.device.type != "cpu":
                raise ValueError("batch_sizes should always be on CPU. Instances of PackedSequence should never be "
                                 "created manually. They should be instantiated by functions like pack_sequence "
                                 "and pack_padded_sequences in nn.utils.rnn. "
                                 "https://pytorch.org/docs/stable/nn.html#torch.nn.utils.rnn.pack_sequence")
            return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)
        if not (isinstance(data, (list, tuple)) and len(data) == 2):
            raise AssertionError("Expected data to be a list or tuple of length 2")
        return super().__new__(cls, data[0], data[1], sorted_indices, unsorted_indices)

    def _with_data(self, data):
        """This sequence with `data` converted; the indices follow it to its device, batch_sizes stays on
        the CPU."""
        if data is self.data:
            return self
        move = lambda t: t.to(data.device)  # noqa: E731
        return type(self)(data, self.batch_sizes, _bind(self.sorted_indices, move),
                          _bind(self.unsorted_indices, move))

    def to(self, *args, **kwargs):
        return self._with_data(self.data.to(*args, **kwargs))

    def cuda(self, *args, **kwargs):
        return self._with_data(self.data.cuda(*args, **kwargs))

    def cpu(self):
        return self._with_data(self.data.cpu())

    def double(self):
        return self.to(dtype=_dtype.float64)

    def float(self):
        return self.to(dtype=_dtype.float32)

    def half(self):
        return self.to(dtype=_dtype.float16)

    def long(self):
        return self.to(dtype=_dtype.int64)

    def int(self):
        return self.to(dtype=_dtype.int32)

    def short(self):
        return self.to(dtype=_dtype.int16)

    def char(self):
        return self.to(dtype=_dtype.int8)

    def byte(self):
        return self.to(dtype=_dtype.uint8)

    @property
    def is_cuda(self):
        return self.data.is_cuda


def _index_tensor(array, device=None):
    out = from_numpy(np.ascontiguousarray(array, dtype=np.int64))
    return out if device is None else out.to(device)


def invert_permutation(permutation):
    """The inverse of an index permutation (None for None)."""
    if permutation is None:
        return None
    return _index_tensor(np.argsort(permutation.numpy(), kind="stable"), permutation.device)


def _lengths_array(lengths):
    if isinstance(lengths, Tensor):
        lengths = lengths.to(_dtype.int64).numpy()
    lengths = np.asarray(lengths, dtype=np.int64)
    if lengths.ndim != 1:
        raise RuntimeError(f"'lengths' argument should be a 1D CPU int64 tensor, but got {lengths.ndim}D cpu Long "
                           "tensor")
    return lengths


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    """Pack a padded batch (T, B, *) ((B, T, *) when batch_first) of sequences with the given lengths.

    With enforce_sorted=False the batch is first ordered by decreasing length (stable, as torch's CPU sort).
    Differs from torch: a length above T raises a RuntimeError (torch reads past the input).
    """
    lengths = _lengths_array(lengths)
    order = None
    if not enforce_sorted:
        order = np.argsort(-lengths, kind="stable")
        lengths = lengths[order]
    if input.numel() == 0:
        raise RuntimeError("Cannot pack empty tensors.")
    wrap_dim(1, input.ndim)
    steps, batch = (input.shape[1], input.shape[0]) if batch_first else (input.shape[0], input.shape[1])
    if len(lengths) != batch:
        raise RuntimeError(f"Expected `len(lengths)` to be equal to batch_size, but got {len(lengths)} "
                           f"(batch_size={batch})")
    if lengths[-1] <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an element in 'lengths' "
                           "that is <= 0")
    if np.any(lengths[:-1] < lengths[1:]):
        raise RuntimeError("`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. You "
                           "can pass `enforce_sorted=False` to pack_padded_sequence and/or pack_sequence to "
                           "sidestep this requirement if you do not need ONNX exportability.")
    if lengths[0] > steps:
        raise RuntimeError(f"sequence length {lengths[0]} is larger than the padded input's {steps} steps")
    columns = np.arange(batch) if order is None else order
    t, j = np.nonzero(np.arange(lengths[0])[:, None] < lengths[None, :])
    index = columns[j] * steps + t if batch_first else t * batch + columns[j]
    data = run(kernels.take_rows, "PackPaddedSequenceBackward0", input, index)
    batch_sizes = _index_tensor(np.bincount(t, minlength=lengths[0]))
    sorted_indices = _bind(order, lambda o: _index_tensor(o, input.device))
    return PackedSequence(data, batch_sizes, sorted_indices, None)


def packed_row_table(batch_sizes, steps=None):
    """(steps, B) table of packed data rows: entry (t, j) is the row of step t of the j-th sequence in
    packed (sorted) order, or the data length N where that sequence has ended; steps defaults to T."""
    sizes = np.asarray(batch_sizes, dtype=np.int64)
    steps = len(sizes) if steps is None else steps
    sizes = np.concatenate([sizes, np.zeros(steps - len(sizes), np.int64)])
    starts = np.cumsum(sizes) - sizes
    j = np.arange(sizes[0])
    return np.where(j < sizes[:, None], starts[:, None] + j, sizes.sum())


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """Inverse of pack_padded_sequence: (padded (T, B, *) or (B, T, *), lengths int64) in the original batch
    order; T is total_length when given."""
    sizes = sequence.batch_sizes.numpy()
    steps = len(sizes)
    if total_length is not None:
        if total_length < steps:
            raise ValueError("Expected total_length to be at least the length of the longest sequence in input, "
                             f"but got total_length={total_length} and max sequence length being {steps}")
        steps = total_length
    rows = packed_row_table(sizes, steps)
    lengths = (sizes[:, None] > np.arange(sizes[0])[None, :]).sum(0)
    if sequence.unsorted_indices is not None:
        unsorted = sequence.unsorted_indices.numpy()
        rows, lengths = rows[:, unsorted], lengths[unsorted]
    if batch_first:
        rows = rows.T
    data = sequence.data
    name = "CopySlices" if sequence.unsorted_indices is None else "IndexSelectBackward0"
    padded = run(kernels.pad_rows, name, data, rows, padding_value,
                 shape=rows.shape + tuple(data.shape[1:]))
    return padded, _index_tensor(lengths)


def _check_sequences(sequences):
    """torch's errors for copying each sequence into its slot (L_i, *trailing of the first sequence)."""
    trailing = tuple(sequences[0].shape[1:])
    for s in sequences:
        if s.ndim == 0:
            raise RuntimeError("pad_sequence: each sequence needs at least one dimension, got a 0-dim tensor")
        if s.ndim != len(trailing) + 1:
            raise RuntimeError(f"pad_sequence: expected sequences of {len(trailing) + 1} dims, got one of "
                               f"{s.ndim}")
        for dim, (a, b) in enumerate(zip(trailing, s.shape[1:]), 1):
            if a != b and 1 not in (a, b):
                raise RuntimeError(f"The size of tensor a ({a}) must match the size of tensor b ({b}) at "
                                   f"non-singleton dimension {dim}")
        broadcast = tuple(max(a, b) for a, b in zip(trailing, s.shape[1:]))
        if broadcast != trailing:
            raise RuntimeError(f"output with shape {[s.shape[0], *trailing]} doesn't match the broadcast shape "
                               f"{[s.shape[0], *broadcast]}")


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """Stack sequences (L_i, *) into (max L, B, *) ((B, max L, *) when batch_first), padding the end (or the
    start for padding_side='left') with padding_value, in the first sequence's dtype.

    A sequence's size-1 trailing dims broadcast to the first sequence's, as in torch. Each sequence is padded
    by its own dispatch, then all are stacked by one, so the compiled code depends on each length and the
    longest, not on the whole tuple of lengths (which changes with nearly every batch). Differs from torch:
    sequences must have equal numbers of dims (torch broadcasts some of those mismatches too).
    """
    if not isinstance(sequences, collections.abc.Iterable):
        raise RuntimeError("pad_sequence: Expected iterable for input sequences, but got arg of type: "
                           f"{type(sequences)}")
    sequences = tuple(sequences)
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    if padding_side not in ("left", "right"):
        raise RuntimeError(f"Expected padding_side to be one of left or right, but got {padding_side}.")
    _check_sequences(sequences)
    longest = max(s.shape[0] for s in sequences)
    dtype, trailing = sequences[0].dtype._np, tuple(sequences[0].shape[1:])
    padded = [run(kernels.pad_to_length, "ConstantPadNdBackward0", padding_value, s, length=longest, dtype=dtype,
                  trailing=trailing, left=padding_side == "left") for s in sequences]
    return run(kernels.stack_sequences, "StackBackward0", *padded, batch_first=bool(batch_first))


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    """The list of sequences padded_sequences[:, b] cut to lengths[b] (views).

    Differs from torch: the input is not transposed in place when batch_first is False.
    """
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    return [seq[:int(length)] for seq, length in zip(padded_sequences, lengths)]


def pack_sequence(sequences, enforce_sorted=True):
    """Pack a list of sequences (L_i, *): pack_padded_sequence(pad_sequence(sequences), lengths)."""
    lengths = [v.size(0) for v in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences):
    """The list of sequences in a PackedSequence, in the original order."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
