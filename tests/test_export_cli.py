"""`edge export` end to end through the real CLI: outputs, the gate's exit code, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from typer.testing import CliRunner

from edge_cli import app
from ground.manifest import file_mismatches, read_manifest
from tests.conftest import REPO, save_mnist_subset

pytestmark = [pytest.mark.slow, pytest.mark.train_extra]
runner = CliRunner()
QUICK = ["--eval-samples", "300", "--calibration-samples", "100"]
TINY_GATE = ["--max-drop", "2", "--min-agreement", "97"]  # see TINY_GATE in test_export.py


@pytest.fixture(scope="module")
def small_npz(full_mnist, tmp_path_factory):
    """2,000 training and 500 test digits from the real set (quicker to load than all of it)."""
    return save_mnist_subset(full_mnist, tmp_path_factory.mktemp("data") / "small.npz", 2000, 500)


def export(model, data, out, *args):
    return runner.invoke(app, ["export", str(model), "--data", str(data), "--out", str(out), *args])


def test_quantize_all_writes_every_model_and_the_report(tiny_model_path, small_npz, tmp_path):
    result = export(tiny_model_path, small_npz, tmp_path, "--quantize", "all", *QUICK, *TINY_GATE)
    assert result.exit_code == 0, result.output
    assert "checking int8: 300/300 test images" in result.stderr
    for mode in ("float32", "float16", "dynamic", "int8"):
        assert f"{mode}: passed the gate" in result.stdout
        assert f"-> {tmp_path / f'model_{mode}.tflite'}" in result.stdout
        manifest = read_manifest(tmp_path / f"model_{mode}.tflite")
        assert manifest["status"] == "passed" and manifest["validation"]["samples"] == 300
        assert file_mismatches(tmp_path / f"model_{mode}.tflite", manifest) == []
    header = next(line for line in result.stdout.splitlines() if "size KB" in line)
    assert header.split()[:3] == ["mode", "size", "KB"] and "agreement" in header and "latency" in header
    report = json.loads((tmp_path / "report.json").read_text())
    assert [row["mode"] for row in report["modes"]] == ["float32", "float16", "dynamic", "int8"]
    assert report["modes"][0]["size_vs_float32_pct"] == 100.0
    assert all(row["latency_ms"] > 0 and row["status"] == "passed" for row in report["modes"])
    assert report["modes"][3]["size_vs_float32_pct"] < 60
    assert "| int8 |" in (tmp_path / "report.md").read_text()
    assert (tmp_path / "report.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_int8_uint8_io_with_debug_csv(tiny_model_path, small_npz, tmp_path):
    args = ["--quantize", "int8", "--input-type", "uint8", "--debug", *QUICK, *TINY_GATE]
    result = export(tiny_model_path, small_npz, tmp_path, *args)
    assert result.exit_code == 0, result.output
    assert read_manifest(tmp_path / "model_int8_uint8io.tflite")["input"]["dtype"] == "uint8"
    assert "agreement" in result.stdout and "on 300 test images" in result.stdout
    assert "RMSE/scale" in result.stdout
    lines = (tmp_path / "int8_debug.csv").read_text().splitlines()
    assert lines[0].startswith("rank,op_name,tensor_name,rmse_over_scale")
    errors = [float(line.split(",")[3]) for line in lines[1:]]
    assert len(errors) >= 5 and errors == sorted(errors, reverse=True)  # worst layer first


@pytest.fixture
def damaged_conversion(monkeypatch):
    """Make the exporter convert a weight-perturbed copy of the model, as a broken conversion would."""
    import keras

    import export.pipeline

    real_convert = export.pipeline.convert

    def convert_damaged(model, target, calibration_images=None):
        damaged = keras.models.clone_model(model)
        rng = np.random.default_rng(0)
        damaged.set_weights([w + 0.5 * np.std(w) * rng.standard_normal(w.shape) for w in model.get_weights()])
        return real_convert(damaged, target, calibration_images)

    monkeypatch.setattr(export.pipeline, "convert", convert_damaged)


def test_gate_failure_exits_3_and_writes_nothing(tiny_model_path, small_npz, tmp_path, damaged_conversion):
    result = export(tiny_model_path, small_npz, tmp_path, "--quantize", "int8", *QUICK)
    assert result.exit_code == 3
    assert result.stderr.strip().splitlines()[-1].startswith("error: failed the accuracy gate")
    assert "agreement" in result.stderr and "short by" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_force_keeps_a_failed_model_marked_failed(tiny_model_path, small_npz, tmp_path, damaged_conversion):
    result = export(tiny_model_path, small_npz, tmp_path, "--quantize", "int8", "--force", *QUICK)
    assert result.exit_code == 0, result.output
    assert "warning: int8 failed the gate" in result.stderr
    manifest = read_manifest(tmp_path / "model_int8.tflite")
    assert manifest["status"] == "failed" and manifest["gate"]["forced"] is True
    assert manifest["gate"]["passed"] is False and manifest["gate"]["failures"]


# ---- bad inputs: one line on stderr, exit 1, no traceback ---------------------------------------


@pytest.fixture(scope="module")
def bad_inputs(tmp_path_factory, full_mnist):
    import keras

    folder = tmp_path_factory.mktemp("bad")
    (folder / "notes.keras").write_text("not a model")
    inputs = keras.Input((32, 32, 3))
    wrong = keras.Model(inputs, keras.layers.Dense(10)(keras.layers.Flatten()(inputs)))
    wrong.save(folder / "rgb32.keras")
    (folder / "garbage.npz").write_bytes(b"\x00" * 100)
    rgb = np.zeros((20, 32, 32), np.uint8)
    np.savez(
        folder / "wrong_shape.npz",
        x_train=rgb,
        y_train=np.zeros(20, np.uint8),
        x_test=rgb,
        y_test=rgb[:, 0, 0],
    )
    (folder / "a_file").write_text("")
    return folder


@pytest.mark.parametrize(
    ("model", "data", "out", "args", "message"),
    [
        ("missing.keras", None, None, [], "model not found"),
        ("notes.keras", None, None, [], "not a Keras .keras model file"),
        ("rgb32.keras", None, None, [], "model input is (None, 32, 32, 3)"),
        (None, "garbage.npz", None, [], "not a readable .npz file"),
        (None, "missing.npz", None, [], "MNIST data not found"),
        (None, "wrong_shape.npz", None, [], "x_train has shape (20, 32, 32)"),
        (None, None, None, ["--calibration-samples", "999999"], "calibration set too large"),
        (None, None, "a_file/models", [], "cannot write"),
        (
            None,
            None,
            None,
            ["--quantize", "float32", "--input-type", "uint8"],
            "--input-type uint8 applies to int8 export only (use --quantize int8 or all)",
        ),
        (None, None, None, ["--quantize", "float16", "--debug"], "--debug analyses the int8 model"),
    ],
)
def test_bad_input_gives_one_clear_line(
    bad_inputs, tiny_model_path, small_npz, tmp_path, model, data, out, args, message
):
    model_path = bad_inputs / model if model else tiny_model_path
    data_path = bad_inputs / data if data else small_npz
    out_path = bad_inputs / out if out else tmp_path / "out"
    result = export(model_path, data_path, out_path, *args)
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("error: ") and message in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.output
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").glob("*.tflite"))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--quantize", "int4"], "Invalid value for '--quantize'"),
        (["--input-type", "int16"], "Invalid value for '--input-type'"),
        (["--calibration-samples", "5"], "Invalid value for '--calibration-samples'"),
        (["--eval-samples", "0"], "Invalid value for '--eval-samples'"),
    ],
)
def test_bad_choice_is_refused_while_parsing_before_tensorflow_loads(tmp_path, args, message):
    """`--quantize` and `--input-type` are choices from export.modes' table, the sample counts have
    their least values: refused by the parser (exit 2, one line), even where TensorFlow cannot be
    imported at all."""
    code = textwrap.dedent(
        f"""
        import sys
        sys.modules["tensorflow"] = None  # makes `import tensorflow` raise ImportError
        from edge_cli import main
        sys.argv = ["edge", "export", "model.keras", *{args!r}]
        main()
        """
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("error: ") and message in proc.stderr, proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
    assert "pip install" not in proc.stderr  # refused before the command body asked for TensorFlow


@pytest.mark.parametrize("args", [["--help"], ["export", "--help"]])
def test_help_works_without_tensorflow_and_shows_the_stage_defaults(args):
    code = textwrap.dedent(
        f"""
        import sys
        sys.modules["tensorflow"] = None
        from edge_cli import main
        sys.argv = ["edge", *{args!r}]
        main()
        """
    )
    env = {**os.environ, "COLUMNS": "200"}
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=60, env=env
    )
    assert proc.returncode == 0, proc.stderr
    if args == ["--help"]:
        assert "export" in proc.stdout
        return
    assert "float32|float16|dynamic|int8|all" in proc.stdout and "int8|uint8" in proc.stdout
    from export.config import ExportConfig

    defaults = ExportConfig()
    for shown in (defaults.calibration_samples, defaults.gate.max_drop, defaults.gate.min_agreement):
        assert f"[default: {shown}" in proc.stdout  # then "]", or "; " and the range
