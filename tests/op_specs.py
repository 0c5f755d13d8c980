"""The op table: one row per public ``funcnet.numpy`` function (STYLE rule 11).

Each :class:`OpSpec` row says how to call the function and its NumPy reference, which dtypes
and shapes to draw, from which value domain, with which static keyword variants, to what
tolerance, and which transforms apply. ``tests/test_ops.py`` expands every row into
parametrised checks (values against NumPy, abstract evaluation, jit, vmap, check_grads), and
``tests/test_registry.py`` uses the rows to prove that every primitive is reached.

Adding an op: add one row below (usually one call of ``unary``, ``binary``, ``reduction`` or
``spec``). Conventions:

* ``fn(*arrays, **kwargs)`` and ``ref(*np_arrays, **kwargs)``: arrays are positional, static
  parameters are keywords (one dict per variant in ``kwargs``, or a function of the drawn
  shapes returning the variants that are valid for them).
* NumPy results are compared after narrowing with the x32 rule (float64 -> float32,
  int64 -> int32, uint64 -> uint32, complex128 -> complex64). Deliberate differences from
  NumPy (JAX promotion, default float32) are encoded per row (``inexact``, ``out_dtype``).
* Values come from a NumPy generator seeded by hypothesis (``domain`` names one of
  ``DOMAINS`` per array argument), so vmap tests can draw several examples of one shape.
* A funcnet bug is recorded in ``xfail`` ({check: "funcnet bug: ..."}); the buggy input is
  split into its own row so that every example of that row shows the bug (strict xfail).
"""

from __future__ import annotations

import dataclasses
import math
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import funcnet.numpy as fnp

CHECKS = ("values", "abstract", "jit", "vmap", "grads")

# one funcnet bug reaches several rows (take, gather, pad, repeat, diagonal, trace, x[:, i])
VMAP_ADV_BUG = {"vmap": "funcnet bug: vmap of an integer-array index that follows a slice, "
                        "None or ... (x[:, i]) puts the index dims before the sliced dims (the "
                        "getitem batch rule prepends an iota index, separating the advanced "
                        "indices)"}

# -- dtype groups -------------------------------------------------------------------------------
F = ("float32",)
FH = ("float32", "float16")
FI = ("float32", "int32")
FHI = ("float32", "float16", "int32")
NUM = ("float32", "float16", "int32", "int8", "uint8")
INT = ("int32", "int8", "uint8", "int16", "uint16")
INTB = INT + ("bool",)
ALL = NUM + ("bool",)


# -- value domains: (rng, shape, dtype, smooth) -> np.ndarray ----------------------------------
# ``smooth`` (used for gradient checks) turns off the sprinkled special values (0, -0.0, exact
# halves, ties) that the value tests use to hit edge cases.
_SPRINKLE = np.array([0.0, -0.0, 0.5, -1.5, 1.0, 2.5, -2.0])


def _ints(rng, shape, dt, lo, hi):
    dt = np.dtype(dt)
    if dt.kind == "u":
        lo = max(lo, 0)
    return np.asarray(rng.integers(lo, hi + 1, size=shape)).astype(dt)


def _floats(rng, shape, dt, lo, hi, smooth=True, sprinkle=None):
    x = rng.uniform(lo, hi, size=shape)
    if not smooth and sprinkle is not None:
        x = np.where(rng.random(size=shape) < 0.25, rng.choice(sprinkle, size=shape), x)
    if np.dtype(dt).kind == "c":
        x = x + 1j * rng.uniform(lo, hi, size=shape)
    return np.asarray(x).astype(dt)


def _domain(flo, fhi, ilo, ihi, sprinkle=None, bool_value=None):
    def make(rng, shape, dt, smooth=True):
        dt = np.dtype(dt)
        if dt.kind == "b":
            if bool_value is not None:
                return np.full(shape, bool_value)
            return np.asarray(rng.random(size=shape) < 0.5)
        if dt.kind in "iu":
            return _ints(rng, shape, dt, ilo, ihi)
        return _floats(rng, shape, dt, flo, fhi, smooth, sprinkle)
    return make


def _nonzero(rng, shape, dt, smooth=True):
    dt = np.dtype(dt)
    if dt.kind == "b":
        return np.ones(shape, bool)
    if dt.kind == "u":
        return _ints(rng, shape, dt, 1, 9)
    sign = np.where(rng.random(size=shape) < 0.5, -1, 1)
    if dt.kind == "i":
        return np.asarray(sign * rng.integers(1, 10, size=shape)).astype(dt)
    return _floats(rng, shape, dt, 0.5, 3.0) * sign.astype(dt)


def _nonint(rng, shape, dt, smooth=True):
    # keeps floor/round/mod away from their jumps (finite differences stay on one piece)
    if np.dtype(dt).kind != "f":
        return DOMAINS["real"](rng, shape, dt, smooth)
    x = np.floor(rng.uniform(-3, 3, size=shape)) + rng.uniform(0.15, 0.4, size=shape)
    return np.asarray(x).astype(dt)


def _distinct(rng, shape, dt, smooth=True):
    # no ties (sort, argmax, max and their derivatives)
    n = math.prod(shape)
    dt = np.dtype(dt)
    if dt.kind == "b":
        return np.asarray(rng.random(size=shape) < 0.5)
    perm = rng.permutation(n).reshape(shape)
    if dt.kind in "iu":
        return np.asarray(perm - (0 if dt.kind == "u" else n // 2)).astype(dt)
    return np.asarray((perm - n / 2) * 0.37 + rng.uniform(-0.1, 0.1, size=shape)).astype(dt)


def _special(rng, shape, dt, smooth=True):
    x = DOMAINS["real"](rng, shape, dt, smooth)
    if np.dtype(dt).kind not in "fc":
        return x
    pick = rng.choice(np.array([np.nan, np.inf, -np.inf, 0.0]), size=shape)
    return np.asarray(np.where(rng.random(size=shape) < 0.4, pick, x)).astype(dt)


def _spd(rng, shape, dt, smooth=True):
    n = shape[-1]
    a = rng.standard_normal(size=shape)
    a = a @ np.swapaxes(a, -1, -2) + n * np.eye(n)
    return np.asarray(a).astype(dt)


def _wellcond(rng, shape, dt, smooth=True):
    # diagonally dominant with a random sign on the first row: invertible, det of either sign
    n = shape[-1]
    dt = np.dtype(dt)
    if dt.kind in "iu":
        a = rng.integers(-1, 2, size=shape) + (n + 1) * np.eye(n, dtype=np.int64)
    else:
        a = rng.uniform(-1, 1, size=shape) + n * np.eye(n)
    sign = np.where(rng.random(size=shape[:-2] + (1, 1)) < 0.5, -1, 1)
    a = np.concatenate([a[..., :1, :] * sign, a[..., 1:, :]], axis=-2) if n else a
    return np.asarray(a).astype(dt)


DOMAINS: dict[str, Callable] = {
    "real": _domain(-3.0, 3.0, -9, 9, sprinkle=_SPRINKLE),
    "pos": _domain(0.1, 3.0, 1, 9, bool_value=True),
    "nonneg": _domain(0.0, 3.0, 0, 9),
    "small": _domain(-1.5, 1.5, -2, 2),
    "unit": _domain(-0.9, 0.9, -1, 1),
    "gt1": _domain(1.1, 4.0, 2, 9, bool_value=True),
    "exponent": _domain(-2.0, 2.0, 0, 3),
    "shift": _domain(0.0, 6.0, 0, 6),
    "nonzero": _nonzero,
    "nonint": _nonint,
    "distinct": _distinct,
    "special": _special,
    "spd": _spd,
    "wellcond": _wellcond,
}


# -- shape strategies: each draws a tuple with one shape per array argument ---------------------
def one(min_dims=0, max_dims=3, min_side=0, max_side=4):
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side,
                            max_side=max_side).map(lambda s: (s,))


def same(n, min_dims=0, max_dims=3, min_side=0, max_side=4):
    return one(min_dims, max_dims, min_side, max_side).map(lambda t: t * n)


def bcast(n=2, min_dims=0, max_dims=3, min_side=0, max_side=4):
    """Mutually broadcastable shapes (size-1 dims, missing leading dims, 0-d)."""
    return hnp.mutually_broadcastable_shapes(
        num_shapes=n, min_dims=min_dims, max_dims=max_dims, min_side=min_side,
        max_side=max_side).map(lambda r: tuple(r.input_shapes))


def _or(shapes, default):
    # (a strategy's truth value is meaningless, so no ``shapes or default``)
    return default if shapes is None else shapes


def fixed(*shape_tuples):
    return st.sampled_from(list(shape_tuples))


@st.composite
def _matmul_shapes(draw, vectors=True, max_batch=2):
    n, k, m = (draw(st.integers(1, 4)) for _ in range(3))
    b1, b2 = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=max_batch,
                                                    max_side=3)).input_shapes
    kinds = ["mm", "vm", "mv", "vv"] if vectors else ["mm"]
    kind = draw(st.sampled_from(kinds))
    if kind == "vv":
        return ((k,), (k,))
    if kind == "vm":
        return ((k,), b2 + (k, m))
    if kind == "mv":
        return (b1 + (n, k), (k,))
    return (b1 + (n, k), b2 + (k, m))


@st.composite
def _concat_shapes(draw, n):
    base = list(draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3)))
    ax = draw(st.integers(0, len(base) - 1))
    out = []
    for _ in range(n):
        s = list(base)
        s[ax] = draw(st.integers(0, 3))
        out.append(tuple(s))
    return tuple(out)


@st.composite
def _square(draw, n_args=1, batch=True, max_n=4, rhs=False):
    n = draw(st.integers(1, max_n))
    b = draw(hnp.array_shapes(min_dims=0, max_dims=2 if batch else 0, min_side=1, max_side=3))
    shapes = (b + (n, n),)
    if rhs:
        form = draw(st.sampled_from(["vec", "mat"] if not b else ["mat"]))
        shapes += ((n,),) if form == "vec" else (b + (n, draw(st.integers(1, 3))),)
    return shapes


# -- static keyword variants -------------------------------------------------------------------
def axes_kw(shapes, *, keepdims=True, multi=True, none=True, extra=None):
    nd = len(shapes[0])
    axes = [None] if none else []
    if nd >= 1:
        axes += [0, -1]
    if nd >= 2 and multi:
        axes += [(0, -1)]
    if nd >= 3 and multi:
        axes += [(-1, 1)]
    kws = [{"axis": a} for a in axes]
    if keepdims:
        kws += [{"axis": a, "keepdims": True} for a in axes]
    if extra:
        kws = [dict(k, **e) for k in kws for e in extra]
    return kws


def axis_kw(shapes, none=True, name="axis"):
    nd = len(shapes[0])
    axes = ([None] if none else []) + ([0, -1] if nd else [])
    return [{name: a} for a in axes] or [{}]


# -- the row -----------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True, repr=False, eq=False)
class OpSpec:
    """One row of the op table (see the module docstring)."""

    name: str
    fn: Callable
    ref: Callable
    nargs: int
    dtypes: tuple
    shapes: Any  # hypothesis strategy of a tuple of ``nargs`` shapes
    domain: tuple = ("real",)  # one DOMAINS name per array argument (the last repeats)
    kwargs: Any = ({},)  # tuple of dicts, or callable(shapes) -> list of dicts
    tol: float = 1e-5  # rtol and atol in float32 (float16 uses at least 1e-2)
    grad: tuple = ()  # check_grads modes; () = not differentiable
    grad_shapes: tuple = ()  # fixed shape tuples used by check_grads (float64)
    grad_domain: tuple | None = None  # DOMAINS for check_grads (default: ``domain``)
    grad_argnums: tuple | None = None  # differentiated arguments (default: every float arg)
    grad_fn: Callable | None = None  # function differentiated instead of ``fn``
    grad_kwargs: Any = None  # kwarg variants for check_grads (default: ``kwargs``)
    grad_tol: float | None = None  # check_grads atol/rtol (default: check_grads' float64 ones)
    jit: bool = True  # traceable: abstract evaluation and jit apply
    vmap: bool = True
    arg_dtypes: tuple | None = None  # per argument: a fixed dtype, or None for the drawn one
    build: Callable | None = None  # custom (rng, shapes, dtype, kwargs) -> list of arrays
    inexact: bool = False  # int/bool inputs give funcnet's default float (JAX), not NumPy's
    out_dtype: Callable | None = None  # (input dtype) -> expected output dtype override
    meta: bool = False  # returns Python values (shape, ndim...): values check only
    xfail: dict = dataclasses.field(default_factory=dict)  # check -> "funcnet bug: ..."

    def __repr__(self):
        return f"OpSpec({self.name})"

    def _repr_pretty_(self, p, cycle):  # hypothesis prints failing examples with this
        p.text(repr(self))

    def variants(self, shapes):
        kws = self.kwargs(shapes) if callable(self.kwargs) else self.kwargs
        kws = list(kws)
        assert kws, f"{self.name}: no kwargs variant for shapes {shapes}"
        return kws

    def grad_variants(self, shapes):
        if self.grad_kwargs is None:
            return self.variants(shapes)
        return list(self.grad_kwargs(shapes) if callable(self.grad_kwargs) else self.grad_kwargs)

    def arg_dtype(self, i, dtype):
        if self.arg_dtypes and self.arg_dtypes[i] is not None:
            return np.dtype(self.arg_dtypes[i])
        return np.dtype(dtype)

    def make_args(self, rng, shapes, dtype, kw, smooth=False, domain=None):
        """The NumPy arguments for one example."""
        if self.build is not None:
            return [np.asarray(a) for a in self.build(rng, shapes, np.dtype(dtype), kw)]
        domain = domain or self.domain
        return [DOMAINS[domain[min(i, len(domain) - 1)]](rng, s, self.arg_dtype(i, dtype), smooth)
                for i, s in enumerate(shapes)]

    def call(self, args, kw):
        return self.fn(*[fnp.asarray(a) for a in args], **kw)


@dataclasses.dataclass
class Case:
    """One drawn example: shapes, dtype, kwargs variant and a seed for the values."""

    spec: OpSpec
    shapes: tuple
    dtype: np.dtype
    kwargs: dict
    seed: int

    def __repr__(self):
        return (f"Case({self.spec.name}, shapes={self.shapes}, dtype={self.dtype}, "
                f"kwargs={self.kwargs}, seed={self.seed})")

    def _repr_pretty_(self, p, cycle):
        p.text(repr(self))

    def args(self, offset=0):
        rng = np.random.default_rng([self.seed, offset])
        return self.spec.make_args(rng, self.shapes, self.dtype, self.kwargs)


@st.composite
def cases(draw, spec):
    shapes = tuple(tuple(s) for s in draw(spec.shapes))
    dtype = np.dtype(draw(st.sampled_from(spec.dtypes)))
    kw = draw(st.sampled_from(spec.variants(shapes)))
    seed = draw(st.integers(0, 2**31 - 1))
    return Case(spec, shapes, dtype, kw, seed)


SPECS: list[OpSpec] = []


def spec(name, fn, ref, nargs, dtypes, shapes, **kw):
    s = OpSpec(name, fn, ref, nargs, tuple(dtypes), shapes, **kw)
    assert all(c in CHECKS for c in s.xfail), s.xfail
    if s.grad:
        assert s.grad_shapes, f"{name}: grads need grad_shapes"
    SPECS.append(s)
    return s


def _np(name):
    return getattr(np, name)


# -- creation ----------------------------------------------------------------------------------
def _nullary(name, fn, ref, variants, **kw):
    spec(name, lambda **k: fn(**k), lambda **k: ref(**k), 0, ("float32",), st.just(()),
         kwargs=tuple(variants), vmap=False, **kw)


def _call_with(fn):
    return lambda *, args, **k: fn(*args, **k)


for _name in ("zeros", "ones", "empty"):
    _nullary(_name, getattr(fnp, _name), np.zeros if _name == "empty" else _np(_name),
             [{"shape": (2, 3)}, {"shape": 4}, {"shape": ()}, {"shape": (0, 2)},
              {"shape": (2,), "dtype": "int32"}, {"shape": (1, 2), "dtype": fnp.bool_},
              {"shape": (3,), "dtype": "float16"}])
_nullary("full", fnp.full, np.full,
         [{"shape": (2, 3), "fill_value": 2.5}, {"shape": 3, "fill_value": 7},
          {"shape": (), "fill_value": True}, {"shape": (2,), "fill_value": 1, "dtype": "float32"},
          {"shape": (2, 2), "fill_value": np.float32(0.5)}])
_nullary("arange", _call_with(fnp.arange), _call_with(np.arange),
         [{"args": (5,)}, {"args": (1, 7, 2)}, {"args": (0.5, 3.0, 0.5)}, {"args": (5, 1, -1)},
          {"args": (4,), "dtype": "float32"}, {"args": (0,)}, {"args": (2.0,)}])
_nullary("linspace", _call_with(fnp.linspace), _call_with(np.linspace),
         [{"args": (0, 1, 5)}, {"args": (0.0, 1.0, 4), "endpoint": False}, {"args": (-1, 1, 1)},
          {"args": (2, 3)}, {"args": (0, 10, 3), "dtype": "int32"}])
_nullary("eye", _call_with(fnp.eye), _call_with(np.eye),
         [{"args": (3,)}, {"args": (3, 4)}, {"args": (3, 4, 1)}, {"args": (4, 3, -2)},
          {"args": (2,), "dtype": "int32"}, {"args": (0,)}])
_nullary("identity", _call_with(fnp.identity), _call_with(np.identity),
         [{"args": (3,)}, {"args": (1,)}, {"args": (2,), "dtype": "int8"}])

for _name in ("zeros_like", "ones_like"):
    spec(_name, getattr(fnp, _name), _np(_name), 1, ALL, one(),
         kwargs=({}, {"dtype": "float32"}, {"dtype": "int8"}))
spec("full_like", fnp.full_like, np.full_like, 1, ALL, one(),
     kwargs=({"fill_value": 3}, {"fill_value": 1, "dtype": "float32"},
             {"fill_value": 0, "dtype": "bool"}))
for _name in ("array", "asarray"):
    spec(_name, getattr(fnp, _name), _np(_name), 1, ALL, one(),
         kwargs=({}, {"dtype": "float32"}, {"dtype": "int32"}), grad=("fwd", "rev"),
         grad_shapes=(((2, 3),),), grad_kwargs=({},))
spec("array(ndmin)", fnp.array, np.array, 1, ALL, one(max_dims=2), kwargs=({"ndmin": 3},))
spec("copy", fnp.copy, np.copy, 1, ALL, one(), grad=("fwd", "rev"), grad_shapes=(((3,),),))


# -- elementwise -------------------------------------------------------------------------------
def unary(name, dtypes=FH, domain="real", grad=True, grad_domain=None, inexact=False, tol=1e-5,
          shapes=None, fn=None, ref=None, **kw):
    spec(name, fn or getattr(fnp, name), ref or _np(name), 1, dtypes, _or(shapes, one()),
         domain=(domain,), inexact=inexact, tol=tol,
         grad=("fwd", "rev") if grad else (), grad_shapes=(((2, 3),),) if grad else (),
         grad_domain=(grad_domain,) if grad_domain else None, **kw)


def binary(name, dtypes=FH, domain=("real", "real"), grad=True, grad_domain=None,
           inexact=False, tol=1e-5, fn=None, ref=None, shapes=None, **kw):
    spec(name, fn or getattr(fnp, name), ref or _np(name), 2, dtypes, _or(shapes, bcast()),
         domain=tuple(domain), inexact=inexact, tol=tol,
         grad=("fwd", "rev") if grad else (),
         grad_shapes=(((2, 3), (2, 3)), ((3,), (2, 1))) if grad else (),
         grad_domain=tuple(grad_domain) if grad_domain else None, **kw)


# dtype-preserving unary ops
for _name in ("negative", "positive", "absolute", "abs", "square"):
    unary(_name, NUM, grad_domain="nonzero")
for _name in ("sign", "floor", "ceil", "trunc"):
    unary(_name, ("float32", "float16", "int32", "int8"), grad_domain="nonint")
unary("round", ("float32", "float16", "int32"), grad_domain="nonint",
      kwargs=({}, {"decimals": 1}, {"decimals": 2}), ref=np.round, tol=1e-4)
unary("around", ("float32", "int32"), grad_domain="nonint", kwargs=({}, {"decimals": 1}),
      ref=np.round, tol=1e-4)
for _name in ("conjugate", "conj"):
    unary(_name, NUM + ("complex64",))
for _name in ("real", "imag"):
    unary(_name, ("complex64", "float32", "int32"))
unary("negative[complex]", ("complex64",), fn=fnp.negative, ref=np.negative)
unary("square[complex]", ("complex64",), fn=fnp.square, ref=np.square, grad=False)
unary("abs[complex]", ("complex64",), fn=fnp.abs, ref=np.abs, grad=False)
unary("exp[complex]", ("complex64",), fn=fnp.exp, ref=np.exp, grad=False, tol=1e-5)

# inexact unary ops: integer inputs become float32 (JAX), NumPy would pick float16/float64
for _name, _dom, _gdom in [
        ("exp", "small", None), ("exp2", "small", None), ("expm1", "small", None),
        ("log", "pos", None), ("log1p", "pos", None), ("log2", "pos", None),
        ("log10", "pos", None), ("sqrt", "pos", None), ("cbrt", "real", "nonzero"),
        ("sin", "real", None), ("cos", "real", None), ("tan", "small", "unit"),
        ("arcsin", "unit", None), ("arccos", "unit", None), ("arctan", "real", None),
        ("sinh", "small", None), ("cosh", "small", None), ("tanh", "real", None),
        ("arcsinh", "real", None), ("arccosh", "gt1", None), ("arctanh", "unit", None)]:
    unary(_name, FHI, domain=_dom, grad_domain=_gdom, inexact=True)
unary("reciprocal", FHI, domain="nonzero", inexact=True, ref=lambda x: np.true_divide(1, x))

for _name in ("isnan", "isinf", "isfinite"):
    unary(_name, FHI, domain="special", grad=False)
unary("signbit", ("float32", "float16", "int32"), grad=False)
unary("logical_not", ALL, grad=False)
for _name in ("invert", "bitwise_not", "bitwise_invert"):
    unary(_name, INTB, grad=False, ref=np.invert)

binary("add", NUM + ("bool",), grad_domain=("real", "real"))
binary("subtract", NUM)
binary("multiply", NUM + ("bool",))
for _name in ("add", "subtract", "multiply", "divide"):
    binary(f"{_name}[complex]", ("complex64",), fn=getattr(fnp, _name), ref=_np(_name),
           domain=("real", "nonzero"), grad=False)
for _name in ("divide", "true_divide"):
    binary(_name, FHI, domain=("real", "nonzero"), inexact=True)
for _name in ("floor_divide", "remainder", "mod"):
    binary(_name, NUM, domain=("real", "nonzero"), grad_domain=("nonint", "nonzero"))
for _name in ("power", "pow"):
    binary(_name, ("float32", "float16", "int32", "uint8"), domain=("pos", "exponent"),
           ref=np.power)
binary("float_power", F, domain=("pos", "exponent"))
for _name in ("maximum", "minimum"):
    binary(_name, NUM)
for _name in ("arctan2", "atan2"):
    binary(_name, FHI, inexact=True, grad_domain=("nonzero", "nonzero"), ref=np.arctan2)
binary("hypot", FHI, inexact=True, grad_domain=("nonzero", "nonzero"))
binary("logaddexp", FHI, inexact=True)
binary("copysign", FH, grad_domain=("nonzero", "nonzero"))
binary("nextafter", FH, grad=False)
for _name in ("equal", "not_equal", "less", "less_equal", "greater", "greater_equal"):
    binary(_name, ALL, grad=False)
for _name in ("logical_and", "logical_or", "logical_xor"):
    binary(_name, ("bool", "float32", "int32"), grad=False)
for _name in ("bitwise_and", "bitwise_or", "bitwise_xor"):
    binary(_name, INTB, grad=False)
for _name, _ref in [("left_shift", np.left_shift), ("right_shift", np.right_shift),
                    ("bitwise_left_shift", np.left_shift),
                    ("bitwise_right_shift", np.right_shift)]:
    binary(_name, INT, domain=("real", "shift"), grad=False, ref=_ref)

spec("where", fnp.where, np.where, 3, NUM, bcast(3), arg_dtypes=("bool", None, None),
     grad=("fwd", "rev"), grad_shapes=(((2, 3),) * 3, ((3,), (2, 1), ())), grad_argnums=(1, 2))
spec("clip", fnp.clip, np.clip, 3, NUM, bcast(3), domain=("real", "small", "pos"),
     grad=("fwd", "rev"), grad_shapes=(((2, 3),) * 3, ((2, 3), (3,), ())))
spec("clip(min=,max=)", fnp.clip, np.clip, 1, FI, one(),
     kwargs=({"min": -1.0, "max": 1.5}, {"min": 0}, {"max": 2}), grad=("fwd", "rev"),
     grad_shapes=(((2, 3),),), grad_kwargs=({"min": -1.0, "max": 1.5},))


# -- reductions --------------------------------------------------------------------------------
def reduction(name, dtypes=NUM, domain="real", grad=True, grad_domain=None, min_side=0,
              min_dims=0, kwargs=axes_kw, fn=None, ref=None, tol=1e-5, shapes=None, **kw):
    spec(name, fn or getattr(fnp, name), ref or _np(name), 1, dtypes,
         _or(shapes, one(min_dims=min_dims, max_dims=3, min_side=min_side)),
         domain=(domain,), kwargs=kwargs, tol=tol,
         grad=("fwd", "rev") if grad else (), grad_shapes=(((2, 3, 2),),) if grad else (),
         grad_domain=(grad_domain,) if grad_domain else None, **kw)


reduction("sum", ALL, tol=1e-4)
reduction("prod", NUM, domain="small", grad_domain="nonzero", tol=1e-4)
for _name in ("max", "min", "amax", "amin"):
    reduction(_name, NUM, min_side=1, grad_domain="distinct")
for _name in ("max", "min"):
    reduction(f"{_name}(initial=)", FI, fn=getattr(fnp, _name), ref=_np(_name), min_side=1,
              grad_domain="distinct", kwargs=lambda s: axes_kw(s, extra=[{"initial": 1}]))
    reduction(f"{_name}(initial=)[empty]", F, fn=getattr(fnp, _name), ref=_np(_name),
              grad=False, kwargs=({"initial": 1}, {"axis": 0, "initial": -1}),
              shapes=fixed(((0,),), ((0, 2),)))
reduction("sum(initial=)", FI, fn=fnp.sum, ref=np.sum,
          kwargs=lambda s: axes_kw(s, extra=[{"initial": 2}]))
reduction("sum(dtype=)", ("int8", "float16", "bool"), fn=fnp.sum, ref=np.sum, grad=False,
          kwargs=lambda s: axes_kw(s, keepdims=False, extra=[{"dtype": "float32"}]), tol=1e-3)
reduction("mean", NUM, min_side=1, tol=1e-4)
for _name in ("var", "std"):
    reduction(_name, ("float32", "int32"), min_side=2, min_dims=1, tol=1e-4,
              grad_domain="distinct",
              kwargs=lambda s: axes_kw(s, extra=[{}, {"ddof": 1}]))
for _name in ("argmax", "argmin"):
    reduction(_name, NUM + ("bool",), min_side=1, grad=False,
              kwargs=lambda s: axes_kw(s, multi=False))
for _name in ("any", "all"):
    reduction(_name, ALL, grad=False)
reduction("count_nonzero", ALL, grad=False, kwargs=lambda s: axes_kw(s, multi=False))
for _name in ("cumsum", "cumprod"):
    reduction(_name, ALL if _name == "cumsum" else NUM, domain="small", grad_domain="nonzero",
              kwargs=lambda s: axis_kw(s) + ([{"axis": 0, "dtype": "float32"}] if s[0] else []),
              grad_kwargs=axis_kw, tol=1e-4)
reduction("cumulative_sum", NUM, domain="small", tol=1e-4, min_dims=1,
          kwargs=lambda s: ([{}] if len(s[0]) == 1 else []) + (
              [{"axis": 0}, {"axis": -1, "include_initial": True}] if s[0] else []))



# order statistics and NaN-aware / weighted means (compositions of sort, take, where, sum)
def _q_kw(scale):
    def kws(shapes):
        qs = [(0.3, "linear"), (0.5, "midpoint"), (1.0, "lower"), (0.7, "nearest"),
              (0.2, "higher"), ([0.1, 0.9], "linear")]
        return [dict(k, q=(np.asarray(q) * scale).tolist() if isinstance(q, list) else q * scale,
                     method=m) for k in axes_kw(shapes, multi=False) for q, m in qs]
    return kws


reduction("quantile", F, min_side=1, grad_domain="distinct", kwargs=_q_kw(1.0), tol=1e-4)
reduction("percentile", F, min_side=1, grad_domain="distinct", kwargs=_q_kw(100.0), tol=1e-4)
reduction("median", F, min_side=1, grad_domain="distinct",
          kwargs=lambda s: axes_kw(s, multi=False), tol=1e-4)
reduction("ptp", FI, min_side=1, grad_domain="distinct", kwargs=lambda s: axes_kw(s))
reduction("average", F, min_side=1, kwargs=lambda s: axes_kw(s, multi=False), tol=1e-4)
spec("average(weights=)", lambda a, w, **kw: fnp.average(a, weights=w, **kw),
     lambda a, w, **kw: np.average(a, weights=w, **kw), 2, F, same(2, min_dims=1, min_side=1),
     domain=("real", "pos"), kwargs=lambda s: axes_kw(s, multi=False), tol=1e-4,
     grad=("fwd", "rev"), grad_shapes=(((2, 3), (2, 3)),))
reduction("nansum", F, domain="special", grad_domain="real", tol=1e-4)
def _quiet_nanmean(a, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # "Mean of empty slice": all NaN
        return np.nanmean(a, **kw)


reduction("nanmean", F, domain="special", grad_domain="real", min_side=1, tol=1e-4,
          ref=_quiet_nanmean, kwargs=lambda s: axes_kw(s, multi=False))

# -- shape manipulation ------------------------------------------------------------------------
_G1 = ("fwd", "rev")


def shape_op(name, nargs=1, shapes=None, kwargs=({},), dtypes=ALL, fn=None, ref=None,
             grad=True, grad_shapes=None, **kw):
    spec(name, fn or getattr(fnp, name), ref or _np(name), nargs, dtypes, _or(shapes, one()),
         kwargs=kwargs, grad=_G1 if grad else (), grad_shapes=grad_shapes or (((2, 3, 2),),)
         if grad else (), **kw)


def _reshape_kw(s):
    n = math.prod(s[0])
    out = [{"shape": (n,)}, {"shape": (-1,)}, {"shape": (1, n, 1)}, {"shape": tuple(s[0])[::-1]}]
    out += [{"shape": (d, -1)} for d in (2, 3) if n and n % d == 0]
    return out


def _perm_kw(s):
    nd = len(s[0])
    out = [{"axes": None}, {"axes": tuple(range(nd))}, {"axes": tuple(range(nd))[::-1]}]
    return out + ([{"axes": tuple(range(1, nd)) + (0,)}] if nd else [])


shape_op("reshape", kwargs=_reshape_kw)
shape_op("ravel")
shape_op("transpose", kwargs=_perm_kw)
shape_op("permute_dims", shapes=one(min_dims=1),
         kwargs=lambda s: [k for k in _perm_kw(s) if k["axes"] is not None])
shape_op("matrix_transpose", shapes=one(min_dims=2))
shape_op("linalg.matrix_transpose", shapes=one(min_dims=2), fn=fnp.linalg.matrix_transpose,
         ref=np.linalg.matrix_transpose)
shape_op("swapaxes", shapes=one(min_dims=1),
         kwargs=lambda s: [{"axis1": 0, "axis2": -1}, {"axis1": -1, "axis2": 0},
                           {"axis1": 0, "axis2": 0}] + ([{"axis1": 1, "axis2": 2}]
                                                        if len(s[0]) >= 3 else []))
shape_op("moveaxis", shapes=one(min_dims=1),
         kwargs=lambda s: [{"source": 0, "destination": -1}, {"source": -1, "destination": 0}]
         + ([{"source": (0, 1), "destination": (-1, 0)}] if len(s[0]) >= 2 else []))
shape_op("expand_dims",
         kwargs=lambda s: [{"axis": 0}, {"axis": -1}, {"axis": (-1, 0)}]
         + ([{"axis": (0, 2)}] if s[0] else []))
shape_op("squeeze", shapes=hnp.array_shapes(min_dims=0, max_dims=4, min_side=1,
                                            max_side=2).map(lambda s: (s,)),
         kwargs=lambda s: [{}] + [{"axis": i} for i, d in enumerate(s[0]) if d == 1][:2]
         + ([{"axis": tuple(i for i, d in enumerate(s[0]) if d == 1)}]),
         grad_shapes=(((2, 1, 3),),))


def _concat_kw(s):
    nd = len(s[0])
    ok = [a for a in range(nd) if all(t[:a] + t[a + 1:] == s[0][:a] + s[0][a + 1:] for t in s)]
    return [{"axis": a} for a in ok] + [{"axis": a - nd} for a in ok] + [{"axis": None}]


for _name, _n in (("concatenate", 3), ("concat", 2)):
    shape_op(_name, _n, _concat_shapes(_n), _concat_kw,
             fn=lambda *xs, **k: fnp.concatenate(xs, **k),
             ref=lambda *xs, **k: np.concatenate(xs, **k),
             grad_shapes=(((2, 3), (1, 3), (4, 3))[:_n],))
spec("concatenate[mixed dtypes]", lambda x, y: fnp.concatenate([x, y]),
     lambda x, y: np.concatenate([x.astype(np.float32), y]), 2, ("int32", "int8", "bool"),
     same(2, min_dims=1), arg_dtypes=(None, "float32"))
shape_op("stack", 3, same(3),
         lambda s: [{"axis": a} for a in range(-len(s[0]) - 1, len(s[0]) + 1)],
         fn=lambda *xs, **k: fnp.stack(xs, **k), ref=lambda *xs, **k: np.stack(xs, **k),
         grad_shapes=(((2, 3),) * 3,))
shape_op("hstack", 2, st.one_of(st.tuples(st.integers(0, 3), st.integers(0, 3)).map(
    lambda t: ((t[0],), (t[1],))), fixed(((2, 3), (2, 1)), ((), (2,)), ((), ()))),
         fn=lambda *xs: fnp.hstack(xs), ref=lambda *xs: np.hstack(xs),
         grad_shapes=(((2, 3), (2, 1)),))
shape_op("vstack", 2, fixed(((3,), (3,)), ((2, 3), (1, 3)), ((2, 3), (3,)), ((), ()),
                            ((2, 3, 2), (1, 3, 2))),
         fn=lambda *xs: fnp.vstack(xs), ref=lambda *xs: np.vstack(xs),
         grad_shapes=(((2, 3), (3,)),))
shape_op("unstack", shapes=one(min_dims=1), kwargs=lambda s: [{}, {"axis": -1}],
         grad_shapes=(((2, 3),),))


def _split_kw(s, uneven=False):
    out = []
    for ax in range(len(s[0])):
        n = s[0][ax]
        if uneven:
            out += [{"indices_or_sections": k, "axis": ax} for k in (2, 3) if n % k and n > k]
            continue
        out += [{"indices_or_sections": k, "axis": ax} for k in (1, 2, 3) if n % k == 0]
        out += [{"indices_or_sections": [1, 3], "axis": ax},
                {"indices_or_sections": [-1], "axis": -len(s[0]) + ax}]
    return out


_split_ref = lambda x, **k: np.split(x, **k)  # noqa: E731
for _name in ("split", "array_split"):
    shape_op(_name, shapes=one(min_dims=1, max_dims=2, min_side=1), kwargs=_split_kw,
             ref=_np(_name), grad_shapes=(((4, 3),),))
spec("array_split[uneven]", fnp.array_split, np.array_split, 1, F,
     fixed(((5,),), ((4, 5),), ((7, 2),)), kwargs=lambda s: _split_kw(s, uneven=True))
shape_op("tile", kwargs=({"reps": 2}, {"reps": (2, 1)}, {"reps": (1, 2, 2)}, {"reps": (0, 1)}),
         ref=lambda x, reps: np.tile(x, reps))
shape_op("repeat", shapes=one(max_dims=2, min_side=1),
         kwargs=lambda s: [{"repeats": 2}, {"repeats": 0}]
         + [{"repeats": 3, "axis": a} for a in range(len(s[0]))]
         + ([{"repeats": list(range(s[0][0])), "axis": 0}] if s[0] else []),
         grad_shapes=(((2, 3),),))
shape_op("repeat[array repeats, axis>0]", shapes=one(min_dims=2, max_dims=2, min_side=2),
         fn=fnp.repeat, ref=np.repeat, grad=False,
         kwargs=lambda s: [{"repeats": [2] * s[0][1], "axis": 1},
                           {"repeats": [1] * s[0][1], "axis": -1}])
shape_op("broadcast_to",
         kwargs=lambda s: [{"shape": (2,) + s[0]}, {"shape": tuple(s[0])},
                           {"shape": (1, 3) + tuple(3 if d == 1 else d for d in s[0])}])
spec("broadcast_arrays", lambda *xs: fnp.broadcast_arrays(*xs),
     lambda *xs: np.broadcast_arrays(*xs), 3, ALL, bcast(3), grad=_G1,
     grad_shapes=(((2, 3), (3,), (1, 1)),))
shape_op("rot90", shapes=one(min_dims=2, max_dims=3),
         kwargs=lambda s: [{"k": k} for k in (1, 2, 3, -1, 4)] + [{"k": 1, "axes": (1, 0)}] + (
             [{"k": 1, "axes": (2, 0)}, {"k": 3, "axes": (-1, 1)}] if len(s[0]) == 3 else []))
shape_op("flip", kwargs=lambda s: axis_kw(s) + ([{"axis": (0, -1)}] if len(s[0]) > 1 else []))
shape_op("fliplr", shapes=one(min_dims=2))
shape_op("flipud", shapes=one(min_dims=1))
shape_op("roll", kwargs=lambda s: [{"shift": 1}, {"shift": -7}] + (
    [{"shift": 2, "axis": 0}, {"shift": -1, "axis": -1}] if s[0] else []) + (
    [{"shift": (1, 2), "axis": (0, 1)}, {"shift": 1, "axis": (0, -1)}] if len(s[0]) > 1 else []))
_PAD_MODES = ({"pad_width": 2, "mode": "edge"}, {"pad_width": 1, "mode": "reflect"},
              {"pad_width": (2, 1), "mode": "symmetric"}, {"pad_width": 3, "mode": "wrap"})
shape_op("pad", shapes=one(max_dims=2, min_side=1),
         kwargs=lambda s: [{"pad_width": 1}, {"pad_width": ((1, 0),)},
                           {"pad_width": 1, "constant_values": 3},
                           {"pad_width": ((1, 2),) + ((0, 0),) * (len(s[0]) - 1),
                            "mode": "edge"}] + (list(_PAD_MODES) if len(s[0]) < 2 else []),
         grad_shapes=(((2, 3),), ((4,),)))
shape_op("pad[modes, ndim>1]", shapes=one(min_dims=2, max_dims=2, min_side=2), fn=fnp.pad,
         ref=np.pad, kwargs=_PAD_MODES, grad_shapes=(((2, 3),),))
for _name in ("atleast_1d", "atleast_2d", "atleast_3d"):
    shape_op(_name)
    spec(f"{_name}[2 args]", getattr(fnp, _name), _np(_name), 2, FI, one().map(lambda t: t * 2))
for _name in ("shape", "ndim", "size"):
    spec(_name, getattr(fnp, _name), _np(_name), 1, F, one(), meta=True, jit=False, vmap=False)
spec("broadcast_shapes", lambda *xs: fnp.broadcast_shapes(*[x.shape for x in xs]),
     lambda *xs: np.broadcast_shapes(*[x.shape for x in xs]), 3, F, bcast(3), meta=True,
     jit=False, vmap=False)


# -- linear algebra ----------------------------------------------------------------------------
def linalg(name, nargs, shapes, dtypes=F, domain=("real",), fn=None, ref=None, tol=1e-4,
           grad=True, grad_shapes=None, **kw):
    if fn is None:
        obj = fnp
        for part in name.split("."):
            obj = getattr(obj, part)
        fn = obj
    if ref is None:
        obj = np
        for part in name.split("."):
            obj = getattr(obj, part)
        ref = obj
    spec(name, fn, ref, nargs, dtypes, shapes, domain=domain, tol=tol,
         grad=_G1 if grad else (), grad_shapes=grad_shapes or (), **kw)


linalg("matmul", 2, _matmul_shapes(), FI + ("float16",),
       grad_shapes=(((2, 3), (3, 4)), ((3,), (2, 3, 2)), ((2, 1, 2, 3), (3, 3, 2))))
linalg("linalg.matmul", 2, _matmul_shapes(), FI, grad_shapes=(((2, 3), (3, 4)),))
linalg("dot", 2, st.one_of(_matmul_shapes(max_batch=0),
                           fixed(((), (3,)), ((2, 3), ()), ((2, 3, 4), (5, 4, 2)),
                                 ((3, 4), (2, 4, 3)))), FI,
       grad_shapes=(((2, 3), (3, 4)), ((2, 3, 4), (3, 4, 2)), ((3,), ())))
_TD = [(((2, 3, 4), (3, 4, 5)), 2), (((2, 3), (3, 4)), 1), (((2, 3), (4, 1)), 0),
       (((2, 3, 4), (4, 3, 2)), ([1, 2], [1, 0])), (((3, 2), (4, 3)), ([0], [1])),
       (((2, 3), (2, 3)), ((0, 1), (0, 1))), (((3,), (3,)), 1)]
for _name in ("tensordot", "linalg.tensordot"):
    linalg(_name, 2, fixed(*[s for s, _ in _TD]), FI,
           kwargs=lambda s: [{"axes": a} for t, a in _TD if t == s],
           grad_shapes=tuple(s for s, _ in _TD[:4]),
           grad_kwargs=lambda s: [{"axes": a} for t, a in _TD if t == s])
_EIN2 = [("ij,jk->ik", ((2, 3), (3, 4))), ("ij,jk", ((2, 3), (3, 1))), ("i,i->", ((3,), (3,))),
         ("i,j->ij", ((2,), (3,))), ("bij,bjk->bik", ((2, 3, 4), (2, 4, 1))),
         ("...ij,...jk->...ik", ((2, 1, 3, 2), (4, 2, 2))), ("ij,ij->i", ((2, 3), (2, 3))),
         ("ii,i->i", ((3, 3), (3,))), ("ijk,kj->i", ((2, 3, 4), (4, 3))),
         ("ij,kl->ljki", ((2, 1), (3, 2))), ("i,->i", ((3,), ())), ("ij,j", ((2, 0), (0,)))]
_EIN1 = [("ii->", ((3, 3),)), ("ij->ji", ((2, 3),)), ("ij->", ((2, 3),)), ("ii->i", ((3, 3),)),
         ("ijk->kij", ((2, 3, 1),)), ("...i->...", ((2, 3, 2),)), ("iji->j", ((2, 3, 2),)),
         ("ij", ((2, 3),)), ("ji", ((2, 3),))]
_EIN3 = [("ij,jk,kl->il", ((2, 3), (3, 4), (4, 2))), ("i,i,i->", ((3,), (3,), (3,))),
         ("bi,bj,bk->bijk", ((2, 2), (2, 3), (2, 1))), ("ab,bc,ca", ((2, 3), (3, 4), (4, 2)))]
for _suffix, _table, _n in (("[1 operand]", _EIN1, 1), ("", _EIN2, 2), ("[3 operands]", _EIN3, 3)):
    linalg(f"einsum{_suffix}", _n, fixed(*[s for _, s in _table]), FI,
           fn=lambda *xs, subscripts: fnp.einsum(subscripts, *xs),
           ref=lambda *xs, subscripts: np.einsum(subscripts, *xs),
           kwargs=(lambda tbl: lambda s: [{"subscripts": e} for e, t in tbl if t == s])(_table),
           grad_shapes=tuple(s for _, s in _table[:5]))
linalg("kron", 2, fixed(((2, 3), (2, 2)), ((3,), (2, 2)), ((2, 2), (3,)), ((4,), (2,)),
                       ((2, 1, 2), (2, 2))), FI,
       grad_shapes=(((2, 3), (2, 2)), ((3,), (2,))))
linalg("cross", 2, fixed(((3,), (3,)), ((4, 3), (4, 3)), ((2, 3), (3,)), ((3, 2), (3, 2))), FI,
       kwargs=lambda s: [{"axis": -1}] if s[0][-1] == 3 and s[1][-1] == 3 else [{"axis": 0}],
       grad_shapes=(((3,), (3,)), ((2, 3), (2, 3))))
for _name in ("outer", "linalg.outer"):
    linalg(_name, 2, bcast(2, max_dims=2) if _name == "outer" else fixed(((3,), (2,)), ((0,), (4,)),
                                                                        ((1,), (1,))), FI,
           grad_shapes=(((3,), (2,)),), tol=1e-5)
linalg("inner", 2, st.one_of(bcast(2, max_dims=2).map(
    lambda t: tuple(s + (3,) for s in t)), fixed(((), (2, 3)), ((2,), ()))), FI,
       grad_shapes=(((2, 3), (4, 3)), ((3,), (3,))))
linalg("vdot", 2, same(2), FI, grad_shapes=(((2, 3), (2, 3)),))
for _name in ("vecdot", "linalg.vecdot"):
    linalg(_name, 2, bcast(2, max_dims=2).map(lambda t: tuple(s + (3,) for s in t)), FI,
           kwargs=({}, {"axis": -1}), grad_shapes=(((2, 3), (3,)),))
linalg("vecdot(axis=0)", 2, fixed(((3, 2), (3, 2)), ((3, 1), (3, 4))), FI, fn=fnp.vecdot,
       ref=np.vecdot, kwargs=({"axis": 0},), grad_shapes=(((3, 2), (3, 2)),))
_TRACE_KW = lambda s: [{}, {"offset": 1}, {"offset": -1}] + (  # noqa: E731
    [{"axis1": 1, "axis2": 2}, {"axis1": -1, "axis2": 0}] if len(s[0]) > 2 else [])
linalg("trace", 1, one(min_dims=2, max_dims=2), NUM, kwargs=_TRACE_KW,
       grad_shapes=(((3, 3),), ((3, 4),)))
linalg("trace[ndim>2]", 1, one(min_dims=3, max_dims=3, min_side=2), F, fn=fnp.trace,
       ref=np.trace, kwargs=_TRACE_KW, grad_shapes=(((2, 3, 4),),))
linalg("linalg.trace", 1, one(min_dims=2, max_dims=2), NUM,
       kwargs=({}, {"offset": 1}), grad_shapes=(((3, 3),),))
linalg("linalg.trace[batched]", 1, one(min_dims=3, min_side=2), F,
       fn=fnp.linalg.trace, ref=np.linalg.trace, grad=False)
linalg("diag", 1, one(min_dims=1, max_dims=2), NUM,
       kwargs=({}, {"k": 1}, {"k": -2}), grad_shapes=(((3,),), ((3, 4),)))
_DIAG_KW = lambda s: [{}, {"offset": 1}, {"offset": -2}, {"axis1": -1, "axis2": 0}] + (  # noqa
    [{"axis1": 1, "axis2": 2, "offset": 1}] if len(s[0]) > 2 else [])
linalg("diagonal", 1, one(min_dims=2, max_dims=2), NUM, kwargs=_DIAG_KW,
       grad_shapes=(((3, 4),),))
linalg("diagonal[ndim>2]", 1, one(min_dims=3, max_dims=3, min_side=2), F, fn=fnp.diagonal,
       ref=np.diagonal, kwargs=_DIAG_KW, grad_shapes=(((2, 3, 4),),))
for _name in ("tril", "triu"):
    linalg(_name, 1, one(min_dims=2), NUM, kwargs=({}, {"k": 1}, {"k": -1}),
           grad_shapes=(((3, 4),), ((2, 3, 3),)))
linalg("linalg.inv", 1, _square(), FI, domain=("wellcond",), grad_shapes=(((3, 3),), ((2, 2, 2),)))
linalg("linalg.solve", 2, _square(rhs=True), FI, domain=("wellcond", "real"),
       grad_shapes=(((3, 3), (3,)), ((3, 3), (3, 2)), ((2, 2, 2), (2, 2, 1))))
linalg("linalg.det", 1, _square(), FI, domain=("wellcond",), tol=2e-4,
       grad_shapes=(((3, 3),), ((2, 2, 2),)))
linalg("linalg.slogdet", 1, _square(), FI, domain=("wellcond",),
       grad_shapes=(((3, 3),), ((2, 2, 2),)))
_sym = lambda a: (a + np.swapaxes(a, -1, -2)) / 2  # noqa: E731


def _fsym(a):
    return (a + fnp.swapaxes(a, -1, -2)) / 2


# cholesky reads one triangle, so derivatives are checked through a symmetrisation
linalg("linalg.cholesky", 1, _square(), F, domain=("spd",), kwargs=({}, {"upper": True}),
       grad_fn=lambda a, **k: fnp.linalg.cholesky(_fsym(a), **k),
       grad_shapes=(((3, 3),), ((2, 2, 2),)))


def _norm_kw(s):
    nd = len(s[0])
    out = [{}, {"keepdims": True}]
    if nd >= 1:
        out += [{"axis": -1}, {"ord": 1, "axis": 0}, {"ord": np.inf, "axis": -1},
                {"ord": -np.inf, "axis": 0}, {"ord": 3, "axis": -1, "keepdims": True}]
    if nd == 1:
        out += [{"ord": 1}, {"ord": 2}]
    if nd >= 2:
        out += [{"axis": (0, 1)}, {"ord": "fro", "axis": (-1, 0)}, {"ord": 1, "axis": (0, 1)},
                {"ord": np.inf, "axis": (0, -1), "keepdims": True}, {"ord": -1, "axis": (0, 1)}]
    return out


linalg("linalg.norm", 1, one(max_dims=3, min_side=1), FI, kwargs=_norm_kw,
       domain=("nonzero",), grad_domain=("distinct",), grad_shapes=(((3,),), ((2, 3),)))
linalg("linalg.norm(ord=0)", 1, one(min_dims=1, max_dims=2, min_side=1), FI,
       fn=fnp.linalg.norm, ref=np.linalg.norm, kwargs=({"ord": 0, "axis": -1},), grad=False)
linalg("linalg.vector_norm[0-d keepdims]", 1, fixed(((),)), F, fn=fnp.linalg.vector_norm,
       ref=np.linalg.vector_norm, kwargs=({"keepdims": True}, {"keepdims": True, "ord": 1}),
       grad=False)
linalg("linalg.vector_norm", 1, one(min_dims=1, max_dims=3, min_side=1), FI, domain=("nonzero",),
       kwargs=lambda s: [{}, {"keepdims": True}] + (
           [{"axis": -1, "ord": 1}, {"axis": 0, "ord": np.inf}, {"axis": -1, "ord": 3}]
           if s[0] else []),
       grad_domain=("distinct",), grad_shapes=(((3,),), ((2, 3),)))
linalg("linalg.vector_norm[axis pair]", 1, one(min_dims=2, max_dims=3, min_side=1), F,
       fn=fnp.linalg.vector_norm, ref=np.linalg.vector_norm, grad=False,
       kwargs=({"axis": (0, 1)}, {"axis": (-1, 0), "keepdims": True}))
linalg("linalg.matrix_norm", 1, one(min_dims=2, max_dims=3, min_side=1), FI, domain=("nonzero",),
       kwargs=({}, {"keepdims": True}, {"ord": 1}, {"ord": -np.inf}, {"ord": "fro"}),
       grad_domain=("distinct",), grad_shapes=(((3, 2),), ((2, 3, 2),)))


# -- indexing ----------------------------------------------------------------------------------
def _real(rng, shape, dt):
    return DOMAINS["real"](rng, shape, dt, True)


def _take_build(rng, shapes, dt, kw):
    x = _real(rng, shapes[0], dt)
    ax = kw.get("axis")
    n = x.size if ax is None else x.shape[ax]
    return [x, rng.integers(-n, n, size=shapes[1]).astype(np.int32)]


def _interp_build(rng, shapes, dt, kw):
    n = shapes[1][0]
    xp = (-2.0 + np.cumsum(0.5 + rng.random(n))).astype(dt)
    x = rng.uniform(-3.0, 3.0, size=shapes[0])
    near = np.abs(x[..., None] - xp).min(axis=-1) < 0.05  # keep finite differences off the kinks
    x = np.where(near, x + 0.1, x).astype(dt)
    return [x, xp, rng.normal(size=n).astype(dt)]


spec("interp", fnp.interp, np.interp, 3, F, fixed(((5,), (4,), (4,)), ((2, 3), (3,), (3,)),
                                                   ((), (1,), (1,)), ((3,), (2,), (2,))),
     build=_interp_build, kwargs=({}, {"left": -5.0, "right": 7.0}), grad=_G1,
     grad_shapes=(((5,), (4,), (4,)),), grad_argnums=(0, 2))


spec("take", fnp.take, np.take, 2, NUM, st.tuples(hnp.array_shapes(max_dims=3, min_side=1),
                                                   hnp.array_shapes(min_dims=0, max_dims=2)),
     build=_take_build,
     kwargs=lambda s: [{"axis": None}, {"axis": 0}] + ([{"axis": -1}] if len(s[0]) == 1 or
                                                       not s[1] else []),
     grad=_G1, grad_shapes=(((3, 4), (2,)), ((3, 4), ())), grad_argnums=(0,))
spec("take[axis>0]", fnp.take, np.take, 2, F,
     st.tuples(hnp.array_shapes(min_dims=2, max_dims=3, min_side=2, max_side=4),
               hnp.array_shapes(min_dims=1, max_dims=2, min_side=1, max_side=3)),
     build=_take_build, kwargs=({"axis": 1}, {"axis": -1}), grad=_G1,
     grad_shapes=(((3, 4), (2,)),), grad_argnums=(0,))


def _tal_build(rng, shapes, dt, kw):
    x = _real(rng, shapes[0], dt)
    ax = kw["axis"]
    ishape = list(x.shape) if ax is not None else [x.size]
    ax = 0 if ax is None else ax
    ishape[ax] = shapes[1][0]
    return [x, rng.integers(-x.shape[ax] if kw["axis"] is not None else -x.size,
                            x.shape[ax] if kw["axis"] is not None else x.size,
                            size=ishape).astype(np.int32)]


spec("take_along_axis", fnp.take_along_axis, np.take_along_axis, 2, NUM,
     st.tuples(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1),
               st.integers(0, 3).map(lambda k: (k,))),
     build=_tal_build, kwargs=lambda s: [{"axis": 0}, {"axis": -1}, {"axis": None}], grad=_G1,
     grad_shapes=(((3, 4), (2,)),), grad_argnums=(0,))


def _argsort_ref(x, axis=-1, descending=False):
    if not descending:
        return np.argsort(x, axis=axis, stable=True)
    if axis is None:
        x, axis = x.ravel(), 0
    # stable descending: a stable ascending sort of the reversed array, reversed back
    n = x.shape[axis]
    return n - 1 - np.flip(np.argsort(np.flip(x, axis), axis=axis, stable=True), axis)


def _sort_ref(x, axis=-1, descending=False):
    if descending:
        if axis is None:
            x, axis = x.ravel(), 0
        return np.take_along_axis(x, _argsort_ref(x, axis, True), axis)
    return np.sort(x, axis=axis)


_SORT_KW = lambda s: ([{}, {"axis": None}, {"descending": True}]  # noqa: E731
                      + ([{"axis": 0}, {"axis": 0, "descending": True}] if s[0] else []))
spec("argsort", fnp.argsort, _argsort_ref, 1, ("float32", "int32", "uint8", "bool"),
     one(min_dims=1),
     kwargs=_SORT_KW)
spec("sort", fnp.sort, _sort_ref, 1, ("float32", "int32", "uint8", "bool"), one(min_dims=1),
     kwargs=_SORT_KW, grad=_G1, grad_shapes=(((3, 4),),), grad_domain=("distinct",))
spec("nonzero", fnp.nonzero, np.nonzero, 1, ALL, one(min_dims=1), jit=False, vmap=False)


def _nonzero_size_ref(x, size, fill_value=None):
    out = []
    for r in np.nonzero(x):
        pad = np.full(size, 0 if fill_value is None else fill_value, dtype=np.int64)
        pad[:min(size, len(r))] = r[:size]
        out.append(pad)
    return tuple(out)


spec("nonzero(size=)", fnp.nonzero, _nonzero_size_ref, 1, FI, one(min_dims=1),
     kwargs=({"size": 3}, {"size": 5, "fill_value": -1}, {"size": 0}))
spec("flatnonzero", fnp.flatnonzero, np.flatnonzero, 1, ALL, one(), jit=False, vmap=False)
spec("argwhere", fnp.argwhere, np.argwhere, 1, ALL, one(), jit=False, vmap=False)


# -- TensorFlow-style gathers ------------------------------------------------------------------
def _np_gather(params, indices, axis=None, batch_dims=0):
    if batch_dims < 0:
        batch_dims += indices.ndim
    if axis is None:
        axis = batch_dims
    if axis < 0:
        axis += params.ndim
    if batch_dims:
        return np.stack([_np_gather(p, i, axis - 1, batch_dims - 1)
                         for p, i in zip(params, indices, strict=True)])
    return np.take(params, indices, axis=axis)


def _np_gather_nd(params, indices, batch_dims=0):
    if batch_dims:
        return np.stack([_np_gather_nd(p, i, batch_dims - 1)
                         for p, i in zip(params, indices, strict=True)])
    return params[tuple(np.moveaxis(indices, -1, 0))]


def _gather_build(rng, shapes, dt, kw):
    x = _real(rng, shapes[0], dt)
    b = kw.get("batch_dims", 0)
    ax = kw.get("axis", b)
    ishape = tuple(x.shape[:b]) + shapes[1]
    return [x, rng.integers(0, x.shape[ax], size=ishape).astype(np.int32)]


spec("gather", fnp.gather, _np_gather, 2, NUM,
     st.tuples(hnp.array_shapes(min_dims=2, max_dims=3, min_side=1, max_side=3),
               hnp.array_shapes(min_dims=0, max_dims=2, max_side=3)), build=_gather_build,
     kwargs=lambda s: [{}, {"axis": 1, "batch_dims": 1}] + (
         [{"axis": 1}, {"axis": -1}] if not s[1] else []),
     grad=_G1, grad_shapes=(((3, 4), (2,)),), grad_argnums=(0,))
spec("gather[axis>0]", fnp.gather, _np_gather, 2, F,
     st.tuples(hnp.array_shapes(min_dims=2, max_dims=3, min_side=2, max_side=3),
               hnp.array_shapes(min_dims=1, max_dims=2, min_side=1, max_side=3)),
     build=_gather_build, kwargs=({"axis": 1}, {"axis": -1}), grad=_G1,
     grad_shapes=(((3, 4), (2,)),), grad_argnums=(0,))


def _gather_nd_build(rng, shapes, dt, kw):
    x = _real(rng, shapes[0], dt)
    b = kw.get("batch_dims", 0)
    k = kw["_k"]
    ishape = tuple(x.shape[:b]) + shapes[1] + (k,)
    cols = [rng.integers(0, x.shape[b + j], size=ishape[:-1]) for j in range(k)]
    return [x, np.stack(cols, -1).astype(np.int32).reshape(ishape)]


spec("gather_nd", lambda p, i, _k, **k: fnp.gather_nd(p, i, **k),
     lambda p, i, _k, **k: _np_gather_nd(p, i, **k), 2, NUM,
     st.tuples(hnp.array_shapes(min_dims=2, max_dims=3, min_side=1, max_side=3),
               hnp.array_shapes(min_dims=0, max_dims=2, max_side=3)), build=_gather_nd_build,
     kwargs=({"_k": 1}, {"_k": 2}, {"_k": 1, "batch_dims": 1}), grad=_G1,
     grad_shapes=(((3, 4), (2,)),), grad_argnums=(0,))


def _batch_gather_build(rng, shapes, dt, kw):
    x = _real(rng, shapes[0], dt)
    k = len(shapes[0]) - 1
    ishape = tuple(x.shape[:k]) + shapes[1]
    return [x, rng.integers(0, x.shape[k], size=ishape).astype(np.int32)]


spec("batch_gather", fnp.batch_gather,
     lambda p, i: _np_gather(p, i, axis=i.ndim - 1, batch_dims=i.ndim - 1), 2, NUM,
     st.tuples(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3),
               st.integers(0, 3).map(lambda n: (n,))), build=_batch_gather_build,
     grad=_G1, grad_shapes=(((3, 4), (2,)),), grad_argnums=(0,))


def _bmask_build(rng, shapes, dt, kw):
    x = _real(rng, shapes[0], dt)
    ax, k = kw.get("axis", 0), kw["_k"]
    return [x, rng.random(size=x.shape[ax:ax + k]) < 0.5]


spec("boolean_mask", lambda x, m, _k, **k: fnp.boolean_mask(x, m, **k),
     lambda x, m, _k, axis=0: x[(slice(None),) * axis + (m,)], 2, NUM,
     one(min_dims=2, max_dims=3).map(lambda t: t + ((),)), build=_bmask_build,
     kwargs=({"_k": 1}, {"_k": 2}, {"_k": 1, "axis": 1}), jit=False, vmap=False)


# -- Array operators and methods ---------------------------------------------------------------
def _op(name, f, nargs=2, dtypes=NUM, shapes=None, domain=("real",), grad=True, grad_shapes=None,
        ref=None, **kw):
    spec(name, f, ref or f, nargs, dtypes, _or(shapes, bcast(nargs) if nargs > 1 else one()),
         domain=domain, grad=_G1 if grad else (),
         grad_shapes=grad_shapes or ((((2, 3), (3,)) if nargs == 2 else ((2, 3),)),) if grad
         else (), **kw)


_op("x + y", lambda x, y: x + y, dtypes=ALL)
_op("x - y", lambda x, y: x - y)
_op("x * y", lambda x, y: x * y, dtypes=ALL)
_op("x / y", lambda x, y: x / y, dtypes=FHI, domain=("real", "nonzero"), inexact=True)
_op("x // y", lambda x, y: x // y, domain=("real", "nonzero"),
    grad_domain=("nonint", "nonzero"))
_op("x % y", lambda x, y: x % y, domain=("real", "nonzero"), grad_domain=("nonint", "nonzero"))
_op("x ** y", lambda x, y: x ** y, dtypes=("float32", "int32"), domain=("pos", "exponent"))
_op("x @ y", lambda x, y: x @ y, dtypes=FI, shapes=_matmul_shapes(), tol=1e-4,
    grad_shapes=(((2, 3), (3, 4)),))
_op("divmod(x, y)", lambda x, y: divmod(x, y), dtypes=FI, domain=("real", "nonzero"),
    grad=False)
for _sym_, _f in [("&", lambda x, y: x & y), ("|", lambda x, y: x | y),
                  ("^", lambda x, y: x ^ y)]:
    _op(f"x {_sym_} y", _f, dtypes=INTB, grad=False)
_op("x << y", lambda x, y: x << y, dtypes=INT, domain=("real", "shift"), grad=False)
_op("x >> y", lambda x, y: x >> y, dtypes=INT, domain=("real", "shift"), grad=False)
for _sym_, _f in [("<", lambda x, y: x < y), ("<=", lambda x, y: x <= y),
                  (">", lambda x, y: x > y), (">=", lambda x, y: x >= y),
                  ("==", lambda x, y: x == y), ("!=", lambda x, y: x != y)]:
    _op(f"x {_sym_} y", _f, dtypes=ALL, grad=False)
# Python scalars are weakly typed: the array's dtype wins (NumPy 2 agrees for these)
_op("x + 2.5", lambda x: x + 2.5, 1, dtypes=("float32", "float16"))
_op("2.5 - x", lambda x: 2.5 - x, 1, dtypes=("float32", "float16"))
_op("x * 3", lambda x: x * 3, 1, dtypes=NUM)
_op("3 * x", lambda x: 3 * x, 1, dtypes=NUM)
_op("x / 2", lambda x: x / 2, 1, dtypes=("float32", "float16"))
_op("1 / x", lambda x: 1 / x, 1, dtypes=("float32",), domain=("nonzero",))
_op("x ** 2", lambda x: x ** 2, 1, dtypes=("float32", "float16", "int32"))
_op("x ** 0.5", lambda x: x ** 0.5, 1, dtypes=("float32",), domain=("pos",))
_op("2.0 ** x", lambda x: 2.0 ** x, 1, dtypes=("float32",), domain=("small",))
_op("x // 2", lambda x: x // 2, 1, dtypes=FI, grad_domain=("nonint",))
_op("x % 3", lambda x: x % 3, 1, dtypes=FI, grad_domain=("nonint",))
_op("x > 0.5", lambda x: x > 0.5, 1, dtypes=FI, grad=False)
_op("x == 1", lambda x: x == 1, 1, dtypes=FI, grad=False)
_op("int32 * 1.5", lambda x: x * 1.5, 1, dtypes=("int32", "int8"), grad=False,
    out_dtype=lambda dt: np.dtype("float32"))
_op("-x", lambda x: -x, 1, dtypes=NUM)
_op("+x", lambda x: +x, 1, dtypes=NUM)
_op("abs(x)", lambda x: abs(x), 1, dtypes=NUM, grad_domain=("nonzero",))
_op("~x", lambda x: ~x, 1, dtypes=INTB, grad=False)
_op("x.T", lambda x: x.T, 1, dtypes=ALL)
_op("x.mT", lambda x: x.mT, 1, dtypes=ALL, shapes=one(min_dims=2))
_op("x.reshape", lambda x, *, shape: x.reshape(shape), 1, dtypes=ALL,
    kwargs=lambda s: [{"shape": k["shape"]} for k in _reshape_kw(s)])
_op("x.reshape(*dims)", lambda x: x.reshape(-1, 1), 1, dtypes=F)
_op("x.astype", lambda x, *, dtype: x.astype(dtype), 1, dtypes=ALL,
    kwargs=({"dtype": "float32"}, {"dtype": "int32"}, {"dtype": "bool"}, {"dtype": "uint8"},
            {"dtype": "float16"}), domain=("nonneg",), grad=False)
_op("x.astype(float)", lambda x, *, dtype: x.astype(dtype), 1, dtypes=F,
    kwargs=({"dtype": "float32"}, {"dtype": "float16"}), tol=1e-3,
    grad_kwargs=({"dtype": "float32"},), grad_tol=1e-2)  # float32 finite differences
_op("x.transpose", lambda x, *a: x.transpose(*a), 1, dtypes=F, shapes=one(min_dims=2, max_dims=2),
    kwargs=({},))
_op("x.transpose(axes)", lambda x: x.transpose(1, 0, 2), 1, dtypes=F,
    shapes=one(min_dims=3, max_dims=3), grad_shapes=(((2, 3, 2),),))
_op("x.swapaxes", lambda x: x.swapaxes(0, -1), 1, dtypes=F, shapes=one(min_dims=1))
_op("x.ravel()", lambda x: x.ravel(), 1, dtypes=F)
_op("x.flatten()", lambda x: x.flatten(), 1, dtypes=F)
_op("x.squeeze()", lambda x: x.squeeze(), 1, dtypes=F,
    shapes=hnp.array_shapes(min_dims=0, max_dims=4, min_side=1, max_side=2).map(lambda s: (s,)))
for _m, _dts, _dom, _ms, _kwf in [
        ("sum", ALL, "real", 0, axes_kw), ("mean", FI, "real", 1, axes_kw),
        ("prod", FI, "small", 0, axes_kw), ("max", NUM, "real", 1, axes_kw),
        ("min", NUM, "real", 1, axes_kw), ("std", F, "real", 2, axes_kw),
        ("var", F, "real", 2, axes_kw), ("any", ALL, "real", 0, axes_kw),
        ("all", ALL, "real", 0, axes_kw),
        ("argmax", NUM, "real", 1, lambda s: axes_kw(s, multi=False)),
        ("argmin", NUM, "real", 1, lambda s: axes_kw(s, multi=False)),
        ("cumsum", FI, "real", 0, axis_kw), ("cumprod", FI, "small", 0, axis_kw)]:
    _op(f"x.{_m}", (lambda m: lambda x, **k: getattr(x, m)(**k))(_m), 1, dtypes=_dts,
        shapes=one(min_side=_ms), domain=(_dom,), kwargs=_kwf,
        grad=_m not in ("any", "all", "argmax", "argmin"), grad_shapes=(((2, 3, 2),),),
        grad_domain=("distinct",) if _m in ("max", "min", "std", "var") else
        ("nonzero",) if _m in ("prod", "cumprod") else None, tol=1e-4)
_op("x.clip", lambda x: x.clip(-1, 1.5), 1, dtypes=FI)
_op("x.round", lambda x, **k: x.round(**k), 1, dtypes=F, kwargs=({}, {"decimals": 1}),
    grad_domain=("nonint",), tol=1e-4)
_op("x.dot", lambda x, y: x.dot(y), 2, dtypes=FI, shapes=_matmul_shapes(max_batch=0),
    tol=1e-4, grad_shapes=(((2, 3), (3,)),))
_op("x.take", lambda x, i: x.take(i), 2, dtypes=F,
    shapes=st.tuples(hnp.array_shapes(min_side=1), hnp.array_shapes(min_dims=0, max_dims=2)),
    build=lambda rng, s, dt, kw: _take_build(rng, s, dt, {}), grad_argnums=(0,),
    grad_shapes=(((3, 2), (4,)),))
_op("x.sort", lambda x, **k: x.sort(**k), 1, ref=lambda x, **k: np.sort(x, **k), dtypes=FI,
    kwargs=({}, {"axis": 0}),
    shapes=one(min_dims=1), grad_domain=("distinct",))
_op("x.argsort", lambda x: x.argsort(), 1, dtypes=FI, shapes=one(min_dims=1), grad=False,
    ref=lambda x: np.argsort(x, stable=True))  # funcnet sorts stably (NumPy: quicksort)
_op("x.diagonal", lambda x: x.diagonal(), 1, dtypes=FI, shapes=one(min_dims=2, max_dims=2))
_op("x.trace", lambda x: x.trace(), 1, dtypes=FI, shapes=one(min_dims=2, max_dims=2))
_op("x.repeat", lambda x: x.repeat(2), 1, dtypes=FI)
_op("x.conj", lambda x: x.conj(), 1, dtypes=("float32", "complex64"), grad=False)
_op("x.real", lambda x: x.real, 1, dtypes=("float32", "complex64"))
_op("x.imag", lambda x: x.imag, 1, dtypes=("float32", "complex64"))
spec("x.item()", lambda x: x.item(), lambda x: x.item(), 1, ALL,
     hnp.array_shapes(min_dims=0, max_dims=2, min_side=1, max_side=1).map(lambda s: (s,)),
     meta=True, jit=False, vmap=False)
spec("x.tolist()", lambda x: x.tolist(), lambda x: x.tolist(), 1, ALL, one(), meta=True,
     jit=False, vmap=False)

# indexing: x[idx] with a static index (the same lambda indexes NumPy and funcnet arrays)
_BASIC = [1, -1, (0, 1), slice(1, None), slice(None, None, -1), (Ellipsis, 0), (None, 1),
          (slice(0, 3, 2), None, -2), (1, Ellipsis, None), (), Ellipsis,
          (slice(None), slice(-2, None)), (slice(5, 1, -2),), (slice(10, None),)]
_op("x[basic]", lambda x, *, idx: x[idx], 1, dtypes=ALL,
    shapes=hnp.array_shapes(min_dims=3, max_dims=3, min_side=3, max_side=5).map(lambda s: (s,)),
    kwargs=tuple({"idx": i} for i in _BASIC), grad_shapes=(((3, 4, 3),),))


def _bool_mask_idx(form):
    # a static boolean mask derived from the shape (so it is concrete under jit)
    def idx(shape):
        full = (np.arange(math.prod(shape)).reshape(shape) % 3) != 1
        return {"full": full, "first": full[..., 0, 0] if len(shape) > 2 else full[:, 0],
                "middle": (Ellipsis, full[0, 0]) if len(shape) > 2 else (slice(None), full[0]),
                "mixed": (full[:, 0, 0], 1) if len(shape) > 2 else (full[:, 0], 1)}[form]
    return idx


_op("x[static bool mask]", lambda x, *, form: x[_bool_mask_idx(form)(x.shape)], 1, dtypes=ALL,
    shapes=hnp.array_shapes(min_dims=2, max_dims=3, min_side=2, max_side=4).map(lambda s: (s,)),
    kwargs=tuple({"form": f} for f in ("full", "first", "mixed")),
    grad_shapes=(((3, 4, 2),),))
_op("x[..., static bool mask]", lambda x: x[_bool_mask_idx("middle")(x.shape)], 1, dtypes=F,
    shapes=hnp.array_shapes(min_dims=2, max_dims=3, min_side=2, max_side=4).map(lambda s: (s,)),
    grad_shapes=(((3, 4, 2),),))
_op("x[static int list]", lambda x, *, idx: x[idx], 1, dtypes=ALL,
    shapes=hnp.array_shapes(min_dims=3, max_dims=3, min_side=3, max_side=4).map(lambda s: (s,)),
    kwargs=({"idx": [0, 2, 0]}, {"idx": ([0, 1], [2, 2])},
            {"idx": (np.array([[0], [2]]), slice(None), np.array([1, 0]))}),
    grad_shapes=(((3, 4, 3),),))
_op("x[:, static int list]", lambda x, *, idx: x[idx], 1, dtypes=F,
    shapes=hnp.array_shapes(min_dims=3, max_dims=3, min_side=3, max_side=4).map(lambda s: (s,)),
    kwargs=({"idx": (slice(None), [-1, 1])}, {"idx": (Ellipsis, [1, 0])}),
    grad_shapes=(((3, 4, 3),),))
_ADV = {"x[i]": lambda x, i: x[i], "x[i, 1]": lambda x, i: x[i, 1],
        "x[i, :, i]": lambda x, i: x[i, :, i], "x[i, i]": lambda x, i: x[i, i],
        "x[i, ::-1]": lambda x, i: x[i, ::-1], "x[1, i]": lambda x, i: x[1, i]}
# the first advanced index follows a slice / None / ...: hits the vmap bug
_ADV_LATE = {"x[:, i]": lambda x, i: x[:, i], "x[..., i]": lambda x, i: x[..., i],
             "x[1:, i]": lambda x, i: x[1:, i], "x[None, i]": lambda x, i: x[None, i],
             "x[::-1, i, 0]": lambda x, i: x[::-1, i, 0]}


def _adv_build(rng, shapes, dt, kw):
    x = _real(rng, shapes[0], dt)
    return [x, rng.integers(-3, 3, size=shapes[1]).astype(np.int32)]


_op("x[int array]", lambda x, i, *, form: _ADV[form](x, i), 2, dtypes=ALL,
    shapes=st.tuples(hnp.array_shapes(min_dims=3, max_dims=3, min_side=3, max_side=4),
                     hnp.array_shapes(min_dims=0, max_dims=2, max_side=3)),
    build=_adv_build, kwargs=tuple({"form": f} for f in _ADV), grad_argnums=(0,),
    grad_shapes=(((3, 4, 3), (2,)), ((3, 3, 3), (2, 2))))
_op("x[:, int array]", lambda x, i, *, form: _ADV_LATE[form](x, i), 2, dtypes=F,
    shapes=st.tuples(hnp.array_shapes(min_dims=3, max_dims=3, min_side=3, max_side=4),
                     hnp.array_shapes(min_dims=1, max_dims=2, min_side=1, max_side=3)),
    build=_adv_build, kwargs=tuple({"form": f} for f in _ADV_LATE), grad_argnums=(0,),
    grad_shapes=(((3, 4, 3), (2,)),))
_op("x[bool array]", lambda x, m: x[m], 2, dtypes=NUM, shapes=same(2, min_dims=1),
    arg_dtypes=(None, "bool"), grad=False, jit=False, vmap=False)
_op("x.at[i].get()", lambda x, i: x.at[i].get(), 2, dtypes=F, ref=lambda x, i: x[i],
    shapes=st.tuples(hnp.array_shapes(min_dims=1, max_dims=2, min_side=3, max_side=4),
                     hnp.array_shapes(min_dims=0, max_dims=1, max_side=3)),
    build=_adv_build, grad_argnums=(0,), grad_shapes=(((3, 2), (2,)),))

# x.at[idx].<mode>(v): static indices (repeats only where the mode accumulates)
_AT_IDX = [1, (0, slice(None)), slice(1, 3), (Ellipsis, -1), [2, 0], (None, 0)]
_AT_REPEAT = [np.array([0, 2, 0]), (np.array([1, 1]), np.array([0, 0]))]


def _at_ref(mode):
    def ref(x, v, *, idx):
        y = np.array(x, copy=True)
        if mode == "set":
            y[idx] = v
        else:
            ufunc = {"add": np.add, "multiply": np.multiply, "min": np.minimum,
                     "max": np.maximum, "subtract": np.subtract, "divide": np.true_divide}[mode]
            ufunc.at(y, idx, v.astype(y.dtype))
        return y
    return ref


def _at_build(rng, shapes, dt, kw):
    x = DOMAINS["nonzero"](rng, shapes[0], dt)
    sub = np.empty(shapes[0])[kw["idx"]].shape
    vshape = sub[len(sub) - shapes[1][0]:] if shapes[1][0] <= len(sub) else sub
    return [x, DOMAINS["nonzero"](rng, vshape, dt)]


for _mode in ("set", "add", "subtract", "multiply", "divide", "min", "max"):
    _idxs = _AT_IDX + (_AT_REPEAT if _mode != "set" else [])
    _op(f"x.at[idx].{_mode}", (lambda m: lambda x, v, *, idx: getattr(x.at[idx], m)(v))(_mode),
        2, dtypes=("float32", "int32") if _mode != "divide" else F,
        shapes=st.tuples(hnp.array_shapes(min_dims=2, max_dims=3, min_side=3, max_side=4),
                         st.integers(0, 3).map(lambda k: (k,))),
        build=_at_build, kwargs=tuple({"idx": i} for i in _idxs), ref=_at_ref(_mode),
        # min/max: a broadcast value at a repeated index ties with itself (no derivative)
        grad_shapes=(((3, 4), (3,)),) if _mode in ("min", "max") else
        (((3, 4), (0,)), ((3, 4), (2,))),
        grad_kwargs=tuple({"idx": i} for i in _AT_IDX) if _mode not in ("add", "subtract")
        else None)
    if _mode in ("min", "max"):
        _op(f"x.at[repeated idx].{_mode}",
            (lambda m: lambda x, v, *, idx: getattr(x.at[idx], m)(v))(_mode), 2, dtypes=F,
            ref=_at_ref(_mode), shapes=st.tuples(
                hnp.array_shapes(min_dims=2, max_dims=3, min_side=3, max_side=4),
                st.integers(0, 3).map(lambda k: (k,))),
            build=_at_build, kwargs=tuple({"idx": i} for i in _AT_REPEAT),
            grad_shapes=(((3, 4), (3,)),))
    if _mode in ("multiply", "divide"):
        _op(f"x.at[repeated idx].{_mode}",
            (lambda m: lambda x, v, *, idx: getattr(x.at[idx], m)(v))(_mode), 2, dtypes=F,
            ref=_at_ref(_mode), shapes=st.tuples(
                hnp.array_shapes(min_dims=2, max_dims=3, min_side=3, max_side=4),
                st.integers(0, 3).map(lambda k: (k,))),
            build=_at_build, kwargs=tuple({"idx": i} for i in _AT_REPEAT),
            grad_shapes=(((3, 4), (0,)), ((3, 4), (3,))))
for _mode in ("set", "add"):
    _op(f"x.at[:, idx].{_mode}", (lambda m: lambda x, v, *, idx: getattr(x.at[idx], m)(v))(_mode),
        2, dtypes=F, ref=_at_ref(_mode),
        shapes=st.tuples(hnp.array_shapes(min_dims=2, max_dims=3, min_side=3, max_side=4),
                         st.just((3,))),
        build=_at_build, kwargs=({"idx": (slice(None), [0, 2])}, {"idx": (Ellipsis, [1, 0])}),
        grad_shapes=(((3, 4), (3,)),))


def _at_arr_build(rng, shapes, dt, kw):
    x = DOMAINS["nonzero"](rng, shapes[0], dt)
    i = rng.permutation(shapes[0][0])[:2].astype(np.int32)
    return [x, i, DOMAINS["nonzero"](rng, (2,) + shapes[0][1:], dt)]


def _at_arr_ref(x, i, v):
    y = np.array(x, copy=True)
    y[i] = v
    return y


spec("x.at[int array].set", lambda x, i, v: x.at[i].set(v), _at_arr_ref, 3, ("float32", "int32"),
     hnp.array_shapes(min_dims=1, max_dims=3, min_side=2, max_side=4).map(lambda s: (s, (), ())),
     build=_at_arr_build, grad=_G1, grad_shapes=(((3, 2), (), ()),), grad_argnums=(0, 2))
def _at_arr_add_ref(x, i, v):
    y = np.array(x, copy=True)
    np.add.at(y, i, v)
    return y


def _at_arr_add_build(rng, shapes, dt, kw):
    x, i, v = _at_arr_build(rng, shapes, dt, kw)
    return [x, np.zeros_like(i), v]  # a repeated index: the updates accumulate


spec("x.at[int array].add", lambda x, i, v: x.at[i].add(v), _at_arr_add_ref, 3,
     ("float32", "int32"),
     hnp.array_shapes(min_dims=1, max_dims=3, min_side=2, max_side=4).map(lambda s: (s, (), ())),
     build=_at_arr_add_build,
     grad=_G1, grad_shapes=(((3, 2), (), ()),), grad_argnums=(0, 2))


# -- the public names that are not array ops (dtype utilities, constants) ---------------------
# -- Array API additions (funcnet/numpy/_array_api.py) ------------------------------------------
for _name, _np_name, _dom in (("acos", "arccos", "unit"), ("acosh", "arccosh", "gt1"),
                              ("asin", "arcsin", "unit"), ("asinh", "arcsinh", "real"),
                              ("atan", "arctan", "real"), ("atanh", "arctanh", "unit")):
    unary(_name, FHI, domain=_dom, inexact=True, ref=_np(_np_name))
spec("astype", lambda x, dtype: fnp.astype(x, dtype), lambda x, dtype: x.astype(dtype), 1,
     ("float32", "int32", "bool"), one(),
     kwargs=({"dtype": "float32"}, {"dtype": "int32"}, {"dtype": "bool"}, {"dtype": "int8"}))
spec("empty_like", fnp.empty_like, np.zeros_like, 1, ALL, one(),
     kwargs=({}, {"dtype": "float32"}, {"dtype": "int8"}))
spec("from_dlpack", fnp.from_dlpack, np.from_dlpack, 1, ALL, one(), jit=False, vmap=False)
_MESH = st.tuples(one(1, 1), one(1, 1)).map(lambda t: (t[0][0], t[1][0]))
spec("meshgrid", lambda *xs, **k: fnp.meshgrid(*xs, **k),
     lambda *xs, **k: list(np.meshgrid(*xs, **k)), 2, NUM, _MESH,
     kwargs=({}, {"indexing": "ij"}), grad=_G1, grad_shapes=(((2,), (3,)),))
spec("diff", fnp.diff, np.diff, 1, ALL, one(min_dims=1),
     kwargs=lambda s: [{}, {"n": 2}, {"n": 0}, {"axis": 0}] + (
         [{"axis": -2, "n": 1}] if len(s[0]) > 1 else []),
     grad=_G1, grad_shapes=(((2, 4),),), grad_kwargs=({}, {"n": 2}, {"axis": 0}))
reduction("cumulative_prod", NUM, domain="small", grad_domain="nonzero", tol=1e-4, min_dims=1,
          kwargs=lambda s: ([{}] if len(s[0]) == 1 else []) + (
              [{"axis": 0}, {"axis": -1, "include_initial": True}] if s[0] else []))
for _name in ("unique_all", "unique_counts", "unique_inverse"):
    spec(_name, getattr(fnp, _name), _np(_name), 1, NUM, one(min_dims=1), jit=False,
         vmap=False)
spec("unique_values", fnp.unique_values, lambda x: np.unique(x, equal_nan=False), 1, NUM,
     one(min_dims=1), jit=False, vmap=False)


def _sorted_build(rng, shapes, dt, kw):
    return [np.sort(DOMAINS["real"](rng, shapes[0], dt)), DOMAINS["real"](rng, shapes[1], dt)]


spec("searchsorted", fnp.searchsorted, np.searchsorted, 2, ("float32", "int32", "int8"),
     st.tuples(one(1, 1), one(0, 2)).map(lambda t: (t[0][0], t[1][0])), build=_sorted_build,
     kwargs=({}, {"side": "right"}))
linalg("linalg.cross", 2, bcast(2, max_dims=2).map(lambda t: tuple(s + (3,) for s in t)), FI,
       grad_shapes=(((2, 3), (3,)),))
linalg("linalg.diagonal", 1, one(min_dims=2), NUM, kwargs=({}, {"offset": 1}, {"offset": -1}),
       grad_shapes=(((2, 3, 4),),))
linalg("linalg.matrix_power", 1, _square(), FI, domain=("wellcond",),
       fn=lambda x, n: fnp.linalg.matrix_power(x, n),
       ref=lambda x, n: np.linalg.matrix_power(x, n),
       kwargs=({"n": 0}, {"n": 1}, {"n": 3}), grad_shapes=(((3, 3),), ((2, 2, 2),)),
       grad_kwargs=({"n": 3},))
linalg("linalg.matrix_power[n<0]", 1, _square(), F, domain=("wellcond",),
       fn=lambda x, n: fnp.linalg.matrix_power(x, n),
       ref=lambda x, n: np.linalg.matrix_power(x, n), kwargs=({"n": -2},), tol=1e-3,
       grad_shapes=(((3, 3),),))
# eager (NumPy's LAPACK calls; no derivative rules yet): values only
_EAGER = dict(grad=False, jit=False, vmap=False)
_MATS = one(min_dims=2, max_dims=3, min_side=1)
linalg("linalg.eigh", 1, _square(), F, domain=("spd",), **_EAGER)
linalg("linalg.eigvalsh", 1, _square(), FI, domain=("spd",), **_EAGER)
linalg("linalg.qr", 1, _MATS, F, kwargs=({}, {"mode": "complete"}), **_EAGER)
linalg("linalg.svd", 1, _MATS, F, kwargs=({}, {"full_matrices": False}), **_EAGER)
linalg("linalg.svdvals", 1, _MATS, FI, **_EAGER)
linalg("linalg.pinv", 1, _MATS, FI, tol=1e-3, **_EAGER)
linalg("linalg.matrix_rank", 1, _MATS, FI, **_EAGER)


NOT_OPS = {"result_type", "promote_types", "can_cast", "finfo", "iinfo", "isdtype", "issubdtype",
           "dtype", "Array", "ndarray", "linalg"}


def spec_names():
    return {s.name for s in SPECS}


_names = [s.name for s in SPECS]
assert len(_names) == len(set(_names)), sorted(n for n in _names if _names.count(n) > 1)
del _names

__all__ = ["CHECKS", "DOMAINS", "NOT_OPS", "SPECS", "Case", "OpSpec", "cases", "spec_names"]
