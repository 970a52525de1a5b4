"""The one clock, a leaf every other module may read (it imports only store/meta and the standard library).

Today is the business's date: the real date in its time zone (`Settings.timezone`, PAYDESK_TIMEZONE).
With `--dev` a date pinned in `meta` (`today`: the demo seed's 2026-11-15, or the dev clock) wins; without
it a pinned date is ignored. Either way today never moves backwards within a process (a high-water mark
absorbs a wall clock stepped back). Expiry of codes and tokens uses real UTC time; every business date
rule is given `today()` as an argument. Moving the clock and running what fell due is `jobs`.

The clock is configured per engine (`configure`, called by create_app and the `jobs` command), so several
servers with different settings can live in one process. An engine nobody configured reads as `--dev`
in the default zone: the pinned date, else the real date there.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine

from backend_stub.store import meta

TODAY_KEY = "today"
DEFAULT_ZONE = "America/Los_Angeles"


def wall_date(zone: ZoneInfo) -> date:
    """The system clock's date in `zone`."""
    return datetime.now(zone).date()


@dataclass
class _Clock:
    zone: ZoneInfo
    honour_pinned: bool  # --dev
    wall: Callable[[ZoneInfo], date] = wall_date
    high_water: date | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def real_today(self) -> date:
        day = self.wall(self.zone)
        with self.lock:
            if self.high_water is None or day > self.high_water:
                self.high_water = day
            return self.high_water


_CLOCKS: weakref.WeakKeyDictionary[Engine, _Clock] = weakref.WeakKeyDictionary()
_UNCONFIGURED = _Clock(ZoneInfo(DEFAULT_ZONE), honour_pinned=True)


def configure(engine: Engine, zone: str, dev: bool, wall: Callable[[ZoneInfo], date] = wall_date) -> None:
    """How `today` reads for connections of `engine`: the date in `zone`; a pinned date only if `dev`.
    `wall` reads the system clock (a test gives one that steps back, for this engine alone)."""
    _CLOCKS[engine] = _Clock(ZoneInfo(zone), honour_pinned=dev, wall=wall)


def utcnow() -> datetime:
    """Naive UTC now: the form every timestamp column holds."""
    return datetime.now(UTC).replace(tzinfo=None)


def today(conn: Connection) -> date:
    engine = conn.engine
    # A write transaction's connection comes from the writers' engine (store/db.py), an OptionEngine of
    # the configured one: look the clock up by that one (else without --dev it honoured a pinned date).
    clock = _CLOCKS.get(getattr(engine, "_proxied", engine)) or _CLOCKS.get(engine, _UNCONFIGURED)
    if clock.honour_pinned:
        day = pinned(conn)
        if day is not None:
            return day
    return clock.real_today()


def real_today(zone: str) -> date:
    """The real date in `zone` now (what a server without --dev calls today)."""
    return datetime.now(ZoneInfo(zone)).date()


def pinned(conn: Connection) -> date | None:
    """The date pinned in the database (a seed's or the dev clock's), whether or not it is honoured."""
    value = meta.get(conn, TODAY_KEY)
    return date.fromisoformat(value) if value else None


def set_today(conn: Connection, day: date) -> None:
    meta.put(conn, TODAY_KEY, day.isoformat())


__all__ = ["configure", "pinned", "real_today", "set_today", "today", "utcnow"]
