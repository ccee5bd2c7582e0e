"""A group of ink that may be one digit or several, and the model inputs cut out of it.

`find` finds the groups; `recognise` and `rows` cut them: `crop_piece` gives the MNIST input of the
ink between two cut paths, `line_input` the line reader's input of the whole group.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import cv2
import numpy as np

from edge_runtime.reading.geometry import Box, Transform
from edge_runtime.reading.inputs import LineInput, to_line, to_mnist
from edge_runtime.reading.thinning import skeleton

FAINT_LEVEL = 20  # an input pixel brighter than this is at least a stroke's soft edge (strokes are 255)
INPUT_INK = 0.3  # of a model input's brightest pixel: its ink, the soft edges of its strokes left out


@dataclass(frozen=True)
class Group:
    """Ink that may be one digit or several, cut out of the ink image with a pixel of margin and
    shrunk to at most `FindPolicy.group_max_height` rows, so that cutting and cropping cost the same
    at any size."""

    box: Box  # in the working copy
    ink: np.ndarray  # uint8 (h, w): ink strength around the group
    mask: np.ndarray  # uint8 (h, w): 255 on the group's own strokes
    to_image: Transform  # group pixels → the image's
    ink_threshold: int  # ink strength of a stroke

    @property
    def aspect(self) -> float:
        """Width over height."""
        return self.box[2] / self.box[3]


@dataclass(frozen=True)
class DigitCrop:
    """A candidate digit: where it is (image pixels) and the 28x28 input it gives."""

    box: Box
    pixels: np.ndarray  # uint8 (28, 28), white on black


def crop_piece(
    group: Group, left: np.ndarray | None = None, right: np.ndarray | None = None, sliver_share: float = 0.0
) -> DigitCrop | None:
    """The MNIST input of the group's ink between two cut paths (the whole group without them).

    `left` and `right` give, for each row of the group, the first column of the piece and the
    first column after it. A piece cut out of touching digits keeps only its main strokes: slivers of
    the neighbour that the cut left behind (blobs with less than `sliver_share` of the largest one's
    ink) are dropped. None when the piece holds no ink.
    """
    mask, inside, first = group.mask, None, 0
    if left is not None or right is not None:
        height, width = mask.shape
        starts = np.zeros(height, np.int64) if left is None else left
        stops = np.full(height, width, np.int64) if right is None else right
        # only the piece's columns, and one beside them for its soft edge (`strokes`)
        first, last = max(int(starts.min()) - 1, 0), min(int(stops.max()) + 1, width)
        if last <= first:  # paths beyond the group (a line reader's mark can lie past its ink)
            return None
        columns = np.arange(first, last)[None, :]
        inside = ((columns >= starts[:, None]) & (columns < stops[:, None])).astype(np.uint8) * 255
        # numpy, not cv2.bitwise_and: OpenCV takes an array of 4 or fewer pixels for a scalar
        mask = _without_slivers(mask[:, first:last] & inside, sliver_share)
    x, y, w, h = cv2.boundingRect(mask)  # of its ink
    if w == 0:
        return None
    box = group.to_image.pixel_box((first + x, y, w, h))
    return DigitCrop(box, to_mnist(strokes(group, mask, inside, first)[0]))


def filled_outline(group: Group, min_growth: float) -> Group | None:
    """The group with the insides of its outlines filled, as a "bubble" digit's outline stands for the
    stroke it draws round: each hole filled, a hole within what fills it left open (even-odd, as a
    bubble 0 is two outlines, one inside the other). None unless filling grows the ink `min_growth`
    times (a plain digit's loops are small beside its strokes)."""
    contours, hierarchy = cv2.findContours(group.mask, cv2.RETR_TREE, cv2.CHAIN_APPROX_SIMPLE)
    if hierarchy is None:
        return None
    parents = hierarchy[0][:, 3]
    inside = np.zeros_like(group.mask)
    for index, contour in enumerate(contours):
        depth, parent = 0, parents[index]
        while parent >= 0:
            depth, parent = depth + 1, parents[parent]
        if depth % 2:  # a hole (blobs and holes alternate down the tree)
            hole = np.zeros_like(group.mask)
            cv2.drawContours(hole, [contour], -1, 255, cv2.FILLED)
            inside = cv2.bitwise_xor(inside, hole)
    mask = cv2.bitwise_or(group.mask, inside)
    if cv2.countNonZero(mask) < min_growth * cv2.countNonZero(group.mask):
        return None
    return replace(group, ink=np.where(mask > 0, 255, group.ink).astype(np.uint8), mask=mask)


def centre_line(group: Group, slit_elongation: float, min_growth: float, pen: float) -> Group | None:
    """A "bubble" digit's group redrawn as the pen stroke its outline draws round: each hole that is
    the inside of a stroke (a slit, `slit_elongation` times as long as it is wide or more: its area
    over its width squared) filled, and the centre line of that drawn `pen` of the group's height
    wide. Only holes right inside an outer outline count: a loop's hole inside an inner outline (a
    bubble 0's, a 6's) stays open, and a hole holding ink with no hole of its own (a face's eye drawn
    in a ring) is no stroke's inside. None unless filling grows the ink `min_growth` times."""
    mask = group.mask
    contours, hierarchy = cv2.findContours(mask, cv2.RETR_TREE, cv2.CHAIN_APPROX_NONE)
    if hierarchy is None:
        return None
    parents = hierarchy[0][:, 3]
    filled = mask.copy()
    for index, contour in enumerate(contours):
        if parents[index] < 0 or parents[parents[index]] >= 0:  # not a hole of an outer outline
            continue
        inside = np.flatnonzero(parents == index)
        if any(hierarchy[0][i][2] < 0 for i in inside):  # ink in it that is no inner outline: a dot, a mark
            continue
        hole = np.zeros_like(mask)
        cv2.drawContours(hole, [contour], -1, 255, cv2.FILLED)
        cv2.drawContours(hole, [contours[i] for i in inside], -1, 0, cv2.FILLED)
        hole &= ~mask
        width = 2 * float(cv2.distanceTransform(hole, cv2.DIST_L2, 3).max())
        if width >= 1 and cv2.countNonZero(hole) >= slit_elongation * width**2:
            filled |= hole
    if cv2.countNonZero(filled) < min_growth * cv2.countNonZero(mask):
        return None
    side = max(1, round(pen * mask.shape[0]))
    line = cv2.dilate(skeleton(filled), cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (side, side)))
    return replace(group, ink=line, mask=line)


def widened_hairline(group: Group, crop: DigitCrop, max_stroke: float, min_growth: float) -> DigitCrop | None:
    """The group's whole-digit `crop` with its strokes widened by a pixel when they are a hairline's,
    as MNIST's pen drew them 2-3 pixels wide: under `max_stroke` pixels wide (`stroke_width`) and not
    an outline's, whose holes, filled, grow the ink `min_growth` times (in the input, its faint edges
    included, or in the group). None otherwise."""
    pixels = crop.pixels
    if not 0 < stroke_width(pixels) < max_stroke:
        return None
    if _hole_growth((pixels > FAINT_LEVEL).astype(np.uint8)) >= min_growth:
        return None
    if filled_outline(group, min_growth) is not None:
        return None
    return DigitCrop(crop.box, cv2.dilate(pixels, np.ones((2, 2), np.uint8)))


def input_ink(pixels: np.ndarray) -> np.ndarray:
    """A model input's ink: 255 where it is brighter than `INPUT_INK` of its brightest pixel, else 0."""
    return cv2.compare(pixels, INPUT_INK * float(pixels.max()), cv2.CMP_GT)


def stroke_width(pixels: np.ndarray) -> float:
    """The mean stroke width of a model input's ink, in its pixels: twice its area over its outline."""
    ink = input_ink(pixels)
    contours, _ = cv2.findContours(ink, cv2.RETR_LIST, cv2.CHAIN_APPROX_NONE)
    return 2 * cv2.countNonZero(ink) / max(sum(cv2.arcLength(c, True) for c in contours), 1.0)


def _hole_growth(mask: np.ndarray) -> float:
    """How many times its pixels a 0/1 `mask` holds with every hole filled."""
    contours, _ = cv2.findContours(mask, cv2.RETR_LIST, cv2.CHAIN_APPROX_NONE)
    filled = mask.copy()
    for contour in contours:  # one at a time: drawn together, nested contours fill even-odd
        cv2.drawContours(filled, [contour], -1, 1, cv2.FILLED)
    return int(filled.sum()) / max(int(mask.sum()), 1)


def line_input(group: Group) -> LineInput:
    """The line reader's input of the whole group (its columns map to the group's columns)."""
    ink, left, _ = strokes(group, group.mask, None)
    return to_line(ink).moved(left)


def strokes(
    group: Group, mask: np.ndarray, inside: np.ndarray | None, first: int = 0
) -> tuple[np.ndarray, int, int]:
    """The group's ink under `mask` (not empty), with one pixel of soft edge around the strokes as the
    threshold cut them (not across a cut: `inside`), less half the threshold, and 0 elsewhere; cut to
    the strokes' box, whose first column and row are also returned. `mask` and `inside` may cover
    only the group's columns from `first` on."""
    x, y, w, h = cv2.boundingRect(mask)  # of its ink
    y0, y1 = max(y - 1, 0), min(y + h + 1, mask.shape[0])
    x0, x1 = max(x - 1, 0), min(x + w + 1, mask.shape[1])
    local = cv2.dilate(mask[y0:y1, x0:x1], np.ones((3, 3), np.uint8))
    if inside is not None:
        local &= inside[y0:y1, x0:x1]
    half = np.uint8(group.ink_threshold // 2)
    ink = np.maximum(group.ink[y0:y1, first + x0 : first + x1], half) - half
    ink[local == 0] = 0
    return ink, first + x0, y0


def _without_slivers(mask: np.ndarray, share: float) -> np.ndarray:
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if count <= 2:
        return mask
    areas = stats[:, cv2.CC_STAT_AREA]
    kept = np.where(areas >= share * areas[1:].max(), 255, 0).astype(np.uint8)
    kept[0] = 0  # the ground
    return kept[labels]


@dataclass(frozen=True)
class Piece:
    """A classified region: where it is, the input the model saw, and its probabilities."""

    crop: DigitCrop
    probabilities: np.ndarray

    @property
    def label(self) -> int:
        """The class with the top probability."""
        return int(self.probabilities.argmax())

    @property
    def score(self) -> float:
        """The top probability: the model's acceptance score."""
        return float(self.probabilities.max())
