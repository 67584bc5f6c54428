"""``x * 6%``: a percentage written in an expression is the exact rate it names, and
every other ``%`` is still the remainder."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

import policyengine
from policyengine.core._numbers import engine_context
from policyengine.language._compiler import compile_code
from policyengine.language._expressions import Evaluator, compile_expression
from policyengine.language._types_infer import PERCENT


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("x * 6%", Decimal("60.00")),
        ("x * 3.8%", Decimal("38.000")),
        ("x * 6% + 1", Decimal("61.00")),
        ("x * 6% - 1", Decimal("59.00")),
        ("min(x * 6%, 50)", Decimal("50")),
        ("x * (5% if x > 100 else 10%)", Decimal("50.00")),
        ("x % 7", Decimal("6.00")),  # the remainder, as before
        ("x%7", Decimal("6.00")),
        ("10%3", 1),
        ('"6%"', "6%"),  # text stays text
    ],
)
def test_a_percentage_is_its_rate_and_the_remainder_stays(text: str, value: object) -> None:
    """Both engines agree; a percentage is exact (3.8% is 0.038)."""
    expr = compile_expression(text)
    names = {"x": Decimal("1000.00")}
    code = compile_code(expr.tree, expr.source, expr.names, None)
    with engine_context():
        assert Evaluator().evaluate(expr, names) == value
        assert code(names) == value


def test_a_percentage_keeps_its_column_and_is_marked_a_rate() -> None:
    """The number is placed where it is written, and the type check reads it as a rate."""
    expr = compile_expression("销售额 * 6%")
    constant = expr.tree.right  # type: ignore[attr-defined]
    assert constant.value == Decimal("0.06")
    assert getattr(constant, PERCENT) is True
    assert constant.col_offset == len("销售额 * ".encode())


def test_a_policy_pays_a_percentage_written_in_its_formula(tmp_path: Path) -> None:
    """``expr: sales * 6%`` loads, is money by a rate, and pays 6% exactly."""
    path = tmp_path / "p.yaml"
    path.write_text(
        'format: 1\npolicy: p\nversion: "1"\neffective_from: 2026-01-01\ntitle: t\n'
        "inputs:\n  sales: money\nrules:\n"
        "  - {id: commission, kind: formula, expr: sales * 6%, round: 0.01}\n",
        encoding="utf-8",
    )
    policy = policyengine.load_policy(path)
    result = policy.evaluate({"sales": Decimal("12345.67")})
    assert result.outputs["commission"] == Decimal("740.74")
