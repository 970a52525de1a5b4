"""Alembic environment: always handed a live connection by backend_stub.store.migrate."""

from __future__ import annotations

from alembic import context

from backend_stub.store.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through backend_stub.store.migrate.upgrade(engine)")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
