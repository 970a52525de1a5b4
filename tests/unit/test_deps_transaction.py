"""The request's one transaction (backend_stub.deps.Conn) ends before the answer is sent: a clerk's audit row
is committed when the answer arrives, and a commit that fails is answered as an error, never as a 200."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.engine.base import RootTransaction
from sqlalchemy.exc import OperationalError

from backend_stub.app import create_app
from backend_stub.clock import utcnow
from backend_stub.deps import token_hash
from backend_stub.seed import seed
from backend_stub.settings import Settings
from backend_stub.store import auth as auth_store
from backend_stub.store.db import create_db_engine, reading, writing
from backend_stub.store.migrate import upgrade


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'paydesk.db'}")
    upgrade(engine)
    with writing(engine) as conn:
        seed(conn, "demo")
    return engine


def _clerk_client(engine: Engine) -> tuple[TestClient, int]:
    with writing(engine) as conn:
        clerk = auth_store.user_by_email(conn, "clerk@example.com")
        assert clerk is not None
        now = utcnow()
        auth_store.create_session(conn, clerk.id, token_hash("clerk-token"), now, now + timedelta(hours=1))
        account_id = conn.execute(
            text("SELECT id FROM accounts WHERE account_number = '4100012345'")
        ).scalar_one()
    app = create_app(Settings(db_url=str(engine.url)), engine=engine)
    client = TestClient(app, raise_server_exceptions=False, headers={"Authorization": "Bearer clerk-token"})
    return client, account_id


def _views(engine: Engine) -> int:
    with reading(engine) as conn:
        return conn.execute(text("SELECT count(*) FROM audit_log WHERE action = 'account.view'")).scalar_one()


def test_the_clerks_audit_row_is_committed_before_the_answer(engine: Engine) -> None:
    client, account_id = _clerk_client(engine)
    before = _views(engine)
    assert client.get(f"/v1/accounts/{account_id}").status_code == 200
    assert _views(engine) == before + 1


def test_a_failed_commit_is_an_error_answer(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    client, account_id = _clerk_client(engine)
    before = _views(engine)
    real_commit = RootTransaction._do_commit

    def failing_commit(self: RootTransaction) -> None:
        if self.connection.get_execution_options().get("paydesk_immediate"):  # the request's write
            raise OperationalError("COMMIT", {}, Exception("disk I/O error"))
        real_commit(self)

    monkeypatch.setattr(RootTransaction, "_do_commit", failing_commit)
    answer = client.get(f"/v1/accounts/{account_id}")
    monkeypatch.undo()
    assert answer.status_code == 500
    assert answer.json()["error"]["type"] == "server"
    assert _views(engine) == before
