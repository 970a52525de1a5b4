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
