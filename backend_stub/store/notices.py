"""Notices: what happened to an account's money without anyone asking, in words (see notice_words.py).
Written in the transaction of the event itself; a notice's `source_key` names its event, so an event
makes one notice however often its unit of work is run."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, RowMapping, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from backend_stub.clock import utcnow
from backend_stub.store.tables import NOTICE_KINDS, notices


def add(
    conn: Connection, account_id: int, kind: str, message: str, created_on: date, source_key: str
) -> None:
    """Write the notice unless its event already has one (ON CONFLICT DO NOTHING: a duplicate key
    error would abort a PostgreSQL transaction, and with it the event)."""
    if kind not in NOTICE_KINDS:
        raise ValueError(f"unknown notice kind {kind!r}")
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    conn.execute(
        insert(notices)
        .values(
            account_id=account_id,
            kind=kind,
            message=message,
            created_on=created_on,
            seen=False,
            created_at=utcnow(),
            source_key=source_key,
        )
        .on_conflict_do_nothing(index_elements=["source_key"])
    )


def one(conn: Connection, notice_id: int) -> RowMapping | None:
    return conn.execute(select(notices).where(notices.c.id == notice_id)).mappings().first()


def mark_seen(conn: Connection, notice_id: int) -> None:
    conn.execute(
        update(notices).where(notices.c.id == notice_id, notices.c.seen.is_(False)).values(seen=True)
    )


def page(
    conn: Connection, account_id: int, *, limit: int, before_id: int | None
) -> tuple[list[RowMapping], int]:
    """The account's notices newest first (limit + 1 fetched, for the cursor) and how many it has."""
    query = select(notices).where(notices.c.account_id == account_id)
    if before_id is not None:
        query = query.where(notices.c.id < before_id)
    rows = list(conn.execute(query.order_by(notices.c.id.desc()).limit(limit + 1)).mappings())
    total = conn.execute(
        select(func.count()).select_from(notices).where(notices.c.account_id == account_id)
    ).scalar_one()
    return rows, total
