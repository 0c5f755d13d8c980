"""funcnet.nn.metrics: metrics as pure functions and as streaming ``(init, update, result)``.

Pure functions take ``(y_true, y_pred)`` (Keras order) and return a scalar over the whole
batch. :func:`get` returns a :class:`Metric`, whose state is a small pytree of sufficient
statistics (sums, counts, Chan's running mean / M2 for ``r2_score``), so the result over a data
set does not depend on how it is batched, and ``update`` can run inside a jitted step::

    m = metrics.get("rmse")
    s = m.init()
    for x, y in batches:
        s = m.update(s, y, predict(x))
    m.result(s)

Example:
    >>> import funcnet.numpy as fnp
    >>> from funcnet.nn import metrics
    >>> y, p = fnp.asarray([1.0, 2.0, 3.0, 4.0]), fnp.asarray([1.0, 2.0, 3.0, 6.0])
    >>> m = metrics.get("rmse")
    >>> s = m.update(m.update(m.init(), y[:1], p[:1]), y[1:], p[1:])
    >>> m.result(s).item(), metrics.rmse(y, p).item()
    (1.0, 1.0)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..core import dtypes
from ..errors import ShapeError

__all__ = [
    "accuracy", "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
    "top_k_accuracy", "precision", "recall", "f1", "mse", "rmse", "mae", "r2_score",
    "mean_squared_error", "root_mean_squared_error", "mean_absolute_error", "f1_score",
    "Metric", "Mean", "get", "names",
]


def _fnp():
    import funcnet.numpy as fnp
    return fnp


def _float(x):
    fnp = _fnp()
    x = fnp.asarray(x)
    return x if dtypes.is_inexact(x.dtype) else x.astype(dtypes.default_float())


def _fdt():
    return dtypes.default_float()


# --------------------------------------------------------------------------------------------
# per-sample values (shared by the pure functions and the streaming metrics)
# --------------------------------------------------------------------------------------------

def _squeeze_labels(t, p):
    fnp = _fnp()
    if t.ndim == p.ndim and t.ndim > 1 and t.shape[-1] == 1 and p.shape[-1] > 1:
        t = fnp.squeeze(t, -1)
    return t


def _binary_values(y_true, y_pred, threshold=0.5):
    fnp = _fnp()
    t, p = fnp.asarray(y_true), fnp.asarray(y_pred)
    if t.ndim == p.ndim + 1 and t.shape[-1] == 1:
        t = fnp.squeeze(t, -1)
    elif p.ndim == t.ndim + 1 and p.shape[-1] == 1:
        p = fnp.squeeze(p, -1)
    pred = p > threshold if dtypes.is_inexact(p.dtype) else p.astype(bool)
    return (pred == (t.astype(_fdt()) > 0.5)).astype(_fdt())


def _categorical_values(y_true, y_pred):
    fnp = _fnp()
    t, p = fnp.asarray(y_true), fnp.asarray(y_pred)
    if tuple(t.shape) != tuple(p.shape):
        raise ShapeError(f"nn.metrics.categorical_accuracy: y_true {tuple(t.shape)} and y_pred "
                         f"{tuple(p.shape)} must have the same shape (one-hot targets)")
    return (fnp.argmax(t, axis=-1) == fnp.argmax(p, axis=-1)).astype(_fdt())


def _sparse_values(y_true, y_pred):
    fnp = _fnp()
    t, p = fnp.asarray(y_true), fnp.asarray(y_pred)
    t = _squeeze_labels(t, p)
    if tuple(t.shape) != tuple(p.shape[:-1]):
        raise ShapeError(f"nn.metrics.sparse_categorical_accuracy: y_true {tuple(t.shape)} must "
                         f"hold one label per row of y_pred {tuple(p.shape)}")
    return (t.astype(dtypes.default_int()) == fnp.argmax(p, axis=-1)).astype(_fdt())


def _accuracy_values(y_true, y_pred):
    fnp = _fnp()
    t, p = fnp.asarray(y_true), fnp.asarray(y_pred)
    single = p.ndim <= 1 or p.shape[-1] == 1
    if dtypes.is_inexact(p.dtype) and single and t.size == p.size:
        return _binary_values(t, p)
    if p.ndim == t.ndim + 1 or (p.ndim == t.ndim and p.ndim > 1 and t.shape[-1] == 1
                                and p.shape[-1] > 1):
        return _sparse_values(t, p)
    if tuple(t.shape) == tuple(p.shape):
        if not dtypes.is_inexact(p.dtype):
            return (t == p).astype(_fdt())
        return _categorical_values(t, p)
    raise ShapeError(f"nn.metrics.accuracy: cannot compare y_true {tuple(t.shape)} with y_pred "
                     f"{tuple(p.shape)}: expected labels (..., ) with scores (..., classes), "
                     f"or equal shapes")


def _top_k_values(y_true, y_pred, k=5):
    fnp = _fnp()
    t, p = fnp.asarray(y_true), _float(y_pred)
    if t.ndim == p.ndim and t.shape[-1] == p.shape[-1] and p.shape[-1] > 1:
        t = fnp.argmax(t, axis=-1)
    t = _squeeze_labels(t, p)
    if tuple(t.shape) != tuple(p.shape[:-1]):
        raise ShapeError(f"nn.metrics.top_k_accuracy: y_true {tuple(t.shape)} does not fit "
                         f"y_pred {tuple(p.shape)}")
    true_score = fnp.take_along_axis(p, fnp.expand_dims(t.astype(dtypes.default_int()), -1),
                                     axis=-1)
    # TensorFlow's in_top_k: a class is in the top k if fewer than k classes score higher
    higher = fnp.sum((p > true_score).astype(dtypes.default_int()), axis=-1)
    return (higher < k).astype(_fdt())


def _reg_pair(fname, y_true, y_pred):
    fnp = _fnp()
    t, p = _float(y_true), _float(y_pred)
    if t.ndim == p.ndim + 1 and t.shape[-1] == 1:
        t = fnp.squeeze(t, -1)
    elif p.ndim == t.ndim + 1 and p.shape[-1] == 1:
        p = fnp.squeeze(p, -1)
    if tuple(t.shape) != tuple(p.shape):
        raise ShapeError(f"nn.metrics.{fname}: y_true {tuple(t.shape)} and y_pred "
                         f"{tuple(p.shape)} must have the same shape")
    return t.astype(p.dtype), p


def _sq_values(y_true, y_pred):
    t, p = _reg_pair("mse", y_true, y_pred)
    return _fnp().square(t - p)


def _abs_values(y_true, y_pred):
    t, p = _reg_pair("mae", y_true, y_pred)
    return _fnp().abs(t - p)


def _weighted_mean_stats(values, sample_weight):
    # sums over every element; a per-sample weight multiplies all the sample's elements
    fnp = _fnp()
    values = _float(values)
    if sample_weight is None:
        return fnp.sum(values), fnp.asarray(float(values.size), values.dtype)
    w = _float(sample_weight).astype(values.dtype)
    while w.ndim > values.ndim and w.shape[-1] == 1:
        w = fnp.squeeze(w, -1)
    while w.ndim < values.ndim:
        w = fnp.expand_dims(w, -1)
    w = fnp.broadcast_to(w, values.shape)
    return fnp.sum(values * w), fnp.sum(w)


def _confusion(y_true, y_pred, threshold, sample_weight):
    fnp = _fnp()
    t, p = fnp.asarray(y_true), fnp.asarray(y_pred)
    if t.ndim == p.ndim + 1 and t.shape[-1] == 1:
        t = fnp.squeeze(t, -1)
    elif p.ndim == t.ndim + 1 and p.shape[-1] == 1:
        p = fnp.squeeze(p, -1)
    pred = (p > threshold) if dtypes.is_inexact(p.dtype) else p.astype(bool)
    true = t.astype(bool) if not dtypes.is_inexact(t.dtype) else t > 0.5
    dt = _fdt()
    w = 1.0 if sample_weight is None else _float(sample_weight).reshape(
        tuple(np.shape(sample_weight)) + (1,) * (pred.ndim - np.ndim(sample_weight)))
    tp = fnp.sum(fnp.logical_and(pred, true).astype(dt) * w)
    fp = fnp.sum(fnp.logical_and(pred, fnp.logical_not(true)).astype(dt) * w)
    fn = fnp.sum(fnp.logical_and(fnp.logical_not(pred), true).astype(dt) * w)
    return tp, fp, fn


def _safe_div(a, b):
    # sklearn's zero_division: 0 when the denominator is 0
    fnp = _fnp()
    ok = b > 0
    return fnp.where(ok, a / fnp.where(ok, b, fnp.ones((), b.dtype)), fnp.zeros((), a.dtype))


# --------------------------------------------------------------------------------------------
# pure functions
# --------------------------------------------------------------------------------------------

def _mean_of(values, sample_weight):
    total, count = _weighted_mean_stats(values, sample_weight)
    return total / count


def accuracy(y_true, y_pred, sample_weight=None):
    """Accuracy, choosing the comparison the way Keras' ``metrics=["accuracy"]`` does.

    Integer labels with class scores (``(N,)`` or ``(N, 1)`` vs ``(N, C)``) → sparse
    categorical; same-shape float scores with ``C > 1`` → categorical (argmax);
    same-shape single scores → binary (threshold 0.5); integer predictions → equality.

    Args:
        y_true: labels.
        y_pred: predictions / scores.
        sample_weight: optional per-sample weights.

    Returns:
        The fraction of correct predictions (a scalar).

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet.nn import metrics
        >>> metrics.accuracy(fnp.asarray([0, 1]), fnp.asarray([[0.9, 0.1], [0.8, 0.2]])).item()
        0.5
    """
    return _mean_of(_accuracy_values(y_true, y_pred), sample_weight)


def binary_accuracy(y_true, y_pred, threshold=0.5, sample_weight=None):
    """Fraction of ``(y_pred > threshold) == y_true``.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet.nn import metrics
        >>> metrics.binary_accuracy(fnp.asarray([1.0, 0.0]), fnp.asarray([0.7, 0.6])).item()
        0.5
    """
    return _mean_of(_binary_values(y_true, y_pred, threshold), sample_weight)


def categorical_accuracy(y_true, y_pred, sample_weight=None):
    """Fraction of rows where ``argmax(y_pred) == argmax(y_true)`` (one-hot targets).

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet.nn import metrics
        >>> metrics.categorical_accuracy(fnp.asarray([[0.0, 1.0]]), fnp.asarray([[0.3, 0.7]])
        ...                              ).item()
        1.0
    """
    return _mean_of(_categorical_values(y_true, y_pred), sample_weight)


def sparse_categorical_accuracy(y_true, y_pred, sample_weight=None):
    """Fraction of rows where ``argmax(y_pred) == y_true`` (integer labels).

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet.nn import metrics
        >>> metrics.sparse_categorical_accuracy(fnp.asarray([1]), fnp.asarray([[0.3, 0.7]])
        ...                                     ).item()
        1.0
    """
    return _mean_of(_sparse_values(y_true, y_pred), sample_weight)


def top_k_accuracy(y_true, y_pred, k=5, sample_weight=None):
    """Fraction of rows whose true class is among the ``k`` highest scores (labels or one-hot).

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet.nn import metrics
        >>> p = fnp.asarray([[0.1, 0.5, 0.4], [0.6, 0.3, 0.1]])
        >>> metrics.top_k_accuracy(fnp.asarray([2, 2]), p, k=2).item()
        0.5
    """
    return _mean_of(_top_k_values(y_true, y_pred, k), sample_weight)


def precision(y_true, y_pred, threshold=0.5, sample_weight=None):
    """Binary precision ``tp / (tp + fp)`` (0 when nothing is predicted positive, like sklearn).

    Float predictions are thresholded at ``threshold``; integer / bool ones are used as is.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet.nn import metrics
        >>> metrics.precision(fnp.asarray([1, 0, 1]), fnp.asarray([1, 1, 0])).item()
        0.5
    """
    tp, fp, _ = _confusion(y_true, y_pred, threshold, sample_weight)
    return _safe_div(tp, tp + fp)


def recall(y_true, y_pred, threshold=0.5, sample_weight=None):
    """Binary recall ``tp / (tp + fn)`` (0 when there are no positives, like sklearn).

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet.nn import metrics
        >>> metrics.recall(fnp.asarray([1, 0, 1]), fnp.asarray([1, 1, 0])).item()
        0.5
    """
    tp, _, fn = _confusion(y_true, y_pred, threshold, sample_weight)
    return _safe_div(tp, tp + fn)


def f1(y_true, y_pred, threshold=0.5, sample_weight=None):
    """Binary F1 score ``2 tp / (2 tp + fp + fn)`` (0 when undefined, like sklearn).

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet.nn import metrics
        >>> metrics.f1(fnp.asarray([1, 0, 1]), fnp.asarray([1, 1, 0])).item()
        0.5
    """
    tp, fp, fn = _confusion(y_true, y_pred, threshold, sample_weight)
    return _safe_div(2 * tp, 2 * tp + fp + fn)


def mse(y_true, y_pred, sample_weight=None):
    """Mean squared error over every element.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet.nn import metrics
        >>> metrics.mse(fnp.asarray([0.0, 0.0]), fnp.asarray([1.0, 3.0])).item()
        5.0
    """
    return _mean_of(_sq_values(y_true, y_pred), sample_weight)


def rmse(y_true, y_pred, sample_weight=None):
    """Root mean squared error ``sqrt(mse)``.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet.nn import metrics
        >>> metrics.rmse(fnp.asarray([0.0, 0.0]), fnp.asarray([3.0, 3.0])).item()
        3.0
    """
    return _fnp().sqrt(mse(y_true, y_pred, sample_weight))


def mae(y_true, y_pred, sample_weight=None):
    """Mean absolute error over every element.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet.nn import metrics
        >>> metrics.mae(fnp.asarray([0.0, 0.0]), fnp.asarray([1.0, -3.0])).item()
        2.0
    """
    return _mean_of(_abs_values(y_true, y_pred), sample_weight)


def _r2_from(n, mean, m2, ss_res, multioutput):
    # sklearn: 1 - SS_res / SS_tot per output; SS_tot == 0 gives 1.0 (perfect) or 0.0
    fnp = _fnp()
    one, zero = fnp.ones((), m2.dtype), fnp.zeros((), m2.dtype)
    nz = m2 != 0
    raw = fnp.where(nz, 1 - ss_res / fnp.where(nz, m2, one), fnp.where(ss_res == 0, one, zero))
    if raw.ndim == 0 or multioutput == "raw_values":
        return raw
    if multioutput == "uniform_average":
        return fnp.mean(raw)
    if multioutput == "variance_weighted":
        tot = fnp.sum(m2)
        return fnp.where(tot != 0, fnp.sum(raw * m2) / fnp.where(tot != 0, tot, one),
                         fnp.mean(raw))
    raise ValueError(f"nn.metrics.r2_score: multioutput must be 'uniform_average', "
                     f"'raw_values' or 'variance_weighted', got {multioutput!r}")


def _r2_batch_stats(y_true, y_pred, sample_weight):
    fnp = _fnp()
    t, p = _reg_pair("r2_score", y_true, y_pred)
    if t.ndim == 0 or t.ndim > 2:
        raise ShapeError(f"nn.metrics.r2_score: expected y of shape (n,) or (n, outputs), got "
                         f"{tuple(t.shape)}")
    if sample_weight is None:
        w = fnp.ones((t.shape[0],), t.dtype)
    else:
        w = _float(sample_weight).astype(t.dtype).reshape((t.shape[0],))
    if t.ndim == 2:
        w = w[:, None]
    n = fnp.sum(w, axis=0) * fnp.ones(t.shape[1:], t.dtype)
    safe_n = fnp.where(n > 0, n, fnp.ones((), t.dtype))
    mean = fnp.sum(w * t, axis=0) / safe_n
    m2 = fnp.sum(w * fnp.square(t - mean), axis=0)
    ss_res = fnp.sum(w * fnp.square(t - p), axis=0)
    return n, mean, m2, ss_res


def r2_score(y_true, y_pred, sample_weight=None, multioutput="uniform_average"):
    """Coefficient of determination, as scikit-learn computes it.

    ``1 - SS_res / SS_tot`` per output (``SS_tot`` around the weighted mean of ``y_true``);
    when ``y_true`` is constant (``SS_tot == 0``) the score is 1.0 for perfect predictions and
    0.0 otherwise (sklearn's ``force_finite=True``).

    Args:
        y_true: targets, ``(n,)`` or ``(n, outputs)``.
        y_pred: predictions of the same shape.
        sample_weight: optional ``(n,)`` weights.
        multioutput: ``"uniform_average"`` (default), ``"raw_values"`` or
            ``"variance_weighted"``.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet.nn import metrics
        >>> metrics.r2_score(fnp.asarray([1.0, 2.0, 3.0]), fnp.asarray([1.0, 2.0, 4.0])).item()
        0.5
    """
    n, mean, m2, ss_res = _r2_batch_stats(y_true, y_pred, sample_weight)
    return _r2_from(n, mean, m2, ss_res, multioutput)


mean_squared_error = mse
mean_absolute_error = mae
root_mean_squared_error = rmse
f1_score = f1


# --------------------------------------------------------------------------------------------
# streaming metrics
# --------------------------------------------------------------------------------------------

class Metric:
    """A metric as a pure streaming triple plus its batch function.

    ``state = m.init()``; ``state = m.update(state, y_true, y_pred, sample_weight=None)``;
    ``value = m.result(state)``; ``m(y_true, y_pred)`` is the pure batch function. The state is
    a dict of arrays (a pytree), so ``update`` works inside ``jit``; ``m.merge(a, b)`` combines
    two states (e.g. from two shards).

    Args:
        name: the metric's name (used for History keys).
        fn: the pure function ``fn(y_true, y_pred, sample_weight=None)``.
        init, update, result, merge: the streaming functions.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet.nn import metrics
        >>> m = metrics.get("accuracy")
        >>> s = m.update(m.init(), fnp.asarray([1, 0]), fnp.asarray([[0.2, 0.8], [0.4, 0.6]]))
        >>> m.result(s).item()
        0.5
    """

    def __init__(self, name: str, fn: Callable, init: Callable, update: Callable,
                 result: Callable, merge: Callable):
        self.name = name
        self.fn = fn
        self._init, self._update, self._result, self._merge = init, update, result, merge

    def init(self) -> dict:
        """The empty state."""
        return self._init()

    def update(self, state: dict, y_true, y_pred=None, sample_weight=None) -> dict:
        """The state after one more batch."""
        return self._update(state, y_true, y_pred, sample_weight)

    def result(self, state: dict):
        """The metric over everything seen so far."""
        return self._result(state)

    def merge(self, a: dict, b: dict) -> dict:
        """The state of the union of two disjoint streams."""
        return self._merge(a, b)

    def __call__(self, y_true, y_pred, sample_weight=None):
        return self.fn(y_true, y_pred, sample_weight=sample_weight)

    def __repr__(self):
        return f"Metric({self.name!r})"


def _zero():
    return _fnp().zeros((), _fdt())


def _mean_metric(name, values_fn, fn, post=None):
    def init():
        return {"total": _zero(), "count": _zero()}

    def update(state, y_true, y_pred, sample_weight=None):
        total, count = _weighted_mean_stats(values_fn(y_true, y_pred), sample_weight)
        return {"total": state["total"] + total.astype(state["total"].dtype),
                "count": state["count"] + count.astype(state["count"].dtype)}

    def result(state):
        fnp = _fnp()
        c = state["count"]
        r = fnp.where(c > 0, state["total"] / fnp.where(c > 0, c, fnp.ones((), c.dtype)),
                      fnp.zeros((), c.dtype))
        return post(r) if post else r

    def merge(a, b):
        return {"total": a["total"] + b["total"], "count": a["count"] + b["count"]}

    return Metric(name, fn, init, update, result, merge)


def _confusion_metric(name, fn, threshold=0.5):
    def init():
        return {"tp": _zero(), "fp": _zero(), "fn": _zero()}

    def update(state, y_true, y_pred, sample_weight=None):
        tp, fp, fn_ = _confusion(y_true, y_pred, threshold, sample_weight)
        return {"tp": state["tp"] + tp, "fp": state["fp"] + fp, "fn": state["fn"] + fn_}

    def result(state):
        tp, fp, fn_ = state["tp"], state["fp"], state["fn"]
        if name == "precision":
            return _safe_div(tp, tp + fp)
        if name == "recall":
            return _safe_div(tp, tp + fn_)
        return _safe_div(2 * tp, 2 * tp + fp + fn_)

    def merge(a, b):
        return {k: a[k] + b[k] for k in a}

    def f(y_true, y_pred, sample_weight=None):
        return fn(y_true, y_pred, threshold=threshold, sample_weight=sample_weight)

    return Metric(name, f, init, update, result, merge)


def _chan(a, b):
    # Chan et al.'s parallel merge of (count, mean, M2): exact, and stable in float32
    fnp = _fnp()
    n = a["n"] + b["n"]
    safe = fnp.where(n > 0, n, fnp.ones((), n.dtype))
    delta = b["mean"] - a["mean"]
    mean = a["mean"] + delta * (b["n"] / safe)
    m2 = a["m2"] + b["m2"] + delta * delta * (a["n"] * b["n"] / safe)
    return {"n": n, "mean": mean, "m2": m2, "ss_res": a["ss_res"] + b["ss_res"]}


def _r2_metric(multioutput="uniform_average", num_outputs=None):
    # The state's shape follows the first batch's outputs; pass num_outputs for a jitted loop
    # over (n, k) targets so that init() already has the final shape.
    shape = () if num_outputs is None else (int(num_outputs),)

    def init():
        z = _fnp().zeros(shape, _fdt())
        return {"n": z, "mean": z, "m2": z, "ss_res": z}

    def update(state, y_true, y_pred, sample_weight=None):
        n, mean, m2, ss_res = _r2_batch_stats(y_true, y_pred, sample_weight)
        return _chan(state, {"n": n, "mean": mean, "m2": m2, "ss_res": ss_res})

    def result(state):
        return _r2_from(state["n"], state["mean"], state["m2"], state["ss_res"], multioutput)

    def f(y_true, y_pred, sample_weight=None):
        return r2_score(y_true, y_pred, sample_weight, multioutput)

    return Metric("r2_score", f, init, update, result, _chan)


def Mean(name: str = "mean") -> Metric:
    """A streaming (weighted) mean of values: ``update(state, values, sample_weight=None)``.

    Handy for tracking a loss over an epoch (``y_pred`` is ignored; pass the values as
    ``y_true``).

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet.nn import metrics
        >>> m = metrics.Mean()
        >>> s = m.update(m.update(m.init(), fnp.asarray([1.0, 2.0])), fnp.asarray([6.0]))
        >>> m.result(s).item()
        3.0
    """
    def values(y_true, y_pred):
        return _float(y_true)

    def fn(y_true, y_pred=None, sample_weight=None):
        return _mean_of(values(y_true, None), sample_weight)

    m = _mean_metric(name, values, fn)
    orig = m._update
    m._update = lambda state, v, y_pred=None, sample_weight=None: orig(state, v, None,
                                                                       sample_weight)
    return m


def _topk_metric(k=5):
    return _mean_metric("top_k_accuracy", lambda t, p: _top_k_values(t, p, k),
                        lambda t, p, sample_weight=None: top_k_accuracy(t, p, k, sample_weight))


def _binacc_metric(threshold=0.5):
    return _mean_metric("binary_accuracy", lambda t, p: _binary_values(t, p, threshold),
                        lambda t, p, sample_weight=None: binary_accuracy(t, p, threshold,
                                                                         sample_weight))


_MAKERS: dict[str, Callable[..., Metric]] = {
    "accuracy": lambda: _mean_metric("accuracy", _accuracy_values, accuracy),
    "binary_accuracy": _binacc_metric,
    "categorical_accuracy": lambda: _mean_metric("categorical_accuracy", _categorical_values,
                                                 categorical_accuracy),
    "sparse_categorical_accuracy": lambda: _mean_metric(
        "sparse_categorical_accuracy", _sparse_values, sparse_categorical_accuracy),
    "top_k_accuracy": _topk_metric,
    "precision": lambda threshold=0.5: _confusion_metric("precision", precision, threshold),
    "recall": lambda threshold=0.5: _confusion_metric("recall", recall, threshold),
    "f1": lambda threshold=0.5: _confusion_metric("f1", f1, threshold),
    "mse": lambda: _mean_metric("mse", _sq_values, mse),
    "rmse": lambda: _mean_metric("rmse", _sq_values, rmse, post=lambda r: _fnp().sqrt(r)),
    "mae": lambda: _mean_metric("mae", _abs_values, mae),
    "r2_score": _r2_metric,
}
_ALIASES = {
    "acc": "accuracy", "Accuracy": "accuracy",
    "BinaryAccuracy": "binary_accuracy", "CategoricalAccuracy": "categorical_accuracy",
    "SparseCategoricalAccuracy": "sparse_categorical_accuracy",
    "top_k_categorical_accuracy": "top_k_accuracy",
    "sparse_top_k_categorical_accuracy": "top_k_accuracy",
    "TopKCategoricalAccuracy": "top_k_accuracy",
    "SparseTopKCategoricalAccuracy": "top_k_accuracy",
    "Precision": "precision", "Recall": "recall", "f1_score": "f1", "F1Score": "f1",
    "mean_squared_error": "mse", "MeanSquaredError": "mse", "MSE": "mse",
    "root_mean_squared_error": "rmse", "RootMeanSquaredError": "rmse", "RMSE": "rmse",
    "mean_absolute_error": "mae", "MeanAbsoluteError": "mae", "MAE": "mae",
    "r2": "r2_score", "R2Score": "r2_score",
}


def names() -> list[str]:
    """Every name :func:`get` accepts.

    Example:
        >>> from funcnet.nn import metrics
        >>> "rmse" in metrics.names()
        True
    """
    return sorted(set(_MAKERS) | set(_ALIASES))


def get(identifier: Any, **kwargs) -> Metric:
    """The streaming :class:`Metric` for a name (Keras names and aliases accepted).

    Args:
        identifier: ``"accuracy"``, ``"rmse"``, ``"r2_score"``, ``"RootMeanSquaredError"``...,
            a :class:`Metric` (returned as is), or a function ``f(y_true, y_pred)``
            (streamed as a per-batch weighted mean).
        **kwargs: options of the metric (``k=`` for top_k_accuracy, ``threshold=`` for the
            binary metrics, ``multioutput=`` / ``num_outputs=`` for r2_score).

    Returns:
        A :class:`Metric`.

    Raises:
        ValueError: for an unknown name, listing the valid ones.

    Example:
        >>> from funcnet.nn import metrics
        >>> metrics.get("RootMeanSquaredError").name
        'rmse'
    """
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, str):
        key = _ALIASES.get(identifier, identifier)
        make = _MAKERS.get(key)
        if make is None:
            raise ValueError(f"nn.metrics.get: unknown metric {identifier!r}; valid names: "
                             f"{', '.join(names())}")
        return make(**kwargs)
    if callable(identifier):
        fn = identifier
        name = getattr(fn, "__name__", "metric")

        def values(t, p):
            return _float(fn(t, p))

        return _mean_metric(name, values, lambda t, p, sample_weight=None: _mean_of(
            values(t, p), sample_weight))
    raise TypeError(f"nn.metrics.get: expected a metric name or a callable, got {identifier!r}")
