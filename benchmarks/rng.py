"""Random-number factories, jtorch vs torch on CPU: best of several repeats.

Run: python benchmarks/rng.py [--repeats N]
Prints microseconds per call for each library and the ratio jtorch/torch.
"""
import argparse

import torch

import jtorch
from _timing import best_time

CASES = [
    ("randn(1_000_000)", lambda m: m.randn(1_000_000)),
    ("rand(1_000_000)", lambda m: m.rand(1_000_000)),
    ("randperm(100_000)", lambda m: m.randperm(100_000)),
]


def ready(tensor):
    """Waits for a jtorch tensor's device transfer to finish."""
    tensor._value.block_until_ready()
    return tensor


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    repeats = parser.parse_args().repeats
    print(f"{'case':<20}{'jtorch us':>12}{'torch us':>12}{'ratio':>8}")
    for name, make in CASES:
        ours = best_time(lambda: ready(make(jtorch)), repeats) * 1e6
        theirs = best_time(lambda: make(torch), repeats) * 1e6
        print(f"{name:<20}{ours:>12.0f}{theirs:>12.0f}{ours / theirs:>8.2f}")


if __name__ == "__main__":
    main()
