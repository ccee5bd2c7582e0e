"""Separators kept: `text` writes what was between the digits (`.` `,` `:` `-` `/`, spaces), `number` the
digits alone, `groups` each run of digits; unit tests on hand-drawn marks, then printed strings
photographed by the project's own photo code and read through `edge classify --json`."""

from __future__ import annotations

import json
import subprocess
import sys

import cv2
import numpy as np
import pytest

from edge_runtime.interpreter import DigitModel
from edge_runtime.packaged import PACKAGED_MODEL
from edge_runtime.reading import read_digits
from edge_runtime.reading.decide import looks_like_a_colon
from edge_runtime.reading.geometry import Transform
from edge_runtime.reading.separators import write_lines
from edge_runtime.samples import paper_photo, write_image

H = 40  # digit height in the hand-made lines
DIGIT_W = 24
FONTS = (
    cv2.FONT_HERSHEY_SIMPLEX,
    cv2.FONT_HERSHEY_DUPLEX,
    cv2.FONT_HERSHEY_TRIPLEX,
    cv2.FONT_HERSHEY_COMPLEX,
)


def _line(*items: str | tuple[int, int, int, int]) -> tuple[list[tuple[str, tuple]], np.ndarray]:
    """A binary image and its (digit, box) line: a digit string is a filled 24x40 box, a tuple a mark
    (dx from the previous digit's right edge, y from the digits' top, width, height)."""
    binary = np.zeros((120, 400), np.uint8)
    line, x, top = [], 10, 40
    for item in items:
        if isinstance(item, str):
            if item == " ":
                x += 20
                continue
            cv2.rectangle(binary, (x, top), (x + DIGIT_W - 1, top + H - 1), 255, cv2.FILLED)
            line.append((item, (x, top, DIGIT_W, H)))
            x += DIGIT_W + 4
        else:
            dx, y, w, h = item
            cv2.rectangle(binary, (x + dx, top + y), (x + dx + w - 1, top + y + h - 1), 255, cv2.FILLED)
            x += dx + w + 4
    return line, binary


@pytest.mark.parametrize(
    "items, text",
    [
        (("1", "2", (1, 34, 6, 6), "5", "0"), "12.50"),  # a dot on the baseline
        (("3", (1, 32, 5, 13), "9", "9"), "3,99"),  # a comma reaches below it
        (("3", (1, 24, 9, 12), "9", "9"), "3,99"),  # or, large, is taller than wide (a doodled comma)
        (("1", "2", (1, 32, 7, 8), "5", "0"), "12.50"),  # a small dot a little taller than wide
        (("1", "2", (1, 37, 6, 6), "5", "0"), "12.50"),  # a round dot a little below (a display's point)
        (("1", "2", (1, 8, 6, 6), (-10, 26, 6, 6), "4", "5"), "12:45"),  # two dots stacked
        (("2", "1", (1, 16, 9, 9), (-13, 34, 9, 9), "3", "4"), "21:34"),  # a low colon (a doodled font's)
        (("2", "0", (1, 18, 12, 4), "0", "5"), "20-05"),  # a bar at middle height
        (("1", "7", (1, -2, 47, 44), "0", "5"), "17/05"),  # an italic bold slash's wide box
        (("1", "7", (1, -2, 6, 44), "0", "5"), "17/05"),  # a tall thin stroke
        (("5", "5", "5", " ", "0", "1", "2", "3"), "555 0123"),  # a blank far wider than the others
        (("1", "2", "3", "4"), "1234"),
    ],
)
def test_the_mark_between_two_digits_is_written_between_them(items, text):
    line, binary = _line(*items)
    written = write_lines([line], binary, Transform())
    assert written.text == text
    runs = text.replace(".", " ").replace(",", " ").replace(":", " ").replace("-", " ").replace("/", " ")
    assert [g.digits for g in written.groups] == runs.split()


def test_a_display_s_1_lit_at_its_cell_s_right_opens_no_space_but_a_wide_blank_before_it_does():
    def line(first_one_x: int) -> tuple[list[tuple[str, tuple]], np.ndarray]:
        binary = np.zeros((120, 400), np.uint8)
        cells = [("3", 10, 24), ("9", 38, 24), ("9", 66, 24), ("1", first_one_x, 6)]
        cells.append(("2", first_one_x + 10, 24))
        for _, x, w in cells:
            cv2.rectangle(binary, (x, 40), (x + w - 1, 79), 255, cv2.FILLED)
        return [(d, (x, 40, w, H)) for d, x, w in cells], binary

    display, binary = line(112)  # the 1's cell is 94-117, the same pitch as the others': lit at its right
    assert write_lines([display], binary, Transform()).text == "39912"
    spaced, binary = line(150)  # a blank as wide as a digit more before it
    assert write_lines([spaced], binary, Transform()).text == "399 12"


def test_groups_carry_their_boxes_and_lines_are_joined_by_a_space():
    first, binary = _line("1", "2", (1, 18, 12, 4), "3")
    written = write_lines([first, [("9", (10, 90, 24, 20))]], binary, Transform())
    assert written.text == "12-3 9"
    assert [g.to_json() for g in written.groups] == [
        {"digits": "12", "box": [10, 40, 52, 40]},
        {"digits": "3", "box": [83, 40, 24, 40]},
        {"digits": "9", "box": [10, 90, 24, 20]},
    ]
    assert write_lines([], binary, Transform()).text is None


def test_specks_and_marks_of_another_line_are_not_separators():
    line, binary = _line("1", (1, 20, 1, 1), "2", (1, -20, 6, 30), "3")  # a speck; ink from the line above
    assert write_lines([line], binary, Transform()).text == "123"


def test_a_sliver_above_both_digits_is_not_a_colon_s_upper_dot():
    # a tag's edge joined to the 1 raises its box; a piece of that edge between the digits lies above
    # both digits' tops, and the point below is a full stop, not a colon's lower dot
    binary = np.zeros((120, 400), np.uint8)
    six, one = (10, 40, 24, H), (48, 20, 24, H + 20)
    for x, y, w, h in (six, one):
        cv2.rectangle(binary, (x, y), (x + w - 1, y + h - 1), 255, cv2.FILLED)
    binary[22:24, 36:44] = 255  # the sliver of edge
    binary[72:78, 38:44] = 255  # the point
    assert write_lines([[("6", six), ("1", one)]], binary, Transform()).text == "6.1"


def test_a_colon_is_two_filled_dots_of_one_size_one_above_the_other():
    colon = np.zeros((28, 28), np.uint8)
    colon[4:10, 11:17] = colon[18:24, 11:17] = 255
    eight = colon.copy()
    eight[10:18, 11:17] = 255  # joined: one component
    ring = np.zeros((28, 28), np.uint8)
    cv2.circle(ring, (14, 9), 5, 255, 1)
    cv2.circle(ring, (14, 20), 5, 255, 1)  # two loops: not filled
    assert looks_like_a_colon(colon)
    assert not looks_like_a_colon(eight) and not looks_like_a_colon(ring)


# --- printed strings, photographed, through edge classify --json ----------------------------------

PRINTED = ["12.50", "2024-05-17", "12:45", "555 0123"]
PER_TEXT = 20
MIN_RIGHT = 17  # of 20: text and number both right (the packaged model read 19-20 of each here)


def printed_photo(text: str, rng: np.random.Generator) -> np.ndarray:
    """`text` printed in one of OpenCV's Hershey fonts, photographed on paper by `samples.paper_photo`
    (digits 25-55 px tall in a 640x480 frame, some tilt, shadow, ruling and noise)."""
    font, thickness = FONTS[int(rng.integers(len(FONTS)))], int(rng.integers(2, 5))
    scale = cv2.getFontScaleFromHeight(font, 48, thickness)
    (width, height), baseline = cv2.getTextSize(text, font, scale, thickness)
    tile = np.zeros((height + baseline + 24, width + 24), np.uint8)
    cv2.putText(tile, text, (12, height + 12), font, scale, 255, thickness, cv2.LINE_AA)
    return paper_photo([tile], rng, digit_height=int(rng.integers(40, 90)), pitch=1.0)


@pytest.fixture(scope="module")
def printed(tmp_path_factory) -> dict[str, list]:
    """Each printed string photographed `PER_TEXT` times, read through the real CLI."""
    folder = tmp_path_factory.mktemp("printed")
    rng = np.random.default_rng(7)
    paths = {}
    for index, text in enumerate(PRINTED):
        for i in range(PER_TEXT):
            paths[write_image(folder / f"{index}-{i:02d}.png", printed_photo(text, rng))] = text
    command = [sys.executable, "-m", "edge_runtime", "classify", *map(str, paths), "--json"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    readings = {json.loads(line)["path"]: json.loads(line) for line in result.stdout.splitlines()}
    return {text: [readings[str(p)] for p, t in paths.items() if t == text] for text in PRINTED}


@pytest.mark.parametrize("text", PRINTED)
def test_printed_numbers_keep_their_separators_in_text_and_only_digits_in_number(printed, text):
    readings = printed[text]
    digits = "".join(c for c in text if c.isdigit())
    right = [r["text"] == text and r["number"] == digits for r in readings]
    assert sum(right) >= MIN_RIGHT, [r["text"] for r in readings]
    r = next(r for r, ok in zip(readings, right, strict=True) if ok)
    runs = text.replace(".", " ").replace(":", " ").replace("-", " ").split()
    assert [g["digits"] for g in r["groups"]] == runs


def test_a_separator_never_voids_the_digits_beside_it():
    """The date's hyphen and the time's colon once joined or stood level with the digits as a rejected
    region, and no digit was read at all."""
    model = DigitModel(PACKAGED_MODEL, threads=1)
    rng = np.random.default_rng(11)
    for text in ("2024-05-17", "12:45"):
        numbers = [read_digits(model, printed_photo(text, rng)).number for _ in range(10)]
        assert numbers.count(None) <= 1, numbers
