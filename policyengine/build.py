"""From a read document to a checked, compiled :class:`~policyengine.model.Policy`.

Every problem is collected and reported together: schema violations first
(the parts they touch are skipped so one mistake does not cascade), then
semantic checks — identifiers, unique ids, names that resolve, no cycles,
bands, weights, tables, and embedded tests that name only declared things.
"""

from __future__ import annotations

import datetime
import keyword
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from . import schema
from .codes import ErrorCode
from .embedded import build_tests, check_test_periods
from .errors import InvalidPolicy, ModelError, PolicyError
from .expressions import Expression
from .facts import field_from_spec
from .functions import FUNCTIONS
from .layout import ENTITIES_NAME
from .model import Field, Parameter, Policy, Rule, frozen_mapping
from .names import Scope, resolve_all
from .numbers import LOOKS_NUMERIC, engine_context, to_decimal
from .plan import order_rules
from .rules import KINDS, POPULATION, RuleContext
from .source import Document, read_policy_file
from .suggest import did_you_mean

if TYPE_CHECKING:
    from .entities import Entities


def load_policy(path: str | os.PathLike[str], entities: Entities | None = None) -> Policy:
    """Read, check and compile one policy file; raises InvalidPolicy holding every problem.

    With ``entities`` (the record kinds of ``entities.yaml``) the policy reads
    the fields of the kind it applies to, and names it does not define itself
    are left for the bundle's plan to find among the other policies.
    """
    return build_policy(read_policy_file(path), entities)


def load_policy_in_place(path: str | os.PathLike[str]) -> Policy:
    """Load a policy file the way its folder would: with the entities.yaml of the
    policy folder (``<folder>/<policy>/<version>.yaml``) when there is one."""
    from .entities import load_entities

    beside = Path(path).parent.parent / ENTITIES_NAME
    entities = load_entities(beside) if beside.is_file() else None
    return load_policy(path, entities)


def check_policy(path: str | os.PathLike[str]) -> list[PolicyError]:
    """Every problem of one policy file, sorted by line; an empty list when it is sound."""
    try:
        load_policy(path)
    except InvalidPolicy as exc:
        return list(exc.problems)
    return []


def build_policy(document: Document, entities: Entities | None = None) -> Policy:
    """The compiled policy; raises InvalidPolicy holding every problem found."""
    builder = _Builder(document, entities)
    with engine_context():  # percentages, weights and steps: never the caller's arithmetic
        policy = builder.build()
    if builder.problems or policy is None:
        raise InvalidPolicy(builder.problems, file=document.file)
    return policy


def is_identifier(name: str) -> bool:
    return name.isidentifier() and not keyword.iskeyword(name)


@attrs.define
class _Builder:
    document: Document
    entities: Entities | None = None
    problems: list[PolicyError] = attrs.field(factory=list)
    #: JSON pointers the schema already complained about; the builder skips them.
    broken: set[str] = attrs.field(factory=set)

    def error(
        self,
        code: ErrorCode,
        message: str,
        pointer: str,
        hint: str | None = None,
        rule_id: str | None = None,
        key: bool = False,
    ) -> None:
        location = self.document.locate(pointer, key=key)
        if rule_id is not None:
            location = attrs.evolve(location, rule_id=rule_id)
        self.problems.append(ModelError(message, code=code, location=location, hint=hint))

    def is_broken(self, pointer: str) -> bool:
        return any(p == pointer or p.startswith(pointer + "/") for p in self.broken)

    def build(self) -> Policy | None:
        # The reader's own problems come first; a value it already complained
        # about (an impossible date kept as text) is not reported twice.
        self.problems.extend(self.document.problems)
        seen = {p.location.pointer for p in self.document.problems}
        violations = [v for v in schema.validate(self.document) if v.location.pointer not in seen]
        self.problems.extend(violations)
        # A duplicate key keeps its first value, which is still sound to build on.
        degraded = {
            p.location.pointer or "" for p in self.document.problems if p.code != "duplicate-key"
        }
        self.broken = {v.location.pointer or "" for v in violations} | degraded
        data = self.document.data

        own_kind = data.get("applies_to") if isinstance(data.get("applies_to"), str) else None
        inputs = self.inputs(data.get("inputs"))
        if self.entities is not None:
            inputs = self.kind_fields(own_kind, inputs)
        parameters = self.parameters(data.get("parameters"), inputs)
        rules, sites = self.rules(data.get("rules"), inputs, parameters, own_kind)
        reads, external = resolve_all(
            self.scope(own_kind, inputs, parameters, rules), sites, self.error
        )
        rules = {
            rule_id: attrs.evolve(rule, reads_from=reads.get(rule_id, ()))
            for rule_id, rule in rules.items()
        }
        plan = order_rules(rules, self.error)
        kind_fields: frozenset[str] = frozenset()
        if self.entities is not None:
            kind_fields = frozenset(inputs)
            inputs = _fields_read(inputs, sites, own_kind, self.entities)
        # A test may stand in for values other policies give, and for population
        # rules, which need other records: both are given as facts.
        ancestors: tuple[str, ...] = ()
        if self.entities is not None and own_kind is not None and own_kind in self.entities.kinds:
            ancestors = self.entities.ancestors(own_kind)
        given = {
            **dict.fromkeys(ancestors),  # the parent's values: team: {sales_target: …}
            **dict.fromkeys(kind_fields),
            **inputs,
            **{r.name: None for r in external if r.kind == own_kind},
            **{rule_id: None for rule_id, r in rules.items() if r.kind in POPULATION},
        }
        tests = build_tests(
            data.get("tests"), given, rules, self.document, self.is_broken, self.error
        )
        # Beside entities.yaml the kind names its key; a policy's key: must be a field of it.
        self.check_key(
            data.get("key"), inputs if self.entities is None else dict.fromkeys(kind_fields)
        )
        header = self.header(data)
        if header is not None:
            check_test_periods(tests, header["effective_from"], header["effective_to"], self.error)
        if self.problems or header is None:
            return None
        return Policy(
            rules=tuple(rules.values()),
            inputs=frozen_mapping(inputs),
            parameters=frozen_mapping(parameters),
            file=self.document.file,
            sha256=self.document.sha256,
            raw=self.document.raw,
            tests=tuple(tests),
            plan=plan,
            external=external,
            kind_fields=kind_fields,
            **header,
        )

    def scope(
        self,
        own_kind: str | None,
        inputs: Mapping[str, Field],
        parameters: Mapping[str, Parameter],
        rules: Mapping[str, Rule],
    ) -> Scope:
        fields: dict[str | None, Mapping[str, Field]] = {None: inputs}
        ancestors: dict[str | None, tuple[str, ...]] = {}
        if self.entities is not None:
            for name, kind in self.entities.kinds.items():
                fields[name] = kind.fields
                ancestors[name] = self.entities.ancestors(name)
            if own_kind is not None and own_kind in self.entities.kinds:
                ancestors[None] = self.entities.ancestors(own_kind)
        return Scope(own_kind, fields, parameters, rules, ancestors, self.entities is not None)

    def kind_fields(self, own_kind: str | None, declared: dict[str, Field]) -> dict[str, Field]:
        """Beside entities.yaml the fields come from the kind; declared inputs must agree."""
        assert self.entities is not None
        kind = self.entities.kinds.get(own_kind) if own_kind else None
        if kind is None:
            self.error(
                "unknown-kind",
                f"applies_to names '{own_kind}', which entities.yaml does not declare"
                if own_kind
                else "a policy beside entities.yaml must say which kind it applies to",
                "/applies_to",
                did_you_mean(own_kind or "", self.entities.kinds)
                or "kinds: " + ", ".join(self.entities.kinds),
            )
            return declared
        for name, field in declared.items():
            known = kind.fields.get(name)
            if known is None or (known.type, known.values, known.item_type) != (
                field.type,
                field.values,
                field.item_type,
            ):
                self.error(
                    "input-differs-from-entities",
                    f"input '{name}' does not match the {kind.name} field in entities.yaml",
                    f"/inputs/{_escape(name)}",
                    f"entities.yaml declares it as {known.type}"
                    if known
                    else did_you_mean(name, kind.fields)
                    or "remove it: entities.yaml declares fields",
                    key=True,
                )
        return dict(kind.fields)

    def header(self, data: Mapping[str, Any]) -> dict[str, Any] | None:
        required = ("format", "policy", "version", "effective_from", "title")
        if any(name not in data or self.is_broken("/" + name) for name in required):
            return None  # the schema has said what is wrong
        start = _date(data.get("effective_from"))
        end = _date(data.get("effective_to")) if "effective_to" in data else None
        if start is None:
            return None
        if end is not None and end <= start:
            self.error(
                "empty-effective-range",
                f"effective_to {end} is not after effective_from {start}",
                "/effective_to",
                "effective_to is the first day the version is no longer in force",
            )
            return None
        return {
            "id": str(data["policy"]),
            "version": str(data["version"]),
            "format": data["format"],
            "effective_from": start,
            "effective_to": end,
            "title": _text(data["title"]),
            "description": _text(data.get("description")),
            "source": _text(data.get("source")),
            "applies_to": data.get("applies_to"),
            "key": data.get("key"),
            "corrects": _text(data.get("corrects")),
        }

    def identifier(self, name: str, pointer: str, what: str, rule_id: str | None = None) -> bool:
        if is_identifier(name):
            return True
        self.error(
            "invalid-identifier",
            f"{what} '{name}' cannot be used as a name in expressions",
            pointer,
            "use letters (Chinese is fine), digits and '_', not starting with a digit",
            rule_id=rule_id,
            key=True,
        )
        return False

    def inputs(self, raw: Any) -> dict[str, Field]:
        fields: dict[str, Field] = {}
        if not isinstance(raw, Mapping):
            return fields
        for name, spec in raw.items():
            pointer = f"/inputs/{_escape(name)}"
            if not self.identifier(name, pointer, "input field") or self.is_broken(pointer):
                continue
            if name in FUNCTIONS or name == "period":
                self.error(
                    "name-clash",
                    f"input field '{name}' has the name of a built-in",
                    pointer,
                    "rename it; expressions would read the built-in",
                    key=True,
                )
                continue
            try:
                fields[name] = field_from_spec(name, spec)
            except ModelError as exc:
                self.error(exc.code, exc.message, pointer + str(exc.details["at"]), exc.hint)
        return fields

    def parameters(self, raw: Any, inputs: Mapping[str, Field]) -> dict[str, Parameter]:
        found: dict[str, Parameter] = {}
        if not isinstance(raw, Mapping):
            return found
        for name, spec in raw.items():
            pointer = f"/parameters/{_escape(name)}"
            if not self.identifier(name, pointer, "parameter") or self.is_broken(pointer):
                continue
            if name in inputs:
                self.error(
                    "name-clash",
                    f"'{name}' is both an input field and a parameter",
                    pointer,
                    key=True,
                )
                continue
            if name in FUNCTIONS or name == "period":
                self.error(
                    "name-clash",
                    f"parameter '{name}' has the name of a built-in",
                    pointer,
                    "rename it; expressions would read the built-in",
                    key=True,
                )
                continue
            meta = spec if isinstance(spec, Mapping) else {"value": spec}
            value = _parameter_value(meta["value"])
            if isinstance(value, str) and LOOKS_NUMERIC.match(value):
                self.error(
                    "not-a-number",
                    f"parameter '{name}' is '{value}', which is not a number this engine reads",
                    pointer + "/value" if isinstance(spec, Mapping) else pointer,
                    "write plain digits such as 1000 or 0.035, or a percentage such as 3.5%",
                )
                continue
            found[name] = Parameter(
                name,
                value,
                meta.get("title"),
                meta.get("unit"),
                meta.get("source"),
                bool(meta.get("default", False)),
            )
        return found

    def rules(
        self,
        raw: Any,
        inputs: Mapping[str, Field],
        parameters: Mapping[str, Parameter],
        own_kind: str | None,
    ) -> tuple[dict[str, Rule], dict[str, list[tuple[str, Expression, str | None]]]]:
        rules: dict[str, Rule] = {}
        sites: dict[str, list[tuple[str, Expression, str | None]]] = {}
        if not isinstance(raw, list):
            return rules, sites
        first_line: dict[str, int | None] = {}
        for index, item in enumerate(raw):
            pointer = f"/rules/{index}"
            if not isinstance(item, Mapping) or not isinstance(item.get("id"), str):
                continue
            rule_id = item["id"]
            if rule_id in first_line:
                self.error(
                    "duplicate-rule-id",
                    f"rule id '{rule_id}' is used twice (first at line {first_line[rule_id]})",
                    pointer + "/id",
                    rule_id=rule_id,
                )
                continue
            first_line[rule_id] = self.document.locate(pointer).line
            if not self.identifier(rule_id, pointer + "/id", "rule id", rule_id):
                continue
            if rule_id in inputs or rule_id in parameters or rule_id == "period":
                what = (
                    "an input field"
                    if rule_id in inputs
                    else ("a parameter" if rule_id in parameters else "the built-in 'period'")
                )
                self.error(
                    "name-clash",
                    f"rule id '{rule_id}' is also {what}",
                    pointer + "/id",
                    rule_id=rule_id,
                )
                continue
            if rule_id in FUNCTIONS:
                self.error(
                    "name-clash",
                    f"rule id '{rule_id}' is also a function name",
                    pointer + "/id",
                    rule_id=rule_id,
                )
                continue
            kind_name = str(item.get("kind"))
            builder = KINDS.get(kind_name) or POPULATION.get(kind_name)
            if self.is_broken(pointer) or builder is None:
                # Still a known name, so readers of it do not cascade into errors.
                rules[rule_id] = Rule(rule_id, str(item.get("kind")), None, pointer)
                continue
            ctx = RuleContext(
                item,
                pointer,
                rule_id,
                self.document,
                self.problems,
                entities=self.entities,
                own_kind=own_kind,
            )
            built = builder.build(ctx)
            sites[rule_id] = list(ctx.sites)
            rules[rule_id] = Rule(
                id=rule_id,
                kind=item["kind"],
                spec=built.spec if built else None,
                pointer=pointer,
                line=first_line[rule_id],
                title=_text(item.get("title")),
                description=_text(item.get("description")),
                source=_text(item.get("source")),
                outputs=built.outputs if built else (),
                expressions=tuple(e for _, e, _ in ctx.sites),
            )
        return rules, sites

    def check_key(self, key: Any, inputs: Mapping[str, Any]) -> None:
        if isinstance(key, str) and key not in inputs:
            self.error(
                "unknown-name",
                f"key '{key}' is not an input field",
                "/key",
                did_you_mean(key, inputs),
            )


def _fields_read(
    fields: Mapping[str, Field],
    sites: Mapping[str, list[tuple[str, Expression, str | None]]],
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


def _escape(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _date(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _parameter_value(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    try:
        return to_decimal(value)
    except ValueError:
        return value
