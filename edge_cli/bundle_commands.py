"""`edge bundle`: the deploy folder for a Raspberry Pi (runtime only, no TensorFlow)."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path, PurePosixPath
from typing import Annotated

import typer

from edge_runtime.bundle import DEFAULT_THREADS, build_bundle
from edge_runtime.cli.options import examples
from edge_runtime.interpreter import MAX_THREADS

app = typer.Typer()


@app.command(
    epilog=examples(
        "edge bundle models/model_int8.tflite --out pi-digits",
        "edge bundle models/model_int8.tflite --out pi --camera picamera --user pi",
        "edge bundle models/model_int8.tflite --out pi-digits --serve",
    )
)
def bundle(
    model: Annotated[
        Path, typer.Argument(help="The .tflite model to deploy (its .json manifest comes along).")
    ],
    out: Annotated[Path, typer.Option("--out", help="Bundle folder to create.")],
    camera: Annotated[
        str, typer.Option(help="The systemd unit's camera: 'picamera' (CSI) or a USB camera index.")
    ] = "0",
    threads: Annotated[
        int,
        typer.Option(min=1, max=MAX_THREADS, help=f"The unit's interpreter threads (1-{MAX_THREADS})."),
    ] = DEFAULT_THREADS,
    user: Annotated[
        str | None,
        typer.Option(
            help="The account the systemd unit runs as on the Pi. Default: yours (the user behind sudo); "
            "root only as --user root.",
            show_default=False,
        ),
    ] = None,
    install_dir: Annotated[
        str | None,
        typer.Option(
            help="Where the bundle will live on the Pi. Default: /home/USER/BUNDLE (root: /root/BUNDLE).",
            show_default=False,
        ),
    ] = None,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace an existing bundle folder.")
    ] = False,
    serve: Annotated[
        bool,
        typer.Option(
            "--serve",
            help="The systemd unit runs `edge serve` (live page and API on port 8080 of every network, "
            "with a random token in serve.env) instead of `edge webcam --headless`.",
        ),
    ] = False,
) -> None:
    """Write a self-contained folder to copy to a Raspberry Pi: model, runtime, requirements, launcher."""
    result = build_bundle(
        model,
        out,
        camera=camera,
        threads=threads,
        install_dir=PurePosixPath(install_dir) if install_dir else None,
        user=user,
        overwrite=overwrite,
        serve=serve,
    )
    typer.echo(f"bundle: {result.path}  ({len(result.files)} files, {result.size_bytes / 1024:.0f} KB)")
    # the bundle has no venv yet: here, this Python has everything its runtime needs
    launcher = shlex.join(
        [f"EDGE_PYTHON={sys.executable}", str(result.path / "edge"), "classify", "-m", str(result.model)]
    )
    typer.echo(f"try it here:   {launcher} IMAGE.png")
    typer.echo(f"on the Pi:     see {result.path / 'README.md'} (copy, make a venv, pip install, run)")
