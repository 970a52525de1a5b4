"""The per-process delivery thread (`--smtp` only): it runs `deliver_pending` as soon as a transaction
that wrote mail has committed, so a login code goes out at once, not at the next jobs round.

How it is woken: `mail.send` flags the connection (`conn.info`); this module's engine listeners, which
exist only while a `MailDelivery` is started, turn the flag into a wake-up once the transaction has
committed: when the connection goes back to the pool, or begins its next transaction if it is kept
(SQLAlchemy's `commit` event fires before COMMIT, too early for the thread to see the row). A rolled-back
transaction drops the flag. Sending happens in the
thread, never in the request's transaction or on the event loop. Without --smtp there is no listener
and no thread: writing mail costs one dict store.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from sqlalchemy import Connection, Engine, event

from backend_stub.mail import OUTBOX_WRITTEN
from backend_stub.mail_delivery import deliver_pending
from backend_stub.settings import Settings

log = logging.getLogger("backend_stub.mail_delivery")

_COMMITTED = "paydesk_outbox_committed"
SETTLE_SECONDS = 0.005


class MailDelivery:
    """start() / stop() a thread that delivers the outbox whenever mail was committed (and once at start,
    for mail left over from before). `wake()` asks for a round from anywhere, at no cost."""

    def __init__(self, engine: Engine, settings: Settings) -> None:
        self.engine = engine
        self.settings = settings
        self._wake = threading.Event()
        self._stopping = False
        self._thread: threading.Thread | None = None
        self.rounds = 0  # finished delivery rounds (tests wait on it; a gauge for operators)

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stopping = False
        event.listen(self.engine, "commit", _on_commit)
        event.listen(self.engine, "rollback", _on_rollback)
        event.listen(self.engine, "checkin", self._on_checkin)
        event.listen(self.engine, "begin", self._on_begin)
        self._thread = threading.Thread(target=self._run, name="paydesk mail delivery", daemon=True)
        self._thread.start()
        target = self.settings.smtp
        log.info("mail is delivered through %s", target.redacted() if target else "nothing")
        self.wake()

    def stop(self, timeout: float = 10.0) -> None:
        """Ask the thread to finish its round and end. A message it is still sending keeps its claim,
        which expires: the next worker sends it (at least once)."""
        thread, self._thread = self._thread, None
        if thread is None:
            return
        self._stopping = True
        self._wake.set()
        event.remove(self.engine, "begin", self._on_begin)
        event.remove(self.engine, "checkin", self._on_checkin)
        event.remove(self.engine, "rollback", _on_rollback)
        event.remove(self.engine, "commit", _on_commit)
        thread.join(timeout)

    def wake(self) -> None:
        self._wake.set()

    def _on_checkin(self, _dbapi_connection: Any, record: Any) -> None:
        if record is not None and record.info.pop(_COMMITTED, False):
            self._wake.set()

    def _on_begin(self, conn: Connection) -> None:
        if conn.info.pop(_COMMITTED, False):  # the previous transaction on this connection committed mail
            self._wake.set()

    def _run(self) -> None:
        while True:
            self._wake.wait()
            if self._stopping:
                return
            # Let the request that wrote the mail answer first: this thread's Python work would hold
            # the GIL against the event loop (measured: +6 ms on the request without this pause).
            time.sleep(SETTLE_SECONDS)
            self._wake.clear()  # mail committed during the round asks for another round
            try:
                deliver_pending(self.engine, self.settings)
            except Exception:  # the database went away, say: the next wake-up or jobs round retries
                log.exception("mail delivery round failed")
            self.rounds += 1


def _on_commit(conn: Connection) -> None:
    if conn.info.pop(OUTBOX_WRITTEN, False):
        conn.info[_COMMITTED] = True


def _on_rollback(conn: Connection) -> None:
    conn.info.pop(OUTBOX_WRITTEN, None)


def for_settings(settings: Settings, engine: Engine) -> MailDelivery | None:
    """The app's delivery thread (not started), or None without --smtp."""
    return MailDelivery(engine, settings) if settings.smtp_url is not None else None
