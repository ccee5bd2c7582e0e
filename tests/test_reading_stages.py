"""Each stage of the reading on tiny hand-made inputs, without MNIST or a trained model."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path
from types import SimpleNamespace

import cv2
import numpy as np
import pytest

from edge_runtime.reading import policy as policy_module
from edge_runtime.reading.cuts import Edge, best_chain
from edge_runtime.reading.decide import (
    Decision,
    contrast,
    decide,
    reading_lines,
    without_a_lone_digit_off_surfaces,
    without_a_lone_speck,
    without_an_unsure_digit_on_a_surface,
    without_faint_lines,
    without_glare_bands,
    without_unsure_lone_digits,
)
from edge_runtime.reading.find import find_groups, strokes
from edge_runtime.reading.geometry import Transform, crop_roi, level
from edge_runtime.reading.groups import (
    DigitCrop,
    Group,
    Piece,
    centre_line,
    crop_piece,
    filled_outline,
    input_ink,
    stroke_width,
    widened_hairline,
)
from edge_runtime.reading.ink import (
    InkImage,
    darkest_channel,
    ink_image,
    lit_as_ink,
    lit_without_bands,
    strongest_ink,
    weaker_ink_is_a_band,
)
from edge_runtime.reading.inputs import LINE_MARGIN, to_line
from edge_runtime.reading.nesting import framed_holes, nesting, surfaces, unframed_blobs
from edge_runtime.reading.policy import DEFAULT, ReadingPolicy, tuned_values
from edge_runtime.reading.recognise import GroupReading, read_groups
from edge_runtime.reading.segments import segment_digits

# --- the cut-graph solver -------------------------------------------------------------------------


def _piece(label: int, p: float, box=(0, 0, 10, 20)) -> Piece:
    probabilities = np.full(10, (1 - p) / 9, np.float32)
    probabilities[label] = p
    return Piece(DigitCrop(box, np.zeros((28, 28), np.uint8)), probabilities)


def _sum_of_logs(state: int, edge: Edge) -> tuple[int, float]:
    gain = np.log(0.5) if edge.piece is None else np.log(edge.piece.score)
    return state + (edge.piece is not None), float(gain)


def test_the_solver_takes_the_chain_with_the_highest_summed_gain():
    # cuts 0..3: one wide piece 0→3 (0.9), or three pieces 0→1→2→3 (0.95 each), or 0→2 + 2→3
    edges = [
        Edge(0, 3, _piece(8, 0.9)),
        Edge(0, 1, _piece(1, 0.95)),
        Edge(1, 2, _piece(2, 0.95)),
        Edge(2, 3, _piece(3, 0.95)),
        Edge(0, 2, _piece(4, 0.99)),
    ]
    total, chain = best_chain(edges, 3, 0, _sum_of_logs, ends=[1, 2, 3])
    assert [p.label for p in chain] == [4, 3]  # 0.99 * 0.95 beats 0.9 and 0.95³
    assert total == pytest.approx(np.log(0.99) + np.log(0.95))
    _, three = best_chain(edges, 3, 0, _sum_of_logs, ends=[3])  # only chains of three pieces count
    assert [p.label for p in three] == [1, 2, 3]


def test_the_solver_follows_the_states_rules_and_skips_cost_but_add_no_piece():
    edges = [Edge(0, 1, _piece(5, 0.9)), Edge(1, 2), Edge(2, 3), Edge(1, 3, _piece(7, 0.2))]

    def no_two_skips(state: bool, edge: Edge) -> tuple[bool, float] | None:
        if edge.piece is None:
            return None if state else (True, float(np.log(0.5)))
        return False, float(np.log(edge.piece.score))

    total, chain = best_chain(edges, 3, False, no_two_skips, ends=[False, True])
    assert [p.label for p in chain] == [5, 7]  # skipping 1→2→3 would be two skips in a row
    assert total == pytest.approx(np.log(0.9) + np.log(0.2))
    _, skipped = best_chain(edges, 3, 0, _sum_of_logs, ends=[1])  # skips allowed: 0.5² beats 0.2
    assert [p.label for p in skipped] == [5]


def test_the_solver_answers_none_without_a_chain_to_the_last_cut():
    edges = [Edge(0, 1, _piece(1, 0.9)), Edge(2, 3, _piece(2, 0.9))]
    assert best_chain(edges, 3, 0, _sum_of_logs, ends=[0, 1, 2]) is None
    assert best_chain([Edge(0, 1, _piece(1, 0.9))], 1, 0, _sum_of_logs, ends=[5]) is None


# --- geometry ---------------------------------------------------------------------------------------


def test_a_transform_and_its_inverse_round_trip_and_compose_as_applied_one_after_the_other():
    group = Transform((12.5, 40.0), 0.75)  # group pixels → working copy
    work = Transform((0.0, 0.0), 0.5)  # working copy → frame
    roi = Transform((100, 60))  # region of interest → frame
    for x, y in [(0, 0), (3.5, 7.25), (200, 90)]:
        assert group.inner_point(*group.point(x, y)) == pytest.approx((x, y))
        chained = roi.point(*work.point(*group.point(x, y)))
        assert group.then(work).then(roi).point(x, y) == pytest.approx(chained)
    assert group.box((4, 8, 30, 60)) == pytest.approx((12.5 + 4 / 0.75, 40 + 8 / 0.75, 40, 80))
    assert work.pixel_box((10, 21, 5, 7)) == (20, 42, 10, 14)


def test_a_region_of_interest_maps_boxes_read_inside_it_back_to_the_frame():
    image = np.arange(100 * 80, dtype=np.uint16).reshape(80, 100)
    part, to_frame = crop_roi(image, (30, 20, 40, 50))
    assert part.shape == (50, 40)
    x, y = to_frame.point(5, 7)
    assert part[7, 5] == image[int(y), int(x)]
    whole, identity = crop_roi(image, None)
    assert whole is image and identity.pixel_box((1, 2, 3, 4)) == (1, 2, 3, 4)


def test_a_line_input_maps_its_columns_back_to_the_groups():
    ink = np.zeros((40, 120), np.uint8)
    ink[5:35, 30:90] = 200  # 60 columns of ink from column 30
    line = to_line(ink).moved(7)  # the ink image starts 7 columns into its group
    assert line.to_source.column(LINE_MARGIN) == pytest.approx(30 + 7)
    right = LINE_MARGIN + 60 * line.to_source.scale
    assert line.to_source.column(right) == pytest.approx(90 + 7)


@pytest.mark.parametrize(
    ("a", "b", "ratio", "expected"),
    [
        ((0, 100, 30, 50), (40, 105, 30, 48), 0.5, True),  # side by side
        ((0, 100, 30, 50), (40, 170, 30, 50), 0.5, False),  # the next line
        ((0, 100, 30, 50), (40, 110, 10, 12), 0.5, False),  # a dot: too short to be a digit beside it
        ((0, 100, 30, 50), (40, 110, 10, 12), 0.0, True),  # ...but on the line for the reading order
        ((0, 100, 30, 50), (40, 124, 30, 60), 0.5, True),  # slanted: one middle within the other's rows
    ],
)
def test_one_level_rule(a, b, ratio, expected):
    assert level(a, b, ratio) == level(b, a, ratio) == expected


# --- decide -----------------------------------------------------------------------------------------


def _accepted(label: int, box, p: float = 0.95) -> GroupReading:
    return GroupReading(None, [_piece(label, p, box)])


def _rejected(box, in_line: Piece | None = None, p: float = 0.3) -> GroupReading:
    """A rejected region: an unreadable digit near the bar (0.3), or like no digit at all (0.1)."""
    return GroupReading(None, [], _piece(4, p, box), in_line)


def _text(decision) -> list[str]:
    return ["".join(str(p.label) for p in line) for line in decision.lines]


def test_a_level_rejected_region_voids_the_line_but_one_elsewhere_does_not():
    digits = [_accepted(1, (0, 100, 30, 50)), _accepted(2, (80, 100, 30, 50))]
    voided = decide([*digits, _rejected((40, 102, 30, 48))])  # amid them: a letter or an unreadable digit
    assert voided.lines == [] and len(voided.rejected) == 3
    kept = decide([*digits, _rejected((40, 400, 30, 48))])
    assert ["".join(str(p.label) for p in line) for line in kept.lines] == ["12"]


def test_a_sure_number_on_a_line_of_its_own_stays_read_when_a_gap_voids_the_digits_of_another_line():
    number = [_accepted(label, (40 * k, 100, 30, 50)) for k, label in enumerate((3, 7, 3))]
    grain = [_accepted(1, (20, 300, 8, 50)), _rejected((60, 302, 30, 48)), _accepted(1, (110, 300, 8, 50))]
    assert _text(decide([*number, *grain])) == ["373"]  # a display above a wood grain's streaks
    unsure = [*number[:2], _accepted(3, (80, 100, 30, 50), DEFAULT.decide.apart_line_score - 0.05)]
    assert decide([*unsure, *grain]).lines == []  # perhaps a word whose letters look like digits
    assert decide([number[0], *grain]).lines == []  # one digit alone is no sure number
    assert decide([*number, _rejected((120, 102, 30, 48)), *grain]).lines == []  # a gap beside it too


def test_a_sign_at_a_surely_read_numbers_end_does_not_void_it_but_an_unsure_number_or_a_middle_one_does():
    digits = [_accepted(6, (40, 100, 30, 50), 0.9), _accepted(9, (80, 100, 30, 50), 0.9)]
    assert _text(decide([_rejected((0, 98, 30, 54), p=0.1), *digits])) == ["69"]  # €69
    assert _text(decide([*digits, _rejected((130, 98, 30, 54), p=0.1)])) == ["69"]  # 69 €, after a space
    assert _text(decide([*digits, _rejected((130, 98, 30, 54), p=0.4)])) == ["69"]  # a doodled €
    assert decide([*digits, _rejected((120, 98, 30, 54), p=0.1)]).lines == []  # as near: SHOP read 540
    unsure = [_accepted(6, (40, 100, 30, 50), 0.6), _accepted(9, (80, 100, 30, 50), 0.9)]
    assert decide([*unsure, _rejected((130, 98, 30, 54), p=0.1)]).lines == []  # a word's letters
    middle = [*digits, _rejected((120, 98, 30, 54), p=0.1), _accepted(1, (160, 100, 30, 50), 0.9)]
    assert decide(middle).lines == []
    ones = [_accepted(1, (x, 100, 10, 50), 0.95) for x in (40, 70, 100)]
    assert _text(decide(ones)) == ["111"]
    assert decide([_rejected((0, 98, 30, 54), p=0.1), *ones]).lines == []  # OPEN's O, its E and N's strokes


def test_an_unsure_digit_in_a_number_of_three_or_more_is_read_two_on_paper_but_not_three_nor_like_no_digit():
    def read(regions: list, policy=DEFAULT.decide) -> list[str]:
        return _text(decide(regions, policy, unsure_digits=True))

    digits = [_accepted(d, (x, 100, 30, 50), 0.7) for d, x in ((3, 0), (9, 40), (6, 120), (7, 160))]
    amid = _rejected((80, 100, 30, 50))  # read as a 4 at 0.3: an outlined or a hairline digit
    assert read([*digits, amid]) == ["39467"]
    assert decide([*digits, amid]).lines == []  # the looks are compared without it
    assert read([*digits, amid, _rejected((200, 100, 30, 50))]) == []  # two: a word's letters
    on_paper = DEFAULT.decide.on_paper()
    assert read([*digits, amid, _rejected((200, 100, 30, 50))], on_paper) == ["394674"]  # outlined
    three = [amid, _rejected((200, 100, 30, 50)), _rejected((-40, 100, 30, 50))]
    assert read([*digits, *three], on_paper) == []  # three on paper: a word's letters
    assert read([*digits[:2], amid, _rejected((-40, 100, 30, 50))], on_paper) == []  # beside two digits
    assert read([*digits[:2], amid]) == []  # beside two digits: "No 12"'s o
    assert read([*digits, _rejected((80, 100, 30, 50), p=0.1)]) == []  # like no digit
    assert read([*digits, _rejected((80, 100, 70, 50))]) == []  # two digits' width: a word
    cut = GroupReading(None, [_piece(1, 0.7, (120, 100, 15, 50)), _piece(7, 0.7, (135, 100, 15, 50))])
    assert read([*digits[:2], amid, cut]) == []  # beside a blob cut in two: a word's n read as 17
    end = _rejected((200, 100, 30, 50))
    assert read([*digits, end]) == []  # at its end in colour: a sign, a unit
    assert read([*digits, end], DEFAULT.decide.on_paper()) == ["39674"]  # on paper: a digit
    sure = [_accepted(d, (x, 100, 30, 50), 0.95) for d, x in ((3, 0), (9, 40), (6, 120), (7, 160))]
    spaced = _rejected((210, 100, 30, 50))
    assert read([*sure, spaced], DEFAULT.decide.on_paper()) == ["3967"]  # a sign after a sure number
    assert read([*sure, end], DEFAULT.decide.on_paper()) == ["39674"]  # no space before it: its digit


def test_1s_alone_on_two_lines_or_more_are_an_edge_in_pieces_but_a_line_of_1s_is_a_number():
    stacked = [_accepted(1, (100, 0, 8, 50)), _accepted(1, (102, 80, 8, 50))]
    assert decide(stacked).lines == []
    assert _text(decide([_accepted(1, (100, 0, 8, 50)), _accepted(1, (140, 0, 8, 50))])) == ["11"]
    assert _text(decide([_accepted(1, (100, 0, 8, 50))])) == ["1"]


def test_a_lone_bar_with_a_step_in_the_ground_across_it_or_at_the_views_side_is_an_edge():
    from edge_runtime.reading.decide import without_wall_edges

    wall = np.full((200, 400), 200, np.uint8)
    wall[:, 200:] = 100  # a phone's or a tag's side against its wall
    edge = _accepted(1, (196, 50, 6, 50))
    assert without_wall_edges(decide([edge]), wall).lines == []
    assert _text(without_wall_edges(decide([edge]), np.full((200, 400), 200, np.uint8))) == ["1"]
    at_the_side = _accepted(1, (396, 50, 4, 50))  # a surface read alone, its edge at the view's side
    assert without_wall_edges(decide([at_the_side]), np.full((200, 400), 200, np.uint8)).lines == []
    blurred = _accepted(1, (190, 50, 12, 50))  # a blank tag's edge blurred with its shadow: wider
    assert without_wall_edges(decide([blurred]), wall).lines == []
    on_paper = DEFAULT.decide.on_paper()  # there a handwritten 1 as wide, with a shadow across it
    assert _text(without_wall_edges(decide([blurred], on_paper), wall, on_paper)) == ["1"]
    printed = _accepted(1, (180, 50, 20, 50))  # a printed 1 with its flag and foot: wider still
    assert _text(without_wall_edges(decide([printed]), wall)) == ["1"]


def test_a_bar_at_a_lines_end_with_a_wall_beyond_it_is_a_tags_edge():
    from edge_runtime.reading.decide import without_wall_edges

    tag = np.full((200, 400), 200, np.uint8)
    on_a_wall = tag.copy()
    on_a_wall[:, 300:] = 100  # the wall beyond the tag's right edge
    digits = [_accepted(3, (150, 50, 30, 50)), _accepted(5, (190, 50, 30, 50))]
    edge = _accepted(1, (290, 50, 6, 50))
    assert _text(without_wall_edges(decide([*digits, edge]), on_a_wall)) == ["35"]
    assert _text(without_wall_edges(decide([*digits, edge]), tag)) == ["351"]  # a 1 on the tag
    slanted = _accepted(1, (270, 50, 26, 50))  # a display's slanted 1 is wider than a bar
    assert _text(without_wall_edges(decide([*digits, slanted]), on_a_wall)) == ["351"]
    leading = _accepted(1, (60, 50, 6, 50))
    on_a_wall[:, :60] = 100
    assert _text(without_wall_edges(decide([leading, *digits]), on_a_wall)) == ["35"]


def test_a_sign_between_a_number_and_a_bar_beyond_it_is_at_the_numbers_end_not_amid_it():
    """A tag's edge read as a 1 beyond the € after its price leaves the sign at the number's end, and
    the wall beyond the edge drops it; a printed 1 there, or two digits, make the sign a letter amid."""
    from edge_runtime.reading.decide import without_wall_edges

    digits = [_accepted(d, (x, 100, 30, 50), 0.9) for d, x in ((4, 40), (5, 80), (6, 120))]
    sign, edge = _rejected((170, 98, 30, 54), p=0.3), _accepted(1, (215, 96, 6, 58), 0.89)
    tag = np.full((300, 400), 200, np.uint8)
    tag[:, 222:] = 100  # the wall beyond the tag's right edge
    decision = decide([*digits, sign, edge], unsure_digits=True)  # the sign is no unsure digit either
    assert _text(without_wall_edges(decision, tag)) == ["456"]
    assert decide([*digits, sign, _accepted(1, (215, 100, 20, 50), 0.89)]).lines == []  # a printed 1
    assert decide([*digits, _rejected((170, 92, 30, 66), p=0.3), edge]).lines == []  # taller than the bar
    two = [edge, _accepted(7, (240, 100, 30, 50), 0.9)]
    assert decide([*digits, sign, *two]).lines == []


def test_a_comma_read_unsurely_as_a_digit_does_not_keep_a_sign_from_its_price():
    digits = [_accepted(6, (40, 100, 30, 50), 0.9), _accepted(9, (80, 100, 30, 50), 0.9)]
    comma = _accepted(9, (115, 140, 8, 16), 0.5)  # on the baseline, a third of the digits' height
    cents = [_accepted(5, (130, 100, 30, 50), 0.9), _accepted(0, (170, 100, 30, 50), 0.9)]
    dollar = _rejected((0, 95, 30, 60), p=0.3)
    assert _text(decide([dollar, *digits, comma, *cents])) == ["6950"]  # $69,50
    unsure = _accepted(9, (115, 100, 30, 50), 0.5)  # a digit of the digits' height read unsurely
    assert decide([dollar, *digits, unsure, *cents]).lines == []


def test_at_most_one_sign_at_each_end_of_a_number_keeps_it():
    digits = [_accepted(6, (40, 100, 30, 50), 0.9), _accepted(9, (80, 100, 30, 50), 0.9)]
    both = [_rejected((0, 98, 30, 54), p=0.1), *digits, _rejected((130, 98, 30, 54), p=0.1)]
    assert _text(decide(both)) == ["69"]  # € 69 ¢
    word = [*digits, _rejected((120, 98, 30, 54), p=0.1), _rejected((160, 98, 30, 54), p=0.1)]
    assert decide(word).lines == []  # two letters after a number: a word ("69th")


def test_a_sign_beside_one_surely_read_digit_keeps_it_before_it_or_spaced_after_it_but_not_by_a_0_or_1():
    sign = _rejected((0, 98, 30, 54), p=0.1)
    assert _text(decide([sign, _accepted(7, (40, 100, 30, 50), 0.93)])) == ["7"]  # €7
    assert _text(decide([sign, _accepted(8, (40, 100, 30, 50), 0.87)])) == ["8"]  # a tag's €8, large
    seven = _accepted(7, (0, 100, 30, 50), 0.93)
    assert _text(decide([seven, _rejected((50, 98, 30, 54), p=0.1)])) == ["7"]  # 7 €, 0.4 of it apart
    assert decide([seven, _rejected((40, 98, 30, 54), p=0.1)]).lines == []  # 0.2 apart: a word ("Jm")
    assert decide([_accepted(1, (0, 100, 30, 50), 0.95), _rejected((50, 98, 30, 54), p=0.1)]).lines == []
    assert decide([sign, _accepted(0, (40, 100, 30, 50), 0.95)]).lines == []  # "SO"
    assert decide([sign, _accepted(1, (40, 100, 30, 50), 0.95)]).lines == []  # "AI"
    assert decide([sign, _accepted(7, (40, 100, 30, 50), 0.8)]).lines == []  # unsure: a word's letter


def _stroke(label: int, box, top: tuple[int, int], bottom: tuple[int, int], width: int = 3) -> GroupReading:
    """An accepted digit whose model input is one stroke from `top` to `bottom` (x, y)."""
    pixels = np.zeros((28, 28), np.uint8)
    cv2.line(pixels, top, bottom, 255, width)
    return GroupReading(None, [Piece(DigitCrop(box, pixels), _piece(label, 0.95).probabilities)])


def _date(top: tuple[int, int], bottom: tuple[int, int], slash_box) -> list:
    """24?05?26: six digits of one stroke from `top` to `bottom`, two 1s between them (`slash_box`)."""
    digits = [
        _stroke(k, (x, 100, 30, 50), top, bottom)
        for k, x in zip((2, 4, 0, 5, 2, 6), (0, 40, 100, 140, 200, 240), strict=True)
    ]
    ones = [_stroke(1, (x, *slash_box), (20, 4), (8, 24)) for x in (70, 170)]
    return [*digits, *ones]


def test_1s_leaning_more_than_their_line_and_taller_or_far_more_in_a_date_are_slashes_but_not_with_it():
    assert _text(decide(_date((14, 4), (14, 24), (92, 30, 62)))) == ["240526"]  # 24/05/26
    as_tall = _date((14, 4), (14, 24), (100, 30, 50))
    assert _text(decide(as_tall)) == ["240526"]  # as tall but leaning far more, between a date's digits
    assert _text(decide([*as_tall, _stroke(7, (280, 100, 30, 50), (14, 4), (14, 24))])) == ["241051267"]
    gentle = _date((14, 4), (14, 24), (100, 30, 50))
    gentle[-2:] = [_stroke(1, (x, 100, 30, 50), (17, 4), (11, 24)) for x in (70, 170)]
    assert _text(decide(gentle)) == ["24105126"]  # as tall and leaning a little more: handwriting
    assert _text(decide(_date((18, 4), (10, 24), (92, 30, 62)))) == ["24105126"]  # leaning with the line
    one = _date((14, 4), (14, 24), (92, 30, 62))
    one[-1] = _stroke(1, (170, 100, 30, 50), (14, 4), (14, 24))
    assert _text(decide(one)) == ["24105126"]  # a slash alone is as likely a handwritten 1


def test_a_small_digit_on_a_lines_baseline_inside_it_is_a_comma_but_not_level_with_the_digits():
    def line(mark_box) -> list:
        digits = [_accepted(d, (x, 100, 30, 50)) for d, x in ((9, 0), (1, 60), (0, 100), (8, 140))]
        return [digits[0], _accepted(9, mark_box), *digits[1:]]

    assert _text(decide(line((40, 136, 12, 22)))) == ["9108"]  # 9,108 read 99108
    assert _text(decide(line((40, 110, 12, 22)))) == ["99108"]  # a small 9 in the middle of the line
    assert _text(decide(line((40, 126, 12, 30)))) == ["99108"]  # low, but too tall for a comma


def test_a_line_of_one_small_digit_hanging_below_a_number_between_its_digits_is_a_comma():
    digits = [_accepted(d, (x, 10, 62, 78)) for d, x in ((4, 86), (9, 188), (8, 249))]
    assert _text(decide([*digits, _accepted(9, (151, 71, 24, 36))])) == ["498"]  # €4,98 read 4,98 and 9
    assert _text(decide([*digits, _accepted(9, (330, 71, 24, 36))])) == ["498", "9"]  # beyond the number
    assert _text(decide([*digits, _accepted(9, (151, 71, 40, 60))])) == ["498", "9"]  # a digit's height


def test_a_thin_or_tall_1_at_a_numbers_end_is_an_edge_but_a_1_like_its_neighbours_is_not():
    number = [_stroke(k, (40 * i, 100, 30, 50), (14, 4), (14, 24), 5) for i, k in enumerate((8, 3, 5))]
    thin = _stroke(1, (120, 100, 10, 50), (14, 4), (14, 24), 1)
    assert _text(decide([*number, thin])) == ["835"]  # a plate's inner outline
    tall = _stroke(1, (120, 80, 10, 90), (14, 4), (14, 24), 5)
    assert _text(decide([tall, *number])) == ["835"]  # a tag's edge
    one = _stroke(1, (120, 100, 10, 50), (14, 4), (14, 24), 5)
    assert _text(decide([*number, one])) == ["8351"]
    inside = _stroke(1, (70, 100, 10, 50), (14, 4), (14, 24), 1)
    assert _text(decide([*number, inside])) == ["8315"]  # inside a number, a thin 1 is a digit


def test_a_short_1_standing_apart_beyond_a_numbers_last_digit_is_a_windows_edge():
    number = [_stroke(k, (60 * i, 100, 45, 100), (14, 4), (14, 24), 5) for i, k in enumerate((7, 4))]

    def one(x: int, height: int):
        return _stroke(1, (x, 115, 10, height), (14, 4), (14, 24), 5)

    assert _text(decide([*number, one(205, 70)])) == ["74"]  # 100 px beyond the 4: a display's window
    assert _text(decide([*number, one(125, 70)])) == ["741"]  # close by: a digit
    assert _text(decide([*number, one(205, 100)])) == ["741"]  # as tall as the digits: a digit
    assert _text(decide([*number, one(310, 100)])) == ["74"]  # but twice their height apart: an edge


def test_a_1_apart_beyond_a_numbers_last_digit_and_shifted_up_or_down_is_a_signs_edge():
    date = [_stroke(k, (40 * i, 100, 32, 40), (14, 4), (14, 24), 5) for i, k in enumerate((4, 9, 2))]

    def one(x: int, y: int):
        return _stroke(1, (x, y, 7, 39), (14, 4), (14, 24), 5)

    assert _text(decide([*date, one(137, 115)])) == ["492"]  # 0.6 of their height on, 0.36 lower
    assert _text(decide([*date, one(137, 85)])) == ["492"]  # or higher: a sign's edge
    assert _text(decide([*date, one(137, 100)])) == ["4921"]  # level with the 2: a digit
    assert _text(decide([*date, one(120, 115)])) == ["4921"]  # close by: a digit written lower


def test_an_unsure_1_after_printed_digits_is_an_edge_and_no_longer_hides_a_dollar_before_them():
    def line(*read: tuple[int, float]) -> list[GroupReading]:
        return [_accepted(label, (45 * i, 100, 30, 50), p) for i, (label, p) in enumerate(read)]

    printed = [(4, 0.93), (3, 0.88), (5, 0.9), (1, 0.96)]
    assert _text(decide(line(*printed, (1, 0.53)))) == ["4351"]  # a wall's joint beyond the tag
    assert _text(decide(line((5, 0.48), *printed, (1, 0.53)))) == ["4351"]  # $43.51 and the joint
    assert _text(decide(line(*printed, (1, 0.7)))) == ["43511"]  # read surer: a digit
    assert _text(decide(line((4, 0.93), (3, 0.7), (5, 0.9), (1, 0.53)))) == ["4351"]  # handwriting
    assert _text(decide(line(*printed, (1, 0.53)), DEFAULT.decide.on_paper())) == ["43511"]


def test_an_unsure_5_or_8_before_surely_read_digits_is_a_dollar_sign():
    rest = [_accepted(7, (40, 100, 30, 50), 0.9), _accepted(4, (80, 100, 30, 50), 0.9)]
    assert _text(decide([_accepted(8, (0, 95, 30, 60), 0.75), *rest])) == ["74"]  # $74
    assert _text(decide([_accepted(8, (0, 95, 30, 60), 0.9), *rest])) == ["874"]  # a sure 8 stays
    unsure_rest = [_accepted(7, (40, 100, 30, 50), 0.7), _accepted(4, (80, 100, 30, 50), 0.9)]
    assert _text(decide([_accepted(8, (0, 95, 30, 60), 0.75), *unsure_rest])) == ["874"]  # handwriting


def test_an_unsure_5_or_8_sticking_out_above_and_below_a_mostly_sure_number_is_a_dollar_sign():
    """One digit of the rest read less surely (a tag's 0 at 0.73) no longer keeps a dollar read as an
    unsure 5 when its stem's ends stick out above and below the digits after it (not on paper); so
    sticking out, an 8 read at 0.81 (Humor Sans' $) is one too."""
    rest = [_accepted(7, (40, 100, 30, 50), 0.9), _accepted(0, (80, 100, 30, 50), 0.73)]
    rest.append(_accepted(4, (120, 100, 30, 50), 0.9))
    dollar = _accepted(5, (0, 94, 30, 62), 0.5)
    assert _text(decide([dollar, *rest])) == ["704"]  # $704
    assert _text(decide([_accepted(5, (0, 100, 30, 50), 0.5), *rest])) == ["5704"]  # level: a 5
    assert _text(decide([_accepted(8, (0, 94, 30, 62), 0.81), *rest])) == ["704"]  # Humor Sans' $
    assert _text(decide([_accepted(8, (0, 100, 30, 50), 0.81), *rest])) == ["8704"]  # level: an 8
    assert _text(decide([_accepted(5, (0, 94, 30, 62), 0.9), *rest])) == ["5704"]  # a sure 5 stays
    assert _text(decide([dollar, *rest], DEFAULT.decide.on_paper())) == ["5704"]  # handwriting
    unsure_rest = [_accepted(7, (40, 100, 30, 50), 0.7), *rest[1:]]
    assert _text(decide([dollar, *unsure_rest])) == ["5704"]  # most of them unsure: handwriting


def _glyph(text: str, stem: bool = False) -> np.ndarray:
    """A model input of `text` in OpenCV's stroke font, with a stroke through it top to bottom."""
    pixels = np.zeros((28, 28), np.uint8)
    cv2.putText(pixels, text, (6, 22), cv2.FONT_HERSHEY_SIMPLEX, 0.7, 255, 2)
    if stem:
        cv2.line(pixels, (13, 1), (13, 26), 255, 2)
    return pixels


def test_a_first_digit_half_again_as_tall_as_two_sure_digits_after_it_is_a_sign_but_not_on_paper():
    def line(first_height: int, *rest: int, p: float = 0.95) -> list[GroupReading]:
        first = _accepted(0, (100, 100 - (first_height - 100) // 2, 70, first_height))
        return [first, *(_accepted(label, (180 + 60 * i, 100, 50, 100), p) for i, label in enumerate(rest))]

    assert _text(decide(line(150, 8, 6))) == ["86"]  # Humor-Sans' euro sign read as a 0
    assert _text(decide(line(130, 8, 6))) == ["086"]  # a digit a little taller
    assert _text(decide(line(150, 8))) == ["08"]  # one digit after it is no measure
    assert _text(decide(line(150, 8, 6, p=0.7))) == ["086"]  # nor are unsure ones
    assert _text(decide(line(150, 8, 6), DEFAULT.decide.on_paper())) == ["086"]  # handwriting


def test_a_sure_5_or_8_with_a_stem_sticking_out_above_and_below_the_digits_after_it_is_a_dollar_sign():
    """Its two ends stick out by 0.12 of the digits' height together: an italic stem leans, one end
    sticks out most."""
    rest = [_accepted(7, (40, 100, 30, 50), 0.9), _accepted(4, (80, 100, 30, 50), 0.9)]

    def first(text: str, stem: bool, box) -> GroupReading:
        return GroupReading(None, [Piece(DigitCrop(box, _glyph(text, stem)), _piece(8, 0.97).probabilities)])

    on_paper = DEFAULT.decide.on_paper()
    assert _text(decide([first("S", True, (0, 95, 30, 62)), *rest], on_paper)) == ["74"]  # $74
    assert _text(decide([first("8", False, (0, 95, 30, 62)), *rest], on_paper)) == ["874"]  # a tall 8
    assert _text(decide([first("S", True, (0, 100, 30, 50)), *rest], on_paper)) == ["874"]  # level: an 8
    assert _text(decide([first("S", True, (0, 93, 30, 58)), *rest], on_paper)) == ["74"]  # italic: leans up
    assert _text(decide([first("S", True, (0, 96, 30, 55)), *rest], on_paper)) == ["874"]  # out 0.10 in all
    assert _text(decide([first("S", True, (0, 92, 30, 58)), *rest], on_paper)) == ["874"]  # out above only
    unsure_rest = [_accepted(7, (40, 100, 30, 50), 0.7), _accepted(4, (80, 100, 30, 50), 0.9)]
    assert _text(decide([first("S", True, (0, 95, 30, 62)), *unsure_rest], on_paper)) == ["874"]


def _loops(upper: tuple[int, int], lower: tuple[int, int], stem: bool) -> np.ndarray:
    """A model input of two loops one above the other, each drawn over the arc (degrees) given, and a
    stem down the middle: a dollar sign with an S's halves, or an 8."""
    pixels = np.zeros((28, 28), np.uint8)
    cv2.ellipse(pixels, (14, 9), (6, 5), 0, *upper, 255, 2)
    cv2.ellipse(pixels, (14, 19), (6, 5), 0, *lower, 255, 2)
    if stem:
        cv2.line(pixels, (14, 3), (14, 25), 255, 2)
    return pixels


def _euro() -> np.ndarray:
    """A model input of a euro sign: a C open on its right, two bars across its left half."""
    pixels = np.zeros((28, 28), np.uint8)
    cv2.ellipse(pixels, (15, 14), (8, 10), 0, 50, 310, 255, 2)
    for y in (11, 16):
        cv2.line(pixels, (3, y), (13, y), 255, 2)
    return pixels


def test_an_8_at_either_end_of_sure_digits_open_on_its_right_is_a_currency_sign_but_not_on_paper():
    rest = [_accepted(7, (40, 100, 30, 50), 0.9), _accepted(4, (80, 100, 30, 50), 0.9)]

    def read_as_8(pixels: np.ndarray, x: int) -> GroupReading:  # level with the digits, read surely
        return GroupReading(None, [Piece(DigitCrop((x, 100, 30, 50), pixels), _piece(8, 0.95).probabilities)])

    assert _text(decide([read_as_8(_euro(), 0), *rest])) == ["74"]  # €74
    assert _text(decide([*rest, read_as_8(_euro(), 130)])) == ["74"]  # 74 €
    eight = _loops((0, 360), (0, 360), stem=False)
    assert _text(decide([read_as_8(eight, 0), *rest])) == ["874"]  # its loops close its right side
    assert _text(decide([*rest, read_as_8(eight, 120)])) == ["748"]
    assert _text(decide([read_as_8(_euro(), 0), *rest], DEFAULT.decide.on_paper())) == ["874"]
    unsure = [_accepted(7, (40, 100, 30, 50), 0.6), _accepted(4, (80, 100, 30, 50), 0.9)]
    assert _text(decide([read_as_8(_euro(), 0), *unsure])) == ["874"]  # a word's letters
    assert _text(decide([read_as_8(_euro(), 0), rest[0]])) == ["87"]  # one digit beside it: too few


def test_an_8_read_unsurely_whose_loops_are_an_s_crossed_by_a_stem_is_a_dollar_sign_even_on_paper():
    rest = [_accepted(7, (40, 100, 30, 50), 0.9), _accepted(4, (80, 100, 30, 50), 0.9)]

    def first(pixels: np.ndarray, p: float) -> GroupReading:  # level with the digits: no stem sticks out
        return GroupReading(None, [Piece(DigitCrop((0, 100, 30, 50), pixels), _piece(8, p).probabilities)])

    dollar = _loops((90, 360), (270, 540), stem=True)  # the S's halves: a hole left above, right below
    on_paper = DEFAULT.decide.on_paper()
    assert _text(decide([first(dollar, 0.85), *rest], on_paper)) == ["74"]  # Humor Sans's $74
    assert _text(decide([first(dollar, 0.95), *rest], on_paper)) == ["874"]  # read surely: an 8
    eight = _loops((0, 360), (0, 360), stem=False)
    assert _text(decide([first(eight, 0.85), *rest], on_paper)) == ["874"]  # its loops span its width
    open_top = _loops((90, 300), (0, 360), stem=False)  # a handwritten 8 whose top stays open
    assert _text(decide([first(open_top, 0.85), *rest], on_paper)) == ["874"]


def test_lines_of_1s_beside_a_line_with_other_digits_are_texture_but_alone_they_are_read():
    number = [_accepted(3, (100, 100, 30, 50)), _accepted(5, (140, 100, 30, 50))]
    mortar = [_accepted(1, (20 + 60 * k, 300, 8, 30)) for k in range(3)]
    assert _text(decide([*number, *mortar])) == ["35"]
    assert _text(decide(mortar)) == ["111"]  # a house number 111
    assert _text(decide([*number, *mortar[:2], _accepted(7, (140, 300, 20, 30))])) == ["35", "117"]


def test_a_line_of_five_digits_all_1s_but_one_or_four_all_1s_is_texture_but_shorter_or_mixed_lines_are_read():
    def line(digits: str) -> list[GroupReading]:
        return [
            _accepted(int(d), (20 + 40 * k, 100, 8 if d == "1" else 30, 50)) for k, d in enumerate(digits)
        ]

    assert decide(line("11511")).lines == []  # a chalk word's strokes
    assert decide(line("1111411111")).lines == [] and decide(line("11111")).lines == []
    assert _text(decide(line("1115"))) == ["1115"]  # a time 11:15
    assert decide(line("1111")).lines == [] and _text(decide(line("111"))) == ["111"]  # a word's strokes
    assert _text(decide(line("11551"))) == ["11551"]


def test_a_line_of_digits_each_read_weakly_is_a_words_letters_but_one_surely_read_digit_keeps_it():
    def line(scores: list[float]) -> list[GroupReading]:
        return [_accepted(8, (20 + 40 * k, 100, 30, 50), p) for k, p in enumerate(scores)]

    weak = DEFAULT.decide.weak_line_score
    assert decide(line([weak - 0.01, weak - 0.15, weak - 0.1])).lines == []  # "adr" read 808
    assert _text(decide(line([weak + 0.01, weak - 0.15, weak - 0.1]))) == ["888"]
    assert _text(decide(line([weak - 0.1]))) == ["8"]  # one digit: the lone-digit rules judge it
    assert decide(line([weak - 0.1, weak - 0.1])).lines == []  # a blank plate's bricks read 77
    on_paper = DEFAULT.decide.on_paper()
    assert _text(decide(line([weak - 0.1, weak - 0.1]), on_paper)) == ["88"]  # a bubble number
    assert decide(line([weak - 0.1] * 3), on_paper).lines == []
    assert _text(
        decide([*line([0.95, 0.95]), *[_accepted(7, (20 + 40 * k, 300, 30, 50), 0.5) for k in range(2)]])
    ) == ["88"]  # a weak line below a number goes, the number stays


def test_a_lone_unsure_thin_0_much_wider_than_tall_is_an_outline_but_a_sure_round_or_bold_one_is_a_0():
    def zero(box, p: float, stroke: int) -> GroupReading:
        pixels = np.zeros((28, 28), np.uint8)
        cv2.ellipse(pixels, (14, 14), (10, 6), 0, 0, 360, 255, stroke)
        return GroupReading(None, [Piece(DigitCrop(box, pixels), _piece(0, p).probabilities)])

    assert decide([zero((100, 100, 160, 90), 0.5, 1)]).lines == []  # a blank plate's outline
    assert _text(decide([zero((100, 100, 160, 90), 0.5, 4)])) == ["0"]  # a wide handwritten 0
    assert _text(decide([zero((100, 100, 160, 90), 0.9, 1)])) == ["0"]
    assert _text(decide([zero((100, 100, 70, 90), 0.5, 1)])) == ["0"]
    assert _text(decide([zero((100, 100, 160, 90), 0.5, 1), _accepted(7, (270, 100, 60, 90))])) == ["07"]


def test_in_a_coloured_scene_a_lone_unsure_digit_is_no_number_but_not_a_sure_one_nor_two():
    def kept(*readings: GroupReading) -> list[str]:
        return _text(without_unsure_lone_digits(decide(list(readings))))

    assert kept(_accepted(1, (100, 100, 20, 90), 0.85)) == []  # a tag's edge, a glare band
    assert kept(_accepted(1, (100, 100, 20, 90), 0.95)) == ["1"]  # a house number 1
    assert kept(_accepted(1, (100, 100, 20, 90), 0.85), _accepted(1, (150, 100, 20, 90), 0.85)) == ["11"]
    assert kept(_accepted(1, (100, 100, 20, 90), 0.85), _accepted(7, (150, 100, 50, 90), 0.85)) == ["17"]
    assert kept(_accepted(4, (100, 100, 60, 90), 0.6)) == []  # a mark on a blank tag, a reflection
    assert kept(_accepted(4, (100, 100, 60, 90), 0.85)) == ["4"]  # a printed 4
    assert kept(_accepted(4, (100, 100, 60, 90), 0.6), _accepted(7, (170, 100, 60, 90), 0.6)) == ["47"]


def test_a_line_of_digits_that_barely_stand_out_from_their_ground_is_unlit_segments_but_not_a_seen_one():
    display = np.full((80, 160, 3), (150, 185, 165), np.uint8)  # an LCD's window
    display[10:60, 20:26] = (135, 167, 149)  # an unlit segment, 10% darker
    display[10:60, 70:76] = (40, 45, 42)  # a lit one
    display[10:60, 120:126] = (110, 136, 121)  # a faintly lit one, 40 darker
    unlit, lit, faint = (_piece(1, 0.95, (x, 10, 6, 50)) for x in (20, 70, 120))
    assert contrast(display, unlit.crop.box) == pytest.approx(18, abs=1)  # the most of any channel
    assert contrast(display, lit.crop.box) == pytest.approx(140, abs=1)
    assert contrast(cv2.cvtColor(display, cv2.COLOR_BGR2GRAY), lit.crop.box) > 100  # grey images too
    decision = without_faint_lines(Decision([[unlit], [lit], [faint]], []), display)
    assert decision.lines == [[lit], [faint]] and decision.rejected == [unlit]
    # beside a digit that is seen, it is part of a number; a line of unlit segments is none
    assert without_faint_lines(Decision([[unlit, lit]], []), display).lines == [[unlit, lit]]
    assert without_faint_lines(Decision([[unlit, unlit]], []), display).lines == []
    # a digit at the image's edge has a ground on its other sides
    assert contrast(display, (0, 0, 6, 50)) == 0
    tall = np.full((300, 200, 3), 200, np.uint8)
    tall[20:280, 101:102] = 20  # a hairline 1 pixel wide, sampled every 11th row and column
    assert contrast(tall, (101, 20, 1, 260)) == 180 and contrast(tall, (100, 20, 1, 260)) == 0


def test_the_contrast_checks_take_any_box_in_the_image_thin_wide_or_at_its_edges():
    rng = np.random.default_rng(0)
    for _ in range(300):
        height, width = (int(v) for v in rng.integers(8, 400, 2))
        image = rng.integers(0, 256, (height, width, 3), dtype=np.uint8)
        x, y = int(rng.integers(0, width)), int(rng.integers(0, height))
        box = (x, y, int(rng.integers(1, width - x + 1)), int(rng.integers(1, height - y + 1)))
        assert 0 <= contrast(image, box) <= 255, box
        one = _piece(1, 0.95, box)
        kept = without_glare_bands(Decision([[one]], []), image)
        assert (kept.lines, kept.rejected) in (([[one]], []), ([], [one])), box  # kept or dropped, no error


def test_a_piece_between_any_two_cut_paths_of_any_group_is_cropped_within_them_or_is_none():
    rng = np.random.default_rng(0)
    for _ in range(300):  # tiny groups too: OpenCV takes an array of 4 or fewer pixels for a scalar
        height, width = (int(v) for v in rng.integers(1, [6, 6] if rng.random() < 0.5 else [60, 200]))
        mask = np.where(rng.random((height, width)) < rng.uniform(0.05, 0.6), 255, 0).astype(np.uint8)
        group = Group(
            (0, 0, width, height), rng.integers(0, 256, (height, width), np.uint8), mask, Transform(), 90
        )
        left = rng.integers(-5, width + 5, height)  # paths can lie beyond the group's columns
        right = left + rng.integers(-3, width + 5, height)
        columns = np.arange(width)[None, :]
        inked = mask[(columns >= left[:, None]) & (columns < right[:, None])].any()
        crop = crop_piece(group, left, right, float(rng.uniform(0, 0.5)))
        assert (crop is not None) == inked, (height, width)
        if crop is not None:
            x, _, w, _ = crop.box
            assert left.min() <= x and x + w <= right.max() and crop.pixels.shape == (28, 28)


def test_one_digit_read_off_every_surface_found_is_the_wall_but_a_number_or_a_digit_on_one_stays():
    tag = (300, 200, 200, 100)  # a blank tag on a brick wall
    mortar = _piece(7, 0.95, (600, 420, 12, 22))  # a joint read as a sure 7, far from it
    on_tag = _piece(3, 0.95, (380, 220, 30, 60))
    lone = without_a_lone_digit_off_surfaces(Decision([[mortar]], []), [tag])
    assert (lone.lines, lone.rejected) == ([], [mortar])
    for lines in ([[on_tag]], [[mortar, _piece(2, 0.95, (620, 420, 12, 22))]], [[mortar], [on_tag]]):
        assert without_a_lone_digit_off_surfaces(Decision(lines, []), [tag]).lines == lines
    assert without_a_lone_digit_off_surfaces(Decision([[mortar]], []), []).lines == [[mortar]]  # no surface


def test_one_digit_read_alone_much_shorter_than_the_image_is_a_speck_but_a_number_of_small_digits_stays():
    height = 480  # a 640x480 photo of a brick wall with a blank plate on it
    short = round(DEFAULT.decide.speck_height * height)
    mortar = _piece(7, 0.95, (600, 420, 12, short - 1))  # a mortar joint read as a sure 7
    lone = without_a_lone_speck(Decision([[mortar]], []), height)
    assert (lone.lines, lone.rejected) == ([], [mortar])
    printed = _piece(7, 0.95, (300, 200, 30, short))
    assert without_a_lone_speck(Decision([[printed]], []), height).lines == [[printed]]
    date = [[_piece(d, 0.95, (300 + 14 * k, 200, 12, short - 4)) for k, d in enumerate((1, 7, 0, 5))]]
    assert without_a_lone_speck(Decision(date, []), height).lines == date  # a date's small digits


def test_one_digit_read_unsurely_alone_on_a_surface_is_a_letter_but_a_sure_one_or_a_number_stays():
    score = DEFAULT.decide.surface_digit_score
    letter = _piece(5, score - 0.06, (300, 200, 40, 60))  # the E of "SALE" on a screen
    alone = without_an_unsure_digit_on_a_surface(Decision([[letter]], []))
    assert (alone.lines, alone.rejected) == ([], [letter])
    printed = _piece(5, score + 0.01, (300, 200, 40, 60))
    assert without_an_unsure_digit_on_a_surface(Decision([[printed]], [])).lines == [[printed]]
    number = [[letter, _piece(0, score - 0.06, (350, 200, 40, 60))]]
    assert without_an_unsure_digit_on_a_surface(Decision(number, [])).lines == number


def test_a_lone_light_1_whose_edges_fade_over_a_tenth_of_its_height_is_a_glare_band():
    def one(image: np.ndarray, level: int) -> Piece:
        box = cv2.boundingRect(cv2.findNonZero(cv2.compare(image, level, cv2.CMP_GT)))
        return _piece(1, 0.95, tuple(int(v) for v in box))

    dark = np.full((240, 200), 20, np.uint8)
    glare = cv2.GaussianBlur(cv2.line(dark.copy(), (80, 20), (120, 220), 220, 24), (0, 0), 12)
    lit = cv2.line(dark.copy(), (100, 40), (100, 200), 220, 14)
    blurred = 255 - glare  # a 1 on paper photographed out of focus: dark on light
    for image, piece, kept in (
        (glare, one(glare, 110), False),
        (lit, one(lit, 110), True),
        (cv2.GaussianBlur(lit, (0, 0), 1.5), one(lit, 110), True),  # a lit 1, its edges softened
        (blurred, one(255 - blurred, 110), True),
    ):
        assert without_glare_bands(Decision([[piece]], []), image).lines == ([[piece]] if kept else [])
    seen = _piece(4, 0.95, one(glare, 110).crop.box)  # only a 1 is taken for a band
    assert without_glare_bands(Decision([[seen]], []), glare).lines == [[seen]]


def test_in_a_lit_view_a_wide_band_filling_its_box_is_a_glare_band_though_its_ring_lies_on_the_bezel():
    lit = np.full((300, 500), 60, np.uint8)  # `lit_as_ink` of a blank screen: the light bezel dark...
    lit[20:280, 20:480] = 230  # ...the dark glass light
    band = cv2.line(np.zeros_like(lit), (170, 220), (330, 80), 255, 60) > 0
    band &= lit > 100
    lit[band] = 120  # the glare band lit across the glass: dark, fading over ~20 px
    lit = cv2.GaussianBlur(lit, (0, 0), 10)
    glare = _piece(1, 0.9, cv2.boundingRect(band.astype(np.uint8)))
    assert without_glare_bands(Decision([[glare]], []), lit, lit_as_ink=True).lines == []
    assert without_glare_bands(Decision([[glare]], []), lit).lines == [[glare]]  # as if dark ink
    digit = np.full((300, 500), 230, np.uint8)  # a lit 1, sharp: its edges step within a few pixels
    cv2.line(digit, (250, 80), (250, 220), 40, 16)
    digit = cv2.GaussianBlur(digit, (0, 0), 1.5)
    one = _piece(1, 0.9, (240, 70, 20, 160))
    assert without_glare_bands(Decision([[one]], []), digit, lit_as_ink=True).lines == [[one]]


def test_a_glare_band_across_a_screen_and_its_bezel_are_taken_out_but_the_digits_under_the_band_stay():
    screen = np.full((480, 640, 3), (150, 170, 160), np.uint8)  # a wall
    cv2.rectangle(screen, (100, 120), (540, 360), (175, 165, 160), -1)  # the bezel
    cv2.rectangle(screen, (140, 170), (500, 310), (20, 22, 25), -1)  # the glass
    cv2.putText(screen, "4652", (165, 280), cv2.FONT_HERSHEY_SIMPLEX, 3.2, (205, 210, 210), 9, cv2.LINE_AA)
    digits = cv2.compare(screen[..., 1], 150, cv2.CMP_GT)
    digits[:170], digits[310:], digits[:, :140], digits[:, 500:] = 0, 0, 0, 0
    ys, xs = np.mgrid[0:480, 0:640]
    band = (np.abs((xs - 200) - 0.6 * (ys - 240)) < 20) & (ys >= 170) & (ys < 310) & (xs >= 140) & (xs < 500)
    glared = screen.copy()
    glared[band] = cv2.add(glared[band], np.full((int(band.sum()), 3), 90, np.uint8))
    for image in (screen, glared):
        lit = lit_without_bands(image)  # lit_as_ink's polarity: light digits dark
        assert np.median(lit[band & (digits == 0)]) >= 235  # the band is gone...
        assert np.median(lit[band & (digits > 0)]) <= 128  # ...not the digits under it (less bright)
        assert np.median(lit[~band & (digits > 0)]) <= 80
        assert np.median(lit[130:160, 110:530]) >= 235  # the bezel too, and the wall
        assert np.median(lit[20:100]) >= 235
    assert np.median(lit_as_ink(glared)[band & (digits == 0)]) <= 150  # lit as it is, the band is ink


def test_a_rejected_region_the_line_reader_is_sure_of_joins_the_number_only_level_with_it():
    digits = [_accepted(1, (0, 100, 30, 50)), _accepted(2, (80, 100, 30, 50))]
    joined = decide([*digits, _rejected((40, 101, 30, 49), _piece(7, 0.9, (40, 101, 30, 49)))])
    assert [p.label for line in joined.lines for p in line] == [1, 7, 2] and joined.rejected == []
    far = _rejected((40, 300, 30, 49), _piece(7, 0.9, (40, 300, 30, 49)))
    assert [p.label for line in decide([*digits, far]).lines for p in line] == [1, 2]


def test_a_speck_read_as_a_digit_is_dropped():
    assert decide([_accepted(7, (24, 9, 6, 7))]).lines == []
    assert _text(decide([_accepted(7, (24, 9, 8, 12))])) == ["7"]


def test_a_digit_much_shorter_than_the_tallest_is_dropped():
    decision = decide([_accepted(1, (0, 100, 30, 50)), _accepted(2, (200, 10, 6, 15))])
    assert [p.label for line in decision.lines for p in line] == [1]
    assert [p.label for p in decision.rejected] == [2]


def test_a_1_far_taller_than_every_other_digit_is_no_measure_of_the_digits_height():
    number = [_accepted(k, (100 + 60 * i, 200, 45, 100)) for i, k in enumerate((9, 4))]
    window = [_accepted(1, (0, 100, 20, 300)), _accepted(1, (400, 100, 20, 300))]  # a display's sides
    assert _text(decide([*window, *number])) == ["94"]  # kept, the sides then dropped as edges
    half = _accepted(7, (300, 240, 20, 50))  # a digit half as tall as the others: too small beside a 1
    taller = decide([_accepted(1, (0, 160, 20, 140)), *number, half])  # 1.4 times their height...
    assert _text(taller) == ["94"] and (300, 240, 20, 50) in [p.crop.box for p in taller.rejected]
    assert _text(decide([*window, *number, half])) == ["947"]  # ...not beside a display's sides


def test_in_clutter_only_sure_digits_stay():
    clutter = [_rejected((300 + 50 * i, 400, 20, 20)) for i in range(3)]
    decision = decide([_accepted(3, (0, 0, 30, 50), 0.97), _accepted(5, (100, 0, 30, 50), 0.6), *clutter])
    assert [p.label for line in decision.lines for p in line] == [3]
    policy = dataclasses.replace(DEFAULT.decide, clutter_regions=4)  # not cluttered under this policy
    relaxed = decide(
        [_accepted(3, (0, 0, 30, 50), 0.97), _accepted(5, (100, 0, 30, 50), 0.6), *clutter], policy
    )
    assert [p.label for line in relaxed.lines for p in line] == [3, 5]


def test_a_lone_unsure_digit_among_many_rejected_regions_is_no_number():
    clutter = [_rejected((300 + 50 * i, 400, 20, 20)) for i in range(4)]  # a brick wall's blobs
    assert decide([_accepted(7, (0, 0, 30, 50), 0.93), *clutter]).lines == []  # a mortar joint's 7
    assert len(decide([_accepted(7, (0, 0, 30, 50), 0.93), *clutter]).rejected) == 5
    assert len(decide([_accepted(8, (0, 0, 30, 50), 0.96), *clutter]).lines) == 1  # a display's sure 8
    assert len(decide([_accepted(7, (0, 0, 30, 50), 0.93), *clutter[:3]]).lines) == 1  # less clutter
    two = decide([_accepted(7, (0, 0, 30, 50), 0.93), _accepted(4, (40, 0, 30, 50), 0.93), *clutter])
    assert [p.label for line in two.lines for p in line] == [7, 4]  # a number, not a lone digit


def test_a_colon_between_digits_does_not_void_them():
    colon = np.zeros((28, 28), np.uint8)
    colon[6:11, 12:17] = colon[18:23, 12:17] = 255
    digits = [_accepted(1, (0, 100, 30, 50)), _accepted(2, (60, 100, 30, 50))]
    region = GroupReading(None, [], Piece(DigitCrop((35, 105, 20, 40), colon), np.full(10, 0.1)))
    assert [p.label for line in decide([*digits, region]).lines for p in line] == [1, 2]


def test_lines_are_read_top_to_bottom_each_left_to_right():
    pieces = [
        _piece(d, 0.9, box)
        for d, box in [
            (4, (100, 200, 30, 50)),
            (1, (0, 0, 30, 50)),
            (3, (0, 200, 30, 50)),
            (2, (50, 5, 30, 50)),
        ]
    ]
    assert [[p.label for p in line] for line in reading_lines(pieces)] == [[1, 2], [3, 4]]
    comma = [
        _piece(d, 0.9, box)
        for d, box in [(3, (0, 100, 30, 50)), (9, (35, 140, 10, 20)), (1, (50, 100, 30, 50))]
    ]
    assert [[p.label for p in line] for line in reading_lines(comma)] == [[3, 9, 1]]  # 3,1: one line


# --- ink, find and recognise, with a stand-in digit model -------------------------------------------


def _two_touching_squares() -> np.ndarray:
    """A 640x480 grey page, lit unevenly, with two filled squares joined by a thin bridge."""
    page = np.tile(np.linspace(235, 180, 640, dtype=np.float32), (480, 1))
    cv2.rectangle(page, (200, 180), (259, 279), 30, -1)
    cv2.rectangle(page, (272, 180), (331, 279), 30, -1)
    cv2.rectangle(page, (259, 228), (272, 231), 30, -1)
    return page.astype(np.uint8)


def _square_ink_is_a_one(images: np.ndarray) -> np.ndarray:
    """A stand-in digit model: a 1 (0.95) where the input's ink is 0.45-0.8 times as wide as tall (one
    of the squares, not both, nor a slice of one)."""
    out = np.full((len(images), 10), 0.1, np.float32)
    for i, image in enumerate(images.reshape(len(images), 28, 28)):
        ys, xs = np.nonzero(image)
        if len(xs) and 0.45 <= (np.ptp(xs) + 1) / (np.ptp(ys) + 1) <= 0.8:
            out[i] = 0.05 / 9
            out[i, 1] = 0.95
    return out


def test_ink_is_measured_against_its_own_paper_and_found_as_one_group():
    ink = ink_image(_two_touching_squares(), DEFAULT.ink, crop=False)
    assert 0 < ink.ink_threshold < 255
    found = find_groups(ink, DEFAULT.find)
    assert len(found.groups) == 1 and not found.cut
    x, y, w, h = found.to_image.pixel_box(found.groups[0].box)
    assert abs(x - 200) <= 3 and abs(y - 180) <= 3 and abs(w - 132) <= 4 and abs(h - 100) <= 4


def test_on_paper_a_hairline_s_fainter_stretch_joins_its_stroke_but_faint_ink_apart_stays_paper():
    ink = np.zeros((120, 160), np.uint8)
    cv2.line(ink, (40, 20), (40, 100), 120, 1)  # a hairline stroke...
    ink[58:62, 40] = 70  # ...fading below the threshold (100) for four pixels
    ink[10, 120] = ink[60, 130] = 55  # fainter specks away from it
    faint = InkImage(ink=ink, scale=1.0, ink_threshold=100)
    assert not strokes(faint, DEFAULT.find)[0][58:62, 40].any()  # joined on paper only
    binary, hairline, _ = strokes(faint, DEFAULT.find.on_paper())
    assert hairline and binary[58:62, 40].all() and not binary[10, 120] and not binary[60, 130]
    contours, _ = cv2.findContours(binary, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    assert len(contours) == 1  # one stroke, not two
    ink[20:100, 89:92] = 120  # a 3-px stroke...
    ink[50:52, 89:92] = 0  # ...that faded out entirely for two pixels
    ink[108:118, 89:92] = 120  # and another 3-px stroke seven pixels below its end
    binary = strokes(faint, DEFAULT.find.on_paper())[0]
    assert binary[50:52, 90].all() and not binary[101:107, 90].any()  # a short gap is closed, a wide one not


def test_a_display_s_dark_window_is_a_dark_ground_but_a_photo_of_paper_is_not_in_colour_or_grey():
    from edge_runtime.reading.ink import has_dark_ground

    paper = np.full((480, 640, 3), (200, 205, 210), np.uint8)
    cv2.putText(paper, "7", (280, 300), cv2.FONT_HERSHEY_SIMPLEX, 5, (40, 40, 40), 12)  # dark ink
    assert not has_dark_ground(paper)
    display = paper.copy()
    cv2.rectangle(display, (200, 150), (440, 330), (20, 20, 20), cv2.FILLED)  # a display's window
    assert has_dark_ground(display)
    assert has_dark_ground(display[:, :, 0]) and not has_dark_ground(paper[:, :, 0])  # grey images too


def test_on_paper_a_hairline_digit_fainter_than_the_threshold_is_found_and_cut_out_at_full_strength():
    ink = np.zeros((240, 200), np.uint8)  # tall enough that the 1 is no margin line
    cv2.line(ink, (40, 20), (40, 100), 140, 2)  # a hairline 1 above the threshold (100)...
    cv2.circle(ink, (120, 60), 35, 70, 2)  # ...and a 0 drawn fainter, all of it below the threshold
    faint = InkImage(ink=ink, scale=1.0, ink_threshold=100)
    assert len(find_groups(faint, DEFAULT.find).groups) == 1  # only the 1 off paper
    groups = find_groups(faint, DEFAULT.find.on_paper()).groups
    assert len(groups) == 2
    zero = groups[1]
    assert zero.ink_threshold == round(255 * DEFAULT.find.weak_share)
    assert np.median(zero.ink[zero.mask > 0]) >= 170  # 70 of a threshold of 100, on a scale of 255
    bold = InkImage(ink=cv2.dilate(ink, np.ones((7, 7), np.uint8)), scale=1.0, ink_threshold=100)
    assert len(find_groups(bold, DEFAULT.find.on_paper()).groups) == 1  # bold strokes: no hairline


def test_on_paper_ink_a_little_too_wide_for_a_hairline_is_read_again_as_one_when_that_reads_more():
    from edge_runtime.reading.pipeline import _look_again_taken
    from edge_runtime.reading.recognise import Recognised

    ink = np.zeros((200, 400), np.uint8)
    for k in range(5):  # a hairline pen's 3-px strokes...
        ink[40:140, 40 + 40 * k : 43 + 40 * k] = 150
    ink[40:140, 300:304] = 150  # ...beside one 4-px stroke: just too wide for a hairline's
    mixed = InkImage(ink=ink, scale=1.0, ink_threshold=100)
    assert DEFAULT.find.hairline_width < strokes(mixed, DEFAULT.find.on_paper()).width
    assert find_groups(mixed, DEFAULT.find.on_paper()).nearly_hairline
    assert not find_groups(mixed, DEFAULT.find).nearly_hairline  # off paper: a wall's mortar is thin too
    bold = InkImage(ink=cv2.dilate(ink, np.ones((5, 5), np.uint8)), scale=1.0, ink_threshold=100)
    assert not find_groups(bold, DEFAULT.find.on_paper()).nearly_hairline
    assert strokes(mixed, DEFAULT.find.on_paper().as_hairline()).faded  # read again as a hairline's
    ink[40:140, 300:306] = ink[40:140, 340:346] = 150  # two strokes twice a hairline's: 1- and 2-px pens
    assert find_groups(
        InkImage(ink=ink, scale=1.0, ink_threshold=100), DEFAULT.find.on_paper()
    ).nearly_hairline

    labels = [str(d) for d in range(10)]

    def number(digits: str, p: float = 0.95) -> Recognised:
        return Recognised([_accepted(int(d), (40 * k, 100, 30, 50), p) for k, d in enumerate(digits)])

    assert _look_again_taken(number("514"), number("152514"), DEFAULT, labels)  # its faint 152 found
    assert _look_again_taken(number("514"), number("514", 0.99), DEFAULT, labels)  # as many, surer
    assert not _look_again_taken(number("514"), number("514", 0.99), DEFAULT, labels, stronger=False)
    assert not _look_again_taken(number("654747"), number("654749"), DEFAULT, labels)  # others, no surer
    assert not _look_again_taken(number("33"), number("3311"), DEFAULT, labels)  # only 1s more
    nothing = Recognised([_rejected((40, 100, 30, 50))])
    assert not _look_again_taken(nothing, number("1"), DEFAULT, labels)  # mortar joined into a 1
    assert _look_again_taken(nothing, number("70"), DEFAULT, labels)


def test_a_bezel_broken_by_glare_is_dropped_but_a_branching_blob_round_pieces_is_not():
    ink = np.zeros((300, 400), np.uint8)
    cv2.rectangle(ink, (40, 40), (360, 260), 200, 8)  # a bezel...
    ink[36:50, 300:364] = 0  # ...broken at a corner by glare: no hole, one blob
    cv2.rectangle(ink, (150, 100), (158, 140), 200, cv2.FILLED)  # a 1's two segments inside it
    cv2.rectangle(ink, (150, 150), (158, 190), 200, cv2.FILLED)
    frame = InkImage(ink=ink, scale=1.0, ink_threshold=100)
    boxes = [g.box for g in find_groups(frame, DEFAULT.find).groups]
    assert len(boxes) == 1 and boxes[0][1] >= 95 and boxes[0][3] <= 100  # the 1, not the bezel round it
    grain = np.zeros((300, 400), np.uint8)
    cv2.line(grain, (200, 20), (200, 280), 200, 6)  # a branching blob (wood grain)...
    cv2.line(grain, (200, 150), (60, 30), 200, 6)
    cv2.line(grain, (200, 150), (340, 270), 200, 6)
    cv2.rectangle(grain, (100, 150), (108, 180), 200, cv2.FILLED)  # ...round two pieces
    cv2.rectangle(grain, (280, 100), (288, 130), 200, cv2.FILLED)
    groups = find_groups(InkImage(ink=grain, scale=1.0, ink_threshold=100), DEFAULT.find).groups
    assert any(g.box[3] > 200 for g in groups)  # the blob is kept: it runs along no side of its box


def test_a_broken_bezel_round_one_blob_is_dropped_but_touching_digits_round_a_speck_are_not():
    ink = np.zeros((300, 400), np.uint8)
    cv2.rectangle(ink, (40, 40), (360, 260), 200, 8)  # a bezel broken by glare, a thin outline...
    ink[36:50, 300:364] = 0
    cv2.rectangle(ink, (150, 100), (158, 190), 200, cv2.FILLED)  # ...round two 1s a glare streak joins
    cv2.rectangle(ink, (200, 100), (208, 190), 200, cv2.FILLED)
    cv2.line(ink, (150, 180), (208, 110), 200, 4)
    boxes = [g.box for g in find_groups(InkImage(ink=ink, scale=1.0, ink_threshold=100), DEFAULT.find).groups]
    assert boxes and all(h <= 100 for _, _, _, h in boxes)  # the 1s, not the bezel round them
    touching = np.zeros((300, 400), np.uint8)
    cv2.rectangle(touching, (100, 100), (130, 200), 200, cv2.FILLED)  # a blob of bold touching strokes
    cv2.rectangle(touching, (100, 170), (200, 200), 200, cv2.FILLED)  # along two sides of its box...
    cv2.rectangle(touching, (160, 120), (166, 128), 200, cv2.FILLED)  # ...round a speck
    groups = find_groups(InkImage(ink=touching, scale=1.0, ink_threshold=100), DEFAULT.find).groups
    assert any(g.box[3] > 90 for g in groups)  # half its box filled: digits, kept


def test_on_paper_a_small_whole_digit_is_not_taken_for_a_faded_hairline():
    ink = np.zeros((400, 600), np.uint8)
    cv2.rectangle(ink, (300, 200), (302, 220), 200, cv2.FILLED)  # a 1 21 px tall in 3-px strokes...
    cv2.line(ink, (0, 240), (599, 240), 70, 1)  # ...and a ruled line below the threshold (100)
    frame = InkImage(ink=ink, scale=1.0, ink_threshold=100)
    binary, faded, _ = strokes(frame, DEFAULT.find.on_paper())
    assert not faded and not binary[240, 100:200].any()  # the ruled line stays paper
    tall = ink.copy()
    cv2.rectangle(tall, (300, 100), (302, 220), 200, cv2.FILLED)  # the same strokes 121 px tall
    binary, faded, _ = strokes(InkImage(ink=tall, scale=1.0, ink_threshold=100), DEFAULT.find.on_paper())
    assert faded and binary[240, 100:200].all()  # a hairline pen's: its faint ink is a stroke


def test_digits_joined_by_a_weaker_band_are_found_apart_at_their_strongest_inks_threshold():
    ink = np.zeros((200, 300), np.uint8)
    cv2.line(ink, (40, 150), (260, 50), 70, 40)  # a glare band across the screen...
    cv2.rectangle(ink, (100, 60), (115, 140), 220, cv2.FILLED)  # ...over two bright strokes
    cv2.rectangle(ink, (180, 60), (195, 140), 220, cv2.FILLED)
    first = InkImage(ink=ink, scale=1.0, ink_threshold=40)
    assert len(find_groups(first, DEFAULT.find).groups) == 1  # one blob with the band
    stronger = strongest_ink(first, DEFAULT.ink)
    assert stronger is not None and 70 <= stronger.ink_threshold < 220
    assert weaker_ink_is_a_band(first, stronger, DEFAULT.ink)
    assert len(find_groups(stronger, DEFAULT.find).groups) == 2
    uniform = InkImage(ink=np.where(ink >= 220, 220, 0).astype(np.uint8), scale=1.0, ink_threshold=40)
    assert strongest_ink(uniform, DEFAULT.ink) is None  # strokes all of one strength
    rimmed = np.zeros_like(ink)
    cv2.rectangle(rimmed, (98, 58), (117, 142), 70, cv2.FILLED)  # a stroke's soft rim...
    cv2.rectangle(rimmed, (100, 60), (115, 140), 220, cv2.FILLED)
    rim = InkImage(ink=rimmed, scale=1.0, ink_threshold=40)
    assert not weaker_ink_is_a_band(rim, strongest_ink(rim, DEFAULT.ink), DEFAULT.ink)  # ...is no band
    assert (
        strongest_ink(dataclasses.replace(first, crop=True), DEFAULT.ink) is None
    )  # a crop has its own threshold


def test_bars_joined_by_a_displays_unlit_segments_are_found_apart_at_the_split_though_no_band():
    ink = np.zeros((200, 300), np.uint8)
    for x in (100, 180):  # two lit bars...
        cv2.rectangle(ink, (x, 60), (x + 12, 140), 220, cv2.FILLED)
    cv2.rectangle(ink, (112, 99), (180, 101), 70, cv2.FILLED)  # ...joined by an unlit segment, thin
    first = InkImage(ink=ink, scale=1.0, ink_threshold=40)
    assert len(find_groups(first, DEFAULT.find).groups) == 1
    stronger = strongest_ink(first, DEFAULT.ink)
    assert stronger is not None and 70 <= stronger.ink_threshold < 220
    assert not weaker_ink_is_a_band(first, stronger, DEFAULT.ink)  # read only beside accepted digits
    assert len(find_groups(stronger, DEFAULT.find).groups) == 2
    flat = InkImage(ink=np.where(ink > 0, 220, 0).astype(np.uint8), scale=1.0, ink_threshold=40)
    assert strongest_ink(flat, DEFAULT.ink) is None  # one strength: nothing to split


def test_a_bandless_stronger_look_counts_only_when_each_line_holds_a_digit_other_than_1():
    from edge_runtime.reading.pipeline import _digits_besides_ones
    from edge_runtime.reading.recognise import Recognised

    labels = [str(d) for d in range(10)]
    number = [_accepted(d, (40 * k, 100, 30, 50)) for k, d in enumerate((9, 2, 0, 2, 3))]
    assert _digits_besides_ones(Recognised(number), DEFAULT, labels)
    ones = [_accepted(1, (40 * k, 300, 8, 50)) for k in range(3)]  # a word's strokes, a wall's streaks
    assert not _digits_besides_ones(Recognised(ones), DEFAULT, labels)
    assert not _digits_besides_ones(Recognised([_accepted(1, (0, 100, 8, 50))]), DEFAULT, labels)
    assert not _digits_besides_ones(Recognised([]), DEFAULT, labels)


def test_on_a_surface_1s_that_fill_its_height_are_digits_not_margin_lines():
    ink = np.zeros((100, 200), np.uint8)
    for x in (50, 100, 150):
        cv2.rectangle(ink, (x, 8), (x + 3, 92), 220, cv2.FILLED)  # a plate's 1s, 85% of its height
    plate = InkImage(ink=ink, scale=1.0, ink_threshold=100)
    assert find_groups(plate, DEFAULT.find).groups == []  # on paper: margin lines, removed
    assert len(find_groups(plate, DEFAULT.find.on_surface()).groups) == 3


def test_a_group_rejected_whole_is_cut_into_the_pieces_the_model_accepts():
    found = find_groups(ink_image(_two_touching_squares(), DEFAULT.ink, crop=False), DEFAULT.find)
    policy = ReadingPolicy().with_digit_accept(0.5)
    recognised = read_groups(found.groups, _square_ink_is_a_one, None, policy)
    (reading,) = recognised.readings
    assert reading.rejected is None and [p.label for p in reading.digits] == [1, 1]
    left, right = (p.crop.box for p in reading.digits)
    assert 200 <= left[0] + left[2] / 2 <= 260 and 272 <= right[0] + right[2] / 2 <= 332  # one square each
    assert abs(left[0] - 200) <= 4 and abs(right[0] + right[2] - 332) <= 4
    strict = read_groups(found.groups, _square_ink_is_a_one, None, policy.with_digit_accept(0.99))
    assert strict.readings[0].rejected is not None  # no piece reaches the bar: nothing is read


# --- the policy -------------------------------------------------------------------------------------


# --- frames and surfaces (nesting) --------------------------------------------------------------------


def _outlined_bar(outline: str) -> np.ndarray:
    """A 30-px bar (a 1) inside a rectangle or a circle drawn round it, on a 100x120 binary image."""
    binary = np.zeros((100, 120), np.uint8)
    if outline == "rectangle":
        cv2.rectangle(binary, (20, 15), (100, 85), 255, 3)
    else:
        cv2.circle(binary, (60, 50), 40, 255, 3)
    cv2.rectangle(binary, (56, 35), (62, 65), 255, -1)
    return binary


def test_a_rectangle_round_a_digit_is_a_frame_whose_hole_is_a_surface():
    tree = nesting(_outlined_bar("rectangle"))
    assert [box for _, box in unframed_blobs(tree)] == [(56, 35, 7, 31)]  # the bar, not the frame
    [(x, y, w, h)] = surfaces(tree, (100, 120))
    assert 20 < x < 56 and 15 < y < 35 and x + w < 100 and y + h < 85  # inside the frame, round the bar


def test_a_circle_round_a_doodle_is_no_frame_and_a_blank_outline_holds_no_surface():
    tree = nesting(_outlined_bar("circle"))
    [(_, (x, y, w, h))] = unframed_blobs(tree)  # one blob: the circle, the bar within it
    assert w >= 80 and h >= 80
    assert surfaces(tree, (100, 120)) == []
    blank = np.zeros((100, 120), np.uint8)
    cv2.rectangle(blank, (20, 15), (100, 85), 255, 3)
    assert surfaces(nesting(blank), (100, 120)) == []


def test_a_solid_screen_with_digit_shaped_holes_is_a_surface_but_not_with_an_empty_window():
    screen = np.zeros((100, 160), np.uint8)
    cv2.rectangle(screen, (20, 20), (140, 80), 255, -1)
    window = screen.copy()
    cv2.putText(screen, "47", (50, 70), cv2.FONT_HERSHEY_SIMPLEX, 1.5, 0, 5)  # light digits: holes
    assert len(surfaces(nesting(screen), screen.shape)) == 1
    cv2.rectangle(window, (40, 35), (120, 65), 0, -1)  # a bezel round an empty screen
    assert surfaces(nesting(window), window.shape) == []


def test_a_tag_filled_by_one_large_digit_is_a_surface_but_a_blocky_0_is_none():
    """A digit-shaped hole may fill most of the height of a tag inside the image; a hole that tall must
    not fill as much of its box as a 0's oval does, and in a tight crop it makes no surface."""
    tag = np.zeros((200, 200), np.uint8)
    cv2.rectangle(tag, (40, 70), (160, 168), 255, -1)  # a light tag seen as ink, its dark 6 a hole
    cv2.circle(tag, (100, 135), 22, 0, 8)  # the 6's loop...
    cv2.line(tag, (80, 128), (112, 80), 0, 8)  # ...and its stem: 0.89 of the tag's height
    [(x, y, w, h)] = surfaces(nesting(tag), tag.shape)
    assert 40 <= x <= 45 and 70 <= y <= 75 and 110 <= w <= 121 and 90 <= h <= 99
    crop = tag[70:169, 20:180]  # a tight crop: the ground round the digit cut off by its border
    assert surfaces(nesting(crop), crop.shape) == []
    zero = np.zeros((200, 200), np.uint8)
    cv2.rectangle(zero, (60, 25), (140, 175), 255, -1)  # a bold, blocky 0 and its oval hole
    cv2.ellipse(zero, (100, 100), (22, 62), 0, 0, 360, 0, -1)
    assert surfaces(nesting(zero), zero.shape) == []


def test_a_screen_cut_in_two_by_a_glare_band_is_one_surface_but_two_bricks_are_none():
    screen = np.zeros((100, 160), np.uint8)
    cv2.rectangle(screen, (20, 20), (140, 80), 255, -1)
    cv2.putText(screen, "47", (40, 70), cv2.FONT_HERSHEY_SIMPLEX, 1.5, 0, 5)  # light digits: holes
    cv2.line(screen, (50, 10), (130, 90), 0, 6)  # a glare band as bright as the digits
    tree = nesting(screen)
    assert len([i for i in tree.outermost() if tree.boxes[i][3] > 50]) == 2
    [(x, y, w, h)] = surfaces(tree, screen.shape)
    assert x <= 25 and y <= 25 and x + w >= 135 and y + h >= 75  # the whole screen
    bricks = np.zeros((100, 160), np.uint8)
    cv2.rectangle(bricks, (20, 20), (78, 80), 255, -1)
    cv2.rectangle(bricks, (82, 20), (140, 80), 255, -1)
    assert surfaces(nesting(bricks), bricks.shape) == []  # no digit holes


def test_a_tag_joined_to_a_brick_walls_mortar_is_a_surface_once_the_thin_mortar_is_opened_away():
    wall = np.zeros((300, 400), np.uint8)  # ink: the light mortar and the tag; the bricks are ground
    for row, y in enumerate(range(0, 300, 30)):
        cv2.line(wall, (0, y), (399, y), 255, 3)
        for x in range(15 * (row % 2), 400, 60):
            cv2.line(wall, (x, y), (x, y + 30), 255, 3)
    cv2.rectangle(wall, (120, 100), (280, 190), 255, -1)
    cv2.putText(wall, "35", (150, 175), cv2.FONT_HERSHEY_SIMPLEX, 2.2, 0, 7)  # dark digits: holes
    ink = InkImage(ink=wall, scale=1.0, ink_threshold=100)
    policy = ReadingPolicy().in_colour().find
    [(x, y, w, h)] = find_groups(ink, policy).surfaces  # the tag alone, not the frame
    assert 115 <= x <= 130 and 95 <= y <= 110 and 140 <= w <= 170 and 75 <= h <= 100
    assert find_groups(ink, dataclasses.replace(policy, solid_opening=1)).surfaces == []  # one blob, cut off


def test_light_digits_in_a_hole_of_a_brick_walls_mortar_are_found_though_that_hole_fills_no_box():
    wall = np.zeros((300, 400), np.uint8)  # ink: the light mortar, cut off by the frame
    for row, y in enumerate(range(0, 300, 30)):
        cv2.line(wall, (0, y), (399, y), 255, 3)
        for x in range(15 * (row % 2), 400, 60):
            cv2.line(wall, (x, y), (x, y + 30), 255, 3)
    cv2.rectangle(wall, (120, 100), (280, 190), 0, -1)  # a dark tag: with the bricks it cuts, one hole
    cv2.putText(wall, "35", (150, 175), cv2.FONT_HERSHEY_SIMPLEX, 2.2, 255, 7)  # light digits: ink
    tree = nesting(wall)
    tag = next(i for i in tree.outermost() if tree.boxes[i][2] == 400)
    assert not any(framed_holes(tree, tag))  # the hole is no frame's: it fills no box
    assert all(box[3] < 40 for _, box in unframed_blobs(tree) if box[2] < 400)  # read as a crop: no digit
    found = find_groups(InkImage(ink=wall, scale=1.0, ink_threshold=100), ReadingPolicy().in_colour().find)
    boxes = [g.box for g in found.groups]
    assert len(boxes) == 2 and all(
        120 < x and x + w < 280 and 100 < y and y + h < 190 for x, y, w, h in boxes
    )


# --- seven-segment digits (segments) and lit digits (ink) ----------------------------------------------

SEGMENTS_OF = {"8": "abcdefg", "4": "bcfg", "7": "abc", "1": "bc", "-": "g", "0": "abcdef"}


def _display(
    text: str, height: int = 60, gap: int = 3, pitch: float = 0.8, width: float = 0.55, thick: float = 1 / 8
) -> np.ndarray:
    """`text` as seven-segment digits `height` px tall and `width` of it wide (bars `thick` of it thick,
    `gap` px apart) on black."""
    thick, width = int(thick * height), int(width * height)
    image = np.zeros((height + 40, int(len(text) * pitch * height) + 40), np.uint8)
    for index, char in enumerate(text):
        x, y, half = 20 + int(index * pitch * height), 20, height // 2
        bars = {
            "a": (x + thick + gap, y, x + width - thick - gap, y + thick),
            "g": (x + thick + gap, y + half - thick // 2, x + width - thick - gap, y + half + thick // 2),
            "d": (x + thick + gap, y + height - thick, x + width - thick - gap, y + height),
            "f": (x, y + gap, x + thick, y + half - gap),
            "e": (x, y + half + gap, x + thick, y + height - gap),
            "b": (x + width - thick, y + gap, x + width, y + half - gap),
            "c": (x + width - thick, y + half + gap, x + width, y + height - gap),
        }
        for name in SEGMENTS_OF[char]:
            x0, y0, x1, y1 = bars[name]
            cv2.rectangle(image, (x0, y0), (x1 - 1, y1 - 1), 255, -1)
    return image


def _pieces(binary: np.ndarray) -> list:
    contours, _ = cv2.findContours(binary, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    return [(c, cv2.boundingRect(c)) for c in contours]


def test_the_bars_of_each_seven_segment_digit_are_gathered_into_one_digit_and_no_further():
    digits, _, rest = segment_digits(_pieces(_display("847")))
    assert len(digits) == 3 and rest == []  # 7, 4 and 3 bars: one digit each, not one group of all
    boxes = sorted(box for _, box in digits)
    assert [len(members) for members, _ in sorted(digits, key=lambda d: d[1][0])] == [7, 4, 3]
    assert all(a[0] + a[2] < b[0] for a, b in zip(boxes, boxes[1:], strict=False))  # side by side, apart
    ones, _, rest = segment_digits(_pieces(_display("181")))  # a 1: two upright bars, one above the other
    assert [len(members) for members, _ in sorted(ones, key=lambda d: d[1][0])] == [2, 7, 2] and rest == []
    side_by_side = np.zeros((100, 100), np.uint8)
    for x in (30, 45):
        cv2.rectangle(side_by_side, (x, 20), (x + 6, 50), 255, -1)  # two bars beside each other: no 1
    assert segment_digits(_pieces(side_by_side))[0] == []


def test_a_digits_sides_one_above_the_other_are_gathered_across_its_unlit_middle_bar():
    wide_gaps = _display("07", gap=5, pitch=1.0, width=0.8, thick=0.1)  # sides 10 px apart: beyond reach
    digits, _, rest = segment_digits(_pieces(wide_gaps))
    assert [len(members) for members, _ in sorted(digits, key=lambda d: d[1][0])] == [6, 3] and rest == []
    policy = dataclasses.replace(DEFAULT.find, segment_stack_reach=DEFAULT.find.segment_reach)
    halves, _, _ = segment_digits(_pieces(wide_gaps), policy)  # the 0's halves alone are too wide a digit
    assert all(len(members) < 6 for members, _ in halves)


def test_a_long_bar_reaches_no_further_than_the_shorter_bar_beside_it():
    four, wide_seven = _display("4"), _display("7", width=0.9)  # the 7's top bar 34 px, the 4's sides 24
    display = np.zeros((100, 200), np.uint8)
    display[:, : four.shape[1]] |= four
    display[:, 35 : 35 + wide_seven.shape[1]] |= wide_seven  # its top bar 13 px beyond the 4's side
    digits, _, rest = segment_digits(_pieces(display))  # two digits, not one set too wide for either
    assert sorted(len(members) for members, _ in digits) == [3, 4] and rest == []


def test_a_hyphen_beside_a_handwritten_one_stays_apart():
    binary = np.zeros((100, 140), np.uint8)
    cv2.rectangle(binary, (20, 47), (50, 54), 255, -1)  # a hyphen
    cv2.rectangle(binary, (58, 20), (65, 80), 255, -1)  # a 1 as tall as the line
    cv2.rectangle(binary, (75, 47), (105, 54), 255, -1)  # another hyphen
    digits, whole, rest = segment_digits(_pieces(binary))
    assert digits == whole == [] and len(rest) == 3


def _joined_corners(display: np.ndarray, index: int, corners: str, height: int = 60, gap: int = 3) -> None:
    """Fill the gaps at the named corners ("ab": the top bar's right end and the upper right bar) of
    the `index`th digit of a `_display(text, height, gap)`, as blur joins a display's bars."""
    thick, width, x, y = height // 8, int(0.55 * height), 20 + int(index * 0.8 * height), 20
    spots = {
        "af": (x, y, x + thick + gap, y + thick + gap),
        "ab": (x + width - thick - gap, y, x + width, y + thick + gap),
        "de": (x, y + height - thick - gap, x + thick + gap, y + height),
        "dc": (x + width - thick - gap, y + height - thick - gap, x + width, y + height),
    }
    for corner in corners.split():
        x0, y0, x1, y1 = spots[corner]
        cv2.rectangle(display, (x0, y0), (x1 - 1, y1 - 1), 255, -1)


def test_a_small_displays_segments_in_a_bezel_that_looks_blank_are_still_read():
    shown = _display("47", height=32, gap=2, width=0.7)  # each segment shorter than a digit
    image = np.zeros((shown.shape[0] + 60, shown.shape[1] + 60), np.uint8)
    cv2.rectangle(image, (10, 10), (image.shape[1] - 11, image.shape[0] - 11), 255, -1)  # the bezel...
    cv2.rectangle(image, (20, 20), (image.shape[1] - 21, image.shape[0] - 21), 0, -1)  # ...round its window
    image[30 : 30 + shown.shape[0], 30 : 30 + shown.shape[1]] = shown
    image = np.pad(image, 20)
    policy, tree = ReadingPolicy().in_colour().find, nesting(image)
    assert not framed_holes(tree, tree.outermost()[0], policy)  # no blob in the window is a digit tall
    found = find_groups(InkImage(ink=image, scale=1.0, ink_threshold=100), policy)
    boxes = [g.box for g in found.groups]
    assert len(boxes) == 2 and all(h >= 2 * 12 for _, _, _, h in boxes)  # each digit, not a bar alone


def test_a_displays_bars_joined_at_a_corner_are_still_one_digit_each():
    display = _display("8470")
    _joined_corners(display, 2, "ab")  # the 7: an L and its lower right bar
    _joined_corners(display, 3, "af ab de dc")  # the 0: two U pieces, one above the other
    digits, whole, rest = segment_digits(_pieces(display))
    assert [len(members) for members, _ in sorted(digits, key=lambda d: d[1][0])] == [7, 4] and rest == []
    assert [len(members) for members, _ in sorted(whole, key=lambda d: d[1][0])] == [2, 2]
    boxes = sorted(box for _, box in digits + whole)
    assert all(a[0] + a[2] < b[0] for a, b in zip(boxes, boxes[1:], strict=False))  # side by side, apart
    policy = dataclasses.replace(DEFAULT.find, segment_joined_min_stroke=99.0)  # as before: no L, no U
    digits, whole, rest = segment_digits(_pieces(display), policy)
    assert len(digits) == 2 and whole == [] and len(rest) == 4  # the L, its bar and the two Us


def test_a_found_display_gives_one_group_per_digit():
    light = cv2.bitwise_not(_display("84"))  # dark bars on a light ground, as ink finds them
    groups = find_groups(ink_image(cv2.cvtColor(light, cv2.COLOR_GRAY2BGR), crop=False)).groups
    assert len(groups) == 2


def _group(mask: np.ndarray) -> Group:
    return Group((0, 0, mask.shape[1], mask.shape[0]), mask.copy(), mask, Transform(), 64)


def test_an_outlined_digit_is_filled_even_odd_and_a_plain_one_is_left_alone():
    bubble_one = np.zeros((60, 40), np.uint8)
    cv2.rectangle(bubble_one, (12, 5), (27, 54), 255, 2)  # the outline of a thick 1
    filled = filled_outline(_group(bubble_one), 2.0)
    assert filled is not None and filled.mask[10:50, 15:25].all()  # its inside is stroke now
    bubble_zero = np.zeros((60, 50), np.uint8)
    cv2.ellipse(bubble_zero, (25, 30), (20, 27), 0, 0, 360, 255, 2)  # outer outline
    cv2.ellipse(bubble_zero, (25, 30), (8, 14), 0, 0, 360, 255, 2)  # inner outline
    ring = filled_outline(_group(bubble_zero), 2.0).mask
    assert ring[30, 10] and ring[30, 40] and not ring[30, 25]  # the ring filled, its hole left open
    plain_zero = np.zeros((60, 50), np.uint8)
    cv2.ellipse(plain_zero, (25, 30), (16, 22), 0, 0, 360, 255, 7)  # a 0 drawn with a thick pen
    assert filled_outline(_group(plain_zero), 2.0) is None


def _holes(mask: np.ndarray) -> int:
    _, hierarchy = cv2.findContours(mask, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_NONE)
    return 0 if hierarchy is None else int((hierarchy[0][:, 3] >= 0).sum())


def _bubble_one() -> np.ndarray:
    bubble = np.zeros((60, 40), np.uint8)
    cv2.rectangle(bubble, (14, 5), (25, 54), 255, 3)  # a thick 1's outline round a slit (filled: 1.6x)
    return bubble


def test_a_bubble_digits_centre_line_fills_its_strokes_inside_but_not_its_loops():
    cut = DEFAULT.cut
    one = centre_line(_group(_bubble_one()), cut.slit_elongation, cut.hairline_growth, cut.centre_pen)
    assert one is not None and _holes(one.mask) == 0
    assert one.mask[15:45, 19].all() and not one.mask[:, :13].any() and not one.mask[:, 27:].any()
    assert 5 <= np.count_nonzero(one.mask[30]) <= 9  # the centre line drawn 0.12 of 60 rows wide
    bubble_zero = np.zeros((60, 50), np.uint8)
    cv2.ellipse(bubble_zero, (25, 30), (20, 27), 0, 0, 360, 255, 2)  # outer outline
    cv2.ellipse(bubble_zero, (25, 30), (8, 14), 0, 0, 360, 255, 2)  # inner outline round the loop
    zero = centre_line(_group(bubble_zero), cut.slit_elongation, cut.hairline_growth, cut.centre_pen)
    assert zero is not None and _holes(zero.mask) == 1 and not zero.mask[30, 25]  # a ring: its loop open
    hairline_zero = np.zeros((60, 50), np.uint8)
    cv2.ellipse(hairline_zero, (25, 30), (16, 24), 0, 0, 360, 255, 2)  # a round hole: a loop, no slit
    assert (
        centre_line(_group(hairline_zero), cut.slit_elongation, cut.hairline_growth, cut.centre_pen) is None
    )
    face = np.zeros((60, 50), np.uint8)
    cv2.ellipse(face, (25, 30), (8, 27), 0, 0, 360, 255, 2)  # a narrow ring: a slit...
    assert centre_line(_group(face), cut.slit_elongation, cut.hairline_growth, cut.centre_pen) is not None
    cv2.circle(face, (25, 20), 3, 255, -1)  # ...with an eye in it: a drawing, not a stroke's inside
    assert centre_line(_group(face), cut.slit_elongation, cut.hairline_growth, cut.centre_pen) is None


def _outline_unsure_centre_line_sure(line_digit: int):
    """A stand-in model: an input with a hole (an outline, widened or not) is a 1 at 0.35 (a 0 at 0.3),
    any other (its centre line) `line_digit` at 0.85."""

    def classify(pixels: np.ndarray) -> np.ndarray:
        probabilities = np.full((len(pixels), 10), 0.35 / 8, np.float32)
        for row, image in zip(probabilities, pixels, strict=True):
            if _holes(input_ink(image)):
                row[[1, 0]] = (0.35, 0.3)
            else:
                row[:] = 0.15 / 9
                row[line_digit] = 0.85
        return probabilities

    return classify


def test_on_paper_a_rejected_bubble_digit_whose_centre_line_agrees_is_read_weighed_with_it():
    group = _group(_bubble_one())
    assert stroke_width(crop_piece(group).pixels) < DEFAULT.cut.bubble_stroke
    policy = ReadingPolicy().with_digit_accept(0.5)
    (paper,) = read_groups([group], _outline_unsure_centre_line_sure(1), None, policy.on_paper()).readings
    assert [p.label for p in paper.digits] == [1]
    one, zero, other = 0.35 * 0.85**0.5, 0.3 * (0.15 / 9) ** 0.5, 0.35 / 8 * (0.15 / 9) ** 0.5
    assert paper.digits[0].score == pytest.approx(one / (one + zero + 8 * other), rel=1e-3)
    (other_digit,) = read_groups(
        [group], _outline_unsure_centre_line_sure(7), None, policy.on_paper()
    ).readings
    assert not other_digit.digits and other_digit.rejected.label == 1  # they disagree: still rejected
    (elsewhere,) = read_groups(
        [group], _outline_unsure_centre_line_sure(1), None, policy.in_colour()
    ).readings
    assert not elsewhere.digits


def _narrow_inputs_sure(whole_score: float):
    """A stand-in model: an input whose ink is narrower than tall (a cut piece) is a 7 at 0.97, any
    other a 0 at `whole_score`."""

    def classify(pixels: np.ndarray) -> np.ndarray:
        probabilities = np.full((len(pixels), 10), (1 - whole_score) / 9, np.float32)
        for row, image in zip(probabilities, pixels, strict=True):
            _, _, width, height = cv2.boundingRect(input_ink(image))
            if width < 0.75 * height:
                row[:] = 0.03 / 9
                row[7] = 0.97
            else:
                row[0] = whole_score
        return probabilities

    return classify


@pytest.mark.parametrize("whole_score", [0.3, 0.6])  # rejected, or accepted but wider than one digit
def test_on_paper_a_bubble_digit_is_not_cut_but_a_pens_digit_or_two_touching_are(whole_score: float):
    def digits(mask: np.ndarray, policy: ReadingPolicy) -> list[int]:
        reading = read_groups([_group(mask)], _narrow_inputs_sure(whole_score), None, policy).readings[0]
        return [d.label for d in reading.digits]

    policy = ReadingPolicy().with_digit_accept(0.5)
    bubble_zero = np.zeros((60, 80), np.uint8)
    cv2.ellipse(bubble_zero, (40, 30), (37, 27), 0, 0, 360, 255, 2)  # outer outline
    cv2.ellipse(bubble_zero, (40, 30), (17, 14), 0, 0, 360, 255, 2)  # inner outline round the loop
    assert DEFAULT.cut.max_piece_width < _group(bubble_zero).aspect < DEFAULT.cut.bubble_split_aspect
    on_paper = digits(bubble_zero, policy.on_paper())
    assert on_paper == ([0] if whole_score > 0.5 else [])  # one digit (or one unsure region for `decide`)
    assert len(digits(bubble_zero, policy.in_colour())) >= 2  # elsewhere cut: its pieces read as 7s
    pen_zero = np.zeros((60, 80), np.uint8)
    cv2.ellipse(pen_zero, (40, 30), (35, 25), 0, 0, 360, 255, 9)  # as wide, a pen's stroke
    assert len(digits(pen_zero, policy.on_paper())) >= 2
    two_zeros = np.zeros((60, 110), np.uint8)
    for x in (27, 80):
        cv2.ellipse(two_zeros, (x, 30), (20, 25), 0, 0, 360, 255, 8)  # touching: wider than one
    assert stroke_width(crop_piece(_group(two_zeros)).pixels) < DEFAULT.cut.bubble_stroke
    assert len(digits(two_zeros, policy.on_paper())) >= 2


def _written_two(thickness: int) -> np.ndarray:
    """A 2, 90 px tall, written with a pen `thickness` px wide (a binary mask)."""
    mask = np.zeros((120, 100), np.uint8)
    path = np.array([(20, 35), (35, 16), (60, 14), (75, 28), (70, 50), (20, 104), (80, 104)], np.int32)
    cv2.polylines(mask, [path], False, 255, thickness)
    return mask


def test_a_hairline_digits_input_is_widened_but_a_pen_digits_or_an_outlines_is_not():
    hairline = _group(_written_two(1))
    crop = crop_piece(hairline)
    widened = widened_hairline(hairline, crop, DEFAULT.cut.hairline_stroke, DEFAULT.cut.hairline_growth)
    assert widened is not None and widened.box == crop.box
    assert np.count_nonzero(widened.pixels > 100) > 1.5 * np.count_nonzero(crop.pixels > 100)
    pen = _group(_written_two(9))
    assert (
        widened_hairline(pen, crop_piece(pen), DEFAULT.cut.hairline_stroke, DEFAULT.cut.hairline_growth)
        is None
    )
    bubble = cv2.morphologyEx(_written_two(16), cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8))  # its outline
    outline = _group(bubble)
    assert widened_hairline(outline, crop_piece(outline), DEFAULT.cut.hairline_stroke, 1.2) is None
    assert widened_hairline(outline, crop_piece(outline), DEFAULT.cut.hairline_stroke, 99.0) is not None


def _surer_with_more_ink(pixels: np.ndarray) -> np.ndarray:
    """A stand-in model: every input a 2, the surer the more stroke it holds."""
    two = np.minimum(np.count_nonzero(pixels > 100, axis=(1, 2)) / 150, 1.0)
    probabilities = np.repeat(((1 - two) / 9)[:, None], 10, axis=1).astype(np.float32)
    probabilities[:, 2] = two
    return probabilities


def test_on_paper_a_hairline_digit_keeps_its_widened_reading_when_that_is_surer():
    group = _group(_written_two(1))
    crop = crop_piece(group)
    widened = widened_hairline(group, crop, DEFAULT.cut.hairline_stroke, DEFAULT.cut.hairline_growth)
    assert _surer_with_more_ink(crop.pixels[None])[0, 2] < 0.5  # thin, it is rejected
    policy = ReadingPolicy().with_digit_accept(0.5)
    (reading,) = read_groups([group], _surer_with_more_ink, None, policy.on_paper()).readings
    assert [p.label for p in reading.digits] == [2] and np.array_equal(
        reading.digits[0].crop.pixels, widened.pixels
    )
    (elsewhere,) = read_groups([group], _surer_with_more_ink, None, policy.in_colour()).readings
    pieces = elsewhere.digits + ([elsewhere.rejected] if elsewhere.rejected else [])
    assert not any(np.array_equal(p.crop.pixels, widened.pixels) for p in pieces)  # off paper: never widened


def test_lit_colour_digits_are_ink_only_when_lit():
    blue = np.zeros((60, 80, 3), np.uint8)
    cv2.putText(blue, "5", (25, 45), cv2.FONT_HERSHEY_SIMPLEX, 1.2, (255, 160, 40), 4)  # a blue LED 5
    assert darkest_channel(blue).max() < 50  # the minimum over B, G, R loses it in the dark
    lit = lit_as_ink(blue)
    assert lit[0, 0] == 255 and lit.min() < 50  # in `lit_as_ink` it is dark on light


def test_every_tuned_value_says_where_it_came_from():
    values = list(tuned_values())
    assert len(values) >= 90
    for name, _, source in values:
        assert "(" in source and ")" in source, name  # names the commit or test it came from
    module = ast.parse(Path(policy_module.__file__).read_text())
    assigned = [t for node in module.body if isinstance(node, ast.Assign) for t in node.targets]
    names = [t.id for t in assigned if isinstance(t, ast.Name)]
    assert len(names) == len(set(names))  # evidence named twice would be cited by the wrong values


def test_the_policy_comes_from_the_models_and_is_swapped_not_changed():
    reader = SimpleNamespace(accept_threshold=0.66)
    policy = ReadingPolicy.for_model(SimpleNamespace(accept_threshold=0.38, line_reader=reader))
    assert (policy.accept.digit, policy.accept.line) == (0.38, 0.66)
    options = policy.with_options(ink_threshold=90, unsure_below=0.8)
    assert (options.ink.ink_threshold, options.accept.unsure_below, options.accept.digit) == (90, 0.8, 0.38)
    stricter = policy.with_digit_accept(0.9)
    assert stricter.accept.digit == 0.9 and policy.accept.digit == 0.38
    with pytest.raises(dataclasses.FrozenInstanceError):
        policy.accept.digit = 0.1


def test_paper_and_surfaces_have_their_own_rules_whatever_policy_they_come_from():
    paper = ReadingPolicy().on_paper()
    assert paper.find.hairlines and paper.decide.dollar_score == 0.0 and paper.find.solid_opening == 0
    for surface in (ReadingPolicy().on_surface(), paper.on_surface()):
        assert not surface.find.ruled_lines
        assert surface.ink.background_kernel == DEFAULT.ink.surface_background_kernel
    assert DEFAULT.find.ruled_lines and not DEFAULT.find.hairlines
    coloured = ReadingPolicy().in_colour()  # ruled lines are paper's
    assert not coloured.find.ruled_lines and not coloured.find.hairlines and paper.find.ruled_lines


# --- pipeline -------------------------------------------------------------------------------------


def test_a_look_reading_a_number_amid_clutter_is_stronger_than_one_reading_nothing_but_lone_1s_are_not():
    from edge_runtime.reading.decide import decide
    from edge_runtime.reading.pipeline import _decided_strength

    def _strength(recognised, policy, labels):
        return _decided_strength(decide(recognised.readings, policy.decide), policy, labels)

    from edge_runtime.reading.recognise import Recognised

    labels = [str(d) for d in range(10)]
    clutter = [_rejected((40 * k, 300, 20, 30), p=0.2) for k in range(12)]  # a brick wall's blobs
    number = Recognised([_accepted(3, (100, 100, 30, 50)), _accepted(5, (140, 100, 30, 50)), *clutter])
    nothing = Recognised(clutter[:3])
    assert _strength(number, DEFAULT, labels) > _strength(nothing, DEFAULT, labels)
    lone_one = Recognised([_accepted(1, (100, 100, 8, 50)), *clutter])
    assert _strength(lone_one, DEFAULT, labels) <= _strength(nothing, DEFAULT, labels)  # reads nothing
    mortar = Recognised([_accepted(1, (100, 100, 8, 50)), _accepted(1, (140, 100, 8, 50)), *clutter])
    assert _strength(mortar, DEFAULT, labels) < _strength(nothing, DEFAULT, labels)  # a wall's 11
    lone = Recognised([_accepted(4, (100, 100, 30, 50), 0.86), *clutter])
    assert _strength(lone, DEFAULT, labels) <= _strength(nothing, DEFAULT, labels)  # a brick read as a 4
    sure = Recognised([_accepted(2, (100, 100, 30, 50), 0.97), *clutter])
    assert _strength(sure, DEFAULT, labels) > _strength(nothing, DEFAULT, labels)  # a tag's sure 2
    quiet = Recognised([_accepted(3, (100, 100, 30, 50)), _accepted(5, (140, 100, 30, 50))])
    assert _strength(quiet, DEFAULT, labels) > _strength(number, DEFAULT, labels)


def test_a_look_at_the_strongest_strokes_is_taken_over_one_that_read_digits_only_if_it_reads_no_fewer():
    from edge_runtime.reading.pipeline import _stronger_look_taken
    from edge_runtime.reading.recognise import Recognised

    labels = [str(d) for d in range(10)]
    digits = [_accepted(d, (40 * k, 100, 30, 50)) for k, d in enumerate((0, 4, 1, 6))]
    glare = Recognised(digits[2:])  # 04 lost under a screen's glare band: 16
    assert _stronger_look_taken(glare, Recognised(digits), DEFAULT, labels)  # 0416
    assert not _stronger_look_taken(Recognised(digits), glare, DEFAULT, labels)
    one_sure = Recognised([_accepted(9, (40, 100, 30, 50), 0.99)])
    unsure = Recognised([_accepted(7, (40 * k, 100, 30, 50), 0.7) for k in range(2)])
    assert not _stronger_look_taken(unsure, one_sure, DEFAULT, labels)  # fewer digits, however sure
    nothing = Recognised([_rejected((40, 100, 30, 50))])
    assert _stronger_look_taken(nothing, Recognised(digits), DEFAULT, labels)


def test_a_grey_scene_is_read_lit_too_when_it_reads_nothing_or_on_a_dark_ground_a_lit_digit_or_no_number():
    from edge_runtime.reading.pipeline import _lit_look_wanted
    from edge_runtime.reading.recognise import Recognised

    labels = [str(d) for d in range(10)]
    paper = np.full((480, 640, 3), 200, np.uint8)
    shadowed = paper.copy()
    shadowed[:, :200] = 60  # a shadow across a third of the paper: a dark ground too
    display = paper.copy()
    cv2.rectangle(display, (100, 100), (540, 380), (20, 20, 20), cv2.FILLED)  # a display's dark window
    cv2.putText(display, "9", (200, 200), cv2.FONT_HERSHEY_SIMPLEX, 2, (255, 200, 60), 6)  # a lit 9
    cv2.putText(shadowed, "9", (200, 200), cv2.FONT_HERSHEY_SIMPLEX, 2, (30, 30, 30), 6)  # an inked 9

    def wanted(scene: np.ndarray, digits: str, p: float = 0.95) -> bool:
        readings = [_accepted(int(d), (200 + 40 * k, 150, 45, 52), p) for k, d in enumerate(digits)]
        return _lit_look_wanted(scene, scene, Recognised(readings), decide(readings), DEFAULT, labels)

    assert wanted(paper, "") and wanted(display, "")  # nothing read
    assert wanted(display, "9")  # a display's first digit, its other lit ones lost
    assert not wanted(shadowed, "9")  # an inked digit on shadowed paper
    assert wanted(display, "27", p=0.6) and wanted(shadowed, "27", p=0.6)  # no number read surely
    assert not wanted(display, "9127")
    assert not wanted(paper, "9") and not wanted(paper, "27", p=0.6)  # paper: no dark ground


def test_a_region_rejected_beside_digits_half_again_as_tall_as_they_are_is_a_glare_band_joined_to_some():
    from edge_runtime.reading.pipeline import _band_joined
    from edge_runtime.reading.recognise import Recognised

    digits = [_accepted(d, (200 + 40 * k, 100, 30, 50)) for k, d in enumerate((1, 8))]
    band = _rejected((60, 60, 130, 120), p=0.1)  # 51562's 515 joined by a band across the screen
    assert _band_joined(Recognised([band, *digits]), DEFAULT)
    smudge = _rejected((60, 100, 40, 60), p=0.1)  # about a digit's height: no band
    assert not _band_joined(Recognised([smudge, *digits]), DEFAULT)


def test_a_scene_read_as_a_tight_crop_is_taken_so_only_when_its_digits_fill_much_of_its_height():
    from edge_runtime.reading.pipeline import _fills_a_crop
    from edge_runtime.reading.recognise import Recognised

    edge = Recognised([_accepted(1, (466, 201, 14, 103))])  # a device's window edge, cut off by the frame
    assert not _fills_a_crop(edge, 480, DEFAULT.ink)
    assert _fills_a_crop(Recognised([_accepted(7, (200, 40, 180, 400))]), 480, DEFAULT.ink)  # a photo's 7
    assert not _fills_a_crop(Recognised([_rejected((200, 40, 180, 400))]), 480, DEFAULT.ink)


def test_a_dark_window_read_lit_is_taken_when_it_reads_more_or_as_many_digits_stronger_never_fewer():
    from edge_runtime.reading.pipeline import _look_again_taken
    from edge_runtime.reading.recognise import Recognised

    labels = [str(d) for d in range(10)]

    def number(digits: str, p: float = 0.95) -> Recognised:
        return Recognised([_accepted(int(d), (40 * k, 100, 30, 50), p) for k, d in enumerate(digits)])

    assert _look_again_taken(number("724"), number("7248"), DEFAULT, labels)  # its dim 8 read lit
    assert not _look_again_taken(number("2328"), number("238"), DEFAULT, labels)  # fewer, however sure
    assert not _look_again_taken(number("2"), number("1337"), DEFAULT, labels)  # others: the whole plate
    assert _look_again_taken(number("7850", 0.6), number("0850"), DEFAULT, labels)  # as many, stronger
    assert not _look_again_taken(number("0850"), number("7850", 0.6), DEFAULT, labels)
    nothing = Recognised([_rejected((40, 100, 30, 50))])
    assert _look_again_taken(nothing, number("73"), DEFAULT, labels)
    assert not _look_again_taken(nothing, number("1"), DEFAULT, labels)  # a window's edge


def test_a_look_reading_more_is_taken_and_a_surface_not_given_up_for_the_scene_that_lost_digits():
    from edge_runtime.reading.pipeline import _reads_more, _taken_over
    from edge_runtime.reading.recognise import Recognised

    labels = [str(d) for d in range(10)]
    scene, screen = np.zeros((480, 640), np.uint8), np.zeros((220, 440), np.uint8)
    sure = [_accepted(d, (40 * k, 100, 30, 50), 0.95) for k, d in enumerate((2, 3, 2, 8))]
    glared = _accepted(2, (80, 100, 30, 50), 0.7)  # a glare band crossed it: unsure
    on_screen = (screen, None, None, Recognised([*sure[:2], glared, sure[3]]))
    in_scene = (scene, None, None, Recognised([*sure[:2], sure[3]]))  # 238: the band joined the 2, lost
    assert not _taken_over(in_scene, on_screen, scene, DEFAULT, labels)
    assert _taken_over(in_scene, (scene, *on_screen[1:]), scene, DEFAULT, labels)  # 2328 in the scene
    edge = Recognised([_accepted(1, (0, 100, 8, 50), 0.7), *sure[1:]])  # only a 1 more: the screen's edge
    assert _taken_over(
        (scene, None, None, Recognised(sure[1:])), (screen, None, None, edge), scene, DEFAULT, labels
    )
    other = (
        scene,
        None,
        None,
        Recognised([_accepted(d, (40 * k, 100, 30, 50), 0.95) for k, d in enumerate((5, 8))]),
    )
    assert _taken_over(other, on_screen, scene, DEFAULT, labels)  # another number: the stronger look
    same = (scene, None, None, Recognised(sure))  # the screen's digits, surer in the scene: not taken
    assert not _taken_over(same, on_screen, scene, DEFAULT, labels)
    eight = (screen, None, None, Recognised([sure[3]]))  # 13:3 joined by the band, rejected
    assert _taken_over(on_screen, eight, scene, DEFAULT, labels)  # the 2328 of another channel, unsure
    assert not _reads_more("2", "")  # a blank screen read as a 2
    assert _reads_more("2328", "238") and not _reads_more("1238", "238")  # only a 1 more: an edge


# --- the chain ----------------------------------------------------------------------------------------

CHAIN = (  # each module may import only those before it: a stage never calls back into an earlier caller
    "policy", "geometry", "inputs", "thinning", "ink", "groups", "nesting", "segments", "find", "cuts",
    "recognise", "rows", "shapes", "decide", "separators", "report", "pipeline", "orientation",
)  # fmt: skip


def test_each_reading_module_imports_only_the_modules_before_it_in_the_chain():
    import ast
    from pathlib import Path

    import edge_runtime.reading as reading

    folder = Path(reading.__file__).parent
    assert {p.stem for p in folder.glob("*.py")} - {"__init__"} == set(CHAIN)
    for position, name in enumerate(CHAIN):
        tree = ast.parse((folder / f"{name}.py").read_text())
        imported = {
            node.module.rsplit(".", 1)[-1]
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("edge_runtime.reading.")
        }
        assert imported <= set(CHAIN[:position]), f"{name} imports {imported - set(CHAIN[:position])}"


def test_a_plate_outline_joined_to_its_digits_is_peeled_off_and_its_sides_are_no_ones():
    ink = np.zeros((200, 400), np.uint8)
    cv2.rectangle(ink, (40, 40), (360, 150), 200, 3)  # a plate's printed outline...
    cv2.ellipse(ink, (110, 95), (28, 54), 0, 0, 360, 200, 8)  # ...touched by 0s at its top and bottom
    cv2.rectangle(ink, (190, 41), (199, 140), 200, cv2.FILLED)  # and by a 1 at its top
    cv2.ellipse(ink, (280, 95), (28, 54), 0, 0, 360, 200, 8)
    frame = InkImage(ink=ink, scale=1.0, ink_threshold=100)
    boxes = sorted(g.box for g in find_groups(frame, DEFAULT.find).groups)
    assert len(boxes) == 3 and all(b[3] >= 90 for b in boxes)  # the 0, the 1 and the 0...
    assert all(50 < x and x + w < 350 for x, _, w, _ in boxes)  # ...and no side of the outline
    screen = np.zeros((200, 400), np.uint8)
    cv2.rectangle(screen, (40, 40), (360, 150), 200, cv2.FILLED)  # a dark screen as ink, long rows throughout
    cv2.rectangle(screen, (120, 60), (128, 130), 0, cv2.FILLED)  # round a light 1
    found = find_groups(InkImage(ink=screen, scale=1.0, ink_threshold=100), DEFAULT.find)
    assert [g.box for g in found.groups] == [(40, 40, 321, 111)]  # not peeled: still one blob
