"""Business-day arithmetic for settlement dates (weekends only; no bank holidays in the stub)."""

from __future__ import annotations

from datetime import date, timedelta

INVOICE_TERMS_DAYS = 21
ACH_SETTLEMENT_BUSINESS_DAYS = 3


def add_business_days(day: date, count: int) -> date:
    if count < 0:
        raise ValueError("count must not be negative")
    while count:
        day += timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return day


def due_date(issued_on: date) -> date:
    return issued_on + timedelta(days=INVOICE_TERMS_DAYS)
