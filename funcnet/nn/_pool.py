# Pooling: MaxPool1D/2D, AvgPool1D/2D, GlobalAveragePooling1D/2D (channels-last).
from __future__ import annotations

import numpy as np

from ._conv import data_format_arg, padding_arg, tuple_arg
from ._layer import Layer, check_rank, fnp


class _Pool(Layer):
    rank = 2
    kind = "max"

    def __init__(self, pool_size=2, strides=None, padding="valid", data_format=None, **kwargs):
        super().__init__(**kwargs)
        owner = type(self).__name__
        self.pool_size = tuple_arg(pool_size, self.rank, "pool_size", owner)
        self.strides = self.pool_size if strides is None else tuple_arg(
            strides, self.rank, "strides", owner)
        self.padding = padding_arg(padding, owner)
        data_format_arg(data_format, owner)

    def _config(self):
        cfg = {"pool_size": self.pool_size}
        if self.strides != self.pool_size:
            cfg["strides"] = self.strides
        if self.padding != "valid":
            cfg["padding"] = self.padding
        return cfg

    def apply(self, params, state, x, key=None, training=False):
        from ..lax import reduce_window
        np_ = fnp()
        x = np_.asarray(x)
        check_rank(self, x, (self.rank + 2,), "batch, spatial..., channels")
        window = (1,) + self.pool_size + (1,)
        strides = (1,) + self.strides + (1,)
        pad = self.padding.upper()
        if self.kind == "max":
            return reduce_window(x, -np.inf, "max", window, strides, pad), state
        total = reduce_window(x, 0.0, "add", window, strides, pad)
        if self.padding == "valid":
            return total / float(np.prod(self.pool_size)), state
        # "same": average over the real (unpadded) elements only, like Keras / TensorFlow
        ones = np.ones((1,) + tuple(x.shape[1:-1]) + (1,), dtype=np.float32)
        count = reduce_window(np_.asarray(ones), 0.0, "add", window, strides, pad)
        return total / count.astype(total.dtype), state


class MaxPool1D(_Pool):
    """Max pooling over ``(batch, steps, channels)`` (Keras ``MaxPooling1D``).

    Args:
        pool_size: window length (default 2).
        strides: step (default: ``pool_size``).
        padding: ``"valid"`` (default) or ``"same"``.

    Example:
        >>> from funcnet import nn
        >>> nn.MaxPool1D(2).output_shape((None, 10, 3))
        (None, 5, 3)
    """

    rank, kind = 1, "max"


class MaxPool2D(_Pool):
    """Max pooling over NHWC inputs (Keras ``MaxPooling2D``).

    Args:
        pool_size: int or ``(ph, pw)`` (default 2).
        strides: default ``pool_size``.
        padding: ``"valid"`` (default) or ``"same"``.

    Example:
        >>> from funcnet import nn
        >>> nn.MaxPool2D().output_shape((None, 28, 28, 8))
        (None, 14, 14, 8)
    """

    rank, kind = 2, "max"


class AvgPool1D(_Pool):
    """Average pooling over ``(batch, steps, channels)`` (Keras ``AveragePooling1D``); with
    ``padding="same"`` the border windows average only the real elements.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet import nn
        >>> x = fnp.arange(4.0).reshape(1, 4, 1)
        >>> nn.AvgPool1D(2).apply({}, {}, x)[0].reshape(-1).tolist()
        [0.5, 2.5]
    """

    rank, kind = 1, "avg"


class AvgPool2D(_Pool):
    """Average pooling over NHWC inputs (Keras ``AveragePooling2D``).

    Example:
        >>> from funcnet import nn
        >>> nn.AvgPool2D(2, padding="same").output_shape((None, 5, 5, 3))
        (None, 3, 3, 3)
    """

    rank, kind = 2, "avg"


class _GlobalAvg(Layer):
    rank = 2

    def __init__(self, keepdims: bool = False, data_format=None, **kwargs):
        super().__init__(**kwargs)
        data_format_arg(data_format, type(self).__name__)
        self.keepdims = bool(keepdims)

    def apply(self, params, state, x, key=None, training=False):
        x = fnp().asarray(x)
        check_rank(self, x, (self.rank + 2,), "batch, spatial..., channels")
        axes = tuple(range(1, 1 + self.rank))
        return fnp().mean(x, axis=axes, keepdims=self.keepdims), state


class GlobalAveragePooling1D(_GlobalAvg):
    """Mean over the steps axis: ``(batch, steps, channels) -> (batch, channels)``.

    Example:
        >>> from funcnet import nn
        >>> nn.GlobalAveragePooling1D().output_shape((None, 7, 4))
        (None, 4)
    """

    rank = 1


class GlobalAveragePooling2D(_GlobalAvg):
    """Mean over height and width: ``(batch, h, w, channels) -> (batch, channels)``.

    Example:
        >>> from funcnet import nn
        >>> nn.GlobalAveragePooling2D().output_shape((None, 7, 7, 32))
        (None, 32)
    """

    rank = 2
