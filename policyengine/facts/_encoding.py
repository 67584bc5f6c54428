"""The text encoding of a CSV file as Excel saves it: UTF-8 first, else detected.

Excel's "CSV UTF-8" is UTF-8 with a BOM; its plain "CSV" on a Chinese
Windows is GBK (GB18030 covers it), and its "Unicode text" is UTF-16 with a
BOM. A file that is strict UTF-8 takes the quick way and nothing is
detected. Any other file is looked at with ``charset-normalizer``: when it is
wholly in one of the encodings Excel writes, it is read in that encoding
and the month's summary says which. Otherwise it is UTF-8 with a few bad
bytes: those rows are refused, each alone (``not-utf8``), and the rest read.
"""

from __future__ import annotations

import codecs

import attrs

__all__ = ["Encoding", "csv_encoding"]

#: The encodings Excel saves CSV or text in, as Python names them (by the names the
#: detector gives). Anything else detected is taken for UTF-8 with bad bytes: a
#: single-byte code page decodes any bytes at all, and would turn them into nonsense.
_EXCEL_ENCODINGS = {
    "gb18030": "gb18030",
    "gbk": "gb18030",
    "gb2312": "gb18030",
    "hz": "gb18030",
    "big5": "big5",
    "big5hkscs": "big5",
    "utf_16": "utf-16",
    "utf_16_le": "utf-16",
    "utf_16_be": "utf-16",
}
#: GB18030's own BOM (the encoding of U+FEFF).
_GB18030_BOM = b"\x84\x31\x95\x33"
#: How much of a file the detector looks at: enough text to tell, at once for any size.
_SAMPLE = 4 * 2**20


@attrs.frozen
class Encoding:
    """How to decode a text file: the codec, and the name to report (None: UTF-8)."""

    codec: str
    reported: str | None = None
    #: UTF-8 with bytes that are not: each row holding them is refused alone.
    damaged: bool = False


def csv_encoding(raw: bytes) -> Encoding:
    """The encoding of ``raw``, which is not strict UTF-8 (the reader tries that first,
    the quick way): the encoding Excel saved it in, else UTF-8 whose bad bytes spoil
    their rows."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _strict("utf-16", raw) or Encoding("utf-8-sig", damaged=True)
    if raw.startswith(_GB18030_BOM):
        return _strict("gb18030", raw) or Encoding("utf-8-sig", damaged=True)
    if _mostly_utf8(raw[:_SAMPLE]):
        return Encoding("utf-8-sig", damaged=True)
    from charset_normalizer import from_bytes

    # The candidates best first: on a short file a Korean or Japanese code page can
    # score as well as GBK, and only the encodings Excel writes are taken.
    for match in from_bytes(raw[:_SAMPLE]):
        codec = _EXCEL_ENCODINGS.get(match.encoding)
        if codec is not None:
            return _strict(codec, raw) or Encoding("utf-8-sig", damaged=True)
    return Encoding("utf-8-sig", damaged=True)


def _mostly_utf8(sample: bytes) -> bool:
    """Whether ``sample`` is UTF-8 with a few bad bytes rather than another encoding: its
    non-ASCII text reads as UTF-8 at least four times as often as not. (Another
    encoding's text reads as UTF-8 by chance for a few characters in a hundred; a
    GB18030 reading would accept a damaged UTF-8 file, and turn it into nonsense.)"""
    text = sample.decode("utf-8", "replace")
    bad = text.count("\ufffd")
    other = len(text) - len(text.encode("ascii", "ignore"))
    return other - bad >= 4 * bad


def _strict(codec: str, raw: bytes) -> Encoding | None:
    """``codec`` when the whole of ``raw`` decodes in it, else None. UTF-16 only with its
    BOM, as Excel writes it (the stream decoder refuses it without one)."""
    if codec == "utf-16" and not raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None
    try:
        codecs.decode(raw, codec)
    except UnicodeError:  # UnicodeDecodeError, and UTF-16's "does not start with BOM"
        return None
    # utf-16 and gb18030 read their BOM as U+FEFF: the reader strips it from the header.
    return Encoding(codec, codec.upper())
