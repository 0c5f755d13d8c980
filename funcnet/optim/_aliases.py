"""Optimizer aliases (optax 0.2.x ``optax._src.alias``): each is a ``chain`` of building blocks.

Names, signatures, defaults and state trees are optax's. One funcnet extension: ``sgd`` also
takes ``weight_decay`` (decoupled, as in Keras 3); at its default 0 nothing changes.
"""

from __future__ import annotations

import functools
import inspect
from typing import Any

from ._base import GradientTransformationExtraArgs, ScalarOrSchedule, _checked, identity
from ._combine import chain
from ._transforms import (
    add_decayed_weights,
    scale_by_adadelta,
    scale_by_adam,
    scale_by_adamax,
    scale_by_learning_rate,
    scale_by_lion,
    scale_by_rms,
    scale_by_rss,
    scale_by_stddev,
    scale_by_trust_ratio,
    trace,
)


class AliasTransformation(GradientTransformationExtraArgs):
    """An alias's ``(init, update)`` pair that also remembers its ``learning_rate`` (read by
    ``nn.Trainer``'s learning-rate callbacks); otherwise exactly a GradientTransformation."""


def _alias(fn):
    checked = _checked(fn)
    sig = inspect.signature(fn)

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        tx = AliasTransformation(*checked(*args, **kwargs))
        tx.learning_rate = sig.bind(*args, **kwargs).arguments.get("learning_rate")
        return tx

    return wrapper


__all__ = [
    "adadelta",
    "adagrad",
    "adam",
    "adamax",
    "adamw",
    "lamb",
    "lion",
    "nadam",
    "rmsprop",
    "sgd",
]


@_alias
def sgd(
    learning_rate: ScalarOrSchedule,
    momentum: float | None = None,
    nesterov: bool = False,
    accumulator_dtype: Any = None,
    weight_decay: ScalarOrSchedule = 0.0,
) -> GradientTransformationExtraArgs:
    """Stochastic gradient descent, optionally with (Nesterov) momentum.

    ``chain(trace(momentum, nesterov), scale_by_learning_rate(learning_rate))``, as optax.
    funcnet extension: ``weight_decay`` applies decoupled decay ``p -= learning_rate *
    weight_decay * p`` each step (Keras 3's ``SGD(weight_decay=)``); at 0 the optimizer and
    its state are exactly optax's.

    Args:
        learning_rate: a scalar or a schedule.
        momentum: momentum coefficient, or ``None`` for plain SGD.
        nesterov: use Nesterov momentum.
        accumulator_dtype: optional dtype of the momentum accumulator.
        weight_decay: decoupled weight decay rate (funcnet extension).

    Returns:
        A :class:`GradientTransformationExtraArgs`.

    Raises:
        TypeError: for Keras-era ``lr=`` (use ``learning_rate=``) or unknown options.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet import optim
        >>> opt = optim.sgd(learning_rate=0.1, momentum=0.9)
        >>> params = {"w": fnp.array([1.0, 2.0])}
        >>> state = opt.init(params)
        >>> updates, state = opt.update({"w": fnp.array([1.0, -1.0])}, state, params)
        >>> fnp.round(optim.apply_updates(params, updates)["w"], 4).tolist()
        [0.9, 2.1]
    """
    parts = [
        trace(decay=momentum, nesterov=nesterov, accumulator_dtype=accumulator_dtype)
        if momentum is not None
        else identity(),
        scale_by_learning_rate(learning_rate),
    ]
    lr: Any = learning_rate
    wd: Any = weight_decay
    if not (isinstance(wd, (int, float)) and wd == 0.0):
        # decoupled decay after the learning-rate step: u - lr * wd * p
        if callable(lr) or callable(wd):
            lr_f = lr if callable(lr) else (lambda c: lr)
            wd_f = wd if callable(wd) else (lambda c: wd)
            parts.append(add_decayed_weights(lambda count: -(lr_f(count) * wd_f(count))))
        else:
            parts.append(add_decayed_weights(-(lr * wd)))
    return chain(*parts)


sgd._optim_extension_defaults = {"weight_decay": 0.0}  # type: ignore[attr-defined]


@_alias
def adam(
    learning_rate: ScalarOrSchedule,
    b1: float = 0.9,
    b2: float = 0.999,
    eps: float = 1e-8,
    eps_root: float = 0.0,
    mu_dtype: Any = None,
    *,
    nesterov: bool = False,
) -> GradientTransformationExtraArgs:
    """Adam (Kingma & Ba, 2014): ``chain(scale_by_adam(...), scale_by_learning_rate(lr))``.

    Note: optax's (and so funcnet's) ``eps`` default is 1e-8; Keras' Adam uses 1e-7.

    Args:
        learning_rate: a scalar or a schedule.
        b1: decay rate of the first moment.
        b2: decay rate of the second moment.
        eps: added to the denominator outside the square root.
        eps_root: added inside the square root.
        mu_dtype: optional dtype of the first moment.
        nesterov: use Nesterov momentum (NAdam).

    Returns:
        A :class:`GradientTransformationExtraArgs` with state
        ``(ScaleByAdamState, EmptyState)`` (``ScaleByScheduleState`` for a schedule).

    Raises:
        TypeError: for Keras-era ``lr=`` (use ``learning_rate=``) or unknown options.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet import optim
        >>> opt = optim.adam(learning_rate=0.1)
        >>> params = fnp.array([1.0, 2.0])
        >>> updates, state = opt.update(fnp.array([3.0, -1.0]), opt.init(params))
        >>> fnp.round(optim.apply_updates(params, updates), 4).tolist()
        [0.9, 2.1]
    """
    return chain(
        scale_by_adam(
            b1=b1, b2=b2, eps=eps, eps_root=eps_root, mu_dtype=mu_dtype, nesterov=nesterov
        ),
        scale_by_learning_rate(learning_rate),
    )


@_alias
def nadam(
    learning_rate: ScalarOrSchedule,
    b1: float = 0.9,
    b2: float = 0.999,
    eps: float = 1e-8,
    eps_root: float = 0.0,
    mu_dtype: Any = None,
    *,
    nesterov: bool = True,
) -> GradientTransformationExtraArgs:
    """NAdam (Dozat, 2016): :func:`adam` with Nesterov momentum (optax's partial of adam).

    Args:
        learning_rate: a scalar or a schedule.
        b1: decay rate of the first moment.
        b2: decay rate of the second moment.
        eps: added to the denominator outside the square root.
        eps_root: added inside the square root.
        mu_dtype: optional dtype of the first moment.
        nesterov: kept for signature parity with optax (``True``).

    Returns:
        A :class:`GradientTransformationExtraArgs`.

    Raises:
        TypeError: for Keras-era ``lr=`` (use ``learning_rate=``) or unknown options.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet import optim
        >>> opt = optim.nadam(1e-3)
        >>> type(opt.init(fnp.zeros(2))[0]).__name__
        'ScaleByAdamState'
    """
    return adam(
        learning_rate,
        b1=b1,
        b2=b2,
        eps=eps,
        eps_root=eps_root,
        mu_dtype=mu_dtype,
        nesterov=nesterov,
    )


@_alias
def adamw(
    learning_rate: ScalarOrSchedule,
    b1: float = 0.9,
    b2: float = 0.999,
    eps: float = 1e-8,
    eps_root: float = 0.0,
    mu_dtype: Any = None,
    weight_decay: ScalarOrSchedule = 1e-4,
    mask: Any = None,
    *,
    nesterov: bool = False,
) -> GradientTransformationExtraArgs:
    """AdamW (Loshchilov & Hutter, 2019): Adam with decoupled weight decay.

    ``chain(scale_by_adam, add_decayed_weights(weight_decay, mask), scale_by_learning_rate)``.

    Args:
        learning_rate: a scalar or a schedule.
        b1: decay rate of the first moment.
        b2: decay rate of the second moment.
        eps: added to the denominator outside the square root.
        eps_root: added inside the square root.
        mu_dtype: optional dtype of the first moment.
        weight_decay: decay rate (multiplied by the learning rate), scalar or schedule.
        mask: optional pytree (or function) selecting the leaves to decay.
        nesterov: use Nesterov momentum.

    Returns:
        A :class:`GradientTransformationExtraArgs`; ``update`` needs ``params``.

    Raises:
        TypeError: for Keras-era ``lr=`` (use ``learning_rate=``) or unknown options.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet import optim
        >>> opt = optim.adamw(0.1, weight_decay=0.5)
        >>> p = fnp.array([2.0])
        >>> u, _ = opt.update(fnp.array([1.0]), opt.init(p), p)
        >>> fnp.round(u, 4).tolist()
        [-0.2]
    """
    return chain(
        scale_by_adam(
            b1=b1, b2=b2, eps=eps, eps_root=eps_root, mu_dtype=mu_dtype, nesterov=nesterov
        ),
        add_decayed_weights(weight_decay, mask),
        scale_by_learning_rate(learning_rate),
    )


@_alias
def rmsprop(
    learning_rate: ScalarOrSchedule,
    decay: float = 0.9,
    eps: float = 1e-8,
    initial_scale: float = 0.0,
    eps_in_sqrt: bool = True,
    centered: bool = False,
    momentum: float | None = None,
    nesterov: bool = False,
    bias_correction: bool = False,
) -> GradientTransformationExtraArgs:
    """RMSProp (Hinton, 2012), optionally centered and with momentum.

    Note: Keras calls ``decay`` ``rho`` (default 0.9) and uses ``epsilon=1e-7``.

    Args:
        learning_rate: a scalar or a schedule.
        decay: EMA decay rate of the squared gradients.
        eps: added to the denominator.
        initial_scale: initial value of the accumulators.
        eps_in_sqrt: whether ``eps`` goes inside the square root.
        centered: divide by the estimated standard deviation instead of the RMS.
        momentum: momentum coefficient applied after the learning rate, or ``None``.
        nesterov: use Nesterov momentum.
        bias_correction: apply Adam-style bias correction.

    Returns:
        A :class:`GradientTransformationExtraArgs`.

    Raises:
        TypeError: for Keras-era ``lr=`` (use ``learning_rate=``) or unknown options.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet import optim
        >>> opt = optim.rmsprop(0.01)
        >>> [type(s).__name__ for s in opt.init(fnp.zeros(1))]
        ['ScaleByRmsState', 'EmptyState', 'EmptyState']
    """
    momentum_tx = trace(decay=momentum, nesterov=nesterov) if momentum is not None else identity()
    if centered:
        return chain(
            scale_by_stddev(
                decay=decay,
                eps=eps,
                initial_scale=initial_scale,
                eps_in_sqrt=eps_in_sqrt,
                bias_correction=bias_correction,
            ),
            scale_by_learning_rate(learning_rate),
            momentum_tx,
        )
    return chain(
        scale_by_rms(
            decay=decay,
            eps=eps,
            initial_scale=initial_scale,
            eps_in_sqrt=eps_in_sqrt,
            bias_correction=bias_correction,
        ),
        scale_by_learning_rate(learning_rate),
        momentum_tx,
    )


@_alias
def adagrad(
    learning_rate: ScalarOrSchedule,
    initial_accumulator_value: float = 0.1,
    eps: float = 1e-7,
) -> GradientTransformationExtraArgs:
    """Adagrad (Duchi et al., 2011): ``chain(scale_by_rss, scale_by_learning_rate)``.

    Args:
        learning_rate: a scalar or a schedule.
        initial_accumulator_value: starting value of the sum of squared gradients.
        eps: added inside the square root.

    Returns:
        A :class:`GradientTransformationExtraArgs`.

    Raises:
        TypeError: for Keras-era ``lr=`` (use ``learning_rate=``) or unknown options.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet import optim
        >>> opt = optim.adagrad(1.0, initial_accumulator_value=0.0, eps=0.0)
        >>> opt.update(fnp.array([2.0]), opt.init(fnp.zeros(1)))[0].tolist()
        [-1.0]
    """
    return chain(
        scale_by_rss(initial_accumulator_value=initial_accumulator_value, eps=eps),
        scale_by_learning_rate(learning_rate),
    )


@_alias
def adadelta(
    learning_rate: ScalarOrSchedule | None = None,
    rho: float = 0.9,
    eps: float = 1e-6,
    weight_decay: ScalarOrSchedule = 0.0,
    weight_decay_mask: Any = None,
) -> GradientTransformationExtraArgs:
    """Adadelta (Zeiler, 2012), with optional (coupled) weight decay as in optax.

    ``chain(add_decayed_weights(weight_decay, weight_decay_mask), scale_by_adadelta(rho, eps),
    scale_by_learning_rate(learning_rate))``. Like optax's, its ``update`` needs ``params``
    (for the weight-decay step, even at 0).

    Args:
        learning_rate: a scalar, a schedule, or ``None`` (no scaling, sign not flipped).
        rho: EMA decay rate.
        eps: added inside the square roots.
        weight_decay: L2 weight decay added to the gradient.
        weight_decay_mask: optional mask for the weight decay.

    Returns:
        A :class:`GradientTransformationExtraArgs`.

    Raises:
        TypeError: for Keras-era ``lr=`` (use ``learning_rate=``) or unknown options.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet import optim
        >>> opt = optim.adadelta(learning_rate=1.0)
        >>> [type(s).__name__ for s in opt.init(fnp.zeros(1))]
        ['EmptyState', 'ScaleByAdaDeltaState', 'EmptyState']
    """
    return chain(
        add_decayed_weights(weight_decay, mask=weight_decay_mask),
        scale_by_adadelta(rho=rho, eps=eps),
        scale_by_learning_rate(learning_rate),
    )


@_alias
def adamax(
    learning_rate: ScalarOrSchedule,
    b1: float = 0.9,
    b2: float = 0.999,
    eps: float = 1e-8,
) -> GradientTransformationExtraArgs:
    """AdaMax (Kingma & Ba, 2014): Adam with the infinity norm.

    Args:
        learning_rate: a scalar or a schedule.
        b1: decay rate of the first moment.
        b2: decay rate of the infinity norm.
        eps: added to ``|g|``.

    Returns:
        A :class:`GradientTransformationExtraArgs`.

    Raises:
        TypeError: for Keras-era ``lr=`` (use ``learning_rate=``) or unknown options.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet import optim
        >>> opt = optim.adamax(0.1)
        >>> fnp.round(opt.update(fnp.array([5.0]), opt.init(fnp.zeros(1)))[0], 4).tolist()
        [-0.1]
    """
    return chain(scale_by_adamax(b1=b1, b2=b2, eps=eps), scale_by_learning_rate(learning_rate))


@_alias
def lamb(
    learning_rate: ScalarOrSchedule,
    b1: float = 0.9,
    b2: float = 0.999,
    eps: float = 1e-6,
    eps_root: float = 0.0,
    weight_decay: ScalarOrSchedule = 0.0,
    mask: Any = None,
) -> GradientTransformationExtraArgs:
    """LAMB (You et al., 2019): Adam with weight decay and a per-leaf trust ratio.

    Args:
        learning_rate: a scalar or a schedule.
        b1: decay rate of the first moment.
        b2: decay rate of the second moment.
        eps: added to the denominator.
        eps_root: added inside the square root.
        weight_decay: decay rate added before the trust ratio.
        mask: optional mask for the weight decay.

    Returns:
        A :class:`GradientTransformationExtraArgs`; ``update`` needs ``params``.

    Raises:
        TypeError: for Keras-era ``lr=`` (use ``learning_rate=``) or unknown options.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet import optim
        >>> opt = optim.lamb(0.1)
        >>> p = fnp.array([3.0, 4.0])
        >>> u, _ = opt.update(fnp.array([1.0, 1.0]), opt.init(p), p)
        >>> fnp.round(fnp.sqrt(fnp.sum(u ** 2)), 4).tolist()
        0.5
    """
    return chain(
        scale_by_adam(b1=b1, b2=b2, eps=eps, eps_root=eps_root),
        add_decayed_weights(weight_decay=weight_decay, mask=mask),
        scale_by_trust_ratio(),
        scale_by_learning_rate(learning_rate),
    )


@_alias
def lion(
    learning_rate: ScalarOrSchedule,
    b1: float = 0.9,
    b2: float = 0.99,
    mu_dtype: Any = None,
    weight_decay: ScalarOrSchedule = 1e-3,
    mask: Any = None,
) -> GradientTransformationExtraArgs:
    """Lion (Chen et al., 2023): sign updates with decoupled weight decay.

    Args:
        learning_rate: a scalar or a schedule (typically 3-10x smaller than Adam's).
        b1: interpolation rate for the update direction.
        b2: decay rate of the momentum.
        mu_dtype: optional dtype of the momentum.
        weight_decay: decoupled weight decay rate.
        mask: optional mask for the weight decay.

    Returns:
        A :class:`GradientTransformationExtraArgs`; ``update`` needs ``params``.

    Raises:
        TypeError: for Keras-era ``lr=`` (use ``learning_rate=``) or unknown options.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet import optim
        >>> opt = optim.lion(0.1, weight_decay=0.0)
        >>> p = fnp.zeros(2)
        >>> opt.update(fnp.array([3.0, -0.1]), opt.init(p), p)[0].tolist()
        [-0.1, 0.1]
    """
    return chain(
        scale_by_lion(b1=b1, b2=b2, mu_dtype=mu_dtype),
        add_decayed_weights(weight_decay, mask),
        scale_by_learning_rate(learning_rate),
    )
