"""The ``policyengine`` command: its parser, and the dispatch to the command asked for.

Exit codes: 0 all well; 1 findings (a failed test case); 2 usage or input
errors (a policy with problems, a bad facts file or record).

Starting is kept light: the parser is built from :data:`~._commands.COMMANDS` without
importing the engine, and only the command being run has its module imported (see
``benchmarks/bench_startup.py``).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from importlib import import_module
from typing import Any

from ..core._languages import LANGUAGES, environment_language, messages
from . import _commands
from ._commands import Command

#: ``--lang``'s choices: the names of ``core._languages.LANGUAGES`` (a test keeps them
#: equal; that module is light: ``--help`` reads it to choose its language).
LANGUAGE_NAMES = ("en", "zh")


class _Version(argparse.Action):
    """``--version``: the installed version, read from the package metadata only when asked."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        kwargs.update(nargs=0, default=argparse.SUPPRESS)
        super().__init__(option_strings, dest, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *_: Any, **__: Any) -> None:
        from ..version import ENGINE_VERSION

        print(f"policyengine {ENGINE_VERSION}")
        parser.exit()


def parser(
    argv: Sequence[str] | None = None, language: str | None = None
) -> argparse.ArgumentParser:
    """The command's parser, its help in ``language`` (``zh`` or ``en``; None: the one
    ``argv`` or the environment asks for). Given ``argv``, only the command it names gets
    its arguments (and its module imported); without, every command does."""
    top = argparse.ArgumentParser(
        prog="policyengine",
        description="Check, test and evaluate call-centre policies written in YAML.",
    )
    top.add_argument("--version", action=_Version, help="show the version and exit")
    top.add_argument(
        "--lang",
        choices=LANGUAGE_NAMES,
        help="the language problems are said in: zh (Chinese) or en (English); default: "
        "POLICYENGINE_LANG, else zh when LC_ALL, LC_MESSAGES or LANG starts with zh",
    )
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    wanted = None if argv is None else _command_named(argv)
    # Read from its module when the parser is built, so that the table is the one place
    # a command is added.
    for command in _commands.COMMANDS:
        sub = commands.add_parser(command.name, help=command.help, description=command.description)
        if argv is None or command.name == wanted:
            _complete(sub, command)
    chosen = language or _asked_language(argv or ()) or environment_language(os.environ)
    if LANGUAGES[chosen] is not None:
        from ._help_words import translate_parser

        translate_parser(top, messages(chosen))
    return top


def _asked_language(argv: Sequence[str]) -> str | None:
    """The language ``--lang`` asks for in ``argv`` (read before parsing, for ``--help``)."""
    for index, word in enumerate(argv):
        if word.startswith("--lang="):
            asked = word.partition("=")[2]
        elif word == "--lang" and index + 1 < len(argv):
            asked = argv[index + 1]
        else:
            continue
        return asked if asked in LANGUAGE_NAMES else None
    return None


def _complete(sub: argparse.ArgumentParser, command: Command) -> None:
    """The command's arguments and handler, from its module."""
    module = import_module(f"{__package__}.{command.module}")
    arguments: Callable[[argparse.ArgumentParser], None] = getattr(
        module, f"arguments_{command.name}"
    )
    arguments(sub)
    sub.set_defaults(handler=getattr(module, f"cmd_{command.name}"))


def _command_named(argv: Sequence[str]) -> str | None:
    """The command ``argv`` names: its first word that is not an option (nor --lang's
    value); None when there is none (``--help``, ``--version``)."""
    words = iter(argv)
    for word in words:
        if word == "--lang":
            next(words, None)
        elif not word.startswith("-"):
            return word
    return None


def _utf8_streams() -> None:
    """Print UTF-8 whatever the locale says: Chinese names in a summary must never crash a
    run after its work is done (and the files are the same bytes in any locale)."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and (stream.encoding or "").lower() not in ("utf-8", "utf8"):
            reconfigure(encoding="utf-8", errors="backslashreplace")


#: The exit code of output cut short by a reader that closed the pipe (``| head``): that
#: of a program stopped by SIGPIPE, as the shell reports it.
CLOSED_PIPE = 128 + 13


def main(argv: Sequence[str] | None = None) -> int:
    try:
        code = _run(argv)
        sys.stdout.flush()  # inside the try: the last of the output may be what finds it closed
    except BrokenPipeError:
        # The reader has all it wanted (``policyengine … | head``): stop quietly. Standard
        # output points at devnull from here, so the flush at exit finds nothing to complain of.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return CLOSED_PIPE
    return code


def _run(argv: Sequence[str] | None) -> int:
    _utf8_streams()
    words = sys.argv[1:] if argv is None else list(argv)
    language = _asked_language(words) or environment_language(os.environ)
    top = parser(words, language)
    from ._help_words import spoken_errors

    with spoken_errors(messages(language) if LANGUAGES[language] is not None else None):
        args = top.parse_args(words)
    from ..errors import InvalidPolicy, PolicyError
    from ._common import say, speaking

    with speaking(args.lang or language):
        try:
            code: int = args.handler(args)
        except PolicyError as exc:
            # Every problem the engine can name is reported as data, never a traceback.
            problems = exc.problems if isinstance(exc, InvalidPolicy) else (exc,)
            for problem in problems:
                print(say(problem), file=sys.stderr)
            return 2
    return code


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
