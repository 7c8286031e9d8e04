"""Pure jax kernels of attention: scaled dot-product attention and the whole multi-head attention forward.

Each kernel is one dispatch: `jtorch.nn.functional` checks the arguments as torch does, converts boolean masks
and draws the dropout keep-mask on the host, then runs the kernel through `_dispatch.run`. Both follow the
operation order of torch's CPU math path: the scores `(q * sqrt(scale)) @ (k * sqrt(scale)).T` plus an
additive mask, a softmax, dropout (`keep * 1 / (1 - p)`), then the product with v.
"""
import math

import jax.numpy as jnp

from . import nn as layers


def _compute_dtype(dtype):
    """float32 for half-precision inputs (torch's math path keeps its intermediates in float), else dtype."""
    return jnp.float32 if dtype in (jnp.float16, jnp.bfloat16) else dtype


def _softmax(scores, safe):
    """Softmax over the last dim. safe: rows that are all -inf give zeros (torch's `_safe_softmax`) and no NaN
    gradients, where a plain softmax gives NaN."""
    if not safe:
        return layers.softmax(scores, dim=-1, dtype=scores.dtype)
    empty = jnp.all(scores == -jnp.inf, axis=-1, keepdims=True)
    probs = layers.softmax(jnp.where(empty, 0, scores), dim=-1, dtype=scores.dtype)
    return jnp.where(empty, jnp.zeros((), scores.dtype), probs)


def _attend(scores, v, bias, keep, drop_scale, safe):
    """softmax(scores + bias), dropped out where keep is False, times v; also returns the probabilities."""
    if bias is not None:
        scores = scores + bias.astype(scores.dtype)
    probs = _softmax(scores, safe)
    if keep is not None:
        probs = layers.dropout(probs, keep.reshape(probs.shape), drop_scale)
    return jnp.matmul(probs, v), probs


def _scaled_scores(q, k, scale):
    """(q * sqrt|scale|) @ (k * sqrt|scale|).T, the sign of scale applied to q (torch's math path)."""
    root = math.sqrt(abs(scale))
    return jnp.matmul(q * (root if scale >= 0 else -root), jnp.swapaxes(k * root, -1, -2))


def _causal_bias(q_len, k_len, dtype):
    """0 on and below the diagonal (aligned at the upper left), -inf above it."""
    allowed = jnp.tril(jnp.ones((q_len, k_len), bool))
    return jnp.where(allowed, jnp.zeros((), dtype), jnp.full((), -jnp.inf, dtype))


def _sdpa_core(q, k, v, mask, keep, drop_scale, scale, causal):
    """Attention of q (..., L, E) over k (..., S, E), v (..., S, Ev); mask is additive (or None)."""
    if causal:
        bias = _causal_bias(q.shape[-2], k.shape[-2], q.dtype)
        mask = bias if mask is None else mask + bias
    return _attend(_scaled_scores(q, k, scale), v, mask, keep, drop_scale, safe=True)[0]


def scaled_dot_product_attention(q, k, v, mask, keep, drop_scale, *, scale, causal, head_repeats):
    """softmax(q @ k.T * scale + mask) @ v over broadcast batch dims. mask: boolean (True attends) or additive;
    keep: the dropout keep-mask of the attention probabilities (or None); head_repeats: (key, value) repeats of
    each head along dim -3 (grouped-query attention) or None. Half precision is computed in float32."""
    dtype = q.dtype
    work = _compute_dtype(dtype)
    q, k, v = (x.astype(work) for x in (q, k, v))
    if head_repeats is not None:
        k = jnp.repeat(k, head_repeats[0], axis=-3)
        v = jnp.repeat(v, head_repeats[1], axis=-3)
    if mask is not None and mask.dtype == jnp.bool_:
        mask = jnp.where(mask, jnp.zeros((), work), jnp.full((), -jnp.inf, work))
    return _sdpa_core(q, k, v, mask, keep, drop_scale, scale, causal).astype(dtype)


def additive_mask(mask, *, dtype):
    """A boolean mask (True = masked out) as an additive float mask of dtype: -inf where True, else 0."""
    return jnp.where(mask, jnp.full((), -jnp.inf, dtype), jnp.zeros((), dtype))


def _pad_key(mask):
    """One more key position, unmasked, at the end of the last dim."""
    if mask is None:
        return None
    return jnp.pad(mask, [(0, 0)] * (mask.ndim - 1) + [(0, 1)])


def _in_projection(query, key, value, w_q, w_k, w_v, b_in):
    """q, k, v projections; w_k None means w_q is the packed (3E, E) in_proj_weight."""
    if w_k is None:
        w_q, w_k, w_v = jnp.split(w_q, 3)
    b_q, b_k, b_v = (None, None, None) if b_in is None else jnp.split(b_in, 3)
    return layers.linear(query, w_q, b_q), layers.linear(key, w_k, b_k), layers.linear(value, w_v, b_v)


def _heads(x, static, heads, head_dim):
    """(S, N, E) -> (N * heads, S, head_dim), or the given static (N * heads, S, head_dim) tensor."""
    if static is not None:
        return static
    return x.reshape(x.shape[0], -1, head_dim).swapaxes(0, 1)


def multi_head_attention(query, key, value, w_q, w_k, w_v, b_in, bias_k, bias_v, static_k, static_v, w_out, b_out,
                         attn_mask, key_padding_mask, keep, drop_scale, *, num_heads, batched, batch_first,
                         add_zero_attn, need_weights, average_weights, causal):
    """torch's `multi_head_attention_forward` on (L, N, E) inputs ((N, L, E) with batch_first, (L, E)
    unbatched); masks are additive (canonical) or None. The output is (L, N, E) (or (L, E)) even with
    batch_first, for the caller to transpose as torch does. Returns (output, weights) with need_weights, where the
    weights are the (dropped-out) probabilities, averaged over heads with average_weights; else the output, by
    scaled dot-product attention with a safe softmax (and the `causal` hint when it carries no mask)."""
    if not batched:
        query, key, value = query[:, None], key[:, None], value[:, None]
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask[None]
    elif batch_first:
        query, key, value = (x.swapaxes(0, 1) for x in (query, key, value))
    tgt_len, batch, embed_dim = query.shape
    head_dim = embed_dim // num_heads
    q, k, v = _in_projection(query, key, value, w_q, w_k, w_v, b_in)
    if bias_k is not None:
        k = jnp.concatenate([k, jnp.broadcast_to(bias_k, (1, batch, embed_dim))])
        v = jnp.concatenate([v, jnp.broadcast_to(bias_v, (1, batch, embed_dim))])
        attn_mask, key_padding_mask = _pad_key(attn_mask), _pad_key(key_padding_mask)
    q = q.reshape(tgt_len, batch * num_heads, head_dim).swapaxes(0, 1)
    k, v = _heads(k, static_k, num_heads, head_dim), _heads(v, static_v, num_heads, head_dim)
    if add_zero_attn:
        zeros = jnp.zeros((batch * num_heads, 1, head_dim), k.dtype)
        k, v = jnp.concatenate([k, zeros], 1), jnp.concatenate([v, zeros.astype(v.dtype)], 1)
        attn_mask, key_padding_mask = _pad_key(attn_mask), _pad_key(key_padding_mask)
    src_len = k.shape[1]
    if attn_mask is not None and attn_mask.ndim == 2:
        attn_mask = attn_mask[None]
    if key_padding_mask is not None:
        key_padding_mask = jnp.broadcast_to(key_padding_mask.reshape(batch, 1, 1, src_len),
                                            (batch, num_heads, 1, src_len)).reshape(batch * num_heads, 1, src_len)
        attn_mask = key_padding_mask if attn_mask is None else attn_mask + key_padding_mask
    if need_weights:
        scores = jnp.matmul(q * math.sqrt(1.0 / head_dim), k.swapaxes(1, 2))
        out, weights = _attend(scores, v, attn_mask, keep, drop_scale, safe=False)
        out = out.swapaxes(0, 1).reshape(tgt_len * batch, embed_dim)
        weights = weights.reshape(batch, num_heads, tgt_len, src_len)
        if average_weights:
            weights = jnp.mean(weights, axis=1)
    else:
        if attn_mask is not None:
            attn_mask = attn_mask[None] if attn_mask.shape[0] == 1 else attn_mask.reshape(batch, num_heads, -1,
                                                                                          src_len)
        q, k, v = (x.reshape(batch, num_heads, -1, head_dim) for x in (q, k, v))
        out = _sdpa_core(q, k, v, attn_mask, keep, drop_scale, 1 / math.sqrt(head_dim), causal)
        out = out.transpose(2, 0, 1, 3).reshape(tgt_len * batch, embed_dim)
    out = layers.linear(out, w_out, b_out).reshape(tgt_len, batch, embed_dim)
    if not batched:
        out = out[:, 0]
        if need_weights:
            weights = weights[0]
    return (out, weights) if need_weights else out
