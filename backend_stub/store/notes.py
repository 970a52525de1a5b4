"""A clerk's notes on an account (the wrap-up of a call), with the author's name."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, RowMapping, func, select

from backend_stub.store.tables import notes, users

_WITH_AUTHOR = select(notes, users.c.name.label("author_name")).select_from(
    notes.outerjoin(users, users.c.id == notes.c.created_by)
)


def create(
    conn: Connection, account_id: int, user_id: int, body: str, disposition: str, now: datetime
) -> RowMapping:
    new_id = conn.execute(
        notes.insert().values(
            account_id=account_id, created_by=user_id, body=body, disposition=disposition, created_at=now
        )
    ).inserted_primary_key[0]
    return conn.execute(_WITH_AUTHOR.where(notes.c.id == new_id)).mappings().one()


def page(
    conn: Connection, account_id: int, *, limit: int, before_id: int | None
) -> tuple[list[RowMapping], int]:
    """The account's notes newest first (limit + 1 fetched, for the cursor) and how many it has."""
    query = _WITH_AUTHOR.where(notes.c.account_id == account_id)
    if before_id is not None:
        query = query.where(notes.c.id < before_id)
    rows = list(conn.execute(query.order_by(notes.c.id.desc()).limit(limit + 1)).mappings())
    total = conn.execute(
        select(func.count()).select_from(notes).where(notes.c.account_id == account_id)
    ).scalar_one()
    return rows, total
