"""The one error type the CLI turns into a one-line message and a non-zero exit."""


class EdgeError(Exception):
    """A problem the user can fix (bad input, missing file, failed check); shown without traceback."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code
