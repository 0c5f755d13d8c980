# Shared plumbing of funcnet.numpy: conversion, promotion, axis normalisation.
from __future__ import annotations

import builtins

import numpy as np

from ..core import devices as _devices
from ..core import dtypes
from ..core.array import Array, raw_from_python, wrap
from ..core.primitive import bind
from ..core.prims.elementwise import convert_p
from ..errors import AxisError

_PY = (builtins.bool, builtins.int, builtins.float, builtins.complex)


def asarray_any(x, dtype=None):
    """An Array/tracer for any array-like (Python scalars become weakly typed)."""
    if isinstance(x, Array):
        if dtype is None:
            return x
        dt = dtypes.canonicalize(dtype)
        return x if x.dtype == dt else bind(convert_p, x, new_dtype=dt, weak_type=False)
    if isinstance(x, (list, tuple)) and any(isinstance(e, Array) for e in _iter_flat(x)):
        from ._shape import stack
        return stack([asarray_any(e, dtype) for e in x])
    weak = type(x) in _PY and type(x) is not builtins.bool and dtype is None
    if hasattr(x, "__cuda_array_interface__") and not isinstance(x, np.ndarray):
        dt = dtypes.canonicalize(x.dtype if dtype is None else dtype)
        return wrap(x if x.dtype == dt else x.astype(dt))
    raw = raw_from_python(x, dtype)
    if len(_devices._default) > 1:  # inside default_device(...)
        return wrap(_devices.place(raw)._value, weak)
    return wrap(raw, weak)


def _iter_flat(x):
    for e in x:
        if isinstance(e, (list, tuple)):
            yield from _iter_flat(e)
        else:
            yield e


def convert(x, dt, weak=False):
    if isinstance(x, Array):
        if x.dtype == dt and x.weak_type == weak:
            return x
        if x.dtype == dt and not weak:
            return bind(convert_p, x, new_dtype=dt, weak_type=False)
        return bind(convert_p, x, new_dtype=dt, weak_type=weak)
    return wrap(np.asarray(x, dtype=dt), weak)


def promote(*args):
    """Converts every argument to one Array dtype by JAX's weak-type promotion rules."""
    if len(args) == 2:
        a, b = args
        if isinstance(a, Array):
            tb = type(b)
            if isinstance(b, Array):
                if a.dtype == b.dtype and a.weak_type == b.weak_type:
                    return [a, b]
            elif (tb is builtins.float or tb is builtins.int) and a.dtype.kind in "fc":
                # a Python number adopts a float array's dtype (weak-type promotion)
                return [a, wrap(a.dtype.type(b), True)]  # a device-neutral NumPy scalar
            elif isinstance(b, np.generic) and b.dtype == a.dtype and not a.weak_type:
                return [a, b]
        elif isinstance(b, Array) and isinstance(a, np.generic) and a.dtype == b.dtype and \
                not b.weak_type:
            return [a, b]  # a rule's scalar constant on the left (c - x, c / x)
    dws = [dtypes.dtype_weak_of(a) for a in args]
    dt, weak = dtypes.promote(dws)
    out = []
    for a, (d, _w) in zip(args, dws):
        if isinstance(a, Array) and d == dt:
            out.append(a)
        elif isinstance(a, Array):
            out.append(bind(convert_p, a, new_dtype=dt, weak_type=weak))
        elif type(a) in _PY or isinstance(a, np.generic):
            out.append(wrap(dt.type(a), weak))  # a device-neutral NumPy scalar
        else:
            out.append(wrap(np.asarray(a, dtype=dt), weak))
    return out


def promote_inexact(*args):
    """Like promote, but integers and bools become the default float (exp, log, ...)."""
    out = promote(*args)
    if out[0].dtype.kind in "fc":
        return out
    dt = dtypes.default_float()
    return [convert(a, dt, a.weak_type) for a in out]


def norm_axis(fname, axis, ndim):
    if not isinstance(axis, (int, np.integer)) or isinstance(axis, bool):
        raise TypeError(f"{fname}: axis must be an int, got {type(axis).__name__}")
    if not -ndim <= axis < builtins.max(ndim, 1) or (ndim == 0 and axis not in (0, -1)):
        raise AxisError(f"{fname}: axis {axis} is out of bounds for an array of dimension "
                        f"{ndim} (valid: {-ndim}..{ndim - 1})")
    return int(axis) % builtins.max(ndim, 1)


def norm_axes(fname, axis, ndim):
    """Sorted tuple of non-negative axes; None means all."""
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, (tuple, list)):
        axes = tuple(norm_axis(fname, a, ndim) for a in axis)
        if len(set(axes)) != len(axes):
            raise ValueError(f"{fname}: repeated axis in {axis}")
        return tuple(sorted(axes))
    if ndim == 0 and axis in (0, -1):
        return ()
    return (norm_axis(fname, axis, ndim),)


def is_concrete_array(x) -> bool:
    return type(x) is Array
