"""From a read document to a checked, compiled :class:`~policyengine.model.Policy`.

Every problem is collected and reported together: schema violations first
(the parts they touch are skipped so one mistake does not cascade), then
semantic checks — identifiers, unique ids, names that resolve, no cycles,
bands, weights, tables, and embedded tests that name only declared things.

This module runs the steps in order and hands each the results of the ones
before; the steps themselves are :mod:`policyengine.load._build_declarations`
(header, inputs, parameters, key), :mod:`policyengine.load._build_rules` (the
rules, each by its kind), :mod:`policyengine.load._names` (what each name reads),
:mod:`policyengine.load._plan` (the order) and :mod:`policyengine.load._embedded` (the
embedded tests). All of them report to one
:class:`~policyengine.load._build_problems.BuildProblems`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from ..core._numbers import engine_context
from ..errors import InvalidPolicy, PolicyError
from ..model import Field, Parameter, Policy, Read, Rule, frozen_mapping
from ..read import _schema as schema
from ..read._source import Document, read_policy_file
from ..rules import POPULATION
from ..rules.history import reads_only_past
from ._build_declarations import (
    check_key,
    fields_of_kind,
    read_header,
    read_inputs,
    read_parameters,
)
from ._build_problems import BuildProblems
from ._build_rules import Sites, read_rules
from ._embedded import build_tests, check_expected_numbers, check_test_periods
from ._layout import ENTITIES_NAME
from ._names import Scope, resolve_all
from ._plan import order_rules
from ._type_check import check_types

if TYPE_CHECKING:
    from ..facts._record_kinds import Entities


def load_policy(path: str | os.PathLike[str], entities: Entities | None = None) -> Policy:
    """Read, check and compile one policy file; raises InvalidPolicy holding every problem.

    The policy is read in the context of its folder, as ``validate``, ``test``
    and ``run`` read it: without ``entities``, a file at
    ``<folder>/<policy>/<version>.yaml`` takes the record kinds of
    ``<folder>/entities.yaml`` when there is one (:func:`entities_beside`); a
    file with no ``entities.yaml`` above it is read on its own. An explicit
    ``entities`` wins. With record kinds the policy reads the fields of the
    kind it applies to, and names it does not define itself are left for the
    bundle's plan to find among the other policies.
    """
    if entities is None:
        entities = entities_beside(path)
    return build_policy(read_policy_file(path), entities)


def entities_beside(path: str | os.PathLike[str]) -> Entities | None:
    """The record kinds of the policy folder that holds ``path`` (a file at
    ``<folder>/<policy>/<version>.yaml``): ``<folder>/entities.yaml`` read, or
    None when there is none; raises InvalidPolicy when it is unsound."""
    from ..facts._entities_file import load_entities

    beside = Path(path).parent.parent / ENTITIES_NAME
    return load_entities(beside) if beside.is_file() else None


def load_policy_in_place(path: str | os.PathLike[str]) -> Policy:
    """Load a policy file the way its folder would (kept for its callers: it is
    :func:`load_policy` without ``entities``)."""
    return load_policy(path)


def check_policy(path: str | os.PathLike[str]) -> list[PolicyError]:
    """Every problem of one policy file, read in its folder's context as
    :func:`load_policy` reads it, sorted by line; an empty list when it is sound."""
    try:
        load_policy(path)
    except InvalidPolicy as exc:
        return list(exc.problems)
    return []


def build_policy(document: Document, entities: Entities | None = None) -> Policy:
    """The compiled policy; raises InvalidPolicy holding every problem found."""
    problems = BuildProblems(document=document)
    with engine_context():  # percentages, weights and steps: never the caller's arithmetic
        policy = _build(document, entities, problems)
    if problems.found or policy is None:
        raise InvalidPolicy(problems.found, file=document.file)
    return policy


def _build(document: Document, entities: Entities | None, problems: BuildProblems) -> Policy | None:
    _check_shape(document, problems)
    data = document.data
    own_kind = data.get("applies_to") if isinstance(data.get("applies_to"), str) else None
    inputs = read_inputs(problems, data.get("inputs"))
    if entities is not None:
        inputs = fields_of_kind(problems, entities, own_kind, inputs)
    parameters = read_parameters(problems, data.get("parameters"), inputs)
    rules, sites = read_rules(problems, data.get("rules"), inputs, parameters, own_kind, entities)
    scope = _scope(entities, own_kind, inputs, parameters, rules)
    reads, external = resolve_all(scope, sites, problems)
    value_types = check_types(scope, sites, problems)
    rules = {
        rule_id: attrs.evolve(rule, reads_from=_reads_now(rule, reads.get(rule_id, ())))
        for rule_id, rule in rules.items()
    }
    plan = order_rules(rules, problems)
    kind_fields: frozenset[str] = frozenset()
    if entities is not None:
        kind_fields = frozenset(inputs)
        inputs = _fields_read(inputs, sites, own_kind, entities)
    given = _given_by_tests(entities, own_kind, inputs, kind_fields, external, rules)
    tests = build_tests(data.get("tests"), given, rules, problems)
    check_expected_numbers(tests, value_types, problems)
    # Beside entities.yaml the kind names its key; a policy's key: must be a field of it.
    check_key(problems, data.get("key"), inputs if entities is None else dict.fromkeys(kind_fields))
    header = read_header(problems, data)
    if header is not None:
        check_test_periods(tests, header["effective_from"], header["effective_to"], problems)
    if problems.found or header is None:
        return None
    if header["key"] is None and entities is not None and own_kind is not None:
        header["key"] = entities.kinds[own_kind].key  # the kind's key names its records
    return Policy(
        rules=tuple(rules.values()),
        inputs=frozen_mapping(inputs),
        parameters=frozen_mapping(parameters),
        file=document.file,
        sha256=document.sha256,
        raw=document.raw,
        tests=tuple(tests),
        plan=plan,
        external=external,
        kind_fields=kind_fields,
        value_types=frozen_mapping(value_types),
        **header,
    )


def _reads_now(rule: Rule, reads: tuple[Read, ...]) -> tuple[Read, ...]:
    """The reads that order the month's plan: a name a rule reads only from earlier months
    (history, measure: previous) is left out, so an output may read its own past."""
    if not reads_only_past(rule.kind, rule.spec):
        return reads
    return tuple(r for r in reads if r.pointer != rule.pointer + "/of")


def _check_shape(document: Document, problems: BuildProblems) -> None:
    """The reader's own problems, then the schema's; what they touch is marked broken.

    A value the reader already complained about (an impossible date kept as
    text) is not reported twice by the schema.
    """
    problems.found.extend(document.problems)
    seen = {p.location.pointer for p in document.problems}
    violations = [v for v in schema.validate(document) if v.location.pointer not in seen]
    problems.found.extend(violations)
    # A duplicate key keeps its first value, which is still sound to build on.
    degraded = {p.location.pointer or "" for p in document.problems if p.code != "duplicate-key"}
    problems.broken = {v.location.pointer or "" for v in violations} | degraded


def _scope(
    entities: Entities | None,
    own_kind: str | None,
    inputs: Mapping[str, Field],
    parameters: Mapping[str, Parameter],
    rules: Mapping[str, Rule],
) -> Scope:
    """What the policy's expressions may read: fields by kind, parameters, rules, ancestors."""
    fields: dict[str | None, Mapping[str, Field]] = {None: inputs}
    ancestors: dict[str | None, tuple[str, ...]] = {}
    if entities is not None:
        for name, kind in entities.kinds.items():
            fields[name] = kind.fields
            ancestors[name] = entities.ancestors(name)
        if own_kind is not None and own_kind in entities.kinds:
            ancestors[None] = entities.ancestors(own_kind)
    return Scope(own_kind, fields, parameters, rules, ancestors, entities is not None)


def _given_by_tests(
    entities: Entities | None,
    own_kind: str | None,
    inputs: Mapping[str, Field],
    kind_fields: frozenset[str],
    external: tuple[Read, ...],
    rules: Mapping[str, Rule],
) -> dict[str, Any]:
    """The names an embedded test case may give as facts.

    Besides the fields read, a case may stand in for values other policies
    give, and for population rules, which need other records: both are
    given as facts, as are the parent records' values (``team: {…}``).
    """
    ancestors: tuple[str, ...] = ()
    if entities is not None and own_kind is not None and own_kind in entities.kinds:
        ancestors = entities.ancestors(own_kind)
    return {
        **dict.fromkeys(ancestors),  # the parent's values: team: {sales_target: …}
        **dict.fromkeys(kind_fields),
        **inputs,
        **{r.name: None for r in external if r.kind == own_kind},
        **{rule_id: None for rule_id, r in rules.items() if r.kind in POPULATION},
    }


def _fields_read(
    fields: Mapping[str, Field],
    sites: Sites,
    own_kind: str | None,
    entities: Entities,
) -> dict[str, Field]:
    """The fields of the own kind that the policy's expressions read."""
    used = {
        name
        for located in sites.values()
        for _, expr, kind in located
        if kind is None or kind == own_kind
        for name in expr.names
    }
    return {name: f for name, f in fields.items() if name in used}
