"""funcnet.io: save and load pytrees (checkpoints, weights) without pickle.

A pytree is written as ``.npz`` (or ``.safetensors`` when the path ends so and the
``safetensors`` package is installed): every array leaf is stored under its
:func:`funcnet.tree.keystr` path (``['params']['w']``), and a JSON description of the tree
(containers, dict keys, Python scalars, which leaves are funcnet or NumPy arrays) is stored
beside them (in ``.npz`` as a uint8 array named ``__funcnet_tree__``; in ``.safetensors`` in the
header metadata). Loading never unpickles: files that would need pickle are refused.

Writes are atomic: the file is written to a temporary file in the same directory, flushed to
disk, then renamed over the target, so a crash mid-save leaves the previous file intact.

Example:
    >>> import os, tempfile
    >>> import funcnet.numpy as fnp
    >>> from funcnet import io
    >>> tree = {"w": fnp.ones((2, 3)), "b": fnp.zeros(3), "step": 7, "cfg": ("relu", None)}
    >>> path = os.path.join(tempfile.mkdtemp(), "ckpt.npz")
    >>> io.save(path, tree)
    >>> back = io.load(path)
    >>> back["w"].shape, back["step"], back["cfg"]
    ((2, 3), 7, ('relu', None))
"""

from __future__ import annotations

import collections
import json
import os
import struct
import tempfile
import zipfile
from collections.abc import Mapping
from typing import Any

import numpy as np

from . import tree as _tree
from .core import dtypes as _dtypes
from .core.array import Array
from .core.array import wrap as _wrap

__all__ = ["load", "save"]

PathLike = str | os.PathLike
_TREE_KEY = "__funcnet_tree__"
_FORMAT = "funcnet.io"
_VERSION = 1
_ROOT_NAME = "<root>"
_NO_PICKLE = ("funcnet.io never unpickles (a pickle can run arbitrary code when loaded); "
              "re-save the data with numeric arrays")


# --------------------------------------------------------------------------------------------
# Encoding a pytree as (JSON description, named arrays)
# --------------------------------------------------------------------------------------------


def _where(path: tuple) -> str:
    return _tree.keystr(path) or "the root"


def _float_bits(x: float) -> str:
    return struct.pack("<d", x).hex()  # exact, NaN payloads and -0.0 included


def _bits_float(s: str) -> float:
    return struct.unpack("<d", bytes.fromhex(s))[0]


def _encode_key(k: Any, fname: str, path: tuple) -> list:
    t = type(k)
    if t is str:
        return ["str", k]
    if t is bool:
        return ["bool", k]
    if t is int:
        return ["int", k]
    if t is float:
        return ["float", _float_bits(k)]
    if k is None:
        return ["none", None]
    if t is tuple:
        return ["tuple", [_encode_key(e, fname, path) for e in k]]
    raise TypeError(f"io.{fname}: the dict at {_where(path)} has a key of type {t.__name__} "
                    f"({k!r}); keys must be str, int, float, bool, None or tuples of these")


def _decode_key(enc: list) -> Any:
    tag, v = enc
    if tag == "float":
        return _bits_float(v)
    if tag == "tuple":
        return tuple(_decode_key(e) for e in v)
    return v


def _children(x: Any) -> list | None:
    # [(key entry, child), ...] in tree.flatten order, or None when x is a leaf.
    pairs, _ = _tree.flatten_with_path(x, is_leaf=lambda c: c is not x)
    if len(pairs) == 1 and pairs[0][0] == ():
        return None
    return [(p[0], c) for p, c in pairs]


class _Encoder:
    def __init__(self, fname: str, with_data: bool = True, native: bool = False) -> None:
        self.fname = fname
        self.with_data = with_data
        self.native = native  # safetensors stores little-endian data only
        self.arrays: dict[str, np.ndarray] = {}

    def node(self, x: Any, path: tuple) -> dict:
        t = type(x)
        if x is None:
            return {"type": "none"}
        if t is list or t is tuple:
            return {"type": t.__name__,
                    "children": [self.node(c, (*path, _tree.SequenceKey(i)))
                                 for i, c in enumerate(x)]}
        if t is dict or t is collections.OrderedDict:
            pairs = _children(x) or []
            return {"type": "dict" if t is dict else "ordereddict",
                    "keys": [_encode_key(k.key, self.fname, path) for k, _ in pairs],
                    "children": [self.node(c, (*path, k)) for k, c in pairs]}
        if isinstance(x, tuple) and hasattr(t, "_fields"):
            return {"type": "namedtuple", "name": t.__name__, "fields": list(t._fields),
                    "children": [self.node(c, (*path, _tree.GetAttrKey(f)))
                                 for f, c in zip(t._fields, x, strict=True)]}
        node_pairs = _children(x)
        if node_pairs is not None:  # a registered node (dataclass, custom class, defaultdict)
            return {"type": "node", "name": f"{t.__module__}.{t.__qualname__}",
                    "keys": [str(k) for k, _ in node_pairs],
                    "children": [self.node(c, (*path, k)) for k, c in node_pairs]}
        return self.leaf(x, path)

    def leaf(self, x: Any, path: tuple) -> dict:
        t = type(x)
        if t is bool:
            return {"type": "bool", "value": x}
        if t is int:
            return {"type": "int", "value": x}
        if t is float:
            return {"type": "float", "value": _float_bits(x)}
        if t is complex:
            return {"type": "complex", "value": [_float_bits(x.real), _float_bits(x.imag)]}
        if t is str:
            return {"type": "str", "value": x}
        if t is bytes:
            return {"type": "bytes", "value": x.hex()}
        if isinstance(x, Array):
            kind, arr = "funcnet", np.asarray(x)
        elif isinstance(x, np.ndarray):
            kind, arr = "numpy", x
        elif isinstance(x, np.generic):
            kind, arr = "numpy_scalar", np.asarray(x)
        else:
            raise TypeError(
                f"io.{self.fname}: the leaf at {_where(path)} is a {t.__module__}.{t.__qualname__}"
                "; io stores funcnet and NumPy arrays, NumPy scalars, bool, int, float, complex, "
                "str, bytes and None in dicts, lists, tuples and NamedTuples (register other "
                "containers with funcnet.tree.register_node)")
        if arr.dtype.hasobject:
            raise TypeError(f"io.{self.fname}: the leaf at {_where(path)} is a NumPy array of "
                            f"dtype {arr.dtype} (Python objects), which cannot be stored without "
                            "pickle, and funcnet.io never pickles; convert it to a numeric dtype "
                            "or make its items separate leaves")
        if self.native and not arr.dtype.isnative:
            arr = arr.astype(arr.dtype.newbyteorder("="))
        d: dict[str, Any] = {"type": "array", "kind": kind, "dtype": arr.dtype.str,
                             "shape": list(arr.shape)}
        if kind == "funcnet":
            d["weak"] = bool(x.weak_type)
        if self.with_data:
            name = _tree.keystr(path) or _ROOT_NAME
            base, i = name, 1
            while name in self.arrays or name == _TREE_KEY:
                name, i = f"{base}#{i}", i + 1
            self.arrays[name] = arr
            d["name"] = name
        return d


def _encode(fname: str, tree: Any, native: bool) -> tuple[dict, dict[str, np.ndarray]]:
    enc = _Encoder(fname, native=native)
    desc = {"format": _FORMAT, "version": _VERSION, "tree": enc.node(tree, ())}
    return desc, enc.arrays


# --------------------------------------------------------------------------------------------
# Decoding
# --------------------------------------------------------------------------------------------


class _Corrupt(ValueError):
    pass


def _decode(d: dict, arrays: Mapping[str, np.ndarray], path: tuple, custom: list) -> Any:
    t = d["type"]
    if t == "none":
        return None
    if t in ("list", "tuple"):
        kids = [_decode(c, arrays, (*path, _tree.SequenceKey(i)), custom)
                for i, c in enumerate(d["children"])]
        return kids if t == "list" else tuple(kids)
    if t in ("dict", "ordereddict"):
        keys = [_decode_key(k) for k in d["keys"]]
        kids = [_decode(c, arrays, (*path, _tree.DictKey(k)), custom)
                for k, c in zip(keys, d["children"], strict=True)]
        out = dict(zip(keys, kids, strict=True))
        return out if t == "dict" else collections.OrderedDict(out)
    if t == "namedtuple":
        cls = collections.namedtuple(d["name"], d["fields"], rename=True)  # type: ignore[misc]
        return cls(*[_decode(c, arrays, (*path, _tree.GetAttrKey(f)), custom)
                     for f, c in zip(d["fields"], d["children"], strict=True)])
    if t == "node":
        custom.append((path, d["name"]))
        return [_decode(c, arrays, path, custom) for c in d["children"]]
    if t == "bool" or t == "int" or t == "str":
        return d["value"]
    if t == "float":
        return _bits_float(d["value"])
    if t == "complex":
        return complex(_bits_float(d["value"][0]), _bits_float(d["value"][1]))
    if t == "bytes":
        return bytes.fromhex(d["value"])
    if t == "array":
        name = d["name"]
        if name not in arrays:
            raise _Corrupt(f"the array for {_where(path)} ({name!r}) is missing")
        arr = arrays[name]
        if arr.dtype.str != d["dtype"] or list(arr.shape) != d["shape"]:
            raise _Corrupt(f"the array for {_where(path)} has shape {arr.shape} {arr.dtype}, but "
                           f"the tree description says {tuple(d['shape'])} "
                           f"{np.dtype(d['dtype'])}")
        kind = d["kind"]
        if kind == "numpy":
            return arr
        if kind == "numpy_scalar":
            return arr[()]
        return _to_funcnet(arr, d.get("weak", False))
    raise _Corrupt(f"unknown node type {t!r} at {_where(path)}")


def _to_funcnet(arr: np.ndarray, weak: bool = False) -> Array:
    # Canonical dtype (float64 data saved in x64 mode loads as float32 unless x64 is on).
    dt = _dtypes.canonicalize(arr.dtype)
    arr = arr.astype(dt, order="C", copy=False)  # loaded arrays are fresh: no copy needed
    return _wrap(arr, weak)


def _describe_node(d: dict) -> str:
    t = d["type"]
    if t == "array":
        return (f"a {'funcnet' if d['kind'] == 'funcnet' else 'NumPy'} array of shape "
                f"{tuple(d['shape'])} and dtype {np.dtype(d['dtype']).name}")
    if t in ("dict", "ordereddict"):
        return f"a {t} with keys {[_decode_key(k) for k in d['keys']]}"
    if t in ("list", "tuple"):
        return f"a {t} of length {len(d['children'])}"
    if t == "namedtuple":
        return f"a NamedTuple {d['name']}{tuple(d['fields'])}"
    if t == "node":
        return f"a {d['name']} node with {len(d['children'])} children"
    if t == "none":
        return "None"
    return f"a Python {t}"


def _first_diff(a: dict, b: dict, path: tuple) -> tuple[tuple, str] | None:
    # The first place (in flatten order) where file description a and template b differ.
    ta, tb = a["type"], b["type"]
    what = f"the file has {_describe_node(a)}, the template has {_describe_node(b)}"
    if ta != tb:
        return path, what
    if ta == "array":
        sa, sb = tuple(a["shape"]), tuple(b["shape"])
        da = _dtypes.canonicalize(np.dtype(a["dtype"])) if a["kind"] == "funcnet" \
            else np.dtype(a["dtype"])
        db = np.dtype(b["dtype"])
        if sa != sb or da != db:
            return path, what
        return None
    if ta in ("dict", "ordereddict"):
        ka = [_decode_key(k) for k in a["keys"]]
        kb = [_decode_key(k) for k in b["keys"]]
        ma, mb = dict(zip(ka, a["children"], strict=True)), dict(zip(kb, b["children"],
                                                                     strict=True))
        for k in _union_in_order(kb, ka):
            p = (*path, _tree.DictKey(k))
            if k not in ma:
                return p, "the template has this key, the file does not"
            if k not in mb:
                return p, "the file has this key, the template does not"
            r = _first_diff(ma[k], mb[k], p)
            if r is not None:
                return r
        return None
    if ta in ("list", "tuple", "namedtuple", "node"):
        if ta in ("namedtuple", "node") and (a["name"] != b["name"]
                                             or a.get("fields") != b.get("fields")):
            return path, what
        ca, cb = a["children"], b["children"]
        keys: Any = b.get("fields") or b.get("keys") or range(len(cb))
        for i, (x, y) in enumerate(zip(ca, cb, strict=False)):
            k = keys[i]
            entry = (_tree.GetAttrKey(k) if ta == "namedtuple" else
                     _tree.SequenceKey(i) if ta in ("list", "tuple") else _RawKey(k))
            r = _first_diff(x, y, (*path, entry))
            if r is not None:
                return r
        if len(ca) != len(cb):
            return path, what
        return None
    return None  # scalars of the same type: template values are placeholders


class _RawKey:
    def __init__(self, s: str) -> None:
        self.s = s

    def __str__(self) -> str:
        return self.s


def _union_in_order(first: list, second: list) -> list:
    seen = set()
    out = []
    for k in [*first, *second]:
        if k not in seen:
            seen.add(k)
            out.append(k)
    try:
        return sorted(out)
    except TypeError:
        return out


def _as_like(value: Any, template: Any) -> Any:
    # Loaded leaf converted to the template leaf's kind (funcnet array, NumPy, scalar).
    if isinstance(template, Array):
        return value if isinstance(value, Array) else _to_funcnet(np.asarray(value))
    if isinstance(template, np.ndarray):
        return np.asarray(value)
    if isinstance(template, np.generic):
        return np.asarray(value)[()]
    if type(template) in (bool, int, float, complex) and isinstance(value, (Array, np.ndarray,
                                                                            np.generic)):
        return type(template)(np.asarray(value)[()])
    return value


# --------------------------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------------------------


def _write_npz(f: Any, arrays: dict[str, np.ndarray], compress: bool) -> None:
    # NumPy's .npz layout (a zip of .npy members), written with allow_pickle=False.
    mode = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    with zipfile.ZipFile(f, "w", compression=mode, allowZip64=True) as zf:
        for name, arr in arrays.items():
            with zf.open(name + ".npy", "w", force_zip64=True) as member:
                np.lib.format.write_array(member, np.asanyarray(arr), allow_pickle=False)


def _safetensors_module(fname: str) -> Any:
    try:
        import safetensors.numpy as st
    except ImportError:
        raise ImportError(f"io.{fname}: .safetensors files need the 'safetensors' package "
                          "(pip install safetensors); or use a .npz path, which needs nothing "
                          "extra") from None
    return st


def _write_safetensors(f: Any, arrays: dict[str, np.ndarray], metadata: dict[str, str]) -> None:
    st = _safetensors_module("save")
    # (not np.ascontiguousarray, which turns 0-d arrays into 1-d ones)
    tensors = {name: arr if arr.flags.c_contiguous else arr.copy(order="C")
               for name, arr in arrays.items()}
    try:
        blob = st.save(tensors, metadata=metadata)
    except Exception as e:  # unsupported dtype (complex, strings...)
        raise TypeError(f"io.save: safetensors cannot store these arrays ({e}); use a .npz "
                        "path") from None
    f.write(blob)


def _is_safetensors(path: str) -> bool:
    return path.lower().endswith(".safetensors")


def _atomic_write(path: str, write: Any) -> None:
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"io.save: the directory {directory!r} does not exist; create "
                                "it first (os.makedirs)")
    fd, tmp = tempfile.mkstemp(dir=directory, prefix="." + os.path.basename(path) + ".",
                               suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        try:
            mode = os.stat(path).st_mode & 0o7777
        except FileNotFoundError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    try:  # make the rename itself durable (POSIX; not possible on every platform)
        dfd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dfd)
    except OSError:
        pass
    finally:
        os.close(dfd)


def save(path: PathLike, tree: Any, *, compress: bool = False) -> None:
    """Saves a pytree to ``path`` atomically, keeping its structure; never uses pickle.

    ``.safetensors`` paths are written with the ``safetensors`` package (tree description in
    the header metadata); every other path is written in NumPy's ``.npz`` format (no suffix is
    added). Array leaves are stored bit-exactly with their dtype and shape, named by their
    key path (``['params']['w']``), so ``np.load`` can read them too.

    Supported trees: dicts (keys: str, int, float, bool, None or tuples of these), lists,
    tuples, ``None``, ``OrderedDict`` and NamedTuples, with leaves that are funcnet arrays,
    NumPy arrays (any non-object dtype for npz), NumPy scalars and Python ``bool``, ``int``,
    ``float``, ``complex``, ``str`` and ``bytes`` (each restored with its type). Other
    registered nodes (dataclasses...) are saved too, but loading them needs ``like=``.

    The file is first written to a temporary file in the same directory, flushed with
    ``fsync``, then renamed over ``path`` (``os.replace``), so an interrupted save never
    leaves a truncated file where a good one was.

    Args:
        path: the file to write.
        tree: the pytree.
        compress: deflate the ``.npz`` members (like ``np.savez_compressed``).

    Raises:
        TypeError: an object-dtype array (it would need pickle), an unsupported leaf or dict
            key (the message names the path), or a dtype safetensors cannot store.
        ImportError: a ``.safetensors`` path without the ``safetensors`` package.
        FileNotFoundError: the directory does not exist.

    Example:
        >>> import os, tempfile
        >>> import numpy as np, funcnet.numpy as fnp
        >>> from funcnet import io
        >>> path = os.path.join(tempfile.mkdtemp(), "w.npz")
        >>> io.save(path, [fnp.arange(3), {"bias": np.zeros(2, np.float16)}])
        >>> with np.load(path) as f:
        ...     sorted(f.files)
        ['[0]', "[1]['bias']", '__funcnet_tree__']
    """
    path = os.fspath(path)
    if not isinstance(path, str):
        path = os.fsdecode(path)
    desc, arrays = _encode("save", tree, native=_is_safetensors(path))
    text = json.dumps(desc, separators=(",", ":"), allow_nan=False)
    if _is_safetensors(path):
        _safetensors_module("save")  # fail before touching the disk

        def write(f: Any) -> None:
            _write_safetensors(f, arrays, {_TREE_KEY: text})
    else:
        arrays = {**arrays, _TREE_KEY: np.frombuffer(text.encode("utf-8"), dtype=np.uint8)}

        def write(f: Any) -> None:
            _write_npz(f, arrays, compress)
    _atomic_write(path, write)


def _read_npz(path: str) -> tuple[str | None, dict[str, np.ndarray]]:
    # The file is opened here (not by np.load) so that it is closed even when np.load fails.
    with open(path, "rb") as f:
        try:
            npz = np.load(f, allow_pickle=False)
        except ValueError as e:
            if "pickle" in str(e):
                raise ValueError(f"io.load: {path!r} is not a .npz, .npy or .safetensors file: "
                                 "NumPy would read it as a pickle, and " + _NO_PICKLE) from None
            raise ValueError(f"io.load: {path!r} is corrupt or not a .npz/.npy file ({e})"
                             ) from None
        except (EOFError, OSError, zipfile.BadZipFile) as e:
            raise ValueError(f"io.load: {path!r} is corrupt or not a .npz/.npy file "
                             f"({type(e).__name__}: {e})") from None
        if isinstance(npz, np.ndarray):  # a single .npy array
            return None, {_ROOT_NAME: npz}
        arrays = {}
        with npz:
            for name in npz.files:
                try:
                    arrays[name] = npz[name]
                except ValueError as e:
                    if "pickle" in str(e) or "Object arrays" in str(e):
                        raise ValueError(f"io.load: {path!r} member {name!r} is an object array "
                                         "that needs pickle to load; " + _NO_PICKLE) from None
                    raise ValueError(f"io.load: {path!r} member {name!r} is corrupt ({e})"
                                     ) from None
                except (EOFError, OSError, zipfile.BadZipFile) as e:
                    raise ValueError(f"io.load: {path!r} is corrupt: member {name!r} cannot be "
                                     f"read ({type(e).__name__}: {e})") from None
    text = None
    if _TREE_KEY in arrays:
        try:
            text = arrays.pop(_TREE_KEY).tobytes().decode("utf-8")
        except UnicodeDecodeError as e:
            raise ValueError(f"io.load: {path!r} is corrupt: its tree description is not UTF-8 "
                             f"({e})") from None
    return text, arrays


def _read_safetensors(path: str) -> tuple[str | None, dict[str, np.ndarray]]:
    st = _safetensors_module("load")
    from safetensors import safe_open

    try:
        with safe_open(path, framework="np") as f:
            meta = f.metadata() or {}
            arrays = {k: f.get_tensor(k) for k in f.keys()}  # noqa: SIM118
    except Exception as e:  # safetensors raises its own error types for bad headers
        raise ValueError(f"io.load: {path!r} is not a valid .safetensors file ({e})") from None
    del st
    return meta.get(_TREE_KEY), arrays


def _sniff_safetensors(path: str) -> bool:
    with open(path, "rb") as f:
        head = f.read(9)
    return len(head) == 9 and head[8:9] == b"{" and not head.startswith(b"PK")


def load(path: PathLike, like: Any = None) -> Any:
    """Loads a pytree saved by :func:`save` (or plain ``.npz``/``.npy``/``.safetensors`` arrays).

    The tree comes back with its structure and leaf types: funcnet arrays as funcnet arrays
    (same dtype, bit-exact; a float64 array saved in x64 mode loads as float32 unless x64 is
    on, as with ``fnp.asarray``), NumPy arrays as NumPy arrays, Python scalars with their type,
    NamedTuples as NamedTuples of the same name and fields (rebuilt with
    ``collections.namedtuple``; pass ``like=`` to get the original class). A file not written
    by :func:`save` loads as a dict from member names to NumPy arrays (a ``.npy`` file as one
    array). Nothing is unpickled: ``np.load(..., allow_pickle=False)``.

    Args:
        path: the file (``.safetensors`` by suffix or content, otherwise ``.npz``/``.npy``).
        like: an optional template pytree (e.g. freshly initialised parameters). The file's
            tree must match it: same containers, keys and lengths, same leaf types, and same
            array shapes and dtypes (the template's values are not compared). The result then has the template's exact node types (dataclasses, custom nodes,
            NamedTuple classes) and each leaf the template leaf's kind (funcnet/NumPy/scalar).

    Returns:
        The pytree.

    Raises:
        ValueError: the file's tree differs from ``like`` (naming the first differing path and
            both sides); the file needs pickle; the file is corrupt or of another format; or
            the file holds custom nodes and ``like`` is not given.
        FileNotFoundError: no such file.
        ImportError: a ``.safetensors`` file without the ``safetensors`` package.

    Example:
        >>> import os, tempfile
        >>> import funcnet.numpy as fnp
        >>> from funcnet import io
        >>> path = os.path.join(tempfile.mkdtemp(), "p.npz")
        >>> io.save(path, {"w": fnp.ones((2, 2))})
        >>> io.load(path, like={"w": fnp.zeros((2, 2))})["w"].tolist()
        [[1.0, 1.0], [1.0, 1.0]]
        >>> io.load(path, like={"w": fnp.zeros((3, 2))})
        Traceback (most recent call last):
        ...
        ValueError: io.load: '...p.npz' does not match the template (like=) at ['w']: the file has a funcnet array of shape (2, 2) and dtype float32, the template has a funcnet array of shape (3, 2) and dtype float32
    """  # noqa: E501
    path = os.fspath(path)
    if not isinstance(path, str):
        path = os.fsdecode(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"io.load: no such file: {path!r}")
    if _is_safetensors(path) or (not path.lower().endswith((".npz", ".npy"))
                                 and _sniff_safetensors(path)):
        text, arrays = _read_safetensors(path)
    else:
        text, arrays = _read_npz(path)
    if text is None:
        out: Any = arrays[_ROOT_NAME] if set(arrays) == {_ROOT_NAME} else dict(arrays)
        if like is None:
            return out
        _check_like(path, _Encoder("load", with_data=False).node(out, ()), like)
        template_leaves, treedef = _tree.flatten(like)
        return _tree.unflatten(treedef, [_as_like(v, t) for v, t in
                                         zip(_tree.leaves(out), template_leaves, strict=True)])
    try:
        desc = json.loads(text)
        if desc.get("format") != _FORMAT:
            raise _Corrupt("the tree description is not funcnet.io's")
        if desc.get("version", 0) > _VERSION:
            raise _Corrupt(f"format version {desc['version']} is newer than this funcnet "
                           f"supports ({_VERSION}); upgrade funcnet")
        custom: list = []
        value = _decode(desc["tree"], arrays, (), custom)
    except _Corrupt as e:
        raise ValueError(f"io.load: {path!r} is corrupt or was not written by funcnet.io: {e}"
                         ) from None
    except (KeyError, TypeError, ValueError, AttributeError) as e:
        raise ValueError(f"io.load: {path!r} is corrupt or was not written by funcnet.io: "
                         f"bad tree description ({type(e).__name__}: {e})") from None
    if like is None:
        if custom:
            p, name = custom[0]
            raise ValueError(f"io.load: {path!r} holds a custom pytree node ({name}) at "
                             f"{_where(p)}; funcnet.io does not import classes by name, so "
                             "pass like=<a template tree> to rebuild it")
        return value
    _check_like(path, desc["tree"], like)
    leaves = _file_leaves(desc["tree"], arrays)
    template_leaves, treedef = _tree.flatten(like)
    return _tree.unflatten(treedef, [_as_like(v, t) for v, t in
                                     zip(leaves, template_leaves, strict=True)])


def _file_leaves(d: dict, arrays: Mapping[str, np.ndarray]) -> list:
    out: list = []

    def walk(n: dict) -> None:
        if n["type"] == "none":
            return
        if "children" in n:
            for c in n["children"]:
                walk(c)
        else:
            out.append(_decode(n, arrays, (), []))

    walk(d)
    return out


def _check_like(path: str, file_desc: dict, like: Any) -> None:
    template = _Encoder("load", with_data=False).node(like, ())
    diff = _first_diff(file_desc, template, ())
    if diff is not None:
        p, what = diff
        raise ValueError(f"io.load: {path!r} does not match the template (like=) at {_where(p)}: "
                         f"{what}")
