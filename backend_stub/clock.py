"""The one clock. Today is the `meta` row `today` when set (the demo sets 2026-11-15), else the real UTC
date. Expiry of codes and tokens uses real UTC time; every business date rule reads `today()`."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Connection

from backend_stub.store import meta

if TYPE_CHECKING:
    from backend_stub.processor import Processor
    from backend_stub.settings import Settings

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


def advance_to(
    conn: Connection, new_today: date, processor: Processor | None = None, settings: Settings | None = None
) -> date:
    """Move the clock forward to `new_today` and run what fell due in between. Never backwards."""
    old = today(conn)
    if new_today < old:
        raise ValueError("the clock only moves forward")
    set_today(conn, new_today)
    if new_today > old:
        run_due_jobs(conn, old, new_today, processor, settings)
    return new_today


def run_due_jobs(
    conn: Connection,
    from_day: date,
    to_day: date,
    processor: Processor | None = None,
    settings: Settings | None = None,
) -> None:
    """Run everything that fell due in (from_day, to_day]: bank payments settle (or are returned) on their
    settlement date; with a processor, autopay pays the invoices due on each day. Each job leaves the
    state that selects it (a settled payment, an autopay run row), so it runs once however the clock
    moves. A real deployment runs this daily."""
    # payflow and autopay read the clock: import here, not at the top
    from backend_stub.autopay import run_autopay
    from backend_stub.payflow import settle_due
    from backend_stub.scheduling import run_due

    settled = settle_due(conn, to_day)
    paid = 0
    if processor is not None and settings is not None:
        paid = run_autopay(conn, processor, settings, from_day, to_day)
        paid += run_due(conn, processor, settings, to_day)
        settled += settle_due(conn, to_day)  # a bank autopay made on an early day may settle by to_day
    log.debug("due jobs for %s..%s: %d settled or returned, %d autopay", from_day, to_day, settled, paid)


__all__ = ["advance_to", "run_due_jobs", "set_today", "today", "utcnow"]
