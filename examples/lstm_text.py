"""Sentence classification with an embedding and a bidirectional LSTM over packed sequences, in jtorch.

    python examples/lstm_text.py [--epochs 4] [--batch-size 64] [--hidden 64] [--device auto|cpu|cuda|tpu]

The sentences are generated from word templates, so no download is needed: review-like clauses such as
"the soup was not very good", alone or joined by "and" or "but" ("the staff was rude but the food was
great"). The label is the sentiment of the sentence, which depends on word order: "not" flips the
adjective that follows it, and after "but" only the second clause counts. Sentences are padded per batch
and packed with pack_padded_sequence (enforce_sorted=False); the classifier reads the final hidden states
of both directions.
"""
import argparse
import random
import time

import jtorch as torch
import jtorch.nn as nn
from jtorch.nn.utils.rnn import pack_padded_sequence, pad_sequence
from jtorch.utils.data import DataLoader

SUBJECTS = ["the food", "the soup", "the service", "the staff", "the room", "the movie", "the plot", "the music",
            "the price", "the view", "our waiter", "the ending"]
GOOD = ["good", "great", "excellent", "lovely", "fine", "superb", "pleasant", "tasty"]
BAD = ["bad", "awful", "terrible", "poor", "rude", "boring", "bland", "dreadful"]
INTENSIFIERS = ["", "very", "really", "quite", "truly"]
OPENERS = ["", "honestly", "i think", "overall", "to be fair"]
PAD = "<pad>"


def clause(rng, positive):
    """(words, sentiment) of "<subject> was [not] [intensifier] <adjective>" with the given sentiment."""
    negated = rng.random() < 0.4
    adjective = rng.choice(GOOD if positive != negated else BAD)
    words = rng.choice(SUBJECTS).split() + ["was"] + (["not"] if negated else [])
    return words + rng.choice(INTENSIFIERS).split() + [adjective]


def sentence(rng):
    """(words, label) where label 1 is positive: a clause, two clauses agreeing ("and"), or two clauses that
    disagree joined by "but", whose second clause decides."""
    positive = rng.random() < 0.5
    kind = rng.choice(["one", "and", "but"])
    words = rng.choice(OPENERS).split()
    if kind == "one":
        words += clause(rng, positive)
    elif kind == "and":
        words += clause(rng, positive) + ["and"] + clause(rng, positive)
    else:
        words += clause(rng, not positive) + ["but"] + clause(rng, positive)
    return words, int(positive)


def make_vocabulary():
    words = {w for phrase in SUBJECTS + GOOD + BAD + INTENSIFIERS + OPENERS for w in phrase.split()}
    return {w: i for i, w in enumerate([PAD] + sorted(words | {"was", "not", "and", "but"}))}


def make_dataset(n, vocabulary, seed):
    """n (token ids, label) pairs, generated with Python's random module seeded with `seed`."""
    rng = random.Random(seed)
    examples = []
    for _ in range(n):
        words, label = sentence(rng)
        examples.append((torch.tensor([vocabulary[w] for w in words]), label))
    return examples


def collate(batch):
    """Pad a batch of (ids, label) into (B, T) ids, their lengths and the labels."""
    ids, labels = zip(*batch)
    lengths = torch.tensor([len(s) for s in ids])
    return pad_sequence(ids, batch_first=True), lengths, torch.tensor(labels)


class SentimentLSTM(nn.Module):
    def __init__(self, vocab_size, embed_dim, hidden, num_classes=2):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_dim, padding_idx=0)
        self.lstm = nn.LSTM(embed_dim, hidden, batch_first=True, bidirectional=True)
        self.fc = nn.Linear(2 * hidden, num_classes)

    def forward(self, ids, lengths):
        packed = pack_padded_sequence(self.embedding(ids), lengths, batch_first=True, enforce_sorted=False)
        _, (h_n, _) = self.lstm(packed)
        return self.fc(torch.cat([h_n[-2], h_n[-1]], dim=1))


def pick_device(name):
    if name == "auto":
        return torch.device("cuda:0" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def evaluate(model, loader, device):
    model.eval()
    correct = total = 0
    with torch.no_grad():
        for ids, lengths, labels in loader:
            predictions = model(ids.to(device), lengths).argmax(1)
            correct += (predictions == labels.to(device)).sum().item()
            total += labels.size(0)
    model.train()
    return correct / total


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--embed-dim", type=int, default=32)
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--lr", type=float, default=0.01)
    parser.add_argument("--train-size", type=int, default=2000)
    parser.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda", "tpu"])
    args = parser.parse_args()

    torch.manual_seed(0)
    vocabulary = make_vocabulary()
    train_set = make_dataset(args.train_size, vocabulary, seed=1)
    test_set = make_dataset(1000, vocabulary, seed=2)
    train_loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True, collate_fn=collate)
    test_loader = DataLoader(test_set, batch_size=250, collate_fn=collate)
    device = pick_device(args.device)
    model = SentimentLSTM(len(vocabulary), args.embed_dim, args.hidden).to(device)
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    print(f"device {device}, vocabulary {len(vocabulary)} words, {len(train_set)} train / {len(test_set)} test "
          f"sentences, e.g. {' '.join(sentence(random.Random(3))[0])!r}")
    start = time.perf_counter()
    for epoch in range(args.epochs):
        total_loss = 0.0
        for ids, lengths, labels in train_loader:
            outputs = model(ids.to(device), lengths)
            loss = criterion(outputs, labels.to(device))
            optimizer.zero_grad(); loss.backward(); optimizer.step()
            total_loss += loss.item()
        accuracy = evaluate(model, test_loader, device)
        print(f"epoch {epoch}  train loss {total_loss / len(train_loader):.4f}  test accuracy {accuracy:.4f}  "
              f"({time.perf_counter() - start:.1f}s)")
    print(f"final test accuracy {evaluate(model, test_loader, device):.4f}")


if __name__ == "__main__":
    main()
