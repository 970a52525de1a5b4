"""The delivery thread is woken by a commit that wrote mail, and only by that: after the COMMIT (when the
connection goes back to the pool or begins its next transaction), never by a rolled-back one."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from backend_stub import mail
from backend_stub.cli import make_settings, prepare_database
from backend_stub.mail_worker import MailDelivery, for_settings
from backend_stub.store.db import writing
from backend_stub.store.tables import outbox
from tests.support.smtp_server import MailCatcher, smtp_server


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = prepare_database(f"sqlite:///{tmp_path / 'mail.db'}", "none")
    yield engine
    engine.dispose()


def statuses(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(select(outbox.c.status).order_by(outbox.c.id)).scalars())


def test_a_committed_message_goes_out_while_its_connection_is_still_in_use(engine: Engine) -> None:
    with smtp_server() as smtp:
        delivery = MailDelivery(
            engine, make_settings(str(engine.url), environ={"PAYDESK_SMTP_URL": smtp.url})
        )
        delivery.start()
        try:
            deadline = time.monotonic() + 30
            while delivery.rounds < 1:  # its first round (mail left from before) is over: only a wake-up
                assert time.monotonic() < deadline  # can start the next
                time.sleep(0.01)
            with engine.connect() as conn:
                rolled_back = conn.begin()
                mail.send(conn, "dana@example.com", "rolled back", "never sent", "test")
                rolled_back.rollback()
                with conn.begin():
                    mail.send(conn, "dana@example.com", "kept", "sent", "test")
                with conn.begin():  # the same connection, still checked out
                    [message] = smtp.wait_for(lambda got: len(got) == 1, why="the committed message")
                    assert message.header("Subject") == "kept"
            wait_until_sent(engine, smtp)
            assert statuses(engine) == ["sent"], "the rolled-back row was never written"
        finally:
            delivery.stop()


def wait_until_sent(engine: Engine, smtp: MailCatcher) -> None:
    deadline = time.monotonic() + 30
    while "sending" in statuses(engine) or "pending" in statuses(engine):
        assert time.monotonic() < deadline, statuses(engine)
        time.sleep(0.02)


def test_no_delivery_without_smtp(engine: Engine) -> None:
    assert for_settings(make_settings(str(engine.url), environ={}), engine) is None


def test_the_log_says_mail_queued_only_for_a_message_whose_transaction_committed(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="backend_stub.mail")
    with pytest.raises(RuntimeError), writing(engine) as conn:  # a payment's record that lost a race
        mail.send_constant(conn, "dana@example.com", "rolled back", "never sent", "receipt")
        raise RuntimeError("refused")
    with writing(engine) as conn:
        kept = mail.send(conn, "dana@example.com", "kept", "sent", "test")
        assert not caplog.records, "said only once committed"
    assert [r.getMessage() for r in caplog.records] == [f"mail queued: #{kept} test"]
    assert statuses(engine) == ["pending"]
