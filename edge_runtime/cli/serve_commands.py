"""`edge serve`: a live page, an HTTP API and MQTT for a camera on a headless device."""

from __future__ import annotations

from typing import Annotated

import typer

from edge_runtime.cli.options import (
    DEFAULT_MIN_CONFIDENCE,
    DEFAULT_SOURCE,
    AllowFailedOption,
    HeightOption,
    MinConfidenceOption,
    ModelOption,
    SourceOption,
    ThreadsOption,
    VerifyOption,
    WidthOption,
    examples,
    load_model,
)
from edge_runtime.packaged import PACKAGED_MODEL
from edge_runtime.reading import ReadingPolicy
from edge_runtime.serve.loop import LiveFeed, open_live
from edge_runtime.serve.mqtt import DEFAULT_TOPIC
from edge_runtime.serve.uploads import UploadLimits, UploadReader
from edge_runtime.webcam import LiveSettings
from ground.errors import printable

app = typer.Typer()

TOKEN_ENV = "EDGE_TOKEN"
DEFAULT_MAX_UPLOAD_BYTES = 10 * 2**20
DEFAULT_MAX_UPLOAD_PIXELS = 16_000_000


@app.command(
    epilog=examples(
        "edge serve --source 0",
        'edge serve --source picamera --host 0.0.0.0 --token "$EDGE_TOKEN"',
        "edge serve --source clip.mp4 --port 0 --mqtt localhost",
    )
)
def serve(
    source: SourceOption = DEFAULT_SOURCE,
    host: Annotated[
        str, typer.Option(help="Address to listen on; 0.0.0.0 for every network (then set a token).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port to listen on (0: any free port).")] = 8080,
    token: Annotated[
        str | None,
        typer.Option(
            envvar=TOKEN_ENV,
            help=f"Require this token for the API, streams and metrics (or set {TOKEN_ENV}).",
            show_default=False,
            show_envvar=False,
        ),
    ] = None,
    mqtt: Annotated[
        str | None,
        typer.Option(
            help="Publish each reading change to this MQTT broker, HOST or HOST:PORT (needs the mqtt extra).",
            show_default=False,
        ),
    ] = None,
    topic: Annotated[str, typer.Option(help="MQTT base topic (state, availability below it).")] = (
        DEFAULT_TOPIC
    ),
    smooth: Annotated[int, typer.Option(min=1, help="Smooth the reading over the last N frames.")] = 5,
    min_confidence: MinConfidenceOption = DEFAULT_MIN_CONFIDENCE,
    width: WidthOption = None,
    height: HeightOption = None,
    max_upload_bytes: Annotated[
        int, typer.Option(min=1, help="Refuse uploads larger than this many bytes (413).")
    ] = DEFAULT_MAX_UPLOAD_BYTES,
    max_pixels: Annotated[
        int, typer.Option(min=1, help="Refuse uploads whose header declares more pixels than this (400).")
    ] = DEFAULT_MAX_UPLOAD_PIXELS,
    threads: ThreadsOption = None,
    model: ModelOption = PACKAGED_MODEL,
    verify: VerifyOption = True,
    allow_failed: AllowFailedOption = False,
) -> None:
    """Serve a live page, an HTTP API and (optionally) MQTT: one camera loop, any number of clients.

    The page (/) shows the annotated camera image, the reading, FPS and time per frame, the changes,
    a threshold slider, a canvas to draw a digit on and an image upload; see the README for the API.
    A video file --source is replayed at its frame rate, over and over.
    Ctrl-C or SIGTERM stops it and releases the camera.
    """
    from edge_runtime.serve import server  # Starlette and uvicorn load for this command only

    if token is not None and not token.strip():
        raise typer.BadParameter("the token must not be empty", param_hint="--token")
    options = server.ServeOptions(host, port, token, mqtt, topic)
    # two interpreters: the camera thread and the uploads each read with their own
    camera_model, upload_model = (load_model(model, threads, verify, allow_failed) for _ in range(2))
    policy = ReadingPolicy.for_model(camera_model).with_options(unsure_below=min_confidence)
    uploads = UploadReader(upload_model, UploadLimits(max_upload_bytes, max_pixels), policy)
    settings = LiveSettings(smooth=smooth)
    if token is None and not server.is_loopback(host):
        typer.echo(f"warning: anyone who reaches {host}:{port} can use the API: set --token", err=True)
    feed = LiveFeed(camera_model, open_live(source, width, height), settings, policy)

    description = printable(feed.description)

    def announce(urls: list[str]) -> None:
        typer.echo(f"serving {urls[0]} ({description})")
        for url in urls[1:]:
            typer.echo(f"also at {url}")

    server.serve(feed, uploads, options, announce)
