"""benchmarks/fuzz_models.py: its seeded recipes, a few mutants through the real CLI, and the mutants it
found that crashed `edge` (replayed on the fixture: the defect, placed by the model's structure, is what
is kept, not a damaged file nor byte offsets, which move whenever the model is remade).
The full run is 2,000 mutants: see the script's docstring."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from ai_edge_litert import schema_py_generated as schema

from benchmarks.fuzz_models import (
    COMMANDS,
    KINDS,
    REPO,
    WORD,
    Recipe,
    apply,
    buffer_table,
    fuzz,
    graph_input,
    operators,
    recipe_of,
    shape_entry,
    tensor_entry,
    tensor_table,
    write_photo,
)
from edge_runtime.packaged import PACKAGED_MODEL
from ground.model_metadata import embed_contract

FIXTURE = PACKAGED_MODEL
# Found by zeroing every word of the flatbuffer's tables: the table of an ADD's int8 output tensor
# emptied (it then reads as a FLOAT32 tensor with no shape and no name); LiteRT aborts (SIGABRT) in
# allocate_tensors. Two ways in, each a zeroed word: the first ADD's output's entry in the graph's tensor
# list (the entry then points at itself, a zero word: its vtable is empty), and the first word of the
# second ADD's output's table (the offset to its vtable: its vtable is then the table itself, of size 0).
ABORTING = {"first ADD, list entry": (0, tensor_entry), "second ADD, table": (1, tensor_table)}
# From mutant 1044 of seed 0 (on the 168,720-byte model of 2 Dec 2026): the input's batch dimension becomes
# this; LiteRT took 7 s to allocate and 51 s to invoke it, and both commands hung past the fuzz's timeout.
HUGE_BATCH = 168_720


def add_output(data: bytes, add: int) -> int:
    """The tensor that ADD operator number `add` (0 the first) writes."""
    return operators(data, "ADD")[add][2][0]


def aborting(data: bytes, add: int, where) -> Recipe:
    """Zero the word `where` (`tensor_entry` or `tensor_table`) places for the output of ADD `add`."""
    return Recipe("zero", (where(data, add_output(data, add)), WORD))


def reads_unwritten(data: bytes) -> tuple[Recipe, int, int]:
    """(recipe, operator, tensor): the first word of the table of the buffer that holds the weights of
    the CONV_2D reading the first ADD's output zeroed (its vtable empty: the buffer holds nothing), so
    that operator reads a tensor nothing writes. From mutant 81 of seed 0, which zeroed 455 bytes
    around that table: `info` passed, and `classify` ended in a traceback (RuntimeError: Input tensor 7
    lacks data)."""
    added = add_output(data, 0)
    operator, inputs, _ = next(conv for conv in operators(data, "CONV_2D") if added in conv[1])
    weights = inputs[1]
    buffer = _tree(data).subgraphs[0].tensors[weights].buffer
    return Recipe("zero", (buffer_table(data, buffer), WORD)), operator, weights


def huge_batch(data: bytes) -> Recipe:
    """The graph input's first dimension (its batch) overwritten with `HUGE_BATCH`."""
    return Recipe("offset", (shape_entry(data, graph_input(data), 0), HUGE_BATCH))


def _tree(data: bytes):
    """The flatbuffer's object tree, unchecked (a mutant's too)."""
    return schema.ModelT.InitFromObj(schema.Model.GetRootAs(data, 0))


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


@pytest.mark.parametrize("repacked", [False, True], ids=["packaged", "repacked"])
def test_the_crashes_found_are_placed_by_the_model_structure(repacked):
    data = FIXTURE.read_bytes()
    if repacked:  # the same network, laid out anew: every table lies elsewhere
        data = embed_contract(data, accept_threshold=0.25)
        assert huge_batch(data) != huge_batch(FIXTURE.read_bytes())
    for add, where in ABORTING.values():
        emptied = _tree(apply(data, aborting(data, add, where))).subgraphs[0].tensors[add_output(data, add)]
        assert (emptied.type, emptied.shape, emptied.name) == (schema.TensorType.FLOAT32, None, None)
    recipe, _, weights = reads_unwritten(data)
    buffer = _tree(data).subgraphs[0].tensors[weights].buffer
    assert _tree(data).buffers[buffer].data is not None
    assert _tree(apply(data, recipe)).buffers[buffer].data is None
    batched = _tree(apply(data, huge_batch(data))).subgraphs[0].tensors[graph_input(data)]
    assert batched.shape.tolist() == [HUGE_BATCH, 28, 28, 1]


@pytest.mark.parametrize("add, where", ABORTING.values(), ids=ABORTING)
def test_mutants_that_abort_litert_end_in_one_error_line(add, where, tmp_path, photo):
    data = FIXTURE.read_bytes()
    model = tmp_path / "model.tflite"
    model.write_bytes(apply(data, aborting(data, add, where)))
    assert litert_aborts(model)  # the mutation still hits the crash
    one_error_line(edge("info", model), "the interpreter crashes on it: SIGABRT")
    one_error_line(edge("classify", "-m", model, photo), "the interpreter crashes on it: SIGABRT")


def test_a_mutant_reading_an_unwritten_tensor_is_refused_before_it_runs(tmp_path, photo):
    data = FIXTURE.read_bytes()
    model = tmp_path / "model.tflite"
    recipe, operator, tensor = reads_unwritten(data)
    model.write_bytes(apply(data, recipe))
    for args in (("info", model), ("classify", "-m", model, photo)):
        one_error_line(edge(*args), f"operator {operator} reads tensor {tensor} before anything produces it")


def test_a_mutant_with_a_huge_input_batch_is_refused_before_it_runs(tmp_path, photo):
    data = FIXTURE.read_bytes()
    model = tmp_path / "model.tflite"
    model.write_bytes(apply(data, huge_batch(data)))
    shapes = f"has shape [{HUGE_BATCH}, 28, 28, 1], unlike its signature [-1, 28, 28, 1]"
    for args in (("info", model), ("classify", "-m", model, photo)):
        one_error_line(edge(*args), f"tensor {graph_input(data)} {shapes}")


def test_an_error_of_the_interpreter_at_invoke_is_one_line(tmp_path, photo, monkeypatch):
    from edge_runtime.interpreter import BrokenModelError, DigitModel

    model = DigitModel(FIXTURE)

    def fail() -> None:
        raise RuntimeError("Input tensor 5 lacks data\nNode number 3 failed")

    monkeypatch.setattr(model.interpreter, "invoke", fail)
    with pytest.raises(BrokenModelError, match=r"the TFLite interpreter failed: Input tensor 5 lacks data$"):
        model.predict(np.zeros((1, 28, 28), np.uint8))
