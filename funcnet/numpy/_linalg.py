# Linear algebra: matmul, dot, einsum, tensordot, ..., and the fnp.linalg functions.
from __future__ import annotations

import builtins
from typing import NamedTuple

import numpy as np

from ..core.array import Array, wrap
from ..core.primitive import bind, debug_nans_flag
from ..core.prims import linalg as L
from ..errors import ShapeError
from ._base import asarray_any, norm_axis, promote, promote_inexact
from ._creation import zeros
from ._elementwise import abs as _abs
from ._elementwise import conjugate, not_equal, sqrt, where
from ._indexing import getitem
from ._reductions import max as _max
from ._reductions import min as _min
from ._reductions import sum as _sum
from ._shape import broadcast_to, matrix_transpose, moveaxis, ravel, reshape, squeeze, transpose

_new = object.__new__


def _doc(summary, example, result):
    return f"""{summary}

    Example:
        >>> import funcnet.numpy as fnp
        >>> {example}
        {result}
    """


def matmul(a, b, /):
    if type(a) is Array and type(b) is Array and not debug_nans_flag[0]:
        x, y = a._value, b._value
        if x.dtype is y.dtype and x.dtype.kind in "fc" and type(x) is np.ndarray and \
                type(y) is np.ndarray and x.ndim and y.ndim:
            try:
                r = _new(Array)
                r._value = np.matmul(x, y)
                r._weak = a._weak and b._weak
                return r
            except ValueError:
                pass
    a, b = promote(a, b)
    if a.ndim == 0 or b.ndim == 0:
        raise ShapeError(f"fnp.matmul: operands must be at least 1-D, got shapes "
                         f"{tuple(a.shape)} and {tuple(b.shape)}; use * for scalars")
    k_b = b.shape[0] if b.ndim == 1 else b.shape[-2]
    if a.shape[-1] != k_b:
        raise ShapeError(
            f"fnp.matmul: 'b' has shape {tuple(b.shape)}; its "
            f"{'first' if b.ndim <= 2 else 'second-to-last'} dim ({k_b}) must equal 'a''s "
            f"last dim ({a.shape[-1]}); 'a' has shape {tuple(a.shape)}")
    a2 = reshape(a, (1,) + tuple(a.shape)) if a.ndim == 1 else a
    b2 = reshape(b, tuple(b.shape) + (1,)) if b.ndim == 1 else b
    out = bind(L.matmul_p, a2, b2)
    if a.ndim == 1:
        out = reshape(out, tuple(out.shape[:-2]) + (out.shape[-1],))
    if b.ndim == 1:
        out = reshape(out, tuple(out.shape[:-1]))
    return out


matmul.__doc__ = _doc("Matrix product with NumPy's rules (stacks broadcast, 1-D promoted).",
                      "fnp.matmul(fnp.ones((2, 3)), fnp.ones((3, 4))).shape", "(2, 4)")

_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _diag_extract(x, sub):
    # repeated letters inside one operand: take the diagonal
    while True:
        rep = next((c for c in sub if sub.count(c) > 1), None)
        if rep is None:
            return x, sub
        i = sub.index(rep)
        j = sub.index(rep, i + 1)
        n = x.shape[i]
        if x.shape[j] != n:
            raise ShapeError(f"fnp.einsum: repeated index {rep!r} has sizes {n} and "
                             f"{x.shape[j]}")
        ar = wrap(np.arange(n, dtype=np.int32))
        key = [slice(None)] * x.ndim
        key[i] = ar
        key[j] = ar
        x = getitem(x, tuple(key))  # advanced dims adjacent? move result first if not
        rest = [c for k, c in enumerate(sub) if k not in (i, j)]
        if j == i + 1:
            sub = "".join(rest[:i]) + rep + "".join(rest[i:])
        else:
            sub = rep + "".join(rest)


def _sum_letters(x, sub, letters):
    axes = tuple(k for k, c in enumerate(sub) if c in letters)
    if not axes:
        return x, sub
    return _sum(x, axis=axes), "".join(c for c in sub if c not in letters)


def einsum(subscripts, *operands, optimize=None, precision=None):
    if not isinstance(subscripts, str):
        raise TypeError("fnp.einsum: only the string form einsum('ij,jk->ik', a, b) is supported")
    ops = promote(*[asarray_any(o) for o in operands])
    spec = subscripts.replace(" ", "")
    if "->" in spec:
        ins, out = spec.split("->")
    else:
        ins, out = spec, None
    subs = ins.split(",")
    if len(subs) != len(ops):
        raise ValueError(f"fnp.einsum: {len(subs)} operand subscripts for {len(ops)} operands")
    used = set(spec) - set(".,->")
    free = [c for c in _LETTERS if c not in used]
    # ellipsis: fresh letters, broadcast across operands
    ell_nd = 0
    for s, x in zip(subs, ops):
        if "..." in s:
            ell_nd = builtins.max(ell_nd, x.ndim - (len(s) - 3))
    ell = "".join(free[:ell_nd])
    new_subs, ell_shapes = [], []
    for s, x in zip(subs, ops):
        if "..." in s:
            k = x.ndim - (len(s) - 3)
            s = s.replace("...", ell[ell_nd - k:] if k else "")
            pos = s.find(ell[ell_nd - k:]) if k else 0
            ell_shapes.append((1,) * (ell_nd - k) + tuple(x.shape[pos:pos + k]))
        if len(s) != x.ndim:
            raise ShapeError(f"fnp.einsum: subscripts {s!r} name {len(s)} dims but the operand "
                             f"has shape {tuple(x.shape)}")
        new_subs.append(s)
    if ell_nd:
        target = np.broadcast_shapes(*ell_shapes)
        for n, (s, x) in enumerate(zip(new_subs, ops)):
            pos = [k for k, c in enumerate(s) if c in ell]
            if not pos:
                continue
            cur = [x.shape[p] for p in pos]
            want = list(target[ell_nd - len(pos):])
            if cur != want:
                shape = list(x.shape)
                for p, w in zip(pos, want):
                    shape[p] = w
                ops[n] = broadcast_to(x, tuple(shape))
    if out is None:
        counts = {}
        for s in new_subs:
            for c in s:
                counts[c] = counts.get(c, 0) + 1
        out = ell + "".join(sorted(c for c, n in counts.items() if n == 1 and c not in ell))
    else:
        out = out.replace("...", ell)
    xs, ss = [], []
    for x, s in zip(ops, new_subs):
        x, s = _diag_extract(x, s)
        xs.append(x)
        ss.append(s)
    for c in out:
        if not builtins.any(c in s for s in ss):
            raise ValueError(f"fnp.einsum: output index {c!r} does not appear in the inputs")
    # contract left to right; letters nobody else needs are summed out first
    x, s = xs[0], ss[0]
    for k in range(1, len(xs)):
        y, t = xs[k], ss[k]
        later = set(out).union(*[set(q) for q in ss[k + 1:]])
        x, s = _sum_letters(x, s, set(s) - set(t) - later)
        y, t = _sum_letters(y, t, set(t) - set(s) - later)
        res = "".join(dict.fromkeys([c for c in s + t if c in later]))
        x = bind(L.einsum_p, x, y, spec=f"{s},{t}->{res}")
        s = res
    x, s = _sum_letters(x, s, set(s) - set(out))
    if s != out:
        x = transpose(x, [s.index(c) for c in out])
    return x


einsum.__doc__ = _doc("Einstein summation (``'ij,jk->ik'``, implicit output and ``...``).",
                      "fnp.einsum('ij,j->i', fnp.ones((2, 3)), fnp.ones(3)).tolist()",
                      "[3.0, 3.0]")


def dot(a, b, /):
    a, b = promote(a, b)
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    if b.ndim == 1 or a.ndim == 1 or (a.ndim == 2 and b.ndim == 2):
        return matmul(a, b)
    la = _LETTERS[:a.ndim]
    lb = _LETTERS[a.ndim:a.ndim + b.ndim]
    lb = lb[:-2] + la[-1] + lb[-1]
    if a.shape[-1] != b.shape[-2]:
        raise ShapeError(f"fnp.dot: shapes {tuple(a.shape)} and {tuple(b.shape)} not aligned: "
                         f"{a.shape[-1]} (last dim of 'a') != {b.shape[-2]} (second-to-last "
                         "dim of 'b')")
    return einsum(f"{la},{lb}->{la[:-1]}{lb[:-2]}{lb[-1]}", a, b)


dot.__doc__ = _doc("Dot product with NumPy's rules.", "fnp.dot(fnp.ones(3), fnp.ones(3)).item()",
                   "3.0")


def tensordot(a, b, axes=2):
    a, b = promote(a, b)
    if isinstance(axes, int):
        ax_a = list(range(a.ndim - axes, a.ndim))
        ax_b = list(range(axes))
    else:
        ax_a, ax_b = axes
        ax_a = [ax_a] if isinstance(ax_a, int) else list(ax_a)
        ax_b = [ax_b] if isinstance(ax_b, int) else list(ax_b)
    ax_a = [norm_axis("fnp.tensordot", x, a.ndim) for x in ax_a]
    ax_b = [norm_axis("fnp.tensordot", x, b.ndim) for x in ax_b]
    for i, j in zip(ax_a, ax_b):
        if a.shape[i] != b.shape[j]:
            raise ShapeError(f"fnp.tensordot: shape mismatch for sum: axis {i} of 'a' "
                             f"{tuple(a.shape)} vs axis {j} of 'b' {tuple(b.shape)}")
    la = list(_LETTERS[:a.ndim])
    lb = list(_LETTERS[a.ndim:a.ndim + b.ndim])
    for i, j in zip(ax_a, ax_b):
        lb[j] = la[i]
    out = [c for k, c in enumerate(la) if k not in ax_a] + \
        [c for k, c in enumerate(lb) if k not in ax_b]
    return einsum(f"{''.join(la)},{''.join(lb)}->{''.join(out)}", a, b)


tensordot.__doc__ = _doc("Sum of products over the given axes.",
                         "fnp.tensordot(fnp.ones((2, 3)), fnp.ones((3, 4)), axes=1).shape",
                         "(2, 4)")


def outer(a, b, /):
    a, b = promote(ravel(asarray_any(a)), ravel(asarray_any(b)))
    # a broadcast product, not a contraction: keeps signed zeros (-0 * 0 is -0)
    return reshape(a, (a.shape[0], 1)) * reshape(b, (1, b.shape[0]))


outer.__doc__ = _doc("Outer product of two vectors (inputs are flattened).",
                     "fnp.outer(fnp.ones(2), fnp.ones(3)).shape", "(2, 3)")


def inner(a, b, /):
    a, b = promote(a, b)
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    if a.shape[-1] != b.shape[-1]:
        raise ShapeError(f"fnp.inner: last dims must match, got shapes {tuple(a.shape)} and "
                         f"{tuple(b.shape)}")
    la = _LETTERS[:a.ndim - 1]
    lb = _LETTERS[a.ndim - 1:a.ndim + b.ndim - 2]
    return einsum(f"{la}z,{lb}z->{la}{lb}", a, b)


inner.__doc__ = _doc("Inner product over the last axes.",
                     "fnp.inner(fnp.ones(3), fnp.ones(3)).item()", "3.0")


def vdot(a, b, /):
    a, b = promote(ravel(asarray_any(a)), ravel(asarray_any(b)))
    if a.dtype.kind == "c":
        a = conjugate(a)
    return einsum("i,i->", a, b)


vdot.__doc__ = _doc("Dot product of flattened inputs (conjugating the first).",
                    "fnp.vdot(fnp.ones((2, 2)), fnp.ones((2, 2))).item()", "4.0")


def vecdot(x1, x2, /, *, axis=-1):
    x1, x2 = promote(x1, x2)
    nd = builtins.max(x1.ndim, x2.ndim)
    ax = norm_axis("fnp.vecdot", axis, nd) - nd  # counted from the end, after broadcasting
    if builtins.min(x1.ndim, x2.ndim) < -ax or x1.shape[ax] != x2.shape[ax]:
        raise ShapeError(f"fnp.vecdot: axis {axis} must exist in both inputs with one size, "
                         f"got shapes {tuple(x1.shape)} and {tuple(x2.shape)}")
    if x1.dtype.kind == "c":
        x1 = conjugate(x1)
    # the product's dtype (no integer widening, as the Array API asks)
    return _sum(x1 * x2, axis=ax, dtype=None if x1.dtype == np.bool_ else x1.dtype)


vecdot.__doc__ = _doc("Vector dot product along an axis (Array API).",
                      "fnp.vecdot(fnp.ones((2, 3)), fnp.ones(3)).tolist()", "[3.0, 3.0]")


def diagonal(a, offset=0, axis1=0, axis2=1):
    x = asarray_any(a)
    a1 = norm_axis("fnp.diagonal", axis1, x.ndim)
    a2 = norm_axis("fnp.diagonal", axis2, x.ndim)
    if a1 == a2:
        raise ValueError("fnp.diagonal: axis1 and axis2 cannot be the same")
    x = moveaxis(x, (a1, a2), (-2, -1))
    n, m = x.shape[-2], x.shape[-1]
    if offset >= 0:
        k = builtins.max(0, builtins.min(n, m - offset))
        rows, cols = np.arange(k), np.arange(k) + offset
    else:
        k = builtins.max(0, builtins.min(n + offset, m))
        rows, cols = np.arange(k) - offset, np.arange(k)
    key = (Ellipsis, wrap(rows.astype(np.int32)), wrap(cols.astype(np.int32)))
    return getitem(x, key)


diagonal.__doc__ = _doc("The diagonal (as the last axis of the result).",
                        "fnp.diagonal(fnp.asarray([[1, 2], [3, 4]])).tolist()", "[1, 4]")


def linalg_trace(x, /, *, offset=0, dtype=None):
    return trace(x, offset, -2, -1, dtype)


linalg_trace.__doc__ = _doc("Trace of each matrix in a stack (the last two axes; Array API).",
                            "fnp.linalg.trace(fnp.ones((2, 3, 3))).tolist()", "[3.0, 3.0]")
linalg_trace.__name__ = "trace"


def trace(a, offset=0, axis1=0, axis2=1, dtype=None):
    return _sum(diagonal(a, offset, axis1, axis2), axis=-1, dtype=dtype)


trace.__doc__ = _doc("Sum along a diagonal.", "fnp.trace(fnp.eye(3)).item()", "3.0")


def diag(v, k=0):
    x = asarray_any(v)
    if x.ndim == 2:
        return diagonal(x, k)
    if x.ndim != 1:
        raise ValueError(f"fnp.diag: input must be 1-D or 2-D, got shape {tuple(x.shape)}")
    n = x.shape[0] + builtins.abs(k)
    rows = np.arange(x.shape[0]) + builtins.max(0, -k)
    cols = np.arange(x.shape[0]) + builtins.max(0, k)
    z = zeros((n, n), x.dtype)
    return z.at[wrap(rows.astype(np.int32)), wrap(cols.astype(np.int32))].set(x)


diag.__doc__ = _doc("Builds a diagonal matrix from a vector, or extracts a diagonal.",
                    "fnp.diag(fnp.asarray([1, 2])).tolist()", "[[1, 0], [0, 2]]")


def _tri_mask(x, k, lower):
    n, m = x.shape[-2], x.shape[-1]
    mask = np.tri(n, m, k, dtype=bool)
    if not lower:
        mask = ~np.tri(n, m, k - 1, dtype=bool)
    return where(wrap(mask), x, np.zeros((), x.dtype)[()])


def tril(m, k=0):
    x = asarray_any(m)
    if x.ndim < 2:
        raise ValueError(f"fnp.tril: needs ndim >= 2, got shape {tuple(x.shape)}")
    return _tri_mask(x, k, True)


def triu(m, k=0):
    x = asarray_any(m)
    if x.ndim < 2:
        raise ValueError(f"fnp.triu: needs ndim >= 2, got shape {tuple(x.shape)}")
    return _tri_mask(x, k, False)


tril.__doc__ = _doc("Lower triangle (zeros above the ``k``-th diagonal).",
                    "fnp.tril(fnp.ones((2, 2))).tolist()", "[[1.0, 0.0], [1.0, 1.0]]")
triu.__doc__ = _doc("Upper triangle (zeros below the ``k``-th diagonal).",
                    "fnp.triu(fnp.ones((2, 2))).tolist()", "[[1.0, 1.0], [0.0, 1.0]]")


# -- fnp.linalg ------------------------------------------------------------------------------------
def _float_matrix(name, a):
    (x,) = promote_inexact(asarray_any(a))
    if x.ndim < 2 or x.shape[-1] != x.shape[-2]:
        raise ShapeError(f"fnp.linalg.{name}: needs square matrices (..., n, n), got shape "
                         f"{tuple(x.shape)}")
    return x


def inv(a):
    return bind(L.inv_p, _float_matrix("inv", a))


inv.__doc__ = _doc("Matrix inverse (stacked over leading dims).",
                   "fnp.linalg.inv(fnp.asarray([[2.0, 0.0], [0.0, 4.0]])).tolist()",
                   "[[0.5, 0.0], [0.0, 0.25]]")


def solve(a, b):
    a = _float_matrix("solve", a)
    a, b = promote_inexact(a, asarray_any(b))
    if b.ndim == 1:
        if b.shape[0] != a.shape[-1]:
            raise ShapeError(f"fnp.linalg.solve: 'b' has shape {tuple(b.shape)}; its length "
                             f"must equal the size of 'a' {tuple(a.shape)}")
        return reshape(bind(L.solve_p, a, reshape(b, (b.shape[0], 1))), tuple(a.shape[:-1]))
    return bind(L.solve_p, a, b)


solve.__doc__ = _doc("Solves ``a @ x = b``.",
                     "fnp.linalg.solve(fnp.eye(2) * 2, fnp.asarray([2.0, 4.0])).tolist()",
                     "[1.0, 2.0]")


def det(a):
    return bind(L.det_p, _float_matrix("det", a))


det.__doc__ = _doc("Determinant.", "fnp.linalg.det(fnp.eye(2) * 3).item()", "9.0")


class SlogdetResult(NamedTuple):
    """``(sign, logabsdet)`` of :func:`slogdet`."""

    sign: Array
    logabsdet: Array


def slogdet(a):
    sign, logdet = bind(L.slogdet_p, _float_matrix("slogdet", a))
    return SlogdetResult(sign, logdet)


slogdet.__doc__ = _doc("Sign and log of the absolute determinant.",
                       "float(fnp.linalg.slogdet(fnp.eye(2) * 2).logabsdet)",
                       "1.386...")


def cholesky(a, *, upper=False):
    L_ = bind(L.cholesky_p, _float_matrix("cholesky", a))
    if upper:
        return matrix_transpose(L_)
    return L_


cholesky.__doc__ = _doc("Cholesky factor ``L`` with ``a = L @ L.T`` (lower by default).",
                        "fnp.linalg.cholesky(fnp.eye(2) * 4).tolist()",
                        "[[2.0, 0.0], [0.0, 2.0]]")


def _safe_sqrt(s):
    # sqrt whose derivative at 0 is 0 (a valid subgradient of the norm) instead of NaN: the
    # inner where keeps the unused branch's derivative finite ("double where")
    zero = s == 0
    return where(zero, 0.0, sqrt(where(zero, 1.0, s)))


def norm(x, ord=None, axis=None, keepdims=False):
    (x,) = promote_inexact(asarray_any(x))
    if axis is None and ord is not None and x.ndim == 2:
        axis = (0, 1)
    if axis is None:
        if ord is None:
            sq = x * x if x.dtype.kind != "c" else _abs(x) ** 2
            return _safe_sqrt(_sum(sq, axis=None, keepdims=keepdims))
        if x.ndim != 1:
            raise ValueError(f"fnp.linalg.norm: ord={ord!r} needs axis= for shape "
                             f"{tuple(x.shape)}")
        axis = 0
    if isinstance(axis, (tuple, list)) and len(axis) == 2:
        r, c = (norm_axis("fnp.linalg.norm", a, x.ndim) for a in axis)
        if ord in (None, "fro"):
            return _safe_sqrt(_sum(_abs(x) ** 2, axis=(r, c), keepdims=keepdims))
        if ord in (1, -1):
            s = _sum(_abs(x), axis=r, keepdims=True)
            red = _max if ord == 1 else _min
            out = red(s, axis=c, keepdims=True)
        elif ord in (np.inf, -np.inf):
            s = _sum(_abs(x), axis=c, keepdims=True)
            red = _max if ord == np.inf else _min
            out = red(s, axis=r, keepdims=True)
        else:
            raise ValueError(f"fnp.linalg.norm: matrix ord={ord!r} is not supported (use None, "
                             "'fro', 1, -1, inf, -inf)")
        if keepdims:
            return out
        return squeeze(out, axis=(r, c))
    if isinstance(axis, (tuple, list)):
        if len(axis) != 1:
            raise ValueError(f"fnp.linalg.norm: axis must be an int or a pair, got {axis}")
        axis = axis[0]
    ax = norm_axis("fnp.linalg.norm", axis, x.ndim)
    a = _abs(x)
    if ord is None or ord == 2:
        sq = x * x if x.dtype.kind != "c" else a * a
        return _safe_sqrt(_sum(sq, axis=ax, keepdims=keepdims))
    if ord == np.inf:
        return _max(a, axis=ax, keepdims=keepdims)
    if ord == -np.inf:
        return _min(a, axis=ax, keepdims=keepdims)
    if ord == 0:
        return _sum(not_equal(x, 0), axis=ax, keepdims=keepdims, dtype=a.dtype)
    if ord == 1:
        return _sum(a, axis=ax, keepdims=keepdims)
    if isinstance(ord, str):
        raise ValueError(f"fnp.linalg.norm: ord={ord!r} is only valid for matrices")
    p = np.asarray(ord, dtype=a.dtype)[()]
    return _sum(a ** p, axis=ax, keepdims=keepdims) ** (1 / p)


norm.__doc__ = _doc("Vector or matrix norm (like ``numpy.linalg.norm``).",
                    "fnp.linalg.norm(fnp.asarray([3.0, 4.0])).item()", "5.0")


def vector_norm(x, /, *, axis=None, keepdims=False, ord=2):
    x = asarray_any(x)
    axes = tuple(range(x.ndim)) if axis is None else (
        (axis,) if isinstance(axis, int) else tuple(axis))
    axes = tuple(sorted(norm_axis("fnp.linalg.vector_norm", a, x.ndim) for a in axes))
    # the norm of the flattened selected axes: move them last and merge them
    keep = [i for i in range(x.ndim) if i not in axes]
    y = transpose(x, keep + list(axes)) if keep + list(axes) != list(range(x.ndim)) else x
    y = reshape(y, tuple(x.shape[i] for i in keep) + (-1,))
    out = norm(y, ord=ord, axis=-1)
    if keepdims:
        out = reshape(out, tuple(1 if i in axes else d for i, d in enumerate(x.shape)))
    return out


vector_norm.__doc__ = _doc("Array-API vector norm.",
                           "fnp.linalg.vector_norm(fnp.asarray([3.0, 4.0])).item()", "5.0")


def matrix_norm(x, /, *, keepdims=False, ord="fro"):
    return norm(x, ord=ord, axis=(-2, -1), keepdims=keepdims)


matrix_norm.__doc__ = _doc("Array-API matrix norm over the last two axes.",
                           "fnp.linalg.matrix_norm(fnp.eye(2)).item()", "1.414...")


def kron(a, b):
    """Kronecker product: blocks ``a[i, j] * b`` (the shorter shape gets leading 1s).

    Example:
        >>> import funcnet.numpy as fnp
        >>> fnp.kron(fnp.asarray([1, 10]), fnp.asarray([1, 2, 3])).tolist()
        [1, 2, 3, 10, 20, 30]
    """
    x, y = (asarray_any(v) for v in promote(a, b))
    nd = builtins.max(x.ndim, y.ndim)
    xs = (1,) * (nd - x.ndim) + tuple(x.shape)
    ys = (1,) * (nd - y.ndim) + tuple(y.shape)
    x = x.reshape(tuple(d for s in xs for d in (s, 1)))
    y = y.reshape(tuple(d for s in ys for d in (1, s)))
    return (x * y).reshape(tuple(p * q for p, q in zip(xs, ys)))


def cross(a, b, axis=-1):
    """Cross product of 3-vectors along ``axis`` (other dims broadcast).

    Example:
        >>> import funcnet.numpy as fnp
        >>> fnp.cross(fnp.asarray([1.0, 0.0, 0.0]), fnp.asarray([0.0, 1.0, 0.0])).tolist()
        [0.0, 0.0, 1.0]
    """
    x, y = (asarray_any(v) for v in promote(a, b))
    if x.ndim == 0 or y.ndim == 0 or x.shape[axis] != 3 or y.shape[axis] != 3:
        raise ValueError(f"fnp.cross: both arrays need size 3 along axis {axis}, got shapes "
                         f"{x.shape} and {y.shape}")
    from ._shape import moveaxis, stack
    x, y = moveaxis(x, axis, -1), moveaxis(y, axis, -1)
    x0, x1, x2 = x[..., 0], x[..., 1], x[..., 2]
    y0, y1, y2 = y[..., 0], y[..., 1], y[..., 2]
    out = stack([x1 * y2 - x2 * y1, x2 * y0 - x0 * y2, x0 * y1 - x1 * y0], axis=-1)
    return moveaxis(out, -1, axis)
