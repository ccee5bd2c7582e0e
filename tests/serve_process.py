"""`edge serve` as a real process for the tests: started on a free port, stopped with SIGTERM (which must
end it cleanly, exit 143), plus small HTTP helpers on the standard library."""

from __future__ import annotations

import json
import os
import re
import selectors
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

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
    """A running `edge serve`: its base URL, process and what it printed on stderr so far."""

    def __init__(self, process: subprocess.Popen, url: str, stderr: list[str]) -> None:
        self.process, self.url, self._stderr = process, url, stderr

    @property
    def stderr(self) -> str:
        """What the server printed on stderr so far."""
        return "".join(self._stderr)

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
        served = Served(process, match.group(1), stderr)
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


class SocketFlood:
    """Sockets that hold a server's connections without finishing a request, all to one address:
    `idle` ones connect and send nothing, `slow` ones (slowloris) trickle a request head, one header
    line a second, never ending it. `watch` records when the server closes each; every socket is
    closed by the flood itself when it ends (a `with` block), and `watch` stops after `seconds`."""

    def __init__(self, url: str, idle: int, slow: int) -> None:
        address = urlparse(url)
        self.address, self.idle, self.count = (address.hostname, address.port), idle, idle + slow
        self.opened: dict[socket.socket, float] = {}
        self.closed: dict[socket.socket, float] = {}
        self.slow: list[socket.socket] = []

    def _open(self) -> None:
        for index in range(self.count):
            sock = socket.create_connection(self.address, timeout=5)
            self.opened[sock] = time.monotonic()
            if index >= self.idle:
                sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: flood\r\n")
                self.slow.append(sock)
            sock.setblocking(False)

    def watch(self, seconds: float) -> None:
        """Trickle the slow sockets' heads and note when the server closes each socket, for at most
        `seconds` or until all are closed."""
        deadline, trickle = time.monotonic() + seconds, 0.0
        with selectors.DefaultSelector() as selector:
            for sock in self.opened:
                selector.register(sock, selectors.EVENT_READ)
            while len(self.closed) < len(self.opened) and time.monotonic() < deadline:
                if time.monotonic() >= trickle:
                    trickle = time.monotonic() + 1.0
                    for sock in self.slow:
                        if sock not in self.closed:
                            self._send(sock, selector, b"X-Slow: 1\r\n")
                for key, _ in selector.select(0.1):
                    self._receive(key.fileobj, selector)

    def lifetimes(self) -> list[float]:
        """Seconds each socket stayed open (infinite for those the server has not closed)."""
        return [self.closed.get(s, float("inf")) - opened for s, opened in self.opened.items()]

    def _send(self, sock: socket.socket, selector: selectors.BaseSelector, data: bytes) -> None:
        try:
            sock.send(data)
        except OSError:
            self._close(sock, selector)

    def _receive(self, sock: socket.socket, selector: selectors.BaseSelector) -> None:
        try:
            if sock.recv(4096):
                return  # an answer (an error page, say); the server's close comes next
        except BlockingIOError:
            return
        except OSError:
            pass
        self._close(sock, selector)

    def _close(self, sock: socket.socket, selector: selectors.BaseSelector) -> None:
        self.closed[sock] = time.monotonic()
        selector.unregister(sock)

    def __enter__(self) -> SocketFlood:
        try:
            self._open()
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        for sock in self.opened:
            sock.close()
