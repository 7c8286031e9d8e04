"""Makes `import torch` (and every `torch.*` submodule) resolve to jtorch in this process.

Usage: import this module before the program runs (the harness does it with `-c`).
"""
import importlib
import importlib.abc
import importlib.util
import sys


class TorchToJtorch(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """A finder/loader that answers `torch.X` imports with the already importable `jtorch.X`."""

    def find_spec(self, fullname, path, target=None):
        if fullname == "torch" or fullname.startswith("torch."):
            return importlib.util.spec_from_loader(fullname, self)
        return None

    def create_module(self, spec):
        return importlib.import_module("j" + spec.name)

    def exec_module(self, module):
        pass


def install():
    for name in [n for n in sys.modules if n == "torch" or n.startswith("torch.")]:
        del sys.modules[name]
    sys.meta_path.insert(0, TorchToJtorch())
