"""Op-table tests: every row of ``op_specs.SPECS`` against NumPy and under every transform.

For each row: (a) values, shapes and dtypes against the NumPy reference (x32-narrowed);
(b) abstract evaluation (``make_graph(...).out_avals``) against the eager result; (c) ``jit``
against eager; (d) ``vmap`` over several ``in_axes`` against a Python loop; (e)
``check_grads`` to second order in float64. Plus JAX's promotion rules, ``out_axes`` and a
check that the table has a row for every public ``funcnet.numpy`` function.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from op_specs import NOT_OPS, SPECS, cases

import funcnet
import funcnet.numpy as fnp
from funcnet.test_util import check_grads

_X32 = {np.dtype(np.float64): np.dtype(np.float32), np.dtype(np.int64): np.dtype(np.int32),
        np.dtype(np.uint64): np.dtype(np.uint32),
        np.dtype(np.complex128): np.dtype(np.complex64)}


def narrow(dt):
    """NumPy's dtype under funcnet's default (x32) mode."""
    dt = np.dtype(dt)
    return _X32.get(dt, dt)


def leaves(x):
    """Flat list of the arrays in a (nested) tuple / list result."""
    if isinstance(x, (tuple, list)):
        return [leaf for e in x for leaf in leaves(e)]
    return [x]


def params(check, pred=lambda s: True):
    out = []
    for s in SPECS:
        if not pred(s):
            continue
        marks = [pytest.mark.xfail(strict=True, reason=s.xfail[check])] if check in s.xfail \
            else []
        out.append(pytest.param(s, id=s.name, marks=marks))
    return out


def expected_dtype(spec, dtype, ref_dtype):
    if spec.out_dtype is not None:
        return np.dtype(spec.out_dtype(dtype))
    if spec.inexact and np.dtype(dtype).kind in "biu":
        return np.dtype(np.float32)  # JAX: integer inputs of inexact ops give the default float
    return narrow(ref_dtype)


def assert_close(actual, expected, dtype, tol, what=""):
    a, e = np.asarray(actual), np.asarray(expected)
    assert a.shape == e.shape, f"{what}: shape {a.shape} != expected {e.shape}"
    assert a.dtype == dtype, f"{what}: dtype {a.dtype} != expected {dtype}"
    e = e.astype(dtype)
    if dtype.kind in "biu":
        np.testing.assert_array_equal(a, e, err_msg=what)
        return
    if dtype == np.float16:
        tol = max(tol, 1e-2)
    wide = np.complex128 if dtype.kind == "c" else np.float64
    np.testing.assert_allclose(a.astype(wide), e.astype(wide), rtol=tol, atol=tol,
                               equal_nan=True, err_msg=what)


def _to_arrays(args):
    return [fnp.asarray(a) for a in args]


def _bound(spec, kw):
    return lambda *a: spec.fn(*a, **kw)


# -- (a) values against NumPy --------------------------------------------------------------------
@pytest.mark.parametrize("spec", params("values"))
@given(data=st.data())
def test_values(spec, data):
    case = data.draw(cases(spec), label="case")
    args = case.args()
    expected = spec.ref(*args, **case.kwargs)
    out = spec.call(args, case.kwargs)
    if spec.meta:
        assert out == expected and type(out) is type(expected), (out, expected)
        return
    outs, exps = leaves(out), leaves(expected)
    assert len(outs) == len(exps), f"{len(outs)} outputs, NumPy gives {len(exps)}"
    for i, (o, e) in enumerate(zip(outs, exps, strict=True)):
        assert isinstance(o, funcnet.Array), f"output {i} is a {type(o).__name__}, not an Array"
        dt = expected_dtype(spec, case.dtype, np.asarray(e).dtype)
        assert_close(o, e, dt, spec.tol, f"{spec.name} output {i} ({case.kwargs})")


# -- (b) abstract evaluation ---------------------------------------------------------------------
@pytest.mark.parametrize("spec", params("abstract", lambda s: s.jit and not s.meta))
@given(data=st.data())
def test_abstract_eval(spec, data):
    case = data.draw(cases(spec), label="case")
    args = _to_arrays(case.args())
    eager = leaves(spec.fn(*args, **case.kwargs))
    avals = funcnet.make_graph(_bound(spec, case.kwargs))(*args).out_avals
    assert len(avals) == len(eager)
    for i, (av, e) in enumerate(zip(avals, eager, strict=True)):
        assert (tuple(av.shape), np.dtype(av.dtype)) == (tuple(e.shape), e.dtype), \
            f"output {i}: abstract {av} vs eager {e.dtype}{tuple(e.shape)}"


# -- (c) jit against eager -----------------------------------------------------------------------
@pytest.mark.parametrize("spec", params("jit", lambda s: s.jit and not s.meta))
@given(data=st.data())
def test_jit(spec, data):
    case = data.draw(cases(spec), label="case")
    args = _to_arrays(case.args())
    eager = leaves(spec.fn(*args, **case.kwargs))
    jitted = leaves(funcnet.jit(_bound(spec, case.kwargs))(*args))
    assert len(jitted) == len(eager)
    for i, (j, e) in enumerate(zip(jitted, eager, strict=True)):
        assert_close(j, e, e.dtype, spec.tol, f"jit output {i}")


# -- (d) vmap against a Python loop --------------------------------------------------------------
_BATCH = 3


@pytest.mark.parametrize("spec", params("vmap", lambda s: s.vmap and not s.meta and s.nargs))
@given(data=st.data())
def test_vmap(spec, data):
    case = data.draw(cases(spec), label="case")
    examples = [case.args(offset=b) for b in range(_BATCH)]
    in_axes = [data.draw(st.sampled_from([0, None] + ([1] if a.ndim else [])), label=f"axis{j}")
               for j, a in enumerate(examples[0])]
    if all(ax is None for ax in in_axes):
        in_axes[0] = 0
    batched = [np.stack([ex[j] for ex in examples], axis=ax) if ax is not None
               else examples[0][j] for j, ax in enumerate(in_axes)]
    per_example = [leaves(spec.call([ex[j] if ax is not None else examples[0][j]
                                     for j, ax in enumerate(in_axes)], case.kwargs))
                   for ex in examples]
    out = leaves(funcnet.vmap(_bound(spec, case.kwargs), in_axes=tuple(in_axes))(
        *_to_arrays(batched)))
    assert len(out) == len(per_example[0])
    for i, o in enumerate(out):
        expected = np.stack([np.asarray(p[i]) for p in per_example])
        assert_close(o, expected, per_example[0][i].dtype, spec.tol,
                     f"vmap in_axes={tuple(in_axes)} output {i}")


# -- (e) derivatives against finite differences ------------------------------------------------
@pytest.mark.parametrize("spec", params("grads", lambda s: s.grad))
def test_grads(spec, x64):
    fn = spec.grad_fn or spec.fn
    rng = np.random.default_rng(0)
    for shapes in spec.grad_shapes:
        for kw in spec.grad_variants(shapes):
            args = _to_arrays(spec.make_args(rng, shapes, np.float64, kw, smooth=True,
                                            domain=spec.grad_domain))
            argnums = spec.grad_argnums or tuple(
                i for i, a in enumerate(args) if a.dtype.kind == "f")

            def f(*diff, _args=args, _argnums=argnums, _kw=kw):
                full = list(_args)
                for i, d in zip(_argnums, diff, strict=True):
                    full[i] = d
                return fn(*full, **_kw)

            tol = spec.grad_tol
            try:
                check_grads(f, tuple(args[i] for i in argnums), order=2, modes=spec.grad,
                            atol=tol, rtol=tol)
            except AssertionError as e:
                raise AssertionError(f"{spec.name} shapes={shapes} kwargs={kw}: {e}") from None


# -- the table covers the public API -----------------------------------------------------------
def _base_name(name):
    return re.split(r"[\[(]", name)[0]


def _is_dtype_name(name):
    try:
        np.dtype(name)
    except TypeError:
        return False
    return True


def test_every_public_function_has_a_row():
    rows = {_base_name(s.name) for s in SPECS}
    public = {n for n in fnp.__all__ if n not in NOT_OPS and callable(getattr(fnp, n))
              and not isinstance(getattr(fnp, n), (type, np.dtype)) and not _is_dtype_name(n)}
    public |= {f"linalg.{n}" for n in fnp.linalg.__all__}
    assert not public - rows, f"public functions without an op_specs row: {sorted(public - rows)}"


def test_table_is_well_formed():
    for s in SPECS:
        assert s.dtypes, s.name
        assert all(np.dtype(d) for d in s.dtypes)
        if s.grad:
            assert set(s.grad) <= {"fwd", "rev"}, s.name


# -- JAX promotion (NumPy's rules differ for mixed kinds, so these are known JAX results) --------
_PROMOTION = [
    ("int32", "float32", "float32"), ("uint8", "int8", "int16"), ("int32", 1.5, "float32"),
    ("float16", 1.0, "float16"), ("int8", 1, "int8"), ("uint8", 1, "uint8"),
    ("bool", 1, "int32"), ("bool", 1.0, "float32"), ("bool", "int8", "int8"),
    ("bool", "bool", "bool"), ("int32", "uint32", "int32"), ("int16", "uint16", "int32"),
    ("uint8", "uint16", "uint16"), ("int8", "float16", "float16"),
    ("int32", "float16", "float16"), ("uint8", "float32", "float32"),
    ("float16", "float32", "float32"), ("float32", "complex64", "complex64"),
    ("float32", 1j, "complex64"), ("int32", 1j, "complex64"), ("float16", 1j, "complex64"),
    ("uint32", "int8", "int32"), ("int8", "uint16", "int32"), ("uint16", 2.0, "float32"),
]


def _operand(x):
    if isinstance(x, str):
        return fnp.asarray(np.ones((2,), dtype=x))
    return x


@pytest.mark.parametrize("lhs,rhs,want", _PROMOTION, ids=[f"{a}+{b}" for a, b, _ in _PROMOTION])
def test_promotion(lhs, rhs, want):
    a, b = _operand(lhs), _operand(rhs)
    want = np.dtype(want)
    results = {"fnp.add": fnp.add(a, b), "fnp.multiply(b, a)": fnp.multiply(b, a),
               "a + b": a + b, "b * a": b * a,
               "jit": funcnet.jit(lambda x, y: x * y)(a, b),
               "fnp.where": fnp.where(fnp.asarray([True, False]), a, b)}
    if not isinstance(rhs, str):
        results["jit(closure)"] = funcnet.jit(lambda x: x + rhs)(a)
    for where, r in results.items():
        assert r.dtype == want, f"{where}: {lhs} with {rhs} gives {r.dtype}, JAX gives {want}"
    g = funcnet.make_graph(lambda x, y: x + y)(a, b)
    assert np.dtype(g.out_avals[0].dtype) == want
    assert fnp.result_type(a, b) == want
    if isinstance(rhs, str):
        assert fnp.promote_types(lhs, rhs) == want
        assert fnp.can_cast(lhs, want) and fnp.can_cast(rhs, want)


_PROMOTION_X64 = [("int32", 1.5, "float64"), ("float32", 1.0, "float32"),
                  ("int32", "uint32", "int64"), ("int64", "float32", "float32"),
                  ("int32", 1, "int32"), ("float16", "int64", "float16"),
                  ("uint64", "int8", "float64")]


@pytest.mark.parametrize("lhs,rhs,want", _PROMOTION_X64,
                         ids=[f"{a}+{b}" for a, b, _ in _PROMOTION_X64])
def test_promotion_x64(lhs, rhs, want, x64):
    a, b = _operand(lhs), _operand(rhs)
    assert (a + b).dtype == np.dtype(want)
    assert funcnet.jit(lambda x, y: x + y)(a, b).dtype == np.dtype(want)


@pytest.mark.parametrize("src,want", [("float64", "float32"), ("int64", "int32"),
                                      ("uint64", "uint32"), ("complex128", "complex64"),
                                      ("float16", "float16"), ("int8", "int8")])
def test_x32_narrowing_of_inputs(src, want):
    assert fnp.asarray(np.zeros(2, src)).dtype == np.dtype(want)
    assert fnp.array([1, 2], dtype=src).dtype == np.dtype(want)
    assert fnp.zeros(2, dtype=src).dtype == np.dtype(want)


def test_weak_scalars_keep_array_dtype_under_jit():
    x = fnp.ones(3, dtype="float16")
    assert funcnet.jit(lambda a, s: a * s)(x, 2.0).dtype == np.float16
    assert funcnet.jit(lambda a, s: a + s)(fnp.ones(3, dtype="int8"), 3).dtype == np.int8


# -- vmap out_axes -------------------------------------------------------------------------------
_OUT_AXES_FNS = {"sin": fnp.sin, "sum(axis=0)": lambda x: fnp.sum(x, axis=0),
                 "outer": lambda x: fnp.outer(x[0], x[1]), "transpose": fnp.transpose,
                 "split": lambda x: fnp.split(x, 2, axis=1)}


@pytest.mark.parametrize("out_axes", [0, 1, -1])
@pytest.mark.parametrize("name", list(_OUT_AXES_FNS))
def test_vmap_out_axes(name, out_axes):
    f = _OUT_AXES_FNS[name]
    xs = np.random.default_rng(0).standard_normal((3, 2, 4)).astype(np.float32)
    per = [leaves(f(fnp.asarray(x))) for x in xs]
    out = leaves(funcnet.vmap(f, in_axes=0, out_axes=out_axes)(fnp.asarray(xs)))
    for i, o in enumerate(out):
        stacked = np.stack([np.asarray(p[i]) for p in per])
        np.testing.assert_allclose(np.asarray(o), np.moveaxis(stacked, 0, out_axes), rtol=1e-6)
