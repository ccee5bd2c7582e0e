"""The answer of a reading: the accepted digits, the regions rejected, and the text a person would write."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from edge_runtime.reading.decide import Decision
from edge_runtime.reading.geometry import Box, Transform
from edge_runtime.reading.groups import Piece
from edge_runtime.reading.separators import DigitGroup, Written
from ground.atomic import atomic_write_bytes, output_folder


@dataclass(frozen=True)
class DigitPrediction:
    """One region: where it is, what the model read, how sure, and the 28x28 input it saw."""

    box: Box
    label: str
    confidence: float
    top_k: list[tuple[str, float]]
    pixels: np.ndarray
    rejected: bool = False
    unsure: bool = False

    def to_json(self) -> dict:
        """A JSON-ready dict (without the pixels)."""
        return {
            "digit": self.label,
            "confidence": round(self.confidence, 4),
            "top_k": [[label, round(p, 4)] for label, p in self.top_k],
            "box": list(self.box),
            "rejected": self.rejected,
            "unsure": self.unsure,
        }


@dataclass(frozen=True)
class Reading:
    """The accepted digits of one image in reading order, and the regions the model rejected.

    `number` is None when no digit was accepted; `cut` says that part of the image was not read
    (more ink regions than the reader looks at). `text` is the reading as a person would write it,
    with the separators seen between digits (`separators`), and `groups` its runs of digits.
    """

    digits: list[DigitPrediction]
    rejected: list[DigitPrediction] = field(default_factory=list)
    cut: bool = False
    written: Written = Written(None, [])

    @property
    def text(self) -> str | None:
        """The digits with the separators between them (`.` `,` `:` `-` `/` and spaces), or None."""
        return self.written.text

    @property
    def groups(self) -> list[DigitGroup]:
        """The runs of digits between separators, each with its box."""
        return self.written.groups

    @property
    def number(self) -> str | None:
        """The accepted digits read left to right (lines top to bottom) as one number."""
        return "".join(d.label for d in self.digits) or None

    @property
    def confidence(self) -> float:
        """The least confident accepted digit's confidence (0 with no digit)."""
        return min((d.confidence for d in self.digits), default=0.0)

    @property
    def unsure(self) -> bool:
        """True when some accepted digit is below the unsure line."""
        return any(d.unsure for d in self.digits)

    def to_json(self) -> dict:
        """A JSON-ready dict (README, "JSON output", documents the fields)."""
        return {
            "number": self.number,
            "text": self.text,
            "groups": [g.to_json() for g in self.groups],
            "confidence": round(self.confidence, 4),
            "unsure": self.unsure,
            "rejected": len(self.rejected),
            "cut": self.cut,
            "digits": [d.to_json() for d in self.digits],
            "rejected_regions": [d.to_json() for d in self.rejected],
        }


def report(
    decision: Decision,
    written: Written,
    cut: bool,
    labels: list[str],
    to_frame: Transform,
    top_k: int = 3,
    unsure_below: float = 0.0,
) -> Reading:
    """The reading of a decision: each region with its `top_k` labels and its box in the frame
    (`to_frame`), an accepted digit below `unsure_below` marked unsure."""

    def describe(piece: Piece, rejected: bool) -> DigitPrediction:
        order = np.argsort(-piece.probabilities, kind="stable")[: max(top_k, 1)]  # ties: lower digit first
        ranked = [(labels[i], float(piece.probabilities[i])) for i in order]
        unsure = not rejected and ranked[0][1] < unsure_below
        box = to_frame.pixel_box(piece.crop.box)
        return DigitPrediction(box, ranked[0][0], ranked[0][1], ranked, piece.crop.pixels, rejected, unsure)

    return Reading(
        [describe(p, False) for line in decision.lines for p in line],
        [describe(p, True) for p in decision.rejected],
        cut,
        written.moved(to_frame),
    )


def write_crops(folder: Path, stem: str, reading: Reading) -> list[Path]:
    """Save each region's 28x28 model input as `<stem>-<position>-<label>.png` in `folder`, made if
    needed (`<label>` is `x<guess>` for a rejected region)."""
    paths = []
    regions = [(d, d.label) for d in reading.digits] + [(d, f"x{d.label}") for d in reading.rejected]
    if not regions:
        return paths
    with output_folder(folder) as folder:
        for position, (digit, label) in enumerate(regions, start=1):
            path = folder / f"{stem}-{position}-{label}.png"
            atomic_write_bytes(path, cv2.imencode(".png", digit.pixels)[1].tobytes())
            paths.append(path)
    return paths
