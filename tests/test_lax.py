"""funcnet.lax control flow: cond, switch, while_loop, fori_loop, scan, map.

Every primitive is checked against the Python loop / ``if`` it replaces (values), against
finite differences (``check_grads`` in float64), against a Python loop over examples (vmap,
including batched predicates whose lanes finish at different iterations), against its eager
self (jit), and in nested combinations. The errors of issue 4 are checked with their messages.
"""


import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import funcnet
import funcnet.numpy as fnp
from funcnet import grad, jacfwd, jacrev, jit, lax, make_graph, vmap
from funcnet.test_util import check_grads

# ----------------------------------------------------------------------------------------------
# Helpers
# ----------------------------------------------------------------------------------------------


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


def rand(*shape, seed=0):
    return fnp.asarray(np.random.default_rng(seed).normal(size=shape))


def close(a, b, rtol=1e-5, atol=1e-6):
    np.testing.assert_allclose(np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64),
                               rtol=rtol, atol=atol)


def tree_close(a, b, rtol=1e-5, atol=1e-6):
    la, ta = funcnet.tree.flatten(a)
    lb, tb = funcnet.tree.flatten(b)
    assert ta == tb, f"tree structures differ: {ta} vs {tb}"
    for x, y in zip(la, lb, strict=True):
        close(x, y, rtol, atol)


def prim_names(graph):
    return [e.prim.name for e in graph.eqns]


# ----------------------------------------------------------------------------------------------
# cond / switch
# ----------------------------------------------------------------------------------------------


def _branchy(p, x):
    return lax.cond(p > 0, lambda x: fnp.sin(x) * x, lambda x: fnp.cos(x) - x, x)


def _branchy_ref(p, x):
    x = np.asarray(x, np.float64)
    return np.sin(x) * x if p > 0 else np.cos(x) - x


@pytest.mark.parametrize("p", [1.0, -1.0, 0.0])
def test_cond_matches_python_if_eager_and_jit(p):
    x = arr([0.3, -1.2, 2.0], np.float32)
    close(_branchy(p, x), _branchy_ref(p, x))
    close(jit(_branchy)(p, x), _branchy_ref(p, x))
    close(jit(_branchy)(p, x), _branchy(p, x))


def test_cond_with_concrete_predicate_returns_arrays():
    out = lax.switch(1, [lambda x: x + 1, lambda x: x * 10], 2.0)
    assert isinstance(out, funcnet.Array) and float(out) == 20.0
    out = lax.cond(True, lambda x: x + 1, lambda x: x - 1, 2.0)
    assert isinstance(out, funcnet.Array) and float(out) == 3.0


def test_cond_traced_predicate_is_one_primitive():
    g = make_graph(_branchy)(1.0, arr([1.0, 2.0], np.float32))
    assert "cond" in prim_names(g)
    text = str(g)
    assert "sin" in text and "cos" in text  # both branches are traced once


def test_cond_pytree_operands_and_outputs():
    def f(p, tree):
        return lax.cond(p, lambda t: {"s": t["a"] + t["b"][0], "d": (t["a"] * 2, t["b"][1])},
                        lambda t: {"s": t["a"] - t["b"][0], "d": (-t["a"], t["b"][1] + 1)},
                        tree)

    tree = {"a": arr([1.0, 2.0], np.float32), "b": (arr([3.0, 4.0], np.float32), arr(5, np.int32))}
    for p in (True, False):
        out = jit(f)(p, tree)
        if p:
            expect = {"s": [4.0, 6.0], "d": ([2.0, 4.0], 5)}
        else:
            expect = {"s": [-2.0, -2.0], "d": ([-1.0, -2.0], 6)}
        tree_close(out, {"s": arr(expect["s"]), "d": (arr(expect["d"][0]),
                                                      arr(expect["d"][1]))})
        tree_close(out, f(p, tree))
    assert out["d"][1].dtype == np.int32


def test_cond_several_operands_and_closures():
    w = arr(3.0, np.float32)
    f = jit(lambda p, x, y: lax.cond(p, lambda a, b: a * w + b, lambda a, b: a - b * w, x, y))
    close(f(True, 2.0, 1.0), 7.0)
    close(f(False, 2.0, 1.0), -1.0)


def test_cond_grads_both_branches(x64):
    x = arr([0.3, -1.2, 2.0])
    for p in (1.0, -1.0):
        check_grads(lambda x, p=p: _branchy(p, x), (x,), order=2)
        g = grad(lambda x, p=p: fnp.sum(_branchy(p, x)))(x)
        xn = np.asarray(x)
        expect = np.sin(xn) + xn * np.cos(xn) if p > 0 else -np.sin(xn) - 1
        close(g, expect, rtol=1e-12, atol=1e-12)
        close(jit(grad(lambda x, p: fnp.sum(_branchy(p, x))))(x, p), expect, rtol=1e-12)


def test_cond_grad_wrt_closed_over_value(x64):
    # d/dw cond(w > 0, x * w**2, x - w) at x = 2
    f = lambda w: lax.cond(w > 0, lambda x: x * w ** 2, lambda x: x - w, 2.0)  # noqa: E731
    close(grad(f)(arr(3.0)), 12.0)
    close(grad(f)(arr(-1.0)), -1.0)
    close(jit(grad(f))(arr(3.0)), 12.0)
    check_grads(f, (arr(0.7),), order=2)


def test_cond_vmap_batched_predicate_is_a_select():
    ps = arr([1.0, -1.0, 2.0, -3.0], np.float32)
    xs = arr([0.1, 0.2, 0.3, 0.4], np.float32)
    out = vmap(_branchy)(ps, xs)
    close(out, [_branchy_ref(float(p), float(x)) for p, x in zip(ps, xs, strict=True)])
    close(jit(vmap(_branchy))(ps, xs), out)
    # batched predicate, unbatched operand
    out2 = vmap(_branchy, in_axes=(0, None))(ps, arr([0.5, 1.5], np.float32))
    close(out2, [_branchy_ref(float(p), [0.5, 1.5]) for p in ps])


def test_cond_vmap_unbatched_predicate():
    xs = arr([[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]], np.float32)
    for p in (1.0, -1.0):
        out = vmap(_branchy, in_axes=(None, 0))(p, xs)
        close(out, np.stack([_branchy_ref(p, x) for x in np.asarray(xs)]))


def test_cond_vmap_grad_with_batched_predicate(x64):
    f = lambda w: lax.cond(w > 0, lambda x: x * w ** 2, lambda x: x - w, 2.0)  # noqa: E731
    ws = arr([3.0, -1.0, 0.5])
    close(vmap(grad(f))(ws), [grad(f)(w) for w in ws])
    close(jit(vmap(grad(f)))(ws), [12.0, -1.0, 2.0])


def test_switch_matches_python_indexing_and_clamps():
    branches = [fnp.sin, fnp.cos, fnp.tanh]
    refs = [np.sin, np.cos, np.tanh]
    x = arr([0.1, 0.7], np.float32)
    f = jit(lambda i, x: lax.switch(i, branches, x))
    for i in range(-2, 5):
        j = min(max(i, 0), 2)  # out-of-range indices are clamped (JAX semantics)
        close(lax.switch(i, branches, x), refs[j](np.asarray(x)))
        close(f(i, x), refs[j](np.asarray(x)))


def test_switch_vmap_batched_index_and_grad(x64):
    branches = [lambda x: x ** 2, lambda x: fnp.sin(x), lambda x: 3.0 * x]
    idx = arr([0, 1, 2, 7, -1], np.int32)
    xs = arr([0.5, 0.6, 0.7, 0.8, 0.9])
    out = vmap(lambda i, x: lax.switch(i, branches, x))(idx, xs)
    # index 7 is clamped to the last branch, -1 to the first
    close(out, [0.25, np.sin(0.6), 2.1, 2.4, 0.81])
    g = vmap(grad(lambda x, i: lax.switch(i, branches, x)))(xs, idx)
    close(g, [1.0, np.cos(0.6), 3.0, 3.0, 1.8])
    check_grads(lambda x: lax.switch(arr(1, np.int32), branches, x), (xs,), order=2)


# ----------------------------------------------------------------------------------------------
# scan
# ----------------------------------------------------------------------------------------------


def _py_scan(f, init, xs, reverse=False):
    """The Python loop that lax.scan replaces."""
    carry, ys = init, []
    idx = range(len(xs) - 1, -1, -1) if reverse else range(len(xs))
    for i in idx:
        carry, y = f(carry, xs[i])
        ys.append(y)
    if reverse:
        ys.reverse()
    return carry, np.stack(ys)


def _rnn_step(c, x):
    return fnp.tanh(0.7 * c + x), c * x


def _rnn_step_np(c, x):
    return np.tanh(0.7 * c + x), c * x


@pytest.mark.parametrize("reverse", [False, True])
def test_scan_matches_python_loop(reverse):
    xs = rand(6, 3, seed=1).astype(fnp.float32)
    init = fnp.zeros(3, fnp.float32)
    c, ys = lax.scan(_rnn_step, init, xs, reverse=reverse)
    rc, rys = _py_scan(_rnn_step_np, np.zeros(3), np.asarray(xs, np.float64), reverse)
    close(c, rc)
    close(ys, rys)
    assert ys.shape == (6, 3)
    cj, ysj = jit(lambda i, x: lax.scan(_rnn_step, i, x, reverse=reverse))(init, xs)
    close(cj, c)
    close(ysj, ys)


def test_scan_reverse_keeps_xs_order():
    c, ys = lax.scan(lambda c, x: (c + x, c), 0.0, arr([0.0, 1.0, 2.0, 3.0], np.float32),
                     reverse=True)
    close(c, 6.0)
    close(ys, [6.0, 5.0, 3.0, 0.0])


@given(st.lists(st.floats(-2, 2), min_size=1, max_size=8), st.booleans())
def test_scan_cumulative_ops_property(values, reverse):
    xs = arr(values, np.float32)
    c, ys = lax.scan(lambda c, x: (c + x, fnp.maximum(c, x)), 0.0, xs, reverse=reverse)
    rc, rys = _py_scan(lambda c, x: (c + x, max(c, x)), 0.0, np.asarray(xs, np.float64),
                       reverse)
    close(c, rc, atol=1e-5)
    close(ys, rys, atol=1e-5)


def test_scan_pytree_carry_and_stacked_pytree_outputs():
    def step(carry, x):
        new = {"h": carry["h"] * 0.5 + x["u"], "n": carry["n"] + 1}
        return new, (x["u"] * 2, {"h": carry["h"], "n": carry["n"]})

    init = {"h": fnp.zeros(2, fnp.float32), "n": arr(0, np.int32)}
    xs = {"u": arr(np.arange(8.0).reshape(4, 2), np.float32)}
    c, (ys_u, ys_d) = lax.scan(step, init, xs)
    # the Python loop
    h, n, hs, ns = np.zeros(2), 0, [], []
    for u in np.arange(8.0).reshape(4, 2):
        hs.append(h)
        ns.append(n)
        h, n = h * 0.5 + u, n + 1
    close(c["h"], h)
    assert int(c["n"]) == 4 and c["n"].dtype == np.int32
    close(ys_u, np.arange(8.0).reshape(4, 2) * 2)
    close(ys_d["h"], np.stack(hs))
    assert ys_d["n"].tolist() == ns and ys_d["n"].shape == (4,)
    tree_close(jit(lambda i, x: lax.scan(step, i, x))(init, xs), (c, (ys_u, ys_d)))


def test_scan_length_without_xs_and_ys_none():
    c, ys = lax.scan(lambda c, _: (c * 2.0, c), 1.0, None, length=5)
    close(c, 32.0)
    close(ys, [1.0, 2.0, 4.0, 8.0, 16.0])
    c2, ys2 = lax.scan(lambda c, x: (c + x, None), 0.0, arr([1.0, 2.0, 3.0], np.float32))
    close(c2, 6.0)
    assert ys2 is None
    c3, ys3 = jit(lambda c: lax.scan(lambda c, _: (c + 1.0, c), c, None, length=3))(0.0)
    close(ys3, [0.0, 1.0, 2.0])


def test_scan_zero_length():
    c, ys = lax.scan(lambda c, x: (c + x, c * x), 1.0, fnp.zeros((0,), fnp.float32))
    close(c, 1.0)
    assert ys.shape == (0,)


def test_scan_grads_order2(x64):
    xs = rand(5, 2, seed=2) * 0.5
    init = rand(2, seed=3)
    check_grads(lambda c, xs: lax.scan(_rnn_step, c, xs), (init, xs), order=2)
    check_grads(lambda c, xs: lax.scan(_rnn_step, c, xs, reverse=True), (init, xs), order=2)


def test_scan_grad_of_closure_over_differentiated_value(x64):
    xs = arr(np.linspace(-1, 1, 5))

    def f(w):
        return lax.scan(lambda c, x: (c * w + x, c), 0.0, xs)[0]

    def ref(w):
        c = 0.0
        for x in np.linspace(-1, 1, 5):
            c = c * w + x
        return c

    w = 0.7
    fd = (ref(w + 1e-6) - ref(w - 1e-6)) / 2e-6
    close(grad(f)(arr(w)), fd, rtol=1e-7)
    close(jit(grad(f))(arr(w)), fd, rtol=1e-7)
    check_grads(f, (arr(w),), order=2)
    # the ys depend on w too
    check_grads(lambda w: lax.scan(lambda c, x: (c * w + x, c * w), 0.0, xs)[1], (arr(w),),
                order=2)


def test_scan_length_only_grads(x64):
    f = lambda w: lax.scan(lambda c, _: (c * w + 1, c ** 2), w, None, length=4)  # noqa: E731
    check_grads(f, (arr(0.9),), order=2)
    # carry after 4 steps of c -> c*w + 1 from c0 = w: w^5 + w^3 + w^2 + w + 1
    close(grad(lambda w: f(w)[0])(arr(0.9)), 5 * 0.9 ** 4 + 3 * 0.9 ** 2 + 2 * 0.9 + 1)


def test_scan_vmap_matches_loop():
    batch = rand(3, 6, 2, seed=4).astype(fnp.float32)
    init = rand(3, 2, seed=5).astype(fnp.float32)
    f = lambda c, xs: lax.scan(_rnn_step, c, xs)  # noqa: E731
    c, ys = vmap(f)(init, batch)
    for i in range(3):
        ci, ysi = f(init[i], batch[i])
        close(c[i], ci)
        close(ys[i], ysi)
    # xs batched along axis 1, carry unbatched (it becomes batched inside)
    c1, ys1 = vmap(f, in_axes=(None, 1))(init[0], batch)
    for j in range(6):
        cj, ysj = f(init[0], batch[:, j])
        close(c1[j], cj)
        close(ys1[j], ysj)
    tree_close(jit(vmap(f))(init, batch), (c, ys))


def test_scan_vmap_over_closed_over_constant():
    ws = arr([1.0, 2.0, -0.5], np.float32)
    f = lambda w: lax.scan(lambda c, x: (c * w + x, c), 0.0, fnp.arange(3.0))  # noqa: E731
    c, ys = vmap(f)(ws)
    for i, w in enumerate(np.asarray(ws)):
        ci, ysi = f(w)
        close(c[i], ci)
        close(ys[i], ysi)
    close(vmap(lambda w: f(w)[1], out_axes=1)(ws), np.asarray(ys).T)


# ----------------------------------------------------------------------------------------------
# while_loop
# ----------------------------------------------------------------------------------------------


def _halve(x):
    """``while norm(x) > 1: x = x / 2`` (the seed guide's FancyMLP loop)."""
    return lax.while_loop(lambda x: fnp.linalg.norm(x) > 1, lambda x: x / 2, x)


def _halve_py(x):
    x = np.asarray(x, np.float64)
    k = 0
    while np.linalg.norm(x) > 1:
        x = x / 2
        k += 1
    return x, k


def test_while_matches_python_loop_eager_and_jit():
    for v in ([3.0, 4.0], [0.1, 0.2], [100.0, -7.0]):
        x = arr(v, np.float32)
        close(_halve(x), _halve_py(v)[0])
        close(jit(_halve)(x), _halve_py(v)[0])


def test_while_pytree_carry_with_counter():
    def collatz(n):
        return lax.while_loop(lambda s: s[0] != 1,
                              lambda s: (fnp.where(s[0] % 2 == 0, s[0] // 2, 3 * s[0] + 1),
                                         s[1] + 1), (n, arr(0, np.int32)))

    def collatz_py(n):
        k = 0
        while n != 1:
            n = n // 2 if n % 2 == 0 else 3 * n + 1
            k += 1
        return k

    for n in (1, 6, 7, 27):
        final, steps = collatz(arr(n, np.int32))
        assert int(final) == 1 and int(steps) == collatz_py(n)
        assert int(jit(collatz)(arr(n, np.int32))[1]) == collatz_py(n)


def test_while_zero_iterations():
    x = arr([0.1, 0.2], np.float32)
    close(_halve(x), x)
    close(grad(lambda x: fnp.sum(_halve(x)))(x), [1.0, 1.0])


def test_while_vmap_batched_predicate_lanes_finish_at_different_iterations():
    xs = arr([[3.0, 4.0], [0.1, 0.2], [100.0, -7.0], [1.5, 0.0]], np.float32)
    counts = [_halve_py(x)[1] for x in np.asarray(xs)]
    assert len(set(counts)) > 2  # the lanes really need different trip counts
    out = vmap(_halve)(xs)
    close(out, np.stack([_halve_py(x)[0] for x in np.asarray(xs)]))
    close(jit(vmap(_halve))(xs), out)

    # a batched counter in the carry: each lane counts only its own iterations
    def halve_count(x, k):
        return lax.while_loop(lambda s: fnp.linalg.norm(s[0]) > 1,
                              lambda s: (s[0] / 2, s[1] + 1), (x, k))

    out, ks = vmap(halve_count)(xs, fnp.zeros(4, fnp.int32))
    assert ks.tolist() == counts


def test_while_vmap_unbatched_predicate_batched_body():
    # the predicate depends only on an unbatched counter; the body makes x batched
    def f(x):
        return lax.while_loop(lambda s: s[0] < 3, lambda s: (s[0] + 1, s[1] * 2.0),
                              (arr(0, np.int32), x))[1]

    close(vmap(f)(arr([1.0, 2.0], np.float32)), [8.0, 16.0])


def test_while_vmap_batched_predicate_with_unbatched_counter():
    xs = arr([[3.0, 4.0], [0.1, 0.2], [100.0, -7.0]], np.float32)
    out, ks = vmap(lambda x: lax.while_loop(lambda s: fnp.linalg.norm(s[0]) > 1,
                                            lambda s: (s[0] / 2, s[1] + 1), (x, 0)))(xs)
    assert ks.tolist() == [_halve_py(x)[1] for x in np.asarray(xs)]


def test_while_forward_mode_order2(x64):
    check_grads(lambda x: _halve(x) ** 2, (arr([3.0, 4.0]),), order=2, modes=("fwd",))
    check_grads(jit(lambda x: _halve(x) ** 2), (arr([3.0, 4.0]),), order=2, modes=("fwd",))


def test_while_reverse_mode_dynamic_trip_count_eager_and_jit(x64):
    # funcnet differentiates while_loop in reverse mode (JAX refuses)
    f = lambda x: fnp.sum(_halve(x) ** 2)  # noqa: E731
    for v in ([3.0, 4.0], [10.0, -20.0], [0.3, 0.1]):
        x = arr(v)
        _, k = _halve_py(v)
        expect = 2 * np.asarray(v) / 4.0 ** k  # d/dx sum((x / 2^k)^2)
        close(grad(f)(x), expect, rtol=1e-12)
        close(jit(grad(f))(x), expect, rtol=1e-12)
        check_grads(f, (x,), order=1, modes=("rev",))
        check_grads(jit(f), (x,), order=1, modes=("rev",))


def test_while_reverse_mode_newton_iteration(x64):
    def newton_sqrt(a):
        return lax.while_loop(lambda x: fnp.abs(x * x - a) > 1e-12, lambda x: 0.5 * (x + a / x),
                              a)

    for a in (2.0, 9.0, 0.3):
        close(newton_sqrt(arr(a)), np.sqrt(a), rtol=1e-10)
        expect = 0.5 / np.sqrt(a)
        close(grad(newton_sqrt)(arr(a)), expect, rtol=1e-8)
        close(jit(grad(newton_sqrt))(arr(a)), expect, rtol=1e-8)
        check_grads(newton_sqrt, (arr(a),), order=1, modes=("rev",))
    close(vmap(grad(newton_sqrt))(arr([2.0, 9.0, 100.0])), 0.5 / np.sqrt([2.0, 9.0, 100.0]),
          rtol=1e-8)


def test_while_reverse_mode_wrt_closed_over_values(x64):
    def f(w):  # c -> c * w three times, counted in the carry
        return lax.while_loop(lambda s: s[1] < 3, lambda s: (s[0] * w, s[1] + 1),
                              (arr(1.0), 0))[0]

    close(grad(f)(arr(2.0)), 3 * 2.0 ** 2)
    close(jit(grad(f))(arr(2.0)), 12.0)

    def g(w):  # the trip count depends on w too: w^5 for w = 2 (stops at 32 >= 20)
        return lax.while_loop(lambda c: c < w * 10, lambda c: c * w, arr(1.0))

    close(grad(g)(arr(2.0)), 5 * 2.0 ** 4)
    check_grads(g, (arr(2.0),), order=1, modes=("rev",))


def test_while_second_reverse_derivative_is_refused(x64):
    f = lambda x: fnp.sum(_halve(x) ** 2)  # noqa: E731
    with pytest.raises(NotImplementedError, match="fori_loop.*scan"):
        grad(lambda x: fnp.sum(grad(f)(x)))(arr([3.0, 4.0]))
    with pytest.raises(NotImplementedError, match="while_loop"):
        jacrev(grad(f))(arr([3.0, 4.0]))


def test_while_second_derivative_error_recommends_what_works(x64):
    f = lambda x: fnp.sum(_halve(x) ** 2)  # noqa: E731
    with pytest.raises(NotImplementedError, match=r"jacfwd\(jacfwd\(f\)\)"):
        jacfwd(grad(f))(arr([3.0, 4.0]))
    # what the message recommends: forward over forward
    close(jacfwd(jacfwd(f))(arr([3.0, 4.0])), np.eye(2) * 2 / 4.0 ** 3)


# ----------------------------------------------------------------------------------------------
# fori_loop
# ----------------------------------------------------------------------------------------------


def test_fori_loop_matches_python_for():
    body = lambda i, x: x * 1.1 + i  # noqa: E731
    ref = 1.0
    for i in range(2, 7):
        ref = ref * 1.1 + i
    close(lax.fori_loop(2, 7, body, arr(1.0, np.float32)), ref)
    close(jit(lambda x: lax.fori_loop(2, 7, body, x))(1.0), ref)
    close(jit(lambda lo, hi, x: lax.fori_loop(lo, hi, body, x))(2, 7, 1.0), ref)
    close(lax.fori_loop(5, 2, body, arr(1.0, np.float32)), 1.0)  # empty range


def test_fori_loop_two_lowerings():
    body = lambda i, x: x * 2.0  # noqa: E731
    g_static = make_graph(lambda x: lax.fori_loop(0, 3, body, x))(1.0)
    g_traced = make_graph(lambda x, n: lax.fori_loop(0, n, body, x))(1.0, 3)
    assert "scan" in prim_names(g_static) and "while" not in prim_names(g_static)
    assert "while" in prim_names(g_traced) and "scan" not in prim_names(g_traced)


def test_fori_loop_grads(x64):
    body = lambda i, x: fnp.sin(x) * (i + 1.0)  # noqa: E731
    # concrete bounds -> scan: any order, both modes
    check_grads(lambda x: lax.fori_loop(0, 4, body, x), (arr([0.3, 0.9]),), order=2)
    close(grad(grad(lambda x: lax.fori_loop(0, 3, lambda i, x: x * x, x)))(arr(1.5)),
          8 * 7 * 1.5 ** 6)
    # traced bounds -> while: reverse mode once (also jitted), forward mode to any order
    f = lambda x, n: lax.fori_loop(0, n, lambda i, x: x * x + i, x)  # noqa: E731
    close(jit(grad(f))(arr(0.5), 3), 2 * 1.0625 * 2 * 0.25 * 2 * 0.5)
    close(jacfwd(lambda x: lax.fori_loop(0, arr(3), lambda i, x: x * x, x))(arr(1.5)),
          8 * 1.5 ** 7)


def test_fori_loop_vmap_batched_trip_count():
    out = vmap(lambda n, x: lax.fori_loop(0, n, lambda i, x: x * 2.0, x))(
        arr([0, 1, 3], np.int32), fnp.ones(3))
    close(out, [1.0, 2.0, 8.0])


def test_fori_loop_vmap_over_carry():
    xs = arr([1.0, 2.0, 3.0], np.float32)
    out = vmap(lambda x: lax.fori_loop(0, 3, lambda i, x: x * x + i, x))(xs)
    ref = []
    for x in np.asarray(xs, np.float64):
        for i in range(3):
            x = x * x + i
        ref.append(x)
    close(out, ref)


# ----------------------------------------------------------------------------------------------
# map
# ----------------------------------------------------------------------------------------------


def test_map_matches_list_comprehension():
    xs = arr(np.arange(6.0).reshape(3, 2), np.float32)
    f = lambda r: fnp.sum(fnp.sin(r) * r)  # noqa: E731
    expect = [np.sum(np.sin(r) * r) for r in np.asarray(xs, np.float64)]
    close(lax.map(f, xs), expect)
    close(jit(lambda x: lax.map(f, x))(xs), expect)
    tree = {"a": fnp.arange(2.0), "b": fnp.ones((2, 3))}
    close(lax.map(lambda d: d["a"] + d["b"].sum(), tree), [3.0, 4.0])
    out = vmap(lambda x: lax.map(lambda r: r * 2, x))(fnp.ones((2, 3)))
    close(out, np.full((2, 3), 2.0))


def test_map_grads(x64):
    xs = arr(np.arange(6.0).reshape(3, 2) / 3)
    check_grads(lambda x: lax.map(lambda r: fnp.sum(fnp.sin(r) * r), x), (xs,), order=2)


# ----------------------------------------------------------------------------------------------
# Nested combinations
# ----------------------------------------------------------------------------------------------


def _scan_in_cond(p, x):
    return lax.cond(p > 0, lambda x: lax.scan(lambda c, y: (c * y, c), 1.0, x)[0],
                    lambda x: fnp.sum(x), x)


def test_scan_inside_cond(x64):
    x = arr([1.0, 2.0, 3.0])
    close(_scan_in_cond(1.0, x), 6.0)
    close(_scan_in_cond(-1.0, x), 6.0)
    close(jit(_scan_in_cond)(1.0, x * 2), 48.0)
    close(jit(_scan_in_cond)(-1.0, x * 2), 12.0)
    close(grad(_scan_in_cond, 1)(1.0, x), [6.0, 3.0, 2.0])
    check_grads(lambda x: _scan_in_cond(1.0, x), (x,), order=2)
    close(vmap(_scan_in_cond)(arr([1.0, -1.0]), fnp.stack([x * 2, x * 2])), [48.0, 12.0])


def _cond_in_scan(x):
    return lax.scan(lambda c, y: (lax.cond(y > 1.5, lambda c: c * y, lambda c: c + y, c), c),
                    1.0, x)


def _cond_in_scan_py(x):
    c, ys = 1.0, []
    for y in x:
        ys.append(c)
        c = c * y if y > 1.5 else c + y
    return c, ys


def test_cond_inside_scan(x64):
    for v in ([1.0, 2.0, 3.0], [3.0, 2.0, 1.0], [0.5, 0.25, 2.5]):
        x = arr(v)
        c, ys = _cond_in_scan(x)
        rc, rys = _cond_in_scan_py(v)
        close(c, rc)
        close(ys, rys)
        tree_close(jit(_cond_in_scan)(x), (c, ys))
    check_grads(lambda x: _cond_in_scan(x)[0], (arr([1.0, 2.0, 3.0]),), order=2)
    xs = arr([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]])
    c, ys = vmap(_cond_in_scan)(xs)
    for i in range(2):
        rc, rys = _cond_in_scan_py(np.asarray(xs[i]))
        close(c[i], rc)
        close(ys[i], rys)


def test_grad_of_grad_through_scan_and_cond(x64):
    # x -> xs = [x, 2x, 3x]; for x = 0.6 the carry is (1 + x + 2x) * 3x = 3x + 9x^2
    f = lambda x: _cond_in_scan(fnp.stack([x, x * 2, x * 3]))[0]  # noqa: E731
    close(f(arr(0.6)), 3 * 0.6 + 9 * 0.36)
    close(grad(f)(arr(0.6)), 3 + 18 * 0.6)
    close(grad(grad(f))(arr(0.6)), 18.0)
    close(jit(grad(grad(f)))(arr(0.6)), 18.0)
    check_grads(f, (arr(0.6),), order=2)
    # and through scan-inside-cond
    h = lambda x: _scan_in_cond(x, fnp.stack([x, x * x, x + 1]))  # noqa: E731
    check_grads(h, (arr(0.8),), order=2)
    check_grads(h, (arr(-0.8),), order=2)


def test_jacobians_through_scan(x64):
    f = lambda x: lax.scan(lambda c, y: (c + y, c * y), 1.0, x)[1]  # noqa: E731
    x = arr([1.0, 2.0, 3.0])
    expect = [[1.0, 0.0, 0.0], [2.0, 2.0, 0.0], [3.0, 3.0, 4.0]]
    close(jacfwd(f)(x), expect)
    close(jacrev(f)(x), expect)


def test_jacrev_through_scan_containing_cond(x64):
    f = lambda x: _cond_in_scan(x)[1]  # noqa: E731
    x = arr([1.0, 2.0, 3.0])
    close(jacrev(f)(x), jacfwd(f)(x))


def test_control_flow_never_overwrites_inputs():
    def check(f):
        x = arr([1.0, 2.0], np.float32)
        y = f(x)
        close(x, [1.0, 2.0])  # the argument is unchanged
        return y

    close(check(jit(lambda x: lax.cond(x[0] > 0, lambda x: x, lambda x: -x, x) * 2.0)),
          [2.0, 4.0])
    close(check(jit(lambda x: lax.while_loop(lambda c: c[0] > 100, lambda c: c * 2, x) * 2.0)),
          [2.0, 4.0])
    close(check(lambda x: lax.scan(lambda c, y: (lax.cond(y > 0, lambda c: c, lambda c: -c, c)
                                                 + 1.0, None), x, fnp.ones(2))[0]), [3.0, 4.0])


def test_while_inside_vmap_inside_grad(x64):
    xs = arr([[3.0, 4.0], [0.1, 0.2], [10.0, -20.0]])

    def loss(xs):
        return fnp.sum(vmap(_halve)(xs) ** 2)

    ks = [_halve_py(x)[1] for x in np.asarray(xs)]
    expect = np.stack([2 * x / 4.0 ** k for x, k in zip(np.asarray(xs), ks, strict=True)])
    close(grad(loss)(xs), expect, rtol=1e-12)
    close(jit(grad(loss))(xs), expect, rtol=1e-12)
    check_grads(loss, (xs,), order=1, modes=("rev",))
    check_grads(loss, (xs,), order=2, modes=("fwd",))


def _scan_of_scan(w, X):
    def outer(c, row):
        return lax.scan(lambda a, x: (fnp.sin(a * w + x), a), c, row)

    return lax.scan(outer, 0.1, X)


def test_scan_of_scan(x64):
    X = arr(np.arange(6.0).reshape(2, 3) / 6)
    c, ys = _scan_of_scan(0.5, X)
    a, ref = 0.1, []
    for row in np.asarray(X):
        r = []
        for x in row:
            r.append(a)
            a = np.sin(a * 0.5 + x)
        ref.append(r)
    close(c, a, rtol=1e-12)
    close(ys, ref, rtol=1e-12)
    tree_close(jit(_scan_of_scan)(0.5, X), (c, ys))
    check_grads(lambda w, X: _scan_of_scan(w, X), (arr(0.5), X), order=2)
    cv, ysv = vmap(_scan_of_scan, (0, None))(arr([0.5, 0.7]), X)
    close(cv[0], c)
    close(ysv[0], ys)


def test_jit_vmap_grad_through_scan(x64):
    X = arr(np.arange(6.0).reshape(2, 3) / 6)
    ws = arr([0.5, 0.7, -0.2])
    g = lambda w, X: _scan_of_scan(w, X)[0]  # noqa: E731
    out = jit(vmap(grad(g), (0, None)))(ws, X)
    close(out, [grad(g)(w, X) for w in ws], rtol=1e-12)
    # a per-example RNN loss
    xs = rand(4, 5, 2, seed=6)

    def loss(c0, xs):
        c, ys = lax.scan(_rnn_step, c0, xs)
        return fnp.sum(c ** 2) + fnp.sum(ys)

    c0 = rand(2, seed=7)
    out = jit(vmap(grad(loss), (None, 0)))(c0, xs)
    for i in range(4):
        close(out[i], grad(loss)(c0, xs[i]), rtol=1e-12)


def test_disable_jit_gives_same_results_on_control_flow():
    def f(x):
        c, ys = lax.scan(_rnn_step, x, fnp.ones((3, 2)))
        return lax.cond(fnp.sum(c) > 0, lambda y: y * 2, lambda y: -y, ys) + _halve(x * 10)

    x = arr([0.3, -0.1], np.float32)
    fj = jit(f)
    expect = fj(x)
    with funcnet.disable_jit():
        close(fj(x), expect)
    close(f(x), expect)


# ----------------------------------------------------------------------------------------------
# Errors
# ----------------------------------------------------------------------------------------------


def test_cond_branches_with_different_shapes_name_both():
    x = fnp.ones(3)
    for run in (lambda: lax.cond(True, lambda x: x, lambda x: x[:2], x),
                lambda: jit(lambda p, x: lax.cond(p, lambda x: x, lambda x: x[:2], x))(True, x)):
        with pytest.raises(TypeError, match="lax.cond") as e:
            run()
        msg = str(e.value)
        assert "f32[3]" in msg and "f32[2]" in msg, msg
        assert "branch 0" in msg and "branch 1" in msg, msg


def test_cond_branches_with_different_dtypes_name_both():
    with pytest.raises(TypeError, match="lax.cond") as e:
        lax.cond(True, lambda x: x, lambda x: x.astype(fnp.int32), fnp.ones(3))
    assert "f32[3]" in str(e.value) and "i32[3]" in str(e.value)


def test_cond_branches_with_different_trees_name_both():
    with pytest.raises(TypeError, match="tree structure") as e:
        lax.cond(True, lambda x: (x, x), lambda x: [x, x], fnp.ones(3))
    msg = str(e.value)
    assert "('f32[3]', 'f32[3]')" in msg and "['f32[3]', 'f32[3]']" in msg, msg
    with pytest.raises(TypeError) as e:
        lax.cond(True, lambda x: {"a": x}, lambda x: {"b": x}, fnp.ones(3))
    assert "'a'" in str(e.value) and "'b'" in str(e.value)


def test_switch_names_the_mismatching_branch():
    with pytest.raises(TypeError, match="lax.switch") as e:
        lax.switch(0, [lambda x: x, lambda x: x, lambda x: x.sum()], fnp.ones(3))
    assert "branch 2" in str(e.value) and "f32[]" in str(e.value)


def test_cond_and_switch_argument_errors():
    with pytest.raises(TypeError, match="pred must be a scalar.*fnp.where"):
        lax.cond(fnp.ones(3) > 0, lambda x: x, lambda x: x, fnp.ones(3))
    with pytest.raises(TypeError, match="index must be an integer scalar"):
        lax.switch(1.5, [lambda: 0.0, lambda: 1.0])
    with pytest.raises(ValueError, match="at least one branch"):
        lax.switch(0, [])


def test_while_body_changing_carry_type_is_an_error():
    with pytest.raises(TypeError, match="lax.while_loop") as e:
        lax.while_loop(lambda c: c < 3, lambda c: c + 1.0, 0)
    assert "i32[]" in str(e.value) and "f32[]" in str(e.value)
    with pytest.raises(TypeError, match="lax.while_loop") as e:
        lax.while_loop(lambda c: c.sum() < 3, lambda c: fnp.concatenate([c, c]), fnp.ones(3))
    assert "f32[3]" in str(e.value) and "f32[6]" in str(e.value)
    with pytest.raises(TypeError, match="tree structure"):
        lax.while_loop(lambda c: c[0].sum() < 3, lambda c: [c[0] * 2, c[1]],
                       (fnp.ones(3), fnp.ones(3)))
    with pytest.raises(TypeError, match="must return a boolean scalar.*f32\\[3\\]"):
        lax.while_loop(lambda c: c, lambda c: c, fnp.ones(3))


def test_scan_errors():
    with pytest.raises(ValueError, match=r"inconsistent lengths.*\[3, 4\]"):
        lax.scan(lambda c, x: (c, x), 0.0, (fnp.ones(3), fnp.ones(4)))
    with pytest.raises(ValueError, match=r"inconsistent lengths.*\[3\] and length=4"):
        lax.scan(lambda c, x: (c, x), 0.0, fnp.ones(3), length=4)
    with pytest.raises(ValueError, match="give xs or length"):
        lax.scan(lambda c, x: (c, x), 0.0)
    with pytest.raises(TypeError, match=r"carry.*i32\[\].*f32\[\]"):
        lax.scan(lambda c, x: (c + x, x), 0, fnp.ones(3))
    with pytest.raises(TypeError, match=r"carry.*f32\[\].*f32\[2\]"):
        lax.scan(lambda c, x: (c * x, x), 0.0, fnp.ones((3, 2)))
    with pytest.raises(TypeError, match="must return a pair"):
        lax.scan(lambda c, x: c, 0.0, fnp.ones(3))


def test_python_if_on_traced_value_points_to_lax():
    with pytest.raises(funcnet.errors.ConcretizationError) as e:
        jit(lambda x: x if x > 0 else -x)(arr(1.0, np.float32))
    msg = str(e.value)
    assert "lax.cond" in msg and "lax.while_loop" in msg and "fnp.where" in msg
    with pytest.raises(funcnet.errors.ConcretizationError):
        jit(lambda x: _halve_py(x))(arr([3.0, 4.0], np.float32))


def test_cond_weak_type_is_the_same_eager_and_jitted():
    # int32 * 2.0 is weakly typed, sin(int32) - 1.0 is not: the staged cond is strong, and a
    # concrete predicate gives the same type
    y = fnp.asarray([[1, 2], [3, 4]], dtype="int32")

    def f(a):
        return funcnet.lax.cond(a[0, 0] > 0, lambda t: t * 2.0, lambda t: fnp.sin(t) - 1.0, a)

    eager, jitted = f(y), funcnet.jit(f)(y)
    assert (eager.dtype, eager.weak_type) == (jitted.dtype, jitted.weak_type) == (
        np.dtype("float32"), False)
    np.testing.assert_array_equal(np.asarray(eager), np.asarray(jitted))
