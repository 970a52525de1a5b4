"""Idempotency-Key handling after the IETF draft: claim a key for one request, replay a finished answer,
refuse a key reused with another body (422) or still running (409).

The fingerprint is an HMAC-SHA256 of the canonical request (account and body) under a server secret: a
plain hash of a body that carries a card number could be brute-forced back to the number.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import threading
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from backend_stub.clock import utcnow
from backend_stub.errors import ApiError
from backend_stub.settings import Settings
from backend_stub.store import idempotency as store
from backend_stub.store import meta
from backend_stub.store.db import reading, writing

KEEP = timedelta(hours=24)
RUNNING_LOCK = timedelta(minutes=2)  # a request that died holds its key this long at most
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


def claim(engine: Engine, scope: str, key: str, print_: str) -> Claimed | Replay:
    """Claim `key` for this request, or answer what an earlier request with the same key decided."""
    with reading(engine) as conn:
        row = store.find(conn, scope, key)
    if row is not None:
        return _decide(engine, row, print_)
    now = utcnow()
    try:
        with writing(engine) as conn:
            store.prune(conn, now - KEEP)
            row = store.find(conn, scope, key)
            if row is None:
                return Claimed(store.insert_running(conn, scope, key, print_, now, now + RUNNING_LOCK))
    except IntegrityError:  # PostgreSQL: another request inserted the same key a moment ago
        with reading(engine) as conn:
            row = store.find(conn, scope, key)
        if row is None:
            raise
    return _decide(engine, row, print_)


def _decide(engine: Engine, row, print_: str) -> Claimed | Replay:  # type: ignore[no-untyped-def]
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
    now = utcnow()
    if row["locked_until"] is not None and row["locked_until"] > now:
        raise ApiError(
            409,
            "conflict",
            "idempotency_key_in_use",
            "A request with this Idempotency-Key is still being processed: wait a moment and retry.",
            HEADER,
            headers={"Retry-After": "1"},
        )
    with writing(engine) as conn:  # the first request died: this one runs it
        store.take_over(conn, row["id"], now, now + RUNNING_LOCK)
    return Claimed(row["id"])


def finish(engine: Engine, claimed: Claimed, status: int, body: dict) -> str:
    """Store an answer given outside the payment's own transaction (an error); returns its text."""
    text = json.dumps(body, separators=(",", ":"))
    with writing(engine) as conn:
        store.complete(conn, claimed.record_id, status, text)
    return text


def release(engine: Engine, claimed: Claimed) -> None:
    """Forget the key after a server error, so a retry runs again."""
    with writing(engine) as conn:
        store.release(conn, claimed.record_id)
