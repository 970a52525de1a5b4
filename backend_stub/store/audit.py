"""The audit log: every clerk action, with the clerk's id, the real time and the business date."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from sqlalchemy import Connection, RowMapping, func, select

from backend_stub import clock
from backend_stub.store.tables import audit_log, users


def record(conn: Connection, actor_user_id: int, action: str, account_id: int | None, **detail: Any) -> None:
    """One row, dated by the backend clock's today for this engine (the demo's moved clock shows its own
    day), so no caller passes the date."""
    conn.execute(
        audit_log.insert().values(
            actor_user_id=actor_user_id,
            action=action,
            account_id=account_id,
            detail=json.dumps(detail, sort_keys=True, default=str),
            at=clock.utcnow(),
            business_date=clock.today(conn),
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


def _filters(account_id: int | None, actor_user_id: int | None, on: date | None) -> list:
    where = []
    if account_id is not None:
        where.append(audit_log.c.account_id == account_id)
    if actor_user_id is not None:
        where.append(audit_log.c.actor_user_id == actor_user_id)
    if on is not None:
        where.append(audit_log.c.business_date == on)
    return where


def page(
    conn: Connection,
    *,
    account_id: int | None = None,
    actor_user_id: int | None = None,
    on: date | None = None,
    limit: int,
    before_id: int | None,
) -> tuple[list[RowMapping], int]:
    """A page of rows newest first (limit + 1 fetched, for the cursor), with each actor's name and role,
    and how many rows match (covered by ix_audit_log_account or ix_audit_log_actor_day)."""
    where = _filters(account_id, actor_user_id, on)
    query = (
        select(audit_log, users.c.name.label("actor_name"), users.c.role.label("actor_role"))
        .select_from(audit_log.outerjoin(users, users.c.id == audit_log.c.actor_user_id))
        .where(*where)
    )
    if before_id is not None:
        query = query.where(audit_log.c.id < before_id)
    rows = list(conn.execute(query.order_by(audit_log.c.id.desc()).limit(limit + 1)).mappings())
    total = conn.execute(select(func.count()).select_from(audit_log).where(*where)).scalar_one()
    return rows, total
