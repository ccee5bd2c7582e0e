"""The emulated-Pi check's own scripts, run here on x86 as scripts/pi_emulation.sh runs them (without the
emulation): make_inputs.py, then scripts/pi/run_bundle.sh on a bundle that holds a line reader beside the
digit model, twice (the x86 run, then the "Pi" run on the x86 run's crops), then compare_predictions.py."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from edge_runtime.bundle import build_bundle
from tests.conftest import REPO

PI_SCRIPTS = REPO / "scripts" / "pi"
IMAGES = 3


def run(command: list, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    """`command` in `cwd` with this test's Python as the bundle's (EDGE_PYTHON), outside the repository."""
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | env
    environment["EDGE_PYTHON"] = sys.executable
    return subprocess.run(
        [str(part) for part in command], capture_output=True, text=True, cwd=cwd, env=environment, timeout=300
    )


@pytest.fixture(scope="module")
def check_dir(tmp_path_factory, runtime_models) -> Path:
    """The folder pi_emulation.sh prepares: bundle/ (digit model, manifest, line reader), inputs/, scripts."""
    folder = tmp_path_factory.mktemp("pi_check")
    bundle = build_bundle(runtime_models["int8"], folder / "bundle", user="pi")
    assert len([f for f in bundle.files if f.endswith(".tflite")]) == 2  # the case `ls bundle/*.tflite` broke
    make_inputs = [PI_SCRIPTS / "make_inputs.py", folder / "inputs", "--images", IMAGES, "--video-numbers", 1]
    inputs = run(
        [sys.executable, *make_inputs],
        cwd=folder,
        PYTHONPATH=str(REPO),
        EDGE_MNIST=str(folder / "no-mnist.npz"),  # drawn digits: no MNIST, no TensorFlow needed
    )
    assert inputs.returncode == 0, inputs.stderr
    for script in ("run_bundle.sh", "model_outputs.py"):
        shutil.copy(PI_SCRIPTS / script, folder)
    return folder


def test_run_bundle_reads_the_inputs_with_the_digit_model_on_both_sides(check_dir):
    for name in ("x86", "pi"):  # the first run saves the 28x28 crops, the second one reuses them
        result = run(["sh", "run_bundle.sh", name], cwd=check_dir)
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith(f"{name}: classify ")
    photos = [json.loads(line) for line in (check_dir / "x86.classify.jsonl").read_text().splitlines()]
    assert len(photos) == IMAGES
    assert [Path(p["path"]).name for p in photos] == sorted(p.name for p in check_dir.glob("inputs/*.png"))
    outputs = [json.loads(line) for line in (check_dir / "x86.outputs.jsonl").read_text().splitlines()]
    crops = sorted(p.name for p in (check_dir / "inputs" / "crops").glob("*.png"))
    assert [line["path"] for line in outputs] == crops and crops
    assert all(len(line["default"]) == 10 for line in outputs)  # the digit model's 10 classes
    for kind in ("classify", "webcam", "outputs"):
        compare = [PI_SCRIPTS / "compare_predictions.py", check_dir / f"x86.{kind}.jsonl"]
        compare += [check_dir / f"pi.{kind}.jsonl", *(["--outputs"] if kind == "outputs" else [])]
        result = run([sys.executable, *compare], cwd=check_dir)
        assert result.returncode == 0 and result.stdout.startswith("EQUAL"), result.stdout


def test_run_bundle_refuses_a_bundle_without_one_model_manifest(check_dir, tmp_path):
    shutil.copytree(check_dir, tmp_path / "check")
    (tmp_path / "check" / "bundle" / "model_int8.json").unlink()
    result = run(["sh", "run_bundle.sh", "x86"], cwd=tmp_path / "check")
    assert result.returncode == 1
    assert result.stderr.strip() == "error: expected one model manifest in bundle/, found 0"
