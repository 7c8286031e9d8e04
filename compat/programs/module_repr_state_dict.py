"""Module reprs and state_dict keys of common architectures."""
import torch
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(inplace=True), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, kernel_size=(3, 5), stride=2, padding="valid", bias=False), nn.AvgPool2d(2),
            nn.AdaptiveAvgPool2d((1, 1)))
        self.classifier = nn.ModuleList([nn.Flatten(), nn.Dropout(0.25), nn.Linear(16, 10), nn.LogSoftmax(dim=1)])
        self.heads = nn.ModuleDict({"a": nn.Linear(10, 2), "b": nn.GELU(approximate="tanh")})
        self.norm = nn.LayerNorm(10)
        self.embed = nn.Embedding(20, 4, padding_idx=0)
        self.register_buffer("steps", torch.zeros(1))


net = Net()
print(net)
for name, tensor in net.state_dict().items():
    print(name, tuple(tensor.shape), tensor.dtype)
print(sum(p.numel() for p in net.parameters()))
print(nn.CrossEntropyLoss(label_smoothing=0.1), nn.MSELoss(reduction="sum"), nn.BCEWithLogitsLoss())
