"""torch.return_types: the named (values, indices) results of max, min, sort, topk, ..."""
from ._ops.reduction import RETURN_TYPES

globals().update(RETURN_TYPES)
__all__ = sorted(RETURN_TYPES)
