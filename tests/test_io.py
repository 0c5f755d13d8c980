"""Tests for funcnet.io: save/load of pytrees, bit-exact, atomic, never unpickling."""

from __future__ import annotations

import collections
import dataclasses
import math
import os
import pickle
import stat
import sys
import zipfile
from typing import Any, NamedTuple

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import funcnet
import funcnet.io as fio
import funcnet.numpy as fnp
from funcnet.core.array import wrap

try:
    import safetensors  # noqa: F401

    HAVE_SAFETENSORS = True
except ImportError:
    HAVE_SAFETENSORS = False

needs_safetensors = pytest.mark.skipif(not HAVE_SAFETENSORS, reason="safetensors not installed")
FORMATS = ["npz", pytest.param("safetensors", marks=needs_safetensors)]


class AdamState(NamedTuple):
    count: Any
    mu: Any
    nu: Any


@funcnet.tree.register_dataclass
@dataclasses.dataclass
class Linear:
    w: Any
    b: Any


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("io")


# ------------------------------------------------------------------------------------------
# exact comparison
# ------------------------------------------------------------------------------------------


def assert_same(a, b, path="root"):
    """Same containers, same leaf types, arrays bit-identical with the same dtype and shape."""
    assert type(a) is type(b) or (
        isinstance(a, tuple) and hasattr(a, "_fields") and type(b).__name__ == type(a).__name__
        and tuple(type(b)._fields) == tuple(type(a)._fields)), (path, type(a), type(b))
    if isinstance(a, dict):
        assert list(a) == list(b) or set(a) == set(b), path
        for k in a:
            assert_same(a[k], b[k], f"{path}[{k!r}]")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_same(x, y, f"{path}[{i}]")
    elif dataclasses.is_dataclass(a):
        for f in dataclasses.fields(a):
            assert_same(getattr(a, f.name), getattr(b, f.name), f"{path}.{f.name}")
    elif isinstance(a, (funcnet.Array, np.ndarray, np.generic)):
        x, y = np.asarray(a), np.asarray(b)
        assert x.dtype == y.dtype and x.shape == y.shape, (path, x.dtype, y.dtype)
        assert x.tobytes() == y.tobytes(), path
        if isinstance(a, funcnet.Array):
            assert a.weak_type == b.weak_type, path
    elif isinstance(a, float):
        assert np.float64(a).tobytes() == np.float64(b).tobytes(), path
    elif isinstance(a, complex):
        assert np.complex128(a).tobytes() == np.complex128(b).tobytes(), path
    else:
        assert a == b, path


# ------------------------------------------------------------------------------------------
# hypothesis round trips
# ------------------------------------------------------------------------------------------

FN_DTYPES = ["bool", "int8", "int16", "int32", "uint8", "uint16", "uint32", "float16",
             "float32", "complex64"]
NP_DTYPES = FN_DTYPES + ["int64", "uint64", "float64", "complex128", ">f4", "<U3", "S2"]
shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4)


def np_arrays(dtypes):
    return st.sampled_from(dtypes).flatmap(lambda dt: hnp.arrays(np.dtype(dt), shapes))


fn_arrays = np_arrays(FN_DTYPES).map(lambda a: wrap(np.ascontiguousarray(a)))
weak_scalars = st.one_of(st.floats(), st.integers(-2**31, 2**31 - 1)).map(fnp.asarray)
py_scalars = st.one_of(st.booleans(), st.integers(-10**30, 10**30), st.floats(),
                       st.complex_numbers(), st.text(max_size=8), st.binary(max_size=8))
np_scalars = np_arrays(["int8", "float32", "float64", "complex64", "bool"]).map(
    lambda a: a.reshape(-1)[0] if a.size else np.float32(0))
leaves = st.one_of(fn_arrays, weak_scalars, np_arrays(NP_DTYPES), py_scalars, np_scalars,
                   st.none())
keys = st.one_of(st.text(max_size=6), st.integers(-5, 5))


def containers(children):
    return st.one_of(
        st.lists(children, max_size=4),
        st.lists(children, max_size=4).map(tuple),
        st.dictionaries(keys, children, max_size=4),
        st.dictionaries(st.text(max_size=4), children, max_size=3).map(collections.OrderedDict),
        st.tuples(children, children, children).map(lambda t: AdamState(*t)),
    )


pytrees = st.recursive(leaves, containers, max_leaves=12)


@given(tree=pytrees)
def test_npz_round_trip_is_bit_exact(tree, workdir):
    path = workdir / "hyp.npz"
    fio.save(path, tree)
    assert_same(tree, fio.load(path))


@needs_safetensors
@given(tree=pytrees.filter(lambda t: not any(
    isinstance(x, (np.ndarray, np.generic)) and x.dtype.kind in "USc" and x.dtype.itemsize > 8
    or isinstance(x, (np.ndarray, np.generic)) and x.dtype.kind in "US"
    for x in funcnet.tree.leaves(t))))
def test_safetensors_round_trip_is_bit_exact(tree, workdir):
    path = workdir / "hyp.safetensors"
    fio.save(path, tree)
    back = fio.load(path)
    # safetensors stores little-endian data: '>f4' comes back as '<f4' with the same values
    native = funcnet.tree.map(
        lambda x: x.astype(x.dtype.newbyteorder("=")) if isinstance(x, np.ndarray)
        and not x.dtype.isnative else x, tree)
    assert_same(native, back)


def test_leaf_types_are_restored(workdir):
    tree = {"fn": fnp.ones((2, 3), dtype="float16"), "weak": fnp.asarray(2.0),
            "np": np.arange(4, dtype=np.int64), "npsc": np.float64(1.25), "i": 10**40,
            "f": -0.0, "nan": float("nan"), "c": 1 - 2j, "b": True, "s": "héllo",
            "by": b"\x00\xff", "none": None, "state": AdamState(0, [1], (2,)),
            "od": collections.OrderedDict([("z", 1), ("a", 2)]),
            3: "int key", (1, "t"): "tuple key", 2.5: "float key", None: "none key",
            False: "bool key"}
    fio.save(workdir / "types.npz", tree)
    back = fio.load(workdir / "types.npz")
    assert_same(tree, back)
    assert isinstance(back["fn"], funcnet.Array) and back["fn"].dtype == np.float16
    assert back["weak"].weak_type and not back["fn"].weak_type
    assert type(back["np"]) is np.ndarray and type(back["npsc"]) is np.float64
    assert math.copysign(1, back["f"]) == -1 and math.isnan(back["nan"])
    assert type(back["state"]).__name__ == "AdamState" and back["state"].mu == [1]
    assert list(back["od"]) == ["z", "a"]


def test_single_leaf_and_empty_trees(workdir):
    for tree in (fnp.arange(3.0), 5, None, {}, [], (), {"a": {}}, [None, ()]):
        fio.save(workdir / "small.npz", tree)
        assert_same(tree, fio.load(workdir / "small.npz"))


def test_npz_is_readable_by_numpy_with_keystr_names(workdir):
    fio.save(workdir / "named.npz", {"params": [fnp.ones(2), {"b": np.zeros(3)}], "step": 3})
    with np.load(workdir / "named.npz", allow_pickle=False) as f:
        assert sorted(f.files) == ["['params'][0]", "['params'][1]['b']", "__funcnet_tree__"]
        np.testing.assert_array_equal(f["['params'][0]"], np.ones(2, np.float32))
    with zipfile.ZipFile(workdir / "named.npz") as z:
        assert all(i.filename.endswith(".npy") for i in z.infolist())


def test_compress(workdir):
    tree = {"z": np.zeros((200, 200), np.float32)}
    fio.save(workdir / "raw.npz", tree)
    fio.save(workdir / "small.npz", tree, compress=True)
    assert os.path.getsize(workdir / "small.npz") < os.path.getsize(workdir / "raw.npz") / 10
    assert_same(tree, fio.load(workdir / "small.npz"))


def test_x64_arrays_round_trip(workdir, x64):
    tree = {"w": fnp.asarray(np.arange(3, dtype=np.float64) / 3), "n": fnp.arange(3)}
    assert tree["w"].dtype == np.float64
    fio.save(workdir / "x64.npz", tree)
    assert_same(tree, fio.load(workdir / "x64.npz"))


def test_x64_file_loads_canonical_in_x32_mode(workdir):
    funcnet.config.update("enable_x64", True)
    try:
        fio.save(workdir / "x64b.npz", {"w": fnp.asarray(np.ones(2, np.float64))})
    finally:
        funcnet.config.update("enable_x64", False)
    assert fio.load(workdir / "x64b.npz")["w"].dtype == np.float32


# ------------------------------------------------------------------------------------------
# like= template checks
# ------------------------------------------------------------------------------------------


def params():
    return {"dense": {"kernel": fnp.zeros((64, 128)), "bias": fnp.zeros(128)},
            "out": {"kernel": fnp.zeros((128, 10)), "bias": fnp.zeros(10)}}


def test_like_restores_template_types(workdir):
    tree = {"layer": Linear(fnp.ones(3), np.zeros(2, np.float32)),
            "opt": AdamState(fnp.asarray(5), {"w": fnp.ones(3)}, {"w": fnp.ones(3)}),
            "step": 7}
    fio.save(workdir / "ckpt.npz", tree)
    with pytest.raises(ValueError, match=r"holds a custom pytree node \(.*Linear\) at "
                                         r"\['layer'\]; .* pass like="):
        fio.load(workdir / "ckpt.npz")
    back = fio.load(workdir / "ckpt.npz", like=tree)
    assert type(back["layer"]) is Linear and type(back["opt"]) is AdamState
    assert_same(tree, back)
    # leaves take the template's kind: a NumPy template leaf gets a NumPy array
    template = {"layer": Linear(np.zeros(3, np.float32), fnp.zeros(2)),
                "opt": tree["opt"], "step": 0}
    back = fio.load(workdir / "ckpt.npz", like=template)
    assert type(back["layer"].w) is np.ndarray and isinstance(back["layer"].b, funcnet.Array)


@pytest.mark.parametrize("template, where, what", [
    (lambda p: {**p, "out": {"kernel": fnp.zeros((128, 12)), "bias": fnp.zeros(10)}},
     r"\['out'\]\['kernel'\]", r"the file has a funcnet array of shape \(128, 10\) and dtype "
     r"float32, the template has a funcnet array of shape \(128, 12\) and dtype float32"),
    (lambda p: {**p, "extra": {"kernel": fnp.zeros(1)}}, r"\['extra'\]",
     r"the template has this key, the file does not"),
    (lambda p: {"dense": p["dense"]}, r"\['out'\]", r"the file has this key, the template "
     r"does not"),
    (lambda p: {**p, "dense": {"kernel": fnp.zeros((64, 128), dtype="float16"),
                               "bias": fnp.zeros(128)}},
     r"\['dense'\]\['kernel'\]", r"dtype float32, the template .* dtype float16"),
    (lambda p: {**p, "dense": [p["dense"]["bias"], p["dense"]["kernel"]]}, r"\['dense'\]",
     r"the file has a dict with keys \['bias', 'kernel'\], the template has a list of length 2"),
    (lambda p: {**p, "dense": {"kernel": 0.0, "bias": fnp.zeros(128)}},
     r"\['dense'\]\['kernel'\]", r"the template has a Python float"),
])
def test_like_mismatch_names_the_first_differing_path(workdir, template, where, what):
    fio.save(workdir / "model.npz", params())
    with pytest.raises(ValueError, match=r"io.load: '.*model.npz' does not match the template "
                                         rf"\(like=\) at {where}: .*{what}"):
        fio.load(workdir / "model.npz", like=template(params()))


def test_like_sequence_and_namedtuple_mismatches(workdir):
    fio.save(workdir / "seq.npz", {"layers": [fnp.ones(2), fnp.ones(3)],
                                   "opt": AdamState(0, 1, 2)})
    with pytest.raises(ValueError, match=r"at \['layers'\]: the file has a list of length 2, "
                                         r"the template has a list of length 3"):
        fio.load(workdir / "seq.npz", like={"layers": [fnp.ones(2), fnp.ones(3), fnp.ones(1)],
                                            "opt": AdamState(0, 1, 2)})
    with pytest.raises(ValueError, match=r"at \['layers'\]\[1\]: .*shape \(3,\).*shape \(4,\)"):
        fio.load(workdir / "seq.npz", like={"layers": [fnp.ones(2), fnp.ones(4)],
                                            "opt": AdamState(0, 1, 2)})
    with pytest.raises(ValueError, match=r"at \['opt'\].nu: the file has a Python int, the "
                                         r"template has a Python float"):
        fio.load(workdir / "seq.npz", like={"layers": [fnp.ones(2), fnp.ones(3)],
                                            "opt": AdamState(0, 1, 2.0)})


class OtherState(NamedTuple):
    count: Any
    mu: Any
    nu: Any


def test_like_checks_namedtuple_classes_and_ignores_scalar_values(workdir):
    fio.save(workdir / "nt.npz", {"opt": AdamState(0, 1, 2), "act": "relu"})
    with pytest.raises(ValueError, match=r"at \['opt'\]: the file has a NamedTuple "
                                         r"AdamState\('count', 'mu', 'nu'\), the template has a "
                                         r"NamedTuple OtherState"):
        fio.load(workdir / "nt.npz", like={"opt": OtherState(0, 1, 2), "act": "relu"})
    back = fio.load(workdir / "nt.npz", like={"opt": AdamState(9, 9, 9), "act": "tanh"})
    assert back == {"opt": AdamState(0, 1, 2), "act": "relu"}
    assert type(back["opt"]) is AdamState


def test_like_with_a_plain_npz(workdir):
    np.savez(workdir / "plain.npz", a=np.arange(3.0, dtype=np.float32), b=np.ones(2, np.int32))
    back = fio.load(workdir / "plain.npz", like={"a": fnp.zeros(3), "b": fnp.zeros(2, "int32")})
    assert isinstance(back["a"], funcnet.Array) and back["a"].tolist() == [0.0, 1.0, 2.0]
    with pytest.raises(ValueError, match=r"at \['c'\]: the template has this key"):
        fio.load(workdir / "plain.npz", like={"a": fnp.zeros(3), "b": fnp.zeros(2, "int32"),
                                              "c": 0})


# ------------------------------------------------------------------------------------------
# files from elsewhere, pickle refusal, corruption
# ------------------------------------------------------------------------------------------


def test_plain_npz_and_npy_load_as_numpy(workdir):
    np.savez(workdir / "p.npz", x=np.arange(3), y=np.ones((2, 2)))
    back = fio.load(workdir / "p.npz")
    assert set(back) == {"x", "y"} and back["y"].shape == (2, 2)
    np.save(workdir / "a.npy", np.arange(5))
    assert fio.load(workdir / "a.npy").tolist() == [0, 1, 2, 3, 4]


def test_object_arrays_are_refused(workdir):
    with pytest.raises(TypeError, match=r"io.save: the leaf at \['x'\]\[1\] is a NumPy array "
                                        r"of dtype object .*never pickles"):
        fio.save(workdir / "obj.npz", {"x": [np.zeros(1), np.array([{}, 1], dtype=object)]})
    assert not os.path.exists(workdir / "obj.npz")
    np.savez(workdir / "obj.npz", fine=np.zeros(2), bad=np.array([{}, 1], dtype=object))
    with pytest.raises(ValueError, match=r"member 'bad' is an object array that needs pickle to "
                                         r"load; funcnet.io never unpickles"):
        fio.load(workdir / "obj.npz")


def test_pickles_are_refused(workdir):
    class Boom:
        def __reduce__(self):
            return (print, ("unpickled!",))

    (workdir / "evil.npz").write_bytes(pickle.dumps({"a": Boom()}))
    with pytest.raises(ValueError, match=r"is not a .npz, .npy or .safetensors file: NumPy would "
                                         r"read it as a pickle, and funcnet.io never unpickles"):
        fio.load(workdir / "evil.npz")


def test_corrupt_files(workdir):
    fio.save(workdir / "good.npz", {"w": fnp.ones(100)})
    data = (workdir / "good.npz").read_bytes()
    (workdir / "trunc.npz").write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match=r"io.load: '.*trunc.npz' is corrupt"):
        fio.load(workdir / "trunc.npz")
    (workdir / "empty.npz").write_bytes(b"")
    with pytest.raises(ValueError, match=r"io.load: '.*empty.npz' is corrupt"):
        fio.load(workdir / "empty.npz")
    # a tree description that names a missing array
    np.savez(workdir / "missing.npz", __funcnet_tree__=np.frombuffer(
        b'{"format":"funcnet.io","version":1,"tree":{"type":"array","kind":"numpy",'
        b'"dtype":"<f4","shape":[2],"name":"x"}}', dtype=np.uint8))
    with pytest.raises(ValueError, match=r"is corrupt or was not written by funcnet.io: the "
                                         r"array for the root \('x'\) is missing"):
        fio.load(workdir / "missing.npz")
    np.savez(workdir / "newer.npz", __funcnet_tree__=np.frombuffer(
        b'{"format":"funcnet.io","version":99,"tree":{"type":"none"}}', dtype=np.uint8))
    with pytest.raises(ValueError, match=r"format version 99 is newer than this funcnet"):
        fio.load(workdir / "newer.npz")
    np.savez(workdir / "garbled.npz", __funcnet_tree__=np.frombuffer(b"{not json", np.uint8))
    with pytest.raises(ValueError, match=r"bad tree description \(JSONDecodeError"):
        fio.load(workdir / "garbled.npz")


def test_unsupported_leaves_and_keys(workdir):
    with pytest.raises(TypeError, match=r"io.save: the leaf at \['cfg'\]\['act'\] is a "
                                        r"builtins.object; io stores funcnet and NumPy arrays"):
        fio.save(workdir / "u.npz", {"cfg": {"act": object()}})
    with pytest.raises(TypeError, match=r"io.save: the dict at \['d'\] has a key of type "
                                        r"frozenset"):
        fio.save(workdir / "u.npz", {"d": {frozenset(): 1}})
    assert not os.path.exists(workdir / "u.npz")


def test_missing_paths(workdir):
    with pytest.raises(FileNotFoundError, match=r"io.load: no such file: '.*nope.npz'"):
        fio.load(workdir / "nope.npz")
    with pytest.raises(FileNotFoundError, match=r"io.save: the directory '.*no_dir' does not "
                                                r"exist"):
        fio.save(workdir / "no_dir" / "x.npz", {"a": 1})


# ------------------------------------------------------------------------------------------
# atomic writes
# ------------------------------------------------------------------------------------------


def leftovers(directory):
    return [n for n in os.listdir(directory) if n.endswith(".tmp")]


@pytest.mark.parametrize("exc", [RuntimeError("disk full"), KeyboardInterrupt()])
def test_crash_mid_save_keeps_the_old_file(tmp_path, monkeypatch, exc):
    path = tmp_path / "ckpt.npz"
    old = {"w": fnp.arange(1000.0), "step": 1}
    fio.save(path, old)
    before = path.read_bytes()

    def half_then_crash(f, arrays, compress):
        f.write(b"PK\x03\x04" + b"\x00" * 5000)  # half a zip...
        raise exc

    monkeypatch.setattr(fio, "_write_npz", half_then_crash)
    with pytest.raises(type(exc)):
        fio.save(path, {"w": fnp.zeros(1000), "step": 2})
    assert path.read_bytes() == before
    assert_same(old, fio.load(path))
    assert leftovers(tmp_path) == []
    # a crash when there was no file leaves no file
    with pytest.raises(type(exc)):
        fio.save(tmp_path / "new.npz", old)
    assert sorted(os.listdir(tmp_path)) == ["ckpt.npz"]


def test_crash_in_fsync_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "ckpt.npz"
    fio.save(path, {"w": fnp.ones(3)})
    before = path.read_bytes()

    def bad_fsync(fd):
        raise OSError("I/O error")

    monkeypatch.setattr(os, "fsync", bad_fsync)
    with pytest.raises(OSError, match="I/O error"):
        fio.save(path, {"w": fnp.zeros(3)})
    assert path.read_bytes() == before and leftovers(tmp_path) == []


def test_save_replaces_and_keeps_permissions(tmp_path):
    path = tmp_path / "w.npz"
    fio.save(path, {"a": 1})
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o666 & ~umask
    os.chmod(path, 0o600)
    fio.save(path, {"a": 2})
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600 and fio.load(path) == {"a": 2}
    fio.save(str(path), {"a": 3})  # str paths too
    assert fio.load(str(path)) == {"a": 3}


# ------------------------------------------------------------------------------------------
# safetensors
# ------------------------------------------------------------------------------------------


def test_safetensors_missing_package_message(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "safetensors", None)
    monkeypatch.setitem(sys.modules, "safetensors.numpy", None)
    with pytest.raises(ImportError, match=r"io.save: .safetensors files need the 'safetensors' "
                                          r"package \(pip install safetensors\)"):
        fio.save(tmp_path / "w.safetensors", {"a": fnp.ones(2)})
    assert os.listdir(tmp_path) == []
    (tmp_path / "x.safetensors").write_bytes(b"\x02\x00\x00\x00\x00\x00\x00\x00{}")
    with pytest.raises(ImportError, match=r"io.load: .safetensors files need"):
        fio.load(tmp_path / "x.safetensors")


@needs_safetensors
def test_safetensors_file_layout_and_plain_files(tmp_path):
    import safetensors.numpy as stn
    from safetensors import safe_open

    tree = {"w": fnp.ones((2, 3)), "opt": AdamState(fnp.asarray(3), 0.5, None)}
    fio.save(tmp_path / "m.safetensors", tree)
    with safe_open(str(tmp_path / "m.safetensors"), framework="np") as f:
        assert sorted(f.keys()) == ["['opt'].count", "['w']"]
        assert "__funcnet_tree__" in f.metadata()
    assert_same(tree, fio.load(tmp_path / "m.safetensors"))
    stn.save_file({"a": np.arange(3, dtype=np.int32)}, str(tmp_path / "plain.safetensors"))
    assert fio.load(tmp_path / "plain.safetensors")["a"].tolist() == [0, 1, 2]
    # sniffed by content when the suffix says nothing
    os.rename(tmp_path / "m.safetensors", tmp_path / "m.ckpt")
    assert_same(tree, fio.load(tmp_path / "m.ckpt"))
    with pytest.raises(TypeError, match=r"io.save: safetensors cannot store these arrays"):
        fio.save(tmp_path / "s.safetensors", {"s": np.array(["abc"])})
    with pytest.raises(ValueError, match=r"does not match the template \(like=\) at \['w'\]"):
        fio.load(tmp_path / "m.ckpt", like={"w": fnp.ones(2), "opt": tree["opt"]})


@needs_safetensors
def test_safetensors_crash_mid_save_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "w.safetensors"
    fio.save(path, {"w": fnp.ones(10)})
    before = path.read_bytes()

    def crash(f, arrays, metadata):
        f.write(b"\x10\x00")
        raise RuntimeError("crash")

    monkeypatch.setattr(fio, "_write_safetensors", crash)
    with pytest.raises(RuntimeError):
        fio.save(path, {"w": fnp.zeros(10)})
    assert path.read_bytes() == before and leftovers(tmp_path) == []


def test_public_names_have_docstrings_with_examples():
    for name in fio.__all__:
        doc = getattr(fio, name).__doc__
        assert doc and ">>>" in doc and "Raises:" in doc, name
    assert fio.__doc__ and ">>>" in fio.__doc__
