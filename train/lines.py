"""Generated training lines for the line reader: groups of touching MNIST digits, and ink that is no number.

A line is 1 to `LINE_MAX_DIGITS` training digits set side by side so that neighbours touch, overlap
a little or nearly touch (`LINE_OVERLAP`), drawn with varied stroke weight, slant and blur, then cut
as the runtime cuts a group: thresholded at a random ink level and passed through the runtime's own
`to_line`. A share of lines (`NEGATIVE_SHARE`) is letters, words, scribbles, doodles and textures,
labelled with no digit at all, so that the reader reads nothing where there is no number.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np

from edge_runtime.reading.inputs import to_line
from edge_runtime.samples import ink_crop
from ground.contract import LINE_MAX_DIGITS, LINE_SHAPE
from train.negatives import (
    LETTERS,
    _slant,
    _touching,
    doodle,
    font_files,
    render_text,
    scribble,
    texture,
)

LINE_OVERLAP = (-0.1, 0.3)  # of two neighbours' mean width: below 0 a small gap, above it an overlap
LENGTH_WEIGHTS = (0.1, 0.25, 0.2, 0.17, 0.15, 0.13)  # of lines of 1..6 digits
NEGATIVE_SHARE = 0.3
INK_LEVEL = (50, 150)  # the threshold a line is cut at (as `negatives.photographed_digits`)
BLUR_SHARE = 0.3
NEGATIVE_SHAPES = (scribble, doodle, texture)


def training_lines(
    count: int,
    digits: np.ndarray,
    labels: np.ndarray,
    seed: int | Sequence[int] = 0,
    fonts: Sequence[Path] | None = None,
) -> tuple[np.ndarray, list[str]]:
    """`count` reader inputs (`LINE_SHAPE` uint8) and the digits each shows ("" for none)."""
    rng = np.random.default_rng(seed)
    fonts = font_files() if fonts is None else list(fonts)
    images = np.zeros((count, *LINE_SHAPE), np.uint8)
    texts = []
    for i in range(count):
        if rng.random() < NEGATIVE_SHARE:
            canvas, text = _negative_line(rng, digits, fonts), ""
        else:
            length = 1 + int(rng.choice(LINE_MAX_DIGITS, p=LENGTH_WEIGHTS))
            chosen = rng.integers(len(digits), size=length)
            canvas, _ = _touching([ink_crop(digits[j]) for j in chosen], rng, LINE_OVERLAP, _mean)
            text = "".join(str(int(labels[j])) for j in chosen)
        images[i] = to_line(_as_cut(canvas, rng)).pixels
        texts.append(text)
    return images, texts


def _negative_line(rng: np.random.Generator, digits: np.ndarray, fonts: Sequence[Path]) -> np.ndarray:
    """Letters or a word, or one to three scribbles, doodles or textures side by side."""
    if rng.random() < 0.6:
        letters = rng.integers(len(LETTERS), size=int(rng.integers(1, 7)))
        return render_text("".join(LETTERS[int(j)] for j in letters), rng, fonts)
    shapes = [
        ink_crop(NEGATIVE_SHAPES[int(rng.integers(len(NEGATIVE_SHAPES)))](rng, digits, fonts))
        for _ in range(int(rng.integers(1, 4)))
    ]
    canvas, _ = _touching(shapes, rng, LINE_OVERLAP, _mean)
    return canvas


def _mean(width: int, other: int) -> float:
    """Two neighbours' mean width: what their overlap is measured against (a narrow 1 beside a wide
    8 sinks further into it than the 1's own width would allow, as in tightly written numbers)."""
    return (width + other) / 2


def _as_cut(canvas: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The canvas as the runtime sees a group: slanted, blurred or not, cut at a random ink level."""
    ink = _slant(canvas, rng, max_shear=0.2)
    if rng.random() < BLUR_SHARE:
        ink = cv2.GaussianBlur(ink, (0, 0), rng.uniform(0.5, 1.5))
    level = int(rng.integers(*INK_LEVEL))
    mask = cv2.dilate((ink > level).astype(np.uint8), np.ones((3, 3), np.uint8))
    return np.where(mask > 0, np.clip(ink.astype(np.int16) - level // 2, 0, 255), 0).astype(np.uint8)
