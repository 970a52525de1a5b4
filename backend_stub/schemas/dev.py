"""The --dev endpoints: the outbox, the clock, the audit log, a saved method's test behaviour."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from backend_stub.schemas.base import Model, UtcDateTime


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


class MethodBehaviour(Model):
    behaviour: Literal[
        "ok", "generic_decline", "insufficient_funds", "expired_card", "incorrect_cvc", "processing_error"
    ]
