"""torch.nn.utils: gradient clipping; rnn (packed sequences)."""
from . import rnn
from .clip_grad import clip_grad_norm, clip_grad_norm_, clip_grad_value_
