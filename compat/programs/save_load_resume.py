"""Train, save model and optimizer state, reload into fresh objects, resume: losses continue the same."""
import os
import tempfile

import torch
import torch.nn as nn

torch.manual_seed(4)
x, y = torch.randn(32, 5), torch.randn(32, 1)


def make():
    model = nn.Sequential(nn.Linear(5, 16), nn.ReLU(), nn.Linear(16, 1))
    return model, torch.optim.Adam(model.parameters(), lr=0.01)


def train(model, opt, steps):
    for _ in range(steps):
        opt.zero_grad()
        loss = ((model(x) - y) ** 2).mean()
        loss.backward()
        opt.step()
        print(f"loss {loss.item():.6f}")


model, opt = make()
train(model, opt, 5)
path = os.path.join(tempfile.mkdtemp(), "ckpt.pth")
torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "step": 5}, path)
checkpoint = torch.load(path)
model2, opt2 = make()
model2.load_state_dict(checkpoint["model"])
opt2.load_state_dict(checkpoint["opt"])
print("resumed at", checkpoint["step"])
train(model2, opt2, 5)
model2.eval()
print(model2(x[:2]).detach())
