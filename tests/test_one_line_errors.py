"""Hostile inputs and environments: each ends in one `error:` line on stderr and exit 1 (usage: 2),
never a traceback, a crash or a hang."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
from typer.testing import CliRunner

import edge_cli
import edge_runtime.cli

REPO = Path(__file__).resolve().parents[1]
MODEL = REPO / "tests" / "fixtures" / "model_int8.tflite"
DEVICE, LAPTOP = edge_runtime.cli.app, edge_cli.app


def one_error_line(stderr: str) -> str:
    """The single line on stderr, checked to be an `error:` line and nothing more."""
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("error: "), stderr
    assert "Traceback" not in stderr
    return lines[0]


def run_cli(module: str, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """`python -m module args` in a subprocess (real stderr, real exit code; no hang past `timeout`)."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", module, *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env, cwd=REPO)


# --- usage errors -----------------------------------------------------------------------------


@pytest.mark.parametrize("module", ["edge_runtime", "edge_cli"])
def test_a_usage_error_is_one_line_and_exit_2_not_a_box(module):
    result = run_cli(module, "classify", str(MODEL), "x.png", "--top-k", "0")
    assert result.returncode == 2
    line = one_error_line(result.stderr)
    assert "--top-k" in line and "╭" not in result.stderr


@pytest.mark.parametrize("app", [DEVICE, LAPTOP])
@pytest.mark.parametrize(
    "args, words",
    [
        (["classify"], "Missing argument"),
        (["no-such-command"], "No such command"),
        (["--no-such-option"], "No such option"),
        (["classify", str(MODEL), "x.png", "--no-such-option"], "No such option"),
        (["webcam", str(MODEL), "--roi", "1,2"], "--roi"),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(app, args, words):
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert words in one_error_line(result.stderr)


def test_no_arguments_still_show_the_help():
    result = CliRunner().invoke(DEVICE, [])
    assert "classify" in result.output and "error:" not in result.output


@pytest.mark.parametrize("command", ["classify", "webcam", "benchmark"])
def test_absurd_thread_counts_are_refused_before_the_interpreter_sees_them(command):
    args = [command, str(MODEL), *(["x.png"] if command == "classify" else []), "--threads", "100000"]
    result = CliRunner().invoke(DEVICE, args)
    assert result.exit_code == 2
    assert "--threads" in one_error_line(result.stderr)


# --- image files that are not files, or far too big -------------------------------------------


@pytest.fixture
def blank_png(tmp_path) -> Path:
    path = tmp_path / "blank.png"
    path.write_bytes(cv2.imencode(".png", np.full((60, 60), 255, np.uint8))[1].tobytes())
    return path


def test_a_fifo_is_refused_without_blocking_the_files_after_it(tmp_path, blank_png):
    fifo = tmp_path / "pipe.png"
    os.mkfifo(fifo)
    result = run_cli("edge_runtime", "classify", str(MODEL), str(fifo), str(blank_png), timeout=60)
    assert result.returncode == 1
    assert one_error_line(result.stderr) == f"error: {fifo}: not a regular file (a FIFO)"
    assert result.stdout.startswith(f"{blank_png}: ")


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero here")
def test_dev_zero_is_refused():
    result = CliRunner().invoke(DEVICE, ["classify", str(MODEL), "/dev/zero"])
    assert result.exit_code == 1
    assert one_error_line(result.stderr) == "error: /dev/zero: not a regular file (a character device)"


def test_a_huge_file_is_refused_from_its_size_before_it_is_read(tmp_path):
    huge = tmp_path / "huge.png"
    with huge.open("wb") as handle:
        handle.truncate(2**30)  # sparse: 1 GiB declared, nothing on disk
    result = CliRunner().invoke(DEVICE, ["classify", str(MODEL), str(huge)])
    assert result.exit_code == 1
    line = one_error_line(result.stderr)
    assert line.startswith(f"error: {huge}: 1,073,741,824 bytes is more than an image of --max-pixels")
