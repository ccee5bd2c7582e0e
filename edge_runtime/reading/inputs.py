"""The models' inputs, made as the models were trained on them: a digit as MNIST made its digits
(`to_mnist`), a group of touching digits as the line reader's line (`to_line`).

These are a contract with training (`train` makes its examples with the same functions), not
reading policy: change them and the models must be retrained.

MNIST's recipe for one digit: crop to the digit's bounding box, scale it to fit 20x20 keeping its
aspect ratio, pad to 28x28, and shift it so its centre of mass is at the centre.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from edge_runtime.reading.geometry import Transform
from ground.contract import IMAGE_SIDE, LINE_HEIGHT, LINE_INK_HEIGHT, LINE_WIDTH

DIGIT_BOX = 20  # MNIST's digits fit 20x20 inside their 28x28
LINE_MARGIN = (LINE_HEIGHT - LINE_INK_HEIGHT) // 2  # columns left blank before a line's ink
STROKE_PERCENTILE = 90  # this percentile of a digit's ink becomes full white: MNIST strokes saturate


def to_mnist(digit: np.ndarray) -> np.ndarray:
    """28x28 MNIST input from a white-on-black digit image whose background is exactly 0.

    The digit's bounding box is scaled to fit 20x20 (aspect ratio kept), brightened so its
    strokes reach 255, and placed on 28x28 with its centre of mass at the centre.
    """
    x, y, width, height = cv2.boundingRect(digit)  # of its ink
    if width == 0:
        return np.zeros((IMAGE_SIDE, IMAGE_SIDE), np.uint8)
    crop = digit[y : y + height, x : x + width]
    return _centre_by_mass(_brightened(_resized(crop, DIGIT_BOX / max(height, width))))


@dataclass(frozen=True)
class LineInput:
    """The line reader's input for one image, and where its columns came from."""

    pixels: np.ndarray  # uint8 `LINE_SHAPE`, white on black
    to_source: Transform  # input columns → columns of the image it was drawn from

    def moved(self, columns: int) -> LineInput:
        """The same input, mapped to an image whose column 0 lies `columns` left of the source's."""
        return LineInput(self.pixels, self.to_source.then(Transform((columns, 0))))


def to_line(ink: np.ndarray) -> LineInput:
    """The line reader's input from a white-on-black image of a group whose background is exactly 0.

    The ink's bounding box is scaled to `LINE_INK_HEIGHT` rows (less when it would not fit the width),
    brightened as `to_mnist` brightens, and placed `LINE_MARGIN` from the left, centred in height.
    """
    canvas = np.zeros((LINE_HEIGHT, LINE_WIDTH), np.uint8)
    ys, xs = np.nonzero(ink)
    if len(xs) == 0:
        return LineInput(canvas, Transform((-LINE_MARGIN, 0)))
    crop = ink[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
    height, width = crop.shape
    factor = min(LINE_INK_HEIGHT / height, (LINE_WIDTH - 2 * LINE_MARGIN) / width)
    box = _resized(crop, factor)
    top = (LINE_HEIGHT - box.shape[0]) // 2
    canvas[top : top + box.shape[0], LINE_MARGIN : LINE_MARGIN + box.shape[1]] = _brightened(box)
    return LineInput(canvas, Transform((int(xs.min()) - LINE_MARGIN / factor, 0), factor))


def _resized(crop: np.ndarray, factor: float) -> np.ndarray:
    """`crop` scaled by `factor` (area-averaged when shrinking), as float32."""
    height, width = crop.shape
    size = (max(1, round(width * factor)), max(1, round(height * factor)))
    interpolation = cv2.INTER_AREA if factor < 1 else cv2.INTER_LINEAR
    return cv2.resize(crop, size, interpolation=interpolation).astype(np.float32)


def _brightened(box: np.ndarray) -> np.ndarray:
    """`box` scaled so that its `STROKE_PERCENTILE` stroke pixel becomes 255."""
    strokes = box[box > 0]
    rank = (strokes.size - 1) * STROKE_PERCENTILE // 100  # the percentile by rank: np.percentile is slow
    brightest = float(np.partition(strokes, rank)[rank]) if strokes.size else 255.0
    return np.clip(box * (255 / max(brightest, 1.0)), 0, 255).astype(np.uint8)


def _centre_by_mass(box: np.ndarray) -> np.ndarray:
    """Place `box` (at most 20x20) on a 28x28 canvas so that its centre of mass lands at (14, 14)."""
    moments = cv2.moments(box)
    height, width = box.shape
    cx = moments["m10"] / moments["m00"] if moments["m00"] else width / 2
    cy = moments["m01"] / moments["m00"] if moments["m00"] else height / 2
    left = min(max(round(IMAGE_SIDE / 2 - cx), 0), IMAGE_SIDE - width)
    top = min(max(round(IMAGE_SIDE / 2 - cy), 0), IMAGE_SIDE - height)
    canvas = np.zeros((IMAGE_SIDE, IMAGE_SIDE), np.uint8)
    canvas[top : top + height, left : left + width] = box
    return canvas
