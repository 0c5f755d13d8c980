# Automatic differentiation: a JVP trace (forward mode) and a lean reverse-mode tape
# (autograd-style: each recorded node keeps its primitive, params, primal inputs and output;
# the backward pass applies VJP rules written in funcnet's own ops, so it can itself be
# traced by any outer transform: higher-order derivatives need no extra machinery).
from __future__ import annotations

import heapq
import itertools

import numpy as np

from ..core.array import Array, wrap
from ..core.primitive import bind, eval_primitive
from ..core.prims._factories import zeros_like
from ..core.registry import jvp_rules, nondiff, rule, vjp_rules
from ..core.trace import Trace, Tracer, concrete_or_none, new_main, to_array


class _PrimalTracer(Tracer):
    """A tracer that carries its value (``primal``): shape, dtype and concreteness are the
    primal's (the JVP and reverse-mode tracers)."""

    __slots__ = ("primal",)

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
        return concrete_or_none(self.primal)


# -- forward mode ---------------------------------------------------------------------------------
class JVPTracer(_PrimalTracer):
    __slots__ = ("tangent",)

    def __init__(self, trace, primal, tangent):
        self._trace = trace
        self.primal = primal
        self.tangent = tangent


class JVPTrace(Trace):
    __slots__ = ()

    def pure(self, val):
        return JVPTracer(self, to_array(val), None)

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
        ins = [JVPTracer(trace, to_array(p), t) for p, t in zip(primals, tangents)]
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
_seq = itertools.count()


class Node:
    __slots__ = ("prim", "params", "parents", "needs", "primals", "out", "seq")

    def __init__(self, prim, params, parents, needs, primals, out):
        self.prim = prim            # None for an input leaf
        self.params = params
        self.parents = parents      # [(input position, parent node, parent output index)]
        self.needs = needs          # per input: does a cotangent flow there?
        self.primals = primals
        self.out = out
        self.seq = next(_seq)       # creation order: parents always precede children


class RevTracer(_PrimalTracer):
    __slots__ = ("node", "idx")

    def __init__(self, trace, primal, node, idx=0):
        self._trace = trace
        self.primal = primal
        self.node = node
        self.idx = idx


class RevTrace(Trace):
    __slots__ = ()

    def pure(self, val):
        return RevTracer(self, to_array(val), None)

    lift = pure

    def process_primitive(self, prim, tracers, params):
        primals = []
        needs = []
        parents = []
        nested = False
        for i, t in enumerate(tracers):
            p = t.primal
            primals.append(p)
            if not nested and isinstance(p, Tracer):
                nested = True
            n = t.node
            needs.append(n is not None)
            if n is not None:
                parents.append((i, n, t.idx))
        # all concrete: skip the second trip through bind
        out = bind(prim, *primals, **params) if nested else eval_primitive(prim, primals, params)
        if not parents or prim in nondiff:
            return out
        node = Node(prim, params, parents, needs, primals, out)
        if prim.multiple_results:
            return [RevTracer(self, o, node, k) if o.dtype.kind in "fc" else o
                    for k, o in enumerate(out)]
        if out.dtype.kind not in "fc":
            return out
        return RevTracer(self, out, node)


def backward(out_refs, out_cts):
    """Pushes cotangents from (node, index) outputs to the leaves; returns {leaf node: ct}.

    Nodes are visited newest first (a max-heap on creation order), so every node's cotangent
    is complete before its rule runs; only nodes that receive a cotangent are visited.
    """
    cts: dict = {}      # node -> ct (single output) or {index: ct} (multiple outputs)
    heap: list = []
    nodes: dict = {}

    def push(node, idx, c):
        if node.prim is not None and node.prim.multiple_results:
            d = cts.get(node)
            if d is None:
                d = cts[node] = {}
                heapq.heappush(heap, -node.seq)
                nodes[node.seq] = node
            d[idx] = c if d.get(idx) is None else d[idx] + c
            return
        prev = cts.get(node)
        if prev is None:
            cts[node] = c
            heapq.heappush(heap, -node.seq)
            nodes[node.seq] = node
        else:
            cts[node] = prev + c

    for (node, idx), c in zip(out_refs, out_cts):
        push(node, idx, c)
    leaves = {}
    vjps = vjp_rules
    while heap:
        node = nodes.pop(-heapq.heappop(heap))
        g = cts.pop(node)
        prim = node.prim
        if prim is None:
            leaves[node] = g
            continue
        if prim.multiple_results:
            g = [g.get(k) for k in range(len(node.out))]
        fn = vjps.get(prim) or rule(vjps, prim, "VJP")
        in_cts = fn(node.needs, g, node.out, *node.primals, **node.params)
        for i, parent, pidx in node.parents:
            c = in_cts[i]
            if c is not None:
                push(parent, pidx, c)
    return leaves


def strip_finished(tree):
    """Replaces tracers of finished JVP / reverse transforms in ``tree`` by their values
    (used for ``has_aux`` outputs, which are not differentiated)."""
    from .. import tree as tree_util

    def one(x):
        while isinstance(x, (JVPTracer, RevTracer)) and not x._trace.main.active:
            x = x.primal
        return x
    return tree_util.map(one, tree)


def vjp_flat(fun, primals):
    """Runs ``fun`` under a new tape; returns (flat outs, backward function over flat cts)."""
    with new_main(RevTrace) as main:
        trace = main.trace
        leaf_nodes = [Node(None, None, [], None, None, None) for _ in primals]
        ins = [RevTracer(trace, to_array(p), n) for p, n in zip(primals, leaf_nodes)]
        outs, aux = fun(*ins)
        out_primals, out_refs = [], []
        for o in outs:
            if isinstance(o, RevTracer) and o._trace.main is main:
                out_primals.append(o.primal)
                out_refs.append((o.node, o.idx) if o.node is not None else None)
            else:
                out_primals.append(o)
                out_refs.append(None)

    aux = strip_finished(aux)

    def pullback(cts):
        pairs = [(r, c) for r, c in zip(out_refs, cts) if r is not None and c is not None]
        leaves = backward([r for r, _ in pairs], [c for _, c in pairs]) if pairs else {}
        res = []
        for p, n in zip(primals, leaf_nodes):
            c = leaves.get(n)
            res.append(zeros_like_value(p) if c is None else c)
        return res
    return out_primals, pullback, aux


def zeros_like_value(x):
    return zeros_like(x)


def ones_like_value(x):
    if type(x) is Array:  # on the value's own device
        from ..core.backend import backend_of_value
        return wrap(backend_of_value(x._value).ones(x.shape, dtype=x.dtype))
    return wrap(np.ones(x.shape, dtype=x.dtype))
