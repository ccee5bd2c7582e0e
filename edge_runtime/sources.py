"""Where live frames come from: one small interface for OpenCV captures and the Pi camera.

The frame-source interface (what `edge webcam` needs, and all it needs):

    class SomeSource(FrameSource):
        description: str                  # for messages: "camera 0", "video clip.avi", "Pi camera"
        live: bool                        # True for cameras/streams, False for files that end
        frame_rate: float | None          # a file's own frames/s (None for cameras)
        frame_count: int | None           # how many frames a file says it holds (None for cameras)
        def read(self) -> np.ndarray | None:  # next BGR uint8 frame (h, w, 3); None once it has ended
        def position(self) -> float | None:  # a file's last frame read, seconds in (None when live)
        def release(self) -> None:        # free the device; safe to call more than once

Sources are context managers (`with open_source(...) as source:`) that release on exit,
including on Ctrl-C. A source that cannot be opened raises EdgeError with one clear line from
its constructor. `edge_runtime.picamera_source.PiCameraSource(width, height)` implements it for
the Raspberry Pi camera (Picamera2, imported only when `--source picamera` opens it).
"""

from __future__ import annotations

import re
from pathlib import Path

import cv2
import numpy as np

from edge_runtime.frame_source import FrameSource
from edge_runtime.picamera_source import PICAMERA, PiCameraSource
from ground.errors import EdgeError
from ground.quiet import native_output_silenced

_URL = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)


def is_camera_index(spec: str) -> bool:
    """True when `spec` is a camera index: ASCII digits only (`²` or `٣` are names, not numbers)."""
    return spec.isascii() and spec.isdecimal()


def is_stream_url(spec: str) -> bool:
    """True when `spec` starts with a URL scheme (`rtsp://`, `http://`)."""
    return _URL.match(spec) is not None


class OpenCVSource(FrameSource):
    """A camera index, a device path, a video file or a stream URL, through cv2.VideoCapture."""

    def __init__(self, spec: str, width: int | None = None, height: int | None = None) -> None:
        target: int | str
        if is_camera_index(spec):
            target, self.description, self.live = int(spec), f"camera {spec}", True
        elif is_stream_url(spec):
            target, self.description, self.live = spec, f"stream {spec}", True
        elif Path(spec).exists():
            self.live = spec.startswith("/dev/")
            target, self.description = spec, f"{'device' if self.live else 'video'} {spec}"
        else:
            raise EdgeError(f"no such camera, video file or stream: {spec}")
        cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_SILENT)  # one message from us, not OpenCV
        with native_output_silenced():  # container parsers and FFmpeg print straight to stderr
            self._capture = cv2.VideoCapture(target)
        if not self._capture.isOpened():
            self._capture.release()
            hint = " (is it connected and not used by another program?)" if self.live else ""
            raise EdgeError(f"cannot open {self.description}{hint}")
        self._frames_read = 0
        if not self.live:
            self.frame_rate = self._capture.get(cv2.CAP_PROP_FPS) or None
            count = self._capture.get(cv2.CAP_PROP_FRAME_COUNT)  # NaN or negative for some containers
            self.frame_count = int(count) if count > 0 else None
        if width:
            self._capture.set(cv2.CAP_PROP_FRAME_WIDTH, width)
        if height:
            self._capture.set(cv2.CAP_PROP_FRAME_HEIGHT, height)

    def read(self) -> np.ndarray | None:
        with native_output_silenced():  # a damaged frame makes the decoder complain on stderr
            ok, frame = self._capture.read()
        if not ok or frame is None:
            return None
        self._frames_read += 1
        return cv2.cvtColor(frame, cv2.COLOR_GRAY2BGR) if frame.ndim == 2 else frame

    def position(self) -> float | None:
        """The file's own timestamp of the last frame read (CAP_PROP_POS_MSEC), else its index / fps."""
        if self.live or self._frames_read == 0:
            return None
        msec = self._capture.get(cv2.CAP_PROP_POS_MSEC)  # 0 or NaN where the container keeps none
        if msec > 0:
            return msec / 1000
        if self.frame_rate:
            return (self._frames_read - 1) / self.frame_rate
        return 0.0 if self._frames_read == 1 else None

    def release(self) -> None:
        self._capture.release()


def open_source(spec: str, width: int | None = None, height: int | None = None) -> FrameSource:
    """The frame source `spec` names: "picamera", a camera index, a device, a video file or a URL."""
    if spec == PICAMERA:
        return PiCameraSource(width=width, height=height)
    return OpenCVSource(spec, width, height)
