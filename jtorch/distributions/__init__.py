"""torch.distributions: probability distributions, their sampling, scoring and KL divergences.

Samplers draw from the default generator exactly as torch's do, so
`manual_seed(s)` followed by `sample()`/`rsample()` gives torch's values,
Gamma, Beta and Dirichlet included (see `_sampling` for the last-bit cases).

Provided: Bernoulli, Beta, Categorical, Dirichlet, Gamma, Independent,
MultivariateNormal, Normal, OneHotCategorical, Uniform, the ExponentialFamily
and Distribution bases, `constraints`, `kl_divergence`/`register_kl`. Not yet:
the other families, transforms, TransformedDistribution, constraint_registry.
"""
from . import constraints
from .bernoulli import Bernoulli
from .beta import Beta
from .categorical import Categorical
from .dirichlet import Dirichlet
from .distribution import Distribution
from .exp_family import ExponentialFamily
from .gamma import Gamma
from .independent import Independent
from .kl import kl_divergence, register_kl
from .multivariate_normal import MultivariateNormal
from .normal import Normal
from .one_hot_categorical import OneHotCategorical
from .uniform import Uniform

__all__ = [
    "Bernoulli", "Beta", "Categorical", "Dirichlet", "Distribution", "ExponentialFamily", "Gamma", "Independent",
    "MultivariateNormal", "Normal", "OneHotCategorical", "Uniform", "constraints", "kl_divergence", "register_kl",
]
