"""DataLoader order: shuffling, samplers and random_split under the same seed."""
import torch
from torch.utils.data import (BatchSampler, DataLoader, RandomSampler, SequentialSampler, TensorDataset,
                              WeightedRandomSampler, random_split)

torch.manual_seed(3)
data = TensorDataset(torch.arange(20).float(), torch.arange(20) % 3)
for epoch in range(2):
    for x, y in DataLoader(data, batch_size=6, shuffle=True, drop_last=epoch == 1):
        print("epoch", epoch, x.tolist(), y.tolist())
print(list(RandomSampler(range(10), replacement=True, num_samples=5)))
g = torch.Generator().manual_seed(7)
print(list(RandomSampler(range(10), generator=g)))
print(list(BatchSampler(SequentialSampler(range(7)), batch_size=3, drop_last=False)))
print(list(WeightedRandomSampler([0.1, 0.9, 0.4, 0.2], num_samples=6)))
train, test = random_split(range(10), [0.7, 0.3], generator=torch.Generator().manual_seed(42))
print(list(train), list(test))
