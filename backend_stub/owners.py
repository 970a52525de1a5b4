"""Owners: who runs a piece of work that must survive a crash (a running idempotency record, a payment
intent), and whether that owner is still alive.

Each process that may own work has one `Owner` per database: an id, and a lease in `process_leases` that a
daemon heartbeat thread renews every HEARTBEAT while the process lives. Another process treats the owner as
gone once its lease has run out, or at once when the owner ran on this host and its pid is gone (a server
restarted after a crash recovers what the dead one left before it serves). Within its own process, an
owner also knows which of its pieces of work are in flight (`hold`): one it owns but no longer holds (the
thread that ran it gave up) is as good as abandoned, and is recovered as if its owner had died.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine

from backend_stub.clock import utcnow
from backend_stub.store import leases
from backend_stub.store.db import writing

log = logging.getLogger(__name__)

LEASE = timedelta(seconds=10)
HEARTBEAT = timedelta(seconds=2)
FORGET_AFTER = timedelta(hours=1)  # an expired lease is kept this long, then pruned
GIVE_UP_PACE_AFTER = timedelta(minutes=1)  # renewals failing this long are tried every QUIET_PAUSE
QUIET_PAUSE = timedelta(seconds=30)


class Owner:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.host = socket.gethostname()[:255]
        self.pid = os.getpid()
        self.id = f"{self.host[:30]}:{self.pid}:{secrets.token_hex(6)}"
        self._held: set[str] = set()
        self._held_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    # -- the lease -----------------------------------------------------------------------------------
    def start(self) -> Owner:
        """Take the lease (in this thread: the caller knows it holds one) and start the heartbeat."""
        with self._start_lock:
            if self._thread is not None:
                return self
            self._renew()
            self._stop.clear()
            self._thread = threading.Thread(target=self._beat, name=f"lease {self.id}", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop renewing and give the lease back: whatever this owner still holds is recoverable at once."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
        self._thread = None
        try:
            with writing(self.engine) as conn:
                leases.end(conn, self.id)
        except Exception:  # the database is gone already: the lease simply runs out
            log.debug("could not end lease %s", self.id, exc_info=True)

    def _renew(self) -> None:
        now = utcnow()
        with writing(self.engine) as conn:
            leases.renew(conn, self.id, self.host, self.pid, now, now + LEASE)

    def _beat(self) -> None:
        beats, failing_since = 0, None
        pause = HEARTBEAT.total_seconds()
        while not self._stop.wait(pause):
            try:
                self._renew()
            except Exception as exc:  # a busy or restarting database: try again on the next beat
                now = utcnow()
                if failing_since is None:
                    failing_since = now
                    log.warning("lease %s not renewed (%s): retrying", self.id, type(exc).__name__)
                log.debug("lease %s not renewed", self.id, exc_info=True)
                if now - failing_since > GIVE_UP_PACE_AFTER:  # a database gone for good: try less often
                    pause = QUIET_PAUSE.total_seconds()
                continue
            if failing_since is not None:
                log.warning("lease %s renewed again", self.id)
            failing_since, pause = None, HEARTBEAT.total_seconds()
            beats += 1
            if beats % 300 == 0:  # every 10 minutes
                try:
                    with writing(self.engine) as conn:
                        leases.prune(conn, utcnow() - FORGET_AFTER)
                except Exception:
                    log.debug("leases not pruned", exc_info=True)

    # -- work in flight in this process -----------------------------------------------------------------
    def hold(self, name: str) -> None:
        with self._held_lock:
            self._held.add(name)

    def drop(self, name: str) -> None:
        with self._held_lock:
            self._held.discard(name)

    @contextmanager
    def holding(self, name: str) -> Iterator[None]:
        self.hold(name)
        try:
            yield
        finally:
            self.drop(name)

    def holds(self, name: str) -> bool:
        with self._held_lock:
            return name in self._held

    # -- is an owner alive? -----------------------------------------------------------------------------
    def alive(self, conn: Connection, owner: str | None, work: str) -> bool:
        """Whether `owner` (as stored on the row of `work`) is still running it."""
        if owner is None:
            return False
        if owner == self.id:
            return self.holds(work)
        lease = leases.one(conn, owner)
        return lease is not None and _lease_alive(lease, self.host, utcnow())

    def live_owners(self, conn: Connection) -> set[str]:
        """The other owners alive now (this one is judged by what it holds, see `alive`)."""
        now = utcnow()
        return {r["owner"] for r in leases.unexpired(conn, now) if _lease_alive(r, self.host, now)}


def _lease_alive(lease, host: str, now: datetime) -> bool:  # type: ignore[no-untyped-def]
    if lease["expires_at"] <= now:
        return False
    return lease["host"] != host or pid_running(lease["pid"])


def pid_running(pid: int) -> bool:
    """Whether a process with this pid runs on this host (a zombie, dead but not reaped, does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        return True
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[-1].split()[0] != "Z"
    except OSError:  # no /proc (macOS): kill's answer stands
        return True


_OWNERS: weakref.WeakKeyDictionary[Engine, Owner] = weakref.WeakKeyDictionary()
_OWNERS_LOCK = threading.Lock()


def register(owner: Owner) -> Owner:
    """Make `owner` the one `of(owner.engine)` answers (the app's, so its jobs and requests share it)."""
    with _OWNERS_LOCK:
        _OWNERS[owner.engine] = owner
    return owner


def of(engine: Engine) -> Owner:
    """This process's owner on `engine`: the app's, or one started now (a `paydesk-stub jobs` run)."""
    with _OWNERS_LOCK:
        owner = _OWNERS.get(engine)
        if owner is None:
            owner = _OWNERS[engine] = Owner(engine)
    return owner.start()


def forget(engine: Engine) -> None:
    with _OWNERS_LOCK:
        _OWNERS.pop(engine, None)


__all__ = ["HEARTBEAT", "LEASE", "Owner", "of", "pid_running", "register"]
