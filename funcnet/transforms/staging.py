# Staging: tracing a function to a Graph (used by jit and make_graph). Abstract values flow
# through each primitive's abstract_eval rule; nothing is computed on traced values. Values
# that do not depend on the arguments are computed eagerly while tracing (folded constants).
from __future__ import annotations

import numpy as np

from ..core.array import Array
from ..core.aval import ShapedArray
from ..core.graph import Eqn, Graph, Literal, Var
from ..core.registry import abstract_rules, rule
from ..core.trace import Trace, Tracer, new_main
from ..errors import ConcretizationError


class GraphBuilder:
    def __init__(self, fname="function"):
        self.fname = fname
        self.eqns: list = []
        self.consts: dict = {}       # id(raw value) -> (Var, value)
        self.in_vars: list = []
        self.arg_names: dict = {}    # in Var -> description of the argument
        self.producer: dict = {}     # Var -> Eqn

    def const_var(self, val):
        key = id(val._value) if type(val) is Array else id(val)
        hit = self.consts.get(key)
        if hit is not None:
            return hit[0]
        v = Var(val.aval)
        self.consts[key] = (v, val)
        return v

    def depends_on(self, var):
        """Names of the arguments a Var was computed from (for error messages)."""
        seen, out, stack = set(), [], [var]
        while stack:
            v = stack.pop()
            if not isinstance(v, Var) or v in seen:
                continue
            seen.add(v)
            if v in self.arg_names:
                out.append(self.arg_names[v])
            e = self.producer.get(v)
            if e is not None:
                stack.extend(e.inputs)
        return out


class StagingTracer(Tracer):
    __slots__ = ("_aval", "gvar")

    def __init__(self, trace, aval, var):
        self._trace = trace
        self._aval = aval
        self.gvar = var  # the graph variable (not "var": that is Array.var)

    @property
    def aval(self):
        return self._aval

    def _concretization_error(self, what):
        b: GraphBuilder = self._trace.main.payload
        deps = b.depends_on(self.gvar)
        src = (f"it depends on argument {', '.join(deps)}" if deps
               else "it is a traced intermediate value")
        return ConcretizationError(
            f"funcnet.jit({b.fname}): {what} on a traced value {self._aval.str_short()}: {src}. "
            "Under jit only shapes and dtypes are known while tracing. Use fnp.where(cond, x, y)"
            " for elementwise choices, funcnet.lax.cond / funcnet.lax.while_loop for control "
            "flow on values, or mark the argument static (jit(f, static_argnums=...) / "
            "static_argnames=...) if it is a Python value that selects the program.")


class StagingTrace(Trace):
    __slots__ = ()

    def pure(self, val):
        b: GraphBuilder = self.main.payload
        if isinstance(val, Tracer):
            # a value of an enclosing transform (closure over a tracer): it becomes an input
            # of the graph, which the caller passes in as an explicit operand
            return StagingTracer(self, val.aval, b.const_var(val))
        if type(val) is not Array:
            from ..core.array import raw_from_python, wrap
            val = wrap(raw_from_python(val)) if not isinstance(val, Array) else val
        if val.ndim == 0:
            raw = val._value
            lit = Literal(raw[()] if isinstance(raw, np.ndarray) else raw, val.aval)
            return StagingTracer(self, val.aval, lit)
        return StagingTracer(self, val.aval, b.const_var(val))

    lift = pure

    def process_primitive(self, prim, tracers, params):
        b: GraphBuilder = self.main.payload
        avals = [t._aval for t in tracers]
        res = rule(abstract_rules, prim, "abstract evaluation")(*avals, **params)
        if prim.weak_param is not None:
            weak = params[prim.weak_param]
        else:
            weak = prim.keeps_weak and bool(avals) and all(a.weak_type for a in avals)
        if prim.multiple_results:
            out_avals = [ShapedArray(s, d, weak) for s, d in res]
        else:
            out_avals = [ShapedArray(res[0], res[1], weak)]
        out_vars = [Var(a) for a in out_avals]
        eqn = Eqn(prim, [t.gvar for t in tracers], out_vars, params)
        b.eqns.append(eqn)
        for v in out_vars:
            b.producer[v] = eqn
        outs = [StagingTracer(self, a, v) for a, v in zip(out_avals, out_vars)]
        return outs if prim.multiple_results else outs[0]


def trace_to_graph(fun, in_avals, arg_names=None, fname="function"):
    """Traces ``fun(*tracers) -> (flat outs, aux)`` into a Graph; returns (graph, aux)."""
    builder = GraphBuilder(fname)
    with new_main(StagingTrace, builder) as main:
        trace = main.trace
        ins = []
        for i, aval in enumerate(in_avals):
            v = Var(aval)
            builder.in_vars.append(v)
            if arg_names is not None:
                builder.arg_names[v] = arg_names[i]
            ins.append(StagingTracer(trace, aval, v))
        outs, aux = fun(*ins)
        out_vars = [trace.full_raise(o).gvar for o in outs]
    consts = list(builder.consts.values())
    graph = Graph(builder.in_vars, [v for v, _ in consts], [c for _, c in consts],
                  builder.eqns, out_vars)
    return graph, aux


def trace_closed(fun, in_avals, fname="function"):
    """Traces ``fun(*tracers) -> (flat outs, aux)`` to a closed Graph whose inputs are
    ``consts + args``; returns (graph, consts, aux). ``consts`` are the captured arrays and
    tracers of enclosing transforms, to be passed as explicit operands."""
    g, aux = trace_to_graph(fun, in_avals, None, fname)
    closed = Graph(g.const_vars + g.in_vars, [], [], g.eqns, g.out_vars)
    return closed, list(g.consts), aux
