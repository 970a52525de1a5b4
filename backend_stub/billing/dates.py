"""Calendar arithmetic: settlement dates (weekends only; no bank holidays in the stub), due dates, and the
36-month window that payment history and statements both show."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

INVOICE_TERMS_DAYS = 21
ACH_SETTLEMENT_BUSINESS_DAYS = 3
HISTORY_MONTHS = 36


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


def months_before(day: date, months: int) -> date:
    """The same day `months` earlier (the last day of that month when it is shorter)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def history_start(today: date) -> date:
    """The oldest day payment history and statements show: 36 months before today."""
    return months_before(today, HISTORY_MONTHS)
