"""The order in which accepted digits are read: lines top to bottom, each left to right, slanted or not."""

import numpy as np

from edge_runtime.reading.decide import reading_lines
from edge_runtime.reading.groups import DigitCrop, Piece


def _line(digits: str, left: int, top: int, rise: int) -> list[Piece]:
    """Digits 40 px wide and 60 tall, 50 px apart, each `rise` pixels higher than the one before."""
    pieces = []
    for i, digit in enumerate(digits):
        probabilities = np.full(10, 0.01)
        probabilities[int(digit)] = 0.91
        box = (left + 50 * i, top - rise * i, 40, 60)
        pieces.append(Piece(DigitCrop(box, np.zeros((28, 28), np.uint8)), probabilities))
    return pieces


def _read(pieces: list[Piece]) -> str:
    return "".join(str(p.label) for line in reading_lines(pieces) for p in line)


def test_a_slanted_line_is_read_as_one_line_left_to_right():
    # the last digit's middle is over 3 digit heights above the first one's: no band of rows holds the line
    up = _line("123456789", 0, 600, 25)
    down = _line("987654321", 0, 100, -25)
    assert _read(up[::-1]) == "123456789"
    assert _read(down[::2] + down[1::2]) == "987654321"


def test_lines_are_read_top_to_bottom():
    upper, lower = _line("2024", 0, 100, 12), _line("0815", 30, 220, -12)
    assert _read(lower + upper) == "20240815"
    # two slanted lines, the lower one starting right of the upper one's end
    assert _read(_line("123", 0, 300, 20) + _line("456", 200, 450, 20)) == "123456"
