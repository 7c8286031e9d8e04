"""DataLoader internals: collation, fetchers, the worker loop."""
from . import collate, fetch, worker  # noqa: F401  (torch exposes these submodules)
