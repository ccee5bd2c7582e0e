"""Does the device's `edge` survive damaged model files? Mutate a `.tflite` many ways and count crashes.

  .venv/bin/python benchmarks/fuzz_models.py [--model edge_runtime/models/model_int8.tflite] [--count 500]

Each mutant (seeded: random byte flips, a truncation, or inserted bytes) is run through `edge info`
and `edge classify` (on one photographed digit). A worker process runs a batch of mutants through
the device's own Typer app, several per process to keep it fast, and logs each before and after; a
mutant that kills its worker by a signal (a crash in the native interpreter) or stops it past the
timeout (a hang) is thereby named, and the batch goes on after it in a new worker. Outcomes:

  ok         exit 0 (a flip in the weights still makes a runnable model)
  error      exit 1 with one `error:` line: refused cleanly
  traceback  an exception escaped the CLI (a bug)
  signal     the worker died by a signal (a native crash)
  hang       no answer within the timeout

Mutants carry no manifest, so the file's own checks (flatbuffer structure, tensors, metadata) are
what is exercised, not the sha256 check that would refuse every one of them first.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import traceback
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from edge_runtime.packaged import PACKAGED_MODEL

REPO = Path(__file__).resolve().parents[1]
DEFAULT_MODEL = PACKAGED_MODEL
KINDS = ("flip", "truncate", "insert")
COMMANDS = ("info", "classify")
OUTCOMES = ("ok", "error", "traceback", "signal", "hang")
BAD_OUTCOMES = ("traceback", "signal", "hang")
MAX_FLIPS = 16
MAX_INSERTED = 64


@dataclass(frozen=True)
class Mutant:
    """One damaged copy of the model: where it is and how it was made."""

    path: Path
    kind: str


def mutate(data: bytes, kind: str, rng: np.random.Generator) -> bytes:
    """`data` with a few random bytes flipped, cut short at a random place, or with bytes inserted."""
    if kind == "flip":
        out = bytearray(data)
        for position in rng.integers(0, len(out), int(rng.integers(1, MAX_FLIPS + 1))):
            out[position] ^= int(rng.integers(1, 256))
        return bytes(out)
    if kind == "truncate":
        return data[: int(rng.integers(0, len(data)))]
    position = int(rng.integers(0, len(data) + 1))
    inserted = rng.integers(0, 256, int(rng.integers(1, MAX_INSERTED + 1)), dtype=np.uint8).tobytes()
    return data[:position] + inserted + data[position:]


def make_mutants(model: Path, count: int, seed: int, folder: Path) -> list[Mutant]:
    """`count` mutants of `model` in `folder`, kinds in turn."""
    data, rng = Path(model).read_bytes(), np.random.default_rng(seed)
    mutants = []
    for index in range(count):
        kind = KINDS[index % len(KINDS)]
        path = folder / f"mutant{index:04d}-{kind}.tflite"
        path.write_bytes(mutate(data, kind, rng))
        mutants.append(Mutant(path, kind))
    return mutants


def write_photo(folder: Path) -> Path:
    """One photographed digit for `edge classify`."""
    from edge_runtime.samples import drawn_digit, write_sample_set

    rng = np.random.default_rng(0)
    truth, _ = write_sample_set(folder, [drawn_digit(7, rng)], [7], rng)
    return next(iter(truth))


# ---- the worker: runs a batch in one process, logging each call before and after ---------------


def _call(app, args: list[str]) -> str:
    """Run the device CLI in this process; the outcome (ok, error or traceback)."""
    import typer

    try:
        code = app(args, standalone_mode=False)  # an Exit raised inside comes back as its code
    except typer.Exit as exc:
        return "ok" if exc.exit_code == 0 else "error"
    except typer.TyperException:  # a usage error
        return "error"
    except SystemExit as exc:
        return "ok" if exc.code in (0, None) else "error"
    except Exception:  # noqa: BLE001 - what the fuzzer is looking for
        traceback.print_exc()
        return "traceback"
    return "ok" if code in (0, None) else "error"


def worker(log: Path, photo: str, calls: list[str]) -> None:
    """Run each `command:path` call, appending a `start` and then an outcome line to `log`."""
    import typer

    from edge_runtime.cli import app as device_app

    app = typer.main.get_command(device_app)
    with open(log, "a", buffering=1) as out:
        for call in calls:
            command, path = call.split(":", 1)
            out.write(json.dumps({"call": call, "start": True}) + "\n")
            outcome = _call(app, [command, path] + ([photo] if command == "classify" else []))
            out.write(json.dumps({"call": call, "outcome": outcome}) + "\n")


# ---- the driver -----------------------------------------------------------------------------------


def run_calls(calls: list[str], photo: Path, log: Path, per_process: int, timeout_s: float) -> dict[str, str]:
    """{call: outcome} for every `command:path` call; a worker that crashes or hangs is replaced by a
    new one that goes on after the call it was in."""
    results: dict[str, str] = {}
    todo = list(calls)
    while todo:
        batch = todo[:per_process]
        log.write_text("")
        command = [sys.executable, "-m", "benchmarks.fuzz_models", "--worker", str(log), str(photo), *batch]
        try:
            done = subprocess.run(
                command,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                timeout=timeout_s * len(batch),
                cwd=REPO,
            )
            stopped = "signal" if done.returncode < 0 else None
            tracebacks = done.stderr.decode(errors="replace").count("Traceback")
        except subprocess.TimeoutExpired:
            stopped, tracebacks = "hang", 0
        started = None
        for line in log.read_text().splitlines():
            entry = json.loads(line)
            if entry.get("start"):
                started = entry["call"]
            else:
                results[entry["call"]], started = entry["outcome"], None
        if started is not None:  # the call the worker never came back from
            results[started] = stopped or "signal"
        elif stopped is not None or not any(call in results for call in batch):
            raise RuntimeError(f"the worker failed outside any call: {done.stderr[-2000:]!r}")
        if stopped is None and tracebacks < sum(results[call] == "traceback" for call in batch):
            raise RuntimeError("a call raised, yet its traceback is not on stderr")
        todo = [call for call in todo if call not in results]
    return results


def fuzz(
    model: Path = DEFAULT_MODEL,
    count: int = 500,
    seed: int = 0,
    per_process: int = 50,
    timeout_s: float = 10.0,
    keep: Path | None = None,
) -> dict[str, Counter]:
    """{"<kind> <command>": Counter of outcomes} over `count` mutants of `model`; the mutants that
    caused a traceback, signal or hang are copied to `keep`, if given."""
    with tempfile.TemporaryDirectory(prefix="fuzz-models-") as tmp:
        folder = Path(tmp)
        mutants = make_mutants(model, count, seed, folder)
        photo = write_photo(folder / "photo")
        calls = [f"{command}:{m.path}" for m in mutants for command in COMMANDS]
        results = run_calls(calls, photo, folder / "log.jsonl", per_process, timeout_s)
        bad = sorted({call.split(":", 1)[1] for call, outcome in results.items() if outcome in BAD_OUTCOMES})
        if keep is not None and bad:
            keep.mkdir(parents=True, exist_ok=True)
            for path in bad:
                shutil.copy(path, keep)
    table: dict[str, Counter] = {}
    for mutant in mutants:
        for command in COMMANDS:
            outcome = results[f"{command}:{mutant.path}"]
            table.setdefault(f"{mutant.kind} {command}", Counter())[outcome] += 1
            table.setdefault(f"all {command}", Counter())[outcome] += 1
    return table


def table_lines(table: dict[str, Counter]) -> list[str]:
    """The counts as a text table, one row per mutation kind and command."""
    rows = sorted(table, key=lambda name: (name.startswith("all"), name))
    lines = [f"{'mutants':16s}" + "".join(f"{o:>10s}" for o in ("files", *OUTCOMES))]
    for name in rows:
        counts = table[name]
        lines.append(f"{name:16s}{sum(counts.values()):10d}" + "".join(f"{counts[o]:10d}" for o in OUTCOMES))
    return lines


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        log, photo, *calls = sys.argv[2:]
        worker(Path(log), photo, calls)
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL, help="The .tflite to mutate.")
    parser.add_argument("--count", type=int, default=500, help="How many mutants.")
    parser.add_argument("--seed", type=int, default=0, help="Random seed of the mutations.")
    parser.add_argument("--per-process", type=int, default=50, help="Calls per worker process.")
    parser.add_argument("--timeout", type=float, default=10.0, help="Seconds one call may take.")
    parser.add_argument("--keep", type=Path, help="Folder to copy the mutants that crashed or hung to.")
    args = parser.parse_args()
    table = fuzz(args.model, args.count, args.seed, args.per_process, args.timeout, args.keep)
    print("\n".join(table_lines(table)))
    bad = sum(table[f"all {c}"][o] for c in COMMANDS for o in BAD_OUTCOMES)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
