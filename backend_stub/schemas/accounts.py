"""An account, its settings, its summary, a clerk's search results, Contact us, and autopay."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field

from backend_stub.schemas.base import (
    MAX_ID,
    Email,
    FilledLine,
    FilledLines,
    Model,
    PlainLine,
    UtcDateTime,
    omittable,
)


# -- accounts -------------------------------------------------------------------------------------
class FeeTermsIn(Model):
    """Fee terms as the payer accepted them: a method's `autopay_fee`, its words left out (or sent back:
    they are not read)."""

    kind: Literal["convenience", "surcharge"]
    amount_cents: int | None = Field(default=None, ge=0, le=10**9, strict=True)
    basis_points: int | None = Field(default=None, ge=0, le=300, strict=True)


class FeeTerms(Model):
    """The fee autopay takes on each payment with a method: a flat amount (convenience) or basis points
    of the amount (surcharge), and the words that say it."""

    kind: Literal["convenience", "surcharge"]
    amount_cents: int | None
    basis_points: int | None
    description: str


class Autopay(Model):
    enabled: bool
    payment_method_id: int | None
    method_label: str | None
    fee_terms: FeeTerms | None = None  # accepted at enrolment: what each run may take
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

    paperless: bool = omittable(strict=True)
    sms_opt_in: bool = omittable(strict=True)
    phone: Annotated[PlainLine, Field(max_length=64, examples=["(541) 555-0142"])] | None = None
    email: Email = omittable()
    service_address: Annotated[PlainLine, Field(max_length=1000)] = omittable()


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
    subject: Annotated[FilledLine, Field(min_length=1, max_length=200, examples=["Question about my bill"])]
    body: Annotated[
        FilledLines, Field(min_length=1, max_length=5000, examples=["Why is my November bill higher?"])
    ]


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
    # The method's `autopay_fee` as the payer saw and accepted it; required when it has one (409
    # fees_changed otherwise).
    accepted_fee_terms: FeeTermsIn | None = None
