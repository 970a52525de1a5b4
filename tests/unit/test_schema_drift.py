"""The Alembic migrations build exactly the schema `backend_stub.store.tables` describes.

A database migrated from empty to head is compared with `tables.metadata` by Alembic's autogenerate
(`compare_metadata`: tables, columns, types, nullability, server defaults, indexes, unique and foreign
keys). Any difference is a migration missing or a table definition gone stale. On SQLite, Alembic cannot
reflect expression indexes (`lower(email)`), so those are compared on PostgreSQL alone.
"""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine

from backend_stub.store.migrate import upgrade
from backend_stub.store.tables import metadata

pytestmark = pytest.mark.filterwarnings(
    "ignore:.*expression-based index:UserWarning", "ignore:.*expression-based index"
)


def drift(engine: Engine) -> list:
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "compare_server_default": True}
        )
        return compare_metadata(context, metadata)


def test_the_migrations_build_the_tables_module(empty_engine: Engine) -> None:
    upgrade(empty_engine)
    assert drift(empty_engine) == []


def test_the_comparison_sees_a_missing_table(empty_engine: Engine) -> None:
    """The check above can fail: an unmigrated database lacks every table of the metadata."""
    missing = {diff[1].name for diff in drift(empty_engine) if diff[0] == "add_table"}
    assert missing == set(metadata.tables)
