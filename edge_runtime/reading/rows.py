"""Stage 4 of reading, rows: a rejected group read again in the context of its row, by the line reader.

A digit the digit model rejects alone (a crossed 7, a 5 whose bar joined its neighbour, two digits
too tangled to cut) often reads well in context. A run of rejected groups is set, with up to
`row_neighbours` accepted groups on each side, on one line as if written nearly touching
(`row_input`), and the reader reads it. Its reading is taken only when it agrees with what was
already read: it is sure of every digit (its acceptance probability), it reads the accepted
neighbours' digits exactly, it places at least one digit in every rejected group, and a rejected group
given one digit is read as one of the digit model's `in_line_choices` likeliest for it. A word's
letters beside a digit-like letter fail these checks (the reader reads letters as no number).
(The values named here are `policy.LinePolicy`'s.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import cv2
import numpy as np

from edge_runtime.line_reader import LineDigit, LineReading
from edge_runtime.reading.cuts import cut_at_marks
from edge_runtime.reading.geometry import Transform, level
from edge_runtime.reading.groups import Group, Piece, strokes
from edge_runtime.reading.inputs import LineInput, to_line
from edge_runtime.reading.policy import DEFAULT, ReadingPolicy
from edge_runtime.reading.recognise import GroupReading, Recognised, likeliest
from ground.contract import LINE_MAX_DIGITS

if TYPE_CHECKING:
    from edge_runtime.interpreter import LineReader

Placed = dict[int, list[tuple[float, LineDigit]]]  # group → its digits, each with its group column


@dataclass(frozen=True)
class Place:
    """Where one group went in a row: its first and last row column, and the map from row columns to
    the group's."""

    start: float
    stop: float
    to_group: Transform


@dataclass(frozen=True)
class RowInput:
    """The line reader's input of several groups of one row set side by side (`line` columns map to
    row columns), and where each group went."""

    line: LineInput
    places: list[Place]

    def nearest(self, x: float, among: list[int]) -> int:
        """Of the groups `among`, the one whose middle is nearest to line input column `x`."""
        column = self.line.to_source.column(x)
        return min(among, key=lambda i: abs(column - (self.places[i].start + self.places[i].stop) / 2))

    def group_column(self, index: int, x: float) -> float:
        """The column of group `index` that line input column `x` shows."""
        return self.places[index].to_group.column(self.line.to_source.column(x))


def reread_rows(recognised: Recognised, reader: LineReader | None, policy: ReadingPolicy) -> Recognised:
    """The readings, with the rejected groups the reader reads in their row (see the module
    docstring) as its digits: one fills the whole group's box, several are cut apart at its marks."""
    if reader is None:
        return recognised
    readings = list(recognised.readings)
    groups = [r.group for r in readings]
    texts = [r.text for r in readings]
    choices = [likeliest(r.rejected, policy.line.in_line_choices) if r.rejected else set() for r in readings]
    for index, marks in read_rows(groups, texts, choices, reader, policy).items():
        whole, digits = readings[index].rejected, [digit.probabilities for _, digit in marks]
        if len(marks) == 1:
            pieces = [Piece(whole.crop, digits[0])]
        else:
            pieces = cut_at_marks(groups[index], [column for column, _ in marks], digits, policy.cut)
        if pieces:
            readings[index] = GroupReading(groups[index], pieces)
    return Recognised(readings, recognised.uncut)


def read_rows(
    groups: Sequence[Group],
    texts: Sequence[str | None],
    choices: Sequence[set[int]],
    reader: LineReader,
    policy: ReadingPolicy,
) -> Placed:
    """The digits the reader places in rejected groups read with their row.

    `groups` are left to right; `texts[i]` is group i's accepted digits, None when it was rejected;
    `choices[i]` the digits a rejected group may be alone. Returns, for each rejected group read, its
    digits left to right with the group column where the reader marked each.
    """
    if all(text is None for text in texts):  # no accepted digit to read beside (a texture: many groups)
        return {}
    rows = [
        row
        for run in _rejected_runs(groups, texts, policy)
        if (row := _with_neighbours(groups, texts, run, policy))
    ]
    rows = rows[: policy.line.max_rows]
    if not rows:
        return {}
    inputs = [row_input([groups[i] for i in members], policy) for members, _ in rows]
    placed: Placed = {}
    for (members, run), row, reading in zip(
        rows, inputs, reader.read(np.stack([r.line.pixels for r in inputs])), strict=True
    ):
        if reading.confidence >= policy.accept.line:
            placed.update(_agreeing(reading, row, members, run, texts, choices))
    return placed


def row_input(groups: list[Group], policy: ReadingPolicy = DEFAULT) -> RowInput:
    """The line reader's input of `groups` (left to right, one row) as if written nearly touching: each
    keeps its size and height in the row as in the image, but the blank between two neighbours
    shrinks to `row_gap` of their mean width (the reader was trained on touching digits)."""
    row_height, row_gap = policy.line.row_height, policy.line.row_gap
    parts = [strokes(g, g.mask, None) for g in groups]
    boxes = [  # each group's strokes in image pixels
        g.to_image.box((left, top, ink.shape[1], ink.shape[0]))
        for g, (ink, left, top) in zip(groups, parts, strict=True)
    ]
    top = min(b[1] for b in boxes)
    scale = row_height / (max(b[1] + b[3] for b in boxes) - top)  # row pixels per image pixel
    tiles = [
        cv2.resize(part[0], (max(1, round(w * scale)), max(1, round(h * scale))), None, 0, 0, cv2.INTER_AREA)
        for part, (_, _, w, h) in zip(parts, boxes, strict=True)
    ]
    starts = [0.0]
    for i in range(1, len(tiles)):
        gap = (boxes[i][0] - boxes[i - 1][0] - boxes[i - 1][2]) * scale
        widths = tiles[i].shape[1] + tiles[i - 1].shape[1]
        starts.append(starts[-1] + tiles[i - 1].shape[1] + min(gap, row_gap * widths / 2))
    first = min(starts)
    width = max(start - first + tile.shape[1] for start, tile in zip(starts, tiles, strict=True))
    canvas = np.zeros((row_height + 2, int(width) + 1), np.uint8)
    places = []
    for start, tile, box, (ink, left, _) in zip(starts, tiles, boxes, parts, strict=True):
        x, y = int(round(start - first)), int(round((box[1] - top) * scale))
        area = canvas[y : y + tile.shape[0], x : x + tile.shape[1]]
        np.maximum(area, tile[: area.shape[0], : area.shape[1]], out=area)
        places.append(_place(float(x), float(x + tile.shape[1]), left, left + ink.shape[1]))
    return RowInput(to_line(canvas), places)


def _place(start: float, stop: float, left: int, right: int) -> Place:
    """A group whose columns `left` to `right` were drawn on row columns `start` to `stop`."""
    per_column = max(stop - start, 1.0) / (right - left)  # row columns per group column
    return Place(start, stop, Transform((left - start / per_column, 0), per_column))


def _rejected_runs(
    groups: Sequence[Group], texts: Sequence[str | None], policy: ReadingPolicy
) -> list[list[int]]:
    """Runs of rejected groups that are row neighbours, each left to right."""
    runs, seen = [], set()
    for index, text in enumerate(texts):
        if text is not None or index in seen:
            continue
        run = [index]
        while (after := _neighbour(groups, run[-1], 1, policy)) is not None and texts[after] is None:
            run.append(after)
        seen.update(run)
        runs.append(run)
    return runs


def _with_neighbours(
    groups: Sequence[Group], texts: Sequence[str | None], run: list[int], policy: ReadingPolicy
) -> tuple[list[int], list[int]] | None:
    """The run with up to `row_neighbours` accepted row neighbours on each side (as long as the row
    holds at most `LINE_MAX_DIGITS`, a rejected group counted as one), as (members, run); None
    without any accepted neighbour."""
    members, digits = list(run), len(run)
    for step in (-1, 1):
        for _ in range(policy.line.row_neighbours):
            end = members[0] if step < 0 else members[-1]
            beside = _neighbour(groups, end, step, policy)
            if beside is None or texts[beside] is None or digits + len(texts[beside]) > LINE_MAX_DIGITS:
                break
            digits += len(texts[beside])
            members = [beside, *members] if step < 0 else [*members, beside]
    return (members, run) if len(members) > len(run) else None


def _neighbour(groups: Sequence[Group], index: int, step: int, policy: ReadingPolicy) -> int | None:
    """The nearest group level with group `index` on its right (`step` 1) or left (-1), if it is at
    most `row_spacing` away."""
    x, _, w, h = groups[index].box
    others = range(index + step, len(groups) if step > 0 else -1, step)
    for other in others:
        if level(groups[index].box, groups[other].box, policy.decide.level_height):
            ox, _, ow, oh = groups[other].box
            blank = ox - (x + w) if step > 0 else x - (ox + ow)
            return other if blank <= policy.line.row_spacing * max(h, oh) else None
    return None


def _agreeing(
    reading: LineReading,
    row: RowInput,
    members: list[int],
    run: list[int],
    texts: Sequence[str | None],
    choices: Sequence[set[int]],
) -> Placed:
    """The reading's digits in the run's groups, when it agrees with the row (module docstring); else
    nothing."""
    before = "".join(texts[i] or "" for i in members if i < run[0])
    after = "".join(texts[i] or "" for i in members if i > run[-1])
    text = reading.text
    if len(text) < len(before) + len(run) + len(after) or not (
        text.startswith(before) and text.endswith(after)
    ):
        return {}
    local = [members.index(i) for i in run]
    placed: Placed = {}
    for digit in reading.digits[len(before) : len(text) - len(after)]:
        mark = (digit.start + digit.stop) / 2
        at = row.nearest(mark, local)
        placed.setdefault(members[at], []).append((row.group_column(at, mark), digit))
    if len(placed) < len(run) or any(
        len(digits) == 1 and int(digits[0][1].probabilities.argmax()) not in choices[i]
        for i, digits in placed.items()
    ):
        return {}
    return placed
