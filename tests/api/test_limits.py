"""Limits on what a request may be (issue 10 item 4), over real loopback sockets against the real server:
a body over 64 KiB is 413 before it is read (declared or chunked), a body late past its deadline is 408,
a connection whose headers are late is closed however the bytes trickle in, and beyond the connection
cap a request is 503. The servers here run with 1-second deadlines (PAYDESK_*_TIMEOUT_SECONDS).

Raw sockets, not httpx, wherever the test is about what is (not) sent: httpx sends a whole request."""

from __future__ import annotations

import contextlib
import http.client
import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from backend_stub import http_protocol
from backend_stub.http_protocol import H11DeadlineProtocol, HttpToolsDeadlineProtocol
from tests.api.conftest import DB_PARAMS, assert_error
from tests.support.stub import StubServer, fresh_postgres_database, postgres_available, serve_stub

DEADLINE = 1.0  # the test servers' header deadline, in seconds
BODY_DEADLINE = 2.0  # and their body deadline (room for the 413 tests to send 64 KiB on a busy machine)
SLACK = 6.0  # how much later than a deadline a cut may come on a busy 2-core machine
LIMITS_ENV = {
    "PAYDESK_HEADER_TIMEOUT_SECONDS": f"{DEADLINE:g}",
    "PAYDESK_BODY_TIMEOUT_SECONDS": f"{BODY_DEADLINE:g}",
}
LIMIT = 64 * 1024


@contextlib.contextmanager
def _server(db: str, workdir: Path, env: dict[str, str]) -> Iterator[StubServer]:
    if db == "postgres":
        if not postgres_available():
            pytest.skip("no PostgreSQL at 127.0.0.1:5432: ran on SQLite only")
        with fresh_postgres_database("demo") as url, serve_stub(url, workdir, extra_env=env) as server:
            yield server
    else:
        with serve_stub(f"sqlite:///{workdir / 'limits.db'}", workdir, extra_env=env) as server:
            yield server


@pytest.fixture(scope="module", params=DB_PARAMS)
def limited(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A demo server with a 1-second header deadline and a 2-second body deadline: its base URL."""
    with _server(request.param, tmp_path_factory.mktemp(f"limits-{request.param}"), LIMITS_ENV) as server:
        yield server.base_url


def _connect(base_url: str, timeout: float = 10.0) -> socket.socket:
    host, port = base_url.removeprefix("http://").rsplit(":", 1)
    return socket.create_connection((host, int(port)), timeout=timeout)


def _answer(sock: socket.socket, method: str = "POST") -> tuple[int, http.client.HTTPMessage, dict]:
    """Read one answer off `sock`: status, headers, JSON body."""
    response = http.client.HTTPResponse(sock, method=method)
    response.begin()
    return response.status, response.headers, json.loads(response.read() or b"null")


def _closed_by_server(sock: socket.socket, within: float) -> bool:
    """Wait (at most `within` seconds) for the server to close `sock`; what it sends first is dropped."""
    deadline = time.monotonic() + within
    while (left := deadline - time.monotonic()) > 0:
        sock.settimeout(left)
        try:
            if sock.recv(65536) == b"":
                return True
        except TimeoutError:
            return False
        except ConnectionResetError:
            return True
    return False


def _house_error(status: int, body: dict, want_status: int, code: str) -> None:
    assert status == want_status, body
    assert set(body) == {"error"} and set(body["error"]) == {"type", "code", "message", "param"}, body
    assert body["error"]["code"] == code and body["error"]["message"], body


def _head(path: str, *lines: str) -> bytes:
    return "\r\n".join([f"POST {path} HTTP/1.1", "Host: paydesk", *lines, "", ""]).encode()


# -- body size --


def test_a_declared_body_over_64_kib_is_413_before_a_byte_of_it_is_sent(limited: str) -> None:
    with _connect(limited) as sock:
        sock.sendall(
            _head("/v1/auth/code", "Content-Type: application/json", f"Content-Length: {50 * 1024 * 1024}")
        )
        status, headers, body = _answer(sock)
        _house_error(status, body, 413, "request_too_large")
        assert headers["Connection"] == "close"
        assert headers["X-Content-Type-Options"] == "nosniff" and headers["Cache-Control"] == "no-store"
        assert _closed_by_server(sock, within=SLACK)  # the body is never read: the connection ends


def test_an_unauthenticated_50_mb_post_is_413_at_once(limited: str) -> None:
    started = time.monotonic()
    r = httpx.post(
        f"{limited}/v1/auth/code",
        content=b'{"email": "' + b"a" * (50 * 1024 * 1024) + b'@example.com"}',
        headers={"Content-Type": "application/json"},
        timeout=30,
    )
    assert_error(r, 413, "invalid_request", "request_too_large", None)
    assert time.monotonic() - started < 5  # was 2.4 s of reading (and +110 MiB) before the limit
    # The server goes on serving.
    assert httpx.post(f"{limited}/v1/auth/code", json={"email": "sam@example.com"}).status_code == 202


@pytest.mark.parametrize(("size", "status"), [(LIMIT, 400), (LIMIT + 1, 413)])
def test_the_limit_is_64_kib_exactly(limited: str, size: int, status: int) -> None:
    r = httpx.post(
        f"{limited}/v1/auth/code",
        content=b"x" * size,  # not JSON: at the limit it is read and refused as bad JSON
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == status, r.text


def test_a_chunked_body_is_413_as_soon_as_it_passes_the_limit(limited: str) -> None:
    """64 KiB in chunks, then one byte more: the answer comes then, though the body never ends."""
    with _connect(limited) as sock:
        sock.sendall(_head("/v1/auth/code", "Content-Type: application/json", "Transfer-Encoding: chunked"))
        for piece in (b"x" * (32 * 1024), b"x" * (32 * 1024)):
            sock.sendall(b"%x\r\n%s\r\n" % (len(piece), piece))
        sock.settimeout(0.2)
        with pytest.raises(TimeoutError):
            sock.recv(1)  # exactly 64 KiB so far: not refused (nor answered: the body goes on)
        sock.settimeout(10)
        sock.sendall(b"1\r\nx\r\n")  # no closing 0-chunk is ever sent
        status, headers, body = _answer(sock)
        _house_error(status, body, 413, "request_too_large")
        assert headers["Connection"] == "close"
        assert _closed_by_server(sock, within=SLACK)


def test_a_small_chunked_body_is_served(limited: str) -> None:
    payload = json.dumps({"email": "lee@example.com"}).encode()
    with _connect(limited) as sock:
        sock.sendall(_head("/v1/auth/code", "Content-Type: application/json", "Transfer-Encoding: chunked"))
        sock.sendall(b"%x\r\n%s\r\n0\r\n\r\n" % (len(payload), payload))
        status, _, body = _answer(sock)
    assert status == 202, body


# -- body deadline --


def test_a_body_that_never_arrives_is_408_and_the_connection_closed(limited: str) -> None:
    with _connect(limited) as sock:
        sock.sendall(_head("/v1/auth/code", "Content-Type: application/json", "Content-Length: 100"))
        sock.sendall(b'{"email": ')  # 10 of the 100 bytes, then nothing
        started = time.monotonic()
        status, headers, body = _answer(sock)
        waited = time.monotonic() - started
        _house_error(status, body, 408, "request_timeout")
        assert BODY_DEADLINE * 0.9 <= waited < BODY_DEADLINE + SLACK
        assert headers["Connection"] == "close"
        assert _closed_by_server(sock, within=SLACK)


def test_a_body_sent_a_byte_at_a_time_is_cut_at_the_deadline(limited: str) -> None:
    """The deadline is for the whole body, not for each read: trickling bytes does not extend it."""
    with _connect(limited) as sock:
        sock.sendall(_head("/v1/auth/code", "Content-Type: application/json", "Content-Length: 1000"))
        started = time.monotonic()
        sock.settimeout(0.2)
        answer = b""
        for _ in range(int((BODY_DEADLINE + SLACK) / 0.2)):
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                sock.sendall(b" ")
            try:
                answer = sock.recv(65536)  # the wait between two bytes: returns as soon as it answers
                break
            except TimeoutError:
                continue
        waited = time.monotonic() - started
    assert answer.startswith(b"HTTP/1.1 408 "), answer
    assert BODY_DEADLINE * 0.9 <= waited < BODY_DEADLINE + SLACK


# -- header deadline --


def test_a_connection_that_sends_nothing_is_closed_after_the_header_deadline(limited: str) -> None:
    with _connect(limited) as sock:
        started = time.monotonic()
        assert _closed_by_server(sock, within=DEADLINE + SLACK)
        assert time.monotonic() - started >= DEADLINE * 0.9


def _trickle_headers(sock: socket.socket, every: float, within: float) -> tuple[bool, int]:
    """Send a request's headers a byte every `every` seconds until the server closes the connection
    (True) or `within` seconds pass (False); also how many bytes went."""
    request = b"GET /v1/health HTTP/1.1\r\nHost: paydesk\r\nX-Slow: " + b"z" * 1000 + b"\r\n\r\n"
    deadline = time.monotonic() + within
    sent = 0
    while time.monotonic() < deadline and sent < len(request):
        try:
            sock.sendall(request[sent : sent + 1])
        except (BrokenPipeError, ConnectionResetError):
            return True, sent
        sent += 1
        if _closed_by_server(sock, within=every):  # the wait between two bytes
            return True, sent
    return False, sent


def test_a_header_byte_at_a_time_does_not_keep_a_connection_open(limited: str) -> None:
    with _connect(limited) as sock:
        started = time.monotonic()
        closed, sent = _trickle_headers(sock, every=0.25, within=DEADLINE + SLACK)
        waited = time.monotonic() - started
    assert closed, f"still open after {waited:.1f} s and {sent} header bytes"
    assert DEADLINE * 0.9 <= waited < DEADLINE + SLACK


def test_the_next_requests_headers_are_due_a_deadline_after_the_previous_answer(limited: str) -> None:
    with _connect(limited) as sock:
        sock.sendall(b"GET /v1/health HTTP/1.1\r\nHost: paydesk\r\n\r\n")
        status, _, body = _answer(sock, "GET")
        assert status == 200 and body["status"] == "ok"
        answered = time.monotonic()
        closed, _ = _trickle_headers(sock, every=0.25, within=DEADLINE + SLACK)
        waited = time.monotonic() - answered
    assert closed and DEADLINE * 0.9 <= waited < DEADLINE + SLACK


def test_a_keep_alive_connection_serves_request_after_request_past_the_deadline(limited: str) -> None:
    """The header deadline runs from the previous answer, not from the connection's start."""
    with _connect(limited) as sock:
        started = time.monotonic()
        served = 0
        while time.monotonic() - started < DEADLINE * 2:
            sock.sendall(b"GET /v1/health HTTP/1.1\r\nHost: paydesk\r\n\r\n")
            assert _answer(sock, "GET")[0] == 200  # the same socket every time
            served += 1
    assert served > 2


# -- the connection cap --


def _cap_env(cap: int) -> dict[str, str]:
    # Long deadlines here: the connections that hold the places must stay until the test lets them go.
    return {"PAYDESK_MAX_CONNECTIONS": str(cap), "PAYDESK_HEADER_TIMEOUT_SECONDS": "60"}


def _probe(base_url: str) -> httpx.Response:
    return httpx.get(f"{base_url}/v1/health", timeout=10, headers={"Connection": "close"})


def _until(predicate_status: int, base_url: str, within: float = 20.0) -> httpx.Response:
    deadline = time.monotonic() + within
    while True:
        r = _probe(base_url)
        if r.status_code == predicate_status or time.monotonic() > deadline:
            return r


def _check_cap(base_url: str, cap: int) -> None:
    holders = [_connect(base_url) for _ in range(cap - 1)]
    try:
        for sock in holders:
            sock.sendall(b"GET /v1/health HTTP/1.1\r\n")  # a request begun, never finished
        # With cap-1 connections held, the next one is the cap-th: answered 503 once the server has
        # accepted the holders (it may not have yet when connect() returns).
        r = _until(503, base_url)
        assert_error(r, 503, "server", "over_capacity", None)
        assert r.headers["Retry-After"] == "1" and r.headers["Connection"] == "close"
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        # A silent connection beyond the cap is let go of within a second, not the 60 s header deadline.
        with _connect(base_url) as extra:
            started = time.monotonic()
            assert _closed_by_server(extra, within=1 + SLACK)
            assert time.monotonic() - started < 1 + SLACK
    finally:
        for sock in holders:
            sock.close()
    assert _until(200, base_url).status_code == 200  # once they are gone, served again


@pytest.mark.parametrize("db", DB_PARAMS)
def test_beyond_the_connection_cap_a_request_is_503(db: str, tmp_path: Path) -> None:
    with _server(db, tmp_path, _cap_env(4)) as server:
        _check_cap(server.base_url, cap=4)


# -- the h11 protocol (used when httptools is missing) holds the same deadlines --

PROTOCOLS = [H11DeadlineProtocol, *([HttpToolsDeadlineProtocol] if HttpToolsDeadlineProtocol else [])]


@pytest.mark.parametrize("protocol", PROTOCOLS, ids=lambda p: p.__name__)
def test_each_protocol_closes_late_headers_and_caps_connections(
    protocol: type, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[object] = []

    class Chosen(protocol):  # type: ignore[misc, valid-type]
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)
            made.append(self)

    # The CLI's server (tests.support.stub) with the other protocol class in its config.
    monkeypatch.setattr(http_protocol, "protocol_class", lambda: Chosen)
    with serve_stub(f"sqlite:///{tmp_path / 'a.db'}", tmp_path, extra_env=LIMITS_ENV) as server:
        with _connect(server.base_url) as sock:
            sock.sendall(b"GET /v1/health HTTP/1.1\r\nHost: paydesk\r\n\r\n")
            assert _answer(sock, "GET")[0] == 200
            closed, _ = _trickle_headers(sock, every=0.25, within=DEADLINE + SLACK)
            assert closed
        with _connect(server.base_url) as sock:
            sock.sendall(_head("/v1/auth/code", f"Content-Length: {LIMIT + 1}"))
            status, _, body = _answer(sock)
            _house_error(status, body, 413, "request_too_large")
    with serve_stub(f"sqlite:///{tmp_path / 'b.db'}", tmp_path, extra_env=_cap_env(3)) as server:
        _check_cap(server.base_url, cap=3)
    assert made  # the connections were served by the protocol under test
