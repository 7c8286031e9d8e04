"""Checkpoint save/load throughput, jtorch vs torch on CPU: best of several repeats.

Run: python benchmarks/checkpoint.py [--tensors N] [--numel N] [--repeats N] [--dir PATH]
Saves and loads a state_dict of N float32 tensors (default 25 x 4M = 100M parameters, 400 MB) with each library
and prints MB/s for each and the ratio jtorch/torch (above 1: jtorch is slower). Both read a file their own save
wrote, from the page cache; `load` includes building the tensors, `load mmap` maps the file instead of reading it.
"""
import argparse
import collections
import os
import tempfile

import numpy as np
import torch

import jtorch
from _timing import best_time


def state_dicts(count, numel):
    """The same state_dict as numpy-backed torch tensors and as jtorch tensors."""
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(numel, dtype=np.float32) for _ in range(count)]
    names = [f"layer{i}.weight" for i in range(count)]
    as_torch = collections.OrderedDict((n, torch.from_numpy(a)) for n, a in zip(names, arrays))
    as_jtorch = collections.OrderedDict((n, jtorch.from_numpy(a)) for n, a in zip(names, arrays))
    return as_torch, as_jtorch


def ready(state):
    """Waits for jtorch's device transfers to finish."""
    for tensor in state.values():
        tensor._value.block_until_ready()
    return state


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tensors", type=int, default=25)
    parser.add_argument("--numel", type=int, default=4_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--dir", default=None, help="folder for the checkpoint files (default: a temporary one)")
    args = parser.parse_args()
    as_torch, as_jtorch = state_dicts(args.tensors, args.numel)
    megabytes = args.tensors * args.numel * 4 / 1e6
    with tempfile.TemporaryDirectory(dir=args.dir, prefix="checkpoint_bench_") as folder:
        theirs_path, ours_path = os.path.join(folder, "torch.pt"), os.path.join(folder, "jtorch.pt")
        cases = [
            ("save", lambda: jtorch.save(as_jtorch, ours_path), lambda: torch.save(as_torch, theirs_path)),
            ("load", lambda: ready(jtorch.load(ours_path)), lambda: torch.load(theirs_path)),
            ("load mmap", lambda: ready(jtorch.load(ours_path, mmap=True)),
             lambda: torch.load(theirs_path, mmap=True)),
        ]
        print(f"state_dict: {args.tensors} x {args.numel:,} float32 = {megabytes:.0f} MB")
        print(f"{'case':<12}{'jtorch MB/s':>14}{'torch MB/s':>14}{'ratio':>8}")
        for name, ours, theirs in cases:
            ours_s, theirs_s = best_time(ours, args.repeats), best_time(theirs, args.repeats)
            print(f"{name:<12}{megabytes / ours_s:>14.0f}{megabytes / theirs_s:>14.0f}{ours_s / theirs_s:>8.2f}")


if __name__ == "__main__":
    main()
