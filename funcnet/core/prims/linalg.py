# Linear-algebra primitives: matmul, binary einsum, inv, solve, det, slogdet, cholesky,
# triangular_solve.
from __future__ import annotations

import numpy as np

from ...errors import ShapeError
from ..primitive import bind
from ..registry import Primitive, register
from ._factories import (
    batch_size,
    bdim_to_front,
    broadcast_batch,
    broadcast_shapes,
    moveaxis,
    sum_to_shape,
)


def _mT(x):
    from .shape import transpose_p
    nd = len(x.shape)
    return bind(transpose_p, x, permutation=tuple(range(nd - 2)) + (nd - 1, nd - 2))


# -- matmul (both operands at least 2-D; funcnet.numpy reshapes vectors) -----------------------
matmul_p = Primitive("matmul")


def _matmul_abstract(x, y):
    if x.ndim < 2 or y.ndim < 2:
        raise ShapeError("funcnet internal: matmul_p needs 2-D operands")
    if x.shape[-1] != y.shape[-2]:
        raise ShapeError(
            f"fnp.matmul: 'b' has shape {y.shape}; its dim {y.ndim - 2} ({y.shape[-2]}) must "
            f"equal 'a''s last dim ({x.shape[-1]}); 'a' has shape {x.shape}")
    if x.dtype != y.dtype:
        raise TypeError(f"funcnet internal: matmul got {x.dtype} and {y.dtype}")
    batch = broadcast_shapes("fnp.matmul", x.shape[:-2], y.shape[:-2])
    return batch + (x.shape[-2], y.shape[-1]), x.dtype


def _matmul_jvp(primals, tangents):
    x, y = primals
    tx, ty = tangents
    out = bind(matmul_p, x, y)
    t = None if tx is None else bind(matmul_p, tx, y)
    if ty is not None:
        t2 = bind(matmul_p, x, ty)
        t = t2 if t is None else t + t2
    if t is not None and tuple(t.shape) != tuple(out.shape):
        from ._factories import broadcast_to
        t = broadcast_to(t, out.shape)
    return out, t


def _matmul_vjp(needs, g, out, x, y):
    gx = sum_to_shape(bind(matmul_p, g, _mT(y)), x.shape) if needs[0] else None
    gy = sum_to_shape(bind(matmul_p, _mT(x), g), y.shape) if needs[1] else None
    return [gx, gy]


def _matmul_batch(vals, dims):
    x, y = vals
    dx, dy = dims
    if dy is None and len(y.shape) == 2:
        # batched rows against one matrix: fold the batch into the rows, one GEMM
        from ._factories import reshape
        x = moveaxis(x, dx, 0)
        s = x.shape
        r = bind(matmul_p, reshape(x, (int(np.prod(s[:-1], dtype=np.int64)), s[-1])), y)
        return reshape(r, s[:-1] + (y.shape[-1],)), 0
    x, y = broadcast_batch(vals, dims)
    return bind(matmul_p, x, y), 0


def _matmul_impl(xp, x, y):
    if x.shape[-1] == 1 and x.ndim > 2:
        # stacks of outer products (per-example gradients): BLAS-less batched matmul with a
        # contraction of size 1 is ~4x slower than the equivalent broadcasting multiply
        return x * y
    return xp.matmul(x, y)


register(matmul_p, impl=_matmul_impl, abstract_eval=_matmul_abstract,
         jvp=_matmul_jvp, vjp=_matmul_vjp, batch=_matmul_batch,
         lower=lambda xp: (lambda x, y: _matmul_impl(xp, x, y)))


# -- einsum over two operands, canonical spec (no ellipsis, no repeated letter in one operand,
#    every operand letter appears in the output or in the other operand) ----------------------
einsum_p = Primitive("einsum")


def parse_spec(spec):
    ins, out = spec.split("->")
    a, b = ins.split(",")
    return a, b, out


def _einsum_impl(xp, a, b, *, spec):
    sa, sb, so = parse_spec(spec)
    batch = [c for c in sa if c in sb and c in so]
    contract = [c for c in sa if c in sb and c not in so]
    fa = [c for c in sa if c not in sb]
    fb = [c for c in sb if c not in sa]
    size = dict(zip(sa, a.shape))
    size.update(zip(sb, b.shape))
    at = xp.transpose(a, [sa.index(c) for c in batch + fa + contract])
    bt = xp.transpose(b, [sb.index(c) for c in batch + contract + fb])
    nb = [size[c] for c in batch]
    prod = lambda cs: int(np.prod([size[c] for c in cs], dtype=np.int64))  # noqa: E731
    at = xp.reshape(at, nb + [prod(fa), prod(contract)])
    bt = xp.reshape(bt, nb + [prod(contract), prod(fb)])
    r = xp.matmul(at, bt)
    order = batch + fa + fb
    r = xp.reshape(r, [size[c] for c in order])
    perm = [order.index(c) for c in so]
    return xp.transpose(r, perm) if perm != list(range(len(perm))) else r


def _einsum_abstract(a, b, *, spec):
    sa, sb, so = parse_spec(spec)
    size = {}
    for s, x, name in ((sa, a, "first"), (sb, b, "second")):
        if len(s) != x.ndim:
            raise ShapeError(f"fnp.einsum: subscripts {s!r} name {len(s)} dims but the {name} "
                             f"operand has shape {x.shape}")
        for c, d in zip(s, x.shape):
            if size.setdefault(c, d) != d:
                raise ShapeError(f"fnp.einsum: index {c!r} has size {size[c]} in one operand "
                                 f"and {d} in another ({spec!r}, shapes {a.shape}, {b.shape})")
    return tuple(size[c] for c in so), a.dtype


def _einsum_jvp(primals, tangents, *, spec):
    a, b = primals
    ta, tb = tangents
    out = bind(einsum_p, a, b, spec=spec)
    t = None if ta is None else bind(einsum_p, ta, b, spec=spec)
    if tb is not None:
        t2 = bind(einsum_p, a, tb, spec=spec)
        t = t2 if t is None else t + t2
    return out, t


def _einsum_vjp(needs, g, out, a, b, *, spec):
    sa, sb, so = parse_spec(spec)
    ga = bind(einsum_p, g, b, spec=f"{so},{sb}->{sa}") if needs[0] else None
    gb = bind(einsum_p, a, g, spec=f"{sa},{so}->{sb}") if needs[1] else None
    return [ga, gb]


def _einsum_batch(vals, dims, *, spec):
    sa, sb, so = parse_spec(spec)
    used = set(sa + sb + so)
    z = next(c for c in "zyxwvutsrqponmlkjihgfedcbaZYXWVUTSRQPONMLKJIHGFEDCBA" if c not in used)
    a, b = vals
    da, db = dims
    if da is not None:
        a, sa = moveaxis(a, da, 0), z + sa
    if db is not None:
        b, sb = moveaxis(b, db, 0), z + sb
    return bind(einsum_p, a, b, spec=f"{sa},{sb}->{z}{so}"), 0


register(einsum_p, impl=_einsum_impl, abstract_eval=_einsum_abstract, jvp=_einsum_jvp,
         vjp=_einsum_vjp, batch=_einsum_batch)


# -- square-matrix family (stacked over leading dims, like numpy.linalg) -------------------------
def _square(name, x):
    if x.ndim < 2 or x.shape[-1] != x.shape[-2]:
        raise ShapeError(f"fnp.linalg.{name}: needs square matrices (..., n, n), got shape "
                         f"{x.shape}")
    if x.dtype.kind not in "fc":
        raise TypeError(f"fnp.linalg.{name}: needs a float array, got {x.dtype}")


def _front_batch(prim, **params):
    def batch(vals, dims):
        b = batch_size(vals, dims)
        xs = [bdim_to_front(v, d, b) for v, d in zip(vals, dims)]
        out = bind(prim, *xs, **params)
        return out, ([0] * len(out) if prim.multiple_results else 0)
    return batch


inv_p = Primitive("inv")


def _inv_abstract(x):
    _square("inv", x)
    return x.shape, x.dtype


def _inv_jvp(primals, tangents):
    out = bind(inv_p, primals[0])
    t = tangents[0]
    return out, (None if t is None else -bind(matmul_p, bind(matmul_p, out, t), out))


def _inv_vjp(needs, g, out, x):
    oT = _mT(out)
    return [-bind(matmul_p, bind(matmul_p, oT, g), oT)]


register(inv_p, impl=lambda xp, x: xp.linalg.inv(x), abstract_eval=_inv_abstract,
         jvp=_inv_jvp, vjp=_inv_vjp, batch=_front_batch(inv_p))

solve_p = Primitive("solve")  # a (..., n, n), b (..., n, m)


def _solve_abstract(a, b):
    _square("solve", a)
    if b.ndim < 2 or b.shape[-2] != a.shape[-1]:
        raise ShapeError(f"fnp.linalg.solve: 'b' has shape {b.shape}; its dim -2 must equal "
                         f"the size of 'a' {a.shape}")
    batch = broadcast_shapes("fnp.linalg.solve", a.shape[:-2], b.shape[:-2])
    return batch + b.shape[-2:], a.dtype


def _solve_jvp(primals, tangents):
    a, b = primals
    ta, tb = tangents
    x = bind(solve_p, a, b)
    rhs = None if tb is None else tb
    if ta is not None:
        r2 = -bind(matmul_p, ta, x)
        rhs = r2 if rhs is None else rhs + r2
    return x, (None if rhs is None else bind(solve_p, a, rhs))


def _solve_vjp(needs, g, out, a, b):
    gb = bind(solve_p, _mT(a), g)
    ga = sum_to_shape(-bind(matmul_p, gb, _mT(out)), a.shape) if needs[0] else None
    return [ga, sum_to_shape(gb, b.shape) if needs[1] else None]


register(solve_p, impl=lambda xp, a, b: xp.linalg.solve(a, b), abstract_eval=_solve_abstract,
         jvp=_solve_jvp, vjp=_solve_vjp, batch=_front_batch(solve_p))

slogdet_p = Primitive("slogdet", multiple_results=True, keeps_weak=False)


def _slogdet_abstract(x):
    _square("slogdet", x)
    real = np.dtype(x.dtype.char.lower()) if x.dtype.kind == "c" else x.dtype
    return [(x.shape[:-2], x.dtype), (x.shape[:-2], real)]


def _trace_of(m):
    from .reduction import reduce_sum_p
    n = m.shape[-1]
    from ...core.array import wrap
    eye = wrap(np.eye(n, dtype=m.dtype))
    return bind(reduce_sum_p, m * eye, axes=(m.ndim - 2, m.ndim - 1))


def _slogdet_jvp(primals, tangents):
    x, t = primals[0], tangents[0]
    sign, logdet = bind(slogdet_p, x)
    if t is None:
        return (sign, logdet), (None, None)
    return (sign, logdet), (None, _trace_of(bind(solve_p, x, t)))


def _slogdet_vjp(needs, cts, outs, x):
    g = cts[1]
    if g is None:
        return [None]
    from ._factories import reshape
    return [reshape(g, g.shape + (1, 1)) * _mT(bind(inv_p, x))]


register(slogdet_p, impl=lambda xp, x: tuple(xp.linalg.slogdet(x)),
         abstract_eval=_slogdet_abstract, jvp=_slogdet_jvp, vjp=_slogdet_vjp,
         batch=_front_batch(slogdet_p))

det_p = Primitive("det")


def _det_abstract(x):
    _square("det", x)
    return x.shape[:-2], x.dtype


def _det_jvp(primals, tangents):
    x, t = primals[0], tangents[0]
    d = bind(det_p, x)
    if t is None:
        return d, None
    return d, d * _trace_of(bind(solve_p, x, t))


def _det_vjp(needs, g, out, x):
    from ._factories import reshape
    return [reshape(g * out, out.shape + (1, 1)) * _mT(bind(inv_p, x))]


register(det_p, impl=lambda xp, x: xp.linalg.det(x), abstract_eval=_det_abstract,
         jvp=_det_jvp, vjp=_det_vjp, batch=_front_batch(det_p))

cholesky_p = Primitive("cholesky")


def _tril(x, k=0):
    from ...core.array import wrap
    n = x.shape[-1]
    mask = wrap(np.tril(np.ones((n, n), dtype=x.dtype), k))
    return x * mask


def _phi(x):
    # lower triangle with the diagonal halved
    from ...core.array import wrap
    n = x.shape[-1]
    mask = wrap((np.tril(np.ones((n, n)), -1) + 0.5 * np.eye(n)).astype(x.dtype))
    return x * mask


def _chol_abstract(x):
    _square("cholesky", x)
    return x.shape, x.dtype


def _chol_jvp(primals, tangents):
    x, t = primals[0], tangents[0]
    L = bind(cholesky_p, x)
    if t is None:
        return L, None
    # dL = L Phi(L^-1 dA L^-T)
    tmp = bind(triangular_solve_p, L, t, lower=True, transpose_a=False)
    tmp = _mT(bind(triangular_solve_p, L, _mT(tmp), lower=True, transpose_a=False))
    return L, bind(matmul_p, L, _phi(tmp))


def _chol_vjp(needs, g, L, x):
    # Murray (2016): S = L^-T Phi(L^T G) L^-1, grad = (S + S^T) / 2
    P = _phi(bind(matmul_p, _mT(L), g))
    S = bind(triangular_solve_p, L, P, lower=True, transpose_a=True)
    S = _mT(bind(triangular_solve_p, L, _mT(S), lower=True, transpose_a=True))
    return [(S + _mT(S)) * np.asarray(0.5, dtype=x.dtype)[()]]


register(cholesky_p, impl=lambda xp, x: xp.linalg.cholesky(x), abstract_eval=_chol_abstract,
         jvp=_chol_jvp, vjp=_chol_vjp, batch=_front_batch(cholesky_p))

# solve a x = b with a triangular (transpose_a: solve a^T x = b)
triangular_solve_p = Primitive("triangular_solve")


def _tri_impl(xp, a, b, *, lower, transpose_a):
    n = a.shape[-1]
    tri = xp.tril(a) if lower else xp.triu(a)
    if transpose_a:
        tri = xp.swapaxes(tri, -1, -2)
    # numpy has no triangular solver; a general solve on the masked matrix is exact
    return xp.linalg.solve(tri + 0 * xp.eye(n, dtype=a.dtype), b)


def _tri_abstract(a, b, *, lower, transpose_a):
    _square("triangular_solve", a)
    batch = broadcast_shapes("triangular_solve", a.shape[:-2], b.shape[:-2])
    return batch + b.shape[-2:], a.dtype


def _tri_matrix(a, lower):
    return _tril(a) if lower else _mT(_tril(_mT(a)))


def _tri_jvp(primals, tangents, *, lower, transpose_a):
    a, b = primals
    ta, tb = tangents
    x = bind(triangular_solve_p, a, b, lower=lower, transpose_a=transpose_a)
    rhs = tb
    if ta is not None:
        tam = _tri_matrix(ta, lower)
        if transpose_a:
            tam = _mT(tam)
        r2 = -bind(matmul_p, tam, x)
        rhs = r2 if rhs is None else rhs + r2
    if rhs is None:
        return x, None
    return x, bind(triangular_solve_p, a, rhs, lower=lower, transpose_a=transpose_a)


def _tri_vjp(needs, g, x, a, b, *, lower, transpose_a):
    gb = bind(triangular_solve_p, a, g, lower=lower, transpose_a=not transpose_a)
    ga = None
    if needs[0]:
        full = -bind(matmul_p, gb, _mT(x))
        if transpose_a:
            full = _mT(full)
        ga = sum_to_shape(_tri_matrix(full, lower), a.shape)
    return [ga, sum_to_shape(gb, b.shape) if needs[1] else None]


def _tri_batch(vals, dims, *, lower, transpose_a):
    b = batch_size(vals, dims)
    xs = [bdim_to_front(v, d, b) for v, d in zip(vals, dims)]
    return bind(triangular_solve_p, *xs, lower=lower, transpose_a=transpose_a), 0


register(triangular_solve_p, impl=_tri_impl, abstract_eval=_tri_abstract, jvp=_tri_jvp,
         vjp=_tri_vjp, batch=_tri_batch)
