"""The readable summary of a month that ``policyengine run`` and ``demo`` print, in the
language of the catalogue it is given (its words: :mod:`._summary_words`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import attrs

from ..core._display import cell_text, decimal_text
from ..core._messages import Catalogue
from ..core._numbers import CONTEXT
from ..core._numbers import total as exact_total
from ..errors import PolicyError
from ..facts._io import FactsIndex
from ..run._bundle import BundleResult
from ._report_numbers import NumberStyle, shown
from ._report_records import Output, RecordIndex, entities_of, outputs
from ._root_causes import by_cause, header_of, missing_too, took_along
from ._summary_words import said
from ._texttable import format_table

__all__ = ["summary_text"]


def summary_text(
    result: BundleResult,
    index: FactsIndex | None = None,
    *,
    errors_shown: int = 5,
    catalogue: Catalogue | None = None,
) -> str:
    """A readable summary of the month: versions in force, records per kind, number outputs
    at their places (totals of amounts and counts; minimum, median and maximum of each),
    counts of yes/no and text outputs, and the errors by code; in ``catalogue``'s words
    (English without one)."""
    say = catalogue
    bundle = result.bundle
    provenance = result.provenance
    lines = []
    versions = ", ".join(f"{v.id} {v.version}" for v in bundle.versions) or said("none", say)
    lines.append(said("versions", say, period=bundle.period, versions=versions))
    known = provenance.as_known_at or said("every-version", say)
    bundle_hash, inputs_hash = provenance.bundle_sha256[:12], provenance.inputs_sha256[:12]
    engine = provenance.engine_version
    lines.append(
        said("known-at", say, known=known, bundle=bundle_hash, inputs=inputs_hash, engine=engine)
    )
    if bundle.versions:
        draft = said("draft", say)
        rows = [
            [v.id, v.version, v.policy.title, v.sha256[:12], str(v.published or draft)]
            for v in bundle.versions
        ]
        header = [said(f"column-{name}", say) for name in _VERSION_COLUMNS]
        lines.extend("  " + line for line in format_table(header, rows).splitlines())
    lines.append(_record_line(result, say))
    lines.extend(_output_lines(result, say))
    lines.extend(_error_lines(result, index, errors_shown, say))
    return "\n".join(lines)


_VERSION_COLUMNS = ("policy", "version", "title", "sha256", "published")
_NUMBER_COLUMNS = ("output", "title", "kind", "records", "total", "min", "median", "max")
_FLAG_COLUMNS = ("output", "title", "kind", "true")


def _record_line(result: BundleResult, say: Catalogue | None) -> str:
    """``records: rep 36 (1 with errors), team 3``."""
    records = RecordIndex(result)
    counts = []
    for name in records.entities.kinds:
        given = records.count(name)
        failed = given - len(result.complete(name))
        counts.append(
            said("record-count-failed", say, kind=name, given=given, failed=failed)
            if failed
            else said("record-count", say, kind=name, given=given)
        )
    return said("records", say, counts=", ".join(counts) or said("none", say))


@attrs.define
class _OutputSummary:
    """The summary's lines of outputs, gathered kind by kind: totals of decimal outputs,
    counts of yes/no outputs, tallies of text and list outputs."""

    say: Catalogue | None = None
    sums: list[list[str]] = attrs.field(factory=list)
    flags: list[list[str]] = attrs.field(factory=list)
    texts: list[str] = attrs.field(factory=list)

    def add(self, output: Output, kind: str, present: list[Any], given: int) -> None:
        """One output's values (those present) among the ``given`` records of its kind."""
        if not present:
            return
        label = f"{output.policy}.{output.name}"
        title = output.column.title if output.titled else ""
        style = output.style(present)
        if style is not None:
            self.sums.append([label, title, kind, *_numbers(present, style, given, self.say)])
        elif all(isinstance(v, bool) for v in present):
            yes = sum(1 for v in present if v)
            self.flags.append(
                [label, title, kind, said("flag-count", self.say, yes=yes, count=len(present))]
            )
        elif all(isinstance(v, str) for v in present):
            tally = _tally(present, self.say)
            self.texts.append(said("text-line", self.say, label=label, kind=kind, tally=tally))
        elif all(isinstance(v, tuple | list) for v in present):
            items = [cell_text(item) for v in present for item in v]
            having = sum(1 for v in present if v)
            tally = _tally(items, self.say) if items else said("none", self.say)
            self.texts.append(
                said(
                    "list-line",
                    self.say,
                    label=label,
                    kind=kind,
                    having=having,
                    count=len(present),
                    tally=tally,
                )
            )

    def lines(self) -> list[str]:
        lines = []
        if self.sums:
            lines.append(said("numbers", self.say))
            header = [said(f"column-{name}", self.say) for name in _NUMBER_COLUMNS]
            lines.extend("  " + line for line in format_table(header, self.sums).splitlines())
        if self.flags:
            lines.append(said("flags", self.say))
            header = [said(f"column-{name}", self.say) for name in _FLAG_COLUMNS]
            lines.extend("  " + line for line in format_table(header, self.flags).splitlines())
        if self.texts:
            lines.append(said("texts", self.say))
            lines.extend(self.texts)
        return lines


def _numbers(
    present: list[Any], style: NumberStyle, given: int, say: Catalogue | None = None
) -> list[str]:
    """A number output's cells: how many records, the total (amounts and counts only), the
    minimum, median and maximum, each shown at the output's places."""

    def show(value: Decimal | int) -> str:
        # A whole-number output's median of an even count may be a half: shown as it is.
        exact = Decimal(value)
        return decimal_text(exact if style.whole else shown(exact, style))

    ordered = sorted(present)
    middle = len(ordered) // 2
    median = ordered[middle]
    if len(ordered) % 2 == 0:
        median = CONTEXT.divide(CONTEXT.add(ordered[middle - 1], median), Decimal(2))
    total = "-"
    if style.totalled:
        total = show(exact_total(present))
        # A total that lacks records says so, and by how many.
        lacking = given - len(present)
        total += said("incomplete", say, lacking=lacking) if lacking else ""
    return [str(len(present)), total, show(ordered[0]), show(median), show(ordered[-1])]


def _output_lines(result: BundleResult, say: Catalogue | None = None) -> list[str]:
    summary = _OutputSummary(say)
    records = RecordIndex(result)
    for kind in entities_of(result).kinds:
        keys = result.keys(kind) if result.by_value else result.complete(kind)
        given = records.count(kind)
        wanted = outputs(result, kind)
        # Each output's values as a whole column, all of a kind's read in one call.
        columns = result.output_columns(kind, keys, [(o.rule, o.part) for o in wanted])
        for output, column in zip(wanted, columns, strict=True):
            summary.add(output, kind, [v for v in column if v is not None], given)
    return summary.lines()


def _tally(values: Iterable[str], say: Catalogue | None = None, shown: int = 8) -> str:
    counted = Counter(values).most_common()
    counted.sort(key=lambda item: (-item[1], item[0]))
    empty = said("empty-text", say)
    parts = [f"{value or empty} {count}" for value, count in counted[:shown]]
    if len(counted) > shown:
        parts.append(said("more-values", say, count=len(counted) - shown))
    return ", ".join(parts)


def _error_lines(
    result: BundleResult, index: FactsIndex | None, shown: int, say: Catalogue | None = None
) -> list[str]:
    errors = result.errors
    if not errors:
        return [said("errors-none", say)]
    causes = by_cause(errors)
    roots = [cause.error for cause in causes]
    lines = [said("errors", say, count=len(errors), codes=_code_tally(errors))]
    if len(roots) < len(errors):
        name = "root-causes-one" if len(roots) == 1 else "root-causes-many"
        others = len(errors) - len(roots)
        lines[0] += said(name, say, roots=len(roots), codes=_code_tally(roots), others=others)
    # Each root cause once, first, with what it took along: correct it, and they go.
    for cause in causes[:shown]:
        error = cause.error
        lines.append("  " + (index.render(error, say) if index is not None else error.render(say)))
        if cause.also_missing:
            lines.append("    " + missing_too(cause, header_of(index), say))
        if cause.followers:
            lines.append("    " + took_along(cause, catalogue=say))
    if len(causes) > shown:
        lines.append(said("more-causes", say, count=len(causes) - shown))
    return lines


def _code_tally(errors: Iterable[PolicyError]) -> str:
    by_code = Counter(e.code for e in errors).most_common()
    by_code.sort(key=lambda item: (-item[1], item[0]))
    return ", ".join(f"{code} {count}" for code, count in by_code)
