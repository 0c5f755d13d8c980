# random_bits: n Threefry-2x32 words from a key, with the counters made at run time (so tracing
# a large sample allocates nothing). Keys may carry leading batch dims: (..., ) -> (..., n).
from __future__ import annotations

import numpy as np

from ..primitive import bind
from ..registry import Primitive, register
from ._factories import broadcast_batch, broadcast_shapes
from .elementwise import _threefry_impl

random_bits_p = Primitive("random_bits", keeps_weak=False)


def _bits_impl(xp, k0, k1, *, n):
    m = (n + 1) // 2
    c = xp.arange(2 * m, dtype=np.uint32)
    k0 = xp.asarray(k0, dtype=np.uint32)[..., None]
    k1 = xp.asarray(k1, dtype=np.uint32)[..., None]
    y0, y1 = _threefry_impl(xp, k0, k1, c[:m], c[m:])
    return xp.concatenate([y0, y1], axis=-1)[..., :n]


def _bits_abstract(k0, k1, *, n):
    for a in (k0, k1):
        if a.dtype != np.uint32:
            raise TypeError(f"random_bits needs uint32 key words, got {a.dtype}")
    return broadcast_shapes("random_bits", k0.shape, k1.shape) + (n,), np.dtype(np.uint32)


def _bits_batch(vals, dims, *, n):
    k0, k1 = broadcast_batch(vals, dims)
    return bind(random_bits_p, k0, k1, n=n), 0


register(random_bits_p, impl=_bits_impl, abstract_eval=_bits_abstract, batch=_bits_batch,
         differentiable=False)
