"""Run `edge serve`: the camera thread, the HTTP server (uvicorn) and, optionally, the MQTT publisher;
everything is stopped and the camera released when the server ends (Ctrl-C, SIGTERM or a failed camera).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from dataclasses import dataclass

import uvicorn

from edge_runtime.serve.addresses import listening_urls
from edge_runtime.serve.app import Context, build_app
from edge_runtime.serve.loop import LiveFeed
from edge_runtime.serve.metrics import ServeMetrics
from edge_runtime.serve.mqtt import DEFAULT_TOPIC, MqttPublisher
from edge_runtime.serve.protocol import GuardedH11Protocol
from edge_runtime.serve.uploads import UploadReader
from ground.errors import EdgeError

KEEP_ALIVE_S = 5  # a connection silent this long after a response is closed
SHUTDOWN_S = 2  # on exit, open streams get this long to end
BACKLOG = 128


@dataclass(frozen=True)
class ServeOptions:
    """Where to listen, the token, and the MQTT broker (see `edge serve --help`)."""

    host: str = "127.0.0.1"
    port: int = 8080
    token: str | None = None
    mqtt: str | None = None
    topic: str = DEFAULT_TOPIC


class _Server(uvicorn.Server):
    """uvicorn's server that stops the camera loop as soon as it is asked to exit (so that streams end)."""

    def __init__(self, config: uvicorn.Config, feed: LiveFeed) -> None:
        super().__init__(config)
        self.feed = feed

    def handle_exit(self, sig, frame) -> None:
        self.feed.stop(wait=False)
        super().handle_exit(sig, frame)


def listen(host: str, port: int) -> socket.socket:
    """A socket bound to `host`:`port` (0: any free port); EdgeError in one line when it cannot be."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        sock = socket.socket(family, kind, proto)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(BACKLOG)  # connections wait from now on, before uvicorn takes the socket over
    except OSError as exc:
        raise EdgeError(f"cannot listen on {host}:{port} ({exc.strerror or exc})") from None
    return sock


def is_loopback(host: str) -> bool:
    """Whether `host` is only reachable from this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(
    feed: LiveFeed, uploads: UploadReader, options: ServeOptions, announce: Callable[[list[str]], None]
) -> None:
    """Serve until interrupted or the camera fails (EdgeError saying why); `announce` gets the URLs
    (`addresses.listening_urls`: each interface's for 0.0.0.0 or ::)."""
    sock = listen(options.host, options.port)
    metrics = ServeMetrics()
    app = build_app(Context(feed, uploads, metrics, options.token, feed.policy.accept.digit))
    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        timeout_keep_alive=KEEP_ALIVE_S,
        timeout_graceful_shutdown=SHUTDOWN_S,
        http=GuardedH11Protocol,  # header timeout, connection caps (app.RequestLimit: requests at once)
    )
    server = _Server(config, feed)
    publisher = MqttPublisher(options.mqtt, options.topic) if options.mqtt else None
    feed.listeners.append(metrics.count_frame)
    if publisher is not None:
        feed.listeners.append(publisher.on_frame)
    feed.on_exit = lambda: setattr(server, "should_exit", True)
    try:
        feed.start()
        announce(listening_urls(sock))
        server.run(sockets=[sock])
    finally:
        feed.stop()
        if publisher is not None:
            publisher.close()
        sock.close()
    if feed.error:
        raise EdgeError(feed.error)
