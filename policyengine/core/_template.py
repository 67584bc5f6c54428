"""One way of saying a problem: a message and a hint with named placeholders.

Kept apart from :mod:`policyengine.core._messages` so that the tables of templates
(there, and :mod:`policyengine.core._check_templates`) can be split by step without
importing each other.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from typing import TypeAlias

import attrs

from ..codes import ErrorCode


@attrs.frozen
class Template:
    """How one form of a code is said: its message and its hint ("" for none)."""

    message: str
    hint: str = ""

    @property
    def placeholders(self) -> frozenset[str]:
        """The names of the details the message and the hint read."""
        return placeholders(self.message) | placeholders(self.hint)


#: The templates of one step that reports problems, by section of docs/errors.md:
#: ((section, {(code, form): template}), …). Each table of templates is one of these.
TemplateBlocks: TypeAlias = tuple[tuple[str, Mapping[tuple[ErrorCode, str], Template]], ...]


def placeholders(text: str) -> frozenset[str]:
    """The field names of a ``str.format`` template (``{name}``, ``{name:,}``)."""
    return frozenset(
        field.split(".")[0].split("[")[0]
        for _, field, _, _ in string.Formatter().parse(text)
        if field is not None
    )


def words_in(template: str, text: str) -> dict[str, str] | None:
    """The words that filled ``template`` (a ``str.format`` template of plain ``{name}``
    fields) to give ``text``; None when it cannot have given it. The words are text, as
    they were shown: a value said again from them is said as it was."""
    pattern: list[str] = []
    seen: set[str] = set()
    for literal, field, spec, conversion in string.Formatter().parse(template):
        pattern.append(re.escape(literal))
        if field is None:
            continue
        if spec or conversion or not field.isidentifier():
            return None  # a formatted value cannot be read back as it was given
        pattern.append(f"(?P={field})" if field in seen else f"(?P<{field}>.*?)")
        seen.add(field)
    found = re.fullmatch("".join(pattern), text, re.DOTALL)
    return None if found is None else found.groupdict()
