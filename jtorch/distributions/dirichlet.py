"""Dirichlet(concentration): distributions over the probability simplex."""
from .._ops import pointwise
from .._tensor import Size
from ..nn import functional as F
from . import constraints
from ._sampling import sample_dirichlet
from .exp_family import ExponentialFamily

__all__ = ["Dirichlet"]


class Dirichlet(ExponentialFamily):
    """The Dirichlet distribution over the last dim of `concentration`. `rsample` draws torch's
    `_sample_dirichlet` stream (see `_sampling`), with torch's implicit reparameterisation gradient."""
    arg_constraints = {"concentration": constraints.independent(constraints.positive, 1)}
    support = constraints.simplex
    has_rsample = True

    def __init__(self, concentration, validate_args=None):
        if concentration.dim() < 1:
            raise ValueError("`concentration` parameter must be at least one-dimensional.")
        self.concentration = concentration
        super().__init__(concentration.shape[:-1], concentration.shape[-1:], validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Dirichlet, _instance)
        batch_shape = Size(batch_shape)
        new.concentration = self.concentration.expand(batch_shape + self.event_shape)
        super(Dirichlet, new).__init__(batch_shape, self.event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        return sample_dirichlet(self.concentration.expand(shape))

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return (pointwise.xlogy(self.concentration - 1.0, value).sum(-1)
                + pointwise.lgamma(self.concentration.sum(-1)) - pointwise.lgamma(self.concentration).sum(-1))

    @property
    def mean(self):
        return self.concentration / self.concentration.sum(-1, True)

    @property
    def mode(self):
        shifted = (self.concentration - 1).clamp(min=0.0)
        mode = shifted / shifted.sum(-1, True)
        corner = F.one_hot(mode.argmax(dim=-1), shifted.shape[-1]).to(mode.dtype)
        all_below_one = (self.concentration < 1).all(dim=-1, keepdim=True)
        return pointwise.where(all_below_one, corner, mode)

    @property
    def variance(self):
        total = self.concentration.sum(-1, True)
        return self.concentration * (total - self.concentration) / (total.pow(2) * (total + 1))

    def entropy(self):
        k = self.concentration.size(-1)
        a0 = self.concentration.sum(-1)
        return (pointwise.lgamma(self.concentration).sum(-1) - pointwise.lgamma(a0)
                - (k - a0) * pointwise.digamma(a0)
                - ((self.concentration - 1.0) * pointwise.digamma(self.concentration)).sum(-1))

    @property
    def _natural_params(self):
        return (self.concentration,)

    def _log_normalizer(self, x):
        return x.lgamma().sum(-1) - pointwise.lgamma(x.sum(-1))
