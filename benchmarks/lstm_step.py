"""One training step of a 2-layer LSTM classifier (SGD): jtorch eager vs torch eager vs a hand-written jax.jit step.

Run: python benchmarks/lstm_step.py [--steps 20] [--seq 50] [--batch 32] [--input 64] [--hidden 256]
The model reads x (seq, batch, input) with nn.LSTM(input, hidden, num_layers=2) and classifies the last
step's output with a Linear into 10 classes; the step is forward, cross-entropy, backward, SGD update.
Prints ms/step for each and the ratios jtorch/torch and jtorch/jax.jit. The jax.jit step (the same model
written with lax.scan, one jitted function) is the ceiling a JAX backend can reach on this machine.
"""
import argparse

import jax
import jax.numpy as jnp
import numpy as np
import torch

import jtorch
from _timing import ms_per_step


def build(lib, input_size, hidden):
    nn = lib.nn

    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = nn.LSTM(input_size, hidden, num_layers=2)
            self.fc = nn.Linear(hidden, 10)

        def forward(self, x):
            output, _ = self.lstm(x)
            return self.fc(output[-1])

    lib.manual_seed(0)
    model = Model()
    optimizer = lib.optim.SGD(model.parameters(), lr=0.01)
    criterion = nn.CrossEntropyLoss()

    def step(x, y):
        loss = criterion(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss
    return step


def jax_step_fn(input_size, hidden):
    """The same model and update written directly in JAX (gate order i, f, g, o as torch), jitted as one step."""
    def layer(x, w_ih, w_hh, b):
        xw = x @ w_ih.T + b  # the input projection of every step in one matmul

        def cell(carry, xw_t):
            h, c = carry
            i, f, g, o = jnp.split(xw_t + h @ w_hh.T, 4, axis=-1)
            c = jax.nn.sigmoid(f) * c + jax.nn.sigmoid(i) * jnp.tanh(g)
            h = jax.nn.sigmoid(o) * jnp.tanh(c)
            return (h, c), h
        zeros = jnp.zeros((x.shape[1], hidden), x.dtype)
        return jax.lax.scan(cell, (zeros, zeros), xw)[1]

    def loss_fn(params, x, y):
        for k in range(2):
            x = layer(x, params[f"w_ih{k}"], params[f"w_hh{k}"], params[f"b{k}"])
        logits = x[-1] @ params["wf"].T + params["bf"]
        return -jnp.mean(jnp.take_along_axis(jax.nn.log_softmax(logits), y[:, None], axis=1))

    @jax.jit
    def step(params, x, y):
        loss, grads = jax.value_and_grad(loss_fn)(params, x, y)
        return jax.tree_util.tree_map(lambda p, g: p - 0.01 * g, params, grads), loss

    rng = np.random.default_rng(0)
    shapes = {"w_ih0": (4 * hidden, input_size), "w_hh0": (4 * hidden, hidden), "b0": (4 * hidden,),
              "w_ih1": (4 * hidden, hidden), "w_hh1": (4 * hidden, hidden), "b1": (4 * hidden,),
              "wf": (10, hidden), "bf": (10,)}
    bound = 1 / np.sqrt(hidden)
    params = {k: jnp.asarray(rng.uniform(-bound, bound, s).astype(np.float32)) for k, s in shapes.items()}
    return step, params


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--seq", type=int, default=50)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--input", type=int, default=64)
    parser.add_argument("--hidden", type=int, default=256)
    args = parser.parse_args()
    rng = np.random.default_rng(1)
    x = rng.standard_normal((args.seq, args.batch, args.input)).astype(np.float32)
    y = rng.integers(0, 10, args.batch)
    t_step, j_step = build(torch, args.input, args.hidden), build(jtorch, args.input, args.hidden)
    tx, ty = torch.from_numpy(x), torch.from_numpy(y)
    jx, jy = jtorch.from_numpy(x), jtorch.from_numpy(y)
    t_ms = ms_per_step(lambda: t_step(tx, ty).item(), args.steps)
    j_ms = ms_per_step(lambda: j_step(jx, jy).item(), args.steps)
    step, params = jax_step_fn(args.input, args.hidden)
    state = [params]
    ax, ay = jnp.asarray(x), jnp.asarray(y)

    def jit_step():
        state[0], loss = step(state[0], ax, ay)
        return float(loss)
    k_ms = ms_per_step(jit_step, args.steps)
    print(f"2-layer LSTM, hidden {args.hidden}, seq {args.seq}, batch {args.batch}, input {args.input}")
    print(f"{'torch ms':>9s} {'jtorch ms':>10s} {'jax.jit ms':>11s} {'jt/torch':>9s} {'jt/jit':>7s}")
    print(f"{t_ms:9.2f} {j_ms:10.2f} {k_ms:11.2f} {j_ms / t_ms:9.2f} {j_ms / k_ms:7.2f}")


if __name__ == "__main__":
    main()
