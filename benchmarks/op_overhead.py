"""Per-op eager overhead on small tensors, in one run: jtorch vs torch and vs the same work in JAX.

Run: python benchmarks/op_overhead.py
Prints microseconds per case (best of several timed loops), with and without requires_grad, for torch, JAX and
jtorch, and jtorch's ratio to each. JAX runs an eager op as one bare jax.jit call, the floor of jtorch's
dispatch (jtorch aims at most 1.5x it for a small op with grad); the MLP is hand-written JAX, one jit of
its forward (and gradient) against jtorch's eager ops and backward.
"""
import time

import jax
import jax.numpy as jnp
import numpy as np
import torch

import jtorch
from _timing import best_time


def per_call_us(fn, rounds=7, round_time=0.05, warm_up=0.5):
    """Microseconds per `fn()`: the best of `rounds` timed loops of about `round_time` seconds each, after
    `warm_up` seconds of calls (compilation; a jitted function's first few hundred calls run slower)."""
    warm_until = time.perf_counter() + warm_up
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


def operands(to_tensor):
    """The benchmark's inputs, made by `to_tensor(numpy array, differentiable)`."""
    rng = np.random.default_rng(0)

    def t(*shape, differentiable=True):
        return to_tensor(rng.standard_normal(shape).astype(np.float32), differentiable)

    return dict(a=t(16, 16), b=t(16, 16), c=t(16, 16), m1=t(32, 32), m2=t(32, 32), x=t(8, 32, differentiable=False),
                w1=t(64, 32), w2=t(64, 64), w3=t(10, 64))


def cases(lib, requires_grad):
    """Each case as a call on `lib` (torch or jtorch) tensors."""
    v = operands(lambda array, differentiable: lib.tensor(array, requires_grad=differentiable and requires_grad))
    a, b, c, m1, m2 = v["a"], v["b"], v["c"], v["m1"], v["m2"]

    def mlp():
        h = (v["x"] @ v["w1"].T).relu()
        h = (h @ v["w2"].T).relu()
        out = (h @ v["w3"].T).sum()
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


def jax_cases(requires_grad):
    """The same calls in JAX: eager ops as one jax.jit call each (as jtorch dispatches them); the MLP as
    hand-written JAX, one jit of its forward (and gradient)."""
    v = operands(lambda array, differentiable: jnp.asarray(array))
    add, mul = jax.jit(jnp.add), jax.jit(jnp.multiply)
    total, matmul = jax.jit(jnp.sum), jax.jit(jnp.matmul)

    def loss(w1, w2, w3, x):
        h = jax.nn.relu(x @ w1.T)
        h = jax.nn.relu(h @ w2.T)
        return (h @ w3.T).sum()

    mlp = jax.jit(jax.value_and_grad(loss, argnums=(0, 1, 2)) if requires_grad else loss)
    return {
        "a + b": lambda: add(v["a"], v["b"]),
        "a * b + c": lambda: add(mul(v["a"], v["b"]), v["c"]),
        "sum": lambda: total(v["a"]),
        "matmul 32x32": lambda: matmul(v["m1"], v["m2"]),
        "mlp fwd+bwd (3 layers)": lambda: mlp(v["w1"], v["w2"], v["w3"], v["x"]),
    }


def main():
    print(f"{'op':28s} {'grad':>5s} {'torch us':>9s} {'jax us':>7s} {'jtorch us':>10s} {'x torch':>8s} {'x jax':>6s}")
    for requires_grad in (False, True):
        libs = cases(torch, requires_grad), cases(jtorch, requires_grad), jax_cases(requires_grad)
        for name in libs[0]:
            t_us, j_us, x_us = (per_call_us(lib[name]) for lib in libs)
            print(f"{name:28s} {str(requires_grad):>5s} {t_us:9.1f} {x_us:7.1f} {j_us:10.1f} {j_us / t_us:8.2f} "
                  f"{j_us / x_us:6.2f}")


if __name__ == "__main__":
    torch.set_num_threads(1)
    main()
