# Window primitives: patches (im2col: every window of a channels-last array, as a view when
# possible) and its transpose col2im (overlapping windows summed back). Convolution and
# pooling are compositions: patches + matmul, patches + reduce_max / reduce_sum.
from __future__ import annotations

import itertools

from ...errors import ShapeError
from ..primitive import bind
from ..registry import Primitive, register
from ._factories import moveaxis, reshape


def out_spatial(spatial, window, strides, padding):
    return tuple((d + lo + hi - w) // s + 1
                 for d, w, s, (lo, hi) in zip(spatial, window, strides, padding))


def _check(name, shape, window, strides, padding):
    nsp = len(shape) - 2
    if nsp < 1 or len(window) != nsp or len(strides) != nsp or len(padding) != nsp:
        raise ShapeError(f"{name}: input of shape {tuple(shape)} (N, *spatial, C) needs "
                         f"{max(nsp, 1)} window sizes, strides and paddings; got window "
                         f"{window}, strides {strides}, padding {padding}")
    out = out_spatial(shape[1:-1], window, strides, padding)
    if any(o < 1 for o in out):
        raise ShapeError(f"{name}: window {window} does not fit the padded input of spatial "
                         f"shape {tuple(shape[1:-1])} with padding {padding}")
    return out


# -- patches: (N, *spatial, C) -> (N, *out_spatial, *window, C) ------------------------------
patches_p = Primitive("patches")


def _patches_impl(xp, x, *, window, strides, padding, pad_value):
    nsp = len(window)
    if any(lo or hi for lo, hi in padding):
        x = xp.pad(x, ((0, 0),) + tuple(padding) + ((0, 0),), constant_values=pad_value)
    v = xp.lib.stride_tricks.sliding_window_view(x, window, axis=tuple(range(1, nsp + 1)))
    v = v[(slice(None),) + tuple(slice(None, None, s) for s in strides)]
    # (N, *out, C, *window) -> (N, *out, *window, C)
    perm = (0,) + tuple(range(1, nsp + 1)) + tuple(range(nsp + 2, 2 * nsp + 2)) + (nsp + 1,)
    return v.transpose(perm)


def _patches_abstract(x, *, window, strides, padding, pad_value):
    out = _check("patches", x.shape, window, strides, padding)
    return (x.shape[0],) + out + tuple(window) + (x.shape[-1],), x.dtype


def _patches_jvp(primals, tangents, **params):
    out = bind(patches_p, primals[0], **params)
    t = tangents[0]
    return out, (None if t is None else bind(patches_p, t, **dict(params, pad_value=0.0)))


def _patches_vjp(needs, g, out, x, *, window, strides, padding, pad_value):
    return [bind(col2im_p, g, spatial=tuple(x.shape[1:-1]), window=window, strides=strides,
                 padding=padding)]


def _merge_batch(x, d):
    x = moveaxis(x, d, 0)
    s = tuple(x.shape)
    return reshape(x, (s[0] * s[1],) + s[2:]), s[0]


def _split_batch(y, b):
    s = tuple(y.shape)
    return reshape(y, (b, s[0] // b) + s[1:])


def _patches_batch(vals, dims, **params):
    x, b = _merge_batch(vals[0], dims[0])
    return _split_batch(bind(patches_p, x, **params), b), 0


register(patches_p, impl=_patches_impl, abstract_eval=_patches_abstract, jvp=_patches_jvp,
         vjp=_patches_vjp, batch=_patches_batch)

# -- col2im: the transpose of patches (zero padding) -------------------------------------------
col2im_p = Primitive("col2im")


def _col2im_impl(xp, g, *, spatial, window, strides, padding):
    nsp = len(window)
    n, c = g.shape[0], g.shape[-1]
    out = g.shape[1:1 + nsp]
    padded = xp.zeros((n,) + tuple(d + lo + hi for d, (lo, hi) in zip(spatial, padding)) + (c,),
                      dtype=g.dtype)
    for offs in itertools.product(*[range(w) for w in window]):
        dst = (slice(None),) + tuple(slice(o, o + s * (m - 1) + 1, s)
                                     for o, s, m in zip(offs, strides, out)) + (slice(None),)
        padded[dst] += g[(slice(None),) * (1 + nsp) + offs + (slice(None),)]
    inner = (slice(None),) + tuple(slice(lo, lo + d) for d, (lo, hi) in zip(spatial, padding))
    return padded[inner + (slice(None),)]


def _col2im_abstract(g, *, spatial, window, strides, padding):
    nsp = len(window)
    want = out_spatial(spatial, window, strides, padding)
    if tuple(g.shape[1:1 + nsp]) != want or tuple(g.shape[1 + nsp:1 + 2 * nsp]) != tuple(window):
        raise ShapeError(f"col2im: patches of shape {g.shape} do not match spatial {spatial}, "
                         f"window {window}, strides {strides}, padding {padding}")
    return (g.shape[0],) + tuple(spatial) + (g.shape[-1],), g.dtype


def _col2im_jvp(primals, tangents, **params):
    out = bind(col2im_p, primals[0], **params)
    t = tangents[0]
    return out, (None if t is None else bind(col2im_p, t, **params))


def _col2im_vjp(needs, g, out, x, *, spatial, window, strides, padding):
    return [bind(patches_p, g, window=window, strides=strides, padding=padding,
                 pad_value=0.0)]


def _col2im_batch(vals, dims, **params):
    g, b = _merge_batch(vals[0], dims[0])
    return _split_batch(bind(col2im_p, g, **params), b), 0


register(col2im_p, impl=_col2im_impl, abstract_eval=_col2im_abstract, jvp=_col2im_jvp,
         vjp=_col2im_vjp, batch=_col2im_batch)


