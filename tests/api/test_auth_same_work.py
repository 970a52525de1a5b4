"""The same work, known email or unknown (issue 10, finding 3): a code request, a sign-up, a forgotten
password and a password login for an unknown email run the same statements, in the same order, and the
same argon2 calls as for a known one, so they take the same time within noise (benchmarks/auth_timing.py
prints the medians). Counted on the server's own engine, in this process: SQLAlchemy's
`before_cursor_execute` event, and argon2's PasswordHasher calls."""

from __future__ import annotations

import contextlib
import re
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url

from tests.api.conftest import DB_PARAMS
from tests.support.stub import fresh_postgres_database, postgres_available, serve_stub

DANA, LEE = "dana@example.com", "lee@example.com"
GOOD = "Blue-Heron-42"


class Counted:
    """The statements the server's engine runs for requests (their verb and table) and the argon2 calls
    it makes."""

    def __init__(self, database: str) -> None:
        self.database = database
        self.statements: list[str] = []
        self.hashes = 0
        self._lock = threading.Lock()

    def on_statement(self, conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        # The server's engine, and only the requests' threads: not its lease's heartbeat ("lease ...").
        if conn.engine.url.database != self.database or threading.current_thread().name.startswith("lease"):
            return
        words = re.findall(r"[A-Za-z_]+", statement)
        verb = words[0].upper() if words else "?"
        table = next(
            (words[i + 1] for i, w in enumerate(words[:-1]) if w.upper() in ("FROM", "INTO", "UPDATE")), ""
        )
        with self._lock:
            self.statements.append(f"{verb} {table}".strip())

    def hashed(self) -> None:
        with self._lock:
            self.hashes += 1

    def take(self) -> tuple[list[str], int]:
        with self._lock:
            taken = (self.statements, self.hashes)
            self.statements, self.hashes = [], 0
        return taken


@pytest.fixture(params=DB_PARAMS)
def counted(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[httpx.Client, Counted]]:
    """A fresh in-process demo server (no background jobs: nothing but the requests runs statements)."""
    if request.param == "postgres":
        if not postgres_available():
            pytest.skip("no PostgreSQL at 127.0.0.1:5432: ran on SQLite only")
        context = fresh_postgres_database("demo")
    else:
        context = contextlib.nullcontext(f"sqlite:///{tmp_path / 'same.db'}")
    with context as url:
        counter = Counted(str(make_url(url).database))
        for name in ("verify", "hash"):
            original = getattr(PasswordHasher, name)

            def counting(self: PasswordHasher, *args: Any, _original: Any = original, **kwargs: Any) -> Any:
                counter.hashed()
                return _original(self, *args, **kwargs)

            monkeypatch.setattr(PasswordHasher, name, counting)
        event.listen(Engine, "before_cursor_execute", counter.on_statement)
        try:
            with (
                serve_stub(url, tmp_path, no_jobs=True) as server,
                httpx.Client(base_url=server.base_url, timeout=30) as http,
            ):
                yield http, counter
        finally:
            event.remove(Engine, "before_cursor_execute", counter.on_statement)


def _work(http: httpx.Client, counter: Counted, path: str, body: dict) -> tuple[int, list[str], int]:
    counter.take()
    status = http.post(path, json=body).status_code
    statements, hashes = counter.take()
    return status, statements, hashes


def _unknown() -> str:
    return f"nobody-{uuid.uuid4().hex[:10]}@example.com"


def _shape(work: tuple[int, list[str], int]) -> tuple[int, list[str], int]:
    """The answer, each statement's verb in order, the argon2 calls. The tables differ where they must:
    a known email's code goes to the outbox, an unknown one's decoy to auth_requests."""
    status, statements, hashes = work
    return status, [statement.split()[0] for statement in statements], hashes


def _same(http: httpx.Client, counter: Counted, path: str, known: dict, *unknowns: dict) -> None:
    _work(http, counter, path, {**known, "email": _unknown()})  # warm up (the code pepper is made once)
    expected = _work(http, counter, path, known)
    assert expected[1], "no statements counted: the listener is not on the server's engine"
    for unknown in unknowns:
        work = _work(http, counter, path, unknown)
        assert _shape(work) == _shape(expected), (path, unknown, work, expected)


def test_code_requests_do_the_same_work(counted: tuple[httpx.Client, Counted]) -> None:
    http, counter = counted
    _same(http, counter, "/v1/auth/code", {"email": DANA}, {"email": _unknown()})


def test_signups_do_the_same_work(counted: tuple[httpx.Client, Counted]) -> None:
    http, counter = counted
    _same(http, counter, "/v1/auth/signup", {"email": DANA}, {"email": _unknown()})


def test_forgotten_passwords_do_the_same_work(counted: tuple[httpx.Client, Counted]) -> None:
    http, counter = counted
    _same(
        http,
        counter,
        "/v1/auth/password/forgot",
        {"account_number": "4100012345", "email": DANA},
        {"account_number": "4100012345", "email": _unknown()},  # a real number, another email
        {"account_number": "4100067890", "email": DANA},  # a known email, another account's number
        {"account_number": "4100000001", "email": _unknown()},  # neither
    )


def test_password_logins_do_the_same_work(counted: tuple[httpx.Client, Counted]) -> None:
    http, counter = counted
    # Lee sets a password first; Dana has none.
    assert http.post("/v1/auth/signup", json={"email": LEE}).status_code == 202
    items = http.get("/v1/dev/outbox", params={"to": LEE}).json()["items"]
    token = re.search(r"token=([A-Za-z0-9_-]+)", items[0]["body"]).group(1)  # type: ignore[union-attr]
    assert http.post("/v1/auth/password/set", json={"token": token, "password": GOOD}).status_code == 200
    wrong = GOOD + "!"
    _same(
        http,
        counter,
        "/v1/auth/login",
        {"email": LEE, "password": wrong},
        {"email": _unknown(), "password": wrong},
        {"email": DANA, "password": wrong},
    )
    status, _, hashes = _work(http, counter, "/v1/auth/login", {"email": _unknown(), "password": wrong})
    assert (status, hashes) == (401, 1)  # one argon2 verify, against the dummy hash
