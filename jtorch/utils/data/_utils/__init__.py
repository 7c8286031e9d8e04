"""DataLoader internals: collation, fetchers, the worker loop."""
from . import collate, fetch, worker
