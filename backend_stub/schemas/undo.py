"""Void and refund: the requests (a reason; a refund's amount) and the refund as answered."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, field_validator

from backend_stub.schemas.base import FilledLine, Model, UtcDateTime

MAX_REASON = 500


def _clean_reason(value: str) -> str:
    text = value.strip()
    if not 1 <= len(text) <= MAX_REASON:
        raise ValueError(f"give a reason of 1 to {MAX_REASON} characters")
    return text


class VoidRequest(Model):
    reason: Annotated[FilledLine, Field(max_length=MAX_REASON, description="Why, in 1 to 500 characters.")]

    @field_validator("reason")
    @classmethod
    def _reason(cls, value: str) -> str:
        return _clean_reason(value)


class RefundRequest(Model):
    amount_cents: Annotated[int, Field(gt=0, le=10**12, strict=True)] | None = Field(
        default=None, description="How much to refund; default all that is left."
    )
    reason: Annotated[FilledLine, Field(max_length=MAX_REASON, description="Why, in 1 to 500 characters.")]

    @field_validator("reason")
    @classmethod
    def _reason(cls, value: str) -> str:
        return _clean_reason(value)


class Actor(Model):
    id: int
    name: str


class Refund(Model):
    id: int
    payment_id: int
    amount_cents: int
    reason: str
    created_by: Actor | None
    created_at: UtcDateTime
