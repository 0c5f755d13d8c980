"""funcnet.optim: optax-style optimizers as pure ``(init, update)`` pairs.

Names, signatures, defaults and state trees follow optax 0.2.x, so code moves between the
two by changing the import. The loop::

    opt = optim.adam(learning_rate=1e-3)
    state = opt.init(params)
    updates, state = opt.update(grads, state, params)
    params = optim.apply_updates(params, updates)

Example:
    >>> import funcnet, funcnet.numpy as fnp
    >>> from funcnet import optim
    >>> loss = lambda p: fnp.sum((p["w"] - 3.0) ** 2)
    >>> params = {"w": fnp.zeros(2)}
    >>> opt = optim.sgd(learning_rate=0.1, momentum=0.9)
    >>> state = opt.init(params)
    >>> for _ in range(100):
    ...     updates, state = opt.update(funcnet.grad(loss)(params), state, params)
    ...     params = optim.apply_updates(params, updates)
    >>> fnp.round(params["w"], 3).tolist()
    [3.0, 3.0]
"""

from ._aliases import adadelta as adadelta
from ._aliases import adagrad as adagrad
from ._aliases import adam as adam
from ._aliases import adamax as adamax
from ._aliases import adamw as adamw
from ._aliases import lamb as lamb
from ._aliases import lion as lion
from ._aliases import nadam as nadam
from ._aliases import rmsprop as rmsprop
from ._aliases import sgd as sgd
from ._base import EmptyState as EmptyState
from ._base import GradientTransformation as GradientTransformation
from ._base import GradientTransformationExtraArgs as GradientTransformationExtraArgs
from ._base import OptState as OptState
from ._base import Params as Params
from ._base import PyTree as PyTree
from ._base import ScalarOrSchedule as ScalarOrSchedule
from ._base import Schedule as Schedule
from ._base import Updates as Updates
from ._base import apply_updates as apply_updates
from ._base import identity as identity
from ._base import init_empty_state as init_empty_state
from ._base import set_to_zero as set_to_zero
from ._base import with_extra_args_support as with_extra_args_support
from ._clipping import ClipByGlobalNormState as ClipByGlobalNormState
from ._clipping import ClipState as ClipState
from ._clipping import clip as clip
from ._clipping import clip_by_block_rms as clip_by_block_rms
from ._clipping import clip_by_global_norm as clip_by_global_norm
from ._clipping import global_norm as global_norm
from ._combine import ApplyIfFiniteState as ApplyIfFiniteState
from ._combine import MaskedNode as MaskedNode
from ._combine import MaskedState as MaskedState
from ._combine import MultiSteps as MultiSteps
from ._combine import MultiStepsState as MultiStepsState
from ._combine import MultiTransformState as MultiTransformState
from ._combine import PartitionState as PartitionState
from ._combine import apply_if_finite as apply_if_finite
from ._combine import chain as chain
from ._combine import masked as masked
from ._combine import multi_transform as multi_transform
from ._combine import named_chain as named_chain
from ._combine import partition as partition
from ._combine import skip_large_updates as skip_large_updates
from ._combine import skip_not_finite as skip_not_finite
from ._schedules import InjectHyperparamsState as InjectHyperparamsState
from ._schedules import InjectStatefulHyperparamsState as InjectStatefulHyperparamsState
from ._schedules import WrappedSchedule as WrappedSchedule
from ._schedules import WrappedScheduleState as WrappedScheduleState
from ._schedules import constant_schedule as constant_schedule
from ._schedules import cosine_decay_schedule as cosine_decay_schedule
from ._schedules import exponential_decay as exponential_decay
from ._schedules import inject_hyperparams as inject_hyperparams
from ._schedules import join_schedules as join_schedules
from ._schedules import linear_schedule as linear_schedule
from ._schedules import piecewise_constant_schedule as piecewise_constant_schedule
from ._schedules import polynomial_schedule as polynomial_schedule
from ._schedules import warmup_constant_schedule as warmup_constant_schedule
from ._schedules import warmup_cosine_decay_schedule as warmup_cosine_decay_schedule
from ._schedules import warmup_exponential_decay_schedule as warmup_exponential_decay_schedule
from ._states import AddDecayedWeightsState as AddDecayedWeightsState
from ._states import ScaleByAdaDeltaState as ScaleByAdaDeltaState
from ._states import ScaleByAdamState as ScaleByAdamState
from ._states import ScaleByBeliefState as ScaleByBeliefState
from ._states import ScaleByLionState as ScaleByLionState
from ._states import ScaleByRmsState as ScaleByRmsState
from ._states import ScaleByRmsWithCountState as ScaleByRmsWithCountState
from ._states import ScaleByRssState as ScaleByRssState
from ._states import ScaleByRStdDevState as ScaleByRStdDevState
from ._states import ScaleByRStdDevWithCountState as ScaleByRStdDevWithCountState
from ._states import ScaleByScheduleState as ScaleByScheduleState
from ._states import ScaleByTrustRatioState as ScaleByTrustRatioState
from ._states import ScaleState as ScaleState
from ._states import TraceState as TraceState
from ._states import WeightDecaySchedule as WeightDecaySchedule
from ._transforms import add_decayed_weights as add_decayed_weights
from ._transforms import scale as scale
from ._transforms import scale_by_adadelta as scale_by_adadelta
from ._transforms import scale_by_adam as scale_by_adam
from ._transforms import scale_by_adamax as scale_by_adamax
from ._transforms import scale_by_belief as scale_by_belief
from ._transforms import scale_by_learning_rate as scale_by_learning_rate
from ._transforms import scale_by_lion as scale_by_lion
from ._transforms import scale_by_rms as scale_by_rms
from ._transforms import scale_by_rss as scale_by_rss
from ._transforms import scale_by_schedule as scale_by_schedule
from ._transforms import scale_by_stddev as scale_by_stddev
from ._transforms import scale_by_trust_ratio as scale_by_trust_ratio
from ._transforms import trace as trace

__all__ = [
    "adadelta",
    "adagrad",
    "adam",
    "adamax",
    "adamw",
    "add_decayed_weights",
    "AddDecayedWeightsState",
    "apply_if_finite",
    "apply_updates",
    "ApplyIfFiniteState",
    "chain",
    "clip",
    "clip_by_block_rms",
    "clip_by_global_norm",
    "ClipByGlobalNormState",
    "ClipState",
    "constant_schedule",
    "cosine_decay_schedule",
    "EmptyState",
    "exponential_decay",
    "global_norm",
    "GradientTransformation",
    "GradientTransformationExtraArgs",
    "identity",
    "init_empty_state",
    "inject_hyperparams",
    "InjectHyperparamsState",
    "InjectStatefulHyperparamsState",
    "join_schedules",
    "lamb",
    "linear_schedule",
    "lion",
    "masked",
    "MaskedNode",
    "MaskedState",
    "multi_transform",
    "MultiSteps",
    "MultiStepsState",
    "MultiTransformState",
    "nadam",
    "named_chain",
    "OptState",
    "Params",
    "partition",
    "PartitionState",
    "piecewise_constant_schedule",
    "polynomial_schedule",
    "PyTree",
    "rmsprop",
    "ScalarOrSchedule",
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
    "ScaleByAdaDeltaState",
    "ScaleByAdamState",
    "ScaleByBeliefState",
    "ScaleByLionState",
    "ScaleByRmsState",
    "ScaleByRmsWithCountState",
    "ScaleByRssState",
    "ScaleByRStdDevState",
    "ScaleByRStdDevWithCountState",
    "ScaleByScheduleState",
    "ScaleByTrustRatioState",
    "ScaleState",
    "Schedule",
    "set_to_zero",
    "sgd",
    "skip_large_updates",
    "skip_not_finite",
    "trace",
    "TraceState",
    "Updates",
    "warmup_constant_schedule",
    "warmup_cosine_decay_schedule",
    "warmup_exponential_decay_schedule",
    "WeightDecaySchedule",
    "with_extra_args_support",
    "WrappedSchedule",
    "WrappedScheduleState",
]
