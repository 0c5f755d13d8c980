# Array creation. Creation makes concrete arrays on the default device (constants under jit).
from __future__ import annotations

import builtins
import operator

import numpy as np

from ..core import dtypes
from ..core.array import Array, wrap
from ..core.devices import place
from ._base import asarray_any


def _dt(dtype, default):
    return dtypes.canonicalize(default if dtype is None else dtype)


def _shape(shape, fname):
    if isinstance(shape, (int, np.integer)):
        shape = (shape,)
    try:
        shape = tuple(operator.index(d) for d in shape)
    except TypeError:
        raise TypeError(f"fnp.{fname}: shape must be a tuple of ints, got {shape!r}") from None
    if any(d < 0 for d in shape):
        raise ValueError(f"fnp.{fname}: negative dimensions are not allowed: {shape}")
    return shape


def array(object, dtype=None, copy=True, ndmin=0):
    """Creates an array from an array-like (list, NumPy array, scalar, funcnet Array).

    Args:
        object: the data.
        dtype: the dtype (default: inferred; float64 data becomes float32 unless x64 is on).
        copy: ``True`` (the default) copies a NumPy / CuPy input, so later writes to it
            cannot reach the Array; ``None`` and ``False`` are ``asarray``'s. A funcnet Array
            is never copied (it is immutable).
        ndmin: minimum number of dims (leading 1s are added).

    Returns:
        A funcnet Array.

    Example:
        >>> import numpy as np
        >>> import funcnet.numpy as fnp
        >>> fnp.array([[1, 2], [3, 4]]).dtype
        dtype('int32')
        >>> a = np.zeros(2, np.float32)
        >>> x = fnp.array(a)
        >>> a[0] = 5.0
        >>> x.tolist()
        [0.0, 0.0]
    """
    if copy is not None and not isinstance(object, Array):
        object = _copy_input(object, dtype, copy, "fnp.array")
    out = asarray_any(object, dtype)
    if out.ndim < ndmin:
        from ._shape import reshape
        out = reshape(out, (1,) * (ndmin - out.ndim) + tuple(out.shape))
    return out


def asarray(a, dtype=None, copy=None, device=None):
    """Converts an array-like to a funcnet Array (no copy when it already is one).

    ``copy=True`` copies a NumPy / CuPy input, so later writes to it cannot reach the Array;
    ``copy=False`` raises ValueError where a copy cannot be avoided (a dtype change, a list);
    ``None`` copies only when needed. ``device`` places the result ('cpu', 'gpu', 'gpu:N').

    Example:
        >>> import funcnet.numpy as fnp
        >>> fnp.asarray([1.0, 2.0]).tolist()
        [1.0, 2.0]
    """
    if copy is not None and not isinstance(a, Array):
        a = _copy_input(a, dtype, copy)
    elif copy is False and dtype is not None and dtypes.canonicalize(dtype) != a.dtype:
        raise ValueError(f"fnp.asarray: copy=False, but casting {a.dtype} to "
                         f"{dtypes.canonicalize(dtype)} needs a copy")
    out = asarray_any(a, dtype)
    if device is not None:
        from ..core.devices import device_put
        out = device_put(out, device)
    return out


def _copy_input(a, dtype, copy, name="fnp.asarray"):
    # asarray's copy= for a non-funcnet input (funcnet Arrays are immutable: never copied)
    if hasattr(a, "__array_interface__") or hasattr(a, "__cuda_array_interface__"):
        dt = dtypes.canonicalize(a.dtype if dtype is None else dtype)
        if copy:
            return a.astype(dt, copy=True) if hasattr(a, "astype") else np.array(a, dt)
        if a.dtype != dt:
            raise ValueError(f"{name}: copy=False, but converting {a.dtype} to {dt} needs "
                             "a copy")
        return a
    if copy is False:
        raise ValueError(f"{name}: copy=False, but converting a {type(a).__name__} to an "
                         "array needs a copy")
    return a


def zeros(shape, dtype=None, *, device=None):
    """An array of zeros (default dtype float32).

    Example:
        >>> import funcnet.numpy as fnp
        >>> fnp.zeros((2, 3)).shape
        (2, 3)
    """
    return _on(place(np.zeros(_shape(shape, "zeros"), _dt(dtype, dtypes.default_float()))),
               device)


def ones(shape, dtype=None, *, device=None):
    """An array of ones (default dtype float32).

    Example:
        >>> import funcnet.numpy as fnp
        >>> fnp.ones(2).tolist()
        [1.0, 1.0]
    """
    return _on(place(np.ones(_shape(shape, "ones"), _dt(dtype, dtypes.default_float()))),
               device)


def empty(shape, dtype=None, *, device=None):
    """Like :func:`zeros` (funcnet never exposes uninitialised memory).

    Example:
        >>> import funcnet.numpy as fnp
        >>> fnp.empty((1,)).tolist()
        [0.0]
    """
    return zeros(shape, dtype, device=device)


def full(shape, fill_value, dtype=None, *, device=None):
    """An array filled with ``fill_value`` (dtype inferred from it when not given).

    Example:
        >>> import funcnet.numpy as fnp
        >>> fnp.full((2,), 7).tolist()
        [7, 7]
    """
    if isinstance(fill_value, Array) and type(fill_value) is not Array:
        from ._shape import broadcast_to
        v = asarray_any(fill_value, dtype)
        return _on(broadcast_to(v, _shape(shape, "full")), device)
    v = asarray_any(fill_value, dtype)
    dt = v.dtype
    return _on(place(np.full(_shape(shape, "full"), np.asarray(v), dtype=dt)), device)


def _on(out, device):
    # device= of the creation functions: a copy on that device (no work when None)
    if device is None:
        return out
    from ..core.devices import device_put
    return device_put(out, device)


def _like(a, dtype, shape):
    a = asarray_any(a)
    return (a.shape if shape is None else shape), (a.dtype if dtype is None else dtype)


def _on_device_of(a, out):
    # *_like results live on the input's device (Array API; jax.numpy)
    if type(a) is Array and type(out) is Array:
        from ..core.backend import NUMPY, backend_of_value
        b = backend_of_value(a._value)
        if b is not NUMPY and backend_of_value(out._value) is not b:
            return wrap(b.asarray_on(np.asarray(out._value)))
    return out


def zeros_like(a, dtype=None, shape=None, *, device=None):
    """Zeros with the shape and dtype of ``a``.

    Example:
        >>> import funcnet.numpy as fnp
        >>> fnp.zeros_like(fnp.ones(2)).tolist()
        [0.0, 0.0]
    """
    s, d = _like(a, dtype, shape)
    return zeros(s, d, device=device)


def ones_like(a, dtype=None, shape=None, *, device=None):
    """Ones with the shape and dtype of ``a``.

    Example:
        >>> import funcnet.numpy as fnp
        >>> fnp.ones_like(fnp.zeros(2, dtype="int32")).tolist()
        [1, 1]
    """
    s, d = _like(a, dtype, shape)
    return ones(s, d, device=device)


def full_like(a, fill_value, dtype=None, shape=None, *, device=None):
    """``fill_value`` with the shape and dtype of ``a``.

    Example:
        >>> import funcnet.numpy as fnp
        >>> fnp.full_like(fnp.zeros(2), 3).tolist()
        [3.0, 3.0]
    """
    s, d = _like(a, dtype, shape)
    return full(s, fill_value, d, device=device)


def arange(start, stop=None, step=None, dtype=None, *, device=None):
    """Evenly spaced values in ``[start, stop)`` (like ``numpy.arange``).

    Example:
        >>> import funcnet.numpy as fnp
        >>> fnp.arange(4).tolist()
        [0, 1, 2, 3]
    """
    for v in (start, stop, step):
        if isinstance(v, Array) and type(v) is not Array:
            raise TypeError("fnp.arange: start/stop/step must be concrete (not traced values); "
                            "under jit pass them as static arguments")
    if stop is None:  # arange(n) and arange(n, step=s) count from 0 to n
        start, stop = 0, start
    args = [v for v in (start, stop, step) if v is not None]
    raw = np.arange(*[np.asarray(v).item() if isinstance(v, Array) else v for v in args])
    if dtype is None:
        dt = dtypes.canonicalize(raw.dtype)
        if all(isinstance(v, (int, np.integer)) or (isinstance(v, Array) and v.dtype.kind in
                                                       "iu") for v in args):
            dt = dtypes.default_int()
    else:
        dt = dtypes.canonicalize(dtype)
    return _on(place(raw.astype(dt)), device)


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0, *,
             device=None):
    """``num`` evenly spaced samples over ``[start, stop]``.

    Example:
        >>> import funcnet.numpy as fnp
        >>> fnp.linspace(0.0, 1.0, 3).tolist()
        [0.0, 0.5, 1.0]
    """
    res = np.linspace(np.asarray(start), np.asarray(stop), num, endpoint=endpoint, retstep=True,
                      axis=axis)
    out = _on(place(res[0].astype(_dt(dtype, dtypes.default_float()))), device)
    return (out, res[1]) if retstep else out


def eye(N, M=None, k=0, dtype=None, *, device=None):
    """A 2-D array with ones on the ``k``-th diagonal.

    Example:
        >>> import funcnet.numpy as fnp
        >>> fnp.eye(2).tolist()
        [[1.0, 0.0], [0.0, 1.0]]
    """
    return _on(place(np.eye(N, M, k, dtype=_dt(dtype, dtypes.default_float()))), device)


def identity(n, dtype=None):
    """The ``n x n`` identity matrix.

    Example:
        >>> import funcnet.numpy as fnp
        >>> fnp.identity(2).shape
        (2, 2)
    """
    return eye(n, dtype=dtype)


def copy(a):
    """Returns ``a`` (arrays are immutable, so no copy is ever needed).

    Example:
        >>> import funcnet.numpy as fnp
        >>> fnp.copy(fnp.ones(1)).tolist()
        [1.0]
    """
    return asarray_any(a)


def _ints(*xs):
    return builtins.all(isinstance(x, int) for x in xs)
