"""The residual network matches the notebook's design and survives a save/load round trip."""

from __future__ import annotations

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from train.metrics import classification_report  # noqa: E402
from train.model import build_resnet  # noqa: E402
from train.saved_model import load_keras_model  # noqa: E402

# The notebook's ResNet(10): stem Conv2D(64, 7) 3,200 + BN 256; per residual block 2 x (Conv2D(64, 3)
# 36,928 + BN 256) = 74,368, two blocks; Dense(10) 650. Total 152,842 (Rescaling adds none).
NOTEBOOK_PARAMETERS = 3_200 + 256 + 2 * 74_368 + 650


def test_default_model_matches_notebook_design():
    model = build_resnet()
    assert model.count_params() == NOTEBOOK_PARAMETERS
    assert model.input_shape == (None, 28, 28, 1)
    assert model.output_shape == (None, 10)
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds.count("Add") == 2
    assert kinds.count("Conv2D") == 5
    assert kinds.count("BatchNormalization") == 5
    assert "GlobalAveragePooling2D" in kinds and "MaxPooling2D" in kinds
    assert model.get_layer("stem_pool").output.shape[1:3] == (9, 9)


def test_blocks_and_filters_are_options():
    model = build_resnet(blocks=3, filters=8)
    assert [type(layer).__name__ for layer in model.layers].count("Add") == 3
    assert model.get_layer("stem_conv").filters == 8


def test_softmax_outputs_sum_to_one():
    probs = build_resnet(1, 8).predict(np.zeros((3, 28, 28, 1), np.float32), verbose=0)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)


def test_save_load_round_trip_gives_identical_predictions(tmp_path):
    model = build_resnet(1, 8)
    x = np.random.default_rng(1).integers(0, 256, (16, 28, 28, 1)).astype(np.float32)
    model.save(tmp_path / "m.keras")
    again = load_keras_model(tmp_path / "m.keras")
    np.testing.assert_array_equal(model.predict(x, verbose=0), again.predict(x, verbose=0))


def test_load_keras_model_errors(tmp_path):
    from ground.errors import EdgeError

    with pytest.raises(EdgeError, match="model not found"):
        load_keras_model(tmp_path / "none.keras")
    (tmp_path / "x.keras").write_text("not a zip")
    with pytest.raises(EdgeError, match="not a Keras .keras model"):
        load_keras_model(tmp_path / "x.keras")


def test_classification_report():
    y = np.array([0, 1, 1, 2])
    probs = np.eye(10)[[0, 1, 2, 2]]
    report = classification_report(y, probs)
    assert report["accuracy"] == 0.75
    assert report["per_class_accuracy"][:3] == [1.0, 0.5, 1.0]
    assert report["confusion_matrix"][1][2] == 1
