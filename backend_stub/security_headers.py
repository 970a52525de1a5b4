"""`X-Content-Type-Options: nosniff` on every answer, `Cache-Control: no-store` on every API answer.

Every answer under /v1 is someone's account, payment, invoice PDF, statement CSV, a token or an error
about one: no browser, proxy or disk cache may keep a copy. Marking all of /v1 (not only the answers
behind a token) leaves no route to forget, and the few public ones (health, the code request) lose
nothing by it. A pure ASGI middleware outside the app's own (see app.PaydeskApp), so the refusals of
backend_stub.request_limits get the headers too.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

API_PREFIX = "/v1/"
NOSNIFF = (b"x-content-type-options", b"nosniff")
NO_STORE = (b"cache-control", b"no-store")
# (the headers added, the names they replace) for an API answer and for any other
_API = ([NOSNIFF, NO_STORE], {NOSNIFF[0], NO_STORE[0]})
_OTHER = ([NOSNIFF], {NOSNIFF[0]})


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        added, replaced = _API if scope["path"].startswith(API_PREFIX) else _OTHER

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                kept = [(n, v) for n, v in message.get("headers", ()) if n.lower() not in replaced]
                message = {**message, "headers": [*kept, *added]}
            await send(message)

        await self.app(scope, receive, send_with_headers)
