"""Gradient clipping: clip, clip_by_global_norm, clip_by_block_rms, global_norm (optax 0.2.x)."""

from __future__ import annotations

from typing import Any

from .. import numpy as fnp
from .. import tree as tree_util
from ._base import EmptyState, GradientTransformation, _checked, _tree_sq_norm, init_empty_state

__all__ = [
    "ClipByGlobalNormState",
    "ClipState",
    "clip",
    "clip_by_block_rms",
    "clip_by_global_norm",
    "global_norm",
]

ClipState = EmptyState
ClipByGlobalNormState = EmptyState


def global_norm(updates: Any) -> Any:
    """The L2 norm of all leaves of a pytree taken together, ``sqrt(sum_i sum(x_i**2))``.

    (optax 0.2.x deprecates ``optax.global_norm`` in favour of ``optax.tree.norm``; funcnet
    keeps the name without a warning.)

    Args:
        updates: a pytree of arrays.

    Returns:
        A float scalar array.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet import optim
        >>> float(optim.global_norm({"a": fnp.array([3.0]), "b": fnp.array([4.0])}))
        5.0
    """
    return fnp.sqrt(fnp.asarray(_tree_sq_norm(updates)))


@_checked
def clip(max_delta: float) -> GradientTransformation:
    """Clips every update element to ``[-max_delta, max_delta]``.

    Args:
        max_delta: the largest magnitude allowed.

    Returns:
        A stateless :class:`GradientTransformation`.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet import optim
        >>> tx = optim.clip(1.0)
        >>> tx.update(fnp.array([-3.0, 0.5, 2.0]), tx.init(None))[0].tolist()
        [-1.0, 0.5, 1.0]
    """

    def update_fn(updates, state, params=None):
        del params
        return tree_util.map(lambda g: fnp.clip(g, -max_delta, max_delta), updates), state

    return GradientTransformation(init_empty_state, update_fn)


@_checked
def clip_by_global_norm(max_norm: float) -> GradientTransformation:
    """Rescales all updates together so that their global norm is at most ``max_norm``.

    Updates are left unchanged when ``global_norm(updates) < max_norm``; otherwise each leaf
    becomes ``(u / global_norm) * max_norm``.

    Args:
        max_norm: the largest global norm allowed.

    Returns:
        A stateless :class:`GradientTransformation`.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet import optim
        >>> tx = optim.clip_by_global_norm(1.0)
        >>> fnp.round(tx.update(fnp.array([3.0, 4.0]), tx.init(None))[0], 4).tolist()
        [0.6, 0.8]
    """

    def update_fn(updates, state, params=None):
        del params
        g_norm = global_norm(updates)
        trigger = g_norm < max_norm
        # dividing by 1 where the clip is not taken keeps 0/0 out of the dead branch
        denom = fnp.where(trigger, fnp.ones_like(g_norm), g_norm)

        def clip_fn(t):
            return fnp.where(trigger, t, (t / denom.astype(t.dtype)) * max_norm)

        return tree_util.map(clip_fn, updates), state

    return GradientTransformation(init_empty_state, update_fn)


@_checked
def clip_by_block_rms(threshold: float) -> GradientTransformation:
    """Clips each leaf so that its root-mean-square is at most ``threshold``.

    Args:
        threshold: the largest RMS allowed per leaf.

    Returns:
        A stateless :class:`GradientTransformation`.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet import optim
        >>> tx = optim.clip_by_block_rms(1.0)
        >>> tx.update(fnp.array([2.0, -2.0]), tx.init(None))[0].tolist()
        [1.0, -1.0]
    """

    def update_fn(updates, state, params=None):
        del params

        def clip_fn(u):
            denom = fnp.maximum(1.0, fnp.sqrt(fnp.mean(fnp.square(u))) / threshold)
            return u / denom

        return tree_util.map(clip_fn, updates), state

    return GradientTransformation(init_empty_state, update_fn)
