"""The key-value `meta` table (the dev clock's today, the code pepper)."""

from __future__ import annotations

import secrets
from collections.abc import Callable

from sqlalchemy import Connection, bindparam, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from backend_stub.store import fast_rows
from backend_stub.store.tables import meta

_GET = select(meta.c.value).where(meta.c.key == bindparam("key"))  # built once: every request reads today


def get(conn: Connection, key: str) -> str | None:
    row = fast_rows.first(conn, _GET, {"key": key})
    return row["value"] if row else None


def put(conn: Connection, key: str, value: str) -> None:
    if conn.execute(update(meta).where(meta.c.key == key).values(value=value)).rowcount == 0:
        conn.execute(meta.insert().values(key=key, value=value))


def get_or_create(conn: Connection, key: str, make: Callable[[], str]) -> str:
    """The value under `key`, made once: racing writers (other processes too) agree on the first one.

    INSERT ... ON CONFLICT DO NOTHING rather than catching a duplicate-key error, whose message would
    carry the value (a secret, for the peppers) into the log.
    """
    value = get(conn, key)
    if value is not None:
        return value
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    conn.execute(insert(meta).values(key=key, value=make()).on_conflict_do_nothing(index_elements=["key"]))
    value = get(conn, key)
    assert value is not None
    return value


def code_pepper(conn: Connection, configured: str | None) -> str:
    """The pepper of every emailed code's hash (sign-in codes, email change codes): PAYDESK_PEPPER when
    set, else the database's own, made once."""
    if configured:
        return configured
    return get_or_create(conn, "code_pepper", lambda: secrets.token_hex(32))
