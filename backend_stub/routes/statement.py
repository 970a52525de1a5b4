"""GET /v1/accounts/{account_id}/statement: the account history with a running balance, as JSON pages
or the whole range as CSV."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response
from sqlalchemy import Connection

from backend_stub import clock, cursor
from backend_stub.billing import statement as rules
from backend_stub.billing.labels import combined_label, method_label
from backend_stub.billing.money import plain_dollars
from backend_stub.deps import EngineDep, PathId, UserDep, transaction_for
from backend_stub.errors import invalid
from backend_stub.routes.accounts import Limit, open_account
from backend_stub.routes.common import errors
from backend_stub.schemas import PLAIN_TEXT, StatementEntry, StatementPage
from backend_stub.store import statement as store

router = APIRouter(tags=["accounts"])

CSV_HEADER = ["date", "kind", "description", "reference", "amount", "balance"]


def _events(conn: Connection, account_id: int, end: date) -> list[rules.Entry]:
    events: list[rules.Entry] = []
    for inv in store.invoices_through(conn, account_id, end):
        sites = f" ({inv['children_count']} sites)" if inv["children_count"] else ""
        description = f"Invoice {inv['number']}{sites}"
        events.append(
            rules.Entry(
                inv["issued_on"], "invoice", description, inv["number"], inv["amount_cents"], seq=(inv["id"],)
            )
        )
    paid = store.payments_through(conn, account_id, end)
    parts = store.parts_of(conn, [p["id"] for p in paid])
    for pay in paid:
        day, ref, own = pay["created_at"].date(), pay["confirmation_number"], parts.get(pay["id"], [])
        label = combined_label(
            method_label(p["method_type"], p["brand"], p["last4"], p["bank_name"]) for p in own
        )
        seq = (pay["created_at"].isoformat(), pay["id"])
        if pay["fees_cents"]:
            events.append(rules.Entry(day, "fee", f"Fees on payment {ref}", ref, pay["fees_cents"], seq=seq))
        pending = " (pending)" if pay["status"] == "pending" else ""
        description = f"Payment, {label}{pending}" if label else f"Payment{pending}"
        events.append(rules.Entry(day, "payment", description, ref, -pay["total_cents"], seq=seq))
        if pay["status"] == "returned" and pay["settles_on"] is not None:
            back = sum(p["amount_cents"] for p in own if p["status"] == "returned")
            description = f"Bank payment returned ({pay['return_code']})"
            events.append(rules.Entry(pay["settles_on"], "ach_return", description, ref, back, seq=seq))
    return events


def _range(start: date | None, end: date | None, today: date) -> tuple[date, date]:
    end = end or today
    oldest = rules.oldest_from(today)
    if start is None:  # the 12 months up to the end, never before the oldest day a statement shows
        start = max(oldest, rules.months_before(end, 12) + timedelta(days=1)) if end >= oldest else end
    if start > end:
        raise invalid("The start date must be on or before the end date.", "from", "invalid_range")
    if start < oldest:
        raise invalid(
            f"Statements go back 36 months: choose a start date on or after {oldest.isoformat()}.",
            "from",
            "range_too_old",
        )
    return start, end


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
    responses={**errors(400, 401, 404), 200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
    summary="The account history with a running balance (JSON pages, or CSV with format=csv)",
)
def get_statement(
    account_id: PathId,
    user: UserDep,
    engine: EngineDep,
    from_: Annotated[
        date | None, Query(alias="from", description="First day (default: 12 months back).")
    ] = None,
    to: Annotated[date | None, Query(description="Last day (default: today).")] = None,
    limit: Limit = 50,
    cursor_: Annotated[str | None, Query(alias="cursor", max_length=512, pattern=PLAIN_TEXT)] = None,
    format: Annotated[
        Literal["json", "csv"], Query(description="`csv`: the whole range as text/csv.")
    ] = "json",
) -> StatementPage | Response:
    offset = (cursor.decode_id(cursor_) or 0) if format == "json" else 0  # CSV: the whole range
    with transaction_for(engine, user) as conn:
        today = clock.today(conn)
        start, end = _range(from_, to, today)
        account = open_account(conn, user, account_id, "statement.view", start=start, end=end, format=format)
        result = rules.build(_events(conn, account_id, end), start, end)
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
