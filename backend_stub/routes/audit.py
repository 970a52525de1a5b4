"""The audit trail as clerks read it: an account's (who did what to it, reads included), and a clerk's own
actions of a day. `date=` filters on the business date (the backend clock's today when the row was
written), so the demo's moved clock shows its own day. Clerks only; reading an account's trail is itself
audited, as every clerk read is."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import RowMapping

from backend_stub import clock, cursor
from backend_stub.deps import Conn, PathId, account_access, clerk_only
from backend_stub.one_trip import OneTripRoute, in_request_thread
from backend_stub.routes import rules
from backend_stub.routes.common import CursorQuery, Limit, errors
from backend_stub.schemas.console import Actor, AuditItem, AuditItemPage
from backend_stub.store import audit
from backend_stub.store.auth import User

router = APIRouter(tags=["clerk"], route_class=OneTripRoute)

Auditor = Annotated[User, clerk_only("Only a clerk can read the audit trail.")]
BusinessDate = Annotated[
    date | None, Query(alias="date", description="A business date, YYYY-MM-DD: only the rows written on it.")
]
Cursor = CursorQuery


@in_request_thread(io=False)
def _trail_detail(on: BusinessDate = None) -> dict:
    return {"date": on.isoformat()} if on is not None else {}


AuditedAccount = Annotated[RowMapping, account_access("audit.view", detail=_trail_detail)]


def audit_item(row: RowMapping) -> AuditItem:
    actor = None
    if row["actor_user_id"] is not None:
        actor = Actor(id=row["actor_user_id"], name=row["actor_name"] or "", role=row["actor_role"] or "")
    return AuditItem(
        id=row["id"],
        at=row["at"],
        business_date=row["business_date"],
        actor=actor,
        action=row["action"],
        account_id=row["account_id"],
        detail=json.loads(row["detail"] or "{}"),
    )


def _page(rows: list[RowMapping], total: int, limit: int) -> AuditItemPage:
    rows, next_cursor = cursor.page(rows, limit, lambda r: (r["id"],))
    return AuditItemPage(items=[audit_item(r) for r in rows], next_cursor=next_cursor, total_count=total)


@router.get(
    "/v1/accounts/{account_id}/audit",
    operation_id="listAccountAudit",
    response_model=AuditItemPage,
    responses=errors(400, 401, 403, 404, rules=rules.CURSOR),
    summary="The account's audit trail, newest first (clerks only)",
)
def list_account_audit(
    account_id: PathId,
    _clerk: Auditor,
    _account: AuditedAccount,
    conn: Conn,
    on: BusinessDate = None,
    limit: Limit = 50,
    cursor_: Cursor = None,
) -> AuditItemPage:
    rows, total = audit.page(
        conn, account_id=account_id, on=on, limit=limit, before_id=cursor.decode_id(cursor_)
    )
    return _page(rows, total, limit)


@router.get(
    "/v1/clerk/audit",
    operation_id="listMyAudit",
    response_model=AuditItemPage,
    responses=errors(400, 401, 403, rules=rules.CURSOR),
    summary="The calling clerk's own actions of a business day (default today), newest first",
)
def list_my_audit(
    clerk: Auditor, conn: Conn, on: BusinessDate = None, limit: Limit = 50, cursor_: Cursor = None
) -> AuditItemPage:
    day = on or clock.today(conn)
    rows, total = audit.page(
        conn, actor_user_id=clerk.id, on=day, limit=limit, before_id=cursor.decode_id(cursor_)
    )
    # Audited after the read: the page answered does not list the read that made it.
    audit.record(conn, clerk.id, "audit.own_view", None, date=day.isoformat())
    return _page(rows, total, limit)
