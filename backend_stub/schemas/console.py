"""The clerk console's wire: notes, the audit trail, notices, and the words a clerk reads aloud."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from backend_stub.schemas.base import Model, UtcDateTime, text_rule

NOTE_MAX_CHARS = 2000
Disposition = Literal["paid", "promised_to_pay", "question_answered", "dispute", "other"]
NoticeKind = Literal[
    "bank_payment_returned",
    "autopay_failed",
    "scheduled_payment_failed",
    "autopay_skipped",
    "scheduled_payment_skipped",
    "fees_changed",
]


def _trimmed_note(value: str) -> str:
    text = value.strip()
    if len(text) > NOTE_MAX_CHARS:
        raise ValueError(f"write at most {NOTE_MAX_CHARS} characters")
    return text


# -- notes ----------------------------------------------------------------------------------------
class NoteIn(Model):
    body: Annotated[
        str,
        *text_rule(lines=True, blank=False),  # the text rule (schemas.base): line breaks and tabs allowed
        AfterValidator(_trimmed_note),
        Field(
            examples=["Paid the November bill by card; asked about paperless."],
            json_schema_extra={"maxLength": NOTE_MAX_CHARS},  # counted once trimmed
        ),
    ]
    disposition: Disposition


class Author(Model):
    id: int
    name: str


class Note(Model):
    id: int
    account_id: int
    body: str
    disposition: Disposition
    created_by: Author | None  # None once the clerk's user is deleted
    created_at: UtcDateTime


class NotePage(Model):
    items: list[Note]
    next_cursor: str | None
    total_count: int


# -- audit ----------------------------------------------------------------------------------------
class Actor(Model):
    id: int
    name: str
    role: str


class AuditItem(Model):
    id: int
    at: UtcDateTime
    business_date: date | None  # the backend clock's today when written
    actor: Actor | None
    action: str
    account_id: int | None  # the account acted on (a search, or a clerk's own reads: none)
    detail: dict


class AuditItemPage(Model):
    items: list[AuditItem]
    next_cursor: str | None
    total_count: int


# -- notices --------------------------------------------------------------------------------------
class Notice(Model):
    id: int
    kind: NoticeKind
    message: str
    created_on: date
    seen: bool


class NoticePage(Model):
    items: list[Notice]
    next_cursor: str | None
    total_count: int


# -- words to read aloud --------------------------------------------------------------------------
class Script(Model):
    """What a clerk reads to the customer before "Customer agreed": one paragraph per card part (the
    amount, the fee and whether it is refunded), the NACHA TEL authorization for a bank part. The
    payment names `version` in `authorization.script_version`."""

    version: str
    paragraphs: list[str]
