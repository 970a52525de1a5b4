"""The one clock, a leaf every other module may read. Today is the `meta` row `today` when set (the demo
sets 2026-11-15), else the real UTC date. Expiry of codes and tokens uses real UTC time; every business
date rule is given `today()` as an argument. Moving the clock and running what fell due is `jobs`."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import Connection

from backend_stub.store import meta

TODAY_KEY = "today"


def utcnow() -> datetime:
    """Naive UTC now: the form every timestamp column holds."""
    return datetime.now(UTC).replace(tzinfo=None)


def today(conn: Connection) -> date:
    value = meta.get(conn, TODAY_KEY)
    return date.fromisoformat(value) if value else datetime.now(UTC).date()


def set_today(conn: Connection, day: date) -> None:
    meta.put(conn, TODAY_KEY, day.isoformat())


__all__ = ["set_today", "today", "utcnow"]
