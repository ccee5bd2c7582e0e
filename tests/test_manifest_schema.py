"""The manifest is checked before anything reads it: every field's type and range, its `status`
exactly, its `model_file` against the model beside it, its size and nesting before parsing, and the
kind of file it is. Each defect is one `error:` line naming the manifest and the field, exit 1, through
the device CLI; then the schema's checks on their own. No TensorFlow: copies of the exported fixture."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
from typer.testing import CliRunner

from edge_runtime.cli import app
from ground.manifest import (
    MAX_MANIFEST_BYTES,
    MAX_MANIFEST_DEPTH,
    build_manifest,
    check_manifest,
    manifest_path,
    read_manifest,
    status_of,
)
from ground.schema import SchemaError, integer, nesting_depth, number, one_of, parse_json
from tests.test_model_file import FIXTURE, one_error

REPO = Path(__file__).resolve().parents[1]
DEEP = 100_000
runner = CliRunner()


@pytest.fixture
def model(tmp_path) -> Path:
    """A copy of the exported fixture, its manifest and its line reader, under their own names."""
    for source in (FIXTURE, FIXTURE.with_suffix(".json"), FIXTURE.with_name("line_reader_int8.tflite")):
        shutil.copy(source, tmp_path / source.name)
    return tmp_path / FIXTURE.name


@pytest.fixture
def image(tmp_path) -> Path:
    path = tmp_path / "blank.png"
    cv2.imwrite(str(path), np.zeros((28, 28), np.uint8))
    return path


def fixture_manifest() -> dict:
    return json.loads(FIXTURE.with_suffix(".json").read_text())


def edited(manifest: dict, field: str, value) -> dict:
    """`manifest` with its field at the dotted path `field` set to `value`."""
    *parents, last = field.split(".")
    inner = manifest
    for key in parents:
        inner = inner[key]
    inner[last] = value
    return manifest


def loading_commands(model: Path, image: Path) -> list[list[str]]:
    """Device commands that load `model`: `info`, and `classify` on one image."""
    return [["info", str(model)], ["classify", "-m", str(model), str(image)]]


def run_device_cli(*args: str) -> subprocess.CompletedProcess:
    """`python -m edge_runtime ARGS` in a child process (a blocking open would hit the timeout)."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-m", "edge_runtime", *args], capture_output=True, text=True, timeout=120, env=env
    )


def one_child_error(done: subprocess.CompletedProcess, *fragments: str) -> None:
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, done.stderr
    for fragment in fragments:
        assert fragment in errors[0], errors[0]


# ---- each defect of the issue, through the device CLI ---------------------------------------------

DEFECTS = [
    ("line_reader.accept_threshold", "abc", 'expected a number in [0, 1], got "abc"'),
    ("line_reader.accept_threshold", None, "expected a number in [0, 1], got null"),
    ("rejection", "x", 'expected an object, got "x"'),
    ("rejection.threshold", "0.1", 'expected a number in [0, 1], got "0.1"'),
    ("model_file", "line_reader_int8.tflite", 'expected "model_int8.tflite", the model beside it'),
    ("model_file", "/etc/passwd", 'expected a file name beside the model (no folder), got "/etc/passwd"'),
    ("status", "FAILED", 'expected one of "passed", "failed", "unchecked", got "FAILED"'),
    ("status", None, "expected one of"),
    ("status", ["failed"], 'expected one of "passed", "failed", "unchecked", got ["failed"]'),
    ("status", "failed", 'expected "passed", as gate.passed says, got "failed"'),
    ("format_version", 2, "expected 1, got 2"),
    ("labels", ["0"] * 9, "expected a list of 10"),
    ("file.sha256", "F" * 64, "expected a sha256"),
]


@pytest.mark.parametrize("field, value, message", DEFECTS)
def test_a_bad_field_is_one_error_line_naming_it(model, image, field, value, message):
    manifest_path(model).write_text(json.dumps(edited(fixture_manifest(), field, value)))
    for command in loading_commands(model, image):
        one_error(runner.invoke(app, command), f"{manifest_path(model)}: {field}: {message}")


def test_the_device_cli_refuses_a_bad_field_in_a_child_process_too(model):
    manifest_path(model).write_text(
        json.dumps(edited(fixture_manifest(), "line_reader.accept_threshold", "abc"))
    )
    one_child_error(run_device_cli("info", str(model)), "line_reader.accept_threshold: expected a number")


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda m: m.pop("status"), "status: missing"),
        (lambda m: m.update(rejecton=None), 'unknown field "rejecton"'),
        (lambda m: m["gate"].update(note="edited"), 'gate: unknown field "note"'),
    ],
)
def test_a_missing_or_unknown_field_is_named(model, image, edit, message):
    manifest = fixture_manifest()
    edit(manifest)
    manifest_path(model).write_text(json.dumps(manifest))
    for command in loading_commands(model, image):
        one_error(runner.invoke(app, command), message)


def test_a_manifest_nested_100000_levels_deep_is_refused_before_parsing(model, image):
    manifest_path(model).write_text('{"versions": ' + "[" * DEEP + "]" * DEEP + "}")
    for command in loading_commands(model, image):
        one_error(runner.invoke(app, command), f"nested {DEEP + 1:,} levels deep, more than")
    one_child_error(run_device_cli("info", str(model)), "levels deep")


def test_a_manifest_larger_than_the_cap_is_refused_unread(model):
    text = FIXTURE.with_suffix(".json").read_text()
    manifest_path(model).write_text(text + " " * (MAX_MANIFEST_BYTES + 1 - len(text)))
    one_error(runner.invoke(app, ["info", str(model)]), f"larger than {MAX_MANIFEST_BYTES:,} bytes")


@pytest.mark.parametrize(
    "content, message",
    [
        (b"{", "not valid JSON"),
        (b"\xff\xfe{}", "not UTF-8 text"),
        (b'{"status": "failed", "status": "passed"}', 'the key "status" appears twice'),
        (b"[]", "expected an object, got []"),
    ],
)
def test_a_manifest_that_is_no_json_object_is_refused(model, content, message):
    manifest_path(model).write_bytes(content)
    one_error(runner.invoke(app, ["info", str(model)]), message)


def test_a_manifest_that_is_a_folder_fifo_or_symlink_to_dev_zero_is_an_error(model):
    path = manifest_path(model)
    path.unlink()
    path.mkdir()
    one_child_error(run_device_cli("info", str(model)), str(path), "not a regular file (a folder)")
    path.rmdir()
    os.mkfifo(path)  # no writer: a blocking open would wait forever
    one_child_error(run_device_cli("info", str(model)), "not a regular file (a FIFO)")
    path.unlink()
    path.symlink_to("/dev/zero")
    for args in (["info", str(model)], ["classify", "-m", str(model), str(model)]):
        one_child_error(run_device_cli(*args), "not a regular file (a character device)")


def test_a_symlink_to_a_good_manifest_and_no_manifest_both_load(model):
    target = model.with_name("elsewhere.json")
    manifest_path(model).rename(target)
    assert json.loads(runner.invoke(app, ["info", str(model), "--json"]).stdout)["verdict"] == "no manifest"
    manifest_path(model).symlink_to(target)
    assert json.loads(runner.invoke(app, ["info", str(model), "--json"]).stdout)["verdict"] == "verified"


# ---- the schema on its own ----------------------------------------------------------------------


def test_the_committed_manifest_validates_and_is_shallow():
    assert read_manifest(FIXTURE) == fixture_manifest()
    assert nesting_depth(FIXTURE.with_suffix(".json").read_text()) <= MAX_MANIFEST_DEPTH


def test_what_build_manifest_writes_validates_checked_or_not():
    fixture = fixture_manifest()
    tensor = {"name": "x", "shape": np.array([1, 28, 28, 1]), "dtype": np.int8, "quantization": (1.0, -128)}
    common = dict(
        model_file="model_int8.tflite",
        model_bytes=b"model",
        mode="int8",
        description="int8",
        input_detail=tensor,
        output_detail={**tensor, "shape": np.array([1, 10])},
        source=fixture["source_model"],
        versions=fixture["versions"],
    )
    unchecked = build_manifest(**common, status=status_of(None))
    checked = build_manifest(
        **common,
        status=status_of(True),
        **{key: fixture[key] for key in ("validation", "gate", "calibration", "rejection", "line_reader")},
    )
    checked["validation_sets"] = {"mnist_test": fixture["validation"], "extra": fixture["validation"]}
    checked["gate"] = {**fixture["gate"], "sets": {"mnist_test": fixture["gate"], "extra": fixture["gate"]}}
    for manifest in (unchecked, checked):
        text = json.dumps(manifest, indent=2)
        assert check_manifest(parse_json(text, MAX_MANIFEST_DEPTH), "model_int8.tflite") == manifest


@pytest.mark.parametrize(
    "record",
    [{**fixture_manifest()["line_reader"], "model_file": name} for name in ("../elsewhere.tflite", "..", "")]
    + [{**fixture_manifest()["line_reader"], "model_file": 3}, "reader.tflite"],
)
def test_a_line_reader_that_names_no_file_beside_the_model_is_refused(record):
    with pytest.raises(SchemaError, match=r"^line_reader(\.model_file)?: expected"):
        check_manifest({**fixture_manifest(), "line_reader": record}, "model_int8.tflite")


def test_numbers_are_finite_and_not_booleans_integers_not_floats():
    threshold = number(0, 1)
    for bad in (True, float("nan"), float("inf"), -0.1, 1.5, "0.5"):
        with pytest.raises(SchemaError, match=r"^t: expected a number in \[0, 1\]"):
            threshold(bad, "t")
    threshold(0, "t"), threshold(0.5, "t")
    with pytest.raises(SchemaError, match="expected an integer >= 0, got 1.0"):
        integer(0)(1.0, "n")


def test_one_of_compares_value_and_type_exactly():
    version = one_of(1)
    version(1, "v")
    for bad in (True, 1.0, "1"):
        with pytest.raises(SchemaError, match="^v: expected 1"):
            version(bad, "v")


def test_nesting_is_counted_outside_strings_and_limited_before_parsing():
    assert nesting_depth('{"a": [1, {"b": "]]]}}[[[\\"{{"}]}') == 3
    assert nesting_depth('"unterminated [[[') == 0
    with pytest.raises(SchemaError, match=f"nested {DEEP:,} levels deep, more than 10"):
        parse_json("[" * DEEP + "]" * DEEP, 10)
    assert parse_json('{"a": [[]]}', 3) == {"a": [[]]}
