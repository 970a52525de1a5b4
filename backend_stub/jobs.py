"""Due work: what fell due between two business days, run once. The only caller of settlement, autopay
and scheduled runs on a schedule (the dev clock's `advance_to`, and the background runner in job_runner.py).

Each unit of work (this payment's settlement, this account's autopay for this due date, this scheduled
payment) is claimed in its own short transaction (a compare-and-set on its status, or its payment intent's
unique unit key), so it runs once whatever runs it, and no transaction is open while the processor is
asked. Every payment is dated the day it fell due, passed as an argument: the stored clock is never
rewritten to date one.
"""

from __future__ import annotations

import logging
import time
from datetime import date, timedelta

from sqlalchemy import Engine

from backend_stub import clock, owners
from backend_stub.payments.autopay import run_autopay
from backend_stub.payments.flow import work_name
from backend_stub.payments.scheduling import run_scheduled
from backend_stub.payments.settle import settle_due
from backend_stub.processor import Processor
from backend_stub.settings import Settings
from backend_stub.store import autopay as autopay_store
from backend_stub.store import intents, job_days
from backend_stub.store import payments as payment_store
from backend_stub.store import scheduled as scheduled_store
from backend_stub.store.db import reading, writing

log = logging.getLogger(__name__)

AWAIT_OTHERS = timedelta(seconds=30)  # then go on: each unit still runs once, only the order may differ


class ClockBackwards(ValueError):
    """Another move took the clock past the day asked for."""


def advance_to(engine: Engine, new_today: date, processor: Processor, settings: Settings) -> date:
    """Move the clock forward to `new_today` (committed first), then run what fell due in between.
    Never backwards: ClockBackwards."""
    with writing(engine) as conn:
        old = clock.today(conn)
        if new_today < old:
            raise ClockBackwards("the clock only moves forward")
        clock.set_today(conn, new_today)
    if new_today > old:
        run_due_jobs(engine, processor, settings, old, new_today)
        with writing(engine) as conn:
            job_days.mark_through(conn, new_today)  # the background runner must not run these days again
    return new_today


def run_due_jobs(
    engine: Engine, processor: Processor, settings: Settings, from_day: date, to_day: date
) -> None:
    """Run everything that fell due in (from_day, to_day], day by day in business order: on each day,
    bank payments settle (or are returned) on their settlement date, autopay pays the invoices due that
    day, and scheduled payments run on their date (with `from_day` ≥ `to_day`: what is due by `to_day`).

    Between these steps, this run waits for the due payments other processes are still making (they
    claimed units this run skipped): so every process sees each day's work done before the next, and
    several running at once leave what one run would have (a card limit counts the days before, a
    balance is what the earlier days left)."""
    settled = paid = 0
    after, ran = from_day, False
    while True:  # only the days something falls due on: a long jump is as cheap as a short one
        day = _next_due_day(engine, after, to_day)
        if day is None:
            if ran:
                break
            day = to_day  # nothing falls due in the range: what was due by to_day (overdue) still runs
        ran = True
        settled += settle_due(engine, processor, day)
        _await_others(engine)
        paid += run_autopay(engine, processor, settings, after, day)
        _await_others(engine)
        paid += run_scheduled(engine, processor, settings, day)
        _await_others(engine)
        after = max(after, day)
        if day >= to_day:
            break
    log.debug("due jobs for %s..%s: %d settled or returned, %d paid", from_day, to_day, settled, paid)


def _next_due_day(engine: Engine, after: date, to_day: date) -> date | None:
    """The first day in (after, to_day] a settlement, an autopay or a scheduled payment falls due."""
    with reading(engine) as conn:
        days = [
            payment_store.next_settlement(conn, after, to_day),
            autopay_store.next_due(conn, after, to_day),
            scheduled_store.next_pay_on(conn, after, to_day),
        ]
    known = [d for d in days if d is not None]
    return min(known) if known else None


def _await_others(engine: Engine) -> None:
    """Wait (at most AWAIT_OTHERS) until no live process is still authorising a due payment."""
    owner = owners.of(engine)
    deadline = time.monotonic() + AWAIT_OTHERS.total_seconds()
    while True:
        with reading(engine) as conn:
            live = owner.live_owners(conn)
            busy = [
                row
                for row in intents.unfinished(conn)
                if row["unit_key"] is not None
                and row["state"] == intents.AUTHORIZING
                and (row["owner"] in live or (row["owner"] == owner.id and owner.holds(work_name(row["id"]))))
            ]
        if not busy or time.monotonic() > deadline:
            return
        time.sleep(0.02)


__all__ = ["ClockBackwards", "advance_to", "run_due_jobs"]
