"""The seed CNN, trained and evaluated with jtorch: the PyTorch program with only the imports changed.

    python examples/cnn.py [--epochs 8] [--batch-size 64] [--device auto|cpu|cuda|tpu] [--data digits|random]

Default data: scikit-learn's bundled handwritten digits (1,797 8x8 images, no download), upsampled to
3x32x32 and split 80/20 into train/test. `--data random` uses the seed's random tensors instead.
"""
import argparse
import sys
import time

import numpy as np

import jtorch as torch
import jtorch.nn as nn
from jtorch.utils.data import DataLoader, Dataset


class MyDataset(Dataset):
    def __init__(self, data, labels):
        self.data = data
        self.labels = labels

    def __len__(self):
        return len(self.data)

    def __getitem__(self, index):
        return self.data[index], self.labels[index]


class MyModel(nn.Module):
    def __init__(self, num_classes=10):
        super(MyModel, self).__init__()
        self.conv1 = nn.Conv2d(3, 16, 3, padding=1); self.relu1 = nn.ReLU(); self.pool1 = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1); self.relu2 = nn.ReLU(); self.pool2 = nn.MaxPool2d(2)
        self.fc = nn.Linear(32 * 8 * 8, num_classes)

    def forward(self, x):
        x = self.pool1(self.relu1(self.conv1(x)))
        x = self.pool2(self.relu2(self.conv2(x)))
        x = x.view(x.size(0), -1)
        return self.fc(x)


def digits_datasets():
    """sklearn's digits as (N, 3, 32, 32) float32 in [0, 1]: train 80%, test 20%, shuffled with a fixed seed."""
    from sklearn.datasets import load_digits
    digits = load_digits()
    images = digits.images.astype(np.float32) / 16.0
    images = images.repeat(4, axis=1).repeat(4, axis=2)[:, None].repeat(3, axis=1)
    order = np.random.RandomState(0).permutation(len(images))
    images, targets = images[order], digits.target[order]
    split = int(0.8 * len(images))
    make = lambda a, b: MyDataset(torch.from_numpy(np.ascontiguousarray(a)), torch.from_numpy(b.astype(np.int64)))
    return make(images[:split], targets[:split]), make(images[split:], targets[split:])


def random_datasets():
    data = torch.randn(100, 3, 32, 32); labels = torch.randint(0, 10, (100,))
    return MyDataset(data, labels), MyDataset(data, labels)


def pick_device(name):
    if name == "auto":
        return torch.device("cuda:0" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def progress(epoch, done, total, loss, width=30):
    filled = int(width * done / total)
    sys.stdout.write(f"\repoch {epoch} [{'=' * filled}{'.' * (width - filled)}] {done}/{total} loss {loss:.4f}")
    sys.stdout.flush()


def evaluate(model, loader, device):
    model.eval()
    correct = total = 0
    with torch.no_grad():
        for inputs, targets in loader:
            outputs = model(inputs.to(device))
            correct += (outputs.argmax(1) == targets.to(device)).sum().item()
            total += targets.size(0)
    model.train()
    return correct / total


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda", "tpu"])
    parser.add_argument("--data", default="digits", choices=["digits", "random"])
    parser.add_argument("--checkpoint", default="model.pth")
    args = parser.parse_args()

    torch.manual_seed(0)
    train_set, test_set = digits_datasets() if args.data == "digits" else random_datasets()
    train_loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True)
    test_loader = DataLoader(test_set, batch_size=256)
    device = pick_device(args.device)
    model = MyModel().to(device)
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9)
    print(f"device {device}, {len(train_set)} train / {len(test_set)} test images, batch {args.batch_size}")
    start = time.perf_counter()
    for epoch in range(args.epochs):
        total_loss = 0.0
        for i, (inputs, targets) in enumerate(train_loader):
            inputs, targets = inputs.to(device), targets.to(device)
            outputs = model(inputs); loss = criterion(outputs, targets)
            optimizer.zero_grad(); loss.backward(); optimizer.step()
            total_loss += loss.item()
            progress(epoch, i + 1, len(train_loader), total_loss / (i + 1))
        accuracy = evaluate(model, test_loader, device)
        print(f"  test accuracy {accuracy:.4f}  ({time.perf_counter() - start:.1f}s)")

    torch.save(model.state_dict(), args.checkpoint)
    model = MyModel(); model.load_state_dict(torch.load(args.checkpoint)); model.eval()
    model = model.to(device)
    print(f"reloaded {args.checkpoint}: test accuracy {evaluate(model, test_loader, device):.4f}")


if __name__ == "__main__":
    main()
