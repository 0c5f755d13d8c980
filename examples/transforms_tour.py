"""funcnet transforms tour: a digit classifier from pure functions, grad, jit and vmap.

Trains a 64-128-10 MLP on the bundled 8x8 handwritten digits with a hand-written Adam, then
uses vmap(grad(...)) for per-example gradients and looks at what jit compiled.

Run it with ``.venv/bin/python examples/transforms_tour.py`` (after ``bash scripts/demo.sh``)
where funcnet is installed. It takes a few seconds on one CPU core.
"""

import time

import numpy as np

import funcnet
import funcnet.numpy as fnp
from funcnet import random, tree
from funcnet.data import load_digits

start = time.perf_counter()

# -- data: 1797 digits, 64 pixels each (0..16); a seeded 80/20 split ----------------------------
X, y = load_digits(return_X_y=True)          # float32 [1797, 64], int32 [1797]
X = X / 16.0                                 # pixels to [0, 1]
rng = np.random.default_rng(0)               # NumPy is fine for the input pipeline
order = rng.permutation(len(X))
n_test = len(X) // 5
X_test, y_test = X[order[:n_test]], y[order[:n_test]]
X_train, y_train = X[order[n_test:]], y[order[n_test:]]
print(f"digits: {len(X_train)} training and {len(X_test)} test images, 10 classes")


# -- the model: plain functions of a params pytree ----------------------------------------------
def init_params(key, sizes=(64, 128, 10)):
    """He-normal weights and zero biases for an MLP, as a dict pytree."""
    keys = random.split(key, len(sizes) - 1)          # one independent key per layer
    params = {}
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        w = random.normal(keys[i], (n_in, n_out)) * np.sqrt(2.0 / n_in)
        params[f"layer{i}"] = {"w": w, "b": fnp.zeros(n_out)}
    return params


def predict(params, x):
    """Logits for one image x[64] or a batch x[n, 64]."""
    h = fnp.maximum(x @ params["layer0"]["w"] + params["layer0"]["b"], 0.0)   # ReLU
    return h @ params["layer1"]["w"] + params["layer1"]["b"]


def loss(params, x, y):
    """Mean softmax cross-entropy; works for one example (y: int) or a batch (y[n])."""
    logits = predict(params, x)
    # logsumexp, made stable by subtracting the row max (a constant for the gradient)
    m = funcnet.stop_gradient(logits.max(axis=-1, keepdims=True))
    log_z = m[..., 0] + fnp.log(fnp.exp(logits - m).sum(axis=-1))
    label_logit = fnp.take_along_axis(logits, y[..., None], axis=-1)[..., 0]
    return (log_z - label_logit).mean()


# -- Adam, written by hand over pytrees ------------------------------------------------------------
def adam_init(params):
    zeros = tree.map(fnp.zeros_like, params)
    return {"m": zeros, "v": zeros}


def adam_update(params, grads, state, step, lr=1e-3, b1=0.9, b2=0.999, eps=1e-8):
    m = tree.map(lambda m, g: b1 * m + (1 - b1) * g, state["m"], grads)
    v = tree.map(lambda v, g: b2 * v + (1 - b2) * g * g, state["v"], grads)
    m_scale = 1 / (1 - b1 ** step)    # bias corrections
    v_scale = 1 / (1 - b2 ** step)
    params = tree.map(lambda p, m, v: p - lr * (m * m_scale) / (fnp.sqrt(v * v_scale) + eps),
                      params, m, v)
    return params, {"m": m, "v": v}


@funcnet.jit
def train_step(params, opt_state, step, x, y):
    """One step: loss and gradient in one pass, then Adam. Compiled once per batch shape.

    ``step`` is a Python int: jit traces numbers like arrays, so a new step number does not
    recompile (only static arguments and shapes / dtypes / tree structure are in the key).
    """
    loss_value, grads = funcnet.value_and_grad(loss)(params, x, y)
    params, opt_state = adam_update(params, grads, opt_state, step)
    return params, opt_state, loss_value


# -- training ----------------------------------------------------------------------------------
params = init_params(random.key(0))
opt_state = adam_init(params)
epochs, batch_size, step = 30, 32, 0
for epoch in range(1, epochs + 1):
    perm = rng.permutation(len(X_train))
    losses = []
    for i in range(0, len(perm), batch_size):
        idx = perm[i:i + batch_size]
        step += 1
        params, opt_state, loss_value = train_step(params, opt_state, step, X_train[idx],
                                                   y_train[idx])
        losses.append(float(loss_value))
    if epoch == 1 or epoch % 5 == 0:
        print(f"epoch {epoch:2d}  train loss {np.mean(losses):.4f}")

predict_jit = funcnet.jit(predict)
accuracy = float((predict_jit(params, X_test).argmax(axis=-1) == y_test).mean())
print(f"test accuracy: {accuracy:.4f}")

# -- per-example gradients: vmap over the examples, params shared (in_axes=None) ---------------
per_example_grads = funcnet.vmap(funcnet.grad(loss), in_axes=(None, 0, 0))
g = per_example_grads(params, X_test, y_test)        # each leaf: [360, *param shape]
sq = [fnp.sum(leaf.reshape(len(X_test), -1) ** 2, axis=1) for leaf in tree.leaves(g)]
norms = np.asarray(fnp.sqrt(sum(sq)))
pred = np.asarray(predict_jit(params, X_test).argmax(axis=-1))
print("hardest test examples (largest per-example gradient norm):")
for i in np.argsort(-norms)[:5]:
    print(f"  test #{i:3d}: label {y_test[i]}, predicted {pred[i]}, |grad| = {norms[i]:.3f}")
print(f"  median |grad| over the test set: {np.median(norms):.4f}")

# -- what jit did: one trace per input signature --------------------------------------------------
info = train_step.cache_info()
print(f"train_step cache: {info.hits} hits, {info.misses} misses")
for reason in info.miss_reasons:       # the second miss is the partial last batch
    print(f"  miss: {reason}")

# make_graph shows what a transform traced (like jax.make_jaxpr), before jit's optimisations:
# here the forward sum is unused by the gradient, and jit's dead-code elimination drops it
print("graph of grad(lambda x: sum(tanh(x))) for x: f32[3]:")
print(funcnet.make_graph(funcnet.grad(lambda x: fnp.sum(fnp.tanh(x))))(fnp.ones(3)))
print(f"done in {time.perf_counter() - start:.1f} s")
