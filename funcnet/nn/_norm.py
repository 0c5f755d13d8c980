# Normalisation layers: BatchNorm (running statistics in `state`), LayerNorm, RMSNorm.
from __future__ import annotations

import warnings

from ..errors import ShapeError
from ..lax import stop_gradient
from . import initializers as _init
from ._layer import _SCOPE, Layer, StateNotThreadedWarning, fnp, is_concrete, label

# The running mean that each BatchNorm (by layer object and name path) consumed in its last
# eager training call. Consuming the same array again in the very next training call is the
# signature of a training loop that drops the returned state. (Restarting from an old state
# after other steps, or inference with any state, is fine.)
_LAST: dict[tuple, object] = {}
_LAST_MAX = 256


def _check_threaded(layer, state):
    mm = state.get("moving_mean")
    if mm is None or not is_concrete(mm):
        return
    slot = (id(layer), _SCOPE.get())
    if _LAST.get(slot) is mm:
        warnings.warn(
            f"{label(layer)}: apply(..., training=True) got the same state as the previous "
            f"training call, so the running statistics will not advance. Thread the returned "
            f"state: `y, state = model.apply(params, state, x, key=k, training=True)` (with "
            f"value_and_grad, return it as aux with has_aux=True)",
            StateNotThreadedWarning, stacklevel=4)
    if slot not in _LAST and len(_LAST) >= _LAST_MAX:
        _LAST.pop(next(iter(_LAST)))
    _LAST[slot] = mm


def _axes(layer, x, axis):
    ax = axis % x.ndim if -x.ndim <= axis < x.ndim else None
    if ax is None:
        raise ShapeError(f"{label(layer)}: axis={axis} is out of range for an input of shape "
                         f"{tuple(x.shape)}")
    return ax


class BatchNorm(Layer):
    """Batch normalisation (Keras ``BatchNormalization`` defaults: momentum 0.99, epsilon 1e-3).

    In training it normalises with the batch statistics and returns a ``state`` whose running
    ``moving_mean`` / ``moving_variance`` moved towards them; at inference it uses the running
    statistics. The state must be threaded from one training step to the next::

        y, state = model.apply(params, state, x, key=k, training=True)

    Two consecutive training calls with the same state (the returned one was dropped) emit a
    :class:`StateNotThreadedWarning` in eager mode.

    Args:
        axis: the feature axis (default -1, channels-last).
        momentum: running-average momentum.
        epsilon: added to the variance.
        center, scale: learn ``beta`` / ``gamma``.

    Params / state:
        params ``{"gamma": (c,), "beta": (c,)}``; state ``{"moving_mean": (c,),
        "moving_variance": (c,)}`` (non-trainable): ``4 c`` numbers in all.

    Example:
        >>> import funcnet, funcnet.numpy as fnp
        >>> from funcnet import nn
        >>> bn = nn.BatchNorm()
        >>> params, state = bn.init(funcnet.random.key(0), (None, 2))
        >>> x = fnp.asarray([[0.0, 10.0], [2.0, 30.0]])
        >>> y, state = bn.apply(params, state, x, training=True)
        >>> [round(v, 3) for v in state["moving_mean"].tolist()]
        [0.01, 0.2]
    """

    def __init__(self, axis: int = -1, momentum: float = 0.99, epsilon: float = 1e-3,
                 center: bool = True, scale: bool = True, beta_initializer="zeros",
                 gamma_initializer="ones", moving_mean_initializer="zeros",
                 moving_variance_initializer="ones", **kwargs):
        super().__init__(**kwargs)
        self.axis = int(axis)
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.center = bool(center)
        self.scale = bool(scale)
        self.beta_initializer = _init.get(beta_initializer)
        self.gamma_initializer = _init.get(gamma_initializer)
        self.moving_mean_initializer = _init.get(moving_mean_initializer)
        self.moving_variance_initializer = _init.get(moving_variance_initializer)

    def _config(self):
        return {"momentum": self.momentum, "epsilon": self.epsilon}

    def init(self, key, input_shape):
        c = input_shape[self.axis]
        if c is None:
            raise ShapeError(f"{label(self)}: the feature dim (axis {self.axis}) of input_shape "
                             f"{tuple(input_shape)} must be known")
        params = {}
        if self.scale:
            params["gamma"] = self.gamma_initializer(key, (c,), self.dtype)
        if self.center:
            params["beta"] = self.beta_initializer(key, (c,), self.dtype)
        state = {"moving_mean": self.moving_mean_initializer(key, (c,), self.dtype),
                 "moving_variance": self.moving_variance_initializer(key, (c,), self.dtype)}
        return params, state

    def apply(self, params, state, x, key=None, training=False):
        np_ = fnp()
        x = np_.asarray(x)
        ax = _axes(self, x, self.axis)
        c = state["moving_mean"].shape[0]
        if x.shape[ax] != c:
            raise ShapeError(f"{label(self)}: input of shape {tuple(x.shape)} has "
                             f"{x.shape[ax]} features on axis {self.axis}, but the layer was "
                             f"initialised for {c}")
        red = tuple(i for i in range(x.ndim) if i != ax)
        bshape = tuple(c if i == ax else 1 for i in range(x.ndim))
        if training:
            _check_threaded(self, state)
            mean = np_.mean(x, axis=red)
            var = np_.mean(np_.square(x - mean.reshape(bshape)), axis=red)
            m = self.momentum
            mm, mv = state["moving_mean"], state["moving_variance"]
            state = {"moving_mean": mm * m + stop_gradient(mean).astype(mm.dtype) * (1 - m),
                     "moving_variance": mv * m + stop_gradient(var).astype(mv.dtype) * (1 - m)}
        else:
            mean, var = state["moving_mean"], state["moving_variance"]
        inv = 1.0 / np_.sqrt(var + self.epsilon)
        if self.scale:
            inv = inv * params["gamma"]
        y = (x - mean.reshape(bshape)) * inv.reshape(bshape)
        if self.center:
            y = y + params["beta"].reshape(bshape)
        return y, state


class LayerNorm(Layer):
    """Layer normalisation over the last axis (Keras ``LayerNormalization``, epsilon 1e-3).

    Args:
        axis: axis or axes to normalise over (default -1).
        epsilon: added to the variance.
        center, scale: learn ``beta`` / ``gamma``.

    Params:
        ``{"gamma": (d,), "beta": (d,)}`` for the normalised dims.

    Example:
        >>> import funcnet, funcnet.numpy as fnp
        >>> from funcnet import nn
        >>> ln = nn.LayerNorm()
        >>> params, state = ln.init(funcnet.random.key(0), (None, 4))
        >>> y, _ = ln.apply(params, state, fnp.asarray([[1.0, 2.0, 3.0, 4.0]]))
        >>> abs(float(y.mean())) < 1e-6
        True
    """

    def __init__(self, axis=-1, epsilon: float = 1e-3, center: bool = True, scale: bool = True,
                 beta_initializer="zeros", gamma_initializer="ones", **kwargs):
        super().__init__(**kwargs)
        self.axis = (int(axis),) if isinstance(axis, int) else tuple(int(a) for a in axis)
        self.epsilon = float(epsilon)
        self.center = bool(center)
        self.scale = bool(scale)
        self.beta_initializer = _init.get(beta_initializer)
        self.gamma_initializer = _init.get(gamma_initializer)

    def _config(self):
        return {"epsilon": self.epsilon}

    def _pshape(self, shape):
        nd = len(shape)
        axes = sorted(a % nd for a in self.axis)
        return axes, tuple(shape[a] for a in axes)

    def init(self, key, input_shape):
        axes, pshape = self._pshape(tuple(input_shape))
        if any(d is None for d in pshape):
            raise ShapeError(f"{label(self)}: the normalised dims {self.axis} of input_shape "
                             f"{tuple(input_shape)} must be known")
        params = {}
        if self.scale:
            params["gamma"] = self.gamma_initializer(key, pshape, self.dtype)
        if self.center:
            params["beta"] = self.beta_initializer(key, pshape, self.dtype)
        return params, {}

    def _bshape(self, x, axes):
        return tuple(x.shape[i] if i in axes else 1 for i in range(x.ndim))

    def apply(self, params, state, x, key=None, training=False):
        np_ = fnp()
        x = np_.asarray(x)
        axes, _ = self._pshape(tuple(x.shape))
        ax = tuple(axes)
        mean = np_.mean(x, axis=ax, keepdims=True)
        var = np_.mean(np_.square(x - mean), axis=ax, keepdims=True)
        y = (x - mean) / np_.sqrt(var + self.epsilon)
        bshape = self._bshape(x, axes)
        if self.scale:
            y = y * params["gamma"].reshape(bshape)
        if self.center:
            y = y + params["beta"].reshape(bshape)
        return y, state


class RMSNorm(Layer):
    """Root-mean-square normalisation: ``x / sqrt(mean(x**2) + epsilon) * scale`` (Keras 3
    ``RMSNormalization``; epsilon 1e-6).

    Params:
        ``{"scale": (d,)}``, initialised to ones.

    Example:
        >>> import funcnet, funcnet.numpy as fnp
        >>> from funcnet import nn
        >>> rms = nn.RMSNorm()
        >>> params, state = rms.init(funcnet.random.key(0), (None, 2))
        >>> y, _ = rms.apply(params, state, fnp.asarray([[3.0, 4.0]]))
        >>> [round(v, 4) for v in y[0].tolist()]
        [0.8485, 1.1314]
    """

    def __init__(self, axis: int = -1, epsilon: float = 1e-6, **kwargs):
        super().__init__(**kwargs)
        self.axis = int(axis)
        self.epsilon = float(epsilon)

    def _config(self):
        return {"epsilon": self.epsilon}

    def init(self, key, input_shape):
        d = input_shape[self.axis]
        if d is None:
            raise ShapeError(f"{label(self)}: the normalised dim of input_shape "
                             f"{tuple(input_shape)} must be known")
        return {"scale": _init.ones(key, (d,), self.dtype)}, {}

    def apply(self, params, state, x, key=None, training=False):
        np_ = fnp()
        x = np_.asarray(x)
        ax = _axes(self, x, self.axis)
        ms = np_.mean(np_.square(x), axis=ax, keepdims=True)
        bshape = tuple(x.shape[ax] if i == ax else 1 for i in range(x.ndim))
        return x / np_.sqrt(ms + self.epsilon) * params["scale"].reshape(bshape), state
