"""The base class of every frame source (`edge_runtime.sources` describes the interface)."""

from __future__ import annotations

import numpy as np


class FrameSource:
    """Base class of frame sources: subclasses set `description`/`live` and define read/release."""

    description: str = "frame source"
    live: bool = True
    frame_rate: float | None = None  # a video file's own frames/s; None for cameras, which pace themselves
    frame_count: int | None = None  # how many frames a video file says it holds; None for cameras

    def read(self) -> np.ndarray | None:
        """The next BGR frame, or None once the source has no more frames."""
        raise NotImplementedError

    def position(self) -> float | None:
        """Where the last frame read sits in a video file, in seconds (None for a live source)."""
        return None

    def release(self) -> None:
        """Free the device or file."""
        raise NotImplementedError

    def __enter__(self) -> FrameSource:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()
