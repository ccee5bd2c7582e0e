"""uvicorn's HTTP/1.1 protocol (h11) with limits against clients that hold connections without asking
anything: idle sockets and slowloris ones (a request head trickled byte by byte) are closed when the
head of a request has not arrived within `HEADER_TIMEOUT_S` (uvicorn has no such timeout; its
keep-alive timeout starts only after a response, and any byte resets it).

A connection is *waiting* from when it opens, and again after each response, until the head of its
next request has arrived. Past `MAX_PER_CLIENT` connections from one address, or `MAX_CONNECTIONS` in
all, the one waiting longest (of that address, or of all) is closed to make room, as nginx drains its
idle keep-alive connections: a new client always gets in, and no connection busy with a request or a
stream is cut. When none is waiting, the new connection is the one closed.
"""

from __future__ import annotations

import asyncio

from uvicorn.protocols.http.h11_impl import H11Protocol

HEADER_TIMEOUT_S = 10.0  # a request's line and headers must arrive within this
MAX_CONNECTIONS = 400  # more than app.MAX_REQUESTS: a connection for /healthz is there at the request limit
MAX_PER_CLIENT = 64  # connections from one address (a browser opens at most 6 to a server)


class GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a header timeout and caps per client address and in all."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.waiting_since: float | None = None
        self._head_timer: asyncio.TimerHandle | None = None
        self._wait_for_head()
        self._make_room()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_waiting()
        super().connection_lost(exc)

    def handle_events(self) -> None:
        cycle = self.cycle
        super().handle_events()
        if self.cycle is not cycle:  # the head of a request arrived: uvicorn started a new cycle
            self._stop_waiting()

    def on_response_complete(self) -> None:
        self._wait_for_head()  # before uvicorn handles a pipelined request, which stops the wait
        super().on_response_complete()

    def _wait_for_head(self) -> None:
        self._stop_waiting()
        self.waiting_since = self.loop.time()
        self._head_timer = self.loop.call_later(HEADER_TIMEOUT_S, self.transport.close)

    def _stop_waiting(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
        self._head_timer = self.waiting_since = None

    def _make_room(self) -> None:
        for cap, same_client in ((MAX_PER_CLIENT, True), (MAX_CONNECTIONS, False)):
            held = [
                c
                for c in self.connections
                if not c.transport.is_closing() and (not same_client or _host(c) == _host(self))
            ]
            if len(held) > cap:  # this connection is waiting, so `waiting` is never empty
                waiting = [c for c in held if c.waiting_since is not None]
                min(waiting, key=lambda c: c.waiting_since).transport.close()


def _host(connection: GuardedH11Protocol) -> str | None:
    return connection.client[0] if connection.client else None
