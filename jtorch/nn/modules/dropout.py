"""Dropout."""
from .. import _functional_layers as F
from .module import Module


class _DropoutNd(Module):
    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    """In training mode zeroes elements with probability p (torch's CPU mask stream, see F.dropout) and
    scales the rest by 1 / (1 - p); identity in eval mode."""

    def forward(self, input):
        return F.dropout(input, self.p, self.training, self.inplace)
