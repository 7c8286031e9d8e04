"""The pickle reader behind `load(weights_only=True)`: it runs nothing the file names except allowed globals.

It reads the opcodes torch.save's protocol-2 pickles use and refuses every other opcode, every global missing from
the table it is given, and calls, builds and item assignments on anything but allowed objects and plain
containers, raising pickle.UnpicklingError with torch's messages in the places torch's weights-only unpickler does.
"""
import _compat_pickle
import collections
import pickle
import struct
import sys
import warnings

BLOCKED_MODULES = ("sys", "os", "posix", "nt")
_SETTABLE = (dict, collections.OrderedDict, collections.Counter)


def python3_name(module, name):
    """Protocol-2 pickles name Python 3 builtins by their Python 2 names; maps them back as pickle does."""
    if (module, name) in _compat_pickle.NAME_MAPPING:
        return _compat_pickle.NAME_MAPPING[(module, name)]
    return _compat_pickle.IMPORT_MAPPING.get(module, module), name


def _unsupported_global(full_name):
    if full_name.startswith("builtins"):
        rest = full_name[len("builtins"):]
        full_name = rest[1:] if rest.startswith(".") else full_name
    return pickle.UnpicklingError(
        f"Unsupported global: GLOBAL {full_name} was not an allowed global by default. Please use "
        f"`torch.serialization.add_safe_globals([{full_name}])` or the `torch.serialization.safe_globals("
        f"[{full_name}])` context manager to allowlist this global if you trust this class/function.")


class Unpickler:
    """Reads one pickle from `file`. `allowed` maps 'module.name' to the object a GLOBAL of that name gives;
    `parameter` is the class whose NEWOBJ calls it (torch's Parameter), `persistent_load(pid)` resolves
    storages."""

    def __init__(self, file, allowed, parameter, persistent_load, encoding="bytes"):
        self._read = file.read
        self._readline = file.readline
        self._allowed = allowed
        self._allowed_ids = {id(value) for value in allowed.values()}
        self._parameter = parameter
        self._persistent_load = persistent_load
        self._encoding = encoding
        self._memo = {}

    def load(self):
        self._metastack, self._stack = [], []
        while True:
            key = self._read(1)
            if not key:
                raise EOFError
            handler = _HANDLERS.get(key[0])
            if handler is None:
                raise pickle.UnpicklingError(f"Unsupported operand {key[0]}")
            if handler is Unpickler._stop:
                return self._stack.pop()
            handler(self)

    def _is_allowed(self, obj):
        return id(obj) in self._allowed_ids

    def _pop_mark(self):
        items, self._stack = self._stack, self._metastack.pop()
        return items

    def _push(self, value):
        self._stack.append(value)

    def _unpack(self, fmt):
        return struct.unpack(fmt, self._read(struct.calcsize(fmt)))[0]

    # ---- globals and calls
    def _global(self):
        module = self._readline()[:-1].decode("utf-8")
        name = self._readline()[:-1].decode("utf-8")
        module, name = python3_name(module, name)
        full_name = f"{module}.{name}"
        if module in BLOCKED_MODULES:
            raise pickle.UnpicklingError(
                f"Trying to load unsupported GLOBAL {full_name} whose module {module} is blocked.")
        if full_name not in self._allowed:
            raise _unsupported_global(full_name)
        self._push(self._allowed[full_name])

    def _newobj(self):
        args = self._stack.pop()
        cls = self._stack.pop()
        if cls is self._parameter:
            self._push(cls(*args))
        elif self._is_allowed(cls):
            self._push(cls.__new__(cls, *args))
        else:
            raise pickle.UnpicklingError("Can only create new object for nn.Parameter or classes allowlisted via "
                                         f"`add_safe_globals` but got {cls}")

    def _reduce(self):
        args = self._stack.pop()
        func = self._stack[-1]
        if not self._is_allowed(func):
            raise pickle.UnpicklingError(f"Trying to call reduce for unrecognized function {func}")
        self._stack[-1] = func(*args)

    def _build(self):
        state = self._stack.pop()
        inst = self._stack[-1]
        if type(inst) is collections.OrderedDict:
            inst.__dict__.update(state)
        elif self._is_allowed(type(inst)):
            if hasattr(inst, "__setstate__"):
                inst.__setstate__(state)
                return
            slot_state = None
            if isinstance(state, tuple) and len(state) == 2:
                state, slot_state = state
            if state:
                inst.__dict__.update(state)
            for name, value in (slot_state or {}).items():
                setattr(inst, name, value)
        else:
            raise pickle.UnpicklingError("Can only build Tensor, Parameter, OrderedDict or types allowlisted via "
                                         f"`add_safe_globals`, but got {type(inst)}")

    def _persistent_id(self):
        pid = self._stack.pop()
        if type(pid) is not tuple and type(pid) is not int:
            raise pickle.UnpicklingError(f"persistent_load id must be tuple or int, but got {type(pid)}")
        if type(pid) is tuple and pid and pid[0] not in ("storage", b"storage"):
            raise pickle.UnpicklingError(f"Only persistent_load of storage is allowed, but got {type(pid[0])}")
        self._push(self._persistent_load(pid))

    # ---- containers
    def _list_target(self, verb):
        target = self._stack[-1]
        if type(target) is not list:
            raise pickle.UnpicklingError(f"Can only {verb} to lists, but got {type(target)}"
                                         if verb == "append" else f"Can only {verb} lists, but got {type(target)}")
        return target

    def _append(self):
        item = self._stack.pop()
        self._list_target("append").append(item)

    def _appends(self):
        items = self._pop_mark()
        self._list_target("extend").extend(items)

    def _dict_target(self, opcode):
        target = self._stack[-1]
        if type(target) not in _SETTABLE:
            raise pickle.UnpicklingError(f"Can only {opcode} for dict, collections.OrderedDict, "
                                         f"collections.Counter, but got {type(target)}")
        return target

    def _setitem(self):
        value, key = self._stack.pop(), self._stack.pop()
        self._dict_target("SETITEM")[key] = value

    def _setitems(self):
        items = self._pop_mark()
        target = self._dict_target("SETITEMS")
        for i in range(0, len(items), 2):
            target[items[i]] = items[i + 1]

    def _mark(self):
        self._metastack.append(self._stack)
        self._stack = []

    def _tuple(self):
        self._push(tuple(self._pop_mark()))

    def _tuple_n(self, n):
        if len(self._stack) < n:
            raise IndexError("list index out of range")
        self._stack[-n:] = [tuple(self._stack[-n:])]

    # ---- values
    def _short_binstring(self):
        data = self._read(self._read(1)[0])
        self._push(data if self._encoding == "bytes" else data.decode(self._encoding, "strict"))

    def _binunicode(self):
        length = self._unpack("<I")
        if length > sys.maxsize:
            raise pickle.UnpicklingError("String is too long")
        self._push(str(self._read(length), "utf-8", "surrogatepass"))

    def _long1(self):
        self._push(pickle.decode_long(self._read(self._read(1)[0])))

    def _get(self, fmt):
        self._push(self._memo[self._unpack(fmt)])

    def _put(self, fmt):
        self._memo[self._unpack(fmt)] = self._stack[-1]

    def _proto(self):
        protocol = self._read(1)[0]
        if protocol != 2:
            warnings.warn(f"Detected pickle protocol {protocol} in the checkpoint, which was not the default pickle "
                          "protocol used by `torch.load` (2). The weights_only Unpickler might not support all "
                          "instructions implemented by this protocol, please file an issue for adding support if "
                          "you encounter this.", stacklevel=4)

    def _stop(self):
        """Marks STOP; `load` returns the top of the stack."""


_HANDLERS = {
    pickle.GLOBAL[0]: Unpickler._global, pickle.NEWOBJ[0]: Unpickler._newobj, pickle.REDUCE[0]: Unpickler._reduce,
    pickle.BUILD[0]: Unpickler._build, pickle.BINPERSID[0]: Unpickler._persistent_id,
    pickle.APPEND[0]: Unpickler._append, pickle.APPENDS[0]: Unpickler._appends,
    pickle.SETITEM[0]: Unpickler._setitem, pickle.SETITEMS[0]: Unpickler._setitems,
    pickle.MARK[0]: Unpickler._mark, pickle.TUPLE[0]: Unpickler._tuple,
    pickle.TUPLE1[0]: lambda self: self._tuple_n(1), pickle.TUPLE2[0]: lambda self: self._tuple_n(2),
    pickle.TUPLE3[0]: lambda self: self._tuple_n(3),
    pickle.NONE[0]: lambda self: self._push(None), pickle.NEWFALSE[0]: lambda self: self._push(False),
    pickle.NEWTRUE[0]: lambda self: self._push(True), pickle.EMPTY_TUPLE[0]: lambda self: self._push(()),
    pickle.EMPTY_LIST[0]: lambda self: self._push([]), pickle.EMPTY_DICT[0]: lambda self: self._push({}),
    pickle.EMPTY_SET[0]: lambda self: self._push(set()),
    pickle.BININT[0]: lambda self: self._push(self._unpack("<i")),
    pickle.BININT1[0]: lambda self: self._push(self._read(1)[0]),
    pickle.BININT2[0]: lambda self: self._push(self._unpack("<H")),
    pickle.BINFLOAT[0]: lambda self: self._push(self._unpack(">d")),
    pickle.BINUNICODE[0]: Unpickler._binunicode, pickle.SHORT_BINSTRING[0]: Unpickler._short_binstring,
    pickle.LONG1[0]: Unpickler._long1,
    pickle.BINGET[0]: lambda self: self._get("<B"), pickle.LONG_BINGET[0]: lambda self: self._get("<I"),
    pickle.BINPUT[0]: lambda self: self._put("<B"), pickle.LONG_BINPUT[0]: lambda self: self._put("<I"),
    pickle.PROTO[0]: Unpickler._proto, pickle.STOP[0]: Unpickler._stop,
}
