# Generated (straight-line) flatten / unflatten functions for one fixed pytree structure: the
# jit dispatch path flattens arguments and rebuilds outputs without walking the generic tree
# code on every call. A flattener raises Mismatch when the value does not have the structure.
from __future__ import annotations

from .. import tree as tree_util


class Mismatch(Exception):
    """The value does not have the structure the flattener was generated for."""


def _node(td):
    return td._node


def make_flattener(td):
    lines, glob = [], {"Mismatch": Mismatch}
    counter = [0]
    leaves = []

    def name(prefix):
        counter[0] += 1
        return f"{prefix}{counter[0]}"

    def emit(node, expr):
        if node is None:
            v = name("l")
            lines.append(f"    {v} = {expr}")
            leaves.append(v)
            return
        kind, aux, children = node
        if kind is type(None):
            lines.append(f"    if {expr} is not None: raise Mismatch")
            return
        v = name("x")
        lines.append(f"    {v} = {expr}")
        if kind is tuple or kind is list:
            k = name("T")
            glob[k] = kind
            lines.append(f"    if type({v}) is not {k} or len({v}) != {len(children)}: "
                         "raise Mismatch")
            for i, c in enumerate(children):
                emit(c, f"{v}[{i}]")
        elif kind is dict:
            k = name("K")
            glob[k] = tuple(aux)
            lines.append(f"    if type({v}) is not dict or len({v}) != {len(children)}: "
                         "raise Mismatch")
            for i, c in enumerate(children):
                emit(c, f"{v}[{k}[{i}]]")
        else:
            t = name("T")
            glob[t] = kind
            lines.append(f"    if type({v}) is not {t}: raise Mismatch")
            nd = tree_util._registry.get(kind)
            if nd is None:  # NamedTuple
                for i, c in enumerate(children):
                    emit(c, f"{v}[{i}]")
            else:
                f, a = name("F"), name("A")
                glob[f], glob[a] = nd.flatten, aux
                cv = name("c")
                lines.append(f"    {cv}, _aux = {f}({v})")
                lines.append(f"    {cv} = tuple({cv})")
                lines.append(f"    if _aux != {a} or len({cv}) != {len(children)}: "
                             "raise Mismatch")
                for i, c in enumerate(children):
                    emit(c, f"{cv}[{i}]")

    emit(_node(td), "x")
    src = "def flatten(x):\n    try:\n" + "\n".join("    " + ln for ln in lines) + \
        f"\n    except (KeyError, TypeError, IndexError):\n        raise Mismatch\n" \
        f"    return [{', '.join(leaves)}]\n"
    exec(compile(src, "<funcnet tree flatten>", "exec"), glob)
    return glob["flatten"]


def make_unflattener(td, weaks=None):
    """``unflatten(values) -> tree``; with ``weaks``, each value is first wrapped as a funcnet
    Array with that weak-type flag (the jit output path)."""
    glob: dict = {}
    if weaks is not None:
        from ..core.array import wrap
        glob["W"] = wrap
    counter = [0]
    pos = [0]

    def name(prefix):
        counter[0] += 1
        return f"{prefix}{counter[0]}"

    def expr(node):
        if node is None:
            i = pos[0]
            pos[0] += 1
            return f"v[{i}]" if weaks is None else f"W(v[{i}], {bool(weaks[i])})"
        kind, aux, children = node
        if kind is type(None):
            return "None"
        parts = [expr(c) for c in children]
        if kind is tuple:
            return "(" + "".join(p + ", " for p in parts) + ")"
        if kind is list:
            return "[" + ", ".join(parts) + "]"
        if kind is dict:
            k = name("K")
            glob[k] = tuple(aux)
            return "{" + ", ".join(f"{k}[{i}]: {p}" for i, p in enumerate(parts)) + "}"
        t = name("T")
        glob[t] = kind
        nd = tree_util._registry.get(kind)
        if nd is None:
            return f"{t}(" + ", ".join(parts) + ")"
        u, a = name("U"), name("A")
        glob[u], glob[a] = nd.unflatten, aux
        return f"{u}({a}, (" + "".join(p + ", " for p in parts) + "))"

    body = expr(_node(td))
    src = f"def unflatten(v):\n    return {body}\n"
    exec(compile(src, "<funcnet tree unflatten>", "exec"), glob)
    return glob["unflatten"]
