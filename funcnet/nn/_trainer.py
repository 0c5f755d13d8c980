# Keras-style training on the pure core: one jitted train step
# (params, state, opt_state, metric_states, key, batch) -> (...), driven by a small loop.
from __future__ import annotations

import math

import numpy as np

from .. import tree as tree_util
from ..core import dtypes
from ..errors import ShapeError
from . import callbacks as cb
from . import losses as losses_mod
from . import metrics as metrics_mod

_OPTIMIZERS = {  # Keras's default learning rates
    "sgd": 0.01, "adam": 1e-3, "adamw": 1e-3, "rmsprop": 1e-3, "adagrad": 1e-3,
    "adadelta": 1e-3, "adamax": 1e-3, "nadam": 1e-3, "lamb": 1e-3, "lion": 1e-4,
}


def _get_optimizer(opt):
    from .. import optim
    if isinstance(opt, str):
        key = opt.lower()
        if key not in _OPTIMIZERS:
            raise ValueError(f"nn.Trainer: unknown optimizer {opt!r}; valid names: "
                             f"{', '.join(sorted(_OPTIMIZERS))} (or pass a funcnet.optim "
                             "GradientTransformation)")
        lr = _OPTIMIZERS[key]
        return getattr(optim, key)(learning_rate=lr), lr
    if hasattr(opt, "init") and hasattr(opt, "update"):
        lr = getattr(opt, "learning_rate", None)  # funcnet.optim aliases remember it
        return opt, (float(lr) if isinstance(lr, (int, float)) else None)
    raise TypeError(f"nn.Trainer: optimizer must be a name or a GradientTransformation, got "
                    f"{opt!r}")


def _np(x):
    if x is None:
        return None
    if isinstance(x, (list, tuple)) and x and not hasattr(x, "shape"):
        return type(x)(_np(v) for v in x) if not isinstance(x[0], (int, float)) else \
            _canon(np.asarray(x))
    return _canon(np.asarray(x))


def _canon(a):
    dt = dtypes.canonicalize(a.dtype)
    return a if a.dtype == dt else a.astype(dt)


def _length(fname, x):
    leaves = tree_util.leaves(x)
    if not leaves:
        raise ValueError(f"nn.Trainer.{fname}: no input data")
    return leaves[0].shape[0]


def _take(x, idx):
    import funcnet.numpy as fnp
    return tree_util.map(lambda a: fnp.asarray(a[idx]), x)


class Trainer:
    """Keras-style ``compile / fit / evaluate / predict`` on a pure layer.

    Underneath, training is one jitted pure function ``(params, state, opt_state,
    metric_states, key, batch) -> (...)``; the trainer only holds the current values
    (``trainer.params``, ``trainer.state``, ``trainer.opt_state``).

    Args:
        model: a layer (``nn.Sequential`` or any object with ``init`` / ``apply``).
        loss: a loss name (``"sparse_categorical_crossentropy"``, ``"mse"``...), a loss object
            or a function ``loss(y_true, y_pred, sample_weight=None)``.
        optimizer: a name (``"adam"``, ``"sgd"``... with Keras's default learning rates) or a
            ``funcnet.optim`` GradientTransformation.
        metrics: metric names or ``nn.metrics`` objects; each is streamed over the epoch.
        seed: seeds parameter initialisation, shuffling and dropout.

    Example:
        >>> import numpy as np
        >>> from funcnet import nn, optim
        >>> x = np.random.default_rng(0).normal(size=(64, 4)).astype("float32")
        >>> y = (x.sum(1) > 0).astype("int32")
        >>> model = nn.Sequential([nn.Dense(16, activation="relu", input_dim=4), nn.Dense(2)])
        >>> trainer = nn.Trainer(model, loss=nn.losses.get(
        ...     "sparse_categorical_crossentropy", from_logits=True),
        ...     optimizer=optim.adam(1e-2), metrics=["accuracy"])
        >>> history = trainer.fit(x, y, epochs=20, batch_size=16, verbose=0)
        >>> history.history["accuracy"][-1] > 0.8
        True
    """

    def __init__(self, model, loss, optimizer="adam", metrics=(), *, weighted_metrics=(),
                 seed: int = 0):
        self.model = model
        self.loss_fn = losses_mod.get(loss) if not callable(loss) or isinstance(loss, str) \
            else loss
        self.optimizer, self._base_lr = _get_optimizer(optimizer)
        names = [metrics] if isinstance(metrics, str) else list(metrics or [])
        wnames = [weighted_metrics] if isinstance(weighted_metrics, str) else list(
            weighted_metrics or [])
        label = lambda m: m if isinstance(m, str) else getattr(m, "name", "metric")  # noqa
        # Keras: `metrics` ignore sample / class weights, `weighted_metrics` use them
        self._metric_names = [label(m) for m in names] + [
            ("weighted_" + label(m)) if label(m) in [label(n) for n in names] else label(m)
            for m in wnames]
        self.metrics = [metrics_mod.get(m) for m in names + wnames]
        self._weighted = tuple([False] * len(names) + [True] * len(wnames))
        self.seed = int(seed)
        self.params = self.state = self.opt_state = None
        self.stop_training = False
        self.history = None
        self._lr_scale = 1.0
        self._step_count = 0
        self._epochs = 0
        self._steps_per_epoch = 0
        self._train_step = self._eval_step = self._predict_step = None

    # -- building -------------------------------------------------------------------------------
    def build(self, input_shape):
        """Initialises parameters, state and optimizer state for ``input_shape``."""
        import funcnet
        key = funcnet.random.key(self.seed)
        self.params, self.state = self.model.init(key, tuple(input_shape))
        self.opt_state = self.optimizer.init(self.params)
        return self

    def _ensure_built(self, x):
        if self.params is None:
            leaves = tree_util.leaves(x)
            self.build((None,) + tuple(leaves[0].shape[1:]))

    @property
    def learning_rate(self) -> float:
        """The current learning rate: the optimizer's rate times the multiplier that the
        learning-rate callbacks set (readable and settable, like Keras's
        ``model.optimizer.learning_rate``)."""
        return self._require_lr() * self._lr_scale

    @learning_rate.setter
    def learning_rate(self, value: float):
        self._lr_scale = float(value) / self._require_lr()

    def _require_lr(self) -> float:
        if self._base_lr is None:
            raise ValueError(
                "nn.Trainer: the optimizer's learning rate is unknown (a custom chain or a "
                "schedule), so it cannot be read or set; learning-rate callbacks need an "
                "optimizer given by name ('adam') or made by a funcnet.optim alias with a "
                "numeric learning_rate (optim.adam(1e-3)); a schedule already sets the rate")
        return self._base_lr

    # -- the pure steps -------------------------------------------------------------------------
    def _make_steps(self):
        import funcnet

        from .. import optim
        model, loss_fn, optimizer, mets = self.model, self.loss_fn, self.optimizer, self.metrics
        weighted = self._weighted

        def train_step(params, state, opt_state, mstates, acc, key, step, lr_scale, x, y, w):
            k = funcnet.random.fold_in(key, step)

            def objective(p):
                y_pred, new_state = model.apply(p, state, x, key=k, training=True)
                return loss_fn(y, y_pred, sample_weight=w), (y_pred, new_state)

            (loss, (y_pred, new_state)), grads = funcnet.value_and_grad(
                objective, has_aux=True)(params)
            updates, opt_state = optimizer.update(grads, opt_state, params)
            if lr_scale is not None:  # None (the usual case) costs nothing
                updates = tree_util.map(lambda u: u * lr_scale.astype(u.dtype), updates)
            params = optim.apply_updates(params, updates)
            n = y_pred.shape[0]
            mstates = [m.update(s, y, y_pred, w if wm else None)
                       for m, s, wm in zip(mets, mstates, weighted)]
            acc = (acc[0] + loss * n, acc[1] + n)
            return params, new_state, opt_state, mstates, acc, loss

        def eval_step(params, state, mstates, acc, x, y, w):
            y_pred, _ = model.apply(params, state, x, training=False)
            loss = loss_fn(y, y_pred, sample_weight=w)
            n = y_pred.shape[0]
            mstates = [m.update(s, y, y_pred, w if wm else None)
                       for m, s, wm in zip(mets, mstates, weighted)]
            return mstates, (acc[0] + loss * n, acc[1] + n)

        def predict_step(params, state, x):
            return model.apply(params, state, x, training=False)[0]

        self._train_step = funcnet.jit(train_step)
        self._eval_step = funcnet.jit(eval_step)
        self._predict_step = funcnet.jit(predict_step)

    def _lr_arg(self):
        # the learning-rate multiplier of the callbacks; None while it is 1 (no extra work)
        import funcnet.numpy as fnp
        return None if self._lr_scale == 1.0 else fnp.asarray(self._lr_scale, dtype=fnp.float32)

    def _steps(self):
        if self._train_step is None:
            self._make_steps()

    def _fresh_metrics(self):
        import funcnet.numpy as fnp
        return [m.init() for m in self.metrics], (fnp.zeros(()), fnp.zeros(()))

    def _logs(self, mstates, acc, prefix=""):
        logs = {f"{prefix}loss": float(acc[0]) / max(float(acc[1]), 1.0)}
        for name, m, s in zip(self._metric_names, self.metrics, mstates):
            logs[prefix + name] = float(m.result(s))
        return logs

    # -- data -------------------------------------------------------------------------------
    def _weights(self, y, sample_weight, class_weight):
        w = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float32)
        if class_weight:
            yv = np.asarray(y)
            labels = yv.argmax(-1) if yv.ndim > 1 and yv.shape[-1] > 1 else yv.reshape(len(yv))
            cw = np.asarray([class_weight.get(int(c), 1.0) for c in labels], dtype=np.float32)
            w = cw if w is None else w * cw
        return w

    def _check_xy(self, fname, x, y):
        nx = _length(fname, x)
        ny = _length(fname, y)
        if nx != ny:
            raise ShapeError(f"nn.Trainer.{fname}: x and y have different numbers of samples: "
                             f"{nx} and {ny}")
        return nx

    # -- Keras API ------------------------------------------------------------------------------
    def fit(self, x=None, y=None, epochs=1, batch_size=32, validation_data=None,
            validation_split=0.0, shuffle=True, callbacks=None, verbose=1, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None):
        """Trains for ``epochs`` epochs; returns a :class:`~funcnet.nn.callbacks.History`.

        Arguments follow Keras: ``validation_split`` holds out the *last* fraction of the data
        (before shuffling); ``class_weight`` maps class index to a loss weight; a partial last
        batch is kept (it costs one extra trace, on the first epoch only). Shuffling and
        dropout depend only on ``seed`` and the epoch, so ``fit(..., initial_epoch=k)`` after
        loading a checkpoint from epoch ``k`` continues exactly as an uninterrupted run.
        """
        if _is_dataset(x) and y is None:
            if validation_split:
                raise ValueError("nn.Trainer.fit: validation_split needs arrays; with a Dataset "
                                 "pass validation_data=")
            return self._fit_dataset(x, epochs, validation_data, callbacks, verbose,
                                     initial_epoch, class_weight, steps_per_epoch)
        x, y = _np(x), _np(y)
        n = self._check_xy("fit", x, y)
        w = self._weights(y, sample_weight, None)
        if validation_split and validation_data is None:
            if not 0.0 < validation_split < 1.0:
                raise ValueError(f"nn.Trainer.fit: validation_split must be in (0, 1), got "
                                 f"{validation_split}")
            cut = int(n * (1.0 - validation_split))
            sl_tr, sl_va = slice(0, cut), slice(cut, n)
            validation_data = (tree_util.map(lambda a: a[sl_va], x),
                               tree_util.map(lambda a: a[sl_va], y))
            if w is not None:
                validation_data += (w[sl_va],)
            x, y = tree_util.map(lambda a: a[sl_tr], x), tree_util.map(lambda a: a[sl_tr], y)
            w = None if w is None else w[:cut]
            n = cut
        if class_weight:  # training only (Keras): validation keeps its sample weights
            w = self._weights(y, w, class_weight)
        self._ensure_built(x)
        steps = steps_per_epoch or math.ceil(n / batch_size)
        import funcnet.numpy as fnp

        def batches(epoch):
            rng = np.random.default_rng([self.seed, epoch])
            order = rng.permutation(n) if shuffle else np.arange(n)
            for b in range(steps):
                idx = order[b * batch_size:(b + 1) * batch_size]
                if len(idx) == 0:
                    return
                yield (_take(x, idx), _take(y, idx),
                       None if w is None else fnp.asarray(w[idx]))

        return self._run(batches, steps, epochs, initial_epoch,
                         _validation(validation_data, batch_size), callbacks, verbose)

    def _fit_dataset(self, ds, epochs, validation_data, callbacks, verbose, initial_epoch,
                     class_weight=None, steps_per_epoch=None):
        # a funcnet.data.Dataset yielding (x, y) or (x, y, sample_weight) batches
        import funcnet.numpy as fnp
        self._ensure_built(next(iter(ds))[0])
        if steps_per_epoch:
            steps = int(steps_per_epoch)
        else:
            try:
                steps = len(ds)
            except TypeError:
                raise ValueError("nn.Trainer.fit: this Dataset has no known length (repeat()?);"
                                 " pass steps_per_epoch=") from None
        shared = iter(ds) if steps_per_epoch else None  # one stream across epochs (Keras)

        def batches(epoch):
            it = shared if shared is not None else iter(ds)
            for _ in range(steps):
                try:
                    batch = next(it)
                except StopIteration:
                    return
                w = batch[2] if len(batch) > 2 else None
                if class_weight:
                    cw = self._weights(np.asarray(batch[1]), None if w is None else
                                       np.asarray(w), class_weight)
                    w = fnp.asarray(cw)
                yield batch[0], batch[1], w

        return self._run(batches, steps, epochs, initial_epoch,
                         _validation(validation_data, 32), callbacks, verbose)

    def _run(self, batches, steps, epochs, initial_epoch, validation, callbacks, verbose):
        # the training loop shared by array inputs and Datasets
        import funcnet
        self._steps()
        base_key = funcnet.random.key(self.seed + 1)
        self._epochs, self._steps_per_epoch = epochs, steps
        history = cb.History()
        # History last, so it records what other callbacks add to the logs (learning_rate)
        cbs = list(callbacks or []) + ([cb.ProgbarLogger(verbose=verbose)] if verbose else []) \
            + [history]
        for c in cbs:
            c.set_trainer(self)
        self.stop_training, self.history = False, history
        for c in cbs:
            c.on_train_begin({})
        self._step_count = initial_epoch * steps
        for epoch in range(initial_epoch, epochs):
            for c in cbs:
                c.on_epoch_begin(epoch, {})
            mstates, acc = self._fresh_metrics()
            lr = self._lr_arg()
            for b, (xb, yb, wb) in enumerate(batches(epoch)):
                for c in cbs[:-1]:
                    c.on_train_batch_begin(b, {})
                (self.params, self.state, self.opt_state, mstates, acc,
                 loss) = self._train_step(self.params, self.state, self.opt_state, mstates, acc,
                                          base_key, self._step_count, lr, xb, yb, wb)
                self._step_count += 1
                if len(cbs) > 1:
                    logs = {"loss": float(loss)}
                    for c in cbs[:-1]:
                        c.on_train_batch_end(b, logs)
                    if self.stop_training:  # e.g. TerminateOnNaN: stop after this batch
                        break
            logs = self._logs(mstates, acc)
            if validation is not None:
                vals = validation(self)
                logs.update({f"val_{k}": v for k, v in vals.items()})
            for c in cbs:
                c.on_epoch_end(epoch, logs)
            if self.stop_training:
                break
        for c in cbs:
            c.on_train_end({})
        return history

    def evaluate(self, x=None, y=None, batch_size=32, verbose=0, sample_weight=None,
                 return_dict=False):
        """Loss and metrics over a data set: ``[loss, *metrics]`` (a float when there are no
        metrics), or a dict with ``return_dict=True``. Independent of ``batch_size``. ``x``
        may be a ``funcnet.data.Dataset`` of ``(x, y[, sample_weight])`` batches."""
        if _is_dataset(x) and y is None:
            return self._evaluate_batches(((b[0], b[1], b[2] if len(b) > 2 else None)
                                           for b in x), verbose, return_dict, first=x)
        x, y = _np(x), _np(y)
        n = self._check_xy("evaluate", x, y)
        self._ensure_built(x)
        self._steps()
        import funcnet.numpy as fnp
        w = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float32)
        mstates, acc = self._fresh_metrics()
        for b in range(0, n, batch_size):
            idx = slice(b, b + batch_size)
            wb = None if w is None else fnp.asarray(w[idx])
            mstates, acc = self._eval_step(self.params, self.state, mstates, acc,
                                           _take(x, idx), _take(y, idx), wb)
        logs = self._logs(mstates, acc)
        if verbose:
            print(" - ".join(f"{k}: {v:.4f}" for k, v in logs.items()))
        if return_dict:
            return logs
        vals = list(logs.values())
        return vals[0] if len(vals) == 1 else vals

    def _evaluate_batches(self, batches, verbose, return_dict, first):
        self._ensure_built(next(iter(first))[0])
        self._steps()
        mstates, acc = self._fresh_metrics()
        for xb, yb, wb in batches:
            mstates, acc = self._eval_step(self.params, self.state, mstates, acc, xb, yb, wb)
        logs = self._logs(mstates, acc)
        if verbose:
            print(" - ".join(f"{k}: {v:.4f}" for k, v in logs.items()))
        if return_dict:
            return logs
        vals = list(logs.values())
        return vals[0] if len(vals) == 1 else vals

    def predict(self, x, batch_size=32, verbose=0):
        """Model outputs for ``x`` (inference mode), batched; returns a funcnet array. ``x`` may
        be a ``funcnet.data.Dataset`` (of inputs, or of ``(x, ...)`` tuples)."""
        import funcnet.numpy as fnp
        if _is_dataset(x):
            batches = [b[0] if isinstance(b, (tuple, list)) else b for b in x]
            self._ensure_built(batches[0])
            self._steps()
            outs = [self._predict_step(self.params, self.state, b) for b in batches]
            return fnp.concatenate(outs) if len(outs) > 1 else outs[0]
        x = _np(x)
        n = _length("predict", x)
        self._ensure_built(x)
        self._steps()
        outs = [self._predict_step(self.params, self.state, _take(x, slice(b, b + batch_size)))
                for b in range(0, n, batch_size)]
        return fnp.concatenate(outs) if len(outs) > 1 else outs[0]

    def train_on_batch(self, x, y, sample_weight=None, class_weight=None, return_dict=False):
        """One training step on one batch; returns that batch's ``[loss, *metrics]``."""
        import funcnet
        import funcnet.numpy as fnp
        x, y = _np(x), _np(y)
        self._check_xy("train_on_batch", x, y)
        self._ensure_built(x)
        self._steps()
        w = self._weights(y, sample_weight, class_weight)
        mstates, acc = self._fresh_metrics()
        (self.params, self.state, self.opt_state, mstates, acc, _) = self._train_step(
            self.params, self.state, self.opt_state, mstates, acc,
            funcnet.random.key(self.seed + 1), self._step_count, self._lr_arg(),
            _take(x, slice(None)),
            _take(y, slice(None)), None if w is None else fnp.asarray(w))
        self._step_count += 1
        logs = self._logs(mstates, acc)
        if return_dict:
            return logs
        vals = list(logs.values())
        return vals[0] if len(vals) == 1 else vals

    def test_on_batch(self, x, y, sample_weight=None, return_dict=False):
        """Loss and metrics of one batch (no update)."""
        return self.evaluate(x, y, batch_size=max(_length("test_on_batch", _np(x)), 1),
                             sample_weight=sample_weight, return_dict=return_dict)

    # -- weights --------------------------------------------------------------------------------
    def get_weights(self) -> list:
        """Every parameter and state array as NumPy, in a fixed order (Keras's get_weights)."""
        return [np.array(a) for a in tree_util.leaves((self.params, self.state))]

    def set_weights(self, weights) -> None:
        """Sets the arrays returned by :meth:`get_weights` (same count, shapes and order)."""
        import funcnet.numpy as fnp
        leaves, treedef = tree_util.flatten((self.params, self.state))
        weights = list(weights)
        if len(weights) != len(leaves):
            raise ValueError(f"nn.Trainer.set_weights: expected {len(leaves)} arrays, got "
                             f"{len(weights)}")
        new = []
        for i, (old, w) in enumerate(zip(leaves, weights)):
            w = np.asarray(w)
            if tuple(w.shape) != tuple(old.shape):
                raise ShapeError(f"nn.Trainer.set_weights: array {i} has shape {w.shape}, the "
                                 f"model expects {tuple(old.shape)}")
            new.append(fnp.asarray(w, dtype=old.dtype))
        self.params, self.state = tree_util.unflatten(treedef, new)

    def save_weights(self, path) -> None:
        """Saves parameters and state (``.npz``, or ``.safetensors``) with funcnet.io."""
        from .. import io
        io.save(path, {"params": self.params, "state": self.state})

    def load_weights(self, path) -> None:
        """Loads weights saved by :meth:`save_weights` (or :meth:`save`); a file whose tree
        does not match the model raises ValueError naming the first differing path."""
        from .. import io
        data = io.load(path)
        tree = {"params": data["params"], "state": data["state"]}
        like = {"params": self.params, "state": self.state} if self.params is not None else \
            self._abstract_like()
        if like is not None:
            _check_like(path, like, tree)
        self.params, self.state = tree["params"], tree["state"]
        if self.opt_state is None:
            self.opt_state = self.optimizer.init(self.params)

    def _abstract_like(self):
        # zeros shaped like the model's parameters and state (traced: no FLOPs), when the
        # model declares its input shape; None otherwise
        import funcnet
        shape = getattr(self.model, "batch_input_shape", None)
        if shape is None:
            return None
        box = {}

        def f(k):
            p, s = self.model.init(k, shape)
            box["tree"] = tree_util.structure({"params": p, "state": s})
            return tree_util.leaves({"params": p, "state": s})

        avals = funcnet.make_graph(f)(funcnet.random.key(self.seed)).out_avals
        return tree_util.unflatten(box["tree"], [np.zeros(a.shape, a.dtype) for a in avals])

    def save(self, path, epoch: int | None = None) -> None:
        """Saves the whole training state (weights, optimizer state, step, learning rate) so
        that ``load`` + ``fit(initial_epoch=...)`` resumes exactly."""
        from .. import io
        io.save(path, {"params": self.params, "state": self.state,
                       "opt_state": tree_util.leaves(self.opt_state),
                       "meta": {"step": self._step_count, "lr_scale": self._lr_scale,
                                "epoch": -1 if epoch is None else int(epoch)}})

    def load(self, path) -> int:
        """Loads a file written by :meth:`save`; returns the epoch it was saved at."""
        from .. import io
        self.load_weights(path)
        data = io.load(path)
        leaves, treedef = tree_util.flatten(self.optimizer.init(self.params))
        saved = data.get("opt_state", [])
        if len(saved) != len(leaves):
            raise ValueError(f"nn.Trainer.load: {path} holds {len(saved)} optimizer-state "
                             f"arrays, this optimizer has {len(leaves)}")
        self.opt_state = tree_util.unflatten(treedef, list(saved))
        meta = data.get("meta", {})
        self._step_count = int(meta.get("step", 0))
        self._lr_scale = float(meta.get("lr_scale", 1.0))
        return int(meta.get("epoch", -1))

    def summary(self, input_shape=None) -> str:
        """Prints and returns the Keras-style summary table of the model."""
        from ._summary import summary
        return summary(self.model, input_shape)


def _is_dataset(x):
    return x is not None and hasattr(x, "batch") and hasattr(x, "__iter__") and \
        not hasattr(x, "shape")


def _validation(validation_data, batch_size):
    # a function trainer -> validation logs, for arrays (x, y[, w]) or a Dataset
    if validation_data is None:
        return None
    if _is_dataset(validation_data):
        return lambda t: t.evaluate(validation_data, return_dict=True)
    vx, vy = validation_data[0], validation_data[1]
    vw = validation_data[2] if len(validation_data) > 2 else None
    return lambda t: t.evaluate(vx, vy, batch_size=batch_size, sample_weight=vw,
                                return_dict=True)


def _check_like(path, like, tree):
    a, b = tree_util.flatten_with_path(like)[0], tree_util.flatten_with_path(tree)[0]
    for (pa, xa), (pb, xb) in zip(a, b):
        if pa != pb or tuple(np.shape(xa)) != tuple(np.shape(xb)):
            raise ValueError(
                f"nn.Trainer.load_weights: {path} does not match the model: first difference at "
                f"{tree_util.keystr(pa)} (model {tuple(np.shape(xa))}) vs "
                f"{tree_util.keystr(pb)} (file {tuple(np.shape(xb))})")
    if len(a) != len(b):
        raise ValueError(f"nn.Trainer.load_weights: {path} has {len(b)} arrays, the model "
                         f"{len(a)}")

