# TensorFlow-style gathers used by the Keras/TF guide: gather, gather_nd, batch_gather,
# boolean_mask, with TensorFlow's result shapes. Batch dims are a vmap over the leading axis.
from __future__ import annotations

import numpy as np

from ..core.array import wrap
from ..errors import ShapeError
from ._base import asarray_any, norm_axis


def _int_indices(fname, indices):
    idx = asarray_any(indices)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"{fname}: indices must be integers, got {idx.dtype}")
    return idx


def _check_batch(fname, params, idx, batch_dims):
    if tuple(params.shape[:batch_dims]) != tuple(idx.shape[:batch_dims]):
        raise ShapeError(f"{fname}: with batch_dims={batch_dims}, the leading dims of params "
                         f"{tuple(params.shape)} and indices {tuple(idx.shape)} must be equal")


def gather(params, indices, axis=None, batch_dims=0):
    """TensorFlow's ``tf.gather``: slices of ``params`` along ``axis`` at ``indices``.

    The result shape is ``params.shape[:axis] + indices.shape[batch_dims:] +
    params.shape[axis + 1:]``.

    Args:
        params: the array to gather from.
        indices: integer indices into ``params``'s ``axis``.
        axis: the gathered axis (default ``batch_dims``).
        batch_dims: number of leading dims shared by ``params`` and ``indices``.

    Returns:
        The gathered array.

    Example:
        >>> import funcnet.numpy as fnp
        >>> a = fnp.asarray([[1, 2, 3], [4, 5, 6], [7, 8, 9]])
        >>> fnp.gather(a, fnp.asarray([1, 2, 0])).tolist()
        [[4, 5, 6], [7, 8, 9], [1, 2, 3]]
        >>> fnp.gather(a, fnp.asarray([[0], [1], [2]]), axis=1, batch_dims=1).tolist()
        [[1], [5], [9]]
    """
    p = asarray_any(params)
    idx = _int_indices("fnp.gather", indices)
    if batch_dims < 0:
        batch_dims += idx.ndim
    if axis is None:
        axis = batch_dims
    axis = norm_axis("fnp.gather", axis, p.ndim)
    if batch_dims > axis:
        raise ValueError(f"fnp.gather: batch_dims ({batch_dims}) must be <= axis ({axis})")
    if batch_dims:
        _check_batch("fnp.gather", p, idx, batch_dims)
        from ..transforms.batching import vmap
        return vmap(lambda q, i: gather(q, i, axis - 1, batch_dims - 1))(p, idx)
    from ._indexing import take
    return take(p, idx, axis=axis)


def batch_gather(params, indices):
    """TensorFlow 1's ``tf.batch_gather``: ``gather(params, indices, axis=k, batch_dims=k)``
    with ``k = indices.ndim - 1``.

    Example:
        >>> import funcnet.numpy as fnp
        >>> a = fnp.asarray([[1, 2, 3], [4, 5, 6], [7, 8, 9]])
        >>> fnp.batch_gather(a, fnp.asarray([[0], [1], [2]])).tolist()
        [[1], [5], [9]]
    """
    idx = _int_indices("fnp.batch_gather", indices)
    k = idx.ndim - 1
    return gather(params, idx, axis=k, batch_dims=k)


def gather_nd(params, indices, batch_dims=0):
    """TensorFlow's ``tf.gather_nd``: the last dim of ``indices`` indexes the first dims of
    ``params``; the result shape is ``indices.shape[:-1] + params.shape[K:]``.

    Example:
        >>> import funcnet.numpy as fnp
        >>> a = fnp.asarray([[1, 2, 3], [4, 5, 6], [7, 8, 9]])
        >>> fnp.gather_nd(a, fnp.asarray([[1, 0], [1, 1], [1, 2]])).tolist()
        [4, 5, 6]
        >>> fnp.gather_nd(a, fnp.asarray([[0, 2], [2, 0]])).tolist()
        [3, 7]
    """
    p = asarray_any(params)
    idx = _int_indices("fnp.gather_nd", indices)
    if idx.ndim < 1:
        raise ShapeError("fnp.gather_nd: indices must have at least one dim")
    if batch_dims:
        _check_batch("fnp.gather_nd", p, idx, batch_dims)
        from ..transforms.batching import vmap
        return vmap(lambda q, i: gather_nd(q, i, batch_dims - 1))(p, idx)
    k = idx.shape[-1]
    if k > p.ndim:
        raise ShapeError(f"fnp.gather_nd: indices.shape[-1] ({k}) must be <= params.ndim "
                         f"({p.ndim}); params has shape {tuple(p.shape)}")
    from ._indexing import getitem
    key = tuple(idx[..., j] for j in range(k))
    if k == 0:
        from ._shape import broadcast_to, expand_dims
        out = p
        for _ in range(idx.ndim - 1):
            out = expand_dims(out, 0)
        return broadcast_to(out, tuple(idx.shape[:-1]) + tuple(p.shape))
    return getitem(p, key)


def boolean_mask(tensor, mask, axis=0):
    """TensorFlow's ``tf.boolean_mask``: keeps the entries where ``mask`` is true (not under
    jit: the result size depends on the data).

    ``mask.shape`` must equal ``tensor.shape[axis:axis + mask.ndim]``; the masked dims become
    one dim of length ``mask.sum()``.

    Example:
        >>> import funcnet.numpy as fnp
        >>> t = fnp.asarray([[1, 2], [3, 4], [5, 6]])
        >>> fnp.boolean_mask(t, fnp.asarray([True, False, True])).tolist()
        [[1, 2], [5, 6]]
    """
    from ._indexing import _concrete_or_raise, getitem
    t = asarray_any(tensor)
    m = asarray_any(mask)
    axis = norm_axis("fnp.boolean_mask", axis, t.ndim)
    if tuple(t.shape[axis:axis + m.ndim]) != tuple(m.shape) or m.ndim == 0:
        raise ShapeError(f"fnp.boolean_mask: mask of shape {tuple(m.shape)} must match "
                         f"tensor.shape[{axis}:{axis + m.ndim}] = "
                         f"{tuple(t.shape[axis:axis + m.ndim])} (tensor shape "
                         f"{tuple(t.shape)})")
    mv = np.asarray(_concrete_or_raise(m, "fnp.boolean_mask")).astype(bool)
    nz = tuple(wrap(i.astype(np.int32)) for i in np.nonzero(mv))
    return getitem(t, (slice(None),) * axis + nz)
