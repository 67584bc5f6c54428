"""What every step of building a policy reports through, and what they share.

Building checks a file in steps (declarations, rules, names, order, tests),
and the promise is that one run shows every mistake in the file. So no step
raises: each reports to one :class:`BuildProblems` (the package's problem
collector, :class:`~policyengine.core._problems.Problems`, bound to the file
so that a pointer is located in it), and skips what the schema (or the
reader) found broken already, so that one mistake does not cascade into many.
"""

from __future__ import annotations

import datetime
import keyword
from typing import Any

import attrs

from ..codes import ErrorCode
from ..core._problems import Problems
from ..errors import ModelError
from ..read._source import Document


def is_identifier(name: str) -> bool:
    """Whether ``name`` can be read by an expression: an identifier, not a keyword."""
    return name.isidentifier() and not keyword.iskeyword(name)


def plain_text(value: Any) -> str | None:
    """A title, description or source as the model keeps it: text, a date as written."""
    if value is None:
        return None
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


@attrs.define
class BuildProblems(Problems):
    """The problems found in one policy file so far, and the parts found broken."""

    # The file being built: every pointer is located in it.
    document: Document = attrs.field(kw_only=True)
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
        """Report a problem worded where it was found (the form before :meth:`add`)."""
        location = self.where(pointer, key=key)
        if rule_id is not None:
            location = attrs.evolve(location, rule_id=rule_id)
        self.found.append(ModelError(message, code=code, location=location, hint=hint))

    def is_broken(self, pointer: str) -> bool:
        """Whether ``pointer`` or a part of it has a problem already."""
        return any(p == pointer or p.startswith(pointer + "/") for p in self.broken)

    def identifier(self, name: str, pointer: str, form: str, rule_id: str | None = None) -> bool:
        """Whether ``name`` can be read by expressions; if not, the problem is reported.

        ``form`` says what ``name`` is: ``input``, ``parameter`` or ``rule`` (an id).
        """
        if is_identifier(name):
            return True
        if rule_id is not None:
            self.add("invalid-identifier", pointer, form=form, at_key=True, rule_id=rule_id)
        else:
            self.add("invalid-identifier", pointer, form=form, at_key=True, name=name)
        return False
