"""The frozen model of one policy version, as the builder makes it.

Everything here is checked and ready to run: expressions are compiled,
numbers are Decimal, names resolve, rules are in dependency order. Nothing
in the model does I/O; evaluation (``engine``) is a pure function of a
:class:`Policy` and the facts.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from functools import cached_property
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import attrs

from .core._numbers import DEFAULT_MODE, DEFAULT_PLACES, rounder
from .errors import UsageError
from .language._expressions import Expression

if TYPE_CHECKING:
    from .core._period import Period
    from .run._engine import Batch, Result
    from .run._program import Engine, Program

#: Field types a record may declare.
SCALAR_TYPES = ("money", "decimal", "int", "bool", "string", "date")
FIELD_TYPES = (*SCALAR_TYPES, "enum", "list")


def frozen_mapping(items: Mapping[str, Any] | Iterable[tuple[str, Any]]) -> Mapping[str, Any]:
    """A read-only mapping that keeps insertion order."""
    return MappingProxyType(dict(items))


@attrs.frozen
class Field:
    """One declared input field of a record."""

    name: str
    type: str
    values: tuple[str, ...] = ()
    item_type: str | None = None
    title: str | None = None
    description: str | None = None
    has_default: bool = False
    default: Any = None
    #: The least and the most a number field may hold (``min:``/``max:``; None: no bound):
    #: a base salary typed -3000 is refused, not paid.
    minimum: Any = None
    maximum: Any = None


@attrs.frozen
class Parameter:
    """A named figure of the policy (a rate, a cap, a threshold)."""

    name: str
    value: Any
    title: str | None = None
    unit: str | None = None
    source: str | None = None
    is_default: bool = False


@attrs.frozen
class Rounding:
    """Declared rounding: a quantum (0.01, 1, 10 …) and a mode name."""

    places: Decimal = DEFAULT_PLACES
    mode: str = DEFAULT_MODE

    def apply(self, value: Decimal) -> Decimal:
        return rounder(self.places, self.mode)(value)

    def __str__(self) -> str:
        return f"{self.places} {self.mode}"


@attrs.frozen
class Read:
    """A value a rule reads from a kind of record: a field or another rule's output."""

    kind: str | None  # None: the policy's own kind when it declares none
    name: str
    attr: str | None = None  # for ``name.attr``
    rule_id: str = ""
    pointer: str = ""
    source: str = ""  # the expression, for messages


@attrs.frozen
class Rule:
    """One rule: its identity, where it is written, and its kind's compiled spec."""

    id: str
    kind: str
    spec: Any
    pointer: str
    line: int | None = None
    title: str | None = None
    description: str | None = None
    source: str | None = None
    #: Named outputs (``id.name``); empty when the rule has one value named by its id.
    outputs: tuple[str, ...] = ()
    #: (name, title) of each named output given a title for people (``output_titles:``).
    output_titles: tuple[tuple[str, str], ...] = ()
    #: Every expression of the rule, for name checks and explanations.
    expressions: tuple[Expression, ...] = ()
    #: Other rules' outputs this rule reads, by kind (for the bundle's plan).
    reads_from: tuple[Read, ...] = ()

    @property
    def reads(self) -> frozenset[str]:
        return frozenset().union(*(e.names for e in self.expressions))

    def output_title(self, name: str) -> str | None:
        """The title ``output_titles:`` gives the named output ``name``, if any."""
        return next((title for part, title in self.output_titles if part == name), None)

    @property
    def output_names(self) -> tuple[str, ...]:
        if self.outputs:
            return tuple(f"{self.id}.{name}" for name in self.outputs)
        return (self.id,)


@attrs.frozen
class TestCase:
    """An embedded test: facts in, expected outputs out."""

    __test__ = False  # not a pytest class

    name: str
    facts: Mapping[str, Any]
    expect: Mapping[str, Any]
    pointer: str
    line: int | None = None
    period: str | None = None
    #: The record's values of last month, for ``previous(name)`` (None: it had none).
    previous: Mapping[str, Any] | None = None


@attrs.frozen
class Policy:
    """One checked, compiled policy version. Load it with :func:`policyengine.load_policy`."""

    id: str
    version: str
    effective_from: datetime.date
    title: str
    rules: tuple[Rule, ...]
    inputs: Mapping[str, Field]
    parameters: Mapping[str, Parameter]
    file: str
    sha256: str
    format: int = 1
    effective_to: datetime.date | None = None
    description: str | None = None
    source: str | None = None
    applies_to: str | None = None
    key: str | None = None
    #: The version this one corrects (replaces), if it is a correction.
    corrects: str | None = None
    tests: tuple[TestCase, ...] = ()
    #: Rule ids in the order they are evaluated (dependencies first).
    plan: tuple[str, ...] = ()
    #: Names read that no field, parameter or rule of this policy gives: the
    #: bundle's plan must find them among the other policies in force.
    external: tuple[Read, ...] = ()
    #: Beside entities.yaml: every field of the kind (``inputs`` holds those read).
    kind_fields: frozenset[str] = frozenset()
    #: The exact bytes the policy was built from (what ``sha256`` names).
    raw: bytes = attrs.field(default=b"", repr=False, eq=False)
    #: The type the load-time checker found for each parameter and each rule's value
    #: (``money``, ``boolean`` …, a rule's one per named output; None where it cannot
    #: tell): what the bundle's check knows of the policy's own names.
    value_types: Mapping[str, Any] = attrs.field(factory=dict, repr=False, eq=False)

    @cached_property
    def ordered_rules(self) -> tuple[Rule, ...]:
        """The rules in evaluation order."""
        by_id = {rule.id: rule for rule in self.rules}
        return tuple(by_id[rule_id] for rule_id in self.plan)

    @property
    def record_kind(self) -> str:
        """The kind of record the policy evaluates: ``applies_to``, else the policy's id."""
        return self.applies_to or self.id

    @cached_property
    def given_names(self) -> frozenset[str]:
        """The names it reads of other policies' rules over its own kind: a record
        evaluated alone brings their values (a month's bundle computes them)."""
        own = (None, self.record_kind)
        return frozenset(read.name for read in self.external if read.kind in own)

    @cached_property
    def reads_period(self) -> bool:
        """Whether any rule reads ``period`` (then evaluation needs one)."""
        return any("period" in rule.reads for rule in self.rules)

    @cached_property
    def program(self) -> Program:
        """The rules compiled into Python functions (built once, on first use)."""
        program: Program = RUNTIME.need("compile")(self, "compiled")
        return program

    @cached_property
    def reference_program(self) -> Program:
        """The same rules on the reference evaluator, for ``engine="reference"``."""
        program: Program = RUNTIME.need("compile")(self, "reference")
        return program

    def program_for(self, engine: Engine = "compiled") -> Program:
        """The program of the chosen implementation of the expression language."""
        if engine == "compiled":
            return self.program
        if engine == "reference":
            return self.reference_program
        raise UsageError.from_template("unknown-engine", words={"engine": repr(engine)})

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)

    @property
    def output_names(self) -> tuple[str, ...]:
        """Every output name, in evaluation order (``id`` or ``id.name``)."""
        return tuple(name for rule in self.ordered_rules for name in rule.output_names)

    def in_force(self, day: datetime.date) -> bool:
        if day < self.effective_from:
            return False
        return self.effective_to is None or day < self.effective_to

    def evaluate(
        self,
        record: Mapping[str, Any],
        *,
        period: Period | str | None = None,
        engine: Engine = "compiled",
        previous: Mapping[str, Any] | None = None,
    ) -> Result:
        """Evaluate every rule over one record; raises a PolicyError on a bad record.
        ``previous``: the record's values of last month (``{rule id: value}``), which
        ``previous(name)`` reads; without it, each call gives its initial value."""
        evaluate = RUNTIME.need("evaluate")
        result: Result = evaluate(self, record, period=period, engine=engine, previous=previous)
        return result

    def evaluate_many(
        self,
        records: Iterable[Mapping[str, Any]],
        *,
        period: Period | str | None = None,
        engine: Engine = "compiled",
    ) -> Batch:
        """Evaluate many records: a result per good record, an error per bad one."""
        run = RUNTIME.need("evaluate_many")
        batch: Batch = run(self, records, period=period, engine=engine)
        return batch


@attrs.define
class Runtime:
    """What the later phases lend a policy: compiling it (``policyengine.run._program``) and
    evaluating it (``policyengine.run._engine``).

    A policy is data, made at load; compiling and evaluating come after it.
    Those modules import this one, so this one imports neither (not even
    inside a function): each registers its part here when it is imported,
    and the package imports both, so any policy can run. The phases then
    read top to bottom, model → program → engine, with no cycle.
    """

    compile: Callable[..., Any] | None = None
    evaluate: Callable[..., Any] | None = None
    evaluate_many: Callable[..., Any] | None = None

    def need(self, part: str) -> Callable[..., Any]:
        found: Callable[..., Any] | None = getattr(self, part)
        if found is None:  # only if a phase module was never imported: an engine defect
            raise RuntimeError(f"policyengine: no {part} registered; import policyengine")
        return found


#: The one runtime, filled in by policyengine.run._program and policyengine.run._engine.
RUNTIME = Runtime()
