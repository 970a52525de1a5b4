"""The key-value `meta` table (the dev clock's today, the code pepper)."""

from __future__ import annotations

from sqlalchemy import Connection, select, update

from backend_stub.store.tables import meta


def get(conn: Connection, key: str) -> str | None:
    return conn.execute(select(meta.c.value).where(meta.c.key == key)).scalar_one_or_none()


def put(conn: Connection, key: str, value: str) -> None:
    if conn.execute(update(meta).where(meta.c.key == key).values(value=value)).rowcount == 0:
        conn.execute(meta.insert().values(key=key, value=value))
