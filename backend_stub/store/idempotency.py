"""Idempotency records: one row per (caller scope, key) with the request's fingerprint, its state
(running | done), the owner running it (see owners.py) and, once done, the answer to replay. Rows older
than a day are pruned lazily."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, RowMapping, bindparam, delete, select, update

from backend_stub.store import fast_rows
from backend_stub.store.db import insert_returning_id
from backend_stub.store.tables import idempotency_keys

# Every payment runs these: built once (see fast_rows).
_FIND = select(idempotency_keys).where(
    idempotency_keys.c.scope == bindparam("scope"), idempotency_keys.c.key == bindparam("key")
)
_INSERT_RUNNING = insert_returning_id(
    idempotency_keys, "scope", "key", "request_hash", "status", "created_at", "owner"
)
_INSERT_DONE = insert_returning_id(
    idempotency_keys,
    "scope",
    "key",
    "request_hash",
    "status",
    "created_at",
    "response_status",
    "response_body",
)
_COMPLETE = (
    update(idempotency_keys)
    .where(idempotency_keys.c.id == bindparam("record_id"))
    .values(status="done", response_status=bindparam("status_"), response_body=bindparam("body"))
)


def find(conn: Connection, scope: str, key: str) -> dict[str, Any] | None:
    return fast_rows.first(conn, _FIND, {"scope": scope, "key": key})


def one(conn: Connection, record_id: int) -> RowMapping | None:
    return conn.execute(select(idempotency_keys).where(idempotency_keys.c.id == record_id)).mappings().first()


def insert_running(
    conn: Connection, scope: str, key: str, fingerprint: str, now: datetime, owner: str
) -> int:
    values = {"scope": scope, "key": key, "request_hash": fingerprint, "status": "running"}
    row = fast_rows.first(conn, _INSERT_RUNNING, {**values, "created_at": now, "owner": owner})
    assert row is not None
    return int(row["id"])


def insert_done(
    conn: Connection, scope: str, key: str, fingerprint: str, now: datetime, status: int, body: str
) -> int:
    """A record finished at once: a request refused before it claimed its key."""
    values = {"scope": scope, "key": key, "request_hash": fingerprint, "status": "done", "created_at": now}
    row = fast_rows.first(conn, _INSERT_DONE, {**values, "response_status": status, "response_body": body})
    assert row is not None
    return int(row["id"])


def complete(conn: Connection, record_id: int, status: int, body: str) -> None:
    fast_rows.execute(conn, _COMPLETE, {"record_id": record_id, "status_": status, "body": body})


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
