"""Does the device's `edge` survive damaged model files? Mutate a `.tflite` many ways and count crashes.

  .venv/bin/python benchmarks/fuzz_models.py [--model edge_runtime/models/model_int8.tflite] [--count 2000]
      [--jobs 2] [--timeout 30] [--keep FOLDER]

Each mutant is one seeded recipe (`Recipe`, drawn from the seed and the mutant's number, so any one can
be replayed alone) applied to the model's bytes:

  flip       1-16 random bits flipped
  zero       a region of 1-512 bytes zeroed
  duplicate  a region of 1-512 bytes copied in again right after itself (what follows it shifts)
  truncate   the file cut short at a random place
  offset     one 4-byte word that reads as an offset or a size (a value below the file's length, at an
             aligned position) overwritten with 0, 1, -1, 2^31, the length, a nearby or a random value

Every mutant runs through `edge info MODEL` and `edge classify MODEL PHOTO` (one photographed digit),
each a real `python -m edge_runtime` process, twice: the model alone (what a copied file on a device
is: the file's own checks and the interpreter are what is exercised) and with its manifest beside it
(which records the original's sha256, so every mutant should be refused). The processes share a fresh
probe cache ($XDG_CACHE_HOME), as on a device. Outcomes:

  ok         exit 0: accepted silently (`changed`: of these, how many printed something else than the
             intact model does in the same setting, the path aside and, for `info`, its first line,
             the file's size)
  error      exit 1 with exactly one `error:` line on stderr: refused cleanly
  other      any other non-zero exit or stderr (not one clean line, yet no traceback)
  traceback  "Traceback" on stderr: an exception escaped the CLI (a bug)
  signal     killed by a signal (a native crash, e.g. SIGABRT in allocate_tensors)
  hang       no answer within the timeout
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from ai_edge_litert import schema_py_generated as schema

from edge_runtime.packaged import PACKAGED_MODEL
from ground.manifest import line_reader_of, line_reader_path, read_manifest

REPO = Path(__file__).resolve().parents[1]
DEFAULT_MODEL = PACKAGED_MODEL
KINDS = ("flip", "zero", "duplicate", "truncate", "offset")
COMMANDS = ("info", "classify")
SETTINGS = ("alone", "manifest")
OUTCOMES = ("ok", "changed", "error", "other", "traceback", "signal", "hang")
BAD_OUTCOMES = ("other", "traceback", "signal", "hang")
MAX_FLIPS = 16
MAX_REGION = 512
WORD = 4
PROGRESS_EVERY = 100  # mutants
# field numbers in the TFLite schema (a table's vtable holds field N's offset at byte 4 + 2N)
SUBGRAPH_TENSORS, TENSOR_SHAPE = 0, 0


# ---- mutations ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recipe:
    """One mutation: its kind and its integer arguments (see the module docstring).

    flip (position, bit, position, bit, ...); zero (start, length); duplicate (start, length);
    truncate (length kept); offset (position, new unsigned 32-bit value).
    """

    kind: str
    args: tuple[int, ...]

    def __str__(self) -> str:
        return " ".join([self.kind, *map(str, self.args)])


def apply(data: bytes, recipe: Recipe) -> bytes:
    """`data` mutated as `recipe` says."""
    kind, args = recipe.kind, recipe.args
    out = bytearray(data)
    if kind == "flip":
        for position, bit in zip(args[::2], args[1::2], strict=True):
            out[position] ^= 1 << bit
    elif kind == "zero":
        start, length = args
        out[start : start + length] = bytes(len(out[start : start + length]))
    elif kind == "duplicate":
        start, length = args
        out[start + length : start + length] = data[start : start + length]
    elif kind == "truncate":
        del out[args[0] :]
    elif kind == "offset":
        position, value = args
        out[position : position + WORD] = value.to_bytes(WORD, "little")
    else:
        raise ValueError(f"unknown mutation {kind!r}")
    return bytes(out)


def draw(data: bytes, kind: str, rng: np.random.Generator) -> Recipe:
    """A random recipe of `kind` for `data`."""
    size = len(data)
    if kind == "flip":
        flips = int(rng.integers(1, MAX_FLIPS + 1))
        pairs = zip(rng.integers(0, size, flips), rng.integers(0, 8, flips), strict=True)
        return Recipe(kind, tuple(int(v) for pair in pairs for v in pair))
    if kind in ("zero", "duplicate"):
        start = int(rng.integers(0, size))
        return Recipe(kind, (start, int(rng.integers(1, min(MAX_REGION, size - start) + 1))))
    if kind == "truncate":
        return Recipe(kind, (int(rng.integers(0, size)),))
    if kind == "offset":
        words = np.frombuffer(data[: size - size % WORD], "<u4")
        candidates = np.flatnonzero((words > 0) & (words < size))
        position = int(rng.choice(candidates))
        old = int(words[position])
        values = (0, 1, 2**32 - 1, 2**31, size, old + WORD, old - WORD, int(rng.integers(0, 2**32)))
        return Recipe(kind, (position * WORD, int(values[int(rng.integers(0, len(values)))]) % 2**32))
    raise ValueError(f"unknown mutation {kind!r}")


def recipe_of(data: bytes, seed: int, index: int) -> Recipe:
    """The recipe of mutant number `index` of a run seeded with `seed` (kinds in turn); drawn again
    while it would leave `data` as it is (zeros written over zeros, say)."""
    rng = np.random.default_rng([seed, index])
    while True:
        recipe = draw(data, KINDS[index % len(KINDS)], rng)
        if apply(data, recipe) != data:
            return recipe


# ---- where a field lies (to replay a found crash on any model of the network) ------------------------
# A recipe found by the fuzz names byte offsets of one file; these give the position of the same field in
# any model, so the same defect can be made again after the model is remade (and its bytes move).


def _model(data: bytes):
    """The flatbuffer's root table, read in place."""
    return schema.Model.GetRootAs(data, 0)


def _vector(table, field: int) -> int:
    """Where element 0 of `table`'s vector field number `field` lies."""
    return table._tab.Vector(table._tab.Offset(4 + 2 * field))


def graph_input(data: bytes) -> int:
    """The tensor number of the graph's (first) input."""
    return int(_model(data).Subgraphs(0).Inputs(0))


def tensor_entry(data: bytes, tensor: int) -> int:
    """Where the word lies that points the graph's tensor list at tensor number `tensor`."""
    return _vector(_model(data).Subgraphs(0), SUBGRAPH_TENSORS) + WORD * tensor


def tensor_table(data: bytes, tensor: int) -> int:
    """Where tensor number `tensor`'s table starts (its first word: the offset back to its vtable)."""
    return _model(data).Subgraphs(0).Tensors(tensor)._tab.Pos


def buffer_table(data: bytes, buffer: int) -> int:
    """Where buffer number `buffer`'s table starts (its first word: the offset back to its vtable)."""
    return _model(data).Buffers(buffer)._tab.Pos


def shape_entry(data: bytes, tensor: int, dimension: int) -> int:
    """Where dimension `dimension` of tensor number `tensor`'s shape lies."""
    return _vector(_model(data).Subgraphs(0).Tensors(tensor), TENSOR_SHAPE) + WORD * dimension


def operators(data: bytes, kind: str) -> list[tuple[int, list[int], list[int]]]:
    """(index, input tensors, output tensors) of the graph's operators of builtin `kind` ("ADD"), in order."""
    model = _model(data)
    graph, code = model.Subgraphs(0), getattr(schema.BuiltinOperator, kind)
    found = []
    for index in range(graph.OperatorsLength()):
        op = graph.Operators(index)
        opcode = model.OperatorCodes(op.OpcodeIndex())
        if max(opcode.BuiltinCode(), opcode.DeprecatedBuiltinCode()) == code:  # as the interpreter reads it
            found.append((index, op.InputsAsNumpy().tolist(), op.OutputsAsNumpy().tolist()))
    return found


# ---- running the CLI ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    """One `edge` command on one mutant, alone or with its manifest."""

    index: int
    command: str
    setting: str
    model: Path


def write_photo(folder: Path) -> Path:
    """One photographed digit for `edge classify`."""
    from edge_runtime.samples import drawn_digit, write_sample_set

    rng = np.random.default_rng(0)
    truth, _ = write_sample_set(folder, [drawn_digit(7, rng)], [7], rng)
    return next(iter(truth))


def run_edge(args: list[str], env: dict, timeout_s: float) -> tuple[int | None, str, str]:
    """(exit code, stdout, stderr) of `python -m edge_runtime ARGS`; the code is None on a timeout and
    negative when a signal killed it."""
    try:
        done = subprocess.run(
            [sys.executable, "-m", "edge_runtime", *args],
            capture_output=True,
            timeout=timeout_s,
            cwd=REPO,
            env=env,
        )
    except subprocess.TimeoutExpired:
        return None, "", ""
    return done.returncode, done.stdout.decode(errors="replace"), done.stderr.decode(errors="replace")


def comparable(stdout: str, command: str, model: Path) -> str:
    """What a command printed, the model's path aside (and, for `info`, its first line: the size)."""
    text = stdout.replace(str(model), "MODEL")
    return text.split("\n", 1)[-1] if command == "info" else text


def outcome(code: int | None, stdout: str, stderr: str, expected: str) -> str:
    """The outcome of one call (see the module docstring); `expected` is what the intact model prints."""
    if code is None:
        return "hang"
    if code < 0:
        return "signal"
    if "Traceback" in stderr:
        return "traceback"
    if code == 0:
        return "ok" if stdout == expected else "changed"
    lines = stderr.splitlines()
    return "error" if code == 1 and len(lines) == 1 and lines[0].startswith("error: ") else "other"


def command_args(call: Call, photo: Path) -> list[str]:
    if call.command == "classify":
        return [call.command, "-m", str(call.model), str(photo)]
    return [call.command, str(call.model)]


def fuzz(
    model: Path = DEFAULT_MODEL,
    count: int = 2000,
    seed: int = 0,
    jobs: int = 2,
    timeout_s: float = 30.0,
    keep: Path | None = None,
    on_progress: Callable[[int, dict[str, Counter]], None] | None = None,
) -> tuple[dict[str, Counter], list[str]]:
    """({"<kind> <command> <setting>": Counter of outcomes}, a line per bad call naming its recipe)
    over `count` mutants of `model`, run in order; `on_progress(mutants done, table so far)` is called
    every `PROGRESS_EVERY` mutants, and the mutants of bad calls are copied to `keep`, if given."""
    data = Path(model).read_bytes()
    with tempfile.TemporaryDirectory(prefix="fuzz-models-") as tmp:
        folder = Path(tmp)
        env = {**os.environ, "PYTHONPATH": str(REPO), "XDG_CACHE_HOME": str(folder / "cache")}
        photo = write_photo(folder / "photo")
        expected = _intact_outputs(Path(model), folder, photo, env, timeout_s)
        recipes = [recipe_of(data, seed, index) for index in range(count)]
        calls = [
            Call(index, command, setting, folder / setting / f"{index:04d}" / Path(model).name)
            for index in range(count)
            for setting in SETTINGS
            for command in COMMANDS
        ]
        for call in calls:
            if call.command == COMMANDS[0]:
                place(Path(model), apply(data, recipes[call.index]), call.model, call.setting)

        def run(call: Call) -> str:
            code, stdout, stderr = run_edge(command_args(call, photo), env, timeout_s)
            printed = comparable(stdout, call.command, call.model)
            return outcome(code, printed, stderr, expected[call.command, call.setting])

        table: dict[str, Counter] = {}
        bad = []
        with ThreadPoolExecutor(jobs) as pool:
            for number, (call, result) in enumerate(zip(calls, pool.map(run, calls), strict=True), 1):
                recipe = recipes[call.index]
                for row in (
                    f"{recipe.kind} {call.command} {call.setting}",
                    f"all {call.command} {call.setting}",
                ):
                    table.setdefault(row, Counter())[result] += 1
                if result in BAD_OUTCOMES:
                    bad.append(
                        f"{result}: edge {call.command} ({call.setting}), mutant {call.index}: {recipe}"
                    )
                    if keep is not None:
                        keep.mkdir(parents=True, exist_ok=True)
                        shutil.copy(call.model, keep / f"{call.setting}-{call.index:04d}-{call.model.name}")
                mutants_done, last = divmod(number, len(SETTINGS) * len(COMMANDS))
                if on_progress is not None and last == 0 and mutants_done % PROGRESS_EVERY == 0:
                    on_progress(mutants_done, table)
    return table, bad


def place(model: Path, data: bytes, path: Path, setting: str) -> None:
    """Write the model bytes `data` at `path` (named as `model`: its manifest names it); with the manifest
    of `model` beside them (and the line reader it names, hard-linked) when `setting` is "manifest"."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    if setting == "manifest":
        shutil.copy(model.with_suffix(".json"), path.with_suffix(".json"))
        record = line_reader_of(read_manifest(model))
        if record is not None and not line_reader_path(path, record).exists():
            reader = line_reader_path(model, record)
            try:
                os.link(reader, path.parent / reader.name)  # 2,000 copies would take half a gigabyte
            except OSError:  # another file system
                shutil.copy(reader, path.parent)


def _intact_outputs(model: Path, folder: Path, photo: Path, env: dict, timeout_s: float) -> dict:
    """{(command, setting): what it prints for the intact model} (see `comparable`)."""
    expected = {}
    for setting in SETTINGS:
        intact = folder / f"intact-{setting}" / model.name  # a manifest names its model
        place(model, model.read_bytes(), intact, setting)
        for command in COMMANDS:
            code, stdout, stderr = run_edge(
                command_args(Call(-1, command, setting, intact), photo), env, timeout_s
            )
            if code != 0:
                raise RuntimeError(f"the intact model fails `edge {command}` ({setting}): {stderr}")
            expected[command, setting] = comparable(stdout, command, intact)
    return expected


def table_lines(table: dict[str, Counter]) -> list[str]:
    """The counts as a text table, one row per mutation kind, command and setting; `accepted` is ok
    plus changed (exit 0)."""
    rows = sorted(table, key=lambda name: (name.startswith("all"), name))
    columns = ("files", "accepted", *OUTCOMES)
    lines = [f"{'mutants':26s}" + "".join(f"{c:>10s}" for c in columns)]
    for name in rows:
        counts = table[name]
        accepted = counts["ok"] + counts["changed"]
        lines.append(
            f"{name:26s}{sum(counts.values()):10d}{accepted:10d}"
            + "".join(f"{counts[o]:10d}" for o in OUTCOMES)
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--model", type=Path, default=DEFAULT_MODEL, help="The .tflite to mutate (its .json beside)."
    )
    parser.add_argument("--count", type=int, default=2000, help="How many mutants.")
    parser.add_argument("--seed", type=int, default=0, help="Random seed of the mutations.")
    parser.add_argument("--jobs", type=int, default=2, help="Processes run at once.")
    parser.add_argument("--timeout", type=float, default=30.0, help="Seconds one call may take.")
    parser.add_argument("--keep", type=Path, help="Folder to copy the mutants that crashed or hung to.")
    args = parser.parse_args()
    start = time.monotonic()

    def progress(done: int, table: dict[str, Counter]) -> None:
        counts = " | ".join(
            f"{row[4:]}: " + " ".join(f"{o} {n}" for o, n in sorted(table[row].items()))
            for row in sorted(table)
            if row.startswith("all ")
        )
        print(
            f"{done}/{args.count} mutants, {time.monotonic() - start:.0f} s: {counts}",
            file=sys.stderr,
            flush=True,
        )

    table, bad = fuzz(args.model, args.count, args.seed, args.jobs, args.timeout, args.keep, progress)
    print("\n".join(table_lines(table)))
    print("\n".join(bad))
    print(
        f"{args.count} mutants, {4 * args.count} calls in {time.monotonic() - start:.0f} s ({args.jobs} jobs)"
    )
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
