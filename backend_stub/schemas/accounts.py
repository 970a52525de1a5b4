"""An account, its settings, its summary, a clerk's search results, Contact us, and autopay."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from backend_stub.schemas.base import MAX_ID, PLAIN_TEXT, Email, Model, UtcDateTime


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
    # Issue 10: a new billing email waiting for the code sent to it (POST .../email/confirm), else null.
    pending_email: str | None
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


# -- autopay --------------------------------------------------------------------------------------
class AutopayFailure(Model):
    on: date
    message: str


class AutopayRequest(Model):
    enabled: bool = Field(strict=True)
    payment_method_id: int | None = Field(default=None, ge=1, le=MAX_ID, strict=True)
