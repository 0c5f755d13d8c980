# Shared helpers for primitive rules: batching moves, broadcasting sums, constants,
# and the unop / binop factories that turn one line into a fully-ruled primitive.
from __future__ import annotations

import numpy as np

from ...errors import ShapeError
from ..primitive import bind
from ..registry import Primitive, register

# -- small functional helpers (bind only; rules stay transform-agnostic) -----------------


def shape_of(x):
    try:
        return x.shape
    except AttributeError:
        return np.shape(x)


def scalar(value, dtype):
    """A device-neutral NumPy scalar constant of ``dtype``."""
    return np.dtype(dtype).type(value)


def moveaxis(x, src, dst):
    nd = len(shape_of(x))
    src, dst = src % nd, dst % nd
    if src == dst:
        return x
    perm = [i for i in range(nd) if i != src]
    perm.insert(dst, src)
    return bind(_S.transpose_p, x, permutation=tuple(perm))


def reshape(x, shape):
    shape = tuple(shape)
    if tuple(shape_of(x)) == shape:
        return x
    return bind(_S.reshape_p, x, new_sizes=shape)


def broadcast_to(x, shape):
    shape = tuple(shape)
    if tuple(shape_of(x)) == shape:
        return x
    return bind(_S.broadcast_to_p, x, shape=shape)


def reduce_sum(x, axes):
    if not axes:
        return x
    return bind(_R.reduce_sum_p, x, axes=tuple(sorted(axes)))


def sum_to_shape(g, shape):
    """Sums a broadcast result back to ``shape`` (the VJP of implicit broadcasting)."""
    shape = tuple(shape)
    gshape = tuple(shape_of(g))
    if gshape == shape:
        return g
    lead = len(gshape) - len(shape)
    axes = list(range(lead))
    for i, d in enumerate(shape):
        if d == 1 and gshape[lead + i] != 1:
            axes.append(lead + i)
    g = reduce_sum(g, axes)
    return reshape(g, shape)


def zeros_like(x):
    z = broadcast_to(scalar(0, x.dtype), tuple(x.shape))
    if isinstance(z, np.generic):  # a 0-d result stays an Array
        from ..array import wrap
        z = wrap(z)
    return z


def batch_size(vals, dims):
    for v, d in zip(vals, dims):
        if d is not None:
            return shape_of(v)[d]
    raise AssertionError("no batched operand")  # pragma: no cover


def bdim_to_front(x, d, size=None):
    """Moves the batch dim to 0; an unbatched value is broadcast when ``size`` is given."""
    if d is None:
        if size is None:
            return x
        return broadcast_to(x, (size,) + tuple(shape_of(x)))
    return moveaxis(x, d, 0)


def broadcast_batch(vals, dims):
    """Batched operands of a broadcasting op: batch dim at 0, ranks aligned after it."""
    rank = max(len(shape_of(v)) - (d is not None) for v, d in zip(vals, dims))
    out = []
    for v, d in zip(vals, dims):
        if d is None:
            out.append(v)
            continue
        v = moveaxis(v, d, 0)
        s = tuple(shape_of(v))
        if len(s) - 1 < rank:
            v = reshape(v, s[:1] + (1,) * (rank - len(s) + 1) + s[1:])
        out.append(v)
    return out


def broadcast_shapes(fname, *shapes):
    try:
        return tuple(np.broadcast_shapes(*shapes))
    except ValueError:
        raise ShapeError(
            f"{fname}: shapes {' and '.join(map(str, (tuple(s) for s in shapes)))} cannot be "
            "broadcast together (each trailing dim must be equal or 1)") from None


def _check_same_dtype(name, avals):
    d0 = avals[0].dtype
    for a in avals[1:]:
        if a.dtype != d0:
            raise TypeError(f"funcnet internal: primitive {name} got mixed dtypes "
                            f"{[str(x.dtype) for x in avals]}")


# -- factories -----------------------------------------------------------------------------


def unop(name, np_name=None, deriv=None, *, zero_deriv=False, out_dtype=None, nondiff=False):
    """An elementwise one-input primitive.

    ``deriv(x, out)`` is dy/dx (written with funcnet ops, so higher orders work);
    ``zero_deriv`` marks piecewise-constant ops (floor, sign...) whose derivative is 0.
    """
    np_name = np_name or name
    prim = Primitive(name, keeps_weak=out_dtype is None)

    def impl(xp, x):
        return getattr(xp, np_name)(x)

    def abstract_eval(x):
        return x.shape, (x.dtype if out_dtype is None else np.dtype(out_dtype))

    def jvp(primals, tangents):
        (x,), (t,) = primals, tangents
        out = bind(prim, x)
        if t is None or zero_deriv:
            return out, None
        return out, t * deriv(x, out)

    def vjp(needs, g, out, x):
        if zero_deriv:
            return [None]
        return [g * deriv(x, out)]

    def batch(vals, dims):
        return bind(prim, vals[0]), dims[0]

    differentiable = not nondiff
    return register(prim, impl=impl, abstract_eval=abstract_eval, batch=batch,
                    jvp=jvp if differentiable else None, vjp=vjp if differentiable else None,
                    lower=lambda xp: getattr(xp, np_name), differentiable=differentiable)


def binop(name, np_name=None, dx=None, dy=None, *, out_dtype=None, nondiff=False, vjp=None,
          jvp=None):
    """An elementwise two-input broadcasting primitive (operands share one dtype).

    ``dx(x, y, out)`` and ``dy(x, y, out)`` are the partial derivatives.
    """
    np_name = np_name or name
    prim = Primitive(name, keeps_weak=out_dtype is None)

    def impl(xp, x, y):
        return getattr(xp, np_name)(x, y)

    def abstract_eval(x, y):
        _check_same_dtype(name, (x, y))
        shape = broadcast_shapes(f"fnp.{name}", x.shape, y.shape)
        return shape, (x.dtype if out_dtype is None else np.dtype(out_dtype))

    def default_jvp(primals, tangents):
        x, y = primals
        tx, ty = tangents
        out = bind(prim, x, y)
        t = None
        if tx is not None:
            t = tx * dx(x, y, out)
        if ty is not None:
            ty = ty * dy(x, y, out)
            t = ty if t is None else t + ty
        if t is not None:
            t = broadcast_to(t, out.shape)
        return out, t

    def default_vjp(needs, g, out, x, y):
        return [sum_to_shape(g * dx(x, y, out), x.shape) if needs[0] else None,
                sum_to_shape(g * dy(x, y, out), y.shape) if needs[1] else None]

    def batch(vals, dims):
        x, y = broadcast_batch(vals, dims)
        return bind(prim, x, y), 0

    differentiable = not nondiff
    return register(prim, impl=impl, abstract_eval=abstract_eval, batch=batch,
                    jvp=(jvp or default_jvp) if differentiable else None,
                    vjp=(vjp or default_vjp) if differentiable else None,
                    lower=lambda xp: getattr(xp, np_name), differentiable=differentiable)


from . import reduction as _R  # noqa: E402  (cycle: those modules import this one)
from . import shape as _S  # noqa: E402
