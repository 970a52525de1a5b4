"""0013 (the clerk console) on a database that already has audit rows: they get the date of their UTC time
as their business date; new rows get the backend clock's. Down to 0012 and up again works, on SQLite and
PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import Engine, text

from backend_stub import clock
from backend_stub.store import audit
from backend_stub.store.db import reading, writing
from backend_stub.store.migrate import upgrade
from tests.unit.migrating import migrate


@pytest.fixture
def engine(empty_engine: Engine) -> Engine:
    return empty_engine


def test_old_audit_rows_get_the_date_of_their_time(engine: Engine) -> None:
    migrate(engine, "upgrade", "0012")
    with writing(engine) as conn:
        conn.execute(
            text("INSERT INTO audit_log (action, detail, at) VALUES ('account.view', '{}', :at)"),
            {"at": datetime(2026, 11, 14, 23, 30, 5, 123456)},
        )
    upgrade(engine)
    with writing(engine) as conn:
        clock.set_today(conn, date(2026, 12, 1))
        conn.execute(
            text(
                "INSERT INTO users (id, email, name, role, created_at) "
                "VALUES (1, 'c@x.io', 'C', 'clerk', :at)"
            ),
            {"at": datetime(2026, 1, 1)},
        )
        audit.record(conn, 1, "note.added", None, note_id=1)
    with reading(engine) as conn:
        rows, total = audit.page(conn, limit=10, before_id=None)
    assert total == 2
    assert [(r["action"], r["business_date"]) for r in rows] == [
        ("note.added", date(2026, 12, 1)),  # an unconfigured engine honours the pinned date
        ("account.view", date(2026, 11, 14)),
    ]
    assert rows[0]["actor_name"] == "C" and rows[1]["actor_name"] is None
    migrate(engine, "downgrade", "0012")
    with reading(engine) as conn:
        assert conn.execute(text("SELECT count(*) FROM audit_log")).scalar_one() == 2
    upgrade(engine)
