"""What the commands share: the language problems are said in, the policy folder, its
lock, a month's facts."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING

from ..core._languages import LANGUAGES, messages
from ..core._messages import Catalogue, frame
from ..errors import InvalidPolicy, PolicyError
from ..load._layout import LOCK_NAME
from ..present._progress import Progress
from ._line_words import LINES

if TYPE_CHECKING:  # imported where used: validate and eval need neither ledger nor lock
    from ..audit.ledger import SqliteLedger
    from ..run._repository import Repository

#: The catalogue of the language the running command speaks (None: English as made).
_SPOKEN: ContextVar[Catalogue | None] = ContextVar("spoken", default=None)


@contextlib.contextmanager
def speaking(language: str) -> Iterator[None]:
    """Say every problem printed inside in ``language`` (``zh`` or ``en``)."""
    token = _SPOKEN.set(None if LANGUAGES[language] is None else messages(language))
    try:
        yield
    finally:
        _SPOKEN.reset(token)


def say(problem: PolicyError) -> str:
    """A problem's line, ``file:line:col: code: message (hint)``, in the command's language:
    every command prints its problems through here."""
    return problem.render(_SPOKEN.get())


def spoken() -> Catalogue | None:
    """The catalogue of the command's language (None: English), for what says a problem
    with more than its own line (a facts index adds the file, row and column header)."""
    return _SPOKEN.get()


def spoken_line(name: str, /, **values: object) -> str:
    """The line ``name`` of ``LINES`` in the command's language, filled in with ``values``."""
    return LINES.said(name, _SPOKEN.get(), **values)


def progress_bar(records: int | None = None, **options: int) -> Progress:
    """The progress bar on standard error, saying the month's steps in the command's
    language (``step-<name>`` of ``LINES``)."""
    return Progress(sys.stderr, records, words=_step_words, **options)


def _step_words(step: str, values: Mapping[str, object]) -> str:
    return spoken_line("step-" + step, **values)


def counted(name: str, count: int, /, **values: object) -> str:
    """The line ``name-one`` or ``name-many`` of ``LINES``, as ``count`` asks."""
    return spoken_line(f"{name}-{'one' if count == 1 else 'many'}", count=count, **values)


def headers(*names: str) -> list[str]:
    """A table's headers ``column-<name>`` of ``LINES``, in the command's language."""
    return [spoken_line("column-" + name) for name in names]


def problem_count(count: int) -> str:
    """``N problem(s)``, in the command's language."""
    name = "problems-one" if count == 1 else "problems-many"
    return frame(name, _SPOKEN.get(), count=count)


def problems_found(count: int) -> str:
    """The closing line ``N problems found``, in the command's language."""
    name = "problems-found-one" if count == 1 else "problems-found-many"
    return frame(name, _SPOKEN.get(), count=count)


def checked_repository(args: argparse.Namespace) -> Repository:
    """The policy folder, refused while a published version differs from its lock entry:
    amounts computed from an edited published file would prove nothing."""
    from ..load._lock import verify as verify_lock
    from ..run._repository import load, policy_folder

    policy_folder(args.policies)  # a file named for the folder: said so, not its lock
    findings = verify_lock(args.policies, lock_path(args))
    if findings:
        raise InvalidPolicy(findings, file=str(lock_path(args)))
    return load(args.policies, lock=args.lock)


def lock_path(args: argparse.Namespace) -> Path:
    return Path(args.lock) if args.lock else Path(args.policies) / LOCK_NAME


#: Facts larger than this on disk are worth a progress line while they are read.


#: Facts files larger than this (bytes) take long enough to read to show a progress bar.
LARGE_FACTS_BYTES = 1 << 20


def facts_bytes(path: str | Path) -> int:
    """The size of a month's facts on disk (to decide on a progress bar before reading)."""
    source = Path(path)
    files = source.iterdir() if source.is_dir() else [source]
    return sum(f.stat().st_size for f in files if f.is_file())


def existing_ledger(path: str) -> SqliteLedger:
    """Open, read-only, a ledger that must already exist: a typo must not create an empty
    one, and reading never changes the file."""
    from ..audit.ledger import open_ledger

    return open_ledger(path, read_only=True)


def add_folder_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--policies",
        default="policies",
        metavar="DIR",
        help="the policy folder (default: policies)",
    )
    parser.add_argument("--lock", metavar="FILE", help=f"the lock file (default: DIR/{LOCK_NAME})")
