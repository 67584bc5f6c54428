"""Every error the engine raises, as data.

The tree::

    PolicyError                      code, message, location, hint, details
    ├── PolicySourceError            the file cannot be read as a policy document (YAML, encoding)
    ├── SchemaViolation              the document does not match schemas/policy.schema.json
    ├── ModelError                   a semantic mistake found while building (names, cycles, bands)
    ├── ExpressionError              an expression uses syntax or names the sandbox refuses
    ├── EvaluationError              a rule failed on one record at run time
    ├── FactError                    an input record is missing a field or has a wrong value
    │   └── InvalidRecord            several problems in one record (policyengine/facts/_records.py)
    ├── FactsFileError               a facts file (JSON, JSONL, CSV, XLSX) cannot be read
    ├── LockError                    the lock file, or a published version it lists, is wrong
    ├── LedgerError                  the ledger cannot be read, is tampered with, or misused
    ├── OutputError                  the month's results cannot be written as asked
    ├── UsageError                   a wrong argument, or a lookup of what is not there
    └── InvalidPolicy                many of the above at once: ``.problems`` holds every one

Each error has a stable kebab-case ``code`` (policyengine/codes/ registers
them, docs/errors.md explains them), a :class:`Location` and ``to_dict()``.
The text is rendered from the data, so callers that need to react should
look at ``code`` and ``location``, never at the wording. A problem found
while loading is made by :meth:`PolicyError.from_template`: its words come
from policyengine/core/_messages.py, filled in from its ``details``, and
:meth:`PolicyError.translated` says it again in another language.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar, Self

import attrs

from .codes import CODES, ErrorCode
from .core._display import safe_text
from .core._languages import messages
from .core._messages import Catalogue, computed_hint, frame, render
from .core._phrases import said_details


@attrs.frozen
class Location:
    """Where a problem is: in a policy file, or in an input record."""

    file: str | None = None
    line: int | None = None
    column: int | None = None
    pointer: str | None = None
    rule_id: str | None = None
    record: int | str | None = None
    field: str | None = None
    #: The column header the field was read under, when it is not the field's name (its
    #: title): added where a facts problem is shown (``FactsIndex.render``), never stored.
    header: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The location as data; its text (a record's key, a field) with unclean characters
        escaped, as every error's data is (see :meth:`PolicyError.to_dict`)."""
        return {k: _plain(v) for k, v in attrs.asdict(self).items() if v is not None}

    def __str__(self) -> str:
        return self.render()

    def render(self, catalogue: Catalogue | None = None) -> str:
        """``file:line:col``, then the record, rule, field and pointer, in ``catalogue``'s
        words (English without one)."""
        if catalogue is None:
            return self._english()
        parts = [self._place()] if self.file is not None else []
        if self.record is not None:
            parts.append(frame("record", catalogue, record=self.record))
        if self.rule_id is not None:
            parts.append(frame("rule", catalogue, rule_id=self.rule_id))
        if self.field is not None:
            parts.append(frame("field", catalogue, field=self.field))
        if self.header is not None:
            parts.append(frame("header", catalogue, header=self.header))
        if self.pointer is not None and self.line is None:
            parts.append(frame("pointer", catalogue, pointer=self.pointer or "/"))
        return frame("joiner", catalogue).join(parts)

    def _place(self) -> str:
        place = self.file or ""
        if self.line is not None:
            place += f":{self.line}"
            if self.column is not None:
                place += f":{self.column}"
        return place

    def _english(self) -> str:
        """The English of ``FRAMES``, written out: every error's line passes here, a month
        may have thousands, and this is ten times faster (tests/test_locale.py checks that
        it says what the frames say)."""
        parts = [self._place()] if self.file is not None else []
        if self.record is not None:
            parts.append(f"record {self.record}")
        if self.rule_id is not None:
            parts.append(f"rule '{self.rule_id}'")
        if self.field is not None:
            parts.append(f"field '{self.field}'")
        if self.header is not None:
            parts.append(f"column '{self.header}'")
        if self.pointer is not None and self.line is None:
            parts.append(f"at {self.pointer or '/'}")
        return ", ".join(parts)

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.file or "", self.line or 0, self.column or 0, self.pointer or "")


#: The default code of each error class, as the last section of docs/errors.md lists it.
_DEFAULT_CODES: Mapping[str, ErrorCode] = {
    info.error_class: code
    for code, places in CODES.items()
    for info in places
    if info.anchor == "default-codes-of-the-classes"
}


class PolicyError(Exception):
    """The root of every error the engine raises on purpose."""

    #: The code of an error of this class made without one: the registry's section of
    #: default codes gives it (``__init_subclass__``); a class it does not name inherits.
    default_code: ClassVar[ErrorCode] = "policy-error"
    #: The form of its code's template the words were rendered from (``from_template``);
    #: None for an error whose message was written where it was raised.
    form: str | None = None
    #: The values its template was filled from, when they are not its ``details``: an
    #: error met while evaluating keeps in ``details`` what the ledgers store (its
    #: English words byte for byte), and says its message from these (None: ``details``).
    words: Mapping[str, Any] | None = None
    #: What leads its message, as ``FRAMES`` words it: a frame's name and its values (the
    #: record's kind of ``rep: …``, a workbook's sheet and cell); said again with it.
    lead: tuple[str, Mapping[str, Any]] | None = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.default_code = _DEFAULT_CODES.get(cls.__name__, cls.default_code)

    def __init__(
        self,
        message: str,
        *,
        code: ErrorCode | None = None,
        location: Location | None = None,
        hint: str | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        # A code the registry lacks is kept as given: see policyengine/codes/.
        self.code: ErrorCode = code or self.default_code
        self.location = location or Location()
        self.hint = hint
        self.details: Mapping[str, Any] = dict(details or {})

    @classmethod
    def from_template(
        cls,
        code: ErrorCode,
        *,
        form: str = "",
        location: Location | None = None,
        hint: str | None = None,
        details: Mapping[str, Any] | None = None,
        words: Mapping[str, Any] | None = None,
    ) -> Self:
        """The error ``code`` said in ``form``: message and hint rendered from the code's
        template (policyengine/core/_messages.py) with ``details``, which it keeps.

        ``hint`` is a hint computed where the problem is found (a "did you mean");
        without one, the template's hint. ``words``, when given, fill the template
        instead of ``details`` (see :attr:`words`).
        """
        given = dict(details or {})
        message, advice = render(code, form, given if words is None else words)
        error = cls(message, code=code, location=location, hint=hint or advice, details=given)
        error.form = form
        if words is not None:
            error.words = words
        return error

    def translated(self, catalogue: Catalogue | str) -> PolicyError:
        """This error said again from its code, form and details in ``catalogue``'s language
        (a catalogue, or a language's name: ``"zh"``, see :func:`policyengine.messages`).

        An error not made from a template keeps its words. A hint computed where the
        problem was found is kept as it was, but for a "did you mean", said again.
        """
        if isinstance(catalogue, str):
            catalogue = messages(catalogue)
        if self.form is None:
            return self
        values = self.details if self.words is None else self.words
        message, advice = render(self.code, self.form, said_details(values, catalogue), catalogue)
        if self.lead is not None:
            message = frame(self.lead[0], catalogue, message=message, **self.lead[1])
        english = render(self.code, self.form, values)[1]
        clone = self.at()
        clone.message = message
        clone.hint = advice if self.hint == english else computed_hint(self.hint, catalogue)
        Exception.__init__(clone, message)
        return clone

    def at(self, **where: Any) -> PolicyError:
        """A copy of this error with its location filled in further.

        Fields already set are kept: the innermost code knows best.
        """
        current = attrs.asdict(self.location)
        merged = {k: (current[k] if current[k] is not None else v) for k, v in where.items()}
        location = attrs.evolve(self.location, **merged)
        clone = type(self).__new__(type(self))
        clone.__dict__.update(self.__dict__)
        Exception.__init__(clone, self.message)
        clone.location = location
        clone.__cause__ = self.__cause__
        return clone

    def render(self, catalogue: Catalogue | str | None = None) -> str:
        """One line in the ``file:line:col: code: message (hint)`` form compilers use, in
        ``catalogue``'s language when one is given (the code stays as it is); text from a
        policy or a fact shows with its unclean characters escaped (``core/_display``)."""
        if catalogue is None:
            # The English of FRAMES written out, as Location._english is.
            where = self.location._english()
            text = f"{self.code}: {self.message}" + (f" ({self.hint})" if self.hint else "")
            return safe_text(f"{where}: {text}" if where else text, lines=True)
        if isinstance(catalogue, str):
            catalogue = messages(catalogue)
        said = self.translated(catalogue)
        where = said.location.render(catalogue)
        values = {"code": said.code, "message": said.message, "hint": said.hint}
        text = frame("text-hint" if said.hint else "text", catalogue, **values)
        line = frame("line", catalogue, where=where, text=text) if where else text
        return safe_text(line, lines=True)

    def to_dict(self) -> dict[str, Any]:
        # Text from a policy or a fact is written with its unclean characters escaped
        # (core/_display.safe_text): a lone surrogate cannot be encoded at all, and a
        # control or bidi character would reach whoever reads the JSON in a terminal.
        data: dict[str, Any] = {
            "code": self.code,
            "message": safe_text(self.message, lines=True),
            "location": self.location.to_dict(),
        }
        if self.hint:
            data["hint"] = safe_text(self.hint, lines=True)
        if self.details:
            data["details"] = {k: _plain(v) for k, v in self.details.items()}
        return data

    def __str__(self) -> str:
        return self.render()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code!r}, {self.message!r}, {self.location!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), self.__dict__.copy()))


def _rebuild(cls: type[PolicyError], state: dict[str, Any]) -> PolicyError:
    error = cls.__new__(cls)
    error.__dict__.update(state)
    Exception.__init__(error, state.get("message", ""))
    return error


def _plain(value: Any) -> Any:
    """Details as JSON-friendly data: Decimals and dates become text; text is shown safe."""
    if isinstance(value, str):
        return safe_text(value, lines=True)
    if isinstance(value, bool | int) or value is None:
        return value
    if isinstance(value, Mapping):
        return {_plain(str(k)): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return safe_text(str(value), lines=True)


class PolicySourceError(PolicyError):
    """The file cannot be read as one YAML policy document."""


class SchemaViolation(PolicyError):
    """The document does not have the shape the policy schema requires."""


class ModelError(PolicyError):
    """A semantic mistake: unknown names, cycles, bad bands, weights, ids."""


class ExpressionError(PolicyError):
    """An expression the sandbox refuses at load time."""


class EvaluationError(PolicyError):
    """A rule failed on one record at run time (division by zero, wrong type …)."""


class FactError(PolicyError):
    """An input record does not match the fields the policy declares."""


class FactsFileError(PolicyError):
    """A facts file cannot be read."""


class LockError(PolicyError):
    """The lock file cannot be read or written, or a version file breaks what it locks.

    Its own class so that ``verify``'s findings and ``lock``'s refusals can be told
    from a policy's own problems when both sit in one ``InvalidPolicy``.
    """


class LedgerError(PolicyError):
    """The ledger cannot be opened or read, fails its hash chain, or is misused."""


class OutputError(PolicyError):
    """The month's results cannot be written as asked (an output format no writer has)."""


class UsageError(PolicyError):
    """The library or the command line was called with a wrong argument, or asked for
    something that is not there (a policy, version, record or output)."""


class InvalidPolicy(PolicyError):
    """A policy with one or more problems; ``problems`` holds all of them, sorted."""

    def __init__(self, problems: Iterable[PolicyError], *, file: str | None = None) -> None:
        ordered = tuple(sorted(problems, key=lambda p: p.location.sort_key()))
        count = len(ordered)
        super().__init__(
            _summary(ordered, file, None),
            location=Location(file=file),
            details={"count": count},
        )
        self.problems = ordered

    def render(self, catalogue: Catalogue | str | None = None) -> str:
        """The count, then each problem's line, in ``catalogue``'s language if given."""
        if catalogue is None:
            return self.message
        if isinstance(catalogue, str):
            catalogue = messages(catalogue)
        return _summary(self.problems, self.location.file, catalogue)

    def translated(self, catalogue: Catalogue | str) -> InvalidPolicy:
        """Every problem said again in ``catalogue``'s language (the count line stays)."""
        if isinstance(catalogue, str):
            catalogue = messages(catalogue)
        return InvalidPolicy(
            (p.translated(catalogue) for p in self.problems), file=self.location.file
        )

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        data["problems"] = [p.to_dict() for p in self.problems]
        return data


def _summary(
    problems: tuple[PolicyError, ...], file: str | None, catalogue: Catalogue | None
) -> str:
    """``file: N problems`` and a line per problem, in ``catalogue``'s words."""
    count = len(problems)
    head = frame("problems-one" if count == 1 else "problems-many", catalogue, count=count)
    if file:
        head = frame("line", catalogue, where=safe_text(file), text=head)
    return head + "\n" + "\n".join(p.render(catalogue) for p in problems)
