"""The readable summary of a month that ``policyengine run`` and ``demo`` print."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from decimal import Decimal

from ..core._display import cell_text, decimal_text
from ..facts._io import FactsIndex
from ..run._bundle import BundleResult
from ._report import CONSEQUENCES
from ._report_records import RecordIndex, entities_of, outputs
from ._texttable import format_table

__all__ = ["summary_text"]


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


def _output_lines(result: BundleResult) -> list[str]:
    sums: list[list[str]] = []
    flags: list[list[str]] = []
    texts: list[str] = []
    records = RecordIndex(result)
    for kind in entities_of(result).kinds:
        keys = result.keys(kind) if result.by_value else result.complete(kind)
        given = records.count(kind)
        found = outputs(result, kind)
        # Each output's values as a whole column, read in one call.
        columns = [
            [v for v in result.output_column(kind, keys, o.rule, o.part) if v is not None]
            for o in found
        ]
        for output, present in zip(found, columns, strict=True):
            label = f"{output.policy}.{output.name}"
            title = output.column.title if output.title else ""
            if present and all(isinstance(v, Decimal) for v in present):
                total = sum(present, Decimal(0))
                low, high = min(present), max(present)
                # A total that lacks records says so, and by how many.
                lacking = given - len(present)
                shown = decimal_text(total) + (
                    f" (incomplete: {lacking} lacking)" if lacking else ""
                )
                row = [
                    label,
                    title,
                    kind,
                    str(len(present)),
                    shown,
                    decimal_text(low),
                    decimal_text(high),
                ]
                sums.append(row)
            elif present and all(isinstance(v, bool) for v in present):
                yes = sum(1 for v in present if v)
                flags.append([label, title, kind, f"{yes} of {len(present)}"])
            elif present and all(isinstance(v, str) for v in present):
                texts.append(f"  {label} ({kind}): {_tally(present)}")
            elif present and all(isinstance(v, tuple | list) for v in present):
                items = [cell_text(item) for v in present for item in v]
                having = sum(1 for v in present if v)
                texts.append(
                    f"  {label} ({kind}): {having} of {len(present)} records; "
                    + (_tally(items) if items else "none")
                )
    lines = []
    if sums:
        # Outputs carry no unit: every decimal output (amounts, scores, rates) is totalled.
        lines.append(
            "decimal outputs (amounts, scores, rates) over the records that have them; "
            "a total lacking records says how many:"
        )
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
