"""User-defined derivative rules and checkpointing: custom_jvp, custom_vjp, checkpoint / remat.

Each rule is checked to be the one used (a deliberately "wrong" rule shows up in the
derivative), against analytic derivatives and finite differences, inside vmap, jit and control
flow, differentiated twice, and with nondiff_argnums. checkpoint must give the same values and
derivatives as the plain function while its eager tape holds less memory.
"""

import functools
import tracemalloc

import numpy as np
import pytest

import funcnet
import funcnet.numpy as fnp
from funcnet import (
    checkpoint,
    custom_jvp,
    custom_vjp,
    grad,
    hessian,
    jacfwd,
    jacrev,
    jit,
    jvp,
    lax,
    remat,
    vjp,
    vmap,
)
from funcnet.errors import GradError
from funcnet.test_util import check_grads


@pytest.fixture
def x64():
    """float64 for finite differences; enable_x64 is set back to False afterwards."""
    funcnet.config.update("enable_x64", True)
    try:
        yield
    finally:
        funcnet.config.update("enable_x64", False)


def arr(values, dtype=None):
    return fnp.asarray(np.asarray(values, dtype=dtype))


def rand(*shape, seed=0, scale=1.0):
    return fnp.asarray(np.random.default_rng(seed).normal(size=shape) * scale)


def close(a, b, rtol=1e-5, atol=1e-6):
    np.testing.assert_allclose(np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64),
                               rtol=rtol, atol=atol)


def tree_close(a, b, rtol=1e-5, atol=1e-6):
    la, ta = funcnet.tree.flatten(a)
    lb, tb = funcnet.tree.flatten(b)
    assert ta == tb, f"tree structures differ: {ta} vs {tb}"
    for x, y in zip(la, lb, strict=True):
        close(x, y, rtol, atol)


# ----------------------------------------------------------------------------------------------
# custom_jvp
# ----------------------------------------------------------------------------------------------


@custom_jvp
def sinx(x):
    """x * sin(x) with its true derivative as the rule."""
    return fnp.sin(x) * x


@sinx.defjvp
def _sinx_jvp(primals, tangents):
    (x,), (t,) = primals, tangents
    return sinx(x), (fnp.cos(x) * x + fnp.sin(x)) * t


def _sinx_d1(x):
    return np.cos(x) * x + np.sin(x)


def _sinx_d2(x):
    return 2 * np.cos(x) - x * np.sin(x)


@custom_jvp
def fake_sin(x):
    """sin(x) whose rule claims the derivative is 2 (so the rule is visibly the one used)."""
    return fnp.sin(x)


fake_sin.defjvp(lambda p, t: (fake_sin(p[0]), 2.0 * t[0]))


@custom_jvp
def log1pexp(x):
    return fnp.log1p(fnp.exp(x))


@log1pexp.defjvp
def _log1pexp_jvp(primals, tangents):
    (x,), (t,) = primals, tangents
    return log1pexp(x), t * (1 - 1 / (1 + fnp.exp(x)))


def test_custom_jvp_rule_is_used_by_every_mode():
    x = arr(0.5, np.float32)
    close(fake_sin(x), np.sin(0.5))
    close(grad(fake_sin)(x), 2.0)
    close(jacfwd(fake_sin)(x), 2.0)
    close(jacrev(fake_sin)(x), 2.0)
    close(jvp(fake_sin, (x,), (arr(3.0, np.float32),))[1], 6.0)
    close(jit(grad(fake_sin))(x), 2.0)
    close(vmap(grad(fake_sin))(arr([0.1, 0.2], np.float32)), [2.0, 2.0])
    close(grad(grad(fake_sin))(x), 0.0)  # the rule's derivative is constant


def test_custom_jvp_fixes_a_numerically_unstable_gradient():
    # the chain rule through log1p(exp(x)) meets exp(100) = inf in float32; the rule does not
    x = arr(100.0, np.float32)
    close(grad(log1pexp)(x), 1.0)
    close(jit(grad(log1pexp))(x), 1.0)
    close(vmap(grad(log1pexp))(arr([-100.0, 0.0, 100.0], np.float32)), [0.0, 0.5, 1.0])


def test_custom_jvp_values_and_grads(x64):
    x = arr([0.3, 1.2, -0.7])
    close(sinx(x), np.sin(np.asarray(x)) * np.asarray(x))
    close(grad(lambda x: fnp.sum(sinx(x)))(x), _sinx_d1(np.asarray(x)), rtol=1e-12)
    check_grads(sinx, (x,), order=2)


def test_custom_jvp_differentiated_twice_jacfwd_and_jacrev(x64):
    x = arr([0.3, 1.2, -0.7])
    d2 = np.diag(_sinx_d2(np.asarray(x)))
    f = lambda x: fnp.sum(sinx(x))  # noqa: E731
    close(jacfwd(jacrev(f))(x), d2, rtol=1e-12)
    close(jacrev(jacrev(f))(x), d2, rtol=1e-12)
    close(jacfwd(jacfwd(f))(x), d2, rtol=1e-12)
    close(jacrev(jacfwd(f))(x), d2, rtol=1e-12)
    close(hessian(f)(x), d2, rtol=1e-12)
    close(jit(hessian(f))(x), d2, rtol=1e-12)
    close(jacfwd(sinx)(x), np.diag(_sinx_d1(np.asarray(x))), rtol=1e-12)
    close(jacrev(sinx)(x), np.diag(_sinx_d1(np.asarray(x))), rtol=1e-12)


def test_custom_jvp_inside_vmap_and_jit(x64):
    x = arr([0.3, 1.2, -0.7])
    close(vmap(sinx)(x), sinx(x))
    close(jit(sinx)(x), sinx(x))
    close(vmap(grad(sinx))(x), _sinx_d1(np.asarray(x)), rtol=1e-12)
    close(jit(vmap(grad(sinx)))(x), _sinx_d1(np.asarray(x)), rtol=1e-12)
    close(vmap(grad(grad(sinx)))(x), _sinx_d2(np.asarray(x)), rtol=1e-12)
    close(jit(vmap(jacfwd(grad(sinx))))(x), _sinx_d2(np.asarray(x)), rtol=1e-12)
    # a batched matrix: the rule sees whole rows
    m = rand(3, 4, seed=1)
    close(vmap(jacrev(sinx))(m), np.stack([np.diag(_sinx_d1(r)) for r in np.asarray(m)]),
          rtol=1e-12)


def test_custom_jvp_defjvps(x64):
    @custom_jvp
    def mul(x, y):
        return x * y

    mul.defjvps(lambda tx, out, x, y: tx * y * 10.0, lambda ty, out, x, y: ty * x)
    x, y = arr(2.0), arr(3.0)
    gx, gy = grad(mul, (0, 1))(x, y)
    close(gx, 30.0)  # the (scaled) rule, not the true derivative 3
    close(gy, 2.0)
    close(jvp(mul, (x, y), (arr(1.0), arr(1.0)))[1], 32.0)
    close(jit(vmap(grad(mul)))(arr([1.0, 2.0]), arr([3.0, 4.0])), [30.0, 40.0])


def test_custom_jvp_nondiff_argnums_with_function_argument(x64):
    @functools.partial(custom_jvp, nondiff_argnums=(0,))
    def apply(fn, x):
        return fn(x)

    @apply.defjvp
    def _apply_jvp(fn, primals, tangents):
        (x,), (t,) = primals, tangents
        return apply(fn, x), 3.0 * t

    x = arr([0.1, 0.5])
    close(apply(fnp.sin, x), np.sin([0.1, 0.5]))
    close(grad(lambda x: fnp.sum(apply(fnp.sin, x)))(x), [3.0, 3.0])
    close(jit(grad(lambda x: fnp.sum(apply(fnp.sin, x))))(x), [3.0, 3.0])
    close(vmap(grad(lambda x: apply(fnp.cos, x)))(x), [3.0, 3.0])
    close(jacfwd(lambda x: apply(fnp.sin, x))(x), 3 * np.eye(2))


def test_custom_jvp_pytree_arguments_and_outputs(x64):
    @custom_jvp
    def polar(p):
        return {"x": p["r"] * fnp.cos(p["t"]), "y": p["r"] * fnp.sin(p["t"])}

    @polar.defjvp
    def _polar_jvp(primals, tangents):
        (p,), (dp,) = primals, tangents
        c, s = fnp.cos(p["t"]), fnp.sin(p["t"])
        return polar(p), {"x": dp["r"] * c - p["r"] * s * dp["t"],
                          "y": dp["r"] * s + p["r"] * c * dp["t"]}

    p = {"r": arr(2.0), "t": arr(0.3)}
    check_grads(polar, (p,), order=2)
    g = grad(lambda p: polar(p)["x"])(p)
    close(g["r"], np.cos(0.3))
    close(g["t"], -2 * np.sin(0.3))


def test_custom_jvp_inside_control_flow(x64):
    @custom_jvp
    def expo(x):
        return fnp.exp(x)

    expo.defjvp(lambda p, t: (expo(p[0]), expo(p[0]) * t[0]))
    # three iterations of exp from 0.1: d/dx exp(exp(exp(x)))
    f = lambda x: lax.while_loop(lambda c: c < 5, expo, x)  # noqa: E731
    e1 = np.exp(0.1)
    e2 = np.exp(e1)
    close(grad(f)(arr(0.1)), np.exp(e2) * e2 * e1, rtol=1e-10)
    g = lambda x: lax.scan(lambda c, y: (expo(c * y), c), 0.1, x)[0]  # noqa: E731
    check_grads(g, (arr([0.5, 0.3, 0.2]),), order=2)


def test_custom_jvp_rule_with_wrong_structure_is_an_error():
    @custom_jvp
    def ident(x):
        return x

    ident.defjvp(lambda p, t: (p[0], (t[0], t[0])))
    with pytest.raises(TypeError, match=r"custom_jvp\(ident\).*output structure"):
        grad(ident)(arr(1.0, np.float32))


def test_custom_jvp_without_rule_is_an_error():
    @custom_jvp
    def norule(x):
        return x

    with pytest.raises(TypeError, match=r"custom_jvp\(norule\).*defjvp"):
        norule(arr(1.0, np.float32))


# ----------------------------------------------------------------------------------------------
# custom_vjp
# ----------------------------------------------------------------------------------------------


@custom_vjp
def sin_mul(x, y):
    return fnp.sin(x) * y


def _sin_mul_fwd(x, y):
    return sin_mul(x, y), (x, y)


def _sin_mul_bwd(res, g):
    x, y = res
    return fnp.cos(x) * y * g, fnp.sin(x) * g


sin_mul.defvjp(_sin_mul_fwd, _sin_mul_bwd)


@custom_vjp
def clip_gradient(x):
    return x


clip_gradient.defvjp(lambda x: (x, None), lambda res, g: (fnp.clip(g, -1.0, 1.0),))


def test_custom_vjp_rule_is_used():
    x = arr([2.0, -3.0, 0.1], np.float32)
    close(clip_gradient(x), x)
    close(grad(lambda x: fnp.sum(10 * clip_gradient(x)))(x), [1.0, 1.0, 1.0])
    close(grad(lambda x: fnp.sum(0.5 * clip_gradient(x)))(x), [0.5, 0.5, 0.5])
    close(jit(grad(lambda x: fnp.sum(-10 * clip_gradient(x))))(x), [-1.0, -1.0, -1.0])
    close(vmap(grad(lambda x: 10 * clip_gradient(x)))(x), [1.0, 1.0, 1.0])


def test_custom_vjp_values_and_grads(x64):
    x, y = arr([0.3, 1.2, -0.7]), arr([1.0, 2.0, 3.0])
    xn, yn = np.asarray(x), np.asarray(y)
    close(sin_mul(x, y), np.sin(xn) * yn)
    gx, gy = grad(lambda x, y: fnp.sum(sin_mul(x, y)), (0, 1))(x, y)
    close(gx, np.cos(xn) * yn, rtol=1e-12)
    close(gy, np.sin(xn), rtol=1e-12)
    out, pull = vjp(sin_mul, x, y)
    close(pull(fnp.ones(3))[0], np.cos(xn) * yn, rtol=1e-12)
    check_grads(sin_mul, (x, y), order=2, modes=("rev",))


def test_custom_vjp_differentiated_twice_in_reverse_mode(x64):
    x, y = arr([0.3, 1.2, -0.7]), arr([1.0, 2.0, 3.0])
    xn, yn = np.asarray(x), np.asarray(y)
    gg = grad(lambda x: fnp.sum(grad(lambda x: fnp.sum(sin_mul(x, y)))(x)))(x)
    close(gg, -np.sin(xn) * yn, rtol=1e-12)
    close(jacrev(jacrev(lambda x: fnp.sum(sin_mul(x, y))))(x), np.diag(-np.sin(xn) * yn),
          rtol=1e-12)
    close(jit(grad(lambda x: fnp.sum(grad(lambda x: fnp.sum(sin_mul(x, y)))(x))))(x),
          -np.sin(xn) * yn, rtol=1e-12)
    # the mixed second derivative d2/dxdy = cos(x)
    close(jacrev(grad(lambda x, y: fnp.sum(sin_mul(x, y)), 1))(x, y), np.diag(np.cos(xn)),
          rtol=1e-12)


def test_custom_vjp_inside_vmap_and_jit(x64):
    x, y = arr([0.3, 1.2, -0.7]), arr([1.0, 2.0, 3.0])
    xn, yn = np.asarray(x), np.asarray(y)
    close(vmap(sin_mul)(x, y), np.sin(xn) * yn)
    close(jit(sin_mul)(x, y), np.sin(xn) * yn)
    close(vmap(grad(sin_mul))(x, y), np.cos(xn) * yn, rtol=1e-12)
    close(jit(vmap(grad(sin_mul)))(x, y), np.cos(xn) * yn, rtol=1e-12)
    close(vmap(grad(sin_mul), (0, None))(x, arr(2.0)), np.cos(xn) * 2, rtol=1e-12)
    close(vmap(grad(grad(sin_mul)))(x, y), -np.sin(xn) * yn, rtol=1e-12)
    close(jit(vmap(grad(grad(sin_mul))))(x, y), -np.sin(xn) * yn, rtol=1e-12)


def test_custom_vjp_nondiff_argnums(x64):
    @functools.partial(custom_vjp, nondiff_argnums=(1,))
    def scale(x, k):
        return x * k

    scale.defvjp(lambda x, k: (x * k, None), lambda k, res, g: (g * k * 10,))
    x = arr(2.0)
    close(scale(x, 3.0), 6.0)
    close(grad(scale)(x, 3.0), 30.0)  # bwd receives the nondiff argument first
    close(jit(grad(scale), static_argnums=1)(x, 3.0), 30.0)
    close(vmap(grad(scale), (0, None))(arr([1.0, 2.0]), 3.0), [30.0, 30.0])
    # twice: d/dx [2 * scale(x) * 30] with the same rule = 2 * 30 * 30
    close(grad(grad(lambda x: scale(x, 3.0) ** 2))(x), 1800.0)

    @functools.partial(custom_vjp, nondiff_argnums=(0,))
    def apply(fn, x):
        return fn(x)

    apply.defvjp(lambda fn, x: (fn(x), x), lambda fn, x, g: (g * grad(fn)(x) * 2,))
    close(grad(lambda x: apply(fnp.sin, x))(arr(0.5)), 2 * np.cos(0.5))
    close(jit(vmap(grad(lambda x: apply(fnp.sin, x))))(arr([0.5, 1.0])),
          2 * np.cos([0.5, 1.0]))


def test_custom_vjp_pytree_arguments_and_none_cotangent():
    @custom_vjp
    def prod(p):
        return p["a"] * p["b"]

    prod.defvjp(lambda p: (prod(p), p), lambda p, g: ({"a": g * p["b"], "b": None},))
    g = grad(prod)({"a": arr(2.0, np.float32), "b": arr(5.0, np.float32)})
    close(g["a"], 5.0)
    close(g["b"], 0.0)  # None means a zero cotangent


def test_custom_vjp_inside_scan(x64):
    @custom_vjp
    def csin(x):
        return fnp.sin(x)

    csin.defvjp(lambda x: (fnp.sin(x), fnp.cos(x)), lambda c, g: (c * g,))
    f = lambda x: lax.scan(lambda c, y: (csin(c * y), c), 0.5, x)  # noqa: E731
    check_grads(f, (arr([1.1, 1.2, 1.3]),), order=2, modes=("rev",))
    xs = arr([[1.0, 1.1, 1.2], [1.3, 1.4, 1.5]])
    out = jit(vmap(grad(lambda x: f(x)[0])))(xs)
    plain = lambda x: lax.scan(lambda c, y: (fnp.sin(c * y), c), 0.5, x)[0]  # noqa: E731
    close(out, np.stack([grad(plain)(r) for r in xs]), rtol=1e-12)


def test_custom_vjp_under_forward_mode_raises_grad_error():
    x, y = arr(0.5, np.float32), arr(2.0, np.float32)
    with pytest.raises(GradError, match="custom_vjp.*forward-mode.*custom_jvp"):
        jvp(sin_mul, (x, y), (x, y))
    with pytest.raises(GradError, match="forward-mode"):
        jacfwd(sin_mul)(x, y)
    with pytest.raises(GradError, match="forward-mode"):
        hessian(lambda x: sin_mul(x, y))(x)


def test_custom_vjp_bwd_with_wrong_structure_names_the_expected_one():
    @custom_vjp
    def mul(x, y):
        return x * y

    x, y = arr(1.0, np.float32), arr(2.0, np.float32)
    mul.defvjp(lambda x, y: (x * y, (x, y)), lambda r, g: (g * r[1],))  # one cotangent, not 2
    with pytest.raises(TypeError, match=r"bwd returned cotangents with structure "
                       r"PyTreeDef\(\(\*,\)\).*arguments have structure PyTreeDef\(\(\*, \*\)\)"):
        grad(mul)(x, y)
    mul.defvjp(lambda x, y: (x * y, (x, y)), lambda r, g: g * r[1])  # not a tuple
    with pytest.raises(TypeError, match=r"bwd must return a tuple.*PyTreeDef\(\(\*, \*\)\)"):
        grad(mul)(x, y)
    mul.defvjp(lambda x, y: (x * y, (x, y)), lambda r, g: (g * r[1], fnp.ones(3)))
    with pytest.raises(TypeError, match=r"shape \(3,\) for an argument of shape \(\)"):
        grad(mul)(x, y)

    @custom_vjp
    def prod(p):
        return p["a"] * p["b"]

    prod.defvjp(lambda p: (prod(p), p), lambda p, g: ((g, g),))  # a tuple instead of a dict
    with pytest.raises(TypeError, match=r"\{'a': \*, 'b': \*\}"):
        grad(prod)({"a": x, "b": y})


def test_custom_vjp_without_rule_is_an_error():
    @custom_vjp
    def norule(x):
        return x

    with pytest.raises(TypeError, match=r"custom_vjp\(norule\).*defvjp"):
        norule(arr(1.0, np.float32))


# ----------------------------------------------------------------------------------------------
# checkpoint / remat
# ----------------------------------------------------------------------------------------------


def _layer(w, x):
    return fnp.tanh(x @ w)


def _two_layers(layer):
    return lambda w, x: fnp.sum(layer(w, layer(w, x)) ** 2)


def test_checkpoint_same_values_and_gradients_order2(x64):
    w, x = rand(3, 3, seed=0, scale=0.5), rand(2, 3, seed=1)
    plain, ck = _two_layers(_layer), _two_layers(checkpoint(_layer))
    close(ck(w, x), plain(w, x), rtol=1e-12)
    tree_close(grad(ck, (0, 1))(w, x), grad(plain, (0, 1))(w, x), rtol=1e-12)
    close(jacrev(grad(ck))(w, x), jacrev(grad(plain))(w, x), rtol=1e-10, atol=1e-12)
    close(jacfwd(grad(ck))(w, x), jacrev(grad(plain))(w, x), rtol=1e-10, atol=1e-12)
    check_grads(ck, (w, x), order=2)


def test_checkpoint_under_jit_and_vmap(x64):
    w, x = rand(3, 3, seed=0, scale=0.5), rand(4, 3, seed=1)
    plain, ck = _two_layers(_layer), _two_layers(checkpoint(_layer))
    close(jit(grad(ck))(w, x), grad(plain)(w, x), rtol=1e-12)
    close(jit(ck)(w, x), plain(w, x), rtol=1e-12)
    close(vmap(grad(ck), (None, 0))(w, x), vmap(grad(plain), (None, 0))(w, x), rtol=1e-12)
    close(jit(vmap(grad(ck), (None, 0)))(w, x), vmap(grad(plain), (None, 0))(w, x),
          rtol=1e-12)
    close(vmap(checkpoint(_layer), (None, 0))(w, x), _layer(w, x), rtol=1e-12)
    close(jit(hessian(lambda x: ck(w, x)))(x[:1]), hessian(lambda x: plain(w, x))(x[:1]),
          rtol=1e-10, atol=1e-12)


def test_checkpoint_static_argnums_pytrees_and_alias(x64):
    assert remat is checkpoint
    cube = checkpoint(lambda x, n: x ** n, static_argnums=1)
    close(grad(lambda x: cube(x, 3))(arr(2.0)), 12.0)
    close(grad(grad(lambda x: cube(x, 3)))(arr(2.0)), 12.0)
    g = grad(lambda p: checkpoint(lambda p: fnp.sum(p["a"] * p["b"]))(p))(
        {"a": fnp.ones(2), "b": fnp.arange(2.0)})
    close(g["a"], [0.0, 1.0])
    close(g["b"], [1.0, 1.0])
    # inside a scan, closing over the differentiated value
    f = lambda w: lax.scan(lambda c, _: (checkpoint(lambda c: fnp.sin(c * w))(c), None),  # noqa
                           1.0, None, length=3)[0]
    f_plain = lambda w: lax.scan(lambda c, _: (fnp.sin(c * w), None), 1.0, None,  # noqa: E731
                                 length=3)[0]
    close(grad(f)(arr(0.5)), grad(f_plain)(arr(0.5)), rtol=1e-12)
    check_grads(f, (arr(0.5),), order=2)


def test_checkpoint_eager_tape_holds_less_memory():
    rng = np.random.default_rng(0)
    width, batch = 256, 256
    ws = [fnp.asarray(rng.standard_normal((width, width)).astype(np.float32) / 16)
          for _ in range(10)]
    x = fnp.asarray(rng.standard_normal((batch, width)).astype(np.float32))

    def layer(w, h):
        return fnp.tanh(fnp.tanh(h @ w) * 1.5 + 0.1)

    def loss(ws, x, layer):
        h = x
        for w in ws:
            h = layer(w, h)
        return fnp.sum(h ** 2)

    def peak(layer):
        grad(loss)(ws, x, layer)  # warm up (tracing caches etc.)
        tracemalloc.start()
        try:
            tracemalloc.reset_peak()
            g = grad(loss)(ws, x, layer)
            return tracemalloc.get_traced_memory()[1], g
        finally:
            tracemalloc.stop()

    peak_plain, g_plain = peak(layer)
    peak_ck, g_ck = peak(checkpoint(layer))
    for a, b in zip(g_plain, g_ck, strict=True):
        close(a, b, rtol=1e-6)
    # every layer keeps ~4 activations of 256 KB without checkpointing, 1 with it
    assert peak_ck < 0.8 * peak_plain, (peak_ck, peak_plain)


def test_checkpoint_recomputes_in_the_backward_pass(monkeypatch):
    # count evaluations of sin: the checkpointed version evaluates it again in the backward
    # pass; side effects (debug callbacks) are not repeated by the recomputation
    from funcnet.core.prims.elementwise import sin_p
    from funcnet.core.registry import impl_rules
    calls = []
    impl = impl_rules[sin_p]
    monkeypatch.setitem(impl_rules, sin_p, lambda xp, x: (calls.append(1), impl(xp, x))[1])
    seen = []
    f = checkpoint(lambda x: (funcnet.debug.callback(lambda v: seen.append(float(v)), x),
                              fnp.sin(x))[1])
    close(grad(f)(arr(0.5, np.float32)), np.cos(0.5))
    assert len(calls) == 2  # once forward, once recomputed in the backward pass
    assert seen == [0.5]    # the callback ran once
    calls.clear()
    close(grad(lambda x: fnp.sin(x))(arr(0.5, np.float32)), np.cos(0.5))
    assert len(calls) == 1
