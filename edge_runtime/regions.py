"""Find the ink groups of an image that may hold digits, and cut any column range of one into an
MNIST input.

The thresholded ink of the working copy (see `preprocess`) is split into blobs by their outer
contours (an order of magnitude faster than labelling connected components); pieces of one digit
(the bar of a 5, a broken stroke) are merged when they share most of their columns. A group is kept
when it is tall enough to be read (`MIN_DIGIT_HEIGHT` working pixels), is not a thin line and, in a
camera frame, is not cut off by the frame's border. Nothing is decided here about what a group
*is*: one digit, several touching digits or something else; `segment` asks the model.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from edge_runtime.preprocess import MIN_INK_CONTRAST, InkImage, LineInput, to_line, to_mnist
from ground.contract import IMAGE_SHAPE
from ground.errors import EdgeError

MIN_DIGIT_HEIGHT = 13  # working-copy pixels: an 18-pixel digit at the smallest working scale (3/4)
MIN_AREA_PIXELS = 8  # ink pixels of a component worth keeping, at working scale
MAX_LINE_ASPECT = 12.0  # a group this many times wider than tall is a ruled line or an edge
MAX_COMPONENTS = 300  # more than this is a texture: only the largest are looked at (reading is "cut")
COLUMN_OVERLAP_TO_MERGE = 0.5  # of the narrower piece's width
MAX_GAP_TO_MERGE = 0.6  # vertical gap, of the taller piece's height
FRAGMENT_HEIGHT = 0.5  # a piece this much shorter than a digit beside it is part of it...
FRAGMENT_DISTANCE = 0.15  # ...if at most this far (of the digit's height) to its side...
BAR_ASPECT = 1.5  # ...unless it is a bar this many times wider than tall...
BAR_BAND = (0.3, 0.75)  # ...whose middle lies in this band of the digit's height (a hyphen), or a dot
MARK_WIDTH, MARK_HEIGHT = 0.4, 0.5  # or comma: at most this wide and tall (of the digit's height)...
MARK_ELONGATION = 2.5  # ...and at most this many times taller than wide
RULED_ROW_SHARE = 0.5  # a pixel row with ink across this share of the width is a ruled line
RULED_COLUMN_SHARE = 0.6  # a column with ink down this share of the height is a margin line...
RULED_LINE_THICKNESS = 4  # ...when at most this many such rows (columns) lie side by side
GROUP_MAX_HEIGHT = 56  # rows a group is shrunk to before it is cut and cropped (MNIST digits are 20)
SLIVER_SHARE = 0.15  # in a cut piece, components with less ink than this share of the largest are dropped

ROW_HEIGHT = 64  # rows of the canvas a row of groups is set on for the line reader
ROW_GAP = 0.05  # of two neighbours' mean width: the most blank left between them there

Box = tuple[int, int, int, int]  # x, y, width, height


@dataclass(frozen=True)
class Group:
    """Ink that may be one digit or several, cut out of the ink image with a pixel of margin and
    shrunk to at most `GROUP_MAX_HEIGHT` rows, so that cutting and cropping cost the same at any size."""

    box: Box  # in the working copy
    ink: np.ndarray  # uint8 (h, w): ink strength around the group
    mask: np.ndarray  # uint8 (h, w): 255 on the group's own strokes
    origin: tuple[float, float]  # original-image coordinates of ink[0, 0]
    scale: float  # group pixels per original pixel
    threshold: int  # ink strength of a stroke

    @property
    def aspect(self) -> float:
        """Width over height."""
        return self.box[2] / self.box[3]


@dataclass(frozen=True)
class Groups:
    """The groups of one image, left to right, whether some ink was left unread (too much of it),
    whether a blob cut off by the frame was as large as half of it (the image may be a tight crop), and
    the thresholded ink they were found in."""

    groups: list[Group]
    cut: bool
    filled_edge: bool = False
    binary: np.ndarray | None = None  # the thresholded ink the groups were found in (working copy)


@dataclass(frozen=True)
class DigitCrop:
    """A candidate digit: where it is (original pixels) and the 28x28 input it gives."""

    box: Box
    pixels: np.ndarray  # uint8 (28, 28), white on black


def find_groups(ink: InkImage) -> Groups:
    """The ink groups of an ink image that are large enough to be digits, left to right."""
    _, binary = cv2.threshold(ink.ink, ink.threshold, 255, cv2.THRESH_BINARY)
    if not ink.crop:
        binary = without_ruled_lines(binary)
    contours, _ = cv2.findContours(binary, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    pieces = [(c, cv2.boundingRect(c)) for c in contours if cv2.contourArea(c) >= MIN_AREA_PIXELS]
    filled_edge = False
    if not ink.crop:  # before merging, or a digit above a shadow would be merged into it
        at_edge = [box for _, box in pieces if _at_the_edge(box, binary.shape)]
        filled_edge = any(h >= binary.shape[0] / 2 or w >= binary.shape[1] / 2 for _, _, w, h in at_edge)
        pieces = [(c, box) for c, box in pieces if not _at_the_edge(box, binary.shape)]
    cut = len(pieces) > MAX_COMPONENTS
    if cut:
        pieces = sorted(pieces, key=lambda p: p[1][2] * p[1][3], reverse=True)[:MAX_COMPONENTS]
    groups = []
    for members, box in _merge_overlapping_columns(pieces):
        x, y, w, h = box
        if h < MIN_DIGIT_HEIGHT or w > MAX_LINE_ASPECT * h:
            continue
        groups.append(_cut_out(ink, binary, members, box))
    return Groups(sorted(groups, key=lambda g: g.box[0]), cut, filled_edge, binary)


def without_ruled_lines(binary: np.ndarray) -> np.ndarray:
    """The binary ink without the rows and columns that are ink across much of the frame in thin
    runs (ruled paper, a margin line, a table's edge), which would otherwise join every digit they
    cross into one group. A digit loses at most the pixel rows such a line crossed it in; its parts
    stay together (they share their columns). Rows need `RULED_ROW_SHARE` of the width, columns
    `RULED_COLUMN_SHARE` of the height: more than the tallest digit in view, so that a 1 is never
    taken for a margin.
    """
    row_ink = cv2.reduce(binary, 1, cv2.REDUCE_SUM, dtype=cv2.CV_32S)[:, 0]
    column_ink = cv2.reduce(binary, 0, cv2.REDUCE_SUM, dtype=cv2.CV_32S)[0]
    rows = _thin_runs(row_ink > 255 * RULED_ROW_SHARE * binary.shape[1])
    columns = _thin_runs(column_ink > 255 * RULED_COLUMN_SHARE * binary.shape[0])
    if not rows.any() and not columns.any():
        return binary
    cleaned = binary.copy()
    cleaned[rows] = 0
    cleaned[:, columns] = 0
    return cleaned


def _thin_runs(flags: np.ndarray) -> np.ndarray:
    """`flags` kept only in runs of at most `RULED_LINE_THICKNESS` (a line, not a dark area)."""
    if not flags.any():  # most frames: no line at all
        return flags
    edges = np.flatnonzero(np.diff(np.concatenate([[0], flags.astype(np.int8), [0]])))
    thin = np.zeros_like(flags)
    for start, stop in zip(edges[::2], edges[1::2], strict=True):
        if stop - start <= RULED_LINE_THICKNESS:
            thin[start:stop] = True
    return thin


def check_roi(roi: Box, image_shape: tuple[int, ...], source: str) -> None:
    """EdgeError unless the rectangle `roi` lies wholly inside an image of `image_shape`.

    A rectangle reaching past the edge is refused rather than clipped: the user meant a part of the
    picture that is not there (often a frame size other than the one asked for).
    """
    x, y, w, h = roi
    height, width = image_shape[:2]
    if x < 0 or y < 0 or x + w > width or y + h > height:
        raise EdgeError(
            f"--roi {x},{y},{w},{h} does not fit in the {width}x{height} frames of {source} "
            f"(x + width must be at most {width}, y + height at most {height})"
        )


def crop_roi(image: np.ndarray, roi: Box) -> np.ndarray:
    """The part of `image` inside `roi` (clipped to the image)."""
    x, y, w, h = roi
    return image[max(y, 0) : max(y + h, 0), max(x, 0) : max(x + w, 0)]


def mnist_passthrough(image: np.ndarray) -> list[DigitCrop]:
    """A 28x28 grey image as its own model input (none when it is blank).

    MNIST images keep a 4-pixel empty frame around the 20x20 digit: a light frame means dark ink.
    """
    frame = np.concatenate(
        [image[:2].ravel(), image[-2:].ravel(), image[:, :2].ravel(), image[:, -2:].ravel()]
    )
    pixels = cv2.bitwise_not(image) if frame.mean() > 127 else image
    if int(pixels.max()) - int(pixels.min()) < MIN_INK_CONTRAST:
        return []
    return [DigitCrop((0, 0, *IMAGE_SHAPE), pixels.copy())]


def crop_piece(
    group: Group, left: np.ndarray | None = None, right: np.ndarray | None = None
) -> DigitCrop | None:
    """The MNIST input of the group's ink between two cut paths (the whole group without them).

    `left` and `right` give, for each row of the group, the first column of the piece and the
    first column after it. A piece cut out of touching digits keeps only its main strokes: slivers of
    the neighbour that the cut left behind are dropped. None when the piece holds no ink.
    """
    mask = group.mask
    inside = None
    if left is not None or right is not None:
        height, width = mask.shape
        columns = np.arange(width)[None, :]
        starts = np.zeros((height, 1), np.int32) if left is None else left[:, None]
        stops = np.full((height, 1), width, np.int32) if right is None else right[:, None]
        inside = ((columns >= starts) & (columns < stops)).astype(np.uint8) * 255
        mask = _without_slivers(cv2.bitwise_and(mask, inside))
    ys, xs = np.nonzero(mask)
    if len(xs) == 0:
        return None
    top, bottom, x_min, x_max = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
    ox, oy = group.origin
    box = (
        ox + x_min / group.scale,
        oy + top / group.scale,
        (x_max - x_min) / group.scale,
        (bottom - top) / group.scale,
    )
    return DigitCrop(tuple(round(v) for v in box), to_mnist(_strokes(group, mask, inside)[0]))


def line_input(group: Group) -> LineInput:
    """The line reader's input of the whole group (its columns map to the group's columns)."""
    strokes, left, _ = _strokes(group, group.mask, None)
    line = to_line(strokes)
    return LineInput(line.pixels, line.left + left, line.factor)


@dataclass(frozen=True)
class RowInput:
    """The line reader's input of several groups of one row set side by side (`line` columns map to
    row columns): `places[i]` says where group i went, as (its first and last row column, and the
    first and last group column shown there)."""

    line: LineInput
    places: list[tuple[float, float, int, int]]

    def nearest(self, x: float, among: list[int]) -> int:
        """Of the groups `among`, the one whose middle is nearest to line input column `x`."""
        column = self.line.group_column(x)
        return min(among, key=lambda i: abs(column - (self.places[i][0] + self.places[i][1]) / 2))

    def group_column(self, index: int, x: float) -> float:
        """The column of group `index` that line input column `x` shows."""
        start, stop, left, right = self.places[index]
        return left + (self.line.group_column(x) - start) * (right - left) / max(stop - start, 1.0)


def row_input(groups: list[Group]) -> RowInput:
    """The line reader's input of `groups` (left to right, one row) as if written nearly touching: each
    keeps its size and height in the row as in the image, but the blank between two neighbours
    shrinks to `ROW_GAP` of their mean width (the reader was trained on touching digits)."""
    parts = [_strokes(g, g.mask, None) for g in groups]
    boxes = [  # each group's strokes in original pixels
        (*_original(g, left, top), strokes.shape[1] / g.scale, strokes.shape[0] / g.scale)
        for g, (strokes, left, top) in zip(groups, parts, strict=True)
    ]
    top = min(b[1] for b in boxes)
    scale = ROW_HEIGHT / (max(b[1] + b[3] for b in boxes) - top)  # row pixels per original pixel
    tiles = [
        cv2.resize(part[0], (max(1, round(w * scale)), max(1, round(h * scale))), None, 0, 0, cv2.INTER_AREA)
        for part, (_, _, w, h) in zip(parts, boxes, strict=True)
    ]
    starts = [0.0]
    for i in range(1, len(tiles)):
        gap = (boxes[i][0] - boxes[i - 1][0] - boxes[i - 1][2]) * scale
        widths = tiles[i].shape[1] + tiles[i - 1].shape[1]
        starts.append(starts[-1] + tiles[i - 1].shape[1] + min(gap, ROW_GAP * widths / 2))
    first = min(starts)
    width = max(start - first + tile.shape[1] for start, tile in zip(starts, tiles, strict=True))
    canvas = np.zeros((ROW_HEIGHT + 2, int(width) + 1), np.uint8)
    places = []
    for start, tile, box, (strokes, left, _) in zip(starts, tiles, boxes, parts, strict=True):
        x, y = int(round(start - first)), int(round((box[1] - top) * scale))
        area = canvas[y : y + tile.shape[0], x : x + tile.shape[1]]
        np.maximum(area, tile[: area.shape[0], : area.shape[1]], out=area)
        places.append((float(x), float(x + tile.shape[1]), left, left + strokes.shape[1]))
    return RowInput(to_line(canvas), places)


def _original(group: Group, column: float, row: float) -> tuple[float, float]:
    """Original-image coordinates of a group pixel."""
    return group.origin[0] + column / group.scale, group.origin[1] + row / group.scale


def _strokes(group: Group, mask: np.ndarray, inside: np.ndarray | None) -> tuple[np.ndarray, int, int]:
    """The group's ink under `mask` (not empty), with one pixel of soft edge around the strokes as the
    threshold cut them (not across a cut: `inside`), less half the threshold, and 0 elsewhere; cut to
    the strokes' box, whose first column and row are also returned."""
    ys, xs = np.nonzero(mask)
    y0, y1 = max(ys.min() - 1, 0), min(ys.max() + 2, mask.shape[0])
    x0, x1 = max(xs.min() - 1, 0), min(xs.max() + 2, mask.shape[1])
    local = cv2.dilate(mask[y0:y1, x0:x1], np.ones((3, 3), np.uint8))
    if inside is not None:
        local = cv2.bitwise_and(local, inside[y0:y1, x0:x1])
    # numpy, not cv2.subtract: OpenCV takes an array of 4 or fewer pixels for a scalar
    strokes = np.where(local > 0, group.ink[y0:y1, x0:x1], 0).astype(np.int16) - group.threshold // 2
    return np.clip(strokes, 0, 255).astype(np.uint8), int(x0), int(y0)


def _cut_out(ink: InkImage, binary: np.ndarray, members: list[np.ndarray], box: Box) -> Group:
    """The group of blobs `members` (contours) within `box`, with a pixel of margin, shrunk if tall."""
    x, y, w, h = box
    height, width = binary.shape
    x0, y0, x1, y1 = max(x - 1, 0), max(y - 1, 0), min(x + w + 1, width), min(y + h + 1, height)
    outline = np.zeros((y1 - y0, x1 - x0), np.uint8)
    cv2.drawContours(outline, members, -1, 255, thickness=cv2.FILLED, offset=(-x0, -y0))
    window = ink.ink[y0:y1, x0:x1]
    shrink = min(1.0, GROUP_MAX_HEIGHT / h)
    if shrink < 1.0:
        size = (max(1, round((x1 - x0) * shrink)), max(1, round((y1 - y0) * shrink)))
        window = cv2.resize(window, size, interpolation=cv2.INTER_AREA)
        outline = cv2.resize(outline, size, interpolation=cv2.INTER_NEAREST)
    _, strokes = cv2.threshold(window, ink.threshold, 255, cv2.THRESH_BINARY)
    origin = (x0 / ink.scale, y0 / ink.scale)
    return Group(box, window, cv2.bitwise_and(strokes, outline), origin, ink.scale * shrink, ink.threshold)


def _without_slivers(mask: np.ndarray) -> np.ndarray:
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    if count <= 2:
        return mask
    areas = stats[1:, cv2.CC_STAT_AREA]
    keep = np.flatnonzero(areas >= SLIVER_SHARE * areas.max()) + 1
    return np.isin(labels, keep).astype(np.uint8) * 255


def _at_the_edge(box: Box, shape: tuple[int, int]) -> bool:
    """True for ink that touches the frame's border: cut off by it (a digit half in view, a ruled
    margin, a shadow, the table beyond the paper). Only in scenes: a tight crop's digit touches all four."""
    x, y, w, h = box
    height, width = shape
    return x == 0 or y == 0 or x + w == width or y + h == height


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
    fragment = piece[3] < FRAGMENT_HEIGHT * group[3] and not _punctuation(piece, group)
    return fragment and row_gap <= 0 and -column_overlap <= FRAGMENT_DISTANCE * group[3]


def _punctuation(piece: Box, group: Box) -> bool:
    """A mark written between digits rather than a part of one: a flat bar at middle height (the hyphen
    of a date), or a dot or comma (small and compact). The bar of a 5 lies at its top and is longer;
    a broken stroke is longer or thinner."""
    middle = (piece[1] + piece[3] / 2 - group[1]) / group[3]
    if piece[2] >= BAR_ASPECT * piece[3]:
        return BAR_BAND[0] <= middle <= BAR_BAND[1]
    return (
        piece[2] <= MARK_WIDTH * group[3]
        and piece[3] <= MARK_HEIGHT * group[3]
        and piece[3] <= MARK_ELONGATION * piece[2]
    )


def _union(a: Box, b: Box) -> Box:
    x0, y0 = min(a[0], b[0]), min(a[1], b[1])
    x1, y1 = max(a[0] + a[2], b[0] + b[2]), max(a[1] + a[3], b[1] + b[3])
    return (x0, y0, x1 - x0, y1 - y0)
