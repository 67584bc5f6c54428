"""What population rules (aggregate, rank, history) see: all records of a kind at once.

A record-level rule computes one record from that record alone. A
population rule needs the others — the calls of a rep, the reps of a team,
the same rep in earlier months — so it works through a :class:`Frame` the
bundle's runner provides, and returns one outcome (or one error) per record.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

import attrs

from ..core._period import Period
from ..core._text_templates import ENGLISH
from ..errors import PolicyError
from ..language._expressions import Expression
from .base import Built, Outcome, RuleContext, SlipOf, TypeOf, no_slip, unsaid

#: Returned by Frame.past for a month or record with no value.
MISSING: Any = type("Missing", (), {"__repr__": lambda self: "MISSING"})()


class Frame(Protocol):
    """The records a population rule works over, and how to read them."""

    @property
    def kind(self) -> str:
        """The kind the rule applies to."""

    @property
    def period(self) -> Period:
        """The month being evaluated."""

    def records(self) -> list[str]:
        """Keys of every record of ``kind`` (failed ones too: see ``unusable``), sorted."""

    def key_value(self, key: str) -> Any:
        """The record's key as its field types it, for ordering: an ``int`` key is a
        number (9 before 10), any other its text."""

    def unusable(self, key: str, kind: str | None = None) -> str | None:
        """The record's key when an earlier failure left it without a value this rule reads."""

    def has_failures(self, kind: str | None = None) -> bool:
        """Whether any record of ``kind`` (default the rule's) has a failed value: when
        none has, no record needs asking ``unusable``."""

    def run(self, expression: Expression, key: str, kind: str | None = None) -> Any:
        """Evaluate ``expression`` for one record (of ``kind``, default the rule's)."""

    def runner(self, expression: Expression, kind: str | None = None) -> Callable[[str], Any]:
        """``run`` for one expression, prepared once: call it with each record's key."""

    def run_many(self, expression: Expression, keys: list[str], kind: str) -> list[Any]:
        """``run`` for many records of ``kind`` at once: their values, in order. An
        exception from here is not yet the reference's error: run the records one by one
        to meet it as the reference gives it."""

    def run_below(self, expression: Expression, key: str, kind: str) -> list[Any]:
        """``run_many`` over every record of ``kind`` below this record (``descendants``),
        in the same order: a roll-up's question asked of all its children at once."""

    def value(self, key: str, name: str) -> Any:
        """A field or earlier output of a record of the rule's kind."""

    def ancestor(self, key: str, kind: str) -> str | None:
        """The key of the record's ancestor of ``kind``."""

    def descendants(self, key: str, kind: str) -> list[str]:
        """Keys of the sound records of ``kind`` below this record, sorted."""

    def unsound(self, key: str, kind: str) -> str | None:
        """A record of ``kind`` below this one that was refused as a bad fact, if any."""

    def unsound_peer(self, within: str | None, group: str) -> str | None:
        """A record of the rule's kind in the group that was refused as a bad fact, if any."""

    def past(self, key: str, name: str, period: Period) -> Any:
        """The value ``name`` had for this record in an earlier month, or MISSING."""


@attrs.frozen
class PopulationKind:
    """A rule kind that works over every record of a kind at once."""

    name: str
    build: Callable[[RuleContext], Built | None]
    evaluate: Callable[[Any, Frame], Mapping[str, Outcome | PolicyError]]
    #: What an explanation says of a detail this kind filled in (records, order …).
    explain: Callable[..., list[str]] = lambda detail, said=ENGLISH: []
    #: The values a rule of this kind reads from earlier months (only those are kept
    #: as the month's history inputs); none for a kind that reads only this month.
    reads_past: Callable[[Any], frozenset[str]] = lambda spec: frozenset()
    #: The type of the rule's value at load time (see :class:`~.base.RuleKind`).
    value_type: TypeOf = unsaid
    #: Whether its numbers are amounts a report's column adds up (not positions).
    amounts: bool = True
    #: Its spec's own slips of kind, seen with the types known (see :data:`~.base.Slip`).
    slip: SlipOf = no_slip


def needs_entities(ctx: RuleContext, what: str) -> bool:
    """Population rules read other records, so they need the kinds of entities.yaml."""
    if ctx.entities is None or ctx.own_kind is None:
        ctx.add("needs-entities", "/kind", kind=what)
        return False
    # A kind entities.yaml lacks is reported once, at applies_to (the root cause),
    # not again by every rule that would read other records.
    return ctx.own_kind in ctx.entities.kinds
