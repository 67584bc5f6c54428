"""The caller's decimal context (a payroll system running with 6 digits, or trapping
Inexact) changes nothing the library gives: totals, charts and differences are computed
in the engine's own context, as evaluation is."""

from __future__ import annotations

import decimal
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import policyengine
from policyengine.audit._diff import diff
from policyengine.present._output_xlsx import xlsx_bytes
from policyengine.present._report import build_report
from policyengine.present._summary import summary_text

ROOT = Path(__file__).resolve().parent.parent
STANDALONE = ROOT / "examples" / "standalone"


def _month() -> policyengine.BundleResult:
    repository = policyengine.load(ROOT / "policies")
    return repository.for_period("2026-03").evaluate(
        repository.read_facts(ROOT / "examples" / "2026-03")
    )


def _changes() -> list[Any]:
    repository = policyengine.load(STANDALONE / "policies")
    policy = repository.version("commission", "2026-01").policy
    facts = {"rep": policyengine.read_facts(STANDALONE / "2026-03" / "rep.csv", policy.inputs)}
    found = diff(
        repository, "2026-03", {"rep": list(facts["rep"].records)},
        policy="commission", from_version="2026-01", to_version="2026-04",
    )  # fmt: skip
    return [(t.output, t.delta_sum) for t in found.totals] + [c.delta for c in found.changes]


@pytest.mark.parametrize(
    "made",
    [
        lambda: summary_text(_month()),
        lambda: xlsx_bytes(build_report(_month())),
        _changes,
    ],
    ids=["summary", "workbook", "diff"],
)
@pytest.mark.parametrize(
    "context",
    [
        decimal.Context(prec=6),
        decimal.Context(prec=3, rounding=decimal.ROUND_DOWN),
        decimal.Context(traps=[decimal.Inexact, decimal.Rounded]),
    ],
    ids=["6 digits", "3 digits down", "traps"],
)
def test_the_callers_context_changes_nothing(
    made: Callable[[], Any], context: decimal.Context
) -> None:
    expected = made()
    with decimal.localcontext(context):
        assert made() == expected
