"""The audit log: every clerk action, with the clerk's id."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, RowMapping, select

from backend_stub.clock import utcnow
from backend_stub.store.tables import audit_log


def record(conn: Connection, actor_user_id: int, action: str, account_id: int | None, **detail: Any) -> None:
    conn.execute(
        audit_log.insert().values(
            actor_user_id=actor_user_id,
            action=action,
            account_id=account_id,
            detail=json.dumps(detail, sort_keys=True, default=str),
            at=utcnow(),
        )
    )


def entries(
    conn: Connection, *, account_id: int | None, limit: int, before_id: int | None
) -> list[RowMapping]:
    query = select(audit_log)
    if account_id is not None:
        query = query.where(audit_log.c.account_id == account_id)
    if before_id is not None:
        query = query.where(audit_log.c.id < before_id)
    return list(conn.execute(query.order_by(audit_log.c.id.desc()).limit(limit + 1)).mappings())
