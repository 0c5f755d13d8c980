"""Error classes raised by funcnet.

Each subclasses a builtin so that callers can still catch ``TypeError`` or
``ValueError``; each message names the function, the argument, the shapes or
dtypes involved, and the fix.
"""

from __future__ import annotations


class FuncnetError(Exception):
    """Base class of every error funcnet raises on purpose."""


class ShapeError(FuncnetError, ValueError):
    """Arguments whose shapes do not fit the operation (binary ops, matmul, vmap axes)."""


class AxisError(FuncnetError, ValueError, IndexError):
    """An ``axis`` argument outside ``[-ndim, ndim)``."""


class ConcretizationError(FuncnetError, TypeError):
    """A traced value was used where Python needs a concrete one (``if``, ``int()``...)."""


class TracerLeakError(FuncnetError, RuntimeError):
    """A tracer was used after the transform that created it had finished."""


class MutationError(FuncnetError, TypeError):
    """An attempt to mutate an immutable ``funcnet.Array`` in place."""


class DeviceMismatchError(FuncnetError, ValueError):
    """Arrays on different devices were mixed in one operation."""


class GradError(FuncnetError, TypeError):
    """A function or argument that ``grad`` cannot differentiate (integer input, non-scalar
    or complex output)."""


class StaticArgumentError(FuncnetError, ValueError):
    """A ``static_argnums`` / ``static_argnames`` argument that is not hashable."""


class MissingRuleError(FuncnetError, NotImplementedError):
    """A primitive lacks the rule a transform needs (a bug in funcnet, please report it)."""


__all__ = [
    "AxisError",
    "ConcretizationError",
    "DeviceMismatchError",
    "FuncnetError",
    "GradError",
    "MissingRuleError",
    "MutationError",
    "ShapeError",
    "StaticArgumentError",
    "TracerLeakError",
]
