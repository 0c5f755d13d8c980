# dtypes: canonicalisation (x32/x64), JAX's type-promotion lattice with weak types.
from __future__ import annotations

import builtins
import functools

import numpy as np

from .._config import config

bool_ = np.dtype("bool")
int8, int16, int32, int64 = (np.dtype(f"int{b}") for b in (8, 16, 32, 64))
uint8, uint16, uint32, uint64 = (np.dtype(f"uint{b}") for b in (8, 16, 32, 64))
float16, float32, float64 = (np.dtype(f"float{b}") for b in (16, 32, 64))
complex64, complex128 = np.dtype("complex64"), np.dtype("complex128")

ALL_DTYPES = (bool_, int8, int16, int32, int64, uint8, uint16, uint32, uint64,
              float16, float32, float64, complex64, complex128)
_ALLOWED = frozenset(ALL_DTYPES)
_TO_32 = {float64: float32, int64: int32, uint64: uint32, complex128: complex64}


def canonicalize(dt) -> np.dtype:
    """np.dtype for anything dtype-like, narrowed to 32 bits unless x64 is on."""
    dt = np.dtype(dt)
    if dt not in _ALLOWED:
        raise TypeError(f"funcnet: dtype {dt} is not supported; use one of "
                        f"{', '.join(d.name for d in ALL_DTYPES)}")
    if not config.enable_x64:
        return _TO_32.get(dt, dt)
    return dt


def default_int() -> np.dtype:
    return int64 if config.enable_x64 else int32


def default_float() -> np.dtype:
    return float64 if config.enable_x64 else float32


def default_complex() -> np.dtype:
    return complex128 if config.enable_x64 else complex64


def is_float(dt) -> bool:
    return np.dtype(dt).kind == "f"


def is_inexact(dt) -> bool:
    return np.dtype(dt).kind in "fc"


def is_int(dt) -> bool:
    return np.dtype(dt).kind in "iu"


# JAX's promotion lattice: "i*", "f*", "c*" are the weak (Python scalar) types.
_LATTICE = {
    "b1": ["i*"],
    "i*": ["u8", "i8", "f*"],
    "u8": ["u16", "i16"], "u16": ["u32", "i32"], "u32": ["u64", "i64"], "u64": ["f*"],
    "i8": ["i16"], "i16": ["i32"], "i32": ["i64"], "i64": ["f*"],
    "f*": ["c*", "f16"], "f16": ["f32"], "f32": ["f64", "c64"], "f64": ["c128"],
    "c*": ["c64"], "c64": ["c128"], "c128": [],
}
_CODE = {bool_: "b1", int8: "i8", int16: "i16", int32: "i32", int64: "i64",
         uint8: "u8", uint16: "u16", uint32: "u32", uint64: "u64",
         float16: "f16", float32: "f32", float64: "f64", complex64: "c64", complex128: "c128"}
_WEAK_CODE = {"i": "i*", "u": "i*", "f": "f*", "c": "c*", "b": "b1"}


@functools.cache
def _upper(node: str) -> frozenset:
    out = {node}
    for n in _LATTICE[node]:
        out |= _upper(n)
    return frozenset(out)


@functools.cache
def _join(a: str, b: str) -> str:
    common = _upper(a) & _upper(b)
    # the least upper bound is the common node that lies below every other common node
    for n in common:
        if common <= _upper(n):
            return n
    raise TypeError(f"no common type for {a} and {b}")  # pragma: no cover (lattice is complete)


def _node(dt: np.dtype, weak: bool) -> str:
    return _WEAK_CODE[dt.kind] if weak else _CODE[dt]


def _materialize(node: str) -> tuple[np.dtype, bool]:
    if node == "i*":
        return default_int(), True
    if node == "f*":
        return default_float(), True
    if node == "c*":
        return default_complex(), True
    for dt, code in _CODE.items():
        if code == node:
            return canonicalize(dt), False
    raise AssertionError(node)  # pragma: no cover


_PROMOTE_CACHE: dict = {}


def promote(dtypes_weak) -> tuple[np.dtype, bool]:
    """Result (dtype, weak) of combining ``(dtype, weak)`` pairs, JAX's rules."""
    key = (tuple(dtypes_weak), config.enable_x64)
    hit = _PROMOTE_CACHE.get(key)
    if hit is not None:
        return hit
    nodes = [_node(np.dtype(d), w) for d, w in dtypes_weak]
    acc = nodes[0]
    for n in nodes[1:]:
        acc = _join(acc, n)
    res = _materialize(acc)
    _PROMOTE_CACHE[key] = res
    return res


def result_type(*args) -> np.dtype:
    """Public ``fnp.result_type``: promotes arrays, dtypes and Python scalars."""
    return promote([dtype_weak_of(a) for a in args])[0]


def promote_types(a, b) -> np.dtype:
    """Public ``fnp.promote_types`` for two dtypes (both strong)."""
    return promote([(canonicalize(a), False), (canonicalize(b), False)])[0]


def scalar_dtype_weak(x) -> tuple[np.dtype, bool]:
    t = type(x)
    if t is builtins.bool or t is np.bool_:
        return bool_, False
    if t is builtins.int:
        return default_int(), True
    if t is builtins.float:
        return default_float(), True
    if t is builtins.complex:
        return default_complex(), True
    raise TypeError(t)


def dtype_weak_of(x) -> tuple[np.dtype, bool]:
    """(dtype, weak) of an Array, tracer, NumPy value, Python scalar or dtype-like."""
    from .array import Array
    if type(x) is Array:
        return x._value.dtype, x._weak
    if isinstance(x, Array):
        return x.dtype, x.weak_type
    if isinstance(x, (builtins.bool, builtins.int, builtins.float, builtins.complex)) and not \
            isinstance(x, np.generic):
        return scalar_dtype_weak(x)
    if isinstance(x, (np.ndarray, np.generic)):
        return canonicalize(x.dtype), False
    if hasattr(x, "dtype") and hasattr(x, "shape"):
        return canonicalize(x.dtype), False
    return canonicalize(x), False


def finfo(dt):
    return np.finfo(canonicalize(dt))


def iinfo(dt):
    return np.iinfo(canonicalize(dt))
