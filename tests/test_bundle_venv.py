"""The bundle on a device without TensorFlow: a fresh venv gets only the bundle's requirements from the
package index, and the bundle's launcher classifies a photo and a short video."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from edge_runtime.bundle import REQUIREMENTS_FILE, build_bundle, requirements_text
from edge_runtime.images import read_image
from edge_runtime.interpreter import DigitModel
from edge_runtime.reading import read_digits
from edge_runtime.samples import paper_photo, video_frames, write_image, write_video

INDEX = "https://pypi.org/simple/"
PHOTO_DIGIT, VIDEO_NUMBER = 4, (3, 7)
VIDEO_FRAMES = 5


def index_reachable() -> bool:
    try:
        with urllib.request.urlopen(INDEX + "pip/", timeout=10):
            return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def runtime_python(tmp_path_factory) -> Path:
    """A fresh venv's Python, holding only the bundle's pinned requirements (pip's cache keeps it quick)."""
    if not index_reachable():
        pytest.skip(f"package index {INDEX} unreachable: cannot install the bundle's requirements")
    folder = tmp_path_factory.mktemp("runtime_venv")
    subprocess.run([sys.executable, "-m", "venv", str(folder / "venv")], check=True, timeout=300)
    python = folder / "venv" / "bin" / "python"
    (folder / REQUIREMENTS_FILE).write_text(requirements_text())
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "-r", str(folder / REQUIREMENTS_FILE)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert install.returncode == 0, install.stderr[-2000:]
    return python


def run_launcher(bundle_dir: Path, python: Path, *args: str) -> list[dict]:
    """The bundle's `edge` launcher run with `python`, from a neutral folder; its JSON lines."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | {"EDGE_PYTHON": str(python)}
    result = subprocess.run(
        [str(bundle_dir / "edge"), *args, "--json"],
        capture_output=True,
        text=True,
        env=env,
        cwd=bundle_dir.parent,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def test_fresh_venv_has_neither_tensorflow_nor_the_repository(runtime_python):
    probe = (
        "import importlib.util as u; print([u.find_spec(m) is None for m in ('tensorflow', 'edge_runtime')])"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}  # the venv alone, not a checkout
    result = subprocess.run(
        [str(runtime_python), "-c", probe], capture_output=True, text=True, cwd="/", env=env
    )
    assert result.stdout.strip() == "[True, True]", result.stderr


def test_bundle_launcher_reads_a_photo_and_a_video(runtime_python, tiny_tflite_models, full_mnist, tmp_path):
    bundle = build_bundle(tiny_tflite_models["int8"], tmp_path / "bundle", user="pi")
    model = DigitModel(bundle.model)
    rng = np.random.default_rng(0)

    def mnist_digit(label: int) -> np.ndarray:
        """The test digit the tiny model reads most surely (raw 28x28): the rest is up to the pipeline."""
        candidates = full_mnist.x_test[full_mnist.y_test == label][:50]
        return candidates[np.argmax(model.predict(candidates)[:, label])]

    photo = write_image(tmp_path / "photo.png", paper_photo([mnist_digit(PHOTO_DIGIT)], rng, shadow=False))
    frames = video_frames([[mnist_digit(d) for d in VIDEO_NUMBER]], rng, frames_per_number=VIDEO_FRAMES)
    video = write_video(tmp_path / "clip.avi", frames)

    [reading] = run_launcher(bundle.path, runtime_python, "classify", "-m", str(bundle.model), str(photo))
    here = read_digits(model, read_image(photo))  # the same model in this process
    assert reading["number"] == here.number == str(PHOTO_DIGIT)
    assert reading["confidence"] == pytest.approx(here.confidence, abs=1e-4)

    lines = run_launcher(
        bundle.path,
        runtime_python,
        "webcam",
        "-m",
        str(bundle.model),
        "--source",
        str(video),
        "--headless",
        "--every-frame",
    )
    numbers = Counter(line.get("number") for line in lines)
    assert len(lines) == VIDEO_FRAMES
    assert numbers.most_common(1)[0][0] == "".join(map(str, VIDEO_NUMBER))


def test_bundle_serves_a_video_in_the_fresh_venv(runtime_python, tmp_path):
    """`./edge serve` from the bundle, with only its pinned requirements: /api/reading over HTTP."""
    from tests.serve_process import MODEL, digit_video, edge_serve

    bundle = build_bundle(MODEL, tmp_path / "bundle", user="pi")
    video = digit_video(tmp_path / "clip.avi", [PHOTO_DIGIT])
    command = [
        str(bundle.path / "edge"),
        "serve",
        "-m",
        str(bundle.model),
        "--source",
        str(video),
        "--port",
        "0",
    ]
    env_python = {"EDGE_PYTHON": str(runtime_python)}
    with edge_serve(command=command, env=env_python) as served:
        reading = served.json("api/reading")
    assert reading["smoothed"] == str(PHOTO_DIGIT) and reading["read_ms"] > 0
