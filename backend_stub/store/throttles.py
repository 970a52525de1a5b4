"""The throttles' rows in `auth_requests(kind, key, at)`: counted over a window, written in the request's
transaction, removed a day later by the clean-up (store/cleanup.py). Also the decoys: the rows an
unknown email's request writes where a known one writes its code, link or email (routes/auth.py,
routes/passwords.py), so both do the same work; nothing ever reads or delivers them."""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import Connection, and_, func, or_, select, update

from backend_stub.store.tables import auth_requests

log = logging.getLogger("backend_stub.mail")

CEILING = "ceiling"  # kind of the rows the overall ceiling counts, one per request of a flow (key: the flow)
DECOY_TOKEN, DECOY_SUPERSEDED, DECOY_MAIL = "decoy", "decoy_used", "decoy_mail"


def _lock_id(text: str) -> int:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big", signed=True)


def lock_keys(conn: Connection, keys: Iterable[tuple[str, str]]) -> None:
    """Serialise the requests that count on these (kind, key)s until the transaction ends, so two at once
    cannot both pass a count of one less than the limit. SQLite needs nothing: its write transactions
    BEGIN IMMEDIATE, one at a time. PostgreSQL takes transaction-scoped advisory locks, always in the same
    order (two requests that share two keys never wait for each other in a circle)."""
    if conn.dialect.name != "postgresql":
        return
    for lock_id in sorted({_lock_id(f"{kind}:{key}") for kind, key in keys}):
        conn.execute(select(func.pg_advisory_xact_lock(lock_id)))


def counts_since(
    conn: Connection, keys: Sequence[tuple[str, str]], since: datetime
) -> dict[tuple[str, str], tuple[int, datetime]]:
    """How many rows each (kind, key) has after `since`, and its oldest: one statement for them all."""
    if not keys:
        return {}
    rows = conn.execute(
        select(auth_requests.c.kind, auth_requests.c.key, func.count(), func.min(auth_requests.c.at))
        .where(
            or_(*(and_(auth_requests.c.kind == kind, auth_requests.c.key == key) for kind, key in keys)),
            auth_requests.c.at > since,
        )
        .group_by(auth_requests.c.kind, auth_requests.c.key)
    )
    return {(row[0], row[1]): (int(row[2]), row[3]) for row in rows}


def record(conn: Connection, keys: Sequence[tuple[str, str]], now: datetime) -> None:
    """One row per (kind, key), in one statement."""
    if keys:
        conn.execute(auth_requests.insert(), [{"kind": kind, "key": key, "at": now} for kind, key in keys])


def ceiling_count(conn: Connection, flow: str, since: datetime) -> int:
    return int(
        conn.execute(
            select(func.count()).where(
                auth_requests.c.kind == CEILING, auth_requests.c.key == flow, auth_requests.c.at > since
            )
        ).scalar_one()
    )


def decoy_key(email: str) -> str:
    """The decoys' key for an email: hashed, so the table holds no list of the unknown emails tried."""
    return hashlib.sha256(email.encode()).hexdigest()[:40]


def decoy_token(conn: Connection, key: str, now: datetime) -> None:
    """What issuing a link does (supersede the live one, insert the new), on decoy rows: at most one
    live decoy per key, as at most one live link per user."""
    conn.execute(
        update(auth_requests)
        .where(auth_requests.c.kind == DECOY_TOKEN, auth_requests.c.key == key)
        .values(kind=DECOY_SUPERSEDED)
    )
    conn.execute(auth_requests.insert().values(kind=DECOY_TOKEN, key=key, at=now))


def decoy_mail(conn: Connection, kind: str, now: datetime) -> int:
    """What writing an email to the outbox does (mail.send), on a row nobody delivers: a random key as a
    Message-ID is (an index entry in a random place, like the outbox's), one insert, one log line (never
    an address)."""
    result = conn.execute(auth_requests.insert().values(kind=DECOY_MAIL, key=uuid.uuid4().hex, at=now))
    decoy_id = int(result.inserted_primary_key[0])
    log.info("mail withheld: decoy #%d %s (an address not on file)", decoy_id, kind)
    return decoy_id
