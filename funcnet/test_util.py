"""funcnet.test_util: numerical checks of derivatives (JAX's ``check_grads``)."""

from __future__ import annotations

import numpy as np

from . import tree as tree_util
from .core.array import wrap
from .transforms._util import as_array
from .transforms.grad import jvp, vjp

__all__ = ["check_grads"]


def _flat(tree):
    return [np.asarray(x, dtype=np.float64) for x in tree_util.leaves(tree)]


def _inner(a, b):
    return float(sum(np.vdot(x, y).real for x, y in zip(_flat(a), _flat(b))))


def _rand_like(rng, tree):
    return tree_util.map(lambda x: wrap(rng.standard_normal(np.shape(x)).astype(
        np.asarray(x).dtype)), tree)


def _axpy(a, x, y):
    return tree_util.map(lambda u, v: wrap((a * np.asarray(u, np.float64) + np.asarray(
        v, np.float64)).astype(np.asarray(v).dtype)), x, y)


def _default_tols(args):
    leaves = _flat(args)
    dts = [np.asarray(x).dtype for x in tree_util.leaves(args)]
    if any(d == np.float16 for d in dts):
        return 1e-1, 1e-1
    if any(d == np.float32 for d in dts) or not leaves:
        return 2e-2, 2e-2
    return 1e-5, 1e-5


def check_grads(f, args, order=2, modes=("fwd", "rev"), atol=None, rtol=None, eps=None):
    """Checks forward- and reverse-mode derivatives of ``f`` against finite differences.

    Forward mode: ``jvp(f, args, v)`` against a central difference along a random direction
    ``v``. Reverse mode: ``<vjp(f)(u), v> == <u, jvp(f)(v)>`` for random ``u``, ``v``. With
    ``order=2`` the same checks run on the derivative functions themselves. Use float64
    inputs (``config.update("enable_x64", True)``) for tight tolerances.

    Args:
        f: function of the positional ``args`` (arrays or pytrees of float arrays).
        args: tuple of arguments.
        order: derivative order to check (1 or 2).
        modes: any of ``"fwd"`` and ``"rev"``.
        atol, rtol: tolerances (default by dtype: 1e-5 for float64, 2e-2 for float32).
        eps: finite-difference step (default 1e-4 in float64, 1e-2 below).

    Raises:
        AssertionError: naming the mode, order and the two mismatching values.

    Example:
        >>> import funcnet, funcnet.numpy as fnp
        >>> from funcnet.test_util import check_grads
        >>> check_grads(fnp.sin, (fnp.asarray([0.5, 1.0]),), order=2)
    """
    args = tuple(tree_util.map(as_array, a) for a in args)
    d_atol, d_rtol = _default_tols(args)
    atol = d_atol if atol is None else atol
    rtol = d_rtol if rtol is None else rtol
    if eps is None:
        eps = 1e-4 if all(np.asarray(x).dtype == np.float64 for x in tree_util.leaves(args)) \
            else 1e-2
    rng = np.random.default_rng(0)
    _check(f, args, order, tuple(modes), atol, rtol, eps, rng)


def _close(name, a, b, atol, rtol):
    fa, fb = _flat(a), _flat(b)
    for x, y in zip(fa, fb):
        if x.shape != y.shape or not np.allclose(x, y, atol=atol, rtol=rtol, equal_nan=True):
            raise AssertionError(f"check_grads: {name} mismatch\n  got      {x}\n  expected "
                                 f"{y}\n  (atol={atol}, rtol={rtol})")


def _check(f, args, order, modes, atol, rtol, eps, rng):
    v = _rand_like(rng, args)
    if "fwd" in modes:
        _, t = jvp(f, args, v)
        fp = f(*_axpy(eps, v, args))
        fm = f(*_axpy(-eps, v, args))
        fd = tree_util.map(lambda a, b: (np.asarray(a, np.float64) - np.asarray(b, np.float64))
                           / (2 * eps), fp, fm)
        _close(f"forward mode (order {order})", t, fd, atol, rtol)
    if "rev" in modes:
        out, pull = vjp(f, *args)
        u = _rand_like(rng, out)
        lhs = _inner(pull(u), v)
        # <u, J v> by central differences (independent of forward mode)
        fp = f(*_axpy(eps, v, args))
        fm = f(*_axpy(-eps, v, args))
        rhs = _inner(u, tree_util.map(
            lambda a, b: (np.asarray(a, np.float64) - np.asarray(b, np.float64)) / (2 * eps),
            fp, fm))
        scale = max(1.0, abs(rhs))
        if not abs(lhs - rhs) <= atol * 10 + rtol * scale:
            raise AssertionError(f"check_grads: reverse mode (order {order}) mismatch: "
                                 f"<vjp(u), v> = {lhs}, finite differences <u, J v> = {rhs}")
    if order > 1:
        if "fwd" in modes:
            def f_jvp(*a):
                return jvp(f, a, v)[1]
            _check(f_jvp, args, order - 1, ("fwd",), atol, rtol, eps, rng)
        if "rev" in modes:
            out = f(*args)
            u = _rand_like(rng, out)

            def f_vjp(*a):
                return vjp(f, *a)[1](u)
            _check(f_vjp, args, order - 1, ("rev",), atol, rtol, eps, rng)



