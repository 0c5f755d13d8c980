# Python Array API standard (2024.12) support of funcnet.numpy: the inspection namespace, the
# dtype helpers with the standard's result types, and the standard functions fnp lacked.
#
# Two kinds of function live here. Composed ones (meshgrid, diff, cumulative_prod, searchsorted
# under tracing, linalg.cross/diagonal/trace/matrix_power, fft.fftshift) are built from funcnet
# primitives, so they work under jit, vmap and grad. Eager ones (unique_*, the SVD/eigen/QR
# family, the FFTs) call NumPy (CuPy on GPU) on concrete arrays: they have no derivative rules
# yet, and a traced argument gets a ConcretizationError that says so.
from __future__ import annotations

import builtins
import operator
from typing import NamedTuple

import numpy as np

from ..core import dtypes as _d
from ..core.array import Array, wrap
from ..core.backend import backend_of_value
from ..core.trace import Tracer
from ..errors import ConcretizationError, ShapeError
from ._base import asarray_any, convert, norm_axis, promote, promote_inexact

__array_api_version__ = "2024.12"

_KINDS = {"bool": "b", "signed integer": "i", "unsigned integer": "u", "integral": "iu",
          "real floating": "f", "complex floating": "c", "numeric": "iufc"}
_DTYPE_NAMES = ("bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
                "float32", "float64", "complex64", "complex128")


# -- inspection ------------------------------------------------------------------------------------
class _Info:
    """The Array API inspection namespace of funcnet.numpy (``fnp.__array_namespace_info__()``).

    Example:
        >>> import funcnet.numpy as fnp
        >>> info = fnp.__array_namespace_info__()
        >>> info.capabilities()["boolean indexing"]
        True
        >>> info.default_device()
        'cpu'
    """

    __slots__ = ()

    def capabilities(self) -> dict:
        """What funcnet.numpy supports: boolean indexing and data-dependent output shapes
        (eagerly; not under ``jit``), and any number of dims."""
        return {"boolean indexing": True, "data-dependent shapes": True, "max dimensions": None}

    def default_device(self) -> str:
        """The default device: 'cpu', or the innermost ``funcnet.default_device(...)``."""
        from ..core.devices import _default
        return _default[-1]

    def devices(self) -> list:
        """Every device: 'cpu', then 'gpu:N' for each GPU that CuPy sees."""
        from ..core.devices import devices
        return [str(d) for d in devices()]

    def default_dtypes(self, *, device=None) -> dict:
        """The default dtypes (32-bit, or 64-bit with ``enable_x64``), the same on every device."""
        i = _d.default_int()
        return {"real floating": _d.default_float(), "complex floating": _d.default_complex(),
                "integral": i, "indexing": i}

    def dtypes(self, *, device=None, kind=None) -> dict:
        """The supported dtypes by name, optionally only those of ``kind`` (see ``isdtype``)."""
        out = {}
        for n in _DTYPE_NAMES:
            dt = np.dtype(n)
            if _d.canonicalize(dt) != dt:  # 64-bit dtypes without enable_x64
                continue
            if kind is None or _kind_matches(dt, kind):
                out[n] = dt
        return out


def _kind_matches(dt, kind):
    if isinstance(kind, tuple):
        return builtins.any(_kind_matches(dt, k) for k in kind)
    if isinstance(kind, str):
        if kind not in _KINDS:
            raise ValueError(f"fnp.isdtype: unknown kind {kind!r}; use one of "
                             f"{', '.join(map(repr, _KINDS))}, a dtype, or a tuple of them")
        return dt.kind in _KINDS[kind]
    return dt == np.dtype(kind)


def __array_namespace_info__():
    """The Array API inspection namespace (devices, dtypes, capabilities).

    Example:
        >>> import funcnet.numpy as fnp
        >>> sorted(fnp.__array_namespace_info__().default_dtypes())
        ['complex floating', 'indexing', 'integral', 'real floating']
    """
    return _Info()


# -- dtype functions -----------------------------------------------------------------------------
class finfo_object(NamedTuple):
    """Machine limits of a floating dtype, with the Array API's attribute types (Python numbers).

    ``dtype`` is the real dtype (float32 for complex64). ``tiny`` and ``resolution`` are kept for
    NumPy code.
    """

    bits: int
    eps: float
    max: float
    min: float
    smallest_normal: float
    dtype: np.dtype
    tiny: float
    resolution: float


class iinfo_object(NamedTuple):
    """Machine limits of an integer dtype (Python ints)."""

    bits: int
    max: int
    min: int
    dtype: np.dtype


def _dtype_arg(t):
    if isinstance(t, (np.dtype, str, builtins.type)):
        return np.dtype(t)
    return np.dtype(t.dtype if hasattr(t, "dtype") else t)


def finfo(type, /):  # noqa: A002
    """Machine limits of a floating dtype (or of an array's dtype).

    Args:
        type: a float or complex dtype, or an array.

    Returns:
        An object with ``bits eps max min smallest_normal dtype`` (Python ints and floats).

    Raises:
        ValueError: an integer or bool dtype.

    Example:
        >>> import funcnet.numpy as fnp
        >>> fi = fnp.finfo(fnp.float32)
        >>> fi.bits, fi.eps
        (32, 1.1920928955078125e-07)
    """
    f = np.finfo(_dtype_arg(type))
    return finfo_object(int(f.bits), float(f.eps), float(f.max), float(f.min),
                        float(f.smallest_normal), np.dtype(f.dtype), float(f.tiny),
                        float(f.resolution))


def iinfo(type, /):  # noqa: A002
    """Machine limits of an integer dtype (or of an array's dtype).

    Example:
        >>> import funcnet.numpy as fnp
        >>> fnp.iinfo(fnp.int8).max
        127
    """
    i = np.iinfo(_dtype_arg(type))
    return iinfo_object(int(i.bits), int(i.max), int(i.min), np.dtype(i.dtype))


def astype(x, dtype, /, *, copy=True, device=None):
    """Casts ``x`` to ``dtype`` regardless of the promotion rules (Array API ``astype``).

    Arrays are immutable, so ``copy`` changes nothing observable. Casting complex to a real
    dtype is refused (the standard asks the caller to pick ``fnp.real`` or ``fnp.imag``).

    Args:
        x: the array.
        dtype: the target dtype.
        copy: accepted for the standard (no effect).
        device: when given, the result is placed there (``funcnet.device_put``).

    Returns:
        ``x`` as ``dtype``.

    Raises:
        TypeError: complex ``x`` and a real ``dtype``.

    Example:
        >>> import funcnet.numpy as fnp
        >>> fnp.astype(fnp.asarray([1.7, -2.5]), fnp.int32).tolist()
        [1, -2]
    """
    x = asarray_any(x)
    dt = _d.canonicalize(_dtype_arg(dtype))
    if x.dtype.kind == "c" and dt.kind != "c":
        raise TypeError(f"fnp.astype: cannot cast complex {x.dtype} to real {dt}; take "
                        "fnp.real(x) or fnp.imag(x) first")
    out = convert(x, dt)
    if device is not None:
        from ..core.devices import device_put
        out = device_put(out, device)
    return out


# -- eager-only plumbing ---------------------------------------------------------------------------
def _eager(fname, x, why="it calls NumPy eagerly and has no derivative rule yet"):
    """The backend value of a concrete array; a ConcretizationError for any traced value (so no
    gradient is silently dropped)."""
    if isinstance(x, Tracer):
        raise ConcretizationError(
            f"{fname}: got a traced array {x.aval.str_short()}, but {why}, so it works only on "
            "concrete arrays, outside jit / vmap / grad. Call it outside the transformed "
            "function.")
    return asarray_any(x)._value


def _concrete(fname, x):
    """Concrete value of x, also under eager grad (the caller keeps differentiability by
    gathering from x); a ConcretizationError under jit / vmap."""
    x = asarray_any(x)
    if isinstance(x, Tracer):
        c = x._concrete_or_none()
        if c is None:
            raise ConcretizationError(
                f"{fname}: its output shape depends on the values of its input, but got a "
                f"traced array {x.aval.str_short()} (under jit or vmap). Call it outside the "
                "jitted function, or use a fixed-size formulation (fnp.sort, fnp.where).")
        return x, c._value
    return x, x._value


def _wrap_like(raw, dt=None):
    dt = _d.canonicalize(raw.dtype if dt is None else dt)
    return wrap(raw if raw.dtype == dt else raw.astype(dt))


# -- creation --------------------------------------------------------------------------------------
def empty_like(x, /, *, dtype=None, device=None):
    """An array with the shape (and dtype) of ``x``; funcnet fills it with zeros.

    Example:
        >>> import funcnet.numpy as fnp
        >>> fnp.empty_like(fnp.ones((2, 3))).shape
        (2, 3)
    """
    from ._creation import zeros_like
    return zeros_like(x, dtype=dtype, device=device)


def from_dlpack(x, /, *, device=None, copy=None):
    """An Array sharing memory with any object that implements DLPack (``__dlpack__``).

    Zero-copy for NumPy arrays (and CuPy / PyTorch tensors on the matching device) whose dtype
    funcnet keeps; other dtypes (float64 without ``enable_x64``) are converted, which copies.

    Args:
        x: a DLPack producer (NumPy, CuPy, PyTorch, another funcnet Array...).
        device: 'cpu' or 'gpu[:N]'; None keeps the producer's device.
        copy: True always copies, False refuses to copy, None copies only when needed.

    Returns:
        A funcnet Array.

    Example:
        >>> import numpy as np, funcnet.numpy as fnp
        >>> a = np.arange(3, dtype=np.float32)
        >>> y = fnp.from_dlpack(a)
        >>> np.shares_memory(np.asarray(y), a)
        True
    """
    if isinstance(x, Array):  # funcnet's own arrays (and tracers) are already Arrays
        out = x
    else:
        dev_type = x.__dlpack_device__()[0] if hasattr(x, "__dlpack_device__") else 1
        if dev_type in (1, 3):  # kDLCPU, kDLCUDAHost: NumPy
            try:
                raw = np.from_dlpack(x, copy=copy)
            except TypeError:  # producers without the 2023 keywords
                raw = np.from_dlpack(x)
                if copy:
                    raw = raw.copy()
        else:  # a GPU producer: CuPy (device= below moves it if asked)
            import cupy
            raw = cupy.from_dlpack(x)
            if copy:
                raw = raw.copy()
        dt = _d.canonicalize(raw.dtype)
        if raw.dtype != dt:
            if copy is False:
                raise ValueError(f"fnp.from_dlpack: dtype {raw.dtype} needs a conversion to "
                                 f"{dt} (enable_x64 is off), but copy=False")
            raw = raw.astype(dt)
        out = wrap(raw)
    if device is not None:
        from ..core.devices import device_put
        out = device_put(out, device)
    return out


def meshgrid(*arrays, indexing="xy"):
    """Coordinate matrices from 1-D coordinate vectors (``'xy'`` or ``'ij'`` indexing).

    Composed of reshape and broadcast_to, so it works under every transform.

    Example:
        >>> import funcnet.numpy as fnp
        >>> X, Y = fnp.meshgrid(fnp.arange(3), fnp.arange(2))
        >>> X.shape, Y.tolist()
        ((2, 3), [[0, 0, 0], [1, 1, 1]])
    """
    from ._shape import broadcast_to, reshape
    if indexing not in ("xy", "ij"):
        raise ValueError(f"fnp.meshgrid: indexing must be 'xy' or 'ij', got {indexing!r}")
    xs = [asarray_any(a) for a in arrays]
    for i, x in enumerate(xs):
        if x.ndim != 1:
            raise ShapeError(f"fnp.meshgrid: every input must be 1-D; input {i} has shape "
                             f"{tuple(x.shape)}")
    n = len(xs)
    if n and builtins.any(x.dtype != xs[0].dtype for x in xs):
        xs = promote(*xs)
    pos = list(range(n))
    if indexing == "xy" and n >= 2:
        pos[0], pos[1] = 1, 0
    shape = [1] * n
    for x, p in zip(xs, pos, strict=True):
        shape[p] = x.shape[0]
    out = []
    for x, p in zip(xs, pos, strict=True):
        s = [1] * n
        s[p] = x.shape[0]
        out.append(broadcast_to(reshape(x, tuple(s)), tuple(shape)))
    return out


# -- utility / statistics --------------------------------------------------------------------------
def diff(x, /, *, axis=-1, n=1, prepend=None, append=None):
    """The ``n``-th discrete difference along ``axis`` (``out[i] = x[i+1] - x[i]``).

    ``prepend`` / ``append`` are joined to ``x`` along ``axis`` first. Booleans give
    ``x[i+1] != x[i]`` (as NumPy). Composed of slicing, so it is differentiable and jittable.

    Example:
        >>> import funcnet.numpy as fnp
        >>> fnp.diff(fnp.asarray([1, 4, 9, 16])).tolist()
        [3, 5, 7]
        >>> fnp.diff(fnp.asarray([1, 4, 9, 16]), n=2).tolist()
        [2, 2]
    """
    from ..core.prims.indexing import static_slice
    from ._elementwise import not_equal, subtract
    from ._shape import concatenate
    x = asarray_any(x)
    if x.ndim == 0:
        raise ValueError("fnp.diff: needs an array with at least one dim, got shape ()")
    n = operator.index(n)
    if n < 0:
        raise ValueError(f"fnp.diff: n must be >= 0, got {n}")
    ax = norm_axis("fnp.diff", axis, x.ndim)
    if prepend is not None or append is not None:
        def edge(e):
            e = asarray_any(e)
            if e.ndim == 0:
                from ._shape import broadcast_to
                s = list(x.shape)
                s[ax] = 1
                e = broadcast_to(e, tuple(s))
            return convert(e, x.dtype) if e.dtype != x.dtype else e
        parts = ([edge(prepend)] if prepend is not None else []) + [x] + (
            [edge(append)] if append is not None else [])
        x = concatenate(parts, axis=ax)
    op = not_equal if x.dtype == np.bool_ else subtract
    for _ in range(n):
        m = x.shape[ax]
        if m == 0:
            break
        x = op(static_slice(x, ax, 1, m), static_slice(x, ax, 0, m - 1))
    return x


def cumulative_prod(x, /, *, axis=None, dtype=None, include_initial=False):
    """Array-API cumulative product (``include_initial`` prepends a one).

    Example:
        >>> import funcnet.numpy as fnp
        >>> fnp.cumulative_prod(fnp.asarray([1, 2, 3]), include_initial=True).tolist()
        [1, 1, 2, 6]
    """
    from ._creation import ones
    from ._reductions import cumprod
    from ._shape import concatenate
    x = asarray_any(x)
    if axis is None:
        if x.ndim > 1:
            raise ValueError("fnp.cumulative_prod: axis is required for arrays with ndim > 1")
        axis = 0
    out = cumprod(x, axis, dtype)
    if include_initial:
        ax = norm_axis("fnp.cumulative_prod", axis, x.ndim)
        shape = list(out.shape)
        shape[ax] = 1
        out = concatenate([ones(tuple(shape), out.dtype), out], axis=ax)
    return out


# -- set functions (eager: data-dependent shapes) --------------------------------------------------
class UniqueAllResult(NamedTuple):
    """``values, indices, inverse_indices, counts`` of :func:`unique_all`."""

    values: Array
    indices: Array
    inverse_indices: Array
    counts: Array


class UniqueCountsResult(NamedTuple):
    """``values, counts`` of :func:`unique_counts`."""

    values: Array
    counts: Array


class UniqueInverseResult(NamedTuple):
    """``values, inverse_indices`` of :func:`unique_inverse`."""

    values: Array
    inverse_indices: Array


def _unique(fname, x):
    from ._indexing import take
    from ._shape import ravel
    x, v = _concrete(fname, x)
    b = backend_of_value(v)
    flat = v.reshape(-1)
    kw = {"equal_nan": False} if b.module is np else {}
    _, first, inv, counts = b.unique(flat, return_index=True, return_inverse=True,
                                     return_counts=True, **kw)
    it = _d.default_int()
    first = first.astype(it)
    # values gathered from x, so eager grad flows through them
    values = take(ravel(x), wrap(first))
    return values, wrap(first), wrap(inv.reshape(v.shape).astype(it)), wrap(counts.astype(it))


def unique_all(x, /):
    """Unique values with first indices, inverse indices (shaped like ``x``) and counts.

    NaNs are distinct (each NaN is its own value). Eager only: the output shape depends on the
    data, so under ``jit`` / ``vmap`` it raises a ConcretizationError (a TypeError).

    Example:
        >>> import funcnet.numpy as fnp
        >>> r = fnp.unique_all(fnp.asarray([3, 1, 3, 2]))
        >>> r.values.tolist(), r.indices.tolist(), r.inverse_indices.tolist(), r.counts.tolist()
        ([1, 2, 3], [1, 3, 0], [2, 0, 2, 1], [1, 1, 2])
    """
    return UniqueAllResult(*_unique("fnp.unique_all", x))


def unique_counts(x, /):
    """Unique values and how often each occurs (eager only; NaNs are distinct).

    Example:
        >>> import funcnet.numpy as fnp
        >>> r = fnp.unique_counts(fnp.asarray([3, 1, 3]))
        >>> r.values.tolist(), r.counts.tolist()
        ([1, 3], [1, 2])
    """
    values, _, _, counts = _unique("fnp.unique_counts", x)
    return UniqueCountsResult(values, counts)


def unique_inverse(x, /):
    """Unique values and, for each element of ``x``, the index of its value (eager only).

    Example:
        >>> import funcnet.numpy as fnp
        >>> r = fnp.unique_inverse(fnp.asarray([3, 1, 3]))
        >>> r.values.tolist(), r.inverse_indices.tolist()
        ([1, 3], [1, 0, 1])
    """
    values, _, inv, _ = _unique("fnp.unique_inverse", x)
    return UniqueInverseResult(values, inv)


def unique_values(x, /):
    """The sorted unique values of ``x`` (eager only; NaNs are distinct).

    Example:
        >>> import funcnet.numpy as fnp
        >>> fnp.unique_values(fnp.asarray([3, 1, 3])).tolist()
        [1, 3]
    """
    return _unique("fnp.unique_values", x)[0]


# -- searching -------------------------------------------------------------------------------------
def searchsorted(x1, x2, /, *, side="left", sorter=None):
    """Indices at which to insert ``x2`` into the sorted 1-D ``x1`` to keep it sorted.

    Concrete inputs use NumPy's binary search. Traced inputs (jit / vmap) count the elements
    below each value, ``sum(x1 < v)`` (``<=`` for ``side='right'``), which is O(len(x1)) per
    value but traceable.

    Args:
        x1: 1-D array, sorted ascending unless ``sorter`` is given.
        x2: the values to place.
        side: 'left' (first suitable index) or 'right' (last).
        sorter: indices that sort ``x1`` (e.g. ``fnp.argsort(x1)``).

    Returns:
        Default-integer indices with the shape of ``x2``.

    Example:
        >>> import funcnet.numpy as fnp
        >>> fnp.searchsorted(fnp.asarray([1, 3, 5]), fnp.asarray([3, 4])).tolist()
        [1, 2]
    """
    from ._elementwise import less, less_equal
    from ._indexing import take
    from ._reductions import sum as _sum
    from ._shape import expand_dims
    if side not in ("left", "right"):
        raise ValueError(f"fnp.searchsorted: side must be 'left' or 'right', got {side!r}")
    a = asarray_any(x1)
    v = asarray_any(x2)
    if a.ndim != 1:
        raise ShapeError(f"fnp.searchsorted: x1 must be 1-D, got shape {tuple(a.shape)}")
    it = _d.default_int()
    s = None if sorter is None else asarray_any(sorter)
    if type(a) is Array and type(v) is Array and (s is None or type(s) is Array):
        b = backend_of_value(a._value)
        raw = b.searchsorted(a._value, v._value, side=side,
                             sorter=None if s is None else s._value)
        return wrap(raw.astype(it))
    if s is not None:
        a = take(a, s)
    a, v = promote(a, v)
    cmp = less if side == "left" else less_equal
    return _sum(cmp(a, expand_dims(v, -1)), axis=-1, dtype=it)


# -- linalg extension ------------------------------------------------------------------------------
class EighResult(NamedTuple):
    """``eigenvalues, eigenvectors`` of :func:`eigh`."""

    eigenvalues: Array
    eigenvectors: Array


class QRResult(NamedTuple):
    """``Q, R`` of :func:`qr`."""

    Q: Array
    R: Array


class SVDResult(NamedTuple):
    """``U, S, Vh`` of :func:`svd`."""

    U: Array
    S: Array
    Vh: Array


def _square(fname, x):
    if x.ndim < 2 or x.shape[-1] != x.shape[-2]:
        raise ShapeError(f"{fname}: needs square matrices (..., n, n), got shape "
                         f"{tuple(x.shape)}")


def _matrices(fname, x):
    if x.ndim < 2:
        raise ShapeError(f"{fname}: needs matrices (..., m, n), got shape {tuple(x.shape)}")


def _eager_matrices(name, x, square=False):
    # (backend value as float, backend) of a concrete stack of matrices
    fname = f"fnp.linalg.{name}"
    (x,) = promote_inexact(asarray_any(x))
    (_square if square else _matrices)(fname, x)
    v = _eager(fname, x)
    return v, backend_of_value(v)


def _rtol(name, rtol, v):
    # the Array API's default cut-off is max(M, N) * eps of the dtype
    if rtol is None:
        return builtins.max(v.shape[-2:]) * np.finfo(v.dtype).eps
    return _eager(f"fnp.linalg.{name}", rtol) if isinstance(rtol, Array) else rtol


def linalg_cross(x1, x2, /, *, axis=-1):
    """Cross product of 3-vectors along ``axis`` (inputs broadcast against each other).

    Composed of slicing and arithmetic: differentiable and jittable.

    Example:
        >>> import funcnet.numpy as fnp
        >>> fnp.linalg.cross(fnp.asarray([1.0, 0.0, 0.0]), fnp.asarray([0.0, 1.0, 0.0])).tolist()
        [0.0, 0.0, 1.0]
    """
    from ..core.prims.indexing import static_slice
    from ._shape import broadcast_arrays, concatenate
    a, b = promote(x1, x2)
    if a.shape != b.shape:
        a, b = broadcast_arrays(a, b)
    if a.ndim == 0:
        raise ShapeError("fnp.linalg.cross: inputs must have at least one dim")
    ax = norm_axis("fnp.linalg.cross", axis, a.ndim)
    if a.shape[ax] != 3:
        raise ShapeError(f"fnp.linalg.cross: axis {axis} must have size 3, got shapes "
                         f"{tuple(asarray_any(x1).shape)} and {tuple(asarray_any(x2).shape)}")
    a0, a1, a2 = (static_slice(a, ax, i, i + 1) for i in range(3))
    b0, b1, b2 = (static_slice(b, ax, i, i + 1) for i in range(3))
    return concatenate([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0], axis=ax)


def linalg_diagonal(x, /, *, offset=0):
    """The ``offset`` diagonal of each matrix in a stack (the last two axes).

    Example:
        >>> import funcnet.numpy as fnp
        >>> fnp.linalg.diagonal(fnp.ones((2, 3, 3))).shape
        (2, 3)
    """
    from ._linalg import diagonal
    x = asarray_any(x)
    _matrices("fnp.linalg.diagonal", x)
    return diagonal(x, offset, -2, -1)


def matrix_power(x, n, /):
    """``x`` multiplied by itself ``n`` times (``n < 0``: powers of the inverse).

    Composed of ``matmul`` (and ``inv``) by repeated squaring: differentiable and jittable.

    Example:
        >>> import funcnet.numpy as fnp
        >>> fnp.linalg.matrix_power(fnp.asarray([[1, 1], [0, 1]]), 3).tolist()
        [[1, 3], [0, 1]]
    """
    from ._creation import eye
    from ._linalg import inv, matmul
    from ._shape import broadcast_to
    x = asarray_any(x)
    _square("fnp.linalg.matrix_power", x)
    n = operator.index(n)
    if n == 0:
        return broadcast_to(eye(x.shape[-1], dtype=x.dtype), tuple(x.shape))
    if n < 0:
        x, n = inv(x), -n
    result = None
    base = x
    while n:
        if n & 1:
            result = base if result is None else matmul(result, base)
        n >>= 1
        if n:
            base = matmul(base, base)
    return result


def eigh(x, /):
    """Eigenvalues (ascending) and eigenvectors of symmetric / Hermitian matrices.

    Eager only: it calls ``numpy.linalg.eigh`` and has no derivative rule yet, so under
    jit / vmap / grad it raises a ConcretizationError.

    Example:
        >>> import funcnet.numpy as fnp
        >>> fnp.linalg.eigh(fnp.asarray([[2.0, 0.0], [0.0, 1.0]])).eigenvalues.tolist()
        [1.0, 2.0]
    """
    v, b = _eager_matrices("eigh", x, square=True)
    w, q = b.linalg.eigh(v)
    return EighResult(_wrap_like(w, _real_of(v.dtype)), _wrap_like(q, v.dtype))


def eigvalsh(x, /):
    """Eigenvalues (ascending) of symmetric / Hermitian matrices (eager only, no derivative
    rule yet: ConcretizationError under transforms).

    Example:
        >>> import funcnet.numpy as fnp
        >>> fnp.linalg.eigvalsh(fnp.asarray([[2.0, 0.0], [0.0, 1.0]])).tolist()
        [1.0, 2.0]
    """
    v, b = _eager_matrices("eigvalsh", x, square=True)
    return _wrap_like(b.linalg.eigvalsh(v), _real_of(v.dtype))


def qr(x, /, *, mode="reduced"):
    """QR decomposition (``mode`` 'reduced' or 'complete') of a matrix or stack.

    Eager only (``numpy.linalg.qr``, no derivative rule yet).

    Example:
        >>> import funcnet.numpy as fnp
        >>> Q, R = fnp.linalg.qr(fnp.asarray([[3.0, 0.0], [4.0, 5.0]]))
        >>> [round(abs(v), 4) for v in R.tolist()[0]]
        [5.0, 4.0]
    """
    if mode not in ("reduced", "complete"):
        raise ValueError(f"fnp.linalg.qr: mode must be 'reduced' or 'complete', got {mode!r}")
    v, b = _eager_matrices("qr", x)
    q, r = b.linalg.qr(v, mode=mode)
    return QRResult(_wrap_like(q, v.dtype), _wrap_like(r, v.dtype))


def svd(x, /, *, full_matrices=True):
    """Singular value decomposition ``x = U @ diag(S) @ Vh`` (S descending).

    Eager only (``numpy.linalg.svd``, no derivative rule yet).

    Example:
        >>> import funcnet.numpy as fnp
        >>> fnp.linalg.svd(fnp.asarray([[3.0, 0.0], [0.0, 4.0]])).S.tolist()
        [4.0, 3.0]
    """
    v, b = _eager_matrices("svd", x)
    u, s, vh = b.linalg.svd(v, full_matrices=full_matrices)
    return SVDResult(_wrap_like(u, v.dtype), _wrap_like(s, _real_of(v.dtype)),
                     _wrap_like(vh, v.dtype))


def svdvals(x, /):
    """Singular values (descending) of a matrix or stack (eager only, no derivative rule yet).

    Example:
        >>> import funcnet.numpy as fnp
        >>> fnp.linalg.svdvals(fnp.asarray([[3.0, 0.0], [0.0, 4.0]])).tolist()
        [4.0, 3.0]
    """
    v, b = _eager_matrices("svdvals", x)
    s = b.linalg.svd(v, compute_uv=False)
    return _wrap_like(s, _real_of(v.dtype))


def pinv(x, /, *, rtol=None):
    """Moore-Penrose pseudo-inverse; singular values below ``rtol * max(S)`` are dropped
    (default ``rtol``: ``max(M, N) * eps``).

    Eager only (``numpy.linalg.pinv``, no derivative rule yet).

    Example:
        >>> import funcnet.numpy as fnp
        >>> fnp.linalg.pinv(fnp.asarray([[2.0, 0.0], [0.0, 0.0]])).tolist()
        [[0.5, 0.0], [0.0, 0.0]]
    """
    v, b = _eager_matrices("pinv", x)
    if v.size == 0:
        return _wrap_like(b.zeros(v.shape[:-2] + (v.shape[-1], v.shape[-2]), v.dtype))
    return _wrap_like(b.linalg.pinv(v, rcond=_rtol("pinv", rtol, v)), v.dtype)


def matrix_rank(x, /, *, rtol=None):
    """Numerical rank: singular values above ``rtol * max(S)`` (default ``rtol``:
    ``max(M, N) * eps``).

    Eager only (``numpy``'s SVD; the result is an integer, so it has no gradient).

    Example:
        >>> import funcnet.numpy as fnp
        >>> fnp.linalg.matrix_rank(fnp.asarray([[1.0, 2.0], [2.0, 4.0]])).item()
        1
    """
    v, b = _eager_matrices("matrix_rank", x)
    s = b.linalg.svd(v, compute_uv=False)
    r = b.asarray(_rtol("matrix_rank", rtol, v))
    if r.ndim:
        r = r[..., None]
    smax = s.max(axis=-1, keepdims=True) if s.shape[-1] else b.zeros(s.shape[:-1] + (1,), s.dtype)
    rank = (s > r * smax).sum(axis=-1)
    return _wrap_like(b.asarray(rank), _d.default_int())


def matrix_norm(x, /, *, keepdims=False, ord="fro"):
    """Array-API matrix norm over the last two axes (``ord``: 'fro', 'nuc', 1, -1, 2, -2,
    inf, -inf).

    'fro', 1, -1, inf and -inf are composed (differentiable, jittable); 'nuc', 2 and -2 need
    singular values and are eager only (``svdvals``).

    Example:
        >>> import funcnet.numpy as fnp
        >>> fnp.linalg.matrix_norm(fnp.asarray([[3.0, 0.0], [0.0, 4.0]]), ord=2).item()
        4.0
    """
    from ._linalg import matrix_norm as _matrix_norm
    from ._reductions import max as _max
    from ._reductions import min as _min
    from ._reductions import sum as _sum
    from ._shape import reshape
    x = asarray_any(x)
    _matrices("fnp.linalg.matrix_norm", x)
    if ord not in ("nuc", 2, -2):
        return _matrix_norm(x, keepdims=keepdims, ord=ord)
    s = svdvals(x)
    out = _sum(s, axis=-1) if ord == "nuc" else (_max if ord == 2 else _min)(s, axis=-1)
    if keepdims:
        out = reshape(out, tuple(out.shape) + (1, 1))
    return out


def _real_of(dt):
    return {"complex64": np.float32, "complex128": np.float64}.get(np.dtype(dt).name, dt)
