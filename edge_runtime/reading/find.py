"""Stage 2 of reading, find: the ink groups of an ink image that may hold digits.

The thresholded ink of the working copy (`ink`), with the weaker ink beside its strokes (`strokes`;
a hairline's groups are cut out of its ink stretched, `stretched`), is split into blobs by their
outer contours (an order of magnitude faster than labelling connected components); pieces of one
digit (the bar of a 5, a broken stroke) are merged when they share most of their columns, once open
frames (a bezel broken by glare, `_without_open_frames`) are dropped and frames joined to the digits
inside them are peeled off (`_without_joined_frames`). A group is kept when it is
tall enough to be read (`min_digit_height` working pixels), is not a thin line and, in a camera
frame, is not cut off by the frame's border. Nothing is decided here about what a group *is*: one
digit, several touching digits or something else; `recognise` asks the models. The surfaces that may
hold digits of their own polarity (`nesting`) are looked for in the ink and, off paper, again in the
ink opened by `solid_opening` (a tag joined to a brick wall's mortar is one blob with it until its
thin lines are gone). (The values named here are `policy.FindPolicy`'s.)
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import NamedTuple

import cv2
import numpy as np

from edge_runtime.reading.geometry import Box, Transform, touches_border, union
from edge_runtime.reading.groups import Group
from edge_runtime.reading.ink import InkImage
from edge_runtime.reading.nesting import Nesting, nesting, surfaces, unframed_blobs
from edge_runtime.reading.policy import DEFAULT, FindPolicy
from edge_runtime.reading.segments import Digit, Piece, segment_digits

GROW = np.ones((3, 3), np.uint8)  # one pixel each way (`strokes`)


@dataclass(frozen=True)
class Groups:
    """The groups of one image, left to right, whether some ink was left unread (too much of it),
    whether a blob cut off by the frame was as large as half of it (the image may be a tight crop),
    the thresholded ink they were found in (working copy) with its map to the image, and the surfaces
    (plates, screens) that may hold digits of their own polarity."""

    groups: list[Group]
    cut: bool
    filled_edge: bool
    binary: np.ndarray
    to_image: Transform
    surfaces: list[Box]  # in the image: where digits may lie on their own surface (`nesting`)
    nearly_hairline: bool  # on paper, strokes a little too wide for a hairline's (`strokes`)


class Strokes(NamedTuple):
    """The binary ink of an ink image, whether it is a faded hairline's, and its strokes' width."""

    binary: np.ndarray
    faded: bool  # a faded hairline's: its groups are cut out of its ink stretched (`stretched`)
    width: float  # the thresholded ink's area over its edge pixels (0 without ink)


def find_groups(ink: InkImage, policy: FindPolicy = DEFAULT.find) -> Groups:
    """The ink groups of an ink image that are large enough to be digits, left to right."""
    thresholded, hairline, width = strokes(ink, policy)
    cut_from = stretched(ink, policy) if hairline else ink
    binary = without_ruled_lines(thresholded, policy) if policy.ruled_lines and not ink.crop else thresholded
    tree = nesting(binary)
    blobs = unframed_blobs(tree, policy, None if ink.crop else binary.shape)
    pieces = [(c, box) for c, box in blobs if cv2.contourArea(c) >= policy.min_area_pixels]
    filled_edge = False
    if not ink.crop:  # cut off by the frame's border; before merging, or a digit above a shadow joins it
        at_edge = [box for _, box in pieces if touches_border(box, binary.shape)]
        filled_edge = any(h >= binary.shape[0] / 2 or w >= binary.shape[1] / 2 for _, _, w, h in at_edge)
        pieces = [(c, box) for c, box in pieces if not touches_border(box, binary.shape)]
    pieces = _without_joined_frames(_without_open_frames(pieces, policy), binary, policy)
    cut = len(pieces) > policy.max_components
    if cut:
        pieces = sorted(pieces, key=lambda p: p[1][2] * p[1][3], reverse=True)[: policy.max_components]
    digits, whole, pieces = segment_digits(pieces, policy)
    groups = []
    for members, box in _merge_overlapping_columns(digits, whole, pieces, policy):
        x, y, w, h = box
        if h < policy.min_digit_height or w > policy.max_line_aspect * h:
            continue
        groups.append(_cut_out(cut_from, binary, members, box, policy.group_max_height))
    found_surfaces = [ink.to_image.pixel_box(box) for box in _surfaces(tree, thresholded, binary, policy)]
    return Groups(
        sorted(groups, key=lambda g: g.box[0]),
        cut,
        filled_edge,
        binary,
        ink.to_image,
        found_surfaces,
        policy.hairlines and policy.hairline_width < width <= policy.nearly_hairline_width,
    )


def strokes(ink: InkImage, policy: FindPolicy = DEFAULT.find) -> Strokes:
    """The binary ink, whether it is a faded hairline's, and the width of its strokes (area over edge
    pixels): the pixels above the ink threshold and, on paper (`hairlines`) when its strokes are a
    hairline's (that width at most `hairline_width`: strokes about 3 pixels wide or less), those above
    `hairline_seed` of it (a faint pen's whole digit can fade below it) unless the ink is one small
    whole digit, grown `weak_steps` pixels at a time into ink of at least `weak_share` of the threshold
    (hysteresis): a thin stroke's fainter stretches join it instead of breaking it into specks, while
    fainter ink away from any stroke stays paper; then gaps narrower than `hairline_gap` are closed (a
    stroke that faded out entirely for a moment). Bolder ink is left as it is: there the weak halo of
    print would join digits to each other and to their frame."""
    _, binary = cv2.threshold(ink.ink, ink.ink_threshold, 255, cv2.THRESH_BINARY)
    if not policy.hairlines:
        return Strokes(binary, False, 0.0)
    area = cv2.countNonZero(binary)
    width = area / max(area - cv2.countNonZero(cv2.erode(binary, GROW)), 1)
    if area == 0 or width > policy.hairline_width:
        return Strokes(binary, False, width)
    faded = not _lone_small_digit(binary, width, policy)
    if faded:
        seed = int(ink.ink_threshold * policy.hairline_seed)
        _, binary = cv2.threshold(ink.ink, seed, 255, cv2.THRESH_BINARY)
    _, weak = cv2.threshold(ink.ink, int(ink.ink_threshold * policy.weak_share), 255, cv2.THRESH_BINARY)
    for _ in range(policy.weak_steps):
        binary = cv2.bitwise_and(weak, cv2.dilate(binary, GROW))
    bridge = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (policy.hairline_gap, policy.hairline_gap))
    return Strokes(cv2.morphologyEx(binary, cv2.MORPH_CLOSE, bridge), faded, width)


def _lone_small_digit(binary: np.ndarray, width: float, policy: FindPolicy) -> bool:
    """True when thin ink is one small whole digit: a single blob at least half a digit's height, tall
    enough to be read and at most `small_digit_strokes` times the ink's stroke width (`width`, area
    over edge pixels) tall. A small digit in a large frame is thin in pixels but not for its size, and
    a hairline pen's faded digit is in pieces or thin for its height."""
    contours, _ = cv2.findContours(binary, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    heights = np.array([cv2.boundingRect(contour)[3] for contour in contours])
    pieces = heights[heights >= policy.min_digit_height / 2]
    return len(pieces) == 1 and policy.min_digit_height <= pieces[0] <= policy.small_digit_strokes * width


def stretched(ink: InkImage, policy: FindPolicy = DEFAULT.find) -> InkImage:
    """A hairline's ink stretched so that its threshold reads full strength (255) and its stroke ink
    cut at `weak_share` of it: a faint pen's digits are cut out (`_cut_out`) and shown to the model
    as strokes as strong as a dark pen's, not as the specks left above the first threshold."""
    gain = 255.0 / max(ink.ink_threshold, 1)
    return replace(
        ink, ink=cv2.convertScaleAbs(ink.ink, alpha=gain), ink_threshold=round(255 * policy.weak_share)
    )


def _surfaces(tree: Nesting, thresholded: np.ndarray, binary: np.ndarray, policy: FindPolicy) -> list[Box]:
    """The surfaces (`nesting.surfaces`) of the ink; where ruled lines were removed (`binary` is not the
    `thresholded` ink), also those of the ink before, off the border: a frame's edge and the ink beside
    it can fill a row like a ruled line; then, unless `solid_opening` is 0 (on paper), those of the
    ink without its thin lines, off the border: a tag joined to a brick wall's mortar. At most
    `max_surfaces` in all."""
    found = surfaces(tree, binary.shape, policy)
    if binary is not thresholded:
        found += surfaces(nesting(thresholded), binary.shape, policy, cut_off=False)
    if policy.solid_opening:
        solid = cv2.morphologyEx(binary, cv2.MORPH_OPEN, np.ones((policy.solid_opening,) * 2, np.uint8))
        found += [b for b in surfaces(nesting(solid), binary.shape, policy, cut_off=False) if b not in found]
    return found[: policy.max_surfaces]


def without_ruled_lines(binary: np.ndarray, policy: FindPolicy = DEFAULT.find) -> np.ndarray:
    """The binary ink without the rows and columns that are ink across much of the frame in thin
    runs (ruled paper, a margin line, a table's edge), which would otherwise join every digit they
    cross into one group. A digit loses at most the pixel rows such a line crossed it in; its parts
    stay together (they share their columns). Rows need `ruled_row_share` of the width, columns
    `ruled_column_share` of the height: more than the tallest digit in view, so that a 1 is never
    taken for a margin.
    """
    row_ink = cv2.reduce(binary, 1, cv2.REDUCE_SUM, dtype=cv2.CV_32S)[:, 0]
    column_ink = cv2.reduce(binary, 0, cv2.REDUCE_SUM, dtype=cv2.CV_32S)[0]
    rows = _thin_runs(row_ink > 255 * policy.ruled_row_share * binary.shape[1], policy.ruled_line_thickness)
    columns = _thin_runs(
        column_ink > 255 * policy.ruled_column_share * binary.shape[0], policy.ruled_line_thickness
    )
    if not rows.any() and not columns.any():
        return binary
    cleaned = binary.copy()
    cleaned[rows] = 0
    cleaned[:, columns] = 0
    return cleaned


def _thin_runs(flags: np.ndarray, thickness: int) -> np.ndarray:
    """`flags` kept only in runs of at most `thickness` (a line, not a dark area)."""
    if not flags.any():  # most frames: no line at all
        return flags
    edges = np.flatnonzero(np.diff(np.concatenate([[0], flags.astype(np.int8), [0]])))
    thin = np.zeros_like(flags)
    for start, stop in zip(edges[::2], edges[1::2], strict=True):
        if stop - start <= thickness:
            thin[start:stop] = True
    return thin


def _cut_out(
    ink: InkImage, binary: np.ndarray, members: list[np.ndarray], box: Box, max_height: int
) -> Group:
    """The group of blobs `members` (contours) within `box`, with a pixel of margin, shrunk to at most
    `max_height` rows."""
    x, y, w, h = box
    height, width = binary.shape
    x0, y0, x1, y1 = max(x - 1, 0), max(y - 1, 0), min(x + w + 1, width), min(y + h + 1, height)
    outline = np.zeros((y1 - y0, x1 - x0), np.uint8)
    cv2.drawContours(outline, members, -1, 255, thickness=cv2.FILLED, offset=(-x0, -y0))
    window = ink.ink[y0:y1, x0:x1]
    shrink = min(1.0, max_height / h)
    if shrink < 1.0:
        size = (max(1, round((x1 - x0) * shrink)), max(1, round((y1 - y0) * shrink)))
        window = cv2.resize(window, size, interpolation=cv2.INTER_AREA)
        outline = cv2.resize(outline, size, interpolation=cv2.INTER_NEAREST)
    _, strokes = cv2.threshold(window, ink.ink_threshold, 255, cv2.THRESH_BINARY)
    to_image = Transform((x0 / ink.scale, y0 / ink.scale), ink.scale * shrink)
    return Group(box, window, cv2.bitwise_and(strokes, outline), to_image, ink.ink_threshold)


def _without_open_frames(pieces: list[Piece], policy: FindPolicy) -> list[Piece]:
    """`pieces` without the open frames: a blob at least two digits tall that runs along at least
    `open_frame_sides` sides of its box (`_framing`) round two pieces or more lying wholly inside that
    box, together at most `open_frame_span` of its height, or round one when it fills at most
    `open_frame_fill` of its box (a thin outline, not digits joined round a speck): a bezel or an
    outline broken by glare or shading, which is no frame in `nesting` (no hole) and would otherwise
    swallow every digit inside it as one group (or the glare joins them into one)."""
    if len(pieces) < 2:
        return pieces
    boxes = np.array([box for _, box in pieces])
    left, top = boxes[:, 0], boxes[:, 1]
    right, bottom = left + boxes[:, 2], top + boxes[:, 3]
    kept = []
    for contour, box in pieces:
        x, y, w, h = box
        if h >= 2 * policy.min_digit_height:
            inside = (left > x) & (top > y) & (right < x + w) & (bottom < y + h)
            count = np.count_nonzero(inside)
            if count >= 2 or (count == 1 and cv2.contourArea(contour) <= policy.open_frame_fill * w * h):
                span = bottom[inside].max() - top[inside].min()
                if (
                    span <= policy.open_frame_span * h
                    and _framing(contour, box, policy) >= policy.open_frame_sides
                ):
                    continue
        kept.append((contour, box))
    return kept


def _without_joined_frames(pieces: list[Piece], binary: np.ndarray, policy: FindPolicy) -> list[Piece]:
    """`pieces` with each frame joined to what lies inside it replaced by the pieces inside
    (`_inside_joined_frame`): a plate's printed outline that its digits touch is one blob with them,
    no frame in `nesting` (its digits lie in no hole of it), and its sides would read as 1s."""
    kept: list[Piece] = []
    for contour, box in pieces:
        inside = _inside_joined_frame(contour, box, binary, policy)
        kept += [(contour, box)] if inside is None else inside
    return kept


def _inside_joined_frame(
    contour: np.ndarray, box: Box, binary: np.ndarray, policy: FindPolicy
) -> list[Piece] | None:
    """The pieces inside a joined frame, or None when the blob is none: a blob wider than tall that
    runs along all four sides of its box (`_framing`) whose rows of ink at least its height long lie
    in its top and bottom bands (`frame_band` deep) and in no row between, and whose left and right
    bands each hold a column of ink at least `joined_frame_side` of its height long. Without those
    rows and bands (a side seen at a slant, or joined to a digit, is no straight column), something
    a digit tall must be left."""
    x, y, w, h = box
    if w <= h or h < policy.min_digit_height or _framing(contour, box, policy) < 4:
        return None
    ink = np.zeros((h, w), np.uint8)
    cv2.drawContours(ink, [contour], -1, 255, cv2.FILLED, offset=(-x, -y))
    ink = cv2.bitwise_and(ink, binary[y : y + h, x : x + w])
    band = max(2, round(policy.frame_band * h))
    rows = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((1, h), np.uint8))
    column = np.ones((round(policy.joined_frame_side * h), 1), np.uint8)
    sides = (ink[:, :band], ink[:, w - band :])
    if (
        rows[band : h - band].any()
        or not (rows[:band].any() and rows[h - band :].any())
        or not all(cv2.morphologyEx(side, cv2.MORPH_OPEN, column).any() for side in sides)
    ):
        return None
    inside = cv2.subtract(ink, rows)
    inside[:, :band] = inside[:, w - band :] = 0
    contours, _ = cv2.findContours(inside, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    parts = [part for part in contours if cv2.contourArea(part) >= policy.min_area_pixels]
    boxes = [cv2.boundingRect(part) for part in parts]
    if all(ph < policy.min_digit_height for _, _, _, ph in boxes):
        return None
    return [
        (part + np.int32([x, y]), (x + px, y + py, pw, ph))
        for part, (px, py, pw, ph) in zip(parts, boxes, strict=True)
    ]


def _framing(contour: np.ndarray, box: Box, policy: FindPolicy) -> int:
    """How many sides of its box a blob runs along: sides whose band (`frame_band` of the box's shorter
    side deep) it fills for at least `frame_side_share` of their length."""
    x, y, w, h = box
    mask = np.zeros((h, w), np.uint8)
    cv2.drawContours(mask, [contour], -1, 255, cv2.FILLED, offset=(-x, -y))
    band = max(2, round(policy.frame_band * min(w, h)))
    sides = (
        mask[:band].any(axis=0),
        mask[-band:].any(axis=0),
        mask[:, :band].any(axis=1),
        mask[:, -band:].any(axis=1),
    )
    return sum(float(side.mean()) >= policy.frame_side_share for side in sides)


def _merge_overlapping_columns(
    digits: list[Digit], whole: list[Digit], pieces: list[Piece], policy: FindPolicy
) -> list[Digit]:
    """Group blobs that share most of the narrower one's columns and nearly touch vertically, starting
    from a display's seven-segment `digits` and `whole` ones (which take no fragment beside them)."""
    groups, wholes = [*digits, *whole], range(len(digits), len(digits) + len(whole))
    for contour, box in sorted(pieces, key=lambda p: p[1][2] * p[1][3], reverse=True):
        for i, (members, group_box) in enumerate(groups):
            if _same_digit(box, group_box, policy, fragments=i not in wholes):
                groups[i] = (members + [contour], union([box, group_box]))
                break
        else:
            groups.append(([contour], box))
    return groups


def _same_digit(piece: Box, group: Box, policy: FindPolicy, fragments: bool = True) -> bool:
    """Stacked parts sharing columns (a broken 5), or (`fragments`) a small stroke right beside the
    group (a 5's bar)."""
    column_overlap = min(piece[0] + piece[2], group[0] + group[2]) - max(piece[0], group[0])
    row_gap = max(piece[1], group[1]) - min(piece[1] + piece[3], group[1] + group[3])
    taller = max(piece[3], group[3])
    if (
        column_overlap >= policy.column_overlap_to_merge * min(piece[2], group[2])
        and row_gap <= policy.max_gap_to_merge * taller
    ):
        return True
    if not fragments:
        return False
    fragment = piece[3] < policy.fragment_height * group[3] and not _punctuation(piece, group, policy)
    return fragment and row_gap <= 0 and -column_overlap <= policy.fragment_distance * group[3]


def _punctuation(piece: Box, group: Box, policy: FindPolicy) -> bool:
    """A mark written between digits rather than a part of one: a flat bar at middle height (the hyphen
    of a date), or a dot or comma (small and compact). The bar of a 5 lies at its top and is longer;
    a broken stroke is longer or thinner."""
    middle = (piece[1] + piece[3] / 2 - group[1]) / group[3]
    if piece[2] >= policy.bar_aspect * piece[3]:
        return policy.bar_band[0] <= middle <= policy.bar_band[1]
    width, height = policy.mark_size
    return (
        piece[2] <= width * group[3]
        and piece[3] <= height * group[3]
        and piece[3] <= policy.mark_elongation * piece[2]
    )
