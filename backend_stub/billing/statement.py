"""An account statement as plain data: the ledger of entries in order with a running balance.

Charges are positive (invoices, fees, returned bank payments put back), payments negative; the balance is
what is owed (negative: in credit). A payment with fees gives two entries, the fee (+) and the payment
(-(amount + fees)), so the balance moves by the amount paid, as the invoices saw it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from backend_stub.billing.dates import history_start, months_before
from backend_stub.billing.labels import combined_label, method_label
from backend_stub.billing.problems import Problem, bad

DEFAULT_MONTHS = 12

# Same-day order: an invoice is issued before it is paid; a payment's fee before the payment; a bank
# return, a void or a refund after the payment it reverses.
KIND_ORDER = {"invoice": 0, "fee": 1, "payment": 2, "ach_return": 3, "void": 4, "refund": 5}

Row = Mapping[str, Any]


@dataclass(frozen=True)
class Entry:
    date: date
    kind: str  # invoice | fee | payment | ach_return
    description: str
    reference: str
    amount_cents: int
    balance_cents: int = 0
    seq: tuple = ()  # a tie-break within the day (ids, times)


@dataclass(frozen=True)
class Statement:
    opening_balance_cents: int
    closing_balance_cents: int
    entries: list[Entry]


def statement_range(start: date | None, end: date | None, today: date) -> tuple[date, date] | Problem:
    """The days a statement covers: by default the 12 months up to the end (today by default), never
    before the oldest day a statement shows. A Problem when the asked range cannot be shown."""
    end = end or today
    oldest = history_start(today)
    if start is None:
        start = max(oldest, months_before(end, DEFAULT_MONTHS) + timedelta(days=1)) if end >= oldest else end
    if start > end:
        return bad("invalid_range", "The start date must be on or before the end date.", "from")
    if start < oldest:
        return bad(
            "range_too_old",
            f"Statements go back 36 months: choose a start date on or after {oldest.isoformat()}.",
            "from",
        )
    return start, end


def ledger(
    invoices: Iterable[Row],
    payments: Iterable[Row],
    parts: Mapping[int, Sequence[Row]],
    refunds: Mapping[int, Sequence[Row]] | None = None,
) -> list[Entry]:
    """The entries of sent top-level invoices and of payments (with their parts and refunds by payment
    id), unordered: an invoice is a charge; a payment is its fee (if any) and the payment; a returned bank
    payment is also the money put back on the day it came back; a voided one is reversed on the day of the
    void (its fees too: they were never taken); each refund puts its money back on its day."""
    events = [_invoice_entry(inv) for inv in invoices]
    for pay in payments:
        events.extend(_payment_entries(pay, parts.get(pay["id"], ())))
        events.extend(_undo_entries(pay, (refunds or {}).get(pay["id"], ())))
    return events


def _undo_entries(pay: Row, own_refunds: Sequence[Row]) -> list[Entry]:
    ref = pay["confirmation_number"]
    entries = []
    if pay["status"] == "voided" and pay.get("voided_at") is not None:
        day, seq = pay["voided_at"].date(), (pay["voided_at"].isoformat(), pay["id"])
        entries.append(Entry(day, "void", f"Payment {ref} voided", ref, pay["total_cents"], seq=seq))
        if pay["fees_cents"]:
            entries.append(
                Entry(day, "void", f"Fees on payment {ref} not charged", ref, -pay["fees_cents"], seq=seq)
            )
    for refund in own_refunds:
        seq = (refund["created_at"].isoformat(), refund["id"])
        description = f"Refund of payment {ref}"
        entries.append(
            Entry(refund["created_at"].date(), "refund", description, ref, refund["amount_cents"], seq=seq)
        )
    return entries


def _invoice_entry(inv: Row) -> Entry:
    sites = f" ({inv['children_count']} sites)" if inv["children_count"] else ""
    description = f"Invoice {inv['number']}{sites}"
    return Entry(
        inv["issued_on"], "invoice", description, inv["number"], inv["amount_cents"], seq=(inv["id"],)
    )


def _payment_entries(pay: Row, own: Sequence[Row]) -> list[Entry]:
    day, ref = pay["created_at"].date(), pay["confirmation_number"]
    label = combined_label(
        method_label(p["method_type"], p["brand"], p["last4"], p["bank_name"]) for p in own
    )
    seq = (pay["created_at"].isoformat(), pay["id"])
    entries = []
    if pay["fees_cents"]:
        entries.append(Entry(day, "fee", f"Fees on payment {ref}", ref, pay["fees_cents"], seq=seq))
    pending = " (pending)" if pay["status"] == "pending" else ""
    description = f"Payment, {label}{pending}" if label else f"Payment{pending}"
    entries.append(Entry(day, "payment", description, ref, -pay["total_cents"], seq=seq))
    if pay["status"] == "returned" and pay["settles_on"] is not None:
        back = sum(p["amount_cents"] for p in own if p["status"] == "returned")
        description = f"Bank payment returned ({pay['return_code']})"
        entries.append(Entry(pay["settles_on"], "ach_return", description, ref, back, seq=seq))
    return entries


def build(events: list[Entry], start: date, end: date) -> Statement:
    """Events of any date up to `end`: those before `start` make the opening balance, the rest the entries
    (oldest first) with their running balances."""
    ordered = sorted(events, key=lambda e: (e.date, KIND_ORDER[e.kind], e.seq))
    opening = sum(e.amount_cents for e in ordered if e.date < start)
    balance = opening
    entries: list[Entry] = []
    for event in ordered:
        if start <= event.date <= end:
            balance += event.amount_cents
            entries.append(replace(event, balance_cents=balance))
    return Statement(opening, balance, entries)
