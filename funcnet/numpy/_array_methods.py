# Attaches operators and methods to funcnet.Array (core stays independent of this layer).
# Operators carry an eager fast path: two concrete NumPy arrays of one accepted dtype, or a
# float array and a Python number, go straight to the ufunc.
from __future__ import annotations

import numpy as np

from ..core import dtypes
from ..core.array import Array
from . import _elementwise as E
from . import _indexing as IX
from . import _linalg as LA
from . import _reductions as R
from . import _shape as SH
from ._base import asarray_any, convert

_new = object.__new__
_nd = np.ndarray
_num = (int, float)


def _is_operand(x):
    return isinstance(x, (Array, np.ndarray, np.generic, int, float, complex, bool, list, tuple))


def _binop(ufunc, slow, kinds, reflected=False):
    scalar_fast = bool(kinds)  # off while debug_nans checks every operation
    if not reflected:
        def op(self, other):
            to = type(other)
            if to is Array and type(self) is Array:
                a, b = self._value, other._value
                if a.dtype is b.dtype and type(a) is _nd and type(b) is _nd and \
                        a.dtype.kind in kinds:
                    try:
                        r = _new(Array)
                        r._value = ufunc(a, b)
                        r._weak = self._weak and other._weak
                        return r
                    except ValueError:
                        pass
            elif (to is float or to is int) and type(self) is Array and scalar_fast:
                a = self._value
                if a.dtype.kind == "f" and type(a) is _nd:
                    r = _new(Array)
                    r._value = ufunc(a, other)
                    r._weak = self._weak
                    return r
            if not _is_operand(other):
                return NotImplemented
            return slow(self, other)
    else:
        def op(self, other):
            to = type(other)
            if (to is float or to is int) and type(self) is Array and scalar_fast:
                a = self._value
                if a.dtype.kind == "f" and type(a) is _nd:
                    r = _new(Array)
                    r._value = ufunc(other, a)
                    r._weak = self._weak
                    return r
            if not _is_operand(other):
                return NotImplemented
            return slow(other, self)
    return op


def _unop(ufunc, slow, kinds):
    def op(self):
        if type(self) is Array:
            v = self._value
            if type(v) is _nd and v.dtype.kind in kinds:
                r = _new(Array)
                r._value = ufunc(v)
                r._weak = self._weak
                return r
        return slow(self)
    return op


_ALL = "fciu"
_OPS = {
    "add": (np.add, E.add, _ALL), "sub": (np.subtract, E.subtract, _ALL),
    "mul": (np.multiply, E.multiply, _ALL), "truediv": (np.true_divide, E.divide, "fc"),
    "floordiv": (np.floor_divide, E.floor_divide, "f"), "mod": (np.remainder, E.remainder, "f"),
    "pow": (np.power, E.power, "fc"), "matmul": (np.matmul, LA.matmul, ""),
    "and": (np.bitwise_and, lambda x, y: _bitwise(E.bitwise_and, E.logical_and, x, y), ""),
    "or": (np.bitwise_or, lambda x, y: _bitwise(E.bitwise_or, E.logical_or, x, y), ""),
    "xor": (np.bitwise_xor, lambda x, y: _bitwise(E.bitwise_xor, E.logical_xor, x, y), ""),
    "lshift": (np.left_shift, E.left_shift, ""), "rshift": (np.right_shift, E.right_shift, ""),
}


def _bitwise(fint, fbool, x, y):
    x, y = asarray_any(x), asarray_any(y)
    if x.dtype == np.bool_ and y.dtype == np.bool_:
        return fbool(x, y)
    return fint(x, y)


_CMP = {
    "lt": (np.less, E.less), "le": (np.less_equal, E.less_equal),
    "gt": (np.greater, E.greater), "ge": (np.greater_equal, E.greater_equal),
    "eq": (np.equal, E.equal), "ne": (np.not_equal, E.not_equal),
}


def _install():
    for name, (uf, slow, kinds) in _OPS.items():
        setattr(Array, f"__{name}__", _binop(uf, slow, kinds))
        setattr(Array, f"__r{name}__", _binop(uf, slow, kinds, reflected=True))
    for name, (uf, slow) in _CMP.items():
        setattr(Array, f"__{name}__", _binop(uf, slow, "fiu"))
    Array.__neg__ = _unop(np.negative, E.negative, "fiu")
    Array.__pos__ = lambda self: self
    Array.__abs__ = _unop(np.absolute, E.absolute, "fiu")
    Array.__invert__ = lambda self: E.invert(self)
    Array.__divmod__ = lambda self, o: (E.floor_divide(self, o), E.remainder(self, o))
    Array.__rdivmod__ = lambda self, o: (E.floor_divide(o, self), E.remainder(o, self))
    Array.__getitem__ = IX.getitem
    Array.__iter__ = _iter
    Array.__hash__ = Array.__dict__["__hash__"] if "__hash__" in Array.__dict__ else None
    for name, fn in _METHODS.items():
        setattr(Array, name, fn)
    Array.T = property(lambda self: SH.transpose(self), doc="The transpose (dims reversed).")
    Array.mT = property(lambda self: SH.matrix_transpose(self),
                        doc="The last two dims swapped (matrix transpose of a stack).")
    Array.real = property(_real, doc="The real part.")
    Array.imag = property(_imag, doc="The imaginary part.")
    Array.at = property(lambda self: IX._IndexUpdateHelper(self), doc=(
        "Functional updates: ``x.at[idx].set(v)``, ``.add``, ``.multiply``, ``.min``, "
        "``.max``, ``.get()`` return a new array (the answer to TF's ``Variable.assign``)."))
    Array.flat = property(lambda self: iter(SH.ravel(self)), doc="An iterator over elements.")


def _iter(self):
    if self.ndim == 0:
        raise TypeError("iteration over a 0-d funcnet.Array")
    for i in range(self.shape[0]):
        yield self[i]


def _real(self):
    return E.real(self)


def _imag(self):
    return E.imag(self)


def _shape_args(args):
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        return tuple(args[0])
    return args


def _astype(self, dtype, copy=False, device=None):
    """Converts to ``dtype``.

    Example:
        >>> import funcnet.numpy as fnp
        >>> fnp.asarray([1.7]).astype("int32").tolist()
        [1]
    """
    return convert(self, dtypes.canonicalize(dtype))


def _to_device(self, device, /, *, stream=None):
    from ..core.devices import device_put
    return device_put(self, device)


def _array_namespace(self, /, *, api_version=None):
    import funcnet.numpy as fnp
    return fnp


_METHODS = {
    "reshape": lambda self, *shape, order="C": SH.reshape(self, _shape_args(shape), order),
    "astype": _astype,
    "transpose": lambda self, *axes: SH.transpose(self, _shape_args(axes) or None),
    "swapaxes": lambda self, a, b: SH.swapaxes(self, a, b),
    "sum": lambda self, axis=None, dtype=None, keepdims=False, **kw: R.sum(
        self, axis, dtype, keepdims, **kw),
    "mean": lambda self, axis=None, dtype=None, keepdims=False, **kw: R.mean(
        self, axis, dtype, keepdims, **kw),
    "prod": lambda self, axis=None, dtype=None, keepdims=False: R.prod(self, axis, dtype,
                                                                       keepdims),
    "max": lambda self, axis=None, keepdims=False, **kw: R.max(self, axis, keepdims, **kw),
    "min": lambda self, axis=None, keepdims=False, **kw: R.min(self, axis, keepdims, **kw),
    "argmax": lambda self, axis=None, keepdims=False: R.argmax(self, axis, keepdims),
    "argmin": lambda self, axis=None, keepdims=False: R.argmin(self, axis, keepdims),
    "std": lambda self, axis=None, dtype=None, ddof=0, keepdims=False: R.std(
        self, axis, dtype, ddof, keepdims),
    "var": lambda self, axis=None, dtype=None, ddof=0, keepdims=False: R.var(
        self, axis, dtype, ddof, keepdims),
    "any": lambda self, axis=None, keepdims=False: R.any(self, axis, keepdims),
    "all": lambda self, axis=None, keepdims=False: R.all(self, axis, keepdims),
    "cumsum": lambda self, axis=None, dtype=None: R.cumsum(self, axis, dtype),
    "cumprod": lambda self, axis=None, dtype=None: R.cumprod(self, axis, dtype),
    "ravel": lambda self, order="C": SH.ravel(self),
    "flatten": lambda self, order="C": SH.ravel(self),
    "squeeze": lambda self, axis=None: SH.squeeze(self, axis),
    "clip": lambda self, min=None, max=None: E.clip(self, min, max),
    "round": lambda self, decimals=0: E.round(self, decimals),
    "dot": lambda self, b: LA.dot(self, b),
    "take": lambda self, indices, axis=None: IX.take(self, indices, axis),
    "conj": lambda self: E.conjugate(self),
    "conjugate": lambda self: E.conjugate(self),
    "copy": lambda self: self,
    "nonzero": lambda self: IX.nonzero(self),
    "argsort": lambda self, axis=-1, **kw: IX.argsort(self, axis, **kw),
    "sort": lambda self, axis=-1, **kw: IX.sort(self, axis, **kw),
    "diagonal": lambda self, offset=0, axis1=0, axis2=1: LA.diagonal(self, offset, axis1,
                                                                     axis2),
    "trace": lambda self, offset=0, axis1=0, axis2=1: LA.trace(self, offset, axis1, axis2),
    "repeat": lambda self, repeats, axis=None: SH.repeat(self, repeats, axis),
    "to_device": _to_device,
    "__array_namespace__": _array_namespace,
}

_DOCS = {
    "reshape": "The array with a new shape: ``x.reshape(2, 3)`` or ``x.reshape((2, 3))``.",
    "transpose": "Permuted dims (reversed by default); see ``fnp.transpose``.",
    "swapaxes": "Interchanges two dims; see ``fnp.swapaxes``.",
    "sum": "Sum over ``axis``; see ``fnp.sum``.",
    "mean": "Mean over ``axis``; see ``fnp.mean``.",
    "prod": "Product over ``axis``; see ``fnp.prod``.",
    "max": "Maximum over ``axis``; see ``fnp.max``.",
    "min": "Minimum over ``axis``; see ``fnp.min``.",
    "argmax": "Index of the maximum; see ``fnp.argmax``.",
    "argmin": "Index of the minimum; see ``fnp.argmin``.",
    "std": "Standard deviation; see ``fnp.std``.",
    "var": "Variance; see ``fnp.var``.",
    "any": "Logical OR over ``axis``; see ``fnp.any``.",
    "all": "Logical AND over ``axis``; see ``fnp.all``.",
    "cumsum": "Cumulative sum; see ``fnp.cumsum``.",
    "cumprod": "Cumulative product; see ``fnp.cumprod``.",
    "ravel": "Flattened to 1-D; see ``fnp.ravel``.",
    "flatten": "Flattened to 1-D (a new immutable array, like ``ravel``).",
    "squeeze": "Size-1 dims removed; see ``fnp.squeeze``.",
    "clip": "Values limited to ``[min, max]``; see ``fnp.clip``.",
    "round": "Rounded half to even; see ``fnp.round``.",
    "dot": "Dot product with ``b``; see ``fnp.dot``.",
    "take": "Elements at ``indices`` along ``axis``; see ``fnp.take``.",
    "conj": "Complex conjugate.",
    "conjugate": "Complex conjugate.",
    "copy": "The array itself (arrays are immutable, so a copy is never needed).",
    "nonzero": "Indices of non-zero elements (not under jit); see ``fnp.nonzero``.",
    "argsort": "Indices that sort the array (stable); see ``fnp.argsort``.",
    "sort": "Sorted copy (stable); see ``fnp.sort``.",
    "diagonal": "A diagonal; see ``fnp.diagonal``.",
    "trace": "Sum along a diagonal; see ``fnp.trace``.",
    "repeat": "Repeated elements; see ``fnp.repeat``.",
    "to_device": "A copy on ``device`` ('cpu', 'gpu', 'gpu:N'); see ``funcnet.device_put``.",
    "__array_namespace__": "The Array API namespace of this array: ``funcnet.numpy``.",
}
for _n, _d in _DOCS.items():
    if _METHODS[_n].__doc__ is None:
        _METHODS[_n].__doc__ = _d

_install()


def _on_config(key, value):
    # debug_nans: operators lose their eager fast paths (every op goes through the checker)
    if key == "debug_nans":
        for name, (uf, slow, kinds) in _OPS.items():
            setattr(Array, f"__{name}__", _binop(uf, slow, "" if value else kinds))
            setattr(Array, f"__r{name}__", _binop(uf, slow, "" if value else kinds,
                                                 reflected=True))
        for name, (uf, slow) in _CMP.items():
            setattr(Array, f"__{name}__", _binop(uf, slow, "" if value else "fiu"))
        Array.__neg__ = _unop(np.negative, E.negative, "" if value else "fiu")
        Array.__abs__ = _unop(np.absolute, E.absolute, "" if value else "fiu")


from .._config import config as _config  # noqa: E402

_config._on_change(_on_config)
