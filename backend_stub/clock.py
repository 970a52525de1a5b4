"""The one clock. Today is the `meta` row `today` when set (the demo sets 2026-11-15), else the real UTC
date. Expiry of codes and tokens uses real UTC time; every business date rule reads `today()`."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime

from sqlalchemy import Connection

from backend_stub.store import meta

log = logging.getLogger(__name__)

TODAY_KEY = "today"


def utcnow() -> datetime:
    """Naive UTC now: the form every timestamp column holds."""
    return datetime.now(UTC).replace(tzinfo=None)


def today(conn: Connection) -> date:
    value = meta.get(conn, TODAY_KEY)
    return date.fromisoformat(value) if value else datetime.now(UTC).date()


def set_today(conn: Connection, day: date) -> None:
    meta.put(conn, TODAY_KEY, day.isoformat())


def advance_to(conn: Connection, new_today: date) -> date:
    """Move the clock forward to `new_today` and run what fell due in between. Never backwards."""
    old = today(conn)
    if new_today < old:
        raise ValueError("the clock only moves forward")
    set_today(conn, new_today)
    if new_today > old:
        run_due_jobs(conn, old, new_today)
    return new_today


def run_due_jobs(conn: Connection, from_day: date, to_day: date) -> None:
    """Run everything that fell due in (from_day, to_day]: bank payments settle (or are returned) on their
    settlement date. Each job leaves the state that selects it, so it runs once however the clock moves;
    one that fell due before `from_day` and was missed runs now too. A real deployment runs this daily."""
    from backend_stub.payflow import settle_due  # payflow reads the clock: import here, not at the top

    settled = settle_due(conn, to_day)
    log.debug("due jobs for %s..%s: %d bank payments settled or returned", from_day, to_day, settled)


__all__ = ["advance_to", "run_due_jobs", "set_today", "today", "utcnow"]
