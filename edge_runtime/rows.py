"""Read a rejected group in the context of its row: with the accepted digits beside it, by the line reader.

A digit the digit model rejects alone (a crossed 7, a 5 whose bar joined its neighbour, two digits
too tangled to cut) often reads well in context. A run of rejected groups is set, with up to
`ROW_NEIGHBOURS` accepted groups on each side, on one line as if written nearly touching
(`regions.row_input`), and the reader reads it. Its reading is taken only when it agrees with what
was already read: it is sure of every digit (its acceptance threshold), it reads the accepted
neighbours' digits exactly, it places at least one digit in every rejected group, and a rejected group
given one digit is read as one of the digit model's `IN_LINE_CHOICES` likeliest for it. A word's
letters beside a digit-like letter fail these checks (the reader reads letters as no number).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from edge_runtime.interpreter import LineReader
from edge_runtime.line_reader import LineDigit, LineReading
from edge_runtime.regions import Group, RowInput, row_input
from ground.contract import LINE_MAX_DIGITS

ROW_NEIGHBOURS = 2  # accepted groups read on each side of a run of rejected ones
ROW_SPACING = 1.0  # of the taller one's height: the widest blank between two neighbours of a row
LEVEL_HEIGHT = 0.5  # neighbours in a row are within this ratio of each other's height...
MAX_ROWS = 16  # the reader reads at most this many rows a frame

Placed = dict[int, list[tuple[float, LineDigit]]]  # group → its digits, each with its group column


def read_rows(
    groups: Sequence[Group], texts: Sequence[str | None], choices: Sequence[set[int]], reader: LineReader
) -> Placed:
    """The digits the reader places in rejected groups read with their row (see the module docstring).

    `groups` are left to right; `texts[i]` is group i's accepted digits, None when it was rejected;
    `choices[i]` the digits a rejected group may be alone. Returns, for each rejected group read, its
    digits left to right with the group column where the reader marked each.
    """
    if all(text is None for text in texts):  # no accepted digit to read beside (a texture: many groups)
        return {}
    rows = [row for run in _rejected_runs(groups, texts) if (row := _with_neighbours(groups, texts, run))]
    rows = rows[:MAX_ROWS]
    if not rows:
        return {}
    inputs = [row_input([groups[i] for i in members]) for members, _ in rows]
    placed: Placed = {}
    for (members, run), row, reading in zip(
        rows, inputs, reader.read(np.stack([r.line.pixels for r in inputs])), strict=True
    ):
        if reading.confidence >= reader.accept_threshold:
            placed.update(_agreeing(reading, row, members, run, texts, choices))
    return placed


def _rejected_runs(groups: Sequence[Group], texts: Sequence[str | None]) -> list[list[int]]:
    """Runs of rejected groups that are row neighbours, each left to right."""
    runs, seen = [], set()
    for index, text in enumerate(texts):
        if text is not None or index in seen:
            continue
        run = [index]
        while (after := _neighbour(groups, run[-1], 1)) is not None and texts[after] is None:
            run.append(after)
        seen.update(run)
        runs.append(run)
    return runs


def _with_neighbours(
    groups: Sequence[Group], texts: Sequence[str | None], run: list[int]
) -> tuple[list[int], list[int]] | None:
    """The run with up to `ROW_NEIGHBOURS` accepted row neighbours on each side (as long as the row
    holds at most `LINE_MAX_DIGITS`, a rejected group counted as one), as (members, run); None
    without any accepted neighbour."""
    members, digits = list(run), len(run)
    for step in (-1, 1):
        for _ in range(ROW_NEIGHBOURS):
            end = members[0] if step < 0 else members[-1]
            beside = _neighbour(groups, end, step)
            if beside is None or texts[beside] is None or digits + len(texts[beside]) > LINE_MAX_DIGITS:
                break
            digits += len(texts[beside])
            members = [beside, *members] if step < 0 else [*members, beside]
    return (members, run) if len(members) > len(run) else None


def _neighbour(groups: Sequence[Group], index: int, step: int) -> int | None:
    """The nearest group level with group `index` on its right (`step` 1) or left (-1), if it is at
    most `ROW_SPACING` away."""
    x, _, w, h = groups[index].box
    others = range(index + step, len(groups) if step > 0 else -1, step)
    for other in others:
        if _level(groups[index], groups[other]):
            ox, _, ow, oh = groups[other].box
            blank = ox - (x + w) if step > 0 else x - (ox + ow)
            return other if blank <= ROW_SPACING * max(h, oh) else None
    return None


def _level(a: Group, b: Group) -> bool:
    """Of about the same height, each one's middle within the other's rows."""
    _, ay, _, ah = a.box
    _, by, _, bh = b.box
    return (
        LEVEL_HEIGHT <= ah / bh <= 1 / LEVEL_HEIGHT
        and by <= ay + ah / 2 <= by + bh
        and ay <= by + bh / 2 <= ay + ah
    )


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
