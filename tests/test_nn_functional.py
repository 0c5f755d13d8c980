"""funcnet.nn activations and initializers: values against NumPy, JAX derivatives at kinks,
numerical stability, gradients, and initializer statistics (mean / std / bounds / orthogonality)
with JAX's and Keras' fan rules."""

import math

import numpy as np
import pytest

import funcnet
import funcnet.numpy as fnp
from funcnet import nn
from funcnet.nn import initializers as init
from funcnet.test_util import check_grads

KEY = funcnet.random.key(0)
_erf = np.vectorize(math.erf)


def _sig(x):
    return 1 / (1 + np.exp(-x))


def _softplus(x):
    return np.logaddexp(x, 0)


def _softmax(x, axis=-1):
    e = np.exp(x - x.max(axis, keepdims=True))
    return e / e.sum(axis, keepdims=True)


ACTIVATIONS = [
    ("relu", nn.relu, lambda x: np.maximum(x, 0)),
    ("relu6", nn.relu6, lambda x: np.clip(x, 0, 6)),
    ("sigmoid", nn.sigmoid, _sig),
    ("tanh", nn.tanh, np.tanh),
    ("softmax", nn.softmax, _softmax),
    ("log_softmax", nn.log_softmax, lambda x: np.log(_softmax(x))),
    ("gelu", nn.gelu, lambda x: 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) *
                                                         (x + 0.044715 * x ** 3)))),
    ("gelu_exact", lambda x: nn.gelu(x, approximate=False),
     lambda x: 0.5 * x * (1 + _erf(x / np.sqrt(2)))),
    ("elu", nn.elu, lambda x: np.where(x > 0, x, np.expm1(x))),
    ("selu", nn.selu, lambda x: 1.0507009873554805 * np.where(x > 0, x, 1.6732632423543772 *
                                                                np.expm1(x))),
    ("leaky_relu", nn.leaky_relu, lambda x: np.where(x >= 0, x, 0.01 * x)),
    ("leaky_relu_slope", lambda x: nn.leaky_relu(x, negative_slope=0.2),
     lambda x: np.where(x >= 0, x, 0.2 * x)),
    ("softplus", nn.softplus, _softplus),
    ("softsign", nn.softsign, lambda x: x / (1 + np.abs(x))),
    ("silu", nn.silu, lambda x: x * _sig(x)),
    ("swish", nn.swish, lambda x: x * _sig(x)),
    ("mish", nn.mish, lambda x: x * np.tanh(_softplus(x))),
    ("hard_sigmoid", nn.hard_sigmoid, lambda x: np.clip(x + 3, 0, 6) / 6),
    ("logsumexp", lambda x: nn.logsumexp(x, axis=-1),
     lambda x: np.log(np.exp(x).sum(-1))),
]


@pytest.mark.parametrize("name,fn,ref", ACTIVATIONS, ids=[a[0] for a in ACTIVATIONS])
def test_activation_values(name, fn, ref):
    x = np.random.default_rng(0).standard_normal((4, 5)).astype(np.float32) * 4
    np.testing.assert_allclose(np.asarray(fn(fnp.asarray(x))), ref(x.astype(np.float64)),
                               rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name,fn,ref", ACTIVATIONS, ids=[a[0] for a in ACTIVATIONS])
def test_activation_gradients(x64, name, fn, ref):
    x = np.random.default_rng(1).standard_normal((3, 4)) * 2
    x = x + np.sign(x) * 0.05  # keep away from kinks
    check_grads(fn, (fnp.asarray(x),), order=2)


def test_derivatives_at_kinks_follow_jax():
    g = funcnet.grad
    zero, six = fnp.asarray(0.0), fnp.asarray(6.0)
    assert g(nn.relu)(zero).item() == 0.0
    assert g(lambda x: nn.relu(x).sum())(fnp.zeros(3)).tolist() == [0.0, 0.0, 0.0]
    assert g(nn.relu6)(zero).item() == 0.0 and g(nn.relu6)(six).item() == 0.0
    assert g(nn.leaky_relu)(zero).item() == 1.0
    assert g(nn.elu)(zero).item() == 1.0
    assert g(nn.sigmoid)(zero).item() == 0.25
    assert g(nn.softplus)(zero).item() == 0.5


def test_numerical_stability():
    big = fnp.asarray([1e4, -1e4, 0.0])
    for f in (nn.log_softmax, nn.softmax, nn.softplus, nn.sigmoid, nn.silu, nn.mish, nn.elu,
              nn.selu, nn.gelu, nn.logsumexp):
        y = np.asarray(f(big))
        assert np.all(np.isfinite(y)), f.__name__
        gr = np.asarray(funcnet.grad(lambda x, f=f: f(x).sum())(big))
        assert np.all(np.isfinite(gr)), f.__name__
    np.testing.assert_allclose(np.asarray(nn.log_softmax(big)), [0.0, -2e4, -1e4])
    np.testing.assert_allclose(np.asarray(nn.softplus(big)), [1e4, 0.0, np.log(2)], rtol=1e-6)
    assert np.asarray(nn.sigmoid(fnp.asarray([-100.0]))).item() > 0  # no underflow to 0
    assert nn.logsumexp(fnp.asarray([-np.inf, -np.inf])).item() == -np.inf


def test_softmax_axis_and_log_softmax_consistency():
    x = np.random.default_rng(2).standard_normal((3, 4)).astype(np.float32)
    np.testing.assert_allclose(np.asarray(nn.softmax(x, axis=0)), _softmax(x, 0), rtol=1e-5)
    np.testing.assert_allclose(np.asarray(fnp.exp(nn.log_softmax(x, axis=0))), _softmax(x, 0),
                               rtol=1e-5)
    np.testing.assert_allclose(np.asarray(nn.logsumexp(x, axis=0, keepdims=True)),
                               np.log(np.exp(x).sum(0, keepdims=True)), rtol=1e-5)


def test_one_hot():
    y = nn.one_hot(fnp.asarray([0, 2, 5]), 3)
    assert y.tolist() == [[1, 0, 0], [0, 0, 1], [0, 0, 0]]  # out of range: zeros (JAX)
    assert str(y.dtype) == "float32"
    assert nn.one_hot(fnp.asarray([1, 0]), 2, axis=0).tolist() == [[0, 1], [1, 0]]
    assert str(nn.one_hot(fnp.asarray([1]), 2, dtype="int32").dtype) == "int32"


def test_activation_lookup():
    assert nn.activations.get("relu") is nn.relu
    assert nn.activations.get(None)(fnp.asarray(3.0)).item() == 3.0
    assert nn.activations.get("linear")(fnp.asarray(-3.0)).item() == -3.0
    assert nn.activations.get(nn.tanh) is nn.tanh
    with pytest.raises(ValueError, match="unknown activation 'rellu'.*valid names:.*relu"):
        nn.activations.get("rellu")
    layer = nn.Dense(2, activation="softmax")
    p, s = layer.init(KEY, (None, 3))
    np.testing.assert_allclose(np.asarray(layer.apply(p, s, fnp.ones((1, 3)))[0]).sum(), 1.0,
                               rtol=1e-6)


# ----------------------------------------------------------------------------------------------
# initializers
# ----------------------------------------------------------------------------------------------

SHAPE = (200, 300)  # fan_in 200, fan_out 300
N = math.prod(SHAPE)
_TRUNC = 0.87962566103423978  # std of a standard normal truncated to (-2, 2)

STATS = [
    # (name, init, expected std, bound (None: unbounded), expected mean)
    ("glorot_uniform", init.glorot_uniform(), math.sqrt(2 / 500), math.sqrt(6 / 500), 0.0),
    ("xavier_uniform", init.xavier_uniform(), math.sqrt(2 / 500), math.sqrt(6 / 500), 0.0),
    ("glorot_normal", init.glorot_normal(), math.sqrt(2 / 500),
     2 * math.sqrt(2 / 500) / _TRUNC, 0.0),
    ("he_uniform", init.he_uniform(), math.sqrt(2 / 200), math.sqrt(6 / 200), 0.0),
    ("he_normal", init.he_normal(), math.sqrt(2 / 200), 2 * math.sqrt(2 / 200) / _TRUNC, 0.0),
    ("lecun_uniform", init.lecun_uniform(), math.sqrt(1 / 200), math.sqrt(3 / 200), 0.0),
    ("lecun_normal", init.lecun_normal(), math.sqrt(1 / 200), 2 * math.sqrt(1 / 200) / _TRUNC,
     0.0),
    ("normal", init.normal(0.5), 0.5, None, 0.0),
    ("normal_default", init.normal(), 0.01, None, 0.0),
    ("uniform", init.uniform(2.0), 2 / math.sqrt(12), None, 1.0),
    ("truncated_normal", init.truncated_normal(1.0), _TRUNC, 2.0, 0.0),
    ("variance_scaling_fan_out", init.variance_scaling(3.0, "fan_out", "normal"),
     math.sqrt(3 / 300), None, 0.0),
    ("RandomNormal", init.RandomNormal(), 0.05, None, 0.0),
    ("RandomNormal_mean", init.RandomNormal(mean=1.0, stddev=0.01), 0.01, None, 1.0),
    ("RandomUniform", init.RandomUniform(), 0.1 / math.sqrt(12), 0.05, 0.0),
    ("TruncatedNormal", init.TruncatedNormal(stddev=0.1), 0.1 * _TRUNC, 0.2, 0.0),
    ("GlorotUniform", init.GlorotUniform(), math.sqrt(2 / 500), math.sqrt(6 / 500), 0.0),
    ("GlorotNormal", init.GlorotNormal(), math.sqrt(2 / 500), 2 * math.sqrt(2 / 500) / _TRUNC,
     0.0),
    ("HeNormal", init.HeNormal(), math.sqrt(2 / 200), None, 0.0),
    ("HeUniform", init.HeUniform(), math.sqrt(2 / 200), math.sqrt(6 / 200), 0.0),
    ("VarianceScaling", init.VarianceScaling(2.0, mode="fan_avg", distribution="uniform"),
     math.sqrt(2 / 250), math.sqrt(6 / 250), 0.0),
]


@pytest.mark.parametrize("name,fn,std,bound,mean", STATS, ids=[s[0] for s in STATS])
def test_initializer_statistics(name, fn, std, bound, mean):
    w = np.asarray(fn(KEY, SHAPE), dtype=np.float64)
    assert w.shape == SHAPE and w.dtype == np.float64
    assert str(fn(KEY, (2, 3)).dtype) == "float32"
    se = std / math.sqrt(N)
    assert abs(w.mean() - mean) < 6 * se + 1e-7
    assert abs(w.std() - std) < 0.02 * std
    if bound is not None:
        lo = mean - bound if name != "uniform" else 0.0
        assert w.min() >= lo - 1e-6 and w.max() <= mean + bound + 1e-6
        assert w.max() > mean + 0.9 * bound  # the whole range is used
    if name == "uniform":
        assert w.min() >= 0.0 and w.max() < 2.0
    np.testing.assert_array_equal(np.asarray(fn(KEY, SHAPE)), w.astype(np.float32))


def test_conv_kernel_fans():
    assert init.compute_fans((3, 3, 16, 32)) == (144.0, 288.0)
    assert init.compute_fans((5, 4)) == (5.0, 4.0)
    assert init.compute_fans((7,)) == (7.0, 7.0)
    w = np.asarray(init.he_normal()(KEY, (3, 3, 64, 64)))
    assert abs(w.std() - math.sqrt(2 / (9 * 64))) < 0.02 * math.sqrt(2 / (9 * 64))


@pytest.mark.parametrize("shape", [(8, 8), (12, 5), (5, 12), (3, 3, 4, 8)])
def test_orthogonal(shape):
    q = np.asarray(init.orthogonal()(KEY, shape), dtype=np.float64)
    assert q.shape == shape
    m = q.reshape(-1, shape[-1])
    if m.shape[0] >= m.shape[1]:
        np.testing.assert_allclose(m.T @ m, np.eye(m.shape[1]), atol=1e-5)
    else:
        np.testing.assert_allclose(m @ m.T, np.eye(m.shape[0]), atol=1e-5)
    q2 = np.asarray(init.Orthogonal(gain=2.0)(KEY, shape))
    np.testing.assert_allclose(q2, 2 * q, rtol=1e-5, atol=1e-6)
    qj = np.asarray(funcnet.jit(lambda k: init.orthogonal()(k, shape))(KEY))
    np.testing.assert_allclose(qj, q, atol=1e-5)  # traced Gram-Schmidt == NumPy QR


def test_constant_zeros_ones_and_dtypes(x64):
    assert init.zeros(KEY, (2,)).tolist() == [0.0, 0.0]
    assert init.ones(None, (1, 2)).tolist() == [[1.0, 1.0]]
    assert init.constant(2.5)(KEY, (2,)).tolist() == [2.5, 2.5]
    assert init.Constant(3)(KEY, (1,)).tolist() == [3.0]
    assert str(init.glorot_uniform()(KEY, (2, 2)).dtype) == "float64"  # default float in x64
    assert str(init.glorot_uniform(dtype="float32")(KEY, (2, 2)).dtype) == "float32"
    assert str(init.normal()(KEY, (2,), "float32").dtype) == "float32"
    p, _ = nn.Dense(2, dtype="float32").init(KEY, (None, 3))
    assert str(p["kernel"].dtype) == "float32"


def test_initializer_lookup():
    for name in ("glorot_uniform", "glorot_normal", "he_normal", "he_uniform", "lecun_normal",
                 "lecun_uniform", "orthogonal", "zeros", "ones", "random_normal",
                 "random_uniform", "truncated_normal", "GlorotUniform", "xavier_normal"):
        assert init.get(name)(KEY, (4, 4)).shape == (4, 4)
    assert init.get(init.GlorotUniform)(KEY, (2, 2)).shape == (2, 2)
    with pytest.raises(ValueError, match="unknown initializer 'glorot'.*valid names:.*"
                                         "glorot_uniform"):
        init.get("glorot")
    with pytest.raises(ValueError, match="mode"):
        init.variance_scaling(1.0, "fan", "normal")
    with pytest.raises(TypeError, match="unknown argument 'std'.*stddev"):
        init.RandomNormal(std=0.1)
    assert repr(init.RandomNormal(stddev=0.01)) == "RandomNormal(mean=0.0, stddev=0.01)"


def test_initializers_are_pure_and_jittable():
    for fn in (init.glorot_uniform(), init.he_normal(), init.truncated_normal(),
               init.RandomUniform()):
        a = np.asarray(fn(KEY, (5, 6)))
        b = np.asarray(funcnet.jit(lambda k, fn=fn: fn(k, (5, 6)))(KEY))
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
        assert not np.allclose(a, np.asarray(fn(funcnet.random.key(1), (5, 6))))
