"""jtorch.save / jtorch.load against torch.save / torch.load: files go both ways in the zip and the legacy format
(torch reads jtorch's files with its default weights_only=True), with torch's values, dtypes, shapes, container
types, map_location forms, mmap, weights-only refusals and errors for broken files; training resumes across the
libraries; Tensors, Parameters and Modules survive pickle, deepcopy and process transfer as torch's do."""
import collections
import copy
import io
import multiprocessing
import os
import pickle
import struct
import zipfile
from multiprocessing.reduction import ForkingPickler

import jax
import numpy as np
import pytest
import torch

import jtorch
from conftest import assert_same, dtype_name, to_jt
from jtorch import serialization

HAVE_CUDA = torch.cuda.is_available() or any(d.platform == "gpu" for d in jax.devices())
DTYPES = [torch.float32, torch.float64, torch.float16, torch.bfloat16, torch.int64, torch.int32, torch.int16,
          torch.int8, torch.uint8, torch.bool, torch.complex64, torch.complex128]


class Opaque:
    """An arbitrary class: weights-only loads must refuse it."""

    def __init__(self, value):
        self.value = value

    def __eq__(self, other):
        return isinstance(other, Opaque) and other.value == self.value


def sample(dtype, shape=(2, 3)):
    values = torch.arange(int(np.prod(shape)), dtype=torch.float64).reshape(shape) * 1.5 - 2
    return (values > 0) if dtype is torch.bool else values.to(dtype)


def assert_same_tree(got, expected):
    """jtorch tree `got` has torch tree `expected`'s container types and keys all the way down, and its tensors
    and Parameters equal torch's."""
    if isinstance(expected, torch.Tensor):
        assert isinstance(got, jtorch.nn.Parameter) == isinstance(expected, torch.nn.Parameter)
        assert got.requires_grad == expected.requires_grad
        assert_same(got, expected, rtol=0, atol=0)
        return
    assert type(got).__name__ == type(expected).__name__, (type(got), type(expected))
    if isinstance(expected, dict):
        assert list(got) == list(expected)
        for key in expected:
            assert_same_tree(got[key], expected[key])
    elif isinstance(expected, (list, tuple)):
        assert len(got) == len(expected)
        for g, e in zip(got, expected):
            assert_same_tree(g, e)
    elif isinstance(expected, (torch.dtype, torch.device)):
        assert str(got) == str(expected)
    else:
        assert got == expected and type(got) is type(expected)


def assert_raises_both(fn_torch, fn_jtorch):
    """Both raise, jtorch the exception type torch raises; returns jtorch's exception info."""
    with pytest.raises(Exception) as expected:
        fn_torch()
    with pytest.raises(type(expected.value)) as got:
        fn_jtorch()
    return got


def torch_to_jtorch(obj):
    """The jtorch counterpart of a torch object tree (tensors, Parameters, containers, dtypes, devices)."""
    if isinstance(obj, torch.nn.Parameter):
        return jtorch.nn.Parameter(to_jt(obj.detach()), obj.requires_grad)
    if isinstance(obj, torch.Tensor):
        return to_jt(obj)
    if isinstance(obj, torch.dtype):
        return getattr(jtorch, dtype_name(obj))
    if isinstance(obj, torch.device):
        return jtorch.device(str(obj))
    if isinstance(obj, torch.Size):
        return jtorch.Size(obj)
    if isinstance(obj, dict):
        out = type(obj)((k, torch_to_jtorch(v)) for k, v in obj.items())
        if hasattr(obj, "_metadata"):
            out._metadata = copy.deepcopy(obj._metadata)
        return out
    if isinstance(obj, (list, tuple)):
        return type(obj)(torch_to_jtorch(v) for v in obj)
    return obj


def optimizer_like(lib):
    return {
        "state": {0: {"step": lib.tensor(3.0), "exp_avg": lib.ones(2, 2)}, 1: {"momentum_buffer": None}},
        "param_groups": [{"lr": 0.01, "betas": (0.9, 0.999), "eps": 1e-08, "weight_decay": 0, "amsgrad": False,
                          "foreach": None, "name": "group 0", "params": [0, 1], "big": 2 ** 70, "ratio": 1 + 2j,
                          "tags": {"a", "b"}, "raw": b"\x00\xff"}],
        "dtype": lib.float16, "device": lib.device("cpu"), "size": lib.Size([2, 3]),
    }


def checkpoint_objects():
    base = torch.arange(24, dtype=torch.float32).reshape(4, 6)
    return {
        "dtypes": {dtype_name(d): sample(d) for d in DTYPES},
        "shapes": [torch.tensor(2.5), torch.zeros(0, 3), torch.ones(1, 1, 2, dtype=torch.int16)],
        "views": {"transposed": base.t(), "sliced": base[1:, ::2], "row": base[2], "base": base},
        "requires_grad": torch.ones(2, requires_grad=True),
        "parameters": [torch.nn.Parameter(torch.ones(2)), torch.nn.Parameter(torch.zeros(3), requires_grad=False)],
        "optimizer": optimizer_like(torch),
    }


# ---- both directions --------------------------------------------------------------------------------------

def test_torch_save_then_jtorch_load(tmp_path):
    expected = checkpoint_objects()
    torch.save(expected, tmp_path / "from_torch.pt")
    assert_same_tree(jtorch.load(tmp_path / "from_torch.pt"), expected)


def test_jtorch_save_then_torch_load_weights_only(tmp_path):
    expected = checkpoint_objects()
    jtorch.save(torch_to_jtorch(expected), tmp_path / "from_jtorch.pt")
    assert_same_tree(torch_to_jtorch(torch.load(tmp_path / "from_jtorch.pt", weights_only=True)), expected)
    assert_same_tree(torch_to_jtorch(torch.load(tmp_path / "from_jtorch.pt", mmap=True)), expected)


@pytest.mark.parametrize("dtype", DTYPES, ids=dtype_name)
@pytest.mark.parametrize("shape", [(), (0,), (5,), (2, 3, 4)])
def test_every_dtype_both_ways(tmp_path, dtype, shape):
    tensor = sample(dtype, shape)
    jtorch.save(to_jt(tensor), tmp_path / "j.pt")
    torch.save(tensor, tmp_path / "t.pt")
    assert_same_tree(jtorch.load(tmp_path / "t.pt"), tensor)
    assert_same_tree(jtorch.load(tmp_path / "j.pt"), tensor)
    loaded = torch.load(tmp_path / "j.pt")
    assert loaded.dtype == tensor.dtype and loaded.shape == tensor.shape and torch.equal(loaded, tensor)


def test_whole_modules_load_with_weights_only_false(tmp_path):
    torch.manual_seed(0)
    torch.save(torch.nn.Sequential(torch.nn.Linear(2, 3)), tmp_path / "t.pt")
    jtorch.save(jtorch.nn.Sequential(jtorch.nn.Linear(2, 3)), tmp_path / "j.pt")
    for path in (tmp_path / "t.pt", tmp_path / "j.pt"):
        model = jtorch.load(path, weights_only=False)
        assert isinstance(model, jtorch.nn.Sequential) and isinstance(model[0].weight, jtorch.nn.Parameter)
        assert model(jtorch.ones(1, 2)).shape == (1, 3)


def test_module_state_dict_both_ways(tmp_path):
    def make(lib):
        lib.manual_seed(0)
        model = lib.nn.Sequential(lib.nn.Linear(3, 4), lib.nn.Linear(4, 2))
        model.register_buffer("steps", lib.tensor(7))
        return model
    torch_model, jtorch_model = make(torch), make(jtorch)
    jtorch.save(jtorch_model.state_dict(), tmp_path / "j.pth")
    torch.save(torch_model.state_dict(), tmp_path / "t.pth")

    from_jtorch = torch.load(tmp_path / "j.pth")
    assert type(from_jtorch) is collections.OrderedDict
    assert from_jtorch._metadata == torch_model.state_dict()._metadata
    assert_same_tree(jtorch.load(tmp_path / "t.pth"), torch_model.state_dict())
    assert_same_tree(torch_to_jtorch(from_jtorch), torch_model.state_dict())

    torch.manual_seed(1)
    fresh_torch = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Linear(4, 2))
    fresh_torch.register_buffer("steps", torch.tensor(0))
    fresh_torch.load_state_dict(from_jtorch)
    fresh_jtorch = jtorch.nn.Sequential(jtorch.nn.Linear(3, 4), jtorch.nn.Linear(4, 2))
    fresh_jtorch.register_buffer("steps", jtorch.tensor(0))
    fresh_jtorch.load_state_dict(jtorch.load(tmp_path / "t.pth"))
    x = torch.randn(5, 3)
    assert_same(fresh_jtorch(to_jt(x)), torch_model(x))
    assert_same(to_jt(fresh_torch(x)), torch_model(x))


def test_file_objects_both_ways():
    expected = {"w": sample(torch.float32), "opt": optimizer_like(torch)}
    buffer = io.BytesIO()
    jtorch.save(torch_to_jtorch(expected), buffer)
    assert zipfile.ZipFile(io.BytesIO(buffer.getvalue())).namelist()[0] == "archive/data.pkl"
    buffer.seek(0)
    assert_same_tree(torch_to_jtorch(torch.load(buffer)), expected)
    buffer = io.BytesIO()
    torch.save(expected, buffer)
    buffer.seek(0)
    assert_same_tree(jtorch.load(buffer), expected)


def test_the_same_tensor_twice_stays_one_object(tmp_path):
    t = jtorch.ones(3)
    jtorch.save({"a": t, "b": t, "c": t.detach()}, tmp_path / "shared.pt")
    loaded = torch.load(tmp_path / "shared.pt")
    assert loaded["a"] is loaded["b"]
    assert loaded["a"].untyped_storage().data_ptr() == loaded["c"].untyped_storage().data_ptr()
    assert len([n for n in zipfile.ZipFile(tmp_path / "shared.pt").namelist() if "/data/" in n]) == 1


# ---- layout -------------------------------------------------------------------------------------------------

def test_layout_matches_torch(tmp_path):
    """Same records in the same order under a folder named after the stem, each 64-byte aligned."""
    obj = {"a": sample(torch.float32), "b": sample(torch.int64, (4,))}
    torch.save(obj, tmp_path / "t_model.pth")
    jtorch.save(torch_to_jtorch(obj), tmp_path / "j_model.pth")
    torch_names = [n.replace("t_model/", "") for n in zipfile.ZipFile(tmp_path / "t_model.pth").namelist()]
    archive = zipfile.ZipFile(tmp_path / "j_model.pth")
    assert [n.replace("j_model/", "") for n in archive.namelist()] == torch_names
    raw = (tmp_path / "j_model.pth").read_bytes()
    for info in archive.infolist():
        assert info.compress_type == zipfile.ZIP_STORED
        name_length, extra_length = struct.unpack("<HH", raw[info.header_offset + 26:info.header_offset + 30])
        assert (info.header_offset + 30 + name_length + extra_length) % 64 == 0
    records = {n: archive.read("j_model/" + n) for n in ("byteorder", "version", ".format_version",
                                                          ".storage_alignment")}
    assert records == {"byteorder": b"little", "version": b"3\n", ".format_version": b"1",
                       ".storage_alignment": b"64"}
    assert len(archive.read("j_model/.data/serialization_id")) == 40
    assert archive.read("j_model/data.pkl")[:2] == b"\x80\x02"


def test_missing_parent_directory_raises_like_torch(tmp_path):
    target = tmp_path / "missing" / "x.pt"
    got = assert_raises_both(lambda: torch.save(torch.ones(1), target), lambda: jtorch.save(jtorch.ones(1), target))
    assert str(got.value) == f"Parent directory {tmp_path / 'missing'} does not exist."


def test_save_is_atomic(tmp_path):
    path = tmp_path / "keep.pt"
    jtorch.save({"x": jtorch.ones(1)}, path)
    before = path.read_bytes()
    with pytest.raises((pickle.PicklingError, AttributeError, TypeError)):
        jtorch.save({"x": lambda: 0}, path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["keep.pt"]


# ---- map_location -------------------------------------------------------------------------------------------

def saved_on_cuda(path):
    """A torch checkpoint whose storage is recorded on 'cuda:0' (written on CPU, location rewritten)."""
    buffer = io.BytesIO()
    torch.save({"w": sample(torch.float32), "n": 3}, buffer)
    source = zipfile.ZipFile(buffer)
    with zipfile.ZipFile(path, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            if name.endswith("data.pkl"):
                data = data.replace(b"X\x03\x00\x00\x00cpu", b"X\x06\x00\x00\x00cuda:0")
            target.writestr(name, data)
    return path


@pytest.mark.parametrize("form", ["str", "device", "dict", "identity", "to_cpu", "none_result"])
def test_map_location_forms_match_torch(tmp_path, form):
    path = saved_on_cuda(tmp_path / "cuda.pt")

    def location(lib):
        return {"str": "cpu", "device": lib.device("cpu"), "dict": {"cuda:0": "cpu"},
                "identity": lambda storage, loc: storage, "to_cpu": lambda storage, loc: storage.cpu(),
                "none_result": lambda storage, loc: None}[form]
    if form == "none_result" and not HAVE_CUDA:
        assert_raises_both(lambda: torch.load(path, map_location=location(torch)),
                           lambda: jtorch.load(path, map_location=location(jtorch)))
        return
    expected = torch.load(path, map_location=location(torch))
    got = jtorch.load(path, map_location=location(jtorch))
    assert_same_tree(got, expected)
    assert got["w"].device == jtorch.device("cpu")


@pytest.mark.skipif(HAVE_CUDA, reason="needs a machine without CUDA")
def test_cuda_location_without_cuda_raises_like_torch(tmp_path):
    path = saved_on_cuda(tmp_path / "cuda.pt")
    got = assert_raises_both(lambda: torch.load(path), lambda: jtorch.load(path))
    assert "map_location" in str(got.value)


def test_bad_map_location_raises():
    buffer = io.BytesIO()
    jtorch.save(jtorch.ones(1), buffer)
    buffer.seek(0)
    with pytest.raises(TypeError):
        jtorch.load(buffer, map_location=3.5)


# ---- weights_only -------------------------------------------------------------------------------------------

def same_error(fn_torch, fn_jtorch):
    """Both raise the same exception type with the same message."""
    got = assert_raises_both(fn_torch, fn_jtorch)
    with pytest.raises(Exception) as expected:
        fn_torch()
    assert str(got.value) == str(expected.value)


@pytest.mark.parametrize("fmt", ["zip", "legacy"])
def test_weights_only_refuses_arbitrary_classes_like_torch(tmp_path, fmt):
    zip_format = fmt == "zip"
    torch.save({"obj": Opaque(3), "w": torch.ones(2)}, tmp_path / "t.pt", _use_new_zipfile_serialization=zip_format)
    jtorch.save({"obj": Opaque(3), "w": jtorch.ones(2)}, tmp_path / "j.pt", _use_new_zipfile_serialization=zip_format)
    for path in (tmp_path / "t.pt", tmp_path / "j.pt"):
        same_error(lambda: torch.load(path), lambda: jtorch.load(path))
        assert torch.load(path, weights_only=False)["obj"] == Opaque(3)
        loaded = jtorch.load(path, weights_only=False)
        assert loaded["obj"] == Opaque(3) and loaded["w"].tolist() == [1.0, 1.0]
        assert jtorch.load(path, pickle_module=pickle)["obj"] == torch.load(path, pickle_module=pickle)["obj"]
        with serialization.safe_globals([Opaque]), torch.serialization.safe_globals([Opaque]):
            assert jtorch.load(path)["obj"] == torch.load(path)["obj"] == Opaque(3)
        same_error(lambda: torch.load(path), lambda: jtorch.load(path))


def test_add_safe_globals_like_torch(tmp_path):
    torch.save({"obj": Opaque(3)}, tmp_path / "t.pt")
    entry = (Opaque, "test_serialization.Opaque")
    serialization.add_safe_globals([entry])
    try:
        assert serialization.get_safe_globals() == [entry]
        with torch.serialization.safe_globals([entry]):
            assert entry in torch.serialization.get_safe_globals()
            assert jtorch.load(tmp_path / "t.pt")["obj"] == torch.load(tmp_path / "t.pt")["obj"] == Opaque(3)
    finally:
        serialization.clear_safe_globals()
    assert serialization.get_safe_globals() == []
    same_error(lambda: torch.load(tmp_path / "t.pt"), lambda: jtorch.load(tmp_path / "t.pt"))
    with torch.serialization.safe_globals([(Opaque, 1)]), pytest.raises(TypeError) as expected:
        torch.load(tmp_path / "t.pt")
    with pytest.raises(TypeError, match=str(expected.value)):
        serialization.add_safe_globals([(Opaque, 1)])
    assert serialization.get_safe_globals() == []


def test_weights_only_never_runs_code_from_the_file(tmp_path):
    """A pickle whose reduce would create a file: refused by weights-only loads (torch's message), run by full
    loads, which shows the payload is live."""
    target = tmp_path / "pwned"

    class Exploit:
        def __reduce__(self):
            return (open, (str(target), "w"))
    for fmt in (True, False):
        path = tmp_path / f"exploit_{fmt}.pt"
        torch.save({"x": Exploit()}, path, _use_new_zipfile_serialization=fmt)
        same_error(lambda: torch.load(path), lambda: jtorch.load(path))
        assert not target.exists()
        jtorch.load(path, weights_only=False)["x"].close()
        assert target.exists()
        target.unlink()


def test_blocked_module_and_other_protocols_raise_like_torch(tmp_path):
    class Exploit:
        def __reduce__(self):
            return (os.system, ("echo pwned",))
    torch.save(Exploit(), tmp_path / "system.pt")
    same_error(lambda: torch.load(tmp_path / "system.pt"), lambda: jtorch.load(tmp_path / "system.pt"))
    torch.save({"w": torch.ones(2)}, tmp_path / "protocol4.pt", pickle_protocol=4)
    with pytest.warns(UserWarning, match="pickle protocol 4"):
        same_error(lambda: torch.load(tmp_path / "protocol4.pt"), lambda: jtorch.load(tmp_path / "protocol4.pt"))
    assert_same_tree(jtorch.load(tmp_path / "protocol4.pt", weights_only=False),
                     torch.load(tmp_path / "protocol4.pt", weights_only=False))


def test_weights_only_with_pickle_module_raises_like_torch():
    buffer = io.BytesIO()
    torch.save(torch.ones(1), buffer)
    same_error(lambda: torch.load(io.BytesIO(buffer.getvalue()), pickle_module=pickle, weights_only=True),
               lambda: jtorch.load(io.BytesIO(buffer.getvalue()), pickle_module=pickle, weights_only=True))


# ---- broken files: torch's exception type, a message naming the file ---------------------------------------

def raises_like_torch_naming(path, **kwargs):
    """jtorch.load(path) raises torch.load(path)'s exception type, with a message naming the file."""
    got = assert_raises_both(lambda: torch.load(path, **kwargs), lambda: jtorch.load(path, **kwargs))
    assert str(path) in str(got.value)
    return got


@pytest.mark.parametrize("fmt", ["zip", "legacy"])
def test_truncated_file_raises_like_torch_naming_it(tmp_path, fmt):
    torch.save({"w": torch.ones(100), "b": torch.zeros(3)}, tmp_path / "full.pt",
               _use_new_zipfile_serialization=fmt == "zip")
    full = (tmp_path / "full.pt").read_bytes()
    path = tmp_path / "truncated.pt"
    for length in (3, 40, len(full) // 2, len(full) - 1):
        path.write_bytes(full[:length])
        raises_like_torch_naming(path)
        raises_like_torch_naming(path, weights_only=False)


@pytest.mark.parametrize("content", [b"", b"hello world garbage", b"\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a"
                                                                  b"\xa8\x50\x19 legacy", b"\x80\x02K\x07."])
@pytest.mark.parametrize("weights_only", [True, False])
def test_non_checkpoint_file_raises_like_torch_naming_it(tmp_path, content, weights_only):
    path = tmp_path / "garbage.pt"
    path.write_bytes(content)
    raises_like_torch_naming(path, weights_only=weights_only)


def test_zip_that_is_not_a_checkpoint_raises_naming_it(tmp_path):
    path = tmp_path / "other.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("folder/readme.txt", "not a checkpoint")
    got = raises_like_torch_naming(path)
    assert "data.pkl" in str(got.value)


def test_corrupted_record_raises_naming_it(tmp_path):
    """torch does not check CRC-32s and loads the damaged value; jtorch refuses the file."""
    path = tmp_path / "corrupt.pt"
    torch.save({"w": torch.arange(64.0)}, path)
    raw = bytearray(path.read_bytes())
    raw[raw.index(struct.pack("<f", 33.0))] ^= 0xFF
    path.write_bytes(bytes(raw))
    assert torch.load(path)["w"][33] != 33.0
    with pytest.raises(RuntimeError, match="corrupt.pt.*CRC-32"):
        jtorch.load(path)


def test_missing_file_raises_like_torch(tmp_path):
    assert_raises_both(lambda: torch.load(tmp_path / "none.pt"), lambda: jtorch.load(tmp_path / "none.pt"))


def test_out_of_bounds_view_is_refused(tmp_path):
    buffer = io.BytesIO()
    torch.save(torch.arange(4.0), buffer)
    source = zipfile.ZipFile(buffer)
    target_buffer = io.BytesIO()
    with zipfile.ZipFile(target_buffer, "w") as target:
        for name in source.namelist():
            data = source.read(name)
            if name.endswith("data.pkl"):
                data = data.replace(b"K\x04\x85", b"K\x09\x85", 1)  # size (4,) -> (9,) over a 4-element storage
            target.writestr(name, data)
    target_buffer.seek(0)
    with pytest.raises(RuntimeError, match="out of bounds"):
        jtorch.load(target_buffer)


# ---- pickling and deep copies of tensors ----------------------------------------------------------------------

def test_reduce_tensor_round_trips_value_dtype_device_and_requires_grad():
    for tensor in (jtorch.ones(2, 3, dtype=jtorch.bfloat16), jtorch.tensor(2.5, requires_grad=True),
                   jtorch.tensor([1.0], requires_grad=True) * 2):
        rebuild, args = serialization.reduce_tensor(tensor, 2)
        copied = pickle.loads(pickle.dumps(rebuild(*args)))
        assert copied.is_leaf and copied.requires_grad == tensor.requires_grad
        assert copied.dtype == tensor.dtype and copied.device == tensor.device
        assert copied.float().tolist() == tensor.detach().float().tolist()


def test_deepcopy_tensor_like_torch():
    leaf = jtorch.tensor([1.0, 2.0], requires_grad=True)
    leaf.grad = jtorch.ones(2)
    memo = {}
    copied = serialization.deepcopy_tensor(leaf, memo)
    assert copied is not leaf and copied.requires_grad and copied.tolist() == [1.0, 2.0]
    assert copied.grad.tolist() == [1.0, 1.0] and copied.grad is not leaf.grad
    assert serialization.deepcopy_tensor(leaf, memo) is copied
    assert_raises_both(lambda: copy.deepcopy(torch.ones(1, requires_grad=True) * 2),
                       lambda: serialization.deepcopy_tensor(jtorch.ones(1, requires_grad=True) * 2, {}))


# ---- legacy format and mmap -----------------------------------------------------------------------------------

def test_legacy_format_both_ways(tmp_path):
    expected = checkpoint_objects()
    torch.save(expected, tmp_path / "t.pt", _use_new_zipfile_serialization=False)
    assert_same_tree(jtorch.load(tmp_path / "t.pt"), expected)
    assert_same_tree(jtorch.load(tmp_path / "t.pt", weights_only=False), expected)
    assert_same_tree(jtorch.load(tmp_path / "t.pt", map_location=lambda storage, location: storage.cpu()), expected)
    jtorch.save(torch_to_jtorch(expected), tmp_path / "j.pt", _use_new_zipfile_serialization=False)
    assert (tmp_path / "j.pt").read_bytes()[:2] == b"\x80\x02"
    assert_same_tree(torch_to_jtorch(torch.load(tmp_path / "j.pt")), expected)
    assert_same_tree(jtorch.load(tmp_path / "j.pt"), expected)
    buffer = io.BytesIO()
    jtorch.save(torch_to_jtorch(expected), buffer, _use_new_zipfile_serialization=False)
    buffer.seek(0)
    assert_same_tree(torch_to_jtorch(torch.load(buffer)), expected)


def test_mmap_loads_like_torch(tmp_path):
    expected = checkpoint_objects()
    torch.save(expected, tmp_path / "t.pt")
    assert_same_tree(jtorch.load(tmp_path / "t.pt", mmap=True), expected)
    assert_same_tree(jtorch.load(str(tmp_path / "t.pt"), mmap=True, weights_only=False), expected)


def test_mmap_needs_a_zip_checkpoint_path_like_torch(tmp_path):
    torch.save(torch.ones(2), tmp_path / "zip.pt")
    torch.save(torch.ones(2), tmp_path / "legacy.pt", _use_new_zipfile_serialization=False)
    data = (tmp_path / "zip.pt").read_bytes()
    same_error(lambda: torch.load(io.BytesIO(data), mmap=True), lambda: jtorch.load(io.BytesIO(data), mmap=True))
    for path in (tmp_path / "legacy.pt", str(tmp_path / "legacy.pt")):
        same_error(lambda: torch.load(path, mmap=True), lambda: jtorch.load(path, mmap=True))


# ---- jtorch's own objects, optimizers and resuming training ---------------------------------------------------

def test_jtorch_views_parameters_and_containers_load_in_torch(tmp_path):
    def objects(lib):
        base = lib.arange(24, dtype=lib.float32).reshape(4, 6)
        return {"transposed": base.t(), "strided": base[1:, ::2], "row": base[2], "base": base,
                "parameter": lib.nn.Parameter(lib.ones(2)), "frozen": lib.nn.Parameter(lib.zeros(3), False),
                "nested": [1, 2.5, "text", None, (3, {"k": [None, -7]}), collections.OrderedDict(a=1)]}
    jtorch.save(objects(jtorch), tmp_path / "j.pt")
    loaded = torch.load(tmp_path / "j.pt")
    expected = objects(torch)
    assert_same_tree(torch_to_jtorch(loaded), expected)
    torch.save(expected, tmp_path / "t.pt")
    reference = torch.load(tmp_path / "t.pt")
    for key in ("transposed", "strided", "row", "base"):
        assert loaded[key].stride() == reference[key].stride()
        assert loaded[key].storage_offset() == reference[key].storage_offset()
        assert loaded[key].untyped_storage().data_ptr() == loaded["base"].untyped_storage().data_ptr()
    records = [n for n in zipfile.ZipFile(tmp_path / "j.pt").namelist() if "/data/" in n]
    assert len(records) == len([n for n in zipfile.ZipFile(tmp_path / "t.pt").namelist() if "/data/" in n])


@pytest.mark.parametrize("writer", ["torch", "jtorch"])
def test_loaded_views_share_memory_like_torch(tmp_path, writer):
    """Tensors saved sharing one storage load sharing it: a write through one is seen by the others."""
    def program(lib, loaded):
        loaded["base"][1, 2] = 100
        loaded["col"].mul_(-1)
        return [loaded[k] for k in ("base", "row", "col", "transposed")] + [
            loaded["row"].storage_offset(), loaded["transposed"].stride()]

    def objects(lib):
        base = lib.arange(12.0).reshape(3, 4)
        return {"row": base[1], "base": base, "col": base[:, 2], "transposed": base.t()}
    lib = torch if writer == "torch" else jtorch
    lib.save(objects(lib), tmp_path / "shared.pt")
    assert_same(program(jtorch, jtorch.load(tmp_path / "shared.pt")), program(torch, torch.load(tmp_path / "shared.pt")))


def mlp(lib):
    lib.manual_seed(0)
    return lib.nn.Sequential(lib.nn.Linear(4, 16), lib.nn.Tanh(), lib.nn.Linear(16, 1))


def train(lib, model, optimizer, x, y, steps):
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = lib.nn.functional.mse_loss(model(x), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


@pytest.mark.parametrize("direction", ["torch_to_jtorch", "jtorch_to_torch"])
def test_resume_training_from_the_other_library(tmp_path, direction):
    """Train 3 Adam steps in one library, save model and optimizer state_dicts, resume in the other: its next
    losses equal the first library's own continuation."""
    source, target = (torch, jtorch) if direction == "torch_to_jtorch" else (jtorch, torch)
    torch.manual_seed(1)
    x, y = torch.randn(32, 4), torch.randn(32, 1)
    data = {torch: (x, y), jtorch: (to_jt(x), to_jt(y))}
    model = mlp(source)
    optimizer = source.optim.Adam(model.parameters(), lr=0.01)
    train(source, model, optimizer, *data[source], 3)
    source.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "epoch": 3}, tmp_path / "ck.pt")
    expected = train(source, model, optimizer, *data[source], 4)

    checkpoint = target.load(tmp_path / "ck.pt")
    resumed = target.nn.Sequential(target.nn.Linear(4, 16), target.nn.Tanh(), target.nn.Linear(16, 1))
    resumed.load_state_dict(checkpoint["model"])
    resumed_optimizer = target.optim.Adam(resumed.parameters(), lr=0.5)
    resumed_optimizer.load_state_dict(checkpoint["optimizer"])
    assert checkpoint["epoch"] == 3 and resumed_optimizer.param_groups[0]["lr"] == 0.01
    got = train(target, resumed, resumed_optimizer, *data[target], 4)
    np.testing.assert_allclose(got, expected, rtol=1e-4)


def test_interrupted_save_keeps_the_previous_checkpoint(tmp_path, monkeypatch):
    path = tmp_path / "keep.pt"
    jtorch.save({"x": jtorch.ones(3)}, path)
    before = path.read_bytes()
    written = []

    def fail_on_second_storage(value):
        if written:
            raise KeyboardInterrupt
        written.append(value)
        return np.asarray(value).reshape(-1).view(np.uint8)
    monkeypatch.setattr(serialization, "_storage_bytes", fail_on_second_storage)
    with pytest.raises(KeyboardInterrupt):
        jtorch.save({"a": jtorch.zeros(3), "b": jtorch.zeros(4)}, path)
    assert written and path.read_bytes() == before and os.listdir(tmp_path) == ["keep.pt"]
    assert_same_tree(jtorch.load(path), torch.load(path))


# ---- pickle, deepcopy and processes ---------------------------------------------------------------------------

def transferable(lib):
    leaf = lib.tensor([1.0, -2.0], requires_grad=True)
    return {"leaf": leaf, "plain": lib.arange(3), "nonleaf_detached": (leaf * 2).detach(),
            "parameter": lib.nn.Parameter(lib.ones(2)), "frozen": lib.nn.Parameter(lib.zeros(1), False),
            "model": mlp(lib)}


def assert_same_transfer(got, expected):
    model_got, model_expected = got.pop("model"), expected.pop("model")
    assert_same_tree(got, expected)
    assert_same_tree(dict(model_got.named_parameters()), dict(model_expected.named_parameters()))
    x = torch.randn(3, 4)
    assert_same(model_got(to_jt(x)), model_expected(x), rtol=1e-6, atol=1e-6)


def test_pickle_round_trip_like_torch():
    expected = pickle.loads(pickle.dumps(transferable(torch)))
    assert_same_transfer(pickle.loads(pickle.dumps(transferable(jtorch))), expected)
    nonleaf = [pickle.loads(pickle.dumps(lib.ones(2, requires_grad=True) * 2)) for lib in (torch, jtorch)]
    assert nonleaf[1].is_leaf == nonleaf[0].is_leaf and nonleaf[1].requires_grad == nonleaf[0].requires_grad


def test_deepcopy_of_a_model_shares_nothing_like_torch():
    """The DQN target-network pattern: the copy keeps its weights while the original trains, and gradients of
    one never reach the other."""
    x = torch.randn(8, 4)
    outputs = {}
    for lib, inputs in ((torch, x), (jtorch, to_jt(x))):
        online = mlp(lib)
        target = copy.deepcopy(online)
        assert all(a is not b for a, b in zip(online.parameters(), target.parameters()))
        before = target(inputs).detach()
        optimizer = lib.optim.SGD(online.parameters(), lr=0.1)
        online(inputs).sum().backward()
        optimizer.step()
        assert all(p.grad is None for p in target.parameters())
        target(inputs).sum().backward()
        with lib.no_grad():
            target[0].weight.add_(1.0)
        outputs[lib] = (before, target(inputs), online(inputs), target[0].weight.grad, online[0].weight.grad)
    assert_same(outputs[jtorch], outputs[torch], rtol=1e-5, atol=1e-6)
    assert not torch.equal(outputs[torch][1], outputs[torch][2])


def test_process_transfer_refuses_non_leaves_like_torch():
    same_error(lambda: ForkingPickler.dumps(torch.ones(2, requires_grad=True) * 2),
               lambda: ForkingPickler.dumps(jtorch.ones(2, requires_grad=True) * 2))


def test_spawn_pool_transfers_tensors_parameters_and_modules():
    """Sent to a spawned worker and back (copy.deepcopy runs there): values, requires_grad, Parameter classes and
    the model's function survive, as they do for torch through pickling."""
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        got = pool.apply(copy.deepcopy, (transferable(jtorch),))
    assert_same_transfer(got, pickle.loads(pickle.dumps(transferable(torch))))
