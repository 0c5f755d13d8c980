"""The public API contract of DESIGN.md: every listed name exists and is documented, Array has
every listed method and property, and importing funcnet stays light."""

import subprocess
import sys
import textwrap

import numpy as np
import pytest

import funcnet
import funcnet.numpy as fnp

# ----------------------------------------------------------------------------------------------
# Names listed in DESIGN.md
# ----------------------------------------------------------------------------------------------

TOP_LEVEL = """Array config grad value_and_grad jvp vjp jacfwd jacrev hessian vmap jit
stop_gradient make_graph devices device_put default_device tree random numpy lax
custom_vjp custom_jvp checkpoint remat debug disable_jit""".split()

FNP = """array asarray zeros ones full empty zeros_like ones_like full_like arange linspace eye
identity
add subtract multiply divide true_divide floor_divide power mod remainder negative positive abs
sign exp exp2 expm1 log log1p log2 log10 sqrt cbrt square reciprocal sin cos tan arcsin arccos
arctan arctan2 sinh cosh tanh arcsinh arccosh arctanh maximum minimum clip where floor ceil round
trunc equal not_equal less less_equal greater greater_equal logical_and logical_or logical_not
logical_xor isnan isinf isfinite
sum mean prod max min amax amin argmax argmin any all var std cumsum cumprod
reshape transpose swapaxes moveaxis expand_dims squeeze concatenate stack hstack vstack split tile
repeat broadcast_to broadcast_arrays flip pad ravel atleast_1d atleast_2d
matmul dot tensordot einsum outer inner vdot trace diag diagonal tril triu
take take_along_axis nonzero argsort sort
gather gather_nd batch_gather boolean_mask""".split()

DTYPES = """int8 int16 int32 int64 uint8 uint16 uint32 uint64 float16 float32 float64
complex64 complex128""".split()

LINALG = "norm inv solve det slogdet cholesky".split()

TREE = "map leaves structure flatten unflatten register_node".split()

RANDOM = """key PRNGKey split fold_in normal uniform bernoulli randint choice permutation
categorical truncated_normal gumbel""".split()


def _has_doc(obj):
    doc = getattr(obj, "__doc__", None)
    return bool(doc and doc.strip())


@pytest.mark.parametrize("name", TOP_LEVEL)
def test_top_level_name(name):
    assert hasattr(funcnet, name), f"funcnet.{name} is missing"
    assert _has_doc(getattr(funcnet, name)), f"funcnet.{name} has no docstring"


def test_top_level_all_is_consistent():
    for name in funcnet.__all__:
        assert hasattr(funcnet, name), name
    assert isinstance(funcnet.__version__, str)


@pytest.mark.parametrize("name", FNP)
def test_funcnet_numpy_name(name):
    obj = getattr(fnp, name, None)
    assert obj is not None, f"fnp.{name} is missing"
    assert callable(obj)
    assert _has_doc(obj), f"fnp.{name} has no docstring"


@pytest.mark.parametrize("name", DTYPES + ["bool_"])
def test_funcnet_numpy_dtype(name):
    dt = getattr(fnp, name)
    assert np.dtype(dt) == np.dtype(name)
    narrowed = {"int64": "int32", "uint64": "uint32", "float64": "float32",
                "complex128": "complex64"}  # x64 is off
    assert fnp.zeros(2, dtype=dt).dtype == np.dtype(narrowed.get(name, name))


def test_funcnet_numpy_bool_dtype():
    assert np.dtype(fnp.bool) == np.bool_


def test_funcnet_numpy_dtype_is_callable_like_jax():
    x = fnp.float32(1.5)
    assert isinstance(x, funcnet.Array) and x.dtype == np.float32


def test_dtype_strings_are_accepted():
    assert fnp.zeros(2, dtype="float16").dtype == np.float16
    assert fnp.ones(2, dtype="int8").dtype == np.int8


def test_default_dtypes():
    assert fnp.ones(2).dtype == np.float32
    assert fnp.arange(3).dtype == np.int32
    assert fnp.asarray(1.0).dtype == np.float32
    assert fnp.asarray(np.arange(3, dtype=np.int64)).dtype == np.int32


def test_tf_reduce_aliases_are_not_provided():
    assert not hasattr(fnp, "reduce_sum")
    assert not hasattr(fnp, "reduce_mean")


def test_numpy_module_docstrings():
    assert _has_doc(fnp) and _has_doc(fnp.linalg) and _has_doc(funcnet.tree)
    assert _has_doc(funcnet.random) and _has_doc(funcnet)


@pytest.mark.parametrize("name", LINALG)
def test_linalg_name(name):
    obj = getattr(fnp.linalg, name, None)
    assert obj is not None, f"fnp.linalg.{name} is missing"
    assert callable(obj) and _has_doc(obj)


@pytest.mark.parametrize("name", TREE)
def test_tree_name(name):
    obj = getattr(funcnet.tree, name, None)
    assert obj is not None, f"funcnet.tree.{name} is missing"
    assert callable(obj) and _has_doc(obj)


@pytest.mark.parametrize("name", RANDOM)
def test_random_name(name):
    obj = getattr(funcnet.random, name, None)
    assert obj is not None, f"funcnet.random.{name} is missing"
    assert callable(obj) and _has_doc(obj)


def test_prngkey_is_key():
    np.testing.assert_array_equal(np.asarray(funcnet.random.PRNGKey(3)),
                                  np.asarray(funcnet.random.key(3)))


def test_module_all_lists_exist():
    for mod in (fnp, fnp.linalg, funcnet.tree, funcnet.random, funcnet.errors):
        for name in getattr(mod, "__all__", []):
            assert hasattr(mod, name), f"{mod.__name__}.__all__ lists missing {name}"


def test_stop_gradient_in_lax_too():
    assert funcnet.lax.stop_gradient is funcnet.stop_gradient


def test_devices():
    devs = funcnet.devices()
    assert len(devs) >= 1
    x = fnp.ones(2)
    assert x.device == "cpu"
    y = funcnet.device_put(x, "cpu")
    np.testing.assert_array_equal(np.asarray(y), np.asarray(x))
    with funcnet.default_device("cpu"):
        assert fnp.zeros(1).device == "cpu"


# ----------------------------------------------------------------------------------------------
# Array
# ----------------------------------------------------------------------------------------------

ARRAY_PROPERTIES = "shape dtype ndim size T device".split()
ARRAY_METHODS = """reshape astype transpose sum mean max min argmax argmin prod std var any all
ravel squeeze item tolist block_until_ready""".split()


@pytest.mark.parametrize("name", ARRAY_PROPERTIES + ARRAY_METHODS + ["at"])
def test_array_has_attribute(name):
    assert hasattr(funcnet.Array, name)
    assert hasattr(fnp.ones((2, 3)), name)


def test_array_is_fnp_ndarray():
    assert fnp.ndarray is funcnet.Array
    assert isinstance(fnp.ones(2), funcnet.Array)


@pytest.fixture
def xa():
    a = np.arange(1.0, 7.0, dtype=np.float32).reshape(2, 3)
    return fnp.asarray(a), a


def test_array_properties(xa):
    x, a = xa
    assert x.shape == (2, 3) and isinstance(x.shape, tuple)
    assert x.dtype == np.float32 and isinstance(x.dtype, np.dtype)
    assert x.ndim == 2 and x.size == 6
    assert x.T.shape == (3, 2)
    np.testing.assert_array_equal(np.asarray(x.T), a.T)
    assert x.device == "cpu"


@pytest.mark.parametrize("name", ["sum", "mean", "max", "min", "argmax", "argmin", "prod",
                                  "std", "var", "any", "all"])
def test_array_reduction_methods_match_numpy(xa, name):
    x, a = xa
    for kw in ({}, {"axis": 0}, {"axis": 1}):
        got = np.asarray(getattr(x, name)(**kw))
        ref = getattr(a, name)(**kw)
        np.testing.assert_allclose(got, ref, rtol=1e-6)
    got = np.asarray(getattr(x, name)(axis=1, keepdims=True)) if name not in (
        "argmax", "argmin") else None
    if got is not None:
        assert got.shape == (2, 1)


def test_array_shape_methods(xa):
    x, a = xa
    np.testing.assert_array_equal(np.asarray(x.reshape(3, 2)), a.reshape(3, 2))
    np.testing.assert_array_equal(np.asarray(x.reshape((6,))), a.reshape(6))
    np.testing.assert_array_equal(np.asarray(x.reshape(-1)), a.reshape(-1))
    np.testing.assert_array_equal(np.asarray(x.transpose()), a.T)
    np.testing.assert_array_equal(np.asarray(x.transpose(1, 0)), a.T)
    np.testing.assert_array_equal(np.asarray(x.transpose((1, 0))), a.T)
    np.testing.assert_array_equal(np.asarray(x.ravel()), a.ravel())
    assert fnp.ones((1, 3, 1)).squeeze().shape == (3,)
    assert fnp.ones((1, 3, 1)).squeeze(0).shape == (3, 1)
    assert x.astype(fnp.int32).dtype == np.int32
    assert x.astype("float16").dtype == np.float16


def test_array_conversion_methods(xa):
    x, a = xa
    assert x.tolist() == a.tolist()
    assert fnp.asarray(2.5).item() == 2.5 and isinstance(fnp.asarray(2.5).item(), float)
    assert x.item(4) == 5.0
    assert x.block_until_ready() is x
    assert float(fnp.asarray(1.5)) == 1.5 and int(fnp.asarray(3)) == 3
    assert bool(fnp.asarray(True)) is True


def test_array_at_updates(xa):
    x, a = xa
    expected = a.copy()
    expected[0, 1] = 10.0
    np.testing.assert_array_equal(np.asarray(x.at[0, 1].set(10.0)), expected)
    np.testing.assert_array_equal(np.asarray(x.at[1].add(1.0)), a + [[0], [1]])
    np.testing.assert_array_equal(np.asarray(x.at[:, 0].multiply(3.0)),
                                  a * np.array([3.0, 1.0, 1.0]))
    np.testing.assert_array_equal(np.asarray(x.at[:, 2].min(0.0)),
                                  np.concatenate([a[:, :2], [[0.0], [0.0]]], axis=1))
    np.testing.assert_array_equal(np.asarray(x.at[0].max(2.5)), [[2.5, 2.5, 3.0], a[1]])
    assert float(x.at[1, 2].get()) == 6.0
    np.testing.assert_array_equal(np.asarray(x.at[1].get()), a[1])
    # repeated indices accumulate for add, like jax
    v = fnp.zeros(3).at[fnp.asarray([0, 0, 2])].add(1.0)
    assert v.tolist() == [2.0, 0.0, 1.0]
    # the original is unchanged
    np.testing.assert_array_equal(np.asarray(x), a)


def test_array_operators(xa):
    x, a = xa
    np.testing.assert_allclose(np.asarray(x + 1), a + 1)
    np.testing.assert_allclose(np.asarray(2 - x), 2 - a)
    np.testing.assert_allclose(np.asarray(x * x), a * a)
    np.testing.assert_allclose(np.asarray(x / 2), a / 2)
    np.testing.assert_allclose(np.asarray(x // 2), a // 2)
    np.testing.assert_allclose(np.asarray(x % 2), a % 2)
    np.testing.assert_allclose(np.asarray(x**2), a**2)
    np.testing.assert_allclose(np.asarray(x @ x.T), a @ a.T)
    np.testing.assert_allclose(np.asarray(-x), -a)
    np.testing.assert_allclose(np.asarray(+x), a)
    np.testing.assert_allclose(np.asarray(abs(-x)), a)
    assert np.asarray(~fnp.asarray([True, False])).tolist() == [False, True]
    for op in ("__lt__", "__le__", "__gt__", "__ge__", "__eq__", "__ne__"):
        np.testing.assert_array_equal(np.asarray(getattr(x, op)(3.0)), getattr(a, op)(3.0))


def test_array_indexing(xa):
    x, a = xa
    np.testing.assert_array_equal(np.asarray(x[1]), a[1])
    np.testing.assert_array_equal(np.asarray(x[:, 1:]), a[:, 1:])
    np.testing.assert_array_equal(np.asarray(x[..., ::-1]), a[..., ::-1])
    np.testing.assert_array_equal(np.asarray(x[None, 0]), a[None, 0])
    np.testing.assert_array_equal(np.asarray(x[fnp.asarray([1, 0])]), a[[1, 0]])
    np.testing.assert_array_equal(np.asarray(x[x > 2]), a[a > 2])  # boolean, outside jit


def test_numpy_asarray_works_and_is_read_only(xa):
    x, a = xa
    arr = np.asarray(x)
    assert isinstance(arr, np.ndarray)
    np.testing.assert_array_equal(arr, a)
    assert not arr.flags.writeable
    with pytest.raises(ValueError):
        arr[0, 0] = 100.0
    np.testing.assert_array_equal(np.asarray(x), a)
    copy = np.array(x)  # an explicit copy may be written
    copy[0, 0] = 100.0
    np.testing.assert_array_equal(np.asarray(x), a)
    assert np.asarray(x, dtype=np.float64).dtype == np.float64


def test_repr(xa):
    x, _ = xa
    r = repr(x)
    assert r.startswith("Array(") and "float32" in r


# ----------------------------------------------------------------------------------------------
# Import hygiene
# ----------------------------------------------------------------------------------------------


def test_import_funcnet_does_not_import_test_tools():
    code = textwrap.dedent("""
        import sys
        import funcnet, funcnet.numpy, funcnet.random, funcnet.tree
        bad = sorted(m for m in ("hypothesis", "pytest", "_pytest")
                     if m in sys.modules)
        print(",".join(bad))
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=str(_repo_root()))
    assert out.stdout.strip() == "", f"import funcnet pulled in: {out.stdout.strip()}"


def _repo_root():
    from pathlib import Path
    return Path(__file__).resolve().parents[1]


def test_array_methods_have_docstrings():
    missing = [n for n in ARRAY_PROPERTIES + ARRAY_METHODS + ["at"]
               if not _has_doc(getattr(funcnet.Array, n))]
    assert not missing, f"Array attributes without a docstring: {missing}"
