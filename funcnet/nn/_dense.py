# Dense and Embedding.
from __future__ import annotations

from collections.abc import Callable

from .. import random
from ..core import dtypes
from ..errors import ShapeError
from . import activations as _act
from . import initializers as _init
from ._layer import Layer, check_init_shape, fnp, label


def _init_name(f):
    return getattr(f, "__name__", repr(f))


class Dense(Layer):
    """A densely connected layer: ``y = activation(x @ kernel + bias)`` on the last axis.

    Args:
        units: output size.
        activation: a function or Keras name (``"relu"``); default: none (linear).
        use_bias: add a bias vector.
        kernel_initializer: initializer or name for the ``(in, units)`` kernel
            (default ``"glorot_uniform"``, like Keras).
        bias_initializer: initializer or name for the bias (default ``"zeros"``).
        input_dim / input_shape / name / dtype: see :class:`Layer`.

    Params:
        ``{"kernel": (in, units), "bias": (units,)}``: ``in * units + units`` numbers.

    Raises:
        ShapeError: from ``apply`` when the input's last dim does not match the kernel, naming
            the layer and both shapes.

    Example:
        >>> import funcnet, funcnet.numpy as fnp
        >>> from funcnet import nn
        >>> layer = nn.Dense(4, activation="relu")
        >>> params, state = layer.init(funcnet.random.key(0), (None, 3))
        >>> params["kernel"].shape, params["bias"].shape
        ((3, 4), (4,))
        >>> layer.apply(params, state, fnp.ones((2, 3)))[0].shape
        (2, 4)
    """

    def __init__(self, units: int, activation: str | Callable | None = None,
                 use_bias: bool = True, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", **kwargs):
        super().__init__(**kwargs)
        if int(units) <= 0:
            raise ValueError(f"Dense: units must be a positive int, got {units!r}")
        self.units = int(units)
        self.activation = _act.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = _init.get(kernel_initializer)
        self.bias_initializer = _init.get(bias_initializer)

    def _config(self):
        cfg = {"units": self.units}
        if self.activation is not _act.linear:
            cfg["activation"] = getattr(self.activation, "__name__", self.activation)
        return cfg

    def init(self, key, input_shape):
        check_init_shape(self, input_shape, range(1, 64), "(..., features)")
        k1, k2 = random.split(key)
        params = {"kernel": self.kernel_initializer(k1, (input_shape[-1], self.units),
                                                    self.dtype)}
        if self.use_bias:
            params["bias"] = self.bias_initializer(k2, (self.units,), self.dtype)
        return params, {}

    def apply(self, params, state, x, key=None, training=False):
        x = fnp().asarray(x)
        w = params["kernel"]
        if x.ndim == 0 or x.shape[-1] != w.shape[0]:
            raise ShapeError(
                f"{label(self)}: input of shape {tuple(x.shape)} does not fit the kernel of "
                f"shape {tuple(w.shape)}: the input's last dim must be {w.shape[0]} (the layer "
                f"was initialised for input_shape (..., {w.shape[0]}))")
        y = x @ w
        if self.use_bias:
            y = y + params["bias"]
        return self.activation(y), state


class Embedding(Layer):
    """Maps integer ids in ``[0, input_dim)`` to dense vectors of size ``output_dim``.

    Args:
        input_dim: vocabulary size.
        output_dim: embedding size.
        embeddings_initializer: default ``"uniform"`` (Keras: U[-0.05, 0.05)).
        input_length: Keras' optional sequence length (sets ``input_shape=(input_length,)``).

    Params:
        ``{"embeddings": (input_dim, output_dim)}``.

    Example:
        >>> import funcnet, funcnet.numpy as fnp
        >>> from funcnet import nn
        >>> emb = nn.Embedding(100, 8)
        >>> params, state = emb.init(funcnet.random.key(0), (None, 5))
        >>> emb.apply(params, state, fnp.zeros((2, 5), dtype="int32"))[0].shape
        (2, 5, 8)
    """

    input_dtype = "int32"

    def __init__(self, input_dim: int, output_dim: int, embeddings_initializer="uniform",
                 input_length: int | None = None, mask_zero: bool = False, **kwargs):
        if input_length is not None and "input_shape" not in kwargs:
            kwargs["input_shape"] = (input_length,)
        super().__init__(**kwargs)
        self.input_dim = int(input_dim)
        self.output_dim = int(output_dim)
        self.embeddings_initializer = _init.get(embeddings_initializer)

    def _config(self):
        return {"input_dim": self.input_dim, "output_dim": self.output_dim}

    def init(self, key, input_shape):
        return {"embeddings": self.embeddings_initializer(
            key, (self.input_dim, self.output_dim), self.dtype)}, {}

    def apply(self, params, state, x, key=None, training=False):
        x = fnp().asarray(x)
        if not dtypes.is_int(x.dtype):
            if x.dtype.kind == "f":
                x = x.astype(dtypes.default_int())
            else:
                raise TypeError(f"{label(self)}: expected integer ids, got dtype {x.dtype}")
        return fnp().take(params["embeddings"], x, axis=0), state
