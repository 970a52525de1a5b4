"""An account statement as plain data: entries in order with a running balance.

Charges are positive (invoices, fees, returned bank payments put back), payments negative; the balance is
what is owed (negative: in credit). A payment with fees gives two entries, the fee (+) and the payment
(-(amount + fees)), so the balance moves by the amount paid, as the invoices saw it."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, replace
from datetime import date

STATEMENT_MONTHS = 36

# Same-day order: an invoice is issued before it is paid; a payment's fee before the payment; a bank
# return after the payment it reverses.
KIND_ORDER = {"invoice": 0, "fee": 1, "payment": 2, "ach_return": 3}


@dataclass(frozen=True)
class Entry:
    date: date
    kind: str  # invoice | fee | payment | ach_return
    description: str
    reference: str
    amount_cents: int
    balance_cents: int = 0
    seq: tuple = ()  # a tie-break within the day (ids, times)


@dataclass(frozen=True)
class Statement:
    opening_balance_cents: int
    closing_balance_cents: int
    entries: list[Entry]


def months_before(day: date, months: int) -> date:
    """The same day `months` earlier (the last day of that month when it is shorter)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def oldest_from(today: date) -> date:
    return months_before(today, STATEMENT_MONTHS)


def build(events: list[Entry], start: date, end: date) -> Statement:
    """Events of any date up to `end`: those before `start` make the opening balance, the rest the entries
    (oldest first) with their running balances."""
    ordered = sorted(events, key=lambda e: (e.date, KIND_ORDER[e.kind], e.seq))
    opening = sum(e.amount_cents for e in ordered if e.date < start)
    balance = opening
    entries: list[Entry] = []
    for event in ordered:
        if start <= event.date <= end:
            balance += event.amount_cents
            entries.append(replace(event, balance_cents=balance))
    return Statement(opening, balance, entries)


