# Code generation: an optimised Graph becomes straight-line Python that calls backend
# functions bound as globals (constants bound once), so a jit cache hit runs no tracer.
from __future__ import annotations

import functools

import numpy as np

from ..core.graph import Graph, Literal, Var
from ..core.registry import impl_rules, lowering_rules

# primitives whose output is a view of (or the same buffer as) their first input
_VIEW_PRIMS = frozenset({"reshape", "transpose", "broadcast_to", "getitem", "stop_gradient",
                         "patches"})
# primitives known to return a freshly allocated array (the only buffers codegen may reuse);
# anything else (control flow, custom rules, ...) may hand back one of its inputs
_FRESH_PRIMS = frozenset({"matmul", "einsum", "reduce_sum", "reduce_max", "reduce_min",
                          "reduce_prod", "select", "convert_element_type", "tie_select",
                          "integer_pow", "scatter", "concatenate", "pad", "cumsum", "cumprod",
                          "col2im"})


def _ufunc_prims():
    # the elementwise primitives whose NumPy lowering is a ufunc (always a new array)
    from ..core.backend import NUMPY
    out = set()
    for prim, lower in lowering_rules.items():
        try:
            if isinstance(lower(NUMPY), np.ufunc):
                out.add(prim)
        except TypeError:  # lowerings that need params
            pass
    return frozenset(out)


class _LazyUfuncPrims:
    _set = None

    def __contains__(self, prim):
        if self._set is None:
            self._set = _ufunc_prims()
        return prim in self._set


_UFUNC_PRIMS = _LazyUfuncPrims()


def _reusable(g: Graph):
    """For each equation index, the Var whose buffer the output may overwrite.

    A buffer can be reused when it was freshly allocated by an earlier equation (not an
    argument, a constant or a view), is not a graph output, its shape and dtype match the
    output, and no later equation reads it or a view of it: either this equation is its last
    use (an input dying here), or, for a ufunc, its last use came earlier (a free pool). A
    buffer that any other primitive reads (control flow, callbacks, custom rules) is never
    reused: that primitive may return it as its own output or hand it to user code.
    """
    root: dict = {}
    owned: set = set()
    last: dict = {}
    escaped: set = set()  # read by a primitive that may keep it or hand it back as an output
    for j, e in enumerate(g.eqns):
        fresh = e.prim.name in _FRESH_PRIMS or e.prim in _UFUNC_PRIMS
        view = e.prim.name in _VIEW_PRIMS
        for v in e.inputs:
            if isinstance(v, Var):
                r = root.get(v, v)
                last[r] = j
                if not (fresh or view):
                    escaped.add(r)
        for o in e.outputs:
            if view and isinstance(e.inputs[0], Var):
                root[o] = root.get(e.inputs[0], e.inputs[0])
            else:
                root[o] = o
                if fresh:
                    owned.add(o)
    owned -= escaped
    outs = {root.get(v, v) for v in g.out_vars if isinstance(v, Var)}
    dies_at: dict = {}
    for v in owned:
        if root.get(v) is v and v not in outs and v in last and v.aval.shape:
            dies_at.setdefault(last[v], []).append(v)
    pool: dict = {}  # (shape, dtype) -> dead buffers, free for any later ufunc of that type
    reuse = {}
    for j, e in enumerate(g.eqns):
        # only a ufunc takes out= (compile_graph); any other equation leaves its dying
        # inputs to the pool
        if len(e.outputs) == 1 and e.prim in _UFUNC_PRIMS and e.outputs[0].aval.shape:
            out = e.outputs[0].aval
            for v in e.inputs:
                if (isinstance(v, Var) and v in owned and root.get(v) is v and last.get(v) == j
                        and v not in outs and v.aval.shape == out.shape
                        and v.aval.dtype == out.dtype):
                    reuse[j] = v
                    break
            else:
                free = pool.get((out.shape, out.dtype))
                if free:
                    reuse[j] = free.pop()
        for v in dies_at.get(j, ()):
            if reuse.get(j) is not v:
                pool.setdefault((v.aval.shape, v.aval.dtype), []).append(v)
    return reuse

_counter = [0]


def compile_graph(g: Graph, xp, name="jitted"):
    """Returns ``fn(*raw_inputs) -> list of raw outputs`` for the graph on backend ``xp``."""
    glob: dict = {}
    names: dict = {}
    for i, v in enumerate(g.in_vars):
        names[v] = f"a{i}"
    for i, (v, c) in enumerate(zip(g.const_vars, g.consts)):
        names[v] = f"c{i}"
        glob[f"c{i}"] = c._value
    lits: dict = {}

    def ref(v):
        if isinstance(v, Literal):
            key = id(v)
            if key not in lits:
                lits[key] = f"k{len(lits)}"
                glob[lits[key]] = v.val
            return lits[key]
        return names[v]

    lines = [f"def {_ident(name)}({', '.join(names[v] for v in g.in_vars)}):"]
    fns: dict = {}
    reuse = _reusable(g) if xp.name == "cpu" else {}
    for j, e in enumerate(g.eqns):
        lower = lowering_rules.get(e.prim)
        fn = lower(xp, **e.params) if lower is not None else functools.partial(
            impl_rules[e.prim], xp, **e.params)
        key = (e.prim, id(fn) if not isinstance(fn, functools.partial) else j)
        fname = fns.get(key)
        if fname is None:
            fname = f"f{j}_{_ident(e.prim.name)}"
            glob[fname] = fn
            fns[key] = fname
        for v in e.outputs:
            names[v] = f"v{len(names)}"
        outs = ", ".join(names[v] for v in e.outputs)
        if e.prim.multiple_results:
            outs += "," if len(e.outputs) == 1 else ""
        args = ", ".join(ref(v) for v in e.inputs)
        if j in reuse and isinstance(fn, np.ufunc) and fn.nout == 1:
            args += f", out={ref(reuse[j])}"  # write into a dead buffer: no allocation
        lines.append(f"    {outs} = {fname}({args})" if outs else f"    {fname}({args})")
    lines.append(f"    return [{', '.join(ref(v) for v in g.out_vars)}]")
    src = "\n".join(lines) + "\n"
    _counter[0] += 1
    code = compile(src, f"<funcnet.jit {name} #{_counter[0]}>", "exec")
    exec(code, glob)
    fn = glob[_ident(name)]
    fn.__funcnet_source__ = src
    return fn


def _ident(s: str) -> str:
    out = "".join(c if c.isalnum() or c == "_" else "_" for c in s)
    return out if out and not out[0].isdigit() else "_" + out
