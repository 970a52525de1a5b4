"""Passwords: set-password tokens, password hashes, the request log for rate limits, users made at sign-up."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, RowMapping, func, or_, select, update

from backend_stub.store.auth import User
from backend_stub.store.tables import (
    accounts,
    auth_requests,
    password_tokens,
    sessions,
    user_accounts,
    users,
)


def requests_since(conn: Connection, kind: str, key: str, since: datetime) -> list[datetime]:
    """When `key` made `kind` requests since `since`, oldest first."""
    return list(
        conn.execute(
            select(auth_requests.c.at)
            .where(auth_requests.c.kind == kind, auth_requests.c.key == key, auth_requests.c.at > since)
            .order_by(auth_requests.c.at)
        ).scalars()
    )


def record_request(conn: Connection, kind: str, key: str, now: datetime) -> None:
    conn.execute(auth_requests.insert().values(kind=kind, key=key, at=now))


def accounts_with_email(conn: Connection, email: str) -> list[RowMapping]:
    return list(
        conn.execute(
            select(accounts.c.id, accounts.c.first_name, accounts.c.last_name)
            .where(func.lower(accounts.c.email) == email)
            .order_by(accounts.c.id)
        ).mappings()
    )


def account_matches(conn: Connection, account_number: str, email: str) -> bool:
    """An account with that number whose email, or a linked user's email, is `email`. One statement
    whatever the answer (a forgotten-password request for a match and for none do the same work)."""
    linked = (
        select(users.c.id)
        .join(user_accounts, user_accounts.c.user_id == users.c.id)
        .where(user_accounts.c.account_id == accounts.c.id, func.lower(users.c.email) == email)
        .exists()
    )
    row = conn.execute(
        select(accounts.c.id)
        .where(
            accounts.c.account_number == account_number,
            or_(func.lower(func.trim(accounts.c.email)) == email, linked),
        )
        .limit(1)
    ).first()
    return row is not None


def login_identity(conn: Connection, email: str) -> tuple[User, str | None] | None:
    """The user with that email and their password hash (None: no password yet), in one statement."""
    row = conn.execute(
        select(users.c.id, users.c.email, users.c.name, users.c.role, users.c.password_hash).where(
            func.lower(users.c.email) == email
        )
    ).first()
    if row is None:
        return None
    return User(id=row.id, email=row.email, name=row.name, role=row.role), row.password_hash


def create_customer(conn: Connection, email: str, name: str, account_ids: list[int], now: datetime) -> int:
    user_id = conn.execute(
        users.insert().values(email=email, name=name, role="customer", created_at=now)
    ).inserted_primary_key[0]
    for account_id in account_ids:
        conn.execute(user_accounts.insert().values(user_id=user_id, account_id=account_id))
    return int(user_id)


def issue_token(
    conn: Connection, user_id: int, token_hash: str, purpose: str, now: datetime, expires_at: datetime
) -> None:
    # A new link supersedes the older ones: only the newest works.
    conn.execute(
        update(password_tokens)
        .where(password_tokens.c.user_id == user_id, password_tokens.c.used_at.is_(None))
        .values(used_at=now)
    )
    conn.execute(
        password_tokens.insert().values(
            user_id=user_id, token_hash=token_hash, purpose=purpose, created_at=now, expires_at=expires_at
        )
    )


def token(conn: Connection, token_hash: str) -> RowMapping | None:
    return (
        conn.execute(
            select(password_tokens, users.c.email)
            .join(users, users.c.id == password_tokens.c.user_id)
            .where(password_tokens.c.token_hash == token_hash)
            .with_for_update(of=password_tokens)
        )
        .mappings()
        .first()
    )


def use_token(conn: Connection, token_id: int, now: datetime) -> bool:
    result = conn.execute(
        update(password_tokens)
        .where(password_tokens.c.id == token_id, password_tokens.c.used_at.is_(None))
        .values(used_at=now)
    )
    return result.rowcount == 1


def set_password(conn: Connection, user_id: int, password_hash: str, now: datetime) -> None:
    conn.execute(update(users).where(users.c.id == user_id).values(password_hash=password_hash))
    # A new password ends every session of the user (a reset after a stolen password must lock them out).
    conn.execute(
        update(sessions)
        .where(sessions.c.user_id == user_id, sessions.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def password_hash(conn: Connection, user_id: int) -> str | None:
    return conn.execute(select(users.c.password_hash).where(users.c.id == user_id)).scalar_one_or_none()


def rehash(conn: Connection, user_id: int, password_hash: str) -> None:
    conn.execute(update(users).where(users.c.id == user_id).values(password_hash=password_hash))
