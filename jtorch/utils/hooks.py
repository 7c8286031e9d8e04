"""RemovableHandle: what register_*_hook returns."""
import itertools

_ids = itertools.count()


class RemovableHandle:
    """Removes its hook from the dict it was registered in (torch.utils.hooks.RemovableHandle)."""

    def __init__(self, hooks_dict):
        self.hooks_dict = hooks_dict
        self.id = next(_ids)

    def remove(self):
        self.hooks_dict.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()
