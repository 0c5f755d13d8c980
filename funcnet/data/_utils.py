# to_categorical (Keras semantics), and the helpers of Dataset (_dataset.py): argument checks,
# tf.data's buffer shuffle, and stacking of elements into batches.
from __future__ import annotations

import builtins
import itertools
import operator
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from .. import tree as _tree
from ..core import dtypes as _dtypes
from ..core.array import Array
from ..core.array import wrap as _wrap

__all__ = ["to_categorical"]

CHUNK = 1024  # indices per chunk produced by a streaming shuffle
Chunk = builtins.range | np.ndarray  # a run of row indices into a Dataset's storage
_SENTINEL = object()


def is_scalar_list(x: Any) -> bool:
    # A (nested) list of plain numbers is one array-like leaf, as in tf.data.
    if not isinstance(x, list):
        return False
    todo = [x]
    while todo:
        for e in todo.pop():
            if isinstance(e, list):
                todo.append(e)
            elif not isinstance(e, (bool, int, float, complex, np.generic)):
                return False
    return True


def check_count(fname: str, name: str, value: Any, lo: int) -> int:
    try:
        if isinstance(value, bool):
            raise TypeError
        v = operator.index(value)
    except TypeError:
        raise TypeError(f"Dataset.{fname}: {name} must be an int, got {value!r}") from None
    if v < lo:
        raise ValueError(f"Dataset.{fname}: {name} must be >= {lo}, got {v}")
    return v


def seed_entropy(seed: Any) -> list[int]:
    if seed is None:
        return [int(w) for w in np.random.SeedSequence().generate_state(4)]
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
        return [int(seed) % 2**64]
    if isinstance(seed, Array) or (isinstance(seed, np.ndarray) and seed.dtype.kind in "iu"):
        words = np.asarray(seed).ravel()
        if words.dtype.kind in "iu" and words.size:  # e.g. a funcnet.random.key
            return [int(w) % 2**64 for w in words]
    raise TypeError(f"Dataset.shuffle: seed must be None, an int or a funcnet.random key, got "
                    f"{seed!r}")


def uniforms(rng: np.random.Generator) -> Iterator[float]:
    # Uniform draws in blocks; Generator.random yields the same stream whatever the block size,
    # so streaming and materialised shuffles agree draw for draw.
    while True:
        yield from rng.random(CHUNK).tolist()


def buffer_shuffle(it: Iterator[Any], buffer_size: int, rng: np.random.Generator
                    ) -> Iterator[Any]:
    # tf.data's algorithm: fill a buffer, emit a uniformly chosen slot and refill it from the
    # input; once the input runs dry, drain the buffer in random order. When everything fits
    # in the buffer this is a uniform permutation, drawn in one call.
    buf = list(itertools.islice(it, buffer_size))
    nxt = next(it, _SENTINEL)
    if nxt is _SENTINEL:
        for j in rng.permutation(len(buf)).tolist():
            yield buf[j]
        return
    draws = uniforms(rng)
    while buf:
        n = len(buf)
        k = min(int(next(draws) * n), n - 1)
        out = buf[k]
        if nxt is not _SENTINEL:
            buf[k] = nxt
            nxt = next(it, _SENTINEL)
        else:
            buf[k] = buf[-1]
            buf.pop()
        yield out


def chunk_array(c: Chunk) -> np.ndarray:
    if isinstance(c, builtins.range):
        return np.arange(c.start, c.stop, c.step, dtype=np.intp)
    return c


def stack(fname: str, elements: list[Any]) -> Any:
    # Stacks a list of element pytrees into one pytree of funcnet arrays (new leading axis).
    flat = []
    treedef = None
    for i, e in enumerate(elements):
        leaves, td = _tree.flatten(e)
        if treedef is None:
            treedef = td
        elif td != treedef:
            raise ValueError(f"Dataset.{fname}: element {i} of the batch has structure {td}, but "
                             f"element 0 has {treedef}; every element must have the same "
                             "structure")
        flat.append(leaves)
    assert treedef is not None
    paths = [p for p, _ in _tree.flatten_with_path(elements[0])[0]]
    out = []
    for j, path in enumerate(paths):
        col = [np.asarray(leaves[j]) for leaves in flat]
        s0 = col[0].shape
        for i, c in enumerate(col):
            if c.shape != s0:
                raise ValueError(
                    f"Dataset.{fname}: cannot stack the leaf at {_tree.keystr(path) or 'the root'}"
                    f": element 0 has shape {s0}, element {i} has shape {c.shape}; give every "
                    "element the same shape (e.g. pad or resize in map) before batching")
        stacked = np.stack(col)
        out.append(_wrap(stacked.astype(canonical(fname, path, stacked.dtype), copy=False)))
    return _tree.unflatten(treedef, out)


def canonical(fname: str, path: Any, dt: np.dtype) -> np.dtype:
    try:
        return _dtypes.canonicalize(dt)
    except TypeError:
        raise TypeError(
            f"Dataset.{fname}: the leaf at {_tree.keystr(path) or 'the root'} has dtype {dt}, "
            "which funcnet arrays cannot hold (numbers and booleans only)") from None


def call(f: Callable[..., Any], element: Any) -> Any:
    # tf.data unpacks a tuple element into positional arguments (only exact tuples).
    return f(*element) if type(element) is tuple else f(element)



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
            raise ValueError(f"to_categorical: label {arr[pos].item()!r} at index {pos} is not "
                             "a whole number; labels must be integer class indices")
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
