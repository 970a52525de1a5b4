"""Live-process leases: one row per server process (or jobs run) that may own work, renewed by its
heartbeat. A lease past its expiry belongs to a process that is gone (or stalled so long it must be
treated as gone: the work it owned is fenced off from it by compare-and-set updates)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, RowMapping, delete, select, update

from backend_stub.store.tables import process_leases


def renew(conn: Connection, owner: str, host: str, pid: int, now: datetime, expires_at: datetime) -> None:
    """Extend `owner`'s lease to `expires_at`, making it first if it is missing (pruned, or new)."""
    moved = conn.execute(
        update(process_leases).where(process_leases.c.owner == owner).values(expires_at=expires_at)
    ).rowcount
    if not moved:
        conn.execute(
            process_leases.insert().values(
                owner=owner, host=host, pid=pid, started_at=now, expires_at=expires_at
            )
        )


def end(conn: Connection, owner: str) -> None:
    conn.execute(delete(process_leases).where(process_leases.c.owner == owner))


def one(conn: Connection, owner: str) -> RowMapping | None:
    return conn.execute(select(process_leases).where(process_leases.c.owner == owner)).mappings().first()


def unexpired(conn: Connection, now: datetime) -> list[RowMapping]:
    return list(conn.execute(select(process_leases).where(process_leases.c.expires_at > now)).mappings())


def prune(conn: Connection, before: datetime) -> None:
    """Forget leases that ran out before `before` (their owners' work is recovered by then)."""
    conn.execute(delete(process_leases).where(process_leases.c.expires_at < before))
