"""An account, its summary and its invoice list. Customers see linked accounts only; clerks see any,
and every clerk read is audited."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from sqlalchemy import Connection, RowMapping

from backend_stub import clock, cursor, views
from backend_stub.billing.summary import summarize
from backend_stub.deps import CallerDep, EngineDep, PathId, UserDep, transaction_for
from backend_stub.errors import guest_forbidden, not_found
from backend_stub.routes.common import errors
from backend_stub.schemas import MAX_LIMIT, PLAIN_TEXT, Account, InvoicePage, Summary
from backend_stub.store import accounts as account_store
from backend_stub.store import audit
from backend_stub.store import autopay as autopay_store
from backend_stub.store import invoices as invoice_store
from backend_stub.store.auth import User

router = APIRouter(tags=["accounts"])

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size, 1..200.")]
CursorParam = Annotated[str | None, Query(max_length=512, description="`next_cursor` of the previous page.")]


def open_account(conn: Connection, user: User, account_id: int, action: str, **detail: object) -> RowMapping:
    """The account if the caller may see it, else 404 (the same as a missing one). Audits clerks."""
    row = account_store.visible_account(conn, user, account_id)
    if row is None:
        raise not_found("No such account.")
    if user.is_clerk:
        audit.record(conn, user.id, action, account_id, **detail)
    return row


@router.get(
    "/v1/accounts/{account_id}", operation_id="getAccount", response_model=Account, responses=errors(401, 404)
)
def get_account(account_id: PathId, user: UserDep, engine: EngineDep) -> Account:
    with transaction_for(engine, user) as conn:
        row = open_account(conn, user, account_id, "account.view")
        return account_view(conn, row)


def account_view(conn: Connection, row: RowMapping) -> Account:
    """The account as the wire shows it, with autopay's method, next run and last failure."""
    method = None
    if row["autopay_method_id"] is not None:
        method = account_store.payment_method(conn, row["autopay_method_id"])
    next_run = (
        autopay_store.next_run(conn, row["id"], clock.today(conn)) if row["autopay_enabled"] else (None, None)
    )
    return views.account(row, method, next_run)


@router.get(
    "/v1/accounts/{account_id}/summary",
    operation_id="getAccountSummary",
    response_model=Summary,
    responses=errors(401, 404),
)
def get_summary(account_id: PathId, user: CallerDep, engine: EngineDep) -> Summary:
    with transaction_for(engine, user) as conn:
        row = open_account(conn, user, account_id, "account.summary")
        result = summarize(
            invoice_store.summary_groups(conn, account_id), row["credit_cents"], clock.today(conn)
        )
    return Summary(**result.__dict__)


@router.get(
    "/v1/accounts/{account_id}/invoices",
    operation_id="listInvoices",
    response_model=InvoicePage,
    responses=errors(400, 401, 404),
    summary="Top-level invoices, newest first",
)
def list_invoices(
    account_id: PathId,
    user: CallerDep,
    engine: EngineDep,
    status: Annotated[Literal["all", "open", "in_progress", "paid"], Query()] = "all",
    kind: Annotated[Literal["all", "single", "multi"], Query()] = "all",
    limit: Limit = 50,
    cursor_: Annotated[str | None, Query(alias="cursor", max_length=512, pattern=PLAIN_TEXT)] = None,
) -> InvoicePage:
    after = cursor.decode_date_id(cursor_)
    if user.is_guest and status != "open":
        raise guest_forbidden("status")  # a one-time payment sees what it can pay, no history
    with transaction_for(engine, user) as conn:
        open_account(conn, user, account_id, "invoices.list", status=status, kind=kind)
        rows, total = invoice_store.list_page(
            conn, account_id, status=status, kind=kind, limit=limit, after=after
        )
        today = clock.today(conn)
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = cursor.encode(rows[-1]["issued_on"], rows[-1]["id"])
    return InvoicePage(
        items=[views.invoice_row(r, today) for r in rows], next_cursor=next_cursor, total_count=total
    )
