"""The policy folder: versions over time, bitemporal resolution, corrections, impact diffs."""

from __future__ import annotations

import datetime
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import policyengine
from policyengine import InvalidPolicy
from policyengine.audit._diff import diff
from policyengine.load._lock import lock

HISTORY = Path(__file__).parent / "fixtures" / "repo" / "commission"

# version file -> the day it was published (locked)
PUBLISHED = [
    ("2025-01", datetime.date(2024, 12, 20)),
    ("2025-07", datetime.date(2025, 6, 20)),
    ("2025-07-fix", datetime.date(2025, 10, 10)),
    ("2026-01", datetime.date(2025, 12, 20)),
]
RATE = {"2025-01": "0.03", "2025-07": "0.035", "2025-07-fix": "0.036", "2026-01": "0.04"}
FACTS = {"rep": [{"rep_id": "A", "sales": "10000"}, {"rep_id": "B", "sales": "12345.67"}]}


def build_history(root: Path) -> Path:
    """Copy the versions in publication order, locking each on its day, as HR would."""
    policies = root / "policies"
    (policies / "commission").mkdir(parents=True)
    for version, day in PUBLISHED:
        shutil.copy(HISTORY / f"{version}.yaml", policies / "commission")
        lock(policies, policies / "policies.lock", day)
    return policies


@pytest.fixture(scope="module")
def repository(tmp_path_factory: pytest.TempPathFactory) -> policyengine.Repository:
    return policyengine.load(build_history(tmp_path_factory.mktemp("history")))


@pytest.mark.parametrize(
    ("period", "known", "version"),
    [
        ("2025-01", None, "2025-01"),
        ("2025-06", None, "2025-01"),
        ("2025-07", "2025-07-01", "2025-07"),
        ("2025-08", "2025-09-30", "2025-07"),
        ("2025-08", "2025-10-10", "2025-07-fix"),
        ("2025-12", None, "2025-07-fix"),
        ("2026-01", None, "2026-01"),
        ("2026-11", "2026-11-28", "2026-01"),
        ("2026-01", "2025-12-19", "2025-07-fix"),
    ],
)
def test_each_month_resolves_to_the_version_in_force(
    repository: policyengine.Repository, period: str, known: str | None, version: str
) -> None:
    """Each month (as known at a date) gets the version in force on its first day."""
    bundle = repository.for_period(period, as_known_at=known)
    assert [(v.id, v.version) for v in bundle.versions] == [("commission", version)]


def test_as_known_at_gives_old_then_corrected_amounts(repository: policyengine.Repository) -> None:
    """Before the correction was published the old amounts come out; after it, the new ones."""
    before = repository.for_period("2025-08", as_known_at="2025-10-09").evaluate(FACTS)
    after = repository.for_period("2025-08", as_known_at="2025-10-10").evaluate(FACTS)
    assert before.value("rep", "A", "commission") == Decimal("350.00")
    assert after.value("rep", "A", "commission") == Decimal("360.00")
    assert before.provenance.as_known_at == "2025-10-09"
    assert before.provenance.bundle_sha256 != after.provenance.bundle_sha256


def test_before_the_first_version_nothing_is_in_force(repository: policyengine.Repository) -> None:
    """A month before any version took effect has an empty bundle, not a guessed one."""
    assert repository.for_period("2024-12").versions == ()


def test_drafts_are_invisible_as_known_at(tmp_path: Path) -> None:
    """An unlocked version counts for the working view but not for any as_known_at date."""
    policies = build_history(tmp_path)
    draft = (HISTORY / "2026-01.yaml").read_text(encoding="utf-8")
    draft = draft.replace('"2026-01"', '"2026-07"').replace("2026-01-01", "2026-07-01")
    (policies / "commission" / "2026-07.yaml").write_text(draft, encoding="utf-8")
    repository = policyengine.load(policies)
    assert repository.for_period("2026-08").versions[0].version == "2026-07"
    assert repository.for_period("2026-08", as_known_at="2030-01-01").versions[0].version == (
        "2026-01"
    )


def test_history_lists_dates_publication_and_hashes(repository: policyengine.Repository) -> None:
    """history() gives each version with its dates in force, publication date and hash."""
    rows = [
        (e.version, e.effective_from, e.effective_to, e.published, e.corrected_by)
        for e in repository.history("commission")
    ]
    d = datetime.date
    assert rows == [
        ("2025-01", d(2025, 1, 1), d(2025, 7, 1), d(2024, 12, 20), None),
        ("2025-07", d(2025, 7, 1), None, d(2025, 6, 20), "2025-07-fix"),
        ("2025-07-fix", d(2025, 7, 1), d(2026, 1, 1), d(2025, 10, 10), None),
        ("2026-01", d(2026, 1, 1), None, d(2025, 12, 20), None),
    ]


def test_result_documents_are_byte_identical(repository: policyengine.Repository) -> None:
    """Two runs on the same inputs and versions, records in any order, give the same bytes."""
    bundle = repository.for_period("2026-03")
    one = bundle.evaluate(FACTS).to_json()
    two = bundle.evaluate({"rep": list(reversed(FACTS["rep"]))}).to_json()
    assert one == two
    assert b'"inputs_sha256"' in one


def _write(root: Path, version: str, start: str, extra: str = "") -> None:
    text = (HISTORY / "2025-01.yaml").read_text(encoding="utf-8")
    text = text.replace('"2025-01"', f'"{version}"').replace("2025-01-01", start)
    text = text.replace("title:", extra + "title:") if extra else text
    (root / "commission").mkdir(parents=True, exist_ok=True)
    (root / "commission" / f"{version}.yaml").write_text(text, encoding="utf-8")


@pytest.mark.parametrize(
    ("versions", "code"),
    [
        ([("a", "2025-01-01", ""), ("b", "2025-01-01", "")], "overlapping-versions"),
        (
            [("a", "2025-01-01", "effective_to: 2025-09-01\n"), ("b", "2025-07-01", "")],
            "overlapping-versions",
        ),
        (
            [("a", "2025-01-01", "effective_to: 2025-05-01\n"), ("b", "2025-07-01", "")],
            "gap-between-versions",
        ),
        ([("a", "2025-01-15", "")], "mid-month-date"),
        (
            [("a", "2025-01-01", ""), ("b", "2025-02-01", 'corrects: "a"\n')],
            "correction-dates-differ",
        ),
        ([("a", "2025-01-01", 'corrects: "z"\n')], "unknown-corrected-version"),
    ],
)
def test_version_timeline_mistakes_name_the_files(
    tmp_path: Path, versions: list[tuple[str, str, str]], code: str
) -> None:
    """Overlaps, gaps, mid-month dates and bad corrections are load errors naming the file."""
    for version, start, extra in versions:
        _write(tmp_path, version, start, extra)
    with pytest.raises(InvalidPolicy) as caught:
        policyengine.load(tmp_path)
    [problem] = caught.value.problems
    assert problem.code == code
    assert problem.location.file is not None and problem.location.file.endswith(".yaml")
    # Said at the line and column of the key it is about, as every problem of a file is.
    assert problem.location.line is not None and problem.location.column is not None


def test_folder_and_file_names_must_match(tmp_path: Path) -> None:
    """A version file in the wrong folder or under the wrong name is reported, both at once."""
    _write(tmp_path, "2025-01", "2025-01-01")
    (tmp_path / "commission" / "2025-01.yaml").rename(tmp_path / "commission" / "v1.yaml")
    (tmp_path / "commission").rename(tmp_path / "pay")
    with pytest.raises(InvalidPolicy) as caught:
        policyengine.load(tmp_path)
    assert sorted(p.code for p in caught.value.problems) == [
        "policy-folder-mismatch",
        "version-file-mismatch",
    ]


def test_diff_between_versions(repository: policyengine.Repository) -> None:
    """Diffing two versions over the same month gives per-record deltas and totals."""
    outcome = diff(
        repository,
        "2025-08",
        FACTS,
        policy="commission",
        from_version="2025-07",
        to_version="2026-01",
    )
    deltas = {(c.key, c.output): c.delta for c in outcome.changes}
    assert deltas == {("A", "commission"): Decimal("50.00"), ("B", "commission"): Decimal("61.73")}
    [totals] = outcome.totals
    assert (totals.gain, totals.lose, totals.unchanged) == (2, 0, 0)
    assert totals.delta_sum == Decimal("111.73")


def test_diff_between_dates_of_knowledge(repository: policyengine.Repository) -> None:
    """Diffing two as-known-at dates shows what the correction changed."""
    outcome = diff(repository, "2025-08", FACTS, from_known="2025-09-01", to_known="2025-11-01")
    assert [(c.key, c.old, c.new) for c in outcome.changes] == [
        ("A", Decimal("350.00"), Decimal("360.00")),
        ("B", Decimal("432.10"), Decimal("444.44")),
    ]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.decimals(min_value=0, max_value=10**7, places=2), min_size=1, max_size=8))
def test_diff_totals_equal_the_sum_of_deltas(sales: list[Decimal]) -> None:
    """For any facts, each output's delta_sum equals the sum of its per-record deltas."""
    repository = _shared_repository()
    facts = {"rep": [{"rep_id": f"R{i}", "sales": s} for i, s in enumerate(sales)]}
    outcome = diff(
        repository,
        "2025-08",
        facts,
        policy="commission",
        from_version="2025-01",
        to_version="2026-01",
    )
    for totals in outcome.totals:
        deltas = [
            c.delta
            for c in outcome.changes
            if (c.policy, c.output) == (totals.policy, totals.output)
        ]
        assert totals.delta_sum == sum((d for d in deltas if d is not None), Decimal(0))
        assert totals.gain + totals.lose + totals.changed + totals.unchanged == len(sales)


_SHARED: dict[str, policyengine.Repository] = {}


def _shared_repository() -> policyengine.Repository:
    if "r" not in _SHARED:
        import tempfile

        root = Path(tempfile.mkdtemp())
        _SHARED["r"] = policyengine.load(build_history(root))
    return _SHARED["r"]


def test_without_entities_a_version_without_applies_to_evaluates_its_own_records(
    tmp_path: Path,
) -> None:
    """Without entities.yaml and applies_to, a version's records are the kind named by its id."""
    root = tmp_path / "policies"
    _write(root, "2025-01", "2025-01-01")
    text = (root / "commission" / "2025-01.yaml").read_text(encoding="utf-8")
    (root / "commission" / "2025-01.yaml").write_text(
        "\n".join(line for line in text.splitlines() if not line.startswith("applies_to:")) + "\n",
        encoding="utf-8",
    )
    bundle = policyengine.load(root).for_period("2025-03")
    assert bundle.versions[0].policy.applies_to is None
    result = bundle.evaluate({"commission": FACTS["rep"]})
    assert not result.errors
    assert {row.key for row in result.rows()} == {"A", "B"}
    assert result.value("commission", "A", "commission") == Decimal("300.00")


POLICIES = Path(__file__).parent.parent / "policies"


def _copied_folder(tmp_path: Path) -> Path:
    """The shipped folder with commission 2026-04 copied to 2026-10, unlocked."""
    root = tmp_path / "policies"
    shutil.copytree(POLICIES, root)
    (root / "policies.lock").unlink()
    shutil.copy(root / "commission" / "2026-04.yaml", root / "commission" / "2026-10.yaml")
    return root


def test_a_copy_whose_version_was_not_changed_is_said_once_with_the_fix(tmp_path: Path) -> None:
    """A file copied to a new name, 'version:' left as the original's: one problem, at the
    version's line, saying it is a copy and what to write — not a duplicate version and
    an overlap besides."""
    root = _copied_folder(tmp_path)
    with pytest.raises(InvalidPolicy) as caught:
        policyengine.load(root)
    [problem] = caught.value.problems
    assert (problem.code, problem.form) == ("version-file-mismatch", "copy")
    assert problem.location.file is not None
    assert problem.location.file.endswith("2026-10.yaml")
    assert problem.location.line == 4
    assert "2026-04.yaml" in problem.message
    assert 'version: "2026-10"' in str(problem.hint)


def test_a_copy_with_a_new_start_hears_its_root_cause_first(tmp_path: Path) -> None:
    """The copy's start moved but not its 'version:': its tests, for months it no longer
    covers, fail to build — and the problem said first is the unchanged version."""
    root = _copied_folder(tmp_path)
    copy = root / "commission" / "2026-10.yaml"
    copy.write_text(
        copy.read_text(encoding="utf-8").replace(
            "effective_from: 2026-04-01", "effective_from: 2026-10-01"
        ),
        encoding="utf-8",
    )
    with pytest.raises(InvalidPolicy) as caught:
        policyengine.load(root)
    first, *rest = caught.value.problems
    assert (first.code, first.form) == ("version-file-mismatch", "copy")
    assert rest and {problem.code for problem in rest} == {"not-in-force"}
