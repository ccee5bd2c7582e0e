"""Load test of `edge serve` on localhost: bounded, stops by itself, prints a table.

  python benchmarks/serve_load.py [--model edge_runtime/models/model_int8.tflite] [--duration 30]
      [--viewers 10] [--posters 10] [--idle 300] [--slow 50]

It writes a 30 frames/s 640x480 video of digits (the source: a camera's pace), starts `edge serve` on it
(127.0.0.1, a free port), then measures, each phase on the same server:

1. idle: the camera loop's frames/s with no client (10 s), and the server's memory;
2. alone: `POST /api/classify` of a 640x480 JPEG, one request at a time (200 requests);
3. load: `--viewers` MJPEG viewers (each reading the stream as fast as it comes) plus `--posters`
   clients posting the JPEG back to back, for `--duration` s: errors, classify latency, the loop's
   frames/s (against idle), and the server's memory sampled each second (flat: no growth at the end);
4. flood: `--idle` sockets that send nothing and `--slow` ones trickling a request head (slowloris),
   all from 127.0.0.1, while a client asks /healthz and posts the JPEG twice a second: their latency
   and errors, and how long the server let the sockets stay open.
"""

from __future__ import annotations

import argparse
import http.client
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from edge_runtime.samples import drawn_digit, paper_photo, video_frames, write_video  # noqa: E402
from edge_runtime.serve.protocol import HEADER_TIMEOUT_S  # noqa: E402
from tests.serve_process import MODEL, Served, SocketFlood, edge_serve  # noqa: E402

FPS = 30.0
IDLE_S = 10.0
ALONE_REQUESTS = 200
PROBE_S = 0.5  # during the flood, /healthz and a classify this often


def rss_mb(pid: int) -> float:
    """The resident memory of process `pid` in MB (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def loop_frames(served: Served) -> int:
    """The camera loop's frame count so far."""
    return served.json("api/reading")["frame"]


def loop_fps(served: Served, seconds: float) -> float:
    """The camera loop's frames/s over `seconds`."""
    start, started = loop_frames(served), time.monotonic()
    time.sleep(seconds)
    return (loop_frames(served) - start) / (time.monotonic() - started)


def post_latencies(
    url, jpeg: bytes, stop: threading.Event, count: int | None, out: list, errors: list
) -> None:
    """POST `jpeg` to /api/classify back to back (until `stop`, or `count` times), recording seconds."""
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    done = 0
    while not stop.is_set() and (count is None or done < count):
        started = time.perf_counter()
        try:
            connection.request("POST", "/api/classify", jpeg, {"Content-Type": "image/jpeg"})
            response = connection.getresponse()
            body = response.read()
            if response.status != 200 or b'"number"' not in body:
                errors.append(f"classify {response.status}")
        except (OSError, http.client.HTTPException) as exc:
            errors.append(f"classify {type(exc).__name__}")
            connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
            continue
        out.append(time.perf_counter() - started)
        done += 1
    connection.close()


def view(url, stop: threading.Event, frames: list, errors: list) -> None:
    """Read the MJPEG stream until `stop`, counting whole frames."""
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    try:
        connection.request("GET", "/api/stream.mjpg")
        response = connection.getresponse()
        while not stop.is_set():
            if response.readline() != b"--frame\r\n":
                errors.append("mjpeg: bad boundary")
                return
            headers = dict(response.readline().decode().strip().split(": ", 1) for _ in range(2))
            response.readline()  # the blank line, then the JPEG and its CRLF
            response.read(int(headers["Content-Length"]) + 2)
            frames.append(1)
    except (OSError, http.client.HTTPException, ValueError) as exc:
        errors.append(f"mjpeg {type(exc).__name__}")
    finally:
        connection.close()


def probe_during_flood(served: Served, jpeg: bytes, idle: int, slow: int) -> tuple[list, list, list, list]:
    """(/healthz seconds, classify seconds, errors, socket lifetimes) while `idle` + `slow` sockets are
    open, for as long as the server takes to close them all (at most the header timeout and 5 s)."""
    health, classify, errors = [], [], []
    with SocketFlood(served.url, idle, slow) as flood:
        watcher = threading.Thread(target=flood.watch, args=(HEADER_TIMEOUT_S + 5,))
        watcher.start()
        while watcher.is_alive():
            for path, data, times in (("healthz", None, health), ("api/classify", jpeg, classify)):
                started = time.perf_counter()
                try:
                    with urllib.request.urlopen(served.url + path, data=data, timeout=5) as response:
                        response.read()
                    times.append(time.perf_counter() - started)
                except OSError as exc:
                    errors.append(f"{path} {type(exc).__name__}")
            time.sleep(PROBE_S)
        watcher.join()
    return health, classify, errors, flood.lifetimes()


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) * 1000 if values else float("nan")


def run(
    model: Path, duration: float, viewers: int, posters: int, idle: int, slow: int
) -> list[tuple[str, str]]:
    rng = np.random.default_rng(0)
    folder = Path(tempfile.mkdtemp(prefix="serve_load_"))
    digits = [[drawn_digit(d, rng)] for d in (3, 1, 4, 1, 5, 9)]
    video = write_video(folder / "clip.avi", video_frames(digits, rng, frames_per_number=15), FPS)
    jpeg = cv2.imencode(".jpg", paper_photo([drawn_digit(7, rng)], rng), [cv2.IMWRITE_JPEG_QUALITY, 90])[1]
    jpeg = jpeg.tobytes()
    rows = []
    with edge_serve(str(model), "--source", str(video)) as served:
        pid, url = served.process.pid, urlparse(served.url)
        idle_fps, idle_rss = loop_fps(served, IDLE_S), rss_mb(pid)
        alone: list[float] = []
        errors: list[str] = []
        post_latencies(url, jpeg, threading.Event(), ALONE_REQUESTS, alone, errors)

        stop, latencies, frames, memory = threading.Event(), [], [], []
        threads = [threading.Thread(target=view, args=(url, stop, frames, errors)) for _ in range(viewers)]
        threads += [
            threading.Thread(target=post_latencies, args=(url, jpeg, stop, None, latencies, errors))
            for _ in range(posters)
        ]
        for thread in threads:
            thread.start()
        start_frame, started = loop_frames(served), time.monotonic()
        while time.monotonic() - started < duration:
            time.sleep(1.0)
            memory.append(rss_mb(pid))
        load_fps = (loop_frames(served) - start_frame) / (time.monotonic() - started)
        stop.set()
        for thread in threads:
            thread.join(30)
        health, flooded, flood_errors, lifetimes = probe_during_flood(served, jpeg, idle, slow)
    third = max(len(memory) // 3, 1)
    rows += [
        ("camera loop, no client", f"{idle_fps:.1f} frames/s (source {FPS:.0f})"),
        ("server memory, no client", f"{idle_rss:.0f} MB"),
        (f"POST /api/classify alone ({ALONE_REQUESTS}x 640x480 JPEG)", _latency(alone)),
        (
            f"load: {viewers} MJPEG viewers + {posters} posting clients, {duration:.0f} s",
            f"{viewers + posters} clients",
        ),
        ("  errors", str(len(errors)) + (f" ({', '.join(sorted(set(errors)))})" if errors else "")),
        ("  POST /api/classify under load", f"{_latency(latencies)}, {len(latencies) / duration:.0f} req/s"),
        (
            "  camera loop under load",
            f"{load_fps:.1f} frames/s = {100 * load_fps / idle_fps:.0f}% of no client",
        ),
        ("  MJPEG frames delivered", f"{len(frames) / duration / max(viewers, 1):.1f} frames/s per viewer"),
        (
            "  server memory (first third → last third of the run)",
            f"{np.mean(memory[:third]):.0f} MB → {np.mean(memory[-third:]):.0f} MB (max {max(memory):.0f})",
        ),
        (f"flood: {idle} idle + {slow} slowloris sockets from 127.0.0.1", f"{idle + slow} sockets"),
        (
            "  errors",
            str(len(flood_errors)) + (f" ({', '.join(sorted(set(flood_errors)))})" if flood_errors else ""),
        ),
        (
            "  GET /healthz during the flood",
            f"{_latency(health)}, max {max(health, default=0) * 1000:.0f} ms",
        ),
        ("  POST /api/classify during the flood", _latency(flooded)),
        (
            "  sockets closed by the server",
            f"{sum(t != float('inf') for t in lifetimes)} of {len(lifetimes)}, the last after "
            f"{max(lifetimes):.1f} s (header timeout {HEADER_TIMEOUT_S:.0f} s)",
        ),
    ]
    return rows


def _latency(values: list[float]) -> str:
    return f"p50 {percentile(values, 50):.1f} ms, p99 {percentile(values, 99):.1f} ms (n={len(values)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=MODEL)
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--viewers", type=int, default=10)
    parser.add_argument("--posters", type=int, default=10)
    parser.add_argument("--idle", type=int, default=300)
    parser.add_argument("--slow", type=int, default=50)
    args = parser.parse_args()
    rows = run(args.model, args.duration, args.viewers, args.posters, args.idle, args.slow)
    print("| measure | result |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    main()
