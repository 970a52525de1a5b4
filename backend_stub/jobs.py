"""Due work: what fell due between two business days, run once. The only caller of settlement, autopay
and scheduled runs on a schedule (the dev clock's `advance_to`, and the background runner in job_runner.py).

Each job leaves the state that selects it (a settled payment, an autopay run row, a scheduled payment no
longer `scheduled`), so it runs once however the clock moves. Every payment is dated the day it fell due,
passed as an argument: the stored clock is never rewritten to date one.
"""

from __future__ import annotations

import logging
from datetime import date

from sqlalchemy import Connection

from backend_stub import clock
from backend_stub.payments.autopay import run_autopay
from backend_stub.payments.scheduling import run_due
from backend_stub.payments.settle import settle_due
from backend_stub.processor import Processor
from backend_stub.settings import Settings
from backend_stub.store import job_days

log = logging.getLogger(__name__)


def advance_to(
    conn: Connection, new_today: date, processor: Processor | None = None, settings: Settings | None = None
) -> date:
    """Move the clock forward to `new_today` and run what fell due in between. Never backwards."""
    old = clock.today(conn)
    if new_today < old:
        raise ValueError("the clock only moves forward")
    clock.set_today(conn, new_today)
    if new_today > old:
        run_due_jobs(conn, old, new_today, processor, settings)
        job_days.mark_through(conn, new_today)  # the background runner must not run these days again
    return new_today


def run_due_jobs(
    conn: Connection,
    from_day: date,
    to_day: date,
    processor: Processor | None = None,
    settings: Settings | None = None,
) -> None:
    """Run everything that fell due in (from_day, to_day]: bank payments settle (or are returned) on their
    settlement date; with a processor, autopay pays the invoices due on each day and scheduled payments
    run on their date."""
    settled = settle_due(conn, to_day)
    paid = 0
    if processor is not None and settings is not None:
        paid = run_autopay(conn, processor, settings, from_day, to_day)
        paid += run_due(conn, processor, settings, to_day)
        settled += settle_due(conn, to_day)  # a bank autopay made on an early day may settle by to_day
    log.debug("due jobs for %s..%s: %d settled or returned, %d autopay", from_day, to_day, settled, paid)


__all__ = ["advance_to", "run_due_jobs"]
