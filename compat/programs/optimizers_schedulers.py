"""Each optimizer and each scheduler for 10 steps on the same small problem."""
import torch
import torch.nn as nn


def problem():
    torch.manual_seed(2)
    model = nn.Linear(4, 3)
    x, y = torch.randn(16, 4), torch.randn(16, 3)
    return model, lambda: ((model(x) - y) ** 2).mean()


optimizers = {
    "SGD": lambda p: torch.optim.SGD(p, lr=0.1),
    "SGD-momentum-nesterov": lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-3),
    "Adam": lambda p: torch.optim.Adam(p, lr=0.05),
    "Adam-amsgrad": lambda p: torch.optim.Adam(p, lr=0.05, amsgrad=True, weight_decay=0.01),
    "AdamW": lambda p: torch.optim.AdamW(p, lr=0.05),
    "RMSprop": lambda p: torch.optim.RMSprop(p, lr=0.01, momentum=0.5, centered=True),
    "Adagrad": lambda p: torch.optim.Adagrad(p, lr=0.1),
}
for name, make in optimizers.items():
    model, loss_fn = problem()
    opt = make(model.parameters())
    losses = []
    for _ in range(10):
        opt.zero_grad()
        loss = loss_fn()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    print(name, " ".join(f"{v:.6f}" for v in losses))

schedulers = {
    "StepLR": lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=3, gamma=0.5),
    "MultiStepLR": lambda o: torch.optim.lr_scheduler.MultiStepLR(o, milestones=[2, 5, 8], gamma=0.3),
    "ExponentialLR": lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma=0.9),
    "CosineAnnealingLR": lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=7, eta_min=0.001),
    "LambdaLR": lambda o: torch.optim.lr_scheduler.LambdaLR(o, lambda e: 1.0 / (e + 1)),
    "LinearLR": lambda o: torch.optim.lr_scheduler.LinearLR(o, start_factor=0.2, total_iters=4),
}
for name, make in schedulers.items():
    model, loss_fn = problem()
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    sched = make(opt)
    lrs, losses = [], []
    for _ in range(10):
        opt.zero_grad()
        loss = loss_fn()
        loss.backward()
        opt.step()
        sched.step()
        lrs.append(sched.get_last_lr()[0])
        losses.append(loss.item())
    print(name, "lr", " ".join(f"{v:.8f}" for v in lrs))
    print(name, "loss", " ".join(f"{v:.6f}" for v in losses))

model, loss_fn = problem()
opt = torch.optim.SGD(model.parameters(), lr=0.1)
plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=1)
for metric in [1.0, 0.9, 0.95, 0.96, 0.97, 0.5, 0.6, 0.7, 0.8, 0.9]:
    plateau.step(metric)
    print("ReduceLROnPlateau lr", opt.param_groups[0]["lr"])
