# Reductions (sum, mean, max, ..., var, std, cumsum) with NumPy's axis / keepdims / dtype.
from __future__ import annotations

import builtins

import numpy as np

from ..core import dtypes
from ..core.primitive import bind
from ..core.prims import reduction as R
from ..core.prims._factories import reshape as _reshape
from ._base import asarray_any, convert, norm_axes, norm_axis
from ._creation import zeros
from ._elementwise import maximum, minimum, not_equal, sqrt
from ._elementwise import where as _where
from ._shape import concatenate, ravel, reshape


def _keep(x, out, axes, keepdims):
    if not keepdims:
        return out
    return _reshape(out, tuple(1 if i in axes else d for i, d in enumerate(x.shape)))


def _acc_dtype(x, dtype):
    if dtype is not None:
        return dtypes.canonicalize(dtype)
    k = x.dtype.kind
    if k == "b":
        return dtypes.default_int()
    if k == "i" and x.dtype.itemsize < dtypes.default_int().itemsize:
        return dtypes.default_int()
    if k == "u" and x.dtype.itemsize < dtypes.default_int().itemsize:
        return dtypes.canonicalize(np.uint64)
    return x.dtype


def _reduction_doc(name, what, example, result):
    return f"""{what} over ``axis`` (None: all axes), like ``numpy.{name}``.

    Args:
        a: input array.
        axis: int, tuple of ints or None.
        keepdims: keep reduced axes as size-1 dims.

    Returns:
        The reduced array.

    Raises:
        AxisError: an axis out of range.

    Example:
        >>> import funcnet.numpy as fnp
        >>> {example}
        {result}
    """


def sum(a, axis=None, dtype=None, keepdims=False, initial=None, where=None):  # noqa: A001
    x = asarray_any(a)
    axes = norm_axes("fnp.sum", axis, x.ndim)
    x = convert(x, _acc_dtype(x, dtype)) if _acc_dtype(x, dtype) != x.dtype else x
    if where is not None:
        x = _where(where, x, 0)
    out = bind(R.reduce_sum_p, x, axes=axes) if axes else x
    if initial is not None:
        out = out + initial
    return _keep(x, out, axes, keepdims)


sum.__doc__ = _reduction_doc("sum", "Sum", "fnp.sum(fnp.asarray([[1, 2], [3, 4]]), axis=0)"
                             ".tolist()", "[4, 6]")


def prod(a, axis=None, dtype=None, keepdims=False):
    x = asarray_any(a)
    axes = norm_axes("fnp.prod", axis, x.ndim)
    x = convert(x, _acc_dtype(x, dtype)) if _acc_dtype(x, dtype) != x.dtype else x
    out = bind(R.reduce_prod_p, x, axes=axes) if axes else x
    return _keep(x, out, axes, keepdims)


prod.__doc__ = _reduction_doc("prod", "Product", "fnp.prod(fnp.asarray([2.0, 3.0])).item()",
                              "6.0")


def _extreme(name, prim):
    def f(a, axis=None, keepdims=False, initial=None, where=None):
        x = asarray_any(a)
        axes = norm_axes(f"fnp.{name}", axis, x.ndim)
        for ax in axes:
            if x.shape[ax] == 0:
                if initial is None:
                    raise ValueError(f"fnp.{name}: zero-size array (shape {x.shape}) along "
                                     f"axis {ax} has no {name}imum; pass initial=")
                shape = tuple(1 if i in axes else d for i, d in enumerate(x.shape)) \
                    if keepdims else tuple(d for i, d in enumerate(x.shape) if i not in axes)
                from ._creation import full
                return full(shape, initial, x.dtype)
        out = bind(prim, x, axes=axes) if axes else x
        if initial is not None:
            out = (maximum if name == "max" else minimum)(out, initial)
        return _keep(x, out, axes, keepdims)
    f.__name__ = f.__qualname__ = name
    f.__doc__ = _reduction_doc(name, f"{name.capitalize()}imum",
                               f"fnp.{name}(fnp.asarray([1.0, 3.0, 2.0])).item()",
                               "3.0" if name == "max" else "1.0")
    return f


max = _extreme("max", R.reduce_max_p)  # noqa: A001
min = _extreme("min", R.reduce_min_p)  # noqa: A001
amax, amin = max, min


def _boolean(name, prim):
    def f(a, axis=None, keepdims=False):
        x = asarray_any(a)
        axes = norm_axes(f"fnp.{name}", axis, x.ndim)
        if x.dtype != np.bool_:
            x = not_equal(x, 0)
        out = bind(prim, x, axes=axes) if axes else x
        return _keep(x, out, axes, keepdims)
    f.__name__ = f.__qualname__ = name
    f.__doc__ = _reduction_doc(name, "Logical " + ("AND" if name == "all" else "OR"),
                               f"fnp.{name}(fnp.asarray([True, False])).item()",
                               "False" if name == "all" else "True")
    return f


all = _boolean("all", R.reduce_and_p)  # noqa: A001
any = _boolean("any", R.reduce_or_p)  # noqa: A001


def _count(x, axes):
    n = 1
    for ax in axes:
        n *= x.shape[ax]
    return n


def mean(a, axis=None, dtype=None, keepdims=False, where=None):
    x = asarray_any(a)
    if dtype is None and x.dtype.kind not in "fc":
        dtype = dtypes.default_float()
    axes = norm_axes("fnp.mean", axis, x.ndim)
    if where is not None:
        s = sum(x, axis, dtype, keepdims, where=where)
        n = sum(_where(where, 1.0, 0.0) + 0 * x, axis, s.dtype, keepdims)
        return s / n
    s = sum(x, axis=axis, dtype=dtype, keepdims=keepdims)
    n = _count(x, axes)
    return s / np.asarray(n, dtype=s.dtype)[()] if n else s * np.asarray(np.nan, s.dtype)[()]


mean.__doc__ = _reduction_doc("mean", "Arithmetic mean", "fnp.mean(fnp.asarray([1, 2, 3, 4]))"
                              ".item()", "2.5")


def var(a, axis=None, dtype=None, ddof=0, keepdims=False, *, correction=None):
    x = asarray_any(a)
    if correction is not None:
        ddof = correction
    if dtype is None and x.dtype.kind not in "fc":
        dtype = dtypes.default_float()
    if dtype is not None:
        x = convert(x, dtypes.canonicalize(dtype))
    axes = norm_axes("fnp.var", axis, x.ndim)
    mu = mean(x, axis=axis, keepdims=True)
    d = x - mu
    sq = d * d if d.dtype.kind != "c" else (d * d.conj()).real
    n = _count(x, axes) - ddof
    s = sum(sq, axis=axis, keepdims=keepdims)
    return s / np.asarray(builtins.max(n, 0), dtype=s.dtype)[()]


var.__doc__ = _reduction_doc("var", "Variance (``ddof`` delta degrees of freedom)",
                             "fnp.var(fnp.asarray([1.0, 3.0])).item()", "1.0")


def std(a, axis=None, dtype=None, ddof=0, keepdims=False, *, correction=None):
    return sqrt(var(a, axis, dtype, ddof, keepdims, correction=correction))


std.__doc__ = _reduction_doc("std", "Standard deviation", "fnp.std(fnp.asarray([1.0, 3.0]))"
                             ".item()", "1.0")


def _arg(name, prim):
    def f(a, axis=None, keepdims=False):
        x = asarray_any(a)
        if axis is None:
            out = bind(prim, ravel(x), axis=0, index_dtype=dtypes.default_int())
            if keepdims:
                out = reshape(out, (1,) * x.ndim)
            return out
        ax = norm_axis(f"fnp.{name}", axis, x.ndim)
        out = bind(prim, x, axis=ax, index_dtype=dtypes.default_int())
        return _keep(x, out, (ax,), keepdims)
    f.__name__ = f.__qualname__ = name
    f.__doc__ = _reduction_doc(name, f"Index of the {name[3:]}imum",
                               f"fnp.{name}(fnp.asarray([1.0, 3.0, 2.0])).item()",
                               "1" if name == "argmax" else "0")
    return f


argmax = _arg("argmax", R.argmax_p)
argmin = _arg("argmin", R.argmin_p)


def _cum(name, prim):
    def f(a, axis=None, dtype=None):
        x = asarray_any(a)
        if axis is None:
            x, axis = ravel(x), 0
        ax = norm_axis(f"fnp.{name}", axis, x.ndim)
        acc = _acc_dtype(x, dtype)
        if acc != x.dtype:
            x = convert(x, acc)
        return bind(prim, x, axis=ax, reverse=False)
    f.__name__ = f.__qualname__ = name
    f.__doc__ = _reduction_doc(name, "Cumulative " + name[3:],
                               f"fnp.{name}(fnp.asarray([1, 2, 3])).tolist()",
                               "[1, 3, 6]" if name == "cumsum" else "[1, 2, 6]")
    return f


cumsum = _cum("cumsum", R.cumsum_p)
cumprod = _cum("cumprod", R.cumprod_p)


def cumulative_sum(x, /, *, axis=None, dtype=None, include_initial=False):
    """Array-API cumulative sum (``include_initial`` prepends a zero).

    Example:
        >>> import funcnet.numpy as fnp
        >>> fnp.cumulative_sum(fnp.asarray([1, 2]), include_initial=True).tolist()
        [0, 1, 3]
    """
    x = asarray_any(x)
    if axis is None:
        if x.ndim > 1:
            raise ValueError("fnp.cumulative_sum: axis is required for arrays with ndim > 1")
        axis = 0
    out = cumsum(x, axis, dtype)
    if include_initial:
        ax = norm_axis("fnp.cumulative_sum", axis, x.ndim)
        shape = list(out.shape)
        shape[ax] = 1
        out = concatenate([zeros(tuple(shape), out.dtype), out], axis=ax)
    return out


def count_nonzero(a, axis=None, keepdims=False):
    """Number of non-zero values along ``axis``.

    Example:
        >>> import funcnet.numpy as fnp
        >>> fnp.count_nonzero(fnp.asarray([0, 1, 2])).item()
        2
    """
    return sum(not_equal(asarray_any(a), 0), axis=axis, keepdims=keepdims)
