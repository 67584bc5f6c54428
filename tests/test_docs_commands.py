"""Every command the docs show is run, and the output shown beside it is checked.

README.md and each page of docs/ are read for their ``console`` and ``sh``
blocks, in order: a page is a session, run in a folder of its own holding a
copy of the shipped ``policies/`` and ``examples/``, one command after the
other, so a later block sees what an earlier one wrote (a ledger, a new
policy version). In a ``console`` block a line starting ``$ `` is a command
and the lines under it are its output as shown: each is matched in turn,
where a line that is only ``…`` stands for any lines and ``…`` inside a line
for any text. A command shown without output must succeed. ``sh`` blocks are
commands only. A step the page describes in words (edit these lines) is done
by a comment the reader does not see, ``<!-- doc-run: COMMAND -->``, run in its
place. A file the page shows whole (a policy, a facts file) is written where the
reader would save it by a comment ``<!-- doc-file: PATH -->`` on the line before its
block: what is run is exactly what is shown.

Two kinds of command are not run: ``pip install`` (the package is installed
already) and ``python -m pytest`` (the suite itself).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
#: Commands that are not run, by how they start.
NOT_RUN = ("pip install", "python -m pytest", "python3 -m pytest")
ELLIPSIS = "…"


@dataclass
class Command:
    """One command of a page, with the output the page shows for it (None: none shown)."""

    line: int
    text: str
    shown: list[str] | None = field(default=None)


def _blocks(text: str) -> list[tuple[int, str, list[str]]]:
    """Each ``console``/``sh`` block of a page: its first line, its language, its lines."""
    found, lines = [], text.splitlines()
    index = 0
    while index < len(lines):
        hidden = re.fullmatch(r"<!-- doc-run: (.*) -->\s*", lines[index])
        if hidden is not None:  # a step the page describes in words, done for the reader
            found.append((index + 1, "sh", [hidden.group(1)]))
        saved = re.fullmatch(r"<!-- doc-file: (\S+) -->\s*", lines[index])
        if saved is not None and index + 1 < len(lines) and lines[index + 1].startswith("```"):
            end = index + 2
            while end < len(lines) and not lines[end].startswith("```"):
                end += 1
            found.append((index + 3, "sh", _saving(saved.group(1), lines[index + 2 : end])))
            index = end + 1
            continue
        opening = re.fullmatch(r"```(console|sh)\s*", lines[index])
        if opening is None:
            index += 1
            continue
        end = index + 1
        while end < len(lines) and not lines[end].startswith("```"):
            end += 1
        found.append((index + 2, opening.group(1), lines[index + 1 : end]))
        index = end + 1
    return found


def _saving(path: str, lines: list[str]) -> list[str]:
    """The script that saves ``lines`` as the file ``path`` (its folder made)."""
    assert "DOC_FILE_END" not in lines, path
    folder = str(Path(path).parent)
    return [f"mkdir -p '{folder}' && cat > '{path}' <<'DOC_FILE_END'", *lines, "DOC_FILE_END"]


def _commands(page: Path) -> list[Command]:
    commands: list[Command] = []
    for first, language, lines in _blocks(page.read_text(encoding="utf-8")):
        if language == "sh":  # a script: run whole, here-documents and all
            script = [line for line in lines if not line.strip().startswith(NOT_RUN)]
            commands.append(Command(first, "\n".join(script)))
            continue
        position = 0
        while position < len(lines):
            line = lines[position]
            at = first + position
            position += 1
            if line.startswith("$ "):
                text = line[2:]
                while text.endswith("\\") and position < len(lines):  # a continued line
                    text = text[:-1] + " " + lines[position].strip()
                    position += 1
                heredoc = re.search(r"<<-?\s*'?(\w+)'?", text)
                if heredoc is not None:  # the document's lines are the command's
                    while position < len(lines):
                        text += "\n" + lines[position]
                        position += 1
                        if lines[position - 1].strip() == heredoc.group(1):
                            break
                if text.strip() and not text.lstrip().startswith("#"):
                    commands.append(Command(at, text, []))
            elif commands and commands[-1].shown is not None:
                commands[-1].shown.append(line)
    for command in commands:
        if command.shown == []:
            command.shown = None
    return commands


def _pattern(shown: list[str]) -> re.Pattern[str]:
    """The shown output as a pattern over the output's lines (see the module's docstring)."""
    parts = []
    for line in shown:
        if line.strip() == ELLIPSIS:
            parts.append(r"(?:[^\n]*\n)*?")
        else:
            pieces = [re.escape(p) for p in line.rstrip().split(ELLIPSIS)]
            parts.append("[^\n]*?".join(pieces) + r"[ \t]*\n")
    return re.compile("".join(parts))


def _sandbox(tmp: Path) -> dict[str, str]:
    """A folder with the shipped policies and examples, and an environment whose
    ``policyengine`` and ``python`` are this interpreter's."""
    for name in ("policies", "examples", "tests/fixtures/policies"):
        shutil.copytree(ROOT / name, tmp / name)
    bin_dir = tmp / ".bin"
    bin_dir.mkdir()
    for name, run in (("policyengine", "-m policyengine"), ("python", ""), ("python3", "")):
        script = bin_dir / name
        script.write_text(f'#!/bin/sh\nexec "{sys.executable}" {run} "$@"\n', encoding="utf-8")
        script.chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    env.update({"LC_ALL": "C.UTF-8", "PYTHONIOENCODING": "utf-8", "COLUMNS": "200"})
    env["PYTHONUNBUFFERED"] = "1"  # standard output and error interleaved as on a terminal
    # Ledger runs recorded at one fixed time: the guides' run hashes are the same everywhere.
    env["SOURCE_DATE_EPOCH"] = "1775001600"  # 2026-04-01T00:00:00Z
    env.pop("PYTEST_ADDOPTS", None)
    return env


#: Pages whose commands do not yet all run as shown, and why. Marked as expected to fail
#: (strictly: the mark must go once the page is right). None today.
NOT_YET: dict[str, str] = {}


def _pages_with_commands() -> list[object]:
    return [
        pytest.param(page, marks=pytest.mark.xfail(reason=NOT_YET[page.name]))
        if page.name in NOT_YET
        else page
        for page in PAGES
        if _commands(page)
    ]


@pytest.mark.parametrize("page", _pages_with_commands(), ids=lambda p: getattr(p, "name", "?"))
def test_every_command_shown_runs_as_shown(page: Path, tmp_path: Path) -> None:
    env = _sandbox(tmp_path)
    failures = []
    for command in _commands(page):
        if command.text.strip().startswith(NOT_RUN):
            continue
        done = subprocess.run(
            ["bash", "-c", command.text],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,  # one stream, in the order a terminal shows it
            text=True,
            timeout=300,
        )
        output = done.stdout.replace(str(tmp_path) + "/", "")
        where = f"{page.name}:{command.line}: $ {command.text}"
        if command.shown is None:
            if done.returncode != 0:
                failures.append(f"{where}\n  exit {done.returncode}\n{output[-2000:]}")
            continue
        if not _pattern(command.shown).fullmatch(
            output if output.endswith("\n") else output + "\n"
        ):
            shown = "\n".join(command.shown)
            failures.append(f"{where}\n--- shown\n{shown}\n--- got\n{output[-3000:]}")
        if failures and page.name in NOT_YET:
            break  # known not to run yet: its first difference is enough to say so
    assert not failures, f"{len(failures)} commands differ from the page:\n\n" + "\n\n".join(
        failures
    )


# --- Python blocks ------------------------------------------------------------------


def _python_blocks(page: Path) -> list[tuple[int, str]]:
    """Each ``python`` block of a page, with its first line."""
    lines, found, index = page.read_text(encoding="utf-8").splitlines(), [], 0
    while index < len(lines):
        if lines[index].strip() != "```python":
            index += 1
            continue
        end = index + 1
        while end < len(lines) and not lines[end].startswith("```"):
            end += 1
        found.append((index + 2, "\n".join(lines[index + 1 : end])))
        index = end + 1
    return found


#: The pages whose ``python`` blocks are programs. (api.md's are signatures: its examples
#: are ``pycon`` blocks, run by tests/test_docs.py; design.md's are fragments of the code.)
PYTHON_PAGES = [ROOT / "README.md"]


def _pages_with_python() -> list[Path]:
    return [page for page in PYTHON_PAGES if _python_blocks(page)]


@pytest.mark.parametrize("page", _pages_with_python(), ids=lambda p: p.name)
def test_every_python_block_runs(
    page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page's Python blocks run in order in one namespace, in a folder with the shipped
    policies and examples: a name a block uses is defined on the page."""
    _sandbox(tmp_path)
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "__docs__"}
    failures = []
    for line, source in _python_blocks(page):
        try:
            exec(compile(source, f"{page.name}:{line}", "exec"), namespace)
        except Exception as exc:
            failures.append(f"{page.name}:{line}: {type(exc).__name__}: {exc}")
    assert not failures, "\n".join(failures)
