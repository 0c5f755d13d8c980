"""funcnet.typing: shared type aliases for annotations (STYLE rule 9).

Example:
    >>> from funcnet.typing import ArrayLike, Params
    >>> def loss(params: Params, x: ArrayLike) -> float: ...
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .core.array import Array

#: Anything funcnet turns into an array: funcnet / NumPy arrays, Python numbers, nested lists.
ArrayLike = Array | np.ndarray | np.generic | bool | int | float | complex | list | tuple
#: A shape: a tuple of non-negative ints (``None`` for a batch dim in layer input shapes).
Shape = tuple
#: A dtype, a dtype name (``"float32"``) or a dtype object (``fnp.float32``).
DTypeLike = Any
#: A pytree: nested tuples / lists / dicts / None / registered nodes with array leaves.
PyTree = Any
#: Model parameters, optimizer updates and optimizer states are pytrees of arrays.
Params = Any
Updates = Any
OptState = Any

__all__ = ["ArrayLike", "DTypeLike", "OptState", "Params", "PyTree", "Shape", "Updates"]
