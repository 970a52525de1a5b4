"""`reading` and `writing` (backend_stub.store.db): each transaction commits or rolls back as it says,
on SQLite and on PostgreSQL; on SQLite a writer's BEGIN is IMMEDIATE (it takes the file's write lock
or fails with SQLAlchemy's error), a reader's is deferred (it never waits for a writer)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError, OperationalError

from backend_stub.store.db import after_commit, create_db_engine, reading, writing
from tests.support.stub import fresh_postgres_database, postgres_available


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "postgres":
        if not postgres_available():
            pytest.skip("no PostgreSQL at 127.0.0.1:5432: ran on SQLite only")
        with fresh_postgres_database() as url:
            engine = create_db_engine(url)
            yield engine
            engine.dispose()
        return
    engine = create_db_engine(f"sqlite:///{tmp_path / 'tx.db'}")
    yield engine
    engine.dispose()


def _rows(engine: Engine) -> list[int]:
    with reading(engine) as conn:
        return list(conn.execute(text("SELECT x FROM t ORDER BY x")).scalars())


@pytest.fixture
def table(engine: Engine) -> Engine:
    with writing(engine) as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
    return engine


def test_a_write_commits_and_a_failed_write_leaves_nothing(table: Engine) -> None:
    with writing(table) as conn:
        conn.execute(text("INSERT INTO t VALUES (1)"))
    with pytest.raises(RuntimeError), writing(table) as conn:
        conn.execute(text("INSERT INTO t VALUES (2)"))
        raise RuntimeError("refused")
    with writing(table) as conn:  # the failed writer gave its turn back
        conn.execute(text("INSERT INTO t VALUES (3)"))
    assert _rows(table) == [1, 3]


def test_a_statement_error_is_sqlalchemys_and_rolls_the_transaction_back(table: Engine) -> None:
    with pytest.raises(DBAPIError), writing(table) as conn:
        conn.execute(text("INSERT INTO t VALUES (1)"))
        conn.execute(text("INSERT INTO no_such_table VALUES (1)"))
    assert _rows(table) == []


def test_only_a_writers_connection_says_immediate(table: Engine) -> None:
    with writing(table) as conn:
        assert conn.get_execution_options().get("paydesk_immediate") is True
    with reading(table) as conn:
        assert not conn.get_execution_options().get("paydesk_immediate", False)


def _sqlite_file(engine: Engine) -> str:
    if engine.url.get_backend_name() != "sqlite":
        pytest.skip("SQLite's write lock")
    assert engine.url.database is not None
    return engine.url.database


def test_a_sqlite_writer_takes_the_write_lock_at_begin(table: Engine) -> None:
    other = sqlite3.connect(_sqlite_file(table), isolation_level=None, timeout=0.05)
    try:
        with writing(table), pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")  # before this writer wrote anything
        other.execute("BEGIN IMMEDIATE")  # and released at its end
        other.execute("ROLLBACK")
    finally:
        other.close()


def test_a_sqlite_writer_that_cannot_lock_fails_with_sqlalchemys_error(table: Engine) -> None:
    database = _sqlite_file(table)
    with table.connect() as conn:  # the pool's one connection: wait 50 ms for the lock, not 15 s
        conn.exec_driver_sql("PRAGMA busy_timeout=50")
    other = sqlite3.connect(database, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        with pytest.raises(OperationalError, match="locked") as raised, writing(table) as conn:
            conn.execute(text("INSERT INTO t VALUES (1)"))
        assert raised.value.statement == "BEGIN IMMEDIATE"
        with reading(table) as conn:  # a reader does not wait for the writer
            assert conn.execute(text("SELECT count(*) FROM t")).scalar_one() == 0
        other.execute("ROLLBACK")
    finally:
        other.close()
    with writing(table) as conn:  # the writer that failed gave its turn back
        conn.execute(text("INSERT INTO t VALUES (2)"))
    assert _rows(table) == [2]


def test_after_commit_runs_once_the_write_committed_and_never_after_a_rollback(table: Engine) -> None:
    done: list[str] = []
    with writing(table) as conn:
        conn.execute(text("INSERT INTO t VALUES (1)"))
        after_commit(conn, lambda: done.append("committed"))
        assert done == [], "not before the commit"
    assert done == ["committed"]
    with pytest.raises(RuntimeError), writing(table) as conn:
        after_commit(conn, lambda: done.append("rolled back"))
        raise RuntimeError("refused")
    with pytest.raises(DBAPIError), writing(table) as conn:
        after_commit(conn, lambda: done.append("failed statement"))
        conn.execute(text("INSERT INTO no_such_table VALUES (1)"))
    with writing(table) as conn:  # the next transaction on a pooled connection has none left over
        conn.execute(text("INSERT INTO t VALUES (2)"))
    with reading(table) as conn:  # outside a write transaction: at once
        after_commit(conn, lambda: done.append("outside"))
    assert done == ["committed", "outside"]
