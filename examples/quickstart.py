"""funcnet quickstart: train a digit classifier Keras-style, then look under the hood.

Part 1 trains a 64-128-10 MLP on the bundled 8x8 handwritten digits (UCI, 1797 images) with
``nn.Trainer`` (Adam 1e-3, batch 32, 30 epochs, 80/20 split with random_state=0), shows the
progress bar and ``nn.summary``, and reports the test accuracy. Part 2 uses the same pure
functions with ``grad``, ``vmap`` and ``jit``.

Run it with ``bash scripts/demo.sh`` (sets up .venv first). It takes a few seconds.
"""

import time

import numpy as np

import funcnet
import funcnet.numpy as fnp
from funcnet import data, nn, optim

start = time.perf_counter()

# -- Part 1: Keras-style training ----------------------------------------------------------------
X, y = data.load_digits(return_X_y=True)            # float32 [1797, 64] in 0..16, int32 [1797]
X = X / 16.0
x_train, x_test, y_train, y_test = data.train_test_split(X, y, test_size=0.2, random_state=0)
print(f"digits: {len(x_train)} training and {len(x_test)} test images\n")

model = nn.Sequential([
    nn.Dense(128, activation="relu", input_dim=64),
    nn.Dense(10),                                    # logits
])
nn.summary(model)

trainer = nn.Trainer(
    model,
    loss=nn.losses.SparseCategoricalCrossentropy(from_logits=True),
    optimizer=optim.adam(learning_rate=1e-3),
    metrics=["accuracy"],
)
history = trainer.fit(x_train, y_train, epochs=30, batch_size=32, verbose=1)
test_loss, test_acc = trainer.evaluate(x_test, y_test)
print(f"\ntest accuracy: {test_acc:.4f}  (test loss {test_loss:.4f})")

# -- Part 2: the same model as pure functions ------------------------------------------------------
params, state = trainer.params, trainer.state


def loss(params, x, y):
    logits, _ = model.apply(params, state, x)
    return nn.losses.sparse_categorical_crossentropy(y, logits, from_logits=True)


# grad: d loss / d params, a pytree shaped like params
grads = funcnet.grad(loss)(params, fnp.asarray(x_test[:64]), fnp.asarray(y_test[:64]))
norm = np.sqrt(sum(float((g * g).sum()) for g in funcnet.tree.leaves(grads)))
print(f"\ngrad: gradient norm on 64 test images = {norm:.4f}")

# vmap(grad): one gradient per example (each example is a batch of one)
per_example = funcnet.jit(funcnet.vmap(funcnet.grad(loss), in_axes=(None, 0, 0)))
g = per_example(params, fnp.asarray(x_test[:, None, :]), fnp.asarray(y_test[:, None]))
sizes = np.sqrt(sum(np.asarray((leaf * leaf).reshape(len(x_test), -1).sum(1))
                    for leaf in funcnet.tree.leaves(g)))
hardest = np.argsort(-sizes)[:5]
print(f"vmap(grad): {len(x_test)} per-example gradients; hardest test images {hardest.tolist()}"
      f" (labels {y_test[hardest].tolist()})")

# jit: traced once per input signature, then the compiled graph runs
print(f"jit: the train step was traced {trainer._train_step.cache_info().misses} time(s) for "
      f"{trainer._train_step.cache_info().hits} cache hits (the partial last batch is one trace)")
print("\nmake_graph of a tiny function:")
print(funcnet.make_graph(lambda x: fnp.tanh(x) * 2.0 + 1.0)(fnp.ones(3)))
print(f"\ndone in {time.perf_counter() - start:.1f} s")
