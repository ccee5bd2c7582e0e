"""Write files and folders so that a crash or a failed check never leaves a half-written one."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from edge_runtime.errors import EdgeError


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file in the same folder, then rename it."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


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
