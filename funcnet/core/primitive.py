# bind(): the one place where a transform intercepts an operation.
from __future__ import annotations

import numpy as np

from ..errors import DeviceMismatchError
from .array import Array, raw_from_python, wrap
from .backend import NUMPY, backend_of
from .registry import Primitive, impl_rules
from .trace import Tracer, leak_error

__all__ = ["Primitive", "bind", "eval_primitive", "debug_nans_flag"]

debug_nans_flag = [False]  # mirrors config.debug_nans (read on every eager primitive)

_ND = np.ndarray


def bind(prim: Primitive, *args, **params):
    top = None
    for a in args:
        if isinstance(a, Tracer):
            m = a._trace.main
            if not m.active:
                raise leak_error(a)
            if top is None or m.level > top.level:
                top = m
    if top is None:
        return eval_primitive(prim, args, params)
    trace = top.trace
    return trace.process_primitive(
        prim, [a if isinstance(a, Tracer) and a._trace is trace else trace.full_raise(a)
               for a in args], params)


def eval_primitive(prim, args, params):
    if len(args) == 1 and type(args[0]) is Array:  # the common case, kept short
        a = args[0]
        v = a._value
        try:
            out = impl_rules[prim](backend_of((v,)), v, **params)
        except Exception:
            _recheck(prim, (v,), params)
            raise
        weak = a._weak and prim.keeps_weak if prim.weak_param is None else \
            params[prim.weak_param]
        if debug_nans_flag[0]:
            _check_nans(prim, out)
        if prim.multiple_results:
            return tuple(wrap(o, weak) for o in out)
        return wrap(out, weak)
    vals = []
    weak = prim.keeps_weak
    plain = True  # every value a NumPy array / scalar: the backend is NumPy
    for a in args:
        if type(a) is Array:
            v = a._value
            weak = weak and a._weak
        elif isinstance(a, (np.ndarray, np.generic)):
            v = a
            weak = False
        else:
            v = raw_from_python(a)
            weak = weak and not isinstance(a, (bool, np.bool_))
        if plain and type(v) is not _ND and not isinstance(v, np.generic):
            plain = False
        vals.append(v)
    if not vals:
        weak = False
    if prim.weak_param is not None:
        weak = params[prim.weak_param]
    try:
        out = impl_rules[prim](NUMPY if plain else _backend_for(prim, vals), *vals, **params)
    except Exception:
        _recheck(prim, vals, params)
        raise
    if debug_nans_flag[0]:
        _check_nans(prim, out)
    if prim.multiple_results:
        return tuple(wrap(o, weak) for o in out)
    return wrap(out, weak)


def user_frame() -> str:
    """'file:line in function: source' of the innermost caller outside funcnet."""
    import os
    import traceback
    pkg = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for fr in reversed(traceback.extract_stack()):
        if not os.path.abspath(fr.filename).startswith(pkg):
            return f"{fr.filename}:{fr.lineno} in {fr.name}: {(fr.line or '').strip()}"
    return "<unknown>"


def _check_nans(prim, out):
    for o in (out if prim.multiple_results else (out,)):
        dt = getattr(o, "dtype", None)
        if dt is not None and dt.kind in "fc" and bool(np.isnan(o).any()):
            raise FloatingPointError(
                f"funcnet debug_nans: primitive '{prim.name}' produced NaN at {user_frame()}")


def _backend_for(prim, vals):
    try:
        return backend_of(vals)
    except DeviceMismatchError:
        from .backend import backend_of_value
        where = ", ".join(f"{tuple(np.shape(v))} on {backend_of_value(v).name}" for v in vals
                          if not isinstance(v, np.generic))
        raise DeviceMismatchError(
            f"funcnet {prim.name}: the operands are on different devices ({where}); arrays "
            "never move silently: move them first with funcnet.device_put(x, device)") from None


def _recheck(prim, vals, params):
    # a failing backend call: re-check the arguments abstractly, so that a user error gets
    # funcnet's message (function, argument, shapes) instead of a backend traceback
    import sys

    from .aval import ShapedArray
    from .registry import abstract_rules
    avals = [ShapedArray(np.shape(v), v.dtype) for v in vals]
    abstract_rules[prim](*avals, **params)
    err = sys.exc_info()[1]
    if isinstance(err, IndexError) and not str(err).startswith("funcnet"):
        raise IndexError(f"funcnet {prim.name}: {err} (operand shapes "
                         f"{[tuple(a.shape) for a in avals]})") from None
