# Structured control flow: cond / switch, while_loop, scan (+ fori_loop and map on top).
#
# Each is a higher-order primitive whose sub-functions are traced once to closed Graphs
# (inputs = captured consts + operands). Their rules build new graphs by running the
# transforms over the sub-graphs (eval_graph binds every equation, so any interpreter can
# run a graph), so they nest to any depth like every other primitive.
from __future__ import annotations

import numpy as np

from .. import tree as tree_util
from ..core.array import Array, wrap
from ..core.aval import ShapedArray
from ..core.graph import Graph, Var, eval_graph
from ..core.primitive import bind
from ..core.registry import Primitive, register
from ..transforms._util import as_array, fun_name
from ..transforms.ad import jvp_flat, vjp_flat, zeros_like_value
from ..transforms.batching import batch_flat
from ..transforms.staging import trace_closed


# -- helpers ------------------------------------------------------------------------------------
def _avals(xs):
    return [x.aval if isinstance(x, Array) else as_array(x).aval for x in xs]


def _tree_avals_str(tree, avals):
    return str(tree_util.unflatten(tree, [a.str_short() for a in avals]))


def _trace(fun, args_tree, in_avals, name):
    """Traces fun(*unflattened args) -> pytree; returns (closed graph, consts, out tree)."""
    box = {}

    def flat_fun(*flat):
        out = fun(*tree_util.unflatten(args_tree, list(flat)))
        leaves, box["tree"] = tree_util.flatten(out)
        return [as_array(o) for o in leaves], None

    g, consts, _ = trace_closed(flat_fun, in_avals, name)
    return g, consts, box["tree"]


def _trace_flat(fun, in_avals, name="sub"):
    """Traces fun(*flat) -> flat list; returns (closed graph, consts)."""
    g, consts, _ = trace_closed(lambda *a: (list(fun(*a)), None), in_avals, name)
    return g, consts


def _run(g, *args):
    return eval_graph(g, [], list(args))


def _zeros(a: ShapedArray):
    return wrap(np.zeros(a.shape, a.dtype))


def _diff(aval) -> bool:
    return np.dtype(aval.dtype).kind in "fc"


def _fresh(avals):
    return [Var(a) for a in avals]


def _with_prefix(g: Graph, n_new_avals):
    """The same graph taking ``n_new`` extra (unused) leading inputs."""
    return Graph(_fresh(n_new_avals) + g.in_vars, [], [], g.eqns, g.out_vars)


def _stack_front(v, d, n):
    from ..core.prims._factories import broadcast_to, moveaxis
    if d is None:
        return broadcast_to(v, (n,) + tuple(v.shape))
    return moveaxis(v, d, 0)


def _pure(g):
    """The graph without side-effecting equations (debug prints / callbacks): used wherever
    a rule re-runs a body (a derivative's recomputation must not print again)."""
    from ..core.registry import effectful
    if not any(e.prim in effectful for e in g.eqns):
        return g
    return Graph(g.in_vars, g.const_vars, g.consts, [e for e in g.eqns
                                                     if e.prim not in effectful], g.out_vars)


def _compile(g, xp):
    # sub-graphs get the same optimisation as jitted graphs (CSE merges a backward step's
    # recomputation with the forward it was moved next to, see _partial_eval)
    from ..transforms._codegen import compile_graph
    from ..transforms._optimize import optimize
    return compile_graph(optimize(g), xp, "branch")


_VIEWS = ("transpose", "reshape", "broadcast_to", "stop_gradient")


def _partial_eval(g, known_mask, invariant_mask):
    """Splits a graph into the part computable from the inputs marked known and the rest.

    Returns (R, B): R maps the known inputs (in order) to the residuals, the known
    intermediate values the rest needs; B takes every input of ``g`` plus the residuals and
    computes ``g``'s outputs without redoing R's work. Values that depend only on the inputs
    marked invariant (loop constants) are never residuals: B recomputes them.
    """
    from ..core.graph import Literal
    from ..core.registry import effectful
    known_inputs = [v for v, m in zip(g.in_vars, known_mask) if m]
    known = set(known_inputs)
    invariant = {v for v, m in zip(g.in_vars, invariant_mask) if m}
    inputs = set(g.in_vars)
    kn_eqns, un_eqns = [], []
    for e in g.eqns:
        ins = [v for v in e.inputs if not isinstance(v, Literal)]
        if e.prim in effectful or not all(v in known for v in ins):
            un_eqns.append(e)
            continue
        kn_eqns.append(e)
        known.update(e.outputs)
        if all(v in invariant for v in ins) or (
                e.prim.name in _VIEWS and all(v in inputs or v in invariant for v in ins)):
            # loop-invariant, or a free view of B's own inputs: B recomputes it
            invariant.update(e.outputs)
            un_eqns.append(e)
    need, seen = [], set()
    for v in [v for e in un_eqns for v in e.inputs] + list(g.out_vars):
        if isinstance(v, Var) and v in known and v not in inputs and v not in invariant \
                and v not in seen:
            need.append(v)
            seen.add(v)
    R = Graph(known_inputs, [], [], kn_eqns, need)
    B = Graph(list(g.in_vars) + need, [], [], un_eqns, list(g.out_vars))
    return R, B


def _check_same(name, what_a, tree_a, avals_a, what_b, tree_b, avals_b):
    if tree_a != tree_b or [(a.shape, a.dtype) for a in avals_a] != [
            (b.shape, b.dtype) for b in avals_b]:
        raise TypeError(
            f"{name}: {what_a} and {what_b} must have the same tree structure, shapes and "
            f"dtypes, but {what_a} is {_tree_avals_str(tree_a, avals_a)} and {what_b} is "
            f"{_tree_avals_str(tree_b, avals_b)}")


# =================================================================================================
# cond / switch
# =================================================================================================
cond_p = Primitive("cond", multiple_results=True, keeps_weak=False)


def _cond_impl(xp, index, *ops, branches):
    i = int(np.clip(int(index), 0, len(branches) - 1))
    return tuple(o._value if isinstance(o, Array) else o
                 for o in _run(branches[i], *[wrap(v) for v in ops]))


def _cond_abstract(index, *ops, branches):
    return [(v.aval.shape, v.aval.dtype) for v in branches[0].out_vars]


def _cond_jvp(primals, tangents, *, branches):
    index, ops = primals[0], list(primals[1:])
    tans = list(tangents[1:])
    dmask = [_diff(o.aval) for o in ops]
    if not any(t is not None for t, m in zip(tans, dmask) if m):
        return bind(cond_p, index, *ops, branches=branches), [None] * len(branches[0].out_vars)
    tans = [(zeros_like_value(o) if t is None else t) for o, t, m in zip(ops, tans, dmask) if m]
    in_avals = _avals(ops) + _avals(tans)
    n = len(ops)
    out_d = [_diff(v.aval) for v in branches[0].out_vars]

    def jvp_branch(g):
        def f(*args):
            o, t = list(args[:n]), list(args[n:])
            it = iter(t)
            full_t = [next(it) if m else None for m in dmask]
            outs, touts = jvp_flat(lambda *a: _run(g, *a), o, full_t)
            touts = [(zeros_like_value(x) if tt is None else tt)
                     for x, tt, m in zip(outs, touts, out_d) if m]
            return outs + touts
        gg, consts = _trace_flat(f, in_avals, "cond_jvp")
        return gg, consts, None
    graphs, gconsts = _unify([jvp_branch(g) for g in branches], None)
    res = bind(cond_p, index, *gconsts, *ops, *tans, branches=graphs)
    k = len(branches[0].out_vars)
    outs, touts = list(res[:k]), iter(res[k:])
    return outs, [next(touts) if m else None for m in out_d]


def _cond_vjp(needs, cts, outs, index, *ops, branches):
    ops = list(ops)
    cts = [(_zeros(v.aval) if c is None else c) for c, v in zip(cts, branches[0].out_vars)]
    in_avals = _avals(ops) + _avals(cts)
    n = len(ops)

    def vjp_branch(g):
        g = _pure(g)

        def f(*args):
            o, c = list(args[:n]), list(args[n:])
            _, pull, _ = vjp_flat(lambda *a: (_run(g, *a), None), o)
            return pull(c)
        gg, consts = _trace_flat(f, in_avals, "cond_vjp")
        return gg, consts, None
    graphs, gconsts = _unify([vjp_branch(g) for g in branches], None)
    res = bind(cond_p, index, *gconsts, *ops, *cts, branches=graphs)
    return [None] + [r if need and _diff(o.aval) else None
                     for r, need, o in zip(res, needs[1:], ops)]


def _cond_batch(vals, dims, *, branches):
    from ..core.prims._factories import batch_size
    size = batch_size(vals, dims)
    index, idim = vals[0], dims[0]
    ops, odims = list(vals[1:]), list(dims[1:])
    if idim is not None:
        # a batched predicate: run every branch, select per example
        import funcnet.numpy as fnp
        idx = _stack_front(index, idim, size)
        results = []
        for g in branches:
            res = batch_flat(lambda *a, g=g: _run(g, *a), ops, odims, size)
            results.append([_stack_front(v, d, size) for v, d in res])
        nb = len(branches)
        idx = fnp.clip(idx, 0, nb - 1)
        outs = results[-1]
        for k in range(nb - 2, -1, -1):
            sel = idx == k
            outs = [fnp.where(fnp.reshape(sel, (size,) + (1,) * (o.ndim - 1)), r, o)
                    for r, o in zip(results[k], outs)]
        return outs, [0] * len(outs)
    in_avals = _avals(ops)

    def batch_branch(g):
        def f(*a):
            res = batch_flat(lambda *x: _run(g, *x), list(a), odims, size)
            return [_stack_front(v, d, size) for v, d in res]
        gg, consts = _trace_flat(f, in_avals, "cond_batch")
        return gg, consts, None
    graphs, gconsts = _unify([batch_branch(g) for g in branches], None)
    res = bind(cond_p, index, *gconsts, *ops, branches=graphs)
    return list(res), [0] * len(res)


def _cond_lower(xp, *, branches):
    fns = [_compile(g, xp) for g in branches]
    last = len(fns) - 1

    def run(index, *ops):
        i = int(index)
        return fns[0 if i < 0 else (last if i > last else i)](*ops)
    return run


register(cond_p, impl=_cond_impl, abstract_eval=_cond_abstract, jvp=_cond_jvp,
         vjp=_cond_vjp, batch=_cond_batch, lower=_cond_lower)


def _unify(traced, args_avals=None):
    """Branch graphs taking one shared operand list: (consts of every branch) + args."""
    all_consts = [c for _, consts, _ in traced for c in consts]
    graphs = []
    start = 0
    for g, consts, _ in traced:
        n = len(consts)
        before = _avals(all_consts[:start])
        after = _avals(all_consts[start + n:])
        own = g.in_vars[:n]
        args = g.in_vars[n:]
        graphs.append(Graph(_fresh(before) + own + _fresh(after) + args, [], [], g.eqns,
                            g.out_vars))
        start += n
    return tuple(graphs), all_consts


def switch(index, branches, *operands):
    """Applies ``branches[index](*operands)``; ``index`` is clamped to the valid range.

    Args:
        index: an integer scalar (may be traced).
        branches: a sequence of functions with the same signature and output structure.
        *operands: the arguments passed to the chosen branch.

    Returns:
        The chosen branch's output.

    Raises:
        TypeError: branches whose outputs differ in tree structure, shape or dtype.

    Example:
        >>> import funcnet, funcnet.numpy as fnp
        >>> funcnet.lax.switch(1, [lambda x: x + 1, lambda x: x * 10], fnp.asarray(2.0)).item()
        20.0
    """
    branches = list(branches)
    if not branches:
        raise ValueError("lax.switch: needs at least one branch")
    idx = as_array(index)
    if idx.shape != () or idx.dtype.kind not in "iub":
        raise TypeError(f"lax.switch: index must be an integer scalar, got "
                        f"{idx.aval.str_short()}")
    import funcnet.numpy as fnp
    idx = fnp.asarray(idx, dtype=fnp.int32)
    leaves, tree = tree_util.flatten(operands)
    leaves = [as_array(x) for x in leaves]
    in_avals = [x.aval.strip_weak() for x in leaves]
    traced = [_trace(lambda *a, b=b: b(*a), tree, in_avals, f"branch {fun_name(b)}")
              for b in branches]
    for k in range(1, len(traced)):
        _check_same("lax.switch" if len(branches) > 2 else "lax.cond",
                    f"branch 0 ({fun_name(branches[0])}) output", traced[0][2],
                    [v.aval for v in traced[0][0].out_vars],
                    f"branch {k} ({fun_name(branches[k])}) output", traced[k][2],
                    [v.aval for v in traced[k][0].out_vars])
    graphs, consts = _unify(traced)
    if type(idx) is Array:  # a concrete index: no need to stage anything
        i = int(np.clip(int(idx), 0, len(branches) - 1))
        # the staged cond's outputs are never weakly typed: a concrete index gives the same
        return tree_util.map(lambda o: _strong(as_array(o)), branches[i](*operands))
    outs = bind(cond_p, idx, *consts, *leaves, branches=graphs)
    return tree_util.unflatten(traced[0][2], list(outs))


def cond(pred, true_fun, false_fun, *operands):
    """``true_fun(*operands)`` if ``pred`` else ``false_fun(*operands)``, as one primitive
    that works under jit, vmap (a batched predicate becomes a select) and grad.

    Args:
        pred: a boolean (or number) scalar, possibly traced.
        true_fun, false_fun: functions with the same output structure, shapes and dtypes.
        *operands: arguments passed to the chosen function.

    Returns:
        The chosen function's output.

    Raises:
        TypeError: branches returning different structures, shapes or dtypes (both named).

    Example:
        >>> import funcnet, funcnet.numpy as fnp
        >>> f = funcnet.jit(lambda x: funcnet.lax.cond(x > 0, fnp.sin, fnp.cos, x))
        >>> round(f(fnp.asarray(-0.0)).item(), 3)
        1.0
    """
    p = as_array(pred)
    if p.shape != ():
        raise TypeError(f"lax.cond: pred must be a scalar, got {p.aval.str_short()}; for "
                        "elementwise choices use fnp.where")
    import funcnet.numpy as fnp
    index = fnp.where(p if p.dtype == np.bool_ else p != 0, 1, 0)
    return switch(index, [false_fun, true_fun], *operands)


# =================================================================================================
# scan
# =================================================================================================
scan_p = Primitive("scan", multiple_results=True, keeps_weak=False)
_COMPILED: dict = {}


def _compiled(g, xp):
    key = (id(g), xp.name)
    hit = _COMPILED.get(key)
    if hit is None or hit[0] is not g:
        hit = _COMPILED[key] = (g, _compile(g, xp))
    return hit[1]


def _stack(xp, seq, aval, length):
    if length == 0 or not seq:
        return xp.zeros((length,) + tuple(aval.shape), aval.dtype)
    return xp.stack([xp.asarray(s) for s in seq])


def _scan_impl(xp, *vals, body, length, reverse, n_consts, n_carry):
    fn = _compiled(body, xp)
    consts = list(vals[:n_consts])
    carry = list(vals[n_consts:n_consts + n_carry])
    xs = vals[n_consts + n_carry:]
    ys = []
    steps = range(length - 1, -1, -1) if reverse else range(length)
    for i in steps:
        out = fn(*consts, *carry, *[x[i] for x in xs])
        carry = list(out[:n_carry])
        ys.append(out[n_carry:])
    if reverse:
        ys.reverse()
    y_avals = [v.aval for v in body.out_vars[n_carry:]]
    stacked = [_stack(xp, [y[k] for y in ys], a, length) for k, a in enumerate(y_avals)]
    return tuple(xp.asarray(c) for c in carry) + tuple(stacked)


def _scan_abstract(*avals, body, length, reverse, n_consts, n_carry):
    outs = [v.aval for v in body.out_vars]
    return [(a.shape, a.dtype) for a in outs[:n_carry]] + [
        ((length,) + tuple(a.shape), a.dtype) for a in outs[n_carry:]]


def _split(seq, *sizes):
    out, i = [], 0
    for n in sizes:
        out.append(list(seq[i:i + n]))
        i += n
    out.append(list(seq[i:]))
    return out


def _slice_avals(avals):
    return [ShapedArray(a.shape[1:], a.dtype) for a in avals]


def _scan_jvp(primals, tangents, *, body, length, reverse, n_consts, n_carry):
    consts, init, xs = _split(primals, n_consts, n_carry)
    tc, ti, tx = _split(tangents, n_consts, n_carry)
    if all(t is None for t in tangents):
        return (bind(scan_p, *primals, body=body, length=length, reverse=reverse,
                     n_consts=n_consts, n_carry=n_carry), [None] * len(body.out_vars))
    mc = [_diff(a.aval) for a in consts]
    mi = [_diff(a.aval) for a in init]
    mx = [_diff(a.aval) for a in xs]
    inst = lambda vals, ts, mask: [zeros_like_value(v) if t is None else t  # noqa: E731
                                   for v, t, m in zip(vals, ts, mask) if m]
    tc, ti, tx = inst(consts, tc, mc), inst(init, ti, mi), inst(xs, tx, mx)
    n_out = len(body.out_vars)
    my = [_diff(v.aval) for v in body.out_vars[n_carry:]]
    in_avals = (_avals(consts) + _avals(tc) + _avals(init) + _avals(ti)
                + _slice_avals(_avals(xs)) + _slice_avals(_avals(tx)))
    sizes = (len(consts), len(tc), len(init), len(ti), len(xs))

    def step(*args):
        c, c_t, k, k_t, x, x_t = _split(args, *sizes)
        fill = lambda vals, ts, mask: (lambda it: [next(it) if m else None  # noqa: E731
                                                   for m in mask])(iter(ts))
        prim_in = c + k + x
        tan_in = fill(c, c_t, mc) + fill(k, k_t, mi) + fill(x, x_t, mx)
        outs, touts = jvp_flat(lambda *a: _run(body, *a), prim_in, tan_in)
        touts = [zeros_like_value(o) if t is None else t for o, t in zip(outs, touts)]
        carry, ys = outs[:n_carry], outs[n_carry:]
        carry_t = [t for t, m in zip(touts[:n_carry], mi) if m]
        ys_t = [t for t, m in zip(touts[n_carry:], my) if m]
        return carry + carry_t + ys + ys_t

    g, gc = _trace_flat(step, in_avals, "scan_jvp")
    res = bind(scan_p, *gc, *consts, *tc, *init, *ti, *xs, *tx, body=g, length=length,
               reverse=reverse, n_consts=len(gc) + len(consts) + len(tc),
               n_carry=len(init) + len(ti))
    carry, carry_t, ys, ys_t = _split(res, len(init), len(ti), n_out - n_carry)
    it_c, it_y = iter(carry_t), iter(ys_t)
    return carry + ys, [next(it_c) if m else None for m in mi] + \
        [next(it_y) if m else None for m in my]


def _scan_vjp(needs, cts, outs, *primals, body, length, reverse, n_consts, n_carry):
    body = _pure(body)
    consts, init, xs = _split(primals, n_consts, n_carry)
    out_avals = [v.aval for v in body.out_vars]
    ct_carry = [_zeros(a) if c is None else c for c, a in zip(cts[:n_carry], out_avals)]
    ct_ys = [wrap(np.zeros((length,) + tuple(a.shape), a.dtype)) if c is None else c
             for c, a in zip(cts[n_carry:], out_avals[n_carry:])]
    dc = [_diff(a.aval) for a in consts]
    acc0 = [_zeros(a.aval) for a, m in zip(consts, dc) if m]
    # 1. the backward step: (consts, ct_carry, acc, x, carry, ct_y) -> (ct_carry, acc, ct_x)
    bwd_avals = (_avals(consts) + _avals(ct_carry) + _avals(acc0) + _slice_avals(_avals(xs))
                 + [a.strip_weak() for a in _avals(init)] + _slice_avals(_avals(ct_ys)))

    need_x = [bool(n) and _diff(a.aval) for n, a in zip(needs[n_consts + n_carry:], xs)]

    def bwd_step(*args):
        c, ctk, acc, x, k, cty = _split(args, n_consts, n_carry, len(acc0), len(xs), n_carry)
        _, pull, _ = vjp_flat(lambda *a: (_run(body, *a), None), c + k + x)
        g_c, g_k, g_x = _split(pull(ctk + cty), n_consts, n_carry)
        it = iter(acc)
        new_acc = [next(it) + gc for gc, m in zip(g_c, dc) if m]
        # cotangents of xs nobody asked for are not computed (DCE drops their work)
        return list(g_k) + new_acc + [gx for gx, m in zip(g_x, need_x) if m]

    gb, gbc = _trace_flat(bwd_step, bwd_avals, "scan_bwd")
    # 2. partial evaluation: what the backward step computes from (x, carry) is the body's
    #    forward recomputation; it moves into the forward scan (which keeps the carries
    #    anyway) and reaches the backward scan as stacked residuals
    ng, nk, na, nx = len(gbc) + n_consts, n_carry, len(acc0), len(xs)
    R, B = _partial_eval(gb, [True] * ng + [False] * (nk + na) + [True] * (nx + nk) + [False] * nk,
                         [True] * ng + [False] * (nk + na + nx + 2 * nk))
    fwd_avals = _avals(consts) + _avals(init) + _slice_avals(_avals(xs))

    def fwd_step(*args):
        c, k, x = _split(args, n_consts, n_carry)
        out = _run(body, *c, *k, *x)
        residuals = eval_graph(R, [], list(gbc) + c + x + k)
        return out[:n_carry] + list(k) + list(residuals)

    gf, gfc = _trace_flat(fwd_step, fwd_avals, "scan_fwd")
    res = bind(scan_p, *gfc, *consts, *init, *xs, body=gf, length=length, reverse=reverse,
               n_consts=len(gfc) + n_consts, n_carry=n_carry)
    carries, resid = _split(res[n_carry:], n_carry)
    # 3. backward: a scan in the opposite direction over (xs, carries, ct_ys, residuals)
    res = bind(scan_p, *gbc, *consts, *ct_carry, *acc0, *xs, *carries, *ct_ys, *resid, body=B,
               length=length, reverse=not reverse, n_consts=ng, n_carry=n_carry + len(acc0))
    ct_init, acc, ct_xs = _split(res, n_carry, len(acc0))
    it = iter(acc)
    ct_consts = [next(it) if m else None for m in dc]
    it_x = iter(ct_xs)
    out = ct_consts + ct_init + [next(it_x) if m else None for m in need_x]
    return [o if need and _diff(p.aval) else None for o, need, p in zip(out, needs, primals)]


def _scan_batch(vals, dims, *, body, length, reverse, n_consts, n_carry):
    from ..core.prims._factories import batch_size, moveaxis
    size = batch_size(vals, dims)
    consts, init, xs = _split(vals, n_consts, n_carry)
    dcs, dis, dxs = _split(dims, n_consts, n_carry)
    consts = [v if d is None else moveaxis(v, d, 0) for v, d in zip(consts, dcs)]
    dcs = [None if d is None else 0 for d in dcs]
    xs = [v if d is None else moveaxis(v, d, 1) for v, d in zip(xs, dxs)]
    dx_step = [None if d is None else 0 for d in dxs]
    carry_b = [d is not None for d in dis]
    while True:
        in_avals = (_avals(consts) + [_bat_aval(v, d, b, size) for v, d, b in
                                      zip(init, dis, carry_b)]
                    + [_step_aval(v, d) for v, d in zip(xs, dxs)])

        def step(*args, carry_b=tuple(carry_b)):
            c, k, x = _split(args, n_consts, n_carry)
            res = batch_flat(lambda *a: _run(body, *a), c + k + x,
                             dcs + [0 if b else None for b in carry_b] + dx_step, size)
            return res
        probe = []

        def probe_step(*args):
            res = step(*args)
            probe.append([d is not None for _, d in res[:n_carry]])
            return [v for v, _ in res]
        _trace_flat(probe_step, in_avals, "scan_batch_probe")
        new_b = [a or b for a, b in zip(carry_b, probe[0])]
        if new_b == carry_b:
            break
        carry_b = new_b

    def final_step(*args):
        res = step(*args, carry_b=tuple(carry_b))
        carry = [(_stack_front(v, d, size) if b else v) for (v, d), b in
                 zip(res[:n_carry], carry_b)]
        ys = [_stack_front(v, d, size) for v, d in res[n_carry:]]
        return carry + ys

    g, gc = _trace_flat(final_step, in_avals, "scan_batch")
    init = [(_stack_front(v, d, size) if b else v) for v, d, b in zip(init, dis, carry_b)]
    res = bind(scan_p, *gc, *consts, *init, *xs, body=g, length=length, reverse=reverse,
               n_consts=len(gc) + n_consts, n_carry=n_carry)
    return list(res), [0 if b else None for b in carry_b] + [1] * (len(res) - n_carry)


def _bat_aval(v, d, batched, size):
    a = v.aval
    if not batched:
        return a
    if d is None:
        return ShapedArray((size,) + tuple(a.shape), a.dtype)
    shape = list(a.shape)
    b = shape.pop(d)
    return ShapedArray((b,) + tuple(shape), a.dtype)


def _step_aval(v, d):
    # xs are scanned along axis 0 (a batch dim was moved to axis 1 before)
    a = v.aval
    return ShapedArray(a.shape[1:], a.dtype)


def _scan_lower(xp, *, body, length, reverse, n_consts, n_carry):
    def run(*vals):
        return _scan_impl(xp, *vals, body=body, length=length, reverse=reverse,
                          n_consts=n_consts, n_carry=n_carry)
    return run


register(scan_p, impl=_scan_impl, abstract_eval=_scan_abstract, jvp=_scan_jvp,
         vjp=_scan_vjp, batch=_scan_batch, lower=_scan_lower)


def scan(f, init, xs=None, length=None, reverse=False, unroll=1):
    """Loops ``f(carry, x) -> (carry, y)`` over the leading axis of ``xs``, stacking the ys.

    Args:
        f: the step function; ``carry`` and ``y`` may be pytrees; the carry's structure,
            shapes and dtypes must not change.
        init: the initial carry.
        xs: a pytree of arrays scanned along axis 0 (or None with ``length``).
        length: the number of steps (needed when ``xs`` is None).
        reverse: scan from the last element to the first (ys keep xs's order).
        unroll: accepted for JAX compatibility.

    Returns:
        ``(final_carry, stacked_ys)``.

    Raises:
        ValueError: xs leaves of different lengths, or a length that disagrees.
        TypeError: a step that changes the carry's structure, shape or dtype.

    Example:
        >>> import funcnet, funcnet.numpy as fnp
        >>> total, partial = funcnet.lax.scan(lambda c, x: (c + x, c + x), 0.0,
        ...                                   fnp.asarray([1.0, 2.0, 3.0]))
        >>> total.item(), partial.tolist()
        (6.0, [1.0, 3.0, 6.0])
    """
    x_leaves, x_tree = tree_util.flatten(xs)
    x_leaves = [as_array(x) for x in x_leaves]
    lengths = {x.shape[0] if x.ndim else None for x in x_leaves}
    if None in lengths:
        raise ValueError("lax.scan: every xs leaf must have a leading axis to scan over; got "
                         f"shapes {[tuple(x.shape) for x in x_leaves]}")
    if length is not None:
        lengths.add(int(length))
    if len(lengths) > 1:
        raise ValueError(f"lax.scan: inconsistent lengths: xs leaves have leading dims "
                         f"{[x.shape[0] for x in x_leaves]}" + (f" and length={length}" if
                                                                 length is not None else ""))
    if not lengths:
        raise ValueError("lax.scan: give xs or length")
    n = lengths.pop()
    c_leaves, c_tree = tree_util.flatten(init)
    c_leaves = [as_array(c) for c in c_leaves]
    c_avals = [c.aval.strip_weak() for c in c_leaves]
    c_leaves = [_strong(c) for c in c_leaves]
    x_avals = _slice_avals([x.aval for x in x_leaves])
    box = {}

    def step(*args):
        carry = tree_util.unflatten(c_tree, list(args[:len(c_leaves)]))
        x = tree_util.unflatten(x_tree, list(args[len(c_leaves):]))
        out = f(carry, x)
        if not (isinstance(out, tuple) and len(out) == 2):
            raise TypeError(f"lax.scan: the step function {fun_name(f)} must return a pair "
                            f"(carry, y), got {type(out).__name__}")
        new_c, y = out
        cl, ct = tree_util.flatten(new_c)
        cl = [as_array(c) for c in cl]
        _check_same("lax.scan", "the carry input", c_tree, c_avals, "the carry output", ct,
                    [c.aval for c in cl])
        yl, box["y_tree"] = tree_util.flatten(y)
        return cl + [as_array(v) for v in yl], None

    g, consts, _ = trace_closed(step, c_avals + x_avals, f"scan {fun_name(f)}")
    res = bind(scan_p, *consts, *c_leaves, *x_leaves, body=g, length=n, reverse=bool(reverse),
               n_consts=len(consts), n_carry=len(c_leaves))
    k = len(c_leaves)
    return (tree_util.unflatten(c_tree, list(res[:k])),
            tree_util.unflatten(box["y_tree"], list(res[k:])))


def _strong(x):
    if not x.weak_type:
        return x
    from ..core.prims.elementwise import convert_p
    return bind(convert_p, x, new_dtype=x.dtype, weak_type=False)


def map(f, xs):  # noqa: A001
    """``stack([f(x) for x in xs])`` as one scan (works under jit, vmap and grad).

    Example:
        >>> import funcnet, funcnet.numpy as fnp
        >>> funcnet.lax.map(lambda x: x * 2, fnp.arange(3.0)).tolist()
        [0.0, 2.0, 4.0]
    """
    _, ys = scan(lambda c, x: (c, f(x)), (), xs)
    return ys
