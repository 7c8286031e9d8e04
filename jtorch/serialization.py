"""save/load in PyTorch's checkpoint formats, and pickling, deep copies and process transfer of Tensors.

`save` writes what torch.save writes: by default a zip archive whose records sit in one folder named after the
file stem ('archive' for file objects), stored uncompressed and aligned to 64 bytes: `data.pkl` (protocol-2 pickle
in which tensors are `torch._utils._rebuild_tensor_v2` calls on persistent storage ids and parameters
`torch._utils._rebuild_parameter` calls), `.format_version`, `.storage_alignment`, `byteorder`, one `data/<key>`
record of raw bytes per storage, `version` and `.data/serialization_id`; with
`_use_new_zipfile_serialization=False`, torch's legacy (pre-1.6) stream of pickles followed by the storages.
Real `torch.load` reads both with its default `weights_only=True`; `load` reads both as torch writes them.

Differs from torch:
* tensors sharing memory (views, `detach()`, a Parameter's data) are saved as one storage and load sharing
  it, as in torch; a `real`/`imag` view of a complex tensor is saved as a storage of its own;
* tensors on devices other than cpu and cuda are recorded with location 'cpu';
* `.data/serialization_id` is a 40-digit id hashed from the record names and CRC-32s, not torch's value;
* `load` checks the CRC-32 of every record it reads (torch checks none), so a corrupted record raises
  RuntimeError naming the file instead of loading wrong values; with `mmap=True` storages are mapped, not read,
  and not checked. For other broken files (empty, truncated, not a checkpoint) `load` raises torch's exception
  type with a message naming the file and the problem;
* on the CPU, loaded tensors use the buffer the data was read into (or, with `mmap=True`, the mapped file)
  in place, without a copy;
* `load` does not read the pre-0.4 tar format or TorchScript archives (RuntimeError), and its weights-only
  allowlist lacks torch's quantized, sparse, float8 and legacy tensor-type (`torch.FloatTensor`) names;
* `pickle_module` is accepted and not used: jtorch's own picklers name torch's globals;
* a callable `map_location` receives a jtorch storage stand-in with `device`, `dtype`, `size()`, `cpu()`,
  `cuda()` and `to()`, once its data is read (legacy files included);
* pickling, deep copies and multiprocessing queues copy a tensor's value (no shared memory) and drop Python
  attributes set on it.
"""
import codecs
import collections
import contextlib
import copy
import hashlib
import io
import math
import multiprocessing.reduction
import os
import pickle
import struct
import sys
import threading
import zipfile
import zlib

import numpy as np

from . import _device, _dtype, _layout, _weights_only
from ._layout import Layout
from ._tensor import Size, Tensor, from_array
from .nn.parameter import Parameter

__all__ = ["save", "load", "add_safe_globals", "get_safe_globals", "clear_safe_globals", "safe_globals"]

_ALIGNMENT = 64
_FORMAT_VERSION = b"1"
_ARCHIVE_VERSION = b"3\n"
_ZIP_MAGIC = b"PK\x03\x04"
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_LOCAL_HEADER = struct.Struct("<4s22xHH")  # a zip member's local header: signature, name and extra lengths
_TAR_MAGIC, _TAR_MAGIC_END = b"ustar", 262  # a tar header's format magic and where it ends
_LEGACY_MAGIC_NUMBER = 0x1950A86A20F9469CFC6C
_LEGACY_PROTOCOL_VERSION = 1001
_LEGACY_SYS_INFO = {"protocol_version": _LEGACY_PROTOCOL_VERSION, "little_endian": sys.byteorder == "little",
                    "type_sizes": {"short": 2, "int": 4, "long": 4}}
_UNSAFE_MESSAGE = (
    "In PyTorch 2.6, we changed the default value of the `weights_only` argument in `torch.load` from `False` to "
    "`True`. Re-running `torch.load` with `weights_only` set to `False` will likely succeed, but it can result in "
    "arbitrary code execution. Do it only if you got the file from a trusted source.")


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

class _SavedStorage:
    """The storage of a tensor being saved: its value, as one contiguous run of elements."""

    __slots__ = ("value", "dtype", "numel", "location")

    def __init__(self, tensor):
        self.value = tensor._value
        self.dtype = tensor.dtype
        self.numel = tensor.numel()
        device = tensor.device
        self.location = str(device) if device.type == "cuda" else "cpu"


def _tensor_layout(tensor):
    """(storage, storage_offset, size, stride) that a checkpoint records for `tensor`: views and aliases name
    their root's storage, so tensors sharing memory share one record, as torch writes them."""
    layout = tensor._layout_in_storage()
    if layout.components:
        return _SavedStorage(tensor), 0, tuple(tensor.shape), _contiguous_strides(tensor.shape)
    return _SavedStorage(tensor._storage_owner()), layout.offset, layout.shape, layout.strides


def _contiguous_strides(shape):
    strides, step = [], 1
    for size in reversed(shape):
        strides.append(step)
        step *= size
    return tuple(reversed(strides))


class _Pickler(pickle._Pickler):
    """The pure-Python pickler (it can name torch's globals without importing torch), writing jtorch tensors,
    parameters, dtypes, devices and sizes as torch pickles its own, and collecting the storages to write.
    `legacy` selects the legacy format's storage ids, which carry a (here always absent) view description."""

    def __init__(self, file, protocol, legacy):
        super().__init__(file, protocol)
        self.legacy = legacy
        self.storages = {}  # id(value) -> (key, storage); the storages keep the values alive, so ids stay unique

    def persistent_id(self, obj):
        if not isinstance(obj, _SavedStorage):
            return None
        key, storage = self.storages.setdefault(id(obj.value), (str(len(self.storages)), obj))
        saved_id = ("storage", _STORAGE_GLOBALS[storage.dtype], key, storage.location, storage.numel)
        return saved_id + (None,) if self.legacy else saved_id

    def reducer_override(self, obj):
        if isinstance(obj, Parameter):
            return (_REBUILD_PARAMETER, (obj.detach(), obj.requires_grad, collections.OrderedDict()))
        if isinstance(obj, Tensor):
            return (_REBUILD_TENSOR_V2, _tensor_layout(obj) + (obj.requires_grad, collections.OrderedDict()))
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


def _pickled(obj, protocol, legacy):
    """(the pickle of `obj`, [(key, storage)] of the storages it names, in key order)."""
    buffer = io.BytesIO()
    pickler = _Pickler(buffer, protocol, legacy)
    pickler.dump(obj)
    return buffer.getbuffer(), list(pickler.storages.values())


def _storage_bytes(value):
    """The raw bytes of a value as one flat uint8 array, without a copy for a value on the CPU."""
    return np.ascontiguousarray(np.asarray(value)).reshape(-1).view(np.uint8)


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


def _serialization_id(archive):
    """40 digits identifying the records written so far, from their names and the CRC-32s zipfile computed."""
    summary = ";".join(f"{info.filename}:{info.CRC}" for info in archive.infolist()).encode()
    return f"{int.from_bytes(hashlib.blake2b(summary, digest_size=16).digest(), 'little'):040d}".encode()


def _write_zip(obj, stream, archive_name, protocol):
    pickled, storages = _pickled(obj, protocol, legacy=False)
    with zipfile.ZipFile(stream, "w", zipfile.ZIP_STORED) as archive:
        def write(record, data):
            _write_record(archive, f"{archive_name}/{record}", data)
        write("data.pkl", pickled)
        write(".format_version", _FORMAT_VERSION)
        write(".storage_alignment", str(_ALIGNMENT).encode())
        write("byteorder", sys.byteorder.encode())
        for key, storage in storages:
            write(f"data/{key}", _storage_bytes(storage.value))
        write("version", _ARCHIVE_VERSION)
        write(".data/serialization_id", _serialization_id(archive))


def _write_legacy(obj, stream, protocol):
    """torch's legacy format: pickles of the magic number, protocol version and sys info, the object, the sorted
    storage keys, then per key the element count (int64) and the raw elements."""
    for header in (_LEGACY_MAGIC_NUMBER, _LEGACY_PROTOCOL_VERSION, _LEGACY_SYS_INFO):
        pickle.dump(header, stream, protocol=protocol)
    pickled, storages = _pickled(obj, protocol, legacy=True)
    stream.write(pickled)
    storages = sorted(storages, key=lambda entry: entry[0])
    pickle.dump([key for key, _ in storages], stream, protocol=protocol)
    for _, storage in storages:
        stream.write(struct.pack("<q", storage.numel))
        stream.write(_storage_bytes(storage.value))


def _is_path(f):
    return isinstance(f, (str, os.PathLike))


def save(obj, f, pickle_module=None, pickle_protocol=2, _use_new_zipfile_serialization=True,
         _disable_byteorder_record=False):
    """Writes `obj` to `f` (a path or a writable binary file object) in torch.save's zip format, or its legacy
    format with `_use_new_zipfile_serialization=False`.

    A path is written through a temporary file in the same folder, renamed into place once complete, so an
    interrupted save leaves the previous file (or none). `pickle_module` is ignored: the pickler is jtorch's own,
    at `pickle_protocol`.
    """
    def write(stream, stem):
        if _use_new_zipfile_serialization:
            _write_zip(obj, stream, stem, pickle_protocol)
        else:
            _write_legacy(obj, stream, pickle_protocol)

    if not _is_path(f):
        write(f, "archive")
        return
    path = os.fspath(f)
    parent = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(parent):
        raise RuntimeError(f"Parent directory {os.path.dirname(path)} does not exist.")
    temporary = f"{path}.{os.getpid()}.{threading.get_ident()}.tmp"
    try:
        with open(temporary, "wb") as stream:
            write(stream, os.path.splitext(os.path.basename(path))[0])
        os.replace(temporary, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.remove(temporary)


# ------------------------------------------------------------------------------------------- loaded storages

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
        self.owners = {}  # dtype -> the tensor owning these elements' memory, once one is loaded

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


def _aligned_empty(nbytes):
    """An uninitialised uint8 buffer starting on a 64-byte boundary (JAX takes such CPU buffers without a copy)."""
    raw = np.empty(nbytes + _ALIGNMENT, np.uint8)
    start = -raw.ctypes.data % _ALIGNMENT
    return raw[start:start + nbytes]


def _read_into(stream, buffer):
    """Fills `buffer` from `stream`; returns how many bytes it got (fewer only at the end of the stream)."""
    view, filled = memoryview(buffer).cast("B"), 0
    while filled < view.nbytes:
        count = stream.readinto(view[filled:])
        if not count:
            break
        filled += count
    return filled


def _tensor_from_storage(storage, dtype, offset, size, stride):
    """The tensor reading `storage` at (offset, size, stride), on the storage's device. Tensors read from one
    storage share its memory, as torch's do: the first that covers it exactly in order owns it (else a hidden
    flat tensor does), the others alias it."""
    elements = storage.elements if storage.elements.dtype == dtype._np else storage.elements.view(dtype._np)
    layout = Layout(tuple(size), tuple(stride), offset)
    _check_extent(elements.size, offset, layout.shape, layout.strides)
    owner = storage.owners.get(dtype)
    if owner is None:
        covers = offset == 0 and math.prod(layout.shape) == elements.size and _layout.is_contiguous(layout)
        owner = storage.owners[dtype] = from_array(elements.reshape(layout.shape if covers else -1),
                                                   device=storage.device)
        if covers:
            return owner
    view = np.lib.stride_tricks.as_strided(elements[offset:], layout.shape,
                                           [s * elements.itemsize for s in layout.strides], writeable=False)
    tensor = from_array(view if view.flags.c_contiguous else np.ascontiguousarray(view), device=storage.device)
    tensor._share(owner, layout, "alias")
    return tensor


def _check_extent(numel, offset, size, stride):
    """torch's bounds check: the view must lie inside the storage."""
    if len(size) != len(stride) or offset < 0 or any(s < 0 for s in size + stride):
        raise RuntimeError(f"invalid tensor geometry in checkpoint: offset {offset}, size {list(size)}, stride "
                           f"{list(stride)}")
    needed = offset if 0 in size else offset + 1 + sum((n - 1) * s for n, s in zip(size, stride))
    if needed > numel:
        raise RuntimeError(f"setStorage: sizes {list(size)}, strides {list(stride)}, storage offset {offset} "
                           f"requiring a storage of {needed} elements are out of bounds for storage of {numel}")


# ---------------------------------------------------------------------------- what checkpoints name: rebuilds

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
        allowed[f"torch.{name}"] = allowed[f"torch.cuda.{name}"] = _StorageType(d)
    return allowed


_ALLOWED_GLOBALS = _allowed_globals()
_user_safe_globals = []  # entries as given: objects or (object, 'module.name') pairs


def _user_allowed_globals():
    return {name: obj for obj, name in (entry if isinstance(entry, tuple) else
                                        (entry, f"{entry.__module__}.{entry.__qualname__}")
                                        for entry in _user_safe_globals)}


def add_safe_globals(safe_globals):
    """Lets weights-only loads name these classes and functions (or (obj, 'module.name') pairs)."""
    for entry in safe_globals:
        if isinstance(entry, tuple):
            if len(entry) != 2:
                raise ValueError("Expected tuple of length 2 (global, str of callable full path), but got tuple of "
                                 f"length: {len(entry)}")
            if type(entry[1]) is not str:
                raise TypeError("Expected second item in tuple to be str of callable full path, but got: "
                                f"{type(entry[1])}")
        if entry not in _user_safe_globals:
            _user_safe_globals.append(entry)


def get_safe_globals():
    return list(_user_safe_globals)


def clear_safe_globals():
    _user_safe_globals.clear()


@contextlib.contextmanager
def safe_globals(safe_globals):
    """add_safe_globals for the duration of a `with` block."""
    saved = list(_user_safe_globals)
    add_safe_globals(safe_globals)
    try:
        yield
    finally:
        _user_safe_globals[:] = saved


# ------------------------------------------------------------------------------------------------- unpickling

def _jtorch_global(module, name):
    """The jtorch object for a torch name outside the allowlist (full unpickling only): same path under jtorch."""
    try:
        target = __import__("j" + module, fromlist=[name])
        return getattr(target, name)
    except (ImportError, AttributeError):
        raise pickle.UnpicklingError(f"jtorch has no equivalent of {module}.{name}") from None


class _Unpickler(pickle.Unpickler):
    """Full unpickling (weights_only=False): torch names resolve to jtorch objects, others are imported."""

    def __init__(self, file, persistent_load, **kwargs):
        super().__init__(file, **kwargs)
        self._persistent_load = persistent_load

    def find_class(self, module, name):
        module, name = _weights_only.python3_name(module, name)
        full_name = f"{module}.{name}"
        for table in (_ALLOWED_GLOBALS, _user_allowed_globals()):
            if full_name in table:
                return table[full_name]
        if module == "torch" or module.startswith("torch."):
            return _jtorch_global(module, name)
        return super().find_class(module, name)

    def persistent_load(self, saved_id):
        return self._persistent_load(saved_id)


def _unpickle(file, weights_only, persistent_load, pickle_load_args):
    """One pickle from `file`: weights-only (torch's allowlist plus the safe globals) or full."""
    if weights_only:
        allowed = {**_user_allowed_globals(), **_ALLOWED_GLOBALS}
        return _weights_only.Unpickler(file, allowed, Parameter, persistent_load,
                                       encoding=pickle_load_args["encoding"]).load()
    return _Unpickler(file, persistent_load, **pickle_load_args).load()


def _storage_loader(read_storage):
    """persistent_load for a checkpoint: storage ids, zip (5 fields) or legacy (6, with a view), to storages;
    `read_storage(key, dtype, location)` reads one the first time its key is named."""
    storages = {}

    def persistent_load(saved_id):
        kind = saved_id[0] if isinstance(saved_id, tuple) and saved_id else None
        kind = kind.decode("ascii") if isinstance(kind, bytes) else kind
        if kind == "module" and len(saved_id) == 4:
            return saved_id[1]
        if kind != "storage" or len(saved_id) not in (5, 6) or not isinstance(saved_id[1], _StorageType):
            raise RuntimeError(f"Unknown saved id type: {saved_id!r}")
        storage_type, key, location = saved_id[1:4]
        location = location.decode("ascii") if isinstance(location, bytes) else location
        if key not in storages:
            storages[key] = read_storage(key, storage_type.dtype, location)
        view = saved_id[5] if len(saved_id) == 6 else None
        if view is None:
            return storages[key]
        view_key, offset, view_size = view
        if view_key not in storages:
            root = storages[key]
            storages[view_key] = _Storage(root.elements[offset:offset + view_size], root.device)
        return storages[view_key]
    return persistent_load


def _weights_only_message(message):
    """torch's wording for a weights-only load that failed with UnpicklingError `message`."""
    if "was not an allowed global by default." in message:
        return ("Weights only load failed. This file can still be loaded, to do so you have two options, \033[1mdo "
                "those steps only if you trust the source of the checkpoint\033[0m. \n\t(1) " + _UNSAFE_MESSAGE +
                "\n\t(2) Alternatively, to load with `weights_only=True` please check the recommended steps in the "
                "following error message.\n\tWeightsUnpickler error: " + message + _DOCS_MESSAGE)
    text = f"Weights only load failed. {_UNSAFE_MESSAGE}\n"
    if "is blocked" not in message:
        text += ("Please file an issue with the following so that we can make `weights_only=True` compatible with "
                 "your use case: WeightsUnpickler error: ")
    return text + "\n\n" + message + _DOCS_MESSAGE


_DOCS_MESSAGE = ("\n\nCheck the documentation of torch.load to learn more about types accepted by default with "
                 "weights_only https://pytorch.org/docs/stable/generated/torch.load.html.")


# ----------------------------------------------------------------------------------------------- zip format

class _ZipCheckpoint:
    """An open zip checkpoint: its records under the archive folder that holds data.pkl. Storage records are
    read straight into aligned buffers (CRC-checked), or viewed in `mapped` (the whole file, memory-mapped)."""

    def __init__(self, stream, name, mapped):
        self.stream = stream
        self.name = name
        self.mapped = mapped
        self.archive = zipfile.ZipFile(stream)
        names = self.archive.namelist()
        pickles = [n for n in names if n.endswith("data.pkl") and n.count("/") == 1]
        if not pickles:
            raise RuntimeError(f"{name} is a zip archive but not a PyTorch checkpoint: it has no data.pkl record")
        self.prefix = pickles[0][:-len("data.pkl")]
        if self.prefix + "constants.pkl" in names:
            raise RuntimeError(f"{name} is a TorchScript archive, which jtorch does not load. {_UNSAFE_MESSAGE}")

    def has(self, record):
        return self.prefix + record in self.archive.NameToInfo

    def _info(self, record):
        try:
            return self.archive.getinfo(self.prefix + record)
        except KeyError:
            raise RuntimeError(f"{self.name}: the checkpoint has no record '{record}'") from None

    def read(self, record):
        """A small record's bytes (CRC-checked)."""
        self._info(record)
        return self.archive.read(self.prefix + record)

    def elements(self, record, dtype):
        """A storage record as a flat array of `dtype`."""
        info = self._info(record)
        if info.compress_type != zipfile.ZIP_STORED:
            data = np.frombuffer(self.archive.read(info), np.uint8)
        else:
            start = self._data_start(info)
            data = self._mapped(record, start, info) if self.mapped is not None else self._read(record, start, info)
        if data.size % dtype.itemsize:
            raise RuntimeError(f"{self.name}: record '{record}' holds {data.size} bytes, not a whole number of "
                               f"{dtype} elements")
        return data.view(dtype._np)

    def _data_start(self, info):
        self.stream.seek(info.header_offset)
        header = self.stream.read(_LOCAL_HEADER.size)
        if len(header) != _LOCAL_HEADER.size or not header.startswith(_ZIP_MAGIC):
            raise RuntimeError(f"{self.name} is corrupted: the zip header of '{info.filename}' is damaged")
        _, name_length, extra_length = _LOCAL_HEADER.unpack(header)
        return info.header_offset + _LOCAL_HEADER.size + name_length + extra_length

    def _truncated(self, record):
        return RuntimeError(f"{self.name} is truncated: record '{record}' ends past the end of the file")

    def _mapped(self, record, start, info):
        if start + info.file_size > self.mapped.size:
            raise self._truncated(record)
        return self.mapped[start:start + info.file_size]

    def _read(self, record, start, info):
        data = _aligned_empty(info.file_size)
        self.stream.seek(start)
        if _read_into(self.stream, data) != info.file_size:
            raise self._truncated(record)
        if zlib.crc32(data) != info.CRC:
            raise RuntimeError(f"{self.name} is corrupted: record '{record}' fails its CRC-32 check")
        return data


def _load_zip(stream, name, mapped, map_location, weights_only, pickle_load_args):
    try:
        checkpoint = _ZipCheckpoint(stream, name, mapped)
        data = io.BytesIO(checkpoint.read("data.pkl"))
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as e:
        raise RuntimeError(f"{name} is not a readable PyTorch checkpoint (truncated or corrupted zip archive): "
                           f"{e}") from None
    swap = checkpoint.has("byteorder") and checkpoint.read("byteorder").decode() != sys.byteorder
    restore = _restorer(map_location)

    def read_storage(key, dtype, location):
        elements = checkpoint.elements(f"data/{key}", dtype)
        return restore(_Storage(elements.byteswap() if swap else elements, "cpu"), location)
    return _unpickle(data, weights_only, _storage_loader(read_storage), pickle_load_args)


# -------------------------------------------------------------------------------------------- legacy format

class _Anything:
    """Stands for every global while a legacy pickle is scanned for its storages: takes any arguments, items
    and state, and runs nothing."""

    def __new__(cls, *args, **kwargs):
        return object.__new__(cls)

    def __init__(self, *args, **kwargs):
        pass

    def __call__(self, *args, **kwargs):
        return _Anything()

    def __setitem__(self, key, value):
        pass

    def __setstate__(self, state):
        pass

    def append(self, item):
        pass

    def extend(self, items):
        pass

    def add(self, item):
        pass


class _StorageScanner(pickle.Unpickler):
    """Reads a legacy checkpoint's main pickle without building anything, to learn each storage's dtype (its
    data follows the pickle, sized in elements)."""

    def __init__(self, file, encoding):
        super().__init__(file, encoding=encoding)
        self.dtypes = {}

    def find_class(self, module, name):
        module, name = _weights_only.python3_name(module, name)
        found = _ALLOWED_GLOBALS.get(f"{module}.{name}")
        return found if isinstance(found, _StorageType) else _Anything

    def persistent_load(self, saved_id):
        if isinstance(saved_id, tuple) and len(saved_id) == 6 and isinstance(saved_id[1], _StorageType):
            self.dtypes.setdefault(saved_id[2], saved_id[1].dtype)
        return _Anything()


def _read_legacy_storages(stream, name, keys, dtypes, little_endian):
    """{key: host elements} from the storage section that follows the key list."""
    storages = {}
    for key in keys:
        if key not in dtypes:
            raise RuntimeError(f"{name} is corrupted: storage {key!r} is listed but never used")
        dtype = dtypes[key]
        header = stream.read(8)
        numel = struct.unpack("<q" if little_endian else ">q", header)[0] if len(header) == 8 else -1
        data = _aligned_empty(max(numel, 0) * dtype.itemsize)
        if numel < 0 or _read_into(stream, data) != data.size:
            raise RuntimeError(f"{name} is truncated: the data of storage {key!r} ends past the end of the file")
        elements = data.view(dtype._np)
        storages[key] = elements if little_endian == (sys.byteorder == "little") else elements.byteswap()
    return storages


def _load_legacy(stream, name, map_location, weights_only, pickle_load_args):
    """torch's pre-1.6 format. The storages' data follows the main pickle, so a first pass over it (building
    nothing) finds their dtypes, the data is read, and a second pass builds the objects."""
    def unpickle(persistent_load=None):
        return _unpickle(stream, weights_only, persistent_load, pickle_load_args)

    start = stream.tell()
    is_tar = stream.read(_TAR_MAGIC_END)[_TAR_MAGIC_END - len(_TAR_MAGIC):] == _TAR_MAGIC
    stream.seek(start)
    if is_tar:
        raise RuntimeError(f"{name} is in PyTorch's pre-0.4 tar format, which jtorch does not read. "
                           + (_UNSAFE_MESSAGE if weights_only else ""))
    try:
        magic_number = unpickle()
    except (KeyError, IndexError, pickle.UnpicklingError, ValueError, struct.error) as e:
        raise type(e)(f"{name} is not a PyTorch checkpoint (neither a zip archive nor torch's legacy format): "
                      f"{e}") from None
    if magic_number != _LEGACY_MAGIC_NUMBER:
        raise RuntimeError(f"{name}: Invalid magic number; corrupt file?")
    protocol_version = unpickle()
    if protocol_version != _LEGACY_PROTOCOL_VERSION:
        raise RuntimeError(f"{name}: Invalid protocol version: {protocol_version}")
    sys_info = unpickle()
    little_endian = sys_info.get("little_endian", True) if isinstance(sys_info, dict) else True
    start = stream.tell()
    scanner = _StorageScanner(stream, pickle_load_args["encoding"])
    try:
        scanner.load()
    except Exception:
        def unreadable(*_):
            raise RuntimeError(f"{name} is corrupted: its object pickle cannot be read") from None
        stream.seek(start)
        unpickle(_storage_loader(unreadable))  # raises what this damaged pickle raises when built
        unreadable()
    keys = unpickle()
    host = _read_legacy_storages(stream, name, keys, scanner.dtypes, little_endian)
    restore = _restorer(map_location)
    stream.seek(start)

    def read_storage(key, dtype, location):
        if key not in host:
            raise RuntimeError(f"{name} is corrupted: storage {key!r} has no data")
        return restore(_Storage(host[key], "cpu"), location)
    return unpickle(_storage_loader(read_storage))


# -------------------------------------------------------------------------------------------------- loading

def _file_name(f):
    return os.fspath(f) if _is_path(f) else getattr(f, "name", repr(f))


def _named_eof(stream, name):
    """EOFError naming the file when nothing is left to read at the start, as torch raises EOFError there."""
    start = stream.tell()
    empty = not stream.read(1)
    stream.seek(start)
    if empty:
        raise EOFError(f"{name} is empty: there is no checkpoint to load (Ran out of input)")


def _load_stream(f, stream, map_location, weights_only, mmap, pickle_load_args):
    name = _file_name(f)
    _named_eof(stream, name)
    start = stream.tell()
    is_zip = stream.read(len(_ZIP_MAGIC)) == _ZIP_MAGIC
    stream.seek(start)
    if is_zip:
        if mmap and not _is_path(f):
            raise ValueError("f must be a file path in order to use the mmap argument")
        mapped = np.memmap(f, mode="c") if mmap else None
        return _load_zip(stream, name, mapped, map_location, weights_only, pickle_load_args)
    if mmap:
        f_name = f"{f}, " if isinstance(f, str) else ""
        raise RuntimeError(f"mmap can only be used with files saved with `torch.save({f_name}"
                           "_use_new_zipfile_serialization=True), please torch.save your checkpoint with this option "
                           "in order to use mmap.")
    try:
        return _load_legacy(stream, name, map_location, weights_only, pickle_load_args)
    except (EOFError, struct.error, pickle.UnpicklingError) as e:
        if isinstance(e, pickle.UnpicklingError) and "truncated" not in str(e):
            raise
        raise type(e)(f"{name} is truncated (or not a PyTorch checkpoint): it ends inside a pickle. {e}") from None


def load(f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None, **pickle_load_args):
    """Reads a checkpoint written by torch.save or jtorch.save (zip or legacy format) from a path or a seekable
    binary file object.

    `weights_only` (default True, as torch 2.6+, unless a `pickle_module` is given) allows only tensors,
    parameters, containers and the other globals torch allows by default plus `add_safe_globals`, raising
    pickle.UnpicklingError with torch's wording for anything else and never running code the file names;
    `weights_only=False` unpickles arbitrary objects (torch names map to jtorch's). `map_location` is a device (or
    str), a dict from saved locations to locations, or a callable(storage, location). `mmap=True` (a path to a
    zip checkpoint only, as torch) maps the file instead of reading it.
    """
    weights_only = pickle_module is None if weights_only is None else weights_only
    if weights_only and pickle_module is not None:
        raise RuntimeError("Can not safely load weights when explicit pickle_module is specified")
    pickle_load_args.setdefault("encoding", "utf-8")
    opened = open(f, "rb") if _is_path(f) else contextlib.nullcontext(f)
    with opened as stream:
        try:
            return _load_stream(f, stream, map_location, weights_only, bool(mmap), pickle_load_args)
        except pickle.UnpicklingError as e:
            if not weights_only:
                raise
            raise pickle.UnpicklingError(_weights_only_message(str(e))) from None


# ------------------------------------------------------------------------ Tensor pickling, copies, processes

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


def _reduce_for_process(tensor):
    """How multiprocessing queues and pools send a Tensor: as pickle does, refusing non-leaves that require grad
    as torch.multiprocessing does. Differs from torch: the data is copied, not moved to shared memory."""
    if tensor.requires_grad and not tensor.is_leaf:
        raise RuntimeError("Cowardly refusing to serialize non-leaf tensor which requires_grad, since autograd does "
                           "not support crossing process boundaries.  If you just want to transfer the data, call "
                           "detach() on the tensor before serializing (e.g., putting it on the queue).")
    return reduce_tensor(tensor)


multiprocessing.reduction.ForkingPickler.register(Tensor, _reduce_for_process)


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
