"""Which invoices a payment pays, and how much of each.

Money lands on leaf invoices only: single-site invoices and the children of a multi-site parent (a parent's
money is the sum of its children's). Anything above what is owed becomes account credit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from backend_stub.billing.money import format_cents
from backend_stub.billing.problems import Problem, bad, conflict, missing

MAX_INVOICES = 200
MAX_PAYMENT_CENTS = 10_000_000  # $100,000: a payment above this is a typo


@dataclass(frozen=True)
class InvoiceBalance:
    """One of the account's sent invoices, as the allocation needs it."""

    id: int
    number: str
    issued_on: date
    due_on: date
    balance_cents: int
    parent_id: int | None = None
    children_count: int = 0

    @property
    def is_leaf(self) -> bool:
        return self.children_count == 0


@dataclass(frozen=True)
class Selection:
    invoice_id: int
    amount_cents: int | None = None


@dataclass(frozen=True)
class Target:
    """`invoices` (selections), `amount` (amount_cents, oldest first) or `balance`."""

    type: str
    invoices: tuple[Selection, ...] = ()
    amount_cents: int | None = None


@dataclass(frozen=True)
class Allocation:
    invoice_id: int
    number: str
    amount_cents: int


@dataclass(frozen=True)
class AllocationResult:
    allocations: tuple[Allocation, ...] = ()
    credit_cents: int = 0
    problems: tuple[Problem, ...] = field(default=())

    @property
    def amount_cents(self) -> int:
        """What is being paid: the allocations plus the credit."""
        return sum(a.amount_cents for a in self.allocations) + self.credit_cents


def oldest_first_key(invoice: InvoiceBalance) -> tuple[date, date, int]:
    return (invoice.due_on, invoice.issued_on, invoice.id)


def valid_amount(amount: int) -> bool:
    return 0 < amount <= MAX_PAYMENT_CENTS


def _amount_problem(param: str) -> Problem:
    return bad("invalid_amount", "Enter an amount above $0.00 and at most $100,000.00.", param)


def allocate(target: Target, invoices: Sequence[InvoiceBalance]) -> AllocationResult:
    """Plan the allocation of `target` over the account's `invoices` (every sent invoice that might be
    named or paid). Problems come back instead of a partial plan."""
    leaves = sorted((i for i in invoices if i.is_leaf and i.balance_cents > 0), key=oldest_first_key)
    if target.type == "balance":
        if not leaves:
            return AllocationResult(
                problems=(conflict("nothing_to_pay", "There is nothing to pay.", "target"),)
            )
        return AllocationResult(tuple(Allocation(i.id, i.number, i.balance_cents) for i in leaves))
    if target.type == "amount":
        return _allocate_amount(target.amount_cents, leaves)
    if target.type == "invoices":
        return _allocate_selected(target.invoices, invoices)
    return AllocationResult(problems=(bad("invalid_request", "Unknown target type.", "target.type"),))


def _allocate_amount(amount: int | None, leaves: list[InvoiceBalance]) -> AllocationResult:
    if amount is None or not valid_amount(amount):
        return AllocationResult(problems=(_amount_problem("target.amount_cents"),))
    rest = amount
    allocations: list[Allocation] = []
    for invoice in leaves:
        if rest == 0:
            break
        take = min(rest, invoice.balance_cents)
        allocations.append(Allocation(invoice.id, invoice.number, take))
        rest -= take
    return AllocationResult(tuple(allocations), credit_cents=rest)


def _allocate_selected(
    selections: Sequence[Selection], invoices: Sequence[InvoiceBalance]
) -> AllocationResult:
    if not 1 <= len(selections) <= MAX_INVOICES:
        message = f"Choose 1 to {MAX_INVOICES} invoices to pay."
        return AllocationResult(problems=(bad("too_many_invoices", message, "target.invoices"),))
    by_id = {i.id: i for i in invoices}
    children: dict[int, list[InvoiceBalance]] = {}
    for invoice in invoices:
        if invoice.parent_id is not None:
            children.setdefault(invoice.parent_id, []).append(invoice)
    problems: list[Problem] = []
    chosen: dict[int, tuple[InvoiceBalance, int]] = {}
    for index, selection in enumerate(selections):
        param = f"target.invoices[{index}]"
        invoice = by_id.get(selection.invoice_id)
        if invoice is None:
            problems.append(missing("No such invoice on this account.", f"{param}.invoice_id"))
            continue
        if invoice.is_leaf:
            parts = [(invoice, selection.amount_cents)]
        elif selection.amount_cents is not None:
            problems.append(
                bad(
                    "invalid_amount",
                    f"Invoice {invoice.number} covers several sites: "
                    "pay it whole or choose its site invoices.",
                    f"{param}.amount_cents",
                )
            )
            continue
        else:
            parts = [(child, None) for child in children.get(invoice.id, []) if child.balance_cents > 0]
            if not parts:
                problems.append(_paid(invoice, param))
                continue
        for leaf, amount in parts:
            beside_parent = leaf.parent_id is not None and leaf.parent_id in _others(selections, index)
            if leaf.id in chosen or beside_parent:
                problems.append(
                    bad("duplicate_invoice", f"Invoice {leaf.number} is chosen twice.", f"{param}.invoice_id")
                )
                break
            if leaf.balance_cents <= 0:
                problems.append(_paid(leaf, param))
                break
            if amount is not None:
                if not valid_amount(amount):
                    problems.append(_amount_problem(f"{param}.amount_cents"))
                    break
                if amount > leaf.balance_cents:
                    problems.append(
                        bad(
                            "amount_above_balance",
                            f"Invoice {leaf.number} has {format_cents(leaf.balance_cents)} left to pay: "
                            "enter that much or less.",
                            f"{param}.amount_cents",
                        )
                    )
                    break
            chosen[leaf.id] = (leaf, amount if amount is not None else leaf.balance_cents)
    if problems:
        return AllocationResult(problems=tuple(problems))
    ordered = sorted(chosen.values(), key=lambda pair: oldest_first_key(pair[0]))
    return AllocationResult(tuple(Allocation(leaf.id, leaf.number, amount) for leaf, amount in ordered))


def _others(selections: Sequence[Selection], before: int) -> set[int]:
    """Ids chosen before position `before`: a child after its parent (or the reverse) is a duplicate."""
    return {s.invoice_id for s in selections[:before]} | {s.invoice_id for s in selections[before + 1 :]}


def _paid(invoice: InvoiceBalance, param: str) -> Problem:
    return conflict(
        "invoice_paid",
        f"Invoice {invoice.number} has nothing left to pay (it is paid or a payment on it is pending).",
        f"{param}.invoice_id",
    )
