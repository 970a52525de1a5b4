"""Scheduled payments: the checks when one is made or changed, and the run on its date.

A scheduled payment is priced by the same plan as a payment (target, saved method, fees); its date must be
today or later and on or before the due date of every invoice it pays. A payment for today runs at once;
later ones run when the due jobs reach their date (channel `scheduled`), dated that day, once: the status
leaves `scheduled`.

Fees are shown and accepted when the payment is scheduled, as when one pays now: the request names the
fees it accepts (`accepted_fees_cents`, 409 `fees_changed` otherwise) and the row keeps them with their
words. The run charges exactly those fees or nothing: if the plan on the day prices other fees (the fee
policy changed), the run is skipped with a `fees_changed` notice, never taking a fee nobody accepted."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, Engine, RowMapping

from backend_stub.billing.labels import method_label
from backend_stub.errors import invalid, not_found
from backend_stub.payments import notices, notify
from backend_stub.payments.command import saved_method_command, target_of
from backend_stub.payments.due import FEES_CHANGED, pay_due
from backend_stub.payments.plan import SYSTEM, plan
from backend_stub.payments.refusals import fees_changed, to_error
from backend_stub.processor import Processor
from backend_stub.schemas import EMAIL_PATTERN, ScheduledPayment
from backend_stub.settings import Settings
from backend_stub.store import methods as method_store
from backend_stub.store import payments as payment_store
from backend_stub.store import scheduled as store
from backend_stub.store.db import reading, writing

# Problems that belong to the day a payment is made, not to the day it is scheduled.
_RUN_TIME_ONLY = {"card_payment_limit", "fees_changed"}


@dataclass(frozen=True)
class Priced:
    """What a scheduled payment will pay and the fees the payer accepted for it (their words too)."""

    amount_cents: int
    fees_cents: int
    fees: list[dict]

    def columns(self) -> dict[str, object]:
        return {
            "amount_cents": self.amount_cents,
            "fees_cents": self.fees_cents,
            "fees": json.dumps(self.fees),
        }


def check(
    conn: Connection,
    settings: Settings,
    account_id: int,
    target: dict,
    method_id: int,
    pay_on: date,
    email: str,
    today: date,
    accepted_fees_cents: int | None,
) -> Priced:
    """What it will pay, priced; raises the 4xx for the first thing wrong (nothing written), 409
    `fees_changed` when `accepted_fees_cents` is not the fees quoted (None accepts no fee)."""
    if not re.match(EMAIL_PATTERN, email.strip()):
        raise invalid("Enter a valid email address for the receipt.", "receipt_email", "invalid_email")
    method = method_store.one(conn, method_id)
    if method is None or method["account_id"] != account_id:
        raise not_found("No such payment method on this account.").with_param("method.payment_method_id")
    if pay_on < today:
        raise invalid(f"Choose today ({today.isoformat()}) or a later date.", "pay_on", "date_in_past")
    command = saved_method_command(target_of(target), method_id, email)
    result, _ = plan(conn, settings, SYSTEM, account_id, command, today)
    problems = [p for p in result.problems if p.code not in _RUN_TIME_ONLY]
    if problems:
        raise to_error(problems[0])
    dues = store.due_dates(conn, [a.invoice_id for a in result.allocations])
    for allocation in result.allocations:
        number, due_on = dues[allocation.invoice_id]
        if pay_on > due_on:
            raise invalid(
                f"Invoice {number} is due on {due_on.isoformat()}: choose that date or an earlier one.",
                "pay_on",
                "date_after_due",
            )
    if result.fees_cents != (accepted_fees_cents or 0):
        raise fees_changed(result.fees_cents, accepted_fees_cents)
    fees = [fee.as_dict() for part in result.parts for fee in part.fees]
    return Priced(result.amount_cents, result.fees_cents, fees)


def view(conn: Connection, row: RowMapping) -> ScheduledPayment:
    label = None
    method = method_store.one(conn, row["method_id"]) if row["method_id"] is not None else None
    if method is not None:
        label = method_label(method["type"], method["brand"], method["last4"], method["bank_name"])
    return ScheduledPayment(
        id=row["id"],
        account_id=row["account_id"],
        target=json.loads(row["target"]),
        method={"type": "saved", "payment_method_id": row["method_id"]} if row["method_id"] else None,
        method_label=label,
        pay_on=row["pay_on"],
        amount_cents=row["amount_cents"],
        fees_cents=row["fees_cents"] or 0,
        fees=json.loads(row["fees"]) if row["fees"] else [],
        total_cents=row["amount_cents"] + (row["fees_cents"] or 0),
        receipt_email=row["receipt_email"],
        status=row["status"],
        payment_id=row["payment_id"],
        failure_message=row["failure_message"],
        created_at=row["created_at"],
        created_by=row["created_by"],
    )


def _target_now(conn: Connection, target: dict) -> dict | None:
    """The target as it can be paid now: invoices already paid are dropped and amounts are capped at
    what is left; None when nothing is left."""
    if target["type"] != "invoices":
        return target
    left = store.balances(conn, [i["invoice_id"] for i in target["invoices"]])
    picks = []
    for pick in target["invoices"]:
        balance = left.get(pick["invoice_id"], 0)
        if balance <= 0:
            continue
        if pick.get("amount_cents") is not None:
            pick = {**pick, "amount_cents": min(pick["amount_cents"], balance)}
        picks.append(pick)
    return {"type": "invoices", "invoices": picks} if picks else None


def unit_key(scheduled_id: int) -> str:
    return f"scheduled:{scheduled_id}"


def run_one(engine: Engine, processor: Processor, settings: Settings, scheduled_id: int, today: date) -> bool:
    """Make the scheduled payment now, dated `today`, and record how it went: once, whatever runs it
    (each outcome is written only while the row is still `scheduled`, and the payment is claimed by its
    intent's unit key). False when it was not this run's to make."""
    with reading(engine) as conn:
        row = store.one(conn, scheduled_id)
        if row is None or row["status"] != "scheduled":
            return False
        target = _target_now(conn, json.loads(row["target"]))
    if row["method_id"] is None:
        return _settle_without_paying(engine, row, "failed", "The payment method was removed.")
    if target is None:
        return _settle_without_paying(engine, row, "skipped", None)

    def paid(conn: Connection, account: RowMapping, payment: dict) -> None:
        if not store.finish(conn, scheduled_id, status="paid", payment_id=payment["id"]):
            raise RuntimeError(f"scheduled payment {scheduled_id} changed while it was paid")

    def failed(conn: Connection, account: RowMapping, why: str) -> None:
        if why == FEES_CHANGED:
            if store.finish(conn, scheduled_id, status="skipped", failure_message=why):
                notices.scheduled_fees_changed(conn, row)
        elif "nothing" in why.lower():
            if store.finish(conn, scheduled_id, status="skipped"):
                notices.scheduled_skipped(conn, row)
        elif store.finish(conn, scheduled_id, status="failed", failure_message=why[:300]):
            notify.scheduled_failed(conn, account, row, why)
            notices.scheduled_failed(conn, row, why)

    command = saved_method_command(
        target_of(target), row["method_id"], row["receipt_email"], accepted_fees_cents=row["fees_cents"] or 0
    )
    return pay_due(
        engine,
        processor,
        settings,
        row["account_id"],
        command,
        "scheduled",
        today,
        unit_key(scheduled_id),
        paid,
        failed,
    )


def _settle_without_paying(engine: Engine, row: RowMapping, status: str, why: str | None) -> bool:
    with writing(engine) as conn:
        if not store.finish(conn, row["id"], status=status, failure_message=why):
            return False
        if status == "failed":
            notify.scheduled_failed(conn, payment_store.account_row(conn, row["account_id"]), row, why)
            notices.scheduled_failed(conn, row, why or "")
        else:
            notices.scheduled_skipped(conn, row)
    return True


def run_scheduled(engine: Engine, processor: Processor, settings: Settings, through: date) -> int:
    """Run every scheduled payment due by `through`, each dated its own day. Returns how many this run
    made (or recorded as failed or skipped)."""
    with reading(engine) as conn:
        due = store.due_through(conn, through)
    return sum(run_one(engine, processor, settings, row["id"], row["pay_on"]) for row in due)
