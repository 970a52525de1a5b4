"""Delivering the outbox by SMTP (`--smtp URL`): `deliver_pending(engine, settings)`.

Each message is claimed by one worker in a short transaction of its own (a compare-and-set UPDATE with
a lease), sent with `smtplib` outside any transaction, then marked sent, or retried later with backoff,
or failed after the last attempt. At least once: a worker that dies mid-conversation leaves its claim
to expire and the message is sent again, with the same Message-ID, so the duplicate is recognisable.

Called by the per-process delivery thread (mail_worker) right after mail is committed, and by the jobs
for retries. Any number of callers at once, in any number of processes, is safe.
"""

from __future__ import annotations

import functools
import logging
import os
import smtplib
import socket
import ssl
import uuid
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from sqlalchemy import Engine, RowMapping

from backend_stub.clock import utcnow
from backend_stub.settings import Settings
from backend_stub.smtp_url import SmtpTarget
from backend_stub.store import outbox as store
from backend_stub.store.db import reading, writing

log = logging.getLogger("backend_stub.mail_delivery")

# Wait before attempt n+1 after n failed ones: 30 s, 2 min, 10 min, 30 min, 1 h, then every 2 h.
BACKOFF_SECONDS = (30, 120, 600, 1800, 3600, 7200)
# How long a claim holds: well past one message's SMTP conversation (each step times out at 30 s).
LEASE = timedelta(minutes=5)
SMTP_TIMEOUT_SECONDS = 30
# One call sends at most this many (a big backlog goes out over several calls, none holding a claim long).
BATCH = 200


class _ServerUnreachable(Exception):
    """The conversation itself failed (connect, TLS, login, a dropped line): stop this round."""


def backoff(failed_attempts: int) -> timedelta:
    return timedelta(seconds=BACKOFF_SECONDS[min(failed_attempts, len(BACKOFF_SECONDS)) - 1])


def compose(row: RowMapping, settings: Settings) -> EmailMessage:
    """The message as sent: From (the business), To, Subject, Date (when it was written), Message-ID."""
    message = EmailMessage()
    message["From"] = formataddr((settings.business_name, settings.mail_from))
    message["To"] = row["to"]
    message["Subject"] = " ".join(row["subject"].split())  # a header is one line
    message["Date"] = format_datetime(row["sent_at"].replace(tzinfo=UTC))
    message["Message-ID"] = row["message_id"]
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(row["body"])
    return message


def deliver_pending(engine: Engine, settings: Settings, *, now: datetime | None = None) -> int:
    """Send every message that is due (at most BATCH); returns how many the SMTP server took.

    `now` (naive UTC, default the real time) decides what is due: tests pass a later one to reach a
    retry without waiting for its backoff. Does nothing (0) without --smtp.
    """
    target = settings.smtp
    if target is None:
        return 0
    owner = f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    sent = 0
    with _Conversation(target) as smtp:
        while sent < BATCH:
            at = now or utcnow()
            with reading(engine) as conn:
                candidates = store.due_ids(conn, at, BATCH - sent)
            if not candidates:
                break
            progressed = False
            for message_id in candidates:
                at = now or utcnow()
                with writing(engine) as conn:
                    row = store.claim(conn, message_id, owner, at, at + LEASE)
                if row is None:
                    continue  # another worker has it (or just sent it)
                progressed = True
                try:
                    if _attempt(engine, settings, smtp, row, owner, now):
                        sent += 1
                except _ServerUnreachable:
                    return sent  # the rest stay due, for the next round
            if not progressed:
                break
    return sent


def _attempt(
    engine: Engine, settings: Settings, smtp: _Conversation, row: RowMapping, owner: str, now: datetime | None
) -> bool:
    """One SMTP attempt of one claimed message, and its outcome recorded. True: it went out."""
    if row["attempts"] > settings.mail_max_attempts:  # its last claimer died mid-attempt: no more tries
        _not_sent(engine, settings, row, owner, "gave up: the worker sending it stopped", now, final=True)
        return False
    try:
        message = compose(row, settings)
    except (ValueError, TypeError) as exc:  # the same every time: no point retrying
        _not_sent(engine, settings, row, owner, f"cannot be composed: {exc}", now, final=True)
        return False
    try:
        smtp.send(message, settings.mail_from, row["to"])
    except _ServerUnreachable as exc:
        _not_sent(engine, settings, row, owner, str(exc), now)
        raise
    except smtplib.SMTPRecipientsRefused as exc:
        code, text = next(iter(exc.recipients.values()), (0, b""))
        _not_sent(engine, settings, row, owner, _answer(code, text), now)
        return False
    except smtplib.SMTPResponseException as exc:  # sender refused, data refused, ...
        _not_sent(engine, settings, row, owner, _answer(exc.smtp_code, exc.smtp_error), now)
        return False
    except Exception as exc:  # e.g. an address smtplib cannot encode: this message's problem, not the round's
        _not_sent(engine, settings, row, owner, f"{type(exc).__name__}: {exc}", now)
        return False
    with writing(engine) as conn:
        store.mark_sent(conn, row["id"], now or utcnow())
    log.info("mail %s delivered by SMTP (attempt %d)", row["id"], row["attempts"])
    return True


def _not_sent(
    engine: Engine,
    settings: Settings,
    row: RowMapping,
    owner: str,
    error: str,
    now: datetime | None,
    *,
    final: bool = False,
) -> None:
    attempts = row["attempts"]
    give_up = final or attempts >= settings.mail_max_attempts
    retry_at = None if give_up else (now or utcnow()) + backoff(attempts)
    with writing(engine) as conn:
        store.mark_not_sent(conn, row["id"], owner, error, retry_at)
    if give_up:
        log.error("mail %s failed after %d attempts, not retried: %s", row["id"], attempts, error)
    else:
        log.warning(
            "mail %s not delivered (attempt %d), retry at %s: %s", row["id"], attempts, retry_at, error
        )


def _answer(code: int, text: bytes | str) -> str:
    words = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"SMTP {code}: {' '.join(words.split())}"


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """Made once: loading the system's CA certificates costs ~25 ms."""
    return ssl.create_default_context()


class _Conversation:
    """One SMTP connection for a round, opened at the first message (none when nothing is due)."""

    def __init__(self, target: SmtpTarget) -> None:
        self.target = target
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> _Conversation:
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                self._smtp.close()
            self._smtp = None

    def send(self, message: EmailMessage, sender: str, recipient: str) -> None:
        reused = self._smtp is not None
        try:
            self._send_once(message, sender, recipient)
        except _ServerUnreachable:
            if not reused:
                raise
            # A server may close a connection between two messages: once more, on a new one.
            self._send_once(message, sender, recipient)

    def _send_once(self, message: EmailMessage, sender: str, recipient: str) -> None:
        try:
            smtp = self._smtp or self._open()
            smtp.send_message(message, from_addr=sender, to_addrs=[recipient])
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError):
            raise  # this message's problem: the connection is still good for the next
        except smtplib.SMTPResponseException as exc:  # HELO, AUTH, STARTTLS refused
            self._drop()
            raise _ServerUnreachable(
                f"{self._where()} refused: {_answer(exc.smtp_code, exc.smtp_error)}"
            ) from None
        except (smtplib.SMTPException, OSError) as exc:  # refused connection, timeout, TLS, dropped line
            self._drop()
            reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
            raise _ServerUnreachable(f"cannot deliver through {self._where()}: {reason}") from None

    def _open(self) -> smtplib.SMTP:
        t = self.target
        if t.security == "tls":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                t.host, t.port, timeout=SMTP_TIMEOUT_SECONDS, context=_tls_context()
            )
        else:
            smtp = smtplib.SMTP(t.host, t.port, timeout=SMTP_TIMEOUT_SECONDS)
        self._smtp = smtp
        smtp.ehlo()
        if t.security == "starttls":
            smtp.starttls(context=_tls_context())
            smtp.ehlo()
        if t.username:
            smtp.login(t.username, t.password or "")
        return smtp

    def _drop(self) -> None:
        if self._smtp is not None:
            self._smtp.close()
            self._smtp = None

    def _where(self) -> str:
        return f"the SMTP server {self.target.host}:{self.target.port}"
