"""Reading a rejected group with its row: the row's line input and when the reader's reading is taken."""

import numpy as np

from edge_runtime.line_reader import LineDigit, LineReading
from edge_runtime.reading.geometry import Transform
from edge_runtime.reading.groups import Group
from edge_runtime.reading.inputs import LINE_MARGIN
from edge_runtime.reading.policy import Acceptance, ReadingPolicy
from edge_runtime.reading.rows import read_rows, row_input
from ground.contract import NUM_CLASSES

SURE = ReadingPolicy(Acceptance(line=0.9))  # the line reader's readings count from 0.9 (they say 0.95)


def _group(x: int, y: int = 100, width: int = 20, height: int = 40) -> Group:
    """A solid block of ink at (x, y) in a frame at working scale 1."""
    mask = np.zeros((height + 2, width + 2), np.uint8)
    mask[1:-1, 1:-1] = 255
    return Group((x, y, width, height), mask.copy(), mask, Transform((float(x - 1), float(y - 1)), 1.0), 128)


def _reading(text: str, row=None, groups=None) -> LineReading:
    """A sure reading of `text`, each digit marked at the middle of the next group given (or anywhere)."""
    said = np.eye(NUM_CLASSES, dtype=np.float32) * 0.95
    digits = []
    for n, digit in enumerate(text):
        column = 8.0 * n
        if row is not None:
            place = row.places[groups[n]]
            column = LINE_MARGIN + (place.start + place.stop) / 2 * row.line.to_source.scale
        digits.append(LineDigit(column - 2, column + 2, said[int(digit)]))
    return LineReading(digits)


class _Reader:
    """Answers each row with the reading `answer(row input)` gives (the decisions are under test)."""

    def __init__(self, answer):
        self.answer, self.inputs = answer, []

    def read(self, lines: np.ndarray) -> list[LineReading]:
        self.inputs.append(lines)
        return [self.answer(i) for i in range(len(lines))]


def test_a_row_is_set_nearly_touching_and_its_columns_map_back_to_each_group():
    groups = [_group(0), _group(100), _group(112, y=110)]
    row = row_input(groups)
    a, b, c = row.places
    a0, a1, b0, b1, c0 = a.start, a.stop, b.start, b.stop, c.start
    assert a1 - a0 == b1 - b0 > 20  # the same scale for each (the row is 50 px tall: 64 rows)
    assert 0 <= b0 - a1 <= 0.05 * (a1 - a0) + 1  # 80 px of blank shrunk to a twentieth of a width
    assert c0 - b1 < 0  # neighbours that already overlap (here by 8 px) keep their overlap
    assert row.line.pixels[:, : LINE_MARGIN - 1].max() == 0 and row.line.pixels.max() >= 250
    middle = LINE_MARGIN + (b0 + b1) / 2 * row.line.to_source.scale  # the line column of group 1's middle
    assert row.nearest(middle, [0, 1, 2]) == 1
    assert abs(row.group_column(1, middle) - 11) < 1.5  # its strokes span columns 0-21 of the group


def test_a_rejected_digit_is_read_in_its_row_when_the_reading_agrees_with_its_neighbours():
    groups = [_group(0), _group(30), _group(60), _group(90)]
    texts = ["4", None, "2", "8"]
    choices = [set(), {7, 1}, set(), set()]
    row = row_input(groups)
    reader = _Reader(lambda _: _reading("4728", row, [0, 1, 2, 3]))
    placed = read_rows(groups, texts, choices, reader, SURE)
    assert list(placed) == [1]
    [(column, digit)] = placed[1]
    assert int(digit.probabilities.argmax()) == 7 and 5 < column < 17
    assert len(reader.inputs) == 1 and reader.inputs[0].shape[0] == 1  # one row, all four groups


def test_a_reading_that_disagrees_is_not_taken():
    groups = [_group(0), _group(30), _group(60)]
    row = row_input(groups)
    cases = {
        "a neighbour read otherwise": ("572", {7, 1}),
        "the digit model's top two lack the digit": ("472", {1, 9}),
        "no digit in the rejected group": ("42", {7, 1}),
    }
    for why, (text, choices) in cases.items():
        at = [0, 1, 2] if len(text) == 3 else [0, 2]
        reader = _Reader(lambda _, text=text, at=at: _reading(text, row, at))
        assert read_rows(groups, ["4", None, "2"], [set(), choices, set()], reader, SURE) == {}, why


def test_an_unsure_reading_or_a_lone_or_distant_rejected_group_is_not_read():
    sure = _Reader(lambda _: _reading("47"))
    unsure = _Reader(lambda _: _reading("47"))
    strict = ReadingPolicy(Acceptance(line=0.99))  # the reader's 0.95 falls short of it
    near = [_group(0), _group(30)]
    assert read_rows(near, ["4", None], [set(), {7}], unsure, strict) == {}
    assert len(unsure.inputs) == 1  # read, and refused
    far = [_group(0), _group(200)]  # 180 px apart: more than a digit's height
    low = [_group(0), _group(30, y=160)]  # not level
    small = [_group(0), _group(30, height=15)]  # not of a height
    for groups in (far, low, small):
        assert read_rows(groups, ["4", None], [set(), {7}], sure, SURE) == {}
    assert read_rows(near, [None, None], [{4}, {7}], sure, SURE) == {}  # no accepted digit in the row
    assert sure.inputs == []
