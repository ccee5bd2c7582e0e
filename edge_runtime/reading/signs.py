"""What decide takes out of a line of digits as printed signs, not digits: a slash the digit model read
as a 1 (06/11/2017), a comma read as a 9 (5,903), a currency sign beside a price ($5, €3.99, 3.47 €).

A slash is a "1" between two digits of its line whose ink (its 28x28 input) is one straight stroke
leaning `slash_angle` from vertical, with no flag or foot (`slash_thinness`), that either spans
past its neighbours (taller by `slash_tall`, reaching below their bottoms by `slash_drop`) or, in
fonts with a short slash, sits low (shorter than `slash_short`, its top `slash_low` below theirs).
A comma is a region between two digits of its line no taller than `comma_height` of theirs whose top
lies below both their middles: no digit of a line sits wholly in its lower half. The ink of either
stays in the working copy, so `separators` writes it ("/", ",") between the two digits.

A currency sign is the first or last region of a line: accepted as a digit (the `$` read as an 8),
when it is `currency_tall` times the line's other digits' median height and reaches above and below
them all by `currency_reach` of it (so is a tall stroke at a line's end, a page's edge or a glare band
read as a 1: no digit of the line either); or rejected, when it sits right beside the line's digits
(`currency_gap`) and is shaped so or read as what a `€` reads as (`currency_labels`, a 6). Either is
left out of the number without voiding the line. (The values named here are
`policy.DecidePolicy`'s.)
"""

from __future__ import annotations

import numpy as np

from edge_runtime.reading.geometry import Box
from edge_runtime.reading.groups import Piece
from edge_runtime.reading.policy import DEFAULT, DecidePolicy

SLASH_LABEL = 1  # the digit a slash is read as


def stroke_shape(pixels: np.ndarray) -> tuple[float, float]:
    """The ink of a model input as one stroke: its main axis's angle from vertical (degrees, 0-90) and
    its thinness (the ink's spread across that axis over its spread along it; 0 for a line)."""
    ys, xs = np.nonzero(pixels > 0)
    if len(ys) < 3:
        return 0.0, 1.0
    weights = pixels[ys, xs].astype(np.float64)
    spread = np.cov(np.stack([ys, xs]).astype(np.float64), aweights=weights)
    values, vectors = np.linalg.eigh(spread)
    along = vectors[:, 1]
    angle = float(np.degrees(np.arctan2(abs(along[1]), abs(along[0]))))
    return angle, float(np.sqrt(max(values[0], 0.0) / max(values[1], 1e-9)))


def is_slash(piece: Piece, left: Box, right: Box, policy: DecidePolicy = DEFAULT.decide) -> bool:
    """True when `piece`, between digits boxed `left` and `right`, is a slash read as a 1."""
    if piece.label != SLASH_LABEL:
        return False
    angle, thinness = stroke_shape(piece.crop.pixels)
    if not policy.slash_angle[0] <= angle <= policy.slash_angle[1] or thinness > policy.slash_thinness:
        return False
    _, y, _, h = piece.crop.box
    height = (left[3] + right[3]) / 2
    above = (min(left[1], right[1]) - y) / height
    below = (y + h - max(left[1] + left[3], right[1] + right[3])) / height
    tall = h >= policy.slash_tall * height and below >= policy.slash_drop and above >= -policy.slash_drop
    low = h <= policy.slash_short * height and above <= -policy.slash_low
    return tall or low


def is_comma(piece: Piece, left: Box, right: Box, policy: DecidePolicy = DEFAULT.decide) -> bool:
    """True when `piece`, between digits boxed `left` and `right`, is a comma read as a digit (a 9):
    at most `comma_height` of their height, its top below both their middles."""
    _, y, _, h = piece.crop.box
    low = y >= max(left[1] + left[3] / 2, right[1] + right[3] / 2)
    return low and h <= policy.comma_height * (left[3] + right[3]) / 2


def is_tall_sign(box: Box, others: list[Box], policy: DecidePolicy = DEFAULT.decide) -> bool:
    """True when `box`, at an end of a line of digits boxed `others`, is a currency sign read as a
    digit: markedly taller than their median and reaching above and below every one."""
    if len(others) < policy.currency_digits:
        return False
    _, y, _, h = box
    height = float(np.median([b[3] for b in others]))
    above = min(b[1] for b in others) - y
    below = y + h - max(b[1] + b[3] for b in others)
    reach = policy.currency_reach * height
    return h >= policy.currency_tall * height and above >= reach and below >= reach


def is_sign_beside(region: Piece, digits: list[Box], policy: DecidePolicy = DEFAULT.decide) -> bool:
    """True when a rejected `region` lies beyond every one of `digits` (the digits of its line) on one
    side, right beside the nearest (`currency_gap`: its box may overlap that digit's a little), and is
    shaped as a `$` (`is_tall_sign`) or read as what a `€` reads as (`currency_labels`): a currency
    sign before or after a price."""
    if len(digits) < policy.currency_digits:
        return False
    x, _, w, _ = box = region.crop.box
    gap = max(min(b[0] for b in digits) - (x + w), x - max(b[0] + b[2] for b in digits))
    low, high = (share * float(np.median([b[3] for b in digits])) for share in policy.currency_gap)
    near = low <= gap <= high
    return near and (region.label in policy.currency_labels or is_tall_sign(box, digits, policy))
