"""The clerk console's wire: notes, the audit trail, notices, and the words a clerk reads aloud."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from backend_stub.schemas.base import Model, UtcDateTime

# The free-text rule (no control characters, see PLAIN_TEXT) with one exception a note needs: line breaks.
NOTE_TEXT = r"^[^\x00-\x09\x0b-\x1f]*$"
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


# -- notes ----------------------------------------------------------------------------------------
class NoteIn(Model):
    body: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=NOTE_MAX_CHARS, pattern=NOTE_TEXT),
        Field(examples=["Paid the November bill by card; asked about paperless."]),
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
