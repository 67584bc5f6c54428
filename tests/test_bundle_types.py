"""A value one policy reads of another is typed at load: a slip across policies is
refused where it is written, as a slip within one policy is.

Each case edits one expression of a copy of the shipped policies so that it reads
another policy's value wrongly; before this check each of them passed `validate`
(the other policy's value was of no known type) and paid wrongly: a yes/no compared
with text is never equal, so ``commission_started == "true"`` paid no rep any
commission.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import policyengine
from policyengine import InvalidPolicy

ROOT = Path(__file__).resolve().parent.parent

#: (policy file, text replaced, replacement) -> (code, the line of the rule's expression,
#: the rule, the part of the expression said).
STARTED = "if commission_started else 0"
SLIPS = {
    "yes/no compared with text": (
        ("commission/2026-07.yaml", STARTED, "if commission_started == 'true' else 0"),
        ("incomparable-types", 47, "commission", "commission_started == 'true'"),
    ),
    "yes/no compared with a number": (
        ("commission/2026-07.yaml", STARTED, "if commission_started == 1 else 0"),
        ("incomparable-types", 47, "commission", "commission_started == 1"),
    ),
    "yes/no as a factor": (
        ("commission/2026-07.yaml", STARTED, "* commission_started"),
        ("number-expected", 47, "commission", "commission_started"),
    ),
    "a parent's count compared with text": (
        ("team_share/2025-07.yaml", "team.team_sales > 0", "team.team_rep_count > '0'"),
        ("incomparable-types", 33, "team_pool_share", "team.team_rep_count > '0'"),
    ),
    # A parameter of the policy beside another policy's value: the parameter's type known.
    "a rate parameter compared with another policy's yes/no": (
        ("commission/2026-07.yaml", STARTED, "if commission_started == self_sourced_rate else 0"),
        ("incomparable-types", 47, "commission", "commission_started == self_sourced_rate"),
    ),
    # team_sales sums another policy's performance_sales: typed in the plan's order.
    "a parent's sum of another policy's money compared with text": (
        ("team_share/2025-07.yaml", "team.team_sales > 0", "team.team_sales > '0'"),
        ("incomparable-types", 33, "team_pool_share", "team.team_sales > '0'"),
    ),
}  # fmt: skip


def edited(tmp_path: Path, file: str, old: str, new: str) -> Path:
    folder = tmp_path / "policies"
    shutil.copytree(ROOT / "policies", folder)
    (folder / "policies.lock").unlink()  # the edited version is a draft
    path = folder / file
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")
    return folder


@pytest.mark.parametrize("slip", sorted(SLIPS))
def test_a_value_read_of_another_policy_is_typed(slip: str, tmp_path: Path) -> None:
    (file, old, new), (code, line, rule_id, part) = SLIPS[slip]
    folder = edited(tmp_path, file, old, new)
    with pytest.raises(InvalidPolicy) as refused:
        policyengine.load(folder)
    problems = refused.value.problems
    assert [(p.code, p.location.line, p.location.rule_id) for p in problems] == [
        (code, line, rule_id)
    ]
    assert problems[0].location.file == str(folder / file)
    assert problems[0].details["part"] == part
    if "yes/no" in slip and code == "incomparable-types":  # its hint says how to test it
        assert problems[0].hint is not None and "'if x'" in problems[0].hint


def test_the_shipped_policies_read_each_other_soundly() -> None:
    """Every value the shipped policies read of each other is of a type its use
    takes: the check refuses no sound folder."""
    repository = policyengine.load(ROOT / "policies")
    assert any(v.policy.external for v in repository.versions)
    standalone = policyengine.load(ROOT / "examples" / "standalone" / "policies")
    assert standalone.versions


def test_what_one_policy_types_alone_is_said_once(tmp_path: Path) -> None:
    """A slip the version's own check finds (its own input compared with text) is said
    by that check alone, not again by the bundle's."""
    folder = edited(
        tmp_path,
        "commission/2026-07.yaml",
        "if commission_started else 0",
        "if commission_started and tier_sales == 'abc' else 0",
    )
    with pytest.raises(InvalidPolicy) as refused:
        policyengine.load(folder)
    codes = [(p.code, p.details.get("part")) for p in refused.value.problems]
    assert codes == [("incomparable-types", "tier_sales == 'abc'")]


def test_a_run_recorded_before_a_slip_check_still_replays(tmp_path: Path) -> None:
    """A ledger run whose policies an older engine accepted (here: recorded with the
    slip checks off, as that engine had them) replays byte for byte: the replay is
    evidence of what was paid, and a check added since does not refuse it. Loading the
    same folder today still refuses it."""
    from policyengine.audit._replay import replay_run
    from policyengine.audit.ledger import open_ledger
    from policyengine.load._slip_checks import slips_not_checked
    from policyengine.month import Recording, run_month

    (file, old, new), _ = SLIPS["yes/no compared with text"]
    folder = edited(tmp_path, file, old, new)
    ledger = tmp_path / "ledger.sqlite"
    with slips_not_checked():
        repository = policyengine.load(folder)
        run_month(
            repository,
            "2026-07",
            ROOT / "examples" / "2026-03",
            ledger=ledger,
            recording=Recording(new=True, drafts=tuple(v.path for v in repository.versions)),
        )
    with pytest.raises(InvalidPolicy):
        policyengine.load(folder)
    with open_ledger(ledger, read_only=True) as opened:
        replayed = replay_run(opened, 1)
    assert replayed.identical, replayed.first_difference


@pytest.mark.parametrize(
    ("counted", "found"),
    [("performance_sales", "money"), ("star_grade", "text")],
    ids=["another policy's money", "its own text"],
)
def test_months_counted_of_a_value_that_is_no_yes_no_are_refused(
    tmp_path: Path, counted: str, found: str
) -> None:
    """count_in_quarter counts the months a yes/no value held: of another policy's money
    (typed in the bundle) or of the policy's own text, it is refused at its ``of``. Of
    money it failed every rep at run time, and a month of 0 counted silently."""
    file = "star_rating/2025-07.yaml"
    folder = edited(tmp_path, file, "of: monthly_star", f"of: {counted}")
    with pytest.raises(InvalidPolicy) as refused:
        policyengine.load(folder)
    problem = refused.value.problems[0]
    assert [p.code for p in refused.value.problems] == ["bad-history-of"]
    assert (problem.location.file, problem.location.line) == (str(folder / file), 63)
    assert (problem.details["of"], problem.details["found"]) == (counted, found)
    assert "yes/no" in problem.message and "是/否" in problem.render("zh")
