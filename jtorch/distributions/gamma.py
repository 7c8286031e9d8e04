"""Gamma(concentration, rate)."""
import jax.scipy.special

from .._dispatch import run
from .._ops import creation, pointwise
from .._tensor import Size
from . import constraints
from ._sampling import standard_gamma
from .exp_family import ExponentialFamily
from .utils import broadcast_all, finfo

__all__ = ["Gamma"]

_NUMBER = (int, float, bool)


def _regularized_lower_gamma(a, x):
    return jax.scipy.special.gammainc(a, x)


class Gamma(ExponentialFamily):
    """The gamma distribution. `rsample` draws torch's `_standard_gamma` stream (see `_sampling`) and divides by
    `rate`; its gradient to `concentration` is torch's implicit reparameterisation.

    Differs from torch: `cdf` (torch.special.gammainc) also differentiates with respect to `concentration`,
    where torch raises."""
    arg_constraints = {"concentration": constraints.positive, "rate": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True
    _mean_carrier_measure = 0

    def __init__(self, concentration, rate, validate_args=None):
        self.concentration, self.rate = broadcast_all(concentration, rate)
        if isinstance(concentration, _NUMBER) and isinstance(rate, _NUMBER):
            batch_shape = Size()
        else:
            batch_shape = self.concentration.size()
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Gamma, _instance)
        batch_shape = Size(batch_shape)
        new.concentration = self.concentration.expand(batch_shape)
        new.rate = self.rate.expand(batch_shape)
        super(Gamma, new).__init__(batch_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    @property
    def mean(self):
        return self.concentration / self.rate

    @property
    def mode(self):
        return ((self.concentration - 1) / self.rate).clamp(min=0)

    @property
    def variance(self):
        return self.concentration / self.rate.pow(2)

    def rsample(self, sample_shape=Size()):
        shape = self._extended_shape(sample_shape)
        value = standard_gamma(self.concentration.expand(shape)) / self.rate.expand(shape)
        value.detach().clamp_(min=float(finfo(value.dtype).tiny))
        return value

    def log_prob(self, value):
        value = creation.as_tensor(value, dtype=self.rate.dtype, device=self.rate.device)
        if self._validate_args:
            self._validate_sample(value)
        return (pointwise.xlogy(self.concentration, self.rate) + pointwise.xlogy(self.concentration - 1, value)
                - self.rate * value - pointwise.lgamma(self.concentration))

    def entropy(self):
        return (self.concentration - pointwise.log(self.rate) + pointwise.lgamma(self.concentration)
                + (1.0 - self.concentration) * pointwise.digamma(self.concentration))

    @property
    def _natural_params(self):
        return (self.concentration - 1, -self.rate)

    def _log_normalizer(self, x, y):
        return pointwise.lgamma(x + 1) + (x + 1) * pointwise.log(-y.reciprocal())

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return run(_regularized_lower_gamma, "IgammaBackward0", self.concentration, self.rate * value)
