"""`edge info` and `edge benchmark` through the real CLI: text, JSON and one-line errors."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from edge_runtime.cli import app

runner = CliRunner()
QUICK = ["--threads", "1", "--batch", "1", "--batch", "3", "--runs", "4", "--warmup", "1"]


def test_info_summary_is_short_and_says_what_a_newcomer_needs(runtime_models):
    path = runtime_models["int8"]
    manifest = json.loads(path.with_suffix(".json").read_text())
    result = runner.invoke(app, ["info", str(path)])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) <= 25, result.output
    text = result.output
    assert "verified" in text and "the model's own metadata" in text  # verdict, labels' origin
    assert f"{manifest['validation']['tflite_accuracy_pct']:.2f}%" in text
    assert f"{manifest['validation']['drop_pts']:.2f} points" in text
    assert f"{manifest['validation']['agreement_pct']:.2f}%" in text
    assert f">= {manifest['rejection']['threshold']:.3g}" in text
    assert f"{manifest['line_reader']['model_file']}: verified" in text
    assert "xnnpack      takes" in text and "threads" in text
    assert '"mode"' not in text  # the raw manifest only with --verbose


def test_info_verbose_and_json_hold_the_whole_manifest(runtime_models):
    path = runtime_models["int8"]
    verbose = runner.invoke(app, ["info", str(path), "--verbose"])
    assert verbose.exit_code == 0, verbose.output
    assert "int8, scale" in verbose.output and "CONV_2D x" in verbose.output
    assert '"mode": "int8"' in verbose.output
    data = json.loads(runner.invoke(app, ["info", str(path), "--json"]).output)
    assert data["inputs"][0]["dtype"] == "int8" and data["manifest"]["mode"] == "int8"
    assert data["size_bytes"] == path.stat().st_size
    assert data["accept_threshold"] == data["manifest"]["rejection"]["threshold"]
    assert data["line_reader"]["status"] == "verified"


def test_info_says_when_the_line_reader_is_missing(runtime_models, tmp_path):
    path = runtime_models["int8"]
    for source in (path, path.with_suffix(".json")):
        (tmp_path / source.name).write_bytes(source.read_bytes())
    result = runner.invoke(app, ["info", str(tmp_path / path.name)])
    assert result.exit_code == 0, result.output
    assert "line_reader_int8.tflite: missing" in result.output


def test_benchmark_json_compares_models_in_one_run(runtime_models):
    models = [str(runtime_models[m]) for m in ("float32", "int8")]
    result = runner.invoke(app, ["benchmark", *models, *QUICK, "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["environment"]["cpu_count"] >= 1 and report["config"]["batches"] == [1, 3]
    rows = [(r["model"], r["batch"]) for r in report["results"]]
    assert rows == [
        ("model_float32.tflite", 1),
        ("model_int8.tflite", 1),
        ("model_float32.tflite", 3),
        ("model_int8.tflite", 3),
    ]
    assert report["results"][0]["ratio_to_first"] == 1.0 and report["results"][1]["ratio_to_first"] > 0


def test_benchmark_text_table(runtime_models):
    result = runner.invoke(app, ["benchmark", str(runtime_models["int8"]), *QUICK, "--no-xnnpack"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("builtin kernels only") and "vs first" in lines[2]
    assert sum(line.startswith("model_int8.tflite") for line in lines) == 2  # batch 1 and 3


@pytest.mark.parametrize(
    "args, code, message",
    [
        (["info", "missing.tflite"], 1, "model not found"),
        (["benchmark", "missing.tflite"], 1, "model not found"),
        (["benchmark", "{int8}", "--batch", "0"], 2, "Invalid value for '--batch'"),  # a usage error
        (["benchmark", "{int8}", "--runs", "0"], 2, "Invalid value for '--runs'"),
    ],
)
def test_bad_input_gives_one_line_error(runtime_models, args, code, message):
    args = [a.format(int8=runtime_models["int8"]) for a in args]
    result = runner.invoke(app, args)
    assert result.exit_code == code
    assert f"error: {message}" in result.output and "Traceback" not in result.output


def test_benchmark_rejects_a_file_that_is_not_tflite(tmp_path):
    fake = tmp_path / "notes.txt"
    fake.write_text("not a model, " * 20)
    result = runner.invoke(app, ["benchmark", str(fake)])
    assert result.exit_code == 1 and "not a TFLite model" in result.output
