"""PaydeskClient over real HTTP on loopback.

Two kinds of server: a tiny canned one (asyncio, in this process) for the answers a healthy backend
never gives (502 pages, garbage, hangs, dropped connections), and the real reference backend
(`live_server`) for everything the contract promises.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tui.api import (
    ApiError,
    InvoiceRow,
    NotAuthenticated,
    Page,
    PaydeskClient,
    ServerUnavailable,
)
from tui.api.client import paydesk_version

ROOT = Path(__file__).resolve().parents[2]


# ---------------------------------------------------------------------------------------------
# A canned HTTP server: each request gets the next answer from a list.
# ---------------------------------------------------------------------------------------------

HANG = "hang"  # accept the request and never answer
DROP = "drop"  # close the connection without answering


def http_answer(
    status: int, reason: str, body: bytes | str = b"", headers: dict[str, str] | None = None
) -> bytes:
    body = body.encode() if isinstance(body, str) else body
    lines = [f"HTTP/1.1 {status} {reason}", f"Content-Length: {len(body)}", "Connection: close"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def json_answer(status: int, reason: str, payload: object, headers: dict[str, str] | None = None) -> bytes:
    return http_answer(
        status, reason, json.dumps(payload), {"Content-Type": "application/json", **(headers or {})}
    )


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class CannedServer:
    answers: list[bytes | str]
    seen: list[Seen] = field(default_factory=list)
    url: str = ""
    release: asyncio.Event = field(default_factory=asyncio.Event)  # ends a HANG at teardown

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        request_line, *header_lines = head.decode().split("\r\n")
        headers = {k.lower(): v.strip() for k, _, v in (h.partition(":") for h in header_lines if h)}
        body = await reader.readexactly(int(headers.get("content-length", 0)))
        method, path, _ = request_line.split(" ", 2)
        self.seen.append(Seen(method, path, headers, body))
        answer = self.answers.pop(0) if self.answers else http_answer(500, "Internal Server Error")
        if answer == HANG:
            await self.release.wait()
        elif answer != DROP:
            writer.write(answer)  # type: ignore[arg-type]
            await writer.drain()
        writer.close()


@pytest.fixture
async def canned() -> AsyncIterator[Callable[..., CannedServer]]:
    servers: list[tuple[asyncio.Server, CannedServer]] = []

    async def start(*answers: bytes | str) -> CannedServer:
        canned = CannedServer(list(answers))
        server = await asyncio.start_server(canned.handle, "127.0.0.1", 0)
        servers.append((server, canned))
        canned.url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
        return canned

    yield start
    for server, canned_server in servers:
        canned_server.release.set()
        server.close()
        await server.wait_closed()


def error_body(status_type: str, code: str, message: str, param: str | None = None) -> dict:
    return {"error": {"type": status_type, "code": code, "message": message, "param": param}}


# ---------------------------------------------------------------------------------------------
# Errors, headers and connection handling (canned server, no backend needed)
# ---------------------------------------------------------------------------------------------


async def test_an_html_502_is_a_clear_api_error(canned) -> None:
    server = await canned(
        http_answer(502, "Bad Gateway", "<html>nginx</html>", {"Content-Type": "text/html"})
    )
    async with PaydeskClient(server.url) as client:
        with pytest.raises(ApiError) as info:
            await client.me()
    err = info.value
    assert type(err) is ApiError
    assert str(err) == "The server answered 502 Bad Gateway."
    assert (err.status, err.type, err.code) == (502, "server", "unexpected_response")


async def test_an_unexpected_json_error_still_names_the_status(canned) -> None:
    server = await canned(json_answer(404, "Not Found", {"detail": "Not Found"}))
    async with PaydeskClient(server.url) as client:
        with pytest.raises(ApiError, match=r"^The server answered 404 Not Found\.$") as info:
            await client.invoice(1)
    assert info.value.type == "not_found"


async def test_the_error_shape_becomes_api_error_fields(canned) -> None:
    server = await canned(
        json_answer(
            429,
            "Too Many Requests",
            error_body(
                "rate_limited", "too_many_requests", "Too many codes; try again in 15 minutes.", "email"
            ),
            {"Retry-After": "900"},
        )
    )
    async with PaydeskClient(server.url) as client:
        with pytest.raises(ApiError) as info:
            await client.request_code("dana@example.com")
    err = info.value
    assert str(err) == "Too many codes; try again in 15 minutes."
    assert (err.status, err.type, err.code, err.param, err.retry_after) == (
        429,
        "rate_limited",
        "too_many_requests",
        "email",
        900.0,
    )


async def test_not_authenticated_is_its_own_error(canned) -> None:
    server = await canned(
        json_answer(401, "Unauthorized", error_body("authentication", "not_authenticated", "Log in again."))
    )
    async with PaydeskClient(server.url, token="dead") as client:
        with pytest.raises(NotAuthenticated, match=r"^Log in again\.$"):
            await client.me()


async def test_an_unreadable_success_is_an_api_error(canned) -> None:
    server = await canned(json_answer(200, "OK", {"user": "not a user"}))
    async with PaydeskClient(server.url) as client:
        with pytest.raises(ApiError) as info:
            await client.me()
    assert info.value.code == "invalid_response"
    assert "could not read" in str(info.value)


async def test_headers_user_agent_and_bearer_token(canned) -> None:
    server = await canned(json_answer(200, "OK", {"status": "ok", "version": "x"}))
    async with PaydeskClient(server.url + "/", token="tok-123") as client:
        assert await client.health() == {"status": "ok", "version": "x"}
    [request] = server.seen
    assert (request.method, request.path) == ("GET", "/v1/health")
    assert request.headers["user-agent"] == f"paydesk/{paydesk_version()}"
    assert request.headers["authorization"] == "Bearer tok-123"


async def test_no_token_no_authorization_header(canned) -> None:
    server = await canned(http_answer(202, "Accepted", "{}", {"Content-Type": "application/json"}))
    async with PaydeskClient(server.url) as client:
        assert await client.request_code("a@example.com") is None
    [request] = server.seen
    assert "authorization" not in request.headers
    assert json.loads(request.body) == {"email": "a@example.com"}


async def test_a_get_is_retried_once_after_a_dropped_connection(canned) -> None:
    server = await canned(DROP, json_answer(200, "OK", {"status": "ok"}))
    async with PaydeskClient(server.url) as client:
        assert await client.health() == {"status": "ok"}
    assert len(server.seen) == 2


async def test_a_post_is_never_retried(canned) -> None:
    server = await canned(DROP, json_answer(202, "Accepted", {}))
    async with PaydeskClient(server.url) as client:
        with pytest.raises(ServerUnavailable):
            await client.request_code("a@example.com")
    assert len(server.seen) == 1


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_a_dead_port_is_server_unavailable_naming_the_url() -> None:
    url = f"http://127.0.0.1:{closed_port()}"
    async with PaydeskClient(url) as client:
        with pytest.raises(ServerUnavailable) as info:
            await client.me()
    err = info.value
    assert str(err) == f"Cannot reach the Paydesk server at {url}. Check your connection and try again."
    assert (err.status, err.type, err.code) == (0, "unavailable", "unavailable")
    assert isinstance(err, ApiError)


async def test_a_server_that_never_answers_times_out(canned) -> None:
    server = await canned(HANG)
    async with PaydeskClient(server.url, timeout=0.3) as client:
        with pytest.raises(ServerUnavailable, match="did not answer in time") as info:
            await client.me()
    assert info.value.code == "timeout"
    assert server.url in str(info.value)
    assert len(server.seen) == 1  # a timeout is not retried: the user already waited


async def test_logout_forgets_the_token_even_when_the_server_is_away() -> None:
    client = PaydeskClient(f"http://127.0.0.1:{closed_port()}", token="tok")
    await client.logout()
    assert client.token is None
    await client.aclose()


async def test_one_http_client_for_the_life_of_the_client(canned) -> None:
    server = await canned(json_answer(200, "OK", {}), json_answer(200, "OK", {}))
    client = PaydeskClient(server.url)
    assert client._http is None  # nothing is built before the first request
    await client.health()
    first = client._http
    await client.health()
    assert client._http is first
    assert isinstance(first, httpx.AsyncClient)
    await client.aclose()
    assert first.is_closed


def test_importing_the_models_and_errors_does_not_import_httpx() -> None:
    script = "import sys, tui.api; print('httpx' in sys.modules, 'textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_models_ignore_unknown_fields() -> None:
    row = InvoiceRow.model_validate(
        {
            "id": 1,
            "number": "INV-1",
            "issued_on": "2026-10-01",
            "due_on": "2026-11-01",
            "amount_cents": 1000,
            "balance_cents": 250,
            "status": "open",
            "past_due": True,
            "site": None,
            "parent_id": None,
            "children_count": 0,
            "brand_new_field": {"x": 1},
        }
    )
    assert row.due_on == dt.date(2026, 11, 1)
    assert row.balance_cents == 250
    page = Page[InvoiceRow].model_validate(
        {"items": [row.model_dump()], "next_cursor": None, "total_count": 1}
    )
    assert page.items == [row]
