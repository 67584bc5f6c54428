"""``--help`` in the command's language: the parser's words said through the catalogue.

Every text the parser shows — the program's and each command's description, each
command's and each argument's help, and the few words argparse adds itself (``usage:``,
the titles of the argument lists, ``-h``'s help) — is written in English where the
parser is built (``cli/_commands.py``, each module's ``arguments_<name>``), and is the
``msgid`` of a catalogue entry with the context ``cli`` (``tools/messages.py`` collects
them by walking the whole parser; tests/test_locale.py checks each has its Chinese).

Saying them again walks the built parser, so no command module needs to know of
languages, and ``--help`` reads nothing but the standard library's gettext and the
shipped ``.mo`` (``core/_languages.py`` is kept light for that).
"""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from ..core._messages import Catalogue

#: The msgctxt of the parser's words.
HELP_CONTEXT: Final = "cli"
#: The words argparse writes itself, said through the catalogue too.
USAGE: Final = "usage: "
ARGPARSE_WORDS: Final = (
    USAGE,
    "positional arguments",
    "options",
    "show this help message and exit",
)

#: What argparse says of the words it cannot take (its own texts, with its placeholders):
#: said through the catalogue while the command line is read (:func:`spoken_errors`).
ARGPARSE_ERRORS: Final = (
    "%(prog)s: error: %(message)s\n",
    "argument %(argument_name)s: %(message)s",
    "the following arguments are required: %s",
    "unrecognized arguments: %s",
    "invalid choice: %(value)r (choose from %(choices)s)",
    "ambiguous option: %(option)s could match %(matches)s",
    "expected one argument",
    "expected at most one argument",
    "expected at least one argument",
    "expected %s argument",
    "expected %s arguments",
    "ignored explicit argument %r",
    "invalid %(type)s value: %(value)r",
    "not allowed with argument %s",
    "one of the arguments %s is required",
)
#: The refusals of the command's own argument types, by name (:func:`refused`).
REFUSALS: Final = {
    "not-a-date": "'{text}' is not a date written YYYY-MM-DD",
    "not-a-number": "'{text}' is not a number",
    "not-a-worker-count": "'{text}' is not a number of workers (1 or more)",
    "not-a-month-range": "'{text}' is not a month range: write YYYY-MM..YYYY-MM, "
    "e.g. 2026-01..2026-03",
    "backwards-range": "'{text}' ends before it starts",
}

Say = Callable[[str], str]


def _as_written(text: str) -> str:
    return text


#: How the refusals are said while the command line is read (English outside it).
_say: Say = _as_written


def refused(name: str, text: str) -> argparse.ArgumentTypeError:
    """The refusal ``name`` of :data:`REFUSALS` of the argument ``text``, in the language
    the command line is read in."""
    return argparse.ArgumentTypeError(_say(REFUSALS[name]).format(text=text))


@contextlib.contextmanager
def spoken_errors(catalogue: Catalogue | None) -> Iterator[None]:
    """While the command line is read, argparse's words for what it cannot take and the
    argument types' refusals said through ``catalogue`` (None: as written).

    argparse says them through the ``gettext`` functions it imported as its own names;
    those are replaced for the reading and put back after it, even when it exits."""
    global _say
    if catalogue is None:
        yield
        return
    cli = catalogue

    def say(text: str) -> str:
        return cli.pgettext(HELP_CONTEXT, text)

    def say_plural(one: str, many: str, count: int) -> str:
        return say(one if count == 1 else many)

    saved = argparse._, argparse.ngettext, _say  # type: ignore[attr-defined]
    argparse._, argparse.ngettext, _say = say, say_plural, say  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._, argparse.ngettext, _say = saved  # type: ignore[attr-defined]


def help_words(parser: argparse.ArgumentParser) -> Iterator[str]:
    """Every text of ``parser`` (and its commands) that :func:`translate_parser` says again."""
    found: list[str] = [*ARGPARSE_WORDS, *ARGPARSE_ERRORS, *REFUSALS.values()]

    def note(text: str) -> str:
        found.append(text)
        return text

    _walk(parser, note)
    seen: set[str] = set()
    for text in found:
        if text and text not in seen:
            seen.add(text)
            yield text


def translate_parser(parser: argparse.ArgumentParser, catalogue: Catalogue) -> None:
    """Say every text of ``parser`` and its commands through ``catalogue``, in place."""

    def say(text: str) -> str:
        return catalogue.pgettext(HELP_CONTEXT, text) if text else text

    _walk(parser, say)


def _walk(parser: argparse.ArgumentParser, say: Say) -> None:
    if parser.description:
        parser.description = say(parser.description)
    parser.formatter_class = _prefixed(parser.formatter_class, say(USAGE))
    for group in parser._action_groups:
        if group.title:
            group.title = say(group.title)
    for action in parser._actions:
        if action.help and action.help is not argparse.SUPPRESS:
            action.help = say(action.help)
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:
                if choice.help:
                    choice.help = say(choice.help)
            for sub in dict.fromkeys(action.choices.values()):
                _walk(sub, say)


def _prefixed(formatter: Any, prefix: str) -> Any:
    """``formatter`` writing ``prefix`` before the usage line instead of ``usage: ``."""

    class Prefixed(formatter):  # type: ignore[misc]
        def add_usage(self, usage: Any, actions: Any, groups: Any, _: Any = None) -> None:
            super().add_usage(usage, actions, groups, prefix)

    return Prefixed
