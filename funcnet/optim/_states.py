"""State NamedTuples of the building blocks in ``_transforms.py`` (optax 0.2.x names, fields
and field order)."""

from __future__ import annotations

from typing import Any, NamedTuple

from ._base import EmptyState

__all__ = [
    "AddDecayedWeightsState",
    "ScaleByAdaDeltaState",
    "ScaleByAdamState",
    "ScaleByBeliefState",
    "ScaleByLionState",
    "ScaleByRStdDevState",
    "ScaleByRStdDevWithCountState",
    "ScaleByRmsState",
    "ScaleByRmsWithCountState",
    "ScaleByRssState",
    "ScaleByScheduleState",
    "ScaleByTrustRatioState",
    "ScaleState",
    "TraceState",
    "WeightDecaySchedule",
]

ScaleState = EmptyState
AddDecayedWeightsState = EmptyState
ScaleByTrustRatioState = EmptyState


# --------------------------------------------------------------------------------------------
# States
# --------------------------------------------------------------------------------------------


class TraceState(NamedTuple):
    """State of :func:`trace`: the momentum accumulator.

    Attributes:
        trace: a pytree like the params.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet import optim
        >>> optim.trace(0.9).init(fnp.zeros(2))
        TraceState(trace=Array([0., 0.], dtype=float32))
    """

    trace: Any


class ScaleByAdamState(NamedTuple):
    """State of :func:`scale_by_adam` and :func:`scale_by_adamax`.

    Attributes:
        count: int32 scalar, the number of updates so far.
        mu: first moment estimate (pytree like the params).
        nu: second (or infinity) moment estimate.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet import optim
        >>> optim.scale_by_adam().init(fnp.zeros(1))._fields
        ('count', 'mu', 'nu')
    """

    count: Any
    mu: Any
    nu: Any


class ScaleByRmsState(NamedTuple):
    """State of :func:`scale_by_rms` without bias correction.

    Attributes:
        nu: EMA of squared updates.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet import optim
        >>> optim.scale_by_rms().init(fnp.zeros(1))._fields
        ('nu',)
    """

    nu: Any


class ScaleByRmsWithCountState(NamedTuple):
    """State of :func:`scale_by_rms` with ``bias_correction=True``.

    Attributes:
        count: int32 scalar step count.
        nu: EMA of squared updates.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet import optim
        >>> optim.scale_by_rms(bias_correction=True).init(fnp.zeros(1))._fields
        ('count', 'nu')
    """

    count: Any
    nu: Any


class ScaleByRStdDevState(NamedTuple):
    """State of :func:`scale_by_stddev` without bias correction.

    Attributes:
        mu: EMA of updates.
        nu: EMA of squared updates.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet import optim
        >>> optim.scale_by_stddev().init(fnp.zeros(1))._fields
        ('mu', 'nu')
    """

    mu: Any
    nu: Any


class ScaleByRStdDevWithCountState(NamedTuple):
    """State of :func:`scale_by_stddev` with ``bias_correction=True``.

    Attributes:
        count: int32 scalar step count.
        mu: EMA of updates.
        nu: EMA of squared updates.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet import optim
        >>> optim.scale_by_stddev(bias_correction=True).init(fnp.zeros(1))._fields
        ('count', 'mu', 'nu')
    """

    count: Any
    mu: Any
    nu: Any


class ScaleByRssState(NamedTuple):
    """State of :func:`scale_by_rss` (Adagrad).

    Attributes:
        sum_of_squares: running sum of squared updates.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet import optim
        >>> optim.scale_by_rss().init(fnp.zeros(2)).sum_of_squares.tolist()
        [0.1, 0.1]
    """

    sum_of_squares: Any


class ScaleByScheduleState(NamedTuple):
    """State of :func:`scale_by_schedule`: the step count the schedule is evaluated at.

    Attributes:
        count: int32 scalar.

    Example:
        >>> from funcnet import optim
        >>> optim.scale_by_schedule(lambda c: 0.1).init(None)
        ScaleByScheduleState(count=Array(0, dtype=int32))
    """

    count: Any


class ScaleByAdaDeltaState(NamedTuple):
    """State of :func:`scale_by_adadelta`.

    Attributes:
        e_g: EMA of squared gradients.
        e_x: EMA of squared updates.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet import optim
        >>> optim.scale_by_adadelta().init(fnp.zeros(1))._fields
        ('e_g', 'e_x')
    """

    e_g: Any
    e_x: Any


class ScaleByLionState(NamedTuple):
    """State of :func:`scale_by_lion`.

    Attributes:
        count: int32 scalar step count.
        mu: momentum (EMA of updates with rate ``b2``).

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet import optim
        >>> optim.scale_by_lion().init(fnp.zeros(1))._fields
        ('count', 'mu')
    """

    count: Any
    mu: Any


class ScaleByBeliefState(NamedTuple):
    """State of :func:`scale_by_belief` (AdaBelief).

    Attributes:
        count: int32 scalar step count.
        mu: first moment.
        nu: second central moment of the prediction error.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet import optim
        >>> optim.scale_by_belief().init(fnp.zeros(1))._fields
        ('count', 'mu', 'nu')
    """

    count: Any
    mu: Any
    nu: Any


class WeightDecaySchedule(NamedTuple):
    """State of :func:`add_decayed_weights` when ``weight_decay`` is a schedule.

    Attributes:
        count: int32 scalar step count.

    Example:
        >>> from funcnet import optim
        >>> optim.add_decayed_weights(lambda c: 1e-4).init(None)
        WeightDecaySchedule(count=Array(0, dtype=int32))
    """

    count: Any
