"""deliver_pending against a real SMTP server on loopback, without an HTTP server: one connection for a
round, a new one when the server hung up between two messages, and the message as it goes out."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from backend_stub import mail
from backend_stub.cli import make_settings, prepare_database
from backend_stub.mail_delivery import deliver_pending
from backend_stub.store.db import writing
from backend_stub.store.tables import outbox
from tests.support.smtp_server import smtp_server


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = prepare_database(f"sqlite:///{tmp_path / 'mail.db'}", "none")
    yield engine
    engine.dispose()


def test_a_server_that_hangs_up_between_messages_gets_each_once(engine: Engine) -> None:
    with writing(engine) as conn:
        for i in range(3):
            mail.send(conn, f"user{i}@example.com", f"Message {i}", "Hello\nthere\n", "test")
    with smtp_server() as smtp:
        smtp.hang_up_after_each = True
        settings = make_settings(str(engine.url), environ={"PAYDESK_SMTP_URL": smtp.url})
        assert deliver_pending(engine, settings) == 3
        assert [m.header("Subject") for m in smtp.messages] == ["Message 0", "Message 1", "Message 2"]
    with engine.connect() as conn:
        states = conn.execute(select(outbox.c.status, outbox.c.attempts)).all()
    assert [tuple(s) for s in states] == [("sent", 1)] * 3


def test_the_message_names_the_business_and_keeps_the_subject_on_one_line(engine: Engine) -> None:
    with writing(engine) as conn:
        mail.send(conn, "Dana@Example.com", "[1001] Two\r\nlines", "Body ünïcode\n", "contact")
    env = {"PAYDESK_MAIL_FROM": "bills@river.example", "PAYDESK_BUSINESS_NAME": "River Power, Inc."}
    with smtp_server() as smtp:
        settings = make_settings(str(engine.url), environ={"PAYDESK_SMTP_URL": smtp.url, **env})
        assert deliver_pending(engine, settings) == 1
        [message] = smtp.messages
    assert message.mail_from == "bills@river.example" and message.rcpt_tos == ["dana@example.com"]
    assert message.header("From") == '"River Power, Inc." <bills@river.example>'
    assert message.header("Subject") == "[1001] Two lines"
    assert message.header("Auto-Submitted") == "auto-generated"
    assert message.body == "Body ünïcode\n"
