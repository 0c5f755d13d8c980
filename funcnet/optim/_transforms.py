"""Building blocks: ``scale_by_*`` transformations, ``trace`` and ``add_decayed_weights``.

Each follows optax 0.2.x (``optax._src.transform``): same name, signature, defaults, state
NamedTuple (type name, field names and order) and arithmetic, written with ``funcnet.numpy``
so that it runs eagerly and under ``funcnet.jit`` (no Python control flow on array values).
"""

from __future__ import annotations

from typing import Any, Literal

from .. import numpy as fnp
from .. import tree as tree_util
from ._base import (
    NO_PARAMS_MSG,
    EmptyState,
    GradientTransformation,
    ScalarOrSchedule,
    Schedule,
    _bias_correction,
    _canonicalize_dtype,
    _checked,
    _safe_increment,
    _tree_cast,
    _tree_cast_like,
    _tree_full_like,
    _tree_zeros_like,
    _update_moment,
    _zero_count,
    identity,
    init_empty_state,
)
from ._states import (
    ScaleByAdaDeltaState,
    ScaleByAdamState,
    ScaleByBeliefState,
    ScaleByLionState,
    ScaleByRmsState,
    ScaleByRmsWithCountState,
    ScaleByRssState,
    ScaleByRStdDevState,
    ScaleByRStdDevWithCountState,
    ScaleByScheduleState,
    TraceState,
    WeightDecaySchedule,
)

__all__ = [
    "add_decayed_weights",
    "scale",
    "scale_by_adadelta",
    "scale_by_adam",
    "scale_by_adamax",
    "scale_by_belief",
    "scale_by_learning_rate",
    "scale_by_lion",
    "scale_by_rms",
    "scale_by_rss",
    "scale_by_schedule",
    "scale_by_stddev",
    "scale_by_trust_ratio",
    "trace",
]


# --------------------------------------------------------------------------------------------
# Transformations
# --------------------------------------------------------------------------------------------


@_checked
def scale(step_size: float) -> GradientTransformation:
    """Multiplies every update by ``step_size``.

    Args:
        step_size: a scalar (a Python number or a scalar array).

    Returns:
        A stateless :class:`GradientTransformation` (state ``EmptyState()``).

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet import optim
        >>> tx = optim.scale(-0.5)
        >>> tx.update(fnp.array([2.0, 4.0]), tx.init(None))[0].tolist()
        [-1.0, -2.0]
    """

    def update_fn(updates, state, params=None):
        del params
        return tree_util.map(lambda g: step_size * g, updates), state

    return GradientTransformation(init_empty_state, update_fn)


@_checked
def scale_by_schedule(step_size_fn: Schedule) -> GradientTransformation:
    """Multiplies updates by ``step_size_fn(count)``, where ``count`` lives in the state.

    Args:
        step_size_fn: a schedule: a function of the int32 step count (see
            ``optim.exponential_decay`` and friends).

    Returns:
        A :class:`GradientTransformation` with state :class:`ScaleByScheduleState`.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet import optim
        >>> tx = optim.scale_by_schedule(lambda count: 1.0 / (count + 1))
        >>> s = tx.init(None)
        >>> u, s = tx.update(fnp.ones(1), s)
        >>> u, s = tx.update(fnp.ones(1), s)
        >>> u.tolist(), int(s.count)
        ([0.5], 2)
    """

    def init_fn(params):
        del params
        return ScaleByScheduleState(count=_zero_count())

    def update_fn(updates, state, params=None):
        del params
        step_size = step_size_fn(state.count)
        updates = tree_util.map(lambda g: fnp.asarray(step_size, dtype=g.dtype) * g, updates)
        return updates, ScaleByScheduleState(count=_safe_increment(state.count))

    return GradientTransformation(init_fn, update_fn)


@_checked
def scale_by_learning_rate(
    learning_rate: ScalarOrSchedule | None = None, *, flip_sign: bool = True
) -> GradientTransformation:
    """Scales updates by the learning rate (a constant or a schedule), negated by default.

    Args:
        learning_rate: a scalar or a schedule; ``None`` gives :func:`identity`.
        flip_sign: multiply by ``-learning_rate`` (gradient descent) when True.

    Returns:
        :func:`scale` for a constant, :func:`scale_by_schedule` for a schedule.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet import optim
        >>> tx = optim.scale_by_learning_rate(0.1)
        >>> tx.update(fnp.array([1.0]), tx.init(None))[0].tolist()
        [-0.1]
    """
    if learning_rate is None:
        return identity()
    m = -1 if flip_sign else 1
    lr: Any = learning_rate
    if callable(lr):
        return scale_by_schedule(lambda count: m * lr(count))
    return scale(m * lr)


@_checked
def trace(
    decay: float, nesterov: bool = False, accumulator_dtype: Any = None
) -> GradientTransformation:
    """Momentum: keeps ``trace = updates + decay * trace`` and returns it (optax's ``trace``).

    Args:
        decay: momentum coefficient.
        nesterov: return ``updates + decay * new_trace`` (Nesterov momentum) instead.
        accumulator_dtype: optional dtype of the accumulator (default: the params' dtype).

    Returns:
        A :class:`GradientTransformation` with state :class:`TraceState`.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet import optim
        >>> tx = optim.trace(0.5)
        >>> s = tx.init(fnp.zeros(1))
        >>> u, s = tx.update(fnp.ones(1), s)
        >>> u, s = tx.update(fnp.ones(1), s)
        >>> u.tolist()
        [1.5]
    """
    accumulator_dtype = _canonicalize_dtype(accumulator_dtype)

    def init_fn(params):
        return TraceState(trace=_tree_zeros_like(params, dtype=accumulator_dtype))

    def update_fn(updates, state, params=None):
        del params
        f = lambda g, t: g + decay * t
        new_trace = tree_util.map(f, updates, state.trace)
        updates = tree_util.map(f, updates, new_trace) if nesterov else new_trace
        return updates, TraceState(trace=_tree_cast(new_trace, accumulator_dtype))

    return GradientTransformation(init_fn, update_fn)


@_checked
def scale_by_adam(
    b1: float = 0.9,
    b2: float = 0.999,
    eps: float = 1e-8,
    eps_root: float = 0.0,
    mu_dtype: Any = None,
    *,
    nesterov: bool = False,
) -> GradientTransformation:
    """Rescales updates with Adam's bias-corrected moment estimates (Kingma & Ba, 2014).

    ``m = b1 m + (1-b1) g``, ``v = b2 v + (1-b2) g²``, update ``m̂ / (sqrt(v̂ + eps_root) +
    eps)``; with ``nesterov=True`` this is NAdam.

    Args:
        b1: decay rate of the first moment.
        b2: decay rate of the second moment.
        eps: added to the denominator outside the square root.
        eps_root: added inside the square root.
        mu_dtype: optional dtype of the first moment accumulator.
        nesterov: use Nesterov momentum (NAdam).

    Returns:
        A :class:`GradientTransformation` with state :class:`ScaleByAdamState`.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet import optim
        >>> tx = optim.scale_by_adam()
        >>> u, s = tx.update(fnp.array([0.5, -2.0]), tx.init(fnp.zeros(2)))
        >>> fnp.round(u, 4).tolist(), int(s.count)
        ([1.0, -1.0], 1)
    """
    mu_dtype = _canonicalize_dtype(mu_dtype)

    def init_fn(params):
        mu = _tree_zeros_like(params, dtype=mu_dtype)
        nu = _tree_zeros_like(params)
        return ScaleByAdamState(count=_zero_count(), mu=mu, nu=nu)

    def update_fn(updates, state, params=None):
        del params
        mu = _update_moment(updates, state.mu, b1, 1)
        nu = _update_moment(updates, state.nu, b2, 2)
        count_inc = _safe_increment(state.count)
        if nesterov:
            mu_hat = tree_util.map(
                lambda m, g: b1 * m + (1 - b1) * g,
                _bias_correction(mu, b1, _safe_increment(count_inc)),
                _bias_correction(updates, b1, count_inc),
            )
        else:
            mu_hat = _bias_correction(mu, b1, count_inc)
        nu_hat = _bias_correction(nu, b2, count_inc)
        if isinstance(eps_root, (int, float)) and eps_root == 0.0:
            # v >= 0, so sqrt(v + 0.0) == sqrt(v) bit for bit; skip the add
            updates = tree_util.map(lambda m, v: m / (fnp.sqrt(v) + eps), mu_hat, nu_hat)
        else:
            updates = tree_util.map(lambda m, v: m / (fnp.sqrt(v + eps_root) + eps), mu_hat, nu_hat)
        mu = _tree_cast(mu, mu_dtype)
        nu = _tree_cast_like(nu, state.nu)
        return updates, ScaleByAdamState(count=count_inc, mu=mu, nu=nu)

    return GradientTransformation(init_fn, update_fn)


@_checked
def scale_by_adamax(
    b1: float = 0.9, b2: float = 0.999, eps: float = 1e-8
) -> GradientTransformation:
    """Rescales updates by AdaMax's infinity-norm moment (Kingma & Ba, 2014, section 7).

    Args:
        b1: decay rate of the first moment.
        b2: decay rate of the infinity norm.
        eps: added to ``|g|`` in the infinity-norm update.

    Returns:
        A :class:`GradientTransformation` with state :class:`ScaleByAdamState`
        (``nu`` holds the infinity norm).

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet import optim
        >>> tx = optim.scale_by_adamax()
        >>> u, _ = tx.update(fnp.array([2.0]), tx.init(fnp.zeros(1)))
        >>> fnp.round(u, 4).tolist()
        [1.0]
    """

    def init_fn(params):
        mu = _tree_zeros_like(params)
        nu = _tree_zeros_like(params)
        return ScaleByAdamState(count=_zero_count(), mu=mu, nu=nu)

    def update_fn(updates, state, params=None):
        del params
        count_inc = _safe_increment(state.count)
        mu = _update_moment(updates, state.mu, b1, 1)
        nu = tree_util.map(lambda g, t: fnp.maximum(fnp.abs(g) + eps, b2 * t), updates, state.nu)
        mu_hat = _bias_correction(mu, b1, count_inc)
        updates = tree_util.map(lambda m, v: m / v, mu_hat, nu)
        return updates, ScaleByAdamState(count=count_inc, mu=mu, nu=nu)

    return GradientTransformation(init_fn, update_fn)


@_checked
def scale_by_rms(
    decay: float = 0.9,
    eps: float = 1e-8,
    initial_scale: float = 0.0,
    eps_in_sqrt: bool = True,
    bias_correction: bool = False,
) -> GradientTransformation:
    """Divides updates by the root of an EMA of their squares (RMSProp, Hinton 2012).

    Args:
        decay: EMA decay rate.
        eps: added to the denominator (inside the root when ``eps_in_sqrt``).
        initial_scale: initial value of the accumulator.
        eps_in_sqrt: whether ``eps`` goes inside the square root.
        bias_correction: apply Adam-style bias correction (adds a ``count`` to the state).

    Returns:
        A :class:`GradientTransformation` with state :class:`ScaleByRmsState` (or
        :class:`ScaleByRmsWithCountState` when ``bias_correction``).

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet import optim
        >>> tx = optim.scale_by_rms(decay=0.75)
        >>> u, s = tx.update(fnp.array([2.0]), tx.init(fnp.zeros(1)))
        >>> fnp.round(u, 4).tolist(), s.nu.tolist()
        ([2.0], [1.0])
    """

    def init_fn(params):
        nu = _tree_full_like(params, initial_scale)
        if bias_correction:
            return ScaleByRmsWithCountState(count=_zero_count(), nu=nu)
        return ScaleByRmsState(nu=nu)

    def update_fn(updates, state, params=None):
        del params
        nu = _update_moment(updates, state.nu, decay, 2)
        if bias_correction:
            count_inc = _safe_increment(state.count)
            nu_hat = _bias_correction(nu, decay, count_inc)
        else:
            nu_hat = nu
        if eps_in_sqrt:
            scaling = tree_util.map(lambda n: 1 / fnp.sqrt(n + eps), nu_hat)
        else:
            scaling = tree_util.map(lambda n: 1 / (fnp.sqrt(n) + eps), nu_hat)
        updates = tree_util.map(lambda s, g: s * g, scaling, updates)
        if bias_correction:
            return updates, ScaleByRmsWithCountState(count=count_inc, nu=nu)
        return updates, ScaleByRmsState(nu=nu)

    return GradientTransformation(init_fn, update_fn)


@_checked
def scale_by_stddev(
    decay: float = 0.9,
    eps: float = 1e-8,
    initial_scale: float = 0.0,
    eps_in_sqrt: bool = True,
    bias_correction: bool = False,
) -> GradientTransformation:
    """Divides updates by an EMA estimate of their standard deviation (centered RMSProp).

    Args:
        decay: EMA decay rate.
        eps: added to the denominator (inside the root when ``eps_in_sqrt``).
        initial_scale: initial value of the second-moment accumulator.
        eps_in_sqrt: whether ``eps`` goes inside the square root.
        bias_correction: apply Adam-style bias correction (adds a ``count`` to the state).

    Returns:
        A :class:`GradientTransformation` with state :class:`ScaleByRStdDevState` (or
        :class:`ScaleByRStdDevWithCountState`).

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet import optim
        >>> tx = optim.scale_by_stddev(decay=0.5)
        >>> u, s = tx.update(fnp.array([2.0]), tx.init(fnp.zeros(1)))
        >>> s.mu.tolist(), s.nu.tolist(), fnp.round(u, 4).tolist()
        ([1.0], [2.0], [2.0])
    """

    def init_fn(params):
        mu = _tree_zeros_like(params)
        nu = _tree_full_like(params, initial_scale)
        if bias_correction:
            return ScaleByRStdDevWithCountState(count=_zero_count(), mu=mu, nu=nu)
        return ScaleByRStdDevState(mu=mu, nu=nu)

    def update_fn(updates, state, params=None):
        del params
        mu = _update_moment(updates, state.mu, decay, 1)
        nu = _update_moment(updates, state.nu, decay, 2)
        if bias_correction:
            count_inc = _safe_increment(state.count)
            mu_hat = _bias_correction(mu, decay, count_inc)
            nu_hat = _bias_correction(nu, decay, count_inc)
        else:
            mu_hat, nu_hat = mu, nu
        if eps_in_sqrt:
            scaling = tree_util.map(
                lambda m, n: 1 / fnp.sqrt(n - fnp.square(m) + eps), mu_hat, nu_hat
            )
        else:
            scaling = tree_util.map(
                lambda m, n: 1 / (fnp.sqrt(n - fnp.square(m)) + eps), mu_hat, nu_hat
            )
        updates = tree_util.map(lambda s, g: s * g, scaling, updates)
        if bias_correction:
            return updates, ScaleByRStdDevWithCountState(count=count_inc, mu=mu, nu=nu)
        return updates, ScaleByRStdDevState(mu=mu, nu=nu)

    return GradientTransformation(init_fn, update_fn)


@_checked
def scale_by_rss(
    initial_accumulator_value: float = 0.1, eps: float = 1e-7
) -> GradientTransformation:
    """Divides updates by the root of the running sum of their squares (Adagrad).

    Args:
        initial_accumulator_value: starting value of the sum of squares.
        eps: added inside the square root.

    Returns:
        A :class:`GradientTransformation` with state :class:`ScaleByRssState`.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet import optim
        >>> tx = optim.scale_by_rss(initial_accumulator_value=0.0, eps=0.0)
        >>> u, s = tx.update(fnp.array([3.0]), tx.init(fnp.zeros(1)))
        >>> u.tolist(), s.sum_of_squares.tolist()
        ([1.0], [9.0])
    """

    def init_fn(params):
        return ScaleByRssState(sum_of_squares=_tree_full_like(params, initial_accumulator_value))

    def update_fn(updates, state, params=None):
        del params
        sum_of_squares = tree_util.map(
            lambda g, t: fnp.square(g) + t, updates, state.sum_of_squares
        )
        # where(t > 0, rsqrt(t + eps), 0) without evaluating 1/sqrt(0) in the dead branch
        inv_sqrt = tree_util.map(
            lambda t: fnp.where(t > 0, 1 / fnp.sqrt(fnp.where(t > 0, t, 1) + eps), 0.0),
            sum_of_squares,
        )
        updates = tree_util.map(lambda s, g: s * g, inv_sqrt, updates)
        return updates, ScaleByRssState(sum_of_squares=sum_of_squares)

    return GradientTransformation(init_fn, update_fn)


@_checked
def scale_by_adadelta(rho: float = 0.9, eps: float = 1e-6) -> GradientTransformation:
    """Rescales updates as in Adadelta (Zeiler, 2012).

    Args:
        rho: EMA decay rate of squared gradients and squared updates.
        eps: added inside the square roots.

    Returns:
        A :class:`GradientTransformation` with state :class:`ScaleByAdaDeltaState`.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet import optim
        >>> tx = optim.scale_by_adadelta()
        >>> u, s = tx.update(fnp.array([1.0]), tx.init(fnp.zeros(1)))
        >>> s._fields, u.shape
        (('e_g', 'e_x'), (1,))
    """

    def init_fn(params):
        return ScaleByAdaDeltaState(e_g=_tree_zeros_like(params), e_x=_tree_zeros_like(params))

    def update_fn(updates, state, params=None):
        del params
        e_g = _update_moment(updates, state.e_g, rho, 2)
        updates = tree_util.map(
            lambda g, cur_e_g, prev_e_x: (fnp.sqrt(prev_e_x + eps) / fnp.sqrt(cur_e_g + eps)) * g,
            updates,
            e_g,
            state.e_x,
        )
        e_x = _update_moment(updates, state.e_x, rho, 2)
        return updates, ScaleByAdaDeltaState(e_g=e_g, e_x=e_x)

    return GradientTransformation(init_fn, update_fn)


@_checked
def scale_by_lion(
    b1: float = 0.9,
    b2: float = 0.99,
    mu_dtype: Any = None,
    *,
    mode: Literal["hard", "smooth", "refined"] = "hard",
    smooth_beta: float = 1.0,
) -> GradientTransformation:
    """Lion's update direction: ``sign((1-b1) g + b1 m)`` (Chen et al., 2023).

    Args:
        b1: interpolation rate for the update direction.
        b2: decay rate of the momentum ``m``.
        mu_dtype: optional dtype of the momentum.
        mode: ``"hard"`` (sign), ``"smooth"`` (``tanh(smooth_beta * x)``) or ``"refined"``
            (linear below 1 in magnitude, sign above).
        smooth_beta: the slope used by ``mode="smooth"``.

    Returns:
        A :class:`GradientTransformation` with state :class:`ScaleByLionState`.

    Raises:
        ValueError: for an unknown ``mode``.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet import optim
        >>> tx = optim.scale_by_lion()
        >>> tx.update(fnp.array([0.3, -2.0]), tx.init(fnp.zeros(2)))[0].tolist()
        [1.0, -1.0]
    """
    if mode not in ("hard", "smooth", "refined"):
        raise ValueError(
            f"optim.scale_by_lion: unknown mode {mode!r}; use 'hard', 'smooth' or 'refined'."
        )
    mu_dtype = _canonicalize_dtype(mu_dtype)

    def init_fn(params):
        return ScaleByLionState(count=_zero_count(), mu=_tree_zeros_like(params, dtype=mu_dtype))

    def update_fn(updates, state, params=None):
        del params

        def comb(g, m):
            x = (1.0 - b1) * g + b1 * m
            if mode == "hard":
                return fnp.sign(x)
            if mode == "smooth":
                return fnp.tanh(smooth_beta * x)
            return fnp.where(fnp.abs(x) < 1.0, x, fnp.sign(x))

        updates_new = tree_util.map(comb, updates, state.mu)
        mu = _tree_cast(_update_moment(updates, state.mu, b2, 1), mu_dtype)
        return updates_new, ScaleByLionState(count=_safe_increment(state.count), mu=mu)

    return GradientTransformation(init_fn, update_fn)


@_checked
def scale_by_belief(
    b1: float = 0.9,
    b2: float = 0.999,
    eps: float = 1e-16,
    eps_root: float = 1e-16,
    *,
    nesterov: bool = False,
) -> GradientTransformation:
    """Rescales updates by AdaBelief's "belief" in the gradient (Zhuang et al., 2020).

    Args:
        b1: decay rate of the first moment.
        b2: decay rate of the second central moment of the prediction error.
        eps: added to the denominator.
        eps_root: added to the second moment before the bias correction.
        nesterov: use Nesterov momentum.

    Returns:
        A :class:`GradientTransformation` with state :class:`ScaleByBeliefState`.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet import optim
        >>> tx = optim.scale_by_belief()
        >>> u, s = tx.update(fnp.array([1.0]), tx.init(fnp.zeros(1)))
        >>> int(s.count), u.shape
        (1, (1,))
    """

    def init_fn(params):
        return ScaleByBeliefState(
            count=_zero_count(), mu=_tree_zeros_like(params), nu=_tree_zeros_like(params)
        )

    def update_fn(updates, state, params=None):
        del params
        mu = _update_moment(updates, state.mu, b1, 1)
        prediction_error = tree_util.map(lambda g, m: g - m, updates, mu)
        nu = _update_moment(prediction_error, state.nu, b2, 2)
        nu = tree_util.map(lambda v: v + eps_root, nu)
        count_inc = _safe_increment(state.count)
        if nesterov:
            mu_hat = tree_util.map(
                lambda m, g: b1 * m + (1 - b1) * g,
                _bias_correction(mu, b1, _safe_increment(count_inc)),
                _bias_correction(updates, b1, count_inc),
            )
        else:
            mu_hat = _bias_correction(mu, b1, count_inc)
        nu_hat = _bias_correction(nu, b2, count_inc)
        updates = tree_util.map(lambda m, v: m / (fnp.sqrt(v) + eps), mu_hat, nu_hat)
        return updates, ScaleByBeliefState(count=count_inc, mu=mu, nu=nu)

    return GradientTransformation(init_fn, update_fn)


def _safe_norm(x, min_norm):
    # max(||x||_2, min_norm) (Frobenius norm over all elements, as optax.safe_norm with axis=None)
    norm = fnp.sqrt(fnp.sum(fnp.square(x)))
    return fnp.where(norm <= min_norm, min_norm, norm)


@_checked
def scale_by_trust_ratio(
    min_norm: float = 0.0, trust_coefficient: float = 1.0, eps: float = 0.0
) -> GradientTransformation:
    """Scales each update leaf by the trust ratio ``||param|| / ||update||`` (LARS / LAMB).

    Args:
        min_norm: lower bound of both norms.
        trust_coefficient: multiplies the trust ratio.
        eps: added to the update norm in the denominator.

    Returns:
        A stateless :class:`GradientTransformation`; ``update`` needs ``params``.

    Raises:
        ValueError: from ``update`` when ``params`` is not given.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet import optim
        >>> tx = optim.scale_by_trust_ratio()
        >>> p = fnp.array([3.0, 4.0])
        >>> tx.update(fnp.array([0.0, 1.0]), tx.init(p), p)[0].tolist()
        [0.0, 5.0]
    """

    def update_fn(updates, state, params=None):
        if params is None:
            raise ValueError("optim.scale_by_trust_ratio: " + NO_PARAMS_MSG)

        def scale_update(update, param):
            param_norm = _safe_norm(param, min_norm)
            update_norm = _safe_norm(update, min_norm)
            zero_norm = fnp.logical_or(param_norm == 0.0, update_norm == 0.0)
            # guard the dead branch of the where so 0/0 is never evaluated
            denom = fnp.where(zero_norm, 1.0, update_norm + eps)
            trust_ratio = trust_coefficient * param_norm / denom
            safe_trust_ratio = fnp.where(
                zero_norm, fnp.asarray(1.0, dtype=param.dtype), trust_ratio
            )
            return update * safe_trust_ratio

        return tree_util.map(scale_update, updates, params), state

    return GradientTransformation(init_empty_state, update_fn)


@_checked
def add_decayed_weights(
    weight_decay: ScalarOrSchedule = 0.0, mask: Any = None
) -> GradientTransformation:
    """Adds ``weight_decay * params`` to the updates (L2 / decoupled weight decay).

    Args:
        weight_decay: a scalar or a schedule of the step count.
        mask: optional pytree of booleans (or a function of the params returning one) that
            selects the leaves to decay; see :func:`masked`.

    Returns:
        A :class:`GradientTransformation` (state ``EmptyState()``, or
        :class:`WeightDecaySchedule` for a schedule; wrapped in ``MaskedState`` with a mask).
        Its ``update`` needs ``params``.

    Raises:
        ValueError: from ``update`` when ``params`` is not given.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet import optim
        >>> tx = optim.add_decayed_weights(0.1)
        >>> p = fnp.array([10.0])
        >>> tx.update(fnp.array([1.0]), tx.init(p), p)[0].tolist()
        [2.0]
    """
    is_sched = callable(weight_decay)

    def init_fn(params):
        del params
        return WeightDecaySchedule(count=_zero_count()) if is_sched else EmptyState()

    def update_fn(updates, state, params=None):
        if params is None:
            raise ValueError("optim.add_decayed_weights: " + NO_PARAMS_MSG)
        new_state = WeightDecaySchedule(_safe_increment(state.count)) if is_sched else state
        if isinstance(weight_decay, (int, float)) and weight_decay == 0.0:
            return updates, new_state
        s = weight_decay(state.count) if is_sched else weight_decay
        return tree_util.map(lambda g, p: g + s * p, updates, params), new_state

    tx = GradientTransformation(init_fn, update_fn)
    if mask is not None:
        from ._combine import masked

        return masked(tx, mask)
    return tx
