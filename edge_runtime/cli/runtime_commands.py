"""`edge classify` (image files) and `edge webcam` (live frames): numpy, OpenCV and LiteRT only."""

from __future__ import annotations

import contextlib
import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import numpy as np
import typer

from edge_runtime.cli.options import (
    DEFAULT_MIN_CONFIDENCE,
    DEFAULT_SOURCE,
    AllowFailedOption,
    HeightOption,
    InkThresholdOption,
    JsonOption,
    MinConfidenceOption,
    ModelOption,
    SourceOption,
    ThreadsOption,
    TopKOption,
    VerifyOption,
    WidthOption,
    examples,
    load_model,
    parse_roi,
)
from edge_runtime.drawing import Preview, annotated
from edge_runtime.images import IMAGE_SUFFIXES, MAX_PIXELS, expand_paths, read_image
from edge_runtime.interpreter import BrokenModelError, DigitModel
from edge_runtime.packaged import PACKAGED_MODEL
from edge_runtime.reading import Reading, ReadingPolicy, read_digits, write_crops
from edge_runtime.reading.orientation import read_any_way_up
from edge_runtime.recording import VideoRecorder, check_video_path
from edge_runtime.samples import drawn_digit, npz_test_digits, write_image, write_sample_set
from edge_runtime.sources import open_source
from edge_runtime.webcam import FrameResult, FrameSinks, LiveSettings, run
from ground.atomic import check_folder, ensure_folder
from ground.errors import EdgeError, path_fields, printable

app = typer.Typer()

LIVE_RECORDING_FPS = 15.0  # a camera's recording is stamped at this rate (a video file keeps its own)


class Orientation(StrEnum):
    """How the numbers may be turned in the images `edge classify` reads."""

    up = "up"
    auto = "auto"


@app.command(
    epilog=examples(
        "edge classify photo.jpg",
        "edge classify sideways.jpg -m model_int8.tflite --orientation auto",
        "edge classify photos/ --json > readings.jsonl",
        "edge classify 'scans/*.png' --save annotated/",
    )
)
def classify(
    paths: Annotated[
        list[str],
        typer.Argument(
            help="Image files, folders (searched recursively) or glob patterns.", show_default=False
        ),
    ],
    top_k: TopKOption = 3,
    json_out: JsonOption = False,
    min_confidence: MinConfidenceOption = DEFAULT_MIN_CONFIDENCE,
    save: Annotated[
        Path | None,
        typer.Option(
            help="Folder to write each image into with its boxes, digits and reading drawn "
            "(<index>-<name>; images under 240 px enlarged).",
            show_default=False,
        ),
    ] = None,
    save_crops: Annotated[
        Path | None,
        typer.Option(
            help="Folder to write the 28x28 inputs the model saw (to debug preprocessing).",
            show_default=False,
        ),
    ] = None,
    ink_threshold: InkThresholdOption = None,
    threads: ThreadsOption = None,
    max_pixels: Annotated[
        int, typer.Option(min=1, help="Refuse images with more pixels than this (read from the file header).")
    ] = MAX_PIXELS,
    model: ModelOption = PACKAGED_MODEL,
    verify: VerifyOption = True,
    allow_failed: AllowFailedOption = False,
    crop: Annotated[
        bool | None,
        typer.Option(
            "--crop/--scene",
            help="Read every image as a crop around digits that may fill it, or as a scene (a photo, a "
            "camera frame). Default: images of at most 400 px are crops.",
            show_default=False,
        ),
    ] = None,
    orientation: Annotated[
        Orientation,
        typer.Option(
            help="up: numbers stand upright. auto: each image is also read turned a quarter round each "
            "way and upside down, and a turned reading kept when it reads clearly more than upright (JSON: "
            "'turned', the degrees the number was turned clockwise; 4x the time).",
        ),
    ] = Orientation.up,
) -> None:
    """Read the digits in image files (PNG, JPEG, BMP, TIFF, WebP); several digits read left to right."""
    files, failures = expand_paths(paths)
    for message in failures:
        _report_failure(message, None, json_out)
    digit_model = load_model(model, threads, verify, allow_failed)
    policy = ReadingPolicy.for_model(digit_model).with_options(ink_threshold, min_confidence)
    if save is not None:
        ensure_folder(save)
    if save_crops is not None:
        check_folder(save_crops)  # made by the first crop written
    failed = len(failures)
    for index, path in enumerate(files):
        try:
            image = read_image(path, max_pixels)
            reading, turned = _read(digit_model, image, policy, top_k, crop, orientation)
        except BrokenModelError:
            raise  # not this input's fault: one line, then stop
        except EdgeError as exc:
            failed += 1
            _report_failure(str(exc), path, json_out)
            continue
        turn = {"turned": turned} if orientation is Orientation.auto else {}
        if json_out:
            typer.echo(json.dumps({**path_fields(path), **reading.to_json(), **turn}))
        else:
            note = f"  (turned {turned}°)" if turned else ""
            typer.echo(f"{printable(path)}: {_describe(reading)}{note}")
        if save is not None:
            write_image(save / _annotated_name(index, path), annotated(image, reading))
        if save_crops is not None:
            write_crops(save_crops, f"{index:04d}-{path.stem}", reading)
    if failed and json_out:  # the failures are in the JSON stream; stderr says how many
        raise EdgeError(f"{failed} of {len(files) + len(failures)} inputs could not be classified")
    if failed:
        raise typer.Exit(1)  # each failure has had its own `error:` line


def _read(
    model: DigitModel,
    image: np.ndarray,
    policy: ReadingPolicy,
    top_k: int,
    crop: bool | None,
    orientation: Orientation,
) -> tuple[Reading, int]:
    """The image's reading, any way up with `Orientation.auto`, and the degrees its number was turned."""

    def read(turned: np.ndarray) -> Reading:
        return read_digits(model, turned, policy, top_k=top_k, crop=crop)

    if orientation is Orientation.auto:
        return read_any_way_up(read, image, policy.decide.turn_margin)
    return read(image), 0


def _annotated_name(index: int, path: Path) -> str:
    """`<index>-<name>`, in the image's own format when OpenCV writes it, else PNG."""
    suffix = path.suffix.lower() if path.suffix.lower() in IMAGE_SUFFIXES else ".png"
    return f"{index:04d}-{path.stem}{suffix}"


def _report_failure(message: str, path: Path | None, json_out: bool) -> None:
    """One failed input: a JSON line (with its `path`, None for a pattern that matched nothing) or
    an `error:` line on stderr; either way one line, whatever the file's name."""
    if json_out:
        where = path_fields(path) if path else {"path": None}
        typer.echo(json.dumps({**where, "error": printable(message)}))
    else:
        typer.echo(f"error: {printable(message)}", err=True)


def _describe(reading: Reading) -> str:
    """One reading as `7 (99.2%)  top-3: 7 99.2% 1 0.5% 2 0.1%` (the reading's `text`: `12.50`, `12:45`),
    with one top-k list per digit, then
    `[unsure]`, how many regions were rejected as not digits, and `[cut]` when part was not read."""
    notes = (["[unsure]"] if reading.unsure else []) + (
        ["[cut: not all ink was read]"] if reading.cut else []
    )
    if reading.rejected:
        notes.append(f"({len(reading.rejected)} region{'s' if len(reading.rejected) > 1 else ''} rejected)")
    if not reading.digits:
        return " ".join(["no digit", *notes])
    candidates = " | ".join(" ".join(f"{label} {p:.1%}" for label, p in d.top_k) for d in reading.digits)
    text = f"{reading.text} ({reading.confidence:.1%})  top-{len(reading.digits[0].top_k)}: {candidates}"
    return "  ".join([text, *notes])


@app.command(
    epilog=examples(
        "edge webcam --source 0",
        "edge webcam --source clip.mp4 --headless --json | head -1",
        "edge webcam --source 0 --save reading.mp4",
        "edge webcam --source picamera --headless --roi 100,80,320,160",
    )
)
def webcam(
    source: SourceOption = DEFAULT_SOURCE,
    headless: Annotated[
        bool,
        typer.Option(
            "--headless",
            help="No window: print a timestamped line whenever the smoothed reading changes "
            "(for a Pi without screen, or a service).",
        ),
    ] = False,
    every_frame: Annotated[
        bool,
        typer.Option(
            "--every-frame", help="Print a line for every frame, not only when the reading changes."
        ),
    ] = False,
    json_out: JsonOption = False,
    max_frames: Annotated[
        int | None, typer.Option(min=1, help="Stop after this many frames.", show_default=False)
    ] = None,
    roi: Annotated[
        str | None,
        typer.Option(
            help="Only look inside this rectangle: x,y,width,height in frame pixels. It must fit inside "
            "the frame: checked on the first frame (an error, not clipped).",
            show_default=False,
        ),
    ] = None,
    ink_threshold: InkThresholdOption = None,
    top_k: TopKOption = 3,
    smooth: Annotated[
        int, typer.Option(min=1, help="Show the most frequent reading of the last N frames.")
    ] = 5,
    fps_window: Annotated[int, typer.Option(min=1, help="Average the FPS over the last N frames.")] = 30,
    min_confidence: MinConfidenceOption = DEFAULT_MIN_CONFIDENCE,
    width: WidthOption = None,
    height: HeightOption = None,
    save: Annotated[
        Path | None,
        typer.Option(
            help="Record the annotated frames into this video (.mp4 or .avi), at a video file's own "
            f"frame rate ({LIVE_RECORDING_FPS:g}/s for a camera); it appears once the run ends.",
            show_default=False,
        ),
    ] = None,
    threads: ThreadsOption = None,
    model: ModelOption = PACKAGED_MODEL,
    verify: VerifyOption = True,
    allow_failed: AllowFailedOption = False,
) -> None:
    """Read digits live from a camera, video file or stream; draws boxes, digits, confidence and FPS.

    With --headless (or --json) a line is printed when the smoothed reading changes (and for the first
    frame), each starting with (text) or holding (JSON "time") the local time in ISO 8601 with its UTC
    offset, and the frame's index; from a video file also its position in the video (text "at 1.200 s",
    JSON "video_time", seconds). --every-frame prints every frame. A closed stdout (`| head -1`) ends
    the run quietly.
    """
    settings = LiveSettings(top_k, parse_roi(roi), smooth, fps_window, max_frames)
    if save is not None:
        try:
            check_video_path(save)
        except EdgeError as exc:
            raise typer.BadParameter(str(exc), param_hint="--save") from None
    digit_model = load_model(model, threads, verify, allow_failed)
    policy = ReadingPolicy.for_model(digit_model).with_options(ink_threshold, min_confidence)

    def report(result: FrameResult) -> None:
        if not (result.changed or every_frame):
            return
        if json_out:
            typer.echo(json.dumps(result.to_json()))
        elif headless:
            at = f" at {result.video_time:.3f} s" if result.video_time is not None else ""
            typer.echo(
                f"{result.timestamp} frame {result.index}{at}: {_describe(result.reading)}  "
                f"smoothed: {result.smoothed or '-'}  {result.fps:.1f} FPS"
            )

    with open_source(source, width, height) as frames, contextlib.ExitStack() as sinks:
        shown = [] if headless else [sinks.enter_context(Preview(f"edge webcam - {frames.description}"))]
        if save is not None:
            shown.append(sinks.enter_context(VideoRecorder(save, frames.frame_rate or LIVE_RECORDING_FPS)))
        summary = run(
            digit_model, frames, settings, report, lambda: policy, FrameSinks(shown) if shown else None
        )
    if summary.stopped_by == "ended":
        if frames.live:
            raise EdgeError(
                f"{frames.description} stopped sending frames after {summary.frames} of them (disconnected?)"
            )
        if summary.frames == 0:
            raise EdgeError(f"{frames.description}: no frame could be read")
        typer.echo(f"end of {printable(frames.description)} after {summary.frames} frames", err=True)


@app.command(
    epilog=examples(
        "edge samples try/",
        "edge samples try/ --count 9 --frames-per-digit 30",
        "edge samples try/ --data mnist.npz --frames-per-digit 0",
    )
)
def samples(
    out: Annotated[Path, typer.Argument(help="Folder to write the photos and the video into.")],
    count: Annotated[int, typer.Option(min=1, help="How many digits to photograph.")] = 20,
    data: Annotated[
        str | None,
        typer.Option(
            help="A Keras mnist.npz whose test digits to photograph. Default: OpenCV-drawn digits.",
            show_default=False,
        ),
    ] = None,
    frames_per_digit: Annotated[
        int, typer.Option(min=0, help="Frames each digit stays in view in digits.avi (0: no video).")
    ] = 10,
    seed: Annotated[int, typer.Option(min=0, help="Random seed.")] = 0,
) -> None:
    """Write realistic test inputs: digits in ink on unevenly lit paper, as PNG/JPEG photos and a video."""
    rng = np.random.default_rng(seed)
    if data is None:
        labels = [int(d) for d in rng.integers(0, 10, count)]
        digits = [drawn_digit(d, rng) for d in labels]
    else:
        digits, labels = npz_test_digits(Path(data), count)
    photos, video = write_sample_set(out, digits, labels, rng, frames_per_digit)
    typer.echo(f"wrote {len(photos)} photos to {printable(out)} (named <index>-<true label>)")
    if video is not None:
        typer.echo(f"wrote {printable(video)} ({len(photos) * frames_per_digit} frames)")
