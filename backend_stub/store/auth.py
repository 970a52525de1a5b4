"""Users, sessions (hashed bearer tokens) and login codes (hashed, counted, single-use)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, bindparam, func, select, update

from backend_stub.store import fast_rows
from backend_stub.store.tables import sessions, users, verification_codes


@dataclass(frozen=True)
class User:
    id: int
    email: str
    name: str
    role: str
    # A guest (one-time payment session): role "guest", the one account it may see, its session id.
    account_id: int | None = None
    session_id: int | None = None

    @property
    def is_clerk(self) -> bool:
        return self.role == "clerk"

    @property
    def is_guest(self) -> bool:
        return self.role == "guest"


def _user(row) -> User:  # type: ignore[no-untyped-def]
    return User(id=row.id, email=row.email, name=row.name, role=row.role)


def user_by_email(conn: Connection, email: str) -> User | None:
    row = conn.execute(
        select(users.c.id, users.c.email, users.c.name, users.c.role).where(
            func.lower(users.c.email) == email.strip().lower()
        )
    ).first()
    return _user(row) if row else None


# Every request signs in with it: built once (see store.accounts). With the session's id and its last
# activity (0013: the time a clerk's idle session is measured from), in the same query.
_BY_TOKEN_HASH = (
    select(
        users.c.id,
        users.c.email,
        users.c.name,
        users.c.role,
        sessions.c.id.label("session_id"),
        func.coalesce(sessions.c.last_active_at, sessions.c.created_at).label("last_active_at"),
    )
    .join(sessions, sessions.c.user_id == users.c.id)
    .where(
        sessions.c.token_hash == bindparam("token_hash"),
        sessions.c.revoked_at.is_(None),
        sessions.c.expires_at > bindparam("now", type_=sessions.c.expires_at.type),
    )
)


def user_by_token_hash(conn: Connection, token_hash: str, now: datetime) -> User | None:
    found = signed_in(conn, token_hash, now)
    return found[0] if found else None


def signed_in(conn: Connection, token_hash: str, now: datetime) -> tuple[User, int, datetime] | None:
    """The live session's user, the session's id and its last activity (its start, if none yet)."""
    row = fast_rows.first(conn, _BY_TOKEN_HASH, {"token_hash": token_hash, "now": now})  # every request
    if row is None:
        return None
    user = User(id=row["id"], email=row["email"], name=row["name"], role=row["role"])
    return user, row["session_id"], row["last_active_at"]


def touch_session(conn: Connection, session_id: int, now: datetime) -> None:
    conn.execute(update(sessions).where(sessions.c.id == session_id).values(last_active_at=now))


def create_session(
    conn: Connection, user_id: int, token_hash: str, now: datetime, expires_at: datetime
) -> None:
    conn.execute(
        sessions.insert().values(
            user_id=user_id, token_hash=token_hash, created_at=now, expires_at=expires_at
        )
    )


def revoke_session(conn: Connection, token_hash: str, now: datetime) -> None:
    conn.execute(
        update(sessions)
        .where(sessions.c.token_hash == token_hash, sessions.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def create_code(conn: Connection, email: str, code_hash: str, now: datetime, expires_at: datetime) -> None:
    # A new code supersedes the older ones: verify only ever looks at the newest, and these die too.
    # Only the live ones are touched (at most one): an email asked for often does no more work.
    conn.execute(
        update(verification_codes)
        .where(
            verification_codes.c.email == email,
            verification_codes.c.used_at.is_(None),
            verification_codes.c.dead.is_(False),
        )
        .values(dead=True)
    )
    conn.execute(
        verification_codes.insert().values(
            email=email, code_hash=code_hash, created_at=now, expires_at=expires_at, attempts=0, dead=False
        )
    )


def latest_code(conn: Connection, email: str):  # type: ignore[no-untyped-def]
    return conn.execute(
        select(verification_codes)
        .where(verification_codes.c.email == email)
        .order_by(verification_codes.c.id.desc())
        .limit(1)
        .with_for_update()  # concurrent verifies of one code take turns (PostgreSQL; SQLite is serial)
    ).first()


def record_wrong_code(conn: Connection, code_id: int, max_attempts: int) -> bool:
    """Count a wrong try; returns True when this try killed the code."""
    attempts = conn.execute(
        update(verification_codes)
        .where(verification_codes.c.id == code_id)
        .values(attempts=verification_codes.c.attempts + 1)
        .returning(verification_codes.c.attempts)
    ).scalar_one()
    if attempts >= max_attempts:
        conn.execute(update(verification_codes).where(verification_codes.c.id == code_id).values(dead=True))
        return True
    return False


def use_code(conn: Connection, code_id: int, now: datetime) -> bool:
    """Mark the code used; False if another request used it first."""
    result = conn.execute(
        update(verification_codes)
        .where(verification_codes.c.id == code_id, verification_codes.c.used_at.is_(None))
        .values(used_at=now)
    )
    return result.rowcount == 1
