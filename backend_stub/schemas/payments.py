"""Payments: the request (target, parts, methods), the quote, the payment, saved methods, and
scheduled payments."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field

from backend_stub.schemas.accounts import FeeTerms
from backend_stub.schemas.base import MAX_ID, ErrorDetail, Model, PlainLine, UtcDateTime, omittable
from backend_stub.schemas.console import Script
from backend_stub.schemas.undo import Refund

# -- payments -------------------------------------------------------------------------------------
# Amounts are checked by the billing rules (a quote lists them as problems); the bounds here only keep
# absurd numbers out of the arithmetic and the database.
# Strict: a JSON number with a fraction or an exponent (`1110.0`, `1e3`) is refused, though JSON Schema
# counts 1110.0 an integer; the description says so.
Cents = Annotated[
    int,
    Field(
        ge=-(10**12),
        le=10**12,
        strict=True,
        description="Integer cents, written as a JSON integer (`1110.0` or `1e3` is refused).",
    ),
]
IdIn = Annotated[int, Field(ge=1, le=MAX_ID, strict=True, description="An id, as a JSON integer.")]
ShortText = Annotated[PlainLine, Field(max_length=200)]


class InvoiceChoice(Model):
    invoice_id: IdIn
    amount_cents: Cents | None = None


class InvoicesTarget(Model):
    type: Literal["invoices"]
    invoices: list[InvoiceChoice] = Field(max_length=1000)


class AmountTarget(Model):
    type: Literal["amount"]
    amount_cents: Cents


class BalanceTarget(Model):
    type: Literal["balance"]


PaymentTarget = Annotated[InvoicesTarget | AmountTarget | BalanceTarget, Field(discriminator="type")]


class SavedMethodIn(Model):
    type: Literal["saved"]
    payment_method_id: IdIn


class CardIn(Model):
    """A typed card. The number and CVC live only in memory for this request (repr hides them)."""

    type: Literal["card"]
    number: Annotated[PlainLine, Field(max_length=40, repr=False)]
    exp_month: int = Field(ge=-9999, le=9999, strict=True)
    exp_year: int = Field(ge=-99999, le=99999, strict=True)
    cvc: Annotated[PlainLine, Field(max_length=8, repr=False)]
    name: ShortText | None = None
    postal_code: Annotated[PlainLine, Field(max_length=20)] | None = None
    save: bool = Field(default=False, strict=True)  # `0` or `"yes"` is a client's mistake, not a choice


class BankIn(Model):
    type: Literal["ach"]
    routing_number: Annotated[PlainLine, Field(max_length=20)]
    account_number: Annotated[PlainLine, Field(max_length=40, repr=False)]
    account_type: Literal["checking", "savings"]
    holder_name: ShortText | None = None
    save: bool = Field(default=False, strict=True)


MethodIn = Annotated[SavedMethodIn | CardIn | BankIn, Field(discriminator="type")]
NewMethodIn = Annotated[CardIn | BankIn, Field(discriminator="type")]


class PartIn(Model):
    amount_cents: Cents | None = None
    method: MethodIn


class AuthorizationIn(Model):
    kind: Literal["online", "phone"]
    script_version: ShortText | None = None
    recording_ref: ShortText | None = None
    identity_check_id: IdIn | None = None  # a clerk's: their passed, unexpired check on the account


class QuoteRequest(Model):
    target: PaymentTarget
    parts: list[PartIn] = Field(max_length=20)
    accepted_fees_cents: Cents | None = None
    receipt_email: Annotated[PlainLine, Field(max_length=254)]
    authorization: AuthorizationIn | None = None


class PaymentRequest(QuoteRequest):
    accepted_fees_cents: Cents


class FeeOut(Model):
    kind: Literal["convenience", "surcharge"]
    amount_cents: int
    description: str
    refundable: bool


class MethodOut(Model):
    type: Literal["card", "ach"]
    brand: str | None
    last4: str
    bank_name: str | None
    funding: Literal["credit", "debit", "prepaid"] | None


class QuotePart(Model):
    amount_cents: int
    fee_cents: int
    fees: list[FeeOut]
    method: MethodOut


class AllocationOut(Model):
    """Money on one invoice from one part of the payment (`part_index` into `parts`; card parts pay the
    oldest invoices): an invoice two parts share is listed once for each. `part_index` is null only in a
    quote whose parts could not be planned (see its problems)."""

    invoice_id: int
    number: str
    amount_cents: int
    part_index: int | None = None


class Quote(Model):
    allocations: list[AllocationOut]
    amount_cents: int
    credit_cents: int
    parts: list[QuotePart]
    fees_cents: int
    total_cents: int
    fee_policy: Literal["convenience", "surcharge"]
    problems: list[ErrorDetail]
    script: Script | None = None  # for a clerk: the words to read aloud (schemas.console)


class PaymentPart(QuotePart):
    status: Literal["succeeded", "pending", "returned", "failed", "voided"]
    # The account credit this part's money makes beyond its invoices (card parts pay first, so it is the
    # last parts'): granted when the part succeeds (a card part at once, a bank part when it settles),
    # never for a returned or voided part.
    credit_cents: int = 0


PaymentStatus = Literal[
    "succeeded", "pending", "failed", "returned", "voided", "refunded", "partially_refunded"
]


class Payment(Model):
    id: int
    account_id: int
    confirmation_number: str
    status: PaymentStatus
    amount_cents: int
    credit_cents: int
    fees_cents: int
    total_cents: int
    parts: list[PaymentPart]
    allocations: list[AllocationOut]
    channel: Literal["online", "phone", "autopay", "scheduled", "guest"]
    created_by: int | None
    created_at: UtcDateTime
    created_on: date
    settles_on: date | None
    return_code: str | None
    receipt_email: str | None
    saved_payment_method_ids: list[int] = Field(default_factory=list)
    refunded_cents: int = 0
    refunds: list[Refund] = Field(default_factory=list)
    voided_at: UtcDateTime | None = None
    void_reason: str | None = None


class PaymentPage(Model):
    items: list[Payment]
    next_cursor: str | None
    total_count: int


class PaymentMethod(Model):
    id: int
    account_id: int
    type: Literal["card", "ach"]
    brand: str | None
    last4: str
    exp_month: int | None
    exp_year: int | None
    bank_name: str | None
    funding: Literal["credit", "debit", "prepaid"] | None
    account_type: Literal["checking", "savings"] | None
    is_default: bool
    label: str
    created_at: UtcDateTime
    autopay_fee: FeeTerms | None = None  # what autopay with this method would take on each payment


class PaymentMethodPage(Model):
    items: list[PaymentMethod]
    next_cursor: str | None
    total_count: int


class NewPaymentMethod(Model):
    method: NewMethodIn
    is_default: bool = Field(default=False, strict=True)


class PaymentMethodPatch(Model):
    is_default: Literal[True]


# -- scheduled payments ---------------------------------------------------------------------------
class ScheduledCreate(Model):
    target: PaymentTarget
    method: SavedMethodIn
    pay_on: date
    receipt_email: Annotated[PlainLine, Field(max_length=254)]
    # The fees of the quote the payer saw and accepted (409 fees_changed otherwise); leave it out only
    # when the quote has no fee.
    accepted_fees_cents: Cents | None = None


class ScheduledChange(Model):
    pay_on: date = omittable()
    amount_cents: Cents = omittable()
    method: SavedMethodIn | None = None  # null: keep the method it has
    # Left out, the fees accepted before still hold: a change that prices other fees is 409 fees_changed.
    accepted_fees_cents: Cents | None = None


class ScheduledPayment(Model):
    id: int
    account_id: int
    target: dict
    method: dict | None
    method_label: str | None
    pay_on: date
    amount_cents: int
    fees_cents: int  # accepted when it was scheduled: the run charges these or is skipped
    fees: list[FeeOut]
    total_cents: int
    receipt_email: str
    status: Literal["scheduled", "paid", "failed", "skipped", "cancelled"]
    payment_id: int | None
    failure_message: str | None
    created_at: UtcDateTime
    created_by: int | None


class ScheduledPage(Model):
    items: list[ScheduledPayment]
    next_cursor: str | None
    total_count: int
