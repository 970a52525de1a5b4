"""Idempotency records: one row per (caller scope, key) with the request's fingerprint, its state
(running | done), the owner running it (see owners.py) and, once done, the answer to replay. Rows older
than a day are pruned lazily."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, RowMapping, delete, select, update

from backend_stub.store.tables import idempotency_keys


def find(conn: Connection, scope: str, key: str) -> RowMapping | None:
    query = select(idempotency_keys).where(idempotency_keys.c.scope == scope, idempotency_keys.c.key == key)
    return conn.execute(query).mappings().first()


def one(conn: Connection, record_id: int) -> RowMapping | None:
    return conn.execute(select(idempotency_keys).where(idempotency_keys.c.id == record_id)).mappings().first()


def insert_running(
    conn: Connection, scope: str, key: str, fingerprint: str, now: datetime, owner: str
) -> int:
    result = conn.execute(
        idempotency_keys.insert().values(
            scope=scope, key=key, request_hash=fingerprint, status="running", created_at=now, owner=owner
        )
    )
    return int(result.inserted_primary_key[0])


def insert_done(
    conn: Connection, scope: str, key: str, fingerprint: str, now: datetime, status: int, body: str
) -> int:
    """A record finished at once: a request refused before it claimed its key."""
    result = conn.execute(
        idempotency_keys.insert().values(
            scope=scope,
            key=key,
            request_hash=fingerprint,
            status="done",
            created_at=now,
            response_status=status,
            response_body=body,
        )
    )
    return int(result.inserted_primary_key[0])


def complete(conn: Connection, record_id: int, status: int, body: str) -> None:
    conn.execute(
        update(idempotency_keys)
        .where(idempotency_keys.c.id == record_id)
        .values(status="done", response_status=status, response_body=body)
    )


def release(conn: Connection, record_id: int, owner: str | None = None) -> bool:
    """Forget a running record so its key runs again; with `owner`, only while that owner has it."""
    condition = (idempotency_keys.c.id == record_id) & (idempotency_keys.c.status == "running")
    if owner is not None:
        condition &= idempotency_keys.c.owner == owner
    return conn.execute(delete(idempotency_keys).where(condition)).rowcount == 1


def release_abandoned(conn: Connection, record_id: int, owner: str | None) -> bool:
    """Forget a running record left by `owner` (found dead; None: a record that never had one)."""
    condition = (idempotency_keys.c.id == record_id) & (idempotency_keys.c.status == "running")
    condition &= idempotency_keys.c.owner.is_(None) if owner is None else idempotency_keys.c.owner == owner
    return conn.execute(delete(idempotency_keys).where(condition)).rowcount == 1


def running(conn: Connection) -> list[RowMapping]:
    return list(
        conn.execute(select(idempotency_keys).where(idempotency_keys.c.status == "running")).mappings()
    )


def prune(conn: Connection, before: datetime) -> None:
    conn.execute(
        delete(idempotency_keys).where(
            idempotency_keys.c.created_at < before, idempotency_keys.c.status == "done"
        )
    )
