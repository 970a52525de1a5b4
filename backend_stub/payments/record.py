"""Recording a payment: its rows (payment, parts, allocations, the invoices' money, credit, saved
methods) and, for a clerk's, its audit row, all in the caller's transaction, dated `today`."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection, RowMapping

from backend_stub import clock, identity_gate, views
from backend_stub.billing.dates import ACH_SETTLEMENT_BUSINESS_DAYS, add_business_days
from backend_stub.billing.ledger import take
from backend_stub.billing.quote import Quote
from backend_stub.payments.command import PaymentCommand
from backend_stub.payments.plan import Resolved
from backend_stub.processor import TokenDetails
from backend_stub.store import audit
from backend_stub.store import methods as method_store
from backend_stub.store import payments as store
from backend_stub.store import refunds as refund_store
from backend_stub.store.auth import User

CONFIRMATION_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def record_payment(
    conn: Connection,
    account: RowMapping,
    user: User,
    command: PaymentCommand,
    result: Quote,
    resolved: list[Resolved],
    tokens: list[TokenDetails],
    today: date,
    channel: str | None = None,
    confirmation: str | None = None,
) -> dict:
    """Write the payment `result` plans and answer it as the API shows it. `channel` is set for payments
    the backend makes itself (autopay, scheduled), whose `created_by` is null; `confirmation` is a number
    `new_confirmation` gave in this transaction (else one is made here)."""
    written = write_payment(
        conn, account, user, command, result, resolved, tokens, today, channel, confirmation
    )
    allocate(conn, written, result)
    return written.payload


@dataclass(frozen=True)
class Written:
    """A payment's own rows, written by `write_payment`; its money goes on by `allocate`."""

    account_id: int
    payment_id: int
    part_ids: list[int]
    payload: dict  # the payment as the API answers it


def write_payment(
    conn: Connection,
    account: RowMapping,
    user: User,
    command: PaymentCommand,
    result: Quote,
    resolved: list[Resolved],
    tokens: list[TokenDetails],
    today: date,
    channel: str | None = None,
    confirmation: str | None = None,
) -> Written:
    """`record_payment`'s rows that move no money (the payment, its parts, saved methods, a clerk's audit
    row): none of them is read by a plan, so on PostgreSQL they go in before the account's lock is
    taken (the lock is the payments' queue). The invoices' money and the credit are `allocate`'s."""
    pending = result.pending
    created_at = datetime.combine(today, clock.utcnow().time())
    settles_on = add_business_days(today, ACH_SETTLEMENT_BUSINESS_DAYS) if pending else None
    authorization = command.authorization.as_dict() if command.authorization else {"kind": "online"}
    if user.is_clerk:  # who took it on which identity check, checked again in this transaction, and when
        check_id = command.authorization.identity_check_id if command.authorization else None
        authorization["clerk_id"] = user.id
        authorization["identity_check_id"] = identity_gate.require(conn, user, account["id"], check_id)
        authorization["agreed_at"] = clock.utcnow().strftime("%Y-%m-%dT%H:%M:%SZ")
    row: dict = {
        "account_id": account["id"],
        "confirmation_number": confirmation or new_confirmation(conn),
        "status": "pending" if pending else "succeeded",
        "amount_cents": result.amount_cents,
        "fees_cents": result.fees_cents,
        "total_cents": result.total_cents,
        "credit_cents": result.credit_cents,
        "channel": channel or ("guest" if user.is_guest else "phone" if user.is_clerk else "online"),
        "created_by": None if channel or user.is_guest else user.id,
        "created_at": created_at,
        "settles_on": settles_on,
        "return_code": None,
        "receipt_email": command.receipt_email.strip(),
        "auth_detail": json.dumps(authorization, sort_keys=True),
    }
    payment_id = store.insert_payment(conn, **row)
    part_rows = [
        {
            "payment_id": payment_id,
            "fees": json.dumps([f.as_dict() for f in part.fees]),
            "method_type": part.method.type,
            "brand": part.method.brand,
            "last4": part.method.last4,
            "bank_name": part.method.bank_name,
            "funding": part.method.funding,
            "amount_cents": part.amount_cents,
            "fee_cents": part.fee_cents,
            "processor_token": token.token,
            "status": "pending" if part.method.type == "ach" else "succeeded",
        }
        for part, token in zip(result.parts, tokens, strict=True)
    ]
    part_ids = [store.insert_part(conn, **part_row) for part_row in part_rows]
    saved_ids = [
        save_method(conn, account["id"], t)
        for r, t in zip(resolved, tokens, strict=True)
        if r.save and r.saved is None
    ]
    if user.is_clerk:
        audit.record(
            conn,
            user.id,
            "payment.create",
            account["id"],
            payment_id=payment_id,
            amount_cents=result.amount_cents,
            authorization=authorization,
        )
    # The answer from the rows just written, not read back: what a new payment's columns default to.
    written = {**row, "id": payment_id, "refunded_cents": 0, "voided_at": None, "void_reason": None}
    for part_row, part_id in zip(part_rows, part_ids, strict=True):
        part_row["id"] = part_id
    allocation_rows = [
        {
            "invoice_id": a.invoice_id,
            "number": a.number,
            "amount_cents": a.amount_cents,
            "part_id": part_ids[a.part_index],
        }
        for a in result.by_part
    ]
    payload = views.payment(written, part_rows, allocation_rows).model_dump(mode="json")  # type: ignore[arg-type]
    payload["saved_payment_method_ids"] = saved_ids
    return Written(account["id"], payment_id, part_ids, payload)


def allocate(conn: Connection, written: Written, result: Quote) -> None:
    """Each part's money on its invoices as the quote planned it (cards on the oldest): a card part's is
    paid and its overpayment credit at once; a bank part's is pending, its credit granted when it settles.
    Read-modify-write of the invoices' money: under the account's lock."""
    account_id, payment_id, part_ids = written.account_id, written.payment_id, written.part_ids
    planned = result.by_part
    store.insert_allocations(
        conn, payment_id, [(a.invoice_id, a.amount_cents, part_ids[a.part_index]) for a in planned]
    )
    money = store.money_of(conn, [a.invoice_id for a in planned])
    for a in planned:
        bank = result.parts[a.part_index].method.type == "ach"
        money[a.invoice_id] = take(money[a.invoice_id], a.amount_cents, pending=bank)
    store.write_money(conn, money.values())
    credits = result.part_credits()
    store.add_credit(
        conn, account_id, sum(c for p, c in zip(result.parts, credits, strict=True) if p.method.type != "ach")
    )


def new_confirmation(conn: Connection) -> str:
    while True:
        code = "PD-" + "".join(secrets.choice(CONFIRMATION_ALPHABET) for _ in range(8))
        if not store.confirmation_taken(conn, code):
            return code


def save_method(conn: Connection, account_id: int, token: TokenDetails) -> int:
    """Keep a tokenised card or bank account as a saved method: the token and what may be shown, no more."""
    return method_store.add(
        conn,
        account_id,
        type=token.kind,
        brand=token.brand,
        last4=token.last4,
        exp_month=token.exp_month,
        exp_year=token.exp_year,
        bank_name=token.bank_name,
        funding=token.funding,
        account_type=token.account_type,
        processor_token=token.token,
        created_at=clock.utcnow(),
    )


def payment_payload(conn: Connection, payment_id: int) -> dict:
    """One payment as the API answers it."""
    row = store.payment(conn, payment_id)
    assert row is not None
    view = views.payment(
        row,
        store.parts(conn, [payment_id]).get(payment_id, []),
        store.allocations_of(conn, [payment_id]).get(payment_id, []),
        refund_store.of_payments(conn, [payment_id]).get(payment_id, []),
    )
    return view.model_dump(mode="json")
