"""Make the message catalogues from the table of templates (needs Babel: ``pip install '.[lint]'``).

    python tools/messages.py            # extract, update and compile, in that order
    python tools/messages.py extract    # policyengine/locale/policyengine.pot from the table
    python tools/messages.py update     # each language's .po gains the new words, loses the gone
    python tools/messages.py compile    # each .po compiled into the .mo shipped in the wheel

The words come from the registry, not from scanning the source: every template of
``policyengine/core/_messages.py`` (``TEMPLATES``: msgctxt the code, msgid the English
message or hint), the words around a problem (``FRAMES``: msgctxt ``frame:<name>``) and
the phrases some details are worded in (``core/_phrases.py``: msgctxt ``detail``) and
every text of the command line's ``--help`` (``cli/_help_words.py``: msgctxt ``cli``), the
month's printed summary (``present/_summary_words.py``: msgctxt ``summary:<name>``) and
the other lines a command prints (``cli/_line_words.py``, ``LINES``: msgctxt ``line:<name>``)
and the text the library itself makes — explanations, test outcomes, how a lock or a
ledger is signed (``core/_text_templates.py``, ``TEXTS``: msgctxt ``text:<name>``).
A translator edits ``policyengine/locale/<locale>/LC_MESSAGES/policyengine.po``; a word
left empty or marked fuzzy is said in English. tests/test_locale.py fails while the
.pot, a .po or a .mo is behind the table.
"""

from __future__ import annotations

import datetime
import io
import sys
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from policyengine.cli._help_words import HELP_CONTEXT, help_words  # noqa: E402
from policyengine.cli._line_words import LINES  # noqa: E402
from policyengine.cli._main import parser  # noqa: E402
from policyengine.core._languages import DOMAIN, LANGUAGES, LOCALE_DIR  # noqa: E402
from policyengine.core._messages import FRAMES, TEMPLATES, Words  # noqa: E402
from policyengine.core._phrases import DETAIL_CONTEXT, PHRASES, WHOLE_PHRASES  # noqa: E402
from policyengine.core._text_templates import TEXTS  # noqa: E402
from policyengine.present._summary_words import SUMMARY_WORDS  # noqa: E402

POT = LOCALE_DIR / f"{DOMAIN}.pot"
#: A fixed creation date: the files change only when their words do.
_DATE = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
HEADER = """\
# The words of policyengine's problems, from policyengine/core/_messages.py.
# Made by tools/messages.py: edit the msgstr lines only, then run it again.
#"""


def words() -> Iterator[tuple[str, str, str]]:
    """(msgctxt, msgid, a note for the translator) of every word to translate, in table order."""
    for (code, form), template in TEMPLATES.items():
        said = f"form '{form}'" if form else "the only form"
        for part, text in (("message", template.message), ("hint", template.hint)):
            if text:
                yield code, text, f"{code}, {said}: the {part}"
    yield from _named(FRAMES, "around a problem")
    for phrase in PHRASES:
        yield DETAIL_CONTEXT, phrase, "a detail worded in English where it was found"
    for phrase in WHOLE_PHRASES:
        yield DETAIL_CONTEXT, phrase, "a value or an argument an evaluation error names"
    for text in help_words(parser(None, "en")):
        yield HELP_CONTEXT, text, "the command line's --help"
    yield from _named(SUMMARY_WORDS, "the month's printed summary")
    yield from _named(LINES, "a line a command prints")
    yield from _named(TEXTS, "text the library makes")


def _named(words: Words, note: str) -> Iterator[tuple[str, str, str]]:
    """(msgctxt, msgid, note) of each of ``words``: the context is the table's and the name."""
    for name, text in words.english.items():
        yield words.context + name, text, f"{note}: {name}"


def template_catalogue() -> Catalog:
    """The .pot: every word, untranslated, with the notes a translator needs."""
    catalogue = Catalog(
        project="policyengine",
        version="(the table of templates)",
        header_comment=HEADER,
        copyright_holder="policyengine",
        msgid_bugs_address="",
        last_translator="policyengine",
        language_team="policyengine",
        creation_date=_DATE,
        revision_date=_DATE,
        fuzzy=False,
    )
    for context, text, note in words():
        known = catalogue.get(text, context=context)
        if known is not None:
            known.auto_comments.append(note)
            continue
        catalogue.add(text, context=context, auto_comments=[note])
    return catalogue


def po_path(folder: str) -> Path:
    return LOCALE_DIR / folder / "LC_MESSAGES" / f"{DOMAIN}.po"


def folders() -> list[str]:
    return [folder for folder in LANGUAGES.values() if folder is not None]


def po_text(catalogue: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(out, catalogue, width=0, omit_header=False, sort_output=False)
    return out.getvalue()


def mo_bytes(po: Path) -> bytes:
    """What Babel compiles from the .po at ``po`` (fuzzy and empty words left out)."""
    with po.open("rb") as handle:
        catalogue = read_po(handle)
    out = io.BytesIO()
    write_mo(out, catalogue, use_fuzzy=False)
    return out.getvalue()


def extract() -> None:
    POT.write_bytes(po_text(template_catalogue()))


def update() -> None:
    template = template_catalogue()
    for folder in folders():
        path = po_path(folder)
        with path.open("rb") as handle:
            catalogue = read_po(handle, locale=folder)
        # No fuzzy matching: a guessed translation of changed words would be said as is.
        catalogue.update(template, no_fuzzy_matching=True, update_creation_date=False)
        catalogue.obsolete.clear()
        path.write_bytes(po_text(catalogue))


def compile_all() -> None:
    for folder in folders():
        po = po_path(folder)
        po.with_suffix(".mo").write_bytes(mo_bytes(po))


STEPS = {"extract": extract, "update": update, "compile": compile_all}


def main(argv: list[str]) -> int:
    chosen = argv or list(STEPS)
    unknown = [step for step in chosen if step not in STEPS]
    if unknown:
        print(f"unknown step {unknown[0]!r}; steps: {', '.join(STEPS)}", file=sys.stderr)
        return 2
    for step in chosen:
        STEPS[step]()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
