# jit: trace once per abstract signature, optimise the graph, compile it to straight-line
# Python, cache it. A cache hit is: flatten the arguments, build the key, one dict lookup,
# one call of the generated function.
from __future__ import annotations

import builtins
import functools
import inspect
from typing import NamedTuple

import numpy as np

from .. import tree as tree_util
from .._config import config
from ..core import dtypes
from ..core.array import Array, raw_from_python
from ..core.aval import ShapedArray
from ..core.backend import backend_of
from ..core.trace import _stack
from ..errors import StaticArgumentError
from ._codegen import compile_graph
from ._optimize import optimize
from ._treecode import Mismatch, make_flattener, make_unflattener
from ._util import as_array, fun_name
from .staging import trace_to_graph

_PY_SCALARS = (builtins.bool, builtins.int, builtins.float, builtins.complex)


_disabled: list = []


class disable_jit:  # noqa: N801  (JAX's name)
    """Context manager: jitted functions run eagerly (op by op) inside it, for debugging
    with print / pdb; results are the same as compiled.

    Example:
        >>> import funcnet, funcnet.numpy as fnp
        >>> f = funcnet.jit(lambda x: x * 2)
        >>> with funcnet.disable_jit():
        ...     f(fnp.asarray(1.0)).item()
        2.0
    """

    def __init__(self, disable: bool = True):
        self.disable = disable

    def __enter__(self):
        if self.disable:
            _disabled.append(True)
        return self

    def __exit__(self, *exc):
        if self.disable:
            _disabled.pop()
        return False


class CacheInfo(NamedTuple):
    """Statistics of a jitted function's cache (``f.cache_info()``)."""

    hits: int
    misses: int
    currsize: int
    miss_reasons: tuple


def _device_key(v):
    # NumPy scalars (0-d results) are NumPy arrays for the cache; GPU arrays add the device
    if isinstance(v, np.generic):
        return np.ndarray
    dev = getattr(v, "device", None)
    return (type(v), getattr(dev, "id", None))


def _leaf_sig(x):
    t = type(x)
    if t is Array:
        v = x._value
        tv = type(v)
        return (v.shape, v.dtype, x._weak, tv if tv is np.ndarray else _device_key(v))
    if t in _PY_SCALARS:
        return (t,)
    if t is np.ndarray or isinstance(x, np.generic):
        return (np.shape(x), dtypes.canonicalize(x.dtype), False, np.ndarray)
    if isinstance(x, Array):  # a tracer: handled before keys are built
        return None
    if hasattr(x, "__cuda_array_interface__"):
        return (x.shape, dtypes.canonicalize(x.dtype), False, _device_key(x))
    raise TypeError(type(x).__name__)


def _sig_str(sig) -> str:
    if sig is None:
        return "?"
    if len(sig) == 1:
        return f"Python {sig[0].__name__} (weakly typed scalar)"
    shape, dt, weak = sig[0], sig[1], sig[2]
    dev = "" if sig[3] is np.ndarray else f" on {sig[3][0].__module__.split('.')[0]}"
    return f"{'~' if weak else ''}{np.dtype(dt).name}[{','.join(map(str, shape))}]{dev}"


def _aval_of_leaf(x, sig) -> ShapedArray:
    if len(sig) == 1:
        dt, weak = dtypes.scalar_dtype_weak(x)
        return ShapedArray((), dt, weak)
    return ShapedArray(sig[0], sig[1], sig[2])


def _raw(x):
    t = type(x)
    if t is Array:
        return x._value
    if t in _PY_SCALARS or isinstance(x, (np.ndarray, np.generic)):
        return raw_from_python(x)
    return x


class _Entry:
    __slots__ = ("fn", "out_tree", "out_weak", "graph", "unflatten")

    def __init__(self, fn, out_tree, out_weak, graph):
        self.fn = fn
        self.out_tree = out_tree
        self.out_weak = out_weak
        self.graph = graph
        self.unflatten = make_unflattener(out_tree, out_weak)  # wraps and rebuilds outputs


class Jitted:
    """A jit-compiled function. Call it like the original; see :func:`jit`."""

    def __init__(self, fun, static_argnums=(), static_argnames=(), donate_argnums=()):
        self._fun = fun
        self._name = fun_name(fun)
        functools.update_wrapper(self, fun, updated=())
        try:
            self._sig = inspect.signature(fun)
            params = list(self._sig.parameters.values())
        except (TypeError, ValueError):
            self._sig, params = None, []
        names = [p.name for p in params if p.kind in (p.POSITIONAL_ONLY,
                                                      p.POSITIONAL_OR_KEYWORD)]
        if isinstance(static_argnums, int):
            static_argnums = (static_argnums,)
        if isinstance(static_argnames, str):
            static_argnames = (static_argnames,)
        nums = set()
        for i in static_argnums:
            i = int(i)
            if i < 0:
                if not names:
                    raise ValueError(f"funcnet.jit({self._name}): negative static_argnums "
                                     "need a function with a known signature")
                i += len(names)
            if names and not (self._sig and any(
                    p.kind == p.VAR_POSITIONAL for p in self._sig.parameters.values())) and \
                    i >= len(names):
                raise ValueError(f"funcnet.jit({self._name}): static_argnums={i} is out of "
                                 f"range for a function with {len(names)} positional "
                                 f"parameter(s) {names}")
            nums.add(i)
        snames = set(static_argnames)
        for i in list(nums):
            if 0 <= i < len(names):
                snames.add(names[i])
        for n in list(snames):
            if n in names:
                nums.add(names.index(n))
        self._static_argnums = tuple(sorted(nums))
        self._static_argnames = frozenset(snames)
        self._pos_names = names
        self._donate = tuple(donate_argnums) if not isinstance(donate_argnums, int) else (
            donate_argnums,)
        self._simple = not nums and not snames
        self._cache: dict = {}
        self._hits = 0
        self._misses = 0
        self._reasons: list = []
        self._last = None
        self._fast = None  # (treedef, generated flattener) of the latest compiled structure

    # -- calling ----------------------------------------------------------------------------------
    def __call__(self, *args, **kwargs):
        if _stack or _disabled:  # under another transform (or disable_jit): run inline
            return self._fun(*args, **kwargs)
        if self._simple and not kwargs:
            static = None  # the plain form: dyn is the positional-argument tuple
            dyn = args
        else:
            static, dyn = self._split(args, kwargs)
        fast = self._fast
        if fast is not None:
            try:
                leaves = fast[1](dyn)
                treedef = fast[0]
            except Mismatch:
                fast = None
        if fast is None:
            leaves, treedef = tree_util.flatten(dyn)
        try:
            sig = tuple([_leaf_sig(x) for x in leaves])
        except TypeError:
            if fast is None:
                self._bad_leaf(dyn, static is None)
            # a container where the generated flattener expected a leaf: the generic path
            leaves, treedef = tree_util.flatten(dyn)
            try:
                sig = tuple([_leaf_sig(x) for x in leaves])
            except TypeError:
                self._bad_leaf(dyn, static is None)
        key = (treedef, static, sig, config.enable_x64)
        try:
            entry = self._cache.get(key)
        except TypeError:
            self._unhashable(args, kwargs)
        if entry is None:
            entry = self._compile(key, leaves, dyn)
        else:
            self._hits += 1
        outs = entry.fn(*[_raw(x) for x in leaves])
        if config.debug_nans and any(
                np.dtype(getattr(o, "dtype", np.int8)).kind in "fc" and bool(np.isnan(o).any())
                for o in outs):
            # find the primitive: run the function op by op (the eager checker raises there)
            with disable_jit():
                self._fun(*args, **kwargs)
            raise FloatingPointError(f"funcnet debug_nans: jit({self._name}) returned NaN, "
                                     "which came from its inputs (no operation produced it)")
        return entry.unflatten(outs)

    def _split(self, args, kwargs):
        static, dyn_args = [], []
        for i, a in enumerate(args):
            if i in self._static_argnums:
                static.append((i, a))
            else:
                dyn_args.append(a)
        dyn_kwargs = {}
        for k, v in kwargs.items():
            if k in self._static_argnames:
                static.append((k, v))
            else:
                dyn_kwargs[k] = v
        return tuple(static), (tuple(dyn_args), dyn_kwargs)

    def _rebuild(self, static, dyn):
        if static is None:
            return dyn, {}
        dyn_args, dyn_kwargs = dyn
        st = dict(static)
        args, it = [], iter(dyn_args)
        n = len(dyn_args) + sum(1 for k in st if isinstance(k, int))
        for i in range(n):
            args.append(st[i] if i in st else next(it))
        kwargs = dict(dyn_kwargs)
        kwargs.update({k: v for k, v in st.items() if isinstance(k, str)})
        return tuple(args), kwargs

    # -- compiling --------------------------------------------------------------------------------
    def _compile(self, key, leaves, dyn):
        treedef, static, sig, _ = key
        self._misses += 1
        self._reasons.append(self._explain(key, dyn))
        self._last = (key, None)  # the signature only: keep no argument alive
        paths = [p for p, _ in tree_util.flatten_with_path(dyn)[0]]
        in_avals = [_aval_of_leaf(x, s) for x, s in zip(leaves, sig)]
        plain = static is None
        arg_names = [f"{self._path_name(p, plain)} ({a.str_short()})"
                     for p, a in zip(paths, in_avals)]
        box = {}

        def flat_fun(*flat):
            args, kwargs = self._rebuild(static, tree_util.unflatten(treedef, list(flat)))
            out = self._fun(*args, **kwargs)
            outs, box["tree"] = tree_util.flatten(out)
            return [as_array(o) for o in outs], None

        graph, _ = trace_to_graph(flat_fun, in_avals, arg_names, self._name)
        graph = optimize(graph)
        raws = [_raw(x) for x in leaves] + [c._value for c in graph.consts]
        xp = backend_of([r for r in raws if not isinstance(r, np.generic)])
        fn = compile_graph(graph, xp, self._name)
        entry = _Entry(fn, box["tree"], [v.aval.weak_type for v in graph.out_vars], graph)
        self._cache[key] = entry
        self._fast = (treedef, make_flattener(treedef))  # this structure's straight-line path
        return entry

    def _path_name(self, path, plain=True) -> str:
        if not path:
            return "argument"
        if plain or len(path) < 2:
            first, rest = path[0], path[1:]
            i = getattr(first, "idx", None)
            nm = self._pos_names[i] if i is not None and i < len(self._pos_names) else f"#{i}"
            return f"'{nm}'{tree_util.keystr(rest)}"
        group, first, rest = path[0], path[1], path[2:]
        if getattr(group, "idx", 0) == 1:  # keyword arguments
            return f"'{getattr(first, 'key', first)}'{tree_util.keystr(rest)}"
        i = getattr(first, "idx", 0)
        dyn_pos = [j for j in range(len(self._pos_names) + 64) if j not in self._static_argnums]
        j = dyn_pos[i] if i < len(dyn_pos) else i
        nm = self._pos_names[j] if j < len(self._pos_names) else f"#{j}"
        return f"'{nm}'{tree_util.keystr(rest)}"

    def _explain(self, key, dyn) -> str:
        if self._last is None:
            return "first call: nothing was cached"
        # compare with the most similar cached signature (fewest differing leaves)
        best = None
        for k, entry in self._cache.items():
            if k[0] == key[0] and k[1] == key[1] and k[3] == key[3] and len(k[2]) == len(key[2]):
                d = sum(a != b for a, b in zip(k[2], key[2]))
                if best is None or d < best[0]:
                    best = (d, k, entry)
        if best is not None:
            self._last = (best[1], None)
        if (self._last[0][1] is None) != (key[1] is None):
            return "called with keyword arguments this time (or not, unlike last time)"
        (otree, ostatic, osig, ox64), odyn = self._last
        treedef, static, sig, x64 = key
        if ox64 != x64:
            return f"config enable_x64 changed: {ox64} -> {x64}"
        if otree != treedef:
            return f"argument structure changed: was {otree}, now {treedef}"
        if ostatic != static:
            for (k, a), (_, b) in zip(ostatic or (), static or ()):
                if a != b:
                    nm = self._pos_names[k] if isinstance(k, int) and k < len(
                        self._pos_names) else k
                    return f"static argument '{nm}' changed: {a!r} -> {b!r}"
            return "static arguments changed"
        paths = [p for p, _ in tree_util.flatten_with_path(dyn)[0]]
        diffs = [f"{self._path_name(p, static is None)} changed from {_sig_str(a)} to {_sig_str(b)}"
                 for p, a, b in zip(paths, osig, sig) if a != b]
        if diffs:
            return "; ".join(diffs)
        return "a signature seen before was evicted by clear_cache()"

    def _bad_leaf(self, dyn, plain):
        for p, x in tree_util.flatten_with_path(dyn)[0]:
            try:
                _leaf_sig(x)
            except TypeError:
                raise TypeError(
                    f"funcnet.jit({self._name}): argument {self._path_name(p, plain)} is a "
                    f"{type(x).__name__}, which is not an array type. Pass arrays / numbers, or "
                    "mark the argument static with static_argnums= / static_argnames=.") from None
        raise AssertionError  # pragma: no cover

    def _unhashable(self, args, kwargs):
        static, _ = self._split(args, kwargs)
        for k, v in static:
            try:
                hash(v)
            except TypeError:
                nm = self._pos_names[k] if isinstance(k, int) and k < len(self._pos_names) else k
                raise StaticArgumentError(
                    f"funcnet.jit({self._name}): static argument '{nm}' has the unhashable type "
                    f"{type(v).__name__}; static arguments are part of the cache key and must be "
                    "hashable. Pass a tuple instead of a list / array, or make it a traced "
                    "argument.") from None
        raise

    # -- introspection ------------------------------------------------------------------------
    def cache_info(self) -> CacheInfo:
        """Hits, misses, current size and one human-readable reason per miss."""
        return CacheInfo(self._hits, self._misses, len(self._cache), tuple(self._reasons))

    def clear_cache(self) -> None:
        """Drops every compiled version (the next call traces again). The statistics and
        miss reasons are kept, so the next miss says it follows a ``clear_cache()``."""
        self._cache.clear()

    def lower_source(self, *args, **kwargs) -> str:
        """The generated Python source for these arguments (compiling if needed)."""
        self(*args, **kwargs)
        key = self._last
        return self._cache[key[0]].fn.__funcnet_source__ if key else ""

    def __get__(self, obj, objtype=None):
        if obj is None:
            return self
        return functools.partial(self, obj)

    def __repr__(self):
        return f"<funcnet.jit({self._name})>"


def jit(fun=None, *, static_argnums=(), static_argnames=(), donate_argnums=()):
    """Compiles ``fun``: traced once per abstract signature, optimised and cached.

    The cache key is the argument tree structure, shapes, dtypes, weak types, static
    arguments and device. Under another transform (grad, vmap...) the function is inlined
    into that transform.

    Args:
        fun: the pure function to compile.
        static_argnums: positions of arguments that are Python values selecting the program
            (hashable; a new value retraces).
        static_argnames: the same, by keyword name.
        donate_argnums: accepted for JAX compatibility (buffers are not reused yet).

    Returns:
        A :class:`Jitted` callable with ``cache_info()`` and ``clear_cache()``.

    Raises:
        ConcretizationError: Python control flow on a traced value while tracing.
        StaticArgumentError: an unhashable static argument.

    Example:
        >>> import funcnet, funcnet.numpy as fnp
        >>> f = funcnet.jit(lambda x, y: x * y + 1.0)
        >>> f(fnp.asarray([1.0, 2.0]), fnp.asarray([3.0, 4.0])).tolist()
        [4.0, 9.0]
        >>> f.cache_info().misses
        1
    """
    if fun is None:
        return functools.partial(jit, static_argnums=static_argnums,
                                 static_argnames=static_argnames, donate_argnums=donate_argnums)
    return Jitted(fun, static_argnums, static_argnames, donate_argnums)


def make_graph(fun, static_argnums=()):
    """Returns a function that traces ``fun`` and gives its Graph (like ``jax.make_jaxpr``).

    Example:
        >>> import funcnet, funcnet.numpy as fnp
        >>> print(funcnet.make_graph(lambda x: fnp.sin(x) * 2.0)(fnp.ones(3)))
        { lambda a:f32[3]. let
            b:f32[3] = sin a
            c:f32[3] = multiply b 2.0
          in (c) }
    """
    if isinstance(static_argnums, int):
        static_argnums = (static_argnums,)

    @functools.wraps(fun, updated=())
    def make(*args, **kwargs):
        static = {i: a for i, a in enumerate(args) if i in static_argnums}
        dyn = tuple(a for i, a in enumerate(args) if i not in static_argnums)
        leaves, treedef = tree_util.flatten((dyn, kwargs))
        leaves = [as_array(x) for x in leaves]

        def flat_fun(*flat):
            d, kw = tree_util.unflatten(treedef, list(flat))
            it = iter(d)
            full = [static[i] if i in static else next(it) for i in range(len(args))]
            out = fun(*full, **kw)
            return [as_array(o) for o in tree_util.leaves(out)], None

        graph, _ = trace_to_graph(flat_fun, [x.aval for x in leaves], None, fun_name(fun))
        return graph

    return make
