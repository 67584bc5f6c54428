"""One Python function per policy computing all its record rules for one record.

Evaluating a record rule by rule calls one compiled function per rule, each
reading its names from the record's ``env`` and checking what it reads. Most
of a record's time went there, not into the arithmetic. :func:`fuse` writes
every record rule of a policy, in plan order, into one function instead: the
record's fields and the rules' values are locals, each rule kind writes its
own lines (``RuleKind.emit``: a formula's expression and rounding, tiers as
an if-chain over the checked bands or each band's part added up, a
first-hit table's if/elif chain, a score's components and weights, checks),
and the rules' values are stored into ``env`` once, at the end. A kind (or
a spec) without lines of its own is called through its compiled function,
with the values before it stored first, so every kind works.

The fused function is only the common path. Whenever it meets anything else
— a value of an unexpected type, an amount outside the bands, a row that is
neither yes nor no, any error at all — it raises, and the engine evaluates
that record again rule by rule (:func:`policyengine.run._engine.evaluate`),
which gives exactly the value or the located error it always gave:
evaluation is deterministic, so the second run is the answer. What is
generated, and why it stays inside the sandbox, is
:mod:`policyengine.language._fused_source`.
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs

from ..facts._fast_reader import fast_reader
from ..language._fused_source import FusedSource
from ..rules import KINDS

if TYPE_CHECKING:
    from ..model import Policy
    from ._program import Program

#: The kind of value a declared field of each type holds once its record is read.
FIELD_KINDS = {
    "money": "number",
    "decimal": "number",
    "int": "number",
    "string": "text",
    "enum": "text",
    "bool": "bool",
    "date": "date",
}


@attrs.frozen(eq=False)
class Fused:
    """A policy's fused function and the source it was compiled from."""

    #: ``function(env)`` fills ``env`` (a typed record, with ``period``) with every
    #: rule's value, or raises: then evaluate the record rule by rule.
    function: Callable[[MutableMapping[str, Any]], None]
    source: str = attrs.field(repr=False)
    #: The policy's reader of the common record (see ``facts._fast_reader``), or None.
    reader: Callable[[Any], dict[str, Any] | None] | None = attrs.field(repr=False)
    #: The months already checked for this policy (see ``run._engine``), by period given.
    months: dict[Any, Any] = attrs.field(factory=dict, repr=False)


def fuse(policy: Policy, program: Program) -> Fused | None:
    """The fused function of ``policy``'s compiled ``program``; None when a rule needs other
    records (a population rule: the policy runs in a bundle) or names clash."""
    if any(step is None for _, _, step in program.steps):
        return None
    rule_ids = [rule_id for rule_id, _, _ in program.steps]
    named = [*policy.inputs, *policy.parameters, *rule_ids, "period"]
    if len(set(named)) != len(named):  # the loader refuses these; nothing is guessed here
        return None
    source = FusedSource({name: p.value for name, p in policy.parameters.items()})
    _declare_fields(policy, source)
    lines: list[str] = []
    stored: list[str] = []  # rules whose values are in env already, in plan order
    for index, (rule_id, rule, step) in enumerate(program.steps):
        target = f"_r{index}"
        kind = KINDS[rule.kind]
        emitted = kind.emit(rule.spec, source, target) if kind.emit is not None else None
        if emitted is None:
            # Called as the rule-by-rule path calls it: it reads the values before it from env.
            lines += _stores(program, stored, index)
            lines.append(f"{target} = {source.constant(step)}(env, None)")
        else:
            lines += emitted.lines
            if emitted.kind is not None:
                source.kinds[rule_id] = emitted.kind
            for part, part_kind in emitted.parts.items():
                source.kinds[f"{rule_id}.{part}"] = part_kind
            if emitted.mapping:
                source.mappings.add(rule_id)
            if emitted.exact is not None:
                source.types[rule_id] = emitted.exact
            for part, part_type in emitted.part_types.items():
                source.types[f"{rule_id}.{part}"] = part_type
        source.names[rule_id] = target
    lines += _stores(program, stored, len(program.steps))
    function = source.function(_reads(policy, source) + lines, "policy")
    return Fused(function, source.source, fast_reader(policy.inputs))


#: The exact type of a value of a declared field of each type, where it is one type.
_FIELD_TYPES = {"money": Decimal, "decimal": Decimal, "int": int}


def _declare_fields(policy: Policy, source: FusedSource) -> None:
    """The record's fields as locals of the fused function, with their kinds and types,
    and ``period`` as a local when a rule reads it."""
    for index, (name, field) in enumerate(policy.inputs.items()):
        source.names[name] = f"_f{index}"
        kind = FIELD_KINDS.get(field.type)
        if kind is not None:
            source.kinds[name] = kind
        exact = _FIELD_TYPES.get(field.type)
        if exact is not None:
            source.types[name] = exact
    if policy.reads_period:
        source.names["period"] = "_p"
        source.mappings.add("period")


def _reads(policy: Policy, source: FusedSource) -> list[str]:
    """The lines reading the fields the emitted rules read into their locals (a typed record
    holds every declared field), and ``period`` (absent, its first use gives up)."""
    used = source.translator.used
    lines = [
        f"_f{index} = env[{name!r}]"  # the name as a literal, never as code
        for index, name in enumerate(policy.inputs)
        if name in used
    ]
    if "period" in used and source.names.get("period") == "_p":
        lines.append("_p = env.get('period')")
    return lines


def _stores(program: Program, stored: list[str], upto: int) -> list[str]:
    """Lines storing the values of the rules before ``upto`` not yet in env, in plan order
    (env holds the values in the order the rule-by-rule path gives them)."""
    lines = []
    for index in range(len(stored), upto):
        rule_id = program.steps[index][0]
        lines.append(f"env[{rule_id!r}] = _r{index}")
        stored.append(rule_id)
    return lines
