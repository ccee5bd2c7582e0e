"""`edge bundle`: the deploy folder's contents, its atomic writing, and that its runtime copy suffices."""

from __future__ import annotations

import ast
import errno
import getpass
import importlib.metadata
import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from edge_cli import app
from edge_runtime.bundle import RUNTIME_REQUIREMENTS, build_bundle
from edge_runtime.packaged import PACKAGED_MODEL
from edge_runtime.samples import drawn_digit, paper_photo, write_image
from ground.errors import EdgeError

REPO = Path(__file__).resolve().parents[1]
# Third-party imports allowed in the runtime: each pinned in the bundle, or optional with a fallback/hint.
IMPORT_TO_REQUIREMENT = {"numpy": "numpy", "cv2": "opencv-python-headless", "typer": "typer"}
IMPORT_TO_REQUIREMENT["ai_edge_litert"] = "ai-edge-litert"
IMPORT_TO_REQUIREMENT["flatbuffers"] = "flatbuffers"
IMPORT_TO_REQUIREMENT |= {"anyio": "anyio", "starlette": "starlette", "uvicorn": "uvicorn"}  # edge serve
IMPORT_TO_REQUIREMENT |= {"prometheus_client": "prometheus-client", "paho": "paho-mqtt"}
# apt's camera; the interpreter's fallbacks; the laptop-side stages (training commands, behind a clear error)
OPTIONAL_IMPORTS = {"picamera2", "tflite_runtime", "tensorflow", "train", "export"}


# The pinned distribution → the distributions that are the same build, any of which the tests may run with:
# the laptop installs OpenCV with its GUI (windows), the bundle the headless build of the same version.
SAME_BUILD = {"opencv-python-headless": ("opencv-python-headless", "opencv-python")}
# Pinned for the Pi only: picamera2 (apt's) imports simplejpeg; the tests never run picamera2.
PI_ONLY = {"simplejpeg"}


@pytest.fixture(autouse=True)
def bundling_user_pi(monkeypatch, tmp_path):
    """Bundle as the login `pi`, not under sudo, whoever runs the tests (root is refused by default).
    (After tmp_path: pytest names its temporary folder after the user.)"""
    monkeypatch.setattr(getpass, "getuser", lambda: "pi")
    monkeypatch.delenv("SUDO_USER", raising=False)


@pytest.fixture
def model(tmp_path) -> Path:
    """A file passing the TFLite check (assembling a bundle needs no real model), with the fixture's
    manifest (naming no line reader)."""
    path = tmp_path / "model_int8.tflite"
    path.write_bytes(b"\x1c\x00\x00\x00TFL3" + bytes(200))
    path.chmod(0o600)  # a private model file: the bundle still gets an ordinary copy
    manifest = json.loads(PACKAGED_MODEL.with_suffix(".json").read_text())
    path.with_suffix(".json").write_text(json.dumps({**manifest, "line_reader": None}))
    return path


def test_bundle_holds_model_manifest_runtime_requirements_launcher_unit_readme(model, tmp_path):
    bundle = build_bundle(model, tmp_path / "pi", camera="picamera", threads=3, user="pi")
    root = bundle.path
    assert bundle.model == root / "model_int8.tflite"
    assert bundle.model.read_bytes() == model.read_bytes()
    assert json.loads((root / "model_int8.json").read_text())["mode"] == "int8"
    assert {"README.md", "requirements.txt", "edge", "edge-digits.service"} <= set(bundle.files)
    assert (
        "edge_runtime/__main__.py" in bundle.files
        and "ground/manifest.py" in bundle.files
        and "edge_runtime/cli/__init__.py" in bundle.files
    )
    assert not [f for f in bundle.files if "__pycache__" in f or f.endswith(".pyc")]
    assert os.access(root / "edge", os.X_OK)
    assert root.stat().st_mode & 0o777 == 0o755 and bundle.model.stat().st_mode & 0o044 == 0o044
    assert bundle.size_bytes == sum((root / f).stat().st_size for f in bundle.files)

    requirements = [r for r in (root / "requirements.txt").read_text().splitlines() if not r.startswith("#")]
    assert requirements == list(RUNTIME_REQUIREMENTS)
    assert all("==" in r for r in requirements) and not any("tensorflow" in r for r in requirements)

    unit = (root / "edge-digits.service").read_text()
    exec_start = (
        "ExecStart=/home/pi/pi/edge webcam -m model_int8.tflite --source picamera --headless --threads 3"
    )
    assert exec_start in unit and "User=pi" in unit and "WantedBy=multi-user.target" in unit

    readme = (root / "README.md").read_text()
    assert "64-bit" in readme and "--system-site-packages" in readme and "python3-picamera2" in readme
    assert "`model_int8.json`" in readme and "$" not in readme.replace("$EDGE_PYTHON", "")


def test_a_model_without_manifest_is_bundled_alone(model, tmp_path):
    model.with_suffix(".json").unlink()
    bundle = build_bundle(model, tmp_path / "pi", install_dir=None, user="digits")
    assert not [f for f in bundle.files if f.endswith(".json")]
    assert "manifest" not in (bundle.path / "README.md").read_text().split("## Supported")[0]
    assert "WorkingDirectory=/home/digits/pi" in (bundle.path / "edge-digits.service").read_text()


@pytest.mark.parametrize(
    ("sudo_user", "login", "user"),
    [
        (None, "alice", "alice"),
        ("bob", "root", "bob"),  # sudo edge bundle: the user behind sudo
    ],
)
def test_the_unit_runs_as_the_bundling_user_from_its_home(
    model, tmp_path, monkeypatch, sudo_user, login, user
):
    bundling_as(monkeypatch, sudo_user, login)
    result = CliRunner().invoke(app, ["bundle", str(model), "--out", str(tmp_path / "digits")])
    assert result.exit_code == 0, result.output
    unit = (tmp_path / "digits" / "edge-digits.service").read_text()
    assert f"User={user}\n" in unit and f"WorkingDirectory=/home/{user}/digits\n" in unit
    assert f"ExecStart=/home/{user}/digits/edge webcam" in unit
    readme = (tmp_path / "digits" / "README.md").read_text()
    assert (
        f"`scp -r digits {user}@raspberrypi.local:`" in readme and f"    cd /home/{user}/digits\n" in readme
    )
    assert "sudo mv" not in readme


@pytest.mark.parametrize("sudo_user", [None, "root"])
def test_bundling_as_root_is_refused_unless_asked_for_by_name(model, tmp_path, monkeypatch, sudo_user):
    bundling_as(monkeypatch, sudo_user, "root")
    result = CliRunner().invoke(app, ["bundle", str(model), "--out", str(tmp_path / "digits")])
    assert result.exit_code == 1
    assert result.output == (
        "error: the unit would run as root: name the Pi's user with --user NAME"
        " (--user root if you mean it)\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model_int8.json", "model_int8.tflite"]

    result = CliRunner().invoke(
        app, ["bundle", str(model), "--out", str(tmp_path / "digits"), "--user", "root"]
    )
    assert result.exit_code == 0, result.output
    unit = (tmp_path / "digits" / "edge-digits.service").read_text()
    assert "User=root\n" in unit and "WorkingDirectory=/root/digits\n" in unit
    readme = (tmp_path / "digits" / "README.md").read_text()
    assert "root@" not in readme and "Raspberry Pi OS refuses root logins" in readme  # copied as a user
    assert "`scp -r digits YOU@raspberrypi.local:`" in readme
    assert "    sudo mv ~/digits /root/digits && sudo -i" in readme and "    cd /root/digits\n" in readme


def bundling_as(monkeypatch, sudo_user: str | None, login: str) -> None:
    """Bundle as `login`, under sudo from `sudo_user` (None: not under sudo)."""
    monkeypatch.setattr(getpass, "getuser", lambda: login)
    if sudo_user is None:
        monkeypatch.delenv("SUDO_USER", raising=False)
    else:
        monkeypatch.setenv("SUDO_USER", sudo_user)


def test_user_and_install_dir_options_override_the_default(model, tmp_path):
    args = ["bundle", str(model), "--out", str(tmp_path / "b"), "--user", "digits", "--install-dir", "/opt/d"]
    assert CliRunner().invoke(app, args).exit_code == 0
    unit = (tmp_path / "b" / "edge-digits.service").read_text()
    assert "User=digits\n" in unit and "WorkingDirectory=/opt/d\n" in unit
    readme = (tmp_path / "b" / "README.md").read_text()
    assert (
        "`scp -r b digits@raspberrypi.local:`" in readme
        and "    sudo mv ~/b /opt/d\n    cd /opt/d\n" in readme
    )


def test_the_unit_does_not_flood_the_journal(model, tmp_path):
    unit = (build_bundle(model, tmp_path / "pi", user="pi").path / "edge-digits.service").read_text()
    [exec_start] = [line for line in unit.splitlines() if line.startswith("ExecStart=")]
    assert "--headless" in exec_start and "--every-frame" not in exec_start and "--json" not in exec_start
    assert "LogRateLimitIntervalSec=30s" in unit and "LogRateLimitBurst=100" in unit


@pytest.mark.parametrize("serve", [False, True], ids=["webcam", "serve"])
def test_the_unit_wants_the_network_it_waits_for_and_says_what_it_runs(model, tmp_path, serve):
    unit = (build_bundle(model, tmp_path / "pi", serve=serve).path / "edge-digits.service").read_text()
    assert "\nWants=network-online.target\nAfter=network-online.target\n" in unit
    [description] = [line for line in unit.splitlines() if line.startswith("Description=")]
    comments = [line for line in unit.splitlines() if line.startswith("#")]
    if serve:  # edge serve prints no readings: nothing of --headless, its journal lines or their limit
        assert "headless" not in unit and "LogRateLimit" not in unit and "readings go" not in unit
        assert "port 8080" in description and "port 8080" in comments[0]
        assert "start-up line and any error: journalctl -u edge-digits -f" in comments[1]
        readme = (tmp_path / "pi" / "README.md").read_text()
        assert "# its start-up line and any error; the readings: http://raspberrypi.local:8080/" in readme
    else:
        assert "(webcam --headless)" in description
        assert comments[1] == (
            "# The readings go to the journal, one line when the reading changes:"
            " journalctl -u edge-digits -f"
        )


def test_the_pins_are_the_versions_the_tests_run_with():
    """Each pinned package is installed here at its pinned version (or the same build of it), so the
    bundle ships what the suite tested; only the Pi-only packages may be missing."""
    mismatched, missing = {}, set()
    for requirement in RUNTIME_REQUIREMENTS:
        name, pinned = requirement.split("==")
        installed = [v for d in SAME_BUILD.get(name, (name,)) if (v := installed_version(d))]
        if not installed:
            missing.add(name)
        elif installed[0] != pinned:
            mismatched[name] = f"pinned {pinned}, tests run {installed[0]}"
    assert not mismatched, f"update RUNTIME_REQUIREMENTS (then scripts/check_pi_wheels.py): {mismatched}"
    assert missing <= PI_ONLY


def installed_version(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def test_a_full_disk_names_the_bundle_file_and_leaves_no_folder(model, tmp_path, monkeypatch):
    """On Linux shutil copies with sendfile and, on ENOSPC, names the source: the error must name the
    destination. The folders `--out` needed are removed too."""

    def no_space(*args):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "sendfile", no_space)
    out = tmp_path / "new" / "deeper" / "pi"
    result = CliRunner().invoke(app, ["bundle", str(model), "--out", str(out)])
    assert result.exit_code == 1
    assert result.output == f"error: cannot write {out / model.name} (No space left on device)\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model_int8.json", "model_int8.tflite"]


def test_existing_bundle_is_kept_unless_overwrite(model, tmp_path):
    out = tmp_path / "pi"
    build_bundle(model, out)
    (out / "marker").write_text("old")
    with pytest.raises(EdgeError, match="already exists"):
        build_bundle(model, out)
    assert (out / "marker").exists()
    build_bundle(model, out, overwrite=True)
    assert not (out / "marker").exists()


def test_bad_model_leaves_no_bundle(tmp_path):
    not_a_model = tmp_path / "model.tflite"
    not_a_model.write_bytes(b"PK\x03\x04" + bytes(200))
    with pytest.raises(EdgeError, match="not a TFLite model"):
        build_bundle(not_a_model, tmp_path / "pi")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.tflite"]


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--camera", "my cam", "no spaces"),
        ("--install-dir", "opt/edge", "absolute"),
        ("--user", "a b", "no spaces"),
    ],
)
def test_cli_rejects_what_cannot_go_into_the_unit(model, tmp_path, option, value, message):
    result = CliRunner().invoke(app, ["bundle", str(model), "--out", str(tmp_path / "pi"), option, value])
    assert result.exit_code == 1
    assert result.output.startswith("error:") and message in result.output
    assert not (tmp_path / "pi").exists()


def test_cli_writes_the_bundle_and_says_where(model, tmp_path):
    out = tmp_path / "pi"
    result = CliRunner().invoke(app, ["bundle", str(model), "--out", str(out), "--install-dir", "/opt/edge"])
    assert result.exit_code == 0, result.output
    assert f"bundle: {out}" in result.output and "README.md" in result.output
    assert "ExecStart=/opt/edge/edge webcam" in (out / "edge-digits.service").read_text()


def test_the_printed_try_it_here_command_works(runtime_models, tmp_path):
    """The bundle has no venv yet: the command printed runs it with this Python, from anywhere."""
    out = tmp_path / "my bundles" / "pi"  # a space in the path: the command is quoted
    result = CliRunner().invoke(app, ["bundle", str(runtime_models["int8"]), "--out", str(out)])
    assert result.exit_code == 0, result.output
    [command] = [line for line in result.output.splitlines() if line.startswith("try it here:")]
    command = command.removeprefix("try it here:")
    rng = np.random.default_rng(0)
    photo = write_image(tmp_path / "seven.png", paper_photo([drawn_digit(7, rng)], rng, (160, 120)))
    command = command.replace("IMAGE.png", shlex.quote(str(photo)))
    env = {k: v for k, v in os.environ.items() if k not in ("EDGE_PYTHON", "PYTHONPATH")}
    proc = subprocess.run(command, shell=True, capture_output=True, text=True, env=env, cwd="/", timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(f"{photo}: 7 (")


def imports_of(tree: ast.AST, skip_functions: bool = False) -> set[str]:
    """Absolute module names imported in `tree` (only outside function bodies with `skip_functions`)."""
    found = set()
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
        if not (skip_functions and isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)):
            found |= imports_of(node, skip_functions)
    return found


def runtime_sources() -> list[ast.Module]:
    """The sources the bundle ships: edge_runtime and ground."""
    paths = [*(REPO / "edge_runtime").rglob("*.py"), *(REPO / "ground").rglob("*.py")]
    return [ast.parse(path.read_text()) for path in paths]


def test_bundled_runtime_needs_only_the_pinned_packages():
    """Every third-party import in the bundled sources is pinned (or an optional, guarded one)."""
    pinned = {r.split("==")[0] for r in RUNTIME_REQUIREMENTS}
    imported = {name.split(".")[0] for tree in runtime_sources() for name in imports_of(tree)}
    third_party = imported - set(sys.stdlib_module_names) - {"edge_runtime", "ground", "__future__"}
    unknown = third_party - set(IMPORT_TO_REQUIREMENT) - OPTIONAL_IMPORTS
    assert not unknown, f"edge_runtime imports {unknown}, which the bundle's requirements do not install"
    assert {IMPORT_TO_REQUIREMENT[name] for name in third_party - OPTIONAL_IMPORTS} <= pinned


def run_launcher(bundle_path: Path, *args: str) -> subprocess.CompletedProcess:
    """The bundle's `./edge ARGS` with this test's Python, from outside the repository."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | {"EDGE_PYTHON": sys.executable}
    return subprocess.run(
        [str(bundle_path / "edge"), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=bundle_path.parent,
        timeout=120,
    )


def test_launcher_runs_the_bundled_cli_with_the_device_commands_only(model, tmp_path):
    bundle = build_bundle(model, tmp_path / "pi")
    result = run_launcher(bundle.path, "--help")
    assert result.returncode == 0, result.stderr
    commands = result.stdout.split("Commands:")[1].split("\n\n")[0]
    listed = {line.split()[0] for line in commands.splitlines() if line.strip()}
    assert {"classify", "webcam", "samples", "info", "benchmark"} <= listed
    assert not listed & {"train", "evaluate", "export", "bundle"}


def test_serve_unit_runs_edge_serve_with_a_private_token(model, tmp_path):
    bundle = build_bundle(model, tmp_path / "pi", camera="picamera", threads=2, user="pi", serve=True)
    unit = (bundle.path / "edge-digits.service").read_text()
    exec_start = (
        "ExecStart=/home/pi/pi/edge serve -m model_int8.tflite --source picamera --host 0.0.0.0 --port 8080"
    )
    assert f"{exec_start} --threads 2\n" in unit and "EnvironmentFile=/home/pi/pi/serve.env\n" in unit
    env_file = bundle.path / "serve.env"
    assert env_file.stat().st_mode & 0o777 == 0o600
    assert re.fullmatch(r"EDGE_TOKEN=[\w-]{32}\n", env_file.read_text())
    assert "`serve.env`" in (bundle.path / "README.md").read_text()
    assert "serve.env" not in build_bundle(model, tmp_path / "plain", user="pi").files


def test_the_launcher_reads_with_the_bundled_model_by_default(tmp_path):
    bundle = build_bundle(PACKAGED_MODEL, tmp_path / "pi", user="pi")
    assert not (bundle.path / "edge_runtime" / "models").exists()  # the bundled model is the only copy
    info = run_launcher(bundle.path, "info")
    assert info.returncode == 0, info.stderr
    assert info.stdout.startswith(f"{bundle.model.name}:")
    assert str(bundle.model) in run_launcher(bundle.path, "info", "--json").stdout
