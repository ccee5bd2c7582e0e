"""Read small files we do not control: only a regular file is read, and only up to a size limit (a FIFO
would block forever, `/dev/zero` never ends, a folder holds no text)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ground.errors import EdgeError, printable


def file_kind(mode: int) -> str:
    """What a file whose `st_mode` is `mode` is, when it is not a regular file ("a FIFO", "a folder")."""
    kinds = {stat.S_ISFIFO: "a FIFO", stat.S_ISCHR: "a character device", stat.S_ISBLK: "a block device"}
    kinds |= {stat.S_ISSOCK: "a socket", stat.S_ISDIR: "a folder"}
    return next((name for test, name in kinds.items() if test(mode)), "not a file")


def read_regular_file(path: Path, max_bytes: int) -> bytes:
    """The bytes of the regular file at `path` (or a symlink to one); EdgeError naming the file when it
    is anything else, cannot be read or holds more than `max_bytes`.

    The file is opened without blocking and its type is checked on the open handle, so a FIFO is
    refused, not waited on, and nothing can be swapped in between the check and the read.
    """
    name = printable(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
        try:
            mode = os.fstat(fd).st_mode
            data = _read(fd, max_bytes + 1) if stat.S_ISREG(mode) else b""
        finally:
            os.close(fd)
    except OSError as exc:
        raise EdgeError(f"{name}: cannot read ({exc.strerror or exc})") from None
    if not stat.S_ISREG(mode):
        raise EdgeError(f"{name}: not a regular file ({file_kind(mode)})")
    if len(data) > max_bytes:
        raise EdgeError(f"{name}: larger than {max_bytes:,} bytes")
    return data


def _read(fd: int, size: int) -> bytes:
    with open(fd, "rb", closefd=False) as handle:
        return handle.read(size)
