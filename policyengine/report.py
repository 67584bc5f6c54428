"""The public path of the month's report (docs/api.md): a façade.

The code lives in :mod:`policyengine.present._report`; this module re-exports its public names
so that ``policyengine.report`` keeps working.
"""

from __future__ import annotations

from .present._report import (
    CONSEQUENCES,
    ERRORS_COLUMN,
    ERRORS_SHEET,
    FIXED_TIME,
    PAY_SHEET,
    PROVENANCE_SHEET,
    Column,
    Report,
    Reporter,
    Table,
    build_report,
    csv_safe,
    pay_kind,
    record_keys,
    text,
)

__all__ = [
    "CONSEQUENCES",
    "ERRORS_COLUMN",
    "ERRORS_SHEET",
    "FIXED_TIME",
    "PAY_SHEET",
    "PROVENANCE_SHEET",
    "Column",
    "Report",
    "Reporter",
    "Table",
    "build_report",
    "csv_safe",
    "pay_kind",
    "record_keys",
    "text",
]
