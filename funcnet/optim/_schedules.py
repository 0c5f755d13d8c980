"""Learning-rate schedules and ``inject_hyperparams`` (optax 0.2.x ``optax.schedules``).

A schedule is a function of the step count. The count that optimizers pass is an int32
scalar array (traced under jit), so every schedule is written with ``funcnet.numpy``
operations and ``fnp.where``: no Python control flow on the count. Schedules also accept
Python ints.
"""

from __future__ import annotations

import functools
import inspect
import math
from collections.abc import Callable, Iterable, Sequence
from typing import Any, NamedTuple

import numpy as np

from .. import numpy as fnp
from ..core.array import Array
from ._base import (
    GradientTransformationExtraArgs,
    Schedule,
    _checked,
    _highest_dtype,
    _safe_increment,
    _zero_count,
    with_extra_args_support,
)

__all__ = [
    "InjectHyperparamsState",
    "InjectStatefulHyperparamsState",
    "WrappedSchedule",
    "WrappedScheduleState",
    "constant_schedule",
    "cosine_decay_schedule",
    "exponential_decay",
    "inject_hyperparams",
    "join_schedules",
    "linear_schedule",
    "piecewise_constant_schedule",
    "polynomial_schedule",
    "warmup_constant_schedule",
    "warmup_cosine_decay_schedule",
    "warmup_exponential_decay_schedule",
]


@_checked
def constant_schedule(value: float) -> Schedule:
    """A schedule that always returns ``value``.

    Args:
        value: the constant.

    Returns:
        ``schedule(count) -> value``.

    Example:
        >>> from funcnet import optim
        >>> optim.constant_schedule(0.1)(1000)
        0.1
    """
    return lambda count: value


@_checked
def polynomial_schedule(
    init_value: float,
    end_value: float,
    power: float,
    transition_steps: int,
    transition_begin: int = 0,
) -> Schedule:
    """Polynomial decay from ``init_value`` to ``end_value`` over ``transition_steps``.

    ``(init - end) * (1 - t / transition_steps) ** power + end`` with ``t = clip(count -
    transition_begin, 0, transition_steps)``.

    Args:
        init_value: value at (and before) ``transition_begin``.
        end_value: value after ``transition_begin + transition_steps``.
        power: the polynomial's power.
        transition_steps: length of the decay; ``<= 0`` gives a constant ``init_value``.
        transition_begin: step at which the decay starts (negative values count as 0).

    Returns:
        A schedule.

    Example:
        >>> from funcnet import optim
        >>> s = optim.polynomial_schedule(1.0, 0.0, power=2, transition_steps=10)
        >>> round(float(s(5)), 4)
        0.25
    """
    if transition_steps <= 0:
        return lambda count: init_value
    transition_begin = max(transition_begin, 0)

    def schedule(count):
        c = fnp.clip(count - transition_begin, 0, transition_steps)
        frac = 1 - c / transition_steps
        return (init_value - end_value) * (frac**power) + end_value

    return schedule


@_checked
def linear_schedule(
    init_value: float,
    end_value: float,
    transition_steps: int,
    transition_begin: int = 0,
) -> Schedule:
    """Linear interpolation from ``init_value`` to ``end_value`` over ``transition_steps``.

    Args:
        init_value: value at (and before) ``transition_begin``.
        end_value: value from ``transition_begin + transition_steps`` on.
        transition_steps: length of the ramp; ``<= 0`` gives a constant ``init_value``.
        transition_begin: step at which the ramp starts.

    Returns:
        A schedule.

    Example:
        >>> from funcnet import optim
        >>> s = optim.linear_schedule(0.0, 1.0, transition_steps=4)
        >>> [round(float(s(i)), 2) for i in range(6)]
        [0.0, 0.25, 0.5, 0.75, 1.0, 1.0]
    """
    return polynomial_schedule(
        init_value=init_value,
        end_value=end_value,
        power=1,
        transition_steps=transition_steps,
        transition_begin=transition_begin,
    )


@_checked
def piecewise_constant_schedule(
    init_value: float, boundaries_and_scales: dict[int, float] | None = None
) -> Schedule:
    """Multiplies the value by ``scale`` once the count passes each ``boundary``.

    Args:
        init_value: the starting value.
        boundaries_and_scales: ``{step: scale}``; from ``count == step`` on the value is
            multiplied by ``scale`` (the factors compound). Scales must be non-negative.

    Returns:
        A schedule.

    Raises:
        ValueError: if a scale is negative.

    Example:
        >>> from funcnet import optim
        >>> s = optim.piecewise_constant_schedule(1.0, {2: 0.5, 4: 0.1})
        >>> [round(float(s(i)), 3) for i in (0, 2, 3, 4, 5)]
        [1.0, 0.5, 0.5, 0.05, 0.05]
    """
    if boundaries_and_scales is not None:
        if not all(scale >= 0.0 for scale in boundaries_and_scales.values()):
            raise ValueError(
                "optim.piecewise_constant_schedule expects non-negative scale factors, got "
                f"{boundaries_and_scales}."
            )
    items = sorted(boundaries_and_scales.items()) if boundaries_and_scales else []

    def schedule(count):
        v = init_value
        for threshold, scale in items:
            indicator = fnp.maximum(0.0, fnp.sign(threshold - count))
            v = v * indicator + (1 - indicator) * scale * v
        return v

    return schedule


@_checked
def exponential_decay(
    init_value: float,
    transition_steps: int,
    decay_rate: float,
    transition_begin: int = 0,
    staircase: bool = False,
    end_value: float | None = None,
) -> Schedule:
    """``init_value * decay_rate ** ((count - transition_begin) / transition_steps)``.

    Args:
        init_value: the starting value (held until ``transition_begin``).
        transition_steps: steps per factor of ``decay_rate``; ``<= 0`` gives a constant.
        decay_rate: the decay factor; ``0`` gives a constant ``init_value``.
        transition_begin: step at which the decay starts.
        staircase: decay in discrete steps (floor the exponent).
        end_value: optional bound the value never passes (a floor for decay, a cap for
            growth).

    Returns:
        A schedule.

    Example:
        >>> from funcnet import optim
        >>> s = optim.exponential_decay(1.0, transition_steps=10, decay_rate=0.5)
        >>> round(float(s(20)), 4)
        0.25
    """
    if transition_steps <= 0 or decay_rate == 0:
        return lambda count: init_value
    transition_begin = max(transition_begin, 0)
    clip_fn = None
    if end_value is not None:
        clip_fn = fnp.maximum if decay_rate < 1.0 else fnp.minimum

    def schedule(count):
        decreased_count = count - transition_begin
        p = decreased_count / transition_steps
        if staircase:
            p = fnp.floor(p)
        decayed = fnp.where(decreased_count <= 0, init_value, init_value * fnp.power(decay_rate, p))
        if clip_fn is not None:
            decayed = clip_fn(decayed, end_value)
        return decayed

    return schedule


@_checked
def cosine_decay_schedule(
    init_value: float,
    decay_steps: int,
    alpha: float = 0.0,
    exponent: float = 1.0,
) -> Schedule:
    """Cosine decay from ``init_value`` to ``alpha * init_value`` over ``decay_steps``.

    Args:
        init_value: the starting value.
        decay_steps: the number of steps to decay over (must be positive).
        alpha: the final value as a fraction of ``init_value``.
        exponent: the power the cosine factor is raised to.

    Returns:
        A schedule.

    Raises:
        ValueError: if ``decay_steps`` is not positive.

    Example:
        >>> from funcnet import optim
        >>> s = optim.cosine_decay_schedule(1.0, decay_steps=10)
        >>> [round(float(s(i)), 3) for i in (0, 5, 10, 20)]
        [1.0, 0.5, 0.0, 0.0]
    """
    if not decay_steps > 0:
        raise ValueError(
            f"optim.cosine_decay_schedule requires positive decay_steps, got {decay_steps}."
        )
    steps = float(decay_steps) if isinstance(decay_steps, int) else decay_steps

    def schedule(count):
        if isinstance(count, int):
            count = float(count)
        c = fnp.minimum(count, steps)
        cosine_decay = 0.5 * (1 + fnp.cos(math.pi * c / steps))
        decayed = (1 - alpha) * cosine_decay**exponent + alpha
        return init_value * decayed

    return schedule


@_checked
def join_schedules(schedules: Sequence[Schedule], boundaries: Sequence[int]) -> Schedule:
    """Runs ``schedules[i + 1]`` from ``boundaries[i]`` on, with its count restarted at 0.

    Args:
        schedules: the schedules, in order.
        boundaries: the steps at which to switch (one fewer than ``schedules``).

    Returns:
        A schedule.

    Example:
        >>> from funcnet import optim
        >>> s = optim.join_schedules([optim.constant_schedule(1.0),
        ...                           optim.linear_schedule(1.0, 0.0, 4)], [3])
        >>> [round(float(s(i)), 2) for i in (0, 2, 3, 5)]
        [1.0, 1.0, 1.0, 0.5]
    """

    def schedule(step):
        output = schedules[0](step)
        for boundary, sched in zip(boundaries, schedules[1:], strict=False):
            output = fnp.where(step < boundary, output, sched(step - boundary))
        return output

    return schedule


@_checked
def warmup_constant_schedule(init_value: float, peak_value: float, warmup_steps: int) -> Schedule:
    """Linear warm-up from ``init_value`` to ``peak_value``, then constant.

    Args:
        init_value: the value at step 0.
        peak_value: the value from ``warmup_steps`` on.
        warmup_steps: length of the warm-up.

    Returns:
        A schedule.

    Example:
        >>> from funcnet import optim
        >>> s = optim.warmup_constant_schedule(0.0, 1.0, 2)
        >>> [float(s(i)) for i in range(4)]
        [0.0, 0.5, 1.0, 1.0]
    """
    return linear_schedule(
        init_value=init_value, end_value=peak_value, transition_steps=warmup_steps
    )


@_checked
def warmup_cosine_decay_schedule(
    init_value: float,
    peak_value: float,
    warmup_steps: int,
    decay_steps: int,
    end_value: float = 0.0,
    exponent: float = 1.0,
) -> Schedule:
    """Linear warm-up to ``peak_value``, then cosine decay to ``end_value``.

    Args:
        init_value: the value at step 0.
        peak_value: the value reached after ``warmup_steps``.
        warmup_steps: length of the warm-up.
        decay_steps: total length of warm-up plus decay (as in optax).
        end_value: the final value.
        exponent: the power of the cosine factor.

    Returns:
        A schedule.

    Example:
        >>> from funcnet import optim
        >>> s = optim.warmup_cosine_decay_schedule(0.0, 1.0, warmup_steps=2, decay_steps=12)
        >>> [round(float(s(i)), 3) for i in (0, 1, 2, 7, 12)]
        [0.0, 0.5, 1.0, 0.5, 0.0]
    """
    alpha = 0.0 if peak_value == 0.0 else end_value / peak_value
    return join_schedules(
        [
            linear_schedule(
                init_value=init_value, end_value=peak_value, transition_steps=warmup_steps
            ),
            cosine_decay_schedule(
                init_value=peak_value,
                decay_steps=decay_steps - warmup_steps,
                alpha=alpha,
                exponent=exponent,
            ),
        ],
        [warmup_steps],
    )


@_checked
def warmup_exponential_decay_schedule(
    init_value: float,
    peak_value: float,
    warmup_steps: int,
    transition_steps: int,
    decay_rate: float,
    transition_begin: int = 0,
    staircase: bool = False,
    end_value: float | None = None,
) -> Schedule:
    """Linear warm-up to ``peak_value``, then :func:`exponential_decay`.

    Args:
        init_value: the value at step 0.
        peak_value: the value reached after ``warmup_steps``.
        warmup_steps: length of the warm-up.
        transition_steps: see :func:`exponential_decay`.
        decay_rate: see :func:`exponential_decay`.
        transition_begin: see :func:`exponential_decay` (counted after the warm-up).
        staircase: see :func:`exponential_decay`.
        end_value: see :func:`exponential_decay`.

    Returns:
        A schedule.

    Example:
        >>> from funcnet import optim
        >>> s = optim.warmup_exponential_decay_schedule(0.0, 1.0, 2, 1, 0.5)
        >>> [float(s(i)) for i in range(5)]
        [0.0, 0.5, 1.0, 0.5, 0.25]
    """
    return join_schedules(
        [
            linear_schedule(
                init_value=init_value, end_value=peak_value, transition_steps=warmup_steps
            ),
            exponential_decay(
                init_value=peak_value,
                transition_steps=transition_steps,
                decay_rate=decay_rate,
                transition_begin=transition_begin,
                staircase=staircase,
                end_value=end_value,
            ),
        ],
        [warmup_steps],
    )


# --------------------------------------------------------------------------------------------
# inject_hyperparams
# --------------------------------------------------------------------------------------------


class InjectHyperparamsState(NamedTuple):
    """The older (optax <= 0.2.4) state of :func:`inject_hyperparams`, kept for code that
    names it; funcnet, like optax 0.2.8, returns :class:`InjectStatefulHyperparamsState`.

    Attributes:
        count: int32 step count.
        hyperparams: dict of the current hyperparameter values.
        inner_state: the wrapped optimizer's state.

    Example:
        >>> from funcnet import optim
        >>> optim.InjectHyperparamsState._fields
        ('count', 'hyperparams', 'inner_state')
    """

    count: Any
    hyperparams: dict[str, Any]
    inner_state: Any


class InjectStatefulHyperparamsState(NamedTuple):
    """State of :func:`inject_hyperparams`.

    Attributes:
        count: int32 step count.
        hyperparams: dict name -> current value (scalar arrays you may read or overwrite).
        hyperparams_states: dict name -> :class:`WrappedScheduleState` for scheduled ones.
        inner_state: the wrapped optimizer's state.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet import optim
        >>> s = optim.inject_hyperparams(optim.sgd)(learning_rate=0.1).init(fnp.zeros(1))
        >>> s._fields
        ('count', 'hyperparams', 'hyperparams_states', 'inner_state')
    """

    count: Any
    hyperparams: dict[str, Any]
    hyperparams_states: dict[str, Any]
    inner_state: Any


class WrappedScheduleState(NamedTuple):
    """State of a plain schedule wrapped by :func:`inject_hyperparams`: its own count.

    Attributes:
        count: int32 step count.

    Example:
        >>> from funcnet import optim
        >>> optim.WrappedSchedule(lambda c: 0.1).init()
        WrappedScheduleState(count=Array(0, dtype=int32))
    """

    count: Any


class WrappedSchedule:
    """Turns a plain schedule ``f(count)`` into a stateful one (``init``/``update``/call).

    Args:
        schedule_fn: the schedule.

    Example:
        >>> from funcnet import optim
        >>> w = optim.WrappedSchedule(lambda c: 2 * c)
        >>> int(w(w.update(w.init())))
        2
    """

    def __init__(self, schedule_fn: Schedule):
        self.schedule_fn = schedule_fn

    def init(self) -> WrappedScheduleState:
        """The initial state (count 0)."""
        return WrappedScheduleState(count=_zero_count())

    def update(self, state: WrappedScheduleState, **extra_args: Any) -> WrappedScheduleState:
        """Advances the count by one."""
        del extra_args
        return WrappedScheduleState(count=_safe_increment(state.count))

    def __call__(self, state: WrappedScheduleState, **extra_args: Any) -> Any:
        """The schedule's value at the current count."""
        del extra_args
        return self.schedule_fn(state.count)


def _is_stateful_schedule(v) -> bool:
    return (
        not isinstance(v, type)
        and callable(v)
        and callable(getattr(v, "init", None))
        and callable(getattr(v, "update", None))
    )


def _convert_floats(x, dtype):
    if isinstance(x, Array) and not getattr(x, "weak_type", False):
        return x
    cur = x.dtype if hasattr(x, "dtype") else type(x)
    if isinstance(x, bool) or cur is bool:
        return x
    if np.issubdtype(np.dtype(cur), np.floating):
        return fnp.asarray(x, dtype=dtype)
    return x


@_checked
def inject_hyperparams(
    inner_factory: Callable[..., Any],
    static_args: str | Iterable[str] = (),
    hyperparam_dtype: Any = None,
) -> Callable[..., GradientTransformationExtraArgs]:
    """Makes an optimizer's numeric hyperparameters part of its state (so they can change).

    ``inject_hyperparams(optim.adam)(learning_rate=sched)`` returns an optimizer whose state
    holds the current ``learning_rate`` (and every other numeric argument) in
    ``state.hyperparams``; schedules are evaluated at each step, and you can overwrite a
    value in the state (e.g. to reduce the learning rate on a plateau) without re-jitting.

    Args:
        inner_factory: an optimizer factory such as ``optim.adam``.
        static_args: names of arguments to keep static (not stored in the state).
        hyperparam_dtype: dtype of float hyperparameters (default: the params' highest).

    Returns:
        A factory with the same signature as ``inner_factory``, whose optimizers have state
        :class:`InjectStatefulHyperparamsState`.

    Raises:
        ValueError: if ``static_args`` names an argument ``inner_factory`` does not have.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet import optim
        >>> opt = optim.inject_hyperparams(optim.sgd)(learning_rate=0.1)
        >>> s = opt.init(fnp.zeros(1))
        >>> s.hyperparams["learning_rate"] = fnp.asarray(0.5)
        >>> opt.update(fnp.ones(1), s)[0].tolist()
        [-0.5]
    """
    static_args = {static_args} if isinstance(static_args, str) else set(static_args)
    inner_signature = inspect.signature(inner_factory)
    if not static_args.issubset(inner_signature.parameters):
        raise ValueError(
            "optim.inject_hyperparams: static_args must name parameters of the inner factory. "
            f"Given {sorted(static_args)}; parameters: {list(inner_signature.parameters)}."
        )
    # funcnet-only arguments (sgd's weight_decay) left at their neutral default are not
    # injected, so that the state tree stays equal to optax's
    extensions = getattr(inner_factory, "_optim_extension_defaults", {})

    @functools.wraps(inner_factory)
    def wrapped_transform(*args, **kwargs) -> GradientTransformationExtraArgs:
        try:
            bound = inner_signature.bind(*args, **kwargs)
        except TypeError:
            inner_factory(*args, **kwargs)  # raises the factory's own, clearer TypeError
            raise
        given = set(bound.arguments)
        bound.apply_defaults()
        sched_hps, numeric_hps, other_hps = {}, {}, {}
        for name, value in bound.arguments.items():
            if name in extensions and name not in given:
                continue
            if name in static_args or isinstance(value, bool):
                other_hps[name] = value
            elif _is_stateful_schedule(value):
                sched_hps[name] = value
            elif callable(value):
                sched_hps[name] = WrappedSchedule(value)
            elif isinstance(value, (int, float, Array, np.ndarray, np.number)):
                numeric_hps[name] = value
            else:
                other_hps[name] = value

        def dtype_for(params):
            return hyperparam_dtype if hyperparam_dtype is not None else _highest_dtype(params)

        def init_fn(params):
            dtype = dtype_for(params)
            hparams = {k: fnp.asarray(_convert_floats(v, dtype)) for k, v in numeric_hps.items()}
            hparams_states = {k: f.init() for k, f in sched_hps.items()}
            hparams.update(
                {k: _convert_floats(f(hparams_states[k]), dtype) for k, f in sched_hps.items()}
            )
            return InjectStatefulHyperparamsState(
                count=_zero_count(),
                hyperparams=hparams,
                hyperparams_states=hparams_states,
                inner_state=inner_factory(**other_hps, **hparams).init(params),
            )

        def update_fn(updates, state, params=None, **extra_args):
            dtype = dtype_for(params if params is not None else updates)
            hparams = {k: _convert_floats(v, dtype) for k, v in state.hyperparams.items()}
            hparams.update(
                {
                    k: _convert_floats(f(state.hyperparams_states[k], **extra_args), dtype)
                    for k, f in sched_hps.items()
                }
            )
            hparams_states = {
                k: f.update(state.hyperparams_states[k], **extra_args) for k, f in sched_hps.items()
            }
            updates, inner_state = with_extra_args_support(
                inner_factory(**other_hps, **hparams)
            ).update(updates, state.inner_state, params, **extra_args)
            return updates, InjectStatefulHyperparamsState(
                count=_safe_increment(state.count),
                hyperparams=hparams,
                hyperparams_states=hparams_states,
                inner_state=inner_state,
            )

        return GradientTransformationExtraArgs(init_fn, update_fn)

    return wrapped_transform
