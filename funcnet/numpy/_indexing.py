# Indexing: x[idx], x.at[idx] updates, take, take_along_axis, nonzero, argsort, sort.
from __future__ import annotations

import functools

import numpy as np

from ..core import dtypes
from ..core.array import Array, wrap
from ..core.primitive import bind
from ..core.prims import indexing as I
from ..core.trace import Tracer
from ..errors import ConcretizationError
from ._base import asarray_any, convert, norm_axis
from ._shape import ravel

_BASIC = (int, slice, type(None), type(Ellipsis))


def _concrete_or_raise(x, what):
    if isinstance(x, Tracer):
        c = x._concrete_or_none()
        if c is None:
            raise ConcretizationError(
                f"{what} needs concrete values (its output shape depends on the data), but got "
                f"a traced array {x.aval.str_short()}. Under jit / vmap use fnp.where(mask, x, "
                "0) or a fixed-size formulation instead.")
        return c
    return x


def _parse_index(fname, shape, idx):
    """(spec, index arrays) for NumPy-style ``idx`` on an array of ``shape``."""
    if not isinstance(idx, tuple):
        idx = (idx,)
    items, mask_shapes = [], {}
    for e in idx:
        if isinstance(e, (list, np.ndarray)) or (isinstance(e, Array)):
            a = e if isinstance(e, Array) else np.asarray(e)
            if a.dtype == np.bool_:
                a = _concrete_or_raise(a, f"{fname}: boolean-mask indexing") if isinstance(
                    a, Array) else a
                nz = [wrap(n.astype(np.int32)) for n in np.nonzero(np.asarray(a))]
                if nz:
                    mask_shapes[id(nz[0])] = tuple(a.shape)
                items.extend(("arr", n) for n in nz)
                continue
            if isinstance(e, (list, np.ndarray)):
                if a.dtype.kind not in "iu":
                    raise IndexError(f"{fname}: index arrays must be integers or booleans, got "
                                     f"{a.dtype}")
                a = wrap(a.astype(dtypes.canonicalize(a.dtype)))
            elif a.dtype.kind not in "iu":
                raise IndexError(f"{fname}: index arrays must be integers or booleans, got "
                                 f"{a.dtype}")
            if a.ndim == 0 and type(a) is Array:
                items.append(("int", int(a)))
            else:
                items.append(("arr", a))
        elif e is None:
            items.append(("new", None))
        elif e is Ellipsis:
            items.append(("ell", None))
        elif isinstance(e, slice):
            items.append(("slice", e))
        elif isinstance(e, (int, np.integer)) and not isinstance(e, bool):
            items.append(("int", int(e)))
        else:
            raise IndexError(f"{fname}: unsupported index {e!r} of type {type(e).__name__}; use "
                             "ints, slices, None, ..., or integer / boolean arrays")
    n_ell = sum(1 for k, _ in items if k == "ell")
    if n_ell > 1:
        raise IndexError(f"{fname}: an index can only have a single ellipsis ('...')")
    consumed = sum(1 for k, _ in items if k in ("int", "slice", "arr"))
    if consumed > len(shape):
        raise IndexError(f"{fname}: too many indices for an array of shape {tuple(shape)}: "
                         f"{consumed} were given")
    expanded = []
    for k, v in items:
        if k == "ell":
            expanded.extend([("slice", slice(None))] * (len(shape) - consumed))
            if consumed == len(shape):
                # an ellipsis over no dims still separates advanced indices (NumPy's rule for
                # where the broadcast index dims go): keep it as a marker
                expanded.append(("ell0", None))
        else:
            expanded.append((k, v))
    if n_ell == 0:
        expanded.extend([("slice", slice(None))] * (len(shape) - consumed))
    spec, arrays, dim = [], [], 0
    for k, v in expanded:
        if k == "new":
            spec.append(("n",))
            continue
        if k == "ell0":
            spec.append(("e",))
            continue
        n = shape[dim]
        if k == "int":
            if not -n <= v < n:
                raise IndexError(f"{fname}: index {v} is out of bounds for axis {dim} with size "
                                 f"{n} (array shape {tuple(shape)})")
            spec.append(("i", v % n))
        elif k == "slice":
            start, stop, step = v.indices(n)
            if step < 0 and start < 0:  # starts before the first element: empty
                start, stop, step = 0, 0, 1
            elif step < 0 and stop < 0:  # runs through element 0 ("-1" would wrap around)
                stop = None
            spec.append(("s", start, stop, step))
        else:
            ms = mask_shapes.get(id(v))
            if ms is not None and not all(  # NumPy lets an empty mask dim index any size
                    k in (d, 0) for k, d in zip(ms, shape[dim:dim + len(ms)], strict=False)):
                raise IndexError(f"{fname}: boolean mask of shape {ms} does not match the "
                                 f"indexed dims {tuple(shape[dim:dim + len(ms)])} of an array "
                                 f"of shape {tuple(shape)}")
            spec.append(("a", len(arrays)))
            arrays.append(v)
        dim += 1
    return tuple(spec), arrays


def getitem(x, idx):
    """``x[idx]`` with NumPy semantics (basic, integer-array and, outside jit, boolean)."""
    if type(x) is Array:
        if type(idx) in _BASIC or (type(idx) is tuple and all(type(e) in _BASIC for e in idx)):
            try:
                return wrap(x._value[idx], x._weak)
            except IndexError as e:
                raise IndexError(f"funcnet indexing: {e} (array shape {tuple(x.shape)})") from None
    if isinstance(idx, Array) and idx.dtype == np.bool_ and idx.ndim == 0:
        # a 0-d mask adds a dim of length 1 (True) or 0 (False), as in NumPy
        m = bool(_concrete_or_raise(idx, "funcnet indexing: boolean-mask indexing"))
        x = bind(I.getitem_p, x, spec=(("n",),) + tuple(("s", 0, d, 1) for d in x.shape))
        return x if m else I.static_slice(x, 0, 0, 0)
    spec, arrays = _parse_index("funcnet indexing", tuple(x.shape), idx)
    return bind(I.getitem_p, x, *arrays, spec=spec)


class _IndexUpdateRef:
    __slots__ = ("_x", "_idx")

    def __init__(self, x, idx):
        self._x = x
        self._idx = idx

    def _scatter(self, mode, values):
        x = self._x
        spec, arrays = _parse_index(f"x.at[...].{mode}", tuple(x.shape), self._idx)
        v = convert(asarray_any(values), x.dtype)
        return bind(I.scatter_p, x, v, *arrays, spec=spec, mode=mode)

    def get(self, **kwargs):
        """``x[idx]``."""
        return getitem(self._x, self._idx)

    def set(self, values, **kwargs):
        """A copy of x with ``x[idx] = values``."""
        return self._scatter("set", values)

    def add(self, values, **kwargs):
        """A copy of x with ``values`` added at ``idx`` (repeated indices accumulate)."""
        return self._scatter("add", values)

    def subtract(self, values, **kwargs):
        """A copy of x with ``values`` subtracted at ``idx``."""
        return self._scatter("add", -asarray_any(values))

    def multiply(self, values, **kwargs):
        """A copy of x with ``x[idx] *= values``."""
        return self._scatter("multiply", values)

    mul = multiply

    def divide(self, values, **kwargs):
        """A copy of x with ``x[idx] /= values``."""
        return self._scatter("multiply", 1 / asarray_any(values))

    def min(self, values, **kwargs):
        """A copy of x with ``x[idx] = minimum(x[idx], values)``."""
        return self._scatter("min", values)

    def max(self, values, **kwargs):
        """A copy of x with ``x[idx] = maximum(x[idx], values)``."""
        return self._scatter("max", values)

    def __repr__(self):
        return f"_IndexUpdateRef({self._x!r}, {self._idx!r})"


class _IndexUpdateHelper:
    """``x.at[idx]``: functional in-place updates (the answer to TF's ``Variable.assign``).

    Example:
        >>> import funcnet.numpy as fnp
        >>> x = fnp.zeros(3)
        >>> x.at[1].set(5.0).tolist()
        [0.0, 5.0, 0.0]
        >>> x.at[fnp.asarray([0, 0])].add(1.0).tolist()
        [2.0, 0.0, 0.0]
    """

    __slots__ = ("_x",)

    def __init__(self, x):
        self._x = x

    def __getitem__(self, idx):
        return _IndexUpdateRef(self._x, idx)


def take(a, indices, axis=None, mode=None):
    """Takes elements along an axis (``axis=None``: from the flattened array).

    Example:
        >>> import funcnet.numpy as fnp
        >>> fnp.take(fnp.asarray([[1, 2], [3, 4]]), fnp.asarray([1, 0]), axis=1).tolist()
        [[2, 1], [4, 3]]
    """
    x = asarray_any(a)
    if axis is None:
        x, axis = ravel(x), 0
    ax = norm_axis("fnp.take", axis, x.ndim)
    idx = indices if isinstance(indices, Array) else asarray_any(indices)
    if idx.dtype.kind not in "iu":
        raise IndexError(f"fnp.take: indices must be integers, got {idx.dtype}")
    key = (slice(None),) * ax + (idx,)
    return getitem(x, key)


def take_along_axis(arr, indices, axis=-1):
    """Picks values along ``axis`` at ``indices`` (same ndim as ``arr``), like NumPy.

    Example:
        >>> import funcnet.numpy as fnp
        >>> x = fnp.asarray([[10, 30, 20]])
        >>> fnp.take_along_axis(x, fnp.argsort(x, axis=1), axis=1).tolist()
        [[10, 20, 30]]
    """
    x = asarray_any(arr)
    idx = asarray_any(indices)
    if axis is None:
        x, idx, axis = ravel(x), ravel(idx), 0
    if idx.ndim != x.ndim:
        raise ValueError(f"fnp.take_along_axis: indices (shape {tuple(idx.shape)}) must have "
                         f"the same ndim as arr (shape {tuple(x.shape)})")
    if idx.dtype.kind not in "iu":
        raise IndexError(f"fnp.take_along_axis: indices must be integers, got {idx.dtype}")
    ax = norm_axis("fnp.take_along_axis", axis, x.ndim)
    key = [idx if i == ax else _iota(tuple(x.shape), i) for i in range(x.ndim)]
    return bind(I.getitem_p, x, *key, spec=tuple(("a", i) for i in range(x.ndim)))


@functools.lru_cache(maxsize=256)
def _iota(shape, i):
    # arange along dim i, shaped to broadcast against an array of ``shape`` (cached: immutable)
    shp = [1] * len(shape)
    shp[i] = shape[i]
    return wrap(np.arange(shape[i], dtype=np.int32).reshape(shp))


def nonzero(a, *, size=None, fill_value=None):
    """Indices of non-zero elements, one array per dim (not under jit unless ``size`` given).

    Example:
        >>> import funcnet.numpy as fnp
        >>> [i.tolist() for i in fnp.nonzero(fnp.asarray([0, 3, 0, 4]))]
        [[1, 3]]
    """
    x = asarray_any(a)
    dt = dtypes.default_int()
    if size is not None and type(x) is not Array:
        return _nonzero_static(x, int(size), fill_value)
    c = _concrete_or_raise(x, "fnp.nonzero")
    res = np.nonzero(np.asarray(c))
    if size is not None:
        out = []
        for r in res:
            pad = np.full(size, 0 if fill_value is None else fill_value, dtype=dt)
            pad[:min(size, len(r))] = r[:size]
            out.append(wrap(pad))
        return tuple(out)
    return tuple(wrap(r.astype(dt)) for r in res)


def _nonzero_static(x, size, fill_value):
    # a fixed-size nonzero (works under jit / vmap): a stable sort puts the non-zero positions
    # first, in order; the tail is filled
    from . import _creation as C
    from . import _elementwise as E
    from . import _reductions as R
    from ._shape import concatenate
    shape = tuple(x.shape)
    flat = ravel(E.not_equal(x, 0))
    n = flat.shape[0]
    order = argsort(E.where(flat, 0, 1))
    if size <= n:
        idx = order[:size]
    else:
        idx = concatenate([order, C.zeros(size - n, order.dtype)])
    valid = C.arange(size) < R.sum(flat)
    out, rem = [], idx
    for d in reversed(shape or (1,)):
        out.append(rem % d)
        rem = rem // d
    out = out[::-1]
    fills = fill_value if isinstance(fill_value, (tuple, list)) else [
        0 if fill_value is None else fill_value] * len(out)
    return tuple(E.where(valid, o, f) for o, f in zip(out, fills))


def flatnonzero(a):
    """Indices of non-zero elements of the flattened array.

    Example:
        >>> import funcnet.numpy as fnp
        >>> fnp.flatnonzero(fnp.asarray([[0, 1], [1, 0]])).tolist()
        [1, 2]
    """
    return nonzero(ravel(asarray_any(a)))[0]


def argwhere(a):
    """Indices of non-zero elements, one row per element (not under jit).

    Example:
        >>> import funcnet.numpy as fnp
        >>> fnp.argwhere(fnp.asarray([0, 2])).tolist()
        [[1]]
    """
    x = _concrete_or_raise(asarray_any(a), "fnp.argwhere")
    return wrap(np.argwhere(np.asarray(x)).astype(dtypes.default_int()))


def argsort(a, axis=-1, kind=None, order=None, *, stable=True, descending=False):
    """Indices that sort the array along ``axis`` (always stable).

    Example:
        >>> import funcnet.numpy as fnp
        >>> fnp.argsort(fnp.asarray([3, 1, 2])).tolist()
        [1, 2, 0]
    """
    x = asarray_any(a)
    if axis is None:
        x, axis = ravel(x), 0
    if x.ndim == 0:
        return wrap(np.zeros((), dtypes.default_int()))
    ax = norm_axis("fnp.argsort", axis, x.ndim)
    return bind(I.argsort_p, x, axis=ax, descending=bool(descending),
                index_dtype=dtypes.default_int())


def sort(a, axis=-1, kind=None, order=None, *, stable=True, descending=False):
    """Sorted copy along ``axis`` (stable; differentiable through the permutation).

    Example:
        >>> import funcnet.numpy as fnp
        >>> fnp.sort(fnp.asarray([3.0, 1.0, 2.0])).tolist()
        [1.0, 2.0, 3.0]
    """
    x = asarray_any(a)
    if axis is None:
        x, axis = ravel(x), 0
    if x.ndim == 0:
        return x
    ax = norm_axis("fnp.sort", axis, x.ndim)
    return take_along_axis(x, argsort(x, ax, descending=descending), ax)
