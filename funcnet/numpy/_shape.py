# Shape manipulation: reshape, transpose, concatenate, stack, split, tile, repeat, pad, ...
from __future__ import annotations

import builtins
import operator

import numpy as np

from ..core.primitive import bind
from ..core.prims import indexing as I
from ..core.prims import shape as S
from ..errors import ShapeError
from ._base import asarray_any, norm_axes, norm_axis, promote


def _doc(summary, example, result):
    return f"""{summary}

    Example:
        >>> import funcnet.numpy as fnp
        >>> {example}
        {result}
    """


def reshape(a, shape=None, order="C", *, newshape=None, copy=None):
    x = asarray_any(a)
    newshape = shape if newshape is None else newshape
    if isinstance(newshape, (int, np.integer)):
        newshape = (newshape,)
    try:
        newshape = tuple(operator.index(d) for d in newshape)
    except TypeError:
        raise TypeError(f"fnp.reshape: new shape must be ints, got {newshape!r} (traced sizes "
                        "are not allowed under jit: use static_argnums)") from None
    if order != "C":
        raise ValueError("fnp.reshape: only order='C' is supported")
    if newshape.count(-1) > 1:
        raise ShapeError(f"fnp.reshape: at most one -1 in the new shape, got {newshape}")
    if -1 in newshape:
        known = int(np.prod([d for d in newshape if d != -1], dtype=np.int64))
        if known == 0 or x.size % known:
            raise ShapeError(f"fnp.reshape: cannot reshape an array of shape {x.shape} "
                             f"({x.size} elements) into shape {newshape}")
        newshape = tuple(x.size // known if d == -1 else d for d in newshape)
    if newshape == tuple(x.shape):
        return x
    return bind(S.reshape_p, x, new_sizes=newshape)


reshape.__doc__ = _doc("Gives a new shape to an array without changing its data (one dim may "
                       "be -1).", "fnp.reshape(fnp.arange(6), (2, -1)).shape", "(2, 3)")


def ravel(a, order="C"):
    x = asarray_any(a)
    return reshape(x, (x.size,))


ravel.__doc__ = _doc("Flattens to 1-D.", "fnp.ravel(fnp.ones((2, 3))).shape", "(6,)")


def transpose(a, axes=None):
    x = asarray_any(a)
    if axes is None:
        perm = tuple(range(x.ndim))[::-1]
    else:
        perm = tuple(norm_axis("fnp.transpose", ax, x.ndim) for ax in axes)
        if sorted(perm) != list(range(x.ndim)):
            raise ValueError(f"fnp.transpose: axes {axes} is not a permutation of the "
                             f"{x.ndim} dims of shape {x.shape}")
    if perm == tuple(range(x.ndim)):
        return x
    return bind(S.transpose_p, x, permutation=perm)


transpose.__doc__ = _doc("Permutes the dims (reverses them by default).",
                         "fnp.transpose(fnp.ones((2, 3))).shape", "(3, 2)")


def permute_dims(a, /, axes):
    return transpose(a, axes)


permute_dims.__doc__ = _doc("Array-API name of :func:`transpose`.",
                            "fnp.permute_dims(fnp.ones((2, 3)), (1, 0)).shape", "(3, 2)")


def matrix_transpose(x, /):
    x = asarray_any(x)
    if x.ndim < 2:
        raise ValueError(f"fnp.matrix_transpose: needs ndim >= 2, got shape {x.shape}")
    return swapaxes(x, -1, -2)


matrix_transpose.__doc__ = _doc("Swaps the last two dims.",
                                "fnp.matrix_transpose(fnp.ones((4, 2, 3))).shape", "(4, 3, 2)")


def swapaxes(a, axis1, axis2):
    x = asarray_any(a)
    a1 = norm_axis("fnp.swapaxes", axis1, x.ndim)
    a2 = norm_axis("fnp.swapaxes", axis2, x.ndim)
    perm = list(range(x.ndim))
    perm[a1], perm[a2] = perm[a2], perm[a1]
    return transpose(x, perm)


swapaxes.__doc__ = _doc("Interchanges two dims.", "fnp.swapaxes(fnp.ones((2, 3)), 0, 1).shape",
                        "(3, 2)")


def moveaxis(a, source, destination):
    x = asarray_any(a)
    src = [source] if isinstance(source, int) else list(source)
    dst = [destination] if isinstance(destination, int) else list(destination)
    if len(src) != len(dst):
        raise ValueError("fnp.moveaxis: source and destination need the same number of axes")
    src = [norm_axis("fnp.moveaxis", s, x.ndim) for s in src]
    dst = [norm_axis("fnp.moveaxis", d, x.ndim) for d in dst]
    order = [n for n in range(x.ndim) if n not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return transpose(x, order)


moveaxis.__doc__ = _doc("Moves dims to new positions.",
                        "fnp.moveaxis(fnp.ones((2, 3, 4)), 0, -1).shape", "(3, 4, 2)")


def expand_dims(a, axis):
    x = asarray_any(a)
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    nd = x.ndim + len(axes)
    axes = sorted(norm_axis("fnp.expand_dims", ax, nd) for ax in axes)
    shape = list(x.shape)
    for ax in axes:
        shape.insert(ax, 1)
    return reshape(x, tuple(shape))


expand_dims.__doc__ = _doc("Inserts size-1 dims.", "fnp.expand_dims(fnp.ones(3), 0).shape",
                           "(1, 3)")


def squeeze(a, axis=None):
    x = asarray_any(a)
    if axis is None:
        axes = tuple(i for i, d in enumerate(x.shape) if d == 1)
    else:
        axes = norm_axes("fnp.squeeze", axis, x.ndim)
        for ax in axes:
            if x.shape[ax] != 1:
                raise ShapeError(f"fnp.squeeze: cannot squeeze axis {ax} of size "
                                 f"{x.shape[ax]} (shape {x.shape})")
    return reshape(x, tuple(d for i, d in enumerate(x.shape) if i not in axes))


squeeze.__doc__ = _doc("Removes size-1 dims.", "fnp.squeeze(fnp.ones((1, 3, 1))).shape", "(3,)")


def concatenate(arrays, axis=0, dtype=None):
    if isinstance(arrays, (np.ndarray,)) or hasattr(arrays, "aval"):
        arrays = list(arrays)
    xs = promote(*[asarray_any(a) for a in arrays]) if len(arrays) else []
    if not xs:
        raise ValueError("fnp.concatenate: need at least one array")
    if dtype is not None:
        from ..core import dtypes
        from ._base import convert
        xs = [convert(x, dtypes.canonicalize(dtype)) for x in xs]
    if axis is None:
        xs = [ravel(x) for x in xs]
        axis = 0
    if any(x.ndim == 0 for x in xs):
        raise ValueError("fnp.concatenate: zero-dimensional arrays cannot be concatenated")
    ax = norm_axis("fnp.concatenate", axis, xs[0].ndim)
    if len(xs) == 1:
        return xs[0]
    return bind(S.concatenate_p, *xs, axis=ax)


concatenate.__doc__ = _doc("Joins arrays along an existing axis.",
                           "fnp.concatenate([fnp.ones((2, 3)), fnp.zeros((1, 3))]).shape",
                           "(3, 3)")
concat = concatenate


def stack(arrays, axis=0):
    xs = [asarray_any(a) for a in arrays]
    if not xs:
        raise ValueError("fnp.stack: need at least one array")
    shapes = {tuple(x.shape) for x in xs}
    if len(shapes) > 1:
        raise ShapeError(f"fnp.stack: all input arrays must have the same shape, got "
                         f"{[tuple(x.shape) for x in xs]}")
    ax = norm_axis("fnp.stack", axis, xs[0].ndim + 1)
    return concatenate([expand_dims(x, ax) for x in xs], axis=ax)


stack.__doc__ = _doc("Joins arrays along a new axis.",
                     "fnp.stack([fnp.ones(3), fnp.zeros(3)]).shape", "(2, 3)")


def hstack(tup):
    xs = [atleast_1d(a) for a in tup]
    return concatenate(xs, axis=0 if xs[0].ndim == 1 else 1)


hstack.__doc__ = _doc("Stacks horizontally (column-wise).",
                      "fnp.hstack([fnp.ones(2), fnp.zeros(3)]).shape", "(5,)")


def vstack(tup):
    return concatenate([atleast_2d(a) for a in tup], axis=0)


vstack.__doc__ = _doc("Stacks vertically (row-wise).",
                      "fnp.vstack([fnp.ones(2), fnp.zeros(2)]).shape", "(2, 2)")


def unstack(x, /, *, axis=0):
    x = asarray_any(x)
    ax = norm_axis("fnp.unstack", axis, x.ndim)
    return tuple(take(x, i, axis=ax) for i in range(x.shape[ax]))


unstack.__doc__ = _doc("Splits into a tuple of arrays along an axis (removing it).",
                       "len(fnp.unstack(fnp.ones((3, 2))))", "3")


def take(a, indices, axis=None):
    from ._indexing import take as _take
    return _take(a, indices, axis)


def split(ary, indices_or_sections, axis=0):
    x = asarray_any(ary)
    ax = norm_axis("fnp.split", axis, x.ndim)
    n = x.shape[ax]
    if isinstance(indices_or_sections, (int, np.integer)):
        k = int(indices_or_sections)
        if k <= 0 or n % k:
            raise ShapeError(f"fnp.split: array split does not result in an equal division: "
                             f"axis {ax} of size {n} into {k} sections")
        bounds = [i * (n // k) for i in range(k + 1)]
    else:
        idx = [builtins.min(builtins.max(int(i) if i >= 0 else n + int(i), 0), n)
               for i in indices_or_sections]
        bounds = [0] + idx + [n]
    out = []
    for lo, hi in zip(bounds[:-1], bounds[1:]):
        out.append(I.static_slice(x, ax, lo, builtins.max(lo, hi)))
    return out


split.__doc__ = _doc("Splits into sub-arrays (equal sections or at indices).",
                     "[p.shape for p in fnp.split(fnp.arange(6), 3)]", "[(2,), (2,), (2,)]")
def array_split(ary, indices_or_sections, axis=0):
    x = asarray_any(ary)
    if isinstance(indices_or_sections, (int, np.integer)):
        k = int(indices_or_sections)
        if k <= 0:
            raise ValueError(f"fnp.array_split: number of sections must be > 0, got {k}")
        n = x.shape[norm_axis("fnp.array_split", axis, x.ndim)]
        q, r = divmod(n, k)  # the first r pieces get one more element (NumPy's rule)
        cuts, pos = [], 0
        for i in range(k - 1):
            pos += q + (1 if i < r else 0)
            cuts.append(pos)
        return split(x, cuts, axis)
    return split(x, indices_or_sections, axis)


array_split.__doc__ = _doc("Like :func:`split`, but sections need not divide the axis.",
                           "[p.shape for p in fnp.array_split(fnp.arange(5), 3)]",
                           "[(2,), (2,), (1,)]")


def broadcast_to(array, shape):
    x = asarray_any(array)
    shape = (shape,) if isinstance(shape, int) else tuple(int(d) for d in shape)
    if tuple(x.shape) == shape:
        return x
    return bind(S.broadcast_to_p, x, shape=shape)


broadcast_to.__doc__ = _doc("Broadcasts to a shape (NumPy rules).",
                            "fnp.broadcast_to(fnp.ones(3), (2, 3)).shape", "(2, 3)")


def broadcast_shapes(*shapes):
    from ..core.prims._factories import broadcast_shapes as bs
    return bs("fnp.broadcast_shapes", *shapes)


broadcast_shapes.__doc__ = _doc("The broadcast result shape of several shapes.",
                                "fnp.broadcast_shapes((3, 1), (1, 2))", "(3, 2)")


def broadcast_arrays(*args):
    xs = [asarray_any(a) for a in args]
    shape = broadcast_shapes(*[x.shape for x in xs])
    return [broadcast_to(x, shape) for x in xs]


broadcast_arrays.__doc__ = _doc("Broadcasts arrays against each other.",
                                "[a.shape for a in fnp.broadcast_arrays(fnp.ones((3, 1)), "
                                "fnp.ones(2))]", "[(3, 2), (3, 2)]")


def flip(m, axis=None):
    x = asarray_any(m)
    axes = norm_axes("fnp.flip", axis, x.ndim)
    if not axes:
        return x
    spec = tuple(("s", d - 1, None, -1) if i in axes else ("s", 0, d, 1)
                 for i, d in enumerate(x.shape))
    return bind(I.getitem_p, x, spec=spec)


flip.__doc__ = _doc("Reverses the order of elements along axes.",
                    "fnp.flip(fnp.asarray([1, 2, 3])).tolist()", "[3, 2, 1]")


def rot90(m, k=1, axes=(0, 1)):
    """Rotates ``m`` by 90 degrees ``k`` times in the plane of ``axes`` (first towards second).

    Example:
        >>> import funcnet.numpy as fnp
        >>> fnp.rot90(fnp.asarray([[1, 2], [3, 4]])).tolist()
        [[2, 4], [1, 3]]
    """
    x = asarray_any(m)
    axes = tuple(axes)
    if len(axes) != 2:
        raise ValueError(f"fnp.rot90: axes must name 2 axes, got {axes}")
    if x.ndim < 2:
        raise ValueError(f"fnp.rot90: needs an array of at least 2 dims, got shape {x.shape}")
    a0, a1 = (norm_axis("fnp.rot90", a, x.ndim) for a in axes)
    if a0 == a1:
        raise ValueError(f"fnp.rot90: axes must be different, got {axes} for shape {x.shape}")
    k = operator.index(k) % 4
    if k == 0:
        return x
    if k == 2:
        return flip(flip(x, a0), a1)
    perm = list(range(x.ndim))
    perm[a0], perm[a1] = perm[a1], perm[a0]
    if k == 1:
        return transpose(flip(x, a1), perm)
    return flip(transpose(x, perm), a1)


def fliplr(m):
    return flip(m, 1)


def flipud(m):
    return flip(m, 0)


fliplr.__doc__ = _doc("Flips along axis 1.", "fnp.fliplr(fnp.eye(2)).tolist()",
                      "[[0.0, 1.0], [1.0, 0.0]]")
flipud.__doc__ = _doc("Flips along axis 0.", "fnp.flipud(fnp.asarray([1, 2])).tolist()",
                      "[2, 1]")


def roll(a, shift, axis=None):
    x = asarray_any(a)
    if axis is None:
        return reshape(roll(ravel(x), shift, 0), x.shape)
    shifts = (shift,) if isinstance(shift, int) else tuple(shift)
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    if len(shifts) == 1 and len(axes) > 1:
        shifts = shifts * len(axes)
    for s, ax in zip(shifts, axes):
        ax = norm_axis("fnp.roll", ax, x.ndim)
        n = x.shape[ax]
        if n == 0:
            continue
        s = int(s) % n
        if s:
            x = concatenate([I.static_slice(x, ax, n - s, n), I.static_slice(x, ax, 0, n - s)],
                            axis=ax)
    return x


roll.__doc__ = _doc("Rolls elements along an axis (they wrap around).",
                    "fnp.roll(fnp.asarray([1, 2, 3]), 1).tolist()", "[3, 1, 2]")


def tile(A, reps):
    x = asarray_any(A)
    reps = (reps,) if isinstance(reps, int) else tuple(reps)
    nd = builtins.max(x.ndim, len(reps))
    reps = (1,) * (nd - len(reps)) + reps
    x = reshape(x, (1,) * (nd - x.ndim) + tuple(x.shape))
    # broadcast each dim against its repeat count, then merge the pairs
    inter = []
    for r, d in zip(reps, x.shape):
        inter += [r, d]
    y = reshape(x, tuple(v for d in x.shape for v in (1, d)))
    y = broadcast_to(y, tuple(inter))
    return reshape(y, tuple(r * d for r, d in zip(reps, x.shape)))


tile.__doc__ = _doc("Repeats the whole array ``reps`` times along each axis.",
                    "fnp.tile(fnp.asarray([1, 2]), 2).tolist()", "[1, 2, 1, 2]")


def repeat(a, repeats, axis=None, *, total_repeat_length=None):
    x = asarray_any(a)
    if axis is None:
        x, axis = ravel(x), 0
    ax = norm_axis("fnp.repeat", axis, x.ndim)
    if isinstance(repeats, (int, np.integer)):
        r = int(repeats)
        y = expand_dims(x, ax + 1)
        shape = list(y.shape)
        shape[ax + 1] = r
        y = broadcast_to(y, tuple(shape))
        s = list(x.shape)
        s[ax] *= r
        return reshape(y, tuple(s))
    reps = np.asarray(repeats)
    if hasattr(repeats, "aval") and type(repeats).__name__ != "Array":
        raise TypeError("fnp.repeat: array-valued repeats must be concrete (not under jit)")
    idx = np.repeat(np.arange(x.shape[ax]), reps)
    from ._indexing import take as _take
    return _take(x, idx.astype(np.int32), axis=ax)


repeat.__doc__ = _doc("Repeats each element (``repeats`` times) along an axis.",
                      "fnp.repeat(fnp.asarray([1, 2]), 2).tolist()", "[1, 1, 2, 2]")


def pad(array, pad_width, mode="constant", constant_values=0, **kwargs):
    x = asarray_any(array)
    pw = np.broadcast_to(np.asarray(pad_width, dtype=np.int64), (x.ndim, 2))
    if (pw < 0).any():
        raise ValueError(f"fnp.pad: negative pad widths {pad_width}")
    widths = tuple((int(lo), int(hi)) for lo, hi in pw)
    if mode == "constant":
        cv = np.asarray(constant_values)
        if cv.ndim:
            raise ValueError("fnp.pad: only scalar constant_values are supported")
        from ._base import convert
        v = convert(asarray_any(constant_values), x.dtype)
        return bind(S.pad_p, x, v, widths=widths)
    if mode not in ("edge", "reflect", "symmetric", "wrap"):
        raise ValueError(f"fnp.pad: unsupported mode {mode!r}; use constant, edge, reflect, "
                         "symmetric or wrap")
    # every other mode is a gather with source indices computed by NumPy on aranges
    from ._indexing import take as _take
    for ax, (lo, hi) in enumerate(widths):
        if lo or hi:
            src = np.pad(np.arange(x.shape[ax]), (lo, hi), mode=mode)
            x = _take(x, src.astype(np.int32), axis=ax)
    return x


pad.__doc__ = _doc("Pads an array (modes constant, edge, reflect, symmetric, wrap).",
                   "fnp.pad(fnp.asarray([1, 2]), 1).tolist()", "[0, 1, 2, 0]")


def atleast_1d(*arys):
    res = [reshape(x, (1,)) if x.ndim == 0 else x for x in map(asarray_any, arys)]
    return res[0] if len(res) == 1 else res


def atleast_2d(*arys):
    res = []
    for x in map(asarray_any, arys):
        res.append(reshape(x, (1,) * (2 - x.ndim) + tuple(x.shape)) if x.ndim < 2 else x)
    return res[0] if len(res) == 1 else res


def atleast_3d(*arys):
    res = []
    for x in map(asarray_any, arys):
        if x.ndim == 0:
            x = reshape(x, (1, 1, 1))
        elif x.ndim == 1:
            x = reshape(x, (1, x.shape[0], 1))
        elif x.ndim == 2:
            x = reshape(x, tuple(x.shape) + (1,))
        res.append(x)
    return res[0] if len(res) == 1 else res


atleast_1d.__doc__ = _doc("Views inputs as arrays with at least one dim.",
                          "fnp.atleast_1d(1.0).shape", "(1,)")
atleast_2d.__doc__ = _doc("Views inputs as arrays with at least two dims.",
                          "fnp.atleast_2d(fnp.ones(3)).shape", "(1, 3)")
atleast_3d.__doc__ = _doc("Views inputs as arrays with at least three dims.",
                          "fnp.atleast_3d(fnp.ones(3)).shape", "(1, 3, 1)")


def shape(a):
    return tuple(asarray_any(a).shape)


def ndim(a):
    return asarray_any(a).ndim


def size(a, axis=None):
    x = asarray_any(a)
    return x.size if axis is None else x.shape[axis]


shape.__doc__ = _doc("The shape of an array-like.", "fnp.shape([[1, 2]])", "(1, 2)")
ndim.__doc__ = _doc("The number of dims.", "fnp.ndim([[1, 2]])", "2")
size.__doc__ = _doc("The number of elements.", "fnp.size([[1, 2]])", "2")
