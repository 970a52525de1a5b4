"""GET /v1/invoices/{invoice_id}: one invoice with its line items, children and payments applied."""

from __future__ import annotations

from fastapi import APIRouter

from backend_stub import clock, views
from backend_stub.deps import EngineDep, PathId, UserDep, transaction_for
from backend_stub.errors import not_found
from backend_stub.routes.common import errors
from backend_stub.schemas import InvoiceDetail
from backend_stub.store import accounts as account_store
from backend_stub.store import audit
from backend_stub.store import invoices as store

router = APIRouter(tags=["invoices"])


@router.get(
    "/v1/invoices/{invoice_id}",
    operation_id="getInvoice",
    response_model=InvoiceDetail,
    responses=errors(401, 404),
)
def get_invoice(invoice_id: PathId, user: UserDep, engine: EngineDep) -> InvoiceDetail:
    with transaction_for(engine, user) as conn:
        row = store.visible_invoice(conn, invoice_id)
        if row is None:
            raise not_found("No such invoice.")
        # A foreign invoice answers exactly like a missing one.
        if account_store.visible_account(conn, user, row["account_id"]) is None:
            raise not_found("No such invoice.")
        if user.is_clerk:
            audit.record(conn, user.id, "invoice.view", row["account_id"], invoice_id=invoice_id)
        today = clock.today(conn)
        children = store.children(conn, invoice_id) if row["children_count"] else []
        applied = store.payments_applied(conn, [invoice_id, *(c["id"] for c in children)])
        parts = store.parts_of(conn, [p["payment_id"] for p in applied])
        items = store.items(conn, invoice_id)
    base = views.invoice_row(row, today)
    return InvoiceDetail(
        **base.model_dump(),
        account_id=row["account_id"],
        line_items=[dict(i) for i in items],
        children=[views.invoice_row(c, today) for c in children],
        payments=[views.applied_payment(p, parts.get(p["payment_id"], [])) for p in applied],
    )
