# The layer protocol, the base class, abstract shape evaluation, name scopes, and the layers
# without weights (Flatten, Reshape, Dropout, Activation, Lambda).
from __future__ import annotations

import contextlib
import contextvars
import functools
import math
import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .. import random
from .. import tree as tree_util
from ..core import dtypes
from ..core.aval import ShapedArray
from ..core.trace import Tracer
from ..errors import FuncnetError, ShapeError
from . import activations as _act
from . import initializers as _init

Shape = tuple  # (None | int, ...), batch dim first
Params = dict
State = dict


class MissingKeyError(FuncnetError, ValueError):
    """A layer needs a PRNG key (Dropout with ``training=True``) but ``key=None`` was passed.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet import nn
        >>> try:
        ...     nn.Dropout(0.5).apply({}, {}, fnp.ones(3), training=True)
        ... except nn.MissingKeyError as e:
        ...     print(str(e)[:60])
        Dropout layer 'dropout': apply(..., training=True) needs a P
    """


class StateNotThreadedWarning(UserWarning):
    """Two consecutive training ``apply`` calls got the same ``state`` (eager mode).

    Layers with running statistics (BatchNorm) return an updated ``state``; it must be passed
    to the next call: ``y, state = model.apply(params, state, x, key=k, training=True)``.
    Turn it into an error with ``warnings.simplefilter("error", StateNotThreadedWarning)``.

    Example:
        >>> import warnings, funcnet, funcnet.numpy as fnp
        >>> from funcnet import nn
        >>> bn = nn.BatchNorm()
        >>> params, state = bn.init(funcnet.random.key(0), (None, 2))
        >>> x = fnp.asarray([[0.0, 1.0], [2.0, 3.0]])
        >>> _, new_state = bn.apply(params, state, x, training=True)
        >>> with warnings.catch_warnings(record=True) as caught:
        ...     warnings.simplefilter("always")
        ...     _ = bn.apply(params, state, x, training=True)   # forgot new_state
        >>> caught[0].category.__name__
        'StateNotThreadedWarning'
    """


# --------------------------------------------------------------------------------------------
# names and error scopes
# --------------------------------------------------------------------------------------------

_SCOPE: contextvars.ContextVar[tuple] = contextvars.ContextVar("funcnet_nn_scope", default=())


@contextlib.contextmanager
def _scope(name: str):
    tok = _SCOPE.set(_SCOPE.get() + (name,))
    try:
        yield
    finally:
        _SCOPE.reset(tok)


def snake_case(name: str) -> str:
    s = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    s = re.sub(r"([a-z])([A-Z])", r"\1_\2", s)
    return s.lower()


def layer_name(layer) -> str:
    """A layer's name: its ``name`` attribute, else its class name in snake case."""
    n = getattr(layer, "name", None)
    return n if isinstance(n, str) and n else snake_case(type(layer).__name__)


def label(layer) -> str:
    """How error messages name ``layer``: ``Dense layer 'sequential/dense_1'``."""
    path = _SCOPE.get()
    return f"{type(layer).__name__} layer '{'/'.join(path) if path else layer_name(layer)}'"


# --------------------------------------------------------------------------------------------
# shapes and abstract evaluation
# --------------------------------------------------------------------------------------------

def normalize_shape(shape, what="input_shape") -> tuple:
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    try:
        return tuple(None if d is None else int(d) for d in shape)
    except TypeError:
        raise TypeError(f"{what} must be a tuple of ints (None for the batch dim), got "
                        f"{shape!r}") from None


def _is_shape(s) -> bool:
    return isinstance(s, (tuple, list)) and all(d is None or isinstance(d, (int, np.integer))
                                                for d in s)


def _aval(shape, dtype=None) -> ShapedArray:
    shape = tuple(1 if d is None else int(d) for d in shape)
    return ShapedArray(shape, dtypes.canonicalize(dtype or dtypes.default_float()))


def eval_shape(fn: Callable, *args) -> Any:
    """Traces ``fn(*args)`` without computing it; args and result are pytrees whose leaves are
    arrays or ShapedArray-like objects (``.shape``, ``.dtype``). Returns ShapedArrays."""
    from ..transforms._util import as_array
    from ..transforms.staging import trace_to_graph

    def is_leaf(x):
        return isinstance(x, ShapedArray)

    leaves, treedef = tree_util.flatten(args, is_leaf=is_leaf)
    avals = [x if isinstance(x, ShapedArray) else as_array(x).aval.strip_weak() for x in leaves]

    def flat(*tracers):
        out = fn(*tree_util.unflatten(treedef, list(tracers)))
        out_leaves, out_def = tree_util.flatten(out)
        return [as_array(o) for o in out_leaves], out_def

    tok = _init._SHAPE_ONLY.set(True)
    try:
        graph, out_def = trace_to_graph(flat, avals, None, getattr(fn, "__name__", "fn"))
    finally:
        _init._SHAPE_ONLY.reset(tok)
    return tree_util.unflatten(out_def, list(graph.out_avals))


def _key_aval() -> ShapedArray:
    return ShapedArray((2,), np.dtype(np.uint32))


def abstract_init(layer, input_shape):
    """``(params, state)`` of ``layer.init`` as ShapedArrays, computed without FLOPs."""
    input_shape = normalize_shape(input_shape)
    return eval_shape(lambda k: tuple(layer.init(k, input_shape)), _key_aval())


def _input_avals(input_shape, dtype):
    if isinstance(input_shape, (tuple, list)) and input_shape and all(
            _is_shape(s) for s in input_shape) and not _is_shape(input_shape):
        dts = dtype if isinstance(dtype, (tuple, list)) else [dtype] * len(input_shape)
        return tuple(_aval(s, d) for s, d in zip(input_shape, dts, strict=True))
    return _aval(input_shape, dtype)


def _restore_batch(input_shape, out):
    none_batch = bool(input_shape) and (
        input_shape[0] is None if _is_shape(input_shape) else input_shape[0][0] is None)
    if none_batch and out:
        return (None,) + tuple(out[1:])
    return tuple(out)


def apply_aval(layer, params, state, input_shape, dtype=None):
    """The output aval (shape with the batch placeholder, dtype) of ``layer.apply``."""
    x = _input_avals(input_shape, dtype)
    return eval_shape(lambda p, s, x: layer.apply(p, s, x)[0], params, state, x)


def infer_output_shape(layer, input_shape, params=None, state=None, dtype=None):
    """``layer``'s output shape for ``input_shape`` (batch dim may be None), by tracing."""
    input_shape = tuple(input_shape)
    if params is None:
        init_shape = normalize_shape(input_shape) if _is_shape(input_shape) else input_shape
        params, state = eval_shape(lambda k: tuple(layer.init(k, init_shape)), _key_aval())
    out = apply_aval(layer, params, state, input_shape, dtype)
    return _restore_batch(input_shape, out.shape)


def is_concrete(x) -> bool:
    return not isinstance(x, Tracer)


def default_input_dtype(layer):
    return getattr(layer, "input_dtype", None)


# --------------------------------------------------------------------------------------------
# the base class
# --------------------------------------------------------------------------------------------

class Layer:
    """Base class of funcnet layers: an immutable configuration with two pure functions.

    ``params, state = layer.init(key, input_shape)`` creates the weights (plain dicts of
    arrays; ``state`` holds non-trainable values such as BatchNorm running statistics and is
    ``{}`` for most layers). ``y, state = layer.apply(params, state, x, key=None,
    training=False)`` runs it. Subclassing is optional: any object with these two methods is a
    layer; the base class adds ``name``, Keras' ``input_shape=`` / ``input_dim=`` and
    :meth:`output_shape`.

    Args:
        name: the layer's name (its key in a Sequential's params); default: the class name in
            snake case, made unique by the enclosing Sequential (``dense``, ``dense_1``...).
        input_shape: Keras-style input shape without the batch dim, for the first layer.
        input_dim: shorthand for ``input_shape=(input_dim,)``.
        dtype: parameter dtype (default: float32, float64 under ``enable_x64``).

    Example:
        >>> import funcnet, funcnet.numpy as fnp
        >>> from funcnet import nn
        >>> class Centered(nn.Layer):
        ...     def apply(self, params, state, x, key=None, training=False):
        ...         return x - fnp.mean(x), state
        >>> layer = Centered()
        >>> params, state = layer.init(funcnet.random.key(0), (None, 3))
        >>> layer.apply(params, state, fnp.asarray([[1.0, 2.0, 3.0]]))[0].tolist()
        [[-1.0, 0.0, 1.0]]
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        init = cls.__dict__.get("__init__")
        if init is None:
            return

        @functools.wraps(init)
        def wrapped(self, *args, **kw):
            depth = self.__dict__.get("_init_depth", 0)
            object.__setattr__(self, "_init_depth", depth + 1)
            try:
                init(self, *args, **kw)
            finally:
                object.__setattr__(self, "_init_depth", depth)
                if depth == 0:
                    object.__setattr__(self, "_frozen", True)

        cls.__init__ = wrapped

    def __init__(self, *, name: str | None = None, input_shape=None, input_dim=None,
                 dtype=None, trainable: bool = True):
        if name is not None and not isinstance(name, str):
            raise TypeError(f"{type(self).__name__}: name must be a string, got {name!r}")
        self._name = name
        if input_dim is not None:
            if input_shape is not None:
                raise ValueError(f"{type(self).__name__}: pass input_shape= or input_dim=, not "
                                 f"both")
            input_shape = (int(input_dim),)
        self.input_shape = None if input_shape is None else normalize_shape(input_shape)
        self.dtype = None if dtype is None else dtypes.canonicalize(dtype)
        self.trainable = bool(trainable)

    def __setattr__(self, attr, value):
        if self.__dict__.get("_frozen") and attr != "name":
            raise AttributeError(
                f"{type(self).__name__} layers are immutable configurations; build a new one "
                f"instead of setting {attr!r}")
        object.__setattr__(self, attr, value)

    @property
    def name(self) -> str:
        """The layer's name (settable, like Keras' ``layer.name = ...``)."""
        n = self.__dict__.get("_name")
        return n if n else snake_case(type(self).__name__)

    @name.setter
    def name(self, value: str) -> None:
        if not isinstance(value, str) or not value:
            raise TypeError(f"{type(self).__name__}.name must be a non-empty string")
        object.__setattr__(self, "_name", value)

    @property
    def batch_input_shape(self):
        """``(None, *input_shape)`` when ``input_shape=`` / ``input_dim=`` was given, else None."""
        return None if self.input_shape is None else (None,) + tuple(self.input_shape)

    def init(self, key, input_shape) -> tuple[Params, State]:
        """Creates ``(params, state)`` for inputs of ``input_shape`` (batch dim first, may be
        None). The base class has no weights: it returns ``({}, {})``."""
        return {}, {}

    def apply(self, params: Params, state: State, x, key=None, training: bool = False):
        """Runs the layer: returns ``(y, state)``. Subclasses override this."""
        raise NotImplementedError(f"{type(self).__name__}.apply")

    def output_shape(self, input_shape) -> tuple:
        """The output shape for ``input_shape`` (batch dim may be None), computed by abstract
        evaluation of ``init`` and ``apply`` (no FLOPs).

        Example:
            >>> from funcnet import nn
            >>> nn.Dense(8).output_shape((None, 3))
            (None, 8)
        """
        return infer_output_shape(self, input_shape, dtype=default_input_dtype(self))

    def _param_dtype(self):
        return self.dtype

    def _config(self) -> dict:
        return {}

    def __repr__(self):
        cfg = ", ".join(f"{k}={v!r}" for k, v in self._config().items())
        nm = self.__dict__.get("_name")
        if nm:
            cfg = f"{cfg}, name={nm!r}" if cfg else f"name={nm!r}"
        return f"{type(self).__name__}({cfg})"

    def __call__(self, *args, **kwargs):
        raise TypeError(
            f"{type(self).__name__} is a pure layer description and is not called directly: use "
            f"`params, state = layer.init(key, x.shape)` then "
            f"`y, state = layer.apply(params, state, x)` (or nn.Trainer for Keras-style fit)")


def split_key(key, n):
    if key is None:
        return [None] * n
    if n == 1:
        return [key]
    ks = random.split(key, n)
    return [ks[i] for i in range(n)]


def check_rank(layer, x, ranks, what):
    if x.ndim not in ranks:
        exp = " or ".join(str(r) for r in ranks)
        raise ShapeError(f"{label(layer)}: expected a rank-{exp} input ({what}), got shape "
                         f"{tuple(x.shape)}")


def check_init_shape(layer, input_shape, ranks, what):
    if len(input_shape) not in ranks:
        exp = " or ".join(str(r) for r in ranks)
        raise ShapeError(f"{label(layer)}: expected a rank-{exp} input_shape ({what}), got "
                         f"{tuple(input_shape)}")
    if input_shape[-1] is None:
        raise ShapeError(f"{label(layer)}: the last dim of input_shape {tuple(input_shape)} "
                         f"must be known to create the weights")


def fnp():
    import funcnet.numpy as _fnp
    return _fnp


# --------------------------------------------------------------------------------------------
# layers without weights
# --------------------------------------------------------------------------------------------

class Flatten(Layer):
    """Flattens every dim but the batch dim: ``(N, d1, d2, ...) -> (N, d1*d2*...)``.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet import nn
        >>> layer = nn.Flatten(input_shape=(28, 28))
        >>> layer.output_shape((None, 28, 28))
        (None, 784)
        >>> layer.apply({}, {}, fnp.zeros((2, 3, 4)))[0].shape
        (2, 12)
    """

    def apply(self, params, state, x, key=None, training=False):
        x = fnp().asarray(x)
        if x.ndim == 0:
            raise ShapeError(f"{label(self)}: needs an input with a batch dim, got a scalar")
        return x.reshape((x.shape[0], math.prod(x.shape[1:]))), state


class Reshape(Layer):
    """Reshapes every sample to ``target_shape`` (the batch dim is kept; one entry may be -1).

    Args:
        target_shape: the new per-sample shape.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet import nn
        >>> nn.Reshape((3, 4)).apply({}, {}, fnp.zeros((2, 12)))[0].shape
        (2, 3, 4)
    """

    def __init__(self, target_shape: Sequence[int], **kwargs):
        super().__init__(**kwargs)
        self.target_shape = tuple(int(d) for d in target_shape)

    def _config(self):
        return {"target_shape": self.target_shape}

    def apply(self, params, state, x, key=None, training=False):
        x = fnp().asarray(x)
        n = math.prod(x.shape[1:])
        known = math.prod(d for d in self.target_shape if d != -1)
        ok = (n == known) if -1 not in self.target_shape else (known and n % known == 0)
        if not ok:
            raise ShapeError(f"{label(self)}: cannot reshape samples of shape "
                             f"{tuple(x.shape[1:])} ({n} values) to {self.target_shape}")
        return x.reshape((x.shape[0],) + self.target_shape), state


class Activation(Layer):
    """Applies an activation: a function or a Keras name (``"relu"``, ``"softmax"``...).

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet import nn
        >>> nn.Activation("relu").apply({}, {}, fnp.asarray([-1.0, 1.0]))[0].tolist()
        [0.0, 1.0]
    """

    def __init__(self, activation: str | Callable, **kwargs):
        super().__init__(**kwargs)
        self.activation = _act.get(activation)

    def _config(self):
        return {"activation": getattr(self.activation, "__name__", self.activation)}

    def apply(self, params, state, x, key=None, training=False):
        return self.activation(x), state


class Lambda(Layer):
    """Wraps a function ``fn(x) -> y`` without weights as a layer.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet import nn
        >>> nn.Lambda(lambda x: 2 * x).apply({}, {}, fnp.asarray([1.0]))[0].tolist()
        [2.0]
    """

    def __init__(self, function: Callable, **kwargs):
        super().__init__(**kwargs)
        if not callable(function):
            raise TypeError(f"Lambda: expected a callable, got {function!r}")
        self.function = function

    def _config(self):
        return {"function": getattr(self.function, "__name__", self.function)}

    def apply(self, params, state, x, key=None, training=False):
        return self.function(x), state


class Dropout(Layer):
    """Randomly zeroes a fraction ``rate`` of the inputs during training and scales the rest by
    ``1 / (1 - rate)``; the identity at inference.

    Args:
        rate: fraction of the inputs to drop, in ``[0, 1]``.
        noise_shape: optional shape of the keep mask (broadcast against the input; ``None``
            entries take the input's dim), as in Keras.

    Raises:
        MissingKeyError: (a ``ValueError``) from ``apply(training=True)`` without a key.

    Example:
        >>> import funcnet, funcnet.numpy as fnp
        >>> from funcnet import nn
        >>> d = nn.Dropout(0.5)
        >>> d.apply({}, {}, fnp.ones(4))[0].tolist()
        [1.0, 1.0, 1.0, 1.0]
        >>> y, _ = d.apply({}, {}, fnp.ones(1000), key=funcnet.random.key(0), training=True)
        >>> sorted(set(y.tolist()))
        [0.0, 2.0]
    """

    def __init__(self, rate: float, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        rate = float(rate)
        if not 0.0 <= rate <= 1.0:
            raise ValueError(f"Dropout: rate must be in [0, 1], got {rate}")
        self.rate = rate
        self.noise_shape = None if noise_shape is None else tuple(noise_shape)

    def _config(self):
        return {"rate": self.rate}

    def apply(self, params, state, x, key=None, training=False):
        np_ = fnp()
        x = np_.asarray(x)
        if not training or self.rate == 0.0:
            return x, state
        if key is None:
            raise MissingKeyError(
                f"{label(self)}: apply(..., training=True) needs a PRNG key to drop units; pass "
                f"key=funcnet.random.key(seed) (split a new one every step), or "
                f"training=False for inference")
        if self.rate == 1.0:
            return np_.zeros_like(x), state
        keep = 1.0 - self.rate
        shape = tuple(x.shape)
        if self.noise_shape is not None:
            if len(self.noise_shape) != x.ndim:
                raise ShapeError(f"{label(self)}: noise_shape {self.noise_shape} needs one entry "
                                 f"per dim of the input {tuple(x.shape)}")
            shape = tuple(d if n is None else n
                          for n, d in zip(self.noise_shape, x.shape, strict=True))
        mask = random.bernoulli(key, keep, shape)
        return np_.where(mask, x / np_.asarray(keep, x.dtype), np_.zeros((), x.dtype)), state
