"""torch.utils: hooks and data loading."""
from . import hooks
