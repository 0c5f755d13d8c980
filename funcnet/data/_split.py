# train_test_split with scikit-learn's semantics, index for index.
#
# The sizes, the validation messages and the random draws follow scikit-learn 1.x
# (sklearn.model_selection.train_test_split, ShuffleSplit, StratifiedShuffleSplit and
# sklearn.utils.extmath._approximate_mode), so that the same random_state selects the same
# rows. tests/test_data.py pins index arrays produced by scikit-learn 1.9.
from __future__ import annotations

import numbers
from itertools import chain
from math import ceil, floor
from typing import Any

import numpy as np

from ..core.array import Array

__all__ = ["train_test_split"]

_SIZE_RULE = ("must be a float in the range (0.0, 1.0), an int in the range [1, inf) or None. "
              "Got {!r} instead.")


def _check_size_param(name: str, value: Any) -> None:
    # scikit-learn's @validate_params constraints on test_size / train_size.
    if value is None:
        return
    ok = False
    if isinstance(value, (bool, np.bool_)):
        ok = False
    elif isinstance(value, numbers.Integral):
        ok = int(value) >= 1
    elif isinstance(value, numbers.Real):
        ok = 0.0 < float(value) < 1.0
    if not ok:
        raise ValueError(f"train_test_split: the {name!r} parameter of train_test_split "
                         + _SIZE_RULE.format(value))


def _validate_shuffle_split(n_samples: int, test_size: Any, train_size: Any,
                            default_test_size: float | None = None) -> tuple[int, int]:
    # sklearn.model_selection._split._validate_shuffle_split, messages included.
    if test_size is None and train_size is None:
        test_size = default_test_size
    test_size_type = np.asarray(test_size).dtype.kind
    train_size_type = np.asarray(train_size).dtype.kind
    if (test_size_type == "i" and (test_size >= n_samples or test_size <= 0)) or (
        test_size_type == "f" and (test_size <= 0 or test_size >= 1)
    ):
        raise ValueError(f"train_test_split: test_size={test_size} should be either positive and "
                         f"smaller than the number of samples {n_samples} or a float in the "
                         "(0, 1) range")
    if (train_size_type == "i" and (train_size >= n_samples or train_size <= 0)) or (
        train_size_type == "f" and (train_size <= 0 or train_size >= 1)
    ):
        raise ValueError(f"train_test_split: train_size={train_size} should be either positive "
                         f"and smaller than the number of samples {n_samples} or a float in the "
                         "(0, 1) range")
    if train_size is not None and train_size_type not in ("i", "f"):
        raise ValueError(f"train_test_split: Invalid value for train_size: {train_size}")
    if test_size is not None and test_size_type not in ("i", "f"):
        raise ValueError(f"train_test_split: Invalid value for test_size: {test_size}")
    if train_size_type == "f" and test_size_type == "f" and train_size + test_size > 1:
        raise ValueError(f"train_test_split: The sum of test_size and train_size = "
                         f"{train_size + test_size}, should be in the (0, 1) range. Reduce "
                         "test_size and/or train_size.")
    n_test: float = 0
    n_train: float = 0
    if test_size_type == "f":
        n_test = ceil(test_size * n_samples)
    elif test_size_type == "i":
        n_test = float(test_size)
    if train_size_type == "f":
        n_train = floor(train_size * n_samples)
    elif train_size_type == "i":
        n_train = float(train_size)
    if train_size is None:
        n_train = n_samples - n_test
    elif test_size is None:
        n_test = n_samples - n_train
    if n_train + n_test > n_samples:
        raise ValueError(f"train_test_split: The sum of train_size and test_size = "
                         f"{int(n_train + n_test)}, should be smaller than the number of samples "
                         f"{n_samples}. Reduce test_size and/or train_size.")
    n_train, n_test = int(n_train), int(n_test)
    if n_train == 0:
        raise ValueError(f"train_test_split: With n_samples={n_samples}, test_size={test_size} "
                         f"and train_size={train_size}, the resulting train set will be empty. "
                         "Adjust any of the aforementioned parameters.")
    return n_train, n_test


def _check_random_state(seed: Any) -> np.random.RandomState:
    # sklearn.utils.check_random_state: None is NumPy's global RandomState.
    if seed is None or seed is np.random:
        return np.random.mtrand._rand
    if isinstance(seed, numbers.Integral):
        return np.random.RandomState(int(seed))
    if isinstance(seed, np.random.RandomState):
        return seed
    raise ValueError(f"train_test_split: random_state={seed!r} cannot be used to seed a "
                     "numpy.random.RandomState instance; pass None, an int or a RandomState")


def _num_samples(i: int, x: Any) -> int:
    if isinstance(x, (dict, set, frozenset, str, bytes)):
        raise TypeError(f"train_test_split: input {i} is a {type(x).__name__}; expected an "
                        "array, a list or another sequence of samples")
    shape = getattr(x, "shape", None)
    if shape is not None:
        if len(shape) == 0:
            raise TypeError(f"train_test_split: input {i} is a scalar (shape ()); every input "
                            "needs a first dimension that indexes the samples")
        if isinstance(shape[0], numbers.Integral):
            return int(shape[0])
    try:
        return len(x)
    except TypeError:
        raise TypeError(f"train_test_split: input {i} ({type(x).__name__}) is not a sequence "
                        "or array of samples") from None


def _make_indexable(x: Any) -> Any:
    if x is None or hasattr(x, "__getitem__") or hasattr(x, "iloc"):
        return x
    return np.array(list(x) if hasattr(x, "__iter__") else x)


def _safe_indexing(x: Any, idx: np.ndarray) -> Any:
    # Rows ``idx`` of x, in x's own type (sklearn's _safe_indexing).
    if x is None:
        return None
    if isinstance(x, Array):
        return x[idx]  # type: ignore[index]
    if isinstance(x, np.ndarray):
        return x.take(idx, axis=0)
    if hasattr(x, "iloc"):  # pandas
        return x.iloc[idx]
    if hasattr(x, "shape"):  # other array types (CuPy, scipy.sparse...)
        return x[idx]
    return [x[i] for i in idx.tolist()]


def _approximate_mode(class_counts: np.ndarray, n_draws: int,
                      rng: np.random.RandomState) -> np.ndarray:
    # sklearn.utils.extmath._approximate_mode: floor the proportional allocation, then hand
    # the remaining draws to the largest remainders, breaking ties at random.
    continuous = class_counts / class_counts.sum() * n_draws
    floored = np.floor(continuous)
    need_to_add = int(n_draws - floored.sum())
    if need_to_add > 0:
        remainder = continuous - floored
        values = np.sort(np.unique(remainder))[::-1]
        for value in values:
            (inds,) = np.where(remainder == value)
            add_now = min(len(inds), need_to_add)
            inds = rng.choice(inds, size=add_now, replace=False)
            floored[inds] += 1
            need_to_add -= add_now
            if need_to_add == 0:
                break
    return floored.astype(int)


def _stratified_indices(y: Any, n_samples: int, n_train: int, n_test: int,
                        rng: np.random.RandomState) -> tuple[np.ndarray, np.ndarray]:
    # sklearn.model_selection.StratifiedShuffleSplit._iter_indices, first split.
    y = np.asarray(y)
    if y.ndim == 0 or y.shape[0] != n_samples:
        got = "a scalar" if y.ndim == 0 else f"{y.shape[0]} labels"
        raise ValueError(f"train_test_split: Found input variables with inconsistent numbers of "
                         f"samples: stratify has {got}, the arrays have {n_samples} samples")
    if y.ndim == 2:
        y = np.array([" ".join(row.astype("str")) for row in y])
    classes, y_indices, class_counts = np.unique(y, return_inverse=True, return_counts=True)
    y_indices = y_indices.reshape(-1)
    n_classes = classes.shape[0]
    if np.min(class_counts) < 2:
        too_few = classes[class_counts < 2].tolist()
        raise ValueError("train_test_split: The least populated classes in y have only 1 member, "
                         "which is too few. The minimum number of groups for any class cannot be "
                         f"less than 2. Classes with too few members are: {too_few}")
    if n_train < n_classes:
        raise ValueError(f"train_test_split: The train_size = {n_train} should be greater or "
                         f"equal to the number of classes = {n_classes}")
    if n_test < n_classes:
        raise ValueError(f"train_test_split: The test_size = {n_test} should be greater or "
                         f"equal to the number of classes = {n_classes}")
    class_indices = np.split(np.argsort(y_indices, kind="stable"), np.cumsum(class_counts)[:-1])
    n_i = _approximate_mode(class_counts, n_train, rng)
    t_i = _approximate_mode(class_counts - n_i, n_test, rng)
    train: list[int] = []
    test: list[int] = []
    for i in range(n_classes):
        permutation = rng.permutation(class_counts[i])
        perm_indices_class_i = class_indices[i].take(permutation, mode="clip")
        train.extend(perm_indices_class_i[: n_i[i]])
        test.extend(perm_indices_class_i[n_i[i] : n_i[i] + t_i[i]])
    return rng.permutation(train), rng.permutation(test)


def train_test_split(*arrays: Any, test_size: float | int | None = None,
                     train_size: float | int | None = None, random_state: Any = None,
                     shuffle: bool = True, stratify: Any = None) -> list[Any]:
    """Splits arrays into random train and test subsets (scikit-learn's ``train_test_split``).

    Same semantics, defaults, errors and random draws as scikit-learn: with the same
    ``random_state`` both pick the same rows. Sizes: a float is a fraction of the samples
    (``n_test = ceil(test_size * n)``, ``n_train = floor(train_size * n)``), an int is a count;
    when both are ``None`` the test set is 25%, and when one is ``None`` it is the complement
    of the other. Shuffling draws ``np.random.RandomState(random_state).permutation(n)``; the
    test rows are its first ``n_test`` entries and the train rows the next ``n_train``.

    With ``stratify=labels`` the split is scikit-learn's ``StratifiedShuffleSplit``: each
    class gets ``floor(n_train * share)`` train rows (then ``n_test`` likewise from what
    remains), the leftover slots going to the classes with the largest fractional parts (ties
    broken at random), so every class's test count is within one sample of proportional.

    Args:
        *arrays: sequences of the same length: funcnet arrays, NumPy arrays, lists, pandas
            objects... Each result keeps its input's type (funcnet stays funcnet, NumPy stays
            NumPy, a list or tuple becomes a list), as in scikit-learn.
        test_size: fraction in (0, 1) or count >= 1 of test samples.
        train_size: fraction in (0, 1) or count >= 1 of train samples.
        random_state: ``None`` (NumPy's global random state), an int, or a
            ``np.random.RandomState``.
        shuffle: shuffle before splitting; with ``False`` the first ``n_train`` rows train.
        stratify: class labels (length ``n``; rows of a 2-D array count as labels) whose
            proportions both subsets keep.

    Returns:
        ``[a_train, a_test, b_train, b_test, ...]``.

    Raises:
        ValueError: no arrays; inconsistent lengths; invalid sizes (scikit-learn's messages);
            ``stratify`` with ``shuffle=False``; a class with a single member or more classes
            than train/test samples when stratifying; a bad ``random_state``.
        TypeError: an input without samples (a scalar, a dict).

    Example:
        >>> import numpy as np
        >>> from funcnet.data import train_test_split
        >>> X, y = np.arange(10).reshape(5, 2), [0, 1, 2, 3, 4]
        >>> X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.33,
        ...                                                     random_state=42)
        >>> X_test.tolist(), y_train, y_test
        ([[2, 3], [8, 9]], [2, 0, 3], [1, 4])
    """
    if not arrays:
        raise ValueError("train_test_split: At least one array required as input")
    _check_size_param("test_size", test_size)
    _check_size_param("train_size", train_size)
    if not isinstance(shuffle, (bool, np.bool_)):
        raise ValueError("train_test_split: the 'shuffle' parameter of train_test_split must be "
                         f"an instance of 'bool'. Got {shuffle!r} instead.")
    arrays = tuple(_make_indexable(a) for a in arrays)
    lengths = [_num_samples(i, a) for i, a in enumerate(arrays) if a is not None]
    if not lengths:
        raise TypeError("train_test_split: every input is None; give at least one array")
    if len(set(lengths)) > 1:
        raise ValueError("train_test_split: Found input variables with inconsistent numbers of "
                         f"samples: {lengths!r}")
    n_samples = lengths[0]
    n_train, n_test = _validate_shuffle_split(n_samples, test_size, train_size,
                                              default_test_size=0.25)
    if not shuffle:
        if stratify is not None:
            raise ValueError("train_test_split: Stratified train/test split is not implemented "
                             "for shuffle=False")
        train = np.arange(n_train)
        test = np.arange(n_train, n_train + n_test)
    else:
        rng = _check_random_state(random_state)
        if stratify is not None:
            train, test = _stratified_indices(stratify, n_samples, n_train, n_test, rng)
        else:
            permutation = rng.permutation(n_samples)
            test = permutation[:n_test]
            train = permutation[n_test:n_test + n_train]
    return list(chain.from_iterable((_safe_indexing(a, train), _safe_indexing(a, test))
                                    for a in arrays))
