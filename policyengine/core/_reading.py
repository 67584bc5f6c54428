"""Reading a file someone else put there: a regular file only, and never more than asked.

A facts folder, a policy folder or a lock path is handed to the engine by a person or
a script, and may hold what is not a file: a named pipe (``open`` waits for a writer
that never comes), a device (``/dev/zero`` never ends, and a month's read would fill
the memory before any size check saw a byte) or a link to either. Such a path is
refused here before a byte is read, and without waiting: it is opened non-blocking
and its kind asked of the open descriptor, so that a path swapped between a check
and the open cannot slip past. A regular file is read up to one byte past the
caller's limit, which is enough to know it is too large.

Both raise ``OSError`` (:class:`NotARegularFile` for what is not a file); the caller
turns it into its located error.
"""

from __future__ import annotations

import errno
import io
import os
import stat

__all__ = ["NotARegularFile", "open_regular", "read_limited"]

#: How much a file that grows while it is read is read on by, at a time.
_PIECE = 1 << 20


class NotARegularFile(OSError):
    """The path is a pipe, a device or a socket: reading it could wait, or never end."""


def open_regular(path: str | os.PathLike[str]) -> io.BufferedReader:
    """``path`` open for binary reading, if it is a regular file (a link is followed)."""
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    try:
        mode = os.fstat(descriptor).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
        if not stat.S_ISREG(mode):
            raise NotARegularFile(errno.EINVAL, "not a regular file", str(path))
        return os.fdopen(descriptor, "rb")
    except BaseException:
        os.close(descriptor)
        raise


def read_limited(path: str | os.PathLike[str], limit: int) -> bytes:
    """At most ``limit + 1`` bytes of the regular file ``path``: more than ``limit`` of
    them means the file is larger than the caller takes.

    A read of ``n`` bytes sets ``n`` bytes aside before it reads, so the first read asks
    for what the file holds (and one byte more, to see its end), not for the limit; a
    file that grows meanwhile is read on a piece at a time."""
    with open_regular(path) as stream:
        size = os.fstat(stream.fileno()).st_size
        data = stream.read(min(size, limit) + 1)
        if len(data) <= size or len(data) > limit:
            return data  # the whole file, or enough to know it is too large
        pieces = [data]
        held = len(data)
        while held <= limit and (piece := stream.read(min(_PIECE, limit + 1 - held))):
            pieces.append(piece)
            held += len(piece)
        return b"".join(pieces)
