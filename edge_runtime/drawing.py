"""Draw what was read on the image or frame it was read from, and show it in a window."""

from __future__ import annotations

import os
import sys

import cv2
import numpy as np

from edge_runtime.reading import Reading
from edge_runtime.reading.geometry import Box
from ground.errors import EdgeError

FONT = cv2.FONT_HERSHEY_SIMPLEX
BOX_BGR = (0, 200, 0)
UNSURE_BGR = (0, 165, 255)
ROI_BGR = (255, 128, 0)
REJECTED_BGR = (160, 160, 160)
TEXT_BGR = (255, 255, 255)
SHADOW_BGR = (0, 0, 0)
LABEL_SCALE, LABEL_THICKNESS = 0.7, 2
BANNER_SCALE, BANNER_THICKNESS = 1.0, 2
MARGIN = 10
MIN_ANNOTATED_SIDE = 240  # a smaller image (a 28x28 crop) is enlarged to this before drawing on it
QUIT_KEYS = {ord("q"), 27}  # q, Esc


def draw_reading(
    frame: np.ndarray,
    reading: Reading,
    smoothed: str | None,
    fps: float,
    roi: Box | None = None,
) -> None:
    """Draw, in place, the regions of `reading` (`draw_regions`), the smoothed number and the FPS."""
    if roi is not None:
        x, y, w, h = roi
        cv2.rectangle(frame, (x, y), (x + w, y + h), ROI_BGR, 1)
    draw_regions(frame, reading)
    _banner(frame, smoothed)
    _text(frame, f"{fps:.1f} FPS", (MARGIN, frame.shape[0] - MARGIN), LABEL_SCALE, LABEL_THICKNESS)


def annotated(image: np.ndarray, reading: Reading) -> np.ndarray:
    """A BGR copy of `image` with its reading drawn: the boxes, each digit with its confidence, and the
    number read (`edge classify --save`). An image smaller than `MIN_ANNOTATED_SIDE` is enlarged first."""
    scale = max(1, -(-MIN_ANNOTATED_SIDE // min(image.shape[:2])))
    bgr = image if image.ndim == 3 else cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    canvas = cv2.resize(bgr, None, fx=scale, fy=scale, interpolation=cv2.INTER_NEAREST)
    draw_regions(canvas, reading, scale)
    _banner(canvas, reading.number)
    return canvas


def draw_regions(frame: np.ndarray, reading: Reading, scale: int = 1) -> None:
    """Draw, in place, each rejected region's thin grey box and each digit's box (orange when unsure)
    with "digit confidence%"; boxes are in pixels of the frame shrunk `scale` times."""
    for region in reading.rejected:
        x, y, w, h = (v * scale for v in region.box)
        cv2.rectangle(frame, (x, y), (x + w, y + h), REJECTED_BGR, 1)
    for digit in reading.digits:
        x, y, w, h = (v * scale for v in digit.box)
        colour = UNSURE_BGR if digit.unsure else BOX_BGR
        cv2.rectangle(frame, (x, y), (x + w, y + h), colour, 2)
        _text(
            frame, f"{digit.label} {digit.confidence:.0%}", (x, max(y - 6, 14)), LABEL_SCALE, LABEL_THICKNESS
        )


def _banner(frame: np.ndarray, number: str | None) -> None:
    _text(
        frame,
        f"number: {number if number is not None else '-'}",
        (MARGIN, 30),
        BANNER_SCALE,
        BANNER_THICKNESS,
    )


def _text(frame: np.ndarray, text: str, origin: tuple[int, int], scale: float, thickness: int) -> None:
    """White text with a dark outline, readable on paper and on shadows alike."""
    cv2.putText(frame, text, origin, FONT, scale, SHADOW_BGR, thickness + 2, cv2.LINE_AA)
    cv2.putText(frame, text, origin, FONT, scale, TEXT_BGR, thickness, cv2.LINE_AA)


class Preview:
    """An OpenCV window; `show` returns False once the user pressed q/Esc or closed the window."""

    def __init__(self, title: str, hint: str = "use --headless") -> None:
        if sys.platform.startswith("linux") and not (
            os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
        ):
            raise EdgeError(f"no display to show the video on: {hint}")
        self.title = title
        try:
            cv2.namedWindow(title, cv2.WINDOW_AUTOSIZE)
        except cv2.error as exc:
            raise EdgeError(f"cannot open a window ({exc.err}): {hint}") from None

    def show(self, frame: np.ndarray) -> bool:
        """Display `frame`; False when the user asked to stop."""
        cv2.imshow(self.title, frame)
        key = cv2.waitKey(1) & 0xFF
        closed = cv2.getWindowProperty(self.title, cv2.WND_PROP_VISIBLE) < 1
        return key not in QUIT_KEYS and not closed

    def close(self) -> None:
        """Destroy the window."""
        cv2.destroyWindow(self.title)

    def __enter__(self) -> Preview:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
