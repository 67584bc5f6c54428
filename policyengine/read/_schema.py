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
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any

import attrs
import jsonschema
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from ..codes import ErrorCode
from ..core._period import iso_day
from ..core._problems import Problems
from ..core._suggest import did_you_mean
from ..errors import PolicyError, SchemaViolation
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
            iso_day(instance)
        except ValueError:
            return False
        return True
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


def validate(document: Document) -> list[PolicyError]:
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


#: What a value of a number schema (a number, or a percentage written as text) must be.
_NUMBER = "a number or a percentage"


def _wanted(schema_type: Any) -> str:
    types = schema_type if isinstance(schema_type, list) else [schema_type]
    return " or ".join(_TYPE_NAMES.get(str(t), str(t)) for t in types)


def _number_form(value: Any) -> str | None:
    """The form of ``wrong-type`` whose hint fits text that was meant as a number."""
    if isinstance(value, str):
        text = value.strip()
        if text.replace("_", "").isdigit() and ("_" in text or text.startswith("0")):
            return "digits"
        if "," in text or "，" in text:
            return "separators"
        if text.endswith("％"):
            return "percent-sign"
    return None


@attrs.define
class _Violations(Problems):
    """The violations one jsonschema error stands for: where it points, naming its rule."""

    document: Document = attrs.field(kw_only=True)
    error_class: type[PolicyError] = SchemaViolation
    #: The pointer of the value the error is about: where a violation is unless told.
    pointer: str = ""
    rule_id: str | None = None

    def say(
        self,
        code: ErrorCode,
        *,
        form: str = "",
        hint: str | None = None,
        at: str | None = None,
        at_key: bool = False,
        **details: Any,
    ) -> None:
        """Report ``code`` at the error's value (or at ``at``), naming its rule if any."""
        where = self.pointer if at is None else at
        self.add(code, where, form=form, hint=hint, at_key=at_key, rule_id=self.rule_id, **details)


def _translate(error: ValidationError, document: Document) -> list[PolicyError]:
    """The violations one jsonschema error stands for, in words the file's author acts on."""
    path = list(error.absolute_path)
    found = _Violations(
        document=document, pointer=_pointer(path), rule_id=_rule_id(document.data, path)
    )
    explain = _EXPLAIN.get(str(error.validator), _other)
    explain(error, path, found)
    return found.found


# --- one explanation per JSON Schema keyword ----------------------------------------
# Each takes the error, its path in the data and the violations it reports to.


def _unknown_keys(error: ValidationError, path: list[Any], found: _Violations) -> None:
    value = error.instance
    allowed = list(error.schema.get("properties", {}))
    for key in sorted(set(value) - set(allowed)) if isinstance(value, Mapping) else []:
        at = _pointer([*path, key])
        hint = did_you_mean(key, allowed)
        if allowed:
            found.say(
                "unknown-key", hint=hint, at=at, at_key=True, key=key, allowed=", ".join(allowed)
            )
        else:
            found.say("unknown-key", form="none-allowed", hint=hint, at=at, at_key=True, key=key)


def _missing_keys(error: ValidationError, path: list[Any], found: _Violations) -> None:
    misspelt = _misspelt(error)
    for name in [name for name in error.validator_value if name not in error.instance]:
        if did_you_mean(name, misspelt) is None:
            found.say("missing-key", key=name)


def _misspelt(error: ValidationError) -> list[str]:
    """The keys of the mapping that its schema refuses as unknown: when one is close to a
    required key that is missing (``valeu:`` for ``value:``), the unknown key's problem
    names it ("did you mean 'value'?") and the missing one is not said again."""
    if error.schema.get("additionalProperties") is not False:
        return []
    known = error.schema.get("properties", {})
    return [key for key in error.instance if isinstance(key, str) and key not in known]


def _wrong_type(error: ValidationError, path: list[Any], found: _Violations) -> None:
    value = error.instance
    form = _number_form(value) if "number" in str(error.validator_value) else None
    if form is None and error.validator_value == "string" and isinstance(value, int | Decimal):
        form = "text"
    wanted = _wanted(error.validator_value)
    found.say("wrong-type", form=form or "", wanted=wanted, found=_describe(value))


def _not_an_option(error: ValidationError, path: list[Any], found: _Violations) -> None:
    value = error.instance
    options = [str(v) for v in error.validator_value]
    hint = did_you_mean(value, options) if isinstance(value, str) else None
    listed = ", ".join(options)
    if path[-1:] == ["kind"] and path[:1] == ["rules"]:
        found.say("unknown-rule-kind", hint=hint, kind=value, options=listed)
    else:
        found.say("not-allowed", hint=hint, found=_describe(value), options=listed)


def _not_the_constant(error: ValidationError, path: list[Any], found: _Violations) -> None:
    expected = repr(error.validator_value)
    found.say("not-allowed", form="constant", expected=expected, found=_describe(error.instance))


def _no_shape_fits(error: ValidationError, path: list[Any], found: _Violations) -> None:
    value = error.instance
    if _is_number_schema(error.schema):
        form = _number_form(value) or "number"
        found.say("wrong-type", form=form, wanted=_NUMBER, found=_describe(value))
        return
    chosen = _branches(error)
    if not chosen:
        found.say("schema-violation", problem=error.message)
    for sub in chosen:
        found.found.extend(_translate(sub, found.document))


def _not_a_date(error: ValidationError, path: list[Any], found: _Violations) -> None:
    found.say("invalid-date", form="schema", found=_describe(error.instance))


def _empty(error: ValidationError, path: list[Any], found: _Violations) -> None:
    found.say("empty", found=_describe(error.instance))


def _too_long(error: ValidationError, path: list[Any], found: _Violations) -> None:
    found.say("too-long", limit=error.validator_value)


def _bad_form(error: ValidationError, path: list[Any], found: _Violations) -> None:
    field = str(path[-1]) if path else ""
    form = field if field in _PATTERN_FORMS else ""
    found.say("bad-format", form=form, found=_describe(error.instance))


def _other(error: ValidationError, path: list[Any], found: _Violations) -> None:
    found.say("schema-violation", problem=error.message)


_Explain = Callable[[ValidationError, list[Any], _Violations], None]
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

#: The keys whose pattern has a hint of its own (the forms of ``bad-format``).
_PATTERN_FORMS = ("policy", "version", "period")


def _is_number_schema(schema: Mapping[str, Any]) -> bool:
    return str(schema.get("description", "")).startswith("A number, or a percentage")


def _branches(error: ValidationError) -> list[ValidationError]:
    """For a value that may take several shapes, the errors of the shape it tried to be."""
    branches = error.context or []
    # A mapping was meant to be the mapping form; anything else the short form.
    if isinstance(error.instance, Mapping):
        chosen = [e for e in branches if e.validator != "type" and e.relative_schema_path[0] == 1]
        return chosen or [e for e in branches if e.relative_schema_path[0] == 1]
    return [e for e in branches if e.relative_schema_path[0] == 0]
