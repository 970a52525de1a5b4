"""Mail that leaves the building: with --smtp (PAYDESK_SMTP_URL) the outbox is delivered to a real SMTP
server on loopback (aiosmtpd), right after the transaction that wrote it commits, once per message, with
retries and backoff when the server is down or refuses, and the same Message-ID on a duplicate after a
sender died mid-conversation. Without --smtp nothing leaves (test_dev covers the inbox)."""

from __future__ import annotations

import os
import re
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, select

from backend_stub import cli
from backend_stub.clock import utcnow
from backend_stub.mail_delivery import LEASE, deliver_pending
from backend_stub.settings import Settings
from backend_stub.store.db import create_db_engine
from backend_stub.store.tables import outbox
from tests.api.conftest import Api
from tests.api.paying import DANA, LEE, SAM, VISA, Payer, body, card, invoices_target
from tests.support.smtp_server import (
    MailCatcher,
    Received,
    free_port,
    self_signed_certificate,
    smtp_server,
)
from tests.support.stub import (
    fresh_postgres_database,
    postgres_available,
    run_stub,
    serve_stub,
    sqlite_database,
    stub_command,
)

CODE_SUBJECT = "Your Paydesk sign-in code"
CVC = "731"


@contextmanager
def database(url: str) -> Iterator[Engine]:
    engine = create_db_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()


def rows(engine: Engine, to: str | None = None) -> list[dict]:
    query = select(outbox).order_by(outbox.c.id)
    if to is not None:
        query = query.where(outbox.c.to == to)
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]


def settings_for(db_url: str, smtp_url: str, **env: str) -> Settings:
    return cli.make_settings(db_url, dev=True, environ={"PAYDESK_SMTP_URL": smtp_url, **env})


def wait_for_row(engine: Engine, what, to: str, timeout: float = 30.0) -> dict:  # type: ignore[no-untyped-def]
    """Poll the outbox until the newest row for `to` satisfies `what` (a deadline, not a pause)."""
    deadline = time.monotonic() + timeout
    while True:
        found = rows(engine, to)
        if found and what(found[-1]):
            return found[-1]
        if time.monotonic() > deadline:
            raise AssertionError(f"the outbox row for {to} never got there: {found[-1:] if found else None}")
        time.sleep(0.02)


def request_code(base_url: str, email: str) -> None:
    response = httpx.post(f"{base_url}/v1/auth/code", json={"email": email}, timeout=10)
    assert response.status_code == 202, response.text


def assert_once_each(engine: Engine, smtp: MailCatcher) -> list[Received]:
    """Every outbox row went out exactly once, as it is in the outbox."""
    deadline = time.monotonic() + 30
    while True:  # arrived, and marked sent (that comes right after the server's 250)
        written = rows(engine)
        if all(r["status"] == "sent" for r in written) or time.monotonic() > deadline:
            break
        time.sleep(0.02)
    assert all(r["status"] == "sent" for r in written), [(r["id"], r["status"]) for r in written]
    received = smtp.messages
    by_id = {m.header("Message-ID"): m for m in received}
    assert len(by_id) == len(received) == len(written), "a message arrived twice"
    for row in written:
        message = by_id[row["message_id"]]
        assert message.rcpt_tos == [row["to"]] and message.header("To") == row["to"]
        assert message.header("Subject") == row["subject"]
        assert message.header("From") == "Paydesk Utilities <billing@paydesk.example>"
        assert message.mail_from == "billing@paydesk.example"
        assert message.header("Date")
        assert message.body.strip() == row["body"].strip()
    return received


def assert_no_card_data(received: list[Received]) -> None:
    for message in received:
        text = message.raw.decode("utf-8", "replace")
        assert VISA not in text and VISA[-8:] not in text
        assert not re.search(rf"\b{CVC}\b", text), message.header("Subject")


def test_a_login_code_and_a_receipt_arrive_once_each(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'mail.db'}"
    with (
        smtp_server() as smtp,
        serve_stub(db_url, tmp_path, extra_env={"PAYDESK_SMTP_URL": smtp.url}) as server,
        database(db_url) as engine,
    ):
        request_code(server.base_url, DANA)
        [code_mail] = smtp.wait_for(lambda got: len(got) == 1, why="the login code")
        assert code_mail.header("Subject") == CODE_SUBJECT and code_mail.rcpt_tos == [DANA]
        code = re.search(r"\b(\d{6})\b", code_mail.body).group(1)  # type: ignore[union-attr]
        verified = httpx.post(
            f"{server.base_url}/v1/auth/code/verify", json={"email": DANA, "code": code}, timeout=10
        )
        assert verified.status_code == 200, "the code that arrived by SMTP signs in"

        api = Api(server)
        payer = Payer(api, DANA)
        invoice = payer.open_invoices()[0]
        payment = payer.paid(body(invoices_target(invoice["id"]), card(VISA, cvc=CVC)))
        receipt = smtp.wait_for(lambda got: any("receipt" in m.header("Subject").lower() for m in got))
        [receipt_mail] = [m for m in receipt if "receipt" in m.header("Subject").lower()]
        assert payment["confirmation_number"] in receipt_mail.body and receipt_mail.rcpt_tos == [DANA]

        received = assert_once_each(engine, smtp)
        assert_no_card_data(received)
        # Nothing is left to send, and the dev inbox still shows every message.
        assert deliver_pending(engine, settings_for(db_url, smtp.url)) == 0
        inbox = api.ok("/v1/dev/outbox", params={"to": DANA})
        assert inbox["total_count"] == len(rows(engine, DANA))
        assert set(inbox["items"][0]) == {"id", "to", "subject", "body", "sent_at", "kind"}
        api.close()


@contextmanager
def shared_database(kind: str, tmp_path: Path) -> Iterator[str]:
    if kind == "postgres":
        if not postgres_available():
            pytest.skip("no PostgreSQL at 127.0.0.1:5432: ran on SQLite only")
        with fresh_postgres_database("demo") as url:
            yield url
    else:
        yield sqlite_database(tmp_path / "shared.db", "demo")


@pytest.mark.subprocess_server
@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_two_servers_on_one_database_deliver_each_message_once(tmp_path: Path, kind: str) -> None:
    with (
        smtp_server() as smtp,
        shared_database(kind, tmp_path) as db_url,
        run_stub(db_url, tmp_path, extra_env={"PAYDESK_SMTP_URL": smtp.url}) as first,  # a process
        serve_stub(db_url, tmp_path, extra_env={"PAYDESK_SMTP_URL": smtp.url}) as second,  # in here
        database(db_url) as engine,
    ):
        # Each server's thread sends what that server wrote; a third worker (this test, as the jobs
        # would) races them for every message.
        settings = settings_for(db_url, smtp.url)
        stop = threading.Event()
        swept: list[int] = []

        def sweep() -> None:
            while not stop.wait(0.01):  # racing, not spinning
                swept.append(deliver_pending(engine, settings))

        sweepers = [threading.Thread(target=sweep) for _ in range(2)]
        for thread in sweepers:
            thread.start()
        try:
            for round_ in range(3):
                for i, email in enumerate((DANA, LEE, SAM)):
                    request_code((first, second)[(round_ + i) % 2].base_url, email)
            api = Api(second)
            payer = Payer(api, DANA)
            payer.paid(body(invoices_target(payer.open_invoices()[0]["id"]), card(VISA, cvc=CVC)))
            api.close()
            received = assert_once_each(engine, smtp)
        finally:
            stop.set()
            for thread in sweepers:
                thread.join()
        assert_no_card_data(received)
        assert sum(1 for m in received if m.header("Subject") == CODE_SUBJECT) >= 9
        assert any("receipt" in m.header("Subject").lower() for m in received)
        assert all(r["attempts"] == 1 for r in rows(engine)), "each message was tried once"


def test_mail_waits_while_the_smtp_server_is_down_and_goes_out_once_it_is_back(tmp_path: Path) -> None:
    port = free_port()  # nothing listens there yet
    smtp_url = f"smtp://127.0.0.1:{port}"
    db_url = sqlite_database(tmp_path / "down.db", "demo")
    with (
        serve_stub(db_url, tmp_path, extra_env={"PAYDESK_SMTP_URL": smtp_url}) as server,
        database(db_url) as engine,
    ):
        request_code(server.base_url, DANA)
        row = wait_for_row(engine, lambda r: r["attempts"] == 1 and r["status"] == "pending", DANA)
        assert "cannot deliver through the SMTP server 127.0.0.1" in row["last_error"]
        assert row["next_attempt_at"] >= utcnow() + timedelta(seconds=20), "backoff: about 30 s"
        settings = settings_for(db_url, smtp_url)
        with smtp_server(port=port) as smtp:
            assert deliver_pending(engine, settings) == 0, "not due before its backoff"
            assert deliver_pending(engine, settings, now=row["next_attempt_at"]) == 1
            [message] = smtp.wait_for(lambda got: len(got) == 1)
            assert message.header("Message-ID") == row["message_id"]
            assert message.header("Subject") == CODE_SUBJECT
            sent = rows(engine, DANA)[-1]
            assert (sent["status"], sent["attempts"], sent["last_error"]) == ("sent", 2, None)
            assert deliver_pending(engine, settings, now=utcnow() + timedelta(days=1)) == 0
            assert len(smtp.messages) == 1


def test_a_refused_message_is_retried_with_backoff_and_failed_after_the_last_attempt(tmp_path: Path) -> None:
    db_url = sqlite_database(tmp_path / "refused.db", "demo")
    with smtp_server() as smtp:
        smtp.refuse = "451 4.3.0 Try again later"
        env = {"PAYDESK_SMTP_URL": smtp.url, "PAYDESK_MAIL_MAX_ATTEMPTS": "3"}
        with serve_stub(db_url, tmp_path, extra_env=env) as server, database(db_url) as engine:
            settings = settings_for(db_url, smtp.url, PAYDESK_MAIL_MAX_ATTEMPTS="3")
            request_code(server.base_url, DANA)
            first = wait_for_row(engine, lambda r: r["attempts"] == 1 and r["status"] == "pending", DANA)
            assert first["last_error"] == "SMTP 451: 4.3.0 Try again later"

            smtp.refuse = "554 5.7.1 Not now"  # a 5xx is retried too (until the last attempt)
            assert deliver_pending(engine, settings, now=first["next_attempt_at"]) == 0
            second = rows(engine, DANA)[-1]
            assert (second["status"], second["attempts"]) == ("pending", 2)
            assert second["last_error"] == "SMTP 554: 5.7.1 Not now"
            wait = second["next_attempt_at"] - first["next_attempt_at"]
            assert timedelta(seconds=110) <= wait <= timedelta(seconds=130), "then 2 minutes"

            smtp.refuse = None
            assert deliver_pending(engine, settings, now=second["next_attempt_at"]) == 1
            [message] = smtp.wait_for(lambda got: len(got) == 1)
            assert message.header("Message-ID") == first["message_id"]

            # Another message refused on every attempt ends `failed`, kept (and shown) in the outbox.
            smtp.refuse = "451 4.3.0 Try again later"
            request_code(server.base_url, LEE)
            row = wait_for_row(engine, lambda r: r["attempts"] == 1 and r["status"] == "pending", LEE)
            later: datetime = row["next_attempt_at"]
            for _ in range(4):
                later += timedelta(hours=3)
                deliver_pending(engine, settings, now=later)
            failed = rows(engine, LEE)[-1]
            assert (failed["status"], failed["attempts"], failed["next_attempt_at"]) == ("failed", 3, None)
            assert failed["last_error"] == "SMTP 451: 4.3.0 Try again later"
            assert smtp.refused == 5  # 2 attempts of the first message, then all 3 of this one
            inbox = httpx.get(f"{server.base_url}/v1/dev/outbox", params={"to": LEE}, timeout=10).json()
            assert inbox["items"][0]["subject"] == CODE_SUBJECT
            assert len(smtp.messages) == 1


@pytest.mark.subprocess_server
def test_a_sender_killed_mid_conversation_sends_again_with_the_same_message_id(tmp_path: Path) -> None:
    db_url = sqlite_database(tmp_path / "killed.db", "demo")
    with smtp_server() as smtp, database(db_url) as engine:
        smtp.hold.set()  # take the data, then answer nothing: the sender waits for its 250
        with run_stub(db_url, tmp_path, extra_env={"PAYDESK_SMTP_URL": smtp.url}) as server:
            request_code(server.base_url, DANA)
            assert smtp.held.wait(30), "the message never reached the SMTP server"
            assert server.process is not None
            server.process.kill()
            server.process.wait(10)
        smtp.hold.clear()
        smtp.release.set()
        row = rows(engine, DANA)[-1]
        assert (row["status"], row["attempts"]) == ("sending", 1), "its claim outlives the dead sender"

        settings = settings_for(db_url, smtp.url)
        assert deliver_pending(engine, settings) == 0, "the lease still holds"
        assert deliver_pending(engine, settings, now=utcnow() + LEASE + timedelta(seconds=1)) == 1
        first, second = smtp.wait_for(lambda got: len(got) == 2)
        assert first.header("Message-ID") == second.header("Message-ID") == row["message_id"]
        assert first.body == second.body
        assert rows(engine, DANA)[-1]["status"] == "sent"


@pytest.mark.subprocess_server
@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_mail_goes_out_over_tls_with_a_login_and_the_password_is_never_logged(
    tmp_path: Path, security: str
) -> None:
    certificate = self_signed_certificate(tmp_path)
    if certificate is None:
        pytest.skip("no openssl tool to make a certificate for the test's SMTP server")
    password = "pw-Zq81-secret"
    db_url = sqlite_database(tmp_path / "tls.db", "demo")
    with smtp_server(security=security, certificate=certificate, login=("mailer", password)) as smtp:
        # The backend trusts the test's certificate as a real one trusts a CA's (the OpenSSL default paths).
        env = {"PAYDESK_SMTP_URL": smtp.url, "SSL_CERT_FILE": str(certificate[0])}
        with run_stub(db_url, tmp_path, extra_env=env) as server:
            request_code(server.base_url, DANA)
            [message] = smtp.wait_for(lambda got: len(got) == 1, why="the code over TLS")
            assert message.header("Subject") == CODE_SUBJECT
            log = server.log_text()
        scheme = {"starttls": "smtp+starttls", "tls": "smtps"}[security]
        assert f"mail is delivered through {scheme}://mailer:***@127.0.0.1:{smtp.port}" in log
        assert password not in log


def test_without_smtp_mail_stays_in_the_outbox(tmp_path: Path) -> None:
    db_url = sqlite_database(tmp_path / "inbox.db", "demo")
    with serve_stub(db_url, tmp_path) as server, database(db_url) as engine:
        request_code(server.base_url, DANA)
        [row] = rows(engine, DANA)
        assert (row["status"], row["attempts"]) == ("pending", 0)
        assert re.fullmatch(r"<[0-9a-f]{32}@paydesk\.example>", row["message_id"])
        settings = cli.make_settings(db_url, dev=True, environ={})
        assert settings.smtp is None and deliver_pending(engine, settings) == 0


@pytest.mark.parametrize(
    "url",
    [
        "smtps://mailer:s3cret-pw@mail.example.com:notaport",
        "ftp://mailer:s3cret-pw@mail.example.com",
        "smtp://:s3cret-pw@mail.example.com",
        "smtp://mailer:s3cret-pw@",
    ],
)
def test_a_bad_smtp_url_is_a_one_line_startup_error_without_the_password(tmp_path: Path, url: str) -> None:
    for args, env in (
        (["--smtp", url], {}),
        ([], {"PAYDESK_SMTP_URL": url}),
    ):
        result = subprocess.run(
            [*stub_command(), "serve", "--port", "0", "--db", str(tmp_path / "bad.db"), *args],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "PAYDESK_DATA_DIR": str(tmp_path), **env},
        )
        assert result.returncode == 1, result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("paydesk-stub: the SMTP URL"), result.stderr
        assert "s3cret" not in result.stderr + result.stdout
