"""Write a video frame by frame, never half-written: into a hidden `.partial` file beside it, renamed
into place once it is complete and reads back whole (OpenCV reports no write error, e.g. on a full disk).
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import cv2
import numpy as np

from ground.atomic import ensure_folder, replace, staged_path
from ground.errors import EdgeError, printable
from ground.quiet import native_output_silenced

FOURCC = {".avi": "MJPG", ".mp4": "mp4v"}  # Motion-JPEG, MPEG-4 part 2: in every OpenCV build


def check_video_path(path: Path) -> Path:
    """`path` if its suffix names a video format the recorder writes; EdgeError otherwise."""
    path = Path(path)
    if path.suffix.lower() not in FOURCC:
        raise EdgeError(f"{printable(path)}: a video must end in {' or '.join(FOURCC)}")
    return path


class VideoRecorder:
    """A video file written frame by frame (`write`), in a context: on leaving it, the video is moved
    into place when it holds at least one frame and ended normally, by Ctrl-C / SIGTERM or by a closed
    stdout (the frames recorded so far are a whole video); otherwise nothing is left behind."""

    def __init__(self, path: Path, fps: float) -> None:
        self.path, self.fps, self.frames = check_video_path(path), fps, 0
        self._stack = contextlib.ExitStack()
        self._staged: Path | None = None
        self._writer = None

    def show(self, frame: np.ndarray) -> bool:
        """Record `frame` (a `webcam.FrameSink`: `edge webcam --save`); always True."""
        self.write(frame)
        return True

    def __enter__(self) -> VideoRecorder:
        ensure_folder(self.path.parent)
        self._staged = self._stack.enter_context(staged_path(self.path))
        return self

    def write(self, frame: np.ndarray) -> None:
        """Append a BGR frame (the first one sets the video's size)."""
        if self._writer is None:
            self._writer = self._open(frame.shape[1], frame.shape[0])
        self._writer.write(frame)
        self.frames += 1

    def _open(self, width: int, height: int):
        fourcc = FOURCC[self.path.suffix.lower()]
        with native_output_silenced():
            writer = cv2.VideoWriter(
                str(self._staged), cv2.VideoWriter_fourcc(*fourcc), self.fps, (width, height)
            )
        if not writer.isOpened():
            writer.release()
            raise EdgeError(f"{printable(self.path)}: OpenCV cannot write {fourcc} video")
        return writer

    def __exit__(self, exc_type, exc, traceback) -> None:
        with self._stack:  # removes the hidden file unless it was moved into place
            if self._writer is not None:
                with native_output_silenced():
                    self._writer.release()
            stopped = exc_type is not None and issubclass(exc_type, (KeyboardInterrupt, BrokenPipeError))
            if self.frames == 0 or (exc_type is not None and not stopped):
                return
            if _frame_count(self._staged) != self.frames:
                if stopped:
                    return
                raise EdgeError(
                    f"cannot write {printable(self.path)} (the video came out incomplete: is the disk full?)"
                )
            replace(self._staged, self.path)


def _frame_count(video: Path) -> int:
    capture = cv2.VideoCapture(str(video))
    try:
        return int(capture.get(cv2.CAP_PROP_FRAME_COUNT)) if capture.isOpened() else 0
    finally:
        capture.release()
