"""A GAN on 8 Gaussians on a circle (examples/gan.py at small size): BCELoss, Sigmoid, detach, and
separate Adam optimizers for the generator and discriminator, 25 steps; prints both losses every step and
statistics of generated samples at the end."""
import math

import torch
import torch.nn as nn

torch.manual_seed(0)
angles = torch.arange(8) * (2 * math.pi / 8)
centres = torch.stack([angles.cos(), angles.sin()], dim=1) * 2.0
generator = nn.Sequential(nn.Linear(4, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 2))
discriminator = nn.Sequential(nn.Linear(2, 32), nn.ReLU(), nn.Linear(32, 1), nn.Sigmoid())
criterion = nn.BCELoss()
opt_g = torch.optim.Adam(generator.parameters(), lr=1e-3, betas=(0.5, 0.999))
opt_d = torch.optim.Adam(discriminator.parameters(), lr=1e-3, betas=(0.5, 0.999))
ones, zeros = torch.ones(64, 1), torch.zeros(64, 1)
for step in range(25):
    real = centres[torch.randint(0, 8, (64,))] + 0.05 * torch.randn(64, 2)
    fake = generator(torch.randn(64, 4))
    loss_d = criterion(discriminator(real), ones) + criterion(discriminator(fake.detach()), zeros)
    opt_d.zero_grad(); loss_d.backward(); opt_d.step()
    loss_g = criterion(discriminator(fake), ones)
    opt_g.zero_grad(); loss_g.backward(); opt_g.step()
    print(f"step {step:2d} loss D {loss_d.item():.6f} loss G {loss_g.item():.6f}")
with torch.no_grad():
    samples = generator(torch.randn(500, 4))
nearest, which = torch.cdist(samples, centres).min(dim=1)
print("sample mean", [round(v, 5) for v in samples.mean(0).tolist()], "std", [round(v, 5) for v in samples.std(0).tolist()])
print("mean distance to nearest centre", round(nearest.mean().item(), 5))
print("samples per nearest centre", torch.bincount(which, minlength=8).tolist())
