"""funcnet.nn.losses and funcnet.nn.metrics: values against NumPy (Keras formulas) and
scikit-learn's formulas written in NumPy, reductions and sample weights, numerical stability,
the from_logits warning, string lookup errors, and streaming metrics that do not depend on the
batch size."""

import warnings

import numpy as np
import pytest

import funcnet
import funcnet.numpy as fnp
from funcnet.errors import ShapeError
from funcnet.nn import losses, metrics

RNG = np.random.default_rng(0)
B, C = 12, 4
EPS = 1e-7


def _probs(n=B, c=C, seed=0):
    x = np.random.default_rng(seed).standard_normal((n, c))
    e = np.exp(x)
    return (e / e.sum(-1, keepdims=True)).astype(np.float32)


def _log_softmax(x):
    x = x - x.max(-1, keepdims=True)
    return x - np.log(np.exp(x).sum(-1, keepdims=True))


LABELS = RNG.integers(0, C, B)
ONE_HOT = np.eye(C, dtype=np.float32)[LABELS]
LOGITS = (RNG.standard_normal((B, C)) * 3).astype(np.float32)
PROBS = _probs()
Y_REG = RNG.standard_normal((B, 3)).astype(np.float32)
P_REG = (Y_REG + RNG.standard_normal((B, 3)) * 0.7).astype(np.float32)
BIN_T = RNG.integers(0, 2, (B, 1)).astype(np.float32)
BIN_LOGITS = (RNG.standard_normal((B, 1)) * 2).astype(np.float32)
BIN_P = (1 / (1 + np.exp(-BIN_LOGITS))).astype(np.float32)
W = RNG.uniform(0.1, 2.0, B).astype(np.float32)


def _d(x):
    return np.asarray(x, dtype=np.float64)


def _np_bce(t, p):
    p = np.clip(p, EPS, 1 - EPS)
    return -(t * np.log(p) + (1 - t) * np.log(1 - p)).mean(-1)


def _np_huber(t, p, d):
    e = np.abs(p - t)
    return np.where(e <= d, 0.5 * e ** 2, d * e - 0.5 * d ** 2).mean(-1)


def _np_cos(t, p):
    tn = t / np.sqrt(np.maximum((t ** 2).sum(-1, keepdims=True), 1e-12))
    pn = p / np.sqrt(np.maximum((p ** 2).sum(-1, keepdims=True), 1e-12))
    return -(tn * pn).sum(-1)


# per-sample NumPy references: (name, funcnet call, per-sample reference)
LOSS_CASES = [
    ("mse", lambda **k: losses.mean_squared_error(Y_REG, P_REG, **k),
     ((_d(Y_REG) - _d(P_REG)) ** 2).mean(-1)),
    ("mae", lambda **k: losses.mean_absolute_error(Y_REG, P_REG, **k),
     np.abs(_d(Y_REG) - _d(P_REG)).mean(-1)),
    ("huber", lambda **k: losses.huber(Y_REG, P_REG, **k), _np_huber(_d(Y_REG), _d(P_REG), 1.0)),
    ("huber_delta", lambda **k: losses.huber(Y_REG, P_REG, delta=0.3, **k),
     _np_huber(_d(Y_REG), _d(P_REG), 0.3)),
    ("bce", lambda **k: losses.binary_crossentropy(BIN_T, BIN_P, **k),
     _np_bce(_d(BIN_T), _d(BIN_P))),
    ("bce_logits", lambda **k: losses.binary_crossentropy(BIN_T, BIN_LOGITS, from_logits=True,
                                                          **k),
     (np.logaddexp(0, _d(BIN_LOGITS)) - _d(BIN_LOGITS) * _d(BIN_T)).mean(-1)),
    ("bce_smooth", lambda **k: losses.binary_crossentropy(BIN_T, BIN_P, label_smoothing=0.2,
                                                          **k),
     _np_bce(_d(BIN_T) * 0.8 + 0.1, _d(BIN_P))),
    ("cce", lambda **k: losses.categorical_crossentropy(ONE_HOT, PROBS, **k),
     -(ONE_HOT * np.log(np.clip(_d(PROBS), EPS, 1 - EPS))).sum(-1)),
    ("cce_logits", lambda **k: losses.categorical_crossentropy(ONE_HOT, LOGITS,
                                                               from_logits=True, **k),
     -(ONE_HOT * _log_softmax(_d(LOGITS))).sum(-1)),
    ("cce_smooth", lambda **k: losses.categorical_crossentropy(
        ONE_HOT, LOGITS, from_logits=True, label_smoothing=0.1, **k),
     -((ONE_HOT * 0.9 + 0.1 / C) * _log_softmax(_d(LOGITS))).sum(-1)),
    ("scce", lambda **k: losses.sparse_categorical_crossentropy(LABELS, PROBS, **k),
     -np.log(np.clip(_d(PROBS)[np.arange(B), LABELS], EPS, 1 - EPS))),
    ("scce_logits", lambda **k: losses.sparse_categorical_crossentropy(
        LABELS[:, None], LOGITS, from_logits=True, **k),
     -_log_softmax(_d(LOGITS))[np.arange(B), LABELS]),
    ("kld", lambda **k: losses.kl_divergence(ONE_HOT * 0.9 + 0.025, PROBS, **k),
     ((ONE_HOT * 0.9 + 0.025) * np.log((ONE_HOT * 0.9 + 0.025) / _d(PROBS))).sum(-1)),
    ("hinge01", lambda **k: losses.hinge(BIN_T, BIN_LOGITS, **k),
     np.maximum(1 - (2 * _d(BIN_T) - 1) * _d(BIN_LOGITS), 0).mean(-1)),
    ("hinge_pm1", lambda **k: losses.hinge(2 * BIN_T - 1, BIN_LOGITS, **k),
     np.maximum(1 - (2 * _d(BIN_T) - 1) * _d(BIN_LOGITS), 0).mean(-1)),
    ("cosine", lambda **k: losses.cosine_similarity(Y_REG, P_REG, **k),
     _np_cos(_d(Y_REG), _d(P_REG))),
]


@pytest.mark.parametrize("name,call,ref", LOSS_CASES, ids=[c[0] for c in LOSS_CASES])
def test_loss_values_reductions_and_sample_weight(name, call, ref):
    tol = dict(rtol=2e-5, atol=1e-6)
    np.testing.assert_allclose(float(call()), ref.mean(), **tol)
    np.testing.assert_allclose(float(call(reduction="sum_over_batch_size")), ref.mean(), **tol)
    np.testing.assert_allclose(float(call(reduction="sum")), ref.sum(), **tol)
    np.testing.assert_allclose(np.asarray(call(reduction="none")), ref, **tol)
    # Keras: sum(w * loss) / batch size
    np.testing.assert_allclose(float(call(sample_weight=W)), (W * ref).sum() / B, **tol)
    np.testing.assert_allclose(float(call(sample_weight=W[:, None])), (W * ref).sum() / B,
                               **tol)
    np.testing.assert_allclose(float(call(sample_weight=W, reduction="mean_with_sample_weight")),
                               (W * ref).sum() / W.sum(), **tol)
    np.testing.assert_allclose(np.asarray(call(sample_weight=W, reduction="none")), W * ref,
                               **tol)


def test_loss_rank_matching_and_errors():
    t = np.array([1.0, 0.0, 1.0], np.float32)
    p = np.array([[0.9], [0.2], [0.6]], np.float32)
    np.testing.assert_allclose(float(losses.binary_crossentropy(t, p)),
                               _np_bce(t[:, None], p).mean(), rtol=1e-6)
    with pytest.raises(ShapeError, match=r"mean_squared_error: y_true has shape \(3,\) but "
                                         r"y_pred has shape \(4,\)"):
        losses.mse(np.zeros(3), np.zeros(4))
    with pytest.raises(ShapeError, match="sparse_categorical_crossentropy.*integer labels"):
        losses.sparse_categorical_crossentropy(ONE_HOT, LOGITS)
    with pytest.raises(ShapeError, match="categorical_crossentropy.*one-hot"):
        losses.categorical_crossentropy(LABELS, LOGITS)
    with pytest.raises(ValueError, match="reduction must be one of"):
        losses.mse(Y_REG, P_REG, reduction="average")


def test_crossentropy_stability_on_huge_logits():
    logits = fnp.asarray([[1e4, -1e4, 0.0], [-1e4, 1e4, 0.0]])
    labels = fnp.asarray([1, 1])
    onehot = fnp.asarray([[0.0, 1.0, 0.0], [0.0, 1.0, 0.0]])
    v = losses.sparse_categorical_crossentropy(labels, logits, from_logits=True)
    np.testing.assert_allclose(float(v), 1e4, rtol=1e-6)
    v2 = losses.categorical_crossentropy(onehot, logits, from_logits=True)
    np.testing.assert_allclose(float(v2), 1e4, rtol=1e-6)
    v3 = losses.binary_crossentropy(fnp.asarray([[1.0], [0.0]]), fnp.asarray([[-1e4], [-1e4]]),
                                    from_logits=True)
    np.testing.assert_allclose(float(v3), 5e3, rtol=1e-6)
    for f in (lambda x: losses.sparse_categorical_crossentropy(labels, x, from_logits=True),
              lambda x: losses.categorical_crossentropy(onehot, x, from_logits=True),
              lambda x: losses.binary_crossentropy(onehot, x, from_logits=True)):
        g = np.asarray(funcnet.grad(f)(logits))
        assert np.all(np.isfinite(g))
    # probabilities of exactly 0 and 1 are clipped, never inf / NaN
    assert np.isfinite(float(losses.binary_crossentropy(fnp.asarray([1.0, 0.0]),
                                                        fnp.asarray([0.0, 1.0]))))
    assert np.isfinite(float(losses.categorical_crossentropy(onehot, fnp.asarray(
        [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]))))


def test_from_logits_on_probabilities_warns():
    with pytest.warns(UserWarning, match=r"from_logits=True, but y_pred looks like "
                                         r"probabilities.*rows summing to 1"):
        losses.categorical_crossentropy(ONE_HOT, PROBS, from_logits=True)
    with pytest.warns(UserWarning, match="sparse_categorical_crossentropy: from_logits=True"):
        losses.sparse_categorical_crossentropy(LABELS, PROBS, from_logits=True)
    with pytest.warns(UserWarning, match=r"binary_crossentropy.*all values in \[0, 1\]"):
        losses.binary_crossentropy(BIN_T, BIN_P, from_logits=True)
    with pytest.warns(UserWarning, match="looks like probabilities"):  # also under eager grad
        funcnet.grad(lambda p: losses.categorical_crossentropy(ONE_HOT, p, from_logits=True))(
            fnp.asarray(PROBS))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        losses.categorical_crossentropy(ONE_HOT, LOGITS, from_logits=True)
        losses.sparse_categorical_crossentropy(LABELS, LOGITS, from_logits=True)
        losses.binary_crossentropy(BIN_T, BIN_LOGITS, from_logits=True)
        losses.categorical_crossentropy(ONE_HOT, PROBS)
        # traced values cannot be inspected: no warning, no error
        funcnet.jit(lambda p: losses.categorical_crossentropy(ONE_HOT, p, from_logits=True))(
            PROBS)


def test_loss_lookup_and_classes():
    assert losses.get("mse") is losses.mean_squared_error
    assert losses.get("MSE") is losses.mean_squared_error
    assert losses.get("sparse_categorical_crossentropy") is \
        losses.sparse_categorical_crossentropy
    for name in ("mae", "mean_absolute_error", "huber", "binary_crossentropy", "kld",
                 "kl_divergence", "hinge", "cosine_similarity", "categorical_crossentropy"):
        assert callable(losses.get(name))
    with pytest.raises(ValueError, match=r"unknown loss 'msq'; valid names: .*mean_squared_error"
                                         r".*sparse_categorical_crossentropy"):
        losses.get("msq")
    f = losses.get("sparse_categorical_crossentropy", from_logits=True)
    np.testing.assert_allclose(float(f(LABELS, LOGITS)),
                               -_log_softmax(_d(LOGITS))[np.arange(B), LABELS].mean(), rtol=1e-5)
    mse = losses.MeanSquaredError()
    np.testing.assert_allclose(float(mse(Y_REG, P_REG)), float(losses.mse(Y_REG, P_REG)))
    np.testing.assert_allclose(float(mse(Y_REG, P_REG, sample_weight=W)),
                               float(losses.mse(Y_REG, P_REG, sample_weight=W)))
    scce = losses.get("SparseCategoricalCrossentropy", from_logits=True)
    np.testing.assert_allclose(float(scce(LABELS, LOGITS)), float(f(LABELS, LOGITS)))
    assert isinstance(losses.get(losses.Huber), losses.Huber)
    none = losses.BinaryCrossentropy(from_logits=True, reduction="none")
    assert none(BIN_T, BIN_LOGITS).shape == (B,)
    for cls in (losses.MeanAbsoluteError, losses.CategoricalCrossentropy, losses.KLDivergence,
                losses.Hinge, losses.CosineSimilarity):
        assert callable(cls())


def test_losses_jit_and_grad():
    f = funcnet.jit(lambda p: losses.sparse_categorical_crossentropy(LABELS, p,
                                                                     from_logits=True))
    np.testing.assert_allclose(float(f(LOGITS)), -_log_softmax(_d(LOGITS))[np.arange(B),
                                                                         LABELS].mean(),
                               rtol=1e-5)
    g = np.asarray(funcnet.grad(lambda p: losses.sparse_categorical_crossentropy(
        LABELS, p, from_logits=True))(fnp.asarray(LOGITS)))
    sm = np.exp(_log_softmax(_d(LOGITS)))
    np.testing.assert_allclose(g, (sm - np.eye(C)[LABELS]) / B, rtol=1e-4, atol=1e-6)


# ----------------------------------------------------------------------------------------------
# metrics against NumPy / scikit-learn formulas
# ----------------------------------------------------------------------------------------------

N = 103
M_LABELS = RNG.integers(0, 5, N)
M_SCORES = RNG.standard_normal((N, 5)).astype(np.float32)
M_BIN_T = RNG.integers(0, 2, N)
M_BIN_P = RNG.uniform(0, 1, N).astype(np.float32)
M_Y = (RNG.standard_normal(N) * 2 + 10).astype(np.float32)
M_P = (M_Y + RNG.standard_normal(N)).astype(np.float32)
M_Y2 = RNG.standard_normal((N, 3)).astype(np.float32) * [1, 5, 0.1]
M_P2 = (M_Y2 + RNG.standard_normal((N, 3))).astype(np.float32)
M_W = RNG.uniform(0.0, 3.0, N).astype(np.float32)


def _sk_r2(y, p, w=None, multioutput="uniform_average"):
    # scikit-learn's r2_score (force_finite=True), written in NumPy
    y, p = _d(y), _d(p)
    if y.ndim == 1:
        y, p = y[:, None], p[:, None]
    w = np.ones(len(y)) if w is None else _d(w)
    num = (w[:, None] * (y - p) ** 2).sum(0)
    den = (w[:, None] * (y - np.average(y, axis=0, weights=w)) ** 2).sum(0)
    out = np.ones(y.shape[1])
    nz = den != 0
    out[nz] = 1 - num[nz] / den[nz]
    out[(den == 0) & (num != 0)] = 0.0
    if multioutput == "raw_values":
        return out
    if multioutput == "variance_weighted":
        return np.average(out, weights=den)
    return out.mean()


def _sk_prf(t, pred, w=None):
    w = np.ones(len(t)) if w is None else _d(w)
    tp = (w * ((pred == 1) & (t == 1))).sum()
    fp = (w * ((pred == 1) & (t == 0))).sum()
    fn = (w * ((pred == 0) & (t == 1))).sum()
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0
    return p, r, f


def _wmean(v, w=None):
    return np.average(v, weights=w)


def _topk_ref(labels, scores, k):
    true = scores[np.arange(len(labels)), labels]
    return ((scores > true[:, None]).sum(1) < k).astype(np.float64)


METRIC_CASES = [
    # (name, get kwargs, y_true, y_pred, reference(w))
    ("accuracy", {}, M_LABELS, M_SCORES,
     lambda w: _wmean(M_LABELS == M_SCORES.argmax(1), w)),
    ("sparse_categorical_accuracy", {}, M_LABELS[:, None], M_SCORES,
     lambda w: _wmean(M_LABELS == M_SCORES.argmax(1), w)),
    ("categorical_accuracy", {}, np.eye(5)[M_LABELS], M_SCORES,
     lambda w: _wmean(M_LABELS == M_SCORES.argmax(1), w)),
    ("binary_accuracy", {}, M_BIN_T, M_BIN_P, lambda w: _wmean(M_BIN_T == (M_BIN_P > .5), w)),
    ("top_k_accuracy", {"k": 2}, M_LABELS, M_SCORES,
     lambda w: _wmean(_topk_ref(M_LABELS, M_SCORES, 2), w)),
    ("precision", {}, M_BIN_T, M_BIN_P, lambda w: _sk_prf(M_BIN_T, M_BIN_P > .5, w)[0]),
    ("recall", {}, M_BIN_T, M_BIN_P, lambda w: _sk_prf(M_BIN_T, M_BIN_P > .5, w)[1]),
    ("f1", {}, M_BIN_T, M_BIN_P, lambda w: _sk_prf(M_BIN_T, M_BIN_P > .5, w)[2]),
    ("mse", {}, M_Y, M_P, lambda w: _wmean((_d(M_Y) - M_P) ** 2, w)),
    ("rmse", {}, M_Y, M_P, lambda w: np.sqrt(_wmean((_d(M_Y) - M_P) ** 2, w))),
    ("mae", {}, M_Y, M_P, lambda w: _wmean(np.abs(_d(M_Y) - M_P), w)),
    ("r2_score", {}, M_Y, M_P, lambda w: _sk_r2(M_Y, M_P, w)),
    ("r2_multi", {}, M_Y2, M_P2, lambda w: _sk_r2(M_Y2, M_P2, w)),
    ("r2_var_weighted", {"multioutput": "variance_weighted"}, M_Y2, M_P2,
     lambda w: _sk_r2(M_Y2, M_P2, w, "variance_weighted")),
]
PURE = {"accuracy": metrics.accuracy, "sparse_categorical_accuracy":
        metrics.sparse_categorical_accuracy, "categorical_accuracy": metrics.categorical_accuracy,
        "binary_accuracy": metrics.binary_accuracy, "top_k_accuracy": metrics.top_k_accuracy,
        "precision": metrics.precision, "recall": metrics.recall, "f1": metrics.f1,
        "mse": metrics.mse, "rmse": metrics.rmse, "mae": metrics.mae,
        "r2_score": metrics.r2_score, "r2_multi": metrics.r2_score,
        "r2_var_weighted": metrics.r2_score}


def _metric(name, kw):
    return metrics.get(name.replace("r2_multi", "r2_score").replace("r2_var_weighted",
                                                                    "r2_score"), **kw)


@pytest.mark.parametrize("name,kw,t,p,ref", METRIC_CASES, ids=[c[0] for c in METRIC_CASES])
def test_metric_values(name, kw, t, p, ref):
    np.testing.assert_allclose(float(PURE[name](t, p, **kw)), ref(None), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(float(PURE[name](t, p, sample_weight=M_W, **kw)), ref(M_W),
                               rtol=1e-5, atol=1e-6)
    m = _metric(name, kw)
    np.testing.assert_allclose(float(m(t, p)), ref(None), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name,kw,t,p,ref", METRIC_CASES, ids=[c[0] for c in METRIC_CASES])
@pytest.mark.parametrize("weighted", [False, True])
def test_streaming_metrics_do_not_depend_on_batch_size(name, kw, t, p, ref, weighted):
    m = _metric(name, kw)
    w = M_W if weighted else None
    expected = ref(w)
    update = funcnet.jit(lambda s, t, p, w: m.update(s, t, p, sample_weight=w))
    for bs in (1, 7, 32, N):
        s = m.init()
        for i in range(0, N, bs):
            sw = None if w is None else w[i:i + bs]
            s = m.update(s, t[i:i + bs], p[i:i + bs], sample_weight=sw) if bs < 7 or sw is None \
                else update(s, t[i:i + bs], p[i:i + bs], sw)
        np.testing.assert_allclose(float(m.result(s)), expected, rtol=2e-5, atol=1e-6,
                                   err_msg=f"batch size {bs}")
    # merging two streams equals one stream
    a = m.update(m.init(), t[:40], p[:40])
    b = m.update(m.init(), t[40:], p[40:])
    np.testing.assert_allclose(float(m.result(m.merge(a, b))), ref(None), rtol=2e-5, atol=1e-6)


def test_r2_follows_sklearn_edge_cases():
    const = np.full(6, 2.0, np.float32)
    assert float(metrics.r2_score(const, const)) == 1.0  # perfect on constant y_true
    assert float(metrics.r2_score(const, const + 1)) == 0.0  # imperfect on constant y_true
    raw = metrics.r2_score(np.c_[const, M_Y[:6]], np.c_[const + 1, M_P[:6]],
                           multioutput="raw_values")
    np.testing.assert_allclose(np.asarray(raw), [0.0, _sk_r2(M_Y[:6], M_P[:6])], rtol=1e-5)
    m = metrics.get("r2")
    s = m.init()
    for i in range(6):
        s = m.update(s, const[i:i + 1], const[i:i + 1])
    assert float(m.result(s)) == 1.0
    # large offset: the streaming statistics stay accurate in float32 (Chan's merge)
    y = (M_Y + 1e4).astype(np.float32)
    p = (M_P + 1e4).astype(np.float32)
    s = m.init()
    for i in range(0, N, 5):
        s = m.update(s, y[i:i + 5], p[i:i + 5])
    np.testing.assert_allclose(float(m.result(s)), _sk_r2(y, p), rtol=1e-3)


def test_precision_recall_zero_division_is_zero():
    z = np.zeros(4)
    assert float(metrics.precision(np.array([1, 0, 1, 0]), z)) == 0.0
    assert float(metrics.recall(z, np.array([1, 0, 1, 0]))) == 0.0
    assert float(metrics.f1(z, z)) == 0.0
    assert float(metrics.precision(np.array([1, 0, 1, 0]), np.array([1, 1, 0, 0]))) == 0.5


def test_accuracy_dispatch_like_keras():
    assert float(metrics.accuracy(np.array([1, 2]), np.array([1, 3]))) == 0.5  # equality
    assert float(metrics.accuracy(np.array([[1.0], [0.0]]), np.array([[0.7], [0.7]]))) == 0.5
    assert float(metrics.accuracy(np.eye(3)[[0, 1]], np.eye(3)[[0, 2]] * 0.9)) == 0.5
    # a single sigmoid output against 0/1 labels of shape (n,) or (n, 1): binary, like Keras
    assert float(metrics.accuracy(np.array([1, 0, 1]), np.array([[0.9], [0.2], [0.3]]))) == \
        float(metrics.accuracy(np.array([[1], [0], [1]]), np.array([[0.9], [0.2], [0.3]])))
    assert abs(float(metrics.accuracy(np.array([1, 0, 1]), np.array([[0.9], [0.2], [0.3]])))
               - 2 / 3) < 1e-6
    with pytest.raises(ShapeError, match="accuracy"):
        metrics.accuracy(np.zeros((3, 2)), np.zeros((4, 5)))


def test_metric_lookup():
    for name in ("acc", "accuracy", "RootMeanSquaredError", "r2", "R2Score", "f1_score",
                 "mean_absolute_error", "sparse_top_k_categorical_accuracy", "Precision"):
        assert isinstance(metrics.get(name), metrics.Metric)
    assert metrics.get("RootMeanSquaredError").name == "rmse"
    with pytest.raises(ValueError, match=r"unknown metric 'accuracyy'; valid names: .*accuracy"
                                         r".*r2_score.*rmse"):
        metrics.get("accuracyy")
    custom = metrics.get(lambda t, p: fnp.abs(fnp.asarray(t) - fnp.asarray(p)))
    s = custom.update(custom.init(), np.array([1.0, 2.0]), np.array([1.0, 4.0]))
    assert float(custom.result(s)) == 1.0
    mean = metrics.Mean()
    s = mean.update(mean.update(mean.init(), np.array([1.0, 2.0])), np.array([6.0]))
    assert float(mean.result(s)) == 3.0
    assert float(mean.result(mean.init())) == 0.0
