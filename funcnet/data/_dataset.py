# funcnet.data.Dataset: tf.data-style input pipelines over NumPy storage.
#
# A pipeline is a chain of immutable nodes, one per transformation. Nodes whose elements are
# rows of the arrays given to ``from_tensor_slices`` (slices, shuffle, repeat, take, skip,
# cache) are "index nodes": instead of elements they produce, per pass, a stream of index
# chunks (``range`` objects, or int arrays once shuffled), so that ``batch`` can gather a whole
# batch with one slice (contiguous) or one fancy-index per leaf. ``map`` and ``filter`` break
# the index chain; downstream nodes then work element by element. The shuffle algorithm and
# the stacking of elements live in _utils.py.
from __future__ import annotations

import builtins
import itertools
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from .. import tree as _tree
from ..core.array import Array
from ..core.array import wrap as _wrap
from ._utils import (
    CHUNK,
    Chunk,
    buffer_shuffle,
    call,
    canonical,
    check_count,
    chunk_array,
    is_scalar_list,
    seed_entropy,
    stack,
)

__all__ = ["AUTOTUNE", "INFINITE_CARDINALITY", "UNKNOWN_CARDINALITY", "Dataset"]

INFINITE_CARDINALITY = -1
"""What :meth:`Dataset.cardinality` returns for an endless data set (as in tf.data)."""
UNKNOWN_CARDINALITY = -2
"""What :meth:`Dataset.cardinality` returns when the size is unknown (after ``filter``)."""
AUTOTUNE = -1
"""Accepted by ``prefetch`` and ``num_parallel_calls`` for tf.data compatibility."""



class Dataset:
    """A re-iterable input pipeline (``tf.data.Dataset``'s API on NumPy storage).

    Build one with :meth:`from_tensor_slices` (or :meth:`range`), chain transformations
    (:meth:`shuffle`, :meth:`batch`, :meth:`map`, :meth:`filter`, :meth:`repeat`, :meth:`take`,
    :meth:`skip`, :meth:`cache`, :meth:`prefetch`), then iterate: every ``for`` loop is a new
    pass (an epoch). Datasets are immutable; each method returns a new one.

    Elements are pytrees of funcnet arrays with the structure given to
    :meth:`from_tensor_slices` (dicts stay dicts, tuples stay tuples). Pipelines of slices,
    shuffles, repeats, takes and skips are computed on index arrays, so ``batch`` gathers each
    batch from the NumPy storage with a single slice (or one fancy index per leaf when
    shuffled); a ``map`` before ``batch`` makes batching element-wise.

    Example:
        >>> import numpy as np
        >>> from funcnet.data import Dataset
        >>> ds = Dataset.from_tensor_slices((np.arange(10.0), np.arange(10) % 2))
        >>> ds = ds.shuffle(10, seed=0).batch(4)
        >>> len(ds), [x.shape for x, y in ds]
        (3, [(4,), (4,), (2,)])
    """

    # Subclasses set these; _src is the slices node when this node is an index node.
    _src: _TensorSlices | None = None
    _label: str = "Dataset"

    def __init__(self) -> None:
        raise TypeError("Dataset is not constructed directly; use Dataset.from_tensor_slices(...) "
                        "or Dataset.range(...)")

    # -- construction --------------------------------------------------------------------
    @staticmethod
    def from_tensor_slices(tensors: Any) -> Dataset:
        """A data set whose elements are the slices of ``tensors`` along their first axis.

        Args:
            tensors: a pytree (tuple, dict, list, ...) of arrays (funcnet, NumPy, or nested
                lists of numbers, which count as one array as in tf.data). Every leaf must
                have the same leading dimension. NumPy inputs are copied (converted to
                funcnet's canonical dtypes: float64 becomes float32 unless x64 is on); funcnet
                arrays are immutable and are shared.

        Returns:
            A :class:`Dataset` of ``len(leaf)`` elements, each a pytree of the same structure.

        Raises:
            ValueError: the tree has no leaves, a leaf is a scalar, or the leaves' leading
                dimensions differ (the message lists the paths and lengths).
            TypeError: a leaf's dtype is not a funcnet dtype (strings, objects).

        Example:
            >>> import numpy as np
            >>> from funcnet.data import Dataset
            >>> ds = Dataset.from_tensor_slices({"x": np.ones((3, 2)), "y": [0, 1, 2]})
            >>> first = next(iter(ds))
            >>> first["x"].shape, first["y"].tolist(), len(ds)
            ((2,), 0, 3)
        """
        return _TensorSlices(tensors)

    @staticmethod
    def range(*args: int) -> Dataset:
        """A data set of evenly spaced ints, like Python's ``range`` (``tf.data.Dataset.range``).

        Args:
            *args: ``stop``, or ``start, stop[, step]``.

        Returns:
            A :class:`Dataset` of scalar int arrays (int32 unless x64 is on).

        Example:
            >>> from funcnet.data import Dataset
            >>> [int(x) for x in Dataset.range(1, 8, 3)]
            [1, 4, 7]
        """
        r = range(*args)
        return _TensorSlices(np.arange(r.start, r.stop, r.step))

    # -- transformations -----------------------------------------------------------------
    def shuffle(self, buffer_size: int, seed: Any = None,
                reshuffle_each_iteration: bool = True) -> Dataset:
        """Randomly shuffles the elements with tf.data's buffer algorithm.

        A buffer holds ``buffer_size`` elements; each output is drawn uniformly from the
        buffer and its slot refilled from the input. A buffer at least as large as the data
        set gives a uniform full shuffle; a small buffer only mixes nearby elements.

        Args:
            buffer_size: the number of elements in the buffer (>= 1).
            seed: an int (or a ``funcnet.random`` key) for a reproducible order; ``None``
                draws one at random when the data set is built.
            reshuffle_each_iteration: if true (default), each pass (epoch) has a new order;
                the sequence of orders is still fixed by ``seed``. If false, every pass
                repeats the first order.

        Returns:
            The shuffled :class:`Dataset` (same cardinality).

        Raises:
            ValueError: ``buffer_size`` < 1.
            TypeError: ``buffer_size`` is not an int, or ``seed`` is not an int or key.

        Example:
            >>> from funcnet.data import Dataset
            >>> ds = Dataset.range(5).shuffle(5, seed=0)
            >>> a, b = [int(x) for x in ds], [int(x) for x in ds]
            >>> sorted(a), a != b
            ([0, 1, 2, 3, 4], True)
        """
        return _Shuffle(self, check_count("shuffle", "buffer_size", buffer_size, 1), seed,
                        bool(reshuffle_each_iteration))

    def batch(self, batch_size: int, drop_remainder: bool = False,
              num_parallel_calls: int | None = None, deterministic: bool | None = None
              ) -> Dataset:
        """Stacks consecutive elements into batches along a new leading axis.

        Args:
            batch_size: elements per batch (>= 1).
            drop_remainder: drop the last batch if it has fewer than ``batch_size``
                elements (default: keep it).
            num_parallel_calls: accepted for tf.data compatibility; ignored.
            deterministic: accepted for tf.data compatibility; ignored.

        Returns:
            A :class:`Dataset` of batches: pytrees of the element structure whose leaves
            are funcnet arrays of shape ``(batch, *leaf_shape)``.

        Raises:
            ValueError: ``batch_size`` < 1; or, while iterating, elements (after ``map``)
                whose structures or shapes differ (the message names the leaf).

        Example:
            >>> from funcnet.data import Dataset
            >>> [b.tolist() for b in Dataset.range(5).batch(2)]
            [[0, 1], [2, 3], [4]]
            >>> [b.tolist() for b in Dataset.range(5).batch(2, drop_remainder=True)]
            [[0, 1], [2, 3]]
        """
        return _Batch(self, check_count("batch", "batch_size", batch_size, 1), bool(drop_remainder))

    def map(self, map_func: Callable[..., Any], num_parallel_calls: int | None = None,
            deterministic: bool | None = None) -> Dataset:
        """Applies ``map_func`` to every element.

        As in tf.data, a tuple element is unpacked into positional arguments
        (``ds.map(lambda x, y: (x / 255, y))``); any other element is passed as one argument.
        The function runs eagerly on funcnet arrays; it may return any pytree.

        Args:
            map_func: the function.
            num_parallel_calls: accepted for tf.data compatibility; ignored.
            deterministic: accepted for tf.data compatibility; ignored.

        Returns:
            The mapped :class:`Dataset` (same cardinality).

        Raises:
            TypeError: ``map_func`` is not callable.

        Example:
            >>> from funcnet.data import Dataset
            >>> [int(x) for x in Dataset.range(3).map(lambda x: x * 10)]
            [0, 10, 20]
        """
        if not callable(map_func):
            raise TypeError(f"Dataset.map: map_func must be callable, got {map_func!r}")
        return _Map(self, map_func)

    def filter(self, predicate: Callable[..., Any]) -> Dataset:
        """Keeps the elements for which ``predicate`` is true (tuples are unpacked, as in map).

        Args:
            predicate: a function returning a Python bool or a scalar boolean array.

        Returns:
            The filtered :class:`Dataset`; its cardinality is unknown.

        Raises:
            TypeError: ``predicate`` is not callable; or, while iterating, it returns a
                non-scalar.

        Example:
            >>> from funcnet.data import Dataset
            >>> [int(x) for x in Dataset.range(6).filter(lambda x: x % 2 == 0)]
            [0, 2, 4]
        """
        if not callable(predicate):
            raise TypeError(f"Dataset.filter: predicate must be callable, got {predicate!r}")
        return _Filter(self, predicate)

    def repeat(self, count: int | None = None) -> Dataset:
        """Repeats the data set ``count`` times (forever when ``None`` or -1).

        Each repetition is a new pass, so a shuffle upstream reshuffles every time.

        Args:
            count: the number of repetitions, or ``None`` / -1 for an endless data set.

        Returns:
            The repeated :class:`Dataset`.

        Raises:
            ValueError: ``count`` < -1.

        Example:
            >>> from funcnet.data import Dataset
            >>> [int(x) for x in Dataset.range(2).repeat(3)]
            [0, 1, 0, 1, 0, 1]
            >>> Dataset.range(2).repeat().cardinality()
            -1
        """
        c = -1 if count is None else check_count("repeat", "count", count, -1)
        return _Repeat(self, c)

    def take(self, count: int) -> Dataset:
        """The first ``count`` elements (all of them when ``count`` is -1).

        Args:
            count: the number of elements to keep, or -1.

        Returns:
            The truncated :class:`Dataset`.

        Raises:
            ValueError: ``count`` < -1.

        Example:
            >>> from funcnet.data import Dataset
            >>> [int(x) for x in Dataset.range(10).take(3)]
            [0, 1, 2]
        """
        return _Take(self, check_count("take", "count", count, -1))

    def skip(self, count: int) -> Dataset:
        """Drops the first ``count`` elements (all of them when ``count`` is -1).

        On slices (shuffled or not) this is an index operation: skipped rows are never
        gathered.

        Args:
            count: the number of elements to drop, or -1.

        Returns:
            The remaining :class:`Dataset`.

        Raises:
            ValueError: ``count`` < -1.

        Example:
            >>> from funcnet.data import Dataset
            >>> [int(x) for x in Dataset.range(5).skip(3)]
            [3, 4]
        """
        return _Skip(self, check_count("skip", "count", count, -1))

    def cache(self, filename: str = "") -> Dataset:
        """Keeps the elements of the first complete pass in memory and replays them.

        As in tf.data, anything upstream of the cache (a shuffle, a random ``map``) runs
        once: later passes repeat the first pass's elements in the same order.

        Args:
            filename: must be ``""`` (in-memory cache); file caches are not supported.

        Returns:
            The caching :class:`Dataset`.

        Raises:
            NotImplementedError: a non-empty ``filename``.

        Example:
            >>> from funcnet.data import Dataset
            >>> ds = Dataset.range(4).shuffle(4, seed=1).cache()
            >>> [int(x) for x in ds] == [int(x) for x in ds]
            True
        """
        if filename:
            raise NotImplementedError("Dataset.cache: only the in-memory cache (filename='') "
                                      "is supported")
        return _Cache(self)

    def prefetch(self, buffer_size: int = AUTOTUNE) -> Dataset:
        """Returns the data set unchanged (pipelines run synchronously; kept for tf.data code).

        Args:
            buffer_size: ignored (``AUTOTUNE`` or a count).

        Returns:
            ``self``.

        Example:
            >>> from funcnet.data import AUTOTUNE, Dataset
            >>> ds = Dataset.range(3)
            >>> ds.prefetch(AUTOTUNE) is ds
            True
        """
        return self

    # -- size and iteration --------------------------------------------------------------
    def cardinality(self) -> int:
        """The number of elements: an int, ``INFINITE_CARDINALITY`` (-1) or ``UNKNOWN_CARDINALITY`` (-2).

        Returns:
            The cardinality, computed without iterating (as in tf.data).

        Example:
            >>> from funcnet.data import Dataset
            >>> ds = Dataset.range(10)
            >>> ds.batch(4).cardinality(), ds.repeat().cardinality(), ds.filter(bool).cardinality()
            (3, -1, -2)
        """  # noqa: E501
        return self._card()

    def __len__(self) -> int:
        """The number of elements, when known and finite (``len(ds)``).

        Raises:
            TypeError: the data set is infinite (``repeat()``) or its size is unknown
                (``filter``), as in tf.data.
        """
        c = self._card()
        if c == INFINITE_CARDINALITY:
            raise TypeError("The dataset is infinite (it ends in repeat() without a count); "
                            "len() needs a finite dataset: use take(n) or repeat(count)")
        if c == UNKNOWN_CARDINALITY:
            raise TypeError("The dataset length is unknown (a filter() makes it "
                            "data-dependent); iterate to count it")
        return c

    def __iter__(self) -> Iterator[Any]:
        """A new pass over the elements (each pass reshuffles where ``shuffle`` asks to)."""
        return self._elements()

    def as_numpy_iterator(self) -> Iterator[Any]:
        """Iterates with every leaf converted to a NumPy array (``tf.data`` name).

        Returns:
            An iterator over elements whose array leaves are ``np.ndarray`` (read-only views
            where the batch is a slice of the data set's storage).

        Example:
            >>> from funcnet.data import Dataset
            >>> list(Dataset.from_tensor_slices({"a": [1, 2]}).as_numpy_iterator())
            [{'a': array(1, dtype=int32)}, {'a': array(2, dtype=int32)}]
        """
        for e in self._elements():
            yield _tree.map(np.asarray, e)

    def __repr__(self) -> str:
        c = self._card()
        size = {INFINITE_CARDINALITY: "infinite", UNKNOWN_CARDINALITY: "unknown"}.get(c, str(c))
        return f"<Dataset {self._describe()}, cardinality={size}>"

    # -- node protocol -------------------------------------------------------------------
    def _describe(self) -> str:
        return f"{self._parent._describe()}.{self._label}"  # type: ignore[attr-defined]

    def _card(self) -> int:
        raise NotImplementedError

    def _chunks(self) -> Iterator[Chunk]:
        # Index nodes only: one pass as a stream of index chunks into the slices' storage.
        raise NotImplementedError

    def _elements(self) -> Iterator[Any]:
        src = self._src
        assert src is not None
        for chunk in self._chunks():
            for i in chunk:
                yield src._element(i)


class _TensorSlices(Dataset):
    def __init__(self, tensors: Any) -> None:
        pairs, treedef = _tree.flatten_with_path(tensors, is_leaf=is_scalar_list)
        if not pairs:
            raise ValueError(f"Dataset.from_tensor_slices: the tree has no leaves (got "
                             f"{tensors!r}); give at least one array")
        leaves = []
        for path, x in pairs:
            where = _tree.keystr(path) or "the root"
            a = np.asarray(x)
            if a.ndim == 0:
                raise ValueError(
                    f"Dataset.from_tensor_slices: the leaf at {where} is a scalar (shape ()); "
                    "elements are slices along the first axis, so every leaf needs at least "
                    "one dimension")
            dt = canonical("from_tensor_slices", path, a.dtype)
            if isinstance(x, Array):
                a = a.astype(dt, copy=False)  # funcnet arrays are immutable: share storage
            else:
                a = np.array(a, dtype=dt, copy=True)
                a.flags.writeable = False
            leaves.append(a)
        lengths = [a.shape[0] for a in leaves]
        if len(set(lengths)) > 1:
            listing = ", ".join(f"{_tree.keystr(p) or 'the root'} has length {n}"
                                for (p, _), n in zip(pairs, lengths, strict=True))
            raise ValueError(
                "Dataset.from_tensor_slices: every leaf must have the same leading dimension "
                f"(the number of elements), but {listing}")
        self._leaves = leaves
        self._treedef = treedef
        self._n = lengths[0]
        self._src = self

    def _describe(self) -> str:
        return "from_tensor_slices"

    def _card(self) -> int:
        return self._n

    def _chunks(self) -> Iterator[Chunk]:
        if self._n:
            yield range(self._n)

    def _element(self, i: int) -> Any:
        return _tree.unflatten(self._treedef, [_wrap(a[i, ...]) for a in self._leaves])

    def _gather(self, pieces: list[Chunk]) -> Any:
        # One batch: a slice view when the indices are one contiguous run, else one gather.
        if len(pieces) == 1 and isinstance(pieces[0], builtins.range) and pieces[0].step == 1:
            sl = slice(pieces[0].start, pieces[0].stop)
            out = [_wrap(a[sl]) for a in self._leaves]
        else:
            idx = np.concatenate([chunk_array(p) for p in pieces]) if len(pieces) > 1 \
                else chunk_array(pieces[0])
            out = [_wrap(a[idx]) for a in self._leaves]
        return _tree.unflatten(self._treedef, out)


class _Shuffle(Dataset):
    def __init__(self, parent: Dataset, buffer_size: int, seed: Any, reshuffle: bool) -> None:
        self._parent, self._src = parent, parent._src
        self._buffer_size = buffer_size
        self._entropy = seed_entropy(seed)
        self._reshuffle = reshuffle
        self._epochs = itertools.count()
        self._label = f"shuffle({buffer_size})"

    def _rng(self) -> np.random.Generator:
        epoch = next(self._epochs) if self._reshuffle else 0
        return np.random.default_rng([*self._entropy, epoch])

    def _card(self) -> int:
        return self._parent._card()

    def _chunks(self) -> Iterator[Chunk]:
        rng = self._rng()
        n = self._parent._card()
        if 0 <= n <= self._buffer_size:
            # Everything fits in the buffer: one permutation (as buffer_shuffle draws it).
            pieces = [chunk_array(c) for c in self._parent._chunks()]
            if pieces:
                idx = np.concatenate(pieces) if len(pieces) > 1 else pieces[0]
                yield idx[rng.permutation(len(idx))]
            return
        stream = itertools.chain.from_iterable(
            (c if isinstance(c, builtins.range) else c.tolist()) for c in self._parent._chunks())
        out = buffer_shuffle(stream, self._buffer_size, rng)
        while True:
            block = list(itertools.islice(out, CHUNK))
            if not block:
                return
            yield np.asarray(block, dtype=np.intp)

    def _elements(self) -> Iterator[Any]:
        if self._src is not None:
            return super()._elements()
        return buffer_shuffle(iter(self._parent), self._buffer_size, self._rng())


class _Batch(Dataset):
    def __init__(self, parent: Dataset, n: int, drop: bool) -> None:
        self._parent, self._src = parent, None  # a batch is not a row of the storage
        self._n, self._drop = n, drop
        self._label = f"batch({n}{', drop_remainder=True' if drop else ''})"

    def _card(self) -> int:
        c = self._parent._card()
        if c < 0:
            return c
        return c // self._n if self._drop else -(-c // self._n)

    def _elements(self) -> Iterator[Any]:
        src = self._parent._src
        if src is None:
            yield from self._stacked()
            return
        n, pieces, count = self._n, [], 0
        for chunk in self._parent._chunks():
            pos, size = 0, len(chunk)
            while pos < size:
                k = min(n - count, size - pos)
                pieces.append(chunk[pos:pos + k])
                count += k
                pos += k
                if count == n:
                    yield src._gather(pieces)
                    pieces, count = [], 0
        if count and not self._drop:
            yield src._gather(pieces)

    def _stacked(self) -> Iterator[Any]:
        it = iter(self._parent)
        while True:
            group = list(itertools.islice(it, self._n))
            if not group or (self._drop and len(group) < self._n):
                return
            yield stack("batch", group)


class _Map(Dataset):
    def __init__(self, parent: Dataset, f: Callable[..., Any]) -> None:
        self._parent, self._src, self._f = parent, None, f
        self._label = f"map({getattr(f, '__name__', type(f).__name__)})"

    def _card(self) -> int:
        return self._parent._card()

    def _elements(self) -> Iterator[Any]:
        f = self._f
        for e in self._parent:
            yield call(f, e)


class _Filter(Dataset):
    def __init__(self, parent: Dataset, pred: Callable[..., Any]) -> None:
        self._parent, self._src, self._pred = parent, None, pred
        self._label = "filter"

    def _card(self) -> int:
        return 0 if self._parent._card() == 0 else UNKNOWN_CARDINALITY

    def _elements(self) -> Iterator[Any]:
        for e in self._parent:
            r = call(self._pred, e)
            if not isinstance(r, (bool, np.bool_)):
                shape = np.shape(r)
                if shape != ():
                    raise TypeError(f"Dataset.filter: the predicate must return a scalar "
                                    f"boolean, got a value of shape {shape}")
            if r:
                yield e


class _Repeat(Dataset):
    def __init__(self, parent: Dataset, count: int) -> None:
        self._parent, self._src, self._count = parent, parent._src, count
        self._label = "repeat()" if count < 0 else f"repeat({count})"

    def _card(self) -> int:
        c = self._parent._card()
        if self._count < 0:
            return 0 if c == 0 else INFINITE_CARDINALITY
        if c < 0:
            return c
        return c * self._count

    def _passes(self) -> Iterator[int]:
        return itertools.count() if self._count < 0 else iter(range(self._count))

    def _chunks(self) -> Iterator[Chunk]:
        for _ in self._passes():
            empty = True
            for c in self._parent._chunks():
                empty = empty and len(c) == 0
                yield c
            if empty:  # an empty pass would repeat forever without producing anything
                return

    def _elements(self) -> Iterator[Any]:
        if self._src is not None:
            yield from super()._elements()
            return
        for _ in self._passes():
            empty = True
            for e in self._parent:
                empty = False
                yield e
            if empty:
                return


class _Take(Dataset):
    def __init__(self, parent: Dataset, count: int) -> None:
        self._parent, self._src, self._count = parent, parent._src, count
        self._label = f"take({count})"

    def _card(self) -> int:
        c = self._parent._card()
        if self._count < 0:
            return c
        if c == INFINITE_CARDINALITY:
            return self._count
        if c == UNKNOWN_CARDINALITY:
            return c
        return min(c, self._count)

    def _chunks(self) -> Iterator[Chunk]:
        left = self._count
        if left < 0:
            yield from self._parent._chunks()
            return
        if left == 0:
            return
        for c in self._parent._chunks():
            yield c[:left]
            left -= min(left, len(c))
            if left == 0:
                return

    def _elements(self) -> Iterator[Any]:
        if self._src is not None:
            return super()._elements()
        if self._count < 0:
            return iter(self._parent)
        return itertools.islice(self._parent, self._count)


class _Skip(Dataset):
    def __init__(self, parent: Dataset, count: int) -> None:
        self._parent, self._src, self._count = parent, parent._src, count
        self._label = f"skip({count})"

    def _card(self) -> int:
        c = self._parent._card()
        if self._count < 0:
            return 0
        if c < 0:
            return c
        return max(c - self._count, 0)

    def _chunks(self) -> Iterator[Chunk]:
        if self._count < 0:
            return
        left = self._count
        for c in self._parent._chunks():
            if left >= len(c):
                left -= len(c)
                continue
            yield c[left:] if left else c
            left = 0

    def _elements(self) -> Iterator[Any]:
        if self._src is not None:
            yield from super()._elements()
            return
        if self._count < 0:
            for _ in self._parent:
                pass
            return
        yield from itertools.islice(self._parent, self._count, None)


class _Cache(Dataset):
    def __init__(self, parent: Dataset) -> None:
        self._parent, self._src = parent, parent._src
        self._store: list[Any] | None = None
        self._label = "cache()"

    def _card(self) -> int:
        return self._parent._card()

    def _replay(self, source: Iterator[Any]) -> Iterator[Any]:
        if self._store is not None:
            yield from self._store
            return
        seen = []
        for item in source:
            seen.append(item)
            yield item
        self._store = seen  # only a complete pass is cached

    def _chunks(self) -> Iterator[Chunk]:
        return self._replay(self._parent._chunks())

    def _elements(self) -> Iterator[Any]:
        if self._src is not None:
            return super()._elements()
        return self._replay(iter(self._parent))
