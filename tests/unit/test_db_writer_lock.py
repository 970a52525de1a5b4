"""The SQLite writers' turn is handed over between threads: FastAPI enters a request's transaction
dependency on one thread of its pool and leaves it on another."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import text

from backend_stub.store.db import create_db_engine, writing


def test_a_write_transaction_entered_on_one_thread_ends_on_another(tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'w.db'}")
    with writing(engine) as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
    transaction = writing(engine)
    with ThreadPoolExecutor(max_workers=1) as first, ThreadPoolExecutor(max_workers=1) as second:
        conn = first.submit(transaction.__enter__).result()
        second.submit(conn.execute, text("INSERT INTO t VALUES (1)")).result()
        second.submit(transaction.__exit__, None, None, None).result()
    # the turn was given back: the next writer gets it, and the row was committed
    with writing(engine) as conn:
        assert conn.execute(text("SELECT count(*) FROM t")).scalar_one() == 1
    engine.dispose()
