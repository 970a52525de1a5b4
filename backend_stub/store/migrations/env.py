"""Alembic environment: always handed a live connection by backend_stub.store.migrate."""

from __future__ import annotations

import warnings

from alembic import context
from sqlalchemy.exc import SAWarning

from backend_stub.store.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through backend_stub.store.migrate.upgrade(engine)")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
# On SQLite a batch migration reflects the tables its foreign keys point at (users, accounts), and
# SQLAlchemy cannot reflect their lower(...) indexes. Those tables are only read, never rebuilt, so their
# indexes stay as they are (tests/unit/test_schema_drift proves it); the warning would only alarm.
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based index", SAWarning)
    with context.begin_transaction():
        context.run_migrations()
