"""Undoing a payment, as a clerk: a void (a card payment of today, a pending bank payment, or a split
payment whose every part is one of those; all parts together) and a refund (a settled card payment, or
the card part of a split whose bank part was returned, in parts, several times). The money rules are
billing.refunds'; this writes them and talks to the processor.

Order of work, and why: the database decides first, then the processor is told.
1. One short write transaction, under the account lock a payment and a settlement take first: the payment
   is read again, the rules say yes or no, the undo is written (status, allocations, invoices' money,
   credit, a refund row, the audit row, the customer's email) together with the idempotency record's
   answer. The status compare-and-set is what makes a void race-free against a settlement of the same
   bank payment (one of the two wins), and the amount check under the lock is what keeps two refunds from
   giving back more than was paid.
2. After the commit, the processor is told, keyed: each card part's capture voided (a same-day void) or a
   bank part's hold voided (the debit is never sent); a refund refunded with the key `rf_<refund id>_<part>`.
   Then the void or refund is marked sent (`void_sent_at`, `payment_refunds.sent_at`). Every such call
   answers the same when asked again, and a replay of the same Idempotency-Key asks again: a crash between
   1 and 2 is finished by the client's retry, or else by recovery (`tell_left`, at start and with the
   jobs), and never refunds twice.
The committed row is the undo's intent: writing it first means the database alone decides (no processor
call is ever made for an undo the database then refuses), and the processor calls that follow are keyed by
its id.
No transaction is open while the processor is asked.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime
from functools import partial

from sqlalchemy import Connection, Engine, RowMapping

from backend_stub import clock, idempotency, views
from backend_stub.billing import refunds as rules
from backend_stub.billing.labels import combined_label, method_label
from backend_stub.billing.ledger import give_back, reopen
from backend_stub.billing.money import format_cents
from backend_stub.billing.parts import credits
from backend_stub.errors import ApiError
from backend_stub.owners import Owner
from backend_stub.payments import notify
from backend_stub.payments.record import payment_payload
from backend_stub.processor import Processor
from backend_stub.store import audit, intents
from backend_stub.store import idempotency as record_store
from backend_stub.store import payments as store
from backend_stub.store import refunds as refund_store
from backend_stub.store.auth import User
from backend_stub.store.db import reading, writing
from backend_stub.store.intents import DONE, RECORDED

log = logging.getLogger(__name__)


def too_late_to_void(message: str) -> ApiError:
    return ApiError(409, "conflict", "too_late_to_void", message)


def not_refundable(message: str) -> ApiError:
    return ApiError(409, "conflict", "not_refundable", message)


def refund_too_large(left_cents: int) -> ApiError:
    return ApiError(
        400,
        "invalid_request",
        "refund_too_large",
        f"At most {format_cents(left_cents)} of this payment can be refunded.",
        "amount_cents",
    )


# -- the request around it: idempotency, then the decision, then the processor ---------------------
def keyed(
    engine: Engine,
    owner: Owner,
    user: User,
    key: str,
    print_: str,
    recover: Callable[[int], object],
    decide: Callable[[Connection], tuple[int, dict]],
    tell_processor: Callable[[dict], None],
) -> tuple[int, str, bool]:
    """Run `decide` once for this Idempotency-Key (in one write transaction that also stores its answer),
    then `tell_processor` with the answer; a replay answers the stored answer and tells the processor again
    (keyed: a no-op if it was told). `recover` releases a record a dead owner left running (recovery's).
    Returns (status, body, replayed)."""
    claimed = idempotency.claim(engine, f"user:{user.id}", key, print_, owner, recover)
    if isinstance(claimed, idempotency.Replay):
        if 200 <= claimed.status < 300:
            _tell(tell_processor, json.loads(claimed.body))
        return claimed.status, claimed.body, True
    try:
        with writing(engine) as conn:
            status, payload = decide(conn)
            text = json.dumps(payload, separators=(",", ":"))
            record_store.complete(conn, claimed.record_id, status, text)
    except ApiError as exc:
        return exc.status, idempotency.finish(engine, claimed, exc.status, exc.body()), False
    except BaseException:
        idempotency.release(engine, claimed, owner)
        raise
    finally:
        idempotency.let_go(owner, claimed)
    _tell(tell_processor, payload)
    return status, text, False


def _tell(tell_processor: Callable[[dict], None], payload: dict) -> None:
    try:
        tell_processor(payload)
    except Exception:  # the undo stands; a retry with the same key tells the processor again
        log.exception("undo: the processor could not be told; a retry of the same key tells it again")


# -- void ------------------------------------------------------------------------------------------
def void(conn: Connection, user: User, payment_id: int, reason: str) -> tuple[int, dict]:
    """Void the payment in `conn` (the caller commits): 200 and the payment, or 409 too_late_to_void."""
    before = store.payment(conn, payment_id)
    assert before is not None
    account = store.lock_account(conn, before["account_id"])
    assert account is not None
    payment = store.payment(conn, payment_id)  # again, under the lock
    assert payment is not None
    parts = store.parts(conn, [payment_id]).get(payment_id, [])
    today = clock.today(conn)
    refusal = rules.void_refusal(
        payment["status"], payment["created_at"].date(), today, payment["refunded_cents"], _facts(parts)
    )
    if refusal is not None:
        raise too_late_to_void(refusal)
    allocations = store.allocations_of(conn, [payment_id]).get(payment_id, [])
    waiting = {p["id"] for p in parts if p["status"] == "pending"}  # a bank part's money is still pending
    _put_back(conn, [(a["invoice_id"], a["amount_cents"], a["part_id"] in waiting) for a in allocations])
    refund_store.remove_allocations(conn, payment_id)
    # The credit the paid parts made is taken back; a pending part's was never granted.
    granted = sum(c for p, c in zip(parts, _credits(payment, parts), strict=True) if p["id"] not in waiting)
    store.add_credit(conn, account["id"], -min(granted, account["credit_cents"]))
    at = datetime.combine(today, clock.utcnow().time())
    if not refund_store.mark_voided(conn, payment_id, payment["status"], at, reason, user.id):
        raise too_late_to_void("This payment changed a moment ago: look at it again.")
    audit.record(
        conn,
        user.id,
        "payment.void",
        account["id"],
        payment_id=payment_id,
        reason=reason,
        amount_cents=payment["amount_cents"],
        fees_cents=payment["fees_cents"],
        total_cents=payment["total_cents"],
        credit_cents=granted,
    )
    bank = any(p["method_type"] == "ach" for p in parts)
    numbers = list(dict.fromkeys(a["number"] for a in allocations))  # an invoice two parts paid, once
    notify.payment_voided(conn, account, payment, bank, numbers)
    return 200, payment_payload(conn, payment_id)


def void_at_processor(engine: Engine, processor: Processor, payment_id: int) -> None:
    """Tell the processor a payment is voided: each part's capture or hold voided (keyed by its intent's
    part keys; a voided one again is a no-op). A payment made before intents (the seed's) has none."""
    with reading(engine) as conn:
        intent = intents.of_payment(conn, payment_id)
    if intent is None:
        _sent(engine, lambda conn: refund_store.mark_void_sent(conn, payment_id, clock.utcnow()))
        return
    for part in intents.parts_of(intent):
        charge = processor.find(part.key)
        if charge is None or charge.state == "voided":
            continue
        if charge.state == "authorized":
            processor.void(charge.id)
        elif charge.state == "captured":
            processor.void_capture(charge.id)
    with writing(engine) as conn:
        if intent["state"] == RECORDED:  # its capture never came: recovery must not capture a voided hold
            intents.move(conn, intent["id"], intent["owner"], RECORDED, DONE, clock.utcnow())
        refund_store.mark_void_sent(conn, payment_id, clock.utcnow())


# -- refund ----------------------------------------------------------------------------------------
def refund(
    conn: Connection, user: User, payment_id: int, amount_cents: int | None, reason: str
) -> tuple[int, dict]:
    """Refund (part of) the payment in `conn`: 201 and the refund; 409 not_refundable, 400
    refund_too_large."""
    before = store.payment(conn, payment_id)
    assert before is not None
    account = store.lock_account(conn, before["account_id"])
    assert account is not None
    payment = store.payment(conn, payment_id)
    assert payment is not None
    parts = store.parts(conn, [payment_id]).get(payment_id, [])
    facts = _facts(parts)
    refusal = rules.refund_refusal(payment["status"], facts, payment["refunded_cents"])
    if refusal is not None:
        raise not_refundable(refusal)
    refundable = rules.refundable_cents(facts)
    left = refundable - payment["refunded_cents"]
    amount = left if amount_cents is None else amount_cents
    if amount > left or amount <= 0:
        raise refund_too_large(left)
    # Only what the card parts paid comes back: their credit first, then their invoices, newest first.
    # A returned bank part's allocations stay as the return left them (its money already reopened).
    cards = {p["id"] for p in parts if p["method_type"] == "card" and p["status"] == "succeeded"}
    allocations = [
        a for a in store.allocations_of(conn, [payment_id]).get(payment_id, []) if a["part_id"] in cards
    ]
    card_credit = sum(c for p, c in zip(parts, _credits(payment, parts), strict=True) if p["id"] in cards)
    credit_left = min(card_credit - refund_store.credit_taken(conn, payment_id), account["credit_cents"])
    split = rules.split_refund([a["amount_cents"] for a in allocations], max(0, credit_left), amount)
    reopened = [(a, back) for a, back in zip(allocations, split.reopened, strict=True) if back]
    _put_back(conn, [(a["invoice_id"], back, False) for a, back in reopened])
    refund_store.shrink_allocations(conn, [(a["id"], back) for a, back in reopened])
    store.add_credit(conn, account["id"], -split.from_credit_cents)
    today = clock.today(conn)
    refund_id = refund_store.insert_refund(
        conn,
        payment_id=payment_id,
        amount_cents=amount,
        from_credit_cents=split.from_credit_cents,
        reopened=[(a["invoice_id"], back) for a, back in reopened],
        reason=reason,
        created_by=user.id,
        created_at=datetime.combine(today, clock.utcnow().time()),
    )
    refunded = payment["refunded_cents"] + amount
    status = rules.refund_status(refunded, refundable, payment["status"])  # a returned split stays returned
    refund_store.mark_refunded(conn, payment_id, refunded, status)
    audit.record(
        conn,
        user.id,
        "payment.refund",
        account["id"],
        payment_id=payment_id,
        refund_id=refund_id,
        reason=reason,
        amount_cents=amount,
        from_credit_cents=split.from_credit_cents,
        refunded_cents=refunded,
    )
    cards = [p for p in parts if p["method_type"] == "card"]
    label = combined_label(method_label("card", p["brand"], p["last4"], None) for p in cards) or "your card"
    notify.payment_refunded(
        conn,
        account,
        payment,
        amount,
        label,
        split.from_credit_cents,
        list(dict.fromkeys(a["number"] for a, _ in reopened)),
    )
    row = refund_store.one(conn, refund_id)
    assert row is not None
    return 201, views.refund(row).model_dump(mode="json")


def refund_at_processor(engine: Engine, processor: Processor, refund_id: int) -> None:
    """Refund at the processor what the refund row says, spread over the card parts in order, each call
    keyed `rf_<refund id>_<part index>` (asked again, it answers the same refund)."""
    with reading(engine) as conn:
        row = refund_store.one(conn, refund_id)
        if row is None:
            return
        intent = intents.of_payment(conn, row["payment_id"])
        earlier = [r for r in refund_store.of_payments(conn, [row["payment_id"]]).get(row["payment_id"], [])]
        parts = store.parts(conn, [row["payment_id"]]).get(row["payment_id"], [])
    if intent is None:  # a payment made before intents (the seed's): the processor never held it
        _sent(engine, lambda conn: refund_store.mark_refund_sent(conn, refund_id, clock.utcnow()))
        return
    already = sum(r["amount_cents"] for r in earlier if r["id"] < refund_id)
    keyed_parts = intents.parts_of(intent)
    ordered = sorted(parts, key=lambda p: p["id"])  # recorded in the intent's order
    cards = [
        (index, planned, part)
        for index, (planned, part) in enumerate(zip(keyed_parts, ordered, strict=True))
        if planned.type == "card"
    ]
    capacities = [p["amount_cents"] + _refundable_fee(p) for _, _, p in cards]
    shares = rules.by_part(capacities, already, row["amount_cents"])
    for (index, planned, _), share in zip(cards, shares, strict=True):
        if not share:
            continue
        charge = processor.find(planned.key)
        if charge is None:
            log.error("refund %s: part %s of payment %s has no charge", refund_id, index, row["payment_id"])
            continue
        processor.refund(charge.id, share, f"rf_{refund_id}_{index}")
    _sent(engine, lambda conn: refund_store.mark_refund_sent(conn, refund_id, clock.utcnow()))


def tell_left(engine: Engine, processor: Processor) -> int:
    """Tell the processor of every void and refund it was not told of: a crash came between the undo's
    commit and the processor, and no retry of its key came to finish it. Run by recovery (at start and with
    the jobs). Each call is keyed, so one that races the request's own is harmless. Returns how many."""
    with reading(engine) as conn:
        voids, refunds = refund_store.left_to_send(conn)
    told = 0
    for payment_id in voids:
        told += _tried(partial(void_at_processor, engine, processor, payment_id))
    for refund_id in refunds:
        told += _tried(partial(refund_at_processor, engine, processor, refund_id))
    return told


def _tried(step: Callable[[], None]) -> int:
    try:
        step()
    except Exception:  # the processor or the database failed: the next round tries again
        log.exception("undo: telling the processor failed, left for the next round")
        return 0
    return 1


def _sent(engine: Engine, mark: Callable[[Connection], None]) -> None:
    with writing(engine) as conn:
        mark(conn)


# -- shared ---------------------------------------------------------------------------------------
def _put_back(conn: Connection, given_back: list[tuple[int, int, bool]]) -> None:
    """The invoices owe again what the payment gave them, each (invoice id, cents, pending): a pending
    part's money leaves `pending` (as a bank return's does, ledger.reopen), a paid one's goes back on the
    balance; the pay states follow."""
    money = store.money_of(conn, [invoice_id for invoice_id, _, _ in given_back])
    for invoice_id, cents, pending in given_back:
        money[invoice_id] = (
            reopen(money[invoice_id], cents) if pending else give_back(money[invoice_id], cents)
        )
    store.write_money(conn, money.values())


def _credits(payment: RowMapping, parts: list[RowMapping]) -> list[int]:
    """The credit each part made (billing.parts.credits), in the parts' order."""
    return credits(
        [p["method_type"] for p in parts],
        [p["amount_cents"] for p in parts],
        payment["amount_cents"] - payment["credit_cents"],
    )


def _refundable_fee(part: RowMapping) -> int:
    fees = json.loads(part["fees"]) if part["fees"] else []
    return sum(f["amount_cents"] for f in fees if f.get("refundable"))


def _facts(parts: list[RowMapping]) -> list[rules.PartFacts]:
    return [
        rules.PartFacts(p["method_type"], p["status"], p["amount_cents"], _refundable_fee(p)) for p in parts
    ]
