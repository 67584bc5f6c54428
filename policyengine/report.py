"""A month's results for people: the pay sheet, summaries, errors and provenance.

Built from a :class:`~policyengine.bundle.BundleResult`, generic over the
policies in force: the columns are the outputs of the rules that apply,
named ``policy.output`` and titled by the rule's ``title:`` (else by the
name), so a new policy adds columns without a change here.

- **Pay sheet**: one row per record of the pay kind (the rep, as the
  centre's entities say: the kind with a parent and children that policies
  apply to), with its key, its ``name`` and its parent link when the kind
  has such fields, every output of every policy applying to the kind, and
  the codes of the record's errors (a record with an error keeps its row,
  with no outputs, so nobody silently drops off the sheet).
- **Summaries**: one per kind above the pay kind (the team): every output
  of the policies applying to it, the number of records of each kind
  below it, and the number of errors among them.
- **Errors**: every record or input error, with the file, row and column of
  the record when the facts files are known (:class:`~policyengine.io.FactsIndex`).
- **Provenance**: every version with its SHA-256, the bundle hash, the
  inputs hash, the entities hash, the engine version, the period and the
  as-known-at date.

Writers: ``.xlsx`` (sheets 工资表 Pay, <kind>汇总 <Kind>s, 错误 Errors,
来源 Provenance), ``.csv`` (the pay sheet, UTF-8 with a BOM for Excel, and
the provenance beside it in ``<name>.provenance.json``) and ``.json`` (the
canonical result document). The same result always gives the same bytes.

Exactness in XLSX: a spreadsheet number is a binary float, so every
``Decimal`` (amounts, scores, rates) is written as a **text cell** holding
its exact digits (``4320.99``), in the Text number format and aligned
right; reading the cell back gives the exact text. Whole numbers (counts,
ranks) are written as numbers (exact in a float up to 2**53), yes/no as
Excel booleans, dates as ``YYYY-MM-DD`` text.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import json
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs

from .bundle import FACTS_KEY, BundleResult, canonical_json
from .entities import Entities, Kind
from .errors import Location, PolicyError
from .io import FactsIndex, Place
from .progress import Progress
from .rules.base import plain
from .texttable import format_table, width

#: What ``write_report`` can write, by the file's suffix.
REPORT_FORMATS = (".xlsx", ".csv", ".json")
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
CONSEQUENCES = frozenset({"invalid-parent", "incomplete-group"})

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
        return found.get(self.part) if isinstance(found, Mapping) else None


def outputs(result: BundleResult, kind: str) -> list[Output]:
    """Every output of every policy applying to ``kind``: policies by id, rules in plan order."""
    found: list[Output] = []
    for node in result.state.plan.nodes:
        if node.kind != kind:
            continue
        rule = node.rule
        parts: Sequence[str | None] = rule.outputs or (None,)
        found.extend(Output(kind, node.policy.id, rule.id, part, rule.title) for part in parts)
    return sorted(found, key=lambda o: o.policy)  # stable: plan order within a policy


def entities_of(result: BundleResult) -> Entities:
    return result.state.plan.entities


def record_keys(result: BundleResult) -> dict[str, str]:
    """Each kind's key field."""
    return {name: kind.key for name, kind in entities_of(result).kinds.items()}


def pay_kind(result: BundleResult) -> str:
    """The kind the pay sheet lists: of the kinds policies apply to, one with a parent and
    children (the rep, between team and call), else one with a parent, else the first."""
    entities = entities_of(result)
    applied = [k for k in entities.kinds if any(n.kind == k for n in result.state.plan.nodes)]
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


class _Records:
    """Every record of every kind the facts held: evaluated, failed, or refused by the check,
    with the errors naming each and the ancestors of each."""

    def __init__(self, result: BundleResult) -> None:
        self.result = result
        self.state = result.state
        self.entities = entities_of(result)
        refused = {kind: dict(items) for kind, items in self.state.refused.items()}
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

    def keys(self, kind: str) -> list[str]:
        """Every record label of ``kind`` (evaluated, failed or refused), sorted by label."""
        given = set(self.state.envs.get(kind, {}))
        given |= {label for (k, label) in self.errors if k == kind}
        return sorted(given)

    def env(self, kind: str, key: str) -> Mapping[str, Any] | None:
        """The record's fields and outputs; None when the check refused it."""
        return self.state.envs.get(kind, {}).get(key)

    def evaluated(self, kind: str, key: str) -> bool:
        return key in self.state.envs.get(kind, {}) and key not in self.state.failed.get(kind, {})

    def ancestor(self, kind: str, key: str, wanted: str) -> str | None:
        if kind == wanted:
            return key
        if key in self.state.envs.get(kind, {}):
            return self.state.ancestor(kind, key, wanted)
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
    records = _Records(result)
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


def _pay_table(result: BundleResult, records: _Records, kind: Kind) -> Table:
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
        codes = sorted({e.code for e in records.errors.get((kind.name, key), [])})
        values.append(", ".join(codes) or None)
        rows.append(tuple(values))
    return Table(PAY_SHEET, columns, tuple(rows))


def _raw_records(result: BundleResult, kind: Kind) -> dict[str, Mapping[str, Any]]:
    """The records of ``kind`` as given (refused ones have no typed fields), by key text."""
    inputs = json.loads(result.inputs.decode("utf-8"), parse_float=Decimal)
    given = inputs.get(FACTS_KEY, inputs).get(kind.name, [])  # with history, facts are a part
    found: dict[str, Mapping[str, Any]] = {}
    for record in given:
        if isinstance(record, Mapping) and record.get(kind.key) is not None:
            found.setdefault(str(record[kind.key]), record)
    return found


def _summary_table(result: BundleResult, records: _Records, kind: Kind) -> Table:
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
        counts[lower] = Counter(
            a
            for key in records.keys(lower)
            if (a := records.ancestor(lower, key, kind.name)) is not None
        )
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


def _csv_safe(value: Any) -> str:
    shown = text(value)
    # A text cell starting like a formula would run as one when Excel opens the file.
    if isinstance(value, str) and shown[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + shown
    return shown


# --- XLSX ----------------------------------------------------------------------------------


def xlsx_bytes(report: Report, *, progress: Reporter | None = None) -> bytes:
    """The report as an XLSX workbook; the same report gives the same bytes."""
    from openpyxl import Workbook
    from openpyxl.writer.excel import ExcelWriter

    book = Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    tables = (report.pay, *report.summaries, report.errors)
    total = sum(len(t.rows) for t in tables)
    done = 0
    for table in tables:
        sheet = book.create_sheet(_unique(book, table.name))
        done = _write_table(sheet, table, done, total, progress)
    _write_provenance(book.create_sheet(PROVENANCE_SHEET), report)
    book.properties.creator = "policyengine"
    book.properties.lastModifiedBy = "policyengine"
    book.properties.title = f"{report.period}"
    book.properties.created = FIXED_TIME
    book.properties.modified = FIXED_TIME
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(book, archive).write_data()
    return _fixed_zip(buffer.getvalue())


def _unique(book: Any, name: str) -> str:
    taken = set(book.sheetnames)
    candidate, number = name, 2
    while candidate in taken:
        suffix = f" {number}"
        candidate, number = name[: 31 - len(suffix)] + suffix, number + 1
    return candidate


def _fixed_zip(data: bytes) -> bytes:
    """The same archive with every entry stamped :data:`FIXED_TIME` (zip entries carry the
    time they were written, which would make every save differ)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=FIXED_TIME.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            target.writestr(info, source.read(entry.filename))
    return out.getvalue()


def _write_table(sheet: Any, table: Table, done: int, total: int, progress: Reporter | None) -> int:
    from openpyxl.styles import Font

    bold, grey = Font(bold=True), Font(italic=True, color="808080")
    for column, spec in enumerate(table.columns, start=1):
        _put(sheet, 1, column, spec.title).font = bold
        _put(sheet, 2, column, spec.name).font = grey
    widths = [max(width(c.title), width(c.name)) for c in table.columns]
    for number, row in enumerate(table.rows, start=3):
        for column, value in enumerate(row, start=1):
            if value is not None:
                _put(sheet, number, column, value)
                if number < 200:  # widths from the first rows: enough to read, cheap
                    widths[column - 1] = max(widths[column - 1], width(text(value)))
        done += 1
        if progress is not None:
            progress(done, total)
    if table.columns:
        sheet.freeze_panes = "B3"
    from openpyxl.utils import get_column_letter

    for column, size in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = min(size, 60) + 2
    return done


def _put(sheet: Any, row: int, column: int, value: Any) -> Any:
    """Write one value exactly: a Decimal as a text cell of its digits (see the module)."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment

    cell = sheet.cell(row=row, column=column)
    shown = plain(value)
    if isinstance(value, Decimal):
        cell.value = shown
        cell.data_type = "s"
        cell.number_format = "@"
        cell.alignment = Alignment(horizontal="right")
    elif isinstance(value, bool | int):
        cell.value = value
    elif isinstance(shown, list):
        cell.value = text(value)
    else:
        cell.value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", str(shown))
        cell.data_type = "s"  # never a formula, whatever the text starts with
    return cell


def _write_provenance(sheet: Any, report: Report) -> None:
    from openpyxl.styles import Font

    bold = Font(bold=True)
    provenance = report.provenance
    facts = [
        ("period", "期间", provenance.get("period")),
        (
            "as_known_at",
            "截至日期（按当时已发布的版本）",
            provenance.get("as_known_at") or "every version on disk（全部版本）",
        ),
        ("engine_version", "引擎版本", provenance.get("engine_version")),
        ("bundle_sha256", "版本组合 SHA-256", provenance.get("bundle_sha256")),
        ("inputs_sha256", "输入数据 SHA-256", provenance.get("inputs_sha256")),
        ("entities_sha256", "entities.yaml SHA-256", provenance.get("entities_sha256")),
    ]
    for row, (name, title, value) in enumerate(facts, start=1):
        _put(sheet, row, 1, title).font = bold
        _put(sheet, row, 2, name)
        _put(sheet, row, 3, "" if value is None else value)
    top = len(facts) + 2
    headings = [
        ("policy", "政策"),
        ("version", "版本"),
        ("sha256", "SHA-256"),
        ("path", "文件"),
        ("published", "发布日期"),
    ]
    for column, (name, title) in enumerate(headings, start=1):
        _put(sheet, top, column, title).font = bold
        _put(sheet, top + 1, column, name)
    for row, version in enumerate(provenance.get("versions", ()), start=top + 2):
        for column, (name, _) in enumerate(headings, start=1):
            value = version.get(name)
            if value is not None:
                _put(sheet, row, column, value)
    from openpyxl.utils import get_column_letter

    for column, size in enumerate((34, 24, 66, 30, 12), start=1):
        sheet.column_dimensions[get_column_letter(column)].width = size


# --- CSV and JSON ------------------------------------------------------------------------


def csv_bytes(report: Report) -> bytes:
    """The pay sheet as CSV: UTF-8 with a BOM (so Excel reads the Chinese), one header row
    naming each column by its title and, in brackets, its machine name."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        [c.name if c.title == c.name else f"{c.title}（{c.name}）" for c in report.pay.columns]
    )
    for row in report.pay.rows:
        writer.writerow([_csv_safe(v) for v in row])
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


def sidecar_path(path: str | Path) -> Path:
    """Where the provenance of a CSV pay sheet is written: ``<name>.provenance.json``."""
    target = Path(path)
    return target.with_name(target.stem + ".provenance.json")


def sidecar_bytes(result: BundleResult, report: Report, sheet: bytes, name: str) -> bytes:
    """The CSV's provenance, its errors and the SHA-256 of the CSV it belongs to."""
    document = {
        "provenance": report.provenance,
        "errors": result.error_list(),
        "pay_sheet": {
            "file": name,
            "kind": report.kind,
            "rows": len(report.pay.rows),
            "sha256": hashlib.sha256(sheet).hexdigest(),
        },
    }
    return canonical_json(document) + b"\n"


def write_report(
    result: BundleResult,
    path: str | Path,
    *,
    index: FactsIndex | None = None,
    kind: str | None = None,
    progress: Progress | None = None,
) -> list[Path]:
    """Write the month to ``path`` in the format its suffix names; returns the files written."""
    target = Path(path)
    suffix = target.suffix.lower()
    check_format(target)
    if target.parent != Path():
        target.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".json":
        target.write_bytes(result.to_json() + b"\n")
        return [target]
    report = build_report(result, index=index, kind=kind)
    if suffix == ".csv":
        sheet = csv_bytes(report)
        target.write_bytes(sheet)
        sidecar = sidecar_path(target)
        sidecar.write_bytes(sidecar_bytes(result, report, sheet, target.name))
        return [target, sidecar]
    reporter: Reporter | None = None
    if progress is not None and progress.enabled:
        label = f"writing {target.name}:"

        def reporter(done: int, total: int) -> None:
            progress.count(label, done, total)

    target.write_bytes(xlsx_bytes(report, progress=reporter))
    if progress is not None:
        progress.done()
    return [target]


def check_format(path: str | Path) -> None:
    """Refuse an output file whose suffix names no format this module writes."""
    suffix = Path(path).suffix.lower()
    if suffix not in REPORT_FORMATS:
        raise PolicyError(
            f"cannot write '{suffix or Path(path).name}' files",
            code="unknown-format",
            location=Location(file=str(path)),
            hint="name the output .xlsx, .csv or .json",
        )


# --- the month in words -------------------------------------------------------------------


def summary_text(
    result: BundleResult, index: FactsIndex | None = None, *, errors_shown: int = 5
) -> str:
    """A readable summary of the month: versions in force, records per kind, totals of
    decimal outputs, counts of yes/no and text outputs, and the errors by code."""
    bundle = result.bundle
    provenance = result.provenance
    lines = []
    versions = ", ".join(f"{v.id} {v.version}" for v in bundle.versions) or "none"
    lines.append(f"{bundle.period}: versions in force: {versions}")
    known = provenance.as_known_at or "every version on disk"
    lines.append(
        f"  as known at: {known}; bundle {provenance.bundle_sha256[:12]}, "
        f"inputs {provenance.inputs_sha256[:12]}, engine {provenance.engine_version}"
    )
    if bundle.versions:
        rows = [
            [
                v.id,
                v.version,
                v.policy.title,
                v.sha256[:12],
                str(v.published) if v.published else "draft",
            ]
            for v in bundle.versions
        ]
        table = format_table(["policy", "version", "title", "sha256", "published"], rows)
        lines.extend("  " + line for line in table.splitlines())
    records = _Records(result)
    entities = records.entities
    counts = []
    for name in entities.kinds:
        given = records.count(name)
        failed = given - len(result.state.sound(name))
        counts.append(f"{name} {given}" + (f" ({failed} with errors)" if failed else ""))
    lines.append("records: " + (", ".join(counts) or "none"))
    lines.extend(_output_lines(result))
    lines.extend(_error_lines(result, index, errors_shown))
    return "\n".join(lines)


def _output_lines(result: BundleResult) -> list[str]:
    sums: list[list[str]] = []
    flags: list[list[str]] = []
    texts: list[str] = []
    for kind in entities_of(result).kinds:
        keys = result.state.sound(kind)
        envs = result.state.envs.get(kind, {})
        for output in outputs(result, kind):
            values = [output.value(envs[key]) for key in keys]
            present = [v for v in values if v is not None]
            label = f"{output.policy}.{output.name}"
            title = output.column.title if output.title else ""
            if present and all(isinstance(v, Decimal) for v in present):
                total = sum(present, Decimal(0))
                low, high = min(present), max(present)
                row = [label, title, kind, str(len(present)), f"{total:f}", f"{low:f}", f"{high:f}"]
                sums.append(row)
            elif present and all(isinstance(v, bool) for v in present):
                yes = sum(1 for v in present if v)
                flags.append([label, title, kind, f"{yes} of {len(present)}"])
            elif present and all(isinstance(v, str) for v in present):
                texts.append(f"  {label} ({kind}): {_tally(present)}")
            elif present and all(isinstance(v, tuple | list) for v in present):
                items = [text(item) for v in present for item in v]
                having = sum(1 for v in present if v)
                texts.append(
                    f"  {label} ({kind}): {having} of {len(present)} records; "
                    + (_tally(items) if items else "none")
                )
    lines = []
    if sums:
        # Outputs carry no unit: every decimal output (amounts, scores, rates) is totalled.
        lines.append("decimal outputs (amounts, scores, rates) over evaluated records:")
        table = format_table(["output", "title", "kind", "records", "total", "min", "max"], sums)
        lines.extend("  " + line for line in table.splitlines())
    if flags:
        lines.append("yes/no outputs, records where true:")
        table = format_table(["output", "title", "kind", "true"], flags)
        lines.extend("  " + line for line in table.splitlines())
    if texts:
        lines.append("text and list outputs, records per value:")
        lines.extend(texts)
    return lines


def _tally(values: Iterable[str], shown: int = 8) -> str:
    counted = Counter(values).most_common()
    counted.sort(key=lambda item: (-item[1], item[0]))
    parts = [f"{value or '(empty)'} {count}" for value, count in counted[:shown]]
    if len(counted) > shown:
        parts.append(f"… {len(counted) - shown} more values")
    return ", ".join(parts)


def _error_lines(result: BundleResult, index: FactsIndex | None, shown: int) -> list[str]:
    errors = result.errors
    if not errors:
        return ["errors: none"]
    by_code = Counter(e.code for e in errors).most_common()
    by_code.sort(key=lambda item: (-item[1], item[0]))
    lines = [f"errors: {len(errors)} — " + ", ".join(f"{code} {count}" for code, count in by_code)]
    # Causes before their consequences: a bad rep record before the calls it takes along.
    causes = sorted(errors, key=lambda e: e.code in CONSEQUENCES)
    for error in causes[:shown]:
        lines.append("  " + (index.render(error) if index is not None else error.render()))
    if len(errors) > shown:
        lines.append(f"  … and {len(errors) - shown} more (every one is listed on standard error)")
    return lines
