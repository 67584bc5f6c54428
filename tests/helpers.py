"""Small helpers the tests share: a policy written to a temporary file, a folder of
one policy beside the ranking fixture's entities, a streak carried from January, how
two evaluators' values are compared, the sample command, and a facts reader the
package does not have (TSV), for the registry tests."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import policyengine
from policyengine.facts._file import FactsFile
from policyengine.model import Field

ROOT = Path(__file__).parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
#: The shipped policy folder and example months.
SHIPPED = ROOT / "policies"
EXAMPLES = ROOT / "examples"

HEADER = """\
format: 1
policy: t
version: "1"
effective_from: 2026-01-01
title: test policy
"""


def write_policy(tmp_path: Path, body: str, name: str = "policy.yaml") -> Path:
    """Write HEADER plus ``body`` (dedented) and return the path."""
    path = tmp_path / name
    path.write_text(HEADER + textwrap.dedent(body), encoding="utf-8")
    return path


def policy_from(tmp_path: Path, body: str) -> policyengine.Policy:
    return policyengine.load_policy(write_policy(tmp_path, body))


def registered(error_class: type[policyengine.PolicyError], code: str) -> bool:
    """Whether policyengine.codes lists ``code`` as raised by this class or a parent of it."""
    from policyengine.codes import CODES

    return any(
        any(c.__name__ == info.error_class for c in error_class.__mro__)
        for info in CODES.get(code, ())  # type: ignore[call-overload]
    )


def ranking_folder(tmp_path: Path, rules: str, policy: str = "state") -> Path:
    """A policy folder: the ranking fixture's entities.yaml (teams of reps with a score,
    sales and eligibility) and one policy ``policy``, in force from 2026-01 over reps,
    whose rules are ``rules`` (YAML list items). Returns the folder."""
    root = tmp_path / "policies"
    root.mkdir(parents=True)
    (root / "entities.yaml").write_text(
        (FIXTURES / "ranking" / "entities.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    return add_rep_policy(root, policy, rules)


def add_rep_policy(root: Path, policy: str, rules: str) -> Path:
    """Policy ``policy`` added to the folder ``root``: in force from 2026-01 over reps,
    its rules ``rules`` (YAML list items). Returns the folder."""
    (root / policy).mkdir()
    (root / policy / "2026-01.yaml").write_text(
        f'format: 1\npolicy: {policy}\nversion: "2026-01"\neffective_from: 2026-01-01\n'
        "title: t\napplies_to: rep\nrules:\n" + rules,
        encoding="utf-8",
    )
    return root


def value_shape(value: Any, *, sort_mappings: bool = False) -> Any:
    """A value as a comparison of two evaluators sees it: kind and text, so that
    Decimal('1.0') != Decimal('1'); a mapping's items in their order, or sorted."""
    if type(value) is Decimal:
        return ("Decimal", str(value))
    if type(value) is tuple:
        return ("tuple", tuple(value_shape(item, sort_mappings=sort_mappings) for item in value))
    if isinstance(value, Mapping):
        items = [
            (key, value_shape(item, sort_mappings=sort_mappings)) for key, item in value.items()
        ]
        return ("record", sorted(items) if sort_mappings else items)
    return (type(value).__name__, value)


def assert_streak_carries_on(repository: policyengine.Repository, month: Any) -> None:
    """A streak read from last month (rep A of ``month``, in February): refused as
    missing-history when no January is given, and January's 4 carried on to 5 when it is."""
    alone = repository.for_period("2026-02").evaluate(month)
    assert [e.code for e in alone.errors] == ["missing-history"]
    january = {"2026-01": {"rep": {"A": {"streak": 4}}}}
    [february] = repository.evaluate_months({"2026-02": month}, history=january)
    assert february.value("rep", "A", "streak") == 5


def sample_command(
    policies: Path,
    months: str,
    out: Path,
    *,
    teams: int,
    reps: int,
    calls: int | None = None,
    seed: int | str | None = None,
) -> int:
    """``policyengine sample`` with these arguments (``--calls`` and ``--seed`` only when
    given); its exit code."""
    from policyengine.cli._main import main

    words = ["sample", "--policies", str(policies), "--months", months]
    words += ["--teams", str(teams), "--reps", str(reps)]
    words += ["--calls", str(calls)] if calls is not None else []
    words += ["--seed", str(seed)] if seed is not None else []
    return main([*words, "--out", str(out)])


class TsvReader:
    """A facts format the package does not have: tab-separated text, a header first."""

    suffix = ".tsv"
    name = "TSV"

    def read(self, file: str, raw: bytes, fields: Mapping[str, Field]) -> FactsFile:
        header, *rows = raw.decode("utf-8").splitlines()
        names = header.split("\t")
        records = tuple(dict(zip(names, row.split("\t"), strict=True)) for row in rows)
        return FactsFile(file, records, tuple(range(2, len(rows) + 2)))
