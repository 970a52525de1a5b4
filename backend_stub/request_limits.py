"""What a request may be: a body of at most 64 KiB (413), arriving within its deadline (408).

A pure ASGI middleware (Starlette's BaseHTTPMiddleware reads the body before it lets anyone look). A
declared `Content-Length` over the limit is refused before a byte of the body is read; a chunked body
is counted as the app reads it, and refused as soon as the count passes the limit. The deadline runs
from the moment the headers are in, for the whole body, so a body sent a byte a second is cut off too.

A refusal is answered here, at once, with `Connection: close` (the rest of the body is never read);
the app, still inside its read, is told the client went away and whatever it answers is dropped.
The header deadline and the connection cap live in the HTTP protocol (backend_stub.http_protocol).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from backend_stub.errors import error_body

DISCONNECT: Message = {"type": "http.disconnect"}
TOO_SLOW = error_body(
    "invalid_request", "request_timeout", "The request body did not arrive in time: send the request again."
)


def too_large(max_bytes: int) -> dict:
    size = f"{max_bytes // 1024} KiB" if max_bytes % 1024 == 0 else f"{max_bytes} bytes"
    return error_body(
        "invalid_request", "request_too_large", f"The request body is larger than {size}: send less."
    )


class RequestLimits:
    """Wraps the app (see app.PaydeskApp): bodies of at most `max_body_bytes`, read in `body_timeout`."""

    def __init__(self, app: ASGIApp, max_body_bytes: int, body_timeout_seconds: float) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.body_timeout_seconds = body_timeout_seconds
        self.too_large = too_large(max_body_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared, chunked = body_framing(scope)
        if declared is not None and declared > self.max_body_bytes:
            await refuse(send, 413, self.too_large)
            return
        if not chunked and not declared:
            await self.app(scope, receive, send)  # no body (most requests): nothing to count or wait for
            return
        guard = _BodyGuard(receive, send, self, self.body_timeout_seconds)
        await self.app(scope, guard.receive, guard.send)


def body_framing(scope: Scope) -> tuple[int | None, bool]:
    """The request's Content-Length (None: not sent), and whether its body is chunked. The HTTP parser
    has refused a malformed or doubled length already."""
    length, chunked = None, False
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                length = int(value)
            except ValueError:
                length = None
        elif name == b"transfer-encoding":
            chunked = b"chunked" in value.lower()
    return length, chunked


async def refuse(send: Send, status: int, body: dict, headers: Sequence[tuple[bytes, bytes]] = ()) -> None:
    """Answer `status` with the house error `body` (and `headers`), and close the connection after it."""
    payload = json.dumps(body, separators=(",", ":")).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode("ascii")),
                *headers,
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload, "more_body": False})


class _BodyGuard:
    """One request's `receive` and `send`: counts the body and keeps its deadline."""

    def __init__(self, receive: Receive, send: Send, limits: RequestLimits, timeout: float) -> None:
        self._receive = receive
        self._send = send
        self._limits = limits
        self._deadline = asyncio.get_running_loop().time() + timeout
        self._received = 0
        self._body_done = False
        self._started = False  # the app began its answer: too late for ours
        self._refused = False  # we answered: the app's answer goes nowhere

    async def receive(self) -> Message:
        if self._refused:
            return DISCONNECT
        if self._body_done:
            return await self._receive()  # waiting for a disconnect: no deadline on that
        # A timeout scope, not wait_for (a task per read, 15 times the cost). Past the deadline, what has
        # arrived already is still taken (a read that need not wait finishes before the timeout fires: an
        # app late to read is no fault of the client's); only a wait for more is cut short.
        try:
            async with asyncio.timeout_at(self._deadline):
                message = await self._receive()
        except TimeoutError:
            return await self._refuse(408, TOO_SLOW)
        if message["type"] == "http.request":
            self._received += len(message.get("body", b""))
            if self._received > self._limits.max_body_bytes:
                return await self._refuse(413, self._limits.too_large)
            self._body_done = not message.get("more_body", False)
        return message

    async def send(self, message: Message) -> None:
        if self._refused:
            return
        if message["type"] == "http.response.start":
            self._started = True
        await self._send(message)

    async def _refuse(self, status: int, body: dict) -> Message:
        self._refused = True
        if not self._started:
            await refuse(self._send, status, body)
        return DISCONNECT
