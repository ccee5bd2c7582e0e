"""What a person writes between the digits of a line: `.` `,` `:` `-` `/`, or a space between groups.

The digits of one line are read as they are; then the ink between two neighbours (the working copy's
thresholded ink, the same that `regions.find_groups` split into groups) is looked at for marks too
small or too thin to have been read as digits. Their size and place against the two digits' rows
say which separator they are: a dot on the baseline is a full stop, one that reaches below it a comma,
two dots stacked a colon, a flat bar at middle height a hyphen, a tall thin slanted stroke a slash. No
mark but a blank much wider than the line's other blanks is a space. Sizes are shares of the two
digits' mean height (`h`); the values were chosen on printed prices, dates, times and phone numbers
drawn by `tests/test_separators.py` (DejaVu, Liberation, FreeFont and URW fonts, 40-120 px digits,
photographed by `samples.paper_photo`), where the digits themselves read right.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from edge_runtime.regions import Box

BAND = (-0.3, 1.4)  # rows searched for marks, of h from the digits' top (a comma descends below them)
MIN_MARK_AREA = 0.004  # of h²: specks smaller than this are noise
DOT_SIZE = 0.4  # of h: a dot is at most this wide and tall...
DOT_LOW = 0.6  # ...and a full stop's or comma's middle lies below this share of the height
COMMA_SIZE = 0.5  # of h: a comma is at most this tall...
COMMA_DROP = 0.05  # ...and reaches this far below the digits' baseline, or is this much taller than wide:
COMMA_ELONGATION = 1.35
COLON_MIDDLE = 0.5  # a colon's upper dot's middle lies above this share of the height, the lower's below
COLON_FILL = 0.5  # a colon's dots fill at least this share of their boxes...
COLON_ASPECT = 2.0  # ...are at most this much wider than tall or taller than wide...
COLON_SIZES = 2.5  # ...and one holds at most this many times the other's ink
BAR_ASPECT = 1.3  # a hyphen is this many times wider than tall...
BAR_HEIGHT = 0.35  # ...at most this tall, of h...
BAR_WIDTH = 1.2  # ...at most this wide...
BAR_BAND = (0.3, 0.75)  # ...with its middle in this band of the height
SLASH_HEIGHT = 0.6  # a slash is at least this tall, of h...
SLASH_WIDTH = 0.8  # ...at most this wide
SPACE_GAP = 2.0  # a blank this many times the line's median blank between digits is a space...
MIN_SPACE = 0.28  # ...if at least this wide (of h), and the pitch this many times the median pitch...
SPACE_PITCH = 1.2
LONE_SPACE = 0.9  # ...or this wide, in a line of two digits (no other blank to compare)


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

    def moved(self, dx: int, dy: int) -> Written:
        """The same, its boxes moved by (dx, dy) (from a region of interest to the whole frame)."""
        groups = [DigitGroup(g.digits, (g.box[0] + dx, g.box[1] + dy, *g.box[2:])) for g in self.groups]
        return Written(self.text, groups)


def write_lines(
    lines: Sequence[Sequence[tuple[str, Box]]], binary: np.ndarray | None, scale: float
) -> Written:
    """The text of `lines` of (digit, box) pairs in reading order, with the separators found between
    neighbours in `binary` (the working copy's ink, `scale` working pixels per original pixel; None:
    no separators looked for). Lines are joined by a space."""
    parts: list[str] = []
    groups: list[DigitGroup] = []
    for line in lines:
        if not line:
            continue
        seps = _line_separators(line, binary, scale) if binary is not None else [""] * (len(line) - 1)
        start = 0
        for index, sep in enumerate([*seps, " "]):
            if sep:
                run = line[start : index + 1]
                groups.append(DigitGroup("".join(d for d, _ in run), _union([b for _, b in run])))
                start = index + 1
        text = line[0][0] + "".join(sep + digit for sep, (digit, _) in zip(seps, line[1:], strict=True))
        parts.append(text)
    return Written(" ".join(parts) or None, groups)


def _line_separators(line: Sequence[tuple[str, Box]], binary: np.ndarray, scale: float) -> list[str]:
    """The separator between each two neighbours of a line ("" for none)."""
    boxes = [box for _, box in line]
    gaps = [b[0] - (a[0] + a[2]) for a, b in zip(boxes, boxes[1:], strict=False)]
    pitches = [(b[0] + b[2] / 2) - (a[0] + a[2] / 2) for a, b in zip(boxes, boxes[1:], strict=False)]
    usual = (float(np.median(gaps)), float(np.median(pitches))) if len(gaps) > 1 else None
    separators = []
    for a, b, gap, pitch in zip(boxes, boxes[1:], gaps, pitches, strict=False):
        height = (a[3] + b[3]) / 2
        mark = _mark(_marks_between(binary, scale, a, b), (a[1] + b[1]) / 2, height) if gap > 0 else ""
        separators.append(mark or (" " if gap > 0 and _is_space(gap, pitch, height, usual) else ""))
    return separators


def _is_space(gap: float, pitch: float, height: float, usual: tuple[float, float] | None) -> bool:
    """A blank between two digits is a space when it is wide, and wider than the line's usual blank
    and pitch (centre to centre) by `SPACE_GAP` and `SPACE_PITCH`: the pitch keeps a narrow 1, set
    in a digit's full width, from opening a space beside it. `usual`: the line's median blank and
    pitch (None in a line of two digits)."""
    if usual is None:
        return gap >= LONE_SPACE * height
    return gap >= MIN_SPACE * height and gap >= SPACE_GAP * usual[0] and pitch >= SPACE_PITCH * usual[1]


def _marks_between(binary: np.ndarray, scale: float, a: Box, b: Box) -> list[Box]:
    """The ink components in the rows `BAND` spans whose middle lies between boxes `a` and `b`
    (original pixels), as boxes in original pixels, less specks. The digits are in the window too, so
    that their own ink is one with them, not a mark beside them."""
    height, top = (a[3] + b[3]) / 2, (a[1] + b[1]) / 2
    x0, x1 = max(int(a[0] * scale), 0), min(int(np.ceil((b[0] + b[2]) * scale)), binary.shape[1])
    y0 = max(int((top + BAND[0] * height) * scale), 0)
    y1 = min(int(np.ceil((top + BAND[1] * height) * scale)), binary.shape[0])
    if x1 - x0 < 1 or y1 - y0 < 1:
        return []
    count, _, stats, centres = cv2.connectedComponentsWithStats(binary[y0:y1, x0:x1], connectivity=8)
    left, right = (a[0] + a[2]) * scale - x0, b[0] * scale - x0
    marks = []
    for (x, y, w, h, area), (cx, _) in zip(stats[1:count], centres[1:count], strict=True):
        between = left - 1 <= cx <= right + 1 and y > 0 and y + h < y1 - y0  # not in another line
        if between and area >= MIN_MARK_AREA * (height * scale) ** 2:
            marks.append(((x0 + x) / scale, (y0 + y) / scale, w / scale, h / scale))
    return marks


def _mark(marks: list[Box], top: float, height: float) -> str:
    """Which separator `marks` are, between digits whose rows start at `top` and are `height` tall."""
    shapes = [((x, (y - top) / height, w / height, h / height)) for x, y, w, h in marks]
    if len(shapes) == 2:
        (_, ya, wa, ha), (_, yb, wb, hb) = sorted(shapes, key=lambda s: s[1])
        dots = all(w <= DOT_SIZE and h <= DOT_SIZE for _, _, w, h in shapes)
        if dots and ya + ha / 2 < COLON_MIDDLE < yb + hb / 2:
            return ":"
    if len(shapes) != 1:
        return ""
    _, y, w, h = shapes[0]
    middle, bottom = y + h / 2, y + h
    if w >= BAR_ASPECT * h:
        return "-" if h <= BAR_HEIGHT and w <= BAR_WIDTH and BAR_BAND[0] <= middle <= BAR_BAND[1] else ""
    if w <= DOT_SIZE and h <= COMMA_SIZE and middle >= DOT_LOW:
        if bottom >= 1 + COMMA_DROP or h >= COMMA_ELONGATION * w:
            return ","
        return "." if h <= DOT_SIZE else ""
    if h >= SLASH_HEIGHT and w <= SLASH_WIDTH:
        return "/"
    return ""


def looks_like_a_colon(pixels: np.ndarray) -> bool:
    """True for a model input (28x28) of two filled dots of about one size, one above the other: a
    colon, which `regions` may join into one group when its dots are close. Beside digits it is a
    separator, not an unreadable digit."""
    count, _, stats, _ = cv2.connectedComponentsWithStats((pixels > 0).astype(np.uint8), connectivity=8)
    if count != 3:
        return False
    (ax, ay, aw, ah, aa), (bx, by, bw, bh, ba) = sorted(stats[1:].tolist(), key=lambda s: s[1])
    filled = all(area >= COLON_FILL * w * h for _, _, w, h, area in (stats[1], stats[2]))
    compact = all(1 / COLON_ASPECT <= w / h <= COLON_ASPECT for w, h in ((aw, ah), (bw, bh)))
    stacked = by >= ay + ah and min(ax + aw, bx + bw) - max(ax, bx) >= 0.5 * min(aw, bw)
    return filled and compact and stacked and max(aa, ba) <= COLON_SIZES * min(aa, ba)


def _union(boxes: Sequence[Box]) -> Box:
    x0, y0 = min(b[0] for b in boxes), min(b[1] for b in boxes)
    x1, y1 = max(b[0] + b[2] for b in boxes), max(b[1] + b[3] for b in boxes)
    return (x0, y0, x1 - x0, y1 - y0)
