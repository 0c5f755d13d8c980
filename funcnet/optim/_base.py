"""Core types of funcnet.optim: GradientTransformation, EmptyState, apply_updates.

Mirrors ``optax._src.base`` and ``optax._src.update`` (optax 0.2.x): an optimizer is a pair
of pure functions ``init(params) -> state`` and ``update(updates, state, params=None) ->
(updates, state)``; states are NamedTuples of arrays, so they are pytrees that ``jit``,
``grad`` and ``tree.map`` handle.
"""

from __future__ import annotations

import difflib
import functools
import inspect
from collections.abc import Callable
from typing import Any, NamedTuple, Protocol, Union

import numpy as np

from .. import numpy as fnp
from .. import tree as tree_util
from ..core.array import Array

__all__ = [
    "EmptyState",
    "GradientTransformation",
    "GradientTransformationExtraArgs",
    "OptState",
    "Params",
    "PyTree",
    "ScalarOrSchedule",
    "Schedule",
    "Updates",
    "apply_updates",
    "identity",
    "init_empty_state",
    "set_to_zero",
    "with_extra_args_support",
]

# Type aliases: the pytree ones are funcnet.typing's (optax's names); schedules are optim's.
from ..typing import OptState, Params, PyTree, Updates  # noqa: E402,F401  (shared aliases)

Schedule = Callable[[Any], Any]
ScalarOrSchedule = Union[float, Array, Schedule]  # noqa: UP007 (a runtime alias)

NO_PARAMS_MSG = (
    "You are using a transformation that requires the current value of parameters, but you "
    "are not passing `params` when calling `update`: call `opt.update(grads, state, params)`."
)


class TransformInitFn(Protocol):
    def __call__(self, params: Params) -> OptState: ...


class TransformUpdateFn(Protocol):
    def __call__(
        self, updates: Updates, state: OptState, params: Params | None = None
    ) -> tuple[Updates, OptState]: ...


class GradientTransformation(NamedTuple):
    """A pair of pure functions ``(init, update)``: the optax optimizer interface.

    ``init(params)`` returns the initial state; ``update(updates, state, params=None)``
    returns the transformed updates and the new state. Both are pure, so they can be called
    eagerly or inside ``funcnet.jit``.

    Attributes:
        init: ``init(params) -> state``.
        update: ``update(updates, state, params=None) -> (updates, state)``.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet import optim
        >>> tx = optim.GradientTransformation(
        ...     lambda p: optim.EmptyState(), lambda u, s, p=None: (u, s))
        >>> tx.update(fnp.ones(2), tx.init(None))[0].tolist()
        [1.0, 1.0]
    """

    init: TransformInitFn
    update: TransformUpdateFn


class GradientTransformationExtraArgs(GradientTransformation):
    """A :class:`GradientTransformation` whose ``update`` also takes ``**extra_args``.

    The result of :func:`chain` and the wrappers; extra keyword arguments (a loss value, for
    example) are forwarded to every inner transformation that accepts them.

    Example:
        >>> from funcnet import optim
        >>> isinstance(optim.chain(optim.scale(2.0)), optim.GradientTransformationExtraArgs)
        True
    """


class EmptyState(NamedTuple):
    """The state of a stateless transformation (a pytree node with no leaves).

    Example:
        >>> from funcnet import optim
        >>> optim.scale(0.5).init({"w": 1.0})
        EmptyState()
    """


def init_empty_state(params: Params) -> EmptyState:
    """Init function of stateless transformations: ignores ``params``.

    Args:
        params: ignored.

    Returns:
        ``EmptyState()``.

    Example:
        >>> from funcnet import optim
        >>> optim.init_empty_state(None)
        EmptyState()
    """
    del params
    return EmptyState()


def with_extra_args_support(tx: GradientTransformation) -> GradientTransformationExtraArgs:
    """Wraps ``tx`` so that its ``update`` accepts (and ignores) extra keyword arguments.

    Args:
        tx: a gradient transformation.

    Returns:
        ``tx`` itself if it already takes extra args, else a wrapper that drops them.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet import optim
        >>> tx = optim.with_extra_args_support(optim.scale(2.0))
        >>> tx.update(fnp.ones(1), tx.init(None), None, loss=0.3)[0].tolist()
        [2.0]
    """
    if isinstance(tx, GradientTransformationExtraArgs):
        return tx

    def update_fn(updates, state, params=None, **extra_args):
        del extra_args
        return tx.update(updates, state, params)

    return GradientTransformationExtraArgs(tx.init, update_fn)


def identity() -> GradientTransformation:
    """A stateless transformation that returns the updates unchanged.

    Returns:
        A :class:`GradientTransformation`.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet import optim
        >>> tx = optim.identity()
        >>> tx.update(fnp.array([1.0, -2.0]), tx.init(None))[0].tolist()
        [1.0, -2.0]
    """

    def update_fn(updates, state, params=None):
        del params
        return updates, state

    return GradientTransformation(init_empty_state, update_fn)


def set_to_zero() -> GradientTransformation:
    """A stateless transformation that replaces every update by zeros (freezes parameters).

    Returns:
        A :class:`GradientTransformation`.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet import optim
        >>> tx = optim.set_to_zero()
        >>> tx.update(fnp.array([1.0, -2.0]), tx.init(None))[0].tolist()
        [0.0, 0.0]
    """

    def update_fn(updates, state, params=None):
        del params
        return tree_util.map(fnp.zeros_like, updates), state

    return GradientTransformation(init_empty_state, update_fn)


def apply_updates(params: Params, updates: Updates) -> Params:
    """Adds ``updates`` to ``params`` leaf by leaf, keeping each parameter's dtype.

    Args:
        params: a pytree of parameters.
        updates: a pytree of the same structure (the first output of ``update``).

    Returns:
        The new parameters, ``p + u`` cast back to ``p``'s dtype.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet import optim
        >>> optim.apply_updates({"w": fnp.ones(2)}, {"w": fnp.array([0.5, -1.0])})["w"].tolist()
        [1.5, 0.0]
    """

    def add(p, u):
        if p is None:
            return None
        dt = p.dtype if isinstance(p, Array) else fnp.asarray(p).dtype
        out = p + u
        if not isinstance(out, Array) or out.dtype != dt:
            out = fnp.asarray(out).astype(dt)
        return out

    return tree_util.map(add, params, updates)


# --------------------------------------------------------------------------------------------
# Helpers shared by the other modules (private)
# --------------------------------------------------------------------------------------------


def _zero_count():
    return fnp.zeros([], fnp.int32)


def _safe_increment(count):
    # count + 1 that saturates at the dtype's maximum instead of wrapping (optax.safe_increment);
    # Python-scalar constants are weakly typed, so the count keeps its dtype
    count = fnp.asarray(count)
    dt = count.dtype
    if fnp.issubdtype(dt, fnp.integer):
        mx = int(fnp.iinfo(dt).max)
        return fnp.where(count < mx, count + 1, mx)
    mx_f = float(fnp.finfo(dt).max)
    return fnp.where(count < mx_f, count + 1.0, mx_f)


def _canonicalize_dtype(dtype):
    return None if dtype is None else np.dtype(dtype)


def _tree_zeros_like(tree, dtype=None):
    return tree_util.map(lambda x: fnp.zeros_like(x, dtype=dtype), tree)


def _tree_full_like(tree, value, dtype=None):
    return tree_util.map(lambda x: fnp.full_like(x, value, dtype=dtype), tree)


def _tree_cast(tree, dtype):
    if dtype is None:
        return tree
    return tree_util.map(lambda x: x if x.dtype == dtype else x.astype(dtype), tree)


def _tree_cast_like(tree, like):
    return tree_util.map(lambda x, y: x if x.dtype == y.dtype else x.astype(y.dtype), tree, like)


def _update_moment(updates, moments, decay, order):
    # exponential moving average of the order-th power: (1 - decay) * g**order + decay * t
    if order == 1:  # g**1 == g exactly; skip the op
        return tree_util.map(lambda g, t: (1 - decay) * g + decay * t, updates, moments)
    return tree_util.map(lambda g, t: (1 - decay) * (g**order) + decay * t, updates, moments)


def _bias_correction(moment, decay, count):
    bc = 1 - decay**count
    return tree_util.map(lambda t: t / fnp.asarray(bc).astype(t.dtype), moment)


def _tree_where(cond, new, old):
    return tree_util.map(lambda n, o: fnp.where(cond, n, o).astype(fnp.asarray(o).dtype), new, old)


def _tree_sq_norm(tree):
    total = 0
    for leaf in tree_util.leaves(tree):
        total = total + fnp.sum(fnp.square(leaf))
    return total


def _highest_dtype(tree):
    dts = [fnp.asarray(x).dtype for x in tree_util.leaves(tree)]
    if not dts:
        return np.dtype(np.float32)
    return np.dtype(functools.reduce(fnp.promote_types, dts))


# --------------------------------------------------------------------------------------------
# Keyword checking for the public factories: Keras-era names get an actionable TypeError.
# --------------------------------------------------------------------------------------------

# Keras / PyTorch option names and their optax spelling.
_KERAS_NAMES = {
    "lr": "learning_rate",
    "beta_1": "b1",
    "beta_2": "b2",
    "beta1": "b1",
    "beta2": "b2",
    "betas": "b1, b2",
    "epsilon": "eps",
    "rho": "decay",
    "amsgrad": None,
    "clipnorm": None,
    "clipvalue": None,
    "global_clipnorm": None,
}


def _plain_signature(name: str, sig: inspect.Signature) -> str:
    empty = inspect.Parameter.empty
    params = [p.replace(annotation=empty) for p in sig.parameters.values()]
    return f"{name}{sig.replace(parameters=params, return_annotation=inspect.Signature.empty)}"


def _options_error(name: str, sig: inspect.Signature, kwargs: dict, err: TypeError):
    variadic = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    valid = [p for p, v in sig.parameters.items() if v.kind not in variadic]
    unknown = [k for k in kwargs if k not in sig.parameters]
    if "lr" in unknown and "learning_rate" in sig.parameters:
        return TypeError(
            f"optim.{name}() got the Keras-era keyword 'lr='; funcnet follows optax and calls "
            f"it 'learning_rate='. Write optim.{name}(learning_rate={kwargs['lr']!r}, ...)."
        )
    if unknown:
        k = unknown[0]
        hint = ""
        alt = _KERAS_NAMES.get(k, "")
        if k in ("clipnorm", "global_clipnorm"):
            hint = (
                " To clip gradients, chain a clipping transformation: optim.chain("
                f"optim.clip_by_global_norm({kwargs[k]!r}), optim.{name}(...))."
            )
        elif k == "clipvalue":
            hint = (
                " To clip gradients, chain a clipping transformation: optim.chain("
                f"optim.clip({kwargs[k]!r}), optim.{name}(...))."
            )
        elif k == "decay" and "learning_rate" in sig.parameters:
            hint = (
                " Keras' decay= (learning-rate decay) is a schedule here: pass e.g. "
                "learning_rate=optim.exponential_decay(...)."
            )
        elif alt and all(a in sig.parameters for a in alt.split(", ")):
            hint = f" Did you mean {alt!r} (the optax name)?"
        else:
            close = difflib.get_close_matches(k, valid, n=1)
            if close:
                hint = f" Did you mean {close[0]!r}?"
        return TypeError(
            f"optim.{name}() got an unknown option {k!r}.{hint} Valid options: {', '.join(valid)}."
        )
    return TypeError(f"optim.{name}(): {err}. Signature: {_plain_signature(name, sig)}.")


def _checked(fn):
    # Wraps a public factory so that bad keywords raise a TypeError naming the factory and its
    # valid options. functools.wraps keeps the signature visible to inspect (inject_hyperparams).
    sig = inspect.signature(fn)
    name = fn.__name__

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            sig.bind(*args, **kwargs)
        except TypeError as e:
            raise _options_error(name, sig, kwargs, e) from None
        return fn(*args, **kwargs)

    return wrapper
