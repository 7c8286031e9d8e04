"""A short demo: fit y = 3x + 2 with jtorch's autograd (swap in `import torch` and it prints the same)."""
import jtorch as torch

torch.manual_seed(0)
x = torch.linspace(-1, 1, 64).reshape(-1, 1)
y = 3 * x + 2
w = torch.zeros(1, 1, requires_grad=True)
b = torch.zeros(1, requires_grad=True)
for step in range(200):
    loss = ((x @ w + b - y) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        w -= 0.1 * w.grad
        b -= 0.1 * b.grad
    w.grad.zero_()
    b.grad.zero_()
    if step % 50 == 0:
        print(f"step {step:3d}  loss {loss.item():.6f}")
print("w", w)
print("b", b)
