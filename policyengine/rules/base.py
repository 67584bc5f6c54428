"""What every rule kind shares: the build context and the outcome it returns."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Protocol

import attrs

from ..codes import ErrorCode

# Kept here for importers of the old path; values are shown by core._display.
from ..core._display import plain as plain
from ..core._display import show_value as show_value
from ..core._number_text import looks_numeric, to_decimal
from ..core._numbers import DEFAULT_MODE, DEFAULT_PLACES, is_number, rounding_step
from ..core._problems import Problems
from ..core._text_templates import ENGLISH
from ..errors import ExpressionError, PolicyError
from ..language._expression_translator import kind_of_value
from ..language._expressions import Expression, compile_expression
from ..language._fused_source import FusedSource
from ..language._types_infer import Type
from ..model import Rounding, frozen_mapping
from ..read._source import Document

#: Where a rule writes the facts of how it reached its value (the band, the
#: rows, the components …), or None when nobody asked: evaluation records no
#: trace, and an explanation evaluates the one record again with a dict here.
Detail = dict[str, Any] | None
#: The code of one expression: its value for a record's names.
Code = Callable[[Mapping[str, Any]], Any]
#: How a kind finds the code of one of its expressions (compiled, or the reference).
CodeOf = Callable[[Expression], Code]
#: A record rule, compiled: its value for a record's names, filling ``detail`` if given.
RuleCode = Callable[[Mapping[str, Any], Detail], Any]


@attrs.frozen
class Emitted:
    """What a kind's emitter writes into a policy's fused function for one rule."""

    #: Source lines (indented relative to each other) that leave the value in the target.
    lines: tuple[str, ...]
    #: The kind the value surely has ("number", "text", "bool", "date"), if known.
    kind: str | None = None
    #: The kind of each named output, where known (``count`` of a checks rule …).
    parts: Mapping[str, str] = attrs.field(factory=dict)
    #: Whether the value is surely a read-only mapping (a rule with named outputs).
    mapping: bool = False
    #: The exact type of the value (Decimal, int), and of each named output, where sure.
    exact: type | None = None
    part_types: Mapping[str, type] = attrs.field(factory=dict)
    #: Whether the value is surely never a negative zero, nor holds one: then it is
    #: stored as it is, without the look for one every other value gets.
    unsigned: bool = False


#: A kind's emitter: ``emit(spec, source, target)`` -> the lines computing the rule into
#: the local ``target`` (see :mod:`policyengine.language._fused_source`), or None when this
#: spec is left to its compiled function.
Emit = Callable[[Any, FusedSource, str], Emitted | None]


def emitted_constants(lines: list[str], values: list[Any]) -> Emitted:
    """``lines`` that leave one of ``values`` (constants: bands, rows) in their target, with
    the kind and exact type all of them share, and for named values (all read-only
    mappings) the kind and exact type each part shares."""
    kind, exact = _shared(values)
    if not values or not all(type(value) is MappingProxyType for value in values):
        return Emitted(tuple(lines), kind, exact=exact)
    parts: dict[str, str] = {}
    part_types: dict[str, type] = {}
    for name in values[0]:
        part_kind, part_type = _shared([value.get(name) for value in values])
        if part_kind is not None:
            parts[name] = part_kind
        if part_type is not None:
            part_types[name] = part_type
    return Emitted(tuple(lines), None, parts, mapping=True, part_types=part_types)


def _shared(values: list[Any]) -> tuple[str | None, type | None]:
    """The kind all ``values`` have, and their exact type if it is Decimal or int."""
    kinds = {kind_of_value(value) for value in values}
    types = {type(value) for value in values}
    exact = types.pop() if len(types) == 1 else None
    return (kinds.pop() if len(kinds) == 1 else None), (exact if exact in (Decimal, int) else None)


#: The type of a rule's value at load time: one type, or one per named output; None where
#: its kind does not say (nothing unknown is ever reported).
ValueType = Mapping[str, Type] | Type


class TypeReader(Protocol):
    """What the load-time type check (:mod:`policyengine.load._type_check`) lends a kind
    for it to say the type of its rule's value."""

    def of(self, expr: Expression | None, kind: str | None = None) -> Type:
        """The type of an expression over ``kind`` (None: the rule's own kind)."""

    def written(self, values: Sequence[Any]) -> ValueType:
        """The one type of the values bands or rows give (per name, for named values)."""

    def name(self, name: str) -> Type:
        """The type of a name the rule's own kind reads."""


#: A kind's word on the type of its rule's value: ``value_type(spec, types)``.
TypeOf = Callable[[Any, TypeReader], ValueType]


def unsaid(spec: Any, types: TypeReader) -> ValueType:
    """The type of a rule whose kind does not say it: not known."""
    return None


#: A slip of kind a rule's own spec makes, which its kind sees with the types known at
#: load: (code, form, the pointer below the rule's, words), or None. The words name
#: types as the check knows them (``money``, ``text`` …), said by the check.
Slip = tuple[ErrorCode, str, str, dict[str, Any]] | None
#: A kind's check of its spec against the types: ``slip(spec, types)``.
SlipOf = Callable[[Any, TypeReader], Slip]


def no_slip(spec: Any, types: TypeReader) -> Slip:
    """A kind whose spec names no value of a type to check."""
    return None


@attrs.frozen
class WrittenValues:
    """The values a rule writes into its YAML (its bands', its rows'), as written: the
    load-time checks of rates and of numbers in words read them
    (:mod:`policyengine.load._value_slots`)."""

    #: (pointer below the rule, the value as written), in order.
    items: tuple[tuple[str, Any], ...]
    #: Whether every value is a rate (a graduated band's multiplies an amount).
    rates: bool = False
    #: Whether a value may be computed, written ``{expr: …}`` (a table's may).
    computed: bool = False


def none_written(spec: Any, raw: Mapping[str, Any]) -> WrittenValues | None:
    """A kind that writes no values of its own into the YAML."""
    return None


@attrs.frozen
class Outcome:
    """A rule's value for one record, and the facts of how it was reached."""

    value: Any
    #: Kind-specific, JSON-friendly details for the trace (band, rows, components …).
    detail: Mapping[str, Any] = attrs.field(factory=dict)


@attrs.frozen
class Built:
    """What a kind's ``build`` returns: its spec and its named outputs."""

    spec: Any
    outputs: tuple[str, ...] = ()


@attrs.frozen
class RuleKind:
    """One record rule kind: a load-time builder, and a compiler of its spec.

    ``compile(spec, code_of)`` returns the rule's :data:`RuleCode`, built once
    per policy: the same function computes a value fast and, given a
    ``detail`` dict, says how it got there, so a value and its explanation
    can never disagree. ``emit`` writes the same computation inline into a
    policy's fused function (:mod:`policyengine.run._fused`); a kind without
    it is called there through its compiled function. ``value_type`` says the
    type of the rule's value at load time, for the expressions that read it.
    """

    name: str
    build: Callable[[RuleContext], Built | None]
    compile: Callable[[Any, CodeOf], RuleCode]
    #: What an explanation says of a detail this kind filled in (band, rows …).
    #: ``explain(detail, said)``: its lines, each said by name (core/_text_templates.py).
    explain: Callable[..., list[str]] = lambda detail, said=ENGLISH: []
    emit: Emit | None = None
    value_type: TypeOf = unsaid
    #: Its spec's own slips of kind, seen with the types known (see :data:`Slip`).
    slip: SlipOf = no_slip
    #: Whether its numbers are amounts a report's column adds up (not scores).
    amounts: bool = True
    #: The values it writes into the YAML, as written: ``written(spec, raw)``.
    written: Callable[[Any, Mapping[str, Any]], WrittenValues | None] = none_written


@attrs.define
class RuleContext:
    """Helpers a kind's builder uses; every problem lands in ``problems``, located."""

    raw: Mapping[str, Any]
    pointer: str
    rule_id: str
    document: Document
    problems: list[PolicyError]
    #: Every compiled expression with the pointer it was written at and the kind
    #: of record it reads (None: the policy's own kind).
    sites: list[tuple[str, Expression, str | None]] = attrs.field(factory=list)
    #: The record kinds (``entities.yaml``) when the policy lives beside one.
    entities: Any = None
    #: The kind the policy applies to.
    own_kind: str | None = None
    _collector: Problems = attrs.field(init=False)

    def __attrs_post_init__(self) -> None:
        # The package's collector, adding to the same list the policy's builder reads.
        self._collector = Problems(document=self.document, found=self.problems)

    def add(
        self,
        code: ErrorCode,
        sub: str,
        *,
        form: str = "",
        hint: str | None = None,
        at_key: bool = False,
        **details: Any,
    ) -> None:
        """Report ``code`` at ``pointer + sub``, worded by its template
        (:mod:`policyengine.core._check_templates`) from ``details``."""
        self._collector.add(
            code,
            self.pointer + sub,
            form=form,
            hint=hint,
            at_key=at_key,
            rule_id=self.rule_id,
            **details,
        )

    def reported(self, sub: str) -> bool:
        """Whether a problem is already said at ``pointer + sub`` (then what follows from
        it is not said again: one slip, one message)."""
        where = self.pointer + sub
        return any(problem.location.pointer == where for problem in self.problems)

    def unique(self, items: str, key: str, code: ErrorCode) -> bool:
        """Whether each of the ``items`` list (checks, components) has its own ``key``; each
        repeat is reported as ``code`` where it is written."""
        seen: set[str] = set()
        for index, item in enumerate(self.raw[items]):
            name = str(item[key])
            if name in seen:
                self.add(code, f"/{items}/{index}/{key}", name=name)
            seen.add(name)
        return len(seen) == len(self.raw[items])

    def expr(self, sub: str, value: Any, kind: str | None = None) -> Expression | None:
        """Compile the expression at ``pointer + sub``; None (and a problem) if it is refused.

        ``kind`` names the kind of record the expression reads when it is not
        the policy's own (an aggregate's ``value`` reads the child records).
        """
        text = expression_text(value)
        try:
            compiled = compile_expression(text)
        except ExpressionError as exc:
            location = attrs.evolve(self.document.locate(self.pointer + sub), rule_id=self.rule_id)
            self.problems.append(exc.at(**location.to_dict()))
            return None
        self.sites.append((self.pointer + sub, compiled, kind))
        return compiled

    def number(self, sub: str, value: Any) -> Decimal | None:
        try:
            return to_decimal(value)
        except ValueError as exc:
            self.add("not-a-number", sub, form="rule", problem=str(exc))
            return None

    def rounding(self, sub: str, value: Any) -> Rounding | None:
        """A declared ``round:`` — a quantum, or {places, mode}."""
        if value is None:
            return None
        if isinstance(value, Mapping):
            places = self.number(sub + "/places", value.get("places", DEFAULT_PLACES))
            mode = str(value.get("mode", DEFAULT_MODE))
        else:
            places = self.number(sub, value)
            mode = DEFAULT_MODE
        if places is None:
            return None
        try:
            step = rounding_step(places)
        except ValueError as exc:
            at = sub + "/places" if isinstance(value, Mapping) else sub
            self.add("bad-rounding", at, form="places", problem=str(exc))
            return None
        return Rounding(step, mode)

    def literal(self, sub: str, value: Any) -> Any:
        """A literal result value: numbers and percentages become Decimal; text stays text."""
        if isinstance(value, Mapping):
            return frozen_mapping(
                (name, self.literal(f"{sub}/{name}", item)) for name, item in value.items()
            )
        if isinstance(value, bool) or value is None:
            return value
        if is_number(value):
            return to_decimal(value)
        if isinstance(value, str):
            try:
                return to_decimal(value)
            except ValueError:
                if looks_numeric(value):
                    # '4％' or '1,000' would stay text and fail only when a record uses it.
                    self.add("not-a-number", sub, form="literal", value=value)
                return value
        return value


def expression_text(value: Any) -> str:
    """YAML may give an expression as a bare number or true/false; use its text."""
    if isinstance(value, bool):
        return "True" if value else "False"
    return str(value)
