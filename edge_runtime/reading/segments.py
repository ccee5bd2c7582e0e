"""Seven-segment digits for `find`: the separate bars of a display's digit gathered into one group.

An LCD or LED digit is up to seven bars with gaps between them, so its blobs are bars, not strokes:
the top, middle and bottom bars share their columns but lie far apart for their height, and the side
bars lie beside them. Bars (`segment_bar_aspect` long for their thickness, measured on their rotated
rectangle: a display's slant leaves them bars) that come within `segment_reach` of the shorter one's
length of each other are linked (upright bars one above the other within `segment_stack_reach`: a
0's or a 7's sides, apart by the place of its unlit middle bar); a linked set is one digit when it
holds at least `segment_min_bars` bars and at most seven, across and upright, each upright one at
most `segment_max_upright` of the set's height (a display's side bars are half a digit tall: a
handwritten 1 beside a hyphen is a whole digit tall, and stays alone), the set no wider than
`segment_max_width` of its height; two upright bars one above the other, no wider than
`segment_one_width` of their height, are a 1. The gap between two digits of a display is wider than
the gaps inside one. A brick wall's bricks and mortar, or tiles, are bars too, linked into one large
set lying both ways: a texture, whose pieces are dropped.

Where a display's bars touch at a corner (blurred, slanted), one piece is two or three bars joined,
an L or a U: not solid in its rotated rectangle (bars fill `segment_bar_fill` of it), its stroke as
thick as the solid bars' median (`segment_joined_stroke`, when that is `segment_joined_min_stroke`
at least: no specks) and no longer than `segment_joined_span` of their median length. The pieces
left once the bars' digits are taken are linked again with these joined pieces (each as long as the
median bar, counting as two bars); a set holding one is a digit too, a whole one: no smaller piece
beside it is a fragment of it (`find`). (The values named here are `policy.FindPolicy`'s.)
"""

from __future__ import annotations

import cv2
import numpy as np

from edge_runtime.reading.geometry import Box, union
from edge_runtime.reading.policy import DEFAULT, FindPolicy

Piece = tuple[np.ndarray, Box]  # a blob's outer contour and its box


Digit = tuple[list[np.ndarray], Box]  # a digit's pieces' contours and its box
RotatedRect = tuple[tuple[float, float], tuple[float, float], float]  # cv2.minAreaRect's


def segment_digits(
    pieces: list[Piece], policy: FindPolicy = DEFAULT.find
) -> tuple[list[Digit], list[Digit], list[Piece]]:
    """The seven-segment digits among `pieces` (their contours, their box), those of them holding bars
    joined at a corner (whole digits), and the other pieces; a set of more than `segment_texture_bars`
    linked bars lying both ways is a texture (a brick wall, tiles): its pieces are none of these."""
    rects = [cv2.minAreaRect(contour) for contour, _ in pieces]
    lengths = {i: _bar_length(rect, policy) for i, rect in enumerate(rects)}
    bars = [i for i, length in lengths.items() if length > 0]
    if len(bars) < policy.segment_min_bars:
        return [], [], pieces
    digits, used = [], set()
    for members in _linked(bars, pieces, lengths, policy):
        boxes = [pieces[i][1] for i in members]
        if _is_a_digit(boxes, [False] * len(boxes), policy):
            digits.append(([pieces[i][0] for i in sorted(members)], union(boxes)))
            used |= members
        elif len(members) > policy.segment_texture_bars and _both_ways(boxes):
            used |= members  # a texture: dropped
    rest = [i for i in range(len(pieces)) if i not in used]
    joined = _joined_bars(rest, pieces, rects, bars, lengths, policy)
    whole = []
    if joined:
        lengths.update(joined)
        for members in _linked([i for i in bars if i not in used] + sorted(joined), pieces, lengths, policy):
            boxes = [pieces[i][1] for i in members]
            if members & joined.keys() and _is_a_digit(boxes, [i in joined for i in members], policy):
                whole.append(([pieces[i][0] for i in sorted(members)], union(boxes)))
                used |= members
    return digits, whole, [p for i, p in enumerate(pieces) if i not in used]


def _linked(
    bars: list[int], pieces: list[Piece], lengths: dict[int, float], policy: FindPolicy
) -> list[set[int]]:
    """The sets of `bars` linked by `_close_pairs`, each once."""
    linked = {i: {i} for i in bars}
    for i, j in _close_pairs(bars, pieces, lengths, policy):
        joined = linked[i] | linked[j]
        for k in joined:
            linked[k] = joined
    return list({id(s): s for s in linked.values()}.values())


def _joined_bars(
    candidates: list[int],
    pieces: list[Piece],
    rects: list[RotatedRect],
    bars: list[int],
    lengths: dict[int, float],
    policy: FindPolicy,
) -> dict[int, float]:
    """Those of `candidates` that are bars joined at a corner (see the module docstring), each with the
    median solid bar's length (`rects`: the pieces' rotated rectangles)."""
    solid = [i for i in bars if _solid(pieces[i][0], rects[i], policy)]
    if not solid:
        return {}
    width = float(np.median([_stroke(pieces[i][0]) for i in solid]))
    length = float(np.median([lengths[i] for i in solid]))
    if width < policy.segment_joined_min_stroke:
        return {}
    thinnest, thickest = policy.segment_joined_stroke
    return {  # the cheapest test first: a frame holds many pieces
        i: length
        for i in candidates
        if max(pieces[i][1][2:]) <= policy.segment_joined_span * length
        and thinnest * width <= _stroke(pieces[i][0]) <= thickest * width
        and not _solid(pieces[i][0], rects[i], policy)
    }


def _solid(contour: np.ndarray, rect: RotatedRect, policy: FindPolicy) -> bool:
    """True when the contour fills `segment_bar_fill` of its rotated rectangle (a bar, not an L)."""
    (_, _), (a, b), _ = rect
    return cv2.contourArea(contour) >= policy.segment_bar_fill * a * b


def _stroke(contour: np.ndarray) -> float:
    """The mean width of the contour's stroke: twice its area over its length."""
    return 2 * cv2.contourArea(contour) / max(cv2.arcLength(contour, True), 1.0)


def _close_pairs(
    bars: list[int], pieces: list[Piece], lengths: dict[int, float], policy: FindPolicy
) -> list[tuple[int, int]]:
    """The pairs of bars whose outlines come within `segment_reach` of the shorter one's length, or
    `segment_stack_reach` for two upright bars one above the other sharing `segment_stack_columns` of
    the narrower's columns (a digit's sides, apart by its middle bar's place when it is off: 0, 7):
    boxes first (all at once), then the outlines' corners of the pairs whose boxes are that close."""
    boxes = np.array([pieces[i][1] for i in bars], np.float32)
    long = np.array([lengths[i] for i in bars])
    x0, y0, x1, y1 = boxes[:, 0], boxes[:, 1], boxes[:, 0] + boxes[:, 2], boxes[:, 1] + boxes[:, 3]
    apart_x = np.maximum(x0[None, :] - x1[:, None], x0[:, None] - x1[None, :])
    apart_y = np.maximum(y0[None, :] - y1[:, None], y0[:, None] - y1[None, :])
    upright = boxes[:, 3] > boxes[:, 2]
    narrower = np.minimum.outer(boxes[:, 2], boxes[:, 2])
    stacked = np.logical_and.outer(upright, upright) & (-apart_x >= policy.segment_stack_columns * narrower)
    share = np.where(stacked, policy.segment_stack_reach, policy.segment_reach)
    reach = share * np.minimum.outer(long, long)
    near = np.triu((apart_x <= reach) & (apart_y <= reach), 1)
    pairs = []
    for a, b in zip(*np.nonzero(near), strict=True):
        i, j = bars[a], bars[b]
        gaps = pieces[i][0].reshape(-1, 1, 2) - pieces[j][0].reshape(1, -1, 2)
        if float(np.min(np.einsum("ijk,ijk->ij", gaps, gaps))) <= reach[a, b] ** 2:
            pairs.append((i, j))
    return pairs


def _bar_length(rect: RotatedRect, policy: FindPolicy) -> float:
    """The long side of a piece's rotated rectangle when it is a bar, else 0."""
    (_, _), (a, b), _ = rect
    long, short = max(a, b), min(a, b)
    return long if long >= policy.segment_bar_aspect * max(short, 1.0) else 0.0


def _is_a_digit(boxes: list[Box], joined: list[bool], policy: FindPolicy) -> bool:
    """From `segment_min_bars` to seven bars (a piece of bars `joined` counting two), across and
    upright, the upright ones (and the joined ones) at most `segment_max_upright` of the height, no
    wider than `segment_max_width` of it (not a wall's bricks); or a 1: two upright bars one above the
    other, no wider than `segment_one_width` of their height."""
    one = len(boxes) == 2 and not any(joined)
    if not (policy.segment_min_bars <= len(boxes) + sum(joined) <= 7 or one):
        return False
    _, _, width, height = union(boxes)
    upright = [h for (_, _, w, h), corner in zip(boxes, joined, strict=True) if h > w or corner]
    stacked = bool(upright) and max(upright) <= policy.segment_max_upright * height
    if one:
        return len(upright) == 2 and stacked and width <= policy.segment_one_width * height
    across = any(joined) or len(upright) < len(boxes)
    return width <= policy.segment_max_width * height and across and stacked


def _both_ways(boxes: list[Box]) -> bool:
    """True when some of the bars lie across and some upright."""
    upright = sum(h > w for _, _, w, h in boxes)
    return 0 < upright < len(boxes)
