"""Making a payment for a request: plan, tokenise and commit the intent, authorise outside any
transaction, then one short locked transaction that re-plans and writes (with the idempotency record's
answer), then capture (see `payments.flow`)."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import Connection, Engine

from backend_stub import clock
from backend_stub.billing.quote import Quote
from backend_stub.errors import ApiError
from backend_stub.idempotency import RequestKey
from backend_stub.owners import Owner
from backend_stub.payments import notify
from backend_stub.payments.charge import Declined, tokens_for
from backend_stub.payments.command import PaymentCommand
from backend_stub.payments.flow import open_intent, run_intent
from backend_stub.payments.plan import Resolved, plan
from backend_stub.payments.record import Written, allocate, new_confirmation, write_payment
from backend_stub.payments.refusals import balance_changed, declined, fees_changed, to_error
from backend_stub.processor import Processor
from backend_stub.settings import Settings
from backend_stub.store import idempotency as idempotency_store
from backend_stub.store import payments as store
from backend_stub.store.auth import User
from backend_stub.store.db import reading

Planned = tuple[Quote, list[Resolved]] | ApiError


def first_plan(
    conn: Connection, settings: Settings, user: User, account_id: int, command: PaymentCommand
) -> Planned:
    """The plan a payment authorises by, read in `conn`: a refusal it raises (a foreign id's 404) is
    returned, for `pay` to raise in its turn (after the key's check, so a replay still answers first)."""
    try:
        return plan(conn, settings, user, account_id, command, clock.today(conn))
    except ApiError as error:
        return error


def pay(
    engine: Engine,
    processor: Processor,
    settings: Settings,
    owner: Owner,
    user: User,
    account_id: int,
    command: PaymentCommand,
    request_key: RequestKey,
    planned: Planned | None = None,
) -> tuple[int, str]:
    """Make the payment; returns (201, the payment's JSON text, the same a replay of the key answers).
    Raises ApiError for every refusal, having charged nothing (whatever was authorised is voided), and
    KeyTaken if another request claimed the key first. The key is claimed with the intent and its record
    completed in the payment's own transaction.

    The processor is asked before the account lock is taken, so the plan is made twice: if another payment
    moved the balances meanwhile, the authorisations are voided and nothing is written (409). Each
    transaction dates its work by the business date it reads itself. `planned`: what `first_plan` gave in
    a read the caller made anyway (one transaction less), else it is read here."""
    if planned is None:
        with reading(engine) as conn:
            planned = first_plan(conn, settings, user, account_id, command)
    if isinstance(planned, ApiError):
        raise planned
    first, resolved = planned
    if first.problems:
        raise to_error(first.problems[0])
    if command.accepted_fees_cents != first.fees_cents:
        raise fees_changed(first.fees_cents, command.accepted_fees_cents)
    tokens = tokens_for(processor, resolved)
    intent = open_intent(engine, owner, account_id, first.parts, tokens, request_key=request_key)
    assert intent is not None and request_key.record_id is not None
    record_id = request_key.record_id
    # On SQLite BEGIN IMMEDIATE holds the write lock already: the account is read locked at once.
    lock_first = engine.dialect.name == "sqlite"

    def record(conn: Connection) -> tuple[Written, date, str]:
        # On PostgreSQL the account's row lock is the payments' queue: every statement less under it is
        # one round trip less for each payment behind. So what needs no lock goes before it: the date,
        # the confirmation number, and the rows that move no money (the payment, its parts, the receipt,
        # the key's answer), which no plan reads; the re-plan under the lock leaves this payment out, and
        # a refusal there rolls them back with the rest. On SQLite BEGIN IMMEDIATE is the lock already.
        today = clock.today(conn)
        confirmation = new_confirmation(conn)
        account = store.lock_account(conn, account_id) if lock_first else store.account_of(conn, account_id)
        assert account is not None
        written = write_payment(
            conn, account, user, command, first, resolved, tokens, today, confirmation=confirmation
        )
        payload = written.payload
        notify.payment_made(conn, account, user, payload, first, today)
        text = json.dumps(payload, separators=(",", ":"))
        idempotency_store.complete(conn, record_id, 201, text)
        return written, today, text

    def locked(conn: Connection, recorded: tuple[Written, date, str]) -> None:
        # After the intent's move (run_intent's `then`): the lock, the re-plan and the money.
        written, today, _ = recorded
        if not lock_first:
            store.lock_account(conn, account_id)
        again, _ = plan(conn, settings, user, account_id, command, today, excluding=written.payment_id)
        if again.problems:
            problem = again.problems[0]
            if problem.status != 409 and problem.code != "card_payment_limit":
                problem = balance_changed()
            raise to_error(problem)
        if again != first:
            raise to_error(balance_changed())
        allocate(conn, written, first)

    outcome = run_intent(
        engine, processor, settings.fault, owner, intent, record, lambda r: r[0].payment_id, then=locked
    )
    if isinstance(outcome, Declined):
        raise declined(outcome.part_index, outcome.decline)
    return 201, outcome[2]
