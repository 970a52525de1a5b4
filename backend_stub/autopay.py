"""Autopay on the clock: on each due date that passes, each autopay account's invoices due that day are
paid with the enrolled method through the payment engine (channel `autopay`), once per invoice per due
date. A decline is recorded, emailed and shown on the account; autopay stays on."""

from __future__ import annotations

import logging
from datetime import date
from itertools import groupby

from sqlalchemy import Connection, RowMapping

from backend_stub import clock, mail, views
from backend_stub.processor import Processor
from backend_stub.receipts import BUSINESS_PHONE, dollars
from backend_stub.schemas import PaymentRequest
from backend_stub.settings import Settings
from backend_stub.store import autopay as store
from backend_stub.store import payments as payment_store

log = logging.getLogger(__name__)


def run_autopay(
    conn: Connection, processor: Processor, settings: Settings, after: date, through: date
) -> int:
    """Pay what fell due in (after, through], day by day (each payment dated its due day). Returns how
    many payments were attempted."""
    from backend_stub.payflow import pay_in_transaction  # payflow imports the clock

    attempted = 0
    due = store.due_between(conn, after, through)
    for (day, account_id), group in groupby(due, key=lambda r: (r["due_on"], r["account_id"])):
        rows = list(group)
        payable = [r for r in rows if r["balance_cents"] > 0]
        now = clock.utcnow()
        if not payable:  # paid by hand before the due date: nothing left for autopay
            store.record_runs(conn, account_id, rows, "skipped", None, None, now)
            continue
        account = payment_store.account_row(conn, account_id)
        body = PaymentRequest.model_validate(
            {
                "target": {"type": "invoices", "invoices": [{"invoice_id": r["id"]} for r in payable]},
                "parts": [{"method": {"type": "saved", "payment_method_id": rows[0]["autopay_method_id"]}}],
                "accepted_fees_cents": 0,
                "receipt_email": account["email"],
            }
        )
        clock.set_today(conn, day)  # the payment is dated the day it fell due
        try:
            payment, failure = pay_in_transaction(conn, processor, settings, account_id, body, "autopay")
        finally:
            clock.set_today(conn, through)
        attempted += 1
        if payment is not None:
            store.record_runs(conn, account_id, rows, payment["status"], payment["id"], None, now)
            store.set_failure(conn, account_id, None, None)
            continue
        store.record_runs(conn, account_id, rows, "failed", None, failure, now)
        store.set_failure(conn, account_id, day, failure)
        _email_failure(conn, account, payable, day, failure or "")
    return attempted


def _email_failure(
    conn: Connection, account: RowMapping, rows: list[RowMapping], day: date, why: str
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
