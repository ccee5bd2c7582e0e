"""Numbers turned a quarter or a half round in the image (a phone held sideways, a plate photographed
on its side): the image is read upright and turned back each other way, and a turned reading is taken
only when its accepted digits' confidences sum to `DecidePolicy.turn_margin` more than upright's (any
reading at all when upright reads nothing); its boxes are mapped back to the image.

Upright wins ties and near ties: a number upright reads as well or nearly so turned (a 6 or a 9 turned
a half round is still a digit, 866 upside down reads 998), and a turned look at an upright number
reads its strokes as stray 1s. Quarter turns are tried before the half turn (a sideways phone is
likelier than an upside-down one); of equal turned readings the first wins.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import cv2
import numpy as np

from edge_runtime.reading.geometry import Box
from edge_runtime.reading.policy import DEFAULT
from edge_runtime.reading.report import Reading
from edge_runtime.reading.separators import DigitGroup, Written

# degrees a number is turned clockwise in the image → how OpenCV turns the image back
TURNED_BACK = {90: cv2.ROTATE_90_COUNTERCLOCKWISE, 270: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180}


def read_any_way_up(
    read: Callable[[np.ndarray], Reading], image: np.ndarray, margin: float = DEFAULT.decide.turn_margin
) -> tuple[Reading, int]:
    """`read(image)`, or `read` of the image turned back by 90, 270 or 180 degrees where that reads
    `margin` more (see the module docstring); with the degrees the number was turned clockwise (0:
    upright). Boxes are the image's."""
    best, turned = read(image), 0
    strength = _strength(best) + margin if best.digits else 0.0
    for degrees, code in TURNED_BACK.items():
        reading = read(cv2.rotate(image, code))
        if (turned_strength := _strength(reading)) > strength:
            best, turned, strength = reading, degrees, turned_strength
    return (turned_back(best, turned, image.shape[:2]) if turned else best), turned


def _strength(reading: Reading) -> float:
    """The summed confidence of a reading's accepted digits."""
    return sum(d.confidence for d in reading.digits)


def turned_back(reading: Reading, degrees: int, shape: tuple[int, int]) -> Reading:
    """`reading` of an image of `shape` (height, width) turned back by `degrees` (as in `TURNED_BACK`),
    with its boxes in the image before it was turned."""

    def box(inner: Box) -> Box:
        return _box_before_turn(inner, degrees, shape)

    return replace(
        reading,
        digits=[replace(d, box=box(d.box)) for d in reading.digits],
        rejected=[replace(d, box=box(d.box)) for d in reading.rejected],
        written=Written(reading.text, [DigitGroup(g.digits, box(g.box)) for g in reading.groups]),
    )


def _box_before_turn(inner: Box, degrees: int, shape: tuple[int, int]) -> Box:
    """A box (x, y, w, h) of the image turned back by `degrees`, in the image of `shape` before it."""
    height, width = shape
    x, y, w, h = inner
    if degrees == 90:  # turned back counter-clockwise: its rows are the image's columns from the right
        return (width - y - h, x, h, w)
    if degrees == 270:  # turned back clockwise: its columns are the image's rows from the bottom
        return (y, height - x - w, h, w)
    return (width - x - w, height - y - h, w, h)
