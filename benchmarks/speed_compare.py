"""Speed of `read_digits` at this checkout against another revision, in one run on one machine.

  .venv/bin/python benchmarks/runtime_bench.py MODEL.tflite --compare REV [--rounds 5] [--frames 500]

The frames of `runtime_bench.py`'s speed part (640x480 with one digit, 1080p with a six-digit number)
are made once, here, and saved; then each revision reads them in its own subprocess (the other
revision's code checked out in a temporary git worktree, first on PYTHONPATH), in alternating rounds
so that both see the same load. Per revision and frame size: the median over the rounds of each
round's mean milliseconds per frame, and the ratio. Both read with the same model file.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SIZES = ("640x480, one digit", "1080p, six digits")


def compare(
    model: Path, revision: str, frames: dict[str, list[np.ndarray]], rounds: int, repeats: dict[str, int]
) -> dict:
    """Time both revisions on `frames` (per size) for `rounds` alternating rounds; print the table."""
    with tempfile.TemporaryDirectory(prefix="edge-compare-") as temp:
        tree, data = Path(temp) / "tree", Path(temp) / "frames.npz"
        git = ["git", "-C", str(ROOT), "worktree"]
        subprocess.run([*git, "add", "--detach", "-q", str(tree), revision], check=True)
        try:
            np.savez(data, **{f"{size}/{i}": f for size in SIZES for i, f in enumerate(frames[size])})
            trees = {"this checkout": ROOT, revision: tree}
            times: dict[str, dict[str, list[float]]] = {name: {s: [] for s in SIZES} for name in trees}
            for round_ in range(rounds):
                for name, path in trees.items() if round_ % 2 == 0 else reversed(trees.items()):
                    for size, ms in _worker(path, model, data, repeats).items():
                        times[name][size].append(ms)
        finally:
            subprocess.run([*git, "remove", "--force", str(tree)], check=False)
    return _print_table(times, revision, rounds)


def _worker(tree: Path, model: Path, data: Path, repeats: dict[str, int]) -> dict[str, float]:
    environment = {**os.environ, "PYTHONPATH": str(tree)}
    command = [sys.executable, str(Path(__file__)), "--worker", str(model), str(data), json.dumps(repeats)]
    done = subprocess.run(command, env=environment, cwd=tree, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.splitlines()[-1])


def _print_table(times: dict[str, dict[str, list[float]]], revision: str, rounds: int) -> dict:
    (new, new_times), (old, old_times) = times.items()
    print(f"\nread_digits, this checkout against {revision}: median of {rounds} rounds' mean ms per frame")
    print(f"{'frames':<22} {new:>16} {revision:>16} {'ratio':>7}")
    result = {}
    for size in SIZES:
        a, b = float(np.median(new_times[size])), float(np.median(old_times[size]))
        print(f"{size:<22} {a:13.3f} ms {b:13.3f} ms {a / b:7.3f}")
        result[size] = {"ms": a, "ms_before": b, "ratio": a / b}
    return result


def _run_worker(model: str, data: str, repeats: str) -> None:
    """In a subprocess, with the revision's code first on the path: mean ms per frame of each size."""
    import time

    from edge_runtime.interpreter import DigitModel

    try:
        from edge_runtime.reading import read_digits
    except ImportError:  # a revision before the reading stages
        from edge_runtime.classify import read_digits

    digit_model = DigitModel(Path(model), threads=1)
    stored = np.load(data)
    counts = json.loads(repeats)
    result = {}
    for size in SIZES:
        frames = [stored[f"{size}/{i}"] for i in range(sum(k.startswith(f"{size}/") for k in stored.files))]
        for frame in frames[:5]:  # warm-up
            read_digits(digit_model, frame)
        start = time.perf_counter()
        for i in range(counts[size]):
            read_digits(digit_model, frames[i % len(frames)])
        result[size] = (time.perf_counter() - start) * 1e3 / counts[size]
    print(json.dumps(result))


if __name__ == "__main__" and sys.argv[1:2] == ["--worker"]:
    _run_worker(*sys.argv[2:5])
