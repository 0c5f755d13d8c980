# Convolution and window reductions (JAX's lax names), composed from the patches primitive.
from __future__ import annotations

import numpy as np

from ..core.primitive import bind
from ..core.prims.conv import patches_p
from ..errors import ShapeError

_DEFAULT_DN = {1: ("NCW", "OIW", "NCW"), 2: ("NCHW", "OIHW", "NCHW"),
               3: ("NCDHW", "OIDHW", "NCDHW")}


def padtype_to_pads(in_shape, window, strides, padding):
    """Explicit ``(lo, hi)`` pairs for ``"SAME"`` / ``"VALID"`` / explicit padding."""
    if isinstance(padding, str):
        p = padding.upper()
        if p == "VALID":
            return tuple((0, 0) for _ in window)
        if p == "SAME":
            out = []
            for d, w, s in zip(in_shape, window, strides):
                o = -(-d // s)
                total = max((o - 1) * s + w - d, 0)
                out.append((total // 2, total - total // 2))
            return tuple(out)
        raise ValueError(f"padding must be 'SAME', 'VALID' or (lo, hi) pairs, got {padding!r}")
    pads = tuple((int(lo), int(hi)) for lo, hi in padding)
    if len(pads) != len(window):
        raise ValueError(f"padding {padding} needs one (lo, hi) pair per spatial dim "
                         f"({len(window)})")
    return pads


def _perm(spec, target):
    return tuple(spec.index(c) for c in target)


def conv_general_dilated(lhs, rhs, window_strides, padding, lhs_dilation=None,
                         rhs_dilation=None, dimension_numbers=None, feature_group_count=1,
                         precision=None, preferred_element_type=None):
    """N-d convolution (cross-correlation, like ``jax.lax.conv_general_dilated``).

    ``dimension_numbers`` names the layouts, e.g. ``("NHWC", "HWIO", "NHWC")`` (Keras /
    TensorFlow) or JAX's default ``("NCHW", "OIHW", "NCHW")``. Dilation and feature groups
    other than 1 are not supported yet.

    Args:
        lhs: input, batch and feature dims as named by ``dimension_numbers[0]``.
        rhs: kernel, spatial, in- and out-feature dims as named by ``dimension_numbers[1]``.
        window_strides: one stride per spatial dim.
        padding: ``"SAME"``, ``"VALID"`` or one ``(lo, hi)`` pair per spatial dim.

    Returns:
        The output in the layout ``dimension_numbers[2]``.

    Example:
        >>> import funcnet, funcnet.numpy as fnp
        >>> x = fnp.ones((1, 5, 5, 1)); k = fnp.ones((3, 3, 1, 2))
        >>> funcnet.lax.conv_general_dilated(x, k, (1, 1), "VALID",
        ...     dimension_numbers=("NHWC", "HWIO", "NHWC")).shape
        (1, 3, 3, 2)
    """
    import funcnet.numpy as fnp
    lhs, rhs = fnp.asarray(lhs), fnp.asarray(rhs)
    nsp = lhs.ndim - 2
    if nsp < 1 or rhs.ndim != lhs.ndim:
        raise ShapeError(f"conv_general_dilated: lhs {tuple(lhs.shape)} and rhs "
                         f"{tuple(rhs.shape)} need the same rank >= 3")
    if any(d not in (None, 1) for d in (lhs_dilation or ())) or any(
            d not in (None, 1) for d in (rhs_dilation or ())) or feature_group_count != 1:
        raise NotImplementedError("conv_general_dilated: dilation and feature groups are not "
                                  "supported yet")
    dn = dimension_numbers or _DEFAULT_DN.get(nsp)
    lspec, rspec, ospec = dn
    sp = "".join(c for c in lspec if c not in "NC")
    cl = "N" + sp + "C"
    x = fnp.transpose(lhs, _perm(lspec, cl))
    k = fnp.transpose(rhs, _perm(rspec, "".join(c for c in rspec if c not in "IO") + "IO"))
    window = tuple(k.shape[:nsp])
    if k.shape[nsp] != x.shape[-1]:
        raise ShapeError(f"conv_general_dilated: the kernel's input features ({k.shape[nsp]}) "
                         f"must equal the input's feature dim ({x.shape[-1]}); lhs "
                         f"{tuple(lhs.shape)}, rhs {tuple(rhs.shape)}")
    strides = tuple(int(s) for s in window_strides)
    pads = padtype_to_pads(tuple(x.shape[1:-1]), window, strides, padding)
    p = bind(patches_p, x, window=window, strides=strides, padding=pads, pad_value=0.0)
    n, out = p.shape[0], tuple(p.shape[1:1 + nsp])
    kk = int(np.prod(window)) * x.shape[-1]
    y = fnp.reshape(p, (n * int(np.prod(out)), kk)) @ fnp.reshape(k, (kk, k.shape[-1]))
    y = fnp.reshape(y, (n,) + out + (k.shape[-1],))
    return fnp.transpose(y, _perm(cl, ospec))


def reduce_window(operand, init_value, computation, window_dimensions, window_strides=None,
                  padding="VALID"):
    """Reduces every window of ``operand`` with ``"max"``, ``"min"`` or ``"add"``.

    Windows cover every dim (use size 1 for batch / channel dims), like
    ``jax.lax.reduce_window``; padded positions hold ``init_value``.

    Example:
        >>> import funcnet, funcnet.numpy as fnp
        >>> x = fnp.arange(16.0).reshape(1, 4, 4, 1)
        >>> funcnet.lax.reduce_window(x, -fnp.inf, "max", (1, 2, 2, 1), (1, 2, 2, 1)
        ...     ).reshape(2, 2).tolist()
        [[5.0, 7.0], [13.0, 15.0]]
    """
    import funcnet.numpy as fnp
    x = fnp.asarray(operand)
    window = tuple(int(w) for w in window_dimensions)
    strides = tuple(int(s) for s in (window_strides or (1,) * x.ndim))
    if len(window) != x.ndim or len(strides) != x.ndim:
        raise ShapeError(f"reduce_window: need one window size and stride per dim of "
                         f"{tuple(x.shape)}, got {window} and {strides}")
    pads = padtype_to_pads(tuple(x.shape), window, strides, padding)
    comp = computation if isinstance(computation, str) else getattr(computation, "__name__", "")
    red = {"max": fnp.max, "maximum": fnp.max, "min": fnp.min, "minimum": fnp.min,
           "add": fnp.sum, "sum": fnp.sum}.get(comp)
    if red is None:
        raise ValueError(f"reduce_window: computation must be 'max', 'min' or 'add', got "
                         f"{computation!r}")
    init = float(np.asarray(init_value))
    p = bind(patches_p, fnp.reshape(x, (1,) + tuple(x.shape) + (1,)), window=window,
             strides=strides, padding=pads, pad_value=init)
    nd = x.ndim
    out = red(p, axis=tuple(range(1 + nd, 1 + 2 * nd)))
    out = fnp.reshape(out, tuple(out.shape[1:-1]))
    if comp in ("add", "sum") and init != 0.0:
        out = out + init
    return out
