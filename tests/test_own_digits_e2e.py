"""The issue's end-to-end check: a writing style the model reads poorly (outlined, "bubble" digits),
collected with `edge collect --label`, fine-tuned with `edge train --init-from --extra-data`, exported
with `edge export --extra-data`: the held-back samples are read at least 10 points better, MNIST test
stays >= 99.5%, and the export passes its gate.

It needs a well-trained model (the default recipe): EDGE_TRAINED_MODEL=path/to/model.keras, and the
full MNIST. Fine-tuning takes a few minutes on two cores.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import cv2
import numpy as np
import pytest
from typer.testing import CliRunner

from edge_cli import app
from edge_runtime.samples import write_image

PER_DIGIT = 20
MIN_RISE = 0.10
MIN_MNIST = 0.995
FINE_TUNE_MNIST_SAMPLES = "24000"  # a fine-tuning pass over half of MNIST's training digits
STYLE_FONTS = (
    cv2.FONT_HERSHEY_SIMPLEX,
    cv2.FONT_HERSHEY_DUPLEX,
    cv2.FONT_HERSHEY_COMPLEX,
    cv2.FONT_HERSHEY_TRIPLEX,
)


def outlined_digit(digit: int, rng: np.random.Generator) -> np.ndarray:
    """A tight crop (dark ink on white paper) of `digit` written as an outline: thick strokes with
    their inside left blank, slightly rotated. The default model reads about half of these."""
    canvas = np.zeros((140, 140), np.uint8)
    font = STYLE_FONTS[rng.integers(len(STYLE_FONTS))]
    thickness = int(rng.integers(6, 10))
    scale = cv2.getFontScaleFromHeight(font, 90, thickness)
    (w, h), _ = cv2.getTextSize(str(digit), font, scale, thickness)
    cv2.putText(
        canvas, str(digit), ((140 - w) // 2, (140 + h) // 2), font, scale, 255, thickness, cv2.LINE_AA
    )
    canvas = cv2.subtract(canvas, cv2.erode(canvas, np.ones((3, 3), np.uint8), iterations=3))
    turn = cv2.getRotationMatrix2D((70, 70), float(rng.uniform(-10, 10)), 1.0)
    canvas = cv2.warpAffine(canvas, turn, (140, 140))
    return 255 - canvas


@pytest.fixture(scope="module")
def trained_model() -> Path:
    path = os.environ.get("EDGE_TRAINED_MODEL")
    if not path or not Path(path).is_file():
        pytest.skip(
            "needs a well-trained model: set EDGE_TRAINED_MODEL=path/to/model.keras "
            "(`edge train` with the defaults)"
        )
    return Path(path)


@pytest.mark.slow
@pytest.mark.train_extra
def test_fine_tuning_on_collected_digits_reads_the_new_style(trained_model, full_mnist, tmp_path):
    from tests.conftest import mnist_path

    runner = CliRunner()
    mnist = str(mnist_path())

    def edge(*args) -> str:
        result = runner.invoke(app, [str(a) for a in args])
        assert result.exit_code == 0, result.output
        return result.output

    # The device's model, then the new style written on paper, 20 a digit.
    edge("export", trained_model, "--data", mnist, "--out", tmp_path / "start")
    device_model = tmp_path / "start" / "model_int8.tflite"
    rng = np.random.default_rng(11)
    mine = tmp_path / "mine"
    for digit in range(10):
        photos = tmp_path / "photos" / str(digit)
        photos.mkdir(parents=True)
        for i in range(PER_DIGIT):
            write_image(photos / f"d{digit}_{i:02d}.png", outlined_digit(digit, rng))
        edge("collect", "-m", device_model, mine, photos, "--label", digit)
    collected = {d: len(list((mine / str(d)).glob("*.png"))) for d in range(10)}
    assert all(n >= PER_DIGIT for n in collected.values()), collected
    assert all((mine / f"contact_{d}.png").is_file() for d in range(10))

    # Fine-tune the starting model on them (a quarter held back), and export with both sets.
    run = tmp_path / "tuned"
    edge(
        "train",
        "--init-from",
        trained_model,
        "--extra-data",
        mine,
        "--data",
        mnist,
        "--out",
        run,
        "--max-train-samples",
        FINE_TUNE_MNIST_SAMPLES,
    )
    metrics = json.loads((run / "metrics.json").read_text())
    before = metrics["extra"]["held_back_before"]["accuracy"]
    after = metrics["extra"]["held_back"]["accuracy"]
    report = (
        f"held-back samples ({metrics['extra']['held_back']['samples']}): {before:.1%} -> {after:.1%}; "
        f"MNIST test {metrics['test_accuracy']:.2%}"
    )
    print(report)
    (tmp_path.parent / "own_digits_e2e.txt").write_text(report + "\n")
    edge("export", run / "model.keras", "--data", mnist, "--extra-data", mine, "--out", tmp_path / "models")
    manifest = json.loads((tmp_path / "models" / "model_int8.json").read_text())

    assert after - before >= MIN_RISE, report
    assert metrics["test_accuracy"] >= MIN_MNIST, report
    assert manifest["status"] == "passed" and set(manifest["gate"]["sets"]) == {"mnist_test", "extra"}
