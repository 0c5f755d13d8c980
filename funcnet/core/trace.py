# The trace stack: every transform is a Trace subclass over one shared stack.
#
# A transform pushes a MainTrace (its level is its depth in the stack); tracers
# carry the Trace that made them; bind() hands a primitive to the highest-level
# trace among its arguments (autodidax's design). With no tracer among the
# arguments a primitive runs eagerly on the backend.
from __future__ import annotations

from contextlib import contextmanager

import numpy as np

from ..errors import ConcretizationError, TracerLeakError
from .array import Array

_stack: list = []


def concrete_or_none(x):
    """The concrete Array behind ``x`` when it is known now: ``x`` itself for an Array, the
    value a tracer carries (eager grad / jvp), else None (a traced value or a non-array)."""
    if type(x) is Array:
        return x
    if isinstance(x, Tracer):
        return x._concrete_or_none()
    return None


class MainTrace:
    __slots__ = ("level", "trace_type", "payload", "active", "trace")

    def __init__(self, level, trace_type, payload):
        self.level = level
        self.trace_type = trace_type
        self.payload = payload
        self.active = True
        self.trace = trace_type(self)

    def __repr__(self):
        return f"MainTrace({self.level}, {self.trace_type.__name__})"


@contextmanager
def new_main(trace_type, payload=None):
    main = MainTrace(len(_stack), trace_type, payload)
    _stack.append(main)
    try:
        yield main
    finally:
        _stack.pop()
        main.active = False


def trace_depth() -> int:
    return len(_stack)


class Trace:
    """One interpreter. Subclasses implement pure, lift and process_primitive."""

    __slots__ = ("main",)

    def __init__(self, main):
        self.main = main

    def full_raise(self, val):
        if isinstance(val, Tracer):
            m = val._trace.main
            if m is self.main:
                return val
            if m.level < self.main.level:
                return self.lift(val)
            raise TracerLeakError(  # pragma: no cover
                f"funcnet: a tracer of {m} reached {self.main}")
        return self.pure(val)

    def pure(self, val):  # a value that does not depend on this transform
        raise NotImplementedError

    lift = pure

    def process_primitive(self, prim, tracers, params):
        raise NotImplementedError


class Tracer(Array):
    """An array value seen by a transform. Subclasses define ``aval`` and ``concrete``."""

    __slots__ = ("_trace",)

    @property
    def aval(self):
        raise NotImplementedError

    @property
    def shape(self):
        return self.aval.shape

    @property
    def dtype(self):
        return self.aval.dtype

    @property
    def ndim(self):
        return len(self.aval.shape)

    @property
    def size(self):
        return self.aval.size

    @property
    def weak_type(self):
        return self.aval.weak_type

    @property
    def device(self):
        c = self._concrete_or_none()
        return c.device if c is not None else "traced"

    def _concrete_or_none(self):
        return None

    def concrete(self, what: str):
        """The concrete Array behind this tracer, or a ConcretizationError naming ``what``."""
        if not self._trace.main.active:
            raise leak_error(self)
        c = self._concrete_or_none()
        if c is None:
            raise self._concretization_error(what)
        return c

    def _concretization_error(self, what):
        return ConcretizationError(
            f"funcnet: {what} needs a concrete value, but got a traced array "
            f"{self.aval.str_short()} inside {type(self._trace).__name__}.")

    def __bool__(self):
        return bool(self.concrete("Python control flow (bool(x), if / while on an array)"))

    def __int__(self):
        return int(self.concrete("int(x)"))

    def __float__(self):
        return float(self.concrete("float(x)"))

    def __complex__(self):
        return complex(self.concrete("complex(x)"))

    def __index__(self):
        return self.concrete("using an array as a Python index (x.__index__)").__index__()

    def item(self, *args):
        return self.concrete("x.item()").item(*args)

    def tolist(self):
        return self.concrete("x.tolist()").tolist()

    def __array__(self, dtype=None, copy=None):
        return self.concrete("numpy.asarray(x) / np.array(x)").__array__(dtype, copy)

    def block_until_ready(self):
        return self

    def __repr__(self):
        return f"{type(self).__name__}<{self.aval.str_short()}>"

    __str__ = __repr__

    def __format__(self, spec):
        return repr(self)

    def __reduce__(self):
        raise TypeError("funcnet: a traced array cannot be pickled")


def to_array(val):
    """An Array for a raw constant reaching a trace (NumPy scalars from rules, Python numbers)."""
    if isinstance(val, Array):
        return val
    from .array import raw_from_python, wrap
    if isinstance(val, (np.ndarray, np.generic)):
        return wrap(val)
    weak = isinstance(val, (int, float, complex)) and not isinstance(val, bool)
    return wrap(raw_from_python(val), weak)


def leak_error(tracer) -> TracerLeakError:
    return TracerLeakError(
        f"funcnet: a traced array {tracer.aval.str_short()} from "
        f"{type(tracer._trace).__name__} was used after its transform had finished "
        "(a 'leaked tracer'). It was probably stored in a global, a closure or an object "
        "attribute inside a transformed function: return it as an output instead.")
