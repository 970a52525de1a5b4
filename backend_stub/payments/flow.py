"""The intent path every payment takes, so that no crash can charge without a payment or hold money
without a way back, and no transaction is open while the processor is asked:

1. `open_intent`: the intent (its parts, each with its processor key) is committed, owned by this process;
2. each part is authorised, keyed;
3. one write transaction records the payment (the caller's `record`) and moves the intent to `recorded`;
4. the card parts are captured, keyed, after that commit; the intent is `done` (a payment without a card
   part is `done` at step 3: its bank parts are debited at settlement).

A decline voids what was authorised and fails the intent (with the caller's `declined` in the same
transaction); anything else that stops it before step 3 committed voids the parts and fails the intent,
releasing a due payment's unit so it may run again. What a crash leaves, `payments.recovery` settles the
same way, asking the processor by key. Step 3 moves the intent only if this process still owns it: one
judged dead meanwhile (its intent taken over by recovery) cannot record a payment for money given back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import IntegrityError

from backend_stub import faults, idempotency
from backend_stub.billing.quote import PartPlan
from backend_stub.clock import utcnow
from backend_stub.owners import Owner
from backend_stub.payments.charge import Declined, authorize_parts, capture_cards, undo
from backend_stub.processor import Processor, TokenDetails
from backend_stub.store import intents
from backend_stub.store.db import reading, writing
from backend_stub.store.intents import AUTHORIZING, DONE, FAILED, RECORDED, IntentPart

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True)
class Intent:
    id: int
    parts: list[IntentPart]

    @property
    def work(self) -> str:
        return work_name(self.id)


class IntentTakenOver(RuntimeError):
    """This process was judged dead while it ran the intent: recovery owns it now."""


def work_name(intent_id: int) -> str:
    return f"intent:{intent_id}"


def open_intent(
    engine: Engine,
    owner: Owner,
    account_id: int,
    parts: Sequence[PartPlan],
    tokens: Sequence[TokenDetails],
    *,
    request_key: idempotency.RequestKey | None = None,
    unit_key: str | None = None,
) -> Intent | None:
    """Commit the intent to charge `parts`, claiming the request's idempotency key in the same
    transaction; None when `unit_key` is already claimed (the unit ran, or another process runs it).
    Raises KeyTaken when another request claimed `request_key` first."""
    spec = [(p.method.type, t.token, p.amount_cents, p.fee_cents) for p, t in zip(parts, tokens, strict=True)]
    held: list[str] = []
    try:
        with writing(engine) as conn:
            if request_key is not None:
                held.append(idempotency.claim_in(conn, request_key, owner))
            intent_id, keyed = intents.create(
                conn,
                account_id=account_id,
                owner=owner.id,
                parts=spec,
                now=utcnow(),
                idempotency_id=request_key.record_id if request_key else None,
                unit_key=unit_key,
            )
            held.append(work_name(intent_id))
            owner.hold(held[-1])  # before the commit: no recovery in this process may see it unheld
    except IntegrityError:
        _drop(owner, held, request_key)
        if request_key is not None:
            raise idempotency.KeyTaken from None
        if unit_key is None:
            raise
        return None
    except BaseException:
        _drop(owner, held, request_key)
        raise
    return Intent(intent_id, keyed)


def _drop(owner: Owner, held: list[str], request_key: idempotency.RequestKey | None) -> None:
    """A transaction that failed claimed nothing: let go of what it would have held."""
    for work in held:
        owner.drop(work)
    if request_key is not None:
        request_key.record_id = None


def run_intent(
    engine: Engine,
    processor: Processor,
    fault: str | None,
    owner: Owner,
    intent: Intent,
    record: Callable[[Connection], T],
    payment_id_of: Callable[[T], int],
    declined: Callable[[Connection, Declined], None] | None = None,
    then: Callable[[Connection, T], None] | None = None,
) -> T | Declined:
    """Steps 2 to 4 for a committed intent. `record` writes the payment in the locked transaction (raising
    refuses it: everything is given back and the exception goes on); `then`, if given, goes on in the same
    transaction after the intent's move (what must come last there: on PostgreSQL, the account's lock and
    what it guards, so that the move is not made under it); `declined` writes what a decline leaves, in
    the transaction that fails the intent."""
    try:
        faults.reached(fault, "after_intent")
        try:
            auths = authorize_parts(processor, intent.parts, fault)
        except BaseException:
            give_back(engine, processor, owner, intent)
            raise
        if isinstance(auths, Declined):
            with writing(engine) as conn:
                if intents.move(conn, intent.id, owner.id, AUTHORIZING, FAILED, utcnow()) and declined:
                    declined(conn, auths)
            return auths
        faults.reached(fault, "after_authorize")
        to_capture = any(p.type == "card" for p in intent.parts)
        try:
            with writing(engine) as conn:
                result = record(conn)
                if not intents.move(
                    conn,
                    intent.id,
                    owner.id,
                    AUTHORIZING,
                    RECORDED if to_capture else DONE,  # a bank part is debited at settlement
                    utcnow(),
                    payment_id=payment_id_of(result),
                ):
                    raise IntentTakenOver(f"payment intent {intent.id} was recovered by another process")
                if then is not None:
                    then(conn, result)
        except BaseException:
            recorded = _recorded(engine, intent.id)  # a commit that failed in flight may still have landed
            if recorded is False:
                give_back(engine, processor, owner, intent)
            if not recorded:  # refused, or not known: then recovery decides, by the intent's state
                raise
            log.warning("payment intent %s: the commit reported an error but landed", intent.id)
        faults.reached(fault, "after_record")
        if not to_capture:
            return result
        try:
            capture_cards(processor, intent.parts, auths)
            faults.reached(fault, "after_capture")
            with writing(engine) as conn:
                intents.move(conn, intent.id, owner.id, RECORDED, DONE, utcnow())
        except Exception:  # the payment stands; recovery captures what is left (this process lets go)
            log.exception("payment intent %s: capture left to recovery", intent.id)
        return result
    finally:
        owner.drop(intent.work)


def give_back(engine: Engine, processor: Processor, owner: Owner, intent: Intent) -> None:
    """Void (or refund) what the intent's parts got and fail it, releasing a due payment's unit. Best
    effort: if the processor or the database fails here, the intent stays `authorizing`, no longer held,
    and recovery does it."""
    try:
        undo(processor, intent.parts)
        with writing(engine) as conn:
            intents.move(conn, intent.id, owner.id, AUTHORIZING, FAILED, utcnow(), unit_key=None)
    except Exception:
        log.exception("payment intent %s: giving back left to recovery", intent.id)


def _recorded(engine: Engine, intent_id: int) -> bool | None:
    """Whether the intent's payment was recorded; None when the database cannot say."""
    try:
        with reading(engine) as conn:
            row = intents.one(conn, intent_id)
    except Exception:
        log.exception("payment intent %s: its state cannot be read", intent_id)
        return None
    return row is not None and row["state"] in (RECORDED, DONE)
