"""torch.nn.functional: the layer and loss functions."""
from ._functional_attention import *  # noqa: F401,F403
from ._functional_layers import *  # noqa: F401,F403
from ._functional_losses import *  # noqa: F401,F403
from ._functional_activations import *  # noqa: F401,F403
from ._functional_distance import *  # noqa: F401,F403
from ._functional_dropout import *  # noqa: F401,F403
from ._functional_embedding_bag import *  # noqa: F401,F403
from ._functional_likelihood_losses import *  # noqa: F401,F403
from ._functional_margin_losses import *  # noqa: F401,F403
from ._functional_norms import *  # noqa: F401,F403
from ._functional_vision import *  # noqa: F401,F403
from ._functional_extra import *  # noqa: F401,F403
