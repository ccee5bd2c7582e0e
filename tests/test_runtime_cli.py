"""`edge classify` and `edge webcam` end to end, with the tiny exported model, on generated photos."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
from typer.testing import CliRunner

from edge_runtime.cli import app
from edge_runtime.samples import paper_photo, video_frames, write_image, write_video

EDGE = Path(sys.executable).parent / "edge"
PHOTOS = 40
VIDEO_NUMBERS, FRAMES_PER_NUMBER = 10, 3
# The tiny model reads ~90% of raw MNIST test digits; chance is 10%.
MIN_PHOTO_ACCURACY = 0.7
MIN_VIDEO_ACCURACY = 0.6


@pytest.fixture(scope="module")
def int8_model(tiny_tflite_models) -> Path:
    return tiny_tflite_models["int8"]


@pytest.fixture(scope="module")
def photos(full_mnist, tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """A folder of JPEG/PNG photos of MNIST test digits on paper, and each file's true label."""
    folder = tmp_path_factory.mktemp("photos")
    rng = np.random.default_rng(0)
    truth = {}
    for i in range(PHOTOS):
        path = folder / f"digit{i:02d}.{'jpg' if i % 2 else 'png'}"
        write_image(path, paper_photo([full_mnist.x_test[i]], rng))
        truth[str(path)] = str(full_mnist.y_test[i])
    return folder, truth


@pytest.fixture(scope="module")
def video(full_mnist, tmp_path_factory) -> tuple[Path, list[str]]:
    """A short .avi showing one MNIST test digit after another, and the true label of each frame."""
    rng = np.random.default_rng(1)
    digits = full_mnist.x_test[100 : 100 + VIDEO_NUMBERS]
    frames = video_frames([[d] for d in digits], rng, FRAMES_PER_NUMBER)
    path = write_video(tmp_path_factory.mktemp("video") / "digits.avi", frames)
    return path, [
        str(y) for y in full_mnist.y_test[100 : 100 + VIDEO_NUMBERS] for _ in range(FRAMES_PER_NUMBER)
    ]


def _blocked_tensorflow_env(tmp_path: Path) -> dict[str, str]:
    """An environment in which `import tensorflow` (and keras) raises ImportError."""
    for name in ("tensorflow", "keras"):
        package = tmp_path / "blocked" / name
        package.mkdir(parents=True)
        (package / "__init__.py").write_text(f"raise ImportError('{name} is blocked in this test')\n")
    return {**os.environ, "PYTHONPATH": str(tmp_path / "blocked")}


def _json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


def test_classify_reads_photographed_digits_well_above_chance(int8_model, photos):
    folder, truth = photos
    result = CliRunner().invoke(app, ["classify", str(int8_model), str(folder), "--json"])
    assert result.exit_code == 0, result.output
    lines = _json_lines(result.stdout)
    assert len(lines) == PHOTOS
    accuracy = np.mean([line["number"] == truth[line["path"]] for line in lines])
    assert accuracy >= MIN_PHOTO_ACCURACY


def test_classify_text_output_top_k_and_unsure_marks(int8_model, photos, tmp_path):
    folder, _ = photos
    blank = write_image(tmp_path / "blank.png", paper_photo([], np.random.default_rng(3)))
    one = str(folder / "digit00.png")
    result = CliRunner().invoke(
        app, ["classify", str(int8_model), one, str(blank), "--top-k", "2", "--min-confidence", "1.0"]
    )
    assert result.exit_code == 0
    first, second = result.stdout.splitlines()
    assert first.startswith(f"{one}: ") and "top-2: " in first and first.endswith("[unsure]")
    assert len(first.split("top-2: ")[1].removesuffix("  [unsure]").split()) == 4  # two labels, two %
    assert second == f"{blank}: no digit"


def test_classify_saves_the_28x28_inputs_the_model_saw(int8_model, photos, tmp_path):
    folder, _ = photos
    crops = tmp_path / "crops"
    result = CliRunner().invoke(
        app, ["classify", str(int8_model), str(folder / "digit0*.png"), "--save-crops", str(crops)]
    )
    assert result.exit_code == 0
    saved = sorted(crops.iterdir())
    assert len(saved) == 5  # digit00, 02, 04, 06, 08
    assert all(cv2.imread(str(p), cv2.IMREAD_UNCHANGED).shape == (28, 28) for p in saved)


def test_webcam_headless_json_reads_a_video_well_above_chance(int8_model, video):
    path, truth = video
    result = CliRunner().invoke(
        app, ["webcam", str(int8_model), "--source", str(path), "--headless", "--json", "--smooth", "1"]
    )
    assert result.exit_code == 0, result.output
    lines = _json_lines(result.stdout)
    assert [line["frame"] for line in lines] == list(range(1, len(truth) + 1))
    accuracy = np.mean([line["number"] == label for line, label in zip(lines, truth, strict=True)])
    assert accuracy >= MIN_VIDEO_ACCURACY
    assert lines[-1]["fps"] > 0
    assert result.stderr.strip() == f"end of video {path} after {len(truth)} frames"


def test_webcam_headless_text_with_max_frames_and_roi(int8_model, video):
    path, _ = video
    args = ["webcam", str(int8_model), "--source", str(path), "--headless", "--max-frames", "2"]
    result = CliRunner().invoke(app, [*args, "--roi", "0,0,40,40"])  # a corner with no digit
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("frame 1: no digit  smoothed: -  ")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--source", "/no/such.avi", "--headless"],
            "error: no such camera, video file or stream: /no/such.avi",
        ),
        (["--source", "98", "--headless"], "error: cannot open camera 98 (is it connected"),
        (["--source", "0", "--roi", "1,2,3"], "expected four integers x,y,width,height"),
    ],
)
def test_webcam_fails_cleanly(int8_model, args, message):
    result = CliRunner().invoke(app, ["webcam", str(int8_model), *args])
    assert result.exit_code in (1, 2)
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_webcam_without_a_display_asks_for_headless(int8_model, video):
    path, _ = video
    result = CliRunner(env={"DISPLAY": "", "WAYLAND_DISPLAY": ""}).invoke(
        app, ["webcam", str(int8_model), "--source", str(path)]
    )
    assert result.exit_code == 1
    assert result.stderr.strip() == "error: no display to show the video on: use --headless"


def test_classify_and_webcam_work_where_tensorflow_cannot_be_imported(int8_model, photos, video, tmp_path):
    env = _blocked_tensorflow_env(tmp_path)
    probe = subprocess.run(
        [sys.executable, "-c", "import tensorflow"], env=env, capture_output=True, text=True
    )
    assert "tensorflow is blocked in this test" in probe.stderr
    folder, truth = photos
    one = sorted(truth)[0]
    classify = subprocess.run(
        [EDGE, "classify", int8_model, one, "--json"], env=env, capture_output=True, text=True
    )
    assert classify.returncode == 0, classify.stderr
    assert json.loads(classify.stdout)["number"] is not None
    webcam = subprocess.run(
        [EDGE, "webcam", int8_model, "--source", video[0], "--headless", "--json", "--max-frames", "3"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert webcam.returncode == 0, webcam.stderr
    assert len(_json_lines(webcam.stdout)) == 3


def test_ctrl_c_stops_the_webcam_cleanly(int8_model, tmp_path):
    rng = np.random.default_rng(2)
    frames = video_frames([[np.zeros((28, 28), np.uint8)]], rng, frames_per_number=400, size=(160, 120))
    clip = write_video(tmp_path / "long.avi", frames)
    process = subprocess.Popen(
        [EDGE, "webcam", int8_model, "--source", clip, "--headless"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout.readline().startswith("frame 1: ")
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 130
    assert stderr.strip().endswith("interrupted")
    assert "Traceback" not in stderr
