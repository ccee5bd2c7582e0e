"""Write files and folders so that a crash or a failed check never leaves a half-written one.

A write that fails (disk full, read-only folder, a file where a folder should be) raises EdgeError
naming the file and the reason, and leaves neither the file nor its temporary copy behind, nor an
empty folder it made for them (`output_folder`).
Temporary names are hidden siblings of the result: `.{stem}.XXXXXXXX.partial{suffix}` for a file,
`.{name}.XXXXXXXX.partial` for a folder. A killed process leaves them behind; `sweep_partials`
removes them at the start of the next run into the same folder.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from ground.errors import EdgeError

FILE_MODE = 0o644
DIR_MODE = 0o755
# temporary names (see the module docstring)
PARTIAL = re.compile(r"^\.(?P<name>.+)\.[A-Za-z0-9_]{8}\.partial(?P<suffix>\.[^.]+)?$")
WRITE_ERRNOS = frozenset(  # a full disk, a read-only or foreign folder: the user can fix these
    {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EACCES, errno.EPERM}
)


@contextlib.contextmanager
def staged_path(final: Path, data: bytes | None = None) -> Iterator[Path]:
    """A hidden temporary file beside `final` (holding `data`, if given) for the block to fill or check.

    Move it into place with `replace(staged, final)`; whatever is left is removed on exit. A failed
    write raises an EdgeError naming `final`, not the temporary name.
    """
    final = Path(final)
    staged = None
    try:
        with _naming(final):
            fd, name = tempfile.mkstemp(
                prefix=f".{final.stem}.", suffix=f".partial{final.suffix}", dir=final.parent
            )
            staged = Path(name)
            try:
                os.fchmod(fd, FILE_MODE)  # mkstemp makes it private; the final file is an ordinary one
                view = memoryview(data or b"")
                while view:
                    view = view[os.write(fd, view) :]
            finally:
                os.close(fd)
        yield staged
    finally:
        if staged is not None:
            with contextlib.suppress(FileNotFoundError):
                staged.unlink()


def replace(staged: Path, final: Path) -> None:
    """`os.replace(staged, final)`; a failure raises an EdgeError naming `final`."""
    with _naming(final):
        os.replace(staged, final)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file in the same folder, then rename it."""
    with staged_path(path, data) as staged:
        replace(staged, path)


def atomic_write_text(path: Path, text: str) -> None:
    """Write UTF-8 `text` to `path` atomically."""
    atomic_write_bytes(path, text.encode("utf-8"))


@contextlib.contextmanager
def staging_dir(final: Path, overwrite: bool = False) -> Iterator[Path]:
    """Yield a hidden sibling folder to fill; it becomes `final` only if the block succeeds.

    On any exception the staging folder is removed and `final` is left as it was; an OSError (from
    the block too: disk full, read-only folder) becomes an EdgeError naming the file.
    """
    final = Path(final)
    if final.exists() and not overwrite:
        raise EdgeError(f"{final} already exists (use --overwrite to replace it)")
    with output_folder(final.parent):
        with _naming(final):
            stage = Path(tempfile.mkdtemp(prefix=f".{final.name}.", suffix=".partial", dir=final.parent))
        try:
            stage.chmod(DIR_MODE)  # mkdtemp makes it private; the final folder is an ordinary one
            yield stage
            if final.exists():
                if not overwrite:
                    raise EdgeError(f"{final} already exists (use --overwrite to replace it)")
                shutil.rmtree(final)
            replace(stage, final)
        except OSError as exc:
            raise write_error(_file_named(exc, final), exc) from None
        finally:
            if stage.exists():
                shutil.rmtree(stage, ignore_errors=True)


def sweep_partials(folder: Path, name: str | None = None) -> list[Path]:
    """Remove the temporary files and folders a killed run left in `folder` (only those of `name`,
    e.g. a run folder's, when given); returns what was removed. One writer per folder at a time."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    removed = []
    for path in sorted(folder.iterdir()):
        match = PARTIAL.match(path.name)
        if match is None or (name is not None and match["name"] != name):
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
        removed.append(path)
    return removed


@contextlib.contextmanager
def write_errors(target: Path) -> Iterator[None]:
    """Turn a failed write (disk full, read-only or foreign folder) into one EdgeError naming the
    file (or `target` when the error names none); other errors pass through."""
    try:
        yield
    except OSError as exc:
        if exc.errno not in WRITE_ERRNOS:
            raise
        raise write_error(
            final_name(exc.filename) if isinstance(exc.filename, str) else target, exc
        ) from None


def ensure_folder(path: Path) -> Path:
    """Make the folder `path` (and its parents) unless it exists; EdgeError if it cannot be."""
    path = check_folder(path)
    with _naming(path):
        path.mkdir(parents=True, exist_ok=True)
    return path


def check_folder(path: Path) -> Path:
    """`path`, unless it is something other than a folder (EdgeError); it need not exist yet."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise EdgeError(f"{path} is a file, not a folder")
    return path


@contextlib.contextmanager
def output_folder(path: Path) -> Iterator[Path]:
    """The folder `path` for the block to write into, made with its missing parents (`ensure_folder`).

    If the block fails (a full disk, Ctrl-C, a bad input found late), the folders made here that are
    still empty are removed again; a folder holding files written before the failure stays.
    """
    path = Path(path)
    made = _missing_folders(path)
    try:
        yield ensure_folder(path)
    except BaseException:
        for folder in made:
            with contextlib.suppress(OSError):  # not empty, or already gone
                folder.rmdir()
        raise


def _missing_folders(path: Path) -> list[Path]:
    """`path` and those of its parents that do not exist yet, deepest first."""
    missing = []
    for folder in (path, *path.parents):
        if folder.exists() or folder.is_symlink():
            break
        missing.append(folder)
    return missing


def write_error(path: Path, exc: OSError) -> EdgeError:
    """The one-line EdgeError for a failed write of `path`: `cannot write PATH (No space left on device)`."""
    return EdgeError(f"cannot write {path} ({os_reason(exc)})")


def os_reason(exc: OSError) -> str:
    """The reason in an OSError, without its file names (shutil.copytree collects a list of them)."""
    if isinstance(exc, shutil.Error) and exc.args and isinstance(exc.args[0], list) and exc.args[0]:
        return str(exc.args[0][0][-1])  # (source, destination, reason) of the first failed copy
    return exc.strerror or str(exc)


def final_name(path: Path | str) -> Path:
    """`path` with every temporary name in it replaced by the name it stands for:
    `runs/.resnet.x1y2z3a4.partial/model.keras` → `runs/resnet/model.keras`."""
    parts = []
    for part in Path(path).parts:
        match = PARTIAL.match(part)
        parts.append(match["name"] + (match["suffix"] or "") if match else part)
    return Path(*parts)


def _file_named(exc: OSError, default: Path) -> Path:
    """The file `exc` names, by its final name (not a temporary one), else `default`."""
    return final_name(exc.filename) if isinstance(exc.filename, str) else default


@contextlib.contextmanager
def _naming(final: Path) -> Iterator[None]:
    """Re-raise an OSError as the EdgeError of a failed write of `final` (not a hidden temporary name)."""
    try:
        yield
    except OSError as exc:
        raise write_error(final, exc) from None
