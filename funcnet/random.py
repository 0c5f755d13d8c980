"""funcnet.random: functional, splittable, counter-based pseudo-random numbers.

A key is a ``uint32[2]`` array. Every sampler is a pure function of its key (Threefry-2x32
bits turned into numbers with funcnet ops), so the same key gives the same numbers eagerly,
under ``jit`` and under ``vmap``, on every backend. Never reuse a key: ``split`` it.

Example:
    >>> import funcnet
    >>> key = funcnet.random.key(0)
    >>> k1, k2 = funcnet.random.split(key)
    >>> funcnet.random.uniform(k1, (2,)).shape
    (2,)
"""

from __future__ import annotations

import operator

import numpy as np

from .core import dtypes
from .core.array import Array, wrap
from .core.primitive import bind
from .core.prims.elementwise import threefry_p
from .core.prims.random import random_bits_p
from .errors import ShapeError

__all__ = ["key", "PRNGKey", "split", "fold_in", "bits", "uniform", "normal", "bernoulli",
           "randint", "choice", "permutation", "categorical", "truncated_normal", "gumbel",
           "erfinv"]

_U32 = np.dtype(np.uint32)


def _fnp():
    import funcnet.numpy as fnp
    return fnp


def key(seed) -> Array:
    """A PRNG key from an integer seed (alias :func:`PRNGKey`).

    Example:
        >>> import funcnet
        >>> funcnet.random.key(42).tolist()
        [0, 42]
    """
    if isinstance(seed, Array) and type(seed) is not Array:
        fnp = _fnp()
        s = seed.astype(fnp.uint32)
        return fnp.stack([fnp.zeros_like(s), s])
    s = int(seed)
    from .core.devices import place  # on the default device (funcnet.default_device)
    return place(np.array([(s >> 32) & 0xFFFFFFFF, s & 0xFFFFFFFF], dtype=np.uint32))


PRNGKey = key


def _check_key(fname, k):
    fnp = _fnp()
    k = fnp.asarray(k)
    if k.dtype != _U32 or tuple(k.shape) != (2,):
        raise TypeError(f"funcnet.random.{fname}: expected a key (uint32[2] from "
                        f"funcnet.random.key), got {k.dtype}{list(k.shape)}")
    return k


def _shape(fname, shape):
    if shape is None:
        return ()
    if isinstance(shape, int):
        return (shape,)
    try:
        return tuple(operator.index(d) for d in shape)
    except TypeError:
        raise TypeError(f"funcnet.random.{fname}: shape must be a tuple of ints, got "
                        f"{shape!r}") from None


def _bits(k, n):
    # n uint32 words; the counters are made when the primitive runs (nothing while tracing)
    return bind(random_bits_p, k[0], k[1], n=int(n))


def bits(key, shape=(), dtype=np.uint32):
    """Raw random unsigned integers.

    Example:
        >>> import funcnet
        >>> funcnet.random.bits(funcnet.random.key(0), (3,)).dtype
        dtype('uint32')
    """
    fnp = _fnp()
    k = _check_key("bits", key)
    shape = _shape("bits", shape)
    dt = np.dtype(dtype)
    if dt.kind != "u":
        raise TypeError(f"funcnet.random.bits: dtype must be unsigned, got {dt}")
    n = int(np.prod(shape, dtype=np.int64))
    if dt.itemsize == 8:
        b = _bits(k, 2 * n)
        wide = fnp.uint64 if dtypes.canonicalize(np.uint64) == np.uint64 else fnp.uint32
        out = (b[:n].astype(wide) << 32) | b[n:].astype(wide) if wide == fnp.uint64 else b[:n]
        return out.reshape(shape)
    return _bits(k, n).astype(dt).reshape(shape)


def split(key, num=2):
    """Splits a key into ``num`` new independent keys (shape ``(num, 2)``).

    Example:
        >>> import funcnet
        >>> funcnet.random.split(funcnet.random.key(0), 3).shape
        (3, 2)
    """
    k = _check_key("split", key)
    return _bits(k, 2 * int(num)).reshape((int(num), 2))


def fold_in(key, data):
    """A new key from ``key`` and an integer ``data`` (for per-step / per-device keys).

    Example:
        >>> import funcnet
        >>> k = funcnet.random.key(0)
        >>> (funcnet.random.fold_in(k, 1) != funcnet.random.fold_in(k, 2)).any().item()
        True
    """
    fnp = _fnp()
    k = _check_key("fold_in", key)
    d = fnp.asarray(data).astype(fnp.uint32)
    y0, y1 = bind(threefry_p, k[0], k[1], wrap(np.uint32(0x9E3779B9)), d)
    return fnp.stack([y0, y1])


def _float_dtype(fname, dtype):
    dt = dtypes.canonicalize(dtypes.default_float() if dtype is None else dtype)
    if dt.kind != "f":
        raise TypeError(f"funcnet.random.{fname}: dtype must be a float dtype, got {dt}")
    return dt


def _unit(k, shape, dt):
    # uniform in [0, 1) with the full mantissa of dt
    fnp = _fnp()
    n = int(np.prod(shape, dtype=np.int64))
    if dt == np.float64:
        b = _bits(k, 2 * n)
        hi = (b[:n] >> np.uint32(5)).astype(fnp.float64)
        lo = (b[n:] >> np.uint32(6)).astype(fnp.float64)
        u = (hi * 67108864.0 + lo) * (1.0 / 9007199254740992.0)
    else:
        u = (_bits(k, n) >> np.uint32(8)).astype(fnp.float32) * np.float32(1.0 / 16777216.0)
        u = u.astype(dt)
    return u.reshape(shape)


def uniform(key, shape=(), dtype=None, minval=0.0, maxval=1.0):
    """Uniform samples in ``[minval, maxval)``.

    Example:
        >>> import funcnet
        >>> u = funcnet.random.uniform(funcnet.random.key(1), (1000,))
        >>> bool((u >= 0).all() and (u < 1).all())
        True
    """
    k = _check_key("uniform", key)
    dt = _float_dtype("uniform", dtype)
    shape = _shape("uniform", shape)
    u = _unit(k, shape, dt)
    fnp = _fnp()
    # Python bounds become device-neutral scalars (the samples stay on the key's device)
    lo = dt.type(minval) if isinstance(minval, (int, float)) else fnp.asarray(minval, dtype=dt)
    hi = dt.type(maxval) if isinstance(maxval, (int, float)) else fnp.asarray(maxval, dtype=dt)
    return fnp.maximum(lo + u * (hi - lo), lo)


def normal(key, shape=(), dtype=None):
    """Standard normal samples (Box-Muller on two uniform streams).

    Example:
        >>> import funcnet
        >>> x = funcnet.random.normal(funcnet.random.key(0), (20000,))
        >>> abs(float(x.mean())) < 0.05 and abs(float(x.std()) - 1) < 0.05
        True
    """
    fnp = _fnp()
    k = _check_key("normal", key)
    dt = _float_dtype("normal", dtype)
    shape = _shape("normal", shape)
    n = int(np.prod(shape, dtype=np.int64))
    u = _unit(k, (2 * n,), dt)
    u1 = 1 - u[:n]  # (0, 1]
    u2 = u[n:]
    r = fnp.sqrt(-2 * fnp.log(u1))
    return (r * fnp.cos(2 * np.pi * u2)).reshape(shape)


def bernoulli(key, p=0.5, shape=None):
    """Booleans that are True with probability ``p``.

    Example:
        >>> import funcnet
        >>> funcnet.random.bernoulli(funcnet.random.key(0), 0.5, (4,)).dtype
        dtype('bool')
    """
    fnp = _fnp()
    p = fnp.asarray(p)
    shape = tuple(p.shape) if shape is None else _shape("bernoulli", shape)
    return uniform(key, shape, p.dtype if p.dtype.kind == "f" else None) < p


def randint(key, shape, minval, maxval, dtype=None):
    """Random integers in ``[minval, maxval)``.

    Example:
        >>> import funcnet
        >>> r = funcnet.random.randint(funcnet.random.key(0), (100,), 0, 10)
        >>> bool((r >= 0).all() and (r < 10).all())
        True
    """
    fnp = _fnp()
    k = _check_key("randint", key)
    shape = _shape("randint", shape)
    dt = dtypes.canonicalize(dtypes.default_int() if dtype is None else dtype)
    lo = fnp.asarray(minval).astype(fnp.int64 if dt.itemsize == 8 else fnp.int32)
    hi = fnp.asarray(maxval).astype(lo.dtype)
    span = fnp.maximum(hi - lo, 1).astype(fnp.uint32)
    b = _bits(k, int(np.prod(shape, dtype=np.int64))).reshape(shape)
    return (lo + (b % span).astype(lo.dtype)).astype(dt)


def permutation(key, x, axis=0):
    """A random permutation of ``arange(x)`` (int ``x``) or of ``x`` along ``axis``.

    Example:
        >>> import funcnet
        >>> sorted(funcnet.random.permutation(funcnet.random.key(0), 5).tolist())
        [0, 1, 2, 3, 4]
    """
    fnp = _fnp()
    k = _check_key("permutation", key)
    if isinstance(x, (int, np.integer)):
        n, arr = int(x), None
    else:
        arr = fnp.asarray(x)
        n = arr.shape[axis]
    order = fnp.argsort(_bits(k, n))
    if arr is None:
        return order
    return fnp.take(arr, order, axis=axis)


def gumbel(key, shape=(), dtype=None):
    """Standard Gumbel samples.

    Example:
        >>> import funcnet
        >>> funcnet.random.gumbel(funcnet.random.key(0), (3,)).shape
        (3,)
    """
    fnp = _fnp()
    dt = _float_dtype("gumbel", dtype)
    tiny = float(np.finfo(dt).tiny)
    u = uniform(key, shape, dt, minval=tiny, maxval=1.0)
    return -fnp.log(-fnp.log(u))


def categorical(key, logits, axis=-1, shape=None):
    """Samples class indices from unnormalised log-probabilities (Gumbel-max).

    Example:
        >>> import funcnet, funcnet.numpy as fnp
        >>> funcnet.random.categorical(funcnet.random.key(0), fnp.asarray([0.0, 50.0])).item()
        1
    """
    fnp = _fnp()
    logits = fnp.asarray(logits)
    ax = axis % logits.ndim
    batch = tuple(d for i, d in enumerate(logits.shape) if i != ax)
    if shape is None:
        shape = batch
    shape = _shape("categorical", shape)
    if tuple(shape[len(shape) - len(batch):]) != batch:
        raise ShapeError(f"funcnet.random.categorical: shape {shape} must end with the batch "
                         f"shape of the logits {batch}")
    lg = fnp.moveaxis(logits, ax, -1)
    g = gumbel(key, tuple(shape) + (logits.shape[ax],), logits.dtype if logits.dtype.kind ==
               "f" else None)
    return fnp.argmax(lg + g, axis=-1)


def choice(key, a, shape=(), replace=True, p=None, axis=0):
    """Random samples from ``a`` (an int ``n`` means ``arange(n)``).

    Example:
        >>> import funcnet
        >>> funcnet.random.choice(funcnet.random.key(0), 10, (3,), replace=False).shape
        (3,)
    """
    fnp = _fnp()
    shape = _shape("choice", shape)
    arr = None if isinstance(a, (int, np.integer)) else fnp.asarray(a)
    n = int(a) if arr is None else arr.shape[axis]
    m = int(np.prod(shape, dtype=np.int64))
    if not replace and m > n:
        raise ValueError(f"funcnet.random.choice: cannot take {m} samples from {n} without "
                         "replacement")
    if p is None:
        if replace:
            idx = randint(key, (m,), 0, n)
        else:
            idx = permutation(key, n)[:m]
    else:
        logp = fnp.log(fnp.asarray(p))
        if replace:
            idx = categorical(key, logp, shape=(m,))
        else:  # Gumbel top-k
            g = gumbel(key, (n,), logp.dtype) + logp
            idx = fnp.argsort(-g)[:m]
    idx = idx.reshape(shape)
    if arr is None:
        return idx
    return fnp.take(arr, idx.reshape(-1), axis=axis).reshape(
        tuple(arr.shape[:axis]) + shape + tuple(arr.shape[axis + 1:]))


def erfinv(x):
    """Inverse error function (Giles' single-precision polynomial approximation).

    Example:
        >>> import funcnet, funcnet.numpy as fnp
        >>> round(float(funcnet.random.erfinv(fnp.asarray(0.5))), 4)
        0.4769
    """
    fnp = _fnp()
    x = fnp.asarray(x)
    w = -fnp.log((1 - x) * (1 + x))
    small = w < 5
    ws = w - 2.5
    wl = fnp.sqrt(fnp.maximum(w, 5.0)) - 3
    ps = 2.81022636e-08
    for c in (3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087, -0.00125372503,
              -0.00417768164, 0.246640727, 1.50140941):
        ps = c + ps * ws
    pl = -0.000200214257
    for c in (0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613,
              0.00943887047, 1.00167406, 2.83297682):
        pl = c + pl * wl
    return fnp.where(small, ps, pl) * x


def truncated_normal(key, lower, upper, shape=None, dtype=None):
    """Normal samples truncated to ``[lower, upper]`` (inverse-CDF method).

    Example:
        >>> import funcnet
        >>> x = funcnet.random.truncated_normal(funcnet.random.key(0), -2.0, 2.0, (1000,))
        >>> bool((x >= -2).all() and (x <= 2).all())
        True
    """
    fnp = _fnp()
    dt = _float_dtype("truncated_normal", dtype)
    lo = fnp.asarray(lower, dtype=dt)
    hi = fnp.asarray(upper, dtype=dt)
    if shape is None:
        shape = np.broadcast_shapes(tuple(lo.shape), tuple(hi.shape))
    shape = _shape("truncated_normal", shape)
    s2 = np.sqrt(2.0)
    a = _erf(lo / s2)
    b = _erf(hi / s2)
    eps = float(np.finfo(dt).eps)
    u = uniform(key, shape, dt, minval=-1.0, maxval=1.0)
    u = a + (u + 1) / 2 * (b - a)
    u = fnp.clip(u, -1 + eps, 1 - eps)
    return fnp.clip(s2 * erfinv(u), lo, hi)


def _erf(x):
    from .core.prims.elementwise import erf_p
    return bind(erf_p, x)

