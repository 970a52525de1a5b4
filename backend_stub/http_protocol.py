"""uvicorn's HTTP protocols with a header deadline and an over-capacity answer in the house shape.

uvicorn has no read timeout of its own: its keep-alive timer restarts on every byte, so a client that
sends nothing after connecting, or a header byte a second, holds a connection (and a file descriptor)
for as long as it likes. Here a connection's request headers must be complete within
`header_timeout_seconds` of the connection's start or of the previous answer, however the bytes trickle
in; otherwise the connection is closed (nothing is answered: no request was made). The body's deadline
is the app's (backend_stub.request_limits), since only the app knows when it reads.

uvicorn's `limit_concurrency` answers 503 beyond the cap in plain text; here the same cap answers the
house error shape. `ServerConfig` is uvicorn's Config with the header deadline on it: it is what a
`--workers` process is handed (pickled), so every worker runs this protocol with the same deadline.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from backend_stub.errors import error_body
from backend_stub.request_limits import refuse
from backend_stub.security_headers import NO_STORE, NOSNIFF

log = logging.getLogger("backend_stub")

# A connection made beyond the cap gets this long (at most) for its headers, then its 503: a real client
# sends its request at once, while a flood of silent connections beyond the cap is let go of within a
# second instead of holding a file descriptor each for the whole header deadline.
OVER_CAPACITY_HEADER_SECONDS = 1.0
OVER_CAPACITY_LOG_EVERY_SECONDS = 10.0  # a flood beyond the cap is one warning per interval, not per request

_OVER_CAPACITY = error_body(
    "server", "over_capacity", "The server is at its connection limit: try again in a moment."
)


async def over_capacity(scope: Any, receive: Any, send: Any) -> None:
    """The answer to a request beyond the connection cap: it never reaches the app or its middleware,
    so it carries the security headers itself."""
    await refuse(send, 503, _OVER_CAPACITY, [(b"retry-after", b"1"), NOSNIFF, NO_STORE])


class ServerConfig(uvicorn.Config):
    """uvicorn.Config plus the header deadline this module's protocols read from it."""

    def __init__(self, app: Any, *, header_timeout_seconds: float, **kwargs: Any) -> None:
        kwargs.setdefault("http", protocol_class())  # tests may name H11DeadlineProtocol
        super().__init__(app, **kwargs)
        self.header_timeout_seconds = header_timeout_seconds


class _Deadlines:
    """Mixed into a uvicorn HTTP protocol class (before it in the bases)."""

    config: ServerConfig
    transport: asyncio.Transport
    loop: asyncio.AbstractEventLoop
    app: Any
    cycle: Any
    connections: set[Any]
    tasks: set[Any]
    _last_over_capacity_log = 0.0  # class-wide: one log line per interval across connections

    def __init__(self, config: ServerConfig, *args: Any, **kwargs: Any) -> None:
        super().__init__(config, *args, **kwargs)  # type: ignore[call-arg]
        self._header_timeout = config.header_timeout_seconds
        self._header_timer: asyncio.TimerHandle | None = None
        # The cap is checked here (to answer in the house shape), not by uvicorn's plain-text 503.
        self._cap: int | None = self.limit_concurrency  # type: ignore[has-type]
        self.limit_concurrency = None

    # -- the header deadline --
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)  # type: ignore[misc]
        if self._cap is not None and len(self.connections) >= self._cap:  # its request would be 503
            self._arm_header_deadline(min(self._header_timeout, OVER_CAPACITY_HEADER_SECONDS))
        else:
            self._arm_header_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_header_deadline()
        super().connection_lost(exc)  # type: ignore[misc]

    def data_received(self, data: bytes) -> None:
        super().data_received(data)  # type: ignore[misc]
        if self._request_in_progress():
            self._disarm_header_deadline()

    def on_response_complete(self) -> None:
        super().on_response_complete()  # type: ignore[misc]
        # A pipelined request may have started already; otherwise the next one's headers are due.
        if not self.transport.is_closing() and not self._request_in_progress():
            self._arm_header_deadline()

    def _request_in_progress(self) -> bool:
        return self.cycle is not None and not self.cycle.response_complete

    def _arm_header_deadline(self, seconds: float | None = None) -> None:
        self._disarm_header_deadline()
        self._header_timer = self.loop.call_later(
            self._header_timeout if seconds is None else seconds, self._header_deadline_passed
        )

    def _disarm_header_deadline(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _header_deadline_passed(self) -> None:
        self._header_timer = None
        if not self.transport.is_closing() and not self._request_in_progress():
            self.transport.close()

    # -- the connection cap --
    def _over_capacity(self) -> bool:
        cap = self._cap
        if cap is None or (len(self.connections) < cap and len(self.tasks) < cap):
            return False
        now = time.monotonic()
        if now - _Deadlines._last_over_capacity_log >= OVER_CAPACITY_LOG_EVERY_SECONDS:
            _Deadlines._last_over_capacity_log = now
            log.warning("over the connection cap of %d: answering 503 until connections close", cap)
        return True

    def _with_capacity_check(self, handle: Any) -> None:
        """Run the protocol's request start with the over-capacity answer in place of the app if full."""
        if not self._over_capacity():
            handle()
            return
        app, self.app = self.app, over_capacity
        try:
            handle()
        finally:
            self.app = app


class H11DeadlineProtocol(_Deadlines, H11Protocol):
    """The pure-Python parser (h11), used when httptools is not installed."""

    def handle_events(self) -> None:
        if self.conn.their_state is h11.IDLE:  # a new request may start in what arrived
            self._with_capacity_check(super().handle_events)
        else:
            super().handle_events()


try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
except ImportError:  # uvicorn without [standard]
    HttpToolsDeadlineProtocol: type[asyncio.Protocol] | None = None
else:

    class HttpToolsDeadlineProtocol(_Deadlines, HttpToolsProtocol):  # type: ignore[no-redef]
        """The C parser (httptools, from uvicorn[standard])."""

        def on_headers_complete(self) -> None:
            self._with_capacity_check(super().on_headers_complete)


def protocol_class() -> type[asyncio.Protocol]:
    """httptools' protocol when it is installed (it is, with uvicorn[standard]), else h11's."""
    return HttpToolsDeadlineProtocol or H11DeadlineProtocol
