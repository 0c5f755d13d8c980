"""Composition of funcnet's transforms: grad / jvp / vjp / jac* / hessian / vmap / jit.

Every transform is checked against a reference that does not use it: a Python loop instead
of vmap, an analytic derivative or finite differences instead of grad, the eager function
instead of jit.
"""

from typing import Any, NamedTuple

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import funcnet
import funcnet.numpy as fnp
from funcnet import (
    grad,
    hessian,
    jacfwd,
    jacrev,
    jit,
    jvp,
    stop_gradient,
    value_and_grad,
    vjp,
    vmap,
)
from funcnet.test_util import check_grads

RNG_SEED = 0


def rand(*shape, seed=RNG_SEED, dtype=np.float32):
    return fnp.asarray(np.random.default_rng(seed).normal(size=shape).astype(dtype))


def close(a, b, rtol=1e-5, atol=1e-5):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=rtol, atol=atol)


def tree_close(a, b, rtol=1e-5, atol=1e-5):
    la, ta = funcnet.tree.flatten(a)
    lb, tb = funcnet.tree.flatten(b)
    assert ta == tb, f"tree structures differ: {ta} vs {tb}"
    for x, y in zip(la, lb):
        close(x, y, rtol, atol)


@pytest.fixture
def x64():
    """float64 for finite differences; the previous mode is restored afterwards."""
    before = funcnet.config.enable_x64
    funcnet.config.update("enable_x64", True)
    try:
        yield
    finally:
        funcnet.config.update("enable_x64", before)


class Params(NamedTuple):
    w: Any
    b: Any


# ----------------------------------------------------------------------------------------------
# grad: analytic values, higher order, argnums, has_aux
# ----------------------------------------------------------------------------------------------


def f_scalar(x):
    return fnp.sum(fnp.sin(x) * x**2)


def df_scalar(x):
    x = np.asarray(x, np.float64)
    return np.cos(x) * x**2 + 2 * x * np.sin(x)


def test_grad_matches_analytic():
    x = rand(7)
    close(grad(f_scalar)(x), df_scalar(x), rtol=1e-5)


@pytest.mark.parametrize("x0", [-1.3, 0.0, 0.7, 2.5])
def test_grad_of_grad_matches_analytic(x0):
    f = lambda x: fnp.sin(x) * x**3
    # f' = cos x x^3 + 3 x^2 sin x ; f'' = -sin x x^3 + 6 x^2 cos x + 6 x sin x
    d2 = -np.sin(x0) * x0**3 + 6 * x0**2 * np.cos(x0) + 6 * x0 * np.sin(x0)
    close(grad(grad(f))(fnp.asarray(x0)), d2, rtol=1e-4, atol=1e-5)


def test_third_derivative():
    f = lambda x: fnp.exp(2.0 * x)
    close(grad(grad(grad(f)))(fnp.asarray(0.3)), 8 * np.exp(0.6), rtol=1e-5)


def test_grad_argnums_int_and_tuple():
    a, b = rand(4, seed=1), rand(4, seed=2)
    f = lambda a, b: fnp.sum(a * fnp.tanh(b))
    close(grad(f)(a, b), np.tanh(np.asarray(b)))
    close(grad(f, argnums=1)(a, b), np.asarray(a) * (1 - np.tanh(np.asarray(b)) ** 2))
    ga, gb = grad(f, argnums=(0, 1))(a, b)
    close(ga, grad(f, argnums=0)(a, b))
    close(gb, grad(f, argnums=1)(a, b))
    (g1,) = grad(f, argnums=(1,))(a, b)  # a 1-tuple of argnums gives a 1-tuple of grads
    close(g1, gb)


def test_grad_argnums_negative_int():
    a, b = rand(3, seed=1), rand(3, seed=2)
    f = lambda a, b: fnp.sum(a * b * b)
    close(grad(f, argnums=-1)(a, b), 2 * np.asarray(a) * np.asarray(b))


def test_grad_kwargs_are_passed_not_differentiated():
    f = lambda x, scale=1.0: fnp.sum(x**2) * scale
    x = rand(3)
    close(grad(f)(x, scale=3.0), 6 * np.asarray(x))


def test_value_and_grad():
    x = rand(5)
    v, g = value_and_grad(f_scalar)(x)
    close(v, f_scalar(x))
    close(g, df_scalar(x))


def test_grad_has_aux_python_aux():
    x = rand(3)
    g, aux = grad(lambda x: (fnp.sum(x**2), {"note": "hi", "n": 3}), has_aux=True)(x)
    close(g, 2 * np.asarray(x))
    assert aux == {"note": "hi", "n": 3}


def test_grad_has_aux_array_aux_is_concrete():
    x = rand(3)
    g, aux = grad(lambda x: (fnp.sum(x**2), x * 2), has_aux=True)(x)
    close(g, 2 * np.asarray(x))
    assert type(aux) is funcnet.Array
    close(aux + 1, 2 * np.asarray(x) + 1)


def test_value_and_grad_has_aux_array_aux():
    x = rand(3)
    (v, aux), g = value_and_grad(lambda x: (fnp.sum(x**2), {"y": x * 3}), has_aux=True)(x)
    close(v, np.sum(np.asarray(x) ** 2))
    close(g, 2 * np.asarray(x))
    close(aux["y"] - 1, 3 * np.asarray(x) - 1)


def test_vjp_has_aux():
    x = rand(3)
    y, pull, aux = vjp(lambda x: (fnp.sin(x), fnp.sum(x)), x, has_aux=True)
    close(y, np.sin(np.asarray(x)))
    (ct,) = pull(fnp.ones(3))
    close(ct, np.cos(np.asarray(x)))
    close(aux * 2, 2 * np.sum(np.asarray(x)))


def test_jvp_has_aux():
    x, v = rand(3, seed=1), rand(3, seed=2)
    y, t, aux = jvp(lambda x: (fnp.sin(x), x * 3), (x,), (v,), has_aux=True)
    close(y, np.sin(np.asarray(x)))
    close(t, np.cos(np.asarray(x)) * np.asarray(v))
    close(aux + 0, 3 * np.asarray(x))


@pytest.mark.parametrize("kind", ["jacfwd", "jacrev", "hessian"])
def test_jacobian_has_aux(kind):
    x = fnp.asarray([1.0, 2.0, 3.0])
    if kind == "hessian":
        H, aux = hessian(lambda x: (fnp.sum(x**3), x * 3), has_aux=True)(x)
        close(H, np.diag(6 * np.asarray(x)))
    else:
        J, aux = {"jacfwd": jacfwd, "jacrev": jacrev}[kind](
            lambda x: (x**2, x * 3), has_aux=True)(x)
        close(J, np.diag(2 * np.asarray(x)))
    assert type(aux) is funcnet.Array
    close(aux + 1, 3 * np.asarray(x) + 1)


def test_has_aux_under_jit_and_vmap():
    f = lambda x: (fnp.sum(x**2), {"double": x * 2})
    x = fnp.asarray([1.0, 2.0, 3.0])
    g, aux = jit(grad(f, has_aux=True))(x)
    close(g, [2.0, 4.0, 6.0])
    close(aux["double"], [2.0, 4.0, 6.0])
    xs = rand(4, 3)
    gs, auxs = vmap(grad(f, has_aux=True))(xs)
    close(gs, 2 * np.asarray(xs))
    close(auxs["double"], 2 * np.asarray(xs))


def test_has_aux_inside_an_outer_grad_stays_differentiable():
    f = lambda x: (fnp.sum(x**2), x * 2)
    x = fnp.asarray([1.0, 2.0, 3.0])
    # outer(x) = sum(aux * x) = sum(2 x^2): the aux is still traced by the outer grad
    close(grad(lambda x: fnp.sum(grad(f, has_aux=True)(x)[1] * x))(x), 4 * np.asarray(x))


def test_jvp_and_vjp_agree_with_jacobian():
    f = lambda x: fnp.tanh(x) * fnp.sum(x**2)
    x, v, u = rand(4, seed=1), rand(4, seed=2), rand(4, seed=3)
    J = np.asarray(jacfwd(f)(x))
    y, t = jvp(f, (x,), (v,))
    close(y, f(x))
    close(t, J @ np.asarray(v), rtol=1e-4, atol=1e-5)
    y2, pull = vjp(f, x)
    (ct,) = pull(u)
    close(ct, np.asarray(u) @ J, rtol=1e-4, atol=1e-5)


def test_vjp_multiple_primals_and_pytree_output():
    f = lambda a, b: {"s": fnp.sum(a * b), "p": a * 2}
    a, b = rand(3, seed=1), rand(3, seed=2)
    out, pull = vjp(f, a, b)
    ga, gb = pull({"s": fnp.asarray(1.0), "p": fnp.ones(3)})
    close(ga, np.asarray(b) + 2)
    close(gb, np.asarray(a))
    assert set(out) == {"s", "p"}


# ----------------------------------------------------------------------------------------------
# Jacobians and Hessians
# ----------------------------------------------------------------------------------------------

JAC_FUNS = {
    "elementwise": lambda x: fnp.tanh(x) * x[::-1],
    "reduction_mix": lambda x: fnp.exp(x) * fnp.sum(x**2),
    "matvec": lambda x: fnp.matmul(fnp.reshape(fnp.arange(12.0), (3, 4)), x) ** 2,
    "outer": lambda x: fnp.outer(x, fnp.sin(x)),
    "scalar_out": lambda x: fnp.sum(fnp.log1p(x**2)),
    "cumsum_sort": lambda x: fnp.cumsum(fnp.sort(x) * x),
}


@pytest.mark.parametrize("name", sorted(JAC_FUNS))
def test_jacfwd_equals_jacrev(name):
    f = JAC_FUNS[name]
    x = rand(4, seed=5)
    jf, jr = jacfwd(f)(x), jacrev(f)(x)
    assert jf.shape == jr.shape == tuple(f(x).shape) + (4,)
    close(jf, jr, rtol=1e-4, atol=1e-5)


def test_jacobian_matches_finite_differences():
    f = JAC_FUNS["reduction_mix"]
    x = np.random.default_rng(5).normal(size=4)
    eps = 1e-3
    fd = np.stack([(np.asarray(f(fnp.asarray((x + eps * e).astype(np.float32)))) -
                    np.asarray(f(fnp.asarray((x - eps * e).astype(np.float32))))) / (2 * eps)
                   for e in np.eye(4)], axis=-1)
    close(jacrev(f)(fnp.asarray(x.astype(np.float32))), fd, rtol=2e-2, atol=2e-2)


def test_jacobian_pytree_input():
    f = lambda d: d["a"] * fnp.sum(d["b"] ** 2)
    d = {"a": rand(3, seed=1), "b": rand(2, seed=2)}
    jf, jr = jacfwd(f)(d), jacrev(f)(d)
    tree_close(jf, jr)
    assert jf["a"].shape == (3, 3) and jf["b"].shape == (3, 2)
    a, b = np.asarray(d["a"]), np.asarray(d["b"])
    close(jf["a"], np.eye(3) * np.sum(b**2))
    close(jf["b"], np.outer(a, 2 * b))


def test_jacobian_pytree_output():
    f = lambda x: (x * 2, {"s": fnp.sum(x), "m": fnp.outer(x, x)})
    x = rand(3)
    jf, jr = jacfwd(f)(x), jacrev(f)(x)
    tree_close(jf, jr)
    close(jf[0], 2 * np.eye(3))
    close(jf[1]["s"], np.ones(3))
    assert jf[1]["m"].shape == (3, 3, 3)


def test_jacobian_namedtuple_and_argnums():
    f = lambda p, x: fnp.tanh(fnp.matmul(x, p.w) + p.b)
    p = Params(rand(3, 2, seed=1), rand(2, seed=2))
    x = rand(4, 3, seed=3)
    jf = jacfwd(f)(p, x)
    jr = jacrev(f)(p, x)
    assert isinstance(jf, Params)
    tree_close(jf, jr, rtol=1e-4)
    assert jf.w.shape == (4, 2, 3, 2) and jf.b.shape == (4, 2, 2)
    jx = jacfwd(f, argnums=1)(p, x)
    close(jx, jacrev(f, argnums=1)(p, x), rtol=1e-4)
    j01 = jacrev(f, argnums=(0, 1))(p, x)
    tree_close(j01[0], jr, rtol=1e-4)
    close(j01[1], jx, rtol=1e-4)


@settings(max_examples=10, deadline=None, derandomize=True)
@given(n=st.integers(1, 5), seed=st.integers(0, 1000))
def test_jacfwd_equals_jacrev_property(n, seed):
    x = rand(n, seed=seed)
    f = lambda x: fnp.sin(x) * fnp.cumsum(x) + fnp.mean(x**3)
    close(jacfwd(f)(x), jacrev(f)(x), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_hessian_symmetric_and_correct(seed):
    A = np.random.default_rng(seed).normal(size=(4, 4)).astype(np.float32)
    Af = fnp.asarray(A)
    x = rand(4, seed=seed + 10)
    quad = lambda x: 0.5 * fnp.dot(x, fnp.matmul(Af, x))
    H = np.asarray(hessian(quad)(x))
    close(H, 0.5 * (A + A.T), rtol=1e-5, atol=1e-5)
    g = lambda x: fnp.sum(fnp.exp(x) * x[::-1]) + fnp.prod(fnp.tanh(x))
    Hg = np.asarray(hessian(g)(x))
    close(Hg, Hg.T, rtol=1e-4, atol=1e-5)
    close(Hg, jacrev(jacfwd(g))(x), rtol=1e-4, atol=1e-5)
    close(Hg, jacfwd(grad(g))(x), rtol=1e-4, atol=1e-5)


def test_hessian_matrix_input():
    f = lambda W: fnp.sum(fnp.tanh(W) ** 2)
    W = rand(2, 3)
    H = np.asarray(hessian(f)(W))
    assert H.shape == (2, 3, 2, 3)
    H2 = H.reshape(6, 6)
    close(H2, H2.T, rtol=1e-4, atol=1e-5)


# ----------------------------------------------------------------------------------------------
# vmap: in_axes / out_axes, pytrees, nesting
# ----------------------------------------------------------------------------------------------


def test_vmap_matches_loop():
    f = lambda x, y: fnp.sum(fnp.sin(x) * y) + fnp.max(x)
    xs, ys = rand(6, 4, seed=1), rand(6, 4, seed=2)
    close(vmap(f)(xs, ys), [f(xs[i], ys[i]) for i in range(6)])


@pytest.mark.parametrize("in_axes", [(0, None), [0, None], (1, None)])
def test_vmap_in_axes_none_and_int(in_axes):
    xs, w = rand(5, 5, seed=1), rand(5, seed=2)
    f = lambda x, w: fnp.dot(x, w)
    got = vmap(f, in_axes=in_axes)(xs, w)
    ax = in_axes[0]
    close(got, [f(fnp.take(xs, i, axis=ax), w) for i in range(5)], rtol=1e-5)


def test_vmap_in_axes_single_int_applies_to_all_args():
    xs, ys = rand(3, 4, seed=1), rand(3, 4, seed=2)
    close(vmap(lambda x, y: x * y, in_axes=1)(xs, ys), (np.asarray(xs) * np.asarray(ys)).T)


def test_vmap_negative_in_axes():
    xs = rand(3, 4)
    close(vmap(fnp.sum, in_axes=-1)(xs), np.asarray(xs).sum(0))


@pytest.mark.parametrize("out_axes", [0, 1, -1])
def test_vmap_out_axes(out_axes):
    xs = rand(5, 3)
    got = vmap(lambda x: fnp.outer(x, x[:2]), out_axes=out_axes)(xs)
    ref = np.stack([np.outer(r, r[:2]) for r in np.asarray(xs)], axis=out_axes)
    close(got, ref)


def test_vmap_out_axes_pytree_and_none():
    xs, w = rand(4, 3, seed=1), rand(3, seed=2)
    a, b = vmap(lambda x, w: (x * w, w * 2), in_axes=(0, None), out_axes=(1, None))(xs, w)
    close(a, (np.asarray(xs) * np.asarray(w)).T)
    close(b, 2 * np.asarray(w))


def test_vmap_in_axes_dict_prefix():
    d = {"a": rand(4, 3, seed=1), "b": rand(3, seed=2)}
    got = vmap(lambda d: d["a"] + d["b"], in_axes=({"a": 0, "b": None},))(d)
    close(got, np.asarray(d["a"]) + np.asarray(d["b"]))


def test_vmap_in_axes_namedtuple_prefix():
    p = Params(rand(3, seed=1), rand(5, seed=2))
    f = lambda p: p.w * p.b
    got = vmap(f, in_axes=(Params(None, 0),))(p)
    close(got, np.asarray(p.b)[:, None] * np.asarray(p.w)[None, :])


def test_vmap_pytree_inputs_and_outputs():
    tree_in = ({"x": rand(4, 2, seed=1)}, [rand(4, seed=2)])
    f = lambda t: {"sum": fnp.sum(t[0]["x"]) + t[1][0], "pair": (t[0]["x"] * 2, t[1][0])}
    out = vmap(f)(tree_in)
    x, y = np.asarray(tree_in[0]["x"]), np.asarray(tree_in[1][0])
    close(out["sum"], x.sum(1) + y)
    close(out["pair"][0], 2 * x)
    close(out["pair"][1], y)


def test_vmap_unbatched_output_is_broadcast():
    out = vmap(lambda x: fnp.ones(2))(rand(3, 4))
    assert out.shape == (3, 2)


def test_vmap_keyword_arguments_are_mapped_over_axis_0():
    f = lambda x, scale: x * scale
    xs, scales = rand(3, 2), fnp.asarray([1.0, 2.0, 3.0])
    close(vmap(f)(xs, scale=scales), np.asarray(xs) * np.asarray(scales)[:, None])


def test_nested_vmap_outer_product():
    a, b = fnp.arange(3.0), fnp.arange(4.0)
    got = vmap(vmap(lambda x, y: x * y, in_axes=(0, None)), in_axes=(None, 0))(a, b)
    close(got, np.outer(np.arange(4.0), np.arange(3.0)))


def test_nested_vmap_three_levels():
    x = rand(2, 3, 4)
    got = vmap(vmap(vmap(lambda v: v * v + 1)))(x)
    close(got, np.asarray(x) ** 2 + 1)
    got2 = vmap(vmap(fnp.sum, in_axes=1), in_axes=0)(x)  # sums over the last axis
    close(got2, np.asarray(x).sum(1), rtol=1e-5)


def test_vmap_matmul_batch_rule():
    A, B = rand(5, 3, 4, seed=1), rand(4, 2, seed=2)
    close(vmap(fnp.matmul, in_axes=(0, None))(A, B), np.asarray(A) @ np.asarray(B), rtol=1e-5)
    close(vmap(fnp.matmul, in_axes=(None, 1))(rand(3, 4), rand(4, 6, 2)),
          np.stack([np.asarray(rand(3, 4)) @ np.asarray(rand(4, 6, 2))[:, i] for i in range(6)]),
          rtol=1e-5)


# ----------------------------------------------------------------------------------------------
# Compositions
# ----------------------------------------------------------------------------------------------


def test_jit_vmap_grad_matches_loop_of_grads():
    xs = rand(5, 3)
    got = jit(vmap(grad(f_scalar)))(xs)
    close(got, np.stack([np.asarray(grad(f_scalar)(xs[i])) for i in range(5)]))
    close(got, df_scalar(xs), rtol=1e-5)


def test_vmap_of_jit():
    f = jit(lambda x: fnp.sum(fnp.sin(x) ** 2))
    xs = rand(4, 3)
    close(vmap(f)(xs), [f(xs[i]) for i in range(4)])


def test_grad_of_vmap():
    xs = rand(4, 3)
    f = lambda x: fnp.sum(vmap(lambda r: fnp.sum(fnp.sin(r) * r))(x))
    close(grad(f)(xs), np.sin(np.asarray(xs)) + np.asarray(xs) * np.cos(np.asarray(xs)),
          rtol=1e-5)


def test_grad_of_jit_and_jit_of_grad():
    f = lambda x: fnp.sum(fnp.tanh(x) * x)
    x = rand(6)
    xn = np.asarray(x, np.float64)
    ref = np.tanh(xn) + xn * (1 - np.tanh(xn) ** 2)
    close(grad(jit(f))(x), ref, rtol=1e-5)
    close(jit(grad(f))(x), ref, rtol=1e-5)


def test_jit_of_grad_of_jit():
    # regression: jit's functools.update_wrapper once copied an inner Jitted's __dict__
    # (reached through grad_f's functools.wraps) over the outer one, running plain f
    inner = jit(lambda x: fnp.sum(fnp.tanh(x) * x))
    outer = jit(grad(inner))
    x = rand(6)
    xn = np.asarray(x, np.float64)
    close(outer(x), np.tanh(xn) + xn * (1 - np.tanh(xn) ** 2), rtol=1e-5)


def test_jit_of_vmap_of_jit():
    inner = jit(lambda x: fnp.sum(x**2))
    xs = rand(4, 3)
    close(jit(vmap(inner))(xs), (np.asarray(xs) ** 2).sum(1), rtol=1e-5)


def test_jit_of_jit():
    f = jit(lambda x: fnp.sum(x**2))
    x = rand(3)
    close(jit(f)(x), f(x))


def test_vmap_grad_grad():
    xs = rand(5)
    f = lambda x: fnp.sin(x) * x**2
    d2 = lambda x: -np.sin(x) * x**2 + 4 * x * np.cos(x) + 2 * np.sin(x)
    close(jit(vmap(grad(grad(f))))(xs), d2(np.asarray(xs, np.float64)), rtol=1e-4, atol=1e-5)


def test_jacfwd_of_vmap_and_vmap_of_jacrev():
    f = lambda x: fnp.sin(x) * fnp.sum(x)
    xs = rand(3, 4)
    per_row = vmap(jacrev(f))(xs)
    assert per_row.shape == (3, 4, 4)
    for i in range(3):
        close(per_row[i], jacfwd(f)(xs[i]), rtol=1e-5)


def test_grad_of_jit_with_static_argnums():
    f = jit(lambda x, n: fnp.sum(x**n), static_argnums=1)
    x = rand(3)
    close(grad(f)(x, 3), 3 * np.asarray(x) ** 2, rtol=1e-5)


def test_pytree_params_grad_dict_tuple_namedtuple():
    params = {"layer": Params(rand(3, 2, seed=1), rand(2, seed=2)), "extra": (rand(2, seed=3),)}
    x = rand(4, 3, seed=4)

    def loss(params, x):
        p = params["layer"]
        h = fnp.matmul(x, p.w) + p.b
        return fnp.sum(h**2) + fnp.sum(params["extra"][0] * h)

    g = grad(loss)(params, x)
    assert isinstance(g, dict) and isinstance(g["layer"], Params)
    assert isinstance(g["extra"], tuple) and len(g["extra"]) == 1
    w, b, e = (np.asarray(params["layer"].w), np.asarray(params["layer"].b),
               np.asarray(params["extra"][0]))
    xn = np.asarray(x)
    h = xn @ w + b
    dh = 2 * h + e
    close(g["layer"].w, xn.T @ dh, rtol=1e-4)
    close(g["layer"].b, dh.sum(0), rtol=1e-4)
    close(g["extra"][0], h.sum(0), rtol=1e-4)
    gj = jit(grad(loss))(params, x)
    tree_close(g, gj, rtol=1e-5)


# ----------------------------------------------------------------------------------------------
# Python control flow and stop_gradient
# ----------------------------------------------------------------------------------------------


def test_eager_grad_through_if():
    def f(x):
        if fnp.sum(x) > 0:
            return fnp.sum(x**2)
        return fnp.sum(x**3)

    close(grad(f)(fnp.asarray([1.0, 2.0])), [2.0, 4.0])
    close(grad(f)(fnp.asarray([-1.0, -2.0])), [3.0, 12.0])


def test_eager_grad_through_while_fancy_mlp_style():
    def f(x):
        x = x * 3.0
        while fnp.linalg.norm(x) > 1:
            x = x / 2
        if fnp.linalg.norm(x) < 0.8:
            x = x * 10
        return fnp.sum(x)

    x = fnp.asarray([1.0, 1.0, 1.0])
    # 3 * [1,1,1] has norm 5.196 -> halved 3 times: 0.6495 < 0.8 -> x10: 3 * 10 / 8
    close(f(x), 3 * 3.0 * 10 / 8)
    close(grad(f)(x), np.full(3, 3.0 * 10 / 8))


def test_eager_grad_python_loop_with_concrete_count():
    def f(x):
        n = int(fnp.sum(x > 0))  # concrete: number of positive entries
        y = x
        for _ in range(n):
            y = fnp.sin(y)
        return fnp.sum(y)

    x = fnp.asarray([0.5, -0.2])
    close(grad(f)(x), [np.cos(0.5), np.cos(-0.2)])


def test_stop_gradient():
    x = rand(4)
    close(grad(lambda x: fnp.sum(x * stop_gradient(x)))(x), np.asarray(x))
    close(grad(lambda x: fnp.sum(stop_gradient(x**2)))(x), np.zeros(4))
    # forward mode and Jacobians see it too
    _, t = jvp(lambda x: stop_gradient(x) * x, (x,), (fnp.ones(4),))
    close(t, np.asarray(x))
    close(jacrev(lambda x: stop_gradient(x) + x)(x), np.eye(4))
    # and jit / vmap keep it
    close(jit(grad(lambda x: fnp.sum(stop_gradient(x) * x**2)))(x), 2 * np.asarray(x) ** 2)
    close(vmap(grad(lambda x: stop_gradient(x) * x))(x), np.asarray(x))


def test_stop_gradient_on_pytree():
    t = {"a": rand(2), "b": (rand(3, seed=1),)}
    out = stop_gradient(t)
    tree_close(out, t)
    g = grad(lambda t: fnp.sum(stop_gradient(t)["a"]) + fnp.sum(t["b"][0]))(t)
    close(g["a"], np.zeros(2))
    close(g["b"][0], np.ones(3))


def test_stop_gradient_second_order():
    f = lambda x: x * stop_gradient(x) ** 2
    close(grad(grad(f))(fnp.asarray(1.5)), 0.0)


# ----------------------------------------------------------------------------------------------
# check_grads in float64
# ----------------------------------------------------------------------------------------------

CHECK_FUNS = [
    ("tanh_exp", lambda x: fnp.tanh(x) * fnp.sum(fnp.exp(x)), (4,)),
    ("logsumexp", lambda x: fnp.log(fnp.sum(fnp.exp(x))), (5,)),
    ("matmul", lambda x: fnp.matmul(x, x.T), (3, 2)),
    ("norm", lambda x: fnp.linalg.norm(x) * x, (3,)),
    ("power_div", lambda x: (x**3 + 1.0) / (x**2 + 2.0), (4,)),
    ("max_where", lambda x: fnp.where(x > 0, fnp.sin(x), x**2) + fnp.max(x), (5,)),
    ("mean_var", lambda x: fnp.var(x, axis=0) + fnp.mean(x, axis=1).sum(), (3, 4)),
    ("index_concat", lambda x: fnp.concatenate([x[1:], x[:2] * 2.0]), (4,)),
]


@pytest.mark.parametrize("name,f,shape", CHECK_FUNS, ids=[c[0] for c in CHECK_FUNS])
def test_check_grads_float64(x64, name, f, shape):
    x = fnp.asarray(np.random.default_rng(3).normal(size=shape))
    assert x.dtype == np.float64
    check_grads(f, (x,), order=2, modes=("fwd", "rev"))


def test_check_grads_pytree_args_float64(x64):
    def f(p, x):
        return fnp.tanh(fnp.matmul(x, p["w"]) + p["b"])

    rng = np.random.default_rng(4)
    p = {"w": fnp.asarray(rng.normal(size=(3, 2))), "b": fnp.asarray(rng.normal(size=2))}
    x = fnp.asarray(rng.normal(size=(4, 3)))
    check_grads(f, (p, x), order=2)


def test_check_grads_under_vmap_and_jit_float64(x64):
    f = lambda x: fnp.sum(fnp.sin(x) * fnp.cos(x[::-1]))
    xs = fnp.asarray(np.random.default_rng(5).normal(size=(3, 4)))
    check_grads(vmap(f), (xs,), order=2)
    check_grads(jit(f), (xs[0],), order=2)


def test_check_grads_detects_wrong_gradient(x64):
    # value x**2, but stop_gradient makes the derivative x instead of 2x
    f = lambda x: x * x + (stop_gradient(x) - x) * x
    x = fnp.asarray(np.array([0.3, -1.2, 2.0]))
    close(f(x), np.asarray(x) ** 2)
    with pytest.raises(AssertionError, match="reverse mode"):
        check_grads(f, (x,), order=1, modes=("rev",))  # the vjp disagrees with finite diffs
    with pytest.raises(AssertionError, match="forward mode"):
        check_grads(f, (x,), order=1, modes=("fwd",))  # and so does the jvp


def test_x64_fixture_restores_default():
    assert fnp.ones(2).dtype == np.float32


# ----------------------------------------------------------------------------------------------
# Per-example gradients of a small MLP
# ----------------------------------------------------------------------------------------------


def init_mlp(seed=0, sizes=(4, 8, 3)):
    rng = np.random.default_rng(seed)
    params = []
    for m, n in zip(sizes[:-1], sizes[1:]):
        params.append({"W": fnp.asarray((rng.normal(size=(m, n)) / np.sqrt(m)).astype(np.float32)),
                       "b": fnp.asarray((0.1 * rng.normal(size=n)).astype(np.float32))})
    return params


def mlp(params, x):
    h = x
    for i, layer in enumerate(params):
        h = fnp.matmul(h, layer["W"]) + layer["b"]
        if i < len(params) - 1:
            h = fnp.tanh(h)
    return h


def example_loss(params, x, y):
    return fnp.mean((mlp(params, x) - y) ** 2)


def test_per_example_gradients_match_loop():
    params = init_mlp()
    xs, ys = rand(6, 4, seed=1), rand(6, 3, seed=2)
    per_ex = vmap(grad(example_loss), in_axes=(None, 0, 0))(params, xs, ys)
    assert isinstance(per_ex, list) and len(per_ex) == 2
    assert per_ex[0]["W"].shape == (6, 4, 8) and per_ex[1]["b"].shape == (6, 3)
    for i in range(6):
        gi = grad(example_loss)(params, xs[i], ys[i])
        tree_close(funcnet.tree.map(lambda g: g[i], per_ex), gi, rtol=1e-4, atol=1e-6)
    # the mean of per-example grads is the grad of the mean loss
    batch_loss = lambda p, X, Y: fnp.mean(vmap(example_loss, in_axes=(None, 0, 0))(p, X, Y))
    g_batch = grad(batch_loss)(params, xs, ys)
    tree_close(funcnet.tree.map(lambda g: fnp.mean(g, axis=0), per_ex), g_batch,
               rtol=1e-4, atol=1e-6)
    jitted = jit(vmap(grad(example_loss), in_axes=(None, 0, 0)))(params, xs, ys)
    tree_close(jitted, per_ex, rtol=1e-5, atol=1e-6)


def test_mlp_gradient_matches_finite_differences(x64):
    rng = np.random.default_rng(7)
    params = [{"W": fnp.asarray(rng.normal(size=(3, 5))), "b": fnp.asarray(rng.normal(size=5))},
              {"W": fnp.asarray(rng.normal(size=(5, 2))), "b": fnp.asarray(rng.normal(size=2))}]
    x, y = fnp.asarray(rng.normal(size=(4, 3))), fnp.asarray(rng.normal(size=(4, 2)))
    check_grads(lambda p: example_loss(p, x, y), (params,), order=2)
