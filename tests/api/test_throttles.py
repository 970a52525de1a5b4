"""Throttles in depth (issue 10, finding 2): many emails from one client address are refused before long;
the owner, from another address, still signs in while the attacker's address is refused; what an attacker
uses up from one address never locks the owner out; the total against one email stays bounded; and the
client's address is the socket's unless a trusted proxy names it.

The server here trusts 127.0.0.1 as its proxy (`PAYDESK_TRUSTED_PROXIES`, as `--trusted-proxy` would), so
an `X-Forwarded-For` header plays each client."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.api.conftest import DB_PARAMS, assert_error
from tests.conftest import latest_code
from tests.support.stub import StubServer, fresh_postgres_database, postgres_available, run_stub, serve_stub

DANA, LEE = "dana@example.com", "lee@example.com"
ATTACKER, OWNER = "203.0.113.66", "198.51.100.7"
GOOD = "Blue-Heron-42"


def _server(param: str, workdir: Path, env: dict[str, str]) -> Iterator[StubServer]:
    if param == "postgres":
        if not postgres_available():
            pytest.skip("no PostgreSQL at 127.0.0.1:5432: ran on SQLite only")
        with fresh_postgres_database("demo") as url, serve_stub(url, workdir, extra_env=env) as server:
            yield server
    else:
        with serve_stub(f"sqlite:///{workdir / 'throttles.db'}", workdir, extra_env=env) as server:
            yield server


@pytest.fixture(params=DB_PARAMS)
def proxied(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[httpx.Client]:
    """A fresh demo server behind a 'proxy' at 127.0.0.1: X-Forwarded-For names the client."""
    for server in _server(request.param, tmp_path, {"PAYDESK_TRUSTED_PROXIES": "127.0.0.1"}):
        with httpx.Client(base_url=server.base_url, timeout=30) as client:
            yield client


def _from(address: str) -> dict[str, str]:
    # What a proxy in front would send: whatever the client wrote, then the address it came from.
    return {"X-Forwarded-For": f"10.9.8.7, {address}"}


def _random_email() -> str:
    return f"someone-{uuid.uuid4().hex[:10]}@example.com"


def _first_refused(send, limit: int = 300) -> tuple[int, httpx.Response]:  # type: ignore[no-untyped-def]
    for i in range(limit):
        response = send(i)
        if response.status_code == 429:
            return i, response
    raise AssertionError(f"no 429 in {limit} requests")


def _code_login(http: httpx.Client, email: str, address: str) -> httpx.Response:
    r = http.post("/v1/auth/code", json={"email": email}, headers=_from(address))
    assert r.status_code == 202, r.text
    code = latest_code(str(http.base_url).rstrip("/"), email)
    return http.post("/v1/auth/code/verify", json={"email": email, "code": code}, headers=_from(address))


def _minutes_in(message: str) -> int:
    match = re.search(r"wait (\d+) minutes?", message)
    assert match, message
    assert "second" not in message, message
    return int(match.group(1))


def test_code_requests_for_many_emails_from_one_address_are_refused_soon(proxied: httpx.Client) -> None:
    refused_at, refused = _first_refused(
        lambda _: proxied.post("/v1/auth/code", json={"email": _random_email()}, headers=_from(ATTACKER))
    )
    assert refused_at == 30  # PAYDESK_CODE_REQUESTS_PER_ADDRESS: 30 in any 15 minutes
    error = assert_error(refused, 429, "rate_limited", "too_many_requests", "email")
    assert "from your network" in error["message"]
    assert 14 <= _minutes_in(error["message"]) <= 15
    assert 1 <= int(refused.headers["Retry-After"]) <= 15 * 60
    # The owner, elsewhere, is not held up: a code, and a session.
    r = _code_login(proxied, DANA, OWNER)
    assert r.status_code == 200, r.text


def test_code_checks_across_many_emails_from_one_address_are_refused_soon(proxied: httpx.Client) -> None:
    # The owner asks for a code first: the attacker's guessing elsewhere must not spoil it.
    assert proxied.post("/v1/auth/code", json={"email": LEE}, headers=_from(OWNER)).status_code == 202
    code = latest_code(str(proxied.base_url).rstrip("/"), LEE)
    refused_at, refused = _first_refused(
        lambda i: proxied.post(
            "/v1/auth/code/verify",
            json={"email": _random_email(), "code": f"{i:06d}"},
            headers=_from(ATTACKER),
        )
    )
    assert refused_at == 30  # PAYDESK_CODE_CHECKS_PER_ADDRESS: 30 wrong codes in any 15 minutes
    error = assert_error(refused, 429, "rate_limited", "too_many_requests", "code")
    assert "from your network" in error["message"] and _minutes_in(error["message"]) >= 1
    r = proxied.post("/v1/auth/code/verify", json={"email": LEE, "code": code}, headers=_from(OWNER))
    assert r.status_code == 200, r.text


def test_password_logins_across_random_emails_are_refused_soon(proxied: httpx.Client) -> None:
    base = str(proxied.base_url).rstrip("/")
    assert proxied.post("/v1/auth/signup", json={"email": LEE}, headers=_from(OWNER)).status_code == 202
    items = httpx.get(f"{base}/v1/dev/outbox", params={"to": LEE}).json()["items"]
    token = re.search(r"token=([A-Za-z0-9_-]+)", items[0]["body"]).group(1)  # type: ignore[union-attr]
    assert proxied.post("/v1/auth/password/set", json={"token": token, "password": GOOD}).status_code == 200

    refused_at, refused = _first_refused(
        lambda _: proxied.post(
            "/v1/auth/login", json={"email": _random_email(), "password": GOOD}, headers=_from(ATTACKER)
        )
    )
    assert refused_at == 30  # PAYDESK_LOGIN_TRIES_PER_ADDRESS
    error = assert_error(refused, 429, "rate_limited", "too_many_requests", "email")
    assert "from your network" in error["message"]
    r = proxied.post("/v1/auth/login", json={"email": LEE, "password": GOOD}, headers=_from(OWNER))
    assert r.status_code == 200, r.text


def test_an_attackers_code_requests_no_longer_lock_the_owner_out(proxied: httpx.Client) -> None:
    for _ in range(5):
        assert proxied.post("/v1/auth/code", json={"email": DANA}, headers=_from(ATTACKER)).status_code == 202
    r = proxied.post("/v1/auth/code", json={"email": DANA}, headers=_from(ATTACKER))
    error = assert_error(r, 429, "rate_limited", "too_many_requests", "email")
    assert "for this email" in error["message"] and _minutes_in(error["message"]) == 15
    # Dana, from her own address, still gets a code and signs in.
    assert _code_login(proxied, DANA, OWNER).status_code == 200


def test_the_codes_for_one_email_stay_bounded_across_addresses(proxied: httpx.Client) -> None:
    statuses = [
        proxied.post("/v1/auth/code", json={"email": DANA}, headers=_from(f"203.0.113.{n}")).status_code
        for n in range(1, 4)
        for _ in range(5)
    ]
    assert statuses == [202] * 15  # three addresses' worth
    r = proxied.post("/v1/auth/code", json={"email": DANA}, headers=_from("203.0.113.200"))
    error = assert_error(r, 429, "rate_limited", "too_many_requests", "email")
    assert "for this email" in error["message"]
    # Another email from that address is not held up.
    r = proxied.post("/v1/auth/code", json={"email": LEE}, headers=_from("203.0.113.200"))
    assert r.status_code == 202


def test_wrong_codes_from_one_address_do_not_stop_the_owner(proxied: httpx.Client) -> None:
    for _ in range(2):  # two codes killed by the attacker: 10 wrong tries for the pair
        assert proxied.post("/v1/auth/code", json={"email": DANA}, headers=_from(ATTACKER)).status_code == 202
        for guess in range(5):
            r = proxied.post(
                "/v1/auth/code/verify", json={"email": DANA, "code": f"99999{guess}"}, headers=_from(ATTACKER)
            )
            assert r.status_code in (401, 429), r.text
    r = proxied.post("/v1/auth/code/verify", json={"email": DANA, "code": "123456"}, headers=_from(ATTACKER))
    error = assert_error(r, 429, "rate_limited", "too_many_requests", "code")
    assert "for this email" in error["message"]
    assert _code_login(proxied, DANA, OWNER).status_code == 200


def test_wrong_guest_lookups_from_one_address_do_not_block_the_owner(proxied: httpx.Client) -> None:
    def lookup(last_name: str, address: str) -> httpx.Response:
        body = {"account_number": "4100012345", "last_name": last_name}
        return proxied.post("/v1/guest/lookup", json=body, headers=_from(address))

    for _ in range(10):
        assert_error(lookup("Wrong", ATTACKER), 404, "not_found", "account_not_found")
    error = assert_error(lookup("Whitfield", ATTACKER), 429, "rate_limited", "too_many_requests")
    assert "for this account" in error["message"] and _minutes_in(error["message"]) == 15
    r = lookup("Whitfield", OWNER)
    assert r.status_code == 200, r.text
    # Many accounts from one address: refused by the address's own limit.
    _, refused = _first_refused(
        lambda i: proxied.post(
            "/v1/guest/lookup",
            json={"account_number": f"{4200000000 + i}", "last_name": "Smith"},
            headers=_from("203.0.113.9"),
        )
    )
    assert "from your network" in assert_error(refused, 429, "rate_limited", "too_many_requests")["message"]


@pytest.mark.parametrize(
    ("path", "fields"),
    [("/v1/auth/signup", {}), ("/v1/auth/password/forgot", {"account_number": "4100012345"})],
)
def test_signup_and_forgot_from_one_address_are_refused_soon(
    proxied: httpx.Client, path: str, fields: dict[str, str]
) -> None:
    def send(address: str) -> httpx.Response:
        return proxied.post(path, json={**fields, "email": _random_email()}, headers=_from(address))

    refused_at, refused = _first_refused(lambda _: send(ATTACKER))
    assert refused_at == 20  # PAYDESK_PASSWORD_REQUESTS_PER_ADDRESS
    error = assert_error(refused, 429, "rate_limited", "too_many_requests", "email")
    assert "from your network" in error["message"]
    assert send(OWNER).status_code == 202


def test_x_forwarded_for_is_ignored_without_a_trusted_proxy(fresh_server: StubServer) -> None:
    with httpx.Client(base_url=fresh_server.base_url, timeout=30) as http:
        statuses = [
            http.post(
                "/v1/auth/code", json={"email": DANA}, headers={"X-Forwarded-For": f"203.0.113.{n}"}
            ).status_code
            for n in range(6)
        ]
    # Six "addresses", one socket address: the pair limit of 5 holds (uvicorn's own trust is off too).
    assert statuses == [202] * 5 + [429]


@pytest.mark.parametrize("param", DB_PARAMS)
def test_past_the_ceiling_answers_slow_down_but_are_not_refused(param: str, tmp_path: Path) -> None:
    env = {
        "PAYDESK_TRUSTED_PROXIES": "127.0.0.1",
        "PAYDESK_AUTH_CEILING_PER_MINUTE": "4",
        "PAYDESK_AUTH_SLOWDOWN_MS": "150",
    }
    for server in _server(param, tmp_path, env):
        with httpx.Client(base_url=server.base_url, timeout=30) as http:
            took: list[float] = []
            for n in range(8):  # each from an address and for an email of its own: no other limit
                started = time.monotonic()
                r = http.post("/v1/auth/code", json={"email": _random_email()}, headers=_from(f"192.0.2.{n}"))
                took.append(time.monotonic() - started)
                assert r.status_code == 202, r.text
            # Requests 5..8 wait 150, 300, 450, 600 ms: growing, and nobody refused.
            for n, seconds in enumerate(took[4:], start=1):
                assert seconds >= 0.15 * n, took


def test_serve_trusted_proxy_names_the_client(demo_db: str, tmp_path: Path) -> None:
    """`paydesk-stub serve --trusted-proxy 127.0.0.1` as a process: X-Forwarded-For names the client."""
    with (
        run_stub(
            demo_db, tmp_path, seed="none", no_jobs=True, extra_args=["--trusted-proxy", "127.0.0.1"]
        ) as server,
        httpx.Client(base_url=server.base_url, timeout=30) as http,
    ):
        statuses = [
            http.post("/v1/auth/code", json={"email": DANA}, headers=_from(address)).status_code
            for address in (ATTACKER, OWNER)
            for _ in range(6)
        ]
    assert statuses == ([202] * 5 + [429]) * 2  # each address its own count


def test_parallel_requests_for_many_emails_never_pass_the_address_limit(proxied: httpx.Client) -> None:
    base = str(proxied.base_url).rstrip("/")

    def ask(_: int) -> int:
        body = {"email": _random_email()}
        return httpx.post(f"{base}/v1/auth/code", json=body, headers=_from(ATTACKER), timeout=60).status_code

    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(ask, range(40)))
    assert sorted(statuses) == [202] * 30 + [429] * 10  # the address's count is taken in turn
