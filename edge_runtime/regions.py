"""Find the digits in an image and cut each into an MNIST input, read left to right.

The thresholded ink of the working copy (see `preprocess`) is split into blobs by their outer
contours; pieces of one digit (the bar of a 5, a broken stroke) are merged when they share most of their
columns; what remains is kept if it is shaped like a digit: not a speck, not a ruled line, not
much wider than tall, and not much smaller than the tallest digit in view.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from edge_runtime.preprocess import (
    MIN_INK_CONTRAST,
    MNIST_SIDE,
    InkImage,
    darkest_channel,
    ink_image,
    to_mnist,
)

MIN_HEIGHT_FRACTION = 0.04  # of the working copy's height
MIN_AREA_PIXELS = 12  # ink pixels, at working scale
MAX_ASPECT = 2.5  # width / height (a flat 0 reaches 2)
MIN_RELATIVE_HEIGHT = 0.4  # of the tallest digit in view
COLUMN_OVERLAP_TO_MERGE = 0.5  # of the narrower piece's width
MAX_GAP_TO_MERGE = 0.6  # vertical gap, of the taller piece's height
FRAGMENT_HEIGHT = 0.5  # a piece this much shorter than a digit beside it is part of it...
FRAGMENT_DISTANCE = 0.15  # ...if at most this far (of the digit's height) to its side
MAX_DIGITS = 8

Box = tuple[int, int, int, int]  # x, y, width, height


@dataclass(frozen=True)
class DigitCrop:
    """One digit found in an image: where it is (original pixels) and the 28x28 input it gives."""

    box: Box
    pixels: np.ndarray  # uint8 (28, 28), white on black


def extract_digits(
    image: np.ndarray, threshold: int | None = None, roi: Box | None = None
) -> list[DigitCrop]:
    """The digits of a BGR or grey image, left to right (empty when there is none).

    A 28x28 image is taken as already in the MNIST contract: it passes through unchanged
    (inverted first if it is dark on light). `roi` limits the search to a rectangle.
    """
    if roi is not None:
        image = crop_roi(image, roi)
    if image.shape[:2] == (MNIST_SIDE, MNIST_SIDE):
        digits = _mnist_passthrough(darkest_channel(image))
    else:
        digits = find_digits(ink_image(image, threshold))
    if roi is not None:
        digits = [DigitCrop(_offset(d.box, roi), d.pixels) for d in digits]
    return digits


def find_digits(ink: InkImage) -> list[DigitCrop]:
    """The digits of an ink image, left to right, each cut into its 28x28 MNIST input."""
    return [_crop(ink, contours, box) for contours, box in _digit_contours(ink)]


def crop_roi(image: np.ndarray, roi: Box) -> np.ndarray:
    """The part of `image` inside `roi` (clipped to the image)."""
    x, y, w, h = roi
    return image[max(y, 0) : max(y + h, 0), max(x, 0) : max(x + w, 0)]


def _offset(box: Box, roi: Box) -> Box:
    return (box[0] + max(roi[0], 0), box[1] + max(roi[1], 0), box[2], box[3])


def _mnist_passthrough(image: np.ndarray) -> list[DigitCrop]:
    """MNIST images keep a 4-pixel empty frame around the 20x20 digit: a light frame means dark ink."""
    frame = np.concatenate(
        [image[:2].ravel(), image[-2:].ravel(), image[:, :2].ravel(), image[:, -2:].ravel()]
    )
    pixels = cv2.bitwise_not(image) if frame.mean() > 127 else image
    if int(pixels.max()) - int(pixels.min()) < MIN_INK_CONTRAST:
        return []
    return [DigitCrop((0, 0, MNIST_SIDE, MNIST_SIDE), pixels.copy())]


def _digit_contours(ink: InkImage) -> list[tuple[list[np.ndarray], Box]]:
    """(outer contours, box at working scale) of each digit-shaped group of ink blobs, left to right."""
    _, binary = cv2.threshold(ink.ink, ink.threshold, 255, cv2.THRESH_BINARY)
    contours, _ = cv2.findContours(binary, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    pieces = [(c, cv2.boundingRect(c)) for c in contours if cv2.contourArea(c) >= MIN_AREA_PIXELS]
    height, width = binary.shape
    groups = [g for g in _merge_overlapping_columns(pieces) if _digit_shaped(g[1], width, height)]
    if groups:
        tallest = max(box[3] for _, box in groups)
        groups = [g for g in groups if g[1][3] >= MIN_RELATIVE_HEIGHT * tallest]
    groups = sorted(groups, key=lambda g: g[1][2] * g[1][3], reverse=True)[:MAX_DIGITS]
    return sorted(groups, key=lambda g: g[1][0])


def _merge_overlapping_columns(
    pieces: list[tuple[np.ndarray, Box]],
) -> list[tuple[list[np.ndarray], Box]]:
    """Group blobs that share most of the narrower one's columns and nearly touch vertically."""
    groups: list[tuple[list[np.ndarray], Box]] = []
    for contour, box in sorted(pieces, key=lambda p: p[1][2] * p[1][3], reverse=True):
        for i, (members, group_box) in enumerate(groups):
            if _same_digit(box, group_box):
                groups[i] = (members + [contour], _union(box, group_box))
                break
        else:
            groups.append(([contour], box))
    return groups


def _same_digit(piece: Box, group: Box) -> bool:
    """Stacked parts sharing columns (a broken 5), or a small stroke right beside the group (a 5's bar)."""
    column_overlap = min(piece[0] + piece[2], group[0] + group[2]) - max(piece[0], group[0])
    row_gap = max(piece[1], group[1]) - min(piece[1] + piece[3], group[1] + group[3])
    taller = max(piece[3], group[3])
    if (
        column_overlap >= COLUMN_OVERLAP_TO_MERGE * min(piece[2], group[2])
        and row_gap <= MAX_GAP_TO_MERGE * taller
    ):
        return True
    fragment = piece[3] < FRAGMENT_HEIGHT * group[3]
    return fragment and row_gap <= 0 and -column_overlap <= FRAGMENT_DISTANCE * group[3]


def _union(a: Box, b: Box) -> Box:
    x0, y0 = min(a[0], b[0]), min(a[1], b[1])
    x1, y1 = max(a[0] + a[2], b[0] + b[2]), max(a[1] + a[3], b[1] + b[3])
    return (x0, y0, x1 - x0, y1 - y0)


def _digit_shaped(box: Box, width: int, height: int) -> bool:
    """Tall enough, not too wide, and not spanning the whole image (a line, the paper's edge)."""
    x, y, w, h = box
    spans = (y == 0 and h >= height) or (x == 0 and w >= width)
    return h >= MIN_HEIGHT_FRACTION * height and w <= MAX_ASPECT * h and not spans


def _crop(ink: InkImage, contours: list[np.ndarray], box: Box) -> DigitCrop:
    """The MNIST input of one digit: the ink inside its outlines (plus a pixel of soft edge)."""
    x, y, w, h = box
    x0, y0 = max(x - 1, 0), max(y - 1, 0)
    region = ink.ink[y0 : y + h + 1, x0 : x + w + 1]
    mask = np.zeros(region.shape, np.uint8)
    cv2.drawContours(mask, contours, -1, 255, thickness=cv2.FILLED, offset=(-x0, -y0))
    mask = cv2.dilate(mask, np.ones((3, 3), np.uint8))
    digit = cv2.subtract(cv2.bitwise_and(region, mask), ink.threshold // 2)
    original = tuple(round(v / ink.scale) for v in box)
    return DigitCrop(original, to_mnist(digit))
