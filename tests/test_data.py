"""Tests for funcnet.data: Dataset, train_test_split, to_categorical.

The expected index arrays of train_test_split were produced by scikit-learn 1.9.1
(``sklearn.model_selection.train_test_split(np.arange(n), ...)``) and are pinned as literals, so
the suite does not need scikit-learn.
"""

from __future__ import annotations

import itertools
import math
import time
from collections import Counter

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import funcnet
import funcnet.data as data
import funcnet.numpy as fnp
from funcnet.data import Dataset, to_categorical, train_test_split


def ints(ds):
    return [int(x) for x in ds]


def labels(ds):
    return [int(e[1]) for e in ds]


@pytest.fixture
def xy():
    X = np.arange(40, dtype=np.float64).reshape(20, 2)
    y = np.arange(20)
    return X, y


# ------------------------------------------------------------------------------------------
# Dataset.from_tensor_slices
# ------------------------------------------------------------------------------------------


def test_from_tensor_slices_keeps_structure_and_rows(xy):
    X, y = xy
    ds = Dataset.from_tensor_slices({"x": X, "meta": (y, y * 2)})
    assert len(ds) == 20
    for i, e in enumerate(ds):
        assert set(e) == {"x", "meta"} and isinstance(e["meta"], tuple)
        assert isinstance(e["x"], funcnet.Array) and e["x"].dtype == np.float32
        assert e["x"].tolist() == X[i].tolist()
        assert int(e["meta"][0]) == i and int(e["meta"][1]) == 2 * i
        assert e["meta"][0].dtype == np.int32


def test_from_tensor_slices_funcnet_arrays_and_number_lists():
    ds = Dataset.from_tensor_slices((fnp.arange(3.0), [1, 2, 3], [[1, 2], [3, 4], [5, 6]]))
    assert [(float(a), int(b), c.tolist()) for a, b, c in ds] == [
        (0.0, 1, [1, 2]), (1.0, 2, [3, 4]), (2.0, 3, [5, 6])]
    # a list holding arrays is a pytree node, not one array
    ds = Dataset.from_tensor_slices([np.zeros(4), np.ones(4)])
    first = next(iter(ds))
    assert isinstance(first, list) and len(first) == 2 and len(ds) == 4


def test_from_tensor_slices_copies_numpy_input(xy):
    X, y = xy
    ds = Dataset.from_tensor_slices(y.copy())
    src = y.copy()
    ds = Dataset.from_tensor_slices(src)
    src[:] = -1
    assert ints(ds) == list(range(20))


def test_from_tensor_slices_errors():
    with pytest.raises(ValueError, match=r"same leading dimension.*\['x'\] has length 3, "
                                         r"\['y'\] has length 2"):
        Dataset.from_tensor_slices({"x": np.zeros(3), "y": np.zeros(2)})
    with pytest.raises(ValueError, match=r"the leaf at \[1\] is a scalar \(shape \(\)\)"):
        Dataset.from_tensor_slices((np.zeros(3), 5.0))
    with pytest.raises(ValueError, match=r"the tree has no leaves"):
        Dataset.from_tensor_slices({})
    with pytest.raises(TypeError, match=r"the leaf at \['s'\] has dtype <U1"):
        Dataset.from_tensor_slices({"s": np.array(["a", "b"])})
    with pytest.raises(TypeError, match=r"Dataset is not constructed directly"):
        Dataset()


def test_range():
    assert ints(Dataset.range(4)) == [0, 1, 2, 3]
    assert ints(Dataset.range(2, 11, 4)) == [2, 6, 10]
    assert len(Dataset.range(0)) == 0 and ints(Dataset.range(0)) == []


# ------------------------------------------------------------------------------------------
# batch
# ------------------------------------------------------------------------------------------


def test_batch_shapes_values_and_remainder(xy):
    X, y = xy
    ds = Dataset.from_tensor_slices((X, y)).batch(6)
    batches = list(ds)
    assert len(ds) == 4 and [b[0].shape for b in batches] == [(6, 2)] * 3 + [(2, 2)]
    assert all(isinstance(a, funcnet.Array) for b in batches for a in b)
    np.testing.assert_array_equal(np.concatenate([np.asarray(b[0]) for b in batches]),
                                  X.astype(np.float32))
    dropped = Dataset.from_tensor_slices((X, y)).batch(6, drop_remainder=True)
    assert len(dropped) == 3 and [b[1].shape for b in dropped] == [(6,)] * 3
    assert len(Dataset.range(12).batch(4, drop_remainder=True)) == 3
    assert len(Dataset.range(12).batch(5)) == 3


def test_batch_of_dict_keeps_structure():
    ds = Dataset.from_tensor_slices({"a": np.ones((5, 3)), "b": {"c": np.arange(5)}}).batch(2)
    b = next(iter(ds))
    assert b["a"].shape == (2, 3) and b["b"]["c"].tolist() == [0, 1]


def test_unshuffled_batches_are_views_of_the_storage(xy):
    X, _ = xy
    ds = Dataset.from_tensor_slices(X)
    storage = ds._src._leaves[0]
    for b in ds.batch(8):
        assert np.shares_memory(np.asarray(b), storage)
    for b in ds.shuffle(20, seed=0).batch(8):  # gathered: a fresh contiguous array
        assert not np.shares_memory(np.asarray(b), storage)
        assert np.asarray(b).flags.c_contiguous


def test_map_before_batch_matches_index_path(xy):
    X, y = xy
    base = Dataset.from_tensor_slices((X, y))
    for make in (lambda d: d.shuffle(7, seed=3).batch(6),
                 lambda d: d.shuffle(50, seed=3).repeat(2).batch(7, drop_remainder=True),
                 lambda d: d.skip(3).take(11).batch(4)):
        fast = [(np.asarray(a), np.asarray(b)) for a, b in make(base)]
        slow = [(np.asarray(a), np.asarray(b))
                for a, b in make(base.map(lambda a, b: (a, b)))]
        assert len(fast) == len(slow)
        for (a1, b1), (a2, b2) in zip(fast, slow, strict=True):
            np.testing.assert_array_equal(a1, a2)
            np.testing.assert_array_equal(b1, b2)
            assert a1.dtype == a2.dtype and b1.dtype == b2.dtype


def test_batch_errors():
    with pytest.raises(ValueError, match=r"Dataset.batch: batch_size must be >= 1, got 0"):
        Dataset.range(3).batch(0)
    with pytest.raises(TypeError, match=r"Dataset.batch: batch_size must be an int, got 2.5"):
        Dataset.range(3).batch(2.5)
    ragged = Dataset.range(3).map(lambda i: fnp.zeros(int(i) + 1)).batch(3)
    with pytest.raises(ValueError, match=r"cannot stack the leaf at the root: element 0 has "
                                         r"shape \(1,\), element 1 has shape \(2,\)"):
        list(ragged)
    mixed = Dataset.range(2).map(lambda i: (i,) if int(i) == 0 else {"a": i}).batch(2)
    with pytest.raises(ValueError, match=r"element 1 of the batch has structure .*element 0 has"):
        list(mixed)


def test_batch_of_python_scalars_from_map():
    ds = Dataset.range(5).map(lambda i: (float(i) / 2, int(i) > 1)).batch(5)
    a, b = next(iter(ds))
    assert a.dtype == np.float32 and a.tolist() == [0.0, 0.5, 1.0, 1.5, 2.0]
    assert b.dtype == np.bool_ and b.tolist() == [False, False, True, True, True]


# ------------------------------------------------------------------------------------------
# shuffle
# ------------------------------------------------------------------------------------------


def test_shuffle_is_deterministic_given_seed(xy):
    X, y = xy
    a = labels(Dataset.from_tensor_slices((X, y)).shuffle(5, seed=11))
    b = labels(Dataset.from_tensor_slices((X, y)).shuffle(5, seed=11))
    c = labels(Dataset.from_tensor_slices((X, y)).shuffle(5, seed=12))
    assert a == b and a != c and sorted(a) == list(range(20))


def test_shuffle_reshuffles_each_iteration_unless_told_not_to():
    ds = Dataset.range(30).shuffle(30, seed=0)
    epochs = [ints(ds) for _ in range(3)]
    assert len({tuple(e) for e in epochs}) == 3
    assert all(sorted(e) == list(range(30)) for e in epochs)
    # the sequence of epochs is fixed by the seed
    again = Dataset.range(30).shuffle(30, seed=0)
    assert [ints(again) for _ in range(3)] == epochs
    fixed = Dataset.range(30).shuffle(30, seed=0, reshuffle_each_iteration=False)
    assert ints(fixed) == ints(fixed) == epochs[0]
    unseeded = Dataset.range(30).shuffle(10, reshuffle_each_iteration=False)
    assert ints(unseeded) == ints(unseeded)
    assert sorted(ints(Dataset.range(30).shuffle(10))) == list(range(30))


def test_shuffle_reshuffles_on_each_repeat():
    out = ints(Dataset.range(10).shuffle(10, seed=1).repeat(3))
    passes = [out[i:i + 10] for i in (0, 10, 20)]
    assert all(sorted(p) == list(range(10)) for p in passes)
    assert len({tuple(p) for p in passes}) == 3


def test_shuffle_buffer_size_one_keeps_order():
    assert ints(Dataset.range(12).shuffle(1, seed=5)) == list(range(12))


@given(n=st.integers(1, 60), buf=st.integers(1, 70), seed=st.integers(0, 2**32))
def test_shuffle_buffer_semantics(n, buf, seed):
    out = ints(Dataset.range(n).shuffle(buf, seed=seed))
    assert sorted(out) == list(range(n))
    # an element can only be emitted once it has entered the buffer
    assert all(v <= t + buf - 1 for t, v in enumerate(out))
    # the element-wise path (after a map) draws the same order
    assert ints(Dataset.range(n).map(lambda x: x).shuffle(buf, seed=seed)) == out


def test_full_shuffle_is_uniform():
    ds = Dataset.range(3).shuffle(3, seed=0)
    counts = Counter(tuple(ints(ds)) for _ in range(3000))
    assert len(counts) == 6 and all(400 < c < 600 for c in counts.values())


def test_small_buffer_first_element_distribution():
    # With buffer 2 the first output is element 0 or 1, each with probability 1/2.
    ds = Dataset.range(6).shuffle(2, seed=0)
    firsts = Counter(ints(ds)[0] for _ in range(2000))
    assert set(firsts) == {0, 1} and 850 < firsts[0] < 1150


def test_shuffle_seed_can_be_a_funcnet_key():
    k = funcnet.random.key(3)
    assert ints(Dataset.range(20).shuffle(20, seed=k)) == \
        ints(Dataset.range(20).shuffle(20, seed=funcnet.random.key(3)))


def test_shuffle_errors():
    with pytest.raises(ValueError, match=r"Dataset.shuffle: buffer_size must be >= 1, got 0"):
        Dataset.range(3).shuffle(0)
    with pytest.raises(TypeError, match=r"Dataset.shuffle: seed must be None, an int or a "
                                        r"funcnet.random key, got 'abc'"):
        Dataset.range(3).shuffle(3, seed="abc")


def test_shuffle_of_repeat_mixes_across_epochs():
    out = ints(Dataset.range(5).repeat().shuffle(3, seed=0).take(20))
    assert len(out) == 20 and Counter(out).keys() <= set(range(5))


# ------------------------------------------------------------------------------------------
# map, filter, repeat, take, skip, cache, prefetch
# ------------------------------------------------------------------------------------------


def test_map_unpacks_tuples_and_passes_dicts(xy):
    X, y = xy
    ds = Dataset.from_tensor_slices((X, y)).map(lambda a, b: (a * 2, b + 1))
    a, b = next(iter(ds))
    assert a.tolist() == [0.0, 2.0] and int(b) == 1 and len(ds) == 20
    ds = Dataset.from_tensor_slices({"x": X}).map(lambda d: d["x"].sum())
    assert float(next(iter(ds))) == 1.0
    after = Dataset.from_tensor_slices((X, y)).batch(5).map(lambda a, b: a.shape[0])
    assert list(after) == [5, 5, 5, 5]
    with pytest.raises(TypeError, match=r"Dataset.map: map_func must be callable"):
        Dataset.range(2).map(3)


def test_filter():
    ds = Dataset.range(10).filter(lambda x: x % 3 == 0)
    assert ints(ds) == [0, 3, 6, 9] and ds.cardinality() == data.UNKNOWN_CARDINALITY
    with pytest.raises(TypeError, match=r"The dataset length is unknown"):
        len(ds)
    bad = Dataset.from_tensor_slices(np.ones((3, 2))).filter(lambda x: x > 0)
    with pytest.raises(TypeError, match=r"predicate must return a scalar boolean, got a value "
                                        r"of shape \(2,\)"):
        list(bad)
    with pytest.raises(TypeError, match=r"Dataset.filter: predicate must be callable"):
        Dataset.range(2).filter(None)


def test_repeat_take_skip():
    assert ints(Dataset.range(3).repeat(2)) == [0, 1, 2, 0, 1, 2]
    assert ints(Dataset.range(3).repeat().take(7)) == [0, 1, 2, 0, 1, 2, 0]
    assert ints(Dataset.range(10).skip(7)) == [7, 8, 9]
    assert ints(Dataset.range(10).skip(-1)) == [] and ints(Dataset.range(10).take(-1)) == \
        list(range(10))
    assert ints(Dataset.range(10).take(0)) == [] and ints(Dataset.range(3).repeat(0)) == []
    assert ints(Dataset.range(0).repeat()) == []  # an empty pass ends an endless repeat
    assert ints(Dataset.range(10).map(lambda x: x).skip(8)) == [8, 9]
    assert ints(Dataset.range(10).map(lambda x: x).take(2)) == [0, 1]
    assert ints(Dataset.range(4).map(lambda x: x).repeat(2)) == [0, 1, 2, 3] * 2
    assert ints(Dataset.range(4).map(lambda x: x).skip(-1)) == []
    assert ints(Dataset.range(0).map(lambda x: x).repeat()) == []
    shuffled = Dataset.range(10).shuffle(10, seed=4, reshuffle_each_iteration=False)
    full = ints(shuffled)
    assert ints(shuffled.skip(3).take(4)) == full[3:7]
    assert ints(Dataset.range(8).batch(3).skip(1).map(lambda b: b[0])) == [3, 6]
    with pytest.raises(ValueError, match=r"Dataset.take: count must be >= -1, got -2"):
        Dataset.range(3).take(-2)
    with pytest.raises(ValueError, match=r"Dataset.repeat: count must be >= -1, got -3"):
        Dataset.range(3).repeat(-3)
    with pytest.raises(TypeError, match=r"Dataset.skip: count must be an int, got '1'"):
        Dataset.range(3).skip("1")


def test_skip_is_an_index_operation():
    ds = Dataset.range(2_000_000)
    t = time.perf_counter()
    assert ints(ds.skip(1_999_998)) == [1_999_998, 1_999_999]
    assert ints(ds.repeat(2).skip(3_999_999)) == [1_999_999]
    assert time.perf_counter() - t < 1.0


def test_cardinality_and_len():
    ds = Dataset.range(10)
    cases = {
        ds.batch(3): 4, ds.batch(3, drop_remainder=True): 3, ds.repeat(3): 30,
        ds.repeat(): data.INFINITE_CARDINALITY, ds.repeat().take(5): 5,
        ds.repeat().skip(5): data.INFINITE_CARDINALITY, ds.take(20): 10, ds.skip(20): 0,
        ds.skip(4): 6, ds.shuffle(3).map(lambda x: x): 10, ds.filter(bool).repeat(2): -2,
        ds.filter(bool).repeat(): -1, ds.repeat().batch(4): -1, Dataset.range(0).repeat(): 0,
        ds.cache(): 10, ds.prefetch(2): 10,
    }
    for d, c in cases.items():
        assert d.cardinality() == c, d
        if c >= 0:
            assert len(d) == c
    with pytest.raises(TypeError, match=r"The dataset is infinite"):
        len(ds.repeat())
    assert len(list(ds.repeat(3).batch(7))) == len(ds.repeat(3).batch(7)) == 5


def test_as_numpy_iterator_and_repr():
    ds = Dataset.from_tensor_slices({"a": np.arange(4.0)}).batch(3)
    out = list(ds.as_numpy_iterator())
    assert all(type(e["a"]) is np.ndarray for e in out)
    assert [e["a"].tolist() for e in out] == [[0.0, 1.0, 2.0], [3.0]]
    assert repr(ds) == "<Dataset from_tensor_slices.batch(3), cardinality=2>"
    assert repr(Dataset.range(3).shuffle(3).repeat()) == \
        "<Dataset from_tensor_slices.shuffle(3).repeat(), cardinality=infinite>"


def test_cache_and_prefetch():
    ds = Dataset.range(10).shuffle(10, seed=0).cache()
    assert ints(ds) == ints(ds)
    calls = []
    mapped = Dataset.range(3).map(lambda x: calls.append(1) or x).cache()
    assert ints(mapped) == ints(mapped) == [0, 1, 2] and len(calls) == 3
    assert ds.prefetch(data.AUTOTUNE) is ds
    with pytest.raises(NotImplementedError, match=r"only the in-memory cache"):
        ds.cache("file.tfcache")


def test_epoch_loop_like_keras(xy):
    X, y = xy
    ds = Dataset.from_tensor_slices((X, y)).shuffle(20, seed=0).batch(8)
    seen = []
    for _ in range(2):
        seen.append(sorted(int(v) for _, b in ds for v in np.asarray(b)))
    assert seen == [list(range(20))] * 2


# ------------------------------------------------------------------------------------------
# train_test_split (expected indices from scikit-learn 1.9.1)
# ------------------------------------------------------------------------------------------

SKLEARN_CASES = [
    (10, {"random_state": 0}, [9, 1, 6, 7, 3, 0, 5], [2, 8, 4]),
    (17, {"test_size": 0.3, "random_state": 42},
     [8, 13, 2, 9, 16, 4, 7, 10, 12, 3, 6], [0, 1, 5, 15, 11, 14]),
    (12, {"train_size": 5, "test_size": 3, "random_state": 7}, [5, 0, 1, 11, 8], [7, 10, 2]),
    (20, {"test_size": 0.25, "random_state": 0, "stratify": [0] * 6 + [1] * 9 + [2] * 5},
     [19, 2, 12, 16, 1, 17, 13, 7, 10, 4, 3, 9, 6, 14, 18], [0, 15, 8, 5, 11]),
    (30, {"test_size": 0.2, "random_state": 3, "stratify": np.arange(30) % 3},
     [29, 6, 26, 8, 3, 28, 25, 2, 21, 11, 13, 23, 17, 27, 18, 15, 19, 14, 4, 0, 7, 12, 1, 10],
     [5, 22, 16, 20, 24, 9]),
    (50, {"test_size": 0.3, "random_state": 1, "stratify": (np.arange(50) % 7 == 0) * 1},
     [31, 0, 28, 34, 30, 42, 3, 7, 37, 36, 25, 8, 41, 27, 43, 33, 4, 38, 17, 26, 12, 40, 45, 48,
      32, 39, 49, 24, 20, 14, 22, 5, 29, 23, 46],
     [44, 15, 21, 1, 10, 19, 35, 9, 11, 6, 47, 16, 13, 18, 2]),
    (9, {"shuffle": False, "test_size": 2}, list(range(7)), [7, 8]),
]


@pytest.mark.parametrize("n, kwargs, train, test", SKLEARN_CASES)
def test_train_test_split_matches_sklearn(n, kwargs, train, test):
    tr, te = train_test_split(np.arange(n), **kwargs)
    assert tr.tolist() == train and te.tolist() == test


def test_train_test_split_digits_demo_split():
    # the README demo's 80/20 split of the 1797 digits with random_state=0
    _, te = train_test_split(np.arange(1797), test_size=0.2, random_state=0)
    assert te[:12].tolist() == [1081, 1707, 927, 713, 262, 182, 303, 895, 933, 1266, 788, 1410]
    assert len(te) == 360 and int(te.sum()) == 310906 and int((te ** 2).sum()) == 363398526


def test_train_test_split_preserves_types_and_rows():
    X = np.arange(20.0).reshape(10, 2)
    F = fnp.arange(10)
    L = list("abcdefghij")
    T = tuple(range(10))
    X_tr, X_te, F_tr, F_te, L_tr, L_te, T_tr, T_te, N_tr, N_te = train_test_split(
        X, F, L, T, None, random_state=0)
    assert type(X_tr) is np.ndarray and isinstance(F_tr, funcnet.Array)
    assert type(L_tr) is list and type(T_tr) is list and N_tr is None and N_te is None
    assert F_tr.dtype == np.int32
    assert F_te.tolist() == [2, 8, 4] and L_te == ["c", "i", "e"] and T_te == [2, 8, 4]
    np.testing.assert_array_equal(X_te, X[[2, 8, 4]])
    assert (X_tr[:, 0] // 2).tolist() == F_tr.tolist() == T_tr


def test_train_test_split_random_state_kinds():
    a = train_test_split(np.arange(30), random_state=np.random.RandomState(5))
    b = train_test_split(np.arange(30), random_state=5)
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    np.random.seed(9)
    c = train_test_split(np.arange(30))
    np.random.seed(9)
    d = train_test_split(np.arange(30))
    assert all(np.array_equal(x, y) for x, y in zip(c, d, strict=True))


@given(n=st.integers(2, 300), frac=st.floats(0.01, 0.99), as_train=st.booleans())
def test_train_test_split_size_rules(n, frac, as_train):
    kw = {"train_size": frac} if as_train else {"test_size": frac}
    n_train = math.floor(frac * n) if as_train else n - math.ceil(frac * n)
    if n_train == 0:
        with pytest.raises(ValueError, match=r"the resulting train set will be empty"):
            train_test_split(np.arange(n), **kw)
        return
    tr, te = train_test_split(np.arange(n), random_state=0, **kw)
    assert len(tr) == n_train and len(te) == n - n_train
    assert sorted(tr.tolist() + te.tolist()) == list(range(n))


@given(counts=st.lists(st.integers(2, 40), min_size=2, max_size=6),
       frac=st.floats(0.1, 0.6), seed=st.integers(0, 1000))
def test_stratified_split_keeps_proportions(counts, frac, seed):
    y = np.repeat(np.arange(len(counts)), counts)
    n = len(y)
    n_test = math.ceil(frac * n)
    if n_test < len(counts) or n - n_test < len(counts):
        with pytest.raises(ValueError, match=r"should be greater or equal to the number of "
                                             r"classes"):
            train_test_split(y, test_size=frac, stratify=y, random_state=seed)
        return
    y_tr, y_te = train_test_split(y, test_size=frac, stratify=y, random_state=seed)
    assert len(y_te) == n_test
    got = np.bincount(y_te, minlength=len(counts))
    assert np.all(np.abs(got - np.asarray(counts) * n_test / n) < 1 + 1e-9)
    again = train_test_split(y, test_size=frac, stratify=y, random_state=seed)[1]
    assert np.array_equal(y_te, again)


def test_train_test_split_errors():
    X = np.arange(10)
    rule = (r"must be a float in the range \(0.0, 1.0\), an int in the range \[1, inf\) or "
            r"None. Got {} instead.")
    cases = [
        ((), {}, ValueError, r"At least one array required as input"),
        ((X, X[:9]), {}, ValueError,
         r"Found input variables with inconsistent numbers of samples: \[10, 9\]"),
        ((X,), {"test_size": 1.5}, ValueError, "'test_size' parameter of train_test_split "
         + rule.format(r"1\.5")),
        ((X,), {"test_size": 0}, ValueError, rule.format("0")),
        ((X,), {"train_size": 1.0}, ValueError, "'train_size' .*" + rule.format(r"1\.0")),
        ((X,), {"test_size": "a"}, ValueError, rule.format("'a'")),
        ((X,), {"test_size": True}, ValueError, rule.format("True")),
        ((X,), {"test_size": 10}, ValueError, r"test_size=10 should be either positive and "
         r"smaller than the number of samples 10 or a float in the \(0, 1\) range"),
        ((X,), {"train_size": 12}, ValueError, r"train_size=12 should be either positive"),
        ((X,), {"test_size": 0.6, "train_size": 0.6}, ValueError,
         r"The sum of test_size and train_size = 1.2, should be in the \(0, 1\) range"),
        ((X,), {"test_size": 6, "train_size": 6}, ValueError,
         r"The sum of train_size and test_size = 12, should be smaller than the number of "
         r"samples 10"),
        ((np.arange(0),), {}, ValueError, r"With n_samples=0, test_size=0.25 and "
         r"train_size=None, the resulting train set will be empty"),
        ((X,), {"shuffle": False, "stratify": X}, ValueError,
         r"Stratified train/test split is not implemented for shuffle=False"),
        ((X,), {"stratify": [0] * 9 + [1]}, ValueError,
         r"The least populated classes in y have only 1 member.*Classes with too few members "
         r"are: \[1\]"),
        ((X,), {"stratify": np.arange(10) % 5, "test_size": 3}, ValueError,
         r"The test_size = 3 should be greater or equal to the number of classes = 5"),
        ((X,), {"stratify": np.arange(10) % 5, "train_size": 3}, ValueError,
         r"The train_size = 3 should be greater or equal to the number of classes = 5"),
        ((X,), {"stratify": [0, 1] * 4}, ValueError,
         r"inconsistent numbers of samples: stratify has 8 labels, the arrays have 10"),
        ((X,), {"random_state": "seed"}, ValueError,
         r"random_state='seed' cannot be used to seed a numpy.random.RandomState instance"),
        ((X,), {"shuffle": 1}, ValueError, r"'shuffle' parameter .* Got 1 instead"),
        ((np.float64(3.0),), {}, TypeError, r"input 0 is a scalar \(shape \(\)\)"),
        ((X, {"a": 1}), {}, TypeError, r"input 1 is a dict"),
        ((None,), {}, TypeError, r"every input is None"),
    ]
    for args, kwargs, exc, pattern in cases:
        with pytest.raises(exc, match=r"train_test_split: .*" + pattern):
            train_test_split(*args, **kwargs)


def test_train_test_split_non_indexable_iterable():
    tr, te = train_test_split(iter(range(8)), test_size=2, random_state=0)
    assert type(tr) is np.ndarray and sorted(tr.tolist() + te.tolist()) == list(range(8))


# ------------------------------------------------------------------------------------------
# to_categorical (Keras semantics)
# ------------------------------------------------------------------------------------------


def test_to_categorical_shapes_and_values():
    out = to_categorical([0, 2, 1, 2])
    assert isinstance(out, funcnet.Array) and out.dtype == np.float32 and out.shape == (4, 3)
    np.testing.assert_array_equal(np.asarray(out), np.eye(3, dtype=np.float32)[[0, 2, 1, 2]])
    assert to_categorical(np.array([[1], [0]]), num_classes=4).shape == (2, 4)
    assert to_categorical(np.zeros((2, 3), int), num_classes=5).shape == (2, 3, 5)
    assert to_categorical(np.zeros((2, 3, 1), int), num_classes=5).shape == (2, 3, 5)
    assert to_categorical(np.zeros((1,), int), num_classes=2).shape == (1, 2)
    assert to_categorical(3, num_classes=5).tolist() == [0.0, 0.0, 0.0, 1.0, 0.0]
    assert to_categorical([], num_classes=3).shape == (0, 3)
    assert to_categorical(fnp.asarray([1, 0])).tolist() == [[0.0, 1.0], [1.0, 0.0]]
    assert to_categorical([True, False]).tolist() == [[0.0, 1.0], [1.0, 0.0]]
    assert to_categorical([1.0, 2.0]).shape == (2, 3)
    assert to_categorical(np.array([1, 0], np.uint8), dtype="int32").dtype == np.int32
    y = np.random.RandomState(0).randint(0, 7, size=(5, 4))
    out = np.asarray(to_categorical(y, num_classes=7))
    assert np.array_equal(out.argmax(-1), y) and np.all(out.sum(-1) == 1)


def test_to_categorical_errors():
    with pytest.raises(ValueError, match=r"to_categorical: label -1 at index \(1,\) is negative "
                                         r"for num_classes=3; labels must be in \[0, 3\)"):
        to_categorical([0, -1, 2])
    with pytest.raises(ValueError, match=r"label 5 at index \(1, 0\) is too large for "
                                         r"num_classes=3"):
        to_categorical([[0], [5]], num_classes=3)
    with pytest.raises(ValueError, match=r"label 1.5 at index \(0,\) is not a whole number"):
        to_categorical([1.5, 2.0])
    with pytest.raises(ValueError, match=r"num_classes must be >= 1, got 0"):
        to_categorical([0], num_classes=0)
    with pytest.raises(TypeError, match=r"num_classes must be an int, got '3'"):
        to_categorical([0], num_classes="3")
    with pytest.raises(TypeError, match=r"y must hold integer class labels, got dtype <U1"):
        to_categorical(["a"])
    with pytest.raises(ValueError, match=r"y is empty, so num_classes cannot be inferred"):
        to_categorical([])


def test_public_names_have_docstrings_with_examples():
    for name in data.__all__:
        obj = getattr(data, name)
        if isinstance(obj, int):
            continue
        assert obj.__doc__ and ">>>" in obj.__doc__, name
    for name in ("from_tensor_slices", "range", "shuffle", "batch", "map", "filter", "repeat",
                 "take", "skip", "cache", "prefetch", "cardinality", "as_numpy_iterator"):
        doc = getattr(Dataset, name).__doc__
        assert doc and ">>>" in doc, name
    assert list(itertools.islice(Dataset.range(3), 2)) is not None
