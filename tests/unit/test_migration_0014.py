"""0014 (verified billing email changes) on a database that already has accounts: their emails stay as
they are (emails on file count as verified) and nothing is pending; the table's status rule holds; down
to 0013 and up again works, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError

from backend_stub.store import email_changes
from backend_stub.store.db import reading, writing
from backend_stub.store.migrate import upgrade
from tests.unit.migrating import migrate

NOW = datetime(2026, 12, 2, 6, 0)


@pytest.fixture
def engine(empty_engine: Engine) -> Engine:
    return empty_engine


def _account(engine: Engine) -> None:
    with writing(engine) as conn:
        conn.execute(
            text(
                "INSERT INTO accounts (id, account_number, first_name, last_name, email, service_address, "
                "paperless, sms_opt_in, autopay_enabled, credit_cents) "
                "VALUES (1, '4100012345', 'Dana', 'W', 'dana@example.com', '1 Main St', "
                "false, false, false, 0)"
            )
        )


def test_emails_on_file_stay_and_nothing_is_pending(engine: Engine) -> None:
    migrate(engine, "upgrade", "0013")
    _account(engine)
    upgrade(engine)
    with reading(engine) as conn:
        assert conn.execute(text("SELECT email FROM accounts")).scalar_one() == "dana@example.com"
        assert email_changes.pending_email(conn, 1, NOW) is None
    with writing(engine) as conn:
        email_changes.start(
            conn,
            account_id=1,
            old_email="dana@example.com",
            new_email="eve@example.net",
            code_hash="0" * 64,
            requested_by=None,
            now=NOW,
            expires_at=datetime(2026, 12, 2, 6, 30),
        )
    with reading(engine) as conn:
        assert email_changes.pending_email(conn, 1, NOW) == "eve@example.net"
        assert email_changes.pending_email(conn, 1, datetime(2026, 12, 2, 6, 30)) is None  # expired
    migrate(engine, "downgrade", "0013")
    with reading(engine) as conn:
        assert conn.execute(text("SELECT email FROM accounts")).scalar_one() == "dana@example.com"
    upgrade(engine)


def test_a_change_has_a_known_status(engine: Engine) -> None:
    upgrade(engine)
    _account(engine)
    with pytest.raises(IntegrityError), writing(engine) as conn:
        conn.execute(
            text(
                "INSERT INTO email_changes (account_id, old_email, new_email, code_hash, created_at, "
                "expires_at, attempts, status) VALUES (1, 'a@x.io', 'b@x.io', 'h', :at, :at, 0, 'maybe')"
            ),
            {"at": NOW},
        )
