"""Due jobs run by several processes at once do the work of one run: each settlement, autopay and scheduled
payment once. Four "processes" (each its own engine, owner and processor, as separate servers would be)
run the same days of due jobs at the same moment on one database; the result equals one run's on a copy of
the same database. No transaction is held across a processor call, so they never wait on one another's
processor calls either."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from backend_stub import jobs, owners
from backend_stub.clock import utcnow
from backend_stub.processor import Processor
from backend_stub.settings import Settings
from backend_stub.store.db import create_db_engine, reading, writing
from tests.support.stub import fresh_postgres_database, postgres_available, sqlite_database

TODAY, THROUGH = date(2026, 11, 15), date(2027, 1, 31)  # the demo's today, and past every due date


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def two_databases(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, str]]:
    if request.param == "postgres":
        if not postgres_available():
            pytest.skip("no PostgreSQL at 127.0.0.1:5432: ran on SQLite only")
        with fresh_postgres_database("demo") as one, fresh_postgres_database("demo") as many:
            yield one, many
    else:
        yield sqlite_database(tmp_path / "one.db", "demo"), sqlite_database(tmp_path / "many.db", "demo")


def _schedule_payments(engine: Engine) -> None:
    """Lee schedules two payments of an amount with the saved card for later days, accepting its fee."""
    with writing(engine) as conn:
        account_id, method_id = conn.execute(
            text(
                "SELECT a.id, m.id FROM accounts a JOIN payment_methods m ON m.account_id = a.id "
                "WHERE a.email = 'lee@example.com' AND m.type = 'card' ORDER BY m.id LIMIT 1"
            )
        ).one()
        for pay_on, target in (
            (date(2026, 11, 16), {"type": "amount", "amount_cents": 2500}),
            (date(2026, 11, 26), {"type": "amount", "amount_cents": 1000}),
        ):
            conn.execute(
                text(
                    "INSERT INTO scheduled_payments (account_id, target, method_id, pay_on, amount_cents, "
                    "fees_cents, receipt_email, status, created_at) VALUES (:a, :t, :m, :d, :c, 175, "
                    "'lee@example.com', 'scheduled', :now)"
                ),
                {
                    "a": account_id,
                    "t": json.dumps(target),
                    "m": method_id,
                    "d": pay_on,
                    "c": 0,
                    "now": utcnow(),
                },
            )


def _books(engine: Engine) -> dict:
    """What the jobs leave, comparable across databases (no ids, no times)."""
    queries = {
        "invoices": "SELECT number, balance_cents, pending_cents, pay_state FROM invoices ORDER BY number",
        "credit": "SELECT account_number, credit_cents, autopay_failure FROM accounts "
        "ORDER BY account_number",
        "payments": "SELECT account_id, channel, status, amount_cents, fees_cents, total_cents, "
        "CAST(created_at AS DATE) AS day FROM payments "
        "ORDER BY account_id, channel, created_at, amount_cents",
        "autopay_runs": "SELECT invoice_id, due_on, status FROM autopay_runs ORDER BY invoice_id, due_on",
        "scheduled": "SELECT pay_on, status, failure_message FROM scheduled_payments ORDER BY pay_on",
        "mail": 'SELECT "to", kind, count(*) AS n FROM outbox GROUP BY "to", kind ORDER BY "to", kind',
        "charges": "SELECT state, amount_cents, count(*) AS n FROM processor_charges "
        "GROUP BY state, amount_cents ORDER BY state, amount_cents",
        "intents": "SELECT state, count(*) AS n FROM payment_intents GROUP BY state ORDER BY state",
    }
    with reading(engine) as conn:
        return {name: [tuple(r) for r in conn.execute(text(q))] for name, q in queries.items()}


def _run(engine: Engine) -> None:
    jobs.run_due_jobs(engine, Processor(engine), Settings(db_url=str(engine.url)), TODAY, THROUGH)


def test_four_processes_running_the_same_due_jobs_do_them_once(two_databases: tuple[str, str]) -> None:
    one_url, many_url = two_databases
    engines = [create_db_engine(one_url)] + [create_db_engine(many_url) for _ in range(4)]
    try:
        for engine in engines[:2]:
            _schedule_payments(engine)
        _run(engines[0])
        expected = _books(engines[0])
        assert expected["intents"] and all(state in ("done", "failed") for state, _ in expected["intents"])
        assert any(channel == "autopay" for _, channel, *_ in expected["payments"])
        assert [s for _, s, _ in expected["scheduled"]] == ["paid", "paid"]

        start, errors = threading.Barrier(4), []

        def run(engine: Engine) -> None:
            try:
                start.wait()
                _run(engine)
            except BaseException as exc:  # reported below, with the books
                errors.append(exc)

        threads = [threading.Thread(target=run, args=(e,)) for e in engines[1:]]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        assert not errors, errors
        assert _books(engines[1]) == expected
    finally:
        for engine in engines:
            owner = owners.of(engine)
            owner.stop()
            owners.forget(engine)
            engine.dispose()
