"""Read the digits of an image with a TFLite model: regions → MNIST inputs → one batched prediction."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from edge_runtime.atomic import atomic_write_bytes
from edge_runtime.interpreter import DigitModel
from edge_runtime.regions import Box, extract_digits


@dataclass(frozen=True)
class DigitPrediction:
    """One digit: where it is, what the model read, and the 28x28 input it saw."""

    box: Box
    label: str
    confidence: float
    top_k: list[tuple[str, float]]
    pixels: np.ndarray

    def to_json(self) -> dict:
        """A JSON-ready dict (without the pixels)."""
        return {
            "digit": self.label,
            "confidence": round(self.confidence, 4),
            "top_k": [[label, round(p, 4)] for label, p in self.top_k],
            "box": list(self.box),
        }


@dataclass(frozen=True)
class Reading:
    """The digits of one image, left to right; `number` is None when no digit was found."""

    digits: list[DigitPrediction]

    @property
    def number(self) -> str | None:
        """The digits read left to right as one number."""
        return "".join(d.label for d in self.digits) or None

    @property
    def confidence(self) -> float:
        """The least confident digit's confidence (0 with no digit)."""
        return min((d.confidence for d in self.digits), default=0.0)

    def to_json(self) -> dict:
        """A JSON-ready dict."""
        return {
            "number": self.number,
            "confidence": round(self.confidence, 4),
            "digits": [d.to_json() for d in self.digits],
        }


def read_digits(
    model: DigitModel,
    image: np.ndarray,
    top_k: int = 3,
    threshold: int | None = None,
    roi: Box | None = None,
) -> Reading:
    """Find, preprocess and classify every digit of a BGR or grey image."""
    crops = extract_digits(image, threshold, roi)
    if not crops:
        return Reading([])
    probabilities = model.predict(np.stack([c.pixels for c in crops]))
    return Reading(
        [
            _prediction(c.box, c.pixels, p, model.labels, top_k)
            for c, p in zip(crops, probabilities, strict=True)
        ]
    )


def write_crops(folder: Path, stem: str, reading: Reading) -> list[Path]:
    """Save each digit's 28x28 model input as `<stem>-<position>-<label>.png` in `folder`."""
    paths = []
    for position, digit in enumerate(reading.digits, start=1):
        path = Path(folder) / f"{stem}-{position}-{digit.label}.png"
        atomic_write_bytes(path, cv2.imencode(".png", digit.pixels)[1].tobytes())
        paths.append(path)
    return paths


def _prediction(
    box: Box, pixels: np.ndarray, probabilities: np.ndarray, labels: list[str], top_k: int
) -> DigitPrediction:
    order = np.argsort(-probabilities, kind="stable")[: max(top_k, 1)]  # ties: lower digit first, on any CPU
    ranked = [(labels[i], float(probabilities[i])) for i in order]
    return DigitPrediction(box, ranked[0][0], ranked[0][1], ranked, pixels)
