"""Cutting a group into pieces, and the one solver that picks a chain of pieces across it.

Candidate cuts start at the minima of a group's column ink profile and on a regular grid, and each
follows the top-to-bottom path that crosses the least ink (so that it slips between slanted or
overlapping digits). Every piece between two cut paths of a plausible digit width is a candidate.
The cuts and pieces form a graph (cut i → cut j through the piece between them, or across a narrow
stretch left unread); `best_chain` finds its best path from the first cut to the last, for any
scoring: `recognise` scores pieces by how surely the digit model reads them, and by how likely they
show the digits the line reader read. (The values named here are `policy.CutPolicy`'s.)
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

from edge_runtime.reading.groups import DigitCrop, Group, Piece, crop_piece
from edge_runtime.reading.policy import DEFAULT, CutPolicy

State = TypeVar("State", bound=Hashable)


@dataclass(frozen=True)
class Edge:
    """A step of a chain across a group: from cut `start` to cut `stop` through `piece`, or across a
    narrow stretch left unread (`piece` None)."""

    start: int
    stop: int
    piece: Piece | None = None


def skip_edges(cuts: Sequence[int], height: int, policy: CutPolicy) -> list[Edge]:
    """An unread step between each two neighbouring cuts at most `max_skip_width` of `height` apart."""
    return [
        Edge(a, a + 1)
        for a in range(len(cuts) - 1)
        if cuts[a + 1] - cuts[a] <= policy.max_skip_width * height
    ]


def best_chain(
    edges: Sequence[Edge],
    last: int,
    start: State,
    advance: Callable[[State, Edge], tuple[State, float] | None],
    ends: Sequence[State],
) -> tuple[float, list[Piece]] | None:
    """The chain of `edges` from cut 0 to cut `last` with the highest summed gain, and its pieces.

    A chain carries a state, `start` at cut 0; `advance(state, edge)` gives the state after the edge
    and the edge's gain, or None where the edge may not follow that state. Only chains ending in one
    of the `ends` states count (the first of them wins a tie). None when there is no such chain.
    """
    into: dict[int, list[Edge]] = {}
    for edge in edges:
        into.setdefault(edge.stop, []).append(edge)
    best: dict[int, dict[State, tuple[float, list[Piece]]]] = {0: {start: (0.0, [])}}
    for stop in range(1, last + 1):
        reached = best.setdefault(stop, {})
        for edge in into.get(stop, []):
            for state, (total, chain) in list(best.get(edge.start, {}).items()):
                step = advance(state, edge)
                if step is None:
                    continue
                after, gain = step
                if after not in reached or total + gain > reached[after][0]:
                    reached[after] = (total + gain, chain + [edge.piece] if edge.piece else chain)
    chains = [best[last][state] for state in ends if state in best.get(last, {})]
    return max(chains, key=lambda chain: chain[0]) if chains else None


def candidate_pieces(
    group: Group, policy: CutPolicy = DEFAULT.cut
) -> tuple[list[np.ndarray], list[tuple[int, int, DigitCrop]]]:
    """The cut paths (the group's edges included) and every plausible piece between two of them,
    as (index of its left path, index of its right path, crop).

    Cuts start from the profile's minima and from a regular grid (where digits overlap, the column
    between them holds more ink, not less); paths that end up the same are kept once.
    """
    height, width = group.mask.shape
    margin = max(1, int(policy.min_piece_width * height))
    step = max(1, int(policy.grid_step * height), width // policy.max_grid_cuts)
    grid = range(margin + step // 2, width - margin, step)
    columns = sorted(set(cut_candidates(group.mask, policy)) | set(grid))
    inner = _distinct(cut_paths(group.mask, columns, policy), max(1.0, policy.path_tolerance * height))
    paths = [np.zeros(height, np.int64), *inner, np.full(height, width, np.int64)]
    cuts = cut_columns(paths)
    pieces = []
    for a in range(len(cuts) - 1):
        for b in range(a + 1, len(cuts)):
            span = cuts[b] - cuts[a]
            if span > policy.max_piece_width * height:
                break
            if span < policy.min_piece_width * height or (a == 0 and b == len(cuts) - 1):
                continue  # too narrow, or the whole group (classified already)
            crop = crop_piece(group, paths[a], paths[b], policy.sliver_share)
            tall_enough = crop is not None and crop.box[3] * group.to_image.scale >= (
                policy.min_piece_height * height - 1
            )
            if tall_enough:
                pieces.append((a, b, crop))
    return paths, pieces


def cut_candidates(mask: np.ndarray, policy: CutPolicy = DEFAULT.cut) -> list[int]:
    """Candidate cut columns of a group's mask: the deepest minima of its column ink profile."""
    height, width = mask.shape
    profile = np.count_nonzero(mask, axis=0).astype(np.float32)
    smooth = np.convolve(np.pad(profile, 1, mode="edge"), [0.25, 0.5, 0.25], mode="valid")
    margin = max(1, int(policy.min_piece_width * height))
    inner = np.arange(margin, width - margin)
    if len(inner) == 0:
        return []
    is_minimum = (smooth[inner] <= smooth[inner - 1]) & (smooth[inner] <= smooth[inner + 1])
    columns = inner[is_minimum]
    spacing = max(1, int(policy.cut_spacing * height))
    limit = int(policy.cuts_per_height * width / height) + 2
    chosen: list[int] = []
    for column in columns[np.argsort(smooth[columns], kind="stable")]:
        if all(abs(int(column) - c) >= spacing for c in chosen):
            chosen.append(int(column))
            if len(chosen) == limit:
                break
    return sorted(chosen)


def cut_paths(
    mask: np.ndarray,
    columns: list[int],
    policy: CutPolicy = DEFAULT.cut,
    bounds: list[tuple[int, int]] | None = None,
) -> np.ndarray:
    """For each candidate column, the top-to-bottom cut that crosses the least ink near it.

    A path moves at most one column per row and at most `cut_reach` of the height away from its
    column (and never out of its `bounds`, first and last column after it, when given), with a small
    cost for drifting, so that it slips between slanted or overlapping digits where a straight cut
    would slice through one of them. Returns (len(columns), rows) columns.
    """
    height, width = mask.shape
    if not columns:
        return np.zeros((0, height), np.int64)
    reach = max(1, int(policy.cut_reach * height))
    offsets = np.arange(-reach, reach + 1)
    low, high = (
        (0, width - 1) if bounds is None else (np.asarray(bounds)[:, :1], np.asarray(bounds)[:, 1:] - 1)
    )
    at = np.clip(np.asarray(columns)[:, None] + offsets[None, :], low, high)  # (n, window)
    ink = mask[:, at].transpose(1, 0, 2) > 0  # (n, rows, window)
    cost = ink + policy.cut_drift_cost * np.abs(offsets)[None, None, :]
    total = cost[:, 0].astype(np.float32)
    steps = np.zeros(ink.shape, np.int8)
    shifted = np.full((3, *total.shape), np.inf)  # each column's total from the left, its own, from the right
    for row in range(1, height):
        shifted[0, :, 1:], shifted[1], shifted[2, :, :-1] = total[:, :-1], total, total[:, 1:]
        choice = shifted.argmin(axis=0)
        total = shifted.min(axis=0) + cost[:, row]
        steps[:, row] = choice - 1
    path = np.empty((len(columns), height), np.int64)
    position = total.argmin(axis=1)
    for row in range(height - 1, -1, -1):
        path[:, row] = np.take_along_axis(at, position[:, None], axis=1)[:, 0]
        position = position + steps[np.arange(len(columns)), row, position]
    return path


def cut_at_marks(
    group: Group, centres: list[float], probabilities: list[np.ndarray], policy: CutPolicy = DEFAULT.cut
) -> list[Piece] | None:
    """The digits a line reading marked at group columns `centres` (with their `probabilities`) as
    pieces of the group: between two marks, the cut follows the least-ink path from the column with
    the least ink (where the reader marks a digit is not its middle, so halfway between two marks can
    slice one), kept between the two marks (else it could slip around a narrow 1). Each piece's box
    spans the group's rows: where strokes cross, a piece can keep only part of its digit (the bar of
    a 7 whose stem joined the 1 beside it). None when a piece would hold no ink, or when the group is
    too narrow to leave room for a cut between two marks."""
    height, width = group.mask.shape
    profile = np.count_nonzero(group.mask, axis=0)
    margin = max(1, int(policy.min_piece_width * height))  # a mark can lie beyond the group's ink
    if len(centres) > 1 and width - 2 * margin < 1:
        return None
    spans = []
    for left, right in zip(centres, centres[1:], strict=False):
        lo = int(np.clip(left, margin, width - margin - 1))
        spans.append((lo, int(np.clip(right, lo + 1, width - margin))))
    columns = [lo + int(profile[lo:hi].argmin()) for lo, hi in spans]
    inner = cut_paths(group.mask, columns, policy, spans)
    paths = [np.zeros(height, np.int64), *inner, np.full(height, width, np.int64)]
    _, top, _, rows = crop_piece(group).box
    pieces = []
    for left, right, digit in zip(paths[:-1], paths[1:], probabilities, strict=True):
        crop = crop_piece(group, left, right, policy.sliver_share)
        if crop is None:
            return None
        x, _, w, _ = crop.box
        pieces.append(Piece(DigitCrop((x, top, w, rows), crop.pixels), digit))
    return pieces


def cut_columns(paths: list[np.ndarray]) -> list[int]:
    """Where each cut path lies: its mean column, rounded."""
    return [int(round(p.mean())) for p in paths]


def _distinct(paths: np.ndarray, tolerance: float) -> list[np.ndarray]:
    """The paths left to right, each kept only if it differs from the last kept by `tolerance` columns."""
    kept: list[np.ndarray] = []
    for path in sorted(paths, key=lambda p: p.mean()):
        if not kept or np.abs(path - kept[-1]).mean() > tolerance:
            kept.append(path)
    return kept
