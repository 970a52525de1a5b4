"""Payment queries and writes: the account lock, the balances a payment plans over, the payment rows,
invoice money updates (leaves, then their parents' sums), history and settlement reads."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, RowMapping, and_, bindparam, exists, func, or_, select, update

from backend_stub.billing.allocation import InvoiceBalance
from backend_stub.billing.ledger import InvoiceMoney, parent_totals
from backend_stub.billing.status import pay_state
from backend_stub.store import fast_rows
from backend_stub.store.db import insert_returning_id
from backend_stub.store.tables import accounts, allocations, invoices, payment_parts, payments

# Every payment runs these: built once (see fast_rows).
_ACCOUNT = select(accounts).where(accounts.c.id == bindparam("account_id"))
# FOR NO KEY UPDATE: payments on one account take turns, yet a row that only references the account (the
# next payment's intent: its foreign key check takes KEY SHARE) is not held up behind the whole payment.
_ACCOUNT_LOCKED = _ACCOUNT.with_for_update(key_share=True)
_PAYABLE_COLUMNS = (
    invoices.c.id,
    invoices.c.number,
    invoices.c.issued_on,
    invoices.c.due_on,
    invoices.c.balance_cents,
    invoices.c.parent_id,
    invoices.c.children_count,
)
_PAYABLE = (
    select(*_PAYABLE_COLUMNS)
    .where(
        invoices.c.account_id == bindparam("account_id"),
        invoices.c.state == "sent",
        invoices.c.balance_cents > 0,
    )
    .order_by(invoices.c.id)
)
_CONFIRMATION = select(payments.c.id).where(payments.c.confirmation_number == bindparam("code"))
_PAYMENT_COLUMNS = (
    "account_id",
    "confirmation_number",
    "status",
    "amount_cents",
    "fees_cents",
    "total_cents",
    "credit_cents",
    "channel",
    "created_by",
    "created_at",
    "settles_on",
    "return_code",
    "receipt_email",
    "auth_detail",
)
_INSERT_PAYMENT = insert_returning_id(payments, *_PAYMENT_COLUMNS)
_PART_COLUMNS = (
    "payment_id",
    "fees",
    "method_type",
    "brand",
    "last4",
    "bank_name",
    "funding",
    "amount_cents",
    "fee_cents",
    "processor_token",
    "status",
)
_INSERT_PART = insert_returning_id(payment_parts, *_PART_COLUMNS)


def lock_account(conn: Connection, account_id: int) -> dict[str, Any] | None:
    """The account row, locked for this transaction: `FOR NO KEY UPDATE` on PostgreSQL. On SQLite the
    write transaction's BEGIN IMMEDIATE already holds the database's one write lock."""
    query = _ACCOUNT if conn.dialect.name == "sqlite" else _ACCOUNT_LOCKED
    return fast_rows.first(conn, query, {"account_id": account_id})


def account_of(conn: Connection, account_id: int) -> dict[str, Any] | None:
    """The account row, not locked."""
    return fast_rows.first(conn, _ACCOUNT, {"account_id": account_id})


def account_row(conn: Connection, account_id: int) -> RowMapping:
    return conn.execute(select(accounts).where(accounts.c.id == account_id)).mappings().one()


def balances(conn: Connection, account_id: int, named_ids: Iterable[int] = ()) -> list[InvoiceBalance]:
    """The account's sent invoices that can take money (balance > 0), plus any it named (paid or not) and
    their children: enough for the allocation to answer every selection."""
    named = sorted(set(named_ids))
    if not named:  # a custom amount, the usual case: a constant statement
        return [
            InvoiceBalance(**row) for row in fast_rows.mappings(conn, _PAYABLE, {"account_id": account_id})
        ]
    condition = or_(invoices.c.balance_cents > 0, invoices.c.id.in_(named), invoices.c.parent_id.in_(named))
    query = (
        select(*_PAYABLE_COLUMNS)
        .where(invoices.c.account_id == account_id, invoices.c.state == "sent", condition)
        .order_by(invoices.c.id)
    )
    return [InvoiceBalance(**row) for row in conn.execute(query).mappings()]


def card_payments_since(
    conn: Connection, account_id: int, since: datetime, excluding: int | None = None
) -> int:
    """Card payments (not failed) the account made at or after `since` (backend-clock time), but for
    the payment `excluding` (one the caller's transaction is writing)."""
    has_card = exists().where(
        payment_parts.c.payment_id == payments.c.id, payment_parts.c.method_type == "card"
    )
    query = (
        select(func.count())
        .select_from(payments)
        .where(
            payments.c.account_id == account_id,
            payments.c.created_at >= since,
            # a voided payment no longer counts; a refunded one still does
            payments.c.status.in_(("succeeded", "pending", "returned", "refunded", "partially_refunded")),
            has_card,
        )
    )
    if excluding is not None:
        query = query.where(payments.c.id != excluding)
    return int(conn.execute(query).scalar_one())


def confirmation_taken(conn: Connection, code: str) -> bool:
    return fast_rows.first(conn, _CONFIRMATION, {"code": code}) is not None


def insert_payment(conn: Connection, **values: object) -> int:
    """A payment's row: every column of `_PAYMENT_COLUMNS` is given."""
    row = fast_rows.first(conn, _INSERT_PAYMENT, values)
    assert row is not None
    return int(row["id"])


def insert_part(conn: Connection, **values: object) -> int:
    """One part's row (`fees`: the JSON text of the fees as charged); every column of `_PART_COLUMNS`."""
    row = fast_rows.first(conn, _INSERT_PART, values)
    assert row is not None
    return int(row["id"])


def insert_allocations(conn: Connection, payment_id: int, rows: Sequence[tuple[int, int, int]]) -> None:
    """Each (invoice id, cents, part id): that part's money on that invoice."""
    if rows:
        conn.execute(
            allocations.insert(),
            [
                {"payment_id": payment_id, "invoice_id": i, "amount_cents": a, "part_id": part}
                for i, a, part in rows
            ],
        )


def money_of(conn: Connection, invoice_ids: Iterable[int]) -> dict[int, InvoiceMoney]:
    ids = sorted(set(invoice_ids))
    if not ids:
        return {}
    query = select(
        invoices.c.id, invoices.c.balance_cents, invoices.c.pending_cents, invoices.c.parent_id
    ).where(invoices.c.id.in_(ids))
    return {
        row.id: InvoiceMoney(row.id, row.balance_cents, row.pending_cents, row.parent_id)
        for row in conn.execute(query)
    }


def write_money(conn: Connection, changed: Iterable[InvoiceMoney]) -> None:
    """Store leaves' new money and state, then bring each touched parent to its children's sums."""
    parents: set[int] = set()
    for invoice in changed:
        conn.execute(
            update(invoices)
            .where(invoices.c.id == invoice.id)
            .values(
                balance_cents=invoice.balance_cents,
                pending_cents=invoice.pending_cents,
                pay_state=pay_state(invoice.balance_cents, invoice.pending_cents),
            )
        )
        if invoice.parent_id is not None:
            parents.add(invoice.parent_id)
    for parent_id in sorted(parents):
        query = select(
            invoices.c.id, invoices.c.balance_cents, invoices.c.pending_cents, invoices.c.parent_id
        ).where(invoices.c.parent_id == parent_id, invoices.c.state == "sent")
        kids = [
            InvoiceMoney(r.id, r.balance_cents, r.pending_cents, r.parent_id) for r in conn.execute(query)
        ]
        balance, pending, state = parent_totals(kids)
        conn.execute(
            update(invoices)
            .where(invoices.c.id == parent_id)
            .values(balance_cents=balance, pending_cents=pending, pay_state=state)
        )


def add_credit(conn: Connection, account_id: int, cents: int) -> None:
    if cents:
        conn.execute(
            update(accounts)
            .where(accounts.c.id == account_id)
            .values(credit_cents=accounts.c.credit_cents + cents)
        )


def payment(conn: Connection, payment_id: int) -> RowMapping | None:
    return conn.execute(select(payments).where(payments.c.id == payment_id)).mappings().first()


def parts(conn: Connection, payment_ids: Sequence[int]) -> dict[int, list[RowMapping]]:
    result: dict[int, list[RowMapping]] = {}
    if not payment_ids:
        return result
    query = (
        select(payment_parts)
        .where(payment_parts.c.payment_id.in_(payment_ids))
        .order_by(payment_parts.c.payment_id, payment_parts.c.id)
    )
    for row in conn.execute(query).mappings():
        result.setdefault(row["payment_id"], []).append(row)
    return result


# A row without its part (the demo seed writes 0001's columns only): a one-part payment's, so its part.
_first_part = (
    select(func.min(payment_parts.c.id))
    .where(payment_parts.c.payment_id == allocations.c.payment_id)
    .scalar_subquery()
)


def allocations_of(conn: Connection, payment_ids: Sequence[int]) -> dict[int, list[RowMapping]]:
    """Each payment's allocations, oldest first, with the part each belongs to (`part_id`)."""
    result: dict[int, list[RowMapping]] = {}
    if not payment_ids:
        return result
    query = (
        select(
            allocations.c.id,
            allocations.c.payment_id,
            allocations.c.invoice_id,
            allocations.c.amount_cents,
            func.coalesce(allocations.c.part_id, _first_part).label("part_id"),
            invoices.c.number,
            invoices.c.parent_id,
        )
        .join(invoices, invoices.c.id == allocations.c.invoice_id)
        .where(allocations.c.payment_id.in_(payment_ids))
        .order_by(allocations.c.payment_id, allocations.c.id)
    )
    for row in conn.execute(query).mappings():
        result.setdefault(row["payment_id"], []).append(row)
    return result


def history_page(
    conn: Connection, account_id: int, since: datetime, limit: int, after: tuple[datetime, int] | None
) -> tuple[list[RowMapping], int]:
    conditions = [payments.c.account_id == account_id, payments.c.created_at >= since]
    total = conn.execute(select(func.count()).select_from(payments).where(*conditions)).scalar_one()
    query = select(payments).where(*conditions)
    if after is not None:
        at, last_id = after
        query = query.where(
            or_(payments.c.created_at < at, and_(payments.c.created_at == at, payments.c.id < last_id))
        )
    query = query.order_by(payments.c.created_at.desc(), payments.c.id.desc()).limit(limit + 1)
    return list(conn.execute(query).mappings()), int(total)


def due_for_settlement(conn: Connection, day: date) -> list[RowMapping]:
    query = (
        select(payments)
        .where(payments.c.status == "pending", payments.c.settles_on <= day)
        .order_by(payments.c.settles_on, payments.c.id)
    )
    return list(conn.execute(query).mappings())


def set_status(conn: Connection, payment_id: int, status: str, return_code: str | None = None) -> None:
    conn.execute(
        update(payments).where(payments.c.id == payment_id).values(status=status, return_code=return_code)
    )


def next_settlement(conn: Connection, after: date, through: date) -> date | None:
    """The first settlement date in (after, through] of a pending payment."""
    query = select(func.min(payments.c.settles_on)).where(
        payments.c.status == "pending", payments.c.settles_on > after, payments.c.settles_on <= through
    )
    return conn.execute(query).scalar_one_or_none()


def leave_pending(conn: Connection, payment_id: int, status: str, return_code: str | None) -> bool:
    """Settle a pending payment's status (a compare-and-set: only one settlement of it succeeds)."""
    result = conn.execute(
        update(payments)
        .where(payments.c.id == payment_id, payments.c.status == "pending")
        .values(status=status, return_code=return_code)
    )
    return result.rowcount == 1


def set_part_status(conn: Connection, part_id: int, status: str) -> None:
    conn.execute(update(payment_parts).where(payment_parts.c.id == part_id).values(status=status))
