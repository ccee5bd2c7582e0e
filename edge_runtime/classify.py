"""Read the digits of an image with a TFLite model: ink groups → recognition-driven segmentation.

A region counts as a digit only when the model accepts it: its top probability (its
*confidence*) reaches the model's acceptance threshold, which `edge export` chose on validation
digits and wrote into the manifest. Accepted digits below `min_confidence` are marked unsure.
Everything the model did not accept is reported as rejected, and never enters the number. When a
rejected region of about an accepted digit's height (half to twice) sits level with it, no number
is read at all: the line is a word whose letters partly look like digits (the o of "Room", the S of
"Sale" beside its a and e), or a number with an unreadable digit, which would be read wrong. A
rejected region in which the line reader is sure of one digit (`segment.GroupReading.in_line`) is
taken as that digit when it is level with an accepted one: in a number, the reader's reading is
a second opinion the digit model's lone verdict lacks (the reader reads letters as no number).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from edge_runtime.interpreter import DigitModel
from edge_runtime.preprocess import InkImage, darkest_channel, ink_image
from edge_runtime.regions import Box, Groups, crop_roi, find_groups, mnist_passthrough
from edge_runtime.segment import GroupReading, Piece, read_groups
from edge_runtime.separators import DigitGroup, Written, looks_like_a_colon, write_lines
from ground.atomic import atomic_write_bytes, output_folder
from ground.contract import IMAGE_SHAPE

CLUTTER_REGIONS = 3  # rejected regions that make a frame cluttered...
CLUTTER_CONFIDENCE = 0.75  # ...where an accepted digit needs this confidence
MIN_RELATIVE_HEIGHT = 0.4  # an accepted digit this much shorter than the tallest one in view is rejected
GAP_HEIGHT = 0.5  # a rejected region within this ratio of an accepted digit's height, level with it,
# is a letter of the same word or an unreadable digit of the same number


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


def read_digits(
    model: DigitModel,
    image: np.ndarray,
    top_k: int = 3,
    threshold: int | None = None,
    roi: Box | None = None,
    min_confidence: float = 0.0,
    crop: bool | None = None,
) -> Reading:
    """Find, segment and classify every digit of a BGR or grey image.

    A 28x28 image is taken as already in the MNIST contract and classified as it is (inverted
    first if it is dark on light). `roi` limits the search to a rectangle; `threshold` overrides
    the ink threshold (0-255); `crop` says whether the image is a crop around a digit or a scene
    (False for a camera frame; by default, by its size: `preprocess.ink_image`).
    """
    if roi is not None:
        image = crop_roi(image, roi)
    binary, scale = None, 1.0  # the thresholded ink of the working copy, where separators are looked for
    if image.shape[:2] == IMAGE_SHAPE:
        accepted, rejected, cut = _read_mnist(model, darkest_channel(image))
    else:
        ink = ink_image(image, threshold, crop)
        accepted, rejected, cut, found = _read_ink(model, ink)
        if not accepted and found.filled_edge:  # a large blob cut off by the frame: perhaps a tight crop
            ink = ink_image(image, threshold, crop=True)
            accepted, rejected, cut, found = _read_ink(model, ink)
        binary, scale = found.binary, ink.scale
    accepted, too_small = _drop_small(accepted)
    accepted, doubtful = _drop_doubtful_in_clutter(accepted, rejected)
    accepted, in_words = _drop_lines_with_gaps(accepted, rejected)
    lines = _reading_lines(accepted)
    written = write_lines(
        [[(model.labels[p.label], p.crop.box) for p in line] for line in lines], binary, scale
    )
    describe = _describer(model.labels, top_k, min_confidence, roi)
    return Reading(
        [describe(p, False) for line in lines for p in line],
        [describe(p, True) for p in rejected + too_small + doubtful + in_words],
        cut,
        written if roi is None else written.moved(max(roi[0], 0), max(roi[1], 0)),
    )


def _read_mnist(model: DigitModel, image: np.ndarray) -> tuple[list[Piece], list[Piece], bool]:
    crops = mnist_passthrough(image)
    if not crops:
        return [], [], False
    pieces = [
        Piece(c, p) for c, p in zip(crops, model.predict(np.stack([c.pixels for c in crops])), strict=True)
    ]
    threshold = model.accept_threshold
    return [p for p in pieces if p.score >= threshold], [p for p in pieces if p.score < threshold], False


def _read_ink(model: DigitModel, ink: InkImage) -> tuple[list[Piece], list[Piece], bool, Groups]:
    found = find_groups(ink)
    readings, uncut = read_groups(found.groups, model.predict, model.accept_threshold, model.line_reader)
    accepted, rejected = _with_digits_in_line(readings)
    return accepted, rejected, found.cut or uncut, found


def _with_digits_in_line(readings: list[GroupReading]) -> tuple[list[Piece], list[Piece]]:
    """The accepted digits, with every rejected group's `in_line` digit that is level with one of
    them; and the regions still rejected."""
    accepted = [p for r in readings for p in r.digits]
    joined = {id(r) for r in readings if r.in_line is not None and _level_with_any(r.in_line, accepted)}
    accepted += [r.in_line for r in readings if id(r) in joined]
    return accepted, [r.rejected for r in readings if r.rejected is not None and id(r) not in joined]


def _drop_small(pieces: list[Piece]) -> tuple[list[Piece], list[Piece]]:
    """Accepted pieces split into those tall enough next to the tallest, and the rest."""
    if not pieces:
        return [], []
    tallest = max(p.crop.box[3] for p in pieces)
    keep = [p for p in pieces if p.crop.box[3] >= MIN_RELATIVE_HEIGHT * tallest]
    return keep, [p for p in pieces if p.crop.box[3] < MIN_RELATIVE_HEIGHT * tallest]


def _drop_doubtful_in_clutter(
    accepted: list[Piece], rejected: list[Piece]
) -> tuple[list[Piece], list[Piece]]:
    """In a cluttered frame (at least `CLUTTER_REGIONS` rejected regions, more than the digits
    accepted), a digit accepted with less than `CLUTTER_CONFIDENCE` is more likely a texture's blob
    that happens to look like one: it is rejected too. Returns (kept, dropped)."""
    if len(rejected) < CLUTTER_REGIONS or len(rejected) <= len(accepted):
        return accepted, []
    keep = [p for p in accepted if p.score >= CLUTTER_CONFIDENCE]
    return keep, [p for p in accepted if p.score < CLUTTER_CONFIDENCE]


def _drop_lines_with_gaps(accepted: list[Piece], rejected: list[Piece]) -> tuple[list[Piece], list[Piece]]:
    """When a rejected region is of about an accepted digit's height and level with it, the line is
    a word (or a number missing a digit): every accepted digit is rejected, unless the region is a
    colon (12:45). Returns (kept, dropped)."""
    if any(_level_with_any(r, accepted) and not looks_like_a_colon(r.crop.pixels) for r in rejected):
        return [], accepted
    return accepted, []


def _level_with_any(region: Piece, digits: list[Piece]) -> bool:
    return any(_level(region, digit) for digit in digits)


def _level(region: Piece, digit: Piece) -> bool:
    """True when `region` is within `GAP_HEIGHT` of `digit`'s height and its middle is level with it."""
    _, y, _, h = region.crop.box
    _, dy, _, dh = digit.crop.box
    return GAP_HEIGHT * dh <= h <= dh / GAP_HEIGHT and dy <= y + h / 2 <= dy + dh


def _reading_lines(pieces: list[Piece]) -> list[list[Piece]]:
    """Lines top to bottom, each left to right. Taken left to right, a piece continues the line whose
    last piece it is level with (either one's middle within the other's rows; of several, the one
    whose middle is nearest), so that a line written or photographed at a slant stays one line."""
    lines: list[list[Piece]] = []
    for piece in sorted(pieces, key=lambda p: p.crop.box[0]):
        level = [line for line in lines if _continues(line[-1], piece)]
        if level:
            min(level, key=lambda line: abs(_middle(line[-1]) - _middle(piece))).append(piece)
        else:
            lines.append([piece])
    lines.sort(key=lambda line: np.mean([_middle(p) for p in line]))
    return lines


def _middle(piece: Piece) -> float:
    _, y, _, h = piece.crop.box
    return y + h / 2


def _continues(last: Piece, piece: Piece) -> bool:
    _, y, _, h = piece.crop.box
    _, ly, _, lh = last.crop.box
    return ly <= _middle(piece) <= ly + lh or y <= _middle(last) <= y + h


def _describer(labels: list[str], top_k: int, min_confidence: float, roi: Box | None):
    def describe(piece: Piece, rejected: bool) -> DigitPrediction:
        order = np.argsort(-piece.probabilities, kind="stable")[: max(top_k, 1)]  # ties: lower digit first
        ranked = [(labels[i], float(piece.probabilities[i])) for i in order]
        box = piece.crop.box if roi is None else _offset(piece.crop.box, roi)
        unsure = not rejected and ranked[0][1] < min_confidence
        return DigitPrediction(box, ranked[0][0], ranked[0][1], ranked, piece.crop.pixels, rejected, unsure)

    return describe


def _offset(box: Box, roi: Box) -> Box:
    return (box[0] + max(roi[0], 0), box[1] + max(roi[1], 0), box[2], box[3])


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
