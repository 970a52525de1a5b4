"""A clerk's session ends after `Settings.clerk_idle_seconds` (PAYDESK_CLERK_IDLE_SECONDS, default 900)
without a request the user made: 401 `session_idle`. A request with `X-Paydesk-Background: 1` (the app's
automatic refreshes) is refused once the session is idle but never keeps it alive. Customers' and guests'
sessions are unchanged.

The cost on the hot path (every request signs in, see deps.current_caller): the session's last activity is
read with the user, in the same query, and written at most once per `touch_interval` (5 s, or a quarter
of a shorter idle time, for tests): the stored time then trails the real last request by less than one
interval, so a session is judged idle only once `idle + interval` has passed since the stored time: never
before the idle time, at most one interval after it. Five seconds keeps a clerk's writes to one short
UPDATE per five seconds of activity (most requests write nothing) against a 15-minute limit.

A write may wait for the write lock, so it never happens on the event loop: `quiet` (asked before the
caller is computed) lets the check run there only for a session this process knows needs no write now
(a customer's, or a clerk's written less than an interval ago); any other goes to the thread pool first.
Should the stored time disagree with that (it was moved back behind this process's back), the request on
the loop writes nothing and forgets the session: the next one writes.
"""

from __future__ import annotations

import contextvars
import threading
from datetime import datetime, timedelta

from backend_stub.errors import ApiError

BACKGROUND_HEADER = "X-Paydesk-Background"
MAX_TOUCH_INTERVAL = timedelta(seconds=5)
_MEMO_LIMIT = 50_000  # sessions remembered per process; past it the memo starts again (it is only a hint)

# token hash -> until when this session needs no write (a customer's: forever).
_quiet_until: dict[str, datetime] = {}
_memo_lock = threading.Lock()
# Set by `quiet` right before the caller is computed on the event loop: no write may happen there.
_no_write_here: contextvars.ContextVar[bool] = contextvars.ContextVar("paydesk_no_write_here", default=False)


def session_idle() -> ApiError:
    return ApiError(
        401,
        "authentication",
        "session_idle",
        "The session was idle too long; sign in again to go on.",
        headers={"WWW-Authenticate": "Bearer"},
    )


def touch_interval(idle_seconds: int) -> timedelta:
    return min(MAX_TOUCH_INTERVAL, timedelta(seconds=idle_seconds) / 4)


def is_idle(last_active: datetime, now: datetime, idle_seconds: int) -> bool:
    return now - last_active > timedelta(seconds=idle_seconds) + touch_interval(idle_seconds)


def touch_due(last_active: datetime, now: datetime, idle_seconds: int) -> bool:
    return now - last_active >= touch_interval(idle_seconds)


def is_background(value: str | None) -> bool:
    return (value or "").strip() == "1"


def quiet(hashed: str, now: datetime) -> bool:
    """Whether the caller with this token hash may be checked on the event loop (no write is due)."""
    until = _quiet_until.get(hashed)
    result = until is not None and now < until
    _no_write_here.set(result)
    return result


def may_write() -> bool:
    """False while the caller is being checked on the event loop (see `quiet`)."""
    return not _no_write_here.get()


def remember(hashed: str, until: datetime) -> None:
    """This session needs no write before `until` (datetime.max: never, a customer's)."""
    if _quiet_until.get(hashed) == until:
        return  # a customer's every request: nothing to change
    with _memo_lock:
        if len(_quiet_until) >= _MEMO_LIMIT:
            _quiet_until.clear()
        _quiet_until[hashed] = until


def forget(hashed: str) -> None:
    with _memo_lock:
        _quiet_until.pop(hashed, None)
