"""A policy's ``rules:`` list built rule by rule, each by the module of its kind.

Here a rule's id is checked (unique, usable in expressions, clashing with no
input, parameter, function or ``period``); what the rule says is checked and
compiled by its kind (:mod:`policyengine.rules`). A rule whose id is sound
but whose body is broken is still kept, without a spec, so that the rules
reading it do not cascade into unknown-name errors.

Each built rule also gives its *sites*: every expression it holds, with the
pointer it was written at and the kind of record it reads, for name
resolution (:mod:`policyengine.load._names`) to check.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..language._expressions import Expression
from ..language._functions import FUNCTIONS
from ..model import Field, Parameter, Rule
from ..rules import KINDS, POPULATION, Built, RuleContext
from ._build_problems import BuildProblems, plain_text

if TYPE_CHECKING:
    from ..facts._record_kinds import Entities

#: Rule id -> every expression of the rule: its pointer, the expression, the kind it reads.
Sites = dict[str, list[tuple[str, Expression, str | None]]]


def read_rules(
    problems: BuildProblems,
    raw: Any,
    inputs: Mapping[str, Field],
    parameters: Mapping[str, Parameter],
    own_kind: str | None,
    entities: Entities | None,
) -> tuple[dict[str, Rule], Sites]:
    """Every rule of the list with a usable id, by id, in written order, and their sites."""
    rules: dict[str, Rule] = {}
    sites: Sites = {}
    if not isinstance(raw, list):
        return rules, sites
    first_line: dict[str, int | None] = {}
    for index, item in enumerate(raw):
        pointer = f"/rules/{index}"
        if not isinstance(item, Mapping) or not isinstance(item.get("id"), str):
            continue
        rule_id = item["id"]
        if rule_id in first_line:
            first = first_line[rule_id]
            problems.add("duplicate-rule-id", pointer + "/id", rule_id=rule_id, first_line=first)
            continue
        first_line[rule_id] = problems.document.locate(pointer).line
        if not _usable_rule_id(problems, rule_id, pointer, inputs, parameters):
            continue
        kind_name = str(item.get("kind"))
        builder = KINDS.get(kind_name) or POPULATION.get(kind_name)
        if problems.is_broken(pointer) or builder is None:
            # Still a known name, so readers of it do not cascade into errors.
            rules[rule_id] = Rule(rule_id, str(item.get("kind")), None, pointer)
            continue
        ctx = RuleContext(
            item,
            pointer,
            rule_id,
            problems.document,
            problems.found,
            entities=entities,
            own_kind=own_kind,
        )
        built = builder.build(ctx)
        sites[rule_id] = list(ctx.sites)
        rules[rule_id] = _rule(item, pointer, first_line[rule_id], ctx, built)
    return rules, sites


def _usable_rule_id(
    problems: BuildProblems,
    rule_id: str,
    pointer: str,
    inputs: Mapping[str, Field],
    parameters: Mapping[str, Parameter],
) -> bool:
    """Whether a rule may be called ``rule_id``; if not, the problem is reported."""
    if not problems.identifier(rule_id, pointer + "/id", "rule", rule_id):
        return False
    clash = _clash(rule_id, inputs, parameters)
    if clash is not None:
        problems.add("name-clash", pointer + "/id", form=clash, rule_id=rule_id)
        return False
    return True


def _clash(
    rule_id: str, inputs: Mapping[str, Field], parameters: Mapping[str, Parameter]
) -> str | None:
    """The form of the name clash a rule id makes (what else it names), or None."""
    if rule_id in inputs:
        return "rule-input"
    if rule_id in parameters:
        return "rule-parameter"
    if rule_id == "period":
        return "rule-period"
    if rule_id in FUNCTIONS:
        return "rule-function"
    return None


def _rule(
    item: Mapping[str, Any], pointer: str, line: int | None, ctx: RuleContext, built: Built | None
) -> Rule:
    """The model's rule for ``item``, which its kind built (``built``: None if it could not)."""
    return Rule(
        id=ctx.rule_id,
        kind=item["kind"],
        spec=built.spec if built else None,
        pointer=pointer,
        line=line,
        title=plain_text(item.get("title")),
        description=plain_text(item.get("description")),
        source=plain_text(item.get("source")),
        outputs=built.outputs if built else (),
        expressions=tuple(e for _, e, _ in ctx.sites),
    )
