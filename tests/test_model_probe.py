"""A model no manifest vouches for is test-loaded once in a child process, its verdict cached by sha256
(edge_runtime.model_probe); a verified model never is. No TensorFlow: the exported fixture."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from edge_runtime import model_probe
from edge_runtime.interpreter import DigitModel
from edge_runtime.litert import runtime_version
from edge_runtime.packaged import PACKAGED_MODEL
from ground.errors import EdgeError
from ground.manifest import sha256_bytes

FIXTURE = PACKAGED_MODEL


@pytest.fixture
def probes(monkeypatch, tmp_path) -> list[bytes]:
    """The models probed in a child process during the test (a fresh, empty cache)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    probed: list[bytes] = []
    real = model_probe._probe

    def counted(data: bytes):
        probed.append(data)
        return real(data)

    monkeypatch.setattr(model_probe, "_probe", counted)
    return probed


@pytest.fixture
def lone(tmp_path) -> Path:
    path = tmp_path / "alone" / "model.tflite"
    path.parent.mkdir()
    shutil.copyfile(FIXTURE, path)
    return path


def test_a_lone_model_is_probed_once_then_its_verdict_is_cached(probes, lone):
    DigitModel(lone)
    DigitModel(lone)
    assert len(probes) == 1
    cached = model_probe.cache_folder() / f"{sha256_bytes(FIXTURE.read_bytes())}.json"
    assert json.loads(cached.read_text()) == {"runtime": runtime_version(), "problem": ""}


def test_a_verified_model_is_never_probed(probes, tmp_path):
    for source in (FIXTURE, FIXTURE.with_suffix(".json"), FIXTURE.with_name("line_reader_int8.tflite")):
        shutil.copy(source, tmp_path)
    assert DigitModel(tmp_path / FIXTURE.name).file.verdict == "verified"
    assert probes == []


def test_a_cached_crash_refuses_the_model_without_probing_it(probes, lone):
    cached = model_probe.cache_folder() / f"{sha256_bytes(lone.read_bytes())}.json"
    cached.parent.mkdir(parents=True)
    problem = "damaged TFLite model (the interpreter crashes on it: SIGABRT in a test run)"
    cached.write_text(json.dumps({"runtime": runtime_version(), "problem": problem}))
    with pytest.raises(EdgeError, match=r"model\.tflite: damaged TFLite model \(the interpreter crashes"):
        DigitModel(lone)
    assert probes == []


def test_another_runtimes_verdict_is_probed_again(probes, lone):
    cached = model_probe.cache_folder() / f"{sha256_bytes(lone.read_bytes())}.json"
    cached.parent.mkdir(parents=True)
    cached.write_text(json.dumps({"runtime": "ai_edge_litert 0.0.1", "problem": "crashes"}))
    DigitModel(lone)
    assert len(probes) == 1 and json.loads(cached.read_text())["problem"] == ""


def test_an_unwritable_cache_only_means_probing_again(probes, lone, monkeypatch, tmp_path):
    (tmp_path / "a-file").write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "a-file"))
    DigitModel(lone)
    DigitModel(lone)
    assert len(probes) == 2


def test_the_child_reports_why_the_interpreter_refused_a_model():
    problem, conclusive = model_probe._probe(b"\0" * 64)
    assert problem.startswith("cannot load TFLite model: ") and len(problem) > 30 and conclusive
