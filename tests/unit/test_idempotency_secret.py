"""The per-database secret of the idempotency fingerprints is made once for every process: a worker that
finds none while another worker is making it keeps the other's, never overwrites it (two workers with two
secrets fingerprint one retried payment differently and answer 422 `idempotency_key_reused`)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event

from backend_stub import idempotency
from backend_stub.cli import make_settings, prepare_database
from backend_stub.store import meta
from backend_stub.store.db import create_db_engine, reading, writing
from tests.support.stub import fresh_postgres_database, postgres_available

pytestmark = pytest.mark.postgres


@pytest.fixture
def database() -> Iterator[str]:
    if not postgres_available():
        pytest.skip("no PostgreSQL at 127.0.0.1:5432: SQLite's writer holds the file's lock, so no race")
    with fresh_postgres_database() as url:
        prepare_database(url, "none").dispose()
        yield url


def test_a_secret_another_worker_commits_while_this_one_writes_is_the_one_kept(database: str) -> None:
    engine = create_db_engine(database)
    other_worker = create_db_engine(database)
    raced: list[str] = []

    def commit_the_other_workers_secret_first(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        # Right before this worker writes its secret: the moment the other worker's commit lands.
        if not raced and statement.lstrip().upper().startswith(("INSERT INTO META", "UPDATE META")):
            raced.append(statement)
            with writing(other_worker) as other:
                meta.put(other, "idempotency_secret", "the-other-workers-secret")

    event.listen(engine, "before_cursor_execute", commit_the_other_workers_secret_first)
    try:
        secret = idempotency.secret_of(engine, make_settings(database, environ={}))
    finally:
        event.remove(engine, "before_cursor_execute", commit_the_other_workers_secret_first)
    assert raced, "the race was not staged: no write of the secret was seen"
    assert secret == "the-other-workers-secret"
    with reading(engine) as conn:
        assert meta.get(conn, "idempotency_secret") == "the-other-workers-secret"
    engine.dispose()
    other_worker.dispose()


def test_the_secret_is_made_once_and_then_read(database: str) -> None:
    engine = create_db_engine(database)
    settings = make_settings(database, environ={})
    first = idempotency.secret_of(engine, settings)
    assert len(first) == 64 and idempotency.secret_of(engine, settings) == first
    engine.dispose()
