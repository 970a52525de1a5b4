"""Notices: a returned bank payment, a failed or skipped autopay or scheduled run, said in words on the
account (the customer's home and the clerk's console read the same list). The account's customer and
clerks; a notice of another account is 404 as if it did not exist. `seen` is kept per notice."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter
from sqlalchemy import RowMapping

from backend_stub import cursor
from backend_stub.deps import Conn, PathId, UserDep, WriteConn, account_access
from backend_stub.errors import not_found
from backend_stub.one_trip import OneTripRoute, short_read
from backend_stub.routes import rules
from backend_stub.routes.common import CursorQuery, Limit, errors
from backend_stub.schemas.console import Notice, NoticePage
from backend_stub.store import accounts as account_store
from backend_stub.store import audit
from backend_stub.store import notices as store

router = APIRouter(tags=["accounts"], route_class=OneTripRoute)

ListedAccount = Annotated[RowMapping, account_access("notices.list")]


def notice_view(row: Mapping[str, Any]) -> Notice:
    return Notice(
        id=row["id"], kind=row["kind"], message=row["message"], created_on=row["created_on"], seen=row["seen"]
    )


@router.get(
    "/v1/accounts/{account_id}/notices",
    operation_id="listNotices",
    response_model=NoticePage,
    responses=errors(400, 401, 403, 404, rules=rules.CURSOR),
    summary="Returns and failed or skipped autopay and scheduled runs, in words, newest first",
)
@short_read
def list_notices(
    account_id: PathId,
    _account: ListedAccount,
    conn: Conn,
    limit: Limit = 50,
    cursor_: CursorQuery = None,
) -> NoticePage:
    rows, total = store.page(conn, account_id, limit=limit, before_id=cursor.decode_id(cursor_))
    rows, next_cursor = cursor.page(rows, limit, lambda r: (r["id"],))
    return NoticePage(items=[notice_view(r) for r in rows], next_cursor=next_cursor, total_count=total)


@router.post(
    "/v1/notices/{notice_id}/seen",
    operation_id="markNoticeSeen",
    response_model=Notice,
    responses=errors(401, 403, 404),
    summary="Mark a notice seen (again: no change)",
)
def mark_seen(notice_id: PathId, user: UserDep, conn: WriteConn) -> Notice:
    row = store.one(conn, notice_id)
    if row is None or account_store.visible_account(conn, user, row["account_id"]) is None:
        raise not_found("No such notice.")
    if not row["seen"]:
        store.mark_seen(conn, notice_id)
    if user.is_clerk:
        audit.record(conn, user.id, "notice.seen", row["account_id"], notice_id=notice_id)
    return notice_view({**row, "seen": True})
