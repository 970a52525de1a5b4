"""The wire: pydantic models of every request and response (they also make docs/openapi.json)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

# Times go out as UTC ISO 8601 with a Z; the database holds naive UTC.
UtcDateTime = Annotated[
    datetime,
    PlainSerializer(lambda value: value.strftime("%Y-%m-%dT%H:%M:%SZ"), return_type=str, when_used="json"),
]
# No control characters anywhere (PostgreSQL refuses NUL in text; none belongs in these fields).
EMAIL_PATTERN = r"^[^@\s\x00-\x1f]+@[^@\s\x00-\x1f]+\.[^@\s\x00-\x1f]+$"
PLAIN_TEXT = r"^[^\x00-\x1f]*$"
Email = Annotated[
    str, Field(min_length=3, max_length=254, pattern=EMAIL_PATTERN, examples=["dana@example.com"])
]
MAX_ID = 2**31 - 1  # ids are INTEGER columns (int4 on PostgreSQL)
MAX_LIMIT = 200


class Model(BaseModel):
    model_config = ConfigDict(extra="ignore")


# -- errors ---------------------------------------------------------------------------------------
class ErrorDetail(Model):
    type: Literal[
        "invalid_request",
        "authentication",
        "permission",
        "not_found",
        "conflict",
        "rate_limited",
        "payment",
        "server",
    ]
    code: str
    message: str
    param: str | None = None


class ErrorBody(Model):
    error: ErrorDetail


# -- health and login -----------------------------------------------------------------------------
class Health(Model):
    status: Literal["ok"]
    version: str


class CodeRequest(Model):
    email: Email


class CodeSent(Model):
    status: Literal["sent"]
    message: str


class VerifyRequest(Model):
    email: Email
    code: str = Field(min_length=1, max_length=32, pattern=PLAIN_TEXT, examples=["123456"])


class User(Model):
    id: int
    email: str
    name: str
    role: Literal["customer", "clerk"]


class Login(Model):
    token: str
    expires_at: UtcDateTime
    user: User


class AccountRef(Model):
    id: int
    account_number: str
    name: str


class Me(Model):
    user: User
    accounts: list[AccountRef]


# -- accounts -------------------------------------------------------------------------------------
class Autopay(Model):
    enabled: bool
    payment_method_id: int | None
    method_label: str | None
    next_run_on: date | None = None
    next_amount_cents: int | None = None
    last_failure: AutopayFailure | None = None


class Account(Model):
    id: int
    account_number: str
    first_name: str
    last_name: str
    name: str
    email: str
    phone: str | None
    service_address: str
    paperless: bool
    sms_opt_in: bool
    autopay: Autopay


class AccountUpdate(Model):
    """PATCH /v1/accounts/{id}: only the fields sent change; `phone: null` removes the number."""

    paperless: bool | None = Field(default=None, strict=True)
    sms_opt_in: bool | None = Field(default=None, strict=True)
    phone: str | None = Field(default=None, max_length=64, examples=["(541) 555-0142"])
    email: Email | None = None
    service_address: str | None = Field(default=None, max_length=1000)


class Summary(Model):
    balance_due_cents: int
    past_due_cents: int
    credit_cents: int
    in_progress_cents: int
    open_count: int
    past_due_count: int
    next_due_on: date | None
    today: date


# -- invoices -------------------------------------------------------------------------------------
InvoiceStatus = Literal["open", "in_progress", "paid"]


class Site(Model):
    id: int
    name: str
    address: str


class InvoiceRow(Model):
    id: int
    number: str
    issued_on: date
    due_on: date
    amount_cents: int
    balance_cents: int
    status: InvoiceStatus
    past_due: bool
    site: Site | None
    parent_id: int | None
    children_count: int


class InvoicePage(Model):
    items: list[InvoiceRow]
    next_cursor: str | None
    total_count: int


class LineItem(Model):
    description: str
    quantity: int
    unit_cents: int
    amount_cents: int


class AppliedPayment(Model):
    payment_id: int
    confirmation_number: str
    status: Literal["succeeded", "pending", "failed", "returned"]
    amount_cents: int
    method_label: str
    created_at: UtcDateTime


class InvoiceDetail(InvoiceRow):
    account_id: int
    line_items: list[LineItem]
    children: list[InvoiceRow]
    payments: list[AppliedPayment]


# -- clerk ----------------------------------------------------------------------------------------
class ClerkAccount(Model):
    id: int
    account_number: str
    name: str
    first_name: str
    last_name: str
    email: str
    service_address: str


class ClerkAccountPage(Model):
    items: list[ClerkAccount]
    next_cursor: str | None
    total_count: int


# -- dev ------------------------------------------------------------------------------------------
class OutboxItem(Model):
    id: int
    to: str
    subject: str
    body: str
    sent_at: UtcDateTime
    kind: str


class OutboxPage(Model):
    items: list[OutboxItem]
    next_cursor: str | None
    total_count: int


class ClockRequest(Model):
    """Exactly one of the two: days to move forward (0 reads the clock), or the new date."""

    advance_days: int | None = Field(default=None, ge=0, le=3650, strict=True)
    today: date | None = None


class Clock(Model):
    today: date


class AuditEntry(Model):
    id: int
    actor_user_id: int | None
    action: str
    account_id: int | None
    detail: dict
    at: UtcDateTime


class AuditPage(Model):
    items: list[AuditEntry]
    next_cursor: str | None
    total_count: int | None = None


# -- payments -------------------------------------------------------------------------------------
# Amounts are checked by the billing rules (a quote lists them as problems); the bounds here only keep
# absurd numbers out of the arithmetic and the database.
Cents = Annotated[int, Field(ge=-(10**12), le=10**12, strict=True)]
IdIn = Annotated[int, Field(ge=1, le=MAX_ID, strict=True)]
ShortText = Annotated[str, Field(max_length=200, pattern=PLAIN_TEXT)]


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
    number: str = Field(max_length=40, pattern=PLAIN_TEXT, repr=False)
    exp_month: int = Field(ge=-9999, le=9999, strict=True)
    exp_year: int = Field(ge=-99999, le=99999, strict=True)
    cvc: str = Field(max_length=8, pattern=PLAIN_TEXT, repr=False)
    name: ShortText | None = None
    postal_code: Annotated[str, Field(max_length=20, pattern=PLAIN_TEXT)] | None = None
    save: bool = Field(default=False, strict=True)  # `0` or `"yes"` is a client's mistake, not a choice


class BankIn(Model):
    type: Literal["ach"]
    routing_number: str = Field(max_length=20, pattern=PLAIN_TEXT)
    account_number: str = Field(max_length=40, pattern=PLAIN_TEXT, repr=False)
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


class QuoteRequest(Model):
    target: PaymentTarget
    parts: list[PartIn] = Field(max_length=20)
    accepted_fees_cents: Cents | None = None
    receipt_email: Annotated[str, Field(max_length=254, pattern=PLAIN_TEXT)]
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
    invoice_id: int
    number: str
    amount_cents: int


class Quote(Model):
    allocations: list[AllocationOut]
    amount_cents: int
    credit_cents: int
    parts: list[QuotePart]
    fees_cents: int
    total_cents: int
    fee_policy: Literal["convenience", "surcharge"]
    problems: list[ErrorDetail]


class PaymentPart(QuotePart):
    status: Literal["succeeded", "pending", "returned", "failed"]


class Payment(Model):
    id: int
    account_id: int
    confirmation_number: str
    status: Literal["succeeded", "pending", "failed", "returned"]
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


class PaymentMethodPage(Model):
    items: list[PaymentMethod]
    next_cursor: str | None
    total_count: int


class NewPaymentMethod(Model):
    method: NewMethodIn
    is_default: bool = Field(default=False, strict=True)


class PaymentMethodPatch(Model):
    is_default: Literal[True]


# -- contact us -----------------------------------------------------------------------------------
class MessageIn(Model):
    subject: str = Field(
        min_length=1, max_length=200, pattern=PLAIN_TEXT, examples=["Question about my bill"]
    )
    body: str = Field(min_length=1, max_length=5000, examples=["Why is my November bill higher?"])


class MessageOut(Model):
    id: int
    account_id: int
    subject: str
    body: str
    created_at: UtcDateTime
    created_by: int | None
    business_phone: str
    message: str


# -- statement ------------------------------------------------------------------------------------
class StatementEntry(Model):
    date: date
    kind: Literal["invoice", "fee", "payment", "ach_return"]
    description: str
    reference: str
    amount_cents: int
    balance_cents: int


class StatementPage(Model):
    account_id: int
    account_number: str
    from_: date = Field(alias="from", serialization_alias="from")
    to: date
    opening_balance_cents: int
    closing_balance_cents: int
    items: list[StatementEntry]
    next_cursor: str | None
    total_count: int


# -- passwords ------------------------------------------------------------------------------------
class SignupRequest(Model):
    email: Email


class ForgotRequest(Model):
    account_number: str = Field(min_length=1, max_length=32, pattern=PLAIN_TEXT, examples=["4100012345"])
    email: Email


class LinkSent(Model):
    status: Literal["sent"]
    message: str


class PasswordSet(Model):
    token: str = Field(min_length=1, max_length=512, pattern=PLAIN_TEXT)
    password: str = Field(min_length=1, max_length=1024)


class PasswordSetDone(Model):
    status: Literal["password_set"]


class PasswordLogin(Model):
    email: Email
    password: str = Field(min_length=1, max_length=1024)


# -- autopay --------------------------------------------------------------------------------------
class AutopayFailure(Model):
    on: date
    message: str


class AutopayRequest(Model):
    enabled: bool = Field(strict=True)
    payment_method_id: int | None = Field(default=None, ge=1, le=MAX_ID, strict=True)


class MethodBehaviour(Model):
    behaviour: Literal[
        "ok", "generic_decline", "insufficient_funds", "expired_card", "incorrect_cvc", "processing_error"
    ]


# -- scheduled payments ---------------------------------------------------------------------------
class ScheduledCreate(Model):
    target: PaymentTarget
    method: SavedMethodIn
    pay_on: date
    receipt_email: Annotated[str, Field(max_length=254, pattern=PLAIN_TEXT)]


class ScheduledChange(Model):
    pay_on: date | None = None
    amount_cents: Cents | None = None
    method: SavedMethodIn | None = None


class ScheduledPayment(Model):
    id: int
    account_id: int
    target: dict
    method: dict | None
    method_label: str | None
    pay_on: date
    amount_cents: int
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


# -- guest ----------------------------------------------------------------------------------------
class GuestLookup(Model):
    account_number: str = Field(min_length=1, max_length=32, pattern=PLAIN_TEXT, examples=["4100012345"])
    last_name: str = Field(min_length=1, max_length=100, pattern=PLAIN_TEXT, examples=["Whitfield"])


class GuestSession(Model):
    token: str
    account_id: int
    expires_at: UtcDateTime
