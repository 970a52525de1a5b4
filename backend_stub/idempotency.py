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
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Engine
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


@dataclass(frozen=True)
class Claimed:
    record_id: int


@dataclass(frozen=True)
class Replay:
    status: int
    body: str


_SECRET_LOCK = threading.Lock()


def secret_of(engine: Engine, settings: Settings) -> str:
    """The key of the request fingerprints: from PAYDESK_PEPPER, else one random per database."""
    if settings.pepper:
        return "idempotency:" + settings.pepper
    with _SECRET_LOCK:  # one thread makes it; another process racing us loses the insert and re-reads
        with reading(engine) as conn:
            value = meta.get(conn, "idempotency_secret")
        if value is not None:
            return value
        try:
            with writing(engine) as conn:
                value = meta.get(conn, "idempotency_secret")
                if value is None:
                    value = secrets.token_hex(32)
                    meta.put(conn, "idempotency_secret", value)
        except IntegrityError:
            with reading(engine) as conn:
                value = meta.get(conn, "idempotency_secret")
        assert value is not None
        return value


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
    raise _in_use()


def _insert(engine: Engine, scope: str, key: str, print_: str, owner: Owner) -> Claimed | None:
    now = utcnow()
    held: str | None = None
    try:
        with writing(engine) as conn:
            store.prune(conn, now - KEEP)
            if store.find(conn, scope, key) is not None:
                return None
            record_id = store.insert_running(conn, scope, key, print_, now, owner.id)
            held = record_work(record_id)
            owner.hold(held)  # before the commit: no recovery in this process may see it unheld
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
        raise _in_use()
    recover(row["id"])  # the first request died: settle what it left, then this one runs it
    return None


def _in_use() -> ApiError:
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
