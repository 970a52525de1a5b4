"""Making a payment, the two ways: `pay` for a request (plan, authorise outside any transaction, then one
short locked transaction that re-plans, captures and writes) and `pay_in_transaction` for the payments the
backend makes itself inside the due jobs' transaction. Both plan, charge, record and notify the same way.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date

from sqlalchemy import Connection, Engine

from backend_stub import clock
from backend_stub.payments import notify
from backend_stub.payments.charge import Declined, charge, tokens_for
from backend_stub.payments.command import PaymentCommand
from backend_stub.payments.plan import SYSTEM, plan
from backend_stub.payments.record import record_payment
from backend_stub.payments.refusals import balance_changed, declined, fees_changed, to_error
from backend_stub.processor import Processor
from backend_stub.settings import Settings
from backend_stub.store import idempotency as idempotency_store
from backend_stub.store import payments as store
from backend_stub.store.auth import User
from backend_stub.store.db import reading, writing


def pay(
    engine: Engine,
    processor: Processor,
    settings: Settings,
    user: User,
    account_id: int,
    command: PaymentCommand,
    record_id: int,
) -> tuple[int, dict]:
    """Make the payment; returns (201, payment). Raises ApiError for every refusal, having charged nothing.
    The idempotency record `record_id` is completed in the payment's own transaction.

    The processor is asked before the account lock is taken, so the plan is made twice: if another payment
    moved the balances meanwhile, the authorisations are voided and nothing is written (409). Each
    transaction dates its work by the business date it reads itself."""
    with reading(engine) as conn:
        first, resolved = plan(conn, settings, user, account_id, command, clock.today(conn))
    if first.problems:
        raise to_error(first.problems[0])
    if command.accepted_fees_cents != first.fees_cents:
        raise fees_changed(first.fees_cents, command.accepted_fees_cents)
    tokens = tokens_for(processor, resolved)

    def commit(capture: Callable[[], None]) -> dict:
        with writing(engine) as conn:
            account = store.lock_account(conn, account_id)
            assert account is not None
            today = clock.today(conn)
            again, _ = plan(conn, settings, user, account_id, command, today)
            if again.problems:
                problem = again.problems[0]
                if problem.status != 409 and problem.code != "card_payment_limit":
                    problem = balance_changed()
                raise to_error(problem)
            if again != first:
                raise to_error(balance_changed())
            capture()
            payload = record_payment(conn, account, user, command, first, resolved, tokens, today)
            notify.payment_made(conn, account, user, payload, first, today)
            text = json.dumps(payload, separators=(",", ":"))
            idempotency_store.complete(conn, record_id, 201, text)
        return payload

    outcome = charge(processor, first.parts, tokens, commit)
    if isinstance(outcome, Declined):
        raise declined(outcome.part_index, outcome.decline)
    return 201, outcome


def pay_in_transaction(
    conn: Connection,
    processor: Processor,
    settings: Settings,
    account_id: int,
    command: PaymentCommand,
    channel: str,
    today: date,
) -> tuple[dict | None, str | None]:
    """Make a payment dated `today` inside the caller's write transaction (the due jobs): the same plan,
    charge and record as `pay`, with the fees as the plan prices them (the enrolment accepted the
    policy). Returns (payment, None), or (None, why it failed) having charged nothing."""
    account = store.lock_account(conn, account_id)
    assert account is not None
    result, resolved = plan(conn, settings, SYSTEM, account_id, command, today)
    if result.problems:
        return None, result.problems[0].message
    tokens = tokens_for(processor, resolved)

    def commit(capture: Callable[[], None]) -> dict:
        capture()
        payload = record_payment(conn, account, SYSTEM, command, result, resolved, tokens, today, channel)
        notify.payment_made(conn, account, SYSTEM, payload, result, today)
        return payload

    outcome = charge(processor, result.parts, tokens, commit)
    if isinstance(outcome, Declined):
        return None, outcome.decline.message
    return outcome, None
