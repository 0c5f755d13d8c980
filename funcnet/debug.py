"""funcnet.debug: print and inspect concrete values inside transformed code.

``debug.print`` and ``debug.callback`` are primitives with a side effect: they run with the
concrete values at run time under jit (compiled code calls them), once per example under
vmap, inside scan / while bodies on every iteration, and are never removed by the optimiser.
"""

from __future__ import annotations

import numpy as np

from . import tree as tree_util
from .core.array import Array, wrap
from .core.primitive import bind
from .core.registry import Primitive, effectful, register

__all__ = ["print", "callback"]

debug_callback_p = Primitive("debug_callback", multiple_results=True, keeps_weak=False)
effectful.add(debug_callback_p)


def _impl(xp, *vals, callback, in_tree):
    args, kwargs = tree_util.unflatten(in_tree, [np.asarray(v) if not isinstance(v, np.ndarray)
                                                 else v for v in _to_numpy(vals)])
    callback.fn(*args, **kwargs)
    return ()


def _to_numpy(vals):
    from .core.backend import backend_of_value
    return [backend_of_value(v).to_numpy(v) if not isinstance(v, np.generic) else v
            for v in vals]


def _jvp(primals, tangents, **params):
    bind(debug_callback_p, *primals, **params)
    return [], []


def _vjp(needs, cts, outs, *primals, **params):
    return [None] * len(primals)


def _batch(vals, dims, *, callback, in_tree):
    # one call per example, in order (like jax.debug.callback under vmap)
    import funcnet.numpy as fnp

    from .core.prims._factories import batch_size
    size = batch_size(vals, dims)
    for i in range(size):
        bind(debug_callback_p, *[v if d is None else fnp.take(v, i, axis=d)
                                 for v, d in zip(vals, dims)], callback=callback,
             in_tree=in_tree)
    return [], []


register(debug_callback_p, impl=_impl, abstract_eval=lambda *a, **p: [], jvp=_jvp, vjp=_vjp,
         batch=_batch, lower=lambda xp, **p: (lambda *v: _impl(xp, *v, **p)))


class _Fn:
    __slots__ = ("fn",)

    def __init__(self, fn):
        self.fn = fn

    def __repr__(self):
        return getattr(self.fn, "__name__", "callback")


def callback(fn, *args, **kwargs):
    """Calls ``fn(*args, **kwargs)`` with concrete NumPy values at run time, under any
    transform. Returns None.

    Example:
        >>> import funcnet, funcnet.numpy as fnp
        >>> seen = []
        >>> f = funcnet.jit(lambda x: (funcnet.debug.callback(seen.append, x), x * 2)[1])
        >>> _ = f(fnp.asarray(3.0)); _ = f(fnp.asarray(4.0))
        >>> [float(v) for v in seen]
        [3.0, 4.0]
    """
    leaves, in_tree = tree_util.flatten((args, kwargs))
    from .transforms._util import as_array
    leaves = [as_array(x) if _arraylike(x) else wrap(np.asarray(x)) for x in leaves]
    bind(debug_callback_p, *leaves, callback=_Fn(fn), in_tree=in_tree)


def _arraylike(x):
    return isinstance(x, (Array, np.ndarray, np.generic, int, float, complex, bool))


def print(fmt: str, *args, **kwargs):  # noqa: A001
    """Prints ``fmt.format(*args, **kwargs)`` with concrete values at run time (also under
    jit, vmap, grad and inside scan / while bodies).

    Example:
        >>> import funcnet, funcnet.numpy as fnp
        >>> f = funcnet.jit(lambda x: (funcnet.debug.print("x is {}", x), x + 1)[1])
        >>> _ = f(fnp.asarray(2.0))
        x is 2.0
    """
    import builtins

    def show(*a, **k):
        builtins.print(fmt.format(*a, **k))
    callback(show, *args, **kwargs)
