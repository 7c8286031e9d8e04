"""The `*_copy` ops (torch.view_copy, torch.t_copy, ...): the view op's result as a new tensor of its own.

Each is the Tensor method of the same name without `_copy`, followed by a clone, so it never aliases its input.
"""


def _copy_of(view_name):
    def op(input, *args, **kwargs):
        result = getattr(input, view_name)(*args, **kwargs)
        return type(result)(r.clone() for r in result) if isinstance(result, (tuple, list)) else result.clone()
    op.__name__ = view_name + "_copy"
    op.__doc__ = f"torch.{view_name}_copy: `input.{view_name}(...)` as a new tensor."
    return op


def alias_copy(input):
    """torch.alias_copy: a copy of input (an alias would be input itself)."""
    return input.clone()


as_strided_copy = _copy_of("as_strided")
diagonal_copy = _copy_of("diagonal")
expand_copy = _copy_of("expand")
narrow_copy = _copy_of("narrow")
permute_copy = _copy_of("permute")
split_with_sizes_copy = _copy_of("split_with_sizes")
squeeze_copy = _copy_of("squeeze")
t_copy = _copy_of("t")
transpose_copy = _copy_of("transpose")
unbind_copy = _copy_of("unbind")
unfold_copy = _copy_of("unfold")
unsqueeze_copy = _copy_of("unsqueeze")
view_copy = _copy_of("view")
