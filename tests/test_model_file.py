"""A model file checked on load: its own labels, its manifest's size and sha256, its export's gate, and
bad models, each refused with one `error:` line and exit code 1 (never a traceback). No TensorFlow:
the exported fixture and tiny models built from the TFLite schema (tests/tflite_models.py)."""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from edge_runtime.cli import app
from edge_runtime.interpreter import DigitModel
from edge_runtime.packaged import PACKAGED_MODEL
from edge_runtime.samples import drawn_digit, write_sample_set
from ground.manifest import DEFAULT_ACCEPT_THRESHOLD, read_manifest, sha256_bytes
from ground.model_metadata import embed_contract, parse_model, read_contract
from tests.tflite_models import dense_model

FIXTURE = PACKAGED_MODEL
WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
runner = CliRunner()


def one_error(result, *fragments: str) -> str:
    """The single `error:` line of a failed CLI run (asserting exit code 1 and no traceback)."""
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception  # not an uncaught exception
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in errors[0], errors[0]
    return errors[0]


@pytest.fixture(scope="module")
def photos(tmp_path_factory) -> Path:
    """Three photographed digits (7, 2, 4) on paper."""
    folder = tmp_path_factory.mktemp("photos")
    rng = np.random.default_rng(0)
    write_sample_set(folder, [drawn_digit(d, rng) for d in (7, 2, 4)], [7, 2, 4], rng)
    return folder


@pytest.fixture
def exported(tmp_path) -> Path:
    """A copy of the exported fixture with its manifest and line reader."""
    for source in (FIXTURE, FIXTURE.with_suffix(".json"), FIXTURE.with_name("line_reader_int8.tflite")):
        shutil.copy(source, tmp_path / source.name)
    return tmp_path / FIXTURE.name


def _edit_manifest(model: Path, **fields) -> None:
    path = model.with_suffix(".json")
    path.write_text(json.dumps({**json.loads(path.read_text()), **fields}))


# ---- the model's own metadata -------------------------------------------------------------------


def test_the_fixture_carries_its_labels_and_contract():
    contract = read_contract(parse_model(FIXTURE.read_bytes()))
    assert contract["labels"] == [str(d) for d in range(10)] and contract["input_shape"] == [28, 28, 1]
    assert FIXTURE.stat().st_size < 256 * 1024


def test_embedding_keeps_the_model_and_replaces_an_earlier_entry():
    once = embed_contract(FIXTURE.read_bytes(), WORDS)
    twice = embed_contract(once, list("abcdefghij"))
    assert read_contract(parse_model(twice))["labels"] == list("abcdefghij")
    images = np.random.default_rng(0).integers(0, 256, (5, 28, 28), dtype=np.uint8)
    probs = []
    for i, data in enumerate((FIXTURE.read_bytes(), twice)):
        path = Path(f"{os.environ.get('TMPDIR', '/tmp')}/embed-{os.getpid()}-{i}.tflite")
        path.write_bytes(data)
        probs.append(DigitModel(path).predict(images))
        path.unlink()
    np.testing.assert_array_equal(probs[0], probs[1])


def test_a_lone_model_reads_digits_with_its_own_labels(photos, tmp_path):
    lone = tmp_path / "alone" / "model.tflite"
    lone.parent.mkdir()
    lone.write_bytes(embed_contract(FIXTURE.read_bytes(), WORDS))  # labels unlike the defaults
    result = runner.invoke(app, ["classify", "-m", str(lone), str(photos), "--json"])
    assert result.exit_code == 0, result.output
    numbers = {
        Path(r["path"]).stem.split("-")[1]: r["number"]
        for r in map(json.loads, result.stdout.split("\n")[:-1])
    }
    assert numbers == {"7": "seven", "2": "two", "4": "four"}
    info = runner.invoke(app, ["info", str(lone)])
    assert re.search(r"^labels +zero one two ", info.output, re.M) and "no manifest beside it" in info.output


def test_a_lone_model_keeps_the_acceptance_threshold_export_set(tmp_path):
    lone = tmp_path / "model.tflite"
    shutil.copyfile(FIXTURE, lone)
    threshold = read_manifest(FIXTURE)["rejection"]["threshold"]
    assert threshold != DEFAULT_ACCEPT_THRESHOLD
    assert DigitModel(lone).accept_threshold == DigitModel(FIXTURE).accept_threshold == threshold


# ---- verify on load -----------------------------------------------------------------------------


def test_a_model_edited_after_export_is_refused_with_both_hashes(exported, photos):
    data = bytearray(exported.read_bytes())
    data[-1] ^= 0x01  # one byte of the last buffer (the metadata's padding or text)
    exported.write_bytes(bytes(data))
    recorded = read_manifest(exported)["file"]["sha256"]
    for command in (["classify", "-m", str(exported), str(photos)], ["info", str(exported)]):
        one_error(runner.invoke(app, command), sha256_bytes(bytes(data)), recorded, "--no-verify")
    assert runner.invoke(app, ["classify", "-m", str(exported), str(photos), "--no-verify"]).exit_code == 0
    info = runner.invoke(app, ["info", str(exported), "--no-verify"])
    assert info.exit_code == 0 and "MISMATCH" in info.output


def test_a_model_that_failed_its_gate_is_refused_unless_allowed(exported, photos):
    gate = {**read_manifest(exported)["gate"], "passed": False, "failures": ["drop"], "forced": True}
    _edit_manifest(exported, status="failed", gate=gate)
    one_error(runner.invoke(app, ["classify", "-m", str(exported), str(photos)]), "failed", "--allow-failed")
    one_error(runner.invoke(app, ["benchmark", str(exported), "--runs", "1"]), "--allow-failed")
    assert runner.invoke(app, ["classify", "-m", str(exported), str(photos), "--allow-failed"]).exit_code == 0
    info = runner.invoke(app, ["info", str(exported), "--allow-failed"])
    assert info.exit_code == 0 and "FAILED GATE" in info.output


def test_info_says_verified(exported):
    result = runner.invoke(app, ["info", str(exported), "--json"])
    assert json.loads(result.stdout)["verdict"] == "verified"


# ---- bad models: one line, exit 1 ---------------------------------------------------------------


@pytest.mark.parametrize(
    "labels, message",
    [
        (["0", "1"], 'labels: expected a list of 10, got ["0", "1"]'),
        (list(range(10)), "labels[0]: expected a string, got 0"),
        ("0123456789", 'labels: expected a list of 10, got "0123456789"'),
    ],
)
def test_manifest_labels_of_the_wrong_length_or_type(exported, photos, labels, message):
    _edit_manifest(exported, labels=labels)
    one_error(runner.invoke(app, ["classify", "-m", str(exported), str(photos)]), message)
    one_error(runner.invoke(app, ["info", str(exported)]), message)


def _short_weights(model) -> None:  # the weights' buffer loses its last row
    model.buffers[1].data = model.buffers[1].data[: -4 * 28 * 28]


def _huge_weights(model) -> None:  # a shape no file can hold
    model.subgraphs[0].tensors[1].shape = [2**20, 2**20]


def _reads_its_output(model) -> None:  # the layer's weights are the tensor it writes
    model.subgraphs[0].operators[0].inputs = [0, 3, 2]


def _writes_its_weights(model) -> None:
    model.subgraphs[0].operators[0].outputs = [1]


def _output_never_written(model) -> None:  # the layer writes a fifth tensor, not the graph's output
    graph = model.subgraphs[0]
    graph.tensors.append(copy.copy(graph.tensors[3]))
    graph.operators[0].outputs = [4]


@pytest.mark.parametrize(
    "model, message",
    [
        (
            dict(edit=_short_weights),
            "tensor 1 of shape [10, 784] needs 31,360 bytes, its buffer 1 holds 28,224",
        ),
        (dict(edit=_huge_weights), "tensor 1 of shape [1048576, 1048576] would take 4,398,046,511,104 bytes"),
        (dict(edit=_reads_its_output), "operator 0 reads tensor 3 before anything produces it"),
        (dict(edit=_writes_its_weights), "operator 0 writes tensor 1, an input, a constant or another's"),
        (dict(edit=_output_never_written), "the graph's output 3 is never produced"),
        (dict(classes=12), "answers (12,) values per image, expected 10"),
        (dict(classes=3, answer=1), "answers (3,) values per image, expected 10"),
        (dict(weight=float("nan")), "answered NaN"),
        (dict(output_name=b"probs\xff\xfe"), "not UTF-8"),
        (dict(labels=["a"] * 12), "has 12 labels"),
    ],
)
def test_bad_models_end_in_one_error_line(tmp_path, photos, model, message):
    path = tmp_path / "bad.tflite"
    path.write_bytes(dense_model(**model))
    one_error(runner.invoke(app, ["classify", "-m", str(path), str(photos)]), message)


def test_a_sound_tiny_model_runs(tmp_path, photos):
    path = tmp_path / "tiny.tflite"
    path.write_bytes(dense_model(answer=3, labels=WORDS))
    result = runner.invoke(app, ["classify", "-m", str(path), str(photos)])
    assert result.exit_code == 0 and result.stdout.count("three") >= 3, result.output


def test_a_model_file_name_that_is_not_utf8(tmp_path, photos):
    folder = os.fsencode(tmp_path)
    path = folder + b"/mod\xe8le.tflite"  # Latin-1 "modèle"
    with open(path, "wb") as handle:
        handle.write(dense_model(answer=5))
    for command in ([b"info", path], [b"classify", b"-m", path, os.fsencode(photos)]):
        done = subprocess.run(
            [sys.executable, "-m", "edge_runtime", *command], capture_output=True, timeout=120
        )
        assert done.returncode == 0 and b"Traceback" not in done.stderr, done.stderr
    done = subprocess.run(
        [sys.executable, "-m", "edge_runtime", "info", folder + b"/missing\xe8.tflite"], capture_output=True
    )
    assert done.returncode == 1 and done.stderr.count(b"error:") == 1 and b"Traceback" not in done.stderr


def test_info_describes_a_model_of_the_wrong_output_count_but_warns(tmp_path):
    path = tmp_path / "twelve.tflite"
    path.write_bytes(dense_model(classes=12))
    result = runner.invoke(app, ["info", str(path)])
    assert result.exit_code == 0 and "WARNING outputs [12] values" in result.output
