"""The camera loop of `edge serve`: one thread reads, classifies and annotates frames at its own pace
(`webcam.run`, as `edge webcam` does) and keeps only the latest one for the clients, so a slow client
never slows it down and nothing queues up."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from edge_runtime.frame_source import FrameSource
from edge_runtime.interpreter import DigitModel
from edge_runtime.reading import ReadingPolicy
from edge_runtime.sources import open_source
from edge_runtime.webcam import FrameResult, LiveSettings, run
from ground.errors import EdgeError, printable

JPEG_QUALITY = 80
STOP_TIMEOUT_S = 5.0  # how long `stop` waits for the camera thread to release the camera


class ReplayedVideo(FrameSource):
    """A video file played at its own frame rate, from the start again whenever it ends, as a camera
    would show it; `open_video` opens it anew each time. Cameras and streams are used as they are."""

    live = True

    def __init__(self, open_video: Callable[[], FrameSource]) -> None:
        self._open = open_video
        self._source = open_video()
        self.description = self._source.description
        self._interval = 1.0 / self._source.frame_rate if self._source.frame_rate else 0.0
        self._due = time.monotonic()

    def read(self) -> np.ndarray | None:
        frame = self._source.read()
        if frame is None:  # the end: rewind (an empty video stays empty)
            self._source.release()
            self._source = self._open()
            frame = self._source.read()
        self._due = max(self._due + self._interval, time.monotonic() - self._interval)
        time.sleep(max(0.0, self._due - time.monotonic()))
        return frame

    def release(self) -> None:
        self._source.release()


@dataclass
class Snapshot:
    """The latest processed frame (annotated) and its reading; the JPEG is encoded once, on demand."""

    result: FrameResult
    _jpeg: bytes | None = None

    def jpeg(self) -> bytes:
        """The annotated frame as JPEG (encoded by the first client that asks; threads may race to it)."""
        if self._jpeg is None:
            ok, data = cv2.imencode(".jpg", self.result.frame, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
            self._jpeg = data.tobytes() if ok else b""
        return self._jpeg


def open_live(spec: str, width: int | None = None, height: int | None = None) -> FrameSource:
    """The source `spec` names (see `sources.open_source`), a video file replayed as a camera."""
    source = open_source(spec, width, height)
    if source.live:
        return source
    source.release()
    return ReplayedVideo(lambda: open_source(spec, width, height))


def reading_json(result: FrameResult) -> dict:
    """The JSON of a live reading: `edge webcam --json`'s fields, plus `read_ms` (the time it took)."""
    return {**result.to_json(), "read_ms": round(result.read_seconds * 1000, 3)}


class LiveFeed:
    """The camera thread and the latest snapshot. The thread owns `source` and releases it when the
    loop ends (stopped, or the camera failed: `error` says why).

    Frames are read with `policy`, which the server may swap while the loop runs.
    `listeners` are called from the camera thread with every FrameResult (after the snapshot is
    published); they must return quickly. `on_exit` is called when the loop ends for any reason.
    """

    def __init__(
        self,
        model: DigitModel,
        source: FrameSource,
        settings: LiveSettings,
        policy: ReadingPolicy,
        on_exit: Callable[[], None] = lambda: None,
    ) -> None:
        self.model, self.settings, self.policy = model, settings, policy
        self.latest: Snapshot | None = None
        self.last_change: FrameResult | None = None  # the newest frame whose smoothed reading changed
        self.source, self.description = source, source.description
        self.error: str | None = None
        self.listeners: list[Callable[[FrameResult], None]] = []
        self.on_exit = on_exit
        self._pending: FrameResult | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="edge-serve-camera", daemon=True)

    @property
    def running(self) -> bool:
        """True while the camera thread runs and no stop was asked."""
        return self._thread.is_alive() and not self._stop.is_set()

    def start(self) -> None:
        """Start the camera thread."""
        self._thread.start()

    def stop(self, wait: bool = True) -> None:
        """Ask the loop to stop; with `wait`, wait (a while) for it to release the camera."""
        self._stop.set()
        if self._thread.ident is None:  # never started: the camera is still ours to release
            self.source.release()
        elif wait and self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(STOP_TIMEOUT_S)

    def _run(self) -> None:
        try:
            with self.source:
                summary = run(self.model, self.source, self.settings, self._report, lambda: self.policy, self)
            if summary.stopped_by == "ended":
                self.error = f"{self.description} stopped sending frames after {summary.frames} of them"
        except EdgeError as exc:
            self.error = printable(exc)
        except Exception as exc:  # the server must say why its camera stopped, not just stop
            self.error = f"camera loop failed: {type(exc).__name__}: {exc}"
        finally:
            self._stop.set()
            self.on_exit()

    def _report(self, result: FrameResult) -> None:
        self._pending = result  # published with its annotated frame in `show`

    def show(self, frame: np.ndarray) -> bool:
        """The annotated frame of the pending result (`webcam.run` drew on it): publish both."""
        result = self._pending
        if result is not None:
            self.latest = Snapshot(result)
            if result.changed:
                self.last_change = result
            for listener in self.listeners:
                listener(result)
        return not self._stop.is_set()
