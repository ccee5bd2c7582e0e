"""Write files and folders so that a crash or a failed check never leaves a half-written one.

A write that fails (disk full, read-only folder, a file where a folder should be) raises EdgeError
naming the file and the reason, and leaves neither the file nor its temporary copy behind.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from ground.errors import EdgeError

FILE_MODE = 0o644
DIR_MODE = 0o755


@contextlib.contextmanager
def staged_path(final: Path, data: bytes | None = None) -> Iterator[Path]:
    """A hidden temporary file beside `final` (holding `data`, if given) for the block to fill or check.

    Move it into place with `os.replace(staged, final)`; whatever is left is removed on exit.
    """
    final = Path(final)
    try:
        fd, name = tempfile.mkstemp(
            prefix=f".{final.stem}.", suffix=f".partial{final.suffix}", dir=final.parent
        )
    except OSError as exc:
        raise write_error(final, exc) from None
    staged = Path(name)
    try:
        try:
            os.fchmod(fd, FILE_MODE)  # mkstemp makes it private; the final file is an ordinary one
            with os.fdopen(fd, "wb") as handle:
                if data is not None:
                    handle.write(data)
        except OSError as exc:
            raise write_error(final, exc) from None
        yield staged
    finally:
        with contextlib.suppress(FileNotFoundError):
            staged.unlink()


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file in the same folder, then rename it."""
    with staged_path(path, data) as staged:
        try:
            os.replace(staged, path)
        except OSError as exc:
            raise write_error(path, exc) from None


def atomic_write_text(path: Path, text: str) -> None:
    """Write UTF-8 `text` to `path` atomically."""
    atomic_write_bytes(path, text.encode("utf-8"))


@contextlib.contextmanager
def staging_dir(final: Path, overwrite: bool = False) -> Iterator[Path]:
    """Yield a hidden sibling folder to fill; it becomes `final` only if the block succeeds.

    On any exception the staging folder is removed and `final` is left as it was; an OSError (from
    the block too: disk full, read-only folder) becomes an EdgeError naming `final`.
    """
    final = Path(final)
    if final.exists() and not overwrite:
        raise EdgeError(f"{final} already exists (use --overwrite to replace it)")
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        stage = Path(tempfile.mkdtemp(prefix=f".{final.name}.", suffix=".partial", dir=final.parent))
    except OSError as exc:
        raise write_error(final, exc) from None
    try:
        stage.chmod(DIR_MODE)  # mkdtemp makes it private; the final folder is an ordinary one
        yield stage
        if final.exists():
            if not overwrite:
                raise EdgeError(f"{final} already exists (use --overwrite to replace it)")
            shutil.rmtree(final)
        os.replace(stage, final)
    except OSError as exc:
        raise write_error(final, exc) from None
    finally:
        if stage.exists():
            shutil.rmtree(stage, ignore_errors=True)


def ensure_folder(path: Path) -> Path:
    """Make the folder `path` (and its parents) unless it exists; EdgeError if it cannot be."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise EdgeError(f"{path} is a file, not a folder")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise write_error(path, exc) from None
    return path


def write_error(path: Path, exc: OSError) -> EdgeError:
    """The one-line EdgeError for a failed write of `path`: `cannot write PATH (No space left on device)`."""
    return EdgeError(f"cannot write {path} ({os_reason(exc)})")


def os_reason(exc: OSError) -> str:
    """The reason in an OSError, without its file names (shutil.copytree collects a list of them)."""
    if isinstance(exc, shutil.Error) and exc.args and isinstance(exc.args[0], list) and exc.args[0]:
        return str(exc.args[0][0][-1])  # (source, destination, reason) of the first failed copy
    return exc.strerror or str(exc)
