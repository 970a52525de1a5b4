"""What the migration tests share: alembic run on a database to a given revision (up or down), the way
`store.migrate` runs it. Their empty database is tests/unit/conftest.py's `empty_engine`."""

from __future__ import annotations

from alembic import command
from sqlalchemy import Engine

from backend_stub.store.db import writing
from backend_stub.store.migrate import alembic_config


def migrate(engine: Engine, how: str, revision: str) -> None:
    """`how` is "upgrade" or "downgrade"; `revision` the one to end at."""
    config = alembic_config()
    with writing(engine) as conn:
        config.attributes["connection"] = conn
        getattr(command, how)(config, revision)
