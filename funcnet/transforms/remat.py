# checkpoint / remat: recompute a function's forward pass during the backward pass instead of
# keeping its intermediates (the tape records one node holding only the inputs).
from __future__ import annotations

import functools

from .. import tree as tree_util
from ..core.graph import eval_graph
from ..core.primitive import bind
from ..core.registry import Primitive, register
from ._util import as_array, fun_name
from .ad import jvp_flat, vjp_flat, zeros_like_value
from .custom import _abstract, _batched_graph, _diff, _impl
from .staging import trace_closed

remat_p = Primitive("checkpoint", multiple_results=True, keeps_weak=False)


def _run(graph, vals):
    return eval_graph(graph, [], list(vals))


def _remat_jvp(primals, tangents, *, graph, n_consts, name):
    outs, touts = jvp_flat(lambda *a: _run(graph, a), list(primals), list(tangents))
    return outs, touts


def _remat_vjp(needs, cts, outs, *primals, graph, n_consts, name):
    from ..lax._control_flow import _pure
    graph = _pure(graph)  # the recomputation must not repeat prints / callbacks
    cts = [zeros_like_value(o) if c is None else c for c, o in zip(cts, outs)]
    # the recomputation happens here, in the backward pass
    _, pull, _ = vjp_flat(lambda *a: (_run(graph, a), None), list(primals))
    g = pull(cts)
    return [c if need and _diff(p) else None for c, need, p in zip(g, needs, primals)]


def _remat_batch(vals, dims, *, graph, n_consts, name):
    from ..core.prims._factories import batch_size, moveaxis
    size = batch_size(vals, dims)
    vals = [v if d is None else moveaxis(v, d, 0) for v, d in zip(vals, dims)]
    dims = [None if d is None else 0 for d in dims]
    g, gc = _batched_graph(graph, vals, dims, size)
    res = bind(remat_p, *gc, *vals, graph=g, n_consts=len(gc) + n_consts, name=name)
    return list(res), [0] * len(res)


register(remat_p, impl=_impl, abstract_eval=_abstract, jvp=_remat_jvp, vjp=_remat_vjp,
         batch=_remat_batch, lower=lambda xp, **p: (lambda *v: _impl(xp, *v, **p)))


def checkpoint(fun, *, prevent_cse=True, policy=None, static_argnums=()):
    """Makes ``fun`` recompute its forward pass in the backward pass (alias ``remat``).

    Reverse-mode differentiation then keeps only ``fun``'s inputs instead of every
    intermediate value: less memory for one more forward evaluation. Values and gradients
    are unchanged.

    Args:
        fun: the function to checkpoint.
        static_argnums: positions of non-array arguments passed through unchanged.

    Returns:
        A function with ``fun``'s signature.

    Example:
        >>> import funcnet, funcnet.numpy as fnp
        >>> layer = funcnet.checkpoint(lambda w, x: fnp.tanh(x @ w))
        >>> g = funcnet.grad(lambda w, x: layer(w, x).sum())(fnp.ones((2, 2)), fnp.ones((1, 2)))
        >>> g.shape
        (2, 2)
    """
    if isinstance(static_argnums, int):
        static_argnums = (static_argnums,)
    name = f"checkpoint({fun_name(fun)})"

    @functools.wraps(fun, updated=())
    def wrapped(*args):
        static = {i: args[i] for i in static_argnums}
        dyn = tuple(a for i, a in enumerate(args) if i not in static)
        leaves, in_tree = tree_util.flatten(dyn)
        leaves = [as_array(x) for x in leaves]
        box = {}

        def flat(*xs):
            it = iter(tree_util.unflatten(in_tree, list(xs)))
            full = [static[i] if i in static else next(it) for i in range(len(args))]
            out = fun(*full)
            ol, box["tree"] = tree_util.flatten(out)
            return [as_array(o) for o in ol], None

        g, consts, _ = trace_closed(flat, [x.aval for x in leaves], name)
        res = bind(remat_p, *consts, *leaves, graph=g, n_consts=len(consts), name=name)
        return tree_util.unflatten(box["tree"], list(res))

    return wrapped


remat = checkpoint
