"""Schemathesis over the served OpenAPI document, in-process (ASGI) on a seeded temporary database
(SQLite, and PostgreSQL when reachable), with every check it has and its stateful phase: no 5xx, every
answer conforms to the document (status, headers, content type, schema), a schema-invalid request is
refused, a missing required header is refused, an undeclared method is a 405, and a schema-valid request
is refused only by a rule the document names for that operation.

The one built-in check replaced, not dropped: `positive_data_acceptance` expects a schema-valid request
to get 2xx (or 401, 403, 404, 409, 429). Some schema-valid requests are rightly refused with a 400 (or a
402) by a rule no schema can state: a card number that fails the Luhn check, a routing number with a
bad checksum, a date after the due date, a cursor this server never gave out. The document names those
rules, by error code, in the answer's `x-error-codes` (backend_stub/routes/common.py `errors()`); the
check here (`positive_data_refused_only_by_a_documented_rule`) is the built-in one that also accepts
exactly those codes, and nothing else.

Derandomised and small so it stays fast. The apps are built in fixtures (on copies of the run's migrated
demo database): collecting this module touches no database."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from hypothesis.stateful import run_state_machine_as_test
from schemathesis.core.jsonschema import make_validator
from sqlalchemy import Engine

from backend_stub.app import create_app
from backend_stub.clock import utcnow
from backend_stub.settings import Settings
from backend_stub.store.db import create_db_engine, writing
from backend_stub.store.tables import sessions, users
from tests.support.stub import fresh_postgres_database, postgres_available, sqlite_database

DANA = "dana@example.com"
# The statuses any schema-valid request may get without naming a rule (as the built-in check): who
# you are (401, 403), what exists (404), the state of things (409), how often (429).
ALWAYS_ACCEPTABLE = {401, 403, 404, 409, 429}


def _token(engine: Engine) -> str:
    """A new session token for Dana, written as the sign-in would write it."""
    token = secrets.token_urlsafe(32)
    with writing(engine) as conn:
        dana = conn.execute(users.select().where(users.c.email == DANA)).first()
        now = utcnow()
        conn.execute(
            sessions.insert().values(
                user_id=dana.id,
                token_hash=hashlib.sha256(token.encode()).hexdigest(),
                created_at=now,
                expires_at=now + timedelta(hours=12),
            )
        )
    return token


def _app(db_url: str):  # type: ignore[no-untyped-def]
    """The app on a migrated, demo-seeded database (a copy of the run's template)."""
    engine = create_db_engine(db_url)
    return create_app(Settings(db_url=db_url, dev=True), engine=engine)


@pytest.fixture(scope="module")
def sqlite_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    app = _app(sqlite_database(tmp_path_factory.mktemp("fuzz") / "fuzz.db", "demo"))
    yield app
    app.state.engine.dispose()


@pytest.fixture(scope="module")
def postgres_app() -> Iterator[Any]:
    if not postgres_available():
        pytest.skip("no PostgreSQL at 127.0.0.1:5432")
    with fresh_postgres_database("demo") as url:
        app = _app(url)
        yield app
        app.state.engine.dispose()


@pytest.fixture(scope="module")
def sqlite_api(sqlite_app: Any):  # type: ignore[no-untyped-def]
    return schemathesis.openapi.from_asgi("/openapi.json", sqlite_app)


@pytest.fixture(scope="module")
def postgres_api(postgres_app: Any):  # type: ignore[no-untyped-def]
    return schemathesis.openapi.from_asgi("/openapi.json", postgres_app)


sqlite_schema = schemathesis.pytest.from_fixture("sqlite_api")
postgres_schema = schemathesis.pytest.from_fixture("postgres_api")

FUZZ = settings(
    max_examples=10, derandomize=True, deadline=None, database=None, suppress_health_check=list(HealthCheck)
)
STATEFUL = settings(
    max_examples=40,
    stateful_step_count=8,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure is reported as found
)


def positive_data_refused_only_by_a_documented_rule(ctx: Any, response: Any, case: Any) -> bool | None:
    """The built-in positive_data_acceptance, with the rules the document names: a schema-valid request
    answered 4xx is refused with a status any request may get, or by one of the codes that answer lists
    under `x-error-codes`."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code < 400:
        return None
    if response.status_code >= 500 or response.status_code in ALWAYS_ACCEPTABLE:
        return None  # a 5xx is not_a_server_error's to report
    if not _body_is_schema_valid(case):
        return None  # a stateful step filled a field with a value from an earlier answer that does not fit
    if _holds_integral_float(case.body):
        # JSON Schema counts 1110.0 an integer; the server, as the contract says, takes integers written
        # as integers only (money above all), and the document's descriptions say so: a rule in words.
        return None
    documented = case.operation.definition.raw.get("responses", {}).get(str(response.status_code), {})
    code = json.loads(response.content or b"{}").get("error", {}).get("code")
    rules = documented.get("x-error-codes", [])
    if code not in rules:
        raise AssertionError(
            f"A schema-valid request was refused with {response.status_code} `{code}`, which is not a rule "
            f"this operation documents ({rules or 'none'}): make the schema refuse it, or document the rule."
        )
    return None


def _holds_integral_float(value: Any) -> bool:
    if isinstance(value, float):
        return value.is_integer()
    if isinstance(value, dict):
        return any(_holds_integral_float(v) for v in value.values())
    if isinstance(value, list):
        return any(_holds_integral_float(v) for v in value)
    return False


def _body_is_schema_valid(case: Any) -> bool:
    if case.body is None or not isinstance(case.body, dict | list):
        return True
    declared = case.operation.get_body_for_media_type(case.media_type)
    if declared is None:
        return True
    validator = make_validator(
        declared.optimized_schema, case.operation.schema.adapter.jsonschema_validator_cls
    )
    return validator.is_valid(case.body)


EXCLUDED = [schemathesis.checks.positive_data_acceptance]  # replaced by the check above
EXTRA = [positive_data_refused_only_by_a_documented_rule]


def _headers(case: Any, app: Any, token: str) -> dict[str, str]:
    # Signing out revokes the token it is given: the logout gets a token of its own, so the shared one
    # stays good for every other operation.
    if case.operation.path == "/v1/auth/logout":
        token = _token(app.state.engine)
    return {"Authorization": f"Bearer {token}"}


def _check(case: Any, app: Any, token: str) -> None:
    case.call_and_validate(
        headers=_headers(case, app, token), excluded_checks=EXCLUDED, additional_checks=EXTRA
    )


@pytest.fixture(scope="module")
def sqlite_token(sqlite_app: Any) -> str:
    return _token(sqlite_app.state.engine)


@pytest.fixture(scope="module")
def postgres_token(postgres_app: Any) -> str:
    return _token(postgres_app.state.engine)


@sqlite_schema.parametrize()
@FUZZ
def test_api_conforms_and_never_fails_on_sqlite(case, sqlite_app, sqlite_token) -> None:  # type: ignore[no-untyped-def]
    _check(case, sqlite_app, sqlite_token)


@pytest.mark.postgres
@postgres_schema.parametrize()
@FUZZ
def test_api_conforms_and_never_fails_on_postgres(case, postgres_app, postgres_token) -> None:  # type: ignore[no-untyped-def]
    _check(case, postgres_app, postgres_token)


def _run_stateful(api: Any, app: Any, token: str) -> None:
    """Sequences of calls along the links schemathesis finds between operations (an id one answers, the
    next one takes), every check on every step."""
    base = api.as_state_machine()

    class Machine(base):  # type: ignore[misc, valid-type]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"headers": _headers(case, app, token)}

        def validate_response(
            self, response: Any, case: Any, additional_checks: Any = None, **kwargs: Any
        ) -> None:
            case.validate_response(
                response,
                excluded_checks=EXCLUDED,
                additional_checks=EXTRA,
                transport_kwargs=kwargs or None,
                recorder=getattr(self, "recorder", None),
            )

    run_state_machine_as_test(Machine, settings=STATEFUL)


def test_stateful_sequences_conform_on_sqlite(sqlite_api, sqlite_app, sqlite_token) -> None:  # type: ignore[no-untyped-def]
    _run_stateful(sqlite_api, sqlite_app, sqlite_token)


@pytest.mark.postgres
def test_stateful_sequences_conform_on_postgres(postgres_api, postgres_app, postgres_token) -> None:  # type: ignore[no-untyped-def]
    _run_stateful(postgres_api, postgres_app, postgres_token)
