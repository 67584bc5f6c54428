"""One collector for the problems every loading and checking step finds.

A step that checks something never raises on the first mistake: it adds
each problem to a :class:`Problems` and goes on, so that one run shows every
mistake (the caller raises one ``InvalidPolicy`` holding them all). A problem
is given as data::

    problems.add("unknown-name", at="/rules/2/expr", rule_id="bonus",
                 name="sales_amout", expression="sales_amout * rate",
                 hint=did_you_mean("sales_amout", known))

The code's template (:mod:`policyengine.core._messages`, the form given by
``form=``, ``""`` by default) renders the message and the hint from the
details, which the error keeps; ``hint=`` stands in for the template's hint
when a better one was computed (a "did you mean"; None keeps the template's).
``at`` is a JSON pointer, located in the collector's document (the key it names with
``at_key=True``), or a :class:`~policyengine.errors.Location` as it is;
``rule_id`` names the rule in the location and is a detail too.
"""

from __future__ import annotations

from typing import Any, Protocol

import attrs

from ..codes import ErrorCode
from ..errors import Location, ModelError, PolicyError


class Locates(Protocol):
    """A read file that can say where a JSON pointer is written (a ``Document``)."""

    def locate(self, pointer: str, *, key: bool = False) -> Location: ...


@attrs.define
class Problems:
    """The problems found so far, each made from its code's template."""

    #: Where pointers are located; without one, a pointer is a location of its own.
    document: Locates | None = None
    found: list[PolicyError] = attrs.field(factory=list)
    #: The class of the errors made: a step's own (schema violations, source problems …).
    error_class: type[PolicyError] = ModelError

    def add(
        self,
        code: ErrorCode,
        at: str | Location,
        *,
        form: str = "",
        hint: str | None = None,
        at_key: bool = False,
        rule_id: str | None = None,
        **details: Any,
    ) -> PolicyError:
        """Report ``code`` at ``at``, its words rendered from ``details``; the problem made."""
        location = self.where(at, key=at_key)
        if rule_id is not None:
            location = attrs.evolve(location, rule_id=rule_id)
            details["rule_id"] = rule_id
        error = self.error_class.from_template(
            code, form=form, location=location, hint=hint, details=details
        )
        self.found.append(error)
        return error

    def keep(self, error: PolicyError, at: str) -> None:
        """Report, as this collector's class, a problem another step found and worded
        (a field's spec, a month written wrong), located at ``at``."""
        location = self.where(at)
        kept = self.error_class(
            error.message,
            code=error.code,
            location=location,
            hint=error.hint,
            details=error.details,
        )
        kept.form = error.form
        self.found.append(kept)

    def where(self, at: str | Location, *, key: bool = False) -> Location:
        """The location of ``at``: a pointer located in the document, or a location."""
        if isinstance(at, Location):
            return at
        if self.document is None:
            return Location(pointer=at)
        return self.document.locate(at, key=key)
