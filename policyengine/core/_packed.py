"""Bytes held zlib-compressed, with the SHA-256 and size of the bytes themselves.

A month's canonical inputs and its outputs are tens to hundreds of MB of very
repetitive JSON (a month of 2,000,000 calls: some 500 MB of inputs and 300 MB
of outputs). They are compressed as they are encoded, a piece at a time, and
hashed on the way: the whole is never in memory, and the ledger stores the
compressed bytes as they are (schema 3 keeps documents zlib-compressed) instead
of unpacking them to hash and compress them again.

What is hashed, recorded and replayed is always the bytes themselves; the
compression is only how they are held, and any zlib level reads back the same.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Iterable

import attrs

from ..errors import LedgerError

__all__ = ["LEVEL", "Packed", "raw", "sha256_of"]

#: zlib's level 3: the fastest of the levels that matter on a month's JSON, streamed a
#: piece at a time. Measured on a month of 200,000 calls (51 MB of inputs, 31 MB of
#: outputs): levels 1 to 3 take 0.15 s for both and keep them in 3.6 MB (level 1) to
#: 3.2 MB (level 3); level 6 takes 0.35 s for 2.5 MB, level 9 1.2 s for 2.3 MB. Every
#: month pays the inputs' packing, recorded or not, so the time counts more than the
#: archive's size (3.2 MB a month of 200,000 calls).
LEVEL = 3


@attrs.frozen(init=False)
class Packed:
    """``size`` bytes whose SHA-256 is ``sha256``, held as the zlib stream ``packed``.

    Made by :meth:`of` or :meth:`streamed`, which hash the bytes themselves. Made
    from parts (``Packed(sha256, size, packed)``: bytes packed elsewhere) it is
    unpacked and checked first, so that no ledger is handed a hash its bytes do
    not have (``blob-mismatch``).
    """

    sha256: str
    size: int
    packed: bytes = attrs.field(repr=False)

    def __init__(self, sha256: str, size: int, packed: bytes) -> None:
        try:
            data = zlib.decompress(packed)
        except (zlib.error, TypeError):
            data = None
        actual = None if data is None else hashlib.sha256(data).hexdigest()
        if data is None or actual != sha256 or len(data) != size:
            raise LedgerError(
                f"packed bytes: {sha256!r} and {size!r} are not the SHA-256 and size of the"
                f" bytes held" + ("" if data is not None else " (no zlib stream)"),
                code="blob-mismatch",
                hint="make it with Packed.of(data), or pass the SHA-256 and size of exactly"
                " the bytes the zlib stream holds",
                details={"actual": actual, "size": None if data is None else len(data)},
            )
        self.__attrs_init__(sha256, size, packed)

    @classmethod
    def _made(cls, sha256: str, size: int, packed: bytes) -> Packed:
        """One whose hash and size were taken of the bytes as they were packed here."""
        made = object.__new__(cls)
        made.__attrs_init__(sha256, size, packed)
        return made

    @classmethod
    def of(cls, data: bytes) -> Packed:
        return cls._made(hashlib.sha256(data).hexdigest(), len(data), zlib.compress(data, LEVEL))

    @classmethod
    def streamed(cls, pieces: Iterable[bytes]) -> Packed:
        """The concatenation of ``pieces``, hashed and compressed one piece at a time."""
        digest = hashlib.sha256()
        packer = zlib.compressobj(LEVEL)
        packed: list[bytes] = []
        size = 0
        for piece in pieces:
            digest.update(piece)
            size += len(piece)
            packed.append(packer.compress(piece))
        packed.append(packer.flush())
        return cls._made(digest.hexdigest(), size, b"".join(packed))

    def unpacked(self) -> bytes:
        return zlib.decompress(self.packed)


def raw(document: bytes | Packed) -> bytes:
    """A document's bytes, unpacked if it is held packed."""
    return document.unpacked() if isinstance(document, Packed) else document


def sha256_of(document: bytes | Packed) -> str:
    """The SHA-256 of a document's bytes, without unpacking one held packed."""
    return document.sha256 if isinstance(document, Packed) else hashlib.sha256(document).hexdigest()
