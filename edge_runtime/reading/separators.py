"""Stage 6 of reading, separators: what a person writes between the digits of a line, `.` `,` `:`
`-` `/`, or a space between groups.

The digits of one line are read as they are; then the ink between two neighbours (the working copy's
thresholded ink, the same that `find.find_groups` split into groups) is looked at for marks too
small or too thin to have been read as digits. Their size and place against the two digits' rows say
which separator they are: a dot on the baseline is a full stop, one that reaches below it or is
taller than wide a comma, two dots stacked a colon, a flat bar at middle height a hyphen, a tall
thin slanted stroke a slash. Where no mark lies between them, one small dot low under the right half
of the first digit is a full stop too: a slanted display's point, which that digit's top overhangs.
No mark but a blank much wider than the line's other blanks is a space. Sizes are shares of the two
digits' mean height (`h`); the values were chosen on printed prices, dates, times and phone numbers
drawn by `tests/test_separators.py` (DejaVu, Liberation, FreeFont and URW fonts, 40-120 px digits,
photographed by `samples.paper_photo`), where the digits themselves read right. (The values named
here are `policy.MarkPolicy`'s.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from edge_runtime.reading.geometry import IDENTITY, Box, Transform, union
from edge_runtime.reading.policy import DEFAULT, MarkPolicy


@dataclass(frozen=True)
class DigitGroup:
    """A run of digits with nothing between them but their own blanks, and where it is."""

    digits: str
    box: Box

    def to_json(self) -> dict:
        """A JSON-ready dict."""
        return {"digits": self.digits, "box": list(self.box)}


@dataclass(frozen=True)
class Written:
    """A reading as a person would write it (`text`) and its runs of digits (`groups`)."""

    text: str | None
    groups: list[DigitGroup]

    def moved(self, to_frame: Transform) -> Written:
        """The same, its boxes mapped by `to_frame` (from a region of interest to the whole frame)."""
        return Written(self.text, [DigitGroup(g.digits, to_frame.pixel_box(g.box)) for g in self.groups])


def write_lines(
    lines: Sequence[Sequence[tuple[str, Box]]],
    binary: np.ndarray | None,
    to_image: Transform = IDENTITY,
    policy: MarkPolicy = DEFAULT.marks,
) -> Written:
    """The text of `lines` of (digit, box) pairs in reading order, with the separators found between
    neighbours in `binary` (the working copy's ink, mapped to the boxes' image by `to_image`; None:
    no separators looked for). Lines are joined by a space."""
    parts: list[str] = []
    groups: list[DigitGroup] = []
    for line in lines:
        if not line:
            continue
        seps = (
            _line_separators(line, binary, to_image, policy) if binary is not None else [""] * (len(line) - 1)
        )
        start = 0
        for index, sep in enumerate([*seps, " "]):
            if sep:
                run = line[start : index + 1]
                groups.append(DigitGroup("".join(d for d, _ in run), union([b for _, b in run])))
                start = index + 1
        text = line[0][0] + "".join(sep + digit for sep, (digit, _) in zip(seps, line[1:], strict=True))
        parts.append(text)
    return Written(" ".join(parts) or None, groups)


def _line_separators(
    line: Sequence[tuple[str, Box]], binary: np.ndarray, to_image: Transform, policy: MarkPolicy
) -> list[str]:
    """The separator between each two neighbours of a line ("" for none)."""
    boxes = [box for _, box in line]
    gaps = [b[0] - (a[0] + a[2]) for a, b in zip(boxes, boxes[1:], strict=False)]
    pitches = [_pitch(a, b) for a, b in zip(boxes, boxes[1:], strict=False)]
    usual = (float(np.median(gaps)), float(np.median(pitches))) if len(gaps) > 1 else None
    separators = []
    for a, b, gap, pitch in zip(boxes, boxes[1:], gaps, pitches, strict=False):
        height = (a[3] + b[3]) / 2
        found = _window_marks(binary, to_image, a, b, policy) if gap > 0 else []
        marks = [box for box, where in found if where == "between"] or _point_under(found, a, b, policy)
        mark = _mark(marks, (a[1] + b[1]) / 2, height, policy) if gap > 0 else ""
        space = gap > 0 and _is_space(gap, pitch, height, usual, policy)
        separators.append(mark or (" " if space else ""))
    return separators


def _pitch(a: Box, b: Box) -> float:
    """How far box `b` stands from `a`: centre to centre, or right edge to right edge when that is
    less (a seven-segment display's 1 is lit at its cell's right, its centre half a digit further)."""
    return min((b[0] + b[2] / 2) - (a[0] + a[2] / 2), (b[0] + b[2]) - (a[0] + a[2]))


def _is_space(
    gap: float, pitch: float, height: float, usual: tuple[float, float] | None, policy: MarkPolicy
) -> bool:
    """A blank between two digits is a space when it is wide, and wider than the line's usual blank
    and pitch (centre to centre) by `space_gap` and `space_pitch`: the pitch keeps a narrow 1, set
    in a digit's full width, from opening a space beside it. `usual`: the line's median blank and
    pitch (None in a line of two digits)."""
    if usual is None:
        return gap >= policy.lone_space * height
    return (
        gap >= policy.min_space * height
        and gap >= policy.space_gap * usual[0]
        and pitch >= policy.space_pitch * usual[1]
    )


def _point_under(found: list[tuple[Box, str]], a: Box, b: Box, policy: MarkPolicy) -> list[Box]:
    """The one mark of `found` (`_window_marks`) whose middle lies under the right half of box `a`,
    at most `point_size` of the digits' height each way, its middle `point_low` of it below their top:
    a slanted display's decimal point, set under its digit's right side, which its box (as wide as
    the digit's top) overhangs. None when there are two such."""
    height, top = (a[3] + b[3]) / 2, (a[1] + b[1]) / 2
    points = [
        (x, y, w, h)
        for (x, y, w, h), where in found
        if where == "under"
        and max(w, h) <= policy.point_size * height
        and y + h / 2 - top >= policy.point_low * height
    ]
    return points if len(points) == 1 else []


def _window_marks(
    binary: np.ndarray, to_image: Transform, a: Box, b: Box, policy: MarkPolicy
) -> list[tuple[Box, str]]:
    """The ink components in the rows `band` spans from box `a` to box `b` (image pixels), less
    specks and those wholly above both boxes' tops, each as its box in image pixels and where its
    middle lies: "between" the boxes (a mark between the digits) or "under" the right half of `a`
    (the others are left out). The digits are in the window too, so that their own ink is one with
    them, not a mark beside them."""
    height, top = (a[3] + b[3]) / 2, (a[1] + b[1]) / 2
    left, upper = to_image.inner_point(a[0], top + policy.band[0] * height)
    right, lower = to_image.inner_point(b[0] + b[2], top + policy.band[1] * height)
    x0, x1 = max(int(left), 0), min(int(np.ceil(right)), binary.shape[1])
    y0, y1 = max(int(upper), 0), min(int(np.ceil(lower)), binary.shape[0])
    if x1 - x0 < 1 or y1 - y0 < 1:
        return []
    count, _, stats, centres = cv2.connectedComponentsWithStats(binary[y0:y1, x0:x1], connectivity=8)
    a_middle = to_image.inner_point(a[0] + a[2] / 2, 0)[0] - x0
    gap_start = to_image.inner_point(a[0] + a[2], 0)[0] - x0
    gap_stop = to_image.inner_point(b[0], 0)[0] - x0
    least = policy.min_mark_area * (height * to_image.scale) ** 2
    lower_top = max(a[1], b[1])
    marks = []
    for (x, y, w, h, area), (cx, _) in zip(stats[1:count], centres[1:count], strict=True):
        if area < least or y == 0 or y + h >= y1 - y0:  # a speck, or in another line
            continue
        box = to_image.box((x0 + x, y0 + y, w, h))
        if box[1] + box[3] <= lower_top:  # above both digits: a tag's edge over a digit joined to it
            continue
        if gap_start - 1 <= cx <= gap_stop + 1:
            marks.append((box, "between"))
        elif a_middle <= cx < gap_start:
            marks.append((box, "under"))
    return marks


def _mark(marks: list[Box], top: float, height: float, policy: MarkPolicy) -> str:
    """Which separator `marks` are, between digits whose rows start at `top` and are `height` tall."""
    shapes = [((x, (y - top) / height, w / height, h / height)) for x, y, w, h in marks]
    dot = policy.dot_size
    if len(shapes) == 2:
        (_, ya, wa, ha), (_, yb, wb, hb) = sorted(shapes, key=lambda s: s[1])
        dots = all(w <= dot and h <= dot for _, _, w, h in shapes)
        if dots and ya + ha / 2 < policy.colon_middle < yb + hb / 2:
            return ":"
    if len(shapes) != 1:
        return ""
    _, y, w, h = shapes[0]
    middle, bottom = y + h / 2, y + h
    if w >= policy.bar_aspect * h:
        low, high = policy.bar_band
        return "-" if h <= policy.bar_height and w <= policy.bar_width and low <= middle <= high else ""
    if w <= dot and h <= policy.comma_size and middle >= policy.dot_low:
        dropped = bottom >= 1 + policy.comma_drop and h >= policy.dropped_comma * w
        tall = h >= policy.comma_elongation * w or (h >= policy.large_comma * w and h >= policy.large_mark)
        if dropped or tall:
            return ","
        return "." if h <= dot else ""
    if h >= policy.slash_height and w <= policy.slash_width:
        return "/"
    return ""
