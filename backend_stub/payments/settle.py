"""Bank settlement: a pending bank payment settles (its invoices paid, its overpayment made credit) or is
returned (the returned part's money reopens its invoices, the customer is emailed) on its settlement date."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection

from backend_stub.billing.ledger import reopen, settle, split_return
from backend_stub.payments import notify
from backend_stub.processor import settlement_on
from backend_stub.store import payments as store


def settle_due(conn: Connection, to_day: date) -> int:
    """Settle (or return) every pending bank payment due by `to_day`; each is touched once, because it
    leaves `pending`. Returns how many changed."""
    changed = 0
    for payment in store.due_for_settlement(conn, to_day):
        parts = store.parts(conn, [payment["id"]]).get(payment["id"], [])
        outcomes = {
            p["id"]: settlement_on(conn, p["processor_token"]) for p in parts if p["status"] == "pending"
        }
        if any(o == "pending" for o in outcomes.values()):
            continue  # the bank has not answered yet (the test account that stays pending)
        returned = {pid: code for pid, code in outcomes.items() if code != "settle"}
        allocations = store.allocations_of(conn, [payment["id"]]).get(payment["id"], [])
        returned_cents = sum(p["amount_cents"] for p in parts if p["id"] in returned)
        reopened, credit = split_return(
            [a["amount_cents"] for a in allocations], payment["credit_cents"], returned_cents
        )
        money = store.money_of(conn, [a["invoice_id"] for a in allocations])
        for allocation, back in zip(allocations, reopened, strict=True):
            invoice = reopen(money[allocation["invoice_id"]], back)
            money[allocation["invoice_id"]] = settle(invoice, allocation["amount_cents"] - back)
        store.write_money(conn, money.values())
        store.add_credit(conn, payment["account_id"], credit)
        for part in parts:
            if part["id"] in outcomes:
                store.set_part_status(conn, part["id"], "returned" if part["id"] in returned else "succeeded")
        if returned:
            code = next(iter(returned.values()))
            store.set_status(conn, payment["id"], "returned", code)
            account = store.account_row(conn, payment["account_id"])
            reopened_numbers = [a["number"] for a, back in zip(allocations, reopened, strict=True) if back]
            notify.bank_returned(conn, account, payment, returned_cents, code, reopened_numbers)
        else:
            store.set_status(conn, payment["id"], "succeeded")
        changed += 1
    return changed
