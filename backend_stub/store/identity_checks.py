"""Identity checks: a clerk's record of checking a caller against an account (what was checked, passed or
not), each valid for a while after it was made."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, RowMapping, select

from backend_stub.store.tables import identity_checks


def create(
    conn: Connection,
    *,
    account_id: int,
    clerk_id: int,
    checked: Sequence[str],
    passed: bool,
    now: datetime,
    expires_at: datetime,
) -> RowMapping:
    check_id = conn.execute(
        identity_checks.insert().values(
            account_id=account_id,
            clerk_id=clerk_id,
            checked=json.dumps(list(checked)),
            passed=passed,
            created_at=now,
            expires_at=expires_at,
        )
    ).inserted_primary_key[0]
    return conn.execute(select(identity_checks).where(identity_checks.c.id == check_id)).mappings().one()


def live(
    conn: Connection, account_id: int, clerk_id: int, now: datetime, check_id: int | None = None
) -> RowMapping | None:
    """The clerk's newest passed check on the account that has not expired (with `check_id`: that one)."""
    query = select(identity_checks).where(
        identity_checks.c.account_id == account_id,
        identity_checks.c.clerk_id == clerk_id,
        identity_checks.c.passed.is_(True),
        identity_checks.c.expires_at > now,
    )
    if check_id is not None:
        query = query.where(identity_checks.c.id == check_id)
    return conn.execute(query.order_by(identity_checks.c.id.desc()).limit(1)).mappings().first()
