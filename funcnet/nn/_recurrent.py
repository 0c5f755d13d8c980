# Recurrent layers (Keras semantics and gate orders): SimpleRNN, LSTM, GRU.
from __future__ import annotations

from collections.abc import Callable

from .. import random
from ..errors import ShapeError
from . import activations as _act
from . import initializers as _init
from ._layer import Layer, check_init_shape, fnp, label


def scan_time(step: Callable, carry, xs):
    """Runs ``carry, y = step(carry, x_t)`` over the leading (time) axis of ``xs``; returns
    ``(carry, ys stacked on axis 0)`` (``funcnet.lax.scan``: one traced step under jit)."""
    from ..lax import scan
    return scan(step, carry, xs)


class _RNN(Layer):
    gates = 1

    def __init__(self, units: int, activation="tanh", use_bias: bool = True,
                 kernel_initializer="glorot_uniform", recurrent_initializer="orthogonal",
                 bias_initializer="zeros", return_sequences: bool = False,
                 go_backwards: bool = False, **kwargs):
        super().__init__(**kwargs)
        if int(units) <= 0:
            raise ValueError(f"{type(self).__name__}: units must be a positive int, got {units!r}")
        self.units = int(units)
        self.activation = _act.get(activation)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = _init.get(kernel_initializer)
        self.recurrent_initializer = _init.get(recurrent_initializer)
        self.bias_initializer = _init.get(bias_initializer)
        self.return_sequences = bool(return_sequences)
        self.go_backwards = bool(go_backwards)

    def _config(self):
        cfg = {"units": self.units}
        if self.return_sequences:
            cfg["return_sequences"] = True
        return cfg

    def _bias(self, key, n):
        return self.bias_initializer(key, (n,), self.dtype)

    def init(self, key, input_shape):
        check_init_shape(self, input_shape, (3,), "(batch, time, features)")
        k1, k2, k3 = random.split(key, 3)
        n = self.gates * self.units
        params = {"kernel": self.kernel_initializer(k1, (input_shape[-1], n), self.dtype),
                  "recurrent_kernel": self.recurrent_initializer(k2, (self.units, n),
                                                                 self.dtype)}
        if self.use_bias:
            params["bias"] = self._bias(k3, n)
        return params, {}

    def _check(self, x, params):
        if x.ndim != 3 or x.shape[-1] != params["kernel"].shape[0]:
            raise ShapeError(
                f"{label(self)}: input of shape {tuple(x.shape)} does not fit the kernel of "
                f"shape {tuple(params['kernel'].shape)}: expected (batch, time, "
                f"{params['kernel'].shape[0]})")

    def _initial_carry(self, x):
        return fnp().zeros((x.shape[0], self.units), x.dtype)

    def apply(self, params, state, x, key=None, training=False):
        np_ = fnp()
        x = np_.asarray(x)
        self._check(x, params)
        if self.go_backwards:
            x = np_.flip(x, axis=1)
        # input projections of every step at once, then the recurrence over time
        xs = np_.swapaxes(x @ params["kernel"], 0, 1)
        if self.use_bias:
            xs = xs + self._input_bias(params)
        carry, hs = scan_time(lambda c, xt: self._step(params, c, xt), self._carry(x), xs)
        if self.return_sequences:
            return np_.swapaxes(hs, 0, 1), state
        return hs[-1], state

    def _input_bias(self, params):
        return params["bias"]

    def _carry(self, x):
        return self._initial_carry(x)


class SimpleRNN(_RNN):
    """Fully connected recurrence ``h_t = activation(x_t W + h_{t-1} U + b)`` (Keras).

    Args:
        units: state size.
        activation: default ``"tanh"``.
        return_sequences: return every ``h_t`` ``(batch, time, units)`` instead of the last.
        go_backwards: process the sequence in reverse.
        kernel_initializer / recurrent_initializer / bias_initializer: Keras defaults
            ``"glorot_uniform"`` / ``"orthogonal"`` / ``"zeros"``.

    Params:
        ``kernel (in, u)``, ``recurrent_kernel (u, u)``, ``bias (u,)``: ``u (in + u) + u``.

    Example:
        >>> from funcnet import nn
        >>> nn.SimpleRNN(8, return_sequences=True).output_shape((None, 5, 3))
        (None, 5, 8)
    """

    gates = 1

    def _step(self, params, h, xt):
        h = self.activation(xt + h @ params["recurrent_kernel"])
        return h, h


class LSTM(_RNN):
    """Long short-term memory (Keras gate order i, f, c, o; ``unit_forget_bias=True``).

    Args:
        units: state size.
        activation: cell activation (default ``"tanh"``).
        recurrent_activation: gate activation (default ``"sigmoid"``).
        unit_forget_bias: initialise the forget-gate bias to 1.
        return_sequences, go_backwards, initializers: as :class:`SimpleRNN`.

    Params:
        ``kernel (in, 4u)``, ``recurrent_kernel (u, 4u)``, ``bias (4u,)``:
        ``4 (u (in + u) + u)``.

    Example:
        >>> from funcnet import nn
        >>> nn.LSTM(16).output_shape((None, 10, 8))
        (None, 16)
    """

    gates = 4

    def __init__(self, units: int, activation="tanh", recurrent_activation="sigmoid",
                 unit_forget_bias: bool = True, **kwargs):
        super().__init__(units, activation=activation, **kwargs)
        self.recurrent_activation = _act.get(recurrent_activation)
        self.unit_forget_bias = bool(unit_forget_bias)

    def _bias(self, key, n):
        b = self.bias_initializer(key, (n,), self.dtype)
        if self.unit_forget_bias:
            u = self.units
            b = b.at[u:2 * u].set(1.0)
        return b

    def _carry(self, x):
        z = self._initial_carry(x)
        return z, z

    def _step(self, params, carry, xt):
        h, c = carry
        u = self.units
        z = xt + h @ params["recurrent_kernel"]
        i = self.recurrent_activation(z[:, :u])
        f = self.recurrent_activation(z[:, u:2 * u])
        g = self.activation(z[:, 2 * u:3 * u])
        o = self.recurrent_activation(z[:, 3 * u:])
        c = f * c + i * g
        h = o * self.activation(c)
        return (h, c), h


class GRU(_RNN):
    """Gated recurrent unit (Keras gate order z, r, h; ``reset_after=True`` by default, the
    cuDNN-compatible variant with separate input and recurrent biases).

    Args:
        units: state size.
        activation: candidate activation (default ``"tanh"``).
        recurrent_activation: gate activation (default ``"sigmoid"``).
        reset_after: apply the reset gate after the recurrent matmul (Keras 2+ default).
        return_sequences, go_backwards, initializers: as :class:`SimpleRNN`.

    Params:
        ``kernel (in, 3u)``, ``recurrent_kernel (u, 3u)``, ``bias (2, 3u)`` (``(3u,)`` when
        ``reset_after=False``): ``3 (u (in + u) + 2u)``.

    Example:
        >>> from funcnet import nn
        >>> nn.GRU(4, return_sequences=True).output_shape((None, 6, 2))
        (None, 6, 4)
    """

    gates = 3

    def __init__(self, units: int, activation="tanh", recurrent_activation="sigmoid",
                 reset_after: bool = True, **kwargs):
        super().__init__(units, activation=activation, **kwargs)
        self.recurrent_activation = _act.get(recurrent_activation)
        self.reset_after = bool(reset_after)

    def _bias(self, key, n):
        if self.reset_after:
            return self.bias_initializer(key, (2, n), self.dtype)
        return self.bias_initializer(key, (n,), self.dtype)

    def _input_bias(self, params):
        return params["bias"][0] if self.reset_after else params["bias"]

    def _step(self, params, h, xt):
        u = self.units
        rk = params["recurrent_kernel"]
        if self.reset_after:
            r_all = h @ rk
            if self.use_bias:
                r_all = r_all + params["bias"][1]
            z = self.recurrent_activation(xt[:, :u] + r_all[:, :u])
            r = self.recurrent_activation(xt[:, u:2 * u] + r_all[:, u:2 * u])
            hh = self.activation(xt[:, 2 * u:] + r * r_all[:, 2 * u:])
        else:
            zr = h @ rk[:, :2 * u]
            z = self.recurrent_activation(xt[:, :u] + zr[:, :u])
            r = self.recurrent_activation(xt[:, u:2 * u] + zr[:, u:])
            hh = self.activation(xt[:, 2 * u:] + (r * h) @ rk[:, 2 * u:])
        h = z * h + (1 - z) * hh
        return h, h
