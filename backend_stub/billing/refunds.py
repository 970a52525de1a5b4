"""The money rules of undoing a payment, on plain data: whether a payment can be voided, how much of it
can be refunded, and where a refund's money comes from.

A void undoes the whole payment (every part together). A refund gives back card money only, never a fee
that is not refundable; it comes first out of the credit the card parts made, then reopens the invoices the
card parts paid, newest allocation first (`ledger.split_return`); what a bank part of a split paid stays.

A split whose bank part was returned keeps its card part's money (a card part is allocated on its own): that
card part is refunded as any settled card payment is, and the payment stays `returned` (its status and
return code are the bank's answer, which a refund does not change)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from backend_stub.billing.ledger import split_return

REFUNDABLE_STATUSES = ("succeeded", "partially_refunded")
# A returned payment whose card part succeeded (a split): that part is refunded, the status stays.
KEPT_STATUSES = ("returned",)


@dataclass(frozen=True)
class PartFacts:
    """One part of a payment as undoing it needs it."""

    method_type: str  # card | ach
    status: str  # succeeded | pending | returned | failed | voided
    amount_cents: int
    refundable_fee_cents: int = 0


@dataclass(frozen=True)
class RefundSplit:
    from_credit_cents: int
    reopened: list[int]  # per allocation, in the order given (oldest first)
    fee_cents: int  # the part of the refund that is a refundable fee (reopens nothing)


def void_refusal(
    status: str, made_on: date, today: date, refunded_cents: int, parts: Sequence[PartFacts]
) -> str | None:
    """Why the payment cannot be voided (a sentence), or None when every part can be: a card part made
    today (the business date) and nothing refunded, or a bank part still pending."""
    if status == "voided":
        return "This payment is already voided."
    if refunded_cents or status in ("refunded", "partially_refunded"):
        return "Part of this payment is refunded already: refund the rest instead."
    if status == "returned":
        return _returned_void_refusal(parts)
    if status not in ("succeeded", "pending"):
        return f"A {status} payment cannot be voided."
    for part in parts:
        if part.method_type == "card" and made_on != today:
            return "A card payment can be voided only on the day it was made: refund it instead."
        if part.method_type == "ach" and part.status != "pending":
            return "This bank payment has settled: it can no longer be voided."
    return None


def _returned_void_refusal(parts: Sequence[PartFacts]) -> str:
    """A returned payment is never voided: the bank has answered (the money came back), and a card part
    beside it was made days before that answer, so it is refunded instead."""
    if any(p.method_type == "card" and p.status == "succeeded" for p in parts):
        return "The bank part of this payment was returned: refund its card part instead."
    return "This bank payment was returned by the bank: there is nothing left to void."


def refund_refusal(status: str, parts: Sequence[PartFacts], refunded_cents: int = 0) -> str | None:
    """Why the payment cannot be refunded at all (a sentence), or None. A returned split's card part is
    refundable until all it paid is given back (`refunded_cents` so far)."""
    if status in KEPT_STATUSES:
        if not any(p.method_type == "card" and p.status == "succeeded" for p in parts):
            return "This bank payment was returned by the bank: there is nothing to refund."
        if refunded_cents >= refundable_cents(parts):
            return "The card part of this payment is refunded in full already."
        return None
    if status == "pending":
        if any(p.method_type == "card" for p in parts):  # a split: the bank's answer comes first
            return (
                "The bank part of this payment is still pending: its card part can be refunded once "
                "the bank part settles or is returned."
            )
        return "A pending bank payment is voided, not refunded."
    if status == "voided":
        return "A voided payment has nothing left to refund."
    if status == "refunded":
        return "This payment is refunded in full already."
    if status not in REFUNDABLE_STATUSES:
        return f"A {status} payment cannot be refunded."
    if not any(p.method_type == "card" for p in parts):
        return "Only card payments are refunded; a settled bank payment cannot be refunded here."
    return None


def refundable_cents(parts: Sequence[PartFacts]) -> int:
    """What the card parts paid that may come back: their amounts and their refundable fees (a voided or
    returned part paid nothing)."""
    return sum(
        p.amount_cents + p.refundable_fee_cents
        for p in parts
        if p.method_type == "card" and p.status not in ("voided", "returned")
    )


def refund_status(refunded_cents: int, refundable: int, status: str = "succeeded") -> str:
    """The payment's status after refunds of `refunded_cents` in all; a returned split's stays returned."""
    if status in KEPT_STATUSES:
        return status
    return "refunded" if refunded_cents >= refundable else "partially_refunded"


def split_refund(allocations: Sequence[int], credit_left: int, amount: int) -> RefundSplit:
    """Where `amount` of a refund comes from: the credit the payment made (what is left of it), then its
    allocations newest first (`allocations`: what each still holds, oldest first); anything beyond both is
    a refundable fee given back."""
    if amount <= 0:
        raise ValueError("a refund is a positive amount")
    money = min(amount, credit_left + sum(allocations))
    reopened, credit_after = split_return(list(allocations), credit_left, money)
    return RefundSplit(credit_left - credit_after, reopened, amount - money)


def by_part(capacities: Sequence[int], already: int, amount: int) -> list[int]:
    """How a refund of `amount`, after `already` refunded, falls on the card parts, each giving back up to
    its `capacity` in order (the first part's money is refunded first)."""
    shares: list[int] = []
    start, end = already, already + amount
    low = 0
    for capacity in capacities:
        high = low + capacity
        shares.append(max(0, min(high, end) - max(low, start)))
        low = high
    if sum(shares) != amount:
        raise ValueError("cannot refund more than the card parts paid")
    return shares
