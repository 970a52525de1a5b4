"""Scheduled payments."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, RowMapping, func, select, tuple_, update

from backend_stub.store.tables import invoices, scheduled_payments


def create(conn: Connection, **values: object) -> int:
    return int(conn.execute(scheduled_payments.insert().values(**values)).inserted_primary_key[0])


def one(conn: Connection, scheduled_id: int) -> RowMapping | None:
    return (
        conn.execute(select(scheduled_payments).where(scheduled_payments.c.id == scheduled_id))
        .mappings()
        .first()
    )


def page(
    conn: Connection, account_id: int, only_scheduled: bool, limit: int, after: tuple[date, int] | None
) -> tuple[list[RowMapping], int]:
    condition = scheduled_payments.c.account_id == account_id
    if only_scheduled:
        condition = condition & (scheduled_payments.c.status == "scheduled")
    total = conn.execute(select(func.count()).select_from(scheduled_payments).where(condition)).scalar_one()
    query = select(scheduled_payments).where(condition)
    if after is not None:
        query = query.where(tuple_(scheduled_payments.c.pay_on, scheduled_payments.c.id) > after)
    rows = conn.execute(
        query.order_by(scheduled_payments.c.pay_on, scheduled_payments.c.id).limit(limit + 1)
    ).mappings()
    return list(rows), int(total)


def update_one(conn: Connection, scheduled_id: int, **values: object) -> None:
    conn.execute(update(scheduled_payments).where(scheduled_payments.c.id == scheduled_id).values(**values))


def finish(conn: Connection, scheduled_id: int, **values: object) -> bool:
    """Leave `scheduled` for an outcome, if the row is still scheduled (a compare-and-set: one run wins)."""
    result = conn.execute(
        update(scheduled_payments)
        .where(scheduled_payments.c.id == scheduled_id, scheduled_payments.c.status == "scheduled")
        .values(**values)
    )
    return result.rowcount == 1


def next_pay_on(conn: Connection, after: date, through: date) -> date | None:
    query = select(func.min(scheduled_payments.c.pay_on)).where(
        scheduled_payments.c.status == "scheduled",
        scheduled_payments.c.pay_on > after,
        scheduled_payments.c.pay_on <= through,
    )
    return conn.execute(query).scalar_one_or_none()


def due_through(conn: Connection, through: date) -> list[RowMapping]:
    return list(
        conn.execute(
            select(scheduled_payments)
            .where(scheduled_payments.c.status == "scheduled", scheduled_payments.c.pay_on <= through)
            .order_by(scheduled_payments.c.pay_on, scheduled_payments.c.id)
        ).mappings()
    )


def due_dates(conn: Connection, invoice_ids: list[int]) -> dict[int, tuple[str, date]]:
    """Invoice id -> (number, due date)."""
    if not invoice_ids:
        return {}
    rows = conn.execute(
        select(invoices.c.id, invoices.c.number, invoices.c.due_on).where(invoices.c.id.in_(invoice_ids))
    )
    return {r.id: (r.number, r.due_on) for r in rows}


def balances(conn: Connection, invoice_ids: list[int]) -> dict[int, int]:
    if not invoice_ids:
        return {}
    rows = conn.execute(select(invoices.c.id, invoices.c.balance_cents).where(invoices.c.id.in_(invoice_ids)))
    return {r.id: int(r.balance_cents) for r in rows}
