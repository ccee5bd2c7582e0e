"""The HTTP side of `edge serve` (Starlette): the page, the API, the streams and the metrics.

Every answer but the page's files, `/healthz` and a stream is JSON; every error is `{"error": "..."}`
with a 4xx (or 503) status. With a token, everything under `/api/` and `/metrics` needs it, as
`Authorization: Bearer TOKEN` or, for the browser's `<img>` and `EventSource`, `?token=TOKEN`.
"""

from __future__ import annotations

import asyncio
import hmac
import importlib.metadata
import json
import platform
import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import anyio
from starlette.applications import Starlette
from starlette.authentication import AuthCredentials, AuthenticationBackend, SimpleUser, requires
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.requests import HTTPConnection, Request
from starlette.responses import FileResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

import ground
from edge_runtime.serve.loop import LiveFeed, reading_json
from edge_runtime.serve.metrics import CONTENT_TYPE, ServeMetrics
from edge_runtime.serve.uploads import UploadReader
from edge_runtime.webcam import FrameResult, local_now
from ground.errors import EdgeError, printable

STATIC = Path(__file__).parent / "static"
BODY_TIMEOUT_S = 10.0  # an upload must arrive within this (a client trickling bytes is cut off)
QUEUE_TIMEOUT_S = 10.0  # an upload waits at most this long for the reader, then 503
STALE_FRAME_S = 5.0  # /healthz fails when the newest frame is older than this
KEEPALIVE_S = 15.0  # an idle event stream gets a comment line this often
FRAME_EVENT_S = 0.5  # /api/events?frames=1 sends the newest frame's reading this often
WAKE_S = 1.0  # streams look at least this often whether the server is stopping
MAX_REQUESTS = 200  # requests served at once, streams included; past it 503, but for /healthz
SETTINGS_BYTES = 1024
MAX_TOP_K = 10
UPLOAD_FIELD = "file"  # the form field of a multipart upload (curl -F file=@photo.jpg)
BOUNDARY = "frame"
VERSIONED = ("numpy", "opencv-python-headless", "opencv-python", "ai-edge-litert", "starlette", "uvicorn")
AUTHENTICATED = "authenticated"


@dataclass
class Context:
    """What the routes share: the camera feed, the upload reader, the metrics and the token."""

    feed: LiveFeed
    uploads: UploadReader
    metrics: ServeMetrics
    token: str | None
    default_accept: float  # the digit model's acceptance probability as exported


class TokenBackend(AuthenticationBackend):
    """Authenticated: every request when there is no token, else those carrying it (header or query)."""

    def __init__(self, token: str | None) -> None:
        self.token = token

    async def authenticate(self, conn: HTTPConnection):
        given = conn.query_params.get("token")
        scheme, _, credentials = conn.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer":
            given = credentials.strip()
        if self.token is None or (given and hmac.compare_digest(given.encode(), self.token.encode())):
            return AuthCredentials([AUTHENTICATED]), SimpleUser("client")
        return None


class Pulse:
    """Wakes every waiting client at once; fired from the camera thread through the event loop."""

    def __init__(self) -> None:
        self.event = asyncio.Event()

    def fire(self) -> None:
        """Wake the waiters (event loop thread only)."""
        self.event.set()
        self.event = asyncio.Event()


def error(status: int, message: str) -> JSONResponse:
    """An error answer: `{"error": message}`."""
    return JSONResponse({"error": message}, status_code=status)


class RequestLimit:
    """ASGI middleware: at most `limit` requests served at once (streams included); past it 503, except
    for the paths in `always` (a health check answers however busy the server is)."""

    def __init__(self, app: ASGIApp, limit: int, always: frozenset[str]) -> None:
        self.app, self.limit, self.always = app, limit, always
        self.active = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self.always:
            await self.app(scope, receive, send)
        elif self.active >= self.limit:
            await error(503, f"busy: {self.limit} requests at once, try again")(scope, receive, send)
        else:
            self.active += 1
            try:
                await self.app(scope, receive, send)
            finally:
                self.active -= 1


def build_app(context: Context) -> Starlette:
    """The Starlette application of `edge serve`."""
    frames, changes = Pulse(), Pulse()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        loop = asyncio.get_running_loop()

        def wake(result) -> None:
            loop.call_soon_threadsafe(frames.fire)
            if result.changed:
                loop.call_soon_threadsafe(changes.fire)

        context.feed.listeners.append(wake)
        yield
        context.feed.listeners.remove(wake)

    routes = [
        Route("/", lambda request: FileResponse(STATIC / "index.html")),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
        Route("/healthz", _healthz(context)),
        Route("/metrics", _metrics(context)),
        Route("/api/info", _info(context)),
        Route("/api/reading", _reading(context)),
        Route("/api/frame.jpg", _frame(context)),
        Route("/api/stream.mjpg", _mjpeg(context, frames)),
        Route("/api/events", _events(context, changes, frames)),
        Route("/api/classify", _classify(context), methods=["POST"]),
        Route("/api/settings", _settings(context), methods=["GET", "PUT"]),
    ]
    return Starlette(
        routes=routes,
        middleware=[
            Middleware(RequestLimit, limit=MAX_REQUESTS, always=frozenset({"/healthz"})),
            Middleware(AuthenticationMiddleware, backend=TokenBackend(context.token)),
        ],
        exception_handlers={HTTPException: _http_error, Exception: _server_error(context)},
        lifespan=lifespan,
    )


async def _http_error(request: Request, exc: HTTPException) -> JSONResponse:
    message = {401: "missing or wrong token (Authorization: Bearer TOKEN, or ?token=TOKEN)"}
    headers = {"WWW-Authenticate": "Bearer"} if exc.status_code == 401 else None
    return JSONResponse(
        {"error": message.get(exc.status_code, exc.detail)}, status_code=exc.status_code, headers=headers
    )


def _server_error(context: Context):
    async def handler(request: Request, exc: Exception) -> JSONResponse:
        context.metrics.errors.labels("server").inc()
        return error(500, f"internal error: {type(exc).__name__}")

    return handler


def _healthz(context: Context):
    async def healthz(request: Request) -> JSONResponse:
        """200 while the camera loop runs and its newest frame is fresh, else 503 saying why."""
        feed, latest = context.feed, context.feed.latest
        age = None if latest is None else (local_now() - latest.result.time).total_seconds()
        problem = (
            feed.error
            or (not feed.running and "camera loop stopped")
            or (latest is None and "no frame yet")
            or (age > STALE_FRAME_S and f"newest frame is {age:.1f} s old")
        )
        body = {"status": "failing" if problem else "ok", "problem": problem or None}
        return JSONResponse(body | {"frames": latest.result.index if latest else 0}, 503 if problem else 200)

    return healthz


def _metrics(context: Context):
    @requires(AUTHENTICATED, status_code=401)
    async def metrics(request: Request) -> Response:
        return Response(context.metrics.text(), media_type=CONTENT_TYPE)

    return metrics


def _versions() -> dict[str, str]:
    found = {"edge-digits": ground.__version__, "python": platform.python_version()}
    for name in VERSIONED:
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return found


def _info(context: Context):
    @requires(AUTHENTICATED, status_code=401)
    async def info(request: Request) -> JSONResponse:
        model, feed = context.feed.model, context.feed
        return JSONResponse(
            {
                "model": {
                    "file": printable(model.path.name),
                    "labels": model.labels,
                    "verdict": model.file.verdict,
                    "input": {"shape": list(model.input_shape), "dtype": str(model.input_dtype)},
                    "manifest": model.manifest,
                },
                "source": feed.description,
                "settings": _settings_json(context),
                "versions": _versions(),
            }
        )

    return info


def _reading(context: Context):
    @requires(AUTHENTICATED, status_code=401)
    async def reading(request: Request) -> JSONResponse:
        latest = context.feed.latest
        if latest is None:
            return error(503, "no frame yet")
        return JSONResponse(reading_json(latest.result))

    return reading


def _frame(context: Context):
    @requires(AUTHENTICATED, status_code=401)
    async def frame(request: Request) -> Response:
        latest = context.feed.latest
        if latest is None:
            return error(503, "no frame yet")
        return Response(await anyio.to_thread.run_sync(latest.jpeg), media_type="image/jpeg")

    return frame


def _mjpeg(context: Context, frames: Pulse):
    @requires(AUTHENTICATED, status_code=401)
    async def stream(request: Request) -> StreamingResponse:
        """The annotated frames as MJPEG: each client gets the newest frame when it is ready for one."""

        async def parts() -> AsyncIterator[bytes]:
            sent = None
            with _client(context, "mjpeg"):
                while context.feed.running:
                    wakeup, latest = frames.event, context.feed.latest
                    if latest is None or latest is sent:
                        with anyio.move_on_after(WAKE_S):
                            await wakeup.wait()
                        continue
                    sent, jpeg = latest, await anyio.to_thread.run_sync(latest.jpeg)
                    head = f"--{BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: {len(jpeg)}\r\n\r\n"
                    yield head.encode() + jpeg + b"\r\n"

        return StreamingResponse(
            parts(),
            media_type=f"multipart/x-mixed-replace; boundary={BOUNDARY}",
            headers={"Cache-Control": "no-store"},
        )

    return stream


def _events(context: Context, changes: Pulse, frames: Pulse):
    @requires(AUTHENTICATED, status_code=401)
    async def events(request: Request) -> StreamingResponse:
        """Server-Sent Events: `reading` (the JSON of /api/reading) at each change of the smoothed
        reading, starting with the current one; with `?frames=1`, also `frame`, the newest frame's,
        every `FRAME_EVENT_S`. A client too slow for them gets the newest, not a queue."""
        with_frames = _flag(request, "frames")
        pulse = frames if with_frames else changes  # a frame pulse fires at changes too

        async def lines() -> AsyncIterator[str]:
            sent_change = sent_frame = None
            last_write = frame_due = time.monotonic()
            yield "retry: 2000\n\n"
            with _client(context, "events"):
                while context.feed.running:
                    wakeup, change, now = pulse.event, context.feed.last_change, time.monotonic()
                    latest = context.feed.latest.result if context.feed.latest else None
                    if change is not None and change is not sent_change:
                        sent_change, last_write = change, now
                        yield _event("reading", change, f"id: {change.index}\n")
                    elif with_frames and latest is not None and latest is not sent_frame and now >= frame_due:
                        sent_frame, last_write, frame_due = latest, now, now + FRAME_EVENT_S
                        yield _event("frame", latest)
                    elif now - last_write >= KEEPALIVE_S:
                        last_write = now
                        yield ": keep-alive\n\n"
                    else:
                        with anyio.move_on_after(WAKE_S):
                            await wakeup.wait()

        return StreamingResponse(
            lines(), media_type="text/event-stream", headers={"Cache-Control": "no-store"}
        )

    return events


def _event(name: str, result: FrameResult, head: str = "") -> str:
    """One Server-Sent Event: `name`, the JSON of `result` as /api/reading has it."""
    return f"{head}event: {name}\ndata: {json.dumps(reading_json(result))}\n\n"


class _client:
    """Counts a stream's client in the `edge_clients` gauge while it is connected."""

    def __init__(self, context: Context, stream: str) -> None:
        self.gauge = context.metrics.clients.labels(stream)

    def __enter__(self) -> None:
        self.gauge.inc()

    def __exit__(self, *exc_info: object) -> None:
        self.gauge.dec()


async def _capped_body(request: Request, limit: int) -> bytes:
    """The request body, refused (413) past `limit` bytes before it is all read, 408 when too slow."""
    declared = _integer(request.headers.get("content-length", ""))
    if declared is not None and declared > limit:
        raise HTTPException(413, f"upload of {declared:,} bytes is past the limit of {limit:,}")
    chunks, size = [], 0
    try:
        with anyio.fail_after(BODY_TIMEOUT_S):
            async for chunk in request.stream():
                size += len(chunk)
                if size > limit:
                    raise HTTPException(413, f"upload past the limit of {limit:,} bytes")
                chunks.append(chunk)
    except TimeoutError:
        raise HTTPException(408, f"upload not received within {BODY_TIMEOUT_S:.0f} s") from None
    return b"".join(chunks)


async def _uploaded_image(request: Request, limit: int) -> bytes:
    """The image file posted: the body itself, or the `file` field of a multipart form (what a browser's
    form and `curl -F file=@photo.jpg` send); the limit counts the whole body either way."""
    body = await _capped_body(request, limit)
    media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media_type != "multipart/form-data":
        return body

    async def replay() -> dict:
        return {"type": "http.request", "body": body, "more_body": False}

    async with Request(request.scope, replay).form(max_files=1, max_fields=10) as form:
        upload = form.get(UPLOAD_FIELD)
        if not isinstance(upload, UploadFile):
            raise HTTPException(
                400, f"the form has no file field {UPLOAD_FIELD!r} (curl -F {UPLOAD_FIELD}=@photo.jpg)"
            )
        return await upload.read()


def _integer(text: str) -> int | None:
    """`text` as a number when it is 1 to 18 ASCII digits (int() also takes '²', '①', '٣', ' 3', '1_0')."""
    return int(text) if re.fullmatch(r"[0-9]{1,18}", text) else None


def _query_integer(request: Request, name: str, default: int, low: int, high: int) -> int:
    """The query parameter `name` as an integer from `low` to `high`, else 400."""
    text = request.query_params.get(name, str(default))
    number = _integer(text)
    if number is None or not low <= number <= high:
        raise HTTPException(400, f"{name} must be an integer from {low} to {high}, not {text[:20]!r}")
    return number


def _flag(request: Request, name: str) -> bool:
    """The query parameter `name`: 1 (true) or 0 (false, also when absent), else 400."""
    text = request.query_params.get(name, "0")
    if text not in ("0", "1"):
        raise HTTPException(400, f"{name} must be 0 or 1, not {text[:20]!r}")
    return text == "1"


def _classify(context: Context):
    @requires(AUTHENTICATED, status_code=401)
    async def classify(request: Request) -> JSONResponse:
        """Read the digits of the posted image (PNG, JPEG, BMP, TIFF, WebP; `_uploaded_image`)."""
        uploads, metrics = context.uploads, context.metrics
        try:
            top_k = _query_integer(request, "top_k", 3, 1, MAX_TOP_K)
            inputs, annotated = _flag(request, "inputs"), _flag(request, "annotated")
            data = await _uploaded_image(request, uploads.limits.max_bytes)
            with metrics.upload_seconds.time(), anyio.move_on_after(QUEUE_TIMEOUT_S) as waited:
                upload = await anyio.to_thread.run_sync(uploads.read, data, top_k)
            if waited.cancelled_caught:
                raise HTTPException(503, "busy: too many uploads waiting, try again")
        except HTTPException as exc:
            metrics.uploads.labels(str(exc.status_code)).inc()
            metrics.errors.labels("upload").inc()
            raise
        except EdgeError as exc:
            metrics.uploads.labels("400").inc()
            metrics.errors.labels("upload").inc()
            return error(400, printable(exc))
        metrics.uploads.labels("200").inc()
        return JSONResponse(await anyio.to_thread.run_sync(upload.to_json, inputs, annotated))

    return classify


def _settings_json(context: Context) -> dict:
    return {
        "accept_threshold": round(context.feed.policy.accept.digit, 4),
        "default_accept_threshold": round(context.default_accept, 4),
    }


def _settings(context: Context):
    @requires(AUTHENTICATED, status_code=401)
    async def settings(request: Request) -> JSONResponse:
        """GET: the settings; PUT `{"accept_threshold": 0-1}`: change the digit model's acceptance
        probability for the camera loop and uploads while it runs (until the server restarts): both
        swap to a new reading policy."""
        if request.method == "PUT":
            try:
                body = json.loads(await _capped_body(request, SETTINGS_BYTES))
                threshold = body["accept_threshold"]
            except (ValueError, KeyError, TypeError):
                return error(400, 'expected a JSON object {"accept_threshold": NUMBER}')
            number = isinstance(threshold, int | float) and not isinstance(threshold, bool)
            if not number or not 0 <= threshold <= 1:
                return error(400, f"accept_threshold must be a number from 0 to 1, not {threshold!r}")
            context.feed.policy = context.uploads.policy = context.feed.policy.with_digit_accept(
                float(threshold)
            )
        return JSONResponse(_settings_json(context))

    return settings
