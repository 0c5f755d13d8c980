# while_loop (forward, reverse mode with a dynamic trip count, batching) and fori_loop, on the
# shared machinery of _control_flow.
from __future__ import annotations

import numpy as np

from .. import tree as tree_util
from ..core.array import Array
from ..core.primitive import bind
from ..core.registry import Primitive, register
from ..transforms._util import as_array, fun_name
from ..transforms.ad import jvp_flat, vjp_flat, zeros_like_value
from ..transforms.batching import batch_flat
from ..transforms.staging import trace_closed
from ._control_flow import (
    _avals,
    _bat_aval,
    _check_same,
    _compiled,
    _diff,
    _pure,
    _run,
    _split,
    _stack_front,
    _strong,
    _trace_flat,
    _zeros,
    scan,
)

while_p = Primitive("while", multiple_results=True, keeps_weak=False)


def _while_impl(xp, *vals, cond, body, n_cc, n_bc):
    fc, fb = _compiled(cond, xp), _compiled(body, xp)
    cc, bc, carry = _split(vals, n_cc, n_bc)
    while bool(fc(*cc, *carry)[0]):
        carry = list(fb(*bc, *carry))
    return tuple(xp.asarray(c) for c in carry)


def _while_abstract(*avals, cond, body, n_cc, n_bc):
    return [(v.aval.shape, v.aval.dtype) for v in body.out_vars]


def _while_jvp(primals, tangents, *, cond, body, n_cc, n_bc):
    cc, bc, init = _split(primals, n_cc, n_bc)
    _, tb, ti = _split(tangents, n_cc, n_bc)
    if all(t is None for t in tb + ti):
        return bind(while_p, *primals, cond=cond, body=body, n_cc=n_cc, n_bc=n_bc), \
            [None] * len(init)
    mb = [_diff(a.aval) for a in bc]
    mi = [_diff(a.aval) for a in init]
    tb = [zeros_like_value(v) if t is None else t for v, t, m in zip(bc, tb, mb) if m]
    ti = [zeros_like_value(v) if t is None else t for v, t, m in zip(init, ti, mi) if m]

    def fill(ts, mask):
        it = iter(ts)
        return [next(it) if m else None for m in mask]

    def body_jvp(*args):
        b, b_t, k, k_t = _split(args, len(bc), len(tb), len(init))
        outs, touts = jvp_flat(lambda *a: _run(body, *a), b + k, fill(b_t, mb) + fill(k_t, mi))
        touts = [zeros_like_value(o) if t is None else t for o, t in zip(outs, touts)]
        return outs + [t for t, m in zip(touts, mi) if m]

    def cond_jvp(*args):
        c, k, _ = _split(args, n_cc, len(init))
        return _run(cond, *c, *k)

    gb, gbc = _trace_flat(body_jvp, _avals(bc) + _avals(tb) + _avals(init) + _avals(ti))
    gc, gcc = _trace_flat(cond_jvp, _avals(cc) + _avals(init) + _avals(ti))
    res = bind(while_p, *gcc, *cc, *gbc, *bc, *tb, *init, *ti, cond=gc, body=gb,
               n_cc=len(gcc) + n_cc, n_bc=len(gbc) + len(bc) + len(tb))
    outs, touts = list(res[:len(init)]), res[len(init):]
    return outs, fill(touts, mi)


def _while_vjp(needs, cts, outs, *primals, cond, body, n_cc, n_bc):
    cond, body = _pure(cond), _pure(body)
    cc, bc, init = _split(primals, n_cc, n_bc)
    cts = [_zeros(o.aval) if c is None else c for c, o in zip(cts, outs)]
    n_k = len(init)

    def body_vjp(*args):
        b, k, ct = _split(args, n_bc, n_k)
        _, pull, _ = vjp_flat(lambda *a: (_run(body, *a), None), b + k)
        return pull(ct)

    gv, gvc = _trace_flat(body_vjp, _avals(bc) + _avals(init) + _avals(cts), "while_vjp")
    res = bind(while_vjp_p, *gvc, *cc, *bc, *init, *cts, cond=cond, body=body, body_vjp=gv,
               n_vc=len(gvc), n_cc=n_cc, n_bc=n_bc)
    out = [None] * n_cc + list(res)
    return [o if need and _diff(p.aval) else None for o, need, p in zip(out, needs, primals)]


def _while_batch(vals, dims, *, cond, body, n_cc, n_bc):
    from ..core.prims._factories import batch_size, moveaxis
    size = batch_size(vals, dims)
    vals = [v if d is None else moveaxis(v, d, 0) for v, d in zip(vals, dims)]
    dims = [None if d is None else 0 for d in dims]
    cc, bc, init = _split(vals, n_cc, n_bc)
    dcc, dbc, di = _split(dims, n_cc, n_bc)
    carry_b = [d is not None for d in di]

    def cdims(cb):
        return [0 if b else None for b in cb]

    def pred_batched(cb):
        box = []

        def f(*a):
            c, k = _split(a, n_cc)[:2]
            ((p, d),) = batch_flat(lambda *x: _run(cond, *x), c + k, dcc + cdims(cb), size)
            box.append(d is not None)
            return [p]
        _trace_flat(f, _avals(cc) + [_bat_aval(v, d, b, size)
                                     for v, d, b in zip(init, di, cb)])
        return box[0]

    def body_out_batched(cb):
        box = []

        def f(*a):
            b, k = _split(a, n_bc)[:2]
            res = batch_flat(lambda *x: _run(body, *x), b + k, dbc + cdims(cb), size)
            box.append([d is not None for _, d in res])
            return [v for v, _ in res]
        _trace_flat(f, _avals(bc) + [_bat_aval(v, d, b, size)
                                     for v, d, b in zip(init, di, cb)])
        return box[0]

    while True:
        pb = pred_batched(carry_b)
        new = [True] * len(carry_b) if pb else [a or b for a, b in
                                                zip(carry_b, body_out_batched(carry_b))]
        if new == carry_b:
            break
        carry_b = new
    init = [_stack_front(v, d, size) if b else v for v, d, b in zip(init, di, carry_b)]
    k_avals = _avals(init)

    def body_b(*a):
        b, k = _split(a, n_bc)[:2]
        res = batch_flat(lambda *x: _run(body, *x), b + k, dbc + cdims(carry_b), size)
        return [(_stack_front(v, d, size) if bb else v) for (v, d), bb in zip(res, carry_b)]

    def cond_b(*a):
        c, k = _split(a, n_cc)[:2]
        ((p, d),) = batch_flat(lambda *x: _run(cond, *x), c + k, dcc + cdims(carry_b), size)
        return [p]

    if not pb:
        gb, gbc = _trace_flat(body_b, _avals(bc) + k_avals)
        gc, gcc = _trace_flat(cond_b, _avals(cc) + k_avals)
        res = bind(while_p, *gcc, *cc, *gbc, *bc, *init, cond=gc, body=gb,
                   n_cc=len(gcc) + n_cc, n_bc=len(gbc) + n_bc)
        return list(res), cdims(carry_b)
    # a batched predicate: loop while any lane runs; finished lanes keep their carry
    import funcnet.numpy as fnp

    def cond_any(*a):
        return [fnp.any(cond_b(*a)[0])]

    def body_sel(*a):
        c, b, k = _split(a, n_cc, n_bc)
        p = cond_b(*c, *k)[0]
        new = body_b(*b, *k)
        return [fnp.where(fnp.reshape(p, (size,) + (1,) * (n.ndim - 1)), n, o)
                for n, o in zip(new, k)]

    gb, gbc = _trace_flat(body_sel, _avals(cc) + _avals(bc) + k_avals)
    gc, gcc = _trace_flat(cond_any, _avals(cc) + k_avals)
    res = bind(while_p, *gcc, *cc, *gbc, *cc, *bc, *init, cond=gc, body=gb,
               n_cc=len(gcc) + n_cc, n_bc=len(gbc) + n_cc + n_bc)
    return list(res), [0] * len(res)


def _while_lower(xp, *, cond, body, n_cc, n_bc):
    return lambda *vals: _while_impl(xp, *vals, cond=cond, body=body, n_cc=n_cc, n_bc=n_bc)


register(while_p, impl=_while_impl, abstract_eval=_while_abstract, jvp=_while_jvp,
         vjp=_while_vjp, batch=_while_batch, lower=_while_lower)

# -- reverse mode through while_loop (dynamic trip count): one runtime primitive that runs the
#    loop forward keeping every carry, then the body's pullback backwards over them.
while_vjp_p = Primitive("while_vjp", multiple_results=True, keeps_weak=False)


def _while_vjp_impl(xp, *vals, cond, body, body_vjp, n_vc, n_cc, n_bc):
    fc, fb, fv = _compiled(cond, xp), _compiled(body, xp), _compiled(body_vjp, xp)
    n_k = len(body.out_vars)
    vc, cc, bc, carry, ct = _split(vals, n_vc, n_cc, n_bc, n_k)
    seen = []
    while bool(fc(*cc, *carry)[0]):
        seen.append(carry)
        carry = list(fb(*bc, *carry))
    acc = [xp.zeros(np.shape(b), np.asarray(b).dtype) for b in bc]
    for k in reversed(seen):
        g = fv(*vc, *bc, *k, *ct)
        acc = [a + gb for a, gb in zip(acc, g[:n_bc])]
        ct = list(g[n_bc:])
    return tuple(xp.asarray(a) for a in acc) + tuple(xp.asarray(c) for c in ct)


def _while_vjp_abstract(*avals, cond, body, body_vjp, n_vc, n_cc, n_bc):
    n_k = len(body.out_vars)
    return [(a.shape, a.dtype) for a in avals[n_vc + n_cc:n_vc + n_cc + n_bc + n_k]]


def _no_higher(*args, **kwargs):
    raise NotImplementedError(
        "funcnet: differentiating the reverse-mode derivative of a while_loop again is not "
        "supported; use lax.fori_loop with concrete bounds or lax.scan (both differentiate "
        "to any order), or forward mode for both derivatives (jacfwd(jacfwd(f)))")


def _while_vjp_batch(vals, dims, **params):
    # one loop per example: lanes may run different numbers of iterations
    import funcnet.numpy as fnp

    from ..core.prims._factories import batch_size
    size = batch_size(vals, dims)
    outs = []
    for i in range(size):
        args = [v if d is None else fnp.take(v, i, axis=d) for v, d in zip(vals, dims)]
        outs.append(bind(while_vjp_p, *args, **params))
    return [fnp.stack([o[k] for o in outs]) for k in range(len(outs[0]))], [0] * len(outs[0])


def _while_vjp_lower(xp, **params):
    return lambda *vals: _while_vjp_impl(xp, *vals, **params)


register(while_vjp_p, impl=_while_vjp_impl, abstract_eval=_while_vjp_abstract,
         jvp=_no_higher, vjp=_no_higher, batch=_while_vjp_batch, lower=_while_vjp_lower)


def while_loop(cond_fun, body_fun, init_val):
    """``while cond_fun(val): val = body_fun(val)`` as one primitive.

    Works eagerly, under jit, under vmap (a batched predicate runs until every example is
    done; finished examples keep their value) and under grad: forward and **reverse mode**
    (the trip count may depend on the data; JAX refuses reverse mode here).

    Args:
        cond_fun: ``val -> bool scalar``.
        body_fun: ``val -> val`` with the same structure, shapes and dtypes.
        init_val: the initial value (a pytree).

    Returns:
        The final value.

    Raises:
        TypeError: a body that changes the carry's structure, shape or dtype (both named),
            or a predicate that is not a boolean scalar.

    Example:
        >>> import funcnet, funcnet.numpy as fnp
        >>> funcnet.lax.while_loop(lambda x: x < 10, lambda x: x * 2, fnp.asarray(1.0)).item()
        16.0
    """
    c_leaves, c_tree = tree_util.flatten(init_val)
    c_leaves = [_strong(as_array(c)) for c in c_leaves]
    c_avals = [c.aval for c in c_leaves]

    def cond_f(*a):
        p = as_array(cond_fun(tree_util.unflatten(c_tree, list(a))))
        if p.shape != () or p.dtype != np.bool_:
            raise TypeError(f"lax.while_loop: cond_fun {fun_name(cond_fun)} must return a "
                            f"boolean scalar, got {p.aval.str_short()}")
        return [p], None

    def body_f(*a):
        out = body_fun(tree_util.unflatten(c_tree, list(a)))
        ol, ot = tree_util.flatten(out)
        ol = [as_array(o) for o in ol]
        _check_same("lax.while_loop", "the body input (init_val)", c_tree, c_avals,
                    "the body output", ot, [o.aval for o in ol])
        return [_strong(o) for o in ol], None

    gc, cc, _ = trace_closed(cond_f, c_avals, f"cond {fun_name(cond_fun)}")
    gb, bc, _ = trace_closed(body_f, c_avals, f"body {fun_name(body_fun)}")
    res = bind(while_p, *cc, *bc, *c_leaves, cond=gc, body=gb, n_cc=len(cc), n_bc=len(bc))
    return tree_util.unflatten(c_tree, list(res))


def fori_loop(lower, upper, body_fun, init_val):
    """``for i in range(lower, upper): val = body_fun(i, val)``.

    With concrete bounds this is a ``scan`` (differentiable to any order); with traced bounds
    a ``while_loop``.

    Example:
        >>> import funcnet, funcnet.numpy as fnp
        >>> funcnet.lax.fori_loop(0, 4, lambda i, x: x + i, fnp.asarray(0.0)).item()
        6.0
    """
    import funcnet.numpy as fnp
    lo, hi = as_array(lower), as_array(upper)
    if type(lo) is Array and type(hi) is Array:
        n = max(int(hi) - int(lo), 0)
        start = int(lo)

        def step(c, i):
            return body_fun(i, c), None
        out, _ = scan(step, init_val, fnp.arange(start, start + n, dtype=fnp.int32))
        return out

    def cond_f(s):
        return s[0] < hi

    def body_f(s):
        return (s[0] + 1, body_fun(s[0], s[1]))
    return while_loop(cond_f, body_f, (fnp.asarray(lo, dtype=fnp.int32), init_val))[1]
