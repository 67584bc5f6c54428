"""Progress on standard error for long steps: a moving bar (tqdm) with the stage's name
and its counts.

Shown only where someone watches (the stream is a terminal), for work large enough to
take a while (more than ``threshold`` records, when the count is known), and only once a
step has run for
:data:`DELAY` seconds; otherwise every call does nothing, so pipes, logs and captured
output stay clean (and tqdm is not even imported).

Evaluation never reports: the month's steps report between stages (reading, evaluating,
writing, appending to the ledger) and writers by the rows written. A step of unknown
length shows its name and a clock kept moving by a small thread of its own, which only
redraws the line.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, Final, TextIO

#: Runs over at most this many records finish too fast to need a progress bar.
THRESHOLD = 10_000
#: A step shows its bar only once it has run this long (seconds).
DELAY = 1.0
#: How often the clock of a step of unknown length is redrawn (seconds).
_TICK = 0.25
_COUNTED = "{desc} {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} [{elapsed}<{remaining}]"
_STAGE = "{desc} [{elapsed}]"
_CLEAR = "\r\x1b[K"

#: The steps the month's library code tells the bar, in English. A command gives the bar
#: ``words`` that say them in its language (cli/_line_words.py lists them, ``step-<name>``).
STEPS: Final[Mapping[str, str]] = {
    "writing": "writing {out} …",
    "appending": "appending the run to {ledger} …",
    "waiting": "waiting for another run of {ledger} to finish …",
    "writing-rows": "writing {file}:",
    "partitions": "partitions",
}
#: How a step is said: its name and values -> the words shown.
Words = Callable[[str, Mapping[str, object]], str]


class Progress:
    """The bar of the step being done: a stage of unknown length, or a count of a total."""

    def __init__(
        self,
        stream: TextIO | None,
        records: int | None = None,
        *,
        threshold: int = THRESHOLD,
        delay: float = DELAY,
        words: Words | None = None,
    ) -> None:
        watched = stream is not None and _is_terminal(stream)
        # records None: the work's size is not known beforehand; the delay alone decides.
        large = records is None or records > threshold
        self.stream = stream if watched and large else None
        self._delay = delay
        self._bar: Any = None  # the tqdm bar of the step being done
        self._label = ""
        self._ticker: _Ticker | None = None
        self._words = words

    def said(self, step: str, **values: object) -> str:
        """The step ``step`` of :data:`STEPS` in the words the bar was given (else English)."""
        if self._words is not None:
            return self._words(step, values)
        return STEPS[step].format(**values)

    def step(self, name: str, **values: object) -> None:
        """:meth:`stage` of the step ``name`` of :data:`STEPS`, said as :meth:`said` says it."""
        if self.stream is not None:
            self.stage(self.said(name, **values))

    @property
    def enabled(self) -> bool:
        return self.stream is not None

    def stage(self, text: str) -> None:
        """Show what is being done now, and for how long it has been going on."""
        if self.stream is None:
            return
        self.done()
        self._open(text, None)
        self._ticker = _Ticker(self._bar, self._delay)

    def count(self, label: str, done: int, total: int) -> None:
        """Show ``done`` of ``total`` for the step ``label``."""
        if self.stream is None:
            return
        if self._bar is None or self._label != label or self._bar.total != total:
            self.done()
            self._open(label, total)
        self._bar.update(done - self._bar.n)

    def done(self) -> None:
        """Clear the bar, so what follows starts on a clean line."""
        drawn = False
        if self._ticker is not None:
            drawn = self._ticker.stop()
            self._ticker = None
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        if drawn and self.stream is not None:
            # tqdm clears only what it drew itself, not the ticker's redraws.
            self.stream.write(_CLEAR)
            self.stream.flush()

    def _open(self, label: str, total: int | None) -> None:
        from tqdm import tqdm  # only where a bar is shown: starting stays light

        self._label = label
        self._bar = tqdm(
            total=total,
            desc=label,
            file=self.stream,
            leave=False,
            delay=self._delay,
            dynamic_ncols=True,
            bar_format=_STAGE if total is None else _COUNTED,
        )


class _Ticker:
    """Redraws a step's bar while the step runs, so its clock moves though nothing is
    counted; it only draws, and stops when the step is done."""

    def __init__(self, bar: Any, delay: float) -> None:
        self._bar, self._delay = bar, delay
        self._start = time.monotonic()
        self._stopped = threading.Event()
        self._drawn = False
        self._thread = threading.Thread(target=self._run, name="progress", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stopped.wait(_TICK):
            if time.monotonic() - self._start >= self._delay:
                self._bar.refresh()
                self._drawn = True

    def stop(self) -> bool:
        """Stop redrawing; whether the bar was ever drawn."""
        self._stopped.set()
        self._thread.join()
        return self._drawn


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or unusual stream
        return False
