"""A self-contained deploy folder for a Raspberry Pi (`edge bundle`).

The bundle holds the model and its manifest, copies of the `edge_runtime` and `ground` packages, a
pinned requirements file without TensorFlow, a launcher script, an example systemd unit and a README;
the Pi needs no clone of the repository. It is written through `staging_dir`, so a failure never leaves
a half-made bundle.
"""

from __future__ import annotations

import getpass
import os
import secrets
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import edge_runtime
import ground
from edge_runtime.bundle_templates import README, SERVE_LINES, SERVICE_UNIT, launcher_text
from edge_runtime.interpreter import check_tflite_file
from ground.atomic import staging_dir
from ground.errors import EdgeError, printable
from ground.manifest import line_reader_of, manifest_path, read_manifest

# The runtime's packages, pinned to versions with Linux aarch64 / CPython 3.11 wheels (Raspberry Pi OS
# 64-bit Bookworm); scripts/check_pi_wheels.py verifies that, with their dependencies.
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
    "opencv-python-headless==5.0.0.93",
    "paho-mqtt==2.2.0",
    "prometheus-client==0.26.0",
    "python-multipart==0.0.34",
    "simplejpeg==1.9.0",
    "starlette==1.10.0",
    "typer==0.29.2",
    "uvicorn==0.54.0",
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


def requirements_text() -> str:
    """The bundle's requirements.txt."""
    header = "# edge-digits runtime for Raspberry Pi OS 64-bit (aarch64, Python 3.11); no TensorFlow.\n"
    return header + "".join(f"{line}\n" for line in RUNTIME_REQUIREMENTS)


def bundling_user() -> str:
    """The account bundling: the user behind `sudo`, else the login name. New Raspberry Pi OS images
    have no `pi` user: the first user is named at setup, usually as on the laptop."""
    sudo_user = os.environ.get("SUDO_USER")
    if sudo_user and sudo_user != "root":
        return sudo_user
    return getpass.getuser()


def home_on_pi(user: str) -> PurePosixPath:
    """`user`'s home on Raspberry Pi OS: /home/USER (/root for root), whatever the laptop's layout."""
    return PurePosixPath("/root") if user == "root" else PurePosixPath("/home", user)


def _pinned_version(package: str) -> str:
    return next(r.split("==")[1] for r in RUNTIME_REQUIREMENTS if r.split("==")[0] == package)


def _unit_fields(fields: dict, serve: bool) -> dict:
    """What the systemd unit runs: `edge webcam --headless`, or `edge serve` with its token file."""
    source = f"-m {fields['model']} --source {fields['camera']}"
    if not serve:
        return {
            "command": f"webcam {source} --headless",
            "unit_summary": "webcam --headless",
            "what": "readings to the journal",
            "serve_lines": "",
            "env_row": "",
        }
    listen = f"--host 0.0.0.0 --port {fields['port']}"
    return {
        "command": f"serve {source} {listen}",
        "unit_summary": f"serve {listen}",
        "what": "a live page and API",
        "serve_lines": SERVE_LINES.substitute(fields),
        "env_row": f"| `{SERVE_ENV_FILE}` | the unit's `EDGE_TOKEN`: the token of its page and API |\n",
    }


def line_reader_beside(model: Path) -> Path | None:
    """The line reader that the manifest of `model` names (EdgeError when it names a missing file)."""
    record = line_reader_of(read_manifest(model))
    if record is None:
        return None
    reader = model.with_name(record["model_file"])
    if not reader.is_file():
        raise EdgeError(f"{printable(reader)}: the line reader {manifest_path(model).name} names is missing")
    return reader


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
        user: the account the unit runs as (default: the bundling user, see `bundling_user`).
        overwrite: replace an existing `out`.
        serve: the unit runs `edge serve` on every network, port 8080, with a random token in
            `serve.env`, instead of `edge webcam --headless`.
    """
    model = Path(model)
    check_tflite_file(model)
    manifest = manifest_path(model)
    reader = line_reader_beside(model)
    user = user or bundling_user()
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
        "port": SERVE_PORT,
        "env_file": SERVE_ENV_FILE,
    }
    fields |= _unit_fields(fields, serve)
    with staging_dir(out, overwrite=overwrite) as stage:
        shutil.copyfile(model, stage / model.name)  # ordinary permissions, whatever the export's were
        if manifest.is_file():
            shutil.copyfile(manifest, stage / manifest.name)
        if reader is not None:
            shutil.copyfile(reader, stage / reader.name)
        for package in PACKAGES:
            source_root = Path(package.__file__).parent
            shutil.copytree(source_root, stage / source_root.name, ignore=_SOURCE_JUNK)
        (stage / REQUIREMENTS_FILE).write_text(requirements_text())
        launcher = stage / LAUNCHER_FILE
        launcher.write_text(launcher_text(model.name))
        launcher.chmod(launcher.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        (stage / SERVICE_FILE).write_text(SERVICE_UNIT.substitute(fields))
        if serve:
            env_file = stage / SERVE_ENV_FILE
            env_file.touch(mode=0o600)
            env_file.write_text(f"EDGE_TOKEN={secrets.token_urlsafe(24)}\n")
        (stage / README_FILE).write_text(README.substitute(fields))
    files = tuple(sorted(str(p.relative_to(out)) for p in Path(out).rglob("*") if p.is_file()))
    size = sum((Path(out) / f).stat().st_size for f in files)
    return Bundle(path=Path(out), model=Path(out) / model.name, files=files, size_bytes=size)
