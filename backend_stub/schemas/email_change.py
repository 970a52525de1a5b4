"""POST /v1/accounts/{account_id}/email/confirm: the code sent to the new billing email."""

from __future__ import annotations

from pydantic import Field

from backend_stub.schemas.base import Model


class EmailConfirm(Model):
    code: str = Field(
        min_length=6,
        max_length=6,
        pattern=r"^[0-9]{6}$",
        description="The 6-digit code emailed to the new address (`pending_email`).",
        examples=["123456"],
    )
