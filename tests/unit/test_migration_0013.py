"""0013 (the clerk console) on a database that already has audit rows: they get the date of their UTC time
as their business date; new rows get the backend clock's. Down to 0011 and up again works, on SQLite and
PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Engine, text

from backend_stub import clock
from backend_stub.store import audit
from backend_stub.store.db import create_db_engine, reading, writing
from backend_stub.store.migrate import alembic_config, upgrade
from tests.support.stub import fresh_postgres_database, postgres_available


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "postgres":
        if not postgres_available():
            pytest.skip("no PostgreSQL at 127.0.0.1:5432")
        with fresh_postgres_database() as url:
            engine = create_db_engine(url)
            yield engine
            engine.dispose()
    else:
        engine = create_db_engine(f"sqlite:///{tmp_path / 'old.db'}")
        yield engine
        engine.dispose()


def migrate(engine: Engine, how: str, revision: str) -> None:
    config = alembic_config()
    with writing(engine) as conn:
        config.attributes["connection"] = conn
        getattr(command, how)(config, revision)


def test_old_audit_rows_get_the_date_of_their_time(engine: Engine) -> None:
    migrate(engine, "upgrade", "0011")
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
    migrate(engine, "downgrade", "0011")
    with reading(engine) as conn:
        assert conn.execute(text("SELECT count(*) FROM audit_log")).scalar_one() == 2
    upgrade(engine)
