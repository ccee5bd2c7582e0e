"""A self-contained deploy folder for a Raspberry Pi (`edge bundle`).

The bundle holds the model and its manifest, copies of the `edge_runtime` and `ground` packages, a
pinned requirements file without TensorFlow, a launcher script, an example systemd unit and a README;
the Pi needs no clone of the repository. It is written through `staging_dir`, so a failure never leaves
a half-made bundle.
"""

from __future__ import annotations

import contextlib
import getpass
import os
import secrets
import shutil
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import edge_runtime
import ground
from edge_runtime.bundle_templates import (
    README,
    SERVE_LINES,
    SERVICE_UNIT,
    WEBCAM_LOG_LINES,
    launcher_text,
)
from edge_runtime.interpreter import check_tflite_file
from ground.atomic import final_name, staging_dir, write_error
from ground.errors import EdgeError, printable
from ground.manifest import line_reader_of, line_reader_path, manifest_path, read_manifest


@dataclass(frozen=True)
class PiRelease:
    """A Raspberry Pi OS 64-bit release the bundle supports: its Debian base, CPython and glibc."""

    name: str  # the Debian codename Raspberry Pi OS shares
    debian: int
    python: str
    glibc: str


PI_RELEASES = (
    PiRelease("bookworm", 12, "3.11", "2.36"),
    PiRelease("trixie", 13, "3.13", "2.41"),
)

# The runtime's packages, pinned to the versions the test suite runs with (tests/test_bundle.py compares
# them), each with Linux aarch64 wheels for every PI_RELEASES' CPython; scripts/check_pi_wheels.py verifies
# that, with their dependencies.
# opencv-python-headless: no X11/OpenGL libraries needed, so it also runs on Pi OS Lite.
# flatbuffers: ai-edge-litert's own dependency, which ground/model_metadata.py also uses directly.
# simplejpeg: apt's picamera2 imports it, and apt's build breaks under NumPy 2 (shadowed by this one).
# anyio, starlette, python-multipart (form uploads), uvicorn, prometheus-client: `edge serve` (pure
# Python); paho-mqtt: its --mqtt (the `mqtt` extra of a pip install, always in the bundle).
RUNTIME_REQUIREMENTS = (
    "ai-edge-litert==2.3.0",
    "anyio==4.16.0",
    "flatbuffers==25.12.19",
    "numpy==2.4.6",
    "opencv-python-headless==5.1.0.95",
    "paho-mqtt==2.2.0",
    "prometheus-client==0.26.0",
    "python-multipart==0.0.34",
    "simplejpeg==1.9.0",
    "starlette==1.10.0",
    "typer==0.29.2",
    "uvicorn==0.55.0",
)
REQUIREMENTS_FILE = "requirements.txt"
LAUNCHER_FILE = "edge"
SERVICE_FILE = "edge-digits.service"
SERVE_ENV_FILE = "serve.env"  # the unit's EDGE_TOKEN with --serve (readable by its owner only)
SERVE_PORT = 8080
README_FILE = "README.md"
PACKAGES = (edge_runtime, ground)  # the runtime and the ground it stands on
DEFAULT_THREADS = 4
_SOURCE_JUNK = shutil.ignore_patterns("__pycache__", "*.pyc", "models")  # the bundled model replaces it


@dataclass(frozen=True)
class Bundle:
    """A written bundle: its folder, the model inside it, and every file it holds (relative paths)."""

    path: Path
    model: Path
    files: tuple[str, ...]
    size_bytes: int


def releases_text() -> str:
    """The supported releases in words: `Bookworm (Debian 12, Python 3.11) or Trixie (...)`."""
    return " or ".join(f"{r.name.title()} (Debian {r.debian}, Python {r.python})" for r in PI_RELEASES)


def requirements_text() -> str:
    """The bundle's requirements.txt."""
    pythons = ", ".join(r.python for r in PI_RELEASES)
    header = f"# edge-digits runtime for Raspberry Pi OS 64-bit (aarch64, Python {pythons}); no TensorFlow.\n"
    return header + "".join(f"{line}\n" for line in RUNTIME_REQUIREMENTS)


def bundling_user() -> str:
    """The account bundling: the user behind `sudo`, else the login name. New Raspberry Pi OS images
    have no `pi` user: the first user is named at setup, usually as on the laptop."""
    return os.environ.get("SUDO_USER") or getpass.getuser()


def unit_user(user: str | None) -> str:
    """The account the unit runs as: `user`, else the bundling user, who must not be root (EdgeError):
    root is only taken when asked for by name."""
    if user:
        return user
    user = bundling_user()
    if user == "root":
        raise EdgeError(
            "the unit would run as root: name the Pi's user with --user NAME (--user root if you mean it)"
        )
    return user


def home_on_pi(user: str) -> PurePosixPath:
    """`user`'s home on Raspberry Pi OS: /home/USER (/root for root), whatever the laptop's layout."""
    return PurePosixPath("/root") if user == "root" else PurePosixPath("/home", user)


def _pinned_version(package: str) -> str:
    return next(r.split("==")[1] for r in RUNTIME_REQUIREMENTS if r.split("==")[0] == package)


def _unit_fields(fields: dict, serve: bool) -> dict:
    """What the systemd unit runs: `edge webcam --headless`, or `edge serve` with its token file."""
    source = f"-m {fields['model']} --source {fields['camera']}"
    journal = f"journalctl -u {fields['service_stem']} -f"
    if not serve:
        return {
            "command": f"webcam {source} --headless",
            "unit_summary": "webcam --headless",
            "purpose": "print the digits the camera reads, at boot, without a screen",
            "journal": f"The readings go to the journal, one line when the reading changes: {journal}",
            "journal_holds": "the readings, a line when one changes",
            "description": "digit readings from the camera to the journal (webcam --headless)",
            "serve_lines": "",
            "log_lines": WEBCAM_LOG_LINES,
            "env_row": "",
        }
    listen = f"--host 0.0.0.0 --port {fields['port']}"
    serve_holds = "its start-up line and any error"  # edge serve logs no readings
    return {
        "command": f"serve {source} {listen}",
        "unit_summary": f"serve {listen}",
        "purpose": f"serve the camera's live reading, a page and an API on port {fields['port']}, at boot",
        "journal": f"The journal holds {serve_holds}: {journal}",
        "journal_holds": f"{serve_holds}; the readings: http://raspberrypi.local:{fields['port']}/",
        "description": f"live digit reading from the camera, page and API on port {fields['port']}",
        "serve_lines": SERVE_LINES.substitute(fields),
        "log_lines": "",
        "env_row": f"| `{SERVE_ENV_FILE}` | the unit's `EDGE_TOKEN`: the token of its page and API |\n",
    }


def _copy_fields(bundle_name: str, user: str, install_dir: PurePosixPath) -> dict:
    """How the README brings the bundle onto the Pi: scp to the unit's user, moved when it lives elsewhere.
    Raspberry Pi OS refuses root logins over SSH, so a root unit's bundle goes through the user's login."""
    login = "YOU" if user == "root" else user
    copied = home_on_pi(login) / bundle_name
    if user == "root":
        move = f"    sudo mv ~/{bundle_name} {install_dir} && sudo -i    # the unit runs as root\n"
        note = "YOU: your login on the Pi; Raspberry Pi OS refuses root logins over SSH"
    else:
        move = "" if install_dir == copied else f"    sudo mv ~/{bundle_name} {install_dir}\n"
        note = "the user the unit runs as; any host name"
    return {"login": login, "login_note": note, "move_lines": move}


@contextlib.contextmanager
def _writing(path: Path) -> Iterator[None]:
    """Name `path` by its final name (not the staging folder's, nor a copy's source) when writing it fails."""
    try:
        yield
    except OSError as exc:
        raise write_error(final_name(path), exc) from None


def _line_reader_to_copy(model: Path) -> Path | None:
    """The line reader that the manifest of `model` names (EdgeError when it names a missing file)."""
    record = line_reader_of(read_manifest(model))
    if record is None:
        return None
    reader = line_reader_path(model, record)
    if not reader.is_file():
        raise EdgeError(f"{printable(reader)}: the line reader {manifest_path(model).name} names is missing")
    return reader


def _fill(stage: Path, models: list[Path], fields: dict, serve: bool) -> None:
    """Write the bundle's files into the staging folder; a failed write names the bundle's file."""
    for source in models:
        with _writing(stage / source.name):
            shutil.copyfile(source, stage / source.name)  # ordinary permissions, whatever the export's were
    for package in PACKAGES:
        source_root = Path(package.__file__).parent
        with _writing(stage / source_root.name):
            shutil.copytree(source_root, stage / source_root.name, ignore=_SOURCE_JUNK)
    texts = {
        REQUIREMENTS_FILE: requirements_text(),
        LAUNCHER_FILE: launcher_text(fields["model"]),
        SERVICE_FILE: SERVICE_UNIT.substitute(fields),
        README_FILE: README.substitute(fields),
    }
    if serve:
        texts[SERVE_ENV_FILE] = f"EDGE_TOKEN={secrets.token_urlsafe(24)}\n"
    for name, text in texts.items():
        path = stage / name
        with _writing(path):
            path.touch(mode=0o600 if name == SERVE_ENV_FILE else 0o644)  # the token: its owner's only
            path.write_text(text)
    launcher = stage / LAUNCHER_FILE
    launcher.chmod(launcher.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


def build_bundle(
    model: Path,
    out: Path,
    camera: str = "0",
    threads: int = DEFAULT_THREADS,
    install_dir: PurePosixPath | None = None,
    user: str | None = None,
    overwrite: bool = False,
    serve: bool = False,
) -> Bundle:
    """Write the deploy bundle for `model` to `out`.

    Args:
        model: the `.tflite` file; its manifest (same name, `.json`) is copied when present, and the
            line reader the manifest names beside it.
        out: the bundle folder to create.
        camera: the `--source` of the systemd unit's `edge webcam` (`picamera`, or a USB camera index).
        threads: the unit's interpreter threads.
        install_dir: where the bundle will live on the Pi (default `/home/<user>/<out's name>`).
        user: the account the unit runs as (default: the bundling user, see `unit_user`; root only
            when named).
        overwrite: replace an existing `out`.
        serve: the unit runs `edge serve` on every network, port 8080, with a random token in
            `serve.env`, instead of `edge webcam --headless`.
    """
    model = Path(model)
    check_tflite_file(model)
    manifest = manifest_path(model)
    reader = _line_reader_to_copy(model)
    user = unit_user(user)
    install_dir = install_dir or home_on_pi(user) / Path(out).name
    if not install_dir.is_absolute():
        raise EdgeError(f"--install-dir must be an absolute path on the Pi, not {install_dir}")
    for option, value in (
        ("model name", model.name),
        ("--camera", camera),
        ("--user", user),
        ("--install-dir", install_dir),
    ):
        if not str(value) or any(c.isspace() for c in str(value)):
            raise EdgeError(f"{option} {str(value)!r} cannot go into the systemd unit: no spaces allowed")
    fields = {
        "model": model.name,
        "manifest_row": (
            f"| `{manifest.name}` | its manifest: labels, quantization, accuracy |\n"
            if manifest.is_file()
            else ""
        )
        + (f"| `{reader.name}` | the line reader: reads touching digits whole |\n" if reader else ""),
        "bundle_name": Path(out).name,
        "service": SERVICE_FILE,
        "service_stem": Path(SERVICE_FILE).stem,
        "install_dir": str(install_dir),
        "user": user,
        "camera": camera,
        "threads": threads,
        "opencv_version": _pinned_version("opencv-python-headless"),
        "releases": releases_text(),
        "port": SERVE_PORT,
        "env_file": SERVE_ENV_FILE,
    }
    fields |= _unit_fields(fields, serve) | _copy_fields(fields["bundle_name"], user, install_dir)
    models = [path for path in (model, manifest, reader) if path is not None and path.is_file()]
    with staging_dir(out, overwrite=overwrite) as stage:
        _fill(stage, models, fields, serve)
    files = tuple(sorted(str(p.relative_to(out)) for p in Path(out).rglob("*") if p.is_file()))
    size = sum((Path(out) / f).stat().st_size for f in files)
    return Bundle(path=Path(out), model=Path(out) / model.name, files=files, size_bytes=size)
