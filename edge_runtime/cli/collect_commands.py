"""`edge collect` (save labelled 28x28 inputs into a dataset folder) and `edge relabel` (move or
delete a collected sample): numpy, OpenCV and LiteRT only."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from typer._click.core import ParameterSource  # Typer vendors Click

from edge_runtime.cli.options import (
    DEFAULT_SOURCE,
    AllowFailedOption,
    HeightOption,
    InkThresholdOption,
    ModelOption,
    SourceOption,
    ThreadsOption,
    VerifyOption,
    WidthOption,
    examples,
    load_model,
    parse_roi,
)
from edge_runtime.collect import (
    DATASET_LABELS,
    DEFAULT_AUTO_CONFIDENCE,
    DEFAULT_MIN_CHANGE,
    AutoLabel,
    ChangeFilter,
    Collector,
    CollectSummary,
    FixedLabel,
    LabelWindow,
    collect_images,
    collect_live,
    delete_sample,
    move_sample,
    sample_numbered,
    source_name,
)
from edge_runtime.images import MAX_PIXELS, expand_paths
from edge_runtime.packaged import PACKAGED_MODEL
from edge_runtime.reading import ReadingPolicy
from edge_runtime.sources import open_source
from edge_runtime.webcam import LiveSettings
from ground.errors import EdgeError, printable

app = typer.Typer()


@app.command(
    epilog=examples(
        "edge collect mine/ --source 0",
        "edge collect mine/ --source clip.mp4 --label 3",
        "edge collect mine/ photos/ --auto",
    )
)
def collect(
    ctx: typer.Context,
    out: Annotated[
        Path,
        typer.Argument(
            help="Dataset folder: samples go to OUT/0 … OUT/9, contact sheets to OUT/contact_*.png"
        ),
    ],
    paths: Annotated[
        list[str] | None,
        typer.Argument(
            help="Image files, folders or globs to collect from (default: the --source camera).",
            show_default=False,
        ),
    ] = None,
    source: SourceOption = DEFAULT_SOURCE,
    label: Annotated[
        str | None,
        typer.Option(
            help="No window: every region read (accepted or rejected) is saved with this label.",
            show_default=False,
        ),
    ] = None,
    auto: Annotated[
        bool,
        typer.Option(
            "--auto",
            help="No window: save the accepted digits whose confidence reaches --min-confidence, "
            "under the model's label.",
        ),
    ] = False,
    min_confidence: Annotated[
        float, typer.Option(min=0.0, max=1.0, help="--auto: the least confidence (top probability) to save.")
    ] = DEFAULT_AUTO_CONFIDENCE,
    every: Annotated[
        int, typer.Option(min=1, help="Camera or video: offer the regions of every N-th frame only.")
    ] = 1,
    min_change: Annotated[
        float,
        typer.Option(
            min=0.0,
            max=1.0,
            help="Camera or video: offer a region only when its 28x28 input differs by at least this "
            "(mean absolute difference, 0-1, least over 2-pixel shifts) from what was offered at the same "
            "place in the last 30 frames. 0: every region of every frame.",
        ),
    ] = DEFAULT_MIN_CHANGE,
    max_frames: Annotated[
        int | None, typer.Option(min=1, help="Stop after this many frames.", show_default=False)
    ] = None,
    roi: Annotated[
        str | None,
        typer.Option(help="Only look inside this rectangle: x,y,width,height in pixels.", show_default=False),
    ] = None,
    ink_threshold: InkThresholdOption = None,
    width: WidthOption = None,
    height: HeightOption = None,
    threads: ThreadsOption = None,
    max_pixels: Annotated[
        int, typer.Option(min=1, help="Refuse images with more pixels than this (read from the file header).")
    ] = MAX_PIXELS,
    model: ModelOption = PACKAGED_MODEL,
    verify: VerifyOption = True,
    allow_failed: AllowFailedOption = False,
) -> None:
    """Save the 28x28 inputs the model saw, labelled, for fine-tuning (`edge train --extra-data OUT`).

    Label each region in the window (a digit key; space skips; q quits), or without a window with
    --label L or --auto. From a camera or video, a region that has not changed (--min-change) is
    offered once, and a video's progress goes to stderr. Names carry the source, frame and box;
    OUT/contact_<label>.png shows every sample of a label, numbered in file-name order (`edge relabel
    OUT/3 --index 52 --label 8`). A model with a `reject` output also gets OUT/reject (key r); ours
    have ten outputs, so there is none.
    """
    if label is not None and auto:
        raise typer.BadParameter("give --label or --auto, not both", param_hint="--label")
    if paths and ctx.get_parameter_source("source") is not ParameterSource.DEFAULT:
        raise typer.BadParameter("give image PATHS or --source, not both", param_hint="--source")
    settings = LiveSettings(top_k=3, roi=parse_roi(roi), max_frames=max_frames)
    digit_model = load_model(model, threads, verify, allow_failed)
    policy = ReadingPolicy.for_model(digit_model).with_options(ink_threshold)
    if label is not None and label not in digit_model.labels:
        raise typer.BadParameter(
            f"{label!r} is not one of the model's labels ({', '.join(digit_model.labels)})",
            param_hint="--label",
        )
    window = None
    if label is not None:
        choose = FixedLabel(label)
    elif auto:
        choose = AutoLabel(min_confidence)
    else:
        choose = window = LabelWindow(f"edge collect - {out}", digit_model.labels)
    changes = ChangeFilter(min_change) if min_change > 0 and not paths else None
    collector = Collector(out, digit_model.labels, choose, rejected_too=not auto, changes=changes)
    try:
        if paths:
            files, failures = expand_paths(paths)
            for message in failures:
                _warn(message)
            summary = collect_images(digit_model, files, collector, settings, policy, max_pixels, _warn)
        else:
            with open_source(source, width, height) as frames:
                progress = None if frames.live else _Progress(frames.frame_count)
                summary = collect_live(
                    digit_model,
                    frames,
                    source_name(source),
                    collector,
                    settings,
                    policy,
                    every,
                    window,
                    progress,
                )
                if progress is not None:
                    progress.finish()
            if summary.frames == 0:
                raise EdgeError(f"{frames.description}: no frame could be read")
    finally:
        if window is not None:
            window.close()
    typer.echo(_describe(summary, out))


class _Progress:
    """A video's progress on stderr: one line rewritten in place on a terminal, else a line at the first
    frame and then every `LOG_SECONDS`."""

    TERMINAL_SECONDS, LOG_SECONDS = 0.5, 10.0

    def __init__(self, total: int | None) -> None:
        self.total, self.terminal = total, sys.stderr.isatty()
        self.interval = self.TERMINAL_SECONDS if self.terminal else self.LOG_SECONDS
        self.last: float | None = None
        self.shown = ""

    def __call__(self, frames: int, summary: CollectSummary) -> None:
        now = time.monotonic()
        if self.last is not None and now - self.last < self.interval:
            return
        self.last = now
        of = f" of {self.total} ({frames / self.total:.0%})" if self.total else ""
        saved = sum(summary.saved.values())
        self.shown = f"frame {frames}{of}: {saved} saved, {summary.unchanged} unchanged"
        typer.echo(f"\r{self.shown}" if self.terminal else self.shown, err=True, nl=not self.terminal)

    def finish(self) -> None:
        """End the rewritten line on a terminal."""
        if self.terminal and self.shown:
            typer.echo("", err=True)


def _warn(message: str) -> None:
    typer.echo(f"error: {printable(message)}", err=True)


def _describe(summary: CollectSummary, out: Path) -> str:
    counts = ", ".join(f"{label}: {n}" for label, n in sorted(summary.saved.items())) or "none"
    sheets = f"; contact sheets: {', '.join(p.name for p in summary.sheets)}" if summary.sheets else ""
    return (
        f"{summary.frames} frame{'s' if summary.frames != 1 else ''} read, "
        f"{sum(summary.saved.values())} samples saved to {printable(out)} ({counts}), "
        f"{summary.skipped} skipped, {summary.unchanged} unchanged{sheets}"
    )


@app.command(
    epilog=examples(
        "edge relabel mine/3 --index 52 --label 8",
        "edge relabel mine/3 --index 4 --index 9 --delete",
        "edge relabel mine/3/clip-f000120-x312y96w60h88.png --label 5",
    )
)
def relabel(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="Collected samples (DIR/<label>/NAME.png), or one label folder (DIR/<label>) with --index.",
            show_default=False,
        ),
    ],
    index: Annotated[
        list[int] | None,
        typer.Option(
            min=1,
            help="The sample's number on the label's contact sheet (DIR/contact_<label>.png); repeat for "
            "several.",
            show_default=False,
        ),
    ] = None,
    label: Annotated[
        str | None,
        typer.Option(
            help=f"Move them to this label's folder ({', '.join(DATASET_LABELS)}).", show_default=False
        ),
    ] = None,
    delete: Annotated[bool, typer.Option("--delete", help="Delete them instead.")] = False,
) -> None:
    """Move wrongly labelled samples to another label (--label) or delete them (--delete), named by file
    or by their number on the contact sheet (--index); the contact sheets are rewritten."""
    if (label is None) == (not delete):
        raise typer.BadParameter("give --label LABEL or --delete", param_hint="--label")
    if label is not None and label not in DATASET_LABELS:
        raise typer.BadParameter(f"expected one of {', '.join(DATASET_LABELS)}", param_hint="--label")
    if index and (len(files) != 1 or not files[0].is_dir()):
        raise typer.BadParameter("with --index, give one label folder (DIR/<label>)", param_hint="--index")
    if not index and any(path.is_dir() for path in files):
        raise typer.BadParameter("a label folder needs --index N (its number on the contact sheet)")
    if index:  # every number is read off the sheet before anything moves
        files = [sample_numbered(files[0], number) for number in dict.fromkeys(index)]
    for path in files:
        if delete:
            delete_sample(path)
            typer.echo(f"deleted {printable(path)}")
        else:
            typer.echo(f"{printable(path)} -> {printable(move_sample(path, label))}")
