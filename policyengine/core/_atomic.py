"""Writing files so that a reader only ever sees the old file or the whole new one.

A file is written under a temporary name in the folder of its target (so that the
rename stays on one file system), flushed and fsynced, then renamed over the
target, and the folder is fsynced so that the rename survives power loss. A kill
or a full disk leaves the old file (or none), never a 0-byte or cut-off one.

:class:`Staging` does the same for several files that belong together (a pay
sheet and its provenance sidecar): they are written into a hidden folder beside
their targets, under their own names, and moved into place together by
:meth:`Staging.commit` — which the month's run calls only once its ledger run is
committed, so that no pay sheet is ever in place that no ledger run records.

Both raise ``OSError`` as it comes, having removed what they wrote; the caller
turns it into its located error.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import stat
from pathlib import Path

__all__ = ["Staging", "fsync_folder", "write_atomically"]


def write_atomically(target: Path, data: bytes) -> None:
    """``target`` replaced by ``data`` as one step (its permission bits kept)."""
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(8)}.tmp")
    try:
        mode = stat.S_IMODE(target.stat().st_mode) if target.exists() else None
        with open(temporary, "xb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    fsync_folder(target.parent)


def fsync_folder(folder: Path) -> None:
    """Make the renames in ``folder`` durable (where the system allows a folder's fsync)."""
    with contextlib.suppress(OSError):  # Windows, and some network file systems
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


class Staging:
    """Files written in a hidden folder beside ``folder``'s targets, moved in together."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.area = folder / f".policyengine-{secrets.token_hex(8)}.tmp"
        self.area.mkdir()

    def path(self, target: Path) -> Path:
        """Where ``target`` (a file of ``folder``) is written until the commit."""
        return self.area / target.name

    def commit(self, written: list[Path]) -> list[Path]:
        """Move the staged files (as the writer named them) over their targets; their
        final paths. Each is fsynced before it is renamed."""
        for staged in written:
            with open(staged, "rb") as stream:
                os.fsync(stream.fileno())
        final = []
        for staged in written:
            target = self.folder / staged.name
            os.replace(staged, target)
            final.append(target)
        fsync_folder(self.folder)
        self.discard()
        return final

    def discard(self) -> None:
        """Remove the hidden folder and whatever is still in it."""
        shutil.rmtree(self.area, ignore_errors=True)
