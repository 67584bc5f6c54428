"""``checks``: named assertions; the ones that fail are violations.

A check with ``when`` applies only where ``when`` holds. The rule gives three
named outputs: ``violations`` (the failed checks' ids, in declared order),
``count`` and ``points`` (their total).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs

from ..core._text_templates import ENGLISH, Saying
from ..language._expressions import Expression
from ..language._fused_source import GIVE_UP, FusedSource
from ..language._value_kinds import fail
from ..model import frozen_mapping
from .base import Built, CodeOf, Detail, Emitted, RuleCode, RuleContext, RuleKind

DEFAULT_SEVERITY = "minor"


@attrs.frozen
class Check:
    id: str
    condition: Expression
    points: Decimal
    when: Expression | None = None
    severity: str = DEFAULT_SEVERITY
    title: str | None = None
    message: str | None = None
    source: str | None = None


@attrs.frozen
class Checks:
    checks: tuple[Check, ...]


def build(ctx: RuleContext) -> Built | None:
    checks: list[Check] = []
    ok = ctx.unique("checks", "id", "duplicate-check")
    for index, item in enumerate(ctx.raw["checks"]):
        at = f"/checks/{index}"
        check_id = str(item["id"])
        condition = ctx.expr(at + "/assert", item["assert"])
        when = ctx.expr(at + "/when", item["when"]) if "when" in item else None
        points = ctx.number(at + "/points", item["points"])
        if condition is None or points is None or ("when" in item and when is None):
            ok = False
            continue
        checks.append(
            Check(
                check_id,
                condition,
                points,
                when,
                item.get("severity", DEFAULT_SEVERITY),
                item.get("title"),
                item.get("message"),
                item.get("source"),
            )
        )
    if not ok:
        return None
    return Built(Checks(tuple(checks)), ("violations", "count", "points"))


def _truth(value: Any, check: Check, what: str) -> bool:
    if not isinstance(value, bool):
        form = "check-when" if what == "'when'" else "check-assert"
        raise fail("type-mismatch", form, {"check": check.id, "value": repr(value)})
    return value


#: The value of a record that passes every check: read-only, so shared.
_CLEAN = frozen_mapping({"violations": (), "count": 0, "points": Decimal(0)})


def compile_rule(spec: Checks, code_of: CodeOf) -> RuleCode:
    checks = [
        (c, code_of(c.when) if c.when is not None else None, code_of(c.condition))
        for c in spec.checks
    ]

    def value_of(env: Any, detail: Detail = None) -> Any:
        failed: list[Check] = []
        skipped: list[str] = []
        for check, when, condition in checks:
            if when is not None:
                applies = when(env)
                if applies is not True and not _truth(applies, check, "'when'"):
                    skipped.append(check.id)
                    continue
            holds = condition(env)
            if holds is not True and not _truth(holds, check, "'assert'"):
                failed.append(check)
        if not failed:  # most records pass every check
            value = _CLEAN
        else:
            points = sum((c.points for c in failed), Decimal(0))
            value = frozen_mapping(
                {"violations": tuple(c.id for c in failed), "count": len(failed), "points": points}
            )
        if detail is not None:
            detail.update(_detail(spec, failed, skipped))
        return value

    return value_of


def _detail(spec: Checks, failed: list[Check], skipped: list[str]) -> dict[str, Any]:
    return {
        "violations": [
            {
                "id": c.id,
                "title": c.title,
                "assert": c.condition.source,
                "points": c.points,
                "severity": c.severity,
                "message": c.message,
                "source": c.source,
            }
            for c in failed
        ],
        "passed": [c.id for c in spec.checks if c not in failed and c.id not in skipped],
        "not_applicable": skipped,
    }


def explain(detail: Mapping[str, Any], said: Saying = ENGLISH) -> list[str]:
    """What the trace says of how this kind reached its value."""
    lines: list[str] = []
    for v in detail["violations"]:
        label = f" «{v['title']}»" if v.get("title") else ""
        src = f" [{v['source']}]" if v.get("source") else ""
        msg = f": {v['message']}" if v.get("message") else ""
        words = {"id": v["id"], "severity": v["severity"], "points": v["points"]}
        lines.append(said("checks-violated", title=label, message=msg, source=src, **words))
    if detail["passed"]:
        lines.append(said("checks-passed", names=", ".join(detail["passed"])))
    if detail["not_applicable"]:
        lines.append(said("checks-not-applicable", names=", ".join(detail["not_applicable"])))
    return lines


def emit(spec: Checks, source: FusedSource, target: str) -> Emitted:
    """Each check inline, its outcome a yes/no local (a check that does not apply passes);
    the value is the shared clean one when all pass, else built from the outcomes as
    ``compile_rule`` builds it. A ``when`` or ``assert`` that is neither yes nor no gives up."""
    lines: list[str] = []
    passes: list[str] = []
    for check in spec.checks:
        passed = source.local()
        passes.append(passed)
        holds = [f"{passed} = {source.value(check.condition)}"]
        if source.kind(check.condition) != "bool":  # a yes/no, or give up
            holds.append(f"if {passed} is not True and {passed} is not False: {GIVE_UP}")
        if check.when is None:
            lines += holds
            continue
        test, not_yes_no = source.condition(check.when, source.local())
        lines += [f"{passed} = True", f"if {test}:", *(f"    {line}" for line in holds)]
        if not_yes_no is not None:
            lines += [f"elif {not_yes_no}:", f"    {GIVE_UP}"]
    clean = source.constant(_CLEAN)
    if not passes:
        lines = [f"{target} = {clean}"]
    elif len(passes) <= _TABULATED:
        # Few checks: every combination's value made once; bit i set is check i passed.
        index = " | ".join(f"{passed} << {i}" for i, passed in enumerate(passes))
        lines += [f"{target} = {source.constant(_every_value(spec))}[{index}]"]
    else:
        failed = (
            f"{source.constant(_failed_value)}({source.constant(spec)}, ({', '.join(passes)},))"
        )
        lines += [f"{target} = {clean} if {' and '.join(passes)} else {failed}"]
    # Points at or above zero (no -0 among them) add up from 0 to no negative zero.
    unsigned = not any(Decimal(c.points).is_signed() for c in spec.checks)
    return Emitted(
        tuple(lines), parts=_PART_KINDS, mapping=True, part_types=_PART_TYPES, unsigned=unsigned
    )


#: The kinds and exact types of the named outputs every checks rule gives.
_PART_KINDS = {"count": "number", "points": "number"}
_PART_TYPES = {"count": int, "points": Decimal}
#: Up to this many checks, the value of each combination of outcomes is made at load.
_TABULATED = 6


def _failed_value(spec: Checks, passed: tuple[bool, ...]) -> Any:
    """The value of a record from each check's outcome, in order, as ``compile_rule``
    gives it (the shared clean value when all pass)."""
    failed = [c for c, ok in zip(spec.checks, passed, strict=True) if not ok]
    if not failed:
        return _CLEAN
    points = sum((c.points for c in failed), Decimal(0))
    return frozen_mapping(
        {"violations": tuple(c.id for c in failed), "count": len(failed), "points": points}
    )


def _every_value(spec: Checks) -> tuple[Any, ...]:
    """The value for each combination of outcomes, indexed by the bits of the checks passed."""
    count = len(spec.checks)
    return tuple(
        _failed_value(spec, tuple(bool(bits >> i & 1) for i in range(count)))
        for bits in range(1 << count)
    )


KIND = RuleKind("checks", build, compile_rule, explain, emit)
