"""`edge serve` over real HTTP: a server on 127.0.0.1 started by the test on a video, every endpoint, the
token, 20 hostile uploads each answered 4xx while the server keeps serving, query parameters parsed
strictly, form uploads, and idle and slowloris sockets that neither lock it out nor stay open."""

from __future__ import annotations

import base64
import http.client
import json
import socket
import struct
import threading
import time
import zlib
from urllib.parse import quote, urlparse

import anyio
import cv2
import numpy as np
import pytest
from prometheus_client.parser import text_string_to_metric_families
from starlette.responses import PlainTextResponse
from typer.testing import CliRunner

from edge_runtime.cli import app as device_app
from edge_runtime.samples import drawn_digit, paper_photo, write_image
from edge_runtime.serve.addresses import listening_urls
from edge_runtime.serve.app import RequestLimit
from edge_runtime.serve.mqtt import parse_broker
from edge_runtime.serve.protocol import HEADER_TIMEOUT_S, MAX_PER_CLIENT
from edge_runtime.serve.server import listen
from edge_runtime.serve.uploads import ANNOTATED_SIDE
from ground.errors import EdgeError
from tests.serve_process import MODEL, SocketFlood, digit_video, edge_serve, request

TOKEN = "t0ken-for-tests"
VIDEO_DIGIT = 4
MAX_UPLOAD = 300_000
PROTECTED = ["api/info", "api/reading", "api/frame.jpg", "api/settings", "metrics"]


@pytest.fixture(scope="module")
def photo(tmp_path_factory):
    rng = np.random.default_rng(3)
    folder = tmp_path_factory.mktemp("serve_photo")
    return write_image(folder / "photo.jpg", paper_photo([drawn_digit(3, rng), drawn_digit(8, rng)], rng))


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    video = digit_video(tmp_path_factory.mktemp("serve_video") / "clip.avi", [VIDEO_DIGIT])
    args = ["-m", str(MODEL), "--source", str(video), "--token", TOKEN, "--max-upload-bytes", str(MAX_UPLOAD)]
    with edge_serve(*args) as served:
        yield served


def post(
    server, data: bytes, query: str = "", token: str | None = TOKEN, headers: dict | None = None
) -> tuple[int, dict]:
    url = server.url + "api/classify" + query
    status, _, body = request(url, data=data, token=token, method="POST", headers=headers)
    return status, json.loads(body)


def form(files: dict[str, bytes], boundary: str = "edge-test-boundary") -> tuple[bytes, dict]:
    """A multipart/form-data body with a file part per field (what `curl -F field=@x.jpg` sends), and
    its Content-Type header."""
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{name}.jpg"\r\n'
        f"Content-Type: image/jpeg\r\n\r\n".encode()
        + data
        + b"\r\n"
        for name, data in files.items()
    ]
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    return body, {"Content-Type": f"multipart/form-data; boundary={boundary}"}


def test_the_page_and_its_files_need_no_token(server):
    status, headers, body = server.get("")
    assert status == 200 and b"<canvas" in body and "text/html" in headers["content-type"]
    for name in ("app.js", "style.css"):
        assert server.get(f"static/{name}")[0] == 200
    assert b"http" not in server.get("static/app.js")[2].replace(b"HTTP ${", b"")  # nothing from elsewhere


@pytest.mark.parametrize("path", PROTECTED)
def test_the_api_needs_the_token(server, path):
    status, headers, body = server.get(path)
    assert status == 401 and "token" in json.loads(body)["error"] and headers["www-authenticate"] == "Bearer"
    assert server.get(path, token="wrong")[0] == 401
    assert server.get(f"{path}?token=wrong")[0] == 401
    assert server.get(path, token=TOKEN)[0] == 200
    assert server.get(f"{path}?token={TOKEN}")[0] == 200
    assert post(server, b"x", token=None)[0] == 401


def test_healthz_is_open_and_says_ok(server):
    health = server.json("healthz")
    assert health["status"] == "ok" and health["problem"] is None and health["frames"] > 0


def test_info_names_the_model_its_manifest_and_the_versions(server):
    info = server.json("api/info", TOKEN)
    assert info["model"]["file"] == MODEL.name and info["model"]["verdict"] == "verified"
    assert (
        info["model"]["labels"] == [str(d) for d in range(10)] and info["model"]["manifest"]["mode"] == "int8"
    )
    assert info["source"].startswith("video ")
    assert {"edge-digits", "python", "numpy", "ai-edge-litert", "starlette", "uvicorn"} <= set(
        info["versions"]
    )
    assert 0 < info["settings"]["accept_threshold"] == info["settings"]["default_accept_threshold"] < 1


def test_reading_is_the_video_digit_and_moves_on(server):
    deadline = time.monotonic() + 10
    while (first := server.json("api/reading", TOKEN))["fps"] == 0 and time.monotonic() < deadline:
        time.sleep(0.1)  # the first frame has no frame rate yet
    assert first["smoothed"] == first["number"] == str(VIDEO_DIGIT)
    assert first["fps"] > 0 and first["read_ms"] > 0 and first["time"]
    assert first["digits"][0]["top_k"][0][0] == str(VIDEO_DIGIT)
    later = server.json("api/reading", TOKEN)
    assert later["frame"] >= first["frame"]


def test_frame_jpg_is_the_annotated_frame(server):
    status, headers, body = server.get("api/frame.jpg", TOKEN)
    assert status == 200 and headers["content-type"] == "image/jpeg"
    assert cv2.imdecode(np.frombuffer(body, np.uint8), cv2.IMREAD_COLOR).shape == (480, 640, 3)


def test_mjpeg_stream_sends_new_frames(server):
    url = urlparse(server.url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    connection.request("GET", f"/api/stream.mjpg?token={TOKEN}")
    response = connection.getresponse()
    assert response.status == 200 and "multipart/x-mixed-replace" in response.getheader("content-type")
    frames = []
    for _ in range(2):
        assert response.readline() == b"--frame\r\n"
        headers = dict(response.readline().decode().strip().split(": ", 1) for _ in range(2))
        assert response.readline() == b"\r\n"
        frames.append(response.read(int(headers["Content-Length"])))
        assert response.readline() == b"\r\n"
    connection.close()
    assert frames[0] != frames[1] and all(f.startswith(b"\xff\xd8") for f in frames)


def test_events_stream_starts_with_the_current_reading(server):
    url = urlparse(server.url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    connection.request("GET", "/api/events", headers={"Authorization": f"Bearer {TOKEN}"})
    response = connection.getresponse()
    assert response.status == 200 and response.getheader("content-type").startswith("text/event-stream")
    lines = []
    while not lines or lines[-1] != "":
        line = response.readline().decode().rstrip("\n")
        if line.startswith(("id:", "event:", "data:")) or (lines and line == ""):
            lines.append(line)
    connection.close()
    fields = dict(line.split(": ", 1) for line in lines[:-1])
    reading = json.loads(fields["data"])
    assert fields["event"] == "reading" and int(fields["id"]) == reading["frame"]
    assert reading["smoothed"] == str(VIDEO_DIGIT)


def test_classify_answers_as_edge_classify_does(server, photo):
    status, reading = post(server, photo.read_bytes())
    result = CliRunner().invoke(device_app, ["classify", "-m", str(MODEL), str(photo), "--json"])
    expected = json.loads(result.stdout)
    del expected["path"]
    assert status == 200 and reading == expected and reading["number"] == "38"


def test_classify_with_inputs_returns_each_region_as_the_model_saw_it(server, photo):
    status, reading = post(server, photo.read_bytes(), "?top_k=10&inputs=1")
    assert status == 200 and len(reading["digits"][0]["top_k"]) == 10
    png = base64.b64decode(reading["digits"][0]["input_png"].removeprefix("data:image/png;base64,"))
    assert cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_UNCHANGED).shape == (28, 28)


def test_the_threshold_changes_while_it_runs(server, photo):
    url = server.url + "api/settings"
    default = server.json("api/settings", TOKEN)["default_accept_threshold"]

    def put(body) -> tuple[int, dict, bytes]:
        return request(url, json.dumps(body).encode(), TOKEN, "PUT")

    status, _, body = put({"accept_threshold": 1.0})
    assert status == 200 and json.loads(body)["accept_threshold"] == 1.0
    assert post(server, photo.read_bytes())[1]["number"] is None  # nothing reaches 100%
    for bad in ({"accept_threshold": 2}, {"accept_threshold": "high"}, {"accept_threshold": True}, {}, []):
        assert put(bad)[0] == 400
    assert request(url, b"{not json", TOKEN, "PUT")[0] == 400
    put({"accept_threshold": default})
    assert post(server, photo.read_bytes())[1]["number"] == "38"


def test_metrics_in_the_prometheus_format(server, photo):
    post(server, photo.read_bytes())
    status, headers, body = server.get("metrics", TOKEN)
    assert status == 200 and headers["content-type"].startswith("text/plain")
    families = {f.name: f for f in text_string_to_metric_families(body.decode())}
    expected = {
        "edge_frames",
        "edge_read_seconds",
        "edge_reading_changes",
        "edge_rejected_regions",
        "edge_fps",
    }
    assert expected | {
        "edge_classify_requests",
        "edge_classify_seconds",
        "edge_errors",
        "edge_clients",
    } <= set(families)
    frames = next(s.value for s in families["edge_frames"].samples if s.name == "edge_frames_total")
    assert frames > 0


def _png(width: int, height: int, body: bytes = b"") -> bytes:
    """A PNG whose header declares `width` x `height` (the data need not match)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + body + chunk(b"IEND", b"")


def hostile_uploads() -> dict[str, bytes]:
    """Twenty uploads no server should choke on."""
    rng = np.random.default_rng(0)
    good_png = cv2.imencode(".png", np.full((64, 64), 255, np.uint8))[1].tobytes()
    good_jpeg = cv2.imencode(".jpg", np.full((64, 64, 3), 255, np.uint8))[1].tobytes()
    jpeg_bomb = (
        b"\xff\xd8\xff\xc0\x00\x11\x08" + struct.pack(">HH", 65000, 65000) + b"\x03" + bytes(9) + b"\xff\xd9"
    )
    tiff_bomb = b"II*\x00\x08\x00\x00\x00\x02\x00" + struct.pack("<HHII", 256, 4, 1, 60000)
    tiff_bomb += struct.pack("<HHII", 257, 4, 1, 60000) + bytes(8)
    return {
        "empty": b"",
        "text": b"hello, this is not an image",
        "random bytes": rng.integers(0, 256, 5000, dtype=np.uint8).tobytes(),
        "html": b"<html><body><img src=x onerror=alert(1)></body></html>",
        "zip": b"PK\x03\x04" + bytes(100),
        "gif": b"GIF89a\x01\x00\x01\x00\x00\x00\x00;",
        "png signature only": good_png[:8],
        "truncated png": good_png[: len(good_png) // 2],
        "truncated jpeg": good_jpeg[: len(good_jpeg) // 2],
        "jpeg without frame": b"\xff\xd8\xff\xd9",
        "png pixel bomb": _png(100_000, 100_000, zlib.compress(bytes(1000))),
        "png of 0x0 pixels": _png(0, 0),
        "jpeg pixel bomb": jpeg_bomb,
        "tiff pixel bomb": tiff_bomb,
        "truncated bmp": b"BM"
        + struct.pack("<I", 10_000)
        + bytes(8)
        + struct.pack("<Iii", 40, 50, 50)
        + bytes(20),
        "truncated webp": b"RIFF" + struct.pack("<I", 10_000) + b"WEBPVP8 " + bytes(20),
        "16-bit png": cv2.imencode(".png", np.full((32, 32), 40000, np.uint16))[1].tobytes(),
        "png with alpha": cv2.imencode(".png", np.zeros((32, 32, 4), np.uint8))[1].tobytes(),
        "too many bytes": bytes(MAX_UPLOAD + 1),
        "png with garbage pixels": _png(64, 64, b"\x00\x00\x00\x04IDATjunk\x00\x00\x00\x00"),
    }


def test_twenty_hostile_uploads_get_4xx_and_the_server_keeps_serving(server, photo):
    uploads = hostile_uploads()
    assert len(uploads) == 20
    for name, data in uploads.items():
        status, body = post(server, data)
        assert 400 <= status < 500 and body["error"], (name, status, body)
    assert post(server, photo.read_bytes(), "?top_k=99")[0] == 400
    assert server.json("healthz")["status"] == "ok"
    assert post(server, photo.read_bytes())[1]["number"] == "38"


def test_a_huge_declared_upload_is_refused_before_it_is_sent(server):
    url = urlparse(server.url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    connection.putrequest("POST", "/api/classify")
    connection.putheader("Authorization", f"Bearer {TOKEN}")
    connection.putheader("Content-Length", str(10**10))
    connection.endheaders()
    response = connection.getresponse()
    assert response.status == 413 and "limit" in json.loads(response.read())["error"]
    connection.close()


def test_unknown_paths_and_methods_are_json_errors(server):
    status, _, body = server.get("api/nothing", TOKEN)
    assert status == 404 and json.loads(body)["error"]
    status, _, body = server.get("api/classify", TOKEN)
    assert status == 405 and json.loads(body)["error"]


@pytest.mark.parametrize(
    "query",
    [
        "top_k=²",
        "top_k=①",
        "top_k=٣",  # an Arabic-Indic 3: int() takes it
        "top_k=+3",
        "top_k= 3",
        "top_k=1_0",
        "top_k=0",
        "top_k=11",
        "top_k=" + "9" * 5000,  # past int()'s 4300 digits
        "inputs=yes",
        "annotated=2",
    ],
)
def test_query_parameters_are_parsed_strictly(server, photo, query):
    name, _, value = query.partition("=")
    status, body = post(server, photo.read_bytes(), f"?{name}={quote(value)}")
    assert status == 400 and body["error"].startswith(f"{name} must be "), body
    assert "Traceback" not in server.stderr


def test_a_form_upload_reads_as_the_raw_file(server, photo):
    raw = post(server, photo.read_bytes())
    body, headers = form({"file": photo.read_bytes()})
    assert post(server, body, headers=headers) == raw and raw[0] == 200 and raw[1]["number"] == "38"
    body, headers = form({"picture": photo.read_bytes()})
    status, answer = post(server, body, headers=headers)
    assert status == 400 and "'file'" in answer["error"]
    body, headers = form({"file": photo.read_bytes(), "second": photo.read_bytes()})
    assert post(server, body, headers=headers)[0] == 400  # one file per upload
    no_boundary = {"Content-Type": "multipart/form-data"}
    assert post(server, form({"file": photo.read_bytes()})[0], headers=no_boundary)[0] == 400
    body, headers = form({"file": bytes(MAX_UPLOAD)})
    status, answer = post(server, body, headers=headers)
    assert status == 413 and "limit" in answer["error"]
    body, headers = form({"file": b"not an image"})
    assert post(server, body, headers=headers)[0] == 400


def test_classify_can_return_the_image_annotated(server, photo):
    status, reading = post(server, photo.read_bytes(), "?annotated=1")
    assert (
        status == 200
        and reading["number"] == "38"
        and "annotated_jpeg" not in post(server, photo.read_bytes())[1]
    )
    jpeg = base64.b64decode(reading["annotated_jpeg"].removeprefix("data:image/jpeg;base64,"))
    annotated = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    original = cv2.imread(str(photo))
    assert max(annotated.shape[:2]) == ANNOTATED_SIDE
    assert annotated.shape[0] / annotated.shape[1] == pytest.approx(
        original.shape[0] / original.shape[1], 0.01
    )
    blue, green, red = (annotated[..., c].astype(int) for c in range(3))
    boxes = (green > 150) & (red < 90) & (blue < 90)  # drawing.BOX_BGR: the photo has no such green
    scale = ANNOTATED_SIDE / max(original.shape[:2])
    for digit in reading["digits"]:
        x, y, w, h = (round(v * scale) for v in digit["box"])
        assert boxes[y : y + h + 3, x - 2 : x + 3].mean() > 0.5  # the box's left edge


def test_events_with_frames_add_the_newest_frame_twice_a_second(server):
    url = urlparse(server.url)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    connection.request("GET", f"/api/events?frames=1&token={TOKEN}")
    response = connection.getresponse()
    names, started = [], time.monotonic()
    while time.monotonic() - started < 2.2:
        line = response.readline().decode()
        if line.startswith("event: "):
            names.append(line.removeprefix("event: ").strip())
    connection.close()
    assert names[0] == "reading" and 3 <= names.count("frame") <= 6, names


def test_a_busy_server_still_answers_healthz():
    """RequestLimit: at the limit a request gets 503, /healthz is served."""
    release = anyio.Event()

    async def slow_app(scope, receive, send) -> None:
        if scope["path"] == "/slow":
            await release.wait()
        await PlainTextResponse("ok")(scope, receive, send)

    async def call(app, path: str) -> int:
        sent = []

        async def receive() -> dict:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict) -> None:
            sent.append(message)

        scope = {"type": "http", "method": "GET", "path": path, "headers": [], "query_string": b""}
        await app(scope, receive, send)
        return sent[0]["status"]

    async def scenario() -> list[int]:
        limited = RequestLimit(slow_app, limit=1, always=frozenset({"/healthz"}))
        async with anyio.create_task_group() as tasks:
            tasks.start_soon(call, limited, "/slow")
            await anyio.sleep(0.05)
            statuses = [await call(limited, "/other"), await call(limited, "/healthz")]
            release.set()
        return [*statuses, await call(limited, "/other")]

    assert anyio.run(scenario) == [503, 200, 200]


def next_jpeg(stream: http.client.HTTPResponse) -> bytes:
    """The next whole JPEG of an MJPEG stream."""
    while stream.readline() != b"--frame\r\n":
        pass
    headers = dict(stream.readline().decode().strip().split(": ", 1) for _ in range(2))
    stream.readline()
    return stream.read(int(headers["Content-Length"]))


def test_idle_and_slowloris_sockets_neither_lock_out_nor_stay(server, photo):
    idle, slow = 300, 50
    url = urlparse(server.url)
    viewer = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    viewer.request("GET", f"/api/stream.mjpg?token={TOKEN}")
    stream = viewer.getresponse()
    assert next_jpeg(stream).startswith(b"\xff\xd8")
    with SocketFlood(server.url, idle, slow) as flood:
        watcher = threading.Thread(target=flood.watch, args=(HEADER_TIMEOUT_S + 5,))
        watcher.start()
        try:
            started = time.monotonic()
            status, _, body = server.get("healthz", timeout=1)
            healthz_s = time.monotonic() - started
            reading = post(server, photo.read_bytes())
        finally:
            watcher.join()
    assert status == 200 and json.loads(body)["status"] == "ok" and healthz_s < 1
    assert reading[0] == 200 and reading[1]["number"] == "38"
    lifetimes = flood.lifetimes()
    assert len(lifetimes) == idle + slow and max(lifetimes) < HEADER_TIMEOUT_S + 1.5, max(lifetimes)
    waited_out = [t for t in lifetimes if t > HEADER_TIMEOUT_S - 0.5]  # the newest, within the per-client cap
    assert 0 < len(waited_out) <= MAX_PER_CLIENT
    assert server.json("healthz")["status"] == "ok"
    assert next_jpeg(stream).startswith(b"\xff\xd8")  # a stream in progress is neither cut nor timed out
    viewer.close()


def test_a_wildcard_address_is_announced_as_each_interface_address():
    with listen("0.0.0.0", 0) as sock:
        urls = listening_urls(sock)
        port = sock.getsockname()[1]
        assert f"http://127.0.0.1:{port}/" == urls[-1] and not any("0.0.0.0" in u for u in urls)
        for url in urls:
            address = urlparse(url)
            with socket.create_connection((address.hostname, address.port), timeout=2):
                pass  # the listening socket takes it (queued until accepted)
    with listen("127.0.0.1", 0) as sock:
        assert listening_urls(sock) == [f"http://127.0.0.1:{sock.getsockname()[1]}/"]


def test_edge_serve_on_every_interface_prints_urls_that_open(tmp_path):
    video = digit_video(tmp_path / "clip.avi", [VIDEO_DIGIT])
    with edge_serve(
        "-m", str(MODEL), "--source", str(video), "--host", "0.0.0.0", "--token", TOKEN
    ) as served:
        assert "0.0.0.0" not in served.url
        assert served.json("healthz")["status"] == "ok"


@pytest.mark.parametrize("text", ["broker:²", "broker:①", "broker:0", "broker:65536", ":1883", "broker:"])
def test_a_bad_mqtt_broker_port_is_one_error(text):
    with pytest.raises(EdgeError, match="--mqtt must be HOST or HOST:PORT"):
        parse_broker(text)
