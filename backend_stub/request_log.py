"""One log line per request, and its id in `X-Request-Id` on every answer (errors included).

    INFO backend_stub.requests: GET /v1/accounts/{account_id}/invoices 200 3.1 ms fktawlihanrw-b

The route's template, never the path as sent nor the query string: neither a request's email, token nor
card data reaches the log. A pure ASGI middleware, outside every other one (even the one that answers an
unexpected error with a 500), so it costs a few microseconds and sees every answer.
"""

from __future__ import annotations

import itertools
import logging
import re
import secrets
import string
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("backend_stub.requests")

HEADER = b"x-request-id"
# A client's id is echoed when it is short and plain (a UUID, a trace id); anything else gets our own, and
# so does one holding a run of digits as long as a card number's (the id goes into the log).
_SANE_ID = re.compile(rb"[A-Za-z0-9._:-]{1,64}")
_CARD_LIKE = re.compile(rb"[0-9]{13}")
NO_ROUTE = "-"  # a path no route serves: what was sent is not logged
# Our own ids: 12 random letters per process, a dash, then a counter in letters (uuid4 read the system's
# randomness for each request, 5% of a /v1/me under load). Unique across workers and restarts, and never a
# run of digits: a scan of the log for card numbers must not find one in an id.
_LETTERS = string.ascii_lowercase
_PROCESS = "".join(secrets.choice(_LETTERS) for _ in range(12))
_NEXT = itertools.count(1)


def new_request_id() -> str:
    n, tail = next(_NEXT), ""
    while n:
        n, digit = divmod(n, 26)
        tail = _LETTERS[digit] + tail
    return f"{_PROCESS}-{tail}"


def client_request_id(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == HEADER:
            sane = _SANE_ID.fullmatch(value) and not _CARD_LIKE.search(value)
            return value.decode("ascii") if sane else None
    return None


class RequestLog:
    """Wraps the whole app (see app.PaydeskApp)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = client_request_id(scope) or new_request_id()
        header = (HEADER, request_id.encode("ascii"))
        started = time.perf_counter()
        status = 500  # if the app fails before it answers, the server answers 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message = {**message, "headers": [*message.get("headers", ()), header]}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed_ms = (time.perf_counter() - started) * 1000
            log.info("%s %s %d %.1f ms %s", scope["method"], _template(scope), status, elapsed_ms, request_id)


def _template(scope: Scope) -> str:
    route: Any = scope.get("route")
    return getattr(route, "path", None) or NO_ROUTE
