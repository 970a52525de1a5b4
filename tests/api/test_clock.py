"""The clock: without --dev today is the real date in the business's zone (PAYDESK_TIMEZONE), a pinned
date is ignored and said once at start; a bad zone stops the server with one line; the dev clock never
moves back."""

from __future__ import annotations

import os
import subprocess
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx

from tests.api.conftest import assert_error
from tests.api.jobs_data import api_with, real_today, tokens_under_dev
from tests.api.paying import DANA, Payer
from tests.support.stub import run_stub, serve_stub, sqlite_database, stub_command

# Zones far from UTC: at any moment at least one of them is on another date than UTC.
FAR_ZONES = ("Etc/GMT+12", "Pacific/Kiritimati", "Asia/Tokyo", "Pacific/Honolulu")


def _zone_off_the_utc_date() -> str:
    """A zone whose date differs from UTC's now and still in a minute (the test's margin).

    In the last minute before UTC's midnight no zone can stay off the UTC date across it (the zones
    ahead of UTC join it, those behind have not left it yet): then wait, with a deadline, until a zone
    qualifies rather than hope the test beats the midnight."""
    deadline = time.monotonic() + 120

    def off(zone: str, moment: datetime) -> bool:
        return moment.astimezone(ZoneInfo(zone)).date() != moment.date()

    while True:
        now = datetime.now(UTC)
        found = [z for z in FAR_ZONES if off(z, now) and off(z, now + timedelta(minutes=1))]
        if found:
            return found[0]
        assert time.monotonic() < deadline, "no zone off the UTC date for a whole minute"
        time.sleep(0.5)


def test_the_business_time_zone_decides_today(tmp_path: Path) -> None:
    zone = _zone_off_the_utc_date()
    db = sqlite_database(tmp_path / "zone.db", "demo")
    tokens = tokens_under_dev(db, tmp_path, DANA)
    before = real_today(zone)
    with serve_stub(db, tmp_path, dev=False, no_jobs=True, extra_env={"PAYDESK_TIMEZONE": zone}) as server:
        api = api_with(server, tokens)
        shown = date.fromisoformat(Payer(api, DANA).summary()["today"])
        api.close()
    assert shown in {before, real_today(zone)}  # the zone's date (its midnight may pass meanwhile)
    assert shown != datetime.now(UTC).date()  # not the UTC date, nor the demo's pinned 2026-11-15


def test_without_dev_a_pinned_date_is_ignored_and_said_once_at_start(tmp_path: Path) -> None:
    db = sqlite_database(tmp_path / "pinned.db", "demo")
    tokens = tokens_under_dev(db, tmp_path, DANA)
    with run_stub(db, tmp_path, seed="none", dev=False, no_jobs=True) as server:
        api = api_with(server, tokens)
        today = Payer(api, DANA).summary()["today"]
        Payer(api, DANA).summary()
        api.close()
        log = server.log_text()
    assert today == real_today().isoformat() != "2026-11-15"
    notices = [line for line in log.splitlines() if "2026-11-15" in line]
    assert len(notices) == 1, log
    assert "ignored" in notices[0] and today in notices[0] and "America/Los_Angeles" in notices[0]


def test_with_dev_the_pinned_date_holds(tmp_path: Path) -> None:
    db = sqlite_database(tmp_path / "dev.db", "demo")
    with run_stub(db, tmp_path, seed="none", dev=True, no_jobs=True) as server:
        r = httpx.post(server.base_url + "/v1/dev/clock", json={"advance_days": 0}, timeout=10)
        assert r.json() == {"today": "2026-11-15"}
        assert "ignored" not in server.log_text()


def test_a_bad_time_zone_is_one_line_and_exit_1(tmp_path: Path) -> None:
    env = {**os.environ, "PAYDESK_DATA_DIR": str(tmp_path / "data"), "PAYDESK_TIMEZONE": "Mars/Olympus_Mons"}
    for command in (["serve", "--port", "0"], ["jobs"]):
        result = subprocess.run(
            [*stub_command(), *command, "--db", str(tmp_path / "x.db")],
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
        )
        assert result.returncode == 1, result.stderr
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
        assert "PAYDESK_TIMEZONE" in lines[0] and "Mars/Olympus_Mons" in lines[0]
        assert result.stdout == ""


def test_the_dev_clock_starts_at_the_real_date_and_never_moves_back(tmp_path: Path) -> None:
    with serve_stub(f"sqlite:///{tmp_path / 'empty.db'}", tmp_path, seed="none", no_jobs=True) as server:
        url = server.base_url + "/v1/dev/clock"
        today = real_today()
        assert httpx.post(url, json={"advance_days": 0}, timeout=10).json() == {"today": today.isoformat()}
        yesterday = (today - timedelta(days=1)).isoformat()
        assert_error(
            httpx.post(url, json={"today": yesterday}, timeout=10), 400, "invalid_request", "clock_backwards"
        )
        later = (today + timedelta(days=3)).isoformat()
        assert httpx.post(url, json={"today": later}, timeout=10).json() == {"today": later}
        assert_error(
            httpx.post(url, json={"today": today.isoformat()}, timeout=10),
            400,
            "invalid_request",
            "clock_backwards",
        )
        assert httpx.post(url, json={"advance_days": 0}, timeout=10).json() == {"today": later}
