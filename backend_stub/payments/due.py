"""The payments the backend makes itself on a standing instruction (autopay, scheduled), one unit of work
each: the unit is claimed by its intent's unique `unit_key`, committed in its own short transaction, so it
runs once whatever runs it (several workers, a cron run, the dev clock). The same intent path as a request
(`payments.flow`): no transaction is held while the processor is asked. The fees are as the plan prices
them, unless the command names the fees the payer accepted: then a plan with other fees is not made
(`failed` is told FEES_CHANGED)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy import Connection, Engine, RowMapping
from sqlalchemy.exc import IntegrityError

from backend_stub import owners
from backend_stub.clock import utcnow
from backend_stub.owners import Owner
from backend_stub.payments import notify
from backend_stub.payments.charge import Declined, tokens_for
from backend_stub.payments.command import PaymentCommand
from backend_stub.payments.flow import open_intent, run_intent
from backend_stub.payments.plan import SYSTEM, plan
from backend_stub.payments.record import record_payment
from backend_stub.processor import Processor
from backend_stub.settings import Settings
from backend_stub.store import intents
from backend_stub.store import payments as store
from backend_stub.store.db import reading, writing

ATTEMPTS = 3  # plans made again when another payment moved the balances between plan and record
BALANCE_MOVED = "The balance changed while the payment was being made."
FEES_CHANGED = "The fees are not the ones accepted when it was set up."

Paid = Callable[[Connection, RowMapping, dict], None]
Failed = Callable[[Connection, RowMapping, str], None]


class _Replan(Exception):
    pass


def pay_due(
    engine: Engine,
    processor: Processor,
    settings: Settings,
    account_id: int,
    command: PaymentCommand,
    channel: str,
    today: date,
    unit_key: str,
    paid: Paid,
    failed: Failed,
) -> bool:
    """Run the unit `unit_key`: pay `command` dated `today`, then `paid(conn, account, payment)` in the
    payment's transaction, or `failed(conn, account, why)` in the transaction that records the failure
    (a plan refused, a decline). False when another run had claimed the unit."""
    owner = owners.of(engine)
    for _ in range(ATTEMPTS):
        claimed = _attempt(
            engine, processor, settings, owner, account_id, command, channel, today, unit_key, paid, failed
        )
        if claimed is not None:
            return claimed
    return _fail_unit(engine, owner.id, account_id, unit_key, failed, BALANCE_MOVED)


def _attempt(
    engine: Engine,
    processor: Processor,
    settings: Settings,
    owner: Owner,
    account_id: int,
    command: PaymentCommand,
    channel: str,
    today: date,
    unit_key: str,
    paid: Paid,
    failed: Failed,
) -> bool | None:
    """One try: True when this run did the unit, False when another had claimed it, None when the
    balances moved between plan and record (everything given back, the unit released)."""
    with reading(engine) as conn:
        first, resolved = plan(conn, settings, SYSTEM, account_id, command, today)
    if first.problems:
        return _fail_unit(engine, owner.id, account_id, unit_key, failed, first.problems[0].message)
    if command.accepted_fees_cents is not None and first.fees_cents != command.accepted_fees_cents:
        return _fail_unit(engine, owner.id, account_id, unit_key, failed, FEES_CHANGED)  # nothing charged
    tokens = tokens_for(processor, resolved)
    intent = open_intent(engine, owner, account_id, first.parts, tokens, unit_key=unit_key)
    if intent is None:
        return False

    def record(conn: Connection) -> dict:
        account = store.lock_account(conn, account_id)
        assert account is not None
        again, _ = plan(conn, settings, SYSTEM, account_id, command, today)
        if again != first:
            raise _Replan()
        payload = record_payment(conn, account, SYSTEM, command, first, resolved, tokens, today, channel)
        notify.payment_made(conn, account, SYSTEM, payload, first, today)
        paid(conn, account, payload)
        return payload

    def declined(conn: Connection, outcome: Declined) -> None:
        failed(conn, store.account_row(conn, account_id), outcome.decline.message)

    try:
        run_intent(engine, processor, settings.fault, owner, intent, record, lambda p: p["id"], declined)
    except _Replan:
        return None
    return True


def _fail_unit(engine: Engine, owner: str, account_id: int, unit_key: str, failed: Failed, why: str) -> bool:
    """Claim the unit and record its failure in one transaction (nothing was charged)."""
    try:
        with writing(engine) as conn:
            intents.create(
                conn,
                account_id=account_id,
                owner=owner,
                parts=[],
                now=utcnow(),
                unit_key=unit_key,
                state=intents.FAILED,
            )
            failed(conn, store.account_row(conn, account_id), why)
    except IntegrityError:
        return False
    return True
