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
with the values before it stored first, so every kind works. A month's
runner calls the same code for the rules of one policy its plan takes one
after the other (:func:`fuse_steps`, through ``Program.fused_run``): the
policy's other rules, and other policies', are then read from ``env``.

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

from collections.abc import Callable, Mapping, MutableMapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

import attrs

from ..core._numbers import unsigned_zero
from ..facts._fast_reader import fast_reader
from ..language._fused_source import FusedSource
from ..model import Rule
from ..rules import KINDS
from ..rules.base import RuleCode

if TYPE_CHECKING:
    from ..model import Policy
    from ._program import Program

_T = TypeVar("_T")
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
    fused = fuse_steps(policy, program.steps)
    if fused is None:
        return None
    function, source = fused
    return Fused(function, source, fast_reader(policy.inputs))


#: One of a policy's record rules as a program lists it: its id, the rule, its function.
Step = tuple[str, Rule, RuleCode | None]


def fuse_steps(
    policy: Policy, steps: Sequence[Step]
) -> tuple[Callable[[MutableMapping[str, Any]], None], str] | None:
    """``steps`` (record rules of ``policy``, in the order they run) in one function of a
    record's ``env``: a policy's whole program, or a run of its rules that a bundle's
    plan takes one after the other (the policy's other rules, and other policies', are
    then read from ``env``, where the plan put them before). The function and its source;
    None when names clash."""
    rule_ids = [rule.id for rule in policy.rules]
    named = [*policy.inputs, *policy.parameters, *rule_ids, "period"]
    if len(set(named)) != len(named):  # the loader refuses these; nothing is guessed here
        return None
    source = FusedSource({name: p.value for name, p in policy.parameters.items()})
    _declare_fields(policy, source)
    lines: list[str] = []
    stored: list[str] = []  # rules whose values are in env already, in plan order
    for index, (rule_id, rule, step) in enumerate(steps):
        target = f"_r{index}"
        kind = KINDS[rule.kind]
        emitted = kind.emit(rule.spec, source, target) if kind.emit is not None else None
        if emitted is None:
            # Called as the rule-by-rule path calls it: it reads the values before it from env.
            lines += _stores(steps, stored, index, source)
            lines.append(f"{target} = {source.constant(step)}(env, None)")
        else:
            lines += emitted.lines
            _note(source.kinds, rule_id, emitted.kind, emitted.parts)
            _note(source.types, rule_id, emitted.exact, emitted.part_types)
            if emitted.mapping:
                source.mappings.add(rule_id)
            if emitted.unsigned:
                source.unsigned.add(rule_id)
        source.names[rule_id] = target
    lines += _stores(steps, stored, len(steps), source)
    function = source.function(_reads(policy, source) + lines, "policy")
    return function, source.source


def _note(table: dict[str, _T], rule_id: str, whole: _T | None, parts: Mapping[str, _T]) -> None:
    """Note in ``table`` what is sure of a rule's value (``whole``, None: nothing) and of
    each of its named outputs, so that the rules after it read them without a check."""
    if whole is not None:
        table[rule_id] = whole
    for part, known in parts.items():
        table[f"{rule_id}.{part}"] = known


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


#: The kinds of value that are never a number, so never a negative zero.
_NOT_NUMBERS = frozenset({"text", "bool", "date"})


def _stores(steps: Sequence[Step], stored: list[str], upto: int, source: FusedSource) -> list[str]:
    """Lines storing the values of the rules before ``upto`` not yet in env, in plan order
    (env holds the values in the order the rule-by-rule path gives them). A value that
    may be a number is stored without the sign of a negative zero (``-0.00`` is ``0.00``,
    as in a month: result format 3)."""
    lines = []
    # Functions as constants, not attributes: the generated source reads no attribute of
    # its own beyond the few the sandbox test names.
    decimal, unsigned, type_of = (source.constant(c) for c in (Decimal, unsigned_zero, type))
    signed, positive = source.constant(Decimal.is_signed), source.constant(Decimal.copy_abs)
    for index in range(len(stored), upto):
        rule_id, rule, _ = steps[index]
        value = f"_r{index}"
        if rule_id in source.unsigned:
            pass  # surely no negative zero: stored as it is
        elif rule.outputs:
            lines.append(f"{value} = {unsigned}({value})")
        elif source.kinds.get(rule_id) not in _NOT_NUMBERS:
            lines.append(
                f"if not {value} and {type_of}({value}) is {decimal} and {signed}({value}):"
                f" {value} = {positive}({value})"
            )
        lines.append(f"env[{rule_id!r}] = {value}")
        stored.append(rule_id)
    return lines
