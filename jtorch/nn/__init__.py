"""torch.nn: Module, Parameter, layers, functional, init."""
from . import functional
from . import utils
from .modules import (Flatten, Identity, Module, ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential,
                      Unflatten)
from .modules import (BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HuberLoss, KLDivLoss, L1Loss, MSELoss,
                      NLLLoss, SmoothL1Loss)
from .parameter import Parameter
