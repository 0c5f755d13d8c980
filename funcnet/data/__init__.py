"""funcnet.data: input pipelines, splitting and label utilities, and small bundled data sets.

``Dataset`` follows ``tf.data``; ``train_test_split`` follows scikit-learn (same rows for the
same ``random_state``); ``to_categorical`` follows Keras.

Example:
    >>> from funcnet.data import Dataset, load_digits, to_categorical, train_test_split
    >>> X, y = load_digits(return_X_y=True)
    >>> X.shape, y.shape
    ((1797, 64), (1797,))
    >>> X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0)
    >>> X_train.shape, X_test.shape
    ((1437, 64), (360, 64))
    >>> ds = Dataset.from_tensor_slices((X_train, to_categorical(y_train))).shuffle(
    ...     len(X_train), seed=0).batch(32)
    >>> len(ds), [a.shape for a in next(iter(ds))]
    (45, [(32, 64), (32, 10)])
"""

from ._dataset import AUTOTUNE as AUTOTUNE
from ._dataset import INFINITE_CARDINALITY as INFINITE_CARDINALITY
from ._dataset import UNKNOWN_CARDINALITY as UNKNOWN_CARDINALITY
from ._dataset import Dataset as Dataset
from ._datasets import Bunch as Bunch
from ._datasets import load_digits as load_digits
from ._split import train_test_split as train_test_split
from ._utils import to_categorical as to_categorical

__all__ = ["AUTOTUNE", "INFINITE_CARDINALITY", "UNKNOWN_CARDINALITY", "Bunch", "Dataset",
           "load_digits", "to_categorical", "train_test_split"]
