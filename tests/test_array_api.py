"""Array API standard (2024.12) surface of funcnet.numpy, checked against NumPy.

The full conformance suite (data-apis/array-api-tests) runs through
``scripts/array_api_tests.sh``; these are the fast in-repo checks of what funcnet added for it.
"""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import funcnet
import funcnet.numpy as fnp
from funcnet.errors import ConcretizationError, MutationError, ShapeError


def close(a, b, tol=1e-5):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=tol, atol=tol)


# -- namespace, inspection, dtypes ---------------------------------------------------------------
def test_version_and_namespace():
    assert fnp.__array_api_version__ == "2024.12"
    x = fnp.ones(2)
    assert x.__array_namespace__() is fnp
    assert x.__array_namespace__(api_version="2024.12") is fnp


def test_namespace_info():
    info = fnp.__array_namespace_info__()
    caps = info.capabilities()
    assert caps == {"boolean indexing": True, "data-dependent shapes": True,
                    "max dimensions": None}
    assert info.default_device() == "cpu" and "cpu" in info.devices()
    assert fnp.ones(1).device == info.default_device()
    d = info.default_dtypes()
    assert d["real floating"] == np.float32 and d["integral"] == d["indexing"] == np.int32
    assert d["complex floating"] == np.complex64
    assert "float64" not in info.dtypes()
    assert set(info.dtypes(kind="unsigned integer")) == {"uint8", "uint16", "uint32"}
    assert set(info.dtypes(kind=("bool", "complex floating"))) == {"bool", "complex64"}
    with pytest.raises(ValueError, match="unknown kind"):
        info.dtypes(kind="floats")


def test_namespace_info_x64(x64):
    info = fnp.__array_namespace_info__()
    assert info.default_dtypes()["indexing"] == np.int64
    assert set(info.dtypes(kind="real floating")) == {"float32", "float64"}
    for name, dt in info.dtypes().items():
        assert fnp.empty(1, dtype=dt, device="cpu").dtype == np.dtype(name)


def test_dtype_objects_compare_safely():
    assert fnp.float32 == np.float32 and fnp.float32 == "float32"
    assert fnp.float32 != fnp.float64 and fnp.float32 != fnp.int32
    assert not fnp.float64 == None  # noqa: E711  (np.dtype(None) is float64)
    assert not fnp.bool == {"a": 1}  # no ValueError from NumPy's dict-as-dtype parsing
    assert not fnp.int8 == "not a dtype"


def test_finfo_iinfo_types():
    for dt, bits in ((fnp.float32, 32), (fnp.complex64, 32)):
        fi = fnp.finfo(dt)
        assert fi.bits == bits and fi.dtype == np.float32
        for attr in ("eps", "max", "min", "smallest_normal"):
            assert type(getattr(fi, attr)) is float
        assert fi.eps == float(np.finfo(np.float32).eps)
    assert fnp.finfo(fnp.ones(2)).bits == 32
    assert fnp.finfo(np.float64).bits == 64
    ii = fnp.iinfo(fnp.int8)
    assert (ii.bits, ii.min, ii.max) == (8, -128, 127) and type(ii.max) is int
    assert fnp.iinfo(fnp.asarray([1], dtype="uint16")).max == 65535


def test_astype():
    x = fnp.asarray([1.7, -2.5, 0.0])
    out = fnp.astype(x, fnp.int32)
    assert out.dtype == np.int32 and out.tolist() == [1, -2, 0]
    assert fnp.astype(x, "bool").tolist() == [True, True, False]
    assert fnp.astype(x, fnp.float32, copy=False) is x
    assert fnp.astype(x, fnp.float32, device="cpu").device == "cpu"
    with pytest.raises(TypeError, match="fnp.real"):
        fnp.astype(fnp.asarray([1 + 2j]), fnp.float32)
    assert funcnet.jit(lambda v: fnp.astype(v, fnp.int8))(x).tolist() == [1, -2, 0]


def test_isdtype_result_type_can_cast():
    assert fnp.isdtype(fnp.float32, "real floating")
    assert fnp.isdtype(fnp.int8, ("bool", "integral"))
    assert not fnp.isdtype(fnp.uint8, "signed integer")
    assert fnp.result_type(fnp.int8, fnp.uint8) == np.int16
    assert fnp.result_type(fnp.ones(2, dtype="int8"), 1) == np.int8
    assert fnp.can_cast(fnp.int8, fnp.int16) and not fnp.can_cast(fnp.float32, fnp.int32)


# -- creation ------------------------------------------------------------------------------------
def test_creation_device_and_signatures():
    for f, args in ((fnp.zeros, ((2,),)), (fnp.ones, ((2,),)), (fnp.empty, ((2,),)),
                    (fnp.full, ((2,), 3.0)), (fnp.eye, (2,)), (fnp.arange, (3,)),
                    (fnp.linspace, (0, 1, 3)), (fnp.zeros_like, (fnp.ones(2),)),
                    (fnp.ones_like, (fnp.ones(2),)), (fnp.full_like, (fnp.ones(2), 1.0)),
                    (fnp.empty_like, (fnp.ones(2),))):
        assert "device" in inspect.signature(f).parameters, f.__name__
        assert f(*args, device="cpu").device == "cpu"
    assert fnp.empty_like(fnp.ones((2, 3), dtype="int8")).dtype == np.int8


@pytest.mark.parametrize("args, kw", [((5,), {}), ((0,), {"step": 2}), ((7,), {"step": 3}),
                                      ((1, 7, 2), {}), ((5, 1, -1), {})])
def test_arange_matches_numpy(args, kw):
    assert fnp.arange(*args, **kw).tolist() == np.arange(*args, **kw).tolist()


def test_asarray_copy():
    a = np.arange(3, dtype=np.float32)
    kept = fnp.asarray(a, copy=True)
    shared = fnp.asarray(a, copy=False)
    a[0] = 9.0
    assert kept.tolist() == [0.0, 1.0, 2.0]
    assert np.shares_memory(np.asarray(shared), a)
    with pytest.raises(ValueError, match="copy=False"):
        fnp.asarray([1.0, 2.0], copy=False)
    with pytest.raises(ValueError, match="copy=False"):
        fnp.asarray(np.arange(3.0), copy=False)  # float64 -> float32 needs a copy
    with pytest.raises(ValueError, match="copy=False"):
        fnp.asarray(fnp.ones(2), dtype="int32", copy=False)
    x = fnp.ones(2)
    assert fnp.asarray(x, copy=True) is x  # immutable: sharing is safe


def test_array_copies_numpy_input_by_default():
    a = np.arange(3, dtype=np.float32)
    copied, default_asarray, uncopied = fnp.array(a), fnp.asarray(a), fnp.array(a, copy=None)
    a[0] = 9.0
    assert copied.tolist() == [0.0, 1.0, 2.0]
    assert default_asarray.tolist() == uncopied.tolist() == [9.0, 1.0, 2.0]
    assert fnp.array(a, dtype="int32").tolist() == [9, 1, 2]
    with pytest.raises(ValueError, match="fnp.array: copy=False"):
        fnp.array([1.0, 2.0], copy=False)
    x = fnp.ones(2)
    assert fnp.array(x) is x  # immutable: sharing is safe


def test_meshgrid_matches_numpy():
    a, b, c = np.arange(3), np.arange(2) * 10, np.arange(4) - 1
    for indexing in ("xy", "ij"):
        got = fnp.meshgrid(fnp.asarray(a), fnp.asarray(b), fnp.asarray(c), indexing=indexing)
        want = np.meshgrid(a, b, c, indexing=indexing)
        assert isinstance(got, list) and len(got) == 3
        for g, w in zip(got, want, strict=True):
            assert g.shape == w.shape and np.array_equal(np.asarray(g), w)
    assert fnp.meshgrid() == [] and fnp.meshgrid(fnp.arange(3))[0].tolist() == [0, 1, 2]
    with pytest.raises(ShapeError, match="1-D"):
        fnp.meshgrid(fnp.ones((2, 2)))
    g = funcnet.grad(lambda v: fnp.sum(fnp.meshgrid(v, fnp.ones(3))[0]))(fnp.ones(2))
    assert g.tolist() == [3.0, 3.0]


# -- DLPack --------------------------------------------------------------------------------------
def test_from_dlpack_zero_copy():
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    x = fnp.from_dlpack(a)
    assert np.shares_memory(np.asarray(x), a) and x.shape == (2, 3)
    assert not np.shares_memory(np.asarray(fnp.from_dlpack(a, copy=True)), a)
    assert fnp.from_dlpack(a, device="cpu").device == "cpu"
    y = fnp.from_dlpack(np.arange(3.0))  # float64 without x64: converted (a copy)
    assert y.dtype == np.float32
    with pytest.raises(ValueError, match="copy=False"):
        fnp.from_dlpack(np.arange(3.0), copy=False)
    assert fnp.from_dlpack(x) is x


def test_array_dlpack_protocol():
    x = fnp.arange(4)
    assert x.__dlpack_device__() == (1, 0)
    params = inspect.signature(type(x).__dlpack__).parameters
    assert {"stream", "max_version", "dl_device", "copy"} <= set(params)
    back = np.from_dlpack(x)
    assert np.shares_memory(back, np.asarray(x)) and back.tolist() == [0, 1, 2, 3]


def test_array_attributes():
    x = fnp.ones((2, 3, 4))
    assert x.mT.shape == (2, 4, 3)
    assert x.to_device("cpu").device == "cpu"
    with pytest.raises(MutationError):
        x[0] = 1.0


# -- utility, statistics -------------------------------------------------------------------------
@pytest.mark.parametrize("kw", [{}, {"n": 2}, {"n": 0}, {"axis": 0}, {"prepend": 0.5},
                                {"append": [[1.0], [2.0]]}, {"n": 5}])
def test_diff_matches_numpy(kw):
    a = np.arange(12, dtype=np.float32).reshape(2, 6) ** 2
    np_kw = dict(kw)
    got = fnp.diff(fnp.asarray(a), **{k: (fnp.asarray(v) if k == "append" else v)
                                      for k, v in kw.items()})
    want = np.diff(a, **np_kw)
    assert got.shape == want.shape and got.dtype == np.float32
    close(got, want)


def test_diff_bool_int_and_grad():
    b = np.array([True, True, False, True])
    assert fnp.diff(fnp.asarray(b)).tolist() == np.diff(b).tolist()
    i = np.array([1, 5, 2], dtype=np.uint8)
    assert fnp.diff(fnp.asarray(i)).tolist() == np.diff(i).tolist()  # wraps like NumPy
    g = funcnet.grad(lambda v: fnp.sum(fnp.diff(v) ** 2))(fnp.asarray([0.0, 1.0, 3.0]))
    close(g, [-2.0, -2.0, 4.0])
    with pytest.raises(ValueError, match="n must be"):
        fnp.diff(fnp.ones(3), n=-1)


def test_cumulative_prod():
    a = np.array([[1, 2, 3], [4, 5, 6]], dtype=np.int32)
    close(fnp.cumulative_prod(fnp.asarray(a), axis=1), np.cumprod(a, axis=1))
    got = fnp.cumulative_prod(fnp.asarray(a), axis=0, include_initial=True)
    close(got, np.concatenate([np.ones((1, 3)), np.cumprod(a, axis=0)]))
    assert fnp.cumulative_prod(fnp.asarray([1.5, 2.0]), include_initial=True).tolist() == \
        [1.0, 1.5, 3.0]
    with pytest.raises(ValueError, match="axis is required"):
        fnp.cumulative_prod(fnp.asarray(a))


# -- set functions -------------------------------------------------------------------------------
def test_unique_family_matches_numpy():
    a = np.array([[3.0, 1.0, np.nan], [3.0, -0.0, np.nan]], dtype=np.float32)
    r = fnp.unique_all(fnp.asarray(a))
    vals, idx, inv, cnt = np.unique(a.ravel(), return_index=True, return_inverse=True,
                                    return_counts=True, equal_nan=False)
    close(r.values, vals)
    assert r.indices.tolist() == idx.tolist() and r.counts.tolist() == cnt.tolist()
    assert r.inverse_indices.shape == a.shape
    assert r.inverse_indices.tolist() == inv.reshape(a.shape).tolist()
    assert int(fnp.sum(fnp.isnan(r.values))) == 2  # NaNs are distinct
    for part in (r.indices, r.inverse_indices, r.counts):
        assert part.dtype == np.int32
    c = fnp.unique_counts(fnp.asarray([2, 2, 1]))
    assert (c.values.tolist(), c.counts.tolist()) == ([1, 2], [1, 2])
    v = fnp.unique_inverse(fnp.asarray([2, 2, 1]))
    assert (v.values.tolist(), v.inverse_indices.tolist()) == ([1, 2], [1, 1, 0])
    assert fnp.unique_values(fnp.asarray([True, False, True])).tolist() == [False, True]


def test_unique_eager_only_and_differentiable():
    with pytest.raises(ConcretizationError, match="unique_values") as e:
        funcnet.jit(fnp.unique_values)(fnp.ones(3))
    assert isinstance(e.value, TypeError)
    with pytest.raises(TypeError, match="unique_all"):
        funcnet.vmap(fnp.unique_all)(fnp.ones((2, 3)))
    g = funcnet.grad(lambda v: fnp.sum(fnp.unique_values(v) ** 2))(fnp.asarray([1.0, 2.0, 1.0]))
    assert g.tolist() == [2.0, 4.0, 0.0]  # through the first occurrences


# -- searching -----------------------------------------------------------------------------------
@pytest.mark.parametrize("side", ["left", "right"])
def test_searchsorted(side):
    a = np.array([1.0, 2.0, 2.0, 5.0], dtype=np.float32)
    v = np.array([[0.0, 2.0], [3.0, 9.0]], dtype=np.float32)
    want = np.searchsorted(a, v, side=side)
    got = fnp.searchsorted(fnp.asarray(a), fnp.asarray(v), side=side)
    assert got.dtype == np.int32 and got.tolist() == want.tolist()
    jitted = funcnet.jit(lambda x, y: fnp.searchsorted(x, y, side=side))
    assert jitted(fnp.asarray(a), fnp.asarray(v)).tolist() == want.tolist()
    perm = np.array([3, 0, 2, 1])
    shuffled = fnp.asarray(a[np.argsort(perm)])
    sorter = fnp.argsort(shuffled)
    got = fnp.searchsorted(shuffled, fnp.asarray(v), side=side, sorter=sorter)
    assert got.tolist() == want.tolist()
    got = funcnet.jit(lambda x, y, s: fnp.searchsorted(x, y, side=side, sorter=s))(
        shuffled, fnp.asarray(v), sorter)
    assert got.tolist() == want.tolist()
    with pytest.raises(ValueError, match="side"):
        fnp.searchsorted(fnp.asarray(a), fnp.asarray(v), side="middle")


# -- linalg --------------------------------------------------------------------------------------
def _rand(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def test_linalg_cross_diagonal_trace():
    a, b = _rand((2, 3)), _rand((3,), 1)
    close(fnp.linalg.cross(fnp.asarray(a), fnp.asarray(b)), np.cross(a, b))
    c, d = _rand((3, 4), 2), _rand((3, 4), 3)
    close(fnp.linalg.cross(fnp.asarray(c), fnp.asarray(d), axis=0), np.cross(c, d, axis=0))
    with pytest.raises(ShapeError, match="size 3"):
        fnp.linalg.cross(fnp.ones(2), fnp.ones(2))
    g = funcnet.grad(lambda u: fnp.sum(fnp.linalg.cross(u, fnp.asarray(b))))(fnp.asarray(a))
    close(g, np.cross(b, np.ones(3)) * np.ones((2, 1)))
    m = _rand((2, 3, 4))
    close(fnp.linalg.diagonal(fnp.asarray(m), offset=1), np.linalg.diagonal(m, offset=1))
    close(fnp.linalg.trace(fnp.asarray(m), offset=-1), np.linalg.trace(m, offset=-1))


@pytest.mark.parametrize("n", [0, 1, 2, 3, 5, -1, -2])
def test_matrix_power(n):
    m = _rand((2, 3, 3)) + 3 * np.eye(3, dtype=np.float32)
    close(fnp.linalg.matrix_power(fnp.asarray(m), n), np.linalg.matrix_power(m, n), 1e-3)


def test_matrix_power_int_and_jit():
    m = np.array([[1, 1], [0, 1]], dtype=np.int32)
    assert fnp.linalg.matrix_power(fnp.asarray(m), 4).tolist() == [[1, 4], [0, 1]]
    jitted = funcnet.jit(lambda x: fnp.linalg.matrix_power(x, 3))
    close(jitted(fnp.asarray(m, dtype="float32")), np.linalg.matrix_power(m, 3))


def test_decompositions_match_numpy():
    a = _rand((2, 4, 3))
    s = a @ np.swapaxes(a, -1, -2)  # symmetric (2, 4, 4)
    w, q = fnp.linalg.eigh(fnp.asarray(s))
    close(w, np.linalg.eigvalsh(s), 1e-4)
    close(np.asarray(q) @ (np.asarray(w)[..., None] * np.swapaxes(np.asarray(q), -1, -2)), s,
          1e-4)
    close(fnp.linalg.eigvalsh(fnp.asarray(s)), np.linalg.eigvalsh(s), 1e-4)
    for mode in ("reduced", "complete"):
        Q, R = fnp.linalg.qr(fnp.asarray(a), mode=mode)
        assert Q.shape == np.linalg.qr(a, mode=mode).Q.shape
        close(np.asarray(Q) @ np.asarray(R), a, 1e-4)
    U, S, Vh = fnp.linalg.svd(fnp.asarray(a), full_matrices=False)
    close(np.asarray(U) * np.asarray(S)[..., None, :] @ np.asarray(Vh), a, 1e-4)
    assert fnp.linalg.svd(fnp.asarray(a)).U.shape == (2, 4, 4)
    close(fnp.linalg.svdvals(fnp.asarray(a)), np.linalg.svd(a, compute_uv=False), 1e-4)
    close(fnp.linalg.pinv(fnp.asarray(a)), np.linalg.pinv(a), 1e-3)
    assert fnp.linalg.pinv(fnp.ones((0, 2, 3))).shape == (0, 3, 2)
    low = np.array([[1.0, 2.0], [2.0, 4.0]], dtype=np.float32)
    r = fnp.linalg.matrix_rank(fnp.asarray(low))
    assert r.dtype == np.int32 and r.item() == 1
    assert fnp.linalg.matrix_rank(fnp.asarray(a)).tolist() == [3, 3]
    for ord in ("nuc", 2, -2, "fro", 1, np.inf):
        close(fnp.linalg.matrix_norm(fnp.asarray(a), ord=ord),
              np.linalg.matrix_norm(a, ord=ord), 1e-4)
    assert fnp.linalg.matrix_norm(fnp.asarray(a), ord=2, keepdims=True).shape == (2, 1, 1)
    assert fnp.linalg.eigh(fnp.eye(2, dtype="int32")).eigenvalues.dtype == np.float32


@pytest.mark.parametrize("name", ["eigh", "eigvalsh", "qr", "svd", "svdvals", "pinv",
                                  "matrix_rank"])
def test_eager_linalg_refuses_transforms(name):
    f = getattr(fnp.linalg, name)
    x = fnp.eye(3) * 2.0
    f(x)  # concrete: fine
    with pytest.raises(ConcretizationError, match=f"fnp.linalg.{name}.*no derivative rule"):
        funcnet.jit(f)(x)
    with pytest.raises(TypeError, match="no derivative rule"):  # no silently missing gradient
        funcnet.grad(lambda v: fnp.sum(fnp.asarray(f(v)[0] if name in ("eigh", "qr", "svd")
                                                   else f(v)) * 1.0))(x)


def test_vecdot_and_outer_conformance():
    u8 = fnp.ones((2, 3), dtype="uint8")
    assert fnp.vecdot(u8, u8).dtype == np.uint8  # no integer widening
    with pytest.raises(ShapeError, match="vecdot"):
        fnp.vecdot(fnp.ones(0), fnp.ones(1))  # the contracted axis does not broadcast
    close(fnp.vecdot(fnp.ones((3, 2)), fnp.ones((3, 1)), axis=0), np.full(2, 3.0))
    o = fnp.outer(fnp.asarray([-0.0]), fnp.asarray([0.0]))
    assert np.signbit(np.asarray(o)).all()


# -- fft -----------------------------------------------------------------------------------------
def test_fft_matches_numpy():
    rng = np.random.default_rng(0)
    z = (rng.standard_normal((3, 8)) + 1j * rng.standard_normal((3, 8))).astype(np.complex64)
    r = rng.standard_normal((3, 8)).astype(np.float32)
    for name in ("fft", "ifft", "fftn", "ifftn"):
        got = getattr(fnp.fft, name)(fnp.asarray(z))
        assert got.dtype == np.complex64
        close(got, getattr(np.fft, name)(z), 1e-4)
    for name in ("rfft", "rfftn", "ihfft"):
        got = getattr(fnp.fft, name)(fnp.asarray(r))
        assert got.dtype == np.complex64
        close(got, getattr(np.fft, name)(r), 1e-4)
    for name in ("irfft", "irfftn", "hfft"):
        got = getattr(fnp.fft, name)(fnp.asarray(z))
        assert got.dtype == np.float32
        close(got, getattr(np.fft, name)(z), 1e-3)
    close(fnp.fft.fft(fnp.asarray(z), n=5, axis=0, norm="ortho"),
          np.fft.fft(z, n=5, axis=0, norm="ortho"), 1e-4)
    close(fnp.fft.fftfreq(5, d=0.5), np.fft.fftfreq(5, d=0.5))
    close(fnp.fft.rfftfreq(6), np.fft.rfftfreq(6))
    x = np.arange(10).reshape(2, 5)
    assert fnp.fft.fftshift(fnp.asarray(x)).tolist() == np.fft.fftshift(x).tolist()
    assert fnp.fft.ifftshift(fnp.asarray(x), axes=1).tolist() == \
        np.fft.ifftshift(x, axes=1).tolist()
    assert funcnet.jit(fnp.fft.fftshift)(fnp.asarray(x)).tolist() == np.fft.fftshift(x).tolist()
    with pytest.raises(ConcretizationError, match="fnp.fft.fft"):
        funcnet.jit(fnp.fft.fft)(fnp.asarray(z))


# -- special values, indexing, signatures --------------------------------------------------------
def test_complex_special_values(x64):
    inf, nan = np.inf, np.nan
    z = fnp.asarray([complex(inf, 0.0), complex(-inf, inf), complex(inf, nan),
                     complex(nan, 0.0), complex(-0.0, 0.0), 1e-9 + 1e-9j])
    got = np.asarray(fnp.expm1(z))
    assert got[0] == complex(inf, 0.0) and got[1] == complex(-1.0, 0.0)
    assert got[2].real == inf and np.isnan(got[2].imag)
    assert np.isnan(got[3].real) and got[3].imag == 0.0
    assert got[4] == 0 and not np.signbit(got[4].real)
    close(got[5], np.expm1(1e-9 + 1e-9j), 1e-12)
    t = np.asarray(fnp.tanh(fnp.asarray([complex(inf, 3.0), complex(-inf, -3.0)])))
    assert t[0] == 1 and not np.signbit(t[0].imag)
    assert t[1] == -1 and np.signbit(t[1].imag)
    close(fnp.tanh(fnp.asarray([0.5 + 0.5j])), np.tanh([0.5 + 0.5j]))
    close(funcnet.jit(fnp.expm1)(z)[5], got[5], 1e-12)


def test_boolean_masks():
    x = fnp.asarray(3.0)
    assert x[fnp.asarray(True)].tolist() == [3.0] and x[fnp.asarray(False)].shape == (0,)
    y = fnp.arange(6).reshape(2, 3)
    assert y[fnp.asarray(True)].shape == (1, 2, 3)
    with pytest.raises(IndexError, match="boolean mask"):
        y[fnp.asarray([True, False, True])]  # mask (3,) on the axis of size 2
    assert y[fnp.asarray(np.zeros((0,), bool))].shape == (0, 3)  # NumPy allows an empty mask
    assert y[..., fnp.asarray([True, False, True])].tolist() == [[0, 2], [3, 5]]


def test_standard_signatures():
    x = fnp.asarray([-2.0, 0.5, 3.0])
    assert fnp.clip(x, min=0.0, max=1.0).tolist() == [0.0, 0.5, 1.0]
    assert fnp.clip(x, 0.0, 1.0).tolist() == fnp.clip(x, a_min=0.0, a_max=1.0).tolist()
    assert list(inspect.signature(fnp.clip).parameters)[1:3] == ["min", "max"]
    assert list(inspect.signature(fnp.reshape).parameters)[1] == "shape"
    assert fnp.reshape(fnp.arange(6), shape=(2, 3)).shape == (2, 3)
    m = fnp.asarray([[3, 1, 2]])
    assert fnp.take_along_axis(m, fnp.argsort(m)).tolist() == [[1, 2, 3]]
    for a, b in (("acos", "arccos"), ("asinh", "arcsinh"), ("atan", "arctan")):
        assert getattr(fnp, a) is getattr(fnp, b)
    for name in ("cross", "diagonal", "eigh", "eigvalsh", "matrix_power", "matrix_rank",
                 "pinv", "qr", "svd", "svdvals", "trace"):
        assert name in fnp.linalg.__all__
