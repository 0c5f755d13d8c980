"""funcnet.nn layers and Sequential: shapes and parameter counts against the Keras formulas,
values against NumPy references, gradients with check_grads, jit / vmap equivalence, BatchNorm
state, Dropout, custom layers, summary / plot_model, and the error messages of issue 3."""

import math
import warnings

import numpy as np
import pytest

import funcnet
import funcnet.numpy as fnp
from funcnet import nn
from funcnet.errors import ShapeError
from funcnet.test_util import check_grads

KEY = funcnet.random.key(0)


def _np(x):
    return np.asarray(x, dtype=np.float64)


def _count(tree):
    return nn.count_params(tree)


def _init(layer, shape, key=KEY):
    return layer.init(key, shape)


def _rand(shape, seed=0, dtype=np.float32):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


# ----------------------------------------------------------------------------------------------
# output shapes and parameter counts (Keras formulas)
# ----------------------------------------------------------------------------------------------

u, i_ = 32, 16  # recurrent units, input features
SHAPE_CASES = [
    # (id, layer factory, input shape, output shape, trainable count, non-trainable count)
    ("dense", lambda: nn.Dense(64), (None, 100), (None, 64), 100 * 64 + 64, 0),
    ("dense_nobias", lambda: nn.Dense(64, use_bias=False), (None, 100), (None, 64), 6400, 0),
    ("dense_3d", lambda: nn.Dense(5), (None, 7, 3), (None, 7, 5), 3 * 5 + 5, 0),
    ("conv2d", lambda: nn.Conv2D(16, 3), (None, 28, 28, 3), (None, 26, 26, 16),
     3 * 3 * 3 * 16 + 16, 0),
    ("conv2d_same", lambda: nn.Conv2D(16, (3, 5), padding="same"), (None, 28, 28, 3),
     (None, 28, 28, 16), 3 * 5 * 3 * 16 + 16, 0),
    ("conv2d_stride", lambda: nn.Conv2D(8, 3, strides=2, padding="same"), (None, 27, 27, 2),
     (None, 14, 14, 8), 3 * 3 * 2 * 8 + 8, 0),
    ("conv1d", lambda: nn.Conv1D(8, 5), (None, 20, 4), (None, 16, 8), 5 * 4 * 8 + 8, 0),
    ("conv1d_causal", lambda: nn.Conv1D(8, 5, padding="causal"), (None, 20, 4), (None, 20, 8),
     5 * 4 * 8 + 8, 0),
    ("maxpool2d", lambda: nn.MaxPool2D(), (None, 28, 28, 3), (None, 14, 14, 3), 0, 0),
    ("maxpool2d_same", lambda: nn.MaxPool2D(2, padding="same"), (None, 27, 27, 3),
     (None, 14, 14, 3), 0, 0),
    ("maxpool1d", lambda: nn.MaxPool1D(3), (None, 10, 4), (None, 3, 4), 0, 0),
    ("avgpool1d", lambda: nn.AvgPool1D(3, strides=2), (None, 10, 4), (None, 4, 4), 0, 0),
    ("avgpool2d", lambda: nn.AvgPool2D((2, 3)), (None, 8, 9, 2), (None, 4, 3, 2), 0, 0),
    ("gap1d", lambda: nn.GlobalAveragePooling1D(), (None, 10, 4), (None, 4), 0, 0),
    ("gap2d", lambda: nn.GlobalAveragePooling2D(), (None, 7, 7, 3), (None, 3), 0, 0),
    ("flatten", lambda: nn.Flatten(), (None, 28, 28), (None, 784), 0, 0),
    ("reshape", lambda: nn.Reshape((7, -1)), (None, 28), (None, 7, 4), 0, 0),
    ("dropout", lambda: nn.Dropout(0.5), (None, 10), (None, 10), 0, 0),
    ("activation", lambda: nn.Activation("softmax"), (None, 10), (None, 10), 0, 0),
    ("lambda", lambda: nn.Lambda(lambda x: x[:, :3]), (None, 10), (None, 3), 0, 0),
    ("embedding", lambda: nn.Embedding(1000, 64), (None, 10), (None, 10, 64), 64000, 0),
    ("simple_rnn", lambda: nn.SimpleRNN(u), (None, 10, i_), (None, u), u * (i_ + u) + u, 0),
    ("simple_rnn_seq", lambda: nn.SimpleRNN(u, return_sequences=True), (None, 10, i_),
     (None, 10, u), u * (i_ + u) + u, 0),
    ("lstm", lambda: nn.LSTM(u), (None, 10, i_), (None, u), 4 * (u * (i_ + u) + u), 0),
    ("lstm_seq", lambda: nn.LSTM(u, return_sequences=True), (None, 10, i_), (None, 10, u),
     4 * (u * (i_ + u) + u), 0),
    ("gru", lambda: nn.GRU(u), (None, 10, i_), (None, u), 3 * (u * (i_ + u) + 2 * u), 0),
    ("gru_reset_before", lambda: nn.GRU(u, reset_after=False), (None, 10, i_), (None, u),
     3 * (u * (i_ + u) + u), 0),
    ("batch_norm", lambda: nn.BatchNorm(), (None, 8, 8, 16), (None, 8, 8, 16), 2 * 16, 2 * 16),
    ("layer_norm", lambda: nn.LayerNorm(), (None, 10, 32), (None, 10, 32), 2 * 32, 0),
    ("rms_norm", lambda: nn.RMSNorm(), (None, 10, 32), (None, 10, 32), 32, 0),
    # Keras: MultiHeadAttention(num_heads=4, key_dim=8) on 32 features has 4224 params
    ("mha", lambda: nn.MultiHeadAttention(num_heads=4, key_dim=8), (None, 10, 32),
     (None, 10, 32), 4224, 0),
    ("mha_out", lambda: nn.MultiHeadAttention(2, 4, value_dim=3, output_shape=6),
     (None, 5, 8), (None, 5, 6), 2 * (8 * 2 * 4 + 2 * 4) + (8 * 2 * 3 + 2 * 3) + (2 * 3 * 6 + 6),
     0),
]


@pytest.mark.parametrize("name,make,in_shape,out_shape,n_train,n_state", SHAPE_CASES,
                         ids=[c[0] for c in SHAPE_CASES])
def test_shapes_and_param_counts(name, make, in_shape, out_shape, n_train, n_state):
    layer = make()
    assert layer.output_shape(in_shape) == out_shape
    params, state = _init(layer, in_shape)
    assert _count(params) == n_train
    assert _count(state) == n_state
    if n_state == 0:
        assert state == {}
    batch = (3,) + tuple(in_shape[1:])
    x = np.random.default_rng(0).integers(0, 1000, batch).astype(np.int32) if \
        name == "embedding" else _rand(batch)
    y, _ = layer.apply(params, state, fnp.asarray(x))
    assert y.shape == (3,) + out_shape[1:]


def test_output_shape_does_no_flops(monkeypatch):
    # abstract evaluation: a huge layer's output shape without allocating its weights
    layer = nn.Dense(100_000)
    assert layer.output_shape((None, 100_000)) == (None, 100_000)
    assert nn.Sequential([nn.Dense(50_000, input_dim=50_000), nn.Dense(3)]).output_shape() \
        == (None, 3)
    assert nn.Dense(4).output_shape((7, 2)) == (7, 4)


def test_keras_aliases_and_defaults():
    assert nn.BatchNormalization is nn.BatchNorm and nn.MaxPooling2D is nn.MaxPool2D
    bn = nn.BatchNorm()
    assert (bn.momentum, bn.epsilon) == (0.99, 1e-3)
    assert nn.LayerNorm().epsilon == 1e-3
    assert nn.MaxPool2D(3).strides == (3, 3)
    d = nn.Dense(3)
    assert d.kernel_initializer.__name__.startswith("variance_scaling_fan_avg_uniform")
    assert nn.GRU(3).reset_after is True


# ----------------------------------------------------------------------------------------------
# values against NumPy references
# ----------------------------------------------------------------------------------------------

def test_dense_values():
    layer = nn.Dense(4, activation="relu")
    p, s = _init(layer, (None, 3))
    x = _rand((5, 3))
    y, _ = layer.apply(p, s, x)
    np.testing.assert_allclose(np.asarray(y), np.maximum(x @ _np(p["kernel"]) + _np(p["bias"]),
                                                         0), rtol=1e-5, atol=1e-6)


def test_embedding_values():
    layer = nn.Embedding(10, 3)
    p, s = _init(layer, (None, 4))
    ids = np.array([[1, 2, 3, 9], [0, 0, 5, 5]], dtype=np.int32)
    y, _ = layer.apply(p, s, ids)
    np.testing.assert_array_equal(np.asarray(y), np.asarray(p["embeddings"])[ids])
    w = np.asarray(p["embeddings"])
    assert np.all(w >= -0.05) and np.all(w < 0.05)  # Keras' RandomUniform default


def _same_pads(n, k, s):
    out = -(-n // s)
    total = max((out - 1) * s + k - n, 0)
    return total // 2, total - total // 2


def _np_conv2d(x, w, stride, padding):
    kh, kw = w.shape[:2]
    if padding == "same":
        (t, b), (le, r) = _same_pads(x.shape[1], kh, stride[0]), _same_pads(x.shape[2], kw,
                                                                            stride[1])
        x = np.pad(x, ((0, 0), (t, b), (le, r), (0, 0)))
    oh = (x.shape[1] - kh) // stride[0] + 1
    ow = (x.shape[2] - kw) // stride[1] + 1
    out = np.zeros((x.shape[0], oh, ow, w.shape[-1]))
    for i in range(oh):
        for j in range(ow):
            patch = x[:, i * stride[0]:i * stride[0] + kh, j * stride[1]:j * stride[1] + kw, :]
            out[:, i, j, :] = np.einsum("nhwc,hwcf->nf", patch, w)
    return out


@pytest.mark.parametrize("padding,strides", [("valid", 1), ("same", 1), ("same", 2),
                                             ("valid", (2, 1))])
def test_conv2d_values(padding, strides):
    layer = nn.Conv2D(4, (3, 2), strides=strides, padding=padding)
    p, s = _init(layer, (None, 7, 6, 2))
    x = _rand((2, 7, 6, 2))
    y, _ = layer.apply(p, s, x)
    st = (strides, strides) if isinstance(strides, int) else strides
    ref = _np_conv2d(_np(x), _np(p["kernel"]), st, padding) + _np(p["bias"])
    np.testing.assert_allclose(np.asarray(y), ref, rtol=1e-4, atol=1e-5)


def test_conv1d_values_and_causal():
    layer = nn.Conv1D(3, 3, padding="causal")
    p, s = _init(layer, (None, 6, 2))
    x = _rand((2, 6, 2))
    y, _ = layer.apply(p, s, x)
    xp = np.pad(_np(x), ((0, 0), (2, 0), (0, 0)))
    w = _np(p["kernel"])
    ref = np.stack([np.einsum("nkc,kcf->nf", xp[:, t:t + 3], w) for t in range(6)], 1)
    np.testing.assert_allclose(np.asarray(y), ref + _np(p["bias"]), rtol=1e-4, atol=1e-5)
    # causal: output at t does not depend on inputs after t
    x2 = x.copy()
    x2[:, 4:] += 1.0
    y2, _ = layer.apply(p, s, x2)
    np.testing.assert_allclose(np.asarray(y2)[:, :4], np.asarray(y)[:, :4], rtol=1e-6)


def _np_pool(x, size, stride, kind, padding):
    if padding == "same":
        pads = [_same_pads(x.shape[1 + d], size[d], stride[d]) for d in range(len(size))]
        fill = -np.inf if kind == "max" else np.nan
        x = np.pad(x, [(0, 0)] + pads + [(0, 0)], constant_values=fill)
    outs = [(x.shape[1 + d] - size[d]) // stride[d] + 1 for d in range(len(size))]
    out = np.zeros((x.shape[0], *outs, x.shape[-1]))
    for idx in np.ndindex(*outs):
        sl = tuple(slice(i * s, i * s + k) for i, s, k in zip(idx, stride, size, strict=True))
        win = x[(slice(None),) + sl + (slice(None),)]
        axes = tuple(range(1, 1 + len(size)))
        out[(slice(None),) + idx + (slice(None),)] = (
            win.max(axis=axes) if kind == "max" else np.nanmean(win, axis=axes))
    return out


@pytest.mark.parametrize("cls,kind,rank", [(nn.MaxPool2D, "max", 2), (nn.AvgPool2D, "avg", 2),
                                           (nn.MaxPool1D, "max", 1), (nn.AvgPool1D, "avg", 1)])
@pytest.mark.parametrize("padding", ["valid", "same"])
def test_pool_values(cls, kind, rank, padding):
    size, stride = (3,) * rank, (2,) * rank
    layer = cls(3, strides=2, padding=padding)
    x = _rand((2,) + (7,) * rank + (3,))
    y, _ = layer.apply({}, {}, x)
    np.testing.assert_allclose(np.asarray(y), _np_pool(_np(x), size, stride, kind, padding),
                               rtol=1e-5, atol=1e-6)


def _sig(x):
    return 1 / (1 + np.exp(-x))


def _np_rnn(kind, x, p, units, return_sequences, reset_after=True):
    W, U = _np(p["kernel"]), _np(p["recurrent_kernel"])
    b = _np(p["bias"])
    n = x.shape[0]
    h = np.zeros((n, units))
    c = np.zeros((n, units))
    hs = []
    for t in range(x.shape[1]):
        xt = x[:, t]
        if kind == "simple":
            h = np.tanh(xt @ W + h @ U + b)
        elif kind == "lstm":
            z = xt @ W + h @ U + b
            i, f, g, o = np.split(z, 4, axis=1)  # Keras gate order i, f, c, o
            c = _sig(f) * c + _sig(i) * np.tanh(g)
            h = _sig(o) * np.tanh(c)
        elif reset_after:  # Keras GRU, gate order z, r, h
            xz, xr, xh = np.split(xt @ W + b[0], 3, axis=1)
            rz, rr, rh = np.split(h @ U + b[1], 3, axis=1)
            z, r = _sig(xz + rz), _sig(xr + rr)
            hh = np.tanh(xh + r * rh)
            h = z * h + (1 - z) * hh
        else:
            xz, xr, xh = np.split(xt @ W + b, 3, axis=1)
            z = _sig(xz + h @ U[:, :units])
            r = _sig(xr + h @ U[:, units:2 * units])
            hh = np.tanh(xh + (r * h) @ U[:, 2 * units:])
            h = z * h + (1 - z) * hh
        hs.append(h)
    return np.stack(hs, 1) if return_sequences else h


@pytest.mark.parametrize("kind,make", [
    ("simple", lambda rs: nn.SimpleRNN(5, return_sequences=rs)),
    ("lstm", lambda rs: nn.LSTM(5, return_sequences=rs)),
    ("gru", lambda rs: nn.GRU(5, return_sequences=rs)),
    ("gru_before", lambda rs: nn.GRU(5, reset_after=False, return_sequences=rs)),
])
@pytest.mark.parametrize("return_sequences", [False, True])
def test_recurrent_values(kind, make, return_sequences):
    layer = make(return_sequences)
    p, s = _init(layer, (None, 4, 3))
    # non-zero biases so that every bias slot is exercised
    p = dict(p, bias=p["bias"] + fnp.asarray(_rand(p["bias"].shape, 3) * 0.1))
    x = _rand((2, 4, 3))
    y, _ = layer.apply(p, s, x)
    ref = _np_rnn(kind.replace("gru_before", "gru"), _np(x), p, 5, return_sequences,
                  reset_after=kind != "gru_before")
    np.testing.assert_allclose(np.asarray(y), ref, rtol=1e-4, atol=1e-5)


def test_lstm_forget_bias_and_orthogonal_recurrent_kernel():
    p, _ = _init(nn.LSTM(4), (None, 3, 2))
    np.testing.assert_array_equal(np.asarray(p["bias"]), [0] * 4 + [1] * 4 + [0] * 8)
    q = _np(p["recurrent_kernel"])  # (4, 16): orthonormal rows
    np.testing.assert_allclose(q @ q.T, np.eye(4), atol=1e-5)


def test_go_backwards():
    layer = nn.SimpleRNN(3, go_backwards=True)
    fwd = nn.SimpleRNN(3)
    p, s = _init(layer, (None, 5, 2))
    x = _rand((2, 5, 2))
    np.testing.assert_allclose(np.asarray(layer.apply(p, s, x)[0]),
                               np.asarray(fwd.apply(p, s, x[:, ::-1])[0]), rtol=1e-6)


def _np_mha(q_in, v_in, p, heads, key_dim, mask=None):
    def proj(name, x):
        return np.einsum("btd,dhk->bthk", x, _np(p[name]["kernel"])) + _np(p[name]["bias"])
    q, k, v = proj("query", q_in), proj("key", v_in), proj("value", v_in)
    scores = np.einsum("bthk,bshk->bhts", q, k) / math.sqrt(key_dim)
    if mask is not None:
        scores = np.where(mask, scores, -1e9)
    scores = scores - scores.max(-1, keepdims=True)
    pr = np.exp(scores)
    pr /= pr.sum(-1, keepdims=True)
    out = np.einsum("bhts,bshv->bthv", pr, v)
    return np.einsum("bthv,hvo->bto", out, _np(p["attention_output"]["kernel"])) + \
        _np(p["attention_output"]["bias"])


def test_multi_head_attention_values():
    mha = nn.MultiHeadAttention(num_heads=2, key_dim=3)
    p, s = _init(mha, ((None, 4, 6), (None, 5, 6)))
    q, v = _rand((2, 4, 6), 1), _rand((2, 5, 6), 2)
    y, _ = mha.apply(p, s, (q, v))
    np.testing.assert_allclose(np.asarray(y), _np_mha(_np(q), _np(v), p, 2, 3), rtol=1e-4,
                               atol=1e-5)
    # causal self-attention
    causal = nn.MultiHeadAttention(num_heads=2, key_dim=3, use_causal_mask=True)
    p2, s2 = _init(causal, (None, 4, 6))
    y2, _ = causal.apply(p2, s2, q)
    mask = np.tril(np.ones((4, 4), bool))
    np.testing.assert_allclose(np.asarray(y2), _np_mha(_np(q), _np(q), p2, 2, 3, mask),
                               rtol=1e-4, atol=1e-5)


def test_norm_values():
    x = _rand((4, 3, 5)) * 3 + 1
    ln = nn.LayerNorm()
    p, s = _init(ln, (None, 3, 5))
    p = {"gamma": p["gamma"] * 2.0, "beta": p["beta"] + 0.5}
    y, _ = ln.apply(p, s, x)
    xd = _np(x)
    ref = (xd - xd.mean(-1, keepdims=True)) / np.sqrt(xd.var(-1, keepdims=True) + 1e-3) * 2 + .5
    np.testing.assert_allclose(np.asarray(y), ref, rtol=1e-4, atol=1e-5)
    rms = nn.RMSNorm()
    p, s = _init(rms, (None, 3, 5))
    y, _ = rms.apply(p, s, x)
    ref = xd / np.sqrt((xd ** 2).mean(-1, keepdims=True) + 1e-6)
    np.testing.assert_allclose(np.asarray(y), ref, rtol=1e-4, atol=1e-5)


# ----------------------------------------------------------------------------------------------
# BatchNorm running statistics and state threading
# ----------------------------------------------------------------------------------------------

def test_batchnorm_training_and_running_stats():
    bn = nn.BatchNorm(momentum=0.9)
    p, s = _init(bn, (None, 4, 3))
    np.testing.assert_array_equal(np.asarray(s["moving_mean"]), np.zeros(3))
    np.testing.assert_array_equal(np.asarray(s["moving_variance"]), np.ones(3))
    x = _rand((8, 4, 3)) * 2 + 5
    xd = _np(x)
    y, s1 = bn.apply(p, s, x, training=True)
    mean, var = xd.mean((0, 1)), xd.var((0, 1))
    np.testing.assert_allclose(np.asarray(y), (xd - mean) / np.sqrt(var + 1e-3), rtol=1e-4,
                               atol=1e-4)
    np.testing.assert_allclose(np.asarray(s1["moving_mean"]), 0.1 * mean, rtol=1e-5)
    np.testing.assert_allclose(np.asarray(s1["moving_variance"]), 0.9 + 0.1 * var, rtol=1e-5)
    # inference: running statistics, state unchanged
    y_inf, s_inf = bn.apply(p, s1, x)
    assert s_inf is s1
    ref = (xd - _np(s1["moving_mean"])) / np.sqrt(_np(s1["moving_variance"]) + 1e-3)
    np.testing.assert_allclose(np.asarray(y_inf), ref, rtol=1e-4, atol=1e-4)
    # many training steps converge to the data statistics
    st = s1
    for _ in range(60):
        _, st = bn.apply(p, st, x, training=True)
    np.testing.assert_allclose(np.asarray(st["moving_mean"]), mean, rtol=0.01)


def test_batchnorm_state_not_threaded_warns():
    model = nn.Sequential([nn.Dense(4, input_dim=3), nn.BatchNorm()])
    p, s = model.init(KEY)
    x = _rand((8, 3))
    _, s1 = model.apply(p, s, x, training=True)
    with pytest.warns(nn.StateNotThreadedWarning, match=r"BatchNorm layer 'batch_norm'.*"
                      r"Thread the returned state"):
        model.apply(p, s, x, training=True)  # the same state again: not threaded
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _, s2 = model.apply(p, s1, x, training=True)  # threaded: fine
        _, s3 = model.apply(p, s2, x, training=True)
        model.apply(p, s3, x)  # inference with any state: fine
        model.apply(p, s, x)
        model.apply(p, s, x, training=True)  # restarting from an older state: fine


def test_batchnorm_state_under_jit_and_grad():
    model = nn.Sequential([nn.Dense(4, input_dim=3), nn.BatchNorm(), nn.Dense(1)])
    p, s = model.init(KEY)
    x, y = _rand((8, 3)), _rand((8, 1))

    def loss(params, state, x, y):
        pred, state = model.apply(params, state, x, training=True)
        return nn.losses.mse(y, pred), state

    step = funcnet.jit(funcnet.value_and_grad(loss, has_aux=True))
    (l1, s1), g = step(p, s, x, y)
    (l0, s0), g0 = funcnet.value_and_grad(loss, has_aux=True)(p, s, x, y)
    np.testing.assert_allclose(float(l1), float(l0), rtol=1e-5)
    np.testing.assert_allclose(np.asarray(s1["batch_norm"]["moving_mean"]),
                               np.asarray(s0["batch_norm"]["moving_mean"]), rtol=1e-5)
    assert not np.allclose(np.asarray(s1["batch_norm"]["moving_mean"]), 0)
    # no gradient flows into the running statistics
    assert set(g) == {"dense", "batch_norm", "dense_1"}


# ----------------------------------------------------------------------------------------------
# Dropout
# ----------------------------------------------------------------------------------------------

def test_dropout_scaling_and_rate():
    d = nn.Dropout(0.25)
    x = fnp.ones((200, 100))
    y, _ = d.apply({}, {}, x, key=KEY, training=True)
    y = np.asarray(y)
    np.testing.assert_allclose(np.unique(y), [0.0, 1 / 0.75], rtol=1e-6)
    assert abs((y == 0).mean() - 0.25) < 0.01  # rate = fraction dropped
    assert abs(y.mean() - 1.0) < 0.02  # expectation preserved
    np.testing.assert_array_equal(np.asarray(d.apply({}, {}, x)[0]), np.asarray(x))
    y2, _ = d.apply({}, {}, x, key=KEY, training=True)
    np.testing.assert_array_equal(np.asarray(y2), y)  # deterministic given the key
    assert np.asarray(nn.Dropout(1.0).apply({}, {}, x, key=KEY, training=True)[0]).max() == 0


def test_dropout_without_key_is_a_clear_error():
    model = nn.Sequential([nn.Dense(4, input_dim=3), nn.Dropout(0.5)])
    p, s = model.init(KEY)
    with pytest.raises(ValueError, match=r"Dropout layer 'dropout'.*training=True\) needs a "
                                         r"PRNG key.*key=funcnet.random.key"):
        model.apply(p, s, fnp.ones((2, 3)), training=True)
    with pytest.raises(nn.MissingKeyError):
        nn.Dropout(0.1).apply({}, {}, fnp.ones(3), training=True)
    model.apply(p, s, fnp.ones((2, 3)))  # inference needs no key


def test_sequential_splits_keys_per_layer():
    model = nn.Sequential([nn.Dropout(0.5, input_shape=(1000,)), nn.Dropout(0.5)])
    p, s = model.init(KEY)
    y, _ = model.apply(p, s, fnp.ones((1, 1000)), key=KEY, training=True)
    # independent masks: about 1/4 of the units survive, scaled by 4
    assert abs((np.asarray(y) > 0).mean() - 0.25) < 0.05


# ----------------------------------------------------------------------------------------------
# gradients of every layer (float64)
# ----------------------------------------------------------------------------------------------

GRAD_CASES = [
    ("dense", lambda: nn.Dense(3, activation="tanh"), (2, 4), {}),
    ("conv1d", lambda: nn.Conv1D(2, 3, padding="same"), (2, 5, 2), {}),
    ("conv2d", lambda: nn.Conv2D(2, 2, strides=2, padding="same"), (1, 5, 4, 2), {}),
    ("maxpool2d", lambda: nn.MaxPool2D(2), (1, 4, 4, 2), {}),
    ("maxpool1d", lambda: nn.MaxPool1D(2, padding="same"), (2, 5, 2), {}),
    ("avgpool2d", lambda: nn.AvgPool2D(2, padding="same"), (1, 3, 3, 2), {}),
    ("avgpool1d", lambda: nn.AvgPool1D(2), (2, 4, 2), {}),
    ("gap1d", lambda: nn.GlobalAveragePooling1D(), (2, 3, 2), {}),
    ("gap2d", lambda: nn.GlobalAveragePooling2D(), (2, 3, 3, 2), {}),
    ("flatten", lambda: nn.Flatten(), (2, 3, 2), {}),
    ("reshape", lambda: nn.Reshape((2, 3)), (2, 6), {}),
    ("activation", lambda: nn.Activation("gelu"), (2, 3), {}),
    ("lambda", lambda: nn.Lambda(lambda x: x ** 2), (2, 3), {}),
    ("dropout", lambda: nn.Dropout(0.5), (2, 6), {"training": True}),
    ("batch_norm_train", lambda: nn.BatchNorm(), (6, 3), {"training": True}),
    ("batch_norm_infer", lambda: nn.BatchNorm(), (6, 3), {}),
    ("layer_norm", lambda: nn.LayerNorm(), (2, 4), {}),
    ("rms_norm", lambda: nn.RMSNorm(), (2, 4), {}),
    ("simple_rnn", lambda: nn.SimpleRNN(3, return_sequences=True), (2, 3, 2), {}),
    ("lstm", lambda: nn.LSTM(3), (2, 3, 2), {}),
    ("gru", lambda: nn.GRU(3), (2, 3, 2), {}),
    ("gru_before", lambda: nn.GRU(2, reset_after=False), (2, 3, 2), {}),
    ("mha", lambda: nn.MultiHeadAttention(2, 2), (1, 3, 4), {}),
    ("sequential", lambda: nn.Sequential([nn.Dense(3, activation="relu"), nn.BatchNorm(),
                                          nn.Dropout(0.2), nn.Dense(2)]), (4, 3),
     {"training": True}),
]


@pytest.mark.parametrize("name,make,shape,kw", GRAD_CASES, ids=[c[0] for c in GRAD_CASES])
def test_layer_gradients(x64, name, make, shape, kw):
    layer = make()
    params, state = layer.init(KEY, (None,) + shape[1:])
    assert all(np.asarray(leaf).dtype == np.float64 for leaf in funcnet.tree.leaves(params))
    x = fnp.asarray(np.random.default_rng(1).standard_normal(shape))
    key = funcnet.random.key(3)

    def f(params, x):
        return layer.apply(params, state, x, key=key, **kw)[0]

    order = 2 if name in ("dense", "layer_norm", "lstm", "conv2d") else 1
    with warnings.catch_warnings():
        # evaluating a training apply repeatedly on one state is intended here
        warnings.simplefilter("ignore", nn.StateNotThreadedWarning)
        check_grads(f, (params, x), order=order,
                    modes=("rev",) if order == 2 else ("fwd", "rev"))


def test_embedding_gradient(x64):
    layer = nn.Embedding(6, 3)
    params, state = layer.init(KEY, (None, 4))
    ids = fnp.asarray([[0, 1, 1, 5]])
    check_grads(lambda p: layer.apply(p, state, ids)[0], (params,), order=2)
    g = funcnet.grad(lambda p: layer.apply(p, state, ids)[0].sum())(params)["embeddings"]
    np.testing.assert_array_equal(np.asarray(g)[:, 0], [1, 2, 0, 0, 0, 1])


# ----------------------------------------------------------------------------------------------
# jit and vmap
# ----------------------------------------------------------------------------------------------

def _models():
    return {
        "mlp": (nn.Sequential([nn.Dense(8, activation="relu", input_dim=4), nn.Dropout(0.3),
                               nn.Dense(3, activation="softmax")]), (5, 4)),
        "cnn": (nn.Sequential([nn.Conv2D(4, 3, padding="same", activation="relu",
                                         input_shape=(6, 6, 1)),
                               nn.MaxPool2D(), nn.Flatten(), nn.Dense(2)]), (3, 6, 6, 1)),
        "rnn": (nn.Sequential([nn.LSTM(4, return_sequences=True, input_shape=(5, 3)),
                               nn.GRU(3), nn.Dense(2)]), (2, 5, 3)),
        "attention": (nn.Sequential([nn.MultiHeadAttention(2, 3, input_shape=(4, 6)),
                                     nn.LayerNorm(), nn.GlobalAveragePooling1D()]), (2, 4, 6)),
    }


@pytest.mark.parametrize("name", ["mlp", "cnn", "rnn", "attention"])
def test_jit_apply_equals_eager(name):
    model, shape = _models()[name]
    p, s = model.init(KEY)
    x = _rand(shape)
    key = funcnet.random.key(7)
    for training in (False, True):
        f = funcnet.jit(lambda p, s, x, k, training=training: model.apply(p, s, x, key=k,
                                                                          training=training))
        y_jit, _ = f(p, s, x, key)
        y_eager, _ = model.apply(p, s, x, key=key, training=training)
        np.testing.assert_allclose(np.asarray(y_jit), np.asarray(y_eager), rtol=1e-5,
                                   atol=1e-6)


@pytest.mark.parametrize("name", ["mlp", "cnn", "rnn", "attention"])
def test_vmap_over_examples_equals_batched_apply(name):
    model, shape = _models()[name]
    p, s = model.init(KEY)
    x = _rand(shape)

    def one(xi):
        return model.apply(p, s, xi[None])[0][0]

    y_vmap = funcnet.vmap(one)(x)
    y_batch, _ = model.apply(p, s, x)
    np.testing.assert_allclose(np.asarray(y_vmap), np.asarray(y_batch), rtol=1e-5, atol=1e-6)


def test_init_under_jit_matches_eager():
    model = nn.Sequential([nn.Dense(5, input_dim=3), nn.LSTM(4, input_shape=(2, 5))])
    lstm = nn.LSTM(4)
    pe, _ = lstm.init(KEY, (None, 2, 5))
    pj, _ = funcnet.jit(lambda k: lstm.init(k, (None, 2, 5)))(KEY)
    for k in pe:
        np.testing.assert_allclose(np.asarray(pj[k]), np.asarray(pe[k]), atol=1e-5)
    assert len(model) == 2


# ----------------------------------------------------------------------------------------------
# Sequential, naming, custom layers
# ----------------------------------------------------------------------------------------------

def test_sequential_keras_style_and_names():
    model = nn.Sequential()
    model.add(nn.Dense(units=64, activation="relu", input_dim=100))
    model.add(nn.Dense(units=10, activation="softmax"))
    params, state = model.init(KEY)  # input shape from input_dim
    assert sorted(params) == ["dense", "dense_1"] and state == {}
    assert params["dense"]["kernel"].shape == (100, 64)
    y, _ = model.apply(params, state, fnp.ones((3, 100)))
    np.testing.assert_allclose(np.asarray(y).sum(-1), 1.0, rtol=1e-5)
    named = nn.Dense(3)
    named.name = "head"
    m2 = nn.Sequential([nn.Flatten(input_shape=(28, 28)), nn.Dense(5), named,
                        nn.Dense(2, name="dense_1"), nn.Dense(2)])
    assert m2.layer_names == ["flatten", "dense", "head", "dense_1", "dense_2"]
    p2, _ = m2.init(KEY)
    assert sorted(p2) == ["dense", "dense_1", "dense_2", "head"]
    assert m2.get_layer("head") is named
    with pytest.raises(ValueError, match="two layers are named 'a'"):
        _ = nn.Sequential([nn.Dense(1, name="a"), nn.Dense(1, name="a")]).layer_names


def test_sequential_input_shape_and_errors():
    with pytest.raises(ValueError, match=r"no input_shape given.*input_shape=\(None, "):
        nn.Sequential([nn.Dense(3)]).init(KEY)
    m = nn.Sequential([nn.Dense(3)])
    p, _ = m.init(KEY, (None, 7))
    assert p["dense"]["kernel"].shape == (7, 3)
    with pytest.raises(TypeError, match="is not a layer"):
        nn.Sequential([object()])
    with pytest.raises(AttributeError, match="immutable"):
        nn.Dense(3).units = 4
    with pytest.raises(TypeError, match="layer.init"):
        nn.Dense(3)(fnp.ones((1, 3)))
    other, _ = nn.Sequential([nn.Dense(2, name="x", input_dim=7)]).init(KEY)
    with pytest.raises(ValueError, match="match no layer"):
        m.apply(other, {}, fnp.ones((1, 7)))


def test_nested_sequential():
    inner = nn.Sequential([nn.Flatten(), nn.Dense(16, activation="relu"), nn.BatchNorm()])
    outer = nn.Sequential([inner, nn.Dense(4)])
    p, s = outer.init(KEY, (None, 2, 5))
    assert sorted(p) == ["dense", "sequential"]
    assert sorted(p["sequential"]) == ["batch_norm", "dense"]
    assert sorted(s) == ["sequential"]
    y, s2 = outer.apply(p, s, _rand((3, 2, 5)), training=True)
    assert y.shape == (3, 4) and sorted(s2["sequential"]) == ["batch_norm"]
    assert outer.output_shape((None, 2, 5)) == (None, 4)


def test_dense_input_size_mismatch_names_layer_and_shapes():
    model = nn.Sequential([nn.Dense(8, input_dim=20), nn.Dense(4)])
    p, s = model.init(KEY)
    with pytest.raises(ShapeError, match=r"Dense layer 'dense'.*\(32, 10\).*\(20, 8\)"):
        model.apply(p, s, fnp.ones((32, 10)))
    with pytest.raises(ValueError):  # ShapeError is a ValueError
        nn.Dense(2).apply(nn.Dense(2).init(KEY, (None, 3))[0], {}, fnp.ones((1, 4)))
    # a params tree built for another input size, inside a Sequential: the layer path is named
    nested = nn.Sequential([nn.Sequential([nn.Dense(3), nn.Dense(2)])])
    pn, sn = nested.init(KEY, (None, 5))
    bad = {"sequential": {"dense": pn["sequential"]["dense"],
                          "dense_1": {"kernel": fnp.ones((4, 2)), "bias": fnp.zeros(2)}}}
    with pytest.raises(ShapeError, match=r"'sequential/dense_1'.*\(1, 3\).*\(4, 2\)"):
        nested.apply(bad, sn, fnp.ones((1, 5)))


class CenteredLayer:
    """The seed guide's custom layer without parameters, as a funcnet layer."""

    def init(self, key, input_shape):
        return {}, {}

    def apply(self, params, state, x, key=None, training=False):
        return x - fnp.mean(x), state


class MyDense(nn.Layer):
    """The seed guide's custom Dense with build-time shapes."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def init(self, key, input_shape):
        k_w, k_b = funcnet.random.split(key)
        return {"w": nn.initializers.RandomNormal()(k_w, (input_shape[-1], self.units)),
                "b": nn.initializers.zeros(k_b, (self.units,))}, {}

    def apply(self, params, state, x, key=None, training=False):
        return x @ params["w"] + params["b"], state


def test_custom_layers_from_the_seed_guide():
    layer = CenteredLayer()
    y, _ = layer.apply({}, {}, fnp.asarray([1.0, 2.0, 3.0, 4.0, 5.0]))
    assert y.tolist() == [-2.0, -1.0, 0.0, 1.0, 2.0]
    net = nn.Sequential([nn.Flatten(), nn.Dense(20), CenteredLayer()])
    X = funcnet.random.uniform(KEY, (2, 20))
    p, s = net.init(KEY, X.shape)
    assert sorted(p) == ["dense"]
    Y, _ = net.apply(p, s, X)
    assert Y.shape == (2, 20) and abs(float(fnp.mean(Y))) < 1e-6
    dense = MyDense(3)
    p, s = dense.init(KEY, X.shape)
    assert p["w"].shape == (20, 3) and p["b"].tolist() == [0.0, 0.0, 0.0]
    assert dense.output_shape((None, 20)) == (None, 3)
    net = nn.Sequential([MyDense(8), MyDense(1)])
    p, s = net.init(KEY, (None, 20))
    assert sorted(p) == ["my_dense", "my_dense_1"]
    assert net.apply(p, s, X)[0].shape == (2, 1)
    with pytest.raises(AttributeError):
        dense.units = 5
    assert "my_dense (MyDense)" in nn.summary(net, (None, 20), print_fn=None)
    assert "centered_layer (CenteredLayer)" in nn.summary(
        nn.Sequential([nn.Dense(2), CenteredLayer()]), (None, 3), print_fn=None)


def test_seed_guide_initializers_in_layers():
    net = nn.Sequential([nn.Dense(10, kernel_initializer=nn.initializers.zeros,
                                  bias_initializer=nn.initializers.Zeros()),
                         nn.Dense(1, kernel_initializer=nn.initializers.Ones(),
                                  bias_initializer="ones")])
    p, s = net.init(KEY, (None, 20))
    assert float(fnp.abs(p["dense"]["kernel"]).sum()) == 0
    assert p["dense_1"]["kernel"].tolist() == [[1.0]] * 10 and p["dense_1"]["bias"].tolist() \
        == [1.0]
    m = nn.Sequential([nn.Dense(1, kernel_initializer=nn.initializers.RandomNormal(
        stddev=0.01))])
    p, _ = m.init(KEY, (None, 5000))
    assert abs(float(p["dense"]["kernel"].std()) - 0.01) < 0.001


# ----------------------------------------------------------------------------------------------
# summary and plot_model
# ----------------------------------------------------------------------------------------------

def test_summary_table_and_totals():
    model = nn.Sequential([nn.Conv2D(16, 3, activation="relu", input_shape=(28, 28, 1)),
                           nn.BatchNorm(), nn.MaxPool2D(), nn.Flatten(), nn.Dropout(0.2),
                           nn.Dense(10)])
    lines = []
    text = nn.summary(model, print_fn=lines.append)
    assert lines == [text]
    conv, bn, dense = 3 * 3 * 1 * 16 + 16, 4 * 16, 13 * 13 * 16 * 10 + 10
    assert 'Model: "sequential"' in text
    assert "Layer (type)" in text and "Output Shape" in text and "Param #" in text
    row = {ln.split()[0]: ln for ln in text.splitlines() if ln.startswith(" ")}
    assert "(None, 26, 26, 16)" in row["conv2d"] and row["conv2d"].rstrip().endswith("160")
    assert row["batch_norm"].rstrip().endswith("64")
    assert "(None, 2704)" in row["flatten"]
    assert row["dense"].rstrip().endswith(f"{dense:,}")
    assert f"Total params: {conv + bn + dense:,}" in text
    assert f"Trainable params: {conv + 32 + dense:,}" in text
    assert "Non-trainable params: 32 " in text
    # a single layer, with an explicit batch size
    assert "(8, 3)" in nn.summary(nn.Dense(3), (8, 5), print_fn=None)


def test_plot_model_writes_dot(tmp_path):
    model = nn.Sequential([nn.Dense(4, input_dim=3), nn.Dense(2)])
    path = tmp_path / "model.dot"
    dot = nn.plot_model(model, to_file=str(path))
    assert path.read_text() == dot
    assert dot.startswith('digraph "sequential"') and "dense_1 (Dense)" in dot
    assert "out: (None, 2)" in dot and "-> n1" in dot
    import shutil
    if shutil.which("dot") is None:
        with pytest.warns(UserWarning, match="Graphviz 'dot' is not installed"):
            nn.plot_model(model, to_file=str(tmp_path / "model.png"))
        assert (tmp_path / "model.dot").exists()
    else:
        nn.plot_model(model, to_file=str(tmp_path / "m.png"))
        assert (tmp_path / "m.png").stat().st_size > 0


def test_more_shapes_and_errors():
    mha = nn.MultiHeadAttention(2, 4)
    assert mha.output_shape(((None, 5, 8), (None, 7, 6))) == (None, 5, 8)
    with pytest.raises(ShapeError, match=r"Reshape layer 'reshape'.*\(5,\).*\(2, 3\)"):
        nn.Reshape((2, 3)).apply({}, {}, fnp.ones((4, 5)))
    with pytest.raises(ShapeError, match="Conv2D layer 'conv2d'.*rank-4 input_shape"):
        nn.Conv2D(2, 3).init(KEY, (None, 5, 5))
    with pytest.raises(ShapeError, match=r"LSTM layer 'lstm'.*\(2, 3, 5\).*\(4, 8\)"):
        layer = nn.LSTM(2)
        p, s = layer.init(KEY, (None, 3, 4))
        layer.apply(p, s, fnp.ones((2, 3, 5)))
    with pytest.raises(ValueError, match="padding must be one of 'valid', 'same'"):
        nn.Conv2D(2, 3, padding="full")
    with pytest.raises(ValueError, match="rate must be in"):
        nn.Dropout(1.5)
    outer = nn.Sequential([nn.Sequential([nn.Dense(4), nn.BatchNorm()], name="block"),
                           nn.Dense(2)])
    text = nn.summary(outer, (None, 3), print_fn=None)
    row = {ln.split()[0]: ln for ln in text.splitlines() if ln.startswith(" ")}
    assert "block (Sequential)" in row["block"] and row["block"].rstrip().endswith("32")
    assert "Non-trainable params: 8 " in text
