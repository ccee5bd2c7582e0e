"""The line reader's training side: generated lines, the network, `edge train-reader`, and how
`edge export` treats a reader beside the model."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
from typer.testing import CliRunner

from edge_cli import app
from ground.contract import LINE_MAX_DIGITS, LINE_SHAPE, LINE_STEPS, NUM_CLASSES
from tests.conftest import save_mnist_subset

pytestmark = pytest.mark.train_extra

runner = CliRunner()


@pytest.fixture(scope="module")
def mnist_subset(full_mnist, tmp_path_factory):
    return save_mnist_subset(full_mnist, tmp_path_factory.mktemp("data") / "small.npz", 2000, 500)


@pytest.fixture(scope="module")
def digits(full_mnist) -> tuple[np.ndarray, np.ndarray]:
    return full_mnist.x_train[:2000], full_mnist.y_train[:2000]


def test_lines_are_seeded_labelled_and_partly_no_number(digits):
    from train.lines import NEGATIVE_SHARE, training_lines

    images, texts = training_lines(400, *digits, seed=5)
    assert images.shape == (400, *LINE_SHAPE) and images.dtype == np.uint8
    assert all(text.isdigit() and 1 <= len(text) <= LINE_MAX_DIGITS for text in texts if text)
    assert abs(texts.count("") / 400 - NEGATIVE_SHARE) < 0.07
    assert {len(t) for t in texts} == set(range(LINE_MAX_DIGITS + 1))
    assert (images.reshape(400, -1).max(axis=1) > 200).all()  # every line holds ink, brightened
    again, same_texts = training_lines(400, *digits, seed=5)
    np.testing.assert_array_equal(images, again)
    assert texts == same_texts


def test_longer_numbers_make_wider_lines(digits):
    from train.lines import training_lines

    images, texts = training_lines(300, *digits, seed=6)
    width = {n: [] for n in range(1, LINE_MAX_DIGITS + 1)}
    for image, text in zip(images, texts, strict=True):
        if text:
            width[len(text)].append(np.nonzero(image.max(axis=0))[0].max())
    means = [np.mean(width[n]) for n in range(1, LINE_MAX_DIGITS + 1)]
    assert means == sorted(means) and means[-1] > 3 * means[0]


def test_the_reader_answers_one_column_step_per_four_pixels():
    from train.reader import build_reader, encode_texts

    model = build_reader()
    assert model.output_shape == (None, LINE_STEPS, NUM_CLASSES + 1)
    assert model.count_params() < 250_000  # int8 under the 256 KiB a test fixture may take
    np.testing.assert_array_equal(encode_texts(["307", ""]), [[4, 1, 8, 0, 0, 0], [0] * 6])


def test_train_reader_writes_the_reader_its_metrics_and_curves(tmp_path, mnist_subset):
    result = runner.invoke(
        app,
        [
            "train-reader",
            "--data",
            str(mnist_subset),
            "--model-dir",
            str(tmp_path),
            "--lines",
            "64",
            "--epochs",
            "1",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "lines read exactly" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "line_reader.keras",
        "line_reader_curves.png",
        "line_reader_metrics.json",
    ]
    metrics = json.loads((tmp_path / "line_reader_metrics.json").read_text())
    assert len(metrics["history"]["val_exact"]) == 1 and 0.0 <= metrics["test_exact"] <= 1.0


def test_export_refuses_a_reader_that_reads_nothing_and_writes_nothing(
    tmp_path, tiny_model_path, mnist_subset
):
    from train.reader import build_reader

    run = tmp_path / "run"
    run.mkdir()
    shutil.copy(tiny_model_path, run / "model.keras")
    reader = build_reader()
    logits = reader.get_layer("logits")
    kernel, bias = logits.get_weights()
    logits.set_weights([np.zeros_like(kernel), np.eye(len(bias), dtype=bias.dtype)[0] * 10])  # blank only
    reader.save(run / "line_reader.keras")
    out = tmp_path / "models"
    result = runner.invoke(
        app, ["export", str(run / "model.keras"), "--data", str(mnist_subset), "--out", str(out)]
    )
    assert result.exit_code == 1
    assert "line reader reads no validation number right" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()  # the folder it made is removed too


def test_the_manifest_records_the_line_reader_exported_beside_it(tmp_path, tiny_model_path, full_mnist):
    from export.modes import MODES
    from export.pipeline import export_mode, source_record
    from train.saved_model import load_keras_model

    record = {"model_file": "line_reader_int8.tflite", "accept_threshold": 0.6, "file": {"size_bytes": 1}}
    result = export_mode(
        load_keras_model(tiny_model_path),
        MODES["float32"],
        tmp_path,
        source=source_record(tiny_model_path),
        line_reader=record,
    )
    assert json.loads(result.path.with_suffix(".json").read_text())["line_reader"] == record
