"""The jobs runner: what falls due on the real clock runs by itself, at start and then every
`--jobs-every` seconds, in a background thread of each server process (never on the event loop), and
once per `paydesk-stub jobs`.

A round is a list of named tasks run in order; a task that fails is logged (its name and the error's
class and first line: no row values, which SQLAlchemy's hide_parameters keeps out of the message) and
the others still run. The due work runs every business day in (last day run, today] once: the last day
run lives in the database (store/job_days) and moves forward by compare-and-set. On a database that
never ran jobs it starts at the day the data knows last (a seed's pinned date, else its newest business
event), so a seeded database catches up once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Engine

from backend_stub import clock, jobs
from backend_stub.idempotency import KEEP as IDEMPOTENCY_KEEP
from backend_stub.mail_delivery import deliver_pending
from backend_stub.payments import recovery
from backend_stub.processor import Processor
from backend_stub.settings import Settings
from backend_stub.store import cleanup, job_days
from backend_stub.store.db import reading, writing

log = logging.getLogger(__name__)

STOP_TIMEOUT_SECONDS = 30.0  # a round in progress at shutdown gets this long to finish


@dataclass(frozen=True)
class Task:
    name: str
    run: Callable[[Engine, Processor, Settings], object]  # returns what it did, for the log


def _recovery(engine: Engine, processor: Processor, settings: Settings) -> object:
    """Payments left unfinished by a process that died: settled or undone, their keys usable again."""
    return recovery.recover(engine, processor, settings)


def _mail(engine: Engine, processor: Processor, settings: Settings) -> object:
    """Deliver the outbox messages that are due: retries after a failure, and what `paydesk-stub jobs`
    itself wrote (with --smtp; nothing to do without)."""
    return deliver_pending(engine, settings)


def _due_work(engine: Engine, processor: Processor, settings: Settings, from_day: date, to_day: date) -> bool:
    """Run the due work of (from_day, to_day], then advance the last day run; False if another process
    advanced it first. The only caller of `jobs.run_due_jobs` outside jobs.

    The work comes first and the days advance only once it is done: a round cut short (a crash, a failing
    unit) leaves its days to run again, and each unit, claimed on its own, runs once however often a day
    is run (by two processes at once too)."""
    jobs.run_due_jobs(engine, processor, settings, from_day, to_day)
    with writing(engine) as conn:
        return job_days.advance(conn, from_day, to_day)


def _due_days(engine: Engine, processor: Processor, settings: Settings) -> object:
    """The due work of every day since the last day run, through today."""
    with reading(engine) as conn:
        today = clock.today(conn)
        last = job_days.last_day(conn)
    if last is None:
        with writing(engine) as conn:
            known = clock.pinned(conn) or job_days.newest_business_day(conn) or today
            last = job_days.start(conn, min(known, today))
    if today <= last:
        return "nothing due"
    if not _due_work(engine, processor, settings, last, today):
        return "run by another process"
    first = last + timedelta(days=1)
    span = today.isoformat() if first == today else f"{first.isoformat()}..{today.isoformat()}"  # inclusive
    log.info("jobs: ran the due work of %s", span)
    return f"ran {span}"


def _clean_up(engine: Engine, processor: Processor, settings: Settings) -> object:
    with writing(engine) as conn:
        deleted = cleanup.expired(conn, clock.utcnow(), IDEMPOTENCY_KEEP)
    return sum(deleted.values())


TASKS: tuple[Task, ...] = (
    Task("recovery", _recovery),  # first: a key left running by a dead process is usable again
    Task("due work", _due_days),
    Task("mail", _mail),  # after the due work, so its receipts leave in the same round
    Task("clean-up", _clean_up),
)


@dataclass(frozen=True)
class Outcome:
    done: dict[str, object]
    failed: list[str]


def run_once(engine: Engine, processor: Processor, settings: Settings) -> Outcome:
    """One round of every task; a failing task is logged and the rest still run."""
    done: dict[str, object] = {}
    failed: list[str] = []
    for task in TASKS:
        try:
            done[task.name] = task.run(engine, processor, settings)
        except Exception as exc:  # one task's failure must not stop the others
            failed.append(task.name)
            first_line = (str(exc).strip().splitlines() or [""])[0][:300]
            log.error("jobs: %s failed: %s: %s", task.name, type(exc).__name__, first_line)
    return Outcome(done, failed)


class JobRunner:
    """Rounds in a daemon thread: one now, then one every `every` seconds, until `stop()`."""

    def __init__(self, engine: Engine, processor: Processor, settings: Settings, every: float) -> None:
        self.engine, self.processor, self.settings, self.every = engine, processor, settings, every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="paydesk jobs", daemon=True)
        self.rounds = 0

    def start(self) -> JobRunner:
        self._thread.start()
        return self

    def _loop(self) -> None:
        while not self._stop.is_set():
            outcome = run_once(self.engine, self.processor, self.settings)
            self.rounds += 1
            if self.rounds == 1:
                # Once per process: jobs are on, and what the first round (the catch-up) found.
                log.info(
                    "jobs: every %g s; first round: %s",
                    self.every,
                    ", ".join(f"{name}: {what}" for name, what in outcome.done.items()) or "nothing",
                )
            self._stop.wait(self.every)

    def stop(self, timeout: float = STOP_TIMEOUT_SECONDS) -> None:
        """Ask the thread to stop and wait for the round in progress (blocking: call it off the loop)."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)


__all__ = ["TASKS", "JobRunner", "Outcome", "Task", "run_once"]
