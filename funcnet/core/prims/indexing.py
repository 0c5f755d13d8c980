# Indexing primitives: getitem (basic + integer-array indexing), scatter (the .at[]
# updates and getitem's transpose), argsort.
#
# An index is a static ``spec`` tuple plus the integer index arrays as operands:
#   ("s", start, stop, step)  a slice, already normalised for the indexed dim
#   ("i", k)                  an integer (non-negative)
#   ("n",)                    a new axis
#   ("a", j)                  the j-th index-array operand
#   ("e",)                    an ellipsis over no dims (it still separates advanced indices)
from __future__ import annotations

import numpy as np

from ...errors import ShapeError
from ..primitive import bind
from ..registry import Primitive, register
from ._factories import (
    batch_size,
    bdim_to_front,
    broadcast_to,
    moveaxis,
    reshape,
    scalar,
    sum_to_shape,
    zeros_like,
)


def build_index(spec, arrays):
    out = []
    for e in spec:
        k = e[0]
        if k == "s":
            out.append(slice(e[1], e[2], e[3]))
        elif k == "i":
            out.append(e[1])
        elif k == "n":
            out.append(None)
        elif k == "e":
            out.append(Ellipsis)
        else:
            out.append(arrays[e[1]])
    return tuple(out)


def indexed_shape(shape, spec, array_shapes):
    dummy = np.lib.stride_tricks.as_strided(np.zeros((), bool), shape=shape,
                                            strides=(0,) * len(shape))
    arrays = [np.zeros(s, np.intp) for s in array_shapes]
    try:
        return dummy[build_index(spec, arrays)].shape
    except IndexError as e:
        raise IndexError(f"funcnet indexing: {e} (array shape {tuple(shape)})") from None


def static_slice(x, axis, start, stop):
    spec = tuple(("s", start, stop, 1) if i == axis else ("s", 0, d, 1)
                 for i, d in enumerate(x.shape))
    return bind(getitem_p, x, spec=spec)


# -- getitem -----------------------------------------------------------------------------------
getitem_p = Primitive("getitem")


def _getitem_impl(xp, x, *arrays, spec):
    return x[build_index(spec, arrays)]


def _getitem_abstract(x, *arrays, spec):
    for a in arrays:
        if a.dtype.kind not in "iu":
            raise IndexError(f"funcnet indexing: index arrays must be integers, got {a.dtype}")
    return indexed_shape(x.shape, spec, [a.shape for a in arrays]), x.dtype


def _getitem_jvp(primals, tangents, *, spec):
    x, *arrays = primals
    out = bind(getitem_p, x, *arrays, spec=spec)
    t = tangents[0]
    return out, (None if t is None else bind(getitem_p, t, *arrays, spec=spec))


def _getitem_vjp(needs, g, out, x, *arrays, spec):
    return [bind(scatter_p, zeros_like(x), g, *arrays, spec=spec, mode="add")] + \
        [None] * len(arrays)


def _batched_index(vals, dims, spec, b):
    """Rewrites a batched indexing problem so the batch dim is dim 0 of x and of the result.

    Returns (x, arrays, spec) with x's batch dim at 0 (broadcast if needed).
    """
    x, arrays = vals[0], list(vals[1:])
    x = bdim_to_front(x, dims[0], b)
    if all(d is None for d in dims[1:]) and not any(e[0] == "a" for e in spec):
        return x, arrays, (("s", 0, b, 1),) + spec
    # integer-array form: an arange over the batch becomes the first advanced index, so the
    # broadcast block of advanced indices (batch first) lands at dim 0 of the result
    rank = max([len(np.shape(a)) - (d is not None) for a, d in zip(arrays, dims[1:])] + [0])
    new_arrays = []
    for a, d in zip(arrays, dims[1:]):
        if d is not None:
            a = moveaxis(a, d, 0)
            s = a.shape
            a = reshape(a, s[:1] + (1,) * (rank - len(s) + 1) + s[1:])
        new_arrays.append(a)
    from ...core.array import wrap
    iota = wrap(np.arange(b, dtype=np.int32).reshape((b,) + (1,) * rank))
    spec = (("a", len(new_arrays)),) + spec
    return x, new_arrays + [iota], spec


def _block_move(spec, array_shapes):
    """Where the batched result's dims must go to match the per-example layout.

    Batched indexing puts the advanced-index block (with the batch) first; per example,
    NumPy keeps an *adjacent* block in place, after the dims of the entries before it.
    Returns (n_block, n_before): the block's per-example rank and the dims before it.
    """
    if not any(e[0] == "a" for e in spec):
        return 0, 0
    pos = [i for i, e in enumerate(spec) if e[0] in ("a", "i")]
    if pos != list(range(pos[0], pos[-1] + 1)):
        return 0, 0  # not adjacent: the block goes first per example too
    n_before = sum(1 for e in spec[:pos[0]] if e[0] in ("s", "n"))
    n_block = len(np.broadcast_shapes(*[tuple(s) for s in array_shapes])) if array_shapes \
        else 0
    return n_block, n_before


def _block_perm(ndim, n_block, n_before, to_batched):
    # per-example layout (B, before, block, after) <-> batched layout (B, block, before, after)
    rest = list(range(1 + n_block + n_before, ndim))
    if to_batched:  # from (B, before, block, after)
        return (0,) + tuple(range(1 + n_before, 1 + n_before + n_block)) + \
            tuple(range(1, 1 + n_before)) + tuple(rest)
    return (0,) + tuple(range(1 + n_block, 1 + n_block + n_before)) + \
        tuple(range(1, 1 + n_block)) + tuple(rest)


def _per_example_array_shapes(vals, dims):
    return [tuple(np.shape(a)) if d is None else tuple(np.shape(a))[:d] + tuple(
        np.shape(a))[d + 1:] for a, d in zip(vals[1:], dims[1:])]


def _getitem_batch(vals, dims, *, spec):
    b = batch_size(vals, dims)
    n_block, n_before = _block_move(spec, _per_example_array_shapes(vals, dims))
    x, arrays, bspec = _batched_index(vals, dims, spec, b)
    out = bind(getitem_p, x, *arrays, spec=bspec)
    if n_before and bspec[0][0] == "a":
        from .shape import transpose_p
        out = bind(transpose_p, out, permutation=_block_perm(len(out.shape), n_block, n_before,
                                                             to_batched=False))
    return out, 0


def _getitem_lower(xp, *, spec):
    if not any(e[0] == "a" for e in spec):
        idx = build_index(spec, ())
        return lambda x: x[idx]
    return lambda x, *arrays: x[build_index(spec, arrays)]


register(getitem_p, impl=_getitem_impl, abstract_eval=_getitem_abstract, jvp=_getitem_jvp,
         vjp=_getitem_vjp, batch=_getitem_batch, lower=_getitem_lower)

# -- scatter: x.at[idx].set/add/multiply/min/max(u) ----------------------------------------------
scatter_p = Primitive("scatter")
SCATTER_MODES = ("set", "add", "multiply", "min", "max")


def _scatter_impl(xp, x, u, *arrays, spec, mode):
    out = x.copy()
    index = build_index(spec, arrays)
    if mode == "set":
        out[index] = u
    elif mode == "add" and not arrays:
        out[index] += u
    else:
        xp.scatter_apply(mode, out, index, xp.broadcast_to(u, out[index].shape))
    return out


def _scatter_abstract(x, u, *arrays, spec, mode):
    target = indexed_shape(x.shape, spec, [a.shape for a in arrays])
    try:
        np.broadcast_shapes(u.shape, target)
        ok = len(u.shape) <= len(target) or all(d == 1 for d in u.shape[:len(u.shape) - len(
            target)])
    except ValueError:
        ok = False
    if not ok or tuple(np.broadcast_shapes(u.shape, target)) != tuple(target):
        raise ShapeError(f"x.at[...].{mode}: the value of shape {u.shape} cannot be broadcast "
                         f"to the indexed shape {target} (array shape {x.shape})")
    return x.shape, x.dtype


def _gather(g, arrays, spec):
    return bind(getitem_p, g, *arrays, spec=spec)


def _as(dtype, b):
    from .elementwise import convert_p
    return bind(convert_p, b, new_dtype=dtype, weak_type=False)


def _extremum_masks(out, x, u, arrays, spec):
    # ties split evenly between x and every update that reaches the winning value
    from .elementwise import eq_p
    kept_x = _as(out.dtype, bind(eq_p, out, x))
    hit_u = _as(out.dtype, bind(eq_p, _gather(out, arrays, spec), u))
    hits = bind(scatter_p, zeros_like(x), hit_u, *arrays, spec=spec, mode="add")
    return kept_x, hit_u, kept_x + hits


def _last_writer(x, arrays, spec, target, dtype):
    # 1 for the update element that a (last-wins) set actually stored, 0 for overwritten ones
    from ...core.array import wrap
    from .elementwise import eq_p
    n = int(np.prod(target, dtype=np.int64))
    pos = wrap(np.arange(n, dtype=np.int32).reshape(target))
    board = broadcast_to(scalar(-1, np.int32), tuple(x.shape))
    board = bind(scatter_p, board, pos, *arrays, spec=spec, mode="set")
    return _as(dtype, bind(eq_p, _gather(board, arrays, spec), pos))


def _mul_ratio(out, x, u, arrays, spec):
    # d out[i] / d u_j = (product of the other updates at i) * x[i] = out[i] / u_j (u_j != 0);
    # at u_j == 0 the unique-index value x[i] is used
    from .elementwise import eq_p, select_p
    zero = bind(eq_p, u, scalar(0, u.dtype))
    safe_u = bind(select_p, zero, broadcast_to(scalar(1, u.dtype), u.shape), u)
    g_out, g_x = _gather(out, arrays, spec), _gather(x, arrays, spec)
    return bind(select_p, zero, g_x * (u / safe_u), g_out / safe_u)


def _scatter_jvp(primals, tangents, *, spec, mode):
    x, u, *arrays = primals
    tx, tu = tangents[0], tangents[1]
    out = bind(scatter_p, x, u, *arrays, spec=spec, mode=mode)
    if tx is None and tu is None:
        return out, None
    tx = zeros_like(x) if tx is None else tx
    tu = zeros_like(u) if tu is None else tu
    if mode in ("set", "add"):
        return out, bind(scatter_p, tx, tu, *arrays, spec=spec, mode=mode)
    if mode == "multiply":
        t = bind(scatter_p, tx, u, *arrays, spec=spec, mode="multiply")
        return out, bind(scatter_p, t, _mul_ratio(out, x, u, arrays, spec) * tu, *arrays,
                         spec=spec, mode="add")
    kept_x, hit_u, total = _extremum_masks(out, x, u, arrays, spec)
    t = bind(scatter_p, tx * kept_x, tu * hit_u, *arrays, spec=spec, mode="add")
    return out, t / total


def _scatter_vjp(needs, g, out, x, u, *arrays, spec, mode):
    none = [None] * len(arrays)
    gathered = _gather(g, arrays, spec)
    if mode == "add":
        return [g, sum_to_shape(gathered, u.shape)] + none
    if mode == "set":
        gx = bind(scatter_p, g, scalar(0, g.dtype), *arrays, spec=spec, mode="set")
        if any(e[0] == "a" for e in spec):  # repeated indices: only the last write counts
            gathered = gathered * _last_writer(x, arrays, spec, tuple(gathered.shape), g.dtype)
        return [gx, sum_to_shape(gathered, u.shape)] + none
    if mode == "multiply":
        gx = bind(scatter_p, g, u, *arrays, spec=spec, mode="multiply")
        return [gx, sum_to_shape(gathered * _mul_ratio(out, x, u, arrays, spec),
                                 u.shape)] + none
    kept_x, hit_u, total = _extremum_masks(out, x, u, arrays, spec)
    gt = g / total
    return [gt * kept_x, sum_to_shape(_gather(gt, arrays, spec) * hit_u, u.shape)] + none


def _scatter_batch(vals, dims, *, spec, mode):
    b = batch_size(vals, dims)
    x, u = vals[0], vals[1]
    ivals, idims = [x] + list(vals[2:]), [dims[0]] + list(dims[2:])
    arr_shapes = _per_example_array_shapes(ivals, idims)
    n_block, n_before = _block_move(spec, arr_shapes)
    x_shape = tuple(x.shape) if dims[0] is None else tuple(x.shape)[:dims[0]] + tuple(
        x.shape)[dims[0] + 1:]
    target = indexed_shape(x_shape, spec, arr_shapes)  # per example
    xb, arrays, bspec = _batched_index(ivals, idims, spec, b)
    # updates: batch first, broadcast to the per-example indexed shape, then to the batched
    # layout of the indexed view
    u = bdim_to_front(u, dims[1], None) if dims[1] is not None else u
    if dims[1] is None:
        u = broadcast_to(u, (b,) + tuple(target))
    else:
        s = tuple(u.shape)
        u = reshape(u, s[:1] + (1,) * (len(target) - len(s) + 1) + s[1:])
        u = broadcast_to(u, (b,) + tuple(target))
    if n_before and bspec[0][0] == "a":
        from .shape import transpose_p
        u = bind(transpose_p, u, permutation=_block_perm(len(u.shape), n_block, n_before,
                                                         to_batched=True))
    return bind(scatter_p, xb, u, *arrays, spec=bspec, mode=mode), 0


register(scatter_p, impl=_scatter_impl, abstract_eval=_scatter_abstract, jvp=_scatter_jvp,
         vjp=_scatter_vjp, batch=_scatter_batch)

# -- argsort (stable; sort is composed from it in funcnet.numpy) ----------------------------------
argsort_p = Primitive("argsort", keeps_weak=False)


def _argsort_impl(xp, x, *, axis, descending, index_dtype):
    if descending:
        n = x.shape[axis]
        r = xp.flip(xp.argsort(xp.flip(x, axis), axis=axis, kind="stable"), axis)
        return (n - 1 - r).astype(index_dtype, copy=False)
    return xp.argsort(x, axis=axis, kind="stable").astype(index_dtype, copy=False)


def _argsort_batch(vals, dims, *, axis, descending, index_dtype):
    x = moveaxis(vals[0], dims[0], 0)
    return bind(argsort_p, x, axis=axis + 1, descending=descending,
                index_dtype=index_dtype), 0


register(argsort_p, impl=_argsort_impl,
         abstract_eval=lambda x, *, axis, descending, index_dtype: (x.shape, index_dtype),
         batch=_argsort_batch, differentiable=False)

__all__ = ["getitem_p", "scatter_p", "argsort_p", "static_slice", "build_index",
           "indexed_shape", "broadcast_to"]
