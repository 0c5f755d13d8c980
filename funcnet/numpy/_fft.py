# The Array API FFT extension: eager NumPy / CuPy FFTs; fftshift / ifftshift are composed
# of roll (so they work under every transform). Public names live in funcnet.numpy.fft.
from __future__ import annotations

import numpy as np

from ..core import dtypes as _d
from ..core.backend import backend_of_value
from ._array_api import _eager, _real_of, _wrap_like
from ._base import asarray_any, convert, norm_axes, promote_inexact


def _fft_call(fname, np_name, x, kind, **kw):
    xs = asarray_any(x)
    if kind == "c2c" or kind == "c2r":
        if xs.dtype.kind != "c":
            xs = convert(xs, _d.default_complex() if xs.dtype.kind != "f" else
                         np.result_type(xs.dtype, np.complex64))
    elif xs.dtype.kind not in "f":
        (xs,) = promote_inexact(xs)
    v = _eager(f"fnp.fft.{fname}", xs)
    out = getattr(backend_of_value(v).fft, np_name)(v, **kw)
    if kind == "c2r" or kind == "c2r_h":
        dt = _real_of(v.dtype)
    elif kind == "r2c":
        dt = np.result_type(v.dtype, np.complex64)
    else:
        dt = v.dtype
    return _wrap_like(out, dt)


def _fft1(fname, kind, doc):
    def f(x, /, *, n=None, axis=-1, norm="backward"):
        return _fft_call(fname, fname, x, kind, n=n, axis=axis, norm=norm)
    f.__name__ = f.__qualname__ = fname
    f.__doc__ = doc
    return f


def _fftn(fname, kind, doc):
    def f(x, /, *, s=None, axes=None, norm="backward"):
        return _fft_call(fname, fname, x, kind, s=s, axes=axes, norm=norm)
    f.__name__ = f.__qualname__ = fname
    f.__doc__ = doc
    return f


def _fdoc(name, what, example, result):
    return f"""{what} (like ``numpy.fft.{name}``).

    Eager only: it calls NumPy's FFT (CuPy's on GPU) and has no derivative rule yet, so under
    jit / vmap / grad it raises a ConcretizationError.

    Example:
        >>> import funcnet.numpy as fnp
        >>> {example}
        {result}
    """


_EX = "fnp.fft.{}(fnp.asarray([1.0, 0.0, 0.0, 0.0], dtype=fnp.complex64)).shape"
fft_fft = _fft1("fft", "c2c", _fdoc("fft", "1-D discrete Fourier transform", _EX.format("fft"),
                                    "(4,)"))
fft_ifft = _fft1("ifft", "c2c", _fdoc("ifft", "1-D inverse DFT", _EX.format("ifft"), "(4,)"))
fft_fftn = _fftn("fftn", "c2c", _fdoc("fftn", "N-D DFT", _EX.format("fftn"), "(4,)"))
fft_ifftn = _fftn("ifftn", "c2c", _fdoc("ifftn", "N-D inverse DFT", _EX.format("ifftn"), "(4,)"))
_REX = "fnp.fft.{}(fnp.asarray([1.0, 0.0, 0.0, 0.0])).shape"
fft_rfft = _fft1("rfft", "r2c", _fdoc("rfft", "1-D DFT of real input", _REX.format("rfft"),
                                      "(3,)"))
fft_irfft = _fft1("irfft", "c2r", _fdoc("irfft", "Inverse of rfft (real output)",
                                        _EX.format("irfft"), "(6,)"))
fft_rfftn = _fftn("rfftn", "r2c", _fdoc("rfftn", "N-D DFT of real input", _REX.format("rfftn"),
                                        "(3,)"))
fft_irfftn = _fftn("irfftn", "c2r", _fdoc("irfftn", "Inverse of rfftn (real output)",
                                          _EX.format("irfftn"), "(6,)"))
fft_hfft = _fft1("hfft", "c2r", _fdoc("hfft", "DFT of a Hermitian-symmetric signal (real "
                                      "output)", _EX.format("hfft"), "(6,)"))
fft_ihfft = _fft1("ihfft", "r2c", _fdoc("ihfft", "Inverse of hfft", _REX.format("ihfft"),
                                        "(3,)"))


def fft_fftfreq(n, /, *, d=1.0, dtype=None, device=None):
    """Sample frequencies of a length-``n`` DFT (``numpy.fft.fftfreq``), default float dtype.

    Example:
        >>> import funcnet.numpy as fnp
        >>> fnp.fft.fftfreq(4).tolist()
        [0.0, 0.25, -0.5, -0.25]
    """
    return _freq(np.fft.fftfreq(n, d), dtype, device)


def fft_rfftfreq(n, /, *, d=1.0, dtype=None, device=None):
    """Sample frequencies of a length-``n`` real DFT (``numpy.fft.rfftfreq``).

    Example:
        >>> import funcnet.numpy as fnp
        >>> fnp.fft.rfftfreq(4).tolist()
        [0.0, 0.25, 0.5]
    """
    return _freq(np.fft.rfftfreq(n, d), dtype, device)


def _freq(raw, dtype, device):
    from ..core.devices import device_put, place
    out = place(raw.astype(_d.canonicalize(dtype if dtype is not None else _d.default_float())))
    return out if device is None else device_put(out, device)


def _shift(x, axes, sign):
    from ._shape import roll
    x = asarray_any(x)
    ax = norm_axes("fnp.fft.fftshift", axes, x.ndim)
    if not ax:
        return x
    return roll(x, tuple(sign * (x.shape[a] // 2) for a in ax), axis=ax)


def fft_fftshift(x, /, *, axes=None):
    """Moves the zero-frequency term to the centre (``numpy.fft.fftshift``); composed of
    ``roll``, so it works under every transform.

    Example:
        >>> import funcnet.numpy as fnp
        >>> fnp.fft.fftshift(fnp.asarray([0, 1, 2, -2, -1])).tolist()
        [-2, -1, 0, 1, 2]
    """
    return _shift(x, axes, 1)


def fft_ifftshift(x, /, *, axes=None):
    """Inverse of :func:`fftshift` (composed of ``roll``).

    Example:
        >>> import funcnet.numpy as fnp
        >>> fnp.fft.ifftshift(fnp.asarray([-2, -1, 0, 1, 2])).tolist()
        [0, 1, 2, -2, -1]
    """
    return _shift(x, axes, -1)
