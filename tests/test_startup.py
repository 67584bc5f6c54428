"""Starting is light: the parser and ``import policyengine`` load none of the engine, and
every public name still resolves (the times themselves are in benchmarks/bench_startup.py)."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

import pytest

import policyengine
from policyengine.cli._commands import COMMANDS
from policyengine.cli._main import LANGUAGE_NAMES, parser
from policyengine.core._languages import LANGUAGES

#: Modules only a command that needs them may import.
HEAVY = (
    "policyengine.model",
    "policyengine.run",
    "policyengine.load",
    "policyengine.facts",
    "policyengine.present",
    "policyengine.audit",
    "openpyxl",
    "jsonschema",
    "cryptography",
    "charset_normalizer",
    "sqlite3",
    "pandas",
    "yaml",
    "attrs",
)


def _imported_after(code: str) -> list[str]:
    """The modules of HEAVY that running ``code`` in a fresh interpreter imported."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    loaded = json.loads(done.stdout.splitlines()[-1])
    return [m for m in loaded if any(m == h or m.startswith(h + ".") for h in HEAVY)]


def test_import_policyengine_loads_no_engine_module() -> None:
    """`import policyengine` imports nothing heavy; the names load on first use."""
    assert _imported_after("import policyengine") == []


@pytest.mark.parametrize("words", [["--help"], ["--version"]])
def test_help_and_version_load_no_engine_module(words: list[str]) -> None:
    """`policyengine --help` and `--version` build the parser without the engine."""
    code = f"import sys\nfrom policyengine.cli._main import main\nsys.argv[1:] = {words!r}\n"
    code += "try:\n    main()\nexcept SystemExit:\n    pass"
    assert _imported_after(code) == []


def test_every_public_name_resolves() -> None:
    """Each name of __all__ is an attribute, found in its module on first use."""
    for name in policyengine.__all__:
        assert getattr(policyengine, name) is not None, name
    assert policyengine.__version__ == policyengine.ENGINE_VERSION
    assert set(policyengine.__all__) <= set(dir(policyengine))
    with pytest.raises(AttributeError):
        _ = policyengine.no_such_name  # type: ignore[attr-defined]


def test_lang_choices_are_the_languages() -> None:
    """--lang offers exactly the languages a catalogue exists for."""
    assert list(LANGUAGE_NAMES) == sorted(LANGUAGES)


def test_every_command_has_a_description_and_handler() -> None:
    """Every subcommand's --help says what it does, and each has its handler."""
    subparsers = next(a for a in parser()._actions if isinstance(a, argparse._SubParsersAction))
    assert sorted(subparsers.choices) == sorted(c.name for c in COMMANDS)
    for name, sub in subparsers.choices.items():
        assert sub.description and len(sub.description) > 40, name
        assert callable(sub.get_default("handler")), name


def test_load_stays_the_function_once_the_load_package_is_imported() -> None:
    """`policyengine.load` is the function even after the subpackage of that name loads."""
    probe = (
        "import policyengine.load._build, policyengine\n"
        "from policyengine.run._repository import load\n"
        "print(policyengine.load is load)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.stdout.strip() == "True", done.stderr


def test_version_is_printed_on_standard_output(capsys: pytest.CaptureFixture[str]) -> None:
    """`policyengine --version` prints the installed version, as argparse's own did."""
    from policyengine.cli._main import main

    with pytest.raises(SystemExit) as stopped:
        main(["--version"])
    assert stopped.value.code == 0
    assert capsys.readouterr().out == f"policyengine {policyengine.ENGINE_VERSION}\n"


def test_validate_of_an_unsigned_folder_loads_no_cryptography() -> None:
    """Reading an unsigned lock checks no signature: `validate policies/` never imports
    cryptography (a tenth of its start)."""
    code = "import sys\nfrom policyengine.cli._main import main\n"
    code += "sys.argv[1:] = ['validate', 'policies/']\n"
    code += "try:\n    main()\nexcept SystemExit:\n    pass"
    assert "cryptography" not in _imported_after(code)
