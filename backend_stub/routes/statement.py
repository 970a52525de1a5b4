"""GET /v1/accounts/{account_id}/statement: the account history with a running balance, as JSON pages
or the whole range as CSV. The ledger and the range are billing's rules; this shapes the answer."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response
from sqlalchemy import RowMapping

from backend_stub import clock, cursor
from backend_stub.billing import statement as rules
from backend_stub.billing.money import plain_dollars
from backend_stub.billing.problems import Problem
from backend_stub.deps import Conn, PathId, account_access
from backend_stub.errors import invalid
from backend_stub.one_trip import OneTripRoute, in_request_thread
from backend_stub.routes import rules as documented
from backend_stub.routes.common import CursorQuery, Limit, errors
from backend_stub.schemas import StatementEntry, StatementPage
from backend_stub.store import refunds as refund_store
from backend_stub.store import statement as store

router = APIRouter(tags=["accounts"], route_class=OneTripRoute)

CSV_HEADER = ["date", "kind", "description", "reference", "amount", "balance"]

From = Annotated[date | None, Query(alias="from", description="First day (default: 12 months back).")]
To = Annotated[date | None, Query(description="Last day (default: today).")]
Format = Annotated[Literal["json", "csv"], Query(description="`csv`: the whole range as text/csv.")]


@in_request_thread
def _range(conn: Conn, from_: From = None, to: To = None, format: Format = "json") -> dict[str, Any]:
    """The days asked for, checked before the account is (a bad range answers 400 on any account); also
    what a clerk's audit row names."""
    chosen = rules.statement_range(from_, to, clock.today(conn))
    if isinstance(chosen, Problem):
        raise invalid(chosen.message, chosen.param, chosen.code)
    start, end = chosen
    return {"start": start, "end": end, "format": format}


StatementAccount = Annotated[RowMapping, account_access("statement.view", detail=_range)]
Range = Annotated[dict[str, Any], Depends(_range)]


def _csv(account_number: str, start: date, end: date, result: rules.Statement) -> Response:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    opening = plain_dollars(result.opening_balance_cents)
    writer.writerow([start.isoformat(), "opening_balance", "Opening balance", "", "", opening])
    for e in result.entries:
        amount, balance = plain_dollars(e.amount_cents), plain_dollars(e.balance_cents)
        writer.writerow([e.date.isoformat(), e.kind, e.description, e.reference, amount, balance])
    closing = plain_dollars(result.closing_balance_cents)
    writer.writerow([end.isoformat(), "closing_balance", "Closing balance", "", "", closing])
    filename = f"statement-{account_number}-{start.isoformat()}-{end.isoformat()}.csv"
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get(
    "/v1/accounts/{account_id}/statement",
    operation_id="getStatement",
    response_model=StatementPage,
    responses={
        **errors(400, 401, 404, rules=documented.STATEMENT),
        200: {"content": {"text/csv": {"schema": {"type": "string"}}}},
    },
    summary="The account history with a running balance (JSON pages, or CSV with format=csv)",
)
def get_statement(
    account_id: PathId,
    account: StatementAccount,
    asked: Range,
    conn: Conn,
    # Declared here as well as in _range, so the document lists them in this order.
    from_: From = None,
    to: To = None,
    limit: Limit = 50,
    cursor_: CursorQuery = None,
    format: Format = "json",
) -> StatementPage | Response:
    offset = (cursor.decode_id(cursor_) or 0) if format == "json" else 0  # CSV: the whole range
    start, end = asked["start"], asked["end"]
    paid = store.payments_through(conn, account_id, end)
    ids = [p["id"] for p in paid]
    events = rules.ledger(
        store.invoices_through(conn, account_id, end),
        paid,
        store.parts_of(conn, ids),
        refund_store.of_payments(conn, ids),
    )
    result = rules.build(events, start, end)
    if format == "csv":
        return _csv(account["account_number"], start, end, result)
    page = result.entries[offset : offset + limit]
    more = offset + limit < len(result.entries)
    return StatementPage.model_validate(
        {
            "account_id": account_id,
            "account_number": account["account_number"],
            "from": start,
            "to": end,
            "opening_balance_cents": result.opening_balance_cents,
            "closing_balance_cents": result.closing_balance_cents,
            "items": [
                StatementEntry(**{k: getattr(e, k) for k in StatementEntry.model_fields}) for e in page
            ],
            "next_cursor": cursor.encode(offset + limit) if more else None,
            "total_count": len(result.entries),
        }
    )
