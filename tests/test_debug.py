"""funcnet.debug.print / debug.callback and funcnet.disable_jit.

The printed lines are captured (capsys) and compared exactly: under jit they appear at run time
(every call, with the call's values, never at trace time), under vmap once per example, under
grad once, inside scan / while bodies once per iteration, and inside nested scans once per inner
step. debug.callback receives NumPy values. disable_jit gives the same results as jit.
"""

import numpy as np
import pytest

import funcnet
import funcnet.numpy as fnp
from funcnet import debug, grad, jit, lax, vmap


def arr(values, dtype=np.float32):
    return fnp.asarray(np.asarray(values, dtype=dtype))


def close(a, b, rtol=1e-6, atol=1e-6):
    np.testing.assert_allclose(np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64),
                               rtol=rtol, atol=atol)


def lines(capsys):
    return capsys.readouterr().out.splitlines()


def _show(x):
    debug.print("x = {}", x)
    return x * 2


# ----------------------------------------------------------------------------------------------
# debug.print
# ----------------------------------------------------------------------------------------------


def test_print_eager(capsys):
    close(_show(arr(1.5)), 3.0)
    assert lines(capsys) == ["x = 1.5"]


def test_print_under_jit_runs_at_call_time_with_each_calls_values(capsys):
    f = jit(_show)
    close(f(arr(1.5)), 3.0)
    close(f(arr(2.5)), 5.0)  # a cache hit still prints
    assert f.cache_info().misses == 1
    assert lines(capsys) == ["x = 1.5", "x = 2.5"]


def test_print_is_kept_when_its_function_result_is_unused(capsys):
    @jit
    def f(x):
        debug.print("side effect {}", x + 1)
        return x

    f(arr(1.0))
    assert lines(capsys) == ["side effect 2.0"]


def test_print_under_vmap_one_line_per_example(capsys):
    close(vmap(_show)(arr([0.0, 1.0, 2.0])), [0.0, 2.0, 4.0])
    assert lines(capsys) == ["x = 0.0", "x = 1.0", "x = 2.0"]
    close(jit(vmap(_show))(arr([3.0, 4.0])), [6.0, 8.0])
    assert lines(capsys) == ["x = 3.0", "x = 4.0"]
    # an unbatched argument is repeated with every example
    vmap(lambda x, y: debug.print("{} {}", x, y), (0, None))(arr([0.0, 1.0]), arr(7.0))
    assert lines(capsys) == ["0.0 7.0", "1.0 7.0"]
    # a whole row per example
    vmap(lambda r: debug.print("row {}", r))(arr([[1, 2], [3, 4]], np.int32))
    assert lines(capsys) == ["row [1 2]", "row [3 4]"]


def test_print_under_grad_prints_primal_values_once(capsys):
    f = lambda x: _show(x) ** 2  # noqa: E731
    close(grad(f)(arr(1.5)), 12.0)
    assert lines(capsys) == ["x = 1.5"]
    close(jit(grad(f))(arr(0.5)), 4.0)
    assert lines(capsys) == ["x = 0.5"]
    close(grad(jit(f))(arr(2.0)), 16.0)
    assert lines(capsys) == ["x = 2.0"]
    close(vmap(grad(f))(arr([1.0, 2.0])), [8.0, 16.0])
    assert lines(capsys) == ["x = 1.0", "x = 2.0"]


def test_print_inside_scan_one_line_per_step(capsys):
    def step(c, x):
        debug.print("step c={} x={}", c, x)
        return c + x, c

    xs = arr([1.0, 2.0, 3.0])
    expect = ["step c=0.0 x=1.0", "step c=1.0 x=2.0", "step c=3.0 x=3.0"]
    lax.scan(step, 0.0, xs)
    assert lines(capsys) == expect
    jit(lambda xs: lax.scan(step, 0.0, xs))(xs)
    assert lines(capsys) == expect
    lax.scan(step, 0.0, xs, reverse=True)
    assert lines(capsys) == ["step c=0.0 x=3.0", "step c=3.0 x=2.0", "step c=5.0 x=1.0"]


def test_print_inside_scan_under_grad_once_per_step(capsys):
    def step(c, x):
        debug.print("step c={} x={}", c, x)
        return c + x, c

    xs = arr([1.0, 2.0, 3.0])
    grad(lambda xs: lax.scan(step, 0.0, xs)[0])(xs)
    assert lines(capsys) == ["step c=0.0 x=1.0", "step c=1.0 x=2.0", "step c=3.0 x=3.0"]


def test_print_inside_nested_scan(capsys):
    def inner(c, x):
        debug.print("inner c={} x={}", c, x)
        return c + x, None

    def outer(c, row):
        debug.print("row {}", row)
        return lax.scan(inner, c, row)[0], None

    X = arr([[0.0, 1.0], [2.0, 3.0]])
    expect = ["row [0. 1.]", "inner c=0.0 x=0.0", "inner c=0.0 x=1.0",
              "row [2. 3.]", "inner c=1.0 x=2.0", "inner c=3.0 x=3.0"]
    close(lax.scan(outer, 0.0, X)[0], 6.0)
    assert lines(capsys) == expect
    close(jit(lambda X: lax.scan(outer, 0.0, X)[0])(X), 6.0)
    assert lines(capsys) == expect


def test_print_inside_vmap_of_scan_one_line_per_example_and_step(capsys):
    def step(c, x):
        debug.print("{} {}", c, x)
        return c + x, None

    X = arr([[1.0, 2.0], [10.0, 20.0]])
    vmap(lambda xs: lax.scan(step, 0.0, xs)[0])(X)
    out = lines(capsys)
    assert sorted(out) == sorted(["0.0 1.0", "1.0 2.0", "0.0 10.0", "10.0 20.0"])
    assert out.index("0.0 1.0") < out.index("1.0 2.0")  # each example's steps in order
    assert out.index("0.0 10.0") < out.index("10.0 20.0")


def test_print_inside_while_and_cond(capsys):
    def body(c):
        debug.print("w {}", c)
        return c + 2

    close(jit(lambda x: lax.while_loop(lambda c: c < 5, body, x))(arr(0.0)), 6.0)
    assert lines(capsys) == ["w 0.0", "w 2.0", "w 4.0"]
    f = jit(lambda p, x: lax.cond(p > 0, lambda x: (debug.print("T {}", x), x)[1],
                                  lambda x: (debug.print("F {}", x), -x)[1], x))
    f(1.0, 2.0)
    f(-1.0, 3.0)
    assert lines(capsys) == ["T 2.0", "F 3.0"]  # only the branch taken prints


def test_print_format_spec_and_keywords(capsys):
    debug.print("{:.2f} and {}", arr(1.23456), fnp.arange(2))
    debug.print("a={a} b={}", 1.0, a=arr(2, np.int32))
    debug.print("no args, {{braces}}")
    jit(lambda x: debug.print("{x:.1f}", x=x))(arr(0.25))
    assert lines(capsys) == ["1.23 and [0 1]", "a=2 b=1.0", "no args, {braces}", "0.2"]


def test_print_returns_none():
    assert debug.print("") is None
    assert debug.callback(lambda: None) is None


# ----------------------------------------------------------------------------------------------
# debug.callback
# ----------------------------------------------------------------------------------------------


def test_callback_receives_numpy_values_under_every_transform():
    seen = []

    def record(*args, **kwargs):
        seen.append((args, kwargs))

    def f(x, y):
        debug.callback(record, x, {"k": y}, scale=x * 2)
        return x * y

    x, y = arr([1.0, 2.0]), arr(3.0)
    for g in (f, jit(f)):
        seen.clear()
        g(x, y)
        ((a, d), kw), = seen
        assert type(a) is np.ndarray and a.dtype == np.float32 and a.tolist() == [1.0, 2.0]
        assert isinstance(d, dict) and type(d["k"]) is np.ndarray and float(d["k"]) == 3.0
        assert type(kw["scale"]) is np.ndarray and kw["scale"].tolist() == [2.0, 4.0]
    seen.clear()
    vmap(f, (0, None))(x, y)
    assert [float(args[0]) for args, _ in seen] == [1.0, 2.0]
    assert all(type(args[0]) is np.ndarray and args[0].shape == () for args, _ in seen)
    seen.clear()
    grad(lambda x: fnp.sum(f(x, y)))(x)
    assert len(seen) == 1 and type(seen[0][0][0]) is np.ndarray


def test_callback_under_jit_sees_each_calls_values():
    seen = []
    f = jit(lambda x: (debug.callback(seen.append, x), x * 2)[1])
    for v in (3.0, 4.0, 5.0):
        f(arr(v))
    assert [float(v) for v in seen] == [3.0, 4.0, 5.0]
    assert all(isinstance(v, np.ndarray) for v in seen)


def test_callback_inside_scan_and_while():
    seen = []
    lax.scan(lambda c, x: (debug.callback(seen.append, x) or c + x, None), 0.0,
             arr([1.0, 2.0, 3.0]))
    assert [float(v) for v in seen] == [1.0, 2.0, 3.0]
    seen.clear()
    jit(lambda x: lax.while_loop(lambda c: c < 3, lambda c: (debug.callback(seen.append, c),
                                                              c + 1)[1], x))(arr(0, np.int32))
    assert [int(v) for v in seen] == [0, 1, 2]
    assert all(v.dtype == np.int32 for v in seen)


# ----------------------------------------------------------------------------------------------
# disable_jit
# ----------------------------------------------------------------------------------------------


def _model(w, x):
    h = fnp.tanh(x @ w)
    c, ys = lax.scan(lambda c, r: (c * 0.9 + r, c), fnp.zeros(h.shape[1]), h)
    return fnp.sum(ys ** 2) + fnp.sum(c)


def test_disable_jit_gives_the_same_results():
    rng = np.random.default_rng(0)
    w = arr(rng.standard_normal((3, 4)))
    x = arr(rng.standard_normal((5, 3)))
    fj = jit(_model)
    gj = jit(grad(_model))
    value, g = fj(w, x), gj(w, x)
    with funcnet.disable_jit():
        close(fj(w, x), value, rtol=1e-6)
        close(gj(w, x), g, rtol=1e-6)
        close(jit(vmap(_model, (None, 0)))(w, x[:, None]),
              vmap(_model, (None, 0))(w, x[:, None]), rtol=1e-6)
    close(fj(w, x), value)
    assert fj.cache_info().misses == 1  # disable_jit did not add to the cache


def test_disable_jit_runs_the_python_function_on_concrete_values(capsys):
    seen = []

    @jit
    def f(x):
        seen.append(type(x).__name__)
        if fnp.sum(x) > 0:  # Python control flow works: x is concrete
            return x * 2
        return -x

    with funcnet.disable_jit():
        close(f(arr([1.0, 2.0])), [2.0, 4.0])
        close(f(arr([-1.0, -2.0])), [1.0, 2.0])
        print("x is", f(arr([3.0])))
    assert seen == ["Array", "Array", "Array"]
    assert lines(capsys) == ["x is [6.]"]
    with pytest.raises(funcnet.errors.ConcretizationError):
        f(arr([1.0]))  # outside, tracing cannot branch on a traced value


def test_disable_jit_nests_and_can_be_switched_off():
    f = jit(lambda x: x + 1)
    with funcnet.disable_jit():
        with funcnet.disable_jit(False):  # a no-op
            close(f(arr(1.0)), 2.0)
        with funcnet.disable_jit():
            close(f(arr(1.0)), 2.0)
        close(f(arr(1.0)), 2.0)
    assert f.cache_info().misses == 0
    close(f(arr(1.0)), 2.0)
    assert f.cache_info().misses == 1
