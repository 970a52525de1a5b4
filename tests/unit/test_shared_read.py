"""backend_stub.shared_read: the caller's read handed to the request's read transaction, and never left
open when nobody takes it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from backend_stub import shared_read
from backend_stub.store.db import create_db_engine


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'shared.db'}")
    yield engine
    engine.dispose()


def test_a_kept_read_is_claimed_once_and_ends_with_its_claimer(engine: Engine) -> None:
    with shared_read.sharing():
        with shared_read.offered_reading(engine) as offer:
            offer.keep = True
        assert not offer.conn.closed
        claimed = shared_read.claim(engine)
        assert claimed is offer
        assert shared_read.claim(engine) is None  # once
    assert not offer.conn.closed  # the claimer's now, not the scope's
    with claimed.held() as conn:
        assert conn.execute(text("SELECT 1")).scalar_one() == 1
    assert conn.closed


def test_an_unclaimed_read_closes_with_the_scope_and_nothing_is_kept_outside_one(engine: Engine) -> None:
    with shared_read.sharing(), shared_read.offered_reading(engine) as offer:
        offer.keep = True
    assert offer.conn.closed
    with shared_read.offered_reading(engine) as outside:
        outside.keep = True  # no scope: closed at once
    assert outside.conn.closed
    assert shared_read.claim(engine) is None


def test_a_read_not_kept_or_failed_closes_at_once(engine: Engine) -> None:
    with shared_read.sharing():
        with shared_read.offered_reading(engine) as offer:
            pass
        assert offer.conn.closed
        with pytest.raises(LookupError), shared_read.offered_reading(engine) as failed:
            failed.keep = True
            raise LookupError
        assert failed.conn.closed
        assert shared_read.claim(engine) is None


def test_an_error_in_the_claimer_ends_the_transaction_and_goes_on(engine: Engine) -> None:
    with shared_read.sharing():
        with shared_read.offered_reading(engine) as offer:
            offer.keep = True
        claimed = shared_read.claim(engine)
    assert claimed is not None
    with pytest.raises(KeyError), claimed.held():
        raise KeyError
    assert offer.conn.closed


def test_reads_on_the_loop_reuse_one_connection_and_see_each_commit(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (n INTEGER)"))
    token = shared_read.on_loop.set(True)
    try:
        with shared_read.loop_reading(engine) as first:
            assert first.execute(text("SELECT count(*) FROM t")).scalar_one() == 0
        assert not first.closed and not first.in_transaction()  # kept for the next read, its read ended
        with engine.begin() as other:
            other.execute(text("INSERT INTO t VALUES (1)"))
        with shared_read.loop_reading(engine) as second:
            assert second is first
            assert second.execute(text("SELECT count(*) FROM t")).scalar_one() == 1  # a new snapshot
            with shared_read.loop_reading(engine) as meanwhile:  # the kept one is busy: one of the pool's
                assert meanwhile is not first
        with pytest.raises(LookupError), shared_read.loop_reading(engine) as failed:
            raise LookupError
        assert failed is first and not failed.in_transaction()  # rolled back, kept
        with shared_read.loop_reading(engine) as driver_only:  # as fast_rows reads: the driver's cursor
            dbapi = driver_only.connection.dbapi_connection
            assert dbapi.in_transaction and dbapi.execute("SELECT count(*) FROM t").fetchone() == (1,)
        assert not dbapi.in_transaction  # ended on the driver
    finally:
        shared_read.on_loop.reset(token)
    with shared_read.loop_reading(engine) as off_the_loop:
        assert off_the_loop is not first
    assert off_the_loop.closed  # a pool thread's read gives its connection back


def test_a_kept_connection_left_in_a_transaction_is_rolled_back_before_the_next_read(engine: Engine) -> None:
    token = shared_read.on_loop.set(True)
    try:
        with shared_read.loop_reading(engine) as kept:
            pass
        dbapi = kept.connection.dbapi_connection
        dbapi.execute("BEGIN")  # as an end that failed would leave it
        with shared_read.loop_reading(engine) as again:
            assert again is kept and again.execute(text("SELECT 1")).scalar_one() == 1
        assert not dbapi.in_transaction
    finally:
        shared_read.on_loop.reset(token)
