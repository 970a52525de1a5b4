"""Clean-up of what has stopped mattering: login codes, sessions (tokens), set-password links and the
rate limits' request rows (with the decoys an unknown email's request writes, store/throttles.py) a day
after they ran out; finished idempotency records past their keep; and, past the same keep, the payment
intents of requests that failed without making a payment. An intent that made a payment stays with it
(its void, refund and settlement find the processor's keys there), and so does a job's (its unit key
is the claim that makes the unit run once).

A day of grace, not the moment of expiry: until then a late request still gets its precise answer (this
code expired, this session ended) rather than "no such code". Running idempotency records are left to
recovery, which knows whether their owner is alive.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, Table, delete, or_

from backend_stub.store.tables import (
    auth_requests,
    code_requests,
    idempotency_keys,
    password_tokens,
    payment_intents,
    sessions,
    verification_codes,
)

GRACE = timedelta(days=1)


def expired(conn: Connection, now: datetime, idempotency_keep: timedelta) -> dict[str, int]:
    """Delete what ran out before `now` (less the grace); returns the rows deleted per table."""
    gone = now - GRACE
    statements: list[tuple[Table, object]] = [
        (verification_codes, verification_codes.c.expires_at < gone),
        (code_requests, code_requests.c.at < gone),
        (auth_requests, auth_requests.c.at < gone),
        (
            sessions,
            or_(sessions.c.expires_at < gone, sessions.c.revoked_at < gone),
        ),
        (
            password_tokens,
            or_(password_tokens.c.expires_at < gone, password_tokens.c.used_at < gone),
        ),
        (
            idempotency_keys,
            (idempotency_keys.c.status == "done") & (idempotency_keys.c.created_at < now - idempotency_keep),
        ),
        (
            payment_intents,
            (payment_intents.c.state == "failed")
            & payment_intents.c.payment_id.is_(None)
            & payment_intents.c.unit_key.is_(None)  # a job's claim of its unit of work: kept, so it runs once
            & (payment_intents.c.updated_at < now - idempotency_keep),
        ),
    ]
    return {table.name: conn.execute(delete(table).where(where)).rowcount for table, where in statements}


__all__ = ["GRACE", "expired"]
