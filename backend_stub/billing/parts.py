"""Split payments and the card limits.

Parts: 1..5; at most one leaves out its amount and takes the rest; the amounts add up to what is paid.
Limits: a card part at most `card_part_max_cents`; at most 3 card payments per account in any 5 days
(backend clock).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from backend_stub.billing.allocation import valid_amount
from backend_stub.billing.money import format_cents
from backend_stub.billing.problems import Problem, bad, refused

MAX_PARTS = 5
CARD_PAYMENTS_PER_WINDOW = 3
CARD_WINDOW_DAYS = 5


@dataclass(frozen=True)
class PartRequest:
    amount_cents: int | None
    method_type: str  # card | ach


def split(parts: Sequence[PartRequest], total_cents: int) -> tuple[list[int], list[Problem]]:
    """Each part's amount (the open part takes the rest), or the problems."""
    if not 1 <= len(parts) <= MAX_PARTS:
        return [], [bad("invalid_parts", f"Pay with 1 to {MAX_PARTS} methods.", "parts")]
    open_parts = [i for i, p in enumerate(parts) if p.amount_cents is None]
    if len(open_parts) > 1:
        return [], [
            bad("invalid_parts", "Only one method can take the rest: give the others an amount.", "parts")
        ]
    problems = [
        bad(
            "invalid_amount",
            "Enter an amount above $0.00 and at most $100,000.00.",
            f"parts[{i}].amount_cents",
        )
        for i, p in enumerate(parts)
        if p.amount_cents is not None and not valid_amount(p.amount_cents)
    ]
    if problems:
        return [], problems
    given = sum(p.amount_cents or 0 for p in parts)
    rest = total_cents - given
    if (open_parts and rest <= 0) or (not open_parts and rest != 0):
        return [], [
            bad(
                "parts_mismatch",
                f"The methods' amounts must add up to {format_cents(total_cents)}, the amount being paid.",
                "parts",
            )
        ]
    return [p.amount_cents if p.amount_cents is not None else rest for p in parts], []


def card_limits(
    parts: Sequence[PartRequest],
    amounts: Sequence[int],
    card_part_max_cents: int,
    recent_card_payments: int,
) -> list[Problem]:
    """A card part above the per-part maximum; a card payment beyond 3 in 5 days."""
    problems = [
        bad(
            "card_amount_limit",
            f"A card can pay at most {format_cents(card_part_max_cents)} at a time: "
            "split the rest or pay by bank.",
            f"parts[{i}].amount_cents",
        )
        for i, (part, amount) in enumerate(zip(parts, amounts, strict=True))
        if part.method_type == "card" and amount > card_part_max_cents
    ]
    first_card = next((i for i, p in enumerate(parts) if p.method_type == "card"), None)
    if first_card is not None and recent_card_payments >= CARD_PAYMENTS_PER_WINDOW:
        problems.append(
            refused(
                "card_payment_limit",
                f"This account has made {CARD_PAYMENTS_PER_WINDOW} card payments in the last "
                f"{CARD_WINDOW_DAYS} days: pay by bank account, or by card later.",
                f"parts[{first_card}].method",
            )
        )
    return problems


@dataclass(frozen=True)
class PartShare:
    """What one part of a payment pays: (invoice id, cents) on the invoices, in the allocations' order,
    and the account credit it makes."""

    allocations: tuple[tuple[int, int], ...]
    credit_cents: int


def attribution_order(method_types: Sequence[str]) -> list[int]:
    """The order parts take money in: card parts first (paid at once, so they go to the oldest
    invoices), then bank parts; each kind in the parts' own order."""
    cards = [i for i, t in enumerate(method_types) if t != "ach"]
    return cards + [i for i, t in enumerate(method_types) if t == "ach"]


def attribute(
    allocations: Sequence[tuple[int, int]], method_types: Sequence[str], amounts: Sequence[int]
) -> list[PartShare]:
    """Each part's share of a payment (indexed as the parts are): the parts, in `attribution_order`, fill
    the allocations (oldest first, as planned) in turn; what a part has left after the last invoice is
    the credit it makes. An invoice can be shared by two parts."""
    if sum(amounts) < sum(a for _, a in allocations) or len(amounts) != len(method_types):
        raise ValueError("the parts do not cover the allocations")
    queue = [[invoice_id, cents] for invoice_id, cents in allocations]
    shares: dict[int, PartShare] = {}
    for index in attribution_order(method_types):
        left = amounts[index]
        taken: list[tuple[int, int]] = []
        while left and queue:
            invoice_id, cents = queue[0]
            take = min(left, cents)
            taken.append((invoice_id, take))
            left -= take
            if take == cents:
                queue.pop(0)
            else:
                queue[0][1] = cents - take
        shares[index] = PartShare(tuple(taken), left)
    return [shares[i] for i in range(len(amounts))]


def credits(method_types: Sequence[str], amounts: Sequence[int], allocated_cents: int) -> list[int]:
    """The credit each part made (indexed as the parts are), from what never changes: the parts'
    amounts and what the payment allocated when it was made (its amount less its credit). The parts take
    the allocations in `attribution_order`, so credit comes from the last of them."""
    result = [0] * len(amounts)
    left = allocated_cents
    for index in attribution_order(method_types):
        take = min(left, amounts[index])
        result[index] = amounts[index] - take
        left -= take
    return result
