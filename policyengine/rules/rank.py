"""``rank``: order records within a group and select the top or bottom of it.

Records are grouped by an ancestor (``within: team``), or form one group.
Only ``eligible`` records are ranked; ``order`` says whether the highest
``by`` value is rank 1 (descending) or the lowest. Ties are broken by the
declared ``ties`` keys and finally by the record key, so no tie is ever left
to input order. ``select`` marks the ``top`` or ``bottom`` N records, or N%
of the eligible ones rounded as declared; groups with fewer than
``min_group`` eligible records select none.

Outputs: ``eligible``, ``rank`` (none for ineligible records), ``size`` (the
number of eligible records in the group) and ``selected``.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Any

import attrs

from ..core._display import show_value as _show
from ..core._numbers import CONTEXT, is_number
from ..core._text_templates import ENGLISH, Saying
from ..errors import PolicyError
from ..language._expressions import Expression
from ..language._value_kinds import fail
from .base import Built, Outcome, RuleContext
from .population import Frame, PopulationKind, needs_entities

_ROUNDING = {"up": ROUND_CEILING, "down": ROUND_FLOOR, "half_up": ROUND_HALF_UP}


@attrs.frozen
class Rank:
    by: Expression
    descending: bool
    ties: tuple[tuple[Expression, bool], ...]
    within: str | None = None
    eligible: Expression | None = None
    side: str | None = None  # "top" or "bottom"
    count: Decimal | None = None
    percent: bool = False
    rounding: str = "down"
    min_group: int = 1


def build(ctx: RuleContext) -> Built | None:
    """The checked spec of a rank rule; None, with its problems reported, if there is none."""
    if not needs_entities(ctx, "rank"):
        return None
    raw = ctx.raw
    within = raw.get("within")
    if within is not None and within not in ctx.entities.ancestors(ctx.own_kind):
        ancestors = ", ".join(ctx.entities.ancestors(ctx.own_kind))
        if ancestors:
            ctx.add(
                "not-an-ancestor-kind",
                "/within",
                within=within,
                kind=ctx.own_kind,
                ancestors=ancestors,
            )
        else:
            ctx.add(
                "not-an-ancestor-kind", "/within", form="none", within=within, kind=ctx.own_kind
            )
        return None
    by = ctx.expr("/by", raw["by"])
    ties = []
    for index, tie in enumerate(raw["ties"]):
        compiled = ctx.expr(f"/ties/{index}/by", tie["by"])
        if compiled is not None:
            ties.append((compiled, tie["order"] == "descending"))
    eligible = ctx.expr("/eligible", raw["eligible"]) if "eligible" in raw else None
    selection = _selection(ctx, raw.get("select"))
    if selection is None:
        return None
    side, count, percent, rounding = selection
    if by is None or len(ties) != len(raw["ties"]) or ("eligible" in raw and eligible is None):
        return None
    spec = Rank(
        by,
        raw["order"] == "descending",
        tuple(ties),
        within,
        eligible,
        side,
        count,
        percent,
        rounding,
        int(raw.get("min_group", 1)),
    )
    return Built(spec, ("eligible", "rank", "size", "selected"))


#: What ``select`` asks for: the side (top or bottom), the count, whether it is a
#: percentage of the group (the count then in percent), and how that is rounded.
_Selection = tuple[str | None, Decimal | None, bool, str]


def _selection(ctx: RuleContext, select: Mapping[str, Any] | None) -> _Selection | None:
    """What ``select`` asks for (nothing selected without it); None, and a problem, when
    it asks for something impossible."""
    if select is None:
        return None, None, False, "down"
    sides = [s for s in ("top", "bottom") if s in select]
    if len(sides) != 1:
        ctx.add("bad-select", "/select", form="one-side")
        return None
    side = sides[0]
    text = select[side]
    percent = isinstance(text, str) and text.strip().endswith("%")
    count = ctx.number(f"/select/{side}", text)
    if count is None:
        return None
    if count < 0:
        ctx.add("bad-select", f"/select/{side}", form="negative", count=text)
        return None
    if percent:
        if "rounding" not in select:
            ctx.add("percent-needs-rounding", "/select", count=text)
            return None
        return side, count.scaleb(2), True, select["rounding"]
    if count != count.to_integral_value() or count < 0:
        ctx.add("bad-select", f"/select/{side}", form="whole", count=text)
        return None
    return side, count, False, "down"


def _compare(a: Any, b: Any) -> int:
    if (is_number(a) and is_number(b)) or type(a) is type(b):
        return int(a > b) - int(a < b)
    raise fail("type-mismatch", "rank", {"first": repr(a), "second": repr(b)})


def evaluate(spec: Rank, frame: Frame) -> Mapping[str, Outcome | PolicyError]:
    groups: dict[str, list[str]] = {}
    for key in frame.records():
        group = frame.ancestor(key, spec.within) if spec.within else ""
        groups.setdefault(group or "", []).append(key)
    found: dict[str, Outcome | PolicyError] = {}
    for group, members in sorted(groups.items()):
        bad = frame.unsound_peer(spec.within, group) or next(
            (m for m in members if frame.unusable(m) is not None), None
        )
        if bad is not None:
            for key in members:
                words = {"kind": frame.kind, "record": bad}
                found[key] = fail("incomplete-group", "rank", words, group=group, record=bad)
            continue
        try:
            found.update(_rank_group(spec, frame, group, members))
        except PolicyError as error:
            for key in members:
                found[key] = error.at(record=key)
    return found


def _rank_group(spec: Rank, frame: Frame, group: str, members: list[str]) -> dict[str, Outcome]:
    eligible = []
    for key in members:
        if spec.eligible is None:
            eligible.append(key)
            continue
        verdict = frame.run(spec.eligible, key)
        if not isinstance(verdict, bool):
            raise fail("type-mismatch", "eligible", {"value": repr(verdict)})
        if verdict:
            eligible.append(key)
    criteria = [(spec.by, spec.descending), *spec.ties]
    values = {key: [frame.run(expr, key) for expr, _ in criteria] for key in eligible}
    # The last tie-break: the key in ascending order, as its field types it (keys are
    # held as text, and "10" < "9" as text).
    keys = {key: frame.key_value(key) for key in eligible}

    def order(a: str, b: str) -> int:
        for index, (_, descending) in enumerate(criteria):
            result = _compare(values[a][index], values[b][index])
            if result:
                return -result if descending else result
        return int(keys[a] > keys[b]) - int(keys[a] < keys[b])

    ordered = sorted(eligible, key=functools.cmp_to_key(order))
    size = len(ordered)
    chosen = _chosen(spec, ordered)
    listing = [{"key": k, "by": values[k][0], "rank": i + 1} for i, k in enumerate(ordered)]
    found: dict[str, Outcome] = {}
    for key in members:
        detail: dict[str, Any] = {
            "group": group,
            "within": spec.within,
            "by": spec.by.source,
            "order": "descending" if spec.descending else "ascending",
            "eligible_count": size,
            "ordered": listing,
        }
        if key not in values:
            value = {"eligible": False, "rank": None, "size": size, "selected": False}
        else:
            position = ordered.index(key)
            detail["decided_by"] = _decider(ordered, position, values, criteria)
            value = {
                "eligible": True,
                "rank": position + 1,
                "size": size,
                "selected": key in chosen,
            }
        if spec.side is not None:
            detail["select"] = {
                "side": spec.side,
                "count": len(chosen),
                "min_group": spec.min_group,
            }
        found[key] = Outcome(value, detail)
    return found


def _chosen(spec: Rank, ordered: list[str]) -> set[str]:
    if spec.side is None or spec.count is None or len(ordered) < spec.min_group:
        return set()
    if spec.percent:
        exact = CONTEXT.multiply(spec.count, Decimal(len(ordered))).scaleb(-2)
        wanted = int(exact.to_integral_value(rounding=_ROUNDING[spec.rounding]))
    else:
        wanted = int(spec.count)
    wanted = min(wanted, len(ordered))
    picked = ordered[:wanted] if spec.side == "top" else ordered[len(ordered) - wanted :]
    return set(picked)


def _decider(
    ordered: list[str],
    position: int,
    values: dict[str, list[Any]],
    criteria: list[tuple[Expression, bool]],
) -> str:
    """Which key set this record apart from its neighbours: 'by', a tie-break, or the key."""
    deepest = -1
    key = ordered[position]
    for other in (position - 1, position + 1):
        if not 0 <= other < len(ordered):
            continue
        mine, theirs = values[key], values[ordered[other]]
        index = next((i for i in range(len(criteria)) if _compare(mine[i], theirs[i])), None)
        deepest = max(deepest, len(criteria) if index is None else index)
    if deepest <= 0:
        return criteria[0][0].source
    if deepest >= len(criteria):
        return "the record key"
    return f"tie-break {deepest}: {criteria[deepest][0].source}"


def explain(detail: Mapping[str, Any], said: Saying = ENGLISH) -> list[str]:
    """What the trace says of how this kind reached its value."""
    lines: list[str] = []
    within = detail.get("within")
    group = said("rank-group", within=within, group=detail["group"]) if within else ""
    words = {"by": detail["by"], "order": detail["order"], "eligible": detail["eligible_count"]}
    lines.append(said("rank-ranked", group=group, **words))
    ordered = ", ".join(f"{r['rank']}. {r['key']} ({_show(r['by'])})" for r in detail["ordered"])
    lines.append(said("rank-order", ordered=ordered))
    if detail.get("decided_by"):
        lines.append(said("rank-decided", decided_by=detail["decided_by"]))
    if detail.get("select"):
        sel = detail["select"]
        side = "rank-select-top" if sel["side"] == "top" else "rank-select-bottom"
        lines.append(said(side, count=sel["count"], min_group=sel["min_group"]))
    return lines


KIND = PopulationKind("rank", build, evaluate, explain, amounts=False)
