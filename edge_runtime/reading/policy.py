"""Every number the reading decides by, in one immutable `ReadingPolicy`, each with where it came from.

A policy is built once per model (`ReadingPolicy.for_model`: the acceptance probabilities its export
chose, from its manifest) and the command line's options (`with_options`), and handed to
`pipeline.read_digits`; a running server swaps it (`with_digit_accept`) rather than changing a model.
Two kinds of threshold never share a name: *ink strength* (0-255, how much darker than its paper a
pixel is: `InkPolicy.ink_threshold`) and *acceptance probability* (0-1, the model's top probability a
reading needs: `Acceptance`).

Each tuned value is a `tuned(value, source)` field: `source` names the benchmark and category (or the
test) that chose it and the commit that set it; `tuned_values()` lists them all. Values that merely
restate the models' input contract (MNIST's 20-pixel box, the line input's margin) are not policy:
they live with the inputs (`inputs`), since a model is trained on them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, fields, replace
from typing import Any

BENCH = "benchmarks/runtime_bench.py"


def tuned(value: Any, source: str) -> Any:
    """A policy field's default `value`, chosen as `source` says."""
    return field(default=value, metadata={"source": source})


@dataclass(frozen=True)
class Acceptance:
    """Acceptance probabilities: what a model's top probability must reach for its reading to count."""

    digit: float = 0.5  # a region is a digit (the digit model's manifest: `rejection.threshold`)
    line: float = 1.0  # the line reader's reading counts (its manifest record; 1.0: never)
    unsure_below: float = 0.0  # an accepted digit below this is marked unsure (--min-confidence)


@dataclass(frozen=True)
class InkPolicy:
    """Measuring ink against its paper (`ink`)."""

    ink_threshold: int | None = None  # ink strength (0-255) of a stroke; None: chosen per image (Otsu)
    work_short_side: int = tuned(360, "?")  # the working copy's short side...
    min_work_scale: float = tuned(0.75, "?")  # ...never below this scale (a 20-px digit stays 15 px)...
    work_max_side: int = tuned(1920, "?")  # ...nor with a long side above this
    work_min_side: int = tuned(64, "?")  # a short side below this is enlarged (a small tight crop)...
    max_enlarge: float = tuned(8.0, "?")  # ...by at most this
    polarity_coarse: tuple[int, float] = tuned((160, 1 / 3), "?")  # polarity: copy's long side, blur share
    polarity_fine: tuple[int, float] = tuned((480, 1 / 24), "?")  # ...and a finer look when unclear
    clear_polarity_vote: float = tuned(0.8, "?")  # a coarse vote this clear needs no finer look
    background_side: int = tuned(48, "?")  # long side of the copy the paper's brightness is estimated on
    background_kernel: int = tuned(17, "?")  # its close kernel: dark blobs up to ~1/3 of the image stay ink
    background_blur: int = tuned(5, "?")  # Gaussian blur of the closed copy
    crop_side: int = tuned(400, "?")  # an image no larger is a crop around a digit, not a scene
    crop_paper_percentile: int = tuned(90, "?")  # a crop's paper brightness: this percentile...
    paper_near_fit: float = tuned(0.85, "?")  # ...and its paper pixels at least this share of it
    paper_samples: int = tuned(4000, "?")  # pixels of a crop sampled to fit its paper
    crop_otsu_share: float = tuned(0.6, "?")  # a crop's soft strokes break at Otsu's threshold: this share
    min_paper_brightness: int = tuned(32, "?")  # darker "paper" is not divided by: no ink in the dark
    min_ink_contrast: int = tuned(48, "?")  # ink strength below this is no digit...
    faint_ink: int = tuned(64, "?")  # ...unless the darkest strokes reach this (faint ink)...
    strong_ink_pixels: int = tuned(64, "?")  # (the darkest this many pixels)...
    faint_share: float = tuned(0.45, "?")  # ...then the threshold may be this share of their strength...
    min_faint_contrast: int = tuned(32, "?")  # ...but no lower
    small_frame_pixels: int = tuned(640 * 480, "?")  # up to this size the channel minimum comes first


@dataclass(frozen=True)
class FindPolicy:
    """Finding the ink groups that may hold digits (`find`)."""

    min_digit_height: int = tuned(13, "?")  # working pixels: an 18-px digit at the smallest scale (3/4)
    min_area_pixels: int = tuned(8, "?")  # ink pixels of a blob worth keeping
    max_line_aspect: float = tuned(12.0, "?")  # a group this many times wider than tall is a ruled line
    max_components: int = tuned(300, "?")  # more blobs is a texture: only the largest are read ("cut")
    column_overlap_to_merge: float = tuned(0.5, "?")  # stacked blobs sharing this share of columns...
    max_gap_to_merge: float = tuned(0.6, "?")  # ...and this close (of the taller) are one digit
    fragment_height: float = tuned(0.5, "?")  # a blob this much shorter than a digit beside it is part...
    fragment_distance: float = tuned(0.15, "?")  # ...if this near (of the digit's height)...
    bar_aspect: float = tuned(1.5, "?")  # ...unless a bar this many times wider than tall...
    bar_band: tuple[float, float] = tuned((0.3, 0.75), "?")  # ...at middle height (a hyphen)...
    mark_size: tuple[float, float] = tuned((0.4, 0.5), "?")  # ...or a dot or comma this wide and tall...
    mark_elongation: float = tuned(2.5, "?")  # ...and at most this much taller than wide
    ruled_row_share: float = tuned(0.5, "?")  # a pixel row inked across this share is a ruled line
    ruled_column_share: float = tuned(0.6, "?")  # a column inked down this share is a margin line...
    ruled_line_thickness: int = tuned(4, "?")  # ...when at most this many lie side by side
    group_max_height: int = tuned(56, "?")  # rows a group is shrunk to before it is cut and cropped


@dataclass(frozen=True)
class CutPolicy:
    """Reading a group as one digit, several or none, by cutting it (`cuts`, `recognise`)."""

    min_split_aspect: float = tuned(0.9, "?")  # a rejected group narrower than this is not cut
    max_split_aspect: float = tuned(6.0, "?")  # a group wider than this is not cut ("cut")
    split_accept: float = tuned(0.5, "?")  # a cut piece needs this probability (or the digit bar)...
    stroke_digits: tuple[int, ...] = tuned((1, 7), "?")  # ...and one read as these (letters' strokes)...
    stroke_split_accept: float = tuned(0.6, "?")  # ...this
    even_probability: float = tuned(0.7, "?")  # a piece read this surely neither adds nor costs
    min_split_gain: float = tuned(-0.2, "?")  # a split read this weakly in all is no reading
    min_piece_width: float = tuned(0.1, "?")  # of the group's height: a narrow 1
    max_piece_width: float = tuned(1.3, "?")  # of the group's height: a wide 0 or 2
    min_piece_height: float = tuned(0.7, "?")  # of the group's height: shorter pieces are fragments
    min_wide_piece: float = tuned(0.4, "?")  # width/height: a split needs one piece this wide
    max_skip_width: float = tuned(0.3, "?")  # of the height: a stretch this narrow may be left unread...
    skip_probability: float = tuned(0.5, "?")  # ...at the cost of a piece read with this probability
    cut_spacing: float = tuned(0.08, "?")  # of the height: profile minima tried are this far apart...
    cuts_per_height: int = tuned(4, "?")  # ...and at most this many per height of width
    grid_step: float = tuned(0.12, "?")  # of the height: cuts are also tried this often...
    max_grid_cuts: int = tuned(24, "?")  # ...but at most this many
    cut_reach: float = tuned(0.25, "?")  # of the height: how far a cut path may wander
    cut_drift_cost: float = tuned(0.02, "?")  # per column of wandering, against 1 per ink pixel crossed
    path_tolerance: float = tuned(0.04, "?")  # of the height: a path this close to the last is the same
    sliver_share: float = tuned(0.15, "?")  # in a cut piece, blobs with less ink than this share go
    max_pieces: int = tuned(400, "?")  # cut pieces classified per frame at most; the rest: "cut"


@dataclass(frozen=True)
class LinePolicy:
    """Using the line reader on groups and on rows of groups (`recognise`, `rows`)."""

    min_line_digits: int = tuned(2, "?")  # its reading replaces the cut search's with this many digits
    in_line_choices: int = tuned(2, "?")  # its digit in a rejected group: one of the model's likeliest
    max_narrow_lines: int = tuned(16, "?")  # rejected narrow groups it reads per frame, tallest first
    row_neighbours: int = tuned(2, "?")  # accepted groups read on each side of a rejected run
    row_spacing: float = tuned(1.0, "?")  # of the taller's height: the widest blank inside a row
    max_rows: int = tuned(16, "?")  # rows it reads per frame
    row_height: int = tuned(64, "?")  # rows of the canvas a row of groups is set on
    row_gap: float = tuned(0.05, "?")  # of two neighbours' mean width: the blank left between them


@dataclass(frozen=True)
class DecidePolicy:
    """The rules that accept or reject what was read (`decide`)."""

    level_height: float = tuned(0.5, "?")  # regions on one line are within this ratio of heights
    min_relative_height: float = tuned(0.4, "?")  # a digit this much shorter than the tallest is dropped
    clutter_regions: int = tuned(3, "?")  # this many rejected regions make a frame cluttered...
    clutter_confidence: float = tuned(0.75, "?")  # ...where a digit needs this probability
    colon_fill: float = tuned(0.5, "?")  # a colon's dots fill this share of their boxes...
    colon_aspect: float = tuned(2.0, "?")  # ...are at most this much wider than tall or taller...
    colon_sizes: float = tuned(2.5, "?")  # ...and one holds at most this many times the other's ink


@dataclass(frozen=True)
class MarkPolicy:
    """Telling the separators between digits (`separators`); sizes are shares of the digits' height."""

    band: tuple[float, float] = tuned((-0.3, 1.4), "?")  # rows searched for marks (a comma descends)
    min_mark_area: float = tuned(0.004, "?")  # of h²: smaller specks are noise
    dot_size: float = tuned(0.4, "?")  # a dot is at most this wide and tall...
    dot_low: float = tuned(0.6, "?")  # ...a full stop's or comma's middle below this
    comma_size: float = tuned(0.5, "?")  # a comma is at most this tall...
    comma_drop: float = tuned(0.05, "?")  # ...and reaches this far below the baseline...
    comma_elongation: float = tuned(1.35, "?")  # ...or is this much taller than wide
    colon_middle: float = tuned(0.5, "?")  # a colon's dots lie above and below this
    bar_aspect: float = tuned(1.3, "?")  # a hyphen is this many times wider than tall...
    bar_height: float = tuned(0.35, "?")  # ...at most this tall...
    bar_width: float = tuned(1.2, "?")  # ...at most this wide...
    bar_band: tuple[float, float] = tuned((0.3, 0.75), "?")  # ...with its middle in this band
    slash_height: float = tuned(0.6, "?")  # a slash is at least this tall...
    slash_width: float = tuned(0.8, "?")  # ...at most this wide
    space_gap: float = tuned(2.0, "?")  # a blank this many times the line's median is a space...
    min_space: float = tuned(0.28, "?")  # ...if at least this wide...
    space_pitch: float = tuned(1.2, "?")  # ...and the pitch this many times the median pitch...
    lone_space: float = tuned(0.9, "?")  # ...or this wide, in a line of two digits


@dataclass(frozen=True)
class ReadingPolicy:
    """Everything `read_digits` decides by, one part per stage."""

    accept: Acceptance = Acceptance()
    ink: InkPolicy = InkPolicy()
    find: FindPolicy = FindPolicy()
    cut: CutPolicy = CutPolicy()
    line: LinePolicy = LinePolicy()
    decide: DecidePolicy = DecidePolicy()
    marks: MarkPolicy = MarkPolicy()

    @classmethod
    def for_model(cls, model: Any) -> ReadingPolicy:
        """The default policy with the acceptance probabilities `model` (an `interpreter.DigitModel`)
        and its line reader, if any, were exported with."""
        reader = getattr(model, "line_reader", None)
        line = reader.accept_threshold if reader is not None else Acceptance.line
        return cls(Acceptance(model.accept_threshold, line))

    def with_options(self, ink_threshold: int | None = None, unsure_below: float = 0.0) -> ReadingPolicy:
        """This policy with the command line's ink threshold and unsure line."""
        return replace(
            self,
            ink=replace(self.ink, ink_threshold=ink_threshold),
            accept=replace(self.accept, unsure_below=unsure_below),
        )

    def with_digit_accept(self, probability: float) -> ReadingPolicy:
        """This policy with another acceptance probability for the digit model."""
        return replace(self, accept=replace(self.accept, digit=probability))


DEFAULT = ReadingPolicy()  # the tuned values, with the acceptance probabilities of no model


def tuned_values(policy: ReadingPolicy | None = None) -> Iterator[tuple[str, Any, str]]:
    """Every tuned value of `policy` (the default one) as (stage.name, value, source)."""
    policy = policy or DEFAULT
    for stage in fields(policy):
        part = getattr(policy, stage.name)
        for item in fields(part):
            if "source" in item.metadata:
                yield f"{stage.name}.{item.name}", getattr(part, item.name), item.metadata["source"]
