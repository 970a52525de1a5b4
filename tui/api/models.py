"""Pydantic models of the wire shapes in docs/WIRE.md.

Money is int cents, dates are `datetime.date`, times `datetime.datetime`. Every model ignores fields
it does not know, so the server can add fields without breaking older apps.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")


class WireModel(BaseModel):
    # frozen: a model is a snapshot of what the server said; screens must not edit it in place.
    model_config = ConfigDict(extra="ignore", frozen=True)


class User(WireModel):
    id: int
    email: str
    name: str
    role: str  # "customer" or "clerk"; a plain str so a new role does not break older apps

    @property
    def is_clerk(self) -> bool:
        return self.role == "clerk"


class Session(WireModel):
    token: str
    expires_at: dt.datetime
    user: User


class AccountRef(WireModel):
    id: int
    account_number: str
    name: str


class Me(WireModel):
    user: User
    accounts: list[AccountRef] = []


class AutopayFailure(WireModel):
    on: dt.date
    message: str
    invoice_id: int | None = None


class FeeTerms(WireModel):
    """The fee autopay takes on each payment with a method: a flat amount or basis points of it."""

    kind: str  # "convenience" or "surcharge"
    amount_cents: int | None = None
    basis_points: int | None = None
    description: str = ""

    def same_terms(self, other: FeeTerms | None) -> bool:
        return other is not None and (self.kind, self.amount_cents, self.basis_points) == (
            other.kind,
            other.amount_cents,
            other.basis_points,
        )

    def wire(self) -> dict[str, Any]:
        return {"kind": self.kind, "amount_cents": self.amount_cents, "basis_points": self.basis_points}


class Autopay(WireModel):
    enabled: bool = False
    payment_method_id: int | None = None
    method_label: str | None = None
    fee_terms: FeeTerms | None = None  # accepted when it was turned on: what each payment may take
    next_run_on: dt.date | None = None
    next_amount_cents: int | None = None
    last_failure: AutopayFailure | None = None


class Account(WireModel):
    id: int
    account_number: str
    first_name: str
    last_name: str
    name: str = ""
    email: str | None = None
    # A new billing email waiting for the code sent to it (`email` stays the old one until then).
    pending_email: str | None = None
    phone: str | None = None
    service_address: str | None = None
    paperless: bool = False
    sms_opt_in: bool = False
    autopay: Autopay = Autopay()


class Summary(WireModel):
    balance_due_cents: int
    past_due_cents: int
    credit_cents: int
    in_progress_cents: int
    open_count: int
    past_due_count: int
    next_due_on: dt.date | None = None
    today: dt.date | None = None


class Site(WireModel):
    id: int
    name: str
    address: str | None = None


class InvoiceRow(WireModel):
    id: int
    number: str
    issued_on: dt.date
    due_on: dt.date
    amount_cents: int
    balance_cents: int
    status: str  # "open", "in_progress" or "paid"
    past_due: bool = False
    site: Site | None = None
    parent_id: int | None = None
    children_count: int = 0

    @property
    def is_multi_site(self) -> bool:
        return self.children_count > 0


class LineItem(WireModel):
    description: str
    quantity: int | float  # not money: a count or a metered amount
    unit_cents: int
    amount_cents: int


class AppliedPayment(WireModel):
    payment_id: int
    confirmation_number: str
    status: str
    amount_cents: int
    method_label: str | None = None
    created_at: dt.datetime


class InvoiceDetail(InvoiceRow):
    account_id: int
    line_items: list[LineItem] = []
    children: list[InvoiceRow] = []
    payments: list[AppliedPayment] = []


class AccountMatch(WireModel):
    id: int
    account_number: str
    name: str
    first_name: str
    last_name: str
    email: str | None = None
    service_address: str | None = None


class OutboxEmail(WireModel):
    id: int
    to: str
    subject: str
    body: str
    sent_at: dt.datetime
    kind: str


class Page(WireModel, Generic[T]):
    """One page of a list: `next_cursor` is None on the last page; `total_count` counts every match."""

    items: list[T]
    next_cursor: str | None = None
    total_count: int = 0


# ---- payments (docs/WIRE.md "Payments") ---------------------------------------------------------


class Fee(WireModel):
    kind: str  # "convenience" or "surcharge"
    amount_cents: int
    description: str = ""
    refundable: bool = False


class MethodSummary(WireModel):
    """How a payment part was paid, as the server tells it back: never more than the last 4 digits."""

    type: str  # "card" or "ach"
    brand: str | None = None
    last4: str | None = None
    bank_name: str | None = None
    funding: str | None = None  # "credit", "debit", "prepaid" or None

    @property
    def label(self) -> str:
        name = brand_name(self.brand) or self.bank_name or ("Bank account" if self.type == "ach" else "Card")
        return f"{name} •••• {self.last4}" if self.last4 else name


_BRAND_NAMES = {"visa": "Visa", "mastercard": "Mastercard", "amex": "Amex", "discover": "Discover"}


def brand_name(brand: str | None) -> str | None:
    """The server's brand code ("visa") as people write it ("Visa")."""
    if not brand:
        return None
    return _BRAND_NAMES.get(brand.lower(), brand.title())


class PaymentPart(WireModel):
    amount_cents: int
    fee_cents: int = 0
    fees: list[Fee] = []
    method: MethodSummary
    status: str | None = None  # payments only: "succeeded", "pending" or "returned"
    credit_cents: int = 0  # payments only: the account credit this part's money made


class Allocation(WireModel):
    invoice_id: int
    number: str
    amount_cents: int
    part_index: int | None = None  # which of the payment's parts paid it (None: a one-part payment)


class Problem(WireModel):
    """A quote's problem: the error object the payment would answer (same type/code/param/message)."""

    type: str
    code: str
    message: str
    param: str | None = None


QuoteProblem = Problem


# ---- issue 9 (i9-wizard): the clerk's read-aloud words, void and refund (docs/WIRE.md) -------------


class Script(WireModel):
    """The words a clerk reads to the customer before "Customer agreed" (the quote's `script`).

    The backend writes them (the same words it emails for a phone bank payment); the app only shows
    them, and names `version` in the payment's authorization.
    """

    version: str
    paragraphs: list[str] = []


class RefundedBy(WireModel):
    """The clerk who made a refund, as the server names them."""

    id: int
    name: str = ""


class Refund(WireModel):
    """Money given back on a settled card payment; a payment can have several, each with its reason."""

    id: int
    payment_id: int
    amount_cents: int
    reason: str = ""
    created_by: RefundedBy | None = None
    created_at: dt.datetime


# ---- end of the i9-wizard block -----------------------------------------------------------------


class Quote(WireModel):
    allocations: list[Allocation] = []
    amount_cents: int = 0
    credit_cents: int = 0
    parts: list[PaymentPart] = []
    fees_cents: int = 0
    total_cents: int = 0
    fee_policy: str = "convenience"
    problems: list[Problem] = []
    script: Script | None = None  # a clerk's words to read aloud; None for customers


class Payment(WireModel):
    id: int
    account_id: int
    confirmation_number: str
    # "succeeded", "pending", "failed", "returned", "voided", "refunded" or "partially_refunded"
    status: str
    amount_cents: int
    credit_cents: int = 0
    fees_cents: int = 0
    total_cents: int
    parts: list[PaymentPart] = []
    allocations: list[Allocation] = []
    channel: str = "online"
    created_by: int | None = None
    created_at: dt.datetime
    created_on: dt.date | None = None
    settles_on: dt.date | None = None
    return_code: str | None = None
    receipt_email: str | None = None
    saved_payment_method_ids: list[int] = []
    # i9: what was given back (refunds) or undone (void) on this payment.
    refunded_cents: int = 0
    refunds: list[Refund] = []
    voided_at: dt.datetime | None = None
    void_reason: str | None = None

    @property
    def refundable_cents(self) -> int:
        """What a refund may still give back: the card parts and their refundable fees (never a fee
        that is not), less earlier refunds. The server decides; this is the refund dialog's default."""
        card = sum(
            part.amount_cents + sum(fee.amount_cents for fee in part.fees if fee.refundable)
            for part in self.parts
            if part.method.type == "card"
        )
        return max(0, card - self.refunded_cents)


class PaymentMethod(WireModel):
    """A saved method: a processor token on the server; here only what can be shown."""

    id: int
    account_id: int | None = None
    type: str  # "card" or "ach"
    brand: str | None = None
    last4: str
    exp_month: int | None = None
    exp_year: int | None = None
    bank_name: str | None = None
    funding: str | None = None
    account_type: str | None = None
    is_default: bool = False
    label: str = ""
    created_at: dt.datetime | None = None
    autopay_fee: FeeTerms | None = None  # what autopay with it would take on each payment

    @property
    def display(self) -> str:
        return (
            self.label
            or MethodSummary(
                type=self.type, brand=self.brand, last4=self.last4, bank_name=self.bank_name
            ).label
        )


# ---- account self-service (docs/WIRE.md "Account self-service") ---------------------------------


class ContactMessage(WireModel):
    id: int
    account_id: int
    subject: str
    body: str
    created_at: dt.datetime
    business_phone: str | None = None
    message: str | None = None  # the server's thank-you sentence


class StatementEntry(WireModel):
    date: dt.date
    kind: str  # "invoice", "payment", "fee", "credit" or "ach_return"
    description: str
    reference: str | None = None
    amount_cents: int  # what is owed goes up (positive) or down (negative)
    balance_cents: int  # the running balance after this entry


class Statement(WireModel):
    """One page of the account's history over [start, end], with the balances around the whole range."""

    account_id: int
    account_number: str
    start: dt.date = Field(alias="from")
    end: dt.date = Field(alias="to")
    opening_balance_cents: int
    closing_balance_cents: int
    items: list[StatementEntry] = []
    next_cursor: str | None = None
    total_count: int = 0


class GuestSession(WireModel):
    """A one-time payment session: view the account's open invoices and make one payment."""

    token: str
    account_id: int
    expires_at: dt.datetime


class ScheduledPayment(WireModel):
    """A payment on a chosen date (on or before the due date); changeable until that date."""

    id: int
    account_id: int
    target: dict[str, Any]  # as in a payment body: {"type": "invoices" | "amount" | "balance", ...}
    method_label: str | None = None
    pay_on: dt.date
    amount_cents: int
    fees_cents: int = 0  # accepted when it was scheduled: the run takes these or is skipped
    fees: list[Fee] = []
    total_cents: int = 0
    receipt_email: str | None = None
    status: str  # "scheduled", "paid", "failed", "skipped" or "cancelled"
    payment_id: int | None = None
    failure_message: str | None = None

    @property
    def what(self) -> str:
        kind = self.target.get("type")
        if kind == "balance":
            return "Balance due"
        if kind == "amount":
            return "An amount"
        count = len(self.target.get("invoices") or [])
        return "1 invoice" if count == 1 else f"{count} invoices"


class Download(WireModel):
    """A file the server sent (a statement CSV, an invoice PDF) and the name it suggests."""

    filename: str
    content: bytes
    media_type: str = ""


# ---- clerk console (docs/WIRE.md "Clerk console": identity checks, notes, audit, notices) --------


class IdentityCheck(WireModel):
    """A clerk's check of the caller: what was compared with the account, and whether it matched."""

    id: int
    account_id: int
    checked: list[str] = []  # "name", "service_address", "phone_last4"
    passed: bool
    created_at: dt.datetime
    expires_at: dt.datetime


class Person(WireModel):
    id: int
    name: str


class Note(WireModel):
    """A call's wrap-up: what it was about and how it ended."""

    id: int
    account_id: int
    body: str
    disposition: str  # "paid", "promised_to_pay", "question_answered", "dispute" or "other"
    created_by: Person | None = None
    created_at: dt.datetime


class Actor(WireModel):
    id: int
    name: str
    role: str


class AuditEntry(WireModel):
    """One audited action: the real time, the business date (the backend's clock) and who did it."""

    id: int
    at: dt.datetime
    business_date: dt.date | None = None
    actor: Actor | None = None
    action: str
    detail: dict[str, Any] = {}


class Notice(WireModel):
    """A return, a failed or skipped autopay or scheduled run, said in words by the server."""

    id: int
    kind: str
    message: str
    created_on: dt.date
    seen: bool = False
