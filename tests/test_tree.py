"""Tests for funcnet.tree: flatten/unflatten round trips, map, registration, paths, treedefs."""

import collections
import copy
import dataclasses
import importlib.util
import pickle
import re
import sys
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from hypothesis import given
from hypothesis import strategies as st

try:  # the package __init__ may be missing or broken while the core is written
    import funcnet.tree as tree
except Exception:  # noqa: BLE001
    _path = Path(__file__).resolve().parents[1] / "funcnet" / "tree.py"
    _spec = importlib.util.spec_from_file_location("_funcnet_tree_under_test", _path)
    assert _spec is not None and _spec.loader is not None
    tree = importlib.util.module_from_spec(_spec)
    sys.modules[_spec.name] = tree  # so that pickle can find _make_treedef
    _spec.loader.exec_module(tree)


class Point(NamedTuple):
    x: Any
    y: Any


class Opaque:
    """A leaf type: compares by identity."""


# ----------------------------------------------------------------------------------------------
# Strategies and helpers
# ----------------------------------------------------------------------------------------------

leaf_st = st.one_of(
    st.integers(),
    st.text(max_size=5),
    st.floats(allow_nan=False),
    st.builds(Opaque),
)
key_st = st.text(max_size=4)


def _extend(children):
    return st.one_of(
        st.lists(children, max_size=4).map(tuple),
        st.lists(children, max_size=4),
        st.dictionaries(key_st, children, max_size=4),
        st.dictionaries(key_st, children, max_size=4).map(collections.OrderedDict),
        st.builds(Point, children, children),
    )


tree_st = st.recursive(st.one_of(leaf_st, st.none()), _extend, max_leaves=20)


def same(a, b) -> bool:
    """Equal values and exactly equal container types, recursively (Point != tuple)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, collections.OrderedDict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, dict):
        return set(a) == set(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return a is b or a == b


def count_leaves(t) -> int:
    if t is None:
        return 0
    if isinstance(t, dict):
        return sum(count_leaves(v) for v in t.values())
    if isinstance(t, list | tuple):
        return sum(count_leaves(v) for v in t)
    return 1


# ----------------------------------------------------------------------------------------------
# Round trips
# ----------------------------------------------------------------------------------------------


@given(tree_st)
def test_flatten_unflatten_round_trip(t):
    leaves, treedef = tree.flatten(t)
    assert len(leaves) == treedef.num_leaves == count_leaves(t)
    rebuilt = tree.unflatten(treedef, leaves)
    assert same(rebuilt, t)
    assert all(x is y for x, y in zip(tree.leaves(rebuilt), leaves, strict=True))
    assert same(treedef.unflatten(leaves), t)
    assert tree.structure(rebuilt) == treedef
    assert hash(tree.structure(rebuilt)) == hash(treedef)


@given(tree_st)
def test_structure_ignores_leaf_values(t):
    treedef = tree.structure(t)
    replaced = tree.unflatten(treedef, range(treedef.num_leaves))
    assert tree.structure(replaced) == treedef
    assert tree.leaves(replaced) == list(range(treedef.num_leaves))


@given(tree_st)
def test_flatten_with_path_agrees_with_flatten(t):
    pairs, treedef = tree.flatten_with_path(t)
    leaves, treedef2 = tree.flatten(t)
    assert treedef == treedef2
    assert all(x is y for (_, x), y in zip(pairs, leaves, strict=True))
    assert len({p for p, _ in pairs}) == len(pairs)  # paths are unique


@given(tree_st)
def test_map_identity_and_pickle(t):
    assert same(tree.map(lambda x: x, t), t)
    treedef = tree.structure(t)
    # A treedef holds no leaves, and Point is importable from this module, so it pickles.
    assert pickle.loads(pickle.dumps(treedef)) == treedef
    assert copy.deepcopy(treedef) == treedef


def test_builtin_nodes_and_leaves():
    assert tree.leaves(None) == []
    assert tree.leaves([None, 1, (None,)]) == [1]
    assert tree.leaves(5) == [5]
    assert tree.leaves("abc") == ["abc"]
    assert tree.leaves(()) == []
    assert tree.leaves(Point(1, (2, 3))) == [1, 2, 3]
    dd: collections.defaultdict[str, Any] = collections.defaultdict(list, {"b": 1, "a": 2})
    leaves, treedef = tree.flatten(dd)
    assert leaves == [2, 1]
    rebuilt = tree.unflatten(treedef, [20, 10])
    assert type(rebuilt) is collections.defaultdict and rebuilt.default_factory is list
    assert rebuilt == {"a": 20, "b": 10}


def test_subclasses_are_leaves_but_namedtuples_are_nodes():
    class MyDict(dict):
        pass

    class MyTuple(tuple):
        __slots__ = ()

    assert tree.leaves(MyDict(a=1)) == [MyDict(a=1)]
    assert tree.leaves(MyTuple((1, 2))) == [MyTuple((1, 2))]
    Pair = collections.namedtuple("Pair", "a b")
    assert tree.leaves(Pair(1, 2)) == [1, 2]
    assert tree.map(lambda x: x + 1, Pair(1, 2)) == Pair(2, 3)


def test_dict_leaves_in_sorted_key_order():
    d = {"c": 1, "a": 2, "b": 3}
    assert tree.leaves(d) == [2, 3, 1]
    assert list(tree.unflatten(tree.structure(d), [1, 2, 3])) == ["a", "b", "c"]
    assert tree.leaves({3: "x", 1: "y"}) == ["y", "x"]
    # OrderedDict keeps insertion order.
    assert tree.leaves(collections.OrderedDict([("c", 1), ("a", 2)])) == [1, 2]
    # Unsortable mixed keys fall back to insertion order.
    assert tree.leaves({"b": 1, 2: 2, "a": 3}) == [1, 2, 3]
    # Key order does not affect the structure.
    assert tree.structure({"a": 1, "b": 2}) == tree.structure({"b": 2, "a": 1})


def test_is_leaf():
    t = [(1, 2), {"a": (3,)}, None]
    is_tuple = lambda x: isinstance(x, tuple)
    leaves, treedef = tree.flatten(t, is_leaf=is_tuple)
    assert leaves == [(1, 2), (3,)]
    assert treedef.num_leaves == 2
    assert tree.unflatten(treedef, ["p", "q"]) == ["p", {"a": "q"}, None]
    assert tree.leaves(t, is_leaf=lambda x: x is None) == [1, 2, 3, None]
    assert tree.leaves(t, is_leaf=lambda x: True) == [t]
    assert tree.map(len, t, is_leaf=is_tuple) == [2, {"a": 1}, None]
    assert tree.structure(t, is_leaf=is_tuple) == treedef


# ----------------------------------------------------------------------------------------------
# map
# ----------------------------------------------------------------------------------------------


def test_map_multiple_trees():
    a = {"w": [1, 2], "b": Point(3, None)}
    b = {"b": Point(30, None), "w": [10, 20]}
    c = {"w": [100, 200], "b": Point(300, None)}
    out = tree.map(lambda x, y, z: x + y + z, a, b, c)
    assert out == {"w": [111, 222], "b": Point(333, None)}
    assert type(out["b"]) is Point


def test_map_rest_tree_may_extend_leaves():
    out = tree.map(lambda x, sub: (x, sub), (1, 2), ([3, 4], {"a": 5}))
    assert out == ((1, [3, 4]), (2, {"a": 5}))


@given(tree_st)
def test_map_multiple_trees_property(t):
    doubled = tree.map(lambda x: (x, x), t)
    out = tree.map(lambda x, y: y[0] is x, t, doubled)
    assert all(tree.leaves(out))


@pytest.mark.parametrize(
    ("first", "other", "pattern"),
    [
        ((1, 2), (1, 2, 3), r"at the root: expected tuple of length 2, got tuple of length 3"),
        ((1, 2), [1, 2], r"at the root: expected tuple of length 2, got list of length 2"),
        (
            [0, {"w": 1, "b": 2}],
            [0, {"w": 1, "c": 2}],
            r"at path \[1\]: expected dict with keys \['b', 'w'\], got dict with keys "
            r"\['c', 'w'\]",
        ),
        (
            {"a": [1, {"k": (1, 2)}]},
            {"a": [1, {"k": (1,)}]},
            r"at path \['a'\]\[1\]\['k'\]: expected tuple of length 2, got tuple of length 1",
        ),
        ({"a": None}, {"a": 3}, r"at path \['a'\]: expected None, got a leaf of type int"),
        (Point(1, [2]), Point(1, 2), r"at path \.y: expected list of length 1, got a leaf"),
        (Point(1, 2), (1, 2), r"expected NamedTuple Point, got tuple of length 2"),
    ],
)
def test_map_structure_mismatch_errors(first, other, pattern):
    with pytest.raises(ValueError, match=pattern) as info:
        tree.map(lambda *xs: xs, first, other)
    assert "rest[0]" in str(info.value)
    with pytest.raises(ValueError, match=pattern):
        tree.structure(first).flatten_up_to(other)


def test_map_names_which_rest_tree_mismatches():
    with pytest.raises(ValueError, match=r"tree\.map: rest\[1\] \(tree argument 3\)"):
        tree.map(lambda *xs: xs, [1], [2], (3,))


def test_map_with_path():
    out = tree.map_with_path(lambda p, x, y: f"{tree.keystr(p)}:{x + y}", {"a": [1]}, {"a": [2]})
    assert out == {"a": ["['a'][0]:3"]}
    with pytest.raises(ValueError, match=r"tree\.map_with_path: rest\[0\]"):
        tree.map_with_path(lambda p, x, y: x, {"a": 1}, {"b": 1})


def test_reduce_and_broadcast_prefix():
    assert tree.reduce(lambda a, b: a + b, [1, (2, 3)]) == 6
    assert tree.reduce(lambda a, b: a + b, None, 7) == 7
    with pytest.raises(TypeError):
        tree.reduce(lambda a, b: a + b, None)
    full = ([1, 2], {"a": 3, "b": (4, 5)})
    assert tree.broadcast_prefix((0, 1), full) == [0, 0, 1, 1, 1]
    assert tree.broadcast_prefix(0, full) == [0] * 5
    is_none = lambda x: x is None
    assert tree.broadcast_prefix((None, 1), full, is_leaf=is_none) == [None, None, 1, 1, 1]
    with pytest.raises(ValueError, match=r"not a prefix of the full tree at the root"):
        tree.broadcast_prefix((0, 1, 2), full)


# ----------------------------------------------------------------------------------------------
# Registration
# ----------------------------------------------------------------------------------------------


class Box:
    def __init__(self, items, label):
        self.items = items
        self.label = label

    def __eq__(self, other):
        return type(other) is Box and (self.items, self.label) == (other.items, other.label)


tree.register_node(
    Box,
    lambda b: (b.items, b.label),
    lambda label, children: Box(list(children), label),
)


class Named:
    def __init__(self, a, b):
        self.a, self.b = a, b


tree.register_node(
    Named,
    lambda n: ((n.a, n.b), None),
    lambda aux, ch: Named(*ch),
    lambda n: (((tree.GetAttrKey("a"), n.a), (tree.GetAttrKey("b"), n.b)), None),
)


def test_register_node():
    b = Box([1, (2, 3)], "lbl")
    leaves, treedef = tree.flatten(b)
    assert leaves == [1, 2, 3]
    assert tree.unflatten(treedef, [4, 5, 6]) == Box([4, (5, 6)], "lbl")
    assert tree.map(lambda x: -x, b) == Box([-1, (-2, -3)], "lbl")
    assert treedef == tree.structure(Box([0, (0, 0)], "lbl"))
    assert treedef != tree.structure(Box([0, (0, 0)], "other"))  # aux data differs
    assert repr(treedef) == "PyTreeDef(CustomNode(Box['lbl'], [*, (*, *)]))"
    assert [tree.keystr(p) for p, _ in tree.leaves_with_path(b)] == ["[0]", "[1][0]", "[1][1]"]
    with pytest.raises(ValueError, match=r"aux data 'lbl'.*aux data 'zz'"):
        tree.map(lambda x, y: x, b, Box([1, (2, 3)], "zz"))


def test_register_node_with_keys():
    paths = [tree.keystr(p) for p, _ in tree.leaves_with_path([Named(1, {"k": 2})])]
    assert paths == ["[0].a", "[0].b['k']"]
    with pytest.raises(ValueError, match=r"at path \[0\]\.b: expected dict"):
        tree.map(lambda x, y: x, [Named(1, {"k": 2})], [Named(1, 2)])


def test_register_twice_raises():
    with pytest.raises(ValueError, match="already registered"):
        tree.register_node(Box, lambda b: ((), None), lambda aux, ch: Box([], None))
    for builtin in (tuple, list, dict, type(None), collections.OrderedDict):
        with pytest.raises(ValueError, match="already registered"):
            tree.register_node(builtin, lambda x: ((), None), lambda aux, ch: None)
    with pytest.raises(TypeError, match="must be a type"):
        not_a_type: Any = "Box"
        tree.register_node(not_a_type, lambda x: ((), None), lambda aux, ch: None)


@dataclasses.dataclass(frozen=True)
class Linear:
    w: Any
    b: Any
    act: str = dataclasses.field(default="relu", metadata={"static": True})


tree.register_dataclass(Linear)


@dataclasses.dataclass
class Explicit:
    x: Any
    y: Any
    tag: str


tree.register_dataclass(Explicit, data_fields=["y", "x"], meta_fields=["tag"])


def test_register_dataclass():
    layer = Linear(1.0, [2.0, 3.0], "tanh")
    leaves, treedef = tree.flatten(layer)
    assert leaves == [1.0, 2.0, 3.0]
    assert tree.unflatten(treedef, [4, 5, 6]) == Linear(4, [5, 6], "tanh")
    assert treedef != tree.structure(Linear(1.0, [2.0, 3.0]))  # static field differs
    paths = [tree.keystr(p) for p, _ in tree.leaves_with_path({"l": layer})]
    assert paths == ["['l'].w", "['l'].b[0]", "['l'].b[1]"]
    assert tree.leaves(Explicit(1, 2, "t")) == [2, 1]
    assert tree.map(lambda v: v * 2, Explicit(1, 2, "t")) == Explicit(2, 4, "t")


def test_unregistered_dataclass_is_leaf():
    @dataclasses.dataclass
    class Plain:
        a: int

    assert tree.leaves(Plain(1)) == [Plain(1)]


def test_register_dataclass_errors():
    class NotADataclass:
        pass

    with pytest.raises(TypeError, match="expected a dataclass"):
        tree.register_dataclass(NotADataclass)

    @dataclasses.dataclass
    class D:
        a: int
        b: int

    with pytest.raises(ValueError, match=r"missing \['b'\]"):
        tree.register_dataclass(D, data_fields=["a"])
    with pytest.raises(ValueError, match=r"repeated \['a', 'a'\]"):
        tree.register_dataclass(D, data_fields=["a", "a", "b"])
    assert tree.register_dataclass(D) is D
    with pytest.raises(ValueError, match="already registered"):
        tree.register_dataclass(D)


# ----------------------------------------------------------------------------------------------
# PyTreeDef
# ----------------------------------------------------------------------------------------------


def test_treedef_equality_and_hash():
    td1 = tree.structure(((1, 2), {}))
    td2 = tree.structure((("a", "b"), {}))
    assert td1 == td2 and hash(td1) == hash(td2)
    assert {td1: "cached"}[td2] == "cached"
    assert td1 != tree.structure(([1, 2], {}))
    assert td1 != tree.structure(((1, 2), {"k": 0}))
    assert td1 != tree.structure(((1, (2,)), {}))
    assert tree.structure(Point(1, 2)) != tree.structure((1, 2))
    assert tree.structure({"a": 1}) != tree.structure(collections.OrderedDict(a=1))
    assert tree.structure(None) != tree.structure(1)
    assert td1 != "not a treedef"


def test_treedef_is_immutable_and_not_constructible():
    td = tree.structure([1])
    with pytest.raises(AttributeError):
        td.foo = 1
    with pytest.raises(AttributeError):
        td._node = None
    with pytest.raises(TypeError):
        tree.PyTreeDef()


def test_treedef_properties_and_repr():
    td = tree.structure((1, {"a": 2, "b": None}))
    assert repr(td) == "PyTreeDef((*, {'a': *, 'b': None}))"
    assert (td.num_leaves, td.num_nodes) == (2, 5)
    assert repr(tree.structure(1)) == "PyTreeDef(*)"
    assert repr(tree.structure(None)) == "PyTreeDef(None)"
    assert repr(tree.structure((1,))) == "PyTreeDef((*,))"
    assert repr(tree.structure([Point(1, 2)])) == "PyTreeDef([Point(x=*, y=*)])"
    assert (
        repr(tree.structure(collections.OrderedDict(b=1, a=2)))
        == "PyTreeDef(OrderedDict({'b': *, 'a': *}))"
    )
    dd: collections.defaultdict[str, Any] = collections.defaultdict(list, a=1)
    assert repr(tree.structure(dd)) == "PyTreeDef(defaultdict(list, {'a': *}))"
    assert tree.structure(None).num_leaves == 0 and tree.structure(None).num_nodes == 1


def test_unflatten_leaf_count_error():
    td = tree.structure({"a": 1, "b": (2, 3)})
    with pytest.raises(ValueError, match=r"expects 3 leaves, but 2 were given"):
        tree.unflatten(td, [1, 2])
    with pytest.raises(ValueError, match=r"expects 3 leaves, but 4 were given"):
        td.unflatten([1, 2, 3, 4])
    assert tree.unflatten(td, iter([1, 2, 3])) == {"a": 1, "b": (2, 3)}
    assert tree.unflatten(tree.structure(None), []) is None
    assert tree.unflatten(tree.structure(7), ["leaf"]) == "leaf"
    with pytest.raises(TypeError, match="must be a PyTreeDef"):
        tree.unflatten([1, 2], [1, 2])  # type: ignore[arg-type]


# ----------------------------------------------------------------------------------------------
# Paths
# ----------------------------------------------------------------------------------------------


def test_keystr_formatting():
    t = [{"w": Point(1, 2), 3: "z"}, (None, 4)]
    got = [(tree.keystr(p), x) for p, x in tree.leaves_with_path(t)]
    # Keys 'w' and 3 do not sort together, so this dict keeps insertion order.
    assert got == [("[0]['w'].x", 1), ("[0]['w'].y", 2), ("[0][3]", "z"), ("[1][1]", 4)]
    paths = [tree.keystr(p) for p, _ in tree.leaves_with_path({"b": 1, "a": [2]})]
    assert paths == ["['a'][0]", "['b']"]
    assert tree.keystr(()) == ""
    path = (tree.SequenceKey(0), tree.DictKey("w"), tree.GetAttrKey("field"))
    assert tree.keystr(path) == "[0]['w'].field"
    assert tree.keystr((tree.FlattenedIndexKey(2), tree.DictKey(3))) == "[2][3]"


def test_flatten_with_path_is_leaf_and_key_types():
    pairs, treedef = tree.flatten_with_path({"a": (1, 2)}, is_leaf=lambda x: isinstance(x, tuple))
    assert pairs == [((tree.DictKey("a"),), (1, 2))]
    assert treedef == tree.structure({"a": 0})
    (path, _), *_ = tree.leaves_with_path([Point(1, 2)])
    assert path == (tree.SequenceKey(0), tree.GetAttrKey("x"))
    assert hash(path) == hash((tree.SequenceKey(0), tree.GetAttrKey("x")))


def test_module_does_not_import_numpy_or_funcnet():
    source = Path(tree.__file__).read_text()
    imports = re.findall(r"^\s*(?:import|from)\s+([\w.]+)", source, flags=re.MULTILINE)
    assert not [m for m in imports if m.split(".")[0] in {"numpy", "funcnet", "cupy"}]


class ListAux:
    def __init__(self, x, meta):
        self.x, self.meta = x, meta


tree.register_node(ListAux, lambda n: ((n.x,), n.meta), lambda meta, ch: ListAux(ch[0], meta))


def test_unhashable_aux_data_still_flattens():
    leaves, treedef = tree.flatten(ListAux(1, [1, 2]))
    assert leaves == [1]
    assert tree.unflatten(treedef, [5]).meta == [1, 2]
    assert treedef == tree.structure(ListAux(0, [1, 2]))
    with pytest.raises(TypeError, match="unhashable because some node's aux data is"):
        hash(treedef)
