"""The public path of writing the month's report (docs/api.md): a façade.

The code lives in :mod:`policyengine.present._writers`; this module re-exports its public names
so that ``policyengine.writers`` keeps working.
"""

from __future__ import annotations

from .present._writers import (
    REPORT_FORMATS,
    WRITERS,
    OutputWriter,
    check_format,
    csv_bytes,
    sidecar_bytes,
    sidecar_path,
    write_report,
    xlsx_bytes,
)

__all__ = [
    "REPORT_FORMATS",
    "WRITERS",
    "OutputWriter",
    "check_format",
    "csv_bytes",
    "sidecar_bytes",
    "sidecar_path",
    "write_report",
    "xlsx_bytes",
]
