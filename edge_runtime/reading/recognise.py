"""Stage 3 of reading, recognise: what each group holds — one digit, several, or none at all.

Every group is first classified whole. A rejected group that is an outline (a "bubble" digit: its holes,
filled, hold `outline_growth` times its ink) is classified filled too, and read filled where the model
accepts it so (`groups.filled_outline`). On paper, a group whose input's strokes are a hairline's
(thinner than `hairline_stroke` pixels, and no outline) is classified with them a pixel wider too, as
MNIST's pen drew them, and the surer reading kept (`groups.widened_hairline`); a rejected one whose thin
strokes draw round a slit (the inside of a stroke: a "bubble" digit) is read by its centre line too, and
where the two readings agree on the digit they are weighed together (`groups.centre_line`). A group the
digit model rejects while it is wide enough to hold two digits, or one wider than any single digit, is
then cut (`cuts`), but on paper not a bubble digit's (thin strokes round holes, narrower than
`bubble_split_aspect` of its height), whose pieces read as digits (a bubble 0 as 10, a 2 as 93).
Every candidate piece is classified (all groups' pieces in one batch), and the segmentation kept is
the one whose pieces the model *all* accepts with the highest summed log(p / `even_probability`)
(`cuts.best_chain`; a plain joint probability would favour reading two touching digits as one). A
group with no such segmentation is rejected: requiring every piece to be accepted, at a higher bar
than a whole digit (`split_accept`, higher still for the 1s and 7s that strokes and arches
of letters read as), and the pieces together reading better than `min_split_gain`, keeps the search from
finding "digits" in slices of letters or textures. The model is trained on the pieces this search
proposes (`train.negatives.cut_digits`): right pieces labelled, wrong ones as non-digits.

When the model comes with a line reader, every group that is cut is also read whole by it, and so
is every rejected group too narrow to cut (two touching digits can be narrower than a wide 0). Its
reading wins where it holds two digits or more, differs from the cut search's (or the search found
none) and its least confident digit reaches the reader's acceptance probability: it needs no cut, so
it reads touching digits that every cut slices wrong. Its digits take the boxes of the cut pieces
the digit model finds likeliest to show them, else of cuts along the least-ink path between the
columns where it read them. Where it reads one sure digit in a rejected group, the group stays
rejected but carries that digit (`GroupReading.in_line`): beside accepted digits it is one of them
(`decide`). (The values named here are `policy.CutPolicy`'s and `policy.LinePolicy`'s.)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import cv2
import numpy as np

from edge_runtime.line_reader import LineReading
from edge_runtime.reading.cuts import (
    Edge,
    best_chain,
    candidate_pieces,
    cut_at_marks,
    cut_columns,
    skip_edges,
)
from edge_runtime.reading.groups import (
    DigitCrop,
    Group,
    Piece,
    centre_line,
    crop_piece,
    filled_outline,
    line_input,
    stroke_width,
    widened_hairline,
)
from edge_runtime.reading.inputs import LineInput
from edge_runtime.reading.policy import CutPolicy, ReadingPolicy
from ground.contract import IMAGE_SHAPE, NUM_CLASSES

if TYPE_CHECKING:
    from edge_runtime.interpreter import LineReader

Classifier = Callable[[np.ndarray], np.ndarray]  # (N, 28, 28) uint8 → (N, 10) probabilities
Cut = tuple[list[int], list[tuple[int, int, Piece]]]  # a group's cut columns and its classified pieces


@dataclass(frozen=True)
class GroupReading:
    """What one group holds: its digits, left to right, or the group itself when it was rejected;
    then also the one digit the line reader is sure it shows, if any (`in_line`): alone, a digit is
    the digit model's to judge, but level with accepted digits it is one of a number. `group` is None
    for a 28x28 image read as it is."""

    group: Group | None
    digits: list[Piece]
    rejected: Piece | None = None
    in_line: Piece | None = None

    @property
    def text(self) -> str | None:
        """The digits read, or None when the group was rejected."""
        return None if self.rejected is not None else "".join(str(p.label) for p in self.digits)


@dataclass(frozen=True)
class Recognised:
    """The readings of an image's groups, left to right, and whether some group was left unread
    (the frame's `max_pieces` spent, or wider than `max_split_aspect`)."""

    readings: list[GroupReading]
    uncut: bool = False

    @property
    def any_digit(self) -> bool:
        """True when some group holds an accepted digit."""
        return any(r.digits for r in self.readings)


def read_mnist_input(pixels: np.ndarray, classify: Classifier, policy: ReadingPolicy) -> Recognised:
    """A 28x28 grey image as its own model input, accepted or not (nothing when it is blank).

    MNIST images keep a 4-pixel empty frame around the 20x20 digit: a light frame means dark ink.
    """
    frame = np.concatenate(
        [pixels[:2].ravel(), pixels[-2:].ravel(), pixels[:, :2].ravel(), pixels[:, -2:].ravel()]
    )
    pixels = cv2.bitwise_not(pixels) if frame.mean() > 127 else pixels
    if int(pixels.max()) - int(pixels.min()) < policy.ink.min_ink_contrast:
        return Recognised([])
    piece = Piece(DigitCrop((0, 0, *IMAGE_SHAPE), pixels.copy()), classify(pixels[None])[0])
    accepted = piece.score >= policy.accept.digit
    return Recognised([GroupReading(None, [piece]) if accepted else GroupReading(None, [], piece)])


def read_groups(
    groups: list[Group], classify: Classifier, reader: LineReader | None, policy: ReadingPolicy
) -> Recognised:
    """Read every group (see the module docstring) with the digit model (`classify`) and the line
    reader, if any."""
    accept, cut = policy.accept.digit, policy.cut
    wholes = _classify_all(classify, [crop_piece(g) for g in groups])
    groups, wholes = _filled_outlines(groups, wholes, classify, accept, cut.outline_growth)
    if policy.find.hairlines:  # on paper, where a hairline pen writes
        wholes = _widened_hairlines(groups, wholes, classify, cut)
        wholes = _read_by_centre_lines(groups, wholes, classify, accept, cut)
    on_paper = policy.find.hairlines
    splits = [i for i, w in enumerate(wholes) if w and _needs_split(groups[i], w, accept, cut, on_paper)]
    cuts = _cut_groups(groups, splits, classify, cut)
    readable = _readable(groups, wholes, splits, policy) if reader is not None else []
    lines = dict(zip(readable, _read_lines(reader, [groups[i] for i in readable]), strict=True))
    readings, uncut = [], False
    for index, whole in enumerate(wholes):
        if whole is None:
            continue
        group = groups[index]
        usable_whole = whole if whole.score >= accept else None
        if index in cuts:
            best = _best_segmentation(
                *cuts[index], group.mask.shape[0], usable_whole, max(accept, cut.split_accept), cut
            )
        else:
            best = [usable_whole] if usable_whole is not None else None
        chosen, in_line = best, None
        if index in lines:
            chosen = _prefer_line(group, *lines[index], best, cuts.get(index), policy)
            in_line = None if chosen else _one_sure_digit(whole, lines[index][1], policy)
        uncut |= index in splits and index not in cuts and chosen is best
        readings.append(GroupReading(group, chosen) if chosen else GroupReading(group, [], whole, in_line))
    return Recognised(readings, uncut)


def _filled_outlines(
    groups: list[Group], wholes: list[Piece | None], classify: Classifier, accept: float, growth: float
) -> tuple[list[Group], list[Piece | None]]:
    """The groups, each rejected one that is an outline (`groups.filled_outline`) filled where the
    model accepts it filled, with their whole readings."""
    rejected = [i for i, w in enumerate(wholes) if w is not None and w.score < accept]
    filled = {i: f for i in rejected if (f := filled_outline(groups[i], growth)) is not None}
    if not filled:
        return groups, wholes
    groups, wholes = list(groups), list(wholes)
    for (index, group), whole in zip(
        filled.items(), _classify_all(classify, [crop_piece(f) for f in filled.values()]), strict=True
    ):
        if whole is not None and whole.score >= accept:
            groups[index], wholes[index] = group, whole
    return groups, wholes


def _widened_hairlines(
    groups: list[Group], wholes: list[Piece | None], classify: Classifier, policy: CutPolicy
) -> list[Piece | None]:
    """The whole readings, each of a hairline's digit (`groups.widened_hairline`) read widened too and
    the surer reading kept."""
    widened = {
        i: crop
        for i, whole in enumerate(wholes)
        if whole is not None
        and (crop := widened_hairline(groups[i], whole.crop, policy.hairline_stroke, policy.hairline_growth))
    }
    if not widened:
        return wholes
    wholes = list(wholes)
    for index, piece in zip(widened, _classify_all(classify, list(widened.values())), strict=True):
        if piece.score > wholes[index].score:
            wholes[index] = piece
    return wholes


def _read_by_centre_lines(
    groups: list[Group], wholes: list[Piece | None], classify: Classifier, accept: float, policy: CutPolicy
) -> list[Piece | None]:
    """The whole readings, each rejected one of a bubble digit (thin strokes round a slit:
    `groups.centre_line`) whose centre line reads the same digit weighed with it: their probabilities
    multiplied, the centre line's raised to `centre_weight`, and normalised (two views of the digit that
    agree; a doodle's ring read as a 9, its centre line a 0, stays rejected)."""
    lines = {
        i: crop
        for i, whole in enumerate(wholes)
        if whole is not None
        and whole.score < accept
        and 0 < stroke_width(whole.crop.pixels) < policy.bubble_stroke
        and (crop := _centre_line_crop(groups[i], policy)) is not None
    }
    if not lines:
        return wholes
    wholes = list(wholes)
    for index, line in zip(lines, _classify_all(classify, list(lines.values())), strict=True):
        whole = wholes[index]
        if line.label == whole.label:
            joint = whole.probabilities * line.probabilities**policy.centre_weight
            wholes[index] = Piece(whole.crop, (joint / joint.sum()).astype(np.float32))
    return wholes


def _centre_line_crop(group: Group, policy: CutPolicy) -> DigitCrop | None:
    line = centre_line(group, policy.slit_elongation, policy.hairline_growth, policy.centre_pen)
    return crop_piece(line) if line is not None else None


def _classify_all(classify: Classifier, crops: list[DigitCrop | None]) -> list[Piece | None]:
    """Each crop classified (in one batch), None where there is no crop."""
    present = [c for c in crops if c is not None]
    probabilities = iter(_classify(classify, present))
    return [Piece(c, next(probabilities)) if c is not None else None for c in crops]


def _cut_groups(groups: list[Group], splits: list[int], classify: Classifier, policy) -> dict[int, Cut]:
    """The groups `splits` cut into classified candidate pieces, narrowest first, until the frame's
    `max_pieces` are spent or a group is wider than `max_split_aspect` (those stay uncut)."""
    plans, budget = {}, policy.max_pieces
    for index in sorted(splits, key=lambda i: groups[i].aspect):  # pairs first, long bands last
        if groups[index].aspect > policy.max_split_aspect:
            break
        paths, pieces = candidate_pieces(groups[index], policy)
        if len(pieces) > budget:
            break  # the rest stay rejected; the reading says it was cut
        plans[index], budget = (cut_columns(paths), pieces), budget - len(pieces)
    probabilities = iter(_classify(classify, [crop for plan in plans.values() for _, _, crop in plan[1]]))
    return {
        i: (cuts, [(a, b, Piece(c, next(probabilities))) for a, b, c in pieces])
        for i, (cuts, pieces) in plans.items()
    }


def _readable(
    groups: list[Group], wholes: list[Piece | None], splits: list[int], policy: ReadingPolicy
) -> list[int]:
    """The groups the line reader reads: those cut (up to `max_split_aspect`), and the tallest
    `max_narrow_lines` of those rejected while too narrow to cut."""
    narrow = [
        i
        for i, whole in enumerate(wholes)
        if whole is not None and whole.score < policy.accept.digit and i not in splits
    ]
    narrow.sort(key=lambda i: groups[i].box[3], reverse=True)
    wide = [i for i in splits if groups[i].aspect <= policy.cut.max_split_aspect]
    return wide + narrow[: policy.line.max_narrow_lines]


def _one_sure_digit(whole: Piece, reading: LineReading, policy: ReadingPolicy) -> Piece | None:
    """The group as the one digit the reader reads in it at its acceptance probability, when the
    digit model ranks that digit among its `in_line_choices` likeliest (else None)."""
    if len(reading.digits) != 1 or reading.confidence < policy.accept.line:
        return None
    digit = Piece(whole.crop, reading.digits[0].probabilities)
    return digit if digit.label in likeliest(whole, policy.line.in_line_choices) else None


def likeliest(piece: Piece, count: int) -> set[int]:
    """The `count` digits the digit model finds likeliest in `piece`."""
    return set(np.argsort(piece.probabilities)[-count:].tolist())


def _read_lines(reader: LineReader, groups: list[Group]) -> list[tuple[LineInput, LineReading]]:
    """Each group's line input and the reader's reading of it (one batch)."""
    inputs = [line_input(g) for g in groups]
    if not inputs:
        return []
    return list(zip(inputs, reader.read(np.stack([i.pixels for i in inputs])), strict=True))


def _prefer_line(
    group: Group,
    line: LineInput,
    reading: LineReading,
    best: list[Piece] | None,
    cut: Cut | None,
    policy: ReadingPolicy,
) -> list[Piece] | None:
    """The reader's reading of the group when it reads two digits or more (one digit alone is the digit
    model's to judge: it was trained on far more of what is not a digit), is sure of them and differs
    from `best`; else `best`.

    Its digits are placed on the cut search's pieces (`cut`) when a chain of as many pieces spans the
    group (`_placed_on_pieces`), else cut apart at the columns where it read them."""
    if len(reading.digits) < policy.line.min_line_digits or reading.confidence < policy.accept.line:
        return best
    if best is not None and "".join(str(p.label) for p in best) == reading.text:
        return best
    placed = _placed_on_pieces(*cut, group.mask.shape[0], reading, policy) if cut is not None else None
    if placed:
        return placed
    centres = [line.to_source.column((d.start + d.stop) / 2) for d in reading.digits]
    return cut_at_marks(group, centres, [d.probabilities for d in reading.digits], policy.cut) or best


def _best_segmentation(
    cuts: list[int],
    pieces: list[tuple[int, int, Piece]],
    height: int,
    whole: Piece | None,
    bar: float,
    policy,
) -> list[Piece] | None:
    """The accepted pieces from the first cut to the last with the highest summed `_gain`.

    Cut pieces must reach `bar` (a 1 or a 7 more: `_piece_bar`), and at least one of them must be
    wider than a 1 (`min_wide_piece`): the strokes of an M or a W read as 1s (touching 1s alone are
    not read). A narrow stretch between two cuts (a joining stroke, a tail) may be left out at a cost of
    `skip_probability`, but never two in a row (that would leave out a digit). `whole` (the uncut
    group, already accepted) competes with the best split.
    """
    accepted = [Edge(a, b, p) for a, b, p in pieces if p.score >= _piece_bar(p, bar, policy)]
    skip_gain = _gain(policy.skip_probability, policy)

    def advance(state: tuple[bool, bool], edge: Edge) -> tuple[tuple[bool, bool], float] | None:
        has_wide, skipped = state  # a piece wider than a 1 so far; the last step was a skip
        if edge.piece is None:
            return None if skipped else ((has_wide, True), skip_gain)
        box = edge.piece.crop.box
        return (has_wide or box[2] >= policy.min_wide_piece * box[3], False), _gain(edge.piece.score, policy)

    ends = [(True, False), (True, True)]
    split = best_chain(
        accepted + skip_edges(cuts, height, policy), len(cuts) - 1, (False, False), advance, ends
    )
    if split is not None and split[0] < policy.min_split_gain:
        split = None
    if whole is not None and (split is None or split[0] < _gain(whole.score, policy)):
        return [whole]
    return split[1] if split is not None else None


def _placed_on_pieces(
    cuts: list[int],
    pieces: list[tuple[int, int, Piece]],
    height: int,
    reading: LineReading,
    policy: ReadingPolicy,
) -> list[Piece] | None:
    """The chain of cut pieces from the first cut to the last, one per digit the reader read, that the
    digit model finds likeliest to show those digits (summed log-probabilities; a narrow stretch may
    be left out at the cost of `skip_probability`). Each piece keeps its box and takes the reader's
    probabilities. None when no chain of that many pieces exists."""
    wanted = [int(c) for c in reading.text]
    skip_gain = np.log(policy.cut.skip_probability)

    def advance(placed: int, edge: Edge) -> tuple[int, float] | None:
        if edge.piece is None:
            return placed, skip_gain
        if placed == len(wanted):
            return None
        return placed + 1, float(np.log(max(float(edge.piece.probabilities[wanted[placed]]), 1e-6)))

    edges = [Edge(a, b, p) for a, b, p in pieces] + skip_edges(cuts, height, policy.cut)
    chain = best_chain(edges, len(cuts) - 1, 0, advance, [len(wanted)])
    if chain is None:
        return None
    return [Piece(p.crop, d.probabilities) for p, d in zip(chain[1], reading.digits, strict=True)]


def _classify(classify: Classifier, crops: list[DigitCrop]) -> np.ndarray:
    if not crops:
        return np.zeros((0, NUM_CLASSES), np.float32)
    return classify(np.stack([c.pixels for c in crops]))


def _needs_split(group: Group, whole: Piece, accept: float, policy, on_paper: bool) -> bool:
    """A group is tried as several digits when it is rejected and wide enough for two, or when it is
    wider than any single digit; on paper not when it is one bubble digit (`_one_bubble_digit`)."""
    if whole.score >= accept:
        wide = group.aspect > policy.max_piece_width
    else:
        wide = group.aspect >= policy.min_split_aspect
    return wide and not (on_paper and _one_bubble_digit(group, whole, policy))


def _one_bubble_digit(group: Group, whole: Piece, policy) -> bool:
    """True when a group is narrower than `bubble_split_aspect` of its height and its input's strokes
    are thinner than `bubble_stroke` round holes that, filled, grow its ink `hairline_growth` times:
    one outlined digit (its cut pieces read as digits: a bubble 0 as 10, a 2 as 93), where two touching
    digits are wider or drawn with a wider stroke."""
    return (
        group.aspect < policy.bubble_split_aspect
        and 0 < stroke_width(whole.crop.pixels) < policy.bubble_stroke
        and filled_outline(group, policy.hairline_growth) is not None
    )


def _gain(probability: float, policy) -> float:
    """What reading a piece with this probability adds: log(p / even_probability). A confident digit
    adds, so that two digits read at 0.9 beat one "digit" read at 0.92 across both; a weak one costs."""
    return float(np.log(probability / policy.even_probability))


def _piece_bar(piece: Piece, bar: float, policy) -> float:
    """The probability a cut piece must reach: `bar`, or `stroke_split_accept` for a 1 or a 7."""
    return max(bar, policy.stroke_split_accept) if piece.label in policy.stroke_digits else bar
