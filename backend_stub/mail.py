"""Outgoing email: every message lands in the `outbox` table (the dev inbox reads it), in the caller's
transaction. With --smtp, mail_delivery sends it once that transaction has committed.

Each row gets its Message-ID here, so every SMTP attempt of a message (a retry, or a duplicate after a
worker died mid-conversation) carries the same one. The log gets one line per message, recipient and
subject only: never a body, a code or a card number.
"""

from __future__ import annotations

import logging
import uuid

from sqlalchemy import Connection

from backend_stub.clock import utcnow
from backend_stub.store import fast_rows
from backend_stub.store.db import after_commit, insert_returning_id
from backend_stub.store.tables import outbox

log = logging.getLogger("backend_stub.mail")

MESSAGE_ID_DOMAIN = "paydesk.example"
# Set on the connection by `send`; mail_delivery's engine listeners (only with --smtp) turn it into a
# wake-up once the transaction commits. Without --smtp nothing reads it: writing mail costs one dict store.
OUTBOX_WRITTEN = "paydesk_outbox_written"


def new_message_id() -> str:
    return f"<{uuid.uuid4().hex}@{MESSAGE_ID_DOMAIN}>"


def send(conn: Connection, to: str, subject: str, body: str, kind: str) -> int:
    """Queue an email in the caller's transaction; returns its outbox id."""
    result = conn.execute(outbox.insert().values(**_row(to, subject, body, kind)))
    return _queued(conn, int(result.inserted_primary_key[0]), kind)


# The same row through a constant statement (store/fast_rows.py): `send`'s `insert().values(...)` is
# built, keyed and looked up in SQLAlchemy's cache on every call, a quarter of a payment's own work.
_INSERT = insert_returning_id(
    outbox, "to", "subject", "body", "kind", "sent_at", "message_id", "status", "attempts", "next_attempt_at"
)


def send_constant(conn: Connection, to: str, subject: str, body: str, kind: str) -> int:
    """`send` for a hot path (a payment's receipt): the same row, its statement built once. Like every
    fast_rows statement it fires no statement events (`send` does: tests count those)."""
    row = fast_rows.first(conn, _INSERT, _row(to, subject, body, kind))
    assert row is not None
    return _queued(conn, int(row["id"]), kind)


def _row(to: str, subject: str, body: str, kind: str) -> dict[str, object]:
    now = utcnow()
    return {
        "to": to.strip().lower(),
        "subject": subject,
        "body": body,
        "kind": kind,
        "sent_at": now,
        "message_id": new_message_id(),
        "status": "pending",
        "attempts": 0,
        "next_attempt_at": now,
    }


def _queued(conn: Connection, outbox_id: int, kind: str) -> int:
    conn.info[OUTBOX_WRITTEN] = True
    # Never the address: the log is read by more people than the outbox (issue 8: no email in logs).
    # Said once the message is really queued: a payment's record rolled back (a race lost) sends none.
    after_commit(conn, lambda: log.info("mail queued: #%d %s", outbox_id, kind))
    return outbox_id
