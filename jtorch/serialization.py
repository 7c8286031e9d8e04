"""save/load in PyTorch's zip checkpoint format, and pickling of Tensors.

`save` writes what torch.save writes: a zip archive whose records sit in one folder named after the file stem
('archive' for file objects), stored uncompressed and aligned to 64 bytes: `data.pkl` (protocol-2 pickle in which
tensors are `torch._utils._rebuild_tensor_v2` calls on persistent storage ids and parameters
`torch._utils._rebuild_parameter` calls), `.format_version`, `.storage_alignment`, `byteorder`, one `data/<key>`
record of raw bytes per storage, `version` and `.data/serialization_id`. Real `torch.load` reads it with its
default `weights_only=True`; `load` reads what torch.save writes.

Differs from torch:
* every saved tensor gets a contiguous storage of its own, except tensors holding the same value (`t`,
  `t.detach()`, a Parameter's data), which share one; loaded tensors never share memory;
* tensors on devices other than cpu and cuda are recorded with location 'cpu';
* `.data/serialization_id` is a 40-digit id from a hash of the record names and contents, not torch's value;
* `load` reads only the zip format (torch.save's default since 1.6), not the legacy format, and raises
  RuntimeError naming the file for a file that is not such a checkpoint;
* a callable `map_location` receives a jtorch storage stand-in with `device`, `cpu()`, `cuda()` and `to()`.
"""
import codecs
import collections
import contextlib
import copy
import hashlib
import io
import os
import pickle
import sys
import threading
import zipfile
import zlib

import _compat_pickle
import numpy as np

from . import _device, _dtype
from ._tensor import Size, Tensor, from_array
from .nn.parameter import Parameter

__all__ = ["save", "load", "add_safe_globals", "get_safe_globals", "clear_safe_globals", "safe_globals"]

_ALIGNMENT = 64
_FORMAT_VERSION = b"1"
_ARCHIVE_VERSION = b"3\n"
_LEGACY_MAGIC = b"\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19"  # torch's pre-1.6 format
_ZIP_MAGIC = b"PK\x03\x04"
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


class _TorchGlobal:
    """A torch function or class named in a checkpoint: pickled as `GLOBAL module name`. Callable only because
    the pickler requires the first item of a reduce tuple to be."""

    __slots__ = ("module", "name")

    def __init__(self, module, name):
        self.module = module
        self.name = name

    def __call__(self, *args):
        raise TypeError(f"{self.module}.{self.name} names a torch global in a checkpoint; it cannot be called")


_REBUILD_TENSOR_V2 = _TorchGlobal("torch._utils", "_rebuild_tensor_v2")
_REBUILD_PARAMETER = _TorchGlobal("torch._utils", "_rebuild_parameter")
_TORCH_DEVICE = _TorchGlobal("torch", "device")
_TORCH_SIZE = _TorchGlobal("torch", "Size")

_STORAGE_NAMES = {
    _dtype.float32: "FloatStorage", _dtype.float64: "DoubleStorage", _dtype.float16: "HalfStorage",
    _dtype.bfloat16: "BFloat16Storage", _dtype.int64: "LongStorage", _dtype.int32: "IntStorage",
    _dtype.int16: "ShortStorage", _dtype.int8: "CharStorage", _dtype.uint8: "ByteStorage",
    _dtype.bool_: "BoolStorage", _dtype.complex64: "ComplexFloatStorage", _dtype.complex128: "ComplexDoubleStorage",
}
_STORAGE_GLOBALS = {d: _TorchGlobal("torch", name) for d, name in _STORAGE_NAMES.items()}


# ---------------------------------------------------------------------------------------------------- saving

class _Pickler(pickle._Pickler):
    """The pure-Python pickler (it can name torch's globals without importing torch), writing jtorch tensors,
    parameters, dtypes, devices and sizes as torch pickles its own, and collecting the storages to write."""

    def __init__(self, file, protocol):
        super().__init__(file, protocol)
        self.storages = {}  # id(value) -> (key, storage); the storages keep the values alive, so ids stay unique

    def persistent_id(self, obj):
        if not isinstance(obj, _SavedStorage):
            return None
        key, storage = self.storages.setdefault(id(obj.value), (str(len(self.storages)), obj))
        return ("storage", _STORAGE_GLOBALS[storage.dtype], key, storage.location, storage.numel)

    def reducer_override(self, obj):
        if isinstance(obj, Parameter):
            return (_REBUILD_PARAMETER, (obj.detach(), obj.requires_grad, collections.OrderedDict()))
        if isinstance(obj, Tensor):
            return (_REBUILD_TENSOR_V2, (_SavedStorage(obj), 0, tuple(obj.shape), _contiguous_strides(obj.shape),
                                         obj.requires_grad, collections.OrderedDict()))
        if isinstance(obj, (_TorchGlobal, _dtype.dtype)):
            return "torch global"  # a string routes the object to save_global
        if isinstance(obj, _device.device):
            return (_TORCH_DEVICE, (str(obj),))
        if isinstance(obj, Size):
            return (_TORCH_SIZE, (tuple(obj),))
        return NotImplemented

    def save_global(self, obj, name=None):
        if isinstance(obj, _dtype.dtype):
            obj = _TorchGlobal("torch", obj._name)
        if not isinstance(obj, _TorchGlobal):
            return super().save_global(obj, name)
        self.write(pickle.GLOBAL + f"{obj.module}\n{obj.name}\n".encode("utf-8"))
        self.memoize(obj)


class _SavedStorage:
    """The storage of a tensor being saved: its value, as one contiguous run of elements."""

    __slots__ = ("value", "dtype", "numel", "location")

    def __init__(self, tensor):
        self.value = tensor._value
        self.dtype = tensor.dtype
        self.numel = tensor.numel()
        device = tensor.device
        self.location = str(device) if device.type == "cuda" else "cpu"


def _contiguous_strides(shape):
    strides, step = [], 1
    for size in reversed(shape):
        strides.append(step)
        step *= size
    return tuple(reversed(strides))


def _storage_bytes(value):
    """The raw bytes of a value as one flat uint8 array (host copy for values on an accelerator)."""
    return np.ascontiguousarray(np.asarray(value)).reshape(-1).view(np.uint8)


def _serialization_id(records):
    names = hashlib.blake2b("".join(name for name, _ in records).encode(), digest_size=8)
    crc = 0
    for _, data in records:
        crc = zlib.crc32(data, crc)
    return f"{int.from_bytes(names.digest(), 'little'):020d}{crc:020d}".encode()


def _checkpoint_records(obj, protocol):
    """(name, bytes) for each record of the checkpoint of `obj`, in torch's order."""
    buffer = io.BytesIO()
    pickler = _Pickler(buffer, protocol)
    pickler.dump(obj)
    records = [("data.pkl", buffer.getbuffer()), (".format_version", _FORMAT_VERSION),
               (".storage_alignment", str(_ALIGNMENT).encode()), ("byteorder", sys.byteorder.encode())]
    records += [(f"data/{key}", _storage_bytes(storage.value)) for key, storage in pickler.storages.values()]
    records.append(("version", _ARCHIVE_VERSION))
    records.append((".data/serialization_id", _serialization_id(records)))
    return records


def _write_record(archive, name, data):
    """An uncompressed member whose data starts on a 64-byte boundary, padded as torch pads ('FB' extra field)."""
    info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
    info.file_size = memoryview(data).nbytes
    zip64_extra = 20 if info.file_size * 1.05 > zipfile.ZIP64_LIMIT else 0
    data_start = archive.fp.tell() + zipfile.sizeFileHeader + len(name.encode("utf-8")) + 4 + zip64_extra
    padding = -data_start % _ALIGNMENT
    info.extra = b"FB" + padding.to_bytes(2, "little") + b"Z" * padding
    with archive.open(info, "w") as member:
        member.write(data)


def _write_checkpoint(obj, stream, archive_name, protocol):
    records = _checkpoint_records(obj, protocol)
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_STORED) as archive:
        for name, data in records:
            _write_record(archive, f"{archive_name}/{name}", data)


def _is_path(f):
    return isinstance(f, (str, os.PathLike))


def save(obj, f, pickle_module=None, pickle_protocol=2, _use_new_zipfile_serialization=True,
         _disable_byteorder_record=False):
    """Writes `obj` to `f` (a path or a writable binary file object) in torch.save's zip format.

    A path is written through a temporary file in the same folder, renamed into place once complete.
    `pickle_module` is ignored: the pickler is jtorch's own, at `pickle_protocol`.
    """
    if not _use_new_zipfile_serialization:
        raise NotImplementedError("jtorch.save writes only the zip format (_use_new_zipfile_serialization=True)")
    if not _is_path(f):
        _write_checkpoint(obj, f, "archive", pickle_protocol)
        return
    path = os.fspath(f)
    parent = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(parent):
        raise RuntimeError(f"Parent directory {os.path.dirname(path)} does not exist.")
    stem = os.path.splitext(os.path.basename(path))[0]
    temporary = f"{path}.{os.getpid()}.{threading.get_ident()}.tmp"
    try:
        with open(temporary, "wb") as stream:
            _write_checkpoint(obj, stream, stem, pickle_protocol)
        os.replace(temporary, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.remove(temporary)


# --------------------------------------------------------------------------------------------------- loading

class _StorageType:
    """A torch storage class named in a checkpoint (`torch.FloatStorage`, `torch.UntypedStorage`...)."""

    __slots__ = ("dtype",)

    def __init__(self, dtype):
        self.dtype = dtype


class _Storage:
    """A storage read from a checkpoint: its elements on the host and the device its tensors will live on.

    This is what a callable `map_location(storage, location)` receives and returns.
    """

    def __init__(self, elements, device):
        self.elements = elements
        self.device = _device.device(device)

    @property
    def dtype(self):
        return _dtype.from_numpy_dtype(self.elements.dtype)

    def size(self):
        return self.elements.size

    def to(self, device):
        return _Storage(self.elements, _checked_device(str(_device.device(device))))

    def cpu(self):
        return self.to("cpu")

    def cuda(self, device=None):
        return self.to("cuda" if device is None else _device.device(device))

    def __repr__(self):
        return f"jtorch storage of {self.elements.size} {self.dtype} on {self.device}"


def _checked_device(location):
    """The device `location` names, with torch's errors when it does not exist here."""
    device = _device.device(location)
    if device.type == "cuda":
        count = _device.cuda_device_count()
        if not count:
            raise RuntimeError(
                "Attempting to deserialize object on a CUDA device but torch.cuda.is_available() is False. If you "
                "are running on a CPU-only machine, please use torch.load with map_location=torch.device('cpu') "
                "to map your storages to the CPU.")
        if (device.index or 0) >= count:
            raise RuntimeError(
                f"Attempting to deserialize object on CUDA device {device.index} but torch.cuda.device_count() is "
                f"{count}. Please use torch.load with map_location to map your storages to an existing device.")
    _device.to_jax(device)
    return device


def _restorer(map_location):
    """(storage, location) -> storage placed as `map_location` asks (None: where it was saved)."""
    def default(storage, location):
        return storage.to(location)

    if map_location is None:
        return default
    if isinstance(map_location, dict):
        return lambda storage, location: default(storage, str(map_location.get(location, location)))
    if isinstance(map_location, (str, _device.device)):
        return lambda storage, location: default(storage, str(map_location))
    if callable(map_location):
        def restore(storage, location):
            result = map_location(storage, location)
            return default(storage, location) if result is None else result
        return restore
    raise TypeError(f"map_location should be a str, a device, a dict or a callable, but got {type(map_location)}")


def _tensor_from_storage(storage, dtype, offset, size, stride):
    """The tensor viewing `storage` at (offset, size, stride), copied out, on the storage's device."""
    elements = storage.elements if storage.elements.dtype == dtype._np else storage.elements.view(dtype._np)
    size, stride = tuple(size), tuple(stride)
    _check_extent(elements.size, offset, size, stride)
    view = np.lib.stride_tricks.as_strided(elements[offset:], size, [s * elements.itemsize for s in stride])
    return from_array(np.array(view), device=storage.device)


def _check_extent(numel, offset, size, stride):
    """torch's bounds check: the view must lie inside the storage."""
    if len(size) != len(stride) or offset < 0 or any(s < 0 for s in size + stride):
        raise RuntimeError(f"invalid tensor geometry in checkpoint: offset {offset}, size {list(size)}, stride "
                           f"{list(stride)}")
    needed = offset if 0 in size else offset + 1 + sum((n - 1) * s for n, s in zip(size, stride))
    if needed > numel:
        raise RuntimeError(f"setStorage: sizes {list(size)}, strides {list(stride)}, storage offset {offset} "
                           f"requiring a storage of {needed} elements are out of bounds for storage of {numel}")


def _rebuild_tensor(storage, storage_offset, size, stride):
    return _tensor_from_storage(storage, storage.dtype, storage_offset, size, stride)


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks, metadata=None):
    return _rebuild_tensor(storage, storage_offset, size, stride).requires_grad_(requires_grad)


def _rebuild_tensor_v3(storage, storage_offset, size, stride, requires_grad, backward_hooks, dtype,
                       metadata=None):
    tensor = _tensor_from_storage(storage, dtype, storage_offset, size, stride)
    return tensor.requires_grad_(requires_grad)


def _rebuild_parameter(data, requires_grad, backward_hooks):
    return Parameter(data, requires_grad)


def _rebuild_parameter_with_state(data, requires_grad, backward_hooks, state):
    return _set_state(Parameter(data, requires_grad), state)


def _rebuild_device_tensor_from_cpu_tensor(data, dtype, device, requires_grad):
    return data.to(dtype=dtype, device=device).requires_grad_(requires_grad)


def _rebuild_from_type_v2(func, new_type, args, state):
    """A tensor of class `new_type` (a Tensor subclass) from `func(*args)`, with its attributes in `state`."""
    tensor = func(*args)
    if not isinstance(tensor, new_type):
        converted = object.__new__(new_type)
        converted.__dict__.update(tensor.__dict__)
        tensor = converted
    return _set_state(tensor, state)


def _set_state(obj, state):
    if isinstance(state, tuple):
        state = {**(state[0] or {}), **(state[1] or {})}
    for name, value in (state or {}).items():
        setattr(obj, name, value)
    return obj


def _allowed_globals():
    """What a weights-only load may name, by torch's qualified name: torch's default allowlist, in jtorch."""
    allowed = {
        "collections.OrderedDict": collections.OrderedDict, "collections.Counter": collections.Counter,
        "torch.nn.parameter.Parameter": Parameter, "torch.Tensor": Tensor, "torch.Size": Size,
        "torch.device": _device.device, "_codecs.encode": codecs.encode, "builtins.bytearray": bytearray,
        "builtins.set": set, "builtins.complex": complex, "torch._tensor._rebuild_from_type_v2": _rebuild_from_type_v2,
        "torch.storage.UntypedStorage": _StorageType(_dtype.uint8),
    }
    for fn in (_rebuild_tensor, _rebuild_tensor_v2, _rebuild_tensor_v3, _rebuild_parameter,
               _rebuild_parameter_with_state, _rebuild_device_tensor_from_cpu_tensor):
        allowed[f"torch._utils.{fn.__name__}"] = fn
    for d in _dtype._ALL:
        allowed[repr(d)] = d
    for d, name in _STORAGE_NAMES.items():
        allowed[f"torch.{name}"] = _StorageType(d)
    return allowed


_ALLOWED_GLOBALS = _allowed_globals()
_user_safe_globals = {}


def _qualified_name(obj):
    return f"{obj.__module__}.{obj.__qualname__}"


def add_safe_globals(safe_globals):
    """Lets weights-only loads name these classes and functions (or (obj, 'module.name') pairs)."""
    for entry in safe_globals:
        obj, name = entry if isinstance(entry, tuple) else (entry, _qualified_name(entry))
        _user_safe_globals[name] = obj


def get_safe_globals():
    return list(_user_safe_globals.values())


def clear_safe_globals():
    _user_safe_globals.clear()


@contextlib.contextmanager
def safe_globals(safe_globals):
    """add_safe_globals for the duration of a `with` block."""
    saved = dict(_user_safe_globals)
    add_safe_globals(safe_globals)
    try:
        yield
    finally:
        _user_safe_globals.clear()
        _user_safe_globals.update(saved)


def _weights_only_error(full_name):
    return pickle.UnpicklingError(
        "Weights only load failed. This file can still be loaded, to do so you have two options, do those steps "
        "only if you trust the source of the checkpoint. \n\t(1) Re-running `load` with `weights_only` set to "
        "`False` will likely succeed, but it can result in arbitrary code execution. Do it only if you got the "
        "file from a trusted source.\n\t(2) Alternatively, to load with `weights_only=True` please check the "
        "recommended steps in the following error message.\n\tWeightsUnpickler error: Unsupported global: GLOBAL "
        f"{full_name} was not an allowed global by default. Please use `torch.serialization.add_safe_globals("
        f"[{full_name}])` or the `torch.serialization.safe_globals([{full_name}])` context manager to allowlist "
        "this global if you trust this class/function.")


def _python3_name(module, name):
    """Protocol-2 pickles name Python 3 builtins by their Python 2 names; map them back as pickle does."""
    if (module, name) in _compat_pickle.NAME_MAPPING:
        return _compat_pickle.NAME_MAPPING[(module, name)]
    return _compat_pickle.IMPORT_MAPPING.get(module, module), name


def _jtorch_global(module, name):
    """The jtorch object for a torch name outside the allowlist (full unpickling only): same path under jtorch."""
    try:
        target = __import__("j" + module, fromlist=[name])
        return getattr(target, name)
    except (ImportError, AttributeError):
        raise pickle.UnpicklingError(f"jtorch has no equivalent of {module}.{name}") from None


class _Unpickler(pickle.Unpickler):
    """Reads data.pkl: torch names resolve to jtorch objects, storages come from the archive's records."""

    def __init__(self, file, read_storage, weights_only, **kwargs):
        super().__init__(file, **kwargs)
        self._read_storage = read_storage
        self._weights_only = weights_only
        self._storages = {}

    def find_class(self, module, name):
        module, name = _python3_name(module, name)
        full_name = f"{module}.{name}"
        for table in (_ALLOWED_GLOBALS, _user_safe_globals):
            if full_name in table:
                return table[full_name]
        if self._weights_only:
            raise _weights_only_error(full_name)
        if module == "torch" or module.startswith("torch."):
            return _jtorch_global(module, name)
        return super().find_class(module, name)

    def persistent_load(self, saved_id):
        if not (isinstance(saved_id, tuple) and len(saved_id) == 5 and saved_id[0] in ("storage", b"storage")
                and isinstance(saved_id[1], _StorageType)):
            raise pickle.UnpicklingError(f"unsupported persistent id in checkpoint: {saved_id!r}")
        _, storage_type, key, location, _ = saved_id
        if key not in self._storages:
            self._storages[key] = self._read_storage(key, storage_type.dtype, location)
        return self._storages[key]


class _Checkpoint:
    """An open zip checkpoint: its records under the archive folder that holds data.pkl."""

    def __init__(self, archive, name):
        self.archive = archive
        self.name = name
        pickles = [n for n in archive.namelist() if n.endswith("data.pkl") and n.count("/") == 1]
        if not pickles:
            raise RuntimeError(f"{name} is a zip archive but not a PyTorch checkpoint: it has no data.pkl record")
        self.prefix = pickles[0][:-len("data.pkl")]
        self.names = set(archive.namelist())

    def has(self, record):
        return self.prefix + record in self.names

    def read(self, record):
        try:
            return self.archive.read(self.prefix + record)
        except KeyError:
            raise RuntimeError(f"{self.name}: the checkpoint has no record '{record}'") from None

    def storage_reader(self, restore):
        """(key, dtype, location) -> the storage `data/<key>` holds, placed by `restore`."""
        swap = self.has("byteorder") and self.read("byteorder").decode() != sys.byteorder

        def read_storage(key, dtype, location):
            elements = np.frombuffer(self.read(f"data/{key}"), dtype=dtype._np)
            return restore(_Storage(elements.byteswap() if swap else elements, "cpu"), location)
        return read_storage


def _file_name(f):
    return os.fspath(f) if _is_path(f) else getattr(f, "name", repr(f))


def _check_zip_header(stream, name):
    start = stream.tell()
    head = stream.read(len(_LEGACY_MAGIC))
    stream.seek(start)
    if head.startswith(_LEGACY_MAGIC):
        raise RuntimeError(f"{name} was written in PyTorch's legacy (pre-1.6) format, which jtorch does not read; "
                           "load it with torch and save it again with torch.save's default format")
    if not head.startswith(_ZIP_MAGIC):
        raise RuntimeError(f"{name} is not a PyTorch checkpoint: it is not a zip archive (empty, corrupted or "
                           "another format)")


def _load_stream(stream, name, map_location, weights_only, pickle_load_args):
    _check_zip_header(stream, name)
    try:
        with zipfile.ZipFile(stream) as archive:
            checkpoint = _Checkpoint(archive, name)
            data = io.BytesIO(checkpoint.read("data.pkl"))
            unpickler = _Unpickler(data, checkpoint.storage_reader(_restorer(map_location)), weights_only,
                                   **pickle_load_args)
            return unpickler.load()
    except (zipfile.BadZipFile, zlib.error, EOFError) as e:
        raise RuntimeError(f"{name} is not a readable PyTorch checkpoint (truncated or corrupted): {e}") from None


def load(f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None, **pickle_load_args):
    """Reads a checkpoint written by torch.save or jtorch.save (zip format) from a path or a binary file object.

    `weights_only` (default True, as torch 2.6+) allows only tensors, parameters, containers and the other
    globals torch allows by default, raising pickle.UnpicklingError for anything else; `weights_only=False`
    unpickles arbitrary objects (torch names map to jtorch's). `map_location` is a device (or str), a dict from
    saved locations to locations, or a callable(storage, location). `mmap` is accepted; data is always read.
    """
    weights_only = True if weights_only is None else weights_only
    if weights_only and pickle_module is not None:
        raise RuntimeError("Can not safely load weights when explicit pickle_module is specified")
    pickle_load_args.setdefault("encoding", "utf-8")
    name = _file_name(f)
    if not _is_path(f):
        return _load_stream(f, name, map_location, weights_only, pickle_load_args)
    with open(f, "rb") as stream:
        return _load_stream(stream, name, map_location, weights_only, pickle_load_args)


# ------------------------------------------------------------------------------------ Tensor pickling/copying

def _rebuild_from_host(array, device, requires_grad):
    """A leaf tensor from host `array` on `device`, or on the CPU where this process has no such device (a
    DataLoader worker runs JAX on the CPU only)."""
    try:
        _device.to_jax(device)
    except RuntimeError:
        device = "cpu"
    return from_array(array, requires_grad=requires_grad, device=device)


def reduce_tensor(tensor, protocol=None):
    """Tensor.__reduce_ex__: the value (host copy), device and requires_grad; autograd history is dropped, so a
    non-leaf comes back as a leaf, as in torch."""
    return (_rebuild_from_host, (np.asarray(tensor._value), str(tensor.device), tensor.requires_grad))


def deepcopy_tensor(tensor, memo):
    """Tensor.__deepcopy__: a leaf with a copy of the value, requires_grad and a deep copy of `.grad`."""
    if not tensor.is_leaf:
        raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) support the deepcopy protocol "
                           "at the moment.  If you were attempting to deepcopy a module, this may be because of a "
                           "torch.nn.utils.weight_norm usage, see https://github.com/pytorch/pytorch/pull/103001")
    if id(tensor) not in memo:
        new = tensor.detach().clone().requires_grad_(tensor.requires_grad)
        if tensor.grad is not None:
            new.grad = copy.deepcopy(tensor.grad, memo)
        memo[id(tensor)] = new
    return memo[id(tensor)]
