"""Contact-us messages."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, RowMapping, select

from backend_stub.store.tables import messages


def create(
    conn: Connection, account_id: int, user_id: int, subject: str, body: str, now: datetime
) -> RowMapping:
    new_id = conn.execute(
        messages.insert().values(
            account_id=account_id, user_id=user_id, subject=subject, body=body, created_at=now
        )
    ).inserted_primary_key[0]
    return conn.execute(select(messages).where(messages.c.id == new_id)).mappings().one()
