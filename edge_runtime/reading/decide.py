"""Stage 5 of reading, decide: every rule that accepts or rejects what was read, and the reading order.

A region counts as a digit only when the model accepts it: its top probability reaches the model's
acceptance probability, which `edge export` chose on validation digits (at most 0.5% of them fall
below it) and wrote into the manifest. Then, in this order:

- a rejected group in which the line reader is sure of one digit (`GroupReading.in_line`) is taken as
  that digit when it is level with an accepted one: in a number, the reader's reading is a second
  opinion the digit model's lone verdict lacks (the reader reads letters as no number);
- an accepted digit much shorter than the tallest one in view (`min_relative_height`) is rejected;
- in a cluttered frame (at least `clutter_regions` rejected regions, more than the digits accepted),
  a digit accepted with less than `clutter_confidence` is more likely a texture's blob: rejected;
- when a rejected region of about an accepted digit's height (`level_height`) sits level with it, no
  number is read at all: the line is a word whose letters partly look like digits (the o of "Room",
  the S of "Sale" beside its a and e), or a number with an unreadable digit, which would be read
  wrong, unless the region is a colon (12:45), or at either end of a number of two digits or more
  while the model finds it like no digit at all (`sign_score`) and reads each digit surely
  (`sign_number_score`): €12.50, 30 kg;
- the digits left are put in reading order: lines top to bottom, each left to right;
- a line's first digit read as a 5 or an 8 (`dollar_digits`: none for a scene on paper, see
  `pipeline`) below `dollar_score` while the rest of the line is read at `dollar_rest_score` or more is
  a dollar sign ($7.41), dropped.
(The values named here are `policy.DecidePolicy`'s.)
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from edge_runtime.reading.geometry import level, middle
from edge_runtime.reading.groups import Piece
from edge_runtime.reading.policy import DEFAULT, DecidePolicy
from edge_runtime.reading.recognise import GroupReading


@dataclass(frozen=True)
class Decision:
    """The accepted digits in reading order, by line, and every region rejected."""

    lines: list[list[Piece]]
    rejected: list[Piece]


def decide(readings: list[GroupReading], policy: DecidePolicy = DEFAULT.decide) -> Decision:
    """Apply the rules of the module docstring to an image's group readings."""
    accepted, rejected = _with_digits_in_line(readings, policy)
    accepted, too_small = _drop_small(accepted, policy)
    accepted, doubtful = _drop_doubtful_in_clutter(accepted, rejected, policy)
    accepted, in_words = _drop_lines_with_gaps(accepted, rejected, policy)
    lines, signs = _without_leading_signs(reading_lines(accepted), policy)
    return Decision(lines, rejected + too_small + doubtful + in_words + signs)


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
    """Accepted pieces split into those tall enough next to the tallest, and the rest."""
    if not pieces:
        return [], []
    least = policy.min_relative_height * max(p.crop.box[3] for p in pieces)
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


def _drop_lines_with_gaps(
    accepted: list[Piece], rejected: list[Piece], policy: DecidePolicy
) -> tuple[list[Piece], list[Piece]]:
    """Every accepted digit is dropped when a rejected region that is not a colon is level with one of
    them, unless it is a sign beside a number (`_sign_beside`). Returns (kept, dropped)."""
    if any(
        _level_with_any(r, accepted, policy)
        and not looks_like_a_colon(r.crop.pixels, policy)
        and not _sign_beside(r, accepted, policy)
        for r in rejected
    ):
        return [], accepted
    return accepted, []


def _sign_beside(region: Piece, digits: list[Piece], policy: DecidePolicy) -> bool:
    """True for a region the model finds like no digit at all (top probability at most `sign_score`)
    before or after a number of at least two digits level with it, none beyond it, every digit in
    view read surely (`sign_number_score`): a currency sign, a unit. An unreadable digit stays nearer
    the acceptance bar, and a word's digit-like letters are read less surely."""
    if region.score > policy.sign_score:
        return False
    beside = [d for d in digits if level(region.crop.box, d.crop.box, policy.level_height)]
    middle = region.crop.box[0] + region.crop.box[2] / 2
    left = [d for d in beside if d.crop.box[0] + d.crop.box[2] / 2 < middle]
    sure = all(d.score >= policy.sign_number_score for d in digits)
    return sure and len(beside) >= 2 and (not left or len(left) == len(beside))


def _without_leading_signs(
    lines: list[list[Piece]], policy: DecidePolicy
) -> tuple[list[list[Piece]], list[Piece]]:
    """Each line without a first "digit" that is a dollar sign: read as one of `dollar_digits` (its S)
    with less than `dollar_score` while every other digit of the line, one at least, is read with
    `dollar_rest_score` or more (printed digits). Returns (lines, the signs dropped)."""
    kept, signs = [], []
    for line in lines:
        first, rest = line[0], line[1:]
        if (
            rest
            and first.label in policy.dollar_digits
            and first.score < policy.dollar_score
            and min(p.score for p in rest) >= policy.dollar_rest_score
        ):
            kept.append(rest)
            signs.append(first)
        else:
            kept.append(line)
    return kept, signs


def _level_with_any(region: Piece, digits: list[Piece], policy: DecidePolicy) -> bool:
    return any(level(region.crop.box, digit.crop.box, policy.level_height) for digit in digits)


def reading_lines(pieces: list[Piece]) -> list[list[Piece]]:
    """Lines top to bottom, each left to right. Taken left to right, a piece continues the line whose
    last piece it is level with (of several, the one whose middle is nearest), so that a line written
    or photographed at a slant stays one line."""
    lines: list[list[Piece]] = []
    for piece in sorted(pieces, key=lambda p: p.crop.box[0]):
        continued = [line for line in lines if level(line[-1].crop.box, piece.crop.box)]
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
