"""The words of the payment emails: receipt, phone ACH authorisation (NACHA TEL), ACH return.

Methods are named by brand or bank and last 4 only (billing.labels): these texts never see a full number.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from backend_stub.billing.labels import method_label
from backend_stub.billing.money import format_cents as dollars
from backend_stub.billing.scripts import tel_paragraphs

BUSINESS_PHONE = "1-800-555-0142"
COMPANY = "Paydesk Utilities"


@dataclass(frozen=True)
class ReceiptPart:
    method_type: str
    brand: str | None
    last4: str
    bank_name: str | None
    amount_cents: int
    fees: Sequence[tuple[str, int]]  # (words, cents)

    @property
    def label(self) -> str:
        return method_label(self.method_type, self.brand, self.last4, self.bank_name)


@dataclass(frozen=True)
class ReceiptFacts:
    account_number: str
    customer_name: str
    confirmation_number: str
    status: str
    created_on: date
    settles_on: date | None
    allocations: Sequence[tuple[str, int]]  # (invoice number, cents)
    credit_cents: int
    amount_cents: int
    fees_cents: int
    total_cents: int
    parts: Sequence[ReceiptPart]


def receipt(facts: ReceiptFacts) -> tuple[str, str]:
    pending = facts.status == "pending"
    kind = "received" if pending else "receipt"
    subject = f"Payment {kind} {facts.confirmation_number}: {dollars(facts.total_cents)}"
    lines = [
        f"Thank you for your payment, {facts.customer_name}.",
        "",
        f"Confirmation number: {facts.confirmation_number}",
        f"Account number: {facts.account_number}",
        f"Date: {facts.created_on.isoformat()}",
        "",
        "Applied to:",
        *(f"  Invoice {number}: {dollars(cents)}" for number, cents in facts.allocations),
    ]
    if facts.credit_cents:
        lines.append(f"  Account credit: {dollars(facts.credit_cents)}")
    lines += ["", f"Amount: {dollars(facts.amount_cents)}"]
    for part in facts.parts:
        for words, cents in part.fees:
            lines.append(f"{words}: {dollars(cents)}")
    lines += [f"Total: {dollars(facts.total_cents)}", "", "Paid with:"]
    lines += [
        f"  {part.label}: {dollars(part.amount_cents + sum(c for _, c in part.fees))}" for part in facts.parts
    ]
    if pending and facts.settles_on:
        split = any(p.method_type == "card" for p in facts.parts)  # the card's invoices are paid now
        which = "what the card paid is paid now, the invoices the bank pays" if split else "the invoices"
        lines += [
            "",
            "This payment is pending: bank payments settle in 3 business days, "
            f"on {facts.settles_on.isoformat()}. Until then {which} show as in progress.",
        ]
    lines += ["", f"Questions? Call us at {BUSINESS_PHONE}."]
    return subject, "\n".join(lines)


def tel_authorization(
    *,
    customer_name: str,
    account_number: str,
    bank_label: str,
    bank_last4: str,
    amount_cents: int,
    debit_on: date,
    authorized_on: date,
    confirmation_number: str,
) -> tuple[str, str]:
    """The words the clerk read on the phone (billing.scripts, the same the quote gave the clerk), in
    writing, before the debit settles (NACHA TEL)."""
    subject = f"Your phone authorization for a bank payment of {dollars(amount_cents)}"
    words = tel_paragraphs(
        company=COMPANY,
        business_phone=BUSINESS_PHONE,
        customer_name=customer_name,
        account_number=account_number,
        bank_name=bank_label,
        bank_last4=bank_last4,
        amount_cents=amount_cents,
        authorized_on=authorized_on,
        debit_on=debit_on,
    )
    body = "\n".join(
        [
            f"Dear {customer_name},",
            "",
            "This is the authorization you gave us by telephone, in writing, as it was read to you:",
            "",
            "\n\n".join(words),
            "",
            f"Confirmation number: {confirmation_number}",
            f"Authorized on: {authorized_on.isoformat()}",
            f"Expected to settle on: {debit_on.isoformat()}",
            "",
            f"Questions? Call us at {BUSINESS_PHONE}, Monday to Friday.",
        ]
    )
    return subject, body


def ach_return(
    *,
    customer_name: str,
    account_number: str,
    confirmation_number: str,
    amount_cents: int,
    return_code: str,
    reason: str,
    invoices: Sequence[str],
) -> tuple[str, str]:
    subject = f"Your bank payment {confirmation_number} was returned"
    body = "\n".join(
        [
            f"Dear {customer_name},",
            "",
            f"Your bank returned payment {confirmation_number} of {dollars(amount_cents)} on account "
            f"{account_number} ({return_code}: {reason}).",
            f"The invoices it paid are open again: {', '.join(invoices) or 'none'}.",
            "Please pay them again with another method.",
            "",
            f"Questions? Call us at {BUSINESS_PHONE}.",
        ]
    )
    return subject, body


# -- void and refund (issue 9) ---------------------------------------------------------------------
def void_notice(
    *,
    customer_name: str,
    account_number: str,
    confirmation_number: str,
    total_cents: int,
    bank: bool,
    invoices: Sequence[str],
) -> tuple[str, str]:
    """A clerk voided a payment: nothing of it is taken, its fees included."""
    subject = f"Your payment {confirmation_number} was cancelled"
    taken = (
        "The bank debit will not be sent."
        if bank
        else "The card charge is cancelled; its fees are not charged."
    )
    body = "\n".join(
        [
            f"Dear {customer_name},",
            "",
            f"Payment {confirmation_number} of {dollars(total_cents)} on account {account_number} was "
            f"cancelled (voided) at your request or by our staff. {taken}",
            f"The invoices it paid are open again: {', '.join(invoices) or 'none'}.",
            "",
            f"Questions? Call us at {BUSINESS_PHONE}.",
        ]
    )
    return subject, body


def refund_notice(
    *,
    customer_name: str,
    account_number: str,
    confirmation_number: str,
    amount_cents: int,
    method_label: str,
    from_credit_cents: int,
    invoices: Sequence[str],
) -> tuple[str, str]:
    """A clerk refunded (part of) a card payment: how much, to which card, and what it changed."""
    subject = f"A refund of {dollars(amount_cents)} on payment {confirmation_number}"
    lines = [
        f"Dear {customer_name},",
        "",
        f"We refunded {dollars(amount_cents)} of payment {confirmation_number} on account {account_number} "
        f"to {method_label}. Card refunds usually appear within 5 to 10 business days.",
    ]
    if from_credit_cents:
        lines.append(f"Your account credit is {dollars(from_credit_cents)} less.")
    if invoices:
        lines.append(f"The invoices it paid are open again for the refunded amount: {', '.join(invoices)}.")
    lines += [
        "Fees that are not refundable were not refunded.",
        "",
        f"Questions? Call us at {BUSINESS_PHONE}.",
    ]
    return subject, "\n".join(lines)
