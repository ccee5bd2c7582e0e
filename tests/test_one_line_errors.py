"""Hostile inputs and environments: each ends in one `error:` line on stderr and exit 1 (usage: 2),
never a traceback, a crash or a hang."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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
