# Graph optimisation before code generation: algebraic simplification, constant folding,
# common-subexpression elimination and dead-code elimination.
from __future__ import annotations

import numpy as np

from ..core.graph import Eqn, Graph, Literal, Var
from ..core.primitive import bind
from ..core.registry import effectful

_IDENTITY_SHAPE_PRIMS = ("reshape", "broadcast_to")


def _literal_value(v):
    return v.val if isinstance(v, Literal) else None


def _is_const(v, value):
    val = _literal_value(v)
    if val is None:
        return False
    try:
        return bool(np.all(np.asarray(val) == value))
    except Exception:  # pragma: no cover
        return False


def _same(a, b):
    return a.shape == b.shape and a.dtype == b.dtype


def _simplify(e: Eqn, subst):
    """An input to forward for this equation's output, or None."""
    name = e.prim.name
    out = e.outputs[0].aval if len(e.outputs) == 1 else None
    ins = e.inputs
    if out is None:
        return None
    if name in _IDENTITY_SHAPE_PRIMS and _same(ins[0].aval, out):
        return ins[0]
    if name == "stop_gradient":  # the identity once derivatives are taken
        return ins[0]
    if name == "transpose" and e.params["permutation"] == tuple(range(len(out.shape))):
        return ins[0]
    if name == "convert_element_type" and _same(ins[0].aval, out):
        return ins[0]
    if name == "multiply":
        for a, b in ((0, 1), (1, 0)):
            if _is_const(ins[b], 1) and _same(ins[a].aval, out):
                return ins[a]
    if name == "subtract" and _is_const(ins[1], 0) and _same(ins[0].aval, out):
        return ins[0]  # exact, also for -0.0 (x + 0.0 is not: it maps -0.0 to +0.0)
    if name == "add" and out.dtype.kind in "iub":
        for a, b in ((0, 1), (1, 0)):
            if _is_const(ins[b], 0) and _same(ins[a].aval, out):
                return ins[a]
    if name == "divide" and _is_const(ins[1], 1) and _same(ins[0].aval, out):
        return ins[0]
    return None


def optimize(g: Graph) -> Graph:
    subst: dict = {}
    const_val = {v: c for v, c in zip(g.const_vars, g.consts)}

    def read(v):
        while isinstance(v, Var) and v in subst:
            v = subst[v]
        return v

    eqns, seen = [], {}
    for e in g.eqns:
        e = Eqn(e.prim, [read(v) for v in e.inputs], e.outputs, e.params)
        if e.prim in effectful:
            eqns.append(e)
            continue
        fwd = _simplify(e, subst)
        if fwd is not None:
            subst[e.outputs[0]] = fwd
            continue
        # constant folding: every input a literal (small); large captured constants stay
        if e.inputs and all(isinstance(v, Literal) for v in e.inputs):
            try:
                out = bind(e.prim, *[v.val for v in e.inputs], **e.params)
                outs = out if e.prim.multiple_results else [out]
                if all(o.ndim == 0 for o in outs):
                    for ov, o in zip(e.outputs, outs):
                        raw = o._value
                        subst[ov] = Literal(raw[()] if isinstance(raw, np.ndarray) else raw,
                                            ov.aval)
                    continue
            except Exception:  # leave it to run time (it will raise there if it must)
                pass
        try:
            key = (e.prim, tuple(v if isinstance(v, Var) else ("lit", repr(v.val), v.aval)
                                 for v in e.inputs), tuple(sorted(e.params.items())))
            hash(key)
        except TypeError:
            key = None
        if key is not None:
            prev = seen.get(key)
            if prev is not None:
                for a, b in zip(e.outputs, prev.outputs):
                    subst[a] = b
                continue
            seen[key] = e
        eqns.append(e)
    outs = [read(v) for v in g.out_vars]
    # dead-code elimination
    live = {v for v in outs if isinstance(v, Var)}
    kept = []
    for e in reversed(eqns):
        if e.prim in effectful or any(o in live for o in e.outputs):
            kept.append(e)
            live.update(v for v in e.inputs if isinstance(v, Var))
    kept.reverse()
    cvars = [v for v in g.const_vars if v in live]
    return Graph(g.in_vars, cvars, [const_val[v] for v in cvars], kept, outs)
