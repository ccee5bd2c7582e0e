"""The live loop: capture a frame, read its digits, smooth the answer, show or report it.

Each step lives elsewhere (`sources`, `classify`, `smoothing`, `drawing`); this module only
orchestrates them, and stops when the source ends, after `max_frames`, or when the user quits.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import numpy as np

from edge_runtime.drawing import draw_reading
from edge_runtime.frame_source import FrameSource
from edge_runtime.interpreter import DigitModel
from edge_runtime.reading import Reading, ReadingPolicy, read_digits
from edge_runtime.reading.geometry import Box, check_roi
from edge_runtime.smoothing import FpsMeter, ReadingSmoother


@dataclass(frozen=True)
class LiveSettings:
    """How to read the frames (see `edge webcam --help`)."""

    top_k: int = 3
    roi: Box | None = None
    smooth: int = 5
    fps_window: int = 30
    max_frames: int | None = None


@dataclass(frozen=True)
class FrameResult:
    """One processed frame: its reading, the smoothed reading, the FPS, when it was read, whether
    the smoothed reading changed (always true for the first frame), how long the reading took, and,
    from a video file, where in the video it sits."""

    index: int
    frame: np.ndarray
    reading: Reading
    smoothed: str | None
    smoothed_confidence: float
    fps: float
    time: datetime
    changed: bool = True
    read_seconds: float = 0.0  # how long reading the frame's digits took (find, segment, classify)
    video_time: float | None = None  # where the frame sits in a video file, seconds (None when live)

    @property
    def timestamp(self) -> str:
        """The time as ISO 8601 with milliseconds and the UTC offset, e.g. 2026-11-28T10:45:25.123+01:00."""
        return self.time.isoformat(timespec="milliseconds")

    def to_json(self) -> dict:
        """A JSON-ready dict (without the frame)."""
        return {
            "frame": self.index,
            **self.reading.to_json(),
            "smoothed": self.smoothed,
            "smoothed_confidence": round(self.smoothed_confidence, 4),
            "fps": round(self.fps, 1),
            "time": self.timestamp,
            **({"video_time": round(self.video_time, 3)} if self.video_time is not None else {}),
        }


def local_now() -> datetime:
    """The local time with its UTC offset (a timestamp that says which time zone it is in)."""
    return datetime.now().astimezone()


class FrameSink(Protocol):
    """Where the annotated frames go: a window (`drawing.Preview`) or `edge serve`'s clients."""

    def show(self, frame: np.ndarray) -> bool:
        """Take the annotated frame; False to stop the loop."""
        ...


class FrameSinks:
    """Several sinks as one (a window and a recording): each gets every frame; False once any says stop."""

    def __init__(self, sinks: list[FrameSink]) -> None:
        self.sinks = sinks

    def show(self, frame: np.ndarray) -> bool:
        return all([sink.show(frame) for sink in self.sinks])  # a list: every sink sees the frame


@dataclass(frozen=True)
class RunSummary:
    """How a live run ended: "max-frames", "ended" (the source ran dry) or "quit" (the user)."""

    frames: int
    stopped_by: str


def run(
    model: DigitModel,
    source: FrameSource,
    settings: LiveSettings,
    report: Callable[[FrameResult], None],
    policy: Callable[[], ReadingPolicy],
    preview: FrameSink | None = None,
    clock: Callable[[], datetime] = local_now,
) -> RunSummary:
    """Process frames from `source` until it ends, `max_frames` is reached or the preview is closed
    (a `FrameSink` whose `show` returns False).

    `report` gets every frame; `FrameResult.changed` says whether its smoothed reading differs from the
    previous frame's, for callers that report changes only. `policy` gives the reading policy, asked for
    every frame (a server swaps it while the loop runs). `clock` stamps each frame.
    """
    smoother, meter = ReadingSmoother(settings.smooth), FpsMeter(settings.fps_window)
    frames, previous = 0, None
    while settings.max_frames is None or frames < settings.max_frames:
        frame = source.read()
        if frame is None:
            return RunSummary(frames, "ended")
        if frames == 0 and settings.roi is not None:
            check_roi(settings.roi, frame.shape, source.description)
        frames += 1
        started = time.perf_counter()
        reading = read_digits(
            model,
            frame,
            policy(),
            roi=settings.roi,
            top_k=settings.top_k,
            crop=False,  # a camera frame is a scene, however small (320x240)
        )
        seconds = time.perf_counter() - started
        smoothed, confidence = smoother.update(reading.number, reading.confidence)
        changed = frames == 1 or smoothed != previous
        result = FrameResult(
            frames,
            frame,
            reading,
            smoothed,
            confidence,
            meter.tick(),
            clock(),
            changed,
            seconds,
            source.position(),
        )
        previous = smoothed
        report(result)
        if preview is not None:
            draw_reading(frame, reading, smoothed, result.fps, settings.roi)
            if not preview.show(frame):
                return RunSummary(frames, "quit")
    return RunSummary(frames, "max-frames")
