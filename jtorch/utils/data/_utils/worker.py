"""The worker-process side of a multi-process DataLoader: the fetch loop, torch's per-worker seeding, and
get_worker_info."""
import os
import queue
import random
import sys
import traceback
from dataclasses import dataclass

import numpy as np

from ....random import manual_seed
from .fetch import _DatasetKind

MP_STATUS_CHECK_INTERVAL = 5.0  # seconds between liveness checks while waiting on a queue

_worker_info = None


@dataclass(frozen=True, slots=True)
class WorkerInfo:
    id: int
    num_workers: int
    seed: int
    dataset: object
    rng: object = None
    worker_method: str = "multiprocessing"


def get_worker_info():
    """This worker's WorkerInfo inside a DataLoader worker process; None in the main process."""
    return _worker_info


@dataclass(frozen=True)
class _IterableDatasetStopIteration:
    """A worker's iterable dataset is exhausted."""
    worker_id: int


@dataclass(frozen=True)
class _ResumeIteration:
    """A persistent worker starts a new epoch."""


@dataclass(frozen=True)
class _WorkerStarted:
    """A worker process is up (its interpreter started and imports done): the DataLoader's timeout applies from
    here on, as process start-up under 'spawn' takes seconds."""
    worker_id: int


class _KeyErrorMessage(str):
    """A str whose repr is itself, so a re-raised KeyError prints its traceback readably."""
    __slots__ = ()

    def __repr__(self):
        return self


class ExceptionWrapper:
    """An exception and its traceback text, carried from a worker to the main process and re-raised there."""

    def __init__(self, exc_info=None, where="in background"):
        exc_info = sys.exc_info() if exc_info is None else exc_info
        self.exc_type = exc_info[0]
        self.exc_msg = "".join(traceback.format_exception(*exc_info))
        self.where = where

    def reraise(self):
        msg = f"Caught {self.exc_type.__name__} {self.where}.\nOriginal {self.exc_msg}"
        if self.exc_type is KeyError:
            msg = _KeyErrorMessage(msg)
        elif getattr(self.exc_type, "message", None):
            raise self.exc_type(message=msg)
        try:
            exception = self.exc_type(msg)
        except Exception:
            raise RuntimeError(msg) from None
        raise exception


_MASK32 = 0xFFFFFFFF


def _generate_state(base_seed, worker_id):
    """torch's numpy seed for a worker: numpy's SeedSequence hashing of (worker_id, base_seed) -> 4 uint32 words."""
    init_a, mult_a, init_b, mult_b = 0x43B0D7E5, 0x931E8875, 0x8B51F9DD, 0x58F38DED
    mix_mult_l, mix_mult_r, xshift = 0xCA01F9DD, 0x4973F715, 16
    entropy = [worker_id, base_seed & _MASK32, base_seed >> 32, 0]
    hash_const_a = init_a

    def hash_(value):
        nonlocal hash_const_a
        value = (value ^ hash_const_a) & _MASK32
        hash_const_a = (hash_const_a * mult_a) & _MASK32
        value = (value * hash_const_a) & _MASK32
        return (value ^ (value >> xshift)) & _MASK32

    def mix(x, y):
        result = ((mix_mult_l * x) & _MASK32) - ((mix_mult_r * y) & _MASK32) & _MASK32
        return (result ^ (result >> xshift)) & _MASK32

    pool = [hash_(e) for e in entropy]
    for i_src in range(4):
        for i_dst in range(4):
            if i_src != i_dst:
                pool[i_dst] = mix(pool[i_dst], hash_(pool[i_src]))
    hash_const_b = init_b
    state = []
    for value in pool:
        value = (value ^ hash_const_b) & _MASK32
        hash_const_b = (hash_const_b * mult_b) & _MASK32
        value = (value * hash_const_b) & _MASK32
        state.append((value ^ (value >> xshift)) & _MASK32)
    return state


def _seed_worker(base_seed, worker_id):
    """Seeds `random`, jtorch and numpy in a worker as torch does; returns the worker's seed."""
    seed = base_seed + worker_id
    random.seed(seed)
    manual_seed(seed)
    np.random.seed(_generate_state(base_seed, worker_id))
    return seed


def _fetch(fetcher, index, dataset_kind, worker_id):
    """The batch for `index`, or the marker of an exhausted iterable dataset, or the wrapped exception."""
    try:
        return fetcher.fetch(index)
    except Exception as e:
        if isinstance(e, StopIteration) and dataset_kind == _DatasetKind.Iterable:
            return _IterableDatasetStopIteration(worker_id)
        return ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")


def _worker_loop(dataset_kind, dataset, index_queue, data_queue, done_event, auto_collation, collate_fn, drop_last,
                 base_seed, init_fn, worker_id, num_workers):
    """Serves (task index, sampler index) requests from `index_queue` until told to stop or the parent dies."""
    global _worker_info
    try:
        data_queue.put((_WorkerStarted(worker_id), None))
        seed = _seed_worker(base_seed, worker_id)
        _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed, dataset=dataset)
        init_exception = None
        try:
            if init_fn is not None:
                init_fn(worker_id)
            fetcher = _DatasetKind.create_fetcher(dataset_kind, dataset, auto_collation, collate_fn, drop_last)
        except Exception:
            init_exception = ExceptionWrapper(where=f"in DataLoader worker process {worker_id}")
        iteration_end = False
        parent = os.getppid()
        while os.getppid() == parent:
            try:
                request = index_queue.get(timeout=MP_STATUS_CHECK_INTERVAL)
            except queue.Empty:
                continue
            if isinstance(request, _ResumeIteration):
                data_queue.put((request, None))
                iteration_end = False
                fetcher = _DatasetKind.create_fetcher(dataset_kind, dataset, auto_collation, collate_fn, drop_last)
                continue
            if request is None:
                break
            if done_event.is_set() or iteration_end:
                continue
            idx, index = request
            if init_exception is not None:
                data, init_exception = init_exception, None
            else:
                data = _fetch(fetcher, index, dataset_kind, worker_id)
                iteration_end = isinstance(data, _IterableDatasetStopIteration)
            data_queue.put((idx, data))
            del data, idx, index, request
    except KeyboardInterrupt:
        pass
    if done_event.is_set():
        data_queue.cancel_join_thread()
        data_queue.close()
