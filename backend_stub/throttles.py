"""Throttles in depth for the ways in (code requests and checks, password logins, sign-up, forgotten
passwords, guest lookups), all counted in the database so they hold across workers and processes.

Each request is held against three limits over a window (docs/WIRE.md, "Throttles", has the numbers):
- per email (or account number) and client address: the one a person meets. An attacker elsewhere
  using it up does not lock the owner out, since the owner's own address has its own count;
- per client address, whatever the email: one address cannot try many emails;
- per email in total, a few addresses' worth: the guesses against one email stay bounded.
A request over a limit is answered 429 `too_many_requests` with Retry-After and counts for nothing.

Over all clients, a flow's requests past `auth_ceiling_per_minute` in the last minute are slowed, not
refused: each waits a little longer than the one before (`pace`), on the event loop, holding no
transaction and no thread, before its work begins.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine
from starlette.concurrency import run_in_threadpool

from backend_stub.clock import utcnow
from backend_stub.errors import ApiError
from backend_stub.settings import Settings
from backend_stub.store import throttles as store
from backend_stub.store.db import reading

CEILING_WINDOW = timedelta(minutes=1)


@dataclass(frozen=True)
class Limit:
    kind: str  # auth_requests.kind, at most 16 characters
    key: str
    allowed: int
    scope: str  # how the refusal says what is used up: "for this email", "from your network"


def pair_key(*parts: str) -> str:
    """One key for an email (or account number) and a client address: hashed, so it fits the column
    whatever the email's length, and the table holds no list of who tried what from where."""
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:40]


def three_limits(
    flow: str, key: str, client: str, per_pair: int, per_key: int, per_address: int, key_scope: str
) -> list[Limit]:
    """The per-(key, address), per-address and per-key limits of `flow` (kinds `flow_pair`, `flow_ip`,
    `flow`)."""
    return [
        Limit(f"{flow}_pair", pair_key(key, client), per_pair, key_scope),
        Limit(f"{flow}_ip", client, per_address, "from your network"),
        Limit(flow, key, per_key, key_scope),
    ]


def wait_in_words(seconds: int) -> str:
    """A wait as a person reads it: whole minutes, rounded up ("1 minute", "15 minutes")."""
    minutes = max(1, math.ceil(seconds / 60))
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


def too_many(
    what: str, scope: str, wait_seconds: int, param: str | None, again: str = "try again"
) -> ApiError:
    wait = max(1, wait_seconds)
    return ApiError(
        429,
        "rate_limited",
        "too_many_requests",
        f"Too many {what} {scope}: wait {wait_in_words(wait)} and {again}.",
        param,
        headers={"Retry-After": str(wait)},
    )


def refusal(
    conn: Connection,
    limits: Sequence[Limit],
    window: timedelta,
    now: datetime,
    what: str,
    param: str | None,
    again: str = "try again",
) -> ApiError | None:
    """Lock the limits' keys for this transaction; the 429 to answer if one of them is used up (the
    longest wait of those that are), else None. Records nothing."""
    keys = [(limit.kind, limit.key) for limit in limits]
    store.lock_keys(conn, keys)
    counts = store.counts_since(conn, keys, now - window)
    worst: tuple[int, Limit] | None = None
    for limit in limits:
        count, oldest = counts.get((limit.kind, limit.key), (0, now))
        if count >= limit.allowed:
            wait = math.ceil((oldest + window - now).total_seconds())
            if worst is None or wait > worst[0]:
                worst = (wait, limit)
    if worst is None:
        return None
    return too_many(what, worst[1].scope, worst[0], param, again)


def count(conn: Connection, limits: Sequence[Limit], now: datetime, flow: str | None = None) -> None:
    """Count a request against its limits (and, with `flow`, toward that flow's overall ceiling)."""
    keys = [(limit.kind, limit.key) for limit in limits]
    if flow is not None:
        keys.append((store.CEILING, flow))
    store.record(conn, keys, now)


def admit(
    conn: Connection,
    limits: Sequence[Limit],
    window: timedelta,
    now: datetime,
    what: str,
    param: str | None,
    flow: str,
    again: str = "try again",
) -> None:
    """Raise the 429 if a limit is used up; otherwise count the request (in the caller's transaction)."""
    refused = refusal(conn, limits, window, now, what, param, again)
    if refused is not None:
        raise refused
    count(conn, limits, now, flow)


def delay_seconds(recent: int, settings: Settings) -> float:
    """How long a request waits when `recent` requests of its flow came in the last minute."""
    ceiling = settings.auth_ceiling_per_minute
    if ceiling <= 0 or recent < ceiling:
        return 0.0
    return min(settings.auth_max_delay_ms, (recent - ceiling + 1) * settings.auth_slowdown_ms) / 1000


def _recent(engine: Engine, flow: str) -> int:
    with reading(engine) as conn:
        return store.ceiling_count(conn, flow, utcnow() - CEILING_WINDOW)


async def pace(engine: Engine, settings: Settings, flow: str) -> float:
    """Wait as the overall ceiling says before a request of `flow` is worked on; returns the wait."""
    if settings.auth_ceiling_per_minute <= 0:
        return 0.0
    delay = delay_seconds(await run_in_threadpool(_recent, engine, flow), settings)
    if delay > 0:
        await asyncio.sleep(delay)
    return delay
