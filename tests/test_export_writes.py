"""How `edge export` and `edge train` write: the model before its manifest, leftovers of killed runs
swept, SIGTERM cleaned up like Ctrl-C, and a full disk or read-only folder ending in one line."""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from edge_cli import app
from ground.atomic import sweep_partials
from ground.errors import EdgeError
from ground.manifest import (
    STATUS_UNCHECKED,
    build_manifest,
    file_mismatches,
    manifest_path,
    read_manifest,
    sha256_bytes,
)
from tests.conftest import REPO, save_mnist_subset

runner = CliRunner()
PARTIAL_GLOB = ".*.partial*"
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob(PARTIAL_GLOB))


def one_error_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr
    assert "Traceback" not in stderr
    return lines[0]


# ---- the mode table: one validation path ------------------------------------------------------------


def test_plan_exports_applies_each_modes_rules():
    from export.modes import MODES, Quantize, plan_exports, selected_modes

    every = selected_modes(Quantize("all"))
    assert every == tuple(MODES.values())
    targets = plan_exports(every, input_type="uint8", debug=True)
    assert {t.mode.name: t.io_type for t in targets} == {
        "float32": "float32",
        "float16": "float32",
        "dynamic": "float32",
        "int8": "uint8",
    }
    assert [t.file_name for t in targets][-1] == "model_int8_uint8io.tflite"
    assert plan_exports(selected_modes(Quantize("int8")))[0].file_name == "model_int8.tflite"
    with pytest.raises(EdgeError, match=r"--input-type uint8 applies to int8 export only"):
        plan_exports([MODES["float16"]], input_type="uint8")
    with pytest.raises(EdgeError, match=r"--debug analyses the int8 model"):
        plan_exports([MODES["dynamic"]], debug=True)
    with pytest.raises(EdgeError, match=r"unknown --input-type 'int16'"):
        plan_exports(every, input_type="int16")


def test_the_export_defaults_and_choices_need_no_tensorflow():
    code = "import sys; import edge_cli, export.config, export.modes; print('tensorflow' in sys.modules)"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert proc.stdout.strip() == "False", proc.stderr


# ---- the model first, the manifest last ------------------------------------------------------------


def _pair(folder: Path, content: bytes) -> tuple[Path, dict]:
    """A model file's bytes and a manifest that describes them (as `export_mode` builds it)."""
    detail = {"shape": [1, 28, 28, 1], "dtype": np.int8, "quantization": (1.0, -128)}
    manifest = build_manifest(
        model_file="model_int8.tflite",
        model_bytes=content,
        mode="int8",
        description="test",
        input_detail=detail,
        output_detail=detail,
        source={"file": "model.keras", "sha256": sha256_bytes(b"model.keras")},
        status=STATUS_UNCHECKED,
    )
    return folder / "model_int8.tflite", manifest


def _assert_pair_is_consistent(final: Path, allowed: set[bytes]) -> None:
    """The invariant: the model is the old or the new one, and a manifest beside it describes it."""
    assert final.read_bytes() in allowed
    manifest = read_manifest(final)
    if manifest is not None:
        assert file_mismatches(final, manifest) == [], "a manifest beside a model it does not describe"


@pytest.mark.train_extra
@pytest.mark.parametrize("failing_step", ["unlink", "replace 1", "replace 2"])
def test_a_kill_between_the_write_steps_never_pairs_a_manifest_with_another_model(
    tmp_path, monkeypatch, failing_step
):
    from export.pipeline import install
    from ground.atomic import atomic_write_bytes, staged_path

    old, new = b"old model", b"new model, longer"
    final, old_manifest = _pair(tmp_path, old)
    atomic_write_bytes(final, old)
    manifest_path(final).write_text(json.dumps(old_manifest))
    _, new_manifest = _pair(tmp_path, new)

    calls = {"replace": 0}
    real_replace, real_unlink = os.replace, Path.unlink

    def replace(src, dst):
        calls["replace"] += 1
        if failing_step == f"replace {calls['replace']}":
            raise KeyboardInterrupt  # the process dies here (SIGTERM or Ctrl-C)
        real_replace(src, dst)

    def unlink(self, missing_ok=False):
        if failing_step == "unlink" and self == manifest_path(final):
            raise KeyboardInterrupt
        real_unlink(self, missing_ok=missing_ok)

    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr(Path, "unlink", unlink)
    with pytest.raises(KeyboardInterrupt), staged_path(final, new) as staged:
        install(staged, final, new_manifest)
    monkeypatch.undo()

    _assert_pair_is_consistent(final, {old, new})
    assert leftovers(tmp_path) == []  # the interrupt unwound through every `finally`
    if failing_step == "unlink":
        assert read_manifest(final) == old_manifest  # nothing changed yet: the old pair

    with staged_path(final, new) as staged:  # the next export completes the new pair
        install(staged, final, new_manifest)
    _assert_pair_is_consistent(final, {new})
    assert read_manifest(final) == new_manifest and leftovers(tmp_path) == []


@pytest.mark.slow
def test_export_killed_before_its_manifest_leaves_no_stale_manifest(tiny_model_path, tmp_path, monkeypatch):
    """A real re-export of a different model, with the second os.replace (the manifest's) failing."""
    import keras

    from export.modes import MODES
    from export.pipeline import export_mode, source_record
    from train.saved_model import load_keras_model

    model, source = load_keras_model(tiny_model_path), source_record(tiny_model_path)
    first = export_mode(model, MODES["float32"], tmp_path, source=source)
    old = first.path.read_bytes()
    other = keras.models.clone_model(model)  # other weights: other bytes
    other.set_weights([w + 0.01 for w in model.get_weights()])

    calls, real_replace = [], os.replace

    def replace(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise KeyboardInterrupt
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(KeyboardInterrupt):
        export_mode(other, MODES["float32"], tmp_path, source=source)
    monkeypatch.undo()
    assert [Path(p).name for p in calls] == ["model_float32.tflite", "model_float32.json"]
    assert first.path.read_bytes() != old and read_manifest(first.path) is None  # new model, no manifest
    assert leftovers(tmp_path) == []


def test_sweep_removes_only_temporary_names(tmp_path):
    for name in (".model_int8.ab12cd34.partial.tflite", ".model_int8.ab12cd34.partial.json"):
        (tmp_path / name).write_bytes(b"half")
    (tmp_path / ".run.x_y1z2w3.partial").mkdir()
    (tmp_path / ".run.x_y1z2w3.partial" / "model.keras").write_bytes(b"half")
    (tmp_path / ".other.q1w2e3r4.partial").mkdir()
    keep = ["model_int8.tflite", ".hidden", "notes.partial.txt"]
    for name in keep:
        (tmp_path / name).write_text("keep")
    assert [p.name for p in sweep_partials(tmp_path, "run")] == [".run.x_y1z2w3.partial"]
    assert len(sweep_partials(tmp_path)) == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(keep)


# ---- through the CLI ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_npz(full_mnist, tmp_path_factory):
    return save_mnist_subset(full_mnist, tmp_path_factory.mktemp("data") / "small.npz", 400, 100)


QUICK_EXPORT = ["--quantize", "float32", "--eval-samples", "50", "--max-drop", "100", "--min-agreement", "0"]


def export_args(model, data, out) -> list[str]:
    return ["export", str(model), "--data", str(data), "--out", str(out), *QUICK_EXPORT]


def train_args(data, out) -> list[str]:
    quick = ["--epochs", "1", "--blocks", "1", "--filters", "8", "--max-train-samples", "200"]
    return ["train", "--data", str(data), "--out", str(out), *quick]


@pytest.mark.train_extra
def test_export_and_train_sweep_what_killed_runs_left(tmp_path):
    out = tmp_path / "models"
    out.mkdir()
    (out / ".model_float32.ab12cd34.partial.tflite").write_bytes(b"half")
    (out / ".report.ab12cd34.partial.json").write_text("{")
    result = runner.invoke(app, ["export", str(tmp_path / "missing.keras"), "--out", str(out)])
    assert result.exit_code == 1 and "model not found" in result.stderr  # failed after the sweep
    assert leftovers(out) == []

    (tmp_path / ".run.ab12cd34.partial").mkdir()
    (tmp_path / ".run.ab12cd34.partial" / "model.keras").write_bytes(b"half")
    (tmp_path / ".other.ab12cd34.partial").mkdir()  # another run's: not this one's to remove
    result = runner.invoke(app, train_args(tmp_path / "missing.npz", tmp_path / "run"))
    assert result.exit_code == 1 and "not found" in result.stderr
    assert leftovers(tmp_path) == [".other.ab12cd34.partial"]


@pytest.fixture
def failing_writes(monkeypatch, tmp_path):
    """Make every os.write into tmp_path fail with the given errno, as a full or read-only disk does."""

    def install(code: int) -> None:
        real_write = os.write

        def write(fd, data):
            if os.readlink(f"/proc/self/fd/{fd}").startswith(str(tmp_path)):
                raise OSError(code, os.strerror(code))
            return real_write(fd, data)

        monkeypatch.setattr(os, "write", write)

    return install


@pytest.mark.slow
@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS, errno.EACCES])
def test_export_on_a_full_or_read_only_disk_is_one_line(
    tiny_model_path, small_npz, tmp_path, failing_writes, code
):
    out = tmp_path / "models"
    failing_writes(code)
    result = runner.invoke(app, export_args(tiny_model_path, small_npz, out))
    assert result.exit_code == 1, result.output
    line = one_error_line(result.stderr)
    assert line == f"error: cannot write {out / 'model_float32.tflite'} ({os.strerror(code)})"
    assert not out.exists()  # no model, no manifest, no temporary file, nor the folder it made for them


@pytest.mark.skipif(IS_ROOT, reason="root writes into a chmod 0o555 folder; the patched writes cover it")
@pytest.mark.parametrize("command", ["export", "train"])
def test_read_only_folder_is_one_line(tiny_model_path, small_npz, tmp_path, command):
    folder = tmp_path / "read_only"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        out = folder / ("models" if command == "export" else "run")
        if command == "export":
            result = runner.invoke(app, export_args(tiny_model_path, small_npz, out))
        else:
            result = runner.invoke(app, train_args(small_npz, out))
        assert result.exit_code == 1, result.output
        assert str(out) in one_error_line(result.stderr)
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o755)


@pytest.mark.train_extra
def test_train_on_a_full_disk_is_one_line_before_training(small_npz, tmp_path, monkeypatch):
    import ground.atomic

    def no_space(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(tmp_path))

    monkeypatch.setattr(ground.atomic.tempfile, "mkdtemp", no_space)
    result = runner.invoke(app, train_args(small_npz, tmp_path / "run"))
    assert result.exit_code == 1, result.output
    assert (
        one_error_line(result.stderr) == f"error: cannot write {tmp_path / 'run'} (No space left on device)"
    )


@pytest.mark.train_extra
@pytest.mark.slow
def test_train_on_a_disk_that_fills_up_leaves_no_run_folder(small_npz, tmp_path, monkeypatch):
    real_write_text = Path.write_text

    def write_text(self, *args, **kwargs):
        if self.name == "metrics.json":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self))
        return real_write_text(self, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", write_text)
    result = runner.invoke(app, train_args(small_npz, tmp_path / "run"))
    assert result.exit_code == 1, result.output
    line = one_error_line(result.stderr)
    assert line == f"error: cannot write {tmp_path / 'run' / 'metrics.json'} (No space left on device)"
    assert list(tmp_path.iterdir()) == []


# ---- SIGTERM, as `kill` or systemd sends it -------------------------------------------------------------

STALL = """
import sys, time
import {module} as stage
def stall(*args, **kwargs):
    open({marker!r}, "w").close()  # here: the test sends SIGTERM while this waits
    time.sleep(300)
stage.{function} = stall
from edge_cli import main
sys.argv = ["edge", *{args!r}]
main()
"""


def _terminate_when(argv: list[str], module: str, function: str, ready) -> subprocess.CompletedProcess:
    """Run `edge ARGV` with `module.function` stalled, send SIGTERM once the stall has begun and
    `ready()`, return the result."""
    marker = Path(tempfile.mkdtemp()) / "stalled"
    code = STALL.format(module=module, function=function, args=argv, marker=str(marker))
    proc = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 240
        while not (marker.exists() and ready()):
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the command never reached the stalled step"
            time.sleep(0.1)
        proc.send_signal(signal.SIGTERM)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
        shutil.rmtree(marker.parent)
    return subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)


@pytest.mark.slow
def test_sigterm_during_export_cleans_up_like_ctrl_c(tiny_model_path, small_npz, tmp_path):
    out = tmp_path / "models"
    result = _terminate_when(
        export_args(tiny_model_path, small_npz, out),
        "export.pipeline",
        "check_against_float",  # runs while the converted model sits in its temporary file
        lambda: bool(leftovers(out)) if out.is_dir() else False,
    )
    assert result.returncode == 128 + signal.SIGTERM, result.stderr
    assert result.stderr.strip().splitlines()[-1] == "terminated" and "Traceback" not in result.stderr
    assert not out.exists()  # the folder it made is removed too


@pytest.mark.train_extra
@pytest.mark.slow
def test_sigterm_during_train_cleans_up_like_ctrl_c(small_npz, tmp_path):
    result = _terminate_when(
        train_args(small_npz, tmp_path / "run"),
        "train.training",
        "compiled_model",  # runs inside the staging folder
        lambda: bool(leftovers(tmp_path)),
    )
    assert result.returncode == 128 + signal.SIGTERM, result.stderr
    assert result.stderr.strip().splitlines()[-1] == "terminated" and "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []
