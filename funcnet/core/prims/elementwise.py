# Elementwise primitives: one line each through the unop / binop factories, plus
# select, convert_element_type and the PRNG's threefry kernel.
from __future__ import annotations

import numpy as np

from ..primitive import bind
from ..registry import Primitive, register
from ._factories import (
    binop,
    broadcast_batch,
    broadcast_shapes,
    broadcast_to,
    scalar,
    sum_to_shape,
    unop,
    zeros_like,
)


# derivative helpers (funcnet ops, so every order differentiates)
def _c(x, v):
    return scalar(v, x.dtype)


def _sq(x):
    return x * x


neg_p = unop("negative", deriv=lambda x, o: _c(x, -1))
sign_p = unop("sign", zero_deriv=True)
floor_p = unop("floor", zero_deriv=True)
ceil_p = unop("ceil", zero_deriv=True)
round_p = unop("round", "rint", zero_deriv=True)
trunc_p = unop("trunc", zero_deriv=True)
abs_p = unop("abs", "absolute", deriv=lambda x, o: bind(sign_p, x))
exp_p = unop("exp", deriv=lambda x, o: o)
exp2_p = unop("exp2", deriv=lambda x, o: o * _c(x, np.log(2.0)))
expm1_p = unop("expm1", deriv=lambda x, o: o + _c(x, 1))
log_p = unop("log", deriv=lambda x, o: _c(x, 1) / x)
log1p_p = unop("log1p", deriv=lambda x, o: _c(x, 1) / (x + _c(x, 1)))
log2_p = unop("log2", deriv=lambda x, o: _c(x, 1 / np.log(2.0)) / x)
log10_p = unop("log10", deriv=lambda x, o: _c(x, 1 / np.log(10.0)) / x)
sqrt_p = unop("sqrt", deriv=lambda x, o: _c(x, 0.5) / o)
cbrt_p = unop("cbrt", deriv=lambda x, o: _c(x, 1 / 3) / _sq(o))
sin_p = unop("sin", deriv=lambda x, o: bind(cos_p, x))
cos_p = unop("cos", deriv=lambda x, o: -bind(sin_p, x))
tan_p = unop("tan", deriv=lambda x, o: _c(x, 1) + _sq(o))
arcsin_p = unop("arcsin", deriv=lambda x, o: bind(rsqrt_p, _c(x, 1) - _sq(x)))
arccos_p = unop("arccos", deriv=lambda x, o: -bind(rsqrt_p, _c(x, 1) - _sq(x)))
arctan_p = unop("arctan", deriv=lambda x, o: _c(x, 1) / (_c(x, 1) + _sq(x)))
sinh_p = unop("sinh", deriv=lambda x, o: bind(cosh_p, x))
cosh_p = unop("cosh", deriv=lambda x, o: bind(sinh_p, x))
tanh_p = unop("tanh", deriv=lambda x, o: _c(x, 1) - _sq(o))
arcsinh_p = unop("arcsinh", deriv=lambda x, o: bind(rsqrt_p, _sq(x) + _c(x, 1)))
arccosh_p = unop("arccosh", deriv=lambda x, o: bind(rsqrt_p, _sq(x) - _c(x, 1)))
arctanh_p = unop("arctanh", deriv=lambda x, o: _c(x, 1) / (_c(x, 1) - _sq(x)))
logistic_p = unop("logistic", "logistic", deriv=lambda x, o: o * (_c(x, 1) - o))
rsqrt_p = unop("rsqrt", "rsqrt", deriv=lambda x, o: _c(x, -0.5) * o / x)
erf_p = unop("erf", "erf",
             deriv=lambda x, o: _c(x, 2 / np.sqrt(np.pi)) * bind(exp_p, -_sq(x)))
conj_p = unop("conj", "conjugate", deriv=lambda x, o: _c(x, 1))
isnan_p = unop("isnan", out_dtype=np.bool_, nondiff=True)
isinf_p = unop("isinf", out_dtype=np.bool_, nondiff=True)
isfinite_p = unop("isfinite", out_dtype=np.bool_, nondiff=True)
not_p = unop("logical_not", out_dtype=np.bool_, nondiff=True)
invert_p = unop("invert", nondiff=True)
signbit_p = unop("signbit", out_dtype=np.bool_, nondiff=True)


def _add_vjp(needs, g, out, x, y):
    return [sum_to_shape(g, x.shape) if needs[0] else None,
            sum_to_shape(g, y.shape) if needs[1] else None]


def _sub_vjp(needs, g, out, x, y):
    return [sum_to_shape(g, x.shape) if needs[0] else None,
            sum_to_shape(-g, y.shape) if needs[1] else None]


def _linear_jvp(prim, sy):
    def jvp(primals, tangents):
        out = bind(prim, *primals)
        tx, ty = tangents
        if ty is not None and sy < 0:
            ty = -ty
        t = tx if ty is None else (ty if tx is None else tx + ty)
        return out, (None if t is None else broadcast_to(t, out.shape))
    return jvp


def _mul_jvp(primals, tangents):
    x, y = primals
    tx, ty = tangents
    out = bind(mul_p, x, y)
    t = None if tx is None else tx * y
    if ty is not None:
        t = x * ty if t is None else t + x * ty
    return out, (None if t is None else broadcast_to(t, out.shape))


def _mul_vjp(needs, g, out, x, y):
    return [sum_to_shape(g * y, x.shape) if needs[0] else None,
            sum_to_shape(g * x, y.shape) if needs[1] else None]


def _pow_dy(x, y, o):
    # d/dy x**y = x**y log x, defined as 0 where x == 0 (JAX's convention)
    safe = bind(select_p, bind(eq_p, x, _c(x, 0)), broadcast_to(_c(x, 1), x.shape), x)
    return o * bind(log_p, safe)


def _pow_dx(x, y, o):
    # y * x**(y-1), written so x == 0, y == 0 gives 0 rather than nan
    ym1 = y - _c(y, 1)
    return bind(select_p, bind(eq_p, y, _c(y, 0)), zeros_like(y * x),
                y * bind(pow_p, x, ym1))


add_p = binop("add", vjp=_add_vjp)
sub_p = binop("subtract", vjp=_sub_vjp)
mul_p = binop("multiply", jvp=_mul_jvp, vjp=_mul_vjp)
div_p = binop("divide", "true_divide", dx=lambda x, y, o: _c(x, 1) / y,
              dy=lambda x, y, o: -o / y)
floordiv_p = binop("floor_divide", dx=lambda x, y, o: zeros_like(o),
                   dy=lambda x, y, o: zeros_like(o))
rem_p = binop("remainder", dx=lambda x, y, o: broadcast_to(_c(x, 1), o.shape),
              dy=lambda x, y, o: -bind(floordiv_p, x, y))
pow_p = binop("power", dx=_pow_dx, dy=_pow_dy)
def _extremum_jvp(prim, win):
    # win(x, y) = (a, b): x's tangent flows where a > b, half of it where a == b
    def jvp(primals, tangents):
        x, y = primals
        tx, ty = tangents
        out = bind(prim, x, y)
        t = None if tx is None else bind(tie_select_p, tx, *win(x, y))
        if ty is not None:
            t2 = bind(tie_select_p, ty, *win(y, x))
            t = t2 if t is None else t + t2
        return out, (None if t is None else broadcast_to(t, out.shape))
    return jvp


def _extremum_vjp(win):
    def vjp(needs, g, out, x, y):
        return [sum_to_shape(bind(tie_select_p, g, *win(x, y)), x.shape) if needs[0] else None,
                sum_to_shape(bind(tie_select_p, g, *win(y, x)), y.shape) if needs[1] else None]
    return vjp


def _max_win(a, b):
    return a, b


def _min_win(a, b):
    return b, a


max_p = binop("maximum", jvp=_extremum_jvp(None, _max_win), vjp=_extremum_vjp(_max_win))
min_p = binop("minimum", jvp=_extremum_jvp(None, _min_win), vjp=_extremum_vjp(_min_win))
atan2_p = binop("arctan2", dx=lambda x, y, o: y / (_sq(x) + _sq(y)),
                dy=lambda x, y, o: -x / (_sq(x) + _sq(y)))
hypot_p = binop("hypot", dx=lambda x, y, o: x / o, dy=lambda x, y, o: y / o)
logaddexp_p = binop("logaddexp", dx=lambda x, y, o: bind(exp_p, x - o),
                    dy=lambda x, y, o: bind(exp_p, y - o))
copysign_p = binop("copysign", dx=lambda x, y, o: bind(sign_p, x) * bind(sign_p, o),
                   dy=lambda x, y, o: zeros_like(o))
nextafter_p = binop("nextafter", nondiff=True)
add_jvp = _linear_jvp(add_p, 1)
sub_jvp = _linear_jvp(sub_p, -1)


eq_p = binop("equal", out_dtype=np.bool_, nondiff=True)
ne_p = binop("not_equal", out_dtype=np.bool_, nondiff=True)
lt_p = binop("less", out_dtype=np.bool_, nondiff=True)
le_p = binop("less_equal", out_dtype=np.bool_, nondiff=True)
gt_p = binop("greater", out_dtype=np.bool_, nondiff=True)
ge_p = binop("greater_equal", out_dtype=np.bool_, nondiff=True)
and_p = binop("logical_and", out_dtype=np.bool_, nondiff=True)
or_p = binop("logical_or", out_dtype=np.bool_, nondiff=True)
xor_p = binop("logical_xor", out_dtype=np.bool_, nondiff=True)
bitand_p = binop("bitwise_and", nondiff=True)
bitor_p = binop("bitwise_or", nondiff=True)
bitxor_p = binop("bitwise_xor", nondiff=True)
shl_p = binop("left_shift", nondiff=True)
shr_p = binop("right_shift", nondiff=True)

# the linear binops get their cheaper JVPs, max/min theirs (they need the prim itself)
from ..registry import jvp_rules  # noqa: E402

jvp_rules[add_p] = add_jvp
jvp_rules[sub_p] = sub_jvp
jvp_rules[max_p] = _extremum_jvp(max_p, _max_win)
jvp_rules[min_p] = _extremum_jvp(min_p, _min_win)


# -- tie_select(g, a, b): g where a > b, g / 2 where a == b, 0 elsewhere ----------------------
# The derivative mask of maximum / minimum (JAX splits the gradient evenly at ties), fused into
# one primitive: linear in g and piecewise constant in a, b (zero derivative there).
tie_select_p = Primitive("tie_select")


def _tie_impl(xp, g, a, b):
    # multiplying by the boolean masks is ~20x faster than where() on random masks
    out = g * (a > b)
    eq = a == b
    if eq.any():
        out = out + (g * g.dtype.type(0.5)) * eq
    return out


def _tie_abstract(g, a, b):
    return broadcast_shapes("tie_select", g.shape, a.shape, b.shape), g.dtype


def _tie_jvp(primals, tangents):
    g, a, b = primals
    out = bind(tie_select_p, g, a, b)
    t = tangents[0]
    return out, (None if t is None else broadcast_to(bind(tie_select_p, t, a, b), out.shape))


def _tie_vjp(needs, ct, out, g, a, b):
    return [sum_to_shape(bind(tie_select_p, ct, a, b), g.shape), None, None]


def _tie_batch(vals, dims):
    return bind(tie_select_p, *broadcast_batch(vals, dims)), 0


register(tie_select_p, impl=_tie_impl, abstract_eval=_tie_abstract, jvp=_tie_jvp,
         vjp=_tie_vjp, batch=_tie_batch)


# -- select (where) --------------------------------------------------------------------------
select_p = Primitive("select")


def _select_impl(xp, c, x, y):
    return xp.where(c, x, y)


def _select_abstract(c, x, y):
    if c.dtype != np.bool_:
        raise TypeError(f"fnp.where: condition must be bool, got {c.dtype}")
    if x.dtype != y.dtype:
        raise TypeError(f"funcnet internal: select got {x.dtype} and {y.dtype}")
    return broadcast_shapes("fnp.where", c.shape, x.shape, y.shape), x.dtype


def _select_jvp(primals, tangents):
    c, x, y = primals
    _, tx, ty = tangents
    out = bind(select_p, c, x, y)
    if tx is None and ty is None:
        return out, None
    tx = zeros_like(x) if tx is None else tx
    ty = zeros_like(y) if ty is None else ty
    return out, broadcast_to(bind(select_p, c, tx, ty), out.shape)


def _select_vjp(needs, g, out, c, x, y):
    z = zeros_like(g)
    return [None,
            sum_to_shape(bind(select_p, c, g, z), x.shape) if needs[1] else None,
            sum_to_shape(bind(select_p, c, z, g), y.shape) if needs[2] else None]


def _select_batch(vals, dims):
    return bind(select_p, *broadcast_batch(vals, dims)), 0


register(select_p, impl=_select_impl, abstract_eval=_select_abstract, jvp=_select_jvp,
         vjp=_select_vjp, batch=_select_batch, lower=lambda xp: xp.where)


# -- convert_element_type --------------------------------------------------------------------
convert_p = Primitive("convert_element_type", weak_param="weak_type")


def _convert_impl(xp, x, *, new_dtype, weak_type):
    return x.astype(new_dtype)


def _convert_abstract(x, *, new_dtype, weak_type):
    return x.shape, new_dtype


def _diffable(dt):
    return np.dtype(dt).kind in "fc"


def _convert_jvp(primals, tangents, *, new_dtype, weak_type):
    (x,), (t,) = primals, tangents
    out = bind(convert_p, x, new_dtype=new_dtype, weak_type=weak_type)
    if t is None or not (_diffable(x.dtype) and _diffable(new_dtype)):
        return out, None
    return out, bind(convert_p, t, new_dtype=new_dtype, weak_type=weak_type)


def _convert_vjp(needs, g, out, x, *, new_dtype, weak_type):
    if not (_diffable(x.dtype) and _diffable(new_dtype)):
        return [None]
    if np.dtype(x.dtype).kind == "f" and np.dtype(new_dtype).kind == "c":
        g = bind(real_p, g)  # the cotangent of a real input is real
    return [bind(convert_p, g, new_dtype=x.dtype, weak_type=False)]


def _convert_batch(vals, dims, **params):
    return bind(convert_p, vals[0], **params), dims[0]


def _convert_lower(xp, *, new_dtype, weak_type):
    return lambda x: x.astype(new_dtype)


register(convert_p, impl=_convert_impl, abstract_eval=_convert_abstract, jvp=_convert_jvp,
         vjp=_convert_vjp, batch=_convert_batch, lower=_convert_lower)


# -- threefry2x32: the counter-based PRNG kernel (elementwise on uint32) ---------------------
threefry_p = Primitive("threefry2x32", multiple_results=True, keeps_weak=False)
_ROT = ((13, 15, 26, 6), (17, 29, 16, 24))


def _threefry_impl(xp, k0, k1, x0, x1):
    u = np.uint32
    shape = np.broadcast_shapes(np.shape(k0), np.shape(k1), np.shape(x0), np.shape(x1))
    # at least 1-d: NumPy *scalar* arithmetic warns on the (intended) uint32 wrap-around
    k0, k1 = xp.atleast_1d(xp.asarray(k0, dtype=u)), xp.atleast_1d(xp.asarray(k1, dtype=u))
    x0, x1 = xp.atleast_1d(xp.asarray(x0, dtype=u)), xp.atleast_1d(xp.asarray(x1, dtype=u))
    k2 = k0 ^ k1 ^ u(0x1BD11BDA)
    ks = (k0, k1, k2)
    x0 = x0 + k0
    x1 = x1 + k1
    for i in range(5):
        for r in _ROT[i % 2]:
            x0 = x0 + x1
            x1 = (x1 << u(r)) | (x1 >> u(32 - r))
            x1 = x1 ^ x0
        x0 = x0 + ks[(i + 1) % 3]
        x1 = x1 + ks[(i + 2) % 3] + u(i + 1)
    full = np.broadcast_shapes(x0.shape, x1.shape)
    return (xp.broadcast_to(x0, full).reshape(shape).copy(),
            xp.broadcast_to(x1, full).reshape(shape).copy())


def _threefry_abstract(k0, k1, x0, x1):
    for a in (k0, k1, x0, x1):
        if a.dtype != np.uint32:
            raise TypeError(f"threefry2x32 needs uint32 operands, got {a.dtype}")
    shape = broadcast_shapes("threefry2x32", k0.shape, k1.shape, x0.shape, x1.shape)
    return [(shape, np.dtype(np.uint32))] * 2


def _threefry_batch(vals, dims):
    return bind(threefry_p, *broadcast_batch(vals, dims)), (0, 0)


register(threefry_p, impl=_threefry_impl, abstract_eval=_threefry_abstract,
         batch=_threefry_batch, differentiable=False)


# -- stop_gradient: the identity, with no derivative --------------------------------------------
stop_gradient_p = Primitive("stop_gradient")
register(stop_gradient_p, impl=lambda xp, x: x, abstract_eval=lambda x: (x.shape, x.dtype),
         batch=lambda vals, dims: (bind(stop_gradient_p, vals[0]), dims[0]),
         lower=lambda xp: (lambda x: x), differentiable=False)


# -- integer_pow: x ** n for a static integer n (x ** 2 in a loss costs one multiply) -----------
integer_pow_p = Primitive("integer_pow")


def _ipow_impl(xp, x, *, y):
    if y == 2:
        return x * x
    return x ** y if y >= 0 else 1 / (x ** -y)


def _ipow_deriv(x, y):
    if y == 0:
        return zeros_like(x)
    if y == 1:
        return broadcast_to(_c(x, 1), x.shape)
    return _c(x, y) * (x if y == 2 else bind(integer_pow_p, x, y=y - 1))


def _ipow_jvp(primals, tangents, *, y):
    (x,), (t,) = primals, tangents
    out = bind(integer_pow_p, x, y=y)
    return out, (None if t is None else t * _ipow_deriv(x, y))


register(integer_pow_p, impl=_ipow_impl, abstract_eval=lambda x, *, y: (x.shape, x.dtype),
         jvp=_ipow_jvp, vjp=lambda needs, g, out, x, *, y: [g * _ipow_deriv(x, y)],
         batch=lambda vals, dims, *, y: (bind(integer_pow_p, vals[0], y=y), dims[0]),
         lower=lambda xp, *, y: (lambda x: _ipow_impl(xp, x, y=y)))


# -- real / imag of complex arrays (JAX's transposition conventions) ----------------------------
def _real_dtype(dt):
    return np.dtype(np.float64 if np.dtype(dt) == np.complex128 else np.float32)


def _complex_dtype(dt):
    return np.dtype(np.complex128 if np.dtype(dt) == np.float64 else np.complex64)


real_p = Primitive("real")
imag_p = Primitive("imag")


def _to_complex(g):
    return bind(convert_p, g, new_dtype=_complex_dtype(g.dtype), weak_type=False)


register(real_p, impl=lambda xp, x: xp.real(x).copy(),
         abstract_eval=lambda x: (x.shape, _real_dtype(x.dtype)),
         jvp=lambda p, t: (bind(real_p, p[0]), None if t[0] is None else bind(real_p, t[0])),
         vjp=lambda needs, g, out, x: [_to_complex(g)],
         batch=lambda vals, dims: (bind(real_p, vals[0]), dims[0]))
register(imag_p, impl=lambda xp, x: xp.imag(x).copy(),
         abstract_eval=lambda x: (x.shape, _real_dtype(x.dtype)),
         jvp=lambda p, t: (bind(imag_p, p[0]), None if t[0] is None else bind(imag_p, t[0])),
         vjp=lambda needs, g, out, x: [_to_complex(g) * np.complex64(-1j).astype(
             _complex_dtype(g.dtype))[()]],
         batch=lambda vals, dims: (bind(imag_p, vals[0]), dims[0]))
