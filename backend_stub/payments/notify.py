"""The mail payments send: the receipt (and a phone bank payment's written authorisation), a bank
return, and a failed autopay or scheduled run. Written to the outbox in the caller's transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import Connection, RowMapping

from backend_stub import mail, receipts, views
from backend_stub.billing.quote import Quote
from backend_stub.processor import RETURN_REASONS
from backend_stub.receipts import BUSINESS_PHONE, dollars
from backend_stub.store.auth import User


def payment_made(
    conn: Connection, account: RowMapping, user: User, payload: dict, result: Quote, today: date
) -> None:
    """The receipt; for a clerk's phone payment, also each bank part's NACHA TEL authorisation."""
    name = views.full_name(account["first_name"], account["last_name"])
    facts = receipts.ReceiptFacts(
        account_number=account["account_number"],
        customer_name=name,
        confirmation_number=payload["confirmation_number"],
        status=payload["status"],
        created_on=today,
        settles_on=date.fromisoformat(payload["settles_on"]) if payload["settles_on"] else None,
        allocations=[(a.number, a.amount_cents) for a in result.allocations],
        credit_cents=result.credit_cents,
        amount_cents=result.amount_cents,
        fees_cents=result.fees_cents,
        total_cents=result.total_cents,
        parts=[
            receipts.ReceiptPart(
                p.method.type,
                p.method.brand,
                p.method.last4,
                p.method.bank_name,
                p.amount_cents,
                [(f.description, f.amount_cents) for f in p.fees],
            )
            for p in result.parts
        ],
    )
    subject, text = receipts.receipt(facts)
    mail.send_constant(conn, payload["receipt_email"], subject, text, "receipt")  # every payment sends it
    if not user.is_clerk:
        return
    for part in result.parts:
        if part.method.type != "ach":
            continue
        subject, text = receipts.tel_authorization(
            customer_name=name,
            account_number=account["account_number"],
            bank_label=part.method.bank_name or "Bank account",
            bank_last4=part.method.last4,
            amount_cents=part.amount_cents,
            debit_on=facts.settles_on or today,
            authorized_on=today,
            confirmation_number=facts.confirmation_number,
        )
        mail.send(conn, payload["receipt_email"], subject, text, "ach_authorization")


def bank_returned(
    conn: Connection,
    account: RowMapping,
    payment: RowMapping,
    returned_cents: int,
    return_code: str,
    reopened_numbers: Sequence[str],
) -> None:
    subject, text = receipts.ach_return(
        customer_name=views.full_name(account["first_name"], account["last_name"]),
        account_number=account["account_number"],
        confirmation_number=payment["confirmation_number"],
        amount_cents=returned_cents,
        return_code=return_code,
        reason=RETURN_REASONS.get(return_code, "returned by the bank"),
        invoices=list(reopened_numbers),
    )
    mail.send(conn, account["email"], subject, text, "ach_return")


def autopay_failed(
    conn: Connection, account: RowMapping, rows: Sequence[RowMapping], day: date, why: str
) -> None:
    numbers = ", ".join(r["number"] for r in rows)
    amount = dollars(sum(r["balance_cents"] for r in rows))
    mail.send(
        conn,
        account["email"],
        "Your automatic payment did not go through",
        f"Hello {views.full_name(account['first_name'], account['last_name'])},\n\n"
        f"Autopay tried to pay {amount} for invoice {numbers} on account {account['account_number']} on "
        f"{day.isoformat()}, and the payment was declined: {why}\n\nNothing was charged. "
        "Autopay is still on: pay these invoices now in Paydesk, or change the autopay payment method. "
        f"Questions? Call us at {BUSINESS_PHONE}.\n",
        kind="autopay_failed",
    )


def scheduled_failed(conn: Connection, account: RowMapping, scheduled: RowMapping, why: str | None) -> None:
    mail.send(
        conn,
        scheduled["receipt_email"],
        "Your scheduled payment did not go through",
        f"Hello {views.full_name(account['first_name'], account['last_name'])},\n\n"
        f"The payment of {dollars(scheduled['amount_cents'])} scheduled for "
        f"{scheduled['pay_on'].isoformat()} on account {account['account_number']} did not go through: "
        f"{why}\n\nNothing was charged. Pay now in Paydesk or call us at {BUSINESS_PHONE}.\n",
        kind="scheduled_failed",
    )


def payment_voided(
    conn: Connection, account: RowMapping, payment: RowMapping, bank: bool, reopened_numbers: Sequence[str]
) -> None:
    subject, text = receipts.void_notice(
        customer_name=views.full_name(account["first_name"], account["last_name"]),
        account_number=account["account_number"],
        confirmation_number=payment["confirmation_number"],
        total_cents=payment["total_cents"],
        bank=bank,
        invoices=list(reopened_numbers),
    )
    mail.send(conn, account["email"], subject, text, "payment_voided")


def payment_refunded(
    conn: Connection,
    account: RowMapping,
    payment: RowMapping,
    amount_cents: int,
    method_label: str,
    from_credit_cents: int,
    reopened_numbers: Sequence[str],
) -> None:
    subject, text = receipts.refund_notice(
        customer_name=views.full_name(account["first_name"], account["last_name"]),
        account_number=account["account_number"],
        confirmation_number=payment["confirmation_number"],
        amount_cents=amount_cents,
        method_label=method_label,
        from_credit_cents=from_credit_cents,
        invoices=list(reopened_numbers),
    )
    mail.send(conn, account["email"], subject, text, "payment_refunded")
