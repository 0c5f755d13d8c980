"""funcnet.nn.initializers: parameter initializers with ``jax.nn.initializers`` semantics.

Every initializer is a function ``init(key, shape, dtype=None) -> Array``; ``dtype=None`` means
the default float dtype (float32, or float64 under ``enable_x64``). ``zeros`` and ``ones`` are
initializers themselves; every other lower-case name is a factory that returns one
(``glorot_uniform()``). The Keras CamelCase classes (``RandomNormal(stddev=0.01)``,
``GlorotUniform()``...) build the same functions with Keras defaults, and layers accept Keras
string names (``kernel_initializer="he_normal"``) through :func:`get`.

Example:
    >>> import funcnet
    >>> from funcnet.nn import initializers
    >>> w = initializers.glorot_uniform()(funcnet.random.key(0), (64, 32))
    >>> w.shape, str(w.dtype)
    ((64, 32), 'float32')
    >>> initializers.zeros(None, (2,)).tolist()
    [0.0, 0.0]
"""

from __future__ import annotations

import contextvars
import functools
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import random
from ..core import dtypes
from ..core.trace import Tracer

__all__ = [
    "Initializer", "zeros", "ones", "constant", "normal", "uniform", "truncated_normal",
    "variance_scaling", "glorot_uniform", "glorot_normal", "xavier_uniform", "xavier_normal",
    "he_uniform", "he_normal", "kaiming_uniform", "kaiming_normal", "lecun_uniform",
    "lecun_normal", "orthogonal", "compute_fans", "get",
    "Zeros", "Ones", "Constant", "RandomNormal", "RandomUniform", "TruncatedNormal",
    "VarianceScaling", "GlorotUniform", "GlorotNormal", "HeNormal", "HeUniform", "LecunNormal",
    "LecunUniform", "Orthogonal",
]

Initializer = Callable[..., Any]
"""The type of an initializer: ``init(key, shape, dtype=None) -> Array``."""


# set by funcnet.nn while tracing only for shapes (summary, output_shape): values are unused
_SHAPE_ONLY: contextvars.ContextVar[bool] = contextvars.ContextVar("shape_only", default=False)


def _fnp():
    import funcnet.numpy as fnp
    return fnp


def _dtype(dtype):
    return dtypes.canonicalize(dtypes.default_float() if dtype is None else dtype)


def _shape(shape) -> tuple:
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    return tuple(int(d) for d in shape)


def _named(fn, name, dtype=None):
    # every built-in initializer: in shape-only tracing (nn.summary, output_shape) it returns
    # a broadcast zero of the right shape and dtype, so no random bits are generated
    @functools.wraps(fn)
    def init(key, shape, dtype=dtype):
        if _SHAPE_ONLY.get():
            fnp = _fnp()
            return fnp.broadcast_to(fnp.zeros((), _dtype(dtype)), _shape(shape))
        return fn(key, shape, dtype)

    init.__name__ = init.__qualname__ = name
    return init


def zeros(key, shape, dtype=None):
    """An array of zeros (the key is ignored; ``None`` is fine).

    Example:
        >>> from funcnet.nn import initializers
        >>> initializers.zeros(None, (2, 2)).tolist()
        [[0.0, 0.0], [0.0, 0.0]]
    """
    return _fnp().zeros(_shape(shape), _dtype(dtype))


def ones(key, shape, dtype=None):
    """An array of ones (the key is ignored; ``None`` is fine).

    Example:
        >>> from funcnet.nn import initializers
        >>> initializers.ones(None, (3,)).tolist()
        [1.0, 1.0, 1.0]
    """
    return _fnp().ones(_shape(shape), _dtype(dtype))


def constant(value, dtype=None) -> Initializer:
    """An initializer that fills with ``value`` (a scalar or an array broadcastable to shape).

    Example:
        >>> from funcnet.nn import initializers
        >>> initializers.constant(0.5)(None, (2,)).tolist()
        [0.5, 0.5]
    """
    def init(key, shape, dtype=dtype):
        fnp = _fnp()
        return fnp.broadcast_to(fnp.asarray(value, dtype=_dtype(dtype)), _shape(shape))
    return _named(init, "constant", dtype)


def normal(stddev=1e-2, dtype=None) -> Initializer:
    """Normal samples with mean 0 and standard deviation ``stddev`` (JAX default 0.01).

    Example:
        >>> import funcnet
        >>> from funcnet.nn import initializers
        >>> w = initializers.normal(1.0)(funcnet.random.key(0), (10000,))
        >>> abs(float(w.std()) - 1.0) < 0.05
        True
    """
    def init(key, shape, dtype=dtype):
        dt = _dtype(dtype)
        return random.normal(key, _shape(shape), dt) * _fnp().asarray(stddev, dt)
    return _named(init, "normal", dtype)


def uniform(scale=1e-2, dtype=None) -> Initializer:
    """Uniform samples in ``[0, scale)`` (JAX semantics; Keras' ``RandomUniform`` is centred).

    Example:
        >>> import funcnet
        >>> from funcnet.nn import initializers
        >>> w = initializers.uniform(2.0)(funcnet.random.key(0), (1000,))
        >>> bool((w >= 0).all() and (w < 2).all())
        True
    """
    def init(key, shape, dtype=dtype):
        dt = _dtype(dtype)
        return random.uniform(key, _shape(shape), dt) * _fnp().asarray(scale, dt)
    return _named(init, "uniform", dtype)


def truncated_normal(stddev=1e-2, dtype=None, lower=-2.0, upper=2.0) -> Initializer:
    """``stddev`` times a standard normal truncated to ``[lower, upper]`` (JAX semantics).

    Example:
        >>> import funcnet
        >>> from funcnet.nn import initializers
        >>> w = initializers.truncated_normal(1.0)(funcnet.random.key(0), (1000,))
        >>> bool((abs(w) <= 2.0).all())
        True
    """
    def init(key, shape, dtype=dtype):
        dt = _dtype(dtype)
        x = random.truncated_normal(key, lower, upper, _shape(shape), dt)
        return x * _fnp().asarray(stddev, dt)
    return _named(init, "truncated_normal", dtype)


def compute_fans(shape, in_axis=-2, out_axis=-1, batch_axis=()) -> tuple[float, float]:
    """``(fan_in, fan_out)`` of a weight shape, as ``jax.nn.initializers`` computes them.

    Dense kernels ``(in, out)`` give ``(in, out)``; conv kernels ``(*window, in, out)`` multiply
    both by the window size. Rank 0 and 1 shapes follow Keras (``1`` and ``shape[0]``).

    Example:
        >>> from funcnet.nn.initializers import compute_fans
        >>> compute_fans((3, 3, 16, 32))
        (144.0, 288.0)
    """
    shape = _shape(shape)
    if len(shape) == 0:
        return 1.0, 1.0
    if len(shape) == 1:
        return float(shape[0]), float(shape[0])
    if isinstance(batch_axis, int):
        batch_axis = (batch_axis,)
    batch = math.prod(shape[a] for a in batch_axis)
    rf = math.prod(shape) / (shape[in_axis] * shape[out_axis] * batch)
    return float(shape[in_axis] * rf), float(shape[out_axis] * rf)


def variance_scaling(scale, mode, distribution, in_axis=-2, out_axis=-1, batch_axis=(),
                     dtype=None) -> Initializer:
    """Samples with variance ``scale / n``, n from ``mode`` (JAX's ``variance_scaling``).

    Args:
        scale: the variance numerator.
        mode: ``"fan_in"``, ``"fan_out"`` or ``"fan_avg"``.
        distribution: ``"truncated_normal"``, ``"normal"`` or ``"uniform"``
            (``"untruncated_normal"`` is accepted as a synonym of ``"normal"``).
        in_axis, out_axis, batch_axis: axes of the weight shape used for the fans.
        dtype: default dtype of the samples.

    Returns:
        An initializer ``init(key, shape, dtype=None)``.

    Raises:
        ValueError: for an unknown mode or distribution.

    Example:
        >>> import funcnet
        >>> from funcnet.nn import initializers
        >>> init = initializers.variance_scaling(2.0, "fan_in", "normal")
        >>> w = init(funcnet.random.key(0), (200, 300))
        >>> abs(float(w.std()) - (2.0 / 200) ** 0.5) < 0.005
        True
    """
    if mode not in ("fan_in", "fan_out", "fan_avg"):
        raise ValueError(f"variance_scaling: mode must be 'fan_in', 'fan_out' or 'fan_avg', "
                         f"got {mode!r}")
    dist = "normal" if distribution == "untruncated_normal" else distribution
    if dist not in ("truncated_normal", "normal", "uniform"):
        raise ValueError(f"variance_scaling: distribution must be 'truncated_normal', "
                         f"'normal' or 'uniform', got {distribution!r}")

    def init(key, shape, dtype=dtype):
        shape = _shape(shape)
        dt = _dtype(dtype)
        fan_in, fan_out = compute_fans(shape, in_axis, out_axis, batch_axis)
        denom = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[mode]
        variance = scale / max(denom, 1.0)
        fnp = _fnp()
        if dist == "truncated_normal":
            # .87962566 is the stddev of a standard normal truncated to (-2, 2)
            std = math.sqrt(variance) / 0.87962566103423978
            return random.truncated_normal(key, -2.0, 2.0, shape, dt) * fnp.asarray(std, dt)
        if dist == "normal":
            return random.normal(key, shape, dt) * fnp.asarray(math.sqrt(variance), dt)
        lim = math.sqrt(3 * variance)
        return random.uniform(key, shape, dt, -lim, lim)
    return _named(init, f"variance_scaling_{mode}_{dist}", dtype)


def glorot_uniform(in_axis=-2, out_axis=-1, batch_axis=(), dtype=None) -> Initializer:
    """Glorot / Xavier uniform: U[-l, l] with ``l = sqrt(6 / (fan_in + fan_out))``.

    Example:
        >>> import funcnet
        >>> from funcnet.nn import initializers
        >>> w = initializers.glorot_uniform()(funcnet.random.key(0), (20, 30))
        >>> bool((abs(w) <= (6 / 50) ** 0.5).all())
        True
    """
    return variance_scaling(1.0, "fan_avg", "uniform", in_axis, out_axis, batch_axis, dtype)


def glorot_normal(in_axis=-2, out_axis=-1, batch_axis=(), dtype=None) -> Initializer:
    """Glorot / Xavier normal: truncated normal with variance ``2 / (fan_in + fan_out)``.

    Example:
        >>> import funcnet
        >>> from funcnet.nn import initializers
        >>> initializers.glorot_normal()(funcnet.random.key(0), (4, 5)).shape
        (4, 5)
    """
    return variance_scaling(1.0, "fan_avg", "truncated_normal", in_axis, out_axis, batch_axis,
                            dtype)


def he_uniform(in_axis=-2, out_axis=-1, batch_axis=(), dtype=None) -> Initializer:
    """He / Kaiming uniform: U[-l, l] with ``l = sqrt(6 / fan_in)``.

    Example:
        >>> import funcnet
        >>> from funcnet.nn import initializers
        >>> w = initializers.he_uniform()(funcnet.random.key(0), (24, 8))
        >>> bool((abs(w) <= 0.5).all())
        True
    """
    return variance_scaling(2.0, "fan_in", "uniform", in_axis, out_axis, batch_axis, dtype)


def he_normal(in_axis=-2, out_axis=-1, batch_axis=(), dtype=None) -> Initializer:
    """He / Kaiming normal: truncated normal with variance ``2 / fan_in``.

    Example:
        >>> import funcnet
        >>> from funcnet.nn import initializers
        >>> initializers.he_normal()(funcnet.random.key(0), (3, 3, 1, 8)).shape
        (3, 3, 1, 8)
    """
    return variance_scaling(2.0, "fan_in", "truncated_normal", in_axis, out_axis, batch_axis,
                            dtype)


def lecun_uniform(in_axis=-2, out_axis=-1, batch_axis=(), dtype=None) -> Initializer:
    """LeCun uniform: U[-l, l] with ``l = sqrt(3 / fan_in)``.

    Example:
        >>> import funcnet
        >>> from funcnet.nn import initializers
        >>> w = initializers.lecun_uniform()(funcnet.random.key(0), (12, 4))
        >>> bool((abs(w) <= 0.5).all())
        True
    """
    return variance_scaling(1.0, "fan_in", "uniform", in_axis, out_axis, batch_axis, dtype)


def lecun_normal(in_axis=-2, out_axis=-1, batch_axis=(), dtype=None) -> Initializer:
    """LeCun normal: truncated normal with variance ``1 / fan_in``.

    Example:
        >>> import funcnet
        >>> from funcnet.nn import initializers
        >>> initializers.lecun_normal()(funcnet.random.key(0), (4, 5)).shape
        (4, 5)
    """
    return variance_scaling(1.0, "fan_in", "truncated_normal", in_axis, out_axis, batch_axis,
                            dtype)


xavier_uniform = glorot_uniform
xavier_normal = glorot_normal
kaiming_uniform = he_uniform
kaiming_normal = he_normal


def _gram_schmidt(a):
    # Q of the QR factorisation (positive diag(R)) of a tall matrix, by classical Gram-Schmidt
    # with one re-orthogonalisation ("twice is enough"): traceable funcnet ops, used under jit.
    fnp = _fnp()
    cols = []
    for j in range(a.shape[1]):
        v = a[:, j]
        if cols:
            q = fnp.stack(cols, axis=1)
            for _ in range(2):
                v = v - q @ (q.T @ v)
        cols.append(v / fnp.sqrt(fnp.sum(v * v)))
    return fnp.stack(cols, axis=1)


def orthogonal(scale=1.0, column_axis=-1, dtype=None) -> Initializer:
    """A (semi-)orthogonal matrix times ``scale``, from the QR of a normal sample (JAX semantics).

    The weight is viewed as a matrix with ``shape[column_axis]`` columns; rows or columns
    (whichever are fewer) are orthonormal.

    Example:
        >>> import funcnet, numpy as np
        >>> from funcnet.nn import initializers
        >>> q = np.asarray(initializers.orthogonal()(funcnet.random.key(0), (6, 4)))
        >>> bool(np.allclose(q.T @ q, np.eye(4), atol=1e-5))
        True
    """
    def init(key, shape, dtype=dtype):
        shape = _shape(shape)
        dt = _dtype(dtype)
        if len(shape) < 2:
            raise ValueError(f"orthogonal: needs a shape of at least 2 dims, got {shape}")
        fnp = _fnp()
        n_cols = shape[column_axis]
        n_rows = math.prod(shape) // n_cols
        mshape = (n_cols, n_rows) if n_rows < n_cols else (n_rows, n_cols)
        a = random.normal(key, mshape, dt)
        if isinstance(a, Tracer):
            q = _gram_schmidt(a)
        else:
            qn, r = np.linalg.qr(np.asarray(a))
            qn = qn * np.where(np.diag(r) < 0, -1, 1).astype(qn.dtype)
            q = fnp.asarray(qn, dtype=dt)
        if n_rows < n_cols:
            q = q.T
        rest = tuple(d for i, d in enumerate(shape) if i != column_axis % len(shape))
        q = fnp.moveaxis(q.reshape(rest + (n_cols,)), -1, column_axis)
        return q * fnp.asarray(scale, dt)
    return _named(init, "orthogonal", dtype)


# --------------------------------------------------------------------------------------------
# Keras CamelCase classes (Keras defaults; called as init(key, shape, dtype=None))
# --------------------------------------------------------------------------------------------

class _KerasInit:
    _args: tuple = ()

    def __init__(self, *args, seed=None, **kwargs):
        names = self._args
        if len(args) > len(names):
            raise TypeError(f"{type(self).__name__} takes at most {len(names)} positional "
                            f"arguments ({', '.join(names)})")
        cfg = dict(self._defaults)
        for n, v in zip(names, args, strict=False):
            cfg[n] = v
        for n, v in kwargs.items():
            if n not in cfg:
                raise TypeError(f"{type(self).__name__}: unknown argument {n!r}; valid: "
                                f"{', '.join(cfg)}")
            cfg[n] = v
        self.config = cfg
        self._fn = self._build(**cfg)

    def __call__(self, key, shape, dtype=None):
        return self._fn(key, shape, dtype)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.config.items())
        return f"{type(self).__name__}({args})"


def _keras(name, doc, build, defaults=None, args=()):
    cls = type(name, (_KerasInit,), {"_build": staticmethod(build), "_defaults": defaults or {},
                                     "_args": args, "__doc__": doc, "__module__": __name__})
    return cls


def _shifted(init, mean):
    if mean == 0:
        return init

    def f(key, shape, dtype=None):
        return init(key, shape, dtype) + _fnp().asarray(mean, _dtype(dtype))
    return f


Zeros = _keras("Zeros", """Keras ``Zeros()``: the :func:`zeros` initializer.

    Example:
        >>> from funcnet.nn import initializers
        >>> initializers.Zeros()(None, (2,)).tolist()
        [0.0, 0.0]
    """, lambda: zeros)
Ones = _keras("Ones", """Keras ``Ones()``: the :func:`ones` initializer.

    Example:
        >>> from funcnet.nn import initializers
        >>> initializers.Ones()(None, (2,)).tolist()
        [1.0, 1.0]
    """, lambda: ones)
Constant = _keras("Constant", """Keras ``Constant(value=0.0)``.

    Example:
        >>> from funcnet.nn import initializers
        >>> initializers.Constant(3.0)(None, (2,)).tolist()
        [3.0, 3.0]
    """, lambda value: constant(value), {"value": 0.0}, ("value",))
RandomNormal = _keras("RandomNormal", """Keras ``RandomNormal(mean=0.0, stddev=0.05)``.

    Example:
        >>> import funcnet
        >>> from funcnet.nn import initializers
        >>> w = initializers.RandomNormal(stddev=0.01)(funcnet.random.key(0), (20000,))
        >>> abs(float(w.std()) - 0.01) < 0.001
        True
    """, lambda mean, stddev: _shifted(normal(stddev), mean), {"mean": 0.0, "stddev": 0.05},
    ("mean", "stddev"))
RandomUniform = _keras("RandomUniform", """Keras ``RandomUniform(minval=-0.05, maxval=0.05)``.

    Example:
        >>> import funcnet
        >>> from funcnet.nn import initializers
        >>> w = initializers.RandomUniform(-1.0, 1.0)(funcnet.random.key(0), (1000,))
        >>> bool((w >= -1).all() and (w < 1).all())
        True
    """, lambda minval, maxval: _shifted(uniform(maxval - minval), minval),
    {"minval": -0.05, "maxval": 0.05}, ("minval", "maxval"))
TruncatedNormal = _keras("TruncatedNormal", """Keras ``TruncatedNormal(mean=0.0, stddev=0.05)``
    (values more than two standard deviations from the mean are redrawn).

    Example:
        >>> import funcnet
        >>> from funcnet.nn import initializers
        >>> w = initializers.TruncatedNormal(stddev=1.0)(funcnet.random.key(0), (1000,))
        >>> bool((abs(w) <= 2).all())
        True
    """, lambda mean, stddev: _shifted(truncated_normal(stddev), mean),
    {"mean": 0.0, "stddev": 0.05}, ("mean", "stddev"))
VarianceScaling = _keras("VarianceScaling", """Keras ``VarianceScaling(scale=1.0,
    mode="fan_in", distribution="truncated_normal")``; see :func:`variance_scaling`.

    Example:
        >>> import funcnet
        >>> from funcnet.nn import initializers
        >>> initializers.VarianceScaling(2.0)(funcnet.random.key(0), (3, 4)).shape
        (3, 4)
    """, lambda scale, mode, distribution: variance_scaling(scale, mode, distribution),
    {"scale": 1.0, "mode": "fan_in", "distribution": "truncated_normal"},
    ("scale", "mode", "distribution"))
GlorotUniform = _keras("GlorotUniform", """Keras ``GlorotUniform()``; see
    :func:`glorot_uniform`.

    Example:
        >>> import funcnet
        >>> from funcnet.nn import initializers
        >>> initializers.GlorotUniform()(funcnet.random.key(0), (3, 4)).shape
        (3, 4)
    """, glorot_uniform)
GlorotNormal = _keras("GlorotNormal", """Keras ``GlorotNormal()``; see :func:`glorot_normal`.

    Example:
        >>> import funcnet
        >>> from funcnet.nn import initializers
        >>> initializers.GlorotNormal()(funcnet.random.key(0), (3, 4)).shape
        (3, 4)
    """, glorot_normal)
HeNormal = _keras("HeNormal", """Keras ``HeNormal()``; see :func:`he_normal`.

    Example:
        >>> import funcnet
        >>> from funcnet.nn import initializers
        >>> initializers.HeNormal()(funcnet.random.key(0), (3, 4)).shape
        (3, 4)
    """, he_normal)
HeUniform = _keras("HeUniform", """Keras ``HeUniform()``; see :func:`he_uniform`.

    Example:
        >>> import funcnet
        >>> from funcnet.nn import initializers
        >>> initializers.HeUniform()(funcnet.random.key(0), (3, 4)).shape
        (3, 4)
    """, he_uniform)
LecunNormal = _keras("LecunNormal", """Keras ``LecunNormal()``; see :func:`lecun_normal`.

    Example:
        >>> import funcnet
        >>> from funcnet.nn import initializers
        >>> initializers.LecunNormal()(funcnet.random.key(0), (3, 4)).shape
        (3, 4)
    """, lecun_normal)
LecunUniform = _keras("LecunUniform", """Keras ``LecunUniform()``; see :func:`lecun_uniform`.

    Example:
        >>> import funcnet
        >>> from funcnet.nn import initializers
        >>> initializers.LecunUniform()(funcnet.random.key(0), (3, 4)).shape
        (3, 4)
    """, lecun_uniform)
Orthogonal = _keras("Orthogonal", """Keras ``Orthogonal(gain=1.0)``; see :func:`orthogonal`.

    Example:
        >>> import funcnet
        >>> from funcnet.nn import initializers
        >>> initializers.Orthogonal()(funcnet.random.key(0), (4, 4)).shape
        (4, 4)
    """, lambda gain: orthogonal(gain), {"gain": 1.0}, ("gain",))


_BY_NAME: dict[str, Callable[[], Initializer]] = {
    "zeros": lambda: zeros, "ones": lambda: ones,
    "glorot_uniform": glorot_uniform, "glorot_normal": glorot_normal,
    "xavier_uniform": glorot_uniform, "xavier_normal": glorot_normal,
    "he_uniform": he_uniform, "he_normal": he_normal,
    "kaiming_uniform": he_uniform, "kaiming_normal": he_normal,
    "lecun_uniform": lecun_uniform, "lecun_normal": lecun_normal,
    "orthogonal": orthogonal,
    # Keras string names: Keras defaults (stddev 0.05, U[-0.05, 0.05))
    "random_normal": RandomNormal, "random_uniform": RandomUniform,
    "truncated_normal": TruncatedNormal, "variance_scaling": VarianceScaling,
    "normal": RandomNormal, "uniform": RandomUniform,
}
for _cls in (Zeros, Ones, RandomNormal, RandomUniform, TruncatedNormal, VarianceScaling,
             GlorotUniform, GlorotNormal, HeNormal, HeUniform, LecunNormal, LecunUniform,
             Orthogonal):
    _BY_NAME[_cls.__name__] = _cls


def get(identifier: str | Initializer | None) -> Initializer:
    """Resolves an initializer from a Keras string name, a class, or a callable.

    Strings follow Keras: ``"glorot_uniform"``, ``"he_normal"``, ``"zeros"``, ``"orthogonal"``,
    ``"random_normal"`` (stddev 0.05), ``"uniform"``/``"random_uniform"`` (U[-0.05, 0.05)),
    CamelCase names (``"GlorotUniform"``)...

    Args:
        identifier: a name, a callable ``init(key, shape, dtype)``, or a Keras class.

    Returns:
        An initializer function.

    Raises:
        ValueError: for an unknown name, listing the valid ones.

    Example:
        >>> import funcnet
        >>> from funcnet.nn import initializers
        >>> initializers.get("he_normal")(funcnet.random.key(0), (3, 2)).shape
        (3, 2)
    """
    if isinstance(identifier, str):
        make = _BY_NAME.get(identifier)
        if make is None:
            raise ValueError(f"nn.initializers.get: unknown initializer {identifier!r}; valid "
                             f"names: {', '.join(sorted(_BY_NAME))}")
        return make()
    if isinstance(identifier, type) and issubclass(identifier, _KerasInit):
        return identifier()
    if callable(identifier):
        return identifier
    raise TypeError(f"nn.initializers.get: expected a name or a callable init(key, shape, "
                    f"dtype), got {identifier!r}")
