"""A progress line on standard error for long runs, with no dependency.

Shown only where someone watches (the stream is a terminal) and the work
is large (more than :data:`THRESHOLD` records); otherwise every call does
nothing, so logs and captured output stay clean.
"""

from __future__ import annotations

from typing import TextIO

#: Runs over at most this many records finish too fast to need a progress line.
THRESHOLD = 10_000
_CLEAR = "\r\x1b[K"


class Progress:
    """A line rewritten in place: the stage, and how far it has got."""

    def __init__(self, stream: TextIO | None, records: int, *, threshold: int = THRESHOLD) -> None:
        watched = stream is not None and _is_terminal(stream)
        self.stream = stream if watched and records > threshold else None
        self._shown = ""
        self._step = 1

    @property
    def enabled(self) -> bool:
        return self.stream is not None

    def stage(self, text: str) -> None:
        """Show what is being done now."""
        self._write(text)

    def count(self, label: str, done: int, total: int) -> None:
        """Show ``done`` of ``total``; rewrites the line about a hundred times in all."""
        if self.stream is None:
            return
        self._step = max(1, total // 100)
        if done % self._step and done != total:
            return
        percent = done * 100 // total if total else 100
        self._write(f"{label} {done:,}/{total:,} ({percent}%)")

    def done(self) -> None:
        """Clear the line, so what follows starts on a clean one."""
        if self.stream is not None and self._shown:
            self.stream.write(_CLEAR)
            self.stream.flush()
            self._shown = ""

    def _write(self, text: str) -> None:
        if self.stream is None or text == self._shown:
            return
        self.stream.write(_CLEAR + text)
        self.stream.flush()
        self._shown = text


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or unusual stream
        return False
