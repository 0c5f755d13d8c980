# Sequential: a layer that chains layers, threading params, state and PRNG keys.
from __future__ import annotations

from collections.abc import Iterable

from ._layer import (
    Layer,
    _restore_batch,
    _scope,
    apply_aval,
    default_input_dtype,
    label,
    normalize_shape,
    snake_case,
    split_key,
)


def _explicit_name(layer):
    if isinstance(layer, Layer):
        return layer.__dict__.get("_name")
    n = getattr(layer, "name", None)
    return n if isinstance(n, str) and n else None


def unique_names(layers) -> list[str]:
    """Keras-style unique names for ``layers``: explicit names kept, others ``dense``,
    ``dense_1``, ``dense_2``... (counted within this container)."""
    explicit = [_explicit_name(la) for la in layers]
    used: set[str] = set()
    for n in explicit:
        if n is None:
            continue
        if n in used:
            raise ValueError(f"Sequential: two layers are named {n!r}; layer names must be "
                             f"unique (they key the params dict)")
        used.add(n)
    names, counts = [], {}
    for la, n in zip(layers, explicit, strict=True):
        if n is None:
            base = snake_case(type(la).__name__)
            i = counts.get(base, 0)
            n = base if i == 0 else f"{base}_{i}"
            while n in used:
                i += 1
                n = f"{base}_{i}"
            counts[base] = i + 1
            used.add(n)
        names.append(n)
    return names


def _check_layer(layer):
    if not (callable(getattr(layer, "init", None)) and callable(getattr(layer, "apply", None))):
        raise TypeError(
            f"Sequential: {layer!r} is not a layer: a layer is any object with "
            f"init(key, input_shape) -> (params, state) and apply(params, state, x, key=None, "
            f"training=False) -> (y, state)")


class Sequential(Layer):
    """A linear stack of layers; itself a layer (so Sequentials nest).

    ``params`` and ``state`` are dicts keyed by unique layer names (``"dense"``,
    ``"dense_1"``...; set ``name=`` on a layer to choose); layers without weights or state
    have no entry. ``apply`` splits ``key`` into one key per layer and threads ``state``.

    Args:
        layers: the layers, in order (more can be appended with :meth:`add`).
        name: this model's name.

    Example:
        >>> import funcnet, funcnet.numpy as fnp
        >>> from funcnet import nn
        >>> model = nn.Sequential()
        >>> model.add(nn.Dense(64, activation="relu", input_dim=100))
        >>> model.add(nn.Dense(10, activation="softmax"))
        >>> params, state = model.init(funcnet.random.key(0))
        >>> sorted(params), state
        (['dense', 'dense_1'], {})
        >>> y, state = model.apply(params, state, fnp.ones((2, 100)))
        >>> y.shape
        (2, 10)
    """

    def __init__(self, layers: Iterable | None = None, name: str | None = None, **kwargs):
        super().__init__(name=name, **kwargs)
        object.__setattr__(self, "_layers", [])
        for layer in layers or ():
            self.add(layer)

    def add(self, layer) -> None:
        """Appends a layer (the Keras habit; do it before ``init``).

        Raises:
            TypeError: if ``layer`` has no ``init`` / ``apply``.
        """
        _check_layer(layer)
        self._layers.append(layer)

    @property
    def layers(self) -> tuple:
        """The layers, in order."""
        return tuple(self._layers)

    @property
    def layer_names(self) -> list[str]:
        """The params / state keys of the layers, in order."""
        return unique_names(self._layers)

    def get_layer(self, name: str):
        """The layer whose key is ``name``.

        Raises:
            KeyError: listing the valid names.
        """
        names = self.layer_names
        if name not in names:
            raise KeyError(f"Sequential.get_layer: no layer named {name!r}; layers: "
                           f"{', '.join(names)}")
        return self._layers[names.index(name)]

    def __len__(self):
        return len(self._layers)

    def __iter__(self):
        return iter(self._layers)

    def __getitem__(self, i):
        return self._layers[i]

    def _config(self):
        return {"layers": list(self._layers)}

    @property
    def input_dtype(self):
        """The input dtype the first layer expects (int32 for Embedding), else None."""
        return default_input_dtype(self._layers[0]) if self._layers else None

    @property
    def batch_input_shape(self):
        """The input shape declared on this model or its first layer (``input_shape=`` /
        ``input_dim=``), batch dim None; None when undeclared."""
        if self.input_shape is not None:
            return (None,) + tuple(self.input_shape)
        if not self._layers:
            return None
        first = self._layers[0]
        b = getattr(first, "batch_input_shape", None)
        if b is None and isinstance(getattr(first, "input_shape", None), tuple):
            b = (None,) + tuple(first.input_shape)
        return b

    def _resolve_shape(self, input_shape, fname):
        if not self._layers:
            raise ValueError(f"Sequential.{fname}: the model has no layers; add some first")
        if input_shape is None:
            input_shape = self.batch_input_shape
            if input_shape is None:
                raise ValueError(
                    f"Sequential.{fname}: no input_shape given and the first layer declares "
                    f"none; call {fname}(key, input_shape=(None, features)) or pass "
                    f"input_shape= / input_dim= to the first layer")
        return normalize_shape(input_shape)

    def init(self, key, input_shape=None):
        """Initialises every layer, inferring each one's input shape from the previous one.

        Args:
            key: a PRNG key (split into one key per layer).
            input_shape: the input shape with batch dim (may be None); optional when the
                first layer has ``input_shape=`` / ``input_dim=``.

        Returns:
            ``(params, state)``: dicts keyed by layer name.
        """
        shape = self._resolve_shape(input_shape, "init")
        dtype = default_input_dtype(self._layers[0])
        names = self.layer_names
        params, state = {}, {}
        for name, layer, k in zip(names, self._layers, split_key(key, len(names)), strict=True):
            with _scope(name):
                out = layer.init(k, shape)
                if not (isinstance(out, tuple) and len(out) == 2):
                    raise TypeError(f"{label(layer)}: init must return (params, state), got "
                                    f"{type(out).__name__}")
                p, s = out
                aval = apply_aval(layer, p, s, shape, dtype)
            if p:
                params[name] = p
            if s:
                state[name] = s
            shape, dtype = _restore_batch(shape, aval.shape), aval.dtype
        return params, state

    def apply(self, params, state, x, key=None, training=False):
        """Runs the layers in order.

        Args:
            params, state: from :meth:`init` (``state`` as returned by the previous call).
            x: the input batch.
            key: PRNG key for stochastic layers (needed with ``training=True`` if any layer
                uses randomness, such as Dropout).
            training: training mode (Dropout active, BatchNorm uses and updates batch stats).

        Returns:
            ``(y, new_state)``.

        Raises:
            ValueError: if ``params`` has entries for no layer (a params tree from another
                model).
        """
        names = self.layer_names
        extra = set(params) - set(names)
        if extra:
            raise ValueError(f"{label(self)}: params has entries {sorted(extra)} that match no "
                             f"layer; layers: {names} (params from another model?)")
        new_state = {}
        for name, layer, k in zip(names, self._layers, split_key(key, len(names)), strict=True):
            with _scope(name):
                try:
                    x, s = layer.apply(params.get(name, {}), state.get(name, {}), x, key=k,
                                       training=training)
                except KeyError as e:
                    if name in params:
                        raise
                    raise ValueError(f"{label(layer)}: params has no entry {name!r} (missing "
                                     f"weight {e}); re-run init for this model") from e
            if s:
                new_state[name] = s
        return x, new_state

    def output_shape(self, input_shape=None):
        """The output shape, by abstract evaluation (no FLOPs).

        Example:
            >>> from funcnet import nn
            >>> nn.Sequential([nn.Flatten(), nn.Dense(10)]).output_shape((None, 28, 28))
            (None, 10)
        """
        from ._layer import infer_output_shape
        shape = self._resolve_shape(input_shape, "output_shape")
        return infer_output_shape(self, shape, dtype=default_input_dtype(self._layers[0]))
