"""The one error type the CLI turns into a one-line message and a non-zero exit."""


class EdgeError(Exception):
    """A problem the user can fix (bad input, missing file, failed check); shown without traceback."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def printable(text: object) -> str:
    """`text` (a path, say) as a string the terminal can always print: bytes that are not UTF-8
    (a file name from another system) become backslash escapes."""
    text = str(text)
    try:
        raw = text.encode("utf-8", "surrogateescape")  # the file name's own bytes, as the system gave them
    except UnicodeEncodeError:
        raw = text.encode("utf-8", "backslashreplace")
    return raw.decode("utf-8", "backslashreplace")


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message (its type's name when it has none)."""
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so that the same cleanup runs (see `raise_terminated`)."""


def raise_terminated(signum: int, frame: object) -> None:
    """A SIGTERM handler: unwind the program as Ctrl-C does, through every `finally`."""
    raise Terminated
