# Argument handling shared by the public transforms.
from __future__ import annotations

import builtins

import numpy as np

from ..core.array import Array, raw_from_python, wrap
from ..core.trace import Tracer


def as_array(x):
    """An Array (or tracer) for any array-like leaf; Python scalars become weak arrays."""
    if isinstance(x, Array):
        return x
    weak = isinstance(x, (builtins.int, builtins.float, builtins.complex)) and not isinstance(
        x, (builtins.bool, np.generic))
    return wrap(raw_from_python(x), weak)


def is_array_leaf(x) -> bool:
    return isinstance(x, (Array, np.ndarray, np.generic, builtins.int, builtins.float,
                          builtins.complex, builtins.bool))


def fun_name(fun) -> str:
    return getattr(fun, "__name__", None) or type(fun).__name__


def normalize_argnums(fname, argnums, nargs):
    single = isinstance(argnums, int)
    nums = (argnums,) if single else tuple(argnums)
    for a in nums:
        if not isinstance(a, int) or not -nargs <= a < nargs:
            raise ValueError(f"{fname}: argnums={argnums!r} is out of range for a call with "
                             f"{nargs} positional argument(s)")
    return single, tuple(a % nargs for a in nums)


def is_tracer(x) -> bool:
    return isinstance(x, Tracer)
