"""Functional attention: scaled_dot_product_attention and multi_head_attention_forward.

Each checks its arguments with torch's errors and warnings, draws the dropout keep-mask from jtorch's generator
as torch's CPU path does (`bernoulli_(1 - p)` on the attention probabilities' shape), and runs one kernel of
`jtorch._ops.attention` as one dispatch.
"""
import math
import numbers
import warnings

from .. import _dtype
from .. import random as _random
from .._dispatch import run
from .._ops import attention as kernels
from .._ops._common import broadcast_shapes, dtype_name, wrap_dim
from .._tensor import Tensor

__all__ = ["scaled_dot_product_attention", "multi_head_attention_forward"]

_TYPE_META_NAMES = {_dtype.float32: "float", _dtype.float64: "double", _dtype.float16: "c10::Half",
                    _dtype.bfloat16: "c10::BFloat16", _dtype.int64: "long int", _dtype.int32: "int",
                    _dtype.int16: "short int", _dtype.int8: "signed char", _dtype.uint8: "unsigned char",
                    _dtype.bool_: "bool"}


def _meta_name(dtype):
    """The dtype as torch's C++ messages name it ('float', 'double', 'long int', ...)."""
    return _TYPE_META_NAMES.get(dtype, dtype_name(dtype))


def _dropout_keep(shape, p, dtype):
    """(keep-mask, scale) that torch's CPU dropout of a `shape` tensor draws in training, or (None, None)."""
    if p <= 0:
        return None, None
    return _random.dropout_mask(shape, p), _random.dropout_scale(p, dtype)


# ---- scaled dot-product attention ---------------------------------------------------------------------------

def _check_sdpa(query, key, value, attn_mask, dropout_p, is_causal, scale):
    for position, (name, t) in enumerate((("query", query), ("key", key), ("value", value), ("attn_mask", attn_mask))):
        if not isinstance(t, Tensor) and (t is not None or position < 3):
            raise TypeError(f"scaled_dot_product_attention(): argument '{name}' (position {position + 1}) must be "
                            f"Tensor, not {type(t).__name__}")
    if not isinstance(is_causal, bool):
        raise TypeError(f"scaled_dot_product_attention(): argument 'is_causal' must be bool, not "
                        f"{type(is_causal).__name__}")
    if scale is not None and not isinstance(scale, numbers.Real):
        raise TypeError(f"scaled_dot_product_attention(): argument 'scale' must be float, not {type(scale).__name__}")
    if not query.dtype is key.dtype is value.dtype:
        raise RuntimeError(f"Expected query, key, and value to have the same dtype, but got query.dtype: "
                           f"{_meta_name(query.dtype)} key.dtype: {_meta_name(key.dtype)} and value.dtype: "
                           f"{_meta_name(value.dtype)} instead.")
    if min(query.ndim, key.ndim, value.ndim) < 2:
        raise RuntimeError(f"Expected query, key, and value to all be  at least 2 dimensional, but got query.dim: "
                           f"{query.ndim} key.dim: {key.ndim} and value.dim: {value.ndim} instead.")
    if attn_mask is not None and attn_mask.dtype not in (_dtype.bool_, _dtype.float32, query.dtype):
        raise RuntimeError(f"Expected attn_mask dtype to be bool or float or to match query dtype, but got "
                           f"attn_mask.dtype: {_meta_name(attn_mask.dtype)} and  query.dtype: "
                           f"{_meta_name(query.dtype)} instead.")
    if is_causal and attn_mask is not None:
        raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be set when is_causal=True")
    if dropout_p > 1:
        raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {dropout_p:g}")
    if not query.dtype.is_floating_point:
        raise RuntimeError(f"expected scalar type Float but found {dtype_name(query.dtype)}")


def _head_repeats(query, key, value):
    """(key, value) repeats of each head for grouped-query attention, or None when the heads already match."""
    heads = [t.shape[wrap_dim(-3, t.ndim)] for t in (query, key, value)]
    if heads[0] % heads[1] or heads[0] % heads[2]:
        raise RuntimeError("Number of heads in key and value must divide the number of heads in ")
    if heads[0] == heads[1] == heads[2]:
        return None
    return heads[0] // heads[1], heads[0] // heads[2]


def _scores_shape(query, key, value, repeats):
    """The shape of the attention probabilities (*batch, L, S), with torch's errors for mismatched sizes."""
    k_shape, v_shape = list(key.shape), list(value.shape)
    if repeats is not None:
        k_shape[-3] *= repeats[0]
        v_shape[-3] *= repeats[1]
    batch = broadcast_shapes(tuple(query.shape[:-2]), tuple(k_shape[:-2]))
    rows = math.prod(batch)
    if k_shape[-1] != query.shape[-1]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{rows}, "
                           f"{query.shape[-1]}] but got: [{rows}, {k_shape[-1]}].")
    if v_shape[-2] != k_shape[-2]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{rows}, "
                           f"{k_shape[-2]}] but got: [{rows}, {v_shape[-2]}].")
    broadcast_shapes(batch, tuple(v_shape[:-2]))
    return batch + (query.shape[-2], k_shape[-2])


def _check_mask_shape(mask, shape):
    wrap_dim(-2, mask.ndim)
    full = broadcast_shapes(shape, tuple(mask.shape))
    if full != shape:
        raise RuntimeError(f"output with shape {list(shape)} doesn't match the broadcast shape {list(full)}")


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, *, scale=None,
                                 enable_gqa=False):
    """softmax(query @ key.T * scale + mask) @ value: query (*, L, E), key (*, S, E), value (*, S, Ev) with
    broadcast batch dims -> (*, L, Ev).

    attn_mask: boolean (True attends) or additive float, broadcastable to (*, L, S); is_causal: the lower
    triangle aligned at the upper left; scale defaults to 1 / sqrt(E); enable_gqa repeats key/value heads
    (dim -3) to query's. Rows that attend nowhere give zeros, as torch's math path. dropout_p > 0 always drops
    (pass 0 in eval) with torch's CPU keep-mask stream, so the same seed drops the same weights. Computed as
    torch's math path; torch's CPU flash kernel (taken without grad and dropout) rounds differently in the
    last bits.
    """
    _check_sdpa(query, key, value, attn_mask, dropout_p, is_causal, scale)
    repeats = _head_repeats(query, key, value) if enable_gqa else None
    shape = _scores_shape(query, key, value, repeats)
    if attn_mask is not None:
        _check_mask_shape(attn_mask, shape)
    keep, drop_scale = _dropout_keep(shape, dropout_p, query.dtype)
    scale = 1 / math.sqrt(query.shape[-1]) if scale is None else float(scale)
    grad_name = "MmBackward0" if len(shape) == 2 else "UnsafeViewBackward0"
    return run(kernels.scaled_dot_product_attention, grad_name, query, key, value, attn_mask, keep, drop_scale,
               scale=scale, causal=is_causal, head_repeats=repeats)


# ---- multi-head attention -----------------------------------------------------------------------------------

def _none_or_dtype(input):
    if input is None:
        return None
    if isinstance(input, Tensor):
        return input.dtype
    raise RuntimeError("input to _none_or_dtype() must be None or torch.Tensor")


def _canonical_mask(mask, mask_name, other_type, other_name, target_type, check_other=True):
    """mask as an additive float mask: a boolean mask (True = masked out) becomes -inf/0 of target_type, a float
    mask passes through. Warns, as torch, when other_type (another mask's dtype) differs."""
    if mask is None:
        return None
    if mask.dtype is not _dtype.bool_ and not mask.dtype.is_floating_point:
        raise AssertionError(f"only bool and floating types of {mask_name} are supported")
    if check_other and other_type is not None and mask.dtype is not other_type:
        warnings.warn(f"Support for mismatched {mask_name} and {other_name} is deprecated. Use same type for both "
                      "instead.", stacklevel=3)
    if mask.dtype is _dtype.bool_:
        return run(kernels.additive_mask, "", mask, dtype=target_type._np)
    return mask


def _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads):
    """Whether the input is batched, with torch's AssertionErrors for inconsistent dims."""
    if query.ndim not in (2, 3):
        raise AssertionError(f"query should be unbatched 2D or batched 3D tensor but received {query.ndim}-D query "
                             "tensor")
    batched = query.ndim == 3
    prefix = "For batched (3-D) `query`" if batched else "For unbatched (2-D) `query`"
    if key.ndim != query.ndim or value.ndim != query.ndim:
        raise AssertionError(f"{prefix}, expected `key` and `value` to be {query.ndim}-D but found "
                             f"{key.ndim}-D and {value.ndim}-D tensors respectively")
    if key_padding_mask is not None and key_padding_mask.ndim != query.ndim - 1:
        raise AssertionError(f"{prefix}, expected `key_padding_mask` to be `None` or {query.ndim - 1}-D but "
                             f"found {key_padding_mask.ndim}-D tensor instead")
    if attn_mask is not None:
        if attn_mask.ndim not in (2, 3):
            raise AssertionError(f"{prefix}, expected `attn_mask` to be `None`, 2-D or 3-D but "
                                 f"found {attn_mask.ndim}-D tensor instead")
        expected = (num_heads, query.shape[0], key.shape[0])
        if not batched and attn_mask.ndim == 3 and tuple(attn_mask.shape) != expected:
            raise AssertionError(f"Expected `attn_mask` shape to be {expected} but got {attn_mask.shape}")
    return batched


def _seq_first(shape, swap):
    return type(shape)((shape[1], shape[0]) + tuple(shape[2:])) if swap else shape


def _check_attn_mask(attn_mask, tgt_len, src_len, heads_times_batch):
    if attn_mask.ndim == 2 and tuple(attn_mask.shape) != (tgt_len, src_len):
        raise RuntimeError(f"The shape of the 2D attn_mask is {attn_mask.shape}, but should be "
                           f"{(tgt_len, src_len)}.")
    if attn_mask.ndim == 3 and tuple(attn_mask.shape) != (heads_times_batch, tgt_len, src_len):
        raise RuntimeError(f"The shape of the 3D attn_mask is {attn_mask.shape}, but should be "
                           f"{(heads_times_batch, tgt_len, src_len)}.")


def _unused_if(tensor, static):
    """tensor detached where a static key/value replaces its projection: torch's graph never reaches it."""
    return tensor.detach() if static is not None else tensor


def _check_mask_dtype(mask, query, need_weights):
    """torch's error for a float mask of another dtype than query (baddbmm's, or sdpa's which allows float32)."""
    if mask is None or mask.dtype is query.dtype:
        return
    if need_weights:
        q = _meta_name(query.dtype)
        raise RuntimeError(f"Input dtypes must be the same, got: input {_meta_name(mask.dtype)}, batch1: {q}, "
                           f"batch2: {q}")
    if mask.dtype is not _dtype.float32:
        raise RuntimeError(f"Expected attn_mask dtype to be bool or float or to match query dtype, but got "
                           f"attn_mask.dtype: {_meta_name(mask.dtype)} and  query.dtype: {_meta_name(query.dtype)} "
                           "instead.")


def multi_head_attention_forward(query, key, value, embed_dim_to_check, num_heads, in_proj_weight, in_proj_bias,
                                 bias_k, bias_v, add_zero_attn, dropout_p, out_proj_weight, out_proj_bias,
                                 training=True, key_padding_mask=None, need_weights=True, attn_mask=None,
                                 use_separate_proj_weight=False, q_proj_weight=None, k_proj_weight=None,
                                 v_proj_weight=None, static_k=None, static_v=None, average_attn_weights=True,
                                 is_causal=False):
    """Multi-head attention of query (L, N, E) or (L, E) over key (S, N, Ek), value (S, N, Ev); returns
    (output (L, N, E), weights (N, L, S) averaged over heads / (N, num_heads, L, S), or None).

    Masks: key_padding_mask (N, S) and attn_mask (L, S) or (N * num_heads, L, S), boolean (True = masked out)
    or additive float. With need_weights the weights come from a plain softmax (NaN rows where everything is
    masked, as torch); without, from scaled dot-product attention (zero rows). The whole forward is one dispatch.
    """
    return multi_head_attention(query, key, value, embed_dim_to_check, num_heads, in_proj_weight, in_proj_bias,
                                bias_k, bias_v, add_zero_attn, dropout_p, out_proj_weight, out_proj_bias, training,
                                key_padding_mask, need_weights, attn_mask, use_separate_proj_weight, q_proj_weight,
                                k_proj_weight, v_proj_weight, static_k, static_v, average_attn_weights, is_causal)


def multi_head_attention(query, key, value, embed_dim_to_check, num_heads, in_proj_weight, in_proj_bias, bias_k,
                         bias_v, add_zero_attn, dropout_p, out_proj_weight, out_proj_bias, training, key_padding_mask,
                         need_weights, attn_mask, use_separate_proj_weight, q_proj_weight, k_proj_weight,
                         v_proj_weight, static_k, static_v, average_attn_weights, is_causal, batch_first=False):
    """multi_head_attention_forward; batch_first: batched inputs and output are (N, L, E), as
    nn.MultiheadAttention(batch_first=True) passes them. The inputs are transposed inside the dispatch, the
    output is a transposed view of the (L, N, E) result, as torch's (its memory order is what a following
    dropout draws its mask in)."""
    is_batched = _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    swap = batch_first and is_batched
    query_shape, key_shape, value_shape = (_seq_first(t.shape, swap) for t in (query, key, value))
    tgt_len, embed_dim = query_shape[0], query_shape[-1]
    src_len = key_shape[0]
    batch = query_shape[1] if is_batched else 1
    key_padding_mask = _canonical_mask(key_padding_mask, "key_padding_mask", _none_or_dtype(attn_mask), "attn_mask",
                                       query.dtype)
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the Transformer module "
                           "method `generate_square_subsequent_mask` to create this mask.")
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None
    else:
        attn_mask = _canonical_mask(attn_mask, "attn_mask", None, "", query.dtype, check_other=False)
        if key_padding_mask is not None:
            is_causal = False
    if embed_dim != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim_to_check}, but got {embed_dim}")
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if use_separate_proj_weight:
        if key_shape[:2] != value_shape[:2]:
            raise AssertionError(f"key's sequence and batch dims {key_shape[:2]} do not match value's "
                                 f"{value_shape[:2]}")
        for name, weight in (("q", q_proj_weight), ("k", k_proj_weight), ("v", v_proj_weight)):
            if weight is None:
                raise AssertionError(f"use_separate_proj_weight is True but {name}_proj_weight is None")
        weights = (q_proj_weight, _unused_if(k_proj_weight, static_k), _unused_if(v_proj_weight, static_v))
    else:
        if key_shape != value_shape:
            raise AssertionError(f"key shape {key_shape} does not match value shape {value_shape}")
        if in_proj_weight is None:
            raise AssertionError("use_separate_proj_weight is False but in_proj_weight is None")
        weights = (in_proj_weight, None, None)
    if attn_mask is not None:
        _check_attn_mask(attn_mask, tgt_len, src_len, batch * num_heads)
    if (bias_k is None) != (bias_v is None):
        raise AssertionError("bias_k is set but bias_v is None" if bias_v is None else
                             "bias_v is set but bias_k is None")
    if bias_k is not None and (static_k is not None or static_v is not None):
        raise AssertionError(f"bias cannot be added to static {'key' if static_k is not None else 'value'}.")
    for name, static in (("k", static_k), ("v", static_v)):
        if static is not None and static.shape[0] != batch * num_heads:
            raise AssertionError(f"expecting static_{name}.size(0) of {batch * num_heads}, but got "
                                 f"{static.shape[0]}")
        if static is not None and static.shape[2] != head_dim:
            raise AssertionError(f"expecting static_{name}.size(2) of {head_dim}, but got {static.shape[2]}")
    src_len = (static_k.shape[1] if static_k is not None else src_len + (bias_k is not None)) + bool(add_zero_attn)
    if key_padding_mask is not None:
        kpm_shape = tuple(key_padding_mask.shape) if is_batched else (1,) + tuple(key_padding_mask.shape)
        padded_len = kpm_shape[1] + (bias_k is not None) + bool(add_zero_attn)
        if kpm_shape[0] != batch:
            raise AssertionError(f"Expected key_padded_mask.shape[0] to be {batch}, but got {kpm_shape[0]}")
        if padded_len != src_len:
            raise AssertionError(f"Expected key_padded_mask.shape[1] to be {src_len}, but got {padded_len}")
    for mask in (attn_mask, key_padding_mask):
        _check_mask_dtype(mask, query, need_weights)
    if not training:
        dropout_p = 0.0
    if need_weights and dropout_p > 1:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {dropout_p}")
    if not need_weights and dropout_p > 1:
        raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {dropout_p:g}")
    keep, drop_scale = _dropout_keep((batch * num_heads, tgt_len, src_len), dropout_p, query.dtype)
    key, value = _unused_if(key, static_k), _unused_if(value, static_v)
    out = run(kernels.multi_head_attention, "ViewBackward0" if is_batched else "SqueezeBackward1", query, key, value,
              *weights, in_proj_bias, bias_k, bias_v, static_k, static_v, out_proj_weight, out_proj_bias, attn_mask,
              key_padding_mask, keep, drop_scale, num_heads=num_heads, batched=is_batched, batch_first=swap,
              add_zero_attn=bool(add_zero_attn), need_weights=bool(need_weights),
              average_weights=bool(average_attn_weights), causal=bool(is_causal))
    out, weights = out if need_weights else (out, None)
    return (out.transpose(0, 1) if swap else out), weights

