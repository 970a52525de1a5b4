"""POST /v1/accounts/{account_id}/messages: Contact us. Stored, emailed to the business, acknowledged
to the customer, all in one transaction (the outbox is a table, so nothing is half sent)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from sqlalchemy import RowMapping

from backend_stub import mail
from backend_stub.clock import utcnow
from backend_stub.deps import PathId, UserDep, WriteConn, account_access
from backend_stub.errors import invalid
from backend_stub.one_trip import OneTripRoute
from backend_stub.receipts import BUSINESS_PHONE, COMPANY
from backend_stub.routes.common import errors
from backend_stub.schemas import MessageIn, MessageOut
from backend_stub.store import audit
from backend_stub.store import messages as store

router = APIRouter(tags=["accounts"], route_class=OneTripRoute)

SUPPORT_EMAIL = "support@paydesk.example"
# Audited once the message exists (its id is in the row).
MessagedAccount = Annotated[RowMapping, account_access(None, write=True)]
THANKS = "Thanks, we received your message and will reply by email within 2 business days."


@router.post(
    "/v1/accounts/{account_id}/messages",
    operation_id="sendMessage",
    status_code=201,
    response_model=MessageOut,
    responses=errors(400, 401, 404),
    summary="Contact us: send a message to the business",
)
def send_message(
    account_id: PathId, body: MessageIn, user: UserDep, account: MessagedAccount, conn: WriteConn
) -> MessageOut:
    subject, text = body.subject.strip(), body.body.strip()
    if not subject:
        raise invalid("Enter a subject.", "subject")
    if not text:
        raise invalid("Enter your message.", "body")
    row = store.create(conn, account_id, user.id, subject, text, utcnow())
    if user.is_clerk:
        audit.record(conn, user.id, "message.create", account_id, message_id=row["id"])
    number = account["account_number"]
    mail.send(
        conn,
        SUPPORT_EMAIL,
        f"[{number}] {subject}",
        f"From: {user.name} <{user.email}>\nAccount: {number} "
        f"({account['first_name']} {account['last_name']}, {account['email']})\n"
        f"Subject: {subject}\n\n{text}\n",
        kind="contact",
    )
    mail.send(
        conn,
        account["email"],
        f"We received your message: {subject}",
        f'Hello {account["first_name"]},\n\n{THANKS}\n\nYour message about "{subject}" on account '
        f"{number} is with our team. If it is urgent, call {COMPANY} at {BUSINESS_PHONE}.\n",
        kind="contact_ack",
    )
    return MessageOut(
        id=row["id"],
        account_id=account_id,
        subject=subject,
        body=text,
        created_at=row["created_at"],
        created_by=user.id,
        business_phone=BUSINESS_PHONE,
        message=THANKS,
    )
