"""Random NumPy-style indices (ints, slices with any signs and steps, None, ..., integer
arrays, mixed) against NumPy: eager, jit, vmap, grad and ``.at[].add``."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import funcnet
import funcnet.numpy as fnp

SHAPE = (4, 3, 5)

_component = st.one_of(
    st.integers(-3, 2),
    st.builds(slice, st.none() | st.integers(-6, 6), st.none() | st.integers(-6, 6),
              st.none() | st.sampled_from([1, 2, -1, -2])),
    st.just(None), st.just(Ellipsis),
    st.lists(st.integers(-3, 2), min_size=1, max_size=3).map(np.array),
)


def _check(idx):
    a = np.arange(60, dtype=np.float32).reshape(SHAPE)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref = a[idx]
    except IndexError:
        return
    x = fnp.asarray(a)
    fidx = tuple(fnp.asarray(i) if isinstance(i, np.ndarray) else i for i in idx)
    np.testing.assert_array_equal(np.asarray(x[fidx]), ref, err_msg=f"eager {idx}")
    np.testing.assert_array_equal(np.asarray(funcnet.jit(lambda x: x[fidx])(x)), ref,
                                  err_msg=f"jit {idx}")
    batched = funcnet.vmap(lambda x: x[fidx])(fnp.stack([x, x + 1.0]))
    np.testing.assert_array_equal(np.asarray(batched)[1], ref + 1.0, err_msg=f"vmap {idx}")
    expected = np.zeros_like(a)
    np.add.at(expected, idx, 1.5)
    np.testing.assert_array_equal(
        np.asarray(funcnet.grad(lambda x: fnp.sum(x[fidx] * 1.5))(x)), expected,
        err_msg=f"grad {idx}")
    np.testing.assert_array_equal(np.asarray(x.at[fidx].add(1.5)), a + expected,
                                  err_msg=f"at[].add {idx}")


@settings(max_examples=150)
@given(st.lists(_component, min_size=1, max_size=4).map(tuple))
def test_random_indices_match_numpy_under_every_transform(idx):
    if sum(i is Ellipsis for i in idx) <= 1:
        _check(idx)


@pytest.mark.parametrize("idx", [
    (slice(None), 0, Ellipsis, np.array([0])),   # an empty ellipsis separates advanced indices
    (0, slice(-4, None, -1)),                     # a negative step starting before element 0
    (slice(-6, -5, -1),), (slice(None, -6, -1),), (Ellipsis, np.array([1, 0]), 2),
])
def test_index_regressions(idx):
    _check(idx)
