"""Dropout, Dropout1d/2d/3d, AlphaDropout and FeatureAlphaDropout."""
from .. import _functional_dropout as FD
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


class Dropout1d(_DropoutNd):
    """Zeroes whole channels of (N, C, L) or (C, L) in training (torch's CPU stream, see F.dropout1d)."""

    def forward(self, input):
        return FD.dropout1d(input, self.p, self.training, self.inplace)


class Dropout2d(_DropoutNd):
    """Zeroes whole channels of (N, C, H, W) in training (torch's CPU stream, see F.dropout2d)."""

    def forward(self, input):
        return FD.dropout2d(input, self.p, self.training, self.inplace)


class Dropout3d(_DropoutNd):
    """Zeroes whole channels of (N, C, D, H, W) or (C, D, H, W) in training (torch's CPU stream)."""

    def forward(self, input):
        return FD.dropout3d(input, self.p, self.training, self.inplace)


class AlphaDropout(_DropoutNd):
    """Dropout for SELU networks (keeps zero mean and unit variance); identity in eval mode."""

    def forward(self, input):
        return FD.alpha_dropout(input, self.p, self.training)


class FeatureAlphaDropout(_DropoutNd):
    """AlphaDropout of whole channels; identity in eval mode."""

    def forward(self, input):
        return FD.feature_alpha_dropout(input, self.p, self.training)
