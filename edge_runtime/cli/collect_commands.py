"""`edge collect` (save labelled 28x28 inputs into a dataset folder) and `edge relabel` (move or
delete a collected sample): numpy, OpenCV and LiteRT only."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from edge_runtime.cli.options import (
    AllowFailedOption,
    HeightOption,
    ModelOption,
    ThreadsOption,
    ThresholdOption,
    VerifyOption,
    WidthOption,
    parse_roi,
)
from edge_runtime.collect import (
    DATASET_LABELS,
    DEFAULT_AUTO_CONFIDENCE,
    AutoLabel,
    Collector,
    CollectSummary,
    FixedLabel,
    LabelWindow,
    collect_images,
    collect_live,
    delete_sample,
    move_sample,
    source_name,
)
from edge_runtime.images import MAX_PIXELS, expand_paths
from edge_runtime.interpreter import DigitModel
from edge_runtime.packaged import PACKAGED_MODEL
from edge_runtime.sources import open_source
from edge_runtime.webcam import LiveSettings
from ground.errors import EdgeError, printable

app = typer.Typer()


@app.command()
def collect(
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
    source: Annotated[
        str | None,
        typer.Option(
            help="Camera index, device, video file, stream URL or 'picamera' (default: 0 without PATHS).",
            show_default=False,
        ),
    ] = None,
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
            help="No window: accepted digits at or above --min-confidence are saved with the model's label.",
        ),
    ] = False,
    min_confidence: Annotated[
        float, typer.Option(min=0.0, max=1.0, help="--auto: the least confidence (top probability) to save.")
    ] = DEFAULT_AUTO_CONFIDENCE,
    every: Annotated[
        int, typer.Option(min=1, help="Camera or video: offer the regions of every N-th frame only.")
    ] = 1,
    max_frames: Annotated[
        int | None, typer.Option(min=1, help="Stop after this many frames.", show_default=False)
    ] = None,
    roi: Annotated[
        str | None,
        typer.Option(help="Only look inside this rectangle: x,y,width,height in pixels.", show_default=False),
    ] = None,
    threshold: ThresholdOption = None,
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
    --label L or --auto. Names carry the source, frame and box; OUT/contact_<label>.png shows every
    sample of a label, numbered in file-name order. A model with a `reject` output also gets OUT/reject
    (key r); ours have ten outputs, so there is none.
    """
    if label is not None and auto:
        raise typer.BadParameter("give --label or --auto, not both", param_hint="--label")
    if paths and source is not None:
        raise typer.BadParameter("give image PATHS or --source, not both", param_hint="--source")
    settings = LiveSettings(top_k=3, threshold=threshold, roi=parse_roi(roi), max_frames=max_frames)
    digit_model = DigitModel(model, threads, verify=verify, allow_failed=allow_failed)
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
    collector = Collector(out, digit_model.labels, choose, rejected_too=not auto)
    try:
        if paths:
            files, failures = expand_paths(paths)
            for message in failures:
                _warn(message)
            summary = collect_images(digit_model, files, collector, settings, max_pixels, _warn)
        else:
            spec = source or "0"
            with open_source(spec, width, height) as frames:
                summary = collect_live(
                    digit_model, frames, source_name(spec), collector, settings, every, window
                )
            if summary.frames == 0:
                raise EdgeError(f"{frames.description}: no frame could be read")
    finally:
        if window is not None:
            window.close()
    typer.echo(_describe(summary, out))


def _warn(message: str) -> None:
    typer.echo(f"error: {printable(message)}", err=True)


def _describe(summary: CollectSummary, out: Path) -> str:
    counts = ", ".join(f"{label}: {n}" for label, n in sorted(summary.saved.items())) or "none"
    sheets = f"; contact sheets: {', '.join(p.name for p in summary.sheets)}" if summary.sheets else ""
    return (
        f"{summary.frames} frame{'s' if summary.frames != 1 else ''} read, "
        f"{sum(summary.saved.values())} samples saved to {printable(out)} ({counts}), "
        f"{summary.skipped} skipped{sheets}"
    )


@app.command()
def relabel(
    files: Annotated[
        list[Path], typer.Argument(help="Collected samples: DIR/<label>/NAME.png.", show_default=False)
    ],
    label: Annotated[
        str | None,
        typer.Option(
            help=f"Move them to this label's folder ({', '.join(DATASET_LABELS)}).", show_default=False
        ),
    ] = None,
    delete: Annotated[bool, typer.Option("--delete", help="Delete them instead.")] = False,
) -> None:
    """Move wrongly labelled samples to another label (--label) or delete them (--delete); the contact
    sheets are rewritten."""
    if (label is None) == (not delete):
        raise typer.BadParameter("give --label LABEL or --delete", param_hint="--label")
    if label is not None and label not in DATASET_LABELS:
        raise typer.BadParameter(f"expected one of {', '.join(DATASET_LABELS)}", param_hint="--label")
    for path in files:
        if delete:
            delete_sample(path)
            typer.echo(f"deleted {printable(path)}")
        else:
            typer.echo(f"{printable(path)} -> {printable(move_sample(path, label))}")
