# dtype objects, constants and dtype functions of funcnet.numpy.
from __future__ import annotations

import numpy as np

from ..core import dtypes as _d


class _ScalarType:
    """A dtype that is also a constructor, like ``jnp.float32``: ``fnp.float32(1.5)`` is a
    0-d float32 Array, and ``fnp.float32`` works wherever a dtype does
    (``x.astype(fnp.float32)``, ``x.dtype == fnp.float32``, ``np.dtype(fnp.float32)``).

    Example:
        >>> import funcnet.numpy as fnp
        >>> fnp.float32(1.5).dtype == fnp.float32
        True
    """

    __slots__ = ("dtype", "__name__")

    def __init__(self, dt):
        self.dtype = np.dtype(dt)
        self.__name__ = self.dtype.name

    def __call__(self, x):
        from ._creation import asarray
        return asarray(x, dtype=self.dtype)

    def __eq__(self, other):
        if other is None:  # np.dtype(None) is float64, but no dtype equals None
            return False
        try:
            return self.dtype == np.dtype(other)
        except (TypeError, ValueError):
            return NotImplemented

    def __hash__(self):
        return hash(self.dtype)

    def __repr__(self):
        return f"funcnet.numpy.{self.dtype.name}"


bool_ = bool = _ScalarType("bool")  # noqa: A001
int8, int16, int32, int64 = (_ScalarType(d) for d in (_d.int8, _d.int16, _d.int32, _d.int64))
uint8, uint16, uint32, uint64 = (_ScalarType(d) for d in (_d.uint8, _d.uint16, _d.uint32,
                                                           _d.uint64))
float16, float32, float64 = (_ScalarType(d) for d in (_d.float16, _d.float32, _d.float64))
complex64, complex128 = _ScalarType(_d.complex64), _ScalarType(_d.complex128)
dtype = np.dtype
pi, e, inf, nan, euler_gamma = np.pi, np.e, np.inf, np.nan, np.euler_gamma
newaxis = None


def result_type(*arrays_and_dtypes):
    """The dtype that combining the arguments gives (JAX's weak-type promotion).

    Example:
        >>> import funcnet.numpy as fnp
        >>> fnp.result_type(fnp.int32, 1.0)
        dtype('float32')
    """
    return _d.result_type(*arrays_and_dtypes)


def promote_types(type1, type2):
    """The promoted dtype of two dtypes.

    Example:
        >>> import funcnet.numpy as fnp
        >>> fnp.promote_types("uint8", "int8")
        dtype('int16')
    """
    return _d.promote_types(type1, type2)


def can_cast(from_, to, /, casting="safe"):
    """Whether ``from_`` promotes to ``to`` without loss (funcnet's promotion lattice).

    Example:
        >>> import funcnet.numpy as fnp
        >>> fnp.can_cast(fnp.int8, fnp.int32), fnp.can_cast(fnp.float32, fnp.int32)
        (True, False)
    """
    src = from_.dtype if hasattr(from_, "dtype") else from_
    return _d.promote_types(src, to) == _d.canonicalize(to)


def finfo(type, /):  # noqa: A002
    """Machine limits of a float dtype: ``bits eps max min smallest_normal dtype`` as Python
    numbers (the Array API's ``finfo``).

    Example:
        >>> import funcnet.numpy as fnp
        >>> fnp.finfo(fnp.float32).bits
        32
    """
    from ._array_api import finfo as _finfo
    return _finfo(type)


def iinfo(type, /):  # noqa: A002
    """Machine limits of an integer dtype: ``bits max min dtype`` (Python ints).

    Example:
        >>> import funcnet.numpy as fnp
        >>> fnp.iinfo(fnp.int8).max
        127
    """
    from ._array_api import iinfo as _iinfo
    return _iinfo(type)


def isdtype(dtype, kind):
    """Array-API dtype kind test (``'bool'``, ``'signed integer'``, ``'real floating'``...).

    Example:
        >>> import funcnet.numpy as fnp
        >>> fnp.isdtype(fnp.float32, "real floating")
        True
    """
    dt = np.dtype(dtype)
    if isinstance(kind, tuple):
        return any(isdtype(dt, k) for k in kind)
    if not isinstance(kind, str):
        return dt == np.dtype(kind)
    table = {"bool": "b", "signed integer": "i", "unsigned integer": "u", "integral": "iu",
             "real floating": "f", "complex floating": "c", "numeric": "iufc"}
    if kind not in table:
        raise ValueError(f"fnp.isdtype: unknown kind {kind!r}")
    return dt.kind in table[kind]


def issubdtype(arg1, arg2):
    """``numpy.issubdtype``.

    Example:
        >>> import funcnet.numpy as fnp
        >>> fnp.issubdtype(fnp.float32, fnp.floating)
        True
    """
    return np.issubdtype(arg1, arg2)


floating, integer, inexact, number = np.floating, np.integer, np.inexact, np.number
signedinteger, unsignedinteger, complexfloating = (np.signedinteger, np.unsignedinteger,
                                                  np.complexfloating)

__all__ = ["bool_", "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
           "uint64",
           "float16", "float32", "float64", "complex64", "complex128", "dtype", "pi", "e", "inf",
           "nan", "euler_gamma", "newaxis", "result_type", "promote_types", "can_cast", "finfo",
           "iinfo", "isdtype", "issubdtype", "floating", "integer", "inexact", "number",
           "signedinteger", "unsignedinteger", "complexfloating"]
