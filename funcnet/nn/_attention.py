# MultiHeadAttention (Keras semantics and parameter layout).
from __future__ import annotations

import math

import numpy as np

from .. import random
from ..errors import ShapeError
from . import activations as _act
from . import initializers as _init
from ._layer import Layer, MissingKeyError, fnp, label, normalize_shape


def _split_inputs(x):
    if isinstance(x, (tuple, list)):
        if not 1 <= len(x) <= 3:
            raise ValueError("MultiHeadAttention: x must be query, (query, value) or "
                             "(query, value, key)")
        q = x[0]
        v = x[1] if len(x) > 1 else q
        k = x[2] if len(x) > 2 else v
        return q, v, k
    return x, x, x


class MultiHeadAttention(Layer):
    """Multi-head scaled dot-product attention (Keras ``MultiHeadAttention``).

    ``x`` is the query (self-attention) or a tuple ``(query, value)`` /
    ``(query, value, key)`` of ``(batch, time, features)`` arrays; ``init`` takes the matching
    shape or tuple of shapes. The PRNG ``key`` argument of ``apply`` is the dropout key (the
    attention *key tensor* goes in the ``x`` tuple).

    Args:
        num_heads: number of heads.
        key_dim: size of each query/key head.
        value_dim: size of each value head (default ``key_dim``).
        dropout: dropout rate on the attention probabilities (training only).
        use_bias: biases on the projections.
        output_shape: output feature size (default: the query's feature size).
        use_causal_mask: mask future positions (decoder self-attention).

    Params:
        ``query/key/value``: ``kernel (d, heads, dim)``, ``bias (heads, dim)``;
        ``attention_output``: ``kernel (heads, value_dim, d_out)``, ``bias (d_out,)``.

    Example:
        >>> import funcnet, funcnet.numpy as fnp
        >>> from funcnet import nn
        >>> mha = nn.MultiHeadAttention(num_heads=2, key_dim=4)
        >>> params, state = mha.init(funcnet.random.key(0), (None, 5, 8))
        >>> mha.apply(params, state, fnp.ones((3, 5, 8)))[0].shape
        (3, 5, 8)
    """

    def __init__(self, num_heads: int, key_dim: int, value_dim: int | None = None,
                 dropout: float = 0.0, use_bias: bool = True, output_shape=None,
                 use_causal_mask: bool = False, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", **kwargs):
        super().__init__(**kwargs)
        self.num_heads = int(num_heads)
        self.key_dim = int(key_dim)
        self.value_dim = int(value_dim) if value_dim is not None else self.key_dim
        self.dropout = float(dropout)
        self.use_bias = bool(use_bias)
        self.output_dim = None if output_shape is None else int(
            output_shape if isinstance(output_shape, int) else tuple(output_shape)[-1])
        self.use_causal_mask = bool(use_causal_mask)
        self.kernel_initializer = _init.get(kernel_initializer)
        self.bias_initializer = _init.get(bias_initializer)

    def _config(self):
        return {"num_heads": self.num_heads, "key_dim": self.key_dim}

    def init(self, key, input_shape):
        shapes = input_shape
        if isinstance(shapes, (tuple, list)) and shapes and isinstance(shapes[0], (tuple, list)):
            shapes = [normalize_shape(s) for s in shapes]
        else:
            shapes = [normalize_shape(shapes)]
        q_shape = shapes[0]
        v_shape = shapes[1] if len(shapes) > 1 else q_shape
        k_shape = shapes[2] if len(shapes) > 2 else v_shape
        for s in (q_shape, v_shape, k_shape):
            if len(s) < 3 or s[-1] is None:
                raise ShapeError(f"{label(self)}: expected (batch, time, features) input shapes "
                                 f"with known features, got {tuple(shapes)}")
        h = self.num_heads
        d_out = self.output_dim or q_shape[-1]
        ks = random.split(key, 8)
        ki, bi, dt = self.kernel_initializer, self.bias_initializer, self.dtype

        def proj(i, d, dim):
            p = {"kernel": ki(ks[2 * i], (d, h, dim), dt)}
            if self.use_bias:
                p["bias"] = bi(ks[2 * i + 1], (h, dim), dt)
            return p

        params = {"query": proj(0, q_shape[-1], self.key_dim),
                  "key": proj(1, k_shape[-1], self.key_dim),
                  "value": proj(2, v_shape[-1], self.value_dim),
                  "attention_output": {"kernel": ki(ks[6], (h, self.value_dim, d_out), dt)}}
        if self.use_bias:
            params["attention_output"]["bias"] = bi(ks[7], (d_out,), dt)
        return params, {}

    def _proj(self, p, x, what):
        np_ = fnp()
        if x.ndim < 3 or x.shape[-1] != p["kernel"].shape[0]:
            raise ShapeError(f"{label(self)}: {what} of shape {tuple(x.shape)} does not fit the "
                             f"{what} kernel of shape {tuple(p['kernel'].shape)}")
        y = np_.einsum("btd,dhk->bthk", x, p["kernel"])
        if self.use_bias:
            y = y + p["bias"]
        return y

    def apply(self, params, state, x, key=None, training=False, attention_mask=None,
              use_causal_mask=None):
        np_ = fnp()
        q_in, v_in, k_in = (np_.asarray(a) for a in _split_inputs(x))
        q = self._proj(params["query"], q_in, "query")
        k = self._proj(params["key"], k_in, "key")
        v = self._proj(params["value"], v_in, "value")
        q = q * (1.0 / math.sqrt(self.key_dim))
        scores = np_.einsum("bshk,bthk->bhts", k, q)  # (batch, heads, T_q, T_k)
        mask = None
        if attention_mask is not None:
            mask = np_.asarray(attention_mask).astype(bool)
            if mask.ndim == 3:
                mask = np_.expand_dims(mask, 1)
        causal = self.use_causal_mask if use_causal_mask is None else use_causal_mask
        if causal:
            tq, tk = scores.shape[-2], scores.shape[-1]
            tri = np_.asarray(np.tril(np.ones((tq, tk), dtype=bool), tk - tq))
            mask = tri if mask is None else np_.logical_and(mask, tri)
        if mask is not None:
            # like Keras: a large negative score (rows with every position masked stay finite)
            scores = np_.where(mask, scores, np_.full((), -1e9, scores.dtype))
        probs = _act.softmax(scores, axis=-1)
        if training and self.dropout > 0.0:
            if key is None:
                raise MissingKeyError(f"{label(self)}: attention dropout with training=True "
                                      f"needs a PRNG key; pass key=funcnet.random.key(seed)")
            keep = 1.0 - self.dropout
            m = random.bernoulli(key, keep, tuple(probs.shape))
            probs = np_.where(m, probs / keep, np_.zeros((), probs.dtype))
        out = np_.einsum("bhts,bshv->bthv", probs, v)
        y = np_.einsum("bthv,hvo->bto", out, params["attention_output"]["kernel"])
        if self.use_bias:
            y = y + params["attention_output"]["bias"]
        return y, state

    def output_shape(self, input_shape):
        """The output shape: the query's shape with ``output_shape`` (default: the query's
        feature size) as last dim.

        Example:
            >>> from funcnet import nn
            >>> nn.MultiHeadAttention(2, 4, output_shape=6).output_shape((None, 5, 8))
            (None, 5, 6)
        """
        from ._layer import infer_output_shape
        return infer_output_shape(self, input_shape)
