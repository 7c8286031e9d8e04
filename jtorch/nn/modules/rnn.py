"""Recurrent layers: RNN, LSTM, GRU and their cells.

A forward of RNN/LSTM/GRU is one dispatch of `jtorch._ops.rnn.recurrent` (all layers and directions, one
`lax.scan` per layer), also for a PackedSequence and with inter-layer dropout, whose keep-masks
are drawn beforehand from the default generator exactly as torch's CPU implementation draws them (one
`bernoulli_(1 - p)` per gap between layers, on that layer's time-major or packed output). Every output of a
forward shares one graph node, named StackBackward0 (torch names the LSTM output's MkldnnRnnLayerBackward0),
except a packed output, which is cut from the kernel's fixed-size rows (see `_to_capacity`).
"""
import math
import numbers
import warnings

import numpy as np

from ... import random as _random
from ..._dispatch import run
from ..._ops import rnn as kernels
from ..._ops._common import dtype_name, wrap_dim
from ..._ops.creation import empty
from .. import init
from ..parameter import Parameter
from ..utils.rnn import PackedSequence, packed_row_table
from .module import Module

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]

_GATES = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1}


def _reset_uniform(module):
    """torch's default for recurrent weights and biases: U(+-1/sqrt(hidden_size)), in registration order."""
    bound = 1.0 / math.sqrt(module.hidden_size) if module.hidden_size > 0 else 0
    for weight in module.parameters():
        init.uniform_(weight, -bound, bound)


class RNNBase(Module):
    """Parameters, checks and the forward shared by RNN, LSTM and GRU.

    Parameters per layer l and direction (suffix '_reverse' for the backward one): weight_ih_l{l}
    (gates * hidden, in), weight_hh_l{l} (gates * hidden, out), bias_ih_l{l}, bias_hh_l{l} (gates * hidden) and,
    for an LSTM with proj_size, weight_hr_l{l} (proj_size, hidden); out is proj_size or hidden_size.
    """

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__()
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        self._check_config(dropout)
        if mode not in _GATES:
            raise ValueError("Unrecognized RNN mode: " + mode)
        gate_size = _GATES[mode] * hidden_size
        directions = 2 if bidirectional else 1
        out_size = proj_size if proj_size > 0 else hidden_size
        self._flat_weights_names = []
        self._all_weights = []
        for layer in range(num_layers):
            for direction in range(directions):
                layer_input_size = input_size if layer == 0 else out_size * directions
                shapes = [("weight_ih_l{}{}", (gate_size, layer_input_size)),
                          ("weight_hh_l{}{}", (gate_size, out_size))]
                if bias:
                    shapes += [("bias_ih_l{}{}", (gate_size,)), ("bias_hh_l{}{}", (gate_size,))]
                if proj_size > 0:
                    shapes += [("weight_hr_l{}{}", (proj_size, hidden_size))]
                suffix = "_reverse" if direction == 1 else ""
                names = []
                for pattern, shape in shapes:
                    name = pattern.format(layer, suffix)
                    setattr(self, name, Parameter(empty(shape, device=device, dtype=dtype)))
                    names.append(name)
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    def _check_config(self, dropout):
        if not isinstance(dropout, numbers.Number) or not 0 <= dropout <= 1 or isinstance(dropout, bool):
            raise ValueError("dropout should be a number in range [0, 1] representing the probability of an "
                             "element being zeroed")
        if dropout > 0 and self.num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so non-zero dropout "
                          "expects num_layers greater than 1, but got "
                          f"dropout={dropout} and num_layers={self.num_layers}", stacklevel=3)
        for name, kind in (("bias", bool), ("batch_first", bool), ("input_size", int)):
            value = getattr(self, name)
            if not isinstance(value, kind):
                raise TypeError(f"{name} should be of type {kind.__name__}, got: {type(value).__name__}")
        if self.input_size <= 0:
            raise ValueError("input_size must be greater than zero")
        if not isinstance(self.hidden_size, int):
            raise TypeError(f"hidden_size should be of type int, got: {type(self.hidden_size).__name__}")
        if self.hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if self.num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if self.proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable projections")
        if self.proj_size >= self.hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")

    @property
    def _flat_weights(self):
        return [getattr(self, name, None) for name in self._flat_weights_names]

    @property
    def all_weights(self):
        """The parameters per layer and direction, each group in torch's flat order."""
        return [[getattr(self, name) for name in names] for names in self._all_weights]

    def flatten_parameters(self):
        """A no-op, as torch on the CPU (there is no cuDNN weight buffer to compact)."""

    def reset_parameters(self):
        _reset_uniform(self)

    def extra_repr(self):
        s = "{input_size}, {hidden_size}"
        if self.proj_size != 0:
            s += ", proj_size={proj_size}"
        if self.num_layers != 1:
            s += ", num_layers={num_layers}"
        if self.bias is not True:
            s += ", bias={bias}"
        if self.batch_first is not False:
            s += ", batch_first={batch_first}"
        if self.dropout != 0:
            s += ", dropout={dropout}"
        if self.bidirectional is not False:
            s += ", bidirectional={bidirectional}"
        return s.format(**self.__dict__)

    def check_input(self, input, batch_sizes, dims=None):
        """torch's checks of dtype, dims (2 for packed data, else 3; `dims` overrides input.dim(), as for
        unbatched input that torch unsqueezes first) and feature size."""
        weight_dtype = self._flat_weights[0].dtype
        if input.dtype is not weight_dtype:
            raise ValueError(f"RNN input dtype ({input.dtype}) does not match weight dtype ({weight_dtype}). "
                             f"Convert input: input.to({weight_dtype}), or convert model: model.to({input.dtype})")
        expected_dim = 2 if batch_sizes is not None else 3
        dims = input.dim() if dims is None else dims
        if dims != expected_dim:
            raise RuntimeError(f"input must have {expected_dim} dimensions, got {dims}")
        if self.input_size != input.size(-1):
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected {self.input_size}, got "
                               f"{input.size(-1)}")

    def _state_sizes(self, batch):
        """Expected (h, c) shapes for a batch size; c only for LSTM."""
        layers = self.num_layers * (2 if self.bidirectional else 1)
        h = (layers, batch, self.proj_size if self.proj_size > 0 else self.hidden_size)
        return (h, (layers, batch, self.hidden_size)) if self.mode == "LSTM" else (h,)

    def _forward(self, input, states, batched_state_shapes):
        """Check input (a 2-D or 3-D Tensor or a PackedSequence) and the shapes of the given states (unbatched
        ones with their batch dim inserted, as torch checks them), run the stack as one dispatch, and return
        (output, final states)."""
        packed = isinstance(input, PackedSequence)
        if packed:
            data, batch_sizes, sorted_indices, unsorted_indices = input
            sizes = batch_sizes.numpy()
            rows = packed_row_table(sizes)
            batch = int(sizes[0])
            self.check_input(data, batch_sizes)
        else:
            data, rows, sorted_indices, unsorted_indices = input, None, None, None
            batch = (input.size(0) if self.batch_first else input.size(1)) if input.dim() == 3 else 1
            batch_sizes = None
            self.check_input(input, None, dims=3)
        messages = ("Expected hidden[0] size {}, got {}", "Expected hidden[1] size {}, got {}") \
            if self.mode == "LSTM" else ("Expected hidden size {}, got {}",)
        for shape, expected, msg in zip(batched_state_shapes or (), self._state_sizes(batch), messages):
            if shape != expected:
                raise RuntimeError(msg.format(expected, list(shape)))
        masks, scale = self._dropout_masks(data, rows, batch)
        total = data.shape[0]
        if packed:
            data, rows, masks = _to_capacity(data, rows, masks)
        h0, c0 = (tuple(states) + (None,))[:2] if states is not None else (None, None)
        out = run(kernels.recurrent, "StackBackward0", data, h0, c0, rows, sorted_indices, unsorted_indices, scale,
                  *self._flat_weights, *masks, mode=self.mode,
                  num_layers=self.num_layers, bidirectional=self.bidirectional, batch_first=self.batch_first,
                  has_bias=self.bias, has_proj=self.proj_size > 0)
        output, finals = out[0], out[1:]
        if not packed:
            return output, finals
        if output.shape[0] != total:
            output = run(kernels.leading_rows, "SliceBackward0", output, n=total)
        return PackedSequence(output, batch_sizes, sorted_indices, unsorted_indices), finals

    def _dropout_masks(self, data, rows, batch):
        """Keep-masks for the gaps between layers, drawn in torch's order and shapes, and their scale."""
        if not (self.training and self.dropout > 0 and self.num_layers > 1):
            return (), None
        width = (2 if self.bidirectional else 1) * (self.proj_size if self.proj_size > 0 else self.hidden_size)
        if rows is not None:
            shape = (data.shape[0], width)
        else:
            shape = (data.shape[1] if self.batch_first and data.dim() == 3 else data.shape[0], batch, width)
        masks = tuple(_random.dropout_mask(shape, self.dropout) for _ in range(self.num_layers - 1))
        return masks, _random.dropout_scale(self.dropout, data.dtype)


def _to_capacity(data, rows, masks):
    """Packed data (N, in) and its dropout masks with zero rows appended up to steps * B, and the (T, B) row
    table extended to `steps` (T rounded up to 2^k or 3 * 2^k) with ended steps pointing past the rows: the
    stack's kernel then compiles once per (steps, B), not once per total length N and longest length T,
    which change with nearly every batch of variable-length sequences. The extra steps leave every state
    as it is. The caller cuts the packed output back to N rows."""
    total, (longest, batch) = data.shape[0], rows.shape
    steps = 1 << (longest - 1).bit_length()
    steps = steps * 3 // 4 if steps >= 4 and steps * 3 // 4 >= longest else steps
    capacity = steps * batch
    if total == capacity:
        return data, rows, masks
    data = run(kernels.pad_rows_to, "ConstantPadNdBackward0", data, rows=capacity)
    masks = tuple(np.pad(m, ((0, capacity - total), (0, 0))) for m in masks)
    rows = np.concatenate([np.where(rows < total, rows, capacity), np.full((steps - longest, batch), capacity)])
    return data, rows, masks


def _batched_shape(state, batched):
    return tuple(state.shape) if batched else (state.shape[0], 1) + tuple(state.shape[1:])


class _SingleStateRNN(RNNBase):
    """RNN and GRU: one hidden state h of shape (layers * directions, B, H) ((layers * directions, H) unbatched)."""

    def forward(self, input, hx=None):
        """input (T, B, in) ((B, T, in) batch_first), (T, in) or a PackedSequence -> (output, h_n)."""
        shapes = None
        if not isinstance(input, PackedSequence):
            if input.dim() not in (2, 3):
                raise ValueError(self._input_dims_error.format(input.dim()))
            batched = input.dim() == 3
            if hx is not None and hx.dim() != (3 if batched else 2):
                raise RuntimeError(f"For {'batched 3' if batched else 'unbatched 2'}-D input, hx should also be "
                                   f"{3 if batched else 2}-D but got {hx.dim()}-D tensor")
            shapes = None if hx is None else (_batched_shape(hx, batched),)
        elif hx is not None:
            shapes = (tuple(hx.shape),)
        output, (h_n,) = self._forward(input, None if hx is None else (hx,), shapes)
        return output, h_n


class RNN(_SingleStateRNN):
    """Elman RNN: h_t = tanh (or relu) of x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh."""
    _input_dims_error = "RNN: Expected input to be 2D or 3D, got {}D tensor instead"

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if len(args) > 3:
            self.nonlinearity = args[3]
            args = args[:3] + args[4:]
        else:
            self.nonlinearity = kwargs.pop("nonlinearity", "tanh")
        modes = {"tanh": "RNN_TANH", "relu": "RNN_RELU"}
        if self.nonlinearity not in modes:
            raise ValueError(f"Unknown nonlinearity '{self.nonlinearity}'. Select from 'tanh' or 'relu'.")
        super().__init__(modes[self.nonlinearity], *args, **kwargs)


class GRU(_SingleStateRNN):
    """Gated recurrent unit: reset, update and new gates in that order in the weight rows."""
    _input_dims_error = "GRU: Expected input to be 2D or 3D, got {}D instead"

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__("GRU", *args, **kwargs)


class LSTM(RNNBase):
    """Long short-term memory, optionally with a projection of h to proj_size; gate rows i, f, g, o."""

    def __init__(self, *args, **kwargs):
        super().__init__("LSTM", *args, **kwargs)

    def forward(self, input, hx=None):
        """input (T, B, in) ((B, T, in) batch_first), (T, in) or a PackedSequence -> (output, (h_n, c_n))."""
        shapes = None
        if not isinstance(input, PackedSequence):
            if input.dim() not in (2, 3):
                raise ValueError(f"LSTM: Expected input to be 2D or 3D, got {input.dim()}D instead")
            batched = input.dim() == 3
            if hx is not None:
                if hx[0].dim() != (3 if batched else 2) or hx[1].dim() != (3 if batched else 2):
                    kind = "batched 3" if batched else "unbatched 2"
                    raise RuntimeError(f"For {kind}-D input, hx and cx should also be {kind[-1]}-D but got "
                                       f"({hx[0].dim()}-D, {hx[1].dim()}-D) tensors")
                shapes = tuple(_batched_shape(s, batched) for s in hx)
        elif hx is not None:
            shapes = tuple(tuple(s.shape) for s in hx)
        output, (h_n, c_n) = self._forward(input, hx, shapes)
        return output, (h_n, c_n)


class RNNCellBase(Module):
    """Parameters of a single-step cell: weight_ih (chunks * hidden, in), weight_hh (chunks * hidden, hidden),
    bias_ih, bias_hh (chunks * hidden) or None."""

    def __init__(self, input_size, hidden_size, bias, num_chunks, device=None, dtype=None):
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.weight_ih = Parameter(empty((num_chunks * hidden_size, input_size), device=device, dtype=dtype))
        self.weight_hh = Parameter(empty((num_chunks * hidden_size, hidden_size), device=device, dtype=dtype))
        if bias:
            self.bias_ih = Parameter(empty(num_chunks * hidden_size, device=device, dtype=dtype))
            self.bias_hh = Parameter(empty(num_chunks * hidden_size, device=device, dtype=dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def extra_repr(self):
        s = "{input_size}, {hidden_size}"
        if "bias" in self.__dict__ and self.bias is not True:
            s += ", bias={bias}"
        if "nonlinearity" in self.__dict__ and self.nonlinearity != "tanh":
            s += ", nonlinearity={nonlinearity}"
        return s.format(**self.__dict__)

    def reset_parameters(self):
        _reset_uniform(self)

    def _step(self, input, states, mode, name):
        """Check input (B, in) or (in) and states as torch's cells do, then run one step as one dispatch."""
        if input.dim() not in (1, 2):
            raise ValueError(f"{type(self).__name__}: Expected input to be 1D or 2D, got {input.dim()}D instead")
        labels = ["hx[0]", "hx[1]"] if mode == "LSTM" else ["hidden"]
        for label, s in zip(labels, states or ()):
            if s.dim() not in (1, 2):
                raise ValueError(f"{type(self).__name__}: Expected {label} to be 1D or 2D, got {s.dim()}D instead")
        batch = input.shape[0] if input.dim() == 2 else 1
        if input.shape[-1] != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {input.shape[-1]} expected "
                               f"{self.input_size}")
        for k, s in enumerate(states or ()):
            shape = tuple(s.shape) if input.dim() == 2 else (1,) + tuple(s.shape)
            if shape[0] != batch:
                raise RuntimeError(f"Input batch size {batch} doesn't match hidden{k} batch size {shape[0]}")
            wrap_dim(1, len(shape))
            if shape[1] != self.hidden_size:
                raise RuntimeError(f"hidden{k} has inconsistent hidden_size: got {shape[1]}, expected "
                                   f"{self.hidden_size}")
        for t in (input,) + tuple(states or ()):
            if t.dtype is not self.weight_ih.dtype:
                raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got {dtype_name(t.dtype)} and "
                                   f"{dtype_name(self.weight_ih.dtype)}")
        h, c = (tuple(states) + (None,))[:2] if states is not None else (None, None)
        return run(kernels.cell, name, input, h, c, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh,
                   mode=mode)


class RNNCell(RNNCellBase):
    """h' = tanh (or relu) of x W_ih^T + b_ih + h W_hh^T + b_hh; input (B, in) or (in), hx (B, H) or (H)."""

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=1, device=device, dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        if self.nonlinearity not in ("tanh", "relu"):
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        mode, name = ("RNN_TANH", "TanhBackward0") if self.nonlinearity == "tanh" else ("RNN_RELU", "ReluBackward0")
        return self._step(input, None if hx is None else (hx,), mode, name)


class LSTMCell(RNNCellBase):
    """One LSTM step: input (B, in) or (in), hx = (h, c) each (B, H) or (H) -> (h', c')."""

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=4, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        return self._step(input, hx, "LSTM", "MulBackward0")


class GRUCell(RNNCellBase):
    """One GRU step: input (B, in) or (in), hx (B, H) or (H) -> h'."""

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=3, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        return self._step(input, None if hx is None else (hx,), "GRU", "AddBackward0")
