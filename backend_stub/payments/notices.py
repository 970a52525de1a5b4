"""The notices the due work writes, each in the transaction of its event (a return's settlement, an
autopay or scheduled run's outcome), keyed by the event so it is written once: `return:<payment id>`,
`autopay:<account id>:<due date>` (the autopay unit), `scheduled:<scheduled payment id>`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import Connection, RowMapping

from backend_stub.billing import notice_words as words
from backend_stub.processor import RETURN_REASONS
from backend_stub.store import notices as store


def bank_returned(
    conn: Connection,
    payment: RowMapping,
    returned_cents: int,
    return_code: str,
    reopened: Sequence[str],
    day: date,
) -> None:
    message = words.bank_payment_returned(
        confirmation_number=payment["confirmation_number"],
        amount_cents=returned_cents,
        made_on=payment["created_at"].date(),  # the payment's created_on, as views.payment shows it
        return_code=return_code,
        reason=RETURN_REASONS.get(return_code, "returned by the bank"),
        reopened=reopened,
    )
    store.add(conn, payment["account_id"], "bank_payment_returned", message, day, f"return:{payment['id']}")


def autopay_failed(
    conn: Connection, account_id: int, amount_cents: int, invoices: Sequence[str], day: date, why: str
) -> None:
    message = words.autopay_failed(amount_cents=amount_cents, invoices=invoices, day=day, why=why)
    store.add(conn, account_id, "autopay_failed", message, day, _autopay_key(account_id, day))


def autopay_skipped(conn: Connection, account_id: int, invoices: Sequence[str], day: date) -> None:
    message = words.autopay_skipped(invoices=invoices, day=day)
    store.add(conn, account_id, "autopay_skipped", message, day, _autopay_key(account_id, day))


def autopay_fees_changed(
    conn: Connection,
    account_id: int,
    amount_cents: int,
    invoices: Sequence[str],
    day: date,
    accepted_terms: str | None,
) -> None:
    message = words.autopay_fees_changed(
        amount_cents=amount_cents, invoices=invoices, day=day, accepted_terms=accepted_terms
    )
    store.add(conn, account_id, "fees_changed", message, day, _autopay_key(account_id, day))


def scheduled_failed(conn: Connection, scheduled: RowMapping, why: str) -> None:
    message = words.scheduled_payment_failed(
        amount_cents=scheduled["amount_cents"], pay_on=scheduled["pay_on"], why=why
    )
    _add_scheduled(conn, scheduled, "scheduled_payment_failed", message)


def scheduled_skipped(conn: Connection, scheduled: RowMapping) -> None:
    message = words.scheduled_payment_skipped(
        amount_cents=scheduled["amount_cents"], pay_on=scheduled["pay_on"]
    )
    _add_scheduled(conn, scheduled, "scheduled_payment_skipped", message)


def scheduled_fees_changed(conn: Connection, scheduled: RowMapping) -> None:
    message = words.scheduled_payment_fees_changed(
        amount_cents=scheduled["amount_cents"],
        pay_on=scheduled["pay_on"],
        accepted_fees_cents=scheduled["fees_cents"] or 0,
    )
    _add_scheduled(conn, scheduled, "fees_changed", message)


def _autopay_key(account_id: int, day: date) -> str:
    return f"autopay:{account_id}:{day.isoformat()}"


def _add_scheduled(conn: Connection, scheduled: RowMapping, kind: str, message: str) -> None:
    store.add(
        conn, scheduled["account_id"], kind, message, scheduled["pay_on"], f"scheduled:{scheduled['id']}"
    )
