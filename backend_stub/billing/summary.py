"""The account summary from per-group totals of the account's top-level sent invoices."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from backend_stub.billing.status import OPEN, is_past_due


@dataclass(frozen=True)
class InvoiceGroup:
    """Totals of invoices that share a pay_state and a due date (the store groups them in SQL)."""

    pay_state: str
    due_on: date
    count: int
    balance_cents: int
    pending_cents: int


@dataclass(frozen=True)
class Summary:
    balance_due_cents: int
    past_due_cents: int
    credit_cents: int
    in_progress_cents: int
    open_count: int
    past_due_count: int
    next_due_on: date | None
    today: date


def summarize(groups: Iterable[InvoiceGroup], credit_cents: int, today: date) -> Summary:
    """balance due = every balance left; in progress = what pending payments cover; past due = the
    balance of open invoices due before today; next due = the earliest due date among open invoices
    that are not past due."""
    balance = pending = past_due = open_count = past_due_count = 0
    next_due: date | None = None
    for group in groups:
        balance += group.balance_cents
        pending += group.pending_cents
        if group.pay_state != OPEN:
            continue
        open_count += group.count
        if is_past_due(group.pay_state, group.due_on, today):
            past_due += group.balance_cents
            past_due_count += group.count
        elif next_due is None or group.due_on < next_due:
            next_due = group.due_on
    return Summary(
        balance_due_cents=balance,
        past_due_cents=past_due,
        credit_cents=credit_cents,
        in_progress_cents=pending,
        open_count=open_count,
        past_due_count=past_due_count,
        next_due_on=next_due,
        today=today,
    )
