"""Tests for funcnet.nn.callbacks driven by funcnet.nn.Trainer.fit.

Every callback DESIGN.md lists (EarlyStopping, ModelCheckpoint, ReduceLROnPlateau, CSVLogger,
LearningRateScheduler, TerminateOnNaN, LambdaCallback) plus the Callback base class, with Keras
semantics. Monitored values are scripted where the logic (patience, min_delta, baseline, mode,
save_best_only) needs exact sequences: a ``Script`` callback placed before the callback under
test writes ``logs[key] = values[epoch]`` into the shared epoch logs.
"""

from __future__ import annotations

import csv
import math

import numpy as np
import pytest

import funcnet.numpy as fnp
from funcnet import nn, optim
from funcnet.nn import callbacks as cbs


def toy(n=48, d=4, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d)).astype("float32")
    y = (x[:, 0] - x[:, 2] > 0).astype("int32")
    return x, y


def mlp(d=4, out=2):
    return nn.Sequential([nn.Dense(8, activation="relu", input_dim=d), nn.Dense(out)])


def trainer(optimizer=None, metrics=("accuracy",), model=None, seed=0):
    return nn.Trainer(model if model is not None else mlp(),
                      loss=nn.losses.SparseCategoricalCrossentropy(from_logits=True),
                      optimizer=optimizer if optimizer is not None else optim.adam(1e-2),
                      metrics=list(metrics), seed=seed)


class Script(cbs.Callback):
    """Writes scripted values of one log key at the end of each epoch."""

    def __init__(self, key, values):
        self.key, self.values = key, list(values)

    def on_epoch_end(self, epoch, logs=None):
        logs[self.key] = self.values[epoch]


class Record(cbs.Callback):
    """Records the trainer's weights and a copy of the logs at the end of each epoch."""

    def __init__(self):
        self.weights, self.logs = [], []

    def on_epoch_end(self, epoch, logs=None):
        self.weights.append(self.trainer.get_weights())
        self.logs.append(dict(logs))


def same(ws1, ws2):
    return len(ws1) == len(ws2) and all(
        np.array_equal(a, b) for a, b in zip(ws1, ws2, strict=True))


# -- Callback base class ------------------------------------------------------------------------


def test_custom_callback_sees_the_trainer_and_can_stop_training():
    x, y = toy()

    class StopAfterTwo(cbs.Callback):
        def on_epoch_end(self, epoch, logs=None):
            assert self.model is self.trainer
            assert isinstance(self.trainer, nn.Trainer)
            if epoch == 1:
                self.trainer.stop_training = True

    t = trainer()
    h = t.fit(x, y, epochs=10, verbose=0, callbacks=[StopAfterTwo()])
    assert len(h.history["loss"]) == 2
    # a new fit starts with stop_training cleared
    h = t.fit(x, y, epochs=1, verbose=0)
    assert len(h.history["loss"]) == 1


def test_callbacks_get_the_full_epoch_logs():
    x, y = toy()
    rec = Record()
    h = trainer().fit(x, y, epochs=2, verbose=0, validation_split=0.25, callbacks=[rec])
    assert [set(lg) for lg in rec.logs] == [{"loss", "accuracy", "val_loss", "val_accuracy"}] * 2
    assert [lg["val_loss"] for lg in rec.logs] == h.history["val_loss"]


# -- EarlyStopping ------------------------------------------------------------------------------


def fit_scripted(values, callback, key="score", epochs=None, rec=None, **kw):
    x, y = toy()
    t = trainer(**kw)
    extra = [rec] if rec is not None else []
    h = t.fit(x, y, epochs=epochs or len(values), batch_size=16, verbose=0,
              callbacks=[Script(key, values)] + extra + [callback])
    return t, h


@pytest.mark.parametrize("patience,stop_len", [(0, 4), (1, 4), (2, 5), (4, 7)])
def test_early_stopping_patience(patience, stop_len):
    # improves until epoch 2, then is flat: Keras counts the wait from the best epoch and
    # checks it only on non-improving epochs (epoch > 0), so patience 0 and 1 both stop at 3
    values = [3.0, 2.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]
    es = cbs.EarlyStopping(monitor="score", patience=patience)
    _, h = fit_scripted(values, es)
    assert len(h.history["loss"]) == stop_len
    assert es.stopped_epoch == stop_len - 1


def test_early_stopping_does_not_stop_while_improving():
    es = cbs.EarlyStopping(monitor="score", patience=0)
    _, h = fit_scripted([5.0, 4.0, 3.0, 2.0, 1.0], es)
    assert len(h.history["loss"]) == 5
    assert es.stopped_epoch == 0


def test_early_stopping_min_delta():
    values = [1.0, 0.99, 0.98, 0.97, 0.96, 0.95]
    es = cbs.EarlyStopping(monitor="score", patience=2, min_delta=0.05)
    _, h = fit_scripted(values, es)
    assert len(h.history["loss"]) == 3  # 0.99 and 0.98 are not improvements by 0.05
    es = cbs.EarlyStopping(monitor="score", patience=2, min_delta=0.0)
    _, h = fit_scripted(values, es)
    assert len(h.history["loss"]) == 6
    # Keras takes abs(min_delta)
    es = cbs.EarlyStopping(monitor="score", patience=2, min_delta=-0.05)
    _, h = fit_scripted(values, es)
    assert len(h.history["loss"]) == 3


def test_early_stopping_mode_auto_is_max_for_accuracy():
    rising = [0.5, 0.6, 0.7, 0.8, 0.9]
    es = cbs.EarlyStopping(monitor="val_accuracy", patience=0)
    _, h = fit_scripted(rising, es, key="val_accuracy")
    assert len(h.history["loss"]) == 5  # max mode: every epoch improves
    es = cbs.EarlyStopping(monitor="val_accuracy", patience=0, mode="min")
    _, h = fit_scripted(rising, es, key="val_accuracy")
    assert len(h.history["loss"]) == 2
    # "acc" spelled short, and loss-like names are min
    es = cbs.EarlyStopping(monitor="acc", patience=0)
    _, h = fit_scripted(rising, es, key="acc")
    assert len(h.history["loss"]) == 5
    es = cbs.EarlyStopping(monitor="val_loss", patience=0)
    _, h = fit_scripted(rising, es, key="val_loss")
    assert len(h.history["loss"]) == 2
    es = cbs.EarlyStopping(monitor="val_loss", patience=0, mode="max")
    _, h = fit_scripted(rising, es, key="val_loss")
    assert len(h.history["loss"]) == 5


def test_early_stopping_bad_mode_raises():
    with pytest.raises(ValueError, match="mode"):
        cbs.EarlyStopping(mode="best")


@pytest.mark.parametrize("restore", [True, False])
def test_early_stopping_restore_best_weights(restore):
    values = [1.0, 0.5, 0.6, 0.7, 0.8, 0.9]
    rec = Record()
    es = cbs.EarlyStopping(monitor="score", patience=2, restore_best_weights=restore)
    t, h = fit_scripted(values, es, rec=rec)
    assert len(h.history["loss"]) == 4  # best at epoch 1, stopped at epoch 3
    assert es.best_epoch == 1 and es.best == 0.5
    assert not same(rec.weights[1], rec.weights[3])
    assert same(t.get_weights(), rec.weights[1] if restore else rec.weights[3])


def test_early_stopping_baseline():
    # Keras: epochs that do not beat the baseline do not reset the wait
    flat = [0.9, 0.9, 0.9, 0.9, 0.9]
    es = cbs.EarlyStopping(monitor="score", patience=2, baseline=0.5)
    _, h = fit_scripted(flat, es)
    assert len(h.history["loss"]) == 2
    es = cbs.EarlyStopping(monitor="score", patience=2)
    _, h = fit_scripted(flat, es)
    assert len(h.history["loss"]) == 3


def test_early_stopping_on_real_validation_loss():
    x, y = toy(n=64)
    t = trainer(optimizer=optim.adam(5e-2))
    es = cbs.EarlyStopping(monitor="val_loss", patience=1, restore_best_weights=True)
    h = t.fit(x, y, epochs=200, batch_size=8, verbose=0, validation_split=0.25, callbacks=[es])
    n = len(h.history["val_loss"])
    assert n < 200
    best = int(np.argmin(h.history["val_loss"]))
    assert es.best_epoch == best
    assert n == best + 2  # patience 1: stops on the second epoch after the best
    # the restored weights are the best epoch's
    assert t.evaluate(x[48:], y[48:])[0] == pytest.approx(min(h.history["val_loss"]), rel=1e-5)


def test_early_stopping_missing_monitor_names_the_available_keys():
    x, y = toy()
    with pytest.raises(KeyError, match="val_loss") as e:
        trainer().fit(x, y, epochs=2, verbose=0, callbacks=[cbs.EarlyStopping()])
    assert "accuracy" in str(e.value) and "loss" in str(e.value)


def test_early_stopping_can_be_reused_across_fits():
    es = cbs.EarlyStopping(monitor="score", patience=1)
    values = [1.0, 2.0, 3.0, 4.0]
    x, y = toy()
    t = trainer()
    h1 = t.fit(x, y, epochs=4, verbose=0, callbacks=[Script("score", values), es])
    h2 = t.fit(x, y, epochs=4, verbose=0, callbacks=[Script("score", values), es])
    assert len(h1.history["loss"]) == len(h2.history["loss"]) == 2


# -- ModelCheckpoint ----------------------------------------------------------------------------


def test_model_checkpoint_every_epoch_with_epoch_formatting(tmp_path):
    x, y = toy()
    rec = Record()
    t = trainer()
    pattern = str(tmp_path / "ckpt-{epoch:02d}.npz")
    t.fit(x, y, epochs=3, verbose=0, callbacks=[rec, cbs.ModelCheckpoint(pattern)])
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "ckpt-01.npz", "ckpt-02.npz", "ckpt-03.npz"]
    for epoch in (1, 2, 3):
        u = trainer(seed=11)
        assert u.load(tmp_path / f"ckpt-{epoch:02d}.npz") == epoch
        assert same(u.get_weights(), rec.weights[epoch - 1])


def test_model_checkpoint_formats_log_keys(tmp_path):
    x, y = toy()
    t = trainer()
    pattern = str(tmp_path / "m-{epoch:02d}-{val_loss:.4f}-{accuracy:.3f}.npz")
    h = t.fit(x, y, epochs=2, verbose=0, validation_split=0.25,
              callbacks=[cbs.ModelCheckpoint(pattern, save_weights_only=True)])
    expected = sorted(f"m-{e + 1:02d}-{h.history['val_loss'][e]:.4f}-"
                      f"{h.history['accuracy'][e]:.3f}.npz" for e in range(2))
    assert sorted(p.name for p in tmp_path.iterdir()) == expected


def test_model_checkpoint_save_best_only(tmp_path):
    x, y = toy()
    rec = Record()
    pattern = str(tmp_path / "best-{epoch:02d}.npz")
    single = str(tmp_path / "best.npz")
    t = trainer()
    t.fit(x, y, epochs=5, verbose=0, callbacks=[
        Script("val_loss", [1.0, 0.5, 0.7, 0.4, 0.45]), rec,
        cbs.ModelCheckpoint(pattern, save_best_only=True),
        cbs.ModelCheckpoint(single, save_best_only=True, save_weights_only=True)])
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "best-01.npz", "best-02.npz", "best-04.npz", "best.npz"]
    u = trainer(seed=3)
    u.build((None, 4))
    u.load_weights(single)
    assert same(u.get_weights(), rec.weights[3])


def test_model_checkpoint_save_best_only_mode_auto_max_for_accuracy(tmp_path):
    x, y = toy()
    pattern = str(tmp_path / "acc-{epoch}.npz")
    trainer().fit(x, y, epochs=4, verbose=0, callbacks=[
        Script("val_accuracy", [0.5, 0.7, 0.6, 0.8]),
        cbs.ModelCheckpoint(pattern, monitor="val_accuracy", save_best_only=True)])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["acc-1.npz", "acc-2.npz", "acc-4.npz"]


def test_model_checkpoint_weights_only_vs_full_state(tmp_path):
    x, y = toy()
    t = trainer()
    t.fit(x, y, epochs=2, verbose=0, callbacks=[
        cbs.ModelCheckpoint(str(tmp_path / "w.npz"), save_weights_only=True),
        cbs.ModelCheckpoint(str(tmp_path / "full.npz"), save_weights_only=False)])
    w = np.load(tmp_path / "w.npz")
    full = np.load(tmp_path / "full.npz")
    assert not any("opt_state" in k for k in w.files)
    assert any("opt_state" in k for k in full.files)
    a = trainer(seed=1)
    a.load_weights(tmp_path / "w.npz")
    b = trainer()  # the same seed: shuffling and dropout depend on seed and epoch
    assert b.load(tmp_path / "full.npz") == 2
    assert same(a.get_weights(), t.get_weights())
    assert same(b.get_weights(), t.get_weights())
    # the full state resumes training exactly like the original trainer
    h_t = t.fit(x, y, epochs=3, initial_epoch=2, verbose=0)
    h_b = b.fit(x, y, epochs=3, initial_epoch=2, verbose=0)
    assert h_t.history == h_b.history
    assert same(t.get_weights(), b.get_weights())


def test_model_checkpoint_resume_reproduces_the_uninterrupted_run(tmp_path):
    x, y = toy(n=60)
    kw = dict(batch_size=16, verbose=0, validation_split=0.2)
    straight = trainer()
    h_all = straight.fit(x, y, epochs=4, **kw)
    first = trainer()
    first.fit(x, y, epochs=4, callbacks=[cbs.ModelCheckpoint(str(tmp_path / "c{epoch}.npz"))],
              **kw)
    resumed = trainer()
    assert resumed.load(tmp_path / "c2.npz") == 2
    h_rest = resumed.fit(x, y, epochs=4, initial_epoch=2, **kw)
    assert {k: v[2:] for k, v in h_all.history.items()} == h_rest.history
    assert same(straight.get_weights(), resumed.get_weights())


def test_model_checkpoint_creates_directories(tmp_path):
    x, y = toy()
    path = tmp_path / "a" / "b" / "w-{epoch}.npz"
    trainer().fit(x, y, epochs=1, verbose=0,
                  callbacks=[cbs.ModelCheckpoint(str(path), save_weights_only=True)])
    assert (tmp_path / "a" / "b" / "w-1.npz").exists()


# -- ReduceLROnPlateau --------------------------------------------------------------------------


class LRLog(cbs.Callback):
    """Records the learning rate used in each epoch and the logged ``learning_rate``."""

    def __init__(self):
        self.used, self.logged = [], []

    def on_epoch_begin(self, epoch, logs=None):
        self.used.append(self.trainer.learning_rate)

    def on_epoch_end(self, epoch, logs=None):
        self.logged.append(logs.get("learning_rate"))


def test_reduce_lr_on_plateau_drops_by_factor_after_patience():
    log = LRLog()
    x, y = toy()
    t = trainer(optimizer="sgd")  # Keras default rate 0.01
    rl = cbs.ReduceLROnPlateau(monitor="score", factor=0.5, patience=2)
    t.fit(x, y, epochs=6, verbose=0,
          callbacks=[Script("score", [1.0] * 6), rl, log])
    # best at 0; waits 1, 2 -> reduce at the end of epoch 2; waits 1, 2 -> reduce after 4
    np.testing.assert_allclose(log.used, [0.01, 0.01, 0.01, 0.005, 0.005, 0.0025], rtol=1e-12)
    assert t.learning_rate == pytest.approx(0.0025)
    # the learning rate is in the logs the following callbacks see
    assert all(isinstance(v, float) for v in log.logged)


def test_reduce_lr_on_plateau_improvement_resets_the_wait_and_min_lr_floors():
    log = LRLog()
    x, y = toy()
    t = trainer(optimizer="sgd")
    rl = cbs.ReduceLROnPlateau(monitor="score", factor=0.1, patience=1, min_lr=5e-4)
    t.fit(x, y, epochs=7, verbose=0,
          callbacks=[Script("score", [1.0, 0.5, 0.5, 0.4, 0.4, 0.4, 0.4]), rl, log])
    np.testing.assert_allclose(log.used, [0.01, 0.01, 0.01, 0.001, 0.001, 5e-4, 5e-4],
                               rtol=1e-12)


def test_reduce_lr_on_plateau_min_delta():
    log = LRLog()
    x, y = toy()
    t = trainer(optimizer="sgd")
    rl = cbs.ReduceLROnPlateau(monitor="score", factor=0.5, patience=1, min_delta=0.1)
    t.fit(x, y, epochs=4, verbose=0,
          callbacks=[Script("score", [1.0, 0.95, 0.8, 0.75]), rl, log])
    # 0.95 is not an improvement by 0.1 -> reduce after epoch 1; 0.8 is; 0.75 is not
    np.testing.assert_allclose(log.used, [0.01, 0.01, 0.005, 0.005], rtol=1e-12)
    assert t.learning_rate == pytest.approx(0.0025)


def test_reduce_lr_on_plateau_cooldown():
    log = LRLog()
    x, y = toy()
    t = trainer(optimizer="sgd")
    rl = cbs.ReduceLROnPlateau(monitor="score", factor=0.5, patience=1, cooldown=2)
    t.fit(x, y, epochs=7, verbose=0, callbacks=[Script("score", [1.0] * 7), rl, log])
    # Keras: reduce after epoch 1; cooldown counts down at 2 and 3, where the wait restarts
    # (at 0, then 1 at epoch 3 -> reduce); likewise after epoch 5
    np.testing.assert_allclose(log.used, [0.01, 0.01, 0.005, 0.005, 0.0025, 0.0025, 0.00125],
                               rtol=1e-12)


def test_reduce_lr_on_plateau_logs_the_rate_used_in_the_epoch():
    log = LRLog()
    x, y = toy()
    t = trainer(optimizer="sgd")
    t.fit(x, y, epochs=4, verbose=0, callbacks=[
        Script("score", [1.0] * 4), cbs.ReduceLROnPlateau(monitor="score", patience=1), log])
    np.testing.assert_allclose(log.logged, log.used, rtol=1e-12)


def test_reduce_lr_on_plateau_changes_the_training():
    # after the drop, the updates are those of the smaller learning rate
    x, y = toy()
    a = trainer(optimizer="sgd")
    rl = cbs.ReduceLROnPlateau(monitor="score", factor=0.5, patience=0)
    rec = Record()
    a.fit(x, y, epochs=2, verbose=0, shuffle=False, batch_size=48,
          callbacks=[Script("score", [1.0, 1.0]), rl, rec])
    # epoch 0 at 0.01, the drop happens at epoch 1's end (patience 0, no improvement)
    # -> epoch 1 still trained at 0.01; check with an explicit run
    b = trainer(optimizer=optim.sgd(0.01))
    b.fit(x, y, epochs=2, verbose=0, shuffle=False, batch_size=48)
    assert same(a.get_weights(), b.get_weights())
    assert a.learning_rate == pytest.approx(0.005)
    # the third epoch runs at 0.005: compare with SGD(0.005) from the same weights
    a.fit(x, y, epochs=3, initial_epoch=2, verbose=0, shuffle=False, batch_size=48)
    c = trainer(optimizer=optim.sgd(0.005))
    c.build((None, 4))
    c.set_weights(b.get_weights())
    c.fit(x, y, epochs=3, initial_epoch=2, verbose=0, shuffle=False, batch_size=48)
    for p, q in zip(a.get_weights(), c.get_weights(), strict=True):
        np.testing.assert_allclose(p, q, rtol=1e-6, atol=1e-7)
    assert not same(a.get_weights(), b.get_weights())


def test_reduce_lr_on_plateau_factor_must_be_below_one():
    with pytest.raises(ValueError, match="factor"):
        cbs.ReduceLROnPlateau(factor=1.0)


def test_learning_rate_appears_in_history():
    x, y = toy()
    t = trainer(optimizer="sgd")
    h = t.fit(x, y, epochs=3, verbose=0, callbacks=[
        Script("score", [1.0] * 3), cbs.ReduceLROnPlateau(monitor="score", patience=1)])
    assert len(h.history["learning_rate"]) == 3


def test_learning_rate_of_an_optimizer_object():
    t = trainer(optimizer=optim.sgd(0.1))
    assert t.learning_rate == pytest.approx(0.1)


# -- LearningRateScheduler ----------------------------------------------------------------------


def test_learning_rate_scheduler_is_called_with_epoch_and_lr():
    calls = []

    def schedule(epoch, lr):
        calls.append((epoch, lr))
        return lr if epoch < 2 else lr * 0.5

    log = LRLog()
    x, y = toy()
    t = trainer(optimizer="sgd")
    t.fit(x, y, epochs=4, verbose=0,
          callbacks=[cbs.LearningRateScheduler(schedule), log])
    assert [e for e, _ in calls] == [0, 1, 2, 3]
    np.testing.assert_allclose([lr for _, lr in calls], [0.01, 0.01, 0.01, 0.005], rtol=1e-12)
    # set at the start of the epoch, used in it, and logged at its end
    np.testing.assert_allclose(log.used, [0.01, 0.01, 0.005, 0.0025], rtol=1e-12)
    np.testing.assert_allclose(log.logged, [0.01, 0.01, 0.005, 0.0025], rtol=1e-12)
    assert t.learning_rate == pytest.approx(0.0025)


def test_learning_rate_scheduler_epochs_follow_initial_epoch():
    calls = []
    x, y = toy()
    trainer(optimizer="adam").fit(x, y, epochs=5, initial_epoch=3, verbose=0, callbacks=[
        cbs.LearningRateScheduler(lambda e, lr: calls.append(e) or lr)])
    assert calls == [3, 4]


def test_learning_rate_scheduler_zero_rate_freezes_the_weights():
    x, y = toy()
    t = trainer(optimizer="sgd")
    t.build((None, 4))
    w0 = t.get_weights()
    h = t.fit(x, y, epochs=2, verbose=0,
              callbacks=[cbs.LearningRateScheduler(lambda e, lr: 0.0)])
    assert same(w0, t.get_weights())
    assert h.history["loss"][0] == pytest.approx(h.history["loss"][1], rel=1e-6)
    assert t.learning_rate == 0.0


def test_learning_rate_scheduler_trains_like_the_scheduled_rate():
    x, y = toy()
    a = trainer(optimizer="sgd")
    ha = a.fit(x, y, epochs=3, batch_size=16, verbose=0,
               callbacks=[cbs.LearningRateScheduler(lambda e, lr: 0.2)])
    b = trainer(optimizer=optim.sgd(0.2))
    hb = b.fit(x, y, epochs=3, batch_size=16, verbose=0)
    np.testing.assert_allclose(ha.history["loss"], hb.history["loss"], rtol=1e-5)
    for p, q in zip(a.get_weights(), b.get_weights(), strict=True):
        np.testing.assert_allclose(p, q, rtol=1e-5, atol=1e-6)
    # and differently from the default rate
    c = trainer(optimizer="sgd")
    hc = c.fit(x, y, epochs=3, batch_size=16, verbose=0)
    assert hc.history["loss"][-1] != pytest.approx(ha.history["loss"][-1], rel=1e-3)


def test_learning_rate_scheduler_with_an_optimizer_object():
    x, y = toy()
    a = trainer(optimizer=optim.sgd(0.1))
    a.fit(x, y, epochs=2, batch_size=16, verbose=0,
          callbacks=[cbs.LearningRateScheduler(lambda e, lr: 0.05)])
    b = trainer(optimizer=optim.sgd(0.05))
    b.fit(x, y, epochs=2, batch_size=16, verbose=0)
    for p, q in zip(a.get_weights(), b.get_weights(), strict=True):
        np.testing.assert_allclose(p, q, rtol=1e-5, atol=1e-6)


def test_learning_rate_survives_save_and_load(tmp_path):
    x, y = toy()
    t = trainer(optimizer="sgd")
    t.fit(x, y, epochs=1, verbose=0, callbacks=[cbs.LearningRateScheduler(lambda e, lr: 0.003)])
    t.save(tmp_path / "c.npz", epoch=1)
    u = trainer(optimizer="sgd")
    u.load(tmp_path / "c.npz")
    assert u.learning_rate == pytest.approx(0.003)


# -- TerminateOnNaN -----------------------------------------------------------------------------


def test_terminate_on_nan_stops_a_model_producing_nan(capsys):
    x, y = toy()
    model = nn.Sequential([nn.Dense(2, input_dim=4), nn.Lambda(lambda z: z * fnp.nan)])
    t = trainer(model=model)
    h = t.fit(x, y, epochs=5, batch_size=16, verbose=0, callbacks=[cbs.TerminateOnNaN()])
    assert len(h.history["loss"]) == 1
    assert math.isnan(h.history["loss"][0])
    assert "invalid loss" in capsys.readouterr().out


def test_terminate_on_nan_stops_a_diverging_run():
    rng = np.random.default_rng(0)
    x = (rng.normal(size=(32, 3)) * 100).astype("float32")
    y = (x.sum(1, keepdims=True) * 1e3).astype("float32")
    t = nn.Trainer(nn.Sequential([nn.Dense(1, input_dim=3)]), loss="mse",
                   optimizer=optim.sgd(10.0))
    batch_losses = []
    h = t.fit(x, y, epochs=50, batch_size=8, verbose=0, callbacks=[
        cbs.TerminateOnNaN(),
        cbs.LambdaCallback(on_train_batch_end=lambda b, logs: batch_losses.append(logs["loss"]))])
    assert len(h.history["loss"]) < 50
    assert not np.isfinite(h.history["loss"][-1])
    assert all(np.isfinite(v) for v in h.history["loss"][:-1])
    assert not all(np.isfinite(batch_losses))


def test_terminate_on_nan_leaves_finite_training_alone():
    x, y = toy()
    h = trainer().fit(x, y, epochs=3, verbose=0, callbacks=[cbs.TerminateOnNaN()])
    assert len(h.history["loss"]) == 3


# -- CSVLogger ----------------------------------------------------------------------------------


def read_csv(path, sep=","):
    with open(path, newline="") as f:
        return list(csv.reader(f, delimiter=sep))


def test_csv_logger_file_contents(tmp_path):
    x, y = toy()
    path = tmp_path / "log.csv"
    h = trainer().fit(x, y, epochs=3, verbose=0, validation_split=0.25,
                      callbacks=[cbs.CSVLogger(path)])
    rows = read_csv(path)
    assert rows[0] == ["epoch", "accuracy", "loss", "val_accuracy", "val_loss"]  # sorted keys
    assert len(rows) == 4
    for e, row in enumerate(rows[1:]):
        assert int(row[0]) == e
        for key, cell in zip(rows[0][1:], row[1:], strict=True):
            assert float(cell) == h.history[key][e]


def test_csv_logger_separator_and_append(tmp_path):
    x, y = toy()
    path = tmp_path / "log.csv"
    t = trainer(metrics=())
    h1 = t.fit(x, y, epochs=2, verbose=0, callbacks=[cbs.CSVLogger(path, separator=";")])
    h2 = t.fit(x, y, epochs=4, initial_epoch=2, verbose=0,
               callbacks=[cbs.CSVLogger(path, separator=";", append=True)])
    rows = read_csv(path, sep=";")
    assert rows[0] == ["epoch", "loss"]
    assert [int(r[0]) for r in rows[1:]] == [0, 1, 2, 3]
    assert [float(r[1]) for r in rows[1:]] == h1.history["loss"] + h2.history["loss"]
    # without append the file is rewritten
    t.fit(x, y, epochs=1, verbose=0, callbacks=[cbs.CSVLogger(path, separator=";")])
    assert len(read_csv(path, sep=";")) == 2


def test_csv_logger_closes_the_file_after_early_stop(tmp_path):
    x, y = toy()
    path = tmp_path / "log.csv"
    logger = cbs.CSVLogger(path)
    trainer().fit(x, y, epochs=5, verbose=0, callbacks=[
        Script("score", [1.0] * 5), cbs.EarlyStopping(monitor="score", patience=1), logger])
    assert logger._file.closed
    rows = read_csv(path)
    assert len(rows) == 3
    assert "score" in rows[0]  # keys added by earlier callbacks are logged too


# -- LambdaCallback -----------------------------------------------------------------------------


def test_lambda_callback_hooks_are_called_with_epoch_and_batch_numbers():
    events = []
    cb = cbs.LambdaCallback(
        on_train_begin=lambda logs: events.append(("train_begin",)),
        on_epoch_begin=lambda e, logs: events.append(("epoch_begin", e)),
        on_train_batch_begin=lambda b, logs: events.append(("batch_begin", b)),
        on_train_batch_end=lambda b, logs: events.append(("batch_end", b, "loss" in logs)),
        on_epoch_end=lambda e, logs: events.append(("epoch_end", e, sorted(logs))),
        on_train_end=lambda logs: events.append(("train_end",)))
    x, y = toy(n=40)
    trainer().fit(x, y, epochs=2, batch_size=16, verbose=0, callbacks=[cb])
    per_epoch = lambda e: ([("epoch_begin", e)] + [  # noqa: E731
        ev for b in range(3) for ev in (("batch_begin", b), ("batch_end", b, True))] +
        [("epoch_end", e, ["accuracy", "loss"])])
    assert events == [("train_begin",)] + per_epoch(0) + per_epoch(1) + [("train_end",)]


def test_lambda_callback_batch_aliases_and_initial_epoch():
    begins, ends, batches = [], [], []
    cb = cbs.LambdaCallback(on_epoch_begin=lambda e, logs: begins.append(e),
                            on_epoch_end=lambda e, logs: ends.append(e),
                            on_batch_end=lambda b, logs: batches.append(b))
    x, y = toy(n=40)
    trainer().fit(x, y, epochs=4, initial_epoch=1, batch_size=20, verbose=0, callbacks=[cb])
    assert begins == ends == [1, 2, 3]
    assert batches == [0, 1] * 3


def test_lambda_callback_unset_hooks_do_nothing():
    cb = cbs.LambdaCallback()
    x, y = toy()
    h = trainer().fit(x, y, epochs=1, verbose=0, callbacks=[cb])
    assert len(h.history["loss"]) == 1


# -- History ------------------------------------------------------------------------------------


def test_history_direct_use():
    h = cbs.History()
    h.on_train_begin()
    h.on_epoch_end(0, {"loss": 1.0, "acc": 0.5})
    h.on_epoch_end(1, {"loss": 0.5, "acc": 0.75})
    assert h.history == {"loss": [1.0, 0.5], "acc": [0.5, 0.75]}
    assert h.epoch == [0, 1]
