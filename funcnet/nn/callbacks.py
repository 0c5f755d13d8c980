"""Keras-style training callbacks for :class:`funcnet.nn.Trainer`.

A callback overrides any of ``on_train_begin/end(logs)``, ``on_epoch_begin/end(epoch,
logs)``, ``on_train_batch_begin/end(batch, logs)``; ``self.trainer`` (alias ``self.model``,
the Keras spelling) is the running trainer, and setting ``self.trainer.stop_training = True``
ends ``fit`` after the current epoch.
"""

from __future__ import annotations

import csv
import math
import os
from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["Callback", "History", "EarlyStopping", "ModelCheckpoint", "ReduceLROnPlateau",
           "CSVLogger", "LearningRateScheduler", "TerminateOnNaN", "LambdaCallback",
           "ProgbarLogger"]


class Callback:
    """Base class: every hook does nothing.

    Example:
        >>> from funcnet.nn.callbacks import Callback
        >>> class Stop(Callback):
        ...     def on_epoch_end(self, epoch, logs=None):
        ...         self.trainer.stop_training = logs["loss"] < 0.1
    """

    trainer: Any = None

    @property
    def model(self):
        """The trainer (Keras calls it the model)."""
        return self.trainer

    def set_trainer(self, trainer) -> None:
        """Attaches the callback to a trainer (called by ``fit``)."""
        self.trainer = trainer

    def on_train_begin(self, logs=None): ...

    def on_train_end(self, logs=None): ...

    def on_epoch_begin(self, epoch, logs=None): ...

    def on_epoch_end(self, epoch, logs=None): ...

    def on_train_batch_begin(self, batch, logs=None): ...

    def on_train_batch_end(self, batch, logs=None): ...


class History(Callback):
    """Records the logs of every epoch: ``history.history["loss"]`` etc. (returned by fit).

    Example:
        >>> from funcnet.nn.callbacks import History
        >>> h = History(); h.on_train_begin(); h.on_epoch_end(0, {"loss": 1.0})
        >>> h.history
        {'loss': [1.0]}
    """

    def __init__(self):
        self.history: dict = {}
        self.epoch: list = []
        self.params: dict = {}

    def on_train_begin(self, logs=None):
        self.epoch = [] if not self.epoch else self.epoch

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for k, v in (logs or {}).items():
            self.history.setdefault(k, []).append(v)


def _mode(monitor, mode):
    if mode not in ("auto", "min", "max"):
        raise ValueError(f"mode must be 'auto', 'min' or 'max', got {mode!r}")
    if mode == "auto":
        mode = "max" if ("acc" in monitor or monitor.endswith("r2") or "auc" in monitor) \
            else "min"
    return mode


def _get(logs, monitor, who):
    if monitor not in (logs or {}):
        raise KeyError(f"{who}: the monitored quantity {monitor!r} is not in the logs; "
                       f"available: {sorted(logs or {})} (use validation data for 'val_*')")
    return float(logs[monitor])


class EarlyStopping(Callback):
    """Stops training when ``monitor`` stops improving (Keras semantics).

    Args:
        monitor: a log key, e.g. ``"val_loss"`` or ``"val_accuracy"``.
        min_delta: the least change that counts as an improvement.
        patience: epochs without improvement before stopping.
        mode: ``"min"``, ``"max"`` or ``"auto"`` (max for accuracies).
        restore_best_weights: put back the weights of the best epoch when stopping.
        baseline: stop unless the metric beats this value.
        start_from_epoch: epochs to wait before monitoring.

    Example:
        >>> from funcnet.nn.callbacks import EarlyStopping
        >>> EarlyStopping(monitor="val_loss", patience=3).patience
        3
    """

    def __init__(self, monitor="val_loss", min_delta=0.0, patience=0, verbose=0, mode="auto",
                 baseline=None, restore_best_weights=False, start_from_epoch=0):
        self.monitor, self.min_delta, self.patience = monitor, abs(min_delta), patience
        self.verbose, self.mode = verbose, _mode(monitor, mode)
        self.baseline, self.restore_best_weights = baseline, restore_best_weights
        self.start_from_epoch = start_from_epoch
        self.stopped_epoch = 0

    def _better(self, a, b):
        return a < b - self.min_delta if self.mode == "min" else a > b + self.min_delta

    def on_train_begin(self, logs=None):
        self.wait, self.stopped_epoch, self.best_epoch = 0, 0, 0
        self.best = math.inf if self.mode == "min" else -math.inf
        self.best_weights = None

    def on_epoch_end(self, epoch, logs=None):
        if epoch < self.start_from_epoch:
            return
        value = _get(logs, self.monitor, "EarlyStopping")
        if self.restore_best_weights and self.best_weights is None:
            self.best_weights = self.trainer.get_weights()
        self.wait += 1
        if self._better(value, self.best):
            self.best, self.best_epoch = value, epoch
            if self.restore_best_weights:
                self.best_weights = self.trainer.get_weights()
            if self.baseline is None or self._better(value, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.trainer.stop_training = True
            if self.restore_best_weights and self.best_weights is not None:
                self.trainer.set_weights(self.best_weights)
            if self.verbose:
                print(f"Epoch {epoch + 1}: early stopping (best {self.monitor} "
                      f"{self.best:.4f} at epoch {self.best_epoch + 1})")


class ModelCheckpoint(Callback):
    """Saves the weights (or the whole training state) after epochs.

    Args:
        filepath: may contain ``{epoch}`` and log keys, e.g. ``"ckpt-{epoch:02d}.npz"``.
        monitor: the quantity for ``save_best_only``.
        save_best_only: save only when ``monitor`` improves.
        save_weights_only: weights only (``Trainer.save_weights``); otherwise the full
            training state (``Trainer.save``: weights, optimizer state, epoch) for resuming.
        mode: ``"min"``, ``"max"`` or ``"auto"``.
        save_freq: ``"epoch"``, or an int: save every that many batches (``{epoch}`` is then
            the current epoch and ``save_best_only`` monitors the batch logs).

    Example:
        >>> from funcnet.nn.callbacks import ModelCheckpoint
        >>> ModelCheckpoint("best.npz", save_best_only=True).save_best_only
        True
    """

    def __init__(self, filepath, monitor="val_loss", verbose=0, save_best_only=False,
                 save_weights_only=False, mode="auto", save_freq="epoch"):
        self.filepath, self.monitor, self.verbose = str(filepath), monitor, verbose
        self.save_best_only, self.save_weights_only = save_best_only, save_weights_only
        self.mode = _mode(monitor, mode)
        self.best = math.inf if self.mode == "min" else -math.inf
        if save_freq != "epoch" and not (isinstance(save_freq, int) and save_freq > 0):
            raise ValueError(f"ModelCheckpoint: save_freq must be 'epoch' or a positive int, got "
                             f"{save_freq!r}")
        self.save_freq = save_freq
        self._batches = 0
        self._epoch = 0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self.save_freq == "epoch":
            return
        self._batches += 1
        if self._batches % self.save_freq == 0:
            self._save(self._epoch, logs)

    def on_epoch_end(self, epoch, logs=None):
        if self.save_freq == "epoch":
            self._save(epoch, logs)

    def _save(self, epoch, logs):
        logs = logs or {}
        path = self.filepath.format(epoch=epoch + 1, **logs)
        if self.save_best_only:
            value = _get(logs, self.monitor, "ModelCheckpoint")
            better = value < self.best if self.mode == "min" else value > self.best
            if not better:
                return
            self.best = value
        d = os.path.dirname(path)
        if d:
            os.makedirs(d, exist_ok=True)
        if self.save_weights_only:
            self.trainer.save_weights(path)
        else:
            self.trainer.save(path, epoch=epoch + 1)
        if self.verbose:
            print(f"Epoch {epoch + 1}: saved to {path}")


class ReduceLROnPlateau(Callback):
    """Multiplies the learning rate by ``factor`` when ``monitor`` plateaus.

    Example:
        >>> from funcnet.nn.callbacks import ReduceLROnPlateau
        >>> ReduceLROnPlateau(factor=0.5, patience=2).factor
        0.5
    """

    def __init__(self, monitor="val_loss", factor=0.1, patience=10, verbose=0, mode="auto",
                 min_delta=1e-4, cooldown=0, min_lr=0.0):
        if factor >= 1.0:
            raise ValueError(f"ReduceLROnPlateau: factor must be < 1, got {factor}")
        self.monitor, self.factor, self.patience, self.verbose = monitor, factor, patience, verbose
        self.mode, self.min_delta = _mode(monitor, mode), min_delta
        self.cooldown, self.min_lr = cooldown, min_lr

    def on_train_begin(self, logs=None):
        self.wait, self.cooldown_counter = 0, 0
        self.best = math.inf if self.mode == "min" else -math.inf

    def on_epoch_end(self, epoch, logs=None):
        value = _get(logs, self.monitor, "ReduceLROnPlateau")
        if logs is not None:  # the rate this epoch trained with (Keras logs it before reducing)
            logs["learning_rate"] = self.trainer.learning_rate
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.wait = 0
        better = (value < self.best - self.min_delta if self.mode == "min"
                  else value > self.best + self.min_delta)
        if better:
            self.best, self.wait = value, 0
        elif self.cooldown_counter <= 0:
            self.wait += 1
            if self.wait >= self.patience:
                old = self.trainer.learning_rate
                new = max(old * self.factor, self.min_lr)
                if new < old:
                    self.trainer.learning_rate = new
                    if self.verbose:
                        print(f"Epoch {epoch + 1}: ReduceLROnPlateau reducing learning rate "
                              f"to {new:.4g}.")
                self.cooldown_counter, self.wait = self.cooldown, 0


class LearningRateScheduler(Callback):
    """Sets the learning rate at each epoch: ``schedule(epoch, lr) -> new_lr``.

    Example:
        >>> from funcnet.nn.callbacks import LearningRateScheduler
        >>> cb = LearningRateScheduler(lambda epoch, lr: lr * 0.9)
    """

    def __init__(self, schedule: Callable, verbose=0):
        self.schedule, self.verbose = schedule, verbose

    def on_epoch_begin(self, epoch, logs=None):
        lr = float(self.schedule(epoch, self.trainer.learning_rate))
        self.trainer.learning_rate = lr
        if self.verbose:
            print(f"Epoch {epoch + 1}: LearningRateScheduler setting learning rate to {lr:.4g}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = self.trainer.learning_rate


class TerminateOnNaN(Callback):
    """Stops training when the loss becomes NaN or infinite.

    Example:
        >>> from funcnet.nn.callbacks import TerminateOnNaN
        >>> cb = TerminateOnNaN()
    """

    def on_train_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not np.isfinite(loss):
            print(f"Batch {batch}: invalid loss, terminating training")
            self.trainer.stop_training = True


class CSVLogger(Callback):
    """Streams the epoch logs to a CSV file (``epoch`` plus one column per log key).

    Example:
        >>> from funcnet.nn.callbacks import CSVLogger
        >>> CSVLogger("training.csv").separator
        ','
    """

    def __init__(self, filename, separator=",", append=False):
        self.filename, self.separator, self.append = str(filename), separator, append
        self._keys = None

    def on_train_begin(self, logs=None):
        exists = self.append and os.path.exists(self.filename)
        self._file = open(self.filename, "a" if self.append else "w", newline="")
        self._writer = None
        if exists:
            with open(self.filename) as f:
                first = f.readline().strip()
            self._keys = first.split(self.separator)[1:] if first else None

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self._keys is None:
            self._keys = sorted(logs)
        if self._writer is None:
            self._writer = csv.writer(self._file, delimiter=self.separator)
            if self._file.tell() == 0:
                self._writer.writerow(["epoch"] + self._keys)
        self._writer.writerow([epoch] + [logs.get(k, "NA") for k in self._keys])
        self._file.flush()

    def on_train_end(self, logs=None):
        self._file.close()


class LambdaCallback(Callback):
    """A callback from plain functions (``on_epoch_end=lambda epoch, logs: ...``).

    Example:
        >>> from funcnet.nn.callbacks import LambdaCallback
        >>> seen = []
        >>> cb = LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append(epoch))
        >>> cb.on_epoch_end(0, {}); seen
        [0]
    """

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_train_begin=None,
                 on_train_end=None, on_train_batch_begin=None, on_train_batch_end=None,
                 on_batch_begin=None, on_batch_end=None):
        hooks = dict(on_epoch_begin=on_epoch_begin, on_epoch_end=on_epoch_end,
                     on_train_begin=on_train_begin, on_train_end=on_train_end,
                     on_train_batch_begin=on_train_batch_begin or on_batch_begin,
                     on_train_batch_end=on_train_batch_end or on_batch_end)
        for name, fn in hooks.items():
            if fn is not None:
                setattr(self, name, fn)


class ProgbarLogger(Callback):
    """The progress bar of ``fit(verbose=1)`` / per-epoch lines of ``verbose=2``.

    Example:
        >>> from funcnet.nn.callbacks import ProgbarLogger
        >>> ProgbarLogger(verbose=2).verbose
        2
    """

    def __init__(self, verbose=1, interval=0.1):
        self.verbose, self.interval = verbose, interval

    def on_train_begin(self, logs=None):
        import time
        self._time = time.perf_counter

    def on_epoch_begin(self, epoch, logs=None):
        self._start = self._last = self._time()
        self._steps = self.trainer._steps_per_epoch
        if self.verbose:
            print(f"Epoch {epoch + 1}/{self.trainer._epochs}")

    def _bar(self, done, logs, final=False):
        n = self._steps or done
        width = 30
        filled = int(width * done / max(n, 1))
        arrow = "=" * max(filled - 1, 0) + (">" if filled < width else "=") if filled else ""
        bar = f"{done:>{len(str(n))}}/{n} [{arrow:<{width}}]"
        elapsed = self._time() - self._start
        per = elapsed / max(done, 1)
        t = f"{elapsed:.0f}s {per * 1e3:.0f}ms/step" if final else f"ETA: {per * (n - done):.0f}s"
        return f"{bar} - {t}" + "".join(f" - {k}: {_fmt(v)}" for k, v in logs.items())

    def on_train_batch_end(self, batch, logs=None):
        if self.verbose != 1:
            return
        now = self._time()
        if now - self._last >= self.interval:
            self._last = now
            print("\r" + self._bar(batch + 1, logs or {}), end="", flush=True)

    def on_epoch_end(self, epoch, logs=None):
        if self.verbose == 1:
            print("\r" + self._bar(self._steps, logs or {}, final=True), flush=True)
        elif self.verbose == 2:
            dt = self._time() - self._start
            print(f"{self._steps}/{self._steps} - {dt:.0f}s - " + " - ".join(
                f"{k}: {_fmt(v)}" for k, v in (logs or {}).items()), flush=True)


def _fmt(v):
    return f"{v:.4f}" if isinstance(v, float) else str(v)
