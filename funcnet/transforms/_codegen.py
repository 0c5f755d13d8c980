# Code generation: an optimised Graph becomes straight-line Python that calls backend
# functions bound as globals (constants bound once), so a jit cache hit runs no tracer.
from __future__ import annotations

import functools

from ..core.graph import Graph, Literal
from ..core.registry import impl_rules, lowering_rules

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
        lines.append(f"    {outs} = {fname}({', '.join(ref(v) for v in e.inputs)})")
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
