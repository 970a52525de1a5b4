"""Identity checks: what a clerk checked of the caller, and whether it passed."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from backend_stub.schemas.base import Model, UtcDateTime

CheckedItem = Literal["name", "service_address", "phone_last4"]


class IdentityCheckIn(Model):
    checked: list[CheckedItem] = Field(min_length=1, max_length=3)
    passed: bool = Field(strict=True)

    @field_validator("checked")
    @classmethod
    def _no_repeats(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("name each item checked once")
        return value


class IdentityCheck(Model):
    id: int
    account_id: int
    checked: list[CheckedItem]
    passed: bool
    created_at: UtcDateTime
    expires_at: UtcDateTime
