"""A database made by 0001 (and seeded) upgrades to the payments schema without losing a row."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import text

from backend_stub.seed import seed
from backend_stub.store.db import create_db_engine, reading, writing
from backend_stub.store.migrate import alembic_config, head_revision, upgrade


def test_0001_database_upgrades(tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'old.db'}")
    config = alembic_config()
    with writing(engine) as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0001")
    with writing(engine) as conn:
        assert seed(conn, "demo")
        payments_before = conn.execute(text("SELECT count(*) FROM payments")).scalar_one()
    upgrade(engine)
    with reading(engine) as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == head_revision()
        assert conn.execute(text("SELECT count(*) FROM payments")).scalar_one() == payments_before
        fundings = {
            r[0] for r in conn.execute(text("SELECT funding FROM payment_methods WHERE type = 'card'"))
        }
        assert fundings == {"credit"}
        assert conn.execute(text("SELECT count(*) FROM processor_tokens")).scalar_one() == 0
