"""`invoice_counts` (migration 0011), kept by triggers on `invoices`, always says what counting the invoices
says: after the seeds, and after any change a writer can make (pay_state, a void, a new child, a new
invoice, a move to another account, a deletion, an account deleted with its invoices), on SQLite and
PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, text

from backend_stub.seed import seed
from backend_stub.store import invoices as store
from backend_stub.store.db import create_db_engine, writing
from backend_stub.store.migrate import upgrade
from tests.support.stub import fresh_postgres_database, postgres_available

STATUSES = ("all", "open", "in_progress", "paid")
KINDS = ("all", "single", "multi")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "postgres":
        if not postgres_available():
            pytest.skip("no PostgreSQL at 127.0.0.1:5432: ran on SQLite only")
        with fresh_postgres_database() as url:
            engine = create_db_engine(url)
            upgrade(engine)
            yield engine
            engine.dispose()
    else:
        engine = create_db_engine(f"sqlite:///{tmp_path / 'counts.db'}")
        upgrade(engine)
        yield engine
        engine.dispose()


def assert_counts_exact(conn: Connection) -> None:
    for account_id in conn.execute(text("SELECT id FROM accounts")).scalars():
        for status in STATUSES:
            for kind in KINDS:
                _rows, kept = store.list_page(conn, account_id, status=status, kind=kind, limit=1, after=None)
                counted = store.count_top_level(conn, account_id, status, kind)
                assert kept == counted, (account_id, status, kind)


def test_the_counts_follow_every_change_to_the_invoices(engine: Engine) -> None:
    with writing(engine) as conn:
        seed(conn, "demo")
    with writing(engine) as conn:
        assert_counts_exact(conn)
        assert conn.execute(text("SELECT count(*) FROM invoice_counts")).scalar_one() > 0
        top = conn.execute(
            text(
                "SELECT id, account_id FROM invoices WHERE parent_id IS NULL AND state = 'sent' "
                "AND children_count = 0 ORDER BY id"
            )
        ).all()
        (paid_id, account_id), (void_id, _), (parent_id, _), (moved_id, _), (deleted_id, _) = top[:5]
        other_account = conn.execute(
            text("SELECT id FROM accounts WHERE id <> :a ORDER BY id LIMIT 1"), {"a": account_id}
        ).scalar_one()
        changes = [
            ("UPDATE invoices SET pay_state = 'paid', balance_cents = 0 WHERE id = :id", paid_id),
            ("UPDATE invoices SET pay_state = 'in_progress' WHERE id = :id", paid_id),
            ("UPDATE invoices SET state = 'void' WHERE id = :id", void_id),
            ("UPDATE invoices SET state = 'sent' WHERE id = :id", void_id),
            ("UPDATE invoices SET state = 'void' WHERE id = :id", void_id),
            ("UPDATE invoices SET children_count = 2 WHERE id = :id", parent_id),
            (f"UPDATE invoices SET account_id = {other_account} WHERE id = :id", moved_id),
            ("DELETE FROM line_items WHERE invoice_id = :id", deleted_id),
            ("DELETE FROM allocations WHERE invoice_id = :id", deleted_id),
            ("DELETE FROM invoices WHERE id = :id", deleted_id),
            (
                "INSERT INTO invoices (account_id, number, issued_on, due_on, amount_cents, balance_cents,"
                " pending_cents, state, pay_state, parent_id, site_id, children_count) SELECT account_id,"
                " 'INV-NEW-1', issued_on, due_on, 100, 100, 0, 'sent', 'open', NULL, NULL, 0"
                " FROM invoices WHERE id = :id",
                paid_id,
            ),
        ]
        for statement, invoice_id in changes:
            conn.execute(text(statement), {"id": invoice_id})
            assert_counts_exact(conn)
    with writing(engine) as conn:
        assert_counts_exact(conn)  # committed as they were counted
        conn.execute(text("DELETE FROM accounts WHERE id = :a"), {"a": other_account})
        assert_counts_exact(conn)
        gone = text("SELECT count(*) FROM invoice_counts WHERE account_id = :a")
        assert conn.execute(gone, {"a": other_account}).scalar_one() == 0


def test_the_large_seed_is_counted(engine: Engine) -> None:
    with writing(engine) as conn:
        seed(conn, "large")
    with writing(engine) as conn:
        big = conn.execute(text("SELECT account_id FROM invoices GROUP BY account_id ORDER BY count(*) DESC"))
        account_id = big.scalars().first()
        _rows, total = store.list_page(conn, account_id, status="all", kind="all", limit=1, after=None)
        assert total == 10_000
        assert_counts_exact(conn)
