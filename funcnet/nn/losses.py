"""funcnet.nn.losses: loss functions with Keras semantics.

Every loss takes Keras' argument order ``(y_true, y_pred)``, computes one value per sample
(averaging over the last axis where Keras does), then reduces: ``reduction="mean"`` (Keras'
``"sum_over_batch_size"``, the default: ``sum(sample_weight * loss) / number of samples``),
``"sum"``, ``"none"`` (per-sample values, weighted), or ``"mean_with_sample_weight"``
(``sum(w * loss) / sum(w)``). Cross-entropies take ``from_logits=`` and are stable for logits
of any size; ``from_logits=True`` on concrete inputs that look like probabilities warns.

The Keras classes (``MeanSquaredError()``, ``SparseCategoricalCrossentropy(from_logits=True)``
...) are callables ``loss(y_true, y_pred, sample_weight=None)`` with the same options, and
:func:`get` resolves string names and aliases (``"mse"``, ``"sparse_categorical_crossentropy"``).

Example:
    >>> import funcnet.numpy as fnp
    >>> from funcnet.nn import losses
    >>> losses.mean_squared_error(fnp.asarray([[0.0, 1.0]]), fnp.asarray([[1.0, 1.0]])).item()
    0.5
    >>> losses.get("mse") is losses.mean_squared_error
    True
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable

import numpy as np

from ..core import dtypes
from ..core.trace import Tracer, concrete_or_none
from ..errors import ShapeError
from . import activations as _act

__all__ = [
    "mean_squared_error", "mean_absolute_error", "huber", "binary_crossentropy",
    "categorical_crossentropy", "sparse_categorical_crossentropy", "kl_divergence", "hinge",
    "cosine_similarity", "mse", "mae", "kld", "get",
    "Loss", "MeanSquaredError", "MeanAbsoluteError", "Huber", "BinaryCrossentropy",
    "CategoricalCrossentropy", "SparseCategoricalCrossentropy", "KLDivergence", "Hinge",
    "CosineSimilarity",
]

_EPS = 1e-7  # Keras' backend epsilon, used to clip probabilities
_REDUCTIONS = ("mean", "sum_over_batch_size", "sum", "none", "mean_with_sample_weight")


def _fnp():
    import funcnet.numpy as fnp
    return fnp


def _concrete(x):
    c = concrete_or_none(x) if isinstance(x, Tracer) else x
    return None if c is None else np.asarray(c)


def _pred(fname, y_pred):
    fnp = _fnp()
    y = fnp.asarray(y_pred)
    if not dtypes.is_inexact(y.dtype):
        y = y.astype(dtypes.default_float())
    return y


def _match(fname, y_true, y_pred):
    """y_true cast to y_pred's dtype, with Keras' squeeze of a trailing size-1 dim."""
    fnp = _fnp()
    y_pred = _pred(fname, y_pred)
    y_true = fnp.asarray(y_true).astype(y_pred.dtype)
    if y_true.ndim == y_pred.ndim + 1 and y_true.shape[-1] == 1:
        y_true = fnp.squeeze(y_true, -1)
    elif y_pred.ndim == y_true.ndim + 1 and y_pred.shape[-1] == 1:
        y_pred = fnp.squeeze(y_pred, -1)
    if tuple(y_true.shape) != tuple(y_pred.shape):
        raise ShapeError(f"nn.losses.{fname}: y_true has shape {tuple(y_true.shape)} but "
                         f"y_pred has shape {tuple(y_pred.shape)}; they must match (Keras order "
                         f"is loss(y_true, y_pred))")
    return y_true, y_pred


def _per_sample(x, axis=-1):
    # Keras averages over the last axis; 1-D inputs hold one value per sample
    return _fnp().mean(x, axis=axis) if x.ndim > 1 else x


def _reduce(fname, values, reduction, sample_weight):
    fnp = _fnp()
    if reduction is None:
        reduction = "none"
    if reduction not in _REDUCTIONS:
        raise ValueError(f"nn.losses.{fname}: reduction must be one of "
                         f"{', '.join(map(repr, _REDUCTIONS))}, got {reduction!r}")
    w = None
    if sample_weight is not None:
        w = fnp.asarray(sample_weight).astype(values.dtype)
        while w.ndim > values.ndim and w.shape[-1] == 1:
            w = fnp.squeeze(w, -1)
        while w.ndim < values.ndim:
            w = fnp.expand_dims(w, -1)
        try:
            w = fnp.broadcast_to(w, values.shape)
        except Exception:
            raise ShapeError(f"nn.losses.{fname}: sample_weight of shape "
                             f"{tuple(np.shape(sample_weight))} does not fit the per-sample "
                             f"losses of shape {tuple(values.shape)}") from None
        values = values * w
    if reduction == "none":
        return values
    total = fnp.sum(values)
    if reduction == "sum":
        return total
    if reduction == "mean_with_sample_weight" and w is not None:
        return total / fnp.sum(w)
    return total / max(values.size, 1)


def _warn_probabilities(fname, y_pred, axis, rows):
    c = _concrete(y_pred)
    if c is None or c.size < 2 or not np.all((c >= 0) & (c <= 1)):
        return
    if rows and (c.shape[axis] < 2 or not np.allclose(c.sum(axis=axis), 1.0, atol=1e-3)):
        return
    what = "all values in [0, 1] and rows summing to 1" if rows else "all values in [0, 1]"
    warnings.warn(
        f"nn.losses.{fname}: from_logits=True, but y_pred looks like probabilities ({what}); "
        f"did the model already apply {'softmax' if rows else 'sigmoid'}? Pass "
        f"from_logits=False for probabilities, or drop the final activation to feed logits.",
        UserWarning, stacklevel=3)


# --------------------------------------------------------------------------------------------
# loss functions
# --------------------------------------------------------------------------------------------

def mean_squared_error(y_true, y_pred, *, reduction="mean", sample_weight=None):
    """Mean of ``(y_true - y_pred) ** 2`` (over the last axis, then reduced over samples).

    Args:
        y_true: targets.
        y_pred: predictions, same shape (a trailing size-1 dim on either side is squeezed).
        reduction: ``"mean"`` (default), ``"sum"``, ``"none"`` or ``"mean_with_sample_weight"``.
        sample_weight: optional per-sample weights.

    Returns:
        A scalar (or per-sample values with ``reduction="none"``).

    Raises:
        ShapeError: when the shapes do not match.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet.nn import losses
        >>> losses.mean_squared_error(fnp.asarray([1.0, 2.0]), fnp.asarray([1.0, 4.0])).item()
        2.0
    """
    t, p = _match("mean_squared_error", y_true, y_pred)
    return _reduce("mean_squared_error", _per_sample(_fnp().square(p - t)), reduction,
                   sample_weight)


def mean_absolute_error(y_true, y_pred, *, reduction="mean", sample_weight=None):
    """Mean of ``|y_true - y_pred|``; see :func:`mean_squared_error` for the arguments.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet.nn import losses
        >>> losses.mean_absolute_error(fnp.asarray([1.0, 2.0]), fnp.asarray([0.0, 4.0])).item()
        1.5
    """
    t, p = _match("mean_absolute_error", y_true, y_pred)
    return _reduce("mean_absolute_error", _per_sample(_fnp().abs(p - t)), reduction,
                   sample_weight)


def huber(y_true, y_pred, *, delta=1.0, reduction="mean", sample_weight=None):
    """Huber loss: ``0.5 e**2`` for ``|e| <= delta``, else ``delta (|e| - 0.5 delta)``.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet.nn import losses
        >>> losses.huber(fnp.asarray([0.0, 0.0]), fnp.asarray([0.5, 3.0])).item()
        1.3125
    """
    fnp = _fnp()
    t, p = _match("huber", y_true, y_pred)
    err = fnp.abs(p - t)
    quad = fnp.minimum(err, delta)
    values = 0.5 * quad * quad + delta * (err - quad)
    return _reduce("huber", _per_sample(values), reduction, sample_weight)


def binary_crossentropy(y_true, y_pred, *, from_logits=False, label_smoothing=0.0, axis=-1,
                        reduction="mean", sample_weight=None):
    """Binary cross-entropy of 0/1 targets and probabilities (or logits).

    Args:
        y_true: targets in ``[0, 1]``.
        y_pred: probabilities, or logits with ``from_logits=True`` (stable for any size).
        from_logits: interpret ``y_pred`` as logits.
        label_smoothing: squeeze targets towards 0.5: ``y (1 - s) + 0.5 s``.
        axis: the axis averaged per sample.
        reduction, sample_weight: see :func:`mean_squared_error`.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet.nn import losses
        >>> round(losses.binary_crossentropy(fnp.asarray([1.0]), fnp.asarray([0.8])).item(), 4)
        0.2231
        >>> losses.binary_crossentropy(fnp.asarray([1.0]), fnp.asarray([1e4]),
        ...                            from_logits=True).item()
        0.0
    """
    fnp = _fnp()
    t, p = _match("binary_crossentropy", y_true, y_pred)
    if label_smoothing:
        t = t * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        _warn_probabilities("binary_crossentropy", p, axis, rows=False)
        values = _act.softplus(p) - p * t
    else:
        p = fnp.clip(p, _EPS, 1.0 - _EPS)
        values = -(t * fnp.log(p) + (1.0 - t) * fnp.log(1.0 - p))
    values = fnp.mean(values, axis=axis) if values.ndim > 1 else values
    return _reduce("binary_crossentropy", values, reduction, sample_weight)


def categorical_crossentropy(y_true, y_pred, *, from_logits=False, label_smoothing=0.0,
                             axis=-1, reduction="mean", sample_weight=None):
    """Cross-entropy of one-hot (or soft) targets and class probabilities (or logits).

    Args:
        y_true: one-hot or probability targets, shape ``(..., classes)``.
        y_pred: probabilities (renormalised and clipped to ``[1e-7, 1 - 1e-7]``, like Keras),
            or logits with ``from_logits=True`` (uses ``log_softmax``; finite for ±1e4).
        from_logits: interpret ``y_pred`` as logits.
        label_smoothing: mix targets with the uniform distribution: ``y (1 - s) + s / C``.
        axis: the class axis.
        reduction, sample_weight: see :func:`mean_squared_error`.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet.nn import losses
        >>> y = fnp.asarray([[0.0, 1.0]])
        >>> round(losses.categorical_crossentropy(y, fnp.asarray([[0.5, 0.5]])).item(), 4)
        0.6931
        >>> losses.categorical_crossentropy(y, fnp.asarray([[1e4, -1e4]]), from_logits=True
        ...                                 ).item()
        20000.0
    """
    fnp = _fnp()
    p = _pred("categorical_crossentropy", y_pred)
    t = fnp.asarray(y_true).astype(p.dtype)
    if tuple(t.shape) != tuple(p.shape):
        raise ShapeError(f"nn.losses.categorical_crossentropy: y_true has shape "
                         f"{tuple(t.shape)} but y_pred has shape {tuple(p.shape)}; y_true must "
                         f"be one-hot (use sparse_categorical_crossentropy for integer labels)")
    if label_smoothing:
        t = t * (1.0 - label_smoothing) + label_smoothing / p.shape[axis]
    if from_logits:
        _warn_probabilities("categorical_crossentropy", p, axis, rows=True)
        logp = _act.log_softmax(p, axis=axis)
    else:
        p = p / fnp.sum(p, axis=axis, keepdims=True)
        logp = fnp.log(fnp.clip(p, _EPS, 1.0 - _EPS))
    return _reduce("categorical_crossentropy", -fnp.sum(t * logp, axis=axis), reduction,
                   sample_weight)


def sparse_categorical_crossentropy(y_true, y_pred, *, from_logits=False, axis=-1,
                                    reduction="mean", sample_weight=None):
    """Cross-entropy of integer class labels and class probabilities (or logits).

    Args:
        y_true: integer labels, shape ``(...)`` or ``(..., 1)``.
        y_pred: probabilities or logits, shape ``(..., classes)``.
        from_logits: interpret ``y_pred`` as logits (stable for any size).
        axis: the class axis.
        reduction, sample_weight: see :func:`mean_squared_error`.

    Raises:
        ShapeError: when the label shape does not fit ``y_pred``.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet.nn import losses
        >>> logits = fnp.asarray([[2.0, 0.0, 0.0]])
        >>> round(losses.sparse_categorical_crossentropy(fnp.asarray([0]), logits,
        ...                                              from_logits=True).item(), 4)
        0.2395
    """
    fnp = _fnp()
    p = _pred("sparse_categorical_crossentropy", y_pred)
    t = fnp.asarray(y_true)
    if t.ndim == p.ndim and t.shape[-1] == 1:
        t = fnp.squeeze(t, -1)
    ax = axis % p.ndim
    expect = tuple(d for i, d in enumerate(p.shape) if i != ax)
    if tuple(t.shape) != expect:
        raise ShapeError(f"nn.losses.sparse_categorical_crossentropy: y_true has shape "
                         f"{tuple(np.shape(y_true))} but y_pred has shape {tuple(p.shape)}; "
                         f"expected integer labels of shape {expect} (use "
                         f"categorical_crossentropy for one-hot targets)")
    if not dtypes.is_int(t.dtype):
        t = t.astype(dtypes.default_int())
    if from_logits:
        _warn_probabilities("sparse_categorical_crossentropy", p, axis, rows=True)
        logp = _act.log_softmax(p, axis=ax)
    else:
        p = p / fnp.sum(p, axis=ax, keepdims=True)
        logp = fnp.log(fnp.clip(p, _EPS, 1.0 - _EPS))
    picked = fnp.take_along_axis(logp, fnp.expand_dims(t, ax), axis=ax)
    return _reduce("sparse_categorical_crossentropy", -fnp.squeeze(picked, ax), reduction,
                   sample_weight)


def kl_divergence(y_true, y_pred, *, reduction="mean", sample_weight=None):
    """Kullback-Leibler divergence ``sum(y_true * log(y_true / y_pred))`` over the last axis
    (both clipped to ``[1e-7, 1]``, like Keras).

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet.nn import losses
        >>> round(losses.kl_divergence(fnp.asarray([[0.5, 0.5]]), fnp.asarray([[0.9, 0.1]])
        ...                            ).item(), 4)
        0.5108
    """
    fnp = _fnp()
    t, p = _match("kl_divergence", y_true, y_pred)
    t = fnp.clip(t, _EPS, 1.0)
    p = fnp.clip(p, _EPS, 1.0)
    values = t * fnp.log(t / p)
    values = fnp.sum(values, axis=-1) if values.ndim > 1 else values
    return _reduce("kl_divergence", values, reduction, sample_weight)


def hinge(y_true, y_pred, *, reduction="mean", sample_weight=None):
    """Hinge loss ``mean(max(1 - y_true * y_pred, 0))``; 0/1 labels are mapped to -1/1 (Keras).

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet.nn import losses
        >>> losses.hinge(fnp.asarray([1.0, 0.0]), fnp.asarray([0.5, 0.5])).item()
        1.0
    """
    fnp = _fnp()
    t, p = _match("hinge", y_true, y_pred)
    binary = fnp.all(fnp.logical_or(t == 0, t == 1))
    t = fnp.where(binary, 2.0 * t - 1.0, t)
    return _reduce("hinge", _per_sample(fnp.maximum(1.0 - t * p, 0.0)), reduction,
                   sample_weight)


def _l2_normalize(x, axis):
    fnp = _fnp()
    return x / fnp.sqrt(fnp.maximum(fnp.sum(x * x, axis=axis, keepdims=True), 1e-12))


def cosine_similarity(y_true, y_pred, *, axis=-1, reduction="mean", sample_weight=None):
    """Negative cosine similarity along ``axis`` (Keras' loss: -1 is best, 0 orthogonal).

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet.nn import losses
        >>> losses.cosine_similarity(fnp.asarray([[1.0, 0.0]]), fnp.asarray([[2.0, 0.0]])
        ...                          ).item()
        -1.0
    """
    fnp = _fnp()
    t, p = _match("cosine_similarity", y_true, y_pred)
    values = -fnp.sum(_l2_normalize(t, axis) * _l2_normalize(p, axis), axis=axis)
    return _reduce("cosine_similarity", values, reduction, sample_weight)


mse = mean_squared_error
mae = mean_absolute_error
kld = kl_divergence


# --------------------------------------------------------------------------------------------
# Keras classes
# --------------------------------------------------------------------------------------------

class Loss:
    """A loss function with fixed options, called as ``loss(y_true, y_pred, sample_weight=None)``
    (the Keras class interface; the subclasses below mirror ``keras.losses``).

    Args:
        fn: the loss function.
        name: the loss name.
        **config: keyword options passed to ``fn`` (``reduction``, ``from_logits``...).

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet.nn import losses
        >>> loss = losses.MeanSquaredError()
        >>> loss(fnp.asarray([1.0]), fnp.asarray([3.0])).item()
        4.0
    """

    def __init__(self, fn: Callable, name: str | None = None, **config):
        self.fn = fn
        self.name = name or fn.__name__
        self.config = config

    def __call__(self, y_true, y_pred, sample_weight=None):
        return self.fn(y_true, y_pred, sample_weight=sample_weight, **self.config)

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.config.items())
        return f"{type(self).__name__}({args})"


class MeanSquaredError(Loss):
    """Keras ``MeanSquaredError(reduction="mean")``; see :func:`mean_squared_error`.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet.nn import losses
        >>> losses.MeanSquaredError()(fnp.asarray([0.0]), fnp.asarray([2.0])).item()
        4.0
    """

    def __init__(self, reduction="mean", name="mean_squared_error"):
        super().__init__(mean_squared_error, name, reduction=reduction)


class MeanAbsoluteError(Loss):
    """Keras ``MeanAbsoluteError(reduction="mean")``; see :func:`mean_absolute_error`.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet.nn import losses
        >>> losses.MeanAbsoluteError()(fnp.asarray([0.0]), fnp.asarray([2.0])).item()
        2.0
    """

    def __init__(self, reduction="mean", name="mean_absolute_error"):
        super().__init__(mean_absolute_error, name, reduction=reduction)


class Huber(Loss):
    """Keras ``Huber(delta=1.0, reduction="mean")``; see :func:`huber`.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet.nn import losses
        >>> losses.Huber(delta=2.0)(fnp.asarray([0.0]), fnp.asarray([3.0])).item()
        4.0
    """

    def __init__(self, delta=1.0, reduction="mean", name="huber_loss"):
        super().__init__(huber, name, delta=delta, reduction=reduction)


class BinaryCrossentropy(Loss):
    """Keras ``BinaryCrossentropy(from_logits=False, label_smoothing=0.0, axis=-1)``.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet.nn import losses
        >>> bce = losses.BinaryCrossentropy(from_logits=True)
        >>> round(bce(fnp.asarray([1.0]), fnp.asarray([-2.0])).item(), 4)
        2.1269
    """

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1, reduction="mean",
                 name="binary_crossentropy"):
        super().__init__(binary_crossentropy, name, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis, reduction=reduction)


class CategoricalCrossentropy(Loss):
    """Keras ``CategoricalCrossentropy(from_logits=False, label_smoothing=0.0, axis=-1)``.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet.nn import losses
        >>> cce = losses.CategoricalCrossentropy()
        >>> round(cce(fnp.asarray([[0.0, 1.0]]), fnp.asarray([[0.5, 0.5]])).item(), 4)
        0.6931
    """

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1, reduction="mean",
                 name="categorical_crossentropy"):
        super().__init__(categorical_crossentropy, name, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis, reduction=reduction)


class SparseCategoricalCrossentropy(Loss):
    """Keras ``SparseCategoricalCrossentropy(from_logits=False, axis=-1)``.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet.nn import losses
        >>> scce = losses.SparseCategoricalCrossentropy()
        >>> round(scce(fnp.asarray([1]), fnp.asarray([[0.5, 0.5]])).item(), 4)
        0.6931
    """

    def __init__(self, from_logits=False, axis=-1, reduction="mean",
                 name="sparse_categorical_crossentropy"):
        super().__init__(sparse_categorical_crossentropy, name, from_logits=from_logits,
                         axis=axis, reduction=reduction)


class KLDivergence(Loss):
    """Keras ``KLDivergence()``; see :func:`kl_divergence`.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet.nn import losses
        >>> losses.KLDivergence()(fnp.asarray([[1.0, 0.0]]), fnp.asarray([[1.0, 0.0]])).item()
        0.0
    """

    def __init__(self, reduction="mean", name="kl_divergence"):
        super().__init__(kl_divergence, name, reduction=reduction)


class Hinge(Loss):
    """Keras ``Hinge()``; see :func:`hinge`.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet.nn import losses
        >>> losses.Hinge()(fnp.asarray([1.0]), fnp.asarray([2.0])).item()
        0.0
    """

    def __init__(self, reduction="mean", name="hinge"):
        super().__init__(hinge, name, reduction=reduction)


class CosineSimilarity(Loss):
    """Keras ``CosineSimilarity(axis=-1)``; see :func:`cosine_similarity`.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet.nn import losses
        >>> losses.CosineSimilarity()(fnp.asarray([[0.0, 1.0]]), fnp.asarray([[1.0, 0.0]])
        ...                           ).item()
        0.0
    """

    def __init__(self, axis=-1, reduction="mean", name="cosine_similarity"):
        super().__init__(cosine_similarity, name, axis=axis, reduction=reduction)


_FUNCS: dict[str, Callable] = {
    "mean_squared_error": mean_squared_error, "mse": mean_squared_error,
    "MSE": mean_squared_error,
    "mean_absolute_error": mean_absolute_error, "mae": mean_absolute_error,
    "MAE": mean_absolute_error,
    "huber": huber, "huber_loss": huber,
    "binary_crossentropy": binary_crossentropy, "bce": binary_crossentropy,
    "categorical_crossentropy": categorical_crossentropy,
    "sparse_categorical_crossentropy": sparse_categorical_crossentropy,
    "kl_divergence": kl_divergence, "kld": kl_divergence, "KLD": kl_divergence,
    "kullback_leibler_divergence": kl_divergence,
    "hinge": hinge, "cosine_similarity": cosine_similarity,
}
_CLASSES: dict[str, type] = {c.__name__: c for c in (
    MeanSquaredError, MeanAbsoluteError, Huber, BinaryCrossentropy, CategoricalCrossentropy,
    SparseCategoricalCrossentropy, KLDivergence, Hinge, CosineSimilarity)}


def get(identifier, **kwargs) -> Callable:
    """Resolves a loss from a name, alias or Keras class name; callables pass through.

    Args:
        identifier: ``"mse"``, ``"mean_squared_error"``, ``"sparse_categorical_crossentropy"``,
            ``"SparseCategoricalCrossentropy"``..., a :class:`Loss`, or any callable
            ``loss(y_true, y_pred)``.
        **kwargs: options bound to the loss (``from_logits=True``...).

    Returns:
        A callable ``loss(y_true, y_pred, sample_weight=None)``.

    Raises:
        ValueError: for an unknown name, listing the valid ones.

    Example:
        >>> from funcnet.nn import losses
        >>> losses.get("sparse_categorical_crossentropy").__name__
        'sparse_categorical_crossentropy'
        >>> losses.get("SparseCategoricalCrossentropy", from_logits=True)
        SparseCategoricalCrossentropy(from_logits=True, axis=-1, reduction='mean')
    """
    if isinstance(identifier, str):
        if identifier in _CLASSES:
            return _CLASSES[identifier](**kwargs)
        fn = _FUNCS.get(identifier)
        if fn is None:
            raise ValueError(f"nn.losses.get: unknown loss {identifier!r}; valid names: "
                             f"{', '.join(sorted(_FUNCS) + sorted(_CLASSES))}")
        return functools.partial(fn, **kwargs) if kwargs else fn
    if isinstance(identifier, type) and issubclass(identifier, Loss):
        return identifier(**kwargs)
    if callable(identifier):
        return functools.partial(identifier, **kwargs) if kwargs else identifier
    raise TypeError(f"nn.losses.get: expected a loss name or a callable, got {identifier!r}")
