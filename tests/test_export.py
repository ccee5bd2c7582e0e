"""Export library: modes, int8 integer-only I/O, manifests, calibration, the accuracy gate."""

from __future__ import annotations

import json

import numpy as np
import pytest

from ground.errors import EdgeError
from ground.manifest import file_mismatches, read_manifest, sha256_file

pytestmark = [pytest.mark.slow, pytest.mark.train_extra]
EVAL_IMAGES = 300
# The tiny test model is less robust to quantization than the full one, and 300 images make each
# disagreement 0.33 pt: the gate tests use thresholds this model meets in every mode.
TINY_GATE = {"max_drop": 2.0, "min_agreement": 97.0}


@pytest.fixture(scope="module")
def tiny_model(tiny_model_path):
    from train.saved_model import load_keras_model

    return load_keras_model(tiny_model_path)


@pytest.fixture(scope="module")
def eval_set(tiny_model, full_mnist):
    from export.validate import make_eval_set

    return make_eval_set(tiny_model, full_mnist.x_test, full_mnist.y_test, EVAL_IMAGES)


@pytest.fixture(scope="module")
def calibration(full_mnist):
    from export.calibration import calibration_images
    from export.pipeline import Calibration

    return Calibration(calibration_images(full_mnist.x_train, full_mnist.y_train, 100, seed=0), seed=0)


# ---- every mode converts and runs in the runtime-free interpreter ---------------------------------


def test_every_mode_loads_and_classifies_in_litert(tiny_tflite_models, full_mnist):
    from ai_edge_litert.interpreter import Interpreter

    from edge_runtime.interpreter import DigitModel
    from export.modes import MODES

    assert set(tiny_tflite_models) == set(MODES)
    x, y = full_mnist.x_test[:200], full_mnist.y_test[:200]
    for mode, path in tiny_tflite_models.items():
        Interpreter(model_path=str(path)).allocate_tensors()
        probs = DigitModel(path).predict(x)
        assert probs.shape == (200, 10), mode
        # int8 rounds each of the 10 outputs to a 1/256 step
        np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=0.05, err_msg=mode)
        assert (probs.argmax(axis=1) == y).mean() > 0.9, mode


def test_quantized_files_are_smaller(tiny_tflite_models):
    size = {mode: path.stat().st_size for mode, path in tiny_tflite_models.items()}
    assert size["int8"] < size["dynamic"] < size["float16"] < size["float32"]


def test_int8_has_int8_io_and_integer_only_tensors(tiny_tflite_models):
    from ai_edge_litert.interpreter import Interpreter

    interpreter = Interpreter(model_path=str(tiny_tflite_models["int8"]))
    interpreter.allocate_tensors()
    assert interpreter.get_input_details()[0]["dtype"] == np.int8
    assert interpreter.get_output_details()[0]["dtype"] == np.int8
    dtypes = {np.dtype(t["dtype"]).name for t in interpreter.get_tensor_details()}
    assert dtypes <= {"int8", "int32"}, dtypes  # int8 weights/activations, int32 biases and shapes
    ops = {op["op_name"] for op in interpreter._get_ops_details()}
    assert not ops & {"DEQUANTIZE", "QUANTIZE"}, ops  # no float island anywhere in the graph
    assert interpreter.get_input_details()[0]["quantization"] == (1.0, -128)  # raw pixels, shifted


def test_uint8_io_for_coral_style_accelerators(tiny_model, tiny_model_path, calibration, eval_set, tmp_path):
    from export.gate import Gate
    from export.modes import MODES, plan_exports
    from export.pipeline import export_mode, source_record

    (target,) = plan_exports([MODES["int8"]], input_type="uint8")
    result = export_mode(
        tiny_model,
        target,
        tmp_path,
        source=source_record(tiny_model_path),
        calibration=calibration,
        eval_set=eval_set,
        gate=Gate(**TINY_GATE),
    )
    assert result.accepted and result.path.name == "model_int8_uint8io.tflite"
    manifest = read_manifest(result.path)
    assert manifest["input"]["dtype"] == "uint8" and manifest["output"]["dtype"] == "uint8"
    assert manifest["validation"]["agreement_pct"] >= TINY_GATE["min_agreement"]
    assert "uint8 I/O" in manifest["description"]


# ---- manifests ------------------------------------------------------------------------------------


def test_manifest_records_the_file_and_its_contract(tiny_tflite_models, tiny_model_path):
    from ai_edge_litert.interpreter import Interpreter

    for mode, path in tiny_tflite_models.items():
        manifest = read_manifest(path)
        assert manifest is not None, mode
        assert file_mismatches(path, manifest) == [], mode
        assert manifest["file"]["size_bytes"] == path.stat().st_size
        assert manifest["file"]["sha256"] == sha256_file(path)
        assert manifest["source_model"]["sha256"] == sha256_file(tiny_model_path)
        assert manifest["mode"] == mode and manifest["model_file"] == path.name
        assert manifest["labels"] == [str(d) for d in range(10)]
        assert manifest["pixel_contract"]["range"] == [0, 255]
        detail = Interpreter(model_path=str(path)).get_input_details()[0]
        assert manifest["input"]["dtype"] == np.dtype(detail["dtype"]).name
        assert manifest["input"]["shape"] == [1, 28, 28, 1]
        assert {"tensorflow", "numpy"} <= set(manifest["versions"]) and manifest["created"]
    assert read_manifest(tiny_tflite_models["int8"])["calibration"]["samples"] == 100


def test_manifest_mismatch_is_detected(tiny_tflite_models, tmp_path):
    copy = tmp_path / "model.tflite"
    copy.write_bytes(tiny_tflite_models["float16"].read_bytes() + b"\0")
    problems = file_mismatches(copy, read_manifest(tiny_tflite_models["float16"]))
    assert len(problems) == 2 and "size" in problems[0] and "sha256" in problems[1]


# ---- the accuracy check and the gate -------------------------------------------------------------


def test_accepted_export_records_its_validation(tiny_model, tiny_model_path, eval_set, tmp_path):
    from export.modes import MODES
    from export.pipeline import export_mode, source_record

    result = export_mode(
        tiny_model, MODES["float16"], tmp_path, source=source_record(tiny_model_path), eval_set=eval_set
    )
    manifest = json.loads(result.path.with_suffix(".json").read_text())
    v = manifest["validation"]
    assert manifest["status"] == "passed" and manifest["gate"]["passed"] is True
    assert v["samples"] == EVAL_IMAGES and v["agreement_pct"] >= 99.5 and abs(v["drop_pts"]) <= 0.3
    assert v["max_abs_prob_diff"] < 0.01 and len(v["per_class_accuracy_pct"]["tflite"]) == 10
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model_float16.json", "model_float16.tflite"]


def _perturbed_copy(model, scale: float = 0.5):
    """The model with Gaussian noise added to every weight: a 'damaged' export."""
    import keras

    damaged = keras.models.clone_model(model)
    rng = np.random.default_rng(0)
    damaged.set_weights(
        [w + scale * np.std(w) * rng.standard_normal(w.shape).astype(w.dtype) for w in model.get_weights()]
    )
    return damaged


def test_gate_rejects_a_damaged_model_and_leaves_nothing(
    tiny_model, tiny_model_path, calibration, eval_set, tmp_path
):
    from export.modes import MODES
    from export.pipeline import export_mode, source_record

    result = export_mode(
        _perturbed_copy(tiny_model),
        MODES["int8"],
        tmp_path,
        source=source_record(tiny_model_path),
        calibration=calibration,
        eval_set=eval_set,  # the float reference is the undamaged model
    )
    assert not result.accepted and result.path is None
    assert any(f.startswith("agreement") for f in result.failures), result.failures
    assert list(tmp_path.iterdir()) == []  # no model, no manifest, no temporary file


def test_gate_with_impossible_threshold_keeps_previous_model_and_force_marks_failed(
    tiny_model, tiny_model_path, eval_set, tmp_path
):
    from export.gate import Gate
    from export.modes import MODES
    from export.pipeline import export_mode, source_record

    source = source_record(tiny_model_path)
    dynamic = MODES["dynamic"]
    good = export_mode(
        tiny_model, dynamic, tmp_path, source=source, eval_set=eval_set, gate=Gate(**TINY_GATE)
    )
    before = good.path.read_bytes(), good.path.with_suffix(".json").read_text()
    impossible = Gate(max_drop=-1.0)  # the model would have to gain a whole point over itself
    rejected = export_mode(tiny_model, dynamic, tmp_path, source=source, eval_set=eval_set, gate=impossible)
    assert rejected.path is None and "accuracy drop" in rejected.failures[0]
    assert (good.path.read_bytes(), good.path.with_suffix(".json").read_text()) == before

    forced = export_mode(
        tiny_model, dynamic, tmp_path, source=source, eval_set=eval_set, gate=impossible, force=True
    )
    manifest = read_manifest(forced.path)
    assert manifest["status"] == "failed" and manifest["gate"]["forced"] is True
    assert manifest["gate"]["failures"] == list(forced.failures)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model_dynamic.json", "model_dynamic.tflite"]


def _validation(drop_pts: float, agreement_pct: float):
    from export.validate import Validation

    return Validation(100, 99.0, 99.0 - drop_pts, drop_pts, agreement_pct, 0.0, 0.0, {})


def test_gate_reports_which_check_failed_and_by_how_much():
    from export.gate import Gate

    gate = Gate(max_drop=0.3, min_agreement=99.5)
    assert gate.failures(_validation(0.3, 99.5)) == []  # the bounds pass
    drop, agreement = gate.failures(_validation(0.55, 99.0))
    assert "0.55 pt > --max-drop 0.30 pt" in drop and "over by 0.25 pt" in drop
    assert "99.00% < --min-agreement 99.50%" in agreement and "short by 0.50 pt" in agreement
    verdict = gate.check(_validation(0.55, 99.0), force=True)
    assert verdict.to_json() == {
        "max_drop_pts": 0.3,
        "min_agreement_pct": 99.5,
        "passed": False,
        "failures": [drop, agreement],
        "forced": True,
    }


def test_compare_figures():
    from export.validate import compare

    labels = np.array([0, 1, 2, 3])
    float_probs = np.eye(10, dtype=np.float32)[[0, 1, 2, 3]]
    tflite_probs = float_probs.copy()
    tflite_probs[3] = np.eye(10)[5] * 0.6 + np.eye(10)[3] * 0.4  # one flipped prediction
    validation = compare(labels, float_probs, tflite_probs)
    assert validation.drop_pts == 25.0 and validation.agreement_pct == 75.0
    v = validation.to_json()  # the manifest's `validation`, fields as before
    assert v["float_accuracy_pct"] == 100.0 and v["tflite_accuracy_pct"] == 75.0
    assert v["drop_pts"] == 25.0 and v["agreement_pct"] == 75.0 and v["samples"] == 4
    assert v["max_abs_prob_diff"] == pytest.approx(0.6) and "mean_abs_prob_diff" in v
    assert v["per_class_accuracy_pct"]["tflite"][3] == 0.0 and v["per_class_accuracy_pct"]["float"][3] == 100


# ---- calibration and input checks ----------------------------------------------------------------


def test_calibration_is_stratified_and_seeded(full_mnist):
    from export.calibration import calibration_images, stratified_sample

    y = full_mnist.y_train
    picked = stratified_sample(y, 205, seed=1)
    counts = np.bincount(y[picked], minlength=10)
    assert len(set(picked.tolist())) == 205 and counts.max() - counts.min() <= 1
    assert np.array_equal(picked, stratified_sample(y, 205, seed=1))
    assert not np.array_equal(picked, stratified_sample(y, 205, seed=2))
    images = calibration_images(full_mnist.x_train, y, 50, seed=0)
    assert images.shape == (50, 28, 28) and images.dtype == np.uint8


@pytest.mark.parametrize(
    ("images", "message"),
    [
        (np.zeros((5, 28, 28), np.uint8), "too small"),
        (np.zeros((50, 32, 32), np.uint8), "shape (50, 32, 32)"),
        (np.zeros((50, 28, 28), np.float32), "dtype float32"),
    ],
)
def test_bad_calibration_sets_are_refused(images, message):
    from export.calibration import check_calibration_images

    with pytest.raises(EdgeError, match=message.replace("(", r"\(").replace(")", r"\)")):
        check_calibration_images(images)


def test_calibration_larger_than_training_set_is_refused():
    from export.calibration import calibration_images

    with pytest.raises(EdgeError, match="too large"):
        calibration_images(np.zeros((20, 28, 28), np.uint8), np.arange(20) % 10, 30, seed=0)


def test_model_with_wrong_input_shape_is_refused():
    import keras

    from export.pipeline import check_model_input

    inputs = keras.Input((32, 32, 3))
    model = keras.Model(inputs, keras.layers.Dense(10)(keras.layers.Flatten()(inputs)))
    with pytest.raises(EdgeError, match=r"model input is \(None, 32, 32, 3\)"):
        check_model_input(model)


def test_unwritable_output_directory_is_refused(tmp_path):
    from export.pipeline import prepare_out_dir

    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    with pytest.raises(EdgeError, match="cannot write to output directory"):
        prepare_out_dir(blocker / "models")


# ---- the acceptance threshold ----------------------------------------------------------------------


def test_acceptance_threshold_rejects_at_most_the_given_share_of_digits():
    from train.rejection import acceptance_threshold

    scores = np.random.default_rng(0).uniform(0.2, 1.0, 10_000)
    for share in (0.001, 0.01, 0.05):
        threshold = acceptance_threshold(scores, share)
        assert (scores < threshold).mean() <= share
        assert (scores < np.nextafter(threshold, 2)).mean() > share - 0.001  # and not much less


def test_export_records_the_acceptance_threshold_set_on_validation_digits(
    tiny_model, tiny_model_path, eval_set, full_mnist, tmp_path
):
    from export.modes import MODES
    from export.pipeline import export_mode, source_record
    from export.rejection import make_rejection_set
    from train.data import MnistData
    from train.rejection import MAX_DIGITS_REJECTED

    small = MnistData(
        full_mnist.x_train[:500], full_mnist.y_train[:500], eval_set.images, eval_set.labels, "t"
    )
    rejection_set = make_rejection_set(tiny_model_path, small)  # no metrics.json beside it: the test set
    result = export_mode(
        tiny_model,
        MODES["float32"],
        tmp_path,
        source=source_record(tiny_model_path),
        eval_set=eval_set,
        rejection_set=rejection_set,
    )
    rejection = result.manifest["rejection"]
    assert rejection["method"] == "max-softmax" and 0.0 < rejection["threshold"] < 1.0
    assert rejection["digits"]["source"] == "MNIST test set" and rejection["digits"]["samples"] == EVAL_IMAGES
    assert 0.0 < rejection["digits"]["rejected_pct"] <= 100 * MAX_DIGITS_REJECTED
    assert (
        rejection["negatives"]["samples"] == 1000 and 0.0 <= rejection["negatives"]["rejected_pct"] <= 100.0
    )

    from edge_runtime.interpreter import DigitModel

    assert DigitModel(result.path).accept_threshold == rejection["threshold"]
    alone = tmp_path / "alone" / result.path.name  # the model carries the threshold itself
    alone.parent.mkdir()
    alone.write_bytes(result.path.read_bytes())
    assert DigitModel(alone).accept_threshold == rejection["threshold"]
