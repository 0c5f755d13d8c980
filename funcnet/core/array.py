# funcnet.Array: an immutable wrapper around one backend ndarray.
#
# Operators and methods are attached by funcnet.numpy (core never imports it);
# this module holds only the data model, conversion and the immutability rules.
from __future__ import annotations

import numpy as np

from ..errors import MutationError
from . import dtypes
from .aval import ShapedArray
from .backend import NUMPY, backend_of_value

_new = object.__new__


class Array:
    """An immutable n-dimensional array on one device (NumPy on CPU, CuPy on GPU).

    Create arrays with ``funcnet.numpy`` (``fnp.asarray``, ``fnp.zeros``...), never by
    mutating one: ``x.at[idx].set(v)`` returns an updated copy.

    Example:
        >>> import funcnet.numpy as fnp
        >>> x = fnp.asarray([1.0, 2.0, 3.0])
        >>> (x * 2).tolist()
        [2.0, 4.0, 6.0]
        >>> x.at[0].set(10.0).tolist()
        [10.0, 2.0, 3.0]
    """

    __slots__ = ("_value", "_weak")
    __array_priority__ = 100

    def __init__(self, *args, **kwargs):
        raise TypeError("funcnet.Array cannot be constructed directly; use "
                        "funcnet.numpy.asarray(x) or funcnet.numpy.array(x)")

    # -- data model -------------------------------------------------------------------
    @property
    def aval(self) -> ShapedArray:
        """The abstract value: shape, dtype and weak type."""
        v = self._value
        return ShapedArray(v.shape, v.dtype, self._weak)

    @property
    def shape(self) -> tuple:
        """The shape (a tuple of ints)."""
        return self._value.shape

    @property
    def dtype(self) -> np.dtype:
        """The NumPy dtype."""
        return self._value.dtype

    @property
    def ndim(self) -> int:
        """The number of dims."""
        return self._value.ndim

    @property
    def size(self) -> int:
        """The number of elements."""
        return self._value.size

    @property
    def weak_type(self) -> bool:
        """True for a weakly typed array (from a Python scalar)."""
        return self._weak

    @property
    def device(self) -> str:
        """The device: 'cpu' (NumPy) or 'gpu' (CuPy)."""
        return backend_of_value(self._value).name

    def __len__(self):
        if not self.shape:
            raise TypeError("len() of unsized funcnet.Array (shape ())")
        return self.shape[0]

    def __array__(self, dtype=None, copy=None):
        v = self._value
        b = backend_of_value(v)
        if b is not NUMPY:
            v = b.to_numpy(v)
        if copy:
            return np.array(v, dtype=dtype, copy=True)
        out = np.asarray(v, dtype=dtype)
        if isinstance(v, np.ndarray) and (out is v or out.base is not None):
            out = out.view()
            out.flags.writeable = False  # the caller must not mutate our buffer
        return out

    def item(self, *args):
        """The value as a Python scalar (``x.item()``)."""
        return np.asarray(self).item(*args)

    def tolist(self):
        """The value as nested Python lists."""
        return np.asarray(self).tolist()

    def block_until_ready(self):
        """Waits for the computation to finish (GPU) and returns self."""
        v = self._value
        b = backend_of_value(v)
        if b is not NUMPY:
            b.cuda.get_current_stream().synchronize()
        return self

    def __bool__(self):
        return bool(self._value)

    def __int__(self):
        return int(self._value)

    def __float__(self):
        return float(self._value)

    def __complex__(self):
        return complex(self._value)

    def __index__(self):
        if self.dtype.kind not in "iub":
            raise TypeError(f"only integer arrays can be used as an index, got {self.dtype}")
        return int(self._value)

    def __hash__(self):
        raise TypeError("unhashable type: 'funcnet.Array' (to use it as a static jit argument, "
                        "pass a tuple or a Python scalar instead)")

    def __repr__(self):
        v = np.asarray(self)
        body = np.array2string(v, separator=", ", prefix="Array(")
        w = ", weak_type=True" if self._weak else ""
        return f"Array({body}, dtype={v.dtype.name}{w})"

    def __str__(self):
        return str(np.asarray(self))

    def __format__(self, spec):
        if self.ndim == 0:
            return format(np.asarray(self).item(), spec)
        return format(str(self), spec)

    # -- immutability -----------------------------------------------------------------
    def __setitem__(self, idx, value):
        raise MutationError(
            f"funcnet.Array is immutable: cannot assign to x[{_idx_str(idx)}] of an array of "
            f"shape {self.shape}. Use the functional update: x = x.at[{_idx_str(idx)}].set(value)")

    def __delitem__(self, idx):
        raise MutationError("funcnet.Array is immutable: use x.at[idx] or fnp.delete-style slicing")

    def __reduce__(self):
        return (_rebuild, (np.asarray(self), self._weak))

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    def __dlpack__(self, *, stream=None, max_version=None, dl_device=None, copy=None):
        kw = {k: v for k, v in (("stream", stream), ("max_version", max_version),
                                ("dl_device", dl_device), ("copy", copy)) if v is not None}
        return self._value.__dlpack__(**kw)

    def __dlpack_device__(self):
        return self._value.__dlpack_device__()


def _idx_str(idx) -> str:
    if not isinstance(idx, tuple):
        idx = (idx,)
    parts = []
    for i in idx:
        if isinstance(i, slice):
            s = f"{'' if i.start is None else i.start}:{'' if i.stop is None else i.stop}"
            parts.append(s + (f":{i.step}" if i.step is not None else ""))
        elif i is Ellipsis:
            parts.append("...")
        elif i is None:
            parts.append("None")
        elif isinstance(i, (int, np.integer)):
            parts.append(str(int(i)))
        else:
            parts.append("idx")
    return ", ".join(parts)


def wrap(value, weak: bool = False) -> Array:
    a = _new(Array)
    a._value = value
    a._weak = weak
    return a


def _rebuild(value, weak):
    return wrap(np.asarray(value), weak)


def raw_from_python(x, dtype=None):
    """Backend value (NumPy) for a Python scalar / nested list / NumPy value, canonical dtype."""
    if dtype is None:
        if isinstance(x, (bool, int, float, complex)) and not isinstance(x, np.generic):
            dt, _ = dtypes.scalar_dtype_weak(x)
        else:
            arr = np.asarray(x)
            if arr.dtype == object:
                raise TypeError(f"funcnet: cannot convert {type(x).__name__} to an array "
                                "(object dtype); pass numbers or arrays")
            dt = dtypes.canonicalize(arr.dtype)
            return arr if arr.dtype == dt else arr.astype(dt)
    else:
        dt = dtypes.canonicalize(dtype)
    return np.asarray(x, dtype=dt)
