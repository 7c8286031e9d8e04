"""torch device objects and their jax devices.

'cpu' is JAX's CPU backend; 'cuda' (and 'gpu') map to JAX's GPU devices;
'tpu' and 'xla' map to TPUs (xla: the default accelerator, else CPU).
"""
import functools

import jax

_PLATFORM = {"cpu": "cpu", "cuda": "gpu", "tpu": "tpu"}


class device:
    """torch.device('type[:index]') or torch.device(type, index)."""

    __slots__ = ("type", "index")

    def __init__(self, type, index=None):
        if isinstance(type, device):
            type, index = type.type, type.index
        elif isinstance(type, int):
            type, index = "cuda", type
        elif ":" in type:
            if index is not None:
                raise RuntimeError("type (string) must not include an index because index was passed explicitly: "
                                   + type)
            type, _, idx = type.partition(":")
            if not idx.isdigit():
                raise RuntimeError(f"Invalid device string: '{type}:{idx}'")
            index = int(idx)
        if type == "gpu":
            type = "cuda"
        if type not in ("cpu", "cuda", "tpu", "xla", "meta"):
            raise RuntimeError(
                "Expected one of cpu, cuda, tpu, xla, meta device type at start of device string: " + type)
        self.type = type
        self.index = index

    def __repr__(self):
        idx = "" if self.index is None else f", index={self.index}"
        return f"device(type='{self.type}'{idx})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other):
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self):
        return hash((self.type, self.index))

    def __reduce__(self):
        return (device, (self.type, self.index))


def _platform_devices(platform):
    try:
        return jax.devices(platform)
    except RuntimeError:
        return []


@functools.lru_cache(maxsize=None)
def to_jax(dev):
    """The jax device a torch device names; RuntimeError if JAX has none of that kind."""
    dev = device(dev)
    if dev.type == "xla":
        devices = jax.devices()
    else:
        devices = _platform_devices(_PLATFORM.get(dev.type, dev.type))
    if not devices:
        raise RuntimeError(f"Device '{dev}' is not available: JAX found no {dev.type} devices")
    index = dev.index or 0
    if index >= len(devices):
        raise RuntimeError(f"Device '{dev}' is not available: only {len(devices)} {dev.type} device(s)")
    return devices[index]


_TYPE_OF_PLATFORM = {"cpu": "cpu", "gpu": "cuda", "cuda": "cuda", "rocm": "cuda", "tpu": "tpu"}


def from_jax(jax_device):
    """The torch device for a jax device: cpu stays indexless, as torch prints it."""
    kind = _TYPE_OF_PLATFORM.get(jax_device.platform, "xla")
    return device(kind) if kind == "cpu" else device(kind, jax_device.id)


def default_jax_device():
    return jax.devices("cpu")[0]


def cuda_is_available():
    return bool(_platform_devices("gpu"))


def cuda_device_count():
    return len(_platform_devices("gpu"))
