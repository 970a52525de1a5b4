"""A quote: what a payment would do (allocations, credit, parts, fees, total) and what stands in its way.

The payment runs the same function under the account lock, so a quote equals what the payment does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from backend_stub.billing.allocation import Allocation, InvoiceBalance, Target, allocate
from backend_stub.billing.fees import Fee, FeePolicy, fees_for
from backend_stub.billing.parts import (
    PartRequest,
    PartShare,
    attribute,
    attribution_order,
    card_limits,
    split,
)
from backend_stub.billing.problems import Problem


@dataclass(frozen=True)
class MethodFacts:
    """What the fees and limits need to know of a method (never the number)."""

    type: str  # card | ach
    brand: str | None = None
    last4: str = ""
    bank_name: str | None = None
    funding: str | None = None  # credit | debit | prepaid for cards


@dataclass(frozen=True)
class PartPlan:
    amount_cents: int
    fees: tuple[Fee, ...]
    method: MethodFacts

    @property
    def fee_cents(self) -> int:
        return sum(f.amount_cents for f in self.fees)


@dataclass(frozen=True)
class PartAllocation:
    """One part's money on one invoice (`part_index` into the parts)."""

    invoice_id: int
    number: str
    amount_cents: int
    part_index: int


@dataclass(frozen=True)
class Quote:
    allocations: tuple[Allocation, ...] = ()
    credit_cents: int = 0
    parts: tuple[PartPlan, ...] = ()
    problems: tuple[Problem, ...] = field(default=())

    @property
    def amount_cents(self) -> int:
        return sum(a.amount_cents for a in self.allocations) + self.credit_cents

    @property
    def fees_cents(self) -> int:
        return sum(p.fee_cents for p in self.parts)

    @property
    def total_cents(self) -> int:
        return self.amount_cents + self.fees_cents

    @property
    def by_part(self) -> tuple[PartAllocation, ...]:
        """The allocations as each part pays them (billing.parts.attribute): card parts' first, on the
        oldest invoices, then the bank parts'. Empty while the parts are not planned."""
        numbers = {a.invoice_id: a.number for a in self.allocations}
        shares = self._shares()
        return tuple(
            PartAllocation(invoice_id, numbers[invoice_id], cents, index)
            for index in attribution_order([p.method.type for p in self.parts])
            for invoice_id, cents in shares[index].allocations
        )

    def part_credits(self) -> list[int]:
        """The credit each part makes (indexed as the parts are)."""
        return [s.credit_cents for s in self._shares()]

    def _shares(self) -> list[PartShare]:
        if not self.parts:
            return []
        return attribute(
            [(a.invoice_id, a.amount_cents) for a in self.allocations],
            [p.method.type for p in self.parts],
            [p.amount_cents for p in self.parts],
        )

    @property
    def pending(self) -> bool:
        """A payment with any bank part waits for settlement as a whole."""
        return any(p.method.type == "ach" for p in self.parts)


@dataclass(frozen=True)
class QuoteRequest:
    target: Target
    part_amounts: tuple[int | None, ...]
    methods: tuple[MethodFacts, ...]
    # Problems the route found in the request itself, in order: authorization and email first (early),
    # the typed methods' details (after the target and the parts).
    early_problems: tuple[Problem, ...] = ()
    method_problems: tuple[Problem, ...] = ()


def quote(
    request: QuoteRequest,
    invoices: Sequence[InvoiceBalance],
    policy: FeePolicy,
    card_part_max_cents: int,
    recent_card_payments: int,
) -> Quote:
    """Plan a payment. Problems are ordered as the payment checks them (the first is its error)."""
    allocation = allocate(request.target, invoices)
    target_problems = list(allocation.problems)
    amount = allocation.amount_cents
    parts_requests = [
        PartRequest(a, m.type) for a, m in zip(request.part_amounts, request.methods, strict=True)
    ]
    amounts: list[int] = []
    part_problems: list[Problem] = []
    if not target_problems:
        amounts, part_problems = split(parts_requests, amount)
    limit_problems: list[Problem] = []
    if amounts:
        limit_problems = card_limits(parts_requests, amounts, card_part_max_cents, recent_card_payments)
    plans = (
        tuple(
            PartPlan(a, tuple(fees_for(m.type, m.funding, a, policy)), m)
            for a, m in zip(amounts, request.methods, strict=True)
        )
        if amounts
        else ()
    )
    ordered = [
        *request.early_problems,
        *target_problems,
        *part_problems,
        *request.method_problems,
        *limit_problems,
    ]
    if target_problems:
        return Quote(problems=tuple(ordered))
    return Quote(allocation.allocations, allocation.credit_cents, plans, tuple(ordered))
