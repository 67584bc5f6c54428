"""Schema validation: every way a document can have the wrong shape, at once.

The schema (``schemas/policy.schema.json``, draft 2020-12) is also what an
editor uses to complete and check a policy file. This module runs it over the
data the reader produced and turns each jsonschema error into a
:class:`SchemaViolation` an HR person can act on: located at the line, naming
the rule, with "did you mean" for unknown keys and kinds.

A rule is discriminated on ``kind`` (``if``/``then`` in the schema), so a bad
rule gives one precise message rather than a dump of every branch.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any, Protocol

import attrs
import jsonschema
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from ..codes import ErrorCode
from ..core._suggest import did_you_mean
from ..errors import SchemaViolation
from ._source import Document
from ._source_map import pointer_part

SCHEMA_RESOURCE = "policy.schema.json"


@cache
def policy_schema() -> Mapping[str, Any]:
    """The policy schema shipped inside the package."""
    text = resources.files("policyengine").joinpath("schemas", SCHEMA_RESOURCE).read_text("utf-8")
    schema: Mapping[str, Any] = json.loads(text)
    return schema


def _is_string(checker: Any, instance: Any) -> bool:
    # The reader turns unquoted YYYY-MM-DD into a date; where the schema
    # wants text, a date written out is still fine text.
    return isinstance(instance, str | datetime.date)


def _is_date(instance: object) -> bool:
    if isinstance(instance, datetime.date):
        return True
    if isinstance(instance, str):
        try:
            datetime.date.fromisoformat(instance)
        except ValueError:
            return False
        return len(instance) == 10
    return True


def _as_text(keyword: Any) -> Any:
    """A text keyword (length, pattern) that reads a date as the text it was written as:
    the type check above lets dates through as text, so these must take them too."""

    def check(validator: Any, value: Any, instance: Any, schema: Any) -> Any:
        if isinstance(instance, datetime.date):
            instance = instance.isoformat()
        return keyword(validator, value, instance, schema)

    return check


_TYPES = Draft202012Validator.TYPE_CHECKER.redefine("string", _is_string)
_FORMATS = jsonschema.FormatChecker(formats=())
_FORMATS.checks("date")(_is_date)
_TEXT_KEYWORDS = {
    name: _as_text(Draft202012Validator.VALIDATORS[name])
    for name in ("minLength", "maxLength", "pattern")
}
_Validator = jsonschema.validators.extend(
    Draft202012Validator, validators=_TEXT_KEYWORDS, type_checker=_TYPES
)


@cache
def _validator() -> Any:
    return _Validator(policy_schema(), format_checker=_FORMATS)


def validate(document: Document) -> list[SchemaViolation]:
    """Every schema violation in the document, sorted by line."""
    problems = [
        problem
        for error in _validator().iter_errors(document.data)
        for problem in _translate(error, document)
    ]
    problems.sort(key=lambda p: p.location.sort_key())
    return problems


def _pointer(path: Sequence[Any]) -> str:
    return "".join("/" + pointer_part(str(part)) for part in path)


def _rule_id(data: Mapping[str, Any], path: Sequence[Any]) -> str | None:
    if len(path) >= 2 and path[0] == "rules" and isinstance(path[1], int):
        rules = data.get("rules")
        if isinstance(rules, list) and path[1] < len(rules):
            rule = rules[path[1]]
            if isinstance(rule, Mapping) and isinstance(rule.get("id"), str):
                return str(rule["id"])
    return None


_TYPE_NAMES = {
    "string": "text",
    "number": "a number",
    "integer": "a whole number",
    "boolean": "true or false",
    "object": "a mapping (key: value lines)",
    "array": "a list (lines starting with '-')",
    "null": "nothing",
}


def _describe(value: Any) -> str:
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, bool):
        return f"the yes/no value {str(value).lower()}"
    if isinstance(value, int | Decimal):
        return f"the number {value}"
    if isinstance(value, datetime.date):
        return f"the date {value.isoformat()}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "…"
        return f"the text '{shown}'"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def _wanted(schema_type: Any) -> str:
    types = schema_type if isinstance(schema_type, list) else [schema_type]
    return " or ".join(_TYPE_NAMES.get(str(t), str(t)) for t in types)


def _number_hint(value: Any) -> str | None:
    if isinstance(value, str):
        text = value.strip()
        if text.replace("_", "").isdigit() and ("_" in text or text.startswith("0")):
            return "write plain digits without leading zeros or '_' (e.g. 1000)"
        if "," in text or "，" in text:
            return "write the number without thousands separators (e.g. 80000)"
        if text.endswith("％"):
            return "use the ASCII percent sign '%'"
    return None


class _Make(Protocol):
    """Builds one violation of the error being translated, located and naming its rule."""

    def __call__(
        self,
        code: ErrorCode,
        message: str,
        hint: str | None = None,
        at: str | None = None,
        key: bool = False,
    ) -> SchemaViolation: ...


def _translate(error: ValidationError, document: Document) -> Iterator[SchemaViolation]:
    """The violations one jsonschema error stands for, in words the file's author acts on."""
    path = list(error.absolute_path)
    rule_id = _rule_id(document.data, path)
    where = document.locate(_pointer(path))

    def make(
        code: ErrorCode,
        message: str,
        hint: str | None = None,
        at: str | None = None,
        key: bool = False,
    ) -> SchemaViolation:
        loc = document.locate(at, key=key) if at is not None else where
        if rule_id is not None:
            loc = attrs.evolve(loc, rule_id=rule_id)
        return SchemaViolation(message, code=code, location=loc, hint=hint)

    explain = _EXPLAIN.get(str(error.validator), _other)
    yield from explain(error, path, document, make)


# --- one explanation per JSON Schema keyword ----------------------------------------
# Each takes the error, its path in the data, the document and the error's ``make``.


def _unknown_keys(
    error: ValidationError, path: list[Any], document: Document, make: _Make
) -> Iterator[SchemaViolation]:
    value = error.instance
    allowed = list(error.schema.get("properties", {}))
    for key in sorted(set(value) - set(allowed)) if isinstance(value, Mapping) else []:
        hint = did_you_mean(key, allowed) or (
            "allowed here: " + ", ".join(allowed) if allowed else None
        )
        yield make("unknown-key", f"unknown key '{key}'", hint, at=_pointer([*path, key]), key=True)


def _missing_keys(
    error: ValidationError, path: list[Any], document: Document, make: _Make
) -> Iterator[SchemaViolation]:
    missing = [name for name in error.validator_value if name not in error.instance]
    for name in missing:
        yield make("missing-key", f"missing required key '{name}'", at=_pointer(path) or "")


def _wrong_type(
    error: ValidationError, path: list[Any], document: Document, make: _Make
) -> Iterator[SchemaViolation]:
    value = error.instance
    wanted = _wanted(error.validator_value)
    hint = _number_hint(value) if "number" in str(error.validator_value) else None
    if hint is None and error.validator_value == "string" and isinstance(value, int | Decimal):
        hint = "put it in quotes to keep it as text"
    yield make("wrong-type", f"expected {wanted}, found {_describe(value)}", hint)


def _not_an_option(
    error: ValidationError, path: list[Any], document: Document, make: _Make
) -> Iterator[SchemaViolation]:
    value = error.instance
    options = [str(v) for v in error.validator_value]
    hint = (did_you_mean(str(value), options) if isinstance(value, str) else None) or (
        "one of: " + ", ".join(options)
    )
    if path[-1:] == ["kind"] and path[:1] == ["rules"]:
        yield make("unknown-rule-kind", f"unknown rule kind '{value}'", hint)
    else:
        yield make("not-allowed", f"{_describe(value)} is not allowed here", hint)


def _not_the_constant(
    error: ValidationError, path: list[Any], document: Document, make: _Make
) -> Iterator[SchemaViolation]:
    yield make(
        "not-allowed", f"expected {error.validator_value!r}, found {_describe(error.instance)}"
    )


def _no_shape_fits(
    error: ValidationError, path: list[Any], document: Document, make: _Make
) -> Iterator[SchemaViolation]:
    value = error.instance
    if _is_number_schema(error.schema):
        hint = _number_hint(value) or "write a number such as 80000 or a percentage such as 3.5%"
        yield make(
            "wrong-type", f"expected a number or a percentage, found {_describe(value)}", hint
        )
    else:
        yield from _best_branch(error, document, make)


def _not_a_date(
    error: ValidationError, path: list[Any], document: Document, make: _Make
) -> Iterator[SchemaViolation]:
    yield make(
        "invalid-date",
        f"expected a date written YYYY-MM-DD, found {_describe(error.instance)}",
        "e.g. 2026-01-01",
    )


def _empty(
    error: ValidationError, path: list[Any], document: Document, make: _Make
) -> Iterator[SchemaViolation]:
    yield make("empty", f"must not be empty, found {_describe(error.instance)}")


def _too_long(
    error: ValidationError, path: list[Any], document: Document, make: _Make
) -> Iterator[SchemaViolation]:
    yield make("too-long", f"longer than {error.validator_value} characters")


def _bad_form(
    error: ValidationError, path: list[Any], document: Document, make: _Make
) -> Iterator[SchemaViolation]:
    yield make(
        "bad-format",
        f"{_describe(error.instance)} does not have the expected form",
        _PATTERN_HINTS.get(str(path[-1]) if path else ""),
    )


def _other(
    error: ValidationError, path: list[Any], document: Document, make: _Make
) -> Iterator[SchemaViolation]:
    yield make("schema-violation", error.message)


_Explain = Callable[[ValidationError, list[Any], Document, _Make], Iterator[SchemaViolation]]
#: JSON Schema keyword that failed -> how the violation is put to the policy's author.
_EXPLAIN: Mapping[str, _Explain] = {
    "additionalProperties": _unknown_keys,
    "required": _missing_keys,
    "type": _wrong_type,
    "enum": _not_an_option,
    "const": _not_the_constant,
    "anyOf": _no_shape_fits,
    "format": _not_a_date,
    "minItems": _empty,
    "minProperties": _empty,
    "minLength": _empty,
    "maxLength": _too_long,
    "pattern": _bad_form,
}


_PATTERN_HINTS = {
    "policy": "no spaces or slashes",
    "version": 'no spaces or slashes, e.g. "2026-01"',
    "period": 'a month written YYYY-MM in quotes, e.g. "2026-03"',
}


def _is_number_schema(schema: Mapping[str, Any]) -> bool:
    return str(schema.get("description", "")).startswith("A number, or a percentage")


def _best_branch(
    error: ValidationError, document: Document, make: _Make
) -> Iterator[SchemaViolation]:
    """For a value that may take several shapes, explain it against the shape it tried to be."""
    value = error.instance
    branches = error.context or []
    # A mapping was meant to be the mapping form; anything else the short form.
    if isinstance(value, Mapping):
        chosen = [e for e in branches if e.validator != "type" and e.relative_schema_path[0] == 1]
        if not chosen:
            chosen = [e for e in branches if e.relative_schema_path[0] == 1]
    else:
        chosen = [e for e in branches if e.relative_schema_path[0] == 0]
    if not chosen:
        yield make("schema-violation", error.message)
        return
    for sub in chosen:
        yield from _translate(sub, document)
