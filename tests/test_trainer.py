"""Tests for funcnet.nn.Trainer (Keras-style fit/evaluate/predict on a pure layer).

Covers the Trainer contract of DESIGN.md ("Trainer" paragraph and "Conventions that tests rely
on") and issue 3: History contents, validation_split / validation_data, shuffle, class_weight and
sample_weight with Keras reduction, evaluate / predict / train_on_batch / test_on_batch,
get/set/save/load weights, resuming from a checkpoint, string names and their errors, the
one-extra-trace rule for a partial last batch, verbose output, Dropout / BatchNorm models,
Dataset input and the quickstart demo's accuracy. The callbacks are in test_callbacks.py.
"""

from __future__ import annotations

import numpy as np
import pytest

import funcnet
import funcnet.numpy as fnp
from funcnet import data, nn, optim
from funcnet.errors import ShapeError

# -- small shared helpers ---------------------------------------------------------------------


def toy(n=50, d=4, seed=0):
    """A small, learnable binary classification problem (float32 x, int32 labels)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d)).astype("float32")
    y = (x[:, 0] + 0.5 * x[:, 1] > 0).astype("int32")
    return x, y


def mlp(d=4, hidden=8, out=2, dropout=None):
    layers = [nn.Dense(hidden, activation="relu", input_dim=d)]
    if dropout:
        layers.append(nn.Dropout(dropout))
    layers.append(nn.Dense(out))
    return nn.Sequential(layers)


def xent():
    return nn.losses.SparseCategoricalCrossentropy(from_logits=True)


def trainer(model=None, optimizer=None, metrics=("accuracy",), seed=0, loss=None):
    return nn.Trainer(model if model is not None else mlp(),
                      loss=loss if loss is not None else xent(),
                      optimizer=optimizer if optimizer is not None else optim.adam(1e-2),
                      metrics=list(metrics), seed=seed)


def weights_equal(a, b):
    wa, wb = a.get_weights(), b.get_weights()
    return len(wa) == len(wb) and all(
        x.shape == y.shape and x.dtype == y.dtype and np.array_equal(x, y)
        for x, y in zip(wa, wb, strict=True))


def np_xent(logits, y):
    """Per-sample sparse softmax cross-entropy in float64 NumPy."""
    z = np.asarray(logits, dtype=np.float64)
    z = z - z.max(-1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(-1, keepdims=True))
    return -logp[np.arange(len(y)), np.asarray(y)]


def initial_logits(t, x):
    """Logits of the trainer's (built) model on x, through the pure model.apply."""
    out, _ = t.model.apply(t.params, t.state, fnp.asarray(x), training=False)
    return np.asarray(out)


# -- fit and History ----------------------------------------------------------------------------


def test_fit_returns_history_with_one_entry_per_epoch():
    x, y = toy()
    t = trainer()
    h = t.fit(x, y, epochs=3, batch_size=16, verbose=0)
    assert isinstance(h, nn.callbacks.History)
    assert set(h.history) == {"loss", "accuracy"}
    assert all(len(v) == 3 for v in h.history.values())
    assert all(isinstance(v, float) for vals in h.history.values() for v in vals)
    assert h.epoch == [0, 1, 2]
    assert t.history is h
    # it learns the toy problem
    assert h.history["loss"][-1] < h.history["loss"][0]
    assert all(0.0 <= a <= 1.0 for a in h.history["accuracy"])


def test_fit_with_validation_data_adds_val_keys():
    x, y = toy()
    t = trainer()
    h = t.fit(x[:40], y[:40], epochs=2, batch_size=16, verbose=0,
              validation_data=(x[40:], y[40:]))
    assert set(h.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(len(v) == 2 for v in h.history.values())
    # the last val entry is evaluate() on the validation data with the final weights
    val = t.evaluate(x[40:], y[40:], return_dict=True)
    assert h.history["val_loss"][-1] == pytest.approx(val["loss"], rel=1e-6)
    assert h.history["val_accuracy"][-1] == pytest.approx(val["accuracy"], rel=1e-6)


def test_fit_without_metrics_has_only_loss():
    x, y = toy()
    h = trainer(metrics=()).fit(x, y, epochs=2, verbose=0, validation_split=0.2)
    assert set(h.history) == {"loss", "val_loss"}


def test_history_loss_is_the_mean_of_the_batch_losses_weighted_by_batch_size():
    # Keras reports the sample-weighted running mean of the batch losses over the epoch
    x, y = toy(n=50)
    t = trainer()
    batch_losses = []
    cb = nn.callbacks.LambdaCallback(
        on_train_batch_end=lambda b, logs: batch_losses.append(logs["loss"]))
    h = t.fit(x, y, epochs=1, batch_size=16, shuffle=False, verbose=0, callbacks=[cb])
    sizes = [16, 16, 16, 2]
    assert len(batch_losses) == 4
    expected = sum(s * v for s, v in zip(sizes, batch_losses, strict=True)) / 50
    assert h.history["loss"][0] == pytest.approx(expected, rel=1e-5)


@pytest.mark.parametrize("split,cut", [(0.2, 40), (0.3, 35), (0.5, 25)])
def test_validation_split_holds_out_the_last_fraction_before_shuffling(split, cut):
    x, y = toy(n=50)
    a = trainer()
    ha = a.fit(x, y, epochs=3, batch_size=8, shuffle=True, verbose=0, validation_split=split)
    b = trainer()
    hb = b.fit(x[:cut], y[:cut], epochs=3, batch_size=8, shuffle=True, verbose=0,
               validation_data=(x[cut:], y[cut:]))
    assert ha.history == hb.history
    assert weights_equal(a, b)
    # and not the first fraction
    c = trainer()
    hc = c.fit(x[50 - cut:], y[50 - cut:], epochs=3, batch_size=8, shuffle=True, verbose=0,
               validation_data=(x[:50 - cut], y[:50 - cut]))
    assert hc.history["val_loss"] != ha.history["val_loss"]


def test_validation_split_out_of_range_raises():
    x, y = toy()
    with pytest.raises(ValueError, match="validation_split"):
        trainer().fit(x, y, epochs=1, verbose=0, validation_split=1.0)


def test_validation_split_splits_sample_weight_too():
    # Keras: the held-out samples keep their sample weights for val_loss
    x, y = toy(n=50)
    w = np.linspace(0.5, 2.0, 50).astype("float32")
    a = trainer()
    ha = a.fit(x, y, epochs=2, batch_size=8, verbose=0, validation_split=0.2, sample_weight=w)
    b = trainer()
    hb = b.fit(x[:40], y[:40], epochs=2, batch_size=8, verbose=0, sample_weight=w[:40],
               validation_data=(x[40:], y[40:], w[40:]))
    assert ha.history == hb.history
    assert weights_equal(a, b)


def test_initial_epoch_gives_epochs_minus_initial_entries():
    x, y = toy()
    h = trainer().fit(x, y, epochs=5, initial_epoch=3, verbose=0)
    assert len(h.history["loss"]) == 2
    assert h.epoch == [3, 4]


def test_second_fit_continues_from_current_weights():
    x, y = toy()
    t = trainer()
    h1 = t.fit(x, y, epochs=3, verbose=0)
    before = t.get_weights()
    h2 = t.fit(x, y, epochs=2, verbose=0)
    assert len(h2.history["loss"]) == 2
    assert h2.history["loss"][0] < h1.history["loss"][0]
    assert not all(np.array_equal(p, q) for p, q in zip(before, t.get_weights(), strict=True))


# -- shuffle ------------------------------------------------------------------------------------


def test_shuffle_false_trains_on_the_batches_in_order():
    # fit(shuffle=False) is the same sequence of train steps as train_on_batch on the slices
    x, y = toy(n=50)
    a = trainer()
    a.fit(x, y, epochs=1, batch_size=16, shuffle=False, verbose=0)
    b = trainer()
    for s in range(0, 50, 16):
        b.train_on_batch(x[s:s + 16], y[s:s + 16])
    assert weights_equal(a, b)


def test_shuffle_true_differs_from_false_and_is_deterministic_per_seed():
    x, y = toy(n=50)
    runs = {}
    for shuffle in (False, True):
        t = trainer()
        h = t.fit(x, y, epochs=2, batch_size=8, shuffle=shuffle, verbose=0)
        runs[shuffle] = (h.history, t.get_weights())
    assert runs[True][0] != runs[False][0]
    again = trainer()
    h = again.fit(x, y, epochs=2, batch_size=8, shuffle=True, verbose=0)
    assert h.history == runs[True][0]
    assert all(np.array_equal(p, q)
               for p, q in zip(again.get_weights(), runs[True][1], strict=True))
    other_seed = trainer(seed=1)
    h = other_seed.fit(x, y, epochs=2, batch_size=8, shuffle=True, verbose=0)
    assert h.history != runs[True][0]


def test_shuffle_with_one_full_batch_changes_nothing():
    # with a single batch holding every sample, the order cannot matter for the update
    x, y = toy(n=32)
    a, b = trainer(), trainer()
    ha = a.fit(x, y, epochs=2, batch_size=32, shuffle=False, verbose=0)
    hb = b.fit(x, y, epochs=2, batch_size=32, shuffle=True, verbose=0)
    assert ha.history["loss"] == pytest.approx(hb.history["loss"], rel=1e-5)
    for p, q in zip(a.get_weights(), b.get_weights(), strict=True):
        np.testing.assert_allclose(p, q, rtol=1e-5, atol=1e-6)


# -- sample_weight and class_weight -------------------------------------------------------------


def test_sample_weight_uses_keras_reduction():
    # Keras "sum_over_batch_size": loss = sum(w * l) / n (not / sum(w))
    x, y = toy(n=40)
    w = np.where(np.arange(40) % 3 == 0, 0.0, 2.5).astype("float32")
    t = trainer(optimizer=optim.sgd(0.1))
    t.build((None, 4))
    expected = float((w * np_xent(initial_logits(t, x), y)).sum() / 40)
    h = t.fit(x, y, epochs=1, batch_size=40, shuffle=False, sample_weight=w, verbose=0)
    assert h.history["loss"][0] == pytest.approx(expected, rel=1e-5)


def test_sample_weight_of_ones_matches_no_weights_and_other_weights_differ():
    x, y = toy(n=40)
    a, b, c = trainer(), trainer(), trainer()
    ha = a.fit(x, y, epochs=2, batch_size=8, verbose=0)
    hb = b.fit(x, y, epochs=2, batch_size=8, verbose=0, sample_weight=np.ones(40, "float32"))
    hc = c.fit(x, y, epochs=2, batch_size=8, verbose=0,
               sample_weight=np.linspace(0.1, 3.0, 40).astype("float32"))
    assert ha.history["loss"] == pytest.approx(hb.history["loss"], rel=1e-5)
    for p, q in zip(a.get_weights(), b.get_weights(), strict=True):
        np.testing.assert_allclose(p, q, rtol=1e-5, atol=1e-6)
    assert hc.history["loss"] != pytest.approx(ha.history["loss"], rel=1e-3)


def test_zero_sample_weight_samples_do_not_move_the_weights():
    # a batch whose samples all have weight 0 leaves the parameters where they are (SGD)
    x, y = toy(n=32)
    t = trainer(optimizer=optim.sgd(0.5))
    t.build((None, 4))
    before = t.get_weights()
    h = t.fit(x, y, epochs=1, batch_size=32, verbose=0, sample_weight=np.zeros(32, "float32"))
    assert h.history["loss"][0] == 0.0
    assert all(np.array_equal(p, q) for p, q in zip(before, t.get_weights(), strict=True))


def test_class_weight_equals_the_matching_sample_weight():
    x, y = toy(n=50)
    cw = {0: 3.0, 1: 0.5}
    a, b = trainer(), trainer()
    ha = a.fit(x, y, epochs=3, batch_size=8, verbose=0, class_weight=cw)
    hb = b.fit(x, y, epochs=3, batch_size=8, verbose=0,
               sample_weight=np.asarray([cw[int(c)] for c in y], "float32"))
    assert ha.history == hb.history
    assert weights_equal(a, b)
    c = trainer()
    hc = c.fit(x, y, epochs=3, batch_size=8, verbose=0)
    assert hc.history["loss"] != ha.history["loss"]


def test_class_weight_changes_the_loss_as_keras_does():
    x, y = toy(n=40)
    cw = {0: 4.0, 1: 0.25}
    t = trainer(optimizer=optim.sgd(0.1))
    t.build((None, 4))
    per = np_xent(initial_logits(t, x), y)
    expected = float((np.asarray([cw[int(c)] for c in y]) * per).sum() / 40)
    h = t.fit(x, y, epochs=1, batch_size=40, verbose=0, class_weight=cw)
    assert h.history["loss"][0] == pytest.approx(expected, rel=1e-5)


def test_class_weight_missing_class_defaults_to_one_and_one_hot_labels_work():
    x, y = toy(n=40)
    onehot = data.to_categorical(y, 2)
    cce = nn.losses.CategoricalCrossentropy(from_logits=True)
    a = trainer(loss=cce, metrics=["categorical_accuracy"])
    ha = a.fit(x, onehot, epochs=2, batch_size=8, verbose=0, class_weight={1: 2.0})
    b = trainer(loss=cce, metrics=["categorical_accuracy"])
    hb = b.fit(x, onehot, epochs=2, batch_size=8, verbose=0,
               sample_weight=np.where(y == 1, 2.0, 1.0).astype("float32"))
    assert ha.history == hb.history


def test_class_weight_does_not_weight_the_validation_loss():
    # Keras: "class_weight ... used for weighting the loss function (during training only)"
    x, y = toy(n=50)
    t = trainer()
    h = t.fit(x, y, epochs=1, batch_size=8, verbose=0, validation_split=0.2,
              class_weight={0: 5.0, 1: 1.0})
    assert h.history["val_loss"][0] == pytest.approx(t.evaluate(x[40:], y[40:])[0], rel=1e-5)


# -- evaluate / predict / train_on_batch / test_on_batch ----------------------------------------


def test_evaluate_returns_loss_and_metrics_list_float_or_dict():
    x, y = toy()
    t = trainer()
    t.fit(x, y, epochs=2, verbose=0)
    res = t.evaluate(x, y)
    assert isinstance(res, list) and len(res) == 2
    assert all(isinstance(v, float) for v in res)
    d = t.evaluate(x, y, return_dict=True)
    assert list(d) == ["loss", "accuracy"]
    assert [d["loss"], d["accuracy"]] == res
    # the values against NumPy
    logits = initial_logits(t, x)
    assert res[0] == pytest.approx(np_xent(logits, y).mean(), rel=1e-5)
    assert res[1] == pytest.approx(float((logits.argmax(1) == y).mean()), abs=1e-7)
    # no metrics: a float
    t0 = trainer(metrics=())
    t0.fit(x, y, epochs=1, verbose=0)
    r0 = t0.evaluate(x, y)
    assert isinstance(r0, float)
    assert t0.evaluate(x, y, return_dict=True) == {"loss": r0}


def test_evaluate_with_several_metrics_keeps_their_order():
    x, y = toy()
    t = trainer(metrics=["accuracy", "sparse_top_k_categorical_accuracy"])
    t.fit(x, y, epochs=1, verbose=0)
    d = t.evaluate(x, y, return_dict=True)
    assert list(d) == ["loss", "accuracy", "sparse_top_k_categorical_accuracy"]
    assert d["sparse_top_k_categorical_accuracy"] == 1.0  # 2 classes, k=5
    assert t.evaluate(x, y) == list(d.values())


def test_evaluate_does_not_depend_on_batch_size():
    x, y = toy(n=101)
    w = np.linspace(0.2, 2.0, 101).astype("float32")
    t = trainer()
    t.fit(x, y, epochs=2, verbose=0)
    for sw in (None, w):
        r7 = t.evaluate(x, y, batch_size=7, sample_weight=sw)
        r64 = t.evaluate(x, y, batch_size=64, sample_weight=sw)
        rall = t.evaluate(x, y, batch_size=1000, sample_weight=sw)
        np.testing.assert_allclose(r7, r64, rtol=1e-5)
        np.testing.assert_allclose(r7, rall, rtol=1e-5)


def test_evaluate_sample_weight_weights_the_loss():
    x, y = toy(n=40)
    w = np.where(y == 1, 3.0, 0.5).astype("float32")
    t = trainer()
    t.fit(x, y, epochs=1, verbose=0)
    per = np_xent(initial_logits(t, x), y)
    loss = t.evaluate(x, y, sample_weight=w, batch_size=7)[0]
    assert loss == pytest.approx(float((w * per).sum() / 40), rel=1e-5)


def test_metrics_are_not_sample_weighted():
    x, y = toy(n=40)
    w = np.where(y == 1, 3.0, 0.5).astype("float32")
    t = trainer()
    t.fit(x, y, epochs=1, verbose=0)
    weighted = t.evaluate(x, y, sample_weight=w, return_dict=True)
    plain = t.evaluate(x, y, return_dict=True)
    assert weighted["loss"] != pytest.approx(plain["loss"], rel=1e-3)
    assert weighted["accuracy"] == plain["accuracy"]


def test_evaluate_does_not_change_the_weights():
    x, y = toy()
    t = trainer()
    t.fit(x, y, epochs=1, verbose=0)
    before = t.get_weights()
    t.evaluate(x, y)
    t.predict(x)
    assert all(np.array_equal(p, q) for p, q in zip(before, t.get_weights(), strict=True))


def test_predict_shape_and_equality_with_model_apply():
    x, y = toy(n=45)
    t = trainer()
    t.fit(x, y, epochs=1, verbose=0)
    for bs in (7, 32, 64):
        p = t.predict(x, batch_size=bs)
        assert p.shape == (45, 2)
        assert isinstance(p, funcnet.Array)
        ref, _ = t.model.apply(t.params, t.state, fnp.asarray(x), training=False)
        np.testing.assert_allclose(np.asarray(p), np.asarray(ref), rtol=1e-6, atol=1e-6)


def test_predict_builds_an_unbuilt_trainer():
    x, _ = toy(n=10)
    t = trainer()
    assert t.params is None
    assert t.predict(x).shape == (10, 2)
    assert t.params is not None


def test_train_on_batch_returns_the_batch_loss_and_metrics_before_the_update():
    x, y = toy(n=16)
    t = trainer()
    t.build((None, 4))
    before = t.test_on_batch(x, y)
    w0 = t.get_weights()
    res = t.train_on_batch(x, y)
    assert isinstance(res, list) and len(res) == 2
    np.testing.assert_allclose(res, before, rtol=1e-5)
    assert not all(np.array_equal(p, q) for p, q in zip(w0, t.get_weights(), strict=True))
    d = t.train_on_batch(x, y, return_dict=True)
    assert list(d) == ["loss", "accuracy"]
    # a trainer without metrics returns a float
    t0 = trainer(metrics=())
    assert isinstance(t0.train_on_batch(x, y), float)
    assert isinstance(t0.test_on_batch(x, y), float)


def test_test_on_batch_matches_evaluate_and_does_not_update():
    x, y = toy(n=20)
    t = trainer()
    t.fit(x, y, epochs=1, verbose=0)
    w0 = t.get_weights()
    r = t.test_on_batch(x, y)
    np.testing.assert_allclose(r, t.evaluate(x, y), rtol=1e-6)
    assert t.test_on_batch(x, y, return_dict=True) == t.evaluate(x, y, batch_size=20,
                                                                  return_dict=True)
    assert all(np.array_equal(p, q) for p, q in zip(w0, t.get_weights(), strict=True))


def test_train_on_batch_class_weight_and_sample_weight():
    x, y = toy(n=16)
    cw = {0: 2.0, 1: 0.5}
    a, b = trainer(), trainer()
    ra = a.train_on_batch(x, y, class_weight=cw)
    rb = b.train_on_batch(x, y, sample_weight=np.asarray([cw[int(c)] for c in y], "float32"))
    assert ra == rb
    assert weights_equal(a, b)


# -- weights ------------------------------------------------------------------------------------


def test_get_set_weights_round_trip():
    x, y = toy()
    a = trainer()
    a.fit(x, y, epochs=2, verbose=0)
    ws = a.get_weights()
    assert len(ws) == 4
    assert sorted(w.shape for w in ws) == sorted([(4, 8), (8,), (8, 2), (2,)])
    assert all(isinstance(w, np.ndarray) for w in ws)
    b = trainer(seed=7)
    b.build((None, 4))
    assert not weights_equal(a, b)
    b.set_weights(ws)
    assert weights_equal(a, b)
    np.testing.assert_array_equal(np.asarray(a.predict(x)), np.asarray(b.predict(x)))
    # get_weights returns copies
    ws[0][...] = 123.0
    assert not np.array_equal(a.get_weights()[0], ws[0])


def test_set_weights_wrong_count_and_shape():
    t = trainer()
    t.build((None, 4))
    ws = t.get_weights()
    with pytest.raises(ValueError, match=r"expected 4 arrays, got 3"):
        t.set_weights(ws[:3])
    bad = list(ws)
    bad[1] = np.zeros(bad[1].shape + (1,), bad[1].dtype)
    with pytest.raises(ShapeError, match=r"array 1 has shape") as e:
        t.set_weights(bad)
    assert str(tuple(ws[1].shape)) in str(e.value)
    assert all(np.array_equal(p, q) for p, q in zip(ws, t.get_weights(), strict=True))


def test_get_weights_includes_batchnorm_state():
    model = nn.Sequential([nn.Dense(8, input_dim=4), nn.BatchNorm(), nn.Dense(2)])
    t = trainer(model)
    t.build((None, 4))
    ws = t.get_weights()
    assert len(ws) == 8  # 2 kernels, 2 biases, gamma, beta, moving mean, moving variance
    t2 = trainer(model, seed=3)
    t2.build((None, 4))
    t2.set_weights(ws)
    assert weights_equal(t, t2)


def test_save_load_weights_round_trip_bit_exact(tmp_path):
    x, y = toy()
    a = trainer()
    a.fit(x, y, epochs=2, verbose=0)
    path = tmp_path / "w.npz"
    a.save_weights(path)
    b = trainer(seed=5)
    b.build((None, 4))
    b.load_weights(path)
    assert weights_equal(a, b)
    # an unbuilt trainer loads too, and can keep training
    c = trainer(seed=9)
    c.load_weights(str(path))
    assert weights_equal(a, c)
    assert np.array_equal(np.asarray(c.predict(x)), np.asarray(a.predict(x)))
    c.fit(x, y, epochs=1, verbose=0)


def test_load_weights_mismatch_names_the_first_differing_path(tmp_path):
    a = trainer(mlp(out=2))
    a.build((None, 4))
    path = tmp_path / "w.npz"
    a.save_weights(path)
    b = trainer(mlp(out=3))
    b.build((None, 4))
    before = b.get_weights()
    with pytest.raises(ValueError) as e:
        b.load_weights(path)
    msg = str(e.value)
    assert "['params']['dense_1']['bias']" in msg
    assert "(3,)" in msg and "(2,)" in msg
    assert all(np.array_equal(p, q) for p, q in zip(before, b.get_weights(), strict=True))
    # a different number of layers: the first path that differs is named
    c = trainer(nn.Sequential([nn.Dense(8, input_dim=4), nn.Dense(8), nn.Dense(2)]))
    c.build((None, 4))
    with pytest.raises(ValueError, match=r"\['params'\]\['dense_1'\]"):
        c.load_weights(path)


def test_load_weights_with_a_different_layer_name_names_it(tmp_path):
    a = trainer(nn.Sequential([nn.Dense(8, input_dim=4, name="hidden"), nn.Dense(2)]))
    a.build((None, 4))
    path = tmp_path / "w.npz"
    a.save_weights(path)
    b = trainer(nn.Sequential([nn.Dense(8, input_dim=4, name="first"), nn.Dense(2)]))
    b.build((None, 4))
    with pytest.raises(ValueError, match="first difference") as e:
        b.load_weights(path)
    assert "first" in str(e.value) and "hidden" in str(e.value)


@pytest.mark.parametrize("dropout", [None, 0.3])
def test_resume_from_checkpoint_reproduces_the_uninterrupted_run(tmp_path, dropout):
    x, y = toy(n=70)
    kw = dict(batch_size=16, shuffle=True, verbose=0, validation_split=0.2)

    def make():
        return trainer(mlp(dropout=dropout), optimizer=optim.adam(1e-2))

    straight = make()
    h_all = straight.fit(x, y, epochs=4, **kw)

    first = make()
    h_first = first.fit(x, y, epochs=2, **kw)
    path = tmp_path / "ckpt.npz"
    first.save(path, epoch=2)

    resumed = make()
    assert resumed.load(path) == 2
    h_rest = resumed.fit(x, y, epochs=4, initial_epoch=2, **kw)

    for k in h_all.history:
        assert h_first.history[k] + h_rest.history[k] == h_all.history[k], k
    assert h_rest.epoch == [2, 3]
    assert weights_equal(straight, resumed)
    for p, q in zip(funcnet.tree.leaves(straight.opt_state),
                    funcnet.tree.leaves(resumed.opt_state), strict=True):
        assert np.array_equal(np.asarray(p), np.asarray(q))


def test_load_with_a_different_optimizer_state_raises(tmp_path):
    a = trainer(optimizer=optim.adam(1e-2))
    a.build((None, 4))
    a.save(tmp_path / "c.npz")
    b = trainer(optimizer=optim.sgd(0.1, momentum=0.9))
    with pytest.raises(ValueError, match="optimizer-state"):
        b.load(tmp_path / "c.npz")


# -- names and errors ---------------------------------------------------------------------------


def test_string_names_for_loss_optimizer_and_metrics():
    x, y = toy(n=64)
    model = nn.Sequential([nn.Dense(16, activation="relu", input_dim=4),
                           nn.Dense(2, activation="softmax")])
    t = nn.Trainer(model, loss="sparse_categorical_crossentropy", optimizer="adam",
                   metrics=["accuracy"])
    assert t.learning_rate == pytest.approx(1e-3)  # Keras's default for Adam
    h = t.fit(x, y, epochs=10, batch_size=8, verbose=0)
    assert set(h.history) == {"loss", "accuracy"}
    assert h.history["loss"][-1] < h.history["loss"][0]
    # the string optimizer is the same as the explicit optax-style one at Keras's rate
    u = nn.Trainer(model, loss="sparse_categorical_crossentropy",
                   optimizer=optim.adam(learning_rate=1e-3), metrics=["accuracy"])
    hu = u.fit(x, y, epochs=10, batch_size=8, verbose=0)
    assert hu.history == h.history


@pytest.mark.parametrize("name,lr", [("sgd", 0.01), ("SGD", 0.01), ("rmsprop", 1e-3),
                                     ("adamw", 1e-3), ("Adam", 1e-3)])
def test_optimizer_names_and_keras_default_rates(name, lr):
    t = nn.Trainer(mlp(), loss="mse", optimizer=name)
    assert t.learning_rate == pytest.approx(lr)


def test_metric_string_single_and_aliases():
    x, y = toy()
    h = nn.Trainer(mlp(), loss=xent(), metrics="accuracy").fit(x, y, epochs=1, verbose=0)
    assert set(h.history) == {"loss", "accuracy"}
    h = nn.Trainer(mlp(), loss=xent(), metrics=["acc"]).fit(x, y, epochs=1, verbose=0)
    assert set(h.history) == {"loss", "acc"}


def test_regression_with_mse_and_metric_objects():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(64, 3)).astype("float32")
    y = (x @ np.asarray([[1.0], [-2.0], [0.5]], "float32") + 0.3).astype("float32")
    t = nn.Trainer(nn.Sequential([nn.Dense(1, input_dim=3)]), loss="mse",
                   optimizer=optim.adam(5e-2), metrics=["mae", nn.metrics.get("rmse")])
    h = t.fit(x, y, epochs=30, batch_size=16, verbose=0)
    assert set(h.history) == {"loss", "mae", "rmse"}
    assert h.history["loss"][-1] < 0.1 * h.history["loss"][0]
    loss, mae, rmse = t.evaluate(x, y)
    pred = np.asarray(t.predict(x))
    assert loss == pytest.approx(float(((pred - y) ** 2).mean()), rel=1e-4)
    assert mae == pytest.approx(float(np.abs(pred - y).mean()), rel=1e-4)
    assert rmse == pytest.approx(float(np.sqrt(((pred - y) ** 2).mean())), rel=1e-4)


def test_unknown_optimizer_string_lists_the_valid_ones():
    with pytest.raises(ValueError, match="unknown optimizer 'adamz'") as e:
        nn.Trainer(mlp(), loss=xent(), optimizer="adamz")
    for name in ("adam", "sgd", "rmsprop", "adamw"):
        assert name in str(e.value)


def test_unknown_loss_string_lists_the_valid_ones():
    with pytest.raises(ValueError, match="unknown loss 'msez'") as e:
        nn.Trainer(mlp(), loss="msez")
    for name in ("mse", "sparse_categorical_crossentropy", "binary_crossentropy"):
        assert name in str(e.value)


def test_unknown_metric_string_lists_the_valid_ones():
    with pytest.raises(ValueError, match="unknown metric 'accuracyz'") as e:
        nn.Trainer(mlp(), loss=xent(), metrics=["accuracyz"])
    for name in ("accuracy", "mae", "sparse_categorical_accuracy"):
        assert name in str(e.value)


def test_optimizer_that_is_not_a_gradient_transformation_raises():
    with pytest.raises(TypeError, match="optimizer"):
        nn.Trainer(mlp(), loss=xent(), optimizer=3.0)


@pytest.mark.parametrize("name", ["sgd", "adam", "rmsprop", "adamw"])
def test_lr_keyword_raises_type_error_naming_learning_rate(name):
    with pytest.raises(TypeError, match="learning_rate=") as e:
        getattr(optim, name)(lr=1e-3)
    assert "lr=" in str(e.value)


def test_mismatched_x_y_lengths_raise_shape_error_naming_both():
    x, y = toy(n=50)
    t = trainer()
    with pytest.raises(ShapeError, match=r"fit.*50.*40") as e:
        t.fit(x, y[:40], epochs=1, verbose=0)
    assert isinstance(e.value, ValueError)
    with pytest.raises(ShapeError, match=r"evaluate.*50.*49"):
        t.evaluate(x, y[:49])
    with pytest.raises(ShapeError, match=r"train_on_batch.*50.*10"):
        t.train_on_batch(x, y[:10])


# -- tracing ------------------------------------------------------------------------------------


def test_partial_last_batch_costs_one_extra_trace_and_none_after_the_first_epoch():
    x, y = toy(n=50)  # batch 16: 3 full batches and one of 2
    t = trainer()
    misses = []
    cb = nn.callbacks.LambdaCallback(
        on_epoch_end=lambda e, logs: misses.append(t._train_step.cache_info().misses))
    t.fit(x, y, epochs=4, batch_size=16, verbose=0, callbacks=[cb])
    assert misses == [2, 2, 2, 2]
    info = t._train_step.cache_info()
    assert info.misses == 2
    assert info.hits == 4 * 4 - 2
    assert len(info.miss_reasons) == 2
    # another fit on the same shapes (with validation) traces nothing new
    t.fit(x, y, epochs=2, batch_size=16, verbose=0, validation_split=0.0)
    assert t._train_step.cache_info().misses == 2


def test_no_partial_batch_means_one_trace():
    x, y = toy(n=48)
    t = trainer()
    t.fit(x, y, epochs=3, batch_size=16, verbose=0)
    assert t._train_step.cache_info().misses == 1


# -- verbose ------------------------------------------------------------------------------------


def test_verbose_0_prints_nothing(capsys):
    x, y = toy()
    t = trainer()
    t.fit(x, y, epochs=2, verbose=0, validation_split=0.2)
    t.evaluate(x, y, verbose=0)
    t.predict(x)
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""


def test_verbose_2_prints_one_line_per_epoch(capsys):
    x, y = toy()
    trainer().fit(x, y, epochs=3, batch_size=16, verbose=2, validation_split=0.2)
    out = capsys.readouterr().out
    assert "\r" not in out and "[" not in out
    metric_lines = [ln for ln in out.splitlines() if "loss:" in ln]
    assert len(metric_lines) == 3
    for ln in metric_lines:
        assert "accuracy:" in ln and "val_loss:" in ln and "val_accuracy:" in ln
        assert ln.startswith("3/3")  # 40 training samples, batch 16
    # the only other lines are the Keras "Epoch k/n" headers
    assert [ln for ln in out.splitlines() if "loss:" not in ln] == [
        "Epoch 1/3", "Epoch 2/3", "Epoch 3/3"]


def test_verbose_1_prints_the_progress_bar(capsys):
    x, y = toy()
    trainer().fit(x, y, epochs=2, batch_size=16, verbose=1)
    out = capsys.readouterr().out
    assert "Epoch 1/2" in out and "Epoch 2/2" in out
    assert "4/4 [" + "=" * 30 + "]" in out
    assert "ms/step" in out
    assert out.count("loss:") >= 2 and out.count("accuracy:") >= 2


def test_evaluate_verbose_prints_the_results(capsys):
    x, y = toy()
    t = trainer()
    t.fit(x, y, epochs=1, verbose=0)
    t.evaluate(x, y, verbose=1)
    out = capsys.readouterr().out
    assert "loss:" in out and "accuracy:" in out


# -- Dropout and BatchNorm models ---------------------------------------------------------------


def test_dropout_model_trains_and_predicts_deterministically():
    x, y = toy(n=64)
    t = trainer(mlp(hidden=32, dropout=0.5))
    h = t.fit(x, y, epochs=15, batch_size=16, verbose=0)
    assert h.history["loss"][-1] < h.history["loss"][0]
    # inference mode: no dropout, so predict and evaluate are deterministic
    np.testing.assert_array_equal(np.asarray(t.predict(x)), np.asarray(t.predict(x)))
    assert t.evaluate(x, y) == t.evaluate(x, y)
    ref, _ = t.model.apply(t.params, t.state, fnp.asarray(x), training=False)
    np.testing.assert_allclose(np.asarray(t.predict(x)), np.asarray(ref), rtol=1e-6)
    assert t.evaluate(x, y)[1] > 0.8


def test_dropout_is_active_during_fit():
    # with dropout the train-mode loss of the first epoch differs from the dropout-free model
    x, y = toy(n=64)
    a = trainer(mlp(hidden=32, dropout=0.5))
    b = trainer(mlp(hidden=32, dropout=None))
    ha = a.fit(x, y, epochs=1, batch_size=16, verbose=0)
    hb = b.fit(x, y, epochs=1, batch_size=16, verbose=0)
    assert ha.history["loss"][0] != hb.history["loss"][0]


def test_batchnorm_state_changes_during_fit_and_is_used_in_evaluate():
    x, y = toy(n=64)
    x = x * 3.0 + 2.0  # non-trivial batch statistics
    model = nn.Sequential([nn.Dense(16, input_dim=4), nn.BatchNorm(),
                           nn.Activation("relu"), nn.Dense(2)])
    t = trainer(model)
    t.build((None, 4))
    state0 = funcnet.tree.map(lambda a: np.array(a), t.state)
    h = t.fit(x, y, epochs=5, batch_size=16, verbose=0)
    assert h.history["loss"][-1] < h.history["loss"][0]
    leaves0 = funcnet.tree.leaves(state0)
    leaves1 = [np.asarray(a) for a in funcnet.tree.leaves(t.state)]
    assert len(leaves1) == 2
    assert all(not np.array_equal(p, q) for p, q in zip(leaves0, leaves1, strict=True))
    # evaluate uses the running statistics in t.state (inference mode)
    loss, acc = t.evaluate(x, y)
    logits = np.asarray(t.model.apply(t.params, t.state, fnp.asarray(x), training=False)[0])
    assert loss == pytest.approx(float(np_xent(logits, y).mean()), rel=1e-5)
    stale = np.asarray(t.model.apply(t.params, state0, fnp.asarray(x), training=False)[0])
    assert abs(float(np_xent(stale, y).mean()) - loss) > 1e-3
    # and inference does not depend on the batch composition
    np.testing.assert_allclose(np.asarray(t.predict(x, batch_size=5)), logits,
                               rtol=1e-5, atol=1e-6)


def test_batchnorm_state_survives_save_and_load(tmp_path):
    x, y = toy(n=64)
    model = nn.Sequential([nn.Dense(8, input_dim=4), nn.BatchNorm(), nn.Dense(2)])
    a = trainer(model)
    a.fit(x, y, epochs=2, batch_size=16, verbose=0)
    a.save_weights(tmp_path / "bn.npz")
    b = trainer(model, seed=4)
    b.build((None, 4))
    b.load_weights(tmp_path / "bn.npz")
    assert weights_equal(a, b)
    assert b.evaluate(x, y) == a.evaluate(x, y)


# -- Dataset input ------------------------------------------------------------------------------


def test_fit_on_a_dataset_of_x_y_batches_matches_arrays():
    x, y = toy(n=50)
    ds = data.Dataset.from_tensor_slices((x, y)).batch(16)
    a = trainer()
    ha = a.fit(ds, epochs=3, verbose=0)
    b = trainer()
    hb = b.fit(x, y, epochs=3, batch_size=16, shuffle=False, verbose=0)
    assert ha.history == hb.history
    assert weights_equal(a, b)
    assert a._train_step.cache_info().misses == 2


def test_fit_on_a_dataset_with_validation_and_sample_weights():
    x, y = toy(n=50)
    w = np.linspace(0.5, 1.5, 50).astype("float32")
    ds = data.Dataset.from_tensor_slices((x[:40], y[:40], w[:40])).shuffle(40, seed=0).batch(8)
    t = trainer()
    h = t.fit(ds, epochs=2, verbose=0, validation_data=(x[40:], y[40:]))
    assert set(h.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert all(len(v) == 2 for v in h.history.values())
    # the weights are used: equal to the array path when unshuffled
    ds2 = data.Dataset.from_tensor_slices((x, y, w)).batch(10)
    a = trainer()
    ha = a.fit(ds2, epochs=2, verbose=0)
    b = trainer()
    hb = b.fit(x, y, epochs=2, batch_size=10, shuffle=False, verbose=0, sample_weight=w)
    assert ha.history == hb.history


def test_fit_on_a_dataset_prints_progress(capsys):
    x, y = toy(n=32)
    ds = data.Dataset.from_tensor_slices((x, y)).batch(8)
    trainer().fit(ds, epochs=1, verbose=2)
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "Epoch 1/1"
    assert out.splitlines()[1].startswith("4/4")


def test_fit_on_a_dataset_with_a_validation_dataset():
    x, y = toy(n=50)
    train = data.Dataset.from_tensor_slices((x[:40], y[:40])).batch(8)
    val = data.Dataset.from_tensor_slices((x[40:], y[40:])).batch(8)
    t = trainer()
    h = t.fit(train, epochs=1, verbose=0, validation_data=val)
    assert h.history["val_loss"][0] == pytest.approx(t.evaluate(x[40:], y[40:])[0], rel=1e-5)


def test_fit_on_a_dataset_honours_class_weight():
    x, y = toy(n=50)
    cw = {0: 5.0, 1: 1.0}
    ds = data.Dataset.from_tensor_slices((x, y)).batch(10)
    a = trainer()
    ha = a.fit(ds, epochs=1, verbose=0, class_weight=cw)
    b = trainer()
    hb = b.fit(x, y, epochs=1, batch_size=10, shuffle=False, verbose=0, class_weight=cw)
    assert ha.history == hb.history


def test_fit_on_a_dataset_honours_steps_per_epoch():
    x, y = toy(n=20)
    ds = data.Dataset.from_tensor_slices((x, y)).batch(5).repeat(3)  # 12 batches, finite
    seen = []
    cb = nn.callbacks.LambdaCallback(on_train_batch_end=lambda b, logs: seen.append(b))
    trainer().fit(ds, epochs=1, steps_per_epoch=4, verbose=0, callbacks=[cb])
    assert seen == [0, 1, 2, 3]


# -- the demo -----------------------------------------------------------------------------------


def test_quickstart_demo_reaches_097_test_accuracy():
    X, y = data.load_digits(return_X_y=True)
    X = X / 16.0
    x_train, x_test, y_train, y_test = data.train_test_split(X, y, test_size=0.2,
                                                             random_state=0)
    assert (len(x_train), len(x_test)) == (1437, 360)
    model = nn.Sequential([nn.Dense(128, activation="relu", input_dim=64), nn.Dense(10)])
    t = nn.Trainer(model, loss=nn.losses.SparseCategoricalCrossentropy(from_logits=True),
                   optimizer=optim.adam(learning_rate=1e-3), metrics=["accuracy"])
    h = t.fit(x_train, y_train, epochs=30, batch_size=32, verbose=0)
    assert len(h.history["loss"]) == 30
    assert h.history["accuracy"][-1] > 0.97
    test_loss, test_acc = t.evaluate(x_test, y_test)
    assert test_acc >= 0.97
    assert test_loss < 0.2
    # 1437 = 44 * 32 + 29: the partial last batch is the only extra trace
    assert t._train_step.cache_info().misses == 2
