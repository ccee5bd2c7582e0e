"""Seven-segment digits for `find`: the separate bars of a display's digit gathered into one group.

An LCD or LED digit is up to seven bars with gaps between them, so its blobs are bars, not strokes:
the top, middle and bottom bars share their columns but lie far apart for their height, and the
side bars lie beside them. Bars (`segment_bar_aspect` long for their thickness, measured on their
rotated rectangle: a display's slant leaves them bars) that come within `segment_reach` of the
longer one's length of each other are linked; a linked set is one digit when it holds at least
`segment_min_bars` bars, across and upright, each upright one at most `segment_max_upright` of the
set's height (a display's side bars are half a digit tall: a handwritten 1 beside a hyphen is a
whole digit tall, and stays alone). The gap between two digits of a display is wider than the gaps
inside one. (The values named here are `policy.FindPolicy`'s.)
"""

from __future__ import annotations

import cv2
import numpy as np

from edge_runtime.reading.geometry import Box, union
from edge_runtime.reading.policy import DEFAULT, FindPolicy

Piece = tuple[np.ndarray, Box]  # a blob's outer contour and its box


def segment_digits(
    pieces: list[Piece], policy: FindPolicy = DEFAULT.find
) -> tuple[list[tuple[list[np.ndarray], Box]], list[Piece]]:
    """The seven-segment digits among `pieces` (their contours, their box), and the other pieces."""
    bars = [i for i, (contour, _) in enumerate(pieces) if _bar_length(contour, policy) > 0]
    if len(bars) < policy.segment_min_bars:
        return [], pieces
    lengths = {i: _bar_length(pieces[i][0], policy) for i in bars}
    points = {i: pieces[i][0].reshape(-1, 2).astype(np.float32) for i in bars}
    linked = {i: {i} for i in bars}
    for n, i in enumerate(bars):
        for j in bars[n + 1 :]:
            if _near(pieces[i][1], pieces[j][1], points[i], points[j], max(lengths[i], lengths[j]), policy):
                joined = linked[i] | linked[j]
                for k in joined:
                    linked[k] = joined
    digits, used = [], set()
    for members in {id(s): s for s in linked.values()}.values():
        boxes = [pieces[i][1] for i in members]
        if _is_a_digit(boxes, policy):
            digits.append(([pieces[i][0] for i in sorted(members)], union(boxes)))
            used |= members
    return digits, [p for i, p in enumerate(pieces) if i not in used]


def _bar_length(contour: np.ndarray, policy: FindPolicy) -> float:
    """The long side of the contour's rotated rectangle when it is a bar, else 0."""
    (_, _), (a, b), _ = cv2.minAreaRect(contour)
    long, short = max(a, b), min(a, b)
    return long if long >= policy.segment_bar_aspect * max(short, 1.0) else 0.0


def _near(a: Box, b: Box, points_a: np.ndarray, points_b: np.ndarray, length: float, policy: FindPolicy) -> bool:
    """True when two bars come within `segment_reach` of `length` of each other (their outlines' corners)."""
    reach = policy.segment_reach * length
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    if bx - (ax + aw) > reach or ax - (bx + bw) > reach or by - (ay + ah) > reach or ay - (by + bh) > reach:
        return False
    gaps = points_a[:, None, :] - points_b[None, :, :]
    return float(np.min(np.einsum("ijk,ijk->ij", gaps, gaps))) <= reach * reach


def _is_a_digit(boxes: list[Box], policy: FindPolicy) -> bool:
    """Enough bars, across and upright, the upright ones at most `segment_max_upright` of the height."""
    if len(boxes) < policy.segment_min_bars:
        return False
    height = union(boxes)[3]
    upright = [h for _, _, w, h in boxes if h > w]
    across = len(boxes) - len(upright)
    return across >= 1 and bool(upright) and max(upright) <= policy.segment_max_upright * height
