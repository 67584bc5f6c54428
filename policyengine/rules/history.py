"""``history``: a value of the same record from earlier months.

``measure`` is one of:

- ``previous`` — the value ``of`` had last month;
- ``consecutive`` — how many months in a row, ending with this one, ``of``
  held (``of`` must be true or false);
- ``count_in_quarter`` / ``count_in_year`` — in how many months of this
  quarter / year so far, this one included, ``of`` held.

A month with no value for the record (before it existed, or not given) is
never guessed: ``missing`` says whether it counts as false, as zero, or is an
error.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from ..core._display import show_value as _show
from ..core._period import Period
from ..core._text_templates import ENGLISH, Saying
from ..errors import PolicyError
from ..language._value_kinds import fail
from .base import Built, Outcome, RuleContext, Slip, TypeReader, ValueType
from .population import MISSING, Frame, PopulationKind, needs_entities


@attrs.frozen
class History:
    of: str  # "name" or "name.part"
    measure: str
    missing: str


def build(ctx: RuleContext) -> Built | None:
    if not needs_entities(ctx, "history"):
        return None
    raw = ctx.raw
    of = str(raw["of"])
    base, _, part = of.partition(".")
    if not base.isidentifier() or (part and not part.isidentifier()) or base == "period":
        ctx.add("bad-history-of", "/of", of=of)
        return None
    # Compiled so the name is resolved and ordered like any other read.
    if ctx.expr("/of", of) is None:
        return None
    if base in ctx.entities.ancestors(ctx.own_kind):
        ctx.add("bad-history-of", "/of", form="other-kind", of=of)
        return None
    return Built(History(of, raw["measure"], raw["missing"]))


def evaluate(spec: History, frame: Frame) -> Mapping[str, Outcome | PolicyError]:
    found: dict[str, Outcome | PolicyError] = {}
    for key in frame.records():
        if frame.unusable(key) is not None:
            continue  # the record failed already; its error stands
        try:
            found[key] = _one(spec, frame, key)
        except PolicyError as error:
            found[key] = error
    return found


def _read(spec: History, frame: Frame, key: str, month: Period) -> Any:
    value = frame.past(key, spec.of, month)
    if value is not MISSING:
        return value
    if spec.missing == "error":
        words = {"of": spec.of, "month": str(month)}
        raise fail("missing-history", "", words, period=month.key)
    return False if spec.missing == "as_false" else 0


def _held(value: Any, spec: History, month: Period) -> bool:
    if not isinstance(value, bool) and value != 0:
        words = {"of": spec.of, "month": str(month), "value": repr(value)}
        raise fail("type-mismatch", "history", words)
    return value is True


def _one(spec: History, frame: Frame, key: str) -> Outcome:
    now = frame.period
    detail: dict[str, Any] = {"of": spec.of, "measure": spec.measure, "missing": spec.missing}
    if spec.measure == "previous":
        # Last month only: this month's value is not read (and may not exist yet).
        before = now.shift(-1)
        value = _read(spec, frame, key, before)
        detail["months"] = {before.key: value}
        return Outcome(value, detail)
    current = frame.value(key, spec.of)
    months: dict[str, Any] = {now.key: current}
    if spec.measure == "consecutive":
        count, month = 0, now
        value = current
        while _held(value, spec, month):
            count += 1
            month = month.shift(-1)
            value = _read(spec, frame, key, month)
            months[month.key] = value
        detail["months"] = months
        return Outcome(count, detail)
    first = (now.month - 1) // 3 * 3 + 1 if spec.measure == "count_in_quarter" else 1
    count = 0
    for month_number in range(first, now.month + 1):
        month = Period(now.year, month_number)
        value = current if month == now else _read(spec, frame, key, month)
        months[month.key] = value
        count += _held(value, spec, month)
    detail["months"] = dict(sorted(months.items()))
    return Outcome(count, detail)


def explain(detail: Mapping[str, Any], said: Saying = ENGLISH) -> list[str]:
    """What the trace says of how this kind reached its value."""
    months = ", ".join(f"{m}: {_show(v)}" for m, v in detail.get("months", {}).items())
    words = {k: detail[k] for k in ("measure", "of", "missing")}
    return [said("history-months", months=months, **words)]


def reads_past(spec: History) -> frozenset[str]:
    """The output (its rule's name, without a part) this rule reads from earlier months."""
    return frozenset({spec.of.partition(".")[0]})


def reads_only_past(kind: str, spec: Any) -> frozenset[str]:
    """The names a rule reads from earlier months only, never this month's: they are
    no dependency of the rule in the month's order, so an output may read its own
    value of last month (``measure: previous``) without a cycle. The other measures
    read this month's value too, and depend on it."""
    if kind == "history" and isinstance(spec, History) and spec.measure == "previous":
        return reads_past(spec)
    return frozenset()


def value_type(spec: History, types: TypeReader) -> ValueType:
    """Last month's value has the type of what it reads; the other measures count months."""
    if spec.measure != "previous":
        return "count"
    return types.name(spec.of)


def slip(spec: History, types: TypeReader) -> Slip:
    """Counting months (``consecutive``, ``count_in_…``) counts the months a yes/no value
    held: of money it failed every record at run time, and a month of 0 counted as not
    holding, silently (``bad-history-of``, form ``not-yes-no``)."""
    found = None if spec.measure == "previous" else types.name(spec.of)
    if found is None or found == "boolean":
        return None
    words = {"of": spec.of, "found": found, "measure": spec.measure}
    return ("bad-history-of", "not-yes-no", "/of", words)


KIND = PopulationKind("history", build, evaluate, explain, reads_past, value_type, slip=slip)
