"""torch.cuda: what JAX's GPU backend offers under torch's names.

`is_available()` is true when JAX sees a GPU. Seeding functions seed the (CPU) default generator's
CUDA counterpart, which jtorch does not have: they are accepted and do nothing.
"""
from . import _device


def is_available():
    return _device.cuda_is_available()


def device_count():
    return _device.cuda_device_count()


def current_device():
    if not is_available():
        raise RuntimeError("No CUDA GPUs are available")
    return 0


def get_device_name(device=None):
    index = _device.device(device).index if isinstance(device, (str, _device.device)) else (device or 0)
    return _device.to_jax(_device.device("cuda", index)).device_kind


def synchronize(device=None):
    """Waits for nothing: jtorch blocks on results when they are read (item, numpy, printing)."""


def manual_seed(seed):
    """Accepted for compatibility; jtorch draws random numbers on the host with the default generator."""


manual_seed_all = manual_seed


def is_bf16_supported():
    return is_available()


def empty_cache():
    """Accepted for compatibility; JAX manages device memory itself."""
