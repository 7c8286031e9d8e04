"""torch.nn: Module, Parameter, layers, functional, init."""
from . import functional
from .modules import (Flatten, Identity, Module, ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential,
                      Unflatten)
from .parameter import Parameter
