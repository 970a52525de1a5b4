"""Due work: what fell due between two business days, run once. The only caller of settlement, autopay
and scheduled runs on a schedule (the dev clock's `advance_to`, and the periodic runner).

Each unit of work (this payment's settlement, this account's autopay for this due date, this scheduled
payment) is claimed in its own short transaction (a compare-and-set on its status, or its payment intent's
unique unit key), so it runs once whatever runs it, and no transaction is open while the processor is
asked. Every payment is dated the day it fell due, passed as an argument: the stored clock is never
rewritten to date one.
"""

from __future__ import annotations

import logging
from datetime import date

from sqlalchemy import Engine

from backend_stub import clock
from backend_stub.payments.autopay import run_autopay
from backend_stub.payments.scheduling import run_scheduled
from backend_stub.payments.settle import settle_due
from backend_stub.processor import Processor
from backend_stub.settings import Settings
from backend_stub.store.db import writing

log = logging.getLogger(__name__)


def advance_to(engine: Engine, new_today: date, processor: Processor, settings: Settings) -> date:
    """Move the clock forward to `new_today` (committed first), then run what fell due in between.
    Never backwards: ValueError."""
    with writing(engine) as conn:
        old = clock.today(conn)
        if new_today < old:
            raise ValueError("the clock only moves forward")
        clock.set_today(conn, new_today)
    if new_today > old:
        run_due_jobs(engine, processor, settings, old, new_today)
    return new_today


def run_due_jobs(
    engine: Engine, processor: Processor, settings: Settings, from_day: date, to_day: date
) -> None:
    """Run everything that fell due in (from_day, to_day]: bank payments settle (or are returned) on their
    settlement date, autopay pays the invoices due on each day and scheduled payments run on their date."""
    settled = settle_due(engine, processor, to_day)
    paid = run_autopay(engine, processor, settings, from_day, to_day)
    paid += run_scheduled(engine, processor, settings, to_day)
    settled += settle_due(
        engine, processor, to_day
    )  # a bank autopay made on an early day may settle by to_day
    log.debug("due jobs for %s..%s: %d settled or returned, %d paid", from_day, to_day, settled, paid)


__all__ = ["advance_to", "run_due_jobs"]
