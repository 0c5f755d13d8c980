# Python Array API standard (2024.12) support of funcnet.numpy: the inspection namespace, the
# dtype helpers with the standard's signatures, and the standard functions fnp lacked.
from __future__ import annotations

import numpy as np

from ..core import dtypes as _d

__array_api_version__ = "2024.12"

_KINDS = {"bool": "b", "signed integer": "i", "unsigned integer": "u", "integral": "iu",
          "real floating": "f", "complex floating": "c", "numeric": "iufc"}


class _Info:
    """The Array API inspection namespace of funcnet.numpy (``fnp.__array_namespace_info__()``).

    Example:
        >>> import funcnet.numpy as fnp
        >>> info = fnp.__array_namespace_info__()
        >>> info.capabilities()["boolean indexing"]
        True
        >>> info.default_device()
        'cpu'
    """

    __slots__ = ()

    def capabilities(self) -> dict:
        """What funcnet.numpy supports: boolean indexing and data-dependent shapes (eagerly;
        not under ``jit``), any number of dims."""
        return {"boolean indexing": True, "data-dependent shapes": True, "max dimensions": None}

    def default_device(self):
        """The default device ('cpu', or the innermost ``funcnet.default_device``)."""
        from ..core.devices import _default
        return _default[-1]

    def devices(self) -> list:
        """Every device: 'cpu', then 'gpu:N' for each GPU CuPy sees."""
        from ..core.devices import devices
        return [str(d) for d in devices()]

    def default_dtypes(self, *, device=None) -> dict:
        """The default dtypes (32-bit unless ``enable_x64`` is on)."""
        f, i, c = _d.default_float(), _d.default_int(), _d.default_complex()
        return {"real floating": f, "complex floating": c, "integral": i, "indexing": i}

    def dtypes(self, *, device=None, kind=None) -> dict:
        """The supported dtypes, by name, optionally of one ``kind`` (a kind or a tuple)."""
        names = ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
                 "uint64", "float32", "float64", "complex64", "complex128"]
        if not _d.config.enable_x64:
            names = [n for n in names if n not in ("int64", "uint64", "float64", "complex128")]
        out = {}
        for n in names:
            dt = np.dtype(n)
            if kind is None or _kind_matches(dt, kind):
                out[n] = dt
        return out


def _kind_matches(dt, kind):
    if isinstance(kind, tuple):
        return any(_kind_matches(dt, k) for k in kind)
    if isinstance(kind, str):
        if kind not in _KINDS:
            raise ValueError(f"fnp.isdtype: unknown kind {kind!r}; use one of "
                             f"{', '.join(map(repr, _KINDS))} or a dtype")
        return dt.kind in _KINDS[kind]
    return dt == np.dtype(kind)


def __array_namespace_info__():
    """The Array API inspection namespace (devices, dtypes, capabilities).

    Example:
        >>> import funcnet.numpy as fnp
        >>> sorted(fnp.__array_namespace_info__().default_dtypes())
        ['complex floating', 'indexing', 'integral', 'real floating']
    """
    return _Info()
