# Devices: "cpu" is NumPy, "gpu"/"gpu:N" is CuPy. Arrays never move silently.
from __future__ import annotations

import contextlib

from ..core.array import Array, wrap
from .backend import NUMPY, backend_of_value, get_backend, gpu_available

_default = ["cpu"]


class Device:
    """A device: ``platform`` ('cpu' or 'gpu') and ``id``."""

    def __init__(self, platform: str, id: int = 0):
        self.platform = platform
        self.id = id

    def __repr__(self):
        return f"{self.platform}:{self.id}" if self.platform == "gpu" else "cpu"

    def __eq__(self, other):
        return str(self) == str(other) or (isinstance(other, str) and other == self.platform
                                           and self.id == 0)

    def __hash__(self):
        return hash(str(self))


def default_backend():
    """The backend of the current default device (innermost ``default_device``)."""
    platform, _ = _parse(_default[-1])
    return get_backend(platform)


def place(raw):
    """A freshly created NumPy array placed on the default device, wrapped as an Array."""
    b = default_backend()
    return wrap(raw if b is NUMPY else b.asarray_on(raw))


def devices(backend=None):
    """Lists the available devices (``cpu`` always; ``gpu:N`` when CuPy sees GPUs).

    Example:
        >>> import funcnet
        >>> funcnet.devices()[0]
        cpu
    """
    out = [Device("cpu")]
    if gpu_available():
        import cupy
        out += [Device("gpu", i) for i in range(cupy.cuda.runtime.getDeviceCount())]
    if backend is not None:
        out = [d for d in out if d.platform == backend]
    return out


def _parse(device):
    if isinstance(device, Device):
        return device.platform, device.id
    s = str(device)
    if s == "cpu":
        return "cpu", 0
    if s.startswith("gpu") or s.startswith("cuda"):
        parts = s.split(":")
        return "gpu", int(parts[1]) if len(parts) > 1 else 0
    raise ValueError(f"funcnet: unknown device {device!r}; use 'cpu', 'gpu' or 'gpu:N'")


def device_put(x, device=None):
    """Copies an array (or pytree of arrays) to ``device`` ('cpu', 'gpu', 'gpu:N').

    Example:
        >>> import funcnet, funcnet.numpy as fnp
        >>> funcnet.device_put(fnp.ones(2), "cpu").device
        'cpu'
    """
    from .. import tree as tree_util
    from ..numpy._base import asarray_any
    platform, idx = _parse(device if device is not None else _default[-1])
    target = get_backend(platform)

    def put(a):
        a = asarray_any(a)
        if type(a) is not Array:
            return a
        v = a._value
        src = backend_of_value(v)
        if src is target:
            return a
        if platform == "gpu":
            with target.cuda.Device(idx):
                return wrap(target.asarray(src.to_numpy(v) if src is not NUMPY else v), a._weak)
        return wrap(src.to_numpy(v), a._weak)
    return tree_util.map(put, x)


@contextlib.contextmanager
def default_device(device):
    """Context manager: arrays created inside are placed on ``device``.

    Example:
        >>> import funcnet
        >>> with funcnet.default_device("cpu"):
        ...     pass
    """
    _parse(device)
    _default.append(str(device))
    try:
        yield
    finally:
        _default.pop()
