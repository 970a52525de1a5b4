"""Bank settlement: a pending bank payment settles (its invoices paid, its overpayment made credit) or is
returned (the returned part's money reopens its invoices, the customer is emailed) on its settlement date.

Each payment is one unit of work in its own short transaction, claimed by a compare-and-set on its status
(`pending` → the outcome) that is the transaction's first write: it settles once, whatever runs it. The
bank's answer is asked before the transaction, never inside it."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine, RowMapping

from backend_stub import clock
from backend_stub.billing.ledger import reopen, settle
from backend_stub.billing.parts import credits
from backend_stub.payments import notices, notify
from backend_stub.processor import Processor
from backend_stub.store import intents
from backend_stub.store import payments as store
from backend_stub.store.db import reading, writing


def settle_due(engine: Engine, processor: Processor, to_day: date) -> int:
    """Settle (or return) every pending bank payment due by `to_day`. Returns how many this run changed."""
    with reading(engine) as conn:
        due = [p["id"] for p in store.due_for_settlement(conn, to_day)]
    return sum(settle_one(engine, processor, payment_id) for payment_id in due)


def settle_one(engine: Engine, processor: Processor, payment_id: int) -> bool:
    """Settle one pending payment if the bank has answered for every part; False if it has not, or if the
    payment is no longer pending (another run settled it)."""
    with reading(engine) as conn:
        parts = store.parts(conn, [payment_id]).get(payment_id, [])
    outcomes = {
        p["id"]: processor.settlement(p["processor_token"]) for p in parts if p["status"] == "pending"
    }
    if any(o == "pending" for o in outcomes.values()):
        return False  # the bank has not answered yet (the test account that stays pending)
    returned = {pid: code for pid, code in outcomes.items() if code != "settle"}
    with writing(engine) as conn:
        payment = store.payment(conn, payment_id)
        if payment is None or payment["status"] != "pending":
            return False
        store.lock_account(conn, payment["account_id"])  # the lock a payment takes first, taken first
        code = next(iter(returned.values())) if returned else None
        if not store.leave_pending(conn, payment_id, "returned" if returned else "succeeded", code):
            return False
        _apply(conn, payment, parts, outcomes, returned)
    close_bank_holds(engine, processor, payment_id, parts, returned)
    return True


def close_bank_holds(
    engine: Engine, processor: Processor, payment_id: int, parts: list[RowMapping], returned: dict
) -> None:
    """After the settlement commits, the bank's answer closes each bank part's hold in the processor's
    record: a settled debit is captured, a returned one voided. Asked again, each step does nothing (the
    processor's calls are idempotent), so a crash in between leaves it for the next call."""
    with reading(engine) as conn:
        intent = intents.of_payment(conn, payment_id)
    if intent is None:
        return  # a payment made before intents (a seed's): the processor never held it
    keyed = intents.parts_of(intent)
    by_order = sorted(parts, key=lambda p: p["id"])  # the parts were recorded in the intent's order
    if [p.type for p in keyed] != [p["method_type"] for p in by_order]:
        return
    for part, planned in zip(by_order, keyed, strict=True):
        if planned.type != "ach":
            continue
        charge = processor.find(planned.key)
        if charge is None or charge.state != "authorized":
            continue
        if part["id"] in returned:
            processor.void(charge.id)
        else:
            processor.capture(charge.id)


def _apply(conn, payment: RowMapping, parts: list[RowMapping], outcomes: dict, returned: dict) -> None:  # type: ignore[no-untyped-def]
    """Only the bank parts' money moves: a settled part's is paid and its credit granted, a returned
    part's reopens its invoices (what a card part paid stays paid)."""
    allocations = store.allocations_of(conn, [payment["id"]]).get(payment["id"], [])
    money = store.money_of(conn, [a["invoice_id"] for a in allocations])
    reopened_numbers: list[str] = []
    for allocation in allocations:
        part_id = allocation["part_id"]
        if part_id not in outcomes:
            continue  # a card part's money: paid when it was made
        invoice = money[allocation["invoice_id"]]
        if part_id in returned:
            money[allocation["invoice_id"]] = reopen(invoice, allocation["amount_cents"])
            if allocation["number"] not in reopened_numbers:
                reopened_numbers.append(allocation["number"])
        else:
            money[allocation["invoice_id"]] = settle(invoice, allocation["amount_cents"])
    store.write_money(conn, money.values())
    made = credits(
        [p["method_type"] for p in parts],
        [p["amount_cents"] for p in parts],
        payment["amount_cents"] - payment["credit_cents"],
    )
    settled = [p["id"] in outcomes and p["id"] not in returned for p in parts]
    store.add_credit(conn, payment["account_id"], sum(c for c, s in zip(made, settled, strict=True) if s))
    for part in parts:
        if part["id"] in outcomes:
            store.set_part_status(conn, part["id"], "returned" if part["id"] in returned else "succeeded")
    if returned:
        returned_cents = sum(p["amount_cents"] for p in parts if p["id"] in returned)
        account = store.account_row(conn, payment["account_id"])
        code = next(iter(returned.values()))
        notify.bank_returned(conn, account, payment, returned_cents, code, reopened_numbers)
        day = payment["settles_on"] or clock.today(conn)
        notices.bank_returned(conn, payment, returned_cents, code, reopened_numbers, day)
