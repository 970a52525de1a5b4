"""Reading the outbox (the dev inbox)."""

from __future__ import annotations

from sqlalchemy import Connection, RowMapping, func, select

from backend_stub.store.tables import outbox


def for_recipient(
    conn: Connection, to: str, *, limit: int, before_id: int | None
) -> tuple[list[RowMapping], int]:
    to = to.strip().lower()
    total = conn.execute(select(func.count()).select_from(outbox).where(outbox.c.to == to)).scalar_one()
    query = select(outbox).where(outbox.c.to == to)
    if before_id is not None:
        query = query.where(outbox.c.id < before_id)
    rows = list(conn.execute(query.order_by(outbox.c.id.desc()).limit(limit + 1)).mappings())
    return rows, int(total)
