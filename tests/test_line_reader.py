"""The line reader's runtime side, without TensorFlow: its input, greedy CTC decoding, how the
manifest names it and how a missing or edited reader is refused, and what it reads with the fixture."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from edge_runtime.interpreter import DigitModel
from edge_runtime.line_reader import STEP_COLUMNS, decode
from edge_runtime.packaged import PACKAGED_MODEL
from edge_runtime.reading.inputs import LINE_MARGIN, to_line
from ground.contract import LINE_BLANK, LINE_INK_HEIGHT, LINE_SHAPE, LINE_STEPS, NUM_CLASSES
from ground.errors import EdgeError

FIXTURE = PACKAGED_MODEL


def _logits(path: list[int], sure: float = 8.0) -> np.ndarray:
    """(steps, 11) logits whose best class at step t is path[t] (the rest of the steps blank)."""
    logits = np.zeros((LINE_STEPS, NUM_CLASSES + 1), np.float32)
    classes = path + [LINE_BLANK] * (LINE_STEPS - len(path))
    logits[np.arange(LINE_STEPS), classes] = sure
    return logits


def test_decoding_merges_runs_and_drops_blanks():
    reading = decode(_logits([0, 4, 4, 0, 1, 0, 0, 1, 1, 8]))  # 3, 0, 0, 7 (digit d is class d + 1)
    assert reading.text == "3007"
    assert [d.start for d in reading.digits] == [
        1 * STEP_COLUMNS,
        4 * STEP_COLUMNS,
        7 * STEP_COLUMNS,
        9 * STEP_COLUMNS,
    ]
    assert reading.digits[0].stop == 3 * STEP_COLUMNS
    assert 0.99 < reading.confidence <= 1.0


def test_a_line_of_blanks_is_no_number_and_a_weak_digit_makes_a_weak_reading():
    assert decode(_logits([])).text == "" and decode(_logits([])).digits == []
    weak = _logits([0, 6, 0, 3])
    weak[1, 9] = 7.5  # "8" nearly as likely as "5" at the first digit's step
    reading = decode(weak)
    assert reading.text == "52"
    assert 0.3 < reading.confidence < 0.7
    assert reading.digits[0].probabilities.argmax() == 5 and reading.digits[0].probabilities[8] > 0.3


def test_a_group_is_scaled_to_the_line_height_and_its_columns_map_back():
    ink = np.zeros((60, 200), np.uint8)
    ink[5:55, 40:160] = 200  # 50 rows of ink from column 40 to 159
    line = to_line(ink)
    assert line.pixels.shape == LINE_SHAPE
    rows, columns = np.nonzero(line.pixels)
    assert rows.max() - rows.min() + 1 == LINE_INK_HEIGHT and columns.min() == LINE_MARGIN
    assert line.to_source.column(LINE_MARGIN) == pytest.approx(40)
    assert line.to_source.column(columns.max() + 1) == pytest.approx(160, abs=1.5)


def test_a_group_too_wide_for_the_line_is_scaled_to_its_width():
    ink = np.full((20, 400), 255, np.uint8)
    rows, columns = np.nonzero(to_line(ink).pixels)
    assert columns.max() + 1 == LINE_SHAPE[1] - LINE_MARGIN and rows.max() - rows.min() + 1 < LINE_INK_HEIGHT


@pytest.fixture
def exported(tmp_path) -> Path:
    """A copy of the fixture, its manifest and its line reader."""
    for source in (FIXTURE, FIXTURE.with_suffix(".json"), FIXTURE.with_name("line_reader_int8.tflite")):
        shutil.copy(source, tmp_path / source.name)
    return tmp_path / FIXTURE.name


def test_the_fixture_loads_its_line_reader_with_the_threshold_export_chose(exported):
    model = DigitModel(exported, threads=1)
    record = model.manifest["line_reader"]
    assert model.line_reader is not None
    assert model.line_reader.accept_threshold == record["accept_threshold"]
    assert record["validation"]["exact_pct"] >= record["validation"]["float_exact_pct"] - 1.0
    assert DigitModel(exported, threads=1, line_reader=False).line_reader is None


def test_a_missing_or_edited_line_reader_is_refused(exported):
    reader = exported.with_name("line_reader_int8.tflite")
    data = bytearray(reader.read_bytes())
    data[-1] ^= 0x01
    reader.write_bytes(bytes(data))
    with pytest.raises(EdgeError, match="not the line reader its manifest records"):
        DigitModel(exported, threads=1)
    assert DigitModel(exported, threads=1, verify=False).line_reader is not None
    reader.unlink()
    with pytest.raises(EdgeError, match="line_reader_int8.tflite"):
        DigitModel(exported, threads=1)


def test_the_manifest_without_a_line_reader_reads_without_one(exported):
    manifest = json.loads(exported.with_suffix(".json").read_text())
    del manifest["line_reader"]
    exported.with_suffix(".json").write_text(json.dumps(manifest))
    assert DigitModel(exported, threads=1).line_reader is None


def _piece(probabilities: dict[int, float], box=(0, 0, 10, 20)):
    from edge_runtime.reading.groups import DigitCrop, Piece

    vector = np.full(NUM_CLASSES, 0.01, np.float32)
    for digit, p in probabilities.items():
        vector[digit] = p
    return Piece(DigitCrop(box, np.zeros((28, 28), np.uint8)), vector)


def test_the_readers_digits_are_placed_on_the_cut_pieces_likeliest_to_show_them():
    from edge_runtime.line_reader import LineDigit, LineReading
    from edge_runtime.reading.policy import DEFAULT
    from edge_runtime.reading.recognise import _placed_on_pieces

    cuts = [0, 20, 25, 45]  # the stretch 20-25 is narrow: it may be left out
    pieces = [
        (0, 1, _piece({3: 0.9}, (0, 0, 20, 40))),
        (0, 2, _piece({3: 0.2, 8: 0.7}, (0, 0, 25, 40))),
        (1, 3, _piece({7: 0.3}, (20, 0, 25, 40))),
        (2, 3, _piece({7: 0.8}, (25, 0, 20, 40))),
        (0, 3, _piece({1: 0.9}, (0, 0, 45, 40))),
    ]
    said = [np.eye(NUM_CLASSES, dtype=np.float32)[d] * 0.95 for d in (3, 7)]
    reading = LineReading([LineDigit(0, 8, said[0]), LineDigit(12, 20, said[1])])
    placed = _placed_on_pieces(cuts, pieces, 40, reading, DEFAULT)
    assert [p.crop.box for p in placed] == [(0, 0, 20, 40), (25, 0, 20, 40)]  # 0.9 * 0.5 (skip) * 0.8 wins
    assert [p.label for p in placed] == [3, 7] and placed[1].score == pytest.approx(0.95)
    three = LineReading([LineDigit(0, 4, said[0])] * 3)
    assert _placed_on_pieces(cuts, pieces, 40, three, DEFAULT) is None  # no chain of three pieces


def test_one_digit_the_reader_is_sure_of_counts_only_among_the_digit_models_two_likeliest():
    from edge_runtime.line_reader import LineDigit, LineReading
    from edge_runtime.reading.policy import Acceptance, ReadingPolicy
    from edge_runtime.reading.recognise import _one_sure_digit

    policy = ReadingPolicy(Acceptance(line=0.7))  # the line reader's readings count from 0.7
    whole = _piece({5: 0.3, 6: 0.25, 8: 0.2})
    sure_six = LineReading([LineDigit(0, 8, np.eye(NUM_CLASSES, dtype=np.float32)[6] * 0.9)])
    assert _one_sure_digit(whole, sure_six, policy).label == 6  # the digit model's second choice
    assert _one_sure_digit(_piece({5: 0.3, 8: 0.2}), sure_six, policy) is None  # not among its two
    assert _one_sure_digit(whole, LineReading([sure_six.digits[0]] * 2), policy) is None  # two digits
    weak = LineReading([LineDigit(0, 8, np.eye(NUM_CLASSES, dtype=np.float32)[6] * 0.6)])
    assert _one_sure_digit(whole, weak, policy) is None


def test_a_rejected_group_joins_the_number_as_the_readers_digit_only_level_with_accepted_digits():
    from edge_runtime.reading.decide import _with_digits_in_line
    from edge_runtime.reading.policy import DEFAULT
    from edge_runtime.reading.recognise import GroupReading

    accepted = [_piece({4: 0.9}, (0, 100, 30, 50)), _piece({2: 0.9}, (80, 100, 30, 50))]
    level = GroupReading(None, [], _piece({7: 0.2}, (40, 102, 30, 48)), _piece({1: 0.9}, (40, 102, 30, 48)))
    far = GroupReading(None, [], _piece({7: 0.2}, (40, 400, 30, 48)), _piece({1: 0.9}, (40, 400, 30, 48)))
    plain = GroupReading(None, [], _piece({3: 0.2}, (120, 100, 30, 50)))
    readings = [GroupReading(None, accepted), level, far, plain]
    digits, rejected = _with_digits_in_line(readings, DEFAULT.decide)
    assert [d.label for d in digits] == [4, 2, 1]
    assert [r.crop.box[1] for r in rejected] == [400, 100]  # the far one and the one without a digit


def test_a_readers_mark_beyond_the_groups_ink_still_cuts_between_its_digits_whose_boxes_span_the_group():
    from edge_runtime.line_reader import LineDigit
    from edge_runtime.reading.cuts import cut_at_marks
    from edge_runtime.reading.geometry import Transform
    from edge_runtime.reading.groups import Group
    from edge_runtime.reading.policy import DEFAULT

    mask = np.zeros((40, 36), np.uint8)
    mask[12:38, 2:6] = 255  # a short 1
    mask[2:6, 6:34] = mask[2:38, 30:34] = 255  # a 7 touching it
    group = Group((0, 0, 36, 40), mask.copy(), mask, Transform(), 128)
    said = np.eye(NUM_CLASSES, dtype=np.float32)
    digits = [LineDigit(0, 2, said[1]), LineDigit(12, 14, said[7])]
    probabilities = [d.probabilities for d in digits]
    pieces = cut_at_marks(group, [-6.0, 18.0], probabilities, DEFAULT.cut)  # the first mark: left of the ink
    assert [p.label for p in pieces] == [1, 7]
    assert pieces[0].crop.box[0] == 2 and pieces[0].crop.box[2] <= 6 and pieces[1].crop.box[0] >= 6
    assert [p.crop.box[1::2] for p in pieces] == [(2, 36), (2, 36)]  # the 1's ink starts at row 12


def test_marks_on_a_group_too_narrow_to_cut_between_them_give_no_pieces_and_no_crash():
    from edge_runtime.reading.cuts import cut_at_marks
    from edge_runtime.reading.geometry import Transform
    from edge_runtime.reading.groups import Group
    from edge_runtime.reading.policy import DEFAULT

    mask = np.zeros((60, 12), np.uint8)  # a chalk streak 12 px wide: 6 px of margin each side leave no room
    mask[5:55, 3:9] = 255
    group = Group((0, 0, 12, 60), mask.copy(), mask, Transform(), 128)
    said = np.eye(NUM_CLASSES, dtype=np.float32)
    assert cut_at_marks(group, [2.0, 9.0], [said[1], said[1]], DEFAULT.cut) is None
    assert len(cut_at_marks(group, [6.0], [said[1]], DEFAULT.cut)) == 1  # one mark: the group whole


def test_the_reader_reads_the_groups_that_are_cut_and_the_tallest_rejected_narrow_ones():
    from edge_runtime.reading.geometry import Transform
    from edge_runtime.reading.groups import Group
    from edge_runtime.reading.policy import Acceptance, ReadingPolicy
    from edge_runtime.reading.recognise import _readable

    def group(width: int, height: int) -> Group:
        mask = np.zeros((height, width), np.uint8)
        return Group((0, 0, width, height), mask, mask, Transform(), 128)

    groups = [group(90, 40), group(400, 40), group(30, 40)] + [group(20, 30 + i) for i in range(20)]
    wholes = [_piece({2: 0.2}), _piece({2: 0.2}), _piece({1: 0.9})] + [_piece({7: 0.2})] * 20
    policy = ReadingPolicy(Acceptance(digit=0.4))
    read = _readable(groups, wholes, [0, 1], policy)
    # the wide band is too wide to read, the accepted 1 needs no reading, the narrow ones tallest first
    assert read == [0] + list(range(22, 22 - policy.line.max_narrow_lines, -1))
