# The primitive registry: one rule table per interpreter, keyed by primitive.
#
# A primitive is added in core/prims/<family>.py by one register(...) call right
# under its definition. Each transform reads only its own table; a missing rule
# raises MissingRuleError naming the primitive and the transform.
from __future__ import annotations

from ..errors import MissingRuleError

impl_rules: dict = {}        # prim -> impl(xp, *raw_values, **params) -> raw value(s)
abstract_rules: dict = {}    # prim -> abstract_eval(*avals, **params) -> (shape, dtype) | list
jvp_rules: dict = {}         # prim -> jvp(primals, tangents, **params) -> (out, tangent_out)
vjp_rules: dict = {}         # prim -> vjp(needs, ct, out, *primals, **params) -> [ct_in | None]
batch_rules: dict = {}       # prim -> batch(values, dims, **params) -> (out, out_dim)
lowering_rules: dict = {}    # prim -> lower(xp, **params) -> callable(*raw) (jit codegen)
nondiff: set = set()         # primitives whose outputs carry no derivative (int/bool results)
effectful: set = set()       # primitives with side effects: never removed, merged or folded

ALL_PRIMITIVES: list = []


class Primitive:
    """A primitive operation: the unit every interpreter handles.

    Attributes:
        name: printed in graphs and error messages.
        multiple_results: the implementation returns a tuple.
        keeps_weak: the output is weakly typed when every input is.
    """

    __slots__ = ("name", "multiple_results", "keeps_weak", "weak_param")

    def __init__(self, name: str, multiple_results: bool = False, keeps_weak: bool = True,
                 weak_param: str | None = None):
        self.name = name
        self.multiple_results = multiple_results
        self.keeps_weak = keeps_weak
        self.weak_param = weak_param  # the output's weak flag is this param's value

    def __repr__(self):
        return self.name

    def bind(self, *args, **params):
        from .primitive import bind
        return bind(self, *args, **params)


def register(prim: Primitive, *, impl, abstract_eval, batch, jvp=None, vjp=None,
             lower=None, differentiable=True) -> Primitive:
    """Register every rule of ``prim`` at once (see STYLE.md rule 1)."""
    if prim in impl_rules:
        raise ValueError(f"primitive {prim.name} registered twice")
    impl_rules[prim] = impl
    abstract_rules[prim] = abstract_eval
    batch_rules[prim] = batch
    if differentiable:
        if jvp is None or vjp is None:
            raise ValueError(f"differentiable primitive {prim.name} needs jvp and vjp rules")
        jvp_rules[prim] = jvp
        vjp_rules[prim] = vjp
    else:
        nondiff.add(prim)
    if lower is not None:
        lowering_rules[prim] = lower
    ALL_PRIMITIVES.append(prim)
    return prim


def rule(table: dict, prim: Primitive, transform: str):
    try:
        return table[prim]
    except KeyError:
        raise MissingRuleError(
            f"funcnet: primitive '{prim.name}' has no {transform} rule; this is a bug in "
            "funcnet, please report it") from None
