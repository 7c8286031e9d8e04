"""jtorch.utils.data against torch.utils.data: sampling order under the same seed, collation, datasets, errors, and
worker processes (which run jtorch only; their results are checked against torch's single-process ones and
against torch's documented seeding)."""
import collections
import math
import multiprocessing
import random
import time
import warnings

import numpy as np
import pytest

import jtorch
import jtorch.utils.data as jdata

if multiprocessing.parent_process() is None:  # DataLoader workers import this module only for its datasets
    import torch
    import torch.utils.data as tdata

    from conftest import assert_raises_like, assert_same

Point = collections.namedtuple("Point", ["x", "y"])


def data(lib):
    return tdata if lib is torch else jdata


def as_lists(batches):
    return [b.tolist() if isinstance(b, (torch.Tensor, jtorch.Tensor)) else b for b in batches]


def assert_same_batch(got, expected):
    """Same container types all the way down; tensors with torch's dtype, shape and values."""
    if isinstance(expected, torch.Tensor):
        assert_same(got, expected)
        return
    assert type(got) is type(expected), (type(got), type(expected))
    if isinstance(expected, dict):
        assert list(got) == list(expected)
        for key in expected:
            assert_same_batch(got[key], expected[key])
    elif isinstance(expected, (list, tuple)):
        assert len(got) == len(expected)
        for g, e in zip(got, expected):
            assert_same_batch(g, e)
    else:
        assert got == expected


# ---- module-level datasets: worker processes unpickle them by reference --------------------------------------

class Indices:
    """Map-style dataset whose sample is its index (usable with both libraries)."""

    def __init__(self, n):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return i


class Squares(Indices):
    def __getitem__(self, i):
        return {"index": i, "square": np.array([i * i], np.int64)}


_init_record = {}


def record_worker_init(worker_id):
    info = jdata.get_worker_info()
    _init_record.update(init_id=worker_id, seed=jtorch.initial_seed(), first_rand=jtorch.rand(()).item(),
                        numpy=int(np.random.randint(2 ** 31)), python=random.random(), same_id=info.id == worker_id)


class WorkerReport(Indices):
    def __getitem__(self, i):
        info = jdata.get_worker_info()
        return {"index": i, "id": info.id, "num_workers": info.num_workers, "info_seed": info.seed, **_init_record}


class ShardedRange(jdata.IterableDataset):
    """torch's documented example: each worker yields its own contiguous share of range(start, end)."""

    def __init__(self, start, end):
        self.start, self.end = start, end

    def __iter__(self):
        info = jdata.get_worker_info()
        if info is None:
            return iter(range(self.start, self.end))
        per_worker = math.ceil((self.end - self.start) / info.num_workers)
        first = self.start + info.id * per_worker
        return iter(range(first, min(first + per_worker, self.end)))


class Troubled(Indices):
    """Sample 1 raises, sample 2 takes longer than the loader's timeout."""

    def __getitem__(self, i):
        if i == 1:
            raise ValueError("bad sample 1")
        if i == 2:
            time.sleep(4)
        return i


# ---- samplers and shuffling ------------------------------------------------------------------------------------

@pytest.mark.parametrize("seed,n,batch_size,drop_last", [(0, 10, 3, False), (3, 17, 4, True), (12345, 5, 8, False)])
def test_shuffled_loader_matches_torch_over_epochs(seed, n, batch_size, drop_last):
    def epochs(lib):
        lib.manual_seed(seed)
        loader = data(lib).DataLoader(Indices(n), batch_size=batch_size, shuffle=True, drop_last=drop_last)
        return [as_lists(loader) for _ in range(3)]
    assert epochs(jtorch) == epochs(torch)


def test_loader_generator_and_sampler_generator_match_torch():
    def run(lib):
        lib.manual_seed(1)
        loader = data(lib).DataLoader(Indices(9), batch_size=2, shuffle=True,
                                      generator=lib.Generator().manual_seed(5))
        sampler = data(lib).RandomSampler(Indices(9), generator=lib.Generator().manual_seed(6))
        return [as_lists(loader) for _ in range(2)], list(sampler), list(sampler), lib.rand(3).tolist()
    assert run(jtorch) == run(torch)


@pytest.mark.parametrize("replacement,num_samples", [(False, None), (False, 4), (False, 23), (True, None),
                                                     (True, 70), (True, 5)])
def test_random_sampler_matches_torch(replacement, num_samples):
    def run(lib):
        lib.manual_seed(7)
        unseeded = data(lib).RandomSampler(Indices(10), replacement=replacement, num_samples=num_samples)
        seeded = data(lib).RandomSampler(Indices(10), replacement, num_samples, lib.Generator().manual_seed(3))
        return list(unseeded), list(unseeded), list(seeded), list(seeded), len(unseeded)
    assert run(jtorch) == run(torch)


def test_subset_random_and_sequential_samplers_match_torch():
    def run(lib):
        lib.manual_seed(2)
        subset = data(lib).SubsetRandomSampler([10, 20, 30, 40, 50])
        seeded = data(lib).SubsetRandomSampler([1, 3, 5], generator=lib.Generator().manual_seed(9))
        return list(subset), list(subset), list(seeded), len(subset), list(data(lib).SequentialSampler(range(4)))
    assert run(jtorch) == run(torch)


@pytest.mark.parametrize("replacement,num_samples", [(True, 12), (False, 4), (True, 40)])
def test_weighted_random_sampler_matches_torch(replacement, num_samples):
    weights = [0.1, 0.9, 0.4, 0.7, 3.0, 0.6]

    def run(lib):
        lib.manual_seed(11)
        unseeded = data(lib).WeightedRandomSampler(weights, num_samples, replacement=replacement)
        seeded = data(lib).WeightedRandomSampler(weights, num_samples, replacement, lib.Generator().manual_seed(4))
        return list(unseeded), list(unseeded), list(seeded), len(seeded)
    assert run(jtorch) == run(torch)


def test_weighted_random_sampler_errors_match_torch():
    for args in [([1.0, 2.0], 0), ([1.0, 2.0], 2.5), ([1.0, 2.0], True), ([[1.0], [2.0]], 2)]:
        assert_raises_like(lambda: tdata.WeightedRandomSampler(*args), lambda: jdata.WeightedRandomSampler(*args))
    assert_raises_like(lambda: tdata.WeightedRandomSampler([1.0], 1, replacement=1),
                       lambda: jdata.WeightedRandomSampler([1.0], 1, replacement=1))


def test_batch_sampler_matches_torch():
    for drop_last in (False, True):
        expected = tdata.BatchSampler(tdata.SequentialSampler(range(10)), 3, drop_last)
        got = jdata.BatchSampler(jdata.SequentialSampler(range(10)), 3, drop_last)
        assert list(got) == list(expected) and len(got) == len(expected)
    for args in [(range(4), 0, False), (range(4), 2, None), (range(4), True, False)]:
        assert_raises_like(lambda: tdata.BatchSampler(*args), lambda: jdata.BatchSampler(*args))


# ---- random_split and datasets ---------------------------------------------------------------------------------

@pytest.mark.parametrize("lengths", [[3, 7], [0.3, 0.3, 0.4], [0.5, 0.5], [0.25, 0.25, 0.25, 0.25]])
def test_random_split_matches_torch(lengths):
    def run(lib):
        lib.manual_seed(42)
        with warnings.catch_warnings(record=True):
            warnings.simplefilter("always")
            default = data(lib).random_split(range(10), lengths)
            seeded = data(lib).random_split(range(10), lengths, generator=lib.Generator().manual_seed(8))
        return [list(s) for s in default], [list(s) for s in seeded], [s.indices for s in seeded]
    assert run(jtorch) == run(torch)


def test_random_split_errors_and_warnings_match_torch():
    assert_raises_like(lambda: tdata.random_split(range(10), [3, 3]), lambda: jdata.random_split(range(10), [3, 3]))
    assert_raises_like(lambda: tdata.random_split(range(10), [1.2, -0.2]),
                       lambda: jdata.random_split(range(10), [1.2, -0.2]))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        jdata.random_split(range(2), [0.9, 0.05, 0.05])
    assert [str(w.message) for w in caught] == [f"Length of split at index {i} is 0. This might result in an "
                                                "empty dataset." for i in (1, 2)]


def test_datasets_match_torch():
    def run(lib):
        d = data(lib)
        tensors = d.TensorDataset(lib.arange(3), lib.arange(3) * 10)
        concat = d.ConcatDataset([range(3), range(10, 12)])
        stack = d.StackDataset(a=range(3), b=range(5, 8))
        subset = d.Subset(range(10, 20), [4, 1])
        return (len(tensors), [int(t) for t in tensors[2]], len(concat), [concat[i] for i in (0, 3, 4, -1, -5)],
                concat.cumulative_sizes, stack[1], len(stack), d.StackDataset(range(2), range(2))[0],
                [subset[0], subset[1]], subset.__getitems__([1, 0]), len(subset))
    assert run(jtorch) == run(torch)


def test_dataset_errors_match_torch():
    for lib_fn in [lambda d, lib: d.TensorDataset(lib.arange(3), lib.arange(2)),
                   lambda d, lib: d.ConcatDataset([]),
                   lambda d, lib: d.ConcatDataset([range(2)])[-3],
                   lambda d, lib: d.StackDataset(range(2), range(3)),
                   lambda d, lib: d.StackDataset(),
                   lambda d, lib: d.Dataset()[0]]:
        assert_raises_like(lambda: lib_fn(tdata, torch), lambda: lib_fn(jdata, jtorch))


def test_iterable_and_chain_datasets_match_torch():
    def run(lib):
        d = data(lib)

        class Stream(d.IterableDataset):
            def __init__(self, n):
                self.n = n

            def __iter__(self):
                return iter(range(self.n))

            def __len__(self):
                return self.n
        chained = Stream(3) + Stream(2)
        loader = d.DataLoader(Stream(7), batch_size=3)
        loader_drop = d.DataLoader(Stream(7), batch_size=3, drop_last=True)
        return (type(chained).__name__, list(chained), len(chained), as_lists(loader), len(loader),
                as_lists(loader_drop), len(loader_drop), as_lists(d.DataLoader(Stream(2), batch_size=None)))
    assert run(jtorch) == run(torch)


# ---- collation -------------------------------------------------------------------------------------------------

COLLATE_KINDS = ["float tensors", "int tensors", "bool tensors", "bfloat16 tensors", "mixed dtypes", "numpy float32",
                 "numpy int16 0-d", "numpy float64 scalars", "numpy int32 scalars", "numpy bool scalars", "ints",
                 "floats", "bools", "strings", "bytes", "dicts", "ordered dicts", "tuples", "namedtuples", "lists",
                 "nested"]


def batch_kinds(lib):
    """One batch of each kind default_collate handles (samples built per library where they hold tensors)."""
    return {
        "float tensors": [lib.tensor([1.5, 2.0]), lib.tensor([3.0, 4.0])],
        "int tensors": [lib.tensor(1), lib.tensor(2)],
        "bool tensors": [lib.tensor([True]), lib.tensor([False])],
        "bfloat16 tensors": [lib.ones(2, dtype=lib.bfloat16), lib.zeros(2, dtype=lib.bfloat16)],
        "mixed dtypes": [lib.tensor([1, 2]), lib.tensor([1.5, 2.5])],
        "numpy float32": [np.ones((2, 2), np.float32), np.zeros((2, 2), np.float32)],
        "numpy int16 0-d": [np.array(3, np.int16), np.array(4, np.int16)],
        "numpy float64 scalars": [np.float64(1.5), np.float64(2.5)],
        "numpy int32 scalars": [np.int32(1), np.int32(2)],
        "numpy bool scalars": [np.bool_(True), np.bool_(False)],
        "ints": [1, 2, 3],
        "floats": [1.0, 2.5],
        "bools": [True, False],
        "strings": ["a", "b"],
        "bytes": [b"a", b"b"],
        "dicts": [{"x": 1, "y": "a"}, {"x": 2, "y": "b"}],
        "ordered dicts": [collections.OrderedDict(b=1.0, a=2), collections.OrderedDict(b=3.0, a=4)],
        "tuples": [(1, 2.0), (3, 4.0)],
        "namedtuples": [Point(1, np.float32(2)), Point(3, np.float32(4))],
        "lists": [[1, 2], [3, 4]],
        "nested": [{"a": [lib.tensor([1.0]), (1, "s")]}, {"a": [lib.tensor([2.0]), (2, "t")]}],
    }


def test_collate_kinds_cover_every_batch():
    assert list(batch_kinds(torch)) == COLLATE_KINDS


@pytest.mark.parametrize("kind", COLLATE_KINDS)
def test_default_collate_matches_torch(kind):
    expected = tdata.default_collate(batch_kinds(torch)[kind])
    got = jdata.default_collate(batch_kinds(jtorch)[kind])
    assert_same_batch(got, expected)


def test_default_collate_errors_match_torch():
    for batch in ([[1, 2], [3]], [object(), object()], [np.array(["a"]), np.array(["b"])]):
        assert_raises_like(lambda: tdata.default_collate(batch), lambda: jdata.default_collate(batch))
    assert_raises_like(lambda: tdata.default_collate([torch.ones(2), torch.ones(3)]),
                       lambda: jdata.default_collate([jtorch.ones(2), jtorch.ones(3)]))


def test_default_collate_keeps_autograd():
    a, b = jtorch.ones(2, requires_grad=True), jtorch.zeros(2, requires_grad=True)
    out = jdata.default_collate([a, b])
    assert out.requires_grad and out.grad_fn is not None


@pytest.mark.parametrize("sample", [np.arange(3), np.float32(2.5), 4, "s", {"a": np.ones(2)}, (np.int64(1), 2),
                                    Point(np.zeros(1), 1), [np.ones(1, np.int8)]])
def test_default_convert_matches_torch(sample):
    assert_same_batch(jdata.default_convert(sample), tdata.default_convert(sample))


def test_unbatched_loader_and_custom_collate_match_torch():
    def run(lib):
        d = data(lib)
        unbatched = d.DataLoader(Squares(3), batch_size=None)
        custom = d.DataLoader(Indices(5), batch_size=2, collate_fn=lambda batch: sum(batch))
        by_batch_sampler = d.DataLoader(Indices(5), batch_sampler=[[0, 4], [2]])
        return ([(s["index"], s["square"].tolist()) for s in unbatched], list(custom), as_lists(by_batch_sampler),
                len(by_batch_sampler))
    assert run(jtorch) == run(torch)


# ---- DataLoader options --------------------------------------------------------------------------------------

@pytest.mark.parametrize("n,batch_size,drop_last", [(10, 3, False), (10, 3, True), (9, 3, True), (2, 5, True),
                                                    (2, 5, False)])
def test_len_and_drop_last_match_torch(n, batch_size, drop_last):
    def run(lib):
        loader = data(lib).DataLoader(Indices(n), batch_size=batch_size, drop_last=drop_last)
        return len(loader), as_lists(loader)
    assert run(jtorch) == run(torch)


def test_loader_batches_have_torch_types():
    expected = next(iter(tdata.DataLoader(Squares(4), batch_size=2)))
    got = next(iter(jdata.DataLoader(Squares(4), batch_size=2)))
    assert_same_batch(got, expected)


def test_pin_memory_is_accepted():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = as_lists(tdata.DataLoader(Indices(4), batch_size=2, pin_memory=True))
        assert as_lists(jdata.DataLoader(Indices(4), batch_size=2, pin_memory=True)) == expected


@pytest.mark.parametrize("kwargs", [
    dict(batch_size=2, batch_sampler=[[0]]), dict(shuffle=True, batch_sampler=[[0]]),
    dict(drop_last=True, batch_sampler=[[0]]), dict(sampler=[0, 1], batch_sampler=[[0]]),
    dict(sampler=[0, 1], shuffle=True), dict(batch_size=None, drop_last=True), dict(num_workers=-1),
    dict(timeout=-1), dict(prefetch_factor=2), dict(persistent_workers=True),
    dict(num_workers=1, prefetch_factor=-1), dict(multiprocessing_context="spawn"),
    dict(num_workers=1, multiprocessing_context="no-such-method"), dict(num_workers=1, multiprocessing_context=3),
])
def test_loader_option_errors_match_torch(kwargs):
    assert_raises_like(lambda: tdata.DataLoader(Indices(4), **kwargs), lambda: jdata.DataLoader(Indices(4), **kwargs))


@pytest.mark.parametrize("kwargs", [dict(shuffle=True), dict(sampler=[0]), dict(batch_sampler=[[0]]), {}])
def test_iterable_dataset_option_errors_match_torch(kwargs):
    class TorchStream(tdata.IterableDataset):
        def __iter__(self):
            return iter([])

    class JtorchStream(jdata.IterableDataset):
        __iter__ = TorchStream.__iter__
    assert_raises_like(lambda: tdata.DataLoader(TorchStream(), **kwargs) and tdata.IterableDataset(),
                       lambda: jdata.DataLoader(JtorchStream(), **kwargs) and jdata.IterableDataset())


def test_frozen_attributes_match_torch():
    for attr in ("batch_size", "sampler", "dataset", "drop_last"):
        t_loader, j_loader = tdata.DataLoader(Indices(2)), jdata.DataLoader(Indices(2))
        assert_raises_like(lambda: setattr(t_loader, attr, None), lambda: setattr(j_loader, attr, None))


def test_single_process_timeout_and_errors_match_torch():
    assert_raises_like(lambda: iter(tdata.DataLoader(Indices(2), timeout=1)),
                       lambda: iter(jdata.DataLoader(Indices(2), timeout=1)))
    with pytest.raises(ValueError, match="bad sample 1"):
        list(jdata.DataLoader(Troubled(2)))
    assert jdata.get_worker_info() is None


# ---- worker processes ------------------------------------------------------------------------------------------

def test_workers_match_single_process_seeding_worker_init_fn_and_worker_info():
    """With num_workers=2 the first epoch's batches equal num_workers=0's and torch's for the same seed. Each
    worker is seeded as torch seeds it (base seed + worker id for random, torch and get_worker_info().seed; numpy
    through torch's SeedSequence hash), runs worker_init_fn and sees get_worker_info; batches go round-robin;
    persistent workers keep the base seed while the sampler reshuffles each epoch."""
    def first_epoch(lib):
        lib.manual_seed(21)
        return as_lists(data(lib).DataLoader(Indices(8), batch_size=2, shuffle=True))
    single_process = first_epoch(jtorch)
    assert single_process == first_epoch(torch)

    jtorch.manual_seed(21)
    loader = jdata.DataLoader(WorkerReport(8), batch_size=2, shuffle=True, num_workers=2, persistent_workers=True,
                              worker_init_fn=record_worker_init)
    epochs = [list(loader) for _ in range(2)]
    assert [b["index"].tolist() for b in epochs[0]] == single_process

    torch.manual_seed(21)
    base_seed = torch.empty((), dtype=torch.int64).random_().item()
    expected_orders = [list(tdata.RandomSampler(range(8))) for _ in range(2)]
    for batches, order in zip(epochs, expected_orders):
        assert [i for b in batches for i in b["index"].tolist()] == order
        for k, batch in enumerate(batches):
            worker = k % 2
            seed = base_seed + worker
            torch.manual_seed(seed)
            np.random.seed(tdata._utils.worker._generate_state(base_seed, worker))
            random.seed(seed)
            assert batch["id"].tolist() == batch["init_id"].tolist() == [worker] * 2
            assert batch["num_workers"].tolist() == [2, 2] and batch["same_id"].tolist() == [True, True]
            assert batch["info_seed"].tolist() == batch["seed"].tolist() == [seed] * 2
            assert batch["first_rand"].tolist() == [torch.rand(()).item()] * 2
            assert batch["numpy"].tolist() == [int(np.random.randint(2 ** 31))] * 2
            assert batch["python"].tolist() == [random.random()] * 2


def test_iterable_dataset_with_workers():
    """torch's documented example: workers each yield their share, batches alternate between workers."""
    assert as_lists(jdata.DataLoader(ShardedRange(3, 7), num_workers=0)) == [[3], [4], [5], [6]]
    assert as_lists(jdata.DataLoader(ShardedRange(3, 7), num_workers=2)) == [[3], [5], [4], [6]]


def test_worker_exception_and_timeout():
    """A worker's exception is re-raised in the main process with its type; the loader goes on, and a batch
    slower than `timeout` raises torch's RuntimeError."""
    iterator = iter(jdata.DataLoader(Troubled(3), num_workers=1, timeout=1.5))
    assert next(iterator).tolist() == [0]
    with pytest.raises(ValueError, match="(?s)Caught ValueError in DataLoader worker process 0.*bad sample 1"):
        next(iterator)
    with pytest.raises(RuntimeError, match="DataLoader timed out after 1.5 seconds"):
        next(iterator)
