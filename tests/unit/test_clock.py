"""The clock's high-water mark: today never moves backwards, even when the wall clock does."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from backend_stub import clock
from backend_stub.store.db import create_db_engine


def test_the_real_clock_never_moves_back_when_the_wall_clock_does(tmp_path: Path) -> None:
    """The system clock stepped back (NTP, a VM restored) cannot be caused from a test: it is faked, for
    this engine's clock only (a module-wide fake was read by other tests' server threads too)."""
    engine = create_db_engine(f"sqlite:///{tmp_path / 'c.db'}")
    days = iter([date(2026, 12, 2), date(2026, 12, 1), date(2026, 12, 3)])
    clock.configure(engine, "America/Los_Angeles", dev=False, wall=lambda _zone: next(days))
    with engine.connect() as conn:
        seen = [clock.today(conn) for _ in range(3)]
    engine.dispose()
    assert seen == [date(2026, 12, 2), date(2026, 12, 2), date(2026, 12, 3)]
