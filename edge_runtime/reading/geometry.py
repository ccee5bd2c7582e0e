"""Where things are: boxes, the one map between coordinate spaces, and the one "level" rule.

A frame is read through a chain of spaces, each a scaled and shifted copy of the one around it:
frame → region of interest → working copy (`ink`) → group (`find.Group`) → line input (`inputs.LineInput`)
→ a row of groups set side by side (`rows.RowInput`). A `Transform` maps an inner space's points to
the space around it; composing them (`then`) maps any space to the frame. The line reader's output
steps map to line-input columns by `line_reader.STEP_COLUMNS`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ground.errors import EdgeError

Box = tuple[int, int, int, int]  # x, y, width, height


@dataclass(frozen=True)
class Transform:
    """Maps an inner space to the outer space around it: outer = offset + inner / scale.

    `scale` is inner pixels per outer pixel (a working copy at half size has scale 0.5).
    """

    offset: tuple[float, float] = (0.0, 0.0)
    scale: float = 1.0

    def column(self, x: float) -> float:
        """The outer column of inner column `x`."""
        return self.offset[0] + x / self.scale

    def point(self, x: float, y: float) -> tuple[float, float]:
        """The outer coordinates of inner point (x, y)."""
        return self.offset[0] + x / self.scale, self.offset[1] + y / self.scale

    def box(self, box: Sequence[float]) -> tuple[float, float, float, float]:
        """The outer box of inner box (x, y, w, h), unrounded."""
        x, y, w, h = box
        return (*self.point(x, y), w / self.scale, h / self.scale)

    def pixel_box(self, box: Sequence[float]) -> Box:
        """The outer box of inner box (x, y, w, h), rounded to whole pixels."""
        return tuple(round(v) for v in self.box(box))

    def inner_point(self, x: float, y: float) -> tuple[float, float]:
        """The inner coordinates of outer point (x, y)."""
        return (x - self.offset[0]) * self.scale, (y - self.offset[1]) * self.scale

    def then(self, outer: Transform) -> Transform:
        """This map followed by `outer`: from this inner space to the space around `outer`."""
        x, y = outer.point(*self.offset)
        return Transform((x, y), self.scale * outer.scale)


IDENTITY = Transform()


def union(boxes: Sequence[Box]) -> Box:
    """The smallest box around `boxes`."""
    x0, y0 = min(b[0] for b in boxes), min(b[1] for b in boxes)
    x1, y1 = max(b[0] + b[2] for b in boxes), max(b[1] + b[3] for b in boxes)
    return (x0, y0, x1 - x0, y1 - y0)


def middle(box: Sequence[float]) -> float:
    """The row halfway down `box`."""
    return box[1] + box[3] / 2


def middle_x(box: Sequence[float]) -> float:
    """A box's middle column."""
    return box[0] + box[2] / 2


def level(a: Sequence[float], b: Sequence[float], height_ratio: float = 0.0) -> bool:
    """True when boxes `a` and `b` are on one line: the middle of one lies within the other's rows,
    and neither is less than `height_ratio` of the other's height (0: any heights)."""
    _, ay, _, ah = a
    _, by, _, bh = b
    if height_ratio and not height_ratio * bh <= ah <= bh / height_ratio:
        return False
    return by <= ay + ah / 2 <= by + bh or ay <= by + bh / 2 <= ay + ah


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


def shared_area(box: Box, other: Box) -> int:
    """How many pixels two boxes share (0: apart or only touching)."""
    width = min(box[0] + box[2], other[0] + other[2]) - max(box[0], other[0])
    height = min(box[1] + box[3], other[1] + other[3]) - max(box[1], other[1])
    return max(width, 0) * max(height, 0)


def inside(box: Box, outer: Box) -> bool:
    """True when `box` lies within `outer`."""
    return (
        box[0] >= outer[0]
        and box[1] >= outer[1]
        and box[0] + box[2] <= outer[0] + outer[2]
        and box[1] + box[3] <= outer[1] + outer[3]
    )


def touches_border(box: Box, shape: tuple[int, int]) -> bool:
    """True for a box that touches the border of an image of `shape` (rows, columns): in a scene, ink
    cut off by it (a digit half in view, a ruled margin, a shadow, the table beyond the paper)."""
    x, y, w, h = box
    height, width = shape
    return x == 0 or y == 0 or x + w == width or y + h == height


def crop_roi(image: np.ndarray, roi: Box | None) -> tuple[np.ndarray, Transform]:
    """The part of `image` inside `roi` (clipped to the image; all of it for None), and the map from
    that part's coordinates to the image's."""
    if roi is None:
        return image, Transform()
    x, y, w, h = roi
    part = image[max(y, 0) : max(y + h, 0), max(x, 0) : max(x + w, 0)]
    return part, Transform((max(x, 0), max(y, 0)))
