"""Read the digits of an uploaded image: capped in bytes while it arrives and in pixels before it is
decoded (`images.decode_image`, the checks of `edge classify`), then read by a model of its own (the
camera loop's interpreter is the camera's), one upload at a time."""

from __future__ import annotations

import base64
import threading
from dataclasses import dataclass

import cv2

from edge_runtime.classify import Reading, read_digits
from edge_runtime.images import decode_image
from edge_runtime.interpreter import DigitModel

UPLOAD_NAME = "upload"


@dataclass(frozen=True)
class UploadLimits:
    """How much an upload may be: bytes on the wire, pixels declared by its header."""

    max_bytes: int
    max_pixels: int


class UploadReader:
    """Reads uploaded images with its own model; thread-safe (one read at a time)."""

    def __init__(self, model: DigitModel, limits: UploadLimits, min_confidence: float) -> None:
        self.model, self.limits, self.min_confidence = model, limits, min_confidence
        self._lock = threading.Lock()

    def read(self, data: bytes, top_k: int) -> Reading:
        """The digits of the encoded image `data`; EdgeError (one line) when it is not a usable image."""
        image = decode_image(data, UPLOAD_NAME, self.limits.max_pixels)
        with self._lock:
            return read_digits(self.model, image, top_k, min_confidence=self.min_confidence)


def reading_with_inputs(reading: Reading) -> dict:
    """`Reading.to_json()` with each region's 28x28 model input as a PNG data URL (`input_png`)."""
    result = reading.to_json()
    for key, regions in (("digits", reading.digits), ("rejected_regions", reading.rejected)):
        for entry, region in zip(result[key], regions, strict=True):
            png = cv2.imencode(".png", region.pixels)[1].tobytes()
            entry["input_png"] = "data:image/png;base64," + base64.b64encode(png).decode()
    return result
