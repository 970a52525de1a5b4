"""Billing email changes waiting for their code (0014). Only an account's newest change can be confirmed:
a new request supersedes the older ones, so the newest row tells the whole story."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, RowMapping, bindparam, select, update

from backend_stub.store.tables import email_changes

# Every account read asks it: built once with bound parameters (see store.accounts).
_PENDING_EMAIL = (
    select(email_changes.c.new_email)
    .where(
        email_changes.c.account_id == bindparam("account_id"),
        email_changes.c.status == "pending",
        email_changes.c.expires_at > bindparam("now", type_=email_changes.c.expires_at.type),
    )
    .order_by(email_changes.c.id.desc())
    .limit(1)
)


def pending_email(conn: Connection, account_id: int, now: datetime) -> str | None:
    """The address waiting for its code: a pending change that has not expired (dead or expired: none)."""
    return conn.execute(_PENDING_EMAIL, {"account_id": account_id, "now": now}).scalar_one_or_none()


def latest(conn: Connection, account_id: int) -> RowMapping | None:
    """The account's newest change, locked for the confirm (PostgreSQL; SQLite's writes are serial)."""
    return (
        conn.execute(
            select(email_changes)
            .where(email_changes.c.account_id == account_id)
            .order_by(email_changes.c.id.desc())
            .limit(1)
            .with_for_update()
        )
        .mappings()
        .first()
    )


def start(
    conn: Connection,
    *,
    account_id: int,
    old_email: str,
    new_email: str,
    code_hash: str,
    requested_by: int | None,
    now: datetime,
    expires_at: datetime,
) -> int:
    """A new change; any older one still pending is superseded (its code stops working)."""
    close_pending(conn, account_id, "superseded", now)
    result = conn.execute(
        email_changes.insert().values(
            account_id=account_id,
            old_email=old_email,
            new_email=new_email,
            code_hash=code_hash,
            requested_by=requested_by,
            created_at=now,
            expires_at=expires_at,
            attempts=0,
            status="pending",
        )
    )
    return int(result.inserted_primary_key[0])


def close_pending(conn: Connection, account_id: int, status: str, now: datetime) -> int:
    """Close the account's pending changes as `status` (superseded, cancelled); how many there were."""
    result = conn.execute(
        update(email_changes)
        .where(email_changes.c.account_id == account_id, email_changes.c.status == "pending")
        .values(status=status, closed_at=now)
    )
    return result.rowcount


def record_wrong_code(conn: Connection, change_id: int, max_attempts: int, now: datetime) -> bool:
    """Count a wrong code; True when this one killed the change."""
    attempts = conn.execute(
        update(email_changes)
        .where(email_changes.c.id == change_id)
        .values(attempts=email_changes.c.attempts + 1)
        .returning(email_changes.c.attempts)
    ).scalar_one()
    if attempts >= max_attempts:
        conn.execute(
            update(email_changes).where(email_changes.c.id == change_id).values(status="dead", closed_at=now)
        )
        return True
    return False


def confirm(conn: Connection, change_id: int, now: datetime) -> bool:
    """Mark the change confirmed; False if it was no longer pending (another request got there first)."""
    result = conn.execute(
        update(email_changes)
        .where(email_changes.c.id == change_id, email_changes.c.status == "pending")
        .values(status="confirmed", closed_at=now)
    )
    return result.rowcount == 1
