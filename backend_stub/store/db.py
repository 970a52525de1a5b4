"""Engines and transactions.

SQLite: WAL, foreign keys and a busy timeout on every connection; pysqlite's own BEGIN handling is
off so that SQLAlchemy emits BEGIN itself, and write transactions BEGIN IMMEDIATE (a deferred BEGIN
that later writes fails with 'database is locked' under concurrent writers instead of waiting).
PostgreSQL needs nothing special: row locks (`FOR UPDATE`) serialise the payment writes.
"""

from __future__ import annotations

import sqlite3
import threading
import weakref
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, Insert, Table, bindparam, create_engine, event, exc
from sqlalchemy.engine import make_url
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.sql.elements import BindParameter

_IMMEDIATE = "paydesk_immediate"

# SQLite has one write lock per file. Writers that miss it wait in SQLite's busy handler, which sleeps
# and polls with growing naps: under 16 concurrent payments that gave a p99 above a second. Queueing the
# writers of this process on a Python lock first hands the write lock over as soon as it is free; the
# busy timeout still covers other processes on the same file.
#
# Not reentrant, and released by any thread (a TurnLock, as a plain Lock): a request's transaction is a
# FastAPI dependency whose enter and exit run on different threads of the pool. A nested writer (a bug)
# waits out the busy timeout and fails loudly, as it would on SQLite's own lock; it never hangs. Turns
# go in the order they were asked for, which took the p99 of 16 concurrent payments from 125 to 85 ms.
_SQLITE_WRITE_LOCKS: weakref.WeakKeyDictionary[Engine, TurnLock] = weakref.WeakKeyDictionary()
_BUSY_TIMEOUT_SECONDS = 15


class TurnLock:
    """A lock handed over in the order it was asked for (threading.Lock lets a thread that just released
    it take it again ahead of the waiters: under 16 payments some waited many turns, the p99). Released
    by any thread, as a plain Lock may be."""

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._held = False
        self._waiters: deque[threading.Lock] = deque()

    def acquire(self, timeout: float) -> bool:
        with self._mutex:
            if not self._held:
                self._held = True
                return True
            gate = threading.Lock()
            gate.acquire()
            self._waiters.append(gate)
        if gate.acquire(timeout=timeout):
            return True  # handed over by `release`: held for us
        with self._mutex:
            if gate in self._waiters:
                self._waiters.remove(gate)
                return False
        return True  # handed over just as the wait ran out: ours all the same

    def locked(self) -> bool:
        """Whether a writer has its turn now (as `threading.Lock.locked`)."""
        return self._held

    def release(self) -> None:
        with self._mutex:
            if self._waiters:
                self._waiters.popleft().release()  # stays held, by the next in line
            else:
                self._held = False


# anyio's thread pool runs at most 40 sync calls at once (its default limiter); a few more for the jobs.
SQLITE_POOL_SIZE = 48


def create_db_engine(db_url: str) -> Engine:
    """An engine for `db_url` with the connection settings Paydesk relies on.

    `hide_parameters`: a database error's message never carries the values of the statement (secrets,
    emails, tokens) into a log or a traceback.
    """
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite":
        database = url.database
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        # A file: one connection per thread that may hold one (the thread pool's 40, the jobs, a margin),
        # kept open. SQLAlchemy's default of 5 + 10 overflow closed a connection whenever more than 5 were
        # in use and opened a new one (its PRAGMAs, an empty page cache) on the next request. The overflow
        # is for a burst of requests that hold a transaction between two trips to the thread pool (routes
        # that are not one trip): without it they could wait for each other's connections.
        in_memory = not database or database == ":memory:" or "mode=memory" in database
        pool = {} if in_memory else {"pool_size": SQLITE_POOL_SIZE, "max_overflow": 32, "pool_timeout": 15}
        engine = create_engine(
            url,
            connect_args={"timeout": _BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
            hide_parameters=True,
            **pool,
        )
        _configure_sqlite(engine)
        _SQLITE_WRITE_LOCKS[engine] = TurnLock()
        return engine
    # Per worker process: 10 kept open and 10 more under a burst, so 4 workers stay within PostgreSQL's
    # default max_connections of 100. A request holds one for its one trip to the thread pool.
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10, hide_parameters=True)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        # Let SQLAlchemy emit BEGIN (see module docstring).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_SECONDS * 1000}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    # BEGIN through the dialect, not a `begin` event: an engine with a Connection event listener makes
    # every Connection dispatch its events (begin, commit, rollback and four per statement), while
    # with none (SQLite now, as PostgreSQL) SQLAlchemy skips them all.
    engine.dialect.do_begin = _sqlite_begin  # type: ignore[method-assign]


def _sqlite_begin(connection: PoolProxiedConnection) -> None:
    """BEGIN straight to the driver, without a statement's machinery (a fifth of a short read's database
    time): a deferred one takes no lock and cannot fail; a writer's (`writing` marks its connection)
    is BEGIN IMMEDIATE, which may wait and fail, and then fails with SQLAlchemy's error ('database is
    locked' is an OperationalError), as through a statement."""
    dbapi_connection = connection.dbapi_connection
    assert dbapi_connection is not None
    if not connection.info.get(_IMMEDIATE, False):
        if not dbapi_connection.in_transaction:  # else a read begun on the driver (shared_read): joined
            dbapi_connection.execute("BEGIN")
        return
    try:
        dbapi_connection.execute("BEGIN IMMEDIATE")
    except sqlite3.Error as error:
        raise exc.DBAPIError.instance("BEGIN IMMEDIATE", (), error, sqlite3.Error) from error


def reads_on_event_loop(engine: Engine) -> bool:
    """Whether a request's short reads may run on the event loop itself (backend_stub.one_trip): on a
    SQLite file in WAL a read never waits for a writer and takes microseconds; a PostgreSQL read is a
    network round trip, and an in-memory SQLite database has one connection per thread."""
    database = engine.url.database or ""
    return (
        engine.url.get_backend_name() == "sqlite"
        and database not in ("", ":memory:")
        and "mode=memory" not in database
    )


def check_database(engine: Engine) -> None:
    """Raise unless the database answers: a `SELECT 1` through the pool (on PostgreSQL the pool's ping
    reconnects, or fails); on a SQLite file, also that the file is still where the engine opens it (an
    open connection goes on reading a file that was deleted or moved away)."""
    database = engine.url.database or ""
    on_file = engine.url.get_backend_name() == "sqlite" and database not in ("", ":memory:")
    if on_file and not database.startswith("file:") and not Path(database).expanduser().is_file():
        raise FileNotFoundError(f"the database file is gone: {database}")
    # The DBAPI connection itself: no BEGIN and ROLLBACK around the one statement.
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute("SELECT 1")
        cursor.fetchall()
        cursor.close()
    finally:
        connection.close()


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """A read transaction (a consistent snapshot), ended when the block ends: a read changes nothing."""
    with engine.connect() as conn, conn.begin():
        yield conn


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """A short write transaction: BEGIN IMMEDIATE on SQLite, committed on success. Its connection's
    execution options say `paydesk_immediate` (they come with the writers' engine, at no cost)."""
    with _writer_turn(engine), _writers(engine).connect() as conn:
        info = conn.connection.info  # the pooled connection's: read by `_sqlite_begin`, then cleared
        info[_IMMEDIATE] = True
        try:
            transaction = conn.begin()
        finally:
            del info[_IMMEDIATE]
        committed: list[Callable[[], object]] = []
        info[_AFTER_COMMIT] = committed
        try:
            with transaction:
                yield conn
        finally:
            del info[_AFTER_COMMIT]
    for action in committed:  # reached only when the transaction committed
        action()


_AFTER_COMMIT = "paydesk_after_commit"


def after_commit(conn: Connection, action: Callable[[], object]) -> None:
    """Run `action` once the `writing` transaction of `conn` has committed (never if it rolls back); at
    once on a connection outside one. For what must not claim a write that may yet be undone (a log line)."""
    waiting = conn.info.get(_AFTER_COMMIT)
    if waiting is None:
        action()
    else:
        waiting.append(action)


_WRITERS = "_paydesk_writers"


def _writers(engine: Engine) -> Engine:
    """`engine` with the writers' execution options (the same pool, dialect and events), made once:
    setting them on each connection cost as much as its BEGIN and COMMIT."""
    writers = engine.__dict__.get(_WRITERS)
    if writers is None:
        writers = engine.execution_options(**{_IMMEDIATE: True})
        setattr(engine, _WRITERS, writers)  # engine -> writers -> engine: collected with the engine
    return writers


@contextmanager
def _writer_turn(engine: Engine) -> Iterator[None]:
    """This process's turn to write to a SQLite file (nothing to wait for on PostgreSQL)."""
    lock = _SQLITE_WRITE_LOCKS.get(engine)
    if lock is None:
        yield
        return
    if not lock.acquire(timeout=_BUSY_TIMEOUT_SECONDS):
        raise TimeoutError(f"no turn to write to the database in {_BUSY_TIMEOUT_SECONDS} s")
    try:
        yield
    finally:
        lock.release()


def bound_values(table: Table, *columns: str) -> dict[str, BindParameter]:
    """Each of `columns` bound by its own name with its column's type: the values of a constant
    statement, built once and run by fast_rows on the hot paths."""
    return {name: bindparam(name, type_=table.c[name].type) for name in columns}


def insert_returning_id(table: Table, *columns: str) -> Insert:
    """A constant `INSERT` of `columns` (see `bound_values`) answering the new row's id."""
    return table.insert().values(bound_values(table, *columns)).returning(table.c.id)
