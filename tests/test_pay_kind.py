"""Which kind a month's pay sheet lists: decided by the policies (the kind with the most
outputs, then the deepest), never by the order entities.yaml lists the kinds in."""

from __future__ import annotations

from pathlib import Path

import pytest

import policyengine
from policyengine.present._report import build_report

KINDS = {
    "company": "  company:\n    key: company_id\n    fields: {company_id: string}\n",
    "team": (
        "  team:\n    key: team_id\n    parent: {kind: company, field: company_id}\n"
        "    fields: {team_id: string, company_id: string}\n"
    ),
    "agent": (
        "  agent:\n    key: agent_id\n    parent: {kind: team, field: team_id}\n"
        "    fields: {agent_id: string, team_id: string}\n"
    ),
    "sale": (
        "  sale:\n    key: sale_id\n    parent: {kind: agent, field: agent_id}\n"
        "    fields: {sale_id: string, agent_id: string, premium: money}\n"
    ),
}
#: policy -> (the kind it applies to, its rule's id and what it sums, how many such rules).
POLICIES = {
    "pay": ("agent", ("premium_total", "sale", "premium"), 2),
    "teams": ("team", ("team_total", "agent", "premium_total"), 1),
    "firm": ("company", ("firm_total", "team", "team_total"), 1),
}


def _folder(root: Path, order: list[str]) -> Path:
    root.mkdir(parents=True)
    text = "format: 1\nkinds:\n" + "".join(KINDS[name] for name in order)
    (root / "entities.yaml").write_text(text, encoding="utf-8")
    for policy, (kind, rule, copies) in POLICIES.items():
        (root / policy).mkdir()
        rule_id, below, value = rule
        rules = "".join(
            f"  - {{id: {rule_id}{n or ''}, kind: aggregate, of: {below}, function: sum,"
            f" value: {value}}}\n"
            for n in range(copies)
        )
        (root / policy / "2026-01.yaml").write_text(
            f'format: 1\npolicy: {policy}\nversion: "2026-01"\neffective_from: 2026-01-01\n'
            f"title: t\napplies_to: {kind}\nrules:\n{rules}",
            encoding="utf-8",
        )
    return root


FACTS = {
    "company": [{"company_id": "C"}],
    "team": [{"team_id": "T1", "company_id": "C"}],
    "agent": [{"agent_id": "A1", "team_id": "T1"}, {"agent_id": "A2", "team_id": "T1"}],
    "sale": [{"sale_id": "S1", "agent_id": "A1", "premium": "100.00"}],
}


@pytest.mark.parametrize(
    "order",
    [["company", "team", "agent", "sale"], ["company", "agent", "team", "sale"]],
    ids=["team-first", "agent-first"],
)
def test_the_pay_sheet_lists_the_agents_whatever_the_order_of_kinds(
    tmp_path: Path, order: list[str]
) -> None:
    """Four kinds, two of them with a parent and children: the agents, whom the policies
    pay, are the pay sheet; the team and the company are summaries, named in English
    plurals."""
    repo = policyengine.load(_folder(tmp_path / "policies", order))
    result = repo.for_period("2026-01").evaluate(FACTS)
    report = build_report(result)
    assert report.kind == "agent"
    assert [row[0] for row in report.pay.rows] == ["A1", "A2"]
    assert [table.name for table in report.summaries] == ["Teams", "Companies"]
