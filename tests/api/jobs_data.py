"""Helpers for the jobs and clock tests: tokens got under --dev (tokens live in the database, so they work
on a server restarted without it), and the data moved relative to the real date, so a test gives the same
result on any day."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TypeVar

from sqlalchemy import update

from backend_stub import clock
from backend_stub.store import job_days
from backend_stub.store.db import create_db_engine, writing
from backend_stub.store.tables import invoices, meta, payments
from tests.api.conftest import Api
from tests.support.stub import StubServer, serve_stub

ZONE = "America/Los_Angeles"  # the default business zone
T = TypeVar("T")


def real_today(zone: str = ZONE) -> date:
    return clock.real_today(zone)


def tokens_under_dev(db_url: str, workdir: Path, *emails: str, seed: str = "demo") -> dict[str, str]:
    """Log in under --dev (no jobs), for a server that runs without --dev on the same database later."""
    with serve_stub(db_url, workdir, seed=seed, dev=True, no_jobs=True) as server:
        api = Api(server)
        try:
            return {email: api.token(email) for email in emails}
        finally:
            api.close()


def api_with(server: StubServer, tokens: dict[str, str]) -> Api:
    api = Api(server)
    api._tokens.update(tokens)  # no outbox to log in from without --dev
    return api


def pin_and_shift(db_url: str, pinned: date, **changes: dict[int, dict]) -> None:
    """Pin the database's date to `pinned` (the day a seed leaves it at) and apply row `changes`:
    `invoices={id: {column: value}}`, `payments={id: {...}}`."""
    engine = create_db_engine(db_url)
    try:
        with writing(engine) as conn:
            conn.execute(update(meta).where(meta.c.key == clock.TODAY_KEY).values(value=pinned.isoformat()))
            conn.execute(meta.delete().where(meta.c.key == job_days.LAST_DAY_KEY))  # never ran jobs
            for table in (invoices, payments):
                for row_id, values in changes.get(table.name, {}).items():
                    conn.execute(update(table).where(table.c.id == row_id).values(**values))
    finally:
        engine.dispose()


def at_noon(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time()) + timedelta(hours=12)


def wait_for(probe: Callable[[], T | None], what: str, timeout: float = 30.0) -> T:
    """Poll `probe` until it returns something truthy; fail with `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(0.1)
