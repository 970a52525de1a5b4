"""The clock's high-water mark: today never moves backwards, even when the wall clock does."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest

from backend_stub import clock
from backend_stub.store.db import create_db_engine


def test_the_real_clock_never_moves_back_when_the_wall_clock_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The system clock stepped back (NTP, a VM restored) cannot be caused from a test: it is faked."""
    engine = create_db_engine(f"sqlite:///{tmp_path / 'c.db'}")
    clock.configure(engine, "America/Los_Angeles", dev=False)
    days = iter([date(2026, 12, 2), date(2026, 12, 1), date(2026, 12, 3)])

    class SteppingBack(datetime):
        @classmethod
        def now(cls, tz=None):  # type: ignore[no-untyped-def, override]
            return datetime.combine(next(days), datetime.min.time(), tzinfo=tz)

    monkeypatch.setattr(clock, "datetime", SteppingBack)
    with engine.connect() as conn:
        seen = [clock.today(conn) for _ in range(3)]
    engine.dispose()
    assert seen == [date(2026, 12, 2), date(2026, 12, 2), date(2026, 12, 3)]
