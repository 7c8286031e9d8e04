"""One training step of the seed CNN (SGD momentum): jtorch eager vs torch eager vs a hand-written jax.jit step.

Run: python benchmarks/cnn_step.py [--batches 1 64 256] [--steps 20]
Prints ms/step for each and the ratios jtorch/torch and jtorch/jax.jit. The jax.jit step is the ceiling a
JAX backend can reach on this machine.
"""
import argparse

import jax
import jax.numpy as jnp
import numpy as np
import torch

import jtorch
from _timing import ms_per_step


def build(lib):
    nn = lib.nn

    class MyModel(nn.Module):
        def __init__(self, num_classes=10):
            super().__init__()
            self.conv1 = nn.Conv2d(3, 16, 3, padding=1); self.relu1 = nn.ReLU(); self.pool1 = nn.MaxPool2d(2)
            self.conv2 = nn.Conv2d(16, 32, 3, padding=1); self.relu2 = nn.ReLU(); self.pool2 = nn.MaxPool2d(2)
            self.fc = nn.Linear(32 * 8 * 8, num_classes)

        def forward(self, x):
            x = self.pool1(self.relu1(self.conv1(x)))
            x = self.pool2(self.relu2(self.conv2(x)))
            return self.fc(x.view(x.size(0), -1))

    lib.manual_seed(0)
    model = MyModel()
    optimizer = lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    criterion = nn.CrossEntropyLoss()

    def step(x, y):
        loss = criterion(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss
    return step


def jax_step_fn():
    """The same network and update written directly in JAX, jitted as one step."""
    def conv(x, w, b):
        out = jax.lax.conv_general_dilated(x, w, (1, 1), ((1, 1), (1, 1)),
                                           dimension_numbers=("NCHW", "OIHW", "NCHW"))
        return out + b[None, :, None, None]

    def pool(x):
        n, c, h, w = x.shape
        return x.reshape(n, c, h // 2, 2, w // 2, 2).max(axis=(3, 5))

    def loss_fn(params, x, y):
        h = pool(jax.nn.relu(conv(x, params["w1"], params["b1"])))
        h = pool(jax.nn.relu(conv(h, params["w2"], params["b2"])))
        logits = h.reshape(h.shape[0], -1) @ params["wf"].T + params["bf"]
        return -jnp.mean(jnp.take_along_axis(jax.nn.log_softmax(logits), y[:, None], axis=1))

    @jax.jit
    def step(params, momentum, x, y):
        loss, grads = jax.value_and_grad(loss_fn)(params, x, y)
        momentum = jax.tree_util.tree_map(lambda m, g: 0.9 * m + g, momentum, grads)
        params = jax.tree_util.tree_map(lambda p, m: p - 0.01 * m, params, momentum)
        return params, momentum, loss

    rng = np.random.default_rng(0)
    shapes = {"w1": (16, 3, 3, 3), "b1": (16,), "w2": (32, 16, 3, 3), "b2": (32,), "wf": (10, 2048), "bf": (10,)}
    params = {k: jnp.asarray(rng.standard_normal(s).astype(np.float32) * 0.05) for k, s in shapes.items()}
    momentum = jax.tree_util.tree_map(jnp.zeros_like, params)
    return step, params, momentum


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--batches", type=int, nargs="+", default=[1, 64, 256])
    parser.add_argument("--steps", type=int, default=20)
    args = parser.parse_args()
    print(f"{'batch':>5s} {'torch ms':>9s} {'jtorch ms':>10s} {'jax.jit ms':>11s} {'jt/torch':>9s} {'jt/jit':>7s}")
    for batch in args.batches:
        rng = np.random.default_rng(1)
        x = rng.standard_normal((batch, 3, 32, 32)).astype(np.float32)
        y = rng.integers(0, 10, batch)
        t_step, j_step = build(torch), build(jtorch)
        tx, ty = torch.from_numpy(x), torch.from_numpy(y)
        jx, jy = jtorch.from_numpy(x), jtorch.from_numpy(y)
        t_ms = ms_per_step(lambda: t_step(tx, ty), args.steps)
        j_ms = ms_per_step(lambda: j_step(jx, jy).item(), args.steps)
        step, params, momentum = jax_step_fn()
        state = [params, momentum]
        ax, ay = jnp.asarray(x), jnp.asarray(y)

        def jit_step():
            state[0], state[1], loss = step(state[0], state[1], ax, ay)
            return float(loss)
        k_ms = ms_per_step(jit_step, args.steps)
        print(f"{batch:5d} {t_ms:9.2f} {j_ms:10.2f} {k_ms:11.2f} {j_ms / t_ms:9.2f} {j_ms / k_ms:7.2f}")


if __name__ == "__main__":
    main()
