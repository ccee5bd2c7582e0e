"""benchmarks/fuzz_models.py: its seeded recipes, a few mutants through the real CLI, and the mutants it
found that crashed `edge` (replayed on the fixture: the recipe, not a damaged file, is what is kept).
The full run is 2,000 mutants: see the script's docstring."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from benchmarks.fuzz_models import COMMANDS, KINDS, REPO, Recipe, apply, fuzz, recipe_of, write_photo
from edge_runtime.packaged import PACKAGED_MODEL

FIXTURE = PACKAGED_MODEL
# Zeroed words that empty the table of an ADD's int8 output tensor (it becomes a shapeless float32 one):
# LiteRT aborts (SIGABRT) in allocate_tensors. Found by zeroing every word of the flatbuffer's tables.
ABORTING = (Recipe("zero", (154680, 4)), Recipe("zero", (155100, 4)))
# Mutant 81 of seed 0: an operator reads a tensor nothing writes; `info` passed, and `classify` ended in a
# traceback (RuntimeError: Input tensor 7 lacks data).
READS_UNWRITTEN = Recipe("zero", (78434, 455))
# Mutant 1044 of seed 0: the input's batch dimension becomes 168,720; LiteRT took 7 s to allocate and
# 51 s to invoke it, and both commands hung past the fuzz's 60 s timeout.
HUGE_BATCH = Recipe("offset", (168556, 168720))


def edge(*args: str | Path) -> subprocess.CompletedProcess:
    """The device CLI as a real process."""
    command = [sys.executable, "-m", "edge_runtime", *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=REPO)


def litert_aborts(model: Path) -> bool:
    """Whether LiteRT alone, unguarded, dies by a signal loading `model`."""
    load = "import sys; import ai_edge_litert.interpreter as i; i.Interpreter(sys.argv[1]).allocate_tensors()"
    return subprocess.run([sys.executable, "-c", load, model], capture_output=True).returncode < 0


def one_error_line(done: subprocess.CompletedProcess, fragment: str) -> None:
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and fragment in lines[0], done.stderr


@pytest.fixture(scope="module")
def photo(tmp_path_factory) -> Path:
    return write_photo(tmp_path_factory.mktemp("photo"))


def test_recipes_are_seeded_per_mutant_and_change_the_file():
    data = FIXTURE.read_bytes()
    recipes = [recipe_of(data, 0, index) for index in range(2 * len(KINDS))]
    assert recipes == [recipe_of(data, 0, index) for index in range(2 * len(KINDS))]
    assert [r.kind for r in recipes] == list(KINDS) * 2
    assert all(apply(data, r) != data for r in recipes)
    assert apply(data, recipe_of(data, 0, 296)) != data  # drawn again: its first draw zeroed only zeros
    assert apply(data, Recipe("duplicate", (10, 4))) == data[:14] + data[10:]
    assert apply(data, Recipe("offset", (8, 2**32 - 1)))[8:12] == b"\xff" * 4


def test_a_mutant_through_the_cli_alone_and_with_its_manifest():
    table, bad = fuzz(count=1, seed=0, jobs=2)
    assert bad == []
    for command in COMMANDS:
        assert table[f"all {command} manifest"] == {"error": 1}  # the sha256 refuses it
        assert sum(table[f"all {command} alone"].values()) == 1


@pytest.mark.parametrize("recipe", ABORTING, ids=str)
def test_mutants_that_abort_litert_end_in_one_error_line(recipe, tmp_path, photo):
    model = tmp_path / "model.tflite"
    model.write_bytes(apply(FIXTURE.read_bytes(), recipe))
    assert litert_aborts(model)  # the recipe still hits the crash on this fixture
    one_error_line(edge("info", model), "the interpreter crashes on it: SIGABRT")
    one_error_line(edge("classify", "-m", model, photo), "the interpreter crashes on it: SIGABRT")


def test_a_mutant_reading_an_unwritten_tensor_is_refused_before_it_runs(tmp_path, photo):
    model = tmp_path / "model.tflite"
    model.write_bytes(apply(FIXTURE.read_bytes(), READS_UNWRITTEN))
    assert READS_UNWRITTEN == recipe_of(FIXTURE.read_bytes(), 0, 81)
    for args in (("info", model), ("classify", "-m", model, photo)):
        one_error_line(edge(*args), "operator 5 reads tensor 7 before anything produces it")


def test_a_mutant_with_a_huge_input_batch_is_refused_before_it_runs(tmp_path, photo):
    model = tmp_path / "model.tflite"
    model.write_bytes(apply(FIXTURE.read_bytes(), HUGE_BATCH))
    assert HUGE_BATCH == recipe_of(FIXTURE.read_bytes(), 0, 1044)
    for args in (("info", model), ("classify", "-m", model, photo)):
        one_error_line(
            edge(*args), "tensor 0 has shape [168720, 28, 28, 1], unlike its signature [-1, 28, 28, 1]"
        )


def test_an_error_of_the_interpreter_at_invoke_is_one_line(tmp_path, photo, monkeypatch):
    from edge_runtime.interpreter import BrokenModelError, DigitModel

    model = DigitModel(FIXTURE)

    def fail() -> None:
        raise RuntimeError("Input tensor 5 lacks data\nNode number 3 failed")

    monkeypatch.setattr(model.interpreter, "invoke", fail)
    with pytest.raises(BrokenModelError, match=r"the TFLite interpreter failed: Input tensor 5 lacks data$"):
        model.predict(np.zeros((1, 28, 28), np.uint8))
