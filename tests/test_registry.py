"""The primitive registry: every primitive has all its rules and is reached by the op table.

STYLE rule 12: a primitive with a missing rule, or one that no ``op_specs`` row reaches (and
so is never compared with NumPy, jitted, vmapped or differentiated), fails here.
"""

from __future__ import annotations

import contextlib

import numpy as np
import pytest
from hypothesis import find, settings
from hypothesis.errors import NoSuchExample
from op_specs import SPECS

import funcnet
import funcnet.numpy as fnp
from funcnet.core import registry as R
from funcnet.core.graph import Graph

# Primitives that no public function reaches today (logistic, rsqrt and erf have no fnp
# function: rsqrt is reached through the derivatives of arcsin & co., erf through
# funcnet.random.truncated_normal). Each entry says why; the coverage test
# fails if one of them becomes reachable (then delete it here) or if any other is unreached.
UNREACHED = {
    # the logistic sigmoid kernel: meant for funcnet.nn.sigmoid, which does not exist yet
    "logistic",
}


def test_every_primitive_has_all_rules():
    problems = []
    for p in R.ALL_PRIMITIVES:
        for rule, table in (("impl", R.impl_rules), ("abstract_eval", R.abstract_rules),
                            ("batch", R.batch_rules)):
            if p not in table:
                problems.append(f"{p.name}: no {rule} rule")
        diff = (p in R.jvp_rules, p in R.vjp_rules)
        if p in R.nondiff:
            if any(diff):
                problems.append(f"{p.name}: marked nondiff but has a jvp/vjp rule")
        elif not all(diff):
            problems.append(f"{p.name}: differentiable but lacks a "
                            f"{'jvp' if not diff[0] else 'vjp'} rule (or a nondiff mark)")
    assert not problems, "\n".join(problems)


def test_tables_hold_only_registered_primitives():
    names = [p.name for p in R.ALL_PRIMITIVES]
    assert len(names) == len(set(names)), "two primitives share a name"
    known = set(R.ALL_PRIMITIVES)
    for label, table in (("impl", R.impl_rules), ("abstract", R.abstract_rules),
                         ("jvp", R.jvp_rules), ("vjp", R.vjp_rules), ("batch", R.batch_rules),
                         ("lowering", R.lowering_rules)):
        stray = [p.name for p in table if p not in known]
        assert not stray, f"{label} rules for unregistered primitives: {stray}"
    assert not [p.name for p in R.nondiff if p not in known]


def test_missing_rule_error_names_primitive_and_transform():
    with pytest.raises(Exception, match="no batching rule"):
        R.rule({}, R.ALL_PRIMITIVES[0], "batching")


# -- coverage: which primitives the op table reaches --------------------------------------------
def _graph_prims(graph, acc):
    for e in graph.eqns:
        acc.add(e.prim)
        for v in e.params.values():
            for sub in (v if isinstance(v, (tuple, list)) else (v,)):
                if isinstance(sub, Graph):
                    _graph_prims(sub, acc)


@contextlib.contextmanager
def _recording(acc):
    """Records every primitive bound eagerly (wrapping the impl rules)."""
    saved = dict(R.impl_rules)

    def wrap(p, f):
        def impl(*args, **params):
            acc.add(p)
            return f(*args, **params)
        return impl

    for p, f in saved.items():
        R.impl_rules[p] = wrap(p, f)
    try:
        yield
    finally:
        R.impl_rules.update(saved)


def _nondegenerate(shapes):
    return all(0 not in s for s in shapes) and (not shapes or any(len(s) for s in shapes))


def _shapes_for(spec):
    try:
        found = find(spec.shapes, _nondegenerate,
                     settings=settings(database=None, derandomize=True, max_examples=200))
    except NoSuchExample:  # pragma: no cover (every row has non-empty shapes)
        found = find(spec.shapes, lambda s: True, settings=settings(database=None))
    return tuple(tuple(s) for s in found)


def _float_sum(out):
    total = 0.0
    for leaf in funcnet.tree.leaves(out):
        if leaf.dtype.kind == "f":
            total = total + fnp.sum(leaf)
    return total


def _trace_spec(spec, acc, rng):
    shapes = _shapes_for(spec)
    runs = [(shapes, dt, kw) for dt in spec.dtypes for kw in spec.variants(shapes)[:1]]
    runs += [(shapes, spec.dtypes[0], kw) for kw in spec.variants(shapes)[1:]]
    for shapes, dt, kw in runs:
        args = [fnp.asarray(a) for a in spec.make_args(rng, shapes, dt, kw)]
        if spec.jit and not spec.meta:
            _graph_prims(funcnet.make_graph(lambda *a, _kw=kw: spec.fn(*a, **_kw))(*args), acc)
        else:
            with _recording(acc):
                spec.fn(*args, **kw)


def _trace_grads(spec, acc, rng):
    fn = spec.grad_fn or spec.fn
    for shapes in spec.grad_shapes:
        for kw in spec.grad_variants(shapes):
            args = [fnp.asarray(a) for a in spec.make_args(rng, shapes, np.float32, kw,
                                                           smooth=True,
                                                           domain=spec.grad_domain)]
            argnums = spec.grad_argnums or tuple(
                i for i, a in enumerate(args) if a.dtype.kind == "f")

            def f(*diff, _args=args, _argnums=argnums, _kw=kw):
                full = list(_args)
                for i, d in zip(_argnums, diff, strict=True):
                    full[i] = d
                return fn(*full, **_kw)

            primals = tuple(args[i] for i in argnums)
            tangents = tuple(fnp.ones_like(p) for p in primals)
            _graph_prims(funcnet.make_graph(lambda *p: funcnet.jvp(f, p, tangents))(*primals),
                         acc)
            _graph_prims(funcnet.make_graph(funcnet.grad(lambda *p: _float_sum(f(*p)),
                                                         argnums=tuple(range(len(primals)))))(
                *primals), acc)


def _extras():
    """Primitives reached outside funcnet.numpy: the PRNG kernel, stop_gradient, lax control
    flow and convolution, custom_jvp / custom_vjp, checkpoint and debug.callback. Each is run
    eagerly (recorded) and traced."""
    lax = funcnet.lax
    key = funcnet.random.key(0)
    x = fnp.asarray([0.5, 1.5, -1.0])
    img = fnp.asarray(np.random.default_rng(0).standard_normal((1, 4, 4, 2)).astype(np.float32))
    ker = fnp.ones((2, 2, 2, 3))

    def conv(a):
        return lax.conv_general_dilated(a, ker, (1, 1), "VALID",
                                        dimension_numbers=("NHWC", "HWIO", "NHWC"))

    def loop(v):
        return lax.while_loop(lambda c: c[0] < 3, lambda c: (c[0] + 1, c[1] * 1.5), (0, v))[1]

    @funcnet.custom_jvp
    def soft(v):
        return fnp.log1p(fnp.exp(v))

    @soft.defjvp
    def _soft_jvp(primals, tangents):
        (v,), (t,) = primals, tangents
        return soft(v), t / (1.0 + fnp.exp(-v))

    @funcnet.custom_vjp
    def clipped(v):
        return v * 2.0

    clipped.defvjp(lambda v: (v * 2.0, None), lambda _, g: (fnp.clip(g, -1.0, 1.0),))
    remat = funcnet.checkpoint(lambda v: fnp.sin(v) * v)

    return [
        (lambda k: funcnet.random.normal(k, (3,)), (key,)),
        (lambda k: funcnet.random.truncated_normal(k, -1.0, 2.0, (3,)), (key,)),  # erf
        (lambda k: funcnet.random.split(k), (key,)),
        (lambda k: funcnet.random.fold_in(k, 3), (key,)),  # threefry2x32
        (funcnet.grad(lambda y: fnp.sum(y * funcnet.stop_gradient(y))), (x,)),
        (lambda v: lax.cond(v[0] > 0, fnp.sin, fnp.cos, v), (x,)),
        (loop, (x,)),
        (funcnet.grad(lambda v: fnp.sum(loop(v))), (x,)),  # reverse mode: while_vjp
        (lambda v: lax.scan(lambda c, e: (c + e, c * e), 0.0, v), (x,)),
        (conv, (img,)),
        (funcnet.grad(lambda a: fnp.sum(conv(a))), (img,)),  # col2im
        (lambda v: funcnet.jvp(soft, (v,), (v,)), (x,)),
        (funcnet.grad(lambda v: fnp.sum(clipped(v))), (x,)),
        (funcnet.grad(lambda v: fnp.sum(remat(v))), (x,)),
        (lambda v: (funcnet.debug.callback(lambda *a: None, v), v * 2)[1], (x,)),
    ]


def test_op_table_reaches_every_primitive():
    acc = set()
    rng = np.random.default_rng(0)
    for spec in SPECS:
        if {"values", "abstract"} & set(spec.xfail):
            continue  # a known-bug row (its primitives are reached by the main row)
        _trace_spec(spec, acc, rng)
        if spec.grad and "grads" not in spec.xfail:
            _trace_grads(spec, acc, rng)
    for f, args in _extras():
        with _recording(acc):
            f(*args)
        _graph_prims(funcnet.make_graph(f)(*args), acc)
    reached = {p.name for p in acc}
    every = {p.name for p in R.ALL_PRIMITIVES}
    missing = every - reached - UNREACHED
    assert not missing, f"primitives that no op_specs row reaches: {sorted(missing)}"
    stale = UNREACHED & reached
    assert not stale, f"now reached, remove from UNREACHED: {sorted(stale)}"
    assert not UNREACHED - every, f"unknown names in UNREACHED: {sorted(UNREACHED - every)}"
