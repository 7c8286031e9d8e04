"""Per-op eager overhead: jtorch vs torch (and one bare jax.jit call) on small tensors, in one run.

Run: python benchmarks/op_overhead.py
Prints microseconds per op (best of several timed loops) for torch, jtorch and the ratio, with and without
requires_grad.
"""
import time

import jax
import jax.numpy as jnp
import numpy as np
import torch

import jtorch
from _timing import best_time


def per_call_us(fn, rounds=7, round_time=0.05):
    """Microseconds per `fn()`: the best of `rounds` timed loops of about `round_time` seconds each, after
    `round_time` seconds of warm-up calls (compilation, first-call caches)."""
    warm_until = time.perf_counter() + round_time
    while time.perf_counter() < warm_until:
        fn()
    n, elapsed = 1, 0.0
    while elapsed < round_time:
        n *= 2
        start = time.perf_counter()
        for _ in range(n):
            fn()
        elapsed = time.perf_counter() - start

    def loop():
        for _ in range(n):
            fn()
    return best_time(loop, rounds) / n * 1e6


def cases(lib, requires_grad):
    rng = np.random.default_rng(0)

    def t(*shape):
        return lib.tensor(rng.standard_normal(shape).astype(np.float32), requires_grad=requires_grad)

    a, b, c = t(16, 16), t(16, 16), t(16, 16)
    m1, m2 = t(32, 32), t(32, 32)
    x = lib.tensor(rng.standard_normal((8, 32)).astype(np.float32))
    w1, w2, w3 = t(64, 32), t(64, 64), t(10, 64)

    def mlp():
        h = (x @ w1.T).relu()
        h = (h @ w2.T).relu()
        out = (h @ w3.T).sum()
        if requires_grad:
            out.backward()
        return out

    return {
        "a + b": lambda: a + b,
        "a * b + c": lambda: a * b + c,
        "sum": lambda: a.sum(),
        "matmul 32x32": lambda: m1 @ m2,
        "mlp fwd+bwd (3 layers)": mlp,
    }


def main():
    bare = jax.jit(lambda u, v: u + v)
    u = jnp.ones((16, 16), jnp.float32)
    bare_us = per_call_us(lambda: bare(u, u))
    print(f"one bare jax.jit call (add 16x16): {bare_us:.1f} us\n")
    print(f"{'op':28s} {'grad':>5s} {'torch us':>10s} {'jtorch us':>10s} {'ratio':>7s} {'x bare jit':>10s}")
    for requires_grad in (False, True):
        torch_cases = cases(torch, requires_grad)
        jt_cases = cases(jtorch, requires_grad)
        for name in torch_cases:
            t_us = per_call_us(torch_cases[name])
            j_us = per_call_us(jt_cases[name])
            print(f"{name:28s} {str(requires_grad):>5s} {t_us:10.1f} {j_us:10.1f} {j_us / t_us:7.2f} "
                  f"{j_us / bare_us:10.2f}")


if __name__ == "__main__":
    torch.set_num_threads(1)
    main()
