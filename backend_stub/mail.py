"""Outgoing email: every message lands in the `outbox` table (the dev inbox reads it).

The log gets one line per message, recipient and subject only: never a body, a code or a card number.
"""

from __future__ import annotations

import logging

from sqlalchemy import Connection

from backend_stub.clock import utcnow
from backend_stub.store.tables import outbox

log = logging.getLogger("backend_stub.mail")


def send(conn: Connection, to: str, subject: str, body: str, kind: str) -> int:
    """Queue an email in the caller's transaction; returns its outbox id."""
    result = conn.execute(
        outbox.insert().values(to=to.strip().lower(), subject=subject, body=body, kind=kind, sent_at=utcnow())
    )
    log.info("mail to %s: %s", to, subject)
    return int(result.inserted_primary_key[0])
