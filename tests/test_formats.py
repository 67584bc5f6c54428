"""Facts readers and output writers are chosen by suffix, each from one registry: a new
format is its own module and one registry line, and whatever names or chooses a format
follows the registry."""

from __future__ import annotations

from pathlib import Path
from typing import cast

import pytest
from helpers import TsvReader

import policyengine.facts._io as facts_io
from policyengine.cli._main import main
from policyengine.errors import FactsFileError, OutputError
from policyengine.present import _writers as writers
from policyengine.present._output import WriteRequest
from policyengine.run._bundle import BundleResult


class TextWriter:
    """An output format the package does not have; it notes what it was handed."""

    suffix = ".txt"
    name = "text"
    holds = "one line"

    def __init__(self) -> None:
        self.handed: list[tuple[object, Path, str | None]] = []

    def write(self, request: WriteRequest) -> list[Path]:
        self.handed.append((request.result, request.target, request.kind))
        request.target.write_text("written\n", encoding="utf-8")
        return [request.target]


def test_each_reader_and_writer_is_listed_under_its_own_suffix() -> None:
    """A registry's key is its entry's suffix, in lower case with its dot; the hints list
    the suffixes in the registry's order."""
    for registry in (facts_io.READERS, writers.WRITERS):
        for suffix, entry in registry.items():
            assert suffix == entry.suffix == suffix.lower()
            assert suffix.startswith(".") and entry.name
    assert tuple(facts_io.READERS) == facts_io.FORMATS
    assert facts_io.FORMAT_NAMES == ".json, .jsonl, .csv or .xlsx"
    assert writers.REPORT_FORMATS == tuple(writers.WRITERS) == (".xlsx", ".csv", ".json")


def test_a_registered_reader_reads_a_file_and_a_month_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A reader added to READERS is used by read_facts and by a month's folder, with
    nothing else changed; a suffix no reader has is still refused."""
    monkeypatch.setitem(facts_io.READERS, ".tsv", TsvReader())
    folder = tmp_path / "2026-01"
    folder.mkdir()
    (folder / "rep.TSV").write_text("rep_id\tname\nR1\t张三\nR2\t李四\n", encoding="utf-8")
    (folder / "notes.md").write_text("not facts", encoding="utf-8")
    facts = facts_io.read_facts(folder / "rep.TSV")
    assert facts.records == ({"rep_id": "R1", "name": "张三"}, {"rep_id": "R2", "name": "李四"})
    assert facts.lines == (2, 3)
    by_kind = facts_io.read_bundle_facts(folder, {})
    assert list(by_kind) == ["rep"] and by_kind["rep"].records == facts.records
    with pytest.raises(FactsFileError) as caught:
        facts_io.read_facts(folder / "notes.md")
    assert caught.value.code == "unknown-format"


def test_a_registered_writer_is_checked_and_written(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A writer added to WRITERS passes check_format and is handed write_report's result,
    target (its folder made) and kind; another suffix is still refused, naming the formats,
    the registered one included."""
    writer = TextWriter()
    monkeypatch.setitem(writers.WRITERS, ".txt", writer)
    result = cast(BundleResult, object())  # the writer only passes it on
    target = tmp_path / "out" / "2026-01.TXT"
    writers.check_format(target)
    assert writers.write_report(result, target, kind="rep") == [target]
    # Handed a file of the target's name in a staging folder beside it, moved in after.
    ((handed, staged, kind),) = writer.handed
    assert (handed, staged.name, staged.parent.parent, kind) == (
        result,
        target.name,
        target.parent,
        "rep",
    )
    assert [p.name for p in target.parent.iterdir()] == [target.name]
    assert target.read_text(encoding="utf-8") == "written\n"
    with pytest.raises(OutputError) as caught:
        writers.check_format(tmp_path / "2026-01.ods")
    assert caught.value.code == "unknown-format"
    # The hint names the writers registered now, the new one included.
    assert caught.value.hint == "name the output .xlsx, .csv, .json or .txt"


def test_the_command_line_help_names_every_format(capsys: pytest.CaptureFixture[str]) -> None:
    """run's --facts and --out and eval's --facts name the formats their registries hold."""
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    run_help = " ".join(capsys.readouterr().out.split())
    assert "<kind>.csv/.json/.jsonl/.xlsx files" in run_help
    for writer in writers.WRITERS.values():
        assert f"{writer.suffix} ({writer.holds})" in run_help
    with pytest.raises(SystemExit):
        main(["eval", "--help"])
    eval_help = " ".join(capsys.readouterr().out.split())
    assert f"records: {facts_io.FORMAT_NAMES}" in eval_help
