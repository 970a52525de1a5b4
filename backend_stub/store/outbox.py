"""The outbox: reading it (the dev inbox) and the delivery state mail_delivery moves each message through.

pending -> sending (claimed: a lease with an owner and an expiry) -> sent, or back to pending with a later
next attempt, or failed after the last attempt. Every move is a compare-and-set UPDATE, so on SQLite and
PostgreSQL alike, with any number of processes, one worker at a time holds a message.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, RowMapping, and_, func, or_, select, update

from backend_stub.store.tables import outbox


def for_recipient(
    conn: Connection, to: str, *, limit: int, before_id: int | None
) -> tuple[list[RowMapping], int]:
    to = to.strip().lower()
    total = conn.execute(select(func.count()).select_from(outbox).where(outbox.c.to == to)).scalar_one()
    query = select(outbox).where(outbox.c.to == to)
    if before_id is not None:
        query = query.where(outbox.c.id < before_id)
    rows = list(conn.execute(query.order_by(outbox.c.id.desc()).limit(limit + 1)).mappings())
    return rows, int(total)


def _due(now: datetime):  # type: ignore[no-untyped-def]
    """Waiting for its (next) attempt, or claimed by a worker whose lease ran out (it died)."""
    return or_(
        and_(
            outbox.c.status == "pending",
            or_(outbox.c.next_attempt_at.is_(None), outbox.c.next_attempt_at <= now),
        ),
        and_(outbox.c.status == "sending", outbox.c.claim_expires_at <= now),
    )


def due_ids(conn: Connection, now: datetime, limit: int) -> list[int]:
    query = select(outbox.c.id).where(_due(now)).order_by(outbox.c.id).limit(limit)
    return [int(i) for i in conn.execute(query).scalars()]


def claim(
    conn: Connection, message_id: int, owner: str, now: datetime, lease_until: datetime
) -> RowMapping | None:
    """Take message `message_id` for `owner` if it is still due (counting the attempt); None: not ours."""
    claimed = conn.execute(
        update(outbox)
        .where(outbox.c.id == message_id, _due(now))
        .values(
            status="sending",
            claimed_by=owner,
            claim_expires_at=lease_until,
            attempts=outbox.c.attempts + 1,
        )
    )
    if claimed.rowcount != 1:
        return None
    return conn.execute(select(outbox).where(outbox.c.id == message_id)).mappings().one()


def mark_sent(conn: Connection, message_id: int, now: datetime) -> None:
    """The SMTP server took it (whoever holds the claim now: it went out)."""
    conn.execute(
        update(outbox)
        .where(outbox.c.id == message_id, outbox.c.status != "sent")
        .values(status="sent", delivered_at=now, last_error=None, claimed_by=None, claim_expires_at=None)
    )


def mark_not_sent(
    conn: Connection, message_id: int, owner: str, error: str, retry_at: datetime | None
) -> bool:
    """This attempt failed: retry at `retry_at`, or (None) give up as failed. Only while `owner` holds it."""
    changed = conn.execute(
        update(outbox)
        .where(outbox.c.id == message_id, outbox.c.status == "sending", outbox.c.claimed_by == owner)
        .values(
            status="pending" if retry_at is not None else "failed",
            next_attempt_at=retry_at,
            last_error=error[:300],
            claimed_by=None,
            claim_expires_at=None,
        )
    )
    return changed.rowcount == 1
