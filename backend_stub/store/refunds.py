"""The writes and reads of undoing a payment: a void (the payment's status, its allocations removed), a
refund row (and the allocations it shrinks), and the refunds shown with a payment."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, RowMapping, delete, func, select, update

from backend_stub.store.tables import allocations, payment_parts, payment_refunds, payments, users


def mark_voided(
    conn: Connection, payment_id: int, from_status: str, at: datetime, reason: str, clerk_id: int
) -> bool:
    """Void the payment if it is still `from_status` (a compare-and-set, as settlement's: one wins)."""
    result = conn.execute(
        update(payments)
        .where(payments.c.id == payment_id, payments.c.status == from_status)
        .values(status="voided", voided_at=at, void_reason=reason, voided_by=clerk_id)
    )
    if result.rowcount != 1:
        return False
    conn.execute(
        update(payment_parts).where(payment_parts.c.payment_id == payment_id).values(status="voided")
    )
    return True


def remove_allocations(conn: Connection, payment_id: int) -> None:
    conn.execute(delete(allocations).where(allocations.c.payment_id == payment_id))


def shrink_allocations(conn: Connection, shrunk: Sequence[tuple[int, int]]) -> None:
    """Each (allocation id, cents given back): the allocation holds that much less; one left at 0 goes."""
    for allocation_id, back in shrunk:
        if back:
            conn.execute(
                update(allocations)
                .where(allocations.c.id == allocation_id)
                .values(amount_cents=allocations.c.amount_cents - back)
            )
    conn.execute(delete(allocations).where(allocations.c.amount_cents <= 0))


def mark_refunded(conn: Connection, payment_id: int, refunded_cents: int, status: str) -> None:
    conn.execute(
        update(payments)
        .where(payments.c.id == payment_id)
        .values(refunded_cents=refunded_cents, status=status)
    )


def insert_refund(
    conn: Connection,
    *,
    payment_id: int,
    amount_cents: int,
    from_credit_cents: int,
    reopened: Sequence[tuple[int, int]],
    reason: str,
    created_by: int,
    created_at: datetime,
) -> int:
    result = conn.execute(
        payment_refunds.insert().values(
            payment_id=payment_id,
            amount_cents=amount_cents,
            from_credit_cents=from_credit_cents,
            reopened=json.dumps([list(r) for r in reopened]),
            reason=reason,
            created_by=created_by,
            created_at=created_at,
        )
    )
    return int(result.inserted_primary_key[0])


def credit_taken(conn: Connection, payment_id: int) -> int:
    """How much of the credit the payment made its refunds took back so far."""
    query = select(func.coalesce(func.sum(payment_refunds.c.from_credit_cents), 0)).where(
        payment_refunds.c.payment_id == payment_id
    )
    return int(conn.execute(query).scalar_one())


def of_payments(conn: Connection, payment_ids: Sequence[int]) -> dict[int, list[RowMapping]]:
    """Each payment's refunds, oldest first, with the clerk's name."""
    found: dict[int, list[RowMapping]] = {}
    ids = sorted(set(payment_ids))
    for start in range(0, len(ids), 500):
        query = (
            select(payment_refunds, users.c.name.label("created_by_name"))
            .outerjoin(users, users.c.id == payment_refunds.c.created_by)
            .where(payment_refunds.c.payment_id.in_(ids[start : start + 500]))
            .order_by(payment_refunds.c.payment_id, payment_refunds.c.id)
        )
        for row in conn.execute(query).mappings():
            found.setdefault(row["payment_id"], []).append(row)
    return found


def one(conn: Connection, refund_id: int) -> RowMapping | None:
    query = (
        select(payment_refunds, users.c.name.label("created_by_name"))
        .outerjoin(users, users.c.id == payment_refunds.c.created_by)
        .where(payment_refunds.c.id == refund_id)
    )
    return conn.execute(query).mappings().first()


def mark_void_sent(conn: Connection, payment_id: int, at: datetime) -> None:
    conn.execute(update(payments).where(payments.c.id == payment_id).values(void_sent_at=at))


def mark_refund_sent(conn: Connection, refund_id: int, at: datetime) -> None:
    conn.execute(update(payment_refunds).where(payment_refunds.c.id == refund_id).values(sent_at=at))


def left_to_send(conn: Connection) -> tuple[list[int], list[int]]:
    """Voided payments and refunds the processor was not told of yet (a crash came between the commit and
    the processor, and no retry came): (payment ids, refund ids)."""
    voids = conn.execute(
        select(payments.c.id).where(payments.c.status == "voided", payments.c.void_sent_at.is_(None))
    ).scalars()
    refunds = conn.execute(select(payment_refunds.c.id).where(payment_refunds.c.sent_at.is_(None))).scalars()
    return list(voids), list(refunds)
