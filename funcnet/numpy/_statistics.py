# Order statistics and weighted / NaN-aware means, composed from sort, take, where and the
# reductions (no primitives of their own: grad, vmap and jit come from those).
from __future__ import annotations

import numpy as np

from ..core import dtypes
from ..core.trace import concrete_or_none
from ._base import asarray_any, norm_axis
from ._elementwise import floor, isnan, where
from ._indexing import sort, take
from ._reductions import max as _max
from ._reductions import min as _min
from ._reductions import sum as _sum
from ._shape import expand_dims, moveaxis, ravel

__all__ = ["average", "interp", "median", "nanmean", "nansum", "percentile", "ptp", "quantile"]

_METHODS = ("linear", "lower", "higher", "midpoint", "nearest")


def _check_q(fname, q, hi):
    # a q known now must lie in [0, hi] (a traced q is not checked)
    c = concrete_or_none(q)
    if c is not None:
        qv = np.asarray(c)
        if np.any((qv < 0) | (qv > hi)) or np.any(np.isnan(qv)):
            raise ValueError(f"{fname}: q must be in [0, {hi}], got {qv.tolist()}")


def ptp(a, axis=None, keepdims=False):
    """Range of values (maximum minus minimum) along an axis.

    Example:
        >>> import funcnet.numpy as fnp
        >>> fnp.ptp(fnp.asarray([[1.0, 5.0], [2.0, -1.0]]), axis=1).tolist()
        [4.0, 3.0]
    """
    x = asarray_any(a)
    return _max(x, axis=axis, keepdims=keepdims) - _min(x, axis=axis, keepdims=keepdims)


def quantile(a, q, axis=None, method="linear", keepdims=False):
    """The ``q``-th quantiles of ``a`` along ``axis`` (NumPy's ``quantile``).

    Args:
        a: the data; integer data gives the default float dtype.
        q: a quantile or 1-D array of quantiles in [0, 1]; its dims come first in the result.
        axis: an int, or None for the flattened array.
        method: ``"linear"`` (default), ``"lower"``, ``"higher"``, ``"midpoint"`` or
            ``"nearest"`` (NumPy's names; ``nearest`` rounds half to even).
        keepdims: keep the reduced axis with length 1.

    Returns:
        An array of shape ``q.shape + reduced shape``. A NaN along the axis gives NaN.

    Raises:
        ValueError: an unknown ``method``, or a concrete ``q`` outside [0, 1].

    Example:
        >>> import funcnet.numpy as fnp
        >>> fnp.quantile(fnp.asarray([1.0, 2.0, 3.0, 4.0]), 0.25).item()
        1.75
    """
    if method not in _METHODS:
        raise ValueError(f"fnp.quantile: method must be one of {_METHODS}, got {method!r}")
    x = asarray_any(a)
    if x.dtype.kind not in "fc":
        x = x.astype(dtypes.default_float())
    qa = asarray_any(q).astype(x.dtype)
    if qa.ndim > 1:
        raise ValueError(f"fnp.quantile: q must be a scalar or 1-D, got shape {qa.shape}")
    _check_q("fnp.quantile", qa, 1)
    if axis is None:
        x, ax = ravel(x), 0
    else:
        ax = norm_axis("fnp.quantile", axis, x.ndim)
    n = x.shape[ax]
    if n == 0:
        raise ValueError(f"fnp.quantile: cannot take a quantile over an empty axis (array shape "
                         f"{tuple(asarray_any(a).shape)}, axis {axis})")
    s = sort(x, axis=ax)
    pos = qa * (n - 1)
    lo_f = floor(pos)
    if method == "lower":
        idx = (lo_f,)
    elif method == "higher":
        idx = (lo_f + (pos > lo_f),)
    elif method == "nearest":
        from ._elementwise import round as _round
        idx = (_round(pos),)
    else:
        idx = (lo_f, lo_f + (pos > lo_f))
    vals = [_take_q(s, i.astype("int32"), ax) for i in idx]
    if method == "linear":
        frac = _bcast_q(pos - lo_f, vals[0].ndim)
        out = vals[0] + (vals[1] - vals[0]) * frac
    elif method == "midpoint":
        out = (vals[0] + vals[1]) * 0.5
    else:
        out = vals[0]
    has_nan = _take_q(isnan(s).any(axis=ax, keepdims=True), qa.astype("int32") * 0, ax)
    out = where(has_nan, np.asarray(np.nan, out.dtype)[()], out)
    if keepdims:
        out = expand_dims(out, qa.ndim + (ax if axis is not None else 0))
        if axis is None:
            out = out.reshape(qa.shape + (1,) * asarray_any(a).ndim)
    return out


def _take_q(s, idx, ax):
    # the values at positions idx (shape q.shape) along ax, q's dims moved to the front
    out = take(s, idx, axis=ax)
    return moveaxis(out, tuple(range(ax, ax + idx.ndim)), tuple(range(idx.ndim))) \
        if idx.ndim else out


def _bcast_q(v, ndim):
    # a q-shaped array against a result of ndim dims whose leading dims are q's
    return v.reshape(v.shape + (1,) * (ndim - v.ndim))


def percentile(a, q, axis=None, method="linear", keepdims=False):
    """The ``q``-th percentiles (``q`` in [0, 100]): ``quantile(a, q / 100, ...)``.

    Example:
        >>> import funcnet.numpy as fnp
        >>> fnp.percentile(fnp.asarray([1.0, 2.0, 3.0, 4.0]), 50).item()
        2.5
    """
    qa = asarray_any(q)
    if qa.dtype.kind not in "fc":
        qa = qa.astype(dtypes.default_float())
    _check_q("fnp.percentile", qa, 100)
    return quantile(a, qa / 100.0, axis=axis, method=method, keepdims=keepdims)


def median(a, axis=None, keepdims=False):
    """The median along ``axis`` (the mean of the two middle values for an even count).

    Example:
        >>> import funcnet.numpy as fnp
        >>> fnp.median(fnp.asarray([[3.0, 1.0, 2.0], [4.0, 6.0, 5.0]]), axis=1).tolist()
        [2.0, 5.0]
    """
    return quantile(a, 0.5, axis=axis, keepdims=keepdims)


def average(a, axis=None, weights=None, returned=False, keepdims=False):
    """Weighted mean along ``axis`` (NumPy's ``average``); the plain mean without weights.

    Args:
        a: the data.
        axis: an int or None (all elements).
        weights: an array of ``a``'s shape, or 1-D of length ``a.shape[axis]``.
        returned: also return the sum of the weights.
        keepdims: keep the reduced axis with length 1.

    Raises:
        ValueError / TypeError: weights of another shape (both shapes named).

    Example:
        >>> import funcnet.numpy as fnp
        >>> fnp.average(fnp.asarray([1.0, 2.0, 4.0]), weights=fnp.asarray([1.0, 1.0, 2.0])).item()
        2.75
    """
    x = asarray_any(a)
    if x.dtype.kind not in "fc":
        x = x.astype(dtypes.default_float())
    if weights is None:
        from ._reductions import mean
        avg = mean(x, axis=axis, keepdims=keepdims)
        if not returned:
            return avg
        n = x.size if axis is None else x.shape[norm_axis("fnp.average", axis, x.ndim)]
        return avg, avg * 0 + n
    w = asarray_any(weights)
    if w.shape != x.shape:
        if axis is None:
            raise TypeError(f"fnp.average: weights of shape {w.shape} differ from a's shape "
                            f"{x.shape}; pass axis= for 1-D weights")
        ax = norm_axis("fnp.average", axis, x.ndim)
        if w.ndim != 1 or w.shape[0] != x.shape[ax]:
            raise ValueError(f"fnp.average: 1-D weights must have length a.shape[{axis}] = "
                             f"{x.shape[ax]}, got weights of shape {w.shape} for a of shape "
                             f"{x.shape}")
        w = w.reshape((-1,) + (1,) * (x.ndim - 1 - ax))
    wsum = _sum(w + x * 0, axis=axis, keepdims=keepdims)
    avg = _sum(x * w, axis=axis, keepdims=keepdims) / wsum
    return (avg, wsum) if returned else avg


def nansum(a, axis=None, dtype=None, keepdims=False):
    """Sum treating NaN as zero.

    Example:
        >>> import numpy as np, funcnet.numpy as fnp
        >>> fnp.nansum(fnp.asarray([1.0, np.nan, 2.0])).item()
        3.0
    """
    x = asarray_any(a)
    if x.dtype.kind in "fc":
        x = where(isnan(x), np.asarray(0, x.dtype)[()], x)
    return _sum(x, axis=axis, dtype=dtype, keepdims=keepdims)


def nanmean(a, axis=None, dtype=None, keepdims=False):
    """Mean of the non-NaN elements (NaN where all are NaN).

    Example:
        >>> import numpy as np, funcnet.numpy as fnp
        >>> fnp.nanmean(fnp.asarray([1.0, np.nan, 2.0])).item()
        1.5
    """
    x = asarray_any(a)
    if x.dtype.kind not in "fc":
        from ._reductions import mean
        return mean(x, axis=axis, dtype=dtype, keepdims=keepdims)
    ok = ~isnan(x)
    total = nansum(x, axis=axis, dtype=dtype, keepdims=keepdims)
    count = _sum(ok, axis=axis, keepdims=keepdims).astype(total.dtype)
    return total / count


def interp(x, xp, fp, left=None, right=None):
    """Piecewise-linear interpolation of the points ``(xp, fp)`` at ``x`` (NumPy's ``interp``).

    Args:
        x: where to evaluate.
        xp: increasing 1-D x-coordinates (not checked, as in NumPy).
        fp: 1-D values at ``xp``, the same length.
        left, right: the values for ``x < xp[0]`` and ``x > xp[-1]`` (default ``fp[0]`` and
            ``fp[-1]``).

    Example:
        >>> import funcnet.numpy as fnp
        >>> fnp.interp(fnp.asarray([0.5, 3.0]), fnp.asarray([0.0, 1.0, 2.0]),
        ...            fnp.asarray([0.0, 10.0, 0.0])).tolist()
        [5.0, 0.0]
    """
    from ._array_api import searchsorted
    from ._elementwise import clip
    xv, xpv, fpv = asarray_any(x), asarray_any(xp), asarray_any(fp)
    if xpv.ndim != 1 or fpv.ndim != 1 or xpv.shape[0] != fpv.shape[0] or xpv.shape[0] == 0:
        raise ValueError(f"fnp.interp: xp and fp must be 1-D of the same non-zero length, got "
                         f"shapes {xpv.shape} and {fpv.shape}")
    dt = dtypes.default_float() if fpv.dtype.kind not in "fc" else fpv.dtype
    xv, xpv, fpv = (v.astype(dt) if v.dtype.kind not in "fc" else v for v in (xv, xpv, fpv))
    n = xpv.shape[0]
    if n == 1:
        out = fpv[0] + xv * 0
    else:
        hi = clip(searchsorted(xpv, xv, side="right"), 1, n - 1)
        x0, x1 = take(xpv, hi - 1), take(xpv, hi)
        f0, f1 = take(fpv, hi - 1), take(fpv, hi)
        out = f0 + (xv - x0) * ((f1 - f0) / (x1 - x0))
        out = where(xv == xpv[n - 1], fpv[n - 1], out)
    out = where(xv < xpv[0], fpv[0] if left is None else left, out)
    return where(xv > xpv[n - 1], fpv[n - 1] if right is None else right, out)
