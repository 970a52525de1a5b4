"""POST /v1/accounts/{account_id}/email/confirm: the code sent to the new billing email."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from backend_stub.schemas.base import Model, PlainLine


class EmailConfirm(Model):
    # As the login code: any text, checked against the code (a wrong one is counted as a wrong try).
    code: Annotated[
        PlainLine,
        Field(
            min_length=1,
            max_length=32,
            description="The 6-digit code emailed to the new address (`pending_email`).",
            examples=["123456"],
        ),
    ]
