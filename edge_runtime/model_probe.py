"""Try an unverified model once in a child process, so that one which crashes the native interpreter
(SIGABRT in allocate_tensors, say) ends in one error line instead of killing `edge`.

The flatbuffer checks (`ground.model_metadata.parse_model`) catch most damage; what they cannot tell
(an operator whose tensors' types no longer agree, say) only the interpreter finds, sometimes by
aborting. So a model that no manifest vouches for is loaded, allocated and invoked once on zeros by
`python -m edge_runtime.model_probe` (the model on its stdin). Its verdict is cached by the file's
sha256 and the interpreter's version in $XDG_CACHE_HOME/edge-digits/probes (else ~/.cache/...), so a
file is probed once; a model whose manifest records its sha256 is never probed.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np

from edge_runtime.litert import interpreter_class, runtime_version
from ground.atomic import atomic_write_text, ensure_folder
from ground.errors import EdgeError, first_line
from ground.manifest import sha256_bytes
from ground.quiet import native_output_silenced

PROBE_TIMEOUT_S = 30.0  # a digit model loads and runs in well under a second, even on a Pi
REFUSED_EXIT = 3  # the child's exit code when the interpreter refused the model with an exception
_PACKAGE_ROOT = Path(__file__).resolve().parents[1]


def probe_model(data: bytes, name: str) -> None:
    """Raise EdgeError (naming `name`) if the interpreter crashes, hangs or fails on the model `data` in
    a child process; the verdict is read from and written to the cache."""
    runtime, cache = runtime_version(), _cache_file(sha256_bytes(data))
    problem = _cached(cache, runtime)
    if problem is None:
        problem, conclusive = _probe(data)
        if conclusive:
            _store(cache, runtime, problem)
    if problem:
        raise EdgeError(f"{name}: {problem}")


def cache_folder() -> Path:
    """Where probe verdicts are kept: $XDG_CACHE_HOME/edge-digits/probes, else ~/.cache/edge-digits/probes."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "edge-digits" / "probes"


def _cache_file(digest: str) -> Path:
    return cache_folder() / f"{digest}.json"


def _cached(path: Path, runtime: str) -> str | None:
    """The problem stored at `path` for `runtime` ("" when the model ran), or None when there is no
    such verdict (none yet, another runtime's, unreadable)."""
    try:
        verdict = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(verdict, dict) or verdict.get("runtime") != runtime:
        return None
    problem = verdict.get("problem")
    return problem if isinstance(problem, str) else None


def _store(path: Path, runtime: str, problem: str) -> None:
    """Keep a verdict; a cache that cannot be written only means probing again next time."""
    try:
        ensure_folder(path.parent)
        atomic_write_text(path, json.dumps({"runtime": runtime, "problem": problem}))
    except EdgeError:
        pass


def _probe(data: bytes) -> tuple[str, bool]:
    """(why the model cannot run, "" if it ran; whether that verdict is the model's own, to keep)."""
    search_path = [str(_PACKAGE_ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(search_path)}  # the bundle's copy, or this one
    command = [sys.executable, "-m", "edge_runtime.model_probe"]
    try:
        done = subprocess.run(command, input=data, capture_output=True, timeout=PROBE_TIMEOUT_S, env=env)
    except subprocess.TimeoutExpired:
        return f"the TFLite interpreter hangs on it (no answer in {PROBE_TIMEOUT_S:.0f} s)", False
    if done.returncode == 0:
        return "", True
    if done.returncode == REFUSED_EXIT:
        return f"cannot load TFLite model: {done.stdout.decode(errors='replace').strip()}", True
    if done.returncode < 0:
        crash = _signal_name(-done.returncode)
        return f"damaged TFLite model (the interpreter crashes on it: {crash} in a test run)", True
    lines = done.stderr.decode(errors="replace").strip().splitlines() or [f"exit code {done.returncode}"]
    return f"could not test-load it in a child process ({lines[-1]})", False


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:  # a real-time signal, say
        return f"signal {number}"


def main() -> None:
    """The child: load, allocate and invoke the model on stdin once; exit 0, or REFUSED_EXIT with the
    reason on stdout. A native crash kills it, which is what the parent watches for."""
    data = sys.stdin.buffer.read()
    try:
        with native_output_silenced():
            interpreter = interpreter_class()(model_content=data, num_threads=1)
            interpreter.allocate_tensors()
            for detail in interpreter.get_input_details():
                interpreter.set_tensor(detail["index"], np.zeros(detail["shape"], detail["dtype"]))
            interpreter.invoke()
    except Exception as exc:  # noqa: BLE001 - whatever the interpreter raises, it refused the model
        print(first_line(exc))
        sys.exit(REFUSED_EXIT)


if __name__ == "__main__":
    main()
