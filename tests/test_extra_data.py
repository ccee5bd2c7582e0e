"""`edge train --extra-data/--init-from` and `edge export --extra-data`: the user's samples are mixed
in, held back per label, and reported apart from MNIST test (tiny models, a few hundred digits)."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest
from typer.testing import CliRunner

from edge_cli import app
from ground.errors import EdgeError
from ground.manifest import read_manifest
from tests.test_train_cli import QUICK, small_npz  # noqa: F401 - the fixture is used by name

runner = CliRunner()
PER_DIGIT = 8


@pytest.fixture(scope="module")
def extra_dir(tmp_path_factory):
    """`edge collect`'s layout: 8 thick-stroked digits per label, and two non-digits in reject/."""
    root = tmp_path_factory.mktemp("mine")
    rng = np.random.default_rng(0)
    for digit in range(10):
        (root / str(digit)).mkdir()
        for i in range(PER_DIGIT):
            canvas = np.zeros((28, 28), np.uint8)
            scale = cv2.getFontScaleFromHeight(cv2.FONT_HERSHEY_SIMPLEX, 18, 4)
            cv2.putText(canvas, str(digit), (7, 23), cv2.FONT_HERSHEY_SIMPLEX, scale, 255, 4)
            canvas = np.roll(canvas, int(rng.integers(-2, 3)), axis=1)
            cv2.imwrite(str(root / str(digit) / f"s-f{i:06d}-x0y0w28h28.png"), canvas)
    (root / "reject").mkdir()
    for i in range(2):
        cv2.imwrite(str(root / "reject" / f"n{i}.png"), rng.integers(0, 256, (28, 28), dtype=np.uint8))
    return root


@pytest.mark.train_extra
def test_extra_data_is_split_per_label(extra_dir):
    from train.extra_data import REJECT, load_extra_data

    data = load_extra_data(extra_dir)
    assert len(data) == 10 * PER_DIGIT + 2 and data.images.shape[1:] == (28, 28)
    train, held = data.split(0.25, seed=0)
    assert held.counts() == {**{str(d): 2 for d in range(10)}, "reject": 1}
    assert len(train) + len(held) == len(data)
    assert np.allclose(train.targets()[train.labels == REJECT], 0.1)
    with pytest.raises(EdgeError, match="no such folder"):
        load_extra_data(extra_dir / "missing")


@pytest.mark.train_extra
def test_train_with_extra_data_then_fine_tune_reports_both_sets(small_npz, extra_dir, tmp_path):  # noqa: F811
    first = tmp_path / "first"
    args = ["train", "--data", str(small_npz), *QUICK, "--extra-data", str(extra_dir), "--extra-weight", "3"]
    result = runner.invoke(app, [*args, "--out", str(first)])
    assert result.exit_code == 0, result.output
    assert "your held-back samples:" in result.output
    metrics = json.loads((first / "metrics.json").read_text())
    assert metrics["training_set"]["extra_samples"] == 10 * (PER_DIGIT - 2) + 1
    assert metrics["extra"]["held_back"]["samples"] == 20  # digits only: the reject sample is not scored
    assert "held_back_before" not in metrics["extra"]
    assert "extra_accuracy" in json.loads((first / "history.json").read_text())

    tuned = tmp_path / "tuned"
    result = runner.invoke(
        app,
        [*args, "--out", str(tuned), "--init-from", str(first / "model.keras"), "--epochs", "1"],
    )
    assert result.exit_code == 0, result.output
    assert "before fine-tuning" in result.output
    metrics = json.loads((tuned / "metrics.json").read_text())
    assert metrics["config"]["learning_rate"] == pytest.approx(2e-4)  # the fine-tuning default
    assert metrics["extra"]["held_back_before"]["accuracy"] == pytest.approx(
        json.loads((first / "metrics.json").read_text())["extra"]["held_back"]["accuracy"]
    )
    assert metrics["best_epoch"] == metrics["epochs_run"]  # a fine-tuned model keeps its last epoch


@pytest.mark.train_extra
def test_init_from_a_missing_model_is_one_line(small_npz, tmp_path):  # noqa: F811
    result = runner.invoke(
        app,
        [
            "train",
            "--data",
            str(small_npz),
            "--init-from",
            str(tmp_path / "no.keras"),
            "--out",
            str(tmp_path / "r"),
        ],
    )
    assert result.exit_code == 1 and "model not found" in result.output


@pytest.mark.train_extra
def test_export_calibrates_and_gates_on_the_extra_data_too(small_npz, extra_dir, tmp_path):  # noqa: F811
    run = tmp_path / "run"
    assert runner.invoke(app, ["train", "--data", str(small_npz), *QUICK, "--out", str(run)]).exit_code == 0
    out = tmp_path / "models"
    result = runner.invoke(
        app,
        ["export", str(run / "model.keras"), "--data", str(small_npz), "--out", str(out)]
        + ["--extra-data", str(extra_dir), "--calibration-samples", "100", "--force"],
    )
    assert result.exit_code == 0, result.output
    assert "int8 on your samples: accuracy" in result.output
    manifest = read_manifest(out / "model_int8.tflite")  # it validates, sets and all
    assert set(manifest["validation_sets"]) == {"mnist_test", "extra"}
    assert manifest["validation_sets"]["extra"]["samples"] == 10 * PER_DIGIT  # digits, all of them
    assert manifest["validation_sets"]["mnist_test"] == manifest["validation"]
    assert manifest["gate"]["sets"]["extra"]["max_drop_pts"] == pytest.approx(100 / (10 * PER_DIGIT))
    assert (
        manifest["calibration"]["extra_samples"] == 50  # at most half the calibration samples
        and manifest["calibration"]["samples"] == 150
    )
