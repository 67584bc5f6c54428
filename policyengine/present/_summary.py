"""The readable summary of a month that ``policyengine run`` and ``demo`` print."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import attrs

from ..core._display import cell_text, decimal_text
from ..core._numbers import CONTEXT
from ..errors import PolicyError
from ..facts._io import FactsIndex
from ..run._bundle import BundleResult
from ._report_numbers import NumberStyle, shown
from ._report_records import Output, RecordIndex, entities_of, outputs
from ._root_causes import by_cause, took_along
from ._texttable import format_table

__all__ = ["summary_text"]


def summary_text(
    result: BundleResult, index: FactsIndex | None = None, *, errors_shown: int = 5
) -> str:
    """A readable summary of the month: versions in force, records per kind, number outputs
    at their places (totals of amounts and counts; minimum, median and maximum of each),
    counts of yes/no and text outputs, and the errors by code."""
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
    records = RecordIndex(result)
    entities = records.entities
    counts = []
    for name in entities.kinds:
        given = records.count(name)
        failed = given - len(result.complete(name))
        counts.append(f"{name} {given}" + (f" ({failed} with errors)" if failed else ""))
    lines.append("records: " + (", ".join(counts) or "none"))
    lines.extend(_output_lines(result))
    lines.extend(_error_lines(result, index, errors_shown))
    return "\n".join(lines)


@attrs.define
class _OutputSummary:
    """The summary's lines of outputs, gathered kind by kind: totals of decimal outputs,
    counts of yes/no outputs, tallies of text and list outputs."""

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
            self.sums.append([label, title, kind, *_numbers(present, style, given)])
        elif all(isinstance(v, bool) for v in present):
            yes = sum(1 for v in present if v)
            self.flags.append([label, title, kind, f"{yes} of {len(present)}"])
        elif all(isinstance(v, str) for v in present):
            self.texts.append(f"  {label} ({kind}): {_tally(present)}")
        elif all(isinstance(v, tuple | list) for v in present):
            items = [cell_text(item) for v in present for item in v]
            having = sum(1 for v in present if v)
            self.texts.append(
                f"  {label} ({kind}): {having} of {len(present)} records; "
                + (_tally(items) if items else "none")
            )

    def lines(self) -> list[str]:
        lines = []
        if self.sums:
            lines.append(
                "number outputs over the records that have them, shown at their places; "
                "amounts and counts totalled (a total lacking records says how many), "
                "rates and scores not:"
            )
            header = ["output", "title", "kind", "records", "total", "min", "median", "max"]
            lines.extend("  " + line for line in format_table(header, self.sums).splitlines())
        if self.flags:
            lines.append("yes/no outputs, records where true:")
            header = ["output", "title", "kind", "true"]
            lines.extend("  " + line for line in format_table(header, self.flags).splitlines())
        if self.texts:
            lines.append("text and list outputs, records per value:")
            lines.extend(self.texts)
        return lines


def _numbers(present: list[Any], style: NumberStyle, given: int) -> list[str]:
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
        total = show(sum(present, Decimal(0)))
        # A total that lacks records says so, and by how many.
        lacking = given - len(present)
        total += f" (incomplete: {lacking} lacking)" if lacking else ""
    return [str(len(present)), total, show(ordered[0]), show(median), show(ordered[-1])]


def _output_lines(result: BundleResult) -> list[str]:
    summary = _OutputSummary()
    records = RecordIndex(result)
    for kind in entities_of(result).kinds:
        keys = result.keys(kind) if result.by_value else result.complete(kind)
        given = records.count(kind)
        for output in outputs(result, kind):
            # Each output's values as a whole column, read in one call.
            column = result.output_column(kind, keys, output.rule, output.part)
            summary.add(output, kind, [v for v in column if v is not None], given)
    return summary.lines()


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
    causes = by_cause(errors)
    roots = [cause.error for cause in causes]
    lines = [f"errors: {len(errors)} — {_code_tally(errors)}"]
    if len(roots) < len(errors):
        lines[0] += (
            f" ({len(roots)} root cause{'s' if len(roots) != 1 else ''}: {_code_tally(roots)};"
            f" the other {len(errors) - len(roots)} records are left out with"
            f" {'it' if len(roots) == 1 else 'them'})"
        )
    # Each root cause once, first, with what it took along: correct it, and they go.
    for cause in causes[:shown]:
        lines.append(
            "  " + (index.render(cause.error) if index is not None else cause.error.render())
        )
        if cause.followers:
            lines.append("    " + took_along(cause))
    if len(causes) > shown:
        lines.append(
            f"  … and {len(causes) - shown} more root causes"
            " (every one is listed on standard error)"
        )
    return lines


def _code_tally(errors: Iterable[PolicyError]) -> str:
    by_code = Counter(e.code for e in errors).most_common()
    by_code.sort(key=lambda item: (-item[1], item[0]))
    return ", ".join(f"{code} {count}" for code, count in by_code)
