"""Results as pandas DataFrames and Arrow tables (the ``dataframe`` extra), exact decimals kept."""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import policyengine
from policyengine.errors import UsageError
from policyengine.month import evaluate_month

ROOT = Path(__file__).parent.parent
STANDALONE = ROOT / "examples" / "standalone" / "policies" / "commission" / "2026-01.yaml"


@pytest.fixture(scope="module")
def month() -> Any:
    """The shipped January (its unrounded sales scores have 34 digits)."""
    repository = policyengine.load(ROOT / "policies")
    return evaluate_month(repository, "2026-01", ROOT / "examples" / "2026-01").result


def _exact(month: Any, kind: str, policy: str, output: str) -> dict[str, Any]:
    return {r.key: r.outputs[output] for r in month.rows() if r.kind == kind and r.policy == policy}


def test_arrow_keeps_exact_decimals_at_the_declared_scale(month: Any) -> None:
    """A rounded amount is decimal128 at its rule's places; an unrounded 34-digit score is
    decimal128 at the places its values need; every value reads back exactly."""
    pa = pytest.importorskip("pyarrow")
    table = month.to_arrow()
    assert table.column_names[0] == "rep_id"
    assert table.schema.field("pay.net_pay").type == pa.decimal128(38, 2)
    assert table.schema.field("workload.connect_rate").type == pa.decimal128(38, 4)
    keys = table.column("rep_id").to_pylist()
    for output, policy, name in (
        ("pay.net_pay", "pay", "net_pay"),
        ("appraisal.sales_score", "appraisal", "sales_score"),
    ):
        exact = _exact(month, "rep", policy, name)
        values = dict(zip(keys, table.column(output).to_pylist(), strict=True))
        assert values == exact
    assert (
        max(
            len(v.as_tuple().digits)
            for v in _exact(month, "rep", "appraisal", "sales_score").values()
        )
        > 30
    )
    assert table.schema.field("bottom_rank.team_rank.rank").type == pa.int64()
    assert table.schema.field("pay.floor_applied").type == pa.bool_()


def test_pandas_columns_hold_decimal_objects_and_nullable_whole_numbers(month: Any) -> None:
    """pandas gets Decimal objects (never floats); a whole-number column with a missing
    value stays whole (Int64), the missing value missing."""
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    frame = month.to_pandas()
    net = dict(zip(frame["rep_id"], frame["pay.net_pay"], strict=True))
    assert all(type(v) is Decimal for v in net.values())
    assert net == _exact(month, "rep", "pay", "net_pay")
    rank = frame["bottom_rank.team_rank.rank"]
    assert rank.dtype == pd.Int64Dtype()
    ranks = _exact(month, "rep", "bottom_rank", "team_rank.rank")
    assert None in ranks.values(), "some reps are not ranked"
    shown = dict(zip(frame["rep_id"], rank.astype(object), strict=True))
    assert {k: (None if v is pd.NA else v) for k, v in shown.items()} == ranks
    teams = month.to_pandas("team")
    assert list(teams["team_id"]) == month.keys("team")
    assert "errors" in teams.columns and teams["errors"].isna().all()


def test_a_batch_and_a_result_convert_with_their_errors() -> None:
    """One policy's batch gives a row per record in input order, a failed record its error
    code; one result gives one row."""
    pd = pytest.importorskip("pandas")
    pytest.importorskip("pyarrow")
    policy = policyengine.load_policy(STANDALONE)
    good = {
        "rep_id": "A01",
        "credited_sales": "123456.78",
        "self_sourced_sales": "0",
        "dials": 700,
        "talk_minutes": 1600,
    }
    bad = {**good, "rep_id": "A02", "dials": "many"}
    batch = policy.evaluate_many([good, bad], period="2026-03")
    frame = batch.to_pandas()
    assert list(frame["record"]) == ["A01", "A02"]
    assert frame["commission"][0] == Decimal("4320.99")
    assert type(frame["commission"][0]) is Decimal
    assert frame["commission"][1] is None or pd.isna(frame["commission"][1])
    assert pd.isna(frame["errors"][0]) and frame["errors"][1] == batch.errors[0].code
    one = batch.results[0].to_arrow()
    assert one.num_rows == 1 and one.column("commission").to_pylist() == [Decimal("4320.99")]


def test_an_unknown_kind_is_a_usage_error(month: Any) -> None:
    """A kind the month does not declare is refused before anything is imported."""
    with pytest.raises(UsageError) as caught:
        month.to_arrow("reps")
    assert caught.value.code == "unknown-kind" and "rep" in (caught.value.hint or "")


def test_without_the_extra_a_conversion_says_how_to_install_it(
    month: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With pyarrow not importable, the conversion raises missing-extra naming the extra."""
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    with pytest.raises(UsageError) as caught:
        month.to_arrow()
    assert caught.value.code == "missing-extra"
    assert "policyengine[dataframe]" in (caught.value.hint or "")
    with pytest.raises(UsageError):
        month.to_pandas()
