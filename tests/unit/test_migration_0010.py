"""0010 (mail delivery) on a database that already has mail: the old rows keep everything the dev inbox
shows, get a Message-ID each, and are not queued for SMTP (failed, with the reason); new mail is pending.
Down again and up again works, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import Engine, text

from backend_stub import mail
from backend_stub.store.db import reading, writing
from backend_stub.store.migrate import upgrade
from tests.unit.migrating import migrate


@pytest.fixture
def engine(empty_engine: Engine) -> Engine:
    return empty_engine


def test_old_mail_is_kept_and_not_queued_for_smtp(engine: Engine) -> None:
    migrate(engine, "upgrade", "0007")
    with writing(engine) as conn:
        for i in range(3):
            conn.execute(
                text('INSERT INTO outbox ("to", subject, body, kind, sent_at) VALUES (:to, :s, :b, :k, :at)'),
                {
                    "to": "dana@example.com",
                    "s": f"old {i}",
                    "b": "body",
                    "k": "login_code",
                    "at": datetime(2026, 11, 1),
                },
            )
    upgrade(engine)
    with writing(engine) as conn:
        mail.send(conn, "dana@example.com", "new", "body", "login_code")
    with reading(engine) as conn:
        found = conn.execute(
            text("SELECT subject, status, attempts, message_id, last_error FROM outbox ORDER BY id")
        ).all()
    assert [r.subject for r in found] == ["old 0", "old 1", "old 2", "new"]
    assert [r.status for r in found] == ["failed", "failed", "failed", "pending"]
    assert all(r.attempts == 0 for r in found)
    assert len({r.message_id for r in found}) == 4
    assert all("before delivery by SMTP" in r.last_error for r in found[:3]) and found[3].last_error is None

    migrate(engine, "downgrade", "0007")
    with reading(engine) as conn:
        assert conn.execute(text("SELECT count(*) FROM outbox")).scalar_one() == 4
    upgrade(engine)
