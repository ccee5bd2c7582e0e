"""Arguments and options that several device commands share."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from edge_runtime.interpreter import MAX_THREADS, DigitModel
from edge_runtime.packaged import MODEL_ENV

DEFAULT_MIN_CONFIDENCE = 0.7


def examples(*commands: str) -> str:
    """A command's `--help` epilog: "Examples:" and the commands, one a line (Click leaves a paragraph
    that starts with \\b unwrapped)."""
    return "\b\nExamples:\n" + "\n".join(f"  {command}" for command in commands)


VerifyOption = Annotated[
    bool,
    typer.Option(
        help="Check the model against the size and sha256 its manifest records, if it has one "
        "(--no-verify: load it even when they differ).",
    ),
]
AllowFailedOption = Annotated[
    bool,
    typer.Option(
        "--allow-failed", help="Load a model whose manifest says its export failed the accuracy gate."
    ),
]

ModelOption = Annotated[
    Path,
    typer.Option(
        "--model",
        "-m",
        envvar=MODEL_ENV,
        help="A .tflite model from `edge export` (any quantization mode), or set $EDGE_MODEL. "
        "Default: the model that ships in the package.",
        show_default=False,
        show_envvar=False,
    ),
]
TopKOption = Annotated[
    int, typer.Option("--top-k", min=1, max=10, help="How many candidates to show per digit.")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object per line.")]
MinConfidenceOption = Annotated[
    float,
    typer.Option(
        min=0.0,
        max=1.0,
        help="Mark accepted digits whose confidence (top probability) is below this as unsure. "
        "Regions below the model's acceptance threshold (from its manifest) are rejected, never read.",
    ),
]
InkThresholdOption = Annotated[
    int | None,
    typer.Option(
        "--ink-threshold",
        "--threshold",
        min=1,
        max=255,
        help="How much darker than the paper (0-255, 255 = black) ink must be to count. Default: Otsu's.",
        show_default=False,
    ),
]
ThreadsOption = Annotated[
    int | None,
    typer.Option(
        min=1,
        max=MAX_THREADS,
        help=f"Interpreter threads, 1-{MAX_THREADS} (default: the runtime's choice).",
        show_default=False,
    ),
]
DEFAULT_SOURCE = "0"  # the first camera
SourceOption = Annotated[
    str,
    typer.Option(help="Camera index (0), device (/dev/video0), video file, stream URL, or 'picamera' (Pi)."),
]
WidthOption = Annotated[
    int | None, typer.Option(min=1, help="Ask the camera for this frame width.", show_default=False)
]
HeightOption = Annotated[
    int | None, typer.Option(min=1, help="Ask the camera for this frame height.", show_default=False)
]


def load_model(model: Path, threads: int | None, verify: bool, allow_failed: bool) -> DigitModel:
    """The digit model the shared options name: --model, --threads, --verify, --allow-failed."""
    return DigitModel(model, threads, verify=verify, allow_failed=allow_failed)


def parse_roi(text: str | None) -> tuple[int, int, int, int] | None:
    """`--roi x,y,w,h` as four integers (None when not given); a usage error otherwise."""
    if text is None:
        return None
    try:
        x, y, w, h = (int(v) for v in text.split(","))
    except ValueError:
        raise typer.BadParameter("expected four integers x,y,width,height", param_hint="--roi") from None
    if x < 0 or y < 0 or w <= 0 or h <= 0:
        raise typer.BadParameter("x and y must be >= 0, width and height > 0", param_hint="--roi")
    return (x, y, w, h)
