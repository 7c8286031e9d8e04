"""Random sampling: factories (rand, randn, randint, ...) and in-place samplers.

Every sampler draws on the host from a `jtorch.random.Generator`, which
reproduces torch's CPU streams (see that module for where results can differ),
and moves the result to its device in one transfer. Samples are constants to
autograd: `requires_grad=` makes a fresh leaf.

Differs from torch: in-place samplers replace the tensor's value (as for a
contiguous tensor in torch; torch's `normal_` draws differently on a
non-contiguous one), and `generator=` on a non-CPU device still gives torch's
CPU stream rather than its Philox one.
"""
import jax
import numpy as np

from .. import _dtype
from .. import random as _random
from .._tensor import Tensor, from_array
from ._common import broadcast_shapes, dtype_name, shape_arg

_PERMUTATION_LIMITS = {
    _dtype.float16: ((1 << 11) + 1, "n cannot be greater than 2049 for Half type."),
    _dtype.float32: ((1 << 24) + 1, "n cannot be greater than 2^24+1 for Float type."),
    _dtype.float64: ((1 << 53) + 1, "n cannot be greater than 2^53+1 for Double type."),
}


def _generator(generator):
    if generator is None:
        return _random.default_generator
    if not isinstance(generator, _random.Generator):
        raise TypeError(f"expected a torch.Generator, but got {type(generator).__name__}")
    return generator


def _new(array, dtype, device, requires_grad, out):
    """A fresh tensor holding `array` (or `out` overwritten with it)."""
    array = np.asarray(array, dtype._np)
    if out is not None:
        return out._inplace_set(jax.device_put(array, out._value.device))
    return from_array(array, requires_grad=requires_grad, device=device)


def _fill(self, generator, sampler, *args):
    """An in-place sampler: `self` takes `Generator.<sampler>(shape, dtype, *args)`."""
    self._check_inplace()
    array = getattr(_generator(generator), sampler)(self.shape, self.dtype._np, *args)
    return self._inplace_set(jax.device_put(np.asarray(array, self.dtype._np), self._value.device))


def _values(tensor):
    """A Tensor's value on the host, in its own dtype."""
    return np.asarray(tensor._value)


def _pop_from(kwargs, default):
    """The `from=` keyword of uniform_ (a Python keyword, so passed as `**{'from': x}`)."""
    value = kwargs.pop("from", default)
    if kwargs:
        raise TypeError(f"uniform_() got an unexpected keyword argument '{next(iter(kwargs))}'")
    return value


def _factory_dtype(dtype, out, default):
    return dtype or (out.dtype if out is not None else default)


# ---------------------------------------------------------------- factories

def rand(*size, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False):
    """Uniform [0, 1) samples (torch's `empty(size).uniform_()`)."""
    dtype = _factory_dtype(dtype, out, _dtype.get_default_dtype())
    array = _generator(generator)._sample_uniform(shape_arg(size), dtype._np)
    return _new(array, dtype, device, requires_grad, out)


def randn(*size, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False):
    """Standard normal samples (torch's `empty(size).normal_()`)."""
    dtype = _factory_dtype(dtype, out, _dtype.get_default_dtype())
    array = _generator(generator)._sample_normal(shape_arg(size), dtype._np)
    return _new(array, dtype, device, requires_grad, out)


def randint(*args, low=None, high=None, size=None, generator=None, out=None, dtype=None, layout=None,
            device=None, requires_grad=False, pin_memory=False):
    """`randint(high, size)` or `randint(low, high, size)`: integers in [low, high)."""
    low, high, size = _randint_args(args, low, high, size)
    dtype = _factory_dtype(dtype, out, _dtype.int64)
    array = _generator(generator)._sample_random_from_to(shape_arg((size,)), dtype._np, low, high)
    return _new(array, dtype, device, requires_grad, out)


def _randint_args(args, low, high, size):
    positional = list(args)
    if size is None and positional:
        size = positional.pop()
    if high is None and positional:
        high = positional.pop()
    if low is None and positional:
        low = positional.pop()
    if positional or high is None or size is None:
        raise TypeError("randint() received an invalid combination of arguments - expected "
                        "(int high, tuple of ints size) or (int low, int high, tuple of ints size)")
    return (0 if low is None else int(low)), int(high), size


def randperm(n, *, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
             pin_memory=False):
    """A random permutation of 0 .. n-1."""
    dtype = _factory_dtype(dtype, out, _dtype.int64)
    n = int(n)
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    limit, message = _PERMUTATION_LIMITS.get(dtype, (n, ""))
    if n > limit:
        raise RuntimeError(message)
    array = _generator(generator)._sample_randperm(n).astype(dtype._np, copy=False)
    return _new(array, dtype, device, requires_grad, out)


def normal(mean, std=1.0, size=None, *, generator=None, out=None, dtype=None, layout=None, device=None,
           requires_grad=False, pin_memory=False):
    """All four overloads: (Tensor, Tensor), (Tensor, float), (float, Tensor), (float, float, size).

    With a Tensor argument, torch draws standard (or `std`-scaled) normals and
    then multiplies by `std` and adds `mean` in the output dtype; so do we.
    """
    gen = _generator(generator)
    if isinstance(mean, Tensor) or isinstance(std, Tensor):
        return _normal_tensors(gen, mean, std, out)
    if size is None:
        raise TypeError("normal() received an invalid combination of arguments - got (float, float), but "
                        "expected one of: (Tensor mean, Tensor std), (Tensor mean, float std), "
                        "(float mean, Tensor std), (float mean, float std, tuple of ints size)")
    dtype = _factory_dtype(dtype, out, _dtype.get_default_dtype())
    array = gen._sample_normal(shape_arg((size,)), dtype._np, float(mean), float(std))
    return _new(array, dtype, device, requires_grad, out)


def _normal_tensors(gen, mean, std, out):
    if isinstance(std, Tensor) and std.numel() and np.any(_values(std) < 0):
        raise RuntimeError("normal expects all elements of std >= 0.0")
    if isinstance(mean, Tensor):
        like = mean
        shape = broadcast_shapes(mean.shape, std.shape) if isinstance(std, Tensor) else mean.shape
    else:
        like, shape = std, std.shape
    dtype = out.dtype if out is not None else like.dtype
    if isinstance(std, Tensor):
        values = gen._sample_normal(shape, dtype._np)
        values = _in_dtype(values * _values(std), dtype)
    else:
        values = gen._sample_normal(shape, dtype._np, 0.0, float(std))
    values = _in_dtype(values + (_values(mean) if isinstance(mean, Tensor) else dtype._np.type(mean)), dtype)
    return _new(values, dtype, like.device, False, out)


def _in_dtype(values, dtype):
    return np.asarray(values).astype(dtype._np)


def rand_like(input, *, generator=None, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    return rand(input.shape, generator=generator, dtype=dtype or input.dtype, device=device or input.device,
                requires_grad=requires_grad)


def randn_like(input, *, generator=None, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None):
    return randn(input.shape, generator=generator, dtype=dtype or input.dtype, device=device or input.device,
                 requires_grad=requires_grad)


def randint_like(input, *args, low=None, high=None, generator=None, dtype=None, layout=None, device=None,
                 requires_grad=False, memory_format=None):
    """`randint_like(input, high)` or `randint_like(input, low, high)`."""
    low, high, _ = _randint_args(args + (input.shape,), low, high, None)
    return randint(low, high, input.shape, generator=generator, dtype=dtype or input.dtype,
                   device=device or input.device, requires_grad=requires_grad)


def bernoulli(input, p=None, *, generator=None, out=None):
    """0/1 samples in `input`'s dtype: probabilities `input`, or the float `p`."""
    p = _probabilities(input, input.shape) if p is None else float(p)
    array = _generator(generator)._sample_bernoulli(input.shape, input.dtype._np, p)
    return _new(array, input.dtype, input.device, False, out)


def _probabilities(probs, shape):
    """A probability tensor's values, after torch's checks for drawing `shape` from it."""
    if not probs.dtype.is_floating_point:
        raise NotImplementedError(
            f'"bernoulli_tensor_cpu_p_" not implemented for \'{dtype_name(probs.dtype)}\'')
    p = _values(probs)
    if np.any((p < 0) | (p > 1)):
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
    if broadcast_shapes(tuple(shape), p.shape) != tuple(shape):
        raise RuntimeError(
            f"The expanded size of the tensor ({shape[-1] if shape else 1}) must match the existing size "
            f"({p.shape[-1]}) at non-singleton dimension {len(shape) - 1}.  Target sizes: {list(shape)}.  "
            f"Tensor sizes: {list(p.shape)}")
    return p


def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    """Category indices (int64) drawn from the rows of `input`."""
    if input.dim() not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if not input.dtype.is_floating_point:
        raise RuntimeError(
            f"multinomial only supports floating-point dtypes for input, got: {dtype_name(input.dtype)}")
    array = _generator(generator)._sample_multinomial(_values(input), int(num_samples), bool(replacement))
    return _new(array, _dtype.int64, input.device, False, out)


# ------------------------------------------------------------ in-place ops

def uniform_(self, from_=0.0, to=1.0, *, generator=None, **kwargs):
    from_ = _pop_from(kwargs, from_)
    return _fill(self, generator, "_sample_uniform", float(from_), float(to))


def normal_(self, mean=0.0, std=1.0, *, generator=None):
    return _fill(self, generator, "_sample_normal", float(mean), float(std))


def random_(self, *args, generator=None, **kwargs):
    """`random_()`, `random_(to)`, `random_(from, to)`; `to=None` means up to the dtype's maximum."""
    if len(args) > 2:
        raise TypeError(f"random_() takes 2 positional arguments but {len(args) + 1} were given")
    names = ("to",) if len(args) == 1 and "from" not in kwargs else ("from", "to")
    bounds = dict(zip(names, args))
    for key in kwargs:
        if key in bounds or key not in ("from", "to"):
            raise TypeError(f"random_() got an unexpected keyword argument '{key}'")
    bounds.update(kwargs)
    if not bounds:
        return _fill(self, generator, "_sample_random")
    high = bounds.get("to")
    return _fill(self, generator, "_sample_random_from_to", int(bounds.get("from", 0)),
                 None if high is None else int(high))


def bernoulli_(self, p=0.5, *, generator=None):
    p = _probabilities(p, self.shape) if isinstance(p, Tensor) else float(p)
    return _fill(self, generator, "_sample_bernoulli", p)


def exponential_(self, lambd=1.0, *, generator=None):
    return _fill(self, generator, "_sample_exponential", float(lambd))


def geometric_(self, p, *, generator=None):
    return _fill(self, generator, "_sample_geometric", float(p))


def log_normal_(self, mean=1.0, std=2.0, *, generator=None):
    return _fill(self, generator, "_sample_log_normal", float(mean), float(std))


def cauchy_(self, median=0.0, sigma=1.0, *, generator=None):
    return _fill(self, generator, "_sample_cauchy", float(median), float(sigma))
