"""The progress bar: on a terminal a long step shows its name, its counts and a moving
clock; on a pipe, a file or for small work nothing at all."""

from __future__ import annotations

import io
import subprocess
import sys
import time
from pathlib import Path

from policyengine.present._progress import Progress

ROOT = Path(__file__).parent.parent
COMMAND = [sys.executable, "-m", "policyengine"]


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_nothing_on_a_pipe_or_for_small_work() -> None:
    """A stream that is not a terminal, or work under the threshold, gets no output."""
    pipe, small = io.StringIO(), Terminal()
    for stream, records in ((pipe, 50_000), (small, 10_000)):
        progress = Progress(stream, records, delay=0)
        progress.stage("evaluating …")
        for done in range(0, 101, 10):
            progress.count("writing", done, 100)
        progress.done()
        assert not progress.enabled
    assert pipe.getvalue() == "" and small.getvalue() == ""


def test_a_stage_keeps_moving_while_it_runs() -> None:
    """A step of unknown length is redrawn while it runs, its name shown, then cleared."""
    stream = Terminal()
    progress = Progress(stream, 50_000, delay=0)
    name = "evaluating 3 versions over 50,000 records …"
    progress.stage(name)
    waited = 0.0
    while stream.getvalue().count(name) < 2 and waited < 30:  # the step "runs" meanwhile
        time.sleep(0.05)
        waited += 0.05
    progress.done()
    drawn = stream.getvalue()
    assert drawn.count(name) >= 2
    assert drawn.endswith("\r\x1b[K")


def test_a_count_shows_done_of_total_with_a_bar() -> None:
    """A counted step shows the stage name, the bar and done/total."""
    stream = Terminal()
    progress = Progress(stream, 50_000, delay=0)
    for done in range(0, 201, 100):
        progress.count("writing rows", done, 200)
        time.sleep(0.15)  # longer than the bar's least interval between redraws
    progress.done()
    drawn = stream.getvalue()
    assert "writing rows" in drawn and "50%|#####     | 100/200" in drawn


def test_a_short_step_shows_nothing() -> None:
    """A step done before the delay has passed never draws."""
    stream = Terminal()
    progress = Progress(stream, 50_000, delay=5)
    progress.stage("reading …")
    progress.count("writing", 1, 2)
    progress.done()
    assert stream.getvalue() == ""


def test_a_piped_run_writes_no_progress() -> None:
    """`policyengine run` with its output piped writes no bar or carriage return."""
    done = subprocess.run(
        [*COMMAND, "run", "--period", "2026-03", "--facts", "examples/2026-03"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
    )
    assert done.returncode == 0, done.stderr
    assert "\r" not in done.stderr and "\r" not in done.stdout
    assert "errors: none" in done.stdout


def test_the_months_steps_are_said_in_the_commands_language() -> None:
    """The library's steps are said in English by a bare bar, and in the command's language
    by the bar a command makes (``step-<name>`` lines, Chinese under ``--lang zh``)."""
    from policyengine.cli._common import progress_bar, speaking

    stream = Terminal()
    bare = Progress(stream, 50_000, delay=0)
    bare.step("appending", ledger="ledger.sqlite")
    bare.done()
    assert "appending the run to ledger.sqlite …" in stream.getvalue()
    assert bare.said("writing-rows", file="pay.xlsx") == "writing pay.xlsx:"
    with speaking("zh"):
        said = progress_bar().said("waiting", ledger="ledger.sqlite")
    assert said == "正在等待 ledger.sqlite 的另一次计算结束 …"
    assert progress_bar().said("waiting", ledger="ledger.sqlite").startswith("waiting for")
