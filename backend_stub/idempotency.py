"""Idempotency-Key handling after the IETF draft: claim a key for one request, replay a finished answer,
refuse a key reused with another body (422) or still running (409). A running record names its owner
(owners.py): it answers 409 for as long as that owner lives, and is recovered the moment it does not.

The fingerprint is an HMAC-SHA256 of the canonical request (account and body) under a server secret: a
plain hash of a body that carries a card number could be brute-forced back to the number.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import IntegrityError

from backend_stub.clock import utcnow
from backend_stub.errors import ApiError
from backend_stub.owners import Owner
from backend_stub.settings import Settings
from backend_stub.store import idempotency as store
from backend_stub.store import meta
from backend_stub.store.db import reading, writing


def record_work(record_id: int) -> str:
    """The name a running record is held under by its owner while its request runs."""
    return f"record:{record_id}"


KEEP = timedelta(hours=24)
HEADER = "Idempotency-Key"
# Finished records older than KEEP are deleted by the jobs' clean-up; a claim also prunes them, at most
# this often per process (a DELETE scanning the table on every payment held the write lock for it).
PRUNE_EVERY_SECONDS = 60.0
_last_prune = float("-inf")


@dataclass(frozen=True)
class Claimed:
    record_id: int


@dataclass(frozen=True)
class Replay:
    status: int
    body: str


@dataclass
class RequestKey:
    """A payment request's key, claimed (`record_id` set) by `claim_in` in the write transaction that
    commits the payment's intent: one write for both. Until then the request only reads and plans, and a
    refusal is stored as a finished record by `refused`."""

    scope: str
    key: str
    fingerprint: str
    record_id: int | None = None


class KeyTaken(Exception):
    """Another request with the same key claimed it between this one's check and its claim."""


_SECRET_LOCK = threading.Lock()


def secret_of(engine: Engine, settings: Settings) -> str:
    """The key of the request fingerprints: from PAYDESK_PEPPER, else one random per database."""
    if settings.pepper:
        return "idempotency:" + settings.pepper
    with _SECRET_LOCK:  # one thread of this process makes it
        with reading(engine) as conn:
            value = meta.get(conn, "idempotency_secret")
        if value is not None:
            return value
        # Made once for every process: an insert that does nothing if another process's came first
        # (a read then an update or insert let a second worker overwrite the first one's secret, so
        # the two workers' fingerprints of one retried payment differed: 422 for the same body).
        with writing(engine) as conn:
            return meta.get_or_create(conn, "idempotency_secret", lambda: secrets.token_hex(32))


def fingerprint(secret: str, account_id: int, body: dict) -> str:
    canonical = json.dumps({"account_id": account_id, "body": body}, sort_keys=True, separators=(",", ":"))
    return hmac.new(secret.encode(), canonical.encode(), hashlib.sha256).hexdigest()


def check_key(key: str | None) -> str:
    if key is None or not key.strip():
        raise ApiError(
            400,
            "invalid_request",
            "idempotency_key_missing",
            "Send an Idempotency-Key header (a random string, the same on every retry of this payment).",
            HEADER,
        )
    if len(key) > 255 or not key.isascii() or not key.isprintable():
        raise ApiError(
            400,
            "invalid_request",
            "idempotency_key_missing",
            "The Idempotency-Key must be 1 to 255 printable ASCII characters.",
            HEADER,
        )
    return key


def claim(
    engine: Engine, scope: str, key: str, print_: str, owner: Owner, recover: Callable[[int], object]
) -> Claimed | Replay:
    """Claim `key` for this request, or answer what an earlier request with the same key decided. A
    running record whose owner is gone is first recovered by `recover(record_id)` (which voids what it
    authorised and releases it), then claimed afresh: a key left by a crash is usable again at once."""
    for _ in range(3):
        with reading(engine) as conn:
            row = store.find(conn, scope, key)
        if row is None:
            claimed = _insert(engine, scope, key, print_, owner)
            if claimed is not None:
                return claimed
            continue  # PostgreSQL: another request inserted the same key a moment ago
        decided = _decide(engine, row, print_, owner, recover)
        if decided is not None:
            return decided
    raise in_use()


UNREAD = object()  # `check` reads the key's record itself


def find(conn: Connection, request: RequestKey) -> object:
    """The key's record as `conn` sees it (None: free), for `check` to decide on without a read of its own."""
    return store.find(conn, request.scope, request.key)


def check(
    engine: Engine,
    request: RequestKey,
    owner: Owner,
    recover: Callable[[int], object],
    found: object = UNREAD,
) -> Replay | None:
    """What an earlier request with this key decided (a Replay), or None while the key is free (claimed
    later by `claim_in`). Refuses as `claim` does (422 another body, 409 still running); a running record
    whose owner is gone is recovered first. `found`: what `find` read in the request's first read."""
    for attempt in range(3):
        if attempt or found is UNREAD:
            with reading(engine) as conn:
                found = store.find(conn, request.scope, request.key)
        if found is None:
            return None
        decided = _decide(engine, found, request.fingerprint, owner, recover)
        if decided is not None:
            return decided
    raise in_use()


def claim_in(conn: Connection, request: RequestKey, owner: Owner) -> str:
    """Claim the key as running, owned by `owner`, in the caller's write transaction; returns the work
    name the owner now holds (the caller drops it if the transaction fails). A key another request
    claimed first raises IntegrityError (the unique (scope, key)): the transaction is lost."""
    now = utcnow()
    _maybe_prune(conn, now)
    request.record_id, held = _insert_held(conn, request.scope, request.key, request.fingerprint, now, owner)
    return held


def _insert_held(
    conn: Connection, scope: str, key: str, print_: str, now: datetime, owner: Owner
) -> tuple[int, str]:
    """The key's running record, held by `owner` before the commit (no recovery in this process may see
    it unheld): its id and the work name held."""
    record_id = store.insert_running(conn, scope, key, print_, now, owner.id)
    held = record_work(record_id)
    owner.hold(held)
    return record_id, held


def refused(
    engine: Engine,
    request: RequestKey,
    owner: Owner,
    status: int,
    body: dict,
    recover: Callable[[int], object],
) -> str | Replay:
    """Store a refusal as the key's answer; returns its text. A key not claimed yet gets a finished
    record at once; if another request claimed it meanwhile, what that one decided is answered instead
    (a Replay, or 409 while it runs)."""
    if request.record_id is not None:
        return finish(engine, Claimed(request.record_id), status, body)
    text = json.dumps(body, separators=(",", ":"))
    try:
        with writing(engine) as conn:
            store.insert_done(conn, request.scope, request.key, request.fingerprint, utcnow(), status, text)
    except IntegrityError:
        decided = check(engine, request, owner, recover)
        if decided is None:  # claimed and already forgotten again (a server error): retry later
            raise in_use() from None
        return decided
    return text


def _maybe_prune(conn: Connection, now: datetime) -> None:
    global _last_prune
    moment = time.monotonic()
    if moment - _last_prune >= PRUNE_EVERY_SECONDS:
        _last_prune = moment
        store.prune(conn, now - KEEP)


def _insert(engine: Engine, scope: str, key: str, print_: str, owner: Owner) -> Claimed | None:
    now = utcnow()
    held: str | None = None
    try:
        with writing(engine) as conn:
            _maybe_prune(conn, now)
            if store.find(conn, scope, key) is not None:
                return None
            record_id, held = _insert_held(conn, scope, key, print_, now, owner)
    except IntegrityError:
        if held:
            owner.drop(held)
        return None
    except BaseException:
        if held:
            owner.drop(held)
        raise
    return Claimed(record_id)


def _decide(engine: Engine, row, print_: str, owner: Owner, recover: Callable[[int], object]):  # type: ignore[no-untyped-def]
    if not hmac.compare_digest(row["request_hash"], print_):
        raise ApiError(
            422,
            "invalid_request",
            "idempotency_key_reused",
            "This Idempotency-Key was used for another request: use a new key for a new payment.",
            HEADER,
        )
    if row["status"] == "done":
        return Replay(int(row["response_status"]), row["response_body"])
    with reading(engine) as conn:
        alive = owner.alive(conn, row["owner"], record_work(row["id"]))
    if alive:  # however long it takes: the owner renews its lease while it runs
        raise in_use()
    recover(row["id"])  # the first request died: settle what it left, then this one runs it
    return None


def in_use() -> ApiError:
    """409: a request with this key is still running."""
    return ApiError(
        409,
        "conflict",
        "idempotency_key_in_use",
        "A request with this Idempotency-Key is still being processed: wait a moment and retry.",
        HEADER,
        headers={"Retry-After": "1"},
    )


def finish(engine: Engine, claimed: Claimed, status: int, body: dict) -> str:
    """Store an answer given outside the payment's own transaction (an error); returns its text."""
    text = json.dumps(body, separators=(",", ":"))
    with writing(engine) as conn:
        store.complete(conn, claimed.record_id, status, text)
    return text


def release(engine: Engine, claimed: Claimed, owner: Owner) -> None:
    """Forget the key after a server error, so a retry runs again."""
    with writing(engine) as conn:
        store.release(conn, claimed.record_id, owner.id)


def let_go(owner: Owner, claimed: Claimed) -> None:
    """The request is over: the record is no longer in flight in this process."""
    owner.drop(record_work(claimed.record_id))
