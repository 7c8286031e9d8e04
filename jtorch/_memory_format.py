"""torch.memory_format and torch.layout values. jtorch keeps every value in one dense layout, so these are
accepted wherever torch takes them and otherwise have no effect."""


class _TorchConstant:
    """A named torch constant: repr `torch.<name>`, pickled as a reference to that module-level name."""
    __slots__ = ("_name",)

    def __init__(self, name):
        self._name = name

    def __repr__(self):
        return f"torch.{self._name}"

    def __reduce__(self):
        return self._name


class memory_format(_TorchConstant):
    """torch.memory_format: contiguous_format, preserve_format, channels_last, channels_last_3d."""
    __slots__ = ()


class layout(_TorchConstant):
    """torch.layout: only strided (dense) tensors exist in jtorch."""
    __slots__ = ()


contiguous_format = memory_format("contiguous_format")
preserve_format = memory_format("preserve_format")
channels_last = memory_format("channels_last")
channels_last_3d = memory_format("channels_last_3d")
strided = layout("strided")
