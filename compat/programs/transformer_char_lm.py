"""A tiny causal character-level TransformerEncoder language model (token + positional embeddings, the mask
from nn.Transformer.generate_square_subsequent_mask, dropout on), AdamW with a cosine schedule for 10 steps
on random windows of a sentence; then greedy and torch.multinomial generation in eval mode."""
import torch
import torch.nn as nn
import torch.nn.functional as F

text = "Alice was beginning to get very tired of sitting by her sister on the bank, and of having nothing to do."
chars = sorted(set(text))
data = torch.tensor([chars.index(c) for c in text])
block = 12
torch.manual_seed(0)


class CharTransformer(nn.Module):
    def __init__(self):
        super().__init__()
        self.token = nn.Embedding(len(chars), 16)
        self.position = nn.Embedding(block, 16)
        layer = nn.TransformerEncoderLayer(16, 2, dim_feedforward=32, dropout=0.1, batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
        self.head = nn.Linear(16, len(chars))
        self.register_buffer("mask", nn.Transformer.generate_square_subsequent_mask(block))

    def forward(self, ids):
        x = self.token(ids) + self.position(torch.arange(ids.size(1)))
        return self.head(self.encoder(x, mask=self.mask, is_causal=True))


model = CharTransformer()
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-2)
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, 10)
for step in range(10):
    starts = torch.randint(len(data) - block, (4, 1))
    windows = data[starts + torch.arange(block + 1)]
    loss = F.cross_entropy(model(windows[:, :-1]).flatten(0, 1), windows[:, 1:].flatten())
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    scheduler.step()
    print(f"step {step} starts {starts.flatten().tolist()} loss {loss.item():.6f} lr {scheduler.get_last_lr()[0]:.6f}")

model.eval()
with torch.no_grad():
    for name, pick in [("greedy", lambda p: p.argmax(-1, keepdim=True)),
                       ("sampled", lambda p: torch.multinomial(p, 1))]:
        context, generated = data[None, :block], []
        for _ in range(15):
            probs = F.softmax(model(context)[0, -1], dim=-1)
            next_id = pick(probs)
            generated.append(chars[next_id.item()])
            context = torch.cat([context[:, 1:], next_id[None]], dim=1)
        print(f"{name}: {''.join(generated)!r} last p {probs.max().item():.6f}")
