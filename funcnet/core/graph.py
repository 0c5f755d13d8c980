# The graph IR: variables, literals, equations, graphs (which may nest as params),
# a printer and an evaluator that binds every equation (so any transform can run a graph).
from __future__ import annotations

import numpy as np

from .aval import ShapedArray
from .primitive import bind


class Var:
    __slots__ = ("aval", "count")
    _counter = 0

    def __init__(self, aval: ShapedArray):
        self.aval = aval
        Var._counter += 1
        self.count = Var._counter

    def __repr__(self):
        return f"Var({self.count}:{self.aval.str_short()})"


class Literal:
    """A scalar constant inlined in the graph."""

    __slots__ = ("val", "aval")

    def __init__(self, val, aval: ShapedArray):
        self.val = val
        self.aval = aval

    def __repr__(self):
        return f"Literal({self.val!r})"


class Eqn:
    __slots__ = ("prim", "inputs", "outputs", "params")

    def __init__(self, prim, inputs, outputs, params):
        self.prim = prim
        self.inputs = list(inputs)
        self.outputs = list(outputs)
        self.params = dict(params)


class Graph:
    """A traced function: ``in_vars`` (arguments), ``const_vars`` bound to ``consts``
    (captured arrays), a list of equations and ``out_vars`` (Vars or Literals).

    ``print(graph)`` shows it in a readable form, like ``jax.make_jaxpr``.
    """

    def __init__(self, in_vars, const_vars, consts, eqns, out_vars):
        self.in_vars = list(in_vars)
        self.const_vars = list(const_vars)
        self.consts = list(consts)
        self.eqns = list(eqns)
        self.out_vars = list(out_vars)

    @property
    def in_avals(self):
        return [v.aval for v in self.in_vars]

    @property
    def out_avals(self):
        return [v.aval for v in self.out_vars]

    def __call__(self, *args):
        return eval_graph(self, self.consts, args)

    def __str__(self):
        return pp_graph(self)

    def __repr__(self):
        return pp_graph(self)

    def _repr_pretty_(self, p, cycle):  # IPython
        p.text(pp_graph(self))


def _names():
    table: dict = {}

    def name(v):
        if isinstance(v, Literal):
            val = v.val
            if isinstance(val, np.ndarray) and val.ndim == 0:
                val = val.item()
            return repr(val.item() if isinstance(val, np.generic) else val)
        n = table.get(v)
        if n is None:
            i = len(table)
            s = ""
            while True:
                s = chr(ord("a") + i % 26) + s
                i = i // 26 - 1
                if i < 0:
                    break
            n = table[v] = s
        return n
    return name


def _fmt_param(v, indent):
    if isinstance(v, Graph):
        body = pp_graph(v, indent + 4)
        return "{ " + body.strip() + " }"
    if isinstance(v, np.dtype):
        return v.name
    return repr(v)


def pp_graph(g: Graph, indent: int = 0) -> str:
    name = _names()

    def decl(v):
        return f"{name(v)}:{v.aval.str_short()}"

    pad = " " * indent
    consts = " ".join(decl(v) for v in g.const_vars)
    ins = " ".join(decl(v) for v in g.in_vars)
    head = f"{pad}{{ lambda {consts + ' ; ' if consts else ''}{ins}. let"
    lines = [head]
    for e in g.eqns:
        outs = " ".join(decl(v) for v in e.outputs)
        params = ", ".join(f"{k}={_fmt_param(v, indent)}" for k, v in sorted(e.params.items()))
        args = " ".join(name(v) for v in e.inputs)
        lines.append(f"{pad}    {outs} = {e.prim.name}{'[' + params + ']' if params else ''} "
                     f"{args}")
    outs = ", ".join(name(v) for v in g.out_vars)
    lines.append(f"{pad}  in ({outs}) }}")
    return "\n".join(lines)


def eval_graph(g: Graph, consts, args):
    """Runs a graph by binding each equation: eagerly, or under whatever transform is active."""
    env = {}
    for v, x in zip(g.const_vars, consts):
        env[v] = x
    for v, x in zip(g.in_vars, args):
        env[v] = x

    def read(v):
        return v.val if isinstance(v, Literal) else env[v]

    for e in g.eqns:
        out = bind(e.prim, *[read(v) for v in e.inputs], **e.params)
        if e.prim.multiple_results:
            for v, o in zip(e.outputs, out):
                env[v] = o
        else:
            env[e.outputs[0]] = out
    return [read(v) for v in g.out_vars]
