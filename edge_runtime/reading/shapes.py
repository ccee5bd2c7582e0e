"""Drawn shapes that the digit model reads as digits: a plus sign (read as a 4), a triangle's outline
(read as a 0), a window's or bezel's rim (read as a 0 or a 2), a frame's corner (a 7) and an H (a
4), told apart by their geometry in the model input (28x28).

A plus is two straight bars crossing amid each other: near its top and bottom each row holds one short
run of ink (the upright bar), near its left and right each column one (the bar across), a straight
line fitted through each set of runs' middles, and all but a trace of the ink lies on those two lines;
its box is about square. A handwritten 4's raised stroke lies off both lines (and a 4 that is one
upright and a crossbar is narrow). A triangle is one closed stroke round one hole, each outline with
three corners; a handwritten 0 is round. A rim's ink runs along three sides of its box or all four (a
glare band can cut the fourth); no digit's does but a 1's, which fills its box. A frame's corner
(a blank plate's inner outline cut off, read as a wide 7) runs along two sides that meet: of the
70,000 MNIST digits at least 0.9 of their height wide, 14 (7s) do, and no digit printed in the
installed fonts. An H's ink runs down both sides of its box; a 4's left stroke stops at its bar: of
the 6,824 MNIST 4s none runs down both outer quarters of its width over 0.95 of its height, of the
4s printed in the 97 installed fonts one (a fallback font's box), of their Hs 79.
"""

from __future__ import annotations

import cv2
import numpy as np

from edge_runtime.reading.groups import input_ink
from edge_runtime.reading.policy import DecidePolicy


def a_plus(pixels: np.ndarray, policy: DecidePolicy) -> bool:
    """True for a model input drawn as a plus sign (see the module docstring)."""
    ink = _boxed_ink(pixels)
    if ink is None:
        return False
    height, width = ink.shape
    if min(height, width) < policy.plus_aspect * max(height, width):
        return False
    upright, across = _bar(ink, policy), _bar(ink.T, policy)
    if upright is None or across is None:
        return False
    ys, xs = np.nonzero(ink)
    off_upright = _distance(xs, ys, upright) > upright[2] + policy.plus_margin
    off_across = _distance(ys, xs, across) > across[2] + policy.plus_margin
    return float(np.mean(off_upright & off_across)) <= policy.plus_stray


def _bar(ink: np.ndarray, policy: DecidePolicy) -> tuple[float, float, float] | None:
    """The upright bar of `ink` (a plus's box) as (slope, offset, half width) of the line x = slope * y
    + offset through the middles of its rows' runs near the top and the bottom, each row `plus_arm` of
    the height from an end holding one run of ink at most `plus_bar` of the width; None when one does
    not."""
    height, width = ink.shape
    arm = max(1, round(policy.plus_arm * height))
    ends = np.r_[0:arm, height - arm : height]
    band = ink[ends].astype(np.int8)
    edges = np.diff(np.pad(band, ((0, 0), (1, 1))), axis=1)
    if np.any(np.count_nonzero(edges == 1, axis=1) != 1):
        return None
    starts, stops = np.argmax(edges == 1, axis=1), np.argmax(edges == -1, axis=1)
    if np.any(stops - starts > policy.plus_bar * width):
        return None
    slope, offset = np.polyfit(ends, (starts + stops - 1) / 2, 1)
    return float(slope), float(offset), float(np.max(stops - starts)) / 2


def _distance(along: np.ndarray, down: np.ndarray, line: tuple[float, float, float]) -> np.ndarray:
    """Each point's distance from the line `along` = slope * `down` + offset."""
    slope, offset, _ = line
    return np.abs(along - (slope * down + offset)) / np.hypot(1.0, slope)


def a_triangle(pixels: np.ndarray, policy: DecidePolicy) -> bool:
    """True for a model input drawn as a triangle's outline: one stroke round one hole, both outlines
    with three corners (`triangle_corners` of their length: Douglas-Peucker's tolerance)."""
    contours, hierarchy = cv2.findContours(input_ink(pixels), cv2.RETR_CCOMP, cv2.CHAIN_APPROX_NONE)
    if hierarchy is None or len(contours) != 2 or np.count_nonzero(hierarchy[0][:, 3] >= 0) != 1:
        return False  # not one outline round one hole (a contour with a parent)
    return all(
        len(cv2.approxPolyDP(c, policy.triangle_corners * cv2.arcLength(c, True), True)) == 3
        for c in contours
    )


def a_rim(pixels: np.ndarray, policy: DecidePolicy) -> bool:
    """True for a model input whose ink runs along three sides of its box or four: on each, within
    `rim_band` pixels of it, over `rim_side` of its length at least (see the module docstring)."""
    top, bottom, left, right = _inked_sides(pixels, policy)
    return top + bottom + left + right >= 3


def a_corner(pixels: np.ndarray, policy: DecidePolicy) -> bool:
    """True for a model input whose ink runs along two sides of its box that meet (as `a_rim`'s)."""
    top, bottom, left, right = _inked_sides(pixels, policy)
    return (top or bottom) and (left or right)


def an_h(pixels: np.ndarray, policy: DecidePolicy) -> bool:
    """True for a model input whose ink, in the outer `h_band` of its box's width on either side, runs
    down `h_side` of its height at least on both: an H (a 4's left stroke stops at its bar)."""
    ink = _boxed_ink(pixels)
    if ink is None:
        return False
    band = max(1, round(policy.h_band * ink.shape[1]))
    return min(float(ink[:, :band].any(1).mean()), float(ink[:, -band:].any(1).mean())) >= policy.h_side


def _inked_sides(pixels: np.ndarray, policy: DecidePolicy) -> tuple[bool, bool, bool, bool]:
    """Whether the ink runs along the top, bottom, left and right of its box: within `rim_band` pixels
    of it, over `rim_side` of its length at least."""
    ink = _boxed_ink(pixels)
    if ink is None:
        return False, False, False, False
    band = policy.rim_band
    sides = (ink[:band].any(0), ink[-band:].any(0), ink[:, :band].any(1), ink[:, -band:].any(1))
    top, bottom, left, right = (float(side.mean()) >= policy.rim_side for side in sides)
    return top, bottom, left, right


def _boxed_ink(pixels: np.ndarray) -> np.ndarray | None:
    """A model input's ink (True) cut to its box; None when it holds none."""
    ink = input_ink(pixels) > 0
    rows, columns = np.nonzero(ink)
    if rows.size == 0:
        return None
    return ink[rows.min() : rows.max() + 1, columns.min() : columns.max() + 1]
