# vmap: the batching interpreter. A BatchTracer carries a value and the position of its
# batch dim (None: not batched); each primitive's batch rule maps them to the output.
from __future__ import annotations

from ..core.primitive import bind
from ..core.registry import batch_rules, rule
from ..core.trace import Trace, Tracer, new_main, to_array
from ..errors import ConcretizationError


class BatchTracer(Tracer):
    __slots__ = ("val", "bdim")

    def __init__(self, trace, val, bdim):
        self._trace = trace
        self.val = val
        self.bdim = bdim

    @property
    def aval(self):
        a = self.val.aval
        if self.bdim is None:
            return a
        return a.update(shape=a.shape[:self.bdim] + a.shape[self.bdim + 1:])

    def _concretization_error(self, what):
        return ConcretizationError(
            f"funcnet.vmap: {what} on a batched value {self.aval.str_short()} (each example "
            "may take a different branch). Use fnp.where(cond, x, y) or funcnet.lax.cond / "
            "funcnet.lax.while_loop, which vmap turns into a select / a loop over all lanes.")


class BatchTrace(Trace):
    __slots__ = ()

    def pure(self, val):
        return BatchTracer(self, to_array(val), None)

    lift = pure

    def process_primitive(self, prim, tracers, params):
        vals = [t.val for t in tracers]
        dims = [t.bdim for t in tracers]
        if all(d is None for d in dims):
            return bind(prim, *vals, **params)
        try:
            out, odim = rule(batch_rules, prim, "batching")(vals, dims, **params)
        except (ValueError, TypeError, IndexError):
            # report a user error with the per-example shapes the user wrote code for
            from ..core.registry import abstract_rules
            abstract_rules[prim](*[t.aval for t in tracers], **params)
            raise
        if prim.multiple_results:
            return [BatchTracer(self, o, d) for o, d in zip(out, odim)]
        return BatchTracer(self, out, odim)


def batch_flat(fun, vals, dims, size):
    """Runs ``fun`` on batched flat inputs; returns flat (values, batch dims) of the outputs."""
    from ..core.prims._factories import moveaxis  # noqa: F401  (prims loaded)
    with new_main(BatchTrace, size) as main:
        trace = main.trace
        ins = [BatchTracer(trace, v, d) if d is not None else v for v, d in zip(vals, dims)]
        outs = fun(*ins)
        res = []
        for o in outs:
            if isinstance(o, BatchTracer) and o._trace.main is main:
                res.append((o.val, o.bdim))
            else:
                res.append((o, None))
    return res


# -- public vmap ----------------------------------------------------------------------------------
def _broadcast_prefix(fname, what, prefix, tree_val):
    """Expands an in_axes/out_axes prefix tree to one entry per leaf of ``tree_val``."""
    from .. import tree as tree_util
    if prefix is None or isinstance(prefix, int):
        return [prefix] * len(tree_util.leaves(tree_val))
    out = []
    try:
        pre_leaves, pre_tree = tree_util.flatten(prefix, is_leaf=lambda x: x is None)
        subtrees = pre_tree.flatten_up_to(tree_val)
    except (ValueError, TypeError) as e:
        raise ValueError(
            f"{fname}: {what} {prefix!r} does not match the structure of the arguments "
            f"({tree_util.structure(tree_val)}): {e}. Give one int/None per argument, or a "
            "pytree prefix of the arguments.") from None
    for p, sub in zip(pre_leaves, subtrees):
        if p is not None and not isinstance(p, int):
            raise TypeError(f"{fname}: {what} entries must be int or None, got {p!r}")
        out.extend([p] * len(tree_util.leaves(sub)))
    return out


def vmap(fun, in_axes=0, out_axes=0, axis_size=None):
    """Vectorising map: maps ``fun`` over an axis of its arguments.

    Args:
        fun: function of arrays / pytrees of arrays.
        in_axes: int, None, or a tuple / pytree prefix of the positional arguments giving the
            mapped axis of each (None: not mapped, broadcast to every example).
        out_axes: where the mapped axis goes in the outputs (int, None, or a pytree prefix).
        axis_size: the mapped size, needed only when no argument is mapped.

    Returns:
        The batched function.

    Raises:
        ShapeError: mapped axes of different sizes.
        ValueError: ``in_axes`` whose structure does not match the arguments.

    Example:
        >>> import funcnet, funcnet.numpy as fnp
        >>> dot = lambda a, b: (a * b).sum()
        >>> funcnet.vmap(dot, in_axes=(0, None))(fnp.ones((3, 2)), fnp.asarray([1.0, 2.0]))
        Array([3., 3., 3.], dtype=float32)
    """
    import functools

    from .. import tree as tree_util
    from ..errors import ShapeError
    from ._util import as_array, fun_name

    name = f"funcnet.vmap({fun_name(fun)})"
    if isinstance(in_axes, list):
        in_axes = tuple(in_axes)

    @functools.wraps(fun, updated=())
    def vmapped(*args, **kwargs):
        if isinstance(in_axes, tuple) and len(in_axes) != len(args):
            raise ValueError(
                f"{name}: in_axes has {len(in_axes)} entries but the function was called with "
                f"{len(args)} positional argument(s); in_axes must have one entry per argument")
        axes = _broadcast_prefix(name, "in_axes", in_axes if isinstance(in_axes, tuple)
                                 else in_axes, args)
        # keyword arguments are always mapped over their leading axis (as in JAX)
        axes = axes + [0] * len(tree_util.leaves(kwargs))
        leaves_paths, in_tree = tree_util.flatten_with_path((args, kwargs))
        leaves_paths = [(p[1:] if p and getattr(p[0], "idx", 1) == 0 else p, x)
                        for p, x in leaves_paths]
        vals, dims, size, first = [], [], axis_size, None
        for (path, x), ax in zip(leaves_paths, axes):
            x = as_array(x) if ax is not None else x
            if ax is not None:
                nd = len(x.shape)
                if not -nd <= ax < nd:
                    raise ValueError(f"{name}: in_axes={ax} is out of range for argument "
                                     f"args{tree_util.keystr(path)} of shape {tuple(x.shape)}")
                ax %= nd
                n = x.shape[ax]
                if size is None:
                    size, first = n, (path, x.shape, ax)
                elif n != size:
                    where = (f"args{tree_util.keystr(first[0])} has size {size} on axis "
                             f"{first[2]} (shape {tuple(first[1])})") if first else \
                        f"axis_size={size}"
                    raise ShapeError(
                        f"{name}: mapped axes must all have the same size, but {where} and "
                        f"args{tree_util.keystr(path)} has size {n} on axis {ax} (shape "
                        f"{tuple(x.shape)})")
            vals.append(x)
            dims.append(ax)
        if size is None:
            raise ValueError(f"{name}: no argument is mapped (all in_axes are None); pass "
                             "axis_size= to say how many examples to produce")
        box = {}

        def flat_fun(*flat):
            a, kw = tree_util.unflatten(in_tree, list(flat))
            out = fun(*a, **kw)
            outs, box["tree"] = tree_util.flatten(out)
            return [as_array(o) for o in outs]

        res = batch_flat(flat_fun, vals, dims, size)
        out_tree = box["tree"]
        oaxes = _broadcast_prefix(name, "out_axes", out_axes, tree_util.unflatten(
            out_tree, [0] * out_tree.num_leaves))
        from ..core.prims._factories import broadcast_to, moveaxis
        outs = []
        for (v, d), oa in zip(res, oaxes):
            if oa is None:
                if d is not None:
                    raise ValueError(f"{name}: out_axes=None for an output that depends on the "
                                     "mapped axis")
                outs.append(v)
                continue
            if d is None:
                v = broadcast_to(v, (size,) + tuple(v.shape))
                d = 0
            outs.append(moveaxis(v, d, oa % (len(v.shape))))
        return tree_util.unflatten(out_tree, outs)

    return vmapped
