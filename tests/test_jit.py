"""funcnet.jit: the trace cache (hits, misses, reasons), static arguments, pytrees,
agreement with eager execution, and the graph optimisations (CSE, DCE, folding)."""

import functools
from typing import Any, NamedTuple

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import funcnet
import funcnet.numpy as fnp
from funcnet import grad, jit, make_graph, vmap


def rand(*shape, seed=0, dtype=np.float32):
    return fnp.asarray(np.random.default_rng(seed).normal(size=shape).astype(dtype))


def close(a, b, rtol=1e-6, atol=1e-6):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=rtol, atol=atol)


def tree_close(a, b, rtol=1e-6, atol=1e-6):
    la, ta = funcnet.tree.flatten(a)
    lb, tb = funcnet.tree.flatten(b)
    assert ta == tb
    for x, y in zip(la, lb):
        close(x, y, rtol, atol)


def counting(fun):
    """Wraps ``fun`` so that ``calls`` counts Python executions (that is, traces under jit)."""
    calls = []

    @functools.wraps(fun)  # keeps the signature, so jit can name the arguments
    def wrapped(*args, **kwargs):
        calls.append(1)
        return fun(*args, **kwargs)

    return wrapped, calls


def only_graph(f):
    """The optimised graph of a jitted function that has been called once."""
    entries = list(f._cache.values())
    assert len(entries) == 1, f"expected one cache entry, found {len(entries)}"
    return entries[0].graph


def prim_names(graph):
    return [e.prim.name for e in graph.eqns]


# ----------------------------------------------------------------------------------------------
# Cache hits and misses
# ----------------------------------------------------------------------------------------------


def test_second_call_same_shapes_is_a_hit_and_does_not_retrace():
    fun, calls = counting(lambda x, y: fnp.sin(x) * y)
    f = jit(fun)
    x, y = rand(3, seed=1), rand(3, seed=2)
    r1 = f(x, y)
    assert len(calls) == 1
    r2 = f(rand(3, seed=3), rand(3, seed=4))  # new values, same signature
    r3 = f(x, y)
    assert len(calls) == 1, "the Python function ran again on a cache hit"
    info = f.cache_info()
    assert (info.hits, info.misses, info.currsize) == (2, 1, 1)
    assert len(info.miss_reasons) == 1 and "first call" in info.miss_reasons[0]
    close(r1, r3)
    close(r2, np.sin(np.asarray(rand(3, seed=3))) * np.asarray(rand(3, seed=4)))


def test_cache_info_fields():
    f = jit(lambda x: x + 1)
    info = f.cache_info()
    assert (info.hits, info.misses, info.currsize, tuple(info.miss_reasons)) == (0, 0, 0, ())
    f(fnp.ones(2))
    info = f.cache_info()
    assert info.hits == 0 and info.misses == 1 and info.currsize == 1


def test_new_shape_is_a_miss_naming_argument_and_shapes():
    fun, calls = counting(lambda x, y: x * y)
    f = jit(fun)
    f(fnp.ones(3), fnp.ones(3))
    f(fnp.ones(3), fnp.ones((2, 3)))
    assert len(calls) == 2
    info = f.cache_info()
    assert info.misses == 2 and info.currsize == 2
    reason = info.miss_reasons[-1]
    assert "'y'" in reason and "'x'" not in reason
    assert "[3]" in reason and "[2,3]" in reason
    # the old entry is still cached
    f(fnp.ones(3), fnp.ones(3))
    assert len(calls) == 2 and f.cache_info().hits == 1


def test_new_dtype_is_a_miss_naming_dtypes():
    f = jit(lambda x: x * 2)
    f(fnp.ones(4))
    f(fnp.ones(4, dtype=fnp.int32))
    reason = f.cache_info().miss_reasons[-1]
    assert "'x'" in reason and "float32" in reason and "int32" in reason


def test_weak_type_is_part_of_the_key():
    fun, calls = counting(lambda x: x * 2)
    f = jit(fun)
    f(1.0)  # Python float: weakly typed
    f(2.0)  # same key
    assert len(calls) == 1
    out = f(fnp.asarray(1.0, dtype=fnp.float32))  # strongly typed float32[]
    assert len(calls) == 2
    assert out.dtype == np.float32
    reason = f.cache_info().miss_reasons[-1]
    assert "'x'" in reason and "Python float" in reason and "float32" in reason


def test_weak_python_scalar_result_keeps_array_dtype():
    f = jit(lambda x, s: x * s)
    out = f(fnp.ones(2, dtype=fnp.float16), 3.0)
    assert out.dtype == np.float16  # the weak Python scalar does not promote
    close(out, [3.0, 3.0])


def test_static_value_change_is_a_miss_naming_argument_and_values():
    fun, calls = counting(lambda x, n: x**n)
    f = jit(fun, static_argnums=1)
    x = fnp.asarray([1.0, 2.0])
    close(f(x, 2), [1.0, 4.0])
    close(f(x, 2), [1.0, 4.0])
    assert len(calls) == 1
    close(f(x, 3), [1.0, 8.0])
    assert len(calls) == 2
    reason = f.cache_info().miss_reasons[-1]
    assert "'n'" in reason and "2" in reason and "3" in reason and "static" in reason


def test_tree_structure_change_is_a_miss():
    f = jit(lambda d: sum(fnp.sum(v) for v in d.values()))
    f({"a": fnp.ones(2), "b": fnp.ones(2)})
    f({"a": fnp.ones(2), "b": fnp.ones(2)})
    f({"a": fnp.ones(2), "b": fnp.ones(2), "c": fnp.ones(2)})
    info = f.cache_info()
    assert (info.hits, info.misses) == (1, 2)
    assert "structure" in info.miss_reasons[-1]


def test_nested_leaf_change_names_the_path():
    f = jit(lambda d: fnp.sum(d["w"]) + fnp.sum(d["b"]))
    f({"w": fnp.ones((2, 3)), "b": fnp.ones(3)})
    f({"w": fnp.ones((4, 3)), "b": fnp.ones(3)})
    reason = f.cache_info().miss_reasons[-1]
    assert "'d'" in reason and "'w'" in reason and "'b'" not in reason
    assert "[2,3]" in reason and "[4,3]" in reason


def test_miss_reason_names_dynamic_argument_after_a_static_one():
    f = jit(lambda n, x: x * n, static_argnums=0)
    f(2, fnp.ones(3))
    f(2, fnp.ones(4))
    reason = f.cache_info().miss_reasons[-1]
    assert "'x'" in reason and "[3]" in reason and "[4]" in reason


def test_miss_reason_names_keyword_argument():
    f = jit(lambda x, y, n=1: x * y * n, static_argnames="n")
    x = fnp.ones(3)
    f(x, y=x, n=2)
    f(x, y=fnp.ones((2, 3)), n=2)
    reason = f.cache_info().miss_reasons[-1]
    assert "'y'" in reason and "[2,3]" in reason


def test_numpy_and_funcnet_inputs_share_an_entry():
    fun, calls = counting(lambda x: x + 1)
    f = jit(fun)
    f(fnp.ones(3))
    out = f(np.ones(3, dtype=np.float32))
    assert len(calls) == 1
    assert isinstance(out, funcnet.Array)


def test_float64_numpy_input_is_canonicalised():
    out = jit(lambda x: x * 2)(np.ones(3))  # x64 is off
    assert out.dtype == np.float32


def test_clear_cache():
    fun, calls = counting(lambda x: x + 1)
    f = jit(fun)
    f(fnp.ones(3))
    f(fnp.ones(2))
    assert f.cache_info().currsize == 2
    f.clear_cache()
    assert f.cache_info().currsize == 0
    close(f(fnp.ones(2)), [2.0, 2.0])
    assert len(calls) == 3
    info = f.cache_info()
    assert info.misses == 3 and info.currsize == 1
    assert "clear_cache" in info.miss_reasons[-1]
    f(fnp.ones(2))
    assert len(calls) == 3 and f.cache_info().hits == 1


def test_each_jit_has_its_own_cache():
    fun, calls = counting(lambda x: x * 3)
    f, g = jit(fun), jit(fun)
    f(fnp.ones(2))
    g(fnp.ones(2))
    assert len(calls) == 2
    assert f.cache_info().misses == g.cache_info().misses == 1


# ----------------------------------------------------------------------------------------------
# Static arguments and keyword arguments
# ----------------------------------------------------------------------------------------------


def test_static_argnums_allows_python_control_flow():
    def f(x, mode):
        if mode == "double":
            return x * 2
        return x + 100

    jf = jit(f, static_argnums=1)
    close(jf(fnp.ones(2), "double"), [2.0, 2.0])
    close(jf(fnp.ones(2), "add"), [101.0, 101.0])


def test_static_argnums_as_shape():
    f = jit(lambda x, n: x + fnp.ones(n), static_argnums=(1,))
    close(f(fnp.zeros(3), 3), np.ones(3))


def test_static_argnums_negative():
    f = jit(lambda x, n: x + fnp.ones(n), static_argnums=-1)
    close(f(fnp.zeros(3), 3), np.ones(3))
    close(f(fnp.zeros(2), n=2), np.ones(2))


def test_static_argnames_by_keyword():
    fun, calls = counting(lambda x, n=1: x**n)
    f = jit(fun, static_argnames="n")
    x = fnp.asarray([2.0, 3.0])
    close(f(x, n=2), [4.0, 9.0])
    close(f(x, n=2), [4.0, 9.0])
    close(f(x, n=3), [8.0, 27.0])
    assert len(calls) == 2
    info = f.cache_info()
    assert (info.hits, info.misses) == (1, 2)
    assert "'n'" in info.miss_reasons[-1]


def test_static_argnames_keyword_only():
    f = jit(lambda x, *, axis: fnp.sum(x, axis=axis), static_argnames=("axis",))
    x = rand(2, 3)
    close(f(x, axis=0), np.asarray(x).sum(0))
    close(f(x, axis=1), np.asarray(x).sum(1))


def test_static_argnames_given_positionally():
    f = jit(lambda x, n: x + fnp.ones(n), static_argnames="n")
    close(f(fnp.zeros(2), 2), np.ones(2))


def test_static_argnums_given_by_keyword():
    f = jit(lambda x, n: x + fnp.ones(n), static_argnums=1)
    close(f(fnp.zeros(2), n=2), np.ones(2))


def test_jit_as_decorator_with_options():
    @jit
    def f(x):
        return x * 2

    @funcnet.jit(static_argnums=1)
    def g(x, n):
        return x * n

    close(f(fnp.ones(2)), [2.0, 2.0])
    close(g(fnp.ones(2), 5), [5.0, 5.0])


def test_jit_keeps_name_and_doc():
    def my_fun(x):
        """My doc."""
        return x

    jf = jit(my_fun)
    assert jf.__name__ == "my_fun" and jf.__doc__ == "My doc."


def test_keyword_arguments_without_static_args():
    f = jit(lambda x, y: x * y)
    close(f(fnp.ones(2), y=fnp.full((2,), 3.0)), [3.0, 3.0])


def test_switching_between_positional_and_keyword_call_is_explained():
    fun, calls = counting(lambda x, y: x * y)
    f = jit(fun)
    x = fnp.ones(3)
    f(x, x)
    close(f(x, y=x), np.ones(3))
    close(f(x, y=x * 2), 2 * np.ones(3))
    assert len(calls) == 2
    info = f.cache_info()
    assert (info.hits, info.misses) == (1, 2)
    assert "keyword" in info.miss_reasons[-1]
    f(fnp.ones((2, 3)), y=x)
    reason = f.cache_info().miss_reasons[-1]
    assert "'x'" in reason and "[3]" in reason and "[2,3]" in reason


def test_keyword_arguments_with_static_args():
    fun, calls = counting(lambda x, y, n=1: x * y * n)
    f = jit(fun, static_argnames="n")
    close(f(fnp.ones(2), y=fnp.full((2,), 3.0), n=2), [6.0, 6.0])
    close(f(fnp.ones(2), y=fnp.full((2,), 4.0), n=2), [8.0, 8.0])
    assert len(calls) == 1


def test_none_and_python_scalar_arguments():
    f = jit(lambda x, s, opt: x * s if opt is None else x)
    close(f(fnp.ones(2), 2.5, None), [2.5, 2.5])


def test_non_array_argument_error_says_static():
    f = jit(lambda x, s: x)
    with pytest.raises(TypeError, match=r"'s'.*str.*static_arg"):
        f(fnp.ones(2), "abc")


# ----------------------------------------------------------------------------------------------
# Outputs: pytrees, constants, Python scalars
# ----------------------------------------------------------------------------------------------


class Out(NamedTuple):
    a: Any
    b: Any


def test_jit_returns_pytrees():
    f = jit(lambda x: {"a": x, "b": (fnp.sum(x), [x * 2, None]), "c": Out(x + 1, 3.0)})
    x = fnp.asarray([1.0, 2.0])
    out = f(x)
    assert set(out) == {"a", "b", "c"}
    assert isinstance(out["b"], tuple) and isinstance(out["b"][1], list)
    assert out["b"][1][1] is None
    assert isinstance(out["c"], Out)
    close(out["a"], [1.0, 2.0])
    close(out["b"][0], 3.0)
    close(out["b"][1][0], [2.0, 4.0])
    close(out["c"].a, [2.0, 3.0])
    close(out["c"].b, 3.0)
    # and a cache hit rebuilds the same structure
    out2 = f(x)
    assert funcnet.tree.structure(out2) == funcnet.tree.structure(out)


def test_jit_returns_constant_array():
    c = fnp.asarray([1.0, 2.0, 3.0])
    f = jit(lambda x: c)
    out = f(fnp.ones(2))
    assert isinstance(out, funcnet.Array)
    close(out, c)
    close(jit(lambda x: fnp.ones((2, 2)))(1.0), np.ones((2, 2)))


def test_jit_returns_python_scalar():
    out = jit(lambda x: 3.0)(fnp.ones(2))
    assert isinstance(out, funcnet.Array) and out.shape == ()
    assert out.item() == 3.0
    out = jit(lambda s: s * 2)(3)
    assert out.item() == 6 and out.dtype.kind == "i"


def test_jit_returns_input_unchanged():
    x = fnp.asarray([1.0, 2.0])
    close(jit(lambda x: x)(x), x)
    a, b = jit(lambda x, y: (y, x))(x, x * 2)
    close(a, [2.0, 4.0])
    close(b, [1.0, 2.0])


def test_jit_closes_over_arrays():
    w = rand(3, 2, seed=1)
    f = jit(lambda x: fnp.matmul(x, w))
    x = rand(4, 3, seed=2)
    close(f(x), np.asarray(x) @ np.asarray(w), rtol=1e-5)


# ----------------------------------------------------------------------------------------------
# jit agrees with eager
# ----------------------------------------------------------------------------------------------


def init_mlp(seed, sizes=(5, 16, 8, 3)):
    rng = np.random.default_rng(seed)
    return [{"W": fnp.asarray((rng.normal(size=(m, n)) / np.sqrt(m)).astype(np.float32)),
             "b": fnp.asarray((0.1 * rng.normal(size=n)).astype(np.float32))}
            for m, n in zip(sizes[:-1], sizes[1:])]


def mlp(params, x):
    for i, layer in enumerate(params):
        x = fnp.matmul(x, layer["W"]) + layer["b"]
        if i < len(params) - 1:
            x = fnp.maximum(x, 0.0)
    return x


def loss(params, x, y):
    logits = mlp(params, x)
    logz = fnp.log(fnp.sum(fnp.exp(logits - fnp.max(logits, axis=1, keepdims=True)), axis=1)) \
        + fnp.max(logits, axis=1)
    return fnp.mean(logz - fnp.sum(logits * y, axis=1))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_jit_mlp_forward_and_backward_match_eager(seed):
    params = init_mlp(seed)
    x = rand(7, 5, seed=seed + 10)
    labels = np.random.default_rng(seed).integers(0, 3, size=7)
    y = fnp.asarray(np.eye(3, dtype=np.float32)[labels])
    close(jit(mlp)(params, x), mlp(params, x), rtol=1e-5, atol=1e-6)
    v, g = funcnet.value_and_grad(loss)(params, x, y)
    vj, gj = jit(funcnet.value_and_grad(loss))(params, x, y)
    close(vj, v, rtol=1e-5)
    tree_close(gj, g, rtol=1e-5, atol=1e-6)


def test_jit_sgd_step_matches_eager():
    params = init_mlp(3)
    x = rand(8, 5, seed=4)
    y = fnp.asarray(np.eye(3, dtype=np.float32)[np.arange(8) % 3])

    def step(params, x, y):
        g = grad(loss)(params, x, y)
        return funcnet.tree.map(lambda p, g: p - 0.1 * g, params, g)

    fun, calls = counting(step)
    jstep = jit(fun)
    pe, pj = params, params
    for _ in range(3):
        pe = step(pe, x, y)
        pj = jstep(pj, x, y)
    assert len(calls) == 1  # traced once, then two hits
    tree_close(pj, pe, rtol=1e-5, atol=1e-6)
    assert float(loss(pj, x, y)) < float(loss(params, x, y))


def test_jit_matches_eager_on_many_ops():
    def f(x, y):
        a = fnp.where(x > 0, fnp.sqrt(fnp.abs(x)), fnp.exp(x))
        b = fnp.concatenate([a, y], axis=0)
        c = fnp.cumsum(fnp.sort(b, axis=0), axis=0)
        d = fnp.einsum("ij,kj->ik", c, c)
        return fnp.tanh(d).mean(axis=0), fnp.argmax(c, axis=1), c[::2, 1:]

    x, y = rand(3, 4, seed=1), rand(2, 4, seed=2)
    tree_close(jit(f)(x, y), f(x, y), rtol=1e-5, atol=1e-6)


def test_jit_of_vmap_and_vmap_of_jit_match_eager():
    f = lambda x, w: fnp.tanh(fnp.dot(x, w))
    xs, w = rand(6, 3, seed=1), rand(3, seed=2)
    ref = np.stack([np.asarray(f(xs[i], w)) for i in range(6)])
    close(jit(vmap(f, in_axes=(0, None)))(xs, w), ref, rtol=1e-5)
    close(vmap(jit(f), in_axes=(0, None))(xs, w), ref, rtol=1e-5)


def test_jit_under_grad_does_not_fill_the_cache():
    # inside another transform a jitted function is inlined
    fun, calls = counting(lambda x: fnp.sum(x**2))
    f = jit(fun)
    close(grad(f)(fnp.asarray([1.0, 2.0])), [2.0, 4.0])
    assert f.cache_info().currsize == 0


# ----------------------------------------------------------------------------------------------
# make_graph and the optimised graph
# ----------------------------------------------------------------------------------------------


def test_make_graph_prints_primitives():
    g = make_graph(lambda x, y: fnp.tanh(fnp.matmul(x, y)) + fnp.sin(x).sum())(
        fnp.ones((2, 3)), fnp.ones((3, 4)))
    assert isinstance(g, funcnet.Graph)
    text = str(g)
    for name in ("matmul", "tanh", "sin", "reduce_sum", "add"):
        assert name in text, f"{name} missing from\n{text}"
    assert "f32[2,3]" in text and "f32[3,4]" in text
    assert text == repr(g)
    assert [str(a.shape) for a in g.in_avals] == ["(2, 3)", "(3, 4)"]
    assert [tuple(a.shape) for a in g.out_avals] == [(2, 4)]


def test_make_graph_example_from_docstring():
    text = str(make_graph(lambda x: fnp.sin(x) * 2.0)(fnp.ones(3)))
    assert "sin a" in text and "multiply" in text and "2.0" in text


def test_make_graph_static_argnums_and_pytrees():
    g = make_graph(lambda x, n: x**n, static_argnums=1)(fnp.ones(3), 3)
    assert "integer_pow[y=3]" in str(g)
    assert len(g.in_vars) == 1
    g2 = make_graph(lambda d: d["a"] * d["b"])({"a": fnp.ones(2), "b": fnp.ones(2)})
    assert len(g2.in_vars) == 2 and "multiply" in str(g2)


def test_make_graph_of_grad_contains_derivative_ops():
    text = str(make_graph(grad(lambda x: fnp.sum(fnp.sin(x))))(fnp.ones(3)))
    assert "cos" in text


def test_make_graph_is_callable():
    f = lambda x: fnp.exp(x) * 3.0
    g = make_graph(f)(fnp.ones(2))
    x = fnp.asarray([0.5, -1.0])
    (out,) = g(x)
    close(out, f(x))


def test_cse_merges_repeated_sin():
    f = lambda x: fnp.sin(x) + fnp.sin(x)
    x = fnp.asarray([0.1, 0.2, 0.3])
    raw = make_graph(f)(x)
    assert prim_names(raw).count("sin") == 2  # make_graph shows the trace as written
    jf = jit(f)
    close(jf(x), 2 * np.sin(np.asarray(x)))
    assert prim_names(only_graph(jf)).count("sin") == 1


def test_dce_removes_unused_computations():
    def f(x):
        unused = fnp.log(fnp.exp(fnp.cos(x) * 5.0))  # noqa: F841
        _ = fnp.tanh(x).sum()
        return fnp.sin(x)

    x = fnp.ones(3)
    raw = prim_names(make_graph(f)(x))
    assert "cos" in raw and "tanh" in raw
    jf = jit(f)
    close(jf(x), np.sin(np.ones(3)))
    names = prim_names(only_graph(jf))
    assert names == ["sin"], names


def test_constant_folding_and_algebraic_simplification():
    jf = jit(lambda x: (x + fnp.sum(fnp.ones(3) * 2.0 + 1.0)) * 1.0 - 0.0)
    x = fnp.asarray([1.0, 2.0])
    close(jf(x), [10.0, 11.0])
    names = prim_names(only_graph(jf))
    assert names == ["add"], names


def test_optimised_graph_keeps_semantics_with_multiple_outputs():
    def f(x):
        s = fnp.sin(x)
        return s * 2.0, s + fnp.sin(x), fnp.cos(x) * 1.0

    x = rand(4)
    jf = jit(f)
    tree_close(jf(x), f(x))
    names = prim_names(only_graph(jf))
    assert names.count("sin") == 1 and names.count("cos") == 1


def test_cse_does_not_merge_different_params():
    jf = jit(lambda x: fnp.sum(x, axis=0)[:, None] + fnp.sum(x, axis=1)[None, :2])
    x = rand(2, 2)
    xn = np.asarray(x)
    close(jf(x), xn.sum(0)[:, None] + xn.sum(1)[None, :2])


# ----------------------------------------------------------------------------------------------
# Buffers: jitted code must never write into its inputs or into earlier results
# ----------------------------------------------------------------------------------------------


def test_jit_does_not_mutate_inputs_or_earlier_results():
    f = jit(lambda x, y: (fnp.exp(fnp.sin(x) * 2.0) + 1.0, fnp.tanh(y) * y - x, x))
    x, y = rand(4, 3, seed=1), rand(4, 3, seed=2)
    x_before, y_before = np.array(x), np.array(y)
    r1 = f(x, y)
    r1_before = [np.array(r) for r in r1]
    r2 = f(y, x)  # a cache hit with other data
    np.testing.assert_array_equal(np.asarray(x), x_before)
    np.testing.assert_array_equal(np.asarray(y), y_before)
    for r, before in zip(r1, r1_before):
        np.testing.assert_array_equal(np.asarray(r), before)
    tree_close(r2, (fnp.exp(fnp.sin(y) * 2.0) + 1.0, fnp.tanh(x) * x - y, y), rtol=1e-6)


def test_jit_outputs_do_not_alias_each_other():
    f = jit(lambda x: (x * 2.0, x * 2.0, x + 0.0))
    a, b, c = f(fnp.ones(3))
    close(a, [2.0] * 3)
    close(b, [2.0] * 3)
    close(c, [1.0] * 3)
    d = f(fnp.full((3,), 5.0))[0]
    close(a, [2.0] * 3)  # an earlier result is not overwritten by a later call
    close(d, [10.0] * 3)


def _identity_cond(v, p):
    return funcnet.lax.cond(p, lambda a: a, lambda a: a + 1.0, v)


def _identity_scan(v, p):
    return funcnet.lax.scan(lambda c, _: (c, None), v, None, length=2)[0]


@pytest.mark.parametrize("passthrough", [_identity_cond, _identity_scan])
def test_buffer_reuse_respects_values_handed_back_by_control_flow(passthrough):
    # cond / scan may return their operand's buffer itself: a later ufunc must not write into
    # it (found when the generated code wrote x * 2 + 1 over the cond's output)
    def f(x, p):
        v = x * 2.0
        w = passthrough(v, p)
        return v + 1.0, w * 1.0, w

    x = rand(5, seed=3)
    tree_close(jit(f)(x, True), f(x, True))


def test_buffer_reuse_never_overwrites_what_a_callback_kept():
    kept = []

    def f(x):
        funcnet.debug.callback(kept.append, x * 2.0)
        return fnp.sin(x) * 3.0 + 1.0

    x = rand(4, seed=4)
    jit(f)(x)
    close(kept[0], np.asarray(x) * 2.0)


def test_generated_code_reuses_dead_temporaries():
    # an Adam-like update of 13 ufunc calls: 10 of them write into dead temporaries (8 when
    # only an input dying at the call itself is reused, without the pool of dead buffers)
    def update(p, m, v, g):
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        return p - 0.01 * (m / 0.1) / (fnp.sqrt(v / 0.001) + 1e-8), m, v

    args = [rand(6, 3, seed=s) for s in range(4)]
    args[2] = fnp.abs(args[2])
    f = jit(update)
    tree_close(f(*args), update(*args), rtol=1e-5, atol=1e-5)
    from funcnet.core.backend import NUMPY
    from funcnet.transforms._codegen import compile_graph
    from funcnet.transforms._optimize import optimize
    src = compile_graph(optimize(make_graph(update)(*args)), NUMPY).__funcnet_source__
    assert src.count("out=") >= 10, src


_PROGRAM_OPS = [
    ("add", 2, lambda a, b: a + b), ("mul", 2, lambda a, b: a * b),
    ("sub", 2, lambda a, b: a - b), ("sin", 1, fnp.sin), ("exp", 1, lambda a: fnp.exp(-a * a)),
    ("T", 1, lambda a: a.T), ("flip", 1, lambda a: a[::-1]),
    ("rowsum", 1, lambda a: fnp.sum(a, axis=1, keepdims=True) + a),
    ("matmul", 2, lambda a, b: a @ b.T @ a * 0.1),
    ("cond", 1, lambda a: funcnet.lax.cond(a[0, 0] > -100.0, lambda t: t, lambda t: t + 1.0, a)),
    ("scan", 1, lambda a: funcnet.lax.scan(lambda c, _: (c, None), a, None, length=2)[0]),
    ("max", 2, fnp.maximum), ("where", 2, lambda a, b: fnp.where(a > b, a, b * 2.0)),
    ("reshape", 1, lambda a: a.reshape(9)[::-1].reshape(3, 3)),
    ("gather", 1, lambda a: a[fnp.array([2, 0, 2])]),
    ("scatter", 2, lambda a, b: a.at[1].add(b[0])), ("pow", 1, lambda a: a ** 3 * 0.1),
    ("cumsum", 1, lambda a: fnp.cumsum(a, axis=0) * 0.3),
    ("ys", 1, lambda a: funcnet.lax.scan(lambda c, r: (c * 0.5 + r, c), a[0], a)[1]),
    ("concat", 2, lambda a, b: fnp.concatenate([a[:1], b[1:]])),
    ("softmax", 1, lambda a: fnp.exp(a) / fnp.sum(fnp.exp(a), axis=-1, keepdims=True)),
    ("bcond", 1, lambda a: funcnet.lax.cond(a[0, 0] > 0.0, lambda t: t * 2.0,
                                            lambda t: fnp.sin(t) - 1.0, a)),
    ("while", 1, lambda a: funcnet.lax.while_loop(
        lambda c: c[1] < 1.0 + fnp.abs(a[0, 0]) * 3.0,
        lambda c: (c[0] * 0.9 + fnp.cos(c[0]) * 0.1, c[1] + 1.0), (a, 0.0))[0]),
]


@settings(max_examples=40)  # cheap programs: worth more examples than the profile's
@given(st.lists(st.tuples(st.integers(0, len(_PROGRAM_OPS) - 1), st.integers(0, 99),
                          st.integers(0, 99)), min_size=1, max_size=14),
       st.lists(st.integers(0, 99), min_size=1, max_size=3))
def test_random_programs_jit_matches_eager(program, returned):
    # straight-line programs over square matrices returning a few of their values: whatever
    # buffers the generated code reuses, the results must equal eager execution
    def f(x, y):
        vals = [x, y]
        for op, i, j in program:
            _, arity, fn = _PROGRAM_OPS[op]
            args = [vals[i % len(vals)], vals[j % len(vals)]][:arity]
            vals.append(fn(*args))
        return [vals[2 + r % (len(vals) - 2)] for r in returned]

    x, y = rand(3, 3, seed=5), rand(3, 3, seed=6)
    tree_close(jit(f)(x, y), f(x, y), rtol=1e-5, atol=1e-5)


def _run_program(program, returned):
    def f(x, y):
        vals = [x, y]
        for op, i, j in program:
            _, arity, fn = _PROGRAM_OPS[op]
            args = [vals[i % len(vals)], vals[j % len(vals)]][:arity]
            vals.append(fn(*args))
        return [vals[2 + r % (len(vals) - 2)] for r in returned]
    return f


@settings(max_examples=40)  # cheap programs: worth more examples than the profile's
@given(st.lists(st.tuples(st.integers(0, len(_PROGRAM_OPS) - 1), st.integers(0, 99),
                          st.integers(0, 99)), min_size=1, max_size=10),
       st.lists(st.integers(0, 99), min_size=1, max_size=3))
def test_random_programs_grad_and_vmap_agree_across_transforms(program, returned):
    f = _run_program(program, returned)

    def loss(x, y):
        return sum(fnp.sum(fnp.tanh(o)) for o in f(x, y))

    x, y = rand(3, 3, seed=7) * 0.5, rand(3, 3, seed=8) * 0.5
    g = grad(loss, argnums=(0, 1))
    tree_close(jit(g)(x, y), g(x, y), rtol=1e-4, atol=1e-5)
    xs, ys = rand(2, 3, 3, seed=9) * 0.5, rand(2, 3, 3, seed=10) * 0.5
    batched = vmap(f)(xs, ys)
    looped = [f(xs[k], ys[k]) for k in range(2)]
    for i, out in enumerate(batched):
        tree_close(out, fnp.stack([looped[k][i] for k in range(2)]), rtol=1e-5, atol=1e-5)
    tree_close(jit(vmap(g))(xs, ys), vmap(g)(xs, ys), rtol=1e-4, atol=1e-5)


@settings(max_examples=40)  # cheap programs: worth more examples than the profile's
@given(st.lists(st.tuples(st.integers(0, len(_PROGRAM_OPS) - 1), st.integers(0, 99),
                          st.integers(0, 99)), min_size=1, max_size=8),
       st.lists(st.integers(0, 99), min_size=1, max_size=2))
def test_random_programs_gradients_match_finite_differences(program, returned):
    from funcnet.test_util import check_grads
    f = _run_program(program, returned)

    def loss(x, y):
        return sum(fnp.sum(fnp.tanh(o)) for o in f(x, y))

    before = funcnet.config.enable_x64
    funcnet.config.update("enable_x64", True)
    try:
        rng = np.random.default_rng(11)
        x, y = (fnp.asarray(rng.normal(size=(3, 3)) * 0.5) for _ in range(2))
        check_grads(loss, (x, y), order=1)
        check_grads(jit(loss), (x, y), order=1, modes=("rev",))
    finally:
        funcnet.config.update("enable_x64", before)
