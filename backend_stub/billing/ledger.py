"""Invoice money after a change: a payment taking balance (paid now, or pending settlement), a settlement
turning pending into paid, a return reopening it. Statuses follow from the money (status.pay_state)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from backend_stub.billing.status import PayState, parent_pay_state, pay_state


@dataclass(frozen=True)
class InvoiceMoney:
    id: int
    balance_cents: int
    pending_cents: int
    parent_id: int | None = None

    @property
    def state(self) -> PayState:
        return pay_state(self.balance_cents, self.pending_cents)


def take(invoice: InvoiceMoney, amount: int, pending: bool) -> InvoiceMoney:
    """A payment covers `amount` of the balance: paid at once, or pending until it settles."""
    if not 0 < amount <= invoice.balance_cents:
        raise ValueError("a payment takes a positive amount no larger than the balance")
    return replace(
        invoice,
        balance_cents=invoice.balance_cents - amount,
        pending_cents=invoice.pending_cents + (amount if pending else 0),
    )


def settle(invoice: InvoiceMoney, amount: int) -> InvoiceMoney:
    """A pending payment settled: its part of the pending money is paid."""
    if not 0 <= amount <= invoice.pending_cents:
        raise ValueError("cannot settle more than is pending")
    return replace(invoice, pending_cents=invoice.pending_cents - amount)


def reopen(invoice: InvoiceMoney, amount: int) -> InvoiceMoney:
    """A pending payment was returned: its money is owed again."""
    if not 0 <= amount <= invoice.pending_cents:
        raise ValueError("cannot reopen more than is pending")
    return replace(
        invoice, pending_cents=invoice.pending_cents - amount, balance_cents=invoice.balance_cents + amount
    )


def give_back(invoice: InvoiceMoney, amount: int) -> InvoiceMoney:
    """A paid payment was voided or refunded: `amount` of what it paid is owed again."""
    if amount < 0:
        raise ValueError("cannot give back a negative amount")
    return replace(invoice, balance_cents=invoice.balance_cents + amount)


def parent_totals(children: Iterable[InvoiceMoney]) -> tuple[int, int, PayState]:
    """A parent's balance and pending are its children's sums; its state follows theirs."""
    kids = list(children)
    return (
        sum(c.balance_cents for c in kids),
        sum(c.pending_cents for c in kids),
        parent_pay_state(c.state for c in kids) if kids else "paid",
    )


def split_return(amounts: Sequence[int], credit_cents: int, returned_cents: int) -> tuple[list[int], int]:
    """How much of each allocation reopens when `returned_cents` of a pending payment comes back.

    The credit absorbs it first; then allocations reopen newest first (a refund's order: the money it
    gives back comes off the newest invoices it paid). Returns (reopened per allocation, credit left)."""
    if returned_cents < 0 or returned_cents > sum(amounts) + credit_cents:
        raise ValueError("cannot return more than was paid")
    from_credit = min(credit_cents, returned_cents)
    rest = returned_cents - from_credit
    reopened = [0] * len(amounts)
    for index in range(len(amounts) - 1, -1, -1):
        if rest == 0:
            break
        reopened[index] = min(amounts[index], rest)
        rest -= reopened[index]
    return reopened, credit_cents - from_credit
