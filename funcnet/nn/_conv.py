# Convolutions (channels-last, like Keras): Conv1D, Conv2D.
from __future__ import annotations

from collections.abc import Callable

from .. import random
from ..errors import ShapeError
from . import activations as _act
from . import initializers as _init
from ._layer import Layer, check_init_shape, fnp, label


def tuple_arg(value, rank, what, owner):
    if isinstance(value, int):
        return (int(value),) * rank
    t = tuple(int(v) for v in value)
    if len(t) != rank:
        raise ValueError(f"{owner}: {what} needs {rank} value(s), got {value!r}")
    return t


def padding_arg(padding, owner, allowed=("valid", "same")):
    p = str(padding).lower()
    if p not in allowed:
        raise ValueError(f"{owner}: padding must be one of {', '.join(map(repr, allowed))}, got "
                         f"{padding!r}")
    return p


def data_format_arg(data_format, owner):
    if data_format not in (None, "channels_last"):
        raise ValueError(f"{owner}: only data_format='channels_last' (NHWC) is supported, got "
                         f"{data_format!r}; transpose the input instead")


_SPECS = {1: ("NWC", "WIO", "NWC"), 2: ("NHWC", "HWIO", "NHWC"),
          3: ("NDHWC", "DHWIO", "NDHWC")}


class _Conv(Layer):
    rank = 2

    def __init__(self, filters: int, kernel_size, strides=1, padding="valid", data_format=None,
                 dilation_rate=1, activation: str | Callable | None = None, use_bias=True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros", **kwargs):
        super().__init__(**kwargs)
        owner = type(self).__name__
        self.filters = int(filters)
        self.kernel_size = tuple_arg(kernel_size, self.rank, "kernel_size", owner)
        self.strides = tuple_arg(strides, self.rank, "strides", owner)
        allowed = ("valid", "same", "causal") if self.rank == 1 else ("valid", "same")
        self.padding = padding_arg(padding, owner, allowed)
        data_format_arg(data_format, owner)
        if tuple_arg(dilation_rate, self.rank, "dilation_rate", owner) != (1,) * self.rank:
            raise NotImplementedError(f"{owner}: dilation_rate other than 1 is not supported yet")
        self.activation = _act.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = _init.get(kernel_initializer)
        self.bias_initializer = _init.get(bias_initializer)

    def _config(self):
        cfg = {"filters": self.filters, "kernel_size": self.kernel_size}
        if self.strides != (1,) * self.rank:
            cfg["strides"] = self.strides
        if self.padding != "valid":
            cfg["padding"] = self.padding
        if self.activation is not _act.linear:
            cfg["activation"] = getattr(self.activation, "__name__", self.activation)
        return cfg

    def init(self, key, input_shape):
        check_init_shape(self, input_shape, (self.rank + 2,),
                         "(batch, " + ", ".join(["spatial"] * self.rank) + ", channels)")
        k1, k2 = random.split(key)
        params = {"kernel": self.kernel_initializer(
            k1, self.kernel_size + (input_shape[-1], self.filters), self.dtype)}
        if self.use_bias:
            params["bias"] = self.bias_initializer(k2, (self.filters,), self.dtype)
        return params, {}

    def apply(self, params, state, x, key=None, training=False):
        from ..lax import conv_general_dilated
        x = fnp().asarray(x)
        w = params["kernel"]
        if x.ndim != self.rank + 2 or x.shape[-1] != w.shape[-2]:
            raise ShapeError(
                f"{label(self)}: input of shape {tuple(x.shape)} does not fit the kernel of "
                f"shape {tuple(w.shape)}: expected a rank-{self.rank + 2} channels-last input "
                f"with {w.shape[-2]} channels")
        if self.padding == "causal":
            pad = [(self.kernel_size[0] - 1, 0)]
        else:
            pad = self.padding.upper()
        y = conv_general_dilated(x, w, self.strides, pad, dimension_numbers=_SPECS[self.rank])
        if self.use_bias:
            y = y + params["bias"]
        return self.activation(y), state


class Conv1D(_Conv):
    """1-D convolution over ``(batch, steps, channels)`` inputs (Keras ``Conv1D``).

    Args:
        filters: number of output channels.
        kernel_size: window length (int or 1-tuple).
        strides: step (default 1).
        padding: ``"valid"`` (default), ``"same"`` or ``"causal"``.
        activation, use_bias, kernel_initializer, bias_initializer: as :class:`Dense`.

    Params:
        ``{"kernel": (k, in_channels, filters), "bias": (filters,)}``.

    Example:
        >>> from funcnet import nn
        >>> nn.Conv1D(8, 3).output_shape((None, 20, 4))
        (None, 18, 8)
    """

    rank = 1


class Conv2D(_Conv):
    """2-D convolution over NHWC inputs ``(batch, height, width, channels)`` (Keras ``Conv2D``).

    Args:
        filters: number of output channels.
        kernel_size: int or ``(kh, kw)``.
        strides: int or ``(sh, sw)`` (default 1).
        padding: ``"valid"`` (default) or ``"same"``.
        activation, use_bias, kernel_initializer, bias_initializer: as :class:`Dense`.

    Params:
        ``{"kernel": (kh, kw, in_channels, filters), "bias": (filters,)}``:
        ``kh * kw * in_channels * filters + filters`` numbers.

    Example:
        >>> from funcnet import nn
        >>> nn.Conv2D(16, 3, padding="same").output_shape((None, 28, 28, 1))
        (None, 28, 28, 16)
    """

    rank = 2
