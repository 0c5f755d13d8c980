# Elementwise functions of funcnet.numpy. Each has an eager fast path (a concrete NumPy array
# of an accepted dtype goes straight to its ufunc) and the general path (promotion, then bind).
from __future__ import annotations

import builtins

import numpy as np

from ..core import dtypes
from ..core.array import Array
from ..core.primitive import bind
from ..core.prims import elementwise as E
from ._base import asarray_any, convert, promote, promote_inexact

_new = object.__new__
_ndarray = np.ndarray
from ..core.primitive import debug_nans_flag as _nan_check  # noqa: E402


def _unary(name, prim, ufunc, inexact, doc, complex_fn=None):
    """An fnp unary function: ``inexact`` ops turn integer input into the default float.
    ``complex_fn`` (optional) computes complex input instead of the primitive."""
    fast_kinds = ("fc" if inexact else "fciu") if complex_fn is None else "f"

    def f(x, /):
        if type(x) is Array and not _nan_check[0]:
            v = x._value
            if type(v) is _ndarray and v.dtype.kind in fast_kinds:
                r = _new(Array)
                r._value = ufunc(v)
                r._weak = x._weak
                return r
        x = asarray_any(x)
        if inexact and x.dtype.kind not in "fc":
            (x,) = promote_inexact(x)
        if complex_fn is not None and x.dtype.kind == "c":
            return complex_fn(x)
        return bind(prim, x)

    f.__name__ = f.__qualname__ = name
    f.__doc__ = doc
    return f


def _binary(name, prim, ufunc, inexact, doc, fast_kinds="fciu"):
    fast_kinds = "fc" if inexact else fast_kinds

    def f(x, y, /):
        if type(x) is Array and type(y) is Array and not _nan_check[0]:
            a, b = x._value, y._value
            if a.dtype is b.dtype and type(a) is _ndarray and type(b) is _ndarray and \
                    a.dtype.kind in fast_kinds:
                try:
                    r = _new(Array)
                    r._value = ufunc(a, b)
                    r._weak = x._weak and y._weak
                    return r
                except ValueError:
                    pass  # the general path raises funcnet's shape error
        x, y = (promote_inexact if inexact else promote)(x, y)
        return bind(prim, x, y)

    f.__name__ = f.__qualname__ = name
    f.__doc__ = doc
    return f


def _doc(summary, example):
    return f"""{summary}

    NumPy semantics (broadcasting, dtype promotion with JAX's weak-type rules).

    Example:
        >>> import funcnet.numpy as fnp
        >>> {example}
    """


def _udoc(name, np_name=None):
    return _doc(f"Elementwise ``{np_name or name}`` (like ``numpy.{np_name or name}``).",
                f"fnp.{name}(fnp.asarray([0.5, 1.0])).shape\n        (2,)")


def _bdoc(name):
    return _doc(f"Elementwise ``{name}`` of two arrays (like ``numpy.{name}``).",
                f"fnp.{name}(fnp.asarray([1.0, 2.0]), fnp.asarray([3.0, 4.0])).shape\n"
                "        (2,)")


negative = _unary("negative", E.neg_p, np.negative, False, _udoc("negative"))
sign = _unary("sign", E.sign_p, np.sign, False, _udoc("sign"))
floor = _unary("floor", E.floor_p, np.floor, False, _udoc("floor"))
ceil = _unary("ceil", E.ceil_p, np.ceil, False, _udoc("ceil"))
trunc = _unary("trunc", E.trunc_p, np.trunc, False, _udoc("trunc"))
_absolute = _unary("absolute", E.abs_p, np.absolute, False, _udoc("absolute"))


def absolute(x, /):
    """Elementwise absolute value (the modulus, a real array, for complex input).

    Example:
        >>> import funcnet.numpy as fnp
        >>> fnp.absolute(fnp.asarray([-1.5, 2.0])).tolist()
        [1.5, 2.0]
    """
    if getattr(x, "dtype", None) is not None and x.dtype.kind == "c":
        return hypot(real(x), imag(x))
    return _absolute(x)


abs = absolute  # noqa: A001
exp = _unary("exp", E.exp_p, np.exp, True, _udoc("exp"))
exp2 = _unary("exp2", E.exp2_p, np.exp2, True, _udoc("exp2"))


def _complex_expm1(z):
    # NumPy's complex expm1, with the Array API's special values where it returns NaN:
    # imag(z) == 0 gives expm1(real(z)) + imag(z) j; an infinite real part and a non-finite
    # imaginary one give -1 + 0j (real -inf) or inf + NaN j (real +inf)
    x, y = real(z), imag(z)
    out = bind(E.expm1_p, z)
    c = convert(expm1(x) + 0.0, z.dtype)  # + 0.0: expm1(-0 + 0j) is +0 + 0j
    out = where(equal(y, 0), where(signbit(y), conjugate(c), c), out)
    y_bad = logical_not(isfinite(y))
    out = where(logical_and(equal(x, -np.inf), y_bad), complex(-1.0, 0.0), out)
    return where(logical_and(equal(x, np.inf), y_bad), complex(np.inf, np.nan), out)


expm1 = _unary("expm1", E.expm1_p, np.expm1, True, _udoc("expm1"), complex_fn=_complex_expm1)
log = _unary("log", E.log_p, np.log, True, _udoc("log"))
log1p = _unary("log1p", E.log1p_p, np.log1p, True, _udoc("log1p"))
log2 = _unary("log2", E.log2_p, np.log2, True, _udoc("log2"))
log10 = _unary("log10", E.log10_p, np.log10, True, _udoc("log10"))
sqrt = _unary("sqrt", E.sqrt_p, np.sqrt, True, _udoc("sqrt"))
cbrt = _unary("cbrt", E.cbrt_p, np.cbrt, True, _udoc("cbrt"))
sin = _unary("sin", E.sin_p, np.sin, True, _udoc("sin"))
cos = _unary("cos", E.cos_p, np.cos, True, _udoc("cos"))
tan = _unary("tan", E.tan_p, np.tan, True, _udoc("tan"))
arcsin = _unary("arcsin", E.arcsin_p, np.arcsin, True, _udoc("arcsin"))
arccos = _unary("arccos", E.arccos_p, np.arccos, True, _udoc("arccos"))
arctan = _unary("arctan", E.arctan_p, np.arctan, True, _udoc("arctan"))
sinh = _unary("sinh", E.sinh_p, np.sinh, True, _udoc("sinh"))
cosh = _unary("cosh", E.cosh_p, np.cosh, True, _udoc("cosh"))


def _complex_tanh(z):
    # tanh(+-inf + yj) for finite y is +-1 + 0j with the sign of y on the zero (the Array API;
    # C99's ctanh, which NumPy uses, gives the zero the sign of sin(2y))
    x, y = real(z), imag(z)
    c = convert(sign(x), z.dtype)
    return where(logical_and(isinf(x), isfinite(y)), where(signbit(y), conjugate(c), c),
                 bind(E.tanh_p, z))


tanh = _unary("tanh", E.tanh_p, np.tanh, True, _udoc("tanh"), complex_fn=_complex_tanh)
arcsinh = _unary("arcsinh", E.arcsinh_p, np.arcsinh, True, _udoc("arcsinh"))
arccosh = _unary("arccosh", E.arccosh_p, np.arccosh, True, _udoc("arccosh"))
arctanh = _unary("arctanh", E.arctanh_p, np.arctanh, True, _udoc("arctanh"))
conjugate = _unary("conjugate", E.conj_p, np.conjugate, False, _udoc("conjugate"))
conj = conjugate


def _bool_unary(name, prim, doc):
    def f(x, /):
        x = asarray_any(x)
        return bind(prim, x)
    f.__name__ = f.__qualname__ = name
    f.__doc__ = doc
    return f


isnan = _bool_unary("isnan", E.isnan_p, _udoc("isnan"))
isinf = _bool_unary("isinf", E.isinf_p, _udoc("isinf"))
isfinite = _bool_unary("isfinite", E.isfinite_p, _udoc("isfinite"))
signbit = _bool_unary("signbit", E.signbit_p, _udoc("signbit"))


def logical_not(x, /):
    """Elementwise logical NOT (any input is first tested against zero).

    Example:
        >>> import funcnet.numpy as fnp
        >>> fnp.logical_not(fnp.asarray([True, False])).tolist()
        [False, True]
    """
    return bind(E.not_p, _as_bool(asarray_any(x)))


def _as_bool(x):
    if x.dtype == np.bool_:
        return x
    return convert(x, np.dtype(bool))


def invert(x, /):
    """Bitwise NOT of integers, logical NOT of booleans (``~x``).

    Example:
        >>> import funcnet.numpy as fnp
        >>> fnp.invert(fnp.asarray([True, False])).tolist()
        [False, True]
    """
    x = asarray_any(x)
    if x.dtype.kind not in "biu":
        raise TypeError(f"fnp.invert: needs an integer or bool array, got {x.dtype}")
    return bind(E.invert_p, x)


bitwise_not = bitwise_invert = invert


def positive(x, /):
    """Elementwise ``+x`` (a copy with the same dtype).

    Example:
        >>> import funcnet.numpy as fnp
        >>> fnp.positive(fnp.asarray([-1.0])).tolist()
        [-1.0]
    """
    return asarray_any(x)


def square(x, /):
    """Elementwise ``x * x``.

    Example:
        >>> import funcnet.numpy as fnp
        >>> fnp.square(fnp.asarray([3.0])).tolist()
        [9.0]
    """
    x = asarray_any(x)
    return multiply(x, x)


def reciprocal(x, /):
    """Elementwise ``1 / x`` (integers are promoted to the default float).

    Example:
        >>> import funcnet.numpy as fnp
        >>> fnp.reciprocal(fnp.asarray([4.0])).tolist()
        [0.25]
    """
    (x,) = promote_inexact(asarray_any(x))
    return bind(E.div_p, *promote(1.0, x))


add = _binary("add", E.add_p, np.add, False, _bdoc("add"))
subtract = _binary("subtract", E.sub_p, np.subtract, False, _bdoc("subtract"),
                   fast_kinds="fciu")
multiply = _binary("multiply", E.mul_p, np.multiply, False, _bdoc("multiply"))
divide = _binary("divide", E.div_p, np.true_divide, True, _bdoc("divide"))
true_divide = divide
floor_divide = _binary("floor_divide", E.floordiv_p, np.floor_divide, False,
                       _bdoc("floor_divide"), fast_kinds="f")
remainder = _binary("remainder", E.rem_p, np.remainder, False, _bdoc("remainder"),
                    fast_kinds="f")
mod = remainder
maximum = _binary("maximum", E.max_p, np.maximum, False, _bdoc("maximum"))
minimum = _binary("minimum", E.min_p, np.minimum, False, _bdoc("minimum"))
arctan2 = _binary("arctan2", E.atan2_p, np.arctan2, True, _bdoc("arctan2"))
atan2 = arctan2
hypot = _binary("hypot", E.hypot_p, np.hypot, True, _bdoc("hypot"))
logaddexp = _binary("logaddexp", E.logaddexp_p, np.logaddexp, True, _bdoc("logaddexp"))
copysign = _binary("copysign", E.copysign_p, np.copysign, True, _bdoc("copysign"))
nextafter = _binary("nextafter", E.nextafter_p, np.nextafter, True, _bdoc("nextafter"))
equal = _binary("equal", E.eq_p, np.equal, False, _bdoc("equal"), fast_kinds="fciub")
not_equal = _binary("not_equal", E.ne_p, np.not_equal, False, _bdoc("not_equal"),
                    fast_kinds="fciub")
less = _binary("less", E.lt_p, np.less, False, _bdoc("less"), fast_kinds="fiu")
less_equal = _binary("less_equal", E.le_p, np.less_equal, False, _bdoc("less_equal"),
                     fast_kinds="fiu")
greater = _binary("greater", E.gt_p, np.greater, False, _bdoc("greater"), fast_kinds="fiu")
greater_equal = _binary("greater_equal", E.ge_p, np.greater_equal, False,
                        _bdoc("greater_equal"), fast_kinds="fiu")


def _int_binary(name, prim, doc):
    def f(x, y, /):
        x, y = promote(x, y)
        if x.dtype.kind not in "biu":
            raise TypeError(f"fnp.{name}: needs integer or bool arrays, got {x.dtype}")
        return bind(prim, x, y)
    f.__name__ = f.__qualname__ = name
    f.__doc__ = doc
    return f


def _idoc(name, result):
    return _doc(f"Elementwise ``{name}`` of integer or bool arrays (like ``numpy.{name}``).",
                f"fnp.{name}(fnp.asarray([12, 5]), fnp.asarray([10, 1])).tolist()\n"
                f"        {result}")


bitwise_and = _int_binary("bitwise_and", E.bitand_p, _idoc("bitwise_and", "[8, 1]"))
bitwise_or = _int_binary("bitwise_or", E.bitor_p, _idoc("bitwise_or", "[14, 5]"))
bitwise_xor = _int_binary("bitwise_xor", E.bitxor_p, _idoc("bitwise_xor", "[6, 4]"))
left_shift = bitwise_left_shift = _int_binary("left_shift", E.shl_p,
                                              _idoc("left_shift", "[12288, 10]"))
right_shift = bitwise_right_shift = _int_binary("right_shift", E.shr_p,
                                                _idoc("right_shift", "[0, 2]"))


def _logical(name, prim):
    def f(x, y, /):
        return bind(prim, *promote(_as_bool(asarray_any(x)), _as_bool(asarray_any(y))))
    f.__name__ = f.__qualname__ = name
    f.__doc__ = _doc(f"Elementwise ``{name}`` (inputs tested against zero).",
                     f"fnp.{name}(fnp.asarray([True, False]), fnp.asarray([True, True]))"
                     ".shape\n        (2,)")
    return f


logical_and = _logical("logical_and", E.and_p)
logical_or = _logical("logical_or", E.or_p)
logical_xor = _logical("logical_xor", E.xor_p)


def power(x, y, /):
    """Elementwise ``x ** y`` (like ``numpy.power``; integer ``y`` keeps float ``x``'s dtype).

    Example:
        >>> import funcnet.numpy as fnp
        >>> fnp.power(fnp.asarray([2.0, 3.0]), 2).tolist()
        [4.0, 9.0]
    """
    if type(x) is Array and type(y) in (builtins.int, builtins.float) and x.dtype.kind in "fc" \
            and not _nan_check[0]:
        v = x._value
        if type(v) is _ndarray:
            r = _new(Array)
            r._value = v ** y
            r._weak = x._weak
            return r
    if type(y) is builtins.int and isinstance(x, Array) and x.dtype.kind in "fc" and \
            abs(y) <= 64:
        return bind(E.integer_pow_p, x, y=y)
    x, y = promote(x, y)
    if x.dtype.kind in "iu":
        yv = y._value if type(y) is Array else None
        if yv is not None and np.any(np.asarray(yv) < 0):
            raise ValueError("fnp.power: integers to negative integer powers are not allowed")
    return bind(E.pow_p, x, y)


pow = power  # noqa: A001


def where(condition, x=None, y=None, /):
    """Chooses ``x`` where ``condition`` is true, else ``y`` (broadcasting).

    With one argument, ``where(c)`` is ``nonzero(c)`` (not under jit).

    Example:
        >>> import funcnet.numpy as fnp
        >>> fnp.where(fnp.asarray([True, False]), 1.0, 0.0).tolist()
        [1.0, 0.0]
    """
    if x is None and y is None:
        from ._indexing import nonzero
        return nonzero(condition)
    if x is None or y is None:
        raise ValueError("fnp.where: give both x and y, or neither")
    c = _as_bool(asarray_any(condition))
    x, y = promote(x, y)
    return bind(E.select_p, c, x, y)


def clip(a, /, min=None, max=None, *, a_min=None, a_max=None):
    """Limits values to ``[min, max]`` (either bound may be None; NumPy's ``a_min`` / ``a_max``
    keywords are accepted too).

    Example:
        >>> import funcnet.numpy as fnp
        >>> fnp.clip(fnp.asarray([-2.0, 0.5, 3.0]), 0.0, 1.0).tolist()
        [0.0, 0.5, 1.0]
    """
    lo = a_min if a_min is not None else min
    hi = a_max if a_max is not None else max
    out = asarray_any(a)
    if lo is not None:
        out = maximum(out, lo)
    if hi is not None:
        out = minimum(out, hi)
    return out


def round(x, decimals=0):  # noqa: A001
    """Rounds half to even (like ``numpy.round``), optionally to ``decimals`` places.

    Example:
        >>> import funcnet.numpy as fnp
        >>> fnp.round(fnp.asarray([0.5, 1.5, 2.567]), 1).tolist()
        [0.5, 1.5, 2.6]
    """
    x = asarray_any(x)
    if decimals == 0 or x.dtype.kind in "iub":
        return bind(E.round_p, x) if x.dtype.kind in "fc" else x
    f = np.asarray(10.0 ** decimals, dtype=x.dtype)[()]
    return bind(E.round_p, x * f) / f


around = round


def float_power(x, y, /):
    """``x ** y`` in the widest float (float64 with x64, else float32).

    Example:
        >>> import funcnet.numpy as fnp
        >>> fnp.float_power(2, 3).item()
        8.0
    """
    dt = dtypes.canonicalize(np.float64)
    return power(convert(asarray_any(x), dt), convert(asarray_any(y), dt))


def real(val, /):
    """The real part (the array itself for real dtypes).

    Example:
        >>> import funcnet.numpy as fnp
        >>> fnp.real(fnp.asarray([1 + 2j])).tolist()
        [1.0]
    """
    x = asarray_any(val)
    return bind(E.real_p, x) if x.dtype.kind == "c" else x


def imag(val, /):
    """The imaginary part (zeros for real dtypes).

    Example:
        >>> import funcnet.numpy as fnp
        >>> fnp.imag(fnp.asarray([1 + 2j])).tolist()
        [2.0]
    """
    x = asarray_any(val)
    return bind(E.imag_p, x) if x.dtype.kind == "c" else multiply(x, 0)
