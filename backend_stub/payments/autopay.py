"""Autopay: on each due date that passes, each autopay account's invoices due that day are paid with the
enrolled method (channel `autopay`), once per invoice per due date, the payment dated its due day. A
decline is recorded, emailed and shown on the account; autopay stays on."""

from __future__ import annotations

from datetime import date
from itertools import groupby

from sqlalchemy import Connection

from backend_stub import clock
from backend_stub.billing.allocation import Selection, Target
from backend_stub.payments import notify
from backend_stub.payments.command import saved_method_command
from backend_stub.payments.make import pay_in_transaction
from backend_stub.processor import Processor
from backend_stub.settings import Settings
from backend_stub.store import autopay as store
from backend_stub.store import payments as payment_store


def run_autopay(
    conn: Connection, processor: Processor, settings: Settings, after: date, through: date
) -> int:
    """Pay what fell due in (after, through], day by day (each payment dated its due day). Returns how
    many payments were attempted."""
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
        target = Target("invoices", tuple(Selection(r["id"]) for r in payable))
        command = saved_method_command(target, rows[0]["autopay_method_id"], account["email"])
        payment, failure = pay_in_transaction(conn, processor, settings, account_id, command, "autopay", day)
        attempted += 1
        if payment is not None:
            store.record_runs(conn, account_id, rows, payment["status"], payment["id"], None, now)
            store.set_failure(conn, account_id, None, None)
            continue
        store.record_runs(conn, account_id, rows, "failed", None, failure, now)
        store.set_failure(conn, account_id, day, failure)
        notify.autopay_failed(conn, account, payable, day, failure or "")
    return attempted
