"""A deterministic generator of example centre data: teams, rep-months and calls.

The same arguments always give the same records (a seeded generator, never
the clock), so examples, tests and benchmarks are reproducible. Figures are
realistic, not real. :func:`centre` follows the kinds of
``tests/fixtures/centre/entities.yaml`` (team, rep, call); the files
:func:`write_months` writes keep only the fields a policy folder's
``entities.yaml`` declares.

:func:`centre` gives plain months for tests and benchmarks. :func:`monthly`
gives months that hold the hard cases a payroll month meets (lead
conflicts at both escalation levels, a malicious grab, new hires, an exact
tie, a rep leaving mid-month, referrals), and :func:`write_months` writes
them as one folder of CSV files per month, with the columns the entities
of a policy folder declare, headed by the fields' titles.

Each of these is a module of its own — the plain months and the records
they are made of (:mod:`~policyengine.facts._sample_centre`), the hard-case months
(:mod:`~policyengine.facts._sample_hard_cases`), the CSV folders
(:mod:`~policyengine.facts._sample_csv`) — and is read from here.
"""

from __future__ import annotations

from .facts._sample_centre import Facts, centre, months
from .facts._sample_csv import fit, unknown_fields, write_months
from .facts._sample_hard_cases import HardCases, Month, monthly

__all__ = [
    "Facts",
    "HardCases",
    "Month",
    "centre",
    "fit",
    "monthly",
    "months",
    "unknown_fields",
    "write_months",
]
