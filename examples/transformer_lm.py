"""A character-level language model: a small causal TransformerEncoder trained on the opening of "Alice's
Adventures in Wonderland" (examples/data/alice.txt, public domain), in jtorch.

    python examples/transformer_lm.py [--steps 400] [--block 64] [--batch-size 32] [--temperature 0.7]
                                      [--device auto|cpu|cuda|tpu]

Each step trains on a batch of random windows of the text: token and learned positional embeddings, a TransformerEncoder with the causal mask from
nn.Transformer.generate_square_subsequent_mask, and a linear head predicting the next character. At the
end it samples text with torch.multinomial, continuing the first `block` characters of the text.
"""
import argparse
import pathlib
import time

import jtorch as torch
import jtorch.nn as nn
import jtorch.nn.functional as F

TEXT = pathlib.Path(__file__).parent / "data" / "alice.txt"


class CharTransformer(nn.Module):
    def __init__(self, vocab_size, block, d_model=64, nhead=4, num_layers=2, dropout=0.0):
        super().__init__()
        self.token = nn.Embedding(vocab_size, d_model)
        self.position = nn.Embedding(block, d_model)
        layer = nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward=4 * d_model, dropout=dropout,
                                           batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, num_layers, enable_nested_tensor=False)
        self.head = nn.Linear(d_model, vocab_size)
        self.register_buffer("mask", nn.Transformer.generate_square_subsequent_mask(block))

    def forward(self, ids):
        steps = ids.size(1)
        x = self.token(ids) + self.position(torch.arange(steps, device=ids.device))
        x = self.encoder(x, mask=self.mask[:steps, :steps], is_causal=True)
        return self.head(x)


def batch_of_windows(data, block, batch_size, device):
    """Random windows (B, block) of the text and the same windows shifted by one character (the targets)."""
    starts = torch.randint(len(data) - block, (batch_size, 1))
    windows = data[starts + torch.arange(block + 1)].to(device)
    return windows[:, :-1], windows[:, 1:]


@torch.no_grad()
def sample(model, context, length, temperature):
    """The ids of `length` characters continuing `context` (1, block), each drawn from the softmax of the
    last position's logits; the model always sees the last `block` characters."""
    model.eval()
    generated = []
    for _ in range(length):
        logits = model(context)[0, -1] / temperature
        next_id = torch.multinomial(F.softmax(logits, dim=-1), 1)
        generated.append(next_id.item())
        context = torch.cat([context[:, 1:], next_id[None]], dim=1)
    model.train()
    return generated


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=400)
    parser.add_argument("--block", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=1e-2)
    parser.add_argument("--sample-length", type=int, default=200)
    parser.add_argument("--temperature", type=float, default=0.7)
    parser.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda", "tpu"])
    args = parser.parse_args()

    torch.manual_seed(0)
    text = TEXT.read_text()
    chars = sorted(set(text))
    index = {c: i for i, c in enumerate(chars)}
    data = torch.tensor([index[c] for c in text])
    device = torch.device(("cuda:0" if torch.cuda.is_available() else "cpu") if args.device == "auto"
                          else args.device)
    model = CharTransformer(len(chars), args.block).to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, args.steps)
    print(f"device {device}, {len(text)} characters, vocabulary {len(chars)}, "
          f"{sum(p.numel() for p in model.parameters())} parameters")
    start = time.perf_counter()
    total_loss = 0.0
    for step in range(1, args.steps + 1):
        x, y = batch_of_windows(data, args.block, args.batch_size, device)
        loss = F.cross_entropy(model(x).flatten(0, 1), y.flatten())
        optimizer.zero_grad(); loss.backward(); optimizer.step(); scheduler.step()
        total_loss += loss.item()
        if step % 50 == 0:
            print(f"step {step:4d}  loss {total_loss / 50:.3f} (mean of the last 50 steps)  "
                  f"({time.perf_counter() - start:.1f}s)")
            total_loss = 0.0
    context = data[None, :args.block].to(device)
    continuation = "".join(chars[i] for i in sample(model, context, args.sample_length, args.temperature))
    print("sample, continuing the text's first", args.block, "characters:")
    print(text[:args.block] + continuation)


if __name__ == "__main__":
    main()
