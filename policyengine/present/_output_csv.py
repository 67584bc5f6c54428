"""The month's pay sheet as CSV (``.csv``), with its provenance in a JSON sidecar.

CSV holds one table, so the file is the pay sheet alone: UTF-8 with a BOM
(so Excel reads the Chinese), each header ``title（name）``. What a workbook
keeps on its other sheets (provenance, errors) goes beside it in
``<name>.provenance.json``, with the SHA-256 of the CSV it belongs to and the
ledger run recording it (``ledger_run``; null without a ledger). The CSV itself
stays a plain table: a comment line would be a row to every CSV reader.
"""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path

from ..facts._canonical import canonical_json
from ..run._bundle import BundleResult
from ._cells import csv_cell, csv_text
from ._output import RunLink, WriteRequest, run_data
from ._report import Report


class CsvWriter:
    """Writes the pay sheet as CSV and its provenance sidecar (see the module)."""

    suffix = ".csv"
    name = "CSV pay sheet"
    holds = "pay sheet; provenance in NAME.provenance.json"

    def write(self, request: WriteRequest) -> list[Path]:
        """Write the pay sheet to the target and its sidecar beside it."""
        report, target = request.report(), request.target
        sheet = csv_bytes(report)
        target.write_bytes(sheet)
        sidecar = sidecar_path(target)
        document = sidecar_bytes(request.result, report, sheet, target.name, request.run)
        sidecar.write_bytes(document)
        return [target, sidecar]


WRITER = CsvWriter()


def csv_bytes(report: Report) -> bytes:
    """The pay sheet as CSV: UTF-8 with a BOM (so Excel reads the Chinese), one header row
    naming each column by its title and, in brackets, its machine name."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    # The headers are a policy's titles, and every cell may come from the facts: each
    # is written so that no spreadsheet runs it as a formula.
    writer.writerow(
        [
            csv_text(c.name if c.title == c.name else f"{c.title}（{c.name}）")
            for c in report.pay.columns
        ]
    )
    for row in report.pay.rows:
        writer.writerow(list(map(csv_cell, row)))
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


def sidecar_path(path: str | Path) -> Path:
    """Where the provenance of a CSV pay sheet is written: ``<name>.provenance.json``."""
    target = Path(path)
    return target.with_name(target.stem + ".provenance.json")


def sidecar_bytes(
    result: BundleResult, report: Report, sheet: bytes, name: str, run: RunLink | None = None
) -> bytes:
    """The CSV's provenance, its errors, the SHA-256 of the CSV it belongs to and the ledger
    run recording it (``run``)."""
    document = {
        "ledger_run": run_data(run),
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
