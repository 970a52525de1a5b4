"""Autopay: enrolment on the account row, the runs table, and the invoices a run pays."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Connection, RowMapping, and_, exists, func, select, update

from backend_stub.store.tables import accounts, autopay_runs, invoices, payment_methods


def enrol(conn: Connection, account_id: int, method_id: int | None, fee_terms: str | None = None) -> None:
    """Turn autopay on with `method_id` and the fee terms accepted for it (JSON), or off with None; a
    change clears the last failure."""
    conn.execute(
        update(accounts)
        .where(accounts.c.id == account_id)
        .values(
            autopay_enabled=method_id is not None,
            autopay_method_id=method_id,
            autopay_fee_terms=fee_terms if method_id is not None else None,
            autopay_failed_on=None,
            autopay_failure=None,
        )
    )


def failure(conn: Connection, account_id: int) -> RowMapping | None:
    return (
        conn.execute(
            select(accounts.c.autopay_failed_on, accounts.c.autopay_failure).where(
                accounts.c.id == account_id, accounts.c.autopay_failed_on.is_not(None)
            )
        )
        .mappings()
        .first()
    )


def set_failure(conn: Connection, account_id: int, day: date | None, message: str | None) -> None:
    conn.execute(
        update(accounts)
        .where(accounts.c.id == account_id)
        .values(autopay_failed_on=day, autopay_failure=message[:300] if message else None)
    )


def _not_run():  # type: ignore[no-untyped-def]
    return ~exists().where(
        and_(autopay_runs.c.invoice_id == invoices.c.id, autopay_runs.c.due_on == invoices.c.due_on)
    )


def _leaf_sent():  # type: ignore[no-untyped-def]
    return and_(invoices.c.state == "sent", invoices.c.children_count == 0)


def due_between(conn: Connection, after: date, through: date) -> list[RowMapping]:
    """Leaf invoices of autopay accounts due in (after, through] that autopay has not run for, by due date."""
    return list(
        conn.execute(
            select(
                invoices.c.id,
                invoices.c.account_id,
                invoices.c.number,
                invoices.c.due_on,
                invoices.c.balance_cents,
                accounts.c.autopay_method_id,
            )
            .join(accounts, accounts.c.id == invoices.c.account_id)
            .where(
                *_due_between(after, through),
            )
            .order_by(invoices.c.due_on, invoices.c.account_id, invoices.c.id)
        ).mappings()
    )


def _due_between(after: date, through: date) -> tuple:
    """An autopay invoice due in (after, through] that autopay has not run for yet."""
    return (
        accounts.c.autopay_enabled.is_(True),
        accounts.c.autopay_method_id.is_not(None),
        _leaf_sent(),
        invoices.c.due_on > after,
        invoices.c.due_on <= through,
        _not_run(),
    )


def next_due(conn: Connection, after: date, through: date) -> date | None:
    """The first due date in (after, through] autopay has an invoice to run for."""
    query = (
        select(func.min(invoices.c.due_on))
        .join(accounts, accounts.c.id == invoices.c.account_id)
        .where(
            *_due_between(after, through),
        )
    )
    return conn.execute(query).scalar_one_or_none()


def next_run(conn: Connection, account_id: int, today: date) -> tuple[date | None, int | None]:
    """The next due date autopay will pay (after today: today's run is the one the clock already made),
    and the balances due that day."""
    condition = and_(
        invoices.c.account_id == account_id,
        _leaf_sent(),
        invoices.c.balance_cents > 0,
        invoices.c.due_on > today,
        _not_run(),
    )
    day = conn.execute(select(func.min(invoices.c.due_on)).where(condition)).scalar_one_or_none()
    if day is None:
        return None, None
    amount = conn.execute(
        select(func.sum(invoices.c.balance_cents)).where(condition, invoices.c.due_on == day)
    ).scalar_one()
    return day, int(amount)


def record_runs(
    conn: Connection,
    account_id: int,
    rows: list[RowMapping],
    status: str,
    payment_id: int | None,
    message: str | None,
    now: datetime,
) -> None:
    conn.execute(
        autopay_runs.insert(),
        [
            {
                "account_id": account_id,
                "invoice_id": row["id"],
                "due_on": row["due_on"],
                "status": status,
                "payment_id": payment_id,
                "message": message[:300] if message else None,
                "created_at": now,
            }
            for row in rows
        ],
    )


def balances_of(conn: Connection, invoice_ids: list[int]) -> dict[int, int]:
    if not invoice_ids:
        return {}
    rows = conn.execute(select(invoices.c.id, invoices.c.balance_cents).where(invoices.c.id.in_(invoice_ids)))
    return {r.id: int(r.balance_cents) for r in rows}


def account_email(conn: Connection, account_id: int) -> str:
    return conn.execute(select(accounts.c.email).where(accounts.c.id == account_id)).scalar_one()


def enrolment_terms(conn: Connection, account_id: int) -> tuple[str | None, RowMapping | None]:
    """The fee terms accepted at enrolment (JSON or None) and the enrolled method's type and funding."""
    row = (
        conn.execute(
            select(accounts.c.autopay_fee_terms, payment_methods.c.type, payment_methods.c.funding)
            .select_from(accounts)
            .outerjoin(payment_methods, payment_methods.c.id == accounts.c.autopay_method_id)
            .where(accounts.c.id == account_id)
        )
        .mappings()
        .one()
    )
    return row["autopay_fee_terms"], (row if row["type"] is not None else None)
