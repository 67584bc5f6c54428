"""A month's results for people: the pay sheet, summaries, errors and provenance.

Built from a :class:`~policyengine.bundle.BundleResult`, generic over the
policies in force: the columns are the outputs of the rules that apply,
named ``policy.output`` and titled by the rule's ``title:`` (else by the
name), so a new policy adds columns without a change here.

- **Pay sheet**: one row per record of the pay kind (the rep, as the
  centre's entities say: the kind with a parent and children that policies
  apply to), with its key, its ``name`` and its parent link when the kind
  has such fields, every output of every policy applying to the kind, and
  the codes of the record's errors and of the values it lacks (a record with
  an error keeps its row, its failed values empty, so nobody silently drops
  off the sheet).
- **Summaries**: one per kind above the pay kind (the team): every output
  of the policies applying to it, the number of records of each kind
  below it, and the number of errors among them.
- **Errors**: every record or input error, with the file, row and column of
  the record when the facts files are known (:class:`~policyengine.io.FactsIndex`).
- **Provenance**: every version with its SHA-256, the bundle hash, the
  inputs hash, the entities hash, the engine version, the period and the
  as-known-at date.

The writers, one module per format, are listed by suffix in
:mod:`policyengine.writers`; the printed month summary is in :mod:`policyengine.summary`.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import Any

import attrs

from .bundle import BundleResult
from .codes import ErrorCode
from .entities import Entities, Kind
from .errors import PolicyError
from .io import FactsIndex, Place
from .rules.base import plain

#: The fixed time stamped on every workbook (its properties and its zip entries), so
#: that the same result gives the same bytes: the earliest time a zip file can hold.
FIXED_TIME = datetime.datetime(1980, 1, 1)
#: Sheet names.
PAY_SHEET = "工资表 Pay"
ERRORS_SHEET = "错误 Errors"
PROVENANCE_SHEET = "来源 Provenance"
#: The column of a pay-sheet row naming the record's errors.
ERRORS_COLUMN = "errors"

#: Codes that follow from another error (reported there): shown after the causes.
CONSEQUENCES: frozenset[ErrorCode] = frozenset(
    {"invalid-parent", "incomplete-group", "failed-input"}
)

Reporter = Callable[[int, int], None]


@attrs.frozen
class Column:
    """One column: a machine name (a field, or ``policy.output``) and a title for people."""

    name: str
    title: str
    policy: str | None = None
    output: str | None = None


@attrs.frozen
class Table:
    """A sheet: columns, and rows of plain values (Decimal, int, bool, str, date, None …)."""

    name: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Any, ...], ...]

    def records(self) -> list[dict[str, Any]]:
        """The rows as mappings by column name."""
        names = [c.name for c in self.columns]
        return [dict(zip(names, row, strict=True)) for row in self.rows]


@attrs.frozen
class Report:
    """The month's pay sheet, summaries, errors and provenance."""

    period: str
    kind: str
    pay: Table
    summaries: tuple[Table, ...]
    errors: Table
    provenance: Mapping[str, Any]


# --- what the result holds ------------------------------------------------------------


@attrs.frozen
class Output:
    """One output of one rule of one policy, for records of one kind."""

    kind: str
    policy: str
    rule: str
    part: str | None  # the name of a named output, else None
    title: str | None

    @property
    def name(self) -> str:
        """The output as results name it: ``rule`` or ``rule.part``."""
        return f"{self.rule}.{self.part}" if self.part else self.rule

    @property
    def column(self) -> Column:
        label = self.title or f"{self.policy}.{self.name}"
        if self.title and self.part:
            label = f"{self.title}.{self.part}"
        return Column(f"{self.policy}.{self.name}", label, self.policy, self.name)

    def value(self, env: Mapping[str, Any]) -> Any:
        found = env.get(self.rule)
        if self.part is None:
            return found
        if type(found) is MappingProxyType or isinstance(found, Mapping):
            return found.get(self.part)
        return None


def outputs(result: BundleResult, kind: str) -> list[Output]:
    """Every output of every policy applying to ``kind``: policies by id, rules in plan order."""
    found: list[Output] = []
    for policy, rule in result.rules(kind):
        parts: Sequence[str | None] = rule.outputs or (None,)
        found.extend(Output(kind, policy.id, rule.id, part, rule.title) for part in parts)
    return sorted(found, key=lambda o: o.policy)  # stable: plan order within a policy


def entities_of(result: BundleResult) -> Entities:
    return result.entities


def record_keys(result: BundleResult) -> dict[str, str]:
    """Each kind's key field."""
    return {name: kind.key for name, kind in entities_of(result).kinds.items()}


def pay_kind(result: BundleResult) -> str:
    """The kind the pay sheet lists: of the kinds policies apply to, one with a parent and
    children (the rep, between team and call), else one with a parent, else the first."""
    entities = entities_of(result)
    applied = [k for k in entities.kinds if result.rules(k)]
    if not applied:
        return next(iter(entities.kinds), "")

    def rank(name: str) -> tuple[int, int]:
        kind = entities.kinds[name]
        return (
            -(kind.parent is not None) - bool(entities.children(name)),
            list(entities.kinds).index(name),
        )

    return min(applied, key=rank)


def _name_field(kind: Kind) -> str | None:
    for candidate in ("name", f"{kind.name}_name"):
        if candidate in kind.fields:
            return candidate
    return None


def _field_column(kind: Kind, name: str) -> Column:
    field = kind.fields[name]
    return Column(name, field.title or name)


class RecordIndex:
    """Every record of every kind the facts held: evaluated, failed, or refused by the check,
    with the errors naming each and the ancestors of each."""

    def __init__(self, result: BundleResult) -> None:
        self.result = result
        self.entities = entities_of(result)
        self._failed: dict[str, dict[str, PolicyError]] = {}
        self._keys: dict[str, list[str]] = {}
        refused = {kind: result.refused(kind) for kind in self.entities.kinds}
        #: The ancestors of each record the check refused, by kind and label.
        self.refused: dict[str, dict[str, Mapping[str, str]]] = {}
        self.errors: dict[tuple[str, str], list[PolicyError]] = {}
        for error in result.errors:
            kind, record = error.details.get("kind"), error.location.record
            if isinstance(kind, str) and record is not None:
                label = _label(record)
                self.errors.setdefault((kind, label), []).append(error)
                # The run names a refused record by its key, or by its position as text.
                ancestors = refused.get(kind, {}).get(str(record))
                if ancestors is not None:
                    self.refused.setdefault(kind, {})[label] = ancestors
        #: By value: (kind, label) -> the values that failed because of another's failure.
        self.spoiled: dict[tuple[str, str], list[PolicyError]] = {}
        if result.by_value:
            for kind, key, _, error in result.failures():
                if "root" in error.details:
                    self.spoiled.setdefault((kind, key), []).append(error)

    def keys(self, kind: str) -> list[str]:
        """Every record label of ``kind`` (evaluated, failed or refused), sorted by label."""
        found = self._keys.get(kind)
        if found is None:  # asked for by every table and total: sorted once
            given = set(self.result.keys(kind))
            given |= {label for (k, label) in self.errors if k == kind}
            found = self._keys[kind] = sorted(given)
        return found

    def count_below(self, lower: str, kind: str) -> Counter[str]:
        """How many records of ``lower`` (evaluated or refused) each record of ``kind``
        above them has: the evaluated ones counted by their parents, in one pass."""
        counts = self.result.count_by_ancestor(lower, kind)
        evaluated = set(self.result.keys(lower))
        for key in self.keys(lower):
            if key not in evaluated:
                above = self.ancestor(lower, key, kind)
                if above is not None:
                    counts[above] += 1
        return counts

    def env(self, kind: str, key: str) -> Mapping[str, Any] | None:
        """The record's fields and outputs; None when the check refused it."""
        return self.result.values(kind, key)

    def evaluated(self, kind: str, key: str) -> bool:
        """Whether the record's values can be shown: by value, each value that did not fail
        is; by record (format 1), only a record with no failure shows any."""
        if self.result.values(kind, key) is None:
            return False
        if self.result.by_value:
            return True
        if kind not in self._failed:
            self._failed[kind] = self.result.failed_records(kind)
        return key not in self._failed[kind]

    def codes(self, kind: str, key: str) -> str | None:
        """The codes of the record's own errors and of the values it lacks, for its row."""
        found = self.errors.get((kind, key), []) + self.spoiled.get((kind, key), [])
        return ", ".join(sorted({e.code for e in found})) or None

    def ancestor(self, kind: str, key: str, wanted: str) -> str | None:
        if kind == wanted:
            return key
        if self.result.values(kind, key) is not None:
            return self.result.ancestor(kind, key, wanted)
        return self.refused.get(kind, {}).get(key, {}).get(wanted)

    def count(self, kind: str) -> int:
        return len(self.keys(kind))


def _label(record: int | str) -> str:
    """A record's label as rows show it: its key, or ``#N`` (from 1) when it had none."""
    return f"#{record + 1}" if isinstance(record, int) else str(record)


def build_report(
    result: BundleResult, *, index: FactsIndex | None = None, kind: str | None = None
) -> Report:
    """The pay sheet (of ``kind``, by default :func:`pay_kind`), summaries, errors and
    provenance of a month's result; ``index`` locates errors in the facts files."""
    entities = entities_of(result)
    chosen = kind or pay_kind(result)
    records = RecordIndex(result)
    pay = _pay_table(result, records, entities.kinds[chosen]) if chosen else _empty(PAY_SHEET)
    summaries = tuple(
        _summary_table(result, records, entities.kinds[above])
        for above in (entities.ancestors(chosen) if chosen else ())
    )
    return Report(
        period=result.provenance.period,
        kind=chosen,
        pay=pay,
        summaries=summaries,
        errors=_errors_table(result, index),
        provenance=result.provenance.to_dict(),
    )


def _empty(name: str) -> Table:
    return Table(name, (), ())


def _pay_table(result: BundleResult, records: RecordIndex, kind: Kind) -> Table:
    fields = [kind.key]
    name_field = _name_field(kind)
    if name_field:
        fields.append(name_field)
    if kind.parent is not None and kind.parent.field not in fields:
        fields.append(kind.parent.field)
    found = outputs(result, kind.name)
    columns = (
        *(_field_column(kind, f) for f in fields),
        *(o.column for o in found),
        Column(ERRORS_COLUMN, "错误"),
    )
    raw = _raw_records(result, kind) if records.refused.get(kind.name) else {}
    rows = []
    for key in records.keys(kind.name):
        env = records.env(kind.name, key)
        source = env if env is not None else raw.get(key, {})
        values: list[Any] = [key, *(source.get(f) for f in fields[1:])]
        ok = records.evaluated(kind.name, key)
        values.extend(o.value(env) if ok and env is not None else None for o in found)
        values.append(records.codes(kind.name, key))
        rows.append(tuple(values))
    return Table(PAY_SHEET, columns, tuple(rows))


def _raw_records(result: BundleResult, kind: Kind) -> dict[str, Mapping[str, Any]]:
    """The refused records of ``kind`` as given (they have no typed fields), by label."""
    found: dict[str, Mapping[str, Any]] = {}
    for label in result.refused(kind.name):
        record = result.given(kind.name, label)
        if record is not None:
            found[label] = record
    return found


def _summary_table(result: BundleResult, records: RecordIndex, kind: Kind) -> Table:
    entities = records.entities
    below = [k for k in entities.kinds if kind.name in entities.ancestors(k)]
    name_field = _name_field(kind)
    fields = [kind.key, *([name_field] if name_field else [])]
    found = outputs(result, kind.name)
    columns = (
        *(_field_column(kind, f) for f in fields),
        *(o.column for o in found),
        *(Column(f"records.{k}", f"{entities.kinds[k].title or k} 记录数") for k in below),
        Column(ERRORS_COLUMN, "错误数"),
    )
    counts: dict[str, Counter[str]] = {}
    for lower in below:
        counts[lower] = records.count_below(lower, kind.name)
    errors: Counter[str] = Counter()
    for (error_kind, label), found_errors in records.errors.items():
        if error_kind == kind.name or error_kind in below:
            owner = records.ancestor(error_kind, label, kind.name)
            if owner is not None:
                errors[owner] += len(found_errors)
    raw = _raw_records(result, kind) if records.refused.get(kind.name) else {}
    rows = []
    for key in records.keys(kind.name):
        env = records.env(kind.name, key)
        source = env if env is not None else raw.get(key, {})
        ok = records.evaluated(kind.name, key)
        rows.append(
            (
                key,
                *(source.get(f) for f in fields[1:]),
                *(o.value(env) if ok and env is not None else None for o in found),
                *(counts[lower][key] for lower in below),
                errors[key],
            )
        )
    title = kind.title or ""
    name = f"{title}汇总 {kind.name.capitalize()}s" if title else f"{kind.name.capitalize()}s"
    return Table(_sheet_name(name), columns, tuple(rows))


_ERROR_COLUMNS = (
    Column("kind", "类型"),
    Column("record", "记录"),
    Column("policy", "政策"),
    Column("rule", "规则"),
    Column("field", "字段"),
    Column("code", "代码"),
    Column("message", "说明"),
    Column("hint", "提示"),
    Column("file", "文件"),
    Column("line", "行"),
    Column("column", "列"),
    Column("sheet", "工作表"),
    Column("cell", "单元格"),
)


def _errors_table(result: BundleResult, index: FactsIndex | None) -> Table:
    def order(e: PolicyError) -> tuple[str, str, str, str]:
        return (
            str(e.details.get("kind")),
            str(e.location.record),
            str(e.details.get("policy")),
            e.code,
        )

    rows = []
    for error in sorted(result.errors, key=order):
        place = index.place(error) if index is not None else None
        where = error.location
        if place is None and where.file is not None:
            place = Place(where.file, where.line, where.column)
        record = where.record
        rows.append(
            (
                error.details.get("kind"),
                _label(record) if record is not None else None,
                error.details.get("policy"),
                where.rule_id,
                where.field,
                error.code,
                error.message,
                error.hint,
                place.file if place else None,
                place.line if place else None,
                place.column if place else None,
                place.sheet if place else None,
                place.cell if place else None,
            )
        )
    return Table(ERRORS_SHEET, _ERROR_COLUMNS, tuple(rows))


def _sheet_name(name: str) -> str:
    """A name Excel accepts: no []:*?/\\ and at most 31 characters."""
    cleaned = "".join(" " if ch in "[]:*?/\\" else ch for ch in name).strip()
    return cleaned[:31] or "Sheet"


# --- cells ------------------------------------------------------------------------------


def text(value: Any) -> str:
    """A value as text in a CSV cell or a summary: exact digits, true/false, lists by commas."""
    shown = plain(value)
    if shown is None:
        return ""
    if isinstance(shown, bool):
        return "true" if shown else "false"
    if isinstance(shown, list):
        return ", ".join(text(v) for v in shown)
    return str(shown)


def csv_safe(value: Any) -> str:
    shown = text(value)
    # A text cell starting like a formula would run as one when Excel opens the file.
    if isinstance(value, str) and shown[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + shown
    return shown
