"""A small convolutional network on the bundled 8x8 digits, trained with nn.Trainer.

Conv2D(16, 3x3, same) -> MaxPool2D -> Conv2D(32, 3x3, same) -> GlobalAveragePooling2D -> Dense.
Images are NHWC (1797, 8, 8, 1). Run with ``.venv/bin/python examples/cnn_digits.py``.
"""

import time

from funcnet import data, nn, optim

start = time.perf_counter()
images = data.load_digits().images.reshape(-1, 8, 8, 1) / 16.0   # NHWC
labels = data.load_digits().target
x_train, x_test, y_train, y_test = data.train_test_split(images, labels, test_size=0.2,
                                                         random_state=0, stratify=labels)

model = nn.Sequential([
    nn.Conv2D(16, 3, padding="same", activation="relu", input_shape=(8, 8, 1)),
    nn.MaxPool2D(2),
    nn.Conv2D(32, 3, padding="same", activation="relu"),
    nn.GlobalAveragePooling2D(),
    nn.Dropout(0.1),
    nn.Dense(10),
])
nn.summary(model)
trainer = nn.Trainer(model, loss=nn.losses.SparseCategoricalCrossentropy(from_logits=True),
                     optimizer=optim.adam(3e-3), metrics=["accuracy"])
trainer.fit(x_train, y_train, epochs=15, batch_size=32, validation_split=0.1, verbose=2)
loss, acc = trainer.evaluate(x_test, y_test)
print(f"\ntest accuracy: {acc:.4f} (loss {loss:.4f}); {time.perf_counter() - start:.1f} s")
