"""The last business day whose due work has run: one `meta` row (`jobs_last_day`), shared by every process
on the database. It only moves forward, by compare-and-set, so two processes never both advance it."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Connection, func, select, update

from backend_stub.store import meta
from backend_stub.store.tables import autopay_runs, invoices, payments
from backend_stub.store.tables import meta as meta_table

LAST_DAY_KEY = "jobs_last_day"


def last_day(conn: Connection) -> date | None:
    value = meta.get(conn, LAST_DAY_KEY)
    return date.fromisoformat(value) if value else None


def start(conn: Connection, day: date) -> date:
    """The last day run, made `day` if jobs never ran here (racing processes agree on the first one)."""
    return date.fromisoformat(meta.get_or_create(conn, LAST_DAY_KEY, day.isoformat))


def advance(conn: Connection, old: date, new: date) -> bool:
    """Move the last day run from `old` to `new`; False (and nothing changes) if it is no longer `old`.

    On PostgreSQL a racing UPDATE waits for this transaction and then finds the value changed (READ
    COMMITTED re-checks the WHERE); on SQLite writers take turns."""
    result = conn.execute(
        update(meta_table)
        .where(meta_table.c.key == LAST_DAY_KEY, meta_table.c.value == old.isoformat())
        .values(value=new.isoformat())
    )
    return result.rowcount == 1


def mark_through(conn: Connection, day: date) -> None:
    """Record that the due work through `day` has run (the dev clock runs it itself when it moves)."""
    current = last_day(conn)
    if current is None:
        start(conn, day)
    elif day > current:
        advance(conn, current, day)


def newest_business_day(conn: Connection) -> date | None:
    """The newest day the data knows of: an invoice's issue date, a payment's day, an autopay run's day."""
    issued = conn.execute(select(func.max(invoices.c.issued_on))).scalar_one_or_none()
    paid_at = conn.execute(select(func.max(payments.c.created_at))).scalar_one_or_none()
    autopay = conn.execute(select(func.max(autopay_runs.c.due_on))).scalar_one_or_none()
    days = [_as_date(v) for v in (issued, paid_at, autopay) if v is not None]
    return max(days) if days else None


def _as_date(value: date | datetime | str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])  # SQLite's max() of a DATE column may come back as text


__all__ = ["LAST_DAY_KEY", "advance", "last_day", "mark_through", "newest_business_day", "start"]
