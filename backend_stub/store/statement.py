"""The raw history a statement is made of: sent top-level invoices, payments and their parts."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import Connection, RowMapping, select

from backend_stub.store.tables import invoices, payment_parts, payments


def invoices_through(conn: Connection, account_id: int, end: date) -> list[RowMapping]:
    return list(
        conn.execute(
            select(
                invoices.c.id,
                invoices.c.number,
                invoices.c.issued_on,
                invoices.c.amount_cents,
                invoices.c.children_count,
            ).where(
                invoices.c.account_id == account_id,
                invoices.c.parent_id.is_(None),
                invoices.c.state == "sent",
                invoices.c.issued_on <= end,
            )
        ).mappings()
    )


def payments_through(conn: Connection, account_id: int, end: date) -> list[RowMapping]:
    """Payments made by the end of `end` (a returned one too: it was paid, then put back)."""
    return list(
        conn.execute(
            select(
                payments.c.id,
                payments.c.confirmation_number,
                payments.c.status,
                payments.c.amount_cents,
                payments.c.fees_cents,
                payments.c.total_cents,
                payments.c.channel,
                payments.c.created_at,
                payments.c.settles_on,
                payments.c.return_code,
                payments.c.voided_at,
            ).where(
                payments.c.account_id == account_id,
                # a voided one too: paid, then reversed (a statement shows both lines)
                payments.c.status.in_(
                    ("succeeded", "pending", "returned", "voided", "refunded", "partially_refunded")
                ),
                payments.c.created_at <= datetime.combine(end, time.max),  # end may be 9999-12-31
            )
        ).mappings()
    )


def parts_of(conn: Connection, payment_ids: list[int]) -> dict[int, list[RowMapping]]:
    found: dict[int, list[RowMapping]] = {}
    for start in range(0, len(payment_ids), 500):  # keep IN lists short
        chunk = payment_ids[start : start + 500]
        rows = conn.execute(
            select(
                payment_parts.c.payment_id,
                payment_parts.c.method_type,
                payment_parts.c.brand,
                payment_parts.c.last4,
                payment_parts.c.bank_name,
                payment_parts.c.amount_cents,
                payment_parts.c.status,
            )
            .where(payment_parts.c.payment_id.in_(chunk))
            .order_by(payment_parts.c.id)
        ).mappings()
        for row in rows:
            found.setdefault(row["payment_id"], []).append(row)
    return found
