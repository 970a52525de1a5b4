"""Guest sessions (one-time payments without registering) and the account lookup that opens them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, RowMapping, func, select, update

from backend_stub.store.tables import accounts, sessions


def find_account(conn: Connection, account_number: str, last_name: str) -> RowMapping | None:
    return (
        conn.execute(
            select(accounts.c.id, accounts.c.first_name, accounts.c.last_name).where(
                accounts.c.account_number == account_number,
                func.lower(accounts.c.last_name) == last_name.lower(),
            )
        )
        .mappings()
        .first()
    )


def create(conn: Connection, account_id: int, token_hash: str, now: datetime, expires_at: datetime) -> None:
    conn.execute(
        sessions.insert().values(
            kind="guest", account_id=account_id, token_hash=token_hash, created_at=now, expires_at=expires_at
        )
    )


def live_session(conn: Connection, token_hash: str, now: datetime) -> RowMapping | None:
    """A live guest session (not expired, revoked or spent)."""
    return (
        conn.execute(
            select(sessions.c.id, sessions.c.account_id, sessions.c.expires_at).where(
                sessions.c.token_hash == token_hash,
                sessions.c.kind == "guest",
                sessions.c.revoked_at.is_(None),
                sessions.c.spent_at.is_(None),
                sessions.c.expires_at > now,
            )
        )
        .mappings()
        .first()
    )


def spend(conn: Connection, session_id: int, now: datetime) -> bool:
    """Claim the session's one payment; False if it was already claimed."""
    result = conn.execute(
        update(sessions)
        .where(sessions.c.id == session_id, sessions.c.spent_at.is_(None))
        .values(spent_at=now)
    )
    return result.rowcount == 1


def unspend(conn: Connection, session_id: int) -> None:
    """The payment did not go through: the guest may try again."""
    conn.execute(update(sessions).where(sessions.c.id == session_id).values(spent_at=None))
