"""Read the digits of an uploaded image: capped in bytes while it arrives and in pixels before it is
decoded (`images.decode_image`, the checks of `edge classify`), then read by a model of its own (the
camera loop's interpreter is the camera's), one upload at a time; answered as JSON, optionally with
each region's model input and the image annotated as the live image is."""

from __future__ import annotations

import base64
import dataclasses
import threading
from dataclasses import dataclass

import cv2
import numpy as np

from edge_runtime.drawing import draw_regions
from edge_runtime.images import decode_image
from edge_runtime.interpreter import DigitModel
from edge_runtime.reading import Reading, ReadingPolicy, read_digits

UPLOAD_NAME = "upload"
ANNOTATED_SIDE = 480  # the annotated image's longer side, in pixels (the labels' size is fixed)
JPEG_QUALITY = 85


@dataclass(frozen=True)
class UploadLimits:
    """How much an upload may be: bytes on the wire, pixels declared by its header."""

    max_bytes: int
    max_pixels: int


@dataclass(frozen=True)
class Upload:
    """A decoded upload and its reading."""

    image: np.ndarray
    reading: Reading

    def to_json(self, inputs: bool = False, annotated: bool = False) -> dict:
        """`Reading.to_json()`; with `inputs`, each region's 28x28 model input as a PNG data URL
        (`input_png`); with `annotated`, the image with the reading drawn on it (`annotated_jpeg`)."""
        reading, result = self.reading, self.reading.to_json()
        if inputs:
            for key, regions in (("digits", reading.digits), ("rejected_regions", reading.rejected)):
                for entry, region in zip(result[key], regions, strict=True):
                    entry["input_png"] = _data_url("image/png", cv2.imencode(".png", region.pixels)[1])
        if annotated:
            quality = [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY]
            jpeg = cv2.imencode(".jpg", annotate(self.image, reading), quality)[1]
            result["annotated_jpeg"] = _data_url("image/jpeg", jpeg)
        return result


class UploadReader:
    """Reads uploaded images with its own model and the reading `policy` (which the server may swap);
    thread-safe (one read at a time)."""

    def __init__(self, model: DigitModel, limits: UploadLimits, policy: ReadingPolicy) -> None:
        self.model, self.limits, self.policy = model, limits, policy
        self._lock = threading.Lock()

    def read(self, data: bytes, top_k: int) -> Upload:
        """The digits of the encoded image `data`; EdgeError (one line) when it is not a usable image."""
        image = decode_image(data, UPLOAD_NAME, self.limits.max_pixels)
        with self._lock:
            return Upload(image, read_digits(self.model, image, self.policy, top_k=top_k))


def annotate(image: np.ndarray, reading: Reading) -> np.ndarray:
    """A BGR copy of `image`, scaled to `ANNOTATED_SIDE` pixels on its longer side, with the regions of
    `reading` drawn on it (`drawing.draw_regions`)."""
    scale = ANNOTATED_SIDE / max(image.shape[:2])
    shrink = cv2.INTER_AREA if scale < 1 else cv2.INTER_NEAREST  # a tiny drawing stays sharp
    scaled = cv2.resize(image, None, fx=scale, fy=scale, interpolation=shrink)
    canvas = cv2.cvtColor(scaled, cv2.COLOR_GRAY2BGR) if scaled.ndim == 2 else scaled

    def moved(region):
        return dataclasses.replace(region, box=tuple(round(v * scale) for v in region.box))

    digits, rejected = [moved(d) for d in reading.digits], [moved(r) for r in reading.rejected]
    draw_regions(canvas, dataclasses.replace(reading, digits=digits, rejected=rejected))
    return canvas


def _data_url(media_type: str, encoded: np.ndarray) -> str:
    return f"data:{media_type};base64,{base64.b64encode(encoded.tobytes()).decode()}"
