"""Embedding + 2-layer bidirectional LSTM (inter-layer dropout) over packed variable-length sentences, with a
DataLoader shuffling and padding batches (pad_sequence, pack_padded_sequence(enforce_sorted=False)), Adam,
two epochs; then pad_packed_sequence of the LSTM output and the test accuracy."""
import torch
import torch.nn as nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence, pad_sequence
from torch.utils.data import DataLoader

torch.manual_seed(0)
lengths = torch.randint(3, 7, (32,))
sentences = [torch.randint(1, 12, (int(n),)) for n in lengths]
labels = [int(s[-1] > s[0]) for s in sentences]  # depends on the order of the words
dataset = list(zip(sentences, labels))


def collate(batch):
    ids, targets = zip(*batch)
    return pad_sequence(ids, batch_first=True), torch.tensor([len(s) for s in ids]), torch.tensor(targets)


class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(12, 6, padding_idx=0)
        self.lstm = nn.LSTM(6, 8, num_layers=2, batch_first=True, bidirectional=True, dropout=0.25)
        self.fc = nn.Linear(16, 2)

    def forward(self, ids, lengths):
        packed = pack_padded_sequence(self.embedding(ids), lengths, batch_first=True, enforce_sorted=False)
        output, (h_n, c_n) = self.lstm(packed)
        return self.fc(torch.cat([h_n[-2], h_n[-1]], dim=1)), output


model = Classifier()
optimizer = torch.optim.Adam(model.parameters(), lr=0.02)
loader = DataLoader(dataset, batch_size=8, shuffle=True, collate_fn=collate)
for epoch in range(2):
    for step, (ids, lengths, targets) in enumerate(loader):
        logits, _ = model(ids, lengths)
        loss = nn.functional.cross_entropy(logits, targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        print(f"epoch {epoch} step {step} lengths {lengths.tolist()} loss {loss.item():.6f}")
model.eval()
with torch.no_grad():
    ids, lengths, targets = collate(dataset)
    logits, output = model(ids, lengths)
    padded, out_lengths = pad_packed_sequence(output, batch_first=True)
print("padded output", tuple(padded.shape), out_lengths.tolist(), f"{padded.sum().item():.6f}")
print("batch_sizes", output.batch_sizes.tolist())
print(f"accuracy {(logits.argmax(1) == targets).float().mean().item():.4f}")
