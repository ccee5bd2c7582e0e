"""Stage 5 of reading, decide: every rule that accepts or rejects what was read, and the reading order.

A region counts as a digit only when the model accepts it: its top probability reaches the model's
acceptance probability, which `edge export` chose on validation digits (at most 0.5% of them fall
below it) and wrote into the manifest. Then, in this order:

- a rejected group in which the line reader is sure of one digit (`GroupReading.in_line`) is taken as
  that digit when it is level with an accepted one: in a number, the reader's reading is a second
  opinion the digit model's lone verdict lacks (the reader reads letters as no number);
- an accepted digit much shorter than the tallest one in view (`min_relative_height`; a 1
  `edge_one_height` times taller than two other digits or more is an edge, no measure), or shorter
  than `min_digit_pixels` (a speck), is rejected;
- in a cluttered frame (at least `clutter_regions` rejected regions, more than the digits accepted),
  a digit accepted with less than `clutter_confidence` is more likely a texture's blob: rejected;
  and when all that is read in the end is one digit below `lone_clutter_score` among at least
  `lone_clutter_regions` rejected regions, it is no number (a brick wall's mortar joint read as a 7);
- in the reading given (`unsure_digits`), a rejected region that is the only one (on paper, one of
  two: `gap_regions`) level with `gap_digits` accepted digits or more, of their size (`gap_height`,
  `gap_width`) and each a group of its own (not cut out of a blob, as a word's letters are), read with
  `gap_score` or more and no colon, is an unsure digit of a number (an outlined or a hairline digit):
  taken as the digit read best there, when it lies amid the digits, or, on paper (`gap_at_ends`), at
  an end unless it is a sign beside a surely read number (below); a word has more letters;
- a 4 whose ink runs down both sides of its box (`shapes.an_h`) is an H, a word's letter: rejected;
- when a rejected region of about an accepted digit's height (`level_height`) sits level with it, no
  number is read at all: the line is a word whose letters partly look like digits (the o of "Room",
  the S of "Sale" beside its a and e), or a number with an unreadable digit, which would be read
  wrong, unless the region is a colon (12:45), or one sign at either end of a number of `sign_digits`
  or more, not 1s only (a lit word's strokes), while the model reads each digit surely
  (`sign_number_score`; a comma or a full stop read as a digit aside), one after it set apart by
  `sign_space` times its narrowest gap (a word's last letter is as near as the others): €12.50,
  30 ¢ (a lone 1 beyond the sign that is a straight bar, `bar_width` of its height wide, is a tag's
  edge: the sign is at the number's end, not amid it); or a sign beside a lone digit read with
  `lone_sign_score` that is none of `lone_sign_not` (a word's O and I are read as 0 and 1), before
  it (€7) or after it set apart by `lone_sign_space` of its height (3 €);
  only a line of two digits or more, each read with `apart_line_score`, with no such region level
  with it, is still read (a display's number above a wood grain whose streaks read as 1s and
  letters);
- the digits left are put in reading order: lines top to bottom, each left to right;
- 1s inside a line that lean `slash_lean` more than the line's other digits and stand `slash_height`
  times taller, `slashes` of them at least, are slashes (a date's 17/05/2024), taken out of the line
  (`separators` writes them); so are two that lean `slash_steep` more between a date's runs of digits;
- a "digit" inside a line at most `mark_height` of the line's other digits and whose middle lies
  `mark_low` of their height below their top, on their baseline, is a comma or a full stop: taken out
  of the line (`separators` writes it); so is a line of one such "digit" below another line, between
  two of its digits (a large comma hanging low);
- a 1 at a line's end whose stroke is at most `edge_stroke` of the line's other digits', or who
  stands `edge_height` times taller, or `apart_gap` of their height from its neighbour and at most
  `apart_height` of it tall, or `far_gap` of it from its neighbour, or `shifted_gap` of it with its
  middle `shifted_offset` of it above or below its neighbour's, or who is read below
  `unsure_edge_score` while the digits between the line's ends, two at least, are read at
  `dollar_rest_score` or more (printed; not on paper), is the edge of a frame, an outline, a tag, a
  sign, a display's window, a wall's joint beyond a tag: dropped (before a dollar sign is looked for);
- a line's first digit read as a 5 or an 8 (`dollar_digits`) is a dollar sign ($7.41), dropped, when
  it is read below `dollar_score` (not on paper, see `pipeline`) while the rest of the line is read
  at `dollar_rest_score` or more, or only their median is and it sticks out above and below them
  (`stem_out` together: a dollar's stem), or when its stem sticks out above and below the others
  (`stem_out` together) as a narrow stroke (`stem_rows`, `stem_width`), or it is read below
  `dollar_loop_score` with an S's half loops on either side of a stem (`dollar_loop_width`), while
  they are read at `sign_number_score` or more; so is any first "digit" `tall_sign` times as tall as
  the median of two or more after it, read at `sign_number_score` or more (not on paper: a currency
  sign drawn large, as Humor-Sans' euro);
- a line's first or last "digit" read as one of `open_sign_digits` whose ink's right side
  (`open_side`) is blank in the rows of an 8's upper or lower loop (`open_rows`), beside two digits
  or more read at `sign_number_score` or more, is a currency sign (not on paper): a euro's C, a
  dollar's S, read as an 8 or a 9 however surely;
- a line of `texture_length` digits or more, all 1s but one at most, or of `ones_length` or more, all
  1s, is a word's strokes on a display, a chalkboard or paper: dropped;
- lines of 1s only, beside a line holding another digit, are a wall's mortar, wood grain or an
  object's edges, not a number: dropped; so are two lines or more of 1s only with nothing else read
  (a frame's or a bezel's edge in pieces, one above another);
- a line of one thin 0 (`ring_stroke`) `ring_aspect` times wider than tall, read below `ring_score`,
  is the outline of a frame or a blank plate: dropped;
- a line of one digit read below `shape_score` that is a drawn plus sign or a triangle's outline
  (`shapes`: a plus is read as a 4, a triangle as a 0) is no digit: dropped;
- a line of `weak_line_length` digits or more (on paper one more: a bubble number's two digits can
  both be read weakly), each read below `weak_line_score`, is a word whose letters the model half
  takes for digits ("adr" read 808, a blank plate's bricks 77): dropped;
- in a scene (`without_wall_edges`, which `pipeline` applies with the image read), a 1 at a line's
  end that is a straight bar (`bar_width`) with the ground beyond it `ground_step` brighter or darker
  than between it and its neighbour, or a line of one such bar with the ground that much brighter or
  darker across it or at the side of the image read, is the edge of a tag, a sign or a device against
  a wall: dropped;
- in a coloured scene's reading (`without_unsure_lone_digits`, which `pipeline` applies), a line of
  one 1 read with less than `lone_one_score` is an edge, a glare band or an unlit segment, and a line
  of one other digit read with less than `lone_digit_score` a blank surface's mark or a reflection:
  dropped;
- in a coloured scene's reading (`without_a_lone_speck`, which `pipeline` applies with the height of
  the image read), one digit, all that is read, shorter than `speck_height` of that image is a brick
  wall's mortar joint or a speck beside a blank surface: dropped;
- on a surface read alone (`without_an_unsure_digit_on_a_surface`, which `pipeline` applies), one
  digit, all that is read, below `surface_digit_score` is a word's letter or a mark: dropped;
- in a scene (`without_faint_lines`, which `pipeline` applies with the image read), a line whose
  digits all differ from the ground around them by less than `faint_contrast` is an LCD's unlit
  segments or faint marks: dropped; so is a line of one 1 lighter than its ground whose edges fade
  over `glare_fade` of its height and `glare_min_fade` pixels at least, a glare band across a blank
  screen (`without_glare_bands`).
(The values named here are `policy.DecidePolicy`'s.)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise

import cv2
import numpy as np

from edge_runtime.reading.geometry import Box, level, middle, middle_x, shared_area
from edge_runtime.reading.groups import Piece, input_ink, stroke_width
from edge_runtime.reading.ink import brightest_channel
from edge_runtime.reading.policy import DEFAULT, DecidePolicy
from edge_runtime.reading.recognise import GroupReading
from edge_runtime.reading.shapes import a_corner, a_plus, a_rim, a_triangle, an_h


@dataclass(frozen=True)
class Decision:
    """The accepted digits in reading order, by line, and every region rejected."""

    lines: list[list[Piece]]
    rejected: list[Piece]


def decide(
    readings: list[GroupReading], policy: DecidePolicy = DEFAULT.decide, unsure_digits: bool = False
) -> Decision:
    """Apply the rules of the module docstring to an image's group readings; `unsure_digits`: with one
    unsure digit of a number taken (for the reading given; `pipeline` compares its looks without it,
    since a look that read a digit unsurely read less)."""
    accepted, rejected = _with_digits_in_line(readings, policy)
    accepted, too_small = _drop_small(accepted, policy)
    accepted, doubtful = _drop_doubtful_in_clutter(accepted, rejected, policy)
    if unsure_digits:
        apart = {id(r.digits[0]) for r in readings if len(r.digits) == 1}  # each a group of its own
        accepted, rejected = _with_unsure_digits_in_numbers(accepted, rejected, apart, policy)
    accepted, letters = _without_letters(accepted, policy)
    rejected = rejected + letters
    accepted, in_words = _drop_lines_with_gaps(accepted, rejected, policy)
    lines, slashes = _without_slashes(reading_lines(accepted), policy)
    lines, marks = _without_marks(lines, policy)
    lines, stray = _without_stray_marks(lines, policy)
    lines, edges = _without_edges(lines, policy)
    lines, signs = _without_leading_signs(lines, policy)
    lines, open_signs = _without_open_signs(lines, policy)
    lines, ones = _without_lines_of_ones(lines, policy)
    lines, rings = _without_rings(lines, policy)
    lines, shapes = _without_shapes(lines, policy)
    lines, weak = _without_weak_lines(lines, policy)
    dropped = (too_small, doubtful, in_words, slashes, marks, stray, edges, signs, open_signs, ones, rings)
    dropped += (shapes, weak)
    rejected = rejected + [piece for pieces in dropped for piece in pieces]
    lines, lone = _without_lone_digit_in_clutter(lines, rejected, policy)
    return Decision(lines, rejected + lone)


def _without_lone_digit_in_clutter(
    lines: list[list[Piece]], rejected: list[Piece], policy: DecidePolicy
) -> tuple[list[list[Piece]], list[Piece]]:
    """No digit when all that is read is one digit below `lone_clutter_score` among at least
    `lone_clutter_regions` rejected regions: a brick wall's mortar joint read as a 7, not a number.
    Returns (lines, dropped)."""
    if len(lines) == 1 and len(lines[0]) == 1 and len(rejected) >= policy.lone_clutter_regions:
        if lines[0][0].score < policy.lone_clutter_score:
            return [], lines[0]
    return lines, []


def _with_digits_in_line(
    readings: list[GroupReading], policy: DecidePolicy
) -> tuple[list[Piece], list[Piece]]:
    """The accepted digits, with every rejected group's `in_line` digit that is level with one of
    them; and the regions still rejected."""
    accepted = [p for r in readings for p in r.digits]
    joined = [r.in_line is not None and _level_with_any(r.in_line, accepted, policy) for r in readings]
    accepted += [r.in_line for r, join in zip(readings, joined, strict=True) if join]
    rejected = [
        r.rejected for r, join in zip(readings, joined, strict=True) if r.rejected is not None and not join
    ]
    return accepted, rejected


def _drop_small(pieces: list[Piece], policy: DecidePolicy) -> tuple[list[Piece], list[Piece]]:
    """Accepted pieces split into those tall enough next to the tallest and `min_digit_pixels` tall at
    least, and the rest. A 1 `edge_one_height` times taller than every other digit, two at least, is
    no measure: an edge (a display's window, a tag's side), not the digits' height."""
    if not pieces:
        return [], []
    others = [p.crop.box[3] for p in pieces if p.label != 1]
    ceiling = policy.edge_one_height * max(others) if len(others) >= 2 else np.inf
    tallest = max(p.crop.box[3] for p in pieces if p.crop.box[3] < ceiling)
    least = max(policy.min_relative_height * tallest, policy.min_digit_pixels)
    return [p for p in pieces if p.crop.box[3] >= least], [p for p in pieces if p.crop.box[3] < least]


def _drop_doubtful_in_clutter(
    accepted: list[Piece], rejected: list[Piece], policy: DecidePolicy
) -> tuple[list[Piece], list[Piece]]:
    """In a cluttered frame, the digits accepted with less than `clutter_confidence` are dropped.
    Returns (kept, dropped)."""
    if len(rejected) < policy.clutter_regions or len(rejected) <= len(accepted):
        return accepted, []
    keep = [p for p in accepted if p.score >= policy.clutter_confidence]
    return keep, [p for p in accepted if p.score < policy.clutter_confidence]


def _with_unsure_digits_in_numbers(
    accepted: list[Piece], rejected: list[Piece], apart: set[int], policy: DecidePolicy
) -> tuple[list[Piece], list[Piece]]:
    """The accepted digits with each rejected region taken as the digit the model read best there,
    when it is one of at most `gap_regions` rejected regions level with `gap_digits` accepted digits or
    more of its size (`gap_height`, no wider than `gap_width` times the widest of them), each a group of
    its own (`apart`, their ids: a word's letters are often cut into digit-like pieces, an n into 11),
    read with `gap_score` at least and not a colon: one unsure digit in a number (an outlined or a
    hairline digit; on paper two), where a word has more letters. Returns (accepted, still rejected)."""
    taken = []
    for region in rejected:
        beside = _without_a_bar_beyond(
            region, [d for d in accepted if level(region.crop.box, d.crop.box, policy.gap_height)], policy
        )
        if (
            len(beside) < policy.gap_digits
            or not all(id(d) in apart for d in beside)
            or region.score < policy.gap_score
            or region.crop.box[2] > policy.gap_width * max(d.crop.box[2] for d in beside)
            or looks_like_a_colon(region.crop.pixels, policy)
        ):
            continue
        others = [r for r in rejected if r is not region and _level_with_any(r, beside, policy)]
        at_an_end = policy.gap_at_ends and not _signs_beside([region], beside, policy)
        if len(others) < policy.gap_regions and (_amid(region, beside) or at_an_end):
            taken.append(region)
    taken_ids = {id(r) for r in taken}
    return accepted + taken, [r for r in rejected if id(r) not in taken_ids]


def _amid(region: Piece, digits: list[Piece]) -> bool:
    """True when `region` lies between two of `digits`, left to right."""
    centre = middle_x(region.crop.box)
    return min(middle_x(d.crop.box) for d in digits) < centre < max(middle_x(d.crop.box) for d in digits)


def _without_letters(accepted: list[Piece], policy: DecidePolicy) -> tuple[list[Piece], list[Piece]]:
    """The accepted pieces without the 4s that are an H (`shapes.an_h`), which are a word's letter, not
    a digit (so its line is a word). Returns (kept, the letters)."""
    kept: list[Piece] = []
    letters: list[Piece] = []
    for piece in accepted:
        (letters if piece.label == 4 and an_h(piece.crop.pixels, policy) else kept).append(piece)
    return kept, letters


def _drop_lines_with_gaps(
    accepted: list[Piece], rejected: list[Piece], policy: DecidePolicy
) -> tuple[list[Piece], list[Piece]]:
    """Every accepted digit is dropped when a rejected region that is not a colon is level with one of
    them, unless the regions so level are signs beside a number (`_signs_beside`), but for the lines
    of two digits or more, each read with `apart_line_score`, with no such region level with them.
    Returns (kept, dropped)."""
    gaps = [
        r
        for r in rejected
        if _level_with_any(r, accepted, policy) and not looks_like_a_colon(r.crop.pixels, policy)
    ]
    if not gaps or _signs_beside(gaps, accepted, policy):
        return accepted, []
    kept = [
        digit
        for line in reading_lines(accepted)
        if len(line) >= 2
        and all(d.score >= policy.apart_line_score for d in line)
        and not any(_level_with_any(gap, line, policy) for gap in gaps)
        for digit in line
    ]
    kept_ids = {id(d) for d in kept}
    return kept, [d for d in accepted if id(d) not in kept_ids]


def _signs_beside(regions: list[Piece], digits: list[Piece], policy: DecidePolicy) -> bool:
    """True when `regions` are at most one sign before and one after a number, none amid it: each
    beside at least `sign_digits` digits level with it, every digit in view but a comma or a full
    stop (`_a_mark`) read surely (`sign_number_score`), or beside one digit (`_lone_digit_beside`), one
    after them set apart by a space (`_spaced_after`): a currency sign, a unit. A word's digit-like
    letters are read less surely, and a word has more than one letter at an end, as near as the others;
    a number of 1s only is a word's strokes (OPEN's E and N read 111 after its O)."""
    if not all(d.score >= policy.sign_number_score for d in digits if not _a_mark_among(d, digits, policy)):
        return False
    sides = []
    for region in regions:
        beside = _without_a_bar_beyond(
            region, [d for d in digits if level(region.crop.box, d.crop.box, policy.level_height)], policy
        )
        centre = middle_x(region.crop.box)
        left = [d for d in beside if middle_x(d.crop.box) < centre]
        amid = 0 < len(left) < len(beside)
        if amid or (len(beside) < policy.sign_digits and not _lone_digit_beside(region, beside, policy)):
            return False
        if all(d.label == 1 for d in beside):
            return False
        if left and not _spaced_after(region, left, policy):
            return False
        sides.append(bool(left))
    return sides.count(True) <= 1 and sides.count(False) <= 1


def _without_a_bar_beyond(region: Piece, beside: list[Piece], policy: DecidePolicy) -> list[Piece]:
    """The digits `beside` a sign `region` without a lone 1 beyond it, on the far side from the others,
    that is a straight bar (at most `bar_width` of its height wide) at least as tall as the sign: a
    tag's edge after its € sign (a blob joined to a digit stands taller than a device's edge)."""
    centre = middle_x(region.crop.box)
    left = [d for d in beside if middle_x(d.crop.box) < centre]
    right = [d for d in beside if middle_x(d.crop.box) >= centre]
    for one, others in ((left, right), (right, left)):
        if len(one) == 1 and others and _a_bar(one[0], policy) and one[0].crop.box[3] >= region.crop.box[3]:
            return others
    return beside


def _a_bar(piece: Piece, policy: DecidePolicy, width: float | None = None) -> bool:
    """True when `piece` is a 1 that is a straight bar, at most `width` (`bar_width`) of its height wide."""
    share = policy.bar_width if width is None else width
    return piece.label == 1 and piece.crop.box[2] <= share * piece.crop.box[3]


def _spaced_after(region: Piece, digits: list[Piece], policy: DecidePolicy) -> bool:
    """True when `region`, after `digits`, is set apart from the last of them by `sign_space` times
    their narrowest gap at least (each gap at least `sign_space_floor` of the last digit's height): a
    unit or a currency sign after a space (98,70 €), not a word's last letter (SHOP read 540)."""
    boxes = sorted((d.crop.box for d in digits), key=lambda box: box[0])
    gaps = [b[0] - a[0] - a[2] for a, b in pairwise(boxes)]
    last = boxes[-1]
    narrowest = max(min(gaps, default=0), policy.sign_space_floor * last[3])
    return region.crop.box[0] - last[0] - last[2] >= policy.sign_space * narrowest


def _a_mark_among(digit: Piece, digits: list[Piece], policy: DecidePolicy) -> bool:
    """True when `digit` is a comma or a full stop (`_a_mark`) beside the other `digits` level with it."""
    others = [d.crop.box for d in digits if d is not digit and level(d.crop.box, digit.crop.box)]
    return bool(others) and _a_mark(digit.crop.box, others, policy)


def _lone_digit_beside(region: Piece, beside: list[Piece], policy: DecidePolicy) -> bool:
    """True when the sign `region` has one digit beside it, read with `lone_sign_score` and none of
    `lone_sign_not`, after it (€7) or before it set apart by `lone_sign_space` of the digit's height
    (3 €; a word's letters are nearer)."""
    if len(beside) != 1:
        return False
    digit = beside[0]
    if digit.score < policy.lone_sign_score or digit.label in policy.lone_sign_not:
        return False
    x, _, width, height = digit.crop.box
    after = middle_x(region.crop.box) > middle_x(digit.crop.box)
    return not after or region.crop.box[0] - x - width >= policy.lone_sign_space * height


def _without_slashes(lines: list[list[Piece]], policy: DecidePolicy) -> tuple[list[list[Piece]], list[Piece]]:
    """Each line without the 1s inside it that are slashes, when it holds `slashes` of them at least:
    leaning `slash_lean` more than the median of the line's other digits and `slash_height` times
    their median height (a printed slash leans and reaches above and below the digits; a handwritten
    number's 1 leans with its neighbours, and two such in one number are rarer still); or two 1s of
    any height leaning `slash_steep` more, between digits that run as a date's (`date_runs`). Returns
    (lines, the slashes taken out)."""

    def slashes(line: list[Piece]) -> list[int]:
        leans = [_lean(p.crop.pixels) for p in line]
        heights = [p.crop.box[3] for p in line]
        found, steep = [], []
        for index in range(1, len(line) - 1):
            others = [k for k in range(len(line)) if k != index]
            more = leans[index] - np.median([leans[k] for k in others])
            if line[index].label == 1 and more >= policy.slash_lean:
                if heights[index] >= policy.slash_height * np.median([heights[k] for k in others]):
                    found.append(index)
                if more >= policy.slash_steep:
                    steep.append(index)
        if len(found) >= policy.slashes:
            return found
        runs = tuple(np.diff([-1, *steep, len(line)]) - 1)
        return steep if len(steep) == 2 and runs in policy.date_runs else []

    return _taken_out(lines, slashes)


def _without_marks(lines: list[list[Piece]], policy: DecidePolicy) -> tuple[list[list[Piece]], list[Piece]]:
    """Each line without the "digits" inside it that are a comma or a full stop read as a digit (9,108
    read 99108): at most `mark_height` of the median height of the line's other digits, with their
    middle at least `mark_low` of that height below the others' median top (on their baseline).
    Returns (lines, the marks taken out)."""

    def marks(line: list[Piece]) -> list[int]:
        found = []
        for index in range(1, len(line) - 1):
            others = [p.crop.box for k, p in enumerate(line) if k != index]
            if _a_mark(line[index].crop.box, others, policy):
                found.append(index)
        return found

    return _taken_out(lines, marks)


def _a_mark(box: Box, others: list[Box], policy: DecidePolicy) -> bool:
    """True when `box` is at most `mark_height` of the median height of `others` with its middle at
    least `mark_low` of that height below their median top: a comma or a full stop on their baseline."""
    height = np.median([b[3] for b in others])
    top = np.median([b[1] for b in others])
    return box[3] <= policy.mark_height * height and middle(box) - top >= policy.mark_low * height


def _without_stray_marks(
    lines: list[list[Piece]], policy: DecidePolicy
) -> tuple[list[list[Piece]], list[Piece]]:
    """The lines without those of one "digit" that is a mark (`_a_mark`) of another line, between two
    of its digits: a large comma hanging so low below its digits that it began a line of its own
    (€4,98 read 4,98 and 9). Returns (lines, the marks taken out)."""

    def stray(line: list[Piece]) -> bool:
        if len(line) != 1:
            return False
        box, x = line[0].crop.box, middle_x(line[0].crop.box)
        return any(
            len(other) >= 2
            and middle_x(other[0].crop.box) < x < middle_x(other[-1].crop.box)
            and _a_mark(box, [p.crop.box for p in other], policy)
            for other in lines
            if other is not line
        )

    return _lines_taken_out(lines, stray)


def _without_edges(lines: list[list[Piece]], policy: DecidePolicy) -> tuple[list[list[Piece]], list[Piece]]:
    """Each line without a 1 at either end whose stroke is at most `edge_stroke` of the line's other
    digits' (median), who stands `edge_height` times taller than they do, or who stands `apart_gap`
    of their height from its neighbour while at most `apart_height` of it tall, or `far_gap` of it
    whatever its height, or `shifted_gap` of it with its middle `shifted_offset` of it above or below
    its neighbour's, or who is read unsurely beside printed digits (`_unsure_beside_printed`; not on
    paper): the side of a plate's inner outline, a tag's, a sign's or a screen's edge, a display
    window's, a wall's joint beyond a tag, not a digit. Returns (lines, the edges dropped)."""

    def edges(line: list[Piece]) -> list[int]:
        found: list[int] = []
        for index in sorted({0, len(line) - 1} if len(line) >= 2 else set()):
            others = [p for k, p in enumerate(line) if k != index and k not in found]
            if line[index].label == 1 and others:
                stroke = np.median([stroke_width(p.crop.pixels) for p in others])
                height = np.median([p.crop.box[3] for p in others])
                box, beside = line[index].crop.box, line[1 if index == 0 else index - 1].crop.box
                gap = max(beside[0] - box[0] - box[2], box[0] - beside[0] - beside[2])
                if (
                    0 < stroke_width(line[index].crop.pixels) <= policy.edge_stroke * stroke
                    or box[3] >= policy.edge_height * height
                    or (gap >= policy.apart_gap * height and box[3] <= policy.apart_height * height)
                    or gap >= policy.far_gap * height
                    or _unsure_beside_printed(line, index, policy)
                    or (
                        gap >= policy.shifted_gap * height
                        and abs(middle(box) - middle(beside)) >= policy.shifted_offset * height
                    )
                ):
                    found.append(index)
        return found

    return _taken_out(lines, edges)


def _unsure_beside_printed(line: list[Piece], index: int, policy: DecidePolicy) -> bool:
    """True when `line[index]` is read below `unsure_edge_score` while the digits between the line's
    ends, two at least, are read with `dollar_rest_score` or more (printed digits, read surely)."""
    inner = line[1:-1]
    return (
        line[index].score < policy.unsure_edge_score
        and len(inner) >= 2
        and all(p.score >= policy.dollar_rest_score for p in inner)
    )


def _taken_out(
    lines: list[list[Piece]], indices: Callable[[list[Piece]], list[int]]
) -> tuple[list[list[Piece]], list[Piece]]:
    """Each line without the pieces at its `indices`, and those pieces."""
    kept, out = [], []
    for line in lines:
        drop = indices(line)
        kept.append([p for k, p in enumerate(line) if k not in drop])
        out += [line[k] for k in drop]
    return kept, out


def without_wall_edges(
    decision: Decision, image: np.ndarray, policy: DecidePolicy = DEFAULT.decide
) -> Decision:
    """`decision` without each 1 at either end of a line of two digits or more that is a straight bar,
    at most `bar_width` of its height wide, with the ground beyond it `ground_step` brighter or darker
    than between it and its neighbour (medians of `image`'s brightest channel in bands `ground_band` of
    its height wide; `image` shows the scene as the pieces' boxes lie in it), and without each line of
    one 1 at most `lone_bar_width` of its height wide with the ground that much brighter or darker on
    one side than on the other, or with no room for a band on one side (at the side of the surface
    read): the edge of a tag, a sign or a device against its wall, not a digit on it."""

    def ground(rows: slice, start: int, stop: int) -> float | None:
        band = image[rows, max(start, 0) : max(stop, 0)]
        return float(np.median(brightest_channel(band))) if band.size else None

    def band_and_rows(box: Box) -> tuple[int, slice]:
        return max(2, round(policy.ground_band * box[3])), slice(box[1], box[1] + box[3])

    def stepped(one: float | None, other: float | None) -> bool:
        return one is not None and other is not None and abs(one - other) >= policy.ground_step

    def lone_edge(piece: Piece) -> bool:
        x, _, w, _ = piece.crop.box
        band, rows = band_and_rows(piece.crop.box)
        if x - 1 - band < 0 or x + w + 1 + band > image.shape[1]:
            return True
        return stepped(ground(rows, x - 1 - band, x - 1), ground(rows, x + w + 1, x + w + 1 + band))

    def edges(line: list[Piece]) -> list[int]:
        found: list[int] = []
        if len(line) == 1:
            lone = line[0]
            return [0] if _a_bar(lone, policy, policy.lone_bar_width) and lone_edge(lone) else []
        for index, neighbour in ((len(line) - 1, len(line) - 2), (0, 1)):
            if not _a_bar(line[index], policy) or neighbour in found:
                continue
            x, _, w, _ = line[index].crop.box
            near_x, _, near_w, _ = line[neighbour].crop.box
            band, rows = band_and_rows(line[index].crop.box)
            if index > neighbour:  # the line's last piece
                between = ground(rows, max(near_x + near_w, x - band), x)
                beyond = ground(rows, x + w + 1, x + w + 1 + band)
            else:
                between = ground(rows, x + w, min(near_x, x + w + band))
                beyond = ground(rows, x - 1 - band, x - 1)
            if stepped(between, beyond):
                found.append(index)
        return found

    lines, dropped = _taken_out(decision.lines, edges)
    return Decision([line for line in lines if line], decision.rejected + dropped)


def without_unsure_lone_digits(decision: Decision, policy: DecidePolicy = DEFAULT.decide) -> Decision:
    """`decision` without its lines of one 1 read with less than `lone_one_score` and of one other
    digit read with less than `lone_digit_score`: in a coloured scene more often a tag's or a plate's
    edge, a glare band, a display's unlit segment or its reflection, or a mark on a blank surface than
    a digit, whose print is read surely (on paper a handwritten digit is read as unsurely). `pipeline`
    applies it to the reading taken, not to the looks it compares: a look that reads such a digit
    still found where digits may lie."""

    def unsure(line: list[Piece]) -> bool:
        if len(line) != 1:
            return False
        return line[0].score < (policy.lone_one_score if line[0].label == 1 else policy.lone_digit_score)

    lines, dropped = _lines_taken_out(decision.lines, unsure)
    return Decision(lines, decision.rejected + dropped)


def without_a_lone_digit_off_surfaces(decision: Decision, surfaces: list[Box]) -> Decision:
    """`decision` without its digit when it reads one digit only, and that digit overlaps none of
    `surfaces` (the plates, tags, signs and screens `find` saw, in the image the pieces' boxes lie in):
    in a coloured scene holding such a surface, one digit read on the wall beside it is a brick's
    mortar or the wood's grain, not the surface's number."""
    return _without_a_lone_digit(
        decision, lambda digit: bool(surfaces) and not any(shared_area(digit.crop.box, s) for s in surfaces)
    )


def without_a_lone_speck(decision: Decision, height: int, policy: DecidePolicy = DEFAULT.decide) -> Decision:
    """`decision` without its digit when it reads one digit only, shorter than `speck_height` of the
    image read (`height` pixels): in a coloured scene a brick wall's mortar joint or a speck beside a
    blank tag or plate, not the number of a surface, whose print is larger."""
    return _without_a_lone_digit(decision, lambda digit: digit.crop.box[3] < policy.speck_height * height)


def without_an_unsure_digit_on_a_surface(
    decision: Decision, policy: DecidePolicy = DEFAULT.decide
) -> Decision:
    """`decision` without its digit when it reads one digit only, below `surface_digit_score`, on a
    surface read alone (a screen's window, a plate, a tag): a word's letter (the E of "SALE", the O of
    "INFO") or a mark on it, in a grey scene too; a surface's print is read surely."""
    return _without_a_lone_digit(decision, lambda digit: digit.score < policy.surface_digit_score)


def _without_a_lone_digit(decision: Decision, out: Callable[[Piece], bool]) -> Decision:
    """`decision` without its digit when it reads one digit only and `out` holds for it."""
    pieces = [piece for line in decision.lines for piece in line]
    if len(pieces) != 1 or not out(pieces[0]):
        return decision
    return Decision([], decision.rejected + pieces)


def without_faint_lines(
    decision: Decision, image: np.ndarray, policy: DecidePolicy = DEFAULT.decide
) -> Decision:
    """`decision` without its lines whose digits all differ from the ground around them by less than
    `faint_contrast` (`contrast`; `image` is the one the pieces' boxes lie in): an LCD's unlit
    segments or faint marks on a blank surface, not digits, which are printed, lit or written to be
    seen."""

    def faint(line: list[Piece]) -> bool:
        return all(contrast(image, p.crop.box) < policy.faint_contrast for p in line)

    lines, dropped = _lines_taken_out(decision.lines, faint)
    return Decision(lines, decision.rejected + dropped)


def without_rims(decision: Decision, policy: DecidePolicy = DEFAULT.decide) -> Decision:
    """`decision` without its lines holding a digit other than 1, `rim_aspect` of its height wide at
    least, that is a window's or bezel's rim (`shapes.a_rim`): a blank screen's or display's frame, not
    a digit; the rest of its line (its edge read as a 1 beside it) is the frame too. So is such a
    digit that is a frame's corner (`shapes.a_corner`) when it is all that is read (a blank plate's
    inner outline read as a wide 7)."""

    def wide(piece: Piece) -> bool:
        _, _, width, height = piece.crop.box
        return piece.label != 1 and width >= policy.rim_aspect * height

    def rimmed(line: list[Piece]) -> bool:
        if any(wide(p) and a_rim(p.crop.pixels, policy) for p in line):
            return True
        alone = len(decision.lines) == 1 and len(line) == 1
        return alone and wide(line[0]) and a_corner(line[0].crop.pixels, policy)

    lines, dropped = _lines_taken_out(decision.lines, rimmed)
    return Decision(lines, decision.rejected + dropped)


def without_glare_bands(
    decision: Decision, image: np.ndarray, policy: DecidePolicy = DEFAULT.decide, lit_as_ink: bool = False
) -> Decision:
    """`decision` without its lines of one 1 lighter than the ground around it whose edges fade over
    `glare_fade` of its height and `glare_min_fade` pixels at least (`_fade`; `image` is the one the
    pieces' boxes lie in): a glare band across a blank screen, not a lit or printed 1, whose edges
    fade within a few pixels in a photo as blurred as a camera takes them. With `lit_as_ink` (`image`
    is `ink.lit_as_ink`'s, whose ink is what is lit in the scene) every 1 is lighter than its ground:
    a band as wide as its box fills most of it, and its ring can lie on a lighter bezel."""

    def glare(line: list[Piece]) -> bool:
        if len(line) != 1 or line[0].label != 1:
            return False
        lighter, fade = _fade(image, line[0].crop.box)
        return (lit_as_ink or lighter) and fade >= max(
            policy.glare_fade * line[0].crop.box[3], policy.glare_min_fade
        )

    lines, dropped = _lines_taken_out(decision.lines, glare)
    return Decision(lines, decision.rejected + dropped)


def contrast(image: np.ndarray, box: Box) -> float:
    """How far what lies in `box` differs from the ground around it, 0-255: the 98th percentile, over
    the box's pixels, of the largest difference in any channel from the median of a ring around the
    box half its width wide (4 pixels and a sampling step at least), both sampled (`_sampling_step`)."""
    return _contrast(*_around(image, box, _sampling_step(box)))


def _contrast(around: np.ndarray, inside: np.ndarray) -> float:
    """`contrast` of the pixels `_around` gave."""
    if inside.all():
        return 255.0
    ground = _quantile(around[~inside], 0.5)
    return float(_quantile(np.abs(around[inside] - ground).max(axis=-1), 0.98))


def _fade(image: np.ndarray, box: Box) -> tuple[bool, float]:
    """Whether what lies in `box` is lighter than the ground around it (its brightest channel's 98th
    percentile above the ring's median reaches further than its 2nd below it, `contrast`'s ring), and
    over how many pixels its edges fade: its `contrast` over the steepest step of brightness in it
    (the 99th percentile of the brightest channel's gradient, smoothed over 3x3 pixels)."""
    around, inside = _around(image, box)
    if inside.all():
        return False, 0.0
    every = _sampling_step(box) ** 2
    brightest = around.max(axis=-1)
    above = brightest[inside][::every] - _quantile(brightest[~inside][::every], 0.5)
    lighter = _quantile(above, 0.98) > _quantile(-above, 0.98)
    smooth = cv2.GaussianBlur(brightest, (3, 3), 0)
    slope = np.hypot(cv2.Sobel(smooth, cv2.CV_32F, 1, 0), cv2.Sobel(smooth, cv2.CV_32F, 0, 1)) / 8
    steepest = float(_quantile(slope[inside][::every], 0.99))
    return bool(lighter), contrast(image, box) / max(steepest, 1e-3)


def _quantile(values: np.ndarray, share: float) -> np.ndarray:
    """The value (of each column) below which `share` of `values` lie: the nearest rank, without
    `np.percentile`'s interpolation and overhead."""
    rank = round(share * (len(values) - 1))
    return np.partition(values, rank, axis=0)[rank]


def _sampling_step(box: Box) -> int:
    """The step between the pixels a box's statistics are taken from: at most 24 rows and columns of
    it (percentiles over every pixel of a large digit cost milliseconds)."""
    return max(1, -(-max(box[2], box[3]) // 24))


def _around(image: np.ndarray, box: Box, step: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Every `step`-th row and column of the pixels around `box` (float32, rows x columns x
    channels) out to half its width (4 pixels and a step at least) within the image, counted from the
    box's first row and column (so that a box narrower than `step` is still sampled, and its ground
    too), and which lie in the box."""
    x, y, w, h = box
    pad = max(w // 2, 4, step)
    rows = np.arange(y - min(pad, y) // step * step, min(y + h + pad, image.shape[0]), step)
    columns = np.arange(x - min(pad, x) // step * step, min(x + w + pad, image.shape[1]), step)
    around = image[rows[0] : rows[-1] + 1 : step, columns[0] : columns[-1] + 1 : step].astype(np.float32)
    inside = ((rows >= y) & (rows < y + h))[:, None] & ((columns >= x) & (columns < x + w))[None, :]
    return around.reshape(*around.shape[:2], -1), inside


def _lean(pixels: np.ndarray) -> float:
    """How far a model input's ink leans right going up: columns per row, from its second moments."""
    moments = cv2.moments(pixels.astype(np.float32))
    return -moments["mu11"] / max(moments["mu02"], 1e-6)


def _without_leading_signs(
    lines: list[list[Piece]], policy: DecidePolicy
) -> tuple[list[list[Piece]], list[Piece]]:
    """Each line without a first "digit" that is a dollar sign: read as one of `dollar_digits` (its S),
    either with less than `dollar_score` while every other digit of the line, one at least, is read
    with `dollar_rest_score` or more (printed digits), or with less than `stem_dollar_score` while
    their median is and it sticks out above and below them (`_sticks_out`: one unsure digit of a
    tag's price keeps no dollar, a stem's ends make an S read fairly surely one), or with a
    dollar's stem (`_has_a_stem`) or, read with less than `dollar_loop_score`, a dollar's loops
    (`_has_dollar_loops`) while they are read with `sign_number_score` or more; or any first "digit"
    `tall_sign` times as tall as the median of two or more after it, read with `sign_number_score` or
    more (a currency sign drawn large). Returns (lines, the signs dropped)."""
    kept, signs = [], []
    for line in lines:
        first, rest = line[0], line[1:]
        least = min((p.score for p in rest), default=0.0)
        if (least >= policy.sign_number_score and _drawn_large(first, rest, policy)) or (
            first.label in policy.dollar_digits
            and (
                (first.score < policy.dollar_score and least >= policy.dollar_rest_score)
                or (
                    first.score < policy.stem_dollar_score
                    and bool(rest)
                    and np.median([p.score for p in rest]) >= policy.dollar_rest_score
                    and _sticks_out(first, rest, policy)
                )
                or (
                    least >= policy.sign_number_score
                    and (_has_a_stem(first, rest, policy) or _has_dollar_loops(first, policy))
                )
            )
        ):
            kept.append(rest)
            signs.append(first)
        else:
            kept.append(line)
    return kept, signs


def _without_open_signs(
    lines: list[list[Piece]], policy: DecidePolicy
) -> tuple[list[list[Piece]], list[Piece]]:
    """Each line without a first or last "digit" read as one of `open_sign_digits` whose right side is
    open where an 8's loops close it (`_open_on_the_right`: a €'s C, a $'s S) while every other digit
    of the line, two at least, is read with `sign_number_score` or more. Returns (lines, the signs
    dropped)."""
    kept, signs = [], []
    for line in lines:
        for end in (0, -1):
            rest = line[1:] if end == 0 else line[:-1]
            sure = len(rest) >= 2 and min(p.score for p in rest) >= policy.sign_number_score
            if sure and line[end].label in policy.open_sign_digits and _open_on_the_right(line[end], policy):
                signs.append(line[end])
                line = rest
        kept.append(line)
    return kept, signs


def _open_on_the_right(piece: Piece, policy: DecidePolicy) -> bool:
    """True when the right `open_side` of the ink of `piece`'s model input is blank in any band of rows
    of `open_rows` (shares of the ink's height from its top): an 8's and a 9's loops close it there."""
    ink = input_ink(piece.crop.pixels)
    rows, columns = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if not rows.size:
        return False
    height, width = rows[-1] - rows[0] + 1, columns[-1] - columns[0] + 1
    side = ink[:, columns[-1] + 1 - max(1, round(policy.open_side * width)) : columns[-1] + 1]
    return any(
        not side[rows[0] + int(top * height) : rows[0] + int(np.ceil(bottom * height))].any()
        for top, bottom in policy.open_rows
    )


def _drawn_large(first: Piece, rest: list[Piece], policy: DecidePolicy) -> bool:
    """True when `first` is `tall_sign` times as tall as the median of `rest`, two pieces at least."""
    heights = [p.crop.box[3] for p in rest]
    return len(heights) >= 2 and first.crop.box[3] >= policy.tall_sign * float(np.median(heights))


def _has_a_stem(first: Piece, rest: list[Piece], policy: DecidePolicy) -> bool:
    """True when `first` sticks out both above the median top of `rest` and below their median
    baseline, by `stem_out` of their height together (an italic S's stem leans: most of it sticks out
    at one end), and the top and bottom `stem_rows` of its ink each span at most `stem_width` of its
    ink's width, at most `stem_offset` of it from its middle: a stroke through the middle of an S, not
    a handwritten 5's bar tip and tail."""
    if not _sticks_out(first, rest, policy):
        return False
    ink = input_ink(first.crop.pixels)
    rows, columns = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if not rows.size:
        return False
    width, band = columns[-1] - columns[0] + 1, max(1, round(policy.stem_rows * (rows[-1] - rows[0] + 1)))
    centre = (columns[0] + columns[-1]) / 2

    def stem(part: np.ndarray) -> bool:
        used = np.flatnonzero(part.any(axis=0))
        return bool(used.size) and (
            used[-1] - used[0] + 1 <= policy.stem_width * width
            and abs((used[0] + used[-1]) / 2 - centre) <= policy.stem_offset * width
        )

    return stem(ink[rows[0] : rows[0] + band]) and stem(ink[rows[-1] - band + 1 : rows[-1] + 1])


def _sticks_out(first: Piece, rest: list[Piece], policy: DecidePolicy) -> bool:
    """True when `first` sticks out both above the median top of `rest` and below their median
    baseline, by `stem_out` of their height together: a dollar's stem through its S."""
    top = np.median([p.crop.box[1] for p in rest])
    bottom = np.median([p.crop.box[1] + p.crop.box[3] for p in rest])
    _, y, _, height = first.crop.box
    above, below = top - y, y + height - bottom
    return min(above, below) > 0 and above + below >= policy.stem_out * (bottom - top)


def _has_dollar_loops(first: Piece, policy: DecidePolicy) -> bool:
    """True when `first` is read with less than `dollar_loop_score` and its input's ink has two holes
    or more, each at most `dollar_loop_width` of the ink's width wide, the lowest one's middle right of
    the ink's and another's left of it: an S crossed by a stem, whose loops are halves on either side
    of it (an 8's span its width; a handwritten 8's open top leaves it one)."""
    if first.score >= policy.dollar_loop_score:
        return False
    pixels = first.crop.pixels
    ink = input_ink(pixels)
    contours, hierarchy = cv2.findContours(ink, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    if hierarchy is None:
        return False
    holes = [cv2.boundingRect(c) for c, h in zip(contours, hierarchy[0], strict=True) if h[3] >= 0]
    if len(holes) < 2:
        return False
    columns = np.flatnonzero(ink.any(axis=0))
    width, centre = columns[-1] - columns[0] + 1, (columns[0] + columns[-1] + 1) / 2
    holes.sort(key=lambda b: b[1] + b[3] / 2)
    lowest, higher = holes[-1], holes[:-1]
    return (
        all(w <= policy.dollar_loop_width * width for _, _, w, _ in holes)
        and middle_x(lowest) > centre
        and any(middle_x(hole) < centre for hole in higher)
    )


def _without_lines_of_ones(
    lines: list[list[Piece]], policy: DecidePolicy
) -> tuple[list[list[Piece]], list[Piece]]:
    """The lines without a word's strokes (`_strokes_of_a_word`), without those of 1s only when
    another line holds another digit (a wall's mortar, wood grain or an object's edges beside a
    number), and without any when two lines or more hold only 1s and nothing else is read (a frame's
    or a bezel's edge in pieces, one above another). Returns (lines, the digits dropped)."""
    lines, texture = _lines_taken_out(lines, lambda line: _strokes_of_a_word([p.label for p in line], policy))
    if all(p.label == 1 for line in lines for p in line) and len(lines) < 2:
        return lines, texture
    lines, ones = _lines_taken_out(lines, lambda line: all(p.label == 1 for p in line))
    return lines, texture + ones


def _strokes_of_a_word(labels: list[int], policy: DecidePolicy) -> bool:
    """True for a line of `texture_length` digits or more, all 1s but one at most, or of `ones_length`
    or more, all 1s: a word's strokes on a display, a chalkboard or paper."""
    others = sum(label != 1 for label in labels)
    return (len(labels) >= policy.texture_length and others <= 1) or (
        len(labels) >= policy.ones_length and not others
    )


def _without_rings(lines: list[list[Piece]], policy: DecidePolicy) -> tuple[list[list[Piece]], list[Piece]]:
    """The lines without those of one 0 `ring_aspect` times wider than tall, read with less than
    `ring_score`, its stroke at most `ring_stroke` in its model input: a frame's or a blank plate's
    thin outline, not a wide handwritten 0. Returns (lines, the rings dropped)."""

    def ring(line: list[Piece]) -> bool:
        if len(line) != 1:
            return False
        _, _, width, height = line[0].crop.box
        return (
            line[0].label == 0
            and width >= policy.ring_aspect * height
            and line[0].score < policy.ring_score
            and stroke_width(line[0].crop.pixels) <= policy.ring_stroke
        )

    return _lines_taken_out(lines, ring)


def _without_shapes(lines: list[list[Piece]], policy: DecidePolicy) -> tuple[list[list[Piece]], list[Piece]]:
    """The lines without those of one digit read below `shape_score` that is a drawn plus sign or a
    triangle's outline (`shapes`). Returns (lines, the shapes dropped)."""

    def shape(line: list[Piece]) -> bool:
        if len(line) != 1 or line[0].score >= policy.shape_score:
            return False
        return a_plus(line[0].crop.pixels, policy) or a_triangle(line[0].crop.pixels, policy)

    return _lines_taken_out(lines, shape)


def _without_weak_lines(
    lines: list[list[Piece]], policy: DecidePolicy
) -> tuple[list[list[Piece]], list[Piece]]:
    """The lines without those of `weak_line_length` digits or more each read below `weak_line_score`:
    a word whose letters the model half takes for digits ("adr" as 808). Returns (lines, the digits
    dropped)."""
    return _lines_taken_out(
        lines,
        lambda line: (
            len(line) >= policy.weak_line_length and all(p.score < policy.weak_line_score for p in line)
        ),
    )


def _lines_taken_out(
    lines: list[list[Piece]], out: Callable[[list[Piece]], bool]
) -> tuple[list[list[Piece]], list[Piece]]:
    """The lines for which `out` is False, and the pieces of the others."""
    flags = [out(line) for line in lines]
    kept = [line for line, flag in zip(lines, flags, strict=True) if not flag]
    return kept, [p for line, flag in zip(lines, flags, strict=True) if flag for p in line]


def _level_with_any(region: Piece, digits: list[Piece], policy: DecidePolicy) -> bool:
    return any(level(region.crop.box, digit.crop.box, policy.level_height) for digit in digits)


def reading_lines(pieces: list[Piece]) -> list[list[Piece]]:
    """Lines top to bottom, each left to right. Taken left to right, a piece continues the line whose
    last piece, or the one before it, it is level with (of several, the one whose last piece's
    middle is nearest), so that a line written or photographed at a slant stays one line, and one
    past a comma read as a digit (36,19) too."""
    lines: list[list[Piece]] = []
    for piece in sorted(pieces, key=lambda p: p.crop.box[0]):
        continued = [line for line in lines if any(level(p.crop.box, piece.crop.box) for p in line[-2:])]
        if continued:
            min(continued, key=lambda line: abs(middle(line[-1].crop.box) - middle(piece.crop.box))).append(
                piece
            )
        else:
            lines.append([piece])
    lines.sort(key=lambda line: np.mean([middle(p.crop.box) for p in line]))
    return lines


def looks_like_a_colon(pixels: np.ndarray, policy: DecidePolicy = DEFAULT.decide) -> bool:
    """True for a model input (28x28) of two filled dots of about one size, one above the other: a
    colon, which `find` may join into one group when its dots are close. Beside digits it is a
    separator, not an unreadable digit."""
    count, _, stats, _ = cv2.connectedComponentsWithStats((pixels > 0).astype(np.uint8), connectivity=8)
    if count != 3:
        return False
    (ax, ay, aw, ah, aa), (bx, by, bw, bh, ba) = sorted(stats[1:].tolist(), key=lambda s: s[1])
    filled = all(area >= policy.colon_fill * w * h for _, _, w, h, area in (stats[1], stats[2]))
    aspect = policy.colon_aspect
    compact = all(1 / aspect <= w / h <= aspect for w, h in ((aw, ah), (bw, bh)))
    stacked = by >= ay + ah and min(ax + aw, bx + bw) - max(ax, bx) >= 0.5 * min(aw, bw)
    return filled and compact and stacked and max(aa, ba) <= policy.colon_sizes * min(aa, ba)
