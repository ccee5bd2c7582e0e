"""Write files and folders so that a crash or a failed check never leaves a half-written one."""

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
    fd, name = tempfile.mkstemp(prefix=f".{final.stem}.", suffix=f".partial{final.suffix}", dir=final.parent)
    staged = Path(name)
    try:
        os.fchmod(fd, FILE_MODE)  # mkstemp makes it private; the final file is an ordinary one
        with os.fdopen(fd, "wb") as handle:
            if data is not None:
                handle.write(data)
        yield staged
    finally:
        with contextlib.suppress(FileNotFoundError):
            staged.unlink()


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file in the same folder, then rename it."""
    with staged_path(path, data) as staged:
        os.replace(staged, path)


def atomic_write_text(path: Path, text: str) -> None:
    """Write UTF-8 `text` to `path` atomically."""
    atomic_write_bytes(path, text.encode("utf-8"))


@contextlib.contextmanager
def staging_dir(final: Path, overwrite: bool = False) -> Iterator[Path]:
    """Yield a hidden sibling folder to fill; it becomes `final` only if the block succeeds.

    On any exception the staging folder is removed and `final` is left as it was.
    """
    final = Path(final)
    if final.exists() and not overwrite:
        raise EdgeError(f"{final} already exists (use --overwrite to replace it)")
    final.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{final.name}.", suffix=".partial", dir=final.parent))
    stage.chmod(DIR_MODE)  # mkdtemp makes it private; the final folder is an ordinary one
    try:
        yield stage
        if final.exists():
            if not overwrite:
                raise EdgeError(f"{final} already exists (use --overwrite to replace it)")
            shutil.rmtree(final)
        os.replace(stage, final)
    finally:
        if stage.exists():
            shutil.rmtree(stage, ignore_errors=True)
