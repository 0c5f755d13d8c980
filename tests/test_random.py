"""funcnet.random: purity (same key, same numbers, eagerly, under jit and under vmap),
independent streams from split / fold_in, and loose distribution checks with fixed keys."""

import warnings

import numpy as np
import pytest

import funcnet
import funcnet.numpy as fnp
from funcnet import jit, vmap
from funcnet import random as jr

KEY = jr.key(0)


def np_(x):
    return np.asarray(x)


# Each sampler as a function of the key alone, with its argument fixed.
SAMPLERS = {
    "normal": lambda k: jr.normal(k, (6,)),
    "uniform": lambda k: jr.uniform(k, (6,), minval=-2.0, maxval=3.0),
    "bernoulli": lambda k: jr.bernoulli(k, 0.3, (6,)),
    "randint": lambda k: jr.randint(k, (6,), 3, 9),
    "choice": lambda k: jr.choice(k, 10, (3,), replace=False),
    "choice_p": lambda k: jr.choice(k, 5, (4,), p=fnp.asarray([0.1, 0.2, 0.3, 0.2, 0.2])),
    "permutation": lambda k: jr.permutation(k, 7),
    "permutation_array": lambda k: jr.permutation(k, fnp.arange(12.0).reshape(4, 3)),
    "categorical": lambda k: jr.categorical(k, fnp.log(fnp.asarray([0.2, 0.3, 0.5])), shape=(5,)),
    "truncated_normal": lambda k: jr.truncated_normal(k, -1.0, 1.5, (6,)),
    "gumbel": lambda k: jr.gumbel(k, (6,)),
    "split": lambda k: jr.split(k, 3),
    "fold_in": lambda k: jr.fold_in(k, 7),
}


def test_key_and_prngkey():
    k = jr.key(42)
    assert k.shape == (2,) and k.dtype == np.uint32
    assert np.array_equal(np_(jr.PRNGKey(42)), np_(k))
    assert not np.array_equal(np_(jr.key(1)), np_(jr.key(2)))


@pytest.mark.parametrize("name", sorted(SAMPLERS))
def test_same_key_same_numbers_eagerly(name):
    f = SAMPLERS[name]
    a, b = np_(f(jr.key(3))), np_(f(jr.key(3)))
    assert np.array_equal(a, b)


@pytest.mark.parametrize("name", sorted(SAMPLERS))
def test_same_numbers_under_jit(name):
    f = SAMPLERS[name]
    k = jr.key(5)
    eager = np_(f(k))
    jitted = np_(jit(f)(k))
    assert eager.dtype == jitted.dtype and eager.shape == jitted.shape
    np.testing.assert_allclose(jitted, eager, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name", sorted(SAMPLERS))
def test_vmap_over_split_keys_equals_loop(name):
    f = SAMPLERS[name]
    keys = jr.split(jr.key(7), 4)
    batched = np_(vmap(f)(keys))
    looped = np.stack([np_(f(keys[i])) for i in range(4)])
    assert batched.shape == looped.shape
    np.testing.assert_allclose(batched, looped, rtol=1e-6, atol=1e-6)
    # different keys give different draws
    assert not all(np.array_equal(looped[0], looped[i]) for i in range(1, 4))


def test_jit_of_vmap_over_keys():
    keys = jr.split(KEY, 3)
    f = lambda k: jr.normal(k, (4,))
    np.testing.assert_allclose(np_(jit(vmap(f))(keys)), np_(vmap(f)(keys)), rtol=1e-6)


def test_key_from_traced_seed():
    assert np.array_equal(np_(jit(jr.key)(3)), np_(jr.key(3)))
    ks = vmap(jr.key)(fnp.arange(3))
    assert np.array_equal(np_(ks), np.stack([np_(jr.key(i)) for i in range(3)]))


def test_split_shapes_and_distinct_keys():
    ks = jr.split(KEY)
    assert ks.shape == (2, 2) and ks.dtype == np.uint32
    ks5 = np_(jr.split(KEY, 5))
    assert ks5.shape == (5, 2)
    assert len({tuple(r) for r in ks5.tolist()}) == 5
    assert tuple(np_(KEY)) not in {tuple(r) for r in ks5.tolist()}


def test_split_gives_different_streams():
    k1, k2 = jr.split(KEY)
    a, b, c = (np_(jr.normal(k, (100,))) for k in (k1, k2, KEY))
    assert not np.allclose(a, b) and not np.allclose(a, c) and not np.allclose(b, c)
    # and the streams are not just shifted copies of each other
    assert abs(np.corrcoef(a, b)[0, 1]) < 0.3


def test_fold_in_gives_different_streams():
    ks = [np_(jr.fold_in(KEY, i)) for i in range(5)]
    assert len({tuple(k.tolist()) for k in ks}) == 5
    draws = [np_(jr.uniform(jr.fold_in(KEY, i), (50,))) for i in range(3)]
    assert not np.allclose(draws[0], draws[1]) and not np.allclose(draws[1], draws[2])
    # deterministic
    assert np.array_equal(np_(jr.fold_in(KEY, 3)), np_(jr.fold_in(KEY, 3)))


def test_fold_in_under_vmap_and_jit():
    data = fnp.arange(4)
    batched = np_(vmap(jr.fold_in, in_axes=(None, 0))(KEY, data))
    looped = np.stack([np_(jr.fold_in(KEY, i)) for i in range(4)])
    assert np.array_equal(batched, looped)
    assert np.array_equal(np_(jit(jr.fold_in)(KEY, 2)), looped[2])


def test_fold_in_emits_no_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        jr.fold_in(jr.key(0), 3)


def test_split_under_vmap():
    keys = jr.split(KEY, 3)
    out = np_(vmap(jr.split)(keys))
    assert out.shape == (3, 2, 2)
    for i in range(3):
        assert np.array_equal(out[i], np_(jr.split(keys[i])))


def test_different_shapes_consistent_dtype():
    assert jr.normal(KEY, (2, 3)).shape == (2, 3)
    assert jr.normal(KEY).shape == ()
    assert jr.normal(KEY, (3,)).dtype == np.float32
    assert jr.uniform(KEY, (3,), dtype=fnp.float16).dtype == np.float16
    assert jr.randint(KEY, (3,), 0, 5).dtype == np.int32
    assert jr.bernoulli(KEY, 0.5, (3,)).dtype == np.bool_


def test_float64_under_x64():
    funcnet.config.update("enable_x64", True)
    try:
        x = jr.normal(KEY, (1000,), dtype=fnp.float64)
        assert x.dtype == np.float64
        assert abs(float(np.mean(np_(x)))) < 0.1
    finally:
        funcnet.config.update("enable_x64", False)


def test_bad_key_is_a_clear_error():
    with pytest.raises(TypeError, match="key"):
        jr.normal(fnp.ones(2), (3,))


# ----------------------------------------------------------------------------------------------
# Distribution sanity (fixed keys: deterministic; tolerances are many standard errors wide)
# ----------------------------------------------------------------------------------------------

N = 20000


def test_normal_moments():
    x = np_(jr.normal(jr.key(11), (N,))).astype(np.float64)
    assert abs(x.mean()) < 0.05
    assert abs(x.std() - 1) < 0.05
    assert abs(np.mean(np.abs(x) < 1) - 0.6827) < 0.02
    assert np.all(np.isfinite(x))


def test_uniform_range_and_moments():
    x = np_(jr.uniform(jr.key(12), (N,), minval=-2.0, maxval=3.0)).astype(np.float64)
    assert x.min() >= -2.0 and x.max() < 3.0
    assert abs(x.mean() - 0.5) < 0.1
    assert abs(x.var() - 25 / 12) < 0.15
    u = np_(jr.uniform(jr.key(13), (N,)))
    assert u.min() >= 0.0 and u.max() < 1.0
    hist, _ = np.histogram(u, bins=10, range=(0, 1))
    assert np.all(np.abs(hist / N - 0.1) < 0.015)


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_bernoulli_rate(p):
    b = np_(jr.bernoulli(jr.key(14), p, (N,)))
    assert b.dtype == np.bool_
    assert abs(b.mean() - p) < 0.02


def test_bernoulli_array_p():
    p = fnp.asarray([0.0, 1.0, 0.5])
    b = np_(jr.bernoulli(jr.key(15), p, (N // 10, 3)))
    assert not b[:, 0].any() and b[:, 1].all()
    assert abs(b[:, 2].mean() - 0.5) < 0.05


def test_randint_range_and_coverage():
    r = np_(jr.randint(jr.key(16), (N,), 3, 9))
    assert r.min() >= 3 and r.max() < 9
    counts = np.bincount(r - 3, minlength=6)
    assert set(np.unique(r).tolist()) == set(range(3, 9))
    assert np.all(np.abs(counts / N - 1 / 6) < 0.02)
    neg = np_(jr.randint(jr.key(17), (1000,), -5, -2))
    assert neg.min() >= -5 and neg.max() < -2


def test_permutation_is_a_permutation():
    for seed in range(5):
        p = np_(jr.permutation(jr.key(seed), 20))
        assert sorted(p.tolist()) == list(range(20))
    x = fnp.arange(12.0).reshape(4, 3)
    px = np_(jr.permutation(jr.key(1), x))
    assert sorted(px[:, 0].tolist()) == [0.0, 3.0, 6.0, 9.0]
    assert all(np.array_equal(row, np.arange(3) + row[0]) for row in px)  # rows stay whole
    pc = np_(jr.permutation(jr.key(2), x, axis=1))
    assert sorted(pc[0].tolist()) == [0.0, 1.0, 2.0]
    # not always the identity
    assert any(np_(jr.permutation(jr.key(s), 10)).tolist() != list(range(10)) for s in range(3))


def test_choice_without_replacement_unique():
    for seed in range(5):
        c = np_(jr.choice(jr.key(seed), 10, (7,), replace=False))
        assert len(set(c.tolist())) == 7 and c.min() >= 0 and c.max() < 10
    c = np_(jr.choice(jr.key(0), 6, (6,), replace=False))
    assert sorted(c.tolist()) == list(range(6))
    a = fnp.asarray([10.0, 20.0, 30.0, 40.0])
    ca = np_(jr.choice(jr.key(1), a, (3,), replace=False))
    assert len(set(ca.tolist())) == 3 and set(ca.tolist()) <= {10.0, 20.0, 30.0, 40.0}
    cp = np_(jr.choice(jr.key(2), 5, (4,), replace=False, p=fnp.asarray([0.1, 0.2, 0.3, 0.2, 0.2])))
    assert len(set(cp.tolist())) == 4


def test_choice_too_many_without_replacement_is_an_error():
    with pytest.raises(ValueError, match="without replacement"):
        jr.choice(jr.key(0), 3, (5,), replace=False)


def test_choice_with_p_frequencies():
    p = np.array([0.1, 0.2, 0.3, 0.4])
    c = np_(jr.choice(jr.key(18), 4, (N,), p=fnp.asarray(p.astype(np.float32))))
    freq = np.bincount(c, minlength=4) / N
    np.testing.assert_allclose(freq, p, atol=0.02)


def test_categorical_frequencies():
    p = np.array([0.2, 0.3, 0.5])
    c = np_(jr.categorical(jr.key(19), fnp.log(fnp.asarray(p.astype(np.float32))), shape=(N,)))
    assert c.min() >= 0 and c.max() <= 2
    freq = np.bincount(c, minlength=3) / N
    np.testing.assert_allclose(freq, p, atol=0.02)


def test_categorical_batched_logits():
    logits = fnp.asarray([[0.0, 50.0, 0.0], [50.0, 0.0, 0.0]])
    c = np_(jr.categorical(jr.key(20), logits))
    assert c.tolist() == [1, 0]
    c2 = np_(jr.categorical(jr.key(20), logits, axis=0))
    assert c2.shape == (3,) and c2[0] == 1 and c2[1] == 0


def test_truncated_normal_within_bounds():
    x = np_(jr.truncated_normal(jr.key(21), -1.0, 1.5, (N,))).astype(np.float64)
    assert x.min() >= -1.0 and x.max() <= 1.5
    # mean of N(0,1) truncated to [a, b]: (phi(a) - phi(b)) / (Phi(b) - Phi(a))
    from math import erf, exp, pi, sqrt
    phi = lambda t: exp(-t * t / 2) / sqrt(2 * pi)
    Phi = lambda t: 0.5 * (1 + erf(t / sqrt(2)))
    mean = (phi(-1.0) - phi(1.5)) / (Phi(1.5) - Phi(-1.0))
    assert abs(x.mean() - mean) < 0.03
    y = np_(jr.truncated_normal(jr.key(22), -2.0, 2.0, (N,)))
    assert y.min() >= -2.0 and y.max() <= 2.0 and abs(y.mean()) < 0.03


def test_gumbel_mean_and_variance():
    g = np_(jr.gumbel(jr.key(23), (N,))).astype(np.float64)
    assert np.all(np.isfinite(g))
    assert abs(g.mean() - 0.5772) < 0.05  # Euler-Mascheroni constant
    assert abs(g.var() - np.pi**2 / 6) < 0.15


def test_samplers_are_reproducible_across_calls_with_same_seed():
    a = np_(jr.normal(jr.key(123), (10,)))
    b = np_(jr.normal(jr.key(123), (10,)))
    c = np_(jr.normal(jr.key(124), (10,)))
    assert np.array_equal(a, b) and not np.array_equal(a, c)
