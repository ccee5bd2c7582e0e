"""How the blobs of the thresholded ink nest in each other's holes: frames and surfaces (for `find`).

A house number on a plate inside a printed outline, a phone's digits on its screen inside the
bezel, a price on its tag: the digits lie inside something larger, and that something is ink too
(the outline, the bezel) or holds the digits as its holes (a dark screen seen as dark ink: its light
digits are holes in it). Read as plain blobs, a frame and everything in it are one group, and a
screen is one large blob. Two rules on the contour tree tell them apart, both about shapes that
fill their box (`surface_solidity`: rectangles, rounded or seen at a slant, not letters, drawings
or a circle drawn round a doodle):

- a *frame* is a blob with such a hole in which lies a blob at least a digit tall
  (`min_digit_height`): the frame is no digit, the blobs in its holes are read instead
  (`unframed_blobs`); a 0's hole holds no such blob;
- in a scene, a blob cut off by the image's border (a brick wall's light mortar, one blob across
  the frame) is no frame, but the blobs in its holes are read too: a dark tag's light digits lie in
  one of them, which fills no box where the mortar beside the tag is broken;
- a blob like a frame round an empty hole (`blank_frame_hole` of its box) is a blank plate's
  outline or screen's bezel: no digit, dropped too; what lies in its hole is read (a small
  display's segments, each shorter than a digit, leave it looking empty);
- a *surface* is a region whose digits may need their own polarity and threshold: a frame's hole
  (the plate inside its outline, the screen inside its bezel), or such a blob with a hole at least a
  digit tall but at most `surface_fill` of its own height (a dark screen with light digits), or
  taller when it fills less than `shaped_hole_fill` of its box and the blob lies inside the image (a
  large digit filling most of a small tag; a 0's oval hole fills more, and a tight crop's ground round
  its digit is cut off by the crop's border), or
  two blobs that fill their joint box so with such holes (a dark screen cut in two by a glare band
  as bright as its digits), none cut off by the image's border where the ink still holds ruled
  paper's lines. `pipeline` reads surfaces again, each as its own image.
(The values named here are `policy.FindPolicy`'s.)
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import cv2
import numpy as np

from edge_runtime.reading.geometry import Box, touches_border, union
from edge_runtime.reading.policy import DEFAULT, FindPolicy


@dataclass(frozen=True)
class Nesting:
    """The contours of a binary image's blobs and holes, their boxes and the tree they form."""

    contours: list[np.ndarray]
    boxes: list[Box]
    links: np.ndarray  # per contour: next sibling, previous sibling, first child, parent (-1: none)

    def children(self, parent: int) -> list[int]:
        """The contours directly inside contour `parent` (a blob's holes, or a hole's blobs)."""
        found, child = [], int(self.links[parent][2])
        while child >= 0:
            found.append(child)
            child = int(self.links[child][0])
        return found

    def outermost(self) -> list[int]:
        """The blobs inside no other blob."""
        return [i for i in range(len(self.contours)) if self.links[i][3] < 0]


def nesting(binary: np.ndarray) -> Nesting:
    """The contour tree of `binary`'s blobs (255) and their holes."""
    contours, hierarchy = cv2.findContours(binary, cv2.RETR_TREE, cv2.CHAIN_APPROX_SIMPLE)
    links = hierarchy[0] if hierarchy is not None else np.zeros((0, 4), np.int32)
    return Nesting(list(contours), [cv2.boundingRect(c) for c in contours], links)


def unframed_blobs(
    tree: Nesting, policy: FindPolicy = DEFAULT.find, shape: tuple[int, int] | None = None
) -> list[tuple[np.ndarray, Box]]:
    """The outer contours of the blobs that are not frames, with their boxes: the outermost blobs, but
    for a frame or a blank frame the blobs in its holes instead (again unless they are frames). In a
    scene (`shape` given), a blob cut off by its border is kept and the blobs in its holes are taken
    too: a brick wall's mortar is one blob across the frame, and a tag's digits lie in one of its
    holes, which no longer fills its box where the mortar beside the tag is broken."""
    blobs, pending = [], tree.outermost()
    while pending:
        index = pending.pop()
        # a blank frame's hole may hold a small display's segments, each shorter than a digit
        if framed_holes(tree, index, policy) or _blank_frame(tree, index, policy):
            pending += _contents(tree, index)
        else:
            blobs.append((tree.contours[index], tree.boxes[index]))
            if shape is not None and touches_border(tree.boxes[index], shape):
                pending += _contents(tree, index)
    return blobs


def _contents(tree: Nesting, blob: int) -> list[int]:
    """The blobs in the holes of `blob`."""
    return [inner for hole in tree.children(blob) for inner in tree.children(hole)]


def _blank_frame(tree: Nesting, blob: int, policy: FindPolicy) -> bool:
    """True for a blob that fills its box round a hole that fills its own box and most of the blob's
    (`blank_frame_hole`): an empty plate's outline, a blank screen's bezel, read as a 0 otherwise. A
    digit's 0 is an oval (its outline fills ~0.79 of its box)."""
    x, y, w, h = tree.boxes[blob]
    return _fills_its_box(tree, blob, policy) and any(
        _fills_its_box(tree, hole, policy)
        and tree.boxes[hole][2] * tree.boxes[hole][3] >= policy.blank_frame_hole * w * h
        for hole in tree.children(blob)
    )


def surfaces(
    tree: Nesting, shape: tuple[int, int], policy: FindPolicy = DEFAULT.find, cut_off: bool = True
) -> list[Box]:
    """The boxes of the surfaces (see the module docstring) among the outermost blobs and the frames'
    contents, at least `min_surface_height` tall, largest first, at most `max_surfaces`, each shrunk by
    `surface_inset`. `cut_off`: whether blobs that touch the image's border count (not in ink that
    still holds ruled paper's lines)."""
    found, pending = [], tree.outermost()
    while pending:
        index = pending.pop()
        framed = framed_holes(tree, index, policy)
        pending += [inner for hole in framed for inner in tree.children(hole)]
        if not cut_off and touches_border(tree.boxes[index], shape):
            continue
        found += [tree.boxes[hole] for hole in framed]
        if _holds_digit_holes(tree, index, policy, shaped=not touches_border(tree.boxes[index], shape)):
            found.append(tree.boxes[index])
    found += _split_surfaces(tree, shape, policy, cut_off)
    found = [box for box in found if box[3] >= policy.min_surface_height]
    found = sorted(found, key=lambda b: b[2] * b[3], reverse=True)[: policy.max_surfaces]
    return [_inset(box, policy.surface_inset) for box in found]


def framed_holes(tree: Nesting, blob: int, policy: FindPolicy = DEFAULT.find) -> list[int]:
    """The holes of `blob` that fill their box (`_fills_its_box`) and hold a blob at least
    `min_digit_height` tall: a frame's."""
    return [
        hole
        for hole in tree.children(blob)
        if _fills_its_box(tree, hole, policy)
        and any(tree.boxes[inner][3] >= policy.min_digit_height for inner in tree.children(hole))
    ]


def _holds_digit_holes(tree: Nesting, index: int, policy: FindPolicy, shaped: bool) -> bool:
    """True for a blob that fills its box (`_fills_its_box`) with a hole at least a digit tall but at
    most `surface_fill` of its own height (a 0's hole is most of its height) that does not fill its
    own box: a digit's shape, not a bezel's empty window (whose glare band would be read as a 1).
    `shaped`: whether a taller hole counts when shaped like a digit (as `_digit_holes` says)."""
    height = tree.boxes[index][3]
    return _fills_its_box(tree, index, policy) and _digit_holes(tree, index, height, policy, shaped)


def _digit_holes(tree: Nesting, index: int, height: int, policy: FindPolicy, shaped: bool = False) -> bool:
    """True for a blob with a hole at least a digit tall but at most `surface_fill` of `height` that
    does not fill its own box (`_fills_its_box`); when `shaped` (a blob inside the image: a tag, not a
    tight crop's ground round its digit), also a taller one that fills less than `shaped_hole_fill` of
    its box (a large digit's shape on a small tag, not a 0's oval hole)."""
    return any(
        policy.min_digit_height <= tree.boxes[hole][3]
        and not _fills_its_box(tree, hole, policy)
        and (
            tree.boxes[hole][3] <= policy.surface_fill * height
            or (shaped and _fill(tree, hole) < policy.shaped_hole_fill)
        )
        for hole in tree.children(index)
    )


def _split_surfaces(tree: Nesting, shape: tuple[int, int], policy: FindPolicy, cut_off: bool) -> list[Box]:
    """The joint boxes of two outermost blobs, neither filling its own box, that together fill it
    (`surface_solidity`) with digit holes in one of them at most `surface_fill` of its height: a dark
    screen cut in two by a glare band as bright as its digits. `cut_off`: as `surfaces`'."""
    halves = [
        i
        for i in tree.outermost()
        if tree.boxes[i][3] >= policy.min_surface_height
        and not _fills_its_box(tree, i, policy)
        and (cut_off or not touches_border(tree.boxes[i], shape))
    ]
    found = []
    for a, b in combinations(halves, 2):
        x, y, w, h = union([tree.boxes[a], tree.boxes[b]])
        area = cv2.contourArea(tree.contours[a]) + cv2.contourArea(tree.contours[b])
        if area >= policy.surface_solidity * w * h and any(_digit_holes(tree, i, h, policy) for i in (a, b)):
            found.append((x, y, w, h))
    return found


def _fills_its_box(tree: Nesting, index: int, policy: FindPolicy) -> bool:
    """True for a contour that encloses at least `surface_solidity` of its box: a plate, a screen, a
    tag (rectangles, rounded or seen at a slant), not a letter, a drawing or a circle drawn round."""
    return _fill(tree, index) >= policy.surface_solidity


def _fill(tree: Nesting, index: int) -> float:
    """The share of its box that contour `index` encloses."""
    _, _, width, height = tree.boxes[index]
    return cv2.contourArea(tree.contours[index]) / (width * height)


def _inset(box: Box, inset: int) -> Box:
    """`box` shrunk by `inset` on each side: a hole's box keeps clear of its frame's blurred inner
    edge, which would otherwise be read as thin strokes along the surface's border."""
    x, y, w, h = box
    return x + inset, y + inset, max(w - 2 * inset, 1), max(h - 2 * inset, 1)
