# stop_gradient for pytrees.
from __future__ import annotations

from .. import tree as tree_util
from ..core.primitive import bind
from ..core.prims.elementwise import stop_gradient_p


def stop_gradient(x):
    """The identity in the forward pass; blocks derivatives (grad, jvp) through ``x``.

    Args:
        x: an array or pytree of arrays.

    Returns:
        ``x`` unchanged, treated as a constant by every differentiation transform.

    Example:
        >>> import funcnet, funcnet.numpy as fnp
        >>> funcnet.grad(lambda x: x * funcnet.stop_gradient(x))(fnp.asarray(3.0)).item()
        3.0
    """
    from ..numpy._base import asarray_any
    return tree_util.map(lambda a: bind(stop_gradient_p, asarray_any(a)), x)
