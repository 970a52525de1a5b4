"""An account, its summary and its invoice list. Customers see linked accounts only; clerks see any,
and every clerk read is audited."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response
from sqlalchemy import Connection, RowMapping

from backend_stub import clock, cursor, page_cache, views
from backend_stub.billing.summary import summarize
from backend_stub.deps import CallerDep, Conn, PathId, account_access
from backend_stub.errors import guest_forbidden
from backend_stub.one_trip import OneTripRoute, in_request_thread, short_read
from backend_stub.routes import rules
from backend_stub.routes.common import CursorQuery, Limit, errors
from backend_stub.schemas import Account, InvoicePage, PlainLine, Summary
from backend_stub.store import accounts as account_store
from backend_stub.store import autopay as autopay_store
from backend_stub.store import email_changes
from backend_stub.store import invoices as invoice_store

router = APIRouter(tags=["accounts"], route_class=OneTripRoute)

StatusFilter = Annotated[Literal["all", "open", "in_progress", "paid"], Query()]
KindFilter = Annotated[Literal["all", "single", "multi"], Query()]
# `?number=`: one invoice by its number (exact), for `paydesk invoice NUMBER` and `pay --invoice`.
NumberFilter = Annotated[
    PlainLine | None,
    Query(
        min_length=1,
        max_length=32,
        description="Only the invoice with this number (exact), e.g. INV-2026-00012: one item or none.",
    ),
]


@in_request_thread(io=False)
def _list_detail(caller: CallerDep, status: StatusFilter = "all", kind: KindFilter = "all") -> dict:
    """The invoice list's filters, as a clerk's audit row names them. Checked before the account is."""
    if caller.is_guest and status != "open":
        raise guest_forbidden("status")  # a one-time payment sees what it can pay, no history
    return {"status": status, "kind": kind}


ViewedAccount = Annotated[RowMapping, account_access("account.view")]
SummarizedAccount = Annotated[RowMapping, account_access("account.summary", guests=True)]
ListedAccount = Annotated[RowMapping, account_access("invoices.list", guests=True, detail=_list_detail)]


@router.get(
    "/v1/accounts/{account_id}", operation_id="getAccount", response_model=Account, responses=errors(401, 404)
)
@short_read
def get_account(account_id: PathId, row: ViewedAccount, conn: Conn) -> Account:
    return account_view(conn, row)


def account_view(conn: Connection, row: RowMapping) -> Account:
    """The account as the wire shows it, with autopay's method, next run and last failure."""
    method = None
    if row["autopay_method_id"] is not None:
        method = account_store.payment_method(conn, row["autopay_method_id"])
    next_run = (
        autopay_store.next_run(conn, row["id"], clock.today(conn)) if row["autopay_enabled"] else (None, None)
    )
    pending = email_changes.pending_email(conn, row["id"], clock.utcnow())  # issue 10
    return views.account(row, method, next_run, pending)


@router.get(
    "/v1/accounts/{account_id}/summary",
    operation_id="getAccountSummary",
    response_model=Summary,
    responses=errors(401, 404),
)
@short_read
def get_summary(account_id: PathId, row: SummarizedAccount, conn: Conn) -> Summary:
    result = summarize(invoice_store.summary_groups(conn, account_id), row["credit_cents"], clock.today(conn))
    return Summary(**result.__dict__)


@router.get(
    "/v1/accounts/{account_id}/invoices",
    operation_id="listInvoices",
    response_model=InvoicePage,
    responses=errors(400, 401, 404, rules=rules.CURSOR),
    summary="Top-level invoices, newest first",
)
@short_read
def list_invoices(
    account_id: PathId,
    _account: ListedAccount,
    conn: Conn,
    status: StatusFilter = "all",
    kind: KindFilter = "all",
    limit: Limit = 50,
    cursor_: CursorQuery = None,
    number: NumberFilter = None,
) -> Response:
    today = clock.today(conn)
    if number is not None:  # one invoice or none: a page of its own, never a cursor
        found = invoice_store.with_number(conn, account_id, number, status=status, kind=kind)
        page = views.invoice_page_json(found, today, None, len(found))
        return Response(page, media_type="application/json")
    version = _account[account_store.PAGE_VERSION]  # read with the account, in this transaction
    key = (account_id, version, today, status, kind, limit, cursor_)
    cache = page_cache.for_engine(conn.engine)
    if version is not None and (cached := cache.get(key)) is not None:
        return Response(cached, media_type="application/json")
    page = _invoice_page(conn, account_id, today, status, kind, limit, cursor_)
    if version is not None:
        cache.put(key, page)
    return Response(page, media_type="application/json")


def _invoice_page(
    conn: Connection, account_id: int, today: date, status: str, kind: str, limit: int, cursor_: str | None
) -> bytes:
    scope = f"{status}/{kind}"
    after, known_total = cursor.decode_date_id_count(cursor_, scope)
    rows, total = invoice_store.list_page(
        conn, account_id, status=status, kind=kind, limit=limit, after=after, total=known_total
    )
    rows, next_cursor = cursor.page(rows, limit, lambda r: (r["issued_on"], r["id"], total, scope))
    return views.invoice_page_json(rows, today, next_cursor, total)
