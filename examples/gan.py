"""A GAN learning a 2-D mixture of 8 Gaussians on a circle, with jtorch: the PyTorch program with only the imports changed.

    python examples/gan.py [--steps 3000] [--batch-size 256] [--device auto|cpu|cuda|tpu]

The generator maps 16-D noise to the plane; the discriminator scores points with a sigmoid and both
train with BCELoss and their own Adam optimizers. At the end it samples 2,500 points and reports the
fraction of modes covered (modes with at least 1% of the samples within 3 std of their centre) and the
fraction of high-quality samples (within 3 std of some centre).
"""
import argparse
import math
import time

import jtorch as torch
import jtorch.nn as nn

MODES = 8
RADIUS = 2.0
STD = 0.05
NOISE = 16


def mode_centres():
    angles = torch.arange(MODES) * (2 * math.pi / MODES)
    return torch.stack([angles.cos(), angles.sin()], dim=1) * RADIUS


def real_batch(centres, size):
    return centres[torch.randint(0, MODES, (size,))] + STD * torch.randn(size, 2)


def mlp(inputs, outputs, hidden=128):
    return nn.Sequential(nn.Linear(inputs, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(),
                         nn.Linear(hidden, outputs))


def coverage(samples, centres):
    """(fraction of modes covered, fraction of high-quality samples)."""
    distances = torch.cdist(samples, centres)
    nearest, which = distances.min(dim=1)
    good = nearest < 3 * STD
    per_mode = torch.bincount(which[good], minlength=MODES)
    covered = (per_mode >= 0.01 * len(samples)).float().mean().item()
    return covered, good.float().mean().item()


def pick_device(name):
    if name == "auto":
        return torch.device("cuda:0" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=3000)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda", "tpu"])
    args = parser.parse_args()

    torch.manual_seed(0)
    device = pick_device(args.device)
    centres = mode_centres()
    generator = mlp(NOISE, 2).to(device)
    discriminator = nn.Sequential(mlp(2, 1), nn.Sigmoid()).to(device)
    criterion = nn.BCELoss()
    opt_g = torch.optim.Adam(generator.parameters(), lr=args.lr, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(discriminator.parameters(), lr=args.lr, betas=(0.5, 0.999))
    ones = torch.ones(args.batch_size, 1, device=device)
    zeros = torch.zeros(args.batch_size, 1, device=device)
    print(f"device {device}, {MODES} Gaussians on a circle of radius {RADIUS}, std {STD}")
    start = time.perf_counter()
    for step in range(1, args.steps + 1):
        real = real_batch(centres, args.batch_size).to(device)
        fake = generator(torch.randn(args.batch_size, NOISE, device=device))

        loss_d = criterion(discriminator(real), ones) + criterion(discriminator(fake.detach()), zeros)
        opt_d.zero_grad(); loss_d.backward(); opt_d.step()

        loss_g = criterion(discriminator(fake), ones)
        opt_g.zero_grad(); loss_g.backward(); opt_g.step()

        if step % 250 == 0:
            with torch.no_grad():
                samples = generator(torch.randn(2500, NOISE, device=device)).cpu()
            covered, quality = coverage(samples, centres)
            print(f"step {step:5d}  loss D {loss_d.item():.4f}  loss G {loss_g.item():.4f}  "
                  f"modes {covered:.3f}  high-quality {quality:.3f}  ({time.perf_counter() - start:.1f}s)")

    with torch.no_grad():
        samples = generator(torch.randn(2500, NOISE, device=device)).cpu()
    covered, quality = coverage(samples, centres)
    print(f"final: {covered * MODES:.0f}/{MODES} modes covered, {quality:.1%} high-quality samples")


if __name__ == "__main__":
    main()
