"""Schemathesis over the served OpenAPI document, in-process (ASGI) on a seeded temporary database
(SQLite, and PostgreSQL when reachable): no 5xx and every answer conforms to the document.
Derandomised and small so it stays fast. The apps are built in fixtures (on copies of the run's
migrated demo database): collecting this module touches no database."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterator
from datetime import timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from backend_stub.app import create_app
from backend_stub.clock import utcnow
from backend_stub.settings import Settings
from backend_stub.store.db import create_db_engine, writing
from backend_stub.store.tables import sessions, users
from tests.support.stub import fresh_postgres_database, postgres_available, sqlite_database


def _app_and_token(db_url: str):  # type: ignore[no-untyped-def]
    """The app on a migrated, demo-seeded database (a copy of the run's template) and Dana's token."""
    engine = create_db_engine(db_url)
    token = secrets.token_urlsafe(32)
    with writing(engine) as conn:
        dana = conn.execute(users.select().where(users.c.email == "dana@example.com")).first()
        now = utcnow()
        conn.execute(
            sessions.insert().values(
                user_id=dana.id,
                token_hash=hashlib.sha256(token.encode()).hexdigest(),
                created_at=now,
                expires_at=now + timedelta(hours=12),
            )
        )
    return create_app(Settings(db_url=db_url, dev=True), engine=engine), token


@pytest.fixture(scope="module")
def sqlite_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple]:
    app, token = _app_and_token(sqlite_database(tmp_path_factory.mktemp("fuzz") / "fuzz.db", "demo"))
    yield app, token
    app.state.engine.dispose()


@pytest.fixture(scope="module")
def postgres_app() -> Iterator[tuple]:
    if not postgres_available():
        pytest.skip("no PostgreSQL at 127.0.0.1:5432")
    with fresh_postgres_database("demo") as url:
        app, token = _app_and_token(url)
        yield app, token
        app.state.engine.dispose()


@pytest.fixture(scope="module")
def sqlite_api(sqlite_app: tuple):  # type: ignore[no-untyped-def]
    return schemathesis.openapi.from_asgi("/openapi.json", sqlite_app[0])


@pytest.fixture(scope="module")
def postgres_api(postgres_app: tuple):  # type: ignore[no-untyped-def]
    return schemathesis.openapi.from_asgi("/openapi.json", postgres_app[0])


sqlite_schema = schemathesis.pytest.from_fixture("sqlite_api")
postgres_schema = schemathesis.pytest.from_fixture("postgres_api")

FUZZ = settings(
    max_examples=25, derandomize=True, deadline=None, database=None, suppress_health_check=list(HealthCheck)
)


def _check(case, token: str) -> None:  # type: ignore[no-untyped-def]
    # positive_data_acceptance is left out: some schema-valid inputs are rightly refused with a 400
    # that no schema can express (a cursor this server never gave out, a clerk search by number alone).
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"},
        excluded_checks=[schemathesis.checks.positive_data_acceptance],
    )


@sqlite_schema.parametrize()
@FUZZ
def test_api_conforms_and_never_fails_on_sqlite(case, sqlite_app) -> None:  # type: ignore[no-untyped-def]
    _check(case, sqlite_app[1])


@pytest.mark.postgres
@postgres_schema.parametrize()
@FUZZ
def test_api_conforms_and_never_fails_on_postgres(case, postgres_app) -> None:  # type: ignore[no-untyped-def]
    _check(case, postgres_app[1])
