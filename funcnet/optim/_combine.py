"""Combinators and wrappers: chain, masked, multi_transform, apply_if_finite, MultiSteps.

Follows optax 0.2.x (``optax.transforms._combining``, ``_masking``, ``_conditionality`` and
``_accumulation``). Where optax branches with ``lax.cond``, funcnet computes both sides and
selects with ``fnp.where``, which gives the same values and works eagerly and under jit.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from typing import Any, NamedTuple

import numpy as np

from .. import numpy as fnp
from .. import tree as tree_util
from ._base import (
    GradientTransformation,
    GradientTransformationExtraArgs,
    OptState,
    Params,
    Updates,
    _canonicalize_dtype,
    _checked,
    _safe_increment,
    _tree_cast_like,
    _tree_where,
    _tree_zeros_like,
    _zero_count,
    with_extra_args_support,
)

__all__ = [
    "ApplyIfFiniteState",
    "MaskedNode",
    "MaskedState",
    "MultiSteps",
    "MultiStepsState",
    "MultiTransformState",
    "PartitionState",
    "apply_if_finite",
    "chain",
    "masked",
    "multi_transform",
    "named_chain",
    "partition",
    "skip_large_updates",
    "skip_not_finite",
]


def chain(*args: GradientTransformation) -> GradientTransformationExtraArgs:
    """Applies transformations in sequence; the state is the tuple of their states.

    Args:
        *args: gradient transformations, applied left to right.

    Returns:
        A :class:`GradientTransformationExtraArgs` whose state is a tuple with one entry per
        transformation.

    Raises:
        ValueError: from ``update`` when the state does not have one entry per transformation.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet import optim
        >>> tx = optim.chain(optim.clip(1.0), optim.scale(-0.1))
        >>> s = tx.init(fnp.zeros(2))
        >>> s
        (EmptyState(), EmptyState())
        >>> fnp.round(tx.update(fnp.array([5.0, 0.5]), s)[0], 4).tolist()
        [-0.1, -0.05]
    """
    for i, t in enumerate(args):
        if not (hasattr(t, "init") and hasattr(t, "update")):
            raise TypeError(
                f"optim.chain: argument {i} is a {type(t).__name__}, not a gradient "
                "transformation (an object with init and update, e.g. optim.adam(1e-3))."
            )
    transforms = [with_extra_args_support(t) for t in args]

    def init_fn(params):
        return tuple(t.init(params) for t in transforms)

    def update_fn(updates, state, params=None, **extra_args):
        if len(transforms) != len(state):
            raise ValueError(
                f"optim.chain: the state has {len(state)} entries but the chain has "
                f"{len(transforms)} transformations. Make sure you called init first, on the "
                "same optimizer."
            )
        new_state = []
        for s, t in zip(state, transforms, strict=True):
            updates, new_s = t.update(updates, s, params, **extra_args)
            new_state.append(new_s)
        return updates, tuple(new_state)

    return GradientTransformationExtraArgs(init_fn, update_fn)


def named_chain(*args: tuple[str, GradientTransformation]) -> GradientTransformationExtraArgs:
    """Like :func:`chain`, but the state is a dict keyed by the given names.

    Args:
        *args: ``(name, transformation)`` pairs with unique names.

    Returns:
        A :class:`GradientTransformationExtraArgs` whose state maps each name to its state.

    Raises:
        ValueError: if two names are equal.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet import optim
        >>> tx = optim.named_chain(("clip", optim.clip(1.0)), ("sgd", optim.sgd(0.1)))
        >>> sorted(tx.init(fnp.zeros(1)))
        ['clip', 'sgd']
    """
    names = [n for n, _ in args]
    if len(names) != len(set(names)):
        raise ValueError(f"optim.named_chain: names must be unique, got {names}.")
    transforms = [(n, with_extra_args_support(t)) for n, t in args]

    def init_fn(params):
        return {n: t.init(params) for n, t in transforms}

    def update_fn(updates, state, params=None, **extra_args):
        new_state = {}
        for n, t in transforms:
            updates, new_state[n] = t.update(updates, state[n], params, **extra_args)
        return updates, new_state

    return GradientTransformationExtraArgs(init_fn, update_fn)


# --------------------------------------------------------------------------------------------
# masked / multi_transform
# --------------------------------------------------------------------------------------------


class MaskedState(NamedTuple):
    """State of :func:`masked`: the inner state, built on the masked params.

    Attributes:
        inner_state: the wrapped transformation's state (masked-out leaves are
            :class:`MaskedNode`).

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet import optim
        >>> tx = optim.masked(optim.trace(0.9), {"a": True, "b": False})
        >>> tx.init({"a": fnp.zeros(1), "b": fnp.zeros(1)}).inner_state.trace["b"]
        MaskedNode()
    """

    inner_state: Any


class MaskedNode(NamedTuple):
    """Placeholder (a pytree node with no leaves) for leaves a mask leaves out.

    Example:
        >>> from funcnet import optim, tree
        >>> tree.leaves({"a": 1.0, "b": optim.MaskedNode()})
        [1.0]
    """


def _mask_callable(mask) -> bool:
    flags = tree_util.leaves(tree_util.map(callable, mask))
    return len(flags) > 0 and all(flags)


@_checked
def masked(
    inner: GradientTransformation,
    mask: Any,
    *,
    mask_compatible_extra_args: bool = False,
) -> GradientTransformationExtraArgs:
    """Applies ``inner`` only to the leaves where ``mask`` is True; others pass through.

    Args:
        inner: the transformation to apply to the selected leaves.
        mask: a pytree of booleans with the params' structure (or a prefix of it), or a
            function of the params/updates returning one.
        mask_compatible_extra_args: also mask extra keyword arguments whose tree structure
            matches the updates.

    Returns:
        A :class:`GradientTransformationExtraArgs` with state :class:`MaskedState`.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet import optim
        >>> tx = optim.masked(optim.scale(0.0), {"w": True, "b": False})
        >>> g = {"w": fnp.ones(2), "b": fnp.ones(2)}
        >>> u, _ = tx.update(g, tx.init(g))
        >>> u["w"].tolist(), u["b"].tolist()
        ([0.0, 0.0], [1.0, 1.0])
    """
    inner = with_extra_args_support(inner)

    def mask_pytree(pytree, mask_tree):
        return tree_util.map(lambda m, p: p if m else MaskedNode(), mask_tree, pytree)

    def maybe_mask_values(extra, base_pytree, mask_tree):
        base_structure = tree_util.structure(base_pytree)

        def maybe(v):
            if mask_compatible_extra_args and tree_util.structure(v) == base_structure:
                return mask_pytree(v, mask_tree)
            return v

        return {k: maybe(v) for k, v in extra.items()}

    def init_fn(params):
        mask_tree = mask(params) if _mask_callable(mask) else mask
        return MaskedState(inner_state=inner.init(mask_pytree(params, mask_tree)))

    def update_fn(updates, state, params=None, **extra_args):
        mask_tree = mask(updates) if _mask_callable(mask) else mask
        masked_extra = maybe_mask_values(extra_args, updates, mask_tree)
        masked_updates = mask_pytree(updates, mask_tree)
        masked_params = None if params is None else mask_pytree(params, mask_tree)
        new_masked, new_inner = inner.update(
            masked_updates, state.inner_state, masked_params, **masked_extra
        )
        new_updates = tree_util.map(
            lambda m, new_u, old_u: new_u if m else old_u, mask_tree, new_masked, updates
        )
        return new_updates, MaskedState(inner_state=new_inner)

    return GradientTransformationExtraArgs(init_fn, update_fn)


class PartitionState(NamedTuple):
    """State of :func:`multi_transform` (optax 0.2.x's ``PartitionState``).

    Attributes:
        inner_states: dict from label to that group's :class:`MaskedState`.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet import optim
        >>> tx = optim.multi_transform({"a": optim.sgd(0.1), "b": optim.set_to_zero()},
        ...                            {"w": "a", "b": "b"})
        >>> sorted(tx.init({"w": fnp.zeros(1), "b": fnp.zeros(1)}).inner_states)
        ['a', 'b']
    """

    inner_states: Mapping[Hashable, OptState]


MultiTransformState = PartitionState


@_checked
def multi_transform(
    transforms: Mapping[Hashable, GradientTransformation],
    param_labels: Any,
    *,
    mask_compatible_extra_args: bool = False,
) -> GradientTransformationExtraArgs:
    """Applies a different transformation to each labelled group of parameters.

    Args:
        transforms: dict from label to transformation.
        param_labels: a pytree of labels with the params' structure (or a prefix), or a
            function of the params returning one.
        mask_compatible_extra_args: forwarded to :func:`masked`.

    Returns:
        A :class:`GradientTransformationExtraArgs` with state :class:`PartitionState`
        (alias ``MultiTransformState``).

    Raises:
        ValueError: from ``init`` when some label has no transformation.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet import optim
        >>> tx = optim.multi_transform({"train": optim.sgd(1.0), "freeze": optim.set_to_zero()},
        ...                            {"w": "train", "b": "freeze"})
        >>> g = {"w": fnp.ones(1), "b": fnp.ones(1)}
        >>> u, _ = tx.update(g, tx.init(g))
        >>> u["w"].tolist(), u["b"].tolist()
        ([-1.0], [0.0])
    """
    transforms = {k: with_extra_args_support(v) for k, v in transforms.items()}

    def make_mask(labels, group):
        return tree_util.map(lambda label: label == group, labels)

    def init_fn(params):
        labels = param_labels(params) if callable(param_labels) else param_labels
        label_set = set(tree_util.leaves(labels))
        if not label_set.issubset(transforms.keys()):
            raise ValueError(
                "optim.multi_transform: some parameters have no corresponding transformation. "
                f"Parameter labels: {sorted(map(str, label_set))}; transforms keys: "
                f"{sorted(map(str, transforms))}. Add a transformation for each label."
            )
        inner_states = {
            group: masked(
                tx, make_mask(labels, group), mask_compatible_extra_args=mask_compatible_extra_args
            ).init(params)
            for group, tx in transforms.items()
        }
        return PartitionState(inner_states)

    def update_fn(updates, state, params=None, **extra_args):
        labels = param_labels(updates) if callable(param_labels) else param_labels
        new_inner = {}
        for group, tx in transforms.items():
            mtx = masked(
                tx, make_mask(labels, group), mask_compatible_extra_args=mask_compatible_extra_args
            )
            updates, new_inner[group] = mtx.update(
                updates, state.inner_states[group], params, **extra_args
            )
        return updates, PartitionState(new_inner)

    return GradientTransformationExtraArgs(init_fn, update_fn)


partition = multi_transform


# --------------------------------------------------------------------------------------------
# apply_if_finite
# --------------------------------------------------------------------------------------------


class ApplyIfFiniteState(NamedTuple):
    """State of :func:`apply_if_finite`.

    Attributes:
        notfinite_count: int32, consecutive steps with a non-finite update.
        last_finite: bool, whether the last update was finite.
        total_notfinite: int32, total non-finite steps seen.
        inner_state: the wrapped transformation's state.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet import optim
        >>> optim.apply_if_finite(optim.sgd(0.1), 3).init(fnp.zeros(1))._fields
        ('notfinite_count', 'last_finite', 'total_notfinite', 'inner_state')
    """

    notfinite_count: Any
    last_finite: Any
    total_notfinite: Any
    inner_state: Any


def _all_finite(tree):
    ok = fnp.asarray(True)
    for leaf in tree_util.leaves(tree):
        ok = fnp.logical_and(ok, fnp.all(fnp.isfinite(leaf)))
    return ok


@_checked
def apply_if_finite(
    inner: GradientTransformation, max_consecutive_errors: int
) -> GradientTransformationExtraArgs:
    """Skips updates (returns zeros, keeps the inner state) that contain NaN or Inf.

    After more than ``max_consecutive_errors`` non-finite steps in a row the update is applied
    anyway, so a run that is truly diverging does not stall silently.

    Args:
        inner: the transformation to protect.
        max_consecutive_errors: how many non-finite steps in a row to skip.

    Returns:
        A :class:`GradientTransformationExtraArgs` with state :class:`ApplyIfFiniteState`.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet import optim
        >>> tx = optim.apply_if_finite(optim.sgd(0.1), max_consecutive_errors=2)
        >>> u, s = tx.update(fnp.array([fnp.nan]), tx.init(fnp.zeros(1)))
        >>> u.tolist(), bool(s.last_finite), int(s.total_notfinite)
        ([0.0], False, 1)
    """
    inner = with_extra_args_support(inner)

    def init_fn(params):
        return ApplyIfFiniteState(
            notfinite_count=_zero_count(),
            last_finite=fnp.asarray(True, dtype=fnp.bool_),
            total_notfinite=_zero_count(),
            inner_state=inner.init(params),
        )

    def update_fn(updates, state, params=None, **extra_args):
        isfinite = _all_finite(updates)
        zero = _zero_count()
        notfinite_count = fnp.where(isfinite, zero, _safe_increment(state.notfinite_count))
        apply = fnp.logical_or(isfinite, notfinite_count > max_consecutive_errors)
        new_updates, new_inner = inner.update(updates, state.inner_state, params, **extra_args)
        new_updates = tree_util.map(lambda u: fnp.where(apply, u, fnp.zeros_like(u)), new_updates)
        new_inner = _tree_where(apply, new_inner, state.inner_state)
        return new_updates, ApplyIfFiniteState(
            notfinite_count=notfinite_count,
            last_finite=isfinite,
            total_notfinite=fnp.where(
                isfinite, state.total_notfinite, _safe_increment(state.total_notfinite)
            ),
            inner_state=new_inner,
        )

    return GradientTransformationExtraArgs(init_fn, update_fn)


# --------------------------------------------------------------------------------------------
# MultiSteps (gradient accumulation)
# --------------------------------------------------------------------------------------------


class MultiStepsState(NamedTuple):
    """State of :class:`MultiSteps`.

    Attributes:
        mini_step: int32, mini-steps accumulated since the last real update.
        gradient_step: int32, real updates so far.
        inner_opt_state: the wrapped optimizer's state.
        acc_grads: the accumulated gradients.
        skip_state: whatever ``should_skip_update_fn`` returns as its second output.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet import optim
        >>> optim.MultiSteps(optim.sgd(0.1), 2).init(fnp.zeros(1))._fields
        ('mini_step', 'gradient_step', 'inner_opt_state', 'acc_grads', 'skip_state')
    """

    mini_step: Any
    gradient_step: Any
    inner_opt_state: Any
    acc_grads: Any
    skip_state: Any = ()


def skip_not_finite(updates: Updates, gradient_step: Any, params: Params | None) -> tuple[Any, Any]:
    """A ``should_skip_update_fn`` for :class:`MultiSteps`: skip updates with NaN or Inf.

    Args:
        updates: the proposed updates.
        gradient_step: the current gradient step (unused).
        params: the params (unused).

    Returns:
        ``(should_skip, {"should_skip": ..., "num_not_finite": ...})``.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet import optim
        >>> skip, info = optim.skip_not_finite(fnp.array([1.0, fnp.inf]), 0, None)
        >>> bool(skip), int(info["num_not_finite"])
        (True, 1)
    """
    del gradient_step, params
    num = fnp.asarray(0, dtype=fnp.int32)
    for p in tree_util.leaves(updates):
        num = num + fnp.sum(fnp.logical_not(fnp.isfinite(p))).astype(fnp.int32)
    should_skip = num > 0
    return should_skip, {"should_skip": should_skip, "num_not_finite": num}


def skip_large_updates(
    updates: Updates, gradient_step: Any, params: Params | None, max_squared_norm: float
) -> tuple[Any, Any]:
    """A ``should_skip_update_fn`` for :class:`MultiSteps`: skip updates with a large norm.

    Bind ``max_squared_norm`` with ``functools.partial``.

    Args:
        updates: the proposed updates.
        gradient_step: the current gradient step (unused).
        params: the params (unused).
        max_squared_norm: the largest squared global norm accepted.

    Returns:
        ``(should_skip, {"should_skip": ..., "norm_squared": ...})``.

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet import optim
        >>> skip, info = optim.skip_large_updates(fnp.array([3.0, 4.0]), 0, None, 10.0)
        >>> bool(skip), float(info["norm_squared"])
        (True, 25.0)
    """
    del gradient_step, params
    norm_sq = fnp.asarray(0.0, dtype=fnp.float32)
    for p in tree_util.leaves(updates):
        norm_sq = norm_sq + fnp.sum(p**2)
    should_skip = fnp.logical_not(norm_sq < max_squared_norm)
    return should_skip, {"should_skip": should_skip, "norm_squared": norm_sq}


class MultiSteps:
    """Accumulates gradients over ``every_k_schedule`` mini-steps, then applies ``opt``.

    Between real updates it returns zeros; on every k-th call it passes the mean (or sum)
    of the accumulated gradients to the wrapped optimizer. ``init`` / ``update`` follow the
    :class:`GradientTransformation` protocol; :meth:`gradient_transformation` returns one.

    Args:
        opt: the wrapped optimizer.
        every_k_schedule: an int, or a function of the gradient step returning one.
        use_grad_mean: average the accumulated gradients (else sum them).
        should_skip_update_fn: optional ``f(updates, gradient_step, params) ->
            (should_skip, skip_state)``, e.g. :func:`skip_not_finite`.
        accumulator_dtype: dtype of the accumulated gradients (float32).

    Example:
        >>> import funcnet.numpy as fnp
        >>> from funcnet import optim
        >>> ms = optim.MultiSteps(optim.sgd(1.0), every_k_schedule=2)
        >>> s = ms.init(fnp.zeros(1))
        >>> u1, s = ms.update(fnp.array([1.0]), s)
        >>> u2, s = ms.update(fnp.array([3.0]), s)
        >>> u1.tolist(), u2.tolist(), int(s.gradient_step)
        ([0.0], [-2.0], 1)
    """

    def __init__(
        self,
        opt: GradientTransformation,
        every_k_schedule: int | Callable[[Any], Any],
        use_grad_mean: bool = True,
        should_skip_update_fn: Callable[..., tuple[Any, Any]] | None = None,
        accumulator_dtype: Any = np.float32,
    ):
        self._opt = with_extra_args_support(opt)
        if isinstance(every_k_schedule, int):
            k = every_k_schedule
            self._every_k_schedule = lambda step: k
        else:
            self._every_k_schedule = every_k_schedule
        self._use_grad_mean = use_grad_mean
        self._accumulator_dtype = _canonicalize_dtype(accumulator_dtype)
        self._should_skip_update_fn = should_skip_update_fn

    @property
    def inner_opt(self) -> GradientTransformationExtraArgs:
        """The wrapped optimizer."""
        return self._opt

    def _acc_update(self, grad, acc, n_acc):
        if self._use_grad_mean:
            return acc + (grad - acc) / (n_acc + 1)
        return grad + acc

    def init(self, params: Params) -> MultiStepsState:
        """Builds the initial :class:`MultiStepsState` (zero accumulators, counters at 0).

        Args:
            params: the initial parameters.

        Returns:
            The initial state.

        Example:
            >>> import funcnet.numpy as fnp
            >>> from funcnet import optim
            >>> int(optim.MultiSteps(optim.sgd(0.1), 4).init(fnp.zeros(2)).mini_step)
            0
        """
        gradient_step = _zero_count()
        skip_state = ()
        if self._should_skip_update_fn is not None:
            _, skip_state = self._should_skip_update_fn(
                _tree_zeros_like(params), gradient_step, params
            )
        return MultiStepsState(
            mini_step=_zero_count(),
            gradient_step=gradient_step,
            inner_opt_state=self._opt.init(params),
            acc_grads=_tree_zeros_like(params, dtype=self._accumulator_dtype),
            skip_state=skip_state,
        )

    def update(
        self,
        updates: Updates,
        state: MultiStepsState,
        params: Params | None = None,
        **extra_args: Any,
    ) -> tuple[Updates, MultiStepsState]:
        """Accumulates ``updates``; every k-th call returns the wrapped optimizer's update.

        Args:
            updates: the gradients of this mini-step.
            state: the current :class:`MultiStepsState`.
            params: the current params (forwarded to the wrapped optimizer).
            **extra_args: forwarded to the wrapped optimizer.

        Returns:
            ``(updates, new_state)``; the updates are zeros except on emitting steps.

        Raises:
            ValueError: if ``should_skip_update_fn`` does not return a boolean scalar.

        Example:
            >>> import funcnet.numpy as fnp
            >>> from funcnet import optim
            >>> ms = optim.MultiSteps(optim.sgd(1.0), 3, use_grad_mean=False)
            >>> s = ms.init(fnp.zeros(1))
            >>> for g in (1.0, 2.0, 3.0):
            ...     u, s = ms.update(fnp.array([g]), s)
            >>> u.tolist()
            [-6.0]
        """
        k_steps = self._every_k_schedule(state.gradient_step)
        if self._should_skip_update_fn is None:
            should_skip, skip_state = None, ()
        else:
            should_skip, skip_state = self._should_skip_update_fn(
                updates, state.gradient_step, params
            )
            arr = fnp.asarray(should_skip)
            if (arr.dtype, arr.shape) != (np.dtype(bool), ()):
                raise ValueError(
                    "optim.MultiSteps: should_skip_update_fn must return a boolean scalar "
                    f"array, but it returned dtype {arr.dtype} and shape {arr.shape}."
                )

        # the accumulate-and-maybe-emit step (optax's _do_update)
        acc_grads = tree_util.map(
            lambda u, a: self._acc_update(u, a, state.mini_step), updates, state.acc_grads
        )
        final_updates, new_inner = self._opt.update(
            _tree_cast_like(acc_grads, updates), state.inner_opt_state, params, **extra_args
        )
        emit = state.mini_step == (k_steps - 1)
        emit_i = emit.astype(fnp.int32)
        acc_dt = self._accumulator_dtype
        new_state = MultiStepsState(
            mini_step=_safe_increment(state.mini_step) % k_steps,
            gradient_step=emit_i * _safe_increment(state.gradient_step)
            + (1 - emit_i) * state.gradient_step,
            inner_opt_state=_tree_where(emit, new_inner, state.inner_opt_state),
            acc_grads=tree_util.map(
                lambda ga: ((1 - emit.astype(ga.dtype)) * ga).astype(acc_dt), acc_grads
            ),
            skip_state=skip_state,
        )
        final_updates = tree_util.map(lambda ga: emit.astype(ga.dtype) * ga, final_updates)
        if should_skip is None:
            return final_updates, new_state

        # the skip branch (optax's _skip_update), selected with where
        zero_updates = tree_util.map(fnp.zeros_like, final_updates)
        skip_state_tree = MultiStepsState(
            mini_step=state.mini_step,
            gradient_step=state.gradient_step,
            inner_opt_state=state.inner_opt_state,
            acc_grads=state.acc_grads,
            skip_state=skip_state,
        )
        out_updates = _tree_where(should_skip, zero_updates, final_updates)
        out_state = _tree_where(should_skip, skip_state_tree, new_state)
        return out_updates, out_state

    def has_updated(self, state: MultiStepsState) -> Any:
        """Whether the last :meth:`update` call applied a real (non-zero) update.

        Args:
            state: the state returned by that call.

        Returns:
            A boolean scalar array.

        Example:
            >>> import funcnet.numpy as fnp
            >>> from funcnet import optim
            >>> ms = optim.MultiSteps(optim.sgd(1.0), 1)
            >>> _, s = ms.update(fnp.ones(1), ms.init(fnp.zeros(1)))
            >>> bool(ms.has_updated(s))
            True
        """
        return fnp.logical_and(state.mini_step == 0, state.gradient_step > 0)

    def gradient_transformation(self) -> GradientTransformation:
        """This wrapper as a plain :class:`GradientTransformation` ``(init, update)``.

        Returns:
            ``GradientTransformation(self.init, self.update)``.

        Example:
            >>> from funcnet import optim
            >>> type(optim.MultiSteps(optim.sgd(0.1), 2).gradient_transformation()).__name__
            'GradientTransformation'
        """
        return GradientTransformation(init=self.init, update=self.update)
