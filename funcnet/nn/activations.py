"""funcnet.nn activations: plain functions with ``jax.nn`` semantics and defaults.

They are re-exported as ``funcnet.nn.relu`` etc.; :func:`get` resolves Keras string names
(``activation="relu"``) for layers. Every function is numerically stable for large inputs
(``log_softmax`` of ±1e4 is finite, ``softplus`` never overflows) and has JAX's derivative at
kinks (``grad(relu)(0.) == 0``).

Example:
    >>> import funcnet.numpy as fnp
    >>> from funcnet import nn
    >>> nn.relu(fnp.asarray([-1.0, 2.0])).tolist()
    [0.0, 2.0]
    >>> nn.activations.get("sigmoid") is nn.sigmoid
    True
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from ..core import dtypes
from ..core.primitive import bind
from ..core.prims.elementwise import erf_p, logistic_p
from ..lax import stop_gradient

__all__ = ["relu", "relu6", "sigmoid", "tanh", "softmax", "log_softmax", "gelu", "elu", "selu",
           "leaky_relu", "softplus", "softsign", "silu", "swish", "mish", "hard_sigmoid",
           "one_hot", "logsumexp", "linear", "get"]


def _fnp():
    import funcnet.numpy as fnp
    return fnp


def _float(x):
    fnp = _fnp()
    x = fnp.asarray(x)
    if not dtypes.is_inexact(x.dtype):
        x = x.astype(dtypes.default_float())
    return x


def relu(x):
    """Rectified linear unit ``max(x, 0)``, with derivative 0 at 0 (like ``jax.nn.relu``).

    Example:
        >>> import funcnet, funcnet.numpy as fnp
        >>> from funcnet import nn
        >>> nn.relu(fnp.asarray([-2.0, 0.0, 3.0])).tolist()
        [0.0, 0.0, 3.0]
        >>> funcnet.grad(lambda x: nn.relu(x))(fnp.asarray(0.0)).item()
        0.0
    """
    fnp = _fnp()
    x = fnp.asarray(x)
    return fnp.where(x <= 0, 0, x)  # NaN propagates (NaN <= 0 is False)


def relu6(x):
    """``min(max(x, 0), 6)``, with derivative 0 at 0 and 6 (like ``jax.nn.relu6``).

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet import nn
        >>> nn.relu6(fnp.asarray([-1.0, 3.0, 9.0])).tolist()
        [0.0, 3.0, 6.0]
    """
    fnp = _fnp()
    x = fnp.asarray(x)
    return fnp.where(x <= 0, 0, fnp.where(x >= 6, 6, x))  # NaN propagates


def sigmoid(x):
    """Logistic sigmoid ``1 / (1 + exp(-x))``, without overflow for large ``|x|``.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet import nn
        >>> nn.sigmoid(fnp.asarray([0.0, -1e4])).tolist()
        [0.5, 0.0]
    """
    return bind(logistic_p, _float(x))


def tanh(x):
    """Hyperbolic tangent.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet import nn
        >>> nn.tanh(fnp.asarray(0.0)).item()
        0.0
    """
    return _fnp().tanh(_float(x))


def linear(x):
    """The identity (Keras' ``"linear"`` activation).

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet import nn
        >>> nn.activations.linear(fnp.asarray([1.5])).tolist()
        [1.5]
    """
    return _fnp().asarray(x)


def logsumexp(a, axis=None, b=None, keepdims=False, return_sign=False):
    """``log(sum(b * exp(a)))`` computed stably (``jax.nn.logsumexp``).

    Args:
        a: input array.
        axis: axis or axes to reduce (default: all).
        b: optional scale factors, broadcast against ``a``.
        keepdims: keep the reduced axes as size 1.
        return_sign: also return the sign of the sum (useful when ``b`` has negative entries).

    Returns:
        The reduced array (and its sign when ``return_sign``).

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet import nn
        >>> round(nn.logsumexp(fnp.asarray([1000.0, 1000.0])).item(), 2)
        1000.69
    """
    fnp = _fnp()
    a = _float(a)
    amax = fnp.max(a, axis=axis, keepdims=True)
    amax = stop_gradient(fnp.where(fnp.isfinite(amax), amax, fnp.zeros((), a.dtype)))
    e = fnp.exp(a - amax)
    if b is not None:
        e = e * fnp.asarray(b, dtype=a.dtype)
    s = fnp.sum(e, axis=axis, keepdims=True)
    sign = fnp.sign(s)
    out = fnp.log(fnp.abs(s)) + amax
    if not keepdims:
        out = _squeeze(fnp, out, axis, a.ndim)
        sign = _squeeze(fnp, sign, axis, a.ndim)
    return (out, sign) if return_sign else out


def _squeeze(fnp, x, axis, ndim):
    if axis is None:
        return x.reshape(())
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    return fnp.squeeze(x, axis=tuple(a % ndim for a in axes))


def softmax(x, axis=-1, where=None):
    """Softmax along ``axis``: ``exp(x) / sum(exp(x))``, shifted by the max for stability.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet import nn
        >>> nn.softmax(fnp.asarray([1e4, 0.0])).tolist()
        [1.0, 0.0]
    """
    fnp = _fnp()
    x = _float(x)
    if where is not None:
        x = fnp.where(where, x, fnp.full((), -np.inf, x.dtype))
    m = stop_gradient(fnp.max(x, axis=axis, keepdims=True))
    m = fnp.where(fnp.isfinite(m), m, fnp.zeros((), x.dtype))
    e = fnp.exp(x - m)
    return e / fnp.sum(e, axis=axis, keepdims=True)


def log_softmax(x, axis=-1, where=None):
    """``x - logsumexp(x)`` along ``axis``; finite for any finite input.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet import nn
        >>> nn.log_softmax(fnp.asarray([1e4, -1e4])).tolist()
        [0.0, -20000.0]
    """
    fnp = _fnp()
    x = _float(x)
    if where is not None:
        x = fnp.where(where, x, fnp.full((), -np.inf, x.dtype))
    m = stop_gradient(fnp.max(x, axis=axis, keepdims=True))
    m = fnp.where(fnp.isfinite(m), m, fnp.zeros((), x.dtype))
    shifted = x - m
    return shifted - fnp.log(fnp.sum(fnp.exp(shifted), axis=axis, keepdims=True))


def gelu(x, approximate=True):
    """Gaussian error linear unit; the tanh approximation by default (like ``jax.nn.gelu``).

    Args:
        x: input array.
        approximate: use ``0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))``; with ``False``,
            the exact ``x Phi(x)`` (Keras' ``"gelu"`` default).

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet import nn
        >>> round(nn.gelu(fnp.asarray(1.0)).item(), 4), round(nn.gelu(1.0, False).item(), 4)
        (0.8412, 0.8413)
    """
    fnp = _fnp()
    x = _float(x)
    if approximate:
        c = math.sqrt(2 / math.pi)
        return 0.5 * x * (1 + fnp.tanh(c * (x + 0.044715 * (x * x * x))))
    return 0.5 * x * (1 + bind(erf_p, x / math.sqrt(2)))


def elu(x, alpha=1.0):
    """Exponential linear unit: ``x`` if ``x > 0`` else ``alpha * (exp(x) - 1)``.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet import nn
        >>> round(nn.elu(fnp.asarray(-1.0)).item(), 4)
        -0.6321
    """
    fnp = _fnp()
    x = _float(x)
    safe = fnp.where(x > 0, fnp.zeros((), x.dtype), x)
    return fnp.where(x > 0, x, alpha * fnp.expm1(safe))


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(x):
    """Scaled ELU with the self-normalising constants (alpha 1.6733, scale 1.0507).

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet import nn
        >>> round(nn.selu(fnp.asarray(1.0)).item(), 4)
        1.0507
    """
    return _SELU_SCALE * elu(x, _SELU_ALPHA)


def leaky_relu(x, negative_slope=1e-2):
    """``x`` if ``x >= 0`` else ``negative_slope * x``.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet import nn
        >>> nn.leaky_relu(fnp.asarray([-2.0, 2.0]), negative_slope=0.5).tolist()
        [-1.0, 2.0]
    """
    fnp = _fnp()
    x = _float(x)
    return fnp.where(x >= 0, x, negative_slope * x)


def softplus(x):
    """``log(1 + exp(x))``, computed as ``logaddexp(x, 0)`` (no overflow).

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet import nn
        >>> nn.softplus(fnp.asarray([1e4, -1e4])).tolist()
        [10000.0, 0.0]
    """
    fnp = _fnp()
    x = _float(x)
    return fnp.logaddexp(x, fnp.zeros((), x.dtype))


def softsign(x):
    """``x / (1 + |x|)``.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet import nn
        >>> nn.softsign(fnp.asarray(1.0)).item()
        0.5
    """
    fnp = _fnp()
    x = _float(x)
    return x / (1 + fnp.abs(x))


def silu(x):
    """Sigmoid linear unit ``x * sigmoid(x)`` (alias :func:`swish`).

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet import nn
        >>> round(nn.silu(fnp.asarray(1.0)).item(), 4)
        0.7311
    """
    x = _float(x)
    return x * sigmoid(x)


swish = silu


def mish(x):
    """``x * tanh(softplus(x))``.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet import nn
        >>> round(nn.mish(fnp.asarray(1.0)).item(), 4)
        0.8651
    """
    x = _float(x)
    return x * _fnp().tanh(softplus(x))


def hard_sigmoid(x):
    """``relu6(x + 3) / 6`` (JAX's and Keras 3's definition).

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet import nn
        >>> nn.hard_sigmoid(fnp.asarray([-4.0, 0.0, 4.0])).tolist()
        [0.0, 0.5, 1.0]
    """
    return relu6(_float(x) + 3.0) / 6.0


def one_hot(x, num_classes, dtype=None, axis=-1):
    """One-hot encoding of integer labels (out-of-range labels give all zeros, like JAX).

    Args:
        x: integer array of labels.
        num_classes: number of classes (length of the new axis).
        dtype: output dtype (default float).
        axis: where to put the new axis.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet import nn
        >>> nn.one_hot(fnp.asarray([0, 2]), 3).tolist()
        [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]
    """
    fnp = _fnp()
    x = fnp.asarray(x)
    dt = dtypes.canonicalize(dtypes.default_float() if dtype is None else dtype)
    out = fnp.expand_dims(x, -1) == fnp.arange(int(num_classes))
    out = out.astype(dt)
    if axis != -1 and axis != out.ndim - 1:
        out = fnp.moveaxis(out, -1, axis)
    return out


_BY_NAME: dict[str, Callable] = {
    "relu": relu, "relu6": relu6, "sigmoid": sigmoid, "tanh": tanh, "softmax": softmax,
    "log_softmax": log_softmax, "gelu": gelu, "elu": elu, "selu": selu,
    "leaky_relu": leaky_relu, "softplus": softplus, "softsign": softsign, "silu": silu,
    "swish": swish, "mish": mish, "hard_sigmoid": hard_sigmoid, "linear": linear,
    "exponential": lambda x: _fnp().exp(_float(x)),
}


def get(identifier: str | Callable | None) -> Callable:
    """Resolves an activation from a Keras string name or returns a callable unchanged.

    ``None`` and ``"linear"`` give the identity.

    Args:
        identifier: ``"relu"``, ``"softmax"``, ..., a callable, or ``None``.

    Returns:
        The activation function.

    Raises:
        ValueError: for an unknown name, listing the valid ones.

    Example:
        >>> from funcnet import nn
        >>> nn.activations.get("relu") is nn.relu
        True
    """
    if identifier is None:
        return linear
    if isinstance(identifier, str):
        fn = _BY_NAME.get(identifier.lower())
        if fn is None:
            raise ValueError(f"nn.activations.get: unknown activation {identifier!r}; valid "
                             f"names: {', '.join(sorted(_BY_NAME))}")
        return fn
    if callable(identifier):
        return identifier
    raise TypeError(f"nn.activations.get: expected a name or a callable, got {identifier!r}")
