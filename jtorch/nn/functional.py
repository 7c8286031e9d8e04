"""torch.nn.functional: the layer and loss functions."""
from ._functional_layers import *  # noqa: F401,F403
from ._functional_losses import *  # noqa: F401,F403
