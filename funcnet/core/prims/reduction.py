# Reductions over static axes (no keepdims: funcnet.numpy reshapes), arg-reductions and
# cumulative sums/products.
from __future__ import annotations

import numpy as np

from ..primitive import bind
from ..registry import Primitive, register
from ._factories import broadcast_to, moveaxis, reshape, scalar


def _kept_shape(shape, axes):
    return tuple(1 if i in axes else d for i, d in enumerate(shape))


def _reduced_shape(shape, axes):
    return tuple(d for i, d in enumerate(shape) if i not in axes)


def _expand_back(g, shape, axes):
    return broadcast_to(reshape(g, _kept_shape(shape, axes)), shape)


def _batch_axes(vals, dims, prim, **params):
    x = moveaxis(vals[0], dims[0], 0)
    axes = tuple(a + 1 for a in params.pop("axes"))
    return bind(prim, x, axes=axes, **params), 0


def _reduce(name, np_name, *, differentiable=True, jvp=None, vjp=None, out_dtype=None,
            keep_dtype=False):
    prim = Primitive(name, keeps_weak=out_dtype is None)

    def impl(xp, x, *, axes):
        if keep_dtype:  # NumPy would widen small integers (int32 -> int64)
            return getattr(xp, np_name)(x, axis=axes, dtype=x.dtype)
        return getattr(xp, np_name)(x, axis=axes)

    def abstract_eval(x, *, axes):
        return _reduced_shape(x.shape, axes), (x.dtype if out_dtype is None else out_dtype)

    def batch(vals, dims, *, axes):
        return _batch_axes(vals, dims, prim, axes=axes)

    def lower(xp, *, axes):
        f = getattr(xp, np_name)
        if keep_dtype:
            return lambda x: f(x, axis=axes, dtype=x.dtype)
        return lambda x: f(x, axis=axes)

    return register(prim, impl=impl, abstract_eval=abstract_eval, batch=batch, jvp=jvp,
                    vjp=vjp, lower=lower, differentiable=differentiable)


def _sum_jvp(primals, tangents, *, axes):
    out = bind(reduce_sum_p, primals[0], axes=axes)
    t = tangents[0]
    return out, (None if t is None else bind(reduce_sum_p, t, axes=axes))


def _sum_vjp(needs, g, out, x, *, axes):
    return [_expand_back(g, x.shape, axes)]


reduce_sum_p = _reduce("reduce_sum", "sum", jvp=_sum_jvp, vjp=_sum_vjp, keep_dtype=True)


def _location(x, out, axes):
    # indicator of the arg-max/min positions, split evenly among ties
    from .elementwise import convert_p, eq_p
    hit = bind(eq_p, x, _expand_back(out, x.shape, axes))
    hit = bind(convert_p, hit, new_dtype=x.dtype, weak_type=False)
    return hit / _expand_back(bind(reduce_sum_p, hit, axes=axes), x.shape, axes)


def _extremum_rules(get_prim):
    def jvp(primals, tangents, *, axes):
        x, t = primals[0], tangents[0]
        out = bind(get_prim(), x, axes=axes)
        if t is None:
            return out, None
        return out, bind(reduce_sum_p, t * _location(x, out, axes), axes=axes)

    def vjp(needs, g, out, x, *, axes):
        return [_expand_back(g, x.shape, axes) * _location(x, out, axes)]
    return jvp, vjp


_mx = _extremum_rules(lambda: reduce_max_p)
reduce_max_p = _reduce("reduce_max", "max", jvp=_mx[0], vjp=_mx[1])
_mn = _extremum_rules(lambda: reduce_min_p)
reduce_min_p = _reduce("reduce_min", "min", jvp=_mn[0], vjp=_mn[1])


def _prod_others(x, axes):
    # product of every other element in the reduced group, exact with zeros:
    # exclusive cumprod from the left times exclusive cumprod from the right
    from .shape import concatenate_p, transpose_p
    nd = len(x.shape)
    keep = [i for i in range(nd) if i not in axes]
    perm = tuple(keep + list(axes))
    xt = bind(transpose_p, x, permutation=perm) if perm != tuple(range(nd)) else x
    lead = tuple(x.shape[i] for i in keep)
    n = int(np.prod([x.shape[i] for i in axes], dtype=np.int64))
    flat = reshape(xt, lead + (n,))
    ones = broadcast_to(scalar(1, x.dtype), lead + (1,))
    ax = len(lead)
    left = bind(cumprod_p, flat, axis=ax, reverse=False)
    right = bind(cumprod_p, flat, axis=ax, reverse=True)
    from .indexing import static_slice
    left_ex = bind(concatenate_p, ones, static_slice(left, ax, 0, n - 1), axis=ax)
    right_ex = bind(concatenate_p, static_slice(right, ax, 1, n), ones, axis=ax)
    others = reshape(left_ex * right_ex, tuple(xt.shape))
    inv = tuple(int(i) for i in np.argsort(perm))
    return bind(transpose_p, others, permutation=inv) if perm != tuple(range(nd)) else others


def _prod_jvp(primals, tangents, *, axes):
    x, t = primals[0], tangents[0]
    out = bind(reduce_prod_p, x, axes=axes)
    if t is None:
        return out, None
    return out, bind(reduce_sum_p, t * _prod_others(x, axes), axes=axes)


def _prod_vjp(needs, g, out, x, *, axes):
    return [_expand_back(g, x.shape, axes) * _prod_others(x, axes)]


reduce_prod_p = _reduce("reduce_prod", "prod", jvp=_prod_jvp, vjp=_prod_vjp,
                        keep_dtype=True)
reduce_and_p = _reduce("reduce_and", "all", differentiable=False, out_dtype=np.dtype(bool))
reduce_or_p = _reduce("reduce_or", "any", differentiable=False, out_dtype=np.dtype(bool))


# -- argmax / argmin over one axis -------------------------------------------------------------
def _argreduce(name, np_name):
    prim = Primitive(name, keeps_weak=False)

    def impl(xp, x, *, axis, index_dtype):
        return getattr(xp, np_name)(x, axis=axis).astype(index_dtype, copy=False)

    def abstract_eval(x, *, axis, index_dtype):
        if x.shape[axis] == 0:
            raise ValueError(f"fnp.{np_name}: attempt to get {np_name} of an empty axis "
                             f"(axis {axis} of shape {x.shape})")
        return _reduced_shape(x.shape, (axis,)), index_dtype

    def batch(vals, dims, *, axis, index_dtype):
        x = moveaxis(vals[0], dims[0], 0)
        return bind(prim, x, axis=axis + 1, index_dtype=index_dtype), 0

    return register(prim, impl=impl, abstract_eval=abstract_eval, batch=batch,
                    differentiable=False)


argmax_p = _argreduce("argmax", "argmax")
argmin_p = _argreduce("argmin", "argmin")


# -- cumulative sum / product --------------------------------------------------------------------
def _cum(name, np_name, jvp, vjp):
    prim = Primitive(name)

    def impl(xp, x, *, axis, reverse):
        f = getattr(xp, np_name)
        if reverse:
            return xp.flip(f(xp.flip(x, axis), axis=axis, dtype=x.dtype), axis)
        return f(x, axis=axis, dtype=x.dtype)

    def abstract_eval(x, *, axis, reverse):
        return x.shape, x.dtype

    def batch(vals, dims, *, axis, reverse):
        x = moveaxis(vals[0], dims[0], 0)
        return bind(prim, x, axis=axis + 1, reverse=reverse), 0

    return register(prim, impl=impl, abstract_eval=abstract_eval, batch=batch, jvp=jvp,
                    vjp=vjp)


def _cumsum_jvp(primals, tangents, *, axis, reverse):
    out = bind(cumsum_p, primals[0], axis=axis, reverse=reverse)
    t = tangents[0]
    return out, (None if t is None else bind(cumsum_p, t, axis=axis, reverse=reverse))


def _cumsum_vjp(needs, g, out, x, *, axis, reverse):
    return [bind(cumsum_p, g, axis=axis, reverse=not reverse)]


def _cumprod_jvp(primals, tangents, *, axis, reverse):
    x, t = primals[0], tangents[0]
    out = bind(cumprod_p, x, axis=axis, reverse=reverse)
    if t is None:
        return out, None
    return out, out * bind(cumsum_p, t / x, axis=axis, reverse=reverse)


def _cumprod_vjp(needs, g, out, x, *, axis, reverse):
    # d out_j / d x_i = out_j / x_i for j at or after i (needs x != 0)
    return [bind(cumsum_p, g * out, axis=axis, reverse=not reverse) / x]


cumsum_p = _cum("cumsum", "cumsum", _cumsum_jvp, _cumsum_vjp)
cumprod_p = _cum("cumprod", "cumprod", _cumprod_jvp, _cumprod_vjp)
