"""The words a clerk reads aloud before a phone payment, one source for the quote (what the clerk reads)
and the written NACHA TEL authorization the backend emails before the debit settles (receipts.py): the
same paragraphs, word for word. Pure functions on plain facts: no card or bank account number, only the
brand or bank and the last 4."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from backend_stub.billing.fees import CONVENIENCE, Fee
from backend_stub.billing.labels import BRANDS
from backend_stub.billing.money import format_cents as dollars

# The version of these words; a clerk's payment names it in authorization.script_version. Bumped from the
# app's "tel-2026-1" (its own wording of the bank script) when the words moved to the backend.
SCRIPT_VERSION = "tel-2026-2"


def spoken_date(day: date) -> str:
    """2026-11-15 -> "November 15, 2026": a date as it is read aloud."""
    return f"{day:%B} {day.day}, {day.year}"


def _fee_words(fee: Fee) -> str:
    return "a card convenience fee" if fee.kind == CONVENIENCE else "a credit card surcharge"


def card_paragraph(*, brand: str | None, last4: str, amount_cents: int, fees: Sequence[Fee]) -> str:
    """A card part: the amount, each fee in words, the total, and whether the fee is refunded."""
    card = BRANDS.get((brand or "").lower(), (brand or "").title() or "card")
    said = f"You are paying {dollars(amount_cents)} with your {card} card ending in {last4}."
    if not fees:
        return f"{said} No fee is added for this card."
    added = " and ".join(f"{_fee_words(f)} of {dollars(f.amount_cents)}" for f in fees)
    total = amount_cents + sum(f.amount_cents for f in fees)
    kept = [f for f in fees if not f.refundable]
    if kept:
        refund = "The fee is not refundable, even if the payment is refunded."
    else:
        refund = "The surcharge is refunded with the payment if the payment is refunded."
    return f"{said} {added[0].upper()}{added[1:]} is added, for a total of {dollars(total)}. {refund}"


def tel_paragraphs(
    *,
    company: str,
    business_phone: str,
    customer_name: str,
    account_number: str,
    bank_name: str,
    bank_last4: str,
    amount_cents: int,
    authorized_on: date,
    debit_on: date,
) -> list[str]:
    """A bank part by phone (NACHA TEL): who authorizes whom, the amount, the bank account's last 4, the
    date of the debit, that it is a single entry, the authorization's date, and how to revoke it."""
    return [
        f"Today, {spoken_date(authorized_on)}, you, {customer_name}, authorize {company} to debit "
        f"{dollars(amount_cents)} from your bank account ending in {bank_last4} ({bank_name}), for "
        f"utility account {account_number}.",
        f"This is a single-entry debit: one debit of {dollars(amount_cents)}, made on "
        f"{spoken_date(authorized_on)} and expected to settle on {spoken_date(debit_on)}. Nothing else "
        "will be debited under this authorization.",
        f"To revoke this authorization, call {company} at {business_phone} before {spoken_date(debit_on)}.",
    ]
