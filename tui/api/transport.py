"""The HTTP underneath PaydeskClient: one long-lived httpx client, the token, and how a request fails.

One `httpx.AsyncClient` for the life of the client (a new one per request costs ~35 ms, see
DESIGN.md). httpx is imported when the first request is made, not when this module is imported,
so the app's first frame does not wait for it.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, Self

from tui.api.answers import error_from_response
from tui.api.errors import ServerUnavailable
from tui.api.retries import tries_for

if TYPE_CHECKING:
    import httpx

CONNECT_TIMEOUT = 3.0
# An idle connection is dropped after this long, well before a server closes it (uvicorn closes idle
# connections after 5 s, httpx's own default expiry): reusing one at the moment the server closes it fails
# with no answer, and a POST other than a payment cannot be sent again.
KEEPALIVE_SECONDS = 3.0
# Sent with the app's automatic requests (the demo inbox poll, refreshes nobody asked for): the server
# does not count them as the clerk being active, so an idle clerk's session still ends.
BACKGROUND_HEADER = "X-Paydesk-Background"


@functools.cache
def paydesk_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("paydesk")
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "0+unknown"


def query(**values: Any) -> dict[str, Any]:
    """Query or body fields, leaving out the ones not given (None)."""
    return {key: value for key, value in values.items() if value is not None}


class Transport:
    """Sends one request and returns the response, or raises: ServerUnavailable when there is no
    answer at all, NotAuthenticated when the token is dead, ApiError with the server's words otherwise.
    """

    def __init__(self, base_url: str, token: str | None = None, timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._token = token
        self._http: httpx.AsyncClient | None = None

    @property
    def token(self) -> str | None:
        return self._token

    @token.setter
    def token(self, value: str | None) -> None:
        self._token = value or None

    async def aclose(self) -> None:
        if self._http is not None:
            http, self._http = self._http, None
            await http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def _client(self) -> httpx.AsyncClient:
        if self._http is None:
            import httpx

            self._http = httpx.AsyncClient(
                base_url=self.base_url,
                timeout=httpx.Timeout(self.timeout, connect=CONNECT_TIMEOUT),
                limits=httpx.Limits(
                    max_connections=100, max_keepalive_connections=20, keepalive_expiry=KEEPALIVE_SECONDS
                ),
                headers={"User-Agent": f"paydesk/{paydesk_version()}", "Accept": "application/json"},
            )
        return self._http

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        headers: dict[str, str] | None = None,
        background: bool = False,
        token: str | None = None,
    ) -> httpx.Response:
        """`background=True` marks a request the person did not ask for; `token` sends another token
        than the client's (revoking the session an unlock replaced)."""
        import httpx

        http = self._client()
        headers = dict(headers or {})
        token = token or self._token
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if background:
            headers[BACKGROUND_HEADER] = "1"
        tries = tries_for(method)  # tui/api/retries.py says which requests may go out twice
        for attempt in range(1, tries + 1):
            try:
                response = await http.request(method, path, params=params, json=json, headers=headers)
                break
            except httpx.TimeoutException as exc:
                raise ServerUnavailable(
                    f"The Paydesk server at {self.base_url} did not answer in time. "
                    "Check your connection and try again.",
                    code="timeout",
                ) from exc
            except httpx.TransportError as exc:
                if attempt < tries:
                    continue
                raise ServerUnavailable(
                    f"Cannot reach the Paydesk server at {self.base_url}. "
                    "Check your connection and try again."
                ) from exc
        if response.is_error:
            raise error_from_response(response)
        return response
