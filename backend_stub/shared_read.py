"""One read transaction for the caller's sign-in and the request's reads.

The caller is looked up (deps.current_caller) before the route's transaction is chosen: a clerk's is a
write transaction (its reads are audited), anyone else's a read. Two read transactions per request (a
pool checkout, BEGIN, COMMIT and a check-in each) were a sixth of an invoice page's time. So, while a
OneTripRoute resolves a request's dependencies (`sharing`), the caller's read may be offered instead of
closed (`offered_reading`), and the request's read transaction takes it over (`claim`): one snapshot for
both. Only a route with such a dependency (`claims`) shares; an offer nobody claimed is closed when the
dependencies are resolved, before the endpoint runs; outside `sharing` (any other route) nothing is
offered and every read closes as it always did.

A read on the event loop (a short read, backend_stub.one_trip: `on_loop` is set) keeps its connection
checked out between requests (`loop_reading`): checking one out of the pool and back in, and making and
closing SQLAlchemy's `Connection` around it, were a tenth of an invoice page. The loop runs one short read
at a time, start to end; one handed to a pool thread half way keeps that connection until it ends there,
and the loop's next read meanwhile takes one from the pool.
"""

from __future__ import annotations

import contextvars
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine

from backend_stub.store.db import reading

# Set (by backend_stub.one_trip) while a short read runs on the event loop.
on_loop: contextvars.ContextVar[bool] = contextvars.ContextVar("paydesk_on_loop", default=False)
_LOOP_READERS = "_paydesk_loop_readers"  # on the engine: {event loop's thread id: its _LoopReader}


@dataclass(slots=True)
class _LoopReader:
    conn: Connection | None = None
    busy: bool = False  # set by the loop's thread only; cleared where the read ends (maybe a pool thread)


class loop_reading(AbstractContextManager[Connection]):
    """`reading(engine)`, on the loop's kept connection when the loop is running it and it is free.

    That read transaction is begun and ended on the driver's connection, without SQLAlchemy's transaction
    objects (their begin and commit were 7% of an invoice page). A statement run through SQLAlchemy in it
    joins it (the SQLite dialect's BEGIN sees the driver's transaction open: store.db) and SQLAlchemy then
    ends it. A class, not a generator: a generator's context manager cost as much as the BEGIN."""

    __slots__ = ("_engine", "_other", "_reader")

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._reader: _LoopReader | None = None
        self._other: AbstractContextManager[Connection] | None = None  # a pooled read instead

    def __enter__(self) -> Connection:
        engine = self._engine
        reader = None
        if on_loop.get():
            readers = engine.__dict__.setdefault(_LOOP_READERS, {})  # collected with the engine
            reader = readers.get(threading.get_ident())
            if reader is None:
                reader = readers[threading.get_ident()] = _LoopReader()
        if reader is None or reader.busy:
            self._other = reading(engine)
            return self._other.__enter__()
        reader.busy = True
        try:
            conn = reader.conn
            if conn is None or conn.closed or conn.invalidated:
                conn = reader.conn = engine.connect()
            dbapi = conn.connection.dbapi_connection
            assert dbapi is not None
            if dbapi.in_transaction:  # an end that failed (see __exit__) left it open: not this read's
                dbapi.rollback()
            dbapi.execute("BEGIN")
        except BaseException:
            reader.busy = False
            raise
        self._reader = reader
        return conn

    def __exit__(self, kind: Any, error: Any, traceback: Any) -> bool | None:
        if self._other is not None:
            return self._other.__exit__(kind, error, traceback)
        reader = self._reader
        assert reader is not None and reader.conn is not None
        conn = reader.conn
        try:
            dbapi = conn.connection.dbapi_connection
            assert dbapi is not None
            joined = conn.in_transaction()  # a SQLAlchemy statement joined it: SQLAlchemy ends it
            if kind is not None:
                if joined:
                    conn.rollback()
                else:
                    dbapi.rollback()
            elif joined:
                conn.commit()
            else:
                dbapi.commit()
        except BaseException:
            conn.invalidate()  # its state is unknown: the next read opens a new connection
            raise
        finally:
            reader.busy = False
        return None


@dataclass(slots=True)
class Offer:
    """A read transaction begun by one dependency; `keep` it to hand it to a later one."""

    engine: Engine
    conn: Connection
    _context: AbstractContextManager[Connection]
    keep: bool = False

    def close(self) -> None:
        self._context.__exit__(None, None, None)

    @contextmanager
    def held(self) -> Iterator[Connection]:
        """The claimed transaction, ended (as `reading` ends it) when the claimer is done."""
        try:
            yield self.conn
        except BaseException:
            if not self._context.__exit__(*sys.exc_info()):
                raise
        else:
            self.close()


CLAIMS = "__paydesk_claims_shared_read__"  # on a dependency that takes an offered read over


def claims(dependency: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a dependency that `claim`s: only a route with one shares its caller's read. On any other
    the caller's read closes at once, so a request never holds two connections (one idle) while a
    dependency opens a write transaction."""
    setattr(dependency, CLAIMS, True)
    return dependency


_offers: contextvars.ContextVar[list[Offer] | None] = contextvars.ContextVar("paydesk_offers", default=None)


@contextmanager
def sharing() -> Iterator[None]:
    """The resolution of one request's dependencies: what is offered in it and not claimed is closed."""
    offers: list[Offer] = []
    token = _offers.set(offers)
    try:
        yield
    finally:
        _offers.reset(token)
        while offers:
            offers.pop().close()


@contextmanager
def offered_reading(engine: Engine) -> Iterator[Offer]:
    """`loop_reading(engine)`, kept open past the block if the block sets `offer.keep` in `sharing`."""
    context = loop_reading(engine)
    conn = context.__enter__()
    offer = Offer(engine, conn, context)
    try:
        yield offer
    except BaseException:
        if not context.__exit__(*sys.exc_info()):
            raise
        return
    offers = _offers.get()
    if offer.keep and offers is not None:
        offers.append(offer)
    else:
        offer.close()


def claim(engine: Engine) -> Offer | None:
    """The read transaction offered on `engine` in this resolution, now the claimer's to end."""
    offers = _offers.get()
    if not offers:
        return None
    for index, offer in enumerate(offers):
        if offer.engine is engine:
            return offers.pop(index)
    return None


@contextmanager
def claimed_or_reading(engine: Engine) -> Iterator[Connection]:
    """The read transaction offered on `engine` in this resolution (the caller was read in it), else a
    read transaction of its own."""
    offer = claim(engine)
    if offer is None:
        with loop_reading(engine) as conn:
            yield conn
    else:
        with offer.held() as conn:
            yield conn
