# Automatic differentiation: a JVP trace (forward mode) and a lean reverse-mode tape
# (autograd-style: each recorded node keeps its primitive, params, primal inputs and output;
# the backward pass applies VJP rules written in funcnet's own ops, so it can itself be
# traced by any outer transform: higher-order derivatives need no extra machinery).
from __future__ import annotations

import numpy as np

from ..core.array import Array, wrap
from ..core.primitive import bind, eval_primitive
from ..core.prims._factories import zeros_like
from ..core.registry import jvp_rules, nondiff, rule, vjp_rules
from ..core.trace import Trace, Tracer, new_main


def _concrete(x):
    if type(x) is Array:
        return x
    if isinstance(x, Tracer):
        return x._concrete_or_none()
    return None


# -- forward mode ---------------------------------------------------------------------------------
class JVPTracer(Tracer):
    __slots__ = ("primal", "tangent")

    def __init__(self, trace, primal, tangent):
        self._trace = trace
        self.primal = primal
        self.tangent = tangent

    @property
    def aval(self):
        return self.primal.aval

    @property
    def shape(self):
        return self.primal.shape

    @property
    def dtype(self):
        return self.primal.dtype

    @property
    def ndim(self):
        return len(self.primal.shape)

    @property
    def weak_type(self):
        return self.primal.weak_type

    def _concrete_or_none(self):
        return _concrete(self.primal)


class JVPTrace(Trace):
    __slots__ = ()

    def pure(self, val):
        return JVPTracer(self, val, None)

    lift = pure

    def process_primitive(self, prim, tracers, params):
        primals = [t.primal for t in tracers]
        tangents = [t.tangent for t in tracers]
        if prim in nondiff or all(t is None for t in tangents):
            return bind(prim, *primals, **params)
        out, t_out = rule(jvp_rules, prim, "JVP")(primals, tangents, **params)
        if prim.multiple_results:
            return [o if t is None else JVPTracer(self, o, t) for o, t in zip(out, t_out)]
        return out if t_out is None else JVPTracer(self, out, t_out)


def jvp_flat(fun, primals, tangents):
    """Runs ``fun`` on flat lists under a new JVP trace; returns flat (outs, tangents_out)."""
    with new_main(JVPTrace) as main:
        trace = main.trace
        ins = [JVPTracer(trace, p, t) for p, t in zip(primals, tangents)]
        outs = fun(*ins)
        res_p, res_t = [], []
        for o in outs:
            if isinstance(o, JVPTracer) and o._trace.main is main:
                res_p.append(o.primal)
                res_t.append(o.tangent)
            else:
                res_p.append(o)
                res_t.append(None)
    return res_p, res_t


# -- reverse mode: the tape -----------------------------------------------------------------------
class Node:
    __slots__ = ("prim", "params", "parents", "primals", "out")

    def __init__(self, prim, params, parents, primals, out):
        self.prim = prim            # None for an input leaf
        self.params = params
        self.parents = parents      # [(input position, parent node, parent output index)]
        self.primals = primals
        self.out = out


class RevTracer(Tracer):
    __slots__ = ("primal", "node", "idx")

    def __init__(self, trace, primal, node, idx=0):
        self._trace = trace
        self.primal = primal
        self.node = node
        self.idx = idx

    @property
    def aval(self):
        return self.primal.aval

    @property
    def shape(self):
        return self.primal.shape

    @property
    def dtype(self):
        return self.primal.dtype

    @property
    def ndim(self):
        return len(self.primal.shape)

    @property
    def weak_type(self):
        return self.primal.weak_type

    def _concrete_or_none(self):
        return _concrete(self.primal)


class RevTrace(Trace):
    __slots__ = ()

    def pure(self, val):
        return RevTracer(self, val, None)

    lift = pure

    def process_primitive(self, prim, tracers, params):
        primals = [t.primal for t in tracers]
        for p in primals:
            if isinstance(p, Tracer):
                out = bind(prim, *primals, **params)
                break
        else:  # all concrete: skip the second trip through bind
            out = eval_primitive(prim, primals, params)
        if prim in nondiff:
            return out
        parents = [(i, t.node, t.idx) for i, t in enumerate(tracers) if t.node is not None]
        if not parents:
            return out
        node = Node(prim, params, parents, primals, out)
        if prim.multiple_results:
            return [RevTracer(self, o, node, k) if o.dtype.kind in "fc" else o
                    for k, o in enumerate(out)]
        if out.dtype.kind not in "fc":
            return out
        return RevTracer(self, out, node)


def _toposort(roots):
    order, seen = [], set()
    stack = [(n, False) for n in roots]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        for _, p, _ in node.parents:
            if id(p) not in seen:
                stack.append((p, False))
    return order[::-1]  # outputs first


def _add(a, b):
    return b if a is None else a + b


def backward(out_nodes, out_cts):
    """Pushes cotangents from (node, index) outputs to the leaves; returns {leaf node: ct}."""
    cts: dict = {}
    for (node, idx), ct in zip(out_nodes, out_cts):
        if ct is not None:
            cts[(id(node), idx)] = _add(cts.get((id(node), idx)), ct)
    leaves = {}
    for node in _toposort([n for n, _ in out_nodes]):
        if node.prim is None:
            leaves[id(node)] = cts.pop((id(node), 0), None)
            continue
        prim = node.prim
        if prim.multiple_results:
            g = [cts.pop((id(node), k), None) for k in range(len(node.out))]
            if all(c is None for c in g):
                continue
        else:
            g = cts.pop((id(node), 0), None)
            if g is None:
                continue
        needs = [False] * len(node.primals)
        for i, _, _ in node.parents:
            needs[i] = True
        in_cts = rule(vjp_rules, prim, "VJP")(needs, g, node.out, *node.primals, **node.params)
        for i, parent, pidx in node.parents:
            c = in_cts[i]
            if c is not None:
                key = (id(parent), pidx)
                cts[key] = _add(cts.get(key), c)
    return leaves


def vjp_flat(fun, primals):
    """Runs ``fun`` under a new tape; returns (flat outs, backward function over flat cts)."""
    with new_main(RevTrace) as main:
        trace = main.trace
        leaf_nodes = [Node(None, None, [], None, None) for _ in primals]
        ins = [RevTracer(trace, p, n) for p, n in zip(primals, leaf_nodes)]
        outs, aux = fun(*ins)
        out_primals, out_refs = [], []
        for o in outs:
            if isinstance(o, RevTracer) and o._trace.main is main:
                out_primals.append(o.primal)
                out_refs.append((o.node, o.idx) if o.node is not None else None)
            else:
                out_primals.append(o)
                out_refs.append(None)

    def pullback(cts):
        pairs = [(r, c) for r, c in zip(out_refs, cts) if r is not None and c is not None]
        leaves = backward([r for r, _ in pairs], [c for _, c in pairs]) if pairs else {}
        res = []
        for p, n in zip(primals, leaf_nodes):
            c = leaves.get(id(n))
            res.append(zeros_like_value(p) if c is None else c)
        return res
    return out_primals, pullback, aux


def zeros_like_value(x):
    return zeros_like(x)


def ones_like_value(x):
    return wrap(np.ones(x.shape, dtype=x.dtype))
