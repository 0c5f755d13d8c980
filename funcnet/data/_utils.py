# Label utilities with Keras semantics.
from __future__ import annotations

import operator
from typing import Any

import numpy as np

from ..core import dtypes as _dtypes
from ..core.array import wrap as _wrap

__all__ = ["to_categorical"]


def to_categorical(y: Any, num_classes: int | None = None, dtype: Any = "float32") -> Any:
    """Converts integer class labels to one-hot rows (``keras.utils.to_categorical``).

    Keras semantics: labels of shape ``(n,)`` or ``(n, 1)`` become ``(n, num_classes)``;
    any other shape keeps its dims (after dropping a trailing dim of size 1) and gains a last
    dim of size ``num_classes``. Unlike Keras, out-of-range labels raise instead of wrapping
    around, and float labels must be whole numbers. This is a data-preparation utility
    (NumPy on the host); inside jitted code use ``funcnet.nn.one_hot``.

    Args:
        y: integer labels in ``[0, num_classes)``: an array-like of ints, bools or
            whole-number floats.
        num_classes: the number of classes; default ``max(y) + 1``.
        dtype: the output dtype (default ``"float32"``; canonicalised as by ``fnp.asarray``).

    Returns:
        A funcnet array of shape ``y.shape (trailing 1 dropped) + (num_classes,)``.

    Raises:
        ValueError: a label is negative or ``>= num_classes`` (the message names the value,
            its position and ``num_classes``), a float label is not a whole number,
            ``num_classes`` < 1, or ``y`` is empty and ``num_classes`` is not given.
        TypeError: ``y`` is not numeric, or ``num_classes`` is not an int.

    Example:
        >>> from funcnet.data import to_categorical
        >>> to_categorical([0, 2, 1]).tolist()
        [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, 1.0, 0.0]]
        >>> to_categorical([[1], [0]], num_classes=4).shape
        (2, 4)
    """
    arr = np.asarray(y)
    kind = arr.dtype.kind
    if kind == "f":
        bad = ~np.isfinite(arr) | (arr != np.floor(arr))
        if bad.any():
            pos = tuple(int(i) for i in np.argwhere(bad)[0])
            raise ValueError(f"to_categorical: label {arr[pos].item()!r} at index {pos} is not a whole "
                             "number; labels must be integer class indices")
    elif kind not in "iub":
        raise TypeError(f"to_categorical: y must hold integer class labels, got dtype "
                        f"{arr.dtype}")
    shape = arr.shape
    if len(shape) > 1 and shape[-1] == 1:
        shape = shape[:-1]
    labels = arr.astype(np.int64) if kind != "u" else arr
    if num_classes is None:
        if arr.size == 0:
            raise ValueError("to_categorical: y is empty, so num_classes cannot be inferred; "
                             "pass num_classes")
        num_classes = int(labels.max()) + 1
    else:
        try:
            if isinstance(num_classes, bool):
                raise TypeError
            num_classes = operator.index(num_classes)
        except TypeError:
            raise TypeError(f"to_categorical: num_classes must be an int, got "
                            f"{num_classes!r}") from None
        if num_classes < 1:
            raise ValueError(f"to_categorical: num_classes must be >= 1, got {num_classes}")
    for bad, what in ((labels < 0, "negative"), (labels >= num_classes, "too large")):
        if np.any(bad):
            pos = tuple(int(i) for i in np.argwhere(bad)[0])
            raise ValueError(f"to_categorical: label {labels[pos]} at index {pos} is {what} for "
                             f"num_classes={num_classes}; labels must be in "
                             f"[0, {num_classes})")
    flat = labels.reshape(-1)
    out = np.zeros((flat.size, num_classes), dtype=_dtypes.canonicalize(dtype))
    out[np.arange(flat.size), flat] = 1
    return _wrap(out.reshape(shape + (num_classes,)))
