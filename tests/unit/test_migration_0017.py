"""0017 (the invoice pages' data version) on a database that already has accounts and invoices: every
account gets its version; the triggers raise it on each insert, update and delete of an account's
invoices and on a change of a site they name, never for another account; an account made later has its
version at once, and deleting an account with its invoices takes the row with it; down to 0016 and up
again works, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import Connection, Engine, text

from backend_stub.store.db import reading, writing
from backend_stub.store.migrate import upgrade
from tests.unit.migrating import migrate


@pytest.fixture
def engine(empty_engine: Engine) -> Engine:
    return empty_engine


def _account(conn: Connection, account_id: int) -> None:
    conn.execute(
        text(
            "INSERT INTO accounts (id, account_number, first_name, last_name, email, service_address, "
            "paperless, sms_opt_in, autopay_enabled, credit_cents) "
            "VALUES (:id, :number, 'Dana', 'W', 'dana@example.com', '1 Main St', false, false, false, 0)"
        ),
        {"id": account_id, "number": f"41000{account_id:05d}"},
    )


def _invoice(conn: Connection, invoice_id: int, account_id: int, site_id: int | None = None) -> None:
    conn.execute(
        text(
            "INSERT INTO invoices (id, account_id, number, issued_on, due_on, amount_cents, balance_cents, "
            "pending_cents, state, pay_state, children_count, site_id) VALUES (:id, :a, :n, '2026-11-01', "
            "'2026-11-30', 1000, 1000, 0, 'sent', 'open', 0, :s)"
        ),
        {"id": invoice_id, "a": account_id, "n": f"INV-{invoice_id}", "s": site_id},
    )


def _versions(engine: Engine) -> dict[int, int]:
    with reading(engine) as conn:
        rows = conn.execute(text("SELECT account_id, version FROM invoice_page_versions"))
        return {row.account_id: int(row.version) for row in rows}


def test_accounts_get_their_version_and_the_triggers_raise_only_theirs(engine: Engine) -> None:
    migrate(engine, "upgrade", "0016")
    with writing(engine) as conn:
        _account(conn, 1)
        _account(conn, 2)
        conn.execute(text("INSERT INTO sites (id, account_id, name, address) VALUES (7, 1, 'Shop', '2 Elm')"))
        _invoice(conn, 10, 1, site_id=7)
    upgrade(engine)
    assert _versions(engine) == {1: 1, 2: 1}

    steps = [
        "INSERT INTO invoices (id, account_id, number, issued_on, due_on, amount_cents, balance_cents, "
        "pending_cents, state, pay_state, children_count) VALUES (11, 1, 'INV-11', '2026-11-02', "
        "'2026-12-01', 500, 500, 0, 'sent', 'open', 0)",
        "UPDATE invoices SET balance_cents = 0, pay_state = 'paid' WHERE id = 10",
        "UPDATE sites SET name = 'Shop East' WHERE id = 7",
        "DELETE FROM invoices WHERE id = 11",
    ]
    for number, statement in enumerate(steps, start=2):
        with writing(engine) as conn:
            conn.execute(text(statement))
        assert _versions(engine) == {1: number, 2: 1}, statement

    with writing(engine) as conn:
        _account(conn, 3)  # made later: its version at once
    assert _versions(engine)[3] == 1
    with writing(engine) as conn:
        conn.execute(text("DELETE FROM accounts WHERE id = 1"))  # its invoices and sites go with it
    assert _versions(engine) == {2: 1, 3: 1}


def test_down_to_0016_and_up_again(engine: Engine) -> None:
    upgrade(engine)
    with writing(engine) as conn:
        _account(conn, 1)
        _invoice(conn, 10, 1)
    migrate(engine, "downgrade", "0016")
    with reading(engine) as conn:
        tables = {
            row[0]
            for row in conn.execute(
                text(
                    "SELECT name FROM sqlite_master WHERE type = 'table'"
                    if conn.dialect.name == "sqlite"
                    else "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                )
            )
        }
    assert "invoice_page_versions" not in tables
    with writing(engine) as conn:
        conn.execute(text("UPDATE invoices SET balance_cents = 0, pay_state = 'paid' WHERE id = 10"))
    upgrade(engine)
    assert _versions(engine) == {1: 1}
    with writing(engine) as conn:
        conn.execute(text("UPDATE invoices SET balance_cents = 1000, pay_state = 'open' WHERE id = 10"))
    assert _versions(engine) == {1: 2}
