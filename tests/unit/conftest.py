"""Fixtures of the unit tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from backend_stub.store.db import create_db_engine
from tests.support.stub import fresh_postgres_database, postgres_available


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty database (no tables), on SQLite and on PostgreSQL when one runs here."""
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
