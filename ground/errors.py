"""The one error type the CLI turns into a one-line message and a non-zero exit, and how a file's
name is printed: escaped on a terminal line (`printable`), valid UTF-8 in JSON (`path_fields`)."""

from __future__ import annotations

import base64
import os

# the control characters (C0, DEL, C1) as Python writes them in a string literal: \n, \t, \x1b, \x9b
_CONTROL_ESCAPES = {code: repr(chr(code))[1:-1] for code in (*range(0x20), *range(0x7F, 0xA0))}


class EdgeError(Exception):
    """A problem the user can fix (bad input, missing file, failed check); shown without traceback."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def printable(text: object) -> str:
    """`text` (a path, say) as one line the terminal can always print: bytes that are not UTF-8 (a file
    name from another system) and control characters (a newline, an escape) become backslash escapes,
    e.g. `bad\\nname.png`, `\\xff.png`. Applying it twice changes nothing more."""
    text = str(text)
    try:
        raw = text.encode("utf-8", "surrogateescape")  # the file name's own bytes, as the system gave them
    except UnicodeEncodeError:
        raw = text.encode("utf-8", "backslashreplace")
    return raw.decode("utf-8", "backslashreplace").translate(_CONTROL_ESCAPES)


def path_fields(path: str | os.PathLike, key: str = "path") -> dict[str, str]:
    """`{key: path}` for a JSON line, valid UTF-8 whatever the file's name: bytes that are not UTF-8
    become U+FFFD, and then `{key}_bytes` holds the name's own bytes in base64."""
    raw = os.fsencode(path)
    text = raw.decode("utf-8", "replace")
    if text == os.fsdecode(raw):
        return {key: text}
    return {key: text, f"{key}_bytes": base64.b64encode(raw).decode("ascii")}


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message (its type's name when it has none)."""
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so that the same cleanup runs (see `raise_terminated`)."""


def raise_terminated(signum: int, frame: object) -> None:
    """A SIGTERM handler: unwind the program as Ctrl-C does, through every `finally`."""
    raise Terminated
