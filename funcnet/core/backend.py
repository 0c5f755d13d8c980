# Backends: the array namespace that primitive implementations call (NumPy, CuPy).
from __future__ import annotations

import numpy as np

from ..errors import DeviceMismatchError


class Backend:
    """One array namespace plus the few helpers NumPy and CuPy spell differently.

    Attribute access falls through to the wrapped module and is cached on the
    instance, so ``xp.tanh`` costs one attribute lookup after the first use.
    """

    def __init__(self, name: str, module, platform: str):
        self.name = name
        self.module = module
        self.platform = platform

    def __getattr__(self, attr):
        val = getattr(self.module, attr)
        setattr(self, attr, val)
        return val

    def __repr__(self):
        return f"Backend({self.name})"


def _logistic(xp):
    def logistic(x):
        # 1 / (1 + exp(-x)) without overflow for large |x|
        e = xp.exp(-xp.abs(x))
        return xp.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)
    return logistic


def _rsqrt(xp):
    def rsqrt(x):
        return 1 / xp.sqrt(x)
    return rsqrt


def _np_erf():
    import math
    vec = np.vectorize(math.erf, otypes=[np.float64])

    def erf(x):
        x = np.asarray(x)
        return vec(x).astype(x.dtype, copy=False)
    return erf


class _NumpyBackend(Backend):
    def __init__(self):
        super().__init__("cpu", np, "cpu")
        self.logistic = _logistic(np)
        self.rsqrt = _rsqrt(np)
        self.erf = _np_erf()

    @staticmethod
    def scatter_apply(mode, target, index, updates):
        # unbuffered scatter: repeated indices accumulate, like jax's .at[].add
        ufunc = {"add": np.add, "multiply": np.multiply, "min": np.minimum,
                 "max": np.maximum}[mode]
        ufunc.at(target, index, updates)
        return target

    @staticmethod
    def asarray_on(x, dtype=None):
        return np.asarray(x, dtype=dtype)

    @staticmethod
    def to_numpy(x):
        return np.asarray(x)


NUMPY = _NumpyBackend()
_BY_TYPE: dict = {np.ndarray: NUMPY}
_BACKENDS = {"cpu": NUMPY}
_cupy_backend = None


def _cupy():
    global _cupy_backend
    if _cupy_backend is None:
        try:
            import cupy  # noqa: F401  (optional dependency, imported on first use)
            import cupyx
        except ImportError as e:
            raise RuntimeError(
                "funcnet: the 'gpu' device needs CuPy and an NVIDIA GPU; install the extra with "
                f"`pip install funcnet[gpu]` (import failed: {e})") from None

        class _CupyBackend(Backend):
            def __init__(self):
                super().__init__("gpu", cupy, "gpu")
                import cupyx.scipy.special as sp
                self.logistic = _logistic(cupy)
                self.rsqrt = _rsqrt(cupy)
                self.erf = sp.erf

            @staticmethod
            def scatter_apply(mode, target, index, updates):
                fn = {"add": cupyx.scatter_add, "min": cupyx.scatter_min,
                      "max": cupyx.scatter_max}.get(mode)
                if fn is None:  # multiply: no cupyx kernel; sequential fallback
                    t = cupy.asnumpy(target)
                    NUMPY.scatter_apply(mode, t, tuple(
                        cupy.asnumpy(i) if isinstance(i, cupy.ndarray) else i for i in index),
                        cupy.asnumpy(updates))
                    return cupy.asarray(t)
                fn(target, index, updates)
                return target

            @staticmethod
            def asarray_on(x, dtype=None):
                return cupy.asarray(x, dtype=dtype)

            @staticmethod
            def to_numpy(x):
                return cupy.asnumpy(x)

        _cupy_backend = _CupyBackend()
        _BY_TYPE[cupy.ndarray] = _cupy_backend
        _BACKENDS["gpu"] = _cupy_backend
    return _cupy_backend


def backend_of_value(v) -> Backend:
    b = _BY_TYPE.get(type(v))
    if b is not None:
        return b
    if isinstance(v, (np.ndarray, np.generic)) or not hasattr(v, "__cuda_array_interface__"):
        _BY_TYPE[type(v)] = NUMPY
        return NUMPY
    return _cupy()


def backend_of(vals) -> Backend:
    if len(vals) == 1:
        b = _BY_TYPE.get(type(vals[0]))
        if b is not None:
            return b
    b = None
    for v in vals:
        if isinstance(v, np.generic):  # NumPy scalars are device-neutral constants
            continue
        bv = _BY_TYPE.get(type(v)) or backend_of_value(v)
        if b is None:
            b = bv
        elif bv is not b:
            raise DeviceMismatchError(
                f"funcnet: arrays on different devices ({b.name} and {bv.name}) were mixed "
                "in one operation; move them with funcnet.device_put(x, device) first")
    return b or NUMPY


def get_backend(platform: str) -> Backend:
    if platform == "cpu":
        return NUMPY
    if platform == "gpu":
        return _cupy()
    raise ValueError(f"funcnet: unknown platform {platform!r}; use 'cpu' or 'gpu'")


def gpu_available() -> bool:
    try:
        import cupy
        return cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:
        return False
