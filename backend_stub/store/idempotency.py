"""Idempotency records: one row per (caller scope, key) with the request's fingerprint, its state
(running | done) and, once done, the answer to replay. Rows older than a day are pruned lazily."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, RowMapping, delete, select, update

from backend_stub.store.tables import idempotency_keys


def find(conn: Connection, scope: str, key: str) -> RowMapping | None:
    query = select(idempotency_keys).where(idempotency_keys.c.scope == scope, idempotency_keys.c.key == key)
    return conn.execute(query).mappings().first()


def insert_running(
    conn: Connection, scope: str, key: str, fingerprint: str, now: datetime, locked_until: datetime
) -> int:
    result = conn.execute(
        idempotency_keys.insert().values(
            scope=scope,
            key=key,
            request_hash=fingerprint,
            status="running",
            created_at=now,
            locked_until=locked_until,
        )
    )
    return int(result.inserted_primary_key[0])


def take_over(conn: Connection, record_id: int, now: datetime, locked_until: datetime) -> None:
    """A running record whose request died (its lock ran out) is run again."""
    conn.execute(
        update(idempotency_keys)
        .where(idempotency_keys.c.id == record_id)
        .values(created_at=now, locked_until=locked_until)
    )


def complete(conn: Connection, record_id: int, status: int, body: str) -> None:
    conn.execute(
        update(idempotency_keys)
        .where(idempotency_keys.c.id == record_id)
        .values(status="done", response_status=status, response_body=body, locked_until=None)
    )


def release(conn: Connection, record_id: int) -> None:
    conn.execute(delete(idempotency_keys).where(idempotency_keys.c.id == record_id))


def prune(conn: Connection, before: datetime) -> None:
    conn.execute(
        delete(idempotency_keys).where(
            idempotency_keys.c.created_at < before, idempotency_keys.c.status == "done"
        )
    )
