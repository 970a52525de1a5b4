"""The lower(...) indexes (case-blind email and name lookups, one login per email) outlive every SQLite
batch migration, and migrating says nothing about them: SQLAlchemy cannot reflect expression indexes,
so the schema drift test cannot compare them on SQLite, and the migrations' batch steps used to warn."""

from __future__ import annotations

import warnings
from pathlib import Path

from sqlalchemy import text

from backend_stub.store.db import create_db_engine
from backend_stub.store.migrate import upgrade

EXPRESSION_INDEXES = {"ux_users_email_lower", "ix_accounts_email_lower", "ix_accounts_last_name_lower"}


def test_a_fresh_sqlite_database_keeps_its_expression_indexes_without_a_warning(tmp_path: Path) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            upgrade(engine)
        with engine.connect() as conn:
            names = set(conn.scalars(text("SELECT name FROM sqlite_master WHERE type = 'index'")))
    finally:
        engine.dispose()
    assert names >= EXPRESSION_INDEXES
    assert [str(w.message) for w in caught if "expression-based index" in str(w.message)] == []
