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

Say = Callable[[str], str]


def help_words(parser: argparse.ArgumentParser) -> Iterator[str]:
    """Every text of ``parser`` (and its commands) that :func:`translate_parser` says again."""
    found: list[str] = list(ARGPARSE_WORDS)

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
