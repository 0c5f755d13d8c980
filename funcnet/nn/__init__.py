"""funcnet.nn: pure-function layers, initializers, activations, losses and metrics.

A layer is an immutable configuration with two pure functions::

    params, state = layer.init(key, input_shape)      # plain dicts; state == {} if stateless
    y, state = layer.apply(params, state, x, key=None, training=False)

``Sequential`` chains layers (and is itself a layer); any object with ``init`` / ``apply`` of
these signatures is a layer. Defaults and argument names follow Keras; activations and
initializers follow ``jax.nn``.

Example:
    >>> import funcnet, funcnet.numpy as fnp
    >>> from funcnet import nn
    >>> model = nn.Sequential([nn.Flatten(input_shape=(8, 8)),
    ...                        nn.Dense(32, activation="relu"),
    ...                        nn.Dropout(0.2),
    ...                        nn.Dense(10)])
    >>> params, state = model.init(funcnet.random.key(0))
    >>> logits, state = model.apply(params, state, fnp.ones((4, 8, 8)))
    >>> logits.shape
    (4, 10)
"""

from . import activations as activations
from . import initializers as initializers
from . import losses as losses
from . import metrics as metrics
from ._attention import MultiHeadAttention as MultiHeadAttention
from ._conv import Conv1D as Conv1D
from ._conv import Conv2D as Conv2D
from ._dense import Dense as Dense
from ._dense import Embedding as Embedding
from ._layer import Activation as Activation
from ._layer import Dropout as Dropout
from ._layer import Flatten as Flatten
from ._layer import Lambda as Lambda
from ._layer import Layer as Layer
from ._layer import MissingKeyError as MissingKeyError
from ._layer import Reshape as Reshape
from ._layer import StateNotThreadedWarning as StateNotThreadedWarning
from ._norm import BatchNorm as BatchNorm
from ._norm import LayerNorm as LayerNorm
from ._norm import RMSNorm as RMSNorm
from ._pool import AvgPool1D as AvgPool1D
from ._pool import AvgPool2D as AvgPool2D
from ._pool import GlobalAveragePooling1D as GlobalAveragePooling1D
from ._pool import GlobalAveragePooling2D as GlobalAveragePooling2D
from ._pool import MaxPool1D as MaxPool1D
from ._pool import MaxPool2D as MaxPool2D
from ._recurrent import GRU as GRU
from ._recurrent import LSTM as LSTM
from ._recurrent import SimpleRNN as SimpleRNN
from ._sequential import Sequential as Sequential
from ._summary import count_params as count_params
from ._summary import plot_model as plot_model
from ._summary import summary as summary
from .activations import elu as elu
from .activations import gelu as gelu
from .activations import hard_sigmoid as hard_sigmoid
from .activations import leaky_relu as leaky_relu
from .activations import log_softmax as log_softmax
from .activations import logsumexp as logsumexp
from .activations import mish as mish
from .activations import one_hot as one_hot
from .activations import relu as relu
from .activations import relu6 as relu6
from .activations import selu as selu
from .activations import sigmoid as sigmoid
from .activations import silu as silu
from .activations import softmax as softmax
from .activations import softplus as softplus
from .activations import softsign as softsign
from .activations import swish as swish
from .activations import tanh as tanh

# Keras spellings of the same layers
BatchNormalization = BatchNorm
LayerNormalization = LayerNorm
MaxPooling1D = MaxPool1D
MaxPooling2D = MaxPool2D
AveragePooling1D = AvgPool1D
AveragePooling2D = AvgPool2D
GlobalAvgPool1D = GlobalAveragePooling1D
GlobalAvgPool2D = GlobalAveragePooling2D

__all__ = [
    "Activation", "AvgPool1D", "AvgPool2D", "AveragePooling1D", "AveragePooling2D",
    "BatchNorm", "BatchNormalization", "Conv1D", "Conv2D", "Dense", "Dropout", "Embedding",
    "Flatten", "GRU", "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalAvgPool1D",
    "GlobalAvgPool2D", "LSTM", "Lambda", "Layer", "LayerNorm", "LayerNormalization",
    "MaxPool1D", "MaxPool2D", "MaxPooling1D", "MaxPooling2D", "MissingKeyError",
    "MultiHeadAttention", "RMSNorm", "Reshape", "Sequential", "SimpleRNN",
    "StateNotThreadedWarning", "activations", "count_params", "elu", "gelu", "hard_sigmoid",
    "initializers", "leaky_relu", "log_softmax", "logsumexp", "losses", "metrics", "mish",
    "one_hot", "plot_model", "relu", "relu6", "selu", "sigmoid", "silu", "softmax",
    "softplus", "softsign", "summary", "swish", "tanh",
]

# Keras-style training (Trainer) and its callbacks
from . import callbacks as callbacks  # noqa: E402
from ._trainer import Trainer as Trainer  # noqa: E402
