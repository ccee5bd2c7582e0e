"""`edge serve` as a real process for the tests: started on a free port, stopped with SIGTERM (which must
end it cleanly, exit 143), plus small HTTP helpers on the standard library."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from edge_runtime.packaged import PACKAGED_MODEL
from edge_runtime.samples import drawn_digit, video_frames, write_video

REPO = Path(__file__).resolve().parents[1]
MODEL = PACKAGED_MODEL
START_TIMEOUT_S = 60
TERMINATED = 143


def digit_video(path: Path, digits: list[int], frames_per_digit: int = 10, fps: float = 10.0) -> Path:
    """A video showing each digit (drawn, on photographed paper) for `frames_per_digit` frames."""
    rng = np.random.default_rng(0)
    frames = video_frames([[drawn_digit(d, rng)] for d in digits], rng, frames_per_number=frames_per_digit)
    return write_video(path, frames, fps)


class Served:
    """A running `edge serve`: its base URL, process and what it printed."""

    def __init__(self, process: subprocess.Popen, url: str) -> None:
        self.process, self.url = process, url
        self.stderr = ""

    def get(self, path: str, token: str | None = None, timeout: float = 10) -> tuple[int, dict, bytes]:
        """(status, headers, body) of GET `path`."""
        return request(self.url + path.lstrip("/"), token=token, timeout=timeout)

    def json(self, path: str, token: str | None = None) -> dict:
        """The JSON of GET `path` (asserting 200)."""
        status, _, body = self.get(path, token)
        assert status == 200, (status, body[:300])
        return json.loads(body)


def request(
    url: str,
    data: bytes | None = None,
    token: str | None = None,
    method: str | None = None,
    headers: dict | None = None,
    timeout: float = 10,
) -> tuple[int, dict, bytes]:
    """(status, headers, body) of one HTTP request; error statuses are returned, not raised."""
    headers = dict(headers or {})
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


@contextmanager
def edge_serve(*args: str, command: list[str] | None = None, env: dict | None = None) -> Iterator[Served]:
    """Run `edge serve ARGS --port 0` from this repository (or `command`, e.g. a bundle's launcher, with
    `env` added and no PYTHONPATH), wait for its URL, stop it with SIGTERM after."""
    if command is None:
        command = [sys.executable, "-m", "edge_runtime", "serve", *args, "--port", "0"]
        env = os.environ | {"PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"}
    else:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | (env or {})
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    stderr: list[str] = []
    reader = threading.Thread(target=lambda: stderr.extend(process.stderr), daemon=True)
    reader.start()
    try:
        line = _first_line(process)
        match = re.search(r"serving (http://\S+)", line)
        assert match, f"edge serve did not start: {line!r} {''.join(stderr)}"
        served = Served(process, match.group(1))
        _wait_for_frames(served)
        yield served
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=15)
        reader.join(5)
        served_stderr = "".join(stderr)
    assert code == TERMINATED, f"exit {code}: {served_stderr}"
    assert served_stderr.strip().endswith("terminated"), repr(served_stderr)


def _first_line(process: subprocess.Popen) -> str:
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.append(process.stdout.readline()), daemon=True)
    reader.start()
    reader.join(START_TIMEOUT_S)
    return lines[0] if lines else ""


def _wait_for_frames(served: Served) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        status, _, _ = served.get("healthz")
        if status == 200:
            return
        time.sleep(0.1)
    raise AssertionError("edge serve read no frame")
