"""Read ink groups as digits by recognition: a group is one digit, several, or none at all.

Every group is first classified whole. A group the model rejects while it is wide enough to hold
two digits, or one wider than any single digit, is then cut. Candidate cuts start at the minima of
its column ink profile and on a regular grid, and each follows the top-to-bottom path that crosses
the least ink (so that it slips between slanted or overlapping digits). Every piece between two cut
paths of a plausible digit width is classified (all groups' pieces in one batch), and the
segmentation kept is the one whose pieces the model *all* accepts with the highest summed
log(p / `EVEN_PROBABILITY`) (a dynamic programme over the cuts; a plain joint probability would favour
reading two touching digits as one). A group with no such segmentation is reported as rejected:
requiring every piece to be accepted, at a higher bar than a whole digit (`SPLIT_ACCEPT`, higher
still for the 1s and 7s that strokes and arches of letters read as), and the pieces together reading
better than `MIN_SPLIT_GAIN`, keeps the search from finding "digits" in slices of letters or textures.
The model is trained on the pieces this search proposes (`train.negatives.cut_digits`): right pieces
labelled, wrong ones as non-digits.

When the model comes with a line reader (`line_reader`), every group that is cut is also read whole
by it, and so is every rejected group too narrow to cut (two touching digits can be narrower than a
wide 0). Its reading wins where it holds two digits or more, differs from the cut search's (or the
search found none) and its least confident digit reaches the reader's acceptance threshold: it needs
no cut, so it reads touching digits that every cut slices wrong. Its digits take the boxes of the cut
pieces the digit model finds likeliest to show them, else of cuts along the least-ink path between
the columns where it read them. Where it reads one sure digit in a rejected group, the group stays
rejected but carries that digit (`GroupReading.in_line`): beside accepted digits it is one of them.
Last, rejected groups are read once more with the accepted digits beside them in their row
(`rows`): what the reader reads there, when it agrees with them, is their digits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from edge_runtime.interpreter import LineReader
from edge_runtime.line_reader import LineDigit, LineReading
from edge_runtime.preprocess import LineInput
from edge_runtime.regions import DigitCrop, Group, crop_piece, line_input
from edge_runtime.rows import read_rows
from ground.contract import NUM_CLASSES

MIN_SPLIT_ASPECT = 0.9  # width/height: a rejected group narrower than this is not tried as several digits
MAX_SPLIT_ASPECT = 6.0  # a group wider than this (a band, eight digits in one stroke) is not cut: "cut"
SPLIT_ACCEPT = 0.5  # a piece cut out of a group must reach this top probability (or the model's threshold)
STROKE_DIGITS = (1, 7)  # what the strokes and arches of letters (M, m, n, u, V) read as when cut...
STROKE_SPLIT_ACCEPT = 0.6  # ...so a cut piece read as one of them must reach this
EVEN_PROBABILITY = 0.7  # a piece read with this probability neither adds to a segmentation nor costs
MIN_SPLIT_GAIN = -0.2  # a split whose pieces are read this weakly in all (summed `_gain`) is no reading
MIN_PIECE_WIDTH = 0.1  # of the group's height: a narrow 1
MAX_PIECE_WIDTH = 1.3  # of the group's height: a wide 0 or 2
MIN_PIECE_HEIGHT = 0.7  # of the group's height: shorter pieces are fragments, not digits
MIN_WIDE_PIECE = 0.4  # width/height: a split needs one piece at least this wide
MAX_SKIP_WIDTH = 0.3  # of the group's height: a stretch this narrow between cuts may be left unread...
SKIP_PROBABILITY = 0.5  # ...at the cost of a piece read with this probability
CUT_SPACING = 0.08  # of the group's height: profile minima tried as cuts are at least this far apart...
CUTS_PER_HEIGHT = 4  # ...and at most this many per group height of width
GRID_STEP = 0.12  # of the group's height: cuts are also tried every this many columns...
MAX_GRID_CUTS = 24  # ...but at most this many grid cuts in a group
CUT_REACH = 0.25  # of the group's height: how far a cut path may wander from its column
CUT_DRIFT_COST = 0.02  # per column of wandering, against 1 per ink pixel crossed
PATH_TOLERANCE = 0.04  # of the height: a path this close (on average) to the one before it is the same cut
MIN_LINE_DIGITS = 2  # the line reader's reading replaces the cut search's only when it holds this many
MAX_PIECES = 400  # a frame classifies at most this many cut pieces (about 40 ms here); the rest: "cut"
IN_LINE_CHOICES = 2  # a reader's digit in a rejected group must be one of the digit model's 2 likeliest
MAX_NARROW_LINES = 16  # the reader reads at most this many rejected narrow groups a frame, tallest first

Classifier = Callable[[np.ndarray], np.ndarray]  # (N, 28, 28) uint8 → (N, 10) probabilities


@dataclass(frozen=True)
class Piece:
    """A classified region: where it is, the input the model saw, and its probabilities."""

    crop: DigitCrop
    probabilities: np.ndarray

    @property
    def label(self) -> int:
        """The class with the top probability."""
        return int(self.probabilities.argmax())

    @property
    def score(self) -> float:
        """The top probability: the model's acceptance score."""
        return float(self.probabilities.max())


@dataclass(frozen=True)
class GroupReading:
    """The digits read in one group, left to right, or the group itself when it was rejected; then
    also the one digit the line reader is sure it shows, if any (`in_line`): alone, a digit is the
    digit model's to judge, but level with accepted digits it is one of a number."""

    digits: list[Piece]
    rejected: Piece | None
    in_line: Piece | None = None


def read_groups(
    groups: list[Group], classify: Classifier, threshold: float, reader: LineReader | None = None
) -> tuple[list[GroupReading], bool]:
    """Read every group (see the module docstring); `threshold` is the model's acceptance score,
    `reader` the line reader that reads the groups that are cut, if any.

    Also returns True when some group was left unread because the frame's `MAX_PIECES` were spent
    (or it was wider than `MAX_SPLIT_ASPECT`) and the line reader did not read it either.
    """
    wholes = [crop_piece(g) for g in groups]
    whole_probs = _classify(classify, [w for w in wholes if w is not None])
    whole_pieces, it = [], iter(whole_probs)
    for crop in wholes:
        whole_pieces.append(Piece(crop, next(it)) if crop is not None else None)

    plans, budget = {}, MAX_PIECES
    splits = [
        i
        for i, (g, w) in enumerate(zip(groups, whole_pieces, strict=True))
        if w and _needs_split(g, w, threshold)
    ]
    for index in sorted(splits, key=lambda i: groups[i].aspect):  # pairs first, long bands last
        if groups[index].aspect > MAX_SPLIT_ASPECT:
            break
        paths, pieces = candidate_pieces(groups[index])
        if len(pieces) > budget:
            break  # the rest stay rejected; the reading says it was cut
        plans[index], budget = (_cut_columns(paths), pieces), budget - len(pieces)
    crops = [crop for plan in plans.values() for _, _, crop in plan[1]]
    probs = iter(_classify(classify, crops))
    scored = {
        i: (cuts, [(a, b, Piece(c, next(probs))) for a, b, c in pieces])
        for i, (cuts, pieces) in plans.items()
    }

    readable = _readable(groups, whole_pieces, splits, threshold) if reader is not None else []
    lines = dict(zip(readable, _read_lines(reader, [groups[i] for i in readable]), strict=True))
    readings, read, uncut = [], [], False
    for index, whole in enumerate(whole_pieces):
        if whole is None:
            continue
        read.append(groups[index])
        usable_whole = whole if whole.score >= threshold else None
        if index in scored:
            cuts, pieces = scored[index]
            best = _best_segmentation(
                cuts, groups[index].mask.shape[0], pieces, usable_whole, max(threshold, SPLIT_ACCEPT)
            )
        else:
            best = [usable_whole] if usable_whole is not None else None
        chosen, in_line = best, None
        if index in lines:
            chosen = _prefer_line(groups[index], *lines[index], best, reader, scored.get(index))
            in_line = None if chosen else _one_sure_digit(whole, lines[index][1], reader)
        uncut |= index in splits and index not in scored and chosen is best
        readings.append(GroupReading(chosen, None) if chosen else GroupReading([], whole, in_line))
    return (_with_rows(read, readings, reader) if reader is not None else readings), uncut


def _with_rows(groups: list[Group], readings: list[GroupReading], reader: LineReader) -> list[GroupReading]:
    """`readings` with the rejected groups that the reader reads in their row (`rows.read_rows`) as
    its digits: one fills the whole group's box, several are cut apart at its marks."""
    texts = [None if r.rejected else "".join(str(p.label) for p in r.digits) for r in readings]
    choices = [
        set(np.argsort(r.rejected.probabilities)[-IN_LINE_CHOICES:].tolist()) if r.rejected else set()
        for r in readings
    ]
    readings = list(readings)
    for index, marks in read_rows(groups, texts, choices, reader).items():
        whole, digits = readings[index].rejected, [digit for _, digit in marks]
        if len(marks) == 1:
            pieces = [Piece(whole.crop, digits[0].probabilities)]
        else:
            pieces = _line_pieces(groups[index], [column for column, _ in marks], digits)
        if pieces:
            readings[index] = GroupReading(pieces, None)
    return readings


def _readable(
    groups: list[Group], wholes: list[Piece | None], splits: list[int], threshold: float
) -> list[int]:
    """The groups the line reader reads: those cut (up to `MAX_SPLIT_ASPECT`), and the tallest
    `MAX_NARROW_LINES` of those rejected while too narrow to cut."""
    narrow = [
        i
        for i, whole in enumerate(wholes)
        if whole is not None and whole.score < threshold and i not in splits
    ]
    narrow.sort(key=lambda i: groups[i].box[3], reverse=True)
    return [i for i in splits if groups[i].aspect <= MAX_SPLIT_ASPECT] + narrow[:MAX_NARROW_LINES]


def _one_sure_digit(whole: Piece, reading: LineReading, reader: LineReader) -> Piece | None:
    """The group as the one digit the reader reads in it at its acceptance threshold, when the digit
    model ranks that digit among its `IN_LINE_CHOICES` likeliest (else None)."""
    if len(reading.digits) != 1 or reading.confidence < reader.accept_threshold:
        return None
    digit = Piece(whole.crop, reading.digits[0].probabilities)
    return digit if digit.label in np.argsort(whole.probabilities)[-IN_LINE_CHOICES:] else None


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
    reader: LineReader,
    cut: tuple[list[int], list[tuple[int, int, Piece]]] | None,
) -> list[Piece] | None:
    """The reader's reading of the group when it reads two digits or more (one digit alone is the digit
    model's to judge: it was trained on far more of what is not a digit), is sure of them and differs
    from `best`; else `best`.

    Its digits are placed on the cut search's pieces (`cut`: the cut columns and classified pieces)
    when a chain of as many pieces spans the group (`_placed_on_pieces`), else cut apart by
    `_line_pieces`."""
    if len(reading.digits) < MIN_LINE_DIGITS or reading.confidence < reader.accept_threshold:
        return best
    if best is not None and "".join(str(p.label) for p in best) == reading.text:
        return best
    placed = _placed_on_pieces(*cut, group.mask.shape[0], reading) if cut is not None else None
    centres = [line.group_column((d.start + d.stop) / 2) for d in reading.digits]
    return placed or _line_pieces(group, centres, reading.digits) or best


def _placed_on_pieces(
    cuts: list[int], pieces: list[tuple[int, int, Piece]], height: int, reading: LineReading
) -> list[Piece] | None:
    """The chain of cut pieces from the first cut to the last, one per digit the reader read, that the
    digit model finds likeliest to show those digits (summed log-probabilities; a narrow stretch may
    be left out at the cost of `SKIP_PROBABILITY`). Each piece keeps its box and takes the reader's
    probabilities. None when no chain of that many pieces exists."""
    wanted = [int(c) for c in reading.text]
    last, count = len(cuts) - 1, len(wanted)
    edges: dict[int, list[tuple[int, Piece | None]]] = {}
    for a, b, piece in pieces:
        edges.setdefault(b, []).append((a, piece))
    for a in range(last):
        if cuts[a + 1] - cuts[a] <= MAX_SKIP_WIDTH * height:
            edges.setdefault(a + 1, []).append((a, None))
    # chains[(node, digits placed)] = (summed log-probability, pieces)
    chains: dict[tuple[int, int], tuple[float, list[Piece]]] = {(0, 0): (0.0, [])}
    for b in range(1, last + 1):
        for a, piece in edges.get(b, []):
            for placed in range(count + 1):
                if (a, placed) not in chains or (piece is not None and placed == count):
                    continue
                total, chain = chains[(a, placed)]
                if piece is None:
                    key, total = (b, placed), total + np.log(SKIP_PROBABILITY)
                else:
                    key = (b, placed + 1)
                    total += float(np.log(max(float(piece.probabilities[wanted[placed]]), 1e-6)))
                    chain = [*chain, piece]
                if key not in chains or total > chains[key][0]:
                    chains[key] = (total, chain)
    if (last, count) not in chains:
        return None
    chosen = chains[(last, count)][1]
    return [Piece(p.crop, d.probabilities) for p, d in zip(chosen, reading.digits, strict=True)]


def _line_pieces(group: Group, centres: list[float], digits: list[LineDigit]) -> list[Piece] | None:
    """The digits a line reading marked at group columns `centres` as pieces of the group: between two
    marks, the cut follows the least-ink path from the column with the least ink (where the reader
    marks a digit is not its middle, so halfway between two marks can slice one), kept between the
    two marks (else it could slip around a narrow 1). Each piece's box spans the group's rows: where
    strokes cross, a piece can keep only part of its digit (the bar of a 7 whose stem joined the 1
    beside it)."""
    height, width = group.mask.shape
    profile = np.count_nonzero(group.mask, axis=0)
    margin = max(1, int(MIN_PIECE_WIDTH * height))  # a mark can lie beyond the group's ink
    spans = []
    for left, right in zip(centres, centres[1:], strict=False):
        lo = int(np.clip(left, margin, width - margin - 1))
        spans.append((lo, int(np.clip(right, lo + 1, width - margin))))
    columns = [lo + int(profile[lo:hi].argmin()) for lo, hi in spans]
    inner = cut_paths(group.mask, columns, spans)
    paths = [np.zeros(height, np.int64), *inner, np.full(height, width, np.int64)]
    _, top, _, rows = crop_piece(group).box
    pieces = []
    for left, right, digit in zip(paths[:-1], paths[1:], digits, strict=True):
        crop = crop_piece(group, left, right)
        if crop is None:
            return None
        x, _, w, _ = crop.box
        pieces.append(Piece(DigitCrop((x, top, w, rows), crop.pixels), digit.probabilities))
    return pieces


def _classify(classify: Classifier, crops: list[DigitCrop]) -> np.ndarray:
    if not crops:
        return np.zeros((0, NUM_CLASSES), np.float32)
    return classify(np.stack([c.pixels for c in crops]))


def _needs_split(group: Group, whole: Piece, threshold: float) -> bool:
    """A group is tried as several digits when it is rejected and wide enough for two, or when it is
    wider than any single digit."""
    if whole.score >= threshold:
        return group.aspect > MAX_PIECE_WIDTH
    return group.aspect >= MIN_SPLIT_ASPECT


def cut_candidates(mask: np.ndarray) -> list[int]:
    """Candidate cut columns of a group's mask: the deepest minima of its column ink profile."""
    height, width = mask.shape
    profile = np.count_nonzero(mask, axis=0).astype(np.float32)
    smooth = np.convolve(np.pad(profile, 1, mode="edge"), [0.25, 0.5, 0.25], mode="valid")
    margin = max(1, int(MIN_PIECE_WIDTH * height))
    inner = np.arange(margin, width - margin)
    if len(inner) == 0:
        return []
    is_minimum = (smooth[inner] <= smooth[inner - 1]) & (smooth[inner] <= smooth[inner + 1])
    columns = inner[is_minimum]
    spacing = max(1, int(CUT_SPACING * height))
    limit = int(CUTS_PER_HEIGHT * width / height) + 2
    chosen: list[int] = []
    for column in columns[np.argsort(smooth[columns], kind="stable")]:
        if all(abs(int(column) - c) >= spacing for c in chosen):
            chosen.append(int(column))
            if len(chosen) == limit:
                break
    return sorted(chosen)


def cut_paths(
    mask: np.ndarray, columns: list[int], bounds: list[tuple[int, int]] | None = None
) -> np.ndarray:
    """For each candidate column, the top-to-bottom cut that crosses the least ink near it.

    A path moves at most one column per row and at most `CUT_REACH` of the height away from its
    column (and never out of its `bounds`, first and last column after it, when given), with a small
    cost for drifting, so that it slips between slanted or overlapping digits where a straight cut
    would slice through one of them. Returns (len(columns), rows) columns.
    """
    height, width = mask.shape
    if not columns:
        return np.zeros((0, height), np.int64)
    reach = max(1, int(CUT_REACH * height))
    offsets = np.arange(-reach, reach + 1)
    low, high = (
        (0, width - 1) if bounds is None else (np.asarray(bounds)[:, :1], np.asarray(bounds)[:, 1:] - 1)
    )
    at = np.clip(np.asarray(columns)[:, None] + offsets[None, :], low, high)  # (n, window)
    ink = mask[:, at].transpose(1, 0, 2) > 0  # (n, rows, window)
    cost = ink + CUT_DRIFT_COST * np.abs(offsets)[None, None, :]
    total = cost[:, 0].astype(np.float32)
    steps = np.zeros(ink.shape, np.int8)
    for row in range(1, height):
        shifted = np.stack(
            [
                np.pad(total, ((0, 0), (1, 0)), constant_values=np.inf)[:, :-1],
                total,
                np.pad(total, ((0, 0), (0, 1)), constant_values=np.inf)[:, 1:],
            ]
        )
        choice = shifted.argmin(axis=0)
        total = np.take_along_axis(shifted, choice[None], axis=0)[0] + cost[:, row]
        steps[:, row] = choice - 1
    path = np.empty((len(columns), height), np.int64)
    position = total.argmin(axis=1)
    for row in range(height - 1, -1, -1):
        path[:, row] = np.take_along_axis(at, position[:, None], axis=1)[:, 0]
        position = position + steps[np.arange(len(columns)), row, position]
    return path


def candidate_pieces(group: Group) -> tuple[list[np.ndarray], list[tuple[int, int, DigitCrop]]]:
    """The cut paths (the group's edges included) and every plausible piece between two of them,
    as (index of its left path, index of its right path, crop).

    Cuts start from the profile's minima and from a regular grid (where digits overlap, the column
    between them holds more ink, not less); paths that end up the same are kept once.
    """
    height, width = group.mask.shape
    margin = max(1, int(MIN_PIECE_WIDTH * height))
    step = max(1, int(GRID_STEP * height), width // MAX_GRID_CUTS)
    columns = sorted(set(cut_candidates(group.mask)) | set(range(margin + step // 2, width - margin, step)))
    inner = _distinct(cut_paths(group.mask, columns), max(1.0, PATH_TOLERANCE * height))
    paths = [np.zeros(height, np.int64), *inner, np.full(height, width, np.int64)]
    cuts = _cut_columns(paths)
    pieces = []
    for a in range(len(cuts) - 1):
        for b in range(a + 1, len(cuts)):
            span = cuts[b] - cuts[a]
            if span > MAX_PIECE_WIDTH * height:
                break
            if span < MIN_PIECE_WIDTH * height or (a == 0 and b == len(cuts) - 1):
                continue  # too narrow, or the whole group (classified already)
            crop = crop_piece(group, paths[a], paths[b])
            if crop is not None and crop.box[3] * group.scale >= MIN_PIECE_HEIGHT * height - 1:
                pieces.append((a, b, crop))
    return paths, pieces


def _cut_columns(paths: list[np.ndarray]) -> list[int]:
    """Where each cut path lies: its mean column, rounded."""
    return [int(round(p.mean())) for p in paths]


def _distinct(paths: np.ndarray, tolerance: float) -> list[np.ndarray]:
    """The paths left to right, each kept only if it differs from the last kept by `tolerance` columns."""
    kept: list[np.ndarray] = []
    for path in sorted(paths, key=lambda p: p.mean()):
        if not kept or np.abs(path - kept[-1]).mean() > tolerance:
            kept.append(path)
    return kept


def _gain(probability: float) -> float:
    """What reading a piece with this probability adds: log(p / EVEN_PROBABILITY). A confident digit adds,
    so that two digits read at 0.9 beat one "digit" read at 0.92 across both; a weak one costs."""
    return float(np.log(probability / EVEN_PROBABILITY))


def _piece_bar(piece: Piece, threshold: float) -> float:
    """The probability a cut piece must reach: `threshold`, or `STROKE_SPLIT_ACCEPT` for a 1 or a 7."""
    return max(threshold, STROKE_SPLIT_ACCEPT) if piece.label in STROKE_DIGITS else threshold


def _best_segmentation(
    cuts: list[int], height: int, pieces: list[tuple[int, int, Piece]], whole: Piece | None, threshold: float
) -> list[Piece] | None:
    """The accepted pieces from the first cut to the last with the highest summed `_gain`.

    Cut pieces must reach `threshold` (a 1 or a 7 more: `_piece_bar`), and at least one of them must
    be wider than a 1 (`MIN_WIDE_PIECE`): the strokes of an M or a W read as 1s (touching 1s alone are
    not read). A narrow stretch between two cuts (a joining stroke, a tail) may be left out at a cost of
    `SKIP_PROBABILITY`, but never two in a row (that would leave out a digit). `whole` (the uncut
    group, already accepted) competes with the best split.
    """
    last = len(cuts) - 1
    edges: dict[int, list[tuple[int, float, Piece | None, bool]]] = {}
    for a, b, piece in pieces:
        if piece.score >= _piece_bar(piece, threshold):
            wide = piece.crop.box[2] >= MIN_WIDE_PIECE * piece.crop.box[3]
            edges.setdefault(b, []).append((a, _gain(piece.score), piece, wide))
    for a in range(last):
        if cuts[a + 1] - cuts[a] <= MAX_SKIP_WIDTH * height:
            edges.setdefault(a + 1, []).append((a, _gain(SKIP_PROBABILITY), None, False))
    # chains[node, has a wide piece, ended with a skip] = (summed gain, pieces so far)
    chains: dict[tuple[int, bool, bool], tuple[float, list[Piece]]] = {(0, False, False): (0.0, [])}
    for b in range(1, last + 1):
        for a, gain, piece, wide in edges.get(b, []):
            for (node, flag, skipped), (total, chain) in list(chains.items()):
                if node != a or (piece is None and skipped):  # never two skips in a row
                    continue
                key = (b, flag or wide, piece is None)
                if key not in chains or total + gain > chains[key][0]:
                    chains[key] = (total + gain, chain + ([piece] if piece else []))
    ends = [chains[k] for k in ((last, True, False), (last, True, True)) if k in chains]
    split = max(ends, key=lambda c: c[0]) if ends else None
    if split is not None and split[0] < MIN_SPLIT_GAIN:
        split = None
    if whole is not None and (split is None or split[0] < _gain(whole.score)):
        return [whole]
    return split[1] if split is not None else None
