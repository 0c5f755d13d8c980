# The grad family: grad, value_and_grad, vjp, jvp, jacfwd, jacrev, hessian.
from __future__ import annotations

import functools

import numpy as np

from .. import tree as tree_util
from ..core.array import Array, wrap
from ..errors import GradError, ShapeError
from ._util import as_array, fun_name, normalize_argnums
from .ad import jvp_flat, ones_like_value, strip_finished, vjp_flat
from .batching import batch_flat


def _check_diff_input(fname, path, x):
    x = as_array(x)
    if x.dtype.kind not in "fc":
        raise GradError(
            f"{fname}: argument {path} has dtype {x.dtype.name} (shape {tuple(x.shape)}); grad "
            "needs float (or complex) inputs. Pass floats, e.g. x.astype(fnp.float32), or move "
            "integer inputs out of argnums.")
    return x


def _diff_leaves(fname, args, argnums):
    leaves, treedef = tree_util.flatten(tuple(args[i] for i in argnums))
    out = []
    for x in leaves:
        if type(x) is not Array:
            x = as_array(x)
        if x.dtype.kind not in "fc":
            return _diff_leaves_slow(fname, args, argnums)
        out.append(x)
    return out, treedef


def _diff_leaves_slow(fname, args, argnums):
    # the same with argument paths, for the error message
    leaves_paths, treedef = tree_util.flatten_with_path(tuple(args[i] for i in argnums))
    leaves = []
    for path, x in leaves_paths:
        p = "args" + tree_util.keystr(path)
        if len(path) and hasattr(path[0], "idx"):
            rest = tree_util.keystr(path[1:])
            p = f"{argnums[path[0].idx]}{rest}"
        leaves.append(_check_diff_input(fname, p, x))
    return leaves, treedef


def _substitute(args, argnums, values):
    new = list(args)
    for i, v in zip(argnums, values):
        new[i] = v
    return new


def value_and_grad(fun, argnums=0, has_aux=False, holomorphic=False):
    """Creates a function returning ``(fun(*args), grad)``; see :func:`grad`.

    Example:
        >>> import funcnet, funcnet.numpy as fnp
        >>> v, g = funcnet.value_and_grad(lambda x: (x ** 2).sum())(fnp.asarray([1.0, 2.0]))
        >>> float(v), g.tolist()
        (5.0, [2.0, 4.0])
    """
    name = f"funcnet.grad({fun_name(fun)})"

    @functools.wraps(fun, updated=())
    def value_and_grad_f(*args, **kwargs):
        single, nums = normalize_argnums(name, argnums, len(args))
        leaves, treedef = _diff_leaves(name, args, nums)

        def flat_fun(*flat):
            diff = tree_util.unflatten(treedef, list(flat))
            out = fun(*_substitute(args, nums, diff), **kwargs)
            aux = None
            if has_aux:
                if not (isinstance(out, (tuple, list)) and len(out) == 2):
                    raise GradError(f"{name}: has_aux=True needs the function to return a pair "
                                    f"(output, aux), got {type(out).__name__}")
                out, aux = out
            out = as_array(out) if not isinstance(out, Array) else out
            if out.dtype.kind == "c" and not holomorphic:
                raise GradError(
                    f"{name}: the function returned a complex scalar ({out.dtype.name}); grad "
                    "needs a real output. Take .real / abs(...) first, or pass "
                    "holomorphic=True for a holomorphic function of complex inputs.")
            if tuple(out.shape) != () or out.dtype.kind not in "fc":
                raise GradError(
                    f"{name}: the function must return a scalar float (shape ()), but it "
                    f"returned {out.dtype.name}{list(out.shape)}. Reduce it first (e.g. "
                    ".sum() or .mean()), or use funcnet.vjp / funcnet.jacrev for non-scalar "
                    "outputs.")
            return [out], aux

        outs, pullback, aux = vjp_flat(flat_fun, leaves)
        grads = pullback([ones_like_value(outs[0])])
        gtree = tree_util.unflatten(treedef, grads)
        g = gtree[0] if single else gtree
        return ((outs[0], aux) if has_aux else outs[0]), g

    return value_and_grad_f


def grad(fun, argnums=0, has_aux=False, holomorphic=False):
    """Creates a function that evaluates the gradient of scalar-valued ``fun``.

    Args:
        fun: a function of arrays (or pytrees of arrays) returning a scalar float.
        argnums: which positional argument(s) to differentiate: an int or a tuple of ints.
        has_aux: ``fun`` returns ``(value, aux)``; the gradient function then returns
            ``(grad, aux)``.
        holomorphic: allow a complex output (``fun`` must be holomorphic in its complex
            inputs), like JAX.

    Returns:
        A function with ``fun``'s signature returning the gradient, shaped like the
        argument (a tuple of them when ``argnums`` is a tuple).

    Raises:
        GradError: integer inputs, or an output that is not a float scalar.

    Example:
        >>> import funcnet, funcnet.numpy as fnp
        >>> funcnet.grad(lambda x: 2 * (x * x).sum())(fnp.asarray([0.0, 1.0, 2.0])).tolist()
        [0.0, 4.0, 8.0]
    """
    vg = value_and_grad(fun, argnums, has_aux, holomorphic)

    @functools.wraps(fun, updated=())
    def grad_f(*args, **kwargs):
        (v, aux), g = vg(*args, **kwargs) if has_aux else ((None, None), vg(*args, **kwargs)[1])
        return (g, aux) if has_aux else g

    return grad_f


def vjp(fun, *primals, has_aux=False):
    """Evaluates ``fun(*primals)`` and returns its pullback (reverse mode).

    Returns:
        ``(out, vjp_fn)`` (plus ``aux`` when ``has_aux``); ``vjp_fn(ct)`` takes a cotangent
        shaped like ``out`` and returns a tuple with one cotangent per primal.

    Example:
        >>> import funcnet, funcnet.numpy as fnp
        >>> y, f_vjp = funcnet.vjp(fnp.sin, fnp.asarray(0.0))
        >>> f_vjp(fnp.asarray(1.0))[0].item()
        1.0
    """
    name = f"funcnet.vjp({fun_name(fun)})"
    leaves, in_tree = tree_util.flatten(tuple(primals))
    leaves = [_check_diff_input(name, f"#{i}", x) for i, x in enumerate(leaves)]
    box = {}

    def flat_fun(*flat):
        out = fun(*tree_util.unflatten(in_tree, list(flat)))
        aux = None
        if has_aux:
            out, aux = out
        outs, out_tree = tree_util.flatten(out)
        box["tree"] = out_tree
        return [as_array(o) for o in outs], aux

    outs, pullback, aux = vjp_flat(flat_fun, leaves)
    out_tree = box["tree"]

    def vjp_fn(ct):
        cts, ct_tree = tree_util.flatten(ct)
        if ct_tree != out_tree:
            raise ValueError(f"{name}: the cotangent has structure {ct_tree}, expected the "
                             f"output's structure {out_tree}")
        cts = [as_array(c) for c in cts]
        for o, c in zip(outs, cts):
            if tuple(o.shape) != tuple(c.shape):
                raise ShapeError(f"{name}: cotangent of shape {tuple(c.shape)} for an output "
                                 f"of shape {tuple(o.shape)}")
        return tuple(tree_util.unflatten(in_tree, pullback(cts)))

    out = tree_util.unflatten(out_tree, outs)
    return (out, vjp_fn, aux) if has_aux else (out, vjp_fn)


def jvp(fun, primals, tangents, has_aux=False):
    """Forward-mode derivative: ``(fun(*primals), J @ tangents)``.

    Example:
        >>> import funcnet, funcnet.numpy as fnp
        >>> y, t = funcnet.jvp(fnp.sin, (fnp.asarray(0.0),), (fnp.asarray(2.0),))
        >>> float(y), float(t)
        (0.0, 2.0)
    """
    name = f"funcnet.jvp({fun_name(fun)})"
    if not isinstance(primals, (tuple, list)) or not isinstance(tangents, (tuple, list)):
        raise TypeError(f"{name}: primals and tangents must be tuples or lists, got "
                        f"{type(primals).__name__} and {type(tangents).__name__}")
    p_leaves, p_tree = tree_util.flatten(tuple(primals))
    t_leaves, t_tree = tree_util.flatten(tuple(tangents))
    if p_tree != t_tree:
        raise ValueError(f"{name}: primals have structure {p_tree} but tangents {t_tree}")
    ps, ts = [], []
    for i, (p, t) in enumerate(zip(p_leaves, t_leaves)):
        p, t = as_array(p), as_array(t)
        if tuple(p.shape) != tuple(t.shape):
            raise ShapeError(f"{name}: primal #{i} has shape {tuple(p.shape)} but its tangent "
                             f"{tuple(t.shape)}")
        ps.append(p)
        ts.append(t if p.dtype.kind in "fc" else None)
    box = {}

    def flat_fun(*flat):
        out = fun(*tree_util.unflatten(p_tree, list(flat)))
        if has_aux:
            out, box["aux"] = out
        outs, box["tree"] = tree_util.flatten(out)
        return [as_array(o) for o in outs]

    outs, touts = jvp_flat(flat_fun, ps, ts)
    touts = [_zeros(o) if t is None else t for o, t in zip(outs, touts)]
    res = (tree_util.unflatten(box["tree"], outs), tree_util.unflatten(box["tree"], touts))
    return res + (strip_finished(box["aux"]),) if has_aux else res


def _zeros(x):
    from .ad import zeros_like_value
    return zeros_like_value(x)


def _std_basis(leaves):
    sizes = [int(np.prod(x.shape, dtype=np.int64)) for x in leaves]
    n = sum(sizes)
    dt = np.result_type(*[x.dtype for x in leaves]) if leaves else np.float32
    eye = np.eye(n, dtype=dt)
    out, start = [], 0
    for x, s in zip(leaves, sizes):
        out.append(wrap(eye[:, start:start + s].reshape((n,) + tuple(x.shape)).astype(x.dtype)))
        start += s
    return out, sizes


def _jac_assemble(out_vals, in_leaves, in_tree, sizes, single, fwd):
    # out_vals: per output leaf, an array with the basis axis first (size sum(sizes));
    # returns per output leaf the in-tree of blocks shaped out.shape + in.shape
    from ..core.prims._factories import moveaxis, reshape
    from ..core.prims.indexing import static_slice
    res = []
    for o in out_vals:
        blocks, start = [], 0
        for x, s in zip(in_leaves, sizes):
            blk = static_slice(o, 0, start, start + s) if len(sizes) > 1 else o
            start += s
            oshape = tuple(o.shape[1:])
            blk = reshape(blk, tuple(x.shape) + oshape)
            nd_in = len(x.shape)
            for _ in range(nd_in):  # move the input axes to the end
                blk = moveaxis(blk, 0, -1)
            blocks.append(blk)
        t = tree_util.unflatten(in_tree, blocks)
        res.append(t[0] if single else t)
    return res


def _jac(fun, argnums, has_aux, fwd):
    kind = "jacfwd" if fwd else "jacrev"
    name = f"funcnet.{kind}({fun_name(fun)})"

    def jacfun(*args, **kwargs):
        single, nums = normalize_argnums(name, argnums, len(args))
        leaves, in_tree = _diff_leaves(name, args, nums)
        box = {}

        def flat_fun(*flat):
            out = fun(*_substitute(args, nums, tree_util.unflatten(in_tree, list(flat))),
                      **kwargs)
            if has_aux:
                out, box["aux"] = out
            outs, box["tree"] = tree_util.flatten(out)
            return [as_array(o) for o in outs]

        basis, sizes = _std_basis(leaves)
        if fwd:
            def push(*ts):
                outs, touts = jvp_flat(flat_fun, leaves, list(ts))
                box["outs"] = outs
                return [_zeros(o) if t is None else t for o, t in zip(outs, touts)]
            res = batch_flat(push, basis, [0] * len(basis), sum(sizes))
            out_vals = [_at_front(v, d, sum(sizes)) for v, d in res]
        else:
            outs, pullback, _ = vjp_flat(lambda *f: (flat_fun(*f), None), leaves)
            box["outs"] = outs
            out_vals = []
            for k, o in enumerate(outs):
                n = int(np.prod(o.shape, dtype=np.int64))
                eye = wrap(np.eye(n, dtype=o.dtype).reshape((n,) + tuple(o.shape)))

                def pull(ct, k=k):
                    cts = [ct if j == k else _zeros(outs[j]) for j in range(len(outs))]
                    return pullback(cts)
                res = batch_flat(pull, [eye], [0], n)
                # res: per input leaf (n_out, *in_shape) -> make basis-first over inputs
                out_vals.append([_at_front(v, d, n) for v, d in res])
            return _rev_assemble(out_vals, outs, leaves, in_tree, single, box, has_aux)
        jac = _jac_assemble(out_vals, leaves, in_tree, sizes, single, fwd)
        out = tree_util.unflatten(box["tree"], jac)
        return (out, strip_finished(box["aux"])) if has_aux else out

    return jacfun


def _at_front(v, d, n):
    from ..core.prims._factories import broadcast_to, moveaxis
    if d is None:
        return broadcast_to(v, (n,) + tuple(v.shape))
    return moveaxis(v, d, 0)


def _rev_assemble(out_vals, outs, leaves, in_tree, single, box, has_aux):
    from ..core.prims._factories import reshape
    jac = []
    for o, per_in in zip(outs, out_vals):
        blocks = [reshape(b, tuple(o.shape) + tuple(x.shape)) for b, x in zip(per_in, leaves)]
        t = tree_util.unflatten(in_tree, blocks)
        jac.append(t[0] if single else t)
    out = tree_util.unflatten(box["tree"], jac)
    return (out, strip_finished(box["aux"])) if has_aux else out


def jacfwd(fun, argnums=0, has_aux=False):
    """Jacobian by forward mode (vmap of jvp over the input basis).

    The result for an output of shape ``S`` and an input of shape ``T`` has shape ``S + T``.

    Example:
        >>> import funcnet, funcnet.numpy as fnp
        >>> funcnet.jacfwd(lambda x: x ** 2)(fnp.asarray([1.0, 2.0])).tolist()
        [[2.0, 0.0], [0.0, 4.0]]
    """
    return _jac(fun, argnums, has_aux, fwd=True)


def jacrev(fun, argnums=0, has_aux=False):
    """Jacobian by reverse mode (vmap of the pullback over the output basis).

    Example:
        >>> import funcnet, funcnet.numpy as fnp
        >>> funcnet.jacrev(lambda x: x ** 2)(fnp.asarray([1.0, 2.0])).tolist()
        [[2.0, 0.0], [0.0, 4.0]]
    """
    return _jac(fun, argnums, has_aux, fwd=False)


def hessian(fun, argnums=0, has_aux=False):
    """Hessian of a scalar function: ``jacfwd(jacrev(fun))``.

    Example:
        >>> import funcnet, funcnet.numpy as fnp
        >>> funcnet.hessian(lambda x: (x ** 3).sum())(fnp.asarray([1.0, 2.0])).tolist()
        [[6.0, 0.0], [0.0, 12.0]]
    """
    return jacfwd(jacrev(fun, argnums, has_aux), argnums, has_aux)
