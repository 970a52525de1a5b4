"""Autopay: on each due date that passes, each autopay account's invoices due that day are paid with the
enrolled method (channel `autopay`), once per invoice per due date, the payment dated its due day. A
decline is recorded, emailed and shown on the account; autopay stays on.

A run is made only under the fee terms accepted at enrolment: if the enrolled method's terms are now
others (the fee policy changed), the day is skipped with a `fees_changed` notice and nothing is charged;
turning autopay on again accepts the new terms.

Each (account, due date) is one unit of work, claimed by its payment intent's unit key
`autopay:<account>:<due date>` (see `payments.due`); the runs it leaves (unique per invoice and due date)
are written in the transaction that records its outcome."""

from __future__ import annotations

import json
from datetime import date
from itertools import groupby

from sqlalchemy import Connection, Engine, RowMapping
from sqlalchemy.exc import IntegrityError

from backend_stub import clock
from backend_stub.billing import notice_words as words
from backend_stub.billing.allocation import Selection, Target
from backend_stub.billing.fees import StandingTerms, standing_terms
from backend_stub.payments import notices, notify
from backend_stub.payments.command import saved_method_command
from backend_stub.payments.due import pay_due
from backend_stub.payments.plan import policy_of
from backend_stub.processor import Processor
from backend_stub.settings import Settings
from backend_stub.store import autopay as store
from backend_stub.store.db import reading, writing


def unit_key(account_id: int, day: date) -> str:
    return f"autopay:{account_id}:{day.isoformat()}"


def run_autopay(engine: Engine, processor: Processor, settings: Settings, after: date, through: date) -> int:
    """Pay what fell due in (after, through], day by day (each payment dated its due day). Returns how
    many payments this run attempted (a unit another run had claimed is not counted)."""
    attempted = 0
    with reading(engine) as conn:
        due = store.due_between(conn, after, through)
    for (day, account_id), group in groupby(due, key=lambda r: (r["due_on"], r["account_id"])):
        rows = list(group)
        if _run_one(engine, processor, settings, day, account_id, rows):
            attempted += 1
    return attempted


def _run_one(
    engine: Engine,
    processor: Processor,
    settings: Settings,
    day: date,
    account_id: int,
    rows: list[RowMapping],
) -> bool:
    with reading(engine) as conn:  # the balances now: a payment made since the list was read counts
        left = store.balances_of(conn, [r["id"] for r in rows])
        accepted, method = store.enrolment_terms(conn, account_id)
    payable = [r for r in rows if left.get(r["id"], 0) > 0]
    if not payable:  # paid by hand before the due date: nothing left for autopay
        try:
            with writing(engine) as conn:
                store.record_runs(conn, account_id, rows, "skipped", None, None, clock.utcnow())
                notices.autopay_skipped(conn, account_id, [r["number"] for r in rows], day)
        except IntegrityError:  # another run recorded it first
            pass
        return False
    if not _terms_hold(accepted, method, settings):
        return _skip_for_fees(engine, account_id, rows, payable, left, day, accepted)
    target = Target("invoices", tuple(Selection(r["id"]) for r in payable))

    def paid(conn: Connection, account: RowMapping, payment: dict) -> None:
        store.record_runs(conn, account_id, rows, payment["status"], payment["id"], None, clock.utcnow())
        store.set_failure(conn, account_id, None, None)

    def failed(conn: Connection, account: RowMapping, why: str) -> None:
        store.record_runs(conn, account_id, rows, "failed", None, why, clock.utcnow())
        store.set_failure(conn, account_id, day, why)
        notify.autopay_failed(
            conn, account, [{**r, "balance_cents": left[r["id"]]} for r in payable], day, why
        )
        amount = sum(left[r["id"]] for r in payable)
        notices.autopay_failed(conn, account_id, amount, [r["number"] for r in payable], day, why)

    with reading(engine) as conn:
        email = store.account_email(conn, account_id)
    command = saved_method_command(target, rows[0]["autopay_method_id"], email)
    return pay_due(
        engine,
        processor,
        settings,
        account_id,
        command,
        "autopay",
        day,
        unit_key(account_id, day),
        paid,
        failed,
    )


def _terms_hold(accepted: str | None, method: RowMapping | None, settings: Settings) -> bool:
    """Whether the enrolled method's fee terms now are the ones accepted at enrolment."""
    if method is None:
        return True  # no method: the plan refuses the run and records why
    now = standing_terms(method["type"], method["funding"], policy_of(settings))
    return now == (StandingTerms.from_dict(json.loads(accepted)) if accepted else None)


def _skip_for_fees(
    engine: Engine,
    account_id: int,
    rows: list[RowMapping],
    payable: list[RowMapping],
    left: dict[int, int],
    day: date,
    accepted: str | None,
) -> bool:
    why = words.AUTOPAY_FEES_CHANGED
    try:
        with writing(engine) as conn:
            store.record_runs(conn, account_id, rows, "skipped", None, why, clock.utcnow())
            store.set_failure(conn, account_id, day, why)
            amount = sum(left[r["id"]] for r in payable)
            terms = StandingTerms.from_dict(json.loads(accepted)).description if accepted else None
            notices.autopay_fees_changed(conn, account_id, amount, [r["number"] for r in payable], day, terms)
    except IntegrityError:  # another run recorded it first
        return False
    return True
