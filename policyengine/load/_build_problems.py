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
import unicodedata
from collections.abc import Iterable
from typing import Any

import attrs

from ..codes import ErrorCode
from ..core._display import unclean
from ..core._problems import Problems
from ..errors import ModelError
from ..read._source import Document
from ..read._source_map import holding


def normal_name(name: str) -> str | None:
    """The NFKC form of ``name`` when ``name`` is not written in it, else None.

    Python reads every identifier in NFKC, so ``ｓａｌａｒｙ`` (full width) in an
    expression would silently read ``salary``: a name must be written as it is read.
    """
    return None if unicodedata.is_normalized("NFKC", name) else unicodedata.normalize("NFKC", name)


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
    _broken: frozenset[str] = attrs.field(factory=frozenset, alias="broken")
    #: The broken pointers and every pointer holding one: one lookup per question.
    _holding: frozenset[str] = attrs.field(factory=frozenset, init=False)

    @property
    def broken(self) -> frozenset[str]:
        """JSON pointers the schema (or the reader) already complained about; skipped."""
        return self._broken

    @broken.setter
    def broken(self, pointers: Iterable[str]) -> None:
        self._broken = frozenset(pointers)
        self._holding = holding(self._broken)

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
        return pointer in self._holding

    def identifier(self, name: str, pointer: str, form: str, rule_id: str | None = None) -> bool:
        """Whether ``name`` can be read by expressions; if not, the problem is reported.

        ``form`` says what ``name`` is: ``input``, ``parameter`` or ``rule`` (an id).
        """
        if unclean(name, lines=False) is not None:
            return False  # the reader has reported the character already
        if is_identifier(name):
            return self.normal(name, pointer, form, rule_id)
        if rule_id is not None:
            self.add("invalid-identifier", pointer, form=form, at_key=True, rule_id=rule_id)
        else:
            self.add("invalid-identifier", pointer, form=form, at_key=True, name=name)
        return False

    def normal(self, name: str, pointer: str, form: str, rule_id: str | None = None) -> bool:
        """Whether ``name`` is written in NFKC (see :func:`normal_name`); if not, reported.
        ``form``: ``input``, ``parameter``, ``rule`` (an id) or ``output`` (a named one)."""
        normal = normal_name(name)
        if normal is None:
            return True
        self.add(
            "name-not-normalized",
            pointer,
            form=form,
            at_key=True,
            rule_id=rule_id,
            name=name,
            normal=normal,
        )
        return False
