"""The emulated-Pi check's comparison (scripts/pi/compare_predictions.py): raw interpreter outputs agree
within one quantization step with the default kernels, and bit for bit with the reference kernels."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys

import pytest

from edge_runtime.packaged import PACKAGED_MODEL
from tests.conftest import REPO

SCRIPT = REPO / "scripts" / "pi" / "compare_predictions.py"
_spec = importlib.util.spec_from_file_location("compare_predictions", SCRIPT)
compare = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(compare)

X86 = {"path": "0000.png", "default": [-126, -127, 110, -128], "reference": [-126, -127, 111, -128]}


def pi(default: list[int], reference: list[int], path: str = "0000.png") -> dict:
    return {"path": path, "default": default, "reference": reference}


@pytest.mark.parametrize(
    ("candidate", "agree"),
    [
        (pi([-126, -127, 110, -128], [-126, -127, 111, -128]), True),  # identical
        (
            pi([-125, -127, 111, -128], [-126, -127, 111, -128]),
            True,
        ),  # XNNPACK on ARM: two outputs 1 step off
        (pi([-126, -127, 112, -128], [-126, -127, 111, -128]), False),  # 2 steps with the default kernels
        (pi([-126, -127, 110, -128], [-126, -127, 110, -128]), False),  # reference kernels must be exact
        (pi([-126, -127, 110], [-126, -127, 111]), False),  # a different output length
        (pi(X86["default"], X86["reference"], path="0001.png"), False),  # a different input
    ],
)
def test_outputs_agree_within_one_step_with_default_kernels_and_exactly_with_reference(candidate, agree):
    assert compare.outputs_agree(X86, candidate) is agree


def test_the_script_reports_the_steps_and_fails_only_beyond_them(tmp_path):
    def run(candidate: dict) -> subprocess.CompletedProcess:
        (tmp_path / "x86.jsonl").write_text(json.dumps(X86) + "\n")
        (tmp_path / "pi.jsonl").write_text(json.dumps(candidate) + "\n")
        args = [sys.executable, SCRIPT, tmp_path / "x86.jsonl", tmp_path / "pi.jsonl", "--outputs"]
        return subprocess.run(args, capture_output=True, text=True, timeout=60)

    close = run(pi([-125, -127, 111, -128], X86["reference"]))
    assert close.returncode == 0, close.stdout
    assert close.stdout.startswith("EQUAL: 1/1 inputs; default kernels differ by <= 1 step(s)")
    far = run(pi(X86["default"], [-126, -127, 112, -128]))
    assert far.returncode == 1 and far.stdout.startswith("DIFFERENT: 0/1 inputs")
    assert "reference kernels by 1 (allowed 0)" in far.stdout


def test_predictions_ignore_timings_and_the_time():
    a = {
        "frame": 1,
        "number": "42",
        "digits": [{"digit": "4"}, {"digit": "2"}],
        "smoothed": "42",
        "fps": 30.0,
    }
    b = a | {"fps": 1.5, "time": "2026-11-28T10:00:00.000+00:00"}
    assert compare.prediction(a) == compare.prediction(b)


def test_model_outputs_writes_raw_outputs_of_both_kernels(tmp_path):
    import cv2
    import numpy as np

    from edge_runtime.samples import drawn_digit

    rng = np.random.default_rng(0)
    for d in range(3):
        cv2.imwrite(str(tmp_path / f"{d}.png"), drawn_digit(d, rng))
    model = PACKAGED_MODEL
    proc = subprocess.run(
        [sys.executable, REPO / "scripts" / "pi" / "model_outputs.py", model, tmp_path],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [line["path"] for line in lines] == ["0.png", "1.png", "2.png"]
    for line in lines:
        assert len(line["default"]) == len(line["reference"]) == 10
        assert all(isinstance(v, int) and -128 <= v <= 127 for v in line["default"] + line["reference"])
        # even on one CPU, XNNPACK and the reference kernels may round differently, by one step at most
        assert max(abs(a - b) for a, b in zip(line["default"], line["reference"], strict=True)) <= 1
