"""GET /v1/invoices/{invoice_id}: one invoice with its line items, children and payments applied; and the
same invoice as a PDF."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response
from sqlalchemy import Connection, RowMapping

from backend_stub import clock, invoice_pdf, views
from backend_stub.deps import CallerDep, Conn, PathId, UserDep
from backend_stub.errors import not_found
from backend_stub.one_trip import OneTripRoute, short_read
from backend_stub.routes.common import errors
from backend_stub.schemas import InvoiceDetail
from backend_stub.store import accounts as account_store
from backend_stub.store import audit
from backend_stub.store import invoices as store
from backend_stub.store.auth import User

router = APIRouter(tags=["invoices"], route_class=OneTripRoute)


def load_invoice(
    conn: Connection, user: User, invoice_id: int, action: str
) -> tuple[InvoiceDetail, RowMapping]:
    """The invoice as the caller may see it, and its account; 404 for a foreign one exactly as for a
    missing one. Audits clerks."""
    row = store.visible_invoice(conn, invoice_id)
    if row is None:
        raise not_found("No such invoice.")
    account = account_store.visible_account(conn, user, row["account_id"])
    if account is None or (user.is_guest and row["pay_state"] != "open"):
        raise not_found("No such invoice.")  # a guest sees the open invoices only
    if user.is_clerk:
        audit.record(conn, user.id, action, row["account_id"], invoice_id=invoice_id)
    today = clock.today(conn)
    children = store.children(conn, invoice_id) if row["children_count"] else []
    applied = store.payments_applied(conn, [invoice_id, *(c["id"] for c in children)])
    parts = store.parts_of(conn, [p["payment_id"] for p in applied])
    items = store.items(conn, invoice_id)
    base = views.invoice_row(row, today)
    detail = InvoiceDetail(
        **base.model_dump(),
        account_id=row["account_id"],
        line_items=[dict(i) for i in items],
        children=[views.invoice_row(c, today) for c in children],
        payments=[  # each with the parts that paid these invoices (a split's card part or bank part)
            views.applied_payment(p, [x for x in parts.get(p["payment_id"], []) if x["id"] in p["part_ids"]])
            for p in applied
        ],
    )
    return detail, account


@router.get(
    "/v1/invoices/{invoice_id}",
    operation_id="getInvoice",
    response_model=InvoiceDetail,
    responses=errors(401, 404),
)
@short_read
def get_invoice(invoice_id: PathId, user: CallerDep, conn: Conn) -> InvoiceDetail:
    detail, _account = load_invoice(conn, user, invoice_id, "invoice.view")
    return detail


@router.get(
    "/v1/invoices/{invoice_id}/pdf",
    operation_id="getInvoicePdf",
    response_class=Response,
    responses={
        **errors(401, 404),
        200: {"content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}},
    },
    summary="The invoice as a PDF",
)
def get_invoice_pdf(invoice_id: PathId, user: UserDep, conn: Conn) -> Response:
    detail, account = load_invoice(conn, user, invoice_id, "invoice.pdf")
    content = invoice_pdf.render(detail, account)
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="invoice-{detail.number}.pdf"'},
    )
