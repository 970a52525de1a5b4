"""Invoice statuses as a customer sees them, and the past-due rule."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Literal

PayState = Literal["open", "in_progress", "paid"]
OPEN: PayState = "open"
IN_PROGRESS: PayState = "in_progress"
PAID: PayState = "paid"


def pay_state(balance_cents: int, pending_cents: int) -> PayState:
    """`paid` when nothing is owed or pending, `in_progress` while a payment is pending, else `open`."""
    if balance_cents < 0 or pending_cents < 0:
        raise ValueError("balances are never negative")
    if pending_cents > 0:
        return IN_PROGRESS
    if balance_cents > 0:
        return OPEN
    return PAID


def parent_pay_state(children: Iterable[PayState]) -> PayState:
    """A multi-site parent is open while any child is open, in progress while any child is, else paid."""
    states = set(children)
    if OPEN in states:
        return OPEN
    if IN_PROGRESS in states:
        return IN_PROGRESS
    return PAID


def is_past_due(state: str, due_on: date, today: date) -> bool:
    """Only an open invoice can be past due: one whose due date is before the backend's today."""
    return state == OPEN and due_on < today


def is_visible(state: str) -> bool:
    """Invoices that were never sent (`unsent`) or were voided are never shown nor counted."""
    return state == "sent"
