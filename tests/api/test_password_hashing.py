"""argon2 outside any write transaction and bounded in concurrency (issue 10, finding 2: the password check
ran inside the write transaction on SQLite, and a flood of logins raised payment latency twentyfold). Spied on
argon2's PasswordHasher in the in-process server: while it verifies, no transaction of the server is open
for writing, and never more than PAYDESK_PASSWORD_HASHES_AT_ONCE (2) run at once."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher
from sqlalchemy.engine import make_url

from backend_stub.store import db
from tests.api.conftest import DB_PARAMS
from tests.support.stub import PG_ADMIN_URL, fresh_postgres_database, postgres_available, serve_stub


class Spy:
    def __init__(self, database: str, postgres: bool) -> None:
        self.database, self.postgres = database, postgres
        self.running = self.most = self.calls = 0
        self.writes_open: list[int] = []
        self._lock = threading.Lock()

    def open_writes(self) -> int:
        """The server's write transactions open right now."""
        if not self.postgres:
            return sum(lock.locked() for lock in list(db._SQLITE_WRITE_LOCKS.values()))
        import psycopg

        with psycopg.connect(PG_ADMIN_URL) as conn:
            row = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s"
                " AND state LIKE 'idle in transaction%%'"
                " AND backend_xid IS NOT NULL",
                (self.database,),
            ).fetchone()
        return int(row[0]) if row else 0

    @contextlib.contextmanager
    def around(self) -> Iterator[None]:
        with self._lock:
            self.running += 1
            self.calls += 1
            self.most = max(self.most, self.running)
        try:
            yield
        finally:
            with self._lock:
                self.running -= 1


@pytest.fixture(params=DB_PARAMS)
def spied(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[httpx.Client, Spy]]:
    postgres = request.param == "postgres"
    if postgres:
        if not postgres_available():
            pytest.skip("no PostgreSQL at 127.0.0.1:5432: ran on SQLite only")
        context: Any = fresh_postgres_database("demo")
    else:
        context = contextlib.nullcontext(f"sqlite:///{tmp_path / 'hash.db'}")
    with context as url:
        spy = Spy(str(make_url(url).database), postgres)
        original = PasswordHasher.verify

        def verify(self: PasswordHasher, *args: Any, **kwargs: Any) -> Any:
            with spy.around():
                spy.writes_open.append(spy.open_writes())
                return original(self, *args, **kwargs)

        monkeypatch.setattr(PasswordHasher, "verify", verify)
        with (
            serve_stub(url, tmp_path, no_jobs=True) as server,
            httpx.Client(base_url=server.base_url, timeout=60) as http,
        ):
            yield http, spy


def test_a_login_verifies_its_password_outside_any_write_transaction(spied: tuple[httpx.Client, Spy]) -> None:
    http, spy = spied
    r = http.post("/v1/auth/login", json={"email": "dana@example.com", "password": "Not-Her-Password-1"})
    assert r.status_code == 401
    assert spy.calls == 1 and spy.writes_open == [0]


def test_a_flood_of_logins_hashes_two_at_a_time(spied: tuple[httpx.Client, Spy]) -> None:
    http, spy = spied
    base = str(http.base_url).rstrip("/")

    def attempt(n: int) -> int:
        body = {"email": f"flood-{n}@example.com", "password": "Some-Password-1"}
        return httpx.post(f"{base}/v1/auth/login", json=body, timeout=60).status_code

    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(attempt, range(12)))
    assert statuses == [401] * 12
    assert spy.calls == 12 and spy.most <= 2
    # Meanwhile the rest of the server answers: a read is not stuck behind the hashing.
    assert http.get("/v1/health").status_code == 200
