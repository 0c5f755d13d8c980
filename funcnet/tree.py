"""Pytrees: nested containers whose leaves transforms act on, with ``jax.tree`` semantics.

A pytree is a leaf or a node whose children are pytrees. Nodes are ``tuple``, ``list``,
``dict`` (children in sorted key order), ``collections.OrderedDict`` (insertion order),
``collections.defaultdict``, ``None`` (a node with no children), every ``NamedTuple``, and
any type registered with :func:`register_node` or :func:`register_dataclass`. Everything
else, arrays included, is a leaf.

This module is pure Python and imports only the standard library: ``funcnet.core`` imports it,
so it must not import any other funcnet module.

Example:
    >>> leaves, treedef = flatten({"b": (1, 2), "a": [3, None]})
    >>> leaves
    [3, 1, 2]
    >>> treedef
    PyTreeDef({'a': [*, None], 'b': (*, *)})
    >>> unflatten(treedef, [30, 10, 20])
    {'a': [30, None], 'b': (10, 20)}
"""

import collections
import dataclasses
import functools
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Any, TypeVar

__all__ = [
    "DictKey",
    "FlattenedIndexKey",
    "GetAttrKey",
    "KeyEntry",
    "KeyPath",
    "PyTree",
    "PyTreeDef",
    "SequenceKey",
    "broadcast_prefix",
    "flatten",
    "flatten_with_path",
    "keystr",
    "leaves",
    "leaves_with_path",
    "map",
    "map_with_path",
    "reduce",
    "register_dataclass",
    "register_node",
    "structure",
    "unflatten",
]

# Any nested structure of nodes and leaves. (Kept here rather than in funcnet.typing because
# this module may not import other funcnet modules; funcnet.typing can re-export it.)
PyTree = Any
_T = TypeVar("_T")
_NO_INITIALIZER: Any = object()
_NoneType = type(None)
_OrderedDict = collections.OrderedDict
_defaultdict = collections.defaultdict


# --------------------------------------------------------------------------------------------
# Key entries (path components)
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class SequenceKey:
    """Path entry for the ``idx``-th child of a tuple or list; renders as ``[idx]``.

    Example:
        >>> str(SequenceKey(0))
        '[0]'
    """

    idx: int

    def __str__(self) -> str:
        return f"[{self.idx!r}]"


@dataclasses.dataclass(frozen=True, slots=True)
class DictKey:
    """Path entry for the value under ``key`` in a dict; renders as ``['k']`` or ``[3]``.

    Example:
        >>> str(DictKey("w")), str(DictKey(3))
        ("['w']", '[3]')
    """

    key: Hashable

    def __str__(self) -> str:
        return f"[{self.key!r}]"


@dataclasses.dataclass(frozen=True, slots=True)
class GetAttrKey:
    """Path entry for attribute ``name`` (NamedTuple, dataclass fields); renders as ``.name``.

    Example:
        >>> str(GetAttrKey("bias"))
        '.bias'
    """

    name: str

    def __str__(self) -> str:
        return f".{self.name}"


@dataclasses.dataclass(frozen=True, slots=True)
class FlattenedIndexKey:
    """Path entry for the ``key``-th child of a registered node without named children.

    Example:
        >>> str(FlattenedIndexKey(1))
        '[1]'
    """

    key: int

    def __str__(self) -> str:
        return f"[{self.key!r}]"


# One path component: one of the four classes above, or whatever a custom node's
# flatten_with_keys_fn returns.
KeyEntry = Any
KeyPath = tuple[KeyEntry, ...]


# --------------------------------------------------------------------------------------------
# Node registry
# --------------------------------------------------------------------------------------------


class _NodeDef:
    __slots__ = ("flatten", "flatten_with_keys", "nodetype", "unflatten")

    def __init__(self, nodetype, flatten, unflatten, flatten_with_keys):
        self.nodetype = nodetype
        self.flatten = flatten  # node -> (children iterable, aux)
        self.unflatten = unflatten  # (aux, children tuple) -> node
        self.flatten_with_keys = flatten_with_keys  # node -> ((key, child) iterable, aux) | None


_registry: dict[type, _NodeDef] = {}


def _sorted_keys(d: dict) -> tuple:
    try:
        return tuple(sorted(d))
    except TypeError:  # keys of mixed, unorderable types: fall back to insertion order
        return tuple(d)


def _flatten_dict(d):
    keys = _sorted_keys(d)
    return [d[k] for k in keys], keys


def _flatten_defaultdict(d):
    keys = _sorted_keys(d)
    return [d[k] for k in keys], (d.default_factory, keys)


def _is_namedtuple(x: Any) -> bool:
    return isinstance(x, tuple) and hasattr(type(x), "_fields")


def register_node(
    nodetype: type,
    flatten_fn: Callable[[Any], tuple[Iterable[PyTree], Hashable]],
    unflatten_fn: Callable[[Any, tuple], Any],
    flatten_with_keys_fn: Callable[[Any], tuple[Iterable[tuple[KeyEntry, PyTree]], Hashable]]
    | None = None,
) -> None:
    """Registers ``nodetype`` as a pytree node (``jax.tree_util.register_pytree_node``).

    Args:
        nodetype: the exact type to treat as a node (subclasses are not included).
        flatten_fn: ``node -> (children, aux_data)``; ``aux_data`` becomes part of the
            ``PyTreeDef``, so it should be hashable (for jit cache keys) and support ``==``.
        unflatten_fn: ``(aux_data, children) -> node``; ``children`` is a tuple.
        flatten_with_keys_fn: optional ``node -> ((key, child) pairs, aux_data)``, giving the
            path entries that :func:`flatten_with_path` reports. Without it children get
            ``FlattenedIndexKey(i)`` entries, rendered ``[i]``.

    Raises:
        TypeError: if ``nodetype`` is not a type.
        ValueError: if ``nodetype`` is already registered (this includes the built-in nodes).

    Example:
        >>> class Pair:
        ...     def __init__(self, a, b):
        ...         self.a, self.b = a, b
        >>> register_node(Pair, lambda p: ((p.a, p.b), None), lambda aux, ch: Pair(*ch))
        >>> leaves(Pair(1, (2, 3)))
        [1, 2, 3]
    """
    if not isinstance(nodetype, type):
        raise TypeError(f"tree.register_node: nodetype must be a type, got {nodetype!r}.")
    if nodetype in _registry:
        raise ValueError(
            f"tree.register_node: {nodetype.__qualname__} is already registered as a pytree "
            "node; register each type once (at import time)."
        )
    _registry[nodetype] = _NodeDef(nodetype, flatten_fn, unflatten_fn, flatten_with_keys_fn)


def _seq_with_keys(x):
    return [(SequenceKey(i), c) for i, c in enumerate(x)], None


def _dict_with_keys(x):
    children, keys = _flatten_dict(x)
    return [(DictKey(k), c) for k, c in zip(keys, children, strict=True)], keys


def _defaultdict_with_keys(x):
    children, aux = _flatten_defaultdict(x)
    return [(DictKey(k), c) for k, c in zip(aux[1], children, strict=True)], aux


register_node(tuple, lambda x: (x, None), lambda aux, ch: tuple(ch), _seq_with_keys)
register_node(list, lambda x: (x, None), lambda aux, ch: list(ch), _seq_with_keys)
register_node(
    dict, _flatten_dict, lambda keys, ch: dict(zip(keys, ch, strict=True)), _dict_with_keys
)
register_node(
    _OrderedDict,
    lambda x: (list(x.values()), tuple(x)),
    lambda keys, ch: _OrderedDict(zip(keys, ch, strict=True)),
    lambda x: ([(DictKey(k), c) for k, c in x.items()], tuple(x)),
)
register_node(
    _defaultdict,
    _flatten_defaultdict,
    lambda aux, ch: _defaultdict(aux[0], zip(aux[1], ch, strict=True)),
    _defaultdict_with_keys,
)
register_node(_NoneType, lambda x: ((), None), lambda aux, ch: None, lambda x: ((), None))

DataclassT = TypeVar("DataclassT", bound=type)


def register_dataclass(
    cls: DataclassT,
    data_fields: Sequence[str] | None = None,
    meta_fields: Sequence[str] | None = None,
) -> DataclassT:
    """Registers a dataclass as a pytree node whose children are its data fields.

    Meta fields are static: they go into the ``PyTreeDef`` (so must be hashable) instead of the
    leaves. Without ``data_fields``/``meta_fields``, every ``init`` field is a data field except
    those declared with ``field(metadata={"static": True})``. Children's path entries are
    ``GetAttrKey(name)``. Rebuilding calls ``cls(**fields)``. Usable as a class decorator.

    Args:
        cls: a dataclass type.
        data_fields: names of the fields that hold subtrees.
        meta_fields: names of the fields that hold static, hashable data.

    Returns:
        ``cls`` itself.

    Raises:
        TypeError: if ``cls`` is not a dataclass type.
        ValueError: if the given fields do not cover exactly the ``init`` fields, or ``cls`` is
            already registered.

    Example:
        >>> @register_dataclass
        ... @dataclasses.dataclass
        ... class Linear:
        ...     w: Any
        ...     b: Any
        ...     name: str = dataclasses.field(default="fc", metadata={"static": True})
        >>> leaves(Linear(1.0, 2.0))
        [1.0, 2.0]
        >>> map(lambda x: x * 10, Linear(1.0, 2.0, "out"))
        Linear(w=10.0, b=20.0, name='out')
    """
    if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)):
        raise TypeError(f"tree.register_dataclass: expected a dataclass type, got {cls!r}.")
    init_fields = [f.name for f in dataclasses.fields(cls) if f.init]
    if data_fields is None and meta_fields is None:
        static = {f.name for f in dataclasses.fields(cls) if f.metadata.get("static", False)}
        data = tuple(n for n in init_fields if n not in static)
        meta = tuple(n for n in init_fields if n in static)
    else:
        data, meta = tuple(data_fields or ()), tuple(meta_fields or ())
        given = data + meta
        if sorted(given) != sorted(init_fields):
            missing = [n for n in init_fields if n not in given]
            extra = [n for n in given if n not in init_fields or given.count(n) > 1]
            raise ValueError(
                f"tree.register_dataclass: data_fields + meta_fields of {cls.__qualname__} "
                f"must name each init field once; missing {missing}, unexpected or repeated "
                f"{extra}."
            )

    def flatten_fn(x):
        return [getattr(x, n) for n in data], tuple(getattr(x, n) for n in meta)

    def flatten_with_keys_fn(x):
        return [(GetAttrKey(n), getattr(x, n)) for n in data], tuple(getattr(x, n) for n in meta)

    def unflatten_fn(aux, children):
        return cls(**dict(zip(data, children, strict=True)), **dict(zip(meta, aux, strict=True)))

    register_node(cls, flatten_fn, unflatten_fn, flatten_with_keys_fn)
    return cls


# --------------------------------------------------------------------------------------------
# Internal tree representation
#
# A treedef wraps a "node": ``None`` for a leaf, else ``(nodetype, aux, children)`` with
# ``children`` a tuple of nodes. Plain nested tuples hash and compare in C, and nodetype is the
# node's exact type (a NamedTuple class is its own nodetype, with aux None).
# --------------------------------------------------------------------------------------------

_LEAF = None
_NONE_NODE = (_NoneType, None, ())
_EMPTY_DICT_NODE = (dict, (), ())


def _flat(x, leaves):
    # Hot path (jit dispatch flattens ``(args, kwargs)``): built-in containers first, leaf
    # children handled inline to save a call per leaf.
    t = type(x)
    if t is tuple or t is list:
        children, aux = x, None
    elif t is dict:
        if not x:
            return _EMPTY_DICT_NODE
        aux = _sorted_keys(x)
        children = [x[k] for k in aux]
    elif x is None:
        return _NONE_NODE
    else:
        nd = _registry.get(t)
        if nd is not None:
            children, aux = nd.flatten(x)
        elif isinstance(x, tuple) and hasattr(t, "_fields"):
            children, aux = x, None
        else:
            leaves.append(x)
            return _LEAF
    nodes = []
    for c in children:
        if type(c) in _registry or isinstance(c, tuple):
            nodes.append(_flat(c, leaves))
        else:
            leaves.append(c)
            nodes.append(_LEAF)
    return (t, aux, tuple(nodes))


def _flat_is_leaf(x, leaves, is_leaf):
    if is_leaf(x):
        leaves.append(x)
        return _LEAF
    t = type(x)
    nd = _registry.get(t)
    if nd is not None:
        children, aux = nd.flatten(x)
    elif isinstance(x, tuple) and hasattr(t, "_fields"):
        children, aux = x, None
    else:
        leaves.append(x)
        return _LEAF
    return (t, aux, tuple([_flat_is_leaf(c, leaves, is_leaf) for c in children]))


def _flat_with_path(x, path, out, is_leaf):
    if is_leaf is not None and is_leaf(x):
        out.append((path, x))
        return _LEAF
    t = type(x)
    nd = _registry.get(t)
    if nd is not None:
        if nd.flatten_with_keys is not None:
            pairs, aux = nd.flatten_with_keys(x)
        else:
            children, aux = nd.flatten(x)
            pairs = [(FlattenedIndexKey(i), c) for i, c in enumerate(children)]
    elif isinstance(x, tuple) and hasattr(t, "_fields"):
        pairs, aux = [(GetAttrKey(n), c) for n, c in zip(t._fields, x, strict=True)], None
    else:
        out.append((path, x))
        return _LEAF
    return (t, aux, tuple([_flat_with_path(c, (*path, k), out, is_leaf) for k, c in pairs]))


def _unflat(node, nxt):
    kind, aux, children = node
    if kind is tuple:
        return tuple([nxt() if c is None else _unflat(c, nxt) for c in children])
    if kind is list:
        return [nxt() if c is None else _unflat(c, nxt) for c in children]
    if kind is dict:
        if not children:
            return {}
        vals = [nxt() if c is None else _unflat(c, nxt) for c in children]
        return dict(zip(aux, vals, strict=True))
    if kind is _NoneType:
        return None
    values = tuple([nxt() if c is None else _unflat(c, nxt) for c in children])
    nd = _registry.get(kind)
    if nd is None:  # NamedTuple
        return kind(*values)
    return nd.unflatten(aux, values)


def _count(node):
    # (num_leaves, num_nodes); leaves count as nodes, as in JAX.
    if node is None:
        return 1, 1
    n_leaves, n_nodes = 0, 1
    for c in node[2]:
        a, b = _count(c)
        n_leaves += a
        n_nodes += b
    return n_leaves, n_nodes


def _type_name(t: type) -> str:
    return getattr(t, "__name__", repr(t))


def _repr(node) -> str:
    if node is None:
        return "*"
    kind, aux, children = node
    parts = [_repr(c) for c in children]
    if kind is tuple:
        return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"
    if kind is list:
        return "[" + ", ".join(parts) + "]"
    if kind is _NoneType:
        return "None"
    if kind is dict or kind is _OrderedDict or kind is _defaultdict:
        keys = aux[1] if kind is _defaultdict else aux
        body = "{" + ", ".join(f"{k!r}: {p}" for k, p in zip(keys, parts, strict=True)) + "}"
        if kind is dict:
            return body
        if kind is _OrderedDict:
            return f"OrderedDict({body})"
        return f"defaultdict({_type_name(aux[0]) if aux[0] else None}, {body})"
    if kind not in _registry:  # NamedTuple
        fields = ", ".join(f"{n}={p}" for n, p in zip(kind._fields, parts, strict=True))
        return f"{kind.__name__}({fields})"
    return f"CustomNode({kind.__name__}[{aux!r}], [{', '.join(parts)}])"


class _Mismatch(Exception):
    def __init__(self, msg):
        super().__init__(msg)
        self.msg = msg
        self.path = []


def _describe_node(node) -> str:
    kind, aux, children = node
    if kind is _NoneType:
        return "None"
    if kind is tuple or kind is list:
        return f"{kind.__name__} of length {len(children)}"
    if kind is dict or kind is _OrderedDict or kind is _defaultdict:
        keys = aux[1] if kind is _defaultdict else aux
        return f"{kind.__name__} with keys {list(keys)}"
    if kind not in _registry:
        return f"NamedTuple {kind.__name__}"
    return f"{kind.__name__} node with {len(children)} children and aux data {aux!r}"


def _describe_value(x) -> str:
    t = type(x)
    nd = _registry.get(t)
    if nd is None and not _is_namedtuple(x):
        return f"a leaf of type {_type_name(t)}"
    if nd is None:
        return f"NamedTuple {t.__name__}"
    children, aux = nd.flatten(x)
    return _describe_node((t, aux, tuple(_LEAF for _ in children)))


def _child_keys(x, n):
    t = type(x)
    nd = _registry.get(t)
    if nd is None:  # NamedTuple
        return [GetAttrKey(f) for f in t._fields]
    if nd.flatten_with_keys is not None:
        return [k for k, _ in nd.flatten_with_keys(x)[0]]
    return [FlattenedIndexKey(i) for i in range(n)]


def _up_to(node, x, out):
    if node is None:
        out.append(x)
        return
    kind, aux, children = node
    t = type(x)
    if t is not kind:
        raise _Mismatch(f"expected {_describe_node(node)}, got {_describe_value(x)}")
    if kind is tuple or kind is list:
        xs, xaux = x, None
    else:
        nd = _registry.get(kind)
        xs, xaux = (x, None) if nd is None else nd.flatten(x)
    xs = tuple(xs)
    if len(xs) != len(children) or xaux != aux:
        raise _Mismatch(
            f"expected {_describe_node(node)}, "
            f"got {_describe_node((t, xaux, tuple(_LEAF for _ in xs)))}"
        )
    for i, (c, xc) in enumerate(zip(children, xs, strict=True)):
        if c is None:
            out.append(xc)
            continue
        try:
            _up_to(c, xc, out)
        except _Mismatch as e:
            e.path.insert(0, _child_keys(x, len(xs))[i])
            raise


def _at(path) -> str:
    return f"at path {keystr(tuple(path))}" if path else "at the root"


# --------------------------------------------------------------------------------------------
# PyTreeDef
# --------------------------------------------------------------------------------------------


class PyTreeDef:
    """The structure of a pytree: its node types, aux data (such as dict keys) and shape.

    Immutable and hashable (the hash is computed once), so it can be part of a cache key. Two
    treedefs are equal iff they have the same node types, aux data and structure. Made by
    :func:`flatten` and :func:`structure`, not constructed directly.

    Example:
        >>> td = structure((1, {"a": 2, "b": None}))
        >>> td
        PyTreeDef((*, {'a': *, 'b': None}))
        >>> td.num_leaves, td.num_nodes
        (2, 5)
        >>> td == structure(("x", {"b": None, "a": "y"}))
        True
        >>> td.unflatten([10, 20])
        (10, {'a': 20, 'b': None})
    """

    __slots__ = ("_hash", "_node", "_num_leaves")
    _hash: int | None
    _node: Any  # None for a leaf, else (nodetype, aux, tuple of child nodes)
    _num_leaves: int

    def __init__(self) -> None:
        raise TypeError("PyTreeDef is made by tree.flatten or tree.structure.")

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("PyTreeDef is immutable.")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("PyTreeDef is immutable.")

    @property
    def num_leaves(self) -> int:
        """The number of leaves."""
        return self._num_leaves

    @property
    def num_nodes(self) -> int:
        """The number of nodes, leaves and ``None`` included (as in JAX)."""
        return _count(self._node)[1]

    def unflatten(self, leaves: Iterable[Any]) -> PyTree:
        """Builds the tree of this structure with the given leaves; see :func:`unflatten`."""
        return unflatten(self, leaves)

    def flatten_up_to(self, tree: PyTree) -> list[PyTree]:
        """Flattens ``tree`` down to this structure's leaves, which may hold whole subtrees.

        Args:
            tree: a pytree that has this structure, possibly with subtrees in place of leaves.

        Returns:
            The subtrees of ``tree`` at this treedef's leaf positions, in leaf order.

        Raises:
            ValueError: naming the path where ``tree`` departs from this structure.

        Example:
            >>> structure((1, 2)).flatten_up_to(([3, 4], {"a": 5}))
            [[3, 4], {'a': 5}]
        """
        out: list = []
        try:
            _up_to(self._node, tree, out)
        except _Mismatch as e:
            raise ValueError(
                f"PyTreeDef.flatten_up_to: tree does not match {self!r} {_at(e.path)}: {e.msg}."
            ) from None
        return out

    def __eq__(self, other: object) -> bool:
        if self is other:
            return True
        if type(other) is not PyTreeDef:
            return NotImplemented
        return self._hash == other._hash and self._node == other._node

    def __hash__(self) -> int:
        if self._hash is None:
            raise TypeError(
                f"{self!r} is unhashable because some node's aux data is; make the node's "
                "flatten_fn return hashable aux data (e.g. a tuple instead of a list)."
            )
        return self._hash

    def __repr__(self) -> str:
        return f"PyTreeDef({_repr(self._node)})"

    def __reduce__(self):
        return _make_treedef, (self._node, self._num_leaves)


_new = object.__new__
# The slots' own setters bypass the immutability guard in __setattr__.
_set_node, _set_num_leaves, _set_hash = (
    vars(PyTreeDef)[name].__set__ for name in ("_node", "_num_leaves", "_hash")
)


def _make_treedef(node, num_leaves: int) -> PyTreeDef:
    td = _new(PyTreeDef)
    _set_node(td, node)
    _set_num_leaves(td, num_leaves)
    try:
        _set_hash(td, hash(node))
    except TypeError:  # unhashable aux data: still usable, but not as a cache key
        _set_hash(td, None)
    return td


# --------------------------------------------------------------------------------------------
# Public functions
# --------------------------------------------------------------------------------------------


def flatten(
    tree: PyTree, is_leaf: Callable[[Any], bool] | None = None
) -> tuple[list[Any], PyTreeDef]:
    """Flattens a pytree into its leaves, in order, and its structure.

    Args:
        tree: the pytree.
        is_leaf: optional predicate called on every subtree (the root included); where it
            returns True the subtree is a leaf and is not flattened further.

    Returns:
        ``(leaves, treedef)``. Dict children come in sorted key order (insertion order if the
        keys do not sort); ``None`` is a node with no children, not a leaf.

    Example:
        >>> flatten(((1, 2), {"y": 3, "x": None}))
        ([1, 2, 3], PyTreeDef(((*, *), {'x': None, 'y': *})))
        >>> flatten([(1, 2), 3], is_leaf=lambda x: isinstance(x, tuple))[0]
        [(1, 2), 3]
    """
    leaves: list = []
    if is_leaf is None:
        node = _flat(tree, leaves)
    else:
        node = _flat_is_leaf(tree, leaves, is_leaf)
    return leaves, _make_treedef(node, len(leaves))


def unflatten(treedef: PyTreeDef, leaves: Iterable[Any]) -> PyTree:
    """Builds a pytree of structure ``treedef`` from its leaves (the inverse of ``flatten``).

    Args:
        treedef: the structure, from :func:`flatten` or :func:`structure`.
        leaves: exactly ``treedef.num_leaves`` leaves, in order.

    Returns:
        The rebuilt pytree.

    Raises:
        ValueError: if the number of leaves is not ``treedef.num_leaves``.

    Example:
        >>> unflatten(structure({"a": 1, "b": [2, 3]}), ["x", "y", "z"])
        {'a': 'x', 'b': ['y', 'z']}
    """
    if not isinstance(treedef, PyTreeDef):
        raise TypeError(f"tree.unflatten: treedef must be a PyTreeDef, got {type(treedef)}.")
    if not isinstance(leaves, (list, tuple)):
        leaves = list(leaves)
    if len(leaves) != treedef._num_leaves:
        raise ValueError(
            f"tree.unflatten: {treedef!r} expects {treedef._num_leaves} leaves, but "
            f"{len(leaves)} were given."
        )
    node = treedef._node
    if node is None:
        return leaves[0]
    return _unflat(node, iter(leaves).__next__)


def leaves(tree: PyTree, is_leaf: Callable[[Any], bool] | None = None) -> list[Any]:
    """Returns the leaves of a pytree, in flatten order.

    Args:
        tree: the pytree.
        is_leaf: optional predicate marking subtrees to treat as leaves.

    Returns:
        The list of leaves.

    Example:
        >>> leaves({"b": [1, None], "a": (2, 3)})
        [2, 3, 1]
        >>> leaves(None)
        []
    """
    return flatten(tree, is_leaf)[0]


def structure(tree: PyTree, is_leaf: Callable[[Any], bool] | None = None) -> PyTreeDef:
    """Returns the ``PyTreeDef`` of a pytree.

    Args:
        tree: the pytree.
        is_leaf: optional predicate marking subtrees to treat as leaves.

    Returns:
        Its structure.

    Example:
        >>> structure([1, (2, None)])
        PyTreeDef([*, (*, None)])
    """
    return flatten(tree, is_leaf)[1]


def map(
    f: Callable[..., Any],
    tree: PyTree,
    *rest: PyTree,
    is_leaf: Callable[[Any], bool] | None = None,
) -> PyTree:
    """Applies ``f`` leafwise, returning a tree of the first tree's structure.

    ``f`` is called as ``f(leaf, *rest_leaves)``. Each tree in ``rest`` must have the first
    tree's structure, or extend it: where ``tree`` has a leaf, the matching whole subtree of a
    rest tree is passed to ``f`` (as in ``jax.tree.map``).

    Args:
        f: the function to apply.
        tree: the pytree that defines the structure.
        *rest: more pytrees, each matching ``tree``'s structure.
        is_leaf: optional predicate marking subtrees of ``tree`` to treat as leaves.

    Returns:
        The pytree of results.

    Raises:
        ValueError: if a rest tree does not match, naming which one, the path and the nodes.

    Example:
        >>> map(lambda x: x * 2, {"a": 1, "b": (2, None)})
        {'a': 2, 'b': (4, None)}
        >>> map(lambda x, y: x + y, [1, 2], [10, 20])
        [11, 22]
    """
    leaves_, treedef = flatten(tree, is_leaf)
    if not rest:
        return unflatten(treedef, [f(x) for x in leaves_])
    columns = [leaves_, *_rest_columns("tree.map", treedef, rest)]
    return unflatten(treedef, [f(*xs) for xs in zip(*columns, strict=True)])


def _rest_columns(fname, treedef, rest):
    columns = []
    for i, other in enumerate(rest):
        out: list = []
        try:
            _up_to(treedef._node, other, out)
        except _Mismatch as e:
            raise ValueError(
                f"{fname}: rest[{i}] (tree argument {i + 2}) does not match the structure of "
                f"the first tree {_at(e.path)}: {e.msg}. Every tree must have the first tree's "
                "structure (a leaf of the first tree may match a whole subtree)."
            ) from None
        columns.append(out)
    return columns


def reduce(
    function: Callable[[_T, Any], _T],
    tree: PyTree,
    initializer: Any = _NO_INITIALIZER,
    is_leaf: Callable[[Any], bool] | None = None,
) -> _T:
    """Folds ``function`` over the leaves, like ``functools.reduce(function, leaves(tree))``.

    Args:
        function: a binary function ``(accumulator, leaf) -> accumulator``.
        tree: the pytree.
        initializer: optional starting value.
        is_leaf: optional predicate marking subtrees to treat as leaves.

    Returns:
        The reduced value.

    Raises:
        TypeError: if the tree has no leaves and no initializer is given.

    Example:
        >>> reduce(lambda a, b: a + b, {"a": 1, "b": [2, 3]})
        6
    """
    if initializer is _NO_INITIALIZER:
        return functools.reduce(function, leaves(tree, is_leaf))
    return functools.reduce(function, leaves(tree, is_leaf), initializer)


def flatten_with_path(
    tree: PyTree, is_leaf: Callable[[Any], bool] | None = None
) -> tuple[list[tuple[KeyPath, Any]], PyTreeDef]:
    """Like :func:`flatten`, but pairs each leaf with its path from the root.

    A path is a tuple of key entries: ``SequenceKey`` (tuple/list index), ``DictKey``,
    ``GetAttrKey`` (NamedTuple and dataclass fields) and ``FlattenedIndexKey`` (registered
    nodes without keys). Render one with :func:`keystr`.

    Args:
        tree: the pytree.
        is_leaf: optional predicate marking subtrees to treat as leaves.

    Returns:
        ``([(path, leaf), ...], treedef)``, with the same order and treedef as ``flatten``.

    Example:
        >>> pairs, _ = flatten_with_path({"w": [1, 2]})
        >>> [(keystr(p), x) for p, x in pairs]
        [("['w'][0]", 1), ("['w'][1]", 2)]
    """
    out: list = []
    node = _flat_with_path(tree, (), out, is_leaf)
    return out, _make_treedef(node, len(out))


def leaves_with_path(
    tree: PyTree, is_leaf: Callable[[Any], bool] | None = None
) -> list[tuple[KeyPath, Any]]:
    """Returns ``(path, leaf)`` pairs, in flatten order (see :func:`flatten_with_path`).

    Args:
        tree: the pytree.
        is_leaf: optional predicate marking subtrees to treat as leaves.

    Returns:
        The list of ``(path, leaf)`` pairs.

    Example:
        >>> [keystr(p) for p, _ in leaves_with_path((1, {"a": 2}))]
        ['[0]', "[1]['a']"]
    """
    return flatten_with_path(tree, is_leaf)[0]


def map_with_path(
    f: Callable[..., Any],
    tree: PyTree,
    *rest: PyTree,
    is_leaf: Callable[[Any], bool] | None = None,
) -> PyTree:
    """Like :func:`map`, but calls ``f(path, leaf, *rest_leaves)``.

    Args:
        f: the function to apply.
        tree: the pytree that defines the structure.
        *rest: more pytrees, each matching ``tree``'s structure.
        is_leaf: optional predicate marking subtrees of ``tree`` to treat as leaves.

    Returns:
        The pytree of results.

    Raises:
        ValueError: if a rest tree does not match (see :func:`map`).

    Example:
        >>> map_with_path(lambda p, x: f"{keystr(p)}={x}", {"a": 1, "b": [2]})
        {'a': "['a']=1", 'b': ["['b'][0]=2"]}
    """
    pairs, treedef = flatten_with_path(tree, is_leaf)
    columns = [[x for _, x in pairs], *_rest_columns("tree.map_with_path", treedef, rest)]
    return unflatten(
        treedef, [f(p, *xs) for (p, _), xs in zip(pairs, zip(*columns, strict=True), strict=True)]
    )


def keystr(path: KeyPath) -> str:
    """Renders a key path as a string, e.g. ``[0]['w'].bias``.

    Args:
        path: a tuple of key entries, as given by :func:`flatten_with_path`.

    Returns:
        The concatenated entries: ``[i]`` for sequence indices, ``['k']`` for dict keys and
        ``.name`` for attributes; the empty path renders as ``''``.

    Example:
        >>> keystr((SequenceKey(0), DictKey("w"), GetAttrKey("bias")))
        "[0]['w'].bias"
    """
    return "".join(str(k) for k in path)


def broadcast_prefix(
    prefix_tree: PyTree, full_tree: PyTree, is_leaf: Callable[[Any], bool] | None = None
) -> list[Any]:
    """Repeats each leaf of ``prefix_tree`` once per leaf of the matching subtree of ``full_tree``.

    This is how per-argument options such as vmap's ``in_axes`` expand to one value per leaf.

    Args:
        prefix_tree: a pytree whose structure is a prefix of ``full_tree``'s.
        full_tree: the pytree to broadcast against.
        is_leaf: optional predicate marking subtrees (of both trees) to treat as leaves.

    Returns:
        A list with one entry per leaf of ``full_tree``.

    Raises:
        ValueError: if ``prefix_tree`` is not a prefix of ``full_tree``, naming the path.

    Example:
        >>> broadcast_prefix((0, None), ([1, 2], {"a": 3}), is_leaf=lambda x: x is None)
        [0, 0, None]
    """
    prefix_leaves, prefix_def = flatten(prefix_tree, is_leaf)
    out: list = []
    try:
        _up_to(prefix_def._node, full_tree, out)
    except _Mismatch as e:
        raise ValueError(
            f"tree.broadcast_prefix: prefix tree {prefix_def!r} is not a prefix of the full tree "
            f"{_at(e.path)}: {e.msg}."
        ) from None
    result: list = []
    for p, sub in zip(prefix_leaves, out, strict=True):
        result.extend([p] * len(leaves(sub, is_leaf)))
    return result
