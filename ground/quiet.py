"""Silence what native libraries (TensorFlow, LiteRT, libpng) write straight to the terminal.

File descriptors belong to the process, not to a thread: when several threads silence at once (`edge
serve`'s camera thread reading frames while an upload is decoded), the first to enter redirects, the last
to leave restores. Without that count, one thread would save the other's /dev/null as "the terminal" and
restore it, silencing stderr for good.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Iterator

_lock = threading.Lock()
_silenced: dict[int, tuple[int, int]] = {}  # fd: (threads inside, the saved original)


@contextlib.contextmanager
def native_output_silenced(stdout: bool = False) -> Iterator[None]:
    """Send file descriptor 2 (and 1 if `stdout`) to /dev/null during the block (thread-safe)."""
    fds = (1, 2) if stdout else (2,)
    with _lock:
        sys.stdout.flush()
        sys.stderr.flush()
        for fd in fds:
            _enter(fd)
    try:
        yield
    finally:
        with _lock:
            sys.stdout.flush()
            sys.stderr.flush()
            for fd in fds:
                _leave(fd)


def restore_output() -> None:
    """Put back every descriptor still silenced, whoever silenced it. A Ctrl-C can land between a
    block's silencing and the code that undoes it; the CLI calls this before it reports how a command
    ended, so that its one line is not written to /dev/null."""
    with _lock:
        for fd in list(_silenced):
            _silenced[fd] = (1, _silenced[fd][1])
            _leave(fd)


def _enter(fd: int) -> None:
    count, saved = _silenced.get(fd, (0, -1))
    if count == 0:
        saved = os.dup(fd)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, fd)
        os.close(devnull)
    _silenced[fd] = (count + 1, saved)


def _leave(fd: int) -> None:
    count, saved = _silenced[fd]
    if count > 1:
        _silenced[fd] = (count - 1, saved)
        return
    os.dup2(saved, fd)
    os.close(saved)
    del _silenced[fd]
