# User-defined derivative rules: custom_jvp and custom_vjp.
#
# Each call binds one primitive carrying the traced function (a closed Graph) and the user's
# rule; the rule tables below say how every interpreter treats it, so the rules compose with
# jit, vmap and nested differentiation like any other primitive.
from __future__ import annotations

import functools

import numpy as np

from .. import tree as tree_util
from ..core.array import Array
from ..core.graph import eval_graph
from ..core.primitive import bind
from ..core.registry import Primitive, register
from ..errors import GradError
from ._util import as_array, fun_name
from .ad import vjp_flat, zeros_like_value
from .batching import batch_flat, vmap
from .staging import trace_closed


def _diff(x):
    return np.dtype(x.dtype).kind in "fc"


def _split_static(args, nondiff):
    static = tuple((i, args[i]) for i in nondiff)
    dyn = tuple(a for i, a in enumerate(args) if i not in nondiff)
    return static, dyn


def _merge(static, dyn):
    st = dict(static)
    it = iter(dyn)
    n = len(static) + len(dyn)
    return [st[i] if i in st else next(it) for i in range(n)]


def _trace_fun(fun, static, dyn_leaves, in_tree, name):
    box = {}

    def flat(*xs):
        out = fun(*_merge(static, tree_util.unflatten(in_tree, list(xs))))
        leaves, box["tree"] = tree_util.flatten(out)
        return [as_array(o) for o in leaves], None

    g, consts, _ = trace_closed(flat, [x.aval for x in dyn_leaves], name)
    return g, consts, box["tree"]


def _run(graph, consts, xs):
    return eval_graph(graph, [], list(consts) + list(xs))


def _impl(xp, *vals, graph, n_consts, **_):
    from ..core.array import wrap
    return tuple(o._value if isinstance(o, Array) else o
                 for o in eval_graph(graph, [], [wrap(v) for v in vals]))


def _abstract(*avals, graph, **_):
    return [(v.aval.shape, v.aval.dtype) for v in graph.out_vars]


def _batched_graph(graph, vals, dims, size):
    from ..lax._control_flow import _stack_front

    def f(*a):
        res = batch_flat(lambda *x: eval_graph(graph, [], list(x)), list(a), dims, size)
        return [_stack_front(v, d, size) for v, d in res], None
    g, consts, _ = trace_closed(f, [v.aval for v in vals], "batched")
    return g, consts


# =================================================================================================
# custom_jvp
# =================================================================================================
custom_jvp_p = Primitive("custom_jvp_call", multiple_results=True, keeps_weak=False)


def _cjvp_jvp(primals, tangents, *, graph, n_consts, rule, in_tree, static):
    xs = list(primals[n_consts:])
    tans = [zeros_like_value(x) if t is None else t for x, t in zip(xs, tangents[n_consts:])]
    out, t_out = rule(static, xs, tans)
    return out, t_out


def _cjvp_vjp(needs, cts, outs, *primals, graph, n_consts, rule, in_tree, static):
    xs = list(primals[n_consts:])
    cts = [zeros_like_value(o) if c is None else c for c, o in zip(cts, outs)]
    # the rule is linear in the tangents: its pullback at zero tangents is its transpose
    zero = [zeros_like_value(x) for x in xs]
    _, pull, _ = vjp_flat(lambda *t: (rule(static, xs, list(t))[1], None), zero)
    g = pull(cts)
    return [None] * n_consts + [c if _diff(x) else None for c, x in zip(g, xs)]


def _cjvp_batch(vals, dims, *, graph, n_consts, rule, in_tree, static):
    from ..core.prims._factories import batch_size
    size = batch_size(vals, dims)
    vals = [v if d is None else _front(v, d) for v, d in zip(vals, dims)]
    dims = [None if d is None else 0 for d in dims]
    g, gc = _batched_graph(graph, vals, dims, size)
    xdims = dims[n_consts:]
    axes = tuple(xdims)

    def batched_rule(st, xs, ts):
        # a tangent is batched when it has the batch dim of its (per-example) primal
        nd = [x.ndim - (d is not None) for x, d in zip(xs, xdims)]
        t_axes = [0 if t.ndim > n else None for t, n in zip(ts, nd)]
        f = vmap(lambda p, t: tuple(map(list, rule(st, list(p), list(t)))),
                 in_axes=(list(axes), t_axes), axis_size=size)
        o, t = f(list(xs), list(ts))
        return list(o), list(t)
    res = bind(custom_jvp_p, *gc, *vals, graph=g, n_consts=len(gc) + n_consts,
               rule=_CallableKey(batched_rule), in_tree=in_tree, static=static)
    return list(res), [0] * len(res)


def _front(v, d):
    from ..core.prims._factories import moveaxis
    return moveaxis(v, d, 0)


class _CallableKey:
    """A rule function usable as a hashable, comparable graph parameter."""

    __slots__ = ("fn",)

    def __init__(self, fn):
        self.fn = fn

    def __call__(self, *a):
        return self.fn(*a)

    def __repr__(self):
        return fun_name(self.fn)


register(custom_jvp_p, impl=_impl, abstract_eval=_abstract, jvp=_cjvp_jvp, vjp=_cjvp_vjp,
         batch=_cjvp_batch, lower=lambda xp, **p: (lambda *v: _impl(xp, *v, **p)))


class custom_jvp:  # noqa: N801  (JAX's name)
    """A function with a user-defined forward-mode derivative (JAX's ``custom_jvp``).

    Reverse mode (grad, vjp) transposes the rule automatically, so one rule serves both.

    Example:
        >>> import funcnet, funcnet.numpy as fnp
        >>> @funcnet.custom_jvp
        ... def log1pexp(x):
        ...     return fnp.log1p(fnp.exp(x))
        >>> @log1pexp.defjvp
        ... def log1pexp_jvp(primals, tangents):
        ...     (x,), (t,) = primals, tangents
        ...     return log1pexp(x), t / (1 + fnp.exp(-x))
        >>> float(funcnet.grad(log1pexp)(fnp.asarray(100.0)))
        1.0
    """

    def __init__(self, fun, nondiff_argnums=()):
        self.fun = fun
        self.nondiff_argnums = tuple(nondiff_argnums)
        self.jvp = None
        functools.update_wrapper(self, fun, updated=())

    def defjvp(self, jvp, symbolic_zeros=False):
        """Sets the rule ``jvp(primals, tangents) -> (primal_out, tangent_out)`` (with
        nondiff args first: ``jvp(*nondiff_args, primals, tangents)``)."""
        self.jvp = jvp
        return jvp

    def defjvps(self, *jvps):
        """Per-argument rules ``jvp_i(tangent_i, primal_out, *primals)``, summed."""
        def jvp(primals, tangents):
            out = self.fun(*primals)
            t_out = None
            for fn, t in zip(jvps, tangents):
                if fn is None:
                    continue
                c = fn(t, out, *primals)
                t_out = c if t_out is None else tree_util.map(lambda a, b: a + b, t_out, c)
            return out, t_out
        self.jvp = jvp
        return jvp

    def __call__(self, *args):
        name = f"funcnet.custom_jvp({fun_name(self.fun)})"
        if self.jvp is None:
            raise TypeError(f"{name}: no derivative rule: call .defjvp(rule) first")
        static, dyn = _split_static(args, self.nondiff_argnums)
        leaves, in_tree = tree_util.flatten(dyn)
        leaves = [as_array(x) for x in leaves]
        g, consts, out_tree = _trace_fun(self.fun, static, leaves, in_tree, name)
        user = self.jvp
        static_vals = tuple(v for _, v in static)

        def rule(st, xs, ts):
            p = tree_util.unflatten(in_tree, list(xs))
            t = tree_util.unflatten(in_tree, list(ts))
            out, t_out = user(*st, tuple(p), tuple(t))
            o_leaves, o_tree = tree_util.flatten(out)
            t_leaves, t_tree = tree_util.flatten(t_out)
            if o_tree != out_tree or t_tree != out_tree:
                raise TypeError(f"{name}: the jvp rule must return (primal_out, tangent_out) "
                                f"both with the function's output structure {out_tree}; got "
                                f"{o_tree} and {t_tree}")
            return [as_array(o) for o in o_leaves], [as_array(o) for o in t_leaves]

        res = bind(custom_jvp_p, *consts, *leaves, graph=g, n_consts=len(consts),
                   rule=_CallableKey(rule), in_tree=in_tree, static=_StaticKey(static_vals))
        return tree_util.unflatten(out_tree, list(res))


class _StaticKey(tuple):
    """Static (nondiff) argument values as a graph parameter, compared by identity."""

    def __hash__(self):
        return id(self)

    def __eq__(self, other):
        return self is other


# =================================================================================================
# custom_vjp
# =================================================================================================
custom_vjp_p = Primitive("custom_vjp_call", multiple_results=True, keeps_weak=False)


def _cvjp_jvp(primals, tangents, *, graph, n_consts, fwd, bwd, in_tree, out_tree, static):
    raise GradError(
        "funcnet.custom_vjp: forward-mode differentiation (jvp, jacfwd, hessian) of a custom_vjp "
        "function is not defined: the rule only gives reverse mode. Use funcnet.custom_jvp (which "
        "serves both modes) or reverse mode (grad, vjp, jacrev).")


def _cvjp_vjp(needs, cts, outs, *primals, graph, n_consts, fwd, bwd, in_tree, out_tree, static):
    name = f"funcnet.custom_vjp({getattr(static, 'name', fwd)})"
    xs = list(primals[n_consts:])
    cts = [zeros_like_value(o) if c is None else c for c, o in zip(cts, outs)]
    args = tree_util.unflatten(in_tree, xs)
    res_pair = fwd(*_merge(tuple(zip(_positions(static), static)), tuple(args)))
    if not (isinstance(res_pair, tuple) and len(res_pair) == 2):
        raise TypeError(f"{name}: fwd must return (output, residuals), got "
                        f"{type(res_pair).__name__}")
    _, residuals = res_pair
    g = bwd(*static, residuals, tree_util.unflatten(out_tree, cts))
    if not isinstance(g, tuple):
        raise TypeError(f"{name}: bwd must return a tuple with one cotangent per (non-static) "
                        f"argument, i.e. the structure {in_tree}; got {type(g).__name__}")
    try:
        g_flat = in_tree.flatten_up_to(g)
    except (ValueError, TypeError):
        raise TypeError(f"{name}: bwd returned cotangents with structure "
                        f"{tree_util.structure(g)}, but the function's (non-static) arguments "
                        f"have structure {in_tree}; return one cotangent per argument, shaped "
                        "like it (None for zero)") from None
    out = []
    for c, x in zip(g_flat, xs):
        if c is None:
            out.append(None)
            continue
        c = as_array(c)
        if tuple(c.shape) != tuple(x.shape):
            raise TypeError(f"{name}: bwd returned a cotangent of shape {tuple(c.shape)} for an "
                            f"argument of shape {tuple(x.shape)}")
        out.append(c if _diff(x) else None)
    return [None] * n_consts + out


def _positions(static):
    return static.positions


def _cvjp_batch(vals, dims, *, graph, n_consts, fwd, bwd, in_tree, out_tree, static):
    from ..core.prims._factories import batch_size
    size = batch_size(vals, dims)
    vals = [v if d is None else _front(v, d) for v, d in zip(vals, dims)]
    dims = [None if d is None else 0 for d in dims]
    g, gc = _batched_graph(graph, vals, dims, size)
    xdims = dims[n_consts:]
    in_axes = tuple(tree_util.unflatten(in_tree, list(xdims)))

    def fwd_b(*args):
        dyn = [a for i, a in enumerate(args) if i not in static.positions]
        st = [a for i, a in enumerate(args) if i in static.positions]

        def one(*d):
            out, res = fwd(*_merge(tuple(zip(static.positions, st)), d))
            return out, res
        return vmap(one, in_axes=in_axes, axis_size=size)(*dyn)

    def bwd_b(*a):
        *st, res, ct = a
        return vmap(lambda r, c: bwd(*st, r, c), in_axes=(0, 0), axis_size=size)(res, ct)

    res = bind(custom_vjp_p, *gc, *vals, graph=g, n_consts=len(gc) + n_consts,
               fwd=_CallableKey(fwd_b), bwd=_CallableKey(bwd_b), in_tree=in_tree,
               out_tree=out_tree, static=static)
    return list(res), [0] * len(res)


register(custom_vjp_p, impl=_impl, abstract_eval=_abstract, jvp=_cvjp_jvp, vjp=_cvjp_vjp,
         batch=_cvjp_batch, lower=lambda xp, **p: (lambda *v: _impl(xp, *v, **p)))


class _Static(tuple):
    """Static (nondiff) argument values plus their positions; compared by identity."""

    positions: tuple = ()
    name: str = "function"

    def __hash__(self):
        return id(self)

    def __eq__(self, other):
        return self is other


class custom_vjp:  # noqa: N801  (JAX's name)
    """A function with a user-defined reverse-mode derivative (JAX's ``custom_vjp``).

    ``defvjp(fwd, bwd)``: ``fwd(*args) -> (out, residuals)``, ``bwd(residuals, ct) ->
    tuple of cotangents`` (one per non-static argument; nondiff args come first in ``bwd``).

    Example:
        >>> import funcnet, funcnet.numpy as fnp
        >>> @funcnet.custom_vjp
        ... def clip_grad(x):
        ...     return x
        >>> clip_grad.defvjp(lambda x: (x, None), lambda res, g: (fnp.clip(g, -1.0, 1.0),))
        >>> funcnet.grad(lambda x: 10 * clip_grad(x))(fnp.asarray(2.0)).item()
        1.0
    """

    def __init__(self, fun, nondiff_argnums=()):
        self.fun = fun
        self.nondiff_argnums = tuple(nondiff_argnums)
        self.fwd = self.bwd = None
        functools.update_wrapper(self, fun, updated=())

    def defvjp(self, fwd, bwd, symbolic_zeros=False):
        """Sets ``fwd(*args) -> (out, residuals)`` and ``bwd(*nondiff, residuals, ct)``."""
        self.fwd, self.bwd = fwd, bwd

    def __call__(self, *args):
        name = f"funcnet.custom_vjp({fun_name(self.fun)})"
        if self.fwd is None:
            raise TypeError(f"{name}: no derivative rule: call .defvjp(fwd, bwd) first")
        static, dyn = _split_static(args, self.nondiff_argnums)
        leaves, in_tree = tree_util.flatten(dyn)
        leaves = [as_array(x) for x in leaves]
        g, consts, out_tree = _trace_fun(self.fun, static, leaves, in_tree, name)
        st = _Static(v for _, v in static)
        st.positions = tuple(i for i, _ in static)
        st.name = fun_name(self.fun)
        res = bind(custom_vjp_p, *consts, *leaves, graph=g, n_consts=len(consts),
                   fwd=_CallableKey(self.fwd), bwd=_CallableKey(self.bwd), in_tree=in_tree,
                   out_tree=out_tree, static=st)
        return tree_util.unflatten(out_tree, list(res))
